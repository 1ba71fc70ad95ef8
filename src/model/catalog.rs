use super::{Expr, Location, QualifiedName, SqlType};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The version of the catalog's JSON form (snapshots). Bump when a field changes meaning.
pub const CATALOG_FORMAT_VERSION: u32 = 1;

/// Facts added to [`CATALOG_FORMAT_VERSION`] without changing the meaning of any field, so
/// that older snapshots still read: 1 adds sequences, extension schemas, trigger states,
/// `UPDATE OF` columns and transition tables, function details (kind, language,
/// volatility, security, body), relation owners and their privileges, and index key
/// collations. A catalog of an older revision lacks them, and they are not compared with
/// it (a snapshot taken before would otherwise report every sequence missing).
pub const CATALOG_FORMAT_REVISION: u32 = 1;

/// Everything pgparity knows about one database's schema, from whatever source.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// [`CATALOG_FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// [`CATALOG_FORMAT_REVISION`] when written; 0 in snapshots written before revisions.
    #[serde(default)]
    pub format_revision: u32,
    /// Schemas created or used, with their location where one was written.
    pub schemas: BTreeMap<String, Option<Location>>,
    /// Extensions (`CREATE EXTENSION`).
    pub extensions: BTreeMap<String, Option<Location>>,
    /// The schema each extension's objects live in: every extension's in a live
    /// catalog; in the specs, those whose `CREATE EXTENSION … SCHEMA s` names one (without
    /// it the server picks the first schema of the search path, or the one the
    /// extension's control file fixes, which the specs do not know).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extension_schemas: BTreeMap<String, String>,
    /// Tables, partitioned tables, views and materialized views.
    #[serde(with = "keyed_list")]
    pub relations: BTreeMap<QualifiedName, Relation>,
    /// Enum types and their labels in order.
    #[serde(with = "keyed_list")]
    pub enums: BTreeMap<QualifiedName, EnumType>,
    /// Domains over base types.
    #[serde(with = "keyed_list")]
    pub domains: BTreeMap<QualifiedName, Domain>,
    /// Functions and procedures by name; overloads share a name.
    #[serde(with = "keyed_list")]
    pub functions: BTreeMap<QualifiedName, Vec<Function>>,
    /// Sequences, but those of identity columns (part of their column's definition).
    #[serde(default, with = "keyed_list")]
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    /// Specs only: schema-level objects that a statement pgparity could not read (it did
    /// not parse, or was skipped as outside the model) creates or alters, by kind and
    /// name: they are not compared with the database. Not part of the JSON form.
    #[serde(skip)]
    pub unread: BTreeSet<(SchemaObjectKind, QualifiedName)>,
    /// Index usage statistics, from a live database only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_statistics: Option<IndexStatistics>,
}

/// How often each index was scanned since the statistics were last reset
/// (`pg_stat_user_indexes`, `pg_stat_database.stats_reset`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexStatistics {
    /// When the statistics were last reset (RFC 3339), if the server knows.
    pub stats_reset: Option<String>,
    /// When the statistics were read (RFC 3339).
    pub read_at: String,
    /// `idx_scan` by index.
    #[serde(with = "keyed_list")]
    pub scans: BTreeMap<QualifiedName, u64>,
}

impl Catalog {
    /// An empty catalog of the current format version.
    pub fn new() -> Self {
        Catalog {
            format_version: CATALOG_FORMAT_VERSION,
            format_revision: CATALOG_FORMAT_REVISION,
            ..Catalog::default()
        }
    }

    /// Whether both catalogs carry the facts of format revision `revision` (see
    /// [`CATALOG_FORMAT_REVISION`]): only then are those facts compared.
    pub fn both_have_revision(&self, other: &Catalog, revision: u32) -> bool {
        self.format_revision >= revision && other.format_revision >= revision
    }

    /// The relation that owns index `name` in `schema`, if any (index names are unique
    /// per schema).
    pub fn index(&self, name: &QualifiedName) -> Option<(&Relation, &Index)> {
        self.relations
            .values()
            .filter(|relation| relation.name.schema == name.schema)
            .find_map(|relation| {
                relation
                    .indexes
                    .get(&name.name)
                    .map(|index| (relation, index.as_ref()))
            })
    }

