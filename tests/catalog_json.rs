//! The catalog's versioned JSON form (what snapshots are made of) round-trips.

use pgparity::input::InputLimits;
use pgparity::model::{
    Catalog, FunctionKind, TriggerState, CATALOG_FORMAT_REVISION, CATALOG_FORMAT_VERSION,
};
use pgparity::sources::spec::load_specs;
use std::path::PathBuf;

#[test]
fn the_example_catalog_round_trips_through_json() {
    let specs = load_specs(
        &[PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/specs"))],
        "public",
        InputLimits::default(),
    )
    .expect("specs load");
    let catalog = specs.catalog;
    assert_eq!(catalog.format_version, CATALOG_FORMAT_VERSION);
    let json = serde_json::to_string_pretty(&catalog).expect("the catalog serializes");
    let back: Catalog = serde_json::from_str(&json).expect("the catalog deserializes");
    assert_eq!(serde_json::to_string_pretty(&back).unwrap(), json);
    assert_eq!(back.relations.len(), catalog.relations.len());
    let ledger = back
        .relations
        .values()
        .find(|relation| relation.name.name == "revenue_ledger")
        .expect("revenue_ledger is in the catalog");
    assert_eq!(
        ledger
            .column("revenue_cents")
            .and_then(|c| c.data_type.as_ref())
            .map(ToString::to_string),
        Some("integer".to_string())
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format_version"], CATALOG_FORMAT_VERSION);
    assert!(value["relations"][0]["name"]["schema"].is_string());
}

/// A catalog written before format revision 1 (no sequences, extension schemas, trigger
/// states, function details, owners) still reads, as revision 0, with those facts empty:
/// the diff then leaves them out instead of reporting them missing.
#[test]
fn a_catalog_of_an_older_revision_reads_with_the_added_facts_empty() {
    let old = r#"{
      "format_version": 1,
      "schemas": {"public": null},
      "extensions": {"pgcrypto": null},
      "relations": [{"name": {"schema": "public", "name": "t"}, "definition": {
        "name": {"schema": "public", "name": "t"}, "kind": "table", "columns": [],
        "constraints": {}, "indexes": {}, "rls_enabled": false, "rls_forced": false,
        "policies": {}, "grants": [], "triggers": {"trg": {
          "name": "trg", "timing": "AFTER", "events": ["UPDATE"], "for_each_row": true,
          "function": {"schema": "public", "name": "f"}, "arguments": [], "when": null,
          "comment": null, "location": null}},
        "comment": null, "view": null, "location": null}}],
      "enums": [],
      "domains": [],
      "functions": [{"name": {"schema": "public", "name": "f"},
                     "definition": [{"arguments": [], "returns": "trigger", "location": null}]}]
    }"#;
    let catalog: Catalog = serde_json::from_str(old).expect("an older catalog reads");
    assert_eq!(catalog.format_revision, 0);
    assert!(!catalog.both_have_revision(&Catalog::new(), CATALOG_FORMAT_REVISION));
    assert!(catalog.sequences.is_empty() && catalog.extension_schemas.is_empty());
    let table = catalog.relations.values().next().expect("the table");
    assert_eq!(table.owner, None);
    assert_eq!(table.triggers["trg"].state, TriggerState::Enabled);
    let function = &catalog.functions.values().next().expect("f")[0];
    assert_eq!(function.kind, FunctionKind::Function);
    assert!(function.body.is_none());
    assert_eq!(Catalog::new().format_revision, CATALOG_FORMAT_REVISION);
}
