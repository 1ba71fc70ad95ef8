//! The CI integration files a user copies: the README's GitHub Actions workflow and the
//! pre-commit hook definition parse and say what they promise.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The first `yaml` code block under the README heading `## {heading}`.
fn readme_yaml_block(heading: &str) -> String {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).expect("README.md");
    let mut in_section = false;
    let mut in_heading = false;
    let mut heading_text = String::new();
    let mut in_yaml = false;
    let mut block = String::new();
    for event in Parser::new(&readme) {
        match event {
            Event::Start(Tag::Heading {
                level: HeadingLevel::H2,
                ..
            }) => {
                in_heading = true;
                heading_text.clear();
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                in_heading = false;
                in_section = heading_text == heading;
            }
            Event::Text(text) if in_heading => heading_text.push_str(&text),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(language)))
                if in_section && language.as_ref() == "yaml" =>
            {
                in_yaml = true;
            }
            Event::Text(text) if in_yaml => block.push_str(&text),
            Event::End(TagEnd::CodeBlock) if in_yaml => return block,
            _ => {}
        }
    }
    panic!("README has no yaml block under ## {heading}");
}

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|error| panic!("YAML: {error}\n{text}"))
}

fn run_lines(job: &Value) -> String {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

fn uses(job: &Value) -> Vec<&str> {
    job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["uses"].as_str())
        .collect()
}

#[test]
fn the_ci_workflow_checks_pull_requests_and_reports_drift_nightly() {
    let workflow = yaml(&readme_yaml_block("Use in CI"));
    assert!(
        workflow["on"]["schedule"][0]["cron"].is_string(),
        "{workflow}"
    );
    assert!(workflow["on"].get("pull_request").is_some());

    let check = &workflow["jobs"]["check"];
    assert_eq!(check["services"]["postgres"]["image"], "postgres:16");
    assert_eq!(check["permissions"]["security-events"], "write");
    let steps = uses(check);
    assert!(steps
        .iter()
        .any(|step| step.starts_with("actions/checkout@")));
    assert!(
        steps
            .iter()
            .any(|step| step.starts_with("pgparity/pgparity@v")),
        "pgparity comes from the GitHub Action (a release binary), not a build"
    );
    assert!(steps.contains(&"github/codeql-action/upload-sarif@v4"));
    let commands = run_lines(check);
    for expected in [
        "psql \"$DATABASE_URL\" -v ON_ERROR_STOP=1",
        "pgparity check --db \"$DATABASE_URL\" --fail-on never --format sarif --output pgparity.sarif",
        "pgparity check --db \"$DATABASE_URL\" --format github",
    ] {
        assert!(commands.contains(expected), "{expected:?} in\n{commands}");
    }

    let nightly = &workflow["jobs"]["nightly-drift"];
    assert_eq!(nightly["if"], "github.event_name == 'schedule'");
    let commands = run_lines(nightly);
    assert!(
        commands.contains("--format markdown --output drift-report.md")
            && commands.contains(">> \"$GITHUB_STEP_SUMMARY\""),
        "{commands}"
    );
}

#[test]
fn the_nightly_fuzz_job_runs_every_fuzz_target_for_ten_minutes() {
    let workflow = yaml(&readme_yaml_block("Use in CI"));
    let fuzz = &workflow["jobs"]["fuzz"];
    assert_eq!(fuzz["if"], "github.event_name == 'schedule'");
    assert!(uses(fuzz).contains(&"dtolnay/rust-toolchain@nightly"));
    let manifest: toml::Table = std::fs::read_to_string(format!("{ROOT}/fuzz/Cargo.toml"))
        .expect("fuzz/Cargo.toml")
        .parse()
        .expect("fuzz/Cargo.toml is TOML");
    let mut targets: Vec<&str> = manifest["bin"]
        .as_array()
        .expect("fuzz/Cargo.toml has [[bin]] targets")
        .iter()
        .map(|bin| bin["name"].as_str().expect("a target's name"))
        .collect();
    targets.sort_unstable();
    let mut fuzzed: Vec<&str> = fuzz["strategy"]["matrix"]["target"]
        .as_array()
        .expect("a matrix of targets")
        .iter()
        .map(|target| target.as_str().expect("a target name"))
        .collect();
    fuzzed.sort_unstable();
    assert_eq!(fuzzed, targets, "the nightly job fuzzes every target");
    let commands = run_lines(fuzz);
    for expected in [
        "cargo install cargo-fuzz --locked",
        "fuzz/seed.sh",
        "fuzz/run.sh ${{ matrix.target }} 600",
    ] {
        assert!(commands.contains(expected), "{expected:?} in\n{commands}");
    }
}

#[test]
fn the_pre_commit_hook_runs_the_static_check_on_spec_changes() {
    let text = std::fs::read_to_string(format!("{ROOT}/.pre-commit-hooks.yaml"))
        .expect(".pre-commit-hooks.yaml");
    let hooks = yaml(&text);
    let hook = &hooks[0];
    assert_eq!(hook["id"], "pgparity");
    assert_eq!(hook["entry"], "pgparity check");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], false);
    assert_eq!(hook["files"], "\\.(sql|ya?ml|json|md)$");
}
