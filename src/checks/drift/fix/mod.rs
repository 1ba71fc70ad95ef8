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

/// The serial pseudo-type to write for `column` when it was declared one: an integer
/// column with the `nextval('…_seq'::regclass)` default the spec loader gives a serial
/// column (writing that default instead would need the sequence to exist).
fn serial_type(column: &Column) -> Option<&'static str> {
    let sequence = column
        .default
        .as_ref()?
        .text()
        .strip_prefix("nextval('")?
        .strip_suffix("'::regclass)")?;
    if !sequence.trim_end_matches('"').ends_with("_seq") || column.identity.is_some() {
        return None;
    }
    match column.data_type.as_ref()?.to_string().as_str() {
        "integer" => Some("serial"),
        "bigint" => Some("bigserial"),
        "smallint" => Some("smallserial"),
        _ => None,
    }
}

/// A column as `CREATE TABLE` and `ADD COLUMN` write it: name, type, generated
/// expression or default, identity, `NOT NULL`. A serial column is written as `serial`,
/// which creates the sequence its default names.
fn column_definition(column: &Column) -> Option<String> {
    let mut text = quote_identifier(&column.name);
    if let Some(serial) = serial_type(column) {
        text.push(' ');
        text.push_str(serial);
        return Some(text);
    }
    text.push(' ');
    text.push_str(&sql_type(column.data_type.as_ref()?));
    if let Some(generated) = &column.generated {
        text.push_str(&format!(
            " GENERATED ALWAYS AS ({}) STORED",
            generated.text().trim()
        ));
    } else if let Some(default) = &column.default {
        text.push_str(&format!(" DEFAULT {}", default.text().trim()));
    }
    if let Some(identity) = column.identity {
        text.push_str(match identity {
            Identity::Always => " GENERATED ALWAYS AS IDENTITY",
            Identity::ByDefault => " GENERATED BY DEFAULT AS IDENTITY",
        });
    }
    if column.not_null {
        text.push_str(" NOT NULL");
    }
    Some(text)
}

fn column_list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|column| quote_identifier(column))
        .collect::<Vec<_>>()
        .join(", ")
}

fn action(action: ForeignKeyAction) -> Option<&'static str> {
    match action {
        ForeignKeyAction::NoAction => None,
        ForeignKeyAction::Restrict => Some("RESTRICT"),
        ForeignKeyAction::Cascade => Some("CASCADE"),
        ForeignKeyAction::SetNull => Some("SET NULL"),
        ForeignKeyAction::SetDefault => Some("SET DEFAULT"),
    }
}

/// A constraint's definition after its name: `PRIMARY KEY (…)`, `UNIQUE (…)`,
/// `FOREIGN KEY (…) REFERENCES …`, `CHECK (…)`, `EXCLUDE …`, with its deferral (which an
/// exclusion constraint's definition, kept as written, already holds).
fn constraint_definition(constraint: &Constraint) -> String {
    let mut text = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns } => format!("PRIMARY KEY ({})", column_list(columns)),
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
        } => format!(
            "UNIQUE {}({})",
            if *nulls_not_distinct {
                "NULLS NOT DISTINCT "
            } else {
                ""
            },
            column_list(columns)
        ),
        ConstraintKind::ForeignKey {
            columns,
            references,
            referenced_columns,
            on_delete,
            on_update,
        } => {
            let mut text = format!(
                "FOREIGN KEY ({}) REFERENCES {}",
                column_list(columns),
                references.quoted()
            );
            if !referenced_columns.is_empty() {
                text.push_str(&format!(" ({})", column_list(referenced_columns)));
            }
            if let Some(action) = action(*on_delete) {
                text.push_str(&format!(" ON DELETE {action}"));
            }
            if let Some(action) = action(*on_update) {
                text.push_str(&format!(" ON UPDATE {action}"));
            }
            text
        }
        ConstraintKind::Check { expression } => {
            format!(
                "CHECK ({})",
                crate::sql::check_expression(expression.text())
            )
        }
        ConstraintKind::Exclusion { definition } => {
            let definition = definition.trim();
            let body = definition
                .get(..8)
                .filter(|head| head.eq_ignore_ascii_case("exclude "))
                .map_or(definition, |_| definition[8..].trim_start());
            return format!("EXCLUDE {body}");
        }
    };
    if constraint.initially_deferred {
        text.push_str(" DEFERRABLE INITIALLY DEFERRED");
    } else if constraint.deferrable {
        text.push_str(" DEFERRABLE");
    }
    text
}

