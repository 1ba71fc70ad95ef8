//! `contract-row-violation`: rows sampled from a live read model, shaped as the DTO the
//! mapping says they serve, validated against the DTO's JSON Schema.

use crate::contracts::Dto;
use crate::finding::{with_article, Finding, ObjectPath};
use crate::mapping::ReadModel;
use crate::model::Relation;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `contract-row-violation`.
pub static CONTRACT_ROW_VIOLATION: Rule = Rule {
    id: "contract-row-violation",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A row sampled from a live read model does not satisfy its DTO's JSON Schema",
    object_kind: ObjectKind::Column,
    needs_live: true,
    docs: "\
## What it does
With `--sample-rows N` and a live database, reads at most N rows from each read model's relation
(`SELECT row_to_json(t) FROM rel t LIMIT N`, inside the read-only transaction), renames columns to
DTO fields as the mapping says, and validates each row against the DTO's JSON Schema. A failing
row is reported with the JSON pointer of the failing field, the schema keyword that failed and the
JSON type of the value — never the row's content, which may hold personal data.

## Why it matters
Static checks prove what the schema allows; sampling shows what the data actually holds — a
`null` in a column that lineage could not prove non-null, a number outside a DTO `enum`.

## Example
`/last_run_at: type failed for a null value` — the DTO says `type: string`, a row has `NULL`.
Fix the data, the view (`coalesce`), or the contract (`type: [string, \"null\"]`).",
};
register_rule!(CONTRACT_ROW_VIOLATION);

