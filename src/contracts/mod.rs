//! API contracts: OpenAPI 3.0/3.1 and JSON Schema documents, `$ref` resolution,
//! endpoints and their response DTOs, and the JSON → PostgreSQL type table.

pub mod compat;
mod load;
mod model;
mod resolve;
mod schema;
mod store;
mod validate;

pub use load::{load_contracts, ContractLoadError, ContractOptions};
pub use model::*;
pub use validate::DocumentProblem;
