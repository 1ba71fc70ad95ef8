//! The fast tokenizer (`pgparity::sql::tokens`) against sqlparser's: wherever it takes a
//! text, its tokens and spans are sqlparser's without spaces, tabs and line breaks. Checked
//! on every statement of the shared corpus, of this repository's SQL files and of the
//! benchmark's generated schema (where the parser must also make the same statements, or
//! the same error, of both), and on generated text built from the fragments where the
//! two could part.

#[path = "../benches/paired/schema.rs"]
mod bench_schema;
#[path = "support/large_schema.rs"]
mod large_schema;

use pgparity::sql::{split, tokens};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer, Whitespace};
use std::path::{Path, PathBuf};

/// sqlparser's tokens of `text` without spaces, tabs and line breaks; `None` when it
/// refuses the text.
fn sqlparser_tokens(text: &str) -> Option<Vec<(Token, Span)>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    Some(
        tokens
            .into_iter()
            .filter(|token| {
                !matches!(
                    token.token,
                    Token::Whitespace(Whitespace::Space | Whitespace::Tab | Whitespace::Newline)
                )
            })
            .map(|token| (token.token, token.span))
            .collect(),
    )
}

/// All of sqlparser's tokens of `text`, whitespace included.
fn all_sqlparser_tokens(text: &str) -> Vec<TokenWithSpan> {
    Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .unwrap_or_default()
}

fn with_spans(tokens: Vec<(Token, Span)>) -> Vec<TokenWithSpan> {
    tokens
        .into_iter()
        .map(|(token, span)| TokenWithSpan { token, span })
        .collect()
}

/// What sqlparser's parser makes of `tokens`: the statements, or the error's text.
fn parsed(tokens: &[TokenWithSpan]) -> Result<Vec<Statement>, String> {
    Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(2_000)
        .with_tokens_with_locations(tokens.to_vec())
        .parse_statements()
        .map_err(|error| error.to_string())
}

/// The fast tokenizer's tokens of `text`, `None` when it leaves the text to sqlparser.
fn fast_tokens(text: &str) -> Option<Vec<(Token, Span)>> {
    let mut found = Vec::new();
    tokens::tokenize_common(text, &mut found, |token| token).then(|| {
        found
            .into_iter()
            .map(|token: TokenWithSpan| (token.token, token.span))
            .collect()
    })
}

/// How many of `text`'s top-level statements the fast tokenizer took, and how many there
/// are; panics where it took one and disagrees with sqlparser.
fn compare_statements(name: &str, text: &str) -> (usize, usize) {
    let mut taken = 0;
    let mut total = 0;
    for piece in split::top_level_statements(text) {
        let chunk = &text[piece.start..piece.end];
        total += 1;
        if let Some(fast) = fast_tokens(chunk) {
            taken += 1;
            let expected = sqlparser_tokens(chunk).unwrap_or_else(|| {
                panic!("{name}: sqlparser refuses a statement the fast tokenizer took:\n{chunk}")
            });
            assert_eq!(
                fast, expected,
                "{name}: the tokens of this statement differ:\n{chunk}"
            );
            assert_eq!(
                parsed(&with_spans(fast)),
                parsed(&all_sqlparser_tokens(chunk)),
                "{name}: this statement parses differently without its whitespace:\n{chunk}"
            );
        }
    }
    (taken, total)
}

fn sql_files(root: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|path| !path.components().any(|part| part.as_os_str() == "target"))
        .filter(|path| path.extension().is_some_and(|extension| extension == "sql"))
        .collect();
    files.sort();
    files
}

#[test]
fn real_schemas_tokenize_as_sqlparser_tokenizes_them() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    assert!(
        corpus.is_dir(),
        "the shared corpus is missing: expected it at {}",
        corpus.display()
    );
    let mut files = sql_files(&corpus);
    let corpus_files = files.len();
    files.extend(sql_files(Path::new(env!("CARGO_MANIFEST_DIR"))));
    assert!(corpus_files > 0 && files.len() > corpus_files + 10);
    let (mut taken, mut total) = (0, 0);
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let (file_taken, file_total) = compare_statements(&file.display().to_string(), &text);
        taken += file_taken;
        total += file_total;
    }
    // Real schemas hold functions in dollar quotes, `COPY` data, escape strings and
    // operators the fast tokenizer leaves to sqlparser; 87% of their statements are taken.
    assert!(
        taken * 100 >= total * 85,
        "the fast tokenizer took {taken} of {total} statements"
    );
}

