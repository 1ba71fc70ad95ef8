//! Normalizes SQL expressions and view bodies so that equal meaning compares equal.
//!
//! Specs hold definitions as people write them; the server prints them back through
//! `pg_get_expr`, `pg_get_constraintdef`, `pg_indexes.indexdef` and `pg_get_viewdef`,
//! which add casts, parenthesise every operator, qualify names and rewrite some forms
//! (`x IN ('a','b')` becomes `x = ANY (ARRAY['a'::text, 'b'::text])`). Both texts go
//! through the same canonical printer here, so a plain string comparison of the results
//! tells whether the definitions agree.
//!
//! The canonical form is meant for comparison only, not for sending to a server.
//! Rewrites are limited to those that cannot change meaning for two valid definitions
//! of the same object:
//!
//! - parentheses are re-derived from the tree (every operand that is itself an
//!   operator is parenthesised), and `AND`/`OR` chains are flattened;
//! - keywords, unquoted identifiers and function names are case-folded; the default
//!   schema and `pg_catalog` are dropped from qualified names and cast types;
//! - `IN (…)` / `NOT IN (…)` become `= ANY (ARRAY[…])` / `<> ALL (ARRAY[…])` by
//!   PostgreSQL's own rule; `BETWEEN` becomes two comparisons; `LIKE` becomes `~~`;
//!   `CAST(x AS t)`, `interval '…'` and `date '…'` become `::` casts; `TRIM(x)` becomes
//!   `TRIM(BOTH FROM x)` and `x SIMILAR TO p` becomes `x ~ similar_to_escape(p)`, as the
//!   server prints them;
//! - an interval literal is spelled as the server prints it (`'1 hour'` is `'01:00:00'`)
//!   when it is written in units or as a clock time;
//! - a cast on a quoted literal or `NULL` is dropped (the literal's type comes from its
//!   context, and the server prints the type it resolved); a quoted number cast to a
//!   numeric type becomes that number (`'-1'::integer` is `-1`), and a relation name in
//!   a `regclass` literal loses the default schema (`'public.s'::regclass` is `'s'`);
//! - a cast to `text` or unbounded `character varying` (or their arrays) on a column
//!   reference or on an array of literals is dropped: the server adds it when comparing
//!   a `varchar` column with text;
//! - a cast to a numeric type on a number is dropped where the number is an operand of
//!   a comparison or the whole expression (a default): both sides are compared in the
//!   wider type either way. In arithmetic it is kept (`1 / 2::numeric` is not `1 / 2`).
//!
//! Not unified on purpose: `now()` and `CURRENT_TIMESTAMP` (the server keeps each as
//! written), `NOT x IS NULL` and `x IS NOT NULL` (they differ for row values, and the
//! server keeps each as written), the order of `IN` lists and of operands.
//!
//! Known blind spots, accepted because the server never prints them differently from
//! a valid spec: the same quoted literal cast to two different types compares equal
//! (`'2024-01-01'::date` and `'2024-01-01'::timestamp`), and an explicit
//! cast of a non-text column to `text` (`int_col::text = '5'`) is dropped like the
//! server's own casts, so it compares equal to `int_col = '5'`; the server would print
//! that one as `int_col = 5`, so the pair does not meet in practice.

mod allowed;
mod bounds;
mod cache;
mod datetime;
mod declarations;
mod expr;
mod function;
mod interval;
mod query;

pub use allowed::{allowed_values_by_column, check_allowed_values};
pub use bounds::{
    check_bounds, column_orders, predicate_tree, Bound, ColumnBounds, ColumnOrder, Condition,
    Order, Predicate,
};
pub use cache::{FormCache, FormContext};
pub use declarations::Declarations;
pub use expr::quote_as_printed;
use std::rc::Rc;

use crate::sql::depth::{check_nesting, MAX_NESTING};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer};

/// SQL text that could not be normalized. Callers comparing definitions report the
/// comparison as undecided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NormalizeError {
    /// The text does not parse.
    #[error("cannot parse SQL `{text}`: {message}")]
    Unparsed {
        /// The text that was given (trimmed).
        text: String,
        /// The parser's message, with its line and column within `text`.
        message: String,
    },
    /// The text nests deeper than any walk of it may recurse (see [`crate::sql::depth`]);
    /// it is not parsed at all.
    #[error(
        "the {what} nests {levels} levels deep, more than pgparity compares (limit {limit})",
        limit = crate::sql::depth::MAX_NESTING
    )]
    TooDeep {
        /// `expression` or `query`.
        what: &'static str,
        /// Its measured depth.
        levels: usize,
    },
    /// The text parses, but its canonical form would nest too deeply or grow too large.
    #[error("the {what} is not compared: {reason}")]
    TooComplex {
        /// `expression` or `query`.
        what: &'static str,
        /// What made it so.
        reason: String,
    },
}

