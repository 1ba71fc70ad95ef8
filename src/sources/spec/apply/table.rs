//! CREATE TABLE and ALTER TABLE.

use super::table_constraints::{self, BackingIndex, PendingConstraint};
use super::{fold, name_span, span_location, Loader};
use crate::model::types::Serial;
use crate::model::{
    Column, ConstraintKind, Identity, IndexTarget, Location, QualifiedName, Relation, RelationKind,
    SqlType, TriggerState,
};
use crate::sources::spec::lineage;
use crate::sources::spec::SpecProblemKind;
use crate::sql::normalize::quote_as_printed;
use sqlparser::ast::{
    AlterColumnOperation, AlterTable, AlterTableOperation, ColumnDef, ColumnOption,
    ConstraintUsingIndex, CreateTable, Expr, GeneratedAs, Ident, NullsDistinctOption, Query,
    RenameTableNameKind, TableConstraint, Value,
};
use std::collections::HashMap;

impl Loader {
    /// `CREATE TABLE [IF NOT EXISTS] name (…) [PARTITION BY …]` and
    /// `CREATE TABLE name PARTITION OF parent …`.
    pub(super) fn create_table(&mut self, create: &CreateTable, statement: &Location) {
        let name = self.qualified(&create.name);
        let location = span_location(name_span(&create.name), statement);
        if let Some(existing) = self.catalog.relations.get(&name) {
            if !create.if_not_exists {
                let first = existing.location.clone();
                let kind = existing.kind.describe();
                self.duplicate(name.to_string(), kind, first, &location);
            }
            return;
        }
        let kind = if create.partition_by.is_some() {
            RelationKind::PartitionedTable
        } else {
            RelationKind::Table
        };
        let mut relation = Relation::new(name.clone(), kind, Some(location.clone()));
        relation.partition_of = create
            .partition_of
            .as_ref()
            .map(|parent| self.qualified(parent));
        let parents = create
            .partition_of
            .iter()
            .chain(create.inherits.iter().flatten());
        for parent in parents {
            let parent_name = self.qualified(parent);
            match self.catalog.relations.get(&parent_name) {
                Some(parent) => {
                    relation
                        .columns
                        .extend(parent.columns.iter().map(|column| Column {
                            location: Some(location.clone()),
                            comment: None,
                            ..column.clone()
                        }))
                }
                None => self.problem(
                    SpecProblemKind::UnknownReference {
                        object: name.to_string(),
                        missing: format!("relation {parent_name}"),
                    },
                    &location,
                ),
            }
        }
        if let (Some(query), true) = (&create.query, create.columns.is_empty()) {
            relation.columns = self.columns_of_query(query, &location);
        }
        let inherited = relation.columns.len();
        relation.columns.reserve_exact(create.columns.len());
        let mut pending = Vec::new();
        // By name: a search of the columns so far for each column was quadratic (a
        // 470 KB table of 40,000 columns took 8 s).
        let mut positions: HashMap<String, usize> =
            HashMap::with_capacity(inherited + create.columns.len());
        positions.extend(
            relation
                .columns
                .iter()
                .enumerate()
                .map(|(at, column)| (column.name.clone(), at)),
        );
        for definition in &create.columns {
            let (column, constraints) = self.column(&name, definition, statement);
            match positions.get(&column.name).copied() {
                // PARTITION OF (…) and INHERITS may restate an inherited column.
                Some(at) if at < inherited => {
                    let existing = &mut relation.columns[at];
                    existing.not_null |= column.not_null;
                    if column.default.is_some() {
                        existing.default = column.default;
                    }
                }
                Some(at) => {
                    let first = relation.columns[at].location.clone();
                    let path = relation.member_path(&column.name);
                    let again = column.location.unwrap_or_else(|| location.clone());
                    self.duplicate(path, "column", first, &again);
                    continue;
                }
                None => {
                    positions.insert(column.name.clone(), relation.columns.len());
                    relation.columns.push(column);
                }
            }
            pending.extend(constraints);
        }
        self.note_written_in(&name);
        self.catalog.relations.insert(name.clone(), relation);
        let table_constraints = create.constraints.iter().filter_map(|constraint| {
            PendingConstraint::from_table(constraint, statement, self.scope())
        });
        pending.extend(table_constraints);
        for constraint in merge_redundant_keys(pending) {
            self.add_constraint(&name, constraint);
        }
    }

