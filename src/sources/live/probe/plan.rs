//! The probes of one table, derived from the specs: NULL in every NOT NULL column, a
//! duplicate of every key, values beside every CHECK bound and list, an orphan reference
//! for every foreign key and the deletion of every referenced parent. Pure: each probe is
//! a list of SQL steps and the outcome the specs promise.

use super::sql::{quote_identifier, quote_literal, relation_sql};
use super::synth::{
    beside, foreign_keys, is_number, primary_key, Chain, Row, Synth, Variant, Wanted,
};
use crate::model::{
    Catalog, ConstraintKind, ForeignKeyAction, IndexTarget, Location, ProbeKind, QualifiedName,
    Relation,
};
use crate::sql::normalize::{
    check_bounds, column_orders, predicate_tree, Condition, Order, Predicate,
};
use std::collections::{BTreeMap, BTreeSet};

/// What a step is for, which decides what its failure means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StepKind {
    /// Makes what the probe needs (rows, a role, a setting): its failure skips the probe.
    Setup,
    /// A condition the probe needs (`SELECT <boolean>`): false or an error skips it.
    Require,
    /// The statement the probe tries.
    Probe,
    /// What must hold afterwards (`SELECT <boolean>`): false or an error fails the probe.
    Assert,
    /// Like [`StepKind::Assert`], but an error counts as holding (a query that cannot
    /// run shows no row).
    Quiet,
}

impl StepKind {
    /// The kind as the probe function reads it.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            StepKind::Setup => "setup",
            StepKind::Require => "require",
            StepKind::Probe => "probe",
            StepKind::Assert => "assert",
            StepKind::Quiet => "quiet",
        }
    }
}

/// One statement of a probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Step {
    pub kind: StepKind,
    pub sql: String,
    /// For conditions: what it means when the condition is false.
    pub note: String,
}

impl Step {
    pub(super) fn setup(sql: String) -> Step {
        Step {
            kind: StepKind::Setup,
            sql,
            note: String::new(),
        }
    }

    pub(super) fn probe(sql: String) -> Step {
        Step {
            kind: StepKind::Probe,
            sql,
            note: String::new(),
        }
    }

    pub(super) fn assert(sql: String, note: &str) -> Step {
        Step {
            kind: StepKind::Assert,
            sql,
            note: note.to_string(),
        }
    }

    pub(super) fn quiet(sql: String, note: &str) -> Step {
        Step {
            kind: StepKind::Quiet,
            sql,
            note: note.to_string(),
        }
    }

    pub(super) fn require(sql: String, note: &str) -> Step {
        Step {
            kind: StepKind::Require,
            sql,
            note: note.to_string(),
        }
    }
}

/// The outcome a probe expects of its statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Expect {
    /// Refused, with this SQLSTATE (any when `None`) and by this constraint (any when
    /// `None`).
    Refused {
        sqlstate: Option<String>,
        constraint: Option<String>,
    },
    /// Accepted (and every assertion after it true). A refusal by `constraint` is a
    /// failure; a refusal by something else is inconclusive. Without a constraint every
    /// refusal is a failure.
    Accepted { constraint: Option<String> },
}

impl Expect {
    fn refused(sqlstate: &str, constraint: Option<&str>) -> Expect {
        Expect::Refused {
            sqlstate: Some(sqlstate.to_string()),
            constraint: constraint.map(str::to_string),
        }
    }

    /// The expectation in words, for reports.
    pub(super) fn describe(&self) -> String {
        match self {
            Expect::Refused {
                sqlstate: Some(state),
                constraint,
            } => format!(
                "refused with {}{}",
                super::runner::with_name(state),
                constraint
                    .as_ref()
                    .map_or_else(String::new, |name| format!(" by {name}"))
            ),
            Expect::Refused { sqlstate: None, .. } => "refused".into(),
            Expect::Accepted { .. } => "accepted".into(),
        }
    }
}

/// What an accepted statement that changed no row means for a probe expecting a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NoRows {
    /// Accepted is accepted (an INSERT always changes a row).
    Fails,
    /// Nothing is proved: the row may not have been visible.
    Skips,
    /// The row was seen (a step before checked it) and not changed: as good as refused.
    Passes,
}

/// One probe ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Planned {
    pub kind: ProbeKind,
    pub relation: QualifiedName,
    pub member: Option<String>,
    /// What the probe shows when it passes.
    pub description: String,
    /// The statement tried, for reports.
    pub sql: String,
    pub steps: Vec<Step>,
    pub expect: Expect,
    /// A refusal with another SQLSTATE than the expected one is a failure (the mapping
    /// named it), not an inconclusive answer.
    pub exact_state: bool,
    /// What it means when a statement expected to be refused is accepted but changes no
    /// row (an UPDATE or DELETE that a policy let see no row).
    pub no_rows: NoRows,
    pub location: Option<Location>,
    /// Why it is not run, when it cannot be.
    pub skip: Option<String>,
    /// The probe inserts its own parent rows and must run without the rows the table's
    /// probes share (it alters tables those rows queued trigger events on).
    pub own_parents: bool,
    /// The same probe with the table's row made another way (nullable columns filled,
    /// the other end of its CHECK ranges), tried in turn while the probe is skipped:
    /// a row that another constraint refuses says nothing about this one.
    pub alternatives: Vec<Planned>,
}

/// What every probe of a table shares.
pub(super) struct Header<'a> {
    pub kind: ProbeKind,
    pub relation: &'a QualifiedName,
    pub member: Option<&'a str>,
    pub location: Option<&'a Location>,
}

impl Header<'_> {
    /// A probe of `steps` whose last `Probe` step is the statement reported.
    pub(super) fn planned(&self, description: String, steps: Vec<Step>, expect: Expect) -> Planned {
        let sql = steps
            .iter()
            .find(|step| step.kind == StepKind::Probe)
            .map(|step| step.sql.clone())
            .unwrap_or_default();
        Planned {
            kind: self.kind,
            relation: self.relation.clone(),
            member: self.member.map(str::to_string),
            description,
            sql,
            steps,
            expect,
            exact_state: false,
            no_rows: NoRows::Fails,
            location: self.location.cloned(),
            skip: None,
            own_parents: false,
            alternatives: Vec::new(),
        }
    }

    /// A probe that cannot run, and why.
    pub(super) fn skipped(&self, description: String, reason: String) -> Planned {
        Planned {
            skip: Some(reason),
            ..self.planned(
                description,
                Vec::new(),
                Expect::Accepted { constraint: None },
            )
        }
    }
}

