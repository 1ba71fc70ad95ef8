//! `dto-enum-mismatch`: values a column can hold that a DTO enum does not list.

use crate::checks::contract::Field;
use crate::finding::Finding;
use crate::model::SqlType;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use std::collections::BTreeSet;

/// `dto-enum-mismatch`.
pub static DTO_ENUM_MISMATCH: Rule = Rule {
    id: "dto-enum-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The column can hold values outside the DTO field's enum",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
For a DTO field with `enum`, finds the values the serving column can hold — the labels of its
enum type, or the values a CHECK constraint allows (`IN (…)`, `= ANY (ARRAY[…])`, traced
through views to the table) — and reports values the DTO does not list. A text column with no
such restriction is a warning: nothing stops it from holding other values.

## Why it matters
A client that switches over the enum meets a value it was told cannot exist.

## Example
The DTO allows `idle, running, failed, completed`; the column's CHECK also allows `cancelled`.
Fix: add `cancelled` to the contract, or tighten the CHECK.",
};
register_rule!(DTO_ENUM_MISMATCH);
crate::checks::contract::field_finder!(find);

fn find(served: &Field, findings: &mut Vec<Finding>) {
    let &Field {
        facts,
        node,
        object,
        name: field,
        location,
        ..
    } = served;
    let Some(dto_values) = &node.enum_values else {
        return;
    };
    let declared: Vec<String> = dto_values
        .iter()
        .map(|value| {
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string)
        })
        .collect();
    let expected = declared.join(", ");
    let dto_values: BTreeSet<String> = declared.into_iter().collect();
    match &facts.allowed_values {
        Some(allowed) => {
            let outside: Vec<&String> = allowed.iter().filter(|value| !dto_values.contains(*value)).collect();
            if !outside.is_empty() {
                let outside = outside.iter().map(|value| value.as_str()).collect::<Vec<_>>().join(", ");
                findings.push(
                    Finding::new(
                        &DTO_ENUM_MISMATCH,
                        object.clone(),
                        format!("{object} can hold {outside}, which the enum of {field} does not list"),
                    )
                    .expected_actual(expected, allowed.join(", "))
                    .at(location),
                );
            }
        }
        None if facts.data_type.as_ref().is_some_and(is_text_like) => findings.push(
            Finding::new(
                &DTO_ENUM_MISMATCH,
                object.clone(),
                format!("{field} is an enum, but nothing restricts the values of {object} (no enum type or CHECK … IN)"),
            )
            .severity(Severity::Warning)
            .expected_actual(expected, "any text")
            .hint("add a CHECK (column IN (…)) or use an enum type")
            .at(location),
        ),
        None => {}
    }
}

/// Whether values of the type are unbounded or bounded text.
pub(crate) fn is_text_like(data_type: &SqlType) -> bool {
    matches!(
        data_type.base(),
        "text" | "character varying" | "character" | "bpchar"
    )
}
