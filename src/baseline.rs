//! Baselines: the findings a project accepted on the day it adopted pgparity, recorded by
//! fingerprint so that later runs report only what is new. Each entry keeps the rule,
//! object and message beside the fingerprint so a person can read the file and see what
//! is still owed.

use crate::finding::Finding;
use crate::input::{read_text, InputError, InputLimits};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The version of the baseline file shape; a file of another version is refused.
pub const BASELINE_VERSION: u32 = 1;

/// A baseline file: `{"version": 1, "entries": [{"fingerprint", "rule", "object", "message"}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// [`BASELINE_VERSION`].
    pub version: u32,
    /// One entry per fingerprint, sorted by rule, object and fingerprint.
    pub entries: Vec<BaselineEntry>,
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// [`Finding::fingerprint`]: rule, object, expected and actual, never the line.
    pub fingerprint: String,
    /// The finding's rule, for the reader.
    pub rule: String,
    /// The finding's object, for the reader.
    pub object: String,
    /// The finding's message when it was recorded, for the reader.
    pub message: String,
}

/// What applying a baseline did to a run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaselineOutcome {
    /// Findings hidden because their fingerprint is in the baseline.
    pub matched: usize,
    /// Baseline entries that no current finding matched: fixed since, so the file can shrink.
    pub stale: usize,
    /// Those entries, named, in file order (`--prune-baseline` removes them).
    pub stale_entries: Vec<BaselineEntry>,
}

impl Baseline {
    /// A baseline accepting every one of `findings`. Findings that share a fingerprint
    /// (the same fact reported at two places) become one entry.
    pub fn of(findings: &[Finding]) -> Baseline {
        let mut by_fingerprint: BTreeMap<String, &Finding> = BTreeMap::new();
        for finding in findings {
            by_fingerprint
                .entry(finding.fingerprint())
                .or_insert(finding);
        }
        let mut entries: Vec<BaselineEntry> = by_fingerprint
            .into_iter()
            .map(|(fingerprint, finding)| BaselineEntry {
                fingerprint,
                rule: finding.rule.id.to_string(),
                object: finding.object.to_string(),
                message: finding.message.clone(),
            })
            .collect();
        entries.sort_by(|a, b| {
            (&a.rule, &a.object, &a.fingerprint).cmp(&(&b.rule, &b.object, &b.fingerprint))
        });
        Baseline {
            version: BASELINE_VERSION,
            entries,
        }
    }

    /// Reads a baseline file within `limits`; an unreadable, malformed or other-version
    /// file is an error that names the path (exit 2: a run without its baseline would
    /// report legacy findings).
    pub fn load(path: &Path, limits: InputLimits) -> Result<Baseline> {
        let text = read_text(path, "baseline", limits).map_err(|error| match error {
            InputError::Missing { .. } => anyhow::anyhow!(
                "the baseline {} does not exist; create it with `pgparity check --write-baseline {}`",
                path.display(),
                path.display()
            ),
            other => anyhow::Error::new(other),
        })?;
        Baseline::parse(&text).with_context(|| {
            format!(
                "invalid baseline {}; write a new one with `pgparity check --write-baseline {}`",
                path.display(),
                path.display()
            )
        })
    }

    /// Parses the JSON text of a baseline file.
    pub fn parse(text: &str) -> Result<Baseline> {
        let baseline: Baseline = serde_json::from_str(text).map_err(|error| {
            let error = crate::input::nesting_error_or(text, error);
            anyhow::anyhow!(
                "line {}, column {}: {}",
                error.line(),
                error.column(),
                crate::input::json_error_message(&error)
            )
        })?;
        if baseline.version != BASELINE_VERSION {
            bail!(
                "version {} is not supported (this pgparity reads version {BASELINE_VERSION})",
                baseline.version
            );
        }
        Ok(baseline)
    }

