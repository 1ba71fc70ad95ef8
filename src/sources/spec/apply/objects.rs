//! Triggers, functions, types, domains, schemas, comments and DROP.

use super::{fold, name_parts, Loader};
use crate::model::{
    Domain, EnumType, Function, FunctionBody, FunctionKind, Location, QualifiedName, SqlType,
    Trigger, TriggerDeferral, TriggerState, Volatility,
};
use crate::sources::spec::statements::{Extras, MemberKind};
use crate::sources::spec::SpecProblemKind;
use sqlparser::ast::{
    AlterFunction, AlterFunctionAction, AlterFunctionKind, AlterFunctionOperation, AlterType,
    AlterTypeAddValuePosition, AlterTypeOperation, ArgMode, CommentObject,
    ConstraintCharacteristics, CreateDomain, CreateFunction, CreateFunctionBody,
    CreateProcedureBody, CreateTrigger, DeferrableInitial, DropExtension, DropFunction,
    DropTrigger, FunctionBehavior, FunctionSecurity, ObjectName, ObjectType, ProcedureParam,
    SchemaName, Statement, TableConstraint, TriggerEvent, TriggerExecBody, TriggerObject,
    TriggerObjectKind, TriggerPeriod, TriggerReferencingType, UserDefinedTypeRepresentation, Value,
};

impl Loader {
    /// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name … ON t … EXECUTE FUNCTION f(…)`.
    pub(super) fn create_trigger(
        &mut self,
        create: &CreateTrigger,
        extras: &Extras,
        location: &Location,
    ) {
        let table = self.qualified(&create.table_name);
        let name = name_parts(&create.name).pop().unwrap_or_default();
        let object = table.child(&name);
        let (function, arguments) = match &create.exec_body {
            Some(TriggerExecBody { func_desc, .. }) => (
                self.trigger_function(&func_desc.name),
                match &extras.trigger_arguments {
                    Some(arguments) => arguments.clone(),
                    None => func_desc
                        .args
                        .iter()
                        .flatten()
                        .map(|argument| argument.to_string())
                        .collect(),
                },
            ),
            None => (
                QualifiedName::new(self.default_schema.clone(), ""),
                Vec::new(),
            ),
        };
        let Some(relation) = self.relation_or_note(&table, &object, location) else {
            return;
        };
        if let Some(existing) = relation.triggers.get(&name) {
            if !create.or_replace {
                let first = existing.location.clone();
                self.duplicate(object, "trigger", first, location);
                return;
            }
        }
        let mut events: Vec<String> = create
            .events
            .iter()
            .map(|event| match event {
                TriggerEvent::Insert => "INSERT",
                TriggerEvent::Update(_) => "UPDATE",
                TriggerEvent::Delete => "DELETE",
                TriggerEvent::Truncate => "TRUNCATE",
            })
            .map(str::to_string)
            .collect();
        events.sort();
        events.dedup();
        let mut update_columns: Vec<String> = create
            .events
            .iter()
            .flat_map(|event| match event {
                TriggerEvent::Update(columns) => columns.iter().map(fold).collect(),
                _ => Vec::new(),
            })
            .collect();
        update_columns.dedup();
        let transition = |wanted: TriggerReferencingType| {
            create
                .referencing
                .iter()
                .find(|referencing| referencing.refer_type == wanted)
                .and_then(|referencing| name_parts(&referencing.transition_relation_name).pop())
        };
        let trigger = Trigger {
            name: name.clone(),
            timing: match create.period {
                Some(TriggerPeriod::Before) => "BEFORE",
                Some(TriggerPeriod::InsteadOf) => "INSTEAD OF",
                Some(TriggerPeriod::After | TriggerPeriod::For) | None => "AFTER",
            }
            .to_string(),
            events,
            for_each_row: matches!(
                create.trigger_object,
                Some(
                    TriggerObjectKind::ForEach(TriggerObject::Row)
                        | TriggerObjectKind::For(TriggerObject::Row)
                )
            ),
            function,
            arguments,
            when: create
                .condition
                .as_ref()
                .map(|condition| condition.to_string().into()),
            constraint: create
                .is_constraint
                .then(|| trigger_deferral(create.characteristics.as_ref())),
            update_columns,
            old_table: transition(TriggerReferencingType::OldTable),
            new_table: transition(TriggerReferencingType::NewTable),
            state: TriggerState::Enabled,
            comment: None,
            location: Some(location.clone()),
        };
        relation.triggers.insert(name, Box::new(trigger));
    }

