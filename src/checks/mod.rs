//! Checks: plain functions that look at the loaded model and push findings. Each family
//! is a folder; each rule (or small group of rules sharing one finder) is a file in it,
//! with its metadata, documentation, finder and tests. `build.rs` declares the files and
//! [`finder!`] and [`register_rule!`](crate::register_rule) register them: adding a rule
//! is adding its file.

/// Registers a rule file's finder with its family:
/// `crate::checks::finder!(super::DRIFT_FINDERS, find);` in a file directly under the
/// family's folder, whose `mod.rs` defines the slice and its `Finder` type.
macro_rules! finder {
    ($slice:path, $function:path) => {
        const _: () = {
            #[::linkme::distributed_slice($slice)]
            #[linkme(crate = ::linkme)]
            static FINDER: super::Finder = $function;
        };
    };
}
pub(crate) use finder;

pub(crate) mod contract;
pub mod drift;
pub(crate) mod index_plan;
pub mod meta;
pub(crate) mod probe;
pub(crate) mod spec;
pub(crate) mod tenancy;

#[cfg(test)]
pub(crate) mod testing;

use crate::contracts::ContractSet;
use crate::finding::{Finding, ObjectPath};
use crate::mapping::{Mapping, PlanSet};
use crate::model::{Catalog, ProbeResults, RowSamples, Specs};
use std::collections::HashMap;

/// What the checks look at. Every input is optional; families that lack what they
/// need are skipped and say so.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The loaded specs: their catalog and the problems met loading them.
    pub specs: Option<Specs<'a>>,
    /// The loaded contracts.
    pub contracts: Option<&'a ContractSet>,
    /// The loaded mapping.
    pub mapping: Option<&'a Mapping>,
    /// The index plans — the mapping's and the plan files' (`--index-plan`) — when a
    /// mapping or a plan file is given.
    pub plan: Option<&'a PlanSet>,
    /// The live catalog (from a database or a snapshot), when one is given.
    pub live: Option<&'a Catalog>,
    /// Rows sampled from live read models (`--sample-rows`).
    pub row_samples: Option<&'a RowSamples>,
    /// What `--probe` found in the scratch database, and the invariant queries and
    /// privileges read from `--db`.
    pub probes: Option<&'a ProbeResults>,
    /// Index statistics younger than this many days make `unused-index` info only.
    pub min_stats_age_days: i64,
    /// Where unqualified names live (the first schema in scope).
    pub default_schema: &'a str,
    /// Whether the contract family infers read models the mapping does not declare
    /// (`infer_read_models` in pgparity.toml).
    pub infer_read_models: bool,
}

/// The catalog a family judges: what the specs define, or what the database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The specs' catalog.
    Specs,
    /// The live catalog (a database or a snapshot).
    Database,
}

impl Side {
    /// Words that place a finding of this side: nothing for the specs (findings there
    /// have a file location), ` in the database` for the live catalog.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Side::Specs => "",
            Side::Database => " in the database",
        }
    }
}

/// The catalogs of a run that families judging "every catalog" look at: the specs',
/// then the database's.
pub(crate) fn sides<'a>(inputs: &Inputs<'a>) -> Vec<(Side, &'a Catalog)> {
    let mut sides = Vec::new();
    if let Some(specs) = inputs.specs {
        sides.push((Side::Specs, specs.catalog));
    }
    if let Some(live) = inputs.live {
        sides.push((Side::Database, live));
    }
    sides
}

/// Adds the findings of both sides to `findings`, one per fact: a database finding with
/// the same rule, object, expected and actual values as a specs finding is not added
/// again; the specs finding (which has the file location) says it holds in the database
/// too.
pub(crate) fn merge_sides(
    mut specs: Vec<Finding>,
    database: Vec<Finding>,
    findings: &mut Vec<Finding>,
) {
    // Looked up by what makes two findings the same, not by a scan of the specs
    // findings per database finding: both sides can hold thousands.
    let mut also_in_database = vec![false; specs.len()];
    let mut only_database = Vec::new();
    {
        let mut first_same: HashMap<SameFinding<'_>, usize> = HashMap::with_capacity(specs.len());
        for (index, spec) in specs.iter().enumerate() {
            first_same.entry(SameFinding::of(spec)).or_insert(index);
        }
        for live in database {
            let same = first_same.get(&SameFinding::of(&live)).copied();
            match same {
                Some(index) => also_in_database[index] = true,
                None => only_database.push(live),
            }
        }
    }
    for (spec, also) in specs.iter_mut().zip(also_in_database) {
        if also && !spec.message.ends_with(BOTH_SIDES) {
            spec.message.push_str(BOTH_SIDES);
        }
    }
    findings.extend(specs);
    findings.extend(only_database);
}

/// The parts that make a specs finding and a database finding the same one.
#[derive(PartialEq, Eq, Hash)]
struct SameFinding<'a> {
    rule: &'static str,
    object: &'a ObjectPath,
    expected: Option<&'a str>,
    actual: Option<&'a str>,
}

impl SameFinding<'_> {
    fn of(finding: &Finding) -> SameFinding<'_> {
        SameFinding {
            rule: finding.rule.id,
            object: &finding.object,
            expected: finding.expected.as_deref(),
            actual: finding.actual.as_deref(),
        }
    }
}

/// What a specs finding that holds in the database too says so with.
const BOTH_SIDES: &str = "; likewise in the database";

/// What a run of the checks produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings at their rules' default severities.
    pub findings: Vec<Finding>,
    /// Checks that did not run, and why.
    pub skipped: Vec<String>,
    /// Whether any check ran at all. Without specs, a live side or contracts (whose
    /// documents are checked on their own) no family can: a run like that must not pass
    /// as clean (a CI job in the wrong folder would go green).
    pub checked_anything: bool,
}

/// Runs every family that its inputs allow.
pub fn run(inputs: &Inputs) -> Outcome {
    let mut outcome = Outcome {
        checked_anything: inputs.specs.is_some()
            || inputs.live.is_some()
            || inputs.contracts.is_some(),
        ..Outcome::default()
    };
    match inputs.specs {
        Some(specs) => {
            spec::check(specs, &mut outcome.findings);
            let data = specs
                .problems
                .iter()
                .filter(|problem| {
                    matches!(problem.kind, crate::model::SpecProblemKind::Data { .. })
                })
                .count();
            if data > 0 {
                outcome.skipped.push(format!(
                    "spec: {data} data statement{} (INSERT, UPDATE, DELETE, SELECT setval) \
                     not read: data, not schema",
                    if data == 1 { "" } else { "s" }
                ));
            }
        }
        None => outcome
            .skipped
            .push("spec: no specs given (--specs or `specs` in pgparity.toml)".into()),
    }
    // Drift compares every relation of both catalogs, the largest share of the checks'
    // time on a large schema: the index plan, tenancy and probe families run beside it
    // (and contracts, which leave out findings drift already made, after it); their
    // findings are appended in the same order as when they ran one after another.
    let later = std::thread::scope(|scope| {
        let later = scope.spawn(|| {
            let mut later = Outcome::default();
            index_plan::check(inputs, &mut later);
            tenancy::check(inputs, &mut later);
            probe::check(inputs, &mut later);
            later
        });
        drift::check(inputs, &mut outcome);
        contract::check(inputs, &mut outcome);
        later.join()
    });
    let later = later.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    outcome.findings.extend(later.findings);
    outcome.skipped.extend(later.skipped);
    outcome
}
