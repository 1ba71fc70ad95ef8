//! The catalog queries, one per object kind, each for all schemas in scope at once
//! (`$1` is the `text[]` of schema names, or for per-relation queries the `oid[]` of
//! relations in scope that [`SCOPE`] returns). Objects that belong to an extension
//! (`pg_depend.deptype = 'e'`) are left out. Catalog arrays of attribute numbers and
//! operator class or collation oids are returned raw and named on the client from the
//! columns already read and [`OPCLASSES`]/[`COLLATIONS`]: joining `pg_attribute` per
//! array element was most of the server's time.

/// Relation oids in scope, as one `oid[]`: tables, partitioned tables, views and
/// materialized views of the schemas (`$1`, a `text[]`), not owned by an extension. It
/// is computed once (the `pg_depend` anti-join is the costly part) and every
/// per-relation query starts from it ([`with_scope!`]).
pub const SCOPE: &str = "SELECT coalesce(array_agg(c.oid ORDER BY c.oid), '{}')
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY($1::text[])
      AND c.relkind IN ('r', 'p', 'v', 'm')
      AND NOT EXISTS (
          SELECT 1 FROM pg_catalog.pg_depend d
          WHERE d.classid = 'pg_catalog.pg_class'::regclass
            AND d.objid = c.oid AND d.deptype = 'e')";

/// A per-relation query over the relations in scope: `scope s` is the `oid[]` of
/// [`SCOPE`], passed as `$1`.
macro_rules! with_scope {
    ($body:literal) => {
        concat!(
            "WITH scope AS (SELECT u.oid FROM unnest($1::oid[]) AS u(oid)) ",
            $body
        )
    };
}

/// Comments on relations, columns, indexes, constraints, policies and triggers, read
/// once and matched by object id (joining `pg_description` into each query lets the
/// planner pick nested loops on unanalyzed catalogs). The last column of each
/// per-object query is the object id (for columns, the attribute number) they match.
pub const COMMENTS: &str = "SELECT ds.objoid, ds.objsubid,
        CASE ds.classoid
            WHEN 'pg_catalog.pg_class'::regclass THEN 'class'
            WHEN 'pg_catalog.pg_constraint'::regclass THEN 'constraint'
            WHEN 'pg_catalog.pg_policy'::regclass THEN 'policy'
            ELSE 'trigger' END,
        ds.description
    FROM pg_catalog.pg_description ds
    WHERE ds.classoid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_constraint'::regclass,
                          'pg_catalog.pg_policy'::regclass, 'pg_catalog.pg_trigger'::regclass)";

/// Schemas in scope that exist.
pub const SCHEMAS: &str = "SELECT n.nspname::text FROM pg_catalog.pg_namespace n \
    WHERE n.nspname = ANY($1::text[]) ORDER BY 1";

/// Installed extensions but `plpgsql`, which every database has, with the schema of
/// their objects.
pub const EXTENSIONS: &str = "SELECT e.extname::text, n.nspname::text \
    FROM pg_catalog.pg_extension e \
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace \
    WHERE e.extname <> 'plpgsql' ORDER BY 1";

/// Relations with RLS flags, view definitions, the owner and the privileges the owner
/// holds (`acldefault`, every privilege, while nothing was ever granted or revoked).
pub const RELATIONS: &str = with_scope!(
    "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text,
        c.relrowsecurity, c.relforcerowsecurity, c.relispopulated,
        CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END,
        c.oid,
        pg_catalog.pg_get_userbyid(c.relowner)::text,
        ARRAY(SELECT DISTINCT acl.privilege_type::text
              FROM pg_catalog.aclexplode(coalesce(c.relacl,
                       pg_catalog.acldefault('r', c.relowner))) acl
              WHERE acl.grantee = c.relowner ORDER BY 1)
    FROM scope s
    JOIN pg_catalog.pg_class c ON c.oid = s.oid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    ORDER BY 2, 3"
);

/// Columns in order with their exact types, defaults, identity, generation, number and
/// collation (the last two name the keys of constraints, indexes and triggers).
pub const COLUMNS: &str = with_scope!(
    "SELECT a.attrelid, a.attname::text,
        pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
        pg_catalog.pg_get_expr(d.adbin, d.adrelid, true),
        a.attidentity::text, a.attgenerated::text,
        a.attnum::int4, a.attcollation
    FROM scope s
    JOIN pg_catalog.pg_attribute a ON a.attrelid = s.oid
    LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attrelid, a.attnum"
);

