//! pgparity: a schema-as-code contract verifier for PostgreSQL.
//!
//! Inputs (DDL specs, API contracts, the mapping with its index plan) are loaded into
//! one normalized model, checked, and reported. The library never prints or exits and
//! knows nothing of the command line: [`config::resolve_check`] turns `pgparity.toml` and
//! plain overrides into the request [`app::check`] runs. `src/main.rs` (with its clap
//! types in `src/cli.rs`) is the thin command line on top.

pub mod app;
pub mod baseline;
pub mod checks;
pub mod config;
pub mod contracts;
pub mod diff;
pub mod finding;
pub mod init;
pub mod input;
pub mod json_schemas;
pub mod live_inputs;
pub mod mapping;
pub mod model;
pub mod redact;
pub mod report;
pub mod rules;
pub mod sources;
pub mod sql;
pub mod suggest;
pub mod timings;
pub mod yaml;

/// Stack size of every thread that parses or walks input (the binary's main work thread,
/// the spec loader, fuzz harnesses): deep but legal inputs must not overflow the stack.
///
/// Every text is measured before it is parsed and refused past
/// [`sql::depth::MAX_NESTING`] levels (see [`sql::depth`]); the deepest walk at that limit
/// (the normalizer over nested function calls or subqueries) took between 48 and 64 MiB
/// in a debug build, whose frames are many times larger than a release build's. This is
/// four times that. Only the pages a thread touches become resident.
pub const WORKER_STACK_BYTES: usize = 256 << 20;

const _: () = assert!(WORKER_STACK_BYTES >= yaml::PARSER_STACK_BYTES);

thread_local! {
    static ON_WORKER_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` on the current thread, which its caller started with
/// [`WORKER_STACK_BYTES`] of stack: parsers that would otherwise start a big-stack
/// thread of their own (YAML) run in place. Another thread that allocates gets another
/// glibc heap arena, whose freed memory is not reused by this one: a 10 MB OpenAPI
/// document peaked at 1.02 GB resident with its own parser thread and 0.87 GB in place.
pub fn on_worker_stack<T>(work: impl FnOnce() -> T) -> T {
    let outer = ON_WORKER_STACK.with(|flag| flag.replace(true));
    let result = work();
    ON_WORKER_STACK.with(|flag| flag.set(outer));
    result
}

/// Whether the current thread runs inside [`on_worker_stack`].
pub fn is_on_worker_stack() -> bool {
    ON_WORKER_STACK.with(std::cell::Cell::get)
}
