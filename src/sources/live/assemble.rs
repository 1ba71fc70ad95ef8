//! Catalog rows → model: pure functions, no database needed.

use super::rows::*;
use crate::model::{
    Catalog, Column, ColumnSource, Constraint, ConstraintKind, Domain, EnumType, Expr,
    ForeignKeyAction, Function, FunctionBody, FunctionKind, Grant, Identity, Index, IndexKey,
    IndexStatistics, IndexTarget, Policy, PolicyCommand, QualifiedName, Relation, RelationKind,
    Sequence, SqlType, Trigger, TriggerDeferral, TriggerState, ViewDefinition, Volatility,
};
use fnv::FnvHashMap;

/// Builds the catalog, with the canonical forms of its expressions for a run whose
/// unqualified names live in `default_schema`; rows that point at a relation outside the
/// scope are ignored.
pub(super) fn assemble(rows: CatalogRows, default_schema: &str) -> Catalog {
    let mut catalog = Catalog::new();
    for schema in rows.schemas {
        catalog.schemas.insert(schema, None);
    }
    for extension in rows.extensions {
        catalog
            .extension_schemas
            .insert(extension.name.clone(), extension.schema);
        catalog.extensions.insert(extension.name, None);
    }
    // Relations are built in a vector found by oid, and put in the catalog's name-ordered
    // map once complete: a lookup per column, constraint, index, policy, grant and trigger
    // row is then a hash of an oid, not a hash and a descent comparing names.
    let mut relations: Vec<Relation> = Vec::with_capacity(rows.relations.len());
    let mut positions: FnvHashMap<Oid, usize> =
        FnvHashMap::with_capacity_and_hasher(rows.relations.len(), Default::default());
    for row in rows.relations {
        let Some(kind) = relation_kind(&row.relkind) else {
            continue;
        };
        let name = QualifiedName::new(row.schema, row.name);
        let mut relation = Relation::new(name, kind, None);
        relation.rls_enabled = row.rls_enabled;
        relation.rls_forced = row.rls_forced;
        relation.comment = row.comment;
        relation.owner = Some(row.owner);
        relation.owner_privileges = row
            .owner_privileges
            .iter()
            .map(|privilege| privilege.to_uppercase())
            .collect();
        relation.view = row.view_definition.map(|query| ViewDefinition {
            query: trim_view_definition(&query).into(),
            with_data: row.populated,
        });
        positions.insert(row.oid, relations.len());
        relations.push(relation);
    }
    // Each list sized once: grown a column at a time, 5,000 tables' lists were copied
    // and touched about twice their size.
    let mut column_counts = vec![0usize; relations.len()];
    for row in rows.columns.iter() {
        if let Some(position) = positions.get(&row.relation) {
            column_counts[*position] += 1;
        }
    }
    for (relation, count) in relations.iter_mut().zip(column_counts) {
        relation.columns.reserve_exact(count);
    }
    for row in rows.columns {
        if let Some(target) = relation_at(&mut relations, &positions, row.relation) {
            target.columns.push(column(row));
        }
    }
    for row in rows.constraints {
        if let Some(constraint) = constraint(&row) {
            if let Some(target) = relation_at(&mut relations, &positions, row.relation) {
                target
                    .constraints
                    .insert(constraint.name.clone(), Box::new(constraint));
            }
        }
    }
    for row in rows.indexes {
        if let Some(target) = relation_at(&mut relations, &positions, row.relation) {
            let index = index(row);
            target.indexes.insert(index.name.clone(), Box::new(index));
        }
    }
    for row in rows.policies {
        if let Some(target) = relation_at(&mut relations, &positions, row.relation) {
            let policy = policy(row);
            target
                .policies
                .insert(policy.name.clone(), Box::new(policy));
        }
    }
    for row in rows.grants {
        if let Some(target) = relation_at(&mut relations, &positions, row.relation) {
            target.grants.push(Grant {
                grantee: row.grantee,
                privilege: row.privilege.to_uppercase(),
                location: None,
            });
        }
    }
    for row in rows.triggers {
        if let Some(target) = relation_at(&mut relations, &positions, row.relation) {
            let trigger = trigger(row);
            target
                .triggers
                .insert(trigger.name.clone(), Box::new(trigger));
        }
    }
    for relation in &mut relations {
        relation
            .grants
            .sort_by(|a, b| (&a.grantee, &a.privilege).cmp(&(&b.grantee, &b.privilege)));
        relation
            .grants
            .dedup_by(|a, b| a.grantee == b.grantee && a.privilege == b.privilege);
    }
    catalog.relations = relations
        .into_iter()
        .map(|relation| (relation.name.clone(), relation))
        .collect();
    for row in rows.enums {
        let name = QualifiedName::new(row.schema, row.name);
        catalog.enums.insert(
            name.clone(),
            EnumType {
                name,
                values: row.labels,
                location: None,
            },
        );
    }
    for row in rows.domains {
        let name = QualifiedName::new(row.schema, row.name);
        catalog.domains.insert(
            name.clone(),
            Domain {
                name,
                base_type: SqlType::parse(&row.base_type),
                not_null: row.not_null,
                checks: row
                    .checks
                    .iter()
                    .map(|check| check_expression(check).into())
                    .collect(),
                location: None,
                allowed_values: None,
            },
        );
    }
    for row in rows.functions {
        catalog
            .functions
            .entry(QualifiedName::new(row.schema.clone(), row.name.clone()))
            .or_default()
            .push(function(row));
    }
    for row in rows.sequences {
        let name = QualifiedName::new(row.schema, row.name);
        let mut sequence = Sequence::new(name.clone(), None);
        sequence.data_type = SqlType::parse(&row.data_type).to_string();
        sequence.increment = row.increment;
        if let (Some(schema), Some(relation), Some(column)) =
            (row.owner_schema, row.owner_relation, row.owner_column)
        {
            sequence.owned_by = Some(ColumnSource {
                relation: QualifiedName::new(schema, relation),
                column,
            });
        }
        catalog.sequences.insert(name, sequence);
    }
    catalog.index_statistics = Some(IndexStatistics {
        stats_reset: rows.stats_reset,
        read_at: rows.read_at,
        scans: rows
            .index_scans
            .into_iter()
            .map(|row| {
                (
                    QualifiedName::new(row.schema, row.name),
                    u64::try_from(row.scans).unwrap_or(0),
                )
            })
            .collect(),
    });
    let _timing = crate::timings::phase("canonical forms of the live catalog");
    crate::sources::forms::fill_forms(&mut catalog, default_schema);
    catalog
}

