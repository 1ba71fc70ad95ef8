//! The expression rewriter behind [`super::normalize_expression`]; see the module
//! documentation of [`super`] for which rewrites are made and why each is sound.

use super::datetime::{canonical_time, TimeType};
use super::interval::canonical_interval;
use super::query;
use crate::model::SqlType;
use crate::sql::depth::MAX_NESTING;
use sqlparser::ast::{
    Array, BinaryOperator, CaseWhen, CastKind, DataType, Expr, Function, FunctionArg,
    FunctionArgExpr, FunctionArgumentList, FunctionArguments, Ident, InTarget, ObjectName,
    ObjectNamePart, TrimWhereField, UnaryOperator, Value, ValueWithSpan,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::cell::Cell;
use std::rc::Rc;

/// The work one normalization may do: rewrite steps plus the bytes of the operands that
/// `BETWEEN` and `IN` repeat. Each repetition can double the tree (`(a BETWEEN 1 AND 2)
/// BETWEEN 1 AND 2` holds `a` four times), so a few hundred bytes of SQL could otherwise
/// keep pgparity busy for hours.
const WORK_BUDGET: usize = 4_000_000;

/// Why a normalization stopped before the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The rewritten tree (an `IN` list with column references becomes a chain of `OR`s
    /// as long as the list) nests deeper than [`MAX_NESTING`].
    TooDeep,
    /// The rewrite would pass [`WORK_BUDGET`].
    TooLarge,
}

/// What one normalization has spent, shared by the normalizers of its subqueries.
#[derive(Debug, Default)]
struct Spending {
    depth: Cell<usize>,
    work: Cell<usize>,
    refusal: Cell<Option<Refusal>>,
    /// Why a literal's stored value cannot be known from its text (see
    /// [`super::datetime`]): the form is then not compared.
    undecided: std::cell::RefCell<Option<String>>,
}

impl Spending {
    /// One more level of rewriting, or `None` (and the refusal noted) past a limit.
    fn enter(&self) -> Option<Level<'_>> {
        if self.refusal.get().is_some() {
            return None;
        }
        if self.depth.get() >= MAX_NESTING {
            self.refusal.set(Some(Refusal::TooDeep));
            return None;
        }
        if !self.spend(1) {
            return None;
        }
        self.depth.set(self.depth.get() + 1);
        Some(Level(self))
    }

    /// Spends `work`; `false` (and the refusal noted) past the budget.
    fn spend(&self, work: usize) -> bool {
        let total = self.work.get().saturating_add(work);
        self.work.set(total);
        if total > WORK_BUDGET {
            self.refusal.set(Some(Refusal::TooLarge));
        }
        self.refusal.get().is_none()
    }
}

/// A level of rewriting in progress; leaving it frees the level.
struct Level<'a>(&'a Spending);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get().saturating_sub(1));
    }
}

/// A `FROM` item of a `SELECT`: the name its columns are qualified with (its alias, or
/// the relation's name without schema) and the relation, as printed, when it is one
/// (not a sub-select, function or `WITH` name).
#[derive(Debug, Clone)]
pub(crate) struct ScopeEntry {
    pub(crate) qualifier: String,
    pub(crate) relation: Option<String>,
}

/// Rewrites parsed expressions into their canonical form.
pub(crate) struct Normalizer {
    default_schema: String,
    /// The schema unqualified relation names were written in (the first schema of a
    /// spec's `SET search_path`), when it is not the default one: the server resolved
    /// them there and prints them qualified.
    written_in: Option<String>,
    /// The functions the specs declare, whose argument casts to parameter types are
    /// the server's (see [`super::Declarations`]).
    pub(crate) declarations: Rc<super::Declarations>,
    /// The relation the expression belongs to (a policy's table), as a `FROM` item
    /// prints it: the outermost scope of its sub-selects.
    own_relation: Option<String>,
    /// The `FROM` items of the `SELECT`s being normalized, outermost first: where an
    /// unqualified column reference resolves.
    scopes: Rc<std::cell::RefCell<Vec<Vec<ScopeEntry>>>>,
    /// Names a `WITH` clause of the query defines, which are never qualified.
    local_names: Rc<std::cell::RefCell<std::collections::HashSet<String>>>,
    /// Inside a query over one relation: that relation's name or alias, whose
    /// qualification of column references is redundant.
    single_relation: Option<String>,
    spending: Rc<Spending>,
}

impl Normalizer {
    /// A normalizer for which `default_schema` (and `pg_catalog`) qualifications are
    /// redundant.
    pub(crate) fn new(default_schema: &str) -> Self {
        Normalizer {
            default_schema: default_schema.to_string(),
            written_in: None,
            declarations: Rc::default(),
            own_relation: None,
            scopes: Rc::default(),
            local_names: Rc::default(),
            single_relation: None,
            spending: Rc::default(),
        }
    }

