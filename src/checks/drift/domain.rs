//! Domain drift: `missing-domain`, `unexpected-domain`, `domain-drift`.

use crate::checks::drift::{definition_finding, object_path, Drift, ABSENT};
use crate::diff::{ObjectChange, SchemaObject};
use crate::finding::Finding;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-domain`.
pub static MISSING_DOMAIN: Rule = Rule {
    id: "missing-domain",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A domain of the specs is missing from the database",
    object_kind: ObjectKind::Type,
    needs_live: true,
    docs: "\
## What it does
Reports a domain (`CREATE DOMAIN`) that the specs define and the database, in the schemas
compared, lacks.

## Why it matters
Columns declared with the domain cannot be created, and the rule it carries (`NOT NULL`, a
`CHECK` on every value) is enforced nowhere.

## Example
The specs define `CREATE DOMAIN cents AS bigint CHECK (VALUE >= 0)`, the database has no
`cents`. Fix: create the domain.",
};
register_rule!(MISSING_DOMAIN);

/// `unexpected-domain`.
pub static UNEXPECTED_DOMAIN: Rule = Rule {
    id: "unexpected-domain",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has a domain the specs do not define",
    object_kind: ObjectKind::Type,
    needs_live: true,
    docs: "\
## What it does
Reports a domain of a schema compared that the specs do not define (domains of extensions
are not listed). A domain that a spec statement pgparity could not read creates is not
reported.

## Why it matters
A domain made by hand is missing from every environment built from the specs. A warning:
an unused leftover does no harm by itself.

## Example
`CREATE DOMAIN email AS text` exists only in production. Fix: add it to the specs, or drop
it.",
};
register_rule!(UNEXPECTED_DOMAIN);

/// `domain-drift`.
pub static DOMAIN_DRIFT: Rule = Rule {
    id: "domain-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A domain's base type, NOT NULL or CHECKs differ between the specs and the database",
    object_kind: ObjectKind::Type,
    needs_live: true,
    docs: "\
## What it does
Compares a domain's base type (canonical: `int4` is `integer`), its `NOT NULL`, and its
`CHECK` constraints as a set of normalized expressions (the server's
`CHECK ((VALUE > 0))` equals the spec's `CHECK (VALUE > 0)`; constraint names and their
order are not compared). A CHECK that normalization cannot decide is info.

## Why it matters
Every column of the domain inherits these rules: a dropped or widened CHECK lets values
through that the contracts promise never appear; a narrower one rejects writes the specs
allow.

## Example
The specs say `CREATE DOMAIN cents AS bigint CHECK (VALUE >= 0)`, the database's CHECK is
`VALUE > -100`. Fix: `ALTER DOMAIN cents DROP CONSTRAINT …, ADD CHECK (VALUE >= 0)`.",
};
register_rule!(DOMAIN_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.objects {
        let SchemaObject::Domain(name) = change.object() else {
            continue;
        };
        let location = drift
            .spec
            .domains
            .get(name)
            .and_then(|found| found.location.as_ref());
        let path = object_path(change.object(), ObjectKind::Type);
        let finding = match change {
            ObjectChange::Missing(_) => Finding::new(
                &MISSING_DOMAIN,
                path,
                format!("domain {name} is defined in the specs but missing from the database"),
            )
            .expected_actual("domain", ABSENT)
            .at(location)
            .hint("apply its CREATE DOMAIN to the database, or remove it from the specs"),
            ObjectChange::Unexpected(_) => Finding::new(
                &UNEXPECTED_DOMAIN,
                path,
                format!("domain {name} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "domain")
            .hint("add it to the specs, or drop it from the database"),
            ObjectChange::Changed { difference, .. } => {
                definition_finding(&DOMAIN_DRIFT, path, &format!("domain {name}"), difference)
                    .at(location)
            }
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE DOMAIN cents AS bigint CHECK (VALUE >= 0);
        CREATE DOMAIN state AS text NOT NULL CHECK (VALUE IN ('idle', 'running'));
        CREATE DOMAIN ratio AS numeric(6,5) CHECK (VALUE >= 0) CHECK (VALUE <= 1);
        CREATE DOMAIN gone AS text;";

    #[test]
    fn base_types_not_null_checks_and_missing_or_extra_domains_are_found() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE DOMAIN cents AS integer CHECK (VALUE > -100);
                 CREATE DOMAIN state AS text CHECK (VALUE IN ('idle', 'running'));
                 CREATE DOMAIN ratio AS numeric(6,5) CHECK (VALUE <= 1) CHECK (VALUE >= 0);
                 CREATE DOMAIN leftover AS text;",
            )
            .findings_of_all(&[&MISSING_DOMAIN, &UNEXPECTED_DOMAIN, &DOMAIN_DRIFT]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_same_domains_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(SPEC).live(SPEC).findings_of_all(&[
            &MISSING_DOMAIN,
            &UNEXPECTED_DOMAIN,
            &DOMAIN_DRIFT,
        ]);
        assert!(findings.is_empty(), "{}", render(&findings));
    }
}
