//! Connecting wherever `psql` connects (issue 12, "It is not libpq"), through the real
//! binary against this test binary's own cluster, set up once with:
//!
//! - password (SCRAM) authentication over TCP and over the Unix socket;
//! - TLS with a throwaway CA, one role that the server refuses without TLS
//!   (`hostnossl … reject`) and one that logs in with a client certificate (`cert`);
//! - `log_connections`, so that the server log shows each connection's
//!   `application_name` and whether it came over the socket.
//!
//! Each run gets a clean environment (`env_clear`): its own `HOME`, password file,
//! service files and `PG*` variables, nothing from the machine's.

mod support;

use pgparity::sources::live::{ConnectionSettings, LiveSession, SessionOptions};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use support::pg::{explain, local_cluster};
use support::ScratchDir;

/// The role the server accepts only over TLS, and its password.
const TLS_ONLY_ROLE: &str = "libpq_tls_only";
const TLS_ONLY_PASSWORD: &str = "TlsOnly-Secr3t-value";
/// The role that logs in with a client certificate (its common name).
const CERT_ROLE: &str = "libpq_cert";

/// The certificates made for the cluster.
struct Tls {
    /// The CA certificate (PEM).
    ca: PathBuf,
    /// The client certificate of [`CERT_ROLE`] and its key (PKCS#8).
    client_cert: PathBuf,
    client_key: PathBuf,
}

/// What one run of the binary printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The `target` of the snapshot a successful run printed.
    fn target(&self) -> String {
        assert_eq!(self.code, 0, "pgparity failed:\n{}", self.stderr);
        let snapshot: serde_json::Value =
            serde_json::from_str(&self.stdout).expect("a JSON snapshot");
        snapshot["target"]
            .as_str()
            .expect("the snapshot names its target")
            .to_string()
    }

    /// Asserts exit 2, that stderr says each of `fragments` and holds no `secret`.
    fn assert_fails(&self, fragments: &[&str], secret: &str) {
        assert_eq!(self.code, 2, "exit code\nstderr: {}", self.stderr);
        for fragment in fragments {
            assert!(
                self.stderr.contains(fragment),
                "stderr does not say {fragment:?}:\n{}",
                self.stderr
            );
        }
        assert!(
            !format!("{}{}", self.stdout, self.stderr).contains(secret),
            "the password leaked:\n{}",
            self.stderr
        );
    }
}

/// `pgparity snapshot --db[=DB]` with only `env` (and `HOME` = `home`) in its
/// environment.
fn snapshot(db: Option<&str>, home: &Path, env: &[(&str, &str)]) -> Run {
    let db = match db {
        Some(db) => format!("--db={db}"),
        None => "--db".to_string(),
    };
    let output = Command::new(env!("CARGO_BIN_EXE_pgparity"))
        .args(["snapshot", &db])
        .current_dir(home)
        .env_clear()
        .env("HOME", home)
        .envs(env.iter().copied())
        .output()
        .expect("the pgparity binary runs");
    Run {
        code: output.status.code().expect("pgparity exits normally"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn port() -> String {
    cluster().server.port.to_string()
}

fn cluster() -> &'static support::pg::LocalCluster {
    tls();
    local_cluster()
}

/// The folder of the cluster's Unix socket.
fn socket_dir() -> String {
    cluster()
        .data_dir
        .parent()
        .expect("the data folder has a parent")
        .display()
        .to_string()
}

/// Runs SQL as the superuser.
fn execute(sql: &str) {
    let server = &local_cluster().server;
    server
        .client(&server.maintenance_db)
        .batch_execute(sql)
        .unwrap_or_else(|error| panic!("{sql}: {}", explain(&error)));
}

/// A new login role with `password`; its name.
fn role(hint: &str, password: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "libpq_{hint}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    cluster();
    execute(&format!("CREATE ROLE {name} LOGIN PASSWORD '{password}'"));
    name
}

/// Writes `text` to `dir/name` with `mode`; the path as text.
fn private_file(dir: &Path, name: &str, text: &str, mode: u32) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(&path, text).expect("file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("mode");
    path.display().to_string()
}

fn openssl(args: &[&str], dir: &Path) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| panic!("the openssl command is needed for TLS tests: {error}"));
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Signs a certificate for `common_name` (with `localhost` as its DNS name) by the CA in
/// `dir`: `name.key` (PKCS#8) and `name.crt`.
fn signed_certificate(dir: &Path, name: &str, common_name: &str) {
    let key = format!("{name}.key");
    let csr = format!("{name}.csr");
    let crt = format!("{name}.crt");
    let subject = format!("/CN={common_name}");
    openssl(
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", &subject, "-keyout", &key, "-out",
            &csr,
        ],
        dir,
    );
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            &crt,
            "-extfile",
            "san.ext",
        ],
        dir,
    );
}

