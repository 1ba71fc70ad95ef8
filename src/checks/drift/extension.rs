//! Extension drift: `missing-extension`, `unexpected-extension`, `extension-drift`.

use crate::checks::drift::{definition_finding, object_path, Drift, ABSENT};
use crate::diff::{ObjectChange, SchemaObject};
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-extension`.
pub static MISSING_EXTENSION: Rule = Rule {
    id: "missing-extension",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An extension the specs create is not installed in the database",
    object_kind: ObjectKind::Extension,
    needs_live: true,
    docs: "\
## What it does
Reports an extension that the specs create (`CREATE EXTENSION`) and the database has not
installed. Extensions belong to the database, not to a schema: every installed extension
is compared, whatever the schemas in scope.

## Why it matters
Its types, functions and operators are missing: columns of its types, indexes of its
operator classes (`gin_trgm_ops`) and calls of its functions (`gen_random_uuid()` before
PostgreSQL 13) fail.

## Example
The specs create `pg_trgm` for a trigram index, the database lacks it. Fix:
`CREATE EXTENSION pg_trgm`.",
};
register_rule!(MISSING_EXTENSION);

/// `unexpected-extension`.
pub static UNEXPECTED_EXTENSION: Rule = Rule {
    id: "unexpected-extension",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has an extension installed that the specs do not create",
    object_kind: ObjectKind::Extension,
    needs_live: true,
    docs: "\
## What it does
Reports an extension installed in the database that the specs do not create (`plpgsql`,
which every database has, is left out).

## Why it matters
Code written against this database may use it unknowingly and then fail on every
environment built from the specs; an extension also widens what the database can do
(`dblink`, `postgres_fdw` reach other servers). A warning: managed services install some
of their own (`pg_stat_statements`), which `pgparity.toml` can turn off or suppress.

## Example
`hstore` was installed by hand to try something. Fix: `DROP EXTENSION hstore`, or create
it in the specs.",
};
register_rule!(UNEXPECTED_EXTENSION);

/// `extension-drift`.
pub static EXTENSION_DRIFT: Rule = Rule {
    id: "extension-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An extension is installed in another schema than the specs name",
    object_kind: ObjectKind::Extension,
    needs_live: true,
    docs: "\
## What it does
Compares the schema an extension's objects live in with the one the specs name
(`CREATE EXTENSION citext SCHEMA extensions`). Without a `SCHEMA` the server chooses it
(the first schema of the search path, or the one the extension's control file fixes), so
nothing is compared. Versions are not compared.

## Why it matters
Unqualified names of the extension's types and functions resolve through the search path:
moved to another schema, `citext` columns and `similarity()` calls fail, or resolve to
something else.

## Example
The specs create `citext` in `extensions`, the database has it in `public`. Fix:
`ALTER EXTENSION citext SET SCHEMA extensions`.",
};
register_rule!(EXTENSION_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.objects {
        let SchemaObject::Extension(name) = change.object() else {
            continue;
        };
        let location = drift.spec.extensions.get(name).and_then(Option::as_ref);
        let path = object_path(change.object(), ObjectKind::Extension);
        let finding = match change {
            ObjectChange::Missing(_) => Finding::new(
                &MISSING_EXTENSION,
                path,
                format!(
                    "extension {name} is created in the specs but not installed in the database"
                ),
            )
            .expected_actual("installed", ABSENT)
            .at(location)
            .hint(format!("CREATE EXTENSION {name}")),
            ObjectChange::Unexpected(_) => Finding::new(
                &UNEXPECTED_EXTENSION,
                path,
                format!(
                    "extension {name} is installed in the database but the specs do not create it"
                ),
            )
            .expected_actual(ABSENT, "installed")
            .hint(format!(
                "add CREATE EXTENSION {name} to the specs, or DROP EXTENSION {name}"
            )),
            ObjectChange::Changed { difference, .. } => definition_finding(
                &EXTENSION_DRIFT,
                path,
                &format!("extension {name}"),
                difference,
            )
            .at(location)
            .hint(format!(
                "ALTER EXTENSION {name} SET SCHEMA {}",
                difference.expected
            )),
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE SCHEMA ext;
        CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
        CREATE EXTENSION citext SCHEMA ext;
        CREATE EXTENSION cube;
        CREATE EXTENSION seg;
        DROP EXTENSION seg;";

    #[test]
    fn missing_extra_and_moved_extensions_are_found() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE SCHEMA ext;
                 CREATE EXTENSION pg_trgm;
                 CREATE EXTENSION citext;
                 CREATE EXTENSION hstore;",
            )
            .findings_of_all(&[&MISSING_EXTENSION, &UNEXPECTED_EXTENSION, &EXTENSION_DRIFT]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_same_extensions_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(SPEC).live(SPEC).findings_of_all(&[
            &MISSING_EXTENSION,
            &UNEXPECTED_EXTENSION,
            &EXTENSION_DRIFT,
        ]);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