impl NormalizeError {
    fn new(text: &str, message: impl Into<String>) -> Self {
        NormalizeError::Unparsed {
            text: text.trim().to_string(),
            message: message.into(),
        }
    }
}

/// The canonical form of an SQL expression (a default, a CHECK, an index predicate or
/// key expression, a policy's `USING`). Two expressions with the same meaning, one as
/// written in a spec and one as the server prints it, give the same string.
/// `default_schema` is the schema unqualified names resolve to (`public`).
pub fn normalize_expression(text: &str, default_schema: &str) -> Result<String, NormalizeError> {
    normalize_expression_with(text, FormContext::default_of(default_schema), Rc::default())
}

/// [`normalize_expression`] in a context: where the text was written (a spec's `SET
/// search_path` named another schema first, where the relation of a `regclass` literal
/// such as `nextval('s'::regclass)` and of a sub-select's `FROM` then lives, as the
/// server resolved it), and the declarations of the functions the specs declare (a cast
/// of an argument to its parameter's type, which the server adds, is dropped).
pub fn normalize_expression_with(
    text: &str,
    context: FormContext<'_>,
    declarations: Rc<Declarations>,
) -> Result<String, NormalizeError> {
    let parsed = parse_whole(text, "expression", |parser| parser.parse_expr())?;
    let normalizer = expr::Normalizer::in_context(context, declarations);
    let normalized = normalizer.top_level(parsed);
    refused("expression", &normalizer)?;
    Ok(normalized.to_string())
}

/// The canonical form of a view body (a query, usually a `SELECT`): every expression in
/// it normalized as [`normalize_expression`] does, plus the differences
/// `pg_get_viewdef` introduces that can be undone soundly: the default schema on
/// relation names, `INNER JOIN` vs `JOIN`, `LEFT OUTER JOIN` vs `LEFT JOIN`, the
/// parentheses around join trees, an output alias equal to the name PostgreSQL would
/// derive anyway (`count(*) AS count`), the qualification of column references by
/// the only relation of a single-relation `FROM` (PostgreSQL 15 prints `t.col`), and
/// `GROUP BY`/`ORDER BY` ordinals, which the server prints as the output column's
/// expression.
///
/// Not undone: qualification of columns in queries over several relations (telling
/// which relation an unqualified column belongs to needs the catalog), `*` expanded
/// by the server into the column list, and rewrites of subqueries and set operations
/// beyond expression normalization. Equal strings mean equal definitions; different
/// strings may still be equal definitions, so callers report a difference in a view
/// body as undecided rather than as drift when that matters.
pub fn normalize_query(text: &str, default_schema: &str) -> Result<String, NormalizeError> {
    normalize_query_with(text, FormContext::default_of(default_schema), Rc::default())
}

/// [`normalize_query`] of a view body in a context (see [`normalize_expression_with`]).
pub fn normalize_query_with(
    text: &str,
    context: FormContext<'_>,
    declarations: Rc<Declarations>,
) -> Result<String, NormalizeError> {
    let body = text.trim().trim_end_matches(';');
    let parsed = parse_whole(body, "query", |parser| parser.parse_query())?;
    let normalizer = expr::Normalizer::in_context(context, declarations);
    let normalized = query::normalize(&normalizer, *parsed);
    refused("query", &normalizer)?;
    Ok(normalized.to_string())
}

/// The error for a normalization the normalizer stopped early.
fn refused(what: &'static str, normalizer: &expr::Normalizer) -> Result<(), NormalizeError> {
    match normalizer.refusal() {
        None => match normalizer.undecided() {
            None => Ok(()),
            Some(reason) => Err(NormalizeError::TooComplex { what, reason }),
        },
        Some(expr::Refusal::TooDeep) => Err(NormalizeError::TooComplex {
            what,
            reason: format!(
                "written as the server prints it (an IN list with column references becomes \
                 a chain of ORs), it nests deeper than pgparity compares (limit {MAX_NESTING})"
            ),
        }),
        Some(expr::Refusal::TooLarge) => Err(NormalizeError::TooComplex {
            what,
            reason: "written as the server prints it (BETWEEN and IN repeat their left \
                     operand), it grows larger than pgparity compares"
                .to_string(),
        }),
    }
}