/// Setup steps inserting every row of `chain` but the last, and the last row's INSERT
/// as the probe step.
fn insert_last(chain: &Chain, before: Vec<Step>, after: Vec<Step>) -> Vec<Step> {
    let inserts = chain.inserts();
    let mut steps = before;
    if let Some((last, parents)) = inserts.split_last() {
        steps.extend(parents.iter().cloned().map(Step::setup));
        steps.push(Step::probe(last.clone()));
    }
    steps.extend(after);
    steps
}

/// After an INSERT that should have been refused: the row holds the value the probe
/// gave `column` (else a BEFORE trigger changed it before the constraint saw it, and the
/// acceptance says nothing about the constraint).
fn stored(relation: &Relation, row: &Row, column: &str) -> Step {
    let mut identity: Vec<String> = primary_key(relation)
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| row.values.keys().cloned().collect());
    if !identity.iter().any(|name| name == column) {
        identity.push(column.to_string());
    }
    Step::require(
        format!(
            "SELECT EXISTS (SELECT 1 FROM {} WHERE {})",
            relation_sql(&relation.name),
            row.condition(&identity)
        ),
        "a BEFORE trigger changed the value before the constraint saw it, so the \
         constraint was not tried",
    )
}

/// `SET CONSTRAINTS name IMMEDIATE`: a deferrable constraint answers now.
fn immediately(relation: &QualifiedName, constraint: &str) -> Step {
    Step::probe(format!(
        "SET CONSTRAINTS {}.{} IMMEDIATE",
        quote_identifier(&relation.schema),
        quote_identifier(constraint)
    ))
}

/// Every probe of `relation`; their rows reuse the rows of `shared` (the parents of the
/// table's valid row, inserted once before the probes run) as parents.
pub(super) fn table_probes(
    synth: &mut Synth,
    catalog: &Catalog,
    relation: &Relation,
    shared: &Chain,
) -> Vec<Planned> {
    let mut probes = Vec::new();
    not_null_probes(synth, catalog, relation, shared, &mut probes);
    unique_probes(synth, relation, shared, &mut probes);
    check_probes(synth, relation, shared, &mut probes);
    exclusion_probes(synth, relation, shared, &mut probes);
    foreign_key_probes(synth, catalog, relation, shared, &mut probes);
    probes
}

fn not_null_probes(
    synth: &mut Synth,
    catalog: &Catalog,
    relation: &Relation,
    shared: &Chain,
    probes: &mut Vec<Planned>,
) {
    for column in &relation.columns {
        let domain_not_null = column
            .data_type
            .as_ref()
            .and_then(|data_type| catalog.domain_for(data_type, &relation.name.schema))
            .is_some_and(|domain| domain.not_null);
        if column.generated.is_some() || !(column.not_null || domain_not_null) {
            continue;
        }
        let header = Header {
            kind: ProbeKind::NotNull,
            relation: &relation.name,
            member: Some(&column.name),
            location: column.location.as_ref(),
        };
        let description = format!("NULL in {} is refused", column.name);
        let wanted = Wanted::fixed(BTreeMap::from([(column.name.clone(), None)]));
        let mut chain = Chain::sharing(shared);
        probes.push(match synth.row(&relation.name, &wanted, &mut chain) {
            Ok(row) => header.planned(
                description,
                insert_last(
                    &chain,
                    Vec::new(),
                    vec![stored(relation, &row, &column.name)],
                ),
                Expect::refused("23502", None),
            ),
            Err(reason) => header.skipped(description, reason),
        });
    }
}

/// A unique key to probe: its name (the constraint's, or the index's), columns, whether
/// it is deferrable, its predicate and where it is defined.
struct Key<'a> {
    name: &'a str,
    columns: Vec<String>,
    deferrable: bool,
    predicate: Option<&'a str>,
    location: Option<&'a Location>,
    /// The key's expressions, as written (`lower(email)`).
    expressions: Vec<&'a str>,
    /// A constraint (else a unique index).
    is_constraint: bool,
}

fn keys(relation: &Relation) -> Vec<Key<'_>> {
    let mut keys = Vec::new();
    for constraint in relation.constraints.values() {
        if let ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns, .. } =
            &constraint.kind
        {
            keys.push(Key {
                name: &constraint.name,
                columns: columns.clone(),
                deferrable: constraint.deferrable,
                predicate: None,
                location: constraint.location.as_ref(),
                expressions: Vec::new(),
                is_constraint: true,
            });
        }
    }
    for index in relation.indexes.values() {
        if !index.unique || index.constraint.is_some() {
            continue;
        }
        keys.push(Key {
            name: &index.name,
            columns: index
                .keys
                .iter()
                .filter_map(|key| match &key.target {
                    IndexTarget::Column(column) => Some(column.clone()),
                    IndexTarget::Expression(_) => None,
                })
                .collect(),
            deferrable: false,
            predicate: index.predicate.as_ref().map(|predicate| predicate.text()),
            location: index.location.as_ref(),
            expressions: index
                .keys
                .iter()
                .filter_map(|key| match &key.target {
                    IndexTarget::Expression(expression) => Some(expression.text()),
                    IndexTarget::Column(_) => None,
                })
                .collect(),
            is_constraint: false,
        });
    }
    keys
}

/// The fixed values and explicit columns that put a row inside (`inside`) or outside a
/// predicate; `None` when pgparity finds no such row.
fn predicate_row(
    synth: &mut Synth,
    relation: &Relation,
    predicate: &Predicate,
    inside: bool,
) -> Option<Wanted> {
    let mut wanted = Wanted::default();
    assign(synth, relation, predicate, inside, &mut wanted).then_some(wanted)
}

