//! `unindexed-foreign-key`: a foreign key with no index starting with its columns.

use crate::checks::index_plan::IndexPlan;
use crate::finding::{Finding, ObjectPath};
use crate::model::{Canonical, ConstraintKind, Expr, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use std::collections::BTreeSet;

/// `unindexed-foreign-key`.
pub static UNINDEXED_FOREIGN_KEY: Rule = Rule {
    id: "unindexed-foreign-key",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A foreign key has no index on its referencing columns",
    object_kind: ObjectKind::Constraint,
    needs_live: false,
    docs: "\
## What it does
Reports foreign keys for which no index on the referencing table has the key's columns as its
leading columns (in any order).

## Why it matters
Deleting or updating a referenced row scans the whole referencing table (and locks it), and
joins along the key cannot use an index.

## Example
```sql
allocation_id uuid REFERENCES attribution_allocations (id)
```
with no index starting with `allocation_id`. Fix: `CREATE INDEX … (allocation_id)`.",
};
register_rule!(UNINDEXED_FOREIGN_KEY);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    for relation in plan.specs.relations.values() {
        check_foreign_keys(relation, findings);
    }
}

fn check_foreign_keys(relation: &Relation, findings: &mut Vec<Finding>) {
    if !relation.kind.is_table() {
        return;
    }
    for constraint in relation.constraints.values() {
        let ConstraintKind::ForeignKey {
            columns,
            references,
            ..
        } = &constraint.kind
        else {
            continue;
        };
        let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
        let covered = relation.indexes.values().any(|index| {
            let leading = index.leading_columns();
            serves_every_reference(index.predicate.as_ref().map(Expr::in_own_schema), &wanted)
                && leading.len() >= wanted.len()
                && leading[..wanted.len()]
                    .iter()
                    .copied()
                    .collect::<BTreeSet<_>>()
                    == wanted
        });
        if !covered {
            findings.push(
                Finding::new(
                    &UNINDEXED_FOREIGN_KEY,
                    ObjectPath::member(&relation.name, &constraint.name),
                    format!(
                        "foreign key {} ({}) to {references} has no index starting with its columns",
                        constraint.name,
                        columns.join(", ")
                    ),
                )
                .at(constraint.location.as_ref().or(relation.location.as_ref()))
                .hint(format!("CREATE INDEX ON {} ({})", relation.name, columns.join(", "))),
            );
        }
    }
}

/// Whether an index with this predicate (its canonical form) sees every row a
/// foreign-key lookup can find: no predicate, or only `c IS NOT NULL` on the key's own
/// columns, which the lookup's `c = $1` implies (PostgreSQL uses such a partial index
/// for it).
fn serves_every_reference(predicate: Option<&Canonical>, columns: &BTreeSet<&str>) -> bool {
    let Some(predicate) = predicate else {
        return true;
    };
    let Some(normalized) = predicate.form() else {
        return false;
    };
    normalized.split(" AND ").all(|term| {
        term.trim_matches(|c| c == '(' || c == ')')
            .strip_suffix(" IS NOT NULL")
            .is_some_and(|column| columns.contains(column))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partial_index_on_non_null_keys_serves_the_foreign_key() {
        let columns = BTreeSet::from(["a", "b"]);
        let serves =
            |form: &str| serves_every_reference(Some(&Canonical::Form(form.into())), &columns);
        assert!(serves_every_reference(None, &columns));
        assert!(serves("a IS NOT NULL"));
        assert!(serves("(a IS NOT NULL) AND (b IS NOT NULL)"));
        assert!(!serves("closed_at IS NULL"));
        assert!(!serves("(a IS NOT NULL) AND (c > 0)"));
        assert!(!serves("(a IS NOT NULL) OR (b IS NOT NULL)"));
        assert!(!serves_every_reference(
            Some(&Canonical::Undecided(crate::model::Undecided::TooComplex {
                what: "expression",
                reason: "too large".into(),
            })),
            &columns
        ));
    }
}
