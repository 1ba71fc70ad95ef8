//! Real schemas checked against themselves (issue 10, in part): a spec applied to a fresh
//! PostgreSQL 15 database and then compared with it gives no drift at error or warning,
//! and a real change afterwards is found. Each case is a shape PostgreSQL stores
//! differently from how it is written.

mod support;

use serde_json::Value;
use support::pg::TestDatabase;
use support::{pgparity_in, ScratchDir};

/// `check --specs SPEC --db DATABASE` of `spec` applied to a fresh database, after
/// `change`: the drift findings at error or warning, as (rule, object).
fn loud_drift(hint: &str, spec: &str, change: &str) -> Vec<(String, String)> {
    loud_drift_after_setup(hint, "", spec, change)
}

/// [`loud_drift`] on a database where `setup` (objects outside the specs) ran first.
fn loud_drift_after_setup(
    hint: &str,
    setup: &str,
    spec: &str,
    change: &str,
) -> Vec<(String, String)> {
    loud_drift_in_schemas(hint, &[], setup, spec, change)
}

/// [`loud_drift_after_setup`] comparing `schemas` (`--schema` each, the first the
/// default one; none: `public` only).
fn loud_drift_in_schemas(
    hint: &str,
    schemas: &[&str],
    setup: &str,
    spec: &str,
    change: &str,
) -> Vec<(String, String)> {
    let report = check_report(hint, schemas, setup, spec, change);
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["severity"] != "info")
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_string(),
                finding["object"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The JSON report of `check --specs SPEC --db DATABASE` (with `--schema` for each of
/// `schemas`) of `spec` applied to a fresh database where `setup` ran first, after
/// `change`.
fn check_report(hint: &str, schemas: &[&str], setup: &str, spec: &str, change: &str) -> Value {
    let database = TestDatabase::new(hint);
    if !setup.is_empty() {
        database.execute(setup);
    }
    database.execute(spec);
    if !change.is_empty() {
        database.execute(change);
    }
    let folder = ScratchDir::new(hint);
    let spec_path = folder.write("schema.sql", spec);
    let url = database.url();
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--config",
        "/dev/null",
        "--specs",
        &spec_path,
        "--db",
        &url,
    ];
    for schema in schemas {
        args.extend(["--schema", schema]);
    }
    let run = pgparity_in(&folder.path, &args, &[]);
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON report")
}

/// `(rule, object)` pairs, for comparing with [`loud_drift`]'s sorted findings.
fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(rule, object)| (rule.to_string(), object.to_string()))
        .collect();
    pairs.sort();
    pairs
}

#[test]
fn a_null_default_is_no_default() {
    let spec = "CREATE TABLE public.notes (\n\
                  id integer PRIMARY KEY,\n\
                  a integer DEFAULT NULL,\n\
                  b text DEFAULT NULL::text,\n\
                  c integer DEFAULT (NULL),\n\
                  d text DEFAULT CAST(NULL AS text),\n\
                  e integer\n\
                );\n\
                ALTER TABLE public.notes ALTER COLUMN e SET DEFAULT NULL;\n";
    assert_eq!(loud_drift("null_default", spec, ""), []);
    assert_eq!(
        loud_drift(
            "null_default_changed",
            spec,
            "ALTER TABLE public.notes ALTER COLUMN a SET DEFAULT 7"
        ),
        [("default-drift".to_string(), "public.notes.a".to_string())]
    );
}

#[test]
fn serial_sequences_of_mixed_case_names_are_quoted_as_the_server_prints_them() {
    let spec = "CREATE TABLE public.\"Lease\" (id serial PRIMARY KEY, \"Rank\" bigserial);\n\
                CREATE SCHEMA \"App\";\n\
                CREATE TABLE \"App\".items (id serial PRIMARY KEY);\n";
    assert_eq!(loud_drift("serial_quoted", spec, ""), []);
    assert_eq!(
        loud_drift(
            "serial_quoted_changed",
            spec,
            "CREATE SEQUENCE public.other_seq; \
             ALTER TABLE public.\"Lease\" ALTER COLUMN id SET DEFAULT nextval('public.other_seq')"
        ),
        [
            ("default-drift".to_string(), "public.Lease.id".to_string()),
            // The sequence the change created is not in the specs either.
            (
                "unexpected-sequence".to_string(),
                "public.other_seq".to_string()
            )
        ]
    );
}

