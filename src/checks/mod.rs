//! Checks: plain functions that look at the loaded inputs and push findings. Each
//! family lives in its own file with its rules' documentation beside the code.

use crate::finding::Severity;

/// The families rules are grouped in (SARIF, JUnit and the rule list use them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// The specs themselves.
    Spec,
    /// Specs or snapshot against the live database.
    Drift,
    /// Contracts against the mapping and the serving relations.
    Contract,
    /// The index plan against the indexes that exist.
    IndexPlan,
    /// Multi-tenancy: tenant column, RLS, policies.
    Tenancy,
    /// pgparity's own configuration: suppressions.
    Meta,
}

impl Family {
    /// Lower-case name: `spec`, `drift`, `contract`, `index-plan`, `tenancy`, `meta`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Spec => "spec",
            Family::Drift => "drift",
            Family::Contract => "contract",
            Family::IndexPlan => "index-plan",
            Family::Tenancy => "tenancy",
            Family::Meta => "meta",
        }
    }
}

/// A rule's metadata. The documentation is what `pgparity explain` prints.
#[derive(Debug)]
pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// Its family.
    pub family: Family,
    /// Severity unless configured otherwise.
    pub default_severity: Severity,
    /// One line: what it checks.
    pub summary: &'static str,
    /// What it checks, why it matters, an example of a violation and its fix (Markdown).
    pub documentation: &'static str,
}

mod contract;
pub mod drift;
mod index_plan;
pub mod meta;
pub mod rows;
mod spec;
mod tenancy;

use crate::contracts::ContractSet;
use crate::finding::Finding;
use crate::mapping::Mapping;
use crate::model::{Catalog, Specs};
use rows::RowSamples;

/// Every rule pgparity knows, in the order `pgparity rules` lists them.
pub const RULES: &[&Rule] = &[
    &spec::SPEC_PARSE_ERROR,
    &spec::UNSUPPORTED_STATEMENT,
    &spec::SPEC_REJECTED,
    &spec::DUPLICATE_DEFINITION,
    &spec::UNKNOWN_REFERENCE,
    &drift::MISSING_RELATION,
    &drift::UNEXPECTED_RELATION,
    &drift::MISSING_COLUMN,
    &drift::UNEXPECTED_COLUMN,
    &drift::COLUMN_TYPE_DRIFT,
    &drift::NULLABILITY_DRIFT,
    &drift::DEFAULT_DRIFT,
    &drift::MISSING_INDEX,
    &drift::UNEXPECTED_INDEX,
    &drift::INDEX_DEFINITION_DRIFT,
    &drift::MISSING_CONSTRAINT,
    &drift::UNEXPECTED_CONSTRAINT,
    &drift::CONSTRAINT_DRIFT,
    &drift::RLS_DRIFT,
    &drift::MISSING_POLICY,
    &drift::UNEXPECTED_POLICY,
    &drift::POLICY_DRIFT,
    &drift::GRANT_DRIFT,
    &drift::MISSING_TRIGGER,
    &drift::UNEXPECTED_TRIGGER,
    &drift::VIEW_DEFINITION_DRIFT,
    &drift::COMMENT_DRIFT,
    &contract::UNMAPPED_DTO_FIELD,
    &contract::UNKNOWN_MAPPED_COLUMN,
    &contract::DTO_TYPE_MISMATCH,
    &contract::DTO_NULLABILITY_MISMATCH,
    &contract::DTO_ENUM_MISMATCH,
    &contract::DTO_LENGTH_MISMATCH,
    &contract::UNKNOWN_CONTRACT_REF,
    &contract::MAPPING_TYPE_DRIFT,
    &rows::CONTRACT_ROW_VIOLATION,
    &index_plan::SPECULATIVE_INDEX,
    &index_plan::MISSING_PLANNED_INDEX,
    &index_plan::PLAN_DEFINITION_DRIFT,
    &index_plan::UNUSED_INDEX,
    &index_plan::REDUNDANT_INDEX,
    &index_plan::UNINDEXED_FOREIGN_KEY,
    &tenancy::MISSING_TENANT_COLUMN,
    &tenancy::RLS_DISABLED,
    &tenancy::MISSING_TENANT_POLICY,
    &meta::UNUSED_SUPPRESSION,
    &meta::EXPIRED_SUPPRESSION,
];

/// Rules that only a live database (or a snapshot of one) can make fire, besides the
/// drift family; their tests run against a real PostgreSQL.
pub const NEEDS_DATABASE: &[&str] = &["contract-row-violation", "unused-index", "spec-rejected"];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|rule| rule.id == id)
}

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
    outcome
}
