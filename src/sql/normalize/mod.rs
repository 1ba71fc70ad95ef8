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
mod expr;
mod function;
mod interval;
mod query;

pub use allowed::check_allowed_values;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// SQL text that could not be parsed, so it could not be normalized. Callers comparing
/// definitions report the comparison as undecided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot parse SQL `{text}`: {message}")]
pub struct NormalizeError {
    /// The text that was given (trimmed).
    pub text: String,
    /// The parser's message, with its line and column within `text`.
    pub message: String,
}

impl NormalizeError {
    fn new(text: &str, message: impl Into<String>) -> Self {
        NormalizeError {
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
    let parsed = parse_whole(text, "expression", |parser| parser.parse_expr())?;
    let normalizer = expr::Normalizer::new(default_schema);
    Ok(normalizer.top_level(parsed).to_string())
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
    let body = text.trim().trim_end_matches(';');
    let parsed = parse_whole(body, "query", |parser| parser.parse_query())?;
    let normalizer = expr::Normalizer::new(default_schema);
    Ok(query::normalize(&normalizer, *parsed).to_string())
}

/// Parses all of `text` as one `what` (nothing may follow it).
fn parse_whole<T>(
    text: &str,
    what: &str,
    parse: impl FnOnce(&mut Parser) -> Result<T, ParserError>,
) -> Result<T, NormalizeError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(text)
        .map_err(|error| NormalizeError::new(text, error.to_string()))?;
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
