//! What one run needs, resolved from `pgparity.toml` and the command line. The library's
//! entry points ([`crate::app::check`], [`crate::app::snapshot`]) take these plain
//! requests; the binary fills the overrides from its flags and knows nothing of the file.

use super::{find, Config, ConfigError, ConfigErrors, ConfiguredPath, FailOn};
use crate::model::display_path;
use crate::report::{ColorChoice, Format};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Limits of every query pgparity runs against a database; `None` keeps the default
/// (see [`crate::live_inputs::session_options`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timeouts {
    /// `statement_timeout`; zero means no limit, as in PostgreSQL.
    pub statement_timeout: Option<Duration>,
    /// `lock_timeout`; zero means no limit, as in PostgreSQL.
    pub lock_timeout: Option<Duration>,
    /// Connections that read the catalog (1: a single connection, for poolers that
    /// cannot share a snapshot between connections).
    pub catalog_connections: Option<usize>,
}

/// Where the live side of a check comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSource {
    /// A database: a PostgreSQL URL or `key=value` string, or empty for the environment
    /// alone (DATABASE_URL, the libpq variables).
    Database(String),
    /// A snapshot file written by `pgparity snapshot`.
    Snapshot(PathBuf),
}

/// The command line of `pgparity check`: the values that replace or add to the file's,
/// and the options only the command line sets.
#[derive(Debug, Clone, Default)]
pub struct CheckOverrides {
    /// The configuration file; `None` looks for `pgparity.toml` in the working directory
    /// and its parents.
    pub config: Option<PathBuf>,
    /// Spec files or folders; when any is given, they replace the file's.
    pub specs: Vec<PathBuf>,
    /// The mapping file, replacing the file's.
    pub mapping: Option<PathBuf>,
    /// Index plan files (Markdown or YAML); when any is given, they replace the file's.
    pub index_plan: Vec<PathBuf>,
    /// Contract files or folders, added to the mapping's and the file's.
    pub contracts: Vec<PathBuf>,
    /// Schemas in scope; when any is given, they replace the file's.
    pub schemas: Vec<String>,
    /// The live side, if any.
    pub live: Option<LiveSource>,
    /// The server on which the specs are applied to a scratch database (`--dev-db`).
    pub dev_db: Option<String>,
    /// Probe the scratch database (`--probe`).
    pub probe: bool,
    /// Probe a copy of this database instead of the specs applied to an empty one
    /// (`--probe-template`).
    pub probe_template: Option<String>,
    /// Rows of each read model's relation to validate against its DTO.
    pub sample_rows: Option<u32>,
    /// Query limits.
    pub timeouts: Timeouts,
    /// When the run fails, replacing the file's `fail_on`.
    pub fail_on: Option<FailOn>,
    /// The report's format.
    pub format: Format,
    /// Colour in text output.
    pub color: ColorChoice,
    /// Where the report goes; `None` is standard output.
    pub output: Option<PathBuf>,
    /// The baseline whose findings are not reported.
    pub baseline: Option<PathBuf>,
    /// Where to record this run's findings as a baseline.
    pub write_baseline: Option<PathBuf>,
    /// Rewrite `baseline` without the entries this run found stale.
    pub prune_baseline: bool,
    /// Where to write the fixes of the drift findings as one SQL script.
    pub fix_sql: Option<PathBuf>,
}

