//! Parsed statements → the catalog, one function per statement kind.

mod default_privileges;
mod index;
mod names;
mod objects;
mod partition;
mod security;
mod sequences;
mod table;
mod table_constraints;
mod view;

use super::statements::{Extras, MemberComment};
use super::{fold, qualify, SpecProblem, SpecProblemKind};
use crate::model::{Catalog, Location, QualifiedName, Relation, SqlType};
use sqlparser::ast::{ObjectName, ObjectNamePart, Set, Statement, UserDefinedTypeRepresentation};
use sqlparser::tokenizer::Span;
use std::collections::HashMap;

/// The catalog under construction, with the lookups that keep loading linear.
#[derive(Debug)]
pub(crate) struct Loader {
    catalog: Catalog,
    problems: Vec<SpecProblem>,
    default_schema: String,
    /// Index name → the relation that owns it (index names are unique per schema).
    index_owner: foldhash::HashMap<QualifiedName, QualifiedName>,
    /// Relations that a statement which failed to parse may have defined: statements
    /// naming them are not reported as unknown references.
    maybe_defined: foldhash::HashSet<QualifiedName>,
    /// The schemas of the last `SET search_path` (or `set_config('search_path', …)`),
    /// without `"$user"` and `pg_catalog`; empty means the default schema.
    search_path: Vec<String>,
    /// Types every `CREATE TYPE` and `CREATE DOMAIN` declared (composite, range and base
    /// types too, which the catalog does not hold), so that an unqualified type name
    /// resolves through the search path to the schema that declares it.
    declared_types: foldhash::HashSet<QualifiedName>,
    /// Relations defined while the search path named another schema than the default
    /// one first, with that schema: where their expressions were written.
    written_in: HashMap<QualifiedName, String>,
    /// Indexes attached to a partitioned table's index, set aside (see
    /// [`partition`]).
    attached: Vec<partition::AttachedIndex>,
    /// `ALTER DEFAULT PRIVILEGES … ON TABLES` in effect, in statement order.
    default_grants: Vec<default_privileges::DefaultGrant>,
}

impl Loader {
    /// An empty catalog where unqualified names mean `default_schema`.
    pub(crate) fn new(default_schema: &str) -> Self {
        Loader {
            catalog: Catalog::new(),
            problems: Vec::new(),
            default_schema: default_schema.to_string(),
            index_owner: foldhash::HashMap::default(),
            maybe_defined: foldhash::HashSet::default(),
            search_path: Vec::new(),
            declared_types: foldhash::HashSet::default(),
            written_in: HashMap::new(),
            attached: Vec::new(),
            default_grants: Vec::new(),
        }
    }

    /// The schema unqualified names of new objects (and, in this model, of references)
    /// belong to: the first schema of the spec's `search_path`, else the default one.
    pub(crate) fn scope(&self) -> &str {
        self.search_path
            .first()
            .map_or(self.default_schema.as_str(), String::as_str)
    }

    /// `SET search_path …`: PostgreSQL creates unqualified objects in the first schema
    /// of the path and resolves names through it. An empty path (pg_dump's
    /// `set_config('search_path', '', false)`, after which every name is qualified)
    /// and `DEFAULT` go back to the default schema.
    fn set_search_path(&mut self, entries: &[String]) {
        self.search_path = entries
            .iter()
            .flat_map(|entry| entry.split(','))
            .map(|entry| {
                let entry = entry.trim();
                match entry.strip_prefix('"').and_then(|e| e.strip_suffix('"')) {
                    Some(quoted) => quoted.replace("\"\"", "\""),
                    None => crate::model::fold_identifier(entry, false),
                }
            })
            .filter(|entry| {
                !entry.is_empty() && entry != "$user" && entry != "pg_catalog" && entry != "default"
            })
            .collect();
    }

