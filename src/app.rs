//! One run: request → inputs → checks → levels, suppressions and baseline → report.
//!
//! The entry points take a plain request ([`CheckRequest`], [`SnapshotRequest`]) that
//! [`crate::config::resolve_check`] and [`crate::config::resolve_snapshot`] build from
//! `pgparity.toml` and the command line.

use crate::baseline::{Baseline, BaselineOutcome};
use crate::checks::{self, meta, Inputs};
use crate::config::{
    is_empty_config, CheckRequest, Config, LiveSource, RuleLevel, SnapshotRequest,
};
use crate::contracts::{load_contracts, ContractOptions, ContractSet};
use crate::finding::Suppressed;
use crate::finding::{sort_findings, Finding};
use crate::live_inputs;
use crate::mapping::{
    infer_read_models, load_index_plan, load_mapping, Inferred, Mapping, PlanFile, PlanSet,
};
use crate::model::{display_path, Catalog, ProbeResults, QualifiedName, SpecProblemKind, Specs};
use crate::report::{self, Anchor, ColorChoice, Format, Report, ReportContext};
use crate::rules::{self, Family, Rule};
use crate::sources::dev::enrich_from_dev;
use crate::sources::live::{ProbeRequest, SessionOptions};
use crate::sources::snapshot::Snapshot;
use crate::sources::spec::{load_specs_with, SpecSet, StatementTexts};
use crate::timings;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::collections::BTreeSet;
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
    /// With `--write-baseline`, the baseline file's text; with `--prune-baseline`, the
    /// `--baseline` file's text without its stale entries. The caller writes it after the
    /// report (to [`CheckRequest::baseline_destination`]), so that a run that fails
    /// (exit 2) leaves no baseline behind.
    pub baseline_to_write: Option<String>,
    /// With `--fix-sql`, the fix script of the reported findings (see
    /// [`report::render_fix_script`]); the caller writes it after the report.
    pub fix_script: Option<String>,
    /// Everything the run read (specs, catalogs, contracts), kept rather than freed when
    /// the run ends: a binary about to exit can leave it to the operating system
    /// ([`std::mem::forget`]), which on 5,000 tables saves freeing hundreds of
    /// megabytes piece by piece.
    pub inputs: RunInputs,
}

/// What a check run read (see [`CheckRun::inputs`]); opaque.
pub struct RunInputs(LoadedInputs);

impl RunInputs {
    /// Leaves the memory to the operating system instead of freeing it: only for a
    /// process about to exit.
    pub fn forget(self) {
        std::mem::forget(self.0);
    }
}

impl std::fmt::Debug for RunInputs {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("RunInputs")
    }
}

/// Runs `pgparity check` as `request` says: an `Err` means the run could not be
/// completed (exit code 2). `progress` hears what a long live run is doing (the binary
/// prints it on stderr when that is a terminal).
pub fn check(request: &CheckRequest, progress: &dyn Fn(&str)) -> Result<CheckRun> {
    if let (Some(path), None) = (&request.fix_sql, &request.live) {
        anyhow::bail!(
            "--fix-sql {}: the fixes come from comparing the specs with a database; give \
             --db URL (or --snapshot FILE) too",
            path.display()
        );
    }
    let started = Instant::now();
    let generated_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let inputs = load_inputs(request, progress)?;
    if inputs.live.catalog.is_some() {
        progress("comparing and checking");
    }
    let timing = timings::phase("checks");
    let outcome = run_checks(request, &inputs);
    drop(timing);
    if !outcome.checked_anything {
        anyhow::bail!("{}", nothing_checked(request, &outcome.skipped));
    }
    let today = chrono::Local::now().date_naive();
    let judged = judge(
        request,
        outcome.findings,
        inputs.baseline.as_ref(),
        today,
        &|rule| rule_ran(request, &inputs, rule),
    );
    let report = Report {
        findings: judged.findings,
        suppressed: judged.suppressed,
        skipped: outcome.skipped,
        context: ReportContext {
            target: inputs.live.target.clone(),
            inputs: input_list(
                &request.specs,
                request.mapping.as_deref(),
                &request.index_plan,
                &inputs.contract_paths,
            ),
            schemas: request.schemas.clone(),
            generated_at,
            version: env!("CARGO_PKG_VERSION").to_string(),
            duration: started.elapsed(),
        },
        baseline: judged.baseline,
        anchor: anchor(request, &inputs),
        probes: inputs.live.probes.clone().filter(|_| request.probe),
    };
    let _timing = timings::phase("render");
    Ok(render(request, report, judged.baseline_to_write, inputs))
}

