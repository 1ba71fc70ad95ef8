use super::connection_string::{self, Parameter, Parameters};
use super::LiveError;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// How TLS is negotiated, with libpq's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain connection only.
    Disable,
    /// Try TLS (without verifying the certificate), fall back to plain.
    Prefer,
    /// TLS without certificate verification (verified against `sslrootcert` when one is
    /// given, as libpq does).
    Require,
    /// TLS, the chain verified against `sslrootcert` or the system roots; host name not
    /// checked.
    VerifyCa,
    /// TLS, chain and host name verified.
    VerifyFull,
}

impl SslMode {
    fn parse(text: &str) -> Option<SslMode> {
        match text {
            "disable" => Some(SslMode::Disable),
            "prefer" => Some(SslMode::Prefer),
            "require" => Some(SslMode::Require),
            "verify-ca" => Some(SslMode::VerifyCa),
            "verify-full" => Some(SslMode::VerifyFull),
            _ => None,
        }
    }

    /// The libpq spelling: `disable`, `prefer`, `require`, `verify-ca`, `verify-full`.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A password that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(super) struct Password(pub(super) String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where and how to connect, resolved from a URL or key/value string and the libpq
/// environment variables. `Debug` never shows the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    /// Host names, IP addresses or Unix socket directories (libpq allows a list).
    pub hosts: Vec<String>,
    /// Ports, one for all hosts or one per host.
    pub ports: Vec<u16>,
    /// Role to log in as.
    pub user: String,
    pub(super) password: Option<Password>,
    /// Database name.
    pub dbname: String,
    /// TLS mode.
    pub sslmode: SslMode,
    /// CA certificate file (PEM) used to verify the server.
    pub sslroot_cert: Option<PathBuf>,
    /// `application_name` reported to the server (`pgparity` unless configured).
    pub application_name: String,
    /// How long connecting may take (default 10 s).
    pub connect_timeout: Duration,
    /// `options` sent at startup (e.g. `-c search_path=app`), as libpq passes them.
    pub options: Option<String>,
}

