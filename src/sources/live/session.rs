use super::settings::{is_socket_dir, ConnectionSettings, SslMode};
use super::LiveError;
use crate::model::QualifiedName;
use futures_util::TryStreamExt;
use postgres_native_tls::MakeTlsConnector;
use std::fmt;
use std::future::Future;
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio_postgres::config::SslMode as WireMode;
use tokio_postgres::error::DbError;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// Limits of the one transaction a session runs. A zero duration means no limit, as in
/// PostgreSQL (`statement_timeout = 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    /// `statement_timeout` of every query (default 30 s). pgparity also stops waiting
    /// [`DEADLINE_GRACE`] after it, in case the server cannot enforce it (a frozen
    /// backend, a network that drops packets).
    pub statement_timeout: Duration,
    /// `lock_timeout` of every query (default 5 s): pgparity never waits long behind a
    /// migration holding locks.
    pub lock_timeout: Duration,
    /// Connections that read the catalog (default [`DEFAULT_CATALOG_CONNECTIONS`]): the
    /// first exports its snapshot, the others import it and run part of the queries. 1
    /// reads everything on one connection, for poolers that cannot share a snapshot
    /// between connections (PgBouncer in transaction mode).
    pub catalog_connections: usize,
}

/// Default of [`SessionOptions::catalog_connections`]: a second connection halves the
/// catalog queries' wall time on a server with two or more cores, and more connections
/// gain little while the client decodes rows on one thread.
pub const DEFAULT_CATALOG_CONNECTIONS: usize = 2;

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(5),
            catalog_connections: DEFAULT_CATALOG_CONNECTIONS,
        }
    }
}

impl SessionOptions {
    /// How long pgparity waits for the answer to one query: the statement timeout plus
    /// [`DEADLINE_GRACE`], or forever when the statement timeout is 0.
    pub fn client_deadline(&self) -> Option<Duration> {
        (!self.statement_timeout.is_zero()).then(|| self.statement_timeout + DEADLINE_GRACE)
    }

    /// `SET statement_timeout = …; SET lock_timeout = …;` in milliseconds (`LOCAL` inside
    /// a transaction); 0 is PostgreSQL's "no limit".
    fn timeout_settings_sql(&self, local: bool) -> String {
        let scope = if local { "LOCAL " } else { "" };
        format!(
            "SET {scope}statement_timeout = {}; SET {scope}lock_timeout = {};",
            self.statement_timeout.as_millis(),
            self.lock_timeout.as_millis()
        )
    }
}

/// What a session on an exported snapshot takes from the session that exported it: the
/// server version, and the TLS connector (certificates are read once).
#[derive(Clone)]
pub(super) struct SnapshotSource {
    server_version: u32,
    connector: Option<MakeTlsConnector>,
}

/// `BEGIN` of a session's read-only `REPEATABLE READ` transaction, importing `snapshot`
/// when there is one (`SET TRANSACTION SNAPSHOT` must be its first statement), with the
/// timeouts of `options`.
fn begin_sql(options: &SessionOptions, snapshot: Option<&str>) -> String {
    let import = snapshot.map_or_else(String::new, |snapshot| {
        format!(
            "SET TRANSACTION SNAPSHOT '{}'; ",
            snapshot.replace('\'', "''")
        )
    });
    format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; {import}{}",
        options.timeout_settings_sql(true)
    )
}

/// Time the server gets past its own `statement_timeout` to answer (with the
/// cancellation) before pgparity gives up on it.
pub const DEADLINE_GRACE: Duration = Duration::from_secs(5);

/// How long sending a cancel request may take (it is a new connection to the server).
const CANCEL_REQUEST_LIMIT: Duration = Duration::from_secs(5);

/// TCP keepalives: a peer that vanished without closing is noticed after about
/// `idle + interval × retries` (two minutes) rather than the kernel's two hours.
pub(super) const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);
pub(super) const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
pub(super) const KEEPALIVE_RETRIES: u32 = 6;

/// One connection holding one `REPEATABLE READ READ ONLY` transaction: every query sees
/// the same snapshot and none can write. The transaction is never committed; dropping
/// the session closes the connection, which ends it.
pub struct LiveSession {
    client: Client,
    target: String,
    server_version: u32,
    options: SessionOptions,
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
        let mut session = LiveSession::open(settings, options, None, None)?;
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

