//! The `drift` family: the specs against the live database (or a snapshot). The typed
//! change list comes from [`crate::diff`]; this file turns each change into a finding
//! with the object path, expected and actual values, the spec location and, for
//! definitions, a unified diff.

mod layout;
mod rules;

pub use rules::*;

#[cfg(test)]
mod tests;

use super::{Inputs, Outcome, Rule};
use crate::diff::{diff, Change, CommentTarget, Comparison, DiffOptions, Difference, RlsState};
use crate::finding::{Finding, Severity};
use crate::model::{Catalog, Location, QualifiedName, Relation, SpecProblemKind, Specs};
use similar::TextDiff;
use std::collections::{BTreeMap, BTreeSet};

/// How the absent side of a missing or unexpected object is shown.
const ABSENT: &str = "absent";

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    let Some(live) = inputs.live else {
        outcome
            .skipped
            .push("drift: no live database or snapshot".into());
        return;
    };
    let Some(specs) = inputs.specs else {
        outcome
            .skipped
            .push("drift: no specs to compare the database with".into());
        return;
    };
    outcome
        .findings
        .extend(drift_findings(specs, live, inputs.default_schema));
}

/// Every drift finding of `live` against the specs. The schemas compared are those the
/// live catalog was read from (its `schemas`) and `default_schema`.
pub fn drift_findings<'a>(
    specs: impl Into<Specs<'a>>,
    live: &Catalog,
    default_schema: &str,
) -> Vec<Finding> {
    let specs = specs.into();
    let unparsed = unparsed_relations(specs);
    let mut schemas: BTreeSet<String> = live.schemas.keys().cloned().collect();
    schemas.insert(default_schema.to_string());
    let options = DiffOptions {
        schemas,
        default_schema: default_schema.to_string(),
        skipped_relations: unparsed.keys().cloned().collect(),
    };
    let builder = FindingBuilder {
        spec: specs.catalog,
        live,
    };
    let mut findings: Vec<Finding> = diff(specs.catalog, live, &options)
        .iter()
        .map(|change| builder.finding(change))
        .collect();
    for (relation, location) in &unparsed {
        if !options.schemas.contains(&relation.schema) {
            continue;
        }
        findings.push(
            Finding::new(
                &MISSING_RELATION,
                relation.to_string(),
                format!(
                    "{relation} was not compared with the database: the spec statement at \
                     {location}, which did not parse, may define or alter it"
                ),
            )
            .severity(Severity::Info)
            .at(Some(location))
            .hint("fix the statement (see spec-parse-error) so the comparison is complete"),
        );
    }
    findings
}

/// Relations that a statement which failed to parse may define or alter, with the
/// location of the first such statement.
fn unparsed_relations(specs: Specs) -> BTreeMap<QualifiedName, Location> {
    let mut relations = BTreeMap::new();
    for problem in specs.problems {
        if let SpecProblemKind::ParseError {
            defines: Some(relation),
            ..
        } = &problem.kind
        {
            relations
                .entry(relation.clone())
                .or_insert_with(|| problem.location.clone());
        }
    }
    relations
}

/// Builds findings, looking up spec locations and live facts.
struct FindingBuilder<'a> {
    spec: &'a Catalog,
    live: &'a Catalog,
}

