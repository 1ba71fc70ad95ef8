use super::assemble::assemble;
use super::blocks::Blocks;
use super::queries;
use super::rows::*;
use super::session::{quote_identifier, LiveSession, SessionOptions};
use super::settings::ConnectionSettings;
use super::LiveError;
use crate::model::Catalog;
use crate::timings;
use foldhash::{HashMap, HashMapExt, HashSet};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use tokio_postgres::types::{FromSql, ToSql};
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
    /// How many connections shared the catalog's snapshot (1 when it was read on one).
    pub connections: usize,
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
    let mut connections = 1;
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
            let (results, joined) =
                run_parallel(session, &helpers, &jobs, &schema_list, &mut notes)?;
            connections += joined;
            results
        }
        _ => {
            let scope = read_scope(session, &schema_list)?;
            let mut results = Vec::with_capacity(jobs.len());
            for job in &jobs {
                results.push(run_job(session, results.len(), job, &schema_list, &scope)?);
            }
            results
        }
    };
    let rows = catalog_rows(session, results)?;
    let mut timing = timings::phase("assemble live catalog");
    let catalog = assemble(rows, default_schema);
    timings::rows(&mut timing, catalog.relations.len());
    Ok(Introspection {
        catalog,
        notes,
        connections,
    })
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

/// Runs job `index` on `session`, timed, and decodes its rows on this thread.
fn run_job(
    session: &mut LiveSession,
    index: usize,
    job: &Job,
    schemas: &Vec<String>,
    scope: &Vec<Oid>,
) -> Result<Decoded, LiveError> {
    let mut timing = timings::phase(format!("catalog query: {}", job.what));
    let what = format!("reading {}", job.what);
    let parameters: &[&(dyn ToSql + Sync)] = match job.parameter {
        Parameter::None => &[],
        Parameter::Schemas => &[schemas],
        Parameter::Scope => &[scope],
    };
    let mut decoded = Decoded::empty(index);
    let mut rows = 0;
    session.query_each(&what, &job.sql, parameters, |row| {
        rows += 1;
        decoded.push(row)
    })?;
    timings::rows(&mut timing, rows);
    Ok(decoded)
}

/// A query's rows, the large ones decoded (and their `Row`s freed) on the thread that
/// read them as soon as they arrive, which bounds the memory of rows kept until assembly
/// and decodes while other queries run. Key arrays and comments are matched later, when
/// every query is in.
enum Decoded {
    /// Rows of a small query, decoded at assembly.
    Raw(Vec<Row>),
    Relations(Vec<RelationRow>),
    /// Each column with its number and collation.
    Columns(Blocks<(ColumnRow, i16, Oid)>),
    Constraints(Blocks<(ConstraintRow, ConstraintKeys)>),
    Indexes(Blocks<(IndexRow, IndexKeys)>),
    /// Each policy with its oid (for its comment).
    Policies(Blocks<(PolicyRow, Oid)>),
    /// Each trigger with its `UPDATE OF` attribute numbers and its oid.
    Triggers(Blocks<(TriggerRow, Vec<i16>, Oid)>),
}

impl Decoded {
    /// No rows yet of job `index` (see [`job`]).
    fn empty(index: usize) -> Decoded {
        match index {
            job::RELATIONS => Decoded::Relations(Vec::new()),
            job::COLUMNS => Decoded::Columns(Blocks::new()),
            job::CONSTRAINTS => Decoded::Constraints(Blocks::new()),
            job::INDEXES => Decoded::Indexes(Blocks::new()),
            job::POLICIES => Decoded::Policies(Blocks::new()),
            job::TRIGGERS => Decoded::Triggers(Blocks::new()),
            _ => Decoded::Raw(Vec::new()),
        }
    }

    /// Adds `row`, decoded unless it is kept for assembly.
    fn push(&mut self, row: Row) -> Result<(), LiveError> {
        match self {
            Decoded::Raw(rows) => rows.push(row),
            Decoded::Relations(rows) => rows.push(relation_row(&row)?),
            Decoded::Columns(rows) => rows.push(column_row(&row)?),
            Decoded::Constraints(rows) => rows.push(constraint_row(&row)?),
            Decoded::Indexes(rows) => rows.push(index_row(&row)?),
            Decoded::Policies(rows) => rows.push(policy_row(&row)?),
            Decoded::Triggers(rows) => rows.push(trigger_row(&row)?),
        }
        Ok(())
    }

