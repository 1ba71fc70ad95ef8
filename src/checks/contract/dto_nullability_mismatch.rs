//! `dto-nullability-mismatch`: a required, non-nullable DTO field served by a column that
//! can be null.

use crate::checks::contract::{Field, Nullability};
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `dto-nullability-mismatch`.
pub static DTO_NULLABILITY_MISMATCH: Rule = Rule {
    id: "dto-nullability-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A required, non-nullable DTO field is served by a nullable column",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
A read model serves responses, so every value the column can hold must satisfy the DTO. A
field that is `required` and not nullable (no `nullable: true`, no `\"null\"` in `type`) must
be served by a `NOT NULL` column (for views: a column whose lineage proves it non-null; an
outer join makes it nullable). The reverse — the DTO allows null, the column never holds it —
is fine and not reported.

## Why it matters
The first null row breaks every client that trusted the contract.

## Example
`last_run_at` is required and non-nullable in `ReconciliationStatusResponse`, but
`reconciliation_runs.last_run_at` is nullable.
Fix: make the DTO honest (`nullable: true` / `type: [string, \"null\"]`) or the column
`NOT NULL` (or `coalesce` it in the view).",
};
register_rule!(DTO_NULLABILITY_MISMATCH);
crate::checks::contract::field_finder!(find);

fn find(served: &Field, findings: &mut Vec<Finding>) {
    let &Field {
        facts,
        node,
        required,
        object,
        name: field,
        location,
        ..
    } = served;
    if !required || node.nullable {
        return;
    }
    match facts.nullability {
        Nullability::NotNull => {}
        Nullability::Nullable => findings.push(
            Finding::new(
                &DTO_NULLABILITY_MISMATCH,
                object.clone(),
                format!("{field} is required and not nullable, but {object} can be null"),
            )
            .expected_actual("NOT NULL", "nullable")
            .hint("mark the field nullable in the contract, or make the column NOT NULL")
            .at(location),
        ),
        Nullability::Unknown => findings.push(
            Finding::new(
                &DTO_NULLABILITY_MISMATCH,
                object.clone(),
                format!("nullability not checked: {object} is an expression the specs cannot prove non-null (serves {field})"),
            )
            .severity(Severity::Info)
            .at(location),
        ),
    }
}