impl FindingBuilder<'_> {
    fn finding(&self, change: &Change) -> Finding {
        let relation = change.relation();
        let spec_relation = self.spec.relations.get(relation);
        let live_relation = self.live.relations.get(relation);
        let relation_location = spec_relation.and_then(|found| found.location.as_ref());
        match change {
            Change::RelationMissing { kind, .. } => Finding::new(
                &MISSING_RELATION,
                relation.to_string(),
                format!(
                    "{} {relation} is defined in the specs but missing from the database",
                    kind.describe()
                ),
            )
            .expected_actual(kind.describe(), ABSENT)
            .at(relation_location)
            .hint("apply its CREATE statement to the database, or remove it from the specs"),
            Change::RelationUnexpected { kind, .. } => Finding::new(
                &UNEXPECTED_RELATION,
                relation.to_string(),
                format!(
                    "{} {relation} exists in the database but not in the specs",
                    kind.describe()
                ),
            )
            .expected_actual(ABSENT, kind.describe())
            .hint("add it to the specs, or drop it from the database"),
            Change::RelationKindChanged {
                expected, actual, ..
            } => Finding::new(
                &MISSING_RELATION,
                relation.to_string(),
                format!(
                    "{relation} is a {} in the database, but the specs define a {}",
                    actual.describe(),
                    expected.describe()
                ),
            )
            .expected_actual(expected.describe(), actual.describe())
            .at(relation_location),
            Change::ColumnMissing { column, .. } => {
                let spec_column = spec_relation.and_then(|found| found.column(column));
                Finding::new(
                    &MISSING_COLUMN,
                    relation.child(column),
                    format!("column {column} of {relation} is missing from the database"),
                )
                .expected_actual(column_summary(spec_column), ABSENT)
                .at(spec_column
                    .and_then(|found| found.location.as_ref())
                    .or(relation_location))
            }
            Change::ColumnUnexpected { column, .. } => {
                let live_column = live_relation.and_then(|found| found.column(column));
                Finding::new(
                    &UNEXPECTED_COLUMN,
                    relation.child(column),
                    format!("column {column} of {relation} exists in the database but not in the specs"),
                )
                .expected_actual(ABSENT, column_summary(live_column))
            }
            Change::ColumnTypeChanged {
                column,
                expected,
                actual,
                ..
            } => Finding::new(
                &COLUMN_TYPE_DRIFT,
                relation.child(column),
                format!("column {column} of {relation} is {actual} in the database, {expected} in the specs"),
            )
            .expected_actual(expected.to_string(), actual.to_string())
            .at(self.column_location(spec_relation, column)),
            Change::NullabilityChanged {
                column,
                expected_not_null,
                ..
            } => {
                let says = |not_null: bool| if not_null { "NOT NULL" } else { "nullable" };
                Finding::new(
                    &NULLABILITY_DRIFT,
                    relation.child(column),
                    format!(
                        "column {column} of {relation} is {} in the database, {} in the specs",
                        says(!expected_not_null),
                        says(*expected_not_null)
                    ),
                )
                .expected_actual(says(*expected_not_null), says(!expected_not_null))
                .at(self.column_location(spec_relation, column))
            }
            Change::DefaultChanged {
                column, difference, ..
            } => definition_finding(
                &DEFAULT_DRIFT,
                relation.child(column),
                &format!("column {column} of {relation}"),
                difference,
            )
            .at(self.column_location(spec_relation, column)),
            Change::IndexMissing { index, .. } => Finding::new(
                &MISSING_INDEX,
                index_path(relation, index),
                format!("index {index} on {relation} is missing from the database"),
            )
            .expected_actual("index", ABSENT)
            .at(member_location(spec_relation, |found| {
                found.indexes.get(index).and_then(|it| it.location.as_ref())
            })),
            Change::IndexUnexpected { index, .. } => Finding::new(
                &UNEXPECTED_INDEX,
                index_path(relation, index),
                format!("index {index} on {relation} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "index"),
            Change::IndexChanged {
                index, difference, ..
            } => definition_finding(
                &INDEX_DEFINITION_DRIFT,
                index_path(relation, index),
                &format!("index {index} on {relation}"),
                difference,
            )
            .at(member_location(spec_relation, |found| {
                found.indexes.get(index).and_then(|it| it.location.as_ref())
            })),
            Change::ConstraintMissing { constraint, .. } => {
                let kind = spec_relation
                    .and_then(|found| found.constraints.get(constraint))
                    .map_or("constraint", |found| found.kind.describe());
                Finding::new(
                    &MISSING_CONSTRAINT,
                    relation.child(constraint),
                    format!("{kind} constraint {constraint} of {relation} is missing from the database"),
                )
                .expected_actual(kind, ABSENT)
                .at(self.constraint_location(spec_relation, constraint))
            }
            Change::ConstraintUnexpected { constraint, .. } => {
                let kind = live_relation
                    .and_then(|found| found.constraints.get(constraint))
                    .map_or("constraint", |found| found.kind.describe());
                Finding::new(
                    &UNEXPECTED_CONSTRAINT,
                    relation.child(constraint),
                    format!("{kind} constraint {constraint} of {relation} exists in the database but not in the specs"),
                )
                .expected_actual(ABSENT, kind)
            }
            Change::ConstraintChanged {
                constraint,
                difference,
                ..
            } => definition_finding(
                &CONSTRAINT_DRIFT,
                relation.child(constraint),
                &format!("constraint {constraint} of {relation}"),
                difference,
            )
            .at(self.constraint_location(spec_relation, constraint)),
            Change::RlsChanged {
                expected, actual, ..
            } => Finding::new(
                &RLS_DRIFT,
                relation.to_string(),
                format!(
                    "row-level security on {relation} is {} in the database, {} in the specs",
                    rls_words(*actual),
                    rls_words(*expected)
                ),
            )
            .expected_actual(rls_words(*expected), rls_words(*actual))
            .at(relation_location),
            Change::PolicyMissing { policy, .. } => Finding::new(
                &MISSING_POLICY,
                relation.child(policy),
                format!("policy {policy} on {relation} is missing from the database"),
            )
            .expected_actual("policy", ABSENT)
            .at(member_location(spec_relation, |found| {
                found.policies.get(policy).and_then(|it| it.location.as_ref())
            })),
            Change::PolicyUnexpected { policy, .. } => Finding::new(
                &UNEXPECTED_POLICY,
                relation.child(policy),
                format!("policy {policy} on {relation} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "policy"),
            Change::PolicyChanged {
                policy, difference, ..
            } => definition_finding(
                &POLICY_DRIFT,
                relation.child(policy),
                &format!("policy {policy} on {relation}"),
                difference,
            )
            .at(member_location(spec_relation, |found| {
                found.policies.get(policy).and_then(|it| it.location.as_ref())
            })),
            Change::GrantMissing {
                grantee, privilege, ..
            } => Finding::new(
                &GRANT_DRIFT,
                relation.to_string(),
                format!("{privilege} on {relation} to {grantee} is granted in the specs but not in the database"),
            )
            .expected_actual(format!("{privilege} to {grantee}"), ABSENT)
            .at(member_location(spec_relation, |found| {
                found
                    .grants
                    .iter()
                    .find(|grant| &grant.grantee == grantee && grant.privilege.eq_ignore_ascii_case(privilege))
                    .and_then(|grant| grant.location.as_ref())
            }))
            .hint(format!("GRANT {privilege} ON {relation} TO {grantee}")),
            Change::GrantUnexpected {
                grantee, privilege, ..
            } => Finding::new(
                &GRANT_DRIFT,
                relation.to_string(),
                format!("{privilege} on {relation} to {grantee} is granted in the database but not in the specs"),
            )
            .expected_actual(ABSENT, format!("{privilege} to {grantee}"))
            .at(relation_location)
            .hint(format!("REVOKE {privilege} ON {relation} FROM {grantee}, or grant it in the specs")),
            Change::TriggerMissing { trigger, .. } => Finding::new(
                &MISSING_TRIGGER,
                relation.child(trigger),
                format!("trigger {trigger} on {relation} is missing from the database"),
            )
            .expected_actual("trigger", ABSENT)
            .at(self.trigger_location(spec_relation, trigger)),
            Change::TriggerUnexpected { trigger, .. } => Finding::new(
                &UNEXPECTED_TRIGGER,
                relation.child(trigger),
                format!("trigger {trigger} on {relation} exists in the database but not in the specs"),
            )
            .expected_actual(ABSENT, "trigger"),
            Change::TriggerChanged {
                trigger,
                difference,
                ..
            } => definition_finding(
                &MISSING_TRIGGER,
                relation.child(trigger),
                &format!("trigger {trigger} on {relation}"),
                difference,
            )
            .at(self.trigger_location(spec_relation, trigger)),
            Change::ViewDefinitionChanged { difference, .. } => {
                let kind = spec_relation.map_or("view", |found| found.kind.describe());
                definition_finding(
                    &VIEW_DEFINITION_DRIFT,
                    relation.to_string(),
                    &format!("{kind} {relation}"),
                    difference,
                )
                .at(relation_location)
            }
            Change::CommentChanged {
                target,
                expected,
                actual,
                ..
            } => {
                let (object, location) = self.comment_target(relation, spec_relation, target);
                let shown = |text: &Option<String>| {
                    text.as_ref()
                        .map_or_else(|| "(no comment)".to_string(), |text| format!("'{text}'"))
                };
                Finding::new(
                    &COMMENT_DRIFT,
                    object.clone(),
                    format!("the comment on {object} differs between the specs and the database"),
                )
                .expected_actual(shown(expected), shown(actual))
                .at(location.or(relation_location))
            }
        }
    }

    fn column_location<'r>(
        &self,
        relation: Option<&'r Relation>,
        column: &str,
    ) -> Option<&'r Location> {
        member_location(relation, |found| {
            found.column(column).and_then(|it| it.location.as_ref())
        })
    }

    fn constraint_location<'r>(
        &self,
        relation: Option<&'r Relation>,
        constraint: &str,
    ) -> Option<&'r Location> {
        member_location(relation, |found| {
            found
                .constraints
                .get(constraint)
                .and_then(|it| it.location.as_ref())
        })
    }

    fn trigger_location<'r>(
        &self,
        relation: Option<&'r Relation>,
        trigger: &str,
    ) -> Option<&'r Location> {
        member_location(relation, |found| {
            found
                .triggers
                .get(trigger)
                .and_then(|it| it.location.as_ref())
        })
    }

    /// The object path of a comment's target and its spec location.
    fn comment_target<'r>(
        &self,
        name: &QualifiedName,
        relation: Option<&'r Relation>,
        target: &CommentTarget,
    ) -> (String, Option<&'r Location>) {
        match target {
            CommentTarget::Relation => (name.to_string(), None),
            CommentTarget::Column(column) => {
                (name.child(column), self.column_location(relation, column))
            }
            CommentTarget::Index(index) => (
                index_path(name, index),
                member_location(relation, |found| {
                    found.indexes.get(index).and_then(|it| it.location.as_ref())
                }),
            ),
            CommentTarget::Constraint(constraint) => (
                name.child(constraint),
                self.constraint_location(relation, constraint),
            ),
            CommentTarget::Policy(policy) => (
                name.child(policy),
                member_location(relation, |found| {
                    found
                        .policies
                        .get(policy)
                        .and_then(|it| it.location.as_ref())
                }),
            ),
            CommentTarget::Trigger(trigger) => (
                name.child(trigger),
                self.trigger_location(relation, trigger),
            ),
        }
    }
}

