//! `pgparity.toml`: paths, schemas in scope, rule severities and suppressions.
//!
//! Precedence is file < flags: a flag given on the command line replaces the file's
//! value (`--contracts` adds to the mapping's contracts). Paths in the file are relative
//! to the file's folder. [`resolve_check`] and [`resolve_snapshot`] combine the file and
//! the flags into the request the library's entry points take.
//!
//! Every problem in the file is reported, not the first only (as cargo-deny does): the
//! whole file is read, and each unknown key, mistyped or unacceptable value and missing
//! path becomes one [`ConfigError`] at its line.

mod request;

pub use request::{
    resolve_check, resolve_snapshot, CheckOverrides, CheckRequest, LiveSource, SnapshotOverrides,
    SnapshotRequest, Timeouts,
};

use crate::input::{read_text, InputError, InputLimits};
use crate::model::{display_path, Location};
use crate::rules::{self, Rule, Severity};
use crate::suggest::did_you_mean;
use chrono::NaiveDate;
use globset::{Glob, GlobMatcher};
use serde::de::{DeserializeOwned, IntoDeserializer};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

/// The configuration file name looked for in the current folder and its parents.
pub const CONFIG_FILE_NAME: &str = "pgparity.toml";

/// One problem of a configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read (missing, not a regular file, too large, not UTF-8).
    #[error(transparent)]
    Unreadable(#[from] InputError),
    /// The file is not valid TOML, at no place the parser could name.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
    /// A problem at a place in the file: TOML syntax, an unknown key, a value of the wrong
    /// type or not acceptable (unknown rule, bad severity, bad glob, bad date), a path
    /// that does not exist.
    #[error("{location}: {message}")]
    BadValue {
        /// Where the key or value is.
        location: Location,
        /// What is wrong and what to write instead.
        message: String,
    },
}

/// Every problem found in a configuration, in file order (never none); the run stops
/// with exit code 2. Displayed one problem per line.
#[derive(Debug)]
pub struct ConfigErrors {
    /// The problems.
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    /// `errors` in file order (keys are read in alphabetical order).
    fn new(mut errors: Vec<ConfigError>) -> ConfigErrors {
        errors.sort_by_key(|error| match error {
            ConfigError::BadValue { location, .. } => (location.line, location.column),
            ConfigError::Unreadable(_) | ConfigError::Invalid { .. } => (0, 0),
        });
        ConfigErrors { errors }
    }
}

impl From<ConfigError> for ConfigErrors {
    fn from(error: ConfigError) -> Self {
        ConfigErrors {
            errors: vec![error],
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

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

/// A path written in `pgparity.toml`, joined to the file's folder, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfiguredPath {
    /// The path, relative to the working directory when the file's folder is.
    pub path: PathBuf,
    /// Where the path is written.
    pub location: Location,
}

/// The configuration after reading the file (flags are applied by the caller).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, if one was found.
    pub path: Option<PathBuf>,
    /// Spec files or folders.
    pub specs: Vec<ConfiguredPath>,
    /// Contract files or folders (besides those the mapping names).
    pub contracts: Vec<ConfiguredPath>,
    /// The mapping file.
    pub mapping: Option<ConfiguredPath>,
    /// Index plan files (Markdown or YAML), besides the mapping's own plan.
    pub index_plan: Vec<ConfiguredPath>,
    /// Whether read models the mapping does not declare are inferred from evidence
    /// (`infer_read_models`, default true).
    pub infer_read_models: bool,
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
    /// `probe = true`: probe the scratch database whenever `--dev-db` is given.
    pub probe: bool,
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
            index_plan: Vec::new(),
            infer_read_models: true,
            schemas: Vec::new(),
            fail_on: None,
            rule_levels: BTreeMap::new(),
            suppressions: Vec::new(),
            unused_index_min_stats_days: DEFAULT_MIN_STATS_DAYS,
            input_limits: InputLimits::default(),
            contract_roots: None,
            dev_db_extensions: None,
            probe: false,
        }
    }
}

impl Config {
    /// Finds `pgparity.toml` in `start` or its parents and reads it; an empty
    /// configuration when there is none.
    pub fn discover(start: &Path) -> Result<Config, ConfigErrors> {
        match find(start) {
            Some(path) => Config::load(&path),
            None => Ok(Config::default()),
        }
    }

