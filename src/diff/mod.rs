//! The diff between an expected catalog (the specs, or an older snapshot) and an actual
//! one (the live database): a typed list of [`Change`]s, between inspection and the
//! drift rules that judge it. Pure: no I/O, no findings.
//!
//! Objects are joined by name (relations by schema-qualified name; columns, indexes,
//! constraints, policies and triggers by their name within the relation; grants as
//! `(grantee, privilege)` pairs). What is compared, and what is not on purpose:
//!
//! - Column order is not drift: PostgreSQL cannot reorder columns, and a column added by
//!   a later migration lands last, wherever the spec writes it.
//! - Definitions (defaults, generated expressions, CHECK expressions, index expressions
//!   and predicates, policy `USING`/`WITH CHECK`, trigger `WHEN`, view bodies) are
//!   compared by the canonical forms their loaders computed on both sides
//!   ([`crate::model::Expr`]), so that a spec's text and the server's reprint of it
//!   compare equal. When a text could not be normalized, or two view bodies differ only
//!   in what normalization cannot settle, the difference is [`Comparison::Undecided`]:
//!   the drift rules report it as info, never as an error.
//! - View and materialized-view columns: their type is compared only where the spec's is
//!   statically known, and their nullability never (the catalog marks no view column
//!   `NOT NULL`, while the spec side holds what lineage proves).
//! - Indexes that back a primary key, unique or exclusion constraint (on either side)
//!   are compared once, as constraints: the index itself is only the constraint's
//!   implementation.
//! - Materialized views' `WITH [NO] DATA` is not compared: a refresh changes it.
//! - Grants are compared as they are in the catalogs: a relation's owner holds every
//!   privilege implicitly, and `aclexplode(relacl)` lists those too once anything was
//!   granted, so the live catalog leaves the owner's own privileges out. They are
//!   compared only where the specs state them, by revoking some from the owner
//!   (`REVOKE … FROM owner`): then what the owner holds must be every privilege but
//!   those revoked (and not granted again).
//! - Facts a catalog of an older format revision lacks (an older snapshot: sequences,
//!   trigger states, function details, owners, key collations; see
//!   [`crate::model::CATALOG_FORMAT_REVISION`]) are not compared with it.
//! - Schema-level objects (enum types, domains, functions and procedures, sequences,
//!   extensions) are compared by [`diff_objects`], into [`ObjectChange`]s.

mod compare;
mod objects;
mod relation;
#[cfg(test)]
mod tests;

use crate::model::{Catalog, QualifiedName, RelationKind, SqlType, TriggerState};
use std::collections::BTreeSet;

pub use objects::{diff_objects, ObjectChange, SchemaObject};

/// What [`diff`] compares.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Schemas whose relations are compared; empty means every schema.
    pub schemas: BTreeSet<String>,
    /// The schema unqualified names resolve to (`public`): its qualification of a type
    /// name is redundant. (Definitions are compared by forms their loaders computed with
    /// the same schema.)
    pub default_schema: String,
    /// Relations left out of the comparison entirely: a spec statement that failed to
    /// parse may define or alter them, so neither their absence nor their members can
    /// be judged.
    pub skipped_relations: BTreeSet<QualifiedName>,
}

