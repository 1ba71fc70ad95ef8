//! One run: config → sources → checks → severities and suppressions → report.

use crate::baseline::Baseline;
use crate::checks::{self, meta, Inputs};
use crate::cli::{CheckArgs, ColorArg, FailOnArg, OutputFormat, SnapshotArgs};
use crate::config::{Config, FailOn};
use crate::contracts::{load_contracts, ContractOptions};
use crate::finding::sort_findings;
use crate::input::InputLimits;
use crate::live_inputs;
use crate::mapping::{load_mapping, Mapping};
use crate::model::display_path;
use crate::report::{self, Format, Report, ReportContext};
use crate::sources::dev::enrich_from_dev;
use crate::sources::live::SessionOptions;
use crate::sources::snapshot::Snapshot;
use crate::sources::spec::{load_specs, SpecSet};
use anyhow::{Context, Result};
use std::ffi::OsStr;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The schema unqualified names live in when no schema is configured.
pub const DEFAULT_SCHEMA: &str = "public";

/// What `pgparity check` produced.
#[derive(Debug)]
pub struct CheckRun {
    /// The report.
    pub report: Report,
    /// The rendered report.
    pub rendered: String,
    /// 0 (nothing at or above the threshold) or 1.
    pub exit_code: i32,
    /// With `--write-baseline`, the baseline file's text. The caller writes it after
    /// the report, so that a run that fails (exit 2) leaves no baseline behind.
    pub baseline_to_write: Option<String>,
}

/// Runs `pgparity check` in `working_dir`: an `Err` means the run could not be
/// completed (exit code 2). `progress` hears what a long live run is doing (the binary
/// prints it on stderr when that is a terminal).
pub fn check(args: &CheckArgs, working_dir: &Path, progress: &dyn Fn(&str)) -> Result<CheckRun> {
    let started = Instant::now();
    let generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::discover(working_dir)?,
    };
    let limits = config.input_limits;
    let baseline = match &args.baseline {
        Some(path) => Some(Baseline::load(path, limits)?),
        None => None,
    };
    let spec_paths = if args.specs.is_empty() {
        config.specs.clone()
    } else {
        args.specs.clone()
    };
    let schemas = if args.schemas.is_empty() {
        config.schemas.clone()
    } else {
        args.schemas.clone()
    };
    let default_schema = schemas.first().map_or(DEFAULT_SCHEMA, String::as_str);
    let mapping_path = args.mapping.clone().or_else(|| config.mapping.clone());

    let session_options = live_inputs::session_options(&args.timeouts);
    let scope = schemas_in_scope(&schemas);
    // Loading the specs is CPU work in this process while introspection mostly waits on
    // the server, so the two overlap when nothing orders them (`--dev-db` applies the
    // specs first); on 1,000 tables that is a third of the run. Errors keep the order of
    // the inputs: specs, mapping, contracts, database.
    let (specs, mapping, contract_paths, contracts, live) = std::thread::scope(|threads| {
        let spec_loader = std::thread::Builder::new()
            .name("spec loader".to_string())
            .stack_size(crate::WORKER_STACK_BYTES)
            .spawn_scoped(threads, || {
                if spec_paths.is_empty() {
                    Ok(None)
                } else {
                    load_specs(&spec_paths, default_schema, limits)
                        .map(Some)
                        .context("cannot load the specs")
                }
            });
        let mapping = match &mapping_path {
            Some(path) => load_mapping(path, default_schema, limits)
                .map(Some)
                .context("cannot load the mapping"),
            None => Ok(None),
        };
        let mut contract_paths = match &mapping {
            Ok(Some(mapping)) => mapping.contracts.clone(),
            _ => Vec::new(),
        };
        contract_paths.extend(config.contracts.iter().cloned());
        contract_paths.extend(args.contracts.iter().cloned());
        let contracts = if contract_paths.is_empty() {
            Ok(None)
        } else {
            let options = ContractOptions {
                roots: config.contract_roots(working_dir),
                limits,
            };
            load_contracts(&contract_paths, &options)
                .map(Some)
                .context("cannot load the contracts")
        };
        let live = match (&mapping, &contracts) {
            (Ok(mapping), Ok(_)) if args.dev_db.is_none() => Some(read_live(
                args,
                &session_options,
                &scope,
                mapping.as_ref(),
                limits,
                default_schema,
                progress,
            )),
            _ => None,
        };
        let specs = match spec_loader {
            Ok(loader) => loader
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(error) => Err(anyhow::Error::new(error).context("cannot start the spec loader")),
        };
        (specs, mapping, contract_paths, contracts, live)
    });
    let mut specs = specs?;
    let mapping = mapping?;
    let contracts = contracts?;
    let live = match live {
        Some(live) => live?,
        None => {
            let dev_db = args.dev_db.as_deref().unwrap_or_default();
            let specs = specs.as_mut().context(
                "--dev-db applies the specs: give them with --specs or `specs` in pgparity.toml",
            )?;
            let settings = live_inputs::settings_for(dev_db)?;
            let dev = live_inputs::apply_specs_to_dev_database(
                &specs.sources,
                &settings,
                &session_options,
                config.dev_db_extensions.as_deref(),
                &scope,
                progress,
            )?;
            specs.problems.extend(dev.problems);
            enrich_from_dev(&mut specs.catalog, &dev.catalog);
            read_live(
                args,
                &session_options,
                &scope,
                mapping.as_ref(),
                limits,
                default_schema,
                progress,
            )?
        }
    };

    if live.catalog.is_some() {
        progress("comparing and checking");
    }
    let outcome = checks::run(&Inputs {
        specs: specs.as_ref().map(SpecSet::specs),
        contracts: contracts.as_ref(),
        mapping: mapping.as_ref(),
        live: live.catalog.as_ref(),
        row_samples: live.row_samples.as_ref(),
        min_stats_age_days: config.unused_index_min_stats_days,
        default_schema,
    });
    let today = chrono::Local::now().date_naive();
    let findings = meta::apply_levels(outcome.findings, &config);
    let (findings, suppressed) = meta::apply_suppressions(findings, &config, today);
    let mut findings = meta::apply_levels(findings, &config);
    sort_findings(&mut findings);
    let (baseline, baseline_to_write) = match &args.write_baseline {
        Some(_) => {
            let written = Baseline::of(&findings);
            let text = written.to_json();
            (Some(written), Some(text))
        }
        None => (baseline, None),
    };
    let (findings, baseline_outcome) = match &baseline {
        Some(baseline) => {
            let (findings, outcome) = baseline.filter(findings);
            (findings, Some(outcome))
        }
        None => (findings, None),
    };
    let report = Report {
        findings,
        suppressed,
        skipped: outcome.skipped,
        context: ReportContext {
            target: live.target.clone(),
            inputs: input_list(&spec_paths, mapping_path.as_deref(), &contract_paths),
            schemas: schemas.clone(),
            generated_at,
            version: env!("CARGO_PKG_VERSION").to_string(),
            duration: started.elapsed(),
        },
        baseline: baseline_outcome,
        config_path: config.path.as_deref().map(display_path),
    };

    let fail_on = match args.fail_on {
        Some(FailOnArg::Error) => FailOn::Error,
        Some(FailOnArg::Warning) => FailOn::Warning,
        Some(FailOnArg::Info) => FailOn::Info,
        Some(FailOnArg::Never) => FailOn::Never,
        None => config.fail_on.unwrap_or_default(),
    };
    let failed = fail_on.threshold().is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|finding| finding.severity >= threshold)
    });
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        OutputFormat::Markdown => Format::Markdown,
        OutputFormat::Sarif => Format::Sarif,
        OutputFormat::Junit => Format::Junit {
            failure_threshold: fail_on.threshold(),
        },
        OutputFormat::Github => Format::Github,
    };
    let rendered = report::render(&report, format);
    Ok(CheckRun {
        report,
        rendered,
        exit_code: i32::from(failed),
        baseline_to_write,
    })
}

