use super::assemble::assemble;
use super::queries;
use super::rows::*;
use super::session::{quote_identifier, LiveSession, SessionOptions};
use super::settings::ConnectionSettings;
use super::LiveError;
use crate::model::Catalog;
use crate::timings;
use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

/// What a comment is on, as [`queries::COMMENTS`] names it.
type CommentKey = (&'static str, Oid, i32);

/// Comments by object, taken out as the rows are read.
struct Comments(HashMap<CommentKey, String>);

impl Comments {
    fn read(rows: &[Row]) -> Result<Comments, LiveError> {
        let mut comments = HashMap::with_capacity(rows.len());
        for row in rows {
            let kind: String = get(row, 2, "comments")?;
            let kind = match kind.as_str() {
                "class" => "class",
                "constraint" => "constraint",
                "policy" => "policy",
                _ => "trigger",
            };
            comments.insert(
                (kind, get(row, 0, "comments")?, get(row, 1, "comments")?),
                get(row, 3, "comments")?,
            );
        }
        Ok(Comments(comments))
    }

    /// The comment on object `oid` of `kind` (`sub_id`: a column number, else 0).
    fn take(&mut self, kind: &'static str, oid: Oid, sub_id: i32) -> Option<String> {
        if self.0.is_empty() {
            // Most objects have no comment, and all may have been taken.
            return None;
        }
        self.0.remove(&(kind, oid, sub_id))
    }
}

/// A catalog query of [`introspect`]: what it reads (for errors and `--timings`), its
/// SQL, and its parameter.
struct Job {
    what: &'static str,
    sql: Cow<'static, str>,
    parameter: Parameter,
}

/// The `$1` of a [`Job`].
#[derive(Clone, Copy)]
enum Parameter {
    None,
    /// The `text[]` of schema names.
    Schemas,
    /// The `oid[]` of relations in scope ([`queries::SCOPE`]).
    Scope,
}

/// Where each query's rows land in the list [`jobs`] returns.
mod job {
    pub const CONSTRAINTS: usize = 0;
    pub const INDEXES: usize = 1;
    pub const COLUMNS: usize = 2;
    pub const RELATIONS: usize = 3;
    pub const TRIGGERS: usize = 4;
    pub const POLICIES: usize = 5;
    pub const GRANTS: usize = 6;
    pub const FUNCTIONS: usize = 7;
    pub const COMMENTS: usize = 8;
    pub const SEQUENCES: usize = 9;
    pub const DOMAINS: usize = 10;
    pub const ENUMS: usize = 11;
    pub const INDEX_SCANS: usize = 12;
    pub const COLLATIONS: usize = 13;
    pub const OPCLASSES: usize = 14;
    pub const EXTENSIONS: usize = 15;
    pub const STATS: usize = 16;
    pub const SCHEMAS: usize = 17;
}

/// Every catalog query, the costliest first so that parallel connections finish
/// together; their index is in [`job`].
fn jobs(version: u32) -> Vec<Job> {
    let job = |what, sql: Cow<'static, str>, parameter| Job {
        what,
        sql,
        parameter,
    };
    use Parameter::{Schemas, Scope};
    vec![
        job("constraints", queries::constraints(version).into(), Scope),
        job("indexes", queries::indexes(version).into(), Scope),
        job("columns", queries::COLUMNS.into(), Scope),
        job("relations", queries::RELATIONS.into(), Scope),
        job("triggers", queries::triggers(version).into(), Scope),
        job("policies", queries::POLICIES.into(), Scope),
        job("grants", queries::GRANTS.into(), Scope),
        job("functions", queries::functions(version).into(), Schemas),
        job("comments", queries::COMMENTS.into(), Parameter::None),
        job("sequences", queries::SEQUENCES.into(), Schemas),
        job("domains", queries::DOMAINS.into(), Schemas),
        job("enum types", queries::ENUMS.into(), Schemas),
        job("index statistics", queries::INDEX_SCANS.into(), Schemas),
        job("collations", queries::COLLATIONS.into(), Parameter::None),
        job(
            "operator classes",
            queries::OPCLASSES.into(),
            Parameter::None,
        ),
        job("extensions", queries::EXTENSIONS.into(), Parameter::None),
        job(
            "statistics reset time",
            queries::STATS_RESET.into(),
            Parameter::None,
        ),
        job("schemas", queries::SCHEMAS.into(), Schemas),
    ]
}

