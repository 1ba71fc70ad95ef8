//! `plan-definition-drift`: an index defined otherwise than its plan entry says.

use crate::checks::index_plan::IndexPlan;
use crate::checks::index_plan::{index_path, key_shape, KeyShape};
use crate::checks::Side;
use crate::finding::Finding;
use crate::mapping::PlanEntry;
use crate::model::{Expr, Index, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `plan-definition-drift`.
pub static PLAN_DEFINITION_DRIFT: Rule = Rule {
    id: "plan-definition-drift",
    family: Family::IndexPlan,
    default_severity: Severity::Error,
    summary: "An index differs from its plan entry (table, columns, uniqueness, method, predicate, include)",
    object_kind: ObjectKind::Index,
    needs_live: false,
    docs: "\
## What it does
Compares each plan entry with the index of the same name, in the specs and (with a live
database or snapshot) in the database: table, key columns or expressions
in order with `DESC`/`NULLS`, `unique` and `method` (when the entry states them), the partial
index predicate and `include` columns (an entry without `where:`/`include:` means none).
Predicates and expressions are compared after normalization; when equality cannot be
decided the finding is info.

## Why it matters
The plan is the reason the index exists; an index that drifted from it may no longer serve
the query the plan names.

## Example
The plan says `columns: [tenant_id, updated_at DESC]`, the spec creates the index on
`(tenant_id, updated_at)`. Fix whichever is wrong.",
};
register_rule!(PLAN_DEFINITION_DRIFT);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    let Some(judged) = plan.judged else {
        return;
    };
    for relation in judged.catalog.relations.values() {
        for index in relation.indexes.values() {
            let name = QualifiedName::new(relation.name.schema.clone(), index.name.clone());
            if let Some(entry) = plan.entries.get(&name) {
                compare_with_plan(relation, index, entry, judged.side, findings);
            }
        }
    }
}

fn describe_keys(keys: &[KeyShape]) -> String {
    keys.iter()
        .map(|key| {
            let mut text = key.target.clone();
            if key.descending {
                text.push_str(" DESC");
            }
            if key.nulls_first != key.descending {
                text.push_str(if key.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare_with_plan(
    relation: &Relation,
    index: &Index,
    entry: &PlanEntry,
    side: Side,
    findings: &mut Vec<Finding>,
) {
    let schema = relation.name.schema.as_str();
    let object = index_path(&QualifiedName::new(schema, index.name.clone()));
    let mut drift = |what: &str, expected: String, actual: String, severity: Severity| {
        findings.push(
            Finding::new(
                &PLAN_DEFINITION_DRIFT,
                object.clone(),
                format!(
                    "index {}{} differs from its plan entry in {what}",
                    index.name,
                    side.suffix()
                ),
            )
            .severity(severity)
            .expected_actual(expected, actual)
            .at(entry.location.as_ref()),
        );
    };
    if entry.table != relation.name {
        drift(
            "the table",
            entry.table.to_string(),
            relation.name.to_string(),
            Severity::Error,
        );
    }
    let planned: Vec<KeyShape> = entry.columns.iter().map(key_shape).collect();
    let actual: Vec<KeyShape> = index.keys.iter().map(key_shape).collect();
    if planned != actual {
        drift(
            "the key columns",
            describe_keys(&planned),
            describe_keys(&actual),
            Severity::Error,
        );
    }
    if let Some(unique) = entry.unique {
        if unique != index.unique {
            let says = |unique: bool| if unique { "unique" } else { "not unique" };
            drift(
                "uniqueness",
                says(unique).into(),
                says(index.unique).into(),
                Severity::Error,
            );
        }
    }
    if let Some(method) = &entry.method {
        if !method.eq_ignore_ascii_case(&index.method) {
            drift(
                "the access method",
                method.to_ascii_lowercase(),
                index.method.clone(),
                Severity::Error,
            );
        }
    }
    let planned_predicate = entry.predicate.as_deref();
    let actual_predicate = index.predicate.as_deref();
    if planned_predicate.is_some() || actual_predicate.is_some() {
        let normalized = (
            entry.predicate.as_ref().map(canonical_predicate),
            index.predicate.as_ref().map(canonical_predicate),
        );
        let shown = |text: Option<&str>| {
            text.map_or_else(
                || "(none: not partial)".to_string(),
                |text| format!("WHERE {text}"),
            )
        };
        match normalized {
            (Some(Ok(planned)), Some(Ok(actual))) if planned == actual => {}
            (Some(Err(_)), _) | (_, Some(Err(_))) => {
                let same_text = planned_predicate.map(collapse) == actual_predicate.map(collapse);
                if !same_text {
                    drift(
                        "the predicate (could not be compared exactly)",
                        shown(planned_predicate),
                        shown(actual_predicate),
                        Severity::Info,
                    );
                }
            }
            _ => drift(
                "the predicate",
                shown(planned_predicate),
                shown(actual_predicate),
                Severity::Error,
            ),
        }
    }
    if entry.include != index.include {
        drift(
            "the INCLUDE columns",
            entry.include.join(", "),
            index.include.join(", "),
            Severity::Error,
        );
    }
}

/// A predicate's canonical form in its index's schema, or `Err` when it has none.
fn canonical_predicate(predicate: &Expr) -> Result<&str, ()> {
    predicate.in_own_schema().form().ok_or(())
}

fn collapse(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
