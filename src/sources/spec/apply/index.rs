//! CREATE INDEX.

use super::names::{choose_name, column_addition};
use super::table_constraints::{index_key, key_name_part};
use super::{fold, name_parts, name_span, span_location, Loader};
use crate::model::{Index, Location, QualifiedName};
use crate::sources::spec::statements::Extras;
use sqlparser::ast::CreateIndex;

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
                .map(|predicate| predicate.to_string()),
            nulls_not_distinct: create.nulls_distinct == Some(false),
            only: extras.index_only,
            constraint: None,
            comment: None,
            location: Some(location),
        };
        if let Some(relation) = self.catalog.relations.get_mut(&table) {
            relation.indexes.insert(name, index);
            self.index_owner.insert(index_name, table);
        }
    }
}
