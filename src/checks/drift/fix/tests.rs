//! The SQL text of fixes that live tests cannot show as directly: which type changes
//! keep every value, and how names, types and literals are written.

use super::column::widens;
use super::*;

fn widens_text(from: &str, to: &str) -> bool {
    widens(&SqlType::parse(from), &SqlType::parse(to))
}

#[test]
fn only_conversions_that_keep_every_value_are_safe() {
    for (from, to) in [
        ("smallint", "integer"),
        ("integer", "bigint"),
        ("integer", "numeric"),
        ("bigint", "numeric(30,2)"),
        ("numeric(10,2)", "numeric(12,2)"),
        ("numeric(10,2)", "numeric(11,3)"),
        ("numeric(10,2)", "numeric"),
        ("varchar(100)", "varchar(200)"),
        ("varchar(100)", "varchar"),
        ("varchar(100)", "text"),
        ("text", "varchar"),
        ("varchar[]", "text[]"),
    ] {
        if from != to {
            assert!(widens_text(from, to), "{from} -> {to} keeps every value");
        }
    }
    for (from, to) in [
        ("bigint", "integer"),
        ("integer", "smallint"),
        ("integer", "numeric(5,0)"),
        ("numeric(12,2)", "numeric(10,2)"),
        ("numeric(10,2)", "numeric(10,1)"),
        ("numeric", "numeric(10,2)"),
        ("varchar(200)", "varchar(100)"),
        ("text", "varchar(100)"),
        ("varchar", "varchar(100)"),
        ("timestamp", "timestamptz"),
        ("text", "integer"),
        ("integer", "text[]"),
        ("real", "double precision"),
        ("char(3)", "varchar(3)"),
        ("char(3)", "text"),
    ] {
        assert!(!widens_text(from, to), "{from} -> {to} can lose values");
    }
}

#[test]
fn types_names_and_literals_are_written_as_postgresql_reads_them() {
    assert_eq!(
        sql_type(&SqlType::parse("timestamp(3) with time zone")),
        "timestamp(3) with time zone"
    );
    assert_eq!(
        sql_type(&SqlType::parse("VARCHAR(80)[]")),
        "character varying(80)[]"
    );
    assert_eq!(sql_type(&SqlType::parse("billing.plan")), "billing.plan");
    assert_eq!(sql_type(&SqlType::parse("\"Mood\"[]")), "\"Mood\"[]");
    assert_eq!(sql_type(&SqlType::parse("app.\"order\"")), "app.\"order\"");
    assert_eq!(literal("it's"), "'it''s'");
    assert_eq!(literal("C:\\temp"), "'C:\\temp'");
}

#[test]
fn an_exclusion_constraint_keeps_its_deferral_as_written_once() {
    let specs = crate::sources::spec::load_spec_text(
        "specs/spec.sql",
        "CREATE TABLE t (during tsrange,
            CONSTRAINT ex_t EXCLUDE USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED);",
        "public",
    );
    let table = &specs.catalog.relations[&QualifiedName::new("public", "t")];
    let constraint = &table.constraints["ex_t"];
    assert!(constraint.initially_deferred);
    assert_eq!(
        constraint_definition(constraint),
        "EXCLUDE USING gist (during WITH &&) DEFERRABLE INITIALLY DEFERRED"
    );
}
