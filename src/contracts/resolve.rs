//! `$ref` resolution and the expansion of one schema into a [`SchemaNode`] with its
//! standalone JSON Schema.

use super::model::{ContractProblem, ContractProblemKind, SchemaNode};
use super::schema::{intersect, unite};
use super::store::{Document, DocumentId, DocumentStore, ReadError};
use crate::model::{display_path, Location};
use crate::yaml::escape_pointer_segment;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// How many schema nodes one DTO may expand to. Shared references are inlined at
/// every use, so a schema graph of modest size can unfold exponentially; past this
/// budget references are left unexpanded.
const MAX_EXPANDED_NODES: usize = 10_000;

/// How deeply schemas may nest (counting through `$ref`s), to keep the recursion
/// well inside a thread's stack.
const MAX_NESTING: usize = 64;

/// A place in a loaded document.
#[derive(Clone)]
pub(crate) struct Target {
    /// The document.
    pub(crate) id: DocumentId,
    /// The JSON pointer inside it (`""` for the whole document).
    pub(crate) pointer: String,
    document: Arc<Document>,
}

impl Target {
    /// `path#/pointer`, the name of this place that no other place shares.
    pub(crate) fn pointer_form(&self) -> String {
        format!("{}#{}", self.document.display, self.pointer)
    }

    /// The name a `$ref` to this place gives its node: the last pointer segment
    /// (`X` of `#/components/schemas/X`), or for a whole document its `title` or file
    /// name.
    pub(crate) fn name(&self) -> String {
        match self.pointer.rsplit_once('/') {
            Some((_, last)) => last.replace("~1", "/").replace("~0", "~"),
            None => self
                .document
                .value
                .get("title")
                .and_then(Value::as_str)
                .map_or_else(|| self.document.stem(), str::to_string),
        }
    }
}

/// Expands schemas, reading referenced documents on demand and recording every
/// reference it cannot follow.
pub(crate) struct Resolver<'a> {
    store: &'a mut DocumentStore,
    problems: &'a mut Vec<ContractProblem>,
    /// The `$ref` targets being expanded, outermost first: meeting one again is a cycle.
    expanding: Vec<(DocumentId, String)>,
    /// Expansions of `$ref` targets that met no cycle or budget cut, so they are the
    /// same wherever the target is used.
    finished: BTreeMap<(DocumentId, String), Expansion>,
    /// Nodes expanded for the current DTO, against [`MAX_EXPANDED_NODES`].
    expanded: usize,
    /// How deeply the schema being expanded is nested, against [`MAX_NESTING`].
    nesting: usize,
    /// Whether the current DTO already reported running out of budget.
    budget_reported: bool,
    /// How many expansions were cut short (cycles, nesting, budget) so far: an expansion
    /// during which this did not change can be reused.
    cuts: usize,
}

/// A finished expansion and how many nodes it holds.
struct Expansion {
    node: SchemaNode,
    size: usize,
}

/// What an object schema says by itself, before `$ref` and `allOf` are merged in.
struct OwnKeywords {
    node: SchemaNode,
    json: Map<String, Value>,
    alternatives: Vec<Vec<SchemaNode>>,
}

impl<'a> Resolver<'a> {
    /// A resolver over `store` that appends to `problems`.
    pub(crate) fn new(
        store: &'a mut DocumentStore,
        problems: &'a mut Vec<ContractProblem>,
    ) -> Self {
        Resolver {
            store,
            problems,
            expanding: Vec::new(),
            finished: BTreeMap::new(),
            expanded: 0,
            nesting: 0,
            budget_reported: false,
            cuts: 0,
        }
    }

    /// The place `pointer` of document `id`, if both exist.
    pub(crate) fn target(&self, id: DocumentId, pointer: &str) -> Option<Target> {
        let document = self.store.get(id)?;
        document.value.pointer(pointer)?;
        Some(Target {
            id,
            pointer: pointer.to_string(),
            document,
        })
    }

