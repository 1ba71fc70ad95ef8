//! What the mapping loader produces. Every item keeps its location in the YAML (or
//! Markdown) file so findings can point at it.

use crate::model::{Expr, IndexKey, Location, QualifiedName, SqlType};
use std::path::PathBuf;

/// A loaded `contract_schema_mapping.yaml` (version 1) plus its Markdown index plan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    /// The mapping file, as given.
    pub path: String,
    /// Contract files named by the mapping, resolved relative to the mapping file.
    pub contracts: Vec<PathBuf>,
    /// Tenancy rules.
    pub tenancy: Option<Tenancy>,
    /// Which relation serves which DTO.
    pub read_models: Vec<ReadModel>,
    /// Declared column types.
    pub entities: Vec<Entity>,
    /// Internal query paths that can justify indexes.
    pub queries: Vec<NamedQuery>,
    /// The index plan: entries from the YAML, then from the Markdown plan.
    pub index_plan: Vec<PlanEntry>,
    /// Overrides of the JSON → PostgreSQL compatibility table.
    pub type_compat: Vec<TypeCompat>,
    /// Declared invariants: `violations` queries and statements the database must refuse.
    pub invariants: Vec<Invariant>,
    /// Tables whose rows the listed roles may not change.
    pub immutable: Vec<Immutable>,
}

/// `tenancy:`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenancy {
    /// The tenant column, e.g. `tenant_id`.
    pub column: String,
    /// Require RLS enabled and forced on tenant-scoped tables.
    pub require_rls: bool,
    /// Relations that are not tenant-scoped.
    pub exempt: Vec<QualifiedName>,
    /// The role tenant isolation is tried as (`--probe`); `None`: a role pgparity
    /// creates for the run with the table's privileges.
    pub role: Option<String>,
    /// The setting the policies read the tenant from (`--probe`); `None`: read from the
    /// policies (`current_setting('app.current_tenant_id')`).
    pub setting: Option<String>,
    /// Where `tenancy:` is.
    pub location: Option<Location>,
}

/// One `read_models:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadModel {
    /// `METHOD /path`, when given.
    pub endpoint: Option<String>,
    /// DTO name or `file#/pointer`, when given.
    pub dto: Option<String>,
    /// The serving relation.
    pub relation: QualifiedName,
    /// Explicit field → column mappings; unlisted DTO properties map to same-named columns.
    pub fields: Vec<FieldMapping>,
    /// Where the entry is.
    pub location: Option<Location>,
}

/// `fields: {dto_field: column}`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMapping {
    /// DTO property name.
    pub field: String,
    /// Column of the serving relation.
    pub column: String,
    /// Free-text note.
    pub note: Option<String>,
    /// Where the mapping is.
    pub location: Option<Location>,
}

/// One `entities:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// The key under `entities:`.
    pub key: String,
    /// The table (`table:`, or the key).
    pub table: QualifiedName,
    /// Declared columns.
    pub columns: Vec<EntityColumn>,
    /// Where the entry is.
    pub location: Option<Location>,
}

/// One declared column.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityColumn {
    /// Column name.
    pub name: String,
    /// Declared type, canonical (`None` when not declared).
    pub data_type: Option<SqlType>,
    /// The type as written.
    pub type_text: Option<String>,
    /// Declared nullability.
    pub nullable: Option<bool>,
    /// Where the column is.
    pub location: Option<Location>,
}

/// One `queries:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedQuery {
    /// The name plan entries refer to.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Where the entry is.
    pub location: Option<Location>,
}

/// Whether a planned index is meant to exist now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStatus {
    /// The index is justified today.
    Active,
    /// Planned for later: an existing index with this status is speculative today.
    Future,
}

/// One index plan entry.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanEntry {
    /// Index name (schema from [`PlanEntry::table`] when unqualified).
    pub index: QualifiedName,
    /// The table the index is on.
    pub table: QualifiedName,
    /// Key columns or expressions in order, read from what was written with
    /// `ASC`/`DESC`/`NULLS` if given (`["tenant_id", "updated_at DESC"]`); expressions
    /// carry their canonical form in the index's schema.
    pub columns: Vec<IndexKey>,
    /// `unique:`; `None` when not stated.
    pub unique: Option<bool>,
    /// `method:`; `None` when not stated (btree is assumed by PostgreSQL).
    pub method: Option<String>,
    /// `where:` predicate of a partial index, with its canonical form in the index's
    /// schema.
    pub predicate: Option<Expr>,
    /// `include:` columns.
    pub include: Vec<String>,
    /// Query paths as written (endpoints, query names, or Markdown free text).
    pub query_paths: Vec<String>,
    /// Active or future.
    pub status: PlanStatus,
    /// Where the entry is (the YAML item or the Markdown `####` heading).
    pub location: Option<Location>,
}

/// One `type_compat:` override.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeCompat {
    /// JSON Schema `type`.
    pub json_type: String,
    /// JSON Schema `format`, when the override is for one.
    pub format: Option<String>,
    /// Compatible PostgreSQL types (canonical base names are compared).
    pub postgres: Vec<SqlType>,
    /// Where the override is.
    pub location: Option<Location>,
}

/// One `invariants:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Invariant {
    /// Its name, for reports.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// A query returning the rows that break the invariant (none: it holds).
    pub violations: Option<String>,
    /// The columns of the `violations` rows that reports show (never any other).
    pub key: Vec<String>,
    /// Statements the database must refuse.
    pub must_reject: Vec<MustReject>,
    /// Where the entry is.
    pub location: Option<Location>,
}

/// One `must_reject:` statement of an invariant.
#[derive(Debug, Clone, PartialEq)]
pub struct MustReject {
    /// The statement; `{{valid:table.column}}` stands for a value of the synthesized
    /// valid row of `table`.
    pub sql: String,
    /// The SQLSTATE the refusal must carry, when given.
    pub sqlstate: Option<String>,
    /// Where the statement is.
    pub location: Option<Location>,
}

/// One `immutable:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Immutable {
    /// The table.
    pub table: QualifiedName,
    /// The roles that may neither UPDATE nor DELETE its rows.
    pub roles: Vec<String>,
    /// Where the entry is.
    pub location: Option<Location>,
}