/// Sets the cluster up once (see the file's comment) and returns its certificates.
fn tls() -> &'static Tls {
    static TLS: OnceLock<Tls> = OnceLock::new();
    TLS.get_or_init(|| {
        let cluster = local_cluster();
        let root = cluster.data_dir.parent().expect("cluster folder");
        let dir = root.join("libpq-tls");
        std::fs::create_dir_all(&dir).expect("tls folder");
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=pgparity libpq test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
            ],
            &dir,
        );
        std::fs::write(dir.join("san.ext"), "subjectAltName=DNS:localhost\n").expect("ext");
        signed_certificate(&dir, "server", "localhost");
        signed_certificate(&dir, "client", CERT_ROLE);
        let hba = format!(
            "local all all scram-sha-256\n\
             hostnossl all {TLS_ONLY_ROLE} 127.0.0.1/32 reject\n\
             hostssl all {CERT_ROLE} 127.0.0.1/32 cert\n\
             host all all 127.0.0.1/32 scram-sha-256\n"
        );
        std::fs::write(cluster.data_dir.join("pg_hba.conf"), hba).expect("pg_hba.conf");
        if cluster.as_postgres_user {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .arg(cluster.data_dir.join("pg_hba.conf"))
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the TLS files failed");
        }
        std::fs::set_permissions(
            dir.join("server.key"),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("server key permissions");
        let shown = |name: &str| dir.join(name).display().to_string();
        execute(&format!(
            "CREATE ROLE {TLS_ONLY_ROLE} LOGIN PASSWORD '{TLS_ONLY_PASSWORD}'; \
             CREATE ROLE {CERT_ROLE} LOGIN;"
        ));
        for statement in [
            format!("ALTER SYSTEM SET ssl_cert_file = '{}'", shown("server.crt")),
            format!("ALTER SYSTEM SET ssl_key_file = '{}'", shown("server.key")),
            format!("ALTER SYSTEM SET ssl_ca_file = '{}'", shown("ca.pem")),
            "ALTER SYSTEM SET ssl = on".to_string(),
            "ALTER SYSTEM SET log_connections = on".to_string(),
            "SELECT pg_reload_conf()".to_string(),
        ] {
            execute(&statement);
        }
        let server = &cluster.server;
        let url = format!(
            "postgres://{TLS_ONLY_ROLE}:{TLS_ONLY_PASSWORD}@127.0.0.1:{}/{}?sslmode=require",
            server.port, server.maintenance_db
        );
        let settings = ConnectionSettings::parse(&url).expect("URL parses");
        let deadline = Instant::now() + Duration::from_secs(10);
        while LiveSession::connect(&settings, &SessionOptions::default()).is_err() {
            assert!(
                Instant::now() < deadline,
                "the server did not accept TLS after reload"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Tls {
            ca: dir.join("ca.pem"),
            client_cert: dir.join("client.crt"),
            client_key: dir.join("client.key"),
        }
    })
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The server log's connection lines of the backend whose `application_name` is
/// `name`: what `log_connections` wrote when it was received and authorized.
fn connection_log(name: &str) -> String {
    let log = read(
        &cluster()
            .data_dir
            .parent()
            .expect("folder")
            .join("server.log"),
    );
    let needle = format!("application_name={name}");
    let authorized = log
        .lines()
        .find(|line| line.contains(&needle))
        .unwrap_or_else(|| panic!("no connection of {name} in the server log"));
    let pid = authorized
        .split_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(pid, _)| format!("[{pid}]"))
        .expect("the log line prefix has the pid");
    log.lines()
        .filter(|line| line.contains(&pid) && line.contains("connection "))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_pgpass_in_home_is_used_and_ignored_with_a_warning_when_others_can_read_it() {
    let home = ScratchDir::new("pgpass-home");
    let password = "Home-Pgpass-Secr3t";
    let user = role("home", password);
    let port = port();
    let pgpass = format!(
        "# host:port:database:user:password\n\
         elsewhere:{port}:*:*:Not-This-One\n\
         127.0.0.1:{port}:postgres:{user}:{password}\n"
    );
    private_file(&home.path, ".pgpass", &pgpass, 0o600);
    let db = format!("postgres://{user}@127.0.0.1:{port}/postgres?sslmode=disable");
    let run = snapshot(Some(&db), &home.path, &[]);
    assert_eq!(run.target(), format!("{user}@127.0.0.1:{port}/postgres"));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);

    private_file(&home.path, ".pgpass", &pgpass, 0o644);
    let run = snapshot(Some(&db), &home.path, &[]);
    run.assert_fails(
        &[
            "pgparity: warning: password file",
            ".pgpass is ignored: it has group or world access (mode 0644); permissions should \
             be u=rw (0600) or less",
            "asks for a password and pgparity has none",
        ],
        password,
    );
}

