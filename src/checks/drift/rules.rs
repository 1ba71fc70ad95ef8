//! The drift family's rule metadata and documentation.

use super::super::{Family, Rule};
use crate::finding::Severity;

/// `missing-relation`.
pub const MISSING_RELATION: Rule = Rule {
    id: "missing-relation",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A table, view or materialized view of the specs is missing from the database",
    documentation: "\
## What it does
Reports a relation that the specs define but the database (or snapshot) does not have, in
the schemas in scope. Also reports a relation that exists under the same name as another
kind (a table where the specs define a view); its members are then not compared. A
relation that a spec statement which failed to parse may define or alter is not compared
at all: one info finding says so.

## Why it matters
Code written against the specs fails at run time: a migration was not applied, or applied
to another schema.

## Example
The specs create `revenue_ledger`, the database has no such table. Fix: apply the missing
migration, or remove the table from the specs if it was dropped on purpose.",
};

/// `unexpected-relation`.
pub const UNEXPECTED_RELATION: Rule = Rule {
    id: "unexpected-relation",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has a table, view or materialized view the specs do not define",
    documentation: "\
## What it does
Reports a relation in a schema in scope that exists in the database but not in the specs.

## Why it matters
Nothing breaks at once, hence a warning by default: but a relation nobody declared is
either a leftover (dead data, grants nobody reviews) or a hand-made change that the next
environment built from the specs will lack.

## Example
`public.revenue_ledger_backup_2024` exists only in production. Fix: drop it, or add it to
the specs if it is meant to stay.",
};

/// `missing-column`.
pub const MISSING_COLUMN: Rule = Rule {
    id: "missing-column",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A column of the specs is missing from the database",
    documentation: "\
## What it does
Reports a column that the specs define on a relation the database has, while the database
relation lacks it. Column order is not compared: PostgreSQL appends added columns.

## Why it matters
Queries and DTOs that read the column fail.

## Example
The spec has `revenue_ledger.posted_at timestamptz NOT NULL`, the database table does not.
Fix: `ALTER TABLE revenue_ledger ADD COLUMN posted_at timestamptz NOT NULL …`.",
};

/// `unexpected-column`.
pub const UNEXPECTED_COLUMN: Rule = Rule {
    id: "unexpected-column",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a column the specs do not define",
    documentation: "\
## What it does
Reports a column of a database relation that the spec of that relation does not define.

## Why it matters
An undeclared column is a hand-made change: a `NOT NULL` one without a default breaks
inserts written against the specs, and environments built from the specs differ.

## Example
`revenue_ledger.currency` exists only in the database. Fix: add it to the spec, or drop it.",
};

/// `column-type-drift`.
pub const COLUMN_TYPE_DRIFT: Rule = Rule {
    id: "column-type-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A column's type differs between the specs and the database",
    documentation: "\
## What it does
Compares column types in canonical form (`int4` and `integer` are the same type,
`varchar(64)` is `character varying(64)`). View columns whose type the specs cannot know
statically are not compared.

## Why it matters
Lengths, precision and ranges differ from what the contracts were checked against: values
are truncated, rejected or overflow.

## Example
The spec says `revenue_cents bigint`, the database has `integer`. Fix:
`ALTER TABLE revenue_ledger ALTER COLUMN revenue_cents TYPE bigint`.",
};

/// `nullability-drift`.
pub const NULLABILITY_DRIFT: Rule = Rule {
    id: "nullability-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A table column is NOT NULL on one side and nullable on the other",
    documentation: "\
## What it does
Compares `NOT NULL` of table columns. View and materialized-view columns are not compared:
PostgreSQL never marks them `NOT NULL`, while the specs know it from lineage.

## Why it matters
A nullable column where the specs promise `NOT NULL` lets NULLs reach DTOs that require a
value; the reverse makes inserts that the specs allow fail.

## Example
The spec has `posted_at timestamptz NOT NULL`, the database column is nullable. Fix:
`ALTER TABLE revenue_ledger ALTER COLUMN posted_at SET NOT NULL`.",
};