    /// PostgreSQL adds a column added to a partitioned table to every partition (and
    /// theirs, recursively); the constraints it clones onto them are not the partitions'
    /// own and are not modelled.
    fn add_column_to_partitions(&mut self, parent: &QualifiedName, column: &Column) {
        let mut parents = vec![parent.clone()];
        let mut seen = std::collections::BTreeSet::from([parent.clone()]);
        while let Some(current) = parents.pop() {
            for relation in self.catalog.relations.values_mut() {
                if relation.partition_of.as_ref() == Some(&current)
                    && seen.insert(relation.name.clone())
                {
                    if relation.column(&column.name).is_none() {
                        relation.columns.push(column.clone());
                    }
                    parents.push(relation.name.clone());
                }
            }
        }
    }

    /// `CREATE TABLE … AS query`: the query's output columns, typed by lineage where it
    /// can tell; like PostgreSQL, none of them is NOT NULL and they have no defaults.
    fn columns_of_query(&self, query: &Query, location: &Location) -> Vec<Column> {
        let names = super::view::output_names(query, &self.catalog, self.scope());
        lineage::view_columns(query, &names, &self.catalog, self.scope())
            .into_iter()
            .map(|column| Column {
                not_null: false,
                source: None,
                location: Some(location.clone()),
                ..column
            })
            .collect()
    }

    /// A column definition and the constraints written inline with it.
    fn column(
        &self,
        table: &QualifiedName,
        definition: &ColumnDef,
        statement: &Location,
    ) -> (Column, Vec<PendingConstraint>) {
        let name = fold(&definition.name);
        let location = span_location(Some(definition.name.span), statement);
        let (data_type, serial) = SqlType::parse_with_serial(&definition.data_type.to_string());
        let data_type = self.resolve_type(data_type);
        let mut column = Column::new(name.clone(), Some(data_type), Some(location.clone()));
        if serial == Serial::Yes {
            column.not_null = true;
            column.default = Some(self.serial_default(table, &name).into());
        }
        let mut constraints = Vec::new();
        let key = || vec![sqlparser::ast::IndexColumn::from(definition.name.clone())];
        for option in &definition.options {
            let constraint_name: Option<&Ident> = option.name.as_ref();
            match &option.option {
                ColumnOption::Null => column.not_null = false,
                ColumnOption::NotNull => column.not_null = true,
                ColumnOption::Default(expr) => {
                    column.default = stored_default(expr, self.keeps_null_default(&column))
                }
                ColumnOption::PrimaryKey(pk) => {
                    column.not_null = true;
                    constraints.push(PendingConstraint::key(
                        constraint_name.or(pk.name.as_ref()),
                        ConstraintKind::PrimaryKey {
                            columns: vec![name.clone()],
                        },
                        &key(),
                        &pk.include,
                        pk.characteristics.as_ref(),
                        location.clone(),
                    ));
                }
                ColumnOption::Unique(unique) => constraints.push(PendingConstraint::key(
                    constraint_name.or(unique.name.as_ref()),
                    ConstraintKind::Unique {
                        columns: vec![name.clone()],
                        nulls_not_distinct: unique.nulls_distinct
                            == NullsDistinctOption::NotDistinct,
                    },
                    &key(),
                    &unique.include,
                    unique.characteristics.as_ref(),
                    location.clone(),
                )),
                ColumnOption::ForeignKey(fk) => {
                    let mut fk = fk.clone();
                    fk.columns = vec![definition.name.clone()];
                    if fk.name.is_none() {
                        fk.name = constraint_name.cloned();
                    }
                    let table_constraint = sqlparser::ast::TableConstraint::ForeignKey(fk);
                    constraints.extend(PendingConstraint::from_table(
                        &table_constraint,
                        &location,
                        self.scope(),
                    ));
                }
                ColumnOption::Check(check) => constraints.push(PendingConstraint::check(
                    constraint_name.or(check.name.as_ref()),
                    &check.expr,
                    location.clone(),
                )),
                ColumnOption::Generated {
                    generated_as,
                    generation_expr,
                    ..
                } => match generation_expr {
                    Some(expr) => column.generated = Some(expr.to_string().into()),
                    None => {
                        column.not_null = true;
                        column.identity = Some(identity(generated_as));
                    }
                },
                _ => {}
            }
        }
        (column, constraints)
    }

