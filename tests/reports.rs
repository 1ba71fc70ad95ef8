//! The Markdown report, colour in text output, and baselines, as a user meets them
//! through the binary.

mod support;

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{pgparity, pgparity_in, Run, ROOT};

/// The shared sample: a broken fixture with findings in three families.
const SAMPLE: &str = "fixtures/spec-parse-error/pgparity.toml";

/// Replaces the run-dependent header rows (time, duration) so snapshots are stable.
fn mask_run_details(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| {
            if line.starts_with("| Generated | ") {
                "| Generated | [time] |".to_string()
            } else if line.starts_with("| Duration | ") {
                "| Duration | [duration] |".to_string()
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn markdown_report_of_the_shared_sample() {
    let run = pgparity(&["check", "--config", SAMPLE, "--format", "markdown"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stdout.contains('\x1b'));
    let tables = Parser::new_ext(&run.stdout, Options::ENABLE_TABLES)
        .filter(|event| matches!(event, Event::Start(Tag::Table(_))))
        .count();
    assert_eq!(tables, 2, "{}", run.stdout);
    insta::assert_snapshot!("sample_markdown", mask_run_details(&run.stdout));
}

#[test]
fn markdown_report_of_the_clean_example_says_so() {
    let run = pgparity(&["check", "--format", "markdown", "--color", "always"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("**0 errors, 0 warnings, 1 info.**"));
    assert!(!run.stdout.contains('\x1b'), "markdown never has colour");
}

#[test]
fn colour_is_on_only_when_asked_or_on_a_terminal() {
    let always = pgparity(&["check", "--config", SAMPLE, "--color", "always"]);
    assert!(
        always.stdout.contains("\x1b[1m\x1b[31merror\x1b[0m"),
        "{}",
        always.stdout
    );
    let never = pgparity(&["check", "--config", SAMPLE, "--color", "never"]);
    assert!(!never.stdout.contains('\x1b'));
    let piped = pgparity(&["check", "--config", SAMPLE]);
    assert!(!piped.stdout.contains('\x1b'), "a pipe is not a terminal");
    assert_eq!(piped.stdout, never.stdout);
    let json = pgparity(&[
        "check", "--config", SAMPLE, "--format", "json", "--color", "always",
    ]);
    assert!(!json.stdout.contains('\x1b'), "only text is coloured");
}

#[test]
fn color_always_wins_over_no_color() {
    let root = Path::new(ROOT);
    let run = pgparity_in(
        root,
        &["check", "--config", SAMPLE, "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    assert!(run.stdout.contains('\x1b'));
}

#[test]
fn force_color_and_clicolor_force_colour_a_pipe_and_the_flag_still_wins() {
    let root = Path::new(ROOT);
    let args = ["check", "--config", SAMPLE];
    let plain = pgparity(&args).stdout;
    for env in [
        [("FORCE_COLOR", "1")],
        [("FORCE_COLOR", "0")],
        [("CLICOLOR_FORCE", "1")],
    ] {
        let forced = pgparity_in(root, &args, &env).stdout;
        assert!(
            forced.contains("\x1b[1m\x1b[31merror\x1b[0m"),
            "{env:?}: {forced:?}"
        );
    }
    for env in [
        [("CLICOLOR_FORCE", "0")],
        [("CLICOLOR", "1")],
        [("FORCE_COLOR", "")],
    ] {
        let run = pgparity_in(root, &args, &env);
        assert_eq!(run.stdout, plain, "{env:?} does not colour a pipe");
    }
    let no_color = pgparity_in(root, &args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert_eq!(no_color.stdout, plain, "NO_COLOR wins over CLICOLOR_FORCE");
    let force = pgparity_in(root, &args, &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]);
    assert!(
        force.stdout.contains('\x1b'),
        "FORCE_COLOR wins over NO_COLOR"
    );
    let never = pgparity_in(
        root,
        &["check", "--config", SAMPLE, "--color", "never"],
        &[("FORCE_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(
        never.stdout, plain,
        "--color never wins over the environment"
    );
    let json = pgparity_in(
        root,
        &["check", "--config", SAMPLE, "--format", "json"],
        &[("FORCE_COLOR", "1")],
    );
    assert!(!json.stdout.contains('\x1b'), "only text is coloured");
}

/// Runs `pgparity ARGS` in the crate root under a pseudo-terminal (util-linux `script`),
/// so standard output is a terminal, as it is for a person at a shell.
fn pgparity_on_terminal(args: &[&str], env: &[(&str, &str)]) -> String {
    let command = std::iter::once(env!("CARGO_BIN_EXE_pgparity"))
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let output = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(ROOT)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .envs(env.iter().copied())
        .output()
        .expect("util-linux `script` runs (it provides the terminal for this test)");
    String::from_utf8(output.stdout).expect("terminal output is UTF-8")
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let coloured = pgparity_on_terminal(&["check", "--config", SAMPLE], &[]);
    assert!(
        coloured.contains("\x1b[1m\x1b[31merror\x1b[0m"),
        "{coloured:?}"
    );
    let plain = pgparity_on_terminal(&["check", "--config", SAMPLE], &[("NO_COLOR", "1")]);
    assert!(plain.contains("error[spec-parse-error]"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    let report = std::env::temp_dir().join(format!("pgparity-coloured-{}.txt", std::process::id()));
    let report_path = report.to_string_lossy().into_owned();
    pgparity_on_terminal(
        &[
            "check",
            "--config",
            SAMPLE,
            "--color",
            "always",
            "--output",
            &report_path,
        ],
        &[],
    );
    let written = std::fs::read_to_string(&report).expect("the report file was written");
    let _ = std::fs::remove_file(&report);
    assert!(written.contains("error[spec-parse-error]"), "{written:?}");
    assert!(
        !written.contains('\x1b'),
        "--output files are never coloured"
    );
}

#[test]
fn clicolor_0_turns_a_terminal_plain_and_the_flag_still_wins() {
    let plain = pgparity_on_terminal(&["check", "--config", SAMPLE], &[("CLICOLOR", "0")]);
    assert!(plain.contains("error[spec-parse-error]"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
    let always = pgparity_on_terminal(
        &["check", "--config", SAMPLE, "--color", "always"],
        &[("CLICOLOR", "0"), ("NO_COLOR", "1")],
    );
    assert!(always.contains("\x1b[1m\x1b[31merror\x1b[0m"), "{always:?}");
}

/// A scratch copy of the baseline fixture: its `change.sql` and a `pgparity.toml` that
/// points at the bundled example by absolute paths. Removed on drop.
struct Scratch {
    folder: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let folder =
            std::env::temp_dir().join(format!("pgparity-reports-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&folder);
        std::fs::create_dir_all(&folder).expect("scratch folder");
        let change = std::fs::read_to_string(Path::new(ROOT).join("fixtures/baseline/change.sql"))
            .expect("fixture change.sql");
        std::fs::write(folder.join("change.sql"), change).expect("change.sql copied");
        let config = format!(
            "specs = [{specs:?}, \"change.sql\"]\nmapping = {mapping:?}\nschemas = [\"public\"]\ncontract_roots = [{ROOT:?}]\n",
            specs = Path::new(ROOT).join("specs"),
            mapping = Path::new(ROOT).join("mappings/contract_schema_mapping.yaml"),
        );
        std::fs::write(folder.join("pgparity.toml"), config).expect("pgparity.toml written");
        Scratch { folder }
    }

    fn edit_change(&self, edit: impl FnOnce(String) -> String) {
        let path = self.folder.join("change.sql");
        let text = std::fs::read_to_string(&path).expect("change.sql");
        std::fs::write(&path, edit(text)).expect("change.sql written");
    }

    fn check_json(&self, args: &[&str]) -> (Run, Value) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let run = pgparity_in(&self.folder, &all, &[]);
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        let report = serde_json::from_str(&run.stdout).expect("JSON report");
        (run, report)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn rules_and_objects(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_string(),
                finding["object"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_baseline_accepts_legacy_findings_and_fails_on_new_ones() {
    let scratch = Scratch::new("cycle");
    let (before, report) = scratch.check_json(&[]);
    assert_eq!(before.code, 1);
    assert_eq!(report["summary"]["error"], 3, "three legacy defects");

    let (written, report) = scratch.check_json(&["--write-baseline", "baseline.json"]);
    assert_eq!(
        written.code, 0,
        "writing a baseline accepts today's findings"
    );
    assert_eq!(report["baseline"]["matched"], 4);
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(scratch.folder.join("baseline.json")).expect("baseline file"),
    )
    .expect("baseline JSON");
    assert_eq!(file["version"], 1);
    let entries: Vec<(&str, &str)> = file["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| {
            assert!(entry["message"].is_string() && entry["fingerprint"].is_string());
            (
                entry["rule"].as_str().unwrap_or_default(),
                entry["object"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (
                "dto-nullability-mismatch",
                "public.mv_realtime_revenue.data_freshness_seconds"
            ),
            ("duplicate-definition", "public.channel_taxonomy"),
            ("speculative-index", "public.idx_dead_events_retry_count"),
            ("speculative-index", "public.idx_revenue_ledger_posted_at"),
        ]
    );

    let (clean, report) = scratch.check_json(&["--baseline", "baseline.json"]);
    assert_eq!(clean.code, 0);
    assert_eq!(rules_and_objects(&report), []);
    assert_eq!(report["baseline"]["matched"], 4);
    assert_eq!(report["baseline"]["stale"], 0);

    scratch.edit_change(|text| {
        text + "\nCREATE INDEX idx_dead_events_failure_reason ON dead_events (failure_reason);\n"
    });
    let (failing, report) = scratch.check_json(&["--baseline", "baseline.json"]);
    assert_eq!(failing.code, 1);
    assert_eq!(
        rules_and_objects(&report),
        [(
            "speculative-index".to_string(),
            "public.idx_dead_events_failure_reason".to_string()
        )]
    );
}

#[test]
fn moving_lines_keeps_fingerprints() {
    let scratch = Scratch::new("moved");
    scratch.check_json(&["--write-baseline", "baseline.json"]);
    scratch.edit_change(|text| format!("\n\n\n-- moved down\n\n{text}"));
    let (run, report) = scratch.check_json(&["--baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(report["baseline"]["matched"], 4);
    let text = pgparity_in(
        &scratch.folder,
        &["check", "--baseline", "baseline.json"],
        &[],
    );
    assert_eq!(text.code, 0);
    assert!(
        text.stdout
            .ends_with("pgparity: no findings (baseline: 4 matched, 0 stale)\n"),
        "{}",
        text.stdout
    );
}

#[test]
fn fixed_findings_make_baseline_entries_stale() {
    let scratch = Scratch::new("stale");
    scratch.check_json(&["--write-baseline", "baseline.json"]);
    scratch.edit_change(|text| text.replace("CREATE TABLE channel_taxonomy", "-- fixed: "));
    let (run, report) = scratch.check_json(&["--baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(report["baseline"]["matched"], 3);
    assert_eq!(report["baseline"]["stale"], 1);
    let markdown = pgparity_in(
        &scratch.folder,
        &[
            "check",
            "--baseline",
            "baseline.json",
            "--format",
            "markdown",
        ],
        &[],
    );
    assert!(
        markdown.stdout.contains("Baseline: 3 matched, 1 stale."),
        "{}",
        markdown.stdout
    );
}

#[test]
fn a_missing_or_invalid_baseline_cannot_run() {
    let scratch = Scratch::new("invalid");
    let missing = pgparity_in(
        &scratch.folder,
        &["check", "--baseline", "nowhere.json"],
        &[],
    );
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("nowhere.json"),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty());
    std::fs::write(
        scratch.folder.join("broken.json"),
        "{\"version\": 1,\n \"entries\": [",
    )
    .unwrap();
    let invalid = pgparity_in(
        &scratch.folder,
        &["check", "--baseline", "broken.json"],
        &[],
    );
    assert_eq!(invalid.code, 2);
    assert!(
        invalid.stderr.contains("invalid baseline broken.json")
            && invalid.stderr.contains("line 2"),
        "{}",
        invalid.stderr
    );
}

#[test]
fn progress_goes_to_a_terminal_stderr_only() {
    let folder = std::env::temp_dir().join(format!("pgparity-progress-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let snapshot = folder.join("empty.json");
    let empty = pgparity::sources::snapshot::Snapshot::new(
        pgparity::model::Catalog::new(),
        "postgres@db:5432/ledger".into(),
        vec!["public".into()],
    );
    std::fs::write(&snapshot, empty.to_json()).unwrap();
    let snapshot = snapshot.to_string_lossy().into_owned();
    let args = [
        "check",
        "--snapshot",
        &snapshot,
        "--config",
        "/dev/null",
        "--format",
        "json",
    ];
    let on_terminal = pgparity_on_terminal(&args, &[]);
    assert!(
        on_terminal.contains("pgparity: comparing and checking"),
        "{on_terminal:?}"
    );
    let piped = support::pgparity(&args);
    assert!(
        piped.stderr.is_empty(),
        "no progress when stderr is not a terminal: {:?}",
        piped.stderr
    );
    assert!(!piped.stdout.contains("comparing and checking"));
    std::fs::remove_dir_all(&folder).ok();
}
