//! Running one rule on inline inputs, for each rule file's tests.
//!
//! ```ignore
//! let findings = Scenario::specs("CREATE TABLE t (id int);").live("CREATE TABLE t (id bigint);")
//!     .findings_of(&COLUMN_TYPE_DRIFT);
//! insta::assert_snapshot!(render(&findings));
//! ```
//!
//! Specs are read by the spec loader as `specs/spec.sql`; a mapping is read from inline
//! YAML by the mapping loader; live SQL is applied to a fresh database of a real
//! PostgreSQL (the throwaway cluster of `tests/support/pg.rs`) and read back by the
//! introspection pgparity runs against users' databases (with the mapping's invariant
//! queries and immutable tables' privileges, as `--db` reads them). With
//! [`Scenario::probed`], the specs are also applied to a scratch database of that
//! cluster and probed, as `--dev-db URL --probe` does.

use super::{run, Inputs};
use crate::finding::{sort_findings, Finding};
use crate::input::InputLimits;
use crate::mapping::{load_mapping, Mapping};
use crate::model::{Catalog, ProbeResults};
use crate::rules::Rule;
use crate::sources::live::{
    apply_to_scratch, check_declared, introspect, ConnectionSettings, ExtensionPolicy, LiveSession,
    ProbeRequest, SessionOptions,
};
use crate::sources::spec::{load_spec_text, SpecSet};
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
        let specs: Option<SpecSet> = self
            .specs
            .as_deref()
            .map(|sql| load_spec_text("specs/spec.sql", sql, "public"));
        let mapping = self.mapping.as_deref().map(load_inline_mapping);
        let (live, declared) = match self.live.as_deref() {
            Some(sql) => {
                let (catalog, declared) = live_catalog(sql, mapping.as_ref());
                (Some(catalog), declared)
            }
            None => (None, None),
        };
        let probes = match (&specs, self.probed) {
            (Some(specs), true) => Some(probe(specs, mapping.as_ref())),
            _ => declared,
        };
        let inputs = Inputs {
            specs: specs.as_ref().map(SpecSet::specs),
            contracts: None,
            mapping: mapping.as_ref(),
            live: live.as_ref(),
            row_samples: None,
            probes: probes.as_ref(),
            min_stats_age_days: 7,
            default_schema: "public",
        };
        let mut findings: Vec<Finding> = run(&inputs)
            .findings
            .into_iter()
            .filter(|finding| rules.iter().any(|rule| finding.rule.id == rule.id))
            .collect();
        sort_findings(&mut findings);
        findings
    }
}

fn load_inline_mapping(yaml: &str) -> Mapping {
    let folder = std::env::temp_dir().join(format!(
        "pgparity-rule-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos())
    ));
    std::fs::create_dir_all(&folder).expect("temp folder");
    let path = folder.join("mapping.yaml");
    std::fs::write(&path, yaml).expect("writing the inline mapping");
    let mapping = load_mapping(&path, "public", InputLimits::default())
        .unwrap_or_else(|error| panic!("inline mapping does not load: {error}"));
    let _ = std::fs::remove_dir_all(&folder);
    mapping
}

fn live_catalog(sql: &str, mapping: Option<&Mapping>) -> (Catalog, Option<ProbeResults>) {
    pg::ensure_role("app_user");
    let database = pg::TestDatabase::new("rule");
    database.execute(sql);
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

/// The probes of `specs` and `mapping` in a scratch database of the test cluster.
fn probe(specs: &SpecSet, mapping: Option<&Mapping>) -> ProbeResults {
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
