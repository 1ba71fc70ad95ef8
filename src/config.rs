//! `pgparity.toml`: paths, schemas in scope, rule severities and suppressions.
//!
//! Precedence is file < flags: a flag given on the command line replaces the file's
//! value (`--contracts` adds to the mapping's contracts). Paths in the file are relative
//! to the file's folder.

use crate::input::{read_text, InputError, InputLimits};
use crate::model::{display_path, Location};
use crate::rules::{self, Rule, Severity};
use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The configuration file name looked for in the current folder and its parents.
pub const CONFIG_FILE_NAME: &str = "pgparity.toml";

/// A configuration that cannot be used; the run stops with exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (missing, not a regular file, too large, not UTF-8).
    #[error(transparent)]
    Unreadable(#[from] InputError),
    /// The file is not valid TOML or has an unknown or mistyped key.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The parser's message, which names line and column.
        message: String,
    },
    /// A value is not acceptable (unknown rule, bad severity, bad glob, bad date).
    #[error("{location}: {message}")]
    BadValue {
        /// Where the value is.
        location: Location,
        /// What is wrong and what to write instead.
        message: String,
    },
}

/// When the run fails (exit code 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailOn {
    /// Findings at error level fail the run (the default).
    #[default]
    Error,
    /// Warnings or errors fail the run.
    Warning,
    /// Any finding fails the run.
    Info,
    /// Never fail because of findings.
    Never,
}

impl FailOn {
    /// Parses `error`, `warning`, `info` or `never`.
    pub fn parse(text: &str) -> Option<FailOn> {
        match text {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "info" => Some(FailOn::Info),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    /// The lowest severity that fails the run, if any does.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    /// The rule does not run.
    Off,
    /// The rule reports at this severity.
    At(Severity),
}

/// One `[[suppress]]` entry.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Rule id it applies to.
    pub rule: String,
    /// Object glob as written (`public.idx_*`).
    pub object: String,
    /// Why the finding is accepted (mandatory).
    pub reason: String,
    /// Last day the suppression applies, if it expires.
    pub until: Option<NaiveDate>,
    /// Where the entry is.
    pub location: Location,
    matcher: GlobMatcher,
}

impl Suppression {
    /// Whether this suppression covers a finding of `rule` on `object`.
    pub fn matches(&self, rule: &str, object: &str) -> bool {
        self.rule == rule && self.matcher.is_match(object)
    }

    /// Whether the suppression has expired on `today`.
    pub fn expired(&self, today: NaiveDate) -> bool {
        self.until.is_some_and(|until| today > until)
    }
}

/// The configuration after reading the file (flags are applied by the caller).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, if one was found.
    pub path: Option<PathBuf>,
    /// Spec files or folders.
    pub specs: Vec<PathBuf>,
    /// Contract files or folders (besides those the mapping names).
    pub contracts: Vec<PathBuf>,
    /// The mapping file.
    pub mapping: Option<PathBuf>,
    /// Schemas in scope; the first is where unqualified names live.
    pub schemas: Vec<String>,
    /// When the run fails.
    pub fail_on: Option<FailOn>,
    /// Configured rule levels by rule id.
    pub rule_levels: BTreeMap<String, RuleLevel>,
    /// Suppressions in file order.
    pub suppressions: Vec<Suppression>,
    /// `unused-index` is info only while statistics are younger than this (days).
    pub unused_index_min_stats_days: i64,
    /// How much of each input file pgparity reads (`max_input_mib`).
    pub input_limits: InputLimits,
    /// The folders contract files and their `$ref`s must stay inside
    /// (`contract_roots`); `None` means the project folder (see
    /// [`Config::contract_roots`]).
    pub contract_roots: Option<Vec<PathBuf>>,
    /// `[dev_db] extensions`: the extensions `--dev-db` creates when the specs ask for
    /// them; `None` means the server's trusted extensions.
    pub dev_db_extensions: Option<Vec<String>>,
}

/// The largest `max_input_mib` accepted (1 TiB): past it the number is a typo.
const MAX_INPUT_MIB_CEILING: u64 = 1 << 20;