/// Fixes columns of `wanted` so that `predicate` is true (`want`), or definitely false:
/// `AND` false by its first part that can be made false (the others true), `OR` true by
/// its first part that can be made true. Leaves `wanted` as it was when it cannot.
fn assign(
    synth: &mut Synth,
    relation: &Relation,
    predicate: &Predicate,
    want: bool,
    wanted: &mut Wanted,
) -> bool {
    let mut attempt = wanted.clone();
    let done = match (predicate, want) {
        (Predicate::All(parts), true) | (Predicate::Any(parts), false) => parts
            .iter()
            .all(|part| assign(synth, relation, part, want, &mut attempt)),
        (Predicate::All(parts), false) | (Predicate::Any(parts), true) => {
            (0..parts.len()).any(|chosen| {
                let mut trial = wanted.clone();
                let ok = assign(synth, relation, &parts[chosen], want, &mut trial)
                    && parts
                        .iter()
                        .enumerate()
                        .filter(|(index, _)| *index != chosen)
                        .all(|(_, part)| {
                            // The others as they hold for an AND (true), or left alone.
                            !matches!(predicate, Predicate::All(_))
                                || assign(synth, relation, part, true, &mut trial)
                        });
                if ok {
                    attempt = trial;
                }
                ok
            })
        }
        (Predicate::Not(inner), _) => assign(synth, relation, inner, !want, &mut attempt),
        (Predicate::In(column, values), true) => match attempt.fixed.get(column) {
            Some(Some(value)) => values.contains(value),
            Some(None) => false,
            None => values
                .first()
                .is_some_and(|value| fix(&mut attempt, column, Some(value.clone()))),
        },
        (Predicate::In(column, values), false) => {
            other_value(synth, relation, column, values, &mut attempt)
        }
        (Predicate::Condition(condition), _) => {
            leaf(synth, relation, condition, want, &mut attempt)
        }
    };
    if done {
        *wanted = attempt;
    }
    done
}

/// One simple condition made true (`want`) or false.
fn leaf(
    synth: &mut Synth,
    relation: &Relation,
    condition: &Condition,
    want: bool,
    wanted: &mut Wanted,
) -> bool {
    let column = condition.column().to_string();
    let not_null = relation
        .column(&column)
        .is_none_or(|definition| definition.not_null);
    match (condition, want) {
        (Condition::Equals(_, literal), true) => fix(wanted, &column, Some(literal.clone())),
        (Condition::Equals(_, literal), false) => other_value(
            synth,
            relation,
            &column,
            std::slice::from_ref(literal),
            wanted,
        ),
        (Condition::IsNull(_), true) | (Condition::IsNotNull(_), false) => {
            // A NOT NULL column is never NULL.
            !not_null && fix(wanted, &column, None)
        }
        (Condition::IsNotNull(_), true) | (Condition::IsNull(_), false) => {
            if wanted.fixed.get(&column).is_some_and(Option::is_none) {
                return false;
            }
            wanted.explicit.insert(column);
            true
        }
        (Condition::IsTrue(_), true) | (Condition::IsFalse(_), false) => {
            fix(wanted, &column, Some("true".into()))
        }
        (Condition::IsFalse(_), true) | (Condition::IsTrue(_), false) => {
            fix(wanted, &column, Some("false".into()))
        }
    }
}

/// `column` fixed to `value`, unless it is fixed to something else already (or must
/// hold a value, and `value` is NULL).
fn fix(wanted: &mut Wanted, column: &str, value: Option<String>) -> bool {
    match wanted.fixed.get(column) {
        Some(existing) => *existing == value,
        None => {
            if value.is_none() && wanted.explicit.contains(column) {
                return false;
            }
            wanted.fixed.insert(column.to_string(), value);
            true
        }
    }
}

/// `column` fixed to a value of its type that is none of `values`.
fn other_value(
    synth: &mut Synth,
    relation: &Relation,
    column: &str,
    values: &[String],
    wanted: &mut Wanted,
) -> bool {
    if let Some(existing) = wanted.fixed.get(column) {
        return existing
            .as_ref()
            .is_some_and(|value| !values.contains(value));
    }
    let Some(definition) = relation.column(column) else {
        return false;
    };
    let other = [
        Variant::default(),
        Variant {
            fill_nullable: false,
            high: true,
        },
    ]
    .into_iter()
    .find_map(|variant| {
        let seed = synth.next_seed();
        synth
            .value(relation, definition, seed, variant)
            .ok()
            .filter(|value| !values.contains(value))
    });
    match other {
        Some(value) => fix(wanted, column, Some(value)),
        None => false,
    }
}

fn unique_probes(
    synth: &mut Synth,
    relation: &Relation,
    shared: &Chain,
    probes: &mut Vec<Planned>,
) {
    let all_keys = keys(relation);
    for key in &all_keys {
        let header = Header {
            kind: ProbeKind::Unique,
            relation: &relation.name,
            member: Some(key.name),
            location: key.location,
        };
        let listed = key
            .columns
            .iter()
            .map(String::as_str)
            .chain(key.expressions.iter().copied())
            .collect::<Vec<_>>()
            .join(", ");
        let description = format!("a duplicate of ({listed}) is refused by {}", key.name);
        // The columns the expressions read are duplicated too: case-swapped under
        // `lower()` / `upper()`, so that only the expression makes the two rows equal.
        let read = expression_columns(relation, &key.expressions);
        if !key.expressions.is_empty() && read.is_empty() {
            probes.push(header.skipped(
                description,
                format!(
                    "pgparity finds no column in the expression keys of {}",
                    key.name
                ),
            ));
            continue;
        }
        let conditions = match key.predicate {
            None => Predicate::All(Vec::new()),
            Some(predicate) => match predicate_tree(predicate) {
                Some(conditions) => conditions,
                None => {
                    probes.push(header.skipped(
                        description,
                        format!(
                            "pgparity cannot read the predicate `{predicate}` of {}",
                            key.name
                        ),
                    ));
                    continue;
                }
            },
        };
        let mut after = Vec::new();
        if key.deferrable {
            after.push(immediately(&relation.name, key.name));
        }
        // A key on some of these columns would refuse the duplicate first: it goes,
        // inside the probe's savepoint (with the foreign keys that rely on it).
        let narrower: Vec<Step> = all_keys
            .iter()
            .filter(|other| other.name != key.name && !other.columns.is_empty())
            .filter(|other| {
                other
                    .columns
                    .iter()
                    .all(|column| key.columns.contains(column))
            })
            .map(|other| Step::setup(drop_key(&relation.name, other)))
            .collect();
        if let Some(inside) = predicate_row(synth, relation, &conditions, true) {
            probes.push(
                match duplicate_keys(synth, relation, key, &read, &inside, shared) {
                    Ok(chain) => header.planned(
                        description,
                        insert_last(&chain, narrower.clone(), after.clone()),
                        Expect::refused("23505", Some(key.name)),
                    ),
                    Err(reason) => header.skipped(description, reason),
                },
            );
        }
        if key.predicate.is_none() {
            continue;
        }
        let description = format!(
            "a duplicate of ({listed}) outside the predicate of {} is accepted",
            key.name
        );
        match predicate_row(synth, relation, &conditions, false) {
            Some(outside) => probes.push(
                match duplicate_keys(synth, relation, key, &read, &outside, shared) {
                    Ok(chain) => header.planned(
                        description,
                        insert_last(&chain, narrower, after),
                        Expect::Accepted {
                            constraint: Some(key.name.to_string()),
                        },
                    ),
                    Err(reason) => header.skipped(description, reason),
                },
            ),
            None => probes.push(header.skipped(
                description,
                format!("no row can be outside the predicate of {}", key.name),
            )),
        }
    }
}

