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
