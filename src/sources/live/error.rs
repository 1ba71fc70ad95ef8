use super::session::{human_duration, QueryError, DEADLINE_GRACE};
use super::settings::Credential;
use crate::redact::mask_password;
use thiserror::Error;

/// Why talking to the live database failed. Each variant is a situation a caller (and a
/// person reading the message) handles differently; every message is passed through
/// [`mask_password`], and the password itself is never stored in an error.
#[derive(Debug, Error)]
pub enum LiveError {
    /// The connection settings cannot be used (bad URL, unknown parameter, bad value).
    #[error("invalid connection settings: {message}")]
    InvalidSettings {
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Nothing listens at the address (server down, wrong host or port).
    #[error("connection to {target} refused: {message}; check that PostgreSQL is running and the host and port are right")]
    ConnectionRefused {
        /// The server, as `host:port/database` (no password).
        target: String,
        /// The underlying reason.
        message: String,
    },
    /// The server rejected the user name or password.
    #[error("authentication to {target} failed: {message}; {hint}")]
    AuthenticationFailed {
        /// The server, as `host:port/database` (no password).
        target: String,
        /// The server's message.
        message: String,
        /// What to check, naming where the password came from (never the password).
        hint: String,
    },
    /// The server asks for a password and none was found.
    #[error("{target} asks for a password and pgparity has none: {hint}")]
    PasswordMissing {
        /// The server, as `user@host:port/database`.
        target: String,
        /// Where pgparity looked, and how to give one.
        hint: String,
    },
    /// The settings demand TLS but the server does not offer it.
    #[error("{target} does not offer TLS, but sslmode={sslmode} requires it; enable ssl on the server or use sslmode=prefer/disable")]
    TlsNotOffered {
        /// The server, as `host:port/database` (no password).
        target: String,
        /// The sslmode that required TLS.
        sslmode: String,
    },
    /// TLS could not be set up or the certificate was not accepted.
    #[error("TLS with {target} failed: {message}; check sslmode and sslrootcert")]
    Tls {
        /// The server, as `host:port/database` (no password).
        target: String,
        /// The underlying reason.
        message: String,
    },
    /// The connection or a statement took longer than allowed (connect timeout,
    /// `statement_timeout`, `lock_timeout`).
    #[error(
        "{what} timed out: {message}; raise the timeout or retry when the database is less busy"
    )]
    Timeout {
        /// What was being done: `connecting to …` or the query's purpose.
        what: String,
        /// The underlying reason.
        message: String,
    },
    /// Connecting (TCP, TLS and authentication together) took longer than the connect
    /// timeout.
    #[error("connecting to {target} timed out: no PostgreSQL session within {limit} (the connect timeout covers TCP, TLS and authentication); check that the host and port belong to a PostgreSQL server that is up and reachable, or raise connect_timeout in the URL or PGCONNECT_TIMEOUT")]
    ConnectTimeout {
        /// The server tried, as `user@host:port/database` (no password).
        target: String,
        /// The connect timeout, e.g. `3 s`.
        limit: String,
    },
    /// The server did not answer a query within the statement timeout plus a grace
    /// period (a frozen backend, a broken network): pgparity cancelled the query and
    /// closed the connection.
    #[error("{what}: no answer from the server within {waited} (the statement timeout {statement_timeout} plus {grace} of grace); pgparity cancelled the query and closed the connection. Check the server (a stuck backend, an overloaded host, a broken network), or raise --statement-timeout (0 means no limit)")]
    NoAnswer {
        /// What was being done.
        what: String,
        /// How long pgparity waited, e.g. `8 s`.
        waited: String,
        /// The statement timeout, e.g. `3 s`.
        statement_timeout: String,
        /// The grace after it, e.g. `5 s`.
        grace: String,
    },
    /// Any other failure while connecting.
    #[error("could not connect to {target}: {message}")]
    ConnectionFailed {
        /// The server, as `host:port/database` (no password).
        target: String,
        /// The underlying reason.
        message: String,
    },
    /// A catalog query failed (missing privilege, unsupported server, lost connection).
    #[error("{what} failed: {message}")]
    QueryFailed {
        /// The query's purpose, e.g. `reading columns`.
        what: String,
        /// The server's message.
        message: String,
    },
}