    /// A normalizer for text written in `context` (where unqualified relation names
    /// resolved), with the declarations of the functions the specs declare.
    pub(crate) fn in_context(
        context: super::FormContext<'_>,
        declarations: Rc<super::Declarations>,
    ) -> Self {
        Normalizer {
            written_in: (context.written_in != context.default_schema)
                .then(|| context.written_in.to_string()),
            declarations,
            own_relation: context.relation.map(str::to_string),
            ..Normalizer::new(context.default_schema)
        }
    }

    /// Runs `work` with `entries` (the `FROM` items of a `SELECT`) as the innermost
    /// scope of column references.
    pub(crate) fn in_scope<T>(&self, entries: Vec<ScopeEntry>, work: impl FnOnce() -> T) -> T {
        self.scopes.borrow_mut().push(entries);
        let result = work();
        self.scopes.borrow_mut().pop();
        result
    }

    /// An unqualified column reference, qualified as the server prints it: by the
    /// `FROM` item it resolves to (innermost `SELECT` first, then the outer ones, then
    /// the expression's own relation), except in the innermost `SELECT` of a single
    /// item, whose qualification is redundant. When a `FROM` item whose columns are
    /// not known could hold it and an outer one does, the form is undecided.
    fn column_reference(&self, column: Ident) -> Expr {
        let scopes = self.scopes.borrow();
        if scopes.is_empty() {
            return Expr::Identifier(column);
        }
        let qualified = |qualifier: &str| {
            Expr::CompoundIdentifier(vec![fold_ident(Ident::new(qualifier)), column.clone()])
        };
        let innermost = scopes.len() - 1;
        let mut unknown_inner: Option<&str> = None;
        for (depth, level) in scopes.iter().enumerate().rev() {
            let mut holders = Vec::new();
            for entry in level {
                match entry
                    .relation
                    .as_deref()
                    .and_then(|r| self.declarations.columns(r))
                {
                    Some(columns) if columns.contains_key(&column.value) => holders.push(entry),
                    Some(_) => {}
                    None => {
                        unknown_inner.get_or_insert(entry.qualifier.as_str());
                    }
                }
            }
            match holders.as_slice() {
                [holder] if unknown_inner.is_none() => {
                    return if depth == innermost && level.len() == 1 {
                        Expr::Identifier(column)
                    } else {
                        qualified(&holder.qualifier)
                    };
                }
                [] => {}
                _ => return self.unresolved(column, unknown_inner),
            }
        }
        let own = self.own_relation.as_deref().filter(|own| {
            self.declarations
                .columns(own)
                .is_some_and(|columns| columns.contains_key(&column.value))
        });
        match (own, unknown_inner) {
            (Some(own), None) => qualified(own.rsplit('.').next().unwrap_or(own)),
            (Some(_), Some(_)) => self.unresolved(column, unknown_inner),
            (None, _) => Expr::Identifier(column),
        }
    }

    /// The declared type of a column reference, found as [`Normalizer::column_reference`]
    /// resolves it.
    fn column_type(&self, expr: &Expr) -> Option<SqlType> {
        let scopes = self.scopes.borrow();
        let type_in = |relation: &str, column: &str| {
            self.declarations
                .columns(relation)
                .and_then(|columns| columns.get(column).cloned().flatten())
        };
        let own_last = self
            .own_relation
            .as_deref()
            .map(|own| own.rsplit('.').next().unwrap_or(own));
        match expr {
            Expr::Identifier(ident) => {
                let column = fold_ident(ident.clone()).value;
                for level in scopes.iter().rev() {
                    let found = level
                        .iter()
                        .find_map(|entry| type_in(entry.relation.as_deref()?, &column));
                    if found.is_some() {
                        return found;
                    }
                }
                type_in(self.own_relation.as_deref()?, &column)
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                let qualifier = fold_ident(parts[0].clone()).value;
                let column = fold_ident(parts[1].clone()).value;
                let relation = scopes
                    .iter()
                    .rev()
                    .flatten()
                    .find(|entry| entry.qualifier == qualifier)
                    .and_then(|entry| entry.relation.clone())
                    .or_else(|| {
                        (own_last == Some(qualifier.as_str()))
                            .then(|| self.own_relation.clone())
                            .flatten()
                    })?;
                type_in(&relation, &column)
            }
            _ => None,
        }
    }

    /// A column reference that could belong to a `FROM` item whose columns are not
    /// known: kept as written, and the form undecided.
    fn unresolved(&self, column: Ident, unknown: Option<&str>) -> Expr {
        let reason = match unknown {
            Some(item) => format!(
                "a sub-select reads `{item}`, whose columns pgparity does not know, so it \
                 cannot tell which relation the unqualified column `{}` belongs to; qualify it",
                column.value
            ),
            None => format!(
                "the unqualified column `{}` is in more than one relation of its FROM; qualify it",
                column.value
            ),
        };
        self.spending.undecided.borrow_mut().get_or_insert(reason);
        Expr::Identifier(column)
    }

    /// Whether a `WITH` clause defines `name`.
    pub(crate) fn is_local_name(&self, name: &str) -> bool {
        self.local_names.borrow().contains(name)
    }

