//! Writes a generated large-schema spec: `gen_schema [TABLES] > spec.sql` (default 1,000
//! tables) writes the drift test's schema (`tests/support/large_schema.rs`, also used by
//! `bench/probe_tables.sh`); `gen_schema --bench [TABLES]` writes the paired benchmark's
//! richer one (`benches/paired/schema.rs`: schemas `public` and `ledger`), for profiling a
//! run outside the benchmark.

#[path = "../tests/support/large_schema.rs"]
mod large_schema;

#[path = "../benches/paired/schema.rs"]
mod bench_schema;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let bench = arguments.first().is_some_and(|first| first == "--bench");
    if bench {
        arguments.remove(0);
    }
    let tables = match arguments.first() {
        None => 1_000,
        Some(text) => match text.parse::<usize>() {
            Ok(tables) => tables,
            Err(_) => {
                eprintln!("gen_schema: the table count must be a whole number, not {text:?}");
                return ExitCode::from(2);
            }
        },
    };
    let sql = if bench {
        bench_schema::spec_sql(tables)
    } else {
        large_schema::spec_sql(tables)
    };
    match std::io::stdout().lock().write_all(sql.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_schema: writing the spec: {error}");
            ExitCode::from(2)
        }
    }
}
