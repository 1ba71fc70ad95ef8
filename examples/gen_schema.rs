//! Writes the generated large-schema spec: `gen_schema [TABLES] > spec.sql` (default
//! 1,000 tables). Used by `bench/probe_tables.sh`; the same generator feeds
//! `tests/live_large_schema.rs`.

#[path = "../tests/support/large_schema.rs"]
mod large_schema;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let tables = match std::env::args().nth(1) {
        None => 1_000,
        Some(text) => match text.parse::<usize>() {
            Ok(tables) => tables,
            Err(_) => {
                eprintln!("gen_schema: the table count must be a whole number, not {text:?}");
                return ExitCode::from(2);
            }
        },
    };
    let sql = large_schema::spec_sql(tables);
    match std::io::stdout().lock().write_all(sql.as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("gen_schema: writing the spec: {error}");
            ExitCode::from(2)
        }
    }
}
