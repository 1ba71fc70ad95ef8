//! The `drift` family: the specs against the live database (or a snapshot). The typed
//! change list comes from [`crate::diff`], computed once per run; each rule file turns the
//! changes it owns into findings with the object path, expected and actual values, the
//! spec location and, for definitions, a unified diff.

pub(crate) mod fix;
mod layout;

#[cfg(test)]
mod tests;

include!(concat!(env!("OUT_DIR"), "/rules_drift.rs"));

use super::{Inputs, Outcome};
use crate::diff::{diff, diff_objects, Change, Comparison, DiffOptions, Difference, ObjectChange};
use crate::finding::{Finding, ObjectPath, Severity};
use crate::model::{
    Catalog, Location, QualifiedName, Relation, SettledObject, Settlement, SpecProblemKind, Specs,
    Verdict,
};
use crate::rules::{ObjectKind, Rule};
use linkme::distributed_slice;
use similar::TextDiff;
use std::collections::{BTreeMap, BTreeSet};

/// How the absent side of a missing or unexpected object is shown.
pub(crate) const ABSENT: &str = "absent";

/// What the drift rules look at.
pub(crate) struct Drift<'a> {
    /// The catalog the specs define.
    pub spec: &'a Catalog,
    /// The live catalog.
    pub live: &'a Catalog,
    /// Every difference between the two, in the schemas compared.
    pub changes: &'a [Change],
    /// Every difference in schema-level objects (types, functions, sequences,
    /// extensions).
    pub objects: &'a [ObjectChange],
    /// Relations a spec statement that did not parse may define or alter, with the
    /// statement's location: not compared.
    pub not_compared: &'a [(QualifiedName, Location)],
}

/// A drift rule's finder.
pub(crate) type Finder = fn(&Drift, &mut Vec<Finding>);

/// Every drift rule's finder.
#[distributed_slice]
pub(crate) static DRIFT_FINDERS: [Finder];

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
    let settled = inputs
        .probes
        .map_or(&[][..], |results| results.settlements.as_slice());
    outcome.findings.extend(findings_settled(
        specs,
        live,
        inputs.default_schema,
        settled,
    ));
}

/// Every drift finding of `live` against the specs. The schemas compared are those the
/// live catalog was read from (its `schemas`) and `default_schema`.
pub fn drift_findings<'a>(
    specs: impl Into<Specs<'a>>,
    live: &Catalog,
    default_schema: &str,
) -> Vec<Finding> {
    findings_settled(specs.into(), live, default_schema, &[])
}

/// The drift findings, with the undecided comparisons that `--probe` settled by trying
/// both definitions in the scratch database (`settled`) judged by what that showed: the
/// same behaviour drops the comparison, a different one makes it certain, with the value
/// as evidence; one that could not be tried stays undecided and says why.
fn findings_settled(
    specs: Specs,
    live: &Catalog,
    default_schema: &str,
    settled: &[Settlement],
) -> Vec<Finding> {
    let unparsed = unparsed_relations(specs);
    let mut schemas: BTreeSet<String> = live.schemas.keys().cloned().collect();
    schemas.insert(default_schema.to_string());
    let options = DiffOptions {
        schemas,
        default_schema: default_schema.to_string(),
        skipped_relations: unparsed.keys().cloned().collect(),
    };
    let changes: Vec<Change> = diff(specs.catalog, live, &options)
        .into_iter()
        .filter_map(|change| apply_settlement(change, settled))
        .collect();
    let objects = diff_objects(specs.catalog, live, &options);
    let not_compared: Vec<(QualifiedName, Location)> = unparsed
        .into_iter()
        .filter(|(relation, _)| options.schemas.contains(&relation.schema))
        .collect();
    let drift = Drift {
        spec: specs.catalog,
        live,
        changes: &changes,
        objects: &objects,
        not_compared: &not_compared,
    };
    let mut findings = Vec::new();
    for finder in DRIFT_FINDERS {
        finder(&drift, &mut findings);
    }
    findings
}