/// Whether PostgreSQL lets the index be built or dropped `CONCURRENTLY`: not on a
/// partitioned table (nor with `ON ONLY`).
fn concurrently(relation: &Relation, index: &Index) -> &'static str {
    if relation.kind == RelationKind::PartitionedTable || index.only {
        ""
    } else {
        " CONCURRENTLY"
    }
}

fn index_key(key: &IndexKey) -> String {
    let mut text = match &key.target {
        IndexTarget::Column(column) => quote_identifier(column),
        IndexTarget::Expression(expression) => format!("({})", expression.text().trim()),
    };
    if let Some(collation) = &key.collation {
        text.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(opclass) = &key.opclass {
        text.push(' ');
        text.push_str(opclass);
    }
    if key.descending {
        text.push_str(" DESC");
    }
    match key.nulls_first {
        Some(true) if !key.descending => text.push_str(" NULLS FIRST"),
        Some(false) if key.descending => text.push_str(" NULLS LAST"),
        _ => {}
    }
    text
}

/// `CREATE [UNIQUE] INDEX [CONCURRENTLY] name ON table …` under the name `name`.
fn create_index_as(relation: &Relation, index: &Index, name: &str) -> String {
    let mut text = format!(
        "CREATE {}INDEX{} {} ON {}{}",
        if index.unique { "UNIQUE " } else { "" },
        concurrently(relation, index),
        quote_identifier(name),
        if index.only { "ONLY " } else { "" },
        relation.name.quoted()
    );
    if !index.method.eq_ignore_ascii_case("btree") {
        text.push_str(&format!(" USING {}", index.method.to_lowercase()));
    }
    let keys: Vec<String> = index.keys.iter().map(index_key).collect();
    text.push_str(&format!(" ({})", keys.join(", ")));
    if !index.include.is_empty() {
        text.push_str(&format!(" INCLUDE ({})", column_list(&index.include)));
    }
    if index.nulls_not_distinct {
        text.push_str(" NULLS NOT DISTINCT");
    }
    if let Some(predicate) = &index.predicate {
        text.push_str(&format!(" WHERE {}", predicate.text().trim()));
    }
    text
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

fn policy_roles(policy: &Policy) -> String {
    policy
        .roles
        .iter()
        .map(|role| {
            if role == "public" {
                "PUBLIC".to_string()
            } else {
                quote_identifier(role)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn grantee(role: &str) -> String {
    if role == "public" {
        "PUBLIC".into()
    } else {
        quote_identifier(role)
    }
}

/// `CREATE POLICY …` of the spec's policy.
fn create_policy_sql(relation: &QualifiedName, policy: &Policy) -> String {
    let mut text = format!(
        "CREATE POLICY {} ON {}",
        quote_identifier(&policy.name),
        relation.quoted()
    );
    if !policy.permissive {
        text.push_str(" AS RESTRICTIVE");
    }
    let command = match policy.command {
        PolicyCommand::All => None,
        PolicyCommand::Select => Some("SELECT"),
        PolicyCommand::Insert => Some("INSERT"),
        PolicyCommand::Update => Some("UPDATE"),
        PolicyCommand::Delete => Some("DELETE"),
    };
    if let Some(command) = command {
        text.push_str(&format!(" FOR {command}"));
    }
    text.push_str(&format!(" TO {}", policy_roles(policy)));
    if let Some(using) = &policy.using {
        text.push_str(&format!(" USING ({})", using.text().trim()));
    }
    if let Some(with_check) = &policy.with_check {
        text.push_str(&format!(" WITH CHECK ({})", with_check.text().trim()));
    }
    text
}

/// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER …` of the spec's trigger.
fn create_trigger_sql(relation: &QualifiedName, trigger: &Trigger, or_replace: bool) -> String {
    let mut text = format!(
        "CREATE {}{}TRIGGER {} {} {} ON {}",
        if or_replace { "OR REPLACE " } else { "" },
        if trigger.constraint.is_some() {
            "CONSTRAINT "
        } else {
            ""
        },
        quote_identifier(&trigger.name),
        trigger.timing.to_uppercase(),
        trigger.events.join(" OR "),
        relation.quoted()
    );
    if let Some(deferral) = trigger.constraint {
        text.push(' ');
        text.push_str(deferral.clause());
    }
    text.push_str(if trigger.for_each_row {
        " FOR EACH ROW"
    } else {
        " FOR EACH STATEMENT"
    });
    if let Some(when) = &trigger.when {
        text.push_str(&format!(" WHEN ({})", when.text().trim()));
    }
    let arguments: Vec<String> = trigger
        .arguments
        .iter()
        .map(|argument| literal(argument))
        .collect();
    text.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        trigger.function.quoted(),
        arguments.join(", ")
    ));
    text
}

/// Everything the specs say about `relation`, in the statements that create it: the
/// relation, its indexes, foreign keys, row-level security, policies, privileges,
/// triggers and comments. `None` for a partitioned table or a partition, whose
/// partitioning the model does not keep, and for a table with a column whose type the
/// specs do not say.
pub(crate) fn create_relation(relation: &Relation) -> Option<Fix> {
    if relation.kind == RelationKind::PartitionedTable || relation.partition_of.is_some() {
        return None;
    }
    let mut fix = Builder::default();
    let name = &relation.name;
    match (&relation.view, relation.kind) {
        (Some(view), RelationKind::View | RelationKind::MaterializedView) => {
            fix.push(FixStep::View, view_sql(relation, view.query.text(), false)?);
        }
        (_, RelationKind::Table) => {
            let mut parts = Vec::new();
            for column in &relation.columns {
                parts.push(column_definition(column)?);
            }
            for constraint in relation.constraints.values() {
                if !matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) {
                    parts.push(format!(
                        "CONSTRAINT {} {}",
                        quote_identifier(&constraint.name),
                        constraint_definition(constraint)
                    ));
                }
            }
            fix.push(
                FixStep::CreateTable,
                format!(
                    "CREATE TABLE {} (\n    {}\n)",
                    name.quoted(),
                    parts.join(",\n    ")
                ),
            );
            for constraint in relation.constraints.values() {
                if matches!(constraint.kind, ConstraintKind::ForeignKey { .. }) {
                    fix.push(
                        FixStep::Reference,
                        format!(
                            "{} ADD CONSTRAINT {} {}",
                            alter_table(name),
                            quote_identifier(&constraint.name),
                            constraint_definition(constraint)
                        ),
                    );
                }
            }
        }
        _ => return None,
    }
    for index in relation.indexes.values() {
        if index.constraint.is_none() {
            fix.push(
                FixStep::Index,
                create_index_as(relation, index, &index.name),
            );
        }
    }
    fix.extend(rls(
        name,
        RlsState {
            enabled: relation.rls_enabled,
            forced: relation.rls_forced,
        },
        RlsState {
            enabled: false,
            forced: false,
        },
    ));
    for policy in relation.policies.values() {
        fix.push(FixStep::Policy, create_policy_sql(name, policy));
    }
    let mut grants: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for grant in &relation.grants {
        grants
            .entry(grant.grantee.as_str())
            .or_default()
            .push(grant.privilege.as_str());
    }
    for (role, privileges) in grants {
        fix.push(
            FixStep::Grant,
            format!(
                "GRANT {} ON {} TO {}",
                privileges.join(", "),
                name.quoted(),
                grantee(role)
            ),
        );
    }
    for trigger in relation.triggers.values() {
        fix.push(FixStep::Trigger, create_trigger_sql(name, trigger, false));
    }
    for (target, comment) in comments(relation) {
        fix.push(
            FixStep::Comment,
            comment_statement(&comment_on(relation, &target), Some(comment)),
        );
    }
    fix.build()
}

/// Every comment the relation and its members carry.
fn comments(relation: &Relation) -> Vec<(CommentTarget, &str)> {
    let mut found = Vec::new();
    if let Some(comment) = &relation.comment {
        found.push((CommentTarget::Relation, comment.as_str()));
    }
    for column in &relation.columns {
        if let Some(comment) = &column.comment {
            found.push((CommentTarget::Column(column.name.clone()), comment.as_str()));
        }
    }
    for (name, index) in &relation.indexes {
        if let Some(comment) = &index.comment {
            found.push((CommentTarget::Index(name.clone()), comment.as_str()));
        }
    }
    for (name, constraint) in &relation.constraints {
        if let Some(comment) = &constraint.comment {
            found.push((CommentTarget::Constraint(name.clone()), comment.as_str()));
        }
    }
    for (name, policy) in &relation.policies {
        if let Some(comment) = &policy.comment {
            found.push((CommentTarget::Policy(name.clone()), comment.as_str()));
        }
    }
    for (name, trigger) in &relation.triggers {
        if let Some(comment) = &trigger.comment {
            found.push((CommentTarget::Trigger(name.clone()), comment.as_str()));
        }
    }
    found
}

/// `CREATE [OR REPLACE] VIEW` or `CREATE MATERIALIZED VIEW` with the spec's body and,
/// when the specs list them, its column names.
fn view_sql(relation: &Relation, query: &str, or_replace: bool) -> Option<String> {
    let query = query.trim().trim_end_matches(';').trim_end();
    if query.is_empty() {
        return None;
    }
    // One clause per line, for the reader, where only whitespace can change: no
    // backslash (an `E'…'` escape) or dollar quote the layout could misread.
    let query = if query.contains(['\\', '$']) {
        query.to_string()
    } else {
        super::layout::one_clause_per_line(query)
    };
    let columns = if relation.columns.is_empty() {
        String::new()
    } else {
        let names: Vec<String> = relation
            .columns
            .iter()
            .map(|column| column.name.clone())
            .collect();
        format!(" ({})", column_list(&names))
    };
    let materialized = relation.kind == RelationKind::MaterializedView;
    let mut text = format!(
        "CREATE {}{} {}{columns} AS\n{query}",
        if or_replace { "OR REPLACE " } else { "" },
        if materialized {
            "MATERIALIZED VIEW"
        } else {
            "VIEW"
        },
        relation.name.quoted()
    );
    if materialized && relation.view.as_ref().is_some_and(|view| !view.with_data) {
        text.push_str("\nWITH NO DATA");
    }
    Some(text)
}

/// Drops a relation the specs do not define: destructive.
pub(crate) fn drop_relation(name: &QualifiedName, kind: RelationKind) -> Fix {
    let (step, why) = match kind {
        RelationKind::View => (FixStep::DropView, "drops the view"),
        RelationKind::MaterializedView => (FixStep::DropView, "drops the materialized view"),
        RelationKind::Table | RelationKind::PartitionedTable => {
            (FixStep::DropTable, "drops the table and its rows")
        }
    };
    Fix::destructive(
        step,
        format!("DROP {} {}", kind_keyword(kind), name.quoted()),
        why,
    )
}

/// Replaces a relation of another kind by the spec's: the drop and the creation are
/// all destructive (the creation cannot run while the other relation exists).
pub(crate) fn replace_relation(relation: &Relation, live_kind: RelationKind) -> Option<Fix> {
    let create = create_relation(relation)?;
    let why = format!(
        "replaces the {} by the {} of the specs",
        live_kind.describe(),
        relation.kind.describe()
    );
    let mut statements = drop_relation(&relation.name, live_kind).statements;
    statements.extend(create.statements);
    for statement in &mut statements {
        statement.destructive = Some(why.clone());
    }
    Some(Fix { statements })
}

/// Whether the columns of `relation` are its own to change: a table's are, a view's
/// are not, and a partition's follow its parent's (the parent's fix reaches them, and
/// PostgreSQL refuses to change an inherited column on the partition).
fn owns_columns(relation: &Relation) -> bool {
    relation.kind.is_table() && relation.partition_of.is_none()
}

/// The relation whose columns `relation`'s follow: its topmost partitioned ancestor for
/// a partition (whose fix is then the parent's, written once in a script), else itself.
pub(crate) fn column_owner<'a>(spec: &'a Catalog, relation: &'a Relation) -> &'a Relation {
    let mut owner = relation;
    // A partition tree is finite; the bound keeps a malformed catalog from looping.
    for _ in 0..spec.relations.len() {
        match owner
            .partition_of
            .as_ref()
            .and_then(|parent| spec.relations.get(parent))
        {
            Some(parent) => owner = parent,
            None => break,
        }
    }
    owner
}

/// `ADD COLUMN` of the spec's column, with its comment.
pub(crate) fn add_column(relation: &Relation, column: &Column) -> Option<Fix> {
    if !owns_columns(relation) {
        return None;
    }
    let mut fix = Builder::default();
    fix.push(
        FixStep::Column,
        format!(
            "{} ADD COLUMN {}",
            alter_table(&relation.name),
            column_definition(column)?
        ),
    );
    if let Some(comment) = &column.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(relation, &CommentTarget::Column(column.name.clone())),
                Some(comment),
            ),
        );
    }
    fix.build()
}