    /// Notes a name a `WITH` clause defines.
    pub(crate) fn define_local_name(&self, name: &str) {
        self.local_names.borrow_mut().insert(name.to_string());
    }

    /// A relation name of a `FROM` clause: qualified with the schema it was written in
    /// when unqualified (and not a `WITH` name), then as [`Normalizer::object_name`].
    pub(crate) fn relation_name(&self, name: ObjectName) -> ObjectName {
        let name = fold_object_name(name);
        match (&self.written_in, name.0.as_slice()) {
            (Some(schema), [ObjectNamePart::Identifier(only)])
                if !self.local_names.borrow().contains(&only.value) =>
            {
                let mut parts = vec![ObjectNamePart::Identifier(fold_ident(Ident::new(
                    schema.clone(),
                )))];
                parts.extend(name.0);
                ObjectName(parts)
            }
            _ => self.object_name(name),
        }
    }

    /// The same normalizer for the expressions of a query whose `FROM` is the single
    /// relation named or aliased `relation` (`None`: several relations, or none).
    pub(crate) fn for_query_over(&self, relation: Option<String>) -> Normalizer {
        Normalizer {
            default_schema: self.default_schema.clone(),
            written_in: self.written_in.clone(),
            declarations: Rc::clone(&self.declarations),
            own_relation: self.own_relation.clone(),
            scopes: Rc::clone(&self.scopes),
            local_names: Rc::clone(&self.local_names),
            single_relation: relation,
            spending: Rc::clone(&self.spending),
        }
    }

    /// Why the rewriting stopped early, if it did: the result is then incomplete and
    /// must not be compared.
    pub(crate) fn refusal(&self) -> Option<Refusal> {
        self.spending.refusal.get()
    }

    /// Why the text does not fix the value of one of its literals, if it does not: the
    /// result must not be compared either.
    pub(crate) fn undecided(&self) -> Option<String> {
        self.spending.undecided.borrow().clone()
    }

    /// Spends the work of repeating `operand` `copies` times; `false` past the budget.
    fn repeat(&self, operand: &Expr, copies: usize) -> bool {
        self.spending
            .spend(operand.to_string().len().saturating_mul(copies))
    }

    /// A whole expression: like [`Normalizer::expr`], and a number cast to a numeric
    /// type loses the cast, because a whole expression is a default (coerced to the
    /// column type anyway) or a boolean (never a bare number).
    pub(crate) fn top_level(&self, expr: Expr) -> Expr {
        strip_numeric_literal_cast(self.expr(expr))
    }

    /// The canonical form of `expr`, itself unparenthesised; its operands are
    /// parenthesised where they are operators. Past a limit the expression is dropped
    /// and [`Normalizer::refusal`] says why.
    pub(crate) fn expr(&self, expr: Expr) -> Expr {
        match self.spending.enter() {
            Some(_level) => self.rewrite(expr),
            None => Expr::value(Value::Null),
        }
    }

