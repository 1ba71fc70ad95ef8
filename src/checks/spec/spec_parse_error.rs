//! `spec-parse-error`: a spec statement the SQL parser rejects.

use crate::checks::spec::Specs;
use crate::finding::{Finding, ObjectPath};
use crate::model::SpecProblemKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `spec-parse-error`.
pub static SPEC_PARSE_ERROR: Rule = Rule {
    id: "spec-parse-error",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "A spec statement could not be parsed",
    object_kind: ObjectKind::Declaration,
    needs_live: false,
    docs: "\
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
register_rule!(SPEC_PARSE_ERROR);
crate::checks::finder!(super::SPEC_FINDERS, find);

fn find(specs: &Specs, findings: &mut Vec<Finding>) {
    for problem in specs.problems {
        let SpecProblemKind::ParseError { message, defines } = &problem.kind else {
            continue;
        };
        let object = defines.as_ref().map_or_else(
            || ObjectPath::other(problem.location.path.to_string()),
            |relation| ObjectPath::relation(relation).of_kind(ObjectKind::Relation),
        );
        findings.push(
            Finding::new(
                &SPEC_PARSE_ERROR,
                object,
                format!("statement does not parse: {message}"),
            )
            .hint("fix the statement; objects it defines are not checked until it parses")
            .at(Some(&problem.location)),
        );
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_statement_that_does_not_parse_is_located_and_names_its_table() {
        let findings = Scenario::specs(
            "CREATE TABLE ok (id int);\nCREATE TABLE broken (id int,, note text);\n",
        )
        .findings_of(&SPEC_PARSE_ERROR);
        insta::assert_snapshot!(render(&findings));
    }
}
