//! Column defaults as written (`tests/data/drift/defaults.sql`) and as PostgreSQL 15.18's
//! `pg_get_expr(adbin, adrelid)` printed them (`tests/data/drift/defaults-pg15.txt`, one
//! `column|default` per line): equal defaults are not drift, a changed one is.

use pgparity::checks::drift::drift_findings;
use pgparity::finding::Severity;
use pgparity::model::{Catalog, QualifiedName};
use pgparity::sources::forms::fill_forms;
use pgparity::sources::spec::{load_spec_text, SpecSet};

fn specs() -> SpecSet {
    let specs = load_spec_text(
        "tests/data/drift/defaults.sql",
        include_str!("data/drift/defaults.sql"),
        "public",
    );
    // `CREATE SEQUENCE` is quietly outside the model: nothing to report.
    assert!(specs.problems.is_empty(), "{:#?}", specs.problems);
    specs
}

fn printed(specs: &SpecSet) -> Catalog {
    let mut live = specs.catalog.clone();
    let table = live
        .relations
        .get_mut(&QualifiedName::new("public", "d"))
        .expect("table d");
    let mut count = 0;
    for line in include_str!("data/drift/defaults-pg15.txt").lines() {
        let (column, default) = line.split_once('|').expect("column|default");
        table
            .column_mut(column)
            .unwrap_or_else(|| panic!("column {column}"))
            .default = Some(default.into());
        count += 1;
    }
    assert_eq!(count, table.columns.len());
    fill_forms(&mut live, "public");
    live
}

#[test]
fn defaults_as_postgresql_15_printed_them_are_not_drift() {
    let specs = specs();
    let findings = drift_findings(&specs, &printed(&specs), "public");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn a_changed_printed_default_is_an_error() {
    let specs = specs();
    let mut live = printed(&specs);
    live.relations
        .get_mut(&QualifiedName::new("public", "d"))
        .and_then(|table| table.column_mut("g"))
        .expect("column g")
        .default = Some("'-2'::integer".into());
    fill_forms(&mut live, "public");
    let findings = drift_findings(&specs, &live, "public");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (
            findings[0].rule.as_str(),
            findings[0].object.as_str(),
            findings[0].severity
        ),
        ("default-drift", "public.d.g", Severity::Error)
    );
}
