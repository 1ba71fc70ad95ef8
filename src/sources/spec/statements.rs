//! The statement loop: one file's text → a sequence of parsed (or skipped, or failed)
//! statements, each with the position of its first token.
//!
//! sqlparser's `parse_sql` fails a whole file on one bad statement, so the loop drives
//! `Parser::parse_statement` itself and, on a failure, tries the small fixes in
//! [`super::fixes`] before recording a parse error and moving on to the next
//! top-level `;`. The file is first split at those `;` by [`crate::sql::split`], and
//! each piece is tokenized and parsed on its own, its positions shifted to the file's.

use super::fixes::{self, Recovery};
pub(crate) use super::object_fixes::SequenceAlteration;
use crate::sql::depth::{check_nesting, TooDeep, MAX_NESTING};
use crate::sql::{split, tokens};
use crate::timings::Tally;
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Tokenizer, Word};
use std::borrow::Cow;

/// Facts a fix learned from the text that the AST cannot hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Extras {
    /// `CREATE MATERIALIZED VIEW … WITH [NO] DATA`: the flag that was stripped.
    pub with_data: Option<bool>,
    /// `EXECUTE FUNCTION f('a', 'b')`: the literal arguments that were set aside.
    pub trigger_arguments: Option<Vec<String>>,
    /// `CREATE INDEX … ON ONLY t`: the `ONLY` that was dropped.
    pub index_only: bool,
    /// `CREATE DOMAIN … NOT NULL`: the `NOT NULL` that was dropped.
    pub domain_not_null: bool,
    /// `CREATE PROCEDURE … AS '…'`, read as the `CREATE FUNCTION` it resembles.
    pub procedure: bool,
}

/// `COMMENT ON CONSTRAINT|POLICY|TRIGGER name ON table IS …`, which sqlparser rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberComment {
    /// `CONSTRAINT`, `POLICY` or `TRIGGER`.
    pub member_kind: MemberKind,
    /// The member's name, folded.
    pub member: String,
    /// The relation's name parts, folded.
    pub relation: Vec<String>,
    /// The comment; `None` for `IS NULL`.
    pub comment: Option<String>,
}

/// The members of a relation that `COMMENT ON … ON table` can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MemberKind {
    /// `COMMENT ON CONSTRAINT`.
    Constraint,
    /// `COMMENT ON POLICY`.
    Policy,
    /// `COMMENT ON TRIGGER`.
    Trigger,
}

/// What one statement turned into.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// A statement sqlparser accepted (possibly after a fix).
    Statement(Box<Statement>, Extras),
    /// A comment on a constraint, policy or trigger (dedicated parse).
    MemberComment(MemberComment),
    /// `ALTER INDEX parent ATTACH PARTITION child` (dedicated parse): the names'
    /// folded parts.
    AttachIndex {
        /// The partitioned table's index.
        parent: Vec<String>,
        /// The partition's index.
        child: Vec<String>,
    },
    /// `ALTER SEQUENCE` (dedicated parse).
    AlterSequence(SequenceAlteration),
    /// Understood and deliberately ignored; `quiet` ones are not worth a note.
    Skipped {
        /// The statement's first words.
        statement: String,
        /// Whether to say nothing at all about it.
        quiet: bool,
    },
    /// Not understood.
    Error {
        /// sqlparser's message.
        message: String,
        /// The relation the statement's first words name, folded.
        defines: Option<Vec<String>>,
    },
}

/// One statement of a file.
#[derive(Debug)]
pub(crate) struct RawStatement {
    /// 1-based line of the statement's first token.
    pub line: u32,
    /// 1-based column of the statement's first token.
    pub column: u32,
    /// Byte offset of the statement's first token in the text it was read from.
    pub offset: usize,
    /// Byte offset of the next statement's first token (or the end of the text): the
    /// statement's source runs from `offset` to here.
    pub end: usize,
    /// Its first keywords, upper-case (`CREATE SEQUENCE`), for notes.
    pub first_words: String,
    /// What it parsed into.
    pub parsed: Parsed,
}

/// Replaces psql meta-command lines (`\connect`, `\restrict`, `\ir`, …) by empty lines,
/// so that line numbers stay those of the file. A text without them is not copied.
pub(crate) fn blank_meta_lines(text: &str) -> Cow<'_, str> {
    let is_meta = |line: &str| line.trim_start().starts_with('\\');
    if !text.split('\n').any(is_meta) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut copy = CopyRows::Outside;
    for line in text.split_inclusive('\n') {
        let blank = copy == CopyRows::Inside || is_meta(line);
        copy = copy.after(line);
        if blank {
            if line.ends_with("\r\n") {
                out.push_str("\r\n");
            } else if line.ends_with('\n') {
                out.push('\n');
            }
        } else {
            out.push_str(line);
        }
    }
    Cow::Owned(out)
}

