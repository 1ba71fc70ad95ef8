//! `dto-type-mismatch`: a DTO field's JSON type against its serving column's type.

use crate::checks::contract::Field;
use crate::contracts::compat::{compatibility, Compatibility};
use crate::contracts::SchemaNode;
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `dto-type-mismatch`.
pub static DTO_TYPE_MISMATCH: Rule = Rule {
    id: "dto-type-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A DTO field's JSON type does not fit the column that serves it",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
Compares each DTO property's JSON Schema type and format with the PostgreSQL type of the
column that serves it, using the compatibility table (overridable with `type_compat:` in the
mapping): `string`+`uuid` ↔ `uuid`; `string`+`date-time` ↔ `timestamp with time zone`
(`timestamp without time zone` warns); `integer` ↔ `smallint`/`integer`/`bigint`
(`int32` against `bigint` warns); `number` ↔ numeric, floating and integer types; `boolean` ↔
`boolean`; `object` ↔ `json`/`jsonb`; `array` ↔ arrays of a compatible type or `json`/`jsonb`.
When the column's type cannot be known statically (an expression in a view), the finding is
`info` (\"type not checked\"): run against a database (`--db`) or a scratch database
(`--dev-db`) to check it.

## Why it matters
Clients are generated from the contract. A `numeric` served as `integer`, or `text` served as
`uuid`, breaks them at run time, not at build time.

## Example
`total_revenue: {type: integer}` served by `total_revenue numeric`.
Fix the contract (`type: number`) or the column type.",
};
register_rule!(DTO_TYPE_MISMATCH);
crate::checks::contract::field_finder!(find);

fn find(served: &Field, findings: &mut Vec<Finding>) {
    let &Field {
        facts,
        node,
        type_compat: overrides,
        object,
        name: field,
        location,
        ..
    } = served;
    let Some(data_type) = &facts.data_type else {
        findings.push(
            Finding::new(
                &DTO_TYPE_MISMATCH,
                object.clone(),
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
        Finding::new(&DTO_TYPE_MISMATCH, object.clone(), message)
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
