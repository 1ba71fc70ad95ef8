//! The canonical forms of a catalog's expressions, computed once when a source is loaded
//! (specs, live database, snapshot), each in the context its consumers compare it in: see
//! [`crate::model::Forms`].

use crate::model::{
    Canonical, Catalog, ConstraintKind, Expr, Forms, FunctionBody, IndexTarget, Relation, Undecided,
};
use crate::sql::check_expression;
use crate::sql::normalize::FormCache;
use crate::sql::split::top_level_statements;

/// Fills the [`Forms`] of every expression in `catalog`, and what is read from CHECK
/// expressions (allowed values), for a run whose unqualified names live in
/// `default_schema`. Forms already there are replaced: a catalog edited after loading
/// (tests do) is filled again.
pub fn fill_forms(catalog: &mut Catalog, default_schema: &str) {
    let mut filler = Filler {
        cache: FormCache::new(),
        default_schema,
    };
    for relation in catalog.relations.values_mut() {
        filler.relation(relation);
    }
    for domain in catalog.domains.values_mut() {
        for check in &mut domain.checks {
            let canonical = filler.canonical(check.text());
            check.set_forms(Forms {
                canonical,
                ..Forms::default()
            });
        }
        domain.allowed_values = domain
            .checks
            .iter()
            .find_map(|check| filler.cache.allowed_values(check).remove("value"));
    }
    for function in catalog.functions.values_mut().flatten() {
        if let Some(FunctionBody::Standard { body }) = &mut function.body {
            let canonical = filler.standard_body(body.text());
            body.set_forms(Forms {
                canonical,
                ..Forms::default()
            });
        }
    }
}

struct Filler<'a> {
    cache: FormCache,
    default_schema: &'a str,
}

