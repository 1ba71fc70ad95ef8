//! The query rewriter behind [`super::normalize_query`]: walks a query's clauses and
//! applies the expression normalizer to each, plus the `pg_get_viewdef` differences
//! listed on [`super::normalize_query`].

use super::expr::{fold_ident, Normalizer, ScopeEntry};
use sqlparser::ast::{
    Cte, Expr, GroupByExpr, Join, JoinConstraint, JoinOperator, ObjectNamePart, OrderByKind, Query,
    Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, TableAlias, TableFactor,
    TableWithJoins, Value, ValueWithSpan,
};

/// The canonical form of `query`.
pub(crate) fn normalize(normalizer: &Normalizer, mut query: Query) -> Query {
    // `(SELECT …)` with nothing around it is the inner query, as the server prints it.
    let bare =
        matches!(*query.body, SetExpr::Query(_)) && query.to_string() == query.body.to_string();
    match *query.body {
        SetExpr::Query(inner) if bare => return normalize(normalizer, *inner),
        body => query.body = Box::new(body),
    }
    if let Some(with) = query.with.as_mut() {
        for cte in &with.cte_tables {
            normalizer.define_local_name(&fold_ident(cte.alias.name.clone()).value);
        }
        let ctes = std::mem::take(&mut with.cte_tables);
        with.cte_tables = ctes
            .into_iter()
            .map(|cte| Cte {
                alias: TableAlias {
                    explicit: cte.alias.explicit,
                    ..table_alias(cte.alias)
                },
                query: Box::new(normalize(normalizer, *cte.query)),
                ..cte
            })
            .collect();
    }
    let (body, order_normalizer) = set_expr(normalizer, *query.body);
    query.body = Box::new(body);
    if let Some(order_by) = query.order_by.as_mut() {
        if let OrderByKind::Expressions(items) = &mut order_by.kind {
            for item in items.iter_mut() {
                let expr =
                    std::mem::replace(&mut item.expr, Expr::value(sqlparser::ast::Value::Null));
                let expr = order_normalizer.expr(expr);
                item.expr = match query.body.as_ref() {
                    SetExpr::Select(select) => resolve_ordinal(expr, &select.projection),
                    _ => expr,
                };
            }
        }
    }
    query
}

/// A query body, and the normalizer that applies to the `ORDER BY` following it (the
/// one of its `SELECT`, which knows whether qualifications are redundant).
fn set_expr(normalizer: &Normalizer, body: SetExpr) -> (SetExpr, Normalizer) {
    match body {
        SetExpr::Select(select) => {
            let scoped = normalizer.for_query_over(single_relation(&select.from));
            let entries = scope_entries(normalizer, &select.from);
            let select = scoped.in_scope(entries, || self::select(&scoped, *select));
            (SetExpr::Select(Box::new(select)), scoped)
        }
        SetExpr::Query(query) => (
            SetExpr::Query(Box::new(normalize(normalizer, *query))),
            normalizer.for_query_over(None),
        ),
        SetExpr::SetOperation {
            left,
            op,
            set_quantifier,
            right,
        } => (
            SetExpr::SetOperation {
                left: Box::new(set_expr(normalizer, *left).0),
                op,
                set_quantifier,
                right: Box::new(set_expr(normalizer, *right).0),
            },
            normalizer.for_query_over(None),
        ),
        SetExpr::Values(mut values) => {
            for row in values.rows.iter_mut() {
                let items = std::mem::take(&mut row.content);
                row.content = items.into_iter().map(|e| normalizer.expr(e)).collect();
            }
            (SetExpr::Values(values), normalizer.for_query_over(None))
        }
        other => (other, normalizer.for_query_over(None)),
    }
}

fn select(normalizer: &Normalizer, mut select: Select) -> Select {
    select.projection = std::mem::take(&mut select.projection)
        .into_iter()
        .map(|item| select_item(normalizer, item))
        .collect();
    select.from = std::mem::take(&mut select.from)
        .into_iter()
        .map(|from| table_with_joins(normalizer, from))
        .collect();
    select.selection = select.selection.map(|e| normalizer.expr(e));
    select.having = select.having.map(|e| normalizer.expr(e));
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        let items = std::mem::take(exprs);
        *exprs = items
            .into_iter()
            .map(|e| {
                let e = normalizer.expr(e);
                resolve_ordinal(e, &select.projection)
            })
            .collect();
    }
    select
}

