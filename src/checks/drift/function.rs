//! Function and procedure drift: `missing-function`, `unexpected-function`,
//! `function-drift`.

use crate::checks::drift::{definition_finding, line_diff, object_path, Drift, ABSENT};
use crate::diff::{Comparison, ObjectChange, SchemaObject};
use crate::finding::Finding;
use crate::model::{Function, Location};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `missing-function`.
pub static MISSING_FUNCTION: Rule = Rule {
    id: "missing-function",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A function or procedure of the specs is missing from the database",
    object_kind: ObjectKind::Function,
    needs_live: true,
    docs: "\
## What it does
Reports a function or procedure that the specs define and the database, in the schemas
compared, lacks: none of that name with those input argument types (`OUT` arguments are
not part of the signature). When the database has exactly one other overload of the name
where the specs have one, the two are the same function with other arguments
(`function-drift`), not one missing and one unexpected.

## Why it matters
Triggers, defaults, policies and the application call it: each call fails.

## Example
The specs define `check_allocation_sum()`, the trigger that enforces allocations runs it,
and the database has no such function. Fix: apply its `CREATE FUNCTION`.",
};
register_rule!(MISSING_FUNCTION);

/// `unexpected-function`.
pub static UNEXPECTED_FUNCTION: Rule = Rule {
    id: "unexpected-function",
    family: Family::Drift,
    default_severity: Severity::Warning,
    summary: "The database has a function or procedure the specs do not define",
    object_kind: ObjectKind::Function,
    needs_live: true,
    docs: "\
## What it does
Reports a function or procedure of a schema compared that the specs do not define.
Functions of extensions, and those PostgreSQL makes itself (the constructors of a range
type), are not listed; a function that a spec statement pgparity could not read creates is
not reported.

## Why it matters
A function made by hand is missing from every environment built from the specs; a
`SECURITY DEFINER` one runs with its owner's rights, invisibly to whoever reviews the
specs. A warning: a leftover helper does no harm by itself.

## Example
`debug_dump_tenant(uuid)` was created during an incident. Fix: drop it, or add it to the
specs.",
};
register_rule!(UNEXPECTED_FUNCTION);

