//! The `--dev-db` part of the hostile-input catalogue (issue 7, items 1, 2 and the dev-db
//! part of 5), against a real cluster: specs that try to reach outside their scratch
//! database, signals and a terminated admin connection during the apply, stale scratch
//! databases, and the statement timeout.
//!
//! Every case compares the cluster before and after (database names, roles with their
//! attributes, memberships and settings, `pg_settings`, `postgresql.auto.conf`): a spec
//! changes nothing outside its scratch database. The cases run one at a time on this test
//! binary's own cluster (never a shared `PGPARITY_TEST_DATABASE_URL` server), as its
//! superuser: each compares the whole cluster, and the superuser is the worst `--dev-db`
//! role a user could give.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::bounded::{run_bounded, BoundedRun, TIME_BOUND};
use support::pg::{local_cluster, Server};
use support::{ScratchDir, ROOT};

/// This test binary's own cluster, even when `PGPARITY_TEST_DATABASE_URL` names a shared
/// server: the cases compare the whole cluster and need a superuser.
fn server() -> &'static Server {
    &local_cluster().server
}

/// Runs `sql` as the superuser on the maintenance database.
fn execute(sql: &str) {
    let server = server();
    server
        .client(&server.maintenance_db)
        .batch_execute(sql)
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
}

/// A database (and optionally a role of the same name) that exists for one case and is
/// dropped afterwards, also when the case fails.
struct Bystander {
    name: String,
    with_role: bool,
}

impl Bystander {
    fn database(name: &str) -> Bystander {
        execute(&format!("DROP DATABASE IF EXISTS \"{name}\"; "));
        execute(&format!("CREATE DATABASE \"{name}\""));
        Bystander {
            name: name.to_string(),
            with_role: false,
        }
    }

    /// A CREATEDB CREATEROLE login role with `password` and a database it owns.
    fn admin(name: &str, password: &str) -> Bystander {
        execute(&format!("DROP DATABASE IF EXISTS \"{name}\""));
        execute(&format!("DROP ROLE IF EXISTS \"{name}\""));
        execute(&format!(
            "CREATE ROLE \"{name}\" LOGIN CREATEDB CREATEROLE PASSWORD '{password}'"
        ));
        execute(&format!("CREATE DATABASE \"{name}\" OWNER \"{name}\""));
        Bystander {
            name: name.to_string(),
            with_role: true,
        }
    }
}

impl Drop for Bystander {
    fn drop(&mut self) {
        let server = server();
        let mut client = server.client(&server.maintenance_db);
        let _ = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ));
        if self.with_role {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{}\"", self.name));
        }
    }
}

/// Creates a cluster-wide role unless it exists.
fn ensure_role(name: &str) {
    execute(&format!(
        "DO $$ BEGIN CREATE ROLE \"{name}\"; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    ));
}

/// One case at a time: each compares the whole cluster before and after.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static CLUSTER: Mutex<()> = Mutex::new(());
    CLUSTER.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The superuser URL the cases give as `--dev-db` (the worst case: a careless setup).
fn admin_url() -> String {
    let server = server();
    server.url(&server.user, &server.password, &server.maintenance_db)
}

/// What a spec must never change.
#[derive(Debug, PartialEq, Eq)]
struct ClusterState {
    databases: Vec<String>,
    roles: Vec<String>,
    memberships: Vec<String>,
    role_settings: Vec<String>,
    settings: Vec<String>,
    auto_conf: String,
}

fn texts(client: &mut postgres::Client, sql: &str) -> Vec<String> {
    client
        .query(sql, &[])
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
        .iter()
        .map(|row| row.get(0))
        .collect()
}

fn cluster_state() -> ClusterState {
    let server = server();
    let mut client = server.client(&server.maintenance_db);
    ClusterState {
        databases: texts(
            &mut client,
            "SELECT datname::text FROM pg_database ORDER BY 1",
        ),
        roles: texts(
            &mut client,
            "SELECT concat_ws(' ', rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, \
             rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, rolpassword, \
             rolvaliduntil) FROM pg_authid ORDER BY 1",
        ),
        memberships: texts(
            &mut client,
            "SELECT concat_ws(' ', roleid::regrole, member::regrole, admin_option) \
             FROM pg_auth_members ORDER BY 1",
        ),
        role_settings: texts(
            &mut client,
            "SELECT concat_ws(' ', setdatabase, setrole, setconfig::text) \
             FROM pg_db_role_setting ORDER BY 1",
        ),
        settings: texts(
            &mut client,
            "SELECT concat_ws(' ', name, setting, source) FROM pg_settings ORDER BY 1",
        ),
        auto_conf: texts(&mut client, "SELECT pg_read_file('postgresql.auto.conf')").concat(),
    }
}

/// Databases and roles of pgparity's scratch naming on the server.
fn scratch_objects() -> Vec<String> {
    let server = server();
    texts(
        &mut server.client(&server.maintenance_db),
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'pgparity\\_dev\\_%' \
         UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'pgparity\\_dev\\_%' \
         ORDER BY 1",
    )
}

/// Runs `check --format json --config /dev/null --specs SPEC --dev-db URL EXTRA` bounded.
fn check_dev_db(folder: &ScratchDir, spec: &str, url: &str, extra: &[&str]) -> BoundedRun {
    let spec_path = folder.write("escape.sql", spec);
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--config",
        "/dev/null",
        "--specs",
        &spec_path,
        "--dev-db",
        url,
    ];
    args.extend_from_slice(extra);
    run_bounded(&folder.path, &args, &[], TIME_BOUND)
}

fn report(run: &BoundedRun) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("JSON report: {error}\n{}\n{}", run.stdout, run.stderr))
}

