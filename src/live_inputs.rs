//! The live side of a run: a database (`--db`), a snapshot (`--snapshot`) or a scratch
//! database the specs are applied to (`--dev-db`), turned into catalogs the checks read.

use crate::config::Timeouts;
use crate::mapping::Mapping;
use crate::model::{
    Catalog, Location, ProbeResults, QualifiedName, RowSamples, SpecProblem, SpecProblemKind,
};
use crate::sources::live::{
    apply_to_scratch, check_declared, introspect_with, ConnectionSettings, ExtensionPolicy,
    LiveSession, Parallel, ProbeRequest, RefusedBy, SessionOptions,
};
use crate::sources::snapshot::Snapshot;
use crate::sources::spec::StatementSource;
use crate::timings;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the live side of a run read.
#[derive(Debug, Default)]
pub struct Live {
    /// The live catalog, when a database or snapshot was given.
    pub catalog: Option<Catalog>,
    /// Rows sampled from read models (`--sample-rows`).
    pub row_samples: Option<RowSamples>,
    /// Where it came from, for report headers (never with a password).
    pub target: Option<String>,
    /// What the probes found: `--probe` in the scratch database, the mapping's invariant
    /// queries and immutable tables' privileges in `--db`.
    pub probes: Option<ProbeResults>,
}

/// Session limits from the flags, else the defaults.
pub fn session_options(timeouts: &Timeouts) -> SessionOptions {
    let defaults = SessionOptions::default();
    SessionOptions {
        statement_timeout: timeouts
            .statement_timeout
            .unwrap_or(defaults.statement_timeout),
        lock_timeout: timeouts.lock_timeout.unwrap_or(defaults.lock_timeout),
        catalog_connections: timeouts
            .catalog_connections
            .unwrap_or(defaults.catalog_connections),
    }
}

/// Connection settings for `--db VALUE` (`""`: the environment alone), found as libpq
/// finds them. What libpq would warn about (a password file others can read, which is
/// then ignored) goes to stderr, as libpq prints it, whether or not stderr is a terminal.
pub fn settings_for(db: &str) -> Result<ConnectionSettings> {
    let explicit = Some(db).filter(|db| !db.is_empty());
    let settings = ConnectionSettings::from_environment(explicit)?;
    for warning in &settings.warnings {
        eprintln!("pgparity: warning: {warning}");
    }
    Ok(settings)
}

/// Introspects the database of `settings` in one read-only transaction, samples at
/// most `sample_rows` rows of every read model's relation (`read_models` names them,
/// given the live catalog: declared read models, and those inferred from evidence, which
/// may be in the database's comments), and runs the mapping's invariant queries and reads
/// its immutable tables' privileges, in the same transaction.
pub fn read_database(
    settings: &ConnectionSettings,
    options: &SessionOptions,
    schemas: &[String],
    read_models: &dyn Fn(&Catalog) -> BTreeSet<QualifiedName>,
    mapping: Option<&Mapping>,
    sample_rows: Option<u32>,
    progress: &dyn Fn(&str),
) -> Result<Live> {
    progress(&format!("connecting to {}", settings.target()));
    let timing = timings::phase("connect");
    let mut session = LiveSession::connect(settings, options)?;
    drop(timing);
    progress(&format!("introspecting schemas {}", schemas.join(", ")));
    let parallel = Parallel {
        settings,
        options: *options,
        connections: options.catalog_connections,
    };
    let introspection = introspect_with(&mut session, schemas, Some(parallel))?;
    for note in &introspection.notes {
        eprintln!("pgparity: note: {note}");
    }
    let catalog = introspection.catalog;
    progress(&format!("read {} relations", catalog.relations.len()));
    let row_samples = match sample_rows {
        Some(limit) => {
            let relations: BTreeSet<QualifiedName> = read_models(&catalog)
                .into_iter()
                .filter(|relation| catalog.relations.contains_key(relation))
                .collect();
            let mut samples = RowSamples::new();
            for relation in relations {
                progress(&format!("sampling up to {limit} rows of {relation}"));
                let rows = session
                    .sample_rows(&relation, limit)?
                    .iter()
                    .map(|text| serde_json::from_str(text))
                    .collect::<Result<Vec<serde_json::Value>, _>>()
                    .with_context(|| format!("row_to_json of {relation} did not return JSON"))?;
                samples.insert(relation, rows);
            }
            Some(samples)
        }
        None => None,
    };
    let probes = match mapping {
        Some(mapping) => {
            if !mapping.invariants.is_empty() || !mapping.immutable.is_empty() {
                progress("running the mapping's invariant queries and reading immutable tables' privileges");
            }
            check_declared(&mut session, mapping)?
        }
        None => None,
    };
    Ok(Live {
        catalog: Some(catalog),
        row_samples,
        target: Some(session.target().to_string()),
        probes,
    })
}

