//! The command line as a user meets it: exit codes, errors that name file and line,
//! `rules` and `explain`, and snapshots of the text and JSON reports.

mod support;

use support::{check_json, pgparity};

#[test]
fn text_report_of_the_bundled_example() {
    let run = pgparity(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .ends_with("pgparity: 0 errors, 0 warnings, 1 info\n"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("example_text", run.stdout);
}

#[test]
fn json_report_of_the_bundled_example() {
    let run = pgparity(&["check", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!("example_json", run.stdout);
}

#[test]
fn text_and_json_reports_of_a_broken_fixture() {
    let config = "fixtures/spec-parse-error/pgparity.toml";
    let text = pgparity(&["check", "--config", config]);
    assert_eq!(text.code, 1);
    insta::assert_snapshot!("spec_parse_error_text", text.stdout);
    let json = pgparity(&["check", "--config", config, "--format", "json"]);
    assert_eq!(json.code, 1);
    insta::assert_snapshot!("spec_parse_error_json", json.stdout);
}

#[test]
fn json_report_has_the_documented_shape_and_order() {
    let (code, report) = check_json(&["--config", "fixtures/missing-tenant-column/pgparity.toml"]);
    assert_eq!(code, 1);
    assert_eq!(report["version"], 1);
    assert_eq!(report["summary"]["error"], 3);
    assert!(report["skipped"].is_array());
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["severity"].as_str().unwrap())
        .collect();
    let rank = |severity: &str| {
        ["error", "warning", "info"]
            .iter()
            .position(|s| *s == severity)
            .unwrap()
    };
    assert!(
        severities
            .windows(2)
            .all(|pair| rank(pair[0]) <= rank(pair[1])),
        "{severities:?}"
    );
    let first = &report["findings"][0];
    for key in ["rule", "severity", "object", "message", "location"] {
        assert!(!first[key].is_null(), "finding lacks {key}: {first}");
    }
}

#[test]
fn fail_on_sets_the_threshold() {
    let config = "fixtures/unindexed-foreign-key/pgparity.toml";
    assert_eq!(
        pgparity(&["check", "--config", config]).code,
        0,
        "a warning does not fail by default"
    );
    assert_eq!(
        pgparity(&["check", "--config", config, "--fail-on", "warning"]).code,
        1
    );
    assert_eq!(
        pgparity(&["check", "--fail-on", "info"]).code,
        1,
        "the example has info notes"
    );
    let never = pgparity(&[
        "check",
        "--config",
        "fixtures/speculative-index/pgparity.toml",
        "--fail-on",
        "never",
    ]);
    assert_eq!(never.code, 0);
}

#[test]
fn flags_override_the_config() {
    let (code, report) = check_json(&[
        "--specs",
        "specs",
        "--specs",
        "fixtures/speculative-index/change.sql",
    ]);
    assert_eq!(code, 1);
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|finding| finding["rule"] == "speculative-index"));
}

#[test]
fn inputs_that_are_not_given_are_reported_as_skipped() {
    let run = pgparity(&["check", "--config", "/dev/null", "--specs", "specs"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("skipped: contract: needs a mapping"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("skipped: tenancy:"), "{}", run.stdout);
}

#[test]
fn output_file_receives_the_report() {
    let folder = std::env::temp_dir().join(format!("pgparity-cli-output-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("report.json");
    let run = pgparity(&[
        "check",
        "--format",
        "json",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written["version"], 1);
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn unreadable_inputs_exit_2_naming_the_file() {
    let missing = pgparity(&["check", "--specs", "no/such/specs"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no/such/specs"),
        "{}",
        missing.stderr
    );
    assert!(
        missing.stdout.is_empty(),
        "no partial report: {}",
        missing.stdout
    );

    let mapping = pgparity(&["check", "--mapping", "no/such/mapping.yaml"]);
    assert_eq!(mapping.code, 2);
    assert!(
        mapping.stderr.contains("no/such/mapping.yaml"),
        "{}",
        mapping.stderr
    );

    let contract = pgparity(&["check", "--contracts", "no/such/api.yaml"]);
    assert_eq!(contract.code, 2);
    assert!(
        contract.stderr.contains("no/such/api.yaml"),
        "{}",
        contract.stderr
    );
}

#[test]
fn invalid_mapping_exits_2_with_line_column_and_key_path() {
    let folder = std::env::temp_dir().join(format!("pgparity-cli-mapping-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("mapping.yaml");
    std::fs::write(
        &path,
        "version: 1\nindex_plan:\n  - index: idx_a\n    table: t\n    columns: [a]\n    query_paths: [q]\n    staus: active\n",
    )
    .unwrap();
    let run = pgparity(&[
        "check",
        "--config",
        "/dev/null",
        "--mapping",
        path.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("mapping.yaml:7:5"), "{}", run.stderr);
    assert!(run.stderr.contains("index_plan[0].staus"), "{}", run.stderr);
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn bad_config_exits_2_with_its_line() {
    let folder = std::env::temp_dir().join(format!("pgparity-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("pgparity.toml");
    std::fs::write(
        &path,
        "specs = [\"specs\"]\n\n[rules]\nspeculative-indexes = \"off\"\n",
    )
    .unwrap();
    let run = pgparity(&["check", "--config", path.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("pgparity.toml:4:"), "{}", run.stderr);
    assert!(run.stderr.contains("speculative-indexes"), "{}", run.stderr);
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn bad_flags_exit_2() {
    assert_eq!(pgparity(&["check", "--format", "yaml"]).code, 2);
    assert_eq!(
        pgparity(&["check", "--db", "postgres://x"]).code,
        2,
        "no live flags until they work"
    );
}

#[test]
fn rules_lists_every_rule_and_explain_prints_its_documentation() {
    let rules = pgparity(&["rules"]);
    assert_eq!(rules.code, 0);
    for rule in pgparity::rules::all() {
        assert!(rules.stdout.contains(rule.id), "rules lacks {}", rule.id);
        let explained = pgparity(&["explain", rule.id]);
        assert_eq!(explained.code, 0);
        assert!(explained.stdout.contains(rule.docs), "explain {}", rule.id);
    }
    let unknown = pgparity(&["explain", "no-such-rule"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("pgparity rules"),
        "{}",
        unknown.stderr
    );
}
