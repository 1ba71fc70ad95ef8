//! `--format text`: findings grouped by object, then one summary line.

use super::Report;
use crate::finding::Finding;
use std::collections::BTreeMap;
use std::fmt::Write;

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
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
    for (object, findings) in ordered {
        let _ = writeln!(out, "{object}");
        for finding in findings {
            write_finding(&mut out, finding);
        }
        out.push('\n');
    }
    for skipped in &report.skipped {
        let _ = writeln!(out, "skipped: {skipped}");
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

fn write_finding(out: &mut String, finding: &Finding) {
    let _ = writeln!(
        out,
        "  {}[{}]: {}",
        finding.severity, finding.rule, finding.message
    );
    if let Some(location) = &finding.location {
        let _ = writeln!(out, "    --> {location}");
    }
    if let Some(expected) = &finding.expected {
        let _ = writeln!(out, "    expected: {expected}");
    }
    if let Some(actual) = &finding.actual {
        let _ = writeln!(out, "    actual:   {actual}");
    }
    if let Some(diff) = &finding.diff {
        for line in diff.lines() {
            let _ = writeln!(out, "    {line}");
        }
    }
    if let Some(hint) = &finding.hint {
        let _ = writeln!(out, "    hint: {hint}");
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn summary_line(report: &Report) -> String {
    let summary = report.summary();
    let mut line = if report.findings.is_empty() {
        "pgparity: no findings".to_string()
    } else {
        format!(
            "pgparity: {}, {}, {} info",
            plural(summary.error, "error"),
            plural(summary.warning, "warning"),
            summary.info
        )
    };
    if !report.suppressed.is_empty() {
        let _ = write!(line, " ({} suppressed)", report.suppressed.len());
    }
    line
}
