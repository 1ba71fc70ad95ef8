//! Index drift: `missing-index`, `unexpected-index`, `index-definition-drift`.

use crate::checks::drift::{definition_finding, index_path, member_location};
use crate::checks::drift::{Drift, ABSENT};
use crate::diff::Change;
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-index`.
pub static MISSING_INDEX: Rule = Rule {
    id: "missing-index",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An index of the specs is missing from the database",
    object_kind: ObjectKind::Index,
    needs_live: true,
    docs: "\
## What it does
Reports an index that the specs define but the database lacks. Indexes that back a primary
key, unique or exclusion constraint are compared as constraints (`missing-constraint`), not
twice.

## Why it matters
The query paths that the index serves fall back to sequential scans; a missing unique
index no longer enforces uniqueness.

## Example
`CREATE INDEX idx_revenue_ledger_tenant_updated_at ON revenue_ledger (tenant_id, updated_at DESC)`
is in the specs only. Fix: create it (`CREATE INDEX CONCURRENTLY` on a busy table).",
};
register_rule!(MISSING_INDEX);

/// `unexpected-index`.
pub static UNEXPECTED_INDEX: Rule = Rule {
    id: "unexpected-index",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has an index the specs do not define",
    object_kind: ObjectKind::Index,
    needs_live: true,
    docs: "\
## What it does
Reports an index on a relation in scope that the specs do not define (constraint-backed
indexes are compared as constraints).

## Why it matters
A hand-made index costs every write, is justified by no query path, and is missing from
every environment built from the specs — including the one whose plans you test.

## Example
`idx_tmp_debug` was created by hand during an incident. Fix: drop it, or add it to the
specs and the index plan.",
};
register_rule!(UNEXPECTED_INDEX);

/// `index-definition-drift`.
pub static INDEX_DEFINITION_DRIFT: Rule = Rule {
    id: "index-definition-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An index exists on both sides with a different definition",
    object_kind: ObjectKind::Index,
    needs_live: true,
    docs: "\
## What it does
Compares uniqueness, access method, keys (columns or normalized expressions, direction,
nulls order, operator class, collation), `INCLUDE` columns, the normalized partial-index
predicate and `NULLS NOT DISTINCT`. A difference that normalization cannot decide is info.
A key's operator class or collation written in the specs matches the database's when it is
the one the database uses by default (`text_ops`; the column's own collation); a
snapshot taken before pgparity read collations is not compared on them.

## Why it matters
An index of the right name but the wrong columns or predicate does not serve the query it
was planned for, or enforces another uniqueness rule.

## Example
The spec has `… WHERE state = 'running'`, the database `WHERE state IN ('running', 'failed')`.
Fix: recreate the index from the spec.",
};
register_rule!(INDEX_DEFINITION_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let finding = match change {
            Change::IndexMissing { index, .. } => Finding::new(
                &MISSING_INDEX,
                index_path(relation, index),
                format!("index {index} on {relation} is missing from the database"),
            )
            .expected_actual("index", ABSENT)
            .at(member_location(spec_relation, |found| {
                found.indexes.get(index).and_then(|it| it.location.as_ref())
            })),
            Change::IndexUnexpected { index, .. } => Finding::new(
                &UNEXPECTED_INDEX,
                index_path(relation, index),
                format!("index {index} on {relation} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "index"),
            Change::IndexChanged {
                index, difference, ..
            } => definition_finding(
                &INDEX_DEFINITION_DRIFT,
                index_path(relation, index),
                &format!("index {index} on {relation}"),
                difference,
            )
            .at(member_location(spec_relation, |found| {
                found.indexes.get(index).and_then(|it| it.location.as_ref())
            })),
            _ => continue,
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn missing_unexpected_and_changed_indexes_against_a_real_database() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid, posted_at timestamptz);
             CREATE INDEX idx_ledger_tenant ON ledger (tenant_id, posted_at DESC);
             CREATE INDEX idx_ledger_posted ON ledger (posted_at);",
        )
        .live(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid, posted_at timestamptz);
             CREATE INDEX idx_ledger_tenant ON ledger (tenant_id, posted_at);
             CREATE INDEX idx_ledger_extra ON ledger (tenant_id);",
        )
        .findings_of_all(&[&MISSING_INDEX, &UNEXPECTED_INDEX, &INDEX_DEFINITION_DRIFT]);
        insta::assert_snapshot!(render(&findings));
    }

    const COLLATED: &str =
        "CREATE TABLE accounts (id int PRIMARY KEY, email text, name text COLLATE \"C\");
        CREATE INDEX accounts_email ON accounts (email COLLATE \"C\" text_pattern_ops);
        CREATE INDEX accounts_lower ON accounts (lower(email) COLLATE \"POSIX\");
        CREATE INDEX accounts_name ON accounts (name COLLATE \"C\" text_ops);";

    #[test]
    fn key_collations_and_operator_classes_are_compared() {
        let findings = Scenario::specs(COLLATED)
            .live(
                "CREATE TABLE accounts (id int PRIMARY KEY, email text, name text COLLATE \"C\");
                 CREATE INDEX accounts_email ON accounts (email text_pattern_ops);
                 CREATE INDEX accounts_lower ON accounts (lower(email));
                 CREATE INDEX accounts_name ON accounts (name COLLATE \"POSIX\" varchar_ops);",
            )
            .findings_of(&INDEX_DEFINITION_DRIFT);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn defaults_named_in_the_specs_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(COLLATED)
            .live(COLLATED)
            .findings_of(&INDEX_DEFINITION_DRIFT);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
