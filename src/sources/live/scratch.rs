//! `--dev-db`: a scratch database that pgparity creates, applies the specs to, reads back
//! and drops. It is never the target: its name is new, and pgparity refuses a name that
//! exists.
//!
//! The specs run as a login role pgparity creates for the run (no superuser, no
//! CREATEDB/CREATEROLE/BYPASSRLS/REPLICATION, member of no role) that owns only the
//! scratch database, on that role's own connection: what the server lets that role do
//! is the boundary, whatever a statement or a function body tries. The connection given
//! with `--dev-db` (the admin) only creates and drops the database and the role, and
//! creates allowed extensions.
//!
//! Both are called `pgparity_dev_<unix seconds>_<pid>_<n>`. They are dropped at the end
//! (also on error), by [`drop_scratch_objects`] when the process is interrupted, and
//! swept by the next run once older than a day.

use super::introspect::introspect;
use super::probe::{run_probes, ProbeRequest, Sessions, TENANT_ROLE_SUFFIX};
use super::session::{
    connect_client, quote_identifier, Client, LiveSession, QueryError, SessionOptions,
};
use super::{ConnectionSettings, LiveError};
use crate::model::{Catalog, Location, ProbeResults};
use crate::sources::spec::{DevUse, StatementSource};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_postgres::error::{DbError, SqlState};

/// The prefix of every scratch database and role pgparity creates.
pub const SCRATCH_PREFIX: &str = "pgparity_dev_";

/// Scratch objects older than this are swept by the next `--dev-db` run.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Who refused a spec statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedBy {
    /// The server returned an error.
    Server,
    /// pgparity did not send it (see [`DevUse::Refuse`]), or the extension it creates
    /// is not allowed.
    Pgparity,
}

/// A spec statement the scratch database did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// Where the statement starts in the specs.
    pub location: Location,
    /// The server's message, or pgparity's reason.
    pub message: String,
    /// Who refused it.
    pub by: RefusedBy,
}

/// What applying the specs to a scratch database gave.
#[derive(Debug, Clone)]
pub struct DevDatabase {
    /// The catalog PostgreSQL built from the specs: exact types, printed definitions.
    pub catalog: Catalog,
    /// Statements that were refused, in spec order.
    pub rejected: Vec<Rejected>,
    /// Stale scratch databases and roles of earlier runs that this run dropped.
    pub swept: Vec<String>,
    /// What the probes found (`--probe`), when they ran.
    pub probes: Option<ProbeResults>,
}

/// Which extensions `CREATE EXTENSION` in the specs may create.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExtensionPolicy {
    /// The extensions the server marks trusted (what a database owner may create).
    #[default]
    ServerTrusted,
    /// Exactly these (`[dev_db] extensions` in `pgparity.toml`).
    Only(Vec<String>),
}

/// Scratch objects created and not dropped yet, with the admin settings to drop them.
static NOT_DROPPED: Mutex<Vec<(ConnectionSettings, String)>> = Mutex::new(Vec::new());
/// Set once [`drop_scratch_objects`] ran: no scratch database is created after it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static SCRATCH_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// How long dropping this run's scratch database retries while sessions in it are still
/// ending: `DROP DATABASE … WITH (FORCE)` waits five seconds for the sessions it
/// terminates, and fails when one started while it waited (a connection that was being
/// opened, an autovacuum worker); the next attempt terminates those too.
const SESSIONS_ENDING_WITHIN: Duration = Duration::from_secs(12);

fn not_dropped() -> MutexGuard<'static, Vec<(ConnectionSettings, String)>> {
    NOT_DROPPED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The registry, locked, unless the run is being interrupted: whatever is created while
/// holding it is either made before an interrupt drops everything, or not at all.
fn not_dropped_unless_interrupted() -> Option<MutexGuard<'static, Vec<(ConnectionSettings, String)>>>
{
    let registry = not_dropped();
    (!INTERRUPTED.load(Ordering::SeqCst)).then_some(registry)
}

