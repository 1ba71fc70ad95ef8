//! `--format junit`: JUnit XML for CI test-report viewers.
//!
//! One test suite per rule family, one test case per rule and object (`rule: object`).
//! A case fails when one of its findings is at or above the `--fail-on` threshold, so
//! the viewer's red count agrees with the exit code; lower findings pass with their text
//! in `system-out`, and suppressed ones are skipped with the suppression's reason.
//!
//! With `--probe`, the `probe` suite also has one case per probe, passes included
//! (`not-null: public.tenants.slug: NULL in slug is refused`): a failed probe fails as
//! its finding does, a skipped one is skipped with the reason. Those findings are not
//! listed a second time as rule cases.

use super::probes::{is_probe_finding, reports};
use super::Report;
use crate::finding::{Finding, Severity};
use crate::model::{Probe, ProbeOutcome};
use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The suite and case a clean run reports, so a viewer shows that the check ran.
const CLEAN_SUITE: &str = "pgparity";
const CLEAN_CASE: &str = "pgparity: no findings";

/// The findings of one rule on one object.
#[derive(Default)]
struct Case<'a> {
    reported: Vec<&'a Finding>,
    suppressed: Vec<(&'a Finding, &'a str)>,
}

pub(super) fn render(report: &Report, failure_threshold: Option<Severity>) -> String {
    let mut families: BTreeMap<&str, BTreeMap<(&str, &str), Case>> = BTreeMap::new();
    for finding in &report.findings {
        if is_probe_finding(report, finding) {
            continue;
        }
        families
            .entry(family_name(finding))
            .or_default()
            .entry((finding.rule.id, finding.object.as_str()))
            .or_default()
            .reported
            .push(finding);
    }
    for suppressed in &report.suppressed {
        let finding = &suppressed.finding;
        if is_probe_finding(report, finding) {
            continue;
        }
        families
            .entry(family_name(finding))
            .or_default()
            .entry((finding.rule.id, finding.object.as_str()))
            .or_default()
            .suppressed
            .push((finding, suppressed.reason.as_str()));
    }

    let mut junit = quick_junit::Report::new("pgparity");
    if report.probes.is_some() {
        families
            .entry(crate::rules::Family::Probe.as_str())
            .or_default();
    }
    for (family, cases) in &families {
        let mut suite = TestSuite::new(*family);
        for ((rule, object), case) in cases {
            let mut test_case =
                TestCase::new(format!("{rule}: {object}"), status(case, failure_threshold));
            test_case.set_classname(format!("pgparity.{family}"));
            let passed_with_findings = !case.reported.is_empty()
                && !case
                    .reported
                    .iter()
                    .any(|finding| fails(finding, failure_threshold));
            if passed_with_findings {
                test_case.set_system_out(describe_all(&case.reported));
            }
            suite.add_test_case(test_case);
        }
        if *family == crate::rules::Family::Probe.as_str() {
            for probe in report.probes.iter().flat_map(|results| &results.probes) {
                suite.add_test_case(probe_case(report, probe, failure_threshold));
            }
        }
        junit.add_test_suite(suite);
    }
    if report.findings.is_empty() && report.probes.is_none() {
        let mut suite = TestSuite::new(CLEAN_SUITE);
        let mut test_case = TestCase::new(CLEAN_CASE, TestCaseStatus::success());
        test_case.set_classname(CLEAN_SUITE);
        suite.add_test_case(test_case);
        junit.add_test_suite(suite);
    }
    match junit.to_string() {
        Ok(mut xml) => {
            if !xml.ends_with('\n') {
                xml.push('\n');
            }
            xml
        }
        Err(error) => format!("<!-- pgparity could not write JUnit XML: {error} -->\n"),
    }
}

/// A probe's test case: passed, failed as its finding (when that is at or above the
/// threshold), or skipped with the reason (or the suppression's).
fn probe_case(report: &Report, probe: &Probe, failure_threshold: Option<Severity>) -> TestCase {
    let status = match &probe.outcome {
        ProbeOutcome::Passed => TestCaseStatus::success(),
        ProbeOutcome::Skipped { reason } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.clone());
            status
        }
        ProbeOutcome::Failed { .. } => {
            let reported: Vec<&Finding> = report
                .findings
                .iter()
                .filter(|finding| reports(finding, probe))
                .collect();
            let suppressed = report
                .suppressed
                .iter()
                .find(|suppressed| reports(&suppressed.finding, probe));
            status(
                &Case {
                    reported,
                    suppressed: suppressed
                        .map(|suppressed| (&suppressed.finding, suppressed.reason.as_str()))
                        .into_iter()
                        .collect(),
                },
                failure_threshold,
            )
        }
    };
    let mut test_case = TestCase::new(probe.name(), status);
    test_case.set_classname(format!("pgparity.probe.{}", probe.kind.as_str()));
    test_case
}