fn function(row: FunctionRow) -> Function {
    let body = match (row.sql_body, row.source) {
        (Some(body), _) => Some(FunctionBody::Standard { body: body.into() }),
        (None, Some(text)) => Some(FunctionBody::Source { text }),
        (None, None) => None,
    };
    Function {
        kind: if row.kind == "p" {
            FunctionKind::Procedure
        } else {
            FunctionKind::Function
        },
        language: row.language,
        volatility: match row.volatility.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        },
        security_definer: row.security_definer,
        body,
        ..Function::new(
            row.arguments
                .iter()
                .map(|argument| SqlType::parse(argument).to_string())
                .collect(),
            row.result,
        )
    }
}

/// The relation of `oid`, when it is in scope.
fn relation_at<'a>(
    relations: &'a mut [Relation],
    positions: &FnvHashMap<Oid, usize>,
    oid: Oid,
) -> Option<&'a mut Relation> {
    positions
        .get(&oid)
        .map(|&position| &mut relations[position])
}

fn relation_kind(relkind: &str) -> Option<RelationKind> {
    match relkind {
        "r" => Some(RelationKind::Table),
        "p" => Some(RelationKind::PartitionedTable),
        "v" => Some(RelationKind::View),
        "m" => Some(RelationKind::MaterializedView),
        _ => None,
    }
}

/// `pg_get_viewdef` starts with a space and ends with `;`.
fn trim_view_definition(query: &str) -> String {
    query.trim().trim_end_matches(';').trim_end().to_string()
}

