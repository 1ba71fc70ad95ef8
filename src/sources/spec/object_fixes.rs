//! Fixes for schema-level statements sqlparser rejects (`CREATE PROCEDURE … AS '…'`,
//! `ALTER SEQUENCE`), and what a statement that could not be read may define, so that
//! the database's object of that name is not reported as unexpected.

use super::fixes::{function_planner_options, identifier, is_word, name_at, Recovery};
use super::statements::{Extras, Parsed};
use crate::model::SchemaObjectKind;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Word};

/// `ALTER SEQUENCE [IF EXISTS] name …`: what of it the model keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SequenceAlteration {
    /// The sequence's name parts, folded.
    pub name: Vec<String>,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// `AS type`, as written.
    pub data_type: Option<String>,
    /// `INCREMENT [BY] n`.
    pub increment: Option<i64>,
    /// `OWNED BY table.column` (`Some(None)`: `OWNED BY NONE`), name parts folded.
    pub owned_by: Option<Option<Vec<String>>>,
    /// `RENAME TO name`, folded.
    pub rename_to: Option<String>,
}

/// `CREATE [OR REPLACE] PROCEDURE name(args) … AS '…'`, which sqlparser 0.64 reads only
/// with a `BEGIN ATOMIC` body: read as the `CREATE FUNCTION` it resembles (the same
/// arguments, `LANGUAGE`, `SECURITY` and body clauses; no `RETURNS`), marked as a
/// procedure.
pub(super) fn procedure_as_function(tokens: &[&TokenWithSpan]) -> Recovery {
    let Some(at) = tokens
        .iter()
        .take(4)
        .position(|token| is_word(token, "PROCEDURE"))
    else {
        return Recovery::None;
    };
    let mut rewritten: Vec<TokenWithSpan> = tokens.iter().map(|token| (*token).clone()).collect();
    rewritten[at].token = Token::Word(Word {
        value: "FUNCTION".into(),
        quote_style: None,
        keyword: Keyword::FUNCTION,
    });
    let procedure = Extras {
        procedure: true,
        ..Extras::default()
    };
    let references: Vec<&TokenWithSpan> = rewritten.iter().collect();
    match function_planner_options(&references) {
        Recovery::Reparse(fixed, _) => Recovery::Reparse(fixed, procedure),
        _ => Recovery::Reparse(rewritten, procedure),
    }
}

/// `ALTER SEQUENCE [IF EXISTS] name` with `AS type`, `INCREMENT [BY] n`, `OWNED BY
/// table.column | NONE` and `RENAME TO new`; every other option (`RESTART`, `CACHE`,
/// `MINVALUE`, …) is outside the model and ignored.
pub(super) fn alter_sequence(tokens: &[&TokenWithSpan]) -> Recovery {
    let mut at = 2;
    let mut alteration = SequenceAlteration::default();
    if tokens.get(at).is_some_and(|token| is_word(token, "IF"))
        && tokens
            .get(at + 1)
            .is_some_and(|token| is_word(token, "EXISTS"))
    {
        alteration.if_exists = true;
        at += 2;
    }
    let Some((name, mut at)) = name_at(tokens, at) else {
        return Recovery::None;
    };
    alteration.name = name;
    let word = |at: usize, want: &str| tokens.get(at).is_some_and(|token| is_word(token, want));
    while at < tokens.len() {
        if word(at, "AS") {
            alteration.data_type = tokens.get(at + 1).and_then(|token| identifier(token));
            at += 2;
        } else if word(at, "INCREMENT") {
            at += 1;
            if word(at, "BY") {
                at += 1;
            }
            let negative = matches!(tokens.get(at).map(|token| &token.token), Some(Token::Minus));
            if negative {
                at += 1;
            }
            if let Some(Token::Number(number, _)) = tokens.get(at).map(|token| &token.token) {
                alteration.increment =
                    number
                        .parse::<i64>()
                        .ok()
                        .map(|value| if negative { -value } else { value });
            }
            at += 1;
        } else if word(at, "OWNED") && word(at + 1, "BY") {
            if word(at + 2, "NONE") {
                alteration.owned_by = Some(None);
                at += 3;
            } else if let Some((column, next)) = name_at(tokens, at + 2) {
                alteration.owned_by = Some(Some(column));
                at = next;
            } else {
                at += 2;
            }
        } else if word(at, "RENAME") && word(at + 1, "TO") {
            alteration.rename_to = tokens.get(at + 2).and_then(|token| identifier(token));
            at += 3;
        } else {
            at += 1;
        }
    }
    Recovery::Parsed(Parsed::AlterSequence(alteration))
}

/// How much of a statement [`touched_object`] reads.
const HEAD_BYTES: usize = 1024;