/// `GROUP BY 1` / `ORDER BY 1` name the first output column; PostgreSQL resolves the
/// number and prints that column's expression (a constant output column keeps its
/// number, as the server keeps it).
fn resolve_ordinal(expr: Expr, projection: &[SelectItem]) -> Expr {
    let Expr::Value(ValueWithSpan {
        value: Value::Number(digits, _),
        ..
    }) = &expr
    else {
        return expr;
    };
    let target = digits
        .parse::<usize>()
        .ok()
        .and_then(|position| position.checked_sub(1))
        .and_then(|index| projection.get(index));
    match target {
        Some(SelectItem::UnnamedExpr(output) | SelectItem::ExprWithAlias { expr: output, .. })
            if !matches!(output, Expr::Value(_)) =>
        {
            output.clone()
        }
        _ => expr,
    }
}

/// The `FROM` items of a `SELECT`, for resolving its unqualified column references.
fn scope_entries(normalizer: &Normalizer, from: &[TableWithJoins]) -> Vec<ScopeEntry> {
    let mut entries = Vec::new();
    for item in from {
        factor_entries(normalizer, &item.relation, &mut entries);
        for join in &item.joins {
            factor_entries(normalizer, &join.relation, &mut entries);
        }
    }
    entries
}

fn factor_entries(normalizer: &Normalizer, factor: &TableFactor, entries: &mut Vec<ScopeEntry>) {
    let alias = |alias: &Option<TableAlias>| {
        alias
            .as_ref()
            .map(|alias| fold_ident(alias.name.clone()).value)
    };
    match factor {
        TableFactor::Table {
            name, alias: named, ..
        } => {
            let printed = normalizer.relation_name(name.clone());
            let last = printed
                .0
                .last()
                .and_then(ObjectNamePart::as_ident)
                .map(|ident| ident.value.clone())
                .unwrap_or_default();
            let relation = (!normalizer.is_local_name(&last)).then(|| printed.to_string());
            entries.push(ScopeEntry {
                qualifier: alias(named).unwrap_or(last),
                relation,
            });
        }
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            factor_entries(normalizer, &table_with_joins.relation, entries);
            for join in &table_with_joins.joins {
                factor_entries(normalizer, &join.relation, entries);
            }
        }
        TableFactor::Derived { alias: named, .. }
        | TableFactor::Function { alias: named, .. }
        | TableFactor::TableFunction { alias: named, .. }
        | TableFactor::UNNEST { alias: named, .. } => entries.push(ScopeEntry {
            qualifier: alias(named).unwrap_or_default(),
            relation: None,
        }),
        _ => entries.push(ScopeEntry {
            qualifier: String::new(),
            relation: None,
        }),
    }
}

/// The name or alias by which the only relation of `from` is referenced, when there is
/// exactly one (no joins, no comma list).
fn single_relation(from: &[TableWithJoins]) -> Option<String> {
    let [only] = from else {
        return None;
    };
    if !only.joins.is_empty() {
        return None;
    }
    match &only.relation {
        TableFactor::Table {
            alias: Some(alias), ..
        }
        | TableFactor::Derived {
            alias: Some(alias), ..
        } => Some(fold_ident(alias.name.clone()).value),
        TableFactor::Table {
            name, alias: None, ..
        } => match name.0.last() {
            Some(ObjectNamePart::Identifier(ident)) => Some(fold_ident(ident.clone()).value),
            _ => None,
        },
        _ => None,
    }
}

fn select_item(normalizer: &Normalizer, item: SelectItem) -> SelectItem {
    match item {
        SelectItem::UnnamedExpr(expr) => SelectItem::UnnamedExpr(normalizer.expr(expr)),
        SelectItem::ExprWithAlias { expr, alias } => {
            let expr = normalizer.expr(expr);
            let alias = fold_ident(alias);
            if output_name(&expr).as_deref() == Some(alias.value.as_str()) {
                SelectItem::UnnamedExpr(expr)
            } else {
                SelectItem::ExprWithAlias { expr, alias }
            }
        }
        SelectItem::QualifiedWildcard(
            SelectItemQualifiedWildcardKind::ObjectName(name),
            options,
        ) => SelectItem::QualifiedWildcard(
            SelectItemQualifiedWildcardKind::ObjectName(normalizer.object_name(name)),
            options,
        ),
        other => other,
    }
}

