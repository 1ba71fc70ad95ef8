//! `dto-length-mismatch`: a DTO `maxLength` shorter than what the column can hold.

use crate::checks::contract::dto_enum_mismatch::is_text_like;
use crate::checks::contract::Field;
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `dto-length-mismatch`.
pub static DTO_LENGTH_MISMATCH: Rule = Rule {
    id: "dto-length-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The column can hold longer strings than the DTO field's maxLength",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
For a DTO field with `maxLength`, checks the serving column's length: `character varying(120)`
against `maxLength: 80` is an error; unbounded `text` is a warning (nothing limits it, but it
may be limited elsewhere). Enum types and CHECK-limited columns are measured by their longest
allowed value.

## Why it matters
Responses longer than the contract allows fail client-side validation.

## Example
`display_name: {type: string, maxLength: 80}` served by `character varying(120)`.
Fix the contract (`maxLength: 120`) or the column (`varchar(80)`).",
};
register_rule!(DTO_LENGTH_MISMATCH);
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
    let (Some(max_length), Some(data_type)) = (node.max_length, &facts.data_type) else {
        return;
    };
    let longest_allowed = facts.allowed_values.as_ref().and_then(|values| {
        values
            .iter()
            .map(|value| value.chars().count() as u64)
            .max()
    });
    let expected = format!("maxLength {max_length}");
    match (longest_allowed, data_type.max_length()) {
        (Some(longest), _) => {
            if longest > max_length {
                findings.push(
                    Finding::new(
                        &DTO_LENGTH_MISMATCH,
                        object.clone(),
                        format!("{object} allows values of {longest} characters, {field} allows {max_length}"),
                    )
                    .expected_actual(expected, format!("{longest} characters"))
                    .at(location),
                );
            }
        }
        (None, Some(length)) => {
            if u64::from(length) > max_length {
                findings.push(
                    Finding::new(
                        &DTO_LENGTH_MISMATCH,
                        object.clone(),
                        format!("{object} is {data_type}, longer than maxLength {max_length} of {field}"),
                    )
                    .expected_actual(expected, data_type.to_string())
                    .at(location),
                );
            }
        }
        (None, None) if is_text_like(data_type) => findings.push(
            Finding::new(
                &DTO_LENGTH_MISMATCH,
                object.clone(),
                format!("{object} is unbounded {data_type}, {field} has maxLength {max_length}"),
            )
            .severity(Severity::Warning)
            .expected_actual(expected, data_type.to_string())
            .hint(format!(
                "use character varying({max_length}) or a CHECK (char_length(…) <= {max_length})"
            ))
            .at(location),
        ),
        (None, None) => {}
    }
}