/// Constraints but NOT NULL and constraint triggers, with keys as attribute numbers
/// (`conkey` of `conrelid`, `confkey` of `confrelid`); the server prints only checks and
/// exclusions (the others are fully structured).
/// What a partition inherits from its partitioned parent is left out: the specs declare
/// it once, on the parent (checks are inherited, not local; keys and foreign keys are
/// clones with a `conparentid`).
/// `{nulls_not_distinct}` is replaced by [`nulls_not_distinct`], `{constraint_clone_filter}`
/// by [`constraint_clone_filter`].
const CONSTRAINTS_TEMPLATE: &str = with_scope!(
    "SELECT con.conrelid, con.conname::text, con.contype::text, con.condeferrable,
        con.conkey,
        fn.nspname::text, fc.relname::text,
        con.confkey,
        con.confdeltype::text, con.confupdtype::text,
        CASE WHEN con.contype IN ('c', 'x')
             THEN pg_catalog.pg_get_constraintdef(con.oid, true) END,
        con.oid,
        {nulls_not_distinct},
        con.condeferred,
        con.confrelid
    FROM scope s
    JOIN pg_catalog.pg_constraint con ON con.conrelid = s.oid
    LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
    LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
    JOIN pg_catalog.pg_class rel ON rel.oid = s.oid
    LEFT JOIN pg_catalog.pg_index ci ON ci.indexrelid = con.conindid
    WHERE con.contype IN ('p', 'u', 'f', 'c', 'x')
      AND (con.conislocal OR NOT rel.relispartition)
      {constraint_clone_filter}
    ORDER BY con.conrelid, con.conname"
);

/// Indexes with their keys (attribute numbers, named on the client; only expressions are
/// printed by the server, which is the costly part), ordering options, operator classes
/// and collations as oids (named on the client, with whether a column key's collation
/// is the column's), for an index with a collatable expression key the whole
/// definition (which prints a collation only where it is not the expression's), INCLUDE
/// columns, predicate and backing constraint. Indexes that are
/// partitions of a partitioned index are left out: PostgreSQL creates them on each
/// partition, under generated names, from the index the specs declare on the parent.
/// The expression keys are an aggregate rather than `ARRAY(SELECT … ORDER BY k)`: with
/// the sorting subquery in its target list the query took four times as long at 5,000
/// tables, even on indexes without expressions, where it never runs.
/// `{nulls_not_distinct}` is replaced by [`nulls_not_distinct`], `{index_clone_filter}` by
/// [`index_clone_filter`].
const INDEXES_TEMPLATE: &str = with_scope!(
    "SELECT i.indrelid, ic.relname::text, i.indisunique, am.amname::text,
        i.indnkeyatts::int4,
        i.indkey::int2[],
        CASE WHEN i.indexprs IS NULL THEN '{}'::text[]
             ELSE (SELECT array_agg(CASE WHEN i.indkey[k] = 0
                                         THEN pg_catalog.pg_get_indexdef(i.indexrelid, k + 1, true)
                                    END ORDER BY k)
                   FROM generate_series(0, i.indnatts - 1) k) END,
        i.indoption::int2[]::int4[],
        i.indclass::oid[],
        i.indcollation::oid[],
        CASE WHEN EXISTS (SELECT 1 FROM generate_series(0, i.indnkeyatts - 1) k
                          WHERE i.indkey[k] = 0 AND i.indcollation[k] <> 0)
             THEN pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) END,
        pg_catalog.pg_get_expr(i.indpred, i.indrelid, true),
        {nulls_not_distinct},
        tc.relkind = 'p' AND NOT i.indisvalid,
        con.conname::text,
        i.indexrelid
    FROM scope s
    JOIN pg_catalog.pg_index i ON i.indrelid = s.oid
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
    LEFT JOIN pg_catalog.pg_constraint con
        ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
       AND con.contype IN ('p', 'u', 'x')
    WHERE true {index_clone_filter}
    ORDER BY i.indrelid, ic.relname"
);

/// Operator classes: oid, name, whether it is its type's default (for index keys).
pub const OPCLASSES: &str = "SELECT opc.oid, opc.opcname::text, opc.opcdefault \
    FROM pg_catalog.pg_opclass opc";

/// Collations: oid and name (for index keys).
pub const COLLATIONS: &str =
    "SELECT coll.oid, coll.collname::text FROM pg_catalog.pg_collation coll";

/// Attribute numbers and names of the relations `$1` (an `oid[]`): those foreign keys
/// reference outside the scope, whose columns were not read.
pub const ATTRIBUTES: &str = "SELECT a.attrelid, a.attnum, a.attname::text
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = ANY($1::oid[])";

