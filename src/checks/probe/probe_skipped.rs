//! `probe-skipped`: probes that could not be tried, or gave no conclusive answer, and why.

use crate::checks::probe::{probe_object, ProbeScope};
use crate::finding::{Finding, ObjectPath};
use crate::model::{Probe, ProbeKind, ProbeOutcome};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use std::collections::BTreeMap;

/// `probe-skipped`.
pub static PROBE_SKIPPED: Rule = Rule {
    id: "probe-skipped",
    family: Family::Probe,
    default_severity: Severity::Info,
    summary: "Probes that could not be tried in the scratch database, and why",
    object_kind: ObjectKind::Table,
    needs_live: true,
    docs: "\
## What it does
Reports the probes of `--probe` that were not tried or gave no conclusive answer, grouped by
table and reason: the server refused the valid row pgparity synthesized for the table (its
message is shown: a CHECK pgparity cannot read, such as a regular expression or a comparison of
two columns, or a trigger), the bounds of such a CHECK (not tried: the note quotes it), an
exclusion constraint on other operators than `=` and `&&` on ranges, a
partial predicate with function calls, a column of a type pgparity cannot make values of, a foreign key
cycle, a role that does not exist on the `--dev-db` server, a policy whose tenant setting
cannot be read.

## Why it matters
A skipped probe is not a pass: the constraint was not tried. Never a false failure either.

## Example
```
info[probe-skipped]: public.tenants: 6 probes skipped: the server refused the synthesized row:
  new row for relation \"tenants\" violates check constraint \"ck_tenants_slug_format\"
```
Make the CHECK readable (a list, comparisons, `length()`), or accept the note.",
};
register_rule!(PROBE_SKIPPED);
crate::checks::finder!(super::PROBE_FINDERS, find);

fn find(scope: &ProbeScope, findings: &mut Vec<Finding>) {
    let Some(results) = scope.results else {
        return;
    };
    let mut groups: BTreeMap<(String, &str), Vec<&Probe>> = BTreeMap::new();
    // An undecided drift comparison that could not be settled says why in its own
    // finding (the drift family's).
    for probe in results
        .probes
        .iter()
        .filter(|probe| probe.kind != ProbeKind::Settle)
    {
        if let ProbeOutcome::Skipped { reason } = &probe.outcome {
            groups
                .entry((probe.relation.to_string(), reason.as_str()))
                .or_default()
                .push(probe);
        }
    }
    for ((_, reason), probes) in groups {
        let first = probes[0];
        let (object, what) = match probes.as_slice() {
            [only] => (probe_object(only), format!("{} skipped", only.description)),
            _ => (
                ObjectPath::relation(&first.relation).of_kind(ObjectKind::Table),
                format!("{} probes of {} skipped", probes.len(), first.relation),
            ),
        };
        findings.push(
            Finding::new(&PROBE_SKIPPED, object, format!("{what}: {reason}"))
                .at(first.location.as_ref()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_row_the_server_refuses_skips_the_tables_probes_with_its_message() {
        // pgparity cannot read the regular expression, so its row is refused.
        let findings = Scenario::specs(
            "CREATE TABLE currencies (
                 code text PRIMARY KEY CONSTRAINT ck_code CHECK (code ~ '^[A-Z]{3}$'),
                 name text NOT NULL
             );
             CREATE TABLE shapes (id integer PRIMARY KEY, outline point NOT NULL);",
        )
        .probed()
        .findings_of(&PROBE_SKIPPED);
        insta::assert_snapshot!(render(&findings));
    }
}