    /// A further session on the snapshot `snapshot` that [`LiveSession::export_snapshot`]
    /// exported from `first`: its transaction sees exactly what the first one's sees,
    /// read-only and with the same timeouts, over the same TLS setup.
    pub(super) fn connect_to_snapshot(
        settings: &ConnectionSettings,
        options: &SessionOptions,
        first: &SnapshotSource,
        snapshot: &str,
    ) -> Result<LiveSession, LiveError> {
        let mut session =
            LiveSession::open(settings, options, Some(snapshot), first.connector.clone())?;
        session.server_version = first.server_version;
        Ok(session)
    }

    /// What further sessions on this one's snapshot take from it.
    pub(super) fn snapshot_source(&self) -> SnapshotSource {
        SnapshotSource {
            server_version: self.server_version,
            connector: match &self.client.tls {
                Tls::Plain => None,
                Tls::Native(connector) => Some(connector.clone()),
            },
        }
    }

    /// Connects (with `connector` when TLS is needed and there is one) and begins the
    /// transaction, on `snapshot` when there is one.
    fn open(
        settings: &ConnectionSettings,
        options: &SessionOptions,
        snapshot: Option<&str>,
        connector: Option<MakeTlsConnector>,
    ) -> Result<LiveSession, LiveError> {
        let target = settings.target();
        let mut client = connect_client_reusing(settings, connector)?;
        client.options = *options;
        client
            .batch_execute(&begin_sql(options, snapshot))
            .map_err(|error| LiveError::from_query("starting the read-only transaction", &error))?;
        Ok(LiveSession {
            client,
            target,
            server_version: 0,
            options: *options,
        })
    }

