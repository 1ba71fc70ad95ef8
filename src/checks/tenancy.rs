//! The `tenancy` family: every tenant-scoped table carries the tenant column, has
//! row-level security enabled and forced, and a policy on the tenant column.

use super::{Family, Inputs, Outcome, Rule};
use crate::finding::{Finding, Severity};
use crate::mapping::Tenancy;
use crate::model::Relation;

/// `missing-tenant-column`.
pub const MISSING_TENANT_COLUMN: Rule = Rule {
    id: "missing-tenant-column",
    family: Family::Tenancy,
    default_severity: Severity::Error,
    summary: "A tenant-scoped table lacks the tenant column",
    documentation: "\
## What it does
With `tenancy:` in the mapping, every table (and partitioned table) in scope that is not
listed under `exempt:` must have the tenant column (`column:`, e.g. `tenant_id`). Views and
materialized views are not checked: they inherit scoping from their tables.

## Why it matters
A table without the tenant column cannot be isolated by tenant: its rows are shared by every
tenant, or isolated only by convention in application code.

## Example
`CREATE TABLE dead_events (id uuid PRIMARY KEY, payload jsonb)` while the tenancy column is
`tenant_id`. Fix: add `tenant_id uuid NOT NULL REFERENCES tenants(id)`, or list the table
under `exempt:` if it is global on purpose.",
};

/// `rls-disabled`.
pub const RLS_DISABLED: Rule = Rule {
    id: "rls-disabled",
    family: Family::Tenancy,
    default_severity: Severity::Error,
    summary: "Row-level security is not enabled, or not forced, on a tenant-scoped table",
    documentation: "\
## What it does
With `tenancy: {require_rls: true}`, every tenant-scoped table must have
`ALTER TABLE … ENABLE ROW LEVEL SECURITY` and `ALTER TABLE … FORCE ROW LEVEL SECURITY`.

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

/// `missing-tenant-policy`.
pub const MISSING_TENANT_POLICY: Rule = Rule {
    id: "missing-tenant-policy",
    family: Family::Tenancy,
    default_severity: Severity::Error,
    summary: "A tenant-scoped table has no policy that filters on the tenant column",
    documentation: "\
## What it does
With `tenancy: {require_rls: true}`, every tenant-scoped table needs at least one permissive
policy whose `USING` (or `WITH CHECK`) expression uses the tenant column.

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

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    let (Some(specs), Some(tenancy)) = (
        inputs.specs,
        inputs.mapping.and_then(|mapping| mapping.tenancy.as_ref()),
    ) else {
        outcome
            .skipped
            .push("tenancy: needs specs and a `tenancy:` section in the mapping".into());
        return;
    };
    for relation in specs.catalog.relations.values() {
        if relation.kind.is_table() && !tenancy.exempt.contains(&relation.name) {
            check_table(relation, tenancy, &mut outcome.findings);
        }
    }
}

fn check_table(relation: &Relation, tenancy: &Tenancy, findings: &mut Vec<Finding>) {
    let location = relation.location.as_ref();
    if relation.column(&tenancy.column).is_none() {
        findings.push(
            Finding::new(
                &MISSING_TENANT_COLUMN,
                relation.name.to_string(),
                format!(
                    "{} is tenant-scoped but has no {} column",
                    relation.name, tenancy.column
                ),
            )
            .expected(tenancy.column.clone())
            .at(location)
            .hint("add the tenant column, or list the table under tenancy.exempt if it is global"),
        );
    }
    if !tenancy.require_rls {
        return;
    }
    if !relation.rls_enabled || !relation.rls_forced {
        let state = match (relation.rls_enabled, relation.rls_forced) {
            (false, false) => "not enabled",
            (false, true) => "forced but not enabled",
            _ => "enabled but not forced",
        };
        findings.push(
            Finding::new(
                &RLS_DISABLED,
                relation.name.to_string(),
                format!("row-level security on {} is {state}", relation.name),
            )
            .expected_actual("enabled and forced", state)
            .at(location)
            .hint(format!(
                "ALTER TABLE {0} ENABLE ROW LEVEL SECURITY; ALTER TABLE {0} FORCE ROW LEVEL SECURITY;",
                relation.name
            )),
        );
    }
    let filters_tenant = relation.policies.values().any(|policy| {
        policy.permissive
            && [&policy.using, &policy.with_check]
                .into_iter()
                .flatten()
                .any(|expression| mentions_identifier(expression, &tenancy.column))
    });
    if !filters_tenant {
        findings.push(
            Finding::new(
                &MISSING_TENANT_POLICY,
                relation.name.to_string(),
                format!("{} has no permissive policy that filters on {}", relation.name, tenancy.column),
            )
            .at(location)
            .hint(format!(
                "CREATE POLICY tenant_isolation_policy ON {} USING ({} = current_setting('app.current_tenant')::{});",
                relation.name,
                tenancy.column,
                relation
                    .column(&tenancy.column)
                    .and_then(|column| column.data_type.as_ref())
                    .map_or_else(|| "uuid".to_string(), ToString::to_string)
            )),
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
    use super::mentions_identifier;

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
