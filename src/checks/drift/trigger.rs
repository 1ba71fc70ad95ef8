//! Trigger drift: `missing-trigger` (also a trigger defined differently),
//! `unexpected-trigger`.

use crate::checks::drift::definition_finding;
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-trigger`.
pub static MISSING_TRIGGER: Rule = Rule {
    id: "missing-trigger",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A trigger of the specs is missing from the database, or differs from it",
    object_kind: ObjectKind::Trigger,
    needs_live: true,
    docs: "\
## What it does
Reports a trigger that the specs define and the database lacks. A trigger of the same name
whose definition differs (timing, events, the columns of `UPDATE OF` (as a set), the
transition tables of `REFERENCING OLD|NEW TABLE AS`, row or statement level, function,
arguments, or the normalized `WHEN` condition) is reported here too: the trigger the
specs define is not the one that runs. Whether it is enabled is `trigger-state-drift`.

## Why it matters
Triggers enforce invariants the schema cannot express (`trg_check_allocation_sum` keeps
allocations summing to 1); without it, or with it firing on the wrong events, the
invariant silently breaks.

## Example
The spec's trigger fires `AFTER INSERT OR UPDATE OR DELETE`, the database's only
`AFTER INSERT`. The finding's fix: the spec's `CREATE OR REPLACE TRIGGER` (a constraint
trigger is dropped and created again; `UPDATE OF` column lists are not read yet). An `AFTER UPDATE OF status` trigger where the database's fires on
any update is changed too.",
};
register_rule!(MISSING_TRIGGER);

/// `unexpected-trigger`.
pub static UNEXPECTED_TRIGGER: Rule = Rule {
    id: "unexpected-trigger",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a trigger the specs do not define",
    object_kind: ObjectKind::Trigger,
    needs_live: true,
    docs: "\
## What it does
Reports a trigger of a database relation that the specs do not define.

## Why it matters
A hand-made trigger changes what writes do, invisibly to anyone reading the specs.

## Example
An audit trigger added by hand in production only. Fix: add it to the specs, or drop it
(the finding's `DROP TRIGGER`, which `--fix-sql` writes commented out).",
};
register_rule!(UNEXPECTED_TRIGGER);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let finding = match change {
            Change::TriggerMissing { trigger, .. } => Finding::new(
                &MISSING_TRIGGER,
                ObjectPath::member(relation, trigger),
                format!("trigger {trigger} on {relation} is missing from the database"),
            )
            .expected_actual("trigger", ABSENT)
            .at(drift.trigger_location(spec_relation, trigger))
            .fix(spec_relation.and_then(|table| {
                fix::create_trigger(relation, table.triggers.get(trigger)?, false)
            })),
            Change::TriggerUnexpected { trigger, .. } => Finding::new(
                &UNEXPECTED_TRIGGER,
                ObjectPath::member(relation, trigger),
                format!(
                    "trigger {trigger} on {relation} exists in the database but not in the specs"
                ),
            )
            .expected_actual(ABSENT, "trigger")
            .fix(Some(fix::drop_trigger(relation, trigger))),
            Change::TriggerChanged {
                trigger,
                difference,
                ..
            } => definition_finding(
                &MISSING_TRIGGER,
                ObjectPath::member(relation, trigger),
                &format!("trigger {trigger} on {relation}"),
                difference,
            )
            .at(drift.trigger_location(spec_relation, trigger))
            .fix(
                spec_relation
                    .filter(|_| difference.comparison.is_decided())
                    .and_then(|table| {
                        fix::create_trigger(relation, table.triggers.get(trigger)?, true)
                    }),
            ),
            _ => continue,
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE TABLE accounts (id int PRIMARY KEY, status text, plan text);
        CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RETURN NULL; END $$;
        CREATE TRIGGER status_changed AFTER UPDATE OF status, plan ON accounts
            FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION audit();
        CREATE TRIGGER batch_audit AFTER UPDATE ON accounts
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION audit();
        CREATE TRIGGER row_audit AFTER DELETE ON accounts
            FOR EACH ROW EXECUTE FUNCTION audit();";

    #[test]
    fn update_columns_transition_tables_conditions_and_levels_are_the_definition() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE TABLE accounts (id int PRIMARY KEY, status text, plan text);
                 CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql
                     AS $$ BEGIN RETURN NULL; END $$;
                 CREATE TRIGGER status_changed AFTER UPDATE OF plan ON accounts
                     FOR EACH ROW WHEN (OLD.plan IS DISTINCT FROM NEW.plan)
                     EXECUTE FUNCTION audit();
                 CREATE TRIGGER batch_audit AFTER UPDATE ON accounts
                     REFERENCING NEW TABLE AS changed
                     FOR EACH STATEMENT EXECUTE FUNCTION audit();
                 CREATE TRIGGER row_audit AFTER DELETE ON accounts
                     FOR EACH STATEMENT EXECUTE FUNCTION audit();",
            )
            .findings_of_all(&[&MISSING_TRIGGER, &UNEXPECTED_TRIGGER]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_same_triggers_applied_to_postgresql_are_no_drift() {
        let reordered = SPEC.replace("UPDATE OF status, plan", "UPDATE OF plan, status");
        let findings = Scenario::specs(&reordered)
            .live(SPEC)
            .findings_of_all(&[&MISSING_TRIGGER, &UNEXPECTED_TRIGGER]);
        assert!(findings.is_empty(), "{}", render(&findings));
    }

    const FUNCTION: &str = "CREATE TABLE t (a integer);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RETURN NULL; END $$;";

    fn fix_spec() -> String {
        format!(
            "{FUNCTION}
            CREATE TRIGGER trg_missing BEFORE INSERT OR UPDATE ON t FOR EACH ROW
                WHEN (NEW.a > 0) EXECUTE FUNCTION touch('x', '1');
            CREATE TRIGGER trg_timing BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
            COMMENT ON TRIGGER trg_timing ON t IS 'timing';
            CREATE CONSTRAINT TRIGGER trg_deferred AFTER INSERT ON t
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION touch();
            CREATE TRIGGER trg_statement AFTER TRUNCATE ON t
                FOR EACH STATEMENT EXECUTE FUNCTION touch();"
        )
    }

    /// Triggers missing, changed (a plain one replaced in place, a constraint trigger
    /// dropped and created again) and one the specs do not define.
    fn fix_live() -> String {
        format!(
            "{FUNCTION}
            CREATE TRIGGER trg_timing AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
            COMMENT ON TRIGGER trg_timing ON t IS 'timing';
            CREATE CONSTRAINT TRIGGER trg_deferred AFTER INSERT ON t
                DEFERRABLE INITIALLY IMMEDIATE FOR EACH ROW EXECUTE FUNCTION touch();
            CREATE TRIGGER trg_extra AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION touch();"
        )
    }

    #[test]
    fn the_fix_script_creates_and_replaces_triggers() {
        let fixed = Scenario::specs(&fix_spec()).live(&fix_live()).fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&["unexpected-trigger public.t.trg_extra"]);
    }

    #[test]
    fn with_its_destructive_statements_run_the_fix_script_leaves_no_trigger_drift() {
        Scenario::specs(&fix_spec())
            .live(&fix_live())
            .fixed(true)
            .assert_left(&[]);
    }
}