    /// Reads the configuration file at `path`; every problem in it is an error.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let (config, errors) = Config::read(path)?;
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ConfigErrors::new(errors))
        }
    }

    /// Reads the configuration file at `path` as far as it goes: the configuration of its
    /// acceptable values, and a problem for each other one. A file that cannot be read, or
    /// has more than one TOML syntax error, is an error at once.
    fn read(path: &Path) -> Result<(Config, Vec<ConfigError>), ConfigErrors> {
        let text = if is_empty_config(path) {
            String::new()
        } else {
            read_text(path, "configuration", InputLimits::default()).map_err(ConfigError::from)?
        };
        let mut reader = Reader {
            shown: display_path(path),
            text: &text,
            base: path.parent().unwrap_or(Path::new(".")),
            errors: Vec::new(),
        };
        let (document, syntax_errors) = DeTable::parse_recoverable(&text);
        // The parser recovers from a syntax error by guessing, and the errors after the
        // first are often echoes of it (an unclosed `[` makes every later line an array
        // element): only the first is sure. When it is the only one, the parser resumed
        // where the file meant, so the values are read as well.
        let syntax_error = match syntax_errors.first() {
            None => None,
            Some(error) => {
                let message = format!("TOML syntax: {}", error.message().trim_end());
                match error.span() {
                    Some(span) if syntax_errors.len() == 1 => Some((reader.locate(span), message)),
                    Some(span) => {
                        let location = reader.locate(span);
                        return Err(ConfigError::BadValue { location, message }.into());
                    }
                    None => {
                        let path = reader.shown.clone();
                        return Err(ConfigError::Invalid { path, message }.into());
                    }
                }
            }
        };
        let mut config = Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        };
        for (key, value) in document.into_inner() {
            match key.get_ref().as_ref() {
                "specs" => config.specs = reader.paths("specs", value),
                "contracts" => config.contracts = reader.paths("contracts", value),
                "mapping" => {
                    config.mapping = reader
                        .value::<Spanned<String>>(
                            "mapping",
                            value,
                            "write a path, e.g. \"mappings/contract_schema_mapping.yaml\"",
                        )
                        .and_then(|path| reader.configured_path("mapping", path));
                }
                "index_plan" => config.index_plan = reader.paths("index_plan", value),
                "infer_read_models" => {
                    if let Some(infer) =
                        reader.value("infer_read_models", value, "write true or false")
                    {
                        config.infer_read_models = infer;
                    }
                }
                "schemas" => {
                    config.schemas = reader
                        .value(
                            "schemas",
                            value,
                            "write a list of schema names, e.g. [\"public\"]",
                        )
                        .unwrap_or_default();
                }
                "fail_on" => config.fail_on = reader.fail_on(value),
                "unused_index_min_stats_days" => {
                    if let Some(days) = reader.value(
                        "unused_index_min_stats_days",
                        value,
                        "write a whole number of days, e.g. 7",
                    ) {
                        config.unused_index_min_stats_days = days;
                    }
                }
                "max_input_mib" => {
                    if let Some(limits) = reader.input_limits(value) {
                        config.input_limits = limits;
                    }
                }
                "contract_roots" => {
                    let roots = reader.paths("contract_roots", value);
                    config.contract_roots = Some(roots.into_iter().map(|root| root.path).collect());
                }
                "rules" => config.rule_levels = reader.rule_levels(value),
                "suppress" => config.suppressions = reader.suppressions(value),
                "dev_db" => config.dev_db_extensions = reader.dev_db_extensions(value),
                "probe" => {
                    if let Some(probe) = reader.value("probe", value, "write true or false") {
                        config.probe = probe;
                    }
                }
                _ => reader.unknown_key(&key, "", TOP_LEVEL_KEYS),
            }
        }
        if let Some((location, message)) = syntax_error {
            // The value the syntax error is in was read as the parser guessed it: the
            // syntax error is what is wrong there.
            reader.errors.retain(|error| match error {
                ConfigError::BadValue { location: at, .. } => *at != location,
                ConfigError::Unreadable(_) | ConfigError::Invalid { .. } => true,
            });
            reader
                .errors
                .push(ConfigError::BadValue { location, message });
        }
        Ok((config, reader.errors))
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