    /// A column type as the server resolves it: an unqualified name that is not a
    /// built-in type belongs to the first schema of the search path that declares it
    /// (kept unqualified when that is the default schema, as `format_type` prints it).
    pub(crate) fn resolve_type(&self, data_type: SqlType) -> SqlType {
        if self.search_path.is_empty()
            || data_type.is_builtin()
            || data_type.base().contains(['.', '(', '"'])
        {
            return data_type;
        }
        let element = data_type.element();
        let declared_in = self.search_path.iter().find(|schema| {
            let name = QualifiedName::new(schema.as_str(), element.base());
            self.declared_types.contains(&name)
                || self.catalog.enums.contains_key(&name)
                || self.catalog.domains.contains_key(&name)
                || self.catalog.relations.contains_key(&name)
        });
        match declared_in {
            Some(schema) if *schema != self.default_schema => {
                let array = if data_type.is_array() { "[]" } else { "" };
                SqlType::parse(&format!(
                    "{}.{data_type_base}{array}",
                    crate::model::quote_identifier(schema),
                    data_type_base = element
                ))
            }
            _ => data_type,
        }
    }

    /// The catalog, the problems noted in statement order, and where relations defined
    /// after a `SET search_path` were written (see [`Loader::note_written_in`]).
    pub(crate) fn finish(mut self) -> (Catalog, Vec<SpecProblem>, HashMap<QualifiedName, String>) {
        self.finish_sequences();
        (self.catalog, self.problems, self.written_in)
    }

    /// Notes that `relation` is being defined under the current search path: its
    /// expressions and view body name relations as the path resolves them.
    pub(crate) fn note_written_in(&mut self, relation: &QualifiedName) {
        if self.scope() == self.default_schema {
            self.written_in.remove(relation);
        } else {
            self.written_in
                .insert(relation.clone(), self.scope().to_string());
        }
    }

    /// Notes a problem at `location`.
    pub(crate) fn problem(&mut self, kind: SpecProblemKind, location: &Location) {
        if let SpecProblemKind::ParseError {
            defines: Some(relation),
            ..
        } = &kind
        {
            self.maybe_defined.insert(relation.clone());
        }
        self.problems.push(SpecProblem {
            kind,
            location: location.clone(),
        });
    }

    /// Folded name parts, qualified with the default schema when they have none.
    pub(crate) fn qualify_parts(&self, parts: &[String]) -> QualifiedName {
        qualify(parts, self.scope())
    }

