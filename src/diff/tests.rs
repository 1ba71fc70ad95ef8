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
