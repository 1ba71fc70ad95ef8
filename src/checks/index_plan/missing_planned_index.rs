//! `missing-planned-index`: an active plan entry whose index the specs do not create.

use crate::checks::index_plan::index_path;
use crate::checks::index_plan::IndexPlan;
use crate::checks::Side;
use crate::finding::Finding;
use crate::mapping::PlanStatus;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use std::collections::HashSet;

/// `missing-planned-index`.
pub static MISSING_PLANNED_INDEX: Rule = Rule {
    id: "missing-planned-index",
    family: Family::IndexPlan,
    default_severity: Severity::Error,
    summary: "An active index plan entry has no index",
    object_kind: ObjectKind::Index,
    needs_live: false,
    docs: "\
## What it does
Reports index plan entries (not marked `status: future`) whose index the specs do not
create, and, with a live database or snapshot, those the database does not have (one
finding when both lack it).

## Why it matters
The plan promises that a query path is served by an index; without it the query scans.

## Example
A plan entry `idx_dead_events_tenant_created_at` for `operator-triage`, but no
`CREATE INDEX idx_dead_events_tenant_created_at` in the specs.
Fix: create the index, mark the entry `status: future`, or remove it.",
};
register_rule!(MISSING_PLANNED_INDEX);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    let (Some(judged), Some(set)) = (plan.judged, plan.plan) else {
        return;
    };
    let lacks = match judged.side {
        Side::Specs => "the specs do not create it",
        Side::Database => "the database does not have it",
    };
    // The catalog's index names gathered once, not looked for in every relation per
    // entry: a plan can list thousands of indexes.
    let existing: HashSet<(&str, &str)> = judged
        .catalog
        .relations
        .values()
        .flat_map(|relation| {
            let schema = relation.name.schema.as_str();
            relation
                .indexes
                .keys()
                .map(move |name| (schema, name.as_str()))
        })
        .collect();
    for entry in &set.entries {
        let name = (entry.index.schema.as_str(), entry.index.name.as_str());
        if entry.status == PlanStatus::Active && !existing.contains(&name) {
            findings.push(
                Finding::new(
                    &MISSING_PLANNED_INDEX,
                    index_path(&entry.index),
                    format!(
                        "the index plan lists {} on {}, but {lacks}",
                        entry.index.name, entry.table
                    ),
                )
                .at(entry.location.as_ref())
                .hint("create the index, mark the entry `status: future`, or remove it"),
            );
        }
    }
}
