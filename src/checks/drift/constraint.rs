//! Constraint drift: `missing-constraint`, `unexpected-constraint`, `constraint-drift`.

use crate::checks::drift::definition_finding;
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::model::ddl::constraint_definition;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-constraint`.
pub static MISSING_CONSTRAINT: Rule = Rule {
    id: "missing-constraint",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A constraint of the specs is missing from the database",
    object_kind: ObjectKind::Constraint,
    needs_live: true,
    docs: "\
## What it does
Reports a primary key, unique, foreign key, check or exclusion constraint that the specs
define (by name, including the names PostgreSQL generates for unnamed ones) and the
database lacks.

## Why it matters
The data is no longer guaranteed to be what the specs, and the code relying on them,
assume: duplicates, orphans or out-of-range values can appear.

## Example
`ck_revenue_ledger_revenue_positive CHECK (revenue_cents > 0)` is missing. The finding's
fix adds it `NOT VALID`, then `VALIDATE CONSTRAINT` (a weaker lock than checking the rows
while adding); a primary key or unique constraint is added `USING INDEX` on a unique index
built `CONCURRENTLY` first.",
};
register_rule!(MISSING_CONSTRAINT);

/// `unexpected-constraint`.
pub static UNEXPECTED_CONSTRAINT: Rule = Rule {
    id: "unexpected-constraint",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a constraint the specs do not define",
    object_kind: ObjectKind::Constraint,
    needs_live: true,
    docs: "\
## What it does
Reports a constraint of a database relation that the specs do not define.

## Why it matters
An undeclared constraint rejects writes that the specs allow, and environments built from
the specs do not have it.

## Example
A hand-added `CHECK (revenue_cents < 1000000)`. Fix: add it to the spec, or drop it (the
finding's `DROP CONSTRAINT`, which `--fix-sql` writes commented out).",
};
register_rule!(UNEXPECTED_CONSTRAINT);

/// `constraint-drift`.
pub static CONSTRAINT_DRIFT: Rule = Rule {
    id: "constraint-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A constraint exists on both sides with a different definition",
    object_kind: ObjectKind::Constraint,
    needs_live: true,
    docs: "\
## What it does
Compares kind, columns, referenced table and columns, `ON DELETE`/`ON UPDATE` actions,
`NULLS NOT DISTINCT`, deferrability and CHECK expressions. CHECK expressions are
normalized on both sides, so `state IN ('a', 'b')` equals the server's
`state = ANY (ARRAY['a'::text, 'b'::text])`; a difference that cannot be decided (and
exclusion constraints that differ in text) is info. With `--probe` (and `--db` or
`--snapshot`), an undecided CHECK is settled in the scratch database (never in `--db`): both
definitions are evaluated on the same rows (NULLs, synthesized values, the literals of both
and their neighbours, extremes of the column types). The same behaviour on every row drops
the info; a row one accepts and the other refuses is this error, with that row:
`logged_at = '2020-01-01' is accepted by the spec's CHECK and refused by the live one`. A
definition the scratch database cannot evaluate stays info, saying why.

## Why it matters
The same name with another rule: a foreign key that cascades where the specs restrict, a
check that admits values the contracts do not.

