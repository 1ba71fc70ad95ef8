//! `spec-rejected`: a statement `--dev-db` did not apply.

use crate::checks::spec::Specs;
use crate::finding::{Finding, ObjectPath};
use crate::model::SpecProblemKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `spec-rejected`.
pub static SPEC_REJECTED: Rule = Rule {
    id: "spec-rejected",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "A spec statement was refused, by PostgreSQL or by pgparity, when --dev-db applied the specs",
    object_kind: ObjectKind::Declaration,
    needs_live: true,
    docs: "\
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
register_rule!(SPEC_REJECTED);
crate::checks::finder!(super::SPEC_FINDERS, find);

fn find(specs: &Specs, findings: &mut Vec<Finding>) {
    for problem in specs.problems {
        let object = ObjectPath::other(problem.location.path.to_string());
        let finding = match &problem.kind {
            SpecProblemKind::Rejected { message } => Finding::new(
                &SPEC_REJECTED,
                object,
                format!("PostgreSQL rejected the statement: {message}"),
            )
            .hint("fix the statement so that it applies to an empty database in spec order"),
            SpecProblemKind::NotApplied { reason } => Finding::new(
                &SPEC_REJECTED,
                object,
                format!("not applied to the scratch database: {reason}"),
            )
            .hint(format!(
                "keep statements that act on the server out of the specs; `pgparity explain {}` lists what is applied",
                SPEC_REJECTED.id
            )),
            SpecProblemKind::RoleMissingOnDevServer { role, statements } => Finding::new(
                &SPEC_REJECTED,
                object,
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
            _ => continue,
        };
        findings.push(finding.at(Some(&problem.location)));
    }
}
