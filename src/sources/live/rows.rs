//! Catalog rows as plain values: what each query of [`super::queries`] returns, before
//! it becomes model types. Keeping them free of the `postgres` crate lets the conversion
//! be tested on hand-made rows.

/// Object id of a relation (`pg_class.oid`).
pub type Oid = u32;

/// A row of [`super::queries::RELATIONS`].
#[derive(Debug, Clone, Default)]
pub struct RelationRow {
    pub oid: Oid,
    pub schema: String,
    pub name: String,
    /// `pg_class.relkind`: `r`, `p`, `v` or `m`.
    pub relkind: String,
    pub rls_enabled: bool,
    pub rls_forced: bool,
    /// `relispopulated` (false for a materialized view created `WITH NO DATA`).
    pub populated: bool,
    pub view_definition: Option<String>,
    pub comment: Option<String>,
}

/// A row of [`super::queries::COLUMNS`].
#[derive(Debug, Clone, Default)]
pub struct ColumnRow {
    pub relation: Oid,
    pub name: String,
    /// `format_type(atttypid, atttypmod)`.
    pub data_type: String,
    pub not_null: bool,
    /// `pg_get_expr(adbin)`: the default, or the generation expression.
    pub default: Option<String>,
    /// `attidentity`: `a`, `d` or empty.
    pub identity: String,
    /// `attgenerated`: `s` or empty.
    pub generated: String,
    pub comment: Option<String>,
}

/// A row of [`super::queries::constraints`].
#[derive(Debug, Clone, Default)]
pub struct ConstraintRow {
    pub relation: Oid,
    pub name: String,
    /// `contype`: `p`, `u`, `f`, `c` or `x`.
    pub contype: String,
    pub deferrable: bool,
    pub columns: Vec<String>,
    pub referenced_schema: Option<String>,
    pub referenced_name: Option<String>,
    pub referenced_columns: Vec<String>,
    /// `confdeltype`: `a`, `r`, `c`, `n`, `d`.
    pub on_delete: String,
    /// `confupdtype`.
    pub on_update: String,
    /// `pg_get_constraintdef(oid, true)` of checks and exclusions.
    pub definition: Option<String>,
    pub comment: Option<String>,
    pub nulls_not_distinct: bool,
}

/// A row of [`super::queries::indexes`].
#[derive(Debug, Clone, Default)]
pub struct IndexRow {
    pub relation: Oid,
    pub name: String,
    pub unique: bool,
    pub method: String,
    /// `indnkeyatts`: the keys; the attributes after them are `INCLUDE` columns.
    pub key_count: i32,
    /// Column name per attribute, `None` for an expression.
    pub attribute_names: Vec<Option<String>>,
    /// `pg_get_indexdef(indexrelid, k, true)` per attribute that is an expression (empty
    /// when the index has no expression).
    pub definitions: Vec<Option<String>>,
    /// `indoption` per key: bit 1 DESC, bit 2 NULLS FIRST.
    pub options: Vec<i32>,
    /// Operator class per key when it is not the type's default.
    pub opclasses: Vec<Option<String>>,
    pub predicate: Option<String>,
    pub nulls_not_distinct: bool,
    /// A partitioned table's index created `ON ONLY` and not yet complete.
    pub only: bool,
    /// The primary key, unique or exclusion constraint it backs.
    pub constraint: Option<String>,
    pub comment: Option<String>,
}

/// A row of [`super::queries::POLICIES`].
#[derive(Debug, Clone, Default)]
pub struct PolicyRow {
    pub relation: Oid,
    pub name: String,
    /// `polcmd`: `*`, `r`, `a`, `w` or `d`.
    pub command: String,
    pub permissive: bool,
    pub roles: Vec<String>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub comment: Option<String>,
}

/// A row of [`super::queries::GRANTS`].
#[derive(Debug, Clone, Default)]
pub struct GrantRow {
    pub relation: Oid,
    pub grantee: String,
    pub privilege: String,
}

/// A row of [`super::queries::triggers`].
#[derive(Debug, Clone, Default)]
pub struct TriggerRow {
    pub relation: Oid,
    pub name: String,
    /// `tgtype` bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate,
    /// 64 instead of.
    pub tgtype: i32,
    pub function_schema: String,
    pub function_name: String,
    pub argument_count: i32,
    /// `tgargs`: each argument followed by a NUL byte.
    pub arguments: Vec<u8>,
    /// `pg_get_triggerdef(oid, true)`, for the WHEN condition.
    pub definition: String,
    pub comment: Option<String>,
}

/// A row of [`super::queries::ENUMS`].
#[derive(Debug, Clone, Default)]
pub struct EnumRow {
    pub schema: String,
    pub name: String,
    pub labels: Vec<String>,
}

/// A row of [`super::queries::DOMAINS`].
#[derive(Debug, Clone, Default)]
pub struct DomainRow {
    pub schema: String,
    pub name: String,
    pub base_type: String,
    pub not_null: bool,
    /// `pg_get_constraintdef` of each CHECK.
    pub checks: Vec<String>,
}

/// A row of [`super::queries::FUNCTIONS`].
#[derive(Debug, Clone, Default)]
pub struct FunctionRow {
    pub schema: String,
    pub name: String,
    pub arguments: Vec<String>,
    pub result: Option<String>,
}

/// A row of [`super::queries::INDEX_SCANS`].
#[derive(Debug, Clone, Default)]
pub struct IndexScanRow {
    pub schema: String,
    pub name: String,
    pub scans: i64,
}

/// Everything the catalog queries returned.
#[derive(Debug, Clone, Default)]
pub struct CatalogRows {
    pub schemas: Vec<String>,
    pub extensions: Vec<String>,
    pub relations: Vec<RelationRow>,
    pub columns: Vec<ColumnRow>,
    pub constraints: Vec<ConstraintRow>,
    pub indexes: Vec<IndexRow>,
    pub policies: Vec<PolicyRow>,
    pub grants: Vec<GrantRow>,
    pub triggers: Vec<TriggerRow>,
    pub enums: Vec<EnumRow>,
    pub domains: Vec<DomainRow>,
    pub functions: Vec<FunctionRow>,
    pub index_scans: Vec<IndexScanRow>,
    /// `stats_reset` of this database (RFC 3339), when the server has one.
    pub stats_reset: Option<String>,
    /// When the snapshot was taken (RFC 3339).
    pub read_at: String,
}