    /// The file's JSON text: pretty, entries sorted, ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
        text.push('\n');
        text
    }

    /// Splits off the findings this baseline accepts: returns the findings to report, and
    /// how many were hidden and which entries matched nothing. An entry whose rule did not
    /// run (`judged` says no: its checks were skipped or the rule is off) is neither: the
    /// run cannot tell whether it still occurs.
    pub fn filter(
        &self,
        findings: Vec<Finding>,
        judged: &dyn Fn(&str) -> bool,
    ) -> (Vec<Finding>, BaselineOutcome) {
        let known: BTreeSet<&str> = self
            .entries
            .iter()
            .map(|entry| entry.fingerprint.as_str())
            .collect();
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut reported = Vec::new();
        let mut matched = 0;
        for finding in findings {
            let fingerprint = finding.fingerprint();
            if known.contains(fingerprint.as_str()) {
                matched += 1;
                seen.insert(fingerprint);
            } else {
                reported.push(finding);
            }
        }
        let stale_entries: Vec<BaselineEntry> = self
            .entries
            .iter()
            .filter(|entry| !seen.contains(&entry.fingerprint) && judged(&entry.rule))
            .cloned()
            .collect();
        let outcome = BaselineOutcome {
            matched,
            stale: stale_entries.len(),
            stale_entries,
        };
        (reported, outcome)
    }

    /// This baseline without the entries `outcome` found stale (`--prune-baseline`).
    pub fn pruned(&self, outcome: &BaselineOutcome) -> Baseline {
        let stale: BTreeSet<&str> = outcome
            .stale_entries
            .iter()
            .map(|entry| entry.fingerprint.as_str())
            .collect();
        Baseline {
            version: self.version,
            entries: self
                .entries
                .iter()
                .filter(|entry| !stale.contains(entry.fingerprint.as_str()))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use crate::model::Location;

    fn finding(rule: &str, object: &str, line: u32) -> Finding {
        Finding {
            rule: crate::rules::by_id(rule).expect("a known rule"),
            severity: Severity::Error,
            object: crate::finding::ObjectPath::other(object),
            message: format!("{rule} on {object}"),
            expected: Some("integer".into()),
            actual: Some("text".into()),
            location: Some(Location {
                path: "specs/a.sql".into(),
                line,
                column: 1,
            }),
            diff: None,
            hint: None,
            fix: None,
        }
    }

    /// Users' baseline files hold these values: the fingerprint is FNV-1a 64 over rule,
    /// object, expected and actual, each followed by a 0xff byte (values computed outside
    /// pgparity).
    #[test]
    fn fingerprints_never_change() {
        let typed = finding("missing-column", "public.t.c", 3);
        assert_eq!(typed.fingerprint(), "4d343dc64e0ec607");
        let bare = Finding {
            expected: None,
            actual: None,
            ..finding("unexpected-relation", "public.Äpfel", 1)
        };
        assert_eq!(bare.fingerprint(), "b216a6bdc9f3a326");
    }

    #[test]
    fn entries_are_sorted_and_deduplicated() {
        let baseline = Baseline::of(&[
            finding("redundant-index", "public.t", 3),
            finding("missing-index", "public.z", 9),
            finding("missing-index", "public.z", 12),
        ]);
        let rules: Vec<(&str, &str)> = baseline
            .entries
            .iter()
            .map(|entry| (entry.rule.as_str(), entry.object.as_str()))
            .collect();
        assert_eq!(
            rules,
            [
                ("missing-index", "public.z"),
                ("redundant-index", "public.t")
            ]
        );
    }

    #[test]
    fn filter_hides_known_findings_and_counts_stale_entries() {
        let baseline = Baseline::of(&[
            finding("missing-index", "public.t", 1),
            finding("redundant-index", "public.t", 2),
        ]);
        let (reported, outcome) = baseline.filter(
            vec![
                finding("missing-index", "public.t", 40),
                finding("unused-index", "public.t", 2),
            ],
            &|_| true,
        );
        assert_eq!(reported.len(), 1);
        assert_eq!(reported[0].rule.id, "unused-index");
        assert_eq!((outcome.matched, outcome.stale), (1, 1));
        assert_eq!(outcome.stale_entries[0].rule, "redundant-index");
        assert_eq!(outcome.stale_entries[0].object, "public.t");
        let pruned = baseline.pruned(&outcome);
        assert_eq!(pruned.entries.len(), 1);
        assert_eq!(pruned.entries[0].rule, "missing-index");
    }

    #[test]
    fn entries_of_rules_that_did_not_run_are_not_stale() {
        let baseline = Baseline::of(&[
            finding("missing-index", "public.t", 1),
            finding("redundant-index", "public.t", 2),
        ]);
        let (_, outcome) = baseline.filter(Vec::new(), &|rule| rule != "missing-index");
        assert_eq!(outcome.stale, 1);
        assert_eq!(outcome.stale_entries[0].rule, "redundant-index");
    }

    #[test]
    fn round_trips_through_json() {
        let baseline = Baseline::of(&[finding("missing-index", "public.t", 1)]);
        assert_eq!(Baseline::parse(&baseline.to_json()).unwrap(), baseline);
    }

    #[test]
    fn refuses_other_versions_and_malformed_text() {
        let error = Baseline::parse(r#"{"version": 2, "entries": []}"#).unwrap_err();
        assert!(error.to_string().contains("version 2"), "{error}");
        let error = Baseline::parse("{\n  \"version\": 1,\n  \"entries\": [\n").unwrap_err();
        assert!(error.to_string().starts_with("line "), "{error}");
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = Baseline::parse(&deep).unwrap_err().to_string();
        assert!(error.contains("nested too deeply"), "{error}");
    }
}
