//! `unsupported-statement`: a spec statement outside pgparity's model.

use crate::checks::spec::Specs;
use crate::finding::{Finding, ObjectPath};
use crate::model::SpecProblemKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unsupported-statement`.
pub static UNSUPPORTED_STATEMENT: Rule = Rule {
    id: "unsupported-statement",
    family: Family::Spec,
    default_severity: Severity::Info,
    summary: "A spec statement is outside pgparity's model and was skipped",
    object_kind: ObjectKind::Declaration,
    needs_live: false,
    docs: "\
## What it does
Notes statements pgparity does not model (`DO` blocks, `CREATE CAST`, aggregates, event
triggers, publications, …). They are skipped; nothing they do is checked.

## Why it matters
Usually nothing: these statements rarely define what pgparity compares. The note tells you
which parts of a spec were not looked at. A `DO` block can create tables: with `--dev-db`
the server runs it on the scratch database, and the relations the specs' `DO` blocks
created there are read back and compared (the note lists them). Data in structure files
(`INSERT`, `SELECT setval(…)`) is not schema and is skipped without a note.

## Example
```sql
DO $$ BEGIN PERFORM 1; END $$;
```
No fix needed. Set `unsupported-statement = \"off\"` under `[rules]` to silence it.",
};
register_rule!(UNSUPPORTED_STATEMENT);
crate::checks::finder!(super::SPEC_FINDERS, find);

fn find(specs: &Specs, findings: &mut Vec<Finding>) {
    for problem in specs.problems {
        let finding = match &problem.kind {
            SpecProblemKind::Skipped { statement } if statement == "DO" => Finding::new(
                &UNSUPPORTED_STATEMENT,
                ObjectPath::other(problem.location.path.to_string()),
                "DO statement is outside pgparity's model and was skipped".to_string(),
            )
            .hint(
                "with --dev-db the server runs it on a scratch database, and the relations the \
                 specs' DO blocks create there are compared",
            ),
            SpecProblemKind::Skipped { statement } => Finding::new(
                &UNSUPPORTED_STATEMENT,
                ObjectPath::other(problem.location.path.to_string()),
                format!("{statement} statement is outside pgparity's model and was skipped"),
            ),
            SpecProblemKind::RanOnDevServer { statement, created } => {
                let what = if created.is_empty() {
                    "they created no relation".to_string()
                } else {
                    format!(
                        "the relations they created are compared: {}",
                        created.join(", ")
                    )
                };
                Finding::new(
                    &UNSUPPORTED_STATEMENT,
                    ObjectPath::other(problem.location.path.to_string()),
                    format!(
                        "{statement} statement is outside pgparity's model: --dev-db ran the \
                         specs' {statement} blocks on its scratch database, and {what}"
                    ),
                )
            }
            _ => continue,
        };
        findings.push(finding.at(Some(&problem.location)));
    }
}