/// Default of `unused_index_min_stats_days`.
pub const DEFAULT_MIN_STATS_DAYS: i64 = 7;

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            specs: Vec::new(),
            contracts: Vec::new(),
            mapping: None,
            schemas: Vec::new(),
            fail_on: None,
            rule_levels: BTreeMap::new(),
            suppressions: Vec::new(),
            unused_index_min_stats_days: DEFAULT_MIN_STATS_DAYS,
            input_limits: InputLimits::default(),
            contract_roots: None,
            dev_db_extensions: None,
        }
    }
}

impl Config {
    /// Finds `pgparity.toml` in `start` or its parents and reads it; an empty
    /// configuration when there is none.
    pub fn discover(start: &Path) -> Result<Config, ConfigError> {
        let mut relative = PathBuf::from(".");
        let mut folder = start.to_path_buf();
        loop {
            if folder.join(CONFIG_FILE_NAME).symlink_metadata().is_ok() {
                return Config::load(&relative.join(CONFIG_FILE_NAME));
            }
            if !folder.pop() {
                return Ok(Config::default());
            }
            relative.push("..");
        }
    }

    /// Reads the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = display_path(path);
        let text = if is_empty_config(path) {
            String::new()
        } else {
            read_text(path, "configuration", InputLimits::default())?
        };
        let file: ConfigFile = toml::from_str(&text).map_err(|error| ConfigError::Invalid {
            path: shown.clone(),
            message: error.to_string().trim_end().to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve =
            |paths: Vec<String>| paths.into_iter().map(|p| base.join(p)).collect::<Vec<_>>();
        let locate = |span: std::ops::Range<usize>| location_of(&shown, &text, span.start);

        let fail_on = match file.fail_on {
            Some(value) => {
                Some(
                    FailOn::parse(value.get_ref()).ok_or_else(|| ConfigError::BadValue {
                        location: locate(value.span()),
                        message: format!(
                            "fail_on = {:?} is not one of error, warning, info, never",
                            value.get_ref()
                        ),
                    })?,
                )
            }
            None => None,
        };

        let mut rule_levels = BTreeMap::new();
        for (rule, level) in file.rules {
            if rules::by_id(&rule).is_none() {
                return Err(ConfigError::BadValue {
                    location: locate(level.span()),
                    message: format!(
                        "unknown rule {rule:?} under [rules]; `pgparity rules` lists them"
                    ),
                });
            }
            let parsed = match level.get_ref().as_str() {
                "off" => RuleLevel::Off,
                other => {
                    RuleLevel::At(Severity::parse(other).ok_or_else(|| ConfigError::BadValue {
                        location: locate(level.span()),
                        message: format!(
                            "{rule} = {other:?}: write \"error\", \"warning\", \"info\" or \"off\""
                        ),
                    })?)
                }
            };
            rule_levels.insert(rule, parsed);
        }

        let mut suppressions = Vec::new();
        for entry in file.suppress {
            let location = locate(entry.span());
            let entry = entry.into_inner();
            if rules::by_id(&entry.rule).is_none() {
                return Err(ConfigError::BadValue {
                    location,
                    message: format!(
                        "[[suppress]] names unknown rule {:?}; `pgparity rules` lists them",
                        entry.rule
                    ),
                });
            }
            if entry.reason.trim().is_empty() {
                return Err(ConfigError::BadValue {
                    location,
                    message:
                        "[[suppress]] needs a non-empty reason: say why this finding is accepted"
                            .into(),
                });
            }
            let matcher = Glob::new(&entry.object)
                .map_err(|error| ConfigError::BadValue {
                    location: location.clone(),
                    message: format!(
                        "[[suppress]] object {:?} is not a valid glob: {error}",
                        entry.object
                    ),
                })?
                .compile_matcher();
            let until = match &entry.until {
                None => None,
                Some(value) => {
                    let text = match value {
                        toml::Value::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    Some(NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                        ConfigError::BadValue {
                            location: location.clone(),
                            message: format!(
                                "[[suppress]] until = {text}: write a date as YYYY-MM-DD"
                            ),
                        }
                    })?)
                }
            };
            suppressions.push(Suppression {
                rule: entry.rule,
                object: entry.object,
                reason: entry.reason,
                until,
                location,
                matcher,
            });
        }

        let input_limits = match file.max_input_mib {
            None => InputLimits::default(),
            Some(mebibytes) => {
                let max_bytes = u64::try_from(*mebibytes.get_ref())
                    .ok()
                    .filter(|&mebibytes| (1..=MAX_INPUT_MIB_CEILING).contains(&mebibytes))
                    .ok_or_else(|| ConfigError::BadValue {
                        location: locate(mebibytes.span()),
                        message: format!(
                            "max_input_mib = {}: write a whole number of MiB from 1 to {MAX_INPUT_MIB_CEILING}",
                            mebibytes.get_ref()
                        ),
                    })?
                    << 20;
                InputLimits { max_bytes }
            }
        };

        Ok(Config {
            path: Some(path.to_path_buf()),
            specs: resolve(file.specs.unwrap_or_default()),
            contracts: resolve(file.contracts.unwrap_or_default()),
            mapping: file.mapping.map(|mapping| base.join(mapping)),
            schemas: file.schemas.unwrap_or_default(),
            fail_on,
            rule_levels,
            suppressions,
            unused_index_min_stats_days: file
                .unused_index_min_stats_days
                .unwrap_or(DEFAULT_MIN_STATS_DAYS),
            input_limits,
            contract_roots: file.contract_roots.map(resolve),
            dev_db_extensions: file.dev_db.and_then(|section| section.extensions),
        })
    }

