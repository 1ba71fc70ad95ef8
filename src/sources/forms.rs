//! The canonical forms of a catalog's expressions, computed once when a source is loaded
//! (specs, live database, snapshot), each in the context its consumers compare it in: see
//! [`crate::model::Forms`].

use crate::model::{
    Canonical, Catalog, Column, ConstraintKind, Expr, Forms, FunctionBody, IndexTarget,
    QualifiedName, Relation, SqlType, Undecided,
};
use crate::sql::check_expression;
use crate::sql::normalize::{quote_as_printed, Declarations, FormCache, FormContext};
use crate::sql::split::top_level_statements;
use std::cell::OnceCell;
use std::collections::HashMap;

/// Fills the [`Forms`] of every expression in `catalog`, and what is read from CHECK
/// expressions (allowed values), for a run whose unqualified names live in
/// `default_schema`. Forms already there are replaced: a catalog edited after loading
/// (tests do) is filled again. The catalog is complete: its lists give back the room they
/// grew and do not use.
pub fn fill_forms(catalog: &mut Catalog, default_schema: &str) {
    fill_forms_written_in(catalog, default_schema, &HashMap::new());
}

/// [`fill_forms`] for spec text where some relations were defined after a
/// `SET search_path`: `written_in` maps each such relation to the schema its
/// expressions' unqualified relation names meant.
pub fn fill_forms_written_in(
    catalog: &mut Catalog,
    default_schema: &str,
    written_in: &HashMap<QualifiedName, String>,
) {
    let domains: std::collections::HashSet<SqlType> = catalog
        .domains
        .keys()
        .map(|name| SqlType::parse(&printed_type(name, default_schema)))
        .collect();
    let mut filler = Filler {
        cache: FormCache::with_declarations(declarations(catalog, default_schema)),
        default_schema,
        written_in: default_schema.to_string(),
        relation: None,
        reads_domains: false,
    };
    for relation in catalog.relations.values_mut() {
        // Every source ends its catalog here, the columns complete: a list grown one
        // column at a time holds up to twice their room (16 for 10), which on 5,000
        // tables of both catalogs was 15 MB.
        relation.columns.shrink_to_fit();
        filler.written_in = written_in
            .get(&relation.name)
            .cloned()
            .unwrap_or_else(|| default_schema.to_string());
        filler.relation = Some(printed(&relation.name, default_schema));
        filler.reads_domains = relation.columns.iter().any(|column| {
            column
                .data_type
                .as_ref()
                .is_some_and(|t| domains.contains(t))
        });
        filler.relation(relation);
    }
    filler.relation = None;
    filler.reads_domains = false;
    filler.written_in = default_schema.to_string();
    for domain in catalog.domains.values_mut() {
        for check in &mut domain.checks {
            let canonical = filler.canonical(check.text(), &OwnColumns::none());
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

/// The parameter types of the catalog's functions and the columns of its relations, by
/// the name a call or `FROM` item prints after normalization (see [`printed`]).
fn declarations(catalog: &Catalog, default_schema: &str) -> Declarations {
    let mut functions =
        Declarations::new(catalog.functions.iter().flat_map(|(name, overloads)| {
            let printed = printed(name, default_schema);
            overloads
                .iter()
                .map(move |overload| (printed.clone(), overload.arguments.as_slice()))
        }));
    functions.reserve_relations(catalog.relations.len());
    let with_relations = catalog
        .relations
        .values()
        .fold(functions, |declarations, relation| {
            declarations.with_relation(
                printed(&relation.name, default_schema),
                relation
                    .columns
                    .iter()
                    .map(|column| (column.name.as_str(), column.data_type.clone())),
            )
        });
    catalog
        .domains
        .values()
        .fold(with_relations, |declarations, domain| {
            declarations.with_domain(
                SqlType::parse(&printed_type(&domain.name, default_schema)),
                domain.base_type.clone(),
            )
        })
}

/// A type name as a column's type holds it: without the default schema.
fn printed_type(name: &QualifiedName, default_schema: &str) -> String {
    if name.schema == default_schema {
        name.name.clone()
    } else {
        name.to_string()
    }
}

/// A name as the normalizer prints it: bare in the default schema (and `pg_catalog`),
/// qualified elsewhere, each part quoted where the server quotes.
fn printed(name: &QualifiedName, default_schema: &str) -> String {
    if name.schema == default_schema || name.schema == "pg_catalog" {
        quote_as_printed(&name.name)
    } else {
        format!(
            "{}.{}",
            quote_as_printed(&name.schema),
            quote_as_printed(&name.name)
        )
    }
}

/// Whether `text` may compare a column with a string literal, which then takes the
/// column's type (see [`crate::sql::normalize::Declarations`]): such expressions are
/// normalized knowing their relation; others share one form per text across relations.
fn compares_a_literal(text: &str) -> bool {
    text.contains('\'') && text.contains(['<', '>', '='])
}

struct Filler<'a> {
    cache: FormCache,
    default_schema: &'a str,
    /// Where the relation being filled was written (see [`FormContext`]).
    written_in: String,
    /// The relation being filled, as a `FROM` item prints it, for the expressions that
    /// may read its columns from a sub-select (policies).
    relation: Option<String>,
    /// Whether a column of the relation being filled is of a domain type: its
    /// expressions are then normalized knowing their relation (see
    /// [`crate::sql::normalize::Declarations`]); otherwise one form per text serves
    /// every relation.
    reads_domains: bool,
}

/// The relation being filled: its bare name and its columns' declared types, by name
/// (the map made when a text first asks).
struct OwnColumns<'r> {
    name: &'r str,
    columns: &'r [Column],
    by_name: OnceCell<foldhash::HashMap<&'r str, Option<&'r SqlType>>>,
}

impl<'r> OwnColumns<'r> {
    /// Outside any relation.
    fn none() -> OwnColumns<'static> {
        OwnColumns {
            name: "",
            columns: &[],
            by_name: OnceCell::new(),
        }
    }

    /// A relation of bare name `name` and these columns (its fields, so that the
    /// relation's other fields stay free to fill).
    fn of(name: &'r str, columns: &'r [Column]) -> Self {
        OwnColumns {
            name,
            columns,
            by_name: OnceCell::new(),
        }
    }

    /// The declared type of column `name` (`Some(None)`: a column of no known type).
    fn type_of(&self, name: &str) -> Option<Option<String>> {
        let by_name = self.by_name.get_or_init(|| {
            self.columns
                .iter()
                .map(|column| (column.name.as_str(), column.data_type.as_ref()))
                .collect()
        });
        by_name
            .get(name)
            .map(|declared| declared.map(ToString::to_string))
    }
}

