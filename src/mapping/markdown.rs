//! The Markdown index plan: one `####` heading per index, then `**Table**:`,
//! `**Columns**:`, `**Type**:` and `**Query Path**:` lines (list items allowed).
//! Other headings and prose are ignored.

use super::error::{MappingDiagnostic, MappingError};
use super::model::{PlanEntry, PlanStatus};
use super::plan::{fill_forms, plan_key};
use crate::model::{Expr, Location, QualifiedName};

/// Index access methods PostgreSQL ships, as they may appear in a `**Type**:` line.
const METHODS: [&str; 6] = ["btree", "hash", "gin", "gist", "brin", "spgist"];

/// HTTP methods that start an endpoint reference in a `**Query Path**:` text.
const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Parses a Markdown index plan. `path_label` names the file in locations; unqualified
/// table names get `default_schema`, unqualified index names their table's schema.
/// An entry without a `**Table**:` or `**Columns**:` line is a diagnostic at its heading.
pub fn parse_markdown_plan(
    path_label: &str,
    text: &str,
    default_schema: &str,
) -> Result<Vec<PlanEntry>, MappingError> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut open = false;
    let mut fence: Option<char> = None;
    for (number, line) in text.lines().enumerate() {
        let line_number = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let trimmed = line.trim_start();
        if let Some(marker) = fence_marker(trimmed) {
            fence = match fence {
                Some(open_marker) if open_marker == marker => None,
                None => Some(marker),
                still_open => still_open,
            };
            continue;
        }
        if fence.is_some() {
            continue;
        }
        if let Some((level, heading_text, column)) = heading(line) {
            open = level == 4;
            if open {
                drafts.push(Draft::new(heading_text, line_number, column));
            }
            continue;
        }
        if let (true, Some(draft), Some((label, value))) = (open, drafts.last_mut(), field(line)) {
            draft.record(&label, value);
        }
    }

    let mut entries = Vec::new();
    let mut diagnostics = Vec::new();
    for draft in drafts {
        match draft.finish(path_label, default_schema) {
            Ok(entry) => entries.push(entry),
            Err(problems) => diagnostics.extend(problems),
        }
    }
    if diagnostics.is_empty() {
        fill_forms(&mut entries);
        Ok(entries)
    } else {
        diagnostics.sort();
        Err(MappingError::Invalid(diagnostics))
    }
}

/// What one `####` section said, before it is checked.
struct Draft {
    name: String,
    line: u32,
    column: u32,
    table: Option<String>,
    columns: Option<String>,
    index_type: Option<String>,
    query_path: Option<String>,
}

impl Draft {
    fn new(heading_text: &str, line: u32, column: u32) -> Self {
        Draft {
            name: index_name(heading_text),
            line,
            column,
            table: None,
            columns: None,
            index_type: None,
            query_path: None,
        }
    }

    fn record(&mut self, label: &str, value: &str) {
        let slot = match label {
            "table" => &mut self.table,
            "columns" | "column" | "key columns" => &mut self.columns,
            "type" | "index type" => &mut self.index_type,
            "query path" | "query paths" => &mut self.query_path,
            _ => return,
        };
        slot.get_or_insert_with(|| value.trim().to_string());
    }

    fn finish(
        self,
        path_label: &str,
        default_schema: &str,
    ) -> Result<PlanEntry, Vec<MappingDiagnostic>> {
        let location = Location::new(path_label, self.line, self.column);
        let problem = |message: &str| MappingDiagnostic {
            location: location.clone(),
            key_path: if self.name.is_empty() {
                "####".to_string()
            } else {
                self.name.clone()
            },
            message: message.to_string(),
        };
        let mut problems = Vec::new();
        if self.name.is_empty() {
            problems.push(problem(
                "the heading names no index; write `#### index_name`",
            ));
        }
        let table = self
            .table
            .as_deref()
            .map(without_backticks)
            .filter(|t| !t.is_empty());
        if table.is_none() {
            problems.push(problem(
                "no `**Table**:` line under this heading; add `**Table**: schema.table`",
            ));
        }
        let columns = self.columns.as_deref().map(key_columns).unwrap_or_default();
        if columns.is_empty() {
            problems.push(problem(
                "no `**Columns**:` line under this heading; add `**Columns**: a, b DESC`",
            ));
        }
        let Some(table) = table.filter(|_| problems.is_empty()) else {
            return Err(problems);
        };
        let table = QualifiedName::parse(&table, default_schema);
        let shape = self.index_type.as_deref().map(index_shape);
        let (query_paths, status) = match self.query_path.as_deref() {
            Some(text) => (
                vec![resolve_query_path(text)],
                if mentions_word(text, "future") {
                    PlanStatus::Future
                } else {
                    PlanStatus::Active
                },
            ),
            None => (Vec::new(), PlanStatus::Active),
        };
        Ok(PlanEntry {
            index: QualifiedName::parse(&self.name, &table.schema),
            table,
            columns: columns.iter().map(|column| plan_key(column)).collect(),
            unique: shape.as_ref().map(|shape| shape.unique),
            method: shape.as_ref().and_then(|shape| shape.method.clone()),
            predicate: shape
                .as_ref()
                .and_then(|shape| shape.predicate.as_deref())
                .map(Expr::from),
            include: shape.map(|shape| shape.include).unwrap_or_default(),
            query_paths,
            status,
            location: Some(location),
        })
    }
}