#[test]
fn names_longer_than_63_bytes_are_truncated_as_the_server_stores_them() {
    let long = "a_rather_long_name_that_goes_on_and_on_well_past_the_limit_of_postgres";
    assert!(long.len() > 63);
    let spec = format!(
        "CREATE TABLE public.table_{long} (id integer PRIMARY KEY, tenant integer);\n\
         CREATE INDEX index_{long} ON public.table_{long} (tenant);\n\
         ALTER TABLE public.table_{long} ENABLE ROW LEVEL SECURITY;\n\
         CREATE POLICY policy_{long} ON public.table_{long} USING (tenant = 1);\n\
         CREATE TABLE public.\"Äpfel\" (id integer);\n\
         CREATE TABLE public.Birnen_Ä (id integer);\n"
    );
    assert_eq!(loud_drift("long_names", &spec, ""), []);
    let stored = &format!("index_{long}")[..63];
    assert_eq!(
        loud_drift(
            "long_names_changed",
            &spec,
            &format!("DROP INDEX public.{stored}")
        ),
        [("missing-index".to_string(), format!("public.{stored}"))]
    );
}

#[test]
fn unique_constraints_that_repeat_a_key_are_merged_as_the_server_merges_them() {
    let spec = "CREATE TABLE public.accounts (id uuid UNIQUE NOT NULL, PRIMARY KEY (id));\n\
                CREATE TABLE public.named (id integer PRIMARY KEY, CONSTRAINT named_uq UNIQUE (id));\n\
                CREATE TABLE public.repeated (a integer UNIQUE, b integer, UNIQUE (a), \
                  CONSTRAINT repeated_named UNIQUE (a), UNIQUE (a, b), UNIQUE (b, a));\n\
                CREATE TABLE public.deferred (id integer UNIQUE DEFERRABLE, PRIMARY KEY (id));\n";
    assert_eq!(loud_drift("repeated_keys", spec, ""), []);
    assert_eq!(
        loud_drift(
            "repeated_keys_changed",
            spec,
            "ALTER TABLE public.accounts ADD CONSTRAINT accounts_id_key UNIQUE (id)"
        ),
        [(
            "unexpected-constraint".to_string(),
            "public.accounts.accounts_id_key".to_string()
        )],
        "its backing index is part of the constraint's finding"
    );
}

#[test]
fn storage_and_statistics_settings_do_not_blind_their_table() {
    let spec = "CREATE TABLE public.events (id integer PRIMARY KEY, kind text, body text);\n\
                ALTER TABLE ONLY public.events ALTER COLUMN kind SET (n_distinct = -0.02);\n\
                ALTER TABLE ONLY public.events ALTER COLUMN kind SET STATISTICS 1000;\n\
                ALTER TABLE ONLY public.events ALTER COLUMN body SET STORAGE EXTERNAL, \
                  ALTER body SET COMPRESSION pglz;\n\
                ALTER TABLE public.events SET (autovacuum_vacuum_scale_factor = 0.0);\n\
                ALTER TABLE public.events CLUSTER ON events_pkey;\n\
                ALTER TABLE ONLY public.events REPLICA IDENTITY FULL;\n\
                ALTER TABLE public.events ALTER COLUMN body SET NOT NULL;\n";
    assert_eq!(loud_drift("storage_settings", spec, ""), []);
    assert_eq!(
        loud_drift(
            "storage_settings_changed",
            spec,
            "ALTER TABLE public.events ALTER COLUMN body DROP NOT NULL"
        ),
        [(
            "nullability-drift".to_string(),
            "public.events.body".to_string()
        )]
    );
}

