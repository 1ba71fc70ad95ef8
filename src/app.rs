//! One run: request → inputs → checks → levels, suppressions and baseline → report.
//!
//! The entry points take a plain request ([`CheckRequest`], [`SnapshotRequest`]) that
//! [`crate::config::resolve_check`] and [`crate::config::resolve_snapshot`] build from
//! `pgparity.toml` and the command line.

use crate::baseline::{Baseline, BaselineOutcome};
use crate::checks::{self, meta, Inputs};
use crate::config::{CheckRequest, LiveSource, SnapshotRequest};
use crate::contracts::{load_contracts, ContractOptions, ContractSet};
use crate::finding::Suppressed;
use crate::finding::{sort_findings, Finding};
use crate::live_inputs;
use crate::mapping::{load_mapping, Mapping};
use crate::model::{display_path, ProbeResults};
use crate::report::{self, ColorChoice, Format, Report, ReportContext};
use crate::rules;
use crate::sources::dev::enrich_from_dev;
use crate::sources::live::{ProbeRequest, SessionOptions};
use crate::sources::snapshot::Snapshot;
use crate::sources::spec::{load_specs, SpecSet};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::ffi::OsString;
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

/// Runs `pgparity check` as `request` says: an `Err` means the run could not be
/// completed (exit code 2). `progress` hears what a long live run is doing (the binary
/// prints it on stderr when that is a terminal).
pub fn check(request: &CheckRequest, progress: &dyn Fn(&str)) -> Result<CheckRun> {
    let started = Instant::now();
    let generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let inputs = load_inputs(request, progress)?;
    if inputs.live.catalog.is_some() {
        progress("comparing and checking");
    }
    let outcome = run_checks(request, &inputs);
    let today = chrono::Local::now().date_naive();
    let judged = judge(request, outcome.findings, inputs.baseline.as_ref(), today);
    let report = Report {
        findings: judged.findings,
        suppressed: judged.suppressed,
        skipped: outcome.skipped,
        context: ReportContext {
            target: inputs.live.target.clone(),
            inputs: input_list(
                &request.specs,
                request.mapping.as_deref(),
                &inputs.contract_paths,
            ),
            schemas: request.schemas.clone(),
            generated_at,
            version: env!("CARGO_PKG_VERSION").to_string(),
            duration: started.elapsed(),
        },
        baseline: judged.baseline,
        config_path: request.config.path.as_deref().map(display_path),
        probes: inputs.live.probes.clone().filter(|_| request.probe),
    };
    Ok(render(request, report, judged.baseline_to_write))
}

/// Everything a check run read.
struct LoadedInputs {
    /// The `--baseline` file.
    baseline: Option<Baseline>,
    specs: Option<SpecSet>,
    mapping: Option<Mapping>,
    /// The contract paths read: the mapping's, the configuration's, the flags'.
    contract_paths: Vec<PathBuf>,
    contracts: Option<ContractSet>,
    live: live_inputs::Live,
}

