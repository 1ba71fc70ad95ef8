//! The `meta` family: configured severities and suppressions are applied after the other
//! families ran; suppressions that expired or matched nothing are reported.

include!(concat!(env!("OUT_DIR"), "/rules_meta.rs"));

use crate::config::{Config, RuleLevel};
use crate::finding::Finding;

pub use suppression::apply_suppressions;

/// Applies configured rule levels: `off` drops a rule's findings; a configured severity
/// replaces the rule's default severity, and caps findings the rule reported at a
/// case-specific lower or higher level (an "info: not checked" note stays info).
pub fn apply_levels(findings: Vec<Finding>, config: &Config) -> Vec<Finding> {
    findings
        .into_iter()
        .filter_map(|mut finding| {
            let rule = finding.rule;
            match config.level(rule) {
                RuleLevel::Off => None,
                RuleLevel::At(configured) => {
                    finding.severity = if finding.severity == rule.default_severity {
                        configured
                    } else {
                        finding.severity.min(configured)
                    };
                    Some(finding)
                }
            }
        })
        .collect()
}
