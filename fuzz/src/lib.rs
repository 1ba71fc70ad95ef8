//! What every fuzz target shares: the binary's worker stack, the binary's decoding of input
//! bytes, a scratch folder for loaders that take paths, the bundled example as the other
//! inputs of a run, and the end of a run (levels, suppressions, every renderer) with the
//! invariants a report must keep.

use pgparity::baseline::Baseline;
use pgparity::checks::{self, meta, Inputs};
use pgparity::config::Config;
use pgparity::contracts::ContractOptions;
use pgparity::finding::{sort_findings, Severity};
use pgparity::input::InputLimits;
use pgparity::mapping::{load_mapping, Mapping};
use pgparity::model::display_path;
use pgparity::report::{self, Anchor, Format, Report, ReportContext};
use pgparity::sources::spec::{load_specs, SpecSet};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

/// Where unqualified names live, as in a run without `schemas` configured.
pub const DEFAULT_SCHEMA: &str = pgparity::app::DEFAULT_SCHEMA;

/// Runs `work` on a new thread with [`pgparity::WORKER_STACK_BYTES`] of stack, inside
/// [`pgparity::on_worker_stack`], as the binary runs its work, so that a recursion the binary survives is not reported as an
/// overflow here and one it does not survive is. A panic on the thread is re-raised here
/// (libFuzzer's panic hook has already aborted by then, recording the input).
pub fn on_worker_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("pgparity-fuzz-worker".into())
            .stack_size(pgparity::WORKER_STACK_BYTES)
            .spawn_scoped(scope, || pgparity::on_worker_stack(work))
            .expect("the fuzz harness can start its worker thread")
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// The text the binary would read from a file holding `bytes` (byte-order mark skipped,
/// CRLF read as LF), or `None` when the binary refuses such a file (not UTF-8), which is
/// tested elsewhere and not worth the fuzzer's time.
pub fn input_text(bytes: &[u8], shown_path: &str, what: &str) -> Option<String> {
    pgparity::input::decode(bytes.to_vec(), shown_path, what).ok()
}

/// The root of the repository the fuzz crate lives in (the bundled example is there).
pub fn repository_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// This process's scratch folder: `/dev/shm/pgparity-fuzz-PID` (the system's temporary
/// folder where there is no `/dev/shm`), so that parallel fuzzing jobs never share files
/// and the files a loader reads cost no disk writes. Folders left by fuzzing processes
/// that have ended are removed when it is created.
pub fn scratch_folder() -> &'static Path {
    static FOLDER: OnceLock<PathBuf> = OnceLock::new();
    FOLDER.get_or_init(|| {
        let parent = Some(PathBuf::from("/dev/shm"))
            .filter(|shm| shm.is_dir())
            .unwrap_or_else(std::env::temp_dir);
        remove_folders_of_ended_processes(&parent);
        let folder = parent.join(format!("pgparity-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("the fuzz harness can create its scratch folder");
        folder
    })
}

const SCRATCH_PREFIX: &str = "pgparity-fuzz-";

fn remove_folders_of_ended_processes(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(SCRATCH_PREFIX) else {
            continue;
        };
        let ended = pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists();
        if ended && Path::new("/proc/self").exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes `bytes` to `relative` under the scratch folder (creating its folders) and returns
/// the file's path.
pub fn write_scratch_file(relative: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch_folder().join(relative);
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).expect("the fuzz harness can create a scratch folder");
    }
    std::fs::write(&path, bytes).expect("the fuzz harness can write a scratch file");
    path
}

/// Copies the bundled example's folder `relative` (`contracts`, `docs`) to the same place
/// in the scratch folder, once per process, so that relative paths in fuzzed inputs
/// derived from the example reach real files.
pub fn copy_example_folder(relative: &str) {
    static COPIED: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    let mut copied = COPIED.lock().unwrap_or_else(PoisonError::into_inner);
    if copied.insert(relative.to_string()) {
        copy_folder(
            &repository_root().join(relative),
            &scratch_folder().join(relative),
        )
        .unwrap_or_else(|error| panic!("the fuzz harness cannot copy {relative}: {error}"));
    }
}

fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The bundled example's specs (`specs/`), loaded once: the spec side of runs whose fuzzed
/// input is another kind (snapshot, mapping, contracts, config).
pub fn example_specs() -> &'static SpecSet {
    static SPECS: OnceLock<SpecSet> = OnceLock::new();
    SPECS.get_or_init(|| {
        load_specs(
            &[repository_root().join("specs")],
            DEFAULT_SCHEMA,
            InputLimits::default(),
        )
        .expect("the bundled example's specs load")
    })
}

/// The bundled example's mapping (with its Markdown index plan), loaded once.
pub fn example_mapping() -> &'static Mapping {
    static MAPPING: OnceLock<Mapping> = OnceLock::new();
    MAPPING.get_or_init(|| {
        load_mapping(
            &repository_root().join("mappings/contract_schema_mapping.yaml"),
            DEFAULT_SCHEMA,
            InputLimits::default(),
        )
        .expect("the bundled example's mapping loads")
    })
}

/// The end of `pgparity check` after its inputs are loaded (as `pgparity::app::check`
/// assembles it): every check family, `config`'s rule levels and suppressions, a baseline
/// of the findings, and the report in every format. Panics when a report breaks what
/// its format promises (JSON, SARIF or JUnit XML that does not parse, a baseline pgparity writes
/// but cannot read back).
pub fn check_and_render(inputs: &Inputs, config: &Config) {
    let outcome = checks::run(inputs);
    let today = chrono::Local::now().date_naive();
    let findings = meta::apply_levels(outcome.findings, config);
    let (findings, suppressed) = meta::apply_suppressions(findings, config, today);
    let mut findings = meta::apply_levels(findings, config);
    sort_findings(&mut findings);

    let baseline = Baseline::of(&findings);
    let reread = Baseline::parse(&baseline.to_json())
        .unwrap_or_else(|error| panic!("a written baseline does not read back: {error:#}"));
    assert_eq!(reread, baseline, "a baseline changes when written and read");
    let (_, baseline_outcome) = baseline.filter(findings.clone(), &|_| true);

    let mut report = Report {
        findings,
        suppressed,
        skipped: outcome.skipped,
        context: ReportContext {
            target: None,
            inputs: Vec::new(),
            schemas: vec![inputs.default_schema.to_string()],
            generated_at: "2026-01-01T00:00:00Z".into(),
            version: "0.0.0-fuzz".into(),
            duration: Duration::ZERO,
        },
        baseline: None,
        anchor: config.path.as_deref().map(|path| Anchor {
            path: display_path(path),
            what: "configuration",
        }),
    };
    render_everything(&report);
    report.baseline = Some(baseline_outcome);
    render_everything(&report);
}

fn render_everything(report: &Report) {
    for format in [Format::Json, Format::Sarif] {
        let rendered = report::render(report, format, None);
        if let Err(error) = serde_json::from_str::<serde_json::Value>(&rendered) {
            panic!("the {format:?} report is not JSON ({error}):\n{rendered}");
        }
    }
    for failure_threshold in [Some(Severity::Warning), None] {
        let rendered = report::render(report, Format::Junit, failure_threshold);
        if let Err(error) = roxmltree::Document::parse(&rendered) {
            panic!("the JUnit report is not XML ({error}):\n{rendered}");
        }
    }
    for format in [Format::Text, Format::Markdown, Format::Github] {
        report::render(report, format, None);
    }
    report::render_colored_text(report);
}

/// A run's inputs as the checks see them, with `config`'s statistics age.
pub fn inputs<'a>(
    specs: Option<&'a SpecSet>,
    contracts: Option<&'a pgparity::contracts::ContractSet>,
    mapping: Option<&'a Mapping>,
    live: Option<&'a pgparity::model::Catalog>,
    config: &Config,
) -> Inputs<'a> {
    Inputs {
        specs: specs.map(SpecSet::specs),
        contracts,
        mapping,
        plan: None,
        live,
        row_samples: None,
        probes: None,
        min_stats_age_days: config.unused_index_min_stats_days,
        default_schema: DEFAULT_SCHEMA,
        infer_read_models: true,
    }
}

/// How the binary loads contracts, confined to the fuzz harness's scratch folder (a fuzzed
/// `$ref` or contract list could name any file on this machine; confinement is part of
/// what is fuzzed).
pub fn contract_options() -> ContractOptions {
    ContractOptions {
        roots: vec![scratch_folder().to_path_buf()],
        limits: InputLimits::default(),
    }
}
