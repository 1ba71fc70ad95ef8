//! Running one rule on inline inputs, for each rule file's tests.
//!
//! ```ignore
//! let findings = Scenario::specs("CREATE TABLE t (id int);").live("CREATE TABLE t (id bigint);")
//!     .findings_of(&COLUMN_TYPE_DRIFT);
//! insta::assert_snapshot!(render(&findings));
//! ```
//!
//! Specs are read by the spec loader as `specs/spec.sql`; a mapping is read from inline
//! YAML by the mapping loader, in a scratch folder that also holds the scenario's other
//! files (contracts, plans) under their names; live SQL is applied to a fresh database of
//! a real PostgreSQL (the throwaway cluster of `tests/support/pg.rs`) and read back by
//! the introspection pgparity runs against users' databases (with the mapping's invariant
//! queries and immutable tables' privileges, as `--db` reads them). With
//! [`Scenario::probed`], the specs are also applied to a scratch database of that
//! cluster and probed, as `--dev-db URL --probe` does.

use super::{run, Inputs};
use crate::contracts::{load_contracts, ContractOptions};
use crate::finding::{sort_findings, Finding, ObjectPath, Target};
use crate::input::InputLimits;
use crate::mapping::{load_mapping, Mapping, PlanSet};
use crate::model::{Catalog, ProbeResults};
use crate::report::{render_fix_script, Report};
use crate::rules::Family;
use crate::rules::Rule;
use crate::sources::live::{
    apply_to_scratch, check_declared, introspect, ConnectionSettings, ExtensionPolicy, LiveSession,
    ProbeRequest, SessionOptions,
};
use crate::sources::spec::{load_spec_text, SpecSet};
use crate::sql::split::top_level_statements;
use std::fmt::Write as _;

/// The repository root, for the PostgreSQL harness shared with the integration tests.
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[path = "../../tests/support/pg.rs"]
#[allow(dead_code)]
mod pg;

/// Inline inputs for one check run.
#[derive(Default)]
pub(crate) struct Scenario {
    specs: Option<String>,
    mapping: Option<String>,
    live: Option<String>,
    probed: bool,
    /// Files beside the mapping, by name.
    files: Vec<(String, String)>,
    /// Names among `files` to load as contracts.
    contracts: Vec<String>,
}

impl Scenario {
    /// A run with these specs.
    pub(crate) fn specs(sql: &str) -> Scenario {
        Scenario {
            specs: Some(sql.to_string()),
            ..Scenario::default()
        }
    }

    /// Adds a mapping (version-1 YAML).
    pub(crate) fn mapping(mut self, yaml: &str) -> Scenario {
        self.mapping = Some(yaml.to_string());
        self
    }

    /// Adds a file beside the mapping (a Markdown plan the mapping names, a `$ref` target).
    pub(crate) fn file(mut self, name: &str, text: &str) -> Scenario {
        self.files.push((name.to_string(), text.to_string()));
        self
    }

    /// Adds a contract file beside the mapping, loaded as `--contracts` would.
    pub(crate) fn contract(mut self, name: &str, text: &str) -> Scenario {
        self.contracts.push(name.to_string());
        self.file(name, text)
    }

    /// Adds a live database built by this SQL.
    pub(crate) fn live(mut self, sql: &str) -> Scenario {
        self.live = Some(sql.to_string());
        self
    }

    /// Probes the specs (and the mapping's declarations) in a scratch database, as
    /// `--dev-db URL --probe` does, the test cluster's superuser as the admin.
    pub(crate) fn probed(mut self) -> Scenario {
        self.probed = true;
        self
    }

    /// Every finding of `rule` in the run, sorted as reports sort them.
    pub(crate) fn findings_of(&self, rule: &'static Rule) -> Vec<Finding> {
        self.findings_of_all(&[rule])
    }

