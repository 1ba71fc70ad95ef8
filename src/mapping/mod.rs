//! The `contract_schema_mapping.yaml` mapping (version 1), its JSON Schema and the
//! Markdown index plan. YAML is read through [`crate::yaml`].

mod error;
mod load;
mod markdown;
mod model;
mod plan;
mod schema;

pub use error::{MappingDiagnostic, MappingError};
pub use load::load_mapping;
pub use markdown::parse_markdown_plan;
pub use model::*;
pub use schema::MAPPING_SCHEMA;
