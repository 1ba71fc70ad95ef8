//! `--probe` through the binary against a real PostgreSQL (issue 11): the bundled example
//! passes every probe; each probe fixture fails exactly its probe; `--probe-template`
//! probes what the migrations built and refuses a template others are connected to; the
//! mapping's invariant queries run read-only against `--db` and report keys only; an
//! interrupted run drops its scratch database and both its roles.
//!
//! The cases run one at a time on this binary's own cluster, as its superuser: several
//! compare the scratch databases and roles on the server before and after.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use support::pg::{ensure_role, local_cluster, Server, TestDatabase};
use support::{briefs, check_json, pgparity, Brief, ScratchDir, ROOT};

fn server() -> &'static Server {
    &local_cluster().server
}

/// One case at a time: the cases compare the cluster's scratch objects.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static CLUSTER: Mutex<()> = Mutex::new(());
    CLUSTER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The superuser URL given as `--dev-db`; the example's specs grant to `app_user`, which
/// must exist on the dev server.
fn admin_url() -> String {
    ensure_role("app_user");
    let server = server();
    server.url(&server.user, &server.password, &server.maintenance_db)
}

fn texts(sql: &str) -> Vec<String> {
    let server = server();
    server
        .client(&server.maintenance_db)
        .query(sql, &[])
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
        .iter()
        .map(|row| row.get(0))
        .collect()
}

/// Scratch databases and roles (the run's and its isolation role) on the server.
fn scratch_objects() -> Vec<String> {
    texts(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'pgparity\\_dev\\_%' \
         UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'pgparity\\_dev\\_%' \
         ORDER BY 1",
    )
}

/// `(rule, object)` of each finding, for the cases that say which probe failed.
fn rules_and_objects(findings: &[Brief]) -> BTreeSet<(String, String)> {
    findings
        .iter()
        .map(|(_, rule, object, ..)| (rule.clone(), object.clone()))
        .collect()
}

/// The bundled example's CHECKs pgparity cannot read (a regular expression, a comparison
/// of two columns, an OR): one `probe-skipped` note each in every probed run, never
/// silently left out.
const UNREADABLE_CHECKS: [&str; 3] = [
    "public.channel_taxonomy.ck_channel_taxonomy_channel_format",
    "public.reconciliation_runs.ck_reconciliation_runs_started",
    "public.tenants.ck_tenants_slug_format",
];

fn is_unreadable_check_note(rule: &str, object: &str) -> bool {
    rule == "probe-skipped" && UNREADABLE_CHECKS.contains(&object)
}

fn probes(report: &Value) -> (u64, u64, u64) {
    let probes = &report["probes"];
    let count = |key: &str| {
        probes[key]
            .as_u64()
            .unwrap_or_else(|| panic!("no probes.{key} in {report:#}"))
    };
    (count("passed"), count("failed"), count("skipped"))
}