/// Parses all of `text` as one `what` (nothing may follow it), unless it nests too
/// deeply to be walked.
fn parse_whole<T>(
    text: &str,
    what: &'static str,
    parse: impl FnOnce(&mut Parser) -> Result<T, ParserError>,
) -> Result<T, NormalizeError> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|error| NormalizeError::new(text, error.to_string()))?;
    if let Err(too_deep) = check_nesting(&tokens) {
        return Err(NormalizeError::TooDeep {
            what,
            levels: too_deep.levels,
        });
    }
    // Bounded by `check_nesting` above; sqlparser's default limit (50 parenthesised
    // levels) would refuse what the server prints for a 50-term chain.
    let mut parser = Parser::new(&dialect)
        .with_recursion_limit(MAX_NESTING)
        .with_tokens_with_locations(tokens);
    let parsed =
        parse(&mut parser).map_err(|error| NormalizeError::new(text, error.to_string()))?;
    let trailing = parser.peek_token();
    if trailing.token != Token::EOF {
        return Err(NormalizeError::new(
            text,
            format!(
                "unexpected `{}` after the {what} at {}",
                trailing.token, trailing.span.start
            ),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `work` on a thread with the binary's stack, as every parsing thread has.
    fn on_worker_stack<T: Send>(work: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(crate::WORKER_STACK_BYTES)
                .spawn_scoped(scope, work)
                .expect("worker thread")
                .join()
                .expect("no panic")
        })
    }

    fn plus_chain(terms: usize) -> String {
        vec!["1"; terms].join(" + ")
    }

    #[test]
    fn a_chain_at_the_limit_is_compared_and_one_level_more_is_not() {
        on_worker_stack(|| {
            let at_limit = normalize_expression(&plus_chain(MAX_NESTING), "public");
            assert!(at_limit.is_ok(), "{at_limit:?}");
            let past = normalize_expression(&plus_chain(MAX_NESTING + 1), "public");
            assert_eq!(
                past,
                Err(NormalizeError::TooDeep {
                    what: "expression",
                    levels: MAX_NESTING + 1
                })
            );
            let message = past.unwrap_err().to_string();
            assert!(message.contains("nests 1001 levels deep"), "{message}");
            assert!(message.contains("(limit 1000)"), "{message}");
        });
    }

    #[test]
    fn a_view_body_at_the_limit_is_normalized_through_every_walk() {
        on_worker_stack(|| {
            // `SELECT` counts one level, and the server parenthesises every operator.
            let nested =
                "(".repeat(MAX_NESTING / 2 - 1) + "1" + &" + 1)".repeat(MAX_NESTING / 2 - 1);
            let body = format!("SELECT {nested}");
            let normalized = normalize_query(&body, "public");
            assert!(normalized.is_ok(), "{normalized:?}");
            let deeper = format!("SELECT ({nested} + 1)");
            assert!(matches!(
                normalize_query(&deeper, "public"),
                Err(NormalizeError::TooDeep { what: "query", .. })
            ));
        });
    }

    #[test]
    fn an_in_list_that_would_chain_past_the_limit_is_not_compared() {
        on_worker_stack(|| {
            let columns: Vec<String> = (0..=MAX_NESTING).map(|n| format!("c{n}")).collect();
            let text = format!("x IN ({})", columns.join(", "));
            let error = normalize_expression(&text, "public").unwrap_err();
            assert!(
                matches!(error, NormalizeError::TooComplex { .. }),
                "{error:?}"
            );
            assert!(error.to_string().contains("chain of ORs"), "{error}");
            let constants: Vec<String> = (0..5_000).map(|n| format!("'v{n}'")).collect();
            let flat = format!("x IN ({})", constants.join(", "));
            assert!(normalize_expression(&flat, "public").is_ok());
        });
    }

    #[test]
    fn nested_between_is_refused_before_it_doubles_out_of_bounds() {
        on_worker_stack(|| {
            let mut text = "a".to_string();
            for _ in 0..40 {
                text = format!("({text} BETWEEN 1 AND 2)");
            }
            let error = normalize_expression(&text, "public").unwrap_err();
            assert!(
                error.to_string().contains("repeat their left operand"),
                "{error}"
            );
        });
    }

    #[test]
    fn allowed_values_are_read_up_to_the_limit() {
        on_worker_stack(|| {
            let alternatives = |terms: usize| {
                (0..terms)
                    .map(|n| format!("colour = 'v{n}'"))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            };
            // Each alternative is a comparison and an OR: two levels.
            let at_limit = check_allowed_values(&alternatives(MAX_NESTING / 2), "colour");
            assert_eq!(at_limit.map(|values| values.len()), Some(MAX_NESTING / 2));
            assert_eq!(
                check_allowed_values(&alternatives(MAX_NESTING / 2 + 1), "colour"),
                None
            );
        });
    }
}