    /// `ALTER TABLE t ENABLE [REPLICA|ALWAYS] TRIGGER name` or `DISABLE TRIGGER name`;
    /// `ALL` and `USER` name every trigger of the table (`ALL` also the internal ones of
    /// foreign keys, which the model does not hold).
    pub(super) fn set_trigger_state(
        &mut self,
        table: &QualifiedName,
        name: &sqlparser::ast::Ident,
        state: TriggerState,
        location: &Location,
    ) {
        let every = name.quote_style.is_none()
            && (name.value.eq_ignore_ascii_case("ALL") || name.value.eq_ignore_ascii_case("USER"));
        let name = fold(name);
        let Some(relation) = self.catalog.relations.get_mut(table) else {
            return;
        };
        if every {
            relation
                .triggers
                .values_mut()
                .for_each(|trigger| trigger.state = state);
            return;
        }
        match relation.triggers.get_mut(&name) {
            Some(trigger) => trigger.state = state,
            None => {
                let object = table.child(&name);
                self.problem(
                    SpecProblemKind::UnknownReference {
                        missing: format!("trigger {object}"),
                        object,
                    },
                    location,
                );
            }
        }
    }

    /// `DROP TRIGGER [IF EXISTS] name ON t`.
    pub(super) fn drop_trigger(&mut self, drop: &DropTrigger, location: &Location) {
        let Some(table_name) = &drop.table_name else {
            return;
        };
        let table = self.qualified(table_name);
        let name = name_parts(&drop.trigger_name).pop().unwrap_or_default();
        let removed = self
            .catalog
            .relations
            .get_mut(&table)
            .and_then(|relation| relation.triggers.remove(&name));
        if removed.is_none() && !drop.if_exists {
            let object = table.child(&name);
            self.problem(
                SpecProblemKind::UnknownReference {
                    missing: format!("trigger {object}"),
                    object,
                },
                location,
            );
        }
    }

    /// `CREATE [OR REPLACE] FUNCTION name(args) [RETURNS …] LANGUAGE … [volatility]
    /// [SECURITY DEFINER] AS …|RETURN …|BEGIN ATOMIC … END`; also a `CREATE PROCEDURE`
    /// read as a function (`extras.procedure`).
    pub(super) fn create_function(
        &mut self,
        create: &CreateFunction,
        extras: &Extras,
        location: &Location,
    ) {
        let arguments = create
            .args
            .iter()
            .flatten()
            .filter(|argument| !matches!(argument.mode, Some(ArgMode::Out)))
            .map(|argument| SqlType::parse(&argument.data_type.to_string()).to_string())
            .collect();
        let outputs: Vec<String> = create
            .args
            .iter()
            .flatten()
            .filter(|argument| matches!(argument.mode, Some(ArgMode::Out | ArgMode::InOut)))
            .map(|argument| argument.data_type.to_string())
            .collect();
        let returns = match &create.return_type {
            _ if extras.procedure => None,
            Some(returns) => Some(returns.to_string()),
            None => match outputs.as_slice() {
                [] => None,
                [single] => Some(single.clone()),
                _ => Some("record".into()),
            },
        };
        let body = create.function_body.as_ref().and_then(function_body);
        let mut function = Function {
            kind: if extras.procedure {
                FunctionKind::Procedure
            } else {
                FunctionKind::Function
            },
            volatility: match create.behavior {
                Some(FunctionBehavior::Immutable) => Volatility::Immutable,
                Some(FunctionBehavior::Stable) => Volatility::Stable,
                Some(FunctionBehavior::Volatile) | None => Volatility::Volatile,
            },
            security_definer: matches!(create.security, Some(FunctionSecurity::Definer)),
            location: Some(location.clone()),
            ..Function::new(arguments, returns)
        };
        function.language = language(create.language.as_ref(), body.as_ref());
        function.body = body;
        self.add_function(&create.name, function);
    }

