//! `redundant-index`: an index that is a left prefix of another.

use crate::checks::index_plan::IndexPlan;
use crate::checks::index_plan::{index_path, key_shape, own_schema_text, KeyShape};
use crate::checks::Side;
use crate::finding::Finding;
use crate::model::{Index, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `redundant-index`.
pub static REDUNDANT_INDEX: Rule = Rule {
    id: "redundant-index",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A non-unique index is a left prefix of another index with the same predicate",
    object_kind: ObjectKind::Index,
    needs_live: false,
    docs: "\
## What it does
Reports a non-unique index whose keys (columns or expressions, with direction) are a left
prefix of — or equal to — another index's keys on the same table, with the same method and
the same predicate, in the specs and (with a live database or snapshot) in the database.

## Why it matters
The longer index serves every query the shorter one does; the shorter one only costs writes.

## Example
```sql
CREATE INDEX idx_alloc_tenant ON attribution_allocations (tenant_id);
CREATE INDEX idx_alloc_tenant_model ON attribution_allocations (tenant_id, model_version);
```
Fix: drop `idx_alloc_tenant`.",
};
register_rule!(REDUNDANT_INDEX);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    let Some(judged) = plan.judged else {
        return;
    };
    for relation in judged.catalog.relations.values() {
        check_redundant(relation, judged.side, findings);
    }
}

fn check_redundant(relation: &Relation, side: Side, findings: &mut Vec<Finding>) {
    let schema = relation.name.schema.as_str();
    let shapes: Vec<(&Index, Vec<KeyShape>, Option<String>)> = relation
        .indexes
        .values()
        .map(|index| {
            let keys = index.keys.iter().map(key_shape).collect();
            (
                index.as_ref(),
                keys,
                index.predicate.as_ref().map(own_schema_text),
            )
        })
        .collect();
    for (index, keys, predicate) in &shapes {
        if index.unique || index.constraint.is_some() || keys.is_empty() {
            continue;
        }
        let covering = shapes.iter().find(|(other, other_keys, other_predicate)| {
            other.name != index.name
                && other.method == index.method
                && other_predicate == predicate
                && other_keys.len() >= keys.len()
                && other_keys[..keys.len()] == keys[..]
                && (other_keys.len() > keys.len()
                    || other.unique
                    || other.constraint.is_some()
                    || other.name < index.name)
        });
        if let Some((other, _, _)) = covering {
            findings.push(
                Finding::new(
                    &REDUNDANT_INDEX,
                    index_path(&QualifiedName::new(schema, index.name.clone())),
                    format!(
                        "index {} is a left prefix of {} on {}{} (same method and predicate)",
                        index.name,
                        other.name,
                        relation.name,
                        side.suffix()
                    ),
                )
                .expected_actual(
                    format!("{schema}.{}", other.name),
                    format!("{schema}.{}", index.name),
                )
                .at(index.location.as_ref())
                .hint(format!("drop index {}", index.name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_left_prefix_of_another_index_is_redundant() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid, posted_at timestamptz);
             CREATE INDEX idx_ledger_tenant ON ledger (tenant_id);
             CREATE INDEX idx_ledger_tenant_posted ON ledger (tenant_id, posted_at);
             CREATE INDEX idx_ledger_posted_partial ON ledger (posted_at) WHERE tenant_id IS NULL;
             CREATE INDEX idx_ledger_posted ON ledger (posted_at);",
        )
        .findings_of(&REDUNDANT_INDEX);
        insta::assert_snapshot!(render(&findings));
    }
}
