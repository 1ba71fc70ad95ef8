use super::settings::{ConnectionSettings, SslMode};
use super::LiveError;
use crate::model::QualifiedName;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row};
use postgres_native_tls::MakeTlsConnector;
use std::time::Duration;

/// Limits of the one transaction a session runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    /// `statement_timeout` of every query (default 30 s).
    pub statement_timeout: Duration,
    /// `lock_timeout` of every query (default 5 s): pgparity never waits long behind a
    /// migration holding locks.
    pub lock_timeout: Duration,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(5),
        }
    }
}

/// One connection holding one `REPEATABLE READ READ ONLY` transaction: every query sees
/// the same snapshot and none can write. The transaction is never committed; dropping
/// the session closes the connection, which ends it.
pub struct LiveSession {
    client: Client,
    target: String,
    server_version: u32,
}

impl std::fmt::Debug for LiveSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSession")
            .field("target", &self.target)
            .field("server_version", &self.server_version)
            .finish()
    }
}

impl LiveSession {
    /// Connects with `settings` and opens the read-only transaction with the timeouts of
    /// `options`.
    pub fn connect(
        settings: &ConnectionSettings,
        options: &SessionOptions,
    ) -> Result<LiveSession, LiveError> {
        let target = settings.target();
        let mut client = connect_client(settings)?;
        let begin = format!(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL statement_timeout = {}; SET LOCAL lock_timeout = {};",
            options.statement_timeout.as_millis().max(1),
            options.lock_timeout.as_millis().max(1)
        );
        client
            .batch_execute(&begin)
            .map_err(|error| LiveError::from_query("starting the read-only transaction", &error))?;
        let mut session = LiveSession {
            client,
            target,
            server_version: 0,
        };
        let version = session.query_one_text(
            "reading the server version",
            "SELECT current_setting('server_version_num')",
        )?;
        session.server_version = version.trim().parse().map_err(|_| LiveError::QueryFailed {
            what: "reading the server version".to_string(),
            message: format!("unexpected server_version_num `{version}`"),
        })?;
        Ok(session)
    }

    /// The server for messages: `user@host:port/dbname` (never the password).
    pub fn target(&self) -> &str {
        &self.target
    }

    /// `server_version_num`, e.g. `150004`.
    pub fn server_version(&self) -> u32 {
        self.server_version
    }

    /// Runs one read-only query whose rows have a single text column, inside the
    /// session's transaction (where `statement_timeout` and `lock_timeout` apply).
    /// Callers use it for small read-only probes; `what` names the query in errors.
    pub fn query_text(&mut self, what: &str, sql: &str) -> Result<Vec<Option<String>>, LiveError> {
        let rows = self.query(what, sql, &[])?;
        rows.iter()
            .map(|row| row.try_get::<_, Option<String>>(0))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| LiveError::from_query(what, &error))
    }

    /// At most `limit` rows of `relation`, each as the JSON text `row_to_json` makes of it.
    pub fn sample_rows(
        &mut self,
        relation: &QualifiedName,
        limit: u32,
    ) -> Result<Vec<String>, LiveError> {
        let sql = format!(
            "SELECT row_to_json(t)::text FROM {}.{} AS t LIMIT {limit}",
            quote_identifier(&relation.schema),
            quote_identifier(&relation.name)
        );
        let what = format!("sampling rows of {relation}");
        Ok(self
            .query_text(&what, &sql)?
            .into_iter()
            .flatten()
            .collect())
    }

    pub(super) fn query(
        &mut self,
        what: &str,
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, LiveError> {
        self.client
            .query(sql, parameters)
            .map_err(|error| LiveError::from_query(what, &error))
    }

    fn query_one_text(&mut self, what: &str, sql: &str) -> Result<String, LiveError> {
        self.query_text(what, sql)?
            .into_iter()
            .flatten()
            .next()
            .ok_or_else(|| LiveError::QueryFailed {
                what: what.to_string(),
                message: "the server returned no value".to_string(),
            })
    }
}

/// A connection with the TLS setup of `settings` and no transaction open: sessions
/// make it read-only; the scratch database of `--dev-db` is the one place that writes.
pub(super) fn connect_client(settings: &ConnectionSettings) -> Result<Client, LiveError> {
    let target = settings.target();
    let config = settings.postgres_config();
    let connected = match settings.sslmode {
        SslMode::Disable => config.connect(NoTls),
        _ => config.connect(tls_connector(settings, &target)?),
    };
    connected.map_err(|error| LiveError::from_connect(&target, settings.sslmode.as_str(), &error))
}

/// Asks the server to cancel what the connection of `token` runs, over a new connection
/// with the TLS setup of `settings`. Best effort: the caller reports the statement's end
/// either way.
pub(super) fn cancel_query(settings: &ConnectionSettings, token: &postgres::CancelToken) {
    let _ = match settings.sslmode {
        SslMode::Disable => token.cancel_query(NoTls),
        _ => match tls_connector(settings, &settings.target()) {
            Ok(tls) => token.cancel_query(tls),
            Err(_) => return,
        },
    };
}

/// `"name"` with inner quotes doubled.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The TLS setup of libpq's sslmodes: `prefer`/`require` encrypt without verifying
/// (unless `require` has a root certificate), `verify-ca` checks the chain only,
/// `verify-full` the chain and the host name.
fn tls_connector(
    settings: &ConnectionSettings,
    target: &str,
) -> Result<MakeTlsConnector, LiveError> {
    let mut builder = native_tls::TlsConnector::builder();
    let root = match &settings.sslroot_cert {
        Some(path) => {
            let pem = std::fs::read(path).map_err(|error| LiveError::Tls {
                target: target.to_string(),
                message: format!("cannot read sslrootcert {}: {error}", path.display()),
            })?;
            let certificate =
                native_tls::Certificate::from_pem(&pem).map_err(|error| LiveError::Tls {
                    target: target.to_string(),
                    message: format!(
                        "sslrootcert {} is not a PEM certificate: {error}",
                        path.display()
                    ),
                })?;
            builder.add_root_certificate(certificate);
            true
        }
        None => false,
    };
    let (verify_chain, verify_host) = match settings.sslmode {
        SslMode::Disable | SslMode::Prefer => (false, false),
        SslMode::Require => (root, false),
        SslMode::VerifyCa => (true, false),
        SslMode::VerifyFull => (true, true),
    };
    builder
        .danger_accept_invalid_certs(!verify_chain)
        .danger_accept_invalid_hostnames(!verify_host);
    let connector = builder.build().map_err(|error| LiveError::Tls {
        target: target.to_string(),
        message: error.to_string(),
    })?;
    Ok(MakeTlsConnector::new(connector))
}
