//! `rls-disabled`: a tenant-scoped table without row-level security enabled and forced.

use crate::checks::tenancy::TenantTables;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `rls-disabled`.
pub static RLS_DISABLED: Rule = Rule {
    id: "rls-disabled",
    family: Family::Tenancy,
    default_severity: Severity::Error,
    summary: "Row-level security is not enabled, or not forced, on a tenant-scoped table",
    object_kind: ObjectKind::Table,
    needs_live: false,
    docs: "\
## What it does
With `tenancy: {require_rls: true}`, every tenant-scoped table must have
`ALTER TABLE … ENABLE ROW LEVEL SECURITY` and `ALTER TABLE … FORCE ROW LEVEL SECURITY`, in
the specs and (with a live database or snapshot) in the database.

## Why it matters
Without ENABLE, policies are ignored. Without FORCE, the table's owner — often the role the
application connects as — bypasses every policy, and one missing `WHERE tenant_id = …` leaks
another tenant's data.

## Example
```sql
ALTER TABLE revenue_ledger ENABLE ROW LEVEL SECURITY;   -- but no FORCE
```
Fix: `ALTER TABLE revenue_ledger FORCE ROW LEVEL SECURITY;`",
};
register_rule!(RLS_DISABLED);
crate::checks::finder!(super::TENANCY_FINDERS, find);

fn find(scope: &TenantTables, findings: &mut Vec<Finding>) {
    if !scope.tenancy.require_rls {
        return;
    }
    for relation in scope.tables() {
        if relation.rls_enabled && relation.rls_forced {
            continue;
        }
        let state = match (relation.rls_enabled, relation.rls_forced) {
            (false, false) => "not enabled",
            (false, true) => "forced but not enabled",
            _ => "enabled but not forced",
        };
        findings.push(
            Finding::new(
                &RLS_DISABLED,
                ObjectPath::relation(&relation.name),
                format!(
                    "row-level security on {}{} is {state}",
                    relation.name,
                    scope.side.suffix()
                ),
            )
            .expected_actual("enabled and forced", state)
            .at(relation.location.as_ref())
            .hint(format!(
                "ALTER TABLE {0} ENABLE ROW LEVEL SECURITY; ALTER TABLE {0} FORCE ROW LEVEL SECURITY;",
                relation.name
            )),
        );
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn rls_enabled_but_not_forced_is_reported_and_enabled_and_forced_is_not() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
             ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
             CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
             ALTER TABLE notes FORCE ROW LEVEL SECURITY;",
        )
        .mapping("version: 1\ntenancy:\n  column: tenant_id\n  require_rls: true\n")
        .findings_of(&RLS_DISABLED);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_database_is_judged_too_and_a_finding_on_both_sides_is_reported_once() {
        let specs = "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
                     ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
                     ALTER TABLE ledger FORCE ROW LEVEL SECURITY;
                     CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);";
        let findings = Scenario::specs(specs)
            .live(
                "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
                 ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
                 CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
                 CREATE TABLE live_only (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);",
            )
            .mapping("tenancy:\n  column: tenant_id\n  require_rls: true\n")
            .findings_of(&RLS_DISABLED);
        insta::assert_snapshot!(render(&findings));
    }
}
