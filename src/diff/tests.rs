//! The typed change list: what is joined, what is skipped, and its order.

use super::*;
use crate::sources::spec::load_spec_text;

fn catalog(sql: &str) -> Catalog {
    load_spec_text("t.sql", sql, "public").catalog
}

fn options() -> DiffOptions {
    DiffOptions {
        default_schema: "public".into(),
        ..DiffOptions::default()
    }
}

#[test]
fn changes_are_ordered_by_relation_then_kind_of_object() {
    let expected = catalog(
        "CREATE TABLE b (id int PRIMARY KEY, x int NOT NULL);
         CREATE TABLE a (id int);",
    );
    let actual = catalog(
        "CREATE TABLE c (id int);
         CREATE TABLE b (id int PRIMARY KEY, x bigint, y int);",
    );
    let changes = diff(&expected, &actual, &options());
    let a = QualifiedName::new("public", "a");
    let b = QualifiedName::new("public", "b");
    let c = QualifiedName::new("public", "c");
    assert_eq!(
        changes,
        vec![
            Change::RelationMissing {
                relation: a,
                kind: RelationKind::Table
            },
            Change::ColumnTypeChanged {
                relation: b.clone(),
                column: "x".into(),
                expected: SqlType::parse("int"),
                actual: SqlType::parse("int8"),
            },
            Change::NullabilityChanged {
                relation: b.clone(),
                column: "x".into(),
                expected_not_null: true,
            },
            Change::ColumnUnexpected {
                relation: b,
                column: "y".into()
            },
            Change::RelationUnexpected {
                relation: c,
                kind: RelationKind::Table
            },
        ]
    );
}

#[test]
fn an_empty_schema_list_compares_every_schema_and_skipped_relations_are_left_out() {
    let expected = catalog("CREATE SCHEMA audit; CREATE TABLE audit.log (id int);");
    let actual = Catalog::new();
    assert_eq!(diff(&expected, &actual, &options()).len(), 1);
    let scoped = DiffOptions {
        schemas: BTreeSet::from(["public".to_string()]),
        ..options()
    };
    assert!(diff(&expected, &actual, &scoped).is_empty());
    let skipped = DiffOptions {
        skipped_relations: BTreeSet::from([QualifiedName::new("audit", "log")]),
        ..options()
    };
    assert!(diff(&expected, &actual, &skipped).is_empty());
}