/// Drops every scratch database and role this process created and has not dropped yet,
/// over new connections, for a run that is being interrupted (SIGINT, SIGTERM); no
/// scratch database is created afterwards. Returns one message per object that could
/// not be dropped, naming it and how to drop it by hand.
pub fn drop_scratch_objects() -> Vec<String> {
    let mut registry = not_dropped();
    INTERRUPTED.store(true, Ordering::SeqCst);
    let mut failures = Vec::new();
    for (admin, name) in registry.drain(..) {
        let dropped = connect_client(&admin).and_then(|mut client| {
            drop_database_and_role(&mut client, &name, SESSIONS_ENDING_WITHIN)
        });
        if let Err(error) = dropped {
            failures.push(left_behind(&admin, &name, &error.to_string()));
        }
    }
    failures
}

/// Runs `create` (which makes an object that dropping the scratch database and role
/// removes, such as the isolation probes' role) unless the run is being interrupted,
/// under the lock an interrupt takes: the object is either made before the interrupt
/// drops everything, or not at all.
pub(super) fn unless_interrupted<T>(
    create: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    let Some(_registry) = not_dropped_unless_interrupted() else {
        return Err("the run is being interrupted".into());
    };
    create()
}

/// Creates a scratch database and role on the server of `settings`, applies
/// `statements` as that role one by one (those pgparity allows), introspects `schemas`,
/// runs the probes of `probe` when given, and drops both again, also when something
/// failed.
pub fn apply_to_scratch(
    settings: &ConnectionSettings,
    options: &SessionOptions,
    extensions: &ExtensionPolicy,
    statements: &[StatementSource],
    schemas: &[String],
    probe: Option<&ProbeRequest>,
) -> Result<DevDatabase, LiveError> {
    let mut admin = connect_client(settings)?;
    let swept = sweep_stale(&mut admin);
    let allowed = allowed_extensions(&mut admin, extensions)?;
    let scratch = new_scratch(&mut admin)?;
    let template = probe.and_then(|request| request.template);
    let result = create_scratch(&mut admin, settings, options, &scratch, template).and_then(|()| {
        let mut outcome = match template {
            None => apply_and_read(settings, &scratch, options, &allowed, statements, schemas)?,
            Some(template) => hand_over_copy(settings, &scratch, template, schemas)?,
        };
        if let Some(request) = probe {
            outcome.probes = Some(probe_scratch(
                &mut admin, settings, &scratch, options, request,
            )?);
        }
        Ok(outcome)
    });
    let dropped = drop_after_run(&mut admin, settings, &scratch.name);
    match (result, dropped) {
        (Ok(outcome), Ok(())) => Ok(DevDatabase { swept, ..outcome }),
        (Err(error), Ok(())) | (Ok(_), Err(error)) => Err(error),
        // Both: what was left behind must not hide behind the first failure.
        (Err(error), Err(left)) => Err(LiveError::QueryFailed {
            what: "applying the specs to the scratch database".into(),
            message: format!("{error}; then {left}"),
        }),
    }
}

/// The scratch database and its role, with the role's password.
struct Scratch {
    name: String,
    password: String,
}

/// A new name (checked unused) and password.
fn new_scratch(admin: &mut Client) -> Result<Scratch, LiveError> {
    let name = scratch_name();
    let exists = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = $1 \
             UNION ALL SELECT 1 FROM pg_roles WHERE rolname = $1",
            &[&name],
        )
        .map_err(|error| LiveError::from_query("looking for the scratch database name", &error))?;
    if exists.is_some() {
        return Err(LiveError::QueryFailed {
            what: "creating the scratch database".into(),
            message: format!("a database or role called {name} exists already; pgparity never touches one it did not create"),
        });
    }
    Ok(Scratch {
        name,
        password: random_password()?,
    })
}

