//! Contract documents against what they claim to be: an OpenAPI 3.0 or 3.1 description
//! (its structure, and every schema object against the JSON Schema meta-schema of its
//! version: draft 4 for 3.0, 2020-12 for 3.1), or a JSON Schema (against the meta-schema
//! its `$schema` names, else 2020-12). The meta-schemas are the ones the `jsonschema`
//! crate bundles; the OpenAPI structure is a reduced schema of our own (the objects that
//! hold schemas, the fields a reader of responses needs), so a typo such as `type: objec`
//! or a misplaced `responses` is a finding instead of a silently unchecked DTO.

use super::store::Document;
use crate::model::Location;
use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::{json, Value};

/// One way a contract document departs from its specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentProblem {
    /// Where the offending value is written.
    pub location: Location,
    /// The JSON pointer of the value in its document (`/components/schemas/Order/type`).
    pub pointer: String,
    /// What is wrong, for a reader of the contract.
    pub message: String,
}

/// Problems reported per document at most: past this, one more says how many were left
/// out (a file in another format would otherwise yield one per node).
const MOST_PER_DOCUMENT: usize = 20;

/// The JSON Schema types, for messages about a misspelt `type`.
const TYPES: [&str; 7] = [
    "array", "boolean", "integer", "null", "number", "object", "string",
];

/// What `document` should follow, and how it departs from it.
pub(crate) fn validate_document(document: &Document) -> Vec<DocumentProblem> {
    let value = &document.value;
    let mut found: Vec<(String, String)> = Vec::new();
    match value.get("openapi") {
        Some(Value::String(version))
            if version.starts_with("3.0.") || version.starts_with("3.1.") =>
        {
            let v31 = version.starts_with("3.1.");
            check(&openapi_structure(v31), value, "", &mut found);
            let meta = if v31 {
                jsonschema::draft202012::meta::validator()
            } else {
                jsonschema::draft4::meta::validator()
            };
            let mut schemas = Vec::new();
            schema_objects(value, &mut schemas);
            for pointer in schemas {
                if let Some(schema) = value.pointer(&pointer) {
                    collect(meta.iter_errors(schema), &pointer, &mut found);
                }
            }
        }
        Some(version) => {
            return vec![DocumentProblem {
                location: document.location("/openapi"),
                pointer: "/openapi".into(),
                message: format!(
                    "`openapi: {version}` is not a version pgparity reads: write 3.0.x or 3.1.x"
                ),
            }]
        }
        None if value.get("swagger").is_some() => {
            return vec![DocumentProblem {
                location: document.location("/swagger"),
                pointer: "/swagger".into(),
                message: "Swagger 2.0 is not read: convert the document to OpenAPI 3.0 or 3.1"
                    .into(),
            }]
        }
        None => {
            let meta = json_schema_meta(value);
            collect(meta.iter_errors(value), "", &mut found);
        }
    }
    // An object that fails deep inside also fails each `if`/`anyOf` above it: the
    // deepest error says what is wrong, the ones above it only that something is.
    let pointers: Vec<String> = found.iter().map(|(pointer, _)| pointer.clone()).collect();
    found.retain(|(pointer, _)| {
        !pointers
            .iter()
            .any(|other| other.len() > pointer.len() && other.starts_with(&format!("{pointer}/")))
    });
    found.sort();
    found.dedup_by(|a, b| a.0 == b.0);
    // In the order of the file, as a reader goes through it.
    found.sort_by_key(|(pointer, _)| {
        let location = document.location(pointer);
        (location.line, location.column)
    });
    let total = found.len();
    let mut problems: Vec<DocumentProblem> = found
        .into_iter()
        .take(MOST_PER_DOCUMENT)
        .map(|(pointer, message)| DocumentProblem {
            location: document.location(&pointer),
            pointer,
            message,
        })
        .collect();
    if total > MOST_PER_DOCUMENT {
        problems.push(DocumentProblem {
            location: document.location(""),
            pointer: String::new(),
            message: format!(
                "{} more problems in this document are not listed",
                total - MOST_PER_DOCUMENT
            ),
        });
    }
    problems
}

/// Checks `value` against `schema` (ours, which always compiles), adding each error.
fn check(schema: &Value, value: &Value, base: &str, found: &mut Vec<(String, String)>) {
    match jsonschema::options().build(schema) {
        Ok(validator) => collect(validator.iter_errors(value), base, found),
        Err(error) => found.push((
            base.to_string(),
            format!("pgparity could not check this document's structure: {error}"),
        )),
    }
}

