//! The crate's one YAML (and JSON) reader, and the only code that knows serde-saphyr.
//!
//! A document becomes a `serde_json::Value` plus a [`SpanIndex`] that tells where each
//! node was written, so that whatever checks the value afterwards (a JSON Schema, the
//! mapping loader, the contract loader) can point at `file:line:column`. JSON is read by
//! the same parser (it is a YAML subset), so JSON documents get positions too.

use crate::model::Location;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::{MessageFormatter, Spanned, UserMessageFormatter};
use std::collections::BTreeMap;
use std::fmt;

/// Where each node of a YAML document was written, by JSON pointer (`/index_plan/2/status`,
/// RFC 6901 escaping, `""` for the document root).
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    path: String,
    // Line and column only: every node of a document shares its path, and an API
    // description has millions of nodes (a path per node was a third of the peak memory).
    values: BTreeMap<String, (u32, u32)>,
    keys: BTreeMap<String, (u32, u32)>,
}

impl SpanIndex {
    /// Where the value at `pointer` starts, if that node exists.
    pub fn value(&self, pointer: &str) -> Option<Location> {
        self.values.get(pointer).map(|&at| self.location(at))
    }

    /// Where the mapping key that leads to `pointer` is written (`None` for the root and
    /// for sequence items).
    pub fn key(&self, pointer: &str) -> Option<Location> {
        self.keys.get(pointer).map(|&at| self.location(at))
    }

    /// The same positions for the document nested under `key`: a plan file that is a
    /// bare list is read as `{key: list}`, and its nodes keep their lines and columns.
    pub fn nested_under(&self, key: &str) -> SpanIndex {
        let prefix = format!("/{}", escape_pointer_segment(key));
        let shift = |map: &BTreeMap<String, (u32, u32)>| {
            map.iter()
                .map(|(pointer, at)| (format!("{prefix}{pointer}"), *at))
                .collect()
        };
        SpanIndex {
            path: self.path.clone(),
            values: shift(&self.values),
            keys: shift(&self.keys),
        }
    }

    /// The mapping keys called one of `names`, with the line each is written on and the
    /// pointer of its value, in pointer order.
    pub fn keys_named(&self, names: &[&str]) -> Vec<(String, u32, String)> {
        self.keys
            .iter()
            .filter_map(|(pointer, (line, _))| {
                let last = pointer.rsplit('/').next()?;
                let name = last.replace("~1", "/").replace("~0", "~");
                names
                    .contains(&name.as_str())
                    .then(|| (name, *line, pointer.clone()))
            })
            .collect()
    }

    fn location(&self, (line, column): (u32, u32)) -> Location {
        Location::new(self.path.clone(), line, column)
    }

    /// The best location for a diagnostic about the value at `pointer`: the value itself,
    /// else its nearest existing ancestor (a missing key is reported where its parent
    /// is), else the start of the file.
    pub fn locate(&self, pointer: &str) -> Location {
        self.nearest(pointer, |current| self.values.get(current))
    }

    /// Where the entry at `pointer` is written, as a reader scanning the file looks for
    /// it: the key of a mapping entry, the first character of a sequence item or of the
    /// root; else the same for its nearest existing ancestor, else the start of the file.
    pub fn locate_entry(&self, pointer: &str) -> Location {
        self.nearest(pointer, |current| {
            self.keys.get(current).or_else(|| self.values.get(current))
        })
    }

    fn nearest<'a>(
        &'a self,
        pointer: &str,
        position: impl Fn(&str) -> Option<&'a (u32, u32)>,
    ) -> Location {
        let mut current = pointer;
        loop {
            if let Some(&at) = position(current) {
                return self.location(at);
            }
            match current.rfind('/') {
                Some(slash) => current = &current[..slash],
                None => return Location::new(self.path.clone(), 1, 1),
            }
        }
    }
}

/// A document that could not be read as YAML (or JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// Where the parser stopped (line and column of the problem when it knows them,
    /// else the start of the file).
    pub location: Location,
    /// The parser's message.
    pub message: String,
    /// What to write instead, when the line shows a known mistake (see [`syntax_hint`]).
    pub hint: Option<String>,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: invalid YAML: {}", self.location, self.message)
    }
}

impl std::error::Error for YamlError {}

/// Stack for the parser thread. The deserializer recurses per nesting level and,
/// unoptimized, takes tens of kilobytes a level: more than a test thread's 2 MiB holds
/// for a document as deep as [`MAX_DEPTH`] allows. Only touched pages are committed.
pub(crate) const PARSER_STACK_BYTES: usize = 64 << 20;

