//! Where libpq finds the connection parameters a connection string leaves out, in its
//! order (`conninfo_add_defaults` in `fe-connect.c`):
//!
//! 1. the connection string itself;
//! 2. the service named by `service=` or `PGSERVICE`, looked up in the user's service
//!    file (`PGSERVICEFILE`, else `~/.pg_service.conf`) and then in the system one
//!    (`PGSYSCONFDIR/pg_service.conf`); libpq reads the service *before* the
//!    environment, so a service's `host` wins over `PGHOST`;
//! 3. the `PG*` environment variables;
//! 4. defaults: the Unix socket directory for the host, port 5432, the operating-system
//!    user, the user name as database; the password last, from the password file
//!    ([`super::passfile`]).
//!
//! Values never reach a message: errors name the file and line, or the variable.

use super::connection_string::{Parameter, Parameters, OTHER_LIBPQ, SUPPORTED};
use super::LiveError;
use std::path::{Path, PathBuf};

/// libpq's environment variables and the parameters they stand for (`PGSERVICE` is read
/// with the service, before the others).
const VARIABLES: [(&str, &str); 13] = [
    ("PGHOST", "host"),
    ("PGPORT", "port"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGPASSFILE", "passfile"),
    ("PGDATABASE", "dbname"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLCERT", "sslcert"),
    ("PGSSLKEY", "sslkey"),
    ("PGAPPNAME", "application_name"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGOPTIONS", "options"),
];

/// The facts of this machine libpq falls back on. libpq compiles some of them in
/// (the socket directory, the system configuration folder); pgparity cannot know how
/// the local libpq was built, so it looks for the folders the common builds use.
#[derive(Debug, Clone)]
pub(super) struct Machine {
    /// The operating-system user (of the effective user id), the default user name.
    pub(super) user: Option<String>,
    /// The home folder from the user database, used when `HOME` is not set.
    pub(super) home: Option<PathBuf>,
    /// Where the default Unix socket may be, in order; empty where there are none.
    pub(super) socket_dirs: Vec<PathBuf>,
    /// Where the system `pg_service.conf` may be, in order.
    pub(super) sysconf_dirs: Vec<PathBuf>,
}

impl Machine {
    /// This machine: the effective user from the user database, and the socket and
    /// configuration folders of Debian's libpq (`/var/run/postgresql`,
    /// `/etc/postgresql-common`), then Red Hat's, then PostgreSQL's own default
    /// (`/tmp`, `/usr/local/pgsql/etc`).
    #[cfg(unix)]
    pub(super) fn current() -> Machine {
        use uzers::os::unix::UserExt;
        let account = uzers::get_user_by_uid(uzers::get_effective_uid());
        Machine {
            user: account
                .as_ref()
                .map(|account| account.name().to_string_lossy().into_owned()),
            home: account.map(|account| account.home_dir().to_path_buf()),
            socket_dirs: vec![PathBuf::from("/var/run/postgresql"), PathBuf::from("/tmp")],
            sysconf_dirs: vec![
                PathBuf::from("/etc/postgresql-common"),
                PathBuf::from("/etc/sysconfig/pgsql"),
                PathBuf::from("/usr/local/pgsql/etc"),
            ],
        }
    }

    /// This machine: the user from `USERNAME`, no Unix sockets (libpq connects to
    /// `localhost`).
    #[cfg(not(unix))]
    pub(super) fn current() -> Machine {
        Machine {
            user: std::env::var("USERNAME").ok(),
            home: None,
            socket_dirs: Vec::new(),
            sysconf_dirs: Vec::new(),
        }
    }

    /// The default host: the first candidate socket folder that holds the server's
    /// socket for `port` (`.s.PGSQL.5432`), else the first that exists, else the last
    /// (libpq's built-in `/tmp`); `None` where there are no Unix sockets (`localhost`).
    pub(super) fn default_socket_dir(&self, port: u16) -> Option<String> {
        let socket = format!(".s.PGSQL.{port}");
        let chosen = self
            .socket_dirs
            .iter()
            .find(|dir| dir.join(&socket).exists())
            .or_else(|| self.socket_dirs.iter().find(|dir| dir.is_dir()))
            .or(self.socket_dirs.last())?;
        Some(chosen.display().to_string())
    }

    /// The system service file: `PGSYSCONFDIR/pg_service.conf`, else the first of the
    /// usual folders that exists.
    fn system_service_file(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
        let dir = match non_empty(lookup("PGSYSCONFDIR")) {
            Some(dir) => PathBuf::from(dir),
            None => self.sysconf_dirs.iter().find(|dir| dir.is_dir())?.clone(),
        };
        Some(dir.join("pg_service.conf"))
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.is_empty())
}

/// The folder libpq keeps its per-user files in: `HOME` (else the user database's home)
/// on Unix, `%APPDATA%\postgresql` on Windows.
pub(super) fn home_dir(
    lookup: &dyn Fn(&str) -> Option<String>,
    machine: &Machine,
) -> Option<PathBuf> {
    if cfg!(unix) {
        non_empty(lookup("HOME"))
            .map(PathBuf::from)
            .or_else(|| machine.home.clone())
    } else {
        non_empty(lookup("APPDATA")).map(|dir| Path::new(&dir).join("postgresql"))
    }
}

/// The default password file in `home`: `~/.pgpass` (`pgpass.conf` on Windows).
pub(super) fn default_passfile(home: &Path) -> PathBuf {
    home.join(if cfg!(unix) { ".pgpass" } else { "pgpass.conf" })
}

/// The folder of the default client certificate, key and root certificate:
/// `~/.postgresql` (on Windows the home folder itself).
pub(super) fn certificate_dir(home: &Path) -> PathBuf {
    if cfg!(unix) {
        home.join(".postgresql")
    } else {
        home.to_path_buf()
    }
}

/// Fills the parameters `parameters` lacks from the service they (or `PGSERVICE`)
/// name, if any. Errors name the file and line; a service that is named but defined
/// nowhere is an error, as in libpq.
pub(super) fn apply_service(
    parameters: &mut Parameters,
    lookup: &dyn Fn(&str) -> Option<String>,
    machine: &Machine,
) -> Result<(), LiveError> {
    let (service, named_by) = match parameters.remove("service") {
        Some(given) => (given.value, given.origin),
        None => match non_empty(lookup("PGSERVICE")) {
            Some(service) => (service, "PGSERVICE".to_string()),
            None => return Ok(()),
        },
    };
    let mut searched = Vec::new();
    let user_file = match non_empty(lookup("PGSERVICEFILE")) {
        Some(path) => {
            let path = PathBuf::from(path);
            if !path.exists() {
                return Err(LiveError::invalid(format!(
                    "service file {} (PGSERVICEFILE) does not exist",
                    path.display()
                )));
            }
            Some(path)
        }
        None => home_dir(lookup, machine)
            .map(|home| home.join(".pg_service.conf"))
            .filter(|path| path.exists()),
    };
    if let Some(path) = user_file {
        if read_service(&path, &service, parameters)? {
            return Ok(());
        }
        searched.push(path);
    }
    if let Some(path) = machine
        .system_service_file(lookup)
        .filter(|path| path.exists())
    {
        if read_service(&path, &service, parameters)? {
            return Ok(());
        }
        searched.push(path);
    }
    let looked_in = if searched.is_empty() {
        "there is no service file (~/.pg_service.conf, the file PGSERVICEFILE names, or \
         pg_service.conf in PGSYSCONFDIR)"
            .to_string()
    } else {
        let files: Vec<String> = searched
            .iter()
            .map(|path| path.display().to_string())
            .collect();
        format!("it is not defined in {}", files.join(" or "))
    };
    Err(LiveError::invalid(format!(
        "{named_by}: the service named there cannot be used: {looked_in}; define it as \
         [name] followed by key=value lines"
    )))
}

/// Reads the `[service]` section of the service file at `path` into the parameters not
/// given yet; whether the section exists. libpq's format: `#` comments, `[name]`
/// sections, `key=value` lines without spaces around `=`, the first value of a key
/// winning.
fn read_service(
    path: &Path,
    service: &str,
    parameters: &mut Parameters,
) -> Result<bool, LiveError> {
    let text = crate::input::read_text(path, "service file", crate::input::InputLimits::default())
        .map_err(|error| LiveError::invalid(error.to_string()))?;
    let mut found = false;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("service file {}, line {}", path.display(), index + 1);
        if let Some(name) = line.strip_prefix('[') {
            if found {
                return Ok(true);
            }
            found = name
                .strip_prefix(service)
                .is_some_and(|rest| rest.starts_with(']'));
            continue;
        }
        if !found {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(LiveError::invalid(format!(
                "{}: not a key=value line (write e.g. host=db.example, without spaces \
                 around `=`)",
                at()
            )));
        };
        if key == "service" {
            return Err(LiveError::invalid(format!(
                "{}: a service cannot name another service",
                at()
            )));
        }
        if !SUPPORTED.contains(&key) {
            let named = if OTHER_LIBPQ.contains(&key) {
                format!("`{key}` is a libpq parameter that pgparity does not support")
            } else {
                "this is not a connection parameter pgparity knows (its name is not shown: it \
                 might be a misplaced password; write key=value without spaces around `=`)"
                    .to_string()
            };
            return Err(LiveError::invalid(format!("{}: {named}", at())));
        }
        parameters
            .entry(key.to_string())
            .or_insert_with(|| Parameter {
                value: value.to_string(),
                origin: format!("{} ({key})", at()),
            });
    }
    Ok(found)
}

/// Fills the parameters `parameters` lacks from libpq's environment variables (empty
/// ones count as unset).
pub(super) fn apply_environment(
    parameters: &mut Parameters,
    lookup: &dyn Fn(&str) -> Option<String>,
) {
    for (variable, key) in VARIABLES {
        if let Some(value) = non_empty(lookup(variable)) {
            parameters
                .entry(key.to_string())
                .or_insert_with(|| Parameter {
                    value,
                    origin: variable.to_string(),
                });
        }
    }
}

/// A folder under the temp dir for one unit test's files, removed when dropped.
#[cfg(test)]
pub(super) struct TestDir(pub(super) PathBuf);

#[cfg(test)]
impl TestDir {
    /// Creates `pgparity-libpq-<hint>-<pid>-<n>`.
    pub(super) fn new(hint: &str) -> TestDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "pgparity-libpq-{hint}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("scratch folder");
        TestDir(path)
    }

    /// Writes `text` to `name` in the folder.
    pub(super) fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("scratch file");
        path
    }
}