/// Where a line is relative to the rows of a `COPY … FROM stdin;` (pg_dump writes data
/// that way): rows are data, not SQL, up to a `\.` line, and are blanked like
/// meta-commands (they hold `;` and quotes that would merge with the statements after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CopyRows {
    Outside,
    /// In a `COPY` statement that has not reached its `;`; whether `FROM STDIN` was seen.
    Statement {
        from_stdin: bool,
    },
    Inside,
}

/// Whether `line` starts with the word `COPY`.
fn starts_with_copy(line: &str) -> bool {
    line.get(..4)
        .is_some_and(|word| word.eq_ignore_ascii_case("COPY"))
        && line[4..]
            .chars()
            .next()
            .is_none_or(|next| next.is_whitespace() || next == '(')
}

impl CopyRows {
    /// The state after `line`.
    fn after(self, line: &str) -> CopyRows {
        let trimmed = line.trim();
        let upper = || trimmed.to_ascii_uppercase();
        let statement = |from_stdin: bool| {
            if trimmed.ends_with(';') {
                if from_stdin {
                    CopyRows::Inside
                } else {
                    CopyRows::Outside
                }
            } else {
                CopyRows::Statement { from_stdin }
            }
        };
        match self {
            CopyRows::Inside if trimmed == "\\." => CopyRows::Outside,
            CopyRows::Inside => CopyRows::Inside,
            CopyRows::Outside if starts_with_copy(trimmed) => {
                statement(upper().contains("FROM STDIN"))
            }
            CopyRows::Outside => CopyRows::Outside,
            CopyRows::Statement { from_stdin } => {
                statement(from_stdin || upper().contains("STDIN"))
            }
        }
    }
}

/// Splits one file's text (meta lines already blanked by [`blank_meta_lines`]) at its
/// top-level `;` and tokenizes and parses one statement at a time, handing each to
/// `apply` before reading the next: memory follows the largest statement, not the file
/// (tokenizing a whole file at once cost some 130 bytes per byte of text).
#[cfg(test)]
pub(crate) fn for_each_statement(text: &str, apply: impl FnMut(RawStatement)) {
    for_each_statement_timed(text, &mut Tally::new("parse"), apply);
}

/// [`for_each_statement`], the tokenizing and parsing timed in `parsing` (`--timings`).
pub(crate) fn for_each_statement_timed(
    text: &str,
    parsing: &mut Tally,
    mut apply: impl FnMut(RawStatement),
) {
    let mut cursor = Cursor::default();
    for piece in split::top_level_statements(text) {
        let origin = cursor.advance_to(text, piece.start);
        let chunk = &text[piece.start..piece.end];
        let first = split::first_significant(text, piece.start);
        let parsed_end = piece
            .unterminated
            .as_ref()
            .map_or(piece.end, |open| open.at);
        if parsed_end.saturating_sub(first) > MAX_STATEMENT_BYTES && !is_copy(&text[first..]) {
            let mut statement = too_large(
                &text[first..parsed_end],
                origin.advanced(&text[piece.start..first]),
            );
            statement.offset = first;
            statement.end = split::first_significant(text, piece.end);
            apply(statement);
            continue;
        }
        let statements = parsing.time(|| match &piece.unterminated {
            None => parse_piece(chunk, origin),
            Some(open) => {
                let stop = open.at - piece.start;
                let opened = origin.advanced(&chunk[..stop]);
                let message = format!(
                    "{} opened here with {} is never closed, so the rest of the file was not \
                     read: close it with {} at Line: {}, Column: {}",
                    opener_name(&open.opener),
                    open.opener.delimiter(),
                    open.opener.closing(),
                    opened.line,
                    opened.column
                );
                parse_until(chunk, origin, stop, opened, message)
            }
        });
        let mut statements = statements.into_iter().peekable();
        let piece_end = split::first_significant(text, piece.end);
        while let Some(mut statement) = statements.next() {
            statement.offset = offset_in(chunk, origin, &statement);
            statement.end = statements
                .peek()
                .map_or(piece_end, |next| offset_in(chunk, origin, next));
            apply(statement);
        }
    }
}

/// The byte offset in the file of `statement`, one of those of `chunk`, which starts at
/// `origin`.
fn offset_in(chunk: &str, origin: Cursor, statement: &RawStatement) -> usize {
    let relative = origin.relative(statement.line.into(), statement.column.into());
    origin.offset + byte_offset(chunk, relative.line as u64, relative.column as u64)
}

/// The largest statement parsed: tokens and syntax tree take some 100 to 150 bytes per
/// byte of statement, so this keeps one statement within a few hundred megabytes. Real
/// DDL statements are far smaller; multi-megabyte ones are data (`INSERT … VALUES`).
pub(crate) const MAX_STATEMENT_BYTES: usize = 4 << 20;

