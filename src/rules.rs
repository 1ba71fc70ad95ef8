//! The rule catalogue: what a rule is, and the registry of every rule.
//!
//! A leaf module: it depends on nothing else in pgparity. Each rule lives in its own
//! file under `src/checks/<family>/` with its metadata, documentation, finder and tests,
//! and registers itself here with [`register_rule!`](crate::register_rule); nothing else
//! lists rules by hand. `pgparity rules`, `pgparity explain`, the README's rule table and
//! SARIF's rule descriptors all read [`all`].

use linkme::distributed_slice;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;
use std::sync::OnceLock;

/// How serious a finding is. Ordered so that `Error > Warning > Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run unless `--fail-on info`.
    Info,
    /// Probably wrong.
    Warning,
    /// Wrong: the specs, contracts, mapping or database disagree.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The families rules are grouped in (SARIF, JUnit and the rule list use them). The
/// order is the catalogue's order.
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
    /// Constraints, invariants, immutability and tenant isolation tried for real in a
    /// scratch database (`--probe`), and the mapping's invariants against `--db`.
    Probe,
    /// pgparity's own configuration: suppressions.
    Meta,
}

impl Family {
    /// Lower-case name: `spec`, `drift`, `contract`, `index-plan`, `tenancy`, `probe`,
    /// `meta`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Spec => "spec",
            Family::Drift => "drift",
            Family::Contract => "contract",
            Family::IndexPlan => "index-plan",
            Family::Tenancy => "tenancy",
            Family::Probe => "probe",
            Family::Meta => "meta",
        }
    }
}

/// What kind of object a finding is about. Renderers use it (SARIF's logical location
/// kind) instead of guessing from the rule id or the shape of the object path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// A table, view or materialized view.
    Relation,
    /// A table, where only tables qualify (tenancy).
    Table,
    /// A column of a relation.
    Column,
    /// An index.
    Index,
    /// A table constraint.
    Constraint,
    /// A row-level security policy.
    Policy,
    /// A trigger.
    Trigger,
    /// A type: an enum or a domain.
    Type,
    /// A function or procedure.
    Function,
    /// A sequence.
    Sequence,
    /// An extension (`CREATE EXTENSION`), which belongs to the database, not a schema.
    Extension,
    /// A spec statement (one that did not parse, was skipped or refused).
    Declaration,
    /// A field of a contract DTO.
    Member,
    /// A `[[suppress]]` entry of `pgparity.toml`.
    Suppression,
    /// A reference whose target kind is not known (a plan entry or read model naming
    /// something that does not exist).
    Object,
}

impl ObjectKind {
    /// The word SARIF's logical locations use where it has one, PostgreSQL's otherwise.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Relation => "relation",
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Index => "index",
            ObjectKind::Constraint => "constraint",
            ObjectKind::Policy => "policy",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Type => "type",
            ObjectKind::Function => "function",
            ObjectKind::Sequence => "sequence",
            ObjectKind::Extension => "extension",
            ObjectKind::Declaration => "declaration",
            ObjectKind::Member => "member",
            ObjectKind::Suppression => "suppression",
            ObjectKind::Object => "object",
        }
    }

    /// The kind a spec loader word names (`table`, `index`, `constraint`, `policy`, …);
    /// [`ObjectKind::Object`] for a word without a kind of its own.
    pub fn from_word(word: &str) -> ObjectKind {
        match word {
            "table" => ObjectKind::Table,
            "view" | "materialized view" | "relation" => ObjectKind::Relation,
            "column" => ObjectKind::Column,
            "index" => ObjectKind::Index,
            "constraint" => ObjectKind::Constraint,
            "policy" => ObjectKind::Policy,
            "trigger" => ObjectKind::Trigger,
            "type" | "enum" | "domain" => ObjectKind::Type,
            "function" | "procedure" => ObjectKind::Function,
            "sequence" => ObjectKind::Sequence,
            "extension" => ObjectKind::Extension,
            _ => ObjectKind::Object,
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
    /// The kind of object its findings are about, unless a finding says otherwise.
    pub object_kind: ObjectKind,
    /// Whether only a live database (or a snapshot of one) can make it fire.
    pub needs_live: bool,
    /// One line: what it checks.
    pub summary: &'static str,
    /// What it checks, why it matters, an example of a violation and its fix (Markdown).
    pub docs: &'static str,
}

impl Rule {
    /// The rule's id.
    pub fn as_str(&self) -> &'static str {
        self.id
    }
}

impl PartialEq for Rule {
    fn eq(&self, other: &Rule) -> bool {
        self.id == other.id
    }
}

impl Eq for Rule {}

impl PartialOrd for Rule {
    fn partial_cmp(&self, other: &Rule) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rule {
    /// By id: the order findings are sorted in.
    fn cmp(&self, other: &Rule) -> std::cmp::Ordering {
        self.id.cmp(other.id)
    }
}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.id == other
    }
}

impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.id == *other
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

impl Serialize for Rule {
    /// A rule is written as its id: the JSON report's `rule` field.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id)
    }
}

/// Every registered rule, in no particular order; read it through [`all`].
#[doc(hidden)]
#[distributed_slice]
pub static REGISTERED: [&'static Rule];

/// Registers rules in the catalogue: `register_rule!(MY_RULE);` in the rule's file.
#[macro_export]
macro_rules! register_rule {
    ($($rule:path),+ $(,)?) => {
        $(
            const _: () = {
                #[::linkme::distributed_slice($crate::rules::REGISTERED)]
                #[linkme(crate = ::linkme)]
                static REGISTRATION: &'static $crate::rules::Rule = &$rule;
            };
        )+
    };
}

/// Every rule pgparity knows, by family (in [`Family`] order) then id: the order
/// `pgparity rules` lists them.
pub fn all() -> &'static [&'static Rule] {
    static SORTED: OnceLock<Vec<&'static Rule>> = OnceLock::new();
    SORTED.get_or_init(|| {
        let mut rules: Vec<&'static Rule> = REGISTERED.iter().copied().collect();
        rules.sort_by_key(|rule| (rule.family, rule.id));
        rules
    })
}

/// The rule with this id.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    all().iter().copied().find(|rule| rule.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in REGISTERED.iter() {
            assert!(seen.insert(rule.id), "rule {} is registered twice", rule.id);
            assert!(
                rule.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "rule id {} is not kebab-case",
                rule.id
            );
        }
        assert_eq!(all().len(), seen.len());
    }

    #[test]
    fn the_catalogue_is_ordered_by_family_then_id() {
        let order: Vec<_> = all().iter().map(|rule| (rule.family, rule.id)).collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert!(by_id(all()[0].id).is_some());
        assert!(by_id("no-such-rule").is_none());
    }
}
