//! What the contract loader produces: DTOs as resolved schema trees and endpoints.

use crate::model::Location;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// All DTOs and endpoints of the loaded contract files.
#[derive(Debug, Clone, Default)]
pub struct ContractSet {
    /// The files read, as given.
    pub documents: Vec<String>,
    /// DTOs by the name a mapping uses: the `components.schemas` (or `$defs` /
    /// `definitions`) name, and for plain JSON Schema files also `file#/pointer`
    /// forms resolved on demand by [`ContractSet::dto`].
    pub dtos: BTreeMap<String, Dto>,
    /// Endpoints by `METHOD /path` (method upper-case).
    pub endpoints: BTreeMap<String, Endpoint>,
    /// `$ref`s that could not be resolved, cycles, unreadable documents.
    pub problems: Vec<ContractProblem>,
    /// Where the given documents depart from OpenAPI 3.0/3.1 or JSON Schema (checked
    /// against the meta-schemas when they are loaded).
    pub document_problems: Vec<super::DocumentProblem>,
    /// The parsed documents, for `file#/pointer` lookups after loading.
    pub(super) resolution: super::load::Resolution,
}

/// A response DTO: a named schema, resolved.
#[derive(Debug, Clone)]
pub struct Dto {
    /// The name a mapping uses for it.
    pub name: String,
    /// The resolved schema.
    pub schema: SchemaNode,
    /// Where the schema is defined.
    pub location: Option<Location>,
}

/// An API operation (`get`, `post`, `put`, `patch`, `delete`). Every operation is
/// listed, so that index plan query paths resolve to it; [`Endpoint::dto`] is set
/// when its lowest 2xx response has JSON content.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `GET /api/attribution/revenue/realtime`.
    pub key: String,
    /// The DTO key in [`ContractSet::dtos`] of the response body (the items' DTO when
    /// the response is an array), if the response schema is a named or inline object.
    pub dto: Option<String>,
    /// Whether the response body is an array of the DTO.
    pub is_array: bool,
    /// Where the operation is defined.
    pub location: Option<Location>,
}

/// A JSON Schema node after `$ref` resolution and `allOf` merging. Subschemas are
/// shared: every `$ref` to one place is the same [`Arc`], so a schema graph is held once
/// however many paths lead through it.
#[derive(Debug, Clone, Default)]
pub struct SchemaNode {
    /// `type` values (`string`, `integer`, `number`, `boolean`, `object`, `array`);
    /// `null` is not listed here but folded into [`SchemaNode::nullable`]. Empty when
    /// the schema does not say.
    pub types: Vec<String>,
    /// `format` (`uuid`, `date-time`, `date`, `int32`, `int64`, …).
    pub format: Option<String>,
    /// `nullable: true` (OpenAPI 3.0), `type: [x, "null"]` (3.1), or an `enum`
    /// containing `null`.
    pub nullable: bool,
    /// `enum` values, `null` excluded.
    pub enum_values: Option<Vec<Value>>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// Object properties, in document order.
    pub properties: Vec<(String, Arc<SchemaNode>)>,
    /// `required` property names.
    pub required: Vec<String>,
    /// Array `items`.
    pub items: Option<Arc<SchemaNode>>,
    /// The name of the `$ref` target, when this node came from one.
    pub ref_name: Option<String>,
    /// Where this node is written.
    pub location: Option<Location>,
    /// This node as JSON Schema 2020-12 (OpenAPI 3.0 `nullable` rewritten), where each
    /// `$ref` points into `$defs` rather than being copied:
    /// [`ContractSet::json_schema`] makes the standalone document of a DTO.
    pub json_schema: Value,
}

impl SchemaNode {
    /// The property called `name`.
    pub fn property(&self, name: &str) -> Option<&SchemaNode> {
        self.properties
            .iter()
            .find(|(property, _)| property == name)
            .map(|(_, node)| &**node)
    }

    /// Whether `name` is listed in `required`.
    pub fn is_required(&self, name: &str) -> bool {
        self.required.iter().any(|required| required == name)
    }
}

/// A loaded contract document, as [`ContractSet::document_named`] finds it for a claim.
#[derive(Debug, Clone)]
pub struct NamedDocument {
    pub(super) document: std::sync::Arc<super::store::Document>,
}

impl NamedDocument {
    /// The document's path as locations show it.
    pub fn path(&self) -> &str {
        &self.document.display
    }

    /// How many lines it has.
    pub fn line_count(&self) -> u32 {
        self.document.line_count
    }

    /// Where mapping keys called `name` are written: their lines, in pointer order.
    pub fn key_lines(&self, name: &str) -> Vec<u32> {
        self.document
            .keys_named(name)
            .into_iter()
            .map(|(line, _)| line)
            .collect()
    }

    /// The JSON `type` values written at the first key called `name` on a line in
    /// `lines` (`null` left out); empty when that node states no `type` (a `$ref`).
    pub fn types_at(&self, name: &str, lines: std::ops::RangeInclusive<u32>) -> Vec<String> {
        let Some((_, pointer)) = self
            .document
            .keys_named(name)
            .into_iter()
            .find(|(line, _)| lines.contains(line))
        else {
            return Vec::new();
        };
        match self
            .document
            .value
            .pointer(&pointer)
            .and_then(|node| node.get("type"))
        {
            Some(Value::String(single)) => vec![single.clone()],
            Some(Value::Array(many)) => many
                .iter()
                .filter_map(Value::as_str)
                .filter(|name| *name != "null")
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A contract document problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractProblem {
    /// What went wrong.
    pub kind: ContractProblemKind,
    /// The `$ref` text or document concerned.
    pub subject: String,
    /// A sentence for the user.
    pub message: String,
    /// Where the `$ref` (or document) is.
    pub location: Option<Location>,
}

/// The kinds of contract problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractProblemKind {
    /// A `$ref` to a file that does not exist or cannot be read/parsed.
    MissingFile,
    /// A `$ref` whose JSON pointer does not exist in its document.
    MissingPointer,
    /// A `$ref` chain that leads back to itself (kept unexpanded at that point); also,
    /// as a safety net, schemas nested too deeply to expand fully.
    Cycle,
    /// A schema name declared by two documents: the first keeps the name, the later
    /// one is a DTO under its `file#/pointer` name.
    DuplicateName,
    /// A `$ref` to a file outside the contract roots: never read.
    OutsideProject,
    /// Resolving the contracts took more work than pgparity allows (a few schemas that
    /// refer to each other in a way that multiplies); the rest is not expanded.
    WorkBudget,
}