/// The `spec-rejected` messages of a report by line.
fn rejected(report: &Value) -> Vec<(u64, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "spec-rejected")
        .map(|finding| {
            (
                finding["location"]["line"].as_u64().unwrap_or_default(),
                finding["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Asserts a `spec-rejected` at `line` whose message contains `needle`.
fn assert_rejected_at(case: &str, report: &Value, line: u64, needle: &str) {
    let found = rejected(report);
    assert!(
        found
            .iter()
            .any(|(at, message)| *at == line && message.contains(needle)),
        "{case}: no spec-rejected at line {line} containing {needle:?}: {found:#?}"
    );
}

/// One escape attempt: `spec` (with `{victim}` standing for a bystander database's name
/// and `{bystander}` for a bystander role's) runs through `--dev-db`; the run ends 1 with
/// a `spec-rejected` at each of `lines` containing its text, and the cluster is as before.
fn assert_escape_contained(case: &str, spec: &str, expected: &[(u64, &str)]) {
    let _cluster = one_at_a_time();
    ensure_role("pgparity_bystander");
    let victim = Bystander::database("pgparity_victim");
    let spec = spec
        .replace("{victim}", &victim.name)
        .replace("{bystander}", "pgparity_bystander");
    let before = cluster_state();
    let folder = ScratchDir::new("dev_db_escape");
    let run = check_dev_db(&folder, &spec, &admin_url(), &[]);
    run.assert_contained(case, 1);
    let report = report(&run);
    for (line, needle) in expected {
        assert_rejected_at(case, &report, *line, needle);
    }
    assert_eq!(cluster_state(), before, "{case}: the cluster changed");
    assert!(
        cluster_state().databases.contains(&victim.name),
        "{case}: the victim database is gone"
    );
}

const KEPT: &str = "CREATE TABLE kept (id integer PRIMARY KEY);\n";

#[test]
fn drop_database_of_another_database_is_not_sent() {
    assert_escape_contained(
        "DROP DATABASE victim",
        &format!("{KEPT}DROP DATABASE {{victim}};\n"),
        &[(2, "not applied to the scratch database: DROP DATABASE")],
    );
}

#[test]
fn create_database_is_not_sent() {
    assert_escape_contained(
        "CREATE DATABASE",
        &format!("{KEPT}CREATE DATABASE pgparity_escape_db;\n"),
        &[(2, "databases are cluster-wide")],
    );
}

#[test]
fn create_role_is_not_sent() {
    assert_escape_contained(
        "CREATE ROLE",
        &format!("{KEPT}CREATE ROLE pgparity_escape_role SUPERUSER LOGIN PASSWORD 'x';\n"),
        &[(2, "never creates or changes roles")],
    );
}

#[test]
fn alter_role_is_not_sent() {
    assert_escape_contained(
        "ALTER ROLE",
        &format!("{KEPT}ALTER ROLE {{bystander}} SUPERUSER CREATEDB;\n"),
        &[(2, "ALTER ROLE: roles are cluster-wide")],
    );
}

#[test]
fn granting_a_privileged_role_is_not_sent() {
    assert_escape_contained(
        "GRANT pg_read_server_files",
        &format!("{KEPT}GRANT pg_read_server_files TO {{bystander}};\n"),
        &[(2, "role membership")],
    );
}

#[test]
fn alter_system_is_not_sent() {
    assert_escape_contained(
        "ALTER SYSTEM",
        &format!("{KEPT}ALTER SYSTEM SET work_mem = '77MB';\n"),
        &[(2, "does not parse")],
    );
}

#[test]
fn alter_system_in_an_unusual_spelling_is_not_sent() {
    assert_escape_contained(
        "ALTER SYSTEM, other spelling",
        &format!("{KEPT}alter /* x */ system set \"work_mem\" to 79000;\n"),
        &[(2, "does not parse")],
    );
}

#[test]
fn set_role_reset_role_and_session_authorization_are_not_sent() {
    assert_escape_contained(
        "SET ROLE / RESET ROLE / SET SESSION AUTHORIZATION",
        &format!(
            "{KEPT}SET ROLE {{bystander}};\nRESET ROLE;\nSET SESSION AUTHORIZATION {{bystander}};\n\
             SET LOCAL ROLE NONE;\n"
        ),
        &[
            (2, "SET ROLE changes the role"),
            (3, "RESET ROLE changes the role"),
            (4, "SET SESSION AUTHORIZATION"),
            (5, "SET ROLE changes the role"),
        ],
    );
}

#[test]
fn copy_to_program_is_not_sent() {
    let marker = std::env::temp_dir().join(format!("pgparity-copy-program-{}", std::process::id()));
    assert_escape_contained(
        "COPY … TO PROGRAM",
        &format!(
            "{KEPT}COPY (SELECT 1) TO PROGRAM 'touch {}';\n",
            marker.display()
        ),
        &[(2, "COPY reads or writes files")],
    );
    assert!(!marker.exists(), "the program ran");
}

#[test]
fn copy_to_a_server_file_is_not_sent() {
    let target = std::env::temp_dir().join(format!("pgparity-copy-file-{}", std::process::id()));
    assert_escape_contained(
        "COPY … TO file",
        &format!("{KEPT}COPY kept TO '{}';\n", target.display()),
        &[(2, "COPY reads or writes files")],
    );
    assert!(!target.exists(), "the file was written");
}

#[test]
fn lo_export_is_not_sent() {
    let target = std::env::temp_dir().join(format!("pgparity-lo-export-{}", std::process::id()));
    assert_escape_contained(
        "lo_export",
        &format!(
            "{KEPT}CREATE TABLE exported AS SELECT lo_export(lo_from_bytea(0, 'x'), '{}') AS done;\n\
             SELECT lo_export(lo_from_bytea(0, 'x'), '{}');\n",
            target.display(),
            target.display()
        ),
        &[(2, "lo_export, which writes files"), (3, "a query defines no schema object")],
    );
    assert!(!target.exists(), "the file was written");
}

#[test]
fn lo_import_is_not_sent() {
    assert_escape_contained(
        "lo_import",
        &format!("{KEPT}CREATE TABLE stolen AS SELECT lo_import('/etc/passwd') AS oid;\n"),
        &[(2, "lo_import, which reads files")],
    );
}

#[test]
fn pg_terminate_backend_is_not_sent() {
    assert_escape_contained(
        "pg_terminate_backend",
        &format!(
            "{KEPT}CREATE TABLE ended AS SELECT pg_terminate_backend(pid) AS done \
             FROM pg_stat_activity WHERE pid <> pg_backend_pid();\n"
        ),
        &[(2, "pg_terminate_backend, which ends other sessions")],
    );
}

#[test]
fn dblink_is_neither_created_nor_called() {
    assert_escape_contained(
        "dblink",
        &format!(
            "{KEPT}CREATE EXTENSION dblink;\n\
             CREATE TABLE remote AS SELECT * FROM dblink_exec('dbname={{victim}}', 'DROP TABLE x') AS t(r text);\n\
             CREATE SERVER elsewhere FOREIGN DATA WRAPPER dblink_fdw OPTIONS (dbname '{{victim}}');\n"
        ),
        &[
            (2, "extension \"dblink\" is not allowed"),
            (3, "it names dblink_exec, which connects to other databases"),
            (4, "dblink_fdw"),
        ],
    );
}

#[test]
fn load_is_not_sent() {
    assert_escape_contained(
        "LOAD",
        &format!("{KEPT}LOAD 'auto_explain';\n"),
        &[(2, "shared library")],
    );
}

#[test]
fn checkpoint_vacuum_and_cluster_are_not_sent() {
    assert_escape_contained(
        "CHECKPOINT",
        &format!("{KEPT}CHECKPOINT;\nVACUUM FULL;\nCLUSTER;\n"),
        &[
            (2, "does not parse"),
            (3, "not applied"),
            (4, "not applied"),
        ],
    );
}

#[test]
fn pg_sleep_and_lifted_timeouts_are_not_sent() {
    assert_escape_contained(
        "pg_sleep, set_config",
        &format!(
            "{KEPT}SELECT pg_sleep(45);\n\
             CREATE TABLE slept AS SELECT pg_sleep(45) AS done;\n\
             CREATE FUNCTION lift() RETURNS void LANGUAGE sql SET statement_timeout = 0 AS 'SELECT 1';\n\
             SELECT set_config('statement_timeout', '0', false);\n"
        ),
        &[
            (2, "a query defines no schema object"),
            (3, "pg_sleep, which only waits"),
            (4, "statement timeout"),
            (5, "a query defines no schema object"),
        ],
    );
}

/// Dynamic SQL hides the statement from pgparity's filter: the server, where the spec
/// runs as a role that owns only the scratch database, refuses each.
#[test]
fn do_blocks_trying_escapes_are_refused_by_the_server() {
    let marker = std::env::temp_dir().join(format!("pgparity-do-program-{}", std::process::id()));
    let execute = |sql: &str| {
        format!(
            "DO $$ BEGIN EXECUTE {}; END $$;\n",
            sql.split(' ')
                .map(|word| format!("'{} '", word.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(" || ")
        )
    };
    let spec = [
        KEPT.to_string(),
        execute("DROP DATABASE {victim}"),
        execute("CREATE ROLE pgparity_do_role SUPERUSER"),
        execute("ALTER ROLE {bystander} SUPERUSER"),
        execute("GRANT pg_read_server_files TO {bystander}"),
        execute("ALTER SYSTEM SET work_mem = '77MB'"),
        execute("SET SESSION AUTHORIZATION {bystander}"),
        execute(&format!(
            "COPY kept TO PROGRAM 'touch {}'",
            marker.display()
        )),
        execute("CREATE DATABASE pgparity_do_db"),
        execute("LOAD 'auto_explain'"),
    ]
    .concat();
    let lines: Vec<(u64, &str)> = (2..=10)
        .map(|line| (line, "PostgreSQL rejected the statement"))
        .collect();
    assert_escape_contained("DO blocks", &spec, &lines);
    assert!(!marker.exists(), "the program ran");
}

#[test]
fn trigger_functions_trying_escapes_are_refused_by_the_server() {
    let spec = format!(
        "{KEPT}CREATE FUNCTION escape() RETURNS trigger LANGUAGE plpgsql AS $$\n\
         BEGIN\n\
           EXECUTE 'CREATE ' || 'ROLE pgparity_trigger_role SUPERUSER';\n\
           RETURN NEW;\n\
         END $$;\n\
         CREATE TRIGGER kept_escape BEFORE INSERT ON kept FOR EACH ROW EXECUTE FUNCTION escape();\n\
         INSERT INTO kept VALUES (1);\n\
         CREATE FUNCTION drop_victim() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$\n\
         BEGIN\n\
           EXECUTE 'ALTER ' || 'ROLE {{bystander}} SUPERUSER';\n\
           RETURN NEW;\n\
         END $$;\n\
         CREATE TABLE other (id integer);\n\
         CREATE TRIGGER other_escape BEFORE INSERT ON other FOR EACH ROW EXECUTE FUNCTION drop_victim();\n\
         INSERT INTO other VALUES (1);\n"
    );
    assert_escape_contained(
        "trigger function",
        &spec,
        &[
            (
                8,
                "PostgreSQL rejected the statement: must be superuser to create superusers",
            ),
            (16, "PostgreSQL rejected the statement"),
        ],
    );
}

/// The scratch role may create trusted extensions' objects through pgparity's admin
/// connection only: with an empty allow-list nothing is created.
#[test]
fn extensions_come_from_the_allow_list() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("dev_db_extensions");
    let spec = "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n\
                CREATE TABLE hashed (id integer, hash bytea DEFAULT digest('x', 'sha256'));\n";
    let trusted = check_dev_db(&folder, spec, &admin_url(), &[]);
    trusted.assert_contained("trusted extension, default allow-list", 0);
    assert_eq!(rejected(&report(&trusted)), Vec::new());

    let config = folder.write("pgparity.toml", "[dev_db]\nextensions = []\n");
    let spec_path = folder.write("escape.sql", spec);
    let url = admin_url();
    let refused = run_bounded(
        &folder.path,
        &[
            "check", "--format", "json", "--config", &config, "--specs", &spec_path, "--dev-db",
            &url,
        ],
        &[],
        TIME_BOUND,
    );
    refused.assert_contained("extension outside an empty allow-list", 1);
    let report = report(&refused);
    assert_rejected_at(
        "empty allow-list",
        &report,
        1,
        "extension \"pgcrypto\" is not allowed: add it to `extensions = [...]` under [dev_db]",
    );
    assert_rejected_at("empty allow-list", &report, 2, "function digest");
}

#[test]
fn a_mistyped_extension_list_is_a_config_error() {
    let folder = ScratchDir::new("dev_db_config");
    let config = folder.write("pgparity.toml", "[dev_db]\nextensions = \"pgcrypto\"\n");
    let run = run_bounded(
        &folder.path,
        &[
            "check",
            "--config",
            &config,
            "--dev-db",
            "postgres://nobody@127.0.0.1:1/x",
        ],
        &[],
        TIME_BOUND,
    );
    run.assert_contained("extensions as a string", 2);
    assert!(
        run.stderr.contains("pgparity.toml:2:") && run.stderr.contains("sequence"),
        "{}",
        run.stderr
    );
}

/// A `--dev-db` role with CREATEDB and CREATEROLE, as users give it, not a superuser.
#[test]
fn a_createdb_createrole_admin_works_and_contains_the_spec_too() {
    let _cluster = one_at_a_time();
    let password = "Dev-Admin-Pw-42";
    let admin = Bystander::admin("pgparity_admin_for_dev_db", password);
    let before = cluster_state();
    let folder = ScratchDir::new("dev_db_createrole");
    let url = server().url(&admin.name, password, &admin.name);
    let run = check_dev_db(
        &folder,
        &format!("{KEPT}CREATE ROLE pgparity_escape_role SUPERUSER;\nDO $$ BEGIN EXECUTE 'CREATE ' || 'ROLE pgparity_escape_role'; END $$;\n"),
        &url,
        &[],
    );
    run.assert_contained("CREATEDB CREATEROLE admin", 1);
    let report = report(&run);
    assert_rejected_at("CREATEROLE admin", &report, 2, "never creates");
    assert_rejected_at(
        "CREATEROLE admin",
        &report,
        3,
        "permission denied to create role",
    );
    assert!(!run.stdout.contains(password) && !run.stderr.contains(password));
    assert_eq!(cluster_state(), before, "the cluster changed");
}

/// A slow statement the filter allows: a CPU-bound count that runs for minutes.
const SLOW: &str = "CREATE TABLE slow AS SELECT count(*) AS n FROM (SELECT generate_series(1, 4000000000)) AS g;\n";

#[test]
fn specs_are_applied_under_the_statement_timeout() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("dev_db_timeout");
    let started = Instant::now();
    let run = check_dev_db(
        &folder,
        &format!("SET statement_timeout = 0;\n{KEPT}{SLOW}"),
        &admin_url(),
        &["--statement-timeout", "2s"],
    );
    run.assert_contained("slow CREATE TABLE AS under --statement-timeout 2s", 1);
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "took {:?}",
        started.elapsed()
    );
    assert_rejected_at(
        "statement timeout",
        &report(&run),
        3,
        "canceling statement due to statement timeout",
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

/// Dynamic SQL lifts the server's timeout for the session, which no filter sees: pgparity
/// cancels the statement itself a few seconds after the timeout.
#[test]
fn a_spec_that_lifts_the_server_timeout_is_still_cancelled() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("dev_db_lifted_timeout");
    let started = Instant::now();
    let run = check_dev_db(
        &folder,
        &format!("DO $$ BEGIN EXECUTE 'SET statement' || '_timeout = 0'; END $$;\n{KEPT}{SLOW}"),
        &admin_url(),
        &["--statement-timeout", "2s"],
    );
    run.assert_contained("lifted statement_timeout", 1);
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    assert_rejected_at(
        "lifted statement_timeout",
        &report(&run),
        3,
        "pgparity cancelled it",
    );
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

/// Starts `pgparity check --dev-db` on the slow spec and waits until its statement runs.
fn start_slow_run(folder: &ScratchDir) -> std::process::Child {
    let spec = folder.write("slow.sql", &format!("{KEPT}{SLOW}"));
    let child = Command::new(env!("CARGO_BIN_EXE_pgparity"))
        .args([
            "check",
            "--format",
            "json",
            "--config",
            "/dev/null",
            "--specs",
            &spec,
        ])
        .args(["--dev-db", &admin_url(), "--statement-timeout", "60s"])
        .current_dir(&folder.path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgparity starts");
    let started = wait_for_rows(
        "SELECT pid::text FROM pg_stat_activity \
         WHERE usename LIKE 'pgparity\\_dev\\_%' AND query LIKE 'CREATE TABLE slow%' \
         AND state = 'active'",
    );
    if !started {
        stop(child, "the slow statement never started");
    }
    child
}

/// Runs `sql` every 50 ms until it returns a row (true) or 20 s passed (false).
fn wait_for_rows(sql: &str) -> bool {
    let server = server();
    let mut client = server.client(&server.maintenance_db);
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if !texts(&mut client, sql).is_empty() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// Kills and reaps `child`, then fails the test with `why`.
fn stop(mut child: std::process::Child, why: &str) -> ! {
    let _ = child.kill();
    let _ = child.wait();
    panic!("{why}");
}

/// Waits at most 20 s for `child` and returns its exit code and stderr.
fn finish(mut child: std::process::Child) -> (Option<i32>, String) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            stop(child, "pgparity did not end within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn signal_during_apply(signal: libc::c_int, expected_code: i32) {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("dev_db_signal");
    let child = start_slow_run(&folder);
    // SAFETY: kill(2) of our own child, not reaped yet.
    unsafe {
        libc::kill(child.id() as libc::pid_t, signal);
    }
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(expected_code), "{stderr}");
    assert_eq!(scratch_objects(), Vec::<String>::new(), "{stderr}");
}

#[test]
fn sigterm_during_the_apply_drops_the_scratch_database_and_exits_143() {
    signal_during_apply(libc::SIGTERM, 143);
}

#[test]
fn sigint_during_the_apply_drops_the_scratch_database_and_exits_130() {
    signal_during_apply(libc::SIGINT, 130);
}

#[test]
fn a_terminated_admin_connection_still_drops_the_scratch_database() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("dev_db_terminated");
    let spec = folder.write(
        "slowish.sql",
        &format!(
            "{KEPT}CREATE TABLE slowish AS SELECT count(*) AS n FROM (SELECT generate_series(1, 30000000)) AS g;\n"
        ),
    );
    let child = Command::new(env!("CARGO_BIN_EXE_pgparity"))
        .args([
            "check",
            "--format",
            "json",
            "--config",
            "/dev/null",
            "--specs",
            &spec,
        ])
        .args(["--dev-db", &admin_url()])
        .current_dir(&folder.path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgparity starts");
    // OFFSET 0 keeps the filter inside: only the admin connection is terminated.
    let terminated = wait_for_rows(
        "SELECT t.pid::text FROM (SELECT a.pid FROM pg_stat_activity a \
           WHERE a.application_name = 'pgparity' AND a.datname = current_database() \
           AND a.usename = current_user AND a.pid <> pg_backend_pid() \
           AND EXISTS (SELECT 1 FROM pg_stat_activity s \
                       WHERE s.query LIKE 'CREATE TABLE slowish%' AND s.state = 'active') \
           OFFSET 0) t \
         WHERE pg_terminate_backend(t.pid)",
    );
    if !terminated {
        stop(child, "the admin connection was never seen");
    }
    let (code, stderr) = finish(child);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("closed it during the run")
            && stderr.contains("were dropped over a new connection")
            && stderr.contains("pgparity_dev_"),
        "{stderr}"
    );
    assert_eq!(scratch_objects(), Vec::<String>::new(), "{stderr}");
}

#[test]
fn stale_scratch_databases_are_swept_and_fresh_ones_are_not() {
    let _cluster = one_at_a_time();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let stale = format!("pgparity_dev_{}_4242_0", now - 2 * 24 * 3600);
    let fresh = format!("pgparity_dev_{}_4242_1", now - 3600);
    let other = format!("pgparity_devx_{}_4242_0", now - 2 * 24 * 3600);
    let server = server();
    let mut client = server.client(&server.maintenance_db);
    for name in [&stale, &fresh, &other] {
        client
            .batch_execute(&format!("CREATE ROLE \"{name}\""))
            .expect("role");
        client
            .batch_execute(&format!("CREATE DATABASE \"{name}\" OWNER \"{name}\""))
            .expect("database");
    }
    // The isolation role of a killed --probe run goes with its run's role.
    client
        .batch_execute(&format!("CREATE ROLE \"{stale}_tenant\""))
        .expect("role");
    let folder = ScratchDir::new("dev_db_sweep");
    let run = check_dev_db(&folder, KEPT, &admin_url(), &[]);
    run.assert_contained("sweep", 0);
    let left = scratch_objects();
    let all_databases = cluster_state().databases;
    for name in [&fresh, &other] {
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\"; "))
            .expect("cleanup");
        client
            .batch_execute(&format!("DROP ROLE IF EXISTS \"{name}\""))
            .expect("cleanup");
    }
    assert_eq!(
        left,
        vec![fresh.clone(), fresh.clone()],
        "only the fresh one is left"
    );
    assert!(
        all_databases.contains(&other),
        "another naming is never swept"
    );
    assert!(!all_databases.contains(&stale));
}

#[test]
fn the_bundled_example_gives_no_error_or_warning_with_dev_db() {
    let _cluster = one_at_a_time();
    ensure_role("app_user");
    let url = admin_url();
    let run = run_bounded(
        Path::new(ROOT),
        &["check", "--format", "json", "--dev-db", &url],
        &[],
        TIME_BOUND,
    );
    run.assert_contained("bundled example with --dev-db", 0);
    let report = report(&run);
    let loud: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["severity"] != "info")
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
    assert_eq!(scratch_objects(), Vec::<String>::new());
}

/// pg_hba.conf rewritten for one case, put back when dropped (also when the case fails)
/// over a connection opened before, which a rewritten file cannot refuse.
struct RewrittenHba {
    path: std::path::PathBuf,
    original: String,
    client: postgres::Client,
}

impl RewrittenHba {
    /// Puts `lines` in front of the cluster's pg_hba.conf and reloads.
    fn prepend(lines: &str) -> RewrittenHba {
        let cluster = local_cluster();
        let path = cluster.data_dir.join("pg_hba.conf");
        let original = std::fs::read_to_string(&path).expect("pg_hba.conf");
        let mut hba = RewrittenHba {
            path,
            original,
            client: cluster.server.client(&cluster.server.maintenance_db),
        };
        hba.write(&format!("{lines}{}", hba.original));
        hba
    }

    fn write(&mut self, text: &str) {
        std::fs::write(&self.path, text).expect("pg_hba.conf");
        self.client
            .batch_execute("SELECT pg_reload_conf()")
            .expect("reload");
    }

    /// Lines that refuse every TCP login to the cluster, except `user`'s if given.
    fn refusing_all_but(user: Option<&str>) -> String {
        let mut lines = String::new();
        for address in ["127.0.0.1/32", "::1/128"] {
            if let Some(user) = user {
                lines.push_str(&format!("host all {user} {address} scram-sha-256\n"));
            }
            lines.push_str(&format!("host all all {address} reject\n"));
        }
        lines
    }
}

impl Drop for RewrittenHba {
    fn drop(&mut self) {
        let original = self.original.clone();
        let _ = std::fs::write(&self.path, original);
        let _ = self.client.batch_execute("SELECT pg_reload_conf()");
    }
}

/// A server whose pg_hba.conf lets only the admin log in: the scratch role's password
/// login is refused, and the message says what to change.
#[test]
fn a_refused_password_login_of_the_scratch_role_says_what_to_change() {
    let _cluster = one_at_a_time();
    let server = server();
    let hba = RewrittenHba::prepend(&RewrittenHba::refusing_all_but(Some(&server.user)));
    let folder = ScratchDir::new("dev_db_hba");
    let url = server.url(&server.user, &server.password, &server.maintenance_db);
    let run = check_dev_db(&folder, KEPT, &url, &[]);
    drop(hba);
    run.assert_contained("password login refused by pg_hba.conf", 2);
    assert!(
        run.stderr.contains("as the scratch role pgparity_dev_")
            && run.stderr.contains("pg_hba.conf")
            && run.stderr.contains("allow password logins"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&server.password), "{}", run.stderr);
    let mut client = server.client(&server.maintenance_db);
    assert_eq!(
        texts(
            &mut client,
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'pgparity\\_dev\\_%' \
             UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'pgparity\\_dev\\_%'"
        ),
        Vec::<String>::new()
    );
}

/// The admin connection is terminated and the server then refuses every new login: the
/// scratch database cannot be dropped, and the error names it and how to drop it.
#[test]
fn a_scratch_database_that_cannot_be_dropped_is_named_with_how_to_drop_it() {
    let _cluster = one_at_a_time();
    let folder = ScratchDir::new("dev_db_left");
    let spec = folder.write(
        "slowish.sql",
        &format!(
            "{KEPT}CREATE TABLE slowish AS SELECT count(*) AS n FROM (SELECT generate_series(1, 30000000)) AS g;\n"
        ),
    );
    let child = Command::new(env!("CARGO_BIN_EXE_pgparity"))
        .args(["check", "--config", "/dev/null", "--specs", &spec])
        .args(["--dev-db", &admin_url()])
        .current_dir(&folder.path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pgparity starts");
    let started = wait_for_rows(
        "SELECT pid::text FROM pg_stat_activity \
         WHERE query LIKE 'CREATE TABLE slowish%' AND state = 'active'",
    );
    if !started {
        stop(child, "the slow statement never started");
    }
    let mut hba = RewrittenHba::prepend(&RewrittenHba::refusing_all_but(None));
    let terminated = hba
        .client
        .query(
            "SELECT t.pid FROM (SELECT a.pid FROM pg_stat_activity a \
               WHERE a.application_name = 'pgparity' AND a.datname = current_database() \
               AND a.usename = current_user AND a.pid <> pg_backend_pid() OFFSET 0) t \
             WHERE pg_terminate_backend(t.pid)",
            &[],
        )
        .expect("terminate");
    if terminated.is_empty() {
        stop(child, "the admin connection was not found");
    }
    let (code, stderr) = finish(child);
    let left: Vec<String> = hba
        .client
        .query(
            "SELECT datname::text FROM pg_database WHERE datname LIKE 'pgparity\\_dev\\_%' \
             UNION ALL SELECT rolname::text FROM pg_roles WHERE rolname LIKE 'pgparity\\_dev\\_%'",
            &[],
        )
        .expect("left")
        .iter()
        .map(|row| row.get(0))
        .collect();
    for name in &left {
        let _ = hba
            .client
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        let _ = hba
            .client
            .batch_execute(&format!("DROP ROLE IF EXISTS \"{name}\""));
    }
    drop(hba);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(left.len(), 2, "a database and a role were left: {left:?}");
    assert!(
        stderr.contains(&format!(
            "the scratch database and role {} may be left",
            left[0]
        )) && stderr.contains(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            left[0]
        )) && stderr.contains(&format!("DROP ROLE IF EXISTS \"{}\"", left[0])),
        "{stderr}"
    );
}

#[test]
fn roles_the_dev_server_lacks_are_one_info_note_each_and_comments_on_extensions_are_not_sent() {
    let _cluster = one_at_a_time();
    let before = cluster_state();
    let folder = ScratchDir::new("dev_db_missing_roles");
    // pg_dump's shape: a comment after each extension, grants and a policy to roles the
    // project creates elsewhere.
    let spec = "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n\
                COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';\n\
                CREATE TABLE kept (id integer PRIMARY KEY, owner text);\n\
                GRANT SELECT ON kept TO pgparity_absent_reader;\n\
                GRANT UPDATE ON kept TO pgparity_absent_reader;\n\
                CREATE POLICY own ON kept TO pgparity_absent_writer USING (owner = current_user);\n";
    let run = check_dev_db(&folder, spec, &admin_url(), &[]);
    run.assert_contained("grants to roles the dev server lacks", 0);
    let report = report(&run);
    let notes: Vec<(u64, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == "spec-rejected")
        .map(|finding| {
            (
                finding["location"]["line"].as_u64().unwrap_or_default(),
                finding["severity"].as_str().unwrap_or_default().to_string(),
                finding["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(notes.len(), 2, "{notes:#?}");
    assert_eq!((notes[0].0, notes[0].1.as_str()), (4, "info"), "{notes:#?}");
    assert!(
        notes[0]
            .2
            .contains("\"pgparity_absent_reader\" does not exist")
            && notes[0].2.contains("2 statements"),
        "{notes:#?}"
    );
    assert_eq!((notes[1].0, notes[1].1.as_str()), (6, "info"), "{notes:#?}");
    assert!(
        notes[1].2.contains("\"pgparity_absent_writer\"") && notes[1].2.contains("1 statement "),
        "{notes:#?}"
    );
    assert_eq!(cluster_state(), before, "no role was created");
}