#[test]
fn without_any_password_the_error_says_where_pgparity_looked() {
    let home = ScratchDir::new("no-password");
    let password = "Nowhere-Secr3t";
    let user = role("nowhere", password);
    let port = port();
    let db = format!("postgres://{user}@127.0.0.1:{port}/postgres?sslmode=disable");
    let run = snapshot(Some(&db), &home.path, &[]);
    run.assert_fails(
        &[
            "asks for a password and pgparity has none: no password was given",
            &format!(
                "there is no password file {}/.pgpass: add the line \
                 127.0.0.1:{port}:postgres:{user}:PASSWORD",
                home.path.display()
            ),
        ],
        password,
    );
}

#[test]
fn pgpassfile_and_a_wrong_password_named_by_its_source() {
    let home = ScratchDir::new("pgpassfile");
    let password = "Passfile-Secr3t";
    let wrong = "Wrong-Passw0rd-in-line-3";
    let user = role("passfile", password);
    let port = port();
    let lines = |third: &str| {
        format!("# one\nnothere:1:*:*:x\n127.0.0.1:{port}:*:{user}:{third}\n*:*:*:*:{password}\n")
    };
    let file = private_file(&home.path, "secrets/pgpass", &lines(wrong), 0o600);
    let db = format!("postgres://{user}@127.0.0.1:{port}/postgres?sslmode=disable");
    let env = [("PGPASSFILE", file.as_str())];
    let run = snapshot(Some(&db), &home.path, &env);
    run.assert_fails(
        &[
            "authentication to",
            "password authentication failed",
            &format!("the password, which came from {file}, line 3"),
        ],
        wrong,
    );

    let run = snapshot(
        Some(&db),
        &home.path,
        &[("PGPASSFILE", &file), ("PGPASSWORD", wrong)],
    );
    run.assert_fails(&["the password, which came from PGPASSWORD"], wrong);

    let url = format!("postgres://{user}:{wrong}@127.0.0.1:{port}/postgres?sslmode=disable");
    let run = snapshot(Some(&url), &home.path, &env);
    run.assert_fails(
        &["the password, which came from the connection string, character"],
        wrong,
    );

    let run = snapshot(Some(&db), &home.path, &[("PGPASSWORD", password), env[0]]);
    assert_eq!(
        run.target(),
        format!("{user}@127.0.0.1:{port}/postgres"),
        "PGPASSWORD comes before the password file"
    );
    let good_url =
        format!("postgres://{user}:{password}@127.0.0.1:{port}/postgres?sslmode=disable");
    let run = snapshot(Some(&good_url), &home.path, &[("PGPASSWORD", wrong)]);
    assert_eq!(
        run.code, 0,
        "the URL comes before PGPASSWORD: {}",
        run.stderr
    );

    private_file(&home.path, "secrets/pgpass", &lines(password), 0o600);
    let run = snapshot(Some(&db), &home.path, &env);
    assert_eq!(run.target(), format!("{user}@127.0.0.1:{port}/postgres"));
}