/// The live side of a run: the snapshot, else the database, else nothing. (The
/// database's default schema is the first in `scope`.)
fn read_live(
    args: &CheckArgs,
    session_options: &SessionOptions,
    scope: &[String],
    mapping: Option<&Mapping>,
    limits: InputLimits,
    default_schema: &str,
    progress: &dyn Fn(&str),
) -> Result<live_inputs::Live> {
    match (&args.snapshot, &args.db) {
        (Some(path), _) => live_inputs::read_snapshot(path, limits, default_schema),
        (None, Some(db)) => live_inputs::read_database(
            &live_inputs::settings_for(db)?,
            session_options,
            scope,
            mapping,
            args.sample_rows,
            progress,
        )
        .context("cannot read the live database"),
        (None, None) => Ok(live_inputs::Live::default()),
    }
}

/// The inputs a run read, by kind, for report headers.
fn input_list(
    specs: &[PathBuf],
    mapping: Option<&Path>,
    contracts: &[PathBuf],
) -> Vec<(String, Vec<String>)> {
    let paths = |paths: &[PathBuf]| paths.iter().map(|path| display_path(path)).collect();
    let mut inputs = Vec::new();
    if !specs.is_empty() {
        inputs.push(("specs".to_string(), paths(specs)));
    }
    if let Some(mapping) = mapping {
        inputs.push(("mapping".to_string(), vec![display_path(mapping)]));
    }
    if !contracts.is_empty() {
        inputs.push(("contracts".to_string(), paths(contracts)));
    }
    inputs
}

/// Whether text output gets colour: `always` wins over everything, `never` loses to
/// nothing, and `auto` colours a terminal unless `NO_COLOR` is set to a non-empty value
/// (<https://no-color.org>). Output to a file (`--output`) is never a terminal.
pub fn color_enabled(choice: ColorArg, stdout_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout_is_terminal && no_color.is_none_or(OsStr::is_empty),
    }
}