    fn rewrite(&self, expr: Expr) -> Expr {
        match expr {
            Expr::Nested(inner) => self.expr(*inner),
            Expr::Identifier(ident) => self.column_reference(fold_ident(ident)),
            Expr::CompoundIdentifier(parts) => {
                let mut parts: Vec<Ident> = parts.into_iter().map(fold_ident).collect();
                if parts.len() >= 3 && self.is_redundant_schema(&parts[0]) {
                    parts.remove(0);
                }
                let redundant_qualifier = parts.len() == 2
                    && self.single_relation.as_deref() == Some(parts[0].value.as_str());
                match parts.pop() {
                    Some(column) if redundant_qualifier => Expr::Identifier(column),
                    Some(last) => {
                        parts.push(last);
                        Expr::CompoundIdentifier(parts)
                    }
                    None => Expr::CompoundIdentifier(parts),
                }
            }
            Expr::Value(value) => Expr::Value(canonical_value(value)),
            Expr::BinaryOp { left, op, right } => self.binary(*left, op, *right),
            Expr::UnaryOp { op, expr } => self.unary(op, *expr),
            Expr::IsNull(inner) => Expr::IsNull(self.boxed_operand(*inner)),
            Expr::IsNotNull(inner) => Expr::IsNotNull(self.boxed_operand(*inner)),
            Expr::IsTrue(inner) => Expr::IsTrue(self.boxed_operand(*inner)),
            Expr::IsNotTrue(inner) => Expr::IsNotTrue(self.boxed_operand(*inner)),
            Expr::IsFalse(inner) => Expr::IsFalse(self.boxed_operand(*inner)),
            Expr::IsNotFalse(inner) => Expr::IsNotFalse(self.boxed_operand(*inner)),
            Expr::IsUnknown(inner) => Expr::IsUnknown(self.boxed_operand(*inner)),
            Expr::IsNotUnknown(inner) => Expr::IsNotUnknown(self.boxed_operand(*inner)),
            Expr::IsDistinctFrom(left, right) => {
                Expr::IsDistinctFrom(self.boxed_operand(*left), self.boxed_operand(*right))
            }
            Expr::IsNotDistinctFrom(left, right) => {
                Expr::IsNotDistinctFrom(self.boxed_operand(*left), self.boxed_operand(*right))
            }
            Expr::In {
                expr,
                target: InTarget::List(list),
                negated,
                global: false,
            } => {
                let chained = in_list_chain_length(&list);
                if self.spending.depth.get().saturating_add(chained) > MAX_NESTING {
                    self.spending.refusal.set(Some(Refusal::TooDeep));
                    return Expr::value(Value::Null);
                }
                if !self.repeat(&expr, chained) {
                    return Expr::value(Value::Null);
                }
                self.expr(in_list_as_server_does(*expr, list, negated))
            }
            Expr::In {
                expr,
                target: InTarget::Subquery(subquery),
                negated,
                global,
            } => {
                // `x NOT IN (SELECT …)` is `NOT (x IN (SELECT …))` to PostgreSQL.
                let membership = Expr::In {
                    expr: self.boxed_operand(*expr),
                    target: InTarget::Subquery(Box::new(query::normalize(self, *subquery))),
                    negated: false,
                    global,
                };
                if negated {
                    Expr::UnaryOp {
                        op: UnaryOperator::Not,
                        expr: Box::new(wrap(membership)),
                    }
                } else {
                    membership
                }
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let (low_op, high_op, join) = if negated {
                    (BinaryOperator::Lt, BinaryOperator::Gt, BinaryOperator::Or)
                } else {
                    (
                        BinaryOperator::GtEq,
                        BinaryOperator::LtEq,
                        BinaryOperator::And,
                    )
                };
                if !self.repeat(&expr, 1) {
                    return Expr::value(Value::Null);
                }
                let low_side = binary((*expr).clone(), low_op, *low);
                let high_side = binary(*expr, high_op, *high);
                self.expr(binary(low_side, join, high_side))
            }
            Expr::Like {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => {
                let op = if negated {
                    BinaryOperator::PGNotLikeMatch
                } else {
                    BinaryOperator::PGLikeMatch
                };
                self.binary(*expr, op, *pattern)
            }
            Expr::ILike {
                negated,
                any: false,
                expr,
                pattern,
                escape_char: None,
            } => {
                let op = if negated {
                    BinaryOperator::PGNotILikeMatch
                } else {
                    BinaryOperator::PGILikeMatch
                };
                self.binary(*expr, op, *pattern)
            }
            Expr::AnyOp {
                left,
                compare_op,
                right,
                ..
            } => Expr::AnyOp {
                left: Box::new(wrap(strip_numeric_literal_cast(self.expr(*left)))),
                compare_op,
                right: Box::new(self.comparison_array(*right)),
                is_some: false,
            },
            Expr::AllOp {
                left,
                compare_op,
                right,
            } => Expr::AllOp {
                left: Box::new(wrap(strip_numeric_literal_cast(self.expr(*left)))),
                compare_op,
                right: Box::new(self.comparison_array(*right)),
            },
            Expr::Cast {
                expr,
                data_type,
                format: None,
                kind: CastKind::Cast | CastKind::DoubleColon,
            } => self.cast(*expr, &data_type),
            Expr::TypedString(typed) => self.cast(Expr::Value(typed.value), &typed.data_type),
            Expr::Interval(interval)
                if interval.leading_field.is_none()
                    && interval.last_field.is_none()
                    && interval.leading_precision.is_none()
                    && interval.fractional_seconds_precision.is_none() =>
            {
                self.cast(
                    *interval.value,
                    &DataType::Interval {
                        fields: None,
                        precision: None,
                    },
                )
            }
            Expr::Function(function) => Expr::Function(self.function(function)),
            Expr::Extract {
                field,
                syntax,
                expr,
            } => Expr::Extract {
                field,
                syntax,
                expr: Box::new(self.expr(*expr)),
            },
            Expr::Substring {
                expr,
                substring_from,
                substring_for,
                shorthand,
                ..
            } => {
                // `SUBSTRING(x FROM a FOR b)` is the function call `substring(x, a, b)`,
                // which is how PostgreSQL 15 prints it; a missing `FROM` means 1.
                let start = match (substring_from, &substring_for) {
                    (Some(start), _) => Some(*start),
                    (None, Some(_)) => Some(Expr::value(Value::Number("1".into(), false))),
                    (None, None) => None,
                };
                let args = std::iter::once(*expr)
                    .chain(start)
                    .chain(substring_for.map(|length| *length))
                    .collect();
                let name = if shorthand { "substr" } else { "substring" };
                Expr::Function(self.function(function_call(name, args)))
            }
            // `TRIM(x)` trims both ends; the server prints `TRIM(BOTH FROM x)`.
            Expr::Trim {
                trim_where,
                trim_what,
                expr,
                trim_characters: None,
            } => Expr::Trim {
                trim_where: Some(trim_where.unwrap_or(TrimWhereField::Both)),
                trim_what: trim_what.map(|what| Box::new(self.expr(*what))),
                expr: Box::new(self.expr(*expr)),
                trim_characters: None,
            },
            Expr::Position { expr, r#in } => Expr::Position {
                expr: Box::new(self.expr(*expr)),
                r#in: Box::new(self.expr(*r#in)),
            },
            // `x SIMILAR TO p` is `x ~ similar_to_escape(p)` to PostgreSQL, which prints it so.
            Expr::SimilarTo {
                negated,
                expr,
                pattern,
                escape_char,
            } => {
                let op = if negated {
                    BinaryOperator::PGRegexNotMatch
                } else {
                    BinaryOperator::PGRegexMatch
                };
                let args = std::iter::once(*pattern)
                    .chain(escape_char.map(|escape| *escape))
                    .collect();
                self.binary(
                    *expr,
                    op,
                    Expr::Function(function_call("similar_to_escape", args)),
                )
            }
            Expr::Array(array) => Expr::Array(Array {
                elem: array.elem.into_iter().map(|e| self.expr(e)).collect(),
                named: true,
            }),
            Expr::Tuple(items) => Expr::Tuple(items.into_iter().map(|e| self.expr(e)).collect()),
            Expr::Case {
                case_token,
                end_token,
                operand,
                conditions,
                else_result,
            } => Expr::Case {
                case_token,
                end_token,
                operand: operand.map(|e| Box::new(self.expr(*e))),
                conditions: conditions
                    .into_iter()
                    .map(|when| CaseWhen {
                        condition: self.expr(when.condition),
                        result: self.expr(when.result),
                    })
                    .collect(),
                else_result: else_result.map(|e| Box::new(self.expr(*e))),
            },
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => Expr::AtTimeZone {
                timestamp: self.boxed_operand(*timestamp),
                time_zone: self.boxed_operand(*time_zone),
            },
            Expr::Collate { expr, collation } => Expr::Collate {
                expr: self.boxed_operand(*expr),
                collation: fold_object_name(collation),
            },
            Expr::Subquery(subquery) => Expr::Subquery(Box::new(query::normalize(self, *subquery))),
            Expr::Exists { subquery, negated } => Expr::Exists {
                subquery: Box::new(query::normalize(self, *subquery)),
                negated,
            },
            other => other,
        }
    }

    /// A relation or function name with the redundant schema removed and parts folded.
    pub(crate) fn object_name(&self, name: ObjectName) -> ObjectName {
        let mut name = fold_object_name(name);
        if name.0.len() >= 2 {
            if let Some(ObjectNamePart::Identifier(schema)) = name.0.first() {
                if self.is_redundant_schema(schema) {
                    name.0.remove(0);
                }
            }
        }
        name
    }

    /// `OPERATOR(public.~)` (pg_dump qualifies an extension's operators) is the
    /// operator `~` when its schema is the default one or `pg_catalog`: the server
    /// prints it bare where it is visible.
    fn builtin_operator(&self, op: BinaryOperator) -> BinaryOperator {
        let BinaryOperator::PGCustomBinaryOperator(parts) = &op else {
            return op;
        };
        let [schema, name] = parts.as_slice() else {
            return op;
        };
        if schema != &self.default_schema && schema != "pg_catalog" {
            return op;
        }
        let text = format!("a {name} b");
        let parsed = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(&text)
            .and_then(|mut parser| parser.parse_expr());
        match parsed {
            Ok(Expr::BinaryOp { op: plain, .. })
                if !matches!(plain, BinaryOperator::PGCustomBinaryOperator(_)) =>
            {
                plain
            }
            _ => BinaryOperator::PGCustomBinaryOperator(vec![name.clone()]),
        }
    }

    fn is_redundant_schema(&self, schema: &Ident) -> bool {
        schema.value == self.default_schema || schema.value == "pg_catalog"
    }

    fn boxed_operand(&self, expr: Expr) -> Box<Expr> {
        Box::new(wrap(self.expr(expr)))
    }

    fn binary(&self, left: Expr, op: BinaryOperator, right: Expr) -> Expr {
        let op = self.builtin_operator(op);
        let mut left = self.expr(left);
        let mut right = self.expr(right);
        if is_comparison(&op) {
            left = strip_numeric_literal_cast(left);
            right = strip_numeric_literal_cast(right);
            right = self.literal_as_column_type(&left, right);
            left = self.literal_as_column_type(&right, left);
        }
        let chained = |operand: &Expr| {
            matches!(&op, BinaryOperator::And | BinaryOperator::Or)
                && matches!(operand, Expr::BinaryOp { op: inner, .. } if *inner == op)
        };
        let left = if chained(&left) { left } else { wrap(left) };
        let right = if chained(&right) { right } else { wrap(right) };
        Expr::BinaryOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        }
    }

