//! `--format sarif`: one SARIF 2.1.0 log with one run, for code scanning.
//!
//! Every result carries its level (after severity overrides), a logical location (the
//! object path) and a physical location relative to `%SRCROOT%`: the finding's own, else
//! line 1 of the run's configuration or first input file (code scanning rejects a result
//! without a file). Suppressed findings are results too, with
//! an external suppression and its reason, so code scanning shows them as dismissed.

use super::{Anchor, Report};
use crate::finding::{Finding, Severity};
use crate::model::Location;
use crate::rules::Rule;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use serde_sarif::sarif;
use std::collections::BTreeMap;

/// The schema the log declares; the URL GitHub and the SARIF tutorials use.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base that relative artifact URIs resolve against (the checkout root in CI).
const SOURCE_ROOT: &str = "%SRCROOT%";
/// The key of the fingerprint in `partialFingerprints`; bump the version if
/// [`Finding::fingerprint`] ever changes meaning.
const FINGERPRINT_KEY: &str = "pgparity/v1";

pub(super) fn render(report: &Report) -> String {
    let anchor = report.anchor.as_ref();
    let rules = rules_reported(report);
    let mut results: Vec<sarif::Result> = report
        .findings
        .iter()
        .map(|finding| result(finding, &rules, anchor))
        .collect();
    results.extend(report.suppressed.iter().map(|suppressed| {
        let mut result = result(&suppressed.finding, &rules, anchor);
        result.suppressions = Some(vec![sarif::Suppression::builder()
            .kind(Value::from("external"))
            .justification(suppressed.reason.clone())
            .build()]);
        result
    }));
    let run = sarif::Run::builder()
        .tool(tool(&rules))
        .results(results)
        .invocations(vec![invocation(&report.skipped)])
        .column_kind(Value::from("unicodeCodePoints"))
        .build();
    let log = sarif::Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    let mut text = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}

/// The rules the log's results name (suppressed ones included), in catalogue order: a
/// result's `ruleIndex` points into this list, so adding a rule to pgparity does not
/// renumber the rules of existing logs.
fn rules_reported(report: &Report) -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = report
        .findings
        .iter()
        .chain(
            report
                .suppressed
                .iter()
                .map(|suppressed| &suppressed.finding),
        )
        .map(|finding| finding.rule)
        .collect();
    rules.sort_by_key(|rule| (rule.family, rule.id));
    rules.dedup_by_key(|rule| rule.id);
    rules
}