/// The connect timeout when neither the URL nor `PGCONNECT_TIMEOUT` sets one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// libpq environment variables and the connection parameters they stand for.
const LIBPQ_VARIABLES: [(&str, &str); 9] = [
    ("PGHOST", "host"),
    ("PGPORT", "port"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGDATABASE", "dbname"),
    ("PGSSLMODE", "sslmode"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGAPPNAME", "application_name"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
];

impl ConnectionSettings {
    /// Settings from the process environment: `explicit` (the `--db` value) first, else
    /// `DATABASE_URL`, with the libpq variables filling whatever the string leaves out.
    pub fn from_environment(explicit: Option<&str>) -> Result<Self, LiveError> {
        Self::resolve(explicit, |name| std::env::var(name).ok())
    }

    /// Like [`ConnectionSettings::from_environment`], reading variables through `lookup`
    /// (tests pass a map).
    pub fn resolve(
        explicit: Option<&str>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, LiveError> {
        let mut parameters = Parameters::new();
        for (variable, key) in LIBPQ_VARIABLES {
            if let Some(value) = lookup(variable).filter(|value| !value.is_empty()) {
                let origin = variable.to_string();
                parameters.insert(key.to_string(), Parameter { value, origin });
            }
        }
        let database_url = lookup("DATABASE_URL").filter(|value| !value.trim().is_empty());
        let given = match (explicit, &database_url) {
            (Some(text), _) => Some(connection_string::parse(text, "the connection string")?),
            (None, Some(text)) => Some(connection_string::parse(text, "DATABASE_URL")?),
            (None, None) => None,
        };
        parameters.extend(given.into_iter().flatten());
        let fallback_user = lookup("USER").unwrap_or_else(|| "postgres".to_string());
        Self::from_parameters(parameters, &fallback_user)
    }

    /// Settings from one URL (`postgres://…`) or key/value (`host=… dbname=…`) string
    /// alone, without the environment.
    pub fn parse(text: &str) -> Result<Self, LiveError> {
        Self::from_parameters(
            connection_string::parse(text, "the connection string")?,
            "postgres",
        )
    }

    /// Checks the values and builds the settings. Messages name where a bad value was
    /// given, never the value: a misplaced password can end up in any parameter.
    fn from_parameters(mut parameters: Parameters, fallback_user: &str) -> Result<Self, LiveError> {
        let mut take = |key: &str| parameters.remove(key);
        let hosts = match take("host") {
            Some(given) => {
                let hosts = split_list(&given.value);
                if let Some(number) = hosts.iter().position(String::is_empty) {
                    return Err(LiveError::invalid(format!(
                        "{}: host {} is empty; give a host name or address, or leave host out \
                         for localhost",
                        given.origin,
                        number + 1
                    )));
                }
                hosts
            }
            None => vec!["localhost".to_string()],
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
        if ports.len() != 1 && ports.len() != hosts.len() {
            return Err(LiveError::invalid(format!(
                "{} ports for {} hosts: give one port, or one per host",
                ports.len(),
                hosts.len()
            )));
        }
        let user = take("user").map_or_else(|| fallback_user.to_string(), |user| user.value);
        let dbname = take("dbname").map_or_else(|| user.clone(), |dbname| dbname.value);
        let sslmode = match take("sslmode") {
            Some(given) => SslMode::parse(&given.value).ok_or_else(|| {
                LiveError::invalid(format!(
                    "{}: sslmode must be one of disable, prefer, require, verify-ca, verify-full",
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
        Ok(ConnectionSettings {
            hosts,
            ports,
            user,
            password: take("password").map(|password| Password(password.value)),
            dbname,
            sslmode,
            sslroot_cert: take("sslrootcert").map(|path| PathBuf::from(path.value)),
            application_name: take("application_name")
                .map_or_else(|| "pgparity".to_string(), |name| name.value),
            connect_timeout,
            options: take("options").map(|options| options.value),
        })
    }

    /// The same server and credentials, another database (e.g. a scratch database
    /// next to the target).
    pub fn with_dbname(&self, dbname: &str) -> ConnectionSettings {
        ConnectionSettings {
            dbname: dbname.to_string(),
            ..self.clone()
        }
    }

    /// The same server and TLS setup, logging in to `dbname` as `user` with `password`
    /// (the scratch role of `--dev-db`).
    pub(super) fn with_login(&self, user: &str, password: &str, dbname: &str) -> Self {
        ConnectionSettings {
            user: user.to_string(),
            password: Some(Password(password.to_string())),
            dbname: dbname.to_string(),
            ..self.clone()
        }
    }

    /// Whether a password is set (the password itself is never handed out).
    pub fn has_password(&self) -> bool {
        self.password.is_some()
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

    /// One endpoint for messages: `user@host:port/dbname`.
    pub(super) fn endpoint_target(&self, host: &str, port: u16) -> String {
        format!("{}@{host}:{port}/{}", self.user, self.dbname)
    }

    /// The `tokio-postgres` configuration for one endpoint, with TCP keepalives on. The
    /// connect timeout is not set here: the caller bounds the whole connect with it.
    pub(super) fn postgres_config(&self, host: &str, port: u16) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config.host(host).port(port).user(&self.user);
        if let Some(password) = &self.password {
            config.password(&password.0);
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
        config.ssl_mode(match self.sslmode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        });
        config
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(|part| part.trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn resolve(explicit: Option<&str>, env: &[(&str, &str)]) -> ConnectionSettings {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        ConnectionSettings::resolve(explicit, |name| env.get(name).cloned())
            .expect("settings resolve")
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
        assert_eq!(settings.password, Some(Password("s@cret".to_string())));
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
        assert_eq!(settings.password, Some(Password("a b'c".to_string())));
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
        assert_eq!(explicit.password, Some(Password("pgsecret".to_string())));
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
        let settings = resolve(None, &[("USER", "alice")]);
        assert_eq!(settings.target(), "alice@localhost:5432/alice");
        assert_eq!(settings.sslmode, SslMode::Prefer);
        let env = HashMap::<String, String>::new();
        let lookup = |name: &str| env.get(name).cloned();
        for (text, expected) in [
            (
                "postgres://h/d?sslmode=always",
                "character 16 (sslmode): sslmode must be one of",
            ),
            (
                "host=h bogus=1",
                "character 8: this is not a connection parameter",
            ),
            ("host=h sslcert=x", "`sslcert` is a libpq parameter"),
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
            let error = ConnectionSettings::resolve(Some(text), lookup)
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
        let error = ConnectionSettings::resolve(Some("host=h"), |name| env.get(name).cloned())
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
        assert_eq!(scratch.password, settings.password);
    }
}