/// The fence character of a code fence line (three or more backticks or tildes).
fn fence_marker(trimmed: &str) -> Option<char> {
    ['`', '~']
        .into_iter()
        .find(|&marker| trimmed.starts_with(&marker.to_string().repeat(3)))
}

/// An ATX heading: its level, its text without closing `#`s, and the 1-based column of
/// its first `#`.
fn heading(line: &str) -> Option<(usize, &str, u32)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[level..];
    if !(1..=6).contains(&level) || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let text = after.trim();
    let text = match text.trim_end_matches('#') {
        stripped if stripped.is_empty() || stripped.ends_with([' ', '\t']) => stripped.trim_end(),
        _ => text,
    };
    Some((level, text, u32::try_from(indent + 1).unwrap_or(1)))
}

/// The index name in a heading: the first backticked span if any, else the whole text.
fn index_name(heading_text: &str) -> String {
    let mut spans = heading_text.split('`');
    match (spans.next(), spans.next(), spans.next()) {
        (Some(_), Some(quoted), Some(_)) => quoted.trim().to_string(),
        _ => heading_text.trim().to_string(),
    }
}

/// A `**Label**: value` (or `**Label:** value`) line, list marker allowed; the label
/// lower-cased with single spaces.
fn field(line: &str) -> Option<(String, &str)> {
    let rest = strip_list_marker(line.trim());
    let rest = rest.strip_prefix("**")?;
    let close = rest.find("**")?;
    let label = &rest[..close];
    let after = &rest[close + 2..];
    let (label, value) = match label.strip_suffix(':') {
        Some(label) => (label, after),
        None => (label, after.trim_start().strip_prefix(':')?),
    };
    let label = label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    Some((label, value.trim()))
}

fn strip_list_marker(line: &str) -> &str {
    for bullet in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return rest.trim_start();
        }
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        let after = &line[digits..];
        if let Some(rest) = after
            .strip_prefix(". ")
            .or_else(|| after.strip_prefix(") "))
        {
            return rest.trim_start();
        }
    }
    line
}

fn without_backticks(text: &str) -> String {
    text.replace('`', "").trim().to_string()
}

/// `a, b DESC`, `(a, b DESC)` or backticked forms → `["a", "b DESC"]`.
fn key_columns(text: &str) -> Vec<String> {
    let text = without_backticks(text);
    let inner = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) if balanced(inner) => inner,
        _ => text.as_str(),
    };
    split_top_level(inner)
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// Splits on commas outside parentheses and quotes, so `coalesce(a, b)` stays whole.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|part| part.trim().to_string())
        .filter(|part| !part.is_empty())
        .collect()
}

/// What a `**Type**:` line says about the index.
struct IndexShape {
    unique: bool,
    method: Option<String>,
    predicate: Option<String>,
    include: Vec<String>,
}