    /// A string literal compared with a column of a date or time type takes that type,
    /// as the server reads it (`created > '2020-01-01'` is stored as `created >
    /// '2020-01-01 00:00:00'::timestamp without time zone`): read into its value.
    fn literal_as_column_type(&self, column: &Expr, literal: Expr) -> Expr {
        let Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(text),
            ..
        }) = &literal
        else {
            return literal;
        };
        let Some(kind) = self
            .column_type(column)
            .filter(|column_type| !column_type.is_array())
            .and_then(|column_type| TimeType::of(column_type.base()))
        else {
            return literal;
        };
        match canonical_time(text, kind) {
            Ok(canonical) => string_expr(canonical),
            Err(reason) => {
                self.spending.undecided.borrow_mut().get_or_insert(reason);
                literal
            }
        }
    }

    fn unary(&self, op: UnaryOperator, operand: Expr) -> Expr {
        let operand = self.expr(operand);
        match (op, operand) {
            (
                UnaryOperator::Minus,
                Expr::Value(ValueWithSpan {
                    value: Value::Number(digits, long),
                    ..
                }),
            ) => {
                let negated = match digits.strip_prefix('-') {
                    Some(positive) => positive.to_string(),
                    None => format!("-{digits}"),
                };
                number_expr(negated, long)
            }
            (UnaryOperator::Plus, operand @ Expr::Value(_)) => operand,
            // `NOT EXISTS (…)` is `NOT` applied to `EXISTS (…)`, as the server prints it.
            (
                UnaryOperator::Not,
                Expr::Exists {
                    subquery,
                    negated: false,
                },
            ) => Expr::Exists {
                subquery,
                negated: true,
            },
            (op, operand) => Expr::UnaryOp {
                op,
                expr: Box::new(wrap(operand)),
            },
        }
    }

    /// The right side of `= ANY (…)`: an array's elements are comparison operands.
    fn comparison_array(&self, right: Expr) -> Expr {
        match self.expr(right) {
            Expr::Array(array) => Expr::Array(Array {
                elem: array
                    .elem
                    .into_iter()
                    .map(strip_numeric_literal_cast)
                    .collect(),
                named: true,
            }),
            other => other,
        }
    }

    fn cast(&self, inner: Expr, data_type: &DataType) -> Expr {
        // Only a literal written with its type is read when the DDL runs; one cast to
        // text first (`('now'::text)::date`) is converted each time it is evaluated.
        let mut written = &inner;
        while let Expr::Nested(nested) = written {
            written = nested;
        }
        let typed_literal = is_literal(written);
        if self.declarations.has_domains() {
            let target = self.canonical_type(data_type);
            if self
                .column_type(written)
                .is_some_and(|column_type| self.declarations.is_domain_base(&column_type, &target))
            {
                return self.expr(inner);
            }
        }
        let inner = self.expr(inner);
        let target = self.canonical_type(data_type);
        match inner {
            Expr::Value(value) => match value.value {
                Value::SingleQuotedString(text) => match quoted_number(&text, &target) {
                    Some(number) => number_expr(number, false),
                    None if target.base() == "regclass" && !target.is_array() => {
                        string_expr(self.unqualified_relation(text))
                    }
                    None if target.base() == "interval" && !target.is_array() => {
                        string_expr(canonical_interval(&text).unwrap_or(text))
                    }
                    None => match TimeType::of(target.base())
                        .filter(|_| typed_literal && !target.is_array())
                    {
                        Some(kind) => match canonical_time(&text, kind) {
                            Ok(canonical) => string_expr(canonical),
                            Err(reason) => {
                                self.spending.undecided.borrow_mut().get_or_insert(reason);
                                string_expr(text)
                            }
                        },
                        None => string_expr(text),
                    },
                },
                Value::Null => Expr::value(Value::Null),
                other => cast_expr(Expr::value(other), &target),
            },
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) if is_unbounded_text(&target) => {
                inner
            }
            Expr::Array(array)
                if is_unbounded_text(&target) && array.elem.iter().all(is_literal) =>
            {
                Expr::Array(array)
            }
            other => cast_expr(other, &target),
        }
    }

    /// A relation name inside a `regclass` literal (`nextval('public.s'::regclass)`)
    /// without the default schema, which the server omits for visible relations.
    fn unqualified_relation(&self, text: String) -> String {
        let parts = crate::model::split_identifier_path(&text);
        match parts.as_slice() {
            [schema, name] if *schema == self.default_schema => name.clone(),
            [name] => match &self.written_in {
                Some(schema) => format!("{}.{}", quote_as_printed(schema), quote_as_printed(name)),
                None => name.clone(),
            },
            _ => text,
        }
    }

    fn canonical_type(&self, data_type: &DataType) -> SqlType {
        let text = data_type.to_string();
        let qualified_prefix = format!("{}.", self.default_schema);
        SqlType::parse(text.strip_prefix(&qualified_prefix).unwrap_or(&text))
    }
}

