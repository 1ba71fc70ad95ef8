//! The Markdown index plan: one `####` heading per index, then `**Table**:` (or
//! `**Materialized View**:`, `**View**:`, `**Relation**:`; else the nearest `###`
//! heading above names the relation), `**Columns**:`, `**Type**:`, `**Query Path**:` (a
//! text, or a bullet list under `**Query Paths**:`) and `**Status**:` lines (list items
//! allowed). Other headings and prose are ignored, and so are code blocks, HTML blocks and
//! block quotes, as pulldown-cmark reads them. An entry that cannot be read is a
//! [`PlanProblem`] at its heading; the others still count.

use super::claims::endpoint_mentions;
use super::model::{PlanEntry, PlanFile, PlanProblem, PlanStatus};
use super::plan::{fill_forms, plan_key};
use crate::model::{Expr, Location, QualifiedName};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};
use std::ops::Range;

/// Index access methods PostgreSQL ships, as they may appear in a `**Type**:` line.
const METHODS: [&str; 6] = ["btree", "hash", "gin", "gist", "brin", "spgist"];

/// Parses a Markdown index plan. `path_label` names the file in locations; unqualified
/// relation names get `default_schema`, unqualified index names their relation's schema.
/// A `####` section with none of the plan's fields is prose and ignored; one with some
/// but without an index name, a relation or columns is a [`PlanProblem`] at its heading.
pub fn parse_markdown_plan(path_label: &str, text: &str, default_schema: &str) -> PlanFile {
    let mut plan = PlanFile {
        path: path_label.to_string(),
        ..PlanFile::default()
    };
    for draft in read_sections(text) {
        if !draft.is_entry() {
            continue;
        }
        match draft.finish(path_label, default_schema) {
            Ok(entry) => plan.entries.push(entry),
            Err(problems) => plan.problems.extend(problems),
        }
    }
    fill_forms(&mut plan.entries);
    plan.problems.sort();
    plan
}

/// The `####` sections of a plan with the fields under each, from pulldown-cmark's
/// events and their source offsets. Headings inside block quotes and fields outside a
/// paragraph or list item (code, HTML, quotes) are not part of the plan. Field values
/// and heading text are read from the source, backticks included, as written.
fn read_sections(text: &str) -> Vec<Draft> {
    let mut drafts: Vec<Draft> = Vec::new();
    let mut lines = LineCounter::new(text);
    // Inside a `####` section: fields belong to its draft until the next heading.
    let mut open = false;
    // The relation the nearest `###` heading names, for the `####` sections under it.
    let mut section_relation: Option<String> = None;
    let mut quotes = 0usize;
    let mut heading: Option<HeadingText> = None;
    // The next inline event starts a line of a paragraph or a list item.
    let mut line_start = false;
    for (event, range) in Parser::new(text).into_offset_iter() {
        if matches!(&event, Event::Text(inline) if inline.is_empty()) {
            continue;
        }
        let at_line_start = std::mem::take(&mut line_start);
        match event {
            Event::Start(Tag::BlockQuote(_)) => quotes += 1,
            Event::End(TagEnd::BlockQuote(_)) => quotes = quotes.saturating_sub(1),
            Event::Start(Tag::Heading { level, .. }) if quotes == 0 => {
                heading = Some(HeadingText {
                    level,
                    start: range.start,
                    content: None,
                    code: None,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(read) = heading.take() {
                    let written = read.content.clone().map_or("", |span| text[span].trim());
                    open = read.level == HeadingLevel::H4;
                    if open {
                        let (line, column) = lines.position(read.start);
                        let name = read.code.clone().unwrap_or_else(|| heading_name(written));
                        let mut draft = Draft::new(name, line, column);
                        draft.section_relation = section_relation.clone();
                        drafts.push(draft);
                    } else if read.level == HeadingLevel::H3 {
                        section_relation = read.code.or_else(|| heading_relation(written));
                    } else if read.level < HeadingLevel::H3 {
                        section_relation = None;
                    }
                }
            }
            Event::Start(Tag::Item) => {
                line_start = heading.is_none();
                if let (true, 0, Some(draft)) = (open, quotes, drafts.last_mut()) {
                    draft.list_item(item_first_line(text, range.start));
                }
            }
            Event::Start(Tag::Paragraph) | Event::SoftBreak | Event::HardBreak => {
                line_start = heading.is_none();
            }
            Event::Start(Tag::Strong) if at_line_start && open && quotes == 0 => {
                if let (Some(draft), Some((label, value))) = (drafts.last_mut(), field(text, range))
                {
                    draft.record(&label, value);
                }
            }
            _ => {
                if let Some(read) = heading.as_mut() {
                    let start = read.content.as_ref().map_or(range.start, |span| span.start);
                    read.content = Some(start..range.end);
                    if let (None, Event::Code(code)) = (&read.code, &event) {
                        read.code = Some(code.trim().to_string());
                    }
                }
            }
        }
    }
    drafts
}

/// The index a `####` heading without a code span names: the first word after any
/// `Index:`-style label and list numbering (`1. idx_a (new)` → `idx_a`), if it is a name.
fn heading_name(written: &str) -> String {
    let after_label = written.rsplit_once(':').map_or(written, |(_, name)| name);
    after_label
        .split_whitespace()
        .find(|word| !is_numbering(word))
        .map(|word| word.trim_end_matches([',', ';', ':', '.']))
        .filter(|word| is_name(word))
        .unwrap_or_default()
        .to_string()
}

/// The relation a `###` heading without a code span names: its text (after any
/// `Table:`-style label) when that is one name, such as `### revenue_ledger`; a title
/// such as `### Materialized View Indexes` names none.
fn heading_relation(written: &str) -> Option<String> {
    let after_label = written
        .rsplit_once(':')
        .map_or(written, |(_, name)| name)
        .trim();
    is_name(after_label).then(|| after_label.to_string())
}

/// `1.`, `2)`: list numbering written into a heading.
fn is_numbering(word: &str) -> bool {
    word.len() > 1
        && word.ends_with(['.', ')'])
        && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit())
}

/// A relation or index name, maybe schema-qualified or quoted.
fn is_name(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '"' | '$'))
}