/// `COPY … FROM STDIN` runs to the end of the file (its data is one string token, cheap
/// to hold): the statement size limit does not apply to it.
fn is_copy(statement: &str) -> bool {
    let bytes = statement.as_bytes();
    bytes.len() >= 4
        && bytes[..4].eq_ignore_ascii_case(b"copy")
        && !bytes.get(4).is_some_and(|&byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'$') || !byte.is_ascii()
        })
}

/// A statement over [`MAX_STATEMENT_BYTES`], reported without being parsed; its first
/// words still name what it would have defined, so that objects it defines are not
/// reported missing.
fn too_large(statement: &str, at: Cursor) -> RawStatement {
    let mut head_end = statement.len().min(512);
    while !statement.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let head: Vec<TokenWithSpan> = Tokenizer::new(&PostgreSqlDialect {}, &statement[..head_end])
        .tokenize_with_location()
        .unwrap_or_default();
    RawStatement {
        line: to_u32(at.line as u64),
        column: to_u32(at.column as u64),
        offset: 0,
        end: 0,
        first_words: first_keywords(&head),
        parsed: Parsed::Error {
            message: format!(
                "the statement has {} bytes, more than the {MAX_STATEMENT_BYTES} bytes pgparity \
                 parses in one statement: split it, or keep data out of the specs",
                statement.len()
            ),
            defines: fixes::defined_relation(&significant(&head)),
        },
    }
}

fn opener_name(opener: &split::Opener) -> &'static str {
    match opener {
        split::Opener::String => "the string",
        split::Opener::QuotedIdentifier => "the quoted identifier",
        split::Opener::DollarQuote(_) => "the dollar quote",
        split::Opener::BlockComment => "the comment (comments nest: each /* needs its */)",
        split::Opener::AtomicBody => "the function body",
    }
}

/// A position in a file: where a statement's text starts, so that the positions the
/// tokenizer counts from that text's start become the file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    offset: usize,
    line: usize,
    column: usize,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            offset: 0,
            line: 1,
            column: 1,
        }
    }
}

impl Cursor {
    /// Moves forward to `offset` of `text`, counting lines and characters the way the
    /// tokenizer does (only `\n` starts a line). Moving forward only keeps a file of
    /// one long line linear.
    fn advance_to(&mut self, text: &str, offset: usize) -> Cursor {
        *self = self.advanced(&text[self.offset..offset]);
        *self
    }

    /// This position moved past `passed`.
    fn advanced(self, passed: &str) -> Cursor {
        let mut moved = self;
        moved.offset += passed.len();
        for character in passed.chars() {
            if character == '\n' {
                moved.line += 1;
                moved.column = 1;
            } else {
                moved.column += 1;
            }
        }
        moved
    }

    /// A position counted from this one's text → the same position in the file.
    fn shift(self, location: Location) -> Location {
        if location.line == 0 {
            return location;
        }
        let column = if location.line == 1 {
            location.column + self.column as u64 - 1
        } else {
            location.column
        };
        Location::new(location.line + self.line as u64 - 1, column)
    }

    /// A position in the file → the same position counted from this one's text.
    fn relative(self, line: u64, column: u64) -> Cursor {
        let line = line.saturating_sub(self.line as u64 - 1);
        let column = if line == 1 {
            column.saturating_sub(self.column as u64 - 1)
        } else {
            column
        };
        Cursor {
            offset: 0,
            line: line as usize,
            column: column as usize,
        }
    }
}

/// Tokenizes and parses one statement's text that starts at `origin`.
fn parse_piece(chunk: &str, origin: Cursor) -> Vec<RawStatement> {
    let mut tokens = Vec::new();
    if tokens::tokenize_common(chunk, &mut tokens, |token| shifted(token, origin)) {
        match parse_single_statement(tokens) {
            Ok(statement) => return vec![statement],
            // Recovery (the fixes, deep expressions kept as written) reads the statement
            // with its whitespace: it starts again from sqlparser's tokens.
            Err(_) => tokens = Vec::new(),
        }
    }
    let tokenized = Tokenizer::new(&PostgreSqlDialect {}, chunk)
        .tokenize_with_location_into_buf_with_mapper(&mut tokens, |token| shifted(token, origin));
    match tokenized {
        Ok(()) => parse_tokens_in_order(tokens),
        Err(error) => {
            let relative = error.location;
            let stop = byte_offset(chunk, relative.line, relative.column);
            let at = origin.shift(relative);
            let message = format!(
                "{} at line {}, column {} (the rest of the statement was not read)",
                error.message, at.line, at.column
            );
            let at = Cursor {
                offset: 0,
                line: at.line as usize,
                column: at.column as usize,
            };
            parse_until(chunk, origin, stop, at, message)
        }
    }
}

fn shifted(mut token: TokenWithSpan, origin: Cursor) -> TokenWithSpan {
    token.span = Span::new(origin.shift(token.span.start), origin.shift(token.span.end));
    token
}

