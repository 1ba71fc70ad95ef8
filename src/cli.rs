//! Command-line types (clap derive). Nothing here runs anything.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// pgparity: verify PostgreSQL DDL specs, API contracts, the contract↔schema mapping and
/// its index plan against each other.
#[derive(Debug, Parser)]
#[command(name = "pgparity", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs, contracts, mapping and index plan; exit 0 clean, 1 findings, 2 error.
    Check(CheckArgs),
    /// Write the live catalog of a database as JSON, for `check --snapshot` and nightly
    /// comparisons.
    Snapshot(SnapshotArgs),
    /// List every rule with its family and default severity.
    Rules,
    /// Explain a rule: what it checks, why it matters, an example and its fix.
    Explain {
        /// Rule id, e.g. `speculative-index`.
        rule: String,
    },
}

/// `pgparity check` options. Flags override `pgparity.toml`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Configuration file (default: pgparity.toml in this folder or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// DDL spec file or folder of .sql files (repeatable; replaces the config's).
    #[arg(long, value_name = "PATH")]
    pub specs: Vec<PathBuf>,
    /// contract_schema_mapping.yaml.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// OpenAPI or JSON Schema file or folder (repeatable; adds to the mapping's).
    #[arg(long, value_name = "PATH")]
    pub contracts: Vec<PathBuf>,
    /// Schema in scope (repeatable); the first is where unqualified names live.
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Live database to check against (PostgreSQL URL or `key=value` string). `--db` alone
    /// uses DATABASE_URL or the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
    /// PGDATABASE, PGSSLMODE, …). Only reads, in one READ ONLY transaction.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "", conflicts_with = "snapshot")]
    pub db: Option<String>,
    /// Use a snapshot file (from `pgparity snapshot`) instead of a live database.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Server on which pgparity creates a scratch database, applies the specs, reads the
    /// exact view column types and server-printed definitions, and drops it again.
    #[arg(long, value_name = "URL")]
    pub dev_db: Option<String>,
    /// Validate up to N rows of each read model's relation against its DTO (needs --db).
    #[arg(long, value_name = "N", requires = "db")]
    pub sample_rows: Option<u32>,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
    /// Lowest severity that makes the exit code 1 (default: error, or `fail_on` in the config).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Colour in text output: auto (a terminal, unless NO_COLOR or CLICOLOR=0 is set; a
    /// pipe too when FORCE_COLOR or CLICOLOR_FORCE is set), always, never. Files written
    /// with --output are never coloured.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (they are then accepted, exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour a terminal unless `NO_COLOR` is non-empty or `CLICOLOR=0`; colour a pipe
    /// too when `FORCE_COLOR` or `CLICOLOR_FORCE` is set (see
    /// [`crate::report::color_enabled`]).
    Auto,
    /// Always colour, even through a pipe or with `NO_COLOR` set.
    Always,
    /// Never colour.
    Never,
}

/// Limits of every query pgparity runs against a database.
#[derive(Debug, Clone, Args)]
pub struct TimeoutArgs {
    /// `statement_timeout` of live queries, e.g. `30s`, `500ms`, `2m` (default 30s); `0`
    /// means no limit, as in PostgreSQL. pgparity stops waiting for an answer 5s after
    /// it (a frozen server or network), cancels the query and exits 2.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub statement_timeout: Option<Duration>,
    /// `lock_timeout` of live queries (default 5s): never wait long behind a migration;
    /// `0` means no limit, as in PostgreSQL.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub lock_timeout: Option<Duration>,
}

/// `pgparity snapshot` options.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Configuration file (default: pgparity.toml in this folder or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database to snapshot; `--db` alone (or no --db) uses DATABASE_URL or the libpq
    /// variables.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub db: Option<String>,
    /// Schema to include (repeatable; default: the config's, else `public`).
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Write the snapshot to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
}

/// The longest `statement_timeout`/`lock_timeout` PostgreSQL accepts: `INT_MAX`
/// milliseconds (about 24 days).
pub const LONGEST_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// Parses `30s`, `500ms`, `2m` or a plain number of seconds; `0` is "no limit".
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(split) => text.split_at(split),
        None => (text, "s"),
    };
    let value: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration: write e.g. 30s, 500ms or 2m"))?;
    let milliseconds = match unit.trim() {
        "ms" => Some(value),
        "s" => value.checked_mul(1_000),
        "m" | "min" => value.checked_mul(60_000),
        other => return Err(format!("unknown duration unit {other:?}: use ms, s or m")),
    };
    milliseconds
        .map(Duration::from_millis)
        .filter(|duration| *duration <= LONGEST_TIMEOUT)
        .ok_or_else(|| {
            format!(
                "{text:?} is longer than PostgreSQL allows ({} ms, about 24 days); use 0 for no limit",
                LONGEST_TIMEOUT.as_millis()
            )
        })
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Grouped by object, for people.
    Text,
    /// One JSON object, for tools.
    Json,
    /// A Markdown drift report (job summaries, PR comments), cut at 60,000 bytes.
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one suite per rule family, failures at or above --fail-on.
    Junit,
    /// GitHub Actions workflow commands (::error file=…,line=…::…), for inline annotations.
    Github,
}

/// `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Errors fail the run.
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Any finding fails the run.
    Info,
    /// Findings never fail the run.
    Never,
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
    use std::time::Duration;

    #[test]
    fn durations_and_their_limits() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert!(parse_duration("2147483647ms").is_ok());
        for (text, expected) in [
            ("2147483648ms", "longer than PostgreSQL allows"),
            ("99999999999999999999m", "is not a duration"),
            ("999999999999999999m", "longer than PostgreSQL allows"),
            ("1h", "unknown duration unit"),
            ("soon", "is not a duration"),
        ] {
            let error = parse_duration(text).expect_err(text);
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
