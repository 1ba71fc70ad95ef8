//! Reading one contract file into a JSON value plus the line and column of every
//! mapping key and sequence item. The only place in `contracts` that knows YAML (JSON
//! is read by the same parser: it is a YAML subset), so it can move next to the
//! mapping's YAML reader later.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

/// Line and column (1-based) of each node, keyed by its JSON pointer (`""` is the
/// document root). A mapping entry is placed at its key, a sequence item at its
/// first character: where a reader looks for it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpanIndex {
    positions: BTreeMap<String, (u32, u32)>,
}

impl SpanIndex {
    /// The position of the node at `pointer`, or of its nearest ancestor that has
    /// one, or the start of the document.
    pub(crate) fn position(&self, pointer: &str) -> (u32, u32) {
        let mut current = pointer;
        loop {
            if let Some(position) = self.positions.get(current) {
                return *position;
            }
            match current.rfind('/') {
                Some(slash) => current = &current[..slash],
                None => return (1, 1),
            }
        }
    }
}

/// Why a document could not be read as YAML or JSON.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    /// 1-based line of the error, when the parser knows it.
    pub(crate) line: Option<u32>,
    /// 1-based column of the error, when the parser knows it.
    pub(crate) column: Option<u32>,
    /// The parser's message.
    pub(crate) message: String,
}

/// Why a contract file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file is missing or unreadable.
    Io(std::io::Error),
    /// The file is neither YAML nor JSON.
    Syntax(SyntaxError),
}

/// Stack for the parser thread. The YAML deserializer recurses per nesting level and,
/// unoptimized, takes tens of kilobytes a level: more than a test thread's 2 MiB
/// holds for a deep document. Only touched pages are committed.
const PARSER_STACK_BYTES: usize = 64 << 20;

/// Reads a YAML or JSON file into a value and the positions of its nodes.
pub(crate) fn read_document(path: &std::path::Path) -> Result<(Value, SpanIndex), ReadError> {
    let text = std::fs::read_to_string(path).map_err(ReadError::Io)?;
    let parsed = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("pgparity-contract-parser".into())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, || parse_document(&text))
            .map(|parser| parser.join())
    })
    .map_err(ReadError::Io)?;
    match parsed {
        Ok(parsed) => parsed.map_err(ReadError::Syntax),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Parses YAML or JSON text into a value and the positions of its nodes.
pub(crate) fn parse_document(text: &str) -> Result<(Value, SpanIndex), SyntaxError> {
    match serde_saphyr::from_str_with_options::<Spanned<Node>>(text, parser_options()) {
        Ok(root) => {
            let mut index = SpanIndex::default();
            let value = root.value.into_value(String::new(), &mut index);
            let (line, column) = position_of(&root.referenced);
            index
                .positions
                .insert(String::new(), (line.max(1), column.max(1)));
            Ok((value, index))
        }
        Err(yaml_error) => match serde_json::from_str::<Value>(text) {
            // Some valid JSON (tabs used for indentation) is not valid YAML: keep the
            // value, with every node placed at the start of the document.
            Ok(value) => Ok((value, SpanIndex::default())),
            Err(_) => {
                let location = yaml_error.location();
                Err(SyntaxError {
                    line: location.map(|at| saturate(at.line())),
                    column: location.map(|at| saturate(at.column())),
                    message: yaml_error.without_snippet().to_string(),
                })
            }
        },
    }
}

/// The parser's default budget is sized for configuration files; published API
/// descriptions (a cloud provider's, a payment API's) have millions of nodes and
/// deeper nesting.
fn parser_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 20_000_000;
    budget.max_events = 80_000_000;
    budget.max_depth = 160;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

fn saturate(number: u64) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

fn position_of(location: &serde_saphyr::Location) -> (u32, u32) {
    (saturate(location.line()), saturate(location.column()))
}

/// Escapes a mapping key as one JSON pointer segment (RFC 6901).
pub(crate) fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A parsed YAML node with the positions of its children, before conversion to a
/// plain [`Value`].
enum Node {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Sequence(Vec<Spanned<Node>>),
    Mapping(Vec<(Spanned<Key>, Node)>),
}

impl Node {
    fn into_value(self, pointer: String, index: &mut SpanIndex) -> Value {
        match self {
            Node::Null => Value::Null,
            Node::Bool(flag) => Value::Bool(flag),
            Node::Number(number) => Value::Number(number),
            Node::String(text) => Value::String(text),
            Node::Sequence(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(position, item)| {
                        let child = format!("{pointer}/{position}");
                        index
                            .positions
                            .insert(child.clone(), position_of(&item.referenced));
                        item.value.into_value(child, index)
                    })
                    .collect(),
            ),
            Node::Mapping(entries) => {
                let mut map = Map::new();
                for (key, node) in entries {
                    let child = format!("{pointer}/{}", escape_pointer_segment(&key.value.0));
                    index
                        .positions
                        .insert(child.clone(), position_of(&key.referenced));
                    let value = node.into_value(child, index);
                    map.insert(key.value.0, value);
                }
                Value::Object(map)
            }
        }
    }
}

