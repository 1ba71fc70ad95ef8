//! SQL text tooling shared by every source: expression normalization for comparing
//! definitions, and reading allowed values out of CHECK expressions.

pub mod normalize;