/// Deepest nesting accepted; published API descriptions nest deeper than the parser's
/// default allows, and [`PARSER_STACK_BYTES`] is sized for this.
const MAX_DEPTH: usize = 160;

/// A hint for a YAML syntax error at `line` (1-based) of `text` when the line shows a
/// mistake people make: an unquoted `{` inside a flow list, as in
/// `query_paths: [GET /orders/{id}]`, where YAML reads `{` as the start of a map. The hint
/// is the line's list with such items quoted.
pub fn syntax_hint(text: &str, line: u32) -> Option<String> {
    let line = text
        .lines()
        .nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let open = line.find('[')?;
    let close = open + line[open..].rfind(']')?;
    let items: Vec<&str> = line[open + 1..close].split(',').map(str::trim).collect();
    let needs_quotes = |item: &&str| {
        (item.contains('{') || item.contains('}'))
            && !item.starts_with('"')
            && !item.starts_with('\'')
    };
    if !items.iter().any(needs_quotes) {
        return None;
    }
    let quoted: Vec<String> = items
        .iter()
        .map(|item| {
            if needs_quotes(item) {
                format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                (*item).to_string()
            }
        })
        .collect();
    Some(format!(
        "quote a path with a parameter inside [...]: write {}[{}]{} (YAML reads an unquoted `{{` \
         in a list as the start of a map)",
        line[..open].trim_start(),
        quoted.join(", "),
        &line[close + 1..]
    ))
}

/// Reads one YAML or JSON document. `path` is the label used in every [`Location`] (pass
/// it through [`crate::model::display_path`]). An empty document (or one with only
/// comments) is `null`. Anchors, aliases and merge keys are expanded; scalar mapping keys
/// become text (`200:` has key `"200"`); duplicate keys, non-finite numbers and multiple
/// documents are errors. Budgets fit API descriptions with millions of nodes, and the
/// parse runs on its own thread with a stack large enough for the deepest document the
/// budget accepts.
pub fn read_yaml_value(path: &str, text: &str) -> Result<(Value, SpanIndex), YamlError> {
    let parsed = if crate::is_on_worker_stack() {
        // WORKER_STACK_BYTES is larger than PARSER_STACK_BYTES.
        Ok(Ok(parse(text)))
    } else {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("pgparity-yaml-parser".into())
                .stack_size(PARSER_STACK_BYTES)
                .spawn_scoped(scope, || parse(text))
                .map(|parser| parser.join())
        })
    };
    let root = match parsed {
        Ok(Ok(root)) => root,
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(spawn_error) => {
            return Err(YamlError {
                location: Location::new(path, 1, 1),
                message: format!("cannot start the YAML parser thread: {spawn_error}"),
                hint: None,
            })
        }
    };
    let root = root.map_err(|error| {
        let location = error
            .location()
            .map_or_else(|| Location::new(path, 1, 1), |at| location_of(path, &at));
        YamlError {
            hint: syntax_hint(text, location.line),
            location,
            // The location is already in `location`; the user-facing wording leaves out
            // the parser's own "at line X, column Y" and its advice to library developers.
            message: UserMessageFormatter
                .format_message(error.without_snippet())
                .into_owned(),
        }
    })?;
    let mut index = SpanIndex {
        path: path.to_string(),
        ..SpanIndex::default()
    };
    let value = flatten(root, String::new(), &mut index);
    Ok((value, index))
}

/// Parses `text`; valid JSON that YAML refuses (tabs used for indentation) is parsed
/// again with its tabs as spaces. JSON allows tabs only between tokens, so the document
/// means the same and every node keeps its line and column.
fn parse(text: &str) -> Result<Spanned<Node>, serde_saphyr::Error> {
    match serde_saphyr::from_str_with_options(text, parser_options()) {
        Err(_) if text.contains('\t') && serde_json::from_str::<IgnoredAny>(text).is_ok() => {
            serde_saphyr::from_str_with_options(&text.replace('\t', " "), parser_options())
        }
        parsed => parsed,
    }
}

/// The parser's default budget is sized for configuration files; published API
/// descriptions (a cloud provider's, a payment API's) have millions of nodes.
fn parser_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = 20_000_000;
    budget.max_events = 80_000_000;
    budget.max_depth = MAX_DEPTH;
    serde_saphyr::options! {
        budget: Some(budget),
        with_snippet: false,
    }
}

fn clamp(number: u64) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX)
}

fn location_of(path: &str, location: &serde_saphyr::Location) -> Location {
    let (line, column) = line_column(location);
    Location::new(path, line, column)
}