    /// The value at a place.
    pub(crate) fn value<'t>(&self, target: &'t Target) -> Option<&'t Value> {
        target.document.value.pointer(&target.pointer)
    }

    /// The location of a place.
    pub(crate) fn location(&self, target: &Target) -> Location {
        target.document.location(&target.pointer)
    }

    /// Expands the schema at `target`, which counts as being expanded so that a
    /// reference back to it is a cycle.
    pub(crate) fn expand_target(&mut self, target: &Target) -> SchemaNode {
        let Some(value) = target.document.value.pointer(&target.pointer) else {
            return SchemaNode::default();
        };
        self.expanded = 0;
        self.budget_reported = false;
        self.expanding.push((target.id, target.pointer.clone()));
        let node = self.expand(target, &target.pointer, value);
        self.expanding.pop();
        node
    }

    /// If the schema at `target` is, in substance, a `$ref` (alone, with siblings
    /// such as `nullable`, or as the only `allOf` member), the place it refers to.
    pub(crate) fn referenced(&mut self, target: &Target) -> Option<Target> {
        let value = target.document.value.pointer(&target.pointer)?;
        if let Some(reference) = value.get("$ref").and_then(Value::as_str) {
            return self.follow(target, &target.pointer, reference);
        }
        match value.get("allOf") {
            Some(Value::Array(members)) if members.len() == 1 => {
                let member_pointer = format!("{}/allOf/0", target.pointer);
                let reference = members[0].get("$ref").and_then(Value::as_str)?;
                self.follow(target, &member_pointer, reference)
            }
            _ => None,
        }
    }

    /// Follows the `$ref` written in the schema object at `site` of `from`'s document.
    pub(crate) fn follow(&mut self, from: &Target, site: &str, reference: &str) -> Option<Target> {
        let at = from.document.location(&format!("{site}/$ref"));
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let id = if file.is_empty() {
            from.id
        } else if file.contains("://") {
            self.report(
                ContractProblemKind::MissingFile,
                reference,
                format!("`$ref: {reference}`: remote references are not read; save the document next to this one and refer to it by a relative path"),
                at,
            );
            return None;
        } else {
            let path = from
                .document
                .path
                .parent()
                .unwrap_or(Path::new(""))
                .join(percent_decode(file));
            match self.store.load(&path) {
                Ok(id) => id,
                Err(error) => {
                    let reason = match error {
                        ReadError::Io(error) => error.to_string(),
                        ReadError::Syntax(error) => format!(
                            "not YAML or JSON (line {}): {}",
                            error.location.line, error.message
                        ),
                    };
                    self.report(
                        ContractProblemKind::MissingFile,
                        reference,
                        format!(
                            "`$ref: {reference}`: cannot read {} ({reason}); the path is relative to {}",
                            display_path(&path),
                            from.document.display
                        ),
                        at,
                    );
                    return None;
                }
            }
        };
        let pointer = percent_decode(fragment);
        let found = if pointer.is_empty() || pointer.starts_with('/') {
            self.target(id, &pointer)
        } else {
            None
        };
        if found.is_none() {
            let document = self
                .store
                .get(id)
                .map_or_else(|| file.to_string(), |document| document.display.clone());
            self.report(
                ContractProblemKind::MissingPointer,
                reference,
                format!("`$ref: {reference}`: {document} has no `#{fragment}` (only JSON pointers such as `#/components/schemas/Name` are supported)"),
                at,
            );
        }
        found
    }

    /// Records a problem once, however many times it is met.
    pub(crate) fn report(
        &mut self,
        kind: ContractProblemKind,
        subject: &str,
        message: String,
        at: Location,
    ) {
        let problem = ContractProblem {
            kind,
            subject: subject.to_string(),
            message,
            location: Some(at),
        };
        if !self.problems.contains(&problem) {
            self.problems.push(problem);
        }
    }

    /// Expands the schema `value` found at `pointer` of `at`'s document.
    fn expand(&mut self, at: &Target, pointer: &str, value: &Value) -> SchemaNode {
        if self.nesting >= MAX_NESTING {
            self.cuts += 1;
            self.report(
                ContractProblemKind::Cycle,
                pointer,
                format!(
                    "schema nested more than {MAX_NESTING} levels deep; it is not expanded further"
                ),
                at.document.location(pointer),
            );
            return SchemaNode {
                json_schema: json!({ "$comment": "nested too deep: not expanded" }),
                ..SchemaNode::default()
            };
        }
        self.nesting += 1;
        let node = self.expand_nested(at, pointer, value);
        self.nesting -= 1;
        node
    }

    fn expand_nested(&mut self, at: &Target, pointer: &str, value: &Value) -> SchemaNode {
        self.expanded += 1;
        let location = Some(at.document.location(pointer));
        let Value::Object(object) = value else {
            // A boolean schema: `true` accepts anything, `false` nothing.
            return SchemaNode {
                location,
                json_schema: value.clone(),
                ..SchemaNode::default()
            };
        };
        let mut parts = Vec::new();
        let mut members_json = Vec::new();
        let mut ref_name = None;
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let node = self.expand_reference(at, pointer, reference);
            ref_name.clone_from(&node.ref_name);
            members_json.push(node.json_schema.clone());
            parts.push(node);
        }
        if let Some(Value::Array(members)) = object.get("allOf") {
            for (position, member) in members.iter().enumerate() {
                let node = self.expand(at, &format!("{pointer}/allOf/{position}"), member);
                members_json.push(node.json_schema.clone());
                parts.push(node);
            }
        }
        let combined = !parts.is_empty();
        let own = self.own_keywords(at, pointer, object);
        parts.push(own.node);
        parts.extend(own.alternatives.into_iter().map(unite));
        let mut node = parts.into_iter().reduce(intersect).unwrap_or_default();
        let explicit_nullable = object.get("nullable") == Some(&Value::Bool(true));
        node.nullable |= explicit_nullable;
        node.location = location;
        if ref_name.is_some() {
            node.ref_name = ref_name;
        }
        if !own.json.is_empty() || members_json.is_empty() {
            members_json.push(Value::Object(own.json));
        }
        let mut json_schema = if members_json.len() == 1 {
            members_json.remove(0)
        } else {
            json!({ "allOf": members_json })
        };
        if explicit_nullable && (combined || !object.contains_key("type")) {
            json_schema = json!({ "anyOf": [{ "type": "null" }, json_schema] });
        }
        node.json_schema = json_schema;
        node
    }

    fn expand_reference(&mut self, at: &Target, site: &str, reference: &str) -> SchemaNode {
        let placeholder = |ref_name: Option<String>, comment: String| SchemaNode {
            ref_name,
            json_schema: json!({ "$comment": comment }),
            ..SchemaNode::default()
        };
        let Some(target) = self.follow(at, site, reference) else {
            return placeholder(None, format!("unresolved reference {reference}"));
        };
        let key = (target.id, target.pointer.clone());
        let name = target.name();
        let site_location = at.document.location(&format!("{site}/$ref"));
        if self.expanding.contains(&key) {
            self.cuts += 1;
            self.report(
                ContractProblemKind::Cycle,
                reference,
                format!("`$ref: {reference}` leads back to a schema that contains it; it is checked one level deep and not expanded further"),
                site_location,
            );
            return placeholder(
                Some(name),
                format!("recursive reference {reference} not expanded"),
            );
        }
        let reused_size = self.finished.get(&key).map(|finished| finished.size);
        if self.expanded + reused_size.unwrap_or_default() > MAX_EXPANDED_NODES {
            self.cuts += 1;
            if !self.budget_reported {
                self.budget_reported = true;
                self.report(
                    ContractProblemKind::Cycle,
                    reference,
                    format!("expanding `$ref: {reference}` would take this schema past {MAX_EXPANDED_NODES} nodes; it and later references are not expanded"),
                    site_location,
                );
            }
            return placeholder(
                Some(name),
                format!("reference {reference} not expanded: schema too large"),
            );
        }
        if let Some(finished) = self.finished.get(&key) {
            self.expanded += finished.size;
            return finished.node.clone();
        }
        let Some(value) = target.document.value.pointer(&target.pointer) else {
            return placeholder(Some(name), format!("unresolved reference {reference}"));
        };
        let (nodes_before, cuts_before) = (self.expanded, self.cuts);
        self.expanding.push(key.clone());
        let mut node = self.expand(&target, &target.pointer, value);
        self.expanding.pop();
        node.ref_name = Some(name);
        if self.cuts == cuts_before {
            let size = self.expanded - nodes_before;
            self.finished.insert(
                key,
                Expansion {
                    node: node.clone(),
                    size,
                },
            );
        }
        node
    }

    /// Reads the keywords of one schema object, expanding its subschemas, and
    /// rewrites them into standalone JSON Schema (2020-12).
    fn own_keywords(
        &mut self,
        at: &Target,
        pointer: &str,
        object: &Map<String, Value>,
    ) -> OwnKeywords {
        let mut node = SchemaNode::default();
        let mut json = Map::new();
        let mut alternatives = Vec::new();
        for (key, value) in object {
            let here = format!("{pointer}/{}", escape_pointer_segment(key));
            match (key.as_str(), value) {
                // Merged by the caller, or meaningless once references are inlined.
                (
                    "$ref" | "allOf" | "nullable" | "$defs" | "definitions" | "$id" | "$schema",
                    _,
                ) => {}
                ("type", Value::String(kind)) => {
                    if kind == "null" {
                        node.nullable = true;
                    } else {
                        node.types.push(kind.clone());
                    }
                    json.insert(key.clone(), value.clone());
                }
                ("type", Value::Array(kinds)) => {
                    for kind in kinds.iter().filter_map(Value::as_str) {
                        if kind == "null" {
                            node.nullable = true;
                        } else {
                            node.types.push(kind.to_string());
                        }
                    }
                    json.insert(key.clone(), value.clone());
                }
                ("properties", Value::Object(properties)) => {
                    let mut rewritten = Map::new();
                    for (name, schema) in properties {
                        let child_pointer = format!("{here}/{}", escape_pointer_segment(name));
                        let child = self.expand(at, &child_pointer, schema);
                        rewritten.insert(name.clone(), child.json_schema.clone());
                        node.properties.push((name.clone(), child));
                    }
                    json.insert(key.clone(), Value::Object(rewritten));
                }
                ("items", Value::Object(_) | Value::Bool(_)) => {
                    let child = self.expand(at, &here, value);
                    json.insert(key.clone(), child.json_schema.clone());
                    node.items = Some(Box::new(child));
                }
                (
                    "additionalProperties"
                    | "unevaluatedProperties"
                    | "propertyNames"
                    | "contains"
                    | "not"
                    | "if"
                    | "then"
                    | "else"
                    | "additionalItems"
                    | "unevaluatedItems",
                    Value::Object(_),
                ) => {
                    let child = self.expand(at, &here, value);
                    json.insert(key.clone(), child.json_schema);
                }
                ("oneOf" | "anyOf" | "prefixItems" | "items", Value::Array(members)) => {
                    let branches: Vec<SchemaNode> = members
                        .iter()
                        .enumerate()
                        .map(|(position, member)| {
                            self.expand(at, &format!("{here}/{position}"), member)
                        })
                        .collect();
                    let rewritten = branches.iter().map(|branch| branch.json_schema.clone());
                    // Draft-4 tuple `items: [..]` is `prefixItems` in 2020-12.
                    let json_key = if key == "items" {
                        "prefixItems"
                    } else {
                        key.as_str()
                    };
                    json.insert(json_key.to_string(), Value::Array(rewritten.collect()));
                    if key == "oneOf" || key == "anyOf" {
                        alternatives.push(branches);
                    }
                }
                (
                    "patternProperties" | "dependentSchemas" | "dependencies",
                    Value::Object(schemas),
                ) => {
                    let mut rewritten = Map::new();
                    for (name, schema) in schemas {
                        // Draft-7 `dependencies` mixes schemas with lists of names.
                        if !schema.is_object() {
                            rewritten.insert(name.clone(), schema.clone());
                            continue;
                        }
                        let child_pointer = format!("{here}/{}", escape_pointer_segment(name));
                        let child = self.expand(at, &child_pointer, schema);
                        rewritten.insert(name.clone(), child.json_schema);
                    }
                    json.insert(key.clone(), Value::Object(rewritten));
                }
                ("enum", Value::Array(values)) => {
                    node.nullable |= values.contains(&Value::Null);
                    node.enum_values = Some(
                        values
                            .iter()
                            .filter(|value| !value.is_null())
                            .cloned()
                            .collect(),
                    );
                    json.insert(key.clone(), value.clone());
                }
                ("const", constant) => {
                    if constant.is_null() {
                        node.nullable = true;
                    }
                    node.enum_values = Some(
                        Some(constant.clone())
                            .filter(|value| !value.is_null())
                            .into_iter()
                            .collect(),
                    );
                    json.insert(key.clone(), value.clone());
                }
                ("format", Value::String(format)) => {
                    node.format = Some(format.clone());
                    json.insert(key.clone(), value.clone());
                }
                ("maxLength", length) => {
                    node.max_length = length.as_u64();
                    json.insert(key.clone(), value.clone());
                }
                ("required", Value::Array(names)) => {
                    node.required = names
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                    json.insert(key.clone(), value.clone());
                }
                _ => {
                    json.insert(key.clone(), value.clone());
                }
            }
        }
        rewrite_openapi_30(object, &mut json);
        OwnKeywords {
            node,
            json,
            alternatives,
        }
    }
}