/// The keys of the file's top level.
const TOP_LEVEL_KEYS: &[&str] = &[
    "specs",
    "contracts",
    "mapping",
    "index_plan",
    "infer_read_models",
    "schemas",
    "fail_on",
    "unused_index_min_stats_days",
    "max_input_mib",
    "contract_roots",
    "rules",
    "suppress",
    "dev_db",
    "probe",
];

/// The keys of one `[[suppress]]` entry.
const SUPPRESS_KEYS: &[&str] = &["rule", "object", "reason", "until"];

/// The keys of `[dev_db]`: what `--dev-db` may do besides applying schema statements.
const DEV_DB_KEYS: &[&str] = &["extensions"];

/// `pgparity.toml` in `start` or its parents, as a path relative to `start`.
fn find(start: &Path) -> Option<PathBuf> {
    let mut relative = PathBuf::from(".");
    let mut folder = start.to_path_buf();
    loop {
        if folder.join(CONFIG_FILE_NAME).symlink_metadata().is_ok() {
            return Some(relative.join(CONFIG_FILE_NAME));
        }
        if !folder.pop() {
            return None;
        }
        relative.push("..");
    }
}

/// Reads the values of a parsed file, recording a problem for each one that is not
/// acceptable and going on with the next.
struct Reader<'t> {
    /// The file as shown in locations.
    shown: String,
    text: &'t str,
    /// The file's folder, which paths in it are relative to.
    base: &'t Path,
    errors: Vec<ConfigError>,
}

impl<'t> Reader<'t> {
    fn locate(&self, span: Range<usize>) -> Location {
        location_of(&self.shown, self.text, span.start)
    }

    fn problem(&mut self, span: Range<usize>, message: String) {
        let location = self.locate(span);
        self.errors
            .push(ConfigError::BadValue { location, message });
    }

    /// `value` as a `T`, or `None` after recording why it is not one; `key` names the
    /// value, `hint` says what to write.
    fn value<T: DeserializeOwned>(
        &mut self,
        key: &str,
        value: Spanned<DeValue<'t>>,
        hint: &str,
    ) -> Option<T> {
        let whole = value.span();
        T::deserialize(value.into_deserializer())
            .map_err(|error| {
                let span = error.span().unwrap_or(whole);
                self.problem(span, format!("{key}: {}; {hint}", error.message()));
            })
            .ok()
    }

