//! `--format github`: GitHub Actions workflow commands, one annotation per finding.
//!
//! `::error file=…,line=…,col=…,title=pgparity RULE::message` (`::warning`, `::notice`
//! for info). A finding without a location gets no `file=` part and names its object
//! in the message instead. The run ends with a plain summary line rather than a
//! `::notice::`, because GitHub shows only a few annotations of each level per step and
//! a summary should not take the place of a finding. Suppressed findings are accepted
//! and get no annotation; the summary counts them.

use super::Report;
use crate::finding::{Finding, Severity, Summary};

pub(super) fn render(report: &Report) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        out.push_str(&command(finding));
        out.push('\n');
    }
    for skipped in &report.skipped {
        out.push_str(&format!("pgparity: skipped {skipped}\n"));
    }
    out.push_str(&summary_line(report.summary(), report.suppressed.len()));
    out.push('\n');
    out
}

/// One workflow command for `finding`.
fn command(finding: &Finding) -> String {
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties: Vec<(&str, String)> = Vec::new();
    let mut message = String::new();
    match &finding.location {
        Some(location) if !location.path.is_empty() => {
            properties.push(("file", location.path.to_string()));
            if location.line > 0 {
                properties.push(("line", location.line.to_string()));
                if location.column > 0 {
                    properties.push(("col", location.column.to_string()));
                }
            }
        }
        _ => {
            message.push_str(finding.object.as_str());
            message.push_str(": ");
        }
    }
    properties.push(("title", format!("pgparity {}", finding.rule)));
    message.push_str(&finding.message);
    for (label, value) in [
        ("expected", &finding.expected),
        ("actual", &finding.actual),
        ("hint", &finding.hint),
    ] {
        if let Some(value) = value {
            message.push_str(&format!("\n{label}: {value}"));
        }
    }
    let properties = properties
        .iter()
        .map(|(key, value)| format!("{key}={}", escape_property(value)))
        .collect::<Vec<_>>()
        .join(",");
    format!("::{name} {properties}::{}", escape_data(&message))
}

fn summary_line(summary: Summary, suppressed: usize) -> String {
    let mut line = if summary.error + summary.warning + summary.info == 0 {
        "pgparity: no findings".to_string()
    } else {
        format!(
            "pgparity: {}, {}, {} info",
            counted(summary.error, "error"),
            counted(summary.warning, "warning"),
            summary.info
        )
    };
    if suppressed > 0 {
        line.push_str(&format!(" ({suppressed} suppressed)"));
    }
    line
}

fn counted(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

/// The message part, escaped as `escapeData` in GitHub's actions/toolkit does.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A `key=value` property, escaped as `escapeProperty` in GitHub's actions/toolkit
/// does: a `:` would end the properties and a `,` start the next one.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    fn crafted(location: Option<Location>) -> Finding {
        Finding {
            rule: crate::rules::by_id("dto-type-mismatch").expect("a known rule"),
            severity: Severity::Warning,
            object: crate::finding::ObjectPath::other("public.t.c"),
            message: "100% wrong:\r\nsee, here".into(),
            expected: Some("a,b".into()),
            actual: None,
            location,
            diff: None,
            hint: None,
            fix: None,
        }
    }

    #[test]
    fn message_escapes_percent_cr_lf_but_keeps_colon_and_comma() {
        let line = command(&crafted(Some(Location::new("specs/a.sql", 3, 7))));
        assert_eq!(
            line,
            "::warning file=specs/a.sql,line=3,col=7,title=pgparity dto-type-mismatch\
             ::100%25 wrong:%0D%0Asee, here%0Aexpected: a,b"
        );
    }

    #[test]
    fn properties_escape_colon_and_comma_too() {
        let line = command(&crafted(Some(Location::new("C:/odd,dir/50%.sql", 1, 0))));
        assert!(
            line.starts_with("::warning file=C%3A/odd%2Cdir/50%25.sql,line=1,title="),
            "{line}"
        );
    }

    #[test]
    fn without_a_location_the_object_leads_the_message() {
        let mut finding = crafted(None);
        finding.severity = Severity::Info;
        let line = command(&finding);
        assert!(
            line.starts_with("::notice title=pgparity dto-type-mismatch::public.t.c: 100%25"),
            "{line}"
        );
        assert!(!line.contains("file="), "{line}");
    }

    #[test]
    fn every_finding_is_one_line() {
        let report = Report {
            findings: vec![crafted(None), crafted(Some(Location::new("a.sql", 1, 1)))],
            ..Report::default()
        };
        let rendered = render(&report);
        let lines: Vec<&str> = rendered.lines().collect();
        assert_eq!(lines.len(), 3, "{rendered}");
        assert_eq!(lines[2], "pgparity: 0 errors, 2 warnings, 0 info");
    }
}
