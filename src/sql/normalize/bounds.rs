//! What a CHECK expression or a partial index predicate says about single columns, for
//! the probes of `--probe`: the bounds a CHECK puts on a column's value or length, and
//! the conditions a predicate puts on a row.
//!
//! Only what can be read with certainty is read: comparisons of a column (or its
//! `length()`) with a literal in the top-level `AND` chain of the expression (after
//! normalization, so `BETWEEN` is two comparisons and casts on literals are gone). An
//! `OR` whose other alternatives are `col IS NULL` counts as its remaining alternative.
//! A predicate is read as a tree of `AND`, `OR` and `NOT` over such conditions and `IN`
//! lists ([`predicate_tree`]), so that a probe can place a row inside it and one outside.

use super::allowed::{chain, column_name, normalized, string_literal, unparenthesised};
use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Value, ValueWithSpan,
};
use std::collections::BTreeMap;

/// A literal a column is compared with, as SQL text (`0`, `-1.5`, `'2024-01-01'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    /// The literal: a number as written, or a quoted string.
    pub literal: String,
    /// Whether the literal is a number (else a quoted string, e.g. a date).
    pub numeric: bool,
    /// `>=` / `<=` (true) or `>` / `<` (false).
    pub inclusive: bool,
}

/// What a CHECK says about one column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnBounds {
    /// The lowest value allowed (`col >= 0`, `col > 0`).
    pub lower: Option<Bound>,
    /// The highest value allowed (`col <= 1`).
    pub upper: Option<Bound>,
    /// The shortest length allowed (`length(col) >= 3`, `col <> ''`).
    pub min_length: Option<u64>,
    /// The longest length allowed (`length(col) <= 10`).
    pub max_length: Option<u64>,
}

/// The bounds the CHECK `expression` puts on each column it bounds, by column name.
/// Empty when it does not parse or bounds no column with a literal.
pub fn check_bounds(expression: &str) -> BTreeMap<String, ColumnBounds> {
    let Some(expr) = normalized(expression) else {
        return BTreeMap::new();
    };
    let mut bounds: BTreeMap<String, ColumnBounds> = BTreeMap::new();
    for conjunct in chain(&expr, &BinaryOperator::And) {
        let Some(conjunct) = without_null_alternatives(conjunct) else {
            continue;
        };
        if let Some((column, fact)) = comparison(conjunct) {
            fact.apply(bounds.entry(column).or_default());
        }
    }
    bounds
}

/// How a CHECK orders two columns of the row (`period_end >= period_start`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOrder {
    /// The column on the left of the comparison.
    pub left: String,
    /// The comparison: `<`, `<=`, `>` or `>=`.
    pub order: Order,
    /// The column on the right.
    pub right: String,
}

/// A comparison operator between two values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

/// The comparisons of two columns in the top-level `AND` chain of the CHECK
/// `expression` (an `OR` whose other alternatives are null tests of those two columns
/// counts: NULL passes a CHECK anyway). Empty when it does not parse or compares no two
/// columns.
pub fn column_orders(expression: &str) -> Vec<ColumnOrder> {
    let Some(expr) = normalized(expression) else {
        return Vec::new();
    };
    chain(&expr, &BinaryOperator::And)
        .into_iter()
        .filter_map(|conjunct| {
            let alternatives = chain(conjunct, &BinaryOperator::Or);
            let mut rest = alternatives
                .iter()
                .filter(|alternative| !matches!(unparenthesised(alternative), Expr::IsNull(_)));
            let only = rest.next()?;
            if rest.next().is_some() {
                return None;
            }
            let found = column_order(only)?;
            let null_tests_of_both =
                alternatives
                    .iter()
                    .all(|alternative| match unparenthesised(alternative) {
                        Expr::IsNull(inner) => column_name(inner)
                            .is_some_and(|column| column == found.left || column == found.right),
                        _ => true,
                    });
            null_tests_of_both.then_some(found)
        })
        .collect()
}

/// `a op b` with two (possibly cast) columns and an ordering operator.
fn column_order(expr: &Expr) -> Option<ColumnOrder> {
    let Expr::BinaryOp { left, op, right } = unparenthesised(expr) else {
        return None;
    };
    let order = match op {
        BinaryOperator::Lt => Order::Less,
        BinaryOperator::LtEq => Order::LessOrEqual,
        BinaryOperator::Gt => Order::Greater,
        BinaryOperator::GtEq => Order::GreaterOrEqual,
        _ => return None,
    };
    let left = column_name(uncast(left))?;
    let right = column_name(uncast(right))?;
    (left != right).then_some(ColumnOrder { left, order, right })
}

