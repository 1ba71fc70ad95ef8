//! What `--probe` found: every probe tried in the scratch database with its outcome, the
//! `violations` queries of the mapping's invariants run against `--db`, and the live
//! privileges of the roles the mapping says may not change an immutable table. The
//! probing engine (`src/sources/live/probe`) fills it; the `probe` family of checks reads
//! it and never touches a database.

use super::{Location, QualifiedName};

/// Everything the probes of one run found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProbeResults {
    /// Every probe tried in the scratch database, in the order they ran.
    pub probes: Vec<Probe>,
    /// The `violations` queries of the mapping's invariants, run against a database
    /// (`--db`, read-only) or the scratch database.
    pub invariants: Vec<InvariantResult>,
    /// What the live database (`--db`) grants the roles of the mapping's `immutable:`
    /// entries on their tables, through role membership too.
    pub live_privileges: Vec<LivePrivilege>,
    /// The drift comparisons normalization left undecided that `--probe` tried on both
    /// definitions in the scratch database (`--db` or `--snapshot` with `--dev-db`).
    pub settlements: Vec<Settlement>,
}

impl ProbeResults {
    /// How many probes passed, failed and were skipped.
    pub fn tally(&self) -> ProbeTally {
        let mut tally = ProbeTally::default();
        for probe in &self.probes {
            match probe.outcome {
                ProbeOutcome::Passed => tally.passed += 1,
                ProbeOutcome::Failed { .. } => tally.failed += 1,
                ProbeOutcome::Skipped { .. } => tally.skipped += 1,
            }
        }
        tally
    }
}

/// Counts of probes by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProbeTally {
    /// Probes whose outcome was the expected one.
    pub passed: usize,
    /// Probes whose outcome differed from the expected one.
    pub failed: usize,
    /// Probes that could not be tried (the reason is in each).
    pub skipped: usize,
}

/// What a probe tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProbeKind {
    /// NULL in a NOT NULL column is refused.
    NotNull,
    /// A duplicate key of a primary key, unique constraint or unique index is refused;
    /// outside a partial index's predicate it is accepted.
    Unique,
    /// A value just outside a CHECK's bound or list is refused, one just inside accepted.
    Check,
    /// Two overlapping rows are refused by an exclusion constraint, two apart accepted.
    Exclusion,
    /// A reference to a parent row that does not exist is refused.
    ForeignKey,
    /// Deleting a referenced parent row does what `ON DELETE` says.
    OnDelete,
    /// Updating a referenced key does what `ON UPDATE` says.
    OnUpdate,
    /// A statement of the mapping's `must_reject:` is refused.
    MustReject,
    /// UPDATE and DELETE of an `immutable:` table are refused for its roles.
    Immutable,
    /// A tenant sees, inserts and moves only its own rows.
    TenantIsolation,
    /// An invariant's `violations` query runs against the specs' schema.
    Invariant,
    /// The spec's and the live definition of a CHECK, default or index predicate that
    /// normalization could not compare behave the same on the same values.
    Settle,
}

impl ProbeKind {
    /// Kebab-case name, as reports list probes: `not-null`, `unique`, `check`, …
    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::NotNull => "not-null",
            ProbeKind::Unique => "unique",
            ProbeKind::Check => "check",
            ProbeKind::ForeignKey => "foreign-key",
            ProbeKind::OnDelete => "on-delete",
            ProbeKind::MustReject => "must-reject",
            ProbeKind::Immutable => "immutable",
            ProbeKind::TenantIsolation => "tenant-isolation",
            ProbeKind::Invariant => "invariant",
            ProbeKind::OnUpdate => "on-update",
            ProbeKind::Exclusion => "exclusion",
            ProbeKind::Settle => "settle",
        }
    }
}