/// `DROP COLUMN` of a column the specs do not define: destructive.
pub(crate) fn drop_column(relation: &Relation, column: &str) -> Option<Fix> {
    owns_columns(relation).then(|| {
        Fix::destructive(
            FixStep::DropColumn,
            format!(
                "{} DROP COLUMN {}",
                alter_table(&relation.name),
                quote_identifier(column)
            ),
            "drops the column and its data",
        )
    })
}

/// Whether converting `from` to `to` keeps every value: integers to wider integers,
/// exact numbers to wider numerics, `character varying` and `text` to longer or
/// unbounded ones. (`character` is left out: converting it drops its trailing blanks.)
fn widens(from: &SqlType, to: &SqlType) -> bool {
    if from.is_array() != to.is_array() {
        return false;
    }
    let rank = |base: &str| match base {
        "smallint" => Some(1),
        "integer" => Some(2),
        "bigint" => Some(3),
        _ => None,
    };
    match (from.base(), to.base()) {
        (left, right) if rank(left).is_some() && rank(right).is_some() => rank(left) < rank(right),
        ("smallint" | "integer" | "bigint", "numeric") => match to.modifiers() {
            [] => true,
            [precision, scale] => precision - scale >= 19,
            _ => false,
        },
        ("numeric", "numeric") => match (from.modifiers(), to.modifiers()) {
            (_, []) => true,
            ([precision, scale], [wider_precision, wider_scale]) => {
                wider_scale >= scale && wider_precision - wider_scale >= precision - scale
            }
            _ => false,
        },
        ("character varying" | "text", "text") => true,
        ("character varying" | "text", "character varying") => {
            match (from.max_length(), to.max_length()) {
                (_, None) => true,
                (Some(shorter), Some(longer)) => shorter <= longer,
                (None, Some(_)) => false,
            }
        }
        _ => false,
    }
}

