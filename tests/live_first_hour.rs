//! A new user's first hour against a real PostgreSQL (issue 12): the published schemas
//! describe what `pgparity snapshot` and `check --db` write.

mod support;

use std::path::Path;
use support::pg::TestDatabase;
use support::pgparity;

fn validator(kind: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(support::ROOT).join(format!("schema/{kind}.schema.json")),
    )
    .unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, document: &str, what: &str) {
    let value: serde_json::Value = serde_json::from_str(document).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// The finding of `rule` on `object` in a JSON report.
fn finding<'r>(report: &'r serde_json::Value, rule: &str, object: &str) -> &'r serde_json::Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == rule && finding["object"] == object)
        .unwrap_or_else(|| panic!("no {rule} on {object}: {report:#}"))
}

#[test]
fn unexpected_indexes_and_constraints_show_their_definition() {
    let database = TestDatabase::new("first_hour_definitions");
    database.apply_example_specs();
    database.execute(
        "CREATE INDEX idx_ledger_hotfix ON revenue_ledger (tenant_id, updated_at DESC)
             WHERE revenue_cents > 0;
         ALTER TABLE revenue_ledger ADD CONSTRAINT ck_hotfix_positive CHECK (revenue_cents >= 0);",
    );
    let run = pgparity(&["check", "--db", &database.url(), "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        finding(&report, "unexpected-index", "public.idx_ledger_hotfix")["actual"],
        "CREATE INDEX idx_ledger_hotfix ON public.revenue_ledger USING btree \
         (tenant_id, updated_at DESC) WHERE (revenue_cents > 0)"
    );
    assert_eq!(
        finding(
            &report,
            "unexpected-constraint",
            "public.revenue_ledger.ck_hotfix_positive"
        )["actual"],
        "CHECK (revenue_cents >= 0)"
    );
}

#[test]
fn a_live_snapshot_and_report_follow_their_schemas() {
    let database = TestDatabase::new("first_hour_schemas");
    database.apply_example_specs();
    database.execute(
        "CREATE TABLE hotfix_copy (id integer);
         CREATE INDEX idx_hotfix ON hotfix_copy (id) WHERE id > 0;",
    );
    let snapshot = pgparity(&["snapshot", "--db", &database.url()]);
    assert_eq!(snapshot.code, 0, "{}", snapshot.stderr);
    assert!(snapshot.stdout.contains("index_statistics"));
    assert_valid(&validator("snapshot"), &snapshot.stdout, "live snapshot");
    let report = pgparity(&["check", "--db", &database.url(), "--format", "json"]);
    assert!(report.code < 2, "{}", report.stderr);
    assert!(
        report.stdout.contains("unexpected-relation"),
        "{}",
        report.stdout
    );
    assert_valid(&validator("report"), &report.stdout, "live report");
}

#[test]
fn a_sampled_row_violation_reads_an_integer_value() {
    let database = TestDatabase::new("first_hour_an_integer");
    let spec = "CREATE TABLE tickets (id integer PRIMARY KEY, code integer NOT NULL);\n";
    database.execute(spec);
    database.execute("INSERT INTO tickets VALUES (1, 42)");
    let folder = support::ScratchDir::new("an-integer");
    std::fs::create_dir_all(folder.path.join("db")).unwrap();
    folder.write("db/tickets.sql", spec);
    folder.write(
        "tickets.schema.json",
        "{\"title\": \"Ticket\", \"type\": \"object\", \"required\": [\"id\", \"code\"],
          \"properties\": {\"id\": {\"type\": \"integer\"}, \"code\": {\"type\": \"string\"}}}",
    );
    folder.write(
        "mapping.yaml",
        "version: 1\ncontracts: [tickets.schema.json]\nread_models:\n  - dto: Ticket\n    relation: tickets\n",
    );
    folder.write(
        "pgparity.toml",
        "specs = [\"db\"]\nmapping = \"mapping.yaml\"\n",
    );
    let run = support::pgparity_in(
        &folder.path,
        &[
            "check",
            "--db",
            &database.url(),
            "--sample-rows",
            "5",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let violation = finding(&report, "contract-row-violation", "public.tickets.code");
    let message = violation["message"].as_str().unwrap();
    assert!(
        message.ends_with("`type` failed for an integer value"),
        "{message}"
    );
    assert_eq!(violation["actual"], "an integer value");
}
