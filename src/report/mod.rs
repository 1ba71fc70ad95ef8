//! Renderers: one file per output format, each with its own private serde structs.
//! Renderers know nothing of rules; they get a finished [`Report`].

mod json;
mod text;

use crate::checks::meta::Suppressed;
use crate::finding::{Finding, Summary};

/// A finished run, ready to render.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Reported findings, sorted.
    pub findings: Vec<Finding>,
    /// Findings hidden by suppressions.
    pub suppressed: Vec<Suppressed>,
    /// Checks that did not run, and why.
    pub skipped: Vec<String>,
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
}

/// Renders `report` in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report),
    }
}
