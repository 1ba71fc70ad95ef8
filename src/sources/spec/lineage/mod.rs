//! Types of view columns by lineage: a select item that is a plain column reference
//! (through aliases, joins, CTEs and subqueries in `FROM`) takes the referenced
//! column's type, and its nullability unless an outer join can add nulls.
//!
//! Only what the query proves is filled in. Anything else (an unknown relation, an
//! ambiguous unqualified name, an expression whose type depends on the server's
//! operator resolution) keeps `data_type: None`, so checks say "type not checked"
//! instead of guessing.

mod builtins;

use super::fold;
use crate::model::{Catalog, Column, ColumnSource, QualifiedName, SqlType};
use builtins::{arithmetic_type, avg_type, literal, min_max_scalar, sum_type, typed};
use sqlparser::ast::{
    BinaryOperator, Cte, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr, JoinOperator, ObjectName, ObjectNamePart, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableAlias, TableFactor, TableWithJoins,
};

/// The name PostgreSQL gives an output column it cannot name from its expression.
const UNNAMED_COLUMN: &str = "?column?";

/// The columns of a view defined by `query`, named `column_names` (the explicit
/// column list, or the select items' output names). Types are filled where lineage
/// proves them; everything else keeps `data_type: None`.
///
/// Items are matched to names by position. When the query yields more columns than
/// names (a `*` the caller could not expand), the extra columns are named by their own
/// output names (`?column?` where PostgreSQL has none either); when a `*` over an
/// unknown relation hides how many columns there are, the names from there on get no
/// type.
pub(crate) fn view_columns(
    query: &Query,
    column_names: &[String],
    catalog: &Catalog,
    default_schema: &str,
) -> Vec<Column> {
    let resolver = Resolver {
        catalog,
        default_schema,
    };
    let outputs = resolver.query(query, &[]);
    let known = match &outputs {
        Outputs::Known(items) => items.as_slice(),
        Outputs::KnownPrefix(items) => items.as_slice(),
    };
    let mut columns: Vec<Column> = column_names
        .iter()
        .enumerate()
        .map(|(position, name)| match known.get(position) {
            Some(item) => item.to_column(name.clone()),
            None => Column::new(name.clone(), None, None),
        })
        .collect();
    if let Outputs::Known(items) = &outputs {
        for item in items.iter().skip(column_names.len()) {
            let name = item.name.as_deref().unwrap_or(UNNAMED_COLUMN);
            columns.push(item.to_column(name.to_string()));
        }
    }
    columns
}

/// One output column of a query or relation as lineage sees it.
#[derive(Debug, Clone, PartialEq)]
struct Lineage {
    /// The output name, when PostgreSQL would give it one (not `?column?`).
    name: Option<String>,
    data_type: Option<SqlType>,
    not_null: bool,
    source: Option<ColumnSource>,
}

impl Lineage {
    fn unknown(name: Option<String>) -> Self {
        Lineage {
            name,
            data_type: None,
            not_null: false,
            source: None,
        }
    }

    fn to_column(&self, name: String) -> Column {
        let mut column = Column::new(name, self.data_type.clone(), None);
        column.not_null = self.not_null;
        column.source = self.source.clone().map(Box::new);
        column
    }
}

/// The output columns of a query: all of them, or only those before a `*` whose
/// expansion is unknown (the count of columns after it is then unknown too).
#[derive(Debug, Clone)]
enum Outputs {
    Known(Vec<Lineage>),
    KnownPrefix(Vec<Lineage>),
}

impl Outputs {
    /// All the columns, when all are known.
    fn complete(self) -> Option<Vec<Lineage>> {
        match self {
            Outputs::Known(items) => Some(items),
            Outputs::KnownPrefix(_) => None,
        }
    }
}

/// A relation visible in a `FROM` clause.
#[derive(Debug, Clone)]
struct ScopeEntry {
    /// The name by which columns may be qualified: the alias, else the relation name.
    qualifier: String,
    /// The catalog relation, when the entry is one and has no alias (so
    /// `schema.table.column` may name it).
    relation: Option<QualifiedName>,
    /// Its columns, or `None` when the relation is not known.
    columns: Option<Vec<Lineage>>,
}

/// A CTE visible to a query: its name and output columns.
#[derive(Debug, Clone)]
struct CteColumns {
    name: String,
    columns: Outputs,
}

