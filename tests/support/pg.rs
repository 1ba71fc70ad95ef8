//! A real PostgreSQL for live tests.
//!
//! With `PGPARITY_TEST_DATABASE_URL` set, tests use that server (its user must be able to
//! create databases and roles). Otherwise each test binary starts ONE throwaway cluster
//! the first time a test asks for it: `initdb`/`pg_ctl` from PATH, `pg_config --bindir`
//! or `/usr/lib/postgresql/<major>/bin`
//! (run as the `postgres` OS user through `runuser` when the tests run as root), a data
//! folder under the temp dir, a free port on 127.0.0.1, a private socket directory, and
//! `scram-sha-256` for TCP with a known superuser password.
//!
//! Cleanup: a test binary's statics are never dropped, so the cluster is stopped by a
//! small watchdog shell started next to it, in its own process group, that waits for
//! the test process to end (however it ends) and then stops the server and removes its
//! folder. A folder left by a process that no longer exists (the watchdog was killed
//! too) is stopped and removed when the next test binary starts a cluster.
//!
//! When no PostgreSQL can be started the harness panics with everything it tried: a
//! live test never passes by skipping.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The superuser password of a cluster the harness starts.
pub const TEST_PASSWORD: &str = "pgparity-test-Secr3t";

/// The folder prefix of clusters under the temp dir: `pgparity-pg-<pid>`.
const CLUSTER_PREFIX: &str = "pgparity-pg-";

/// How to reach the test server as a superuser.
#[derive(Debug, Clone)]
pub struct Server {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Superuser name.
    pub user: String,
    /// Superuser password.
    pub password: String,
    /// Database to connect to for CREATE/DROP DATABASE.
    pub maintenance_db: String,
}

impl Server {
    /// `postgres://user:password@host:port/dbname?sslmode=disable`.
    pub fn url(&self, user: &str, password: &str, dbname: &str) -> String {
        format!(
            "postgres://{}:{}@{}:{}/{}?sslmode=disable",
            encode(user),
            encode(password),
            self.host,
            self.port,
            encode(dbname)
        )
    }

    /// A superuser client connected to `dbname`.
    pub fn client(&self, dbname: &str) -> postgres::Client {
        let url = self.url(&self.user, &self.password, dbname);
        postgres::Client::connect(&url, postgres::NoTls)
            .unwrap_or_else(|error| panic!("connecting to the test server ({dbname}): {error}"))
    }
}

/// Percent-encodes everything but unreserved URL characters.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// The test server of this test binary, started on first use.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("PGPARITY_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => external_server(&url),
        _ => local_cluster().server.clone(),
    })
}

/// A cluster this test binary started and may reconfigure.
#[derive(Debug)]
pub struct LocalCluster {
    /// How to reach it.
    pub server: Server,
    /// Its data folder (owned by the `postgres` OS user when running as root).
    pub data_dir: PathBuf,
    /// Whether its programs run as the `postgres` OS user.
    pub as_postgres_user: bool,
}

/// The throwaway cluster of this test binary, even when `PGPARITY_TEST_DATABASE_URL` is
/// set: for tests that change server settings (TLS), which a shared server must not see.
pub fn local_cluster() -> &'static LocalCluster {
    static CLUSTER: OnceLock<LocalCluster> = OnceLock::new();
    CLUSTER.get_or_init(start_cluster)
}

fn external_server(url: &str) -> Server {
    let config: postgres::Config = url.parse().unwrap_or_else(|error| {
        panic!("PGPARITY_TEST_DATABASE_URL is not a connection string: {error}")
    });
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(host)) => host.clone(),
        _ => "127.0.0.1".to_string(),
    };
    Server {
        host,
        port: config.get_ports().first().copied().unwrap_or(5432),
        user: config.get_user().unwrap_or("postgres").to_string(),
        password: config
            .get_password()
            .map(|password| String::from_utf8_lossy(password).into_owned())
            .unwrap_or_default(),
        maintenance_db: config.get_dbname().unwrap_or("postgres").to_string(),
    }
}

