//! Constraints: keys on unique indexes built first, foreign keys and checks `NOT VALID`
//! then validated, a changed one dropped and added in one statement.

use super::*;

pub(super) fn action(action: ForeignKeyAction) -> Option<&'static str> {
    match action {
        ForeignKeyAction::NoAction => None,
        ForeignKeyAction::Restrict => Some("RESTRICT"),
        ForeignKeyAction::Cascade => Some("CASCADE"),
        ForeignKeyAction::SetNull => Some("SET NULL"),
        ForeignKeyAction::SetDefault => Some("SET DEFAULT"),
    }
}

/// A constraint's definition after its name: `PRIMARY KEY (…)`, `UNIQUE (…)`,
/// `FOREIGN KEY (…) REFERENCES …`, `CHECK (…)`, `EXCLUDE …`, with its deferral (which an
/// exclusion constraint's definition, kept as written, already holds).
pub(super) fn constraint_definition(constraint: &Constraint) -> String {
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
                text.push_str(&format!(" ({})", column_list(referenced_columns)));
            }
            if let Some(action) = action(*on_delete) {
                text.push_str(&format!(" ON DELETE {action}"));
            }
            if let Some(action) = action(*on_update) {
                text.push_str(&format!(" ON UPDATE {action}"));
            }
            text
        }
        ConstraintKind::Check { expression } => {
            format!(
                "CHECK ({})",
                crate::sql::check_expression(expression.text())
            )
        }
        ConstraintKind::Exclusion { definition } => {
            let definition = definition.trim();
            let body = definition
                .get(..8)
                .filter(|head| head.eq_ignore_ascii_case("exclude "))
                .map_or(definition, |_| definition[8..].trim_start());
            return format!("EXCLUDE {body}");
        }
    };
    if constraint.initially_deferred {
        text.push_str(" DEFERRABLE INITIALLY DEFERRED");
    } else if constraint.deferrable {
        text.push_str(" DEFERRABLE");
    }
    text
}

/// The unique index a primary key or unique constraint is added on.
pub(super) fn key_index(relation: &Relation, constraint: &Constraint, columns: &[String]) -> Index {
    Index {
        name: constraint.name.clone(),
        unique: true,
        method: "btree".into(),
        keys: columns
            .iter()
            .map(|column| IndexKey::new(IndexTarget::Column(column.clone())))
            .collect(),
        include: relation
            .indexes
            .get(&constraint.name)
            .map(|index| index.include.clone())
            .unwrap_or_default(),
        predicate: None,
        nulls_not_distinct: matches!(
            constraint.kind,
            ConstraintKind::Unique {
                nulls_not_distinct: true,
                ..
            }
        ),
        only: false,
        constraint: None,
        comment: None,
        location: None,
    }
}

/// The statements that give an existing table the spec's constraint, dropping the
/// constraint of the same name first when `replacing`: a key on a unique index built
/// concurrently (under a temporary name while the old key's index holds the name, the
/// drop and the add in one statement), a foreign key or check `NOT VALID` then
/// validated, an exclusion constraint directly; with its comment.
pub(super) fn constraint_statements(
    relation: &Relation,
    constraint: &Constraint,
    replacing: bool,
) -> Fix {
    let mut fix = Builder::default();
    let name = quote_identifier(&constraint.name);
    let drop = format!("DROP CONSTRAINT {name}, ");
    let table = format!(
        "{} {}",
        alter_table(&relation.name),
        if replacing { drop.as_str() } else { "" }
    );
    let deferral = if constraint.initially_deferred {
        " DEFERRABLE INITIALLY DEFERRED"
    } else if constraint.deferrable {
        " DEFERRABLE"
    } else {
        ""
    };
    let key = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns } => Some(("PRIMARY KEY", columns)),
        ConstraintKind::Unique { columns, .. } => Some(("UNIQUE", columns)),
        _ => None,
    };
    let partitioned = relation.kind == RelationKind::PartitionedTable;
    let step = match constraint.kind {
        ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. } => FixStep::Reference,
        _ => FixStep::Key,
    };
    match key {
        Some((keyword, columns)) if !partitioned => {
            let index = if replacing {
                temporary_name(&constraint.name)
            } else {
                constraint.name.clone()
            };
            fix.push(
                FixStep::Index,
                create_index_as(relation, &key_index(relation, constraint, columns), &index),
            );
            fix.push(
                FixStep::Key,
                format!(
                    "{table}ADD CONSTRAINT {name} {keyword} USING INDEX {}{deferral}",
                    quote_identifier(&index)
                ),
            );
        }
        None if step == FixStep::Reference && !partitioned => {
            fix.push(
                step,
                format!(
                    "{table}ADD CONSTRAINT {name} {} NOT VALID",
                    constraint_definition(constraint)
                ),
            );
            fix.push(
                FixStep::Validate,
                format!("{} VALIDATE CONSTRAINT {name}", alter_table(&relation.name)),
            );
        }
        _ => fix.push(
            step,
            format!(
                "{table}ADD CONSTRAINT {name} {}",
                constraint_definition(constraint)
            ),
        ),
    }
    if let Some(comment) = &constraint.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(
                    relation,
                    &CommentTarget::Constraint(constraint.name.clone()),
                ),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
    }
}

/// Adds the spec's constraint to an existing table.
pub(crate) fn add_constraint(relation: &Relation, constraint: &Constraint) -> Option<Fix> {
    relation
        .kind
        .is_table()
        .then(|| constraint_statements(relation, constraint, false))
}

/// Drops a constraint the specs do not define: destructive.
pub(crate) fn drop_constraint(relation: &QualifiedName, constraint: &Constraint) -> Fix {
    let step = match constraint.kind {
        ConstraintKind::ForeignKey { .. } => FixStep::DropDependent,
        _ => FixStep::DropConstraint,
    };
    Fix::destructive(
        step,
        format!(
            "{} DROP CONSTRAINT {}",
            alter_table(relation),
            quote_identifier(&constraint.name)
        ),
        "drops the constraint: the database no longer enforces it",
    )
}

/// Replaces a constraint by the spec's definition, in one statement that drops the old
/// one and adds the new one (on a unique index built beforehand, for a key).
pub(crate) fn recreate_constraint(relation: &Relation, wanted: &Constraint) -> Option<Fix> {
    relation
        .kind
        .is_table()
        .then(|| constraint_statements(relation, wanted, true))
}
