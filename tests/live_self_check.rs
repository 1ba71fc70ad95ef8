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
            "--db",
            &database.url(),
        ],
        &[],
    );
    assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    report["findings"]
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
        .collect()
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