/// Creates the role and the database it owns (a copy of `template` when given). The
/// caller drops both whatever this returns: a failure can come after the role exists.
fn create_scratch(
    admin: &mut Client,
    settings: &ConnectionSettings,
    options: &SessionOptions,
    scratch: &Scratch,
    template: Option<&str>,
) -> Result<(), LiveError> {
    let name = &scratch.name;
    let quoted = quote_identifier(name);
    // Registered before it exists, and created under the registry's lock: an interrupt
    // either waits for both to exist and drops them, or comes first and stops this.
    let Some(mut registry) = not_dropped_unless_interrupted() else {
        return Err(LiveError::QueryFailed {
            what: "creating the scratch database".into(),
            message: "the run is being interrupted".into(),
        });
    };
    registry.push((settings.clone(), name.clone()));
    let is_superuser: bool = admin
        .query_opt(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .map_err(|error| LiveError::from_query("reading the --dev-db role", &error))?
        .is_some_and(|row| row.get(0));
    // A verifier, not the password, so that the password never reaches a server log.
    let verifier = postgres_protocol::password::scram_sha_256(scratch.password.as_bytes());
    // INHERIT: the owner's rights on `public` come through its implicit membership in
    // pg_database_owner, the only role it is in.
    let mut create = format!(
        "CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT \
         NOREPLICATION NOBYPASSRLS PASSWORD '{verifier}';\n\
         ALTER ROLE {quoted} SET statement_timeout = {};\n\
         ALTER ROLE {quoted} SET lock_timeout = {};\n",
        options.statement_timeout.as_millis(),
        options.lock_timeout.as_millis()
    );
    if !is_superuser {
        // PostgreSQL 15 lets only members of a role make it a database's owner.
        create.push_str(&format!("GRANT {quoted} TO CURRENT_USER;\n"));
    }
    admin.batch_execute(&create).map_err(|error| {
        LiveError::from_query(
            "creating the scratch role (the --dev-db role needs CREATEROLE)",
            &error,
        )
    })?;
    let copy = template.map_or_else(String::new, |template| {
        format!(" TEMPLATE {}", quote_identifier(template))
    });
    if let Some(template) = template {
        let exists = admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&template])
            .map_err(|error| {
                LiveError::from_query("looking for the --probe-template database", &error)
            })?;
        if exists.is_none() {
            return Err(LiveError::QueryFailed {
                what: "copying the --probe-template database".into(),
                message: format!(
                    "there is no database {template} on the --dev-db server: name the database \
                     your migrations built"
                ),
            });
        }
    }
    admin
        .batch_execute(&format!("CREATE DATABASE {quoted}{copy} OWNER {quoted}"))
        .map_err(|error| match (template, error.as_db_error()) {
            (Some(template), Some(db)) if db.code().code() == "55006" => LiveError::QueryFailed {
                what: format!("copying the --probe-template database {template}"),
                message: format!(
                    "{}: PostgreSQL copies a database only while nobody is connected to it; \
                     close the other sessions (psql, the migration job, a pool) and run again. \
                     The template itself is never changed",
                    db.message()
                ),
            },
            _ => LiveError::from_query(
                "creating the scratch database (the --dev-db role needs CREATEDB)",
                &error,
            ),
        })?;
    drop(registry);
    Ok(())
}

fn apply_and_read(
    settings: &ConnectionSettings,
    scratch: &Scratch,
    options: &SessionOptions,
    allowed_extensions: &[String],
    statements: &[StatementSource],
    schemas: &[String],
) -> Result<DevDatabase, LiveError> {
    let role_settings = settings.with_login(&scratch.name, &scratch.password, &scratch.name);
    let connect_role = || -> Result<Client, LiveError> {
        let mut role =
            connect_client(&role_settings).map_err(|error| refused_login(&scratch.name, error))?;
        role.set_timeouts(options).map_err(|error| {
            LiveError::from_query("setting the timeouts of the scratch role", &error)
        })?;
        Ok(role)
    };
    let mut role = connect_role()?;
    let mut extension_admin: Option<Client> = None;
    let mut rejected = Vec::new();
    for statement in statements {
        let refusal = match &statement.dev_use() {
            DevUse::Withhold => None,
            DevUse::Refuse { reason } => Some((reason.clone(), RefusedBy::Pgparity)),
            DevUse::Apply => match role.execute(statement.text.as_str(), &[]) {
                Ok(_) => None,
                Err(QueryError::NoAnswer { .. }) => {
                    // The client deadline cancelled it and closed the connection: the
                    // statements after it get a new one.
                    role = connect_role()?;
                    Some((
                        format!(
                            "it ran longer than the statement timeout ({} ms) although the \
                             server should have ended it (the spec changed the timeout); \
                             pgparity cancelled it",
                            options.statement_timeout.as_millis()
                        ),
                        RefusedBy::Pgparity,
                    ))
                }
                Err(_) if role.is_closed() => {
                    return Err(LiveError::QueryFailed {
                        what: format!("applying the spec statement at {}", statement.location),
                        message: format!(
                            "the connection of the scratch role {} was closed (the server \
                             ended it)",
                            scratch.name
                        ),
                    })
                }
                Err(error) => Some((server_message(&error), RefusedBy::Server)),
            },
            DevUse::CreateExtension { name, schema } => {
                if allowed_extensions.contains(name) {
                    let client = match &mut extension_admin {
                        Some(client) => client,
                        None => extension_admin
                            .insert(connect_client(&settings.with_dbname(&scratch.name))?),
                    };
                    create_extension(client, name, schema.as_deref())
                        .err()
                        .map(|message| (message, RefusedBy::Server))
                } else {
                    Some((
                        format!(
                            "extension \"{name}\" is not allowed: add it to `extensions = [...]` \
                             under [dev_db] in pgparity.toml (allowed now: {})",
                            if allowed_extensions.is_empty() {
                                "none".to_string()
                            } else {
                                allowed_extensions.join(", ")
                            }
                        ),
                        RefusedBy::Pgparity,
                    ))
                }
            }
        };
        if let Some((message, by)) = refusal {
            rejected.push(Rejected {
                location: statement.location.clone(),
                message,
                by,
            });
        }
    }
    drop(role);
    drop(extension_admin);
    // Read back as the scratch role too: an admin session would run its catalog queries
    // in a database whose functions and operators the specs wrote.
    let mut session = LiveSession::connect(&role_settings, options)?;
    let catalog = introspect(&mut session, schemas)?;
    Ok(DevDatabase {
        catalog,
        rejected,
        swept: Vec::new(),
        probes: None,
    })
}

