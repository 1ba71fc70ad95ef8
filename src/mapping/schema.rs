//! Validation of a mapping document against the JSON Schema pgparity ships for it, with
//! every error placed at the YAML key or value it concerns.

use super::error::MappingDiagnostic;
use crate::model::Location;
use crate::yaml::{escape_pointer_segment, SpanIndex};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, ValidationError};
use serde_json::Value;

/// The mapping format's JSON Schema (draft 2020-12), as shipped in `schema/`.
pub const MAPPING_SCHEMA: &str = include_str!("../../schema/mapping.schema.json");

/// A schema keyword pgparity adds next to `anyOf`/`oneOf` to say in words what the
/// alternatives mean, instead of listing every branch's failure.
const MESSAGE_KEYWORD: &str = "x-pgparity-message";

/// Checks a mapping document; an empty result means it follows the format.
pub(crate) fn validate(document: &Value, spans: &SpanIndex, path: &str) -> Vec<MappingDiagnostic> {
    let schema: Value = match serde_json::from_str(MAPPING_SCHEMA) {
        Ok(schema) => schema,
        Err(error) => return vec![schema_defect(path, &error.to_string())],
    };
    let validator = match jsonschema::options()
        .with_draft(Draft::Draft202012)
        .build(&schema)
    {
        Ok(validator) => validator,
        Err(error) => return vec![schema_defect(path, &error.to_string())],
    };
    let mut diagnostics: Vec<MappingDiagnostic> = validator
        .iter_errors(document)
        .flat_map(|error| diagnose(&error, document, &schema, spans))
        .collect();
    diagnostics.sort();
    diagnostics.dedup();
    diagnostics
}

fn schema_defect(path: &str, message: &str) -> MappingDiagnostic {
    MappingDiagnostic {
        location: Location::new(path, 1, 1),
        key_path: String::new(),
        message: format!(
            "pgparity's built-in mapping schema is broken ({message}); please report this"
        ),
    }
}

fn diagnose(
    error: &ValidationError<'_>,
    document: &Value,
    schema: &Value,
    spans: &SpanIndex,
) -> Vec<MappingDiagnostic> {
    let pointer = error.instance_path().as_str();
    let at_value = |message: String| MappingDiagnostic {
        location: spans.locate(pointer),
        key_path: readable_key_path(document, pointer),
        message,
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_keys(schema, error.schema_path().as_str());
            unexpected
                .iter()
                .map(|key| {
                    let child = format!("{pointer}/{}", escape_pointer_segment(key));
                    MappingDiagnostic {
                        location: spans.key(&child).unwrap_or_else(|| spans.locate(pointer)),
                        key_path: readable_key_path(document, &child),
                        message: if allowed.is_empty() {
                            "unknown key".to_string()
                        } else {
                            format!("unknown key; allowed here: {}", allowed.join(", "))
                        },
                    }
                })
                .collect()
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let child = format!("{pointer}/{}", escape_pointer_segment(name));
            vec![MappingDiagnostic {
                location: spans.locate(pointer),
                key_path: readable_key_path(document, &child),
                message: "required key is missing".to_string(),
            }]
        }
        ValidationErrorKind::Type { kind } => vec![at_value(format!(
            "expected {}, found {}",
            expected_types(kind),
            describe(error.instance())
        ))],
        ValidationErrorKind::Constant { expected_value } => {
            let mut message = format!(
                "must be {expected_value}, found {}",
                describe(error.instance())
            );
            if let Some(why) = schema_message(schema, error.schema_path().as_str()) {
                message = format!("{message}: {why}");
            }
            vec![at_value(message)]
        }
        ValidationErrorKind::Enum { options } => {
            let choices = options
                .as_array()
                .map(|options| {
                    options
                        .iter()
                        .map(|option| {
                            option
                                .as_str()
                                .map_or_else(|| option.to_string(), str::to_string)
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_else(|| options.to_string());
            vec![at_value(format!(
                "must be one of: {choices}; found {}",
                describe(error.instance())
            ))]
        }
        ValidationErrorKind::AnyOf { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => {
            let message = schema_message(schema, error.schema_path().as_str())
                .unwrap_or_else(|| "does not match any of the allowed shapes".to_string());
            vec![at_value(message)]
        }
        ValidationErrorKind::Pattern { .. } if pointer.ends_with("/endpoint") => {
            vec![at_value(format!(
                "must be `METHOD /path`, found {}",
                describe(error.instance())
            ))]
        }
        ValidationErrorKind::MinLength { .. } => vec![at_value("must not be empty".to_string())],
        ValidationErrorKind::MinItems { limit } => {
            vec![at_value(format!("needs at least {limit} item(s)"))]
        }
        _ => vec![at_value(error.to_string())],
    }
}

/// The schema object that holds the failing keyword (`…/anyOf` → `…`).
fn keyword_owner<'s>(schema: &'s Value, keyword_path: &str) -> Option<&'s Value> {
    let owner = keyword_path.rsplit_once('/').map_or("", |(owner, _)| owner);
    schema.pointer(owner)
}

fn schema_message(schema: &Value, keyword_path: &str) -> Option<String> {
    keyword_owner(schema, keyword_path)?
        .get(MESSAGE_KEYWORD)?
        .as_str()
        .map(str::to_string)
}

fn allowed_keys(schema: &Value, keyword_path: &str) -> Vec<String> {
    keyword_owner(schema, keyword_path)
        .and_then(|owner| owner.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

fn expected_types(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(single) => article(&single.to_string()),
        TypeKind::Multiple(many) => many
            .iter()
            .map(|one| article(&one.to_string()))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "object" | "array" | "integer" => format!("an {type_name}"),
        "null" => "null".to_string(),
        _ => format!("a {type_name}"),
    }
}

/// A short description of a found value: scalars in full, collections by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(_) => format!("boolean {value}"),
        Value::Number(_) => format!("number {value}"),
        Value::String(text) => format!("string {}", Value::String(shorten(text))),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "a mapping".to_string(),
    }
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 60;
    if text.chars().count() <= LIMIT {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(LIMIT).collect::<String>())
    }
}