/// `function-drift`.
pub static FUNCTION_DRIFT: Rule = Rule {
    id: "function-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A function or procedure differs between the specs and the database",
    object_kind: ObjectKind::Function,
    needs_live: true,
    docs: "\
## What it does
Compares, for a function or procedure of the same name and input argument types (or the
only overload on each side): its argument types, whether it is a function or a procedure,
the return type (`SETOF` and `TABLE (…)` included, types canonical), `LANGUAGE`,
volatility (`IMMUTABLE`, `STABLE`, `VOLATILE`), `SECURITY DEFINER`, and the body. A quoted
body (`AS $$ … $$`) is compared as written but for whitespace, with a line diff; a
SQL-standard body (`RETURN …`, `BEGIN ATOMIC … END`) by its normalized form, and as info
when normalization cannot decide (the server qualifies the columns it names).

## Why it matters
A function whose body changed by hand does something the specs do not say; one that
became `SECURITY DEFINER` runs with its owner's rights for every caller; a wrong
volatility lets the planner cache results that change, or keeps an index expression from
being built.

## Example
The specs' `check_allocation_sum()` raises when allocations do not sum to 1; the database's
was edited to only log. Fix: apply the specs' `CREATE OR REPLACE FUNCTION`.",
};
register_rule!(FUNCTION_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.objects {
        let object = change.object();
        let SchemaObject::Function {
            name,
            arguments,
            kind,
        } = object
        else {
            continue;
        };
        let subject = format!("{} {object}", kind.describe());
        let location = drift
            .spec
            .functions
            .get(name)
            .and_then(|overloads| {
                overloads
                    .iter()
                    .find(|function| &function.arguments == arguments)
            })
            .and_then(|function: &Function| function.location.as_ref());
        let path = object_path(object, ObjectKind::Function);
        let finding = match change {
            ObjectChange::Missing(_) => Finding::new(
                &MISSING_FUNCTION,
                path,
                format!("{subject} is defined in the specs but missing from the database"),
            )
            .expected_actual(kind.describe(), ABSENT)
            .at(location)
            .hint(format!(
                "apply its CREATE {}, or remove it from the specs",
                kind.describe().to_uppercase()
            )),
            ObjectChange::Unexpected(_) => Finding::new(
                &UNEXPECTED_FUNCTION,
                path,
                format!("{subject} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, kind.describe())
            .hint("add it to the specs, or drop it from the database"),
            ObjectChange::Changed { difference, .. } => {
                let finding = definition_finding(&FUNCTION_DRIFT, path, &subject, difference)
                    .at(location.or(name_location(drift, name)));
                if difference.property == "body" && difference.comparison == Comparison::Values {
                    let (expected, actual) =
                        (dedent(&difference.expected), dedent(&difference.actual));
                    finding
                        .diff(line_diff(&expected, &actual))
                        .expected_actual(expected, actual)
                } else {
                    finding
                }
            }
        };
        findings.push(finding);
    }
}

/// A body as its lines mean it: without the indentation every line shares (a spec
/// indents the body with its statement), trailing spaces, and blank lines around it.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let indent = lines
        .iter()
        .filter(|line| !line.is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or_default())
        .collect();
    body.join("\n").trim_matches('\n').to_string()
}

/// Where the specs define some overload of the name (for a function whose arguments
/// changed, no overload of the database's arguments is in the specs).
fn name_location<'d>(drift: &'d Drift, name: &crate::model::QualifiedName) -> Option<&'d Location> {
    drift
        .spec
        .functions
        .get(name)
        .and_then(|overloads| overloads.first())
        .and_then(|function| function.location.as_ref())
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    const SPEC: &str = "CREATE TABLE allocations (id int PRIMARY KEY, ratio numeric);
        CREATE FUNCTION check_allocation_sum() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT sum(ratio) FROM allocations) <> 1 THEN
                RAISE EXCEPTION 'allocations must sum to 1';
            END IF;
            RETURN NULL;
        END
        $$;
        CREATE FUNCTION tenant_of(account integer) RETURNS integer LANGUAGE sql STABLE
            AS 'SELECT account % 10';
        CREATE FUNCTION ratio_of(a integer) RETURNS numeric LANGUAGE sql IMMUTABLE
            RETURN a / 100.0;
        CREATE FUNCTION lookup(key text) RETURNS SETOF allocations LANGUAGE sql
            BEGIN ATOMIC SELECT * FROM allocations WHERE id = length(key); END;
        CREATE FUNCTION pairs(n integer) RETURNS TABLE(a integer, b text) LANGUAGE sql
            AS 'SELECT n, n::text';
        CREATE PROCEDURE reset_allocations(keep integer) LANGUAGE plpgsql
            AS $$ BEGIN DELETE FROM allocations WHERE id > keep; END $$;
        CREATE FUNCTION gone() RETURNS void LANGUAGE sql AS 'SELECT';";

    #[test]
    fn bodies_signatures_and_attributes_are_compared() {
        let findings = Scenario::specs(SPEC)
            .live(
                "CREATE TABLE allocations (id int PRIMARY KEY, ratio numeric);
                 CREATE FUNCTION check_allocation_sum() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN
                     IF (SELECT sum(ratio) FROM allocations) <> 1 THEN
                         RAISE NOTICE 'allocations do not sum to 1';
                     END IF;
                     RETURN NULL;
                 END
                 $$;
                 CREATE FUNCTION tenant_of(account bigint) RETURNS integer LANGUAGE sql
                     SECURITY DEFINER AS 'SELECT (account % 10)::integer';
                 CREATE FUNCTION ratio_of(a integer) RETURNS numeric LANGUAGE sql STABLE
                     RETURN a / 1000.0;
                 CREATE FUNCTION lookup(key text) RETURNS SETOF allocations LANGUAGE sql
                     BEGIN ATOMIC SELECT * FROM allocations WHERE id = length(key); END;
                 CREATE FUNCTION pairs(n integer) RETURNS TABLE(a integer, c text) LANGUAGE sql
                     AS 'SELECT n, n::text';
                 CREATE FUNCTION reset_allocations(keep integer) RETURNS void LANGUAGE plpgsql
                     AS $$ BEGIN DELETE FROM allocations WHERE id > keep; END $$;
                 CREATE FUNCTION debug_dump(tenant integer) RETURNS text LANGUAGE sql
                     AS 'SELECT ''x''';",
            )
            .findings_of_all(&[&MISSING_FUNCTION, &UNEXPECTED_FUNCTION, &FUNCTION_DRIFT]);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn the_same_functions_applied_to_postgresql_are_no_drift() {
        let findings = Scenario::specs(SPEC).live(SPEC).findings_of_all(&[
            &MISSING_FUNCTION,
            &UNEXPECTED_FUNCTION,
            &FUNCTION_DRIFT,
        ]);
        // `lookup`'s BEGIN ATOMIC body selects `*`, which the server stores as the column
        // list: undecided, so info, as for a view.
        let loud: Vec<_> = findings
            .iter()
            .filter(|finding| finding.severity > Severity::Info)
            .collect();
        assert!(loud.is_empty(), "{}", render(&findings));
        assert_eq!(findings.len(), 1, "{}", render(&findings));
    }

    #[test]
    fn a_body_that_differs_only_in_indentation_is_no_drift() {
        assert_eq!(
            dedent("\n        BEGIN\n            RETURN 1;  \n        END\n        "),
            "BEGIN\n    RETURN 1;\nEND"
        );
    }
}
