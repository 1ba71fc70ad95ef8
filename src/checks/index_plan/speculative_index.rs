//! `speculative-index`: an index nothing justifies. Also reports plan entries whose query
//! paths name what the contracts do not define (`unknown-contract-ref`).

use crate::checks::contract::unknown_contract_ref::UNKNOWN_CONTRACT_REF;
use crate::checks::contract::{resolves, Resolution};
use crate::checks::index_plan::IndexPlan;
use crate::checks::index_plan::{covering_indexes, foreign_keys, index_path};
use crate::finding::Finding;
use crate::mapping::{PlanEntry, PlanSet, PlanStatus};
use crate::model::{Index, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use std::collections::BTreeMap;

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
Every index must earn its keep, in the specs and (with a live database or snapshot) in the
database. An index is justified when:

- it backs a primary key, unique or exclusion constraint;
- it is the one index its foreign key picks: a foreign key justifies ONE covering index
  (its leading columns are the key's, with no predicate other than `c IS NOT NULL` on
  them) — the narrowest one the plan justifies (whatever its query path), else the
  narrowest covering index without a plan entry; the only covering index is picked even
  when its plan entry is future or names nothing;
- or the index plan has an entry for it that is not `status: future` and either the index
  is unique (it enforces integrity) or one of its query paths resolves — to an endpoint
  `METHOD /path` in the contracts (a query string such as `?tenant_id=X` is ignored), or
  to a name under `queries:`.

Anything else is speculative: no plan entry, a plan entry whose query paths resolve to
nothing, or one marked future — also when the index merely begins with a foreign key's
columns that another index already serves. An index speculative in the specs and in the
database is one finding.

## Why it matters
Indexes added \"just in case\" cost on every write, take disk and vacuum time, and nobody
dares to drop them later because nobody knows what they serve. In a multi-tenant schema
almost every index begins with `tenant_id`, a foreign key to `tenants`: if beginning with a
foreign key's columns were enough, every such index would be justified.

## Example
```sql
-- fk_orders_tenant: tenant_id REFERENCES tenants (id)
CREATE INDEX idx_orders_tenant_created ON orders (tenant_id, created_at DESC); -- planned: GET /api/orders
CREATE INDEX idx_orders_tenant_status ON orders (tenant_id, status);           -- no plan entry
```
The foreign key picks `idx_orders_tenant_created` (the plan lists it), so
`idx_orders_tenant_status` is speculative. Fix: add a plan entry naming the endpoint or
query it serves, or drop the index.",
};
register_rule!(SPECULATIVE_INDEX);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    let Some(set) = plan.plan else {
        return;
    };
    let Some(judged) = plan.judged else {
        unresolved_query_paths(plan, set, findings);
        return;
    };
    for relation in judged.catalog.relations.values() {
        let picks = ForeignKeyPicks::of(relation, plan, set);
        for index in relation.indexes.values() {
            let name = QualifiedName::new(relation.name.schema.clone(), index.name.clone());
            let entry = plan.entries.get(&name).copied();
            if let Some(reason) = speculative_reason(index, entry, &picks, plan, set) {
                findings.push(
                    Finding::new(
                        &SPECULATIVE_INDEX,
                        index_path(&name),
                        format!(
                            "index {} on {}{} is speculative: {reason}",
                            index.name,
                            relation.name,
                            judged.side.suffix()
                        ),
                    )
                    .at(index.location.as_ref())
                    .hint("add an index_plan entry whose query_paths name an endpoint or a declared query, or drop the index"),
                );
            }
        }
    }
}