/// How many connections read the catalog: the first, and further ones on its exported
/// snapshot, each running whichever query is next.
#[derive(Debug, Clone, Copy)]
pub struct Parallel<'a> {
    /// Where the further connections go (the first session's settings).
    pub settings: &'a ConnectionSettings,
    /// Their limits (the first session's).
    pub options: SessionOptions,
    /// Connections in all, the first included; 1 reads everything on the first.
    pub connections: usize,
}

/// A catalog read from the database, with what the reader wants the user to know (a
/// fall-back to one connection), for standard error.
#[derive(Debug)]
pub struct Introspection {
    /// The catalog.
    pub catalog: Catalog,
    /// Notes, each one line (not errors: the catalog is complete).
    pub notes: Vec<String>,
}

/// Reads the schemas in scope from `pg_catalog` into a [`Catalog`], one query per object
/// kind, all inside the session's read-only transaction. Locations are `None`: live facts
/// have no file. The first schema is the default one (the run's: the first configured
/// schema, else `public`): names in it print unqualified, as specs write them, and the
/// canonical forms of expressions are computed with it.
pub fn introspect(session: &mut LiveSession, schemas: &[String]) -> Result<Catalog, LiveError> {
    Ok(introspect_with(session, schemas, None)?.catalog)
}

/// [`introspect`], on `parallel.connections` connections when it is more than 1: the
/// session exports its snapshot (`pg_export_snapshot()`), further connections import it
/// (`SET TRANSACTION SNAPSHOT`, read-only, the same timeouts) and run part of the
/// queries, so that every query sees the same catalog as on one connection. When the
/// snapshot cannot be exported or imported (a pooler in transaction mode, a standby, a
/// connection limit), the queries run on the connections there are, with a note.
pub fn introspect_with(
    session: &mut LiveSession,
    schemas: &[String],
    parallel: Option<Parallel<'_>>,
) -> Result<Introspection, LiveError> {
    let version = session.server_version();
    let default_schema = schemas.first().map_or("public", String::as_str);
    let mut notes = Vec::new();
    let parallel = parallel.filter(|parallel| parallel.connections > 1);
    let snapshot = match parallel {
        Some(_) => match session.export_snapshot() {
            Ok(snapshot) => Some(snapshot),
            Err(error) => {
                notes.push(format!(
                    "reading the catalog on one connection: the snapshot cannot be shared \
                     with further connections ({error})"
                ));
                None
            }
        },
        None => None,
    };
    let search_path = schemas
        .first()
        .map(|schema| quote_identifier(schema))
        .unwrap_or_else(|| "public".to_string());
    set_search_path(session, &search_path)?;
    let schema_list = schemas.to_vec();
    let jobs = jobs(version);
    let results = match (parallel, snapshot) {
        (Some(parallel), Some(snapshot)) => {
            let helpers = Helpers {
                parallel,
                snapshot: &snapshot,
                search_path: &search_path,
            };
            run_parallel(session, &helpers, &jobs, &schema_list, &mut notes)?
        }
        _ => {
            let scope = read_scope(session, &schema_list)?;
            let mut results = Vec::with_capacity(jobs.len());
            for job in &jobs {
                results.push(run_job(session, job, &schema_list, &scope)?);
            }
            results
        }
    };
    let rows = catalog_rows(session, results)?;
    let mut timing = timings::phase("assemble live catalog");
    let catalog = assemble(rows, default_schema);
    timings::rows(&mut timing, catalog.relations.len());
    Ok(Introspection { catalog, notes })
}

