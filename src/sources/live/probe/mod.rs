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
mod settle;
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
    /// The live catalog (`--db` or `--snapshot`), read before the scratch database was
    /// made: the drift comparisons with it that normalization leaves undecided are
    /// settled by trying both definitions in the scratch database.
    pub live: Option<&'a Catalog>,
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
    let valid = choose_valid_rows(sessions.role, &mut synth, request.specs, &tables)?;
    let mut results = ProbeResults::default();
    for relation in &tables {
        let shared = shared_parents(&mut synth, relation);
        let planned = plan::table_probes(&mut synth, request.specs, relation, &shared);
        let batch = Batch {
            shared: shared.all_inserts(),
            valid: valid.get(&relation.name),
        };
        let mut alternatives = || other_variants(&mut synth, request.specs, relation, &shared);
        run_planned(
            sessions.role,
            planned,
            &batch,
            &mut results,
            &mut alternatives,
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
        run_planned(
            sessions.role,
            planned,
            &Batch::default(),
            &mut results,
            &mut Vec::new,
        )?;
        let planned = roles::role_probes(sessions, &mut synth, request, mapping, &valid);
        run_planned(
            sessions.role,
            planned,
            &Batch::default(),
            &mut results,
            &mut Vec::new,
        )?;
    }
    if let Some(live) = request.live {
        settle::settle_undecided(sessions.role, request, live, &mut synth, &mut results)?;
    }
    Ok(results)
}

/// The parent rows of `relation`'s valid row, which its probes share (inserted once per
/// batch); none when it has no valid row.
fn shared_parents(synth: &mut Synth, relation: &Relation) -> Chain {
    let mut chain = Chain::default();
    if synth
        .row(&relation.name, &Wanted::default(), &mut chain)
        .is_ok()
    {
        chain.rows.pop();
        chain
    } else {
        Chain::default()
    }
}

/// The probes of `relation` made with each of the table's variants other than the
/// chosen one (the same probes, in the same order, with other valid rows): tried in
/// turn for the probes the chosen row left skipped.
fn other_variants(
    synth: &mut Synth,
    catalog: &Catalog,
    relation: &Relation,
    shared: &Chain,
) -> Vec<Vec<Planned>> {
    let chosen = synth
        .variants
        .get(&relation.name)
        .copied()
        .unwrap_or_default();
    let mut others = Vec::new();
    for variant in Variant::ALL
        .into_iter()
        .filter(|variant| *variant != chosen)
    {
        synth.variants.insert(relation.name.clone(), variant);
        others.push(plan::table_probes(synth, catalog, relation, shared));
    }
    synth.variants.insert(relation.name.clone(), chosen);
    others
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

/// Tries the valid-row candidates of every table and keeps, for each, the first variant
/// the server accepted with its deferred constraints checked, else the first it accepted
/// statement by statement. Tables are tried by level (those whose parents are decided
/// together), in calls of at most [`CANDIDATES_PER_CALL`] candidates.
fn choose_valid_rows(
    role: &mut Client,
    synth: &mut Synth,
    catalog: &Catalog,
    tables: &[&Relation],
) -> Result<ValidRows, LiveError> {
    let mut valid = ValidRows::new();
    for level in levels(catalog, tables) {
        // Each table's distinct candidates, or why it has none.
        let mut per_table: Vec<(&Relation, Vec<(Variant, Planned)>)> = Vec::new();
        for relation in level {
            match candidates(synth, relation) {
                Ok(candidates) => per_table.push((relation, candidates)),
                Err(reason) => {
                    valid.insert(relation.name.clone(), Err(reason));
                }
            }
        }
        let all: Vec<&Planned> = per_table
            .iter()
            .flat_map(|(_, candidates)| candidates.iter().map(|(_, planned)| planned))
            .collect();
        let mut answers: Vec<Result<runner::Answer, String>> = Vec::new();
        for chunk in all.chunks(CANDIDATES_PER_CALL) {
            match runner::run_batch(role, &[], chunk) {
                Ok(chunk_answers) => answers.extend(chunk_answers.into_iter().map(Ok)),
                Err(message) => {
                    reconnect_if_closed(role)?;
                    answers.extend(chunk.iter().map(|_| Err(message.clone())));
                }
            }
        }
        let mut answers = answers.into_iter();
        for (relation, candidates) in per_table {
            let mine: Vec<Result<runner::Answer, String>> =
                answers.by_ref().take(candidates.len()).collect();
            let chosen = decide(relation, &candidates, &mine);
            if let Ok(variant) = &chosen {
                synth.variants.insert(relation.name.clone(), *variant);
            }
            valid.insert(relation.name.clone(), chosen);
        }
    }
    Ok(valid)
}

/// Candidates of one call of the valid-row trial, at most (a call stays well inside the
/// statement timeout).
const CANDIDATES_PER_CALL: usize = 400;

/// `tables` grouped by level: a table comes one level after the deepest of its parents.
fn levels<'a>(catalog: &Catalog, tables: &[&'a Relation]) -> Vec<Vec<&'a Relation>> {
    let mut level_of: BTreeMap<QualifiedName, usize> = BTreeMap::new();
    let mut levels: Vec<Vec<&Relation>> = Vec::new();
    // `tables` lists parents first, so every parent's level is known when it is needed.
    for relation in tables {
        let level = foreign_keys(catalog, relation)
            .iter()
            .filter(|key| key.references != &relation.name)
            .filter_map(|key| level_of.get(key.references))
            .map(|level| level + 1)
            .max()
            .unwrap_or(0);
        level_of.insert(relation.name.clone(), level);
        if levels.len() <= level {
            levels.resize_with(level + 1, Vec::new);
        }
        levels[level].push(relation);
    }
    levels
}

