//! pgparity: a schema-as-code contract verifier for PostgreSQL.
//!
//! Inputs (DDL specs, API contracts, the mapping with its index plan) are loaded into
//! one normalized model, checked, and reported. The library never prints or exits;
//! `src/main.rs` is the thin command line on top.

pub mod app;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod config;
pub mod contracts;
pub mod diff;
pub mod finding;
pub mod live_inputs;
pub mod mapping;
pub mod model;
pub mod redact;
pub mod report;
pub mod sources;
pub mod sql;
pub mod yaml;