#[cfg(test)]
impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn machine(sysconf: &Path) -> Machine {
        Machine {
            user: Some("alice".to_string()),
            home: None,
            socket_dirs: Vec::new(),
            sysconf_dirs: vec![sysconf.to_path_buf()],
        }
    }

    fn service(
        given: &[(&str, &str)],
        env: &[(&str, &str)],
        machine: &Machine,
    ) -> Result<Parameters, String> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let mut parameters: Parameters = given
            .iter()
            .map(|(key, value)| {
                let parameter = Parameter {
                    value: value.to_string(),
                    origin: "the connection string".to_string(),
                };
                (key.to_string(), parameter)
            })
            .collect();
        apply_service(&mut parameters, &|name| env.get(name).cloned(), machine)
            .map_err(|error| error.to_string())?;
        Ok(parameters)
    }

    #[test]
    fn the_user_file_comes_first_then_the_system_file() {
        let home = TestDir::new("home");
        let sysconf = TestDir::new("sysconf");
        home.write(
            ".pg_service.conf",
            "# mine\n[ledger]\nhost=user-host\nport=6000\nhost=second-value\n\n[other]\nhost=o\n",
        );
        sysconf.write(
            "pg_service.conf",
            "[ledger]\nhost=system-host\n[reports]\n  dbname=reports  \n",
        );
        let machine = machine(&sysconf.0);
        let home_env = home.0.display().to_string();
        let env = [("HOME", home_env.as_str()), ("PGSERVICE", "ledger")];
        let ledger = service(&[("port", "1")], &env, &machine).expect("ledger");
        assert_eq!(ledger["host"].value, "user-host", "user file, first value");
        assert_eq!(ledger["port"].value, "1", "the connection string wins");
        assert!(
            ledger["host"]
                .origin
                .ends_with(".pg_service.conf, line 3 (host)"),
            "{}",
            ledger["host"].origin
        );
        let reports = service(&[("service", "reports")], &env, &machine).expect("reports");
        assert_eq!(
            reports["dbname"].value, "reports",
            "system file, trimmed line"
        );
        assert!(!reports.contains_key("service"));
        let missing = service(&[], &[("PGSERVICE", "nope"), ("HOME", &home_env)], &machine)
            .expect_err("undefined");
        assert!(
            missing.starts_with("invalid connection settings: PGSERVICE:"),
            "{missing}"
        );
        assert!(missing.contains("it is not defined in"), "{missing}");
        assert!(!missing.contains("nope"), "{missing}");
        assert!(service(&[], &[("HOME", &home_env)], &machine)
            .expect("no service")
            .is_empty());
    }

    #[test]
    fn pgservicefile_and_pgsysconfdir_name_the_files() {
        let dir = TestDir::new("files");
        let file = dir.write("services", "[a]\nuser=from-file\n");
        dir.write("pg_service.conf", "[b]\nuser=from-sysconf\n");
        let file_env = file.display().to_string();
        let dir_env = dir.0.display().to_string();
        let machine = machine(Path::new("/nonexistent"));
        let env = [
            ("PGSERVICEFILE", file_env.as_str()),
            ("PGSYSCONFDIR", dir_env.as_str()),
        ];
        let a = service(&[("service", "a")], &env, &machine).expect("a");
        assert_eq!(a["user"].value, "from-file");
        let b = service(&[("service", "b")], &env, &machine).expect("b");
        assert_eq!(b["user"].value, "from-sysconf");
        let gone = service(
            &[("service", "a")],
            &[("PGSERVICEFILE", "/nonexistent/services")],
            &machine,
        )
        .expect_err("missing file");
        assert!(
            gone.contains("/nonexistent/services (PGSERVICEFILE) does not exist"),
            "{gone}"
        );
    }

    #[test]
    fn bad_service_lines_name_the_line_never_the_value() {
        let dir = TestDir::new("bad");
        let machine = machine(Path::new("/nonexistent"));
        for (text, expected) in [
            ("[s]\nhost db\n", "line 2: not a key=value line"),
            (
                "[s]\nhost = db\n",
                "line 2: this is not a connection parameter",
            ),
            (
                "[s]\nHunter2Secret=x\n",
                "line 2: this is not a connection parameter",
            ),
            (
                "[s]\n\nservice=t\n",
                "line 3: a service cannot name another service",
            ),
            (
                "[s]\nsslcrl=x\n",
                "line 2: `sslcrl` is a libpq parameter that pgparity",
            ),
        ] {
            let file = dir.write("services", text);
            let env = file.display().to_string();
            let error =
                service(&[("service", "s")], &[("PGSERVICEFILE", &env)], &machine).expect_err(text);
            assert!(error.contains(expected), "{text:?}: {error}");
            assert!(!error.contains("Hunter2Secret"), "{error}");
        }
        let file = dir.write("services", "[s]\nhost db\n");
        let env = file.display().to_string();
        let other = service(&[("service", "t")], &[("PGSERVICEFILE", &env)], &machine)
            .expect_err("only [s] is checked, and t is not defined");
        assert!(other.contains("not defined"), "{other}");
        let prefix = dir.write("services", "[ledger-old]\nhost=x\n");
        let env = prefix.display().to_string();
        assert!(
            service(
                &[("service", "ledger")],
                &[("PGSERVICEFILE", &env)],
                &machine
            )
            .is_err(),
            "[ledger-old] is not [ledger]"
        );
    }

    #[test]
    fn environment_fills_what_is_missing() {
        let mut parameters = Parameters::new();
        parameters.insert(
            "host".to_string(),
            Parameter {
                value: "given".to_string(),
                origin: "the connection string".to_string(),
            },
        );
        let env = HashMap::from([
            ("PGHOST", "env-host"),
            ("PGPORT", ""),
            ("PGSSLCERT", "/c.crt"),
            ("PGOPTIONS", "-c search_path=app"),
        ]);
        apply_environment(&mut parameters, &|name| {
            env.get(name).map(|value| value.to_string())
        });
        assert_eq!(parameters["host"].value, "given");
        assert!(!parameters.contains_key("port"), "empty means unset");
        assert_eq!(parameters["sslcert"].origin, "PGSSLCERT");
        assert_eq!(parameters["options"].value, "-c search_path=app");
    }

    #[test]
    fn the_default_socket_directory_is_where_the_socket_is() {
        let debian = TestDir::new("run");
        let tmp = TestDir::new("tmp");
        let mut machine = machine(Path::new("/nonexistent"));
        machine.socket_dirs = vec![debian.0.clone(), tmp.0.clone()];
        let shown = |dir: &TestDir| Some(dir.0.display().to_string());
        assert_eq!(machine.default_socket_dir(5432), shown(&debian), "exists");
        tmp.write(".s.PGSQL.5433", "");
        assert_eq!(
            machine.default_socket_dir(5433),
            shown(&tmp),
            "holds the socket"
        );
        assert_eq!(machine.default_socket_dir(5432), shown(&debian));
        machine.socket_dirs[0] = PathBuf::from("/nonexistent/run");
        assert_eq!(
            machine.default_socket_dir(5432),
            shown(&tmp),
            "the first that exists"
        );
        machine.socket_dirs[1] = PathBuf::from("/nonexistent/tmp");
        assert_eq!(
            machine.default_socket_dir(5432),
            Some("/nonexistent/tmp".to_string()),
            "libpq's built-in default when nothing exists"
        );
        machine.socket_dirs.clear();
        assert_eq!(machine.default_socket_dir(5432), None, "no Unix sockets");
    }
}
