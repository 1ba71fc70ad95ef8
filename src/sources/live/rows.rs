//! Catalog rows as plain values: what each query of [`super::queries`] returns, before
//! it becomes model types. Keeping them free of the `postgres` crate lets the conversion
//! be tested on hand-made rows.

use super::blocks::Blocks;

/// Object id of a relation (`pg_class.oid`).
pub(super) type Oid = u32;

/// A row of [`super::queries::RELATIONS`].
#[derive(Debug, Clone, Default)]
pub(super) struct RelationRow {
    pub(super) oid: Oid,
    pub(super) schema: String,
    pub(super) name: String,
    /// `pg_class.relkind`: `r`, `p`, `v` or `m`.
    pub(super) relkind: String,
    pub(super) rls_enabled: bool,
    pub(super) rls_forced: bool,
    /// `relispopulated` (false for a materialized view created `WITH NO DATA`).
    pub(super) populated: bool,
    pub(super) view_definition: Option<String>,
    pub(super) comment: Option<String>,
    /// The owning role.
    pub(super) owner: String,
    /// The privileges the owner holds, upper-case.
    pub(super) owner_privileges: Vec<String>,
}

/// A row of [`super::queries::COLUMNS`].
#[derive(Debug, Clone, Default)]
pub(super) struct ColumnRow {
    pub(super) relation: Oid,
    pub(super) name: String,
    /// `format_type(atttypid, atttypmod)`.
    pub(super) data_type: String,
    pub(super) not_null: bool,
    /// `pg_get_expr(adbin)`: the default, or the generation expression.
    pub(super) default: Option<String>,
    /// `attidentity`: `a`, `d` or empty.
    pub(super) identity: String,
    /// `attgenerated`: `s` or empty.
    pub(super) generated: String,
    pub(super) comment: Option<String>,
}

/// A row of [`super::queries::constraints`].
#[derive(Debug, Clone, Default)]
pub(super) struct ConstraintRow {
    pub(super) relation: Oid,
    pub(super) name: String,
    /// `contype`: `p`, `u`, `f`, `c` or `x`.
    pub(super) contype: String,
    pub(super) deferrable: bool,
    /// `condeferred`.
    pub(super) initially_deferred: bool,
    pub(super) columns: Vec<String>,
    pub(super) referenced_schema: Option<String>,
    pub(super) referenced_name: Option<String>,
    pub(super) referenced_columns: Vec<String>,
    /// `confdeltype`: `a`, `r`, `c`, `n`, `d`.
    pub(super) on_delete: String,
    /// `confupdtype`.
    pub(super) on_update: String,
    /// `pg_get_constraintdef(oid, true)` of checks and exclusions.
    pub(super) definition: Option<String>,
    pub(super) comment: Option<String>,
    pub(super) nulls_not_distinct: bool,
}

/// A row of [`super::queries::indexes`].
#[derive(Debug, Clone, Default)]
pub(super) struct IndexRow {
    pub(super) relation: Oid,
    pub(super) name: String,
    pub(super) unique: bool,
    pub(super) method: String,
    /// `indnkeyatts`: the keys; the attributes after them are `INCLUDE` columns.
    pub(super) key_count: i32,
    /// Column name per attribute, `None` for an expression.
    pub(super) attribute_names: Vec<Option<String>>,
    /// `pg_get_indexdef(indexrelid, k, true)` per attribute that is an expression (empty
    /// when the index has no expression).
    pub(super) definitions: Vec<Option<String>>,
    /// `indoption` per key: bit 1 DESC, bit 2 NULLS FIRST.
    pub(super) options: Vec<i32>,
    /// Operator class per key when it is not the type's default.
    pub(super) opclasses: Vec<Option<String>>,
    /// Operator class per key when it is the type's default.
    pub(super) default_opclasses: Vec<Option<String>>,
    /// Collation per key (`None`: the key's type has none).
    pub(super) collations: Vec<Option<String>>,
    /// Per column key, whether its collation is the column's; `None` for expressions.
    pub(super) collation_is_columns: Vec<Option<bool>>,
    /// `pg_get_indexdef(oid, 0, true)` when an expression key has a collation: it prints
    /// `COLLATE` only where the collation is not the expression's.
    pub(super) definition: Option<String>,
    pub(super) predicate: Option<String>,
    pub(super) nulls_not_distinct: bool,
    /// A partitioned table's index created `ON ONLY` and not yet complete.
    pub(super) only: bool,
    /// The primary key, unique or exclusion constraint it backs.
    pub(super) constraint: Option<String>,
    pub(super) comment: Option<String>,
}

/// A row of [`super::queries::POLICIES`].
#[derive(Debug, Clone, Default)]
pub(super) struct PolicyRow {
    pub(super) relation: Oid,
    pub(super) name: String,
    /// `polcmd`: `*`, `r`, `a`, `w` or `d`.
    pub(super) command: String,
    pub(super) permissive: bool,
    pub(super) roles: Vec<String>,
    pub(super) using: Option<String>,
    pub(super) with_check: Option<String>,
    pub(super) comment: Option<String>,
}

