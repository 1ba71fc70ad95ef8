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

    /// The name as SQL writes it: `schema.name`, each part quoted where PostgreSQL
    /// needs it ([`quote_identifier`]).
    pub fn quoted(&self) -> String {
        format!(
            "{}.{}",
            quote_identifier(&self.schema),
            quote_identifier(&self.name)
        )
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

/// `name` as PostgreSQL's `quote_identifier` writes it: bare when it is lower-case ASCII
/// letters, digits and underscores, does not start with a digit and is no keyword that
/// must be quoted; otherwise in double quotes with inner quotes doubled.
pub fn quote_identifier(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && QUOTED_KEYWORDS.binary_search(&name).is_err();
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The keywords PostgreSQL quotes as identifiers: every reserved, column-name and
/// type-or-function-name keyword of PostgreSQL 15 (`pg_get_keywords()` with a category
/// other than unreserved; a test compares them with the server's), and those that
/// PostgreSQL 16 and 17 added. Quoting an identifier that needs no quotes is harmless,
/// so the list may hold more than one server needs. Sorted, for the binary search.
#[rustfmt::skip]
const QUOTED_KEYWORDS: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
    "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case", "cast",
    "char", "character", "check", "coalesce", "collate", "collation", "column", "concurrently",
    "constraint", "create", "cross", "current_catalog", "current_date", "current_role",
    "current_schema", "current_time", "current_timestamp", "current_user", "dec", "decimal",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "exists",
    "extract", "false", "fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
    "greatest", "group", "grouping", "having", "ilike", "in", "initially", "inner", "inout",
    "int", "integer", "intersect", "interval", "into", "is", "isnull", "join", "json",
    "json_array", "json_arrayagg", "json_exists", "json_object", "json_objectagg", "json_query",
    "json_scalar", "json_serialize", "json_table", "json_value", "lateral", "leading", "least",
    "left", "like", "limit", "localtime", "localtimestamp", "merge_action", "national",
    "natural", "nchar", "none", "normalize", "not", "notnull", "null", "nullif", "numeric",
    "offset", "on", "only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
    "position", "precision", "primary", "real", "references", "returning", "right", "row",
    "select", "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
    "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing",
    "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar",
    "variadic", "verbose", "when", "where", "window", "with", "xmlattributes", "xmlconcat",
    "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
    "xmlserialize", "xmltable",
];

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
    fn identifiers_are_quoted_where_postgresql_needs_it() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(quote_identifier("revenue_ledger"), "revenue_ledger");
        assert_eq!(quote_identifier("_x1"), "_x1");
        assert_eq!(quote_identifier("Ledger"), "\"Ledger\"");
        assert_eq!(quote_identifier("1st"), "\"1st\"");
        assert_eq!(quote_identifier("a b"), "\"a b\"");
        assert_eq!(quote_identifier("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote_identifier("user"), "\"user\"");
        assert_eq!(quote_identifier("order"), "\"order\"");
        assert_eq!(quote_identifier("name"), "name", "unreserved");
        assert_eq!(quote_identifier("été"), "\"été\"");
        assert_eq!(quote_identifier(""), "\"\"");
        assert_eq!(
            QualifiedName::new("Audit", "events").quoted(),
            "\"Audit\".events"
        );
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