/// Adds each error of a validation of the value at `base` as (pointer in the document,
/// message).
fn collect<'i>(
    errors: impl Iterator<Item = ValidationError<'i>>,
    base: &str,
    found: &mut Vec<(String, String)>,
) {
    for error in errors {
        let pointer = format!("{base}{}", error.instance_path().as_str());
        // A key that does not belong is reported at the key, one finding each.
        if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
            for key in unexpected {
                let at = format!("{pointer}/{}", escape(key));
                let message = unexpected_key(&pointer, key, &at);
                found.push((at, message));
            }
            continue;
        }
        let message = explain(&pointer, &error);
        found.push((pointer, message));
    }
}

/// The JSON pointers of every schema object of an OpenAPI description: component
/// schemas, and the `schema` of every parameter, header and media type, wherever they are
/// written (paths, operations, responses, request bodies, components). `$ref` objects are
/// skipped: their targets are schema objects listed on their own.
fn schema_objects(value: &Value, pointers: &mut Vec<String>) {
    fn walk(value: &Value, pointer: &str, pointers: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                for (key, child) in object {
                    let child_pointer = format!("{pointer}/{}", escape(key));
                    let is_schema =
                        key == "schema" && child.is_object() && !pointer.ends_with("/properties");
                    if is_schema {
                        if child.get("$ref").is_none() {
                            pointers.push(child_pointer);
                        }
                    } else {
                        walk(child, &child_pointer, pointers);
                    }
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    walk(item, &format!("{pointer}/{index}"), pointers);
                }
            }
            _ => {}
        }
    }
    if let Some(Value::Object(schemas)) = value.pointer("/components/schemas") {
        for (name, schema) in schemas {
            if schema.get("$ref").is_none() {
                pointers.push(format!("/components/schemas/{}", escape(name)));
            }
        }
    }
    for section in [
        "/paths",
        "/components/responses",
        "/components/parameters",
        "/components/requestBodies",
        "/components/headers",
        "/webhooks",
    ] {
        if let Some(found) = value.pointer(section) {
            walk(found, section, pointers);
        }
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A message for the value at `pointer` that failed, saying what to write where the
/// validator's words would not: a `type` that is not a JSON Schema type, a response code
/// or path that is not one, a key that does not belong.
fn explain(pointer: &str, error: &ValidationError) -> String {
    let at = if pointer.is_empty() { "/" } else { pointer };
    let instance = error.instance();
    if let (true, Value::String(written)) = (pointer.ends_with("/type"), instance.as_ref()) {
        if !TYPES.contains(&written.as_str()) {
            return format!(
                "{at}: `type: {written}` is not a JSON Schema type ({}){}",
                TYPES.join(", "),
                crate::suggest::did_you_mean(written, TYPES)
            );
        }
    }
    if let ValidationErrorKind::Enum { options } = error.kind() {
        let allowed: Vec<String> = options
            .as_array()
            .map(|values| values.iter().map(ToString::to_string).collect())
            .unwrap_or_default();
        return format!("{at}: {} is not one of {}", instance, allowed.join(", "));
    }
    let message = error.to_string();
    if message.starts_with(at) {
        message
    } else {
        format!("{at}: {message}")
    }
}

/// What is wrong with `key` under `parent`, where the structure allows no other keys.
fn unexpected_key(parent: &str, key: &str, at: &str) -> String {
    if parent.ends_with("/responses") {
        format!("{at}: `{key}` is not a response code: write a status code (`200`), a range (`2XX`) or `default`")
    } else if parent == "/paths" {
        format!("{at}: `{key}` is not a path: paths start with `/`")
    } else {
        format!("{at}: `{key}` does not belong here")
    }
}

/// The meta-schema a JSON Schema document names in `$schema` (2020-12 when it names
/// none, or one the crate does not bundle).
fn json_schema_meta(value: &Value) -> jsonschema::meta::MetaValidator<'static> {
    let named = value
        .get("$schema")
        .and_then(Value::as_str)
        .map(|url| url.trim_end_matches('#'));
    match named {
        Some("http://json-schema.org/draft-04/schema") => jsonschema::draft4::meta::validator(),
        Some("http://json-schema.org/draft-06/schema") => jsonschema::draft6::meta::validator(),
        Some("http://json-schema.org/draft-07/schema") => jsonschema::draft7::meta::validator(),
        Some("https://json-schema.org/draft/2019-09/schema") => {
            jsonschema::draft201909::meta::validator()
        }
        _ => jsonschema::draft202012::meta::validator(),
    }
}