impl LiveError {
    /// An [`LiveError::InvalidSettings`] with a masked message.
    pub(super) fn invalid(message: impl Into<String>) -> Self {
        LiveError::InvalidSettings {
            message: mask_password(&message.into()),
        }
    }

    /// Classifies a failure of the connection attempt to `target`, where `credential`
    /// is the password pgparity sent (or why there was none).
    pub(super) fn from_connect(
        target: &str,
        sslmode: &str,
        credential: &Credential,
        error: &tokio_postgres::Error,
    ) -> Self {
        let target = mask_password(target);
        let message = mask_password(&describe(error));
        if let Some(code) = error.code() {
            if *code == tokio_postgres::error::SqlState::INVALID_PASSWORD
                || *code == tokio_postgres::error::SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                let hint = match credential {
                    Credential::Given(password) => format!(
                        "check the user name and the password, which came from {}",
                        password.origin
                    ),
                    Credential::Missing(why) => format!("check the user name; {why}"),
                };
                return LiveError::AuthenticationFailed {
                    target,
                    message,
                    hint,
                };
            }
        }
        if error.as_db_error().is_none() && message.contains("password missing") {
            let hint = match credential {
                Credential::Missing(why) => why.clone(),
                Credential::Given(password) => format!(
                    "the server asked again after the password from {}",
                    password.origin
                ),
            };
            return LiveError::PasswordMissing { target, hint };
        }
        if message.contains("server does not support TLS") {
            return LiveError::TlsNotOffered {
                target,
                sslmode: sslmode.to_string(),
            };
        }
        match io_error_kind(error) {
            Some(std::io::ErrorKind::ConnectionRefused) => {
                return LiveError::ConnectionRefused { target, message }
            }
            // A Unix socket folder without the server's socket in it (no host given and
            // no local server, or the wrong folder).
            Some(std::io::ErrorKind::NotFound) => {
                return LiveError::ConnectionRefused {
                    target,
                    message: format!(
                        "{message}: no server socket for that port in that folder (without a \
                         host, pgparity uses the local socket as libpq does; set PGHOST or \
                         host= to the server's host or socket folder)"
                    ),
                }
            }
            Some(std::io::ErrorKind::TimedOut) => {
                return LiveError::Timeout {
                    what: format!("connecting to {target}"),
                    message,
                }
            }
            _ => {}
        }
        if message.contains("timed out") || message.contains("timeout") {
            return LiveError::Timeout {
                what: format!("connecting to {target}"),
                message,
            };
        }
        if is_tls_error(error) {
            return LiveError::Tls { target, message };
        }
        LiveError::ConnectionFailed { target, message }
    }

    /// Classifies a failure of a query run for `what`.
    pub(super) fn from_query(what: &str, error: &QueryError) -> Self {
        let what = mask_password(what);
        match error {
            QueryError::Server(error) => Self::from_server(what, error),
            QueryError::NoAnswer {
                waited,
                statement_timeout,
            } => LiveError::NoAnswer {
                what,
                waited: human_duration(*waited),
                statement_timeout: human_duration(*statement_timeout),
                grace: human_duration(DEADLINE_GRACE),
            },
            QueryError::Abandoned => LiveError::QueryFailed {
                what,
                message: error.to_string(),
            },
        }
    }

    /// Classifies an error the server (or the connection) reported for `what`.
    pub(super) fn from_server(what: String, error: &tokio_postgres::Error) -> Self {
        let message = mask_password(&describe(error));
        let timed_out = error.code().is_some_and(|code| {
            *code == tokio_postgres::error::SqlState::QUERY_CANCELED
                || *code == tokio_postgres::error::SqlState::LOCK_NOT_AVAILABLE
        });
        if timed_out {
            LiveError::Timeout { what, message }
        } else {
            LiveError::QueryFailed { what, message }
        }
    }
}

/// The server's message when there is one (the `Display` of a server error is only
/// `db error`), else the error and its sources.
fn describe(error: &tokio_postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return db.message().to_string();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

fn io_error_kind(error: &tokio_postgres::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

fn is_tls_error(error: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause.downcast_ref::<native_tls::Error>().is_some() {
            return true;
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::LiveError;

    #[test]
    fn settings_errors_mask_passwords_they_quote() {
        let error = LiveError::invalid("`postgres://app:hunter2@db/x?sslmode=bad` is wrong");
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/x"), "{shown}");
    }
}
