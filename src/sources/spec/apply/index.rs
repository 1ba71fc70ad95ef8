//! CREATE INDEX and ALTER INDEX … RENAME TO.

use super::names::{choose_name, column_addition};
use super::table_constraints::{index_key, key_name_part};
use super::{fold, name_parts, name_span, span_location, Loader};
use crate::model::{Index, Location, QualifiedName};
use crate::sources::spec::statements::Extras;
use crate::sources::spec::SpecProblemKind;
use sqlparser::ast::{AlterIndexOperation, CreateIndex, ObjectName};

impl Loader {
    /// `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t …`.
    pub(super) fn create_index(
        &mut self,
        create: &CreateIndex,
        extras: &Extras,
        statement: &Location,
    ) {
        let table = self.qualified(&create.table_name);
        let keys: Vec<_> = create.columns.iter().map(index_key).collect();
        let name = match &create.name {
            Some(name) => name_parts(name).pop().unwrap_or_default(),
            None => {
                let parts: Vec<String> = keys.iter().map(key_name_part).collect();
                let addition = column_addition(parts.iter().map(String::as_str));
                choose_name(&table.name, Some(&addition), "idx", |candidate| {
                    let candidate = QualifiedName::new(table.schema.clone(), candidate);
                    self.catalog.relations.contains_key(&candidate)
                        || self.index_owner.contains_key(&candidate)
                })
            }
        };
        let location = span_location(
            create
                .name
                .as_ref()
                .and_then(name_span)
                .or_else(|| name_span(&create.table_name)),
            statement,
        );
        let index_name = QualifiedName::new(table.schema.clone(), name.clone());
        if self
            .relation_or_note(&table, &index_name.to_string(), &location)
            .is_none()
        {
            return;
        }
        if let Some(first) = self.index_location(&index_name) {
            if !create.if_not_exists {
                self.duplicate(index_name.to_string(), "index", first, &location);
            }
            return;
        }
        let index = Index {
            name: name.clone(),
            unique: create.unique,
            method: create.using.as_ref().map_or_else(
                || "btree".to_string(),
                |method| method.to_string().to_lowercase(),
            ),
            keys,
            include: create.include.iter().map(fold).collect(),
            predicate: create
                .predicate
                .as_ref()
                .map(|predicate| predicate.to_string().into()),
            nulls_not_distinct: create.nulls_distinct == Some(false),
            only: extras.index_only,
            constraint: None,
            comment: None,
            location: Some(location),
        };
        if let Some(relation) = self.catalog.relations.get_mut(&table) {
            relation.indexes.insert(name, Box::new(index));
            self.index_owner.insert(index_name, table);
        }
    }

    /// `ALTER INDEX [IF EXISTS] name RENAME TO new_name`: the index keeps its table and
    /// schema; an index that backs a constraint renames the constraint too, as
    /// PostgreSQL does.
    pub(super) fn alter_index(
        &mut self,
        name: &ObjectName,
        operation: &AlterIndexOperation,
        statement: &Location,
    ) {
        let AlterIndexOperation::RenameIndex { index_name } = operation;
        let old = self.qualified(name);
        let Some(new_name) = name_parts(index_name).pop() else {
            return;
        };
        let Some(table) = self.index_owner.remove(&old) else {
            if !self.maybe_defined.contains(&old) {
                self.problem(
                    SpecProblemKind::UnknownReference {
                        object: old.to_string(),
                        missing: format!("index {old}"),
                    },
                    statement,
                );
            }
            return;
        };
        let renamed = QualifiedName::new(old.schema.clone(), new_name.clone());
        if let Some(relation) = self.catalog.relations.get_mut(&table) {
            if let Some(mut index) = relation.indexes.remove(&old.name) {
                let backed = index.constraint.clone();
                if let Some(mut constraint) =
                    backed.and_then(|constraint| relation.constraints.remove(&constraint))
                {
                    constraint.name = new_name.clone();
                    relation.constraints.insert(new_name.clone(), constraint);
                    index.constraint = Some(new_name.clone());
                }
                index.name = new_name.clone();
                relation.indexes.insert(new_name, index);
            }
        }
        self.index_owner.insert(renamed, table);
    }
}
