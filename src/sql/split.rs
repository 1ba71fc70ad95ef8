//! Splitting a SQL script at its top-level `;` without tokenizing it: quoted strings
//! (`'…'`, `E'…'` with backslash escapes), quoted identifiers, dollar quotes
//! (`$$…$$`, `$tag$…$tag$`), line and nested block comments, and `BEGIN ATOMIC … END`
//! bodies (with the `CASE … END` inside them) hold semicolons that do not end a
//! statement.
//!
//! The spec loader tokenizes and parses one piece at a time, so its memory follows the
//! largest statement rather than the whole file. The rules follow PostgreSQL's lexer
//! where sqlparser's tokenizer agrees with it; where they differ only in corner cases
//! (operators glued to `--`), a statement is at worst reported as not parsing.

/// One top-level statement of a script: its byte range, from just after the previous
/// statement's `;` (or the start) to just after its own `;` (or the end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset where the piece starts.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// The quote or comment that is still open at the end of the script, if any: the
    /// piece then runs to the end of the script.
    pub unterminated: Option<Unterminated>,
}

/// A quote or comment opened and never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unterminated {
    /// What was opened.
    pub opener: Opener,
    /// Byte offset of its first character.
    pub at: usize,
}

/// The kinds of text that run until a closing delimiter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opener {
    /// `'…'` (also `E'…'`, `X'…'`, …).
    String,
    /// `"…"`.
    QuotedIdentifier,
    /// `$$…$$` or `$tag$…$tag$`; holds the whole delimiter.
    DollarQuote(String),
    /// `/* … */`.
    BlockComment,
    /// `BEGIN ATOMIC … END`.
    AtomicBody,
}

impl Opener {
    /// The delimiter as written (`'`, `"`, `$tag$`, `/*`, `BEGIN ATOMIC`).
    pub fn delimiter(&self) -> &str {
        match self {
            Opener::String => "'",
            Opener::QuotedIdentifier => "\"",
            Opener::DollarQuote(delimiter) => delimiter,
            Opener::BlockComment => "/*",
            Opener::AtomicBody => "BEGIN ATOMIC",
        }
    }

    /// The delimiter that closes it.
    pub fn closing(&self) -> &str {
        match self {
            Opener::BlockComment => "*/",
            Opener::AtomicBody => "END",
            other => other.delimiter(),
        }
    }
}

/// The statements of `text` that hold more than whitespace, comments and `;`, in order.
pub fn top_level_statements(text: &str) -> TopLevelStatements<'_> {
    TopLevelStatements {
        bytes: text.as_bytes(),
        at: 0,
    }
}

/// Iterator of [`top_level_statements`].
#[derive(Debug, Clone)]
pub struct TopLevelStatements<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Iterator for TopLevelStatements<'_> {
    type Item = Piece;

    fn next(&mut self) -> Option<Piece> {
        while self.at < self.bytes.len() {
            let start = self.at;
            let (end, unterminated, significant) = scan_statement(self.bytes, start);
            self.at = end;
            if significant {
                return Some(Piece {
                    start,
                    end,
                    unterminated,
                });
            }
        }
        None
    }
}

/// The offset of the first character at or after `start` that is not whitespace, part
/// of a comment or a `;` (the end of `text` if there is none).
pub fn first_significant(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut at = start;
    while at < bytes.len() {
        match (bytes[at], bytes.get(at + 1)) {
            (b'-', Some(b'-')) => {
                at = bytes[at..]
                    .iter()
                    .position(|&byte| byte == b'\n')
                    .map_or(bytes.len(), |offset| at + offset);
            }
            (b'/', Some(b'*')) => at = block_comment_end(bytes, at).unwrap_or(bytes.len()),
            (byte, _) if byte.is_ascii_whitespace() || byte == b';' => at += 1,
            _ => return at,
        }
    }
    bytes.len()
}

/// Words whose order decides where a statement ends.
#[derive(Default)]
struct Words {
    /// Open `BEGIN ATOMIC` bodies and `CASE`s inside them.
    depth: usize,
    previous_begin: bool,
    /// Where the `BEGIN` of the outermost open body is.
    body_start: usize,
    previous_word_at: usize,
    tokens: usize,
}