    /// `CREATE [OR REPLACE] PROCEDURE name(args) [LANGUAGE …] BEGIN ATOMIC … END` (with
    /// an `AS '…'` body it is read by [`Loader::create_function`]).
    pub(super) fn create_procedure(
        &mut self,
        name: &ObjectName,
        params: Option<&[ProcedureParam]>,
        language_name: Option<&sqlparser::ast::Ident>,
        body: &CreateProcedureBody,
        location: &Location,
    ) {
        let arguments = params
            .unwrap_or_default()
            .iter()
            .filter(|param| !matches!(param.mode, Some(ArgMode::Out)))
            .map(|param| SqlType::parse(&param.data_type.to_string()).to_string())
            .collect();
        let body = match body {
            CreateProcedureBody::BeginAtomic(block) => Some(atomic_body(&block.statements)),
            CreateProcedureBody::As(_) => None,
        };
        let mut function = Function {
            kind: FunctionKind::Procedure,
            location: Some(location.clone()),
            ..Function::new(arguments, None)
        };
        function.language = language(language_name, body.as_ref());
        function.body = body;
        self.add_function(name, function);
    }

    /// Adds an overload, replacing one with the same argument types.
    fn add_function(&mut self, name: &ObjectName, function: Function) {
        let name = self.qualified(name);
        let overloads = self.catalog.functions.entry(name).or_default();
        overloads.retain(|existing| existing.arguments != function.arguments);
        overloads.push(function);
    }

    /// `ALTER FUNCTION f[(args)] …`: volatility, `SECURITY`, `RENAME TO`, `SET SCHEMA`;
    /// the other actions (`SET search_path`, `COST`, `OWNER TO`, …) are outside the model.
    pub(super) fn alter_function(&mut self, alter: &AlterFunction, location: &Location) {
        if alter.kind != AlterFunctionKind::Function {
            return;
        }
        let name = self.qualified(&alter.function.name);
        let arguments: Option<Vec<String>> = alter.function.args.as_ref().map(|args| {
            args.iter()
                .filter(|argument| !matches!(argument.mode, Some(ArgMode::Out)))
                .map(|argument| SqlType::parse(&argument.data_type.to_string()).to_string())
                .collect()
        });
        let overloads = self.catalog.functions.get_mut(&name);
        let position = overloads.as_ref().and_then(|overloads| match &arguments {
            Some(arguments) => overloads
                .iter()
                .position(|function| &function.arguments == arguments),
            None if overloads.len() == 1 => Some(0),
            None => None,
        });
        let (Some(overloads), Some(position)) = (overloads, position) else {
            let object = name.to_string();
            self.problem(
                SpecProblemKind::UnknownReference {
                    missing: format!("function {object}"),
                    object,
                },
                location,
            );
            return;
        };
        let renamed = match &alter.operation {
            AlterFunctionOperation::Actions { actions, .. } => {
                let function = &mut overloads[position];
                for action in actions {
                    match action {
                        AlterFunctionAction::Behavior(behavior) => {
                            function.volatility = match behavior {
                                FunctionBehavior::Immutable => Volatility::Immutable,
                                FunctionBehavior::Stable => Volatility::Stable,
                                FunctionBehavior::Volatile => Volatility::Volatile,
                            }
                        }
                        AlterFunctionAction::Security { security, .. } => {
                            function.security_definer =
                                matches!(security, FunctionSecurity::Definer)
                        }
                        _ => {}
                    }
                }
                None
            }
            AlterFunctionOperation::RenameTo { new_name } => {
                Some(QualifiedName::new(name.schema.clone(), fold(new_name)))
            }
            AlterFunctionOperation::SetSchema { schema_name } => Some(QualifiedName::new(
                name_parts(schema_name).pop().unwrap_or_default(),
                name.name.clone(),
            )),
            AlterFunctionOperation::OwnerTo(_)
            | AlterFunctionOperation::DependsOnExtension { .. } => None,
        };
        if let Some(renamed) = renamed {
            let function = overloads.remove(position);
            if overloads.is_empty() {
                self.catalog.functions.remove(&name);
            }
            let target = self.catalog.functions.entry(renamed).or_default();
            target.retain(|existing| existing.arguments != function.arguments);
            target.push(function);
        }
    }