/// The first line of a list item, without its marker (`- `, `* `, `+ `, `1. `, `1) `).
fn item_first_line(text: &str, start: usize) -> &str {
    let rest = &text[start..];
    let line = rest[..rest.find('\n').unwrap_or(rest.len())].trim();
    let without_marker = match line.strip_prefix(['-', '*', '+']) {
        Some(after) => after,
        None => {
            let digits = line.chars().take_while(char::is_ascii_digit).count();
            match line[digits..].strip_prefix(['.', ')']) {
                Some(after) if digits > 0 => after,
                _ => line,
            }
        }
    };
    without_marker.trim()
}

/// A heading while its inline events arrive.
struct HeadingText {
    level: HeadingLevel,
    /// Byte offset of its first `#`.
    start: usize,
    /// Source span of its text, without the `#` marks around it.
    content: Option<Range<usize>>,
    /// Its first code span: the index name when the heading has one.
    code: Option<String>,
}

/// 1-based line and column of byte offsets that only move forward.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn position(&mut self, offset: usize) -> (u32, u32) {
        let passed = &self.text[self.offset..offset];
        self.line += passed.matches('\n').count();
        if let Some(newline) = passed.rfind('\n') {
            self.line_start = self.offset + newline + 1;
        }
        self.offset = offset;
        let column = self.text[self.line_start..offset].chars().count() + 1;
        (
            u32::try_from(self.line).unwrap_or(u32::MAX),
            u32::try_from(column).unwrap_or(u32::MAX),
        )
    }
}

/// What one `####` section said, before it is checked.
struct Draft {
    name: String,
    line: u32,
    column: u32,
    /// What the nearest `###` heading above names.
    section_relation: Option<String>,
    table: Option<String>,
    columns: Option<String>,
    index_type: Option<String>,
    query_path: Option<String>,
    status: Option<String>,
    /// Bullet items under a `**Query Paths**:` line with no text of its own.
    listed_query_paths: Vec<String>,
    /// The last field recorded was `**Query Paths**:` with no text: list items follow.
    awaiting_list: bool,
}

impl Draft {
    fn new(name: String, line: u32, column: u32) -> Self {
        Draft {
            name,
            line,
            column,
            section_relation: None,
            table: None,
            columns: None,
            index_type: None,
            query_path: None,
            status: None,
            listed_query_paths: Vec::new(),
            awaiting_list: false,
        }
    }

    /// Whether the section holds any of the plan's fields (else it is prose).
    fn is_entry(&self) -> bool {
        self.table.is_some()
            || self.columns.is_some()
            || self.index_type.is_some()
            || self.query_path.is_some()
            || self.status.is_some()
            || !self.listed_query_paths.is_empty()
    }

    fn record(&mut self, label: &str, value: &str) {
        let value = value.trim();
        let is_query_path = matches!(label, "query path" | "query paths");
        self.awaiting_list = is_query_path && value.is_empty();
        let slot = match label {
            "table" | "materialized view" | "view" | "relation" | "table name" => &mut self.table,
            "columns" | "column" | "key columns" | "key" => &mut self.columns,
            "type" | "index type" => &mut self.index_type,
            "query path" | "query paths" if !value.is_empty() => &mut self.query_path,
            "status" => &mut self.status,
            _ => return,
        };
        slot.get_or_insert_with(|| value.to_string());
    }

    /// A list item in the section: a query path when it follows an empty
    /// `**Query Paths**:` line (items that are fields themselves are read as fields).
    fn list_item(&mut self, first_line: &str) {
        if self.awaiting_list && !first_line.is_empty() && !first_line.starts_with("**") {
            self.listed_query_paths.push(first_line.to_string());
        }
    }

