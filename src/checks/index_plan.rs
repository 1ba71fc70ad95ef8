//! The `index-plan` family: every index is justified by a constraint, a foreign key
//! or a plan entry whose query path resolves; the plan matches the indexes.

use super::contract::{resolves, Resolution, UNKNOWN_CONTRACT_REF};
use super::{Family, Inputs, Outcome, Rule};
use crate::finding::{Finding, Severity};
use crate::mapping::{Mapping, PlanEntry, PlanStatus};
use crate::model::{
    Canonical, ConstraintKind, Expr, Index, IndexKey, IndexTarget, QualifiedName, Relation,
};
use std::collections::{BTreeMap, BTreeSet};

/// `speculative-index`.
pub const SPECULATIVE_INDEX: Rule = Rule {
    id: "speculative-index",
    family: Family::IndexPlan,
    default_severity: Severity::Error,
    summary: "An index that no constraint, foreign key or resolvable query path justifies",
    documentation: "\
## What it does
Every index must earn its keep. An index is justified when it backs a primary key, unique or
exclusion constraint; when its leading columns cover a foreign key (it serves cascades and
joins); or when the index plan has an entry for it that is not `status: future` and either
the index is unique (it enforces integrity) or one of its `query_paths` resolves — to an
endpoint `METHOD /path` in the contracts (a query string such as `?tenant_id=X` is ignored),
or to a name under `queries:`. Anything else is speculative: no plan entry, a plan entry whose
query paths resolve to nothing, or one marked future.

## Why it matters
Indexes added \"just in case\" cost on every write, take disk and vacuum time, and nobody
dares to drop them later because nobody knows what they serve.

## Example
```sql
CREATE INDEX idx_revenue_ledger_posted_at ON revenue_ledger (posted_at);
```
with no entry in `index_plan:`. Fix: add a plan entry naming the endpoint or query it serves,
or drop the index.",
};

/// `missing-planned-index`.
pub const MISSING_PLANNED_INDEX: Rule = Rule {
    id: "missing-planned-index",
    family: Family::IndexPlan,
    default_severity: Severity::Error,
    summary: "An active index plan entry has no index",
    documentation: "\
## What it does
Reports index plan entries (not marked `status: future`) whose index the specs do not
create.

## Why it matters
The plan promises that a query path is served by an index; without it the query scans.

## Example
A plan entry `idx_dead_events_tenant_created_at` for `operator-triage`, but no
`CREATE INDEX idx_dead_events_tenant_created_at` in the specs.
Fix: create the index, mark the entry `status: future`, or remove it.",
};

/// `plan-definition-drift`.
pub const PLAN_DEFINITION_DRIFT: Rule = Rule {
    id: "plan-definition-drift",
    family: Family::IndexPlan,
    default_severity: Severity::Error,
    summary: "An index differs from its plan entry (table, columns, uniqueness, method, predicate, include)",
    documentation: "\
## What it does
Compares each plan entry with the index of the same name: table, key columns or expressions
in order with `DESC`/`NULLS`, `unique` and `method` (when the entry states them), the partial
index predicate and `include` columns (an entry without `where:`/`include:` means none).
Predicates and expressions are compared after normalization; when equality cannot be
decided the finding is info.

## Why it matters
The plan is the reason the index exists; an index that drifted from it may no longer serve
the query the plan names.

## Example
The plan says `columns: [tenant_id, updated_at DESC]`, the spec creates the index on
`(tenant_id, updated_at)`. Fix whichever is wrong.",
};

/// `unused-index`.
pub const UNUSED_INDEX: Rule = Rule {
    id: "unused-index",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A live index has not been scanned since statistics were last reset",
    documentation: "\
## What it does
With a live database (or a snapshot of one), reads `pg_stat_user_indexes.idx_scan` and reports
indexes with zero scans since the statistics were last reset, saying how long that is. Indexes
that enforce something — primary key, unique, exclusion — are exempt: dropping them changes
behaviour, not just speed. When the statistics are younger than `unused_index_min_stats_days`
(pgparity.toml, default 7 days) the finding is info only: a week without a scan means more
than an afternoon without one.

## Why it matters
An index nobody reads still costs every insert and update, WAL, vacuum and disk. It is the
live evidence behind `speculative-index`.

## Example
`public.idx_revenue_ledger_posted_at: 0 scans in the 41 days since statistics were reset`.
Check replicas too (statistics are per server), then drop the index or plan the query it serves.",
};

