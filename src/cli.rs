//! The binary's command-line types (clap derive) and their translation into the
//! library's overrides. Nothing here runs anything; the library knows nothing of clap.

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};
use pgparity::app::RulesFormat;
use pgparity::config::{CheckOverrides, FailOn, LiveSource, SnapshotOverrides, Timeouts};
use pgparity::init::InitRequest;
use pgparity::json_schemas::SchemaKind;
use pgparity::report::{ColorChoice, Format};
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
// Parsed once per process: boxing the check's flags would only make the binary's match
// noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs, contracts, mapping and index plan; exit 0 clean, 1 findings, 2 error.
    Check(Box<CheckArgs>),
    /// Write the live catalog of a database as JSON, for `check --snapshot` and nightly
    /// comparisons.
    Snapshot(SnapshotArgs),
    /// Write a pgparity.toml for the repository in this folder (its spec folders,
    /// mapping, Markdown index plans and OpenAPI files), and optionally the read models
    /// pgparity infers for it.
    Init(InitArgs),
    /// List every rule with its family, default severity and the severity in effect
    /// (after `[rules]` in pgparity.toml).
    Rules(RulesArgs),
    /// Explain a rule: what it checks, why it matters, an example and its fix.
    Explain {
        /// Rule id, e.g. `speculative-index`.
        rule: String,
    },
    /// Print the JSON Schema of a file pgparity reads or writes (also in `schema/`).
    Schema {
        /// Which file.
        #[arg(value_enum)]
        kind: SchemaArg,
    },
    /// Print a shell completion script, e.g. `pgparity completions bash >
    /// /usr/share/bash-completion/completions/pgparity`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), e.g. `pgparity man > /usr/local/share/man/man1/pgparity.1`;
    /// `--dir` writes one page per subcommand.
    Man {
        /// Write pgparity.1 and pgparity-SUBCOMMAND.1 into this folder instead.
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

/// `pgparity rules` options.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Configuration file whose `[rules]` levels apply (default: pgparity.toml in this
    /// folder or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormatArg(RulesFormat::Text))]
    pub format: RulesFormatArg,
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
    /// contract_schema_mapping.yaml (a `version:` key is optional).
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Index plan file, Markdown (.md) or YAML (.yaml), besides the mapping's own plan
    /// (repeatable; replaces the config's `index_plan`).
    #[arg(long = "index-plan", value_name = "FILE")]
    pub index_plan: Vec<PathBuf>,
    /// OpenAPI or JSON Schema file or folder (repeatable; adds to the mapping's).
    #[arg(long, value_name = "PATH")]
    pub contracts: Vec<PathBuf>,
    /// Schema in scope (repeatable); the first is where unqualified names live.
    #[arg(long = "schema", value_name = "NAME")]
    pub schemas: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg(Format::Text))]
    pub format: FormatArg,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Live database to check against: a PostgreSQL URL or `key=value` string (e.g.
    /// `service=NAME`); `--db` alone uses DATABASE_URL, or nothing. What it leaves out is
    /// found as libpq (psql) finds it: the service file (PGSERVICE, PGSERVICEFILE,
    /// ~/.pg_service.conf), the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
    /// PGDATABASE, PGSSLMODE, PGAPPNAME, …), the local Unix socket, the password file
    /// (PGPASSFILE or ~/.pgpass, mode 0600). Only reads, in one READ ONLY transaction.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "", conflicts_with = "snapshot")]
    pub db: Option<String>,
    /// Use a snapshot file (from `pgparity snapshot`) instead of a live database.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Server on which pgparity creates a scratch database, applies the specs, reads the
    /// exact view column types and server-printed definitions, and drops it again. The
    /// connection settings are found as for --db.
    #[arg(long, value_name = "URL")]
    pub dev_db: Option<String>,
    /// Try the specs' constraints, the mapping's invariants and immutable tables, and
    /// tenant isolation in the --dev-db scratch database (each probe in a savepoint
    /// that is rolled back; never in --db). `probe = true` in pgparity.toml does the
    /// same whenever --dev-db is given.
    #[arg(long, requires = "dev_db")]
    pub probe: bool,
    /// Probe a copy of this database of the --dev-db server (the one your migrations
    /// built: CREATE DATABASE … TEMPLATE NAME) instead of the specs applied to an empty
    /// one; the template is never changed. Implies --probe.
    #[arg(long, value_name = "NAME", requires = "dev_db")]
    pub probe_template: Option<String>,
    /// Validate up to N rows of each read model's relation against its DTO (needs --db).
    #[arg(long, value_name = "N", requires = "db")]
    pub sample_rows: Option<u32>,
    #[command(flatten)]
    pub timeouts: TimeoutArgs,
    /// Write how long each phase took (reading the specs, connecting, each catalog query
    /// with its rows, the checks, rendering) to standard error, so that a slow run shows why.
    #[arg(long)]
    pub timings: bool,
    /// Lowest severity that makes the exit code 1 (default: error, or `fail_on` in the config).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOnArg>,
    /// Colour in text output: auto (a terminal, unless NO_COLOR or CLICOLOR=0 is set; a
    /// pipe too when FORCE_COLOR or CLICOLOR_FORCE is set), always, never. Files written
    /// with --output are never coloured.
    #[arg(long, value_enum, default_value_t = ColorArg(ColorChoice::Auto))]
    pub color: ColorArg,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (they are then accepted, exit 0).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Rewrite the --baseline file without its stale entries (findings that no longer
    /// occur), after the report. Entries of checks that did not run are kept.
    #[arg(long, requires = "baseline")]
    pub prune_baseline: bool,
    /// Write the SQL that makes the database match the specs (the fixes of the reported
    /// drift findings, in dependency order, destructive statements commented out) to
    /// FILE, to review and run by hand: pgparity never runs it. Needs --db or --snapshot.
    #[arg(long, value_name = "FILE")]
    pub fix_sql: Option<PathBuf>,
}

/// `pgparity init` options.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Replace an existing pgparity.toml (and the --write-mapping file).
    #[arg(long)]
    pub force: bool,
    /// Also write the read models pgparity infers (from relation comments, spec comments
    /// and contract_mapping: strings) to FILE, as version-1 mapping YAML to review.
    #[arg(long, value_name = "FILE")]
    pub write_mapping: Option<PathBuf>,
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
    /// Connections that read the catalog (default 2): the first exports its snapshot,
    /// the others import it and run part of the queries, all read-only. `1` reads on a
    /// single connection, for poolers that cannot share a snapshot between connections
    /// (PgBouncer in transaction mode); when sharing fails pgparity falls back to the
    /// connections it has, with a note.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=16))]
    pub catalog_connections: Option<u16>,
}

