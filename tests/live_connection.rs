//! Connecting to a real PostgreSQL: settings from URL and libpq variables, the read-only
//! transaction, and each fault as its own `LiveError` whose message and `Debug` output
//! never contain the password.

mod support;

use pgparity::model::QualifiedName;
use pgparity::sources::live::{
    introspect, ConnectionSettings, LiveError, LiveSession, SessionOptions,
};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::pg::{free_port, server, TestDatabase};

fn connect(url: &str, options: &SessionOptions) -> Result<LiveSession, LiveError> {
    let settings = ConnectionSettings::parse(url).expect("test URL parses");
    LiveSession::connect(&settings, options)
}

/// The error, shown every way a user or a log could see it, holds no `secret`.
fn assert_no_secret(error: &LiveError, secret: &str) -> String {
    let shown = format!("{error} | {error:?}");
    assert!(!shown.contains(secret), "the password leaked: {shown}");
    shown
}

#[test]
fn a_closed_port_is_connection_refused() {
    let secret = "refused-Secr3t-value";
    let url = format!(
        "postgres://postgres:{secret}@127.0.0.1:{}/postgres?sslmode=disable",
        free_port()
    );
    let error = connect(&url, &SessionOptions::default()).expect_err("nothing listens");
    let shown = assert_no_secret(&error, secret);
    assert!(
        matches!(error, LiveError::ConnectionRefused { .. }),
        "{shown}"
    );
    assert!(error.to_string().contains("refused"), "{shown}");
    assert!(
        error.to_string().contains("127.0.0.1"),
        "the message names the server: {shown}"
    );
}

#[test]
fn a_wrong_password_is_authentication_failed() {
    let database = TestDatabase::new("wrong_password");
    let secret = "wrong-Passw0rd-given";
    let error = connect(
        &database.url_as(&server().user, secret),
        &SessionOptions::default(),
    )
    .expect_err("the password is wrong");
    let shown = assert_no_secret(&error, secret);
    assert!(
        matches!(error, LiveError::AuthenticationFailed { .. }),
        "{shown}"
    );
    assert!(shown.contains("password authentication failed"), "{shown}");
}

#[test]
fn sslmode_require_against_a_server_without_tls_is_tls_not_offered() {
    let database = TestDatabase::new("tls");
    let url = database.url().replace("sslmode=disable", "sslmode=require");
    let error = connect(&url, &SessionOptions::default()).expect_err("the server has no TLS");
    let shown = assert_no_secret(&error, &server().password);
    assert!(matches!(error, LiveError::TlsNotOffered { .. }), "{shown}");
    assert!(shown.contains("sslmode=require"), "{shown}");

    let verify = database
        .url()
        .replace("sslmode=disable", "sslmode=verify-full");
    let error = connect(&verify, &SessionOptions::default()).expect_err("no TLS to verify");
    assert!(matches!(error, LiveError::TlsNotOffered { .. }), "{error}");

    let prefer = database.url().replace("sslmode=disable", "sslmode=prefer");
    connect(&prefer, &SessionOptions::default()).expect("prefer falls back to plain");
}

#[test]
fn statement_timeout_stops_a_long_query() {
    let database = TestDatabase::new("statement_timeout");
    let options = SessionOptions {
        statement_timeout: Duration::from_millis(200),
        ..SessionOptions::default()
    };
    let mut session = connect(&database.url(), &options).expect("connects");
    let started = Instant::now();
    // A test-only probe: pg_sleep stands in for a catalog query on a huge schema.
    let error = session
        .query_text("sleeping", "SELECT pg_sleep(10)::text")
        .expect_err("the statement times out");
    assert!(started.elapsed() < Duration::from_secs(5));
    let shown = assert_no_secret(&error, &server().password);
    assert!(matches!(error, LiveError::Timeout { .. }), "{shown}");
    assert!(shown.contains("statement timeout"), "{shown}");
}

