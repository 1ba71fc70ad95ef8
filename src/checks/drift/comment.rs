//! `comment-drift`: `COMMENT ON` text differs.

use crate::checks::drift::{fix, Drift};
use crate::checks::drift::{index_path, member_location};
use crate::diff::Change;
use crate::diff::CommentTarget;
use crate::finding::{Finding, ObjectPath};
use crate::model::{Location, QualifiedName, Relation};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `comment-drift`.
pub static COMMENT_DRIFT: Rule = Rule {
    id: "comment-drift",
    family: Family::Drift,
    default_severity: Severity::Info,
    summary: "A comment on a relation, column, index, constraint, policy or trigger differs",
    object_kind: ObjectKind::Relation,
    needs_live: true,
    docs: "\
## What it does
Compares `COMMENT ON` texts of relations and of the columns, indexes, constraints,
policies and triggers present on both sides (a comment on one side only is a difference).

## Why it matters
Comments are documentation: a different comment changes no behaviour, hence info by
default. It still means the database and the specs were edited separately, and tools that
read comments (schema browsers, generated docs) show the other text.

## Example
The spec's comment on `revenue_ledger.revenue_cents` says cents, the database's says
dollars. The finding's fix: `COMMENT ON COLUMN public.revenue_ledger.revenue_cents IS '…'`
with the spec's text (`IS NULL` when the specs have none).",
};
register_rule!(COMMENT_DRIFT);

crate::checks::finder!(super::DRIFT_FINDERS, find);

fn find(drift: &Drift, findings: &mut Vec<Finding>) {
    for change in drift.changes {
        let relation = change.relation();
        let spec_relation = drift.spec.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        let finding = match change {
            Change::CommentChanged {
                target,
                expected,
                actual,
                ..
            } => {
                let (object, location) = comment_target(drift, relation, spec_relation, target);
                let shown = |text: &Option<String>| {
                    text.as_ref()
                        .map_or_else(|| "(no comment)".to_string(), |text| format!("'{text}'"))
                };
                let message =
                    format!("the comment on {object} differs between the specs and the database");
                Finding::new(&COMMENT_DRIFT, object, message)
                    .expected_actual(shown(expected), shown(actual))
                    .at(location.or(relation_location))
                    .fix(
                        spec_relation.map(|table| fix::comment(table, target, expected.as_deref())),
                    )
            }
            _ => continue,
        };
        findings.push(finding);
    }
}

/// The object path of a comment's target and its spec location.
fn comment_target<'r>(
    drift: &Drift,
    name: &QualifiedName,
    relation: Option<&'r Relation>,
    target: &CommentTarget,
) -> (ObjectPath, Option<&'r Location>) {
    match target {
        CommentTarget::Relation => (ObjectPath::relation(name), None),
        CommentTarget::Column(column) => (
            ObjectPath::member(name, column).of_kind(ObjectKind::Column),
            drift.column_location(relation, column),
        ),
        CommentTarget::Index(index) => (
            index_path(name, index),
            member_location(relation, |found| {
                found.indexes.get(index).and_then(|it| it.location.as_ref())
            }),
        ),
        CommentTarget::Constraint(constraint) => (
            ObjectPath::member(name, constraint).of_kind(ObjectKind::Constraint),
            drift.constraint_location(relation, constraint),
        ),
        CommentTarget::Policy(policy) => (
            ObjectPath::member(name, policy).of_kind(ObjectKind::Policy),
            member_location(relation, |found| {
                found
                    .policies
                    .get(policy)
                    .and_then(|it| it.location.as_ref())
            }),
        ),
        CommentTarget::Trigger(trigger) => (
            ObjectPath::member(name, trigger).of_kind(ObjectKind::Trigger),
            drift.trigger_location(relation, trigger),
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::testing::Scenario;

    const OBJECTS: &str = "CREATE TABLE t (a integer CONSTRAINT ck_t_a CHECK (a > 0), b text);
        CREATE INDEX idx_t_b ON t (b);
        CREATE POLICY p ON t USING (true);
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE VIEW v AS SELECT a FROM t;";

    #[test]
    fn the_fix_script_sets_and_removes_comments_on_every_kind_of_object() {
        let fixed = Scenario::specs(&format!(
            "{OBJECTS}
            COMMENT ON TABLE t IS 'the table';
            COMMENT ON COLUMN t.a IS 'it''s a';
            COMMENT ON INDEX idx_t_b IS 'by b';
            COMMENT ON CONSTRAINT ck_t_a ON t IS 'positive';
            COMMENT ON POLICY p ON t IS 'all rows';
            COMMENT ON TRIGGER tr ON t IS 'touch';
            COMMENT ON VIEW v IS 'the view';"
        ))
        .live(&format!(
            "{OBJECTS}
            COMMENT ON TABLE t IS 'old';
            COMMENT ON COLUMN t.b IS 'not in the specs';"
        ))
        .fixed(false);
        insta::assert_snapshot!(fixed.script);
        fixed.assert_left(&[]);
    }
}