/// Row-level security policies.
pub const POLICIES: &str = with_scope!(
    "SELECT p.polrelid, p.polname::text, p.polcmd::text, p.polpermissive,
        ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END
              FROM unnest(p.polroles) r ORDER BY 1),
        pg_catalog.pg_get_expr(p.polqual, p.polrelid, true),
        pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid, true),
        p.oid
    FROM scope s
    JOIN pg_catalog.pg_policy p ON p.polrelid = s.oid
    ORDER BY p.polrelid, p.polname"
);

/// Privileges granted on relations to roles other than the owner (the owner's
/// privileges are implicit, not grants a spec writes).
pub const GRANTS: &str = with_scope!(
    "SELECT DISTINCT c.oid,
        CASE WHEN acl.grantee = 0 THEN 'public'
             ELSE pg_catalog.pg_get_userbyid(acl.grantee)::text END,
        acl.privilege_type
    FROM scope s
    JOIN pg_catalog.pg_class c ON c.oid = s.oid
    CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) acl
    WHERE c.relacl IS NOT NULL AND acl.grantee <> c.relowner
    ORDER BY 1, 2, 3"
);

/// User triggers, including `CREATE CONSTRAINT TRIGGER` ones (not `tgisinternal`),
/// with their state (`tgenabled`), `UPDATE OF` columns (attribute numbers) and
/// transition tables; the server prints a trigger only for its `WHEN` condition.
/// `{clone_filter}` is replaced by [`trigger_clone_filter`].
const TRIGGERS_TEMPLATE: &str = with_scope!(
    "SELECT t.tgrelid, t.tgname::text, t.tgtype::int4, fn.nspname::text, p.proname::text,
        t.tgnargs::int4, t.tgargs,
        CASE WHEN t.tgqual IS NOT NULL THEN pg_catalog.pg_get_triggerdef(t.oid, true) END,
        t.oid, t.tgconstraint <> 0, t.tgdeferrable, t.tginitdeferred,
        t.tgenabled::text,
        t.tgattr::int2[],
        t.tgoldtable::text, t.tgnewtable::text
    FROM scope s
    JOIN pg_catalog.pg_trigger t ON t.tgrelid = s.oid
    JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
    JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
    WHERE NOT t.tgisinternal {clone_filter}
    ORDER BY t.tgrelid, t.tgname"
);

/// Enum types with their labels in `enumsortorder`.
pub const ENUMS: &str = "SELECT n.nspname::text, t.typname::text,
        ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e
              WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'e' AND n.nspname = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::regclass
                        AND d.objid = t.oid AND d.deptype = 'e')
    ORDER BY 1, 2";

/// Domains with base type, NOT NULL and CHECK definitions.
pub const DOMAINS: &str = "SELECT n.nspname::text, t.typname::text,
        pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
        ARRAY(SELECT pg_catalog.pg_get_constraintdef(c.oid, true)
              FROM pg_catalog.pg_constraint c
              WHERE c.contypid = t.oid AND c.contype = 'c' ORDER BY c.conname)
    FROM pg_catalog.pg_type t
    JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'd' AND n.nspname = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_type'::regclass
                        AND d.objid = t.oid AND d.deptype = 'e')
    ORDER BY 1, 2";

/// Functions and procedures: name, input argument types, result, kind, language,
/// volatility, `SECURITY DEFINER`, the source text and the SQL-standard body. Those of
/// extensions are left out, and so are those internal to another object (`deptype =
/// 'i'`: the constructors `CREATE TYPE … AS RANGE` makes), which no spec creates.
/// `{sql_body}` is replaced by [`sql_body`].
const FUNCTIONS_TEMPLATE: &str = "SELECT n.nspname::text, p.proname::text,
        ARRAY(SELECT pg_catalog.format_type(u.type_oid, NULL)
              FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(type_oid, ord)
              ORDER BY u.ord),
        pg_catalog.pg_get_function_result(p.oid),
        p.prokind::text, l.lanname::text, p.provolatile::text, p.prosecdef, p.prosrc,
        {sql_body}
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    JOIN pg_catalog.pg_language l ON l.oid = p.prolang
    WHERE n.nspname = ANY($1::text[]) AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_proc'::regclass
                        AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
    ORDER BY 1, 2, p.oid";

