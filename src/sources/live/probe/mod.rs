//! `--probe`: trying what the specs and the mapping promise in the scratch database of
//! `--dev-db`, never in `--db`.
//!
//! Every table of the specs gets a synthesized valid row (parents first); then each
//! NOT NULL column, key, CHECK bound and foreign key is tried ([`plan`]), as are the
//! mapping's `must_reject:` statements, invariant queries, immutable tables and tenant
//! isolation ([`declared`], [`roles`]). Each probe runs in its own subtransaction of a
//! temporary PL/pgSQL function and is always rolled back ([`runner`]); the probes of one
//! table are one call (one round trip). Probes run as the scratch role, which owns the
//! tables; `SET ROLE` to the mapping's roles needs membership, which the admin grants
//! the scratch role for the run (it goes when the scratch role is dropped).

mod declared;
mod plan;
mod readonly;
mod roles;
mod runner;
mod sql;
mod synth;

use super::session::Client;
use super::LiveError;
use crate::mapping::Mapping;
use crate::model::{Catalog, Probe, ProbeOutcome, ProbeResults, QualifiedName, Relation};
use plan::{Expect, Planned, Step};
use std::collections::{BTreeMap, BTreeSet};
use synth::{foreign_keys, Chain, Synth, Variant, Wanted};

pub use readonly::check_declared;
pub(super) use roles::TENANT_ROLE_SUFFIX;

/// What to probe.
#[derive(Debug, Clone, Copy)]
pub struct ProbeRequest<'a> {
    /// The specs' catalog: what the probes expect.
    pub specs: &'a Catalog,
    /// Where unqualified names live.
    pub default_schema: &'a str,
    /// The mapping: invariants, immutable tables, tenancy.
    pub mapping: Option<&'a Mapping>,
    /// Probe a copy of this database of the server (`--probe-template`) instead of the
    /// specs applied to an empty one.
    pub template: Option<&'a str>,
}

/// The connections the probes use: the scratch role's (every probe runs there) and
/// the admin's (it grants the scratch role the roles probes `SET ROLE` to).
pub(super) struct Sessions<'a> {
    pub role: &'a mut Client,
    pub admin: &'a mut Client,
    /// The scratch role's name.
    pub scratch: &'a str,
}

/// The valid row of each table: the variant the server accepted, or why none was.
type ValidRows = BTreeMap<QualifiedName, Result<Variant, String>>;

/// Runs every probe of `request` in the scratch database and judges them.
pub(super) fn run_probes(
    sessions: &mut Sessions,
    request: &ProbeRequest,
) -> Result<ProbeResults, LiveError> {
    sessions
        .role
        .batch_execute(runner::RUNNER)
        .map_err(|error| LiveError::from_query("creating the probe function", &error))?;
    let tables = tables_in_order(request.specs);
    release_forced_security(sessions.role, &tables);
    let mut synth = Synth::new(request.specs, request.default_schema);
    let valid = choose_valid_rows(sessions.role, &mut synth, &tables)?;
    let mut results = ProbeResults::default();
    for relation in &tables {
        let planned = with_alternatives(&mut synth, request.specs, relation);
        run_planned(
            sessions.role,
            planned,
            valid.get(&relation.name),
            &mut results,
        )?;
    }
    if let Some(mapping) = request.mapping {
        let planned = declared::invariant_probes(
            &mut synth,
            request.specs,
            request.default_schema,
            mapping,
            &valid,
        );
        run_planned(sessions.role, planned, None, &mut results)?;
        let planned = roles::role_probes(sessions, &mut synth, request, mapping, &valid);
        run_planned(sessions.role, planned, None, &mut results)?;
    }
    Ok(results)
}

/// The probes of `relation` with its chosen valid row, each with the same probe made
/// with the table's other variants as alternatives.
fn with_alternatives(synth: &mut Synth, catalog: &Catalog, relation: &Relation) -> Vec<Planned> {
    let chosen = synth
        .variants
        .get(&relation.name)
        .copied()
        .unwrap_or_default();
    let mut planned = plan::table_probes(synth, catalog, relation);
    for variant in Variant::ALL
        .into_iter()
        .filter(|variant| *variant != chosen)
    {
        synth.variants.insert(relation.name.clone(), variant);
        let others = plan::table_probes(synth, catalog, relation);
        if others.len() != planned.len() {
            continue;
        }
        for (probe, other) in planned.iter_mut().zip(others) {
            let differs = other.skip.is_none() && other.steps != probe.steps;
            if differs && other.description == probe.description {
                probe.alternatives.push(other);
            }
        }
    }
    synth.variants.insert(relation.name.clone(), chosen);
    planned
}

