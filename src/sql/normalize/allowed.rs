//! The closed set of values a CHECK expression allows a column, for comparing a
//! column's CHECK with a contract's `enum`.

use super::expr::Normalizer;
use super::parse_whole;
use sqlparser::ast::{BinaryOperator, Expr, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The string values `column` may hold under the CHECK `expression`, in the order
/// written, when the expression restricts it to literals: (possibly parenthesised,
/// possibly cast) `col IN ('a', 'b')`, `col = ANY (ARRAY['a'::text, 'b'::text])`,
/// `col = 'a' OR col = 'b'`, or an `AND` one of whose conjuncts does so (several such
/// conjuncts: the values all of them allow). A `col IS NULL` alternative in an `OR`
/// allows no string value and is accepted, since nullability is checked on its own.
/// `None` when the expression does not parse or does not restrict the column to a
/// closed set of strings.
pub fn check_allowed_values(expression: &str, column: &str) -> Option<Vec<String>> {
    let normalized = normalized(expression)?;
    allowed(&normalized, column).filter(|values| !values.is_empty())
}

/// [`check_allowed_values`] for every column the CHECK `expression` restricts to a closed
/// set of strings, by column name, from one parse (loaders store it in the model).
pub fn allowed_values_by_column(expression: &str) -> BTreeMap<String, Vec<String>> {
    let Some(normalized) = normalized(expression) else {
        return BTreeMap::new();
    };
    let mut columns = BTreeSet::new();
    restricted_columns(&normalized, &mut columns);
    columns
        .into_iter()
        .filter_map(|column| {
            let values = allowed(&normalized, &column).filter(|values| !values.is_empty())?;
            Some((column, values))
        })
        .collect()
}

/// The expression parsed and normalized (casts on literals dropped, `IN` as `= ANY`,
/// `BETWEEN` as two comparisons), when it parses and normalizes.
pub(super) fn normalized(expression: &str) -> Option<Expr> {
    let parsed = parse_whole(expression, "expression", |parser| parser.parse_expr()).ok()?;
    let normalizer = Normalizer::new("public");
    let normalized = normalizer.top_level(parsed);
    normalizer.refusal().is_none().then_some(normalized)
}

/// Every name [`allowed`] can find values for: the column side of each comparison it
/// reads, through the same `AND`/`OR` chains.
fn restricted_columns(expr: &Expr, columns: &mut BTreeSet<String>) {
    match unparenthesised(expr) {
        Expr::BinaryOp {
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            ..
        } => {
            for operand in chain(expr, op) {
                restricted_columns(operand, columns);
            }
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => columns.extend(
            [left, right]
                .into_iter()
                .filter_map(|side| column_name(side)),
        ),
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            ..
        } => columns.extend(column_name(left)),
        _ => {}
    }
}

pub(super) fn column_name(expr: &Expr) -> Option<String> {
    match unparenthesised(expr) {
        Expr::Identifier(ident) => Some(ident.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|ident| ident.value.clone()),
        _ => None,
    }
}

fn allowed(expr: &Expr, column: &str) -> Option<Vec<String>> {
    match expr {
        Expr::Nested(inner) => allowed(inner, column),
        Expr::BinaryOp {
            op: BinaryOperator::And,
            ..
        } => {
            let mut result: Option<Vec<String>> = None;
            for conjunct in chain(expr, &BinaryOperator::And) {
                if let Some(values) = allowed(conjunct, column) {
                    result = Some(match result {
                        Some(previous) => previous
                            .into_iter()
                            .filter(|value| values.contains(value))
                            .collect(),
                        None => values,
                    });
                }
            }
            result
        }
        Expr::BinaryOp {
            op: BinaryOperator::Or,
            ..
        } => {
            let mut result = Vec::new();
            for alternative in chain(expr, &BinaryOperator::Or) {
                if is_null_test(alternative, column) {
                    continue;
                }
                for value in allowed(alternative, column)? {
                    if !result.contains(&value) {
                        result.push(value);
                    }
                }
            }
            Some(result)
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            if is_column(left, column) {
                string_literal(right).map(|value| vec![value])
            } else if is_column(right, column) {
                string_literal(left).map(|value| vec![value])
            } else {
                None
            }
        }
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } if is_column(left, column) => match unparenthesised(right) {
            Expr::Array(array) => array.elem.iter().map(string_literal).collect(),
            _ => None,
        },
        _ => None,
    }
}

/// The operands of a chain of one associative operator, however it is nested.
pub(super) fn chain<'a>(expr: &'a Expr, op: &BinaryOperator) -> Vec<&'a Expr> {
    match unparenthesised(expr) {
        Expr::BinaryOp {
            left,
            op: inner,
            right,
        } if inner == op => {
            let mut operands = chain(left, op);
            operands.extend(chain(right, op));
            operands
        }
        other => vec![other],
    }
}

pub(super) fn unparenthesised(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => unparenthesised(inner),
        other => other,
    }
}

fn is_null_test(expr: &Expr, column: &str) -> bool {
    matches!(unparenthesised(expr), Expr::IsNull(inner) if is_column(inner, column))
}

fn is_column(expr: &Expr, column: &str) -> bool {
    match unparenthesised(expr) {
        Expr::Identifier(ident) => ident.value == column,
        Expr::CompoundIdentifier(parts) => parts.last().is_some_and(|ident| ident.value == column),
        _ => false,
    }
}

pub(super) fn string_literal(expr: &Expr) -> Option<String> {
    match unparenthesised(expr) {
        Expr::Value(value) => match &value.value {
            Value::SingleQuotedString(text) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_column_reads_every_restricted_column_as_check_allowed_values_does() {
        let expressions = [
            "state IN ('idle', 'running') AND kind = 'a'",
            "(state = 'idle' OR state = 'running' OR state IS NULL) AND t.kind = ANY (ARRAY['a'::text, 'b'::text])",
            "state IN ('a', 'b') OR other = 'c'",
            "state <> 'a' AND qty IN (1, 2)",
            "not sql at all (",
        ];
        for expression in expressions {
            let by_column = allowed_values_by_column(expression);
            for column in ["state", "kind", "other", "qty", "t"] {
                assert_eq!(
                    by_column.get(column).cloned(),
                    check_allowed_values(expression, column),
                    "{expression} / {column}"
                );
            }
        }
        assert_eq!(
            allowed_values_by_column("state IN ('idle', 'running') AND kind = 'a'")
                .keys()
                .collect::<Vec<_>>(),
            ["kind", "state"]
        );
    }
}