/// `ALTER COLUMN … TYPE … USING …` to the spec's type; destructive unless it widens.
pub(crate) fn alter_type(
    relation: &Relation,
    column: &str,
    expected: &SqlType,
    actual: &SqlType,
) -> Option<Fix> {
    if !owns_columns(relation) {
        return None;
    }
    let target = sql_type(expected);
    let sql = format!(
        "{} ALTER COLUMN {name} TYPE {target} USING {name}::{target}",
        alter_table(&relation.name),
        name = quote_identifier(column),
    );
    Some(if widens(actual, expected) {
        Fix::one(FixStep::Column, sql)
    } else {
        Fix::destructive(
            FixStep::Column,
            sql,
            format!("converting {actual} to {expected} can fail or lose data"),
        )
    })
}

/// `SET NOT NULL` or `DROP NOT NULL`.
pub(crate) fn set_nullability(relation: &Relation, column: &str, not_null: bool) -> Option<Fix> {
    owns_columns(relation).then(|| {
        Fix::one(
            FixStep::Column,
            format!(
                "{} ALTER COLUMN {} {} NOT NULL",
                alter_table(&relation.name),
                quote_identifier(column),
                if not_null { "SET" } else { "DROP" }
            ),
        )
    })
}

/// The column's default, identity or generated expression as the specs say (the
/// `property` of the difference). A generated expression cannot be changed in place
/// before PostgreSQL 17: only dropping one the specs do not have is fixed.
pub(crate) fn set_default(
    relation: &Relation,
    wanted: &Column,
    found: &Column,
    property: &str,
) -> Option<Fix> {
    if !relation.kind.is_table() {
        return None;
    }
    let alter = format!(
        "{} ALTER COLUMN {}",
        alter_table(&relation.name),
        quote_identifier(&wanted.name)
    );
    let sql = match property {
        "default" => match &wanted.default {
            Some(default) => format!("{alter} SET DEFAULT {}", default.text().trim()),
            None => format!("{alter} DROP DEFAULT"),
        },
        "identity" => match (wanted.identity, found.identity) {
            (None, _) => format!("{alter} DROP IDENTITY"),
            (Some(identity), None) => format!(
                "{alter} ADD GENERATED {} AS IDENTITY",
                identity_keyword(identity)
            ),
            (Some(identity), Some(_)) => {
                format!("{alter} SET GENERATED {}", identity_keyword(identity))
            }
        },
        "generated" if wanted.generated.is_none() => format!("{alter} DROP EXPRESSION"),
        _ => return None,
    };
    Some(Fix::one(FixStep::Column, sql))
}

