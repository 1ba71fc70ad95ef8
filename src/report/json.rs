//! `--format json`: `{"version": 1, "findings": [...], "summary": {...}, "skipped": [...]}`,
//! plus `"baseline": {"matched": n, "stale": n, "stale_entries": [...]}` when `--baseline`
//! was given and `"probes": {"passed": n, "failed": n, "skipped": n}` when `--probe` ran
//! (with `"settled": [{"object", "property", "how"}]` when undecided drift was settled as
//! equal).

use super::Report;
use crate::baseline::BaselineOutcome;
use crate::finding::{Finding, Summary};
use crate::model::ProbeTally;
use serde::Serialize;

/// The version of the JSON report shape.
const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: &'a [Finding],
    summary: Summary,
    suppressed: usize,
    skipped: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineOutcome>,
    /// With `--probe`: how many probes passed, failed and were skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    probes: Option<ProbesJson>,
}

/// The `"probes"` object: the counts, and the undecided drift comparisons settled as
/// equal (only when there were any).
#[derive(Serialize)]
struct ProbesJson {
    #[serde(flatten)]
    tally: ProbeTally,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    settled: Vec<super::probes::SettledEqual>,
}

pub(super) fn render(report: &Report) -> String {
    let document = JsonReport {
        version: REPORT_VERSION,
        findings: &report.findings,
        summary: report.summary(),
        suppressed: report.suppressed.len(),
        skipped: &report.skipped,
        baseline: report.baseline.as_ref(),
        probes: report.probes.as_ref().map(|results| ProbesJson {
            tally: results.tally(),
            settled: super::probes::settled_equal(results),
        }),
    };
    let mut text = serde_json::to_string_pretty(&document)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}