    /// The folders contract files and their `$ref`s must stay inside: `contract_roots`
    /// when set, else the folder of `pgparity.toml`, else `working_dir`.
    pub fn contract_roots(&self, working_dir: &Path) -> Vec<PathBuf> {
        if let Some(roots) = &self.contract_roots {
            return roots.clone();
        }
        let folder = self
            .path
            .as_deref()
            .filter(|path| !is_empty_config(path))
            .and_then(Path::parent)
            .filter(|parent| !parent.as_os_str().is_empty());
        let project = folder.map_or_else(
            || working_dir.to_path_buf(),
            |folder| working_dir.join(folder),
        );
        vec![enclosing_work_tree(&project).unwrap_or(project)]
    }

    /// The level a rule runs at: configured, else its default.
    pub fn level(&self, rule: &Rule) -> RuleLevel {
        self.rule_levels
            .get(rule.id)
            .copied()
            .unwrap_or(RuleLevel::At(rule.default_severity))
    }
}

/// The top of the git work tree `folder` is in (the nearest folder at or above it holding
/// a `.git` folder or file), if any. A pull request can change every file of its
/// repository, so confining contracts to the repository rather than to the config's own
/// folder guards the same boundary, and a config kept in `db/` may name `api/` contracts.
fn enclosing_work_tree(folder: &Path) -> Option<PathBuf> {
    folder
        .ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
        .map(Path::to_path_buf)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    specs: Option<Vec<String>>,
    contracts: Option<Vec<String>>,
    mapping: Option<String>,
    schemas: Option<Vec<String>>,
    fail_on: Option<Spanned<String>>,
    unused_index_min_stats_days: Option<i64>,
    max_input_mib: Option<Spanned<i64>>,
    contract_roots: Option<Vec<String>>,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    suppress: Vec<Spanned<SuppressionEntry>>,
    dev_db: Option<DevDbSection>,
}

/// `[dev_db]`: what `--dev-db` may do besides applying schema statements.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DevDbSection {
    extensions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuppressionEntry {
    rule: String,
    object: String,
    reason: String,
    until: Option<toml::Value>,
}

/// `--config /dev/null` means "no configuration", as scripts and tests write it: the one
/// special file read (as empty), and no project folder of its own.
fn is_empty_config(path: &Path) -> bool {
    path == Path::new("/dev/null")
}