/// The structure of an OpenAPI 3.0 (`v31` false) or 3.1 description, as far as
/// pgparity reads it: info, paths, operations, parameters, request bodies, responses,
/// media types and components. Extensions (`x-…`) and fields not listed here are left
/// alone.
fn openapi_structure(v31: bool) -> Value {
    // Schema objects are checked against the version's meta-schema on their own (see
    // `schema_objects`): here they only need to be objects (3.1 allows booleans).
    let schema_object = if v31 {
        json!({"type": ["object", "boolean"]})
    } else {
        json!({"type": "object"})
    };
    let or_ref = |definition: &str| {
        json!({
            "if": {"type": "object", "required": ["$ref"]},
            "then": {"properties": {"$ref": {"type": "string"}}},
            "else": {"$ref": format!("#/$defs/{definition}")}
        })
    };
    let operation_required: Value = if v31 { json!([]) } else { json!(["responses"]) };
    let root_required: Value = if v31 {
        json!(["openapi", "info"])
    } else {
        json!(["openapi", "info", "paths"])
    };
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": root_required,
        "properties": {
            "openapi": {"type": "string"},
            "info": {
                "type": "object",
                "required": ["title", "version"],
                "properties": {"title": {"type": "string"}, "version": {"type": "string"}}
            },
            "paths": {
                "type": "object",
                "patternProperties": {"^/": {"$ref": "#/$defs/pathItem"}, "^x-": {}},
                "additionalProperties": false
            },
            "components": {
                "type": "object",
                "properties": {
                    "schemas": {"type": "object", "additionalProperties": {"$ref": "#/$defs/schema"}},
                    "responses": {"type": "object", "additionalProperties": or_ref("response")},
                    "parameters": {"type": "object", "additionalProperties": or_ref("parameter")},
                    "requestBodies": {"type": "object", "additionalProperties": or_ref("requestBody")},
                    "headers": {"type": "object", "additionalProperties": or_ref("header")}
                }
            }
        },
        "$defs": {
            "schema": schema_object,
            "pathItem": {
                "type": "object",
                "properties": {
                    "get": {"$ref": "#/$defs/operation"},
                    "put": {"$ref": "#/$defs/operation"},
                    "post": {"$ref": "#/$defs/operation"},
                    "delete": {"$ref": "#/$defs/operation"},
                    "options": {"$ref": "#/$defs/operation"},
                    "head": {"$ref": "#/$defs/operation"},
                    "patch": {"$ref": "#/$defs/operation"},
                    "trace": {"$ref": "#/$defs/operation"},
                    "parameters": {"type": "array", "items": or_ref("parameter")}
                }
            },
            "operation": {
                "type": "object",
                "required": operation_required,
                "properties": {
                    "parameters": {"type": "array", "items": or_ref("parameter")},
                    "requestBody": or_ref("requestBody"),
                    "responses": {"$ref": "#/$defs/responses"}
                }
            },
            "responses": {
                "type": "object",
                "patternProperties": {
                    "^([1-5]([0-9]{2}|XX)|default)$": or_ref("response"),
                    "^x-": {}
                },
                "additionalProperties": false
            },
            "response": {
                "type": "object",
                "required": ["description"],
                "properties": {
                    "description": {"type": "string"},
                    "content": {"$ref": "#/$defs/content"},
                    "headers": {"type": "object", "additionalProperties": or_ref("header")}
                }
            },
            "content": {
                "type": "object",
                "additionalProperties": {"$ref": "#/$defs/mediaType"}
            },
            "mediaType": {
                "type": "object",
                "properties": {"schema": {"$ref": "#/$defs/schema"}}
            },
            "parameter": {
                "type": "object",
                "required": ["name", "in"],
                "properties": {
                    "name": {"type": "string"},
                    "in": {"enum": ["query", "header", "path", "cookie"]},
                    "schema": {"$ref": "#/$defs/schema"},
                    "content": {"$ref": "#/$defs/content"}
                }
            },
            "requestBody": {
                "type": "object",
                "required": ["content"],
                "properties": {"content": {"$ref": "#/$defs/content"}}
            },
            "header": {
                "type": "object",
                "properties": {
                    "schema": {"$ref": "#/$defs/schema"},
                    "content": {"$ref": "#/$defs/content"}
                }
            }
        }
    })
}
