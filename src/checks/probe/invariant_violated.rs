//! `invariant-violated`: an invariant's `violations` query returned rows.

use crate::checks::probe::ProbeScope;
use crate::finding::{Finding, ObjectPath};
use crate::model::InvariantFound;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `invariant-violated`.
pub static INVARIANT_VIOLATED: Rule = Rule {
    id: "invariant-violated",
    family: Family::Probe,
    default_severity: Severity::Error,
    summary: "An invariant's violations query found rows that break it",
    object_kind: ObjectKind::Object,
    needs_live: true,
    docs: "\
## What it does
Runs the `violations:` query of every `invariants:` entry of the mapping against `--db`, inside
the read-only transaction and its statement timeout, and (with `--probe`) in the scratch
database. Rows found are reported with their count and the `key:` columns of at most 20 of
them — never any other column, so personal data in the rows stays out of reports. A query the
database cannot run is reported at warning level with the server's message.

## Why it matters
\"Allocations sum to the event's revenue\" is enforced by a trigger that a bulk load, a
disabled trigger or an old bug may have bypassed; the query finds the rows that already break
it, every night.

## Example
```yaml
invariants:
  - name: allocations-sum-to-one
    violations: |
      SELECT tenant_id, event_id, model_version FROM attribution_allocations
      GROUP BY 1, 2, 3 HAVING sum(allocation_ratio) <> 1
    key: [tenant_id, event_id, model_version]
```
`error[invariant-violated]: allocations-sum-to-one: 1 row breaks it in the database:
tenant_id=…, event_id=…, model_version=linear-v3`",
};
register_rule!(INVARIANT_VIOLATED);
crate::checks::finder!(super::PROBE_FINDERS, find);

fn find(scope: &ProbeScope, findings: &mut Vec<Finding>) {
    let Some(results) = scope.results else {
        return;
    };
    for invariant in &results.invariants {
        let object = ObjectPath::other(format!("invariant {}", invariant.name));
        let finding = match &invariant.found {
            InvariantFound::Holds => continue,
            InvariantFound::Rows { count, keys } => {
                let rows = if *count == 1 {
                    "row breaks"
                } else {
                    "rows break"
                };
                let shown = if (*count as usize) > keys.len() {
                    format!(" (the first {})", keys.len())
                } else {
                    String::new()
                };
                Finding::new(
                    &INVARIANT_VIOLATED,
                    object,
                    format!(
                        "{}: {count} {rows} it in {}{shown}: {}",
                        invariant.name,
                        invariant.against,
                        keys.join("; ")
                    ),
                )
                .expected_actual(
                    "no rows",
                    if *count == 1 {
                        "1 row".to_string()
                    } else {
                        format!("{count} rows")
                    },
                )
            }
            InvariantFound::Error { message } => Finding::new(
                &INVARIANT_VIOLATED,
                object,
                format!(
                    "{}: the violations query could not run in {}: {message}",
                    invariant.name, invariant.against
                ),
            )
            .severity(Severity::Warning)
            .hint(
                "correct the query, or give the --db role the rights it needs to read its tables",
            ),
        };
        findings.push(finding.at(invariant.location.as_ref()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn rows_breaking_the_invariant_are_counted_and_only_their_keys_shown() {
        let table = "CREATE TABLE shares (event_id integer, channel text, ratio numeric);";
        let findings = Scenario::specs(table)
            .mapping(
                "version: 1\ninvariants:\n  - name: shares-sum-to-one\n    violations: SELECT event_id FROM shares GROUP BY event_id HAVING sum(ratio) <> 1\n    key: [event_id]\n  - name: broken-query\n    violations: SELECT no_such_column FROM shares\n    key: [no_such_column]\n",
            )
            .live(&format!(
                "{table} INSERT INTO shares VALUES (1, 'secret-channel-a', 0.5), (1, 'secret-channel-b', 0.25), (2, 'email', 1);"
            ))
            .findings_of(&INVARIANT_VIOLATED);
        insta::assert_snapshot!(render(&findings));
    }
}
