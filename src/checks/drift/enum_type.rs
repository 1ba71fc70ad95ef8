//! Enum type drift: `missing-enum`, `unexpected-enum`, `enum-drift`.

use crate::checks::drift::{definition_finding, object_path, Drift, ABSENT};
use crate::diff::{ObjectChange, SchemaObject};
use crate::finding::Finding;
use crate::model::QualifiedName;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-enum`.
pub static MISSING_ENUM: Rule = Rule {
    id: "missing-enum",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An enum type of the specs is missing from the database",
    object_kind: ObjectKind::Type,
    needs_live: true,
    docs: "\
## What it does
Reports an enum type (`CREATE TYPE … AS ENUM`) that the specs define and the database, in
the schemas compared, lacks.

## Why it matters
Every column, function and cast that names the type fails to be created, and the contract
values the enum stands for are not enforced anywhere.

## Example
The specs define `CREATE TYPE run_state AS ENUM ('idle', 'running', 'failed')`, the database
has no `run_state`. Fix: create the type.",
};
register_rule!(MISSING_ENUM);

/// `unexpected-enum`.
pub static UNEXPECTED_ENUM: Rule = Rule {
    id: "unexpected-enum",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has an enum type the specs do not define",
    object_kind: ObjectKind::Type,
    needs_live: true,
    docs: "\
## What it does
Reports an enum type of a schema compared that the specs do not define (types of
extensions are not listed). A type that a spec statement pgparity could not read creates
is not reported.

## Why it matters
A type made by hand is missing from every environment built from the specs, and whatever
uses it breaks there. A warning: an unused leftover type does no harm by itself.

## Example
`CREATE TYPE tmp_state AS ENUM ('a', 'b')` was run during a migration that was rolled back
by hand. Fix: drop it, or add it to the specs.",
};
register_rule!(UNEXPECTED_ENUM);

/// `enum-drift`.
pub static ENUM_DRIFT: Rule = Rule {
    id: "enum-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "An enum type's labels or their order differ between the specs and the database",
    object_kind: ObjectKind::Type,
    needs_live: true,
    docs: "\
## What it does
Compares the labels of an enum type in their order (`pg_enum.enumsortorder`): a label
added, missing or renamed, and the same labels in another order, are all drift. The
specs' `ALTER TYPE … ADD VALUE … BEFORE|AFTER` and `RENAME VALUE` are applied first.

## Why it matters
A value the application writes that the database lacks is rejected at run time; a label
the specs do not know reaches DTOs whose contract lists the values; and the order is the
sort order of the type (`ORDER BY state`, `state > 'running'`).

## Example
The specs say `('idle', 'running', 'failed', 'completed')`, the database
`('idle', 'running', 'completed')`. Fix: `ALTER TYPE run_state ADD VALUE 'failed' BEFORE
'completed'`.",
};
register_rule!(ENUM_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.objects {
        let SchemaObject::Enum(name) = change.object() else {
            continue;
        };
        let location = drift
            .spec
            .enums
            .get(name)
            .and_then(|found| found.location.as_ref());
        let path = object_path(change.object(), ObjectKind::Type);
        let finding = match change {
            ObjectChange::Missing(_) => Finding::new(
                &MISSING_ENUM,
                path,
                format!("enum type {name} is defined in the specs but missing from the database"),
            )
            .expected_actual("enum type", ABSENT)
            .at(location)
            .hint("apply its CREATE TYPE to the database, or remove it from the specs"),
            ObjectChange::Unexpected(_) => Finding::new(
                &UNEXPECTED_ENUM,
                path,
                format!("enum type {name} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "enum type")
            .hint("add it to the specs, or drop it from the database"),
            ObjectChange::Changed { difference, .. } => {
                let finding =
                    definition_finding(&ENUM_DRIFT, path, &format!("enum type {name}"), difference)
                        .at(location);
                match (drift.spec.enums.get(name), drift.live.enums.get(name)) {
                    (Some(wanted), Some(found)) => {
                        finding.hint(labels_hint(name, &wanted.values, &found.values))
                    }
                    _ => finding,
                }
            }
        };
        findings.push(finding);
    }
}

/// How to bring the database's labels to the specs': `ADD VALUE` for each missing
/// label, before the next label the database has; labels PostgreSQL cannot drop or
/// reorder say so.
fn labels_hint(name: &QualifiedName, wanted: &[String], found: &[String]) -> String {
    let quoted = |label: &str| format!("'{}'", label.replace('\'', "''"));
    let extra: Vec<String> = found
        .iter()
        .filter(|label| !wanted.contains(label))
        .map(|label| quoted(label))
        .collect();
    let mut steps: Vec<String> = Vec::new();
    for (at, label) in wanted.iter().enumerate() {
        if found.contains(label) {
            continue;
        }
        let before = wanted[at + 1..].iter().find(|next| found.contains(next));
        steps.push(match before {
            Some(next) => format!(
                "ALTER TYPE {name} ADD VALUE {} BEFORE {}",
                quoted(label),
                quoted(next)
            ),
            None => format!("ALTER TYPE {name} ADD VALUE {}", quoted(label)),
        });
    }
    if !extra.is_empty() {
        steps.push(format!(
            "the database has {} that the specs lack: PostgreSQL cannot drop an enum label, so add \
             it to the specs or recreate the type",
            extra.join(", ")
        ));
    }
    if steps.is_empty() {
        steps.push(
            "the labels are the same in another order, so the type sorts differently: \
             PostgreSQL cannot reorder labels, so recreate the type"
                .into(),
        );
    }
    steps.join("; ")
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE TYPE run_state AS ENUM ('idle', 'running', 'completed');
        ALTER TYPE run_state ADD VALUE 'failed' BEFORE 'completed';
        CREATE TYPE channel AS ENUM ('web', 'mail');
        CREATE TYPE format AS ENUM ('markdown', 'html');
        CREATE TYPE gone AS ENUM ('x');";

    #[test]
    fn labels_their_order_and_missing_or_extra_types_are_found() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE TYPE run_state AS ENUM ('idle', 'running', 'completed');
                 CREATE TYPE channel AS ENUM ('mail', 'web');
                 CREATE TYPE format AS ENUM ('markdown', 'html', 'rst');
                 CREATE TYPE leftover AS ENUM ('y');",
            )
            .findings_of_all(&[&MISSING_ENUM, &UNEXPECTED_ENUM, &ENUM_DRIFT]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_same_types_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(SPEC).live(SPEC).findings_of_all(&[
            &MISSING_ENUM,
            &UNEXPECTED_ENUM,
            &ENUM_DRIFT,
        ]);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