/// Makes the scratch role the owner of the copied template's schemas, tables and
/// sequences (the admin does it, inside the copy), so that probes run as it as they do on
/// the specs: the copy is pgparity's own and dropped afterwards; the template is not
/// touched. Nothing is applied or read back: the specs stay what the probes expect.
fn hand_over_copy(
    settings: &ConnectionSettings,
    scratch: &Scratch,
    template: &str,
    schemas: &[String],
) -> Result<DevDatabase, LiveError> {
    let mut copy = connect_client(&settings.with_dbname(&scratch.name))?;
    let rows = copy
        .query(
            "SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $2::text) \
             FROM pg_namespace n WHERE n.nspname = ANY($1) \
             UNION ALL \
             SELECT format('ALTER %s %I.%I OWNER TO %I', \
                    CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, \
                    n.nspname, c.relname, $2::text) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = ANY($1) AND c.relkind IN ('r', 'p', 'S') \
               AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d \
                   WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') \
                   AND d.refclassid = 'pg_class'::regclass))",
            &[&schemas, &scratch.name],
        )
        .map_err(|error| {
            LiveError::from_query("listing the tables of the template's copy", &error)
        })?;
    for row in rows {
        let statement: String = row.get(0);
        copy.batch_execute(&statement)
            .map_err(|error| LiveError::QueryFailed {
                what: format!("handing the copy of {template} to the scratch role ({statement})"),
                message: format!(
                    "{}; the --dev-db role must own the template's tables (or be a superuser)",
                    server_message(&error)
                ),
            })?;
    }
    Ok(DevDatabase {
        catalog: Catalog::default(),
        rejected: Vec::new(),
        swept: Vec::new(),
        probes: None,
    })
}

/// Runs the probes of `request` as the scratch role, on a connection of its own.
fn probe_scratch(
    admin: &mut Client,
    settings: &ConnectionSettings,
    scratch: &Scratch,
    options: &SessionOptions,
    request: &ProbeRequest,
) -> Result<ProbeResults, LiveError> {
    let role_settings = settings.with_login(&scratch.name, &scratch.password, &scratch.name);
    let mut role =
        connect_client(&role_settings).map_err(|error| refused_login(&scratch.name, error))?;
    role.set_timeouts(options).map_err(|error| {
        LiveError::from_query("setting the timeouts of the scratch role", &error)
    })?;
    run_probes(
        &mut Sessions {
            role: &mut role,
            admin,
            scratch: &scratch.name,
        },
        request,
    )
}

