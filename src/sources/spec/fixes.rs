//! The smallest fixes for statements sqlparser rejects (PARSER-NOTES.md), applied only
//! after a failure, and the recognition of statements outside pgparity's model.
//!
//! Every fix works on the statement's tokens, so the spans sqlparser records stay
//! those of the file.

use super::statements::{Extras, MemberComment, MemberKind, Parsed};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Word};

/// What to do with a statement sqlparser rejected.
pub(crate) enum Recovery {
    /// Parse these tokens instead, then add the extras to the result.
    Reparse(Vec<TokenWithSpan>, Extras),
    /// Understood without sqlparser.
    Parsed(Parsed),
    /// No fix applies: a parse error.
    None,
}

/// Statements outside the model, by their first words: skipped with a note.
const OUTSIDE_MODEL: &[&[&str]] = &[
    &["CREATE", "CAST"],
    &["CREATE", "AGGREGATE"],
    &["CREATE", "OR", "REPLACE", "AGGREGATE"],
    &["CREATE", "EVENT", "TRIGGER"],
    &["ALTER", "EVENT", "TRIGGER"],
    &["CREATE", "PUBLICATION"],
    &["ALTER", "PUBLICATION"],
    &["CREATE", "SUBSCRIPTION"],
    &["CREATE", "OPERATOR"],
    &["CREATE", "TEXT", "SEARCH"],
    &["ALTER", "TEXT", "SEARCH"],
    &["CREATE", "COLLATION"],
    &["CREATE", "CONVERSION"],
    &["CREATE", "FOREIGN"],
    &["CREATE", "SERVER"],
    &["CREATE", "USER", "MAPPING"],
    &["CREATE", "RULE"],
    &["CREATE", "OR", "REPLACE", "RULE"],
    &["CREATE", "STATISTICS"],
    &["CREATE", "LANGUAGE"],
    &["CREATE", "OR", "REPLACE", "LANGUAGE"],
    &["CREATE", "SEQUENCE"],
    &["ALTER", "INDEX"],
    &["ALTER", "EXTENSION"],
    &["ALTER", "FUNCTION"],
    &["ALTER", "PROCEDURE"],
    &["ALTER", "AGGREGATE"],
    &["ALTER", "OPERATOR"],
    &["SECURITY", "LABEL"],
    &["CREATE", "ACCESS", "METHOD"],
    &["CREATE", "TRANSFORM"],
    &["CREATE", "TABLESPACE"],
    &["CREATE", "ROLE"],
    &["ALTER", "ROLE"],
    &["CREATE", "DATABASE"],
    &["ALTER", "DATABASE"],
    &["REFRESH", "MATERIALIZED", "VIEW"],
    &["DROP", "AGGREGATE"],
    &["DROP", "CAST"],
    &["DROP", "EVENT", "TRIGGER"],
    &["DROP", "PUBLICATION"],
    &["DROP", "OPERATOR"],
    &["DROP", "TEXT", "SEARCH"],
    &["DROP", "RULE"],
];

/// Harmless statements that deserve no note at all, by their first words.
const QUIET: &[&[&str]] = &[
    &["SET"],
    &["RESET"],
    &["BEGIN"],
    &["COMMIT"],
    &["START", "TRANSACTION"],
    &["END"],
    &["ALTER", "DEFAULT", "PRIVILEGES"],
    &["ALTER", "SEQUENCE"],
];

/// The privilege targets that are not relations; grants on them are ignored quietly.
const NON_RELATION_GRANT_TARGETS: &[&str] = &[
    "FUNCTION",
    "FUNCTIONS",
    "PROCEDURE",
    "ROUTINE",
    "SEQUENCE",
    "SCHEMA",
    "TYPE",
    "DOMAIN",
    "LANGUAGE",
    "DATABASE",
    "FOREIGN",
    "LARGE",
    "TABLESPACE",
    "PARAMETER",
];

