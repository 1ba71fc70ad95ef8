//! `missing-relation`, `unexpected-relation`: relations on one side only.

use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-relation`.
pub static MISSING_RELATION: Rule = Rule {
    id: "missing-relation",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A table, view or materialized view of the specs is missing from the database",
    object_kind: ObjectKind::Relation,
    needs_live: true,
    docs: "\
## What it does
Reports a relation that the specs define but the database (or snapshot) does not have, in
the schemas in scope. Also reports a relation that exists under the same name as another
kind (a table where the specs define a view); its members are then not compared. A
relation that a spec statement which failed to parse may define or alter is not compared
at all: one info finding says so.

## Why it matters
Code written against the specs fails at run time: a migration was not applied, or applied
to another schema.

## Example
The specs create `revenue_ledger`, the database has no such table. Fix: apply the missing
migration, or remove the table from the specs if it was dropped on purpose.",
};
register_rule!(MISSING_RELATION);

/// `unexpected-relation`.
pub static UNEXPECTED_RELATION: Rule = Rule {
    id: "unexpected-relation",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has a table, view or materialized view the specs do not define",
    object_kind: ObjectKind::Relation,
    needs_live: true,
    docs: "\
## What it does
Reports a relation in a schema in scope that exists in the database but not in the specs.

## Why it matters
Nothing breaks at once, hence a warning by default: but a relation nobody declared is
either a leftover (dead data, grants nobody reviews) or a hand-made change that the next
environment built from the specs will lack.

## Example
`public.revenue_ledger_backup_2024` exists only in production. Fix: drop it, or add it to
the specs if it is meant to stay.",
};
register_rule!(UNEXPECTED_RELATION);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        let finding = match change {
            Change::RelationMissing { kind, .. } => Finding::new(
                &MISSING_RELATION,
                ObjectPath::relation(relation),
                format!(
                    "{} {relation} is defined in the specs but missing from the database",
                    kind.describe()
                ),
            )
            .expected_actual(kind.describe(), ABSENT)
            .at(relation_location)
            .hint("apply its CREATE statement to the database, or remove it from the specs")
            .fix(spec_relation.and_then(fix::create_relation)),
            Change::RelationUnexpected { kind, .. } => Finding::new(
                &UNEXPECTED_RELATION,
                ObjectPath::relation(relation),
                format!(
                    "{} {relation} exists in the database but not in the specs",
                    kind.describe()
                ),
            )
            .expected_actual(ABSENT, kind.describe())
            .hint("add it to the specs, or drop it from the database")
            .fix(Some(fix::drop_relation(relation, *kind))),
            Change::RelationKindChanged {
                expected, actual, ..
            } => Finding::new(
                &MISSING_RELATION,
                ObjectPath::relation(relation),
                format!(
                    "{relation} is a {} in the database, but the specs define a {}",
                    actual.describe(),
                    expected.describe()
                ),
            )
            .expected_actual(expected.describe(), actual.describe())
            .at(relation_location)
            .fix(spec_relation.and_then(|wanted| fix::replace_relation(wanted, *actual))),
            _ => continue,
        };
        findings.push(finding);
    }
}

crate::checks::finder!(super::DRIFT_FINDERS, find_not_compared);

/// Relations a spec statement that did not parse may define or alter are not compared:
/// one info finding each says so.
fn find_not_compared(drift: &Drift, findings: &mut Vec<Finding>) {
    for (relation, location) in drift.not_compared {
        findings.push(
            Finding::new(
                &MISSING_RELATION,
                ObjectPath::relation(relation),
                format!(
                    "{relation} was not compared with the database: the spec statement at \
                     {location}, which did not parse, may define or alter it"
                ),
            )
            .severity(Severity::Info)
            .at(Some(location))
            .hint(format!(
                "fix the statement (see {}) so the comparison is complete",
                crate::checks::spec::spec_parse_error::SPEC_PARSE_ERROR.id
            )),
        );
    }
}
