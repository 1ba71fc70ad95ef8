//! Column drift: `missing-column`, `unexpected-column`, `column-type-drift`,
//! `nullability-drift`, `default-drift`.

use crate::checks::drift::definition_finding;
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-column`.
pub static MISSING_COLUMN: Rule = Rule {
    id: "missing-column",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A column of the specs is missing from the database",
    object_kind: ObjectKind::Column,
    needs_live: true,
    docs: "\
## What it does
Reports a column that the specs define on a relation the database has, while the database
relation lacks it. Column order is not compared: PostgreSQL appends added columns.

## Why it matters
Queries and DTOs that read the column fail.

## Example
The spec has `revenue_ledger.posted_at timestamptz NOT NULL`, the database table does not.
The finding's fix (`--fix-sql` gathers them into one script):
`ALTER TABLE public.revenue_ledger ADD COLUMN posted_at timestamp with time zone NOT NULL`.",
};
register_rule!(MISSING_COLUMN);

/// `unexpected-column`.
pub static UNEXPECTED_COLUMN: Rule = Rule {
    id: "unexpected-column",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a column the specs do not define",
    object_kind: ObjectKind::Column,
    needs_live: true,
    docs: "\
## What it does
Reports a column of a database relation that the spec of that relation does not define.

## Why it matters
An undeclared column is a hand-made change: a `NOT NULL` one without a default breaks
inserts written against the specs, and environments built from the specs differ.

## Example
`revenue_ledger.currency` exists only in the database. Fix: add it to the spec, or drop it:
the finding's fix `ALTER TABLE public.revenue_ledger DROP COLUMN currency` drops data, so
`--fix-sql` writes it commented out.",
};
register_rule!(UNEXPECTED_COLUMN);

/// `column-type-drift`.
pub static COLUMN_TYPE_DRIFT: Rule = Rule {
    id: "column-type-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A column's type differs between the specs and the database",
    object_kind: ObjectKind::Column,
    needs_live: true,
    docs: "\
## What it does
Compares column types in canonical form (`int4` and `integer` are the same type,
`varchar(64)` is `character varying(64)`). View columns whose type the specs cannot know
statically are not compared.

## Why it matters
Lengths, precision and ranges differ from what the contracts were checked against: values
are truncated, rejected or overflow.

## Example
The spec says `revenue_cents bigint`, the database has `integer`. The finding's fix:
`ALTER TABLE public.revenue_ledger ALTER COLUMN revenue_cents TYPE bigint USING
revenue_cents::bigint`. A conversion that can lose values (`bigint` to `integer`, a shorter
`varchar`) is marked destructive, and `--fix-sql` writes it commented out.",
};
register_rule!(COLUMN_TYPE_DRIFT);

/// `nullability-drift`.
pub static NULLABILITY_DRIFT: Rule = Rule {
    id: "nullability-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A table column is NOT NULL on one side and nullable on the other",
    object_kind: ObjectKind::Column,
    needs_live: true,
    docs: "\
## What it does
Compares `NOT NULL` of table columns. View and materialized-view columns are not compared:
PostgreSQL never marks them `NOT NULL`, while the specs know it from lineage.

## Why it matters
A nullable column where the specs promise `NOT NULL` lets NULLs reach DTOs that require a
value; the reverse makes inserts that the specs allow fail.

## Example
The spec has `posted_at timestamptz NOT NULL`, the database column is nullable. The
finding's fix: `ALTER TABLE public.revenue_ledger ALTER COLUMN posted_at SET NOT NULL`.",
};
register_rule!(NULLABILITY_DRIFT);

/// `default-drift`.
pub static DEFAULT_DRIFT: Rule = Rule {
    id: "default-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A column's default, identity or generated expression differs",
    object_kind: ObjectKind::Column,
    needs_live: true,
    docs: "\
## What it does
Compares column defaults and generated expressions after normalizing both (the server's
`'idle'::text` equals the spec's `'idle'`), and identity. Texts that cannot be normalized
and differ are reported as info: equal or not could not be decided. With `--probe` (and
`--db` or `--snapshot`), such a default is settled in the scratch database: both defaults
are set on a copy of the table and a row inserted; the same value (or, when neither is
immutable, the same type) drops the info, different values make it an error naming both.

## Why it matters
Rows inserted without the column get another value than the specs promise: another
timestamp source, another initial state.

## Example
The spec says `created_at timestamptz DEFAULT now()`, the database has
`DEFAULT clock_timestamp()`. The finding's fix: `ALTER TABLE … ALTER COLUMN created_at SET
DEFAULT now()` (an identity: `ADD`/`SET GENERATED …` or `DROP IDENTITY`; a generated
expression the specs do not have: `DROP EXPRESSION`). A changed generated expression, and a
difference pgparity could not decide, get no fix.
With `--probe`, a `jsonb DEFAULT '{\"a\":1}'` against the database's
`'{\"a\": 2}'::jsonb` is `the spec's default gives {\"a\": 1} and the live one {\"a\": 2}`.",
};
register_rule!(DEFAULT_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        let owner = spec_relation.map(|found| fix::column_owner(drift.spec, found));
        let finding = match change {
            Change::ColumnMissing { column, .. } => {
                let spec_column = spec_relation.and_then(|found| found.column(column));
                Finding::new(
                    &MISSING_COLUMN,
                    ObjectPath::member(relation, column),
                    format!("column {column} of {relation} is missing from the database"),
                )
                .expected_actual(column_summary(spec_column), ABSENT)
                .at(spec_column
                    .and_then(|found| found.location.as_ref())
                    .or(relation_location))
                .fix(owner.zip(spec_column).and_then(|(table, column)| fix::add_column(table, column)))
            }
            Change::ColumnUnexpected { column, .. } => {
                let live_column = drift
                    .live
                    .relations
                    .get(relation)
                    .and_then(|found| found.column(column));
                Finding::new(
                    &UNEXPECTED_COLUMN,
                    ObjectPath::member(relation, column),
                    format!("column {column} of {relation} exists in the database but not in the specs"),
                )
                .expected_actual(ABSENT, column_summary(live_column))
                .fix(owner.and_then(|table| fix::drop_column(table, column)))
            }
            Change::ColumnTypeChanged {
                column,
                expected,
                actual,
                ..
            } => Finding::new(
                &COLUMN_TYPE_DRIFT,
                ObjectPath::member(relation, column),
                format!("column {column} of {relation} is {actual} in the database, {expected} in the specs"),
            )
            .expected_actual(expected.to_string(), actual.to_string())
            .at(drift.column_location(spec_relation, column))
            .fix(owner.and_then(|table| fix::alter_type(table, column, expected, actual))),
            Change::NullabilityChanged {
                column,
                expected_not_null,
                ..
            } => {
                let says = |not_null: bool| if not_null { "NOT NULL" } else { "nullable" };
                Finding::new(
                    &NULLABILITY_DRIFT,
                    ObjectPath::member(relation, column),
                    format!(
                        "column {column} of {relation} is {} in the database, {} in the specs",
                        says(!expected_not_null),
                        says(*expected_not_null)
                    ),
                )
                .expected_actual(says(*expected_not_null), says(!expected_not_null))
                .at(drift.column_location(spec_relation, column))
                .fix(owner.and_then(|table| fix::set_nullability(table, column, *expected_not_null)))
            }
            Change::DefaultChanged {
                column, difference, ..
            } => definition_finding(
                &DEFAULT_DRIFT,
                ObjectPath::member(relation, column),
                &format!("column {column} of {relation}"),
                difference,
            )
            .at(drift.column_location(spec_relation, column))
            .fix(drift.both(relation).filter(|_| difference.comparison.is_decided()).and_then(
                |(table, live_table)| {
                    fix::set_default(
                        table,
                        table.column(column)?,
                        live_table.column(column)?,
                        difference.property,
                    )
                },
            )),
            _ => continue,
        };
        findings.push(finding);
    }
}

