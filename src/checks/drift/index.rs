//! Index drift: `missing-index`, `unexpected-index`, `index-definition-drift`.

use crate::checks::drift::{definition_finding, index_path, member_location};
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::Finding;
use crate::model::ddl::index_definition;
use crate::model::QualifiedName;
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
is in the specs only. The finding's fix creates it `CONCURRENTLY` (writes go on while it
builds; not on a partitioned table, which does not allow it).",
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
`idx_tmp_debug` was created by hand during an incident. Fix: drop it (the finding's `DROP
INDEX CONCURRENTLY`, commented out by `--fix-sql`), or add it to the specs and the index plan.",
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
predicate and `NULLS NOT DISTINCT`. A difference that normalization cannot decide is info;
with `--probe` (and `--db` or `--snapshot`) an undecided predicate is settled by evaluating
both on the same rows in the scratch database: the same answer on every row drops the info,
a row inside one and outside the other is an error with that row.
A key's operator class or collation written in the specs matches the database's when it is
the one the database uses by default (`text_ops`; the column's own collation); a
snapshot taken before pgparity read collations is not compared on them.

## Why it matters
An index of the right name but the wrong columns or predicate does not serve the query it
was planned for, or enforces another uniqueness rule.

## Example
The spec has `… WHERE state = 'running'`, the database `WHERE state IN ('running', 'failed')`.
The finding's fix builds the spec's index `CONCURRENTLY` under a temporary name, drops the
old one and renames the new one, so the table is never without it.",
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
            }))
            .fix(
                spec_relation
                    .and_then(|table| Some(fix::create_index(table, table.indexes.get(index)?))),
            ),
            Change::IndexUnexpected { index, .. } => Finding::new(
                &UNEXPECTED_INDEX,
                index_path(relation, index),
                format!("index {index} on {relation} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, live_index_definition(drift, relation, index))
            .fix(
                drift
                    .live
                    .relations
                    .get(relation)
                    .and_then(|table| Some(fix::drop_index(table, table.indexes.get(index)?))),
            ),
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
            }))
            .fix(
                drift
                    .both(relation)
                    .filter(|_| difference.comparison.is_decided())
                    .and_then(|(table, live_table)| {
                        Some(fix::recreate_index(
                            table,
                            table.indexes.get(index)?,
                            live_table.indexes.get(index)?,
                        ))
                    }),
            ),
            _ => continue,
        };
        findings.push(finding);
    }
}

/// The live index as `CREATE INDEX …`, so that the finding shows what it is.
fn live_index_definition(drift: &Drift, relation: &QualifiedName, index: &str) -> String {
    drift
        .live
        .relations
        .get(relation)
        .and_then(|found| found.indexes.get(index))
        .map_or_else(
            || "index".to_string(),
            |found| index_definition(relation, found),
        )
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

    const FIX_TABLE: &str = "CREATE TABLE \"Ledger\" (
        id uuid PRIMARY KEY, tenant_id uuid, posted_at timestamptz, email text, code text,
        payload jsonb, state text, \"user\" text, note text
    );";

    /// Every shape of index key and option, missing or changed on the live side.
    fn fix_spec() -> String {
        format!(
            "{FIX_TABLE}
            CREATE INDEX idx_ledger_tenant ON \"Ledger\" (tenant_id, posted_at DESC NULLS LAST);
            CREATE UNIQUE INDEX uq_ledger_code ON \"Ledger\" (code) NULLS NOT DISTINCT;
            CREATE INDEX idx_ledger_email ON \"Ledger\" (lower(email) text_pattern_ops)
                WHERE state <> 'done';
            CREATE INDEX idx_ledger_payload ON \"Ledger\" USING gin (payload jsonb_path_ops);
            CREATE INDEX idx_ledger_user ON \"Ledger\" (\"user\" NULLS FIRST)
                INCLUDE (note);
            COMMENT ON INDEX idx_ledger_user IS 'by user';"
        )
    }

    fn fix_live() -> String {
        format!(
            "{FIX_TABLE}
            CREATE INDEX idx_ledger_tenant ON \"Ledger\" (tenant_id, posted_at);
            CREATE INDEX idx_ledger_email ON \"Ledger\" (lower(email));
            CREATE INDEX idx_ledger_user ON \"Ledger\" (\"user\");
            COMMENT ON INDEX idx_ledger_user IS 'by user';
            CREATE INDEX idx_ledger_extra ON \"Ledger\" (state);"
        )
    }

    #[test]
    fn the_fix_script_builds_missing_and_changed_indexes_concurrently() {
        let fixed = Scenario::specs(&fix_spec()).live(&fix_live()).fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&["unexpected-index public.idx_ledger_extra"]);
    }

    #[test]
    fn with_its_destructive_statements_run_the_fix_script_leaves_no_index_drift() {
        Scenario::specs(&fix_spec())
            .live(&fix_live())
            .fixed(true)
            .assert_left(&[]);
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
