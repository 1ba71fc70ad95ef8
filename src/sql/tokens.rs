//! A fast path for sqlparser's PostgreSQL tokenizer, for the text DDL is mostly made of.
//!
//! sqlparser's tokenizer reads a `Peekable<Chars>` one character at a time, tracks the
//! position of each, emits a token for every space and builds each word a character at
//! a time; on a large spec it was a sixth of pgparity's CPU time. This scanner reads
//! bytes and knows a subset of the language: unquoted ASCII words, quoted identifiers,
//! plain strings, decimal numbers, comments and the punctuation and operators of
//! ordinary DDL. For a text within that subset it gives exactly the tokens and spans
//! sqlparser gives (the tests compare them on real schemas and on generated text),
//! except that it leaves out spaces, tabs and line breaks: every parser path pgparity
//! takes skips them. On anything else — dollar quotes, escape strings, custom operators,
//! non-ASCII words, placeholders, `COPY` — it gives up, and the caller tokenizes with
//! sqlparser, so the subset only decides speed, never the result.

use fnv::FnvHashMap;
use sqlparser::keywords::{Keyword, ALL_KEYWORDS, ALL_KEYWORDS_INDEX};
use sqlparser::tokenizer::{Location, Span, Token, TokenWithSpan, Whitespace, Word};
use std::sync::OnceLock;

/// Appends the tokens of `text` (positions counted from its start, then passed through
/// `place`) to `tokens`, without whitespace. False, with `tokens` as it was, when the
/// text holds something outside the subset this scanner knows.
pub fn tokenize_common(
    text: &str,
    tokens: &mut Vec<TokenWithSpan>,
    mut place: impl FnMut(TokenWithSpan) -> TokenWithSpan,
) -> bool {
    let kept = tokens.len();
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
    };
    let mut first_word = true;
    loop {
        scanner.skip_whitespace();
        let start = scanner.location();
        match scanner.token() {
            Ok(Some(token)) => {
                if let Token::Word(word) = &token {
                    // sqlparser reads the rows of `COPY … FROM STDIN` as data.
                    if first_word && word.keyword == Keyword::COPY {
                        tokens.truncate(kept);
                        return false;
                    }
                    first_word = false;
                }
                let span = Span::new(start, scanner.location());
                tokens.push(place(TokenWithSpan { token, span }));
            }
            Ok(None) => return true,
            Err(Unhandled) => {
                tokens.truncate(kept);
                return false;
            }
        }
    }
}

/// The text holds something this scanner leaves to sqlparser.
struct Unhandled;

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    line: u64,
    column: u64,
}