impl Words {
    fn word(&mut self, word: &[u8], at: usize) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword.as_bytes());
        let opens_body = is("ATOMIC") && self.previous_begin;
        if opens_body && self.depth == 0 {
            self.body_start = self.previous_word_at;
        }
        if opens_body || (is("CASE") && self.depth > 0) {
            self.depth += 1;
        } else if is("END") && self.depth > 0 {
            self.depth -= 1;
        }
        self.previous_begin = is("BEGIN");
        self.previous_word_at = at;
        self.tokens += 1;
    }

    fn other(&mut self) {
        self.previous_begin = false;
        self.tokens += 1;
    }
}

/// Scans one statement from `start`: its end, what is left open, and whether it holds
/// anything but whitespace, comments and `;`.
fn scan_statement(bytes: &[u8], start: usize) -> (usize, Option<Unterminated>, bool) {
    let mut words = Words::default();
    let mut at = start;
    let open = |opener, at| Some(Unterminated { opener, at });
    while at < bytes.len() {
        let byte = bytes[at];
        let next = bytes.get(at + 1).copied();
        match byte {
            b';' if words.depth == 0 => {
                return (at + 1, None, words.tokens > 0);
            }
            b'-' if next == Some(b'-') => {
                at = bytes[at..]
                    .iter()
                    .position(|&byte| byte == b'\n' || byte == b'\r')
                    .map_or(bytes.len(), |offset| at + offset);
                continue;
            }
            b'/' if next == Some(b'*') => match block_comment_end(bytes, at) {
                Some(end) => {
                    at = end;
                    continue;
                }
                None => return (bytes.len(), open(Opener::BlockComment, at), true),
            },
            b'\'' => {
                words.other();
                match quoted_end(bytes, at, b'\'', false) {
                    Some(end) => at = end,
                    None => return (bytes.len(), open(Opener::String, at), true),
                }
                continue;
            }
            b'"' => {
                // A quoted identifier is a word, but never a keyword.
                words.word(b"\"", at);
                match quoted_end(bytes, at, b'"', false) {
                    Some(end) => at = end,
                    None => return (bytes.len(), open(Opener::QuotedIdentifier, at), true),
                }
                continue;
            }
            b'$' => {
                let tag_end = at
                    + 1
                    + bytes[at + 1..]
                        .iter()
                        .position(|&byte| !is_tag_part(byte))
                        .unwrap_or(bytes.len() - at - 1);
                if bytes.get(tag_end) != Some(&b'$') {
                    // A placeholder (`$1`).
                    words.other();
                    at = tag_end;
                    continue;
                }
                words.other();
                let delimiter = &bytes[at..=tag_end];
                match find(&bytes[tag_end + 1..], delimiter) {
                    Some(offset) => at = tag_end + 1 + offset + delimiter.len(),
                    None => {
                        let delimiter = String::from_utf8_lossy(delimiter).into_owned();
                        return (bytes.len(), open(Opener::DollarQuote(delimiter), at), true);
                    }
                }
                continue;
            }
            byte if is_identifier_start(byte) => {
                let end = at
                    + bytes[at..]
                        .iter()
                        .position(|&byte| !is_identifier_part(byte))
                        .unwrap_or(bytes.len() - at);
                let word = &bytes[at..end];
                if word.eq_ignore_ascii_case(b"e") && bytes.get(end) == Some(&b'\'') {
                    words.other();
                    match quoted_end(bytes, end, b'\'', true) {
                        Some(close) => at = close,
                        None => return (bytes.len(), open(Opener::String, at), true),
                    }
                    continue;
                }
                words.word(word, at);
                at = end;
                continue;
            }
            byte if byte.is_ascii_whitespace() => {}
            _ => words.other(),
        }
        at += 1;
    }
    // A body still open at the end would make the rest of the file one statement.
    if words.depth > 0 {
        return (
            bytes.len(),
            open(Opener::AtomicBody, words.body_start),
            true,
        );
    }
    (bytes.len(), None, words.tokens > 0)
}

