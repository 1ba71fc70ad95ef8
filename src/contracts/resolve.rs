//! `$ref` resolution and the expansion of one schema into a [`SchemaNode`].
//!
//! Every `$ref` target is expanded once and shared: later references to it reuse the
//! same nodes, and in JSON Schema they become `{"$ref": "#/$defs/rN"}` rather than a
//! copy. So the work is linear in the size of the documents, however the schemas refer
//! to each other; a [`Work`] budget bounds what remains (merging `allOf` members).

use super::model::{ContractProblem, ContractProblemKind, SchemaNode};
use super::schema::{copy_cost, intersect, unite, Work};
use super::store::{Document, DocumentId, DocumentStore, ReadError};
use crate::model::{display_path, Location};
use crate::yaml::escape_pointer_segment;
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// How deeply schemas may nest (counting through `$ref`s), to keep the recursion
/// well inside a thread's stack.
const MAX_NESTING: usize = 64;

/// A place in a loaded document: a document and a JSON pointer inside it.
type Place = (DocumentId, String);

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

/// The expansions of every place expanded so far, kept across DTOs and lookups so that
/// each place is expanded once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Expansions {
    /// The index of each place expanded or being expanded.
    by_place: BTreeMap<Place, usize>,
    /// By index: the expansion, once finished.
    finished: Vec<Option<Finished>>,
    /// Work spent so far.
    work: Work,
    /// Whether running out of budget was reported.
    budget_reported: bool,
}

/// A finished expansion.
#[derive(Debug, Clone)]
struct Finished {
    node: Arc<SchemaNode>,
    /// The outermost place, still being expanded when this one finished, that this
    /// one's references lead back to: a reference to this place from inside that one's
    /// expansion is on a cycle.
    reaches: Option<Place>,
}

impl Expansions {
    /// `root` as a standalone JSON Schema: with a `$defs` entry for each expansion its
    /// references reach, directly or through other entries.
    pub(crate) fn standalone(&self, root: &Value) -> Value {
        let mut definitions = Map::new();
        let mut pending = vec![root];
        while let Some(value) = pending.pop() {
            match value {
                Value::Object(object) => {
                    if let Some(index) = object
                        .get("$ref")
                        .and_then(Value::as_str)
                        .and_then(definition_index)
                    {
                        let key = definition_key(index);
                        if let (false, Some(Some(finished))) =
                            (definitions.contains_key(&key), self.finished.get(index))
                        {
                            definitions.insert(key, finished.node.json_schema.clone());
                            pending.push(&finished.node.json_schema);
                        }
                    }
                    pending.extend(object.values());
                }
                Value::Array(values) => pending.extend(values),
                _ => {}
            }
        }
        if definitions.is_empty() {
            return root.clone();
        }
        json!({ "$defs": definitions, "allOf": [root] })
    }
}

fn definition_key(index: usize) -> String {
    format!("r{index}")
}

fn definition_reference(index: usize) -> Value {
    json!({ "$ref": format!("#/$defs/{}", definition_key(index)) })
}

fn definition_index(reference: &str) -> Option<usize> {
    reference.strip_prefix("#/$defs/r")?.parse().ok()
}

/// Expands schemas, reading referenced documents on demand and recording every
/// reference it cannot follow.
pub(crate) struct Resolver<'a> {
    store: &'a mut DocumentStore,
    problems: &'a mut Vec<ContractProblem>,
    expansions: &'a mut Expansions,
    /// The places being expanded, outermost first: meeting one again is a cycle.
    expanding: Vec<Place>,
    /// The outermost position in `expanding` that the expansion under way led back to.
    lowest_reached: usize,
    /// How deeply the schema being expanded is nested, against [`MAX_NESTING`].
    nesting: usize,
    /// How deeply it is nested inside the place being expanded: its JSON Schema is
    /// copied into that many enclosing schemas.
    inline_depth: usize,
}

/// What an object schema says by itself, before `$ref` and `allOf` are merged in.
struct OwnKeywords {
    node: SchemaNode,
    json: Map<String, Value>,
    alternatives: Vec<Vec<SchemaNode>>,
}