/// A statement the tokenizer cannot read to its end (an unterminated string or dollar
/// quote): what comes before `stop` still loads, and the statement it is in is
/// reported with `message`, at `at` when nothing before it started a statement.
fn parse_until(
    chunk: &str,
    origin: Cursor,
    stop: usize,
    at: Cursor,
    message: String,
) -> Vec<RawStatement> {
    let mut tokens = Vec::new();
    let mut statements = Tokenizer::new(&PostgreSqlDialect {}, &chunk[..stop])
        .tokenize_with_location_into_buf_with_mapper(&mut tokens, |token| shifted(token, origin))
        .map(|()| parse_tokens_in_order(tokens))
        .unwrap_or_default();
    match statements.last_mut() {
        Some(RawStatement {
            parsed: Parsed::Error { message: last, .. },
            ..
        }) => *last = message,
        _ => statements.push(RawStatement {
            line: to_u32(at.line as u64),
            column: to_u32(at.column as u64),
            offset: 0,
            end: 0,
            first_words: String::new(),
            parsed: Parsed::Error {
                message,
                defines: None,
            },
        }),
    }
    statements
}

/// The byte offset of a 1-based line and character column (clamped to the text).
pub(crate) fn byte_offset(text: &str, line: u64, column: u64) -> usize {
    LineStarts::new(text).byte_offset(text, line, column)
}

/// Where each line of a text starts, so that turning many statement positions into byte
/// offsets costs one pass over the text instead of one pass per statement (a spec of
/// thousands of statements spent most of its loading time re-scanning lines).
pub(crate) struct LineStarts(Vec<usize>);

impl LineStarts {
    /// The line starts of `text`.
    pub(crate) fn new(text: &str) -> LineStarts {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        LineStarts(starts)
    }

    /// The byte offset of a 1-based line and character column of the `text` these
    /// starts were computed from (clamped to the text).
    pub(crate) fn byte_offset(&self, text: &str, line: u64, column: u64) -> usize {
        let Some(&start) = usize::try_from(line.saturating_sub(1))
            .ok()
            .filter(|_| line > 0)
            .and_then(|index| self.0.get(index))
        else {
            return text.len();
        };
        let end = text[start..]
            .find('\n')
            .map_or(text.len(), |at| start + at + 1);
        let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        start
            + text[start..end]
                .char_indices()
                .nth(skip)
                .map_or(end - start, |(at, _)| at)
    }
}

/// The statement loop over a file's tokens.
fn parse_tokens_in_order(tokens: Vec<TokenWithSpan>) -> Vec<RawStatement> {
    match parse_single_statement(tokens) {
        Ok(statement) => vec![statement],
        Err(tokens) => parse_each_statement(tokens),
    }
}

/// The common case — a piece holding one statement that parses — without copying its
/// tokens (the parser owns the ones it reads; copying every token of a 10 MB spec was a
/// tenth of its loading time). Anything else (several statements, nesting too deep, a
/// statement that does not parse or ends elsewhere than the splitter says) gives the
/// tokens back, for [`parse_each_statement`] to read from the start.
fn parse_single_statement(tokens: Vec<TokenWithSpan>) -> Result<RawStatement, Vec<TokenWithSpan>> {
    let mut start = first_significant(&tokens, 0);
    while tokens
        .get(start)
        .is_some_and(|token| token.token == Token::SemiColon)
    {
        start = first_significant(&tokens, start + 1);
    }
    let Some(first) = tokens.get(start).filter(|first| first.token != Token::EOF) else {
        return Err(tokens);
    };
    let first_span = first.span;
    let end = statement_end(&tokens, start);
    let only_statement = tokens.iter().skip(end).all(|token| {
        matches!(
            token.token,
            Token::SemiColon | Token::EOF | Token::Whitespace(_)
        )
    });
    if !only_statement || check_nesting(&tokens[start..end]).is_err() {
        return Err(tokens);
    }
    let end_span = tokens.get(end).map(|token| token.span);
    let first_words = first_keywords(&tokens[start..end]);
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(MAX_NESTING)
        .with_tokens_with_locations(tokens);
    while parser.consume_token(&Token::SemiColon) {}
    let parsed = parser.parse_statement().ok().filter(|_| {
        let next = parser.peek_token_ref();
        match end_span {
            Some(end_span) => next.span == end_span,
            None => next.token == Token::EOF,
        }
    });
    match parsed {
        Some(statement) => Ok(RawStatement {
            line: to_u32(first_span.start.line),
            column: to_u32(first_span.start.column),
            offset: 0,
            end: 0,
            first_words,
            parsed: Parsed::Statement(Box::new(statement), Extras::default()),
        }),
        None => Err(parser.into_tokens()),
    }
}