/// Reads a snapshot file (within `limits`) as the live side of a run whose unqualified
/// names live in `default_schema`.
pub fn read_snapshot(
    path: &Path,
    limits: crate::input::InputLimits,
    default_schema: &str,
) -> Result<Live> {
    let snapshot = Snapshot::read(path, limits, default_schema)?;
    Ok(Live {
        catalog: Some(snapshot.catalog),
        row_samples: None,
        probes: None,
        target: Some(format!(
            "snapshot {} of {} taken {}",
            path.display(),
            snapshot.target,
            snapshot.taken_at
        )),
    })
}

/// What applying the specs to a scratch database found, for the caller to merge into
/// the specs: see [`crate::sources::dev::enrich_from_dev`].
#[derive(Debug)]
pub struct DevApplied {
    /// The catalog read back from the scratch database.
    pub catalog: Catalog,
    /// The statements that were refused, as spec problems.
    pub problems: Vec<SpecProblem>,
    /// What the probes found, when `probe` was given.
    pub probes: Option<ProbeResults>,
}

/// Applies the spec statements `sources` to a scratch database on the server of
/// `settings`, and returns what the server made of them and the statements it (or
/// pgparity) refused. `extensions` is `[dev_db] extensions` (`None`: the server's
/// trusted ones). With `probe`, the probes run in the scratch database before it is
/// dropped (`--probe`).
pub fn apply_specs_to_dev_database(
    sources: &[StatementSource],
    settings: &ConnectionSettings,
    options: &SessionOptions,
    extensions: Option<&[String]>,
    schemas: &[String],
    probe: Option<&ProbeRequest>,
    progress: &dyn Fn(&str),
) -> Result<DevApplied> {
    match probe.and_then(|request| request.template) {
        Some(template) => progress(&format!(
            "copying the database {template} to a scratch database on {}",
            settings.target()
        )),
        None => progress(&format!(
            "applying {} spec statements to a scratch database on {}",
            sources.len(),
            settings.target()
        )),
    }
    let policy = extensions.map_or(ExtensionPolicy::ServerTrusted, |names| {
        ExtensionPolicy::Only(names.to_vec())
    });
    if probe.is_some() {
        progress(
            "probing the constraints, invariants and tenant isolation in the scratch database",
        );
    }
    let dev = apply_to_scratch(settings, options, &policy, sources, schemas, probe)
        .context("cannot use the --dev-db server")?;
    for swept in &dev.swept {
        progress(&format!(
            "dropped {swept}, a scratch database or role left by an earlier run"
        ));
    }
    let mut problems = Vec::new();
    let mut missing_roles: BTreeMap<String, (Location, usize)> = BTreeMap::new();
    for rejected in dev.rejected {
        let kind = match rejected.by {
            RefusedBy::Server => match missing_role(&rejected.message) {
                Some(role) => {
                    missing_roles
                        .entry(role.to_string())
                        .or_insert_with(|| (rejected.location.clone(), 0))
                        .1 += 1;
                    continue;
                }
                None => SpecProblemKind::Rejected {
                    message: rejected.message,
                },
            },
            RefusedBy::Pgparity => SpecProblemKind::NotApplied {
                reason: rejected.message,
            },
        };
        problems.push(SpecProblem {
            kind,
            location: rejected.location,
        });
    }
    for (role, (location, statements)) in missing_roles {
        problems.push(SpecProblem {
            kind: SpecProblemKind::RoleMissingOnDevServer { role, statements },
            location,
        });
    }
    Ok(DevApplied {
        catalog: dev.catalog,
        problems,
        probes: dev.probes,
    })
}

/// The role of the server's `role "x" does not exist`: the dev server lacks a role the
/// specs assume, which is not a defect of the specs.
fn missing_role(message: &str) -> Option<&str> {
    message
        .strip_prefix("role \"")?
        .strip_suffix("\" does not exist")
}
