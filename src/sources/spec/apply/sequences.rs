//! Sequences: `CREATE SEQUENCE`, `ALTER SEQUENCE` (read by a dedicated parse), the
//! sequences `serial` columns create, and the objects of statements that could not be
//! read.

use super::{name_parts, Loader};
use crate::model::{
    split_identifier_path, ColumnSource, Location, QualifiedName, SchemaObjectKind, Sequence,
    SqlType,
};
use crate::sources::spec::statements::SequenceAlteration;
use crate::sources::spec::SpecProblemKind;
use sqlparser::ast::{ObjectName, SequenceOptions};

impl Loader {
    /// `CREATE [TEMP] SEQUENCE [IF NOT EXISTS] name [AS type] [INCREMENT [BY] n] …
    /// [OWNED BY t.c]`.
    pub(super) fn create_sequence(
        &mut self,
        name: &ObjectName,
        if_not_exists: bool,
        options: &[SequenceOptions],
        location: &Location,
    ) {
        let name = self.qualified(name);
        if let Some(existing) = self.catalog.sequences.get(&name) {
            if !if_not_exists {
                let first = existing.location.clone();
                self.duplicate(name.to_string(), "sequence", first, location);
            }
            return;
        }
        let mut sequence = Sequence::new(name.clone(), Some(location.clone()));
        for option in options {
            match option {
                SequenceOptions::DataType(data_type) => {
                    sequence.data_type = SqlType::parse(&data_type.to_string()).to_string();
                }
                SequenceOptions::IncrementBy(increment, _) => {
                    if let Some(increment) = integer(&increment.to_string()) {
                        sequence.increment = increment;
                    }
                }
                SequenceOptions::OwnedBy(owner) => {
                    sequence.owned_by = owner
                        .as_ref()
                        .and_then(|owner| self.owner_column(&name_parts(owner)));
                }
                _ => {}
            }
        }
        self.catalog.sequences.insert(name, sequence);
    }

    /// `ALTER SEQUENCE [IF EXISTS] name …`: type, increment, owner and name.
    pub(crate) fn alter_sequence(&mut self, alteration: &SequenceAlteration, location: &Location) {
        let name = self.qualify_parts(&alteration.name);
        let owner = match &alteration.owned_by {
            Some(Some(parts)) => Some(self.owner_column(parts)),
            Some(None) => Some(None),
            None => None,
        };
        let Some(sequence) = self.catalog.sequences.get_mut(&name) else {
            if !alteration.if_exists {
                self.problem(
                    SpecProblemKind::UnknownReference {
                        object: name.to_string(),
                        missing: format!("sequence {name}"),
                    },
                    location,
                );
            }
            return;
        };
        if let Some(data_type) = &alteration.data_type {
            sequence.data_type = SqlType::parse(data_type).to_string();
        }
        if let Some(increment) = alteration.increment {
            sequence.increment = increment;
        }
        if let Some(owner) = owner {
            sequence.owned_by = owner;
        }
        if let Some(new_name) = &alteration.rename_to {
            let renamed = QualifiedName::new(name.schema.clone(), new_name.clone());
            if let Some(mut sequence) = self.catalog.sequences.remove(&name) {
                sequence.name = renamed.clone();
                self.catalog.sequences.insert(renamed, sequence);
            }
        }
    }

    /// `DROP SEQUENCE name`: whether it existed.
    pub(super) fn drop_sequence(&mut self, name: &QualifiedName) -> bool {
        self.catalog.sequences.remove(name).is_some()
    }

    /// A relation was dropped: so are the sequences its columns own, as in PostgreSQL.
    pub(super) fn drop_owned_sequences(&mut self, relation: &QualifiedName) {
        self.catalog.sequences.retain(|_, sequence| {
            sequence
                .owned_by
                .as_ref()
                .is_none_or(|owner| &owner.relation != relation)
        });
    }

    /// A relation or one of its columns was renamed: the sequences it owns follow (the
    /// server records the owner by object id and column number, not by name).
    pub(super) fn sequence_owner_renamed(
        &mut self,
        relation: &QualifiedName,
        new_relation: &QualifiedName,
        column: Option<(&str, &str)>,
    ) {
        for sequence in self.catalog.sequences.values_mut() {
            let Some(owner) = &mut sequence.owned_by else {
                continue;
            };
            if &owner.relation != relation {
                continue;
            }
            owner.relation = new_relation.clone();
            if let Some((old, new)) = column {
                if owner.column == old {
                    owner.column = new.to_string();
                }
            }
        }
    }