    fn finish(self, path_label: &str, default_schema: &str) -> Result<PlanEntry, Vec<PlanProblem>> {
        let location = Location::new(path_label, self.line, self.column);
        let problem = |message: &str| PlanProblem {
            location: location.clone(),
            entry: if self.name.is_empty() {
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
            .and_then(first_name)
            .or_else(|| self.section_relation.as_deref().and_then(first_name));
        if table.is_none() {
            problems.push(problem(
                "no relation: add `**Table**: schema.table` (or `**Materialized View**:`, \
                 `**View**:`, `**Relation**:`) under the heading, or put the entry under a \
                 `### relation_name` heading",
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
        let texts: Vec<&str> = self
            .query_path
            .as_deref()
            .into_iter()
            .chain(self.listed_query_paths.iter().map(String::as_str))
            .collect();
        let says_future = texts.iter().any(|text| mentions_word(text, "future"))
            || self.status.as_deref().is_some_and(|status| {
                mentions_word(status, "future") || mentions_word(status, "planned")
            });
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
            query_paths: texts.iter().map(|text| resolve_query_path(text)).collect(),
            status: if says_future {
                PlanStatus::Future
            } else {
                PlanStatus::Active
            },
            location: Some(location),
        })
    }
}

/// The relation a field value names: its first word, backticks and trailing
/// punctuation dropped (`` `mv_realtime_revenue` (refreshed every minute) ``).
fn first_name(value: &str) -> Option<String> {
    let value = without_backticks(value);
    value
        .split_whitespace()
        .next()
        .map(|word| word.trim_end_matches([',', ';', ':', '(']).to_string())
        .filter(|word| !word.is_empty())
}

/// The field a line starts with: `strong` is the source span of the bold text that
/// opens a line of a paragraph or list item, `**Label**: value` or `**Label:** value`.
/// The label comes back lower-cased with single spaces; the value is the rest of the
/// source line.
fn field(text: &str, strong: Range<usize>) -> Option<(String, &str)> {
    let label = text[strong.clone()]
        .strip_prefix("**")?
        .strip_suffix("**")?;
    let rest = &text[strong.end..];
    let after = &rest[..rest.find('\n').unwrap_or(rest.len())];
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
    endpoint_mentions(&text).into_iter().next().unwrap_or(text)
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

    /// Each section's name, heading line and column, and the fields it recorded.
    fn sections(text: &str) -> Vec<(String, u32, u32, [Option<String>; 4])> {
        read_sections(text)
            .into_iter()
            .map(|draft| {
                (
                    draft.name,
                    draft.line,
                    draft.column,
                    [
                        draft.table,
                        draft.columns,
                        draft.index_type,
                        draft.query_path,
                    ],
                )
            })
            .collect()
    }

    fn fields(
        table: &str,
        columns: &str,
        index_type: &str,
        query_path: &str,
    ) -> [Option<String>; 4] {
        [table, columns, index_type, query_path]
            .map(|value| Some(value.to_string()).filter(|value| !value.is_empty()))
    }

    #[test]
    fn headings_and_fields_are_recognised() {
        let text = "#### `idx_a` ##\n\
                    - **Table:** `t`\n\
                    2. **Query  Path**: GET /x\n\
                    \n\
                    **bold** prose\n\
                    #hashtag\n\
                    \n\
                    #### 1. `idx_b` (new)\n";
        assert_eq!(
            sections(text),
            [
                ("idx_a".to_string(), 1, 1, fields("`t`", "", "", "GET /x")),
                ("idx_b".to_string(), 8, 1, fields("", "", "", "")),
            ]
        );
    }

    #[test]
    fn fields_are_read_line_by_line_in_paragraphs_and_list_items() {
        let text = "# Plan\n\
                    **Table**: before any section\n\
                    \n\
                    #### idx_a\n\
                    Some prose first.\n\
                    **Table**: `s.t`\n\
                    **Columns**:  (a, b DESC)  \n\
                    **Table**: the first one wins\n\
                    \n\
                    * **Type:** UNIQUE BTREE (partial: `WHERE a > 1`)\n\
                    * nested:\n\
                    \x20 + **Key  Columns**: ignored, columns are set\n\
                    \x20 1) **Query Paths** : GET /a?b=1\n\
                    \n\
                    ## Other\n\
                    **Table**: after a heading of another level\n";
        assert_eq!(
            sections(text),
            [(
                "idx_a".to_string(),
                4,
                1,
                fields(
                    "`s.t`",
                    "(a, b DESC)",
                    "UNIQUE BTREE (partial: `WHERE a > 1`)",
                    "GET /a?b=1"
                )
            )]
        );
    }

    #[test]
    fn code_blocks_hide_headings_and_fields_and_locations_stay_exact() {
        let text = "intro\n\
                    \n\
                    \x20  #### idx_a\n\
                    ```sql\n\
                    #### not_a_heading\n\
                    **Table**: not a field\n\
                    ~~~\n\
                    ```\n\
                    ~~~~\n\
                    **Columns**: not a field either\n\
                    ~~~~\n\
                    **Table**: t\n\
                    \n\
                    ####\n\
                    #### ``idx_c`` #\n";
        assert_eq!(
            sections(text),
            [
                ("idx_a".to_string(), 3, 4, fields("t", "", "", "")),
                (String::new(), 14, 1, fields("", "", "", "")),
                ("idx_c".to_string(), 15, 1, fields("", "", "", "")),
            ]
        );
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