/// One condition a partial index predicate puts on a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `col = literal` (the literal as SQL text).
    Equals(String, String),
    /// `col IS NULL`.
    IsNull(String),
    /// `col IS NOT NULL`.
    IsNotNull(String),
    /// `col` or `col IS TRUE` (a boolean column).
    IsTrue(String),
    /// `NOT col` or `col IS FALSE`.
    IsFalse(String),
}

impl Condition {
    /// The column the condition is about.
    pub fn column(&self) -> &str {
        match self {
            Condition::Equals(column, _)
            | Condition::IsNull(column)
            | Condition::IsNotNull(column)
            | Condition::IsTrue(column)
            | Condition::IsFalse(column) => column,
        }
    }
}

/// A partial index predicate as a tree of simple conditions, for the probes to place
/// rows inside and outside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// `a AND b AND …`.
    All(Vec<Predicate>),
    /// `a OR b OR …`.
    Any(Vec<Predicate>),
    /// `NOT a` (and `col <> literal`, `col NOT IN (…)`).
    Not(Box<Predicate>),
    /// A simple condition on one column.
    Condition(Condition),
    /// `col IN (literals)` or `col = ANY (ARRAY[literals])`, the literals as SQL text.
    In(String, Vec<String>),
}

/// The predicate as `AND`, `OR` and `NOT` of simple conditions on columns (`col =
/// literal`, null and boolean tests, `<>` and `IN` lists of literals); `None` when any
/// part of it is something else.
pub fn predicate_tree(predicate: &str) -> Option<Predicate> {
    tree(&normalized(predicate)?)
}

fn tree(expr: &Expr) -> Option<Predicate> {
    let expr = unparenthesised(expr);
    match expr {
        Expr::BinaryOp {
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            ..
        } => {
            let parts = chain(expr, op)
                .into_iter()
                .map(tree)
                .collect::<Option<Vec<_>>>()?;
            Some(if *op == BinaryOperator::And {
                Predicate::All(parts)
            } else {
                Predicate::Any(parts)
            })
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::NotEq,
            right,
        } => {
            let equals = Expr::BinaryOp {
                left: left.clone(),
                op: BinaryOperator::Eq,
                right: right.clone(),
            };
            Some(Predicate::Not(Box::new(Predicate::Condition(condition(
                &equals,
            )?))))
        }
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            expr: inner,
        } => match condition(expr) {
            Some(simple) => Some(Predicate::Condition(simple)),
            None => Some(Predicate::Not(Box::new(tree(inner)?))),
        },
        // The normalized `col NOT IN (…)`.
        Expr::AllOp {
            left,
            compare_op: BinaryOperator::NotEq,
            right,
        } => match unparenthesised(right) {
            Expr::Array(array) => Some(Predicate::Not(Box::new(Predicate::In(
                column_name(left)?,
                array
                    .elem
                    .iter()
                    .map(|item| literal(item).map(|(text, _)| text))
                    .collect::<Option<Vec<_>>>()?,
            )))),
            _ => None,
        },
        // The normalized `col IN (…)`.
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => match unparenthesised(right) {
            Expr::Array(array) => Some(Predicate::In(
                column_name(left)?,
                array
                    .elem
                    .iter()
                    .map(|item| literal(item).map(|(text, _)| text))
                    .collect::<Option<Vec<_>>>()?,
            )),
            _ => None,
        },
        _ => condition(expr).map(Predicate::Condition),
    }
}

fn condition(expr: &Expr) -> Option<Condition> {
    match unparenthesised(expr) {
        Expr::IsNull(inner) => Some(Condition::IsNull(column_name(inner)?)),
        Expr::IsNotNull(inner) => Some(Condition::IsNotNull(column_name(inner)?)),
        Expr::IsTrue(inner) => Some(Condition::IsTrue(column_name(inner)?)),
        Expr::IsFalse(inner) => Some(Condition::IsFalse(column_name(inner)?)),
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            expr: inner,
        } => Some(Condition::IsFalse(column_name(inner)?)),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            let (column, literal) = match (column_name(left), column_name(right)) {
                (Some(column), None) => (column, literal(right)?),
                (None, Some(column)) => (column, literal(left)?),
                _ => return None,
            };
            Some(Condition::Equals(column, literal.0))
        }
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            Some(Condition::IsTrue(column_name(expr)?))
        }
        _ => None,
    }
}

/// `x IS NULL OR rest` → `rest` when every other alternative is a null test of the
/// column `rest` is about (NULL passes a CHECK anyway); the expression itself when it is
/// no `OR`; `None` for any other `OR`.
fn without_null_alternatives(expr: &Expr) -> Option<&Expr> {
    let alternatives = chain(expr, &BinaryOperator::Or);
    if alternatives.len() == 1 {
        return Some(alternatives[0]);
    }
    let mut rest = alternatives
        .iter()
        .filter(|alternative| !matches!(unparenthesised(alternative), Expr::IsNull(_)));
    let only = rest.next()?;
    if rest.next().is_some() {
        return None;
    }
    let column = comparison(only)?.0;
    alternatives
        .iter()
        .all(|alternative| match unparenthesised(alternative) {
            Expr::IsNull(inner) => column_name(inner).as_deref() == Some(column.as_str()),
            _ => true,
        })
        .then_some(*only)
}