/// Drops a unique key: its constraint (with the foreign keys that reference it), or its
/// index.
fn drop_key(table: &QualifiedName, key: &Key) -> String {
    if key.is_constraint {
        format!("{} CASCADE", drop_constraint(table, key.name))
    } else {
        format!(
            "DROP INDEX {}.{} CASCADE",
            quote_identifier(&table.schema),
            quote_identifier(key.name)
        )
    }
}

/// The columns of `relation` the expressions read, each with whether every mention is
/// under `lower()` or `upper()` (its value may then change case).
fn expression_columns(relation: &Relation, expressions: &[&str]) -> Vec<(String, bool)> {
    relation
        .columns
        .iter()
        .filter(|column| {
            expressions
                .iter()
                .any(|text| super::settle::mentions(text, &column.name))
        })
        .map(|column| {
            let folded = expressions.iter().all(|text| {
                let lower = text.to_lowercase();
                let name = column.name.to_lowercase();
                !super::settle::mentions(text, &column.name)
                    || lower.contains(&format!("lower({name})"))
                    || lower.contains(&format!("upper({name})"))
            });
            (column.name.clone(), folded)
        })
        .collect()
}

/// Two rows of `relation` with the same key: equal on its columns and on the columns its
/// expressions read (`read`; those under `lower()` / `upper()` in the other case).
fn duplicate_keys(
    synth: &mut Synth,
    relation: &Relation,
    key: &Key,
    read: &[(String, bool)],
    wanted: &Wanted,
    shared: &Chain,
) -> Result<Chain, String> {
    if read.is_empty() {
        return duplicate(synth, relation, &key.columns, wanted, shared);
    }
    let mut chain = Chain::sharing(shared);
    let mut first_wanted = wanted.clone();
    first_wanted.explicit.extend(key.columns.iter().cloned());
    first_wanted
        .explicit
        .extend(read.iter().map(|(column, _)| column.clone()));
    let first = synth.row(&relation.name, &first_wanted, &mut chain)?;
    let mut second = wanted.clone();
    for column in &key.columns {
        second
            .fixed
            .insert(column.clone(), first.values.get(column).cloned().flatten());
    }
    for (column, folded) in read {
        let value = first.values.get(column).cloned().flatten();
        let value = match value {
            Some(text) if *folded && text.starts_with('\'') => {
                let swapped: String = text
                    .chars()
                    .map(|c| {
                        if c.is_lowercase() {
                            c.to_uppercase().next().unwrap_or(c)
                        } else {
                            c.to_lowercase().next().unwrap_or(c)
                        }
                    })
                    .collect();
                Some(swapped)
            }
            other => other,
        };
        second.fixed.insert(column.clone(), value);
    }
    synth.row(&relation.name, &second, &mut chain)?;
    Ok(chain)
}

/// Two rows of `relation` equal on `columns`, both as `wanted` says.
fn duplicate(
    synth: &mut Synth,
    relation: &Relation,
    columns: &[String],
    wanted: &Wanted,
    shared: &Chain,
) -> Result<Chain, String> {
    let mut chain = Chain::sharing(shared);
    let mut first_wanted = wanted.clone();
    first_wanted.explicit.extend(columns.iter().cloned());
    let first = synth.row(&relation.name, &first_wanted, &mut chain)?;
    let mut second = wanted.clone();
    for column in columns {
        second
            .fixed
            .insert(column.clone(), first.values.get(column).cloned().flatten());
    }
    synth.row(&relation.name, &second, &mut chain)?;
    Ok(chain)
}