/// `/index_plan/2/status` → `index_plan[2].status`: list positions in brackets, keys
/// that are not plain identifiers quoted.
pub(crate) fn readable_key_path(document: &Value, pointer: &str) -> String {
    let mut readable = String::new();
    let mut current = Some(document);
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        match current {
            Some(Value::Array(items)) => {
                readable.push_str(&format!("[{segment}]"));
                current = segment.parse::<usize>().ok().and_then(|at| items.get(at));
            }
            parent => {
                let plain = !segment.is_empty()
                    && segment
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
                if plain {
                    if !readable.is_empty() {
                        readable.push('.');
                    }
                    readable.push_str(&segment);
                } else {
                    readable.push_str(&format!("[{}]", Value::String(segment.clone())));
                }
                current = parent.and_then(|parent| parent.get(&segment));
            }
        }
    }
    if readable.is_empty() {
        "(top level)".to_string()
    } else {
        readable
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_shipped_schema_compiles_and_accepts_a_minimal_mapping() {
        let schema: Value = serde_json::from_str(MAPPING_SCHEMA).unwrap_or_default();
        assert!(jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&schema)
            .is_ok());
        assert!(validate(&json!({"version": 1}), &SpanIndex::default(), "m.yaml").is_empty());
    }

    #[test]
    fn key_paths_read_like_the_yaml() {
        let document = json!({"index_plan": [{"status": 1}], "entities": {"a.b": {"columns": []}}});
        assert_eq!(
            readable_key_path(&document, "/index_plan/0/status"),
            "index_plan[0].status"
        );
        assert_eq!(
            readable_key_path(&document, "/entities/a.b/columns"),
            "entities[\"a.b\"].columns"
        );
        assert_eq!(readable_key_path(&document, ""), "(top level)");
    }

    #[test]
    fn alternatives_are_explained_in_words() {
        let yaml = "version: 1\nread_models:\n  - relation: r\n";
        let Ok((document, spans)) = crate::yaml::read_yaml_value("m.yaml", yaml) else {
            panic!("the test YAML must parse");
        };
        let diagnostics = validate(&document, &spans, "m.yaml");
        let messages: Vec<_> = diagnostics.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            ["m.yaml:3:5: read_models[0]: needs `endpoint`, `dto`, or both"]
        );
    }
}
