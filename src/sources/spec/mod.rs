//! DDL specs: `.sql` files parsed with sqlparser (PostgreSQL dialect) into a
//! [`crate::model::Catalog`]. The only module that knows sqlparser's AST.

mod lineage;
mod model;

pub use model::*;