/// What one comparison says.
enum Fact {
    Lower(Bound),
    Upper(Bound),
    MinLength(u64),
    MaxLength(u64),
}

impl Fact {
    /// Narrows `bounds` by this fact (two lower bounds: the later one, as both hold and
    /// specs rarely write two).
    fn apply(self, bounds: &mut ColumnBounds) {
        match self {
            Fact::Lower(bound) => bounds.lower = Some(bound),
            Fact::Upper(bound) => bounds.upper = Some(bound),
            Fact::MinLength(length) => {
                bounds.min_length = Some(bounds.min_length.map_or(length, |old| old.max(length)))
            }
            Fact::MaxLength(length) => {
                bounds.max_length = Some(bounds.max_length.map_or(length, |old| old.min(length)))
            }
        }
    }
}

/// `col op literal`, `literal op col`, `length(col) op n` or `col <> ''`.
fn comparison(expr: &Expr) -> Option<(String, Fact)> {
    let Expr::BinaryOp { left, op, right } = unparenthesised(expr) else {
        return None;
    };
    // Written as `literal op column`: the same fact with the operator turned around.
    let (subject, op, value) = match literal(right) {
        Some(value) => (left.as_ref(), op.clone(), value),
        None => (right.as_ref(), flipped(op)?, literal(left)?),
    };
    if let Some(column) = length_of(subject) {
        let number: f64 = value.0.parse().ok().filter(|_| value.1)?;
        if number < 0.0 || number.fract() != 0.0 || number > u32::MAX as f64 {
            return None;
        }
        // Lengths are whole numbers below u32::MAX: the cast is exact.
        let length = number as u64;
        let fact = match op {
            BinaryOperator::Gt => Fact::MinLength(length + 1),
            BinaryOperator::GtEq => Fact::MinLength(length),
            BinaryOperator::Lt => Fact::MaxLength(length.checked_sub(1)?),
            BinaryOperator::LtEq => Fact::MaxLength(length),
            _ => return None,
        };
        return Some((column, fact));
    }
    let column = column_name(uncast(subject))?;
    let bound = |inclusive| Bound {
        literal: value.0.clone(),
        numeric: value.1,
        inclusive,
    };
    let fact = match op {
        BinaryOperator::Gt => Fact::Lower(bound(false)),
        BinaryOperator::GtEq => Fact::Lower(bound(true)),
        BinaryOperator::Lt => Fact::Upper(bound(false)),
        BinaryOperator::LtEq => Fact::Upper(bound(true)),
        BinaryOperator::NotEq if value.0 == "''" => Fact::MinLength(1),
        _ => return None,
    };
    Some((column, fact))
}

fn flipped(op: &BinaryOperator) -> Option<BinaryOperator> {
    Some(match op {
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        BinaryOperator::NotEq => BinaryOperator::NotEq,
        BinaryOperator::Eq => BinaryOperator::Eq,
        _ => return None,
    })
}

/// `expr` without the casts around it (`(x)::numeric` compares `x`).
fn uncast(expr: &Expr) -> &Expr {
    match unparenthesised(expr) {
        Expr::Cast { expr: inner, .. } => uncast(inner),
        other => other,
    }
}

/// The column of `length(col)`, `char_length(col)` or `character_length(col)`.
fn length_of(expr: &Expr) -> Option<String> {
    let Expr::Function(function) = unparenthesised(expr) else {
        return None;
    };
    let name = function.name.to_string().to_ascii_lowercase();
    if !matches!(name.as_str(), "length" | "char_length" | "character_length") {
        return None;
    }
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(argument))] => column_name(uncast(argument)),
        _ => None,
    }
}

