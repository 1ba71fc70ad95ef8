//! The `index-plan` family: every index is justified by a constraint, a foreign key or a
//! plan entry whose query path resolves; the plan matches the indexes. Each rule is a file
//! of this folder. The family judges every catalog the run has — the specs' and the
//! database's — and reports a fact found on both once.

include!(concat!(env!("OUT_DIR"), "/rules_index_plan.rs"));

use super::{merge_sides, sides, Inputs, Outcome, Side};
use crate::finding::{Finding, ObjectPath};
use crate::mapping::{endpoint_shape, EndpointShape, PlanEntry, PlanSet};
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
    /// The plans, when a mapping or a plan file is given (the plan rules need them).
    pub plan: Option<&'a PlanSet>,
    /// The plan's entries by index name.
    pub entries: BTreeMap<&'a QualifiedName, &'a PlanEntry>,
    /// The shapes of the contracts' endpoints, which plan query paths resolve to; `None`
    /// without contracts.
    pub endpoints: Option<BTreeSet<EndpointShape>>,
    /// The catalog judged in this pass, or `None` in the pass over the plan alone
    /// (what the plan says whatever the catalogs hold: entries that cannot be read,
    /// query paths that name nothing).
    pub judged: Option<Judged<'a>>,
}

/// The catalog one pass of the family judges.
#[derive(Clone, Copy)]
pub(crate) struct Judged<'a> {
    /// Its relations and indexes.
    pub catalog: &'a Catalog,
    /// Whose catalog it is.
    pub side: Side,
}

/// An index-plan rule's finder; it runs once for the plan alone and once per catalog.
pub(crate) type Finder = fn(&IndexPlan, &mut Vec<Finding>);

/// Every index-plan rule's finder.
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
    if inputs.plan.is_none() {
        outcome
            .skipped
            .push("index-plan: speculative-index, missing-planned-index and plan-definition-drift need an index plan (a mapping, --index-plan or `index_plan` in pgparity.toml)".into());
    }
    let entries = inputs
        .plan
        .map(|plan| {
            plan.entries
                .iter()
                .map(|entry| (&entry.index, entry))
                .collect()
        })
        .unwrap_or_default();
    let mut pass = IndexPlan {
        inputs,
        plan: inputs.plan,
        entries,
        endpoints: inputs.contracts.map(|contracts| {
            contracts
                .endpoints
                .keys()
                .filter_map(|key| endpoint_shape(key))
                .collect()
        }),
        judged: None,
    };
    for finder in INDEX_PLAN_FINDERS {
        finder(&pass, &mut outcome.findings);
    }
    let catalogs = sides(inputs);
    if catalogs.is_empty() {
        outcome
            .skipped
            .push("index-plan: no indexes to judge, no specs or database given".into());
        return;
    }
    let mut found = (Vec::new(), Vec::new());
    for (side, catalog) in catalogs {
        pass.judged = Some(Judged { catalog, side });
        let into = match side {
            Side::Specs => &mut found.0,
            Side::Database => &mut found.1,
        };
        for finder in INDEX_PLAN_FINDERS {
            finder(&pass, into);
        }
    }
    merge_sides(found.0, found.1, &mut outcome.findings);
}

/// PRODUCT.md names indexes by schema and index name (index names are unique per schema).
pub(crate) fn index_path(name: &QualifiedName) -> ObjectPath {
    ObjectPath::relation(name).of_kind(ObjectKind::Index)
}

/// The indexes of `relation` that serve foreign key lookups on `columns`: their leading
/// columns are exactly the key's (in any order), and they have no predicate, or only
/// `c IS NOT NULL` on the key's own columns, which a lookup's `c = $1` implies
/// (PostgreSQL uses such a partial index for it).
pub(crate) fn covering_indexes<'r>(relation: &'r Relation, columns: &[String]) -> Vec<&'r Index> {
    let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    relation
        .indexes
        .values()
        .filter(|index| {
            leads_with_exactly(index, &wanted)
                && serves_every_reference(
                    index.predicate.as_ref().map(Expr::in_own_schema),
                    &wanted,
                )
        })
        .map(Box::as_ref)
        .collect()
}

/// Whether the first `wanted.len()` keys of `index` are plain columns that are `wanted`
/// in some order. Without building a set per index: the indexes of every relation are
/// asked once per foreign key.
fn leads_with_exactly(index: &Index, wanted: &BTreeSet<&str>) -> bool {
    let Some(leading) = index.keys.get(..wanted.len()) else {
        return false;
    };
    leading.iter().enumerate().all(|(position, key)| {
        key.column().is_some_and(|column| {
            wanted.contains(column)
                && !leading[..position]
                    .iter()
                    .any(|earlier| earlier.column() == Some(column))
        })
    })
}

/// The foreign keys of `relation`: name and referencing columns.
pub(crate) fn foreign_keys(relation: &Relation) -> impl Iterator<Item = (&str, &[String])> {
    relation
        .constraints
        .values()
        .filter_map(|constraint| match &constraint.kind {
            ConstraintKind::ForeignKey { columns, .. } => {
                Some((constraint.name.as_str(), columns.as_slice()))
            }
            _ => None,
        })
}

/// Whether an index with this predicate (its canonical form) sees every row a
/// foreign-key lookup on `columns` can find.
pub(crate) fn serves_every_reference(
    predicate: Option<&Canonical>,
    columns: &BTreeSet<&str>,
) -> bool {
    let Some(predicate) = predicate else {
        return true;
    };
    let Some(normalized) = predicate.form() else {
        return false;
    };
    normalized.split(" AND ").all(|term| {
        term.trim_matches(|c| c == '(' || c == ')')
            .strip_suffix(" IS NOT NULL")
            .is_some_and(|column| columns.contains(column))
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
        Canonical::Form(text) => text.to_string(),
        _ => expression.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}