/// Tables of the specs that hold rows (partitions are probed through their parent),
/// parents before the tables that reference them.
fn tables_in_order(catalog: &Catalog) -> Vec<&Relation> {
    fn visit<'a>(
        catalog: &'a Catalog,
        relation: &'a Relation,
        seen: &mut BTreeSet<QualifiedName>,
        order: &mut Vec<&'a Relation>,
    ) {
        if !seen.insert(relation.name.clone()) {
            return;
        }
        for key in foreign_keys(catalog, relation) {
            if let Some(parent) = catalog.relations.get(key.references) {
                if parent.kind.is_table() && parent.partition_of.is_none() {
                    visit(catalog, parent, seen, order);
                }
            }
        }
        order.push(relation);
    }
    let mut seen = BTreeSet::new();
    let mut order = Vec::new();
    for relation in catalog.relations.values() {
        if relation.kind.is_table() && relation.partition_of.is_none() {
            visit(catalog, relation, &mut seen, &mut order);
        }
    }
    order
}

/// `NO FORCE ROW LEVEL SECURITY` on every table that forces it: the probes of
/// constraints insert as the tables' owner, which policies then no longer filter.
/// Isolation is tried as another role, which they still do. The scratch database is
/// pgparity's own and dropped afterwards; a table the server lacks is left alone (its
/// probes say why they were skipped).
fn release_forced_security(role: &mut Client, tables: &[&Relation]) {
    for relation in tables.iter().filter(|relation| relation.rls_forced) {
        let _ = role.batch_execute(&format!(
            "ALTER TABLE {} NO FORCE ROW LEVEL SECURITY",
            sql::relation_sql(&relation.name)
        ));
    }
}

/// Tries the valid-row candidates of every table (one call per table, parents first)
/// and keeps, for each, the first variant the server accepted with its deferred
/// constraints checked, else the first it accepted statement by statement.
fn choose_valid_rows(
    role: &mut Client,
    synth: &mut Synth,
    tables: &[&Relation],
) -> Result<ValidRows, LiveError> {
    let mut valid = ValidRows::new();
    for relation in tables {
        let mut candidates: Vec<(Variant, Planned)> = Vec::new();
        let mut first_error = None;
        // Every candidate starts from the same seed, so that candidates differing only
        // in their seeds are recognised as one.
        let start = synth.seed();
        let mut end = start;
        for variant in Variant::ALL {
            synth.variants.insert(relation.name.clone(), variant);
            synth.rewind(start);
            let mut chain = Chain::default();
            match synth.row(&relation.name, &Wanted::default(), &mut chain) {
                Ok(_) => {
                    let mut steps: Vec<Step> =
                        chain.inserts().into_iter().map(Step::setup).collect();
                    steps.push(Step::probe("SET CONSTRAINTS ALL IMMEDIATE".into()));
                    let same = candidates.iter().any(|(_, planned)| {
                        planned.steps.len() == steps.len()
                            && planned
                                .steps
                                .iter()
                                .zip(&steps)
                                .all(|(a, b)| a.sql == b.sql)
                    });
                    if !same {
                        candidates.push((variant, candidate(relation, steps)));
                    }
                }
                Err(reason) => {
                    first_error.get_or_insert(reason);
                }
            }
            end = end.max(synth.seed());
        }
        synth.rewind(end);
        synth.variants.remove(&relation.name);
        if candidates.is_empty() {
            valid.insert(
                relation.name.clone(),
                Err(first_error.unwrap_or_else(|| "no row could be synthesized".into())),
            );
            continue;
        }
        let batch: Vec<&Planned> = candidates.iter().map(|(_, planned)| planned).collect();
        let answers = match runner::run_batch(role, &batch) {
            Ok(answers) => answers,
            Err(message) => {
                reconnect_if_closed(role)?;
                valid.insert(relation.name.clone(), Err(message));
                continue;
            }
        };
        let fully = answers.iter().position(|answer| answer.state.is_none());
        let by_statement = answers
            .iter()
            .zip(&batch)
            .position(|(answer, planned)| answer.step == planned.steps.len());
        let chosen = match fully.or(by_statement) {
            Some(index) => Ok(candidates[index].0),
            None => Err(format!(
                "the server refused the row pgparity synthesized for {}: {} ({})",
                relation.name,
                answers[0].message,
                runner::with_name(answers[0].state.as_deref().unwrap_or_default())
            )),
        };
        if let Ok(variant) = &chosen {
            synth.variants.insert(relation.name.clone(), *variant);
        }
        valid.insert(relation.name.clone(), chosen);
    }
    Ok(valid)
}