/// `pgparity snapshot` options.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// Configuration file (default: pgparity.toml in this folder or a parent).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database to snapshot; `--db` alone (or no --db) uses DATABASE_URL, or nothing, and
    /// finds the rest as libpq (psql) does: service file, PG* variables, Unix socket,
    /// password file (PGPASSFILE or ~/.pgpass).
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
    /// Write how long each phase took (reading the specs, connecting, each catalog query
    /// with its rows, the checks, rendering) to standard error, so that a slow run shows why.
    #[arg(long)]
    pub timings: bool,
}

/// The longest `statement_timeout`/`lock_timeout` PostgreSQL accepts: `INT_MAX`
/// milliseconds (about 24 days).
pub const LONGEST_TIMEOUT: Duration = Duration::from_millis(i32::MAX as u64);

/// Parses a duration as humantime reads it (`30s`, `500ms`, `2m`, `2min`, `1h 30m`,
/// `1.5s`) or a plain number of seconds; `0` is "no limit". PostgreSQL counts timeouts
/// in whole milliseconds, up to [`LONGEST_TIMEOUT`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    const WRITE: &str = "write e.g. 30s, 500ms, 2m or 1h 30m (0 means no limit)";
    let text = text.trim();
    let too_long = || {
        format!(
            "{text:?} is longer than PostgreSQL allows ({} ms, about 24 days); use 0 for no limit",
            LONGEST_TIMEOUT.as_millis()
        )
    };
    let not_whole_milliseconds = || {
        format!(
            "{text:?} is not a whole number of milliseconds, which PostgreSQL timeouts count in; {WRITE}"
        )
    };
    let duration = if !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit()) {
        let seconds: u64 = text
            .parse()
            .map_err(|_| format!("{text:?} is not a duration: the number is too large; {WRITE}"))?;
        Duration::from_secs(seconds)
    } else {
        humantime::parse_duration(text).map_err(|error| match error {
            humantime::DurationError::UnknownUnit { unit, .. } if unit.is_empty() => {
                format!("{text:?} has a number without a unit: {WRITE}")
            }
            humantime::DurationError::UnknownUnit { unit, .. } => format!(
                "unknown duration unit {unit:?} in {text:?}: use ms, s, m (or min), h or d; {WRITE}"
            ),
            // humantime says the same for a number past u64, a product past its range
            // and more decimals than nanoseconds hold.
            humantime::DurationError::NumberOverflow => {
                let huge_number = text
                    .split(|c: char| !c.is_ascii_digit())
                    .any(|digits| digits.parse::<u64>().is_err() && !digits.is_empty());
                if huge_number {
                    format!("{text:?} is not a duration: the number is too large; {WRITE}")
                } else if text.contains('.') {
                    not_whole_milliseconds()
                } else {
                    too_long()
                }
            }
            _ => format!("{text:?} is not a duration: {WRITE}"),
        })?
    };
    if duration > LONGEST_TIMEOUT {
        return Err(too_long());
    }
    if duration.subsec_nanos() % 1_000_000 != 0 {
        return Err(not_whole_milliseconds());
    }
    Ok(duration)
}