    /// Applies one parsed statement that started at `location`.
    pub(crate) fn apply(
        &mut self,
        statement: &Statement,
        extras: &Extras,
        location: &Location,
        first_words: &str,
    ) {
        match statement {
            Statement::CreateTable(create) => {
                self.create_table(create, location);
                let name = self.qualified(&create.name);
                self.apply_default_grants(&name);
            }
            Statement::AlterDefaultPrivileges(alter) => {
                self.alter_default_privileges(alter, location)
            }
            Statement::AlterTable(alter) => self.alter_table(alter, location),
            Statement::CreateIndex(create) => self.create_index(create, extras, location),
            Statement::AlterIndex { name, operation } => {
                self.alter_index(name, operation, location)
            }
            Statement::CreateView(create) => {
                self.create_view(create, extras, location);
                let name = self.qualified(&create.name);
                self.apply_default_grants(&name);
            }
            Statement::AlterView(alter) => self.alter_view(alter, location, first_words),
            Statement::CreatePolicy(create) => self.create_policy(create, location),
            Statement::AlterPolicy(alter) => self.alter_policy(alter, location),
            Statement::Grant(grant) => self.grant(grant, location),
            Statement::Revoke(revoke) => self.revoke(revoke, location),
            Statement::CreateTrigger(create) => self.create_trigger(create, extras, location),
            Statement::CreateFunction(create) => self.create_function(create, extras, location),
            Statement::CreateProcedure {
                name,
                params,
                language,
                body,
                ..
            } => self.create_procedure(name, params.as_deref(), language.as_ref(), body, location),
            Statement::CreateType {
                name,
                representation,
            } => {
                let declared = self.qualified(name);
                self.declared_types.insert(declared);
                // A range type is not compared itself (columns of it are, by name):
                // declaring it is all the loader needs.
                if !matches!(
                    representation,
                    Some(UserDefinedTypeRepresentation::Range { .. })
                ) {
                    self.create_type(name, representation.as_ref(), location, first_words)
                }
            }
            Statement::AlterType(alter) => self.alter_type(alter, location),
            Statement::CreateDomain(create) => {
                let declared = self.qualified(&create.name);
                self.declared_types.insert(declared);
                self.create_domain(create, extras, location)
            }
            Statement::CreateSchema { schema_name, .. } => {
                self.create_schema(schema_name, location)
            }
            Statement::CreateExtension(create) => {
                let name = fold(&create.name);
                if let Some(schema) = &create.schema {
                    self.catalog
                        .extension_schemas
                        .entry(name.clone())
                        .or_insert_with(|| fold(schema));
                }
                self.catalog
                    .extensions
                    .entry(name)
                    .or_insert_with(|| Some(location.clone()));
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => self.comment(*object_type, object_name, comment.as_deref(), location),
            Statement::Drop {
                object_type,
                if_exists,
                names,
                ..
            } => self.drop(*object_type, *if_exists, names, location),
            Statement::DropPolicy(drop) => self.drop_policy(drop, location),
            Statement::DropTrigger(drop) => self.drop_trigger(drop, location),
            Statement::AlterFunction(alter) => self.alter_function(alter, location),
            Statement::DropFunction(drop) => self.drop_function(drop),
            Statement::DropExtension(drop) => self.drop_extension(drop, location),
            Statement::Set(set) => {
                if let Some(entries) = search_path_of(set) {
                    self.set_search_path(&entries);
                }
            }
            Statement::StartTransaction { .. }
            | Statement::Commit { .. }
            | Statement::Rollback { .. }
            | Statement::GrantRole(_)
            | Statement::RevokeRole(_) => {}
            Statement::CreateSequence {
                name,
                if_not_exists,
                sequence_options,
                ..
            } => self.create_sequence(name, *if_not_exists, sequence_options, location),
            Statement::DropDomain(drop) => {
                let name = self.qualified(&drop.name);
                self.catalog.domains.remove(&name);
            }
            Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_) => {
                self.data(first_words, location)
            }
            Statement::Query(query) if is_setval(query) => self.data("SELECT setval", location),
            Statement::Query(query) if is_set_config(query) => {
                if let Some(entries) = search_path_of_set_config(query) {
                    self.set_search_path(&entries);
                }
            }
            other if other.to_string().contains(" OWNER TO ") => {}
            _ => self.skipped(first_words, location),
        }
    }

    /// Notes data in the specs (see [`SpecProblemKind::Data`]).
    fn data(&mut self, first_words: &str, location: &Location) {
        self.problem(
            SpecProblemKind::Data {
                statement: first_words.to_string(),
            },
            location,
        );
    }

    /// Notes a statement outside the model.
    fn skipped(&mut self, first_words: &str, location: &Location) {
        let statement = if first_words.is_empty() {
            "statement".to_string()
        } else {
            first_words.to_string()
        };
        self.problem(SpecProblemKind::Skipped { statement }, location);
    }

    /// `COMMENT ON CONSTRAINT|POLICY|TRIGGER name ON table IS …`.
    pub(crate) fn member_comment(&mut self, comment: &MemberComment, location: &Location) {
        let relation_name = self.qualify_parts(&comment.relation);
        self.comment_member(
            comment.member_kind,
            &relation_name,
            &comment.member,
            comment.comment.as_deref(),
            location,
        );
    }

    /// A schema-qualified name for an object name in the AST.
    fn qualified(&self, name: &ObjectName) -> QualifiedName {
        qualify(&name_parts(name), self.scope())
    }

    /// The function a trigger executes: an unqualified name the specs do not define in
    /// the current schema but PostgreSQL ships (`tsvector_update_trigger`) is
    /// `pg_catalog`'s, which the search path always reads first.
    fn trigger_function(&self, name: &ObjectName) -> QualifiedName {
        let qualified = self.qualified(name);
        let unqualified = name.0.len() == 1;
        if unqualified
            && !self.catalog.functions.contains_key(&qualified)
            && BUILTIN_TRIGGER_FUNCTIONS.contains(&qualified.name.as_str())
        {
            return QualifiedName::new("pg_catalog", qualified.name);
        }
        qualified
    }