/// Everything a check run read.
struct LoadedInputs {
    /// The `--baseline` file.
    baseline: Option<Baseline>,
    specs: Option<SpecSet>,
    mapping: Option<Mapping>,
    /// The index plans: the mapping's and the plan files'; `None` when neither a
    /// mapping nor a plan file is given.
    plan: Option<PlanSet>,
    /// The contract paths read: the mapping's, the configuration's, the flags'.
    contract_paths: Vec<PathBuf>,
    contracts: Option<ContractSet>,
    live: live_inputs::Live,
}

/// Reads the baseline, the specs, the mapping, the index plan files, the contracts and
/// the live side (a database or snapshot, after applying the specs to the `--dev-db`
/// server when one is given). Errors keep the order of the inputs: baseline, specs,
/// mapping, index plans, contracts, database.
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
    let (specs, mapping, plan_files, contract_paths, contracts, live) =
        std::thread::scope(|threads| {
            let spec_loader = std::thread::Builder::new()
                .name("spec loader".to_string())
                .stack_size(crate::WORKER_STACK_BYTES)
                .spawn_scoped(threads, || {
                    if request.specs.is_empty() {
                        Ok(None)
                    } else {
                        let mut timing = timings::phase("load specs (read, parse, apply)");
                        // Only --dev-db sends the statements' texts anywhere.
                        let texts = match request.dev_db {
                            Some(_) => StatementTexts::Keep,
                            None => StatementTexts::Drop,
                        };
                        let specs = load_specs_with(&request.specs, default_schema, limits, texts);
                        if let Ok(specs) = &specs {
                            timings::rows(&mut timing, specs.statements);
                        }
                        specs.map(Some).context("cannot load the specs")
                    }
                });
            let mapping = match &request.mapping {
                Some(path) => load_mapping(path, default_schema, limits)
                    .map(Some)
                    .context("cannot load the mapping"),
                None => Ok(None),
            };
            let plan_files = load_plan_files(
                request,
                mapping.as_ref().ok().and_then(Option::as_ref),
                default_schema,
            );
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
            let join = |loader: std::io::Result<
                std::thread::ScopedJoinHandle<'_, Result<Option<SpecSet>>>,
            >| {
                match loader {
                    Ok(loader) => loader
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    Err(error) => {
                        Err(anyhow::Error::new(error).context("cannot start the spec loader"))
                    }
                }
            };
            // The relations to sample include inferred read models, whose evidence may be in
            // the specs' comments: then the live read waits for the specs.
            let wait_for_specs = request.sample_rows.is_some() && request.config.infer_read_models;
            let (early_specs, spec_loader) = if wait_for_specs {
                (Some(join(spec_loader)), None)
            } else {
                (None, Some(spec_loader))
            };
            let live = match (&mapping, &plan_files, &contracts) {
                (Ok(mapping), Ok(_), Ok(contracts)) if request.dev_db.is_none() => {
                    let specs = early_specs
                        .as_ref()
                        .and_then(|specs| specs.as_ref().ok())
                        .and_then(Option::as_ref)
                        .map(SpecSet::specs);
                    Some(read_live_with_read_models(
                        request,
                        &session_options,
                        &scope,
                        mapping.as_ref(),
                        contracts.as_ref(),
                        specs,
                        progress,
                    ))
                }
                _ => None,
            };
            let specs = match (early_specs, spec_loader) {
                (Some(specs), _) => specs,
                (None, Some(loader)) => join(loader),
                (None, None) => Ok(None),
            };
            (specs, mapping, plan_files, contract_paths, contracts, live)
        });
    let mut specs = specs?;
    let mapping = mapping?;
    let plan_files = plan_files?;
    let contracts = contracts?;
    let plan = (mapping.is_some() || !plan_files.is_empty())
        .then(|| PlanSet::gather(mapping.as_ref(), &plan_files));
    let live = match live {
        Some(live) => live?,
        None => {
            let dev_db = request.dev_db.as_deref().unwrap_or_default();
            let specs = specs.as_mut().context(
                "--dev-db applies the specs: give them with --specs or `specs` in pgparity.toml",
            )?;
            let settings = live_inputs::settings_for(dev_db)?;
            // With --probe, the live side is read first, so that the drift comparisons
            // normalization leaves undecided can be settled in the scratch database while
            // it exists (its read models are inferred from the specs as written).
            let early_live = if request.probe && request.live.is_some() {
                Some(read_live_with_read_models(
                    request,
                    &session_options,
                    &scope,
                    mapping.as_ref(),
                    contracts.as_ref(),
                    Some(specs.specs()),
                    progress,
                )?)
            } else {
                None
            };
            let probe = request.probe.then_some(ProbeRequest {
                specs: &specs.catalog,
                default_schema,
                mapping: mapping.as_ref(),
                template: request.probe_template.as_deref(),
                live: early_live.as_ref().and_then(|live| live.catalog.as_ref()),
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
            adopt_what_code_created(specs, &dev.catalog);
            let mut live = match early_live {
                Some(live) => live,
                None => read_live_with_read_models(
                    request,
                    &session_options,
                    &scope,
                    mapping.as_ref(),
                    contracts.as_ref(),
                    Some(specs.specs()),
                    progress,
                )?,
            };
            live.probes = merge_probes(dev.probes, live.probes.take());
            live
        }
    };
    Ok(LoadedInputs {
        baseline,
        specs,
        mapping,
        plan,
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

/// `--dev-db` ran the specs' `DO` blocks: the relations they created in the scratch
/// database are taken into the specs, and each `DO` note says so.
fn adopt_what_code_created(specs: &mut SpecSet, dev: &crate::model::Catalog) {
    let is_code = |kind: &SpecProblemKind| matches!(kind, SpecProblemKind::Skipped { statement } if statement == "DO");
    if !specs.problems.iter().any(|problem| is_code(&problem.kind)) {
        return;
    }
    let created: Vec<String> =
        crate::sources::dev::adopt_created_relations(&mut specs.catalog, dev)
            .iter()
            .map(ToString::to_string)
            .collect();
    for problem in &mut specs.problems {
        if is_code(&problem.kind) {
            problem.kind = SpecProblemKind::RanOnDevServer {
                statement: "DO".to_string(),
                created: created.clone(),
            };
        }
    }
}

/// The index plan files of the request, each read once: a file the mapping names as its
/// Markdown plan is already read with the mapping.
fn load_plan_files(
    request: &CheckRequest,
    mapping: Option<&Mapping>,
    default_schema: &str,
) -> Result<Vec<PlanFile>> {
    let limits = request.config.input_limits;
    let identity = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut read: Vec<PathBuf> = mapping
        .and_then(|mapping| mapping.index_plan_markdown.as_deref())
        .map(identity)
        .into_iter()
        .collect();
    let mut files = Vec::new();
    for path in &request.index_plan {
        let canonical = identity(path);
        if read.contains(&canonical) {
            continue;
        }
        read.push(canonical);
        files.push(
            load_index_plan(path, default_schema, limits)
                .with_context(|| format!("cannot load the index plan {}", display_path(path)))?,
        );
    }
    Ok(files)
}

/// The relations `--sample-rows` samples: those of the mapping's read models, and of the
/// read models inferred from evidence (unless `infer_read_models = false`).
fn sampled_relations(
    request: &CheckRequest,
    mapping: Option<&Mapping>,
    contracts: Option<&ContractSet>,
    specs: Option<Specs<'_>>,
    live: &Catalog,
) -> BTreeSet<QualifiedName> {
    let mut relations: BTreeSet<QualifiedName> = mapping
        .into_iter()
        .flat_map(|mapping| &mapping.read_models)
        .map(|read_model| read_model.relation.clone())
        .collect();
    if let Some(contracts) = contracts.filter(|_| request.config.infer_read_models) {
        relations.extend(
            infer_read_models(contracts, mapping, specs, Some(live))
                .read_models
                .into_iter()
                .map(|read_model| read_model.relation),
        );
    }
    relations
}

/// [`read_live`], sampling the read models the mapping, the contracts and `specs` name.
fn read_live_with_read_models(
    request: &CheckRequest,
    session_options: &SessionOptions,
    scope: &[String],
    mapping: Option<&Mapping>,
    contracts: Option<&ContractSet>,
    specs: Option<Specs<'_>>,
    progress: &dyn Fn(&str),
) -> Result<live_inputs::Live> {
    let read_models = |live: &Catalog| sampled_relations(request, mapping, contracts, specs, live);
    read_live(
        request,
        session_options,
        scope,
        &read_models,
        mapping,
        progress,
    )
}

/// The live side of a run: the snapshot, else the database (sampling the relations
/// `read_models` names with `--sample-rows`, and checking the mapping's invariants and
/// immutable tables), else nothing.
fn read_live(
    request: &CheckRequest,
    session_options: &SessionOptions,
    scope: &[String],
    read_models: &dyn Fn(&Catalog) -> BTreeSet<QualifiedName>,
    mapping: Option<&Mapping>,
    progress: &dyn Fn(&str),
) -> Result<live_inputs::Live> {
    let _timing = match &request.live {
        Some(LiveSource::Snapshot(_)) => timings::phase("read snapshot"),
        Some(LiveSource::Database(_)) => timings::phase("read live database"),
        None => None,
    };
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
            read_models,
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
        plan: inputs.plan.as_ref(),
        live: inputs.live.catalog.as_ref(),
        row_samples: inputs.live.row_samples.as_ref(),
        probes: inputs.live.probes.as_ref(),
        min_stats_age_days: request.config.unused_index_min_stats_days,
        default_schema: default_schema(&request.schemas),
        infer_read_models: request.config.infer_read_models,
    })
}

/// What `pgparity init --write-mapping` writes: the read models a check of `request`
/// would infer, and the contract files they refer to.
#[derive(Debug)]
pub struct InferredReadModels {
    /// The read models and the names in their evidence that do not resolve.
    pub inferred: Inferred,
    /// The contract files the run read (the mapping's, then the configuration's).
    pub contract_paths: Vec<PathBuf>,
}

/// The read models `pgparity check` infers for `request`'s specs, mapping and contracts
/// (a database, if the request names one, is not read).
pub fn inferred_read_models(request: &CheckRequest) -> Result<InferredReadModels> {
    let offline = CheckRequest {
        live: None,
        dev_db: None,
        sample_rows: None,
        ..request.clone()
    };
    let inputs = load_inputs(&offline, &|_| {})?;
    let inferred = match &inputs.contracts {
        Some(contracts) => infer_read_models(
            contracts,
            inputs.mapping.as_ref(),
            inputs.specs.as_ref().map(SpecSet::specs),
            None,
        ),
        None => Inferred::default(),
    };
    Ok(InferredReadModels {
        inferred,
        contract_paths: inputs.contract_paths,
    })
}

/// The file SARIF shows findings without a source line at: the configuration file, else
/// the first input file read (the mapping, a spec file, a contract, the snapshot). A run
/// that read no file at all (a database alone) has none.
fn anchor(request: &CheckRequest, inputs: &LoadedInputs) -> Option<Anchor> {
    let config = request
        .config
        .path
        .as_deref()
        .filter(|path| !is_empty_config(path))
        .map(|path| ("configuration", display_path(path)));
    let mapping = request
        .mapping
        .as_deref()
        .map(|path| ("mapping", display_path(path)));
    let spec = inputs
        .specs
        .as_ref()
        .and_then(|specs| specs.files.first())
        .map(|path| ("spec", path.clone()));
    let contract = inputs
        .contracts
        .as_ref()
        .and_then(|contracts| contracts.documents.first())
        .map(|path| ("contract", path.clone()));
    let snapshot = match &request.live {
        Some(LiveSource::Snapshot(path)) => Some(("snapshot", display_path(path))),
        _ => None,
    };
    config
        .or(mapping)
        .or(spec)
        .or(contract)
        .or(snapshot)
        .map(|(what, path)| Anchor { path, what })
}

/// Why a run that could check nothing is an error, what it read and what to give: a
/// clean report of nothing would pass a CI job that runs in the wrong folder.
fn nothing_checked(request: &CheckRequest, skipped: &[String]) -> String {
    let mut read = Vec::new();
    if let Some(path) = request
        .config
        .path
        .as_deref()
        .filter(|path| !is_empty_config(path))
    {
        read.push(format!("the configuration {}", display_path(path)));
    }
    if let Some(path) = &request.mapping {
        read.push(format!("the mapping {}", display_path(path)));
    }
    let what = if read.is_empty() {
        "no pgparity.toml was found in this folder or a folder above it, and no input was \
         given: run pgparity in your project's folder (where pgparity.toml is), or name the \
         inputs, e.g. `pgparity check --specs db/ --mapping contract_schema_mapping.yaml`"
            .to_string()
    } else {
        format!(
            "read {}, but every check needs specs, a live database or contracts: give the \
             specs (--specs or `specs` in pgparity.toml) or a database (--db, --snapshot)",
            read.join(" and ")
        )
    };
    format!(
        "nothing was checked: {what}\n  skipped: {}",
        skipped.join("\n  skipped: ")
    )
}

/// The findings to report, after the configuration and the baseline had their say.
struct Judged {
    /// Reported findings, sorted.
    findings: Vec<Finding>,
    /// Findings hidden by suppressions.
    suppressed: Vec<Suppressed>,
    /// What the baseline hid, when one applied.
    baseline: Option<BaselineOutcome>,
    /// With `--write-baseline` or `--prune-baseline`, the baseline file's text.
    baseline_to_write: Option<String>,
}

/// Applies the configured rule levels, the suppressions (as of `today`) and then the
/// baseline: `baseline`, or with `--write-baseline` the one recorded from these findings,
/// which hides them all. `judged` says whether a rule ran, so that a baseline entry of a
/// rule whose checks were skipped is not called stale.
fn judge(
    request: &CheckRequest,
    findings: Vec<Finding>,
    baseline: Option<&Baseline>,
    today: NaiveDate,
    judged: &dyn Fn(&str) -> bool,
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
    let mut baseline_to_write = written.as_ref().map(Baseline::to_json);
    let (findings, outcome) = match written.as_ref().or(baseline) {
        Some(baseline) => {
            let (findings, outcome) = baseline.filter(findings, judged);
            (findings, Some(outcome))
        }
        None => (findings, None),
    };
    if request.prune_baseline {
        if let (Some(baseline), Some(outcome)) = (baseline, &outcome) {
            baseline_to_write = Some(baseline.pruned(outcome).to_json());
        }
    }
    Judged {
        findings,
        suppressed,
        baseline: outcome,
        baseline_to_write,
    }
}

/// Whether the checks of `rule_id` ran with these inputs (and the rule is not off): a
/// baseline entry of a rule that did not run may still occur. An id no rule has any
/// more is judged: nothing can match it again.
fn rule_ran(request: &CheckRequest, inputs: &LoadedInputs, rule_id: &str) -> bool {
    let Some(rule) = rules::by_id(rule_id) else {
        return true;
    };
    if request.config.level(rule) == RuleLevel::Off {
        return false;
    }
    let specs = inputs.specs.is_some();
    let live = inputs.live.catalog.is_some();
    if rule.needs_live && !live {
        return false;
    }
    match rule.family {
        Family::Spec => specs,
        Family::Drift => specs && live,
        Family::Contract => inputs.mapping.is_some() && (specs || live),
        Family::IndexPlan => specs || rule.needs_live,
        Family::Tenancy => {
            specs
                && inputs
                    .mapping
                    .as_ref()
                    .is_some_and(|mapping| mapping.tenancy.is_some())
        }
        // Probe results come from `--probe` and from `--db` with invariants or immutable
        // tables; `mutable-ledger` also reads the specs' grants without any database.
        Family::Probe => {
            inputs.live.probes.is_some()
                || (specs
                    && inputs
                        .mapping
                        .as_ref()
                        .is_some_and(|mapping| !mapping.immutable.is_empty()))
        }
        Family::Meta => true,
    }
}

/// Renders `report` in the requested format and decides the exit code: 1 when a
/// finding reaches the `fail_on` threshold.
fn render(
    request: &CheckRequest,
    report: Report,
    baseline_to_write: Option<String>,
    inputs: LoadedInputs,
) -> CheckRun {
    let threshold = request.fail_on.threshold();
    let failed = threshold.is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|finding| finding.severity >= threshold)
    });
    let rendered = report::render(&report, request.format, threshold);
    let fix_script = request
        .fix_sql
        .as_ref()
        .map(|_| report::render_fix_script(&report));
    CheckRun {
        report,
        rendered,
        exit_code: i32::from(failed),
        baseline_to_write,
        fix_script,
        inputs: RunInputs(inputs),
    }
}

