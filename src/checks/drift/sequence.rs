//! Sequence drift: `missing-sequence`, `unexpected-sequence`, `sequence-drift`.

use crate::checks::drift::{definition_finding, object_path, Drift, ABSENT};
use crate::diff::{ObjectChange, SchemaObject};
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-sequence`.
pub static MISSING_SEQUENCE: Rule = Rule {
    id: "missing-sequence",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A sequence of the specs is missing from the database",
    object_kind: ObjectKind::Sequence,
    needs_live: true,
    docs: "\
## What it does
Reports a sequence that the specs create, or that a `serial` column of the specs makes
(`<table>_<column>_seq`), and the database, in the schemas compared, lacks. Sequences of
identity columns belong to their column and are compared as its identity.

## Why it matters
Every `nextval('…')` default that names it fails, and so does every insert that relies on
the default.

## Example
The specs create `invoice_number_seq`, the database has none. Fix: create it (and set it
past the highest number in use).",
};
register_rule!(MISSING_SEQUENCE);

/// `unexpected-sequence`.
pub static UNEXPECTED_SEQUENCE: Rule = Rule {
    id: "unexpected-sequence",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has a sequence the specs do not define",
    object_kind: ObjectKind::Sequence,
    needs_live: true,
    docs: "\
## What it does
Reports a sequence of a schema compared that the specs neither create nor make with a
`serial` column. Sequences of identity columns and of extensions are not listed; a
sequence that a spec statement pgparity could not read creates is not reported.

## Why it matters
A sequence made by hand usually feeds a default made by hand (reported as
`default-drift`), and is missing from every environment built from the specs. A warning:
a leftover sequence does no harm by itself.

## Example
`legacy_id_seq` outlived the column it fed. Fix: drop it, or add it to the specs.",
};
register_rule!(UNEXPECTED_SEQUENCE);

/// `sequence-drift`.
pub static SEQUENCE_DRIFT: Rule = Rule {
    id: "sequence-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary:
        "A sequence's type, increment or owning column differs between the specs and the database",
    object_kind: ObjectKind::Sequence,
    needs_live: true,
    docs: "\
## What it does
Compares a sequence's type (`AS smallint | integer | bigint`; a `serial` column's is
`integer`, `bigserial`'s `bigint`), its `INCREMENT BY`, and the column that owns it
(`OWNED BY table.column`, which a `serial` column sets). Its current value, start, cache,
bounds and cycling are state or tuning, not compared.

## Why it matters
An `integer` sequence feeding a `bigint` key runs out at 2,147,483,647 while the column
could go on; another increment changes the numbers the application hands out; a sequence
no column owns survives the column it fed and is not dropped with its table.

## Example
The specs' `bigserial` made `events_id_seq AS bigint`; the database's is `AS integer`. Fix:
`ALTER SEQUENCE events_id_seq AS bigint`.",
};
register_rule!(SEQUENCE_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.objects {
        let SchemaObject::Sequence(name) = change.object() else {
            continue;
        };
        let location = drift
            .spec
            .sequences
            .get(name)
            .and_then(|found| found.location.as_ref());
        let path = object_path(change.object(), ObjectKind::Sequence);
        let finding = match change {
            ObjectChange::Missing(_) => Finding::new(
                &MISSING_SEQUENCE,
                path,
                format!("sequence {name} is defined in the specs but missing from the database"),
            )
            .expected_actual("sequence", ABSENT)
            .at(location)
            .hint("apply its CREATE SEQUENCE (or the serial column that makes it) to the database"),
            ObjectChange::Unexpected(_) => Finding::new(
                &UNEXPECTED_SEQUENCE,
                path,
                format!("sequence {name} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "sequence")
            .hint("add it to the specs, or drop it from the database"),
            ObjectChange::Changed { difference, .. } => {
                let hint = match difference.property {
                    "type" => Some(format!("ALTER SEQUENCE {name} AS {}", difference.expected)),
                    "increment" => Some(format!(
                        "ALTER SEQUENCE {name} INCREMENT BY {}",
                        difference.expected
                    )),
                    "owned by" => Some(format!(
                        "ALTER SEQUENCE {name} OWNED BY {}",
                        if difference.expected == "(none)" {
                            "NONE"
                        } else {
                            &difference.expected
                        }
                    )),
                    _ => None,
                };
                let finding = definition_finding(
                    &SEQUENCE_DRIFT,
                    path,
                    &format!("sequence {name}"),
                    difference,
                )
                .at(location);
                match hint {
                    Some(hint) => finding.hint(hint),
                    None => finding,
                }
            }
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE TABLE events (id bigserial PRIMARY KEY, seq integer);
        CREATE TABLE \"Lease\" (id serial PRIMARY KEY);
        CREATE TABLE accounts (id integer GENERATED ALWAYS AS IDENTITY, number integer);
        CREATE SEQUENCE public.invoice_number_seq AS integer START WITH 1 INCREMENT BY 1
            NO MINVALUE NO MAXVALUE CACHE 1;
        ALTER SEQUENCE public.invoice_number_seq OWNED BY public.accounts.number;
        CREATE SEQUENCE countdown INCREMENT BY -1;
        CREATE SEQUENCE gone;";

    #[test]
    fn types_increments_owners_and_missing_or_extra_sequences_are_found() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE TABLE events (id bigint PRIMARY KEY, seq integer);
                 CREATE SEQUENCE events_id_seq AS integer OWNED BY events.seq;
                 ALTER TABLE events ALTER COLUMN id SET DEFAULT nextval('events_id_seq');
                 CREATE TABLE \"Lease\" (id serial PRIMARY KEY);
                 CREATE TABLE accounts (id integer GENERATED ALWAYS AS IDENTITY, number integer);
                 CREATE SEQUENCE invoice_number_seq AS integer;
                 CREATE SEQUENCE countdown INCREMENT BY 1;
                 CREATE SEQUENCE leftover;",
            )
            .findings_of_all(&[&MISSING_SEQUENCE, &UNEXPECTED_SEQUENCE, &SEQUENCE_DRIFT]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_same_sequences_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(SPEC).live(SPEC).findings_of_all(&[
            &MISSING_SEQUENCE,
            &UNEXPECTED_SEQUENCE,
            &SEQUENCE_DRIFT,
        ]);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
