//! Canonical forms as model values ([`Canonical`]), each distinct text normalized once
//! per context by a loader: the same default (`now()`, `gen_random_uuid()`) or CHECK on
//! hundreds of columns is parsed once.

use super::{
    allowed_values_by_column, normalize_expression_with, normalize_query_with, Declarations,
    NormalizeError,
};
use crate::model::{Canonical, Undecided};
use foldhash::HashMap;
use std::collections::BTreeMap;
use std::rc::Rc;

/// The forms computed so far, by default schema and text. foldhash: every expression of
/// both catalogs is looked up by its whole text.
#[derive(Debug, Default)]
pub struct FormCache {
    expressions: HashMap<String, HashMap<String, Canonical>>,
    queries: HashMap<String, HashMap<String, Canonical>>,
    allowed: HashMap<String, BTreeMap<String, Vec<String>>>,
    /// The function declarations every form of this cache is computed with.
    declarations: Rc<Declarations>,
}

impl FormCache {
    /// An empty cache.
    pub fn new() -> Self {
        FormCache::default()
    }

    /// An empty cache whose forms drop the argument casts `declarations` imply (see
    /// [`normalize_expression_with`]).
    pub fn with_declarations(declarations: Declarations) -> Self {
        FormCache {
            declarations: Rc::new(declarations),
            ..FormCache::default()
        }
    }

    /// An empty cache with the same declarations.
    #[cfg(test)]
    fn clone_without_forms(&self) -> Self {
        FormCache {
            declarations: Rc::clone(&self.declarations),
            ..FormCache::default()
        }
    }

    /// [`super::normalize_expression`] of `text` with `default_schema`, as a model
    /// value.
    pub fn expression(&mut self, text: &str, default_schema: &str) -> Canonical {
        self.expression_in(text, FormContext::default_of(default_schema))
    }

    /// [`normalize_expression_with`] of `text`, as a model value.
    pub fn expression_in(&mut self, text: &str, context: FormContext<'_>) -> Canonical {
        let declarations = Rc::clone(&self.declarations);
        cached(&mut self.expressions, text, context, |text, context| {
            normalize_expression_with(text, context, declarations)
        })
    }

    /// [`super::normalize_query`] of `text` with `default_schema`, as a model value.
    pub fn query(&mut self, text: &str, default_schema: &str) -> Canonical {
        self.query_in(text, FormContext::default_of(default_schema))
    }

    /// [`normalize_query_with`] of `text`, as a model value.
    pub fn query_in(&mut self, text: &str, context: FormContext<'_>) -> Canonical {
        let declarations = Rc::clone(&self.declarations);
        cached(&mut self.queries, text, context, |text, context| {
            normalize_query_with(text, context, declarations)
        })
    }

    /// [`allowed_values_by_column`] of the CHECK `expression`.
    pub fn allowed_values(&mut self, expression: &str) -> BTreeMap<String, Vec<String>> {
        if let Some(values) = self.allowed.get(expression) {
            return values.clone();
        }
        let values = allowed_values_by_column(expression);
        self.allowed.insert(expression.to_string(), values.clone());
        values
    }
}

/// Where a text is compared and where it was written: the run's default schema, the
/// schema its unqualified relation names meant (the same one but for spec text after a
/// `SET search_path`), and the relation whose expression it is (a policy's table, whose
/// columns a sub-select may name unqualified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormContext<'a> {
    /// The run's default schema.
    pub default_schema: &'a str,
    /// The schema unqualified relation names were resolved in.
    pub written_in: &'a str,
    /// The relation the expression belongs to, as a `FROM` item prints it.
    pub relation: Option<&'a str>,
    /// What the form reads of `relation`, when that is less than the relation itself
    /// (see [`FormContext::reading`]): texts that read the same of two relations share
    /// one form.
    pub reads: Option<&'a str>,
}

impl<'a> FormContext<'a> {
    /// Text written in the default schema itself, outside any relation.
    pub fn default_of(default_schema: &'a str) -> Self {
        FormContext {
            default_schema,
            written_in: default_schema,
            relation: None,
            reads: None,
        }
    }

    /// The context of `text` in a relation whose columns are `column_type`: an
    /// expression without a sub-select reads nothing of its relation but the declared
    /// types of the columns it names (a column compared with a literal, a domain read as
    /// its base type), so those types stand for the relation in the cache key and the
    /// same text over columns of the same types is normalized once for all relations.
    /// `reads` receives that key; `None` where the text may read more (a sub-select, a
    /// quoted or non-ASCII name, a reference qualified by the relation's own name).
    pub fn reading(
        text: &str,
        relation_name: &str,
        column_type: impl Fn(&str) -> Option<Option<String>>,
    ) -> Option<String> {
        if !text.is_ascii() || text.contains('"') || contains_word(text, "select") {
            return None;
        }
        let mut read = std::collections::BTreeSet::new();
        for word in words(text) {
            let word = word.to_ascii_lowercase();
            if word == relation_name {
                return None;
            }
            if let Some(declared) = column_type(&word) {
                read.insert((word, declared));
            }
        }
        let mut key = String::from("\u{1}reads");
        for (column, declared) in read {
            key.push('\u{0}');
            key.push_str(&column);
            key.push(' ');
            key.push_str(declared.as_deref().unwrap_or("?"));
        }
        Some(key)
    }

    /// The cache key: the default schema alone in the plain case.
    fn key(&self) -> std::borrow::Cow<'a, str> {
        if self.written_in == self.default_schema && self.relation.is_none() {
            std::borrow::Cow::Borrowed(self.default_schema)
        } else {
            std::borrow::Cow::Owned(format!(
                "{}\u{0}{}\u{0}{}",
                self.default_schema,
                self.written_in,
                self.relation
                    .map(|relation| self.reads.unwrap_or(relation))
                    .unwrap_or_default()
            ))
        }
    }
}