fn column(row: ColumnRow) -> Column {
    let mut column = Column::new(row.name, Some(SqlType::parse(&row.data_type)), None);
    column.not_null = row.not_null;
    column.comment = row.comment;
    column.identity = match row.identity.as_str() {
        "a" => Some(Identity::Always),
        "d" => Some(Identity::ByDefault),
        _ => None,
    };
    if row.generated == "s" {
        column.generated = row.default.map(Expr::from);
    } else {
        column.default = row.default.map(Expr::from);
    }
    column
}

fn constraint(row: &ConstraintRow) -> Option<Constraint> {
    let kind = match row.contype.as_str() {
        "p" => ConstraintKind::PrimaryKey {
            columns: row.columns.clone(),
        },
        "u" => ConstraintKind::Unique {
            columns: row.columns.clone(),
            nulls_not_distinct: row.nulls_not_distinct,
        },
        "f" => ConstraintKind::ForeignKey {
            columns: row.columns.clone(),
            references: QualifiedName::new(
                row.referenced_schema.clone().unwrap_or_default(),
                row.referenced_name.clone().unwrap_or_default(),
            ),
            referenced_columns: row.referenced_columns.clone(),
            on_delete: foreign_key_action(&row.on_delete),
            on_update: foreign_key_action(&row.on_update),
        },
        "c" => ConstraintKind::Check {
            expression: check_expression(row.definition.as_deref().unwrap_or_default()).into(),
        },
        "x" => {
            let definition = strip_suffixes(row.definition.as_deref().unwrap_or_default());
            ConstraintKind::Exclusion {
                definition: definition
                    .strip_prefix("EXCLUDE ")
                    .unwrap_or(definition)
                    .to_string(),
            }
        }
        _ => return None,
    };
    Some(Constraint {
        name: row.name.clone(),
        kind,
        deferrable: row.deferrable,
        initially_deferred: row.initially_deferred,
        comment: row.comment.clone(),
        location: None,
        allowed_values: Default::default(),
    })
}

fn foreign_key_action(code: &str) -> ForeignKeyAction {
    match code {
        "r" => ForeignKeyAction::Restrict,
        "c" => ForeignKeyAction::Cascade,
        "n" => ForeignKeyAction::SetNull,
        "d" => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::NoAction,
    }
}

/// `CHECK ((a > 0)) NOT VALID` → `(a > 0)`: the expression without the keyword, the
/// outer parentheses of the clause and the trailing options.
fn check_expression(definition: &str) -> String {
    let body = strip_suffixes(definition);
    let body = body.strip_prefix("CHECK ").unwrap_or(body).trim();
    strip_outer_parentheses(body).to_string()
}

fn strip_suffixes(definition: &str) -> &str {
    let mut body = definition.trim();
    loop {
        let trimmed = [" NOT VALID", " NO INHERIT", " NOT DEFERRABLE"]
            .iter()
            .find_map(|suffix| body.strip_suffix(suffix));
        match trimmed {
            Some(rest) => body = rest.trim_end(),
            None => return body,
        }
    }
}

/// `(x)` → `x` when the first parenthesis closes at the very end (quotes respected).
fn strip_outer_parentheses(text: &str) -> &str {
    if !text.starts_with('(') || !text.ends_with(')') {
        return text;
    }
    match closing_parenthesis(text, 0) {
        Some(end) if end == text.len() - 1 => text[1..end].trim(),
        _ => text,
    }
}

/// The byte index of the `)` matching the `(` at `open`, skipping quoted text.
fn closing_parenthesis(text: &str, open: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (offset, &byte) in bytes.iter().enumerate().skip(open) {
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None => match byte {
                b'\'' | b'"' => quote = Some(byte),
                b'(' => depth += 1,
                b')' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(offset);
                    }
                }
                _ => {}
            },
        }
    }
    None
}