/// Runs a PostgreSQL program, as the `postgres` OS user when we are root.
fn postgres_command(bin_dir: &Path, program: &str, as_postgres_user: bool) -> Command {
    let binary = bin_dir.join(program);
    if as_postgres_user {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(binary);
        command
    } else {
        Command::new(binary)
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The folder holding `initdb` and `pg_ctl`: PATH first, then `pg_config --bindir`,
/// then Debian's versioned folders.
fn find_bin_dir(tried: &mut Vec<String>) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let initdb = dir.join("initdb");
        if initdb.is_file() {
            let real = std::fs::canonicalize(&initdb).unwrap_or(initdb);
            if let Some(parent) = real.parent() {
                if parent.join("pg_ctl").is_file() {
                    return Some(parent.to_path_buf());
                }
            }
        }
    }
    tried.push("initdb and pg_ctl on PATH: not found".to_string());
    match Command::new("pg_config").arg("--bindir").output() {
        Ok(output) if output.status.success() => {
            let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
            if dir.join("initdb").is_file() && dir.join("pg_ctl").is_file() {
                return Some(dir);
            }
            tried.push(format!(
                "pg_config --bindir: {} has no initdb/pg_ctl",
                dir.display()
            ));
        }
        Ok(output) => tried.push(format!(
            "pg_config --bindir failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )),
        Err(error) => tried.push(format!("pg_config: {error}")),
    }
    debian_bin_dir().or_else(|| {
        tried.push("/usr/lib/postgresql/*/bin (Debian's layout): no initdb".to_string());
        None
    })
}

/// Debian's packages install the server under `/usr/lib/postgresql/<major>/bin` and put
/// only client programs on PATH; `pg_config` comes with `libpq-dev`, which may be absent.
fn debian_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((major, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Stops and removes clusters whose test process no longer exists.
fn remove_leftover_clusters(bin_dir: &Path, as_postgres_user: bool) {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(CLUSTER_PREFIX) else {
            continue;
        };
        if Path::new("/proc").join(pid).exists() {
            continue;
        }
        let data = entry.path().join("data");
        if data.join("postmaster.pid").exists() {
            let _ = postgres_command(bin_dir, "pg_ctl", as_postgres_user)
                .args(["stop", "-m", "immediate", "-D"])
                .arg(&data)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(entry.path());
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free local port")
}

fn start_cluster() -> LocalCluster {
    let mut tried = Vec::new();
    let Some(bin_dir) = find_bin_dir(&mut tried) else {
        panic!(
            "no PostgreSQL for the live tests: set PGPARITY_TEST_DATABASE_URL or install the \
             server (apt-get install postgresql). Tried:\n  {}",
            tried.join("\n  ")
        );
    };
    let as_postgres_user = running_as_root();
    remove_leftover_clusters(&bin_dir, as_postgres_user);
    let root = std::env::temp_dir().join(format!("{CLUSTER_PREFIX}{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).expect("cluster folder");
    let password_file = root.join("pwfile");
    std::fs::write(&password_file, TEST_PASSWORD).expect("password file");
    if as_postgres_user {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&root)
            .status();
        assert!(
            status.is_ok_and(|status| status.success()),
            "chown of {} to the postgres user failed",
            root.display()
        );
    }
    let data = root.join("data");
    let initdb = postgres_command(&bin_dir, "initdb", as_postgres_user)
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"])
        .args(["--auth-local=trust", "--auth-host=scram-sha-256"])
        .arg(format!("--pwfile={}", password_file.display()))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("running initdb from {}: {error}", bin_dir.display()));
    if !initdb.status.success() {
        panic!(
            "initdb ({}) failed for the live tests (as postgres user: {as_postgres_user}):\n{}{}",
            bin_dir.display(),
            String::from_utf8_lossy(&initdb.stdout),
            String::from_utf8_lossy(&initdb.stderr)
        );
    }
    let log = root.join("server.log");
    let mut failures = Vec::new();
    for _attempt in 0..3 {
        let port = free_port();
        let options = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
             -c max_connections=100",
            root.display()
        );
        let started = postgres_command(&bin_dir, "pg_ctl", as_postgres_user)
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match started {
            Ok(status) if status.success() => {
                spawn_watchdog(&bin_dir, as_postgres_user, &root);
                return LocalCluster {
                    server: Server {
                        host: "127.0.0.1".to_string(),
                        port,
                        user: "postgres".to_string(),
                        password: TEST_PASSWORD.to_string(),
                        maintenance_db: "postgres".to_string(),
                    },
                    data_dir: data,
                    as_postgres_user,
                };
            }
            Ok(status) => failures.push(format!("pg_ctl start on port {port}: {status}")),
            Err(error) => failures.push(format!("pg_ctl start on port {port}: {error}")),
        }
    }
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&root);
    panic!(
        "the throwaway PostgreSQL did not start ({}):\n{}\nserver log:\n{log_text}",
        bin_dir.display(),
        failures.join("\n")
    );
}

/// Waits for this process to end, then stops the cluster and removes its folder.
// The watchdog must outlive this process, so it is never waited for; init reaps it.
#[allow(clippy::zombie_processes)]
fn spawn_watchdog(bin_dir: &Path, as_postgres_user: bool, root: &Path) {
    let run_as = if as_postgres_user {
        "runuser -u postgres -- "
    } else {
        ""
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; \
         {run_as}'{pg_ctl}' stop -m immediate -D '{data}' >/dev/null 2>&1; rm -rf '{root}'",
        pid = std::process::id(),
        pg_ctl = bin_dir.join("pg_ctl").display(),
        data = root.join("data").display(),
        root = root.display(),
    );
    let mut command = Command::new("sh");
    command
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command.spawn().expect("the cluster watchdog starts");
}

/// A fresh database on the test server for one test, dropped (with the roles the test
/// made) when the value is dropped.
pub struct TestDatabase {
    /// The database name.
    pub name: String,
    roles: Mutex<Vec<String>>,
}

fn unique_suffix() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

fn sanitize(hint: &str) -> String {
    hint.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect()
}

impl TestDatabase {
    /// Creates `pgparity_<hint>_<pid>_<n>`.
    pub fn new(name_hint: &str) -> TestDatabase {
        let name = format!("pgparity_{}_{}", sanitize(name_hint), unique_suffix());
        let server = server();
        server
            .client(&server.maintenance_db)
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|error| panic!("CREATE DATABASE {name}: {error}"));
        TestDatabase {
            name,
            roles: Mutex::new(Vec::new()),
        }
    }

    /// The superuser URL of this database.
    pub fn url(&self) -> String {
        let server = server();
        server.url(&server.user, &server.password, &self.name)
    }

    /// The URL of this database as `user` with `password`.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        server().url(user, password, &self.name)
    }

    /// A superuser client connected to this database.
    pub fn client(&self) -> postgres::Client {
        server().client(&self.name)
    }

    /// Runs SQL (several statements allowed) as the superuser.
    pub fn execute(&self, sql: &str) {
        self.client().batch_execute(sql).unwrap_or_else(|error| {
            panic!("SQL failed in {}: {}\n{sql}", self.name, explain(&error))
        });
    }

    /// Runs statements one at a time on one superuser connection, as `psql -f` runs a
    /// script (each in its own transaction, so `CREATE INDEX CONCURRENTLY` may run).
    pub fn execute_each<'a>(&self, statements: impl IntoIterator<Item = &'a str>) {
        let mut client = self.client();
        for statement in statements {
            client.batch_execute(statement).unwrap_or_else(|error| {
                panic!(
                    "SQL failed in {}: {}\n{statement}",
                    self.name,
                    explain(&error)
                )
            });
        }
    }

    /// Runs one SQL file as the superuser.
    pub fn execute_file(&self, path: &Path) {
        let sql = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        self.client().batch_execute(&sql).unwrap_or_else(|error| {
            panic!(
                "{} failed in {}: {}",
                path.display(),
                self.name,
                explain(&error)
            )
        });
    }

    /// Applies the bundled example: the role `app_user` (cluster-wide, created once),
    /// then `specs/*.sql` in file-name order.
    pub fn apply_example_specs(&self) {
        ensure_role("app_user");
        let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(super::ROOT).join("specs"))
            .expect("specs folder")
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "sql"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "the bundled example has spec files");
        for file in files {
            self.execute_file(&file);
        }
    }

    /// Creates a login role `<hint>_<pid>_<n>` with `password`, dropped with the database.
    pub fn create_role(&self, name_hint: &str, password: &str) -> String {
        let name = format!("{}_{}", sanitize(name_hint), unique_suffix());
        self.execute(&format!(
            "CREATE ROLE \"{name}\" LOGIN PASSWORD '{}'",
            password.replace('\'', "''")
        ));
        self.roles.lock().expect("roles lock").push(name.clone());
        name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server = server();
        let Ok(mut client) = postgres::Client::connect(
            &server.url(&server.user, &server.password, &server.maintenance_db),
            postgres::NoTls,
        ) else {
            return;
        };
        let _ = client.batch_execute(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ));
        let roles = self
            .roles
            .lock()
            .map(|roles| roles.clone())
            .unwrap_or_default();
        for role in roles {
            let _ = client.batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""));
        }
    }
}

/// The server's own message for a failed statement (`Display` says only `db error`).
pub fn explain(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

/// Creates a cluster-wide role unless it exists (tests create it concurrently).
pub fn ensure_role(name: &str) {
    let server = server();
    server
        .client(&server.maintenance_db)
        .batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE \"{name}\"; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))
        .unwrap_or_else(|error| panic!("creating role {name}: {error}"));
}
