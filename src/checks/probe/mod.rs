//! The `probe` family: what `--probe` found when it tried the specs' constraints, the
//! mapping's invariants, immutable tables and tenant isolation in a scratch database,
//! and what the mapping's invariants and immutable tables show in the specs and in
//! `--db`. The probing itself happened before the checks ran (`src/sources/live/probe`);
//! these rules read its results and never touch a database. Each rule is a file of this
//! folder.

include!(concat!(env!("OUT_DIR"), "/rules_probe.rs"));

use super::{Inputs, Outcome};
use crate::finding::{Finding, ObjectPath};
use crate::mapping::Mapping;
use crate::model::{Probe, ProbeKind, ProbeOutcome, ProbeResults, Specs};
use crate::rules::ObjectKind;
use linkme::distributed_slice;

/// What the probe rules look at.
pub(crate) struct ProbeScope<'a> {
    /// The specs, when given.
    pub specs: Option<Specs<'a>>,
    /// The mapping, when given.
    pub mapping: Option<&'a Mapping>,
    /// What the probes found, when `--probe` ran (or `--db` ran invariant queries).
    pub results: Option<&'a ProbeResults>,
}

impl<'a> ProbeScope<'a> {
    /// The probes of these kinds whose outcome was not the expected one.
    pub(crate) fn failed(
        &self,
        kinds: &'a [ProbeKind],
    ) -> impl Iterator<Item = (&'a Probe, &'a str)> {
        self.results
            .into_iter()
            .flat_map(|results| &results.probes)
            .filter(move |probe| kinds.contains(&probe.kind))
            .filter_map(|probe| match &probe.outcome {
                ProbeOutcome::Failed { actual } => Some((probe, actual.as_str())),
                _ => None,
            })
    }
}

/// The object a probe is about: its column, constraint or index, else its table.
pub(crate) fn probe_object(probe: &Probe) -> ObjectPath {
    match &probe.member {
        Some(member) => {
            let path = ObjectPath::member(&probe.relation, member);
            match probe.kind {
                ProbeKind::NotNull | ProbeKind::Check => path.of_kind(ObjectKind::Column),
                ProbeKind::Unique
                | ProbeKind::ForeignKey
                | ProbeKind::OnDelete
                | ProbeKind::OnUpdate
                | ProbeKind::Exclusion => path.of_kind(ObjectKind::Constraint),
                _ => path.of_kind(ObjectKind::Object),
            }
        }
        None => ObjectPath::relation(&probe.relation).of_kind(ObjectKind::Table),
    }
}

/// A failed probe as a finding of `rule`: what it showed, the statement tried, the
/// expected and the actual outcome.
pub(crate) fn failed_probe(
    rule: &'static crate::rules::Rule,
    probe: &Probe,
    actual: &str,
) -> Finding {
    Finding::new(
        rule,
        probe_object(probe),
        format!(
            "{} does not hold: `{}` {}",
            probe.description,
            probe.sql,
            if actual == "accepted" || actual.starts_with("refused") {
                format!("was {actual}")
            } else {
                format!("ran, but {actual}")
            }
        ),
    )
    .expected_actual(&probe.expected, actual)
    .at(probe.location.as_ref())
}

/// A probe rule's finder.
pub(crate) type Finder = fn(&ProbeScope, &mut Vec<Finding>);

/// Every probe rule's finder.
#[distributed_slice]
pub(crate) static PROBE_FINDERS: [Finder];

/// Runs the probe rules. Probing is opt-in (as `--sample-rows` is), so a run without it
/// lists nothing as skipped: the static `mutable-ledger` check runs whenever the mapping
/// has `immutable:` entries.
pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    let scope = ProbeScope {
        specs: inputs.specs,
        mapping: inputs.mapping,
        results: inputs.probes,
    };
    for finder in PROBE_FINDERS {
        finder(&scope, &mut outcome.findings);
    }
}
