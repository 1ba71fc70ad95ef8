//! Hostile-input catalogue, connections (issue 7 items 5 and 6), through the real binary
//! under the catalogue's time and memory bounds:
//!
//! - servers that accept TCP and then never answer (at the TCP, TLS and authentication
//!   steps), and a backend frozen with SIGSTOP in the middle of a catalog query: pgparity
//!   gives up at the connect timeout or at statement timeout + grace, exits 2 and says
//!   what it was doing, the limit and what to do; `--statement-timeout 0` waits;
//! - malformed connection strings, each holding distinct secret markers: exit 2 in every
//!   output format and in `pgparity snapshot`, a message that says what is wrong and
//!   where, and no marker anywhere in the output.
//!
//! Freezing a backend stops a process of this binary's own throwaway cluster, in a
//! database of its own; nothing else in this file uses that cluster's databases.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};
use support::bounded::{run_bounded, BoundedRun, TIME_BOUND};
use support::pg::local_cluster;
use support::ScratchDir;

/// The grace pgparity gives a server past its statement timeout (`DEADLINE_GRACE`).
const GRACE: Duration = Duration::from_secs(5);

fn assert_stderr_says(run: &BoundedRun, case: &str, fragments: &[&str]) {
    for fragment in fragments {
        assert!(
            run.stderr.contains(fragment),
            "{case}: stderr does not say {fragment:?}\nstderr: {}",
            run.stderr
        );
    }
}

// ---------------------------------------------------------------------------------------
// Item 5: no hang on the network.
// ---------------------------------------------------------------------------------------

/// What a fake server does after accepting a connection.
#[derive(Clone, Copy)]
enum FakeServer {
    /// Nothing at all.
    Silent,
    /// Accepts the SSLRequest (`S`), then never answers the TLS handshake.
    StallsTls,
    /// Reads the startup message, asks for a cleartext password, then never answers.
    StallsAuthentication,
}

/// A listener on 127.0.0.1 that behaves as `kind` for every connection and keeps the
/// sockets open for the rest of the test process; returns its port.
fn fake_server(kind: FakeServer) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("bound address").port();
    thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            match kind {
                FakeServer::Silent => {}
                FakeServer::StallsTls => {
                    let mut request = [0_u8; 8];
                    if stream.read_exact(&mut request).is_ok() {
                        let _ = stream.write_all(b"S");
                    }
                }
                FakeServer::StallsAuthentication => {
                    let mut length = [0_u8; 4];
                    if stream.read_exact(&mut length).is_ok() {
                        let mut rest = vec![0_u8; (u32::from_be_bytes(length) as usize).max(4) - 4];
                        if stream.read_exact(&mut rest).is_ok() {
                            // AuthenticationCleartextPassword.
                            let _ = stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]);
                        }
                    }
                }
            }
            held.push(stream);
        }
    });
    port
}

fn check_db(folder: &Path, db: &str, env: &[(&str, &str)]) -> BoundedRun {
    run_bounded(folder, &["check", &format!("--db={db}")], env, TIME_BOUND)
}

fn assert_connect_timeout(run: &BoundedRun, case: &str, port: u16, seconds: u64) {
    run.assert_contained(case, 2);
    let limit = Duration::from_secs(seconds);
    assert!(
        run.elapsed >= limit && run.elapsed < limit + Duration::from_secs(3),
        "{case}: gave up after {:?}, the connect timeout is {limit:?}",
        run.elapsed
    );
    assert_stderr_says(
        run,
        case,
        &[
            &format!("connecting to u@127.0.0.1:{port}/db timed out"),
            &format!("within {seconds} s"),
            "TCP, TLS and authentication",
            "raise connect_timeout in the URL or PGCONNECT_TIMEOUT",
        ],
    );
    assert!(run.stdout.is_empty(), "{case}: a report was written");
}

#[test]
fn silent_server_with_connect_timeout_in_the_url() {
    let folder = ScratchDir::new("silent-url");
    let port = fake_server(FakeServer::Silent);
    let db = format!("postgres://u@127.0.0.1:{port}/db?connect_timeout=3");
    let run = check_db(&folder.path, &db, &[]);
    assert_connect_timeout(&run, "silent server, connect_timeout=3", port, 3);
}