fn check_probes(synth: &mut Synth, relation: &Relation, shared: &Chain, probes: &mut Vec<Planned>) {
    for constraint in relation.constraints.values() {
        let ConstraintKind::Check { expression } = &constraint.kind else {
            continue;
        };
        let name = constraint.name.as_str();
        let mut tries: Vec<(String, String, bool)> = Vec::new();
        for (column, values) in &constraint.allowed_values {
            let Some(definition) = relation.column(column) else {
                continue;
            };
            let limit = definition
                .data_type
                .as_ref()
                .and_then(|data_type| data_type.max_length())
                .map_or(usize::MAX, |limit| limit as usize);
            let outside = ["zz_outside", "zz", "z", "zzz", "y"]
                .iter()
                .map(|text| &text[..text.len().min(limit)])
                .find(|text| !text.is_empty() && !values.iter().any(|value| value == text));
            if let Some(outside) = outside {
                tries.push((column.clone(), quote_literal(outside), false));
            }
            for value in values.iter().take(10) {
                tries.push((column.clone(), quote_literal(value), true));
            }
        }
        for (column, bounds) in check_bounds(crate::sql::check_expression(expression.text())) {
            let Some(data_type) = relation
                .column(&column)
                .and_then(|definition| definition.data_type.clone())
            else {
                continue;
            };
            for (bound, upper) in [(&bounds.lower, false), (&bounds.upper, true)] {
                let Some(bound) = bound else {
                    continue;
                };
                for inside in [false, true] {
                    if let Some(value) = beside(&data_type, bound, upper, inside) {
                        tries.push((column.clone(), value, inside));
                    }
                }
            }
            let type_limit = data_type.max_length().map(u64::from);
            if let Some(min) = bounds.min_length.filter(|min| *min > 0) {
                tries.push((
                    column.clone(),
                    quote_literal(&"x".repeat(min as usize - 1)),
                    false,
                ));
                tries.push((
                    column.clone(),
                    quote_literal(&"x".repeat(min as usize)),
                    true,
                ));
            }
            if let Some(max) = bounds.max_length.filter(|max| *max < 10_000) {
                if type_limit.is_none_or(|limit| limit > max) {
                    tries.push((
                        column.clone(),
                        quote_literal(&"x".repeat(max as usize + 1)),
                        false,
                    ));
                }
                tries.push((
                    column.clone(),
                    quote_literal(&"x".repeat(max as usize)),
                    true,
                ));
            }
        }
        let orders = order_tries(relation, expression.text());
        if tries.is_empty() && orders.is_empty() {
            // Not silently omitted: the reports say which CHECK was not tried, and why.
            let header = Header {
                kind: ProbeKind::Check,
                relation: &relation.name,
                member: Some(name),
                location: constraint.location.as_ref(),
            };
            probes.push(header.skipped(
                format!("values outside {name} are refused"),
                format!(
                    "pgparity cannot read the CHECK `{}` of {name} (it reads lists of values, \
                     comparisons of a column with a literal or with another column, BETWEEN \
                     and length())",
                    crate::sql::check_expression(expression.text())
                ),
            ));
        }
        for order in orders {
            let header = Header {
                kind: ProbeKind::Check,
                relation: &relation.name,
                member: Some(&order.left),
                location: constraint.location.as_ref(),
            };
            let values = format!(
                "{} = {}, {} = {}",
                order.left, order.left_value, order.right, order.right_value
            );
            let (description, expect) = if order.inside {
                (
                    format!("{values} is accepted by {name}"),
                    Expect::Accepted {
                        constraint: Some(name.to_string()),
                    },
                )
            } else {
                (
                    format!("{values} is refused by {name}"),
                    Expect::refused("23514", Some(name)),
                )
            };
            let mut chain = Chain::sharing(shared);
            let wanted = Wanted::fixed(BTreeMap::from([
                (order.left.clone(), Some(order.left_value)),
                (order.right.clone(), Some(order.right_value)),
            ]));
            probes.push(match synth.row(&relation.name, &wanted, &mut chain) {
                Ok(row) => {
                    let after = if order.inside {
                        Vec::new()
                    } else {
                        vec![stored(relation, &row, &order.left)]
                    };
                    header.planned(description, insert_last(&chain, Vec::new(), after), expect)
                }
                Err(reason) => header.skipped(description, reason),
            });
        }
        for (column, value, inside) in tries {
            let header = Header {
                kind: ProbeKind::Check,
                relation: &relation.name,
                member: Some(&column),
                location: constraint.location.as_ref(),
            };
            let (description, expect) = if inside {
                (
                    format!("{column} = {value} is accepted by {name}"),
                    Expect::Accepted {
                        constraint: Some(name.to_string()),
                    },
                )
            } else {
                (
                    format!("{column} = {value} is refused by {name}"),
                    Expect::refused("23514", Some(name)),
                )
            };
            let mut chain = Chain::sharing(shared);
            let wanted = Wanted::fixed(BTreeMap::from([(column.clone(), Some(value))]));
            probes.push(match synth.row(&relation.name, &wanted, &mut chain) {
                Ok(row) => {
                    let after = if inside {
                        Vec::new()
                    } else {
                        vec![stored(relation, &row, &column)]
                    };
                    header.planned(description, insert_last(&chain, Vec::new(), after), expect)
                }
                Err(reason) => header.skipped(description, reason),
            });
        }
    }
}

/// One row a CHECK comparing two columns must refuse or accept: the two values.
struct OrderTry {
    left: String,
    left_value: String,
    right: String,
    right_value: String,
    /// Whether the CHECK must accept the row.
    inside: bool,
}

/// For each comparison of two columns in the CHECK `expression` (`period_end >=
/// period_start`), a row just outside it (the wrong order, or equal values for a strict
/// comparison) and one just inside (equal values for `<=`/`>=`, else the right order),
/// when both columns have the same ordered type pgparity makes values of: numbers, dates,
/// timestamps, times and text.
fn order_tries(relation: &Relation, expression: &str) -> Vec<OrderTry> {
    let mut tries = Vec::new();
    for found in column_orders(crate::sql::check_expression(expression)) {
        let type_of = |column: &str| {
            relation
                .column(column)
                .and_then(|definition| definition.data_type.as_ref())
                .map(|data_type| (data_type.base().to_string(), is_number(data_type)))
        };
        let (Some(left_type), Some(right_type)) = (type_of(&found.left), type_of(&found.right))
        else {
            continue;
        };
        let same_kind = left_type.0 == right_type.0 || (left_type.1 && right_type.1);
        let Some((low, high)) = ordered_pair(&left_type.0, left_type.1).filter(|_| same_kind)
        else {
            continue;
        };
        // (left, right) rows for `left < right`; the other operators turn them around.
        let (outside, inside) = match found.order {
            Order::Less => ((&low, &low), (&low, &high)),
            Order::LessOrEqual => ((&high, &low), (&low, &low)),
            Order::Greater => ((&low, &low), (&high, &low)),
            Order::GreaterOrEqual => ((&low, &high), (&low, &low)),
        };
        for ((left_value, right_value), inside) in [(outside, false), (inside, true)] {
            tries.push(OrderTry {
                left: found.left.clone(),
                left_value: left_value.clone(),
                right: found.right.clone(),
                right_value: right_value.clone(),
                inside,
            });
        }
    }
    tries
}

/// Two values of a type, the first lower, as SQL literals.
fn ordered_pair(base: &str, number: bool) -> Option<(String, String)> {
    let pair = |low: &str, high: &str| Some((low.to_string(), high.to_string()));
    if number {
        return pair("1", "2");
    }
    match base {
        "date" => pair("'2026-01-01'", "'2026-01-02'"),
        "timestamp with time zone" => pair(
            "'2026-01-01 00:00:00+00'::timestamptz",
            "'2026-01-02 00:00:00+00'::timestamptz",
        ),
        "timestamp without time zone" => pair(
            "'2026-01-01 00:00:00'::timestamp",
            "'2026-01-02 00:00:00'::timestamp",
        ),
        "time without time zone" => pair("'10:00'::time", "'11:00'::time"),
        "text" | "character varying" | "character" | "citext" => pair("'a'", "'b'"),
        _ => None,
    }
}