    /// `nextval('<table>_<column>_seq'::regclass)`, as PostgreSQL prints a serial's
    /// default: schema-qualified outside the default schema, each name quoted where the
    /// server quotes it (`'"Lease_id_seq"'`).
    fn serial_default(&self, table: &QualifiedName, column: &str) -> String {
        let sequence = super::names::make_object_name(&table.name, Some(column), "seq");
        let sequence = quote_as_printed(&sequence);
        if table.schema == self.default_schema {
            format!("nextval('{sequence}'::regclass)")
        } else {
            format!(
                "nextval('{}.{sequence}'::regclass)",
                quote_as_printed(&table.schema)
            )
        }
    }

    /// `ALTER TABLE [IF EXISTS] [ONLY] name operation, …`.
    pub(super) fn alter_table(&mut self, alter: &AlterTable, statement: &Location) {
        let only_owner = alter
            .operations
            .iter()
            .all(|operation| matches!(operation, AlterTableOperation::OwnerTo { .. }));
        if only_owner {
            return;
        }
        let name = self.qualified(&alter.name);
        if alter.if_exists && !self.catalog.relations.contains_key(&name) {
            return;
        }
        if self
            .relation_or_note(&name, &name.to_string(), statement)
            .is_none()
        {
            return;
        }
        let mut name = name;
        for operation in &alter.operations {
            if let Some(renamed) = self.alter_operation(&name, operation, statement) {
                name = renamed;
            }
        }
    }

