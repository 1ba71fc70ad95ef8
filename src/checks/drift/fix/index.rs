//! Indexes: built and dropped `CONCURRENTLY`, rebuilt under a temporary name.

use super::*;

/// Whether PostgreSQL lets the index be built or dropped `CONCURRENTLY`: not on a
/// partitioned table (nor with `ON ONLY`).
pub(super) fn concurrently(relation: &Relation, index: &Index) -> &'static str {
    if relation.kind == RelationKind::PartitionedTable || index.only {
        ""
    } else {
        " CONCURRENTLY"
    }
}

pub(super) fn index_key(key: &IndexKey) -> String {
    let mut text = match &key.target {
        IndexTarget::Column(column) => quote_identifier(column),
        IndexTarget::Expression(expression) => format!("({})", expression.text().trim()),
    };
    if let Some(collation) = &key.collation {
        text.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(opclass) = &key.opclass {
        text.push(' ');
        text.push_str(opclass);
    }
    if key.descending {
        text.push_str(" DESC");
    }
    match key.nulls_first {
        Some(true) if !key.descending => text.push_str(" NULLS FIRST"),
        Some(false) if key.descending => text.push_str(" NULLS LAST"),
        _ => {}
    }
    text
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table …` under the name `name`.
pub(super) fn create_index_as(relation: &Relation, index: &Index, name: &str) -> String {
    let mut text = format!(
        "CREATE {}INDEX{} {} ON {}{}",
        if index.unique { "UNIQUE " } else { "" },
        concurrently(relation, index),
        quote_identifier(name),
        if index.only { "ONLY " } else { "" },
        relation.name.quoted()
    );
    if !index.method.eq_ignore_ascii_case("btree") {
        text.push_str(&format!(" USING {}", index.method.to_lowercase()));
    }
    let keys: Vec<String> = index.keys.iter().map(index_key).collect();
    text.push_str(&format!(" ({})", keys.join(", ")));
    if !index.include.is_empty() {
        text.push_str(&format!(" INCLUDE ({})", column_list(&index.include)));
    }
    if index.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        text.push_str(&format!(" WHERE {}", predicate.text().trim()));
    }
    text
}

/// Creates the spec's index, with its comment.
pub(crate) fn create_index(relation: &Relation, index: &Index) -> Fix {
    let mut fix = Builder::default();
    fix.push(
        FixStep::Index,
        create_index_as(relation, index, &index.name),
    );
    if let Some(comment) = &index.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(relation, &CommentTarget::Index(index.name.clone())),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
    }
}

/// Drops an index the specs do not define: destructive.
pub(crate) fn drop_index(relation: &Relation, index: &Index) -> Fix {
    Fix::destructive(
        FixStep::DropIndex,
        format!(
            "DROP INDEX{} {}",
            concurrently(relation, index),
            index_name(&relation.name, &index.name)
        ),
        "drops the index",
    )
}

/// Rebuilds an index as the specs define it: the new one is built under a temporary
/// name, the old one dropped, and the new one renamed, so that the table is never
/// without the index; its comment is set again.
pub(crate) fn recreate_index(relation: &Relation, wanted: &Index, found: &Index) -> Fix {
    let temporary = temporary_name(&wanted.name);
    let mut fix = Builder::default();
    fix.push(
        FixStep::Index,
        create_index_as(relation, wanted, &temporary),
    );
    fix.push(
        FixStep::Index,
        format!(
            "DROP INDEX{} {}",
            concurrently(relation, found),
            index_name(&relation.name, &found.name)
        ),
    );
    fix.push(
        FixStep::Index,
        format!(
            "ALTER INDEX {} RENAME TO {}",
            index_name(&relation.name, &temporary),
            quote_identifier(&wanted.name)
        ),
    );
    if let Some(comment) = &wanted.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(relation, &CommentTarget::Index(wanted.name.clone())),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
    }
}
