//! `mutable-ledger`: a role the mapping says may not change an immutable table may update
//! or delete its rows.

use crate::checks::probe::{failed_probe, ProbeScope};
use crate::finding::{Finding, ObjectPath};
use crate::model::ProbeKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `mutable-ledger`.
pub static MUTABLE_LEDGER: Rule = Rule {
    id: "mutable-ledger",
    family: Family::Probe,
    default_severity: Severity::Error,
    summary: "A role the mapping lists under immutable: may update or delete the table's rows",
    object_kind: ObjectKind::Table,
    needs_live: false,
    docs: "\
## What it does
For every `immutable:` entry of the mapping (a table and the roles that may not change its
rows): a grant of UPDATE or DELETE on the table to one of the roles (or to PUBLIC) in the specs
is reported; with `--db`, so is a role that has the privilege in the database, also through
membership in another role; with `--probe`, pgparity tries UPDATE and DELETE of a synthesized
row as each role (`SET ROLE`) in the scratch database, and either must be refused (a privilege
error or a trigger's exception).

## Why it matters
\"Ledger rows are immutable\" is usually a sentence in a design document. A broad
`GRANT SELECT, INSERT, UPDATE ON ALL TABLES` later, the application can rewrite history.

## Example
```sql
GRANT SELECT, INSERT, UPDATE ON revenue_ledger TO app_user;   -- immutable for app_user
```
Fix: `REVOKE UPDATE, DELETE ON revenue_ledger FROM app_user;`, or a trigger that raises on
UPDATE and DELETE.",
};
register_rule!(MUTABLE_LEDGER);
crate::checks::finder!(super::PROBE_FINDERS, find);

fn find(scope: &ProbeScope, findings: &mut Vec<Finding>) {
    if let (Some(specs), Some(mapping)) = (scope.specs, scope.mapping) {
        for entry in &mapping.immutable {
            let Some(table) = specs.catalog.relations.get(&entry.table) else {
                continue;
            };
            for grant in &table.grants {
                let to_listed = grant.grantee == "public"
                    || entry.roles.iter().any(|role| role == &grant.grantee);
                if to_listed && matches!(grant.privilege.as_str(), "UPDATE" | "DELETE") {
                    let grantee = if grant.grantee == "public" {
                        "PUBLIC"
                    } else {
                        grant.grantee.as_str()
                    };
                    findings.push(
                        Finding::new(
                            &MUTABLE_LEDGER,
                            ObjectPath::relation(&entry.table),
                            format!(
                                "{} is immutable for {}, but the specs grant {} on it to {grantee}",
                                entry.table,
                                entry.roles.join(", "),
                                grant.privilege
                            ),
                        )
                        .expected_actual(
                            "no UPDATE or DELETE",
                            format!("{} granted to {grantee}", grant.privilege),
                        )
                        .at(grant.location.as_ref().or(entry.location.as_ref()))
                        .hint(format!(
                            "REVOKE {} ON {} FROM {grantee};",
                            grant.privilege, entry.table
                        )),
                    );
                }
            }
        }
    }
    if let Some(results) = scope.results {
        for privilege in &results.live_privileges {
            findings.push(
                Finding::new(
                    &MUTABLE_LEDGER,
                    ObjectPath::relation(&privilege.table),
                    format!(
                        "{} is immutable for {}, but in the database it may {} its rows",
                        privilege.table, privilege.role, privilege.privilege
                    ),
                )
                .expected_actual(
                    "no UPDATE or DELETE",
                    format!(
                        "{} for {} (directly or through a role it is in)",
                        privilege.privilege, privilege.role
                    ),
                )
                .at(privilege.location.as_ref()),
            );
        }
    }
    for (probe, actual) in scope.failed(&[ProbeKind::Immutable]) {
        findings.push(failed_probe(&MUTABLE_LEDGER, probe, actual));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    const LEDGER: &str = "CREATE TABLE ledger (id integer PRIMARY KEY, cents integer NOT NULL);
         GRANT SELECT, INSERT, UPDATE ON ledger TO app_user;";

    const IMMUTABLE: &str = "version: 1\nimmutable:\n  - table: ledger\n    roles: [app_user]\n";

    #[test]
    fn a_grant_in_the_specs_is_found_without_a_database() {
        let findings = Scenario::specs(LEDGER)
            .mapping(IMMUTABLE)
            .findings_of(&MUTABLE_LEDGER);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn an_update_accepted_as_the_role_and_a_live_privilege_through_public_are_found() {
        let probed = Scenario::specs(LEDGER)
            .mapping(IMMUTABLE)
            .probed()
            .findings_of(&MUTABLE_LEDGER);
        insta::assert_snapshot!("probed", render(&probed));
        // Live: app_user may delete through PUBLIC; the specs grant nothing.
        let live = Scenario::specs("CREATE TABLE ledger (id integer PRIMARY KEY);")
            .mapping(IMMUTABLE)
            .live(
                "CREATE TABLE ledger (id integer PRIMARY KEY);
                 GRANT DELETE ON ledger TO PUBLIC;",
            )
            .findings_of(&MUTABLE_LEDGER);
        insta::assert_snapshot!("live", render(&live));
    }
}