    /// The enum type a column type names, if it is one (arrays resolve to their element).
    pub fn enum_for(&self, data_type: &SqlType, default_schema: &str) -> Option<&EnumType> {
        let base = data_type.base();
        let name = QualifiedName::parse(base, default_schema);
        self.enums.get(&name)
    }

    /// The domain a column type names, if it is one.
    pub fn domain_for(&self, data_type: &SqlType, default_schema: &str) -> Option<&Domain> {
        let name = QualifiedName::parse(data_type.base(), default_schema);
        self.domains.get(&name)
    }
}

/// The kinds of schema-level object other than relations that a statement creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SchemaObjectKind {
    /// `CREATE TYPE` or `CREATE DOMAIN` (types and domains share one namespace).
    Type,
    /// `CREATE FUNCTION` or `CREATE PROCEDURE`.
    Function,
    /// `CREATE SEQUENCE`.
    Sequence,
}

/// What kind of relation this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// An ordinary table.
    Table,
    /// A partitioned table (`PARTITION BY`).
    PartitionedTable,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
}

impl RelationKind {
    /// The words PostgreSQL uses for it: `table`, `view`, `materialized view`.
    pub fn describe(self) -> &'static str {
        match self {
            RelationKind::Table => "table",
            RelationKind::PartitionedTable => "partitioned table",
            RelationKind::View => "view",
            RelationKind::MaterializedView => "materialized view",
        }
    }

    /// Tables and partitioned tables hold rows of their own.
    pub fn is_table(self) -> bool {
        matches!(self, RelationKind::Table | RelationKind::PartitionedTable)
    }
}

/// A table, view or materialized view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Relation {
    /// Schema-qualified name.
    pub name: QualifiedName,
    /// Table, partitioned table, view or materialized view.
    pub kind: RelationKind,
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Constraints by name (names PostgreSQL would generate for unnamed ones).
    pub constraints: BTreeMap<String, Box<Constraint>>,
    /// Indexes by name, including those backing primary key and unique constraints.
    pub indexes: BTreeMap<String, Box<Index>>,
    /// `ENABLE ROW LEVEL SECURITY`.
    pub rls_enabled: bool,
    /// `FORCE ROW LEVEL SECURITY`.
    pub rls_forced: bool,
    /// Row-level security policies by name.
    pub policies: BTreeMap<String, Box<Policy>>,
    /// Privileges granted on the relation, sorted by grantee and privilege. In a live
    /// catalog, the owner's own privileges are not among them (see `owner_privileges`).
    pub grants: Vec<Grant>,
    /// The role that owns the relation (live catalogs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The privileges the owner holds on it, upper-case and sorted (live catalogs only):
    /// all of them unless some were revoked from the owner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owner_privileges: Vec<String>,
    /// Privileges a `REVOKE` in the specs took from a role (specs only), sorted by grantee
    /// and privilege. The owner holds every privilege unless the specs revoke one, so this
    /// is what says which privileges the specs take from the owner; a privilege granted
    /// again afterwards is in `grants` too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked: Vec<Grant>,
    /// Triggers by name.
    pub triggers: BTreeMap<String, Box<Trigger>>,
    /// `COMMENT ON TABLE/VIEW/MATERIALIZED VIEW`.
    pub comment: Option<String>,
    /// The definition of a view or materialized view.
    pub view: Option<ViewDefinition>,
    /// For a partition (`CREATE TABLE … PARTITION OF parent`): its parent, whose later
    /// column changes PostgreSQL applies to it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<QualifiedName>,
    /// Where the relation was defined.
    pub location: Option<Location>,
}

impl Relation {
    /// An empty relation of `kind`.
    pub fn new(name: QualifiedName, kind: RelationKind, location: Option<Location>) -> Self {
        Relation {
            name,
            kind,
            columns: Vec::new(),
            constraints: BTreeMap::new(),
            indexes: BTreeMap::new(),
            rls_enabled: false,
            rls_forced: false,
            policies: BTreeMap::new(),
            grants: Vec::new(),
            owner: None,
            owner_privileges: Vec::new(),
            revoked: Vec::new(),
            triggers: BTreeMap::new(),
            comment: None,
            view: None,
            partition_of: None,
            location,
        }
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    /// The column called `name`, mutable.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|column| column.name == name)
    }