    /// The relation `name`, or a note that the specs do not define it.
    fn relation_or_note(
        &mut self,
        name: &QualifiedName,
        object: &str,
        location: &Location,
    ) -> Option<&mut Relation> {
        if !self.catalog.relations.contains_key(name) && !self.maybe_defined.contains(name) {
            self.problem(
                SpecProblemKind::UnknownReference {
                    object: object.to_string(),
                    missing: format!("relation {name}"),
                },
                location,
            );
        }
        self.catalog.relations.get_mut(name)
    }

    fn duplicate(
        &mut self,
        object: String,
        object_kind: &str,
        first: Option<Location>,
        location: &Location,
    ) {
        self.problem(
            SpecProblemKind::Duplicate {
                object,
                object_kind: object_kind.to_string(),
                first,
            },
            location,
        );
    }
}

/// The schemas `SET search_path = a, b` / `TO a, b` / `= 'a, b'` names, as written
/// (quoted ones keep their quotes); `None` for any other setting.
fn search_path_of(set: &Set) -> Option<Vec<String>> {
    let Set::SingleAssignment {
        variable, values, ..
    } = set
    else {
        return None;
    };
    let is_search_path = name_parts(variable)
        .last()
        .is_some_and(|name| name == "search_path");
    is_search_path.then(|| values.iter().map(path_entry).collect())
}

/// One value of a `SET search_path` list: an identifier keeps its quotes, a string its
/// content (which may list several schemas).
fn path_entry(value: &sqlparser::ast::Expr) -> String {
    use sqlparser::ast::{Expr, Value};
    match value {
        Expr::Identifier(ident) if ident.quote_style.is_some() => {
            format!("\"{}\"", ident.value.replace('"', "\"\""))
        }
        Expr::Identifier(ident) => ident.value.clone(),
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => text.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    }
}

/// The path of `SELECT pg_catalog.set_config('search_path', 'a, b', false)`.
fn search_path_of_set_config(query: &sqlparser::ast::Query) -> Option<Vec<String>> {
    let text = query.to_string();
    let lower = text.to_lowercase();
    let at = lower.find("set_config('search_path'")?;
    let rest = &text[at + "set_config('search_path'".len()..];
    let rest = rest.trim_start().strip_prefix(',')?.trim_start();
    let value = rest.strip_prefix('\'')?;
    let end = value.find('\'')?;
    Some(vec![value[..end].to_string()])
}

/// The trigger functions of PostgreSQL 15's `pg_catalog` a trigger may name.
const BUILTIN_TRIGGER_FUNCTIONS: &[&str] = &[
    "tsvector_update_trigger",
    "tsvector_update_trigger_column",
    "suppress_redundant_updates_trigger",
];

/// `SELECT [pg_catalog.]setval(…)`, which pg_dump writes after each sequence: data.
fn is_setval(query: &sqlparser::ast::Query) -> bool {
    let text = query.to_string().to_lowercase();
    text.starts_with("select ") && text.contains("setval(")
}

/// `SELECT pg_catalog.set_config(…)`, which pg_dump writes at the top of every dump.
fn is_set_config(query: &sqlparser::ast::Query) -> bool {
    query.to_string().to_lowercase().contains("set_config(")
}

/// The folded parts of an object name.
fn name_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => fold(ident),
            ObjectNamePart::Function(function) => fold(&function.name),
        })
        .collect()
}

/// The span of an object name's first part.
fn name_span(name: &ObjectName) -> Option<Span> {
    name.0.first().map(|part| match part {
        ObjectNamePart::Identifier(ident) => ident.span,
        ObjectNamePart::Function(function) => function.name.span,
    })
}

/// The location of `span` in the statement's file, or the statement's start when
/// sqlparser left the span empty.
fn span_location(span: Option<Span>, statement: &Location) -> Location {
    match span {
        Some(span) if span.start.line > 0 => Location::new(
            statement.path.clone(),
            u32::try_from(span.start.line).unwrap_or(u32::MAX),
            u32::try_from(span.start.column).unwrap_or(u32::MAX),
        ),
        _ => statement.clone(),
    }
}