/// Finds the fix (or the skip) for a rejected statement, given its tokens without
/// whitespace.
pub(crate) fn recover(tokens: &[&TokenWithSpan]) -> Recovery {
    let words = leading_words(tokens, 4);
    let starts = |prefix: &[&str]| starts_with(&words, prefix);
    if starts(&["DO"]) {
        return skipped("DO", false);
    }
    if starts(&["ALTER", "SEQUENCE"]) && !ends_with_owner_to(tokens) {
        return super::object_fixes::alter_sequence(tokens);
    }
    if QUIET.iter().any(|prefix| starts(prefix)) || ends_with_owner_to(tokens) {
        return skipped(&words.join(" "), true);
    }
    if starts(&["SELECT"]) && tokens.iter().any(|token| is_word(token, "SET_CONFIG")) {
        return skipped("SELECT set_config", true);
    }
    if (starts(&["GRANT"]) || starts(&["REVOKE"])) && grants_on_non_relation(tokens) {
        return skipped(&words[..1].join(" "), true);
    }
    if starts(&["COMMENT", "ON"]) {
        return comment(tokens);
    }
    if let Some(fixed) = psql_variables(tokens) {
        return Recovery::Reparse(fixed, Extras::default());
    }
    if starts(&["CREATE", "DOMAIN"]) {
        return domain_not_null(tokens);
    }
    if starts(&["CREATE", "FUNCTION"]) || starts(&["CREATE", "OR", "REPLACE", "FUNCTION"]) {
        return function_planner_options(tokens);
    }
    if starts(&["CREATE", "PROCEDURE"]) || starts(&["CREATE", "OR", "REPLACE", "PROCEDURE"]) {
        return super::object_fixes::procedure_as_function(tokens);
    }
    if starts(&["CREATE", "MATERIALIZED", "VIEW"]) {
        return materialized_view_data(tokens);
    }
    if starts(&["CREATE", "TRIGGER"])
        || starts(&["CREATE", "CONSTRAINT", "TRIGGER"])
        || starts(&["CREATE", "OR", "REPLACE", "TRIGGER"])
        || starts(&["CREATE", "OR", "REPLACE", "CONSTRAINT"])
    {
        return trigger_arguments(tokens);
    }
    if starts(&["CREATE", "INDEX"]) || starts(&["CREATE", "UNIQUE", "INDEX"]) {
        return index_on_only(tokens);
    }
    if starts(&["ALTER", "TABLE"]) || starts(&["CREATE", "TABLE"]) {
        if let Some(fixed) = identity_sequence_name(tokens) {
            return Recovery::Reparse(fixed, Extras::default());
        }
    }
    if starts(&["ALTER", "INDEX"]) {
        if let Some(attach) = index_attach(tokens) {
            return Recovery::Parsed(attach);
        }
    }
    if let Some(prefix) = OUTSIDE_MODEL.iter().find(|prefix| starts(prefix)) {
        return skipped(&prefix.join(" "), false);
    }
    if starts(&["ALTER", "TABLE"]) && only_storage_actions(tokens) {
        return skipped("ALTER TABLE storage options", true);
    }
    Recovery::None
}

/// `ALTER INDEX [IF EXISTS] parent ATTACH PARTITION child` (pg_dump's way of joining a
/// partition's index to its partitioned table's), which sqlparser rejects.
fn index_attach(tokens: &[&TokenWithSpan]) -> Option<Parsed> {
    let mut at = 2;
    if tokens.get(at).is_some_and(|token| is_word(token, "IF"))
        && tokens
            .get(at + 1)
            .is_some_and(|token| is_word(token, "EXISTS"))
    {
        at += 2;
    }
    let (parent, next) = name_at(tokens, at)?;
    if !(tokens
        .get(next)
        .is_some_and(|token| is_word(token, "ATTACH"))
        && tokens
            .get(next + 1)
            .is_some_and(|token| is_word(token, "PARTITION")))
    {
        return None;
    }
    let (child, end) = name_at(tokens, next + 2)?;
    (end == tokens.len()).then_some(Parsed::AttachIndex { parent, child })
}

/// Whether every action of `ALTER TABLE [IF EXISTS] [ONLY] name [*] action, …` only tunes
/// storage, statistics or replication: `ALTER [COLUMN] c SET (…)`, `RESET (…)`,
/// `SET STATISTICS`, `SET STORAGE`, `SET COMPRESSION`; `SET (…)`, `RESET (…)`, `CLUSTER
/// ON`, `SET WITHOUT CLUSTER`, `SET WITHOUT OIDS`, `SET TABLESPACE`, `SET ACCESS METHOD`,
/// `REPLICA IDENTITY`. None of them changes the contract, so such a statement (which
/// sqlparser often rejects) is a quiet no-op, not a parse error that would leave its
/// table "not compared".
fn only_storage_actions(tokens: &[&TokenWithSpan]) -> bool {
    let mut at = 2;
    for optional in ["IF", "EXISTS", "ONLY"] {
        if tokens.get(at).is_some_and(|token| is_word(token, optional)) {
            at += 1;
        }
    }
    // The relation's name: word (. word)*, then an optional `*`.
    at += 1;
    while matches!(
        tokens.get(at).map(|token| &token.token),
        Some(Token::Period)
    ) {
        at += 2;
    }
    if matches!(tokens.get(at).map(|token| &token.token), Some(Token::Mul)) {
        at += 1;
    }
    let Some(rest) = tokens.get(at..).filter(|rest| !rest.is_empty()) else {
        return false;
    };
    let mut depth = 0usize;
    let mut actions = vec![Vec::new()];
    for token in rest {
        match token.token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Comma if depth == 0 => {
                actions.push(Vec::new());
                continue;
            }
            Token::SemiColon | Token::EOF if depth == 0 => continue,
            _ => {}
        }
        if let Some(action) = actions.last_mut() {
            action.push(*token);
        }
    }
    actions.iter().all(|action| is_storage_action(action))
}