fn tool(rules: &[&'static Rule]) -> sarif::Tool {
    let driver = sarif::ToolComponent::builder()
        .name("pgparity")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(
            rules
                .iter()
                .map(|rule| descriptor(rule))
                .collect::<Vec<_>>(),
        )
        .build();
    sarif::Tool::builder().driver(driver).build()
}

fn descriptor(rule: &Rule) -> sarif::ReportingDescriptor {
    sarif::ReportingDescriptor::builder()
        .id(rule.id)
        .name(rule.id)
        .short_description(plain(rule.summary))
        .full_description(plain(rule.docs))
        .help(
            sarif::MultiformatMessageString::builder()
                .text(rule.docs)
                .markdown(rule.docs)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(Value::from(level(rule.default_severity)))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(vec![rule.family.as_str().to_string()])
                .build(),
        )
        .build()
}

fn plain(text: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(text)
        .build()
}

/// Skipped checks are notifications on the one invocation: the run completed, but a
/// reader of the log should see that it did not look at everything.
fn invocation(skipped: &[String]) -> sarif::Invocation {
    let notifications: Vec<sarif::Notification> = skipped
        .iter()
        .map(|reason| {
            sarif::Notification::builder()
                .message(
                    sarif::Message::builder()
                        .text(format!("skipped {reason}"))
                        .build(),
                )
                .level(Value::from("note"))
                .build()
        })
        .collect();
    if notifications.is_empty() {
        sarif::Invocation::builder()
            .execution_successful(true)
            .build()
    } else {
        sarif::Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(notifications)
            .build()
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `anchor` is the file a finding without a location of its own is shown at (the
/// configuration file, else the first input file), so that code scanning accepts the log.
fn result(finding: &Finding, rules: &[&'static Rule], anchor: Option<&Anchor>) -> sarif::Result {
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert(FINGERPRINT_KEY.to_string(), finding.fingerprint());
    let rule_index = rules.iter().position(|rule| rule.id == finding.rule.id);
    let (physical, note) = match finding.location.as_ref().and_then(physical_location) {
        Some(own) => (Some(own), None),
        None => match anchor.and_then(|anchor| {
            physical_location(&Location::new(anchor.path.as_str(), 1, 0))
                .map(|physical| (anchor, physical))
        }) {
            Some((anchor, anchored)) => (
                Some(anchored),
                Some(
                    sarif::Message::builder()
                        .text(format!(
                            "no source line: shown at the run's {} file",
                            anchor.what
                        ))
                        .build(),
                ),
            ),
            None => (None, None),
        },
    };
    let location = sarif::Location {
        message: note,
        physical_location: physical,
        logical_locations: Some(vec![sarif::LogicalLocation::builder()
            .fully_qualified_name(finding.object.to_string())
            .kind(finding.object_kind().as_str())
            .build()]),
        ..sarif::Location::default()
    };
    let mut result = sarif::Result::builder()
        .rule_id(finding.rule.id)
        .level(result_level(finding.severity))
        .message(
            sarif::Message::builder()
                .text(message_text(finding))
                .build(),
        )
        .locations(vec![location])
        .partial_fingerprints(fingerprints)
        .build();
    result.rule_index = rule_index.and_then(|index| i64::try_from(index).ok());
    result.properties = details(finding);
    result
}

/// The message with expected, actual and hint appended: code scanning shows only the
/// message text, and a reader should not need the JSON report to act on it.
fn message_text(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    for (label, value) in [
        ("expected", &finding.expected),
        ("actual", &finding.actual),
        ("hint", &finding.hint),
    ] {
        if let Some(value) = value {
            text.push_str(&format!("\n{label}: {value}"));
        }
    }
    text
}

/// The finding's structured parts, for tools that read the log.
fn details(finding: &Finding) -> Option<sarif::PropertyBag> {
    let mut properties = BTreeMap::new();
    properties.insert(
        "severity".to_string(),
        Value::from(finding.severity.as_str()),
    );
    for (key, value) in [
        ("expected", &finding.expected),
        ("actual", &finding.actual),
        ("diff", &finding.diff),
        ("hint", &finding.hint),
    ] {
        if let Some(value) = value {
            properties.insert(key.to_string(), Value::from(value.as_str()));
        }
    }
    if let Some(fix) = &finding.fix {
        properties.insert("fix".to_string(), Value::from(fix.sql()));
    }
    Some(
        sarif::PropertyBag::builder()
            .additional_properties(properties)
            .build(),
    )
}

fn physical_location(location: &Location) -> Option<sarif::PhysicalLocation> {
    if location.path.is_empty() {
        return None;
    }
    let (uri, base) = artifact_uri(&location.path);
    let mut artifact = sarif::ArtifactLocation::builder().uri(uri).build();
    artifact.uri_base_id = base.map(str::to_string);
    let region = (location.line > 0).then(|| sarif::Region {
        start_line: Some(i64::from(location.line)),
        start_column: (location.column > 0).then(|| i64::from(location.column)),
        ..sarif::Region::default()
    });
    Some(sarif::PhysicalLocation {
        artifact_location: Some(artifact),
        region,
        ..sarif::PhysicalLocation::default()
    })
}

/// A relative path becomes a relative URI against `%SRCROOT%`; an absolute one (a file
/// named by an absolute path on the command line) a `file:` URI with no base.
fn artifact_uri(path: &str) -> (String, Option<&'static str>) {
    let bytes = path.as_bytes();
    let windows_drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with('/') {
        (format!("file://{}", percent_encode(path)), None)
    } else if windows_drive {
        (format!("file:///{}", percent_encode(path)), None)
    } else {
        (percent_encode(path), Some(SOURCE_ROOT))
    }
}

/// What a SARIF artifact URI keeps as written: unreserved characters and `/`.
const URI_PATH_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes everything but unreserved characters, `/` and a drive letter's `:`,
/// so a path with spaces or `#` is still one valid URI reference.
fn percent_encode(path: &str) -> String {
    // A `:` as second byte is a drive letter's (`C:`); the byte before it is then ASCII.
    if path.as_bytes().get(1) == Some(&b':') {
        format!(
            "{}:{}",
            utf8_percent_encode(&path[..1], URI_PATH_KEEP),
            utf8_percent_encode(&path[2..], URI_PATH_KEEP)
        )
    } else {
        utf8_percent_encode(path, URI_PATH_KEEP).to_string()
    }
}

fn result_level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Info => sarif::ResultLevel::Note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Suppressed;

    fn finding(rule: &str, object: &str, location: Option<Location>) -> Finding {
        Finding {
            rule: crate::rules::by_id(rule).expect("a known rule"),
            severity: Severity::Warning,
            object: crate::finding::ObjectPath::other(object),
            message: "something differs".into(),
            expected: Some("integer".into()),
            actual: Some("bigint".into()),
            location,
            diff: None,
            hint: None,
            fix: None,
        }
    }

    fn rendered(report: &Report) -> Value {
        serde_json::from_str(&render(report)).expect("SARIF is JSON")
    }

    #[test]
    fn a_live_only_finding_has_a_logical_location_and_no_physical_one() {
        let report = Report {
            findings: vec![finding(
                "mapping-type-drift",
                "public.revenue_ledger.revenue_cents",
                None,
            )],
            ..Report::default()
        };
        let log = rendered(&report);
        let location = &log["runs"][0]["results"][0]["locations"][0];
        assert!(location.get("physicalLocation").is_none(), "{location:#}");
        assert_eq!(
            location["logicalLocations"][0],
            serde_json::json!({
                "fullyQualifiedName": "public.revenue_ledger.revenue_cents",
                "kind": "column"
            })
        );
        let result = &log["runs"][0]["results"][0];
        assert_eq!(result["level"], "warning");
        assert_eq!(
            result["message"]["text"],
            "something differs\nexpected: integer\nactual: bigint"
        );
        assert_eq!(result["properties"]["expected"], "integer");
    }

    #[test]
    fn a_finding_without_a_line_is_shown_at_the_configuration_file() {
        let report = Report {
            findings: vec![
                finding("rls-disabled", "public.audit_notes", None),
                finding(
                    "rls-disabled",
                    "public.ledger",
                    Some(Location::new("specs/ledger.sql", 4, 14)),
                ),
            ],
            anchor: Some(Anchor {
                path: "pgparity.toml".into(),
                what: "configuration",
            }),
            ..Report::default()
        };
        let log = rendered(&report);
        let results = log["runs"][0]["results"].as_array().expect("results");
        let anchored = &results[0]["locations"][0];
        assert_eq!(
            anchored["physicalLocation"],
            serde_json::json!({
                "artifactLocation": {"uri": "pgparity.toml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1}
            })
        );
        assert!(anchored["message"]["text"].is_string());
        assert_eq!(anchored["logicalLocations"][0]["kind"], "table");
        let own = &results[1]["locations"][0];
        assert_eq!(
            own["physicalLocation"]["artifactLocation"]["uri"],
            "specs/ledger.sql"
        );
        assert!(own.get("message").is_none());
    }

    #[test]
    fn contract_findings_on_a_dto_field_are_members() {
        let report = Report {
            findings: vec![finding(
                "unmapped-dto-field",
                "RealtimeRevenueResponse.currency",
                None,
            )],
            ..Report::default()
        };
        let log = rendered(&report);
        assert_eq!(
            log["runs"][0]["results"][0]["locations"][0]["logicalLocations"][0]["kind"],
            "member"
        );
    }

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            artifact_uri("specs/010 tenants.sql"),
            ("specs/010%20tenants.sql".to_string(), Some(SOURCE_ROOT))
        );
        assert_eq!(
            artifact_uri("/srv/app/specs/a#b.sql"),
            ("file:///srv/app/specs/a%23b.sql".to_string(), None)
        );
        assert_eq!(
            artifact_uri("C:/app/specs/a.sql"),
            ("file:///C:/app/specs/a.sql".to_string(), None)
        );
        assert_eq!(
            artifact_uri("../shared/b.sql"),
            ("../shared/b.sql".to_string(), Some(SOURCE_ROOT))
        );
    }

    #[test]
    fn non_ascii_percent_and_colons_are_encoded_outside_a_drive_letter() {
        assert_eq!(
            artifact_uri("specs/café.sql"),
            ("specs/caf%C3%A9.sql".to_string(), Some(SOURCE_ROOT))
        );
        assert_eq!(
            artifact_uri("specs/50%_done%20.sql"),
            ("specs/50%25_done%2520.sql".to_string(), Some(SOURCE_ROOT))
        );
        assert_eq!(
            artifact_uri("/srv/a:b/日本.sql"),
            ("file:///srv/a%3Ab/%E6%97%A5%E6%9C%AC.sql".to_string(), None)
        );
        assert_eq!(
            artifact_uri("d:/x:y/~a-b_c.d"),
            ("file:///d:/x%3Ay/~a-b_c.d".to_string(), None)
        );
        assert_eq!(percent_encode(""), "");
        assert_eq!(percent_encode("é"), "%C3%A9");
        assert_eq!(percent_encode("a:"), "a:");
    }

    #[test]
    fn a_location_without_line_or_column_omits_them() {
        let physical = physical_location(&Location::new("mappings/m.yaml", 0, 0))
            .expect("a physical location");
        assert!(physical.region.is_none());
        let physical = physical_location(&Location::new("mappings/m.yaml", 4, 0))
            .expect("a physical location");
        let region = physical.region.expect("a region");
        assert_eq!((region.start_line, region.start_column), (Some(4), None));
    }

    #[test]
    fn suppressed_findings_carry_their_reason_and_the_fingerprint_ignores_lines() {
        let at_line = |line| {
            finding(
                "speculative-index",
                "public.idx_a",
                Some(Location::new("specs/a.sql", line, 1)),
            )
        };
        let report = Report {
            findings: vec![at_line(3)],
            suppressed: vec![Suppressed {
                finding: at_line(30),
                reason: "legacy".into(),
            }],
            skipped: vec!["drift: no database".into()],
            ..Report::default()
        };
        let log = rendered(&report);
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert_eq!(results.len(), 2);
        assert!(results[0].get("suppressions").is_none());
        assert_eq!(
            results[1]["suppressions"],
            serde_json::json!([{"kind": "external", "justification": "legacy"}])
        );
        assert_eq!(
            results[0]["partialFingerprints"],
            results[1]["partialFingerprints"]
        );
        assert_eq!(
            log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"],
            "skipped drift: no database"
        );
    }
}
