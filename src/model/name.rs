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
            c => current.extend(c.to_lowercase()),
        }
    }
    parts.push(current);
    parts
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
}