    /// The object path of a member: `schema.relation.member`.
    pub fn member_path(&self, member: &str) -> String {
        self.name.child(member)
    }
}

/// One column of a relation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Canonical type; `None` when it cannot be known statically (a view expression).
    pub data_type: Option<SqlType>,
    /// `NOT NULL` (for view columns: whether lineage proves it non-null).
    pub not_null: bool,
    /// Default expression as written (or as `pg_get_expr` prints it).
    pub default: Option<Expr>,
    /// `GENERATED … AS IDENTITY`.
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    pub generated: Option<Expr>,
    /// `COMMENT ON COLUMN`.
    pub comment: Option<String>,
    /// For view columns: the table column it is a plain reference to, if any. (Boxed:
    /// most columns have none, and every column of both catalogs holds the field.)
    pub source: Option<Box<ColumnSource>>,
    /// Where the column was defined.
    pub location: Option<Location>,
}

impl Column {
    /// A nullable column of `data_type` with nothing else set.
    pub fn new(
        name: impl Into<String>,
        data_type: Option<SqlType>,
        location: Option<Location>,
    ) -> Self {
        Column {
            name: name.into(),
            data_type,
            not_null: false,
            default: None,
            identity: None,
            generated: None,
            comment: None,
            source: None,
            location,
        }
    }
}

/// A column of a relation: where a view column's values come from, or the column that
/// owns a sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSource {
    /// The relation the column is read from.
    pub relation: QualifiedName,
    /// The column in that relation.
    pub column: String,
}

/// `GENERATED ALWAYS|BY DEFAULT AS IDENTITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    /// `GENERATED ALWAYS AS IDENTITY`.
    Always,
    /// `GENERATED BY DEFAULT AS IDENTITY`.
    ByDefault,
}

/// A named constraint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Constraint {
    /// Constraint name.
    pub name: String,
    /// What it constrains.
    pub kind: ConstraintKind,
    /// `DEFERRABLE`.
    #[serde(default)]
    pub deferrable: bool,
    /// `INITIALLY DEFERRED` (checked at commit unless a transaction says otherwise).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
    /// `COMMENT ON CONSTRAINT`.
    pub comment: Option<String>,
    /// Where the constraint was defined.
    pub location: Option<Location>,
    /// For a CHECK constraint: the string values it restricts each column to, by column,
    /// for the columns it restricts to a closed set of literals (`state IN ('a', 'b')`).
    /// Read from the expression when the catalog is loaded; not part of its JSON form.
    #[serde(skip)]
    pub allowed_values: BTreeMap<String, Vec<String>>,
}

/// The kinds of constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConstraintKind {
    /// `PRIMARY KEY (columns)`.
    PrimaryKey {
        /// Key columns in order.
        columns: Vec<String>,
    },
    /// `UNIQUE (columns)`.
    Unique {
        /// Key columns in order.
        columns: Vec<String>,
        /// `NULLS NOT DISTINCT`.
        #[serde(default)]
        nulls_not_distinct: bool,
    },
    /// `FOREIGN KEY (columns) REFERENCES table (columns)`.
    ForeignKey {
        /// Referencing columns.
        columns: Vec<String>,
        /// Referenced relation.
        references: QualifiedName,
        /// Referenced columns (empty: the referenced primary key).
        referenced_columns: Vec<String>,
        /// `ON DELETE`.
        on_delete: ForeignKeyAction,
        /// `ON UPDATE`.
        on_update: ForeignKeyAction,
    },
    /// `CHECK (expression)`.
    Check {
        /// The expression as written (or printed by the server).
        expression: Expr,
    },
    /// `EXCLUDE USING …`.
    Exclusion {
        /// The definition after `EXCLUDE`, as written.
        definition: String,
    },
}