fn index(row: IndexRow) -> Index {
    let key_count = usize::try_from(row.key_count).unwrap_or(0);
    let mut keys = Vec::with_capacity(key_count);
    let mut include = Vec::new();
    let printed_keys = row
        .definition
        .as_deref()
        .map(index_key_texts)
        .unwrap_or_default();
    for (position, column) in row.attribute_names.into_iter().enumerate() {
        let definition = row
            .definitions
            .get(position)
            .cloned()
            .flatten()
            .unwrap_or_default();
        if position >= key_count {
            include.push(column.unwrap_or(definition));
            continue;
        }
        let option = row.options.get(position).copied().unwrap_or(0);
        let descending = option & 1 != 0;
        let nulls_first = option & 2 != 0;
        let collation = row.collations.get(position).cloned().flatten();
        let is_default = match row.collation_is_columns.get(position).copied().flatten() {
            Some(is_columns) => is_columns,
            None => printed_keys
                .get(position)
                .is_none_or(|printed| printed_collation(printed, &definition).is_none()),
        };
        let (collation, default_collation) = if is_default {
            (None, collation)
        } else {
            (collation, None)
        };
        keys.push(IndexKey {
            target: match column {
                Some(name) => IndexTarget::Column(name),
                None => IndexTarget::Expression(definition.into()),
            },
            descending,
            nulls_first: (nulls_first != descending).then_some(nulls_first),
            opclass: row.opclasses.get(position).cloned().flatten(),
            collation,
            default_opclass: row.default_opclasses.get(position).cloned().flatten(),
            default_collation,
        });
    }
    Index {
        name: row.name,
        unique: row.unique,
        method: row.method,
        keys,
        include,
        predicate: row.predicate.map(Expr::from),
        nulls_not_distinct: row.nulls_not_distinct,
        only: row.only,
        constraint: row.constraint,
        comment: row.comment,
        location: None,
    }
}

/// The keys of `CREATE INDEX … USING am (k1, k2) …`, as printed.
fn index_key_texts(definition: &str) -> Vec<String> {
    let Some(using) = definition.find(" USING ") else {
        return Vec::new();
    };
    let Some(open) = definition[using..].find('(').map(|at| at + using) else {
        return Vec::new();
    };
    let Some(close) = closing_parenthesis(definition, open) else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut current = String::new();
    for c in definition[open + 1..close].chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' => quote = Some(c),
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    keys.push(std::mem::take(&mut current).trim().to_string());
                    continue;
                }
                _ => {}
            },
        }
        current.push(c);
    }
    keys.push(current.trim().to_string());
    keys
}

/// The collation a printed key names after its expression (`lower(c) COLLATE "C" DESC`
/// → `C`), if it names one.
fn printed_collation(printed: &str, expression: &str) -> Option<String> {
    let rest = printed.strip_prefix(expression)?.trim_start();
    let name = rest.strip_prefix("COLLATE ")?;
    let mut end = name.len();
    let mut quoted = false;
    for (at, c) in name.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                end = at;
                break;
            }
            _ => {}
        }
    }
    let name = &name[..end];
    let last = name.rsplit('.').next().unwrap_or(name);
    Some(last.trim_matches('"').replace("\"\"", "\""))
}

fn policy(row: PolicyRow) -> Policy {
    let mut roles = row.roles;
    roles.sort();
    Policy {
        name: row.name,
        permissive: row.permissive,
        command: match row.command.as_str() {
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            _ => PolicyCommand::All,
        },
        roles,
        using: row.using.map(Expr::from),
        with_check: row.with_check.map(Expr::from),
        comment: row.comment,
        location: None,
    }
}

const TRIGGER_ROW: i32 = 1;
const TRIGGER_BEFORE: i32 = 2;
const TRIGGER_INSERT: i32 = 4;
const TRIGGER_DELETE: i32 = 8;
const TRIGGER_UPDATE: i32 = 16;
const TRIGGER_TRUNCATE: i32 = 32;
const TRIGGER_INSTEAD: i32 = 64;