/// The identifier-like words of `text` (letters, digits, `_` and `$`), string literals
/// included: a word of a literal that names a column only makes the key stricter.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|word| !word.is_empty())
}

fn contains_word(text: &str, wanted: &str) -> bool {
    words(text).any(|word| word.eq_ignore_ascii_case(wanted))
}

fn cached(
    forms: &mut HashMap<String, HashMap<String, Canonical>>,
    text: &str,
    context: FormContext<'_>,
    normalize: impl FnOnce(&str, FormContext<'_>) -> Result<String, NormalizeError>,
) -> Canonical {
    let key = context.key();
    let by_text = match forms.get_mut(key.as_ref()) {
        Some(by_text) => by_text,
        None => forms.entry(key.into_owned()).or_default(),
    };
    if let Some(form) = by_text.get(text) {
        return form.clone();
    }
    let form = match normalize(text, context) {
        Ok(canonical) => Canonical::Form(canonical.into()),
        Err(error) => Canonical::Undecided(Box::new(error.into())),
    };
    by_text.insert(text.to_string(), form.clone());
    form
}

impl From<NormalizeError> for Undecided {
    fn from(error: NormalizeError) -> Self {
        match error {
            NormalizeError::Unparsed { text, message } => Undecided::Unparsed { text, message },
            NormalizeError::TooDeep { what, levels } => Undecided::TooDeep {
                what,
                levels,
                limit: crate::sql::depth::MAX_NESTING,
            },
            NormalizeError::TooComplex { what, reason } => Undecided::TooComplex { what, reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::normalize::{normalize_expression, normalize_query};

    #[test]
    fn forms_are_those_of_the_normalizer_and_its_errors_keep_their_words() {
        let mut cache = FormCache::new();
        assert_eq!(
            cache.expression("public.f(X) > 0", "public"),
            Canonical::Form(
                normalize_expression("public.f(X) > 0", "public")
                    .unwrap()
                    .into()
            )
        );
        assert_eq!(
            cache.query("select a from public.t", "app"),
            Canonical::Form(
                normalize_query("select a from public.t", "app")
                    .unwrap()
                    .into()
            )
        );
        for text in [
            "a >",
            &vec!["1"; crate::sql::depth::MAX_NESTING + 1].join(" + "),
        ] {
            let error = normalize_expression(text, "public").unwrap_err();
            let form = cache.expression(text, "public");
            assert_eq!(form.reason(), Some(error.to_string()), "{text}");
        }
    }

    #[test]
    fn a_text_reading_columns_of_the_same_types_in_two_relations_is_normalized_once() {
        use crate::model::SqlType;
        let status_of = |declared: &str| [("status".to_string(), Some(SqlType::parse(declared)))];
        let declarations = Declarations::default()
            .with_relation("a".into(), status_of("text"))
            .with_relation("b".into(), status_of("text"))
            .with_relation("c".into(), status_of("timestamp"));
        let mut cache = FormCache::with_declarations(declarations);
        let text = "status = '2024-01-01' AND flag";
        let forms: Vec<Canonical> = [("a", "text"), ("b", "text"), ("c", "timestamp")]
            .into_iter()
            .map(|(relation, declared)| {
                let reads = FormContext::reading(text, relation, |column| {
                    (column == "status").then(|| Some(declared.to_string()))
                });
                assert!(reads.is_some(), "{relation}");
                let context = FormContext {
                    default_schema: "public",
                    written_in: "public",
                    relation: Some(relation),
                    reads: reads.as_deref(),
                };
                let unshared = cache.clone_without_forms().expression_in(
                    text,
                    FormContext {
                        reads: None,
                        ..context
                    },
                );
                let shared = cache.expression_in(text, context);
                assert_eq!(shared, unshared, "{relation}: the same form as its own");
                shared
            })
            .collect();
        assert_eq!(forms[0], forms[1]);
        assert_ne!(
            forms[0], forms[2],
            "a timestamp column reads the literal as a timestamp"
        );
        let normalized: usize = cache.expressions.values().map(HashMap::len).sum();
        assert_eq!(normalized, 2, "one form per set of column types read");
    }

    #[test]
    fn a_text_that_may_read_more_than_its_columns_types_is_keyed_by_its_relation() {
        let any_column = |_: &str| Some(Some("text".to_string()));
        for text in [
            "status = (SELECT max(s) FROM t)",
            "\"Status\" = 'x'",
            "orders.status = 'x'",
            "statut = 'é'",
        ] {
            assert_eq!(
                FormContext::reading(text, "orders", any_column),
                None,
                "{text}"
            );
        }
        assert!(FormContext::reading("status = 'x'", "orders", any_column).is_some());
    }

    #[test]
    fn each_text_is_normalized_once_per_default_schema() {
        let mut cache = FormCache::new();
        for _ in 0..3 {
            cache.expression("app.f(x)", "public");
            cache.expression("app.f(x)", "app");
            cache.allowed_values("state IN ('a', 'b')");
        }
        assert_eq!(cache.expressions.len(), 2);
        assert!(cache.expressions.values().all(|by_text| by_text.len() == 1));
        assert_ne!(
            cache.expression("app.f(x)", "public"),
            cache.expression("app.f(x)", "app"),
            "the default schema is part of the context"
        );
        assert_eq!(cache.allowed.len(), 1);
        assert_eq!(
            cache.allowed_values("state IN ('a', 'b')")["state"],
            ["a", "b"]
        );
    }
}