    /// A statement that could not be read creates `kind` `parts`.
    pub(crate) fn unread(&mut self, kind: SchemaObjectKind, parts: &[String]) {
        let name = self.qualify_parts(parts);
        self.catalog.unread.insert((kind, name));
    }

    /// When every statement is applied: the sequences `serial` columns created (their
    /// default is `nextval('<table>_<column>_seq'::regclass)`, named after that very
    /// column, and nothing created the sequence), and no sequence owned by a column that
    /// was dropped.
    pub(super) fn finish_sequences(&mut self) {
        let mut implied = Vec::new();
        for relation in self.catalog.relations.values() {
            if !relation.kind.is_table() {
                continue;
            }
            for column in &relation.columns {
                let Some(parts) = column
                    .default
                    .as_ref()
                    .and_then(|d| nextval_sequence(d.text()))
                else {
                    continue;
                };
                let name = self.qualify_parts(&parts);
                // Only the column that made it owns it: a partition, a `LIKE … INCLUDING
                // DEFAULTS` copy or a second default shares another column's sequence.
                let made_here = name.schema == relation.name.schema
                    && name.name
                        == super::names::make_object_name(
                            &relation.name.name,
                            Some(&column.name),
                            "seq",
                        );
                if !made_here || self.catalog.sequences.contains_key(&name) {
                    continue;
                }
                let mut sequence = Sequence::new(name, column.location.clone());
                if let Some(data_type) = &column.data_type {
                    if matches!(data_type.base(), "smallint" | "integer") {
                        sequence.data_type = data_type.base().to_string();
                    }
                }
                sequence.owned_by = Some(ColumnSource {
                    relation: relation.name.clone(),
                    column: column.name.clone(),
                });
                implied.push(sequence);
            }
        }
        for sequence in implied {
            self.catalog
                .sequences
                .insert(sequence.name.clone(), sequence);
        }
        let relations = &self.catalog.relations;
        self.catalog.sequences.retain(|_, sequence| {
            sequence.owned_by.as_ref().is_none_or(|owner| {
                relations
                    .get(&owner.relation)
                    .is_none_or(|relation| relation.column(&owner.column).is_some())
            })
        });
    }

    /// `OWNED BY [schema.]table.column`: the column, when the name has a table part.
    fn owner_column(&self, parts: &[String]) -> Option<ColumnSource> {
        let (column, table) = parts.split_last()?;
        if table.is_empty() {
            return None;
        }
        Some(ColumnSource {
            relation: self.qualify_parts(table),
            column: column.clone(),
        })
    }
}

/// An integer as sqlparser prints it (`5`, `-1`, `- 1`).
fn integer(text: &str) -> Option<i64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.parse().ok()
}

/// The sequence of a default `nextval('name'::regclass)` (also `nextval('name')` and
/// `pg_catalog.nextval`), its name parts folded as the server reads the string.
fn nextval_sequence(default: &str) -> Option<Vec<String>> {
    let text = default.trim();
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("pg_catalog.")
        .unwrap_or(&lower)
        .strip_prefix("nextval(")?;
    let start = text.len() - rest.len();
    let inner = text.get(start..)?.strip_suffix(')')?.trim();
    let inner = inner
        .strip_suffix("::regclass")
        .or_else(|| inner.strip_suffix("::REGCLASS"))
        .unwrap_or(inner)
        .trim();
    let literal = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    if literal.contains('\'') && !literal.contains("''") {
        return None;
    }
    Some(split_identifier_path(&literal.replace("''", "'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sequence_of_a_nextval_default_is_named_as_the_server_reads_it() {
        assert_eq!(
            nextval_sequence("nextval('\"Lease_id_seq\"'::regclass)"),
            Some(vec!["Lease_id_seq".to_string()])
        );
        assert_eq!(
            nextval_sequence("NEXTVAL('App.Items_Id_Seq')"),
            Some(vec!["app".to_string(), "items_id_seq".to_string()])
        );
        assert_eq!(nextval_sequence("now()"), None);
        assert_eq!(nextval_sequence("nextval(some_function())"), None);
        assert_eq!(integer("- 5"), Some(-5));
    }
}