impl ConstraintKind {
    /// `primary key`, `unique`, `foreign key`, `check`, `exclusion`.
    pub fn describe(&self) -> &'static str {
        match self {
            ConstraintKind::PrimaryKey { .. } => "primary key",
            ConstraintKind::Unique { .. } => "unique",
            ConstraintKind::ForeignKey { .. } => "foreign key",
            ConstraintKind::Check { .. } => "check",
            ConstraintKind::Exclusion { .. } => "exclusion",
        }
    }
}

/// Referential actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForeignKeyAction {
    /// `NO ACTION` (the default).
    #[default]
    NoAction,
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
}

/// An index.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    /// Index name (in the schema of its table).
    pub name: String,
    /// `UNIQUE`.
    pub unique: bool,
    /// Access method: `btree`, `gin`, `gist`, `hash`, `brin`, …
    pub method: String,
    /// Key columns or expressions, in order.
    pub keys: Vec<IndexKey>,
    /// `INCLUDE (columns)`.
    pub include: Vec<String>,
    /// `WHERE predicate` of a partial index, as written.
    pub predicate: Option<Expr>,
    /// `NULLS NOT DISTINCT`.
    #[serde(default)]
    pub nulls_not_distinct: bool,
    /// `ON ONLY table` (a partitioned parent's index).
    #[serde(default)]
    pub only: bool,
    /// The constraint this index backs (primary key, unique, exclusion), if any.
    pub constraint: Option<String>,
    /// `COMMENT ON INDEX`.
    pub comment: Option<String>,
    /// Where the index was defined.
    pub location: Option<Location>,
}

impl Index {
    /// The column names of the key, in order, while the keys are plain columns
    /// (stops at the first expression).
    pub fn leading_columns(&self) -> Vec<&str> {
        self.keys.iter().map_while(|key| key.column()).collect()
    }
}