    /// The rows of a query that is decoded at assembly.
    fn raw(self) -> Vec<Row> {
        match self {
            Decoded::Raw(rows) => rows,
            _ => Vec::new(),
        }
    }
}

/// A constraint's keys as attribute numbers, and its oid.
struct ConstraintKeys {
    keys: Vec<i16>,
    referenced: Oid,
    referenced_keys: Vec<i16>,
    oid: Oid,
}

/// An index's attribute numbers, operator class and collation oids, and its oid.
struct IndexKeys {
    numbers: Vec<i16>,
    opclasses: Vec<Oid>,
    collations: Vec<Oid>,
    oid: Oid,
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
/// the others, with a note. Also: how many further connections joined.
fn run_parallel(
    session: &mut LiveSession,
    helpers: &Helpers<'_>,
    jobs: &[Job],
    schemas: &Vec<String>,
    notes: &mut Vec<String>,
) -> Result<(Vec<Decoded>, usize), LiveError> {
    let next = AtomicUsize::new(0);
    let joined = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<Decoded>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    let first_error: Mutex<Option<LiveError>> = Mutex::new(None);
    let helper_notes: Mutex<Vec<String>> = Mutex::new(Vec::new());
    // Runs jobs on `session` until none is left or one failed anywhere.
    let work = |session: &mut LiveSession, scope: &Vec<Oid>| {
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(job) = jobs.get(index) else { break };
            match run_job(session, index, job, schemas, scope) {
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
            let joined = &joined;
            let source = &source;
            threads.spawn(move || {
                let mut timing =
                    timings::phase(format!("connect (catalog connection {})", number + 2));
                let connected = LiveSession::connect_to_snapshot(
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
                match connected {
                    Ok(mut helper) => {
                        joined.fetch_add(1, Ordering::Relaxed);
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
    let results = results
        .into_iter()
        .map(|rows| {
            rows.ok_or_else(|| LiveError::QueryFailed {
                what: "reading the catalog".to_string(),
                message: "a catalog query was not run".to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    Ok((results, joined.into_inner()))
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
    columns: &'a Blocks<ColumnRow>,
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
    results: Vec<Decoded>,
) -> Result<CatalogRows, LiveError> {
    let mut results: Vec<Option<Decoded>> = results.into_iter().map(Some).collect();
    let mut take = |index: usize| results[index].take().unwrap_or(Decoded::Raw(Vec::new()));
    let mut comments = Comments::read(&take(job::COMMENTS).raw())?;
    let stats = take(job::STATS).raw();
    let (stats_reset, read_at) = match stats.first() {
        Some(row) => (get(row, 0, "stats")?, get(row, 1, "stats")?),
        None => (None, String::new()),
    };
    let mut names = Names {
        opclasses: HashMap::new(),
        collations: HashMap::new(),
    };
    for row in take(job::OPCLASSES).raw() {
        let kind = "operator classes";
        names.opclasses.insert(
            get(&row, 0, kind)?,
            (get(&row, 1, kind)?, get(&row, 2, kind)?),
        );
    }
    for row in take(job::COLLATIONS).raw() {
        let kind = "collations";
        names
            .collations
            .insert(get(&row, 0, kind)?, get(&row, 1, kind)?);
    }
    let Decoded::Relations(mut relations) = take(job::RELATIONS) else {
        return Err(not_run("relations"));
    };
    for relation in &mut relations {
        relation.comment = comments.take("class", relation.oid, 0);
    }
    let Decoded::Columns(decoded_columns) = take(job::COLUMNS) else {
        return Err(not_run("columns"));
    };
    let mut read = HashMap::with_capacity(decoded_columns.len());
    let mut position = 0;
    let columns = decoded_columns.map(|(mut column, number, collation)| {
        column.comment = comments.take("class", column.relation, i32::from(number));
        read.insert((column.relation, number), (position, collation));
        position += 1;
        column
    });
    let in_scope: HashSet<Oid> = columns.iter().map(|column| column.relation).collect();
    let Decoded::Constraints(decoded_constraints) = take(job::CONSTRAINTS) else {
        return Err(not_run("constraints"));
    };
    let referenced_outside: Vec<Oid> = decoded_constraints
        .iter()
        .map(|(_, keys)| keys.referenced)
        .filter(|relation| *relation != 0 && !in_scope.contains(relation))
        .collect::<BTreeSet<Oid>>()
        .into_iter()
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
    let constraints = decoded_constraints.map(|(mut constraint, keys)| {
        constraint.columns = attributes.names(constraint.relation, &keys.keys);
        constraint.referenced_columns = attributes.names(keys.referenced, &keys.referenced_keys);
        constraint.comment = comments.take("constraint", keys.oid, 0);
        constraint
    });
    let Decoded::Indexes(decoded_indexes) = take(job::INDEXES) else {
        return Err(not_run("indexes"));
    };
    let indexes = decoded_indexes.map(|(mut index, keys)| {
        name_index_keys(&mut index, &keys, &attributes, &names);
        index.comment = comments.take("class", keys.oid, 0);
        index
    });
    let Decoded::Triggers(decoded_triggers) = take(job::TRIGGERS) else {
        return Err(not_run("triggers"));
    };
    let triggers = decoded_triggers.map(|(mut trigger, update_columns, oid)| {
        trigger.update_columns = attributes.names(trigger.relation, &update_columns);
        trigger.comment = comments.take("trigger", oid, 0);
        trigger
    });
    drop(attributes);
    let Decoded::Policies(decoded_policies) = take(job::POLICIES) else {
        return Err(not_run("policies"));
    };
    let policies = decoded_policies.map(|(mut policy, oid)| {
        policy.comment = comments.take("policy", oid, 0);
        policy
    });
    Ok(CatalogRows {
        schemas: convert(&take(job::SCHEMAS).raw(), |row| get(row, 0, "schemas"))?,
        extensions: convert(&take(job::EXTENSIONS).raw(), |row| {
            Ok(ExtensionRow {
                name: get(row, 0, "extensions")?,
                schema: get(row, 1, "extensions")?,
            })
        })?,
        relations,
        columns,
        constraints,
        indexes,
        policies,
        grants: convert(&take(job::GRANTS).raw(), |row| {
            Ok(GrantRow {
                relation: get(row, 0, "grants")?,
                grantee: get(row, 1, "grants")?,
                privilege: get(row, 2, "grants")?,
            })
        })?,
        triggers,
        enums: convert(&take(job::ENUMS).raw(), |row| {
            Ok(EnumRow {
                schema: get(row, 0, "enums")?,
                name: get(row, 1, "enums")?,
                labels: get(row, 2, "enums")?,
            })
        })?,
        domains: convert(&take(job::DOMAINS).raw(), |row| {
            Ok(DomainRow {
                schema: get(row, 0, "domains")?,
                name: get(row, 1, "domains")?,
                base_type: get(row, 2, "domains")?,
                not_null: get(row, 3, "domains")?,
                checks: get(row, 4, "domains")?,
            })
        })?,
        functions: convert(&take(job::FUNCTIONS).raw(), function_row)?,
        sequences: convert(&take(job::SEQUENCES).raw(), |row| {
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
        index_scans: convert(&take(job::INDEX_SCANS).raw(), |row| {
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

/// The error of a query whose rows are missing (a bug, not the server's doing).
fn not_run(what: &str) -> LiveError {
    LiveError::QueryFailed {
        what: format!("reading {what}"),
        message: "the catalog query was not run".to_string(),
    }
}

fn relation_row(row: &Row) -> Result<RelationRow, LiveError> {
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
        comment: None,
        owner: get(row, 9, kind)?,
        owner_privileges: get(row, 10, kind)?,
    })
}

fn column_row(row: &Row) -> Result<(ColumnRow, i16, Oid), LiveError> {
    let kind = "columns";
    let number: i32 = get(row, 7, kind)?;
    let column = ColumnRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        data_type: get(row, 2, kind)?,
        not_null: get(row, 3, kind)?,
        default: get(row, 4, kind)?,
        identity: get(row, 5, kind)?,
        generated: get(row, 6, kind)?,
        comment: None,
    };
    let number = i16::try_from(number).map_err(|_| LiveError::QueryFailed {
        what: format!("reading {kind}"),
        message: format!("attribute number {number} is out of range"),
    })?;
    Ok((column, number, get(row, 8, kind)?))
}

fn constraint_row(row: &Row) -> Result<(ConstraintRow, ConstraintKeys), LiveError> {
    let kind = "constraints";
    let keys: Option<Vec<i16>> = get(row, 4, kind)?;
    let referenced_keys: Option<Vec<i16>> = get(row, 7, kind)?;
    let constraint = ConstraintRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        contype: get(row, 2, kind)?,
        deferrable: get(row, 3, kind)?,
        columns: Vec::new(),
        referenced_schema: get(row, 5, kind)?,
        referenced_name: get(row, 6, kind)?,
        referenced_columns: Vec::new(),
        on_delete: get(row, 8, kind)?,
        on_update: get(row, 9, kind)?,
        definition: get(row, 10, kind)?,
        comment: None,
        nulls_not_distinct: get(row, 12, kind)?,
        initially_deferred: get(row, 13, kind)?,
    };
    Ok((
        constraint,
        ConstraintKeys {
            keys: keys.unwrap_or_default(),
            referenced: get(row, 14, kind)?,
            referenced_keys: referenced_keys.unwrap_or_default(),
            oid: get(row, 11, kind)?,
        },
    ))
}

fn index_row(row: &Row) -> Result<(IndexRow, IndexKeys), LiveError> {
    let kind = "indexes";
    let index = IndexRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        unique: get(row, 2, kind)?,
        method: get(row, 3, kind)?,
        key_count: get(row, 4, kind)?,
        attribute_names: Vec::new(),
        definitions: get(row, 6, kind)?,
        options: get(row, 7, kind)?,
        opclasses: Vec::new(),
        default_opclasses: Vec::new(),
        collations: Vec::new(),
        collation_is_columns: Vec::new(),
        definition: get(row, 10, kind)?,
        predicate: get(row, 11, kind)?,
        nulls_not_distinct: get(row, 12, kind)?,
        only: get(row, 13, kind)?,
        constraint: get(row, 14, kind)?,
        comment: None,
    };
    Ok((
        index,
        IndexKeys {
            numbers: get(row, 5, kind)?,
            opclasses: get(row, 8, kind)?,
            collations: get(row, 9, kind)?,
            oid: get(row, 15, kind)?,
        },
    ))
}

/// Names `index`'s attributes, operator classes and collations from `keys`.
fn name_index_keys(index: &mut IndexRow, keys: &IndexKeys, attributes: &Attributes, names: &Names) {
    let relation = index.relation;
    let key_count = usize::try_from(index.key_count).unwrap_or(0);
    // Only key attributes have an operator class and a collation.
    let opclasses: Vec<&(String, bool)> = keys
        .opclasses
        .iter()
        .take(key_count)
        .filter_map(|oid| names.opclasses.get(oid))
        .collect();
    let key_collations = keys.collations.iter().take(key_count);
    index.attribute_names = keys
        .numbers
        .iter()
        .map(|number| match number {
            0 => None,
            _ => attributes.name(relation, *number),
        })
        .collect();
    index.opclasses = opclasses
        .iter()
        .map(|(name, default)| (!default).then(|| name.clone()))
        .collect();
    index.default_opclasses = opclasses
        .iter()
        .map(|(name, default)| default.then(|| name.clone()))
        .collect();
    index.collations = key_collations
        .clone()
        .map(|oid| names.collations.get(oid).cloned())
        .collect();
    index.collation_is_columns = key_collations
        .zip(&keys.numbers)
        .map(|(collation, number)| match number {
            0 => None,
            _ => attributes
                .collation(relation, *number)
                .map(|column_collation| *collation == column_collation),
        })
        .collect();
}

fn policy_row(row: &Row) -> Result<(PolicyRow, Oid), LiveError> {
    let kind = "policies";
    let policy = PolicyRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        command: get(row, 2, kind)?,
        permissive: get(row, 3, kind)?,
        roles: get(row, 4, kind)?,
        using: get(row, 5, kind)?,
        with_check: get(row, 6, kind)?,
        comment: None,
    };
    Ok((policy, get(row, 7, kind)?))
}

fn trigger_row(row: &Row) -> Result<(TriggerRow, Vec<i16>, Oid), LiveError> {
    let kind = "triggers";
    let trigger = TriggerRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        tgtype: get(row, 2, kind)?,
        function_schema: get(row, 3, kind)?,
        function_name: get(row, 4, kind)?,
        argument_count: get(row, 5, kind)?,
        arguments: get(row, 6, kind)?,
        definition: get::<Option<String>>(row, 7, kind)?.unwrap_or_default(),
        comment: None,
        is_constraint: get(row, 9, kind)?,
        deferrable: get(row, 10, kind)?,
        initially_deferred: get(row, 11, kind)?,
        enabled: get(row, 12, kind)?,
        update_columns: Vec::new(),
        old_table: get(row, 14, kind)?,
        new_table: get(row, 15, kind)?,
    };
    Ok((trigger, get(row, 13, kind)?, get(row, 8, kind)?))
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
