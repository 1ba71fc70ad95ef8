//! `grant-drift`: privileges granted on one side only.

use crate::checks::drift::member_location;
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `grant-drift`.
pub static GRANT_DRIFT: Rule = Rule {
    id: "grant-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A privilege on a relation is granted on one side only",
    object_kind: ObjectKind::Relation,
    needs_live: true,
    docs: "\
## What it does
Compares, per relation, the set of (grantee, privilege) pairs: a privilege the specs grant
that the database lacks, or one the database grants that the specs do not.

## Why it matters
A missing grant breaks the application role at run time; an extra one (`DELETE` to the API
role, anything to `PUBLIC`) widens what a compromised role can do.

## Example
The database grants `DELETE ON revenue_ledger TO app_user`, the specs do not. The finding's
fix: `REVOKE DELETE ON public.revenue_ledger FROM app_user` (a missing privilege: `GRANT`).",
};
register_rule!(GRANT_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        let finding = match change {
            Change::GrantMissing {
                grantee, privilege, ..
            } => Finding::new(
                &GRANT_DRIFT,
                ObjectPath::relation(relation),
                format!("{privilege} on {relation} to {grantee} is granted in the specs but not in the database"),
            )
            .expected_actual(format!("{privilege} to {grantee}"), ABSENT)
            .at(member_location(spec_relation, |found| {
                found
                    .grants
                    .iter()
                    .find(|grant| &grant.grantee == grantee && grant.privilege.eq_ignore_ascii_case(privilege))
                    .and_then(|grant| grant.location.as_ref())
            }))
            .hint(format!("GRANT {privilege} ON {relation} TO {grantee}"))
            .fix(Some(fix::grant(relation, privilege, grantee))),
            Change::GrantUnexpected {
                grantee, privilege, ..
            } => Finding::new(
                &GRANT_DRIFT,
                ObjectPath::relation(relation),
                format!("{privilege} on {relation} to {grantee} is granted in the database but not in the specs"),
            )
            .expected_actual(ABSENT, format!("{privilege} to {grantee}"))
            .at(relation_location)
            .hint(format!("REVOKE {privilege} ON {relation} FROM {grantee}, or grant it in the specs"))
            .fix(Some(fix::revoke(relation, privilege, grantee))),
            _ => continue,
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::Scenario;

    #[test]
    fn the_fix_script_grants_and_revokes_as_the_specs_say() {
        let fixed = Scenario::specs(
            "CREATE TABLE t (a integer);
             GRANT SELECT, INSERT ON t TO app_user;
             GRANT SELECT ON t TO PUBLIC;",
        )
        .live(
            "CREATE TABLE t (a integer);
             GRANT SELECT, DELETE ON t TO app_user;",
        )
        .fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&[]);
    }
}