fn is_storage_action(action: &[&TokenWithSpan]) -> bool {
    let word = |at: usize, want: &str| action.get(at).is_some_and(|token| is_word(token, want));
    let paren = |at: usize| {
        matches!(
            action.get(at).map(|token| &token.token),
            Some(Token::LParen)
        )
    };
    let column_setting = |at: usize| {
        (word(at, "SET")
            && (paren(at + 1)
                || ["STATISTICS", "STORAGE", "COMPRESSION"]
                    .iter()
                    .any(|want| word(at + 1, want))))
            || (word(at, "RESET") && paren(at + 1))
    };
    if word(0, "ALTER") {
        let column = if word(1, "COLUMN") { 2 } else { 1 };
        return column_setting(column + 1);
    }
    (word(0, "SET")
        && (paren(1)
            || word(1, "TABLESPACE")
            || (word(1, "ACCESS") && word(2, "METHOD"))
            || (word(1, "WITHOUT") && (word(2, "CLUSTER") || word(2, "OIDS")))))
        || (word(0, "RESET") && paren(1))
        || (word(0, "CLUSTER") && word(1, "ON"))
        || (word(0, "REPLICA") && word(1, "IDENTITY"))
}

fn skipped(statement: &str, quiet: bool) -> Recovery {
    Recovery::Parsed(Parsed::Skipped {
        statement: statement.to_string(),
        quiet,
    })
}

/// The relation a statement would create or alter, from its first words:
/// `CREATE [UNLOGGED] TABLE x`, `ALTER TABLE [IF EXISTS] [ONLY] x`,
/// `CREATE [UNIQUE] INDEX … ON [ONLY] x`, `CREATE [OR REPLACE] [MATERIALIZED] VIEW x`.
pub(crate) fn defined_relation(tokens: &[&TokenWithSpan]) -> Option<Vec<String>> {
    let mut at = 0;
    let take = |word: &str, at: &mut usize| {
        let found = tokens.get(*at).is_some_and(|token| is_word(token, word));
        if found {
            *at += 1;
        }
        found
    };
    if take("CREATE", &mut at) {
        if take("OR", &mut at) && !take("REPLACE", &mut at) {
            return None;
        }
        for modifier in ["UNLOGGED", "TEMPORARY", "TEMP", "UNIQUE", "MATERIALIZED"] {
            take(modifier, &mut at);
        }
        if take("TABLE", &mut at) || take("VIEW", &mut at) {
            if take("IF", &mut at) {
                take("NOT", &mut at);
                take("EXISTS", &mut at);
            }
            return name_at(tokens, at).map(|(name, _)| name);
        }
        if take("INDEX", &mut at) {
            let on = tokens[at..].iter().position(|token| is_word(token, "ON"))?;
            at += on + 1;
            take("ONLY", &mut at);
            return name_at(tokens, at).map(|(name, _)| name);
        }
        return None;
    }
    if take("ALTER", &mut at) && take("TABLE", &mut at) {
        if take("IF", &mut at) {
            take("EXISTS", &mut at);
        }
        take("ONLY", &mut at);
        return name_at(tokens, at).map(|(name, _)| name);
    }
    None
}

