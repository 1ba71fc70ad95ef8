//! The CI formats end to end: SARIF validates against the official 2.1.0 schema and
//! keeps its fingerprints when lines move, JUnit counts agree with the JSON report,
//! GitHub commands are one per finding, none of them carries colour codes, and each is
//! snapshotted on one shared sample.

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use support::{check_json, pgparity, ScratchDir, ROOT};

/// The shared sample: the bundled example with an expired suppression, so it has an
/// error, a warning and an info finding, each at a different kind of file.
const SAMPLE: &str = "fixtures/expired-suppression/pgparity.toml";

/// The pattern in the official schema that ECMA-262 reads as "a literal `]`" (Annex B)
/// but the `regex` format check of draft-07's meta-schema rejects, so the unmodified
/// schema does not compile.
const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
/// The same pattern with that `]` escaped: it matches exactly the same strings.
const LANGUAGE_PATTERN_ESCAPED: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$";

/// The official SARIF 2.1.0 schema (the file is kept verbatim), with formats asserted.
fn sarif_schema() -> jsonschema::Validator {
    let path = Path::new(ROOT).join("tests/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).expect("the SARIF schema is readable");
    let mut schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    assert!(
        escape_language_patterns(&mut schema) > 0,
        "the schema file changed: no language pattern to escape"
    );
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Replaces every [`LANGUAGE_PATTERN`] in `schema`; returns how many it replaced.
fn escape_language_patterns(schema: &mut Value) -> usize {
    match schema {
        Value::Object(map) => map
            .iter_mut()
            .map(|(key, child)| {
                if key == "pattern" && child == LANGUAGE_PATTERN {
                    *child = Value::from(LANGUAGE_PATTERN_ESCAPED);
                    1
                } else {
                    escape_language_patterns(child)
                }
            })
            .sum(),
        Value::Array(items) => items.iter_mut().map(escape_language_patterns).sum(),
        _ => 0,
    }
}

/// Runs `check --format FORMAT ARGS` and returns its exit code and output.
fn check_as(format: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["check", "--format", format];
    all.extend_from_slice(args);
    let run = pgparity(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "pgparity failed ({}): {}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stdout.contains('\u{1b}'),
        "{format} output has an escape sequence:\n{}",
        run.stdout
    );
    (run.code, run.stdout)
}

fn sarif_of(args: &[&str]) -> Value {
    let (_, stdout) = check_as("sarif", args);
    let log: Value = serde_json::from_str(&stdout).expect("SARIF output is JSON");
    let validator = sarif_schema();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF is not valid: {errors:#?}");
    log
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("the run has results")
}

fn sarif_level(severity: &str) -> &'static str {
    match severity {
        "error" => "error",
        "warning" => "warning",
        "info" => "note",
        other => panic!("unknown severity {other}"),
    }
}

/// Every result names a rule that the driver lists at its `ruleIndex`, has a level, a
/// logical location and (all fixtures' findings have one) a physical location.
fn assert_results_are_complete(log: &Value) {
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("the driver lists its rules");
    for result in results(log) {
        let rule_id = result["ruleId"].as_str().expect("ruleId");
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], rule_id, "{result:#}");
        assert!(
            matches!(result["level"].as_str(), Some("error" | "warning" | "note")),
            "{result:#}"
        );
        let location = &result["locations"][0];
        assert!(
            location["logicalLocations"][0]["fullyQualifiedName"].is_string(),
            "{result:#}"
        );
        assert!(
            location["physicalLocation"]["artifactLocation"]["uri"].is_string(),
            "{result:#}"
        );
        assert!(
            location["physicalLocation"]["region"]["startLine"].as_u64() > Some(0),
            "{result:#}"
        );
        assert!(
            result["partialFingerprints"]["pgparity/v1"].is_string(),
            "{result:#}"
        );
    }
}