/// `UNIQUE BTREE (partial: \`WHERE x IS NOT NULL\`) INCLUDE (a, b)` → its parts.
fn index_shape(text: &str) -> IndexShape {
    let mut descriptive = text.to_string();
    let mut predicate = None;
    if let Some(at) = find_word(text, "where") {
        let before = &text[..at];
        let after = &text[at + "where".len()..];
        let inside_backticks = before.matches('`').count() % 2 == 1;
        let end = if inside_backticks {
            after.find('`').unwrap_or(after.len())
        } else {
            closing_paren(after).unwrap_or(after.len())
        };
        let condition = after[..end].trim();
        if !condition.is_empty() {
            predicate = Some(condition.to_string());
        }
        descriptive = format!("{before} {}", &after[end..]);
    }
    let mut include = Vec::new();
    if let Some(at) = find_word(&descriptive, "include") {
        let after = &descriptive[at + "include".len()..];
        if let Some(open) = after.find('(') {
            let list = &after[open + 1..];
            let close = closing_paren(list).unwrap_or(list.len());
            include = split_top_level(&without_backticks(&list[..close]));
            descriptive = format!("{} {}", &descriptive[..at], &list[close..]);
        }
    }
    let words: Vec<String> = descriptive
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    let unique = words.iter().enumerate().any(|(at, word)| {
        word == "unique" && !(at > 0 && matches!(words[at - 1].as_str(), "non" | "not"))
    });
    let method = words
        .iter()
        .find(|word| METHODS.contains(&word.as_str()))
        .cloned();
    IndexShape {
        unique,
        method,
        predicate,
        include,
    }
}

/// Byte offset of the `)` that closes a group opened before `text` starts.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (at, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(at),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Byte offset of `word` (ASCII, case-insensitive) standing as a whole word in `text`.
fn find_word(text: &str, word: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    lower.match_indices(word).map(|(at, _)| at).find(|&at| {
        let before = lower[..at].chars().next_back();
        let after = lower[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

fn mentions_word(text: &str, word: &str) -> bool {
    find_word(text, word).is_some()
}

/// The first `METHOD /path` in a free text, query string dropped; the text itself
/// (without backticks) when it names no endpoint, so it can match a `queries:` name.
fn resolve_query_path(text: &str) -> String {
    let text = without_backticks(text);
    let words: Vec<&str> = text.split_whitespace().collect();
    for pair in words.windows(2) {
        let method = pair[0]
            .trim_start_matches(|c: char| !c.is_ascii_alphabetic())
            .to_ascii_uppercase();
        if !HTTP_METHODS.contains(&method.as_str()) || !pair[1].starts_with('/') {
            continue;
        }
        let path_end = pair[1]
            .find(['?', '#', ',', ')', ';', '"', '\'', ']'])
            .unwrap_or(pair[1].len());
        let path = pair[1][..path_end].trim_end_matches(['.', ':']);
        return format!("{method} {path}");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_lines_give_uniqueness_method_predicate_and_include() {
        let shape = index_shape("UNIQUE BTREE (partial: `WHERE allocation_id IS NOT NULL`)");
        assert!(shape.unique);
        assert_eq!(shape.method.as_deref(), Some("btree"));
        assert_eq!(
            shape.predicate.as_deref(),
            Some("allocation_id IS NOT NULL")
        );
        let shape = index_shape("NON-UNIQUE GIN (partial: WHERE (a > 1) AND b) INCLUDE (`x`, y)");
        assert!(!shape.unique);
        assert_eq!(shape.method.as_deref(), Some("gin"));
        assert_eq!(shape.predicate.as_deref(), Some("(a > 1) AND b"));
        assert_eq!(shape.include, ["x", "y"]);
    }

    #[test]
    fn query_paths_resolve_to_the_first_endpoint() {
        assert_eq!(
            resolve_query_path("Realtime card: `GET /api/revenue?tenant_id=X`, then POST /x"),
            "GET /api/revenue"
        );
        assert_eq!(resolve_query_path("`operator-triage`"), "operator-triage");
    }

    #[test]
    fn headings_and_fields_are_recognised() {
        assert_eq!(heading("#### `idx_a` ##"), Some((4, "`idx_a`", 1)));
        assert_eq!(heading("#hashtag"), None);
        assert_eq!(index_name("1. `idx_a` (new)"), "idx_a");
        assert_eq!(
            field("- **Table:** `t`"),
            Some(("table".to_string(), "`t`"))
        );
        assert_eq!(
            field("2. **Query  Path**: GET /x"),
            Some(("query path".to_string(), "GET /x"))
        );
        assert_eq!(field("**bold** prose"), None);
    }

    #[test]
    fn columns_keep_expressions_whole() {
        assert_eq!(
            key_columns("(tenant_id, lower(email), `b` DESC)"),
            ["tenant_id", "lower(email)", "b DESC"]
        );
        assert_eq!(key_columns("(a), (b)"), ["(a)", "(b)"]);
    }
}