fn identity_keyword(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    }
}

/// Creates the spec's index, with its comment.
pub(crate) fn create_index(relation: &Relation, index: &Index) -> Fix {
    let mut fix = Builder::default();
    fix.push(
        FixStep::Index,
        create_index_as(relation, index, &index.name),
    );
    if let Some(comment) = &index.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(relation, &CommentTarget::Index(index.name.clone())),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
    }
}

/// Drops an index the specs do not define: destructive.
pub(crate) fn drop_index(relation: &Relation, index: &Index) -> Fix {
    Fix::destructive(
        FixStep::DropIndex,
        format!(
            "DROP INDEX{} {}",
            concurrently(relation, index),
            index_name(&relation.name, &index.name)
        ),
        "drops the index",
    )
}

/// Rebuilds an index as the specs define it: the new one is built under a temporary
/// name, the old one dropped, and the new one renamed, so that the table is never
/// without the index; its comment is set again.
pub(crate) fn recreate_index(relation: &Relation, wanted: &Index, found: &Index) -> Fix {
    let temporary = temporary_name(&wanted.name);
    let mut fix = Builder::default();
    fix.push(
        FixStep::Index,
        create_index_as(relation, wanted, &temporary),
    );
    fix.push(
        FixStep::Index,
        format!(
            "DROP INDEX{} {}",
            concurrently(relation, found),
            index_name(&relation.name, &found.name)
        ),
    );
    fix.push(
        FixStep::Index,
        format!(
            "ALTER INDEX {} RENAME TO {}",
            index_name(&relation.name, &temporary),
            quote_identifier(&wanted.name)
        ),
    );
    if let Some(comment) = &wanted.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(relation, &CommentTarget::Index(wanted.name.clone())),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
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

/// The unique index a primary key or unique constraint is added on.
fn key_index(relation: &Relation, constraint: &Constraint, columns: &[String]) -> Index {
    Index {
        name: constraint.name.clone(),
        unique: true,
        method: "btree".into(),
        keys: columns
            .iter()
            .map(|column| IndexKey {
                target: IndexTarget::Column(column.clone()),
                descending: false,
                nulls_first: None,
                opclass: None,
                collation: None,
            })
            .collect(),
        include: relation
            .indexes
            .get(&constraint.name)
            .map(|index| index.include.clone())
            .unwrap_or_default(),
        predicate: None,
        nulls_not_distinct: matches!(
            constraint.kind,
            ConstraintKind::Unique {
                nulls_not_distinct: true,
                ..
            }
        ),
        only: false,
        constraint: None,
        comment: None,
        location: None,
    }
}

/// The statements that give an existing table the spec's constraint, dropping the
/// constraint of the same name first when `replacing`: a key on a unique index built
/// concurrently (under a temporary name while the old key's index holds the name, the
/// drop and the add in one statement), a foreign key or check `NOT VALID` then
/// validated, an exclusion constraint directly; with its comment.
fn constraint_statements(relation: &Relation, constraint: &Constraint, replacing: bool) -> Fix {
    let mut fix = Builder::default();
    let name = quote_identifier(&constraint.name);
    let drop = format!("DROP CONSTRAINT {name}, ");
    let table = format!(
        "{} {}",
        alter_table(&relation.name),
        if replacing { drop.as_str() } else { "" }
    );
    let deferral = if constraint.initially_deferred {
        " DEFERRABLE INITIALLY DEFERRED"
    } else if constraint.deferrable {
        " DEFERRABLE"
    } else {
        ""
    };
    let key = match &constraint.kind {
        ConstraintKind::PrimaryKey { columns } => Some(("PRIMARY KEY", columns)),
        ConstraintKind::Unique { columns, .. } => Some(("UNIQUE", columns)),
        _ => None,
    };
    let partitioned = relation.kind == RelationKind::PartitionedTable;
    let step = match constraint.kind {
        ConstraintKind::ForeignKey { .. } | ConstraintKind::Check { .. } => FixStep::Reference,
        _ => FixStep::Key,
    };
    match key {
        Some((keyword, columns)) if !partitioned => {
            let index = if replacing {
                temporary_name(&constraint.name)
            } else {
                constraint.name.clone()
            };
            fix.push(
                FixStep::Index,
                create_index_as(relation, &key_index(relation, constraint, columns), &index),
            );
            fix.push(
                FixStep::Key,
                format!(
                    "{table}ADD CONSTRAINT {name} {keyword} USING INDEX {}{deferral}",
                    quote_identifier(&index)
                ),
            );
        }
        None if step == FixStep::Reference && !partitioned => {
            fix.push(
                step,
                format!(
                    "{table}ADD CONSTRAINT {name} {} NOT VALID",
                    constraint_definition(constraint)
                ),
            );
            fix.push(
                FixStep::Validate,
                format!("{} VALIDATE CONSTRAINT {name}", alter_table(&relation.name)),
            );
        }
        _ => fix.push(
            step,
            format!(
                "{table}ADD CONSTRAINT {name} {}",
                constraint_definition(constraint)
            ),
        ),
    }
    if let Some(comment) = &constraint.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &comment_on(
                    relation,
                    &CommentTarget::Constraint(constraint.name.clone()),
                ),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
    }
}

