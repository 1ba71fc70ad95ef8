//! Loaders that turn a source into the normalized [`crate::model::Catalog`].

pub mod dev;
pub mod forms;
pub mod live;
pub mod snapshot;
pub mod spec;
