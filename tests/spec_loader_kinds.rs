//! The spec loader on schema-level objects and the trigger and privilege facts drift
//! compares (issue 10, items 11, 12, 14 and 15): sequences (declared, altered, made by
//! `serial`), extensions and their schemas, functions and procedures with their
//! language, volatility, security and body, trigger states, `UPDATE OF` columns and
//! transition tables, and the privileges a `REVOKE` takes.

use pgparity::model::{
    ColumnSource, FunctionBody, FunctionKind, QualifiedName, SchemaObjectKind, TriggerState,
    Volatility,
};
use pgparity::sources::spec::{load_spec_text, SpecSet};

fn load(text: &str) -> SpecSet {
    load_spec_text("spec.sql", text, "public")
}

fn name(text: &str) -> QualifiedName {
    QualifiedName::parse(text, "public")
}

fn problems(set: &SpecSet) -> Vec<String> {
    set.problems
        .iter()
        .map(|problem| format!("{} {:?}", problem.location, problem.kind))
        .collect()
}

#[test]
fn sequences_are_declared_altered_owned_and_made_by_serial_columns() {
    let set = load(
        "CREATE TABLE public.\"Lease\" (id serial PRIMARY KEY, n bigserial, s smallserial, x int);\n\
         CREATE SEQUENCE public.counter AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;\n\
         ALTER SEQUENCE public.counter OWNED BY public.\"Lease\".x;\n\
         ALTER SEQUENCE counter INCREMENT BY 5 RESTART WITH 10;\n\
         CREATE SEQUENCE gone;\n\
         DROP SEQUENCE gone;\n\
         CREATE SEQUENCE renamed_later AS smallint;\n\
         ALTER SEQUENCE renamed_later RENAME TO renamed;\n\
         CREATE TABLE dropped (id serial);\n\
         DROP TABLE dropped;\n\
         ALTER TABLE \"Lease\" RENAME COLUMN x TO y;\n",
    );
    assert_eq!(problems(&set), Vec::<String>::new());
    let sequences = &set.catalog.sequences;
    let names: Vec<String> = sequences.keys().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "public.Lease_id_seq",
            "public.Lease_n_seq",
            "public.Lease_s_seq",
            "public.counter",
            "public.renamed"
        ]
    );
    let owner = |column: &str| {
        Some(ColumnSource {
            relation: name("public.\"Lease\""),
            column: column.into(),
        })
    };
    let serial = &sequences[&name("public.\"Lease_id_seq\"")];
    assert_eq!(
        (serial.data_type.as_str(), serial.increment),
        ("integer", 1)
    );
    assert_eq!(serial.owned_by, owner("id"));
    assert_eq!(
        sequences[&name("public.\"Lease_n_seq\"")].data_type,
        "bigint"
    );
    assert_eq!(
        sequences[&name("public.\"Lease_s_seq\"")].data_type,
        "smallint"
    );
    let counter = &sequences[&name("counter")];
    assert_eq!(
        (counter.data_type.as_str(), counter.increment),
        ("integer", 5)
    );
    assert_eq!(counter.owned_by, owner("y"), "the owner follows the rename");
    assert_eq!(sequences[&name("renamed")].data_type, "smallint");
}

#[test]
fn extensions_keep_the_schema_they_name() {
    let set = load(
        "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;\n\
         CREATE EXTENSION pg_trgm;\n\
         CREATE EXTENSION citext SCHEMA ext;\n\
         DROP EXTENSION citext;\n\
         DROP EXTENSION IF EXISTS hstore;\n",
    );
    assert_eq!(problems(&set), Vec::<String>::new());
    let extensions: Vec<&str> = set.catalog.extensions.keys().map(String::as_str).collect();
    assert_eq!(extensions, ["pg_trgm", "pgcrypto"]);
    assert_eq!(
        set.catalog
            .extension_schemas
            .get("pgcrypto")
            .map(String::as_str),
        Some("public")
    );
    assert_eq!(set.catalog.extension_schemas.len(), 1);
}

