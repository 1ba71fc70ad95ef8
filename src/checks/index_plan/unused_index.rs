//! `unused-index`: a live index with zero scans. It needs only the live catalog, so the
//! family runs it before (and without) the specs.

use crate::checks::index_plan::index_path;
use crate::checks::Inputs;
use crate::finding::Finding;
use crate::model::QualifiedName;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unused-index`.
pub static UNUSED_INDEX: Rule = Rule {
    id: "unused-index",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A live index has not been scanned since statistics were last reset",
    object_kind: ObjectKind::Index,
    needs_live: true,
    docs: "\
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
register_rule!(UNUSED_INDEX);

/// Reports live indexes with zero scans (PostgreSQL statistics), unless they enforce a
/// constraint or uniqueness.
pub(crate) fn unused_indexes(inputs: &Inputs, findings: &mut Vec<Finding>) {
    let Some(live) = inputs.live else {
        return;
    };
    let Some(statistics) = &live.index_statistics else {
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
            findings.push(
                Finding::new(
                    &UNUSED_INDEX,
                    index_path(&name),
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
    use crate::model::{
        Catalog, Index, IndexKey, IndexStatistics, IndexTarget, Relation, RelationKind,
    };

    fn live_with_scans(scans: u64, stats_reset: Option<&str>) -> Catalog {
        let table = QualifiedName::new("public", "ledger");
        let mut relation = Relation::new(table.clone(), RelationKind::Table, None);
        for (name, unique, constraint) in [
            ("idx_ledger_posted", false, None),
            ("ledger_pkey", true, Some("ledger_pkey")),
        ] {
            relation.indexes.insert(
                name.into(),
                Box::new(Index {
                    name: name.into(),
                    unique,
                    method: "btree".into(),
                    keys: vec![IndexKey::new(IndexTarget::Column("posted_at".into()))],
                    include: Vec::new(),
                    predicate: None,
                    nulls_not_distinct: false,
                    only: false,
                    constraint: constraint.map(str::to_string),
                    comment: None,
                    location: None,
                }),
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
            plan: None,
            live: Some(live),
            row_samples: None,
            probes: None,
            min_stats_age_days: 7,
            default_schema: "public",
            infer_read_models: true,
        };
        let mut findings = Vec::new();
        unused_indexes(&inputs, &mut findings);
        findings
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
}
