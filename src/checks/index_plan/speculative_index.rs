//! `speculative-index`: an index nothing justifies. Also reports plan entries whose query
//! paths name what the contracts do not define (`unknown-contract-ref`).

use crate::checks::contract::unknown_contract_ref::UNKNOWN_CONTRACT_REF;
use crate::checks::contract::{resolves, Resolution};
use crate::checks::index_plan::IndexPlan;
use crate::checks::index_plan::{covers_foreign_key, index_path};
use crate::finding::Finding;
use crate::mapping::{Mapping, PlanEntry, PlanStatus};
use crate::model::{Index, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `speculative-index`.
pub static SPECULATIVE_INDEX: Rule = Rule {
    id: "speculative-index",
    family: Family::IndexPlan,
    default_severity: Severity::Error,
    summary: "An index that no constraint, foreign key or resolvable query path justifies",
    object_kind: ObjectKind::Index,
    needs_live: false,
    docs: "\
## What it does
Every index must earn its keep. An index is justified when it backs a primary key, unique or
exclusion constraint; when its leading columns cover a foreign key (it serves cascades and
joins); or when the index plan has an entry for it that is not `status: future` and either
the index is unique (it enforces integrity) or one of its `query_paths` resolves — to an
endpoint `METHOD /path` in the contracts (a query string such as `?tenant_id=X` is ignored),
or to a name under `queries:`. Anything else is speculative: no plan entry, a plan entry whose
query paths resolve to nothing, or one marked future.

## Why it matters
Indexes added \"just in case\" cost on every write, take disk and vacuum time, and nobody
dares to drop them later because nobody knows what they serve.

## Example
```sql
CREATE INDEX idx_revenue_ledger_posted_at ON revenue_ledger (posted_at);
```
with no entry in `index_plan:`. Fix: add a plan entry naming the endpoint or query it serves,
or drop the index.",
};
register_rule!(SPECULATIVE_INDEX);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    let Some(mapping) = plan.mapping else {
        return;
    };
    for entry in &mapping.index_plan {
        for path in &entry.query_paths {
            if let Resolution::Unknown(what) = resolves(path, plan.inputs.contracts, mapping) {
                findings.push(
                    Finding::new(
                        &UNKNOWN_CONTRACT_REF,
                        index_path(&entry.index).of_kind(ObjectKind::Index),
                        format!("index plan entry {} names {what}", entry.index.name),
                    )
                    .at(entry.location.as_ref()),
                );
            }
        }
    }
    for relation in plan.specs.relations.values() {
        for index in relation.indexes.values() {
            let name = QualifiedName::new(relation.name.schema.clone(), index.name.clone());
            let entry = plan.entries.get(&name).copied();
            if let Some((reason, hint)) = speculative_reason(relation, index, entry, plan, mapping)
            {
                findings.push(
                    Finding::new(
                        &SPECULATIVE_INDEX,
                        index_path(&name),
                        format!(
                            "index {} on {} is speculative: {reason}",
                            index.name, relation.name
                        ),
                    )
                    .at(index.location.as_ref())
                    .hint(hint),
                );
            }
        }
    }
}

/// Why an index is not justified and what to do, or `None` when it is justified. The
/// hint fits the case: an entry that exists but names nothing known needs its query
/// paths corrected, not another entry.
fn speculative_reason(
    relation: &Relation,
    index: &Index,
    entry: Option<&PlanEntry>,
    plan: &IndexPlan,
    mapping: &Mapping,
) -> Option<(String, String)> {
    if index.constraint.is_some() {
        return None;
    }
    let entry_at = |entry: &PlanEntry| {
        entry
            .location
            .as_ref()
            .map_or_else(String::new, |location| format!(" at {location}"))
    };
    match entry {
        Some(entry) if entry.status == PlanStatus::Future => Some((
            "its plan entry is marked future, so nothing justifies it today".into(),
            format!(
                "set the plan entry{} to `status: active` once a query needs the index, or \
                 drop the index until then",
                entry_at(entry)
            ),
        )),
        Some(_) if index.unique => None,
        Some(_) if covers_foreign_key(relation, index) => None,
        Some(entry) => {
            let any_resolves = entry.query_paths.iter().any(|path| {
                matches!(
                    resolves(path, plan.inputs.contracts, mapping),
                    Resolution::Resolved | Resolution::Unchecked
                )
            });
            (!any_resolves).then(|| {
                if entry.query_paths.is_empty() {
                    (
                        "its plan entry names no query path".to_string(),
                        format!(
                            "add query_paths to the plan entry{} naming the endpoint or the \
                             query under `queries:` that the index serves, or drop the index",
                            entry_at(entry)
                        ),
                    )
                } else {
                    (
                        format!(
                            "none of its query paths ({}) resolves to a contract endpoint or a declared query",
                            entry.query_paths.join("; ")
                        ),
                        format!(
                            "the plan entry{} exists but its query paths name no endpoint of the \
                             contracts and no query under `queries:`: correct them (the \
                             unknown-contract-ref findings name each), declare the query under \
                             `queries:`, or drop the index",
                            entry_at(entry)
                        ),
                    )
                }
            })
        }
        None if covers_foreign_key(relation, index) => None,
        None => Some((
            "the index plan has no entry for it".into(),
            "add an index_plan entry whose query_paths name an endpoint or a declared query, \
             or drop the index"
                .into(),
        )),
    }
}