    /// `value` as a table, or `None` after recording that `name` must be one.
    fn table(&mut self, name: &str, value: Spanned<DeValue<'t>>) -> Option<DeTable<'t>> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Table(table) => Some(table),
            other => {
                self.problem(
                    span,
                    format!(
                        "{name} is {}, not a table: write it as a `{name}` section",
                        article(other.type_str())
                    ),
                );
                None
            }
        }
    }

    fn unknown_key(&mut self, key: &Spanned<DeString<'t>>, section: &str, known: &[&str]) {
        let known = known
            .iter()
            .map(|key| format!("`{key}`"))
            .collect::<Vec<_>>()
            .join(", ");
        self.problem(
            key.span(),
            format!(
                "unknown key `{}`{section}: remove it or correct its spelling (the keys are \
                 {known})",
                key.get_ref()
            ),
        );
    }

    /// `path` joined to the file's folder; `None` after recording a problem when it is
    /// empty, which would otherwise name the file's own folder and read whatever is there.
    fn configured_path(&mut self, key: &str, path: Spanned<String>) -> Option<ConfiguredPath> {
        if path.get_ref().trim().is_empty() {
            self.problem(
                path.span(),
                format!("{key}: the path is empty; write the path of the file or folder, relative to pgparity.toml"),
            );
            return None;
        }
        Some(ConfiguredPath {
            location: self.locate(path.span()),
            path: self.base.join(path.into_inner()),
        })
    }

    /// A list of paths relative to the file's folder.
    fn paths(&mut self, key: &str, value: Spanned<DeValue<'t>>) -> Vec<ConfiguredPath> {
        self.value::<Vec<Spanned<String>>>(key, value, "write a list of paths, e.g. [\"db\"]")
            .unwrap_or_default()
            .into_iter()
            .filter_map(|path| self.configured_path(key, path))
            .collect()
    }

    fn fail_on(&mut self, value: Spanned<DeValue<'t>>) -> Option<FailOn> {
        let hint = "write \"error\", \"warning\", \"info\" or \"never\"";
        let text = self.value::<Spanned<String>>("fail_on", value, hint)?;
        let fail_on = FailOn::parse(text.get_ref());
        if fail_on.is_none() {
            self.problem(
                text.span(),
                format!(
                    "fail_on = {:?} is not one of error, warning, info, never",
                    text.get_ref()
                ),
            );
        }
        fail_on
    }

    fn input_limits(&mut self, value: Spanned<DeValue<'t>>) -> Option<InputLimits> {
        let hint = format!("write a whole number of MiB from 1 to {MAX_INPUT_MIB_CEILING}");
        let mebibytes = self.value::<Spanned<i64>>("max_input_mib", value, &hint)?;
        let accepted = u64::try_from(*mebibytes.get_ref())
            .ok()
            .filter(|&mebibytes| (1..=MAX_INPUT_MIB_CEILING).contains(&mebibytes));
        if accepted.is_none() {
            self.problem(
                mebibytes.span(),
                format!("max_input_mib = {}: {hint}", mebibytes.get_ref()),
            );
        }
        accepted.map(|mebibytes| InputLimits {
            max_bytes: mebibytes << 20,
        })
    }

    /// `[rules]`: a level for each known rule.
    fn rule_levels(&mut self, value: Spanned<DeValue<'t>>) -> BTreeMap<String, RuleLevel> {
        let mut levels = BTreeMap::new();
        let Some(table) = self.table("[rules]", value) else {
            return levels;
        };
        for (rule, level) in table {
            let rule = rule.into_inner().into_owned();
            let hint = "write \"error\", \"warning\", \"info\" or \"off\"";
            let Some(level) = self.value::<Spanned<String>>(&rule, level, hint) else {
                continue;
            };
            if rules::by_id(&rule).is_none() {
                self.problem(
                    level.span(),
                    format!(
                        "unknown rule {rule:?} under [rules]{}; `pgparity rules` lists them",
                        did_you_mean(&rule, rule_ids())
                    ),
                );
                continue;
            }
            let parsed = match level.get_ref().as_str() {
                "off" => Some(RuleLevel::Off),
                other => Severity::parse(other).map(RuleLevel::At),
            };
            match parsed {
                Some(parsed) => {
                    levels.insert(rule, parsed);
                }
                None => self.problem(
                    level.span(),
                    format!("{rule} = {:?}: {hint}", level.get_ref()),
                ),
            }
        }
        levels
    }

    /// Every `[[suppress]]` entry, in file order.
    fn suppressions(&mut self, value: Spanned<DeValue<'t>>) -> Vec<Suppression> {
        let span = value.span();
        match value.into_inner() {
            DeValue::Array(entries) => entries
                .iter()
                .filter_map(|entry| self.suppression(entry.clone()))
                .collect(),
            other => {
                self.problem(
                    span,
                    format!(
                        "suppress is {}, not a list of entries: write each as a \
                         `[[suppress]]` section",
                        article(other.type_str())
                    ),
                );
                Vec::new()
            }
        }
    }

    /// One `[[suppress]]` entry; `None` after recording each of its problems.
    fn suppression(&mut self, entry: Spanned<DeValue<'t>>) -> Option<Suppression> {
        let span = entry.span();
        let location = self.locate(span.clone());
        let table = self.table("[[suppress]]", entry)?;
        // `None`: the key is absent; `Some(None)`: present but not a string (recorded).
        let (mut rule, mut object, mut reason, mut until) = (None, None, None, None);
        for (key, value) in table {
            match key.get_ref().as_ref() {
                "rule" => {
                    let hint = "write a rule id; `pgparity rules` lists them";
                    rule = Some(self.value::<Spanned<String>>("[[suppress]] rule", value, hint));
                }
                "object" => {
                    let hint = "write an object glob, e.g. \"public.idx_*\"";
                    object =
                        Some(self.value::<Spanned<String>>("[[suppress]] object", value, hint));
                }
                "reason" => {
                    let hint = "say why this finding is accepted";
                    reason =
                        Some(self.value::<Spanned<String>>("[[suppress]] reason", value, hint));
                }
                "until" => until = Some(value),
                _ => self.unknown_key(&key, " in [[suppress]]", SUPPRESS_KEYS),
            }
        }
        let rule = match rule {
            None => {
                self.problem(
                    span.clone(),
                    "[[suppress]] has no rule: add `rule = \"<rule id>\"`; `pgparity rules` \
                     lists them"
                        .into(),
                );
                None
            }
            Some(Some(rule)) if rules::by_id(rule.get_ref()).is_none() => {
                self.problem(
                    rule.span(),
                    format!(
                        "[[suppress]] names unknown rule {:?}{}; `pgparity rules` lists them",
                        rule.get_ref(),
                        did_you_mean(rule.get_ref(), rule_ids())
                    ),
                );
                None
            }
            Some(rule) => rule.map(Spanned::into_inner),
        };
        let object = match object {
            None => {
                self.problem(
                    span.clone(),
                    "[[suppress]] has no object: add `object = \"<glob>\"`, e.g. \"public.idx_*\""
                        .into(),
                );
                None
            }
            Some(object) => object.and_then(|object| match Glob::new(object.get_ref()) {
                Ok(glob) => Some((object.into_inner(), glob.compile_matcher())),
                Err(error) => {
                    self.problem(
                        object.span(),
                        format!(
                            "[[suppress]] object {:?} is not a valid glob: {error}",
                            object.get_ref()
                        ),
                    );
                    None
                }
            }),
        };
        let no_reason = "[[suppress]] needs a non-empty reason: say why this finding is accepted";
        let reason = match reason {
            None => {
                self.problem(span, no_reason.into());
                None
            }
            Some(Some(reason)) if reason.get_ref().trim().is_empty() => {
                self.problem(reason.span(), no_reason.into());
                None
            }
            Some(reason) => reason.map(Spanned::into_inner),
        };
        let until = match until {
            None => Some(None),
            Some(value) => self.date(value).map(Some),
        };
        let ((rule, reason), ((object, matcher), until)) =
            rule.zip(reason).zip(object.zip(until))?;
        Some(Suppression {
            rule,
            object,
            reason,
            until,
            location,
            matcher,
        })
    }

    /// `until`: a TOML date or a string holding one.
    fn date(&mut self, value: Spanned<DeValue<'t>>) -> Option<NaiveDate> {
        let span = value.span();
        let text = match value.get_ref() {
            DeValue::String(text) => text.to_string(),
            DeValue::Datetime(datetime) => datetime.to_string(),
            _ => self.text[span.clone()].to_string(),
        };
        let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
        if date.is_none() {
            self.problem(
                span,
                format!("[[suppress]] until = {text}: write a date as YYYY-MM-DD"),
            );
        }
        date
    }

    /// `[dev_db] extensions`.
    fn dev_db_extensions(&mut self, value: Spanned<DeValue<'t>>) -> Option<Vec<String>> {
        let mut extensions = None;
        for (key, value) in self.table("[dev_db]", value)? {
            match key.get_ref().as_ref() {
                "extensions" => {
                    let hint = "write a list of extension names, e.g. [\"pgcrypto\"]";
                    extensions = self.value("[dev_db] extensions", value, hint);
                }
                _ => self.unknown_key(&key, " in [dev_db]", DEV_DB_KEYS),
            }
        }
        extensions
    }
}