#[test]
fn functions_and_procedures_keep_what_drift_compares() {
    let set = load(
        "CREATE FUNCTION f(a integer, b text DEFAULT 'x') RETURNS integer LANGUAGE plpgsql \
           STABLE SECURITY DEFINER AS $$ begin return 1; end $$;\n\
         CREATE FUNCTION pair(a int, OUT b int, OUT c text) LANGUAGE SQL AS 'select 1, ''x''';\n\
         CREATE FUNCTION plus(a int) RETURNS int IMMUTABLE RETURN a + 1;\n\
         CREATE PROCEDURE p(a integer, OUT b integer) LANGUAGE plpgsql AS $$ begin b := a; end $$;\n\
         CREATE OR REPLACE PROCEDURE q() LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n",
    );
    assert_eq!(problems(&set), Vec::<String>::new());
    let function = |text: &str| &set.catalog.functions[&name(text)][0];
    let f = function("f");
    assert_eq!(f.arguments, ["integer", "text"]);
    assert_eq!(f.returns.as_deref(), Some("INTEGER"));
    assert_eq!(f.kind, FunctionKind::Function);
    assert_eq!(f.language, "plpgsql");
    assert_eq!(f.volatility, Volatility::Stable);
    assert!(f.security_definer);
    assert!(
        matches!(&f.body, Some(FunctionBody::Source { text }) if text == " begin return 1; end ")
    );
    let pair = function("pair");
    assert_eq!(pair.returns.as_deref(), Some("record"));
    assert_eq!(pair.language, "sql");
    assert!(matches!(&pair.body, Some(FunctionBody::Source { text }) if text == "select 1, 'x'"));
    let plus = function("plus");
    assert_eq!(plus.volatility, Volatility::Immutable);
    assert_eq!(plus.language, "sql");
    assert!(
        matches!(&plus.body, Some(FunctionBody::Standard { body }) if body.canonical().form().is_some())
    );
    let p = function("p");
    assert_eq!(
        (p.kind, p.returns.as_deref()),
        (FunctionKind::Procedure, None)
    );
    assert_eq!(p.arguments, ["integer"]);
    assert_eq!(p.language, "plpgsql");
    let q = function("q");
    assert_eq!(q.kind, FunctionKind::Procedure);
    assert!(matches!(&q.body, Some(FunctionBody::Standard { .. })));
}

#[test]
fn triggers_keep_their_state_update_columns_and_transition_tables() {
    let set = load(
        "CREATE TABLE t (id int, a int, b int);\n\
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ begin return new; end $$;\n\
         CREATE TRIGGER columns AFTER UPDATE OF b, a ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
         CREATE TRIGGER transition AFTER UPDATE ON t REFERENCING OLD TABLE AS old_rows \
           NEW TABLE AS \"New\" FOR EACH STATEMENT EXECUTE FUNCTION f();\n\
         CREATE TRIGGER guard BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
         ALTER TABLE t DISABLE TRIGGER guard;\n\
         ALTER TABLE t ENABLE REPLICA TRIGGER transition;\n\
         ALTER TABLE t ENABLE ALWAYS TRIGGER columns;\n\
         ALTER TABLE t RENAME COLUMN a TO c;\n",
    );
    assert_eq!(problems(&set), Vec::<String>::new());
    let triggers = &set.catalog.relations[&name("t")].triggers;
    assert_eq!(triggers["columns"].update_columns, ["b", "c"]);
    assert_eq!(triggers["columns"].state, TriggerState::Always);
    let transition = &triggers["transition"];
    assert_eq!(transition.old_table.as_deref(), Some("old_rows"));
    assert_eq!(transition.new_table.as_deref(), Some("New"));
    assert_eq!(transition.state, TriggerState::Replica);
    assert_eq!(triggers["guard"].state, TriggerState::Disabled);
    let all = load(
        "CREATE TABLE t (id int);\n\
         CREATE TRIGGER a BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
         CREATE TRIGGER b BEFORE DELETE ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
         ALTER TABLE t DISABLE TRIGGER ALL;\n\
         ALTER TABLE t DISABLE TRIGGER nope;\n",
    );
    let triggers = &all.catalog.relations[&name("t")].triggers;
    assert!(triggers
        .values()
        .all(|trigger| trigger.state == TriggerState::Disabled));
    assert_eq!(
        problems(&all),
        ["spec.sql:5:1 UnknownReference { object: \"public.t.nope\", missing: \"trigger public.t.nope\" }"]
    );
}