/// `x IN (…)` the way PostgreSQL's parser turns it into a tree (`transformAExprIn`):
/// two or more items without column references become one `= ANY (ARRAY[…])`, and every
/// other item an `=` comparison chained with `OR` (`NOT IN`: `<> ALL`, `<>`, `AND`).
fn in_list_as_server_does(left: Expr, items: Vec<Expr>, negated: bool) -> Expr {
    let (compare, join) = if negated {
        (BinaryOperator::NotEq, BinaryOperator::And)
    } else {
        (BinaryOperator::Eq, BinaryOperator::Or)
    };
    let constant_count = items.iter().filter(|e| !mentions_column(e)).count();
    let (mut result, remaining) = if constant_count > 1 {
        let (with_columns, constants): (Vec<Expr>, Vec<Expr>) =
            items.into_iter().partition(mentions_column);
        let array = Box::new(Expr::Array(Array {
            elem: constants,
            named: true,
        }));
        let combined = if negated {
            Expr::AllOp {
                left: Box::new(left.clone()),
                compare_op: compare.clone(),
                right: array,
            }
        } else {
            Expr::AnyOp {
                left: Box::new(left.clone()),
                compare_op: compare.clone(),
                right: array,
                is_some: false,
            }
        };
        (Some(combined), with_columns)
    } else {
        (None, items)
    };
    for item in remaining {
        let comparison = binary(left.clone(), compare.clone(), item);
        result = Some(match result {
            Some(previous) => binary(previous, join.clone(), comparison),
            None => comparison,
        });
    }
    result.unwrap_or(left)
}