struct Resolver<'a> {
    catalog: &'a Catalog,
    default_schema: &'a str,
}

impl Resolver<'_> {
    fn query(&self, query: &Query, outer_ctes: &[CteColumns]) -> Outputs {
        let mut ctes = outer_ctes.to_vec();
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let columns = self.cte(cte, &ctes);
                ctes.insert(
                    0,
                    CteColumns {
                        name: fold(&cte.alias.name),
                        columns,
                    },
                );
            }
        }
        self.set_expr(&query.body, &ctes)
    }

    fn cte(&self, cte: &Cte, ctes: &[CteColumns]) -> Outputs {
        let outputs = self.query(&cte.query, ctes);
        rename(outputs, &cte.alias)
    }

    fn set_expr(&self, body: &SetExpr, ctes: &[CteColumns]) -> Outputs {
        match body {
            SetExpr::Select(select) => self.select(select, ctes),
            SetExpr::Query(query) => self.query(query, ctes),
            SetExpr::SetOperation { left, .. } => match self.set_expr(left, ctes) {
                Outputs::Known(items) => Outputs::Known(
                    items
                        .into_iter()
                        .map(|item| Lineage::unknown(item.name))
                        .collect(),
                ),
                Outputs::KnownPrefix(items) => Outputs::KnownPrefix(
                    items
                        .into_iter()
                        .map(|item| Lineage::unknown(item.name))
                        .collect(),
                ),
            },
            _ => Outputs::KnownPrefix(Vec::new()),
        }
    }

    fn select(&self, select: &Select, ctes: &[CteColumns]) -> Outputs {
        let mut scope = Vec::new();
        for from in &select.from {
            scope.extend(self.table_with_joins(from, ctes));
        }
        let grouping_sets = has_grouping_sets(&select.group_by);
        let context = SelectScope {
            entries: &scope,
            grouped: !grouping_sets
                && matches!(&select.group_by, GroupByExpr::Expressions(exprs, _) if !exprs.is_empty()),
        };
        let mut items = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(expr) => {
                    let mut lineage = self.expr(expr, &context);
                    lineage.name = output_name(expr);
                    items.push(lineage);
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let mut lineage = self.expr(expr, &context);
                    lineage.name = Some(fold(alias));
                    items.push(lineage);
                }
                SelectItem::Wildcard(_) => {
                    for entry in &scope {
                        match &entry.columns {
                            Some(columns) => items.extend(columns.iter().cloned()),
                            None => return Outputs::KnownPrefix(items),
                        }
                    }
                }
                SelectItem::QualifiedWildcard(
                    SelectItemQualifiedWildcardKind::ObjectName(name),
                    _,
                ) => match self.entry_named(&scope, &idents(name)) {
                    Some(ScopeEntry {
                        columns: Some(columns),
                        ..
                    }) => items.extend(columns.iter().cloned()),
                    _ => return Outputs::KnownPrefix(items),
                },
                _ => return Outputs::KnownPrefix(items),
            }
        }
        if grouping_sets {
            items.iter_mut().for_each(|item| item.not_null = false);
        }
        Outputs::Known(items)
    }

    /// The relations of one `FROM` item, with the columns an outer join can fill with
    /// nulls marked nullable.
    fn table_with_joins(&self, from: &TableWithJoins, ctes: &[CteColumns]) -> Vec<ScopeEntry> {
        let mut entries = self.table_factor(&from.relation, ctes);
        for join in &from.joins {
            let mut right = self.table_factor(&join.relation, ctes);
            let (left_nullable, right_nullable) = match &join.join_operator {
                JoinOperator::Left(_) | JoinOperator::LeftOuter(_) => (false, true),
                JoinOperator::Right(_) | JoinOperator::RightOuter(_) => (true, false),
                JoinOperator::FullOuter(_) => (true, true),
                JoinOperator::Join(_)
                | JoinOperator::Inner(_)
                | JoinOperator::CrossJoin(_)
                | JoinOperator::CrossApply => (false, false),
                _ => (true, true),
            };
            if left_nullable {
                entries.iter_mut().for_each(make_nullable);
            }
            if right_nullable {
                right.iter_mut().for_each(make_nullable);
            }
            entries.extend(right);
        }
        entries
    }

    fn table_factor(&self, factor: &TableFactor, ctes: &[CteColumns]) -> Vec<ScopeEntry> {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                let parts = idents(name);
                let (relation, columns) = self.relation(&parts, ctes);
                let qualifier = parts.last().cloned().unwrap_or_default();
                let entry = ScopeEntry {
                    qualifier,
                    relation,
                    columns: columns.and_then(Outputs::complete),
                };
                vec![aliased(entry, alias.as_ref())]
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let outputs = self.query(subquery, ctes);
                let columns = match alias {
                    Some(alias) => rename(outputs, alias),
                    None => outputs,
                };
                let entry = ScopeEntry {
                    qualifier: String::new(),
                    relation: None,
                    columns: columns.complete(),
                };
                vec![aliased(entry, alias.as_ref())]
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.table_with_joins(table_with_joins, ctes),
            other => {
                let qualifier = match other {
                    TableFactor::NestedJoin {
                        alias: Some(alias), ..
                    }
                    | TableFactor::TableFunction {
                        alias: Some(alias), ..
                    }
                    | TableFactor::Function {
                        alias: Some(alias), ..
                    }
                    | TableFactor::UNNEST {
                        alias: Some(alias), ..
                    } => fold(&alias.name),
                    _ => String::new(),
                };
                vec![ScopeEntry {
                    qualifier,
                    relation: None,
                    columns: None,
                }]
            }
        }
    }

    /// The relation named by `parts`: a CTE (unqualified names only), else a catalog
    /// relation. Returns its catalog name and columns, `None` columns when unknown.
    fn relation(
        &self,
        parts: &[String],
        ctes: &[CteColumns],
    ) -> (Option<QualifiedName>, Option<Outputs>) {
        if let [name] = parts {
            if let Some(cte) = ctes.iter().find(|cte| &cte.name == name) {
                return (None, Some(cte.columns.clone()));
            }
        }
        let name = match parts {
            [name] => QualifiedName::new(self.default_schema, name.clone()),
            [schema, name] => QualifiedName::new(schema.clone(), name.clone()),
            _ => return (None, None),
        };
        let Some(relation) = self.catalog.relations.get(&name) else {
            return (Some(name), None);
        };
        let columns =
            relation
                .columns
                .iter()
                .map(|column| Lineage {
                    name: Some(column.name.clone()),
                    data_type: column.data_type.clone(),
                    not_null: column.not_null,
                    source: Some(column.source.as_deref().cloned().unwrap_or_else(|| {
                        ColumnSource {
                            relation: relation.name.clone(),
                            column: column.name.clone(),
                        }
                    })),
                })
                .collect();
        (Some(name), Some(Outputs::Known(columns)))
    }

    /// The scope entry `qualifier` names: `alias`, `table` or `schema.table`.
    fn entry_named<'s>(
        &self,
        scope: &'s [ScopeEntry],
        qualifier: &[String],
    ) -> Option<&'s ScopeEntry> {
        match qualifier {
            [name] => {
                let mut matching = scope.iter().filter(|entry| &entry.qualifier == name);
                let entry = matching.next()?;
                matching.next().is_none().then_some(entry)
            }
            [schema, name] => {
                let wanted = QualifiedName::new(schema.clone(), name.clone());
                scope
                    .iter()
                    .find(|entry| entry.relation.as_ref() == Some(&wanted))
            }
            _ => None,
        }
    }

    fn column_reference(&self, parts: &[String], scope: &[ScopeEntry]) -> Option<Lineage> {
        let (column, qualifier) = parts.split_last()?;
        let found_in = |entry: &ScopeEntry| -> Option<Lineage> {
            let columns = entry.columns.as_ref()?;
            let mut matching = columns
                .iter()
                .filter(|item| item.name.as_deref() == Some(column.as_str()));
            let item = matching.next()?;
            matching.next().is_none().then(|| item.clone())
        };
        if qualifier.is_empty() {
            if scope.iter().any(|entry| entry.columns.is_none()) {
                return None;
            }
            let mut candidates = scope.iter().filter(|entry| {
                entry.columns.as_ref().is_some_and(|columns| {
                    columns
                        .iter()
                        .any(|item| item.name.as_deref() == Some(column.as_str()))
                })
            });
            let entry = candidates.next()?;
            if candidates.next().is_some() {
                return None;
            }
            return found_in(entry);
        }
        found_in(self.entry_named(scope, qualifier)?)
    }

    fn expr(&self, expr: &Expr, scope: &SelectScope) -> Lineage {
        match expr {
            Expr::Nested(inner) => self.expr(inner, scope),
            Expr::Identifier(ident) => self
                .column_reference(&[fold(ident)], scope.entries)
                .unwrap_or_else(|| Lineage::unknown(None)),
            Expr::CompoundIdentifier(parts) => {
                let parts: Vec<String> = parts.iter().map(fold).collect();
                self.column_reference(&parts, scope.entries)
                    .unwrap_or_else(|| Lineage::unknown(None))
            }
            Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsNotTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsNotFalse(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotUnknown(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..) => typed("boolean", true),
            Expr::BinaryOp {
                left,
                op:
                    BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Divide,
                right,
            } => {
                let left = self.expr(left, scope);
                let right = self.expr(right, scope);
                match (&left.data_type, &right.data_type) {
                    (Some(l), Some(r)) => match arithmetic_type(l, r) {
                        Some(result) => typed(result, left.not_null && right.not_null),
                        None => Lineage::unknown(None),
                    },
                    _ => Lineage::unknown(None),
                }
            }
            Expr::Cast {
                expr: inner,
                data_type,
                format: None,
                ..
            } => {
                let text = data_type.to_string();
                let qualified_prefix = format!("{}.", self.default_schema);
                Lineage {
                    name: None,
                    data_type: Some(SqlType::parse(
                        text.strip_prefix(&qualified_prefix).unwrap_or(&text),
                    )),
                    not_null: self.expr(inner, scope).not_null,
                    source: None,
                }
            }
            Expr::Value(value) => literal(&value.value),
            Expr::Function(function) => self.function(function, scope),
            _ => Lineage::unknown(None),
        }
    }

    /// `min`/`max` of `argument`: built-in types by [`min_max_scalar`], and an enum type
    /// as itself (`anyenum`).
    fn min_max_type(&self, argument: &SqlType) -> Option<SqlType> {
        min_max_scalar(argument).or_else(|| {
            let is_enum = !argument.is_array()
                && self
                    .catalog
                    .enum_for(argument, self.default_schema)
                    .is_some();
            is_enum.then(|| argument.clone())
        })
    }

    /// Built-in functions whose result type follows from the argument types alone.
    /// A function of the same name in the default schema might shadow the built-in,
    /// so none is assumed then.
    fn function(&self, function: &Function, scope: &SelectScope) -> Lineage {
        let parts = idents(&function.name);
        let name = match parts.as_slice() {
            [name] => name.as_str(),
            [schema, name] if schema == "pg_catalog" => name.as_str(),
            _ => return Lineage::unknown(None),
        };
        let shadowed = parts.len() == 1
            && self
                .catalog
                .functions
                .contains_key(&QualifiedName::new(self.default_schema, name));
        if shadowed {
            return Lineage::unknown(None);
        }
        let args: Vec<Option<&Expr>> = match &function.args {
            FunctionArguments::List(list) => list
                .args
                .iter()
                .map(|arg| match arg {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)) => Some(expr),
                    _ => None,
                })
                .collect(),
            FunctionArguments::None => Vec::new(),
            FunctionArguments::Subquery(_) => return Lineage::unknown(None),
        };
        let no_parentheses = matches!(function.args, FunctionArguments::None);
        let single_argument = || match args.as_slice() {
            [Some(arg)] => self.expr(arg, scope),
            _ => Lineage::unknown(None),
        };
        // Over at least one row (a group of a plain GROUP BY, no FILTER, no window)
        // an aggregate of a non-null argument is not null.
        let aggregate_not_null = |argument: &Lineage| {
            scope.grouped
                && function.filter.is_none()
                && function.over.is_none()
                && argument.not_null
        };
        match name {
            "count" if !no_parentheses => typed("bigint", true),
            "row_number" | "rank" | "dense_rank" if args.is_empty() && function.over.is_some() => {
                typed("bigint", true)
            }
            "now" if !no_parentheses && args.is_empty() => typed("timestamp with time zone", true),
            "current_timestamp" if no_parentheses => typed("timestamp with time zone", true),
            "current_date" if no_parentheses => typed("date", true),
            "sum" | "avg" | "min" | "max" | "bool_and" | "bool_or" | "every" => {
                let argument = single_argument();
                let result = match (name, &argument.data_type) {
                    ("bool_and" | "bool_or" | "every", _) => Some(SqlType::parse("boolean")),
                    ("sum", Some(t)) => sum_type(t).map(SqlType::parse),
                    ("avg", Some(t)) => avg_type(t).map(SqlType::parse),
                    (_, Some(t)) => self.min_max_type(t),
                    (_, None) => None,
                };
                match result {
                    Some(result) => Lineage {
                        name: None,
                        not_null: aggregate_not_null(&argument),
                        data_type: Some(result),
                        source: None,
                    },
                    None => Lineage::unknown(None),
                }
            }
            "coalesce" => {
                let lineages: Vec<Lineage> = args
                    .iter()
                    .map(|arg| match arg {
                        Some(arg) => self.expr(arg, scope),
                        None => Lineage::unknown(None),
                    })
                    .collect();
                let first_type = lineages.first().and_then(|l| l.data_type.clone());
                let same_type = lineages
                    .iter()
                    .all(|l| l.data_type.is_some() && l.data_type == first_type);
                Lineage {
                    name: None,
                    data_type: if same_type { first_type } else { None },
                    not_null: lineages.iter().any(|l| l.not_null),
                    source: None,
                }
            }
            _ => Lineage::unknown(None),
        }
    }
}