fn trigger(row: TriggerRow) -> Trigger {
    let timing = if row.tgtype & TRIGGER_INSTEAD != 0 {
        "INSTEAD OF"
    } else if row.tgtype & TRIGGER_BEFORE != 0 {
        "BEFORE"
    } else {
        "AFTER"
    };
    let events = [
        (TRIGGER_DELETE, "DELETE"),
        (TRIGGER_INSERT, "INSERT"),
        (TRIGGER_TRUNCATE, "TRUNCATE"),
        (TRIGGER_UPDATE, "UPDATE"),
    ]
    .iter()
    .filter(|(bit, _)| row.tgtype & bit != 0)
    .map(|(_, event)| event.to_string())
    .collect();
    let argument_count = usize::try_from(row.argument_count).unwrap_or(0);
    let arguments = row
        .arguments
        .split(|&byte| byte == 0)
        .take(argument_count)
        .map(|argument| String::from_utf8_lossy(argument).into_owned())
        .collect();
    let constraint = row
        .is_constraint
        .then_some(match (row.deferrable, row.initially_deferred) {
            (_, true) => TriggerDeferral::InitiallyDeferred,
            (true, false) => TriggerDeferral::InitiallyImmediate,
            (false, false) => TriggerDeferral::NotDeferrable,
        });
    Trigger {
        constraint,
        when: trigger_condition(&row.definition).map(Expr::from),
        state: match row.enabled.as_str() {
            "D" => TriggerState::Disabled,
            "R" => TriggerState::Replica,
            "A" => TriggerState::Always,
            _ => TriggerState::Enabled,
        },
        update_columns: row.update_columns,
        old_table: row.old_table,
        new_table: row.new_table,
        name: row.name,
        timing: timing.to_string(),
        events,
        for_each_row: row.tgtype & TRIGGER_ROW != 0,
        function: QualifiedName::new(row.function_schema, row.function_name),
        arguments,
        comment: row.comment,
        location: None,
    }
}