/// `a table`, `an array`, `an integer`, … for a TOML type name.
fn article(type_name: &str) -> String {
    crate::finding::with_article(type_name)
}

/// `--config /dev/null` means "no configuration", as scripts and tests write it: the one
/// special file read (as empty), and no project folder of its own.
/// Every rule id, for "did you mean".
fn rule_ids() -> impl Iterator<Item = &'static str> {
    rules::all().iter().map(|rule| rule.id)
}

pub(crate) fn is_empty_config(path: &Path) -> bool {
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

    fn load_text(text: &str) -> Result<Config, ConfigErrors> {
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
        assert!(config.specs[0].path.ends_with("specs"));
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
            wrong.contains(":2:") && wrong.contains("extensions") && wrong.contains("sequence"),
            "{wrong}"
        );
    }

    /// The `file:line:column` of each problem, and its message.
    fn problems(text: &str) -> Vec<(u32, String)> {
        load_text(text)
            .unwrap_err()
            .errors
            .into_iter()
            .map(|error| match error {
                ConfigError::BadValue { location, message } => {
                    assert!(location.path.ends_with("pgparity.toml"), "{location}");
                    (location.line, message)
                }
                other => panic!("not located: {other}"),
            })
            .collect()
    }

    #[test]
    fn every_problem_is_reported_at_its_line_in_file_order() {
        let found = problems(
            "specs = [\"specs\"]\nfail_on = \"sometimes\"\ncolour = \"never\"\n\
             [rules]\nredundant-index = \"loud\"\nno-such-rule = \"off\"\n\
             [[suppress]]\nrule = \"speculative-index\"\nobject = \"public.[x\"\n\
             reason = \" \"\nuntil = \"2026-13-01\"\n\
             [[suppress]]\nrule = \"speculative-indexx\"\nreason = \"r\"\nobjekt = \"x\"\n\
             [dev_db]\nextensions = \"pgcrypto\"\n",
        );
        let expected: [(u32, &[&str]); 11] = [
            (2, &["fail_on", "sometimes", "error, warning, info, never"]),
            (3, &["unknown key `colour`", "`fail_on`"]),
            (5, &["redundant-index", "loud", "\"off\""]),
            (6, &["unknown rule \"no-such-rule\"", "pgparity rules"]),
            (9, &["public.[x", "not a valid glob"]),
            (10, &["non-empty reason"]),
            (11, &["2026-13-01", "YYYY-MM-DD"]),
            (12, &["has no object"]),
            (13, &["unknown rule \"speculative-indexx\""]),
            (15, &["unknown key `objekt` in [[suppress]]", "`object`"]),
            (17, &["extensions", "sequence", "[\"pgcrypto\"]"]),
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for ((line, message), (expected_line, parts)) in found.iter().zip(&expected) {
            assert_eq!(line, expected_line, "{message}");
            for part in *parts {
                assert!(
                    message.contains(part),
                    "line {line}: {message} lacks {part}"
                );
            }
        }
    }

    #[test]
    fn a_lone_syntax_error_is_reported_with_the_other_problems() {
        let found = problems(
            "spec = [\"x\"]\n[[suppress]]\nrule = \"speculative-index\"\nobject = \"*\"\n\
             reason = \"r\"\nuntil = 2026-13-01\n",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].0, 1);
        assert!(found[0].1.contains("unknown key `spec`"), "{found:#?}");
        assert_eq!(found[1].0, 6);
        assert!(
            found[1].1.starts_with("TOML syntax: invalid date"),
            "{found:#?}"
        );
    }

    #[test]
    fn only_the_first_of_several_syntax_errors_is_reported() {
        let found = problems("specs = [\"a\"\nmapping = = 3\nfail_on = \"x\"\n");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].1.starts_with("TOML syntax: "), "{found:#?}");
    }

    #[test]
    fn values_of_the_wrong_type_name_their_key_and_what_to_write() {
        let found = problems(
            "specs = \"db\"\nschemas = [1]\nmax_input_mib = \"big\"\nrules = 3\nsuppress = 1\n",
        );
        let lines: Vec<u32> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5], "{found:#?}");
        assert!(found[0].1.starts_with("specs: ") && found[0].1.contains("list of paths"));
        assert!(found[1].1.starts_with("schemas: ") && found[1].1.contains("[\"public\"]"));
        assert!(found[2].1.contains("whole number of MiB"), "{found:#?}");
        assert!(found[3].1.contains("`[rules]` section"), "{found:#?}");
        assert!(found[4].1.contains("`[[suppress]]` section"), "{found:#?}");
    }

    #[test]
    fn errors_display_one_per_line() {
        let errors = load_text("a = 1\nb = 2\n").unwrap_err();
        let shown = errors.to_string();
        assert_eq!(shown.lines().count(), 2, "{shown}");
        assert!(
            shown.lines().all(|line| line.contains("unknown key")),
            "{shown}"
        );
    }
}
