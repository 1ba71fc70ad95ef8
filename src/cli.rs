//! Command-line types (clap derive). Nothing here runs anything.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

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
    /// Lowest severity that makes the exit code 1 (default: error, or `fail_on` in the config).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Colour in text output: auto (a terminal, unless NO_COLOR is set), always, never.
    /// Files written with --output are never coloured.
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
    /// Colour when standard output is a terminal and `NO_COLOR` is unset or empty.
    Auto,
    /// Always colour, even through a pipe or with `NO_COLOR` set.
    Always,
    /// Never colour.
    Never,
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