    /// Every finding of these rules (a file's group) in the run, sorted.
    pub(crate) fn findings_of_all(&self, rules: &[&'static Rule]) -> Vec<Finding> {
        let database = self.live.as_deref().map(live_database);
        only(self.run_with(database.as_ref()), rules)
    }

    /// Applies the fix script of every finding of the run (`--fix-sql`'s) to the live
    /// database, statement by statement as `psql -f` would, and checks again. With
    /// `destructive`, the statements the script comments out run too.
    pub(crate) fn fixed(&self, destructive: bool) -> Fixed {
        let sql = self.live.as_deref().expect("a live database to fix");
        let database = live_database(sql);
        let before = self.run_with(Some(&database));
        let mut findings = before.clone();
        if destructive {
            for fix in findings
                .iter_mut()
                .filter_map(|finding| finding.fix.as_mut())
            {
                for statement in &mut fix.statements {
                    statement.destructive = None;
                }
            }
        }
        let script = render_fix_script(&Report {
            findings,
            ..Report::default()
        });
        database.execute_each(
            top_level_statements(&script).map(|piece| &script[piece.start..piece.end]),
        );
        let after = self.run_with(Some(&database));
        Fixed {
            before,
            script,
            after,
        }
    }

    /// Every finding of a run with `database` as the live side, sorted.
    fn run_with(&self, database: Option<&pg::TestDatabase>) -> Vec<Finding> {
        let specs: Option<SpecSet> = self
            .specs
            .as_deref()
            .map(|sql| load_spec_text("specs/spec.sql", sql, "public"));
        let folder = ScratchFolder::new();
        for (name, text) in &self.files {
            std::fs::write(folder.path.join(name), text).expect("writing a scenario file");
        }
        let mapping = self
            .mapping
            .as_deref()
            .map(|yaml| load_inline_mapping(&folder, yaml));
        let contracts = (!self.contracts.is_empty()).then(|| {
            let paths: Vec<_> = self
                .contracts
                .iter()
                .map(|name| folder.path.join(name))
                .collect();
            let options = ContractOptions {
                roots: vec![folder.path.clone()],
                limits: InputLimits::default(),
            };
            load_contracts(&paths, &options)
                .unwrap_or_else(|error| panic!("inline contracts do not load: {error}"))
        });
        let plan = mapping
            .as_ref()
            .map(|mapping| PlanSet::gather(Some(mapping), &[]));
        let (live, declared) = match database {
            Some(database) => {
                let (catalog, declared) = live_catalog(database, mapping.as_ref());
                (Some(catalog), declared)
            }
            None => (None, None),
        };
        let probes = match (&specs, self.probed) {
            (Some(specs), true) => Some(probe(specs, mapping.as_ref(), live.as_ref())),
            _ => declared,
        };
        let inputs = Inputs {
            specs: specs.as_ref().map(SpecSet::specs),
            contracts: contracts.as_ref(),
            mapping: mapping.as_ref(),
            plan: plan.as_ref(),
            live: live.as_ref(),
            row_samples: None,
            probes: probes.as_ref(),
            min_stats_age_days: 7,
            default_schema: "public",
            infer_read_models: true,
        };
        // Files of the scratch folder are shown by their names, so snapshots are stable.
        let prefix = format!("{}/", folder.path.display());
        let unprefix = |text: &mut String| *text = text.replace(&prefix, "");
        let mut findings: Vec<Finding> = run(&inputs)
            .findings
            .into_iter()
            .map(|mut finding| {
                unprefix(&mut finding.message);
                for text in [
                    &mut finding.expected,
                    &mut finding.actual,
                    &mut finding.hint,
                ]
                .into_iter()
                .flatten()
                {
                    unprefix(text);
                }
                if let Some(location) = &mut finding.location {
                    let mut path = location.path.to_string();
                    unprefix(&mut path);
                    location.path = path.into();
                }
                if matches!(finding.object.target(), Target::Other) {
                    let kind = finding.object_kind();
                    let mut text = finding.object.to_string();
                    unprefix(&mut text);
                    finding.object = ObjectPath::other(text).of_kind(kind);
                }
                finding
            })
            .collect();
        sort_findings(&mut findings);
        findings
    }
}

/// A run before and after its fix script was applied (see [`Scenario::fixed`]).
pub(crate) struct Fixed {
    /// Every finding before.
    pub(crate) before: Vec<Finding>,
    /// The script that was applied.
    pub(crate) script: String,
    /// Every finding after.
    pub(crate) after: Vec<Finding>,
}

impl Fixed {
    /// The drift findings left after the fix.
    pub(crate) fn drift_after(&self) -> Vec<Finding> {
        self.after
            .iter()
            .filter(|finding| finding.rule.family == Family::Drift)
            .cloned()
            .collect()
    }

