//! The one normalized model every source produces: specs, live databases and snapshots
//! all become a [`Catalog`], so checks and diffs never see where a fact came from.
//!
//! Source locations are kept on model items ([`Location`]) but are never part of what
//! two catalogs are compared on.

mod catalog;
mod location;
mod name;
pub mod types;

pub use catalog::*;
pub use location::{display_path, Location};
pub use name::{
    fold_identifier, split_identifier_path, truncate_identifier, QualifiedName,
    MAX_IDENTIFIER_BYTES,
};
pub use types::SqlType;

/// Rows read from live relations (`SELECT row_to_json(t) FROM rel t LIMIT n`), by relation.
pub type RowSamples = std::collections::BTreeMap<QualifiedName, Vec<serde_json::Value>>;
