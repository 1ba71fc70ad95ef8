use super::LiveError;
use std::collections::BTreeMap;
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
    fn parse(text: &str) -> Result<SslMode, LiveError> {
        match text {
            "disable" => Ok(SslMode::Disable),
            "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" => Ok(SslMode::VerifyCa),
            "verify-full" => Ok(SslMode::VerifyFull),
            other => Err(LiveError::invalid(format!(
                "sslmode `{other}` is not one of disable, prefer, require, verify-ca, verify-full"
            ))),
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
        let mut parameters = BTreeMap::new();
        for (variable, key) in LIBPQ_VARIABLES {
            if let Some(value) = lookup(variable).filter(|value| !value.is_empty()) {
                parameters.insert(key.to_string(), value);
            }
        }
        let database_url = lookup("DATABASE_URL").filter(|value| !value.trim().is_empty());
        if let Some(text) = explicit.map(str::to_string).or(database_url) {
            parameters.extend(parse_connection_string(&text)?);
        }
        let fallback_user = lookup("USER").unwrap_or_else(|| "postgres".to_string());
        Self::from_parameters(parameters, &fallback_user)
    }

    /// Settings from one URL (`postgres://…`) or key/value (`host=… dbname=…`) string
    /// alone, without the environment.
    pub fn parse(text: &str) -> Result<Self, LiveError> {
        Self::from_parameters(parse_connection_string(text)?, "postgres")
    }

    fn from_parameters(
        mut parameters: BTreeMap<String, String>,
        fallback_user: &str,
    ) -> Result<Self, LiveError> {
        let hosts = split_list(parameters.remove("host").as_deref().unwrap_or("localhost"));
        let ports = split_list(parameters.remove("port").as_deref().unwrap_or("5432"))
            .iter()
            .map(|port| {
                port.parse::<u16>().map_err(|_| {
                    LiveError::invalid(format!("port `{port}` is not a number from 1 to 65535"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if ports.len() != 1 && ports.len() != hosts.len() {
            return Err(LiveError::invalid(format!(
                "{} ports for {} hosts: give one port, or one per host",
                ports.len(),
                hosts.len()
            )));
        }
        let user = parameters
            .remove("user")
            .unwrap_or_else(|| fallback_user.to_string());
        let dbname = parameters.remove("dbname").unwrap_or_else(|| user.clone());
        let sslmode = SslMode::parse(parameters.remove("sslmode").as_deref().unwrap_or("prefer"))?;
        let connect_timeout = match parameters.remove("connect_timeout") {
            None => DEFAULT_CONNECT_TIMEOUT,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(0) => DEFAULT_CONNECT_TIMEOUT,
                Ok(seconds) => Duration::from_secs(seconds.max(2)),
                Err(_) => {
                    return Err(LiveError::invalid(format!(
                        "connect_timeout `{text}` is not a whole number of seconds"
                    )))
                }
            },
        };
        let settings = ConnectionSettings {
            hosts,
            ports,
            user,
            password: parameters.remove("password").map(Password),
            dbname,
            sslmode,
            sslroot_cert: parameters.remove("sslrootcert").map(PathBuf::from),
            application_name: parameters
                .remove("application_name")
                .unwrap_or_else(|| "pgparity".to_string()),
            connect_timeout,
            options: parameters.remove("options"),
        };
        if let Some(unknown) = parameters.keys().next() {
            return Err(LiveError::invalid(format!(
                "connection parameter `{unknown}` is not supported; use host, port, user, \
                 password, dbname, sslmode, sslrootcert, application_name, connect_timeout \
                 or options"
            )));
        }
        Ok(settings)
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

    pub(super) fn postgres_config(&self) -> postgres::Config {
        let mut config = postgres::Config::new();
        for host in &self.hosts {
            config.host(host);
        }
        for port in &self.ports {
            config.port(*port);
        }
        config.user(&self.user);
        if let Some(password) = &self.password {
            config.password(&password.0);
        }
        config.dbname(&self.dbname);
        config.application_name(&self.application_name);
        config.connect_timeout(self.connect_timeout);
        if let Some(options) = &self.options {
            config.options(options);
        }
        config.ssl_mode(match self.sslmode {
            SslMode::Disable => postgres::config::SslMode::Disable,
            SslMode::Prefer => postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                postgres::config::SslMode::Require
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

/// Parses either connection string form into libpq parameter names and values.
fn parse_connection_string(text: &str) -> Result<BTreeMap<String, String>, LiveError> {
    let text = text.trim();
    if let Some(rest) = text
        .strip_prefix("postgresql://")
        .or_else(|| text.strip_prefix("postgres://"))
    {
        parse_url(rest)
    } else if text.contains("://") {
        Err(LiveError::invalid(format!(
            "`{text}` is not a PostgreSQL URL: it must start with postgres:// or postgresql://"
        )))
    } else {
        parse_key_values(text)
    }
}

fn parse_url(rest: &str) -> Result<BTreeMap<String, String>, LiveError> {
    let mut parameters = BTreeMap::new();
    let (before_query, query) = match rest.split_once('?') {
        Some((before, query)) => (before, Some(query)),
        None => (rest, None),
    };
    let (authority, path) = match before_query.split_once('/') {
        Some((authority, path)) => (authority, Some(path)),
        None => (before_query, None),
    };
    let hosts = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => {
            match userinfo.split_once(':') {
                Some((user, password)) => {
                    insert_nonempty(&mut parameters, "user", percent_decode(user)?);
                    parameters.insert("password".to_string(), percent_decode(password)?);
                }
                None => insert_nonempty(&mut parameters, "user", percent_decode(userinfo)?),
            }
            hosts
        }
        None => authority,
    };
    let mut host_list = Vec::new();
    let mut port_list = Vec::new();
    for entry in hosts.split(',').filter(|entry| !entry.is_empty()) {
        let (host, port) = split_host_port(entry);
        host_list.push(percent_decode(host)?);
        if let Some(port) = port {
            port_list.push(port.to_string());
        }
    }
    if !host_list.is_empty() && host_list.iter().any(|host| !host.is_empty()) {
        parameters.insert("host".to_string(), host_list.join(","));
    }
    if !port_list.is_empty() {
        parameters.insert("port".to_string(), port_list.join(","));
    }
    if let Some(path) = path {
        insert_nonempty(&mut parameters, "dbname", percent_decode(path)?);
    }
    for pair in query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
    {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| LiveError::invalid(format!("URL parameter `{pair}` has no `=value`")))?;
        parameters.insert(normalize_key(&percent_decode(key)?), percent_decode(value)?);
    }
    Ok(parameters)
}

fn split_host_port(entry: &str) -> (&str, Option<&str>) {
    if let Some(rest) = entry.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            return (host, after.strip_prefix(':'));
        }
    }
    match entry.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (entry, None),
    }
}

fn insert_nonempty(parameters: &mut BTreeMap<String, String>, key: &str, value: String) {
    if !value.is_empty() {
        parameters.insert(key.to_string(), value);
    }
}

/// libpq accepts a few aliases in URLs.
fn normalize_key(key: &str) -> String {
    match key {
        "ssl" => "sslmode".to_string(),
        "database" => "dbname".to_string(),
        other => other.to_string(),
    }
}

fn percent_decode(text: &str) -> Result<String, LiveError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    LiveError::invalid("a `%` in the URL is not followed by two hex digits")
                })?;
            out.push(hex);
            index += 3;
        } else {
            out.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| LiveError::invalid("a percent-encoded part of the URL is not UTF-8"))
}

fn parse_key_values(text: &str) -> Result<BTreeMap<String, String>, LiveError> {
    let mut parameters = BTreeMap::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            break;
        }
        let mut key = String::new();
        while let Some(&c) = chars.peek() {
            if c == '=' || c.is_whitespace() {
                break;
            }
            key.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next() != Some('=') {
            return Err(LiveError::invalid(format!(
                "`{key}` in the connection string has no `=value` (write key=value pairs \
                 separated by spaces, or a postgres:// URL)"
            )));
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'\'') {
            chars.next();
            let mut closed = false;
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '\'' => {
                        closed = true;
                        break;
                    }
                    c => value.push(c),
                }
            }
            if !closed {
                return Err(LiveError::invalid(format!(
                    "the quoted value of `{key}` is not closed with `'`"
                )));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                if c == '\\' {
                    value.extend(chars.next());
                } else {
                    value.push(c);
                }
            }
        }
        parameters.insert(key, value);
    }
    Ok(parameters)
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
            ("postgres://h/d?sslmode=always", "sslmode `always`"),
            ("host=h bogus=1", "`bogus` is not supported"),
            ("postgres://h:99999/d", "port `99999`"),
            ("mysql://h/d", "not a PostgreSQL URL"),
            ("host='h", "not closed"),
        ] {
            let error = ConnectionSettings::resolve(Some(text), lookup)
                .expect_err(text)
                .to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
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