/// How many comparisons [`in_list_as_server_does`] chains for `items`: those that stay
/// out of the `ANY` array.
fn in_list_chain_length(items: &[Expr]) -> usize {
    let with_columns = items.iter().filter(|item| mentions_column(item)).count();
    if items.len() - with_columns > 1 {
        with_columns
    } else {
        items.len()
    }
}

/// Whether PostgreSQL would see a variable in `expr`. Unknown forms count as mentioning
/// one, which keeps them out of the `ANY` array as the server would for a column.
fn mentions_column(expr: &Expr) -> bool {
    match expr {
        Expr::Value(_) | Expr::TypedString(_) | Expr::Interval(_) => false,
        Expr::Nested(inner)
        | Expr::Cast { expr: inner, .. }
        | Expr::UnaryOp { expr: inner, .. } => mentions_column(inner),
        Expr::BinaryOp { left, right, .. } => mentions_column(left) || mentions_column(right),
        Expr::Array(array) => array.elem.iter().any(mentions_column),
        Expr::Function(function) => match &function.args {
            FunctionArguments::None => false,
            FunctionArguments::List(list) => list.args.iter().any(|arg| match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                | FunctionArg::Named {
                    arg: FunctionArgExpr::Expr(e),
                    ..
                } => mentions_column(e),
                _ => true,
            }),
            FunctionArguments::Subquery(_) => true,
        },
        _ => true,
    }
}

/// Parenthesises `expr` when it is an operator, so the printed text keeps the tree's
/// shape whatever the operators' precedence.
pub(crate) fn wrap(expr: Expr) -> Expr {
    match expr {
        Expr::Identifier(_)
        | Expr::CompoundIdentifier(_)
        | Expr::Value(_)
        | Expr::Function(_)
        | Expr::Nested(_)
        | Expr::Array(_)
        | Expr::Cast { .. }
        | Expr::Case { .. }
        | Expr::Subquery(_)
        | Expr::Exists { .. }
        | Expr::Tuple(_)
        | Expr::TypedString(_) => expr,
        operator => Expr::Nested(Box::new(operator)),
    }
}

/// Drops a numeric-type cast on a number; see the module documentation for where this
/// is sound. A fraction cast to an integer type keeps its cast (that cast rounds).
fn strip_numeric_literal_cast(expr: Expr) -> Expr {
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            kind,
            format,
        } => {
            let target = SqlType::parse(&data_type.to_string());
            let stripped = match inner.as_ref() {
                Expr::Value(ValueWithSpan {
                    value: Value::Number(digits, _),
                    ..
                }) => {
                    is_numeric(&target)
                        && (!is_integer_type(&target) || digits.parse::<i128>().is_ok())
                }
                _ => false,
            };
            if stripped {
                *inner
            } else {
                Expr::Cast {
                    expr: inner,
                    data_type,
                    kind,
                    format,
                }
            }
        }
        other => other,
    }
}

fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}

fn is_integer_type(data_type: &SqlType) -> bool {
    !data_type.is_array() && matches!(data_type.base(), "smallint" | "integer" | "bigint")
}

fn is_numeric(data_type: &SqlType) -> bool {
    is_integer_type(data_type)
        || (!data_type.is_array()
            && matches!(data_type.base(), "numeric" | "real" | "double precision"))
}

/// `text`, `character varying` without a length, and their arrays: casts to these
/// never truncate, so the server's casts from `varchar` can be dropped.
fn is_unbounded_text(data_type: &SqlType) -> bool {
    data_type.base() == "text"
        || (data_type.base() == "character varying" && data_type.modifiers().is_empty())
}

fn is_literal(expr: &Expr) -> bool {
    matches!(expr, Expr::Value(_))
}

