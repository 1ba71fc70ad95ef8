//! `duplicate-definition`: an object the specs define twice.

use crate::checks::spec::Specs;
use crate::finding::{Finding, ObjectPath};
use crate::model::SpecProblemKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `duplicate-definition`.
pub static DUPLICATE_DEFINITION: Rule = Rule {
    id: "duplicate-definition",
    family: Family::Spec,
    default_severity: Severity::Error,
    summary: "An object is defined twice in the specs",
    object_kind: ObjectKind::Object,
    needs_live: false,
    docs: "\
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
register_rule!(DUPLICATE_DEFINITION);
crate::checks::finder!(super::SPEC_FINDERS, find);

fn find(specs: &Specs, findings: &mut Vec<Finding>) {
    for problem in specs.problems {
        let SpecProblemKind::Duplicate {
            object,
            object_kind,
            first,
        } = &problem.kind
        else {
            continue;
        };
        let first = first
            .as_ref()
            .map_or_else(String::new, |first| format!(" (first defined at {first})"));
        findings.push(
            Finding::new(
                &DUPLICATE_DEFINITION,
                ObjectPath::other(object.clone()).of_kind(ObjectKind::from_word(object_kind)),
                format!("{object_kind} {object} is defined again{first}"),
            )
            .at(Some(&problem.location)),
        );
    }
}
