//! `tenant-isolation-failed`: tried as a tenant in a scratch database, a tenant-scoped
//! table showed or accepted another tenant's rows.

use crate::checks::probe::{failed_probe, ProbeScope};
use crate::finding::Finding;
use crate::model::ProbeKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `tenant-isolation-failed`.
pub static TENANT_ISOLATION_FAILED: Rule = Rule {
    id: "tenant-isolation-failed",
    family: Family::Probe,
    default_severity: Severity::Error,
    summary: "Tried in a scratch database, a tenant-scoped table leaked rows to another tenant or accepted another tenant's id",
    object_kind: ObjectKind::Table,
    needs_live: true,
    docs: "\
## What it does
With `--probe`, for every tenant-scoped table of the mapping's `tenancy:`, pgparity inserts a
row of tenant A and one of tenant B in the scratch database and then, as a role that neither
owns the table nor bypasses row-level security (`tenancy.role`, else a role it creates for the
run with the table's privileges) and with the tenant setting the policies read (from their
`current_setting('…')`, or `tenancy.setting`) set to B: A's row must be invisible (after
checking that A sees it); inserting a row with A's tenant id and moving B's row to A must be
refused; with the setting empty, no row may be visible. The statement that leaked is
reported.

## Why it matters
A policy that reads the wrong setting, a permissive `WITH CHECK (true)` beside the tenant
policy, or a grant to a role with BYPASSRLS all pass a review of the policy text and leak
every tenant's data in production.

## Example
```sql
CREATE POLICY tenant_read ON dead_events FOR SELECT USING (tenant_id = current_setting('app.current_tenant_id')::uuid);
CREATE POLICY tenant_write ON dead_events FOR INSERT WITH CHECK (true);   -- any tenant id
```
Fix: compare the tenant in the write policy too: `WITH CHECK (tenant_id = current_setting('app.current_tenant_id')::uuid)`.",
};
register_rule!(TENANT_ISOLATION_FAILED);
crate::checks::finder!(super::PROBE_FINDERS, find);

fn find(scope: &ProbeScope, findings: &mut Vec<Finding>) {
    for (probe, actual) in scope.failed(&[ProbeKind::TenantIsolation]) {
        findings.push(failed_probe(&TENANT_ISOLATION_FAILED, probe, actual));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_write_policy_that_checks_no_tenant_and_a_read_policy_that_shows_all_are_caught() {
        let findings = Scenario::specs(
            "CREATE TABLE tenants (id uuid PRIMARY KEY);
             CREATE TABLE notes (
                 id uuid PRIMARY KEY,
                 tenant_id uuid NOT NULL REFERENCES tenants (id),
                 body text NOT NULL
             );
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
             ALTER TABLE notes FORCE ROW LEVEL SECURITY;
             CREATE POLICY read ON notes FOR SELECT
                 USING (tenant_id = current_setting('app.tenant')::uuid);
             CREATE POLICY write ON notes FOR INSERT WITH CHECK (true);
             CREATE TABLE memos (
                 id uuid PRIMARY KEY,
                 tenant_id uuid NOT NULL REFERENCES tenants (id)
             );
             ALTER TABLE memos ENABLE ROW LEVEL SECURITY;
             CREATE POLICY everything ON memos
                 USING (current_setting('app.tenant') IS NOT NULL);
             CREATE TABLE safe (
                 id uuid PRIMARY KEY,
                 tenant_id uuid NOT NULL REFERENCES tenants (id)
             );
             ALTER TABLE safe ENABLE ROW LEVEL SECURITY;
             CREATE POLICY tenant ON safe USING (tenant_id = current_setting('app.tenant')::uuid);",
        )
        .mapping("version: 1\ntenancy:\n  column: tenant_id\n  exempt: [tenants]\n")
        .probed()
        .findings_of(&TENANT_ISOLATION_FAILED);
        insta::assert_snapshot!(render(&findings));
    }
}
