//! Canonical forms as model values ([`Canonical`]), each distinct text normalized once
//! per context by a loader: the same default (`now()`, `gen_random_uuid()`) or CHECK on
//! hundreds of columns is parsed once.

use super::{
    allowed_values_by_column, normalize_expression_with, normalize_query_with, Declarations,
    NormalizeError,
};
use crate::model::{Canonical, Undecided};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// The forms computed so far, by default schema and text.
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
}

impl<'a> FormContext<'a> {
    /// Text written in the default schema itself, outside any relation.
    pub fn default_of(default_schema: &'a str) -> Self {
        FormContext {
            default_schema,
            written_in: default_schema,
            relation: None,
        }
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
                self.relation.unwrap_or_default()
            ))
        }
    }
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
