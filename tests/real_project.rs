//! A project as teams keep it (issue 9), through the binary: `fixtures/real-project` has
//! DDL specs under `db/docs/specs/`, a hand-written mapping with no `version:` and no
//! `read_models:`, a Markdown index plan and OpenAPI files under `api-contracts/`, and
//! is checked with its files unmodified — statically, against a live database without
//! the specs (the nightly run), and with both. `pgparity init` recreates the bundled
//! example's configuration and writes read models that give the hand-written ones'
//! findings.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::pg::TestDatabase;
use support::{pgparity_in, ScratchDir, ROOT};

/// The fixture folder.
fn project() -> PathBuf {
    Path::new(ROOT).join("fixtures/real-project")
}

/// A finding reduced to rule, severity, object, location path and line, and message.
type Seen = (String, String, String, String, u64, String);

/// Runs `pgparity check --format json ARGS` in `folder` and returns the exit code and
/// the findings.
fn check_in(folder: &Path, args: &[&str]) -> (i32, Vec<Seen>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = pgparity_in(folder, &all, &[]);
    assert!(
        run.code == 0 || run.code == 1,
        "pgparity failed ({}): {}",
        run.code,
        run.stderr
    );
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("JSON report: {error}\n{}", run.stdout));
    let findings = report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|finding| {
            let text = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
            (
                text("rule"),
                text("severity"),
                text("object"),
                finding["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                finding["location"]["line"].as_u64().unwrap_or_default(),
                text("message"),
            )
        })
        .collect();
    (run.code, findings)
}

/// The objects of the findings of `rule`, sorted.
fn objects_of(findings: &[Seen], rule: &str) -> Vec<String> {
    let mut objects: Vec<String> = findings
        .iter()
        .filter(|seen| seen.0 == rule)
        .map(|seen| seen.2.clone())
        .collect();
    objects.sort();
    objects
}

/// The project's own files named on the command line, no configuration: what a team
/// runs on its repository as it is.
const AS_IT_IS: [&str; 10] = [
    "--config",
    "/dev/null",
    "--specs",
    "db/docs/specs",
    "--mapping",
    "db/docs/contract_schema_mapping.yaml",
    "--contracts",
    "api-contracts/openapi/v1",
    "--index-plan",
    "db/docs/INDEX_PLAN.md",
];

#[test]
fn the_unmodified_project_is_checked_and_tells_the_truth() {
    let (code, findings) = check_in(&project(), &AS_IT_IS);
    assert_eq!(code, 1, "{findings:#?}");
    // Inferred read models report each DTO field no column serves, and say why.
    assert_eq!(
        objects_of(&findings, "unmapped-dto-field"),
        [
            "OrderSummaryV2.open_orders",
            "RealtimeRevenueResponse.currency",
            "RealtimeRevenueResponse.verified"
        ]
    );
    for seen in findings
        .iter()
        .filter(|seen| seen.0 == "unmapped-dto-field")
    {
        assert!(
            seen.5
                .contains("the read model was inferred: the specs' comment on materialized view"),
            "{seen:?}"
        );
    }
    // The plan's future-only, unresolvable and missing entries are speculative; the
    // justified ones are not.
    assert_eq!(
        objects_of(&findings, "speculative-index"),
        [
            "public.idx_revenue_ledger_payload",
            "public.idx_revenue_ledger_posted_brin",
            "public.idx_revenue_ledger_tenant_currency"
        ]
    );
    assert_eq!(
        objects_of(&findings, "unreadable-plan-entry"),
        ["public.idx_mv_order_summary_total"]
    );
    assert_eq!(
        objects_of(&findings, "stale-contract-claim"),
        ["public.revenue_ledger.currency"]
    );
    assert!(
        findings.iter().any(|seen| seen.0 == "unknown-contract-ref"
            && seen.1 == "warning"
            && seen.2 == "OrderSummaryResponse"
            && seen.3 == "db/docs/specs/040_mv_order_summary.sql"),
        "{findings:#?}"
    );
    // The configuration that lists the same files gives the same findings.
    let (configured_code, configured) = check_in(&project(), &[]);
    assert_eq!(configured_code, code);
    assert_eq!(configured, findings);
}

#[test]
fn without_inference_no_read_model_is_checked() {
    let folder = ScratchDir::new("no-inference");
    let config = folder.write(
        "pgparity.toml",
        &format!(
            "specs = [\"{0}/db/docs/specs\"]\nmapping = \"{0}/db/docs/contract_schema_mapping.yaml\"\n\
             contracts = [\"{0}/api-contracts/openapi/v1\"]\ncontract_roots = [\"{0}\"]\n\
             infer_read_models = false\n",
            project().display()
        ),
    );
    let (_, findings) = check_in(&project(), &["--config", &config]);
    assert!(
        objects_of(&findings, "unmapped-dto-field").is_empty(),
        "{findings:#?}"
    );
}