/// Parses every statement of `tokens` in order, recovering from the ones that do not
/// parse.
fn parse_each_statement(tokens: Vec<TokenWithSpan>) -> Vec<RawStatement> {
    let dialect = PostgreSqlDialect {};
    // sqlparser's default recursion limit (50 parenthesised levels) would refuse the
    // views pg_dump prints, which parenthesise every operator; each statement's depth is
    // bounded by `check_nesting` below instead.
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(MAX_NESTING)
        .with_tokens_with_locations(tokens.clone());
    let mut statements = Vec::new();
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        let first = parser.peek_token();
        if first.token == Token::EOF {
            break;
        }
        let start = first_significant(&tokens, parser.index());
        let end = statement_end(&tokens, start);
        if let Err(too_deep) = check_nesting(&tokens[start..end]) {
            reposition(&mut parser, end);
            let statement = &tokens[start..end];
            let parsed = match opaque_deep_expressions(statement).map(parse_tokens) {
                Some(Ok(kept)) => Parsed::Statement(Box::new(kept), Extras::default()),
                _ => too_deep_statement(&significant(statement), &too_deep),
            };
            statements.push(RawStatement {
                line: to_u32(first.span.start.line),
                column: to_u32(first.span.start.column),
                offset: 0,
                end: 0,
                first_words: first_keywords(statement),
                parsed,
            });
            continue;
        }
        let outcome =
            parser
                .parse_statement()
                .and_then(|statement| match &parser.peek_token_ref().token {
                    Token::SemiColon | Token::EOF => Ok(statement),
                    other => Err(ParserError::ParserError(format!(
                        "Expected: end of statement, found: {other}"
                    ))),
                });
        let parsed = match outcome {
            Ok(statement) => Parsed::Statement(Box::new(statement), Extras::default()),
            Err(error) => {
                reposition(&mut parser, end);
                recover(&tokens[start..end], error)
            }
        };
        statements.push(RawStatement {
            line: to_u32(first.span.start.line),
            column: to_u32(first.span.start.column),
            offset: 0,
            end: 0,
            first_words: first_keywords(&tokens[start..end]),
            parsed,
        });
    }
    statements
}

/// Words that name a kind of object: the statement's first words end there.
const OBJECT_KINDS: &[&str] = &[
    "TABLE",
    "SEQUENCE",
    "INDEX",
    "VIEW",
    "FUNCTION",
    "PROCEDURE",
    "TYPE",
    "DOMAIN",
    "SCHEMA",
    "EXTENSION",
    "TRIGGER",
    "CAST",
    "AGGREGATE",
    "PUBLICATION",
    "SUBSCRIPTION",
    "OPERATOR",
    "SEARCH",
    "RULE",
    "STATISTICS",
    "LANGUAGE",
    "COLLATION",
    "CONVERSION",
    "SERVER",
    "MAPPING",
    "ROLE",
    "DATABASE",
    "POLICY",
    "PRIVILEGES",
    "LABEL",
    "METHOD",
    "TABLESPACE",
];

/// Words between the verb and the object kind (`CREATE OR REPLACE VIEW`).
const MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "UNIQUE",
    "MATERIALIZED",
    "EVENT",
    "TEXT",
    "FOREIGN",
    "UNLOGGED",
    "CONSTRAINT",
    "ACCESS",
    "USER",
    "DEFAULT",
    "TEMPORARY",
    "TEMP",
    "RECURSIVE",
    "DATA",
];

/// The statement's leading keywords up to its object kind (`CREATE SEQUENCE`,
/// `CREATE EVENT TRIGGER`), or its verb alone.
fn first_keywords(tokens: &[TokenWithSpan]) -> String {
    let mut words: Vec<String> = Vec::new();
    for token in tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
    {
        let Token::Word(word) = &token.token else {
            break;
        };
        if word.quote_style.is_some() || word.keyword == Keyword::NoKeyword {
            break;
        }
        let upper = word.value.to_uppercase();
        let is_kind = OBJECT_KINDS.contains(&upper.as_str());
        let continues = words.is_empty() || is_kind || MODIFIERS.contains(&upper.as_str());
        if !continues || words.len() == 5 {
            break;
        }
        words.push(upper);
        if is_kind {
            break;
        }
    }
    words.join(" ")
}