    /// Asserts that the drift findings left after the fix are exactly these
    /// (`rule object`, in report order), showing the script and what is left otherwise.
    pub(crate) fn assert_left(&self, expected: &[&str]) {
        assert!(
            self.before
                .iter()
                .any(|finding| finding.rule.family == Family::Drift),
            "the scenario has no drift to fix"
        );
        let left: Vec<String> = self
            .drift_after()
            .iter()
            .map(|finding| format!("{} {}", finding.rule, finding.object))
            .collect();
        assert_eq!(
            left,
            expected,
            "drift left after the fix script:\n{}\nscript:\n{}",
            render(&self.drift_after()),
            self.script
        );
    }
}

/// The findings of these rules, in their order.
pub(crate) fn only(findings: Vec<Finding>, rules: &[&'static Rule]) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|finding| rules.iter().any(|rule| finding.rule.id == rule.id))
        .collect()
}

/// A scratch folder for a scenario's files, removed when dropped.
struct ScratchFolder {
    path: std::path::PathBuf,
}

impl ScratchFolder {
    fn new() -> Self {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "pgparity-rule-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temp folder");
        ScratchFolder { path }
    }
}

impl Drop for ScratchFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn load_inline_mapping(folder: &ScratchFolder, yaml: &str) -> Mapping {
    let path = folder.path.join("mapping.yaml");
    std::fs::write(&path, yaml).expect("writing the inline mapping");
    load_mapping(&path, "public", InputLimits::default())
        .unwrap_or_else(|error| panic!("inline mapping does not load: {error}"))
}

/// A fresh database of the test server built by `sql` (the roles policies and grants
/// name in tests, `app_user` and `auditor`, exist).
fn live_database(sql: &str) -> pg::TestDatabase {
    pg::ensure_role("app_user");
    pg::ensure_role("auditor");
    let database = pg::TestDatabase::new("rule");
    database.execute(sql);
    database
}

/// The catalog pgparity reads from `database`, and what the mapping's invariant queries
/// and immutable tables' privileges found there, read in the same session as `--db` does.
fn live_catalog(
    database: &pg::TestDatabase,
    mapping: Option<&Mapping>,
) -> (Catalog, Option<ProbeResults>) {
    let settings = ConnectionSettings::parse(&database.url())
        .unwrap_or_else(|error| panic!("test database URL: {error}"));
    let mut session = LiveSession::connect(&settings, &SessionOptions::default())
        .unwrap_or_else(|error| panic!("connecting to the test database: {error}"));
    let catalog = introspect(&mut session, &["public".to_string()])
        .unwrap_or_else(|error| panic!("introspecting the test database: {error}"));
    let declared = mapping.and_then(|mapping| {
        check_declared(&mut session, mapping)
            .unwrap_or_else(|error| panic!("reading the mapping's declarations: {error}"))
    });
    (catalog, declared)
}

/// The probes of `specs` and `mapping` in a scratch database of the test cluster (with
/// the undecided drift against `live` settled there).
fn probe(specs: &SpecSet, mapping: Option<&Mapping>, live: Option<&Catalog>) -> ProbeResults {
    pg::ensure_role("app_user");
    let server = pg::server();
    let admin = ConnectionSettings::parse(&server.url(
        &server.user,
        &server.password,
        &server.maintenance_db,
    ))
    .unwrap_or_else(|error| panic!("test server URL: {error}"));
    let request = ProbeRequest {
        specs: &specs.catalog,
        default_schema: "public",
        mapping,
        template: None,
        live,
    };
    apply_to_scratch(
        &admin,
        &SessionOptions::default(),
        &ExtensionPolicy::ServerTrusted,
        &specs.sources,
        &["public".to_string()],
        Some(&request),
    )
    .unwrap_or_else(|error| panic!("probing a scratch database: {error}"))
    .probes
    .unwrap_or_default()
}

/// Findings as a snapshot shows them: one block each with the rule, severity, object and
/// its kind, location, message and the optional parts.
pub(crate) fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        let location = finding
            .location
            .as_ref()
            .map_or_else(|| "(no location)".to_string(), ToString::to_string);
        let _ = writeln!(
            out,
            "{} {} {} [{}] at {location}\n  {}",
            finding.severity,
            finding.rule,
            finding.object,
            finding.object_kind().as_str(),
            finding.message
        );
        for (label, value) in [
            ("expected", &finding.expected),
            ("actual", &finding.actual),
            ("hint", &finding.hint),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "  {label}: {value}");
            }
        }
        if let Some(diff) = &finding.diff {
            let _ = writeln!(out, "  diff:\n{diff}");
        }
        if let Some(fix) = &finding.fix {
            let _ = writeln!(out, "  fix:\n{}", fix.sql());
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    stable(&out)
}

/// `text` with what changes from run to run made fixed: the temporary folder of an
/// inline mapping (`…/pgparity-rule-test-<pid>-<time>/mapping.yaml` is `mapping.yaml`)
/// and the names of scratch databases and roles (`pgparity_dev_<time>_<pid>_<n>` is
/// `pgparity_dev_<run>`).
fn stable(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let mut line = line.to_string();
        while let Some(start) = line.find("pgparity-rule-test-") {
            let folder_start = line[..start].rfind(' ').map_or(0, |space| space + 1);
            let Some(end) = line[start..].find("/mapping.yaml").map(|at| at + start + 1) else {
                break;
            };
            line.replace_range(folder_start..end, "");
        }
        let mut rest = line.as_str();
        while let Some(start) = rest.find("pgparity_dev_") {
            out.push_str(&rest[..start]);
            let after = &rest[start + "pgparity_dev_".len()..];
            let mut cut = after
                .find(|c: char| !(c.is_ascii_digit() || c == '_'))
                .unwrap_or(after.len());
            // A suffix such as `_tenant` stays.
            if cut > 0 && after[..cut].ends_with('_') {
                cut -= 1;
            }
            out.push_str("pgparity_dev_<run>");
            rest = &after[cut..];
        }
        out.push_str(rest);
    }
    out
}
