//! Schema-level objects besides relations: enum types, domains, functions and
//! procedures, sequences and extensions, joined by name (functions by name and input
//! argument types) and compared property by property.

use super::compare::{self, Definition, NONE};
use super::relation::same_type;
use super::{Comparison, DiffOptions, Difference};
use crate::model::{
    Canonical, Catalog, Domain, EnumType, Expr, Forms, Function, FunctionBody, FunctionKind,
    QualifiedName, SchemaObjectKind, Sequence, SqlType,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A schema-level object, as a change names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaObject {
    /// An enum type.
    Enum(QualifiedName),
    /// A domain.
    Domain(QualifiedName),
    /// A function or procedure: its name and input argument types.
    Function {
        /// Its name.
        name: QualifiedName,
        /// Its input argument types, canonical.
        arguments: Vec<String>,
        /// Function or procedure.
        kind: FunctionKind,
    },
    /// A sequence.
    Sequence(QualifiedName),
    /// An extension (database-wide: no schema of its own).
    Extension(String),
}

impl SchemaObject {
    /// The schema-qualified name (an extension's is its name alone).
    pub fn name(&self) -> String {
        match self {
            SchemaObject::Enum(name)
            | SchemaObject::Domain(name)
            | SchemaObject::Sequence(name)
            | SchemaObject::Function { name, .. } => name.to_string(),
            SchemaObject::Extension(name) => name.clone(),
        }
    }
}

impl fmt::Display for SchemaObject {
    /// `public.mood`, `public.f(integer, text)`, `pgcrypto`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaObject::Function {
                name, arguments, ..
            } => write!(f, "{name}({})", arguments.join(", ")),
            other => f.write_str(&other.name()),
        }
    }
}

/// One difference in a schema-level object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObjectChange {
    /// Expected object absent.
    Missing(SchemaObject),
    /// An object that only the actual side has.
    Unexpected(SchemaObject),
    /// An object's definition differs (one change per differing property).
    Changed {
        /// The object, as the expected side names it.
        object: SchemaObject,
        /// What differs: enums `labels`; domains `base type`, `not null`, `checks`;
        /// functions `arguments`, `kind`, `returns`, `language`, `volatility`,
        /// `security`, `body`; sequences `type`, `increment`, `owned by`; extensions
        /// `schema`.
        difference: Difference,
    },
}

impl ObjectChange {
    /// The object the change is about.
    pub fn object(&self) -> &SchemaObject {
        match self {
            ObjectChange::Missing(object)
            | ObjectChange::Unexpected(object)
            | ObjectChange::Changed { object, .. } => object,
        }
    }
}

/// Every difference between the schema-level objects of `expected` (the specs, or a
/// snapshot) and `actual` in `options.schemas` (extensions in every schema): by kind,
/// then name. An object of a name that a spec statement which could not be read creates
/// or alters ([`Catalog::unread`]) is not compared;
/// sequences and the details of functions only when both catalogs carry them
/// ([`crate::model::CATALOG_FORMAT_REVISION`]).
pub fn diff_objects(
    expected: &Catalog,
    actual: &Catalog,
    options: &DiffOptions,
) -> Vec<ObjectChange> {
    let context = Objects {
        expected,
        actual,
        options,
        revision_1: expected.both_have_revision(actual, 1),
    };
    let mut changes = Vec::new();
    context.enums(&mut changes);
    context.domains(&mut changes);
    context.functions(&mut changes);
    if context.revision_1 {
        context.sequences(&mut changes);
    }
    context.extensions(&mut changes);
    changes
}

struct Objects<'a> {
    expected: &'a Catalog,
    actual: &'a Catalog,
    options: &'a DiffOptions,
    revision_1: bool,
}