fn set_search_path(session: &mut LiveSession, search_path: &String) -> Result<(), LiveError> {
    session.query(
        "setting the search path",
        queries::SET_SEARCH_PATH,
        &[search_path],
    )?;
    Ok(())
}

/// The relation oids in scope ([`queries::SCOPE`]).
fn read_scope(session: &mut LiveSession, schemas: &Vec<String>) -> Result<Vec<Oid>, LiveError> {
    let mut timing = timings::phase("catalog query: scope");
    let rows = session.query("reading the relations in scope", queries::SCOPE, &[schemas])?;
    let scope: Vec<Oid> = match rows.first() {
        Some(row) => get(row, 0, "the relations in scope")?,
        None => Vec::new(),
    };
    timings::rows(&mut timing, scope.len());
    Ok(scope)
}

/// Runs `job` on `session`, timed.
fn run_job(
    session: &mut LiveSession,
    job: &Job,
    schemas: &Vec<String>,
    scope: &Vec<Oid>,
) -> Result<Vec<Row>, LiveError> {
    let mut timing = timings::phase(format!("catalog query: {}", job.what));
    let what = format!("reading {}", job.what);
    let rows = match job.parameter {
        Parameter::None => session.query(&what, &job.sql, &[])?,
        Parameter::Schemas => session.query(&what, &job.sql, &[schemas])?,
        Parameter::Scope => session.query(&what, &job.sql, &[scope])?,
    };
    timings::rows(&mut timing, rows.len());
    Ok(rows)
}

/// What further connections need: where to connect, the snapshot to import, the search
/// path to set.
struct Helpers<'a> {
    parallel: Parallel<'a>,
    snapshot: &'a str,
    search_path: &'a String,
}

/// Runs `jobs` on `session` and `helpers.parallel.connections - 1` further connections
/// (each on its own thread, connecting while the first reads the scope), each taking
/// the next job until none is left; the rows come back in the order of `jobs`. A
/// further connection that cannot connect or import the snapshot leaves its share to
/// the others, with a note.
fn run_parallel(
    session: &mut LiveSession,
    helpers: &Helpers<'_>,
    jobs: &[Job],
    schemas: &Vec<String>,
    notes: &mut Vec<String>,
) -> Result<Vec<Vec<Row>>, LiveError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Vec<Row>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let first_error: Mutex<Option<LiveError>> = Mutex::new(None);
    let helper_notes: Mutex<Vec<String>> = Mutex::new(Vec::new());
    // Runs jobs on `session` until none is left or one failed anywhere.
    let work = |session: &mut LiveSession, scope: &Vec<Oid>| {
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(index) else { break };
            match run_job(session, job, schemas, scope) {
                Ok(rows) => lock(&results)[index] = Some(rows),
                Err(error) => {
                    failed.store(true, Ordering::Relaxed);
                    lock(&first_error).get_or_insert(error);
                    break;
                }
            }
        }
    };
    let source = session.snapshot_source();
    let further = helpers.parallel.connections - 1;
    std::thread::scope(|threads| -> Result<(), LiveError> {
        let mut senders = Vec::with_capacity(further);
        for number in 0..further {
            let (sender, receiver) = mpsc::channel::<Arc<Vec<Oid>>>();
            senders.push(sender);
            let work = &work;
            let helper_notes = &helper_notes;
            let source = &source;
            threads.spawn(move || {
                let mut timing =
                    timings::phase(format!("connect (catalog connection {})", number + 2));
                let joined = LiveSession::connect_to_snapshot(
                    helpers.parallel.settings,
                    &helpers.parallel.options,
                    source,
                    helpers.snapshot,
                )
                .and_then(|mut helper| {
                    set_search_path(&mut helper, helpers.search_path)?;
                    Ok(helper)
                });
                drop(timing.take());
                match joined {
                    Ok(mut helper) => {
                        // The first connection sends the scope, or drops the sender when
                        // it failed to read it.
                        if let Ok(scope) = receiver.recv() {
                            work(&mut helper, &scope);
                        }
                    }
                    Err(error) => lock(helper_notes).push(format!(
                        "catalog connection {} of {} could not share the first one's \
                         snapshot ({error}); the others read its part of the catalog",
                        number + 2,
                        further + 1
                    )),
                }
            });
        }
        let scope = Arc::new(read_scope(session, schemas)?);
        for sender in senders {
            // A helper that could not connect is gone: nothing to send it.
            drop(sender.send(Arc::clone(&scope)));
        }
        work(session, &scope);
        Ok(())
    })?;
    if let Some(error) = lock(&first_error).take() {
        return Err(error);
    }
    notes.extend(lock(&helper_notes).drain(..));
    let results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    results
        .into_iter()
        .map(|rows| {
            rows.ok_or_else(|| LiveError::QueryFailed {
                what: "reading the catalog".to_string(),
                message: "a catalog query was not run".to_string(),
            })
        })
        .collect()
}