/// Two rows that overlap on every element of an exclusion constraint are refused; two
/// that are apart on one of its elements accepted. pgparity makes such pairs for `=` on
/// any column and `&&` on a range column.
fn exclusion_probes(
    synth: &mut Synth,
    relation: &Relation,
    shared: &Chain,
    probes: &mut Vec<Planned>,
) {
    for constraint in relation.constraints.values() {
        let ConstraintKind::Exclusion { definition } = &constraint.kind else {
            continue;
        };
        let name = constraint.name.as_str();
        let header = Header {
            kind: ProbeKind::Exclusion,
            relation: &relation.name,
            member: Some(name),
            location: constraint.location.as_ref(),
        };
        let refused = format!("two overlapping rows are refused by {name}");
        let accepted = format!("two rows apart are accepted by {name}");
        let pairs = match exclusion_pairs(relation, definition) {
            Ok(pairs) => pairs,
            Err(reason) => {
                probes.push(header.skipped(refused, reason.clone()));
                probes.push(header.skipped(accepted, reason));
                continue;
            }
        };
        let after = if constraint.deferrable {
            vec![immediately(&relation.name, name)]
        } else {
            Vec::new()
        };
        for (description, second, expect) in [
            (
                refused,
                &pairs.overlapping,
                Expect::refused("23P01", Some(name)),
            ),
            (
                accepted,
                &pairs.apart,
                Expect::Accepted {
                    constraint: Some(name.to_string()),
                },
            ),
        ] {
            let mut chain = Chain::sharing(shared);
            let rows = synth
                .row(
                    &relation.name,
                    &Wanted::fixed(pairs.first.clone()),
                    &mut chain,
                )
                .and_then(|_| {
                    synth.row(&relation.name, &Wanted::fixed(second.clone()), &mut chain)
                });
            probes.push(match rows {
                Ok(_) => header.planned(
                    description,
                    insert_last(&chain, Vec::new(), after.clone()),
                    expect,
                ),
                Err(reason) => header.skipped(description, reason),
            });
        }
    }
}

/// The values of an exclusion constraint's columns in a first row, and in a second row
/// that overlaps it or is apart from it.
struct ExclusionPairs {
    first: BTreeMap<String, Option<String>>,
    overlapping: BTreeMap<String, Option<String>>,
    apart: BTreeMap<String, Option<String>>,
}

/// The pairs of rows for the exclusion constraint `definition` (`USING gist (room WITH
/// =, during WITH &&)`), or why pgparity cannot make them.
fn exclusion_pairs(relation: &Relation, definition: &str) -> Result<ExclusionPairs, String> {
    let cannot = |why: String| format!("pgparity cannot probe `EXCLUDE {definition}`: {why}");
    let open = definition
        .find('(')
        .ok_or_else(|| cannot("no element list".into()))?;
    let mut depth = 0usize;
    let mut close = None;
    for (offset, c) in definition[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(open + offset);
                    break;
                }
            }
            _ => {}
        }
    }
    let close = close.ok_or_else(|| cannot("unbalanced parentheses".into()))?;
    let rest = definition[close + 1..].to_lowercase();
    if rest.contains("where") {
        return Err(cannot(
            "it has a WHERE clause, which pgparity does not place rows inside".into(),
        ));
    }
    let mut pairs = ExclusionPairs {
        first: BTreeMap::new(),
        overlapping: BTreeMap::new(),
        apart: BTreeMap::new(),
    };
    let mut separated = false;
    let elements = split_top_level(&definition[open + 1..close]);
    for (index, element) in elements.iter().enumerate() {
        let lower = element.to_lowercase();
        let at = lower
            .rfind(" with ")
            .ok_or_else(|| cannot(format!("no operator in `{element}`")))?;
        let expression = element[..at].trim();
        if expression.contains('(') {
            return Err(cannot(format!(
                "the element `{expression}` is an expression, which pgparity makes no values for"
            )));
        }
        // A column, possibly followed by its operator class.
        let target = expression.split_whitespace().next().unwrap_or_default();
        let operator = element[at + " with ".len()..].trim();
        let column_name = target.trim_matches('"');
        let column = relation
            .column(column_name)
            .ok_or_else(|| cannot(format!("`{target}` is not a column of {}", relation.name)))?;
        let data_type = column
            .data_type
            .as_ref()
            .ok_or_else(|| cannot(format!("the type of {column_name} is not known")))?;
        let base = if data_type.is_array() {
            String::new()
        } else {
            data_type.base().to_string()
        };
        // First `[a,b)`, overlapping `[c,d)` (a < c < b < d), apart `[b,d)`.
        let range = |a: &str, b: &str, c: &str, d: &str| {
            (
                format!("'[{a},{b})'"),
                format!("'[{c},{d})'"),
                format!("'[{b},{d})'"),
            )
        };
        let (first, overlapping, apart) = match (operator, base.as_str()) {
            ("&&", "int4range" | "int8range" | "numrange") => range("10", "20", "15", "30"),
            ("&&", "daterange") => range("2030-01-01", "2030-02-01", "2030-01-15", "2030-03-01"),
            ("&&", "tsrange") => range(
                "2030-01-01 00:00:00",
                "2030-02-01 00:00:00",
                "2030-01-15 00:00:00",
                "2030-03-01 00:00:00",
            ),
            ("&&", "tstzrange") => range(
                "2030-01-01 00:00:00+00",
                "2030-02-01 00:00:00+00",
                "2030-01-15 00:00:00+00",
                "2030-03-01 00:00:00+00",
            ),
            ("=", _) => {
                // The same value in both rows; apart (when no range element is): another.
                let seed = 1_000_000 + index as u64;
                let value = typed_pair(data_type, seed)
                    .ok_or_else(|| cannot(format!("no value of type {data_type} for `=`")))?;
                (value.0.clone(), value.0, value.1)
            }
            _ => {
                return Err(cannot(format!(
                    "pgparity makes overlapping values only for `=` and for `&&` on ranges, not \
                     `{operator}` on {data_type}"
                )))
            }
        };
        let is_range = operator == "&&";
        pairs.first.insert(column.name.clone(), Some(first.clone()));
        pairs
            .overlapping
            .insert(column.name.clone(), Some(overlapping));
        // Apart on the first range element (else the first `=` element); the same
        // value on the others.
        let separate = !separated && (is_range || index + 1 == elements.len());
        pairs.apart.insert(
            column.name.clone(),
            Some(if separate { apart } else { first }),
        );
        separated |= separate;
    }
    if elements.is_empty() {
        return Err(cannot("no element".into()));
    }
    Ok(pairs)
}

/// Two distinct literals of a built-in scalar type, for `=` elements.
fn typed_pair(data_type: &crate::model::SqlType, seed: u64) -> Option<(String, String)> {
    if data_type.is_array() {
        return None;
    }
    let pair = match data_type.base() {
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" => {
            (format!("{}", seed % 30000), format!("{}", seed % 30000 + 1))
        }
        "text" | "character varying" | "character" | "citext" => (
            quote_literal(&format!("x{seed}")),
            quote_literal(&format!("y{seed}")),
        ),
        "uuid" => (
            format!("'00000000-0000-4000-8000-{seed:012}'"),
            format!("'00000000-0000-4000-8000-{:012}'", seed + 1),
        ),
        "boolean" => ("true".into(), "false".into()),
        "date" => ("'2030-01-01'".into(), "'2030-01-02'".into()),
        _ => return None,
    };
    Some(pair)
}