/// One probe: what was tried, what was expected, what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// What it tries.
    pub kind: ProbeKind,
    /// The table it is about.
    pub relation: QualifiedName,
    /// The column, constraint, index or invariant it is about, if not the whole table.
    pub member: Option<String>,
    /// One line: what the probe shows when it passes (`NULL in slug is refused`).
    pub description: String,
    /// The statement that was tried (after the rows it needs were inserted).
    pub sql: String,
    /// The expected outcome, in words (`refused with 23502 (not_null_violation)`).
    pub expected: String,
    /// What happened.
    pub outcome: ProbeOutcome,
    /// Where the expectation comes from: the spec line of the constraint or column, or
    /// the mapping line of the invariant, immutable entry or tenancy section.
    pub location: Option<Location>,
}

impl Probe {
    /// `kind: schema.table.member` — the probe's name in reports (a JUnit test case).
    pub fn name(&self) -> String {
        let object = match &self.member {
            Some(member) => self.relation.child(member),
            None => self.relation.to_string(),
        };
        format!("{}: {object}: {}", self.kind.as_str(), self.description)
    }
}

/// How a probe ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// As expected.
    Passed,
    /// Not as expected.
    Failed {
        /// What happened instead (`accepted`, or the SQLSTATE and the server's message).
        actual: String,
    },
    /// Not tried, or tried without a conclusive answer.
    Skipped {
        /// Why (the server's message when it refused the rows the probe needed).
        reason: String,
    },
}

/// An invariant's `violations` query and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvariantResult {
    /// The invariant's name.
    pub name: String,
    /// Where it ran: `the database` (`--db`) or `the scratch database`.
    pub against: String,
    /// What the query found, or why it could not run.
    pub found: InvariantFound,
    /// The invariant in the mapping.
    pub location: Option<Location>,
}

/// What a `violations` query returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvariantFound {
    /// Rows that break the invariant: how many, and the key columns of at most
    /// [`MAX_REPORTED_KEYS`] of them (never other row content).
    Rows {
        /// How many rows the query returned.
        count: u64,
        /// The `key:` columns of the first rows, each as `column=value` texts.
        keys: Vec<String>,
    },
    /// No rows: the invariant holds.
    Holds,
    /// The query failed (the server's SQLSTATE and message).
    Error {
        /// What the server said.
        message: String,
    },
}

/// At most this many keys of the rows that break an invariant are reported.
pub const MAX_REPORTED_KEYS: usize = 20;

/// A privilege the live database gives a role on an immutable table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePrivilege {
    /// The immutable table.
    pub table: QualifiedName,
    /// The role of the `immutable:` entry.
    pub role: String,
    /// `UPDATE` or `DELETE`.
    pub privilege: String,
    /// The `immutable:` entry in the mapping.
    pub location: Option<Location>,
}

/// A drift comparison that normalization left undecided, tried on both definitions in
/// the scratch database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The table.
    pub relation: QualifiedName,
    /// The constraint, column or index whose definition was compared.
    pub object: SettledObject,
    /// The property the drift comparison was about: `check`, `default`, `predicate`.
    pub property: String,
    /// What trying both definitions showed.
    pub verdict: Verdict,
}

/// What a [`Settlement`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettledObject {
    /// A CHECK constraint, by name.
    Constraint(String),
    /// A column (its default), by name.
    Column(String),
    /// An index (its predicate), by name.
    Index(String),
}

impl SettledObject {
    /// The name of the constraint, column or index.
    pub fn name(&self) -> &str {
        match self {
            SettledObject::Constraint(name)
            | SettledObject::Column(name)
            | SettledObject::Index(name) => name,
        }
    }
}

/// How trying both definitions ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Both behaved the same on every value tried: the definitions are taken as equal.
    Same {
        /// How it was settled (what was tried).
        how: String,
    },
    /// One accepted what the other refused (or the defaults gave different values).
    Differs {
        /// The value that shows it, in words.
        evidence: String,
    },
    /// Not settled: the comparison stays undecided.
    Unsettled {
        /// Why (a definition the scratch database cannot evaluate, …).
        reason: String,
    },
}
