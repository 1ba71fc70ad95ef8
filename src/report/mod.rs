//! Renderers: one file per output format, each with its own private serde structs.
//! Renderers know nothing of the checks; they get a finished [`Report`] (SARIF and JUnit
//! also read the rule registry's metadata: descriptions and families).

mod color;
mod fix_sql;
mod github;
mod json;
mod junit;
mod markdown;
mod probes;
mod sarif;
mod text;

pub use color::color_enabled;
pub use fix_sql::render_fix_script;
pub use markdown::{render_with_budget as render_markdown_with_budget, MARKDOWN_BUDGET};
pub use text::render_colored as render_colored_text;

use crate::baseline::BaselineOutcome;
use crate::finding::Suppressed;

use crate::finding::{Finding, Severity, Summary};
use crate::model::ProbeResults;
use std::collections::BTreeMap;
use std::time::Duration;

/// A finished run, ready to render.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Reported findings, sorted.
    pub findings: Vec<Finding>,
    /// Findings hidden by suppressions.
    pub suppressed: Vec<Suppressed>,
    /// Checks that did not run, and why.
    pub skipped: Vec<String>,
    /// What was checked, when, and by which pgparity (the Markdown header shows it).
    pub context: ReportContext,
    /// What `--baseline` hid, when a baseline was applied.
    pub baseline: Option<BaselineOutcome>,
    /// The file SARIF shows findings that have no source line of their own at, because
    /// GitHub code scanning rejects a log in which any result lacks a physical location:
    /// the configuration file, else the first input file the run read.
    pub anchor: Option<Anchor>,
    /// Every probe `--probe` tried, when it ran: counted in text, Markdown and JSON,
    /// one test case each in JUnit.
    pub probes: Option<ProbeResults>,
}

/// A file of the run that stands in for a finding's missing source line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// The file, as a location path.
    pub path: String,
    /// What it is to the run: `configuration`, `mapping`, `spec`, `contract`, `snapshot`.
    pub what: &'static str,
}

/// The circumstances of a run, for report headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportContext {
    /// The database checked, as a connection string; renderers show it only through
    /// [`crate::redact::mask_password`].
    pub target: Option<String>,
    /// The inputs read, by kind: `("specs", ["specs"])`,
    /// `("mapping", ["mappings/contract_schema_mapping.yaml"])`, `("contracts", [...])`.
    pub inputs: Vec<(String, Vec<String>)>,
    /// Schemas in scope.
    pub schemas: Vec<String>,
    /// When the run started, RFC 3339 in UTC.
    pub generated_at: String,
    /// The pgparity version that produced the report.
    pub version: String,
    /// How long the run took.
    pub duration: Duration,
}

impl Report {
    /// Counts of reported findings by severity.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }
}

/// Output formats available today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For people: grouped by object, with a summary line.
    #[default]
    Text,
    /// One JSON object (PRODUCT.md's shape), for tools.
    Json,
    /// The drift report a person reads in a minute; fits a GitHub PR comment.
    Markdown,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test-report viewers: one suite per rule family, findings at or
    /// above the failure threshold are failed test cases.
    Junit,
    /// GitHub Actions workflow commands: annotations on the changed lines.
    Github,
}

/// Whether text output is coloured (see [`color_enabled`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Decide from the environment (`NO_COLOR`, `FORCE_COLOR`, `CLICOLOR`,
    /// `CLICOLOR_FORCE`) and whether the output is a terminal.
    #[default]
    Auto,
    /// Always colour, even through a pipe or with `NO_COLOR` set.
    Always,
    /// Never colour.
    Never,
}

/// Renders `report` in `format`. In JUnit XML, findings at or above
/// `failure_threshold` (`--fail-on`) are failed test cases; `None` (`--fail-on never`)
/// fails none. The other formats do not judge findings.
pub fn render(report: &Report, format: Format, failure_threshold: Option<Severity>) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Markdown => markdown::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report, failure_threshold),
        Format::Github => github::render(report),
    }
}

/// Findings grouped by object, the objects with the worst findings first (then by name),
/// as people read a report: text and Markdown both.
fn findings_by_object(report: &Report) -> Vec<(&str, Vec<&Finding>)> {
    let mut groups: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        groups
            .entry(finding.object.as_str())
            .or_default()
            .push(finding);
    }
    let mut ordered: Vec<(&str, Vec<&Finding>)> = groups.into_iter().collect();
    ordered.sort_by(|(a_object, a), (b_object, b)| {
        let worst = |findings: &[&Finding]| findings.iter().map(|finding| finding.severity).max();
        worst(b).cmp(&worst(a)).then_with(|| a_object.cmp(b_object))
    });
    ordered
}