fn candidate(relation: &Relation, steps: Vec<Step>) -> Planned {
    plan::Header {
        kind: crate::model::ProbeKind::NotNull,
        relation: &relation.name,
        member: None,
        location: None,
    }
    .planned(
        "a valid row".into(),
        steps,
        Expect::Accepted { constraint: None },
    )
}

/// A lost connection (the client deadline closed it) cannot be recovered here: the run
/// fails, as any other query past its deadline does.
fn reconnect_if_closed(role: &Client) -> Result<(), LiveError> {
    if role.is_closed() {
        return Err(LiveError::QueryFailed {
            what: "probing the scratch database".into(),
            message: "the connection of the scratch role was closed".into(),
        });
    }
    Ok(())
}

/// Runs `planned` (one call, and one more for each round of alternatives of the probes
/// still skipped) and adds the judged probes to `results`. A table whose valid row was
/// refused (`valid`) has every probe skipped with the server's message.
fn run_planned(
    role: &mut Client,
    planned: Vec<Planned>,
    valid: Option<&Result<Variant, String>>,
    results: &mut ProbeResults,
) -> Result<(), LiveError> {
    let refused = valid.and_then(|valid| valid.as_ref().err());
    // For each probe: the attempt that decided it (the probe or an alternative) and
    // its outcome.
    let mut decided: Vec<(usize, ProbeOutcome)> = planned
        .iter()
        .map(|probe| {
            let reason = refused.or(probe.skip.as_ref());
            (
                0,
                ProbeOutcome::Skipped {
                    reason: reason.cloned().unwrap_or_default(),
                },
            )
        })
        .collect();
    let mut pending: Vec<usize> = (0..planned.len())
        .filter(|&index| refused.is_none() && planned[index].skip.is_none())
        .collect();
    let mut attempt = 0;
    while !pending.is_empty() {
        let batch: Vec<&Planned> = pending
            .iter()
            .map(|&index| attempt_of(&planned[index], attempt))
            .collect();
        let answers = runner::run_batch(role, &batch);
        if answers.is_err() {
            reconnect_if_closed(role)?;
        }
        let mut retry = Vec::new();
        for (position, &index) in pending.iter().enumerate() {
            let probe = batch[position];
            let outcome = match &answers {
                Ok(answers) => runner::judge(probe, &answers[position]),
                Err(message) => ProbeOutcome::Skipped {
                    reason: format!("the probes of {} could not run: {message}", probe.relation),
                },
            };
            let skipped = matches!(outcome, ProbeOutcome::Skipped { .. });
            // The first attempt's reason is kept when no alternative decides.
            if attempt == 0 || !skipped {
                decided[index] = (attempt, outcome);
            }
            if skipped && answers.is_ok() && attempt < planned[index].alternatives.len() {
                retry.push(index);
            }
        }
        pending = retry;
        attempt += 1;
    }
    for (probe, (attempt, outcome)) in planned.iter().zip(decided) {
        let tried = attempt_of(probe, attempt);
        results.probes.push(Probe {
            kind: probe.kind,
            relation: probe.relation.clone(),
            member: probe.member.clone(),
            description: probe.description.clone(),
            sql: tried.sql.clone(),
            expected: tried.expect.describe(),
            outcome,
            location: probe.location.clone(),
        });
    }
    Ok(())
}

/// The probe itself (attempt 0) or its alternative `attempt - 1`.
fn attempt_of(probe: &Planned, attempt: usize) -> &Planned {
    match attempt.checked_sub(1) {
        None => probe,
        Some(index) => probe.alternatives.get(index).unwrap_or(probe),
    }
}