fn to_u32(value: u64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The failed statement's tokens → a fix, a skip, or the parse error.
fn recover(tokens: &[TokenWithSpan], error: ParserError) -> Parsed {
    let words = significant(tokens);
    match fixes::recover(&words) {
        Recovery::Reparse(fixed, extras) => match parse_tokens(fixed) {
            Ok(statement) => Parsed::Statement(Box::new(statement), extras),
            Err(_) => failure(&words, error),
        },
        Recovery::Parsed(parsed) => parsed,
        Recovery::None => failure(&words, error),
    }
}

fn failure(words: &[&TokenWithSpan], error: ParserError) -> Parsed {
    let message = match error {
        ParserError::ParserError(message) | ParserError::TokenizerError(message) => message,
        ParserError::RecursionLimitExceeded => "statement nested too deeply".to_string(),
    };
    Parsed::Error {
        message,
        defines: fixes::defined_relation(words),
    }
}

/// Keywords whose parenthesised operand is one expression the model keeps as text:
/// `CHECK (…)`, a policy's `USING (…)` and `WITH CHECK (…)`, `DEFAULT (…)`.
const EXPRESSION_KEYWORDS: [Keyword; 3] = [Keyword::CHECK, Keyword::USING, Keyword::DEFAULT];

/// A too-deep statement whose depth is all in expressions the model keeps as text (see
/// [`EXPRESSION_KEYWORDS`], and an index's `WHERE …`), with each such expression made
/// one identifier token that prints back as written: the table, index or policy is kept,
/// and the expression, compared as text, is undecided for being too deep. `None` when
/// no such expression is too deep.
fn opaque_deep_expressions(statement: &[TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let is_index = first_keywords(statement).ends_with("INDEX");
    let mut kept = Vec::with_capacity(statement.len());
    let mut replaced = false;
    let mut depth = 0usize;
    let mut previous_keyword = None;
    let mut index = 0;
    while let Some(token) = statement.get(index) {
        match &token.token {
            Token::LParen
                if previous_keyword.is_some_and(|word| EXPRESSION_KEYWORDS.contains(&word)) =>
            {
                let close = matching_parenthesis(statement, index)?;
                let inner = &statement[index + 1..close];
                if check_nesting(inner).is_err() {
                    kept.extend([token.clone(), opaque(inner), statement[close].clone()]);
                    replaced = true;
                } else {
                    // Nothing inside is too deep either: skip it whole, so that each
                    // token is measured once however such groups nest.
                    kept.extend(statement[index..=close].iter().cloned());
                }
                previous_keyword = None;
                index = close + 1;
                continue;
            }
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Word(word)
                if is_index
                    && depth == 0
                    && word.quote_style.is_none()
                    && word.keyword == Keyword::WHERE =>
            {
                let predicate = &statement[index + 1..];
                if check_nesting(predicate).is_err() {
                    kept.extend([token.clone(), opaque(predicate)]);
                    return Some(kept);
                }
            }
            _ => {}
        }
        if !matches!(token.token, Token::Whitespace(_)) {
            previous_keyword = match &token.token {
                Token::Word(word) if word.quote_style.is_none() => Some(word.keyword),
                _ => None,
            };
        }
        kept.push(token.clone());
        index += 1;
    }
    replaced.then_some(kept)
}

/// The index of the `)` that closes the `(` at `open`.
fn matching_parenthesis(tokens: &[TokenWithSpan], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        match token.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// One identifier token that prints as `tokens` were written (an identifier prints its
/// name unchanged), so the model keeps the expression's text.
fn opaque(tokens: &[TokenWithSpan]) -> TokenWithSpan {
    let text: String = tokens.iter().map(|token| token.token.to_string()).collect();
    TokenWithSpan {
        token: Token::Word(Word {
            value: text.trim().to_string(),
            quote_style: None,
            keyword: Keyword::NoKeyword,
        }),
        span: tokens.first().map_or(Span::empty(), |token| token.span),
    }
}

/// A statement nesting too deeply to be parsed (every walk of its tree would recurse
/// that deep): a parse error located where the too-deep part starts.
fn too_deep_statement(words: &[&TokenWithSpan], too_deep: &TooDeep) -> Parsed {
    Parsed::Error {
        message: format!(
            "the statement nests {} levels deep from here, more than pgparity reads \
             (limit {MAX_NESTING}), so it was not read: write the expression with fewer \
             nested operators (an IN list or a helper function instead of a long chain) \
             at Line: {}, Column: {}",
            too_deep.levels, too_deep.at.line, too_deep.at.column
        ),
        defines: fixes::defined_relation(words),
    }
}

/// Parses a fixed statement; it must use every token.
fn parse_tokens(tokens: Vec<TokenWithSpan>) -> Result<Statement, ParserError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(MAX_NESTING)
        .with_tokens_with_locations(tokens);
    let statement = parser.parse_statement()?;
    while parser.consume_token(&Token::SemiColon) {}
    match &parser.peek_token_ref().token {
        Token::EOF => Ok(statement),
        other => Err(ParserError::ParserError(format!(
            "Expected: end of statement, found: {other}"
        ))),
    }
}

/// The statement's tokens without whitespace and comments.
fn significant(tokens: &[TokenWithSpan]) -> Vec<&TokenWithSpan> {
    tokens
        .iter()
        .filter(|token| !matches!(token.token, Token::Whitespace(_)))
        .collect()
}

fn first_significant(tokens: &[TokenWithSpan], from: usize) -> usize {
    let mut index = from;
    while tokens
        .get(index)
        .is_some_and(|token| matches!(token.token, Token::Whitespace(_)))
    {
        index += 1;
    }
    index
}

/// The index of the `;` that ends the statement starting at `start` (or the token
/// count). `BEGIN ATOMIC … END` bodies (with the `CASE … END` inside them) hold
/// semicolons that do not end the statement.
fn statement_end(tokens: &[TokenWithSpan], start: usize) -> usize {
    let mut depth = 0usize;
    let mut previous_begin = false;
    for (index, token) in tokens.iter().enumerate().skip(start) {
        match &token.token {
            Token::Whitespace(_) => continue,
            Token::SemiColon if depth == 0 => return index,
            Token::Word(word) if word.quote_style.is_none() => match word.keyword {
                Keyword::ATOMIC if previous_begin => depth += 1,
                Keyword::CASE if depth > 0 => depth += 1,
                Keyword::END if depth > 0 => depth -= 1,
                _ => {}
            },
            _ => {}
        }
        previous_begin = matches!(
            &token.token,
            Token::Word(word) if word.quote_style.is_none() && word.keyword == Keyword::BEGIN
        );
    }
    tokens.len()
}

/// Moves the parser to the statement's terminating `;` at `end` (consumed or next),
/// forwards after an early failure or back after one that read past it.
fn reposition(parser: &mut Parser, end: usize) {
    while parser.index() < end {
        parser.advance_token();
    }
    while parser.index() > end + 1 {
        parser.prev_token();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Vec<RawStatement> {
        let mut statements = Vec::new();
        for_each_statement(&blank_meta_lines(text), |statement| {
            statements.push(statement)
        });
        statements
    }

    fn kinds(text: &str) -> Vec<String> {
        parse_text(text)
            .iter()
            .map(|statement| match &statement.parsed {
                Parsed::Statement(..) => format!("ok@{}:{}", statement.line, statement.column),
                Parsed::MemberComment(_) => "comment".into(),
                Parsed::AttachIndex { .. } => "attach index".into(),
                Parsed::AlterSequence(_) => "alter sequence".into(),
                Parsed::Skipped { statement, .. } => format!("skip {statement}"),
                Parsed::Error { .. } => format!("error@{}:{}", statement.line, statement.column),
            })
            .collect()
    }

    #[test]
    fn meta_lines_are_blanked_keeping_line_numbers() {
        assert_eq!(
            blank_meta_lines("\\restrict abc\nSET x = 1;\n  \\connect db\nSELECT 1;"),
            "\nSET x = 1;\n\nSELECT 1;"
        );
        assert_eq!(
            kinds("\\restrict abc\nCREATE TABLE t (a int);\n\\connect db\nCREATE TABLE u (a int);"),
            ["ok@2:1", "ok@4:1"]
        );
    }

    #[test]
    fn an_unterminated_quote_keeps_the_statements_before_it() {
        let text = "CREATE TABLE a (x int);\nCREATE TABLE b (x text DEFAULT 'oops);\nCREATE TABLE c (x int);";
        let statements = parse_text(text);
        assert_eq!(statements.len(), 2);
        assert!(matches!(statements[0].parsed, Parsed::Statement(..)));
        assert_eq!((statements[1].line, statements[1].column), (2, 1));
        match &statements[1].parsed {
            Parsed::Error { message, .. } => {
                assert!(
                    message.contains("the rest of the file was not read"),
                    "{message}"
                )
            }
            other => panic!("expected an error, got {other:?}"),
        }
        assert_eq!(byte_offset("ab\ncdé f", 2, 4), 7);
        assert_eq!(byte_offset("ab\ncd\n", 2, 9), 6);
        assert_eq!(byte_offset("ab\ncd", 3, 1), 5);
        assert_eq!(byte_offset("ab\ncd", 0, 1), 5);
    }

    #[test]
    fn a_statement_nesting_past_the_limit_is_an_error_where_its_deep_part_starts() {
        let chain = vec!["a = 0"; 600].join(" OR ");
        let text = format!(
            "CREATE TABLE a (x int);\nCREATE VIEW v AS\n  SELECT 1\n  FROM a\n  WHERE {chain};\nCREATE TABLE c (x int);"
        );
        assert_eq!(kinds(&text), ["ok@1:1", "error@2:1", "ok@6:1"]);
        match &parse_text(&text)[1].parsed {
            Parsed::Error { message, defines } => {
                assert!(message.contains("levels deep"), "{message}");
                assert!(message.contains("(limit 1000)"), "{message}");
                assert!(message.ends_with(" at Line: 5, Column: 3"), "{message}");
                assert_eq!(defines.as_deref(), Some(&["v".to_string()][..]));
            }
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn a_too_deep_check_policy_or_index_predicate_is_kept_as_written() {
        let chain = vec!["a = 0"; 600].join(" OR ");
        let statements = [
            format!("CREATE TABLE t (\n  a int CHECK ({chain}),\n  b int DEFAULT 1)"),
            format!("CREATE POLICY p ON t USING ({chain}) WITH CHECK ({chain})"),
            format!("CREATE INDEX i ON t (a) WHERE {chain}"),
            format!("ALTER TABLE t ADD CONSTRAINT c CHECK (({chain}))"),
        ];
        for statement in statements {
            match &parse_text(&statement)[0].parsed {
                Parsed::Statement(parsed, _) => {
                    let printed = parsed.to_string();
                    assert!(printed.contains(&chain), "{printed}");
                }
                other => panic!("{statement}: expected a statement, got {other:?}"),
            }
        }
        // A deep default without parentheses cannot be told from the column's other
        // options: the statement is refused.
        let default = format!(
            "CREATE TABLE t (a int DEFAULT {})",
            vec!["1"; 1_200].join("+")
        );
        assert_eq!(kinds(&default), ["error@1:1"]);
    }

    #[test]
    fn a_broken_statement_is_reported_and_the_rest_still_parses() {
        let text =
            "CREATE TABLE a (x int);\nCREATE TABLE b (x int,, y);\n  CREATE TABLE c (x int);";
        assert_eq!(kinds(text), ["ok@1:1", "error@2:1", "ok@3:3"]);
    }

    #[test]
    fn semicolons_inside_quotes_comments_and_bodies_do_not_split() {
        let text = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n\
                    CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; END $fn$;\n\
                    COMMENT ON TABLE t IS 'a; b';\n\
                    -- a comment; with a semicolon\n\
                    /* block; comment */ CREATE TABLE t (a int);";
        assert_eq!(kinds(text), ["ok@1:1", "ok@2:1", "ok@3:1", "ok@5:22"]);
    }

    #[test]
    fn begin_atomic_bodies_stay_in_one_statement() {
        let text = "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 THEN 1 ELSE 2 END;\n  SELECT 2;\nEND;\nCREATE TABLE t (a int);";
        let parsed = kinds(text);
        assert_eq!(parsed.len(), 2, "{parsed:?}");
        assert_eq!(parsed[1], "ok@6:1");
    }

    #[test]
    fn a_statement_over_the_size_limit_is_reported_unparsed_at_its_first_token() {
        let columns: Vec<String> = (0..MAX_STATEMENT_BYTES / 10)
            .map(|n| format!("c{n} int"))
            .collect();
        let text = format!(
            "CREATE TABLE a (x int);\n-- wide\n  CREATE TABLE wide ({});\nCREATE TABLE b (x int);",
            columns.join(", ")
        );
        let statements = parse_text(&text);
        assert_eq!(statements.len(), 3);
        let wide = &statements[1];
        assert_eq!((wide.line, wide.column, wide.offset), (3, 3, 34));
        assert_eq!(wide.first_words, "CREATE TABLE");
        match &wide.parsed {
            Parsed::Error { message, defines } => {
                assert!(message.contains("more than the 4194304 bytes"), "{message}");
                assert_eq!(defines.as_deref(), Some(&["wide".to_string()][..]));
            }
            other => panic!("expected an error, got {other:?}"),
        }
        assert!(matches!(statements[2].parsed, Parsed::Statement(..)));
        let data = "1\n".repeat(MAX_STATEMENT_BYTES);
        let copy = parse_text(&format!("COPY t (a) FROM stdin;\n{data}"));
        assert!(
            matches!(copy[0].parsed, Parsed::Statement(..)),
            "{:?}",
            copy[0].parsed
        );
    }

    #[test]
    fn copy_rows_are_not_read_as_sql() {
        let text = "CREATE TABLE t (a text);\nCOPY public.t (a) FROM stdin;\nx; DROP TABLE t\n'unclosed\n\\.\nCREATE TABLE u (b int);\n";
        let blanked = blank_meta_lines(text);
        assert_eq!(blanked.lines().count(), text.lines().count());
        assert!(!blanked.contains("DROP") && !blanked.contains("unclosed"));
        assert_eq!(kinds(&blanked), ["ok@1:1", "ok@2:1", "ok@6:1"]);
        let spread = "COPY public.t (a)\n  FROM stdin\n  WITH (FORMAT text);\n1;2\n\\.\nCREATE TABLE u (b int);\n";
        let blanked = blank_meta_lines(spread);
        assert!(!blanked.contains("1;2"), "{blanked}");
        assert_eq!(kinds(&blanked)[1], "ok@6:1");
        let to_stdout = "COPY t TO stdout;\nCREATE TABLE u (b int);\n\\echo done\n";
        assert!(blank_meta_lines(to_stdout).contains("CREATE TABLE u"));
        assert!(!starts_with_copy("ÄÖÜ"));
        assert!(starts_with_copy("COPY") && !starts_with_copy("COPYING t"));
    }

    #[test]
    fn a_broken_begin_atomic_body_is_skipped_whole() {
        let text = "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1 +;\n  SELECT 2;\nEND;\nCREATE TABLE t (a int);";
        assert_eq!(kinds(text), ["error@1:1", "ok@6:1"]);
    }
}