#[test]
fn silent_server_with_pgconnect_timeout() {
    let folder = ScratchDir::new("silent-env");
    let port = fake_server(FakeServer::Silent);
    let db = format!("postgres://u@127.0.0.1:{port}/db");
    let run = check_db(&folder.path, &db, &[("PGCONNECT_TIMEOUT", "2")]);
    assert_connect_timeout(&run, "silent server, PGCONNECT_TIMEOUT=2", port, 2);
}

#[test]
fn silent_server_with_the_default_connect_timeout() {
    let folder = ScratchDir::new("silent-default");
    let port = fake_server(FakeServer::Silent);
    let db = format!("postgres://u@127.0.0.1:{port}/db");
    let run = run_bounded(
        &folder.path,
        &["snapshot", &format!("--db={db}")],
        &[],
        TIME_BOUND,
    );
    assert_connect_timeout(&run, "silent server, default connect timeout", port, 10);
}

#[test]
fn server_that_stalls_the_tls_handshake() {
    let folder = ScratchDir::new("stalled-tls");
    let port = fake_server(FakeServer::StallsTls);
    let db = format!("postgres://u@127.0.0.1:{port}/db?sslmode=require&connect_timeout=2");
    let run = check_db(&folder.path, &db, &[]);
    assert_connect_timeout(&run, "server stalling TLS", port, 2);
}

#[test]
fn server_that_stalls_authentication() {
    let folder = ScratchDir::new("stalled-auth");
    let port = fake_server(FakeServer::StallsAuthentication);
    let secret = "AuthStallPw57";
    let db = format!("postgres://u:{secret}@127.0.0.1:{port}/db?sslmode=disable&connect_timeout=2");
    let run = check_db(&folder.path, &db, &[]);
    assert_connect_timeout(&run, "server stalling authentication", port, 2);
    assert!(!run.stderr.contains(secret), "{}", run.stderr);
}

#[test]
fn a_silent_first_host_is_given_up_for_the_next_one() {
    let folder = ScratchDir::new("silent-first-host");
    let silent = fake_server(FakeServer::Silent);
    let server = &local_cluster().server;
    let db = format!(
        "postgres://{}:{}@127.0.0.1:{silent},{}:{}/{}?sslmode=disable&connect_timeout=2",
        server.user, server.password, server.host, server.port, server.maintenance_db
    );
    let run = run_bounded(
        &folder.path,
        &["snapshot", &format!("--db={db}")],
        &[],
        TIME_BOUND,
    );
    run.assert_contained("silent first host", 0);
    assert!(
        run.elapsed >= Duration::from_secs(2),
        "the first host was given its connect timeout: {:?}",
        run.elapsed
    );
    assert!(run.stdout.contains("\"catalog\""), "{}", run.stdout);
}

#[test]
fn statement_timeout_beyond_what_postgres_accepts_is_refused() {
    let folder = ScratchDir::new("huge-timeout");
    let run = run_bounded(
        &folder.path,
        &[
            "check",
            "--db=host=h",
            "--statement-timeout",
            "99999999999m",
        ],
        &[],
        TIME_BOUND,
    );
    run.assert_contained("--statement-timeout 99999999999m", 2);
    assert_stderr_says(
        &run,
        "--statement-timeout 99999999999m",
        &["longer than PostgreSQL allows", "use 0 for no limit"],
    );
}

/// A database of this binary's own cluster whose table `t` a second connection holds
/// `ACCESS EXCLUSIVE`: introspection (`pg_get_expr` on its default) waits behind it.
struct LockedDatabase {
    name: String,
    locker: postgres::Client,
}

