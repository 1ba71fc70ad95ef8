//! Constraints (inline and table-level, from CREATE TABLE and ALTER TABLE), the names
//! PostgreSQL generates for unnamed ones, and the indexes that back them.

use super::names::{choose_name, column_addition};
use super::{fold, span_location, Loader};
use crate::model::{
    Constraint, ConstraintKind, ForeignKeyAction, Index, IndexKey, IndexTarget, Location,
    QualifiedName,
};
use sqlparser::ast::{
    ConstraintCharacteristics, DeferrableInitial, Expr, Ident, IndexColumn, NullsDistinctOption,
    OrderBySort, ReferentialAction, Spanned, TableConstraint,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::BTreeSet;

/// A constraint before it has a name.
pub(super) struct PendingConstraint {
    /// The name written after `CONSTRAINT`, folded.
    pub name: Option<String>,
    /// What it constrains.
    pub kind: ConstraintKind,
    /// `DEFERRABLE`.
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub initially_deferred: bool,
    /// The backing index of a primary key, unique or exclusion constraint.
    pub index: Option<BackingIndex>,
    /// Where it was written.
    pub location: Location,
}

/// What a constraint's backing index needs beyond the constraint itself.
pub(super) struct BackingIndex {
    /// Access method.
    pub method: String,
    /// Key columns or expressions.
    pub keys: Vec<IndexKey>,
    /// `INCLUDE (…)`.
    pub include: Vec<String>,
    /// `WHERE …` of an exclusion constraint.
    pub predicate: Option<crate::model::Expr>,
}

impl PendingConstraint {
    /// A table-level constraint; `None` for forms PostgreSQL does not have.
    pub(super) fn from_table(
        constraint: &TableConstraint,
        statement: &Location,
        default_schema: &str,
    ) -> Option<Self> {
        let location = span_location(Some(constraint.span()), statement);
        let pending = match constraint {
            TableConstraint::PrimaryKey(pk) => PendingConstraint::key(
                pk.name.as_ref(),
                ConstraintKind::PrimaryKey {
                    columns: key_columns(&pk.columns),
                },
                &pk.columns,
                &pk.include,
                pk.characteristics.as_ref(),
                location,
            ),
            TableConstraint::Unique(unique) => PendingConstraint::key(
                unique.name.as_ref(),
                ConstraintKind::Unique {
                    columns: key_columns(&unique.columns),
                    nulls_not_distinct: unique.nulls_distinct == NullsDistinctOption::NotDistinct,
                },
                &unique.columns,
                &unique.include,
                unique.characteristics.as_ref(),
                location,
            ),
            TableConstraint::ForeignKey(fk) => PendingConstraint {
                name: fk.name.as_ref().map(fold),
                kind: ConstraintKind::ForeignKey {
                    columns: fk.columns.iter().map(fold).collect(),
                    references: super::qualify(
                        &super::name_parts(&fk.foreign_table),
                        default_schema,
                    ),
                    referenced_columns: fk.referred_columns.iter().map(fold).collect(),
                    on_delete: action(fk.on_delete.as_ref()),
                    on_update: action(fk.on_update.as_ref()),
                },
                deferrable: deferrable(fk.characteristics.as_ref()),
                initially_deferred: initially_deferred(fk.characteristics.as_ref()),
                index: None,
                location,
            },
            TableConstraint::Check(check) => {
                PendingConstraint::check(check.name.as_ref(), &check.expr, location)
            }
            TableConstraint::Exclude(exclude) => {
                let text = constraint.to_string();
                let definition = text
                    .find("EXCLUDE ")
                    .map_or(text.as_str(), |at| &text[at + "EXCLUDE ".len()..])
                    .to_string();
                PendingConstraint {
                    name: exclude.name.as_ref().map(fold),
                    kind: ConstraintKind::Exclusion { definition },
                    deferrable: deferrable(exclude.characteristics.as_ref()),
                    initially_deferred: initially_deferred(exclude.characteristics.as_ref()),
                    index: Some(BackingIndex {
                        method: exclude
                            .index_method
                            .as_ref()
                            .map_or_else(|| "btree".to_string(), fold),
                        keys: exclude
                            .elements
                            .iter()
                            .map(|element| index_key(&element.column))
                            .collect(),
                        include: exclude.include.iter().map(fold).collect(),
                        predicate: exclude.where_clause.as_ref().map(|e| e.to_string().into()),
                    }),
                    location,
                }
            }
            _ => return None,
        };
        Some(pending)
    }

    /// A primary key or unique constraint with its btree index.
    pub(super) fn key(
        name: Option<&Ident>,
        kind: ConstraintKind,
        columns: &[IndexColumn],
        include: &[Ident],
        characteristics: Option<&ConstraintCharacteristics>,
        location: Location,
    ) -> Self {
        PendingConstraint {
            name: name.map(fold),
            kind,
            deferrable: deferrable(characteristics),
            initially_deferred: initially_deferred(characteristics),
            index: Some(BackingIndex {
                method: "btree".into(),
                keys: columns.iter().map(index_key).collect(),
                include: include.iter().map(fold).collect(),
                predicate: None,
            }),
            location,
        }
    }

    /// A `CHECK (expression)` constraint.
    pub(super) fn check(name: Option<&Ident>, expr: &Expr, location: Location) -> Self {
        PendingConstraint {
            name: name.map(fold),
            kind: ConstraintKind::Check {
                expression: expr.to_string().into(),
            },
            deferrable: false,
            initially_deferred: false,
            index: None,
            location,
        }
    }
}

/// The plain column names of key columns (expressions are not allowed in constraints).
pub(super) fn key_columns(columns: &[IndexColumn]) -> Vec<String> {
    columns
        .iter()
        .map(|column| match index_key(column).target {
            IndexTarget::Column(name) => name,
            IndexTarget::Expression(expression) => expression.text().to_string(),
        })
        .collect()
}

/// One index key: a column or an expression, with its order, nulls, opclass, collation.
pub(super) fn index_key(column: &IndexColumn) -> IndexKey {
    let mut expr = &column.column.expr;
    let mut collation = None;
    loop {
        match expr {
            Expr::Nested(inner) => expr = inner,
            Expr::Collate {
                expr: inner,
                collation: name,
            } => {
                collation = Some(name.to_string());
                expr = inner;
            }
            _ => break,
        }
    }
    let target = match expr {
        Expr::Identifier(ident) => IndexTarget::Column(fold(ident)),
        other => IndexTarget::Expression(other.to_string().into()),
    };
    IndexKey {
        target,
        descending: matches!(column.column.options.sort, Some(OrderBySort::Desc)),
        nulls_first: column.column.options.nulls_first,
        opclass: column.operator_class.as_ref().map(|name| name.to_string()),
        collation,
        default_opclass: None,
        default_collation: None,
    }
}

/// The name part PostgreSQL uses for a key in a generated index name: the column, the
/// function of a function call, else `expr`.
pub(super) fn key_name_part(key: &IndexKey) -> String {
    match &key.target {
        IndexTarget::Column(name) => name.clone(),
        IndexTarget::Expression(text) => match text.find('(') {
            Some(open)
                if open > 0
                    && text[..open]
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
            {
                let function = &text[..open];
                function
                    .rsplit('.')
                    .next()
                    .unwrap_or(function)
                    .to_lowercase()
            }
            _ => "expr".into(),
        },
    }
}

fn action(action: Option<&ReferentialAction>) -> ForeignKeyAction {
    match action {
        Some(ReferentialAction::Restrict) => ForeignKeyAction::Restrict,
        Some(ReferentialAction::Cascade) => ForeignKeyAction::Cascade,
        Some(ReferentialAction::SetNull) => ForeignKeyAction::SetNull,
        Some(ReferentialAction::SetDefault) => ForeignKeyAction::SetDefault,
        Some(ReferentialAction::NoAction) | None => ForeignKeyAction::NoAction,
    }
}

/// `DEFERRABLE`, also implied by `INITIALLY DEFERRED` (as in PostgreSQL).
pub(super) fn deferrable(characteristics: Option<&ConstraintCharacteristics>) -> bool {
    characteristics.is_some_and(|c| c.deferrable == Some(true))
        || initially_deferred(characteristics)
}

/// `INITIALLY DEFERRED`.
pub(super) fn initially_deferred(characteristics: Option<&ConstraintCharacteristics>) -> bool {
    characteristics.is_some_and(|c| c.initially == Some(DeferrableInitial::Deferred))
}

/// The distinct column names of `columns` that the expression mentions (outside
/// string literals).
fn referenced_columns(expression: &str, columns: &[&str]) -> BTreeSet<String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, expression)
        .tokenize()
        .unwrap_or_default();
    tokens
        .into_iter()
        .filter_map(|token| match token {
            Token::Word(word) if word.quote_style.is_some() => Some(word.value),
            Token::Word(word) => Some(word.value.to_lowercase()),
            _ => None,
        })
        .filter(|word| columns.contains(&word.as_str()))
        .collect()
}