/// `change` as the settlement of its undecided comparison leaves it: gone when both
/// definitions behaved the same, certain when they did not, still undecided (saying why)
/// when they could not be tried.
fn apply_settlement(mut change: Change, settled: &[Settlement]) -> Option<Change> {
    let relation = change.relation().clone();
    let (object, difference) = match &mut change {
        Change::ConstraintChanged {
            constraint,
            difference,
            ..
        } => (SettledObject::Constraint(constraint.clone()), difference),
        Change::DefaultChanged {
            column, difference, ..
        } => (SettledObject::Column(column.clone()), difference),
        Change::IndexChanged {
            index, difference, ..
        } => (SettledObject::Index(index.clone()), difference),
        _ => return Some(change),
    };
    let Comparison::Undecided { reason } = &difference.comparison else {
        return Some(change);
    };
    let Some(settlement) = settled.iter().find(|settlement| {
        settlement.relation == relation
            && settlement.object == object
            && settlement.property == difference.property
    }) else {
        return Some(change);
    };
    difference.comparison = match &settlement.verdict {
        Verdict::Same { .. } => return None,
        Verdict::Differs { evidence } => Comparison::Behaviour {
            evidence: evidence.clone(),
        },
        Verdict::Unsettled { reason: why } => Comparison::Undecided {
            reason: format!(
                "{reason}; trying both definitions in the scratch database did not settle it: {why}"
            ),
        },
    };
    Some(change)
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

impl Drift<'_> {
    /// The relation of that name on both sides.
    pub(crate) fn both(&self, name: &QualifiedName) -> Option<(&Relation, &Relation)> {
        self.spec
            .relations
            .get(name)
            .zip(self.live.relations.get(name))
    }

    /// A column's spec location, else its relation's.
    pub(crate) fn column_location<'r>(
        &self,
        relation: Option<&'r Relation>,
        column: &str,
    ) -> Option<&'r Location> {
        member_location(relation, |found| {
            found.column(column).and_then(|it| it.location.as_ref())
        })
    }

    /// A constraint's spec location, else its relation's.
    pub(crate) fn constraint_location<'r>(
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

    /// A trigger's spec location, else its relation's.
    pub(crate) fn trigger_location<'r>(
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
}

/// A member's location, else its relation's.
pub(crate) fn member_location<'r>(
    relation: Option<&'r Relation>,
    member: impl Fn(&'r Relation) -> Option<&'r Location>,
) -> Option<&'r Location> {
    relation.and_then(|found| member(found).or(found.location.as_ref()))
}

/// A finding for a differing property of a definition: certain differences at the
/// rule's severity, undecided ones as info; a unified diff of the canonical texts (or,
/// when undecided, of the texts as written).
pub(crate) fn definition_finding(
    rule: &'static Rule,
    object: ObjectPath,
    subject: &str,
    difference: &Difference,
) -> Finding {
    let property = difference.property;
    let finding = match &difference.comparison {
        Comparison::Values => Finding::new(
            rule,
            object.clone(),
            format!("{subject} differs between the specs and the database in its {property}"),
        ),
        Comparison::Normalized { expected, actual } => Finding::new(
            rule,
            object.clone(),
            format!("{subject} differs between the specs and the database in its {property}"),
        )
        .diff(unified_diff(expected, actual)),
        Comparison::Behaviour { evidence } => Finding::new(
            rule,
            object.clone(),
            format!(
                "{subject} differs between the specs and the database in its {property}: \
                 {evidence} (both definitions tried in the scratch database)"
            ),
        )
        .diff(unified_diff(&difference.expected, &difference.actual)),
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

/// `spec` → `live` unified diff of two texts line by line as written (function bodies,
/// whose lines mean something to whoever wrote them).
pub(crate) fn line_diff(expected: &str, actual: &str) -> String {
    let with_newline = |text: &str| {
        let mut text = text.trim_matches('\n').to_string();
        text.push('\n');
        text
    };
    let (expected, actual) = (with_newline(expected), with_newline(actual));
    TextDiff::from_lines(&expected, &actual)
        .unified_diff()
        .header("spec", "live")
        .to_string()
}

/// The object path of a schema-level object: `schema.name` (an extension: its name).
pub(crate) fn object_path(object: &crate::diff::SchemaObject, kind: ObjectKind) -> ObjectPath {
    use crate::diff::SchemaObject;
    match object {
        SchemaObject::Extension(name) => ObjectPath::other(name.clone()).of_kind(kind),
        SchemaObject::Function {
            name, arguments, ..
        } => ObjectPath::relation(&QualifiedName::new(
            name.schema.clone(),
            format!("{}({})", name.name, arguments.join(", ")),
        ))
        .of_kind(kind),
        SchemaObject::Enum(name) | SchemaObject::Domain(name) | SchemaObject::Sequence(name) => {
            ObjectPath::relation(name).of_kind(kind)
        }
    }
}

/// PRODUCT.md names indexes by schema and index name (index names are unique per schema).
pub(crate) fn index_path(relation: &QualifiedName, index: &str) -> ObjectPath {
    ObjectPath::relation(&QualifiedName::new(relation.schema.clone(), index))
        .of_kind(ObjectKind::Index)
}
