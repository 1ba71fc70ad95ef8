use super::connection_string::{self, Parameters};
use super::libpq::{self, Machine};
use super::passfile::PassFile;
use super::LiveError;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How TLS is negotiated, with libpq's meanings. Unix-socket connections never use TLS,
/// whatever the mode, as in libpq.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain connection only.
    Disable,
    /// Plain first; TLS (without verifying the certificate) when the server refuses the
    /// plain connection.
    Allow,
    /// Try TLS (without verifying the certificate), fall back to plain.
    Prefer,
    /// TLS without certificate verification (verified against the root certificate when
    /// there is one, as libpq does).
    Require,
    /// TLS, the chain verified against the root certificate or the system roots; host
    /// name not checked.
    VerifyCa,
    /// TLS, chain and host name verified.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<SslMode> {
        match text {
            "disable" => Some(SslMode::Disable),
            "allow" => Some(SslMode::Allow),
            "prefer" => Some(SslMode::Prefer),
            "require" => Some(SslMode::Require),
            "verify-ca" => Some(SslMode::VerifyCa),
            "verify-full" => Some(SslMode::VerifyFull),
            _ => None,
        }
    }

    /// The libpq spelling: `disable`, `allow`, `prefer`, `require`, `verify-ca`,
    /// `verify-full`.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A password and where it came from (`PGPASSWORD`, `/home/u/.pgpass, line 3`, …);
/// `Debug` shows only where.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Password {
    /// The password.
    pub(super) value: String,
    /// Where it was given, for messages.
    pub(super) origin: String,
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "*** (from {})", self.origin)
    }
}

/// The password for one host, or why there is none (for the message when the server
/// asks for one). libpq looks the password file up host by host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Credential {
    /// A password to send.
    Given(Password),
    /// No password; the text says where pgparity looked.
    Missing(String),
}

/// Where and how to connect, resolved as libpq resolves it: the connection string (a URL
/// or key/value string), then the service file, then the libpq environment variables,
/// then the defaults, the password file last. `Debug` never shows a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// Host names, IP addresses or Unix socket directories (libpq allows a list).
    pub hosts: Vec<String>,
    /// Ports, one for all hosts or one per host.
    pub ports: Vec<u16>,
    /// Role to log in as.
    pub user: String,
    /// One per host.
    pub(super) credentials: Vec<Credential>,
    /// Database name.
    pub dbname: String,
    /// TLS mode.
    pub sslmode: SslMode,
    /// CA certificate file (PEM) used to verify the server: `sslrootcert`, else
    /// `~/.postgresql/root.crt` when it exists; `None` (or `sslrootcert=system`) means
    /// the system's roots.
    pub sslroot_cert: Option<PathBuf>,
    /// Client certificate (PEM): `sslcert`, else `~/.postgresql/postgresql.crt`; sent
    /// only when the file exists, as libpq does.
    pub ssl_cert: Option<PathBuf>,
    /// The client certificate's private key (PKCS#8 PEM): `sslkey`, else
    /// `~/.postgresql/postgresql.key`.
    pub ssl_key: Option<PathBuf>,
    /// `application_name` reported to the server (`pgparity` unless configured).
    pub application_name: String,
    /// How long connecting may take (default 10 s).
    pub connect_timeout: Duration,
    /// `options` sent at startup (e.g. `-c search_path=app`), as libpq passes them.
    pub options: Option<String>,
    /// What libpq would warn about (a password file with group or world access); the
    /// caller shows them.
    pub warnings: Vec<String>,
}

