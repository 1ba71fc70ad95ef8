//! The `--fix-sql` script through the binary: written by a check of a database, applied
//! to it statement by statement as `psql -f` runs a script, and checked again.

use super::pg::TestDatabase;
use super::{pgparity, ScratchDir};
use pgparity::rules::{self, Family};
use pgparity::sql::split::{first_significant, top_level_statements};
use serde_json::Value;

/// A drift finding of a JSON report: rule, object, and whether its fix is destructive
/// (`None` without a fix).
pub type DriftFix = (String, String, Option<bool>);

/// The drift findings of a JSON report with what their fix is.
pub fn drift_fixes(report: &Value) -> Vec<DriftFix> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .filter(|finding| {
            let rule = finding["rule"].as_str().unwrap_or_default();
            rules::by_id(rule).is_some_and(|rule| rule.family == Family::Drift)
        })
        .map(|finding| {
            let text = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
            let fix = finding["fix"]
                .as_str()
                .map(|fix| fix.contains("-- destructive:"));
            (text("rule"), text("object"), fix)
        })
        .collect()
}

/// `pgparity check --format json --db <database> ARGS --fix-sql FILE`: the report and
/// the script.
pub fn fix_script(database: &TestDatabase, args: &[&str]) -> (Value, String) {
    let folder = ScratchDir::new("fix-sql");
    let file = folder.file("fix.sql");
    let url = database.url();
    let mut all = vec!["check", "--format", "json", "--db", &url];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--fix-sql", &file]);
    let run = pgparity(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "pgparity failed ({}): {}",
        run.code,
        run.stderr
    );
    let report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("JSON report: {error}\n{}", run.stdout));
    let script = std::fs::read_to_string(&file).expect("--fix-sql writes its file");
    (report, script)
}

/// The statements of `script` that run, each as `psql` sends it (from its first
/// word, without the comments before it).
pub fn statements(script: &str) -> Vec<&str> {
    top_level_statements(script)
        .map(|piece| &script[first_significant(script, piece.start)..piece.end])
        .collect()
}

/// `script` with its destructive statements uncommented, as a person does who has
/// reviewed them: the lines after each `-- WARNING: destructive` line, up to the next
/// blank line, lose their `-- `.
pub fn uncommented(script: &str) -> String {
    let mut out = String::new();
    let mut destructive = false;
    for line in script.lines() {
        if line.starts_with("-- WARNING: destructive") {
            destructive = true;
            continue;
        }
        if line.is_empty() {
            destructive = false;
        }
        match line.strip_prefix("-- ") {
            Some(statement) if destructive => out.push_str(statement),
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Asserts that the fix script of `check --db <database> ARGS` repairs the database:
/// every drift finding has a fix; applied, the script leaves exactly the findings whose
/// fix is destructive (commented out); the next run's script, uncommented, leaves none.
pub fn assert_fix_script_repairs(database: &TestDatabase, args: &[&str]) {
    let (report, script) = fix_script(database, args);
    let before = drift_fixes(&report);
    let unfixed: Vec<&DriftFix> = before.iter().filter(|found| found.2.is_none()).collect();
    assert!(unfixed.is_empty(), "drift without a fix: {unfixed:?}");
    database.execute_each(statements(&script));
    let (report, rest) = fix_script(database, args);
    let expected: Vec<(String, String)> = before
        .iter()
        .filter(|(.., fix)| *fix == Some(true))
        .map(|(rule, object, _)| (rule.clone(), object.clone()))
        .collect();
    let left: Vec<(String, String)> = drift_fixes(&report)
        .into_iter()
        .map(|(rule, object, _)| (rule, object))
        .collect();
    assert_eq!(
        left, expected,
        "after the fix script, only what it comments out is left\n{script}"
    );
    if expected.is_empty() {
        return;
    }
    assert!(
        statements(&rest)
            .iter()
            .all(|statement| statement.starts_with("SET search_path")),
        "the destructive statements are commented out:\n{rest}"
    );
    let rest = uncommented(&rest);
    database.execute_each(statements(&rest));
    let (report, _) = fix_script(database, args);
    assert_eq!(
        drift_fixes(&report),
        Vec::<DriftFix>::new(),
        "after the destructive statements too, no drift is left\n{rest}"
    );
}