/// `CREATE EXTENSION` built from the parsed names, never from spec text.
fn create_extension(admin: &mut Client, name: &str, schema: Option<&str>) -> Result<(), String> {
    let mut statement = format!("CREATE EXTENSION IF NOT EXISTS {}", quote_identifier(name));
    if let Some(schema) = schema {
        statement.push_str(&format!(" SCHEMA {}", quote_identifier(schema)));
    }
    admin
        .batch_execute(&statement)
        .map_err(|error| server_message(&error))
}

fn allowed_extensions(
    admin: &mut Client,
    policy: &ExtensionPolicy,
) -> Result<Vec<String>, LiveError> {
    match policy {
        ExtensionPolicy::Only(names) => Ok(names.clone()),
        ExtensionPolicy::ServerTrusted => admin
            .query(
                "SELECT e.name::text FROM pg_available_extensions e \
                 JOIN pg_available_extension_versions v \
                   ON v.name = e.name AND v.version = e.default_version \
                 WHERE v.trusted ORDER BY 1",
                &[],
            )
            .map(|rows| rows.iter().map(|row| row.get(0)).collect())
            .map_err(|error| LiveError::from_query("listing the trusted extensions", &error)),
    }
}

fn server_message(error: &QueryError) -> String {
    error
        .as_db_error()
        .map_or_else(|| error.to_string(), |db| db.message().to_string())
}

/// A failed login of the scratch role: pg_hba.conf is the usual reason.
fn refused_login(name: &str, error: LiveError) -> LiveError {
    match error {
        LiveError::AuthenticationFailed {
            target, message, ..
        } => LiveError::QueryFailed {
            what: format!("logging in to {target} as the scratch role {name}"),
            message: format!(
                "{message}; pgparity applies the specs as a login role it creates for the run, \
                 with a password: allow password logins (scram-sha-256) for new roles to new \
                 databases from this client in pg_hba.conf, e.g. \
                 `host all all 10.0.0.0/8 scram-sha-256`"
            ),
        },
        other => other,
    }
}

/// Drops the run's database and role; when the admin connection was lost (terminated by
/// an administrator or a restart), over a new one, and the run still fails: what it
/// read may be incomplete.
fn drop_after_run(
    admin: &mut Client,
    settings: &ConnectionSettings,
    name: &str,
) -> Result<(), LiveError> {
    // Under the lock an interrupt takes, so that the two never drop the same objects at
    // once (concurrent DROP ROLEs of one role fail); once the interrupt has taken the
    // scratch objects, they are its to drop.
    let mut registry = not_dropped();
    if !registry.iter().any(|(_, registered)| registered == name) {
        return Err(LiveError::QueryFailed {
            what: "dropping the scratch database".into(),
            message: "the run is being interrupted, which drops it".into(),
        });
    }
    let lost = admin.is_closed() || admin.batch_execute("SELECT 1").is_err();
    let outcome = if lost {
        connect_client(settings).and_then(|mut client| {
            drop_database_and_role(&mut client, name, SESSIONS_ENDING_WITHIN)
        })
    } else {
        drop_database_and_role(admin, name, SESSIONS_ENDING_WITHIN)
    };
    match outcome {
        Ok(()) => {
            registry.retain(|(_, registered)| registered != name);
            if lost {
                return Err(LiveError::QueryFailed {
                    what: "keeping the admin connection to the --dev-db server".into(),
                    message: format!(
                        "the server closed it during the run; the scratch database and role \
                         {name} were dropped over a new connection"
                    ),
                });
            }
            Ok(())
        }
        Err(error) => {
            registry.retain(|(_, registered)| registered != name);
            Err(LiveError::QueryFailed {
                what: "dropping the scratch database".into(),
                message: left_behind(settings, name, &error.to_string()),
            })
        }
    }
}