/// The text to write for `run`: the rendered report, re-rendered with colour when the
/// format is text and `color` is on (see [`color_enabled`]).
pub fn output_text(run: &CheckRun, args: &CheckArgs, color: bool) -> String {
    if color && args.format == OutputFormat::Text {
        report::render_colored_text(&run.report)
    } else {
        run.rendered.clone()
    }
}

/// The schemas to introspect: the configured ones, else the default schema.
fn schemas_in_scope(schemas: &[String]) -> Vec<String> {
    if schemas.is_empty() {
        vec![DEFAULT_SCHEMA.to_string()]
    } else {
        schemas.to_vec()
    }
}

/// `pgparity snapshot`: the live catalog of a database as snapshot JSON.
pub fn snapshot(
    args: &SnapshotArgs,
    working_dir: &Path,
    progress: &dyn Fn(&str),
) -> Result<String> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::discover(working_dir)?,
    };
    let schemas = schemas_in_scope(if args.schemas.is_empty() {
        &config.schemas
    } else {
        &args.schemas
    });
    let settings = live_inputs::settings_for(args.db.as_deref().unwrap_or_default())?;
    let live = live_inputs::read_database(
        &settings,
        &live_inputs::session_options(&args.timeouts),
        &schemas,
        None,
        None,
        progress,
    )
    .context("cannot read the live database")?;
    let catalog = live.catalog.unwrap_or_default();
    Ok(Snapshot::new(catalog, live.target.unwrap_or_default(), schemas).to_json())
}

/// Writes `contents` (the `what`: report, snapshot, baseline) to `path`. A regular
/// file or a new path is written through a temporary file and a rename, so a failed run
/// never leaves a half-written file in place of the last good one; a symlink to a
/// regular file replaces its target and keeps the link. Anything else — a character
/// device such as `/dev/null`, a FIFO, `/dev/stdout` — is opened and written directly:
/// renaming onto it would replace the device with a file.
pub fn write_output(path: &Path, contents: &str, what: &str) -> Result<()> {
    let context = || format!("cannot write the {what} to {}", path.display());
    match atomic_destination(path) {
        Some(destination) => write_atomically(&destination, contents),
        None => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut target| target.write_all(contents.as_bytes())),
    }
    .map_err(|error| {
        let folder = path
            .parent()
            .filter(|folder| !folder.as_os_str().is_empty());
        match folder {
            Some(folder) if error.kind() == std::io::ErrorKind::NotFound && !folder.is_dir() => {
                anyhow::Error::new(error).context(format!(
                    "{}: the folder {} does not exist; create it first",
                    context(),
                    folder.display()
                ))
            }
            _ => anyhow::Error::new(error).context(context()),
        }
    })
}

/// The regular file to replace atomically for `path`: `path` itself when it is a
/// regular file or does not exist yet, the target of a symlink to a regular file
/// (unless it is one of the process's own descriptors under `/proc`, such as
/// `/dev/stdout` redirected to a file, which must be written in place); `None` for
/// anything to write directly.
fn atomic_destination(path: &Path) -> Option<PathBuf> {
    let link = match std::fs::symlink_metadata(path) {
        Err(_) => return Some(path.to_path_buf()),
        Ok(link) => link,
    };
    if link.is_file() {
        return Some(path.to_path_buf());
    }
    if !link.file_type().is_symlink() {
        return None;
    }
    let target = std::fs::canonicalize(path).ok()?;
    let is_regular = std::fs::metadata(&target).is_ok_and(|target| target.is_file());
    (is_regular && !target.starts_with("/proc")).then_some(target)
}

fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{file_name}.pgparity-{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// `pgparity rules`: one line per rule.
pub fn rules_listing() -> String {
    let width = checks::RULES
        .iter()
        .map(|rule| rule.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for rule in checks::RULES {
        out.push_str(&format!(
            "{:width$}  {:10}  {:7}  {}\n",
            rule.id,
            rule.family.as_str(),
            rule.default_severity.as_str(),
            rule.summary
        ));
    }
    out
}

/// `pgparity explain RULE`.
pub fn explain(rule_id: &str) -> Result<String> {
    let rule = checks::rule(rule_id)
        .with_context(|| format!("unknown rule {rule_id:?}; `pgparity rules` lists the rules"))?;
    Ok(format!(
        "{} ({} family, default severity {})\n\n{}\n\n{}\n",
        rule.id,
        rule.family.as_str(),
        rule.default_severity,
        rule.summary,
        rule.documentation
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_a_terminal_unless_no_color_is_set_and_non_empty() {
        assert!(color_enabled(ColorArg::Auto, true, None));
        assert!(!color_enabled(ColorArg::Auto, false, None));
        assert!(!color_enabled(ColorArg::Auto, true, Some(OsStr::new("1"))));
        assert!(color_enabled(ColorArg::Auto, true, Some(OsStr::new(""))));
    }

    #[test]
    fn always_and_never_override_the_terminal_and_no_color() {
        assert!(color_enabled(
            ColorArg::Always,
            false,
            Some(OsStr::new("1"))
        ));
        assert!(!color_enabled(ColorArg::Never, true, None));
    }
}
