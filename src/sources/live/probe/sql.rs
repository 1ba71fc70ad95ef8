//! SQL text the probes send: quoted names and literals.

use crate::model::QualifiedName;
pub(super) use crate::sources::live::session::quote_identifier;

/// `'text'` with inner quotes doubled (standard-conforming strings, as PostgreSQL has
/// them by default).
pub(super) fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `"schema"."name"`.
pub(super) fn relation_sql(name: &QualifiedName) -> String {
    format!(
        "{}.{}",
        quote_identifier(&name.schema),
        quote_identifier(&name.name)
    )
}