/// The condition of `… FOR EACH ROW WHEN (cond) EXECUTE …` in `pg_get_triggerdef`.
fn trigger_condition(definition: &str) -> Option<String> {
    let after_for_each = definition.find(" FOR EACH ")?;
    let when = definition[after_for_each..].find(" WHEN (")? + after_for_each;
    let open = when + " WHEN ".len();
    let close = closing_parenthesis(definition, open)?;
    Some(definition[open + 1..close].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scoped_rows() -> CatalogRows {
        CatalogRows {
            schemas: vec!["public".into()],
            relations: vec![
                RelationRow {
                    oid: 10,
                    schema: "public".into(),
                    name: "runs".into(),
                    relkind: "r".into(),
                    rls_enabled: true,
                    rls_forced: true,
                    populated: true,
                    comment: Some("runs".into()),
                    ..RelationRow::default()
                },
                RelationRow {
                    oid: 11,
                    schema: "public".into(),
                    name: "mv".into(),
                    relkind: "m".into(),
                    populated: false,
                    view_definition: Some(" SELECT runs.id\n   FROM runs;".into()),
                    ..RelationRow::default()
                },
            ],
            read_at: "2026-01-01T00:00:00Z".into(),
            ..CatalogRows::default()
        }
    }

    #[test]
    fn relations_columns_and_views() {
        let mut rows = scoped_rows();
        rows.columns = vec![
            ColumnRow {
                relation: 10,
                name: "id".into(),
                data_type: "integer".into(),
                not_null: true,
                identity: "a".into(),
                ..ColumnRow::default()
            },
            ColumnRow {
                relation: 10,
                name: "total".into(),
                data_type: "numeric(6,5)".into(),
                default: Some("(id * 2)".into()),
                generated: "s".into(),
                ..ColumnRow::default()
            },
            ColumnRow {
                relation: 99,
                name: "orphan".into(),
                data_type: "text".into(),
                ..ColumnRow::default()
            },
        ]
        .into();
        let catalog = assemble(rows, "public");
        let runs = &catalog.relations[&QualifiedName::new("public", "runs")];
        assert!(runs.rls_enabled && runs.rls_forced);
        assert_eq!(runs.columns.len(), 2);
        assert_eq!(runs.columns[0].identity, Some(Identity::Always));
        assert_eq!(
            runs.columns[1].data_type,
            Some(SqlType::parse("numeric(6,5)"))
        );
        assert_eq!(runs.columns[1].generated.as_deref(), Some("(id * 2)"));
        assert_eq!(runs.columns[1].default, None);
        let mv = &catalog.relations[&QualifiedName::new("public", "mv")];
        assert_eq!(mv.kind, RelationKind::MaterializedView);
        let view = mv.view.as_ref().expect("matview definition");
        assert_eq!(view.query, "SELECT runs.id\n   FROM runs");
        assert!(!view.with_data);
        assert_eq!(
            catalog.index_statistics.expect("statistics").read_at,
            "2026-01-01T00:00:00Z"
        );
    }

    #[test]
    fn constraints_are_structured() {
        let mut rows = scoped_rows();
        rows.constraints = vec![
            ConstraintRow {
                relation: 10,
                name: "ck_state".into(),
                contype: "c".into(),
                definition: Some(
                    "CHECK (state = ANY (ARRAY['a'::text, 'b'::text])) NOT VALID".into(),
                ),
                ..ConstraintRow::default()
            },
            ConstraintRow {
                relation: 10,
                name: "fk_tenant".into(),
                contype: "f".into(),
                columns: vec!["tenant_id".into(), "event_id".into()],
                referenced_schema: Some("public".into()),
                referenced_name: Some("events".into()),
                referenced_columns: vec!["tenant_id".into(), "id".into()],
                on_delete: "c".into(),
                on_update: "a".into(),
                deferrable: true,
                ..ConstraintRow::default()
            },
            ConstraintRow {
                relation: 10,
                name: "ex_range".into(),
                contype: "x".into(),
                definition: Some("EXCLUDE USING gist (during WITH &&)".into()),
                ..ConstraintRow::default()
            },
            ConstraintRow {
                relation: 10,
                name: "trigger_constraint".into(),
                contype: "t".into(),
                ..ConstraintRow::default()
            },
        ]
        .into();
        let catalog = assemble(rows, "public");
        let runs = &catalog.relations[&QualifiedName::new("public", "runs")];
        assert_eq!(
            runs.constraints["ck_state"].kind,
            ConstraintKind::Check {
                expression: "state = ANY (ARRAY['a'::text, 'b'::text])".into()
            }
        );
        let foreign_key = &runs.constraints["fk_tenant"];
        assert!(foreign_key.deferrable);
        assert_eq!(
            foreign_key.kind,
            ConstraintKind::ForeignKey {
                columns: vec!["tenant_id".into(), "event_id".into()],
                references: QualifiedName::new("public", "events"),
                referenced_columns: vec!["tenant_id".into(), "id".into()],
                on_delete: ForeignKeyAction::Cascade,
                on_update: ForeignKeyAction::NoAction,
            }
        );
        assert_eq!(
            runs.constraints["ex_range"].kind,
            ConstraintKind::Exclusion {
                definition: "USING gist (during WITH &&)".into()
            }
        );
        assert!(!runs.constraints.contains_key("trigger_constraint"));
    }

    #[test]
    fn check_expressions_lose_only_the_clause_parentheses() {
        assert_eq!(
            check_expression("CHECK ((a > 0) AND (b > 0))"),
            "(a > 0) AND (b > 0)"
        );
        assert_eq!(check_expression("CHECK (a > 0)"), "a > 0");
        assert_eq!(check_expression("CHECK (a = ')(')"), "a = ')('");
    }

    #[test]
    fn indexes_keys_options_and_include() {
        let mut rows = scoped_rows();
        rows.indexes = vec![IndexRow {
            relation: 10,
            name: "idx".into(),
            method: "btree".into(),
            key_count: 3,
            attribute_names: vec![
                Some("tenant_id".into()),
                None,
                Some("created_at".into()),
                Some("note".into()),
            ],
            definitions: vec![None, Some("lower(name)".into()), None, None],
            options: vec![0, 3, 1],
            opclasses: vec![None, Some("text_pattern_ops".into()), None],
            predicate: Some("(state = 'running'::text)".into()),
            ..IndexRow::default()
        }]
        .into();
        let catalog = assemble(rows, "public");
        let index = &catalog.relations[&QualifiedName::new("public", "runs")].indexes["idx"];
        assert_eq!(index.keys.len(), 3);
        assert_eq!(
            index.keys[0].target,
            IndexTarget::Column("tenant_id".into())
        );
        assert_eq!(
            index.keys[1].target,
            IndexTarget::Expression("lower(name)".into())
        );
        assert!(index.keys[1].descending);
        assert_eq!(
            index.keys[1].nulls_first, None,
            "DESC NULLS FIRST is the default"
        );
        assert_eq!(index.keys[1].opclass.as_deref(), Some("text_pattern_ops"));
        assert!(index.keys[2].descending);
        assert_eq!(
            index.keys[2].nulls_first,
            Some(false),
            "DESC NULLS LAST is written"
        );
        assert_eq!(index.include, vec!["note"]);
        assert_eq!(
            index.predicate.as_deref(),
            Some("(state = 'running'::text)")
        );
    }

    #[test]
    fn policies_grants_and_triggers() {
        let mut rows = scoped_rows();
        rows.policies = vec![PolicyRow {
            relation: 10,
            name: "p".into(),
            command: "r".into(),
            permissive: true,
            roles: vec!["public".into(), "app_user".into()],
            using: Some("(tenant_id = 1)".into()),
            ..PolicyRow::default()
        }]
        .into();
        rows.grants = ["SELECT", "INSERT", "SELECT"]
            .iter()
            .map(|privilege| GrantRow {
                relation: 10,
                grantee: "app_user".into(),
                privilege: privilege.to_lowercase(),
            })
            .collect();
        rows.triggers = vec![TriggerRow {
            relation: 10,
            name: "trg".into(),
            tgtype: TRIGGER_ROW | TRIGGER_BEFORE | TRIGGER_UPDATE | TRIGGER_INSERT,
            function_schema: "public".into(),
            function_name: "audit".into(),
            argument_count: 2,
            arguments: b"a\0b c\0".to_vec(),
            definition: "CREATE TRIGGER trg BEFORE INSERT OR UPDATE ON public.runs FOR EACH ROW WHEN ((new.state <> 'x'::text)) EXECUTE FUNCTION audit('a', 'b c')".into(),
            ..TriggerRow::default()
        }].into();
        let catalog = assemble(rows, "public");
        let runs = &catalog.relations[&QualifiedName::new("public", "runs")];
        let policy = &runs.policies["p"];
        assert_eq!(policy.command, PolicyCommand::Select);
        assert_eq!(policy.roles, vec!["app_user", "public"]);
        let grants: Vec<_> = runs.grants.iter().map(|g| g.privilege.as_str()).collect();
        assert_eq!(grants, vec!["INSERT", "SELECT"]);
        let trigger = &runs.triggers["trg"];
        assert_eq!(trigger.timing, "BEFORE");
        assert_eq!(trigger.events, vec!["INSERT", "UPDATE"]);
        assert!(trigger.for_each_row);
        assert_eq!(trigger.arguments, vec!["a", "b c"]);
        assert_eq!(trigger.when.as_deref(), Some("(new.state <> 'x'::text)"));
        assert_eq!(trigger.function, QualifiedName::new("public", "audit"));
        assert_eq!(trigger.constraint, None);
    }

    #[test]
    fn constraint_triggers_keep_their_deferral() {
        for (deferrable, initially_deferred, expected) in [
            (false, false, TriggerDeferral::NotDeferrable),
            (true, false, TriggerDeferral::InitiallyImmediate),
            (true, true, TriggerDeferral::InitiallyDeferred),
        ] {
            let mut rows = scoped_rows();
            rows.triggers = vec![TriggerRow {
                relation: 10,
                name: "trg".into(),
                tgtype: TRIGGER_ROW | TRIGGER_UPDATE,
                function_schema: "public".into(),
                function_name: "audit".into(),
                definition: "CREATE CONSTRAINT TRIGGER trg AFTER UPDATE ON public.runs …".into(),
                is_constraint: true,
                deferrable,
                initially_deferred,
                ..TriggerRow::default()
            }]
            .into();
            let catalog = assemble(rows, "public");
            let runs = &catalog.relations[&QualifiedName::new("public", "runs")];
            assert_eq!(runs.triggers["trg"].constraint, Some(expected));
        }
    }

    #[test]
    fn index_keys_know_their_collations_and_default_operator_classes() {
        let mut rows = scoped_rows();
        rows.indexes = vec![IndexRow {
            relation: 10,
            name: "idx".into(),
            method: "btree".into(),
            key_count: 3,
            attribute_names: vec![Some("name".into()), None, None],
            definitions: vec![
                None,
                Some("lower(name)".into()),
                Some("(name || 'x'::text)".into()),
            ],
            options: vec![0, 0, 0],
            opclasses: vec![Some("text_pattern_ops".into()), None, None],
            default_opclasses: vec![None, Some("text_ops".into()), Some("text_ops".into())],
            collations: vec![
                Some("C".into()),
                Some("default".into()),
                Some("POSIX".into()),
            ],
            collation_is_columns: vec![Some(false), None, None],
            definition: Some(
                "CREATE INDEX idx ON runs USING btree (name COLLATE \"C\" text_pattern_ops, \
                 lower(name), (name || 'x'::text) COLLATE \"POSIX\" DESC)"
                    .into(),
            ),
            ..IndexRow::default()
        }]
        .into();
        let catalog = assemble(rows, "public");
        let keys = &catalog.relations[&QualifiedName::new("public", "runs")].indexes["idx"].keys;
        let collations: Vec<_> = keys
            .iter()
            .map(|key| (key.collation.as_deref(), key.default_collation.as_deref()))
            .collect();
        assert_eq!(
            collations,
            [
                (Some("C"), None),
                (None, Some("default")),
                (Some("POSIX"), None)
            ]
        );
        assert_eq!(keys[0].opclass.as_deref(), Some("text_pattern_ops"));
        assert_eq!(keys[1].default_opclass.as_deref(), Some("text_ops"));
    }

    #[test]
    fn sequences_functions_extensions_owners_and_trigger_states() {
        let mut rows = scoped_rows();
        rows.relations[0].owner = "app_owner".into();
        rows.relations[0].owner_privileges = vec!["select".into()];
        rows.extensions = vec![ExtensionRow {
            name: "citext".into(),
            schema: "ext".into(),
        }];
        rows.sequences = vec![SequenceRow {
            schema: "public".into(),
            name: "runs_id_seq".into(),
            data_type: "integer".into(),
            increment: 2,
            owner_schema: Some("public".into()),
            owner_relation: Some("runs".into()),
            owner_column: Some("id".into()),
        }];
        rows.functions = vec![FunctionRow {
            schema: "public".into(),
            name: "p".into(),
            arguments: vec!["int4".into()],
            kind: "p".into(),
            language: "plpgsql".into(),
            volatility: "s".into(),
            security_definer: true,
            source: Some(" begin end ".into()),
            ..FunctionRow::default()
        }];
        rows.triggers = vec![TriggerRow {
            relation: 10,
            name: "trg".into(),
            tgtype: TRIGGER_UPDATE,
            enabled: "D".into(),
            update_columns: vec!["b".into(), "a".into()],
            new_table: Some("new_rows".into()),
            ..TriggerRow::default()
        }]
        .into();
        let catalog = assemble(rows, "public");
        let runs = &catalog.relations[&QualifiedName::new("public", "runs")];
        assert_eq!(runs.owner.as_deref(), Some("app_owner"));
        assert_eq!(runs.owner_privileges, ["SELECT"]);
        assert_eq!(catalog.extension_schemas["citext"], "ext");
        let sequence = &catalog.sequences[&QualifiedName::new("public", "runs_id_seq")];
        assert_eq!(
            (sequence.data_type.as_str(), sequence.increment),
            ("integer", 2)
        );
        assert_eq!(
            sequence.owned_by,
            Some(ColumnSource {
                relation: QualifiedName::new("public", "runs"),
                column: "id".into()
            })
        );
        let procedure = &catalog.functions[&QualifiedName::new("public", "p")][0];
        assert_eq!(procedure.kind, FunctionKind::Procedure);
        assert_eq!(procedure.arguments, ["integer"]);
        assert_eq!(procedure.volatility, Volatility::Stable);
        assert!(procedure.security_definer);
        assert!(
            matches!(&procedure.body, Some(FunctionBody::Source { text }) if text == " begin end ")
        );
        let trigger = &runs.triggers["trg"];
        assert_eq!(trigger.state, TriggerState::Disabled);
        assert_eq!(trigger.update_columns, ["b", "a"]);
        assert_eq!(trigger.new_table.as_deref(), Some("new_rows"));
        assert_eq!(trigger.old_table, None);
    }
}
