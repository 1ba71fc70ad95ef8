//! The `spec` family: problems in the DDL specs themselves. Each rule is a file of this
//! folder.

use crate::finding::Finding;
use crate::model::Catalog;
use crate::sources::spec::{SpecProblem, SpecSet};
use linkme::distributed_slice;

include!(concat!(env!("OUT_DIR"), "/rules_spec.rs"));

/// What the spec rules look at.
pub(crate) struct Specs<'a> {
    /// The catalog the specs define.
    pub catalog: &'a Catalog,
    /// What the loader could not take into the catalog.
    pub problems: &'a [SpecProblem],
}

/// A spec rule's finder.
pub(crate) type Finder = fn(&Specs, &mut Vec<Finding>);

/// Every spec rule's finder.
#[distributed_slice]
pub(crate) static SPEC_FINDERS: [Finder];

/// Runs every spec rule.
pub(super) fn check(specs: &SpecSet, findings: &mut Vec<Finding>) {
    let specs = Specs {
        catalog: &specs.catalog,
        problems: &specs.problems,
    };
    for finder in SPEC_FINDERS {
        finder(&specs, findings);
    }
}