/// SARIF results agree with the JSON report: same rules, objects and levels, in order.
fn assert_matches_json(log: &Value, args: &[&str]) {
    let (_, report) = check_json(args);
    let expected: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_string(),
                finding["object"].as_str().unwrap_or_default().to_string(),
                sarif_level(finding["severity"].as_str().unwrap_or_default()).to_string(),
            )
        })
        .collect();
    let unsuppressed: Vec<(String, String, String)> = results(log)
        .iter()
        .filter(|result| result.get("suppressions").is_none())
        .map(|result| {
            (
                result["ruleId"].as_str().unwrap_or_default().to_string(),
                result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                result["level"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(unsuppressed, expected);
    let suppressed = results(log).len() - unsuppressed.len();
    assert_eq!(Some(suppressed as u64), report["suppressed"].as_u64());
}

#[test]
fn sarif_of_the_bundled_example_is_valid_and_complete() {
    let log = sarif_of(&[]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "pgparity");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["informationUri"], env!("CARGO_PKG_REPOSITORY"));
    let rules = driver["rules"].as_array().expect("rules");
    // The log describes the rules its results name, in catalogue order, so adding a
    // rule to pgparity never renumbers `ruleIndex` in existing logs.
    let mut named: Vec<&str> = results(&log)
        .iter()
        .map(|result| result["ruleId"].as_str().expect("ruleId"))
        .collect();
    named.sort_unstable();
    named.dedup();
    let described: Vec<&'static pgparity::rules::Rule> = pgparity::rules::all()
        .iter()
        .copied()
        .filter(|rule| named.contains(&rule.id))
        .collect();
    assert_eq!(rules.len(), described.len());
    for (rule, descriptor) in described.iter().zip(rules) {
        assert_eq!(descriptor["id"], rule.id);
        assert_eq!(descriptor["shortDescription"]["text"], rule.summary);
        assert_eq!(descriptor["fullDescription"]["text"], rule.docs);
        assert_eq!(descriptor["help"]["markdown"], rule.docs);
        assert_eq!(
            descriptor["defaultConfiguration"]["level"],
            sarif_level(rule.default_severity.as_str())
        );
    }
    assert!(!results(&log).is_empty());
    assert_results_are_complete(&log);
    assert_matches_json(&log, &[]);

    // The validator does reject what the schema forbids.
    let validator = sarif_schema();
    let mut unknown_level = log.clone();
    unknown_level["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&unknown_level));
    let mut line_zero = log.clone();
    line_zero["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!validator.is_valid(&line_zero));
}

#[test]
fn sarif_of_broken_fixtures_is_valid_and_complete() {
    for config in [
        "fixtures/spec-parse-error/pgparity.toml",
        "fixtures/missing-tenant-column/pgparity.toml",
        SAMPLE,
    ] {
        let args = ["--config", config];
        let log = sarif_of(&args);
        assert_results_are_complete(&log);
        assert_matches_json(&log, &args);
    }
}

#[test]
fn sarif_levels_follow_severity_overrides() {
    let folder = ScratchDir::new("formats-levels");
    let config = folder.path.join("pgparity.toml");
    std::fs::write(
        &config,
        format!(
            "specs = [{:?}, {:?}]\nmapping = {:?}\ncontract_roots = [{ROOT:?}]\n\n[rules]\nspeculative-index = \"warning\"\n",
            Path::new(ROOT).join("specs"),
            Path::new(ROOT).join("fixtures/speculative-index/change.sql"),
            Path::new(ROOT).join("mappings/contract_schema_mapping.yaml"),
        ),
    )
    .expect("the config is written");
    let config = config.to_string_lossy().into_owned();
    let log = sarif_of(&["--config", &config]);
    let speculative = results(&log)
        .iter()
        .find(|result| result["ruleId"] == "speculative-index")
        .expect("the speculative index is reported");
    assert_eq!(speculative["level"], "warning");
}

#[test]
fn suppressed_findings_are_sarif_results_with_an_external_suppression() {
    let log = sarif_of(&["--config", "fixtures/suppressed/pgparity.toml"]);
    let suppressed: Vec<&Value> = results(&log)
        .iter()
        .filter(|result| result.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 1, "{log:#}");
    assert_eq!(suppressed[0]["ruleId"], "speculative-index");
    assert_eq!(
        suppressed[0]["suppressions"],
        serde_json::json!([{
            "kind": "external",
            "justification": "reporting query, plan entry to follow"
        }])
    );
    assert_results_are_complete(&log);
}

/// The speculative-index fixture in a temporary folder, with `padding` blank lines
/// before its statement; returns the folder (removed when dropped) and the config path.
fn moved_fixture(name: &str, padding: usize) -> (ScratchDir, PathBuf) {
    let folder = ScratchDir::new(name);
    let change =
        std::fs::read_to_string(Path::new(ROOT).join("fixtures/speculative-index/change.sql"))
            .expect("the fixture's change.sql");
    std::fs::write(
        folder.path.join("change.sql"),
        format!("{}{change}", "\n".repeat(padding)),
    )
    .expect("change.sql is written");
    let config = folder.path.join("pgparity.toml");
    std::fs::write(
        &config,
        format!(
            "specs = [{:?}, \"change.sql\"]\nmapping = {:?}\ncontract_roots = [{ROOT:?}]\n",
            Path::new(ROOT).join("specs"),
            Path::new(ROOT).join("mappings/contract_schema_mapping.yaml"),
        ),
    )
    .expect("the config is written");
    (folder, config)
}

#[test]
fn sarif_fingerprints_survive_moved_lines() {
    let (_first_folder, first) = moved_fixture("formats-lines-as-committed", 0);
    let (_second_folder, second) = moved_fixture("formats-lines-moved", 5);
    let speculative = |config: &Path| {
        let log = sarif_of(&["--config", &config.to_string_lossy()]);
        let result = results(&log)
            .iter()
            .find(|result| result["ruleId"] == "speculative-index")
            .cloned()
            .expect("the speculative index is reported");
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        (
            location["region"]["startLine"].as_u64(),
            uri,
            result["partialFingerprints"].clone(),
        )
    };
    let (line_before, uri_before, fingerprints_before) = speculative(&first);
    let (line_after, uri_after, fingerprints_after) = speculative(&second);
    assert_eq!(line_after, line_before.map(|line| line + 5));
    // An absolute path is a file: URI (the scratch folder is outside the checkout).
    assert!(uri_before.starts_with("file:///"), "{uri_before}");
    assert!(uri_after.ends_with("/change.sql"), "{uri_after}");
    assert_eq!(fingerprints_before, fingerprints_after);
}

/// Distinct (rule, object) pairs of a JSON report's findings, with the most severe
/// severity of each.
fn cases_of(report: &Value) -> BTreeMap<(String, String), String> {
    let rank = |severity: &str| {
        ["info", "warning", "error"]
            .iter()
            .position(|s| *s == severity)
    };
    let mut cases: BTreeMap<(String, String), String> = BTreeMap::new();
    for finding in report["findings"].as_array().expect("findings") {
        let key = (
            finding["rule"].as_str().unwrap_or_default().to_string(),
            finding["object"].as_str().unwrap_or_default().to_string(),
        );
        let severity = finding["severity"].as_str().unwrap_or_default().to_string();
        let worst = cases.entry(key).or_insert_with(|| severity.clone());
        if rank(&severity) > rank(worst) {
            *worst = severity;
        }
    }
    cases
}

fn attribute(node: roxmltree::Node, name: &str) -> usize {
    node.attribute(name)
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("<{}> has a numeric {name}", node.tag_name().name()))
}

/// Parses JUnit XML and checks that every count attribute agrees with its children;
/// returns (tests, failures, skipped) of the whole report.
fn junit_counts(xml: &str) -> (usize, usize, usize) {
    let document = roxmltree::Document::parse(xml).expect("JUnit output is XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<roxmltree::Node> = root
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    let with_child = |tag: &str| {
        cases
            .iter()
            .filter(|case| case.children().any(|child| child.has_tag_name(tag)))
            .count()
    };
    let counts = (cases.len(), with_child("failure"), with_child("skipped"));
    assert_eq!(
        (
            attribute(root, "tests"),
            attribute(root, "failures"),
            attribute(root, "skipped")
        ),
        counts
    );
    for suite in root
        .children()
        .filter(|node| node.has_tag_name("testsuite"))
    {
        let suite_cases = suite
            .children()
            .filter(|node| node.has_tag_name("testcase"))
            .count();
        assert_eq!(attribute(suite, "tests"), suite_cases);
    }
    counts
}

#[test]
fn junit_counts_match_the_json_report_for_every_fixture_and_threshold() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("fixtures"))
        .expect("the fixtures folder")
        .map(|entry| entry.expect("a fixture").path().join("pgparity.toml"))
        .filter(|config| config.is_file())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() > 10);
    for config in fixtures {
        let config = config.to_string_lossy().into_owned();
        let (_, report) = check_json(&["--config", &config]);
        let cases = cases_of(&report);
        let suppressed = report["suppressed"].as_u64().unwrap_or_default() as usize;
        for (fail_on, failing) in [
            ("error", &["error"][..]),
            ("warning", &["error", "warning"][..]),
            ("info", &["error", "warning", "info"][..]),
            ("never", &[][..]),
        ] {
            let (_, xml) = check_as("junit", &["--config", &config, "--fail-on", fail_on]);
            let (tests, failures, skipped) = junit_counts(&xml);
            let clean_case = usize::from(cases.is_empty());
            assert_eq!(tests, cases.len() + skipped + clean_case, "{config}\n{xml}");
            assert_eq!(skipped, suppressed, "{config}\n{xml}");
            let expected_failures = cases
                .values()
                .filter(|severity| failing.contains(&severity.as_str()))
                .count();
            assert_eq!(
                failures, expected_failures,
                "{config} --fail-on {fail_on}\n{xml}"
            );
        }
    }
}

#[test]
fn junit_of_a_clean_run_is_one_passing_case() {
    let folder = ScratchDir::new("formats-clean");
    let config = folder.path.join("pgparity.toml");
    std::fs::write(
        &config,
        format!(
            "specs = [{:?}]\nmapping = {:?}\ncontract_roots = [{ROOT:?}]\n\n[rules]\ndto-nullability-mismatch = \"off\"\n",
            Path::new(ROOT).join("specs"),
            Path::new(ROOT).join("mappings/contract_schema_mapping.yaml"),
        ),
    )
    .expect("the config is written");
    let (code, xml) = check_as("junit", &["--config", &config.to_string_lossy()]);
    assert_eq!(code, 0);
    assert_eq!(junit_counts(&xml), (1, 0, 0));
    assert!(
        xml.contains(r#"<testcase name="pgparity: no findings""#),
        "{xml}"
    );
}

#[test]
fn github_commands_are_one_line_per_finding_then_a_summary() {
    for config in [SAMPLE, "fixtures/suppressed/pgparity.toml"] {
        let (_, report) = check_json(&["--config", config]);
        let findings = report["findings"].as_array().expect("findings");
        let (_, output) = check_as("github", &["--config", config]);
        let lines: Vec<&str> = output.lines().collect();
        let skipped = report["skipped"].as_array().expect("skipped").len();
        assert_eq!(lines.len(), findings.len() + skipped + 1, "{output}");
        for (line, finding) in lines.iter().zip(findings) {
            let command = match finding["severity"].as_str() {
                Some("error") => "::error ",
                Some("warning") => "::warning ",
                _ => "::notice ",
            };
            assert!(line.starts_with(command), "{line}");
            let file = format!(
                "file={},",
                finding["location"]["path"].as_str().unwrap_or("?")
            );
            assert!(line.contains(&file), "{line}");
            let title = format!(
                "title=pgparity {}::",
                finding["rule"].as_str().unwrap_or("?")
            );
            assert!(line.contains(&title), "{line}");
        }
        assert!(lines[findings.len()].starts_with("pgparity: "), "{output}");
    }
}

#[test]
fn ci_formats_are_distinct_and_exit_like_the_others() {
    let (json_code, _) = check_json(&["--config", SAMPLE]);
    let outputs: BTreeSet<String> = ["sarif", "junit", "github"]
        .iter()
        .map(|format| {
            let (code, output) = check_as(format, &["--config", SAMPLE]);
            assert_eq!(code, json_code, "{format}");
            output
        })
        .collect();
    assert_eq!(outputs.len(), 3);
}

/// The SARIF snapshot lists rule ids instead of the full descriptors (those are the
/// registry's documentation, checked above) and hides the version, so a rule's wording
/// or a release does not churn it.
#[test]
fn snapshots_of_the_shared_sample() {
    let mut log = sarif_of(&["--config", SAMPLE]);
    let driver = &mut log["runs"][0]["tool"]["driver"];
    let ids: Vec<Value> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|rule| rule["id"].clone())
        .collect();
    driver["rules"] = Value::Array(ids);
    driver["version"] = Value::from("[version]");
    driver["semanticVersion"] = Value::from("[version]");
    insta::assert_json_snapshot!("sample_sarif", log);

    let (_, junit) = check_as("junit", &["--config", SAMPLE]);
    insta::assert_snapshot!("sample_junit", junit);
    let (_, github) = check_as("github", &["--config", SAMPLE]);
    insta::assert_snapshot!("sample_github", github);

    let (_, text) = check_as("text", &["--config", SAMPLE]);
    insta::assert_snapshot!("sample_text", text);
    let (_, json) = check_as("json", &["--config", SAMPLE]);
    insta::assert_snapshot!("sample_json", json);
    let (_, markdown) = check_as("markdown", &["--config", SAMPLE]);
    let stable: Vec<String> = markdown
        .lines()
        .map(|line| match line {
            line if line.starts_with("| Generated | ") => "| Generated | [time] |".to_string(),
            line if line.starts_with("| Duration | ") => "| Duration | [duration] |".to_string(),
            line if line.starts_with("| pgparity | ") => "| pgparity | [version] |".to_string(),
            line => line.to_string(),
        })
        .collect();
    insta::assert_snapshot!("sample_markdown", stable.join("\n"));
}