/// The value in `mutex`, even when a thread panicked while holding it (the values here
/// stay consistent: each write is one assignment).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Names of the attributes keys refer to, by relation and attribute number: the columns
/// read (by their place in `columns`, with their collation) and the attributes of
/// relations outside the scope that foreign keys reference.
struct Attributes<'a> {
    columns: &'a [ColumnRow],
    read: HashMap<(Oid, i16), (usize, Oid)>,
    outside: HashMap<(Oid, i16), String>,
}

impl Attributes<'_> {
    fn name(&self, relation: Oid, number: i16) -> Option<String> {
        if let Some((position, _)) = self.read.get(&(relation, number)) {
            return self
                .columns
                .get(*position)
                .map(|column| column.name.clone());
        }
        match self.outside.get(&(relation, number)) {
            Some(name) => Some(name.clone()),
            None => system_column(number).map(str::to_string),
        }
    }

    /// The names of `numbers` that exist, in order (as joining `pg_attribute` gives them).
    fn names(&self, relation: Oid, numbers: &[i16]) -> Vec<String> {
        numbers
            .iter()
            .filter_map(|number| self.name(relation, *number))
            .collect()
    }

    /// The collation of column `number` of `relation`, when it was read.
    fn collation(&self, relation: Oid, number: i16) -> Option<Oid> {
        self.read
            .get(&(relation, number))
            .map(|(_, collation)| *collation)
    }
}

/// The system columns a key may name (a CHECK may read `tableoid`).
fn system_column(number: i16) -> Option<&'static str> {
    match number {
        -1 => Some("ctid"),
        -2 => Some("xmin"),
        -3 => Some("cmin"),
        -4 => Some("xmax"),
        -5 => Some("cmax"),
        -6 => Some("tableoid"),
        _ => None,
    }
}

/// Operator classes and collations by oid, for index keys.
struct Names {
    opclasses: HashMap<Oid, (String, bool)>,
    collations: HashMap<Oid, String>,
}

