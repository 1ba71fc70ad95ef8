//! The `tenancy` family: every table in scope is tenant-scoped unless the mapping's
//! `tenancy.exempt` lists it, and every tenant-scoped table carries the tenant column,
//! has row-level security enabled and forced, and a policy on the tenant column. Each rule
//! is a file of this folder. The family judges every catalog the run has — the specs' and
//! the database's — and reports a fact found on both once.

include!(concat!(env!("OUT_DIR"), "/rules_tenancy.rs"));

use super::{merge_sides, sides, Inputs, Outcome, Side};
use crate::finding::Finding;
use crate::mapping::Tenancy;
use crate::model::{Catalog, Relation};
use linkme::distributed_slice;

/// What the tenancy rules look at: the tables of a catalog and the mapping's tenancy.
pub(crate) struct TenantTables<'a> {
    /// The catalog whose tables are judged.
    pub catalog: &'a Catalog,
    /// Whose catalog it is.
    pub side: Side,
    /// The mapping's `tenancy:` section.
    pub tenancy: &'a Tenancy,
}

impl<'a> TenantTables<'a> {
    /// The type the tenant column has where tenant-scoped tables have it (the most common
    /// one), to suggest for a table that lacks it; `None` when no table has it.
    pub(crate) fn tenant_column_type(&self) -> Option<String> {
        let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
        for relation in self.tables() {
            if let Some(data_type) = relation
                .column(&self.tenancy.column)
                .and_then(|column| column.data_type.as_ref())
            {
                *counts.entry(data_type.to_string()).or_default() += 1;
            }
        }
        counts
            .into_iter()
            .max_by(|(a_type, a), (b_type, b)| a.cmp(b).then(b_type.cmp(a_type)))
            .map(|(data_type, _)| data_type)
    }

    /// The tenant-scoped tables: every table not listed under `tenancy.exempt`.
    pub(crate) fn tables(&self) -> impl Iterator<Item = &'a Relation> + '_ {
        self.catalog.relations.values().filter(|relation| {
            relation.kind.is_table() && !self.tenancy.exempt.contains(&relation.name)
        })
    }
}

/// A tenancy rule's finder.
pub(crate) type Finder = fn(&TenantTables, &mut Vec<Finding>);

/// Every tenancy rule's finder.
#[distributed_slice]
pub(crate) static TENANCY_FINDERS: [Finder];

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    let catalogs = sides(inputs);
    let tenancy = inputs.mapping.and_then(|mapping| mapping.tenancy.as_ref());
    let Some(tenancy) = tenancy.filter(|_| !catalogs.is_empty()) else {
        outcome.skipped.push(
            "tenancy: needs specs or a live database, and a `tenancy:` section in the mapping"
                .into(),
        );
        return;
    };
    let mut found = (Vec::new(), Vec::new());
    for (side, catalog) in catalogs {
        let scope = TenantTables {
            catalog,
            side,
            tenancy,
        };
        let into = match side {
            Side::Specs => &mut found.0,
            Side::Database => &mut found.1,
        };
        for finder in TENANCY_FINDERS {
            finder(&scope, into);
        }
    }
    merge_sides(found.0, found.1, &mut outcome.findings);
}
