//! `view-definition-drift`: a view's or materialized view's query differs.

use crate::checks::drift::definition_finding;
use crate::checks::drift::{fix, Drift};
use crate::diff::Change;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `view-definition-drift`.
pub static VIEW_DEFINITION_DRIFT: Rule = Rule {
    id: "view-definition-drift",
    family: Family::Drift,
    default_severity: Severity::Error,
    summary: "A view's or materialized view's body differs",
    object_kind: ObjectKind::Relation,
    needs_live: true,
    docs: "\
## What it does
Compares view and materialized-view bodies after normalizing both (the server's
`pg_get_viewdef` adds casts, qualifies columns and drops `AS` before aliases). When the
bodies differ only in ways normalization cannot settle — the qualification of columns in a
join, or a `*` that the server expands into the column list — the finding is info: equal
or not could not be decided.

## Why it matters
A read model whose query differs from the spec serves other values than the contracts were
checked against.

## Example
The spec divides `sum(revenue_cents) / 100.0`, the database's materialized view does not.
The finding's fix: the spec's `CREATE OR REPLACE VIEW`; a materialized view is dropped and
created again with its indexes, privileges and comments (its rows are computed again).",
};
register_rule!(VIEW_DEFINITION_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        let finding = match change {
            Change::ViewDefinitionChanged { difference, .. } => {
                let kind = spec_relation.map_or("view", |found| found.kind.describe());
                definition_finding(
                    &VIEW_DEFINITION_DRIFT,
                    ObjectPath::relation(relation),
                    &format!("{kind} {relation}"),
                    difference,
                )
                .at(relation_location)
                .fix(
                    spec_relation
                        .filter(|_| difference.comparison.is_decided())
                        .and_then(fix::replace_view),
                )
            }
            _ => continue,
        };
        findings.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::Scenario;

    const TABLE: &str = "CREATE TABLE t (a integer, b text);";

    #[test]
    fn the_fix_script_replaces_a_view_and_creates_a_materialized_view_again() {
        let fixed = Scenario::specs(&format!(
            "{TABLE}
            CREATE VIEW v AS SELECT a, b FROM t WHERE a > 0;
            CREATE MATERIALIZED VIEW mv AS SELECT a, count(*) AS n FROM t GROUP BY a;
            CREATE UNIQUE INDEX uq_mv_a ON mv (a);
            GRANT SELECT ON mv TO app_user;
            COMMENT ON MATERIALIZED VIEW mv IS 'counts';
            COMMENT ON COLUMN mv.n IS 'rows';"
        ))
        .live(&format!(
            "{TABLE}
            CREATE VIEW v AS SELECT a, b FROM t WHERE a > 1;
            CREATE MATERIALIZED VIEW mv AS SELECT a, count(*) AS n FROM t WHERE a > 0 GROUP BY a;
            CREATE UNIQUE INDEX uq_mv_a ON mv (a);
            GRANT SELECT ON mv TO app_user;
            COMMENT ON MATERIALIZED VIEW mv IS 'counts';
            COMMENT ON COLUMN mv.n IS 'rows';"
        ))
        .fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&[]);
    }
}
