//! `rls-drift`: row-level security enabled or forced on one side only.

use crate::checks::drift::{fix, Drift};
use crate::diff::Change;
use crate::diff::RlsState;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `rls-drift`.
pub static RLS_DRIFT: Rule = Rule {
    id: "rls-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "Row-level security is enabled or forced on one side only",
    object_kind: ObjectKind::Relation,
    needs_live: true,
    docs: "\
## What it does
Compares `ENABLE ROW LEVEL SECURITY` and `FORCE ROW LEVEL SECURITY` of each relation.

## Why it matters
RLS disabled in the database while the specs enable it means every policy is ignored:
tenants can read each other's rows.

## Example
The spec enables and forces RLS on `revenue_ledger`; the database only enables it, so the
owner role bypasses the policies. The finding's fix: `ALTER TABLE public.revenue_ledger FORCE
ROW LEVEL SECURITY`.",
};
register_rule!(RLS_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        let finding = match change {
            Change::RlsChanged {
                expected, actual, ..
            } => Finding::new(
                &RLS_DRIFT,
                ObjectPath::relation(relation),
                format!(
                    "row-level security on {relation} is {} in the database, {} in the specs",
                    rls_words(*actual),
                    rls_words(*expected)
                ),
            )
            .expected_actual(rls_words(*expected), rls_words(*actual))
            .at(relation_location)
            .fix(fix::rls(relation, *expected, *actual)),
            _ => continue,
        };
        findings.push(finding);
    }
}

fn rls_words(state: RlsState) -> &'static str {
    match (state.enabled, state.forced) {
        (true, true) => "enabled and forced",
        (true, false) => "enabled, not forced",
        (false, true) => "forced, not enabled",
        (false, false) => "disabled",
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::Scenario;

    #[test]
    fn the_fix_script_switches_row_level_security_as_the_specs_say() {
        let fixed = Scenario::specs(
            "CREATE TABLE a (id integer);
             ALTER TABLE a ENABLE ROW LEVEL SECURITY;
             ALTER TABLE a FORCE ROW LEVEL SECURITY;
             CREATE TABLE b (id integer);
             ALTER TABLE b ENABLE ROW LEVEL SECURITY;
             CREATE TABLE c (id integer);
             CREATE TABLE d (id integer);
             ALTER TABLE d FORCE ROW LEVEL SECURITY;",
        )
        .live(
            "CREATE TABLE a (id integer);
             CREATE TABLE b (id integer);
             ALTER TABLE b ENABLE ROW LEVEL SECURITY;
             ALTER TABLE b FORCE ROW LEVEL SECURITY;
             CREATE TABLE c (id integer);
             ALTER TABLE c ENABLE ROW LEVEL SECURITY;
             CREATE TABLE d (id integer);
             ALTER TABLE d ENABLE ROW LEVEL SECURITY;",
        )
        .fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&[]);
    }
}
