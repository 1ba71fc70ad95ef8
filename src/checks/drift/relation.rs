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
migration, or remove the table from the specs if it was dropped on purpose. The finding's
fix creates the relation with everything the specs give it (columns, keys and checks, then
foreign keys, indexes, row-level security, policies, privileges, triggers, comments); not
for a partitioned table or a partition, whose partitioning pgparity does not keep.",
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
`public.revenue_ledger_backup_2024` exists only in production. Fix: drop it (the finding's
`DROP TABLE`, which `--fix-sql` writes commented out), or add it to the specs if it is meant
to stay.",
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

#[cfg(test)]
mod tests {
    use crate::checks::testing::Scenario;

    /// A table with every kind of member, a view and a materialized view over it, and a
    /// table that the database has as a view.
    const FIX_SPEC: &str = "
        CREATE TABLE accounts (id integer PRIMARY KEY);
        CREATE TABLE \"Orders\" (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            account_id integer NOT NULL CONSTRAINT fk_orders_account REFERENCES accounts (id),
            \"user\" text NOT NULL DEFAULT current_user,
            state text NOT NULL DEFAULT 'new'
                CONSTRAINT ck_orders_state CHECK (state IN ('new', 'paid')),
            total numeric(10,2),
            serial_no serial,
            CONSTRAINT uq_orders_user UNIQUE (\"user\", state)
        );
        CREATE INDEX idx_orders_account ON \"Orders\" (account_id) WHERE state = 'new';
        ALTER TABLE \"Orders\" ENABLE ROW LEVEL SECURITY;
        ALTER TABLE \"Orders\" FORCE ROW LEVEL SECURITY;
        CREATE POLICY own ON \"Orders\" FOR SELECT TO app_user USING (\"user\" = current_user);
        GRANT SELECT, INSERT ON \"Orders\" TO app_user;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER trg_orders_touch BEFORE UPDATE ON \"Orders\" FOR EACH ROW
            WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION touch('a', 'it''s');
        COMMENT ON TABLE \"Orders\" IS 'orders';
        COMMENT ON COLUMN \"Orders\".total IS 'in euros';
        COMMENT ON INDEX idx_orders_account IS 'new orders';
        COMMENT ON CONSTRAINT ck_orders_state ON \"Orders\" IS 'states';
        COMMENT ON POLICY own ON \"Orders\" IS 'own rows';
        COMMENT ON TRIGGER trg_orders_touch ON \"Orders\" IS 'touch';
        CREATE VIEW v_orders AS SELECT o.id, o.state FROM \"Orders\" AS o WHERE o.state = 'new';
        CREATE MATERIALIZED VIEW mv_totals AS
            SELECT account_id, sum(total) AS total FROM \"Orders\" GROUP BY account_id
            WITH NO DATA;
        CREATE UNIQUE INDEX uq_mv_totals ON mv_totals (account_id);
        GRANT SELECT ON mv_totals TO app_user;
        COMMENT ON MATERIALIZED VIEW mv_totals IS 'totals';
        CREATE TABLE swapped (id integer);";

    const FIX_LIVE: &str = "
        CREATE TABLE accounts (id integer PRIMARY KEY);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE VIEW swapped AS SELECT 1 AS id;
        CREATE TABLE leftovers (id integer);";

    #[test]
    fn the_fix_script_creates_missing_relations_with_everything_the_specs_give_them() {
        let fixed = Scenario::specs(FIX_SPEC).live(FIX_LIVE).fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&[
            "missing-relation public.swapped",
            "unexpected-relation public.leftovers",
        ]);
    }

    #[test]
    fn with_its_destructive_statements_run_the_fix_script_leaves_no_relation_drift() {
        Scenario::specs(FIX_SPEC)
            .live(FIX_LIVE)
            .fixed(true)
            .assert_left(&[]);
    }
}