#[test]
fn the_bundled_example_passes_every_probe_and_junit_lists_each() {
    let _cluster = one_at_a_time();
    let dev = admin_url();
    let (_, statically) = check_json(&[]);
    let (code, report) = check_json(&["--dev-db", &dev, "--probe"]);
    assert_eq!(code, 0, "{report:#}");
    let (passed, failed, skipped) = probes(&report);
    assert_eq!(
        (failed, skipped),
        (0, UNREADABLE_CHECKS.len() as u64),
        "{report:#}"
    );
    assert!(passed > 100, "{report:#}");
    let probed: Vec<Brief> = briefs(&report)
        .into_iter()
        .filter(|(_, rule, object, ..)| !is_unreadable_check_note(rule, object))
        .collect();
    assert_eq!(
        probed,
        briefs(&statically),
        "probing adds no finding to the example but the notes of the CHECKs it cannot read"
    );

    let run = pgparity(&["check", "--dev-db", &dev, "--probe", "--format", "junit"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cases = run.stdout.matches("classname=\"pgparity.probe.").count();
    assert_eq!(cases as u64, passed + skipped, "{}", run.stdout);
    assert!(!run.stdout.contains("<failure"), "{}", run.stdout);
    for kind in [
        "not-null",
        "unique",
        "check",
        "foreign-key",
        "on-delete",
        "on-update",
        "must-reject",
        "immutable",
        "tenant-isolation",
        "invariant",
    ] {
        assert!(
            run.stdout
                .contains(&format!("classname=\"pgparity.probe.{kind}\"")),
            "no {kind} probe: {}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains(
            "name=\"check: public.attribution_allocations.allocation_ratio: allocation_ratio = 1.00001 is refused by ck_attribution_allocations_ratio_range\""
        ),
        "{}",
        run.stdout
    );

    let text = pgparity(&["check", "--dev-db", &dev, "--probe"]);
    assert!(
        text.stdout
            .lines()
            .last()
            .is_some_and(|line| line.starts_with(&format!(
                "probes: {passed} passed, 0 failed, {skipped} skipped (not-null "
            ))),
        "{}",
        text.stdout
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

/// Runs the fixture with `--probe` and returns the exit code, the findings it adds to
/// the bundled example's, and its probe counts.
fn probed_fixture(fixture: &str, extra: &[&str]) -> (i32, BTreeSet<(String, String)>, Value) {
    let dev = admin_url();
    let (_, example) = check_json(&[]);
    let config = format!("fixtures/{fixture}/pgparity.toml");
    let mut args = vec!["--config", config.as_str(), "--dev-db", dev.as_str()];
    args.extend_from_slice(extra);
    if !extra.contains(&"--probe-template") {
        args.push("--probe");
    }
    let (code, report) = check_json(&args);
    let baseline = rules_and_objects(&briefs(&example));
    let added = rules_and_objects(&briefs(&report))
        .into_iter()
        .filter(|finding| !baseline.contains(finding))
        .filter(|(rule, object)| !is_unreadable_check_note(rule, object))
        .collect();
    (code, added, report)
}

fn pairs(expected: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    expected
        .iter()
        .map(|(rule, object)| (rule.to_string(), object.to_string()))
        .collect()
}

/// A fixture, the `(rule, object)` of the findings it adds, and how many probes fail.
type FixtureCase = (&'static str, &'static [(&'static str, &'static str)], u64);

#[test]
fn each_fixture_fails_exactly_its_probe() {
    let _cluster = one_at_a_time();
    let cases: [FixtureCase; 4] = [
        (
            "probe-failed-weak-check",
            &[(
                "probe-failed",
                "public.revenue_ledger.postings-carry-revenue",
            )],
            1,
        ),
        (
            "probe-failed-trigger-not-on-update",
            &[(
                "probe-failed",
                "public.attribution_allocations.allocations-sum-to-one",
            )],
            1,
        ),
        (
            "mutable-ledger",
            // The grant (statically) and the UPDATE accepted as app_user (probed).
            &[("mutable-ledger", "public.revenue_ledger")],
            1,
        ),
        (
            "tenant-isolation-failed",
            &[("tenant-isolation-failed", "public.dead_events")],
            1,
        ),
    ];
    for (fixture, expected, failed) in cases {
        let (code, added, report) = probed_fixture(fixture, &[]);
        assert_eq!(code, 1, "{fixture}: {report:#}");
        assert_eq!(added, pairs(expected), "{fixture}: {report:#}");
        assert_eq!(probes(&report).1, failed, "{fixture}: {report:#}");
        assert_eq!(
            probes(&report).2,
            UNREADABLE_CHECKS.len() as u64,
            "{fixture}: {report:#}"
        );
    }
    let (_, _, report) = probed_fixture("mutable-ledger", &[]);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "mutable-ledger")
        .filter_map(|finding| finding["message"].as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|message| message
                .starts_with("UPDATE of a row as app_user is refused does not hold")),
        "{messages:#?}"
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

/// The database the fixture's migrations built: the example's specs, then its
/// `migrated.sql`.
fn migrated_database(fixture: &str) -> TestDatabase {
    let database = TestDatabase::new("probe_template");
    database.apply_example_specs();
    database
        .execute_file(&std::path::Path::new(ROOT).join(format!("fixtures/{fixture}/migrated.sql")));
    database
}

fn foreign_key_definition(database: &TestDatabase) -> String {
    database
        .client()
        .query_one(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE conname = 'fk_attribution_allocations_event'",
            &[],
        )
        .expect("the foreign key")
        .get(0)
}

#[test]
fn a_migrated_database_without_the_cascade_fails_the_on_delete_probe() {
    let _cluster = one_at_a_time();
    let template = migrated_database("probe-failed-missing-cascade");
    let before = foreign_key_definition(&template);
    let (code, added, report) = probed_fixture(
        "probe-failed-missing-cascade",
        &["--probe-template", &template.name],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        added,
        pairs(&[(
            "probe-failed",
            "public.attribution_allocations.fk_attribution_allocations_event"
        )]),
        "{report:#}"
    );
    assert_eq!(probes(&report).1, 1, "{report:#}");
    let message = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "probe-failed")
        .and_then(|finding| finding["message"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        message.starts_with(
            "deleting the referenced row of public.attribution_events deletes the child row"
        ) && message.contains("was refused with 23503 (foreign_key_violation)"),
        "{message}"
    );
    assert_eq!(
        foreign_key_definition(&template),
        before,
        "the template is never changed"
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

#[test]
fn a_template_with_other_connections_is_refused_with_what_to_do() {
    let _cluster = one_at_a_time();
    let template = migrated_database("probe-failed-missing-cascade");
    let _connected = template.client();
    let dev = admin_url();
    let run = pgparity(&[
        "check",
        "--dev-db",
        &dev,
        "--probe-template",
        &template.name,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "copying the --probe-template database {}",
            template.name
        )) && run.stderr.contains("close the other sessions")
            && run.stderr.contains("never changed"),
        "{}",
        run.stderr
    );
    let missing = pgparity(&[
        "check",
        "--dev-db",
        &dev,
        "--probe-template",
        "pgparity_no_such_db",
    ]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .contains("there is no database pgparity_no_such_db"),
        "{}",
        missing.stderr
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

#[test]
fn invariant_queries_run_read_only_against_the_database_and_report_keys_only() {
    let _cluster = one_at_a_time();
    let database = TestDatabase::new("probe_invariants");
    database.apply_example_specs();
    // One planted violation, past the trigger: an event allocated to 50% only.
    database.execute(
        "ALTER TABLE attribution_allocations DISABLE TRIGGER trg_check_allocation_sum;
         INSERT INTO tenants (id, slug, display_name)
             VALUES ('11111111-0000-4000-8000-000000000001', 'acme', 'Acme');
         INSERT INTO attribution_events (id, tenant_id, external_event_id, event_type, occurred_at)
             VALUES ('22222222-0000-4000-8000-000000000002', '11111111-0000-4000-8000-000000000001',
                     'ext-1', 'conversion', now());
         INSERT INTO attribution_allocations (tenant_id, event_id, channel, allocation_ratio, model_version)
             VALUES ('11111111-0000-4000-8000-000000000001', '22222222-0000-4000-8000-000000000002',
                     'secret_channel_marker', 0.5, 'linear-v3');
         ALTER TABLE attribution_allocations ENABLE TRIGGER trg_check_allocation_sum;",
    );
    let (code, report) = check_json(&["--db", &database.url()]);
    assert_eq!(code, 1, "{report:#}");
    let violated: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "invariant-violated")
        .collect();
    assert_eq!(violated.len(), 1, "{report:#}");
    assert_eq!(
        violated[0]["message"],
        "allocations-sum-to-one: 1 row breaks it in the database: \
         tenant_id=11111111-0000-4000-8000-000000000001, \
         event_id=22222222-0000-4000-8000-000000000002, model_version=linear-v3"
    );
    assert_eq!(
        violated[0]["location"]["path"],
        "mappings/contract_schema_mapping.yaml"
    );
    assert!(
        !report.to_string().contains("secret_channel_marker"),
        "only key columns are reported: {report:#}"
    );
    assert!(report.get("probes").is_none(), "no probes without --probe");

    // A violations query that writes (here: advances a sequence) is refused by the
    // read-only transaction, and nothing changes.
    database.execute("CREATE SEQUENCE pgparity_probe_counter");
    let folder = ScratchDir::new("probe_invariants");
    let config = folder.write("pgparity.toml", "");
    let mapping = folder.write(
        "mapping.yaml",
        "version: 1\ninvariants:\n  - name: sneaky\n    violations: SELECT nextval('pgparity_probe_counter') AS next_value\n    key: [next_value]\n",
    );
    let specs = format!("{ROOT}/specs");
    let (_, report) = check_json(&[
        "--config",
        &config,
        "--specs",
        &specs,
        "--mapping",
        &mapping,
        "--db",
        &database.url(),
    ]);
    let sneaky = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "invariant-violated")
        .cloned()
        .unwrap_or_default();
    assert_eq!(sneaky["severity"], "warning", "{report:#}");
    assert!(
        sneaky["message"]
            .as_str()
            .is_some_and(|message| message.contains("read-only transaction")),
        "{sneaky:#}"
    );
    let called: bool = database
        .client()
        .query_one("SELECT is_called FROM pgparity_probe_counter", &[])
        .expect("the sequence")
        .get(0);
    assert!(!called, "the sequence never advanced");
}

#[test]
fn sigterm_while_probing_drops_the_scratch_database_and_its_roles() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("probe_signal");
    // The trigger is slow only for the isolation probes' role, so that the signal comes
    // while that role exists too.
    let spec = folder.write(
        "spec.sql",
        "CREATE TABLE tenants (id uuid PRIMARY KEY);
CREATE TABLE notes (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id));
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notes USING (tenant_id = current_setting('app.tenant')::uuid);
CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_user LIKE '%\\_tenant' THEN
        PERFORM count(*) FROM generate_series(1, 4000000000);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER slow BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION slow();
",
    );
    let mapping = folder.write(
        "mapping.yaml",
        "version: 1\ntenancy:\n  column: tenant_id\n  exempt: [tenants]\n",
    );
    let config = folder.write("pgparity.toml", "");
    let child = Command::new(env!("CARGO_BIN_EXE_pgparity"))
        .args([
            "check", "--format", "json", "--config", &config, "--specs", &spec,
        ])
        .args(["--mapping", &mapping, "--dev-db", &admin_url(), "--probe"])
        .args(["--statement-timeout", "60s"])
        .current_dir(&folder.path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgparity starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    let probing = loop {
        let busy = texts(
            "SELECT a.pid::text FROM pg_stat_activity a \
             WHERE a.query LIKE '%pgparity_probe%' AND a.state = 'active' \
             AND a.pid <> pg_backend_pid() \
             AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname LIKE 'pgparity\\_dev\\_%\\_tenant')",
        );
        if !busy.is_empty() {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut child = child;
    if !probing {
        let _ = child.kill();
        let output = child.wait_with_output().expect("output");
        panic!(
            "the isolation probe never ran: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // SAFETY: kill(2) of our own child, not reaped yet.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("pgparity did not end within 20 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(143), "{stderr}");
    assert_eq!(scratch_objects(), Vec::<String>::new(), "{stderr}");
}

/// Specs with what the later probes try: ON UPDATE actions, exclusion constraints (one on
/// an operator pgparity makes no values for), a
/// unique index on `lower(email)`, a partial unique index whose predicate is an OR, an
/// IN list and a NOT, a CHECK pgparity cannot read, and two CHECKs whose timestamptz
/// literal has no UTC offset (normalization cannot compare them with the server's).
const LATER_SPECS: &str = "
CREATE TABLE rooms (id integer PRIMARY KEY, code text NOT NULL);
CREATE TABLE bookings (
    id integer PRIMARY KEY,
    room_id integer NOT NULL CONSTRAINT fk_bookings_room REFERENCES rooms (id) ON UPDATE CASCADE,
    during tsrange NOT NULL,
    CONSTRAINT ex_bookings_during EXCLUDE USING gist (during WITH &&)
);
CREATE TABLE notes (
    id integer PRIMARY KEY,
    room_id integer CONSTRAINT fk_notes_room REFERENCES rooms (id) ON UPDATE SET NULL
);
CREATE TABLE pins (
    id integer PRIMARY KEY,
    room_id integer NOT NULL CONSTRAINT fk_pins_room REFERENCES rooms (id) ON UPDATE RESTRICT
);
CREATE TABLE users (
    id integer PRIMARY KEY,
    email text NOT NULL,
    state text,
    archived boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX uq_users_email ON users (lower(email));
CREATE UNIQUE INDEX uq_users_active_state ON users (state)
    WHERE (state IN ('active', 'pending') OR state IS NULL) AND NOT archived;
CREATE TABLE zones (
    id integer PRIMARY KEY,
    area box,
    CONSTRAINT ex_zones_area EXCLUDE USING gist (area WITH &&)
);
CREATE TABLE tags (
    id integer PRIMARY KEY,
    low integer,
    high integer,
    label text CONSTRAINT ck_tags_label CHECK (label ~ '^[a-z]+$'),
    CONSTRAINT ck_tags_order CHECK (low <= high)
);
CREATE TABLE events (
    id integer PRIMARY KEY,
    happened_at timestamptz CONSTRAINT ck_events_happened CHECK (happened_at >= '2020-01-01'),
    logged_at timestamptz CONSTRAINT ck_events_logged CHECK (logged_at >= '2020-01-01')
);
";

/// Runs `pgparity check` on `LATER_SPECS` with `args`, in a folder of its own.
fn later(folder: &ScratchDir, args: &[&str]) -> support::Run {
    let spec = folder.write("spec.sql", LATER_SPECS);
    let config = folder.write("pgparity.toml", "");
    let mut all = vec!["check", "--config", &config, "--specs", &spec];
    all.extend_from_slice(args);
    pgparity(&all)
}

#[test]
fn on_update_exclusion_expression_keys_and_or_predicates_are_probed_and_unread_checks_noted() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("probe_later");
    let dev = admin_url();
    let run = later(&folder, &["--dev-db", &dev, "--probe", "--format", "junit"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("<failure"), "{}", run.stdout);
    for name in [
        "on-update: public.bookings.fk_bookings_room: updating the referenced key of public.rooms updates the child&apos;s reference (fk_bookings_room)",
        "on-update: public.notes.fk_notes_room: updating the referenced key of public.rooms sets the child&apos;s reference to NULL (fk_notes_room)",
        "on-update: public.pins.fk_pins_room: updating the referenced key of public.rooms is refused (fk_pins_room)",
        "exclusion: public.bookings.ex_bookings_during: two overlapping rows are refused by ex_bookings_during",
        "exclusion: public.bookings.ex_bookings_during: two rows apart are accepted by ex_bookings_during",
        "unique: public.users.uq_users_email: a duplicate of (lower(email)) is refused by uq_users_email",
        "unique: public.users.uq_users_active_state: a duplicate of (state) is refused by uq_users_active_state",
        "unique: public.users.uq_users_active_state: a duplicate of (state) outside the predicate of uq_users_active_state is accepted",
        "check: public.tags.low: low = 2, high = 1 is refused by ck_tags_order",
        "check: public.tags.low: low = 1, high = 1 is accepted by ck_tags_order",
    ] {
        assert!(
            run.stdout.contains(&format!("<testcase name=\"{name}\" classname=")),
            "no passing {name}: {}",
            run.stdout
        );
    }
    // An exclusion operator pgparity makes no pair of values for: skipped, with why.
    assert!(
        run.stdout.contains(
            "<testcase name=\"exclusion: public.zones.ex_zones_area: two overlapping rows are refused by ex_zones_area\""
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("not `&amp;&amp;` on box"),
        "{}",
        run.stdout
    );
    // The CHECK pgparity cannot read is a skipped test case with the reason.
    assert!(
        run.stdout.contains(
            "<testcase name=\"check: public.tags.ck_tags_label: values outside ck_tags_label are refused\""
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "pgparity cannot read the CHECK `label ~ &apos;^[a-z]+$&apos;` of ck_tags_label"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

#[test]
fn a_migration_that_weakened_the_later_constraints_fails_their_probes() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("probe_later_weak");
    // The migrations built a plain unique index, no exclusion constraint and no cascade.
    let template = TestDatabase::new("probe_later_template");
    template.execute(
        &LATER_SPECS
            .replace("ON users (lower(email))", "ON users (email)")
            .replace(
                ",\n    CONSTRAINT ex_bookings_during EXCLUDE USING gist (during WITH &&)",
                "",
            )
            .replace("(id) ON UPDATE CASCADE", "(id)")
            .replace("CHECK (low <= high)", "CHECK (low <= high + 1)"),
    );
    let dev = admin_url();
    let (code, report) = check_json(&[
        "--config",
        &folder.write("pgparity.toml", ""),
        "--specs",
        &folder.write("spec.sql", LATER_SPECS),
        "--dev-db",
        &dev,
        "--probe-template",
        &template.name,
    ]);
    assert_eq!(code, 1, "{report:#}");
    let failed: BTreeSet<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "probe-failed")
        .filter_map(|finding| finding["message"].as_str())
        .map(|message| {
            message
                .split(" does not hold")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(
        failed,
        [
            "a duplicate of (lower(email)) is refused by uq_users_email",
            "two overlapping rows are refused by ex_bookings_during",
            "updating the referenced key of public.rooms updates the child's reference (fk_bookings_room)",
            "low = 2, high = 1 is refused by ck_tags_order",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        "{report:#}"
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

#[test]
fn undecided_checks_against_db_are_settled_in_the_scratch_database() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("probe_settle");
    // The database has the first CHECK as the specs have it, the second a year later.
    let live = TestDatabase::new("probe_settle_live");
    live.execute(&format!(
        "SET TIME ZONE 'UTC';\n{}",
        LATER_SPECS.replace(
            "CHECK (logged_at >= '2020-01-01')",
            "CHECK (logged_at >= '2021-01-01')"
        )
    ));
    let about_events = |report: &Value| -> Vec<(String, String, String)> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|finding| {
                finding["object"]
                    .as_str()
                    .is_some_and(|object| object.starts_with("public.events."))
            })
            .map(|finding| {
                (
                    finding["object"].as_str().unwrap_or_default().to_string(),
                    finding["severity"].as_str().unwrap_or_default().to_string(),
                    finding["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let without = later(&folder, &["--db", &live.url(), "--format", "json"]);
    let report: Value = serde_json::from_str(&without.stdout).expect("JSON");
    let undecided = about_events(&report);
    assert_eq!(undecided.len(), 2, "{undecided:#?}");
    assert!(
        undecided.iter().all(
            |(_, severity, message)| severity == "info" && message.contains("could not decide")
        ),
        "{undecided:#?}"
    );
    let dev = admin_url();
    let with = later(
        &folder,
        &[
            "--db",
            &live.url(),
            "--dev-db",
            &dev,
            "--probe",
            "--format",
            "json",
        ],
    );
    assert_eq!(with.code, 1, "{}\n{}", with.stdout, with.stderr);
    let report: Value = serde_json::from_str(&with.stdout).expect("JSON");
    assert_eq!(
        about_events(&report),
        vec![(
            "public.events.ck_events_logged".to_string(),
            "error".to_string(),
            "constraint ck_events_logged of public.events differs between the specs and the \
             database in its check: logged_at = '2020-01-01' is accepted by the \
             spec's CHECK and refused by the live one, with the spec's literal read in UTC \
             (write its UTC offset to make it exact) (both definitions tried in the scratch \
             database)"
                .to_string()
        )],
        "{report:#}"
    );
    // The comparison settled as equal is listed with how; both count as probes (one
    // passed, one failed).
    assert_eq!(
        report["probes"]["settled"][0]["object"], "public.events.ck_events_happened",
        "{report:#}"
    );
    assert_eq!(report["probes"]["settled"][0]["property"], "check");
    // The report, probes and settlements included, is what its JSON Schema says.
    let text =
        std::fs::read_to_string(std::path::Path::new(ROOT).join("schema/report.schema.json"))
            .expect("the report schema");
    let schema: Value = serde_json::from_str(&text).expect("the report schema is JSON");
    let validator = jsonschema::options()
        .build(&schema)
        .expect("the report schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|error| error.to_string())
        .collect();
    assert_eq!(errors, Vec::<String>::new(), "{report:#}");
    let text = later(&folder, &["--db", &live.url(), "--dev-db", &dev, "--probe"]);
    assert!(text.stdout.contains("settle 1/2"), "{}", text.stdout);
    assert!(
        text.stdout.contains(
            "settled: public.events.ck_events_happened (check): both behave the same on "
        ),
        "{}",
        text.stdout
    );
    // A snapshot of the database settles the same way.
    let snapshot = folder.file("live.json");
    let run = pgparity(&["snapshot", "--db", &live.url(), "--output", &snapshot]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from_snapshot = later(
        &folder,
        &[
            "--snapshot",
            &snapshot,
            "--dev-db",
            &dev,
            "--probe",
            "--format",
            "json",
        ],
    );
    let snapshot_report: Value = serde_json::from_str(&from_snapshot.stdout).expect("JSON");
    assert_eq!(
        about_events(&snapshot_report),
        about_events(&report),
        "{snapshot_report:#}"
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}