#[test]
fn a_foreign_key_without_columns_to_a_table_outside_the_specs_is_not_drift() {
    let setup = "CREATE SCHEMA ext; CREATE TABLE ext.users (id uuid PRIMARY KEY);";
    let spec =
        "CREATE TABLE public.docs (id integer PRIMARY KEY, owner uuid REFERENCES ext.users);\n";
    // The spec family still says the specs do not define ext.users (unknown-reference) and
    // that the key has no index (unindexed-foreign-key): true of the specs, not drift.
    let drift_only = |found: Vec<(String, String)>| -> Vec<(String, String)> {
        found
            .into_iter()
            .filter(|(rule, _)| {
                pgparity::rules::by_id(rule)
                    .is_some_and(|rule| rule.family == pgparity::rules::Family::Drift)
            })
            .collect()
    };
    assert_eq!(
        drift_only(loud_drift_after_setup("fk_outside", setup, spec, "")),
        []
    );
    assert_eq!(
        drift_only(loud_drift_after_setup(
            "fk_outside_changed",
            setup,
            spec,
            "ALTER TABLE public.docs DROP CONSTRAINT docs_owner_fkey; \
             ALTER TABLE public.docs ADD CONSTRAINT docs_owner_fkey FOREIGN KEY (owner) \
             REFERENCES ext.users ON DELETE CASCADE"
        )),
        [(
            "constraint-drift".to_string(),
            "public.docs.docs_owner_fkey".to_string()
        )]
    );
}

#[test]
fn a_null_default_of_a_type_with_a_modifier_is_kept_as_the_server_keeps_it() {
    // The coercion of NULL to varchar(20) is a length-coercion call, not a bare null
    // constant, so PostgreSQL stores `NULL::character varying` as the default.
    let spec = "CREATE TABLE public.people (id integer PRIMARY KEY, \
                name varchar(20) DEFAULT NULL::character varying, nick varchar(20) DEFAULT NULL);\n";
    assert_eq!(loud_drift("null_typmod_default", spec, ""), []);
    assert_eq!(
        loud_drift(
            "null_typmod_default_changed",
            spec,
            "ALTER TABLE public.people ALTER COLUMN nick SET DEFAULT 'x'"
        ),
        pairs(&[("default-drift", "public.people.nick")])
    );
}

/// A partitioned table in pg_dump's form: partitions created as tables and attached,
/// their indexes and keys attached to the parent's, one partition detached again.
const PARTITIONS: &str = "\
CREATE TABLE public.ev (id integer NOT NULL, created date NOT NULL, k integer) PARTITION BY RANGE (created);
CREATE TABLE public.ev_default (id integer NOT NULL, created date NOT NULL, k integer);
CREATE TABLE public.ev_2020 (id integer NOT NULL, created date NOT NULL, k integer);
CREATE TABLE public.ev_2019 (id integer NOT NULL, created date NOT NULL, k integer);
ALTER TABLE ONLY public.ev ATTACH PARTITION public.ev_default DEFAULT;
ALTER TABLE ONLY public.ev ATTACH PARTITION public.ev_2020 FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
ALTER TABLE ONLY public.ev ATTACH PARTITION public.ev_2019 FOR VALUES FROM ('2019-01-01') TO ('2020-01-01');
ALTER TABLE ONLY public.ev ADD CONSTRAINT ev_pkey PRIMARY KEY (id, created);
ALTER TABLE ONLY public.ev_default ADD CONSTRAINT ev_default_pkey PRIMARY KEY (id, created);
ALTER TABLE ONLY public.ev_2020 ADD CONSTRAINT ev_2020_pkey PRIMARY KEY (id, created);
ALTER TABLE ONLY public.ev_2019 ADD CONSTRAINT ev_2019_pkey PRIMARY KEY (id, created);
CREATE INDEX ev_k_idx ON ONLY public.ev USING btree (k);
CREATE INDEX ev_default_k_idx ON public.ev_default USING btree (k);
CREATE INDEX ev_2020_k_idx ON public.ev_2020 USING btree (k);
CREATE INDEX ev_2019_k_idx ON public.ev_2019 USING btree (k);
ALTER INDEX public.ev_k_idx ATTACH PARTITION public.ev_default_k_idx;
ALTER INDEX public.ev_k_idx ATTACH PARTITION public.ev_2020_k_idx;
ALTER INDEX public.ev_k_idx ATTACH PARTITION public.ev_2019_k_idx;
ALTER INDEX public.ev_pkey ATTACH PARTITION public.ev_default_pkey;
ALTER INDEX public.ev_pkey ATTACH PARTITION public.ev_2020_pkey;
ALTER INDEX public.ev_pkey ATTACH PARTITION public.ev_2019_pkey;
CREATE INDEX ev_created_idx ON public.ev (created);
ALTER TABLE public.ev DETACH PARTITION public.ev_2019;
";