#[test]
fn services_from_pgservicefile_and_pgsysconfdir() {
    let home = ScratchDir::new("service");
    let sysconf = ScratchDir::new("sysconf");
    let password = "Service-Secr3t";
    let user = role("service", password);
    let port = port();
    let services = home.write(
        "services.conf",
        &format!(
            "# services\n[other]\nhost=nowhere\n\n[ledger]\nhost=127.0.0.1\nport={port}\n\
             user={user}\npassword={password}\nsslmode=disable\n"
        ),
    );
    let sysconf_dir = sysconf.path.display().to_string();
    sysconf.write(
        "pg_service.conf",
        &format!("[nightly]\nhost=127.0.0.1\nport={port}\nuser={user}\ndbname=postgres\n"),
    );
    private_file(
        &home.path,
        ".pgpass",
        &format!("127.0.0.1:{port}:postgres:{user}:{password}\n"),
        0o600,
    );
    let env = [
        ("PGSERVICEFILE", services.as_str()),
        ("PGSYSCONFDIR", sysconf_dir.as_str()),
        ("PGDATABASE", "postgres"),
    ];
    let mut with_service = env.to_vec();
    with_service.push(("PGSERVICE", "ledger"));
    with_service.push(("PGHOST", "not-this-host.invalid"));
    let run = snapshot(None, &home.path, &with_service);
    assert_eq!(
        run.target(),
        format!("{user}@127.0.0.1:{port}/postgres"),
        "the service's host wins over PGHOST, as in libpq"
    );
    let run = snapshot(Some("service=ledger"), &home.path, &env);
    assert_eq!(run.target(), format!("{user}@127.0.0.1:{port}/postgres"));
    let run = snapshot(Some("service=nightly sslmode=disable"), &home.path, &env);
    assert_eq!(
        run.target(),
        format!("{user}@127.0.0.1:{port}/postgres"),
        "the system file, and the password from ~/.pgpass"
    );
    let run = snapshot(Some("service=missing"), &home.path, &env);
    run.assert_fails(
        &[
            "the connection string, character 1 (service): the service named there cannot be \
             used: it is not defined in",
            "services.conf or",
        ],
        password,
    );
}

#[test]
fn a_key_value_connection_string() {
    let home = ScratchDir::new("keyword");
    let password = "Key word Secr3t";
    let user = role("keyword", password);
    let port = port();
    let db = format!(
        "host=127.0.0.1 port={port} user={user} password='{password}' dbname=postgres \
         sslmode=disable application_name=libpq-keyword"
    );
    let run = snapshot(Some(&db), &home.path, &[]);
    assert_eq!(run.target(), format!("{user}@127.0.0.1:{port}/postgres"));
    assert!(connection_log("libpq-keyword").contains(&format!("user={user}")));
}

#[test]
fn a_socket_folder_as_host_with_password_authentication() {
    let home = ScratchDir::new("socket");
    let password = "Socket-Secr3t";
    let user = role("socket", password);
    let port = port();
    let socket = socket_dir();
    private_file(
        &home.path,
        ".pgpass",
        &format!("{socket}:{port}:*:{user}:{password}\n"),
        0o600,
    );
    let env = [
        ("PGHOST", socket.as_str()),
        ("PGPORT", port.as_str()),
        ("PGUSER", user.as_str()),
        ("PGDATABASE", "postgres"),
        ("PGAPPNAME", "libpq-socket"),
        ("PGSSLMODE", "require"),
    ];
    let run = snapshot(None, &home.path, &env);
    assert_eq!(run.target(), format!("{user}@{socket}:{port}/postgres"));
    let log = connection_log("libpq-socket");
    assert!(
        log.contains("connection received: host=[local]"),
        "over the socket (sslmode is not used there, as in libpq):\n{log}"
    );

    let run = snapshot(
        None,
        &home.path,
        &[env[0], env[1], env[2], ("PGPASSWORD", "Wrong-Socket-Pw")],
    );
    run.assert_fails(
        &[
            "password authentication failed",
            "which came from PGPASSWORD",
        ],
        "Wrong-Socket-Pw",
    );

    let empty = home.path.display().to_string();
    let run = snapshot(None, &home.path, &[("PGHOST", &empty), env[1], env[2]]);
    run.assert_fails(
        &[
            &format!("connection to {user}@{empty}:{port}/{user} refused"),
            "no server socket for that port in that folder",
        ],
        password,
    );
}

