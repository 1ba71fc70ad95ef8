//! YAML reading for the whole crate: any YAML document becomes a `serde_json::Value`
//! plus a [`SpanIndex`] that tells where each node was written, so that whatever
//! validates the value afterwards (a JSON Schema, a loader) can point at `file:line:column`.

use crate::model::Location;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

/// Where each node of a YAML document was written, by JSON pointer (`/index_plan/2/status`,
/// RFC 6901 escaping, `""` for the document root).
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    path: String,
    values: BTreeMap<String, Location>,
    keys: BTreeMap<String, Location>,
}

impl SpanIndex {
    /// Where the value at `pointer` starts, if that node exists.
    pub fn value(&self, pointer: &str) -> Option<&Location> {
        self.values.get(pointer)
    }

    /// Where the mapping key that leads to `pointer` is written (`None` for the root and
    /// for sequence items).
    pub fn key(&self, pointer: &str) -> Option<&Location> {
        self.keys.get(pointer)
    }

    /// The best location for a diagnostic about `pointer`: the node itself, else its
    /// nearest existing ancestor (a missing key is reported where its parent is), else
    /// the start of the file.
    pub fn locate(&self, pointer: &str) -> Location {
        let mut current = pointer;
        loop {
            if let Some(location) = self.values.get(current) {
                return location.clone();
            }
            match current.rfind('/') {
                Some(slash) => current = &current[..slash],
                None => return Location::new(self.path.clone(), 1, 1),
            }
        }
    }
}

/// A YAML document that could not be read as YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where the parser stopped (line and column of the problem when it knows them,
    /// else the start of the file).
    pub location: Location,
    /// The parser's message.
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: invalid YAML: {}", self.location, self.message)
    }
}

impl std::error::Error for YamlError {}

/// Reads one YAML document. `path` is the label used in every [`Location`] (pass it through
/// [`crate::model::display_path`]). Anchors, aliases and merge keys are expanded; duplicate
/// keys, non-finite numbers and multiple documents are errors.
pub fn read_yaml_value(path: &str, text: &str) -> Result<(Value, SpanIndex), YamlError> {
    let options = serde_saphyr::options! { with_snippet: false };
    let root: Spanned<Node> =
        serde_saphyr::from_str_with_options(text, options).map_err(|error| {
            let (line, column) = error
                .location()
                .map(|location| (location.line(), location.column()))
                .filter(|&(line, _)| line > 0)
                .unwrap_or((1, 1));
            YamlError {
                location: Location::new(path, clamp(line), clamp(column).max(1)),
                message: error.to_string(),
            }
        })?;
    let mut index = SpanIndex {
        path: path.to_string(),
        ..SpanIndex::default()
    };
    let value = flatten(root, String::new(), &mut index);
    Ok((value, index))
}

fn clamp(number: u64) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

fn location_of(path: &str, location: &serde_saphyr::Location) -> Location {
    if location.line() == 0 {
        return Location::new(path, 1, 1);
    }
    Location::new(
        path,
        clamp(location.line()),
        clamp(location.column()).max(1),
    )
}

/// Escapes one JSON pointer segment (RFC 6901), the way `jsonschema` prints instance paths.
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn flatten(node: Spanned<Node>, pointer: String, index: &mut SpanIndex) -> Value {
    let location = location_of(&index.path, &node.referenced);
    index.values.insert(pointer.clone(), location);
    match node.value {
        Node::Null => Value::Null,
        Node::Bool(value) => Value::Bool(value),
        Node::Number(value) => Value::Number(value),
        Node::String(value) => Value::String(value),
        Node::Sequence(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(position, item)| flatten(item, format!("{pointer}/{position}"), index))
                .collect(),
        ),
        Node::Mapping(entries) => {
            let mut object = Map::new();
            for (key, value) in entries {
                let child = format!("{pointer}/{}", escape_pointer_segment(&key.value));
                let key_location = location_of(&index.path, &key.referenced);
                index.keys.insert(child.clone(), key_location);
                let value = flatten(value, child, index);
                object.insert(key.value, value);
            }
            Value::Object(object)
        }
    }
}

