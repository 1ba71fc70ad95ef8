//! Function calls: name, arguments, aggregate `ORDER BY`, `FILTER`, `WITHIN GROUP` and
//! window specifications, each part normalized like any other expression.

use super::expr::{fold_ident, Normalizer};
use super::query;
use crate::model::SqlType;
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments,
    OrderByExpr, WindowType,
};
use std::collections::HashMap;

/// The parameter types of the functions the specs declare, by the name a call prints
/// after normalization (`convert_ts`, `app.convert_ts`), one list per overload.
///
/// PostgreSQL stores a call with each argument coerced to its parameter's type, and
/// prints the coercion as a cast (`convert_ts(((attrs ->> 'd'::text))::character
/// varying)` for `convert_ts(attrs->>'d')` with `convert_ts(s varchar)`). A cast of an
/// argument to the type every overload of that arity declares at its position is
/// therefore dropped on both sides: written or added, the call is the same.
#[derive(Debug, Clone, Default)]
pub struct Signatures {
    by_name: HashMap<String, Vec<Vec<SqlType>>>,
}

impl Signatures {
    /// Signatures from `(printed name, parameter types)` pairs, one pair per overload.
    pub fn new<'a>(functions: impl IntoIterator<Item = (String, &'a [String])>) -> Self {
        let mut by_name: HashMap<String, Vec<Vec<SqlType>>> = HashMap::new();
        for (name, parameters) in functions {
            by_name
                .entry(name)
                .or_default()
                .push(parameters.iter().map(|p| SqlType::parse(p)).collect());
        }
        Signatures { by_name }
    }

    /// Whether no function is known.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// The type of parameter `position` of `name` called with `arity` arguments, when
    /// every overload of that arity declares the same one.
    fn parameter(&self, name: &str, arity: usize, position: usize) -> Option<&SqlType> {
        let mut types = self
            .by_name
            .get(name)?
            .iter()
            .filter(|parameters| parameters.len() == arity)
            .map(|parameters| &parameters[position]);
        let first = types.next()?;
        types.all(|other| other == first).then_some(first)
    }
}

impl Normalizer {
    /// The canonical form of a function call.
    pub(crate) fn function(&self, function: Function) -> Function {
        let args = match function.args {
            FunctionArguments::List(mut list) => {
                list.args = list
                    .args
                    .into_iter()
                    .map(|arg| match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(self.expr(e)))
                        }
                        FunctionArg::Named {
                            name,
                            arg: FunctionArgExpr::Expr(e),
                            operator,
                        } => FunctionArg::Named {
                            name: fold_ident(name),
                            arg: FunctionArgExpr::Expr(self.expr(e)),
                            operator,
                        },
                        other => other,
                    })
                    .collect();
                list.clauses = list
                    .clauses
                    .into_iter()
                    .map(|clause| match clause {
                        FunctionArgumentClause::OrderBy(items) => {
                            FunctionArgumentClause::OrderBy(self.order_by_items(items))
                        }
                        other => other,
                    })
                    .collect();
                FunctionArguments::List(list)
            }
            FunctionArguments::Subquery(subquery) => {
                FunctionArguments::Subquery(Box::new(query::normalize(self, *subquery)))
            }
            FunctionArguments::None => FunctionArguments::None,
        };
        let over = function.over.map(|window| match window {
            WindowType::WindowSpec(mut spec) => {
                spec.partition_by = std::mem::take(&mut spec.partition_by)
                    .into_iter()
                    .map(|e| self.expr(e))
                    .collect();
                spec.order_by = self.order_by_items(std::mem::take(&mut spec.order_by));
                WindowType::WindowSpec(spec)
            }
            named => named,
        });
        let name = self.object_name(function.name);
        let args = self.without_parameter_casts(&name.to_string(), args);
        Function {
            name,
            args,
            filter: function.filter.map(|e| Box::new(self.expr(*e))),
            within_group: self.order_by_items(function.within_group),
            over,
            ..function
        }
    }

    /// The (normalized) arguments of a call to `name`, each without a cast to its
    /// declared parameter type (see [`Signatures`]).
    fn without_parameter_casts(&self, name: &str, args: FunctionArguments) -> FunctionArguments {
        let FunctionArguments::List(mut list) = args else {
            return args;
        };
        if self.signatures.is_empty() {
            return FunctionArguments::List(list);
        }
        let arity = list.args.len();
        for (position, arg) in list.args.iter_mut().enumerate() {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) = arg else {
                continue;
            };
            let Some(parameter) = self.signatures.parameter(name, arity, position) else {
                continue;
            };
            if let Expr::Cast {
                expr: inner,
                data_type,
                ..
            } = expr
            {
                if SqlType::parse(&data_type.to_string()) == *parameter {
                    let inner =
                        std::mem::replace(inner.as_mut(), Expr::value(sqlparser::ast::Value::Null));
                    *expr = match inner {
                        Expr::Nested(unwrapped) => *unwrapped,
                        other => other,
                    };
                }
            }
        }
        FunctionArguments::List(list)
    }

    /// `ORDER BY` items with their expressions normalized.
    pub(crate) fn order_by_items(&self, items: Vec<OrderByExpr>) -> Vec<OrderByExpr> {
        items
            .into_iter()
            .map(|item| OrderByExpr {
                expr: self.expr(item.expr),
                ..item
            })
            .collect()
    }
}