fn location_of(path: &str, text: &str, offset: usize) -> Location {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(0, |tail| tail.chars().count())
        + 1;
    Location::new(path, line as u32, column as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Config, ConfigError> {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("pgparity-config-{}-{call}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pgparity.toml");
        std::fs::write(&path, text).unwrap();
        let result = Config::load(&path);
        std::fs::remove_dir_all(&dir).ok();
        result
    }

    #[test]
    fn reads_paths_levels_and_suppressions() {
        let config = load_text(
            "specs = [\"specs\"]\nschemas = [\"public\"]\nfail_on = \"warning\"\n[rules]\nredundant-index = \"off\"\n\n[[suppress]]\nrule = \"speculative-index\"\nobject = \"public.idx_*\"\nreason = \"legacy\"\nuntil = 2030-01-31\n",
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(FailOn::Warning));
        assert!(config.specs[0].ends_with("specs"));
        assert_eq!(config.rule_levels["redundant-index"], RuleLevel::Off);
        let suppression = &config.suppressions[0];
        assert!(suppression.matches("speculative-index", "public.idx_a"));
        assert!(!suppression.matches("speculative-index", "audit.idx_a"));
        assert_eq!(suppression.until, NaiveDate::from_ymd_opt(2030, 1, 31));
        assert_eq!(suppression.location.line, 7);
    }

    #[test]
    fn rejects_unknown_keys_rules_and_missing_reasons() {
        let unknown_key = load_text("spec = [\"x\"]\n").unwrap_err().to_string();
        assert!(unknown_key.contains("spec"), "{unknown_key}");
        let unknown_rule = load_text("[rules]\nno-such-rule = \"error\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            unknown_rule.contains(":2:") && unknown_rule.contains("no-such-rule"),
            "{unknown_rule}"
        );
        let no_reason = load_text(
            "[[suppress]]\nrule = \"speculative-index\"\nobject = \"*\"\nreason = \" \"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(no_reason.contains("reason"), "{no_reason}");
        let bad_level = load_text("[rules]\nredundant-index = \"loud\"\n")
            .unwrap_err()
            .to_string();
        assert!(bad_level.contains("loud"), "{bad_level}");
    }

    #[test]
    fn input_limit_and_contract_roots() {
        let config =
            load_text("max_input_mib = 2\ncontract_roots = [\"api\", \"shared\"]\n").unwrap();
        assert_eq!(config.input_limits.max_bytes, 2 << 20);
        let roots = config.contract_roots(Path::new("/work"));
        assert_eq!(roots.len(), 2);
        assert!(roots[0].ends_with("api") && roots[1].ends_with("shared"));
        let defaults = load_text("").unwrap();
        assert_eq!(defaults.input_limits, InputLimits::default());
        let root = defaults.contract_roots(Path::new("/work"));
        assert_eq!(root.len(), 1);
        let folder = defaults.path.as_deref().and_then(Path::parent).unwrap();
        assert_eq!(
            root,
            [Path::new("/work").join(folder)],
            "the config's folder"
        );
        assert_eq!(
            Config::default().contract_roots(Path::new("/work")),
            [PathBuf::from("/work")]
        );
        let repository =
            std::env::temp_dir().join(format!("pgparity-roots-{}", std::process::id()));
        std::fs::create_dir_all(repository.join(".git")).unwrap();
        std::fs::create_dir_all(repository.join("db")).unwrap();
        assert_eq!(
            Config::default().contract_roots(&repository.join("db")),
            std::slice::from_ref(&repository),
            "inside a git work tree, the work tree"
        );
        std::fs::remove_dir_all(&repository).unwrap();
        let zero = load_text("max_input_mib = 0\n").unwrap_err().to_string();
        assert!(
            zero.contains(":1:") && zero.contains("max_input_mib"),
            "{zero}"
        );
    }

    #[test]
    fn reads_the_dev_db_extensions_and_names_a_wrong_type() {
        let config = load_text("[dev_db]\nextensions = [\"pgcrypto\", \"citext\"]\n").unwrap();
        assert_eq!(
            config.dev_db_extensions,
            Some(vec!["pgcrypto".to_string(), "citext".to_string()])
        );
        assert_eq!(load_text("").unwrap().dev_db_extensions, None);
        let wrong = load_text("[dev_db]\nextensions = \"pgcrypto\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            wrong.contains("line 2") && wrong.contains("extensions") && wrong.contains("sequence"),
            "{wrong}"
        );
    }
}