/// The rows of every query (in the order of [`jobs`]) as plain values, catalog arrays
/// named; foreign keys to relations outside the scope get their column names with one
/// more query on `session`.
fn catalog_rows(
    session: &mut LiveSession,
    mut results: Vec<Vec<Row>>,
) -> Result<CatalogRows, LiveError> {
    let mut take = |index: usize| std::mem::take(&mut results[index]);
    let mut comments = Comments::read(&take(job::COMMENTS))?;
    let stats = take(job::STATS);
    let (stats_reset, read_at) = match stats.first() {
        Some(row) => (get(row, 0, "stats")?, get(row, 1, "stats")?),
        None => (None, String::new()),
    };
    let mut names = Names {
        opclasses: HashMap::new(),
        collations: HashMap::new(),
    };
    for row in take(job::OPCLASSES) {
        let kind = "operator classes";
        names.opclasses.insert(
            get(&row, 0, kind)?,
            (get(&row, 1, kind)?, get(&row, 2, kind)?),
        );
    }
    for row in take(job::COLLATIONS) {
        let kind = "collations";
        names
            .collations
            .insert(get(&row, 0, kind)?, get(&row, 1, kind)?);
    }
    let column_rows = take(job::COLUMNS);
    let mut read = HashMap::with_capacity(column_rows.len());
    let columns = convert(&column_rows, |row| {
        let column = column_row(row, &mut comments)?;
        let number: i32 = get(row, 7, "columns")?;
        read.insert(
            (column.relation, number as i16),
            (read.len(), get(row, 8, "columns")?),
        );
        Ok(column)
    })?;
    drop(column_rows);
    let in_scope: HashSet<Oid> = columns.iter().map(|column| column.relation).collect();
    let constraint_rows = take(job::CONSTRAINTS);
    let referenced_outside: Vec<Oid> = constraint_rows
        .iter()
        .map(|row| get::<Oid>(row, 14, "constraints"))
        .collect::<Result<BTreeSet<Oid>, _>>()?
        .into_iter()
        .filter(|relation| *relation != 0 && !in_scope.contains(relation))
        .collect();
    let mut outside = HashMap::new();
    if !referenced_outside.is_empty() {
        let mut timing = timings::phase("catalog query: referenced columns");
        let rows = session.query(
            "reading referenced columns",
            queries::ATTRIBUTES,
            &[&referenced_outside],
        )?;
        timings::rows(&mut timing, rows.len());
        for row in rows {
            let kind = "referenced columns";
            outside.insert(
                (get(&row, 0, kind)?, get(&row, 1, kind)?),
                get(&row, 2, kind)?,
            );
        }
    }
    let attributes = Attributes {
        columns: &columns,
        read,
        outside,
    };
    let constraints = convert(&constraint_rows, |row| {
        constraint_row(row, &attributes, &mut comments)
    })?;
    drop(constraint_rows);
    let indexes = convert(&take(job::INDEXES), |row| {
        index_row(row, &attributes, &names, &mut comments)
    })?;
    let triggers = convert(&take(job::TRIGGERS), |row| {
        trigger_row(row, &attributes, &mut comments)
    })?;
    drop(attributes);
    Ok(CatalogRows {
        schemas: convert(&take(job::SCHEMAS), |row| get(row, 0, "schemas"))?,
        extensions: convert(&take(job::EXTENSIONS), |row| {
            Ok(ExtensionRow {
                name: get(row, 0, "extensions")?,
                schema: get(row, 1, "extensions")?,
            })
        })?,
        relations: convert(&take(job::RELATIONS), |row| {
            relation_row(row, &mut comments)
        })?,
        columns,
        constraints,
        indexes,
        policies: convert(&take(job::POLICIES), |row| policy_row(row, &mut comments))?,
        grants: convert(&take(job::GRANTS), |row| {
            Ok(GrantRow {
                relation: get(row, 0, "grants")?,
                grantee: get(row, 1, "grants")?,
                privilege: get(row, 2, "grants")?,
            })
        })?,
        triggers,
        enums: convert(&take(job::ENUMS), |row| {
            Ok(EnumRow {
                schema: get(row, 0, "enums")?,
                name: get(row, 1, "enums")?,
                labels: get(row, 2, "enums")?,
            })
        })?,
        domains: convert(&take(job::DOMAINS), |row| {
            Ok(DomainRow {
                schema: get(row, 0, "domains")?,
                name: get(row, 1, "domains")?,
                base_type: get(row, 2, "domains")?,
                not_null: get(row, 3, "domains")?,
                checks: get(row, 4, "domains")?,
            })
        })?,
        functions: convert(&take(job::FUNCTIONS), function_row)?,
        sequences: convert(&take(job::SEQUENCES), |row| {
            let kind = "sequences";
            Ok(SequenceRow {
                schema: get(row, 0, kind)?,
                name: get(row, 1, kind)?,
                data_type: get(row, 2, kind)?,
                increment: get(row, 3, kind)?,
                owner_schema: get(row, 4, kind)?,
                owner_relation: get(row, 5, kind)?,
                owner_column: get(row, 6, kind)?,
            })
        })?,
        index_scans: convert(&take(job::INDEX_SCANS), |row| {
            Ok(IndexScanRow {
                schema: get(row, 0, "index statistics")?,
                name: get(row, 1, "index statistics")?,
                scans: get::<Option<i64>>(row, 2, "index statistics")?.unwrap_or(0),
            })
        })?,
        stats_reset,
        read_at,
    })
}