/// Adds the spec's constraint to an existing table.
pub(crate) fn add_constraint(relation: &Relation, constraint: &Constraint) -> Option<Fix> {
    relation
        .kind
        .is_table()
        .then(|| constraint_statements(relation, constraint, false))
}

/// Drops a constraint the specs do not define: destructive.
pub(crate) fn drop_constraint(relation: &QualifiedName, constraint: &Constraint) -> Fix {
    let step = match constraint.kind {
        ConstraintKind::ForeignKey { .. } => FixStep::DropDependent,
        _ => FixStep::DropConstraint,
    };
    Fix::destructive(
        step,
        format!(
            "{} DROP CONSTRAINT {}",
            alter_table(relation),
            quote_identifier(&constraint.name)
        ),
        "drops the constraint: the database no longer enforces it",
    )
}

/// Replaces a constraint by the spec's definition, in one statement that drops the old
/// one and adds the new one (on a unique index built beforehand, for a key).
pub(crate) fn recreate_constraint(relation: &Relation, wanted: &Constraint) -> Option<Fix> {
    relation
        .kind
        .is_table()
        .then(|| constraint_statements(relation, wanted, true))
}

/// The row-level security switches that take the table from `actual` to `expected`.
pub(crate) fn rls(relation: &QualifiedName, expected: RlsState, actual: RlsState) -> Option<Fix> {
    let mut actions = Vec::new();
    if expected.enabled != actual.enabled {
        actions.push(if expected.enabled {
            "ENABLE ROW LEVEL SECURITY"
        } else {
            "DISABLE ROW LEVEL SECURITY"
        });
    }
    if expected.forced != actual.forced {
        actions.push(if expected.forced {
            "FORCE ROW LEVEL SECURITY"
        } else {
            "NO FORCE ROW LEVEL SECURITY"
        });
    }
    (!actions.is_empty()).then(|| {
        Fix::one(
            FixStep::Security,
            format!("{} {}", alter_table(relation), actions.join(", ")),
        )
    })
}