/// The number a quoted literal cast to a numeric type denotes, in canonical spelling:
/// `'-1'::integer` is the integer -1, which the server prints that way because a bare
/// `-1` would re-parse as an operator applied to 1.
fn quoted_number(text: &str, target: &SqlType) -> Option<String> {
    if is_integer_type(target) {
        let value: i128 = text.trim().parse().ok()?;
        return Some(value.to_string());
    }
    if matches!(target.base(), "numeric") && !target.is_array() {
        let trimmed = text.trim();
        let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
        let plain_decimal = !unsigned.is_empty()
            && unsigned.chars().all(|c| c.is_ascii_digit() || c == '.')
            && unsigned.chars().filter(|c| *c == '.').count() <= 1
            && unsigned.chars().any(|c| c.is_ascii_digit());
        if plain_decimal {
            return Some(canonical_number(trimmed));
        }
    }
    None
}

/// A number as PostgreSQL prints it back: no leading zeros, a zero before a leading
/// point, trailing fraction digits kept (`1.50` is a different numeric scale than `1.5`).
fn canonical_number(text: &str) -> String {
    if text.contains(['e', 'E']) {
        // `1e3` is the number the server prints as `1000`; other exponents stay as written.
        return match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value.fract() == 0.0 && value.abs() < 1e15 => {
                format!("{value:.0}")
            }
            _ => text.to_string(),
        };
    }
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let sign = if whole == "0" && fraction.is_none_or(|f| f.chars().all(|c| c == '0')) {
        ""
    } else {
        sign
    };
    match fraction {
        Some(fraction) => format!("{sign}{whole}.{fraction}"),
        None => format!("{sign}{whole}"),
    }
}

fn canonical_value(value: ValueWithSpan) -> ValueWithSpan {
    let canonical = match value.value {
        Value::Number(digits, long) => Value::Number(canonical_number(&digits), long),
        Value::DollarQuotedString(dollar) => Value::SingleQuotedString(dollar.value),
        // The tokenizer has already read the escapes of `E'\n'`: the value is the string
        // the server stores, which it prints as a plain literal.
        Value::EscapedStringLiteral(text) => Value::SingleQuotedString(text),
        other => other,
    };
    ValueWithSpan {
        value: canonical,
        span: value.span,
    }
}

fn number_expr(digits: String, long: bool) -> Expr {
    Expr::value(Value::Number(canonical_number(&digits), long))
}

fn string_expr(text: String) -> Expr {
    Expr::value(Value::SingleQuotedString(text))
}

fn cast_expr(inner: Expr, target: &SqlType) -> Expr {
    Expr::Cast {
        kind: CastKind::DoubleColon,
        expr: Box::new(wrap(inner)),
        data_type: DataType::Custom(
            ObjectName(vec![ObjectNamePart::Identifier(Ident::new(
                target.to_string(),
            ))]),
            Vec::new(),
        ),
        format: None,
    }
}

fn function_call(name: &str, args: Vec<Expr>) -> Function {
    Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|arg| FunctionArg::Unnamed(FunctionArgExpr::Expr(arg)))
                .collect(),
            clauses: Vec::new(),
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: Vec::new(),
    }
}

fn binary(left: Expr, op: BinaryOperator, right: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(left),
        op,
        right: Box::new(right),
    }
}

/// `name` as the normalizer prints identifiers (and the server a generated name in a
/// regclass literal): bare when lower-case ASCII letters, digits and underscores not
/// starting with a digit, quoted (inner quotes doubled) otherwise. Keywords are not
/// quoted: canonical forms of both sides go through this one rule.
pub fn quote_as_printed(name: &str) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if bare {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Folds an identifier as PostgreSQL does: unquoted names are lower-cased. Quotes are
/// kept only where the name needs them, so `"status"` and `status` print alike.
pub(crate) fn fold_ident(ident: Ident) -> Ident {
    let value = crate::model::fold_identifier(&ident.value, ident.quote_style.is_some());
    let plain = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    if plain {
        Ident::new(value)
    } else {
        Ident::with_quote('"', value)
    }
}

/// Every identifier part of `name` folded.
pub(crate) fn fold_object_name(name: ObjectName) -> ObjectName {
    ObjectName(
        name.0
            .into_iter()
            .map(|part| match part {
                ObjectNamePart::Identifier(ident) => ObjectNamePart::Identifier(fold_ident(ident)),
                other => other,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_the_server_prints_them() {
        assert_eq!(canonical_number("007"), "7");
        assert_eq!(canonical_number(".5"), "0.5");
        assert_eq!(canonical_number("1.50"), "1.50");
        assert_eq!(canonical_number("-0"), "0");
        assert_eq!(canonical_number("1e3"), "1000");
        assert_eq!(canonical_number("2.5e-1"), "2.5e-1");
    }

    #[test]
    fn quoted_numbers_become_numbers_only_for_numeric_targets() {
        let integer = SqlType::parse("int4");
        let numeric = SqlType::parse("numeric");
        assert_eq!(quoted_number("-1", &integer), Some("-1".to_string()));
        assert_eq!(quoted_number("1.5", &integer), None);
        assert_eq!(quoted_number("0.50", &numeric), Some("0.50".to_string()));
        assert_eq!(quoted_number("abc", &numeric), None);
        assert_eq!(quoted_number("1", &SqlType::parse("text")), None);
    }
}
