//! The live database: connection settings, one read-only session, and introspection of
//! `pg_catalog` into the same [`crate::model::Catalog`] the specs produce.
//!
//! This is the only module that knows the `postgres` crate: everything it returns is a
//! model type or a [`LiveError`], whose messages never contain a password.

mod assemble;
mod blocks;
mod connection_string;
mod error;
mod introspect;
mod libpq;
mod passfile;
mod probe;
mod queries;
mod rows;
mod scratch;
mod session;
mod settings;

pub use error::LiveError;
pub use introspect::{introspect, introspect_with, Introspection, Parallel};
pub use probe::{check_declared, ProbeRequest};
pub use scratch::{
    apply_to_scratch, drop_scratch_objects, DevDatabase, ExtensionPolicy, RefusedBy, Rejected,
    SCRATCH_PREFIX, STALE_AFTER,
};
pub use session::{LiveSession, SessionOptions, DEFAULT_CATALOG_CONNECTIONS};
pub use settings::{ConnectionSettings, SslMode};