/// 1-based line and column (1:1 when the parser knows none).
fn line_column(location: &serde_saphyr::Location) -> (u32, u32) {
    if location.line() == 0 {
        return (1, 1);
    }
    (clamp(location.line()), clamp(location.column()).max(1))
}

/// Escapes one JSON pointer segment (RFC 6901), the way `jsonschema` prints instance paths.
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn flatten(node: Spanned<Node>, pointer: String, index: &mut SpanIndex) -> Value {
    index
        .values
        .insert(pointer.clone(), line_column(&node.referenced));
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
                index
                    .keys
                    .insert(child.clone(), line_column(&key.referenced));
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

    fn entry(index: &SpanIndex, pointer: &str) -> (u32, u32) {
        let location = index.locate_entry(pointer);
        (location.line, location.column)
    }

    #[test]
    fn entries_are_placed_at_their_key_and_items_at_their_first_character() {
        let text = "openapi: 3.0.3\ncomponents:\n  schemas:\n    Thing:\n      type: object\n      required: [a, b]\n      properties:\n        a: {type: string}\n";
        let (value, index) = read(text);
        assert_eq!(value["components"]["schemas"]["Thing"]["type"], "object");
        assert_eq!(entry(&index, "/components/schemas/Thing"), (4, 5));
        assert_eq!(
            entry(&index, "/components/schemas/Thing/properties/a"),
            (8, 9)
        );
        assert_eq!(
            entry(&index, "/components/schemas/Thing/properties/a/type"),
            (8, 13)
        );
        assert_eq!(
            entry(&index, "/components/schemas/Thing/required/1"),
            (6, 21)
        );
        assert_eq!(entry(&index, ""), (1, 1));
    }

    #[test]
    fn entries_fall_back_to_the_nearest_ancestor_entry() {
        let (_, index) = read("a:\n  b: 1\n");
        assert_eq!(entry(&index, "/a/b/c/d"), (2, 3));
        assert_eq!(entry(&index, "/zzz"), (1, 1));
        assert_eq!(&*index.locate_entry("/zzz").path, "m.yaml");
    }

    #[test]
    fn numeric_response_codes_become_text_keys() {
        let (value, index) = read("responses:\n  200:\n    description: ok\n");
        assert_eq!(value["responses"]["200"]["description"], "ok");
        assert_eq!(entry(&index, "/responses/200"), (2, 3));
    }

    #[test]
    fn json_gets_positions_too() {
        let text = "{\n  \"title\": \"X\",\n  \"properties\": {\n    \"id\": {\"type\": \"string\"}\n  }\n}\n";
        let (value, index) = read(text);
        assert_eq!(value["properties"]["id"]["type"], "string");
        assert_eq!(entry(&index, "/properties/id"), (4, 5));
    }

    #[test]
    fn tab_indented_json_is_read_with_positions() {
        let text = "{\n\t\"title\": \"X\",\n\t\"properties\": {\n\t\t\"id\": {\"type\": \"string\"}\n\t}\n}\n";
        let (value, index) = read(text);
        assert_eq!(value["title"], "X");
        assert_eq!(entry(&index, "/properties/id"), (4, 3));
    }

    #[test]
    fn tab_indented_json_with_a_repeated_key_is_refused_at_that_key() {
        let text = "{\n\t\"a\": 1,\n\t\"a\": 2\n}\n";
        let error = read_yaml_value("c.json", text).err();
        assert_eq!(error.map(|e| e.location.line), Some(3));
    }

    #[test]
    fn non_finite_numbers_are_refused_where_written() {
        let error = read_yaml_value("m.yaml", "a: 1\nb: .inf\n").err();
        assert_eq!(error.map(|e| e.location.line), Some(2));
    }

    #[test]
    fn deep_documents_are_read_without_exhausting_the_stack() {
        let depth = MAX_DEPTH - 10;
        let text = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let (value, index) = read(&text);
        assert!(value.is_array());
        let pointer = "/0".repeat(depth);
        assert_eq!(
            index.value(&pointer).map(|l| l.column),
            Some(clamp(depth as u64) + 1)
        );
    }

    #[test]
    fn documents_deeper_than_the_budget_are_refused_not_crashed() {
        let depth = MAX_DEPTH * 4;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(read_yaml_value("m.yaml", &text).is_err());
    }

    #[test]
    fn error_messages_speak_to_the_user_without_repeating_the_location() {
        let error = read_yaml_value("m.yaml", "a: 1\na: 2\n").err();
        let message = error.map(|e| e.message).unwrap_or_default();
        assert!(!message.is_empty());
        assert_eq!(message, "duplicate mapping key `a` is not allowed here");
    }
}