impl LockedDatabase {
    fn new(hint: &str) -> LockedDatabase {
        let server = &local_cluster().server;
        let name = format!("pgparity_{hint}_{}", std::process::id());
        let mut admin = server.client(&server.maintenance_db);
        for statement in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin.batch_execute(&statement).expect("the test database");
        }
        let mut locker = server.client(&name);
        locker
            .batch_execute("CREATE TABLE t (id integer DEFAULT 7)")
            .expect("the table");
        locker
            .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE")
            .expect("the lock is held");
        LockedDatabase { name, locker }
    }

    fn url(&self, application_name: &str) -> String {
        let server = &local_cluster().server;
        format!(
            "{}&application_name={application_name}",
            server.url(&server.user, &server.password, &self.name)
        )
    }

    /// The pid of the backend of `application_name` once it waits for the lock; `None`
    /// when `pgparity` ended before.
    fn waiting_backend(
        &self,
        application_name: &str,
        pgparity: &thread::JoinHandle<BoundedRun>,
    ) -> Option<i32> {
        let server = &local_cluster().server;
        let mut monitor = server.client(&server.maintenance_db);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            let row = monitor
                .query_opt(
                    "SELECT pid FROM pg_stat_activity \
                     WHERE application_name = $1 AND wait_event_type = 'Lock'",
                    &[&application_name],
                )
                .expect("pg_stat_activity");
            if let Some(row) = row {
                return Some(row.get(0));
            }
            if pgparity.is_finished() {
                return None;
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!("pgparity's backend never waited for the lock");
    }

    fn release(&mut self) {
        self.locker
            .batch_execute("ROLLBACK")
            .expect("the lock is released");
    }
}

impl Drop for LockedDatabase {
    fn drop(&mut self) {
        let server = &local_cluster().server;
        let _ = server
            .client(&server.maintenance_db)
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
    }
}

/// A backend stopped with SIGSTOP, continued when dropped (also when a test fails).
struct StoppedBackend(i32);

impl StoppedBackend {
    fn stop(pid: i32) -> StoppedBackend {
        // SAFETY: kill(2) of a PostgreSQL backend of this test's own cluster.
        let sent = unsafe { libc::kill(pid, libc::SIGSTOP) };
        assert_eq!(sent, 0, "SIGSTOP to backend {pid}");
        StoppedBackend(pid)
    }
}

impl Drop for StoppedBackend {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe {
            libc::kill(self.0, libc::SIGCONT);
        }
    }
}

#[test]
fn a_frozen_backend_is_given_up_after_statement_timeout_and_grace() {
    let folder = ScratchDir::new("frozen");
    let database = LockedDatabase::new("frozen");
    let application_name = format!("pgparity_frozen_{}", std::process::id());
    let url = database.url(&application_name);
    let pgparity = thread::spawn(move || {
        run_bounded(
            &folder.path,
            &[
                "snapshot",
                &format!("--db={url}"),
                "--lock-timeout",
                "60s",
                "--statement-timeout",
                "3s",
            ],
            &[],
            TIME_BOUND,
        )
    });
    let Some(backend) = database.waiting_backend(&application_name, &pgparity) else {
        let run = pgparity.join().expect("the run");
        panic!("pgparity ended before waiting for the lock: {run:?}");
    };
    let stopped = StoppedBackend::stop(backend);
    let run = pgparity.join().expect("the run");
    drop(stopped);
    let case = "frozen backend, --statement-timeout 3s";
    run.assert_contained(case, 2);
    let deadline = Duration::from_secs(3) + GRACE;
    assert!(
        run.elapsed >= deadline && run.elapsed < deadline + Duration::from_secs(5),
        "{case}: gave up after {:?}, the deadline is {deadline:?}",
        run.elapsed
    );
    assert_stderr_says(
        &run,
        case,
        &[
            "cannot read the live database: reading",
            "no answer from the server within 8 s",
            "the statement timeout 3 s plus 5 s of grace",
            "cancelled the query and closed the connection",
            "Check the server",
            "raise --statement-timeout",
        ],
    );
    assert!(run.stdout.is_empty(), "{case}: a snapshot was written");
}