/// A row of [`super::queries::GRANTS`].
#[derive(Debug, Clone, Default)]
pub(super) struct GrantRow {
    pub(super) relation: Oid,
    pub(super) grantee: String,
    pub(super) privilege: String,
}

/// A row of [`super::queries::triggers`].
#[derive(Debug, Clone, Default)]
pub(super) struct TriggerRow {
    pub(super) relation: Oid,
    pub(super) name: String,
    /// `tgtype` bits: 1 row, 2 before, 4 insert, 8 delete, 16 update, 32 truncate,
    /// 64 instead of.
    pub(super) tgtype: i32,
    pub(super) function_schema: String,
    pub(super) function_name: String,
    pub(super) argument_count: i32,
    /// `tgargs`: each argument followed by a NUL byte.
    pub(super) arguments: Vec<u8>,
    /// `pg_get_triggerdef(oid, true)`, for the WHEN condition.
    pub(super) definition: String,
    pub(super) comment: Option<String>,
    /// `CREATE CONSTRAINT TRIGGER` (`tgconstraint` is set).
    pub(super) is_constraint: bool,
    /// `tgdeferrable`.
    pub(super) deferrable: bool,
    /// `tginitdeferred`.
    pub(super) initially_deferred: bool,
    /// `tgenabled`: `O` (enabled), `D`, `R` (replica) or `A` (always).
    pub(super) enabled: String,
    /// `UPDATE OF` columns.
    pub(super) update_columns: Vec<String>,
    /// `REFERENCING OLD TABLE AS` name.
    pub(super) old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS` name.
    pub(super) new_table: Option<String>,
}

/// A row of [`super::queries::ENUMS`].
#[derive(Debug, Clone, Default)]
pub(super) struct EnumRow {
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) labels: Vec<String>,
}

/// A row of [`super::queries::DOMAINS`].
#[derive(Debug, Clone, Default)]
pub(super) struct DomainRow {
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) base_type: String,
    pub(super) not_null: bool,
    /// `pg_get_constraintdef` of each CHECK.
    pub(super) checks: Vec<String>,
}

/// A row of [`super::queries::functions`].
#[derive(Debug, Clone, Default)]
pub(super) struct FunctionRow {
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) arguments: Vec<String>,
    pub(super) result: Option<String>,
    /// `prokind`: `f` or `p`.
    pub(super) kind: String,
    pub(super) language: String,
    /// `provolatile`: `i`, `s` or `v`.
    pub(super) volatility: String,
    pub(super) security_definer: bool,
    /// `prosrc` (empty for a SQL-standard body).
    pub(super) source: Option<String>,
    /// `pg_get_function_sqlbody`, for a SQL-standard body.
    pub(super) sql_body: Option<String>,
}

/// A row of [`super::queries::SEQUENCES`].
#[derive(Debug, Clone, Default)]
pub(super) struct SequenceRow {
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) data_type: String,
    pub(super) increment: i64,
    pub(super) owner_schema: Option<String>,
    pub(super) owner_relation: Option<String>,
    pub(super) owner_column: Option<String>,
}

/// A row of [`super::queries::EXTENSIONS`].
#[derive(Debug, Clone, Default)]
pub(super) struct ExtensionRow {
    pub(super) name: String,
    pub(super) schema: String,
}

/// A row of [`super::queries::INDEX_SCANS`].
#[derive(Debug, Clone, Default)]
pub(super) struct IndexScanRow {
    pub(super) schema: String,
    pub(super) name: String,
    pub(super) scans: i64,
}

/// Everything the catalog queries returned.
#[derive(Debug, Clone, Default)]
pub(super) struct CatalogRows {
    pub(super) schemas: Vec<String>,
    pub(super) extensions: Vec<ExtensionRow>,
    pub(super) relations: Vec<RelationRow>,
    pub(super) columns: Blocks<ColumnRow>,
    pub(super) constraints: Blocks<ConstraintRow>,
    pub(super) indexes: Blocks<IndexRow>,
    pub(super) policies: Blocks<PolicyRow>,
    pub(super) grants: Vec<GrantRow>,
    pub(super) triggers: Blocks<TriggerRow>,
    pub(super) enums: Vec<EnumRow>,
    pub(super) domains: Vec<DomainRow>,
    pub(super) functions: Vec<FunctionRow>,
    pub(super) sequences: Vec<SequenceRow>,
    pub(super) index_scans: Vec<IndexScanRow>,
    /// `stats_reset` of this database (RFC 3339), when the server has one.
    pub(super) stats_reset: Option<String>,
    /// When the snapshot was taken (RFC 3339).
    pub(super) read_at: String,
}