/// The project's specs applied to a database, with what production has that the specs
/// do not: an index nobody planned, and a table whose row-level security is not forced.
fn production() -> TestDatabase {
    let database = TestDatabase::new("real_project");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(project().join("db/docs/specs"))
        .expect("the fixture's specs")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    specs.sort();
    for spec in specs {
        database.execute_file(&spec);
    }
    database.execute(
        "CREATE INDEX idx_orders_hotfix ON orders (created_at);
         ALTER TABLE orders NO FORCE ROW LEVEL SECURITY;",
    );
    database
}

#[test]
fn the_nightly_run_without_specs_judges_the_live_indexes_and_rls() {
    let database = production();
    let url = database.url();
    let args = [
        "--config",
        "/dev/null",
        "--mapping",
        "db/docs/contract_schema_mapping.yaml",
        "--index-plan",
        "db/docs/INDEX_PLAN.md",
        "--contracts",
        "api-contracts/openapi/v1",
        "--db",
        &url,
    ];
    let (code, findings) = check_in(&project(), &args);
    assert_eq!(code, 1, "{findings:#?}");
    let live_only = |object: &str| {
        findings
            .iter()
            .find(|seen| seen.0 == "speculative-index" && seen.2 == object)
            .unwrap_or_else(|| panic!("{object} is speculative: {findings:#?}"))
    };
    // An index only production has: at the database (no file), object as usual.
    let hotfix = live_only("public.idx_orders_hotfix");
    assert_eq!((hotfix.3.as_str(), hotfix.4), ("", 0));
    assert!(hotfix.5.contains("in the database"), "{hotfix:?}");
    assert_eq!(
        objects_of(&findings, "speculative-index"),
        [
            "public.idx_orders_hotfix",
            "public.idx_revenue_ledger_payload",
            "public.idx_revenue_ledger_posted_brin",
            "public.idx_revenue_ledger_tenant_currency"
        ]
    );
    assert_eq!(
        objects_of(&findings, "missing-planned-index"),
        ["public.idx_orders_status"]
    );
    let rls: Vec<&Seen> = findings
        .iter()
        .filter(|seen| seen.0 == "rls-disabled")
        .collect();
    assert_eq!(rls.len(), 1, "{findings:#?}");
    assert_eq!(rls[0].2, "public.orders");
    assert!(
        rls[0]
            .5
            .contains("in the database is enabled but not forced"),
        "{rls:?}"
    );
    // The read models are inferred from the database's comments on the views.
    assert_eq!(
        objects_of(&findings, "unmapped-dto-field"),
        [
            "OrderSummaryV2.open_orders",
            "RealtimeRevenueResponse.currency",
            "RealtimeRevenueResponse.verified"
        ]
    );
    assert!(
        findings
            .iter()
            .filter(|seen| seen.0 == "unmapped-dto-field")
            .all(|seen| seen
                .5
                .contains("the database's comment on materialized view")),
        "{findings:#?}"
    );
}

#[test]
fn with_specs_and_database_a_finding_on_both_sides_is_reported_once() {
    let database = production();
    let url = database.url();
    let mut args = AS_IT_IS.to_vec();
    args.extend(["--db", &url]);
    let (_, findings) = check_in(&project(), &args);
    let speculative: Vec<&Seen> = findings
        .iter()
        .filter(|seen| seen.0 == "speculative-index")
        .collect();
    assert_eq!(speculative.len(), 4, "{speculative:#?}");
    let currency = speculative
        .iter()
        .find(|seen| seen.2 == "public.idx_revenue_ledger_tenant_currency")
        .expect("speculative on both sides");
    assert_eq!(
        (currency.3.as_str(), currency.4),
        ("db/docs/specs/010_revenue_ledger.sql", 19)
    );
    assert!(
        currency.5.ends_with("; likewise in the database"),
        "{currency:?}"
    );
    // Only the database has the hotfix index: the drift family says so too.
    assert_eq!(
        objects_of(&findings, "unexpected-index"),
        ["public.idx_orders_hotfix"]
    );
}

/// Copies the bundled example's inputs (not its pgparity.toml) into a scratch folder.
fn example_copy(hint: &str) -> ScratchDir {
    let folder = ScratchDir::new(hint);
    for part in ["specs", "contracts", "mappings", "docs"] {
        copy_folder(&Path::new(ROOT).join(part), &folder.path.join(part));
    }
    folder
}

fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create a folder of the copy");
    for entry in std::fs::read_dir(from).expect("read a folder of the example") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file of the example");
        }
    }
}

