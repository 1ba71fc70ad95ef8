//! `--dev-db`: a scratch database that pgparity creates, applies the specs to, reads back
//! and drops. It is never the target: its name is new, and pgparity refuses a name that
//! exists.

use super::introspect::introspect;
use super::session::{connect_client, quote_identifier, Client, LiveSession, SessionOptions};
use super::{ConnectionSettings, LiveError};
use crate::model::{Catalog, Location};
use crate::sources::spec::StatementSource;

/// A spec statement the scratch database refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Where the statement starts in the specs.
    pub location: Location,
    /// The server's message.
    pub message: String,
}

/// What applying the specs to a scratch database gave.
#[derive(Debug, Clone)]
pub struct DevDatabase {
    /// The catalog PostgreSQL built from the specs: exact types, printed definitions.
    pub catalog: Catalog,
    /// Statements the server rejected, in spec order.
    pub rejected: Vec<Rejected>,
}

/// Creates a scratch database on the server of `settings` (whose own database is only
/// used to issue `CREATE DATABASE` / `DROP DATABASE`), applies `statements` one by one,
/// introspects `schemas`, and drops the database again, also when something failed.
pub fn apply_to_scratch(
    settings: &ConnectionSettings,
    options: &SessionOptions,
    statements: &[StatementSource],
    schemas: &[String],
) -> Result<DevDatabase, LiveError> {
    let mut admin = connect_client(settings)?;
    let name = scratch_name();
    let exists = admin
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .map_err(|error| LiveError::from_query("looking for the scratch database name", &error))?;
    if exists.is_some() {
        return Err(LiveError::QueryFailed {
            what: "creating the scratch database".into(),
            message: format!("a database called {name} exists already; pgparity never touches a database it did not create"),
        });
    }
    admin
        .batch_execute(&format!("CREATE DATABASE {}", quote_identifier(&name)))
        .map_err(|error| {
            LiveError::from_query(
                "creating the scratch database (the --dev-db role needs CREATEDB)",
                &error,
            )
        })?;
    let result = apply_and_read(settings, options, &name, statements, schemas);
    let dropped = drop_database(&mut admin, &name);
    let outcome = result?;
    dropped?;
    Ok(outcome)
}

fn apply_and_read(
    settings: &ConnectionSettings,
    options: &SessionOptions,
    name: &str,
    statements: &[StatementSource],
    schemas: &[String],
) -> Result<DevDatabase, LiveError> {
    let scratch_settings = settings.with_dbname(name);
    let mut client: Client = connect_client(&scratch_settings)?;
    client.set_timeouts(options).map_err(|error| {
        LiveError::from_query("setting the timeouts of the scratch database", &error)
    })?;
    let mut rejected = Vec::new();
    for statement in statements {
        if let Err(error) = client.batch_execute(&statement.text) {
            let message = error
                .as_db_error()
                .map_or_else(|| error.to_string(), |db| db.message().to_string());
            rejected.push(Rejected {
                location: statement.location.clone(),
                message,
            });
        }
    }
    drop(client);
    let mut session = LiveSession::connect(&scratch_settings, options)?;
    let catalog = introspect(&mut session, schemas)?;
    Ok(DevDatabase { catalog, rejected })
}

fn drop_database(admin: &mut Client, name: &str) -> Result<(), LiveError> {
    admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_identifier(name)
        ))
        .map_err(|error| LiveError::from_query("dropping the scratch database", &error))
}

/// `pgparity_dev_<pid>_<nanoseconds>`: new for every run.
fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    format!(
        "pgparity_dev_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    )
}