#[test]
fn pgappname_reaches_the_server_and_pgparity_is_the_default() {
    let home = ScratchDir::new("appname");
    let password = "Appname-Secr3t";
    let user = role("appname", password);
    let port = port();
    let db = format!("postgres://{user}:{password}@127.0.0.1:{port}/postgres?sslmode=disable");
    let run = snapshot(
        Some(&db),
        &home.path,
        &[("PGAPPNAME", "libpq-nightly-drift")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(connection_log("libpq-nightly-drift").contains(&format!("user={user}")));
    let run = snapshot(Some(&db), &home.path, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let log = read(
        &cluster()
            .data_dir
            .parent()
            .expect("folder")
            .join("server.log"),
    );
    assert!(
        log.contains(&format!(
            "user={user} database=postgres application_name=pgparity"
        )),
        "the default application_name"
    );
}

#[test]
fn sslmode_allow_connects_plain_and_retries_with_tls_when_refused() {
    let home = ScratchDir::new("allow");
    let password = "Allow-Secr3t";
    let user = role("allow", password);
    let port = port();
    let plain = format!("postgres://{user}:{password}@127.0.0.1:{port}/postgres?sslmode=allow");
    let run = snapshot(Some(&plain), &home.path, &[]);
    assert_eq!(run.target(), format!("{user}@127.0.0.1:{port}/postgres"));

    let tls_only = format!(
        "host=127.0.0.1 port={port} user={TLS_ONLY_ROLE} dbname=postgres sslmode=allow \
         application_name=libpq-allow"
    );
    let env = [("PGPASSWORD", TLS_ONLY_PASSWORD)];
    let run = snapshot(Some(&tls_only), &home.path, &env);
    assert_eq!(
        run.target(),
        format!("{TLS_ONLY_ROLE}@127.0.0.1:{port}/postgres")
    );
    let refused = tls_only.replace("sslmode=allow", "sslmode=disable");
    let run = snapshot(Some(&refused), &home.path, &env);
    run.assert_fails(&["no encryption"], TLS_ONLY_PASSWORD);
}

#[test]
fn client_certificates_from_home_and_from_pgsslcert() {
    let tls = tls();
    let home = ScratchDir::new("certs");
    let dir = home.path.join(".postgresql");
    private_file(&dir, "postgresql.crt", &read(&tls.client_cert), 0o644);
    private_file(&dir, "postgresql.key", &read(&tls.client_key), 0o600);
    private_file(&dir, "root.crt", &read(&tls.ca), 0o644);
    let port = port();
    let db =
        format!("host=localhost port={port} user={CERT_ROLE} dbname=postgres sslmode=verify-full");
    let run = snapshot(Some(&db), &home.path, &[]);
    assert_eq!(
        run.target(),
        format!("{CERT_ROLE}@localhost:{port}/postgres"),
        "~/.postgresql/root.crt verifies the server, postgresql.crt logs in"
    );

    private_file(&dir, "postgresql.key", &read(&tls.client_key), 0o644);
    let run = snapshot(Some(&db), &home.path, &[]);
    run.assert_fails(
        &["private key file", "has group or world access (mode 0644)"],
        "PRIVATE KEY",
    );

    let elsewhere = ScratchDir::new("certs-env");
    let cert = private_file(&elsewhere.path, "c.crt", &read(&tls.client_cert), 0o644);
    let key = private_file(&elsewhere.path, "c.key", &read(&tls.client_key), 0o600);
    let ca = tls.ca.display().to_string();
    let env = [
        ("PGSSLCERT", cert.as_str()),
        ("PGSSLKEY", key.as_str()),
        ("PGSSLROOTCERT", ca.as_str()),
    ];
    let empty_home = ScratchDir::new("certs-none");
    let run = snapshot(Some(&db), &empty_home.path, &env);
    assert_eq!(
        run.target(),
        format!("{CERT_ROLE}@localhost:{port}/postgres")
    );
    let run = snapshot(Some(&db), &empty_home.path, &env[2..]);
    run.assert_fails(&["certificate"], "PRIVATE KEY");
}
