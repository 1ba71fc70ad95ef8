//! Parsed statements → the catalog, one function per statement kind.

mod default_privileges;
mod index;
mod names;
mod objects;
mod security;
mod sequences;
mod table;
mod table_constraints;
mod view;

use super::statements::{Extras, MemberComment};
use super::{fold, qualify, SpecProblem, SpecProblemKind};
use crate::model::{Catalog, Location, QualifiedName, Relation};
use sqlparser::ast::{ObjectName, ObjectNamePart, Statement};
use sqlparser::tokenizer::Span;
use std::collections::{HashMap, HashSet};

/// The catalog under construction, with the lookups that keep loading linear.
#[derive(Debug)]
pub(crate) struct Loader {
    catalog: Catalog,
    problems: Vec<SpecProblem>,
    default_schema: String,
    /// Index name → the relation that owns it (index names are unique per schema).
    index_owner: HashMap<QualifiedName, QualifiedName>,
    /// Relations that a statement which failed to parse may have defined: statements
    /// naming them are not reported as unknown references.
    maybe_defined: HashSet<QualifiedName>,
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
            index_owner: HashMap::new(),
            maybe_defined: HashSet::new(),
            default_grants: Vec::new(),
        }
    }

    /// The catalog and the problems noted, in statement order.
    pub(crate) fn finish(mut self) -> (Catalog, Vec<SpecProblem>) {
        self.finish_sequences();
        (self.catalog, self.problems)
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
        qualify(parts, &self.default_schema)
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
            } => self.create_type(name, representation.as_ref(), location, first_words),
            Statement::AlterType(alter) => self.alter_type(alter, location),
            Statement::CreateDomain(create) => self.create_domain(create, extras, location),
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
            Statement::Set(_)
            | Statement::StartTransaction { .. }
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
            Statement::Query(query) if is_set_config(query) => {}
            other if other.to_string().contains(" OWNER TO ") => {}
            _ => self.skipped(first_words, location),
        }
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
        qualify(&name_parts(name), &self.default_schema)
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
