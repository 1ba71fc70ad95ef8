//! What the probes of `--probe` add to the reports: counts by outcome and by kind (text
//! and Markdown), the JSON `"probes"` object, and one JUnit test case per probe.

use super::Report;
use crate::finding::{Finding, Severity};
use crate::model::{Probe, ProbeKind, ProbeOutcome, ProbeResults};
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