/// The select list's view of the query: its `FROM` relations, and whether every row
/// stands for a non-empty group (a plain, non-empty `GROUP BY`).
struct SelectScope<'s> {
    entries: &'s [ScopeEntry],
    grouped: bool,
}

/// `ROLLUP`, `CUBE` and `GROUPING SETS` fill the columns they group by with nulls in
/// their subtotal rows.
fn has_grouping_sets(group_by: &GroupByExpr) -> bool {
    match group_by {
        GroupByExpr::All(_) => false,
        GroupByExpr::Expressions(exprs, modifiers) => {
            !modifiers.is_empty()
                || exprs.iter().any(|expr| {
                    matches!(
                        expr,
                        Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)
                    )
                })
        }
    }
}

fn make_nullable(entry: &mut ScopeEntry) {
    if let Some(columns) = entry.columns.as_mut() {
        for column in columns {
            column.not_null = false;
        }
    }
}

/// The entry under its alias (`FROM t AS a (x, y)`): qualified by the alias only, and
/// with its columns renamed by the alias's column list.
fn aliased(entry: ScopeEntry, alias: Option<&TableAlias>) -> ScopeEntry {
    let Some(alias) = alias else {
        return entry;
    };
    let columns = entry.columns.map(|columns| {
        columns
            .into_iter()
            .enumerate()
            .map(|(position, mut item)| {
                if let Some(renamed) = alias.columns.get(position) {
                    item.name = Some(fold(&renamed.name));
                }
                item
            })
            .collect()
    });
    ScopeEntry {
        qualifier: fold(&alias.name),
        relation: None,
        columns,
    }
}

/// Outputs renamed by a CTE's or subquery's column list.
fn rename(outputs: Outputs, alias: &TableAlias) -> Outputs {
    let apply = |items: Vec<Lineage>| -> Vec<Lineage> {
        items
            .into_iter()
            .enumerate()
            .map(|(position, mut item)| {
                if let Some(renamed) = alias.columns.get(position) {
                    item.name = Some(fold(&renamed.name));
                }
                item
            })
            .collect()
    };
    match outputs {
        Outputs::Known(items) => Outputs::Known(apply(items)),
        Outputs::KnownPrefix(items) => Outputs::KnownPrefix(apply(items)),
    }
}

/// The column name PostgreSQL gives a select item without an alias (`FigureColname`),
/// where it is a real name rather than `?column?`.
fn output_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(fold(ident)),
        Expr::CompoundIdentifier(parts) => parts.last().map(fold),
        Expr::Function(function) => idents(&function.name).pop(),
        Expr::Cast { expr, .. } | Expr::Nested(expr) => output_name(expr),
        Expr::Case { .. } => Some("case".to_string()),
        _ => None,
    }
}

fn idents(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => fold(ident),
            other => other.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests;
