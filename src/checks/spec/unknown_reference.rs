//! `unknown-reference`: a statement or definition naming what the specs do not define.

use crate::checks::spec::Specs;
use crate::finding::{Finding, ObjectPath};
use crate::model::SpecProblemKind;
use crate::model::{Catalog, ConstraintKind, IndexTarget, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use crate::suggest::closest;

/// `unknown-reference`.
pub static UNKNOWN_REFERENCE: Rule = Rule {
    id: "unknown-reference",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "An index, foreign key, policy or mapping names a relation or column the specs do not define",
    object_kind: ObjectKind::Declaration,
    needs_live: false,
    docs: "\
## What it does
Reports statements and mapping entries that name a relation or column the specs do not
define: an index on a missing column, a foreign key to a missing table, a policy, grant or
comment on an unknown table, a read model or entity whose relation is not in the specs.

## Why it matters
PostgreSQL would reject such a statement; in the mapping, a relation that does not exist
cannot serve a DTO. It is usually a typo or a rename that missed one place.

## Example
```sql
CREATE INDEX idx_ledger_posted ON revenue_ledger (postedat);
```
Name the column that exists (`posted_at`), or define the missing object.",
};
register_rule!(UNKNOWN_REFERENCE);
crate::checks::finder!(super::SPEC_FINDERS, find);

fn find(specs: &Specs, findings: &mut Vec<Finding>) {
    for problem in specs.problems {
        let SpecProblemKind::UnknownReference { object, missing } = &problem.kind else {
            continue;
        };
        findings.push(
            Finding::new(
                &UNKNOWN_REFERENCE,
                ObjectPath::other(object.clone()),
                format!("{object} refers to {missing}, which the specs do not define"),
            )
            .at(Some(&problem.location)),
        );
    }
    for relation in specs.catalog.relations.values() {
        check_relation_references(specs.catalog, relation, findings);
    }
}

fn check_relation_references(catalog: &Catalog, relation: &Relation, findings: &mut Vec<Finding>) {
    let has_column = |name: &str| relation.column(name).is_some();
    for index in relation.indexes.values() {
        let named_columns = index
            .keys
            .iter()
            .filter_map(|key| match &key.target {
                IndexTarget::Column(column) => Some(column),
                IndexTarget::Expression(_) => None,
            })
            .chain(&index.include);
        for column in named_columns {
            if !has_column(column) {
                findings.push(
                    Finding::new(
                        &UNKNOWN_REFERENCE,
                        ObjectPath::relation(&QualifiedName::new(
                            relation.name.schema.clone(),
                            index.name.clone(),
                        ))
                        .of_kind(ObjectKind::Index),
                        format!(
                            "index {} names column {column}, which {} does not have",
                            index.name, relation.name
                        ),
                    )
                    .at(index.location.as_ref())
                    .did_you_mean(column, column_names(relation)),
                );
            }
        }
    }
    for constraint in relation.constraints.values() {
        let mut missing = Vec::new();
        let own_columns: &[String] = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns }
            | ConstraintKind::Unique { columns, .. }
            | ConstraintKind::ForeignKey { columns, .. } => columns,
            ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. } => &[],
        };
        // Each missing name with the name it may have meant.
        missing.extend(
            own_columns
                .iter()
                .filter(|column| !has_column(column))
                .map(|column| {
                    (
                        format!("column {}", relation.name.child(column)),
                        closest(column, column_names(relation)).map(str::to_string),
                    )
                }),
        );
        if let ConstraintKind::ForeignKey {
            references,
            referenced_columns,
            ..
        } = &constraint.kind
        {
            match catalog.relations.get(references) {
                None => {
                    let names: Vec<String> =
                        catalog.relations.keys().map(ToString::to_string).collect();
                    missing.push((
                        format!("relation {references}"),
                        closest(&references.to_string(), names.iter().map(String::as_str))
                            .map(str::to_string),
                    ));
                }
                Some(target) => missing.extend(
                    referenced_columns
                        .iter()
                        .filter(|column| target.column(column).is_none())
                        .map(|column| {
                            (
                                format!("column {}", references.child(column)),
                                closest(column, column_names(target)).map(str::to_string),
                            )
                        }),
                ),
            }
        }
        if missing.is_empty() {
            continue;
        }
        let object =
            ObjectPath::member(&relation.name, &constraint.name).of_kind(ObjectKind::Constraint);
        for (what, near) in missing {
            let finding = Finding::new(
                &UNKNOWN_REFERENCE,
                object.clone(),
                format!(
                    "constraint {} refers to {what}, which the specs do not define",
                    constraint.name
                ),
            )
            .at(constraint.location.as_ref().or(relation.location.as_ref()));
            findings.push(match near {
                Some(near) => finding.hint(format!("did you mean {near}?")),
                None => finding,
            });
        }
    }
}

/// The column names of `relation`, for "did you mean".
fn column_names(relation: &Relation) -> impl Iterator<Item = &str> {
    relation.columns.iter().map(|column| column.name.as_str())
}
