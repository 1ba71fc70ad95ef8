//! Renderers: one file per output format, each with its own private serde structs.
//! Renderers know nothing of the checks; they get a finished [`Report`] (SARIF and JUnit
//! also read the rule registry's metadata: descriptions and families).

mod github;
mod json;
mod junit;
mod sarif;
mod text;

use crate::checks::meta::Suppressed;
use crate::finding::{Finding, Severity, Summary};

/// A finished run, ready to render.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Reported findings, sorted.
    pub findings: Vec<Finding>,
    /// Findings hidden by suppressions.
    pub suppressed: Vec<Suppressed>,
    /// Checks that did not run, and why.
    pub skipped: Vec<String>,
    /// The configuration file the run read (as a location path), if any. SARIF shows
    /// findings that have no source line of their own there, because GitHub code scanning
    /// rejects a log in which any result lacks a physical location.
    pub config_path: Option<String>,
}

impl Report {
    /// Counts of reported findings by severity.
    pub fn summary(&self) -> Summary {
        Summary::of(&self.findings)
    }
}

/// Output formats available today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people: grouped by object, with a summary line.
    Text,
    /// One JSON object (PRODUCT.md's shape), for tools.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// JUnit XML, for CI test-report viewers.
    Junit {
        /// Findings at or above this severity are failed test cases (`--fail-on`);
        /// `None` (`--fail-on never`) fails none.
        failure_threshold: Option<Severity>,
    },
    /// GitHub Actions workflow commands: annotations on the changed lines.
    Github,
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(report),
        Format::Junit { failure_threshold } => junit::render(report, failure_threshold),
        Format::Github => github::render(report),
    }
}