## Example
The spec has `ON DELETE SET NULL`, the database `ON DELETE CASCADE`: deleting an allocation
deletes revenue. The finding's fix drops and adds the constraint as the spec writes it, in
one `ALTER TABLE` (`NOT VALID`, then validated).",
};
register_rule!(CONSTRAINT_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let finding = match change {
            Change::ConstraintMissing { constraint, .. } => {
                let kind = spec_relation
                    .and_then(|found| found.constraints.get(constraint))
                    .map_or("constraint", |found| found.kind.describe());
                Finding::new(
                    &MISSING_CONSTRAINT,
                    ObjectPath::member(relation, constraint),
                    format!(
                        "{kind} constraint {constraint} of {relation} is missing from the database"
                    ),
                )
                .expected_actual(kind, ABSENT)
                .at(drift.constraint_location(spec_relation, constraint))
                .fix(spec_relation.and_then(|table| {
                    fix::add_constraint(table, table.constraints.get(constraint)?)
                }))
            }
            Change::ConstraintUnexpected { constraint, .. } => {
                let live = drift
                    .live
                    .relations
                    .get(relation)
                    .and_then(|found| found.constraints.get(constraint))
                    .map(Box::as_ref);
                let kind = live.map_or("constraint", |found| found.kind.describe());
                Finding::new(
                    &UNEXPECTED_CONSTRAINT,
                    ObjectPath::member(relation, constraint),
                    format!("{kind} constraint {constraint} of {relation} exists in the database but not in the specs"),
                )
                .expected_actual(ABSENT, live.map_or_else(|| kind.to_string(), constraint_definition))
                .fix(drift.live.relations.get(relation).and_then(|table| Some(fix::drop_constraint(relation, table.constraints.get(constraint)?))))
            }
            Change::ConstraintChanged {
                constraint,
                difference,
                ..
            } => definition_finding(
                &CONSTRAINT_DRIFT,
                ObjectPath::member(relation, constraint),
                &format!("constraint {constraint} of {relation}"),
                difference,
            )
            .at(drift.constraint_location(spec_relation, constraint))
            .fix(
                spec_relation
                    .filter(|_| difference.comparison.is_decided())
                    .and_then(|table| {
                        fix::recreate_constraint(table, table.constraints.get(constraint)?)
                    }),
            ),
            _ => continue,
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::CONSTRAINT_DRIFT;
    use crate::checks::testing::{render, Scenario};

    const FIX_SPEC: &str = "
        CREATE TABLE parent (
            id integer CONSTRAINT parent_pkey PRIMARY KEY,
            code text CONSTRAINT uq_parent_code UNIQUE NULLS NOT DISTINCT DEFERRABLE
        );
        CREATE TABLE child (
            id integer CONSTRAINT child_pkey PRIMARY KEY,
            parent_id integer CONSTRAINT fk_child_parent REFERENCES parent (id)
                ON DELETE CASCADE INITIALLY DEFERRED,
            qty integer CONSTRAINT ck_child_qty CHECK (qty > 0),
            during tsrange,
            kind text,
            CONSTRAINT ck_child_kind CHECK (kind IN ('a', 'b')),
            CONSTRAINT ex_child_during EXCLUDE USING gist (during WITH &&),
            CONSTRAINT uq_child_pair UNIQUE (parent_id, kind)
        );
        COMMENT ON CONSTRAINT ck_child_qty ON child IS 'positive';";

    /// Keys, foreign keys, checks and an exclusion constraint missing or defined
    /// differently, and a check the specs do not define.
    const FIX_LIVE: &str = "
        CREATE TABLE parent (id integer CONSTRAINT parent_pkey PRIMARY KEY, code text);
        CREATE TABLE child (
            id integer,
            parent_id integer CONSTRAINT fk_child_parent REFERENCES parent (id),
            qty integer CONSTRAINT ck_child_qty CHECK (qty >= 0),
            during tsrange,
            kind text,
            CONSTRAINT uq_child_pair UNIQUE (parent_id),
            CONSTRAINT ck_child_extra CHECK (qty < 100)
        );
        COMMENT ON CONSTRAINT ck_child_qty ON child IS 'positive';
        INSERT INTO parent VALUES (1, 'x');
        INSERT INTO child VALUES (1, 1, 5, '[2026-01-01, 2026-02-01)', 'a');";

    #[test]
    fn the_fix_script_adds_and_replaces_constraints_and_validates_them() {
        let fixed = Scenario::specs(FIX_SPEC).live(FIX_LIVE).fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&["unexpected-constraint public.child.ck_child_extra"]);
    }

    /// A timestamptz literal without a UTC offset: normalization cannot compare the
    /// spec's `'2020-01-01'` with the server's `'2020-01-01 00:00:00+00'::timestamp with
    /// time zone`, so without `--probe` both comparisons are undecided (info).
    const SETTLE_SPEC: &str = "
        CREATE TABLE events (
            id integer PRIMARY KEY,
            happened_at timestamptz CONSTRAINT ck_events_happened CHECK (happened_at >= '2020-01-01'),
            logged_at timestamptz CONSTRAINT ck_events_logged CHECK (logged_at >= '2020-01-01'),
            seen_at timestamptz CONSTRAINT ck_events_seen CHECK (seen_at >= '2020-01-01')
        );
        CREATE INDEX ix_events_recent ON events (id) WHERE happened_at >= '2020-01-01';
        CREATE INDEX ix_events_logged ON events (id) WHERE logged_at >= '2020-01-01';";

    /// The same CHECK and predicate, a CHECK one year later, and a CHECK through a
    /// function the specs do not define.
    const SETTLE_LIVE: &str = "
        SET TIME ZONE 'UTC';
        CREATE FUNCTION is_recent_elsewhere(at timestamptz) RETURNS boolean IMMUTABLE
            LANGUAGE sql RETURN at >= '2020-01-01 00:00:00+00';
        CREATE TABLE events (
            id integer PRIMARY KEY,
            happened_at timestamptz CONSTRAINT ck_events_happened CHECK (happened_at >= '2020-01-01 00:00:00+00'),
            logged_at timestamptz CONSTRAINT ck_events_logged CHECK (logged_at >= '2021-01-01 00:00:00+00'),
            seen_at timestamptz CONSTRAINT ck_events_seen CHECK (is_recent_elsewhere(seen_at))
        );
        CREATE INDEX ix_events_recent ON events (id) WHERE happened_at >= '2020-01-01 00:00:00+00';
        CREATE INDEX ix_events_logged ON events (id) WHERE logged_at >= '2021-01-01 00:00:00+00';";

    #[test]
    fn undecided_checks_are_settled_by_trying_both_definitions_in_the_scratch_database() {
        let rules = [
            &CONSTRAINT_DRIFT,
            &crate::checks::drift::index::INDEX_DEFINITION_DRIFT,
        ];
        let scenario = Scenario::specs(SETTLE_SPEC).live(SETTLE_LIVE);
        let undecided = scenario.findings_of_all(&rules);
        assert_eq!(undecided.len(), 5, "{}", render(&undecided));
        assert!(undecided
            .iter()
            .all(|finding| finding.severity == crate::rules::Severity::Info));
        // Probed: the equal CHECK and predicate are gone, the later bounds are drift with
        // the value that shows it, the unknown function leaves its CHECK undecided.
        let settled = scenario.probed().findings_of_all(&rules);
        insta::assert_snapshot!(render(&settled));
    }

    #[test]
    fn with_its_destructive_statements_run_the_fix_script_leaves_no_constraint_drift() {
        Scenario::specs(FIX_SPEC)
            .live(FIX_LIVE)
            .fixed(true)
            .assert_left(&[]);
    }
}
