//! Findings: what a check reports. Plain data, sorted deterministically, with a
//! fingerprint that survives line moves (for baselines and SARIF).

use crate::model::Location;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is. Ordered so that `Error > Warning > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run unless `--fail-on info`.
    Info,
    /// Probably wrong.
    Warning,
    /// Wrong: the specs, contracts, mapping or database disagree.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable kebab-case rule id, e.g. `dto-type-mismatch`.
    pub rule: String,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// Schema-qualified object path, e.g. `public.revenue_ledger.revenue_cents`.
    pub object: String,
    /// One sentence saying what is wrong.
    pub message: String,
    /// What the reference side says (spec, contract, plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the checked side says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The spec, mapping or contract line it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Unified diff for definitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// How to fix it, when there is something specific to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    /// A finding of `rule` at its default severity (the registry's); callers fill the
    /// optional parts with the builder methods.
    pub fn new(
        rule: &crate::checks::Rule,
        object: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.id.to_string(),
            severity: rule.default_severity,
            object: object.into(),
            message: message.into(),
            expected: None,
            actual: None,
            location: None,
            diff: None,
            hint: None,
        }
    }

    /// Sets expected and actual values.
    pub fn expected_actual(
        mut self,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Sets the expected value.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Sets the actual value.
    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }

    /// Sets the location, if there is one.
    pub fn at(mut self, location: Option<&Location>) -> Self {
        self.location = location.cloned();
        self
    }

    /// Overrides the severity (for rules whose severity depends on the case).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets a fix hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets a unified diff.
    pub fn diff(mut self, diff: impl Into<String>) -> Self {
        self.diff = Some(diff.into());
        self
    }

    /// A fingerprint of the finding's stable facts (rule, object, expected, actual),
    /// not its location or wording, so moving lines does not change it: FNV-1a 64 over
    /// the parts, each followed by a 0xff byte. Baselines written by users hold these
    /// values, so the bytes hashed must never change (explicit `write` calls, not `Hash`
    /// impls, whose byte layout std does not promise).
    pub fn fingerprint(&self) -> String {
        use std::hash::Hasher;
        let mut hasher = fnv::FnvHasher::default();
        for part in [
            self.rule.as_str(),
            self.object.as_str(),
            self.expected.as_deref().unwrap_or(""),
            self.actual.as_deref().unwrap_or(""),
        ] {
            hasher.write(part.as_bytes());
            hasher.write_u8(0xff);
        }
        format!("{:016x}", hasher.finish())
    }
}

/// Sorts findings by severity (most severe first), rule, object, then location and
/// message, so every output is deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.cmp(&b.rule))
            .then_with(|| a.object.cmp(&b.object))
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings at error level.
    pub error: usize,
    /// Findings at warning level.
    pub warning: usize,
    /// Findings at info level.
    pub info: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => summary.error += 1,
                Severity::Warning => summary.warning += 1,
                Severity::Info => summary.info += 1,
            }
        }
        summary
    }
}