fn family_name(finding: &Finding) -> &'static str {
    finding.rule.family.as_str()
}

fn fails(finding: &Finding, failure_threshold: Option<Severity>) -> bool {
    failure_threshold.is_some_and(|threshold| finding.severity >= threshold)
}

fn status(case: &Case, failure_threshold: Option<Severity>) -> TestCaseStatus {
    let failing: Vec<&Finding> = case
        .reported
        .iter()
        .copied()
        .filter(|finding| fails(finding, failure_threshold))
        .collect();
    if let Some(first) = failing.first() {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(first.message.clone())
            .set_type(first.severity.as_str())
            .set_description(describe_all(&failing));
        return status;
    }
    if case.reported.is_empty() {
        if let Some((_, reason)) = case.suppressed.first() {
            let mut status = TestCaseStatus::skipped();
            status.set_message(format!("suppressed: {reason}"));
            return status;
        }
    }
    TestCaseStatus::success()
}

fn describe_all(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|finding| describe(finding))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A finding as plain text: what a person needs to act on it without the JSON report.
fn describe(finding: &Finding) -> String {
    let mut text = format!(
        "{}[{}]: {}\n",
        finding.severity, finding.rule, finding.message
    );
    if let Some(location) = &finding.location {
        let _ = writeln!(text, "  --> {location}");
    }
    for (label, value) in [
        ("expected", &finding.expected),
        ("actual", &finding.actual),
        ("hint", &finding.hint),
    ] {
        if let Some(value) = value {
            let _ = writeln!(text, "  {label}: {value}");
        }
    }
    if let Some(diff) = &finding.diff {
        for line in diff.lines() {
            let _ = writeln!(text, "  {line}");
        }
    }
    if let Some(fix) = &finding.fix {
        let _ = writeln!(text, "  fix:");
        for line in fix.sql().lines() {
            let _ = writeln!(text, "    {line}");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Suppressed;

    fn finding(rule: &str, object: &str, severity: Severity) -> Finding {
        Finding {
            rule: crate::rules::by_id(rule).expect("a known rule"),
            severity,
            object: crate::finding::ObjectPath::other(object),
            message: format!("{rule} on {object} <&>"),
            expected: None,
            actual: None,
            location: None,
            diff: None,
            hint: None,
            fix: None,
        }
    }

    fn count(xml: &str, needle: &str) -> usize {
        xml.matches(needle).count()
    }

    #[test]
    fn one_case_per_rule_and_object_failing_at_the_threshold() {
        let report = Report {
            findings: vec![
                finding("speculative-index", "public.idx_a", Severity::Error),
                finding("speculative-index", "public.idx_a", Severity::Info),
                finding("redundant-index", "public.idx_b", Severity::Warning),
                finding("rls-disabled", "public.t", Severity::Info),
            ],
            suppressed: vec![Suppressed {
                finding: finding("speculative-index", "public.idx_c", Severity::Error),
                reason: "legacy".into(),
            }],
            ..Report::default()
        };
        let xml = render(&report, Some(Severity::Warning));
        assert!(
            xml.contains(r#"<testsuites name="pgparity" tests="4" skipped="1" failures="2""#),
            "{xml}"
        );
        assert_eq!(count(&xml, "<testcase "), 4, "{xml}");
        assert!(
            xml.contains(r#"<testsuite name="index-plan" tests="3""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<testsuite name="tenancy" tests="1""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<skipped message="suppressed: legacy"/>"#),
            "{xml}"
        );
        assert!(xml.contains("&lt;&amp;&gt;"), "messages are escaped: {xml}");

        let never = render(&report, None);
        assert_eq!(count(&never, "<failure"), 0, "{never}");
        assert_eq!(count(&never, "<system-out>"), 3, "{never}");
    }

    #[test]
    fn a_clean_report_is_one_passing_case() {
        let xml = render(&Report::default(), Some(Severity::Error));
        assert!(
            xml.contains(r#"<testsuites name="pgparity" tests="1" skipped="0" failures="0""#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<testcase name="pgparity: no findings""#),
            "{xml}"
        );
    }
}
