//! Result types of the built-in operators, aggregates and literals that lineage
//! types exactly. Each table follows PostgreSQL's own overloads; anything not listed
//! is left unknown rather than guessed.

use super::Lineage;
use crate::model::SqlType;
use sqlparser::ast::Value;

/// A value of a built-in type that lineage states exactly.
pub(super) fn typed(type_name: &str, not_null: bool) -> Lineage {
    Lineage {
        name: None,
        data_type: Some(SqlType::parse(type_name)),
        not_null,
        source: None,
    }
}

/// The result type of `+ - * /` between integer and numeric types: the wider integer
/// type (PostgreSQL has cross-type integer operators), or `numeric` when either side
/// is `numeric` (the only candidate with an exact match). Other types: unknown.
pub(super) fn arithmetic_type(left: &SqlType, right: &SqlType) -> Option<&'static str> {
    let rank = |t: &SqlType| -> Option<u8> {
        if t.is_array() {
            return None;
        }
        match t.base() {
            "smallint" => Some(1),
            "integer" => Some(2),
            "bigint" => Some(3),
            "numeric" => Some(4),
            _ => None,
        }
    };
    match rank(left)?.max(rank(right)?) {
        1 => Some("smallint"),
        2 => Some("integer"),
        3 => Some("bigint"),
        _ => Some("numeric"),
    }
}

/// `min`'s and `max`'s result type for an argument type. Aggregates return their
/// declared type without modifiers (`max` of `numeric(6,5)` is `numeric`), and
/// `character varying` is aggregated as `text`.
pub(super) fn min_max_scalar(argument: &SqlType) -> Option<SqlType> {
    if argument.is_array() {
        return None;
    }
    match argument.base() {
        "smallint"
        | "integer"
        | "bigint"
        | "real"
        | "double precision"
        | "numeric"
        | "text"
        | "date"
        | "time without time zone"
        | "time with time zone"
        | "timestamp without time zone"
        | "timestamp with time zone"
        | "interval"
        | "money"
        | "inet" => Some(SqlType::parse(argument.base())),
        "character varying" => Some(SqlType::parse("text")),
        _ => None,
    }
}

/// `sum`'s result type for an argument type (PostgreSQL's `sum` overloads).
pub(super) fn sum_type(argument: &SqlType) -> Option<&'static str> {
    if argument.is_array() {
        return None;
    }
    match argument.base() {
        "smallint" | "integer" => Some("bigint"),
        "bigint" | "numeric" => Some("numeric"),
        "real" => Some("real"),
        "double precision" => Some("double precision"),
        "money" => Some("money"),
        "interval" => Some("interval"),
        _ => None,
    }
}

/// `avg`'s result type for an argument type (PostgreSQL's `avg` overloads).
pub(super) fn avg_type(argument: &SqlType) -> Option<&'static str> {
    if argument.is_array() {
        return None;
    }
    match argument.base() {
        "smallint" | "integer" | "bigint" | "numeric" => Some("numeric"),
        "real" | "double precision" => Some("double precision"),
        "interval" => Some("interval"),
        _ => None,
    }
}

/// The type of a literal as PostgreSQL's parser assigns it. A quoted string in a
/// select list with no other context resolves to `text`.
pub(super) fn literal(value: &Value) -> Lineage {
    match value {
        Value::SingleQuotedString(_) | Value::DollarQuotedString(_) => typed("text", true),
        Value::Boolean(_) => typed("boolean", true),
        Value::Number(digits, _) => {
            let is_integer = digits.chars().all(|c| c.is_ascii_digit());
            if is_integer && digits.parse::<i32>().is_ok() {
                typed("integer", true)
            } else if is_integer && digits.parse::<i64>().is_ok() {
                typed("bigint", true)
            } else {
                typed("numeric", true)
            }
        }
        _ => Lineage::unknown(None),
    }
}