    /// Applies one ALTER TABLE operation; returns the new name after a rename.
    fn alter_operation(
        &mut self,
        table: &QualifiedName,
        operation: &AlterTableOperation,
        statement: &Location,
    ) -> Option<QualifiedName> {
        match operation {
            AlterTableOperation::AddConstraint { constraint, .. } => match constraint {
                TableConstraint::PrimaryKeyUsingIndex(using) => {
                    self.constraint_using_index(table, using, true, statement)
                }
                TableConstraint::UniqueUsingIndex(using) => {
                    self.constraint_using_index(table, using, false, statement)
                }
                other => {
                    let pending = PendingConstraint::from_table(other, statement, self.scope());
                    if let Some(pending) = pending {
                        self.add_constraint(table, pending);
                    }
                }
            },
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                ..
            } => {
                let (column, constraints) = self.column(table, column_def, statement);
                let relation = self.catalog.relations.get_mut(table)?;
                if let Some(existing) = relation.column(&column.name) {
                    if !if_not_exists {
                        let first = existing.location.clone();
                        let path = relation.member_path(&column.name);
                        self.duplicate(path, "column", first, statement);
                    }
                    return None;
                }
                relation.columns.push(column.clone());
                self.add_column_to_partitions(table, &column);
                for constraint in constraints {
                    self.add_constraint(table, constraint);
                }
            }
            AlterTableOperation::DropConstraint {
                if_exists, name, ..
            } => {
                let name = fold(name);
                let relation = self.catalog.relations.get_mut(table)?;
                if relation.constraints.remove(&name).is_some() {
                    let index_name = QualifiedName::new(table.schema.clone(), name.clone());
                    if relation.indexes.remove(&name).is_some() {
                        self.index_owner.remove(&index_name);
                    }
                } else if !if_exists {
                    let object = relation.member_path(&name);
                    self.unknown(object, format!("constraint {name}"), statement);
                }
            }
            AlterTableOperation::DropColumn {
                column_names,
                if_exists,
                ..
            } => {
                for column in column_names {
                    self.drop_column(table, &fold(column), *if_exists, statement);
                }
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                self.alter_column(table, &fold(column_name), op, statement)
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => self.rename_column(
                table,
                &fold(old_column_name),
                &fold(new_column_name),
                statement,
            ),
            AlterTableOperation::RenameTable { table_name } => {
                let (RenameTableNameKind::As(new) | RenameTableNameKind::To(new)) = table_name;
                let new_name = self.qualified(new);
                let renamed = QualifiedName::new(table.schema.clone(), new_name.name);
                return self.rename_relation(table, renamed);
            }
            AlterTableOperation::RenameConstraint { old_name, new_name } => {
                let (old_name, new_name) = (fold(old_name), fold(new_name));
                let relation = self.catalog.relations.get_mut(table)?;
                let Some(mut constraint) = relation.constraints.remove(&old_name) else {
                    let object = relation.member_path(&old_name);
                    self.unknown(object, format!("constraint {old_name}"), statement);
                    return None;
                };
                constraint.name = new_name.clone();
                relation.constraints.insert(new_name.clone(), constraint);
                if let Some(mut index) = relation.indexes.remove(&old_name) {
                    index.name = new_name.clone();
                    index.constraint = Some(new_name.clone());
                    relation.indexes.insert(new_name.clone(), index);
                    self.index_owner
                        .remove(&QualifiedName::new(table.schema.clone(), old_name));
                    self.index_owner.insert(
                        QualifiedName::new(table.schema.clone(), new_name),
                        table.clone(),
                    );
                }
            }
            AlterTableOperation::EnableRowLevelSecurity => {
                self.catalog.relations.get_mut(table)?.rls_enabled = true
            }
            AlterTableOperation::DisableRowLevelSecurity => {
                self.catalog.relations.get_mut(table)?.rls_enabled = false
            }
            AlterTableOperation::ForceRowLevelSecurity => {
                self.catalog.relations.get_mut(table)?.rls_forced = true
            }
            AlterTableOperation::NoForceRowLevelSecurity => {
                self.catalog.relations.get_mut(table)?.rls_forced = false
            }
            AlterTableOperation::EnableTrigger { name } => {
                self.set_trigger_state(table, name, TriggerState::Enabled, statement)
            }
            AlterTableOperation::DisableTrigger { name } => {
                self.set_trigger_state(table, name, TriggerState::Disabled, statement)
            }
            AlterTableOperation::EnableReplicaTrigger { name } => {
                self.set_trigger_state(table, name, TriggerState::Replica, statement)
            }
            AlterTableOperation::EnableAlwaysTrigger { name } => {
                self.set_trigger_state(table, name, TriggerState::Always, statement)
            }
            AlterTableOperation::OwnerTo { .. }
            | AlterTableOperation::ReplicaIdentity { .. }
            | AlterTableOperation::SetOptionsParens { .. }
            | AlterTableOperation::ValidateConstraint { .. } => {}
            AlterTableOperation::AttachPartitionOf { partition, .. } => {
                let child = self.qualified(partition);
                self.attach_partition(table, &child, statement)
            }
            AlterTableOperation::DetachPartitionOf { partition, .. } => {
                let child = self.qualified(partition);
                self.detach_partition(table, &child, statement)
            }
            other => {
                let text = other.to_string();
                let words: Vec<&str> = text.split_whitespace().take(2).collect();
                self.problem(
                    SpecProblemKind::Skipped {
                        statement: format!("ALTER TABLE {}", words.join(" ")),
                    },
                    statement,
                )
            }
        }
        None
    }