impl Filler<'_> {
    fn canonical(&mut self, text: &str, own: &OwnColumns<'_>) -> Canonical {
        let relation = self
            .relation
            .as_deref()
            .filter(|_| self.reads_domains || compares_a_literal(text));
        let reads = relation
            .and_then(|_| FormContext::reading(text, own.name, |column| own.type_of(column)));
        let context = FormContext {
            default_schema: self.default_schema,
            written_in: &self.written_in,
            relation,
            reads: reads.as_deref(),
        };
        self.cache.expression_in(text, context)
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
            return self.canonical(expression, &OwnColumns::none());
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
            _ => Canonical::Undecided(Box::new(Undecided::TooComplex {
                what: "function body",
                reason: format!(
                    "a BEGIN ATOMIC block of {} statements is compared as written",
                    statements.len()
                ),
            })),
        }
    }

    fn plain(&mut self, expr: &mut Expr, own: &OwnColumns<'_>) {
        let canonical = self.canonical(expr.text(), own);
        expr.set_forms(Forms {
            canonical,
            ..Forms::default()
        });
    }

    /// An index key or predicate: also in the schema of its index (its relation's).
    fn index_part(&mut self, expr: &mut Expr, schema: &str, own: &OwnColumns<'_>) {
        let forms = Forms {
            canonical: self.canonical(expr.text(), own),
            in_own_schema: self.cache.expression(expr.text(), schema),
            as_column_value: Canonical::Missing,
        };
        expr.set_forms(forms);
    }

    fn relation(&mut self, relation: &mut Relation) {
        let schema = relation.name.schema.clone();
        let column_forms: Vec<[Option<Forms>; 2]> = {
            let own = OwnColumns::of(&relation.name.name, &relation.columns);
            relation
                .columns
                .iter()
                .map(|column| {
                    [&column.default, &column.generated].map(|expr| {
                        let expr = expr.as_ref()?;
                        let as_column_value = match &column.data_type {
                            Some(data_type) => {
                                self.canonical(&format!("({})::{data_type}", expr.text()), &own)
                            }
                            None => Canonical::Missing,
                        };
                        Some(Forms {
                            canonical: self.canonical(expr.text(), &own),
                            as_column_value,
                            ..Forms::default()
                        })
                    })
                })
                .collect()
        };
        for (column, forms) in relation.columns.iter_mut().zip(column_forms) {
            for (expr, forms) in [&mut column.default, &mut column.generated]
                .into_iter()
                .zip(forms)
            {
                if let (Some(expr), Some(forms)) = (expr, forms) {
                    expr.set_forms(forms);
                }
            }
        }
        let own = OwnColumns::of(&relation.name.name, &relation.columns);
        for constraint in relation.constraints.values_mut() {
            constraint.allowed_values = match &mut constraint.kind {
                ConstraintKind::Check { expression } => {
                    let canonical = self.canonical(check_expression(expression.text()), &own);
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
                    self.index_part(expr, &schema, &own);
                }
            }
            if let Some(predicate) = &mut index.predicate {
                self.index_part(predicate, &schema, &own);
            }
        }
        for policy in relation.policies.values_mut() {
            for expr in [&mut policy.using, &mut policy.with_check]
                .into_iter()
                .flatten()
            {
                // Only a sub-select can name the table's columns from an inner scope;
                // other policies share one form per text across tables.
                let reads_own_columns =
                    self.reads_domains || expr.text().to_ascii_lowercase().contains("select");
                let context = FormContext {
                    default_schema: self.default_schema,
                    written_in: &self.written_in,
                    relation: self.relation.as_deref().filter(|_| reads_own_columns),
                    reads: None,
                };
                let canonical = self.cache.expression_in(expr.text(), context);
                expr.set_forms(Forms {
                    canonical,
                    ..Forms::default()
                });
            }
        }
        for trigger in relation.triggers.values_mut() {
            if let Some(when) = &mut trigger.when {
                self.plain(when, &own);
            }
        }
        if let Some(view) = &mut relation.view {
            let context = FormContext {
                default_schema: self.default_schema,
                written_in: &self.written_in,
                relation: None,
                reads: None,
            };
            let canonical = self.cache.query_in(view.query.text(), context);
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
        Canonical::Form(
            normalize_expression(text, schema)
                .expect("normalizes")
                .into(),
        )
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
            &Canonical::Form(normalize_query(view.query.text(), "public").unwrap().into())
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
