//! Whether a column's values can be served as a DTO field: the JSON → PostgreSQL
//! compatibility table of PRODUCT.md, overridable by the mapping's `type_compat:`.
//!
//! The question is asked in the response direction: every value the column can hold,
//! serialized the usual way (`row_to_json`, or a driver's default), must satisfy the
//! field's `type` and `format`. Types whose values serialize as JSON strings (`uuid`,
//! `date`, timestamps, `interval`, `inet`, …) therefore serve a `string` without a
//! `format`; a `format` narrows what is accepted, so a `text` column serving a
//! `format: uuid` field is only a warning (it may hold other text).

use super::model::SchemaNode;
use crate::model::{Location, SqlType};

/// One `type_compat:` override of the mapping: JSON types a PostgreSQL type may serve
/// beyond the built-in table.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeCompat {
    /// JSON Schema `type`.
    pub json_type: String,
    /// JSON Schema `format`, when the override is for one.
    pub format: Option<String>,
    /// Compatible PostgreSQL types (canonical base names are compared).
    pub postgres: Vec<SqlType>,
    /// Where the override is.
    pub location: Option<Location>,
}

/// The verdict for one field/column pair. The text says why, for the finding message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compatibility {
    /// Every value of the column satisfies the field.
    Compatible,
    /// Usually fine, but some values or serializations may not satisfy the field.
    Warning(String),
    /// The column's values do not satisfy the field.
    Incompatible(String),
    /// Cannot be decided: the field has no `type`, or the column's type is not one the
    /// table knows.
    Unknown(String),
}

impl Compatibility {
    /// Orders verdicts from best to worst, to pick the best over a field's types.
    fn rank(&self) -> u8 {
        match self {
            Compatibility::Compatible => 0,
            Compatibility::Warning(_) => 1,
            Compatibility::Unknown(_) => 2,
            Compatibility::Incompatible(_) => 3,
        }
    }
}

/// Whether `column` can serve `field`.
///
/// `column` is the column's type with any domain already resolved to its base type
/// (the caller knows the catalog; this table does not); `column_is_enum` says that
/// its base (the element type, for an array column) is an enum type. An `overrides`
/// entry whose `type` (and `format`, when it gives one) matches the field and whose
/// `postgres` list holds the column type makes the pair compatible; a listed type
/// without modifiers covers every modifier (`numeric` covers `numeric(10,2)`). A field
/// with several types (`type: [string, integer]`) is served when any of them is.
pub fn compatibility(
    field: &SchemaNode,
    column: &SqlType,
    column_is_enum: bool,
    overrides: &[TypeCompat],
) -> Compatibility {
    if field.types.is_empty() {
        return Compatibility::Unknown(format!(
            "the contract gives no `type` for this field, so {column} is not checked"
        ));
    }
    field
        .types
        .iter()
        .map(|json_type| {
            if is_overridden(json_type, field.format.as_deref(), column, overrides) {
                Compatibility::Compatible
            } else {
                compare(json_type, field, column, column_is_enum, overrides)
            }
        })
        .min_by_key(Compatibility::rank)
        .unwrap_or_else(|| Compatibility::Unknown("no type to compare".into()))
}

fn is_overridden(
    json_type: &str,
    format: Option<&str>,
    column: &SqlType,
    overrides: &[TypeCompat],
) -> bool {
    overrides.iter().any(|entry| {
        entry.json_type == json_type
            && entry
                .format
                .as_deref()
                .is_none_or(|wanted| Some(wanted) == format)
            && entry.postgres.iter().any(|listed| {
                listed.base() == column.base()
                    && listed.is_array() == column.is_array()
                    && (listed.modifiers().is_empty() || listed.modifiers() == column.modifiers())
            })
    })
}

/// Built-in types whose values serialize as JSON strings.
const STRING_VALUED: &[&str] = &[
    "text",
    "character varying",
    "character",
    "bpchar",
    "name",
    "uuid",
    "date",
    "timestamp with time zone",
    "timestamp without time zone",
    "time with time zone",
    "time without time zone",
    "interval",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "bytea",
    "money",
    "xml",
    "bit",
    "bit varying",
    "tsvector",
    "tsquery",
];

/// Built-in types that hold any text, so they may hold text outside a `format`.
const FREE_TEXT: &[&str] = &["text", "character varying", "character", "bpchar", "name"];

