//! SQL expressions as typed values: the text as written (or as the server prints it) and
//! the canonical forms a loader computed once, so that diffs and checks compare forms and
//! never parse SQL themselves.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// An SQL expression or view body as written in a spec (or printed by the server), with
/// its canonical [`Forms`].
///
/// Equality, serialization and [`std::ops::Deref`] look at the text only: the forms are
/// derived from the text and the context of where it stands, and a catalog's JSON form
/// holds texts alone. An expression deserialized or built with [`Expr::new`] has no forms
/// until a loader fills them (every one does when it finishes a catalog).
#[derive(Debug, Clone, Default)]
pub struct Expr {
    text: String,
    /// Boxed, and absent until a loader fills them: the forms are three times the size of
    /// the text's handle, and every column default, CHECK and index key of both catalogs
    /// holds one (an unboxed `Expr` made a column 550 bytes, and a `BTreeMap` node of
    /// indexes 4 KB, on 5,000 tables 80 MB of each catalog).
    forms: Option<Box<Forms>>,
}

/// The forms of an expression no loader has filled.
static NO_FORMS: Forms = Forms {
    canonical: Canonical::Missing,
    in_own_schema: Canonical::Missing,
    as_column_value: Canonical::Missing,
};

/// The canonical forms of one expression, each in the context one consumer compares it
/// in. A form that does not apply where the expression stands, or that no loader has
/// computed, is [`Canonical::Missing`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Forms {
    /// Unqualified names in the run's default schema: what drift compares (view bodies
    /// normalized as queries, CHECK constraints without their `CHECK (…)` wrapper).
    pub canonical: Canonical,
    /// Unqualified names in the schema of the index it belongs to: what the index-plan
    /// family compares (index keys and predicates, index plan entries).
    pub in_own_schema: Canonical,
    /// As the value of its column, `(text)::column_type`, in the default schema: how
    /// drift compares column defaults and generated expressions, which the server
    /// coerces to the column type.
    pub as_column_value: Canonical,
}

/// One canonical form of an expression.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Canonical {
    /// Not computed: the expression was deserialized or set by hand and no loader has
    /// filled its forms, or this form does not apply where it stands.
    #[default]
    Missing,
    /// The canonical text: equal texts mean equal definitions. Shared: the same default
    /// or CHECK on thousands of columns is normalized once and holds one copy.
    Form(Arc<str>),
    /// The text could not be normalized, so comparisons with it are undecided. (Boxed:
    /// rare, and twice the size of the other variants.)
    Undecided(Box<Undecided>),
}

impl Canonical {
    /// The canonical text, when there is one.
    pub fn form(&self) -> Option<&str> {
        match self {
            Canonical::Form(text) => Some(&**text),
            Canonical::Missing | Canonical::Undecided(_) => None,
        }
    }

    /// Why there is no canonical text (`None` when there is one).
    pub fn reason(&self) -> Option<String> {
        match self {
            Canonical::Form(_) => None,
            Canonical::Missing => {
                Some("pgparity did not normalize this definition when loading it".into())
            }
            Canonical::Undecided(undecided) => Some(undecided.to_string()),
        }
    }
}

/// Why an expression has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undecided {
    /// The text does not parse.
    #[error("cannot parse SQL `{text}`: {message}")]
    Unparsed {
        /// The text that was given (trimmed).
        text: String,
        /// The parser's message, with its line and column within `text`.
        message: String,
    },
    /// The text nests deeper than pgparity walks; it was not parsed at all.
    #[error("the {what} nests {levels} levels deep, more than pgparity compares (limit {limit})")]
    TooDeep {
        /// `expression` or `query`.
        what: &'static str,
        /// Its measured depth.
        levels: usize,
        /// The deepest nesting pgparity walks.
        limit: usize,
    },
    /// The text parses, but its canonical form would nest too deeply or grow too large.
    #[error("the {what} is not compared: {reason}")]
    TooComplex {
        /// `expression` or `query`.
        what: &'static str,
        /// What made it so.
        reason: String,
    },
}

impl Expr {
    /// An expression with no forms yet.
    pub fn new(text: impl Into<String>) -> Self {
        Expr {
            text: text.into(),
            forms: None,
        }
    }

    /// The text as written (or as the server printed it).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its canonical forms.
    pub fn forms(&self) -> &Forms {
        self.forms.as_deref().unwrap_or(&NO_FORMS)
    }

    /// Replaces its canonical forms (loaders do, once the context is known).
    pub fn set_forms(&mut self, forms: Forms) {
        self.forms = Some(Box::new(forms));
    }

    /// The canonical form in the default schema ([`Forms::canonical`]).
    pub fn canonical(&self) -> &Canonical {
        &self.forms().canonical
    }

    /// The canonical form in the schema of its index ([`Forms::in_own_schema`]).
    pub fn in_own_schema(&self) -> &Canonical {
        &self.forms().in_own_schema
    }

    /// The canonical form as its column's value ([`Forms::as_column_value`]).
    pub fn as_column_value(&self) -> &Canonical {
        &self.forms().as_column_value
    }
}

impl std::ops::Deref for Expr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

impl From<String> for Expr {
    fn from(text: String) -> Self {
        Expr::new(text)
    }
}

impl From<&str> for Expr {
    fn from(text: &str) -> Self {
        Expr::new(text)
    }
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for Expr {}

impl PartialEq<str> for Expr {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Expr {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl Serialize for Expr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for Expr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Expr::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_and_json_look_at_the_text_only() {
        let mut filled = Expr::new("a > 0");
        filled.set_forms(Forms {
            canonical: Canonical::Form("a > 0".into()),
            ..Forms::default()
        });
        assert_eq!(filled, Expr::from("a > 0"));
        assert_eq!(filled, "a > 0");
        assert_eq!(serde_json::to_string(&filled).unwrap(), "\"a > 0\"");
        let back: Expr = serde_json::from_str("\"a > 0\"").unwrap();
        assert_eq!(back, filled);
        assert_eq!(back.canonical(), &Canonical::Missing);
        assert_eq!(filled.canonical().form(), Some("a > 0"));
    }

    #[test]
    fn a_missing_or_undecided_form_says_why() {
        assert!(Canonical::Missing
            .reason()
            .is_some_and(|reason| reason.contains("did not normalize")));
        let too_deep = Canonical::Undecided(Box::new(Undecided::TooDeep {
            what: "expression",
            levels: 300,
            limit: 200,
        }));
        assert_eq!(too_deep.form(), None);
        assert_eq!(
            too_deep.reason().as_deref(),
            Some("the expression nests 300 levels deep, more than pgparity compares (limit 200)")
        );
        assert_eq!(Canonical::Form("x".into()).reason(), None);
    }
}