/// The schema-level object a statement creates or alters, from its first words:
/// `CREATE [OR REPLACE] FUNCTION|PROCEDURE name`, `CREATE TYPE|DOMAIN name`, `CREATE
/// [TEMP] SEQUENCE [IF NOT EXISTS] name`, `ALTER FUNCTION|PROCEDURE|TYPE|DOMAIN|SEQUENCE
/// [IF EXISTS] name`; the name's parts folded. `None` for anything else.
pub(crate) fn touched_object(text: &str) -> Option<(SchemaObjectKind, Vec<String>)> {
    // Only the head is read: the words and the name come first, and a statement that
    // could not be read may be megabytes of data (`INSERT … VALUES`).
    let mut end = text.len().min(HEAD_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let head = &text[..end];
    let head = head.find('(').map_or(head, |open| &head[..open]);
    let mut tokenizer = Tokenizer::new(&PostgreSqlDialect {}, head);
    let tokens = tokenizer.tokenize_with_location().ok()?;
    let tokens: Vec<&TokenWithSpan> = tokens
        .iter()
        .filter(|token| !matches!(token.token, Token::Whitespace(_)))
        .collect();
    let word = |at: usize, want: &str| tokens.get(at).is_some_and(|token| is_word(token, want));
    if !word(0, "CREATE") && !word(0, "ALTER") {
        return None;
    }
    let mut at = 1;
    if word(at, "OR") && word(at + 1, "REPLACE") {
        at += 2;
    }
    for modifier in ["TEMPORARY", "TEMP", "UNLOGGED"] {
        if word(at, modifier) {
            at += 1;
        }
    }
    let kind = if word(at, "FUNCTION") || word(at, "PROCEDURE") {
        SchemaObjectKind::Function
    } else if word(at, "TYPE") || word(at, "DOMAIN") {
        SchemaObjectKind::Type
    } else if word(at, "SEQUENCE") {
        SchemaObjectKind::Sequence
    } else {
        return None;
    };
    at += 1;
    if word(at, "IF") && word(at + 1, "NOT") && word(at + 2, "EXISTS") {
        at += 3;
    }
    if word(at, "IF") && word(at + 1, "EXISTS") {
        at += 2;
    }
    name_at(&tokens, at).map(|(name, _)| (kind, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &str) -> Vec<TokenWithSpan> {
        Tokenizer::new(&PostgreSqlDialect {}, text)
            .tokenize_with_location()
            .expect("tokens")
            .into_iter()
            .filter(|token| !matches!(token.token, Token::Whitespace(_)))
            .collect()
    }

    fn alteration(text: &str) -> SequenceAlteration {
        let tokens = tokens(text);
        let references: Vec<&TokenWithSpan> = tokens.iter().collect();
        match alter_sequence(&references) {
            Recovery::Parsed(Parsed::AlterSequence(alteration)) => alteration,
            _ => panic!("{text} is not read as ALTER SEQUENCE"),
        }
    }

    #[test]
    fn alter_sequence_keeps_type_increment_owner_and_name() {
        let read = alteration(
            "ALTER SEQUENCE IF EXISTS public.\"Lease_id_seq\" AS bigint INCREMENT BY -5 \
             RESTART WITH 7 CACHE 10 OWNED BY public.\"Lease\".id",
        );
        assert_eq!(
            read,
            SequenceAlteration {
                name: vec!["public".into(), "Lease_id_seq".into()],
                if_exists: true,
                data_type: Some("bigint".into()),
                increment: Some(-5),
                owned_by: Some(Some(vec!["public".into(), "Lease".into(), "id".into()])),
                rename_to: None,
            }
        );
        assert_eq!(
            alteration("ALTER SEQUENCE s OWNED BY NONE").owned_by,
            Some(None)
        );
        assert_eq!(
            alteration("ALTER SEQUENCE s INCREMENT 3 RENAME TO T").rename_to,
            Some("t".into())
        );
    }

    #[test]
    fn a_created_or_altered_object_is_named_from_the_first_words() {
        assert_eq!(
            touched_object("CREATE OR REPLACE FUNCTION Api.f(enum x) RETURNS int AS $$ $$"),
            Some((
                SchemaObjectKind::Function,
                vec!["api".to_string(), "f".to_string()]
            ))
        );
        assert_eq!(
            touched_object("CREATE SEQUENCE IF NOT EXISTS \"S\" AS int2"),
            Some((SchemaObjectKind::Sequence, vec!["S".to_string()]))
        );
        assert_eq!(
            touched_object("CREATE DOMAIN d AS text"),
            Some((SchemaObjectKind::Type, vec!["d".to_string()]))
        );
        assert_eq!(touched_object("CREATE TABLE t (id int)"), None);
        let huge = format!("CREATE SEQUENCE big {}", "CACHE 1 ".repeat(1_000_000));
        assert_eq!(
            touched_object(&huge),
            Some((SchemaObjectKind::Sequence, vec!["big".to_string()]))
        );
        assert_eq!(touched_object("DO $$ BEGIN END $$"), None);
        assert_eq!(
            touched_object("ALTER DOMAIN IF EXISTS app.d ADD CONSTRAINT c CHECK (VALUE > 0)"),
            Some((
                SchemaObjectKind::Type,
                vec!["app".to_string(), "d".to_string()]
            ))
        );
    }
}