fn convert<T>(
    rows: &[Row],
    mut each: impl FnMut(&Row) -> Result<T, LiveError>,
) -> Result<Vec<T>, LiveError> {
    rows.iter().map(&mut each).collect()
}

/// Column `index` of `row`; a type mismatch means the server answered in a shape this
/// version does not expect.
fn get<'a, T: FromSql<'a>>(row: &'a Row, index: usize, kind: &str) -> Result<T, LiveError> {
    row.try_get(index)
        .map_err(|error| LiveError::from_server(format!("reading {kind}"), &error))
}

fn relation_row(row: &Row, comments: &mut Comments) -> Result<RelationRow, LiveError> {
    let kind = "relations";
    Ok(RelationRow {
        oid: get(row, 0, kind)?,
        schema: get(row, 1, kind)?,
        name: get(row, 2, kind)?,
        relkind: get(row, 3, kind)?,
        rls_enabled: get(row, 4, kind)?,
        rls_forced: get(row, 5, kind)?,
        populated: get(row, 6, kind)?,
        view_definition: get(row, 7, kind)?,
        comment: comments.take("class", get(row, 8, kind)?, 0),
        owner: get(row, 9, kind)?,
        owner_privileges: get(row, 10, kind)?,
    })
}

fn column_row(row: &Row, comments: &mut Comments) -> Result<ColumnRow, LiveError> {
    let kind = "columns";
    Ok(ColumnRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        data_type: get(row, 2, kind)?,
        not_null: get(row, 3, kind)?,
        default: get(row, 4, kind)?,
        identity: get(row, 5, kind)?,
        generated: get(row, 6, kind)?,
        comment: comments.take("class", get(row, 0, kind)?, get(row, 7, kind)?),
    })
}

fn constraint_row(
    row: &Row,
    attributes: &Attributes,
    comments: &mut Comments,
) -> Result<ConstraintRow, LiveError> {
    let kind = "constraints";
    let relation: Oid = get(row, 0, kind)?;
    let keys: Option<Vec<i16>> = get(row, 4, kind)?;
    let referenced: Oid = get(row, 14, kind)?;
    let referenced_keys: Option<Vec<i16>> = get(row, 7, kind)?;
    Ok(ConstraintRow {
        relation,
        name: get(row, 1, kind)?,
        contype: get(row, 2, kind)?,
        deferrable: get(row, 3, kind)?,
        columns: attributes.names(relation, keys.as_deref().unwrap_or_default()),
        referenced_schema: get(row, 5, kind)?,
        referenced_name: get(row, 6, kind)?,
        referenced_columns: attributes
            .names(referenced, referenced_keys.as_deref().unwrap_or_default()),
        on_delete: get(row, 8, kind)?,
        on_update: get(row, 9, kind)?,
        definition: get(row, 10, kind)?,
        comment: comments.take("constraint", get(row, 11, kind)?, 0),
        nulls_not_distinct: get(row, 12, kind)?,
        initially_deferred: get(row, 13, kind)?,
    })
}