    /// `ADD [CONSTRAINT c] PRIMARY KEY|UNIQUE USING INDEX i`: the index becomes the
    /// constraint's backing index and, like in PostgreSQL, takes the constraint's name.
    fn constraint_using_index(
        &mut self,
        table: &QualifiedName,
        using: &ConstraintUsingIndex,
        primary: bool,
        statement: &Location,
    ) {
        let index_name = QualifiedName::new(table.schema.clone(), fold(&using.index_name));
        let index = match self.catalog.relations.get_mut(table) {
            Some(relation) if self.index_owner.get(&index_name) == Some(table) => {
                relation.indexes.remove(&index_name.name)
            }
            _ => None,
        };
        let Some(index) = index else {
            let missing = format!("index {index_name}");
            self.unknown(table.to_string(), missing, statement);
            return;
        };
        self.index_owner.remove(&index_name);
        let columns: Vec<String> = index
            .leading_columns()
            .iter()
            .map(|column| column.to_string())
            .collect();
        let kind = if primary {
            ConstraintKind::PrimaryKey { columns }
        } else {
            ConstraintKind::Unique {
                columns,
                nulls_not_distinct: index.nulls_not_distinct,
            }
        };
        let pending = PendingConstraint {
            name: Some(using.name.as_ref().map_or(index_name.name.clone(), fold)),
            kind,
            deferrable: table_constraints::deferrable(using.characteristics.as_ref()),
            initially_deferred: table_constraints::initially_deferred(
                using.characteristics.as_ref(),
            ),
            index: Some(BackingIndex {
                method: index.method,
                keys: index.keys,
                include: index.include,
                predicate: index.predicate,
            }),
            location: span_location(Some(using.index_name.span), statement),
        };
        self.add_constraint(table, pending);
    }

    fn unknown(&mut self, object: String, missing: String, location: &Location) {
        self.problem(
            SpecProblemKind::UnknownReference { object, missing },
            location,
        );
    }

    /// The column `column` of `table` for changing, or a note that it does not exist.
    fn column_or_note(
        &mut self,
        table: &QualifiedName,
        column: &str,
        location: &Location,
    ) -> Option<&mut Column> {
        let exists = self
            .catalog
            .relations
            .get(table)
            .is_some_and(|relation| relation.column(column).is_some());
        if !exists {
            let path = table.child(column);
            self.unknown(path.clone(), format!("column {path}"), location);
        }
        self.catalog.relations.get_mut(table)?.column_mut(column)
    }

    pub(super) fn alter_column(
        &mut self,
        table: &QualifiedName,
        column: &str,
        operation: &AlterColumnOperation,
        statement: &Location,
    ) {
        let new_type = match operation {
            AlterColumnOperation::SetDataType { data_type, .. } => {
                Some(self.resolve_type(SqlType::parse(&data_type.to_string())))
            }
            _ => None,
        };
        let keeps_null = self
            .catalog
            .relations
            .get(table)
            .and_then(|relation| relation.column(column))
            .is_some_and(|column| self.keeps_null_default(column));
        let Some(target) = self.column_or_note(table, column, statement) else {
            return;
        };
        match operation {
            AlterColumnOperation::SetNotNull => target.not_null = true,
            AlterColumnOperation::DropNotNull => target.not_null = false,
            AlterColumnOperation::SetDefault { value } => {
                target.default = stored_default(value, keeps_null)
            }
            AlterColumnOperation::DropDefault => target.default = None,
            AlterColumnOperation::SetDataType { .. } => target.data_type = new_type,
            AlterColumnOperation::AddGenerated { generated_as, .. } => {
                target.not_null = true;
                target.identity = Some(generated_as.as_ref().map_or(Identity::Always, identity));
            }
            AlterColumnOperation::GenericOptions { .. } => {}
        }
    }