/// Drops the scratch database `name` and its roles, retrying the database for up to
/// `sessions_ending_within` while sessions in it are still ending.
fn drop_database_and_role(
    admin: &mut Client,
    name: &str,
    sessions_ending_within: Duration,
) -> Result<(), LiveError> {
    let quoted = quote_identifier(name);
    let tenant = quote_identifier(&format!("{name}{TENANT_ROLE_SUFFIX}"));
    let started = Instant::now();
    // Separate queries: DROP DATABASE cannot run in the transaction a multi-statement
    // query is. The isolation probes' role goes with the run's (it may not exist).
    let drop_database = format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)");
    loop {
        match admin.batch_execute(&drop_database) {
            Ok(()) => break,
            Err(error)
                if error.as_db_error().map(DbError::code) == Some(&SqlState::OBJECT_IN_USE)
                    && started.elapsed() < sessions_ending_within =>
            {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(error) => {
                return Err(LiveError::QueryFailed {
                    what: drop_database,
                    message: server_message(&error),
                })
            }
        }
    }
    for statement in [
        format!("DROP ROLE IF EXISTS {tenant}"),
        format!("DROP ROLE IF EXISTS {quoted}"),
    ] {
        admin
            .batch_execute(&statement)
            .map_err(|error| LiveError::QueryFailed {
                what: statement.clone(),
                message: server_message(&error),
            })?;
    }
    Ok(())
}

fn left_behind(admin: &ConnectionSettings, name: &str, reason: &str) -> String {
    let quoted = quote_identifier(name);
    let tenant = quote_identifier(&format!("{name}{TENANT_ROLE_SUFFIX}"));
    format!(
        "the scratch database and role {name} may be left on {}: {reason}; drop them with \
         `DROP DATABASE IF EXISTS {quoted} WITH (FORCE); DROP ROLE IF EXISTS {tenant}; \
         DROP ROLE IF EXISTS {quoted};` (the next --dev-db run drops them once they are a \
         day old)",
        admin.target()
    )
}

/// Drops scratch databases and roles of pgparity's naming older than [`STALE_AFTER`],
/// left by runs that were killed. Best effort: what cannot be dropped (another role's)
/// stays, and newer ones (a run in progress) are never touched.
fn sweep_stale(admin: &mut Client) -> Vec<String> {
    let Ok(rows) = admin.query(
        "SELECT datname::text FROM pg_database WHERE datname ~ '^pgparity_dev_[0-9]+_[0-9]+_[0-9]+$' \
         UNION SELECT regexp_replace(rolname::text, '_tenant$', '') FROM pg_roles \
         WHERE rolname ~ '^pgparity_dev_[0-9]+_[0-9]+_[0-9]+(_tenant)?$' \
         ORDER BY 1",
        &[],
    ) else {
        return Vec::new();
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    rows.iter()
        .map(|row| row.get::<_, String>(0))
        .filter(|name| {
            created_at(name)
                .is_some_and(|created| now.saturating_sub(created) > STALE_AFTER.as_secs())
        })
        .filter(|name| drop_database_and_role(admin, name, Duration::ZERO).is_ok())
        .collect()
}

/// The creation time in a scratch name `pgparity_dev_<seconds>_<pid>_<n>`.
fn created_at(name: &str) -> Option<u64> {
    let parts: Vec<&str> = name.strip_prefix(SCRATCH_PREFIX)?.split('_').collect();
    match parts.as_slice() {
        [seconds, pid, counter]
            if seconds.len() == 10
                && [seconds, pid, counter].iter().all(|part| {
                    !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit())
                }) =>
        {
            seconds.parse().ok()
        }
        _ => None,
    }
}

/// `pgparity_dev_<unix seconds>_<pid>_<n>`: new for every run, dated for the sweep.
fn scratch_name() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    format!(
        "{SCRATCH_PREFIX}{seconds}_{}_{}",
        std::process::id(),
        SCRATCH_COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// 32 random bytes as hex: nobody needs to type it, and it is used only by this run.
fn random_password() -> Result<String, LiveError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| LiveError::QueryFailed {
        what: "making a password for the scratch role".into(),
        message: error.to_string(),
    })?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scratch_names_carry_their_creation_time() {
        let name = scratch_name();
        let created = created_at(&name).expect("a scratch name");
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(now - created < 5, "{name}");
        assert_ne!(scratch_name(), name);
    }

    #[test]
    fn only_pgparity_scratch_names_are_dated() {
        assert_eq!(
            created_at("pgparity_dev_1700000000_42_0"),
            Some(1_700_000_000)
        );
        for other in [
            "pgparity_dev_42_0",
            "pgparity_dev_x_42_0",
            "pgparity_dev_1700000000_42_0_extra",
            "app_1700000000_42_0",
            "pgparity_dev_1700000000__0",
            "pgparity_dev_5_4242_0",
        ] {
            assert_eq!(created_at(other), None, "{other}");
        }
    }
}