/// Sequences with their type, increment and owning column, but those of identity
/// columns (`pg_depend.deptype = 'i'`: part of the column) and of extensions.
pub const SEQUENCES: &str = "SELECT n.nspname::text, c.relname::text,
        pg_catalog.format_type(s.seqtypid, NULL), s.seqincrement,
        own.schema, own.relation, own.column_name
    FROM pg_catalog.pg_sequence s
    JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN LATERAL (
        SELECT dn.nspname::text AS schema, dc.relname::text AS relation,
               da.attname::text AS column_name
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class dc ON dc.oid = d.refobjid
        JOIN pg_catalog.pg_namespace dn ON dn.oid = dc.relnamespace
        JOIN pg_catalog.pg_attribute da ON da.attrelid = d.refobjid AND da.attnum = d.refobjsubid
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjsubid > 0
          AND d.deptype = 'a'
        LIMIT 1) own ON true
    WHERE n.nspname = ANY($1::text[])
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                      WHERE d.classid = 'pg_catalog.pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
    ORDER BY 1, 2";

/// Scans per index of the schemas in scope.
pub const INDEX_SCANS: &str = "SELECT s.schemaname::text, s.indexrelname::text, s.idx_scan
    FROM pg_catalog.pg_stat_user_indexes s
    WHERE s.schemaname = ANY($1::text[])
    ORDER BY 1, 2";

/// When this database's statistics were reset, and now (the transaction's start), both
/// as RFC 3339 in UTC. A database whose statistics were never reset reports no reset
/// time; the cluster's (`pg_stat_bgwriter`, set when the cluster was created) is then
/// when counting began.
pub const STATS_RESET: &str = "SELECT
        to_char(coalesce(d.stats_reset, (SELECT stats_reset FROM pg_catalog.pg_stat_bgwriter))
                AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
    FROM pg_catalog.pg_database db
    LEFT JOIN pg_catalog.pg_stat_database d ON d.datid = db.oid
    WHERE db.datname = current_database()";

/// Makes names in the default schema print unqualified, as specs write them.
pub const SET_SEARCH_PATH: &str = "SELECT pg_catalog.set_config('search_path', $1, true)";

/// `NULLS NOT DISTINCT` exists from PostgreSQL 15.
fn nulls_not_distinct(server_version: u32, table_alias: &str) -> String {
    if server_version >= 150_000 {
        format!("coalesce({table_alias}.indnullsnotdistinct, false)")
    } else {
        "false".to_string()
    }
}

/// Triggers cloned onto partitions (PostgreSQL 13+) belong to the parent's definition.
fn trigger_clone_filter(server_version: u32) -> &'static str {
    if server_version >= 130_000 {
        "AND t.tgparentid = 0"
    } else {
        ""
    }
}

/// Keys and foreign keys cloned onto partitions carry their parent's oid (PostgreSQL 11+).
fn constraint_clone_filter(server_version: u32) -> &'static str {
    if server_version >= 110_000 {
        "AND con.conparentid = 0"
    } else {
        ""
    }
}

/// Indexes attached to a partitioned index are partitions themselves (PostgreSQL 11+).
fn index_clone_filter(server_version: u32) -> &'static str {
    if server_version >= 110_000 {
        "AND NOT ic.relispartition"
    } else {
        ""
    }
}

/// [`CONSTRAINTS_TEMPLATE`] for the server's version.
pub fn constraints(server_version: u32) -> String {
    CONSTRAINTS_TEMPLATE
        .replace(
            "{nulls_not_distinct}",
            &nulls_not_distinct(server_version, "ci"),
        )
        .replace(
            "{constraint_clone_filter}",
            constraint_clone_filter(server_version),
        )
}

/// [`INDEXES_TEMPLATE`] for the server's version.
pub fn indexes(server_version: u32) -> String {
    INDEXES_TEMPLATE
        .replace(
            "{nulls_not_distinct}",
            &nulls_not_distinct(server_version, "i"),
        )
        .replace("{index_clone_filter}", index_clone_filter(server_version))
}

/// SQL-standard function bodies (`prosqlbody`) exist from PostgreSQL 14.
fn sql_body(server_version: u32) -> &'static str {
    if server_version >= 140_000 {
        "CASE WHEN p.prosqlbody IS NOT NULL THEN pg_catalog.pg_get_function_sqlbody(p.oid) END"
    } else {
        "NULL::text"
    }
}

/// [`FUNCTIONS_TEMPLATE`] for the server's version.
pub fn functions(server_version: u32) -> String {
    FUNCTIONS_TEMPLATE.replace("{sql_body}", sql_body(server_version))
}

/// [`TRIGGERS_TEMPLATE`] for the server's version.
pub fn triggers(server_version: u32) -> String {
    TRIGGERS_TEMPLATE.replace("{clone_filter}", trigger_clone_filter(server_version))
}
