//! `missing-tenant-column`: a tenant-scoped table without the tenant column.

use crate::checks::tenancy::TenantTables;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-tenant-column`.
pub static MISSING_TENANT_COLUMN: Rule = Rule {
    id: "missing-tenant-column",
    family: Family::Tenancy,
    default_severity: Severity::Error,
    summary: "A tenant-scoped table lacks the tenant column",
    object_kind: ObjectKind::Table,
    needs_live: false,
    docs: "\
## What it does
With `tenancy:` in the mapping, every table (and partitioned table) in scope is
tenant-scoped unless it is listed under `exempt:`, and a tenant-scoped table must have the
tenant column (`column:`, e.g. `tenant_id`), in the specs and (with a live database or
snapshot) in the database. Views and materialized views are not checked: they inherit
scoping from their tables. The hint adds the column with the type the other tables give it.

## Why it matters
A table without the tenant column cannot be isolated by tenant: its rows are shared by every
tenant, or isolated only by convention in application code.

## Example
`CREATE TABLE dead_events (id uuid PRIMARY KEY, payload jsonb)` while the tenancy column is
`tenant_id`. Fix: add `tenant_id uuid NOT NULL REFERENCES tenants(id)`, or list the table
under `exempt:` if it is global on purpose.",
};
register_rule!(MISSING_TENANT_COLUMN);
crate::checks::finder!(super::TENANCY_FINDERS, find);

fn find(scope: &TenantTables, findings: &mut Vec<Finding>) {
    let tenancy = scope.tenancy;
    let column_type = scope.tenant_column_type();
    for relation in scope.tables() {
        if relation.column(&tenancy.column).is_some() {
            continue;
        }
        findings.push(
            Finding::new(
                &MISSING_TENANT_COLUMN,
                ObjectPath::relation(&relation.name),
                format!(
                    "{}{} is tenant-scoped but has no {} column",
                    relation.name,
                    scope.side.suffix(),
                    tenancy.column
                ),
            )
            .expected(tenancy.column.clone())
            .at(relation.location.as_ref())
            .hint(match &column_type {
                Some(data_type) => format!(
                    "ALTER TABLE {} ADD COLUMN {} {data_type} NOT NULL; or list the table under \
                     tenancy.exempt if it is global",
                    relation.name, tenancy.column
                ),
                None => format!(
                    "add the {} column, or list the table under tenancy.exempt if it is global",
                    tenancy.column
                ),
            }),
        );
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_table_without_the_tenant_column_is_reported_unless_exempt() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY);
             CREATE TABLE currencies (code text PRIMARY KEY);
             CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);",
        )
        .mapping(
            "version: 1\ntenancy:\n  column: tenant_id\n  require_rls: false\n  exempt: [public.currencies]\n",
        )
        .findings_of(&MISSING_TENANT_COLUMN);
        insta::assert_snapshot!(render(&findings));
    }
}