#[test]
fn revokes_are_kept_for_the_owner_and_grants_after_them_count() {
    let set = load(
        "CREATE TABLE t (id int);\n\
         REVOKE ALL ON TABLE t FROM app_owner;\n\
         GRANT SELECT ON TABLE t TO app_owner;\n\
         GRANT SELECT, INSERT ON t TO reader;\n\
         REVOKE INSERT ON t FROM reader;\n\
         REVOKE GRANT OPTION FOR SELECT ON t FROM reader;\n",
    );
    assert_eq!(problems(&set), Vec::<String>::new());
    let t = &set.catalog.relations[&name("t")];
    let pairs = |grants: &[pgparity::model::Grant]| -> Vec<String> {
        grants
            .iter()
            .map(|grant| format!("{} {}", grant.grantee, grant.privilege))
            .collect()
    };
    assert_eq!(pairs(&t.grants), ["app_owner SELECT", "reader SELECT"]);
    assert_eq!(t.revoked.len(), 8, "{:?}", pairs(&t.revoked));
    assert!(pairs(&t.revoked).contains(&"reader INSERT".to_string()));
}

#[test]
fn objects_of_statements_that_could_not_be_read_are_noted() {
    let set = load(
        "CREATE FUNCTION varied(enum enum_type) RETURNS int LANGUAGE sql AS 'select 1';\n\
         CREATE TABLE t (id int, CHECK);\n",
    );
    let unread: Vec<(SchemaObjectKind, String)> = set
        .catalog
        .unread
        .iter()
        .map(|(kind, name)| (*kind, name.to_string()))
        .collect();
    assert_eq!(
        unread,
        [(SchemaObjectKind::Function, "public.varied".to_string())]
    );
}

#[test]
fn default_privileges_on_tables_reach_the_relations_created_afterwards() {
    let set = load(
        "CREATE TABLE before (id int);\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, UPDATE ON TABLES TO reader;\n\
         ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO writer;\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT DELETE ON TABLES TO reader;\n\
         ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE UPDATE ON TABLES FROM reader;\n\
         ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO reader;\n\
         CREATE TABLE after (id int);\n\
         CREATE VIEW after_view AS SELECT id FROM after;\n",
    );
    assert_eq!(problems(&set), Vec::<String>::new());
    let grants = |relation: &str| -> Vec<String> {
        set.catalog.relations[&name(relation)]
            .grants
            .iter()
            .map(|grant| format!("{} {}", grant.grantee, grant.privilege))
            .collect()
    };
    assert_eq!(grants("before"), Vec::<String>::new());
    assert_eq!(grants("after"), ["reader SELECT", "writer INSERT"]);
    assert_eq!(grants("after_view"), ["reader SELECT", "writer INSERT"]);
}

#[test]
fn alter_function_changes_what_drift_compares_and_unread_alters_are_noted() {
    let set = load(
        "CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS 'select a';\n\
         CREATE FUNCTION g() RETURNS integer LANGUAGE sql AS 'select 1';\n\
         CREATE SCHEMA app;\n\
         ALTER FUNCTION f(integer) STABLE SECURITY DEFINER SET search_path = '';\n\
         ALTER FUNCTION g RENAME TO h;\n\
         ALTER FUNCTION h() SET SCHEMA app;\n\
         ALTER FUNCTION f(integer) OWNER TO someone;\n\
         CREATE DOMAIN d AS integer;\n\
         ALTER DOMAIN d ADD CONSTRAINT positive CHECK (VALUE > 0);\n\
         CREATE PROCEDURE p() LANGUAGE sql AS 'select 1';\n\
         ALTER PROCEDURE p() SECURITY DEFINER;\n",
    );
    let f = &set.catalog.functions[&name("f")][0];
    assert_eq!(f.volatility, Volatility::Stable);
    assert!(f.security_definer);
    let names: Vec<String> = set
        .catalog
        .functions
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(names, ["app.h", "public.f", "public.p"]);
    let unread: Vec<(SchemaObjectKind, String)> = set
        .catalog
        .unread
        .iter()
        .map(|(kind, name)| (*kind, name.to_string()))
        .collect();
    assert_eq!(
        unread,
        [
            (SchemaObjectKind::Type, "public.d".to_string()),
            (SchemaObjectKind::Function, "public.p".to_string())
        ]
    );
}

#[test]
fn a_serial_sequence_belongs_to_the_column_that_made_it_not_to_partitions_or_copies() {
    let set = load(
        "CREATE TABLE events (id serial, at date) PARTITION BY RANGE (at);\n\
         CREATE TABLE a_events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n\
         CREATE TABLE a_copy (LIKE events INCLUDING DEFAULTS);\n",
    );
    let names: Vec<String> = set
        .catalog
        .sequences
        .keys()
        .map(ToString::to_string)
        .collect();
    assert_eq!(names, ["public.events_id_seq"]);
    assert_eq!(
        set.catalog.sequences[&name("events_id_seq")].owned_by,
        Some(ColumnSource {
            relation: name("events"),
            column: "id".into()
        })
    );
}