    /// Exports the transaction's snapshot (`pg_export_snapshot()`) for further sessions
    /// to read the same catalog in parallel; it stays valid while this transaction is
    /// open. It must come before any statement whose effect the transaction keeps (a
    /// failed export aborts the transaction, which is then begun again on this
    /// connection): `Err` holds the server's reason, for a note.
    pub(super) fn export_snapshot(&mut self) -> Result<String, LiveError> {
        match self.query_one_text(
            "exporting the snapshot",
            "SELECT pg_catalog.pg_export_snapshot()",
        ) {
            Ok(snapshot) => Ok(snapshot),
            Err(error) => {
                let restart = format!("ROLLBACK; {}", begin_sql(&self.options, None));
                self.client.batch_execute(&restart).map_err(|error| {
                    LiveError::from_query("starting the read-only transaction", &error)
                })?;
                Err(error)
            }
        }
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
            .map_err(|error| LiveError::from_server(what.to_string(), &error))
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

    /// [`Client::query_each`], its errors told as reading `what`.
    pub(super) fn query_each(
        &mut self,
        what: &str,
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
        each: impl FnMut(Row) -> Result<(), LiveError>,
    ) -> Result<(), LiveError> {
        self.client
            .query_each(sql, parameters, each)
            .map_err(|error| LiveError::from_query(what, &error))?
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

/// Why a query on a [`Client`] failed.
#[derive(Debug)]
pub(super) enum QueryError {
    /// The server or the connection reported an error.
    Server(tokio_postgres::Error),
    /// No answer within the client deadline: pgparity sent a cancel request and closed
    /// the connection.
    NoAnswer {
        /// How long pgparity waited.
        waited: Duration,
        /// The statement timeout the deadline was derived from.
        statement_timeout: Duration,
    },
    /// An earlier query got no answer, so the connection is closed.
    Abandoned,
}

impl QueryError {
    /// The server's error, when the server sent one.
    pub(super) fn as_db_error(&self) -> Option<&DbError> {
        match self {
            QueryError::Server(error) => error.as_db_error(),
            QueryError::NoAnswer { .. } | QueryError::Abandoned => None,
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Server(error) => error.fmt(f),
            QueryError::NoAnswer { waited, .. } => {
                write!(f, "no answer within {}", human_duration(*waited))
            }
            QueryError::Abandoned => f.write_str(
                "the connection was closed after an earlier query got no answer in time",
            ),
        }
    }
}

/// `3 s`, `1.5 s` or `200 ms`, for messages.
pub(super) fn human_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else if duration < Duration::from_secs(1) {
        format!("{} ms", duration.as_millis())
    } else {
        format!("{:.1} s", duration.as_secs_f64())
    }
}

/// How the connection is encrypted; kept to send cancel requests the same way.
#[derive(Clone)]
enum Tls {
    Plain,
    Native(MakeTlsConnector),
}

impl Tls {
    /// Connects with `config` and starts driving the connection on the current runtime.
    async fn connect(
        &self,
        config: &tokio_postgres::Config,
    ) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
        // The connection's own result surfaces as the error of the query it breaks.
        match self {
            Tls::Plain => {
                let (client, connection) = config.connect(NoTls).await?;
                tokio::spawn(async move { drop(connection.await) });
                Ok(client)
            }
            Tls::Native(connector) => {
                let (client, connection) = config.connect(connector.clone()).await?;
                tokio::spawn(async move { drop(connection.await) });
                Ok(client)
            }
        }
    }

    /// Asks the server to cancel the query running on `client`'s connection. Whether it
    /// worked does not matter: the connection is closed right after.
    async fn cancel(&self, client: &tokio_postgres::Client) {
        let token = client.cancel_token();
        let request = async {
            match self {
                Tls::Plain => drop(token.cancel_query(NoTls).await),
                Tls::Native(connector) => drop(token.cancel_query(connector.clone()).await),
            }
        };
        drop(tokio::time::timeout(CANCEL_REQUEST_LIMIT, request).await);
    }
}

/// A connection to PostgreSQL with a synchronous API where nothing waits without a
/// limit: connecting is bounded by the connect timeout (TCP, TLS and authentication,
/// per host), and every statement by the client deadline of its [`SessionOptions`].
///
/// It drives `tokio-postgres` on a runtime of its own, on the calling thread.
pub(super) struct Client {
    /// `None` once the connection was abandoned.
    runtime: Option<Runtime>,
    client: tokio_postgres::Client,
    tls: Tls,
    options: SessionOptions,
}

impl Drop for Client {
    fn drop(&mut self) {
        // A name lookup still running on the blocking pool must not hold up the exit.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Client {
    /// Runs `sql` (one or more statements, no parameters).
    pub(super) fn batch_execute(&mut self, sql: &str) -> Result<(), QueryError> {
        let runtime = self.runtime.as_ref().ok_or(QueryError::Abandoned)?;
        let answer = within(
            runtime,
            self.options.client_deadline(),
            self.client.batch_execute(sql),
        );
        self.settle(answer)
    }

    /// Runs one statement through the extended protocol, which refuses a text holding
    /// more than one statement; returns the rows it affected.
    pub(super) fn execute(
        &mut self,
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, QueryError> {
        let runtime = self.runtime.as_ref().ok_or(QueryError::Abandoned)?;
        let answer = within(
            runtime,
            self.options.client_deadline(),
            self.client.execute(sql, parameters),
        );
        self.settle(answer)
    }

    /// Whether the connection is gone: closed by the server, or abandoned after a query
    /// got no answer in time.
    pub(super) fn is_closed(&self) -> bool {
        self.runtime.is_none() || self.client.is_closed()
    }

    /// Runs one query and returns all its rows.
    pub(super) fn query(
        &mut self,
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, QueryError> {
        let runtime = self.runtime.as_ref().ok_or(QueryError::Abandoned)?;
        let answer = within(
            runtime,
            self.options.client_deadline(),
            self.client.query(sql, parameters),
        );
        self.settle(answer)
    }

    /// Runs one query and hands each row to `each` as it arrives, so that its rows are
    /// never all held at once. The first error of `each` stops the reading and is the
    /// inner result.
    pub(super) fn query_each<E>(
        &mut self,
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
        mut each: impl FnMut(Row) -> Result<(), E>,
    ) -> Result<Result<(), E>, QueryError> {
        let runtime = self.runtime.as_ref().ok_or(QueryError::Abandoned)?;
        let client = &self.client;
        let reading = async move {
            let rows = client.query_raw(sql, parameters.iter().copied()).await?;
            let mut rows = std::pin::pin!(rows);
            while let Some(row) = rows.try_next().await? {
                if let Err(error) = each(row) {
                    return Ok(Err(error));
                }
            }
            Ok(Ok(()))
        };
        let answer = within(runtime, self.options.client_deadline(), reading);
        self.settle(answer)
    }

    /// Runs one query that returns at most one row.
    pub(super) fn query_opt(
        &mut self,
        sql: &str,
        parameters: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, QueryError> {
        let runtime = self.runtime.as_ref().ok_or(QueryError::Abandoned)?;
        let answer = within(
            runtime,
            self.options.client_deadline(),
            self.client.query_opt(sql, parameters),
        );
        self.settle(answer)
    }

    /// Applies `options` to the rest of the connection: the server's `statement_timeout`
    /// and `lock_timeout`, and the client deadline derived from them.
    pub(super) fn set_timeouts(&mut self, options: &SessionOptions) -> Result<(), QueryError> {
        self.options = *options;
        self.batch_execute(&options.timeout_settings_sql(false))
    }

    /// The answer, or — when none came before the deadline — a cancel request, the
    /// connection closed, and [`QueryError::NoAnswer`].
    fn settle<T>(
        &mut self,
        answer: Option<Result<T, tokio_postgres::Error>>,
    ) -> Result<T, QueryError> {
        match answer {
            Some(result) => result.map_err(QueryError::Server),
            None => {
                if let Some(runtime) = self.runtime.take() {
                    runtime.block_on(self.tls.cancel(&self.client));
                    runtime.shutdown_background();
                }
                Err(QueryError::NoAnswer {
                    waited: self.options.client_deadline().unwrap_or_default(),
                    statement_timeout: self.options.statement_timeout,
                })
            }
        }
    }
}

/// Runs `work` on `runtime` for at most `deadline` (forever when `None`); `None` when
/// the deadline passed first.
fn within<T>(
    runtime: &Runtime,
    deadline: Option<Duration>,
    work: impl Future<Output = T>,
) -> Option<T> {
    match deadline {
        Some(limit) => runtime
            .block_on(async { tokio::time::timeout(limit, work).await })
            .ok(),
        None => Some(runtime.block_on(work)),
    }
}

/// A connection with the TLS setup of `settings`, no transaction open, and the client
/// deadline of the default [`SessionOptions`] until [`Client::set_timeouts`] changes it:
/// sessions make it read-only; the scratch database of `--dev-db` is the one place that
/// writes. Hosts are tried in order, each for at most the connect timeout.
pub(super) fn connect_client(settings: &ConnectionSettings) -> Result<Client, LiveError> {
    connect_client_reusing(settings, None)
}

/// [`connect_client`] with the TLS connector of an earlier connection with the same
/// `settings`, when it built one: certificates are read once per run.
fn connect_client_reusing(
    settings: &ConnectionSettings,
    connector: Option<MakeTlsConnector>,
) -> Result<Client, LiveError> {
    let mut connector = connector;
    let target = settings.target();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| LiveError::ConnectionFailed {
            target: target.clone(),
            message: format!("cannot start the network runtime: {error}"),
        })?;
    let mut failure = None;
    for (index, (host, port)) in settings.endpoints().into_iter().enumerate() {
        let endpoint = settings.endpoint_target(&host, port);
        let config = settings.postgres_config(index, &host, port);
        let (first, retry) = if settings.sslmode == SslMode::Disable || is_socket_dir(&host) {
            ((WireMode::Disable, Tls::Plain), None)
        } else {
            // Built for the first host that needs it; a socket-only list never reads
            // certificates, as libpq reads them only for TLS.
            let built = match connector.take() {
                Some(built) => built,
                None => tls_connector(settings, &target)?,
            };
            connector = Some(built.clone());
            let tls = Tls::Native(built);
            match settings.sslmode {
                SslMode::Allow => (
                    (WireMode::Disable, Tls::Plain),
                    Some((WireMode::Require, tls)),
                ),
                SslMode::Prefer => ((WireMode::Prefer, tls), None),
                _ => ((WireMode::Require, tls), None),
            }
        };
        let attempt = runtime.block_on(async {
            tokio::time::timeout(
                settings.connect_timeout,
                connect_in_turn(&config, first, retry),
            )
            .await
        });
        match attempt {
            Ok(Ok((client, tls))) => {
                return Ok(Client {
                    runtime: Some(runtime),
                    client,
                    tls,
                    options: SessionOptions::default(),
                })
            }
            Ok(Err(error)) => {
                failure = Some(LiveError::from_connect(
                    &endpoint,
                    settings.sslmode.as_str(),
                    settings.credential(index),
                    &error,
                ));
            }
            Err(_elapsed) => {
                failure = Some(LiveError::ConnectTimeout {
                    target: endpoint,
                    limit: human_duration(settings.connect_timeout),
                });
            }
        }
    }
    runtime.shutdown_background();
    Err(failure.unwrap_or_else(|| LiveError::ConnectionFailed {
        target,
        message: "no host to connect to".to_string(),
    }))
}

/// Connects with `first`, then with `retry` when there is one and the server refused
/// the first connection (an error message from the server, not a network failure):
/// `sslmode=allow` retries with TLS then, as libpq does.
async fn connect_in_turn(
    config: &tokio_postgres::Config,
    first: (WireMode, Tls),
    retry: Option<(WireMode, Tls)>,
) -> Result<(tokio_postgres::Client, Tls), tokio_postgres::Error> {
    let connect = |(mode, tls): (WireMode, Tls)| async move {
        let mut config = config.clone();
        config.ssl_mode(mode);
        tls.connect(&config).await.map(|client| (client, tls))
    };
    match (connect(first).await, retry) {
        (Err(error), Some(retry)) if error.as_db_error().is_some() => connect(retry).await,
        (outcome, _) => outcome,
    }
}

/// `"name"` with inner quotes doubled.
pub(super) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The TLS setup of libpq's sslmodes: `allow`/`prefer`/`require` encrypt without
/// verifying (unless `require` has a root certificate), `verify-ca` checks the chain
/// only, `verify-full` the chain and the host name. A client certificate is sent when
/// its file exists, as libpq does.
fn tls_connector(
    settings: &ConnectionSettings,
    target: &str,
) -> Result<MakeTlsConnector, LiveError> {
    let failed = |message: String| LiveError::Tls {
        target: target.to_string(),
        message,
    };
    let mut builder = native_tls::TlsConnector::builder();
    let root = match &settings.sslroot_cert {
        Some(path) => {
            let pem = read_pem(path, "sslrootcert").map_err(failed)?;
            let certificate = native_tls::Certificate::from_pem(&pem).map_err(|error| {
                failed(format!(
                    "sslrootcert {} is not a PEM certificate: {error}",
                    path.display()
                ))
            })?;
            builder.add_root_certificate(certificate);
            true
        }
        None => false,
    };
    if let Some(identity) = client_identity(settings).map_err(failed)? {
        builder.identity(identity);
    }
    let (verify_chain, verify_host) = match settings.sslmode {
        SslMode::Disable | SslMode::Allow | SslMode::Prefer => (false, false),
        SslMode::Require => (root, false),
        SslMode::VerifyCa => (true, false),
        SslMode::VerifyFull => (true, true),
    };
    builder
        .danger_accept_invalid_certs(!verify_chain)
        .danger_accept_invalid_hostnames(!verify_host);
    let connector = builder.build().map_err(|error| failed(error.to_string()))?;
    Ok(MakeTlsConnector::new(connector))
}

/// The client certificate and key (`sslcert`, `sslkey`), when the certificate file
/// exists; libpq goes on without one when it does not, and refuses a key others can
/// read.
fn client_identity(settings: &ConnectionSettings) -> Result<Option<native_tls::Identity>, String> {
    let Some(cert) = settings.ssl_cert.as_deref().filter(|path| path.exists()) else {
        return Ok(None);
    };
    let certificate = read_pem(cert, "sslcert")?;
    let Some(key) = settings.ssl_key.as_deref().filter(|path| path.exists()) else {
        return Err(format!(
            "the client certificate {} has no private key file{}: set sslkey or PGSSLKEY",
            cert.display(),
            settings
                .ssl_key
                .as_deref()
                .map_or_else(String::new, |key| format!(
                    " ({} does not exist)",
                    key.display()
                ))
        ));
    };
    private_key_permissions(key)?;
    let pem = read_pem(key, "sslkey")?;
    native_tls::Identity::from_pkcs8(&certificate, &pem)
        .map(Some)
        .map_err(|error| {
            format!(
                "sslcert {} with sslkey {} cannot be used: {error}; the key must be an \
                 unencrypted PKCS#8 PEM file (-----BEGIN PRIVATE KEY-----): convert it with \
                 `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`",
                cert.display(),
                key.display()
            )
        })
}

/// libpq's rule for the key file: no group or world access (a key owned by root may be
/// group-readable, 0640).
#[cfg(unix)]
fn private_key_permissions(key: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let metadata = std::fs::metadata(key)
        .map_err(|error| format!("cannot read sslkey {}: {error}", key.display()))?;
    let mode = metadata.permissions().mode() & 0o777;
    let forbidden = if metadata.uid() == 0 { 0o137 } else { 0o077 };
    if mode & forbidden != 0 {
        return Err(format!(
            "private key file {} has group or world access (mode {mode:04o}); it must be u=rw \
             (0600) or less if owned by the current user, or u=rw,g=r (0640) or less if owned \
             by root",
            key.display()
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_key_permissions(_key: &std::path::Path) -> Result<(), String> {
    Ok(())
}

/// A certificate or key file (`what`: `sslrootcert`, …): a regular file of at most 1 MiB.
fn read_pem(path: &std::path::Path, what: &str) -> Result<Vec<u8>, String> {
    let limits = crate::input::InputLimits { max_bytes: 1 << 20 };
    crate::input::read_bytes(path, what, limits).map_err(|error| match error {
        crate::input::InputError::Missing { .. } => {
            format!("cannot read {what} {}: it does not exist", path.display())
        }
        other => other.to_string(),
    })
}
