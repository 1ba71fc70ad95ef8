//! API contracts: OpenAPI 3.0/3.1 and JSON Schema documents, `$ref` resolution,
//! endpoints and their response DTOs.

mod model;

pub use model::*;