impl Scanner<'_> {
    fn location(&self) -> Location {
        Location::new(self.line, self.column)
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    /// Moves past `count` bytes known to be ASCII and not line breaks.
    fn step(&mut self, count: usize) {
        self.at += count;
        self.column += count as u64;
    }

    /// Moves to `end`, counting lines and characters the way sqlparser does (only `\n`
    /// starts a line; a column is a character, not a byte).
    fn move_to(&mut self, end: usize) {
        for &byte in &self.bytes[self.at..end] {
            if byte == b'\n' {
                self.line += 1;
                self.column = 1;
            } else if byte & 0xC0 != 0x80 {
                self.column += 1;
            }
        }
        self.at = end;
    }

    fn skip_whitespace(&mut self) {
        while let Some(byte) = self.peek(0) {
            match byte {
                b' ' | b'\t' | b'\r' => self.step(1),
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.column = 1;
                }
                _ => return,
            }
        }
    }

    /// The next token; `None` at the end of the text.
    fn token(&mut self) -> Result<Option<Token>, Unhandled> {
        let Some(byte) = self.peek(0) else {
            return Ok(None);
        };
        let next = self.peek(1);
        let token = match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => self.word()?,
            b'0'..=b'9' => self.number()?,
            b'"' => {
                let value = self.quoted(b'"')?;
                Token::Word(Word {
                    value,
                    quote_style: Some('"'),
                    keyword: Keyword::NoKeyword,
                })
            }
            b'\'' => Token::SingleQuotedString(self.quoted(b'\'')?),
            b'(' => self.punctuation(1, Token::LParen),
            b')' => self.punctuation(1, Token::RParen),
            b',' => self.punctuation(1, Token::Comma),
            b';' => self.punctuation(1, Token::SemiColon),
            b'[' => self.punctuation(1, Token::LBracket),
            b']' => self.punctuation(1, Token::RBracket),
            b'+' => self.punctuation(1, Token::Plus),
            b'*' => self.punctuation(1, Token::Mul),
            b'.' if next.is_some_and(|next| next.is_ascii_digit() || next == b'_') => {
                return Err(Unhandled)
            }
            b'.' => self.punctuation(1, Token::Period),
            b'=' if matches!(next, Some(b'>' | b'=')) => return Err(Unhandled),
            b'=' => self.punctuation(1, Token::Eq),
            b'-' if next == Some(b'-') => self.line_comment(),
            b'-' => self.operator(1, Token::Minus)?,
            b'/' if next == Some(b'*') => self.block_comment()?,
            b'/' => self.punctuation(1, Token::Div),
            b'<' => match next {
                Some(b'=') => match self.peek(2) {
                    Some(b'>') => return Err(Unhandled),
                    Some(b'+' | b'-') => self.punctuation(2, Token::LtEq),
                    _ => self.operator(2, Token::LtEq)?,
                },
                Some(b'>') => self.operator(2, Token::Neq)?,
                _ => self.operator(1, Token::Lt)?,
            },
            b'>' => match next {
                Some(b'=') => self.operator(2, Token::GtEq)?,
                _ => self.operator(1, Token::Gt)?,
            },
            b'~' => match next {
                Some(b'*') => self.operator(2, Token::TildeAsterisk)?,
                Some(b'=' | b'~') => return Err(Unhandled),
                _ => self.operator(1, Token::Tilde)?,
            },
            b'!' => match (next, self.peek(2)) {
                (Some(b'='), _) => self.punctuation(2, Token::Neq),
                (Some(b'~'), Some(b'*')) => {
                    self.punctuation(3, Token::ExclamationMarkTildeAsterisk)
                }
                (Some(b'~'), Some(b'~')) => return Err(Unhandled),
                (Some(b'~'), _) => self.punctuation(2, Token::ExclamationMarkTilde),
                _ => return Err(Unhandled),
            },
            b':' if next == Some(b':') => self.punctuation(2, Token::DoubleColon),
            b'|' if next == Some(b'|') && self.peek(2) != Some(b'/') => {
                self.operator(2, Token::StringConcat)?
            }
            b'%' if next.is_some_and(|next| next.is_ascii_whitespace() || next == 0x0B) => {
                self.punctuation(1, Token::Mod)
            }
            _ => return Err(Unhandled),
        };
        Ok(Some(token))
    }

    fn punctuation(&mut self, length: usize, token: Token) -> Token {
        self.step(length);
        token
    }

    /// An operator of `length` bytes; sqlparser reads it together with any operator
    /// characters after it as a custom operator, which is left to it.
    fn operator(&mut self, length: usize, token: Token) -> Result<Token, Unhandled> {
        if self.peek(length).is_some_and(is_operator_part) {
            return Err(Unhandled);
        }
        self.step(length);
        Ok(token)
    }

    /// An unquoted word: a keyword or an identifier, as written.
    fn word(&mut self) -> Result<Token, Unhandled> {
        let start = self.at;
        let mut end = start + 1;
        while let Some(&byte) = self.bytes.get(end) {
            match byte {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'$' => end += 1,
                // A non-ASCII letter continues the word; a quote after it may make it
                // the prefix of a literal (`E'…'`, `B'…'`, `U&'…'`, `N'…'`, `X'…'`).
                byte if byte >= 0x80 => return Err(Unhandled),
                b'\'' | b'"' | b'&' => return Err(Unhandled),
                _ => break,
            }
        }
        let value = &self.text[start..end];
        self.step(end - start);
        Ok(Token::Word(Word {
            value: value.to_string(),
            quote_style: None,
            keyword: keyword(value),
        }))
    }

    /// Digits, optionally a point and more digits (`1`, `1.5`, `1.`).
    fn number(&mut self) -> Result<Token, Unhandled> {
        let start = self.at;
        let digits_from = |from: usize| {
            from + self.bytes[from..]
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count()
        };
        let mut end = digits_from(start);
        if self.bytes.get(end) == Some(&b'.') {
            end = digits_from(end + 1);
        }
        // Separators, exponents, radix prefixes, the `L` suffix, a second point.
        if self.bytes.get(end).is_some_and(|&byte| {
            byte.is_ascii_alphanumeric()
                || matches!(byte, b'_' | b'$' | b'.' | b'\'' | b'"')
                || byte >= 0x80
        }) {
            return Err(Unhandled);
        }
        let value = self.text[start..end].to_string();
        self.step(end - start);
        Ok(Token::Number(value, false))
    }

    /// A `quote`-delimited text (a doubled quote stands for one), without its quotes.
    fn quoted(&mut self, quote: u8) -> Result<String, Unhandled> {
        let mut value = String::new();
        let mut from = self.at + 1;
        let mut index = from;
        loop {
            let Some(&byte) = self.bytes.get(index) else {
                // Unterminated: sqlparser's error says where it starts.
                return Err(Unhandled);
            };
            if byte != quote {
                index += 1;
                continue;
            }
            value.push_str(&self.text[from..index]);
            if self.bytes.get(index + 1) == Some(&quote) {
                value.push(char::from(quote));
                index += 2;
                from = index;
            } else {
                self.move_to(index + 1);
                return Ok(value);
            }
        }
    }

    /// `-- …` up to the end of the line (the line break is not part of it).
    fn line_comment(&mut self) -> Token {
        let from = self.at + 2;
        let end = from
            + self.bytes[from..]
                .iter()
                .take_while(|&&byte| byte != b'\n' && byte != b'\r')
                .count();
        let comment = self.text[from..end].to_string();
        self.move_to(end);
        Token::Whitespace(Whitespace::SingleLineComment {
            comment,
            prefix: "--".to_string(),
        })
    }

    /// `/* … */`, nesting, without its outer delimiters.
    fn block_comment(&mut self) -> Result<Token, Unhandled> {
        let from = self.at + 2;
        let mut depth = 1usize;
        let mut index = from;
        while index < self.bytes.len() {
            match (self.bytes[index], self.bytes.get(index + 1)) {
                (b'/', Some(b'*')) => {
                    depth += 1;
                    index += 2;
                }
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    index += 2;
                    if depth == 0 {
                        let comment = self.text[from..index - 2].to_string();
                        self.move_to(index);
                        return Ok(Token::Whitespace(Whitespace::MultiLineComment(comment)));
                    }
                }
                _ => index += 1,
            }
        }
        Err(Unhandled)
    }
}

