//! `--format text`: findings grouped by object, then one summary line. Colour (ANSI SGR
//! codes) only when the caller asks for it: a terminal, never a file or a pipe.

use super::Report;
use crate::finding::{Finding, Severity};
use anstyle::{AnsiColor, Style};
use std::fmt::Write;

/// Paints each part of a finding, or nothing when plain.
struct Palette {
    colored: bool,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default();
const GREEN: Style = AnsiColor::Green.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.colored {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, severity: Severity) -> String {
        let color = match severity {
            Severity::Error => RED,
            Severity::Warning => YELLOW,
            Severity::Info => CYAN,
        };
        self.paint(color.bold(), severity.as_str())
    }

    fn diff_line(&self, line: &str) -> String {
        let style = if line.starts_with("@@") {
            CYAN
        } else if line.starts_with("+++") || line.starts_with("---") {
            BOLD
        } else if line.starts_with('+') {
            GREEN
        } else if line.starts_with('-') {
            RED
        } else {
            return line.to_string();
        };
        self.paint(style, line)
    }
}

pub(super) fn render(report: &Report) -> String {
    render_with(report, &Palette { colored: false })
}

/// The text report with ANSI colours: severity-coloured labels, dim locations, coloured
/// diff lines. Only for a terminal; `--color` and the environment decide (see
/// [`super::color_enabled`]).
pub fn render_colored(report: &Report) -> String {
    render_with(report, &Palette { colored: true })
}

fn render_with(report: &Report, palette: &Palette) -> String {
    let mut out = String::new();
    let ordered = super::findings_by_object(report);
    for (object, findings) in ordered {
        let _ = writeln!(out, "{}", palette.paint(BOLD, object));
        for finding in findings {
            write_finding(&mut out, finding, palette);
        }
        out.push('\n');
    }
    for skipped in &report.skipped {
        let _ = writeln!(out, "skipped: {skipped}");
    }
    if let Some(baseline) = report
        .baseline
        .as_ref()
        .filter(|baseline| !baseline.stale_entries.is_empty())
    {
        let _ = writeln!(
            out,
            "stale baseline entries (no longer found; `--prune-baseline` removes them):"
        );
        for entry in &baseline.stale_entries {
            let _ = writeln!(
                out,
                "  {} {} [{}]: {}",
                entry.rule, entry.object, entry.fingerprint, entry.message
            );
        }
    }
    out.push_str(&summary_line(report, palette));
    out.push('\n');
    if let Some(results) = &report.probes {
        out.push_str(&super::probes::tally_line(results));
        out.push('\n');
        for line in super::probes::settled_lines(results) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn write_finding(out: &mut String, finding: &Finding, palette: &Palette) {
    let _ = writeln!(
        out,
        "  {}[{}]: {}",
        palette.severity(finding.severity),
        finding.rule,
        finding.message
    );
    if let Some(location) = &finding.location {
        let _ = writeln!(
            out,
            "    {}",
            palette.paint(DIM, &format!("--> {location}"))
        );
    }
    if let Some(expected) = &finding.expected {
        let _ = writeln!(out, "    expected: {expected}");
    }
    if let Some(actual) = &finding.actual {
        let _ = writeln!(out, "    actual:   {actual}");
    }
    if let Some(diff) = &finding.diff {
        for line in diff.lines() {
            let _ = writeln!(out, "    {}", palette.diff_line(line));
        }
    }
    if let Some(hint) = &finding.hint {
        let _ = writeln!(out, "    hint: {hint}");
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(out, "    fix:");
        for line in fix.sql().lines() {
            let _ = writeln!(out, "      {}", palette.paint(DIM, line));
        }
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn summary_line(report: &Report, palette: &Palette) -> String {
    let summary = report.summary();
    let mut line = if report.findings.is_empty() {
        "pgparity: no findings".to_string()
    } else {
        let count = |severity: Severity, text: String, count: usize| {
            if count == 0 {
                text
            } else {
                palette.paint(
                    match severity {
                        Severity::Error => RED,
                        Severity::Warning => YELLOW,
                        Severity::Info => CYAN,
                    },
                    &text,
                )
            }
        };
        format!(
            "pgparity: {}, {}, {}",
            count(
                Severity::Error,
                plural(summary.error, "error"),
                summary.error
            ),
            count(
                Severity::Warning,
                plural(summary.warning, "warning"),
                summary.warning
            ),
            count(
                Severity::Info,
                format!("{} info", summary.info),
                summary.info
            )
        )
    };
    let mut notes = Vec::new();
    if !report.suppressed.is_empty() {
        notes.push(format!("{} suppressed", report.suppressed.len()));
    }
    if let Some(baseline) = &report.baseline {
        notes.push(format!(
            "baseline: {} matched, {} stale",
            baseline.matched, baseline.stale
        ));
    }
    if !notes.is_empty() {
        let _ = write!(line, " ({})", notes.join("; "));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::BaselineOutcome;

    fn sample() -> Report {
        let mut finding = Finding {
            rule: crate::rules::by_id("view-definition-drift").expect("a known rule"),
            severity: Severity::Error,
            object: crate::finding::ObjectPath::other("public.v"),
            message: "the view differs".into(),
            expected: None,
            actual: None,
            location: Some(crate::model::Location::new("specs/v.sql", 3, 1)),
            diff: Some("--- spec\n+++ live\n@@ -1 +1 @@\n-select 1\n+select 2\n".into()),
            hint: None,
            fix: None,
        };
        let warning = Finding {
            severity: Severity::Warning,
            rule: crate::rules::by_id("redundant-index").expect("a known rule"),
            ..finding.clone()
        };
        finding.object = crate::finding::ObjectPath::other("public.w");
        Report {
            findings: vec![finding, warning],
            baseline: Some(BaselineOutcome {
                matched: 2,
                stale: 1,
                stale_entries: Vec::new(),
            }),
            ..Report::default()
        }
    }

    #[test]
    fn plain_text_has_no_escape_codes() {
        let text = render(&sample());
        assert!(!text.contains('\x1b'), "{text}");
        assert!(text.contains("    -select 1\n"), "{text}");
    }

    #[test]
    fn colored_text_paints_severities_locations_and_diff_lines() {
        let text = render_colored(&sample());
        assert!(text.contains("\x1b[1m\x1b[31merror\x1b[0m[view-definition-drift]"));
        assert!(text.contains("\x1b[1m\x1b[33mwarning\x1b[0m"));
        assert!(text.contains("\x1b[2m--> specs/v.sql:3:1\x1b[0m"));
        assert!(text.contains("\x1b[31m-select 1\x1b[0m"));
        assert!(text.contains("\x1b[32m+select 2\x1b[0m"));
        assert!(text.contains("\x1b[36m@@ -1 +1 @@\x1b[0m"));
    }

    #[test]
    fn summary_line_counts_suppressed_and_baseline() {
        let text = render(&sample());
        assert!(
            text.ends_with("pgparity: 1 error, 1 warning, 0 info (baseline: 2 matched, 1 stale)\n"),
            "{text}"
        );
    }
}