/// `redundant-index`.
pub const REDUNDANT_INDEX: Rule = Rule {
    id: "redundant-index",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A non-unique index is a left prefix of another index with the same predicate",
    documentation: "\
## What it does
Reports a non-unique index whose keys (columns or expressions, with direction) are a left
prefix of — or equal to — another index's keys on the same table, with the same method and
the same predicate.

## Why it matters
The longer index serves every query the shorter one does; the shorter one only costs writes.

## Example
```sql
CREATE INDEX idx_alloc_tenant ON attribution_allocations (tenant_id);
CREATE INDEX idx_alloc_tenant_model ON attribution_allocations (tenant_id, model_version);
```
Fix: drop `idx_alloc_tenant`.",
};

/// `unindexed-foreign-key`.
pub const UNINDEXED_FOREIGN_KEY: Rule = Rule {
    id: "unindexed-foreign-key",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A foreign key has no index on its referencing columns",
    documentation: "\
## What it does
Reports foreign keys for which no index on the referencing table has the key's columns as its
leading columns (in any order).

## Why it matters
Deleting or updating a referenced row scans the whole referencing table (and locks it), and
joins along the key cannot use an index.

## Example
```sql
allocation_id uuid REFERENCES attribution_allocations (id)
```
with no index starting with `allocation_id`. Fix: `CREATE INDEX … (allocation_id)`.",
};

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    check_unused(inputs, outcome);
    let Some(specs) = inputs.specs else {
        outcome.skipped.push("index-plan: no specs given".into());
        return;
    };
    let catalog = &specs.catalog;
    for relation in catalog.relations.values() {
        check_redundant(relation, &mut outcome.findings);
        check_foreign_keys(relation, &mut outcome.findings);
    }
    let Some(mapping) = inputs.mapping else {
        outcome
            .skipped
            .push("index-plan: speculative-index, missing-planned-index and plan-definition-drift need a mapping with an index plan".into());
        return;
    };
    let plan: BTreeMap<&QualifiedName, &PlanEntry> = mapping
        .index_plan
        .iter()
        .map(|entry| (&entry.index, entry))
        .collect();
    let findings = &mut outcome.findings;
    for entry in &mapping.index_plan {
        for path in &entry.query_paths {
            if let Resolution::Unknown(what) = resolves(path, inputs.contracts, mapping) {
                findings.push(
                    Finding::new(
                        &UNKNOWN_CONTRACT_REF,
                        index_path(&entry.index),
                        format!("index plan entry {} names {what}", entry.index.name),
                    )
                    .at(entry.location.as_ref()),
                );
            }
        }
    }
    for relation in catalog.relations.values() {
        for index in relation.indexes.values() {
            let name = QualifiedName::new(relation.name.schema.clone(), index.name.clone());
            let entry = plan.get(&name).copied();
            if let Some(reason) = speculative_reason(relation, index, entry, inputs, mapping) {
                findings.push(
                    Finding::new(
                        &SPECULATIVE_INDEX,
                        index_path(&name),
                        format!("index {} on {} is speculative: {reason}", index.name, relation.name),
                    )
                    .at(index.location.as_ref())
                    .hint("add an index_plan entry whose query_paths name an endpoint or a declared query, or drop the index"),
                );
            }
            if let Some(entry) = entry {
                compare_with_plan(relation, index, entry, findings);
            }
        }
    }
    for entry in &mapping.index_plan {
        if entry.status == PlanStatus::Active && catalog.index(&entry.index).is_none() {
            findings.push(
                Finding::new(
                    &MISSING_PLANNED_INDEX,
                    index_path(&entry.index),
                    format!(
                        "the index plan lists {} on {}, but the specs do not create it",
                        entry.index.name, entry.table
                    ),
                )
                .at(entry.location.as_ref())
                .hint("create the index, mark the entry `status: future`, or remove it"),
            );
        }
    }
}