/// Rewrites OpenAPI 3.0 keywords that JSON Schema 2020-12 spells differently:
/// `nullable: true` next to `type` becomes `type: [t, "null"]` (and `null` joins an
/// `enum`, since such columns do serve nulls), and draft-4 boolean
/// `exclusiveMinimum`/`exclusiveMaximum` become numbers.
fn rewrite_openapi_30(object: &Map<String, Value>, json: &mut Map<String, Value>) {
    if object.get("nullable") == Some(&Value::Bool(true)) {
        match json.get_mut("type") {
            Some(Value::String(kind)) => {
                let kind = std::mem::take(kind);
                json.insert("type".into(), json!([kind, "null"]));
            }
            Some(Value::Array(kinds)) if !kinds.contains(&json!("null")) => {
                kinds.push(json!("null"))
            }
            _ => {}
        }
        if let Some(Value::Array(values)) = json.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match json.get(exclusive) {
            Some(Value::Bool(true)) => match json.remove(bound) {
                Some(limit) => {
                    json.insert(exclusive.into(), limit);
                }
                None => {
                    json.remove(exclusive);
                }
            },
            Some(Value::Bool(false)) => {
                json.remove(exclusive);
            }
            _ => {}
        }
    }
}

/// Decodes `%XX` escapes of a URI reference; anything malformed is kept as written.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut position = 0;
    while position < bytes.len() {
        let escaped = (bytes[position] == b'%')
            .then(|| text.get(position + 1..position + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                position += 3;
            }
            None => {
                decoded.push(bytes[position]);
                position += 1;
            }
        }
    }
    String::from_utf8(decoded).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(
            percent_decode("/components/schemas/My%20Thing"),
            "/components/schemas/My Thing"
        );
        assert_eq!(percent_decode("50%"), "50%");
        assert_eq!(percent_decode("plain"), "plain");
    }

    #[test]
    fn openapi_30_keywords_become_json_schema() {
        let object = json!({"type": "string", "nullable": true, "enum": ["a"], "minimum": 1, "exclusiveMinimum": true});
        let Value::Object(object) = object else {
            unreachable!()
        };
        let mut rewritten = object.clone();
        rewritten.remove("nullable");
        rewrite_openapi_30(&object, &mut rewritten);
        assert_eq!(
            Value::Object(rewritten),
            json!({"type": ["string", "null"], "enum": ["a", null], "exclusiveMinimum": 1})
        );
    }
}
