//! View bodies as written (`tests/data/drift/views.sql`) and as PostgreSQL 15.18's
//! `pg_get_viewdef(oid, true)` printed them (`tests/data/drift/views-pg15.tsv`: name, tab,
//! body with `\n` for newlines): equal bodies are not drift; the one normalization
//! cannot settle is info.

use pgparity::checks::drift::drift_findings;
use pgparity::finding::Severity;
use pgparity::model::QualifiedName;
use pgparity::sources::forms::fill_forms;
use pgparity::sources::spec::load_spec_text;

#[test]
fn view_bodies_as_postgresql_15_printed_them() {
    let specs = load_spec_text(
        "tests/data/drift/views.sql",
        include_str!("data/drift/views.sql"),
        "public",
    );
    assert!(specs.problems.is_empty(), "{:#?}", specs.problems);
    let mut live = specs.catalog.clone();
    let mut printed = 0;
    for line in include_str!("data/drift/views-pg15.tsv").lines() {
        let (name, body) = line.split_once('\t').expect("name, tab, body");
        let view = live
            .relations
            .get_mut(&QualifiedName::new("public", name))
            .unwrap_or_else(|| panic!("view {name}"));
        view.view.as_mut().expect("a view").query = body.replace("\\n", "\n").into();
        for column in &mut view.columns {
            column.not_null = false;
        }
        printed += 1;
    }
    assert_eq!(printed, 28);
    fill_forms(&mut live, "public");
    let findings = drift_findings(&specs, &live, "public");
    let summary: Vec<(&str, &str, Severity)> = findings
        .iter()
        .map(|finding| {
            (
                finding.rule.as_str(),
                finding.object.as_str(),
                finding.severity,
            )
        })
        .collect();
    // `SELECT *` is expanded by the server into the column list: not decidable.
    assert_eq!(
        summary,
        vec![("view-definition-drift", "public.v15", Severity::Info)],
        "{findings:#?}"
    );
}
