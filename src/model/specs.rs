//! The specs as the checks see them: the catalog they define and the problems met while
//! loading them (or applying them to a `--dev-db` scratch database).

use super::{Catalog, Location, QualifiedName};

/// The specs as the checks read them: what they define, and what could not be taken
/// into the catalog. Whoever loaded them owns both.
#[derive(Debug, Clone, Copy)]
pub struct Specs<'a> {
    /// The catalog the specs define (after every ALTER is applied).
    pub catalog: &'a Catalog,
    /// Statements that did not parse or could not be applied, and notes.
    pub problems: &'a [SpecProblem],
    /// The `--` comment blocks written right before statements, in file order.
    pub comments: &'a [SpecComment],
}

/// The `--` comment lines (and blank lines) written right before a spec statement: what
/// a team says there about the statement, such as the endpoint a view serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecComment {
    /// Where its first comment line is.
    pub location: Location,
    /// The comment lines without their `--`, one per line.
    pub text: String,
    /// The first token of the statement it precedes.
    pub statement: Location,
    /// The relation that statement creates, if it creates one.
    pub relation: Option<QualifiedName>,
}

/// Something the loader could not take into the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecProblem {
    /// What happened.
    pub kind: SpecProblemKind,
    /// The statement's start (or the offending token).
    pub location: Location,
}

/// The kinds of spec problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecProblemKind {
    /// sqlparser rejected the statement.
    ParseError {
        /// The parser's message.
        message: String,
        /// The relation the statement would have created or altered, when its first
        /// words say so (`CREATE TABLE x`, `ALTER TABLE x`, `CREATE INDEX … ON x`).
        defines: Option<QualifiedName>,
    },
    /// An object defined twice (CREATE TABLE twice, two indexes of one name, …).
    Duplicate {
        /// Object path, e.g. `public.tenants` or `public.tenants.tenants_pkey`.
        object: String,
        /// `table`, `index`, `constraint`, `policy`, …
        object_kind: String,
        /// Where it was first defined.
        first: Option<Location>,
    },
    /// A statement names a relation, column or type the specs do not define
    /// (ALTER TABLE, CREATE INDEX, CREATE POLICY, COMMENT ON, GRANT on an unknown
    /// relation; ALTER COLUMN on an unknown column).
    UnknownReference {
        /// The object the statement is about (e.g. the index), schema-qualified.
        object: String,
        /// What it names that does not exist, e.g. `relation public.ledger`.
        missing: String,
    },
    /// The scratch database of `--dev-db` refused the statement.
    Rejected {
        /// The server's message.
        message: String,
    },
    /// `--dev-db` did not send the statement: it could act outside the scratch database
    /// (roles, other databases, server files, …), or it creates an extension that is not
    /// allowed.
    NotApplied {
        /// Why, and what to do instead.
        reason: String,
    },
    /// `--dev-db`: statements the server refused only because they name a role it does
    /// not have (grants, policies `TO` it, default privileges `FOR ROLE` it). Reported
    /// once per role, as info: what pgparity reads back from the scratch database does
    /// not depend on them, and the specs are not wrong.
    RoleMissingOnDevServer {
        /// The role, as the server named it.
        role: String,
        /// How many statements named it.
        statements: usize,
    },
    /// A statement outside pgparity's model (DO blocks, CREATE CAST, publications,
    /// event triggers, …): skipped, reported as info.
    Skipped {
        /// The statement's first words, e.g. `DO`, `CREATE CAST`.
        statement: String,
    },
    /// Data in the specs (`INSERT`, `UPDATE`, `DELETE`, `SELECT setval(…)`, as structure
    /// dumps carry): not schema, so not read and not a finding; counted in the run's
    /// `skipped` lines.
    Data {
        /// The statement's first words (`INSERT`, `SELECT setval`).
        statement: String,
    },
    /// A statement outside pgparity's model that `--dev-db` ran on its scratch
    /// database (a `DO` block): what the specs' such statements created there was read
    /// back, so it is known and compared.
    RanOnDevServer {
        /// The statement's first words (`DO`).
        statement: String,
        /// The relations the scratch database holds that no modelled statement defines,
        /// schema-qualified, in order.
        created: Vec<String>,
    },
}
