//! `redundant-index`: an index that is a left prefix of another.

use crate::checks::index_plan::IndexPlan;
use crate::checks::index_plan::{index_path, key_shape, own_schema_text, KeyShape};
use crate::checks::Side;
use crate::finding::Finding;
use crate::model::{Index, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `redundant-index`.
pub static REDUNDANT_INDEX: Rule = Rule {
    id: "redundant-index",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "A non-unique index is a left prefix of another index with the same predicate",
    object_kind: ObjectKind::Index,
    needs_live: false,
    docs: "\
## What it does
Reports a non-unique index whose keys (columns or expressions, with direction, operator
class and collation) are a left prefix of — or equal to — another index's keys on the same
table, with the same method and the same predicate, when the other index also holds every
`INCLUDE` column of the first (as a key or an `INCLUDE` column), in the specs and (with a
live database or snapshot) in the database.

## Why it matters
The longer index serves every query the shorter one does; the shorter one only costs writes.
An index with `INCLUDE` columns the other lacks serves index-only scans the other cannot,
and one with another operator class (`text_pattern_ops`) or collation serves other
operators or another order: neither is redundant.

## Example
```sql
CREATE INDEX idx_alloc_tenant ON attribution_allocations (tenant_id);
CREATE INDEX idx_alloc_tenant_model ON attribution_allocations (tenant_id, model_version);
```
Fix: drop `idx_alloc_tenant`.",
};
register_rule!(REDUNDANT_INDEX);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    let Some(judged) = plan.judged else {
        return;
    };
    for relation in judged.catalog.relations.values() {
        check_redundant(relation, judged.side, findings);
    }
}

/// A key's shape with its non-default operator class and collation
/// ([`crate::model::IndexKey::non_default_options`]).
type KeyWithOptions = (KeyShape, (Option<String>, Option<String>));

/// An index in comparable form: its keys (with their non-default operator class and
/// collation) and its predicate.
struct Shape<'a> {
    index: &'a Index,
    keys: Vec<KeyWithOptions>,
    predicate: Option<String>,
}

impl Shape<'_> {
    /// Whether `self` serves every query `shorter` does: same method and predicate,
    /// `shorter`'s keys a left prefix of its own, and `shorter`'s `INCLUDE` columns held.
    fn serves(&self, shorter: &Shape<'_>) -> bool {
        self.index.method == shorter.index.method
            && self.predicate == shorter.predicate
            && self.keys.len() >= shorter.keys.len()
            && self.keys[..shorter.keys.len()] == shorter.keys[..]
            && shorter
                .index
                .include
                .iter()
                .all(|column| self.holds(column))
    }

    /// Whether the index holds `column`, as a key or an `INCLUDE` column.
    fn holds(&self, column: &str) -> bool {
        self.index
            .keys
            .iter()
            .any(|key| key.column() == Some(column))
            || self.index.include.iter().any(|included| included == column)
    }
}

fn check_redundant(relation: &Relation, side: Side, findings: &mut Vec<Finding>) {
    let schema = relation.name.schema.as_str();
    let may_be_redundant =
        |index: &Index| !(index.unique || index.constraint.is_some() || index.keys.is_empty());
    if !relation
        .indexes
        .values()
        .any(|index| may_be_redundant(index))
    {
        return;
    }
    let shapes: Vec<Shape<'_>> = relation
        .indexes
        .values()
        .map(|index| Shape {
            index,
            keys: index
                .keys
                .iter()
                .map(|key| (key_shape(key), key.non_default_options()))
                .collect(),
            predicate: index.predicate.as_ref().map(own_schema_text),
        })
        .collect();
    for shape in &shapes {
        let index = shape.index;
        if !may_be_redundant(index) {
            continue;
        }
        // Of two indexes that serve each other (the same keys and columns), the one
        // whose name sorts first is kept.
        let covering = shapes.iter().find(|other| {
            other.index.name != index.name
                && other.serves(shape)
                && (other.index.unique
                    || other.index.constraint.is_some()
                    || !shape.serves(other)
                    || other.index.name < index.name)
        });
        if let Some(Shape { index: other, .. }) = covering {
            findings.push(
                Finding::new(
                    &REDUNDANT_INDEX,
                    index_path(&QualifiedName::new(schema, index.name.clone())),
                    format!(
                        "index {} is a left prefix of {} on {}{} (same method and predicate)",
                        index.name,
                        other.name,
                        relation.name,
                        side.suffix()
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

#[cfg(test)]
mod tests {

    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_left_prefix_of_another_index_is_redundant() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid, posted_at timestamptz);
             CREATE INDEX idx_ledger_tenant ON ledger (tenant_id);
             CREATE INDEX idx_ledger_tenant_posted ON ledger (tenant_id, posted_at);
             CREATE INDEX idx_ledger_posted_partial ON ledger (posted_at) WHERE tenant_id IS NULL;
             CREATE INDEX idx_ledger_posted ON ledger (posted_at);",
        )
        .findings_of(&REDUNDANT_INDEX);
        insta::assert_snapshot!(render(&findings));
    }

    #[test]
    fn an_index_with_columns_or_operators_the_other_lacks_is_not_redundant() {
        // As real schemas have them: a covering index beside the primary key on the same
        // column (lago's `billable_metrics`), a pattern-ops index beside a plain one.
        let findings = Scenario::specs(
            "CREATE TABLE metrics (id uuid PRIMARY KEY, code text, kind int, name text, tag text);
             CREATE INDEX idx_metrics_id_kind ON metrics USING btree (id) INCLUDE (kind);
             CREATE INDEX idx_metrics_code ON metrics (code);
             CREATE INDEX idx_metrics_code_pattern ON metrics (code text_pattern_ops);
             CREATE INDEX idx_metrics_code_c ON metrics (code COLLATE \"C\");
             CREATE INDEX idx_metrics_name_kind ON metrics (name) INCLUDE (kind);
             CREATE INDEX idx_metrics_name_code ON metrics (name) INCLUDE (code);
             CREATE INDEX idx_metrics_kind_name ON metrics (kind) INCLUDE (name);
             CREATE INDEX idx_metrics_kind_name_2 ON metrics (kind, name);
             CREATE INDEX idx_metrics_tag_a ON metrics (tag) INCLUDE (code, name);
             CREATE INDEX idx_metrics_tag_b ON metrics (tag) INCLUDE (name, code);",
        )
        .findings_of(&REDUNDANT_INDEX);
        let mut redundant: Vec<(&str, &str)> = findings
            .iter()
            .map(|finding| {
                (
                    finding.object.as_str(),
                    finding.expected.as_deref().unwrap_or_default(),
                )
            })
            .collect();
        redundant.sort_unstable();
        assert_eq!(
            redundant,
            [
                // Its INCLUDE column is a key of the other.
                (
                    "public.idx_metrics_kind_name",
                    "public.idx_metrics_kind_name_2"
                ),
                // The same keys and columns: the first name is kept.
                ("public.idx_metrics_tag_b", "public.idx_metrics_tag_a"),
            ]
        );
    }
}
