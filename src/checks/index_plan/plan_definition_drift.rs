//! `plan-definition-drift`: an index defined otherwise than its plan entry says.

use crate::checks::index_plan::IndexPlan;
use crate::checks::index_plan::{index_path, key_shape, target_text, KeyShape};
use crate::finding::Finding;
use crate::mapping::PlanEntry;
use crate::model::{split_identifier_path, Index, IndexTarget, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use crate::sql::normalize::normalize_expression;

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
Compares each plan entry with the index of the same name: table, key columns or expressions
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
    for relation in plan.specs.relations.values() {
        for index in relation.indexes.values() {
            let name = QualifiedName::new(relation.name.schema.clone(), index.name.clone());
            if let Some(entry) = plan.entries.get(&name) {
                compare_with_plan(relation, index, entry, findings);
            }
        }
    }
}

/// Parses a plan column such as `updated_at DESC NULLS LAST` or `lower(email)`.
fn plan_key(text: &str, default_schema: &str) -> KeyShape {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let upper = |word: &str| word.to_ascii_uppercase();
    let mut nulls_first = None;
    if words.len() >= 2 && upper(words[words.len() - 2]) == "NULLS" {
        nulls_first = Some(upper(words[words.len() - 1]) == "FIRST");
        words.truncate(words.len() - 2);
    }
    let mut descending = false;
    if let Some(last) = words.last() {
        match upper(last).as_str() {
            "DESC" => {
                descending = true;
                words.pop();
            }
            "ASC" => {
                words.pop();
            }
            _ => {}
        }
    }
    let target_text_raw = words.join(" ");
    let is_identifier = !target_text_raw.is_empty()
        && target_text_raw
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == '$');
    let target = if is_identifier {
        IndexTarget::Column(split_identifier_path(&target_text_raw).join("."))
    } else {
        IndexTarget::Expression(target_text_raw)
    };
    KeyShape {
        target: target_text(&target, default_schema),
        descending,
        nulls_first: nulls_first.unwrap_or(descending),
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
    findings: &mut Vec<Finding>,
) {
    let schema = relation.name.schema.as_str();
    let object = index_path(&QualifiedName::new(schema, index.name.clone()));
    let mut drift = |what: &str, expected: String, actual: String, severity: Severity| {
        findings.push(
            Finding::new(
                &PLAN_DEFINITION_DRIFT,
                object.clone(),
                format!("index {} differs from its plan entry in {what}", index.name),
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
    let planned: Vec<KeyShape> = entry
        .columns
        .iter()
        .map(|column| plan_key(column, schema))
        .collect();
    let actual: Vec<KeyShape> = index
        .keys
        .iter()
        .map(|key| key_shape(key, schema))
        .collect();
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
            planned_predicate.map(|text| normalize_expression(text, schema)),
            actual_predicate.map(|text| normalize_expression(text, schema)),
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

fn collapse(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_expression_keys_keep_their_closing_parenthesis() {
        assert_eq!(
            plan_key("lower(full_name)", "public").target,
            "lower(full_name)"
        );
        assert_eq!(
            plan_key("(lower(full_name))", "public").target,
            "lower(full_name)"
        );
        assert_eq!(
            plan_key("(coalesce(a, b)) DESC", "public").target,
            "coalesce(a, b)"
        );
    }
}
