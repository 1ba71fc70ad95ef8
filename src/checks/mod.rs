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
use crate::finding::Finding;
use crate::mapping::Mapping;
use crate::model::{Catalog, ProbeResults, RowSamples, Specs};

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
}

/// What a run of the checks produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings at their rules' default severities.
    pub findings: Vec<Finding>,
    /// Checks that did not run, and why.
    pub skipped: Vec<String>,
}

/// Runs every family that its inputs allow.
pub fn run(inputs: &Inputs) -> Outcome {
    let mut outcome = Outcome::default();
    match inputs.specs {
        Some(specs) => spec::check(specs, &mut outcome.findings),
        None => outcome
            .skipped
            .push("spec: no specs given (--specs or `specs` in pgparity.toml)".into()),
    }
    drift::check(inputs, &mut outcome);
    contract::check(inputs, &mut outcome);
    index_plan::check(inputs, &mut outcome);
    tenancy::check(inputs, &mut outcome);
    probe::check(inputs, &mut outcome);
    outcome
}
