//! The live options of the binary against a real PostgreSQL: snapshot round trip,
//! `--dev-db`, `--sample-rows`, `unused-index` on young statistics, faults (exit 2, a clear
//! message, never the password) and a read-only role on a read-only database.

mod support;

use serde_json::Value;
use support::pg::{free_port, server, TestDatabase};
use support::{check_json, pgparity, Run, ScratchDir};

/// The example applied to a fresh database.
fn example_database(hint: &str) -> TestDatabase {
    let database = TestDatabase::new(hint);
    database.apply_example_specs();
    database
}

/// The findings of a report as (rule, severity, object, message).
fn findings(report: &Value) -> Vec<(String, String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|finding| {
            let text = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
            (
                text("rule"),
                text("severity"),
                text("object"),
                text("message"),
            )
        })
        .collect()
}

/// Asserts a run failed to reach the database: exit 2, `needle` on stderr, and `secret`
/// nowhere in what was printed.
fn assert_fault(run: &Run, needle: &str, secret: &str) {
    assert_eq!(
        run.code, 2,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.to_lowercase().contains(needle),
        "stderr should say {needle:?}: {}",
        run.stderr
    );
    assert!(
        !run.stdout.contains(secret) && !run.stderr.contains(secret),
        "the password leaked: {}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn a_snapshot_gives_the_same_findings_as_the_database() {
    let database = example_database("snapshot");
    database.execute(
        "ALTER TABLE dead_events ADD COLUMN operator_note text;
         ALTER TABLE dead_events ALTER COLUMN retry_count SET DEFAULT 3;
         DROP INDEX idx_revenue_ledger_allocation_id;
         COMMENT ON TABLE tenants IS 'Customers.'",
    );
    let folder = ScratchDir::new("snapshot");
    let snapshot = folder.file("snapshot.json");
    let run = pgparity(&["snapshot", "--db", &database.url(), "--output", &snapshot]);
    assert_eq!(run.code, 0, "{}", run.stderr);

    let (live_code, live) = check_json(&["--db", &database.url()]);
    let (snapshot_code, from_snapshot) = check_json(&["--snapshot", &snapshot]);
    let live_findings = findings(&live);
    assert!(
        live_findings
            .iter()
            .any(|(rule, ..)| rule == "unexpected-column"),
        "the database has drift: {live_findings:#?}"
    );
    assert_eq!(findings(&from_snapshot), live_findings);
    assert_eq!(snapshot_code, live_code);

    // Written to standard output as it is serialized, the snapshot is the same document
    // (but for when it was taken and the index statistics, which the runs in between
    // moved).
    let printed = pgparity(&["snapshot", "--db", &database.url()]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    let without_times = |text: &str| {
        let mut document: Value = serde_json::from_str(text).expect("snapshot JSON");
        document["taken_at"] = Value::Null;
        document["catalog"]["index_statistics"] = Value::Null;
        document
    };
    let written = std::fs::read_to_string(&snapshot).expect("the snapshot file");
    assert!(printed.stdout.ends_with("}\n") && written.ends_with("}\n"));
    assert!(
        without_times(&printed.stdout) == without_times(&written),
        "the snapshot printed differs from the one written to a file"
    );
}

/// Names of the scratch databases `--dev-db` creates.
fn scratch_databases() -> Vec<String> {
    let server = server();
    server
        .client(&server.maintenance_db)
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'pgparity\\_dev\\_%' \
             ORDER BY 1",
            &[],
        )
        .expect("pg_database")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

fn type_not_checked(report: &Value) -> Vec<String> {
    findings(report)
        .into_iter()
        .filter(|(_, _, _, message)| message.contains("type not checked"))
        .map(|(_, _, object, _)| object)
        .collect()
}

#[test]
fn dev_db_applies_the_specs_to_a_scratch_database_and_drops_it() {
    let dev = server().url(&server().user, &server().password, &server().maintenance_db);
    let before = scratch_databases();

    let folder = ScratchDir::new("dev_db");
    let spec = folder.write(
        "schema.sql",
        "CREATE TABLE orders (id integer PRIMARY KEY, label text NOT NULL);\n\
         CREATE VIEW order_labels AS SELECT o.id, char_length(o.label) AS label_length FROM orders o;\n",
    );
    folder.write(
        "contract.yaml",
        "openapi: 3.1.0\n\
         info: {title: orders, version: '1'}\n\
         paths: {}\n\
         components:\n  schemas:\n    OrderLabel:\n      type: object\n\
         \x20     required: [id, label_length]\n\
         \x20     properties:\n\
         \x20       id: {type: integer}\n\
         \x20       label_length: {type: integer}\n",
    );
    let mapping = folder.write(
        "mapping.yaml",
        "version: 1\ncontracts: [contract.yaml]\n\
         read_models:\n  - dto: OrderLabel\n    relation: order_labels\n",
    );
    // An empty configuration in the scratch folder makes it the project, so that the
    // mapping's contract is inside it.
    let config = folder.write("pgparity.toml", "");
    let project = ["--config", &config, "--specs", &spec, "--mapping", &mapping];
    let (_, without) = check_json(&project);
    assert_eq!(
        type_not_checked(&without),
        ["public.order_labels.label_length"],
        "statically, the expression's type is unknown: {without:#}"
    );
    let mut with_dev_db = project.to_vec();
    with_dev_db.extend(["--dev-db", &dev]);
    let (_, with_dev) = check_json(&with_dev_db);
    assert_eq!(
        type_not_checked(&with_dev),
        Vec::<String>::new(),
        "{with_dev:#}"
    );

    let spec = folder.write(
        "rejected.sql",
        "CREATE TABLE orders (id integer PRIMARY KEY, total numeric NOT NULL);\n\
         \n\
         CREATE INDEX idx_orders_customer ON orders (customer_id);\n",
    );
    let (code, report) = check_json(&["--config", "/dev/null", "--specs", &spec, "--dev-db", &dev]);
    assert_eq!(code, 1, "{report:#}");
    let rejected: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "spec-rejected")
        .collect();
    assert_eq!(rejected.len(), 1, "{report:#}");
    assert_eq!(rejected[0]["location"]["path"], Value::from(spec.as_str()));
    assert_eq!(rejected[0]["location"]["line"], 3);
    assert!(
        rejected[0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("customer_id")),
        "the server's reason is shown: {:#}",
        rejected[0]
    );

    assert_eq!(
        scratch_databases(),
        before,
        "the scratch database is dropped"
    );
}

#[test]
fn sampled_rows_that_break_the_dto_are_reported_without_their_content() {
    let database = example_database("sample_rows");
    let marker = "cancelled_by_operator_q7x";
    database.execute(&format!(
        "ALTER TABLE reconciliation_runs DROP CONSTRAINT ck_reconciliation_runs_state;
         INSERT INTO tenants (id, slug, display_name)
             VALUES ('5a4b1e00-0000-4000-8000-00000000c0de', 'acme', 'Acme');
         INSERT INTO reconciliation_runs (tenant_id, period_start, period_end, state, last_run_at)
             VALUES ('5a4b1e00-0000-4000-8000-00000000c0de', '2026-01-01', '2026-01-31',
                     '{marker}', now());
         REFRESH MATERIALIZED VIEW mv_reconciliation_status"
    ));
    let run = pgparity(&[
        "check",
        "--format",
        "json",
        "--db",
        &database.url(),
        "--sample-rows",
        "10",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    let violations: Vec<(String, String, String, String)> = findings(&report)
        .into_iter()
        .filter(|(rule, ..)| rule == "contract-row-violation")
        .collect();
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert!(violations[0].3.contains("/state"), "{violations:#?}");
    for secret in [marker, "5a4b1e00-0000-4000-8000-00000000c0de"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "row content {secret} leaked"
        );
    }
}

/// The harness's cluster is minutes old, so its statistics are younger than the default
/// `unused_index_min_stats_days`.
#[test]
fn unused_indexes_on_young_statistics_are_only_hints_that_say_how_old() {
    let database = example_database("unused_index");
    let (_, report) = check_json(&["--db", &database.url()]);
    let unused: Vec<(String, String, String, String)> = findings(&report)
        .into_iter()
        .filter(|(rule, ..)| rule == "unused-index")
        .collect();
    assert!(!unused.is_empty(), "a fresh database has unscanned indexes");
    for (_, severity, object, message) in &unused {
        assert_eq!(severity, "info", "{object}: {message}");
        assert!(
            message.contains("days since statistics were reset")
                && message.contains("statistics are younger than"),
            "{object}: {message}"
        );
    }
}

#[test]
fn a_refused_connection_exits_2() {
    let secret = "refused-Secr3t-cli";
    let url = format!(
        "postgres://postgres:{secret}@127.0.0.1:{}/postgres?sslmode=disable",
        free_port()
    );
    assert_fault(&pgparity(&["check", "--db", &url]), "refused", secret);
}

#[test]
fn a_wrong_password_exits_2() {
    let database = TestDatabase::new("cli_wrong_password");
    let secret = "wrong-Passw0rd-cli";
    let url = database.url_as(&server().user, secret);
    assert_fault(
        &pgparity(&["check", "--db", &url]),
        "password authentication failed",
        secret,
    );
}

#[test]
fn sslmode_require_without_tls_on_the_server_exits_2() {
    let database = TestDatabase::new("cli_tls");
    let url = database.url().replace("sslmode=disable", "sslmode=require");
    assert_fault(
        &pgparity(&["check", "--db", &url]),
        "sslmode=require",
        &server().password,
    );
}

/// Runs `check --sample-rows 5 TIMEOUTS` while another session holds an ACCESS EXCLUSIVE
/// lock on the read model the sample reads, as a migration would.
fn check_behind_a_migration(hint: &str, timeouts: &[&str]) -> Run {
    let database = example_database(hint);
    let mut migration = database.client();
    migration
        .batch_execute("BEGIN; REFRESH MATERIALIZED VIEW mv_reconciliation_status")
        .expect("the lock is taken");
    let url = database.url();
    let mut args = vec!["check", "--db", &url, "--sample-rows", "5"];
    args.extend_from_slice(timeouts);
    let run = pgparity(&args);
    migration
        .batch_execute("ROLLBACK")
        .expect("the lock is released");
    run
}

#[test]
fn a_lock_held_by_a_migration_hits_the_lock_timeout_and_exits_2() {
    let run = check_behind_a_migration("lock_timeout", &["--lock-timeout", "200ms"]);
    assert_fault(&run, "lock timeout", &server().password);
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);
}

#[test]
fn a_statement_timeout_exits_2() {
    let run = check_behind_a_migration(
        "statement_timeout",
        &["--lock-timeout", "20s", "--statement-timeout", "300ms"],
    );
    assert_fault(&run, "statement timeout", &server().password);
}

/// A checksum of the definitions and rows a run could change.
fn catalog_checksum(database: &TestDatabase) -> String {
    database
        .client()
        .query_one(
            "SELECT md5(string_agg(item, '|' ORDER BY item)) FROM (
                 SELECT c.oid::text || c.relname || c.relkind::text || coalesce(c.relacl::text, '')
                        || c.relrowsecurity::text || c.relforcerowsecurity::text AS item
                 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
                 UNION ALL
                 SELECT a.attrelid::text || a.attname || a.atttypid::text || a.attnotnull::text
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 WHERE c.relnamespace = 'public'::regnamespace
                 UNION ALL
                 SELECT conname || pg_get_constraintdef(oid) FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace
                 UNION ALL
                 SELECT polname || coalesce(pg_get_expr(polqual, polrelid), '') FROM pg_policy
                 UNION ALL
                 SELECT objoid::text || objsubid::text || description FROM pg_description
                 UNION ALL
                 SELECT datname || coalesce(datacl::text, '') FROM pg_database
                 WHERE datname = current_database()
                 UNION ALL
                 SELECT 'tenants:' || count(*) FROM tenants) items",
            &[],
        )
        .expect("checksum")
        .get(0)
}

#[test]
fn a_select_only_role_on_a_read_only_database_can_check_and_changes_nothing() {
    let database = example_database("read_only");
    let password = "reader-Secr3t-pw";
    let reader = database.create_role("reader", password);
    database.execute(&format!(
        "GRANT USAGE ON SCHEMA public TO \"{reader}\";
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{reader}\";
         ALTER DATABASE \"{}\" SET default_transaction_read_only = on",
        database.name
    ));
    let before = catalog_checksum(&database);
    let run = pgparity(&[
        "check",
        "--format",
        "json",
        "--db",
        &database.url_as(&reader, password),
        "--sample-rows",
        "5",
    ]);
    assert!(
        run.code == 0 || run.code == 1,
        "{}: {}",
        run.code,
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout).expect("a JSON report is printed");
    assert!(report["findings"].is_array(), "{report:#}");
    assert!(!run.stdout.contains(password) && !run.stderr.contains(password));
    assert_eq!(catalog_checksum(&database), before, "nothing changed");
}