fn index_path(name: &QualifiedName) -> String {
    name.to_string()
}

/// Why an index is not justified, or `None` when it is.
fn speculative_reason(
    relation: &Relation,
    index: &Index,
    entry: Option<&PlanEntry>,
    inputs: &Inputs,
    mapping: &Mapping,
) -> Option<String> {
    if index.constraint.is_some() {
        return None;
    }
    match entry {
        Some(entry) if entry.status == PlanStatus::Future => {
            Some("its plan entry is marked future, so nothing justifies it today".into())
        }
        Some(_) if index.unique => None,
        Some(_) if covers_foreign_key(relation, index) => None,
        Some(entry) => {
            let any_resolves = entry.query_paths.iter().any(|path| {
                matches!(
                    resolves(path, inputs.contracts, mapping),
                    Resolution::Resolved | Resolution::Unchecked
                )
            });
            (!any_resolves).then(|| {
                if entry.query_paths.is_empty() {
                    "its plan entry names no query path".to_string()
                } else {
                    format!(
                        "none of its query paths ({}) resolves to a contract endpoint or a declared query",
                        entry.query_paths.join("; ")
                    )
                }
            })
        }
        None if covers_foreign_key(relation, index) => None,
        None => Some("the index plan has no entry for it".into()),
    }
}

fn covers_foreign_key(relation: &Relation, index: &Index) -> bool {
    let leading = index.leading_columns();
    relation
        .constraints
        .values()
        .any(|constraint| match &constraint.kind {
            ConstraintKind::ForeignKey { columns, .. } => {
                !columns.is_empty()
                    && leading.len() >= columns.len()
                    && leading[..columns.len()]
                        .iter()
                        .copied()
                        .collect::<BTreeSet<_>>()
                        == columns.iter().map(String::as_str).collect::<BTreeSet<_>>()
            }
            _ => false,
        })
}

fn check_foreign_keys(relation: &Relation, findings: &mut Vec<Finding>) {
    if !relation.kind.is_table() {
        return;
    }
    for constraint in relation.constraints.values() {
        let ConstraintKind::ForeignKey {
            columns,
            references,
            ..
        } = &constraint.kind
        else {
            continue;
        };
        let wanted: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
        let covered = relation.indexes.values().any(|index| {
            let leading = index.leading_columns();
            serves_every_reference(index.predicate.as_ref().map(Expr::in_own_schema), &wanted)
                && leading.len() >= wanted.len()
                && leading[..wanted.len()]
                    .iter()
                    .copied()
                    .collect::<BTreeSet<_>>()
                    == wanted
        });
        if !covered {
            findings.push(
                Finding::new(
                    &UNINDEXED_FOREIGN_KEY,
                    relation.member_path(&constraint.name),
                    format!(
                        "foreign key {} ({}) to {references} has no index starting with its columns",
                        constraint.name,
                        columns.join(", ")
                    ),
                )
                .at(constraint.location.as_ref().or(relation.location.as_ref()))
                .hint(format!("CREATE INDEX ON {} ({})", relation.name, columns.join(", "))),
            );
        }
    }
}

/// Whether an index with this predicate (its canonical form) sees every row a
/// foreign-key lookup can find: no predicate, or only `c IS NOT NULL` on the key's own
/// columns, which the lookup's `c = $1` implies (PostgreSQL uses such a partial index
/// for it).
fn serves_every_reference(predicate: Option<&Canonical>, columns: &BTreeSet<&str>) -> bool {
    let Some(predicate) = predicate else {
        return true;
    };
    let Some(normalized) = predicate.form() else {
        return false;
    };
    normalized.split(" AND ").all(|term| {
        term.trim_matches(|c| c == '(' || c == ')')
            .strip_suffix(" IS NOT NULL")
            .is_some_and(|column| columns.contains(column))
    })
}

