//! Whole relations: created with everything the specs give them, dropped, replaced by
//! another kind, and views given the spec's body.

use super::*;

/// Everything the specs say about `relation`, in the statements that create it: the
/// relation, its indexes, foreign keys, row-level security, policies, privileges,
/// triggers and comments. `None` for a partitioned table or a partition, whose
/// partitioning the model does not keep, and for a table with a column whose type the
/// specs do not say.
pub(crate) fn create_relation(relation: &Relation) -> Option<Fix> {
    if relation.kind == RelationKind::PartitionedTable || relation.partition_of.is_some() {
        return None;
    }
    let mut fix = Builder::default();
    let name = &relation.name;
    match (&relation.view, relation.kind) {
        (Some(view), RelationKind::View | RelationKind::MaterializedView) => {
            fix.push(FixStep::View, view_sql(relation, view.query.text(), false)?);
        }
        (_, RelationKind::Table) => {
            let mut parts = Vec::new();
            for column in &relation.columns {
                parts.push(column_definition(column)?);
            }
            for constraint in relation.constraints.values() {
                if !matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) {
                    parts.push(format!(
                        "CONSTRAINT {} {}",
                        quote_identifier(&constraint.name),
                        constraint_definition(constraint)
                    ));
                }
            }
            fix.push(
                FixStep::CreateTable,
                format!(
                    "CREATE TABLE {} (\n    {}\n)",
                    name.quoted(),
                    parts.join(",\n    ")
                ),
            );
            for constraint in relation.constraints.values() {
                if matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) {
                    fix.push(
                        FixStep::Reference,
                        format!(
                            "{} ADD CONSTRAINT {} {}",
                            alter_table(name),
                            quote_identifier(&constraint.name),
                            constraint_definition(constraint)
                        ),
                    );
                }
            }
        }
        _ => return None,
    }
    for index in relation.indexes.values() {
        if index.constraint.is_none() {
            fix.push(
                FixStep::Index,
                create_index_as(relation, index, &index.name),
            );
        }
    }
    fix.extend(rls(
        name,
        RlsState {
            enabled: relation.rls_enabled,
            forced: relation.rls_forced,
        },
        RlsState {
            enabled: false,
            forced: false,
        },
    ));
    for policy in relation.policies.values() {
        fix.push(FixStep::Policy, create_policy_sql(name, policy));
    }
    let mut grants: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for grant in &relation.grants {
        grants
            .entry(grant.grantee.as_str())
            .or_default()
            .push(grant.privilege.as_str());
    }
    for (role, privileges) in grants {
        fix.push(
            FixStep::Grant,
            format!(
                "GRANT {} ON {} TO {}",
                privileges.join(", "),
                name.quoted(),
                grantee(role)
            ),
        );
    }
    for trigger in relation.triggers.values() {
        fix.push(FixStep::Trigger, create_trigger_sql(name, trigger, false)?);
    }
    for (target, comment) in comments(relation) {
        fix.push(
            FixStep::Comment,
            comment_statement(&comment_on(relation, &target), Some(comment)),
        );
    }
    fix.build()
}

/// Every comment the relation and its members carry.
pub(super) fn comments(relation: &Relation) -> Vec<(CommentTarget, &str)> {
    let mut found = Vec::new();
    if let Some(comment) = &relation.comment {
        found.push((CommentTarget::Relation, comment.as_str()));
    }
    for column in &relation.columns {
        if let Some(comment) = &column.comment {
            found.push((CommentTarget::Column(column.name.clone()), comment.as_str()));
        }
    }
    for (name, index) in &relation.indexes {
        if let Some(comment) = &index.comment {
            found.push((CommentTarget::Index(name.clone()), comment.as_str()));
        }
    }
    for (name, constraint) in &relation.constraints {
        if let Some(comment) = &constraint.comment {
            found.push((CommentTarget::Constraint(name.clone()), comment.as_str()));
        }
    }
    for (name, policy) in &relation.policies {
        if let Some(comment) = &policy.comment {
            found.push((CommentTarget::Policy(name.clone()), comment.as_str()));
        }
    }
    for (name, trigger) in &relation.triggers {
        if let Some(comment) = &trigger.comment {
            found.push((CommentTarget::Trigger(name.clone()), comment.as_str()));
        }
    }
    found
}

/// `CREATE [OR REPLACE] VIEW` or `CREATE MATERIALIZED VIEW` with the spec's body and,
/// when the specs list them, its column names.
pub(super) fn view_sql(relation: &Relation, query: &str, or_replace: bool) -> Option<String> {
    let query = query.trim().trim_end_matches(';').trim_end();
    if query.is_empty() {
        return None;
    }
    // One clause per line, for the reader, where only whitespace can change: no
    // backslash (an `E'…'` escape) or dollar quote the layout could misread.
    let query = if query.contains(['\\', '$']) {
        query.to_string()
    } else {
        crate::checks::drift::layout::one_clause_per_line(query)
    };
    let columns = if relation.columns.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = relation
            .columns
            .iter()
            .map(|column| column.name.clone())
            .collect();
        format!(" ({})", column_list(&names))
    };
    let materialized = relation.kind == RelationKind::MaterializedView;
    let mut text = format!(
        "CREATE {}{} {}{columns} AS\n{query}",
        if or_replace { "OR REPLACE " } else { "" },
        if materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        relation.name.quoted()
    );
    if materialized && relation.view.as_ref().is_some_and(|view| !view.with_data) {
        text.push_str("\nWITH NO DATA");
    }
    Some(text)
}

/// Drops a relation the specs do not define: destructive.
pub(crate) fn drop_relation(name: &QualifiedName, kind: RelationKind) -> Fix {
    let (step, why) = match kind {
        RelationKind::View => (FixStep::DropView, "drops the view"),
        RelationKind::MaterializedView => (FixStep::DropView, "drops the materialized view"),
        RelationKind::Table | RelationKind::PartitionedTable => {
            (FixStep::DropTable, "drops the table and its rows")
        }
    };
    Fix::destructive(
        step,
        format!("DROP {} {}", kind_keyword(kind), name.quoted()),
        why,
    )
}

/// Replaces a relation of another kind by the spec's: the drop and the creation are
/// all destructive (the creation cannot run while the other relation exists).
pub(crate) fn replace_relation(relation: &Relation, live_kind: RelationKind) -> Option<Fix> {
    let create = create_relation(relation)?;
    let why = format!(
        "replaces the {} by the {} of the specs",
        live_kind.describe(),
        relation.kind.describe()
    );
    let mut statements = drop_relation(&relation.name, live_kind).statements;
    statements.extend(create.statements);
    for statement in &mut statements {
        statement.destructive = Some(why.clone());
    }
    Some(Fix { statements })
}

/// Gives a view the spec's body: `CREATE OR REPLACE VIEW`; a materialized view is
/// dropped and created again with its indexes, privileges and comments (its rows are
/// computed again; views that depend on it must be dropped first, by hand).
pub(crate) fn replace_view(relation: &Relation) -> Option<Fix> {
    let view = relation.view.as_ref()?;
    match relation.kind {
        RelationKind::View => Some(Fix::one(
            FixStep::View,
            view_sql(relation, view.query.text(), true)?,
        )),
        RelationKind::MaterializedView => {
            let mut fix = Builder::default();
            fix.push(
                FixStep::View,
                format!("DROP MATERIALIZED VIEW {}", relation.name.quoted()),
            );
            fix.extend(create_relation(relation));
            fix.build()
        }
        _ => None,
    }
}
