//! Definitions as SQL, for findings that show an object one side has and the other lacks
//! (`unexpected-index`, `unexpected-constraint`): what PostgreSQL's `pg_get_indexdef` and
//! `pg_get_constraintdef` print, built from the model.

use super::{
    quote_identifier, Constraint, ConstraintKind, ForeignKeyAction, Index, IndexTarget,
    QualifiedName,
};

fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|column| quote_identifier(column))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (keys) [INCLUDE (…)]
/// [NULLS NOT DISTINCT] [WHERE …]`, as `pg_get_indexdef` prints it.
pub fn index_definition(table: &QualifiedName, index: &Index) -> String {
    let keys: Vec<String> = index
        .keys
        .iter()
        .map(|key| {
            let mut text = match &key.target {
                IndexTarget::Column(column) => quote_identifier(column),
                IndexTarget::Expression(expression) => format!("({})", expression.text()),
            };
            if let Some(collation) = &key.collation {
                text.push_str(&format!(" COLLATE {collation}"));
            }
            if let Some(opclass) = &key.opclass {
                text.push_str(&format!(" {opclass}"));
            }
            if key.descending {
                text.push_str(" DESC");
            }
            if key.nulls_first_effective() != key.descending {
                text.push_str(if key.nulls_first_effective() {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            text
        })
        .collect();
    let mut text = format!(
        "CREATE {}INDEX {} ON {}{} USING {} ({})",
        if index.unique { "UNIQUE " } else { "" },
        quote_identifier(&index.name),
        if index.only { "ONLY " } else { "" },
        table.quoted(),
        index.method,
        keys.join(", ")
    );
    if !index.include.is_empty() {
        text.push_str(&format!(" INCLUDE ({})", column_list(&index.include)));
    }
    if index.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        text.push_str(&format!(" WHERE ({})", predicate.text()));
    }
    text
}

/// The constraint's clause as `pg_get_constraintdef` prints it: `PRIMARY KEY (id)`,
/// `UNIQUE (a, b)`, `FOREIGN KEY (a) REFERENCES s.t(id) ON DELETE CASCADE`,
/// `CHECK (…)`, `EXCLUDE …`, with `DEFERRABLE` when it is.
pub fn constraint_definition(constraint: &Constraint) -> String {
    let mut text = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", column_list(columns)),
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
        } => format!(
            "UNIQUE {}({})",
            if *nulls_not_distinct {
                "NULLS NOT DISTINCT "
            } else {
                ""
            },
            column_list(columns)
        ),
        ConstraintKind::ForeignKey {
            columns,
            references,
            referenced_columns,
            on_delete,
            on_update,
        } => {
            let mut text = format!(
                "FOREIGN KEY ({}) REFERENCES {}",
                column_list(columns),
                references.quoted()
            );
            if !referenced_columns.is_empty() {
                text.push_str(&format!("({})", column_list(referenced_columns)));
            }
            for (event, action) in [("UPDATE", on_update), ("DELETE", on_delete)] {
                if let Some(action) = action_sql(*action) {
                    text.push_str(&format!(" ON {event} {action}"));
                }
            }
            text
        }
        ConstraintKind::Check { expression } => format!("CHECK ({})", expression.text()),
        ConstraintKind::Exclusion { definition } => format!("EXCLUDE {definition}"),
    };
    if constraint.deferrable {
        text.push_str(" DEFERRABLE");
    }
    text
}

fn action_sql(action: ForeignKeyAction) -> Option<&'static str> {
    match action {
        ForeignKeyAction::NoAction => None,
        ForeignKeyAction::Restrict => Some("RESTRICT"),
        ForeignKeyAction::Cascade => Some("CASCADE"),
        ForeignKeyAction::SetNull => Some("SET NULL"),
        ForeignKeyAction::SetDefault => Some("SET DEFAULT"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::spec::load_spec_text;

    #[test]
    fn definitions_read_as_the_server_prints_them() {
        let specs = load_spec_text(
            "s.sql",
            "CREATE TABLE p (id integer PRIMARY KEY);
             CREATE TABLE \"Orders\" (id integer, p_id integer REFERENCES p (id) ON DELETE CASCADE,
                 amount numeric CHECK (amount > 0), UNIQUE (id, p_id));
             CREATE UNIQUE INDEX idx_orders ON \"Orders\" (p_id DESC, lower(amount::text)) INCLUDE (id)
                 WHERE amount IS NOT NULL;",
            "public",
        );
        let orders = specs
            .catalog
            .relations
            .get(&QualifiedName::new("public", "Orders"))
            .expect("the table");
        assert_eq!(
            index_definition(&orders.name, &orders.indexes["idx_orders"]),
            "CREATE UNIQUE INDEX idx_orders ON public.\"Orders\" USING btree (p_id DESC, \
             (lower(amount::TEXT))) INCLUDE (id) WHERE (amount IS NOT NULL)"
        );
        let mut clauses: Vec<String> = orders
            .constraints
            .values()
            .map(|constraint| constraint_definition(constraint))
            .collect();
        clauses.sort();
        assert_eq!(
            clauses,
            [
                "CHECK (amount > 0)",
                "FOREIGN KEY (p_id) REFERENCES public.p(id) ON DELETE CASCADE",
                "UNIQUE (id, p_id)",
            ]
        );
    }
}
