//! What the mapping's invariants and immutable tables show in `--db`, read inside the
//! session's READ ONLY transaction (with its statement timeout): each `violations`
//! query's count and the key columns of its first rows, and the UPDATE and DELETE
//! privileges of the immutable tables' roles (through role membership too). Each query
//! runs in a savepoint, so that one that fails leaves the transaction usable.

use super::sql::{quote_identifier, quote_literal, relation_sql};
use crate::mapping::Mapping;
use crate::model::{
    InvariantFound, InvariantResult, LivePrivilege, ProbeResults, MAX_REPORTED_KEYS,
};
use crate::sources::live::{LiveError, LiveSession};

/// Runs the `violations` queries and reads the immutable tables' privileges of
/// `mapping` in `session`. `None` when the mapping declares neither.
pub fn check_declared(
    session: &mut LiveSession,
    mapping: &Mapping,
) -> Result<Option<ProbeResults>, LiveError> {
    let queries: Vec<_> = mapping
        .invariants
        .iter()
        .filter(|invariant| invariant.violations.is_some())
        .collect();
    if queries.is_empty() && mapping.immutable.is_empty() {
        return Ok(None);
    }
    let mut results = ProbeResults::default();
    for invariant in queries {
        let query = invariant
            .violations
            .as_deref()
            .unwrap_or_default()
            .trim()
            .trim_end_matches(';');
        let keys: Vec<String> = invariant
            .key
            .iter()
            .map(|key| format!("pgparity_violations.{}::text", quote_identifier(key)))
            .collect();
        // One evaluation: the window counts every row before LIMIT keeps the first.
        let sql = format!(
            "SELECT (count(*) OVER ())::text{}{} FROM ({query}) AS pgparity_violations LIMIT {MAX_REPORTED_KEYS}",
            if keys.is_empty() { "" } else { ", " },
            keys.join(", ")
        );
        let what = format!(
            "running the violations query of invariant {}",
            invariant.name
        );
        let found = match in_savepoint(session, &what, &sql)? {
            Ok(rows) if rows.is_empty() => InvariantFound::Holds,
            Ok(rows) => InvariantFound::Rows {
                count: rows[0]
                    .first()
                    .cloned()
                    .flatten()
                    .and_then(|count| count.parse().ok())
                    .unwrap_or(rows.len() as u64),
                keys: rows
                    .iter()
                    .map(|row| {
                        invariant
                            .key
                            .iter()
                            .zip(row.iter().skip(1))
                            .map(|(key, value)| {
                                format!("{key}={}", value.as_deref().unwrap_or("NULL"))
                            })
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .collect(),
            },
            Err(message) => InvariantFound::Error { message },
        };
        results.invariants.push(InvariantResult {
            name: invariant.name.clone(),
            against: "the database".into(),
            found,
            location: invariant.location.clone(),
        });
    }
    for entry in &mapping.immutable {
        for role in &entry.roles {
            for privilege in ["UPDATE", "DELETE"] {
                let sql = format!(
                    "SELECT CASE WHEN has_table_privilege({role}, {table}, {privilege}) THEN 'yes' END \
                     WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {role}) \
                     AND to_regclass({table}) IS NOT NULL",
                    role = quote_literal(role),
                    table = quote_literal(&relation_sql(&entry.table)),
                    privilege = quote_literal(privilege)
                );
                let what = format!("reading the privileges of {role} on {}", entry.table);
                let granted = in_savepoint(session, &what, &sql)?
                    .map_err(|message| LiveError::QueryFailed { what, message })?
                    .first()
                    .is_some_and(|row| row.first().cloned().flatten().is_some());
                if granted {
                    results.live_privileges.push(LivePrivilege {
                        table: entry.table.clone(),
                        role: role.clone(),
                        privilege: privilege.to_string(),
                        location: entry.location.clone(),
                    });
                }
            }
        }
    }
    Ok(Some(results))
}

/// Rows of text columns, or the server's message.
type Answer = Result<Vec<Vec<Option<String>>>, String>;

/// The rows of `sql` (every column as text), run in a savepoint that is rolled back when
/// it fails, or the server's message (a timeout included). A connection that is gone
/// (no answer within the client deadline) ends the run.
fn in_savepoint(session: &mut LiveSession, what: &str, sql: &str) -> Result<Answer, LiveError> {
    session.query(what, "SAVEPOINT pgparity_declared", &[])?;
    match session.query(what, sql, &[]) {
        Ok(rows) => {
            session.query(what, "RELEASE SAVEPOINT pgparity_declared", &[])?;
            Ok(rows
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|index| row.try_get::<_, Option<String>>(index))
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| error.to_string()))
        }
        Err(LiveError::QueryFailed { message, .. }) => {
            session.query(what, "ROLLBACK TO SAVEPOINT pgparity_declared", &[])?;
            Ok(Err(message))
        }
        Err(LiveError::Timeout { message, .. }) => {
            session.query(what, "ROLLBACK TO SAVEPOINT pgparity_declared", &[])?;
            Ok(Err(format!(
                "{message}: it ran past the statement timeout (--statement-timeout)"
            )))
        }
        Err(other) => Err(other),
    }
}
