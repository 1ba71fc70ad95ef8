use serde::{Deserialize, Serialize};
use std::fmt;

/// A schema-qualified object name, compared exactly (identifiers are already folded:
/// unquoted names lower-cased, quoted names kept as written).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    /// The schema, e.g. `public`.
    pub schema: String,
    /// The object's own name.
    pub name: String,
}

impl QualifiedName {
    /// `schema.name`.
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }

    /// Parses `schema.name` or `name` (then `default_schema` applies). Double quotes
    /// around either part are removed and keep the case; unquoted parts are lower-cased.
    pub fn parse(text: &str, default_schema: &str) -> Self {
        let parts = split_identifier_path(text.trim());
        match parts.as_slice() {
            [schema, name] => QualifiedName::new(schema.clone(), name.clone()),
            [name] => QualifiedName::new(default_schema, name.clone()),
            _ => {
                let mut parts = parts;
                let name = parts.pop().unwrap_or_default();
                let schema = parts.pop().unwrap_or_else(|| default_schema.to_string());
                QualifiedName::new(schema, name)
            }
        }
    }

    /// The object path of something that lives inside this relation, e.g. a column:
    /// `public.revenue_ledger.revenue_cents`.
    pub fn child(&self, member: &str) -> String {
        format!("{}.{}.{}", self.schema, self.name, member)
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Splits `a.b."C.d"` into folded identifiers: unquoted parts lower-cased, quoted parts
/// verbatim with `""` unescaped.
pub fn split_identifier_path(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted_part = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted_part = true;
                while let Some(q) = chars.next() {
                    if q == '"' {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            current.push('"');
                        } else {
                            break;
                        }
                    } else {
                        current.push(q);
                    }
                }
            }
            '.' => {
                parts.push(std::mem::take(&mut current));
                quoted_part = false;
            }
            c if quoted_part => current.push(c),
            c => current.push(c.to_ascii_lowercase()),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|part| truncate_identifier(&part).to_string())
        .collect()
}

/// PostgreSQL's identifier limit: `NAMEDATALEN - 1` bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// An identifier as PostgreSQL stores it: an unquoted one lower-cased (ASCII letters
/// only, as the server does in multi-byte encodings such as UTF-8), and every one cut to
/// [`MAX_IDENTIFIER_BYTES`] at a character boundary (the server truncates longer names
/// with a NOTICE, so `CREATE INDEX <70 bytes>` is stored under its first 63).
pub fn fold_identifier(value: &str, quoted: bool) -> String {
    if quoted {
        truncate_identifier(value).to_string()
    } else {
        truncate_identifier(&value.to_ascii_lowercase()).to_string()
    }
}

/// The longest prefix of `name` of at most [`MAX_IDENTIFIER_BYTES`] bytes that ends on a
/// character boundary.
pub fn truncate_identifier(name: &str) -> &str {
    let mut end = MAX_IDENTIFIER_BYTES.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualified_and_quoted_names() {
        assert_eq!(
            QualifiedName::parse("Revenue_Ledger", "public"),
            QualifiedName::new("public", "revenue_ledger")
        );
        assert_eq!(
            QualifiedName::parse("audit.\"Events.Log\"", "public"),
            QualifiedName::new("audit", "Events.Log")
        );
        assert_eq!(QualifiedName::new("public", "t").child("c"), "public.t.c");
    }

    #[test]
    fn identifiers_fold_and_truncate_as_postgresql_stores_them() {
        assert_eq!(fold_identifier("Ledger", false), "ledger");
        assert_eq!(fold_identifier("Ledger", true), "Ledger");
        assert_eq!(
            fold_identifier("Äpfel", false),
            "Äpfel",
            "ASCII letters only"
        );
        let long = "x".repeat(70);
        assert_eq!(fold_identifier(&long, false).len(), 63);
        let wide = format!("{}é", "x".repeat(62));
        assert_eq!(
            fold_identifier(&wide, true),
            "x".repeat(62),
            "whole characters"
        );
        assert_eq!(
            QualifiedName::parse(&format!("app.{long}"), "public")
                .name
                .len(),
            63
        );
    }
}