/// The distinct valid-row candidates of `relation` (one per variant, those that differ
/// only by seeds counted once), each ending with its deferred constraints checked.
fn candidates(synth: &mut Synth, relation: &Relation) -> Result<Vec<(Variant, Planned)>, String> {
    let mut candidates: Vec<(Variant, Planned)> = Vec::new();
    let mut first_error = None;
    // Every candidate starts from the same seed, so that candidates differing only in
    // their seeds are recognised as one.
    let start = synth.seed();
    let mut end = start;
    for variant in Variant::ALL {
        synth.variants.insert(relation.name.clone(), variant);
        synth.rewind(start);
        let mut chain = Chain::default();
        match synth.row(&relation.name, &Wanted::default(), &mut chain) {
            Ok(_) => {
                let mut steps: Vec<Step> = chain.inserts().into_iter().map(Step::setup).collect();
                steps.push(Step::probe("SET CONSTRAINTS ALL IMMEDIATE".into()));
                let same = candidates.iter().any(|(_, planned)| planned.steps == steps);
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
        return Err(first_error.unwrap_or_else(|| "no row could be synthesized".into()));
    }
    Ok(candidates)
}

/// The variant of the first candidate the server accepted with its deferred constraints
/// checked, else of the first it accepted statement by statement, else why not.
fn decide(
    relation: &Relation,
    candidates: &[(Variant, Planned)],
    answers: &[Result<runner::Answer, String>],
) -> Result<Variant, String> {
    let accepted = |fully: bool| {
        candidates
            .iter()
            .zip(answers)
            .find(|((_, planned), answer)| match answer {
                Ok(answer) if fully => answer.state.is_none(),
                Ok(answer) => answer.step == planned.steps.len(),
                Err(_) => false,
            })
            .map(|((variant, _), _)| *variant)
    };
    if let Some(variant) = accepted(true).or_else(|| accepted(false)) {
        return Ok(variant);
    }
    match answers.first() {
        Some(Ok(answer)) => Err(format!(
            "the server refused the row pgparity synthesized for {}: {} ({})",
            relation.name,
            answer.message,
            runner::with_name(answer.state.as_deref().unwrap_or_default())
        )),
        Some(Err(message)) => Err(message.clone()),
        None => Err("the probe function returned no answer".into()),
    }
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

/// What the probes of one call share: the statements run once before them, and the
/// table's valid row (whose refusal skips them all).
#[derive(Default)]
struct Batch<'a> {
    shared: Vec<String>,
    valid: Option<&'a Result<Variant, String>>,
}

/// Runs `planned` (one call, and one more for each round of alternatives of the probes
/// still skipped) and adds the judged probes to `results`. A table whose valid row was
/// refused (`batch.valid`) has every probe skipped with the server's message.
fn run_planned(
    role: &mut Client,
    mut planned: Vec<Planned>,
    batch: &Batch,
    results: &mut ProbeResults,
    alternatives: &mut dyn FnMut() -> Vec<Vec<Planned>>,
) -> Result<(), LiveError> {
    let refused = batch.valid.and_then(|valid| valid.as_ref().err());
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
        let attempts: Vec<&Planned> = pending
            .iter()
            .map(|&index| attempt_of(&planned[index], attempt))
            .collect();
        let answers = run_attempts(role, &batch.shared, &attempts);
        if answers.is_err() {
            reconnect_if_closed(role)?;
        }
        let mut skipped = Vec::new();
        for (position, &index) in pending.iter().enumerate() {
            let outcome = match &answers {
                Ok(answers) => runner::judge(attempts[position], &answers[position]),
                Err(message) => ProbeOutcome::Skipped {
                    reason: format!(
                        "the probes of {} could not run: {message}",
                        attempts[position].relation
                    ),
                },
            };
            let was_skipped = matches!(outcome, ProbeOutcome::Skipped { .. });
            // The first attempt's reason is kept when no alternative decides.
            if attempt == 0 || !was_skipped {
                decided[index] = (attempt, outcome);
            }
            if was_skipped && answers.is_ok() {
                skipped.push(index);
            }
        }
        if attempt == 0 && !skipped.is_empty() {
            attach_alternatives(&mut planned, &skipped, alternatives());
        }
        pending = skipped
            .into_iter()
            .filter(|&index| attempt < planned[index].alternatives.len())
            .collect();
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

/// Runs `attempts`: those that share the table's rows in one call after `shared`, those
/// with their own parents in another; the answers in the order of `attempts`.
fn run_attempts(
    role: &mut Client,
    shared: &[String],
    attempts: &[&Planned],
) -> Result<Vec<runner::Answer>, String> {
    type Group<'p> = Vec<(usize, &'p Planned)>;
    let (own, sharing): (Group, Group) = attempts
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, probe)| probe.own_parents);
    let mut answers = vec![None; attempts.len()];
    for (group, shared) in [(sharing, shared), (own, &[][..])] {
        let probes: Vec<&Planned> = group.iter().map(|(_, probe)| *probe).collect();
        let group_answers = runner::run_batch(role, shared, &probes)?;
        for ((index, _), answer) in group.into_iter().zip(group_answers) {
            answers[index] = Some(answer);
        }
    }
    Ok(answers.into_iter().flatten().collect())
}

/// Gives the probes at `indexes` their counterparts in `others` (the same probes made
/// with other valid rows) where those differ and can run.
fn attach_alternatives(planned: &mut [Planned], indexes: &[usize], others: Vec<Vec<Planned>>) {
    for other in others {
        if other.len() != planned.len() {
            continue;
        }
        for (index, alternative) in other.into_iter().enumerate() {
            let probe = &mut planned[index];
            let differs = alternative.skip.is_none() && alternative.steps != probe.steps;
            if indexes.contains(&index) && differs && alternative.description == probe.description {
                probe.alternatives.push(alternative);
            }
        }
    }
}

/// The probe itself (attempt 0) or its alternative `attempt - 1`.
fn attempt_of(probe: &Planned, attempt: usize) -> &Planned {
    match attempt.checked_sub(1) {
        None => probe,
        Some(index) => probe.alternatives.get(index).unwrap_or(probe),
    }
}
