//! The `spec` family: problems in the DDL specs themselves.

use super::{Family, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{Catalog, ConstraintKind, IndexTarget, Relation, SpecProblemKind, Specs};

/// `spec-parse-error`.
pub const SPEC_PARSE_ERROR: Rule = Rule {
    id: "spec-parse-error",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "A spec statement could not be parsed",
    documentation: "\
## What it does
Reports a statement in a `.sql` spec that the SQL parser rejects, at the line and column
where the statement starts. Parsing goes on with the next statement.

## Why it matters
Whatever the statement defines is unknown to pgparity: its table, columns or index are not
checked, and (against a database) are not reported missing — the comparison is incomplete.

## Example
```sql
CREATE TABLE revenue_ledger (id uuid PRIMARY KEY,, revenue_cents integer);
```
Fix the statement (here the doubled comma). If PostgreSQL accepts it and pgparity does not,
please report it with the statement.",
};

/// `unsupported-statement`.
pub const UNSUPPORTED_STATEMENT: Rule = Rule {
    id: "unsupported-statement",
    family: Family::Spec,
    default_severity: Severity::Info,
    summary: "A spec statement is outside pgparity's model and was skipped",
    documentation: "\
## What it does
Notes statements pgparity does not model (`DO` blocks, `CREATE CAST`, aggregates, event
triggers, publications, …). They are skipped; nothing they do is checked.

## Why it matters
Usually nothing: these statements rarely define what pgparity compares. The note tells you
which parts of a spec were not looked at.

## Example
```sql
DO $$ BEGIN PERFORM 1; END $$;
```
No fix needed. Set `unsupported-statement = \"off\"` under `[rules]` to silence it.",
};

/// `spec-rejected`.
pub const SPEC_REJECTED: Rule = Rule {
    id: "spec-rejected",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "A spec statement was refused, by PostgreSQL or by pgparity, when --dev-db applied the specs",
    documentation: "\
## What it does
With `--dev-db URL`, pgparity creates a scratch database and a login role of its own that owns
only that database, applies the spec statements in order on that role's connection, reads the
result back (exact view column types, definitions as the server prints them) and drops both.
A statement is reported here when:

- PostgreSQL refused it (`PostgreSQL rejected the statement: …`, the server's message);
- pgparity did not send it (`not applied to the scratch database: …`): only statements that
  define schema objects are sent (CREATE/ALTER/DROP/COMMENT ON of tables, views, indexes,
  sequences, types, domains, functions, procedures, triggers, policies, schemas, rules,
  operators…; GRANT/REVOKE of object privileges; `SET search_path` and a few other settings
  dumps use; `DO`, `CALL` and data statements). Databases, roles and role membership,
  tablespaces, `ALTER SYSTEM`, `SET ROLE`/`RESET ROLE`/`SET SESSION AUTHORIZATION`, `COPY`,
  `LOAD`, `CHECKPOINT`, `VACUUM`, foreign servers, event triggers, other queries, and any
  statement naming a function that reaches outside the database or stalls the run
  (`lo_export`, `pg_read_file`, `pg_terminate_backend`, `dblink…`, `pg_sleep`, `set_config`…,
  also inside `DO` and function bodies) are never sent;
- it creates an extension that is not allowed: `CREATE EXTENSION x` is run by pgparity's own
  connection only for extensions in `[dev_db] extensions` of `pgparity.toml` (by default the
  server's trusted extensions).

A statement that does not parse is never sent either (it is a `spec-parse-error` and a
`spec-rejected`). The statements after it are still applied. Not sent and not reported:
transaction control (each statement applies on its own), `ALTER … OWNER TO` (the scratch role owns everything), `COMMENT ON EXTENSION` (pgparity's admin connection owns the extensions), `COPY … FROM stdin` (a dump's rows) and `SET statement_timeout` /
`lock_timeout` (pgparity's `--statement-timeout` and `--lock-timeout` apply).

## Why it matters
A spec that parses can still be wrong: a type that does not exist, a column referenced before
it is added, a function body with an error. If PostgreSQL refuses it, so will the migration. A
statement pgparity did not send may have defined something the comparison now misses; and
specs that come from a pull request must not reach anything outside their scratch database.

## Example
`not applied to the scratch database: role \"app_user\" does not exist on the --dev-db server,
so 3 statements naming it (grants, policies) did not apply` — an `info` note, once per role:
roles are cluster-wide, specs usually assume them, and pgparity never creates roles from spec
text. Create the role on the dev server to apply those statements; nothing pgparity reads back
(view column types and definitions) depends on them.

`not applied to the scratch database: CREATE ROLE intruder: roles are cluster-wide …` — move the
statement out of the specs (into the setup of the server).

`not applied to the scratch database: extension \"postgis\" is not allowed …` — add it to
`extensions = [...]` under `[dev_db]` in `pgparity.toml`.",
};

/// `duplicate-definition`.
pub const DUPLICATE_DEFINITION: Rule = Rule {
    id: "duplicate-definition",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "An object is defined twice in the specs",
    documentation: "\
## What it does
Reports a table, view, index, constraint or policy that the specs create twice (without
`IF NOT EXISTS` / `OR REPLACE`), or an index or constraint name used twice. The first
definition is kept.

## Why it matters
PostgreSQL would reject the second statement: the specs cannot be applied as written, and
which definition is meant is ambiguous.

## Example
```sql
CREATE INDEX idx_events_tenant ON attribution_events (tenant_id);
CREATE INDEX idx_events_tenant ON attribution_events (tenant_id, occurred_at);
```
Remove one definition or rename one of them.",
};

/// `unknown-reference`.
pub const UNKNOWN_REFERENCE: Rule = Rule {
    id: "unknown-reference",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "An index, foreign key, policy or mapping names a relation or column the specs do not define",
    documentation: "\
## What it does
Reports statements and mapping entries that name a relation or column the specs do not
define: an index on a missing column, a foreign key to a missing table, a policy, grant or
comment on an unknown table, a read model or entity whose relation is not in the specs.

## Why it matters
PostgreSQL would reject such a statement; in the mapping, a relation that does not exist
cannot serve a DTO. It is usually a typo or a rename that missed one place.

## Example
```sql
CREATE INDEX idx_ledger_posted ON revenue_ledger (postedat);
```
Name the column that exists (`posted_at`), or define the missing object.",
};

/// Reports spec problems and references the catalog cannot resolve.
pub(super) fn check(specs: Specs, findings: &mut Vec<Finding>) {
    for problem in specs.problems {
        let location = Some(&problem.location);
        let finding = match &problem.kind {
            SpecProblemKind::ParseError { message, defines } => {
                let object = defines
                    .as_ref()
                    .map_or_else(|| problem.location.path.clone(), ToString::to_string);
                Finding::new(
                    &SPEC_PARSE_ERROR,
                    object,
                    format!("statement does not parse: {message}"),
                )
                .hint("fix the statement; objects it defines are not checked until it parses")
            }
            SpecProblemKind::Duplicate {
                object,
                object_kind,
                first,
            } => {
                let first = first
                    .as_ref()
                    .map_or_else(String::new, |first| format!(" (first defined at {first})"));
                Finding::new(
                    &DUPLICATE_DEFINITION,
                    object.clone(),
                    format!("{object_kind} {object} is defined again{first}"),
                )
            }
            SpecProblemKind::UnknownReference { object, missing } => Finding::new(
                &UNKNOWN_REFERENCE,
                object.clone(),
                format!("{object} refers to {missing}, which the specs do not define"),
            ),
            SpecProblemKind::Rejected { message } => Finding::new(
                &SPEC_REJECTED,
                problem.location.path.clone(),
                format!("PostgreSQL rejected the statement: {message}"),
            )
            .hint("fix the statement so that it applies to an empty database in spec order"),
            SpecProblemKind::NotApplied { reason } => Finding::new(
                &SPEC_REJECTED,
                problem.location.path.clone(),
                format!("not applied to the scratch database: {reason}"),
            )
            .hint("keep statements that act on the server out of the specs; `pgparity explain spec-rejected` lists what is applied"),
            SpecProblemKind::RoleMissingOnDevServer { role, statements } => Finding::new(
                &SPEC_REJECTED,
                problem.location.path.clone(),
                format!(
                    "not applied to the scratch database: role \"{role}\" does not exist on the \
                     --dev-db server, so {statements} statement{} naming it (grants, policies) \
                     did not apply; what pgparity reads back does not depend on them",
                    if *statements == 1 { "" } else { "s" }
                ),
            )
            .severity(Severity::Info)
            .hint(format!(
                "create the role on the dev server once (`CREATE ROLE \"{role}\" NOLOGIN`) to apply them"
            )),
            SpecProblemKind::Skipped { statement } => Finding::new(
                &UNSUPPORTED_STATEMENT,
                problem.location.path.clone(),
                format!("{statement} statement is outside pgparity's model and was skipped"),
            ),
        };
        findings.push(finding.at(location));
    }
    for relation in specs.catalog.relations.values() {
        check_relation_references(specs.catalog, relation, findings);
    }
}

fn check_relation_references(catalog: &Catalog, relation: &Relation, findings: &mut Vec<Finding>) {
    let has_column = |name: &str| relation.column(name).is_some();
    for index in relation.indexes.values() {
        let named_columns = index
            .keys
            .iter()
            .filter_map(|key| match &key.target {
                IndexTarget::Column(column) => Some(column),
                IndexTarget::Expression(_) => None,
            })
            .chain(&index.include);
        for column in named_columns {
            if !has_column(column) {
                findings.push(
                    Finding::new(
                        &UNKNOWN_REFERENCE,
                        format!("{}.{}", relation.name.schema, index.name),
                        format!(
                            "index {} names column {column}, which {} does not have",
                            index.name, relation.name
                        ),
                    )
                    .at(index.location.as_ref()),
                );
            }
        }
    }
    for constraint in relation.constraints.values() {
        let object = relation.member_path(&constraint.name);
        let mut missing = Vec::new();
        let own_columns: &[String] = match &constraint.kind {
            ConstraintKind::PrimaryKey { columns }
            | ConstraintKind::Unique { columns, .. }
            | ConstraintKind::ForeignKey { columns, .. } => columns,
            ConstraintKind::Check { .. } | ConstraintKind::Exclusion { .. } => &[],
        };
        missing.extend(
            own_columns
                .iter()
                .filter(|column| !has_column(column))
                .map(|column| format!("column {}", relation.name.child(column))),
        );
        if let ConstraintKind::ForeignKey {
            references,
            referenced_columns,
            ..
        } = &constraint.kind
        {
            match catalog.relations.get(references) {
                None => missing.push(format!("relation {references}")),
                Some(target) => missing.extend(
                    referenced_columns
                        .iter()
                        .filter(|column| target.column(column).is_none())
                        .map(|column| format!("column {}", references.child(column))),
                ),
            }
        }
        for what in missing {
            findings.push(
                Finding::new(
                    &UNKNOWN_REFERENCE,
                    object.clone(),
                    format!(
                        "constraint {} refers to {what}, which the specs do not define",
                        constraint.name
                    ),
                )
                .at(constraint.location.as_ref().or(relation.location.as_ref())),
            );
        }
    }
}
