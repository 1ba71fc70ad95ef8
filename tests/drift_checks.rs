//! CHECK constraints as written (`tests/data/drift/checks.sql`) and as PostgreSQL 15.18's
//! `pg_get_constraintdef` printed them (`tests/data/drift/checks-pg15.txt`, one
//! `name|definition` per line): equal meaning is never drift.

use pgparity::checks::drift::drift_findings;
use pgparity::finding::Severity;
use pgparity::model::{ConstraintKind, QualifiedName};
use pgparity::sources::forms::fill_forms;
use pgparity::sources::spec::load_spec_text;

#[test]
fn checks_as_postgresql_15_printed_them_are_not_drift() {
    let specs = load_spec_text(
        "tests/data/drift/checks.sql",
        include_str!("data/drift/checks.sql"),
        "public",
    );
    assert!(specs.problems.is_empty(), "{:#?}", specs.problems);
    let mut live = specs.catalog.clone();
    let table = live
        .relations
        .get_mut(&QualifiedName::new("public", "c"))
        .expect("table c");
    let mut printed = 0;
    for line in include_str!("data/drift/checks-pg15.txt").lines() {
        let (name, definition) = line.split_once('|').expect("name|definition");
        table
            .constraints
            .get_mut(name)
            .unwrap_or_else(|| panic!("constraint {name}"))
            .kind = ConstraintKind::Check {
            expression: definition.into(),
        };
        printed += 1;
    }
    assert_eq!(printed, table.constraints.len());
    fill_forms(&mut live, "public");
    let findings = drift_findings(&specs, &live, "public");
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn a_changed_bound_in_a_printed_check_is_an_error() {
    let specs = load_spec_text(
        "tests/data/drift/checks.sql",
        include_str!("data/drift/checks.sql"),
        "public",
    );
    let mut live = specs.catalog.clone();
    live.relations
        .get_mut(&QualifiedName::new("public", "c"))
        .and_then(|table| table.constraints.get_mut("c12"))
        .expect("c12")
        .kind = ConstraintKind::Check {
        expression: "CHECK ((created_at < (now() + '02:00:00'::interval)))".into(),
    };
    fill_forms(&mut live, "public");
    let findings = drift_findings(&specs, &live, "public");
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (
            findings[0].rule.as_str(),
            findings[0].object.as_str(),
            findings[0].severity
        ),
        ("constraint-drift", "public.c.c12", Severity::Error)
    );
}
