//! What the specs (or the database) prove about the values a column can hold, and the
//! checks of one DTO field against them: type, nullability, enum and length.

use super::{DTO_ENUM_MISMATCH, DTO_LENGTH_MISMATCH, DTO_NULLABILITY_MISMATCH, DTO_TYPE_MISMATCH};
use crate::contracts::compat::{compatibility, Compatibility};
use crate::contracts::SchemaNode;
use crate::finding::{Finding, Severity};
use crate::model::{Location, SqlType};
use std::collections::BTreeSet;

/// Whether a column can hold null, as far as the specs tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Nullability {
    NotNull,
    Nullable,
    Unknown,
}

/// What the specs prove about the values a column can hold.
pub(super) struct ColumnFacts {
    pub(super) data_type: Option<SqlType>,
    pub(super) is_enum: bool,
    pub(super) allowed_values: Option<Vec<String>>,
    pub(super) nullability: Nullability,
}

pub(super) fn check_type(
    facts: &ColumnFacts,
    node: &SchemaNode,
    overrides: &[crate::mapping::TypeCompat],
    object: &str,
    field: &str,
    location: Option<&Location>,
    findings: &mut Vec<Finding>,
) {
    let Some(data_type) = &facts.data_type else {
        findings.push(
            Finding::new(
                &DTO_TYPE_MISMATCH,
                object,
                format!("type not checked: {object} is an expression whose type the specs do not state (serves {field})"),
            )
            .severity(Severity::Info)
            .hint(format!(
                "cast the expression in the view (`(…)::{}`) so the specs state its type",
                cast_for(node)
            ))
            .at(location),
        );
        return;
    };
    let finding = |message: String, severity: Severity| {
        Finding::new(&DTO_TYPE_MISMATCH, object, message)
            .severity(severity)
            .expected_actual(json_type_text(node), data_type.to_string())
            .at(location)
    };
    match compatibility(node, data_type, facts.is_enum, overrides) {
        Compatibility::Compatible => {}
        Compatibility::Warning(why) => findings.push(finding(
            format!("{field} is served by {data_type}: {why}"),
            Severity::Warning,
        )),
        Compatibility::Incompatible(why) => findings.push(finding(
            format!("{field} is served by {data_type}: {why}"),
            Severity::Error,
        )),
        Compatibility::Unknown(why) => findings.push(finding(
            format!("type not checked for {field}: {why}"),
            Severity::Info,
        )),
    }
}

/// The PostgreSQL type a view should cast an expression to so that it serves `node`.
fn cast_for(node: &SchemaNode) -> &'static str {
    let format = node.format.as_deref();
    match node.types.first().map(String::as_str) {
        Some("string") => match format {
            Some("uuid") => "uuid",
            Some("date-time") => "timestamptz",
            Some("date") => "date",
            _ => "text",
        },
        Some("integer") if format == Some("int32") => "integer",
        Some("integer") => "bigint",
        Some("boolean") => "boolean",
        Some("object" | "array") => "jsonb",
        _ => "numeric",
    }
}

fn json_type_text(node: &SchemaNode) -> String {
    let mut text = if node.types.is_empty() {
        "any".to_string()
    } else {
        node.types.join("|")
    };
    if let Some(format) = &node.format {
        text.push_str(&format!(" ({format})"));
    }
    text
}

pub(super) fn check_nullability(
    facts: &ColumnFacts,
    node: &SchemaNode,
    required: bool,
    object: &str,
    field: &str,
    location: Option<&Location>,
    findings: &mut Vec<Finding>,
) {
    if !required || node.nullable {
        return;
    }
    match facts.nullability {
        Nullability::NotNull => {}
        Nullability::Nullable => findings.push(
            Finding::new(
                &DTO_NULLABILITY_MISMATCH,
                object,
                format!("{field} is required and not nullable, but {object} can be null"),
            )
            .expected_actual("NOT NULL", "nullable")
            .hint("mark the field nullable in the contract, or make the column NOT NULL")
            .at(location),
        ),
        Nullability::Unknown => findings.push(
            Finding::new(
                &DTO_NULLABILITY_MISMATCH,
                object,
                format!("nullability not checked: {object} is an expression the specs cannot prove non-null (serves {field})"),
            )
            .severity(Severity::Info)
            .at(location),
        ),
    }
}

pub(super) fn check_enum(
    facts: &ColumnFacts,
    node: &SchemaNode,
    object: &str,
    field: &str,
    location: Option<&Location>,
    findings: &mut Vec<Finding>,
) {
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
                        object,
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
                object,
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

fn is_text_like(data_type: &SqlType) -> bool {
    matches!(
        data_type.base(),
        "text" | "character varying" | "character" | "bpchar"
    )
}

pub(super) fn check_length(
    facts: &ColumnFacts,
    node: &SchemaNode,
    object: &str,
    field: &str,
    location: Option<&Location>,
    findings: &mut Vec<Finding>,
) {
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
                        object,
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
                        object,
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
                object,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn node(json_type: &str, format: Option<&str>) -> SchemaNode {
        SchemaNode {
            types: vec![json_type.to_string()],
            format: format.map(str::to_string),
            ..SchemaNode::default()
        }
    }

    #[test]
    fn the_suggested_cast_fits_the_dto_type() {
        assert_eq!(cast_for(&node("string", None)), "text");
        assert_eq!(cast_for(&node("string", Some("date-time"))), "timestamptz");
        assert_eq!(cast_for(&node("integer", Some("int32"))), "integer");
        assert_eq!(cast_for(&node("integer", None)), "bigint");
        assert_eq!(cast_for(&node("number", None)), "numeric");
    }
}
