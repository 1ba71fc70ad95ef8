//! The catalog read on several connections sharing one exported snapshot against a real
//! PostgreSQL: the same catalog as on one connection, key arrays named on the client
//! (after dropped columns, across schemas, system columns), the fall-back to one
//! connection when the snapshot cannot be exported or a further connection cannot join
//! it, and `--catalog-connections` through the binary.

mod support;

use pgparity::model::{Catalog, ConstraintKind, IndexTarget, QualifiedName};
use pgparity::sources::live::{
    introspect, introspect_with, ConnectionSettings, Introspection, LiveSession, Parallel,
    SessionOptions,
};
use support::pg::TestDatabase;
use support::{check_json, pgparity};

/// A database whose keys are hard to name: dropped columns shift attribute numbers, a
/// foreign key references a table outside the scope, a CHECK reads `tableoid`, an index
/// mixes expressions, collations, operator classes and INCLUDE columns, a trigger fires
/// on `UPDATE OF` columns listed out of order.
fn tricky_database(hint: &str) -> TestDatabase {
    let database = TestDatabase::new(hint);
    database.execute(
        r#"
        CREATE SCHEMA other;
        CREATE TABLE other.accounts (gone integer, id integer, region text,
                                     PRIMARY KEY (region, id));
        ALTER TABLE other.accounts DROP COLUMN gone;
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TABLE orders (
            dropped_a integer,
            id integer PRIMARY KEY,
            dropped_b text,
            account_id integer,
            account_region text,
            label text COLLATE "C",
            amount numeric CHECK (amount > 0),
            kind text CHECK (tableoid <> 0),
            FOREIGN KEY (account_region, account_id) REFERENCES other.accounts (region, id)
                ON DELETE CASCADE,
            UNIQUE (label, id)
        );
        ALTER TABLE orders DROP COLUMN dropped_a, DROP COLUMN dropped_b;
        CREATE TABLE lines (order_id integer REFERENCES orders (id), n integer,
                            PRIMARY KEY (order_id, n));
        CREATE INDEX orders_mixed ON orders
            (lower(label) COLLATE "POSIX" DESC, label text_pattern_ops, account_id)
            INCLUDE (amount, kind) WHERE amount > 10;
        CREATE INDEX orders_label_default ON orders (label COLLATE "default");
        CREATE TRIGGER orders_touch BEFORE UPDATE OF kind, label ON orders
            FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE TRIGGER orders_when AFTER INSERT ON orders
            FOR EACH ROW WHEN (NEW.amount > 100) EXECUTE FUNCTION touch();
        "#,
    );
    database
}

fn settings(url: &str) -> ConnectionSettings {
    ConnectionSettings::parse(url).expect("test URL parses")
}

fn one_connection(url: &str) -> Catalog {
    let mut session =
        LiveSession::connect(&settings(url), &SessionOptions::default()).expect("connects");
    introspect(&mut session, &["public".to_string()]).expect("introspects")
}

fn on_connections(url: &str, connections: usize) -> Introspection {
    let settings = settings(url);
    let options = SessionOptions::default();
    let mut session = LiveSession::connect(&settings, &options).expect("connects");
    introspect_with(
        &mut session,
        &["public".to_string()],
        Some(Parallel {
            settings: &settings,
            options,
            connections,
        }),
    )
    .expect("introspects")
}

/// The catalog as JSON, but when it was read (`now()`, in seconds: two reads a moment
/// apart may straddle a second).
fn json(catalog: &Catalog) -> serde_json::Value {
    let mut catalog = catalog.clone();
    if let Some(statistics) = &mut catalog.index_statistics {
        statistics.read_at.clear();
    }
    serde_json::to_value(&catalog).expect("a catalog serializes")
}