    /// `DROP FUNCTION [IF EXISTS] f(args), …`.
    pub(super) fn drop_function(&mut self, drop: &DropFunction) {
        for function in &drop.func_desc {
            let name = self.qualified(&function.name);
            let Some(overloads) = self.catalog.functions.get_mut(&name) else {
                continue;
            };
            match &function.args {
                Some(args) => {
                    let arguments: Vec<String> = args
                        .iter()
                        .filter(|argument| !matches!(argument.mode, Some(ArgMode::Out)))
                        .map(|argument| SqlType::parse(&argument.data_type.to_string()).to_string())
                        .collect();
                    overloads.retain(|existing| existing.arguments != arguments);
                }
                None => overloads.clear(),
            }
            if overloads.is_empty() {
                self.catalog.functions.remove(&name);
            }
        }
    }

    /// `DROP EXTENSION [IF EXISTS] name, …`.
    pub(super) fn drop_extension(&mut self, drop: &DropExtension, location: &Location) {
        for name in &drop.names {
            let name = fold(name);
            self.catalog.extension_schemas.remove(&name);
            if self.catalog.extensions.remove(&name).is_none() && !drop.if_exists {
                self.problem(
                    SpecProblemKind::UnknownReference {
                        object: name.clone(),
                        missing: format!("extension {name}"),
                    },
                    location,
                );
            }
        }
    }

    /// `CREATE TYPE name AS ENUM (…)`; other types are outside the model.
    pub(super) fn create_type(
        &mut self,
        name: &ObjectName,
        representation: Option<&UserDefinedTypeRepresentation>,
        location: &Location,
        first_words: &str,
    ) {
        let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation else {
            self.skipped(first_words, location);
            return;
        };
        let name = self.qualified(name);
        if let Some(existing) = self.catalog.enums.get(&name) {
            let first = existing.location.clone();
            self.duplicate(name.to_string(), "type", first, location);
            return;
        }
        self.catalog.enums.insert(
            name.clone(),
            EnumType {
                name,
                values: labels.iter().map(|label| label.value.clone()).collect(),
                location: Some(location.clone()),
            },
        );
    }

    /// `ALTER TYPE e ADD VALUE [IF NOT EXISTS] 'v' [BEFORE|AFTER 'w']`,
    /// `RENAME VALUE 'v' TO 'w'`, `RENAME TO f` on an enum.
    pub(super) fn alter_type(&mut self, alter: &AlterType, location: &Location) {
        let name = self.qualified(&alter.name);
        let Some(enum_type) = self.catalog.enums.get_mut(&name) else {
            if !self.catalog.domains.contains_key(&name) {
                self.problem(
                    SpecProblemKind::UnknownReference {
                        object: name.to_string(),
                        missing: format!("type {name}"),
                    },
                    location,
                );
            }
            return;
        };
        match &alter.operation {
            AlterTypeOperation::AddValue(add) => {
                let value = add.value.value.clone();
                if enum_type.values.contains(&value) {
                    if !add.if_not_exists {
                        let first = enum_type.location.clone();
                        self.duplicate(format!("{name}.{value}"), "enum value", first, location);
                    }
                    return;
                }
                let position = match &add.position {
                    Some(AlterTypeAddValuePosition::Before(other)) => {
                        enum_type.values.iter().position(|v| v == &other.value)
                    }
                    Some(AlterTypeAddValuePosition::After(other)) => enum_type
                        .values
                        .iter()
                        .position(|v| v == &other.value)
                        .map(|at| at + 1),
                    None => None,
                };
                let at = position.unwrap_or(enum_type.values.len());
                enum_type.values.insert(at, value);
            }
            AlterTypeOperation::RenameValue(rename) => {
                for value in &mut enum_type.values {
                    if value == &rename.from.value {
                        value.clone_from(&rename.to.value);
                    }
                }
            }
            AlterTypeOperation::Rename(rename) => {
                let renamed = QualifiedName::new(name.schema.clone(), fold(&rename.new_name));
                if let Some(mut enum_type) = self.catalog.enums.remove(&name) {
                    enum_type.name = renamed.clone();
                    self.catalog.enums.insert(renamed, enum_type);
                }
            }
        }
    }