/// One key of an index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    /// The column or expression.
    pub target: IndexTarget,
    /// `DESC`.
    #[serde(default)]
    pub descending: bool,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`) when written.
    pub nulls_first: Option<bool>,
    /// Operator class: as written in the specs; in a live catalog, when it is not the
    /// default of the key's type.
    pub opclass: Option<String>,
    /// `COLLATE`: as written in the specs; in a live catalog, when it is not the key's
    /// default (its column's collation, or its expression's).
    pub collation: Option<String>,
    /// Live catalogs: the operator class the key uses when it is its type's default
    /// (`opclass` is then `None`), so that a spec naming the default explicitly matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_opclass: Option<String>,
    /// Live catalogs: the collation the key uses when it is the key's default
    /// (`collation` is then `None`), so that a spec naming it explicitly matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_collation: Option<String>,
}

impl IndexKey {
    /// A key on `target`, ascending, with no options.
    pub fn new(target: IndexTarget) -> Self {
        IndexKey {
            target,
            descending: false,
            nulls_first: None,
            opclass: None,
            collation: None,
            default_opclass: None,
            default_collation: None,
        }
    }

    /// The column name when the key is a plain column.
    pub fn column(&self) -> Option<&str> {
        match &self.target {
            IndexTarget::Column(name) => Some(name),
            IndexTarget::Expression(_) => None,
        }
    }

    /// Whether the key's nulls order is PostgreSQL's default for its direction
    /// (`NULLS LAST` ascending, `NULLS FIRST` descending).
    pub fn nulls_first_effective(&self) -> bool {
        self.nulls_first.unwrap_or(self.descending)
    }

    /// The operator class and collation the key names beyond its defaults, each as a bare
    /// lower-case name (`text_pattern_ops`, `c` for `pg_catalog."C"`): what makes two keys
    /// on the same target serve different operators or orders. A spec that names the
    /// default explicitly keeps it (specs do not know the defaults).
    pub fn non_default_options(&self) -> (Option<String>, Option<String>) {
        let beyond = |named: &Option<String>, default: &Option<String>| {
            let named = bare_object_name(named.as_deref()?).to_lowercase();
            let is_default = default
                .as_deref()
                .is_some_and(|default| bare_object_name(default).eq_ignore_ascii_case(&named));
            (!is_default).then_some(named)
        };
        (
            beyond(&self.opclass, &self.default_opclass),
            beyond(&self.collation, &self.default_collation),
        )
    }
}

/// An operator class or collation name without quotes or schema (`pg_catalog."C"` is
/// `C`): specs quote collations, the catalog's `collname` does not.
pub fn bare_object_name(text: &str) -> String {
    let unquoted: String = text.chars().filter(|c| *c != '"').collect();
    unquoted.rsplit('.').next().unwrap_or_default().to_string()
}

/// A key is a column or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexTarget {
    /// A plain column.
    Column(String),
    /// An expression, as written.
    Expression(Expr),
}

/// A row-level security policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Policy {
    /// Policy name.
    pub name: String,
    /// `AS PERMISSIVE` (default) or `AS RESTRICTIVE`.
    pub permissive: bool,
    /// `FOR ALL|SELECT|INSERT|UPDATE|DELETE`.
    pub command: PolicyCommand,
    /// `TO roles`, sorted; `public` when none are written.
    pub roles: Vec<String>,
    /// `USING (expr)`.
    pub using: Option<Expr>,
    /// `WITH CHECK (expr)`.
    pub with_check: Option<Expr>,
    /// `COMMENT ON POLICY`.
    pub comment: Option<String>,
    /// Where the policy was defined.
    pub location: Option<Location>,
}

/// The command a policy applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyCommand {
    /// `FOR ALL`.
    All,
    /// `FOR SELECT`.
    Select,
    /// `FOR INSERT`.
    Insert,
    /// `FOR UPDATE`.
    Update,
    /// `FOR DELETE`.
    Delete,
}

/// The privileges a table, view or materialized view can be granted, upper-case and
/// sorted: what `ALL [PRIVILEGES]` means, and what an owner holds unless some are revoked
/// (PostgreSQL 17 adds `MAINTAIN`, which pgparity does not compare).
pub const TABLE_PRIVILEGES: [&str; 7] = [
    "DELETE",
    "INSERT",
    "REFERENCES",
    "SELECT",
    "TRIGGER",
    "TRUNCATE",
    "UPDATE",
];

/// One privilege granted to one grantee on a relation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    /// Role name (`public` for PUBLIC).
    pub grantee: String,
    /// Upper-case privilege: `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `TRUNCATE`,
    /// `REFERENCES`, `TRIGGER`.
    pub privilege: String,
    /// Where it was granted.
    pub location: Option<Location>,
}

/// A trigger on a relation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Trigger {
    /// Trigger name.
    pub name: String,
    /// `BEFORE`, `AFTER` or `INSTEAD OF`.
    pub timing: String,
    /// Events, upper-case and sorted: `DELETE`, `INSERT`, `TRUNCATE`, `UPDATE`.
    pub events: Vec<String>,
    /// `FOR EACH ROW` (true) or statement.
    pub for_each_row: bool,
    /// The function executed.
    pub function: QualifiedName,
    /// Literal arguments passed to the function.
    pub arguments: Vec<String>,
    /// `WHEN (condition)`.
    pub when: Option<Expr>,
    /// For `CREATE CONSTRAINT TRIGGER`: whether and how its firing can be deferred to
    /// the end of the transaction; `None` for an ordinary trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<TriggerDeferral>,
    /// `UPDATE OF columns`, as written (empty: any column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub update_columns: Vec<String>,
    /// `REFERENCING OLD TABLE AS name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_table: Option<String>,
    /// When it fires: `ENABLE` (the default), `DISABLE`, `ENABLE REPLICA`, `ENABLE ALWAYS`.
    #[serde(default)]
    pub state: TriggerState,
    /// `COMMENT ON TRIGGER`.
    pub comment: Option<String>,
    /// Where the trigger was defined.
    pub location: Option<Location>,
}

/// When a constraint trigger fires (`CREATE CONSTRAINT TRIGGER … [NOT] DEFERRABLE
/// [INITIALLY …]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerDeferral {
    /// `NOT DEFERRABLE`: at the end of each statement, always.
    NotDeferrable,
    /// `DEFERRABLE INITIALLY IMMEDIATE`: at the end of each statement unless a
    /// transaction defers it.
    InitiallyImmediate,
    /// `DEFERRABLE INITIALLY DEFERRED`: at commit.
    InitiallyDeferred,
}