#[test]
fn each_differing_index_property_is_one_typed_change() {
    let expected = catalog("CREATE TABLE t (a int, b int); CREATE INDEX i ON t (a) WHERE b > 0;");
    let actual =
        catalog("CREATE TABLE t (a int, b int); CREATE UNIQUE INDEX i ON t USING hash (a);");
    let properties: Vec<(&str, bool)> = diff(&expected, &actual, &options())
        .iter()
        .filter_map(|change| match change {
            Change::IndexChanged { difference, .. } => {
                Some((difference.property, difference.comparison.is_decided()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        properties,
        vec![("unique", true), ("method", true), ("predicate", true)]
    );
}

#[test]
fn user_types_compare_without_the_default_schema() {
    let expected = catalog("CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (m public.mood);");
    let actual = catalog("CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (m mood);");
    assert_eq!(diff(&expected, &actual, &options()), vec![]);
}

#[test]
fn trigger_state_update_columns_and_transition_tables_are_compared() {
    let expected = catalog(
        "CREATE TABLE t (a int, b int);
         CREATE TRIGGER guard BEFORE UPDATE OF a, b ON t FOR EACH ROW EXECUTE FUNCTION f();
         CREATE TRIGGER audit AFTER UPDATE ON t REFERENCING NEW TABLE AS n
           FOR EACH STATEMENT EXECUTE FUNCTION f();",
    );
    let actual = catalog(
        "CREATE TABLE t (a int, b int);
         CREATE TRIGGER guard BEFORE UPDATE OF b ON t FOR EACH ROW EXECUTE FUNCTION f();
         CREATE TRIGGER audit AFTER UPDATE ON t REFERENCING OLD TABLE AS o NEW TABLE AS n
           FOR EACH STATEMENT EXECUTE FUNCTION f();
         ALTER TABLE t DISABLE TRIGGER guard;",
    );
    let t = QualifiedName::new("public", "t");
    let changes = diff(&expected, &actual, &options());
    let described: Vec<String> = changes
        .iter()
        .map(|change| match change {
            Change::TriggerChanged {
                trigger,
                difference,
                ..
            } => format!(
                "{trigger} {}: {} -> {}",
                difference.property, difference.expected, difference.actual
            ),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        described,
        [
            "audit transition tables: NEW TABLE AS n -> OLD TABLE AS o NEW TABLE AS n".to_string(),
            "guard update columns: a, b -> b".to_string(),
            format!(
                "{:?}",
                Change::TriggerStateChanged {
                    relation: t,
                    trigger: "guard".into(),
                    expected: TriggerState::Enabled,
                    actual: TriggerState::Disabled,
                }
            ),
        ]
    );
    let mut older = actual.clone();
    older.format_revision = 0;
    assert_eq!(
        diff(&expected, &older, &options()),
        [],
        "a catalog that never read them is not compared on them"
    );
}

#[test]
fn owner_privileges_are_compared_only_where_the_specs_revoke_from_the_owner() {
    let stated = catalog(
        "CREATE TABLE t (id int);
         REVOKE ALL ON t FROM owner_role;
         GRANT SELECT, INSERT ON t TO owner_role;
         GRANT SELECT ON t TO reader;
         CREATE TABLE u (id int);
         GRANT SELECT ON u TO owner_role;",
    );
    let mut live = catalog(
        "CREATE TABLE t (id int);
         GRANT SELECT ON t TO reader;
         CREATE TABLE u (id int);",
    );
    for relation in live.relations.values_mut() {
        relation.owner = Some("owner_role".into());
        relation.owner_privileges = vec!["SELECT".into(), "UPDATE".into()];
    }
    let t = QualifiedName::new("public", "t");
    assert_eq!(
        diff(&stated, &live, &options()),
        [
            Change::OwnerPrivilegeMissing {
                relation: t.clone(),
                owner: "owner_role".into(),
                privilege: "INSERT".into(),
            },
            Change::OwnerPrivilegeUnexpected {
                relation: t,
                owner: "owner_role".into(),
                privilege: "UPDATE".into(),
            },
        ],
        "u states nothing of its owner: its grant to the owner is not a grant the database lists"
    );
}

#[test]
fn schema_level_objects_are_joined_by_name_and_signature() {
    let expected = catalog(
        "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
         CREATE DOMAIN positive AS integer NOT NULL CHECK (VALUE > 0);
         CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql STABLE AS 'select a';
         CREATE FUNCTION g(a integer) RETURNS integer LANGUAGE sql AS 'select a';
         CREATE SEQUENCE s INCREMENT BY 2;
         CREATE EXTENSION citext SCHEMA ext;
         CREATE EXTENSION pgcrypto;
         CREATE EXTENSION IF NOT EXISTS plpgsql WITH SCHEMA pg_catalog;
         CREATE FUNCTION unreadable(enum e) RETURNS int LANGUAGE sql AS 'select 1';",
    );
    let actual = catalog(
        "CREATE TYPE mood AS ENUM ('sad', 'happy', 'ok');
         CREATE DOMAIN positive AS bigint CHECK (VALUE >= 0);
         CREATE FUNCTION f(a integer) RETURNS integer LANGUAGE sql AS 'select  a';
         CREATE FUNCTION g(a bigint) RETURNS integer LANGUAGE sql AS 'select a';
         CREATE FUNCTION h() RETURNS integer LANGUAGE sql AS 'select 1';
         CREATE FUNCTION unreadable(e text) RETURNS int LANGUAGE sql AS 'select 1';
         CREATE SEQUENCE s;
         CREATE EXTENSION citext SCHEMA public;
         CREATE EXTENSION hstore;",
    );
    let described: Vec<String> = diff_objects(&expected, &actual, &options())
        .iter()
        .map(|change| match change {
            ObjectChange::Missing(object) => format!("missing {object}"),
            ObjectChange::Unexpected(object) => format!("unexpected {object}"),
            ObjectChange::Changed { object, difference } => format!(
                "{object} {}: {} -> {}",
                difference.property, difference.expected, difference.actual
            ),
        })
        .collect();
    assert_eq!(
        described,
        [
            "public.mood labels: 'sad', 'ok', 'happy' -> 'sad', 'happy', 'ok'",
            "public.positive base type: integer -> bigint",
            "public.positive not null: NOT NULL -> NULL",
            "public.positive checks: VALUE > 0 -> VALUE >= 0",
            "public.f(integer) volatility: STABLE -> VOLATILE",
            "public.g(integer) arguments: integer -> bigint",
            "unexpected public.h()",
            "public.s increment: 2 -> 1",
            "citext schema: ext -> public",
            "unexpected hstore",
            "missing pgcrypto",
        ]
    );
}
