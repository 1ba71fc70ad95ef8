//! `unused-suppression`, `expired-suppression`: suppressions are applied here, and those
//! that expired or matched nothing are reported.

use crate::config::Config;
use crate::finding::{Finding, ObjectPath, Suppressed};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};
use chrono::NaiveDate;

/// `unused-suppression`.
pub static UNUSED_SUPPRESSION: Rule = Rule {
    id: "unused-suppression",
    family: Family::Meta,
    default_severity: Severity::Warning,
    summary: "A suppression in pgparity.toml matched no finding",
    object_kind: ObjectKind::Suppression,
    needs_live: false,
    docs: "\
## What it does
Reports `[[suppress]]` entries in `pgparity.toml` that matched no finding in this run.

## Why it matters
A suppression outlives the problem it excused; left in place, it would silently hide the next
problem on the same object.

## Example
```toml
[[suppress]]
rule = \"speculative-index\"
object = \"public.idx_legacy_*\"
reason = \"dropped in the Q3 cleanup\"
```
after the indexes were dropped. Fix: delete the entry.",
};
register_rule!(UNUSED_SUPPRESSION);

/// `expired-suppression`.
pub static EXPIRED_SUPPRESSION: Rule = Rule {
    id: "expired-suppression",
    family: Family::Meta,
    default_severity: Severity::Warning,
    summary: "A suppression in pgparity.toml is past its `until` date and no longer applies",
    object_kind: ObjectKind::Suppression,
    needs_live: false,
    docs: "\
## What it does
Reports `[[suppress]]` entries whose `until` date has passed. An expired suppression no
longer hides anything: the findings it covered are reported again.

## Why it matters
`until` is a promise to fix something by a date; this is the reminder.

## Example
```toml
[[suppress]]
rule = \"rls-disabled\"
object = \"public.dead_events\"
reason = \"RLS rollout, ticket DATA-112\"
until = 2026-06-30
```
Fix the finding and delete the entry, or move the date with a new reason.",
};
register_rule!(EXPIRED_SUPPRESSION);

/// Splits findings into reported and suppressed, and adds findings for suppressions
/// that expired or matched nothing.
pub fn apply_suppressions(
    findings: Vec<Finding>,
    config: &Config,
    today: NaiveDate,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let mut used = vec![false; config.suppressions.len()];
    let mut reported = Vec::new();
    let mut suppressed = Vec::new();
    for finding in findings {
        let matching = config
            .suppressions
            .iter()
            .enumerate()
            .find(|(_, suppression)| {
                !suppression.expired(today)
                    && suppression.matches(finding.rule.id, finding.object.as_str())
            });
        match matching {
            Some((position, suppression)) => {
                used[position] = true;
                suppressed.push(Suppressed {
                    finding,
                    reason: suppression.reason.clone(),
                });
            }
            None => reported.push(finding),
        }
    }
    for (suppression, used) in config.suppressions.iter().zip(used) {
        let object = ObjectPath::other(format!(
            "suppress {} {}",
            suppression.rule, suppression.object
        ));
        if let Some(until) = suppression.until.filter(|_| suppression.expired(today)) {
            reported.push(
                Finding::new(
                    &EXPIRED_SUPPRESSION,
                    object.clone(),
                    format!(
                        "suppression of {} on {} expired on {until} and no longer applies (reason was: {})",
                        suppression.rule, suppression.object, suppression.reason
                    ),
                )
                .at(Some(&suppression.location)),
            );
        } else if !used {
            reported.push(
                Finding::new(
                    &UNUSED_SUPPRESSION,
                    object,
                    format!(
                        "suppression of {} on {} matched no finding",
                        suppression.rule, suppression.object
                    ),
                )
                .at(Some(&suppression.location))
                .hint("delete the entry from pgparity.toml"),
            );
        }
    }
    (reported, suppressed)
}
