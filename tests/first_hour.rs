//! A new user's first hour, through the binary: a run that checked nothing never
//! passes, and the small things met on the way (issue 12).

mod support;

use std::path::{Path, PathBuf};
use support::{pgparity, pgparity_in};

/// A scratch folder of its own for one test, empty, outside any project (no
/// `pgparity.toml` above it).
fn scratch(name: &str) -> PathBuf {
    let folder =
        std::env::temp_dir().join(format!("pgparity-first-hour-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn write(folder: &Path, name: &str, text: &str) -> PathBuf {
    let path = folder.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn an_empty_folder_is_exit_2_saying_what_is_missing() {
    let folder = scratch("empty");
    let run = pgparity_in(&folder, &["check"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
    assert!(
        run.stderr
            .contains("nothing was checked: no pgparity.toml was found"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--specs"), "{}", run.stderr);
    assert!(
        run.stderr.contains("skipped: drift: no live database"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_spec_folder_without_sql_is_exit_2_naming_it() {
    let folder = scratch("emptydir");
    std::fs::create_dir_all(folder.join("emptydir")).unwrap();
    write(&folder, "emptydir/README.md", "no DDL here\n");
    let run = pgparity_in(&folder, &["check", "--specs", "emptydir"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("spec folder emptydir holds no .sql file"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_contract_folder_without_schemas_is_exit_2_naming_it() {
    let folder = scratch("contracts");
    write(&folder, "db/schema.sql", "CREATE TABLE t (id integer);\n");
    write(&folder, "api/notes.txt", "not a contract\n");
    let run = pgparity_in(
        &folder,
        &["check", "--specs", "db", "--contracts", "api"],
        &[],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("contract folder api holds no .yaml, .yml or .json file"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_mapping_alone_checks_nothing_and_is_exit_2() {
    let folder = scratch("mapping-alone");
    write(&folder, "mapping.yaml", "version: 1\n");
    let run = pgparity_in(&folder, &["check", "--mapping", "mapping.yaml"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("nothing was checked: read the mapping mapping.yaml"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn empty_paths_in_the_config_are_errors_at_their_line() {
    let folder = scratch("empty-paths");
    write(
        &folder,
        "pgparity.toml",
        "specs = [\"db\", \"\"]\nmapping = \"\"\n",
    );
    write(&folder, "db/schema.sql", "CREATE TABLE t (id integer);\n");
    let run = pgparity_in(&folder, &["check"], &[]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("pgparity.toml:1:16: specs: the path is empty"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("pgparity.toml:2:11: mapping: the path is empty"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn specs_alone_still_run_the_spec_checks() {
    let folder = scratch("specs-alone");
    write(&folder, "db/schema.sql", "CREATE TABLE t (id integer);\n");
    let run = pgparity_in(&folder, &["check", "--specs", "db"], &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("pgparity: no findings"),
        "{}",
        run.stdout
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn the_bundled_example_still_passes() {
    let run = pgparity(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

/// Writes `sql` loaded as specs into a snapshot file, standing in for a live database
/// that holds exactly those objects.
fn snapshot_of(folder: &Path, name: &str, sql: &str) -> PathBuf {
    let specs = pgparity::sources::spec::load_spec_text("live.sql", sql, "public");
    let snapshot = pgparity::sources::snapshot::Snapshot::new(
        specs.catalog,
        "postgres@db:5432/app".into(),
        vec!["public".into()],
    );
    write(folder, name, &snapshot.to_json())
}

#[test]
fn sarif_results_without_a_config_all_have_a_file() {
    let folder = scratch("sarif-anchor");
    write(&folder, "db/tables.sql", "CREATE TABLE t (id integer);\n");
    snapshot_of(
        &folder,
        "live.json",
        "CREATE TABLE t (id integer);\nCREATE TABLE hotfix_copy (id integer);\n",
    );
    let run = pgparity_in(
        &folder,
        &[
            "check",
            "--specs",
            "db",
            "--snapshot",
            "live.json",
            "--format",
            "sarif",
        ],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|result| result["ruleId"] == "unexpected-relation"),
        "{results:#?}"
    );
    for result in results {
        let location = &result["locations"][0];
        assert_eq!(
            location["physicalLocation"]["artifactLocation"]["uri"], "db/tables.sql",
            "{result:#}"
        );
        assert_eq!(
            location["message"]["text"],
            "no source line: shown at the run's spec file"
        );
    }
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn sarif_anchors_at_the_snapshot_when_it_is_the_only_file() {
    let folder = scratch("sarif-snapshot-only");
    snapshot_of(&folder, "live.json", "CREATE TABLE t (id integer, parent integer REFERENCES t (id));\nCREATE INDEX t_parent ON t (parent);\n");
    let run = pgparity_in(
        &folder,
        &["check", "--snapshot", "live.json", "--format", "sarif"],
        &[],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "live.json",
            "{result:#}"
        );
    }
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_missing_config_is_said_once() {
    let folder = scratch("missing-config");
    let run = pgparity_in(&folder, &["check", "--config", "nope.toml"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "pgparity: error: configuration nope.toml does not exist: check the path in \
         pgparity.toml or on the command line\n"
    );
    // An error the operating system words is printed once, not once per context.
    std::os::unix::fs::symlink("/proc/self/nope/x", folder.join("loop.toml")).unwrap();
    std::fs::create_dir(folder.join("folder.toml")).unwrap();
    for config in ["loop.toml", "folder.toml"] {
        let run = pgparity_in(&folder, &["check", "--config", config], &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert_eq!(run.stderr.matches(config).count(), 1, "{}", run.stderr);
        assert!(
            run.stderr.matches("os error").count() <= 1,
            "{}",
            run.stderr
        );
    }
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_foreign_json_given_as_snapshot_is_not_a_pgparity_snapshot() {
    let folder = scratch("foreign-snapshot");
    write(&folder, "db/tables.sql", "CREATE TABLE t (id integer);\n");
    write(
        &folder,
        "package.json",
        "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
    );
    write(&folder, "list.json", "[1, 2]\n");
    let report = pgparity_in(
        &folder,
        &["check", "--specs", "db", "--format", "json"],
        &[],
    );
    write(&folder, "report.json", &report.stdout);
    for (file, what) in [
        (
            "package.json",
            "it has no `tool: \"pgparity\"` and no `catalog`",
        ),
        ("list.json", "it holds an array, not an object"),
        ("report.json", "it is a pgparity report"),
    ] {
        let run = pgparity_in(
            &folder,
            &["check", "--specs", "db", "--snapshot", file],
            &[],
        );
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
        assert!(
            run.stderr
                .contains(&format!("{file} is not a pgparity snapshot ({what}")),
            "{file}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("format version"), "{}", run.stderr);
        assert!(
            run.stderr.contains("pgparity snapshot --output"),
            "{}",
            run.stderr
        );
    }
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn stale_baseline_entries_are_named_and_pruned() {
    let folder = scratch("baseline");
    let tables = "CREATE TABLE a (id integer PRIMARY KEY);\n\
                  CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));\n";
    write(&folder, "db/tables.sql", tables);
    let written = pgparity_in(
        &folder,
        &[
            "check",
            "--specs",
            "db",
            "--write-baseline",
            "baseline.json",
        ],
        &[],
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    let mut baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["entries"][0]["rule"], "unindexed-foreign-key");
    // An entry of a drift rule: no database in these runs, so it cannot be judged stale.
    baseline["entries"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "fingerprint": "0123456789abcdef",
            "rule": "missing-column",
            "object": "public.b.note",
            "message": "public.b.note is in the specs but not in the database"
        }));
    write(
        &folder,
        "baseline.json",
        &serde_json::to_string_pretty(&baseline).unwrap(),
    );
    // The foreign key gets its index: the entry is stale.
    write(
        &folder,
        "db/tables.sql",
        &format!("{tables}CREATE INDEX b_a_id ON b (a_id);\n"),
    );
    let text = pgparity_in(
        &folder,
        &["check", "--specs", "db", "--baseline", "baseline.json"],
        &[],
    );
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains(
            "stale baseline entries (no longer found; `--prune-baseline` removes them):\n  \
             unindexed-foreign-key public.b."
        ),
        "{}",
        text.stdout
    );
    assert!(!text.stdout.contains("missing-column"), "{}", text.stdout);
    assert!(
        text.stdout.contains("0 matched, 1 stale"),
        "{}",
        text.stdout
    );
    let json = pgparity_in(
        &folder,
        &[
            "check",
            "--specs",
            "db",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
        &[],
    );
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["baseline"]["stale"], 1);
    assert_eq!(
        report["baseline"]["stale_entries"][0]["rule"],
        "unindexed-foreign-key"
    );
    let pruned = pgparity_in(
        &folder,
        &[
            "check",
            "--specs",
            "db",
            "--baseline",
            "baseline.json",
            "--prune-baseline",
        ],
        &[],
    );
    assert_eq!(pruned.code, 0, "{}", pruned.stderr);
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("baseline.json")).unwrap())
            .unwrap();
    let rules: Vec<&str> = after["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["missing-column"], "the unjudged entry stays");
    let again = pgparity_in(
        &folder,
        &["check", "--specs", "db", "--baseline", "baseline.json"],
        &[],
    );
    assert!(
        again.stdout.contains("0 matched, 0 stale"),
        "{}",
        again.stdout
    );
    let without_baseline = pgparity_in(
        &folder,
        &["check", "--specs", "db", "--prune-baseline"],
        &[],
    );
    assert_eq!(without_baseline.code, 2);
    assert!(
        without_baseline.stderr.contains("--baseline"),
        "{}",
        without_baseline.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

/// A validator of the schema `pgparity schema KIND` prints, checked to be the one
/// published in `schema/`.
fn published_schema(kind: &str) -> jsonschema::Validator {
    let run = pgparity(&["schema", kind]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = Path::new(support::ROOT).join(format!("schema/{kind}.schema.json"));
    assert_eq!(run.stdout, std::fs::read_to_string(file).unwrap());
    let schema: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, document: &str, what: &str) {
    let value: serde_json::Value = serde_json::from_str(document).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

#[test]
fn the_published_schemas_describe_real_output() {
    let report = published_schema("report");
    for config in [
        "pgparity.toml",
        "fixtures/missing-tenant-column/pgparity.toml",
        "fixtures/suppressed/pgparity.toml",
        "fixtures/redundant-index/pgparity.toml",
    ] {
        let run = pgparity(&["check", "--config", config, "--format", "json"]);
        assert!(run.code < 2, "{config}: {}", run.stderr);
        assert_valid(&report, &run.stdout, config);
    }
    let wrong = serde_json::json!({"version": 1, "findings": [{"rule": "missing-column",
        "severity": "fatal", "object": "t", "message": "m"}], "summary": {"error": 0,
        "warning": 0, "info": 0}, "suppressed": 0, "skipped": []});
    assert!(!report.is_valid(&wrong), "an unknown severity is refused");
    let folder = scratch("schemas");
    write(
        &folder,
        "db/tables.sql",
        "CREATE TABLE a (id integer PRIMARY KEY);\n\
         CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id));\n",
    );
    let written = pgparity_in(
        &folder,
        &[
            "check",
            "--specs",
            "db",
            "--write-baseline",
            "baseline.json",
        ],
        &[],
    );
    assert_eq!(written.code, 0, "{}", written.stderr);
    let baseline_text = std::fs::read_to_string(folder.join("baseline.json")).unwrap();
    assert_valid(&published_schema("baseline"), &baseline_text, "baseline");
    write(
        &folder,
        "db/tables.sql",
        "CREATE TABLE a (id integer PRIMARY KEY);\n",
    );
    let stale = pgparity_in(
        &folder,
        &[
            "check",
            "--specs",
            "db",
            "--baseline",
            "baseline.json",
            "--format",
            "json",
        ],
        &[],
    );
    assert!(stale.stdout.contains("stale_entries"), "{}", stale.stdout);
    assert_valid(&report, &stale.stdout, "report with stale baseline entries");
    let snapshot = snapshot_of(
        &folder,
        "live.json",
        "CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL DEFAULT 'x' CHECK (a <> ''));\n\
         CREATE INDEX ti ON t (a) WHERE a IS NOT NULL;\n\
         CREATE VIEW v AS SELECT id FROM t;\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY p ON t USING (true);\n\
         GRANT SELECT ON t TO PUBLIC;\n",
    );
    assert_valid(
        &published_schema("snapshot"),
        &std::fs::read_to_string(snapshot).unwrap(),
        "snapshot",
    );
    let mapping = published_schema("mapping");
    let (example, _) = pgparity::yaml::read_yaml_value(
        "mapping.yaml",
        &std::fs::read_to_string(
            Path::new(support::ROOT).join("mappings/contract_schema_mapping.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(mapping.is_valid(&example));
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn rules_json_gives_the_severities_in_effect() {
    let folder = scratch("rules");
    write(
        &folder,
        "pgparity.toml",
        "[rules]\nredundant-index = \"error\"\nunsupported-statement = \"off\"\n",
    );
    let run = pgparity_in(&folder, &["rules", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rules: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rule = |id: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|rule| rule["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        rule("redundant-index"),
        serde_json::json!({
            "id": "redundant-index",
            "family": "index-plan",
            "default_severity": "warning",
            "severity": "error",
            "needs_live": false,
            "summary": "A non-unique index is a left prefix of another index with the same predicate"
        })
    );
    assert_eq!(rule("unsupported-statement")["severity"], "off");
    assert_eq!(rule("missing-column")["severity"], "error");
    assert_eq!(rule("missing-column")["needs_live"], true);
    assert_eq!(
        rules.as_array().unwrap().len(),
        pgparity::rules::all().len()
    );
    let text = pgparity_in(&folder, &["rules"], &[]);
    assert!(
        text.stdout.lines().any(
            |line| line.starts_with("redundant-index") && line.ends_with("(configured: error)")
        ),
        "{}",
        text.stdout
    );
    let elsewhere = pgparity(&["rules", "--format", "json", "--config", "/dev/null"]);
    assert!(elsewhere.stdout.contains("\"severity\": \"warning\""));
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn completions_and_man_pages_are_generated() {
    for (shell, marker) in [
        ("bash", "_pgparity()"),
        ("zsh", "#compdef pgparity"),
        ("fish", "complete -c pgparity"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[pgparity]"),
    ] {
        let run = pgparity(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("prune-baseline"), "{shell}");
    }
    let man = pgparity(&["man"]);
    assert_eq!(man.code, 0, "{}", man.stderr);
    assert!(man.stdout.contains(".TH pgparity 1"), "{}", man.stdout);
    assert!(man.stdout.contains("completions"), "{}", man.stdout);
    let folder = scratch("man");
    let run = pgparity(&["man", "--dir", folder.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for page in [
        "pgparity.1",
        "pgparity-check.1",
        "pgparity-snapshot.1",
        "pgparity-schema.1",
    ] {
        let text = std::fs::read_to_string(folder.join(page)).unwrap_or_default();
        assert!(text.contains(".TH"), "{page}: {text}");
    }
    let check = std::fs::read_to_string(folder.join("pgparity-check.1")).unwrap();
    assert!(check.contains("baseline"), "{check}");
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn tenancy_hints_never_suggest_a_column_the_table_lacks() {
    let run = pgparity(&[
        "check",
        "--config",
        "fixtures/missing-tenant-column/pgparity.toml",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let hint = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["rule"] == rule && finding["object"] == "public.audit_notes")
            .unwrap_or_else(|| panic!("no {rule}: {report:#}"))["hint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        hint("missing-tenant-column"),
        "ALTER TABLE public.audit_notes ADD COLUMN tenant_id uuid NOT NULL; or list the table \
         under tenancy.exempt if it is global"
    );
    let policy = hint("missing-tenant-policy");
    assert!(!policy.contains("USING (tenant_id"), "{policy}");
    assert!(
        policy.contains("has no tenant_id column to filter on"),
        "{policy}"
    );
    let schema = pgparity(&["schema", "mapping"]);
    assert!(
        schema
            .stdout
            .contains("Every table in scope is tenant-scoped unless listed under exempt"),
        "the mapping schema says what the rules do"
    );
}

const ORDERS_API: &str = "openapi: 3.0.3
info: {title: Orders, version: \"1\"}
paths:
  /orders/{id}:
    get:
      responses:
        \"200\":
          description: one order
          content:
            application/json:
              schema: {$ref: \"#/components/schemas/Order\"}
components:
  schemas:
    Order:
      type: object
      required: [id, total]
      properties:
        id: {type: integer}
        total: {type: number}
";

/// A small project of its own: orders, their API, a mapping of `mapping` (YAML).
fn orders_project(name: &str, mapping: &str) -> PathBuf {
    let folder = scratch(name);
    write(
        &folder,
        "db/schema.sql",
        "CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, \
         total numeric NOT NULL);\n\
         CREATE INDEX idx_orders_customer ON orders (customer_id);\n",
    );
    write(&folder, "api/openapi.yaml", ORDERS_API);
    write(&folder, "mapping.yaml", mapping);
    write(
        &folder,
        "pgparity.toml",
        "specs = [\"db\"]\nmapping = \"mapping.yaml\"\n",
    );
    folder
}

/// The findings of `pgparity check --format json` in `folder` as (rule, message, hint).
fn findings_in(folder: &Path, args: &[&str]) -> Vec<(String, String, String)> {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = pgparity_in(folder, &all, &[]);
    assert!(run.code < 2, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let text = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
            (text("rule"), text("message"), text("hint"))
        })
        .collect()
}

#[test]
fn a_path_parameter_in_a_yaml_list_gets_a_hint_to_quote_it() {
    let folder = orders_project(
        "yaml-path",
        "version: 1\ncontracts: [api/openapi.yaml]\nindex_plan:\n  - index: idx_orders_customer\n    \
         table: orders\n    columns: [customer_id]\n    query_paths: [GET /orders/{id}]\n",
    );
    let run = pgparity_in(&folder, &["check"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("mapping.yaml:7:"), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "hint: quote a path with a parameter inside [...]: write query_paths: \
             [\"GET /orders/{id}\"]"
        ),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn the_speculative_index_hint_fits_an_entry_naming_an_unknown_endpoint() {
    let folder = orders_project(
        "speculative-entry",
        "version: 1\ncontracts: [api/openapi.yaml]\nindex_plan:\n  - index: idx_orders_customer\n    \
         table: orders\n    columns: [customer_id]\n    query_paths: [\"GET /orderz/{id}\"]\n",
    );
    let findings = findings_in(&folder, &[]);
    let speculative = findings
        .iter()
        .find(|(rule, ..)| rule == "speculative-index")
        .expect("speculative-index");
    assert!(
        speculative.2.starts_with(
            "the plan entry at mapping.yaml:4:5 exists but its query paths name no endpoint"
        ),
        "{speculative:?}"
    );
    assert!(
        !speculative.2.contains("add an index_plan entry"),
        "{speculative:?}"
    );
    let unknown = findings
        .iter()
        .find(|(rule, ..)| rule == "unknown-contract-ref")
        .expect("unknown-contract-ref");
    assert!(
        unknown
            .1
            .ends_with("names endpoint GET /orderz/{id}, which the contracts do not define (did you mean GET /orders/{id}?)"),
        "{unknown:?}"
    );
    // Without an entry, the hint says to add one.
    write(
        &folder,
        "mapping.yaml",
        "version: 1\ncontracts: [api/openapi.yaml]\n",
    );
    let findings = findings_in(&folder, &[]);
    assert!(
        findings
            .iter()
            .any(|(rule, _, hint)| rule == "speculative-index"
                && hint.starts_with("add an index_plan entry")),
        "{findings:?}"
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn unknown_names_get_a_did_you_mean() {
    let folder = orders_project(
        "did-you-mean",
        "version: 1\ncontracts: [api/openapi.yaml]\nread_models:\n  - dto: Ordr\n    relation: orders\n  \
         - dto: Order\n    relation: ordrs\n  - endpoint: GET /orders/{id}\n    relation: orders\n    \
         fields:\n      totl: total\n      total: totl\nentities:\n  orders:\n    table: orders\n    \
         columns:\n      - {name: customer, type: integer}\n",
    );
    write(
        &folder,
        "db/more.sql",
        "CREATE TABLE lines (id integer PRIMARY KEY, order_id integer REFERENCES order (id));\n\
         CREATE INDEX idx_lines_order ON lines (orderid);\n",
    );
    let findings = findings_in(&folder, &[]);
    for (message, hint) in [
        ("read model names DTO Ordr", "did you mean Order?"),
        ("names relation public.ordrs", "did you mean public.orders?"),
        ("fields: maps \"totl\"", "did you mean total?"),
        ("is mapped to column totl", "did you mean total?"),
        ("declares column customer,", "did you mean customer_id?"),
        ("names column orderid", "did you mean order_id?"),
        (
            "refers to relation public.order,",
            "did you mean public.orders?",
        ),
    ] {
        assert!(
            findings
                .iter()
                .any(|(_, found, found_hint)| found.contains(message) && found_hint == hint),
            "{message}: {findings:#?}"
        );
    }
    write(
        &folder,
        "pgparity.toml",
        "specs = [\"db\"]\n\n[rules]\nspeculative-indexx = \"off\"\n\n[[suppress]]\nrule = \"unused-indx\"\nobject = \"*\"\nreason = \"r\"\n",
    );
    let run = pgparity_in(&folder, &["check"], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "unknown rule \"speculative-indexx\" under [rules] (did you mean speculative-index?)"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("names unknown rule \"unused-indx\" (did you mean unused-index?)"),
        "{}",
        run.stderr
    );
    let explain = pgparity(&["explain", "rls-disable"]);
    assert_eq!(explain.code, 2);
    assert!(
        explain
            .stderr
            .contains("unknown rule \"rls-disable\" (did you mean rls-disabled?)"),
        "{}",
        explain.stderr
    );
    std::fs::remove_dir_all(&folder).ok();
}

#[test]
fn a_misspelt_contract_type_is_a_finding_not_silence() {
    let folder = scratch("objec");
    write(
        &folder,
        "api/openapi.yaml",
        &ORDERS_API.replace("      type: object", "      type: objec"),
    );
    // Contracts alone are checked on their own.
    let run = pgparity_in(
        &folder,
        &["check", "--contracts", "api", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = &report["findings"][0];
    assert_eq!(finding["rule"], "invalid-contract");
    assert_eq!(finding["location"]["path"], "api/openapi.yaml");
    assert_eq!(finding["location"]["line"], 15);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("`type: objec` is not a JSON Schema type"),
        "{finding}"
    );
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    write(&folder, "api/openapi.yaml", ORDERS_API);
    let clean = pgparity_in(&folder, &["check", "--contracts", "api"], &[]);
    assert_eq!(clean.code, 0, "{}{}", clean.stdout, clean.stderr);
    std::fs::remove_dir_all(&folder).ok();
}