impl Loader {
    /// Names (if unnamed) and adds a constraint to `table`, with its backing index;
    /// primary key columns become NOT NULL.
    pub(super) fn add_constraint(&mut self, table: &QualifiedName, pending: PendingConstraint) {
        let Some(relation) = self.catalog.relations.get(table) else {
            return;
        };
        let key_parts = || -> Vec<String> {
            match (&pending.kind, &pending.index) {
                (ConstraintKind::ForeignKey { columns, .. }, _) => columns.clone(),
                (_, Some(index)) => index.keys.iter().map(key_name_part).collect(),
                _ => Vec::new(),
            }
        };
        let name = match &pending.name {
            Some(name) => name.clone(),
            None => {
                let schema = &table.schema;
                let relation_taken = |name: &str| {
                    let candidate = QualifiedName::new(schema.clone(), name);
                    self.catalog.relations.contains_key(&candidate)
                        || self.index_owner.contains_key(&candidate)
                };
                let constraint_taken = |name: &str| relation.constraints.contains_key(name);
                let parts = key_parts();
                let addition = column_addition(parts.iter().map(String::as_str));
                match &pending.kind {
                    ConstraintKind::PrimaryKey { .. } => {
                        choose_name(&table.name, None, "pkey", relation_taken)
                    }
                    ConstraintKind::Unique { .. } => {
                        choose_name(&table.name, Some(&addition), "key", relation_taken)
                    }
                    ConstraintKind::Exclusion { .. } => {
                        choose_name(&table.name, Some(&addition), "excl", relation_taken)
                    }
                    ConstraintKind::ForeignKey { .. } => {
                        choose_name(&table.name, Some(&addition), "fkey", constraint_taken)
                    }
                    ConstraintKind::Check { expression } => {
                        let columns: Vec<&str> =
                            relation.columns.iter().map(|c| c.name.as_str()).collect();
                        let referenced = referenced_columns(expression, &columns);
                        let single = match referenced.len() {
                            1 => referenced.into_iter().next(),
                            _ => None,
                        };
                        choose_name(&table.name, single.as_deref(), "check", constraint_taken)
                    }
                }
            }
        };
        let existing = relation
            .constraints
            .get(&name)
            .map(|existing| existing.location.clone());
        if let Some(first) = existing {
            let path = relation.member_path(&name);
            self.duplicate(path, "constraint", first, &pending.location);
            return;
        }
        let index_name = QualifiedName::new(table.schema.clone(), name.clone());
        if pending.index.is_some() {
            if let Some(first) = self.index_location(&index_name) {
                self.duplicate(index_name.to_string(), "index", first, &pending.location);
                return;
            }
        }
        let Some(relation) = self.catalog.relations.get_mut(table) else {
            return;
        };
        if let ConstraintKind::PrimaryKey { columns } = &pending.kind {
            for column in &mut relation.columns {
                if columns.contains(&column.name) {
                    column.not_null = true;
                }
            }
        }
        if let Some(backing) = pending.index {
            relation.indexes.insert(
                name.clone(),
                Box::new(Index {
                    name: name.clone(),
                    unique: !matches!(pending.kind, ConstraintKind::Exclusion { .. }),
                    method: backing.method,
                    keys: backing.keys,
                    include: backing.include,
                    predicate: backing.predicate,
                    nulls_not_distinct: matches!(
                        pending.kind,
                        ConstraintKind::Unique {
                            nulls_not_distinct: true,
                            ..
                        }
                    ),
                    only: false,
                    constraint: Some(name.clone()),
                    comment: None,
                    location: Some(pending.location.clone()),
                }),
            );
            self.index_owner.insert(index_name, table.clone());
        }
        relation.constraints.insert(
            name.clone(),
            Box::new(Constraint {
                name,
                kind: pending.kind,
                deferrable: pending.deferrable,
                initially_deferred: pending.initially_deferred,
                comment: None,
                location: Some(pending.location),
                allowed_values: Default::default(),
            }),
        );
    }

    /// Where the index `name` was defined, if it exists (`Some(None)`: exists, no
    /// location).
    pub(super) fn index_location(&self, name: &QualifiedName) -> Option<Option<Location>> {
        let owner = self.index_owner.get(name)?;
        let index = self.catalog.relations.get(owner)?.indexes.get(&name.name)?;
        Some(index.location.clone())
    }
}