#[test]
fn generated_schemas_take_the_fast_path_and_agree() {
    let bench = bench_schema::spec_sql(60);
    let (taken, total) = compare_statements("the benchmark schema", &bench);
    // Only the two plpgsql trigger functions (dollar quotes) are left to sqlparser.
    assert_eq!(total - taken, 2, "{taken} of {total} statements taken");
    let drift = large_schema::spec_sql(200);
    let (taken, total) = compare_statements("the drift test schema", &drift);
    assert!(
        taken * 100 >= total * 99,
        "{taken} of {total} statements taken"
    );
}

/// Texts the fast tokenizer must leave to sqlparser: what sqlparser reads differently
/// from the plain reading, or refuses.
#[test]
fn constructs_outside_the_subset_are_left_to_sqlparser() {
    for text in [
        "SELECT $$body$$",
        "SELECT $1",
        "SELECT E'a\\nb'",
        "SELECT e'x'",
        "SELECT B'101'",
        "SELECT X'ff'",
        "SELECT N'text'",
        "SELECT U&'d\\0061t'",
        "SELECT 1e5",
        "SELECT 1_000",
        "SELECT 0x1F",
        "SELECT .5",
        "SELECT a <<= b",
        "SELECT a <-> b",
        "SELECT a @> b",
        "SELECT a ->> 'k'",
        "SELECT a #> '{k}'",
        "SELECT :name",
        "SELECT a := 1",
        "SELECT café",
        "SELECT 'unterminated",
        "SELECT \"unterminated",
        "SELECT /* unterminated",
        "COPY t FROM STDIN;\n1\n\\.\n",
        "SELECT a\u{000C}FROM t",
    ] {
        assert!(fast_tokens(text).is_none(), "taken: {text:?}");
    }
}

#[test]
fn whitespace_is_left_out_and_comments_are_kept() {
    let tokens = fast_tokens("CREATE  TABLE\r\n\tt ( -- note\n a int /* x /* y */ */ );").unwrap();
    let kinds: Vec<String> = tokens
        .iter()
        .map(|(token, _)| format!("{token:?}"))
        .collect();
    assert_eq!(tokens.len(), 10, "{kinds:#?}");
    assert!(matches!(
        &tokens[4].0,
        Token::Whitespace(Whitespace::SingleLineComment { comment, prefix })
            if comment == " note" && prefix == "--"
    ));
    assert!(matches!(
        &tokens[7].0,
        Token::Whitespace(Whitespace::MultiLineComment(comment)) if comment == " x /* y */ "
    ));
}

/// Pieces whose neighbours decide how sqlparser reads them: quotes, comments, operators
/// that extend into custom operators, number forms, prefixes of literals, non-ASCII
/// text and line breaks.
const FRAGMENTS: &[&str] = &[
    " ",
    "\n",
    "\r\n",
    "\t",
    "a",
    "Ab_9",
    "$",
    "select",
    "e",
    "E",
    "b",
    "x",
    "n",
    "u",
    "&",
    "'s'",
    "'it''s'",
    "''",
    "'é'",
    "\"q\"",
    "\"a\"\"b\"",
    "\"é\"",
    "1",
    "12.5",
    "3.",
    ".",
    "_",
    "e5",
    "0",
    "(",
    ")",
    ",",
    ";",
    "[",
    "]",
    "+",
    "-",
    "*",
    "/",
    "%",
    "=",
    "<",
    ">",
    "!",
    "~",
    "|",
    ":",
    "::",
    "<=",
    "<>",
    ">=",
    "!=",
    "||",
    "~*",
    "!~",
    "--c\n",
    "/*c*/",
    "/*/**/*/",
    "é",
    "@",
    "#",
    "^",
    "?",
    "'",
    "\"",
];

#[test]
fn generated_text_tokenizes_as_sqlparser_tokenizes_it() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut taken = 0;
    for _ in 0..40_000 {
        let length = 1 + (next() % 8) as usize;
        let text: String = (0..length)
            .map(|_| FRAGMENTS[(next() % FRAGMENTS.len() as u64) as usize])
            .collect();
        if let Some(fast) = fast_tokens(&text) {
            taken += 1;
            let expected = sqlparser_tokens(&text)
                .unwrap_or_else(|| panic!("sqlparser refuses {text:?}, which the fast path took"));
            assert_eq!(fast, expected, "the tokens of {text:?} differ");
        }
    }
    assert!(taken > 5_000, "only {taken} generated texts were taken");
}