/// `default-drift`.
pub const DEFAULT_DRIFT: Rule = Rule {
    id: "default-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A column's default, identity or generated expression differs",
    documentation: "\
## What it does
Compares column defaults and generated expressions after normalizing both (the server's
`'idle'::text` equals the spec's `'idle'`), and identity. Texts that cannot be normalized
and differ are reported as info: equal or not could not be decided.

## Why it matters
Rows inserted without the column get another value than the specs promise: another
timestamp source, another initial state.

## Example
The spec says `created_at timestamptz DEFAULT now()`, the database has
`DEFAULT clock_timestamp()`. Fix: `ALTER TABLE … ALTER COLUMN created_at SET DEFAULT now()`.",
};

/// `missing-index`.
pub const MISSING_INDEX: Rule = Rule {
    id: "missing-index",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An index of the specs is missing from the database",
    documentation: "\
## What it does
Reports an index that the specs define but the database lacks. Indexes that back a primary
key, unique or exclusion constraint are compared as constraints (`missing-constraint`), not
twice.

## Why it matters
The query paths that the index serves fall back to sequential scans; a missing unique
index no longer enforces uniqueness.

## Example
`CREATE INDEX idx_revenue_ledger_tenant_updated_at ON revenue_ledger (tenant_id, updated_at DESC)`
is in the specs only. Fix: create it (`CREATE INDEX CONCURRENTLY` on a busy table).",
};

/// `unexpected-index`.
pub const UNEXPECTED_INDEX: Rule = Rule {
    id: "unexpected-index",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has an index the specs do not define",
    documentation: "\
## What it does
Reports an index on a relation in scope that the specs do not define (constraint-backed
indexes are compared as constraints).

## Why it matters
A hand-made index costs every write, is justified by no query path, and is missing from
every environment built from the specs — including the one whose plans you test.

## Example
`idx_tmp_debug` was created by hand during an incident. Fix: drop it, or add it to the
specs and the index plan.",
};

/// `index-definition-drift`.
pub const INDEX_DEFINITION_DRIFT: Rule = Rule {
    id: "index-definition-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An index exists on both sides with a different definition",
    documentation: "\
## What it does
Compares uniqueness, access method, keys (columns or normalized expressions, direction,
nulls order, operator class, collation), `INCLUDE` columns, the normalized partial-index
predicate and `NULLS NOT DISTINCT`. A difference that normalization cannot decide is info.

## Why it matters
An index of the right name but the wrong columns or predicate does not serve the query it
was planned for, or enforces another uniqueness rule.

## Example
The spec has `… WHERE state = 'running'`, the database `WHERE state IN ('running', 'failed')`.
Fix: recreate the index from the spec.",
};

/// `missing-constraint`.
pub const MISSING_CONSTRAINT: Rule = Rule {
    id: "missing-constraint",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A constraint of the specs is missing from the database",
    documentation: "\
## What it does
Reports a primary key, unique, foreign key, check or exclusion constraint that the specs
define (by name, including the names PostgreSQL generates for unnamed ones) and the
database lacks.

## Why it matters
The data is no longer guaranteed to be what the specs, and the code relying on them,
assume: duplicates, orphans or out-of-range values can appear.

## Example
`ck_revenue_ledger_revenue_positive CHECK (revenue_cents > 0)` is missing. Fix: add it
(`NOT VALID` first, then `VALIDATE CONSTRAINT`, on a large table).",
};

/// `unexpected-constraint`.
pub const UNEXPECTED_CONSTRAINT: Rule = Rule {
    id: "unexpected-constraint",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a constraint the specs do not define",
    documentation: "\
## What it does
Reports a constraint of a database relation that the specs do not define.

## Why it matters
An undeclared constraint rejects writes that the specs allow, and environments built from
the specs do not have it.

## Example
A hand-added `CHECK (revenue_cents < 1000000)`. Fix: add it to the spec, or drop it.",
};

/// `constraint-drift`.
pub const CONSTRAINT_DRIFT: Rule = Rule {
    id: "constraint-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A constraint exists on both sides with a different definition",
    documentation: "\
## What it does
Compares kind, columns, referenced table and columns, `ON DELETE`/`ON UPDATE` actions,
`NULLS NOT DISTINCT`, deferrability and CHECK expressions. CHECK expressions are
normalized on both sides, so `state IN ('a', 'b')` equals the server's
`state = ANY (ARRAY['a'::text, 'b'::text])`; a difference that cannot be decided (and
exclusion constraints that differ in text) is info.

## Why it matters
The same name with another rule: a foreign key that cascades where the specs restrict, a
check that admits values the contracts do not.

## Example
The spec has `ON DELETE SET NULL`, the database `ON DELETE CASCADE`: deleting an allocation
deletes revenue. Fix: drop and re-add the constraint as the spec writes it.",
};

/// `rls-drift`.
pub const RLS_DRIFT: Rule = Rule {
    id: "rls-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "Row-level security is enabled or forced on one side only",
    documentation: "\
## What it does
Compares `ENABLE ROW LEVEL SECURITY` and `FORCE ROW LEVEL SECURITY` of each relation.

## Why it matters
RLS disabled in the database while the specs enable it means every policy is ignored:
tenants can read each other's rows.

## Example
The spec enables and forces RLS on `revenue_ledger`; the database only enables it, so the
owner role bypasses the policies. Fix: `ALTER TABLE revenue_ledger FORCE ROW LEVEL SECURITY`.",
};

/// `missing-policy`.
pub const MISSING_POLICY: Rule = Rule {
    id: "missing-policy",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A row-level security policy of the specs is missing from the database",
    documentation: "\
## What it does
Reports a policy that the specs define on a relation and the database lacks.

## Why it matters
With RLS enabled, a missing permissive policy denies rows the application needs; a missing
restrictive one lets through rows it should not.

## Example
`tenant_isolation_policy` on `revenue_ledger` is missing. Fix: create it from the spec.",
};

/// `unexpected-policy`.
pub const UNEXPECTED_POLICY: Rule = Rule {
    id: "unexpected-policy",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a row-level security policy the specs do not define",
    documentation: "\
## What it does
Reports a policy of a database relation that the specs do not define.

## Why it matters
Permissive policies are OR-ed: one extra permissive policy (`USING (true)` added while
debugging) opens the table to every tenant.

## Example
`debug_all_rows` with `USING (true)` on `revenue_ledger`. Fix: drop it.",
};

/// `policy-drift`.
pub const POLICY_DRIFT: Rule = Rule {
    id: "policy-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A policy exists on both sides with a different definition",
    documentation: "\
## What it does
Compares permissive/restrictive, the command, the roles and the normalized `USING` and
`WITH CHECK` expressions. A difference normalization cannot decide is info.

## Why it matters
A policy of the right name that filters on the wrong setting, or lacks `WITH CHECK`, lets
one tenant write into another's rows.

## Example
The spec's `USING (tenant_id = current_setting('app.current_tenant_id')::uuid)` is
`USING (true)` in the database. Fix: `ALTER POLICY … USING (…)` as the spec writes it.",
};

/// `grant-drift`.
pub const GRANT_DRIFT: Rule = Rule {
    id: "grant-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A privilege on a relation is granted on one side only",
    documentation: "\
## What it does
Compares, per relation, the set of (grantee, privilege) pairs: a privilege the specs grant
that the database lacks, or one the database grants that the specs do not.

## Why it matters
A missing grant breaks the application role at run time; an extra one (`DELETE` to the API
role, anything to `PUBLIC`) widens what a compromised role can do.

## Example
The database grants `DELETE ON revenue_ledger TO app_user`, the specs do not. Fix:
`REVOKE DELETE ON revenue_ledger FROM app_user`.",
};

/// `missing-trigger`.
pub const MISSING_TRIGGER: Rule = Rule {
    id: "missing-trigger",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A trigger of the specs is missing from the database, or differs from it",
    documentation: "\
## What it does
Reports a trigger that the specs define and the database lacks. A trigger of the same name
whose definition differs (timing, events, row or statement level, function, arguments, or
the normalized `WHEN` condition) is reported here too: the trigger the specs define is
not the one that runs.

## Why it matters
Triggers enforce invariants the schema cannot express (`trg_check_allocation_sum` keeps
allocations summing to 1); without it, or with it firing on the wrong events, the
invariant silently breaks.

## Example
The spec's trigger fires `AFTER INSERT OR UPDATE OR DELETE`, the database's only
`AFTER INSERT`. Fix: recreate the trigger from the spec.",
};

/// `unexpected-trigger`.
pub const UNEXPECTED_TRIGGER: Rule = Rule {
    id: "unexpected-trigger",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "The database has a trigger the specs do not define",
    documentation: "\
## What it does
Reports a trigger of a database relation that the specs do not define.

## Why it matters
A hand-made trigger changes what writes do, invisibly to anyone reading the specs.

## Example
An audit trigger added by hand in production only. Fix: add it to the specs, or drop it.",
};

/// `view-definition-drift`.
pub const VIEW_DEFINITION_DRIFT: Rule = Rule {
    id: "view-definition-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A view's or materialized view's body differs",
    documentation: "\
## What it does
Compares view and materialized-view bodies after normalizing both (the server's
`pg_get_viewdef` adds casts, qualifies columns and drops `AS` before aliases). When the
bodies differ only in ways normalization cannot settle — the qualification of columns in a
join, or a `*` that the server expands into the column list — the finding is info: equal
or not could not be decided.

## Why it matters
A read model whose query differs from the spec serves other values than the contracts were
checked against.

## Example
The spec divides `sum(revenue_cents) / 100.0`, the database's materialized view does not.
Fix: `CREATE OR REPLACE VIEW` (or drop and recreate the materialized view) from the spec.",
};

/// `comment-drift`.
pub const COMMENT_DRIFT: Rule = Rule {
    id: "comment-drift",
    family: Family::Drift,
    default_severity: Severity::Info,
    summary: "A comment on a relation, column, index, constraint, policy or trigger differs",
    documentation: "\
## What it does
Compares `COMMENT ON` texts of relations and of the columns, indexes, constraints,
policies and triggers present on both sides (a comment on one side only is a difference).

## Why it matters
Comments are documentation: a different comment changes no behaviour, hence info by
default. It still means the database and the specs were edited separately, and tools that
read comments (schema browsers, generated docs) show the other text.

## Example
The spec's comment on `revenue_ledger.revenue_cents` says cents, the database's says
dollars. Fix: `COMMENT ON COLUMN revenue_ledger.revenue_cents IS '…'` from the spec.",
};