/// A member's location, else its relation's.
fn member_location<'r>(
    relation: Option<&'r Relation>,
    member: impl Fn(&'r Relation) -> Option<&'r Location>,
) -> Option<&'r Location> {
    relation.and_then(|found| member(found).or(found.location.as_ref()))
}

/// A finding for a differing property of a definition: certain differences at the
/// rule's severity, undecided ones as info; a unified diff of the canonical texts (or,
/// when undecided, of the texts as written).
fn definition_finding(
    rule: &Rule,
    object: String,
    subject: &str,
    difference: &Difference,
) -> Finding {
    let property = difference.property;
    let finding = match &difference.comparison {
        Comparison::Values => Finding::new(
            rule,
            object,
            format!("{subject} differs between the specs and the database in its {property}"),
        ),
        Comparison::Normalized { expected, actual } => Finding::new(
            rule,
            object,
            format!("{subject} differs between the specs and the database in its {property}"),
        )
        .diff(unified_diff(expected, actual)),
        Comparison::Undecided { reason } => Finding::new(
            rule,
            object,
            format!(
                "{subject} is written differently in the specs and the database in its \
                 {property}, and pgparity could not decide whether it means the same ({reason})"
            ),
        )
        .severity(Severity::Info)
        .diff(unified_diff(&difference.expected, &difference.actual)),
    };
    finding.expected_actual(difference.expected.clone(), difference.actual.clone())
}