/// `COMMENT ON CONSTRAINT|POLICY|TRIGGER n ON t IS …` (dedicated parse),
/// `COMMENT ON … IS $$…$$` (rewritten to a standard string), and comments on objects
/// outside the model such as functions (accepted and ignored).
fn comment(tokens: &[&TokenWithSpan]) -> Recovery {
    let Some(is_at) = tokens.iter().rposition(|token| is_word(token, "IS")) else {
        return Recovery::None;
    };
    let comment = match tokens.get(is_at + 1).map(|token| &token.token) {
        Some(token) if is_null(token) => None,
        Some(token) => match string_value(token) {
            Some(value) => Some(value),
            None => return Recovery::None,
        },
        None => return Recovery::None,
    };
    if is_at + 2 != tokens.len() {
        return Recovery::None;
    }
    let member_kind = match tokens.get(2) {
        Some(token) if is_word(token, "CONSTRAINT") => Some(MemberKind::Constraint),
        Some(token) if is_word(token, "POLICY") => Some(MemberKind::Policy),
        Some(token) if is_word(token, "TRIGGER") => Some(MemberKind::Trigger),
        _ => None,
    };
    if let Some(member_kind) = member_kind {
        let Some(member) = tokens.get(3).and_then(|token| identifier(token)) else {
            return Recovery::None;
        };
        if !tokens.get(4).is_some_and(|token| is_word(token, "ON")) {
            return Recovery::None;
        }
        let mut at = 5;
        if tokens.get(at).is_some_and(|token| is_word(token, "DOMAIN")) {
            return skipped("COMMENT ON CONSTRAINT … ON DOMAIN", true);
        }
        if tokens.get(at).is_some_and(|token| is_word(token, "ONLY")) {
            at += 1;
        }
        return match name_at(tokens, at) {
            Some((relation, next)) if next == is_at => {
                Recovery::Parsed(Parsed::MemberComment(MemberComment {
                    member_kind,
                    member,
                    relation,
                    comment,
                }))
            }
            _ => Recovery::None,
        };
    }
    let in_model = ["TABLE", "COLUMN", "VIEW", "MATERIALIZED", "INDEX"]
        .iter()
        .any(|kind| tokens.get(2).is_some_and(|token| is_word(token, kind)));
    if !in_model {
        return skipped("COMMENT ON", true);
    }
    match tokens.get(is_at + 1).map(|token| &token.token) {
        Some(Token::DollarQuotedString(dollar)) => {
            let mut fixed: Vec<TokenWithSpan> =
                tokens.iter().map(|token| (*token).clone()).collect();
            fixed[is_at + 1].token = Token::SingleQuotedString(dollar.value.clone());
            Recovery::Reparse(fixed, Extras::default())
        }
        _ => Recovery::None,
    }
}

/// psql variables (`:name`, `:'name'`) in a statement, e.g. the grantee of
/// `GRANT … TO :DATABASE_VISITOR`: kept as the identifier `:name` so the statement
/// parses and the grant still shows who it is for.
fn psql_variables(tokens: &[&TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let mut fixed: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut changed = false;
    let mut index = 0;
    while index < tokens.len() {
        let token = tokens[index];
        let next = tokens.get(index + 1);
        let variable = match (&token.token, next.map(|t| &t.token)) {
            (Token::Colon, Some(Token::Word(word))) => Some(word.value.clone()),
            (Token::Colon, Some(Token::SingleQuotedString(name))) => Some(name.clone()),
            _ => None,
        };
        match (variable, next) {
            (Some(name), Some(next)) if next.span.start == token.span.end => {
                fixed.push(TokenWithSpan::new(
                    Token::Word(Word {
                        value: format!(":{name}"),
                        quote_style: Some('"'),
                        keyword: Keyword::NoKeyword,
                    }),
                    token.span.union(&next.span),
                ));
                changed = true;
                index += 2;
            }
            _ => {
                fixed.push(token.clone());
                index += 1;
            }
        }
    }
    changed.then_some(fixed)
}

/// `CREATE DOMAIN d AS t NOT NULL …`: drop the `NOT NULL`, remember it.
fn domain_not_null(tokens: &[&TokenWithSpan]) -> Recovery {
    let Some(not) = tokens
        .windows(2)
        .position(|pair| is_word(pair[0], "NOT") && is_word(pair[1], "NULL"))
    else {
        return Recovery::None;
    };
    let fixed = tokens
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != not && *index != not + 1)
        .map(|(_, token)| (*token).clone())
        .collect();
    Recovery::Reparse(
        fixed,
        Extras {
            domain_not_null: true,
            ..Extras::default()
        },
    )
}

