//! Policy drift: `missing-policy`, `unexpected-policy`, `policy-drift`.

use crate::checks::drift::{definition_finding, member_location};
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-policy`.
pub static MISSING_POLICY: Rule = Rule {
    id: "missing-policy",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A row-level security policy of the specs is missing from the database",
    object_kind: ObjectKind::Policy,
    needs_live: true,
    docs: "\
## What it does
Reports a policy that the specs define on a relation and the database lacks.

## Why it matters
With RLS enabled, a missing permissive policy denies rows the application needs; a missing
restrictive one lets through rows it should not.

## Example
`tenant_isolation_policy` on `revenue_ledger` is missing. The finding's fix is the spec's
`CREATE POLICY` (with its comment).",
};
register_rule!(MISSING_POLICY);

/// `unexpected-policy`.
pub static UNEXPECTED_POLICY: Rule = Rule {
    id: "unexpected-policy",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a row-level security policy the specs do not define",
    object_kind: ObjectKind::Policy,
    needs_live: true,
    docs: "\
## What it does
Reports a policy of a database relation that the specs do not define.

## Why it matters
Permissive policies are OR-ed: one extra permissive policy (`USING (true)` added while
debugging) opens the table to every tenant.

## Example
`debug_all_rows` with `USING (true)` on `revenue_ledger`. Fix: drop it (the finding's `DROP
POLICY`, which `--fix-sql` writes commented out).",
};
register_rule!(UNEXPECTED_POLICY);

/// `policy-drift`.
pub static POLICY_DRIFT: Rule = Rule {
    id: "policy-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A policy exists on both sides with a different definition",
    object_kind: ObjectKind::Policy,
    needs_live: true,
    docs: "\
## What it does
Compares permissive/restrictive, the command, the roles and the normalized `USING` and
`WITH CHECK` expressions. A difference normalization cannot decide is info.

## Why it matters
A policy of the right name that filters on the wrong setting, or lacks `WITH CHECK`, lets
one tenant write into another's rows.

## Example
The spec's `USING (tenant_id = current_setting('app.current_tenant_id')::uuid)` is
`USING (true)` in the database. The finding's fix: `ALTER POLICY … TO … USING (…) WITH
CHECK (…)` as the spec writes it; a changed command or kind, or a clause the specs do not
have, cannot be altered: the policy is dropped and created again.",
};
register_rule!(POLICY_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let finding =
            match change {
                Change::PolicyMissing { policy, .. } => Finding::new(
                    &MISSING_POLICY,
                    ObjectPath::member(relation, policy),
                    format!("policy {policy} on {relation} is missing from the database"),
                )
                .expected_actual("policy", ABSENT)
                .at(member_location(spec_relation, |found| {
                    found
                        .policies
                        .get(policy)
                        .and_then(|it| it.location.as_ref())
                }))
                .fix(spec_relation.and_then(|table| {
                    Some(fix::create_policy(relation, table.policies.get(policy)?))
                })),
                Change::PolicyUnexpected { policy, .. } => Finding::new(
                    &UNEXPECTED_POLICY,
                    ObjectPath::member(relation, policy),
                    format!(
                        "policy {policy} on {relation} exists in the database but not in the specs"
                    ),
                )
                .expected_actual(ABSENT, "policy")
                .fix(Some(fix::drop_policy(relation, policy))),
                Change::PolicyChanged {
                    policy, difference, ..
                } => definition_finding(
                    &POLICY_DRIFT,
                    ObjectPath::member(relation, policy),
                    &format!("policy {policy} on {relation}"),
                    difference,
                )
                .at(member_location(spec_relation, |found| {
                    found
                        .policies
                        .get(policy)
                        .and_then(|it| it.location.as_ref())
                }))
                .fix(
                    drift
                        .both(relation)
                        .filter(|_| difference.comparison.is_decided())
                        .and_then(|(table, live_table)| {
                            Some(fix::change_policy(
                                relation,
                                table.policies.get(policy)?,
                                live_table.policies.get(policy)?,
                            ))
                        }),
                ),
                _ => continue,
            };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::Scenario;

    const TABLE: &str = "CREATE TABLE t (a integer);
        ALTER TABLE t ENABLE ROW LEVEL SECURITY;";

    fn fix_spec() -> String {
        format!(
            "{TABLE}
            CREATE POLICY p_missing ON t AS RESTRICTIVE FOR UPDATE TO app_user, auditor
                USING (a > 0) WITH CHECK (a < 10);
            COMMENT ON POLICY p_missing ON t IS 'bounded';
            CREATE POLICY p_using ON t USING (a > 0);
            CREATE POLICY p_command ON t FOR SELECT USING (true);
            COMMENT ON POLICY p_command ON t IS 'reads';
            CREATE POLICY p_roles ON t TO auditor USING (true);
            CREATE POLICY p_check_removed ON t USING (true);"
        )
    }

    /// Policies missing, changed in what `ALTER POLICY` can change and in what it
    /// cannot (command, a clause to remove), and one the specs do not define.
    fn fix_live() -> String {
        format!(
            "{TABLE}
            CREATE POLICY p_using ON t USING (a >= 0);
            CREATE POLICY p_command ON t USING (true);
            COMMENT ON POLICY p_command ON t IS 'reads';
            CREATE POLICY p_roles ON t USING (true);
            CREATE POLICY p_check_removed ON t USING (true) WITH CHECK (a > 1);
            CREATE POLICY p_extra ON t USING (true);"
        )
    }

    #[test]
    fn the_fix_script_creates_and_alters_policies_or_creates_them_again() {
        let fixed = Scenario::specs(&fix_spec()).live(&fix_live()).fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&["unexpected-policy public.t.p_extra"]);
    }

    #[test]
    fn with_its_destructive_statements_run_the_fix_script_leaves_no_policy_drift() {
        Scenario::specs(&fix_spec())
            .live(&fix_live())
            .fixed(true)
            .assert_left(&[]);
    }
}
