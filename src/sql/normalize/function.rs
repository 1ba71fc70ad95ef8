//! Function calls: name, arguments, aggregate `ORDER BY`, `FILTER`, `WITHIN GROUP` and
//! window specifications, each part normalized like any other expression.

use super::expr::{fold_ident, Normalizer};
use super::query;
use crate::model::SqlType;
use sqlparser::ast::{
    Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments,
    OrderByExpr, WindowType,
};

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
    /// declared parameter type (see [`super::Declarations`]).
    fn without_parameter_casts(&self, name: &str, args: FunctionArguments) -> FunctionArguments {
        let FunctionArguments::List(mut list) = args else {
            return args;
        };
        if self.declarations.has_no_functions() {
            return FunctionArguments::List(list);
        }
        let arity = list.args.len();
        for (position, arg) in list.args.iter_mut().enumerate() {
            let FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) = arg else {
                continue;
            };
            let Some(parameter) = self.declarations.parameter(name, arity, position) else {
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
