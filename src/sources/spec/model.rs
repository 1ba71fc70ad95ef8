//! What the spec loader produces besides the catalog.

use super::{DevUse, ParseOutcome};
use crate::model::{Catalog, Location, QualifiedName};

/// The result of loading a set of `.sql` spec files.
#[derive(Debug, Clone, Default)]
pub struct SpecSet {
    /// The catalog the specs define (after every ALTER is applied).
    pub catalog: Catalog,
    /// Files read, in order.
    pub files: Vec<String>,
    /// Statements seen (parsed or not), for coverage figures.
    pub statements: usize,
    /// Statements that did not parse or could not be applied, and notes.
    pub problems: Vec<SpecProblem>,
    /// Every statement's source text in file order, for applying the specs to a
    /// scratch database (`--dev-db`).
    pub sources: Vec<StatementSource>,
}

/// One statement as written, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSource {
    /// The statement's first token.
    pub location: Location,
    /// The text from the first token up to the next statement (its `;` included).
    pub text: String,
    /// What the loader read of it, for [`StatementSource::dev_use`].
    pub outcome: ParseOutcome,
}

impl StatementSource {
    /// Whether `--dev-db` may send it to the scratch database, and how (read from its
    /// text when asked: only `--dev-db` asks).
    pub fn dev_use(&self) -> DevUse {
        super::dev_safety::classify(&self.outcome, &self.text)
    }
}

impl SpecSet {
    /// Whether a statement that failed to parse may have defined `relation`: then it
    /// must not be reported missing (the comparison is incomplete, not wrong).
    pub fn may_have_defined(&self, relation: &QualifiedName) -> bool {
        self.problems.iter().any(|problem| match &problem.kind {
            SpecProblemKind::ParseError { defines, .. } => defines.as_ref() == Some(relation),
            _ => false,
        })
    }
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
    /// (see [`DevUse::Refuse`]), or it creates an extension that is not allowed.
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
}
