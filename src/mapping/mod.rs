//! The `contract_schema_mapping.yaml` mapping (version 1), its JSON Schema and the
//! Markdown index plan. The only module that knows YAML.

mod model;

pub use model::*;