/// Creates the spec's policy, with its comment.
pub(crate) fn create_policy(relation: &QualifiedName, policy: &Policy) -> Fix {
    let mut fix = Builder::default();
    fix.push(FixStep::Policy, create_policy_sql(relation, policy));
    policy_comment(relation, policy, &mut fix);
    Fix {
        statements: fix.statements,
    }
}

fn policy_comment(relation: &QualifiedName, policy: &Policy, fix: &mut Builder) {
    if let Some(comment) = &policy.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &format!(
                    "POLICY {} ON {}",
                    quote_identifier(&policy.name),
                    relation.quoted()
                ),
                Some(comment),
            ),
        );
    }
}

/// Drops a policy the specs do not define: destructive.
pub(crate) fn drop_policy(relation: &QualifiedName, policy: &str) -> Fix {
    Fix::destructive(
        FixStep::DropDependent,
        format!(
            "DROP POLICY {} ON {}",
            quote_identifier(policy),
            relation.quoted()
        ),
        "drops the policy: the rows it let roles see or write are no longer reachable through it",
    )
}

/// Changes a policy to the spec's definition: `ALTER POLICY` when only its roles and
/// clauses differ (and no clause must go), else dropped and created again.
pub(crate) fn change_policy(relation: &QualifiedName, wanted: &Policy, found: &Policy) -> Fix {
    let alterable = wanted.permissive == found.permissive
        && wanted.command == found.command
        && (wanted.using.is_some() || found.using.is_none())
        && (wanted.with_check.is_some() || found.with_check.is_none());
    if alterable {
        let mut sql = format!(
            "ALTER POLICY {} ON {} TO {}",
            quote_identifier(&wanted.name),
            relation.quoted(),
            policy_roles(wanted)
        );
        if let Some(using) = &wanted.using {
            sql.push_str(&format!(" USING ({})", using.text().trim()));
        }
        if let Some(with_check) = &wanted.with_check {
            sql.push_str(&format!(" WITH CHECK ({})", with_check.text().trim()));
        }
        return Fix::one(FixStep::Policy, sql);
    }
    let mut fix = Builder::default();
    fix.push(
        FixStep::Policy,
        format!(
            "DROP POLICY {} ON {}",
            quote_identifier(&wanted.name),
            relation.quoted()
        ),
    );
    fix.push(FixStep::Policy, create_policy_sql(relation, wanted));
    policy_comment(relation, wanted, &mut fix);
    Fix {
        statements: fix.statements,
    }
}