/// The characters sqlparser reads on into a custom PostgreSQL operator.
fn is_operator_part(byte: u8) -> bool {
    matches!(
        byte,
        b'+' | b'-'
            | b'*'
            | b'/'
            | b'<'
            | b'>'
            | b'='
            | b'~'
            | b'!'
            | b'@'
            | b'#'
            | b'%'
            | b'^'
            | b'&'
            | b'|'
            | b'`'
            | b'?'
    )
}

/// The keyword an unquoted ASCII word spells, in any case.
fn keyword(word: &str) -> Keyword {
    /// Longer than any keyword.
    const LONGEST: usize = 64;
    if word.len() > LONGEST {
        return Keyword::NoKeyword;
    }
    let mut upper = [0u8; LONGEST];
    let upper = &mut upper[..word.len()];
    upper.copy_from_slice(word.as_bytes());
    upper.make_ascii_uppercase();
    keywords()
        .get(&*upper)
        .copied()
        .unwrap_or(Keyword::NoKeyword)
}

/// sqlparser's keywords by their spelling: a hash lookup, where a binary search over
/// the 900 of them compared strings ten times a word (4% of a large spec's loading).
fn keywords() -> &'static FnvHashMap<&'static [u8], Keyword> {
    static KEYWORDS: OnceLock<FnvHashMap<&'static [u8], Keyword>> = OnceLock::new();
    KEYWORDS.get_or_init(|| {
        ALL_KEYWORDS
            .iter()
            .zip(ALL_KEYWORDS_INDEX)
            .map(|(spelling, keyword)| (spelling.as_bytes(), *keyword))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_keyword_is_found_in_any_case_and_other_words_are_none() {
        for (spelling, expected) in ALL_KEYWORDS.iter().zip(ALL_KEYWORDS_INDEX) {
            assert_eq!(keyword(spelling), *expected, "{spelling}");
            assert_eq!(
                keyword(&spelling.to_ascii_lowercase()),
                *expected,
                "{spelling}"
            );
        }
        for word in ["t00001_orders", "selects", "", "x".repeat(100).as_str()] {
            assert_eq!(keyword(word), Keyword::NoKeyword, "{word}");
        }
    }
}
