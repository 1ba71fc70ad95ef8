//! Canonical forms as model values ([`Canonical`]), each distinct text normalized once
//! per context by a loader: the same default (`now()`, `gen_random_uuid()`) or CHECK on
//! hundreds of columns is parsed once.

use super::{allowed_values_by_column, normalize_expression, normalize_query, NormalizeError};
use crate::model::{Canonical, Undecided};
use std::collections::{BTreeMap, HashMap};

/// The forms computed so far, by default schema and text.
#[derive(Debug, Default)]
pub struct FormCache {
    expressions: HashMap<String, HashMap<String, Canonical>>,
    queries: HashMap<String, HashMap<String, Canonical>>,
    allowed: HashMap<String, BTreeMap<String, Vec<String>>>,
}

impl FormCache {
    /// An empty cache.
    pub fn new() -> Self {
        FormCache::default()
    }

    /// [`normalize_expression`] of `text` with `default_schema`, as a model value.
    pub fn expression(&mut self, text: &str, default_schema: &str) -> Canonical {
        cached(
            &mut self.expressions,
            text,
            default_schema,
            normalize_expression,
        )
    }

    /// [`normalize_query`] of `text` with `default_schema`, as a model value.
    pub fn query(&mut self, text: &str, default_schema: &str) -> Canonical {
        cached(&mut self.queries, text, default_schema, normalize_query)
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

fn cached(
    forms: &mut HashMap<String, HashMap<String, Canonical>>,
    text: &str,
    default_schema: &str,
    normalize: fn(&str, &str) -> Result<String, NormalizeError>,
) -> Canonical {
    let by_text = match forms.get_mut(default_schema) {
        Some(by_text) => by_text,
        None => forms.entry(default_schema.to_string()).or_default(),
    };
    if let Some(form) = by_text.get(text) {
        return form.clone();
    }
    let form = match normalize(text, default_schema) {
        Ok(canonical) => Canonical::Form(canonical),
        Err(error) => Canonical::Undecided(error.into()),
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

    #[test]
    fn forms_are_those_of_the_normalizer_and_its_errors_keep_their_words() {
        let mut cache = FormCache::new();
        assert_eq!(
            cache.expression("public.f(X) > 0", "public"),
            Canonical::Form(normalize_expression("public.f(X) > 0", "public").unwrap())
        );
        assert_eq!(
            cache.query("select a from public.t", "app"),
            Canonical::Form(normalize_query("select a from public.t", "app").unwrap())
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