impl TriggerDeferral {
    /// The clause as `CREATE CONSTRAINT TRIGGER` writes it.
    pub fn clause(self) -> &'static str {
        match self {
            TriggerDeferral::NotDeferrable => "NOT DEFERRABLE",
            TriggerDeferral::InitiallyImmediate => "DEFERRABLE INITIALLY IMMEDIATE",
            TriggerDeferral::InitiallyDeferred => "DEFERRABLE INITIALLY DEFERRED",
        }
    }
}

/// Whether a trigger fires (`ALTER TABLE … ENABLE|DISABLE TRIGGER`, `pg_trigger.tgenabled`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriggerState {
    /// `ENABLE TRIGGER`: fires unless the session is a replica (`session_replication_role`
    /// = `replica`). What `CREATE TRIGGER` makes.
    #[default]
    Enabled,
    /// `DISABLE TRIGGER`: never fires.
    Disabled,
    /// `ENABLE REPLICA TRIGGER`: fires only in replica sessions.
    Replica,
    /// `ENABLE ALWAYS TRIGGER`: fires in every session.
    Always,
}

impl TriggerState {
    /// The words of `ALTER TABLE` that set it: `ENABLE`, `DISABLE`, `ENABLE REPLICA`,
    /// `ENABLE ALWAYS`.
    pub fn describe(self) -> &'static str {
        match self {
            TriggerState::Enabled => "ENABLE",
            TriggerState::Disabled => "DISABLE",
            TriggerState::Replica => "ENABLE REPLICA",
            TriggerState::Always => "ENABLE ALWAYS",
        }
    }
}

/// The body of a view or materialized view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewDefinition {
    /// The query as written (or as `pg_get_viewdef` prints it).
    pub query: Expr,
    /// Materialized views: `WITH DATA` (true, the default) or `WITH NO DATA`.
    pub with_data: bool,
}

/// An enum type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnumType {
    /// Schema-qualified name.
    pub name: QualifiedName,
    /// Labels in declaration order.
    pub values: Vec<String>,
    /// Where it was defined.
    pub location: Option<Location>,
}

/// A domain.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Domain {
    /// Schema-qualified name.
    pub name: QualifiedName,
    /// The underlying type.
    pub base_type: SqlType,
    /// `NOT NULL`.
    pub not_null: bool,
    /// `CHECK` expressions.
    pub checks: Vec<Expr>,
    /// Where it was defined.
    pub location: Option<Location>,
    /// The string values the first CHECK that restricts `VALUE` to a closed set of
    /// literals allows. Read from the checks when the catalog is loaded; not part of its
    /// JSON form.
    #[serde(skip)]
    pub allowed_values: Option<Vec<String>>,
}

/// A function or procedure, one overload of its name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Function {
    /// Input argument types (`IN`, `INOUT`, `VARIADIC`), canonical: with the name, what
    /// tells overloads apart.
    pub arguments: Vec<String>,
    /// Return type as written (specs) or as `pg_get_function_result` prints it
    /// (`SETOF t`, `TABLE(a integer)`); `None` for a procedure. A function with `OUT`
    /// arguments and no `RETURNS` returns the one `OUT` type, or `record`.
    pub returns: Option<String>,
    /// Function or procedure.
    #[serde(default)]
    pub kind: FunctionKind,
    /// `LANGUAGE`, lower-case.
    #[serde(default)]
    pub language: String,
    /// `IMMUTABLE`, `STABLE` or `VOLATILE` (the default).
    #[serde(default)]
    pub volatility: Volatility,
    /// `SECURITY DEFINER`.
    #[serde(default)]
    pub security_definer: bool,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<FunctionBody>,
    /// Where it was defined.
    pub location: Option<Location>,
}