/// `CREATE FUNCTION … ROWS n` / `COST n` (planner estimates pg_dump writes): dropped.
pub(super) fn function_planner_options(tokens: &[&TokenWithSpan]) -> Recovery {
    let mut depth = 0i32;
    let mut dropped = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        match &token.token {
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::Number(..)
                if depth == 0
                    && index > 0
                    && (is_word(tokens[index - 1], "ROWS")
                        || is_word(tokens[index - 1], "COST")) =>
            {
                dropped.extend([index - 1, index]);
            }
            _ => {}
        }
    }
    if dropped.is_empty() {
        return Recovery::None;
    }
    let fixed = tokens
        .iter()
        .enumerate()
        .filter(|(index, _)| !dropped.contains(index))
        .map(|(_, token)| (*token).clone())
        .collect();
    Recovery::Reparse(fixed, Extras::default())
}

/// `CREATE MATERIALIZED VIEW … WITH [NO] DATA`: strip the suffix, keep the flag.
fn materialized_view_data(tokens: &[&TokenWithSpan]) -> Recovery {
    let count = tokens.len();
    let ends = |suffix: &[&str]| {
        count > suffix.len()
            && suffix
                .iter()
                .zip(&tokens[count - suffix.len()..])
                .all(|(word, token)| is_word(token, word))
    };
    let (keep, with_data) = if ends(&["WITH", "NO", "DATA"]) {
        (count - 3, false)
    } else if ends(&["WITH", "DATA"]) {
        (count - 2, true)
    } else {
        return Recovery::None;
    };
    let fixed = tokens[..keep]
        .iter()
        .map(|token| (*token).clone())
        .collect();
    Recovery::Reparse(
        fixed,
        Extras {
            with_data: Some(with_data),
            ..Extras::default()
        },
    )
}

/// `EXECUTE FUNCTION f('a', 'b')`: parse as `f()`, keep the literals aside.
fn trigger_arguments(tokens: &[&TokenWithSpan]) -> Recovery {
    let Some(execute) = tokens.iter().rposition(|token| is_word(token, "EXECUTE")) else {
        return Recovery::None;
    };
    let Some(open) = tokens[execute..]
        .iter()
        .position(|token| token.token == Token::LParen)
        .map(|offset| execute + offset)
    else {
        return Recovery::None;
    };
    if tokens.last().map(|token| &token.token) != Some(&Token::RParen) {
        return Recovery::None;
    }
    let close = tokens.len() - 1;
    let mut arguments = Vec::new();
    for token in &tokens[open + 1..close] {
        match &token.token {
            Token::Comma => {}
            Token::Number(number, _) => arguments.push(number.clone()),
            Token::Word(word) => arguments.push(word.value.clone()),
            other => match string_value(other) {
                Some(value) => arguments.push(value),
                None => return Recovery::None,
            },
        }
    }
    let mut fixed: Vec<TokenWithSpan> = tokens[..=open].iter().map(|t| (*t).clone()).collect();
    fixed.push(tokens[close].clone());
    Recovery::Reparse(
        fixed,
        Extras {
            trigger_arguments: Some(arguments),
            ..Extras::default()
        },
    )
}

/// `… AS IDENTITY (SEQUENCE NAME s …)` (pg_dump writes it for every identity column):
/// the sequence's name is outside the model, so `SEQUENCE NAME s` is dropped.
fn identity_sequence_name(tokens: &[&TokenWithSpan]) -> Option<Vec<TokenWithSpan>> {
    let mut fixed = Vec::with_capacity(tokens.len());
    let mut options_depth: Option<i32> = None;
    let mut depth = 0i32;
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        match &token.token {
            Token::LParen => {
                depth += 1;
                if at > 0 && is_word(tokens[at - 1], "IDENTITY") {
                    options_depth = Some(depth);
                }
            }
            Token::RParen => {
                if options_depth == Some(depth) {
                    options_depth = None;
                }
                depth -= 1;
            }
            _ if options_depth == Some(depth)
                && is_word(token, "SEQUENCE")
                && tokens.get(at + 1).is_some_and(|next| is_word(next, "NAME")) =>
            {
                if let Some((_, after)) = name_at(tokens, at + 2) {
                    at = after;
                    continue;
                }
            }
            _ => {}
        }
        fixed.push((*token).clone());
        at += 1;
    }
    (fixed.len() < tokens.len()).then_some(fixed)
}