/// A literal as SQL text, and whether it is a number.
fn literal(expr: &Expr) -> Option<(String, bool)> {
    match unparenthesised(expr) {
        Expr::Value(ValueWithSpan {
            value: Value::Number(digits, _),
            ..
        }) => Some((digits.clone(), true)),
        other => {
            let text = string_literal(other)?;
            Some((format!("'{}'", text.replace('\'', "''")), false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicates_of_or_in_and_not_are_read_as_trees() {
        let state =
            |text: &str| Predicate::Condition(Condition::Equals("state".into(), text.into()));
        assert_eq!(
            predicate_tree("(state IN ('active', 'pending') OR state IS NULL) AND NOT archived"),
            Some(Predicate::All(vec![
                Predicate::Any(vec![
                    Predicate::In("state".into(), vec!["'active'".into(), "'pending'".into()]),
                    Predicate::Condition(Condition::IsNull("state".into())),
                ]),
                Predicate::Condition(Condition::IsFalse("archived".into())),
            ]))
        );
        assert_eq!(
            predicate_tree("state <> 'gone'"),
            Some(Predicate::Not(Box::new(state("'gone'"))))
        );
        assert_eq!(
            predicate_tree("NOT (state = 'a' OR state = 'b')"),
            Some(Predicate::Not(Box::new(Predicate::Any(vec![
                state("'a'"),
                state("'b'")
            ]))))
        );
        assert_eq!(predicate_tree("lower(state) = 'a'"), None);
    }

    #[test]
    fn comparisons_of_two_columns_are_read_with_their_null_alternatives() {
        let order = |left: &str, order, right: &str| ColumnOrder {
            left: left.into(),
            order,
            right: right.into(),
        };
        assert_eq!(
            column_orders("period_end >= period_start"),
            vec![order("period_end", Order::GreaterOrEqual, "period_start")]
        );
        assert_eq!(
            column_orders(
                "(ends_at IS NULL OR ends_at > starts_at) AND amount >= 0 AND lo < hi::numeric"
            ),
            vec![
                order("ends_at", Order::Greater, "starts_at"),
                order("lo", Order::Less, "hi"),
            ]
        );
        // A null test of a third column lets a row pass whatever the order: not read.
        assert_eq!(
            column_orders("deleted_at IS NULL OR ends_at > starts_at"),
            vec![]
        );
        assert_eq!(column_orders("a = b"), vec![]);
        assert_eq!(column_orders("a > a"), vec![]);
        assert_eq!(column_orders("a > b OR c > d"), vec![]);
    }

    fn bound(literal: &str, inclusive: bool) -> Option<Bound> {
        Some(Bound {
            literal: literal.into(),
            numeric: !literal.starts_with('\''),
            inclusive,
        })
    }

    #[test]
    fn comparisons_between_and_lengths_bound_their_columns() {
        let bounds = check_bounds("allocation_ratio >= 0 AND allocation_ratio <= 1");
        assert_eq!(
            bounds["allocation_ratio"],
            ColumnBounds {
                lower: bound("0", true),
                upper: bound("1", true),
                ..ColumnBounds::default()
            }
        );
        let bounds = check_bounds("revenue_cents > 0");
        assert_eq!(bounds["revenue_cents"].lower, bound("0", false));
        let bounds = check_bounds("seats BETWEEN 1 AND 500 AND 10 > rank");
        assert_eq!(bounds["seats"].lower, bound("1", true));
        assert_eq!(bounds["seats"].upper, bound("500", true));
        assert_eq!(bounds["rank"].upper, bound("10", false));
        let bounds = check_bounds("(x)::numeric >= -1.5 AND starts_on >= '2020-01-01'::date");
        assert_eq!(bounds["x"].lower, bound("-1.5", true));
        assert_eq!(bounds["starts_on"].lower, bound("'2020-01-01'", true));
        let bounds = check_bounds("length(code) <= 8 AND char_length(code) > 2 AND name <> ''");
        assert_eq!(bounds["code"].max_length, Some(8));
        assert_eq!(bounds["code"].min_length, Some(3));
        assert_eq!(bounds["name"].min_length, Some(1));
        let bounds = check_bounds("retry_count IS NULL OR retry_count >= 0");
        assert_eq!(bounds["retry_count"].lower, bound("0", true));
    }

    #[test]
    fn what_cannot_be_read_with_certainty_is_not_read() {
        for expression in [
            "period_end >= period_start",
            "state = 'idle' OR last_run_at IS NOT NULL",
            "a > 0 OR b > 0",
            "slug ~ '^[a-z]+$'",
            "not sql (",
        ] {
            assert_eq!(check_bounds(expression), BTreeMap::new(), "{expression}");
        }
    }

    #[test]
    fn predicates_are_read_as_conditions_on_columns() {
        let simple = |condition: Condition| Some(Predicate::Condition(condition));
        assert_eq!(
            predicate_tree("allocation_id IS NOT NULL"),
            simple(Condition::IsNotNull("allocation_id".into()))
        );
        assert_eq!(
            predicate_tree("state = 'running' AND NOT archived AND deleted_at IS NULL"),
            Some(Predicate::All(vec![
                Predicate::Condition(Condition::Equals("state".into(), "'running'".into())),
                Predicate::Condition(Condition::IsFalse("archived".into())),
                Predicate::Condition(Condition::IsNull("deleted_at".into())),
            ]))
        );
        assert_eq!(
            predicate_tree("active"),
            simple(Condition::IsTrue("active".into()))
        );
        assert_eq!(predicate_tree("lower(email) <> ''"), None);
    }
}
