//! Partitions attached and detached after their tables were created, the way pg_dump
//! writes them: `ALTER TABLE ONLY parent ATTACH PARTITION child FOR VALUES … | DEFAULT`,
//! `ALTER INDEX parent_index ATTACH PARTITION child_index`, and `DETACH PARTITION`.
//!
//! An index attached to a partitioned table's index is a partition of that index: the
//! server lists it under the parent, and the live catalog leaves it out (as it leaves out
//! the key constraints cloned onto partitions), so the spec catalog sets it aside too.
//! Detaching the table gives it back its indexes, as PostgreSQL does.

use super::names::{choose_name, column_addition};
use super::table_constraints::key_name_part;
use super::Loader;
use crate::model::{Constraint, Index, Location, QualifiedName};
use crate::sources::spec::SpecProblemKind;

/// An index set aside because it was attached to a partitioned table's index.
#[derive(Debug)]
pub(crate) struct AttachedIndex {
    /// The partition that owns it.
    table: QualifiedName,
    /// The partitioned table's index it is attached to.
    parent: QualifiedName,
    index: Box<Index>,
    /// The key constraint it backs, which became a clone of the parent's.
    constraint: Option<Box<Constraint>>,
}

impl Loader {
    /// `ALTER TABLE [ONLY] parent ATTACH PARTITION child …`: `child` becomes a partition
    /// of `parent` (later columns added to `parent` reach it) and, as the server does,
    /// each index of `parent` takes the first equivalent index of `child` as its
    /// partition.
    pub(super) fn attach_partition(
        &mut self,
        parent: &QualifiedName,
        child: &QualifiedName,
        statement: &Location,
    ) {
        let Some(parent_indexes) = self
            .catalog
            .relations
            .get(parent)
            .map(|relation| relation.indexes.values().cloned().collect::<Vec<_>>())
        else {
            self.unknown_partition(parent, statement);
            return;
        };
        if !self.catalog.relations.contains_key(child) {
            self.unknown_partition(child, statement);
            return;
        }
        if let Some(relation) = self.catalog.relations.get_mut(child) {
            relation.partition_of = Some(parent.clone());
        }
        for parent_index in parent_indexes {
            let parent_name = QualifiedName::new(parent.schema.clone(), parent_index.name.clone());
            if self
                .attached
                .iter()
                .any(|attached| attached.parent == parent_name && attached.table == *child)
            {
                continue;
            }
            let equivalent = self.catalog.relations.get(child).and_then(|relation| {
                relation
                    .indexes
                    .values()
                    .find(|index| same_definition(index, &parent_index))
                    .map(|index| index.name.clone())
            });
            if let Some(name) = equivalent {
                self.set_aside(child, &name, parent_name, parent_index.constraint.is_some());
            }
        }
    }

