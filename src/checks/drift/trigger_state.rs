//! `trigger-state-drift`: a trigger that fires on one side and is disabled (or fires only
//! on replicas, or always) on the other.

use crate::checks::drift::Drift;
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::model::TriggerState;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `trigger-state-drift`.
pub static TRIGGER_STATE_DRIFT: Rule = Rule {
    id: "trigger-state-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A trigger is enabled on one side and disabled (or replica-only, or always-firing) on the other",
    object_kind: ObjectKind::Trigger,
    needs_live: true,
    docs: "\
## What it does
Compares when each trigger fires, as `ALTER TABLE … ENABLE | DISABLE | ENABLE REPLICA |
ENABLE ALWAYS TRIGGER` set it (`pg_trigger.tgenabled`). A trigger the specs create and never
alter is enabled: it fires in every session but replication apply sessions
(`session_replication_role = replica`).

## Why it matters
A disabled guard trigger looks present to every other check: its definition is intact, it
just never runs, and the invariant it enforces (allocations summing to 1, protected columns
left alone) silently breaks. `DISABLE TRIGGER` during a bulk load that never re-enables it
is the classic way to get there. The reverse (`ENABLE ALWAYS` or `ENABLE REPLICA` where the
specs expect the default) changes what fires on logical-replication subscribers.

## Example
`ALTER TABLE accounts DISABLE TRIGGER protect_fields` was run by hand. Fix:
`ALTER TABLE accounts ENABLE TRIGGER protect_fields`, or write the state in the specs if it
is meant.",
};
register_rule!(TRIGGER_STATE_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let Change::TriggerStateChanged {
            relation,
            trigger,
            expected,
            actual,
        } = change
        else {
            continue;
        };
        let spec_relation = drift.spec.relations.get(relation);
        let words = |state: &TriggerState| match state {
            TriggerState::Enabled => "enabled",
            TriggerState::Disabled => "disabled",
            TriggerState::Replica => "enabled for replica sessions only",
            TriggerState::Always => "enabled always (replica sessions too)",
        };
        let consequence = match actual {
            TriggerState::Disabled => ": it never fires",
            TriggerState::Replica => ": it does not fire for the application's writes",
            TriggerState::Enabled | TriggerState::Always => "",
        };
        findings.push(
            Finding::new(
                &TRIGGER_STATE_DRIFT,
                ObjectPath::member(relation, trigger),
                format!(
                    "trigger {trigger} on {relation} is {} in the database, {} in the \
                     specs{consequence}",
                    words(actual),
                    words(expected)
                ),
            )
            .expected_actual(expected.describe(), actual.describe())
            .at(drift.trigger_location(spec_relation, trigger))
            .hint(format!(
                "ALTER TABLE {relation} {} TRIGGER {trigger}",
                expected.describe()
            )),
        );
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE TABLE accounts (id int PRIMARY KEY, owner text, plan text);
        CREATE FUNCTION protect_fields() RETURNS trigger LANGUAGE plpgsql
            AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER protect_fields BEFORE UPDATE ON accounts
            FOR EACH ROW EXECUTE FUNCTION protect_fields();
        CREATE TRIGGER audit AFTER UPDATE ON accounts
            FOR EACH ROW EXECUTE FUNCTION protect_fields();
        CREATE TRIGGER replicated AFTER INSERT ON accounts
            FOR EACH ROW EXECUTE FUNCTION protect_fields();
        ALTER TABLE accounts ENABLE REPLICA TRIGGER replicated;";

    #[test]
    fn a_disabled_guard_trigger_and_other_states_are_found() {
        let live = format!(
            "{SPEC};
             ALTER TABLE accounts DISABLE TRIGGER protect_fields;
             ALTER TABLE accounts ENABLE ALWAYS TRIGGER audit;
             ALTER TABLE accounts ENABLE TRIGGER replicated;"
        );
        let findings = Scenario::specs(SPEC)
            .live(&live)
            .findings_of(&TRIGGER_STATE_DRIFT);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_states_the_specs_set_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(SPEC)
            .live(SPEC)
            .findings_of(&TRIGGER_STATE_DRIFT);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