/// Reads the baseline, the specs, the mapping, the contracts and the live side (a
/// database or snapshot, after applying the specs to the `--dev-db` server when one is
/// given). Errors keep the order of the inputs: baseline, specs, mapping, contracts,
/// database.
fn load_inputs(request: &CheckRequest, progress: &dyn Fn(&str)) -> Result<LoadedInputs> {
    let limits = request.config.input_limits;
    let baseline = match &request.baseline {
        Some(path) => Some(Baseline::load(path, limits)?),
        None => None,
    };
    let default_schema = default_schema(&request.schemas);
    let session_options = live_inputs::session_options(&request.timeouts);
    let scope = schemas_in_scope(&request.schemas);
    // Loading the specs is CPU work in this process while introspection mostly waits on
    // the server, so the two overlap when nothing orders them (`--dev-db` applies the
    // specs first); on 1,000 tables that is a third of the run.
    let (specs, mapping, contract_paths, contracts, live) = std::thread::scope(|threads| {
        let spec_loader = std::thread::Builder::new()
            .name("spec loader".to_string())
            .stack_size(crate::WORKER_STACK_BYTES)
            .spawn_scoped(threads, || {
                if request.specs.is_empty() {
                    Ok(None)
                } else {
                    load_specs(&request.specs, default_schema, limits)
                        .map(Some)
                        .context("cannot load the specs")
                }
            });
        let mapping = match &request.mapping {
            Some(path) => load_mapping(path, default_schema, limits)
                .map(Some)
                .context("cannot load the mapping"),
            None => Ok(None),
        };
        let mut contract_paths = match &mapping {
            Ok(Some(mapping)) => mapping.contracts.clone(),
            _ => Vec::new(),
        };
        contract_paths.extend(request.contracts.iter().cloned());
        let contracts = if contract_paths.is_empty() {
            Ok(None)
        } else {
            let options = ContractOptions {
                roots: request.contract_roots.clone(),
                limits,
            };
            load_contracts(&contract_paths, &options)
                .map(Some)
                .context("cannot load the contracts")
        };
        let live = match (&mapping, &contracts) {
            (Ok(mapping), Ok(_)) if request.dev_db.is_none() => Some(read_live(
                request,
                &session_options,
                &scope,
                mapping.as_ref(),
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
            let dev_db = request.dev_db.as_deref().unwrap_or_default();
            let specs = specs.as_mut().context(
                "--dev-db applies the specs: give them with --specs or `specs` in pgparity.toml",
            )?;
            let settings = live_inputs::settings_for(dev_db)?;
            let probe = request.probe.then_some(ProbeRequest {
                specs: &specs.catalog,
                default_schema,
                mapping: mapping.as_ref(),
                template: request.probe_template.as_deref(),
            });
            let dev = live_inputs::apply_specs_to_dev_database(
                &specs.sources,
                &settings,
                &session_options,
                request.config.dev_db_extensions.as_deref(),
                &scope,
                probe.as_ref(),
                progress,
            )?;
            specs.problems.extend(dev.problems);
            enrich_from_dev(&mut specs.catalog, &dev.catalog);
            let mut live = read_live(
                request,
                &session_options,
                &scope,
                mapping.as_ref(),
                progress,
            )?;
            live.probes = merge_probes(dev.probes, live.probes.take());
            live
        }
    };
    Ok(LoadedInputs {
        baseline,
        specs,
        mapping,
        contract_paths,
        contracts,
        live,
    })
}

/// What the scratch database's probes and `--db`'s declared checks found, together.
fn merge_probes(
    scratch: Option<ProbeResults>,
    database: Option<ProbeResults>,
) -> Option<ProbeResults> {
    match (scratch, database) {
        (Some(mut scratch), Some(database)) => {
            scratch.invariants.extend(database.invariants);
            scratch.live_privileges.extend(database.live_privileges);
            Some(scratch)
        }
        (scratch, database) => scratch.or(database),
    }
}

/// The live side of a run: the snapshot, else the database, else nothing.
fn read_live(
    request: &CheckRequest,
    session_options: &SessionOptions,
    scope: &[String],
    mapping: Option<&Mapping>,
    progress: &dyn Fn(&str),
) -> Result<live_inputs::Live> {
    match &request.live {
        Some(LiveSource::Snapshot(path)) => live_inputs::read_snapshot(
            path,
            request.config.input_limits,
            default_schema(&request.schemas),
        ),
        Some(LiveSource::Database(db)) => live_inputs::read_database(
            &live_inputs::settings_for(db)?,
            session_options,
            scope,
            mapping,
            request.sample_rows,
            progress,
        )
        .context("cannot read the live database"),
        None => Ok(live_inputs::Live::default()),
    }
}

/// Runs every check family the inputs allow; findings come at their rules' default
/// severities.
fn run_checks(request: &CheckRequest, inputs: &LoadedInputs) -> checks::Outcome {
    checks::run(&Inputs {
        specs: inputs.specs.as_ref().map(SpecSet::specs),
        contracts: inputs.contracts.as_ref(),
        mapping: inputs.mapping.as_ref(),
        live: inputs.live.catalog.as_ref(),
        row_samples: inputs.live.row_samples.as_ref(),
        probes: inputs.live.probes.as_ref(),
        min_stats_age_days: request.config.unused_index_min_stats_days,
        default_schema: default_schema(&request.schemas),
    })
}

/// The findings to report, after the configuration and the baseline had their say.
struct Judged {
    /// Reported findings, sorted.
    findings: Vec<Finding>,
    /// Findings hidden by suppressions.
    suppressed: Vec<Suppressed>,
    /// What the baseline hid, when one applied.
    baseline: Option<BaselineOutcome>,
    /// With `--write-baseline`, the baseline file's text.
    baseline_to_write: Option<String>,
}

/// Applies the configured rule levels, the suppressions (as of `today`) and then the
/// baseline: `baseline`, or with `--write-baseline` the one recorded from these findings,
/// which hides them all.
fn judge(
    request: &CheckRequest,
    findings: Vec<Finding>,
    baseline: Option<&Baseline>,
    today: NaiveDate,
) -> Judged {
    let config = &request.config;
    let findings = meta::apply_levels(findings, config);
    let (findings, suppressed) = meta::apply_suppressions(findings, config, today);
    let mut findings = meta::apply_levels(findings, config);
    sort_findings(&mut findings);
    let written = request
        .write_baseline
        .as_ref()
        .map(|_| Baseline::of(&findings));
    let baseline_to_write = written.as_ref().map(Baseline::to_json);
    let (findings, baseline) = match written.as_ref().or(baseline) {
        Some(baseline) => {
            let (findings, outcome) = baseline.filter(findings);
            (findings, Some(outcome))
        }
        None => (findings, None),
    };
    Judged {
        findings,
        suppressed,
        baseline,
        baseline_to_write,
    }
}

/// Renders `report` in the requested format and decides the exit code: 1 when a
/// finding reaches the `fail_on` threshold.
fn render(request: &CheckRequest, report: Report, baseline_to_write: Option<String>) -> CheckRun {
    let threshold = request.fail_on.threshold();
    let failed = threshold.is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|finding| finding.severity >= threshold)
    });
    let rendered = report::render(&report, request.format, threshold);
    CheckRun {
        report,
        rendered,
        exit_code: i32::from(failed),
        baseline_to_write,
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

/// Whether text output gets colour: `--color`, then the environment as `var` reads it
/// (see [`report::color_enabled`]). Output to a file (`--output`) is never a terminal.
pub fn color_enabled(
    choice: ColorChoice,
    stdout_is_terminal: bool,
    var: impl Fn(&str) -> Option<OsString>,
) -> bool {
    report::color_enabled(choice, stdout_is_terminal, var)
}

/// The text to write for `run` in `format`: the rendered report, re-rendered with colour
/// when the format is text and `color` is on (see [`color_enabled`]).
pub fn output_text(run: &CheckRun, format: Format, color: bool) -> String {
    if color && format == Format::Text {
        report::render_colored_text(&run.report)
    } else {
        run.rendered.clone()
    }
}

/// Where unqualified names live: the first schema in scope, else [`DEFAULT_SCHEMA`].
fn default_schema(schemas: &[String]) -> &str {
    schemas.first().map_or(DEFAULT_SCHEMA, String::as_str)
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
pub fn snapshot(request: &SnapshotRequest, progress: &dyn Fn(&str)) -> Result<String> {
    let schemas = schemas_in_scope(&request.schemas);
    let settings = live_inputs::settings_for(&request.db)?;
    let live = live_inputs::read_database(
        &settings,
        &live_inputs::session_options(&request.timeouts),
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
    let width = rules::all()
        .iter()
        .map(|rule| rule.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for rule in rules::all() {
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
    let rule = rules::by_id(rule_id)
        .with_context(|| format!("unknown rule {rule_id:?}; `pgparity rules` lists the rules"))?;
    Ok(format!(
        "{} ({} family, default severity {})\n\n{}\n\n{}\n",
        rule.id,
        rule.family.as_str(),
        rule.default_severity,
        rule.summary,
        rule.docs
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_color_flag_maps_onto_the_report_decision() {
        let no_color = |name: &str| (name == "NO_COLOR").then(|| OsString::from("1"));
        assert!(color_enabled(ColorChoice::Always, false, no_color));
        assert!(!color_enabled(ColorChoice::Auto, true, no_color));
        assert!(color_enabled(ColorChoice::Auto, true, |_| None));
        assert!(!color_enabled(ColorChoice::Never, true, |_| None));
    }
}