impl Filler<'_> {
    fn canonical(&mut self, text: &str) -> Canonical {
        self.cache.expression(text, self.default_schema)
    }

    /// A SQL-standard function body: `RETURN expression` as the expression, `BEGIN
    /// ATOMIC query; END` as the query; a block of several statements has no canonical
    /// form (its texts are compared).
    fn standard_body(&mut self, text: &str) -> Canonical {
        let text = text.trim();
        let keyword = |word: &str| {
            text.get(..word.len())
                .filter(|head| head.eq_ignore_ascii_case(word))
                .map(|_| &text[word.len()..])
        };
        if let Some(expression) = keyword("RETURN") {
            return self.canonical(expression);
        }
        let Some(block) = keyword("BEGIN ATOMIC") else {
            return Canonical::Missing;
        };
        let block = block.trim();
        let inner = match block.get(block.len().saturating_sub(3)..) {
            Some(end) if end.eq_ignore_ascii_case("END") => &block[..block.len() - 3],
            _ => block,
        };
        let statements: Vec<_> = top_level_statements(inner).collect();
        match statements.as_slice() {
            [only] => {
                let query = inner[only.start..only.end].trim().trim_end_matches(';');
                self.cache.query(query, self.default_schema)
            }
            _ => Canonical::Undecided(Undecided::TooComplex {
                what: "function body",
                reason: format!(
                    "a BEGIN ATOMIC block of {} statements is compared as written",
                    statements.len()
                ),
            }),
        }
    }

    fn plain(&mut self, expr: &mut Expr) {
        let canonical = self.canonical(expr.text());
        expr.set_forms(Forms {
            canonical,
            ..Forms::default()
        });
    }

    /// An index key or predicate: also in the schema of its index (its relation's).
    fn index_part(&mut self, expr: &mut Expr, schema: &str) {
        let forms = Forms {
            canonical: self.canonical(expr.text()),
            in_own_schema: self.cache.expression(expr.text(), schema),
            as_column_value: Canonical::Missing,
        };
        expr.set_forms(forms);
    }

    fn relation(&mut self, relation: &mut Relation) {
        let schema = relation.name.schema.clone();
        for column in &mut relation.columns {
            for expr in [&mut column.default, &mut column.generated]
                .into_iter()
                .flatten()
            {
                let as_column_value = match &column.data_type {
                    Some(data_type) => self.canonical(&format!("({})::{data_type}", expr.text())),
                    None => Canonical::Missing,
                };
                let canonical = self.canonical(expr.text());
                expr.set_forms(Forms {
                    canonical,
                    as_column_value,
                    ..Forms::default()
                });
            }
        }
        for constraint in relation.constraints.values_mut() {
            constraint.allowed_values = match &mut constraint.kind {
                ConstraintKind::Check { expression } => {
                    let canonical = self.canonical(check_expression(expression.text()));
                    expression.set_forms(Forms {
                        canonical,
                        ..Forms::default()
                    });
                    self.cache.allowed_values(expression.text())
                }
                _ => Default::default(),
            };
        }
        for index in relation.indexes.values_mut() {
            for key in &mut index.keys {
                if let IndexTarget::Expression(expr) = &mut key.target {
                    self.index_part(expr, &schema);
                }
            }
            if let Some(predicate) = &mut index.predicate {
                self.index_part(predicate, &schema);
            }
        }
        for policy in relation.policies.values_mut() {
            for expr in [&mut policy.using, &mut policy.with_check]
                .into_iter()
                .flatten()
            {
                self.plain(expr);
            }
        }
        for trigger in relation.triggers.values_mut() {
            if let Some(when) = &mut trigger.when {
                self.plain(when);
            }
        }
        if let Some(view) = &mut relation.view {
            let canonical = self.cache.query(view.query.text(), self.default_schema);
            view.query.set_forms(Forms {
                canonical,
                ..Forms::default()
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::QualifiedName;
    use crate::sources::spec::load_spec_text;
    use crate::sql::normalize::{check_allowed_values, normalize_expression, normalize_query};

    const SPEC: &str = "
CREATE SCHEMA app;
CREATE DOMAIN app.mood AS text CHECK (VALUE > '') CHECK (VALUE IN ('ok', 'meh'));
CREATE TABLE app.t (
    id int PRIMARY KEY,
    state text DEFAULT 'idle' CHECK (state IN ('idle', 'busy')),
    at interval DEFAULT '1 hour',
    n int GENERATED ALWAYS AS (id * 2) STORED
);
CREATE INDEX t_lower ON app.t (lower(app.f(state))) WHERE app.g(id) AND at > '1 hour';
CREATE POLICY p ON app.t USING (app.f(state) = 'x');
CREATE VIEW app.v AS SELECT id FROM app.t;
";

    fn expression(text: &str, schema: &str) -> Canonical {
        Canonical::Form(normalize_expression(text, schema).expect("normalizes"))
    }

    #[test]
    fn every_expression_gets_the_forms_its_consumers_compare() {
        let specs = load_spec_text("spec.sql", SPEC, "public");
        assert!(specs.problems.is_empty(), "{:?}", specs.problems);
        let table = &specs.catalog.relations[&QualifiedName::new("app", "t")];
        let state = table
            .column("state")
            .and_then(|c| c.default.as_ref())
            .unwrap();
        assert_eq!(state.canonical(), &expression("'idle'", "public"));
        assert_eq!(
            state.as_column_value(),
            &expression("('idle')::text", "public")
        );
        assert_eq!(state.in_own_schema(), &Canonical::Missing);
        let generated = table
            .column("n")
            .and_then(|c| c.generated.as_ref())
            .unwrap();
        assert_eq!(
            generated.as_column_value(),
            &expression("(id * 2)::integer", "public")
        );
        let index = &table.indexes["t_lower"];
        let IndexTarget::Expression(key) = &index.keys[0].target else {
            panic!("an expression key");
        };
        assert_eq!(key.canonical(), &expression(key.text(), "public"));
        assert_eq!(key.in_own_schema(), &expression(key.text(), "app"));
        assert_ne!(key.canonical(), key.in_own_schema());
        let predicate = index.predicate.as_ref().unwrap();
        assert_eq!(
            predicate.in_own_schema(),
            &expression(predicate.text(), "app")
        );
        let check = table
            .constraints
            .values()
            .find_map(|constraint| match &constraint.kind {
                ConstraintKind::Check { expression } => Some((constraint, expression)),
                _ => None,
            })
            .unwrap();
        assert_eq!(check.1.canonical(), &expression(check.1.text(), "public"));
        assert_eq!(
            check.0.allowed_values.get("state"),
            check_allowed_values(check.1.text(), "state").as_ref()
        );
        let policy = &table.policies["p"];
        assert_eq!(
            policy.using.as_ref().unwrap().canonical(),
            &expression(policy.using.as_ref().unwrap().text(), "public")
        );
        let view = specs.catalog.relations[&QualifiedName::new("app", "v")]
            .view
            .as_ref()
            .unwrap();
        assert_eq!(
            view.query.canonical(),
            &Canonical::Form(normalize_query(view.query.text(), "public").unwrap())
        );
        let domain = &specs.catalog.domains[&QualifiedName::new("app", "mood")];
        assert_eq!(
            domain.allowed_values,
            Some(vec!["ok".to_string(), "meh".to_string()])
        );
    }

    #[test]
    fn a_check_printed_by_the_server_is_compared_without_its_wrapper() {
        let mut catalog = load_spec_text(
            "spec.sql",
            "CREATE TABLE t (a int CONSTRAINT ck CHECK (a > 0));",
            "public",
        )
        .catalog;
        let table = catalog
            .relations
            .get_mut(&QualifiedName::new("public", "t"))
            .unwrap();
        table.constraints.get_mut("ck").unwrap().kind = ConstraintKind::Check {
            expression: "CHECK ((a > 0)) NOT VALID".into(),
        };
        fill_forms(&mut catalog, "public");
        let ConstraintKind::Check { expression: check } =
            &catalog.relations[&QualifiedName::new("public", "t")].constraints["ck"].kind
        else {
            panic!("a check");
        };
        assert_eq!(check.canonical(), &expression("a > 0", "public"));
    }
}