fn index_row(
    row: &Row,
    attributes: &Attributes,
    names: &Names,
    comments: &mut Comments,
) -> Result<IndexRow, LiveError> {
    let kind = "indexes";
    let relation: Oid = get(row, 0, kind)?;
    let key_count: i32 = get(row, 4, kind)?;
    let numbers: Vec<i16> = get(row, 5, kind)?;
    let opclass_oids: Vec<Oid> = get(row, 8, kind)?;
    let collation_oids: Vec<Oid> = get(row, 9, kind)?;
    let keys = usize::try_from(key_count).unwrap_or(0);
    // Only key attributes have an operator class and a collation.
    let opclasses: Vec<&(String, bool)> = opclass_oids
        .iter()
        .take(keys)
        .filter_map(|oid| names.opclasses.get(oid))
        .collect();
    let key_collations = collation_oids.iter().take(keys);
    Ok(IndexRow {
        relation,
        name: get(row, 1, kind)?,
        unique: get(row, 2, kind)?,
        method: get(row, 3, kind)?,
        key_count,
        attribute_names: numbers
            .iter()
            .map(|number| match number {
                0 => None,
                _ => attributes.name(relation, *number),
            })
            .collect(),
        definitions: get(row, 6, kind)?,
        options: get(row, 7, kind)?,
        opclasses: opclasses
            .iter()
            .map(|(name, default)| (!default).then(|| name.clone()))
            .collect(),
        default_opclasses: opclasses
            .iter()
            .map(|(name, default)| default.then(|| name.clone()))
            .collect(),
        collations: key_collations
            .clone()
            .map(|oid| names.collations.get(oid).cloned())
            .collect(),
        collation_is_columns: key_collations
            .zip(&numbers)
            .map(|(collation, number)| match number {
                0 => None,
                _ => attributes
                    .collation(relation, *number)
                    .map(|column_collation| *collation == column_collation),
            })
            .collect(),
        definition: get(row, 10, kind)?,
        predicate: get(row, 11, kind)?,
        nulls_not_distinct: get(row, 12, kind)?,
        only: get(row, 13, kind)?,
        constraint: get(row, 14, kind)?,
        comment: comments.take("class", get(row, 15, kind)?, 0),
    })
}

fn policy_row(row: &Row, comments: &mut Comments) -> Result<PolicyRow, LiveError> {
    let kind = "policies";
    Ok(PolicyRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        command: get(row, 2, kind)?,
        permissive: get(row, 3, kind)?,
        roles: get(row, 4, kind)?,
        using: get(row, 5, kind)?,
        with_check: get(row, 6, kind)?,
        comment: comments.take("policy", get(row, 7, kind)?, 0),
    })
}

fn trigger_row(
    row: &Row,
    attributes: &Attributes,
    comments: &mut Comments,
) -> Result<TriggerRow, LiveError> {
    let kind = "triggers";
    let relation: Oid = get(row, 0, kind)?;
    let update_columns: Vec<i16> = get(row, 13, kind)?;
    Ok(TriggerRow {
        relation,
        name: get(row, 1, kind)?,
        tgtype: get(row, 2, kind)?,
        function_schema: get(row, 3, kind)?,
        function_name: get(row, 4, kind)?,
        argument_count: get(row, 5, kind)?,
        arguments: get(row, 6, kind)?,
        definition: get::<Option<String>>(row, 7, kind)?.unwrap_or_default(),
        comment: comments.take("trigger", get(row, 8, kind)?, 0),
        is_constraint: get(row, 9, kind)?,
        deferrable: get(row, 10, kind)?,
        initially_deferred: get(row, 11, kind)?,
        enabled: get(row, 12, kind)?,
        update_columns: attributes.names(relation, &update_columns),
        old_table: get(row, 14, kind)?,
        new_table: get(row, 15, kind)?,
    })
}

fn function_row(row: &Row) -> Result<FunctionRow, LiveError> {
    let kind = "functions";
    Ok(FunctionRow {
        schema: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        arguments: get(row, 2, kind)?,
        result: get(row, 3, kind)?,
        kind: get(row, 4, kind)?,
        language: get(row, 5, kind)?,
        volatility: get(row, 6, kind)?,
        security_definer: get(row, 7, kind)?,
        source: get(row, 8, kind)?,
        sql_body: get(row, 9, kind)?,
    })
}