#[test]
fn partitions_and_their_indexes_attached_in_pg_dump_form_are_not_drift() {
    assert_eq!(loud_drift("partitions", PARTITIONS, ""), []);
    // Detached in the database only: the partition's indexes and key become its own.
    assert_eq!(
        loud_drift(
            "partitions_detached",
            PARTITIONS,
            "ALTER TABLE public.ev DETACH PARTITION public.ev_2020"
        ),
        pairs(&[
            ("unexpected-constraint", "public.ev_2020.ev_2020_pkey"),
            ("unexpected-index", "public.ev_2020_created_idx"),
            ("unexpected-index", "public.ev_2020_k_idx"),
        ])
    );
    // An index of the detached partition dropped in the database.
    assert_eq!(
        loud_drift(
            "partitions_detached_index_dropped",
            PARTITIONS,
            "DROP INDEX public.ev_2019_created_idx"
        ),
        pairs(&[("missing-index", "public.ev_2019_created_idx")])
    );
}

#[test]
fn objects_created_after_set_search_path_live_in_its_first_schema() {
    let spec = "CREATE SCHEMA app;\n\
                SET search_path = app, pg_catalog;\n\
                CREATE TYPE pair AS (a integer, b integer);\n\
                CREATE SEQUENCE counter;\n\
                CREATE TABLE owners (id integer PRIMARY KEY);\n\
                CREATE TABLE items (id integer PRIMARY KEY DEFAULT nextval('counter'::regclass), \
                  owner integer REFERENCES owners, p pair, \
                  CHECK (owner > 0));\n\
                CREATE INDEX ON items (owner);\n\
                CREATE VIEW item_owners AS SELECT i.id, o.id AS owner FROM items i \
                  JOIN owners o ON o.id = i.owner;\n\
                CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n\
                CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();\n\
                SELECT pg_catalog.set_config('search_path', 'public', false);\n\
                CREATE TABLE notes (id integer PRIMARY KEY);\n";
    assert_eq!(
        loud_drift_in_schemas("search_path", &["public", "app"], "", spec, ""),
        []
    );
    assert_eq!(
        loud_drift_in_schemas(
            "search_path_changed",
            &["public", "app"],
            "",
            spec,
            "ALTER TABLE app.items ALTER COLUMN id SET DEFAULT 0"
        ),
        pairs(&[("default-drift", "app.items.id")])
    );
}

#[test]
fn escape_strings_qualified_operators_and_view_column_defaults_are_read_as_the_server_stores_them()
{
    let spec = "CREATE TABLE public.docs (id integer PRIMARY KEY, body text, \
                  email text CHECK (email OPERATOR(pg_catalog.~) '@'));\n\
                CREATE VIEW public.lines AS SELECT id, replace(body, E'\\n', ' ') AS flat \
                  FROM public.docs;\n\
                ALTER VIEW public.lines ALTER COLUMN flat SET DEFAULT 'none';\n";
    assert_eq!(loud_drift("escape_strings", spec, ""), []);
    assert_eq!(
        loud_drift(
            "escape_strings_changed",
            spec,
            "ALTER VIEW public.lines ALTER COLUMN flat SET DEFAULT 'other'; \
             CREATE OR REPLACE VIEW public.lines AS SELECT id, replace(body, E'\\t', ' ') AS flat \
               FROM public.docs"
        ),
        pairs(&[
            ("default-drift", "public.lines.flat"),
            ("view-definition-drift", "public.lines"),
        ])
    );
}