impl Objects<'_> {
    fn in_scope(&self, name: &QualifiedName) -> bool {
        self.options.schemas.is_empty() || self.options.schemas.contains(&name.schema)
    }

    fn unread(&self, kind: SchemaObjectKind, name: &QualifiedName) -> bool {
        self.expected.unread.contains(&(kind, name.clone()))
    }

    /// Pairs the objects of both sides by name, in scope: missing and unexpected ones
    /// become changes, pairs go to `compare`.
    fn join<'m, T>(
        &self,
        expected: &'m BTreeMap<QualifiedName, T>,
        actual: &'m BTreeMap<QualifiedName, T>,
        kind: SchemaObjectKind,
        object: impl Fn(&QualifiedName) -> SchemaObject,
        mut compare: impl FnMut(&'m T, &'m T) -> Vec<Difference>,
        changes: &mut Vec<ObjectChange>,
    ) {
        let names: BTreeSet<&QualifiedName> = expected
            .keys()
            .chain(actual.keys())
            .filter(|name| self.in_scope(name) && !self.unread(kind, name))
            .collect();
        for name in names {
            match (expected.get(name), actual.get(name)) {
                (Some(_), None) => changes.push(ObjectChange::Missing(object(name))),
                (None, Some(_)) => changes.push(ObjectChange::Unexpected(object(name))),
                (Some(wanted), Some(found)) => {
                    for difference in compare(wanted, found) {
                        changes.push(ObjectChange::Changed {
                            object: object(name),
                            difference,
                        });
                    }
                }
                _ => {}
            }
        }
    }

    fn enums(&self, changes: &mut Vec<ObjectChange>) {
        let labels = |enum_type: &EnumType| {
            enum_type
                .values
                .iter()
                .map(|label| format!("'{}'", label.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        self.join(
            &self.expected.enums,
            &self.actual.enums,
            SchemaObjectKind::Type,
            |name| SchemaObject::Enum(name.clone()),
            |wanted, found| {
                compare::values("labels", labels(wanted), labels(found))
                    .into_iter()
                    .collect()
            },
            changes,
        );
    }

    fn domains(&self, changes: &mut Vec<ObjectChange>) {
        let default_schema = self.options.default_schema.as_str();
        self.join(
            &self.expected.domains,
            &self.actual.domains,
            SchemaObjectKind::Type,
            |name| SchemaObject::Domain(name.clone()),
            |wanted: &Domain, found: &Domain| {
                let not_null = |domain: &Domain| if domain.not_null { "NOT NULL" } else { "NULL" };
                // A domain written under `SET search_path` names its schema's types
                // unqualified, as the server prints them only outside that schema.
                let own_schema = wanted.name.schema.as_str();
                let base_type = (!same_type(&wanted.base_type, &found.base_type, default_schema)
                    && !same_type(&wanted.base_type, &found.base_type, own_schema))
                .then(|| Difference {
                    property: "base type",
                    expected: wanted.base_type.to_string(),
                    actual: found.base_type.to_string(),
                    comparison: Comparison::Values,
                });
                [
                    base_type,
                    compare::values("not null", not_null(wanted), not_null(found)),
                    domain_checks(wanted, found),
                ]
                .into_iter()
                .flatten()
                .collect()
            },
            changes,
        );
    }

    fn functions(&self, changes: &mut Vec<ObjectChange>) {
        let names: BTreeSet<&QualifiedName> = self
            .expected
            .functions
            .keys()
            .chain(self.actual.functions.keys())
            .filter(|name| self.in_scope(name) && !self.unread(SchemaObjectKind::Function, name))
            .collect();
        for name in names {
            let wanted = self
                .expected
                .functions
                .get(name)
                .map_or(&[][..], Vec::as_slice);
            let found = self
                .actual
                .functions
                .get(name)
                .map_or(&[][..], Vec::as_slice);
            self.overloads(name, wanted, found, changes);
        }
    }

    /// The overloads of one name: paired by argument types; when one overload is left
    /// on each side, they are the same function with other arguments.
    fn overloads(
        &self,
        name: &QualifiedName,
        wanted: &[Function],
        found: &[Function],
        changes: &mut Vec<ObjectChange>,
    ) {
        let object = |function: &Function| SchemaObject::Function {
            name: name.clone(),
            arguments: function.arguments.clone(),
            kind: function.kind,
        };
        let default_schema = self.options.default_schema.as_str();
        let signature = |function: &Function| -> Vec<String> {
            function
                .arguments
                .iter()
                .map(|argument| type_name(argument, default_schema, &name.schema))
                .collect()
        };
        let found_by_signature: BTreeMap<Vec<String>, &Function> = found
            .iter()
            .map(|function| (signature(function), function))
            .collect();
        let wanted_signatures: BTreeSet<Vec<String>> = wanted.iter().map(signature).collect();
        let mut unpaired_wanted = Vec::new();
        for function in wanted {
            match found_by_signature.get(&signature(function)) {
                Some(other) => {
                    self.function(object(function), function, other, &name.schema, changes)
                }
                None => unpaired_wanted.push(function),
            }
        }
        let unpaired_found: Vec<&Function> = found
            .iter()
            .filter(|function| !wanted_signatures.contains(&signature(function)))
            .collect();
        if let ([left], [right]) = (unpaired_wanted.as_slice(), unpaired_found.as_slice()) {
            changes.push(ObjectChange::Changed {
                object: object(left),
                difference: Difference {
                    property: "arguments",
                    expected: signature(left).join(", "),
                    actual: signature(right).join(", "),
                    comparison: Comparison::Values,
                },
            });
            self.function(object(left), left, right, &name.schema, changes);
            return;
        }
        for function in unpaired_wanted {
            changes.push(ObjectChange::Missing(object(function)));
        }
        for function in unpaired_found {
            changes.push(ObjectChange::Unexpected(object(function)));
        }
    }

    fn function(
        &self,
        object: SchemaObject,
        wanted: &Function,
        found: &Function,
        own_schema: &str,
        changes: &mut Vec<ObjectChange>,
    ) {
        let default_schema = self.options.default_schema.as_str();
        let returns = |function: &Function| {
            function.returns.as_deref().map_or_else(
                || NONE.to_string(),
                |text| return_type(text, default_schema, own_schema),
            )
        };
        let mut differences = vec![compare::values("returns", returns(wanted), returns(found))];
        if self.revision_1 {
            let security = |function: &Function| {
                if function.security_definer {
                    "SECURITY DEFINER"
                } else {
                    "SECURITY INVOKER"
                }
            };
            differences.extend([
                compare::values("kind", wanted.kind.describe(), found.kind.describe()),
                compare::values(
                    "language",
                    wanted.language.to_lowercase(),
                    found.language.to_lowercase(),
                ),
                compare::values(
                    "volatility",
                    wanted.volatility.describe(),
                    found.volatility.describe(),
                ),
                compare::values("security", security(wanted), security(found)),
                function_bodies(wanted.body.as_ref(), found.body.as_ref()),
            ]);
        }
        for difference in differences.into_iter().flatten() {
            changes.push(ObjectChange::Changed {
                object: object.clone(),
                difference,
            });
        }
    }

    fn sequences(&self, changes: &mut Vec<ObjectChange>) {
        let owner = |sequence: &Sequence| {
            sequence.owned_by.as_ref().map_or_else(
                || NONE.to_string(),
                |owner| owner.relation.child(&owner.column),
            )
        };
        self.join(
            &self.expected.sequences,
            &self.actual.sequences,
            SchemaObjectKind::Sequence,
            |name| SchemaObject::Sequence(name.clone()),
            |wanted, found| {
                [
                    compare::values("type", &wanted.data_type, &found.data_type),
                    compare::values(
                        "increment",
                        wanted.increment.to_string(),
                        found.increment.to_string(),
                    ),
                    compare::values("owned by", owner(wanted), owner(found)),
                ]
                .into_iter()
                .flatten()
                .collect()
            },
            changes,
        );
    }

    /// Extensions, but `plpgsql`: every database has it (pg_dump writes its `CREATE
    /// EXTENSION IF NOT EXISTS`, the live catalog leaves it out), so it is never drift.
    fn extensions(&self, changes: &mut Vec<ObjectChange>) {
        let names: BTreeSet<&String> = self
            .expected
            .extensions
            .keys()
            .chain(self.actual.extensions.keys())
            .filter(|name| name.as_str() != "plpgsql")
            .collect();
        for name in names {
            let object = || SchemaObject::Extension(name.clone());
            match (
                self.expected.extensions.contains_key(name),
                self.actual.extensions.contains_key(name),
            ) {
                (true, false) => changes.push(ObjectChange::Missing(object())),
                (false, true) => changes.push(ObjectChange::Unexpected(object())),
                (true, true) => {
                    let schemas = (
                        self.expected.extension_schemas.get(name),
                        self.actual.extension_schemas.get(name),
                    );
                    if let (Some(wanted), Some(found)) = schemas {
                        if let Some(difference) = compare::values("schema", wanted, found) {
                            changes.push(ObjectChange::Changed {
                                object: object(),
                                difference,
                            });
                        }
                    }
                }
                (false, false) => {}
            }
        }
    }
}

/// The CHECKs of two domains, as sets of canonical forms (the server lists them by
/// constraint name, the specs in the order written).
fn domain_checks(wanted: &Domain, found: &Domain) -> Option<Difference> {
    let texts = |domain: &Domain| {
        domain
            .checks
            .iter()
            .map(|check| {
                crate::sql::check_expression(check.text())
                    .trim()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    };
    let forms = |domain: &Domain| -> Option<BTreeSet<String>> {
        domain
            .checks
            .iter()
            .map(|check| check.canonical().form().map(str::to_string))
            .collect()
    };
    let shown = |text: String| {
        if text.is_empty() {
            NONE.to_string()
        } else {
            text
        }
    };
    let (expected, actual) = (shown(texts(wanted)), shown(texts(found)));
    let comparison = match (forms(wanted), forms(found)) {
        (Some(left), Some(right)) => {
            // Joined in a stable order and compared as one expression, so that the casts
            // the server adds (`(VALUE)::tsvector`) are not a difference.
            let joined = |forms: BTreeSet<String>| {
                let mut expr = Expr::new(String::new());
                expr.set_forms(Forms {
                    canonical: Canonical::Form(
                        forms.into_iter().collect::<Vec<_>>().join(" AND ").into(),
                    ),
                    ..Forms::default()
                });
                expr
            };
            let (left, right) = (joined(left), joined(right));
            return compare::expressions(
                "checks",
                Some(Definition::of(&left)),
                Some(Definition::of(&right)),
            )
            .map(|difference| Difference {
                expected: expected.clone(),
                actual: actual.clone(),
                ..difference
            });
        }
        _ => {
            if compare::collapse(&expected) == compare::collapse(&actual) {
                return None;
            }
            let reason = wanted
                .checks
                .iter()
                .chain(&found.checks)
                .find_map(|check| check.canonical().reason())
                .unwrap_or_default();
            Comparison::Undecided { reason }
        }
    };
    Some(Difference {
        property: "checks",
        expected,
        actual,
        comparison,
    })
}

/// Two function bodies: source texts equal but for whitespace, SQL-standard bodies by
/// their canonical forms (as view bodies are compared, since the server qualifies
/// column references). A side without a body (an older snapshot) is not compared.
fn function_bodies(
    wanted: Option<&FunctionBody>,
    found: Option<&FunctionBody>,
) -> Option<Difference> {
    match (wanted?, found?) {
        (FunctionBody::Source { text: left }, FunctionBody::Source { text: right }) => {
            (compare::collapse(left) != compare::collapse(right)).then(|| Difference {
                property: "body",
                expected: left.clone(),
                actual: right.clone(),
                comparison: Comparison::Values,
            })
        }
        (FunctionBody::Standard { body: left }, FunctionBody::Standard { body: right }) => {
            let both_forms = matches!(
                (left.canonical(), right.canonical()),
                (Canonical::Form(_), Canonical::Form(_))
            );
            let difference = if both_forms {
                compare::queries(left, right)
            } else {
                compare::expressions(
                    "body",
                    Some(Definition::of(left)),
                    Some(Definition::of(right)),
                )
            };
            difference.map(|difference| Difference {
                property: "body",
                ..difference
            })
        }
        (left, right) => Some(Difference {
            property: "body",
            expected: body_text(left),
            actual: body_text(right),
            comparison: Comparison::Values,
        }),
    }
}

fn body_text(body: &FunctionBody) -> String {
    match body {
        FunctionBody::Source { text } => format!("AS $${text}$$"),
        FunctionBody::Standard { body } => body.text().to_string(),
    }
}

/// A return type in one spelling: `SETOF` and `TABLE(…)` kept, each type canonical and
/// unqualified in the default schema and the function's own, column names folded.
fn return_type(text: &str, default_schema: &str, own_schema: &str) -> String {
    let text = text.trim();
    let head = |word: &str| {
        text.get(..word.len())
            .filter(|head| head.eq_ignore_ascii_case(word))
            .map(|_| text[word.len()..].trim())
    };
    if let Some(rest) = head("SETOF ") {
        return format!("SETOF {}", type_name(rest, default_schema, own_schema));
    }
    if let Some(columns) = head("TABLE").and_then(|rest| rest.strip_prefix('(')?.strip_suffix(')'))
    {
        let columns: Vec<String> = split_top_level(columns)
            .iter()
            .map(|column| {
                let column = column.trim();
                let (name, column_type) = split_name(column);
                format!(
                    "{name} {}",
                    type_name(column_type, default_schema, own_schema)
                )
            })
            .collect();
        return format!("TABLE({})", columns.join(", "));
    }
    type_name(text, default_schema, own_schema)
}

/// A type of a function's argument or result as the server keeps it: canonical, without
/// modifiers (PostgreSQL drops `(4)` of `bit(4)` and `varchar(10)` there) or the
/// qualification of the default schema or of the function's own schema (a function
/// written under `SET search_path` names its schema's types unqualified).
fn type_name(text: &str, default_schema: &str, own_schema: &str) -> String {
    let parsed = SqlType::parse(text);
    let base = parsed.base();
    let base = [default_schema, own_schema]
        .iter()
        .find_map(|schema| base.strip_prefix(&format!("{schema}.")))
        .unwrap_or(base);
    if parsed.is_array() {
        format!("{base}[]")
    } else {
        base.to_string()
    }
}

/// `name type` → the folded name and the type.
fn split_name(column: &str) -> (String, &str) {
    if let Some(rest) = column.strip_prefix('"') {
        if let Some(end) = rest.find('"') {
            return (rest[..end].to_string(), rest[end + 1..].trim());
        }
    }
    match column.split_once(char::is_whitespace) {
        Some((name, column_type)) => (name.to_lowercase(), column_type.trim()),
        None => (column.to_lowercase(), ""),
    }
}

/// Splits at commas outside parentheses and quotes.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in text.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            },
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_types_are_compared_in_one_spelling() {
        assert_eq!(return_type("INTEGER", "public", "public"), "integer");
        assert_eq!(return_type("SETOF public.t", "public", "public"), "SETOF t");
        assert_eq!(
            return_type("TABLE(x INT, \"Y\" TEXT)", "public", "public"),
            return_type("TABLE(x integer, \"Y\" text)", "public", "public")
        );
        assert_eq!(
            return_type("TABLE(x INT, \"Y\" TEXT)", "public", "public"),
            "TABLE(x integer, Y text)"
        );
        assert_eq!(
            return_type("character varying(10)[]", "public", "public"),
            "character varying[]"
        );
        assert_eq!(
            type_name("bit(4)", "test", "test"),
            type_name("bit", "test", "test")
        );
        assert_eq!(type_name("test.items", "public", "test"), "items");
    }
}