/// One YAML node with its children's spans; flattened into a JSON value afterwards.
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Sequence(Vec<Spanned<Node>>),
    Mapping(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Node, E> {
        Ok(Node::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Node, E> {
        Ok(Node::Number(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<Node, E> {
        i64::try_from(value)
            .map(Number::from)
            .or_else(|_| u64::try_from(value).map(Number::from))
            .map(Node::Number)
            .map_err(|_| E::custom(format!("integer {value} is too large")))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<Node, E> {
        u64::try_from(value)
            .map(|value| Node::Number(value.into()))
            .map_err(|_| E::custom(format!("integer {value} is too large")))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Node, E> {
        Number::from_f64(value)
            .map(Node::Number)
            .ok_or_else(|| E::custom(format!("{value} cannot be represented in JSON")))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Node, E> {
        Ok(Node::String(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Node, E> {
        Ok(Node::String(value))
    }

    fn visit_bytes<E: de::Error>(self, value: &[u8]) -> Result<Node, E> {
        Ok(Node::Sequence(
            value
                .iter()
                .map(|byte| {
                    Spanned::new(
                        Node::Number((*byte).into()),
                        serde_saphyr::Location::UNKNOWN,
                        serde_saphyr::Location::UNKNOWN,
                    )
                })
                .collect(),
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = access.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = access.next_key::<Spanned<KeyText>>()? {
            let value = access.next_value::<Spanned<Node>>()?;
            let key = Spanned::new(key.value.0, key.referenced, key.defined);
            entries.push((key, value));
        }
        Ok(Node::Mapping(entries))
    }
}

/// A mapping key as JSON sees it: scalars are written out as text (`1: x` has key `"1"`);
/// collections as keys are refused, JSON has no such thing.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = KeyText;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }

    fn visit_unit<E: de::Error>(self) -> Result<KeyText, E> {
        Ok(KeyText("null".into()))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<KeyText, E> {
        Ok(KeyText(value.to_string()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<KeyText, E> {
        Ok(KeyText(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(text: &str) -> (Value, SpanIndex) {
        match read_yaml_value("m.yaml", text) {
            Ok(read) => read,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn values_become_json_with_key_and_value_positions() {
        let (value, index) =
            read("version: 1\nplan:\n  - index: a\n    unique: true\n    cols: [x, 'y']\n");
        assert_eq!(
            value,
            json!({"version": 1, "plan": [{"index": "a", "unique": true, "cols": ["x", "y"]}]})
        );
        assert_eq!(
            index.value("/version").map(|l| (l.line, l.column)),
            Some((1, 10))
        );
        assert_eq!(
            index.key("/version").map(|l| (l.line, l.column)),
            Some((1, 1))
        );
        assert_eq!(
            index.key("/plan/0/unique").map(|l| (l.line, l.column)),
            Some((4, 5))
        );
        assert_eq!(
            index.value("/plan/0/cols/1").map(|l| (l.line, l.column)),
            Some((5, 15))
        );
        assert_eq!(index.value("/plan/0").map(|l| l.line), Some(3));
    }

    #[test]
    fn missing_nodes_fall_back_to_their_nearest_ancestor() {
        let (_, index) = read("a:\n  b: 1\n");
        assert_eq!(index.locate("/a/missing").line, 2);
        assert_eq!(
            index.locate("/nothing/here").to_string(),
            index.locate("").to_string()
        );
    }

    #[test]
    fn keys_that_are_not_strings_are_written_out_and_slashes_escaped() {
        let (value, index) = read("1: one\ntrue: yes\na/b~c: x\n");
        assert_eq!(value, json!({"1": "one", "true": true, "a/b~c": "x"}));
        assert!(index.value("/a~1b~0c").is_some());
    }

    #[test]
    fn empty_documents_are_null() {
        assert_eq!(read("").0, Value::Null);
        assert_eq!(read("# only a comment\n").0, Value::Null);
    }

    #[test]
    fn anchors_and_aliases_are_expanded() {
        let (value, _) = read("base: &b {x: 1}\ncopy: *b\n");
        assert_eq!(value["copy"], json!({"x": 1}));
    }

    #[test]
    fn syntax_errors_and_duplicate_keys_carry_a_line() {
        let error = read_yaml_value("m.yaml", "a: 1\nb: [1, 2\nc: 3\n").err();
        assert!(
            error.as_ref().is_some_and(|e| e.location.line >= 2),
            "{error:?}"
        );
        let error = read_yaml_value("m.yaml", "a: 1\na: 2\n").err();
        assert_eq!(error.map(|e| e.location.line), Some(2));
    }
}