    /// `CREATE DOMAIN name AS type [CHECK (…)]`.
    pub(super) fn create_domain(
        &mut self,
        create: &CreateDomain,
        extras: &Extras,
        location: &Location,
    ) {
        let name = self.qualified(&create.name);
        let checks = create
            .constraints
            .iter()
            .filter_map(|constraint| match constraint {
                TableConstraint::Check(check) => Some(check.expr.to_string().into()),
                _ => None,
            })
            .collect();
        self.catalog.domains.insert(
            name.clone(),
            Domain {
                name,
                base_type: SqlType::parse(&create.data_type.to_string()),
                not_null: extras.domain_not_null,
                checks,
                location: Some(location.clone()),
                allowed_values: None,
            },
        );
    }

    /// `CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]`.
    pub(super) fn create_schema(&mut self, schema: &SchemaName, location: &Location) {
        let name = match schema {
            SchemaName::Simple(name) | SchemaName::NamedAuthorization(name, _) => {
                name_parts(name).pop().unwrap_or_default()
            }
            SchemaName::UnnamedAuthorization(role) => fold(role),
        };
        self.catalog
            .schemas
            .entry(name)
            .or_insert_with(|| Some(location.clone()));
    }

    /// `COMMENT ON TABLE|VIEW|MATERIALIZED VIEW|COLUMN|INDEX … IS …`; comments on
    /// objects outside the model are ignored.
    pub(super) fn comment(
        &mut self,
        object_type: CommentObject,
        object_name: &ObjectName,
        comment: Option<&str>,
        location: &Location,
    ) {
        let comment = comment.map(str::to_string);
        match object_type {
            CommentObject::Table | CommentObject::View | CommentObject::MaterializedView => {
                let name = self.qualified(object_name);
                if let Some(relation) = self.relation_or_note(&name, &name.to_string(), location) {
                    relation.comment = comment;
                }
            }
            CommentObject::Column => {
                let mut parts = name_parts(object_name);
                let column = parts.pop().unwrap_or_default();
                let table = self.qualify_parts(&parts);
                let object = table.child(&column);
                let Some(relation) = self.relation_or_note(&table, &object, location) else {
                    return;
                };
                match relation.column_mut(&column) {
                    Some(target) => target.comment = comment,
                    None => self.problem(
                        SpecProblemKind::UnknownReference {
                            missing: format!("column {object}"),
                            object,
                        },
                        location,
                    ),
                }
            }
            CommentObject::Index => {
                let name = self.qualified(object_name);
                let index = self
                    .index_owner
                    .get(&name)
                    .cloned()
                    .and_then(|owner| self.catalog.relations.get_mut(&owner))
                    .and_then(|relation| relation.indexes.get_mut(&name.name));
                match index {
                    Some(index) => index.comment = comment,
                    None => self.problem(
                        SpecProblemKind::UnknownReference {
                            object: name.to_string(),
                            missing: format!("index {name}"),
                        },
                        location,
                    ),
                }
            }
            _ => {}
        }
    }

    /// `COMMENT ON CONSTRAINT|POLICY|TRIGGER member ON table IS …`.
    pub(super) fn comment_member(
        &mut self,
        member_kind: MemberKind,
        table: &QualifiedName,
        member: &str,
        comment: Option<&str>,
        location: &Location,
    ) {
        let object = table.child(member);
        let Some(relation) = self.relation_or_note(table, &object, location) else {
            return;
        };
        let comment = comment.map(str::to_string);
        let (target, kind) = match member_kind {
            MemberKind::Constraint => (
                relation.constraints.get_mut(member).map(|c| &mut c.comment),
                "constraint",
            ),
            MemberKind::Policy => (
                relation.policies.get_mut(member).map(|p| &mut p.comment),
                "policy",
            ),
            MemberKind::Trigger => (
                relation.triggers.get_mut(member).map(|t| &mut t.comment),
                "trigger",
            ),
        };
        match target {
            Some(target) => *target = comment,
            None => self.problem(
                SpecProblemKind::UnknownReference {
                    missing: format!("{kind} {object}"),
                    object,
                },
                location,
            ),
        }
    }