/// Validates the sampled rows of `relation` against `dto`, whose standalone JSON Schema
/// is `json_schema`; one finding per distinct (field pointer, keyword, value type),
/// counting the rows that fail that way.
pub(crate) fn check_samples(
    dto: &Dto,
    json_schema: &Value,
    read_model: &ReadModel,
    relation: &Relation,
    rows: &[Value],
    findings: &mut Vec<Finding>,
) {
    let Ok(validator) = jsonschema::validator_for(json_schema) else {
        findings.push(
            Finding::new(
                &CONTRACT_ROW_VIOLATION,
                ObjectPath::relation(&relation.name).of_kind(ObjectKind::Relation),
                format!(
                    "rows not validated: the JSON Schema of {} does not compile",
                    dto.name
                ),
            )
            .severity(Severity::Info)
            .at(dto.location.as_ref()),
        );
        return;
    };
    let mut failures: BTreeMap<(String, String, &'static str), usize> = BTreeMap::new();
    for row in rows {
        let shaped = shape_row(dto, read_model, row);
        for error in validator.iter_errors(&shaped) {
            if is_missing_column(error.kind(), read_model, relation) {
                continue;
            }
            let pointer = error.instance_path().as_str().to_string();
            let keyword = error.kind().keyword().to_string();
            let value_type = json_type(error.instance());
            *failures.entry((pointer, keyword, value_type)).or_default() += 1;
        }
    }
    for ((pointer, keyword, value_type), count) in failures {
        let field = pointer.trim_start_matches('/');
        let object = if field.is_empty() || field.contains('/') {
            ObjectPath::relation(&relation.name).of_kind(ObjectKind::Relation)
        } else {
            ObjectPath::member(&relation.name, column_for(read_model, field))
        };
        let (rows_text, verb) = if count == 1 {
            ("1 sampled row".to_string(), "violates")
        } else {
            (format!("{count} sampled rows"), "violate")
        };
        let pointer = if pointer.is_empty() {
            "/".to_string()
        } else {
            pointer
        };
        findings.push(
            Finding::new(
                &CONTRACT_ROW_VIOLATION,
                object,
                format!(
                    "{rows_text} of {} {verb} {} at {pointer}: `{keyword}` failed for {} value",
                    relation.name,
                    dto.name,
                    with_article(value_type)
                ),
            )
            .expected_actual(
                format!("{pointer} satisfies `{keyword}`"),
                format!("{} value", with_article(value_type)),
            )
            .at(read_model.location.as_ref()),
        );
    }
}

/// The DTO field → column mapping of a read model (same name unless `fields:` says otherwise).
fn column_for<'a>(read_model: &'a ReadModel, field: &'a str) -> &'a str {
    read_model
        .fields
        .iter()
        .find(|mapped| mapped.field == field)
        .map_or(field, |mapped| mapped.column.as_str())
}

/// A row as the DTO sees it: each DTO property taken from its column.
fn shape_row(dto: &Dto, read_model: &ReadModel, row: &Value) -> Value {
    let Some(columns) = row.as_object() else {
        return row.clone();
    };
    let shaped: Map<String, Value> = dto
        .schema
        .properties
        .iter()
        .filter_map(|(field, _)| {
            let value = columns.get(column_for(read_model, field))?;
            Some((field.clone(), value.clone()))
        })
        .collect();
    Value::Object(shaped)
}

/// A `required` failure for a field whose column the relation lacks is already
/// `unmapped-dto-field` / `unknown-mapped-column`; it says nothing about the data.
fn is_missing_column(
    kind: &ValidationErrorKind,
    read_model: &ReadModel,
    relation: &Relation,
) -> bool {
    match kind {
        ValidationErrorKind::Required { property } => property
            .as_str()
            .is_none_or(|field| relation.column(column_for(read_model, field)).is_none()),
        _ => false,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_i64() || number.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::{load_contracts, ContractOptions};
    use crate::mapping::FieldMapping;
    use crate::model::QualifiedName;
    use crate::model::{Column, RelationKind, SqlType};
    use serde_json::json;

    #[test]
    fn reports_failing_fields_by_pointer_without_row_content() {
        let folder = std::env::temp_dir().join(format!("pgparity-rows-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join("status.json");
        std::fs::write(
            &path,
            r#"{"title": "Status", "type": "object", "required": ["state", "last_run_at", "missing_column"],
                "properties": {"state": {"type": "string", "enum": ["idle", "running"]},
                               "last_run_at": {"type": "string", "format": "date-time"},
                               "missing_column": {"type": "string"}}}"#,
        )
        .unwrap();
        let options = ContractOptions {
            roots: vec![folder.clone()],
            ..ContractOptions::default()
        };
        let contracts = load_contracts(&[path], &options).unwrap();
        std::fs::remove_dir_all(&folder).ok();
        let dto = contracts.dto("Status").expect("the root schema is a DTO");
        let name = QualifiedName::new("public", "mv_status");
        let mut relation = Relation::new(name.clone(), RelationKind::MaterializedView, None);
        for column in ["state", "started_at"] {
            relation
                .columns
                .push(Column::new(column, Some(SqlType::parse("text")), None));
        }
        let read_model = ReadModel {
            endpoint: None,
            dto: Some("Status".into()),
            relation: name,
            fields: vec![FieldMapping {
                field: "last_run_at".into(),
                column: "started_at".into(),
                note: None,
                location: None,
            }],
            location: None,
            inferred: None,
        };
        let rows = vec![
            json!({"state": "idle", "started_at": "2026-01-01T00:00:00Z"}),
            json!({"state": "secret-value-42", "started_at": null}),
            json!({"state": "running", "started_at": null}),
        ];
        let mut findings = Vec::new();
        let json_schema = contracts.json_schema(dto);
        check_samples(
            dto,
            &json_schema,
            &read_model,
            &relation,
            &rows,
            &mut findings,
        );
        let summary: Vec<(String, String)> = findings
            .iter()
            .map(|f| (f.object.to_string(), f.message.clone()))
            .collect();
        assert_eq!(findings.len(), 2, "{summary:?}");
        assert_eq!(findings[0].object, "public.mv_status.started_at");
        assert!(
            findings[0].message.starts_with("2 sampled rows"),
            "{summary:?}"
        );
        assert!(
            findings[0].message.contains("/last_run_at")
                && findings[0].message.contains("null value")
        );
        assert_eq!(findings[1].object, "public.mv_status.state");
        assert!(findings[1].message.contains("`enum`"));
        assert!(
            findings
                .iter()
                .all(|f| !f.message.contains("secret-value-42")),
            "no row content"
        );
    }
}