/// One difference between the expected and the actual catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Expected relation absent.
    RelationMissing {
        /// The relation.
        relation: QualifiedName,
        /// What the expected side says it is.
        kind: RelationKind,
    },
    /// A relation that only the actual side has.
    RelationUnexpected {
        /// The relation.
        relation: QualifiedName,
        /// What it is on the actual side.
        kind: RelationKind,
    },
    /// The same name is a different kind of relation (a table instead of a view, …).
    /// Its members are not compared.
    RelationKindChanged {
        /// The relation.
        relation: QualifiedName,
        /// Expected kind.
        expected: RelationKind,
        /// Actual kind.
        actual: RelationKind,
    },
    /// Expected column absent.
    ColumnMissing {
        /// Its relation.
        relation: QualifiedName,
        /// The column.
        column: String,
    },
    /// A column that only the actual side has.
    ColumnUnexpected {
        /// Its relation.
        relation: QualifiedName,
        /// The column.
        column: String,
    },
    /// A column's type differs.
    ColumnTypeChanged {
        /// Its relation.
        relation: QualifiedName,
        /// The column.
        column: String,
        /// Expected type.
        expected: SqlType,
        /// Actual type.
        actual: SqlType,
    },
    /// A table column's `NOT NULL` differs.
    NullabilityChanged {
        /// Its relation.
        relation: QualifiedName,
        /// The column.
        column: String,
        /// Whether the expected side says `NOT NULL` (the actual side says the opposite).
        expected_not_null: bool,
    },
    /// A column's default, identity or generated expression differs.
    DefaultChanged {
        /// Its relation.
        relation: QualifiedName,
        /// The column.
        column: String,
        /// What differs: property `default`, `identity` or `generated`.
        difference: Difference,
    },
    /// Expected index absent.
    IndexMissing {
        /// Its table.
        relation: QualifiedName,
        /// The index.
        index: String,
    },
    /// An index that only the actual side has.
    IndexUnexpected {
        /// Its table.
        relation: QualifiedName,
        /// The index.
        index: String,
    },
    /// An index's definition differs (one change per differing property).
    IndexChanged {
        /// Its table.
        relation: QualifiedName,
        /// The index.
        index: String,
        /// What differs: `unique`, `method`, `keys`, `include`, `predicate`,
        /// `nulls not distinct`.
        difference: Difference,
    },
    /// Expected constraint absent.
    ConstraintMissing {
        /// Its relation.
        relation: QualifiedName,
        /// The constraint.
        constraint: String,
    },
    /// A constraint that only the actual side has.
    ConstraintUnexpected {
        /// Its relation.
        relation: QualifiedName,
        /// The constraint.
        constraint: String,
    },
    /// A constraint's definition differs (one change per differing property).
    ConstraintChanged {
        /// Its relation.
        relation: QualifiedName,
        /// The constraint.
        constraint: String,
        /// What differs: `kind`, `columns`, `references`, `referenced columns`,
        /// `on delete`, `on update`, `nulls not distinct`, `check`, `exclusion`,
        /// `deferrable`.
        difference: Difference,
    },
    /// Row-level security enabled or forced differs.
    RlsChanged {
        /// The table.
        relation: QualifiedName,
        /// Expected state.
        expected: RlsState,
        /// Actual state.
        actual: RlsState,
    },
    /// Expected policy absent.
    PolicyMissing {
        /// Its table.
        relation: QualifiedName,
        /// The policy.
        policy: String,
    },
    /// A policy that only the actual side has.
    PolicyUnexpected {
        /// Its table.
        relation: QualifiedName,
        /// The policy.
        policy: String,
    },
    /// A policy's definition differs (one change per differing property).
    PolicyChanged {
        /// Its table.
        relation: QualifiedName,
        /// The policy.
        policy: String,
        /// What differs: `permissive`, `command`, `roles`, `using`, `with check`.
        difference: Difference,
    },
    /// An expected privilege is not granted.
    GrantMissing {
        /// The relation.
        relation: QualifiedName,
        /// The role (`public` for PUBLIC).
        grantee: String,
        /// The privilege, upper-case.
        privilege: String,
    },
    /// A privilege granted only on the actual side.
    GrantUnexpected {
        /// The relation.
        relation: QualifiedName,
        /// The role (`public` for PUBLIC).
        grantee: String,
        /// The privilege, upper-case.
        privilege: String,
    },
    /// The relation's owner lacks a privilege the specs leave it (they revoke others from
    /// it, so they state its privileges).
    OwnerPrivilegeMissing {
        /// The relation.
        relation: QualifiedName,
        /// The owning role, on the actual side.
        owner: String,
        /// The privilege, upper-case.
        privilege: String,
    },
    /// The relation's owner holds a privilege the specs revoke from it.
    OwnerPrivilegeUnexpected {
        /// The relation.
        relation: QualifiedName,
        /// The owning role, on the actual side.
        owner: String,
        /// The privilege, upper-case.
        privilege: String,
    },
    /// Expected trigger absent.
    TriggerMissing {
        /// Its relation.
        relation: QualifiedName,
        /// The trigger.
        trigger: String,
    },
    /// A trigger that only the actual side has.
    TriggerUnexpected {
        /// Its relation.
        relation: QualifiedName,
        /// The trigger.
        trigger: String,
    },
    /// A trigger's definition differs (one change per differing property).
    TriggerChanged {
        /// Its relation.
        relation: QualifiedName,
        /// The trigger.
        trigger: String,
        /// What differs: `timing`, `events`, `update columns`, `transition tables`,
        /// `level`, `function`, `arguments`, `when`, `deferral` (a constraint trigger's).
        difference: Difference,
    },
    /// A trigger is enabled, disabled, replica-only or always-firing on one side and
    /// otherwise on the other.
    TriggerStateChanged {
        /// Its relation.
        relation: QualifiedName,
        /// The trigger.
        trigger: String,
        /// Expected state.
        expected: TriggerState,
        /// Actual state.
        actual: TriggerState,
    },
    /// A view's or materialized view's body differs.
    ViewDefinitionChanged {
        /// The view.
        relation: QualifiedName,
        /// Property `definition`.
        difference: Difference,
    },
    /// A comment differs (`None`: no comment).
    CommentChanged {
        /// The relation the commented object belongs to (or is).
        relation: QualifiedName,
        /// Which object carries the comment.
        target: CommentTarget,
        /// Expected comment.
        expected: Option<String>,
        /// Actual comment.
        actual: Option<String>,
    },
}

