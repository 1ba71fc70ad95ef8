//! The `spec` family: problems in the DDL specs themselves. Each rule is a file of this
//! folder.

use crate::finding::Finding;
pub(crate) use crate::model::Specs;
use linkme::distributed_slice;

include!(concat!(env!("OUT_DIR"), "/rules_spec.rs"));

/// A spec rule's finder.
pub(crate) type Finder = fn(&Specs, &mut Vec<Finding>);

/// Every spec rule's finder.
#[distributed_slice]
pub(crate) static SPEC_FINDERS: [Finder];

/// Runs every spec rule.
pub(super) fn check(specs: Specs, findings: &mut Vec<Finding>) {
    for finder in SPEC_FINDERS {
        finder(&specs, findings);
    }
}
