//! What the mapping loader produces. Every item keeps its location in the YAML (or
//! Markdown) file so findings can point at it.

use super::claims::ContractClaim;
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
    /// The Markdown plan the mapping names (`index_plan_markdown:`), resolved against its
    /// folder.
    pub index_plan_markdown: Option<PathBuf>,
    /// Entries of the Markdown plan that could not be read.
    pub plan_problems: Vec<PlanProblem>,
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
    /// Where the entry is (for an inferred read model, where its evidence is).
    pub location: Option<Location>,
    /// Set when pgparity inferred the read model instead of reading it from the mapping.
    pub inferred: Option<Inference>,
}

/// Why pgparity believes a relation serves an endpoint the mapping does not assign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inference {
    /// The evidence in words, with its place: `the comment on public.mv_x
    /// (specs/090_views.sql:12) names GET /api/x`.
    pub evidence: String,
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
    /// Its `contract_mapping:` text, when it has one.
    pub contract_mapping: Option<ContractMapping>,
}

/// An entity column's `contract_mapping:` string: free text, and the claims about
/// contract files it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractMapping {
    /// The text as written.
    pub text: String,
    /// What it claims about contract files (none for free text).
    pub claims: Vec<ContractClaim>,
    /// Where the string is.
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

/// An index plan entry that could not be read: reported as a finding at its place; the
/// plan's other entries still count.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlanProblem {
    /// Where the entry is (its `####` heading, or the YAML item).
    pub location: Location,
    /// The entry's index name, or what stands for it (`####`, `index_plan[2]`).
    pub entry: String,
    /// What is wrong and what to write.
    pub message: String,
}

/// An index plan file (`--index-plan`, `index_plan` in pgparity.toml): Markdown or YAML.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFile {
    /// The file, as shown in locations.
    pub path: String,
    /// The entries read.
    pub entries: Vec<PlanEntry>,
    /// Named queries a YAML plan file declares (`queries:`).
    pub queries: Vec<NamedQuery>,
    /// Entries that could not be read.
    pub problems: Vec<PlanProblem>,
}

/// Every index plan of a run: the mapping's (`index_plan:`, `index_plan_markdown:`) and
/// the plan files', with the queries that may justify their entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanSet {
    /// Every entry, the mapping's first.
    pub entries: Vec<PlanEntry>,
    /// Declared queries: the mapping's, then the plan files'.
    pub queries: Vec<NamedQuery>,
    /// Entries that could not be read.
    pub problems: Vec<PlanProblem>,
}

impl PlanSet {
    /// The plans of a run: the mapping's, then each file's.
    pub fn gather(mapping: Option<&Mapping>, files: &[PlanFile]) -> PlanSet {
        let mut set = PlanSet::default();
        if let Some(mapping) = mapping {
            set.entries.extend(mapping.index_plan.iter().cloned());
            set.queries.extend(mapping.queries.iter().cloned());
            set.problems.extend(mapping.plan_problems.iter().cloned());
        }
        for file in files {
            set.entries.extend(file.entries.iter().cloned());
            set.queries.extend(file.queries.iter().cloned());
            set.problems.extend(file.problems.iter().cloned());
        }
        set
    }

    /// Whether there is any plan at all (an entry, or an entry that could not be read).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.problems.is_empty()
    }
}

pub use crate::contracts::compat::TypeCompat;

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
