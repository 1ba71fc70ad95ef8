use super::assemble::assemble;
use super::queries;
use super::rows::*;
use super::session::{quote_identifier, LiveSession};
use super::LiveError;
use crate::model::Catalog;
use std::collections::HashMap;
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
        self.0.remove(&(kind, oid, sub_id))
    }
}

/// Reads the schemas in scope from `pg_catalog` into a [`Catalog`], one query per object
/// kind, all inside the session's read-only transaction. Locations are `None`: live facts
/// have no file. The first schema is the default one (the run's: the first configured
/// schema, else `public`): names in it print unqualified, as specs write them, and the
/// canonical forms of expressions are computed with it.
pub fn introspect(session: &mut LiveSession, schemas: &[String]) -> Result<Catalog, LiveError> {
    let version = session.server_version();
    let default_schema = schemas.first().map_or("public", String::as_str);
    let search_path = schemas
        .first()
        .map(|schema| quote_identifier(schema))
        .unwrap_or_else(|| "public".to_string());
    session.query(
        "setting the search path",
        queries::SET_SEARCH_PATH,
        &[&search_path],
    )?;
    let scope = schemas.to_vec();
    let mut fetch = |what: &str, sql: &str| session.query(what, sql, &[&scope]);
    let schema_names = fetch("reading schemas", queries::SCHEMAS)?;
    let relations = fetch("reading relations", queries::RELATIONS)?;
    let columns = fetch("reading columns", queries::COLUMNS)?;
    let constraints = fetch("reading constraints", &queries::constraints(version))?;
    let indexes = fetch("reading indexes", &queries::indexes(version))?;
    let policies = fetch("reading policies", queries::POLICIES)?;
    let grants = fetch("reading grants", queries::GRANTS)?;
    let triggers = fetch("reading triggers", &queries::triggers(version))?;
    let enums = fetch("reading enum types", queries::ENUMS)?;
    let domains = fetch("reading domains", queries::DOMAINS)?;
    let functions = fetch("reading functions", &queries::functions(version))?;
    let sequences = fetch("reading sequences", queries::SEQUENCES)?;
    let index_scans = fetch("reading index statistics", queries::INDEX_SCANS)?;
    let extensions = session.query("reading extensions", queries::EXTENSIONS, &[])?;
    let stats = session.query("reading statistics reset time", queries::STATS_RESET, &[])?;
    let mut comments =
        Comments::read(&session.query("reading comments", queries::COMMENTS, &[])?)?;

    let (stats_reset, read_at) = match stats.first() {
        Some(row) => (get(row, 0, "stats")?, get(row, 1, "stats")?),
        None => (None, String::new()),
    };
    let rows = CatalogRows {
        schemas: convert(&schema_names, |row| get(row, 0, "schemas"))?,
        extensions: convert(&extensions, |row| {
            Ok(ExtensionRow {
                name: get(row, 0, "extensions")?,
                schema: get(row, 1, "extensions")?,
            })
        })?,
        relations: convert(&relations, |row| relation_row(row, &mut comments))?,
        columns: convert(&columns, |row| column_row(row, &mut comments))?,
        constraints: convert(&constraints, |row| constraint_row(row, &mut comments))?,
        indexes: convert(&indexes, |row| index_row(row, &mut comments))?,
        policies: convert(&policies, |row| policy_row(row, &mut comments))?,
        grants: convert(&grants, |row| {
            Ok(GrantRow {
                relation: get(row, 0, "grants")?,
                grantee: get(row, 1, "grants")?,
                privilege: get(row, 2, "grants")?,
            })
        })?,
        triggers: convert(&triggers, |row| trigger_row(row, &mut comments))?,
        enums: convert(&enums, |row| {
            Ok(EnumRow {
                schema: get(row, 0, "enums")?,
                name: get(row, 1, "enums")?,
                labels: get(row, 2, "enums")?,
            })
        })?,
        domains: convert(&domains, |row| {
            Ok(DomainRow {
                schema: get(row, 0, "domains")?,
                name: get(row, 1, "domains")?,
                base_type: get(row, 2, "domains")?,
                not_null: get(row, 3, "domains")?,
                checks: get(row, 4, "domains")?,
            })
        })?,
        functions: convert(&functions, function_row)?,
        sequences: convert(&sequences, |row| {
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
        index_scans: convert(&index_scans, |row| {
            Ok(IndexScanRow {
                schema: get(row, 0, "index statistics")?,
                name: get(row, 1, "index statistics")?,
                scans: get::<Option<i64>>(row, 2, "index statistics")?.unwrap_or(0),
            })
        })?,
        stats_reset,
        read_at,
    };
    Ok(assemble(rows, default_schema))
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

fn constraint_row(row: &Row, comments: &mut Comments) -> Result<ConstraintRow, LiveError> {
    let kind = "constraints";
    Ok(ConstraintRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        contype: get(row, 2, kind)?,
        deferrable: get(row, 3, kind)?,
        columns: get(row, 4, kind)?,
        referenced_schema: get(row, 5, kind)?,
        referenced_name: get(row, 6, kind)?,
        referenced_columns: get(row, 7, kind)?,
        on_delete: get(row, 8, kind)?,
        on_update: get(row, 9, kind)?,
        definition: get(row, 10, kind)?,
        comment: comments.take("constraint", get(row, 11, kind)?, 0),
        nulls_not_distinct: get(row, 12, kind)?,
        initially_deferred: get(row, 13, kind)?,
    })
}

fn index_row(row: &Row, comments: &mut Comments) -> Result<IndexRow, LiveError> {
    let kind = "indexes";
    Ok(IndexRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        unique: get(row, 2, kind)?,
        method: get(row, 3, kind)?,
        key_count: get(row, 4, kind)?,
        attribute_names: get(row, 5, kind)?,
        definitions: get(row, 6, kind)?,
        options: get(row, 7, kind)?,
        opclasses: get(row, 8, kind)?,
        default_opclasses: get(row, 9, kind)?,
        collations: get(row, 10, kind)?,
        collation_is_columns: get(row, 11, kind)?,
        definition: get(row, 12, kind)?,
        predicate: get(row, 13, kind)?,
        nulls_not_distinct: get(row, 14, kind)?,
        only: get(row, 15, kind)?,
        constraint: get(row, 16, kind)?,
        comment: comments.take("class", get(row, 17, kind)?, 0),
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

fn trigger_row(row: &Row, comments: &mut Comments) -> Result<TriggerRow, LiveError> {
    let kind = "triggers";
    Ok(TriggerRow {
        relation: get(row, 0, kind)?,
        name: get(row, 1, kind)?,
        tgtype: get(row, 2, kind)?,
        function_schema: get(row, 3, kind)?,
        function_name: get(row, 4, kind)?,
        argument_count: get(row, 5, kind)?,
        arguments: get(row, 6, kind)?,
        definition: get(row, 7, kind)?,
        comment: comments.take("trigger", get(row, 8, kind)?, 0),
        is_constraint: get(row, 9, kind)?,
        deferrable: get(row, 10, kind)?,
        initially_deferred: get(row, 11, kind)?,
        enabled: get(row, 12, kind)?,
        update_columns: get(row, 13, kind)?,
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
