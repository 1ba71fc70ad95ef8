//! The SQL that makes the database match the specs, written from the model: names are
//! quoted where PostgreSQL needs it, types are written as `format_type` prints them, and
//! only definitions the model keeps as text (defaults, CHECK and index expressions,
//! predicates, policy clauses, trigger conditions, view bodies) are copied from the specs.
//!
//! Indexes are built and dropped `CONCURRENTLY` (not on partitioned tables, which do not
//! allow it), so that a fix does not block writes while an index builds; foreign keys
//! and checks on existing tables are added `NOT VALID` and validated in a later step,
//! which takes a weaker lock. Statements that drop data, or an object the fix does not
//! re-create, are marked destructive: a script comments them out.

use crate::diff::{CommentTarget, RlsState};
use crate::finding::{Fix, FixStatement, FixStep};
use crate::model::{
    quote_identifier, Catalog, Column, Constraint, ConstraintKind, ForeignKeyAction, Identity,
    Index, IndexKey, IndexTarget, Policy, PolicyCommand, QualifiedName, Relation, RelationKind,
    SqlType, Trigger, MAX_IDENTIFIER_BYTES,
};
use std::collections::BTreeMap;

mod column;
mod constraint;
mod index;
mod relation;
mod security;
mod trigger;

use column::column_definition;
pub(crate) use column::{
    add_column, alter_type, column_owner, drop_column, set_default, set_nullability,
};
use constraint::constraint_definition;
pub(crate) use constraint::{add_constraint, drop_constraint, recreate_constraint};
use index::create_index_as;
pub(crate) use index::{create_index, drop_index, recreate_index};
pub(crate) use relation::{create_relation, drop_relation, replace_relation, replace_view};
pub(crate) use security::{change_policy, create_policy, drop_policy, grant, revoke, rls};
use security::{create_policy_sql, grantee};
use trigger::create_trigger_sql;
pub(crate) use trigger::{create_trigger, drop_trigger};

/// A fix built statement by statement.
#[derive(Default)]
struct Builder {
    statements: Vec<FixStatement>,
}

impl Builder {
    fn push(&mut self, step: FixStep, sql: impl Into<String>) {
        self.statements.push(FixStatement {
            step,
            sql: sql.into(),
            destructive: None,
        });
    }

    fn extend(&mut self, fix: Option<Fix>) {
        if let Some(fix) = fix {
            self.statements.extend(fix.statements);
        }
    }

    fn build(self) -> Option<Fix> {
        (!self.statements.is_empty()).then_some(Fix {
            statements: self.statements,
        })
    }
}

/// `'text'` with inner quotes doubled (a standard string: backslashes are literal).
pub(crate) fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A type as DDL writes it: built-in types as `format_type` prints them (also those the
/// model keeps whole, such as `interval day to second` or an extension type's modifiers),
/// other types with each part of their name quoted where needed.
pub(crate) fn sql_type(data_type: &SqlType) -> String {
    if data_type.is_builtin() || data_type.base().contains(['(', ' ']) {
        return data_type.to_string();
    }
    let mut text: String = data_type
        .base()
        .split('.')
        .map(quote_identifier)
        .collect::<Vec<_>>()
        .join(".");
    if !data_type.modifiers().is_empty() {
        let modifiers: Vec<String> = data_type.modifiers().iter().map(u32::to_string).collect();
        text.push_str(&format!("({})", modifiers.join(",")));
    }
    if data_type.is_array() {
        text.push_str("[]");
    }
    text
}

/// The keyword of the relation's kind in `COMMENT ON` and `DROP`.
fn kind_keyword(kind: RelationKind) -> &'static str {
    match kind {
        RelationKind::Table | RelationKind::PartitionedTable => "TABLE",
        RelationKind::View => "VIEW",
        RelationKind::MaterializedView => "MATERIALIZED VIEW",
    }
}

/// `ALTER TABLE name` (also right for the columns of views and materialized views where
/// PostgreSQL accepts it, and for row-level security).
fn alter_table(relation: &QualifiedName) -> String {
    format!("ALTER TABLE {}", relation.quoted())
}

fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|column| quote_identifier(column))
        .collect::<Vec<_>>()
        .join(", ")
}

fn index_name(relation: &QualifiedName, index: &str) -> String {
    QualifiedName::new(relation.schema.clone(), index).quoted()
}

fn comment_statement(on: &str, text: Option<&str>) -> String {
    format!("COMMENT ON {on} IS {}", text.map_or("NULL".into(), literal))
}

fn comment_on(relation: &Relation, target: &CommentTarget) -> String {
    let name = &relation.name;
    match target {
        CommentTarget::Relation => format!("{} {}", kind_keyword(relation.kind), name.quoted()),
        CommentTarget::Column(column) => {
            format!("COLUMN {}.{}", name.quoted(), quote_identifier(column))
        }
        CommentTarget::Index(index) => format!("INDEX {}", index_name(name, index)),
        CommentTarget::Constraint(constraint) => format!(
            "CONSTRAINT {} ON {}",
            quote_identifier(constraint),
            name.quoted()
        ),
        CommentTarget::Policy(policy) => {
            format!("POLICY {} ON {}", quote_identifier(policy), name.quoted())
        }
        CommentTarget::Trigger(trigger) => {
            format!("TRIGGER {} ON {}", quote_identifier(trigger), name.quoted())
        }
    }
}

/// A name for a new object that replaces `name` until the old one is gone: `name` with a
/// suffix, cut to PostgreSQL's identifier limit.
fn temporary_name(name: &str) -> String {
    let suffix = "_pgparity_new";
    let mut stem = name.to_string();
    while stem.len() + suffix.len() > MAX_IDENTIFIER_BYTES {
        stem.pop();
    }
    format!("{stem}{suffix}")
}

/// Sets the comment the specs give `target` (or removes it).
pub(crate) fn comment(relation: &Relation, target: &CommentTarget, text: Option<&str>) -> Fix {
    Fix::one(
        FixStep::Comment,
        comment_statement(&comment_on(relation, target), text),
    )
}

#[cfg(test)]
mod tests;
