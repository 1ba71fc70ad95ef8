//! The `contract_schema_mapping.yaml` mapping (version 1), its JSON Schema, index plan
//! files (Markdown or YAML), the claims free text makes about contracts, and read models
//! inferred from evidence. YAML is read through [`crate::yaml`].

mod claims;
mod error;
mod infer;
mod load;
mod markdown;
mod model;
mod plan;
mod schema;

pub use claims::{contract_claims, endpoint_mentions, ContractClaim};
pub use error::{MappingDiagnostic, MappingError};
pub use infer::{
    endpoint_shape, infer_read_models, same_endpoint, same_file, EndpointShape, InferenceProblem,
    Inferred,
};
pub use load::{load_index_plan, load_mapping};
pub use markdown::parse_markdown_plan;
pub use model::*;
pub use schema::MAPPING_SCHEMA;