    /// `ALTER TABLE parent DETACH PARTITION child`: `child` is a table of its own again
    /// and gets back the indexes (and key constraints) attached to `parent`'s; for an
    /// index of `parent` that `child` had no index for, the server had created one,
    /// which stays, named as PostgreSQL names it.
    pub(super) fn detach_partition(
        &mut self,
        parent: &QualifiedName,
        child: &QualifiedName,
        statement: &Location,
    ) {
        let Some(relation) = self.catalog.relations.get_mut(child) else {
            self.unknown_partition(child, statement);
            return;
        };
        relation.partition_of = None;
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut self.attached)
            .into_iter()
            .partition(|attached| attached.table == *child);
        self.attached = others;
        let restored: Vec<QualifiedName> = mine.iter().map(|a| a.parent.clone()).collect();
        for attached in mine {
            self.restore(attached);
        }
        let created: Vec<Index> = self
            .catalog
            .relations
            .get(parent)
            .map(|relation| {
                relation
                    .indexes
                    .values()
                    .filter(|index| {
                        index.constraint.is_none()
                            && !restored.contains(&QualifiedName::new(
                                parent.schema.clone(),
                                index.name.clone(),
                            ))
                    })
                    .map(|index| index.as_ref().clone())
                    .collect()
            })
            .unwrap_or_default();
        for index in created {
            let parts: Vec<String> = index.keys.iter().map(key_name_part).collect();
            let addition = column_addition(parts.iter().map(String::as_str));
            let name = choose_name(&child.name, Some(&addition), "idx", |candidate| {
                let candidate = QualifiedName::new(child.schema.clone(), candidate);
                self.catalog.relations.contains_key(&candidate)
                    || self.index_owner.contains_key(&candidate)
            });
            let index = Index {
                name: name.clone(),
                only: false,
                comment: None,
                location: Some(statement.clone()),
                ..index
            };
            if let Some(relation) = self.catalog.relations.get_mut(child) {
                relation.indexes.insert(name.clone(), Box::new(index));
                self.index_owner.insert(
                    QualifiedName::new(child.schema.clone(), name),
                    child.clone(),
                );
            }
        }
    }

    /// `ALTER INDEX parent ATTACH PARTITION child` (names as folded parts).
    pub(crate) fn attach_index(
        &mut self,
        parent: &[String],
        child: &[String],
        statement: &Location,
    ) {
        let parent = self.qualify_parts(parent);
        let child = self.qualify_parts(child);
        let Some(parent_table) = self.index_owner.get(&parent).cloned() else {
            self.unknown_index(&parent, statement);
            return;
        };
        let Some(child_table) = self.index_owner.get(&child).cloned() else {
            self.unknown_index(&child, statement);
            return;
        };
        let parent_backs_constraint = self
            .catalog
            .relations
            .get(&parent_table)
            .and_then(|relation| relation.indexes.get(&parent.name))
            .is_some_and(|index| index.constraint.is_some());
        self.set_aside(&child_table, &child.name, parent, parent_backs_constraint);
    }

    /// Takes index `name` of `table` out of the catalog, with the constraint it backs
    /// when the parent's index backs one too (the server makes it a clone of that one).
    fn set_aside(
        &mut self,
        table: &QualifiedName,
        name: &str,
        parent: QualifiedName,
        with_constraint: bool,
    ) {
        let Some(relation) = self.catalog.relations.get_mut(table) else {
            return;
        };
        let Some(index) = relation.indexes.remove(name) else {
            return;
        };
        let constraint = match (&index.constraint, with_constraint) {
            (Some(backed), true) => relation.constraints.remove(backed),
            _ => None,
        };
        self.index_owner
            .remove(&QualifiedName::new(table.schema.clone(), name));
        self.attached.push(AttachedIndex {
            table: table.clone(),
            parent,
            index,
            constraint,
        });
    }

    fn restore(&mut self, attached: AttachedIndex) {
        let Some(relation) = self.catalog.relations.get_mut(&attached.table) else {
            return;
        };
        if let Some(constraint) = attached.constraint {
            relation
                .constraints
                .insert(constraint.name.clone(), constraint);
        }
        let name = attached.index.name.clone();
        relation.indexes.insert(name.clone(), attached.index);
        self.index_owner.insert(
            QualifiedName::new(attached.table.schema.clone(), name),
            attached.table,
        );
    }

    fn unknown_partition(&mut self, name: &QualifiedName, statement: &Location) {
        if !self.maybe_defined.contains(name) {
            self.problem(
                SpecProblemKind::UnknownReference {
                    object: name.to_string(),
                    missing: format!("relation {name}"),
                },
                statement,
            );
        }
    }

    fn unknown_index(&mut self, name: &QualifiedName, statement: &Location) {
        let set_aside = self.attached.iter().any(|attached| {
            QualifiedName::new(attached.table.schema.clone(), attached.index.name.clone()) == *name
        });
        if !set_aside && !self.maybe_defined.contains(name) {
            self.problem(
                SpecProblemKind::UnknownReference {
                    object: name.to_string(),
                    missing: format!("index {name}"),
                },
                statement,
            );
        }
    }
}

/// Whether two indexes are interchangeable as partition and parent
/// (`CompareIndexInfo`: uniqueness, method, keys with their order, operator classes and
/// collations, included columns, predicate).
fn same_definition(a: &Index, b: &Index) -> bool {
    a.unique == b.unique
        && a.method == b.method
        && a.keys == b.keys
        && a.include == b.include
        && a.predicate == b.predicate
        && a.nulls_not_distinct == b.nulls_not_distinct
}
