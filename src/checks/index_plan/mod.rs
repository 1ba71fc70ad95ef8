//! The `index-plan` family: every index is justified by a constraint, a foreign key or a
//! plan entry whose query path resolves; the plan matches the indexes. Each rule is a file
//! of this folder.

include!(concat!(env!("OUT_DIR"), "/rules_index_plan.rs"));

use super::{Inputs, Outcome};
use crate::finding::{Finding, ObjectPath};
use crate::mapping::{Mapping, PlanEntry};
use crate::model::{
    Canonical, Catalog, ConstraintKind, Expr, Index, IndexKey, IndexTarget, QualifiedName, Relation,
};
use crate::rules::ObjectKind;
use linkme::distributed_slice;
use std::collections::{BTreeMap, BTreeSet};

/// What the index-plan rules look at.
pub(crate) struct IndexPlan<'a> {
    /// Everything the run has.
    pub inputs: &'a Inputs<'a>,
    /// The catalog the specs define.
    pub specs: &'a Catalog,
    /// The mapping, when one is given (the plan rules need it).
    pub mapping: Option<&'a Mapping>,
    /// The plan's entries by index name.
    pub entries: BTreeMap<&'a QualifiedName, &'a PlanEntry>,
}

/// An index-plan rule's finder.
pub(crate) type Finder = fn(&IndexPlan, &mut Vec<Finding>);

/// Every index-plan rule's finder that judges the specs.
#[distributed_slice]
pub(crate) static INDEX_PLAN_FINDERS: [Finder];

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    if inputs
        .live
        .is_some_and(|live| live.index_statistics.is_none())
    {
        outcome
            .skipped
            .push("index-plan: unused-index needs index statistics from a live database".into());
    }
    unused_index::unused_indexes(inputs, &mut outcome.findings);
    let Some(specs) = inputs.specs else {
        outcome.skipped.push("index-plan: no specs given".into());
        return;
    };
    if inputs.mapping.is_none() {
        outcome
            .skipped
            .push("index-plan: speculative-index, missing-planned-index and plan-definition-drift need a mapping with an index plan".into());
    }
    let plan = IndexPlan {
        inputs,
        specs: specs.catalog,
        mapping: inputs.mapping,
        entries: inputs
            .mapping
            .map(|mapping| {
                mapping
                    .index_plan
                    .iter()
                    .map(|entry| (&entry.index, entry))
                    .collect()
            })
            .unwrap_or_default(),
    };
    for finder in INDEX_PLAN_FINDERS {
        finder(&plan, &mut outcome.findings);
    }
}

/// PRODUCT.md names indexes by schema and index name (index names are unique per schema).
pub(crate) fn index_path(name: &QualifiedName) -> ObjectPath {
    ObjectPath::relation(name).of_kind(ObjectKind::Index)
}

/// Whether the index's leading columns are exactly a foreign key's columns.
pub(crate) fn covers_foreign_key(relation: &Relation, index: &Index) -> bool {
    let leading = index.leading_columns();
    relation
        .constraints
        .values()
        .any(|constraint| match &constraint.kind {
            ConstraintKind::ForeignKey { columns, .. } => {
                !columns.is_empty()
                    && leading.len() >= columns.len()
                    && leading[..columns.len()]
                        .iter()
                        .copied()
                        .collect::<BTreeSet<_>>()
                        == columns.iter().map(String::as_str).collect::<BTreeSet<_>>()
            }
            _ => false,
        })
}

/// A key in comparable form: normalized target, direction, effective nulls order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct KeyShape {
    pub target: String,
    pub descending: bool,
    pub nulls_first: bool,
}

/// A spec, live or planned index key in comparable form.
pub(crate) fn key_shape(key: &IndexKey) -> KeyShape {
    KeyShape {
        target: target_text(&key.target),
        descending: key.descending,
        nulls_first: key.nulls_first_effective(),
    }
}

/// A key's target in comparable form.
pub(crate) fn target_text(target: &IndexTarget) -> String {
    match target {
        IndexTarget::Column(column) => column.clone(),
        IndexTarget::Expression(expression) => own_schema_text(expression),
    }
}

/// The canonical form in the index's schema, else the text with its whitespace collapsed.
pub(crate) fn own_schema_text(expression: &Expr) -> String {
    match expression.in_own_schema() {
        Canonical::Form(text) => text.clone(),
        _ => expression.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}