impl Function {
    /// An overload with these argument types and result, and nothing else known.
    pub fn new(arguments: Vec<String>, returns: Option<String>) -> Self {
        Function {
            arguments,
            returns,
            kind: FunctionKind::Function,
            language: String::new(),
            volatility: Volatility::Volatile,
            security_definer: false,
            body: None,
            location: None,
        }
    }
}

/// `CREATE FUNCTION` or `CREATE PROCEDURE`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    /// A function.
    #[default]
    Function,
    /// A procedure (`CALL`ed, no result).
    Procedure,
}

impl FunctionKind {
    /// `function` or `procedure`.
    pub fn describe(self) -> &'static str {
        match self {
            FunctionKind::Function => "function",
            FunctionKind::Procedure => "procedure",
        }
    }
}

/// A function's volatility.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    /// `IMMUTABLE`.
    Immutable,
    /// `STABLE`.
    Stable,
    /// `VOLATILE`, the default.
    #[default]
    Volatile,
}

impl Volatility {
    /// `IMMUTABLE`, `STABLE` or `VOLATILE`.
    pub fn describe(self) -> &'static str {
        match self {
            Volatility::Immutable => "IMMUTABLE",
            Volatility::Stable => "STABLE",
            Volatility::Volatile => "VOLATILE",
        }
    }
}

/// A function's body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "form", rename_all = "snake_case")]
pub enum FunctionBody {
    /// `AS '…'` or `AS $$…$$`: the source text, which PostgreSQL keeps as written
    /// (`prosrc`); for `LANGUAGE c`, the link symbol.
    Source {
        /// The text between the quotes.
        text: String,
    },
    /// A SQL-standard body, `RETURN expression` or `BEGIN ATOMIC … END`: as written, or
    /// as `pg_get_function_sqlbody` prints it. Its canonical form is that of the
    /// expression, or of the query when the block holds one.
    Standard {
        /// The body from `RETURN` or `BEGIN` on.
        body: Expr,
    },
}

/// A sequence.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sequence {
    /// Schema-qualified name.
    pub name: QualifiedName,
    /// `AS type`: `smallint`, `integer` or `bigint` (the default).
    pub data_type: String,
    /// `INCREMENT BY` (1 unless written).
    pub increment: i64,
    /// `OWNED BY table.column` (a `serial` column owns the sequence it creates).
    pub owned_by: Option<ColumnSource>,
    /// Where it was defined.
    pub location: Option<Location>,
}

impl Sequence {
    /// A `bigint` sequence counting by 1, owned by nothing.
    pub fn new(name: QualifiedName, location: Option<Location>) -> Self {
        Sequence {
            name,
            data_type: "bigint".into(),
            increment: 1,
            owned_by: None,
            location,
        }
    }
}

/// JSON objects need string keys, and a schema-qualified name is two strings: maps keyed
/// by [`QualifiedName`] are written as lists of `{"name": {...}, "definition": ...}`.
mod keyed_list {
    use super::QualifiedName;
    use serde::de::{DeserializeOwned, SeqAccess, Visitor};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct EntryRef<'a, V> {
        name: &'a QualifiedName,
        definition: &'a V,
    }

    #[derive(Deserialize)]
    struct Entry<V> {
        name: QualifiedName,
        definition: V,
    }

    pub fn serialize<S: Serializer, V: Serialize>(
        map: &BTreeMap<QualifiedName, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            map.iter()
                .map(|(name, definition)| EntryRef { name, definition }),
        )
    }

    /// Entries go into the map as they are read (a later one of the same name replaces
    /// an earlier one), not through a list as long as the map.
    pub fn deserialize<'de, D: Deserializer<'de>, V: DeserializeOwned>(
        deserializer: D,
    ) -> Result<BTreeMap<QualifiedName, V>, D::Error> {
        struct Entries<V>(std::marker::PhantomData<V>);
        impl<'de, V: DeserializeOwned> Visitor<'de> for Entries<V> {
            type Value = BTreeMap<QualifiedName, V>;
            fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
                formatter.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut map = BTreeMap::new();
                while let Some(entry) = seq.next_element::<Entry<V>>()? {
                    map.insert(entry.name, entry.definition);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_seq(Entries(std::marker::PhantomData))
    }
}