impl Change {
    /// The relation the change is about (or in).
    pub fn relation(&self) -> &QualifiedName {
        match self {
            Change::RelationMissing { relation, .. }
            | Change::RelationUnexpected { relation, .. }
            | Change::RelationKindChanged { relation, .. }
            | Change::ColumnMissing { relation, .. }
            | Change::ColumnUnexpected { relation, .. }
            | Change::ColumnTypeChanged { relation, .. }
            | Change::NullabilityChanged { relation, .. }
            | Change::DefaultChanged { relation, .. }
            | Change::IndexMissing { relation, .. }
            | Change::IndexUnexpected { relation, .. }
            | Change::IndexChanged { relation, .. }
            | Change::ConstraintMissing { relation, .. }
            | Change::ConstraintUnexpected { relation, .. }
            | Change::ConstraintChanged { relation, .. }
            | Change::RlsChanged { relation, .. }
            | Change::PolicyMissing { relation, .. }
            | Change::PolicyUnexpected { relation, .. }
            | Change::PolicyChanged { relation, .. }
            | Change::GrantMissing { relation, .. }
            | Change::GrantUnexpected { relation, .. }
            | Change::OwnerPrivilegeMissing { relation, .. }
            | Change::OwnerPrivilegeUnexpected { relation, .. }
            | Change::TriggerMissing { relation, .. }
            | Change::TriggerUnexpected { relation, .. }
            | Change::TriggerChanged { relation, .. }
            | Change::TriggerStateChanged { relation, .. }
            | Change::ViewDefinitionChanged { relation, .. }
            | Change::CommentChanged { relation, .. } => relation,
        }
    }

    /// The difference in a definition, for the changes that carry one.
    pub fn difference(&self) -> Option<&Difference> {
        match self {
            Change::DefaultChanged { difference, .. }
            | Change::IndexChanged { difference, .. }
            | Change::ConstraintChanged { difference, .. }
            | Change::PolicyChanged { difference, .. }
            | Change::TriggerChanged { difference, .. }
            | Change::ViewDefinitionChanged { difference, .. } => Some(difference),
            _ => None,
        }
    }
}

/// One property of an object that differs between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Which property, in words: `predicate`, `columns`, `using`, …
    pub property: &'static str,
    /// The expected value as written (`(none)` when absent).
    pub expected: String,
    /// The actual value as written (`(none)` when absent).
    pub actual: String,
    /// How the values were compared, and whether the difference is certain.
    pub comparison: Comparison,
}

/// How a [`Difference`] was established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Comparison {
    /// Plain values (names, flags, lists, types) that differ: certain.
    Values,
    /// Definitions normalized on both sides whose canonical forms differ: certain.
    Normalized {
        /// The expected definition's canonical form.
        expected: String,
        /// The actual definition's canonical form.
        actual: String,
    },
    /// The texts differ, but whether they mean the same could not be decided.
    Undecided {
        /// Why not.
        reason: String,
    },
    /// Normalization could not decide, but trying both definitions on the same values in
    /// the scratch database of `--probe` showed a difference: certain.
    Behaviour {
        /// The value that behaves differently, in words.
        evidence: String,
    },
}

impl Comparison {
    /// Whether the difference is certain (not [`Comparison::Undecided`]).
    pub fn is_decided(&self) -> bool {
        !matches!(self, Comparison::Undecided { .. })
    }
}

/// Row-level security switches of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RlsState {
    /// `ENABLE ROW LEVEL SECURITY`.
    pub enabled: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    pub forced: bool,
}

/// What a comment is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentTarget {
    /// The relation itself.
    Relation,
    /// A column.
    Column(String),
    /// An index.
    Index(String),
    /// A constraint.
    Constraint(String),
    /// A policy.
    Policy(String),
    /// A trigger.
    Trigger(String),
}

/// Every difference between `expected` (the specs, or a snapshot) and `actual` (the live
/// catalog) among the relations in `options.schemas`, ordered by relation name and, within
/// a relation, by kind of object and name.
pub fn diff(expected: &Catalog, actual: &Catalog, options: &DiffOptions) -> Vec<Change> {
    let in_scope = |name: &QualifiedName| {
        (options.schemas.is_empty() || options.schemas.contains(&name.schema))
            && !options.skipped_relations.contains(name)
    };
    let names: BTreeSet<&QualifiedName> = expected
        .relations
        .keys()
        .chain(actual.relations.keys())
        .filter(|name| in_scope(name))
        .collect();
    let context = relation::Context {
        expected,
        actual,
        default_schema: &options.default_schema,
    };
    let mut changes = Vec::new();
    for name in names {
        match (expected.relations.get(name), actual.relations.get(name)) {
            (Some(wanted), None) => changes.push(Change::RelationMissing {
                relation: name.clone(),
                kind: wanted.kind,
            }),
            (None, Some(found)) => changes.push(Change::RelationUnexpected {
                relation: name.clone(),
                kind: found.kind,
            }),
            (Some(wanted), Some(found)) if wanted.kind != found.kind => {
                changes.push(Change::RelationKindChanged {
                    relation: name.clone(),
                    expected: wanted.kind,
                    actual: found.kind,
                })
            }
            (Some(wanted), Some(found)) => context.relation(wanted, found, &mut changes),
            (None, None) => {}
        }
    }
    changes
}