/// A key in comparable form: canonical target, direction, effective nulls order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct KeyShape {
    target: String,
    descending: bool,
    nulls_first: bool,
}

fn key_shape(key: &IndexKey) -> KeyShape {
    KeyShape {
        target: target_text(&key.target),
        descending: key.descending,
        nulls_first: key.nulls_first_effective(),
    }
}

fn target_text(target: &IndexTarget) -> String {
    match target {
        IndexTarget::Column(column) => column.clone(),
        IndexTarget::Expression(expression) => own_schema_text(expression),
    }
}

/// The canonical form in the index's schema, else the text with its whitespace collapsed.
fn own_schema_text(expression: &Expr) -> String {
    match expression.in_own_schema() {
        Canonical::Form(text) => text.clone(),
        _ => expression.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

fn check_redundant(relation: &Relation, findings: &mut Vec<Finding>) {
    let schema = relation.name.schema.as_str();
    let shapes: Vec<(&Index, Vec<KeyShape>, Option<String>)> = relation
        .indexes
        .values()
        .map(|index| {
            let keys = index.keys.iter().map(key_shape).collect();
            (index, keys, index.predicate.as_ref().map(own_schema_text))
        })
        .collect();
    for (index, keys, predicate) in &shapes {
        if index.unique || index.constraint.is_some() || keys.is_empty() {
            continue;
        }
        let covering = shapes.iter().find(|(other, other_keys, other_predicate)| {
            other.name != index.name
                && other.method == index.method
                && other_predicate == predicate
                && other_keys.len() >= keys.len()
                && other_keys[..keys.len()] == keys[..]
                && (other_keys.len() > keys.len()
                    || other.unique
                    || other.constraint.is_some()
                    || other.name < index.name)
        });
        if let Some((other, _, _)) = covering {
            findings.push(
                Finding::new(
                    &REDUNDANT_INDEX,
                    format!("{schema}.{}", index.name),
                    format!(
                        "index {} is a left prefix of {} on {} (same method and predicate)",
                        index.name, other.name, relation.name
                    ),
                )
                .expected_actual(
                    format!("{schema}.{}", other.name),
                    format!("{schema}.{}", index.name),
                )
                .at(index.location.as_ref())
                .hint(format!("drop index {}", index.name)),
            );
        }
    }
}

fn describe_keys(keys: &[KeyShape]) -> String {
    keys.iter()
        .map(|key| {
            let mut text = key.target.clone();
            if key.descending {
                text.push_str(" DESC");
            }
            if key.nulls_first != key.descending {
                text.push_str(if key.nulls_first {
                    " NULLS FIRST"
                } else {
                    " NULLS LAST"
                });
            }
            text
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare_with_plan(
    relation: &Relation,
    index: &Index,
    entry: &PlanEntry,
    findings: &mut Vec<Finding>,
) {
    let schema = relation.name.schema.as_str();
    let object = format!("{schema}.{}", index.name);
    let mut drift = |what: &str, expected: String, actual: String, severity: Severity| {
        findings.push(
            Finding::new(
                &PLAN_DEFINITION_DRIFT,
                object.clone(),
                format!("index {} differs from its plan entry in {what}", index.name),
            )
            .severity(severity)
            .expected_actual(expected, actual)
            .at(entry.location.as_ref()),
        );
    };
    if entry.table != relation.name {
        drift(
            "the table",
            entry.table.to_string(),
            relation.name.to_string(),
            Severity::Error,
        );
    }
    let planned: Vec<KeyShape> = entry.columns.iter().map(key_shape).collect();
    let actual: Vec<KeyShape> = index.keys.iter().map(key_shape).collect();
    if planned != actual {
        drift(
            "the key columns",
            describe_keys(&planned),
            describe_keys(&actual),
            Severity::Error,
        );
    }
    if let Some(unique) = entry.unique {
        if unique != index.unique {
            let says = |unique: bool| if unique { "unique" } else { "not unique" };
            drift(
                "uniqueness",
                says(unique).into(),
                says(index.unique).into(),
                Severity::Error,
            );
        }
    }
    if let Some(method) = &entry.method {
        if !method.eq_ignore_ascii_case(&index.method) {
            drift(
                "the access method",
                method.to_ascii_lowercase(),
                index.method.clone(),
                Severity::Error,
            );
        }
    }
    let planned_predicate = entry.predicate.as_deref();
    let actual_predicate = index.predicate.as_deref();
    if planned_predicate.is_some() || actual_predicate.is_some() {
        let normalized = (
            entry.predicate.as_ref().map(canonical_predicate),
            index.predicate.as_ref().map(canonical_predicate),
        );
        let shown = |text: Option<&str>| {
            text.map_or_else(
                || "(none: not partial)".to_string(),
                |text| format!("WHERE {text}"),
            )
        };
        match normalized {
            (Some(Ok(planned)), Some(Ok(actual))) if planned == actual => {}
            (Some(Err(_)), _) | (_, Some(Err(_))) => {
                let same_text = planned_predicate.map(collapse) == actual_predicate.map(collapse);
                if !same_text {
                    drift(
                        "the predicate (could not be compared exactly)",
                        shown(planned_predicate),
                        shown(actual_predicate),
                        Severity::Info,
                    );
                }
            }
            _ => drift(
                "the predicate",
                shown(planned_predicate),
                shown(actual_predicate),
                Severity::Error,
            ),
        }
    }
    if entry.include != index.include {
        drift(
            "the INCLUDE columns",
            entry.include.join(", "),
            index.include.join(", "),
            Severity::Error,
        );
    }
}

/// A predicate's canonical form in its index's schema, or `Err` when it has none.
fn canonical_predicate(predicate: &Expr) -> Result<&str, ()> {
    predicate.in_own_schema().form().ok_or(())
}

fn collapse(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reports live indexes with zero scans (PostgreSQL statistics), unless they enforce a
/// constraint or uniqueness.
pub(super) fn check_unused(inputs: &Inputs, outcome: &mut Outcome) {
    let Some(live) = inputs.live else {
        return;
    };
    let Some(statistics) = &live.index_statistics else {
        outcome
            .skipped
            .push("index-plan: unused-index needs index statistics from a live database".into());
        return;
    };
    let age_days = statistics_age_days(statistics.stats_reset.as_deref(), &statistics.read_at);
    for relation in live.relations.values() {
        for index in relation.indexes.values() {
            if index.unique || index.constraint.is_some() {
                continue;
            }
            let name = QualifiedName::new(relation.name.schema.clone(), index.name.clone());
            if statistics.scans.get(&name) != Some(&0) {
                continue;
            }
            let (since, severity) = match (age_days, &statistics.stats_reset) {
                (Some(days), Some(reset)) => (
                    format!("in the {days} days since statistics were reset ({reset})"),
                    if days < inputs.min_stats_age_days {
                        Severity::Info
                    } else {
                        UNUSED_INDEX.default_severity
                    },
                ),
                _ => (
                    "since statistics began (the server records no reset)".to_string(),
                    UNUSED_INDEX.default_severity,
                ),
            };
            let young = if severity == Severity::Info {
                format!(
                    "; statistics are younger than {} days, so this is only a hint",
                    inputs.min_stats_age_days
                )
            } else {
                String::new()
            };
            let spec_location = inputs
                .specs
                .and_then(|specs| specs.catalog.relations.get(&relation.name))
                .and_then(|spec_relation| spec_relation.indexes.get(&index.name))
                .and_then(|spec_index| spec_index.location.as_ref());
            outcome.findings.push(
                Finding::new(
                    &UNUSED_INDEX,
                    name.to_string(),
                    format!("index {} on {} has 0 scans {since}{young}", index.name, relation.name),
                )
                .severity(severity)
                .actual("0 scans")
                .at(spec_location)
                .hint("check replicas too (statistics are per server), then drop the index or plan the query it serves"),
            );
        }
    }
}

/// Whole days between two RFC 3339 timestamps, when both parse.
fn statistics_age_days(stats_reset: Option<&str>, read_at: &str) -> Option<i64> {
    let reset = chrono::DateTime::parse_from_rfc3339(stats_reset?).ok()?;
    let read = chrono::DateTime::parse_from_rfc3339(read_at).ok()?;
    Some((read - reset).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Catalog, IndexStatistics, RelationKind};

    fn live_with_scans(scans: u64, stats_reset: Option<&str>) -> Catalog {
        let table = QualifiedName::new("public", "ledger");
        let mut relation = Relation::new(table.clone(), RelationKind::Table, None);
        for (name, unique, constraint) in [
            ("idx_ledger_posted", false, None),
            ("ledger_pkey", true, Some("ledger_pkey")),
        ] {
            relation.indexes.insert(
                name.into(),
                Index {
                    name: name.into(),
                    unique,
                    method: "btree".into(),
                    keys: vec![IndexKey {
                        target: IndexTarget::Column("posted_at".into()),
                        descending: false,
                        nulls_first: None,
                        opclass: None,
                        collation: None,
                    }],
                    include: Vec::new(),
                    predicate: None,
                    nulls_not_distinct: false,
                    only: false,
                    constraint: constraint.map(str::to_string),
                    comment: None,
                    location: None,
                },
            );
        }
        let mut catalog = Catalog::new();
        catalog.relations.insert(table, relation);
        catalog.index_statistics = Some(IndexStatistics {
            stats_reset: stats_reset.map(str::to_string),
            read_at: "2026-11-28T00:00:00+00:00".into(),
            scans: [
                (QualifiedName::new("public", "idx_ledger_posted"), scans),
                (QualifiedName::new("public", "ledger_pkey"), 0),
            ]
            .into_iter()
            .collect(),
        });
        catalog
    }

    fn unused(live: &Catalog) -> Vec<Finding> {
        let inputs = Inputs {
            specs: None,
            contracts: None,
            mapping: None,
            live: Some(live),
            row_samples: None,
            min_stats_age_days: 7,
            default_schema: "public",
        };
        let mut outcome = Outcome::default();
        check_unused(&inputs, &mut outcome);
        outcome.findings
    }

    #[test]
    fn unused_index_reports_zero_scans_with_the_statistics_age_and_exempts_constraints() {
        let old = unused(&live_with_scans(0, Some("2026-10-18T00:00:00+00:00")));
        assert_eq!(old.len(), 1, "the primary key index is exempt: {old:?}");
        assert_eq!(old[0].object, "public.idx_ledger_posted");
        assert_eq!(old[0].severity, Severity::Warning);
        assert!(old[0].message.contains("41 days"), "{}", old[0].message);

        let young = unused(&live_with_scans(0, Some("2026-11-25T00:00:00+00:00")));
        assert_eq!(
            young[0].severity,
            Severity::Info,
            "3 days of statistics is only a hint"
        );

        assert!(unused(&live_with_scans(12, Some("2026-10-18T00:00:00+00:00"))).is_empty());
        let never_reset = unused(&live_with_scans(0, None));
        assert_eq!(never_reset[0].severity, Severity::Warning);
    }

    #[test]
    fn a_partial_index_on_non_null_keys_serves_the_foreign_key() {
        let columns = BTreeSet::from(["a", "b"]);
        let serves =
            |form: &str| serves_every_reference(Some(&Canonical::Form(form.into())), &columns);
        assert!(serves_every_reference(None, &columns));
        assert!(serves("a IS NOT NULL"));
        assert!(serves("(a IS NOT NULL) AND (b IS NOT NULL)"));
        assert!(!serves("closed_at IS NULL"));
        assert!(!serves("(a IS NOT NULL) AND (c > 0)"));
        assert!(!serves("(a IS NOT NULL) OR (b IS NOT NULL)"));
        assert!(!serves_every_reference(
            Some(&Canonical::Undecided(crate::model::Undecided::TooComplex {
                what: "expression",
                reason: "too large".into(),
            })),
            &columns
        ));
    }
}