/// Calls of functions the specs declare, in every kind of stored expression: the server
/// stores each argument coerced to its parameter's type.
const COERCED_ARGUMENTS: &str = "\
CREATE FUNCTION public.convert_ts(s varchar) RETURNS timestamp LANGUAGE sql IMMUTABLE AS $$ SELECT s::timestamp $$;
CREATE FUNCTION public.score(n numeric, w bigint) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT n * w $$;
CREATE SCHEMA app;
CREATE FUNCTION app.half(n numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$ SELECT n / 2 $$;
CREATE TABLE public.readings (
  id integer PRIMARY KEY,
  attrs jsonb,
  qty integer,
  label varchar(20),
  at timestamp GENERATED ALWAYS AS (convert_ts(attrs->>'Datetime01')) STORED,
  weight numeric DEFAULT score(1, 2),
  halved numeric DEFAULT app.half(3),
  CHECK (score(qty, qty) >= 0)
);
CREATE INDEX readings_score_idx ON public.readings (score(qty, 1)) WHERE convert_ts(label) IS NOT NULL;
";

#[test]
fn argument_coercions_the_server_adds_to_declared_functions_are_not_drift() {
    assert_eq!(
        loud_drift_in_schemas(
            "coerced_arguments",
            &["public", "app"],
            "",
            COERCED_ARGUMENTS,
            ""
        ),
        []
    );
    assert_eq!(
        loud_drift_in_schemas(
            "coerced_arguments_changed",
            &["public", "app"],
            "",
            COERCED_ARGUMENTS,
            "ALTER TABLE public.readings ALTER COLUMN weight SET DEFAULT score(1, 3); \
             DROP INDEX public.readings_score_idx; \
             CREATE INDEX readings_score_idx ON public.readings (score(qty, 2)) \
               WHERE convert_ts(label) IS NOT NULL"
        ),
        pairs(&[
            ("default-drift", "public.readings.weight"),
            ("index-definition-drift", "public.readings_score_idx"),
        ])
    );
}

#[test]
fn a_trigger_calling_a_builtin_trigger_function_names_pg_catalogs() {
    let spec = "CREATE TABLE public.pages (id integer PRIMARY KEY, body text, fts tsvector);\n\
                CREATE TRIGGER pages_fts BEFORE INSERT OR UPDATE ON public.pages FOR EACH ROW \
                  EXECUTE FUNCTION tsvector_update_trigger('fts', 'pg_catalog.english', 'body');\n";
    assert_eq!(loud_drift("builtin_trigger_function", spec, ""), []);
    assert_eq!(
        loud_drift(
            "builtin_trigger_function_changed",
            spec,
            "DROP TRIGGER pages_fts ON public.pages; \
             CREATE TRIGGER pages_fts BEFORE INSERT OR UPDATE ON public.pages FOR EACH ROW \
               EXECUTE FUNCTION suppress_redundant_updates_trigger()"
        ),
        // One finding for the function, one for its arguments.
        pairs(&[
            ("missing-trigger", "public.pages.pages_fts"),
            ("missing-trigger", "public.pages.pages_fts"),
        ])
    );
}

const LITERAL_DEFAULTS: &str = "\
CREATE TYPE public.format_enum AS ENUM ('markdown', 'html');
CREATE TABLE public.posts (
  id integer PRIMARY KEY,
  format public.format_enum DEFAULT 'markdown'::format_enum,
  fallback format_enum DEFAULT 'html',
  published timestamptz DEFAULT '1970-01-01 00:00:01+00:00',
  edited timestamp DEFAULT '2000-01-01',
  day date DEFAULT '2000-01-01 10:00',
  local timestamptz DEFAULT '2000-01-01 00:00:00'
);
";

#[test]
fn enum_and_timestamp_defaults_compare_by_value_and_say_why_when_they_cannot() {
    assert_eq!(loud_drift("literal_defaults", LITERAL_DEFAULTS, ""), []);
    // The zoneless timestamptz default is undecided, saying why for that type.
    let report = check_report("literal_defaults_info", &[], "", LITERAL_DEFAULTS, "");
    let local: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["object"] == "public.posts.local")
        .collect();
    assert_eq!(local.len(), 1, "{local:?}");
    assert_eq!(local[0]["severity"], "info");
    let message = local[0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("has no UTC offset"), "{message}");
    assert_eq!(
        loud_drift(
            "literal_defaults_changed",
            LITERAL_DEFAULTS,
            "ALTER TABLE public.posts ALTER COLUMN format SET DEFAULT 'html', \
               ALTER COLUMN published SET DEFAULT '2000-01-01 00:00:00+00', \
               ALTER COLUMN edited SET DEFAULT '2000-01-02', \
               ALTER COLUMN day SET DEFAULT '2000-01-02'"
        ),
        pairs(&[
            ("default-drift", "public.posts.day"),
            ("default-drift", "public.posts.edited"),
            ("default-drift", "public.posts.format"),
            ("default-drift", "public.posts.published"),
        ])
    );
}