/// The column name PostgreSQL gives a select item without an alias (`FigureColname`),
/// where it is a name and not `?column?`.
pub(crate) fn output_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(ident.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|ident| ident.value.clone()),
        Expr::Function(function) => match function.name.0.last() {
            Some(ObjectNamePart::Identifier(ident)) => Some(ident.value.clone()),
            _ => None,
        },
        Expr::Cast { expr, .. } | Expr::Nested(expr) => output_name(expr),
        Expr::Case { .. } => Some("case".to_string()),
        _ => None,
    }
}

/// One `FROM` item. A parenthesised join tree at its start (`((a JOIN b ON …) JOIN c
/// ON …)`, as PostgreSQL prints every join) is flattened into the left-deep chain it
/// means.
fn table_with_joins(normalizer: &Normalizer, from: TableWithJoins) -> TableWithJoins {
    let TableWithJoins { relation, joins } = from;
    let (relation, mut flattened) = match relation {
        TableFactor::NestedJoin {
            table_with_joins: nested,
            alias: None,
        } => {
            let inner = table_with_joins(normalizer, *nested);
            (inner.relation, inner.joins)
        }
        other => (table_factor(normalizer, other), Vec::new()),
    };
    flattened.extend(joins.into_iter().map(|j| join(normalizer, j)));
    TableWithJoins {
        relation,
        joins: flattened,
    }
}

fn join(normalizer: &Normalizer, join: Join) -> Join {
    let constraint = |constraint: JoinConstraint| match constraint {
        JoinConstraint::On(expr) => JoinConstraint::On(normalizer.expr(expr)),
        other => other,
    };
    let join_operator = match join.join_operator {
        JoinOperator::Join(c) | JoinOperator::Inner(c) => JoinOperator::Join(constraint(c)),
        JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => JoinOperator::Left(constraint(c)),
        JoinOperator::Right(c) | JoinOperator::RightOuter(c) => JoinOperator::Right(constraint(c)),
        JoinOperator::FullOuter(c) => JoinOperator::FullOuter(constraint(c)),
        JoinOperator::CrossJoin(c) => JoinOperator::CrossJoin(constraint(c)),
        other => other,
    };
    Join {
        relation: table_factor(normalizer, join.relation),
        global: join.global,
        join_operator,
    }
}

fn table_factor(normalizer: &Normalizer, factor: TableFactor) -> TableFactor {
    match factor {
        TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_directives,
            inheritance,
        } => {
            let name = normalizer.relation_name(name);
            let alias = alias.map(table_alias).filter(|alias| {
                let table = name.0.last().and_then(ObjectNamePart::as_ident);
                !(alias.columns.is_empty() && table.is_some_and(|t| t.value == alias.name.value))
            });
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version,
                with_ordinality,
                partitions,
                json_path,
                sample,
                index_directives,
                inheritance,
            }
        }
        TableFactor::Derived {
            lateral,
            subquery,
            alias,
            sample,
        } => TableFactor::Derived {
            lateral,
            subquery: Box::new(normalize(normalizer, *subquery)),
            alias: alias.map(table_alias),
            sample,
        },
        TableFactor::NestedJoin {
            table_with_joins: nested,
            alias,
        } => TableFactor::NestedJoin {
            table_with_joins: Box::new(table_with_joins(normalizer, *nested)),
            alias: alias.map(table_alias),
        },
        other => other,
    }
}

fn table_alias(alias: TableAlias) -> TableAlias {
    TableAlias {
        explicit: true,
        name: fold_ident(alias.name),
        columns: alias
            .columns
            .into_iter()
            .map(|mut column| {
                column.name = fold_ident(column.name);
                column
            })
            .collect(),
        ..alias
    }
}