/// Everything `pgparity check` needs: the file's values with the flags applied.
#[derive(Debug, Clone)]
pub struct CheckRequest {
    /// The configuration file as read: rule levels, suppressions, input limits,
    /// `[dev_db]` extensions, the statistics age of `unused-index`, its path.
    pub config: Config,
    /// Spec files or folders.
    pub specs: Vec<PathBuf>,
    /// The mapping file.
    pub mapping: Option<PathBuf>,
    /// Index plan files (Markdown or YAML), besides the mapping's own plan.
    pub index_plan: Vec<PathBuf>,
    /// Contract files or folders: the file's, then the flags' (the mapping's own come
    /// first when it is read).
    pub contracts: Vec<PathBuf>,
    /// The folders contract files and their `$ref`s must stay inside.
    pub contract_roots: Vec<PathBuf>,
    /// Schemas in scope as given; empty means `public`.
    pub schemas: Vec<String>,
    /// The live side, if any.
    pub live: Option<LiveSource>,
    /// The `--dev-db` server, if any.
    pub dev_db: Option<String>,
    /// Whether the scratch database of `--dev-db` is probed: `--probe`, or `probe = true`
    /// in the file when `--dev-db` is given.
    pub probe: bool,
    /// The database of the `--dev-db` server whose copy is probed, instead of the specs
    /// applied to an empty one.
    pub probe_template: Option<String>,
    /// Rows of each read model's relation to validate against its DTO.
    pub sample_rows: Option<u32>,
    /// Query limits.
    pub timeouts: Timeouts,
    /// When the run fails.
    pub fail_on: FailOn,
    /// The report's format.
    pub format: Format,
    /// Colour in text output.
    pub color: ColorChoice,
    /// Where the report goes; `None` is standard output.
    pub output: Option<PathBuf>,
    /// The baseline whose findings are not reported.
    pub baseline: Option<PathBuf>,
    /// Where to record this run's findings as a baseline.
    pub write_baseline: Option<PathBuf>,
    /// Rewrite `baseline` without the entries this run found stale.
    pub prune_baseline: bool,
    /// Where to write the fixes of the drift findings as one SQL script.
    pub fix_sql: Option<PathBuf>,
}

impl CheckRequest {
    /// Where [`crate::app::CheckRun::baseline_to_write`] goes: the `--write-baseline`
    /// file, else (`--prune-baseline`) the `--baseline` file.
    pub fn baseline_destination(&self) -> Option<&Path> {
        self.write_baseline
            .as_deref()
            .or_else(|| self.baseline.as_deref().filter(|_| self.prune_baseline))
    }
}

/// The command line of `pgparity snapshot`.
#[derive(Debug, Clone, Default)]
pub struct SnapshotOverrides {
    /// The configuration file; `None` looks for `pgparity.toml`.
    pub config: Option<PathBuf>,
    /// The database: a connection string, or empty (or `None`) for the environment.
    pub db: Option<String>,
    /// Schemas to include; when any is given, they replace the file's.
    pub schemas: Vec<String>,
    /// Query limits.
    pub timeouts: Timeouts,
    /// Where the snapshot goes; `None` is standard output.
    pub output: Option<PathBuf>,
}

/// Everything `pgparity snapshot` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRequest {
    /// The database: a connection string, or empty for the environment alone.
    pub db: String,
    /// Schemas to include as given; empty means `public`.
    pub schemas: Vec<String>,
    /// Query limits.
    pub timeouts: Timeouts,
    /// Where the snapshot goes; `None` is standard output.
    pub output: Option<PathBuf>,
}

/// The request of `pgparity check` in `working_dir`: `pgparity.toml` (the given one, or
/// the one found from `working_dir` up) with `overrides` applied. Every problem of the
/// file is in the error, among them the spec and mapping paths it names that do not
/// exist when the run uses them.
///
/// `working_dir` is the directory the process runs in: relative paths (the flags', and
/// those of a file found above it, such as `../specs`) are relative to it, as reports
/// show them.
pub fn resolve_check(
    working_dir: &Path,
    overrides: CheckOverrides,
) -> Result<CheckRequest, ConfigErrors> {
    let (config, mut errors) = read_config(overrides.config.as_deref(), working_dir)?;
    let specs = if overrides.specs.is_empty() {
        for spec in &config.specs {
            require_existing(spec, "spec path", &mut errors);
        }
        config.specs.iter().map(|spec| spec.path.clone()).collect()
    } else {
        overrides.specs
    };
    let mapping = match overrides.mapping {
        Some(mapping) => Some(mapping),
        None => config.mapping.as_ref().map(|mapping| {
            require_existing(mapping, "mapping", &mut errors);
            mapping.path.clone()
        }),
    };
    let index_plan = if overrides.index_plan.is_empty() {
        for plan in &config.index_plan {
            require_existing(plan, "index plan", &mut errors);
        }
        config
            .index_plan
            .iter()
            .map(|plan| plan.path.clone())
            .collect()
    } else {
        overrides.index_plan
    };
    if !errors.is_empty() {
        return Err(ConfigErrors::new(errors));
    }
    let contracts = config
        .contracts
        .iter()
        .map(|contract| contract.path.clone())
        .chain(overrides.contracts)
        .collect();
    Ok(CheckRequest {
        specs,
        mapping,
        index_plan,
        contracts,
        contract_roots: config.contract_roots(working_dir),
        schemas: if overrides.schemas.is_empty() {
            config.schemas.clone()
        } else {
            overrides.schemas
        },
        live: overrides.live,
        probe: overrides.dev_db.is_some() && (overrides.probe || config.probe),
        probe_template: overrides.probe_template,
        dev_db: overrides.dev_db,
        sample_rows: overrides.sample_rows,
        timeouts: overrides.timeouts,
        fail_on: overrides.fail_on.or(config.fail_on).unwrap_or_default(),
        format: overrides.format,
        color: overrides.color,
        output: overrides.output,
        baseline: overrides.baseline,
        write_baseline: overrides.write_baseline,
        prune_baseline: overrides.prune_baseline,
        fix_sql: overrides.fix_sql,
        config,
    })
}