#[test]
fn init_recreates_the_example_configuration() {
    let copy = example_copy("init");
    let run = pgparity_in(&copy.path, &["init"], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with("wrote pgparity.toml"),
        "{}",
        run.stdout
    );
    let written = std::fs::read_to_string(copy.path.join("pgparity.toml")).expect("written");
    let config: toml::Table = written.parse().expect("the configuration is TOML");
    assert_eq!(config["specs"].as_array().map(Vec::len), Some(1));
    assert_eq!(config["specs"][0].as_str(), Some("specs"));
    assert_eq!(
        config["mapping"].as_str(),
        Some("mappings/contract_schema_mapping.yaml")
    );
    // The mapping names the contracts and the Markdown plan: listing them again would
    // read them twice.
    assert_eq!(config["contracts"].as_array().map(Vec::len), Some(0));
    assert_eq!(config["index_plan"].as_array().map(Vec::len), Some(0));
    assert!(
        written.contains("# the mapping names contracts/attribution.yaml"),
        "{written}"
    );
    // Equivalent: the same findings as the bundled example with its own configuration.
    let (code, findings) = check_in(&copy.path, &[]);
    let (example_code, example) = check_in(Path::new(ROOT), &[]);
    assert_eq!((code, findings), (example_code, example));

    let again = pgparity_in(&copy.path, &["init"], &[]);
    assert_eq!(again.code, 2, "{}", again.stdout);
    assert!(again.stderr.contains("--force"), "{}", again.stderr);
    let forced = pgparity_in(&copy.path, &["init", "--force"], &[]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
}

/// The hand-written read models' contract findings, and those of the read models
/// `init --write-mapping` writes for a copy whose mapping has none.
#[test]
fn written_read_models_load_and_give_the_hand_written_findings() {
    let copy = example_copy("write-mapping");
    // A DTO field no column serves, so that the read models have findings to compare.
    let revenue = copy.path.join("contracts/schemas/revenue.yaml");
    let contract = std::fs::read_to_string(&revenue).expect("the contract");
    std::fs::write(
        &revenue,
        contract.replace(
            "    verified:\n",
            "    currency:\n      type: string\n    verified:\n",
        ),
    )
    .expect("write the contract");
    assert!(pgparity_in(&copy.path, &["init"], &[]).code == 0);
    let contract_rules = |findings: Vec<Seen>| -> Vec<(String, String, String)> {
        let mut found: Vec<(String, String, String)> = findings
            .into_iter()
            .filter(|seen| {
                [
                    "unmapped-dto-field",
                    "dto-type-mismatch",
                    "dto-nullability-mismatch",
                    "dto-enum-mismatch",
                    "dto-length-mismatch",
                    "unknown-mapped-column",
                ]
                .contains(&seen.0.as_str())
            })
            .map(|seen| (seen.0, seen.1, seen.2))
            .collect();
        found.sort();
        found
    };
    let (_, hand_written) = check_in(&copy.path, &[]);
    let hand_written = contract_rules(hand_written);
    assert!(
        hand_written
            .iter()
            .any(|seen| seen.2 == "RealtimeRevenueResponse.currency"),
        "{hand_written:#?}"
    );

    let mapping_path = copy.path.join("mappings/contract_schema_mapping.yaml");
    let mapping = std::fs::read_to_string(&mapping_path).expect("the mapping");
    let start = mapping.find("read_models:").expect("read models");
    let end = mapping.find("entities:").expect("entities");
    std::fs::write(
        &mapping_path,
        format!("{}{}", &mapping[..start], &mapping[end..]),
    )
    .expect("write the mapping without read models");
    let run = pgparity_in(
        &copy.path,
        &["init", "--force", "--write-mapping", "inferred.yaml"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("GET /api/reconciliation/status -> public.mv_reconciliation_status"),
        "{}",
        run.stdout
    );
    let written = std::fs::read_to_string(copy.path.join("inferred.yaml")).expect("written");
    assert!(
        written.contains("# inferred: the comment at specs/090_materialized_views.sql:27:1"),
        "{written}"
    );
    // The written file is a mapping of its own: checked alone, with inference off, its
    // read models give the hand-written ones' findings.
    std::fs::write(
        copy.path.join("inferred.toml"),
        "specs = [\"specs\"]\nmapping = \"inferred.yaml\"\ninfer_read_models = false\n",
    )
    .expect("write a configuration for the written mapping");
    let (_, from_written) = check_in(&copy.path, &["--config", "inferred.toml"]);
    assert_eq!(contract_rules(from_written), hand_written);
    // And a check of the mapping without read models infers the same.
    let (_, inferred) = check_in(&copy.path, &[]);
    assert_eq!(contract_rules(inferred), hand_written);

    let refused = pgparity_in(
        &copy.path,
        &["init", "--force", "--write-mapping", "inferred.yaml"],
        &[],
    );
    assert_eq!(refused.code, 0, "--force replaces the mapping too");
}