/// `CREATE INDEX … ON ONLY t`: drop `ONLY`, remember it.
fn index_on_only(tokens: &[&TokenWithSpan]) -> Recovery {
    let Some(on) = tokens.iter().position(|token| is_word(token, "ON")) else {
        return Recovery::None;
    };
    if !tokens
        .get(on + 1)
        .is_some_and(|token| is_word(token, "ONLY"))
    {
        return Recovery::None;
    }
    let fixed = tokens
        .iter()
        .enumerate()
        .filter(|(index, _)| *index != on + 1)
        .map(|(_, token)| (*token).clone())
        .collect();
    Recovery::Reparse(
        fixed,
        Extras {
            index_only: true,
            ..Extras::default()
        },
    )
}

fn ends_with_owner_to(tokens: &[&TokenWithSpan]) -> bool {
    let count = tokens.len();
    count >= 3 && is_word(tokens[count - 3], "OWNER") && is_word(tokens[count - 2], "TO")
}

fn grants_on_non_relation(tokens: &[&TokenWithSpan]) -> bool {
    let Some(on) = tokens.iter().position(|token| is_word(token, "ON")) else {
        return false;
    };
    let target = if tokens
        .get(on + 1)
        .is_some_and(|token| is_word(token, "ALL"))
    {
        on + 2
    } else {
        on + 1
    };
    tokens.get(target).is_some_and(|token| {
        NON_RELATION_GRANT_TARGETS
            .iter()
            .any(|word| is_word(token, word))
    })
}

/// The first `count` tokens as upper-case words, stopping at the first non-word.
pub(super) fn leading_words(tokens: &[&TokenWithSpan], count: usize) -> Vec<String> {
    tokens
        .iter()
        .take(count)
        .map_while(|token| match &token.token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_uppercase()),
            _ => None,
        })
        .collect()
}

pub(super) fn starts_with(words: &[String], prefix: &[&str]) -> bool {
    words.len() >= prefix.len() && words.iter().zip(prefix).all(|(word, want)| word == want)
}

/// Whether the token is the unquoted keyword `word` (upper-case).
pub(super) fn is_word(token: &TokenWithSpan, word: &str) -> bool {
    matches!(&token.token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

fn is_null(token: &Token) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("NULL"))
}

/// The value of a string literal token of any PostgreSQL spelling.
fn string_value(token: &Token) -> Option<String> {
    match token {
        Token::SingleQuotedString(value)
        | Token::EscapedStringLiteral(value)
        | Token::NationalStringLiteral(value)
        | Token::UnicodeStringLiteral(value) => Some(value.clone()),
        Token::DollarQuotedString(dollar) => Some(dollar.value.clone()),
        _ => None,
    }
}

/// A word token as a folded identifier: unquoted lower-cased, quoted kept.
pub(super) fn identifier(token: &TokenWithSpan) -> Option<String> {
    match &token.token {
        Token::Word(word) if word.quote_style.is_some() => Some(word.value.clone()),
        Token::Word(word) => Some(word.value.to_lowercase()),
        _ => None,
    }
}

/// A dotted name starting at `at`: its folded parts and the index after it.
pub(super) fn name_at(tokens: &[&TokenWithSpan], mut at: usize) -> Option<(Vec<String>, usize)> {
    let mut parts = vec![identifier(tokens.get(at)?)?];
    at += 1;
    while tokens.get(at).map(|token| &token.token) == Some(&Token::Period) {
        parts.push(identifier(tokens.get(at + 1)?)?);
        at += 2;
    }
    Some((parts, at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn tokens(text: &str) -> Vec<TokenWithSpan> {
        Tokenizer::new(&PostgreSqlDialect {}, text)
            .tokenize_with_location()
            .map(|tokens| {
                tokens
                    .into_iter()
                    .filter(|token| !matches!(token.token, Token::Whitespace(_)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn defines(text: &str) -> Option<Vec<String>> {
        let tokens = tokens(text);
        defined_relation(&tokens.iter().collect::<Vec<_>>())
    }

    #[test]
    fn first_words_name_the_defined_relation() {
        let name = |parts: &[&str]| Some(parts.iter().map(|p| p.to_string()).collect());
        assert_eq!(
            defines("CREATE UNLOGGED TABLE IF NOT EXISTS App.\"Users\" (x weird)"),
            name(&["app", "Users"])
        );
        assert_eq!(
            defines("ALTER TABLE ONLY public.t ADD x"),
            name(&["public", "t"])
        );
        assert_eq!(
            defines("CREATE UNIQUE INDEX i ON ONLY t USING btree (x)"),
            name(&["t"])
        );
        assert_eq!(
            defines("CREATE OR REPLACE MATERIALIZED VIEW mv AS x"),
            name(&["mv"])
        );
        assert_eq!(defines("CREATE FUNCTION f() x"), None);
    }
}
