//! What the probes of `--probe` add to the reports: counts by outcome and by kind (text
//! and Markdown), the JSON `"probes"` object, and one JUnit test case per probe.

use super::Report;
use crate::finding::{Finding, Severity};
use crate::model::{Probe, ProbeKind, ProbeOutcome, ProbeResults, QualifiedName, Verdict};
use crate::rules::Family;
use std::collections::BTreeMap;

/// Passed, failed and skipped probes of one kind.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Counts by kind, in the kinds' order.
pub(super) fn by_kind(results: &ProbeResults) -> BTreeMap<ProbeKind, Counts> {
    let mut counts: BTreeMap<ProbeKind, Counts> = BTreeMap::new();
    for probe in &results.probes {
        let entry = counts.entry(probe.kind).or_default();
        match probe.outcome {
            ProbeOutcome::Passed => entry.passed += 1,
            ProbeOutcome::Failed { .. } => entry.failed += 1,
            ProbeOutcome::Skipped { .. } => entry.skipped += 1,
        }
    }
    counts
}

/// `probes: 57 passed, 1 failed, 2 skipped (not-null 20/20, check 11/12, …)`: each
/// kind as passed/tried.
pub(super) fn tally_line(results: &ProbeResults) -> String {
    let tally = results.tally();
    let kinds: Vec<String> = by_kind(results)
        .into_iter()
        .map(|(kind, counts)| {
            format!(
                "{} {}/{}",
                kind.as_str(),
                counts.passed,
                counts.passed + counts.failed + counts.skipped
            )
        })
        .collect();
    format!(
        "probes: {} passed, {} failed, {} skipped{}",
        tally.passed,
        tally.failed,
        tally.skipped,
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        }
    )
}

/// An undecided drift comparison that `--probe` settled as equal, for the reports: the
/// object (`schema.table.member`), the property compared and how it was settled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(super) struct SettledEqual {
    pub object: String,
    pub property: String,
    pub how: String,
}