/// `text` split at its top-level commas, each part trimmed.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut quoted = false;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

fn foreign_key_probes(
    synth: &mut Synth,
    catalog: &Catalog,
    relation: &Relation,
    shared: &Chain,
    probes: &mut Vec<Planned>,
) {
    let keys = foreign_keys(catalog, relation);
    for key in &keys {
        if key.references == &relation.name {
            continue;
        }
        let Some(constraint) = relation.constraints.get(key.name) else {
            continue;
        };
        let ConstraintKind::ForeignKey {
            on_delete,
            on_update,
            ..
        } = &constraint.kind
        else {
            continue;
        };
        let header = Header {
            kind: ProbeKind::ForeignKey,
            relation: &relation.name,
            member: Some(key.name),
            location: constraint.location.as_ref(),
        };
        let after = if constraint.deferrable {
            vec![immediately(&relation.name, key.name)]
        } else {
            Vec::new()
        };
        // The orphan: fresh values no parent row has, with every other foreign key
        // sharing a column left out (it would refuse the row first).
        let sharing: Vec<&str> = keys
            .iter()
            .filter(|other| other.name != key.name)
            .filter(|other| {
                other
                    .columns
                    .iter()
                    .any(|column| key.columns.contains(column))
            })
            .map(|other| other.name)
            .collect();
        let description = format!(
            "a reference to a missing row of {} is refused by {}",
            key.references, key.name
        );
        let orphan = (|| {
            let mut wanted = Wanted {
                ignored_keys: sharing.iter().map(|name| name.to_string()).collect(),
                ..Wanted::default()
            };
            wanted.ignored_keys.insert(key.name.to_string());
            for column in key.columns {
                let definition = relation
                    .column(column)
                    .ok_or_else(|| format!("{} has no column {column}", relation.name))?;
                let seed = synth.next_seed();
                let value = synth.value(relation, definition, seed, Variant::default())?;
                wanted.fixed.insert(column.clone(), Some(value));
            }
            let mut chain = Chain::sharing(shared);
            synth.row(&relation.name, &wanted, &mut chain)?;
            Ok::<_, String>(chain)
        })();
        let drops: Vec<Step> = sharing
            .iter()
            .map(|name| Step::setup(drop_constraint(&relation.name, name)))
            .collect();
        probes.push(match orphan {
            Ok(chain) => header.planned(
                description,
                insert_last(&chain, drops, after.clone()),
                Expect::refused("23503", Some(key.name)),
            ),
            Err(reason) => header.skipped(description, reason),
        });
        // Not the shared rows: dropping the other keys into the parent's table alters
        // tables those rows may have queued deferred trigger events on, which
        // PostgreSQL refuses; this probe inserts its own parents.
        for (event, action) in [(Event::Delete, *on_delete), (Event::Update, *on_update)] {
            let around = Around {
                header: &header,
                after: after.clone(),
                shared: &Chain::default(),
            };
            probes.push(on_delete_probe(
                synth, catalog, relation, key, action, event, around,
            ));
        }
    }
}

/// What happens to the referenced row of a foreign key in an action probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// It is deleted (`ON DELETE`).
    Delete,
    /// Its key is changed to fresh values (`ON UPDATE`).
    Update,
}

fn drop_constraint(table: &QualifiedName, constraint: &str) -> String {
    format!(
        "ALTER TABLE {} DROP CONSTRAINT {}",
        relation_sql(table),
        quote_identifier(constraint)
    )
}

/// What an on-delete probe shares with its foreign key's orphan probe.
struct Around<'h, 'a> {
    header: &'h Header<'a>,
    /// Steps after the statement (a deferrable constraint answering at once).
    after: Vec<Step>,
    /// The rows the table's probes share.
    shared: &'h Chain,
}