/// The connect timeout when neither the URL nor `PGCONNECT_TIMEOUT` sets one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl ConnectionSettings {
    /// Settings from the process environment: `explicit` (the `--db` value) first, else
    /// `DATABASE_URL`; then the service, the libpq variables and the defaults, in
    /// libpq's order.
    pub fn from_environment(explicit: Option<&str>) -> Result<Self, LiveError> {
        Self::resolve(explicit, |name| std::env::var(name).ok())
    }

    /// Like [`ConnectionSettings::from_environment`], reading variables through `lookup`
    /// (tests pass a map). Files (service file, password file, certificates) are read
    /// where the variables and this machine's user say.
    pub fn resolve(
        explicit: Option<&str>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, LiveError> {
        Self::resolve_on(explicit, &lookup, &Machine::current())
    }

    /// [`ConnectionSettings::resolve`] on the given machine facts.
    pub(super) fn resolve_on(
        explicit: Option<&str>,
        lookup: &dyn Fn(&str) -> Option<String>,
        machine: &Machine,
    ) -> Result<Self, LiveError> {
        let database_url = lookup("DATABASE_URL").filter(|value| !value.trim().is_empty());
        let mut parameters = match (explicit, &database_url) {
            (Some(text), _) => connection_string::parse(text, "the connection string")?,
            (None, Some(text)) => connection_string::parse(text, "DATABASE_URL")?,
            (None, None) => Parameters::new(),
        };
        libpq::apply_service(&mut parameters, lookup, machine)?;
        libpq::apply_environment(&mut parameters, lookup);
        Self::from_parameters(parameters, lookup, machine)
    }

    /// Settings from one URL (`postgres://…`) or key/value (`host=… dbname=…`) string
    /// alone: no environment variables, service file or password file.
    pub fn parse(text: &str) -> Result<Self, LiveError> {
        let machine = Machine {
            home: None,
            ..Machine::current()
        };
        Self::resolve_on(Some(text), &|_| None, &machine)
    }

    /// Checks the values and builds the settings. Messages name where a bad value was
    /// given, never the value: a misplaced password can end up in any parameter.
    fn from_parameters(
        mut parameters: Parameters,
        lookup: &dyn Fn(&str) -> Option<String>,
        machine: &Machine,
    ) -> Result<Self, LiveError> {
        let mut take = |key: &str| parameters.remove(key);
        let given_hosts = match take("host") {
            Some(given) => {
                let hosts = split_list(&given.value);
                if let Some(number) = hosts.iter().position(String::is_empty) {
                    return Err(LiveError::invalid(format!(
                        "{}: host {} is empty; give a host name, address or socket folder, \
                         or leave host out for the local socket",
                        given.origin,
                        number + 1
                    )));
                }
                Some(hosts)
            }
            None => None,
        };
        let ports = match take("port") {
            Some(given) => split_list(&given.value)
                .iter()
                .enumerate()
                .map(|(index, port)| {
                    port.parse::<u16>()
                        .ok()
                        .filter(|port| *port > 0)
                        .ok_or_else(|| {
                            LiveError::invalid(format!(
                                "{}: port {} is not a number from 1 to 65535",
                                given.origin,
                                index + 1
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![5432],
        };
        let default_host = machine
            .default_socket_dir(ports[0])
            .unwrap_or_else(|| "localhost".to_string());
        let hosts = given_hosts.unwrap_or_else(|| vec![default_host.clone()]);
        if ports.len() != 1 && ports.len() != hosts.len() {
            return Err(LiveError::invalid(format!(
                "{} ports for {} hosts: give one port, or one per host",
                ports.len(),
                hosts.len()
            )));
        }
        let user = match take("user") {
            Some(user) => user.value,
            None => machine.user.clone().ok_or_else(|| {
                LiveError::invalid(
                    "no user name: the operating-system user has no name; set PGUSER or \
                     give user= in the connection string",
                )
            })?,
        };
        let dbname = take("dbname").map_or_else(|| user.clone(), |dbname| dbname.value);
        let sslmode = match take("sslmode") {
            Some(given) => SslMode::parse(&given.value).ok_or_else(|| {
                LiveError::invalid(format!(
                    "{}: sslmode must be one of disable, prefer, require, verify-ca, \
                     verify-full or allow",
                    given.origin
                ))
            })?,
            None => SslMode::Prefer,
        };
        let connect_timeout = match take("connect_timeout") {
            None => DEFAULT_CONNECT_TIMEOUT,
            Some(given) => match given.value.trim().parse::<u64>() {
                Ok(0) => DEFAULT_CONNECT_TIMEOUT,
                Ok(seconds) => Duration::from_secs(seconds.max(2)),
                Err(_) => {
                    return Err(LiveError::invalid(format!(
                        "{}: connect_timeout must be a whole number of seconds",
                        given.origin
                    )))
                }
            },
        };
        let home = libpq::home_dir(lookup, machine);
        let certificates = home.as_deref().map(libpq::certificate_dir);
        let in_certificates = |name: &str| certificates.as_ref().map(|dir| dir.join(name));
        let sslroot_cert = match take("sslrootcert") {
            Some(given) if given.value == "system" => None,
            Some(given) => Some(PathBuf::from(given.value)),
            None => in_certificates("root.crt").filter(|path| path.is_file()),
        };
        let ssl_cert = take("sslcert")
            .map(|given| PathBuf::from(given.value))
            .or_else(|| in_certificates("postgresql.crt"));
        let ssl_key = take("sslkey")
            .map(|given| PathBuf::from(given.value))
            .or_else(|| in_certificates("postgresql.key"));
        let passfile = take("passfile")
            .map(|given| PathBuf::from(given.value))
            .or_else(|| home.as_deref().map(libpq::default_passfile));
        let mut warnings = Vec::new();
        // libpq treats an empty password as none and looks in the password file.
        let credentials = match take("password").filter(|password| !password.value.is_empty()) {
            Some(password) => {
                let given = Credential::Given(Password {
                    value: password.value,
                    origin: password.origin,
                });
                vec![given; hosts.len()]
            }
            None => {
                let passfile = passfile.map(|path| PassFile::read(&path));
                warnings.extend(passfile.as_ref().and_then(PassFile::warning));
                let lookup = PasswordLookup {
                    passfile: passfile.as_ref(),
                    default_host: &default_host,
                    user: &user,
                    dbname: &dbname,
                };
                hosts
                    .iter()
                    .zip(ports.iter().cycle())
                    .map(|(host, port)| lookup.credential(host, *port))
                    .collect()
            }
        };
        Ok(ConnectionSettings {
            hosts,
            ports,
            user,
            credentials,
            dbname,
            sslmode,
            sslroot_cert,
            ssl_cert,
            ssl_key,
            application_name: take("application_name")
                .map_or_else(|| "pgparity".to_string(), |name| name.value),
            connect_timeout,
            options: take("options").map(|options| options.value),
            warnings,
        })
    }

    /// The same server and credentials, another database (e.g. a scratch database
    /// next to the target): one login, so the password found for the target is kept.
    pub fn with_dbname(&self, dbname: &str) -> ConnectionSettings {
        ConnectionSettings {
            dbname: dbname.to_string(),
            ..self.clone()
        }
    }

    /// The same server and TLS setup, logging in to `dbname` as `user` with `password`
    /// (the scratch role of `--dev-db`).
    pub(super) fn with_login(&self, user: &str, password: &str, dbname: &str) -> Self {
        let given = Credential::Given(Password {
            value: password.to_string(),
            origin: "the scratch role's password pgparity made".to_string(),
        });
        ConnectionSettings {
            user: user.to_string(),
            credentials: vec![given; self.hosts.len()],
            dbname: dbname.to_string(),
            ..self.clone()
        }
    }

    /// Whether a password is set for some host (the password itself is never handed
    /// out).
    pub fn has_password(&self) -> bool {
        self.credentials
            .iter()
            .any(|credential| matches!(credential, Credential::Given(_)))
    }

    /// The server for messages: `user@host:port/dbname`, never the password.
    pub fn target(&self) -> String {
        let ports: Vec<String> = self.ports.iter().map(u16::to_string).collect();
        format!(
            "{}@{}:{}/{}",
            self.user,
            self.hosts.join(","),
            ports.join(","),
            self.dbname
        )
    }

    /// Every `(host, port)` to try, in order: one port for all hosts, or one per host.
    pub(super) fn endpoints(&self) -> Vec<(String, u16)> {
        self.hosts
            .iter()
            .enumerate()
            .map(|(index, host)| {
                let port = self.ports.get(index).or(self.ports.first());
                (host.clone(), port.copied().unwrap_or(5432))
            })
            .collect()
    }

    /// The password of endpoint `index`, or where pgparity looked for one.
    pub(super) fn credential(&self, index: usize) -> &Credential {
        &self.credentials[index.min(self.credentials.len() - 1)]
    }

    /// One endpoint for messages: `user@host:port/dbname`.
    pub(super) fn endpoint_target(&self, host: &str, port: u16) -> String {
        format!("{}@{host}:{port}/{}", self.user, self.dbname)
    }

    /// The `tokio-postgres` configuration for endpoint `index`, with TCP keepalives on.
    /// Neither the TLS mode nor the connect timeout is set here: the caller decides how
    /// to try the endpoint and bounds the whole connect.
    pub(super) fn postgres_config(
        &self,
        index: usize,
        host: &str,
        port: u16,
    ) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config.host(host).port(port).user(&self.user);
        if let Credential::Given(password) = self.credential(index) {
            config.password(&password.value);
        }
        config
            .dbname(&self.dbname)
            .application_name(&self.application_name)
            .keepalives(true)
            .keepalives_idle(super::session::KEEPALIVE_IDLE)
            .keepalives_interval(super::session::KEEPALIVE_INTERVAL)
            .keepalives_retries(super::session::KEEPALIVE_RETRIES);
        if let Some(options) = &self.options {
            config.options(options);
        }
        config
    }
}

/// Whether `host` is a Unix socket folder rather than a host name (libpq:
/// `is_unixsock_path`).
pub(super) fn is_socket_dir(host: &str) -> bool {
    cfg!(unix) && host.starts_with('/')
}

/// Looks passwords up in the password file, host by host.
struct PasswordLookup<'a> {
    passfile: Option<&'a PassFile>,
    default_host: &'a str,
    user: &'a str,
    dbname: &'a str,
}

impl PasswordLookup<'_> {
    /// The password for `host:port`: libpq matches the default socket folder as
    /// `localhost`.
    fn credential(&self, host: &str, port: u16) -> Credential {
        let key = if host == self.default_host && is_socket_dir(host) {
            "localhost"
        } else {
            host
        };
        let port = port.to_string();
        let none_given = "no password was given (PGPASSWORD, a service file or the connection \
                          string)";
        let Some(passfile) = self.passfile else {
            return Credential::Missing(format!(
                "{none_given}, and there is no home folder to find a password file in; set \
                 PGPASSFILE"
            ));
        };
        let path = passfile.path().display();
        match passfile {
            PassFile::Read { .. } => match passfile.find(key, &port, self.dbname, self.user) {
                Some(found) if found.password.is_empty() => Credential::Missing(format!(
                    "{none_given}, and line {} of {path} has an empty password",
                    found.line
                )),
                Some(found) => Credential::Given(Password {
                    value: found.password,
                    origin: format!("{path}, line {}", found.line),
                }),
                None => Credential::Missing(format!(
                    "{none_given}, and no line of {path} matches {key}:{port}:{}:{}",
                    self.dbname, self.user
                )),
            },
            PassFile::Absent(_) => Credential::Missing(format!(
                "{none_given}, and there is no password file {path}: add the line \
                 {key}:{port}:{}:{}:PASSWORD to it (chmod 0600), or set PGPASSWORD",
                self.dbname, self.user
            )),
            PassFile::Ignored { reason, .. } => Credential::Missing(format!(
                "{none_given}, and the password file {path} is ignored: {reason}"
            )),
        }
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|part| part.trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::libpq::TestDir;
    use super::*;
    use std::collections::HashMap;

    fn resolve(explicit: Option<&str>, env: &[(&str, &str)]) -> ConnectionSettings {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        ConnectionSettings::resolve_on(explicit, &|name| env.get(name).cloned(), &machine())
            .expect("settings resolve")
    }

    /// A machine without Unix sockets or files, whose user is `alice`.
    fn machine() -> Machine {
        Machine {
            user: Some("alice".to_string()),
            home: None,
            socket_dirs: Vec::new(),
            sysconf_dirs: Vec::new(),
        }
    }

    /// The password sent to the first host, if any.
    fn password(settings: &ConnectionSettings) -> Option<&str> {
        match settings.credential(0) {
            Credential::Given(password) => Some(&password.value),
            Credential::Missing(_) => None,
        }
    }

    /// Where the first host's password came from, or why there is none.
    fn password_origin(settings: &ConnectionSettings) -> &str {
        match settings.credential(0) {
            Credential::Given(password) => &password.origin,
            Credential::Missing(why) => why,
        }
    }

    #[test]
    fn url_form_with_everything() {
        let settings = resolve(
            Some("postgresql://app:s%40cret@db.example:6543/ledger?sslmode=verify-full&sslrootcert=/ca.pem&application_name=nightly&connect_timeout=3"),
            &[],
        );
        assert_eq!(settings.hosts, vec!["db.example"]);
        assert_eq!(settings.ports, vec![6543]);
        assert_eq!(settings.user, "app");
        assert_eq!(password(&settings), Some("s@cret"));
        assert_eq!(
            password_origin(&settings),
            "the connection string, character 18 (password)"
        );
        assert_eq!(settings.dbname, "ledger");
        assert_eq!(settings.sslmode, SslMode::VerifyFull);
        assert_eq!(settings.sslroot_cert, Some(PathBuf::from("/ca.pem")));
        assert_eq!(settings.application_name, "nightly");
        assert_eq!(settings.connect_timeout, Duration::from_secs(3));
    }

    #[test]
    fn key_value_form_with_quotes() {
        let settings = resolve(
            Some("host=/var/run/postgresql port=5433 user=ops password='a b\\'c' dbname=x sslmode=disable"),
            &[],
        );
        assert_eq!(settings.hosts, vec!["/var/run/postgresql"]);
        assert_eq!(settings.ports, vec![5433]);
        assert_eq!(password(&settings), Some("a b'c"));
        assert_eq!(settings.sslmode, SslMode::Disable);
        assert_eq!(settings.application_name, "pgparity");
        assert_eq!(settings.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
    }

    #[test]
    fn precedence_explicit_then_database_url_then_libpq_variables() {
        let env = [
            ("DATABASE_URL", "postgres://from_env@envhost/envdb"),
            ("PGHOST", "pghost"),
            ("PGPORT", "5999"),
            ("PGUSER", "pguser"),
            ("PGPASSWORD", "pgsecret"),
            ("PGDATABASE", "pgdb"),
            ("PGSSLMODE", "require"),
            ("PGAPPNAME", "custom"),
            ("PGCONNECT_TIMEOUT", "7"),
        ];
        let explicit = resolve(Some("postgres://cli@clihost/clidb"), &env);
        assert_eq!(
            (
                explicit.user.as_str(),
                explicit.hosts[0].as_str(),
                explicit.dbname.as_str()
            ),
            ("cli", "clihost", "clidb")
        );
        assert_eq!(explicit.ports, vec![5999], "libpq variables fill the gaps");
        assert_eq!(password(&explicit), Some("pgsecret"));
        let from_url = resolve(None, &env);
        assert_eq!(from_url.user, "from_env");
        assert_eq!(from_url.dbname, "envdb");
        let only_libpq: Vec<_> = env.iter().skip(1).copied().collect();
        let libpq = resolve(None, &only_libpq);
        assert_eq!(libpq.target(), "pguser@pghost:5999/pgdb");
        assert_eq!(libpq.sslmode, SslMode::Require);
        assert_eq!(libpq.application_name, "custom");
        assert_eq!(libpq.connect_timeout, Duration::from_secs(7));
    }

    #[test]
    fn defaults_and_errors() {
        let settings = resolve(None, &[]);
        assert_eq!(settings.target(), "alice@localhost:5432/alice");
        assert_eq!(settings.sslmode, SslMode::Prefer);
        let lookup = |_: &str| None;
        for (text, expected) in [
            (
                "postgres://h/d?sslmode=always",
                "character 16 (sslmode): sslmode must be one of",
            ),
            (
                "host=h bogus=1",
                "character 8: this is not a connection parameter",
            ),
            ("host=h sslcrl=x", "`sslcrl` is a libpq parameter"),
            (
                "postgres://h:99999/d",
                "character 12 (port): port 1 is not a number",
            ),
            ("postgres://h:0x1/d", "character 14: the port of host 1"),
            ("mysql://h/d", "must start with postgres://"),
            ("postgres//h/d", "mistyped scheme"),
            ("host='h", "character 6: the quoted value"),
            (
                "host=h host=i",
                "`host` is given a second time (first: the connection string, character 1 (host))",
            ),
            ("postgres://h/d?host=i", "`host` is given a second time"),
            ("postgres://u@h1,,h2/d", "character 17: host 2 is empty"),
            ("postgres://[::1/d", "not closed with `]`"),
            ("postgres://[::1]x/d", "character 17: after the `]`"),
            ("postgres://::1/d", "more than one `:`"),
            (
                "postgres://u:a%zz@h/d",
                "character 15: a `%` in the password",
            ),
            ("postgres://u:%ff@h/d", "the password is not UTF-8"),
            (
                "postgres://u:a/b@h/d",
                "character 17: an `@` after the host part",
            ),
            ("postgres://u:a@b@h/d", "a second `@`"),
            ("postgres://h/d?x", "a URL parameter without `=value`"),
            ("postgres://h/d?=x", "without a name"),
            ("postgres://u:a b@h/d", "a URL cannot contain spaces"),
            ("password=a b", "character 12: a word without `=value`"),
            ("=x", "a `=` without a parameter name"),
            ("host= ", "host 1 is empty"),
            (
                "connect_timeout=soon",
                "connect_timeout must be a whole number",
            ),
        ] {
            let error = ConnectionSettings::resolve_on(Some(text), &lookup, &machine())
                .expect_err(text)
                .to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn ipv6_hosts_and_libpq_variables_named_in_errors() {
        let settings = resolve(Some("postgres://u@[::1]:5433,h2:5434/d"), &[]);
        assert_eq!(settings.hosts, vec!["::1", "h2"]);
        assert_eq!(settings.ports, vec![5433, 5434]);
        assert_eq!(
            settings.endpoints(),
            vec![("::1".to_string(), 5433), ("h2".to_string(), 5434)]
        );
        let env = HashMap::from([("PGPORT".to_string(), "hunter2".to_string())]);
        let error = ConnectionSettings::resolve_on(
            Some("host=h"),
            &|name| env.get(name).cloned(),
            &machine(),
        )
        .expect_err("PGPORT is not a port")
        .to_string();
        assert!(error.contains("PGPORT: port 1 is not a number"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let settings = resolve(Some("postgres://u:hunter2@h/d"), &[]);
        let shown = format!("{settings:?} {}", settings.target());
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(settings.has_password());
        let scratch = settings.with_dbname("scratch");
        assert_eq!(scratch.target(), "u@h:5432/scratch");
        assert_eq!(scratch.credentials, settings.credentials);
    }

    /// Settings on `machine` with `env`, or the error's text.
    fn resolve_with(
        explicit: Option<&str>,
        env: &[(&str, &str)],
        machine: &Machine,
    ) -> Result<ConnectionSettings, String> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        ConnectionSettings::resolve_on(explicit, &|name| env.get(name).cloned(), machine)
            .map_err(|error| error.to_string())
    }

    #[cfg(unix)]
    fn private_file(dir: &TestDir, name: &str, text: &str, mode: u32) -> String {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.write(name, text);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("mode");
        path.display().to_string()
    }

    #[test]
    fn without_a_host_libpq_uses_the_socket_folder_and_the_os_user() {
        let sockets = TestDir::new("sockets");
        let machine = Machine {
            socket_dirs: vec![PathBuf::from("/nonexistent/run"), sockets.0.clone()],
            ..machine()
        };
        let settings = resolve_with(None, &[], &machine).expect("defaults");
        let folder = sockets.0.display().to_string();
        assert_eq!(settings.hosts, vec![folder.clone()]);
        assert_eq!(settings.target(), format!("alice@{folder}:5432/alice"));
        let nobody = Machine {
            user: None,
            ..machine
        };
        let error = resolve_with(None, &[], &nobody).expect_err("no user");
        assert!(error.contains("set PGUSER"), "{error}");
        assert_eq!(
            resolve_with(None, &[("PGUSER", "bob")], &nobody)
                .expect("PGUSER")
                .target(),
            format!("bob@{folder}:5432/bob")
        );
    }

    #[test]
    fn a_service_comes_before_the_environment_as_in_libpq() {
        let dir = TestDir::new("service");
        let file = dir.write(
            "services",
            "[ledger]\nhost=service-host\ndbname=service-db\npassword=service-secret\n",
        );
        let file = file.display().to_string();
        let env = [
            ("PGSERVICEFILE", file.as_str()),
            ("PGSERVICE", "ledger"),
            ("PGHOST", "env-host"),
            ("PGPORT", "6000"),
            ("PGPASSWORD", "env-secret"),
        ];
        let settings = resolve_with(Some("dbname=cli-db"), &env, &machine()).expect("service");
        assert_eq!(settings.target(), "alice@service-host:6000/cli-db");
        assert_eq!(password(&settings), Some("service-secret"));
        assert!(
            password_origin(&settings).ends_with("services, line 4 (password)"),
            "{}",
            password_origin(&settings)
        );
        let keyword = resolve_with(Some("service=ledger host=cli-host"), &env[..1], &machine())
            .expect("service= in the string");
        assert_eq!(keyword.target(), "alice@cli-host:5432/service-db");
        let error = resolve_with(Some("service=nope"), &env[..1], &machine()).expect_err("nope");
        assert!(
            error.contains("the connection string, character 1 (service): the service"),
            "{error}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_password_file_comes_last_and_is_looked_up_per_host() {
        let home = TestDir::new("home");
        private_file(
            &home,
            ".pgpass",
            "# comment\nlocalhost:5432:alice:alice:socket-secret\nh2:5433:*:alice:h2-secret\n",
            0o600,
        );
        let sockets = TestDir::new("run");
        let machine = Machine {
            socket_dirs: vec![sockets.0.clone()],
            home: Some(home.0.clone()),
            ..machine()
        };
        let socket = resolve_with(None, &[], &machine).expect("socket");
        assert_eq!(
            password(&socket),
            Some("socket-secret"),
            "the default socket is localhost"
        );
        assert!(
            password_origin(&socket).ends_with(".pgpass, line 2"),
            "{}",
            password_origin(&socket)
        );
        let two = resolve_with(Some("host=h1,h2 port=5432,5433"), &[], &machine).expect("two");
        assert_eq!(
            two.credentials
                .iter()
                .map(|c| matches!(c, Credential::Given(_)))
                .collect::<Vec<_>>(),
            [false, true]
        );
        let why = match two.credential(0) {
            Credential::Missing(why) => why.clone(),
            Credential::Given(_) => String::new(),
        };
        assert!(why.contains("no line of"), "{why}");
        assert!(why.contains(".pgpass matches h1:5432:alice:alice"), "{why}");
        let env = resolve_with(None, &[("PGPASSWORD", "env-secret")], &machine).expect("env");
        assert_eq!(
            password(&env),
            Some("env-secret"),
            "PGPASSWORD before the file"
        );
        assert_eq!(password_origin(&env), "PGPASSWORD");
        let url = resolve_with(
            Some("postgres://alice:url-secret@/alice"),
            &[("PGPASSWORD", "env-secret")],
            &machine,
        )
        .expect("url");
        assert_eq!(
            password(&url),
            Some("url-secret"),
            "the string before PGPASSWORD"
        );

        let other = TestDir::new("passfile");
        let named = private_file(&other, "pw", "*:*:*:*:named-secret\n", 0o600);
        let passfile = resolve_with(None, &[("PGPASSFILE", &named)], &machine).expect("PGPASSFILE");
        assert_eq!(password(&passfile), Some("named-secret"));
        assert_eq!(password_origin(&passfile), format!("{named}, line 1"));
        assert!(passfile.warnings.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_password_file_others_can_read_is_ignored_with_a_warning() {
        let home = TestDir::new("open");
        private_file(&home, ".pgpass", "*:*:*:*:open-secret\n", 0o644);
        let machine = Machine {
            home: Some(home.0.clone()),
            ..machine()
        };
        let settings = resolve_with(Some("host=h"), &[], &machine).expect("settings");
        assert_eq!(password(&settings), None);
        assert_eq!(settings.warnings.len(), 1, "{:?}", settings.warnings);
        let warning = &settings.warnings[0];
        assert!(
            warning.contains(".pgpass is ignored: it has group or world access"),
            "{warning}"
        );
        assert!(warning.contains("u=rw (0600)"), "{warning}");
        assert!(password_origin(&settings).contains("is ignored"));
        let shown = format!("{settings:?} {warning}");
        assert!(!shown.contains("open-secret"), "{shown}");
        let given = resolve_with(Some("host=h password=x"), &[], &machine).expect("given");
        assert!(
            given.warnings.is_empty(),
            "the file is read only when needed"
        );
        let home_env = home.0.display().to_string();
        let absent = resolve_with(Some("host=h"), &[("HOME", "/nonexistent")], &machine)
            .expect("HOME wins over the user database");
        assert!(password_origin(&absent).contains("no password file /nonexistent/.pgpass"));
        assert!(
            resolve_with(Some("host=h"), &[("HOME", &home_env)], &machine)
                .expect("HOME")
                .warnings
                .len()
                == 1
        );
    }

    #[test]
    fn certificates_default_to_the_home_folder() {
        let home = TestDir::new("certs");
        std::fs::create_dir_all(home.0.join(".postgresql")).expect("folder");
        let machine = Machine {
            home: Some(home.0.clone()),
            ..machine()
        };
        let dir = home.0.join(".postgresql");
        let settings = resolve_with(Some("host=h"), &[], &machine).expect("no root.crt");
        assert_eq!(settings.sslroot_cert, None, "the system roots");
        assert_eq!(settings.ssl_cert, Some(dir.join("postgresql.crt")));
        assert_eq!(settings.ssl_key, Some(dir.join("postgresql.key")));
        home.write(".postgresql/root.crt", "");
        let settings = resolve_with(Some("host=h"), &[], &machine).expect("root.crt");
        assert_eq!(settings.sslroot_cert, Some(dir.join("root.crt")));
        let env = [
            ("PGSSLROOTCERT", "system"),
            ("PGSSLCERT", "/c.crt"),
            ("PGSSLKEY", "/c.key"),
        ];
        let settings = resolve_with(Some("host=h"), &env, &machine).expect("variables");
        assert_eq!(settings.sslroot_cert, None);
        assert_eq!(settings.ssl_cert, Some(PathBuf::from("/c.crt")));
        assert_eq!(settings.ssl_key, Some(PathBuf::from("/c.key")));
    }

    #[test]
    fn pgconnect_timeout_and_sslmode_allow() {
        for (value, expected) in [("7", 7), ("1", 2), ("0", 10), (" 4 ", 4)] {
            let settings = resolve(Some("host=h"), &[("PGCONNECT_TIMEOUT", value)]);
            assert_eq!(
                settings.connect_timeout,
                Duration::from_secs(expected),
                "{value:?}"
            );
        }
        let error = resolve_with(Some("host=h"), &[("PGCONNECT_TIMEOUT", "soon")], &machine())
            .expect_err("not a number");
        assert!(
            error.contains("PGCONNECT_TIMEOUT: connect_timeout must be"),
            "{error}"
        );
        assert_eq!(
            resolve(Some("host=h sslmode=allow"), &[]).sslmode,
            SslMode::Allow
        );
        assert_eq!(
            resolve(Some("host=h"), &[("PGSSLMODE", "allow")])
                .sslmode
                .as_str(),
            "allow"
        );
        let app = resolve(
            Some("host=h"),
            &[("PGAPPNAME", "nightly"), ("PGOPTIONS", "-c x=y")],
        );
        assert_eq!(app.application_name, "nightly");
        assert_eq!(app.options.as_deref(), Some("-c x=y"));
    }
}
