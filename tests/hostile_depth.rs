//! Hostile-input catalogue, issue 7 item 3: expressions nested deeper than any walk may
//! recurse, in specs and in the live database. Each case runs the binary under the
//! catalogue's bounds and asserts the exit code and the finding that names the problem,
//! where it is, and what to do.

mod support;

use serde_json::Value;
use support::bounded::{run_bounded, BoundedRun, TIME_BOUND};
use support::pg::TestDatabase;
use support::ScratchDir;

/// The deepest nesting pgparity reads (`pgparity::sql::depth::MAX_NESTING`).
const LIMIT: usize = pgparity::sql::depth::MAX_NESTING;

/// `pgparity check --format json ARGS` in `folder`, under the bounds, with its report.
fn check(folder: &ScratchDir, args: &[&str]) -> (BoundedRun, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = run_bounded(&folder.path, &all, &[], TIME_BOUND);
    let report = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (run, report)
}

fn findings(report: &Value) -> Vec<Value> {
    report["findings"].as_array().cloned().unwrap_or_default()
}

fn line_of(finding: &Value) -> u64 {
    finding["location"]["line"].as_u64().unwrap_or_default()
}

fn terms(term: &str, count: usize, separator: &str) -> String {
    vec![term; count].join(separator)
}

/// A spec with `deep` (one statement, possibly over several lines) after a table on line
/// 1, followed by a broken statement: the run must refuse `deep` with a parse error at
/// `deep_line` and still go on to report the broken statement after it.
fn assert_deep_statement_refused(case: &str, deep: &str, deep_line: u64) {
    let folder = ScratchDir::new(case);
    let spec =
        format!("CREATE TABLE keep (a int, j jsonb);\n{deep}\nCREATE TABLE broken (a int,, b);\n");
    let broken_line = 2 + deep.lines().count() as u64;
    folder.write("spec.sql", &spec);
    let (run, report) = check(&folder, &["--specs", "spec.sql"]);
    run.assert_contained(case, 1);
    let findings = findings(&report);
    let deep_finding = findings
        .iter()
        .find(|finding| {
            finding["message"]
                .as_str()
                .is_some_and(|message| message.contains("levels deep"))
        })
        .unwrap_or_else(|| panic!("{case}: no finding about the depth\n{}", run.stdout));
    let message = deep_finding["message"].as_str().unwrap_or_default();
    assert_eq!(
        deep_finding["rule"], "spec-parse-error",
        "{case}: {message}"
    );
    assert_eq!(line_of(deep_finding), deep_line, "{case}: {message}");
    assert_eq!(deep_finding["location"]["path"], "spec.sql", "{case}");
    assert!(
        message.contains(&format!("(limit {LIMIT})")),
        "{case}: {message}"
    );
    assert!(
        message.contains("fewer nested operators"),
        "{case}: {message}"
    );
    assert!(
        findings
            .iter()
            .any(|finding| finding["rule"] == "spec-parse-error"
                && line_of(finding) == broken_line
                && !finding["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("levels deep")),
        "{case}: the statement after the deep one was not read\n{}",
        run.stdout
    );
}

#[test]
fn spec_view_of_3_700_plus_terms() {
    let view = format!("CREATE VIEW v AS SELECT {} AS x;", terms("1", 3_700, " + "));
    assert!(view.len() > 14_000);
    assert_deep_statement_refused("view_3700", &view, 2);
}

#[test]
fn spec_view_where_of_40_000_terms_is_located_on_its_line() {
    let view = format!(
        "CREATE VIEW v AS\n  SELECT a\n  FROM keep\n  WHERE {};",
        terms("a = 0", 40_000, " OR ")
    );
    assert_deep_statement_refused("view_where_40000", &view, 5);
}

/// A table with a CHECK, a policy and an index predicate of 40,000 terms each.
fn deep_check_policy_and_index() -> String {
    let deep = terms("a = 0", 40_000, " OR ");
    format!(
        "CREATE TABLE t (\n  id int,\n  a int CHECK ({deep})\n);\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p ON t\n  USING ({deep});\n\
         CREATE INDEX t_a ON t (a)\n  WHERE {deep};\n"
    )
}

#[test]
fn spec_check_policy_and_index_of_40_000_terms_keep_their_objects() {
    let folder = ScratchDir::new("kept_40000");
    let spec = format!(
        "CREATE TABLE keep (a int);\n{}CREATE TABLE broken (a int,, b);\n",
        deep_check_policy_and_index()
    );
    folder.write("spec.sql", &spec);
    let (run, report) = check(&folder, &["--specs", "spec.sql"]);
    run.assert_contained("kept_40000", 1);
    // Only the broken statement: the table, its policy and its index are all defined
    // (nothing refers to an unknown relation), and the run went on after them.
    let findings = findings(&report);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "spec-parse-error");
    assert_eq!(line_of(&findings[0]), 11);
}

#[test]
fn spec_default_of_100_000_nested_parentheses_keeps_its_table() {
    let folder = ScratchDir::new("default_nested");
    let nested = "(1 + ".repeat(100_000) + "1" + &")".repeat(100_000);
    folder.write(
        "spec.sql",
        &format!(
            "CREATE TABLE t (a int DEFAULT ({nested}), b int);\n\
             CREATE INDEX t_b ON t (b);\n\
             CREATE TABLE broken (a int,, b);\n"
        ),
    );
    let (run, report) = check(&folder, &["--specs", "spec.sql"]);
    run.assert_contained("default_nested", 1);
    let findings = findings(&report);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(line_of(&findings[0]), 3);
}

#[test]
fn spec_check_policy_and_index_of_40_000_terms_are_undecided_against_the_database() {
    let setup = "CREATE TABLE t (id int, a int CHECK (a = 1));\n\
                 ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
                 CREATE POLICY p ON t USING (a = 1);\n\
                 CREATE INDEX t_a ON t (a) WHERE a = 1;";
    let spec = format!(
        "CREATE TABLE keep (a int);\n{}",
        deep_check_policy_and_index()
    );
    for (label, report) in live_and_snapshot("kept_40000_live", setup, &spec) {
        let findings: Vec<Value> = findings(&report)
            .into_iter()
            .filter(|finding| finding["rule"] != "unused-index")
            .collect();
        assert_eq!(findings.len(), 3, "{label}: {findings:#?}");
        for finding in &findings {
            let message = finding["message"].as_str().unwrap_or_default();
            assert_eq!(finding["severity"], "info", "{label}: {message}");
            assert!(
                message.contains("the expression nests 80000 levels deep"),
                "{label}: {message}"
            );
        }
        // The constraint's column, the policy's and the index's statements.
        let mut lines: Vec<u64> = findings.iter().map(line_of).collect();
        lines.sort_unstable();
        assert_eq!(lines, [4, 7, 9], "{label}: {findings:#?}");
    }
}

#[test]
fn spec_view_of_100_000_plus_terms() {
    let view = format!("CREATE VIEW v AS SELECT {} AS x;", terms("1", 100_000, "+"));
    assert_deep_statement_refused("view_100000", &view, 2);
}

#[test]
fn spec_view_of_10_000_nested_parentheses() {
    let view = format!(
        "CREATE VIEW v AS SELECT {}1{} AS x;",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    assert_deep_statement_refused("parentheses_10000", &view, 2);
}

#[test]
fn spec_view_of_5_000_nested_subselects() {
    let view = format!(
        "CREATE VIEW v AS SELECT {}1{} AS x;",
        "(SELECT ".repeat(5_000),
        ")".repeat(5_000)
    );
    assert_deep_statement_refused("subselects_5000", &view, 2);
}

#[test]
fn spec_view_of_5_000_nested_case() {
    let view = format!(
        "CREATE VIEW v AS SELECT {}1{} AS x;",
        "CASE WHEN a > 0 THEN ".repeat(5_000),
        " END".repeat(5_000)
    );
    assert_deep_statement_refused("case_5000", &view, 2);
}

#[test]
fn spec_view_of_10_000_not() {
    let view = format!(
        "CREATE VIEW v AS SELECT {}true AS x;",
        "NOT ".repeat(10_000)
    );
    assert_deep_statement_refused("not_10000", &view, 2);
}

#[test]
fn spec_view_of_10_000_json_arrows() {
    let view = format!(
        "CREATE VIEW v AS SELECT j{} AS x FROM keep;",
        " -> 'k'".repeat(10_000)
    );
    assert_deep_statement_refused("json_10000", &view, 2);
}

#[test]
fn spec_view_of_5_000_nested_arrays() {
    let view = format!(
        "CREATE VIEW v AS SELECT {}1{} AS x;",
        "ARRAY[".repeat(5_000),
        "]".repeat(5_000)
    );
    assert_deep_statement_refused("arrays_5000", &view, 2);
}

#[test]
fn spec_view_of_3_000_unions() {
    let view = format!(
        "CREATE VIEW v AS {};",
        terms("SELECT a, 1 AS b FROM keep", 3_000, " UNION ALL ")
    );
    assert_deep_statement_refused("unions_3000", &view, 2);
}

#[test]
fn spec_default_of_40_000_terms_without_parentheses_is_refused() {
    let table = format!(
        "CREATE TABLE t (a int DEFAULT {});",
        terms("1", 40_000, " + ")
    );
    assert_deep_statement_refused("default_40000", &table, 2);
}

#[test]
fn spec_definitions_just_under_the_limit_load_without_a_finding() {
    let folder = ScratchDir::new("under_limit");
    // `CREATE VIEW v AS SELECT … AS x` adds six levels to the chain's.
    let chain = terms("1", LIMIT - 10, " + ");
    let flat_list = (0..20_000)
        .map(|n| format!("'v{n}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let branches: String = (0..2_000)
        .map(|n| format!(" WHEN a = {n} THEN 'v{n}'"))
        .collect();
    folder.write(
        "spec.sql",
        &format!(
            "CREATE TABLE keep (a int, s text CHECK (s IN ({flat_list})));\n\
             CREATE VIEW v AS SELECT {chain} AS x;\n\
             CREATE VIEW w AS SELECT CASE{branches} END AS c FROM keep;\n"
        ),
    );
    let (run, report) = check(&folder, &["--specs", "spec.sql"]);
    run.assert_contained("under_limit", 0);
    assert_eq!(findings(&report), Vec::<Value>::new(), "{}", run.stdout);
}

/// A database holding `setup`, a spec `spec`, and the report of `check` against the
/// database (`--db`) and against a snapshot of it (`--snapshot`), each under the bounds.
fn live_and_snapshot(case: &str, setup: &str, spec: &str) -> Vec<(String, Value)> {
    let database = TestDatabase::new(case);
    database.execute(&format!("CREATE TABLE keep (a int);\n{setup}"));
    let folder = ScratchDir::new(case);
    folder.write("spec.sql", spec);
    let url = database.url();
    let snapshot_run = run_bounded(
        &folder.path,
        &["snapshot", "--db", &url, "--output", "snapshot.json"],
        &[],
        TIME_BOUND,
    );
    snapshot_run.assert_contained(&format!("{case}: snapshot"), 0);
    let mut reports = Vec::new();
    for source in [["--db", url.as_str()], ["--snapshot", "snapshot.json"]] {
        let label = format!("{case} {}", source[0]);
        let (run, report) = check(&folder, &["--specs", "spec.sql", source[0], source[1]]);
        run.assert_contained(&label, 0);
        reports.push((label, report));
    }
    reports
}

/// The one finding of `report` about `object`, which must be an undecided comparison
/// (info) at `line` of the spec whose reason contains `reason`.
fn assert_undecided(label: &str, report: &Value, object: &str, line: u64, reason: &str) {
    let findings = findings(report);
    let about: Vec<&Value> = findings
        .iter()
        .filter(|finding| {
            finding["object"]
                .as_str()
                .is_some_and(|name| name.starts_with(object))
        })
        .collect();
    assert_eq!(about.len(), 1, "{label}: {findings:#?}");
    let finding = about[0];
    let message = finding["message"].as_str().unwrap_or_default();
    assert_eq!(finding["severity"], "info", "{label}: {message}");
    assert!(message.contains("could not decide"), "{label}: {message}");
    assert!(message.contains(reason), "{label}: {message}");
    assert!(
        message.contains(&format!("(limit {LIMIT})")),
        "{label}: {message}"
    );
    assert_eq!(line_of(finding), line, "{label}: {message}");
}

#[test]
fn live_view_of_2_000_plus_terms_is_undecided_with_db_and_snapshot() {
    let setup = format!(
        "CREATE VIEW deep AS SELECT {} AS x;",
        terms("1", 2_000, " + ")
    );
    let spec = "CREATE TABLE keep (a int);\nCREATE VIEW deep AS SELECT 1 AS x;\n";
    for (label, report) in live_and_snapshot("live_view_2000", &setup, spec) {
        assert_undecided(&label, &report, "public.deep", 2, "the query nests");
    }
}

#[test]
fn live_check_of_5_000_terms_is_undecided_with_db_and_snapshot() {
    let setup = format!(
        "CREATE TABLE deep (a int CONSTRAINT deep_a CHECK ({}));",
        terms("a = 0", 5_000, " OR ")
    );
    let spec = "CREATE TABLE keep (a int);\n\
                CREATE TABLE deep (a int CONSTRAINT deep_a CHECK (a = 0));\n";
    for (label, report) in live_and_snapshot("live_check_5000", &setup, spec) {
        assert_undecided(&label, &report, "public.deep", 2, "the expression nests");
    }
}

#[test]
fn live_definitions_just_under_the_limit_compare_equal() {
    // The server prints both with a pair of parentheses per operator: 2 levels each.
    let chain = terms("1", LIMIT / 2 - 10, " + ");
    let alternatives = terms("a = 0", LIMIT / 4, " OR ");
    let definitions = format!(
        "CREATE TABLE under (a int CONSTRAINT under_a CHECK ({alternatives}));\n\
         CREATE VIEW v AS SELECT {chain} AS x;\n"
    );
    let spec = format!("CREATE TABLE keep (a int);\n{definitions}");
    for (label, report) in live_and_snapshot("live_under_limit", &definitions, &spec) {
        assert_eq!(findings(&report), Vec::<Value>::new(), "{label}");
    }
}

#[test]
fn nested_between_compared_with_the_server_is_undecided_not_exponential() {
    let mut expression = "a".to_string();
    for _ in 0..40 {
        expression = format!("({expression} BETWEEN 1 AND 2)");
    }
    let spec = format!(
        "CREATE TABLE keep (a int);\nCREATE TABLE deep (a int CONSTRAINT deep_a CHECK ({expression}));\n"
    );
    let setup = "CREATE TABLE deep (a int CONSTRAINT deep_a CHECK (a = 0));";
    for (label, report) in live_and_snapshot("between_40", setup, &spec) {
        let findings = findings(&report);
        let about: Vec<&Value> = findings
            .iter()
            .filter(|finding| {
                finding["object"]
                    .as_str()
                    .is_some_and(|name| name.starts_with("public.deep"))
            })
            .collect();
        assert_eq!(about.len(), 1, "{label}: {findings:#?}");
        let message = about[0]["message"].as_str().unwrap_or_default();
        assert_eq!(about[0]["severity"], "info", "{label}: {message}");
        assert!(
            message.contains("repeat their left operand"),
            "{label}: {message}"
        );
    }
}

#[test]
fn live_index_predicate_and_policy_nesting_past_the_limit_are_undecided() {
    let deep = terms("a = 0", 5_000, " OR ");
    // An index predicate must fit in one catalog row: nesting, not length, makes it deep.
    let nested = "(a + ".repeat(700) + "a" + &")".repeat(700);
    let setup = format!(
        "CREATE TABLE deep (a int);\n\
         CREATE INDEX deep_idx ON deep (a) WHERE {nested} > 0;\n\
         ALTER TABLE deep ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY deep_p ON deep USING ({deep});"
    );
    let spec = "CREATE TABLE keep (a int);\n\
                CREATE TABLE deep (a int);\n\
                CREATE INDEX deep_idx ON deep (a) WHERE a > 0;\n\
                ALTER TABLE deep ENABLE ROW LEVEL SECURITY;\n\
                CREATE POLICY deep_p ON deep USING (a = 0);\n";
    for (label, report) in live_and_snapshot("live_index_policy", &setup, spec) {
        // The new index also gets the unused-index hint, which is not this case's.
        let findings: Vec<Value> = findings(&report)
            .into_iter()
            .filter(|finding| finding["rule"] != "unused-index")
            .collect();
        assert_eq!(findings.len(), 2, "{label}: {findings:#?}");
        for (finding, line) in findings.iter().zip([3, 5]) {
            let message = finding["message"].as_str().unwrap_or_default();
            assert_eq!(finding["severity"], "info", "{label}: {message}");
            assert!(
                message.contains("the expression nests"),
                "{label}: {message}"
            );
            assert!(
                message.contains(&format!("(limit {LIMIT})")),
                "{label}: {message}"
            );
            assert_eq!(line_of(finding), line, "{label}: {message}");
        }
    }
}