    /// `DROP TABLE|VIEW|MATERIALIZED VIEW|INDEX|TYPE|SCHEMA [IF EXISTS] names`.
    pub(super) fn drop(
        &mut self,
        object_type: ObjectType,
        if_exists: bool,
        names: &[ObjectName],
        location: &Location,
    ) {
        for name in names {
            let name = self.qualified(name);
            let found = match object_type {
                ObjectType::Table | ObjectType::View | ObjectType::MaterializedView => {
                    match self.catalog.relations.remove(&name) {
                        Some(relation) => {
                            for index in relation.indexes.keys() {
                                self.index_owner.remove(&QualifiedName::new(
                                    name.schema.clone(),
                                    index.clone(),
                                ));
                            }
                            self.drop_owned_sequences(&name);
                            true
                        }
                        None => false,
                    }
                }
                ObjectType::Sequence => self.drop_sequence(&name),
                ObjectType::Index => match self.index_owner.remove(&name) {
                    Some(owner) => {
                        if let Some(relation) = self.catalog.relations.get_mut(&owner) {
                            relation.indexes.remove(&name.name);
                        }
                        true
                    }
                    None => false,
                },
                ObjectType::Type => {
                    self.catalog.enums.remove(&name);
                    self.catalog.domains.remove(&name);
                    true
                }
                ObjectType::Schema => {
                    self.catalog.schemas.remove(&name.name);
                    true
                }
                _ => true,
            };
            if !found && !if_exists {
                self.problem(
                    SpecProblemKind::UnknownReference {
                        object: name.to_string(),
                        missing: format!("{} {name}", object_type.to_string().to_lowercase()),
                    },
                    location,
                );
            }
        }
    }
}

/// The deferral of `CREATE CONSTRAINT TRIGGER`: `INITIALLY DEFERRED` implies
/// `DEFERRABLE`, and without either the trigger is `NOT DEFERRABLE`, as in PostgreSQL.
fn trigger_deferral(characteristics: Option<&ConstraintCharacteristics>) -> TriggerDeferral {
    let deferrable = characteristics.and_then(|c| c.deferrable);
    let initially = characteristics.and_then(|c| c.initially);
    match (deferrable, initially) {
        (_, Some(DeferrableInitial::Deferred)) => TriggerDeferral::InitiallyDeferred,
        (Some(true), _) => TriggerDeferral::InitiallyImmediate,
        _ => TriggerDeferral::NotDeferrable,
    }
}

/// A function's body as the model keeps it: the text of a quoted body (the link symbol
/// of a `LANGUAGE c` one), or a SQL-standard body as written.
fn function_body(body: &CreateFunctionBody) -> Option<FunctionBody> {
    match body {
        CreateFunctionBody::AsBeforeOptions { body, link_symbol } => {
            string_value(link_symbol.as_ref().unwrap_or(body))
                .map(|text| FunctionBody::Source { text })
        }
        CreateFunctionBody::AsAfterOptions(body) => {
            string_value(body).map(|text| FunctionBody::Source { text })
        }
        CreateFunctionBody::Return(expression) => Some(FunctionBody::Standard {
            body: format!("RETURN {expression}").into(),
        }),
        CreateFunctionBody::BeginAtomic(block) => Some(atomic_body(&block.statements)),
        _ => None,
    }
}

/// `BEGIN ATOMIC s1; s2; END` from the statements of the block.
fn atomic_body(statements: &[Statement]) -> FunctionBody {
    let mut text = String::from("BEGIN ATOMIC");
    for statement in statements {
        text.push(' ');
        text.push_str(&statement.to_string());
        text.push(';');
    }
    text.push_str(" END");
    FunctionBody::Standard { body: text.into() }
}

/// The value of a string literal, of any quoting.
fn string_value(expression: &sqlparser::ast::Expr) -> Option<String> {
    let sqlparser::ast::Expr::Value(value) = expression else {
        return None;
    };
    match &value.value {
        Value::SingleQuotedString(text)
        | Value::EscapedStringLiteral(text)
        | Value::NationalStringLiteral(text) => Some(text.clone()),
        Value::DollarQuotedString(dollar) => Some(dollar.value.clone()),
        _ => None,
    }
}

/// `LANGUAGE name`, lower-case; a SQL-standard body without one is `sql`.
fn language(name: Option<&sqlparser::ast::Ident>, body: Option<&FunctionBody>) -> String {
    match (name, body) {
        (Some(name), _) => fold(name).to_lowercase(),
        (None, Some(FunctionBody::Standard { .. })) => "sql".into(),
        (None, _) => String::new(),
    }
}