    fn drop_column(
        &mut self,
        table: &QualifiedName,
        column: &str,
        if_exists: bool,
        statement: &Location,
    ) {
        let Some(relation) = self.catalog.relations.get_mut(table) else {
            return;
        };
        let before = relation.columns.len();
        relation.columns.retain(|existing| existing.name != column);
        if relation.columns.len() == before {
            if !if_exists {
                let path = table.child(column);
                self.unknown(path.clone(), format!("column {path}"), statement);
            }
            return;
        }
        // PostgreSQL drops the indexes and constraints that use a dropped column.
        let uses = |columns: &[String]| columns.iter().any(|name| name == column);
        relation
            .constraints
            .retain(|_, constraint| match &constraint.kind {
                ConstraintKind::PrimaryKey { columns }
                | ConstraintKind::Unique { columns, .. }
                | ConstraintKind::ForeignKey { columns, .. } => !uses(columns),
                ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. } => true,
            });
        let dropped: Vec<String> = relation
            .indexes
            .values()
            .filter(|index| {
                index.keys.iter().any(|key| key.column() == Some(column))
                    || index.include.iter().any(|name| name == column)
            })
            .map(|index| index.name.clone())
            .collect();
        for name in dropped {
            relation.indexes.remove(&name);
            self.index_owner
                .remove(&QualifiedName::new(table.schema.clone(), name));
        }
    }

    fn rename_column(&mut self, table: &QualifiedName, old: &str, new: &str, statement: &Location) {
        let Some(column) = self.column_or_note(table, old, statement) else {
            return;
        };
        column.name = new.to_string();
        let Some(relation) = self.catalog.relations.get_mut(table) else {
            return;
        };
        let rename = |name: &mut String| {
            if name == old {
                *name = new.to_string();
            }
        };
        for constraint in relation.constraints.values_mut() {
            match &mut constraint.kind {
                ConstraintKind::PrimaryKey { columns }
                | ConstraintKind::Unique { columns, .. }
                | ConstraintKind::ForeignKey { columns, .. } => columns.iter_mut().for_each(rename),
                ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. } => {}
            }
        }
        for index in relation.indexes.values_mut() {
            for key in &mut index.keys {
                if let IndexTarget::Column(name) = &mut key.target {
                    rename(name);
                }
            }
            index.include.iter_mut().for_each(rename);
        }
        for trigger in relation.triggers.values_mut() {
            trigger.update_columns.iter_mut().for_each(rename);
        }
        self.sequence_owner_renamed(table, table, Some((old, new)));
    }

    /// Moves a relation to a new name, keeping its index ownership consistent.
    pub(super) fn rename_relation(
        &mut self,
        old: &QualifiedName,
        new: QualifiedName,
    ) -> Option<QualifiedName> {
        let mut relation = self.catalog.relations.remove(old)?;
        relation.name = new.clone();
        self.sequence_owner_renamed(old, &new, None);
        for index in relation.indexes.keys() {
            self.index_owner.insert(
                QualifiedName::new(new.schema.clone(), index.clone()),
                new.clone(),
            );
        }
        self.catalog.relations.insert(new.clone(), relation);
        Some(new)
    }
}

fn identity(generated_as: &GeneratedAs) -> Identity {
    match generated_as {
        GeneratedAs::ByDefault => Identity::ByDefault,
        GeneratedAs::Always | GeneratedAs::ExpStored => Identity::Always,
    }
}