/// The comparisons settled as equal (those that were not are findings).
pub(super) fn settled_equal(results: &ProbeResults) -> Vec<SettledEqual> {
    results
        .settlements
        .iter()
        .filter_map(|settlement| match &settlement.verdict {
            Verdict::Same { how } => Some(SettledEqual {
                object: settlement.relation.child(settlement.object.name()),
                property: settlement.property.clone(),
                how: how.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// `settled: public.t.ck (check): both behave the same on 31 rows (…)`, one line each.
pub(super) fn settled_lines(results: &ProbeResults) -> Vec<String> {
    settled_equal(results)
        .into_iter()
        .map(|settled| {
            format!(
                "settled: {} ({}): {}",
                settled.object, settled.property, settled.how
            )
        })
        .collect()
}

/// The object path of a probe's findings (`schema.table.member`, or the table).
pub(super) fn probe_object(probe: &Probe) -> String {
    match &probe.member {
        Some(member) => probe.relation.child(member),
        None => probe.relation.to_string(),
    }
}

/// Whether `finding` reports `probe` (a failed probe's finding, or the skipped-probes
/// note that covers it).
pub(super) fn reports(finding: &Finding, probe: &Probe) -> bool {
    if probe.kind == ProbeKind::Settle {
        // A settled difference is reported by the drift rule of the definition (an index
        // by `schema.index`).
        let index_path = probe
            .member
            .as_ref()
            .map(|member| QualifiedName::new(probe.relation.schema.clone(), member).to_string());
        return matches!(probe.outcome, ProbeOutcome::Failed { .. })
            && finding.rule.family == Family::Drift
            && (finding.object.as_str() == probe_object(probe)
                || index_path.as_deref() == Some(finding.object.as_str()));
    }
    if finding.rule.family != Family::Probe {
        return false;
    }
    match &probe.outcome {
        ProbeOutcome::Failed { .. } => {
            finding.object.as_str() == probe_object(probe)
                && finding.message.starts_with(&probe.description)
        }
        ProbeOutcome::Skipped { reason } => {
            finding.severity <= Severity::Info
                && (finding.object.as_str() == probe_object(probe)
                    || finding.object.as_str() == probe.relation.to_string())
                && finding.message.ends_with(reason.as_str())
        }
        ProbeOutcome::Passed => false,
    }
}

/// Whether a finding is one of the probes' own (shown as their test cases in JUnit).
pub(super) fn is_probe_finding(report: &Report, finding: &Finding) -> bool {
    report
        .probes
        .as_ref()
        .is_some_and(|results| results.probes.iter().any(|probe| reports(finding, probe)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{ObjectPath, Suppressed};
    use crate::model::QualifiedName;

    fn probe(kind: ProbeKind, member: &str, description: &str, outcome: ProbeOutcome) -> Probe {
        Probe {
            kind,
            relation: QualifiedName::new("public", "ledger"),
            member: Some(member.to_string()),
            description: description.to_string(),
            sql: "INSERT …".into(),
            expected: "refused".into(),
            outcome,
            location: None,
        }
    }

    fn finding(rule: &str, object: &str, message: &str, severity: Severity) -> Finding {
        Finding::new(
            crate::rules::by_id(rule).expect("a known rule"),
            ObjectPath::other(object),
            message,
        )
        .severity(severity)
    }

    /// A run with a passed, a failed, a suppressed failed and a skipped probe, and the
    /// findings the probe rules made of them.
    fn sample() -> Report {
        let failed = ProbeOutcome::Failed {
            actual: "accepted".into(),
        };
        Report {
            findings: vec![
                finding(
                    "probe-failed",
                    "public.ledger.cents",
                    "cents = 0 is refused does not hold: `INSERT …` was accepted",
                    Severity::Error,
                ),
                finding(
                    "probe-skipped",
                    "public.ledger.kind",
                    "kind = 'x' is refused skipped: inconclusive",
                    Severity::Info,
                ),
                finding(
                    "invariant-violated",
                    "invariant sums",
                    "sums: 1 row breaks it",
                    Severity::Error,
                ),
            ],
            suppressed: vec![Suppressed {
                finding: finding(
                    "probe-failed",
                    "public.ledger.id",
                    "NULL in id is refused does not hold: `INSERT …` was accepted",
                    Severity::Error,
                ),
                reason: "known".into(),
            }],
            probes: Some(ProbeResults {
                probes: vec![
                    probe(
                        ProbeKind::NotNull,
                        "cents",
                        "NULL in cents is refused",
                        ProbeOutcome::Passed,
                    ),
                    probe(
                        ProbeKind::Check,
                        "cents",
                        "cents = 0 is refused",
                        failed.clone(),
                    ),
                    probe(ProbeKind::NotNull, "id", "NULL in id is refused", failed),
                    probe(
                        ProbeKind::Check,
                        "kind",
                        "kind = 'x' is refused",
                        ProbeOutcome::Skipped {
                            reason: "inconclusive".into(),
                        },
                    ),
                ],
                ..ProbeResults::default()
            }),
            ..Report::default()
        }
    }

    #[test]
    fn junit_has_one_case_per_probe_and_lists_probe_findings_once() {
        let xml = super::super::render(
            &sample(),
            super::super::Format::Junit,
            Some(Severity::Error),
        );
        // Four probes and the invariant finding; the probe findings are not cases of
        // their own.
        assert!(
            xml.contains(r#"<testsuite name="probe" tests="5""#),
            "{xml}"
        );
        assert_eq!(xml.matches("<testcase ").count(), 5, "{xml}");
        assert!(
            xml.contains(r#"name="check: public.ledger.cents: cents = 0 is refused""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<skipped message="suppressed: known"/>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<skipped message="inconclusive"/>"#),
            "{xml}"
        );
        assert_eq!(xml.matches("<failure").count(), 2, "{xml}");
        assert!(!xml.contains("probe-failed: public.ledger"), "{xml}");
    }

    #[test]
    fn json_and_text_count_the_probes() {
        let report = sample();
        let json = super::super::render(&report, super::super::Format::Json, None);
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(
            value["probes"],
            serde_json::json!({"passed": 1, "failed": 2, "skipped": 1})
        );
        let text = super::super::render(&report, super::super::Format::Text, None);
        assert!(
            text.ends_with("probes: 1 passed, 2 failed, 1 skipped (not-null 1/2, check 0/2)\n"),
            "{text}"
        );
        let markdown = super::super::render(&report, super::super::Format::Markdown, None);
        assert!(markdown.contains("| not-null | 1 | 1 | 0 |"), "{markdown}");
        let without = Report {
            probes: None,
            ..report
        };
        let json = super::super::render(&without, super::super::Format::Json, None);
        assert!(!json.contains("\"probes\""), "{json}");
    }

    #[test]
    fn settled_comparisons_are_listed_with_how_and_a_failed_settle_is_its_drift_finding() {
        use crate::model::{SettledObject, Settlement};
        let relation = QualifiedName::new("public", "ledger");
        let settlement = |name: &str, verdict: Verdict| Settlement {
            relation: relation.clone(),
            object: SettledObject::Constraint(name.into()),
            property: "check".into(),
            verdict,
        };
        let mut report = sample();
        let results = report.probes.as_mut().expect("probes");
        results.settlements = vec![
            settlement(
                "ck_same",
                Verdict::Same {
                    how: "both behave the same on 9 rows".into(),
                },
            ),
            settlement(
                "ck_other",
                Verdict::Differs {
                    evidence: "cents = 0 is accepted by one".into(),
                },
            ),
        ];
        let text = super::super::render(&report, super::super::Format::Text, None);
        assert!(
            text.ends_with(
                "settled: public.ledger.ck_same (check): both behave the same on 9 rows\n"
            ),
            "{text}"
        );
        assert!(!text.contains("ck_other (check)"), "{text}");
        let markdown = super::super::render(&report, super::super::Format::Markdown, None);
        assert!(
            markdown.contains("- public.ledger.ck_same (check): both behave the same on 9 rows"),
            "{markdown}"
        );
        let json = super::super::render(&report, super::super::Format::Json, None);
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(
            value["probes"]["settled"],
            serde_json::json!([{
                "object": "public.ledger.ck_same",
                "property": "check",
                "how": "both behave the same on 9 rows"
            }])
        );
        // A settle probe that failed is shown through the drift finding of its object.
        let settle = probe(
            ProbeKind::Settle,
            "ck_other",
            "the spec's and the live CHECK behave the same",
            ProbeOutcome::Failed {
                actual: "differs".into(),
            },
        );
        let drift = finding(
            "constraint-drift",
            "public.ledger.ck_other",
            "constraint ck_other of public.ledger differs",
            Severity::Error,
        );
        assert!(reports(&drift, &settle));
        let unrelated = finding(
            "constraint-drift",
            "public.ledger.ck_same",
            "constraint ck_same of public.ledger differs",
            Severity::Error,
        );
        assert!(!reports(&unrelated, &settle));
    }
}
