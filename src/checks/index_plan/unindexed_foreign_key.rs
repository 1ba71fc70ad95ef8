//! `unindexed-foreign-key`: a foreign key with no index starting with its columns.

use crate::checks::index_plan::{covering_indexes, IndexPlan};
use crate::checks::Side;
use crate::finding::{Finding, ObjectPath};
use crate::model::{ConstraintKind, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

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
leading columns (in any order) and no predicate other than `c IS NOT NULL` on them, in the
specs and (with a live database or snapshot) in the database.

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
    let Some(judged) = plan.judged else {
        return;
    };
    for relation in judged.catalog.relations.values() {
        check_foreign_keys(relation, judged.side, findings);
    }
}

fn check_foreign_keys(relation: &Relation, side: Side, findings: &mut Vec<Finding>) {
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
        if covering_indexes(relation, columns).is_empty() {
            findings.push(
                Finding::new(
                    &UNINDEXED_FOREIGN_KEY,
                    ObjectPath::member(&relation.name, &constraint.name),
                    format!(
                        "foreign key {} ({}) to {references}{} has no index starting with its columns",
                        constraint.name,
                        columns.join(", "),
                        side.suffix()
                    ),
                )
                .at(constraint.location.as_ref().or(relation.location.as_ref()))
                .hint(format!("CREATE INDEX ON {} ({})", relation.name, columns.join(", "))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::index_plan::serves_every_reference;
    use crate::model::Canonical;
    use std::collections::BTreeSet;

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
            Some(&Canonical::Undecided(Box::new(
                crate::model::Undecided::TooComplex {
                    what: "expression",
                    reason: "too large".into(),
                }
            ))),
            &columns
        ));
    }
}
