//! The one normalized model every source produces: specs, live databases and snapshots
//! all become a [`Catalog`], so checks and diffs never see where a fact came from.
//!
//! Source locations are kept on model items ([`Location`]) but are never part of what
//! two catalogs are compared on. Expressions are [`Expr`] values: the text as written,
//! plus the canonical forms its loader computed once, which diffs and checks compare
//! instead of parsing SQL themselves.

mod catalog;
pub mod ddl;
mod expr;
mod location;
mod name;
mod probe;
mod specs;
pub mod types;

pub use catalog::*;
pub use expr::{Canonical, Expr, Forms, Undecided};
pub use location::{display_path, same_file, Location};
pub use name::{
    fold_identifier, quote_identifier, split_identifier_path, truncate_identifier, QualifiedName,
    MAX_IDENTIFIER_BYTES,
};
pub use probe::{
    InvariantFound, InvariantResult, LivePrivilege, Probe, ProbeKind, ProbeOutcome, ProbeResults,
    ProbeTally, SettledObject, Settlement, Verdict, MAX_REPORTED_KEYS,
};
pub use specs::{SpecComment, SpecProblem, SpecProblemKind, Specs};
pub use types::SqlType;

/// Rows read from live relations (`SELECT row_to_json(t) FROM rel t LIMIT n`), by relation.
pub type RowSamples = std::collections::BTreeMap<QualifiedName, Vec<serde_json::Value>>;