#[test]
fn statement_timeout_zero_waits_for_a_frozen_backend() {
    let folder = ScratchDir::new("frozen-no-limit");
    let mut database = LockedDatabase::new("frozen_no_limit");
    let application_name = format!("pgparity_no_limit_{}", std::process::id());
    let url = database.url(&application_name);
    let pgparity = thread::spawn(move || {
        run_bounded(
            &folder.path,
            &[
                "snapshot",
                &format!("--db={url}"),
                "--lock-timeout",
                "0",
                "--statement-timeout",
                "0",
            ],
            &[],
            Duration::from_secs(60),
        )
    });
    let Some(backend) = database.waiting_backend(&application_name, &pgparity) else {
        let run = pgparity.join().expect("the run");
        panic!("pgparity ended before waiting for the lock: {run:?}");
    };
    let stopped = StoppedBackend::stop(backend);
    // Longer than the deadline a 3 s statement timeout gets, and than the default 30 s
    // statement timeout's server-side cancel would need if pgparity still sent it.
    let waited = Duration::from_secs(3) + GRACE + Duration::from_secs(4);
    thread::sleep(waited);
    assert!(
        !pgparity.is_finished(),
        "--statement-timeout 0 gave up on a frozen backend within {waited:?}"
    );
    drop(stopped);
    database.release();
    let run = pgparity.join().expect("the run");
    run.assert_contained("frozen backend, --statement-timeout 0", 0);
    assert!(run.elapsed >= waited, "{:?}", run.elapsed);
    assert!(run.stdout.contains("\"catalog\""), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------
// Item 6: malformed connection strings never echo a secret.
// ---------------------------------------------------------------------------------------

const FORMATS: [&str; 6] = ["text", "json", "sarif", "junit", "markdown", "github"];

/// Runs `check --db=DB` in every format and `snapshot --db=DB` (`--db` alone when `db`
/// is `None`) with `env`: each exits 2, writes no report, says `says` on stderr and never
/// prints any of `secrets`.
fn refused_everywhere(
    case: &str,
    db: Option<&str>,
    env: &[(&str, &str)],
    secrets: &[&str],
    says: &[&str],
) {
    let folder = ScratchDir::new("malformed");
    let db_argument = db.map_or_else(|| "--db".to_string(), |db| format!("--db={db}"));
    let mut runs: Vec<Vec<&str>> = FORMATS
        .iter()
        .map(|format| vec!["check", db_argument.as_str(), "--format", format])
        .collect();
    runs.push(vec!["snapshot", db_argument.as_str()]);
    for args in runs {
        let label = format!("{case} ({})", args.join(" "));
        let run = run_bounded(&folder.path, &args, env, Duration::from_secs(10));
        run.assert_contained(&label, 2);
        for secret in secrets {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{label}: the secret {secret:?} was printed\nstdout: {}\nstderr: {}",
                run.stdout,
                run.stderr
            );
        }
        assert!(run.stdout.is_empty(), "{label}: a report was written");
        assert_stderr_says(&run, &label, &["invalid connection settings"]);
        assert_stderr_says(&run, &label, says);
    }
}

macro_rules! malformed {
    ($($name:ident: $db:expr, env [$(($key:expr, $value:expr)),*], secrets [$($secret:expr),+], says [$($says:expr),+];)+) => {
        $(
            #[test]
            fn $name() {
                refused_everywhere(
                    stringify!($name),
                    $db,
                    &[$(($key, $value)),*],
                    &[$($secret),+],
                    &[$($says),+],
                );
            }
        )+
    };
}

malformed! {
    url_password_with_a_slash: Some("postgres://u:Mk01a/Mk01b@h/db"), env [],
        secrets ["Mk01a", "Mk01b"],
        says ["the connection string, character 25: an `@` after the host part", "%2F"];
    url_password_with_a_question_mark: Some("postgres://u:Mk02a?Mk02b@h/db"), env [],
        secrets ["Mk02a", "Mk02b"],
        says ["character 25: an `@` after the host part", "%3F"];
    key_value_password_with_an_unquoted_space: Some("host=h password=Mk03a Mk03b"), env [],
        secrets ["Mk03a", "Mk03b"],
        says ["character 23: a word without `=value`", "single quotes"];
    url_scheme_without_colon: Some("postgres//u:Mk04@h/db"), env [],
        secrets ["Mk04"],
        says ["character 1: this looks like a URL with a mistyped scheme"];
    bare_password_given_as_db: Some("Mk05!xyz"), env [],
        secrets ["Mk05"],
        says ["character 1: a word without `=value`"];
    url_scheme_with_one_slash: Some("postgresql:/u:Mk06@h/db"), env [],
        secrets ["Mk06"],
        says ["mistyped scheme"];
    url_scheme_in_upper_case: Some("POSTGRES://u:Mk07@h/db"), env [],
        secrets ["Mk07"],
        says ["must start with postgres:// or postgresql://"];
    url_of_another_database: Some("mysql://u:Mk08@h/db"), env [],
        secrets ["Mk08"],
        says ["must start with postgres:// or postgresql://"];
    jdbc_url: Some("jdbc:postgresql://h/db?user=u&password=Mk09"), env [],
        secrets ["Mk09"],
        says ["must start with postgres:// or postgresql://"];
    percent_escape_that_is_not_hex: Some("postgres://u:Mk10%zz@h/db"), env [],
        secrets ["Mk10"],
        says ["character 18: a `%` in the password is not followed by two hex digits"];
    percent_escape_cut_short: Some("postgres://u:Mk11%4@h/db"), env [],
        secrets ["Mk11"],
        says ["a `%` in the password is not followed by two hex digits"];
    percent_escapes_that_are_not_utf8: Some("postgres://u:Mk12%ff%fe@h/db"), env [],
        secrets ["Mk12"],
        says ["character 14: the password is not UTF-8 once percent-decoded"];
    url_password_with_a_space: Some("postgres://u:Mk13a Mk13b@h/db"), env [],
        secrets ["Mk13a", "Mk13b"],
        says ["character 19: a URL cannot contain spaces", "%20"];
    url_password_with_a_hash: Some("postgres://u:Mk14a#Mk14b@h/db"), env [],
        secrets ["Mk14a", "Mk14b"],
        says ["character 19: a URL cannot contain an unencoded `#`", "%23"];
    url_password_with_an_at_sign: Some("postgres://u:Mk15a@Mk15b@h/db"), env [],
        secrets ["Mk15a", "Mk15b"],
        says ["character 25: a second `@`", "%40"];
    url_password_without_a_host: Some("postgres://u:Mk16/db"), env [],
        secrets ["Mk16"],
        says ["character 14: the port of host 1 is not a number", "user:password@host"];
    url_port_that_is_a_word: Some("postgres://u:Mk17@h:Mk17port/db"), env [],
        secrets ["Mk17"],
        says ["character 21: the port of host 1 is not a number"];
    url_port_out_of_range: Some("postgres://u:Mk18@h:99999/db"), env [],
        secrets ["Mk18"],
        says ["character 19 (port): port 1 is not a number from 1 to 65535"];
    url_port_empty: Some("postgres://u:Mk19@h:/db"), env [],
        secrets ["Mk19"],
        says ["character 21: the port of host 1 is not a number"];
    ipv6_bracket_not_closed: Some("postgres://u:Mk20@[::1/db"), env [],
        secrets ["Mk20"],
        says ["character 19: the `[` of an IPv6 address is not closed with `]`"];
    ipv6_bracket_followed_by_garbage: Some("postgres://u:Mk21@[::1]x/db"), env [],
        secrets ["Mk21"],
        says ["character 24: after the `]` of an IPv6 address only `:port` may follow"];
    ipv6_without_brackets: Some("postgres://u:Mk22@::1:5432/db"), env [],
        secrets ["Mk22"],
        says ["character 19: host 1 has more than one `:`", "[::1]:5432"];
    url_empty_host_in_a_list: Some("postgres://u:Mk23@h1,,h2/db"), env [],
        secrets ["Mk23"],
        says ["character 22: host 2 is empty"];
    key_value_empty_host: Some("host='' dbname=d password=Mk24"), env [],
        secrets ["Mk24"],
        says ["the connection string, character 1 (host): host 1 is empty"];
    url_parameter_without_a_value: Some("postgres://u@h/db?Mk25"), env [],
        secrets ["Mk25"],
        says ["character 19: a URL parameter without `=value`"];
    url_parameter_without_a_name: Some("postgres://u@h/db?=Mk26"), env [],
        secrets ["Mk26"],
        says ["character 19: a URL parameter without a name before `=`"];
    unknown_url_parameter_holding_a_password: Some("postgres://u@h/db?pass=Mk27"), env [],
        secrets ["Mk27"],
        says ["character 19: this is not a connection parameter pgparity knows"];
    unknown_key_holding_a_password: Some("host=h passwd=Mk28"), env [],
        secrets ["Mk28"],
        says ["character 8: this is not a connection parameter pgparity knows", "use host, port"];
    password_pasted_as_a_key: Some("host=h Mk29Secret=x"), env [],
        secrets ["Mk29"],
        says ["character 8: this is not a connection parameter pgparity knows"];
    unsupported_libpq_parameter: Some("host=h password=Mk30a sslpassword=Mk30b"), env [],
        secrets ["Mk30a", "Mk30b"],
        says ["character 23: `sslpassword` is a libpq parameter that pgparity does not support"];
    key_value_password_given_twice: Some("host=h password=Mk31a password=Mk31b"), env [],
        secrets ["Mk31a", "Mk31b"],
        says ["character 23: `password` is given a second time (first: the connection string, character 8 (password))"];
    url_password_given_twice: Some("postgres://u:Mk32a@h/db?password=Mk32b"), env [],
        secrets ["Mk32a", "Mk32b"],
        says ["character 25: `password` is given a second time"];
    url_sslmode_holding_a_secret: Some("postgres://u@h/db?sslmode=Mk33"), env [],
        secrets ["Mk33"],
        says ["character 19 (sslmode): sslmode must be one of disable, prefer, require, verify-ca, verify-full"];
    key_value_sslmode_holding_a_secret: Some("host=h sslmode=Mk34a password=Mk34b"), env [],
        secrets ["Mk34a", "Mk34b"],
        says ["character 8 (sslmode): sslmode must be one of"];
    quoted_password_not_closed: Some("host=h password='Mk35"), env [],
        secrets ["Mk35"],
        says ["character 17: the quoted value that starts here is not closed"];
    quoted_password_ending_in_an_escaped_quote: Some("host=h password='Mk36\\'"), env [],
        secrets ["Mk36"],
        says ["character 17: the quoted value that starts here is not closed"];
    key_value_without_a_name: Some("host=h =Mk37"), env [],
        secrets ["Mk37"],
        says ["character 8: a `=` without a parameter name"];
    connect_timeout_holding_a_secret: Some("postgres://u:Mk38@h/db?connect_timeout=Mk38t"), env [],
        secrets ["Mk38"],
        says ["(connect_timeout): connect_timeout must be a whole number of seconds"];
    database_url_with_a_slash_in_the_password: None,
        env [("DATABASE_URL", "postgres://u:Mk39a/Mk39b@h/db")],
        secrets ["Mk39a", "Mk39b"],
        says ["DATABASE_URL, character 25: an `@` after the host part"];
    database_url_that_is_a_bare_password: None,
        env [("DATABASE_URL", "Mk40Secret!")],
        secrets ["Mk40"],
        says ["DATABASE_URL, character 1: a word without `=value`"];
    pgpassword_with_a_malformed_url: Some("postgres://u@h:x/db"),
        env [("PGPASSWORD", "Mk41Secret")],
        secrets ["Mk41"],
        says ["character 16: the port of host 1 is not a number"];
    pgport_holding_a_secret: Some("host=h"), env [("PGPORT", "Mk42Secret")],
        secrets ["Mk42"],
        says ["PGPORT: port 1 is not a number from 1 to 65535"];
    pgsslmode_holding_a_secret: Some("host=h"), env [("PGSSLMODE", "Mk43Secret")],
        secrets ["Mk43"],
        says ["PGSSLMODE: sslmode must be one of"];
    control_character_in_a_url: Some("postgres://u:Mk44\u{1}x@h/db"), env [],
        secrets ["Mk44"],
        says ["character 18: a URL cannot contain control characters"];
    url_host_given_twice: Some("postgres://u:Mk45@h/db?host=other"), env [],
        secrets ["Mk45"],
        says ["`host` is given a second time"];
    url_trailing_comma_in_hosts: Some("postgres://u:Mk46@h,/db"), env [],
        secrets ["Mk46"],
        says ["character 21: host 2 is empty"];
    more_ports_than_hosts: Some("postgres://u:Mk47@h1:1,h2:2,h3/db"), env [],
        secrets ["Mk47"],
        says ["2 ports for 3 hosts"];
}