/// The request of `pgparity snapshot` in `working_dir`: `pgparity.toml` (the given one,
/// or the one found) with `overrides` applied; every problem of the file is in the error.
pub fn resolve_snapshot(
    working_dir: &Path,
    overrides: SnapshotOverrides,
) -> Result<SnapshotRequest, ConfigErrors> {
    let (config, errors) = read_config(overrides.config.as_deref(), working_dir)?;
    if !errors.is_empty() {
        return Err(ConfigErrors::new(errors));
    }
    Ok(SnapshotRequest {
        db: overrides.db.unwrap_or_default(),
        schemas: if overrides.schemas.is_empty() {
            config.schemas
        } else {
            overrides.schemas
        },
        timeouts: overrides.timeouts,
        output: overrides.output,
    })
}

/// The configuration at `path`, else the one found from `working_dir` up, else an empty
/// one; with the problems of its values.
fn read_config(
    path: Option<&Path>,
    working_dir: &Path,
) -> Result<(Config, Vec<ConfigError>), ConfigErrors> {
    match path.map(Path::to_path_buf).or_else(|| find(working_dir)) {
        Some(path) => Config::read(&path),
        None => Ok((Config::default(), Vec::new())),
    }
}

/// Records a problem when the configured `path` (a `what`) does not exist. A link whose
/// target is missing is left to the loader, which names the target.
fn require_existing(path: &ConfiguredPath, what: &str, errors: &mut Vec<ConfigError>) {
    let missing = path
        .path
        .symlink_metadata()
        .is_err_and(|error| error.kind() == std::io::ErrorKind::NotFound);
    if missing {
        errors.push(ConfigError::BadValue {
            location: path.location.clone(),
            message: format!(
                "{what} {} does not exist: correct the path (paths in pgparity.toml are \
                 relative to its folder)",
                display_path(&path.path)
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch project folder holding `pgparity.toml` with `config`, a `specs` folder
    /// and a `mapping.yaml`.
    fn project(name: &str, config: &str) -> PathBuf {
        let folder =
            std::env::temp_dir().join(format!("pgparity-request-{}-{name}", std::process::id()));
        std::fs::create_dir_all(folder.join("specs")).unwrap();
        std::fs::create_dir_all(folder.join("sub")).unwrap();
        std::fs::write(folder.join("mapping.yaml"), "").unwrap();
        std::fs::write(folder.join("pgparity.toml"), config).unwrap();
        folder
    }

    fn lines(errors: &ConfigErrors) -> Vec<u32> {
        errors
            .errors
            .iter()
            .map(|error| match error {
                ConfigError::BadValue { location, .. } => location.line,
                other => panic!("not located: {other}"),
            })
            .collect()
    }

    #[test]
    fn flags_replace_the_files_values_and_contracts_add_to_them() {
        let folder = project(
            "flags",
            "specs = [\"specs\"]\nmapping = \"mapping.yaml\"\ncontracts = [\"api.yaml\"]\n\
             schemas = [\"app\"]\nfail_on = \"warning\"\n",
        );
        let config = Some(folder.join("pgparity.toml"));
        let from_file = resolve_check(
            &folder,
            CheckOverrides {
                config: config.clone(),
                ..CheckOverrides::default()
            },
        )
        .unwrap();
        assert_eq!(from_file.specs, [folder.join("specs")]);
        assert_eq!(from_file.mapping, Some(folder.join("mapping.yaml")));
        assert_eq!(from_file.contracts, [folder.join("api.yaml")]);
        assert_eq!(from_file.schemas, ["app"]);
        assert_eq!(from_file.fail_on, FailOn::Warning);
        assert_eq!(from_file.format, Format::Text);

        let flagged = resolve_check(
            &folder,
            CheckOverrides {
                config,
                specs: vec![PathBuf::from("other.sql")],
                mapping: Some(PathBuf::from("other.yaml")),
                contracts: vec![PathBuf::from("extra.json")],
                schemas: vec!["audit".into()],
                fail_on: Some(FailOn::Never),
                format: Format::Sarif,
                live: Some(LiveSource::Snapshot(PathBuf::from("snap.json"))),
                ..CheckOverrides::default()
            },
        )
        .unwrap();
        assert_eq!(flagged.specs, [PathBuf::from("other.sql")]);
        assert_eq!(flagged.mapping, Some(PathBuf::from("other.yaml")));
        assert_eq!(
            flagged.contracts,
            [folder.join("api.yaml"), PathBuf::from("extra.json")]
        );
        assert_eq!(flagged.schemas, ["audit"]);
        assert_eq!(flagged.fail_on, FailOn::Never);
        assert_eq!(flagged.format, Format::Sarif);
        assert_eq!(
            flagged.live,
            Some(LiveSource::Snapshot(PathBuf::from("snap.json")))
        );
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn the_file_is_found_from_the_working_directory_up() {
        let folder = project("discover", "");
        assert_eq!(
            find(&folder.join("sub")),
            Some(PathBuf::from("./../pgparity.toml"))
        );
        std::fs::remove_dir_all(&folder).unwrap();
        // Tests run in the repository, whose pgparity.toml is the bundled example's.
        let here = std::env::current_dir().unwrap();
        let request = resolve_check(&here, CheckOverrides::default()).unwrap();
        assert_eq!(
            request.config.path.as_deref(),
            Some(Path::new("./pgparity.toml"))
        );
        assert_eq!(request.specs, [PathBuf::from("./specs")]);
        let snapshot = resolve_snapshot(&here, SnapshotOverrides::default()).unwrap();
        assert_eq!(snapshot.schemas, ["public"]);
        assert_eq!(snapshot.db, "");
    }

    #[test]
    fn missing_paths_are_problems_only_where_the_run_reads_them() {
        let folder = project(
            "missing",
            "specs = [\"specs\", \"gone\"]\nmapping = \"gone.yaml\"\nfail_on = \"often\"\n",
        );
        let config = Some(folder.join("pgparity.toml"));
        let errors = resolve_check(
            &folder,
            CheckOverrides {
                config: config.clone(),
                ..CheckOverrides::default()
            },
        )
        .unwrap_err();
        assert_eq!(lines(&errors), [1, 2, 3], "{errors}");
        let shown = errors.to_string();
        assert!(
            shown.contains(":1:19: spec path ") && shown.contains("gone does not exist"),
            "{shown}"
        );
        assert!(shown.contains("gone.yaml does not exist"), "{shown}");

        let errors = resolve_check(
            &folder,
            CheckOverrides {
                config: config.clone(),
                specs: vec![PathBuf::from("elsewhere")],
                mapping: Some(PathBuf::from("elsewhere.yaml")),
                ..CheckOverrides::default()
            },
        )
        .unwrap_err();
        assert_eq!(lines(&errors), [3], "{errors}");
        let errors = resolve_snapshot(
            &folder,
            SnapshotOverrides {
                config,
                ..SnapshotOverrides::default()
            },
        )
        .unwrap_err();
        assert_eq!(lines(&errors), [3], "{errors}");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}