/// The constraints of one `CREATE TABLE` as PostgreSQL keeps them
/// (`transformIndexConstraints`): a primary key or unique constraint whose index would
/// equal an earlier one's (the primary key first, then in order) is not created, and its
/// name, if it has one, goes to the earlier one when that one is unnamed. So
/// `id uuid UNIQUE NOT NULL, PRIMARY KEY (id)` has only `t_pkey`, and
/// `id int PRIMARY KEY, CONSTRAINT uq UNIQUE (id)` a primary key called `uq`.
fn merge_redundant_keys(constraints: Vec<PendingConstraint>) -> Vec<PendingConstraint> {
    let is_key = |constraint: &PendingConstraint| {
        constraint.index.is_some()
            && matches!(
                constraint.kind,
                ConstraintKind::PrimaryKey { .. } | ConstraintKind::Unique { .. }
            )
    };
    let primary = constraints
        .iter()
        .position(|constraint| matches!(constraint.kind, ConstraintKind::PrimaryKey { .. }));
    let mut slots: Vec<Option<PendingConstraint>> = constraints.into_iter().map(Some).collect();
    let order: Vec<usize> = primary
        .into_iter()
        .chain((0..slots.len()).filter(|&at| Some(at) != primary))
        .filter(|&at| slots[at].as_ref().is_some_and(is_key))
        .collect();
    let mut kept: Vec<usize> = Vec::new();
    for at in order {
        let earlier = kept.iter().copied().find(|&earlier| {
            matches!((&slots[earlier], &slots[at]), (Some(a), Some(b)) if same_key_index(a, b))
        });
        match earlier {
            Some(earlier) => {
                let redundant = slots[at].take();
                if let (Some(kept), Some(redundant)) = (slots[earlier].as_mut(), redundant) {
                    if kept.name.is_none() {
                        kept.name = redundant.name;
                    }
                }
            }
            None => kept.push(at),
        }
    }
    slots.into_iter().flatten().collect()
}

/// Whether two key constraints would build the same index.
fn same_key_index(a: &PendingConstraint, b: &PendingConstraint) -> bool {
    let nulls_not_distinct = |constraint: &PendingConstraint| {
        matches!(
            constraint.kind,
            ConstraintKind::Unique {
                nulls_not_distinct: true,
                ..
            }
        )
    };
    match (&a.index, &b.index) {
        (Some(left), Some(right)) => {
            left.method == right.method
                && left.keys == right.keys
                && left.include == right.include
                && left.predicate == right.predicate
                && a.deferrable == b.deferrable
                && a.initially_deferred == b.initially_deferred
                && nulls_not_distinct(a) == nulls_not_distinct(b)
        }
        _ => false,
    }
}

/// The default a column gets from `DEFAULT expr`: none for a null constant (`NULL`,
/// `NULL::text`, `(NULL)`, `CAST(NULL AS text)`), which PostgreSQL does not store,
/// unless `keeps_null` (see [`Loader::keeps_null_default`]).
fn stored_default(expr: &Expr, keeps_null: bool) -> Option<crate::model::Expr> {
    if keeps_null {
        return Some(expr.to_string().into());
    }
    let mut inner = expr;
    loop {
        match inner {
            Expr::Nested(nested) => inner = nested,
            Expr::Cast { expr, .. } => inner = expr,
            Expr::Value(value) if value.value == Value::Null => return None,
            _ => return Some(expr.to_string().into()),
        }
    }
}

impl Loader {
    /// Whether PostgreSQL stores a null default of `column`: it drops a default only
    /// when the expression, coerced to the column's type, is a bare null constant, and
    /// the coercion to a type with a modifier (`varchar(50)`, `character`, which is
    /// `character(1)`, `numeric(10,2)`, an extension type's `geometry(Point)`) is a
    /// length-coercion call, and to a domain a domain check: `NULL::character varying`
    /// is then stored.
    fn keeps_null_default(&self, column: &crate::model::Column) -> bool {
        column.data_type.as_ref().is_some_and(|data_type| {
            !data_type.modifiers().is_empty()
                || data_type.base().contains('(')
                || (!data_type.is_array()
                    && self
                        .catalog
                        .domains
                        .contains_key(&QualifiedName::parse(data_type.base(), self.scope())))
        })
    }
}