#[test]
fn keys_are_named_from_the_columns_read() {
    let database = tricky_database("keys");
    let catalog = one_connection(&database.url());
    let orders = &catalog.relations[&QualifiedName::new("public", "orders")];
    let foreign_key = orders
        .constraints
        .values()
        .find_map(|constraint| match &constraint.kind {
            ConstraintKind::ForeignKey {
                columns,
                references,
                referenced_columns,
                ..
            } => Some((columns, references, referenced_columns)),
            _ => None,
        })
        .expect("the foreign key is read");
    assert_eq!(foreign_key.0, &["account_region", "account_id"]);
    assert_eq!(foreign_key.1, &QualifiedName::new("other", "accounts"));
    assert_eq!(foreign_key.2, &["region", "id"]);
    let unique = orders
        .constraints
        .values()
        .find_map(|constraint| match &constraint.kind {
            ConstraintKind::Unique { columns, .. } => Some(columns),
            _ => None,
        })
        .expect("the unique constraint is read");
    assert_eq!(unique, &["label", "id"]);

    let mixed = &orders.indexes["orders_mixed"];
    let targets: Vec<String> = mixed
        .keys
        .iter()
        .map(|key| match &key.target {
            IndexTarget::Column(name) => name.clone(),
            IndexTarget::Expression(expression) => format!("expr {}", expression.text()),
        })
        .collect();
    assert_eq!(targets, ["expr lower(label)", "label", "account_id"]);
    assert_eq!(mixed.include, ["amount", "kind"]);
    assert!(mixed.keys[0].descending);
    assert_eq!(mixed.keys[0].collation.as_deref(), Some("POSIX"));
    assert_eq!(mixed.keys[1].opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(mixed.keys[1].collation, None, "the column's own collation");
    assert_eq!(mixed.keys[1].default_collation.as_deref(), Some("C"));
    assert_eq!(mixed.keys[2].opclass, None);
    assert_eq!(mixed.keys[2].default_opclass.as_deref(), Some("int4_ops"));
    let by_default = &orders.indexes["orders_label_default"];
    assert_eq!(by_default.keys[0].collation.as_deref(), Some("default"));

    let touch = &orders.triggers["orders_touch"];
    assert_eq!(touch.update_columns, ["kind", "label"]);
    assert!(touch.when.is_none());
    assert_eq!(
        orders.triggers["orders_when"]
            .when
            .as_ref()
            .map(|when| when.text().to_string())
            .as_deref(),
        Some("new.amount > 100::numeric")
    );
}

#[test]
fn several_connections_read_the_same_catalog_as_one() {
    let database = tricky_database("parallel");
    database.apply_example_specs();
    let single = one_connection(&database.url());
    for connections in [2, 3] {
        let parallel = on_connections(&database.url(), connections);
        assert!(parallel.notes.is_empty(), "{:?}", parallel.notes);
        assert_eq!(parallel.connections, connections, "every connection joined");
        assert_eq!(
            json(&parallel.catalog),
            json(&single),
            "{connections} connections"
        );
    }
}

#[test]
fn a_snapshot_that_cannot_be_exported_falls_back_to_one_connection() {
    let database = tricky_database("no_export");
    let role = database.create_role("no_export", "secret");
    database.execute(&format!(
        "REVOKE EXECUTE ON FUNCTION pg_catalog.pg_export_snapshot() FROM PUBLIC;
         GRANT USAGE ON SCHEMA other TO \"{role}\";"
    ));
    let url = database.url_as(&role, "secret");
    let single = one_connection(&url);
    let parallel = on_connections(&url, 2);
    assert_eq!(parallel.connections, 1);
    assert_eq!(parallel.notes.len(), 1, "{:?}", parallel.notes);
    assert!(
        parallel.notes[0].contains("on one connection")
            && parallel.notes[0].contains("pg_export_snapshot"),
        "{:?}",
        parallel.notes
    );
    assert_eq!(json(&parallel.catalog), json(&single));
}

#[test]
fn a_further_connection_that_cannot_join_leaves_its_part_to_the_first() {
    let database = tricky_database("no_join");
    let role = database.create_role("one_connection", "secret");
    database.execute(&format!("ALTER ROLE \"{role}\" CONNECTION LIMIT 1"));
    let url = database.url_as(&role, "secret");
    let single = one_connection(&url);
    let parallel = on_connections(&url, 3);
    assert_eq!(parallel.connections, 1);
    assert_eq!(parallel.notes.len(), 2, "{:?}", parallel.notes);
    assert!(
        parallel
            .notes
            .iter()
            .all(|note| note.contains("could not share") && note.contains("too many connections")),
        "{:?}",
        parallel.notes
    );
    assert_eq!(json(&parallel.catalog), json(&single));
}

#[test]
fn the_binary_reads_the_same_findings_on_one_connection_and_on_several() {
    let database = tricky_database("binary");
    database.apply_example_specs();
    let url = database.url();
    let (code, several) = check_json(&["--db", &url]);
    let (single_code, single) = check_json(&["--db", &url, "--catalog-connections", "1"]);
    assert_eq!(several["findings"], single["findings"]);
    assert_eq!(code, single_code);

    let role = database.create_role("binary_limit", "secret");
    database.execute(&format!("ALTER ROLE \"{role}\" CONNECTION LIMIT 1"));
    let limited = database.url_as(&role, "secret");
    let run = pgparity(&["snapshot", "--db", &limited, "--catalog-connections", "2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("pgparity: note: catalog connection 2 of 2"),
        "{}",
        run.stderr
    );
    let refused = pgparity(&["snapshot", "--db", &limited, "--catalog-connections", "0"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
}

/// `--timings`: a line per phase on standard error, the catalog queries with their rows;
/// none without the flag, and the report on standard output unchanged.
#[test]
fn timings_name_each_phase_and_each_catalog_query_with_its_rows() {
    let database = tricky_database("timings");
    database.apply_example_specs();
    let url = database.url();
    let plain = pgparity(&["check", "--db", &url, "--format", "json"]);
    let timed = pgparity(&["check", "--db", &url, "--format", "json", "--timings"]);
    assert_eq!(timed.code, plain.code, "{}", timed.stderr);
    assert!(!plain.stderr.contains("timing:"), "{}", plain.stderr);
    let lines: Vec<&str> = timed
        .stderr
        .lines()
        .filter(|line| line.starts_with("pgparity: timing: "))
        .collect();
    for phase in [
        "load specs (read, parse, apply)",
        "load specs: tokenize and parse",
        "load specs: apply statements",
        "connect ",
        "catalog query: scope",
        "catalog query: columns",
        "assemble live catalog",
        "read live database",
        "checks",
        "render",
    ] {
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with(&format!("pgparity: timing: {phase}"))),
            "no {phase:?} line in {}",
            timed.stderr
        );
    }
    let columns = lines
        .iter()
        .find(|line| line.contains("catalog query: columns"))
        .expect("a columns line");
    let rows: usize = columns
        .rsplit_once("  ")
        .and_then(|(_, rows)| rows.strip_suffix(" rows"))
        .and_then(|rows| rows.trim().parse().ok())
        .unwrap_or_else(|| panic!("no row count in {columns:?}"));
    assert!(rows > 0, "{columns}");
    let findings = |report: &str| -> serde_json::Value {
        let mut report: serde_json::Value = serde_json::from_str(report).expect("JSON report");
        report["findings"].take()
    };
    assert_eq!(findings(&timed.stdout), findings(&plain.stdout));
}