#[test]
fn lock_timeout_stops_introspection_blocked_by_a_migration() {
    let database = TestDatabase::new("lock_timeout");
    database
        .execute("CREATE TABLE t (id integer DEFAULT 7 CHECK (id > 0)); INSERT INTO t VALUES (1);");
    let mut migration = database.client();
    migration
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;")
        .expect("the migration holds a lock");
    let options = SessionOptions {
        lock_timeout: Duration::from_millis(200),
        ..SessionOptions::default()
    };

    // pg_get_expr (defaults, predicates, policies) opens the table, so introspection
    // waits behind a migration's lock: lock_timeout ends the wait.
    let mut session = connect(&database.url(), &options).expect("connects");
    let started = Instant::now();
    let error = introspect(&mut session, &["public".to_string()])
        .expect_err("introspection waits for the migration's lock");
    assert!(started.elapsed() < Duration::from_secs(5));
    let shown = assert_no_secret(&error, &server().password);
    assert!(matches!(error, LiveError::Timeout { .. }), "{shown}");
    assert!(shown.contains("lock timeout"), "{shown}");

    let mut session = connect(&database.url(), &options).expect("connects");
    let error = session
        .sample_rows(&QualifiedName::new("public", "t"), 5)
        .expect_err("reading rows waits for the lock");
    assert!(matches!(error, LiveError::Timeout { .. }), "{error}");
    assert!(
        error.to_string().contains("sampling rows of public.t"),
        "{error}"
    );

    migration.batch_execute("ROLLBACK").expect("lock released");
    let mut session = connect(&database.url(), &options).expect("connects");
    let catalog = introspect(&mut session, &["public".to_string()]).expect("introspects");
    assert!(catalog
        .relations
        .contains_key(&QualifiedName::new("public", "t")));
}

#[test]
fn the_session_is_one_read_only_repeatable_read_transaction() {
    let database = TestDatabase::new("session");
    database.execute("CREATE TABLE t (id integer); INSERT INTO t VALUES (1), (2);");
    let mut session = connect(&database.url(), &SessionOptions::default()).expect("connects");
    let setting = |session: &mut LiveSession, name: &str| {
        session
            .query_text(name, &format!("SELECT current_setting('{name}')"))
            .expect("setting")
            .remove(0)
            .expect("value")
    };
    assert_eq!(setting(&mut session, "transaction_read_only"), "on");
    assert_eq!(
        setting(&mut session, "transaction_isolation"),
        "repeatable read"
    );
    assert_eq!(setting(&mut session, "statement_timeout"), "30s");
    assert_eq!(setting(&mut session, "lock_timeout"), "5s");
    assert_eq!(setting(&mut session, "application_name"), "pgparity");
    assert!(session.server_version() >= 130_000);
    assert_eq!(
        session
            .sample_rows(&QualifiedName::new("public", "t"), 1)
            .expect("rows"),
        [r#"{"id":1}"#]
    );
    let write = session
        .query_text("writing", "CREATE TABLE written (id integer)")
        .expect_err("writes are refused");
    assert!(matches!(write, LiveError::QueryFailed { .. }), "{write}");
    assert!(
        write.to_string().contains("read-only transaction"),
        "{write}"
    );
}

#[test]
fn libpq_variables_are_enough_to_connect() {
    let database = TestDatabase::new("libpq_env");
    let server = server();
    let env: HashMap<&str, String> = HashMap::from([
        ("PGHOST", server.host.clone()),
        ("PGPORT", server.port.to_string()),
        ("PGUSER", server.user.clone()),
        ("PGPASSWORD", server.password.clone()),
        ("PGDATABASE", database.name.clone()),
        ("PGSSLMODE", "disable".to_string()),
        ("PGAPPNAME", "nightly-drift".to_string()),
        ("PGCONNECT_TIMEOUT", "5".to_string()),
    ]);
    let settings = ConnectionSettings::resolve(None, |name| env.get(name).cloned())
        .expect("settings from the environment");
    assert!(!format!("{settings:?}").contains(&server.password));
    let mut session =
        LiveSession::connect(&settings, &SessionOptions::default()).expect("connects");
    assert_eq!(
        session
            .query_text(
                "database",
                "SELECT current_database()::text || ' ' || current_setting('application_name')"
            )
            .expect("query"),
        [Some(format!("{} nightly-drift", database.name))]
    );
}