/// Plan entries whose query paths name an endpoint or query that is not defined.
fn unresolved_query_paths(plan: &IndexPlan, set: &PlanSet, findings: &mut Vec<Finding>) {
    for entry in &set.entries {
        for path in &entry.query_paths {
            if let Resolution::Unknown(what) = resolves(path, plan.endpoints.as_ref(), &set.queries)
            {
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
}

/// Which index each foreign key of a relation picks to justify.
struct ForeignKeyPicks<'r> {
    /// Index name → the foreign key that picked it.
    picked: BTreeMap<&'r str, &'r str>,
    /// Index name → a foreign key it covers that picked another index, and that index.
    passed_over: BTreeMap<&'r str, (&'r str, &'r str)>,
}

impl<'r> ForeignKeyPicks<'r> {
    /// A foreign key picks ONE covering index: its only one; else the narrowest the plan
    /// justifies on its own; else the narrowest without a plan entry. Covering indexes
    /// whose entry is future or names nothing are never picked unless they are the only
    /// one.
    fn of(relation: &'r Relation, plan: &IndexPlan, set: &PlanSet) -> Self {
        let mut picks = ForeignKeyPicks {
            picked: BTreeMap::new(),
            passed_over: BTreeMap::new(),
        };
        for (foreign_key, columns) in foreign_keys(relation) {
            let covering = covering_indexes(relation, columns);
            let entry_of = |index: &Index| {
                plan.entries
                    .get(&QualifiedName::new(
                        relation.name.schema.clone(),
                        index.name.clone(),
                    ))
                    .copied()
            };
            let narrowest = |candidates: Vec<&'r Index>| {
                candidates
                    .into_iter()
                    .min_by_key(|index| (index.keys.len(), index.name.as_str()))
            };
            let chosen = if covering.len() == 1 {
                covering.first().copied()
            } else {
                let justified_by_plan: Vec<&Index> = covering
                    .iter()
                    .copied()
                    .filter(|index| {
                        entry_of(index)
                            .is_some_and(|entry| entry_verdict(index, entry, plan, set).is_ok())
                    })
                    .collect();
                narrowest(justified_by_plan).or_else(|| {
                    narrowest(
                        covering
                            .iter()
                            .copied()
                            .filter(|index| entry_of(index).is_none())
                            .collect(),
                    )
                })
            };
            let Some(chosen) = chosen else {
                continue;
            };
            picks.picked.insert(chosen.name.as_str(), foreign_key);
            for other in covering {
                if other.name != chosen.name {
                    picks
                        .passed_over
                        .entry(other.name.as_str())
                        .or_insert((foreign_key, chosen.name.as_str()));
                }
            }
        }
        picks
    }
}

/// Whether a plan entry justifies its index on its own, or why not.
fn entry_verdict(
    index: &Index,
    entry: &PlanEntry,
    plan: &IndexPlan,
    set: &PlanSet,
) -> Result<(), String> {
    if entry.status == PlanStatus::Future {
        return Err("its plan entry is marked future, so nothing justifies it today".into());
    }
    if index.unique {
        return Ok(());
    }
    let any_resolves = entry.query_paths.iter().any(|path| {
        matches!(
            resolves(path, plan.endpoints.as_ref(), &set.queries),
            Resolution::Resolved | Resolution::Unchecked
        )
    });
    if any_resolves {
        Ok(())
    } else if entry.query_paths.is_empty() {
        Err("its plan entry names no query path".to_string())
    } else {
        Err(format!(
            "none of its query paths ({}) resolves to a contract endpoint or a declared query",
            entry.query_paths.join("; ")
        ))
    }
}

/// Why an index is not justified, or `None` when it is.
fn speculative_reason(
    index: &Index,
    entry: Option<&PlanEntry>,
    picks: &ForeignKeyPicks,
    plan: &IndexPlan,
    set: &PlanSet,
) -> Option<String> {
    if index.constraint.is_some() || picks.picked.contains_key(index.name.as_str()) {
        return None;
    }
    let reason = match entry {
        Some(entry) => entry_verdict(index, entry, plan, set).err()?,
        None => "the index plan has no entry for it".to_string(),
    };
    Some(match picks.passed_over.get(index.name.as_str()) {
        Some((foreign_key, chosen)) => format!(
            "{reason}; it begins with the columns of foreign key {foreign_key}, which {chosen} \
             already serves (a foreign key justifies one index)"
        ),
        None => reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::index_plan::missing_planned_index::MISSING_PLANNED_INDEX;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_foreign_key_justifies_one_covering_index() {
        let findings = Scenario::specs(
            "CREATE TABLE tenants (id uuid PRIMARY KEY);
             CREATE TABLE customers (id uuid PRIMARY KEY);
             CREATE TABLE orders (
                 id uuid PRIMARY KEY,
                 tenant_id uuid NOT NULL CONSTRAINT fk_orders_tenant REFERENCES tenants (id),
                 customer_id uuid CONSTRAINT fk_orders_customer REFERENCES customers (id),
                 status text,
                 created_at timestamptz
             );
             -- planned: the foreign key picks it, every other tenant_id index needs a plan entry
             CREATE INDEX idx_orders_tenant_created ON orders (tenant_id, created_at DESC);
             CREATE INDEX idx_orders_tenant_status ON orders (tenant_id, status);
             CREATE INDEX idx_orders_tenant_id ON orders (tenant_id, id);
             -- the only index of fk_orders_customer: justified although its entry names nothing
             CREATE INDEX idx_orders_customer ON orders (customer_id);
             CREATE TABLE notes (id uuid PRIMARY KEY,
                 tenant_id uuid NOT NULL CONSTRAINT fk_notes_tenant REFERENCES tenants (id),
                 body text);
             -- no plan entries: the foreign key picks the narrowest, then the first by name
             CREATE INDEX idx_notes_tenant_body ON notes (tenant_id, body);
             CREATE INDEX idx_notes_tenant_body_id ON notes (tenant_id, body, id);",
        )
        .mapping(
            "queries: [{name: order-list}]\n\
             index_plan:\n  \
               - {index: idx_orders_tenant_created, table: orders, columns: [tenant_id, created_at DESC], query_paths: [order-list]}\n  \
               - {index: idx_orders_tenant_id, table: orders, columns: [tenant_id, id], query_paths: [order-list], status: future}\n  \
               - {index: idx_orders_customer, table: orders, columns: [customer_id], query_paths: [customer-report]}\n",
        )
        .findings_of(&SPECULATIVE_INDEX);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn live_indexes_are_judged_and_a_finding_on_both_sides_is_reported_once() {
        let ledger = "CREATE TABLE ledger (id uuid PRIMARY KEY, posted_at timestamptz);
                      CREATE INDEX idx_ledger_posted ON ledger (posted_at);";
        let findings = Scenario::specs(ledger)
            .live(&format!(
                "{ledger}\nCREATE INDEX idx_ledger_live_only ON ledger (id, posted_at);"
            ))
            .mapping(
                "index_plan:\n  \
                   - {index: idx_ledger_planned, table: ledger, columns: [posted_at DESC], query_paths: [GET /api/ledger]}\n",
            )
            .findings_of_all(&[&SPECULATIVE_INDEX, &MISSING_PLANNED_INDEX]);
        insta::assert_snapshot!(render(&findings));
    }
}