/// Deleting the parent of a synthesized child row does what `ON DELETE` says, and
/// changing its key what `ON UPDATE` says (`event`). Every other foreign key into the
/// parent's table is dropped first (inside the probe's savepoint), so that only this one
/// answers.
fn on_delete_probe(
    synth: &mut Synth,
    catalog: &Catalog,
    relation: &Relation,
    key: &super::synth::ForeignKey,
    action: ForeignKeyAction,
    event: Event,
    around: Around,
) -> Planned {
    let Around {
        header,
        after,
        shared,
    } = around;
    let header = Header {
        kind: match event {
            Event::Delete => ProbeKind::OnDelete,
            Event::Update => ProbeKind::OnUpdate,
        },
        ..*header
    };
    let (verb, expect) = match action {
        ForeignKeyAction::Cascade => (
            match event {
                Event::Delete => "deletes the child row",
                Event::Update => "updates the child's reference",
            },
            Expect::Accepted {
                constraint: Some(key.name.to_string()),
            },
        ),
        ForeignKeyAction::SetNull => (
            "sets the child's reference to NULL",
            Expect::Accepted {
                constraint: Some(key.name.to_string()),
            },
        ),
        ForeignKeyAction::SetDefault => (
            "sets the child's reference to its default",
            Expect::Accepted {
                constraint: Some(key.name.to_string()),
            },
        ),
        ForeignKeyAction::Restrict | ForeignKeyAction::NoAction => {
            ("is refused", Expect::refused("23503", Some(key.name)))
        }
    };
    let description = match event {
        Event::Delete => format!(
            "deleting the referenced row of {} {verb} ({})",
            key.references, key.name
        ),
        Event::Update => format!(
            "updating the referenced key of {} {verb} ({})",
            key.references, key.name
        ),
    };
    let fk_columns: BTreeSet<&String> = key.columns.iter().collect();
    let identity: Vec<String> = primary_key(relation)
        .map(|columns| {
            columns
                .iter()
                .filter(|column| !fk_columns.contains(column))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut chain = Chain::sharing(shared);
    let wanted = Wanted {
        explicit: identity.iter().cloned().collect(),
        ..Wanted::default()
    };
    let child = match synth.row(&relation.name, &wanted, &mut chain) {
        Ok(child) => child,
        Err(reason) => return header.skipped(description, reason),
    };
    let identity = if identity.is_empty() {
        child
            .values
            .iter()
            .filter(|(column, value)| value.is_some() && !fk_columns.contains(column))
            .map(|(column, _)| column.clone())
            .collect()
    } else {
        identity
    };
    if identity.is_empty() {
        return header.skipped(
            description,
            format!("{} has no column to find the child row by", relation.name),
        );
    }
    let parent = Row {
        table: key.references.clone(),
        values: key
            .referenced_columns
            .iter()
            .zip(key.columns)
            .map(|(referenced, column)| {
                (
                    referenced.clone(),
                    child.values.get(column).cloned().flatten(),
                )
            })
            .collect(),
        overriding: false,
    };
    if parent.values.values().any(Option::is_none) {
        return header.skipped(description, "the child row has no parent row".into());
    }
    let mut steps: Vec<Step> = Vec::new();
    for (table, name) in synth.keys_into(key.references) {
        if !(table == &relation.name && name == key.name) {
            steps.push(Step::setup(drop_constraint(table, name)));
        }
    }
    steps.extend(chain.inserts().into_iter().map(Step::setup));
    // The parent's new key (an update): fresh values of its columns.
    let mut moved: Vec<String> = Vec::new();
    match event {
        Event::Delete => steps.push(Step::probe(format!(
            "DELETE FROM {} WHERE {}",
            relation_sql(key.references),
            parent.condition(&key.referenced_columns)
        ))),
        Event::Update => {
            let Some(parent_table) = catalog.relations.get(key.references) else {
                return header.skipped(description, format!("{} is not known", key.references));
            };
            for column in &key.referenced_columns {
                let old = parent.values.get(column).cloned().flatten();
                let fresh = parent_table.column(column).and_then(|definition| {
                    (0..3).find_map(|_| {
                        let seed = synth.next_seed();
                        synth
                            .value(parent_table, definition, seed, Variant::default())
                            .ok()
                            .filter(|value| Some(value) != old.as_ref())
                    })
                });
                match fresh {
                    Some(value) => moved.push(value),
                    None => {
                        return header.skipped(
                            description,
                            format!(
                                "pgparity cannot make a new value of {}",
                                key.references.child(column)
                            ),
                        )
                    }
                }
            }
            let targets: Vec<String> = key
                .referenced_columns
                .iter()
                .map(|column| quote_identifier(column))
                .collect();
            steps.push(Step::probe(format!(
                "UPDATE {} SET ({}) = ROW({}) WHERE {}",
                relation_sql(key.references),
                targets.join(", "),
                moved.join(", "),
                parent.condition(&key.referenced_columns)
            )));
        }
    }
    steps.extend(after);
    let found = format!(
        "SELECT EXISTS (SELECT 1 FROM {} WHERE {}",
        relation_sql(&relation.name),
        child.condition(&identity)
    );
    let columns: Vec<String> = key
        .columns
        .iter()
        .map(|column| quote_identifier(column))
        .collect();
    match action {
        ForeignKeyAction::Cascade if event == Event::Update => steps.push(Step::assert(
            format!(
                "{found} AND ({}) = ({}))",
                columns.join(", "),
                moved.join(", ")
            ),
            "the child row does not point at the parent's new key",
        )),
        ForeignKeyAction::Cascade => steps.push(Step::assert(
            format!("SELECT NOT {})", &found["SELECT ".len()..]),
            "the child row is still there",
        )),
        ForeignKeyAction::SetNull => steps.push(Step::assert(
            format!(
                "{found} AND {})",
                columns
                    .iter()
                    .map(|column| format!("{column} IS NULL"))
                    .collect::<Vec<_>>()
                    .join(" AND ")
            ),
            "the child row does not have NULL in its reference",
        )),
        ForeignKeyAction::SetDefault => steps.push(Step::assert(
            format!(
                "{found} AND ({}) IS DISTINCT FROM ({}))",
                columns.join(", "),
                key.columns
                    .iter()
                    .map(|column| child
                        .values
                        .get(column)
                        .cloned()
                        .flatten()
                        .unwrap_or_else(|| "NULL".into()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "the child row still points at the deleted row",
        )),
        ForeignKeyAction::Restrict | ForeignKeyAction::NoAction => {}
    }
    let mut planned = header.planned(description, steps, expect);
    planned.own_parents = true;
    planned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, RelationKind, SqlType};

    fn bookings() -> Relation {
        let mut relation = Relation::new(
            QualifiedName::new("public", "bookings"),
            RelationKind::Table,
            None,
        );
        for (name, data_type) in [("room", "integer"), ("during", "tsrange"), ("area", "box")] {
            relation
                .columns
                .push(Column::new(name, Some(SqlType::parse(data_type)), None));
        }
        relation
    }

    #[test]
    fn exclusion_pairs_overlap_on_every_element_and_are_apart_on_the_range() {
        let pairs = exclusion_pairs(&bookings(), "USING gist (room WITH =, during WITH &&)")
            .expect("pairs");
        let value = |map: &BTreeMap<String, Option<String>>, column: &str| {
            map.get(column).cloned().flatten().unwrap_or_default()
        };
        assert_eq!(
            value(&pairs.first, "room"),
            value(&pairs.overlapping, "room")
        );
        assert_eq!(value(&pairs.first, "room"), value(&pairs.apart, "room"));
        assert_eq!(
            value(&pairs.first, "during"),
            "'[2030-01-01 00:00:00,2030-02-01 00:00:00)'"
        );
        assert_eq!(
            value(&pairs.overlapping, "during"),
            "'[2030-01-15 00:00:00,2030-03-01 00:00:00)'"
        );
        assert_eq!(
            value(&pairs.apart, "during"),
            "'[2030-02-01 00:00:00,2030-03-01 00:00:00)'"
        );
    }

    #[test]
    fn exclusion_constraints_pgparity_makes_no_values_for_say_why() {
        let reason = |definition: &str| exclusion_pairs(&bookings(), definition).err();
        assert!(reason("USING gist (area WITH &&)")
            .is_some_and(|reason| reason.contains("not `&&` on box")));
        assert!(
            reason("USING gist (tsrange(lower(during), upper(during)) WITH &&)")
                .is_some_and(|reason| reason.contains("is an expression"))
        );
        assert!(reason("USING gist (during WITH &&) WHERE (room > 0)")
            .is_some_and(|reason| reason.contains("WHERE clause")));
        assert!(reason("USING gist (nowhere WITH &&)")
            .is_some_and(|reason| reason.contains("is not a column")));
    }
}
