//! The catalog's versioned JSON form (what snapshots are made of) round-trips.

use pgparity::input::InputLimits;
use pgparity::model::{Catalog, CATALOG_FORMAT_VERSION};
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