/// Implements [`ValueEnum`] for a flag value wrapping a library enum: one name and help
/// line per variant. The match is exhaustive, so a variant the library adds does not
/// compile until it has a flag value.
macro_rules! flag_value {
    ($(#[$doc:meta])* $flag:ident($library:ty) { $($variant:path => $name:literal: $help:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $flag(pub $library);

        impl ValueEnum for $flag {
            fn value_variants<'a>() -> &'a [Self] {
                &[$($flag($variant)),+]
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                match self.0 {
                    $($variant => Some(PossibleValue::new($name).help($help)),)+
                }
            }
        }
    };
}

flag_value! {
    /// `--format`.
    FormatArg(Format) {
        Format::Text => "text": "Grouped by object, for people",
        Format::Json => "json": "One JSON object, for tools",
        Format::Markdown => "markdown":
            "A Markdown drift report (job summaries, PR comments), cut at 60,000 bytes",
        Format::Sarif => "sarif":
            "SARIF 2.1.0, for GitHub code scanning and other SARIF viewers",
        Format::Junit => "junit":
            "JUnit XML: one suite per rule family, failures at or above --fail-on",
        Format::Github => "github":
            "GitHub Actions workflow commands (::error file=…,line=…::…), for inline annotations",
    }
}

flag_value! {
    /// `rules --format`.
    RulesFormatArg(RulesFormat) {
        RulesFormat::Text => "text": "One line per rule",
        RulesFormat::Json => "json": "A JSON array, one object per rule",
    }
}

flag_value! {
    /// `pgparity schema KIND`.
    SchemaArg(SchemaKind) {
        SchemaKind::Mapping => "mapping": "contract_schema_mapping.yaml, which pgparity reads",
        SchemaKind::Report => "report": "The report of `check --format json`",
        SchemaKind::Snapshot => "snapshot": "What `pgparity snapshot` writes",
        SchemaKind::Baseline => "baseline": "What `check --write-baseline` writes",
    }
}

flag_value! {
    /// `--fail-on`.
    FailOnArg(FailOn) {
        FailOn::Error => "error": "Errors fail the run",
        FailOn::Warning => "warning": "Warnings and errors fail the run",
        FailOn::Info => "info": "Any finding fails the run",
        FailOn::Never => "never": "Findings never fail the run",
    }
}

flag_value! {
    /// `--color`.
    ColorArg(ColorChoice) {
        ColorChoice::Auto => "auto":
            "Colour when standard output is a terminal and `NO_COLOR` is unset or empty",
        ColorChoice::Always => "always":
            "Always colour, even through a pipe or with `NO_COLOR` set",
        ColorChoice::Never => "never": "Never colour",
    }
}

impl From<TimeoutArgs> for Timeouts {
    fn from(args: TimeoutArgs) -> Self {
        Timeouts {
            statement_timeout: args.statement_timeout,
            lock_timeout: args.lock_timeout,
            catalog_connections: args.catalog_connections.map(usize::from),
        }
    }
}

impl From<CheckArgs> for CheckOverrides {
    fn from(args: CheckArgs) -> Self {
        // clap lets at most one of --snapshot and --db through.
        let live = match (args.snapshot, args.db) {
            (Some(path), _) => Some(LiveSource::Snapshot(path)),
            (None, Some(db)) => Some(LiveSource::Database(db)),
            (None, None) => None,
        };
        CheckOverrides {
            config: args.config,
            specs: args.specs,
            mapping: args.mapping,
            index_plan: args.index_plan,
            contracts: args.contracts,
            schemas: args.schemas,
            live,
            dev_db: args.dev_db,
            probe: args.probe || args.probe_template.is_some(),
            probe_template: args.probe_template,
            sample_rows: args.sample_rows,
            timeouts: args.timeouts.into(),
            fail_on: args.fail_on.map(|fail_on| fail_on.0),
            format: args.format.0,
            color: args.color.0,
            output: args.output,
            baseline: args.baseline,
            write_baseline: args.write_baseline,
            prune_baseline: args.prune_baseline,
            fix_sql: args.fix_sql,
        }
    }
}

impl From<InitArgs> for InitRequest {
    fn from(args: InitArgs) -> Self {
        InitRequest {
            root: PathBuf::from("."),
            force: args.force,
            write_mapping: args.write_mapping,
        }
    }
}

impl From<SnapshotArgs> for SnapshotOverrides {
    fn from(args: SnapshotArgs) -> Self {
        SnapshotOverrides {
            config: args.config,
            db: args.db,
            schemas: args.schemas,
            timeouts: args.timeouts.into(),
            output: args.output,
        }
    }
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
            ("1fortnight", "unknown duration unit"),
            ("soon", "is not a duration"),
        ] {
            let error = parse_duration(text).expect_err(text);
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn every_spelling_accepted_before_humantime_still_is() {
        for (text, milliseconds) in [
            ("0", 0),
            ("0s", 0),
            ("0ms", 0),
            ("00", 0),
            ("7", 7_000),
            (" 7 ", 7_000),
            ("30 s", 30_000),
            ("500 ms", 500),
            ("2min", 120_000),
            ("2 min", 120_000),
            (" 2m ", 120_000),
            ("2147483", 2_147_483_000),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(milliseconds)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn humantime_spellings_are_accepted_in_whole_milliseconds() {
        for (text, milliseconds) in [
            ("1h", 3_600_000),
            ("1h 30m", 5_400_000),
            ("1m30s", 90_000),
            ("1.5s", 1_500),
            ("2 minutes", 120_000),
            ("10sec", 10_000),
            ("1d", 86_400_000),
            ("3000us", 3),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(milliseconds)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn errors_say_what_to_write() {
        for (text, expected) in [
            ("", "is not a duration"),
            ("-5s", "is not a duration"),
            ("5s;", "is not a duration"),
            ("1h 7", "a number without a unit"),
            ("5S", "unknown duration unit \"S\""),
            ("1M", "longer than PostgreSQL allows"),
            ("4w", "longer than PostgreSQL allows"),
            ("2147484", "longer than PostgreSQL allows"),
            ("99999999999999999999", "the number is too large"),
            ("500us", "not a whole number of milliseconds"),
            ("1.0005s", "not a whole number of milliseconds"),
            (
                "0.00000000000000000001s",
                "not a whole number of milliseconds",
            ),
            ("0.5ns", "not a whole number of milliseconds"),
        ] {
            let error = parse_duration(text).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
            assert!(
                error.contains("longer than PostgreSQL allows") || error.contains("30s, 500ms"),
                "{text:?} does not say what to write: {error}"
            );
        }
    }
}
