//! A `pgparity.toml` with several mistakes: the binary reports every one of them, each
//! on its own line at `file:line:column` with what to write, and exits 2 before reading
//! any input.

mod support;

use support::{pgparity_in, ScratchDir};

/// An unknown key, a bad severity, a bad date in a suppression and a spec path that does
/// not exist, in this order.
const FOUR_MISTAKES: &str = "\
specs = [\"specs\", \"schema\"]
colour = \"never\"

[rules]
redundant-index = \"loud\"

[[suppress]]
rule = \"speculative-index\"
object = \"public.idx_*\"
reason = \"legacy\"
until = \"2026-02-30\"
";

/// The scratch project: `FOUR_MISTAKES` as `pgparity.toml` and a `specs` folder (the
/// `schema` folder is missing).
fn project(hint: &str) -> ScratchDir {
    let folder = ScratchDir::new(hint);
    std::fs::create_dir_all(folder.path.join("specs")).expect("specs folder");
    folder.write("specs/schema.sql", "CREATE TABLE t (id int PRIMARY KEY);\n");
    folder.write("pgparity.toml", FOUR_MISTAKES);
    folder
}

#[test]
fn every_problem_of_the_file_is_reported_at_its_line_then_exit_2() {
    let folder = project("config-errors");
    let run = pgparity_in(&folder.path, &["check"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "", "no report when the configuration is wrong");
    let expected = [
        "pgparity: error: pgparity.toml:1:19: spec path schema does not exist: correct the path \
         (paths in pgparity.toml are relative to its folder)",
        "pgparity: error: pgparity.toml:2:1: unknown key `colour`: remove it or correct its \
         spelling (the keys are `specs`, `contracts`, `mapping`, `index_plan`, `infer_read_models`, `schemas`, `fail_on`, \
         `unused_index_min_stats_days`, `max_input_mib`, `contract_roots`, `rules`, \
         `suppress`, `dev_db`, `probe`)",
        "pgparity: error: pgparity.toml:5:19: redundant-index = \"loud\": write \"error\", \
         \"warning\", \"info\" or \"off\"",
        "pgparity: error: pgparity.toml:11:9: [[suppress]] until = 2026-02-30: write a date as \
         YYYY-MM-DD",
    ];
    assert_eq!(run.stderr.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn an_explicit_config_is_named_as_given_and_flags_spare_the_paths_they_replace() {
    let folder = project("config-errors-flags");
    let run = pgparity_in(
        &folder.path,
        &["check", "--config", "./pgparity.toml", "--specs", "specs"],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    for (line, position) in lines.iter().zip(["2:1", "5:19", "11:9"]) {
        let prefix = format!("pgparity: error: pgparity.toml:{position}: ");
        assert!(line.starts_with(&prefix), "{line}");
    }
    assert!(!run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn snapshot_reports_the_same_problems_of_the_file_before_connecting() {
    let folder = project("config-errors-snapshot");
    // The connection would be refused; the configuration is read first.
    let run = pgparity_in(
        &folder.path,
        &["snapshot", "--db", "postgresql://nobody@127.0.0.1:1/none"],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].contains("pgparity.toml:2:1: unknown key `colour`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("127.0.0.1"), "{}", run.stderr);
}

#[test]
fn a_lone_toml_syntax_error_comes_with_the_other_problems() {
    let folder = ScratchDir::new("config-errors-syntax");
    folder.write(
        "pgparity.toml",
        "fail_on = \"sometimes\"\n[[suppress]]\nrule = \"speculative-index\"\nobject = \"*\"\n\
         reason = \"legacy\"\nuntil = 2026-13-01\n",
    );
    let run = pgparity_in(&folder.path, &["check"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [
            "pgparity: error: pgparity.toml:1:11: fail_on = \"sometimes\" is not one of error, \
             warning, info, never",
            "pgparity: error: pgparity.toml:6:9: TOML syntax: invalid date, expected month \
             between 01 and 12",
        ]
    );
}

#[test]
fn a_file_the_parser_cannot_follow_reports_its_first_syntax_error_only() {
    let folder = ScratchDir::new("config-errors-unclosed");
    folder.write(
        "pgparity.toml",
        "specs = [\"specs\"\nmapping = = 3\n[rules\n",
    );
    let run = pgparity_in(&folder.path, &["check"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("pgparity: error: pgparity.toml:2:1: TOML syntax: "),
        "{}",
        run.stderr
    );
}