const SUB_SELECTS: &str = "\
CREATE TABLE public.accounts (id uuid PRIMARY KEY, personal_account boolean, owner uuid);
CREATE TABLE public.invitations (id uuid PRIMARY KEY, account_id uuid, email text);
CREATE INDEX ON public.invitations (account_id);
CREATE TABLE public.members (account uuid, person uuid);
ALTER TABLE public.invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON public.invitations FOR INSERT
  WITH CHECK ((SELECT personal_account FROM accounts WHERE id = account_id) = false);
CREATE POLICY q ON public.invitations USING (account_id IN (SELECT account FROM members m
  JOIN accounts a ON a.id = m.account WHERE person = owner AND email IS NOT NULL));
CREATE VIEW public.v AS SELECT i.id, (SELECT personal_account FROM accounts WHERE id = account_id)
  AS personal FROM invitations i;
CREATE VIEW public.w AS SELECT email, personal_account FROM invitations
  JOIN accounts ON accounts.id = account_id;
";

#[test]
fn unqualified_columns_of_sub_selects_are_qualified_by_scope_as_the_server_does() {
    assert_eq!(loud_drift("sub_selects", SUB_SELECTS, ""), []);
    assert_eq!(
        loud_drift(
            "sub_selects_changed",
            SUB_SELECTS,
            "ALTER POLICY p ON public.invitations WITH CHECK \
               ((SELECT personal_account FROM accounts WHERE id = invitations.id) = false); \
             CREATE OR REPLACE VIEW public.w AS SELECT email, personal_account FROM invitations \
               JOIN accounts ON accounts.id = invitations.id"
        ),
        pairs(&[
            ("policy-drift", "public.invitations.p"),
            ("view-definition-drift", "public.w"),
        ])
    );
}

const DOMAIN_COLUMNS: &str = "\
CREATE DOMAIN public.color AS integer CHECK (VALUE >= 0);
CREATE TABLE public.todos (id integer PRIMARY KEY, label_color color, CHECK (label_color < 100));
CREATE VIEW public.dark AS SELECT id, (label_color / 2)::public.color AS dark FROM public.todos;
";

#[test]
fn domain_columns_read_as_their_base_type_are_not_drift() {
    assert_eq!(loud_drift("domain_columns", DOMAIN_COLUMNS, ""), []);
    assert_eq!(
        loud_drift(
            "domain_columns_changed",
            DOMAIN_COLUMNS,
            "CREATE OR REPLACE VIEW public.dark AS \
               SELECT id, (label_color / 3)::public.color AS dark FROM public.todos"
        ),
        pairs(&[("view-definition-drift", "public.dark")])
    );
}

/// A base type with a type modifier, printed by its own output function, as an
/// extension's type is (PostGIS's `geometry(Polygon,4326)`); built from PostgreSQL's
/// internal functions so that no extension is needed.
const MODIFIED_TYPE: &str = "\
CREATE TYPE public.geo;
CREATE FUNCTION public.geo_in(cstring) RETURNS public.geo LANGUAGE internal IMMUTABLE STRICT AS 'textin';
CREATE FUNCTION public.geo_out(public.geo) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'textout';
CREATE FUNCTION public.geo_typmod_in(cstring[]) RETURNS integer LANGUAGE internal IMMUTABLE STRICT AS 'numerictypmodin';
CREATE FUNCTION public.geo_typmod_out(integer) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'numerictypmodout';
CREATE TYPE public.geo (INPUT = geo_in, OUTPUT = geo_out, TYPMOD_IN = geo_typmod_in,
  TYPMOD_OUT = geo_typmod_out, LIKE = text);
";

#[test]
fn an_extension_types_modifiers_compare_by_their_tokens() {
    let spec = "CREATE TABLE public.zones (id integer PRIMARY KEY, zone public.geo(10, 2), \
                area GEO( 8 ,1 ));\n";
    assert_eq!(
        loud_drift_after_setup("modified_type", MODIFIED_TYPE, spec, ""),
        []
    );
    assert_eq!(
        loud_drift_after_setup(
            "modified_type_changed",
            MODIFIED_TYPE,
            spec,
            "ALTER TABLE public.zones ALTER COLUMN zone TYPE public.geo(12,2)"
        ),
        pairs(&[("column-type-drift", "public.zones.zone")])
    );
}