fn compare(
    json_type: &str,
    field: &SchemaNode,
    column: &SqlType,
    column_is_enum: bool,
    overrides: &[TypeCompat],
) -> Compatibility {
    use Compatibility::{Compatible, Incompatible, Unknown, Warning};
    let base = column.base();
    if column.is_array() {
        return match (json_type, field.items.as_deref()) {
            ("array", None) => Compatible,
            ("array", Some(items)) => {
                match compatibility(items, &column.element(), column_is_enum, overrides) {
                    Compatible => Compatible,
                    Warning(why) => Warning(format!("array items: {why}")),
                    Incompatible(why) => Incompatible(format!("array items: {why}")),
                    Unknown(why) => Unknown(format!("array items: {why}")),
                }
            }
            _ => Incompatible(format!(
                "{column} serializes as a JSON array, not as a JSON {json_type}"
            )),
        };
    }
    if base == "json" || base == "jsonb" {
        return match json_type {
            "object" | "array" => Compatible,
            _ => Warning(format!(
                "a {base} column may hold any JSON value, not only a {json_type}"
            )),
        };
    }
    if !column.is_builtin() && !column_is_enum {
        return Unknown(format!(
            "{column} is not a built-in type; the table covers built-in and enum types (map it with `type_compat:` to check it)"
        ));
    }
    match json_type {
        "string" => compare_string(field.format.as_deref(), column, column_is_enum),
        "integer" => compare_integer(field.format.as_deref(), column),
        "number" => match base {
            "numeric" | "double precision" | "real" | "smallint" | "integer" | "bigint" => {
                Compatible
            }
            _ => Incompatible(format!("{column} does not serialize as a JSON number")),
        },
        "boolean" => match base {
            "boolean" => Compatible,
            _ => Incompatible(format!("{column} does not serialize as a JSON boolean")),
        },
        "object" => Incompatible(format!(
            "{column} does not serialize as a JSON object (json or jsonb does)"
        )),
        "array" => Incompatible(format!(
            "{column} does not serialize as a JSON array (a PostgreSQL array, json or jsonb does)"
        )),
        other => Unknown(format!("JSON type `{other}` is not in the table")),
    }
}

fn compare_string(format: Option<&str>, column: &SqlType, column_is_enum: bool) -> Compatibility {
    use Compatibility::{Compatible, Incompatible, Warning};
    let base = column.base();
    let free_text = FREE_TEXT.contains(&base) || column_is_enum;
    let may_hold_other_text = |what: &str| {
        Warning(format!(
            "{column} may hold text that is not {what}; a uuid, date or timestamp column guarantees it"
        ))
    };
    match format {
        Some("uuid") => match base {
            "uuid" => Compatible,
            _ if free_text => may_hold_other_text("a UUID"),
            _ => Incompatible(format!("{column} values are not UUIDs")),
        },
        Some("date-time") => match base {
            "timestamp with time zone" => Compatible,
            "timestamp without time zone" => Warning(format!(
                "{column} serializes without a UTC offset, which RFC 3339 `date-time` requires; use timestamp with time zone"
            )),
            _ if free_text => may_hold_other_text("a date-time"),
            _ => Incompatible(format!("{column} values are not RFC 3339 date-times")),
        },
        Some("date") => match base {
            "date" => Compatible,
            _ if free_text => may_hold_other_text("a date"),
            _ => Incompatible(format!("{column} values are not `date` (YYYY-MM-DD) strings")),
        },
        _ => match base {
            _ if free_text || STRING_VALUED.contains(&base) => Compatible,
            "numeric" | "bigint" => Warning(format!(
                "{column} serializes as a JSON number unless the API formats it as text"
            )),
            _ => Incompatible(format!("{column} does not serialize as a JSON string")),
        },
    }
}

fn compare_integer(format: Option<&str>, column: &SqlType) -> Compatibility {
    use Compatibility::{Compatible, Incompatible, Warning};
    let base = column.base();
    let int32 = format == Some("int32");
    match base {
        "bigint" if int32 => Warning(format!(
            "{column} values can exceed the int32 range of the field; use format int64"
        )),
        "smallint" | "integer" | "bigint" => Compatible,
        "numeric" => match column.modifiers() {
            [precision, 0] if int32 && *precision > 9 => Warning(format!(
                "{column} values can exceed the int32 range of the field"
            )),
            [_, 0] => Compatible,
            [] => Warning(format!(
                "{column} may hold fractions; numeric(p,0) holds only integers"
            )),
            _ => Incompatible(format!(
                "{column} holds fractions an integer field cannot carry"
            )),
        },
        _ => Incompatible(format!("{column} does not serialize as a JSON integer")),
    }
}

#[cfg(test)]
mod tests;