/// A column as the report shows it: its type and NOT NULL.
fn column_summary(column: Option<&crate::model::Column>) -> String {
    match column {
        None => "column".into(),
        Some(column) => {
            let data_type = column
                .data_type
                .as_ref()
                .map_or_else(|| "(type unknown)".to_string(), ToString::to_string);
            if column.not_null {
                format!("{data_type} NOT NULL")
            } else {
                data_type
            }
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE TABLE ledger (
        id uuid PRIMARY KEY,
        revenue_cents bigint NOT NULL DEFAULT 0,
        note text,
        posted_at timestamptz NOT NULL
    );";

    #[test]
    fn every_column_change_against_a_real_database_is_found_once() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE TABLE ledger (
                    id uuid PRIMARY KEY,
                    revenue_cents integer NOT NULL DEFAULT 1,
                    note text NOT NULL,
                    extra text
                );",
            )
            .findings_of_all(&[
                &MISSING_COLUMN,
                &UNEXPECTED_COLUMN,
                &COLUMN_TYPE_DRIFT,
                &NULLABILITY_DRIFT,
                &DEFAULT_DRIFT,
            ]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn undecided_defaults_are_settled_by_the_values_they_give_in_the_scratch_database() {
        // The server prints a jsonb literal in jsonb's output form, which normalization
        // does not reproduce: undecided without --probe.
        let spec = "CREATE TABLE prefs (
            id integer PRIMARY KEY,
            same jsonb DEFAULT '{\"a\":1}',
            other jsonb DEFAULT '{\"a\":1}',
            stamped timestamptz DEFAULT '2020-01-01',
            recent timestamptz DEFAULT now() - ('2020-01-02'::timestamptz - '2020-01-01'::timestamptz)
        );";
        let live = "SET TIME ZONE 'UTC';
            CREATE TABLE prefs (
                id integer PRIMARY KEY,
                same jsonb DEFAULT '{\"a\": 1}',
                other jsonb DEFAULT '{\"a\": 2}',
                stamped timestamptz DEFAULT now(),
                recent timestamptz DEFAULT now() - interval '1 day'
            );";
        let scenario = Scenario::specs(spec).live(live);
        let undecided = scenario.findings_of(&DEFAULT_DRIFT);
        // `recent` is two volatile expressions of the same type: settled (as equal) by
        // type and volatility.
        let settled = scenario.probed().findings_of(&DEFAULT_DRIFT);
        insta::assert_snapshot!(format!(
            "without --probe:\n{}\nwith --probe:\n{}",
            render(&undecided),
            render(&settled)
        ));
    }

    /// The specs want columns added and changed; the database also has a column the
    /// specs do not define and one whose type would narrow.
    const FIX_SPEC: &str = "CREATE TABLE ledger (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        revenue_cents bigint NOT NULL DEFAULT 0,
        note varchar(200),
        code text DEFAULT 'n/a',
        seq serial,
        \"Posted At\" timestamptz NOT NULL DEFAULT now(),
        total numeric(12,2) GENERATED ALWAYS AS (revenue_cents / 100.0) STORED,
        plain integer,
        small smallint
    );
    COMMENT ON COLUMN ledger.\"Posted At\" IS 'when it was posted';";

    const FIX_LIVE: &str = "CREATE TABLE ledger (
        id bigint PRIMARY KEY,
        revenue_cents integer DEFAULT 1,
        note varchar(100) NOT NULL,
        code text,
        plain integer GENERATED ALWAYS AS (1) STORED,
        small integer,
        extra text
    );";

    #[test]
    fn the_fix_script_adds_and_changes_columns_and_comments_out_what_loses_data() {
        let fixed = Scenario::specs(FIX_SPEC).live(FIX_LIVE).fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&[
            "column-type-drift public.ledger.small",
            "unexpected-column public.ledger.extra",
        ]);
    }

    #[test]
    fn with_its_destructive_statements_run_the_fix_script_leaves_no_column_drift() {
        Scenario::specs(FIX_SPEC)
            .live(FIX_LIVE)
            .fixed(true)
            .assert_left(&[]);
    }

    #[test]
    fn a_partition_gets_the_column_fix_of_its_parent_written_once() {
        let partitioned = "CREATE TABLE m (id integer, taken_on date, reading numeric)
                PARTITION BY RANGE (taken_on);
            CREATE TABLE m_2026 PARTITION OF m FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');";
        let fixed =
            Scenario::specs(&partitioned.replace("reading numeric", "reading bigint, note text"))
                .live(&partitioned.replace(", reading numeric", ", reading integer, extra text"))
                .fixed(true);
        let statements: Vec<&str> = fixed
            .script
            .lines()
            .filter(|line| line.starts_with("ALTER TABLE"))
            .collect();
        assert_eq!(
            statements,
            [
                "ALTER TABLE public.m DROP COLUMN extra;",
                "ALTER TABLE public.m ALTER COLUMN reading TYPE bigint USING reading::bigint;",
                "ALTER TABLE public.m ADD COLUMN note text;",
            ],
            "{}",
            fixed.script
        );
        assert!(
            fixed.script.contains(
                "-- missing-column public.m.note\n-- missing-column public.m_2026.note\n"
            ),
            "{}",
            fixed.script
        );
        fixed.assert_left(&[]);
    }

    #[test]
    fn the_same_table_applied_to_postgresql_has_no_column_drift() {
        let findings = Scenario::specs(SPEC).live(SPEC).findings_of_all(&[
            &MISSING_COLUMN,
            &UNEXPECTED_COLUMN,
            &COLUMN_TYPE_DRIFT,
            &NULLABILITY_DRIFT,
            &DEFAULT_DRIFT,
        ]);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
