//! `missing-tenant-policy`: a tenant-scoped table without a policy on the tenant column.

use crate::checks::tenancy::TenantTables;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-tenant-policy`.
pub static MISSING_TENANT_POLICY: Rule = Rule {
    id: "missing-tenant-policy",
    family: Family::Tenancy,
    default_severity: Severity::Error,
    summary: "A tenant-scoped table has no policy that filters on the tenant column",
    object_kind: ObjectKind::Table,
    needs_live: false,
    docs: "\
## What it does
With `tenancy: {require_rls: true}`, every tenant-scoped table needs at least one permissive
policy whose `USING` (or `WITH CHECK`) expression uses the tenant column, in the specs and
(with a live database or snapshot) in the database.

## Why it matters
RLS enabled without such a policy either denies everything (no policy) or isolates by
something other than the tenant.

## Example
```sql
CREATE POLICY tenant_isolation_policy ON revenue_ledger
  USING (tenant_id = current_setting('app.current_tenant_id')::uuid);
```
is the fix for a table that has none.",
};
register_rule!(MISSING_TENANT_POLICY);
crate::checks::finder!(super::TENANCY_FINDERS, find);

fn find(scope: &TenantTables, findings: &mut Vec<Finding>) {
    let tenancy = scope.tenancy;
    if !tenancy.require_rls {
        return;
    }
    for relation in scope.tables() {
        let filters_tenant = relation.policies.values().any(|policy| {
            policy.permissive
                && [&policy.using, &policy.with_check]
                    .into_iter()
                    .flatten()
                    .any(|expression| mentions_identifier(expression, &tenancy.column))
        });
        if filters_tenant {
            continue;
        }
        findings.push(
            Finding::new(
                &MISSING_TENANT_POLICY,
                ObjectPath::relation(&relation.name),
                format!(
                    "{}{} has no permissive policy that filters on {}",
                    relation.name,
                    scope.side.suffix(),
                    tenancy.column
                ),
            )
            .at(relation.location.as_ref())
            .hint(match relation.column(&tenancy.column) {
                Some(column) => format!(
                    "CREATE POLICY tenant_isolation_policy ON {} USING ({} = current_setting('app.current_tenant')::{});",
                    relation.name,
                    tenancy.column,
                    column
                        .data_type
                        .as_ref()
                        .map_or_else(|| "uuid".to_string(), ToString::to_string)
                ),
                // A policy on a column the table lacks would not apply: the column
                // comes first (missing-tenant-column says so).
                None => format!(
                    "{} has no {} column to filter on: add it first (missing-tenant-column), then a \
                     policy that filters on it, or list the table under tenancy.exempt if it is global",
                    relation.name, tenancy.column
                ),
            }),
        );
    }
}

/// Whether `identifier` occurs in `expression` as a whole word (quoted or not),
/// outside string literals.
fn mentions_identifier(expression: &str, identifier: &str) -> bool {
    let mut word = String::new();
    let mut in_string = false;
    let mut found = false;
    let mut check = |word: &mut String| {
        if word.trim_matches('"').eq_ignore_ascii_case(identifier) {
            found = true;
        }
        word.clear();
    };
    for c in expression.chars() {
        if in_string {
            in_string = c != '\'';
            continue;
        }
        if c == '\'' {
            check(&mut word);
            in_string = true;
        } else if c.is_alphanumeric() || c == '_' || c == '"' {
            word.push(c);
        } else {
            check(&mut word);
        }
    }
    check(&mut word);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_policy_that_does_not_filter_on_the_tenant_column_is_reported() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
             ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
             ALTER TABLE ledger FORCE ROW LEVEL SECURITY;
             CREATE POLICY owner_only ON ledger USING (id IS NOT NULL);
             CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);
             ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
             ALTER TABLE notes FORCE ROW LEVEL SECURITY;
             CREATE POLICY tenant_isolation ON notes
                 USING (tenant_id = current_setting('app.current_tenant_id')::uuid);",
        )
        .mapping(MAPPING)
        .findings_of(&MISSING_TENANT_POLICY);
        insta::assert_snapshot!(render(&findings));
    }

    const MAPPING: &str = "version: 1\ntenancy:\n  column: tenant_id\n  require_rls: true\n";

    #[test]
    fn the_hint_never_filters_on_a_column_the_table_lacks() {
        let findings = Scenario::specs(
            "CREATE TABLE audit_notes (id uuid PRIMARY KEY, body text);
             CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);",
        )
        .mapping(MAPPING)
        .findings_of(&MISSING_TENANT_POLICY);
        let audit = findings
            .iter()
            .find(|finding| finding.object == "public.audit_notes")
            .expect("a finding on the table without the column");
        let hint = audit.hint.as_deref().unwrap_or_default();
        assert!(!hint.contains("CREATE POLICY"), "{hint}");
        assert!(hint.contains("add it first"), "{hint}");
        let notes = findings
            .iter()
            .find(|finding| finding.object == "public.notes")
            .expect("a finding on the table with the column");
        assert!(notes.hint.as_deref().unwrap_or_default().starts_with(
            "CREATE POLICY tenant_isolation_policy ON public.notes USING (tenant_id ="
        ));
    }

    #[test]
    fn finds_the_tenant_column_as_a_word_outside_strings() {
        assert!(mentions_identifier(
            "(tenant_id = current_setting('app.tenant')::uuid)",
            "tenant_id"
        ));
        assert!(mentions_identifier("t.\"tenant_id\" = x", "tenant_id"));
        assert!(!mentions_identifier("(owner_tenant_id = x)", "tenant_id"));
        assert!(!mentions_identifier(
            "current_setting('tenant_id') = 'x'",
            "tenant_id"
        ));
    }
}