#[test]
fn data_statements_range_types_and_dropped_extensions_are_read_quietly() {
    let spec = "CREATE TYPE public.floatrange AS RANGE (subtype = float8);\n\
                CREATE TABLE public.spans (id integer PRIMARY KEY, span floatrange);\n\
                DROP EXTENSION IF EXISTS some_extension_never_created;\n\
                INSERT INTO public.spans VALUES (1, '[1,2)');\n\
                CREATE SEQUENCE public.counter;\n\
                SELECT pg_catalog.setval('public.counter', 5, true);\n";
    let report = check_report("quiet_statements", &[], "", spec, "");
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .all(|finding| finding["rule"] != "unsupported-statement"),
        "{findings:#?}"
    );
    assert!(
        report["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .any(|line| line
                .as_str()
                .is_some_and(|line| line.starts_with("spec: 2 data statements"))),
        "{}",
        report["skipped"]
    );
    assert_eq!(loud_drift("quiet_statements", spec, ""), []);
    assert_eq!(
        loud_drift(
            "quiet_statements_changed",
            spec,
            "ALTER TABLE public.spans DROP COLUMN span"
        ),
        pairs(&[("missing-column", "public.spans.span")])
    );
}

/// `check --specs SPEC --dev-db ADMIN --db DATABASE` of `spec` applied to a fresh
/// database, after `change`: the JSON report.
fn check_with_dev_db(hint: &str, spec: &str, change: &str) -> Value {
    let database = TestDatabase::new(hint);
    database.execute(spec);
    if !change.is_empty() {
        database.execute(change);
    }
    let folder = ScratchDir::new(hint);
    let spec_path = folder.write("schema.sql", spec);
    let server = support::pg::server();
    let admin = server.url(&server.user, &server.password, &server.maintenance_db);
    let url = database.url();
    let run = pgparity_in(
        &folder.path,
        &[
            "check",
            "--format",
            "json",
            "--config",
            "/dev/null",
            "--specs",
            &spec_path,
            "--dev-db",
            &admin,
            "--db",
            &url,
        ],
        &[],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    serde_json::from_str(&run.stdout).expect("JSON report")
}

fn loud(report: &Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["severity"] != "info")
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_string(),
                finding["object"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn what_a_do_block_creates_is_known_when_dev_db_ran_it() {
    let spec = "CREATE TABLE public.plain (id integer PRIMARY KEY);\n\
                DO $$ BEGIN CREATE TABLE public.made_by_code (id integer PRIMARY KEY); END $$;\n";
    // Without --dev-db the block is not read: its table is unexpected.
    assert_eq!(
        loud_drift("do_block", spec, ""),
        pairs(&[("unexpected-relation", "public.made_by_code")])
    );
    let report = check_with_dev_db("do_block_dev", spec, "");
    assert_eq!(loud(&report), []);
    let note = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "unsupported-statement")
        .expect("the DO note");
    let message = note["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("--dev-db ran") && message.contains("public.made_by_code"),
        "{message}"
    );
    assert_eq!(
        loud(&check_with_dev_db(
            "do_block_dev_changed",
            spec,
            "ALTER TABLE public.made_by_code ADD COLUMN extra integer"
        )),
        pairs(&[("unexpected-column", "public.made_by_code.extra")])
    );
}

const LITERAL_COMPARISONS: &str = "\
CREATE TABLE public.events (
  id integer PRIMARY KEY,
  created timestamp CHECK (created > '2020-01-01'),
  happened timestamptz,
  day date CHECK (day <> '2020-02-30'::text::date OR day IS NULL)
);
CREATE INDEX events_recent_idx ON public.events (id) WHERE created >= '2021-06-01 10:00';
CREATE INDEX events_zoned_idx ON public.events (id) WHERE happened < '2021-06-01 10:00:00+02';
";

#[test]
fn literals_compared_with_date_and_time_columns_compare_by_value() {
    assert_eq!(
        loud_drift("literal_comparisons", LITERAL_COMPARISONS, ""),
        []
    );
    assert_eq!(
        loud_drift(
            "literal_comparisons_changed",
            LITERAL_COMPARISONS,
            "DROP INDEX public.events_recent_idx; \
             CREATE INDEX events_recent_idx ON public.events (id) WHERE created >= '2021-06-01 11:00'"
        ),
        pairs(&[("index-definition-drift", "public.events_recent_idx")])
    );
}