/// The inputs a run read, by kind, for report headers.
fn input_list(
    specs: &[PathBuf],
    mapping: Option<&Path>,
    index_plan: &[PathBuf],
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
    if !index_plan.is_empty() {
        inputs.push(("index plan".to_string(), paths(index_plan)));
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

/// `pgparity snapshot`: the live catalog of a database, to write with
/// [`Snapshot::write_json`].
pub fn snapshot(request: &SnapshotRequest, progress: &dyn Fn(&str)) -> Result<Snapshot> {
    let schemas = schemas_in_scope(&request.schemas);
    let settings = live_inputs::settings_for(&request.db)?;
    let live = live_inputs::read_database(
        &settings,
        &live_inputs::session_options(&request.timeouts),
        &schemas,
        &|_| BTreeSet::new(),
        None,
        None,
        progress,
    )
    .context("cannot read the live database")?;
    let catalog = live.catalog.unwrap_or_default();
    Ok(Snapshot::new(
        catalog,
        live.target.unwrap_or_default(),
        schemas,
    ))
}

/// Writes `contents` (the `what`: report, snapshot, baseline) to `path`. A regular
/// file or a new path is written through a temporary file and a rename, so a failed run
/// never leaves a half-written file in place of the last good one; a symlink to a
/// regular file replaces its target and keeps the link. Anything else — a character
/// device such as `/dev/null`, a FIFO, `/dev/stdout` — is opened and written directly:
/// renaming onto it would replace the device with a file.
pub fn write_output(path: &Path, contents: &str, what: &str) -> Result<()> {
    write_output_with(path, what, &|target| target.write_all(contents.as_bytes()))
}

/// [`write_output`] of what `write` writes, through a buffer, as it is produced.
pub fn write_output_with(
    path: &Path,
    what: &str,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let context = || format!("cannot write the {what} to {}", path.display());
    match atomic_destination(path) {
        Some(destination) => write_atomically(&destination, write),
        None => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|target| {
                let mut target = std::io::BufWriter::new(target);
                write(&mut target)?;
                target.flush()
            }),
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

fn write_atomically(
    path: &Path,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
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
        let mut file = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
        write(&mut file)?;
        file.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// How `pgparity rules` prints the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RulesFormat {
    /// One line per rule: id, family, default severity, the severity in effect when the
    /// configuration changes it, summary.
    Text,
    /// A JSON array: `{"id", "family", "default_severity", "severity", "needs_live",
    /// "summary"}` per rule, `severity` being the one in effect (`off` when turned off).
    Json,
}

/// `pgparity rules`: every rule with its severity in effect under `config`.
pub fn rules_listing(config: &Config, format: RulesFormat) -> String {
    let in_effect = |rule: &Rule| match config.level(rule) {
        RuleLevel::Off => "off",
        RuleLevel::At(severity) => severity.as_str(),
    };
    if format == RulesFormat::Json {
        let rules: Vec<serde_json::Value> = rules::all()
            .iter()
            .map(|rule| {
                serde_json::json!({
                    "id": rule.id,
                    "family": rule.family.as_str(),
                    "default_severity": rule.default_severity.as_str(),
                    "severity": in_effect(rule),
                    "needs_live": rule.needs_live,
                    "summary": rule.summary,
                })
            })
            .collect();
        let mut text = serde_json::to_string_pretty(&rules).unwrap_or_default();
        text.push('\n');
        return text;
    }
    let width = rules::all()
        .iter()
        .map(|rule| rule.id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for rule in rules::all() {
        let severity = in_effect(rule);
        let configured = if severity == rule.default_severity.as_str() {
            String::new()
        } else {
            format!(" (configured: {severity})")
        };
        out.push_str(&format!(
            "{:width$}  {:10}  {:7}  {}{configured}\n",
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
    let rule = rules::by_id(rule_id).with_context(|| {
        format!(
            "unknown rule {rule_id:?}{}; `pgparity rules` lists the rules",
            crate::suggest::did_you_mean(rule_id, rules::all().iter().map(|rule| rule.id))
        )
    })?;
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