/// A mapping key of any scalar kind, as text: OpenAPI response codes are often
/// written unquoted (`200:`), which YAML reads as a number.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a scalar mapping key")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Key, E> {
                Ok(Key(text.to_string()))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Key, E> {
                Ok(Key(text))
            }
            fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Key, E> {
                Ok(Key(flag.to_string()))
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Key, E> {
                Ok(Key(number.to_string()))
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Key, E> {
                Ok(Key(number.to_string()))
            }
            fn visit_f64<E: de::Error>(self, number: f64) -> Result<Key, E> {
                Ok(Key(number.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key("null".to_string()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a YAML or JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, inner: D) -> Result<Node, D::Error> {
                Node::deserialize(inner)
            }
            fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Node, E> {
                Ok(Node::Bool(flag))
            }
            fn visit_i64<E: de::Error>(self, number: i64) -> Result<Node, E> {
                Ok(Node::Number(number.into()))
            }
            fn visit_u64<E: de::Error>(self, number: u64) -> Result<Node, E> {
                Ok(Node::Number(number.into()))
            }
            fn visit_f64<E: de::Error>(self, number: f64) -> Result<Node, E> {
                // Non-finite YAML floats (`.inf`, `.nan`) have no JSON form.
                Ok(Number::from_f64(number).map_or(Node::Null, Node::Number))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Node, E> {
                Ok(Node::String(text.to_string()))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Node, E> {
                Ok(Node::String(text))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Node>>()? {
                    items.push(item);
                }
                Ok(Node::Sequence(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Key>>()? {
                    let value = map.next_value::<Node>()?;
                    entries.push((key, value));
                }
                Ok(Node::Mapping(entries))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_and_items_get_their_positions() {
        let text = "openapi: 3.0.3\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      required: [a, b]\n      properties:\n        a: {type: string}\n";
        let (value, index) = parse_document(text).expect("valid YAML");
        assert_eq!(value["components"]["schemas"]["Thing"]["type"], "object");
        assert_eq!(index.position("/components/schemas/Thing"), (4, 5));
        assert_eq!(
            index.position("/components/schemas/Thing/properties/a"),
            (8, 9)
        );
        assert_eq!(
            index.position("/components/schemas/Thing/properties/a/type"),
            (8, 13)
        );
        assert_eq!(
            index.position("/components/schemas/Thing/required/1"),
            (6, 21)
        );
    }

    #[test]
    fn numeric_keys_become_text() {
        let (value, index) =
            parse_document("responses:\n  200:\n    description: ok\n").expect("valid YAML");
        assert_eq!(value["responses"]["200"]["description"], "ok");
        assert_eq!(index.position("/responses/200"), (2, 3));
    }

    #[test]
    fn json_gets_positions_too() {
        let text = "{\n  \"title\": \"X\",\n  \"properties\": {\n    \"id\": {\"type\": \"string\"}\n  }\n}\n";
        let (value, index) = parse_document(text).expect("valid JSON");
        assert_eq!(value["properties"]["id"]["type"], "string");
        assert_eq!(index.position("/properties/id"), (4, 5));
    }

    #[test]
    fn tab_indented_json_is_read() {
        let text = "{\n\t\"title\": \"X\",\n\t\"properties\": {\n\t\t\"id\": {\"type\": \"string\"}\n\t}\n}\n";
        let (value, _) = parse_document(text).expect("valid JSON");
        assert_eq!(value["title"], "X");
    }

    #[test]
    fn unknown_pointers_fall_back_to_the_nearest_ancestor() {
        let (_, index) = parse_document("a:\n  b: 1\n").expect("valid YAML");
        assert_eq!(index.position("/a/b/c/d"), (2, 3));
        assert_eq!(index.position("/zzz"), (1, 1));
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let error = parse_document("a: [1, 2\nb: }\n").expect_err("invalid YAML");
        assert!(error.line.is_some(), "{error:?}");
        assert!(!error.message.is_empty());
    }
}