/// The offset just past the `*/` closing the (nested) comment opened at `start`.
fn block_comment_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut at = start;
    while at + 1 < bytes.len() {
        match (bytes[at], bytes[at + 1]) {
            (b'/', b'*') => {
                depth += 1;
                at += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return Some(at);
                }
            }
            _ => at += 1,
        }
    }
    None
}

/// The offset just past the quote closing the one at `start` (doubled quotes escape;
/// with `backslashes`, a backslash escapes the next character too).
fn quoted_end(bytes: &[u8], start: usize, quote: u8, backslashes: bool) -> Option<usize> {
    let mut at = start + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if backslashes => at += 2,
            byte if byte == quote => {
                if bytes.get(at + 1) == Some(&quote) {
                    at += 2;
                } else {
                    return Some(at + 1);
                }
            }
            _ => at += 1,
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Letters, `_` and any non-ASCII byte (PostgreSQL accepts Unicode identifiers).
fn is_identifier_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || !byte.is_ascii()
}

/// Identifier characters include digits and `$` (`a$$b` is one identifier).
fn is_identifier_part(byte: u8) -> bool {
    is_identifier_start(byte) || byte.is_ascii_digit() || byte == b'$'
}

fn is_tag_part(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || !byte.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<&str> {
        top_level_statements(text)
            .map(|piece| &text[piece.start..piece.end])
            .collect()
    }

    fn unterminated(text: &str) -> Option<Unterminated> {
        top_level_statements(text)
            .last()
            .and_then(|piece| piece.unterminated)
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let text = "SELECT 'a;b', \"c;d\", E'e\\';f';\n\
                    CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$;\n\
                    -- x; y\n/* a /* nested; */ b; */ SELECT $t$;$t$, $1;";
        assert_eq!(
            pieces(text),
            [
                "SELECT 'a;b', \"c;d\", E'e\\';f';",
                "\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$;",
                "\n-- x; y\n/* a /* nested; */ b; */ SELECT $t$;$t$, $1;",
            ]
        );
    }

    #[test]
    fn begin_atomic_bodies_and_their_case_end_stay_whole() {
        let text = "CREATE FUNCTION f() BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3;";
        assert_eq!(
            pieces(text),
            [
                "CREATE FUNCTION f() BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;",
                " SELECT 3;"
            ]
        );
        assert_eq!(pieces("BEGIN; SELECT 1; END;").len(), 3);
    }

    #[test]
    fn identifiers_may_hold_dollars() {
        assert_eq!(pieces("SELECT a$$b; SELECT 2;").len(), 2);
    }

    #[test]
    fn the_first_significant_character_skips_comments_and_semicolons() {
        let text = "; -- a\n /* b /* c */ */\n  CREATE";
        assert_eq!(first_significant(text, 0), text.len() - 6);
        assert_eq!(first_significant("  -- only", 0), 9);
    }

    #[test]
    fn whitespace_comments_and_semicolons_alone_are_no_statements() {
        assert!(pieces(" ;;; -- only\n/* comments */ ;\n").is_empty());
        assert_eq!(pieces(&";".repeat(10_000)).len(), 0);
    }

    #[test]
    fn unterminated_quotes_and_comments_are_located_where_they_open() {
        let cases = [
            (
                "SELECT 1; SELECT $$ x;",
                Opener::DollarQuote("$$".into()),
                17,
            ),
            (
                "SELECT $body$ x $$;",
                Opener::DollarQuote("$body$".into()),
                7,
            ),
            ("SELECT 1; /* a /* b */ c;", Opener::BlockComment, 10),
            ("SELECT 'it''s;", Opener::String, 7),
            ("SELECT E'\\';", Opener::String, 7),
            ("SELECT \"x;", Opener::QuotedIdentifier, 7),
            (
                "SELECT 1; CREATE FUNCTION f() begin  atomic SELECT 1; SELECT 2;",
                Opener::AtomicBody,
                30,
            ),
        ];
        for (text, opener, at) in cases {
            assert_eq!(
                unterminated(text),
                Some(Unterminated { opener, at }),
                "{text}"
            );
        }
        assert_eq!(pieces("SELECT 1; SELECT $$ x;")[0], "SELECT 1;");
    }
}