impl<'a> Resolver<'a> {
    /// A resolver over `store` that keeps its expansions in `expansions` and appends to
    /// `problems`.
    pub(crate) fn new(
        store: &'a mut DocumentStore,
        expansions: &'a mut Expansions,
        problems: &'a mut Vec<ContractProblem>,
    ) -> Self {
        Resolver {
            store,
            problems,
            expansions,
            expanding: Vec::new(),
            lowest_reached: usize::MAX,
            nesting: 0,
            inline_depth: 0,
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

    /// The expanded schema at `target` (expanded now unless it was before).
    pub(crate) fn expand_target(&mut self, target: &Target) -> SchemaNode {
        let place = (target.id, target.pointer.clone());
        if let Some(Some(finished)) = self
            .expansions
            .by_place
            .get(&place)
            .and_then(|&index| self.expansions.finished.get(index))
        {
            let node = SchemaNode::clone(&finished.node);
            self.expansions.work.spend(copy_cost(&node));
            return node;
        }
        let at = self.location(target);
        match self.expand_place(target, &target.pointer, at) {
            Some((_, node)) => SchemaNode::clone(&node),
            None => SchemaNode::default(),
        }
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
                    let shown = display_path(&path);
                    let (kind, message) = match error {
                        ReadError::Outside => (
                            ContractProblemKind::OutsideProject,
                            format!(
                                "`$ref: {reference}`: {shown} is outside the project (contract roots: {}) and is not read; copy the document into the project, or add its folder to `contract_roots` in pgparity.toml",
                                self.store.scope.shown_roots
                            ),
                        ),
                        ReadError::Missing(error) => (
                            ContractProblemKind::MissingFile,
                            format!(
                                "`$ref: {reference}`: cannot read {shown} ({error}); the path is relative to {}",
                                from.document.display
                            ),
                        ),
                        ReadError::Input(error) => (
                            ContractProblemKind::MissingFile,
                            format!("`$ref: {reference}`: {error}"),
                        ),
                        ReadError::Syntax(error) => (
                            ContractProblemKind::MissingFile,
                            format!(
                                "`$ref: {reference}`: cannot read {shown} (not YAML or JSON (line {}): {})",
                                error.location.line, error.message
                            ),
                        ),
                    };
                    self.report(kind, reference, message, at);
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

    /// Reports, once per contract set, that the work budget is spent.
    fn report_budget(&mut self, subject: &str, what: &str, at: Location) {
        if self.expansions.budget_reported {
            return;
        }
        self.expansions.budget_reported = true;
        let budget = self.expansions.work.budget();
        self.report(
            ContractProblemKind::WorkBudget,
            subject,
            format!("{what} would take the contracts past pgparity's budget of {budget} schema nodes built or copied; it and every schema not yet expanded are left unchecked: split the documents, or replace the `allOf`s and `$ref`s that multiply each other"),
            at,
        );
    }

    /// Expands the place `target` (whose `$ref` or own location is `at`) into a new
    /// shared expansion: its index and node. `None` when the budget is spent.
    fn expand_place(
        &mut self,
        target: &Target,
        pointer: &str,
        at: Location,
    ) -> Option<(usize, Arc<SchemaNode>)> {
        let value = target.document.value.pointer(pointer)?;
        if self.expansions.work.exhausted() {
            self.report_budget(pointer, &format!("expanding {}", target.pointer_form()), at);
            return None;
        }
        let place = (target.id, target.pointer.clone());
        let index = self.expansions.finished.len();
        self.expansions.finished.push(None);
        self.expansions.by_place.insert(place.clone(), index);
        let position = self.expanding.len();
        self.expanding.push(place);
        let outer_lowest = std::mem::replace(&mut self.lowest_reached, usize::MAX);
        let outer_inline_depth = std::mem::replace(&mut self.inline_depth, 0);
        let node = Arc::new(self.expand(target, pointer, value));
        self.inline_depth = outer_inline_depth;
        self.expanding.pop();
        let lowest = self.lowest_reached;
        self.lowest_reached = outer_lowest.min(lowest);
        let reaches = (lowest < position).then(|| self.expanding[lowest].clone());
        self.expansions.finished[index] = Some(Finished {
            node: Arc::clone(&node),
            reaches,
        });
        Some((index, node))
    }

    /// Expands the schema `value` found at `pointer` of `at`'s document.
    fn expand(&mut self, at: &Target, pointer: &str, value: &Value) -> SchemaNode {
        if self.nesting >= MAX_NESTING {
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
        if self.expansions.work.exhausted() {
            self.report_budget(
                pointer,
                "expanding this schema",
                at.document.location(pointer),
            );
            return SchemaNode {
                json_schema: json!({ "$comment": "not expanded: work budget spent" }),
                ..SchemaNode::default()
            };
        }
        self.nesting += 1;
        self.inline_depth += 1;
        let node = self.expand_nested(at, pointer, value);
        self.inline_depth -= 1;
        self.nesting -= 1;
        node
    }

    fn expand_nested(&mut self, at: &Target, pointer: &str, value: &Value) -> SchemaNode {
        self.expansions.work.spend(self.inline_depth);
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
        let work = &mut self.expansions.work;
        let had_budget = !work.exhausted();
        let mut node = parts
            .into_iter()
            .reduce(|first, second| intersect(first, second, work))
            .unwrap_or_default();
        if had_budget && self.expansions.work.exhausted() {
            self.report_budget(
                pointer,
                "merging the members of this `allOf`",
                at.document.location(pointer),
            );
        }
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

    /// The node of a `$ref` written at `site`: the shared expansion of its target (a
    /// copy of its top level, whose JSON Schema points into `$defs`), or a placeholder
    /// where the reference cannot be followed or closes a cycle.
    fn expand_reference(&mut self, at: &Target, site: &str, reference: &str) -> SchemaNode {
        let placeholder = |ref_name: Option<String>, json_schema: Value| SchemaNode {
            ref_name,
            json_schema,
            ..SchemaNode::default()
        };
        let Some(target) = self.follow(at, site, reference) else {
            return placeholder(
                None,
                json!({ "$comment": format!("unresolved reference {reference}") }),
            );
        };
        let place = (target.id, target.pointer.clone());
        let name = target.name();
        let site_location = at.document.location(&format!("{site}/$ref"));
        if let Some(position) = self.expanding.iter().position(|open| *open == place) {
            self.lowest_reached = self.lowest_reached.min(position);
            self.report(
                ContractProblemKind::Cycle,
                reference,
                format!("`$ref: {reference}` leads back to a schema that contains it; it is checked one level deep and not expanded further"),
                site_location,
            );
            let index = self.expansions.by_place[&place];
            return placeholder(Some(name), definition_reference(index));
        }
        let expansion = match self.expansions.by_place.get(&place) {
            Some(&index) => self.expansions.finished[index]
                .as_ref()
                .map(|finished| (index, Arc::clone(&finished.node), finished.reaches.clone())),
            None => self
                .expand_place(&target, &target.pointer, site_location.clone())
                .map(|(index, node)| {
                    let reaches = self.expansions.finished[index]
                        .as_ref()
                        .and_then(|finished| finished.reaches.clone());
                    (index, node, reaches)
                }),
        };
        let Some((index, node, reaches)) = expansion else {
            return placeholder(
                Some(name),
                json!({ "$comment": format!("reference {reference} not expanded: work budget spent") }),
            );
        };
        // This reference is on a cycle when its target leads back to a place still
        // being expanded (this one or an enclosing one).
        if let Some(position) =
            reaches.and_then(|reached| self.expanding.iter().position(|open| *open == reached))
        {
            self.lowest_reached = self.lowest_reached.min(position);
            self.report(
                ContractProblemKind::Cycle,
                reference,
                format!("`$ref: {reference}` starts a cycle of references that leads back here; it is expanded until the cycle closes"),
                site_location,
            );
        }
        self.expansions.work.spend(copy_cost(&node));
        let mut shared = SchemaNode::clone(&node);
        shared.ref_name = Some(name);
        shared.json_schema = definition_reference(index);
        shared
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
                        node.properties.push((name.clone(), Arc::new(child)));
                    }
                    json.insert(key.clone(), Value::Object(rewritten));
                }
                ("items", Value::Object(_) | Value::Bool(_)) => {
                    let child = self.expand(at, &here, value);
                    json.insert(key.clone(), child.json_schema.clone());
                    node.items = Some(Arc::new(child));
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

/// Decodes `%XX` escapes of a URI reference; anything malformed (a `%` without two hex
/// digits, escapes that are not UTF-8) is kept as written.
fn percent_decode(text: &str) -> String {
    percent_decode_str(text)
        .decode_utf8()
        .map_or_else(|_| text.to_string(), Cow::into_owned)
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
    fn percent_decoding_handles_non_ascii_and_stray_percent_signs() {
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("caf%c3%a9"), "café");
        assert_eq!(percent_decode("café%20au%20lait"), "café au lait");
        assert_eq!(percent_decode("%2541"), "%41");
        assert_eq!(percent_decode("%%41"), "%A");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%zz%"), "%zz%");
        assert_eq!(percent_decode("%é"), "%é");
        assert_eq!(percent_decode("%E9t%E9"), "%E9t%E9");
        assert_eq!(percent_decode("%+5"), "%+5");
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