/// `spec` → `live` unified diff, one clause per line.
fn unified_diff(expected: &str, actual: &str) -> String {
    let with_newline = |text: &str| {
        let mut text = text.trim_end().to_string();
        text.push('\n');
        text
    };
    let (expected, actual) = (
        with_newline(&layout::one_clause_per_line(expected)),
        with_newline(&layout::one_clause_per_line(actual)),
    );
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .header("spec", "live")
        .to_string()
}

/// PRODUCT.md names indexes by schema and index name (index names are unique per schema).
fn index_path(relation: &QualifiedName, index: &str) -> String {
    QualifiedName::new(relation.schema.clone(), index).to_string()
}

fn column_summary(column: Option<&crate::model::Column>) -> String {
    match column {
        None => "column".into(),
        Some(column) => {
            let data_type = column
                .data_type
                .as_ref()
                .map_or_else(|| "(type unknown)".to_string(), ToString::to_string);
            if column.not_null {
                format!("{data_type} NOT NULL")
            } else {
                data_type
            }
        }
    }
}

fn rls_words(state: RlsState) -> &'static str {
    match (state.enabled, state.forced) {
        (true, true) => "enabled and forced",
        (true, false) => "enabled, not forced",
        (false, true) => "forced, not enabled",
        (false, false) => "disabled",
    }
}
