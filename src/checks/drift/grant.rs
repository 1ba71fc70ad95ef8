//! `grant-drift`: privileges granted on one side only.

use crate::checks::drift::member_location;
use crate::checks::drift::{fix, Drift, ABSENT};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::model::{Location, Relation};
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

The relation's owner holds every privilege without a grant, so its privileges are compared
only when the specs state them by revoking some from it (`REVOKE DELETE ON t FROM
app_owner`, or pg_dump's `REVOKE ALL … FROM owner` followed by the grants it keeps): then
the owner must hold exactly the privileges not revoked (or granted again). Otherwise the
owner's privileges are left alone, and what the specs grant the owner is not reported.

## Why it matters
A missing grant breaks the application role at run time; an extra one (`DELETE` to the API
role, anything to `PUBLIC`) widens what a compromised role can do.

## Example
The database grants `DELETE ON revenue_ledger TO app_user`, the specs do not. The finding's
fix: `REVOKE DELETE ON public.revenue_ledger FROM app_user` (a missing privilege: `GRANT`). The specs revoke `DELETE` from the ledger's owner so that even the owner's role
cannot delete rows, and someone granted it back: `REVOKE DELETE ON revenue_ledger FROM
ledger_owner`.",
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
            Change::OwnerPrivilegeMissing {
                owner, privilege, ..
            } => Finding::new(
                &GRANT_DRIFT,
                ObjectPath::relation(relation),
                format!("the owner {owner} of {relation} lacks {privilege}, which the specs do not revoke from it"),
            )
            .expected_actual(format!("{privilege} to {owner} (owner)"), ABSENT)
            .at(revoke_location(spec_relation, owner).or(relation_location))
            .hint(format!("GRANT {privilege} ON {relation} TO {owner}")),
            Change::OwnerPrivilegeUnexpected {
                owner, privilege, ..
            } => Finding::new(
                &GRANT_DRIFT,
                ObjectPath::relation(relation),
                format!("the owner {owner} of {relation} holds {privilege}, which the specs revoke from it"),
            )
            .expected_actual(ABSENT, format!("{privilege} to {owner} (owner)"))
            .at(revoke_location(spec_relation, owner).or(relation_location))
            .hint(format!("REVOKE {privilege} ON {relation} FROM {owner}")),
            _ => continue,
        };
        findings.push(finding);
    }
}

/// Where the specs first revoke a privilege from `owner` on the relation.
fn revoke_location<'r>(relation: Option<&'r Relation>, owner: &str) -> Option<&'r Location> {
    relation?
        .revoked
        .iter()
        .find(|revoke| revoke.grantee == owner)
        .and_then(|revoke| revoke.location.as_ref())
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    /// A role of the test cluster (roles are shared by its databases, so it may exist).
    const OWNER: &str = "DO $$ BEGIN CREATE ROLE pgparity_ledger_owner; \
        EXCEPTION WHEN duplicate_object THEN NULL; END $$;";

    const SPEC: &str = "CREATE TABLE ledger (id int PRIMARY KEY, cents int);
        ALTER TABLE ledger OWNER TO pgparity_ledger_owner;
        REVOKE DELETE, TRUNCATE ON ledger FROM pgparity_ledger_owner;
        CREATE TABLE notes (id int PRIMARY KEY);
        ALTER TABLE notes OWNER TO pgparity_ledger_owner;
        GRANT SELECT ON notes TO pgparity_ledger_owner;";

    #[test]
    fn the_owners_privileges_are_compared_where_the_specs_revoke_from_the_owner() {
        let findings = Scenario::specs(SPEC)
            .live(&format!(
                "{OWNER} {SPEC};
                 GRANT DELETE ON ledger TO pgparity_ledger_owner;
                 REVOKE UPDATE ON ledger FROM pgparity_ledger_owner;
                 REVOKE UPDATE ON notes FROM pgparity_ledger_owner;"
            ))
            .findings_of(&GRANT_DRIFT);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_specs_applied_to_postgresql_are_no_drift_of_the_owners_privileges() {
        let findings = Scenario::specs(SPEC)
            .live(&format!("{OWNER} {SPEC}"))
            .findings_of(&GRANT_DRIFT);
        assert!(findings.is_empty(), "{}", render(&findings));
    }

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