/// `GRANT privilege ON relation TO role`.
pub(crate) fn grant(relation: &QualifiedName, privilege: &str, role: &str) -> Fix {
    Fix::one(
        FixStep::Grant,
        format!(
            "GRANT {privilege} ON {} TO {}",
            relation.quoted(),
            grantee(role)
        ),
    )
}

/// `REVOKE privilege ON relation FROM role`.
pub(crate) fn revoke(relation: &QualifiedName, privilege: &str, role: &str) -> Fix {
    Fix::one(
        FixStep::Grant,
        format!(
            "REVOKE {privilege} ON {} FROM {}",
            relation.quoted(),
            grantee(role)
        ),
    )
}

/// Creates the spec's trigger (replacing one of the same name when `replace`), with its
/// comment. A constraint trigger cannot be replaced in place: it is dropped first.
pub(crate) fn create_trigger(relation: &QualifiedName, trigger: &Trigger, replace: bool) -> Fix {
    let mut fix = Builder::default();
    let or_replace = replace && trigger.constraint.is_none();
    if replace && !or_replace {
        fix.push(
            FixStep::Trigger,
            format!(
                "DROP TRIGGER {} ON {}",
                quote_identifier(&trigger.name),
                relation.quoted()
            ),
        );
    }
    fix.push(
        FixStep::Trigger,
        create_trigger_sql(relation, trigger, or_replace),
    );
    if let Some(comment) = &trigger.comment {
        fix.push(
            FixStep::Comment,
            comment_statement(
                &format!(
                    "TRIGGER {} ON {}",
                    quote_identifier(&trigger.name),
                    relation.quoted()
                ),
                Some(comment),
            ),
        );
    }
    Fix {
        statements: fix.statements,
    }
}

/// Drops a trigger the specs do not define: destructive.
pub(crate) fn drop_trigger(relation: &QualifiedName, trigger: &str) -> Fix {
    Fix::destructive(
        FixStep::DropDependent,
        format!(
            "DROP TRIGGER {} ON {}",
            quote_identifier(trigger),
            relation.quoted()
        ),
        "drops the trigger: what it does on each change stops",
    )
}

/// Gives a view the spec's body: `CREATE OR REPLACE VIEW`; a materialized view is
/// dropped and created again with its indexes, privileges and comments (its rows are
/// computed again; views that depend on it must be dropped first, by hand).
pub(crate) fn replace_view(relation: &Relation) -> Option<Fix> {
    let view = relation.view.as_ref()?;
    match relation.kind {
        RelationKind::View => Some(Fix::one(
            FixStep::View,
            view_sql(relation, view.query.text(), true)?,
        )),
        RelationKind::MaterializedView => {
            let mut fix = Builder::default();
            fix.push(
                FixStep::View,
                format!("DROP MATERIALIZED VIEW {}", relation.name.quoted()),
            );
            fix.extend(create_relation(relation));
            fix.build()
        }
        _ => None,
    }
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
