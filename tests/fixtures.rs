//! Every rule fires on its fixture (a broken variant of the bundled example) with the
//! right rule, object and location — and nothing else changes — while the bundled
//! example itself stays clean.
//!
//! Every folder under `fixtures/` is run and compared with its snapshot
//! (`tests/snapshots/fixtures__fixture_<name>.snap`): adding a fixture is adding its
//! folder and accepting its snapshot. The hand-written tests below pin the first ones.

mod support;

use support::{briefs, check_json, Brief};

/// The example's own findings (info notes about expressions whose types the specs do
/// not state); fixtures report these too, and only what they add is asserted.
fn example_findings() -> Vec<Brief> {
    let (code, report) = check_json(&[]);
    assert_eq!(code, 0, "the bundled example is clean");
    briefs(&report)
}

fn expect(fixture: &str, expected_code: i32, expected: &[(&str, &str, &str, &str, u64)]) {
    let config = format!("fixtures/{fixture}/pgparity.toml");
    let (code, report) = check_json(&["--config", &config]);
    let baseline = example_findings();
    let mut added: Vec<Brief> = briefs(&report)
        .into_iter()
        .filter(|finding| !baseline.contains(finding))
        .collect();
    added.sort();
    let mut expected: Vec<Brief> = expected
        .iter()
        .map(|(severity, rule, object, path, line)| {
            (
                severity.to_string(),
                rule.to_string(),
                object.to_string(),
                path.to_string(),
                *line,
            )
        })
        .collect();
    expected.sort();
    assert_eq!(added, expected, "findings of fixture {fixture}");
    assert_eq!(code, expected_code, "exit code of fixture {fixture}");
}

#[test]
fn bundled_example_has_no_errors_or_warnings() {
    let findings = example_findings();
    assert!(
        findings.iter().all(|(severity, ..)| severity == "info"),
        "{findings:?}"
    );
    assert!(
        findings.iter().all(|(_, rule, object, ..)| {
            ["dto-type-mismatch", "dto-nullability-mismatch"].contains(&rule.as_str())
                && object.starts_with("public.mv_realtime_revenue.")
        }),
        "only expression columns of the realtime view are not checkable statically: {findings:?}"
    );
}

#[test]
fn spec_parse_error_is_located_and_later_statements_are_checked() {
    expect(
        "spec-parse-error",
        1,
        &[
            (
                "error",
                "spec-parse-error",
                "public.audit_notes",
                "fixtures/spec-parse-error/change.sql",
                2,
            ),
            (
                "error",
                "speculative-index",
                "public.idx_revenue_ledger_posted_at",
                "fixtures/spec-parse-error/change.sql",
                11,
            ),
        ],
    );
}

#[test]
fn unsupported_statement() {
    let path = "fixtures/unsupported-statement/change.sql";
    expect(
        "unsupported-statement",
        0,
        &[("info", "unsupported-statement", path, path, 2)],
    );
}

#[test]
fn duplicate_definition() {
    expect(
        "duplicate-definition",
        1,
        &[(
            "error",
            "duplicate-definition",
            "public.channel_taxonomy",
            "fixtures/duplicate-definition/change.sql",
            2,
        )],
    );
}

#[test]
fn unknown_reference() {
    let path = "fixtures/unknown-reference/change.sql";
    expect(
        "unknown-reference",
        1,
        &[
            (
                "error",
                "unknown-reference",
                "public.idx_revenue_ledger_postedat",
                path,
                2,
            ),
            (
                "error",
                "speculative-index",
                "public.idx_revenue_ledger_postedat",
                path,
                2,
            ),
            (
                "error",
                "unknown-reference",
                "public.audit_log.tenant_isolation_policy",
                path,
                4,
            ),
        ],
    );
}

#[test]
fn unmapped_dto_field() {
    expect(
        "unmapped-dto-field",
        1,
        &[(
            "error",
            "unmapped-dto-field",
            "ReconciliationStatusFixture.currency",
            "fixtures/unmapped-dto-field/contract.yaml",
            17,
        )],
    );
}

#[test]
fn unknown_mapped_column() {
    expect(
        "unknown-mapped-column",
        1,
        &[(
            "error",
            "unknown-mapped-column",
            "public.mv_realtime_revenue.is_verified",
            "fixtures/unknown-mapped-column/contract_schema_mapping.yaml",
            22,
        )],
    );
}

#[test]
fn dto_type_mismatch() {
    expect(
        "dto-type-mismatch",
        1,
        &[(
            "error",
            "dto-type-mismatch",
            "public.mv_reconciliation_status.tenant_id",
            "fixtures/dto-type-mismatch/contract.yaml",
            11,
        )],
    );
}

#[test]
fn dto_nullability_mismatch() {
    expect(
        "dto-nullability-mismatch",
        1,
        &[(
            "error",
            "dto-nullability-mismatch",
            "public.mv_reconciliation_status.last_run_at",
            "fixtures/dto-nullability-mismatch/contract.yaml",
            15,
        )],
    );
}

#[test]
fn dto_enum_mismatch() {
    expect(
        "dto-enum-mismatch",
        1,
        &[(
            "error",
            "dto-enum-mismatch",
            "public.mv_reconciliation_status.state",
            "fixtures/dto-enum-mismatch/contract.yaml",
            13,
        )],
    );
}

#[test]
fn dto_length_mismatch() {
    expect(
        "dto-length-mismatch",
        1,
        &[(
            "error",
            "dto-length-mismatch",
            "public.mv_reconciliation_status.state",
            "fixtures/dto-length-mismatch/contract.yaml",
            13,
        )],
    );
}

#[test]
fn unknown_contract_ref_of_a_plan_entry_whose_index_a_foreign_key_still_justifies() {
    expect(
        "unknown-contract-ref",
        1,
        &[(
            "error",
            "unknown-contract-ref",
            "public.idx_revenue_ledger_tenant_updated_at",
            "fixtures/unknown-contract-ref/contract_schema_mapping.yaml",
            117,
        )],
    );
}

#[test]
fn mapping_type_drift() {
    expect(
        "mapping-type-drift",
        1,
        &[(
            "error",
            "mapping-type-drift",
            "public.revenue_ledger.revenue_cents",
            "fixtures/mapping-type-drift/contract_schema_mapping.yaml",
            57,
        )],
    );
}

#[test]
fn speculative_index() {
    expect(
        "speculative-index",
        1,
        &[(
            "error",
            "speculative-index",
            "public.idx_revenue_ledger_posted_at",
            "fixtures/speculative-index/change.sql",
            2,
        )],
    );
}

#[test]
fn missing_planned_index() {
    expect(
        "missing-planned-index",
        1,
        &[(
            "error",
            "missing-planned-index",
            "public.idx_attribution_events_tenant_occurred_at",
            "mappings/contract_schema_mapping.yaml",
            84,
        )],
    );
}

#[test]
fn plan_definition_drift() {
    expect(
        "plan-definition-drift",
        1,
        &[(
            "error",
            "plan-definition-drift",
            "public.idx_revenue_ledger_tenant_updated_at",
            "mappings/contract_schema_mapping.yaml",
            116,
        )],
    );
}

/// The redundant index begins with `tenant_id`, a foreign key to `tenants`, which the
/// planned `idx_attribution_allocations_tenant_model_version` already serves: a foreign
/// key justifies one index, so the prefix is speculative as well as redundant.
#[test]
fn redundant_index() {
    expect(
        "redundant-index",
        1,
        &[
            (
                "warning",
                "redundant-index",
                "public.idx_attribution_allocations_tenant",
                "fixtures/redundant-index/change.sql",
                2,
            ),
            (
                "error",
                "speculative-index",
                "public.idx_attribution_allocations_tenant",
                "fixtures/redundant-index/change.sql",
                2,
            ),
        ],
    );
}

#[test]
fn unindexed_foreign_key() {
    expect(
        "unindexed-foreign-key",
        0,
        &[(
            "warning",
            "unindexed-foreign-key",
            "public.dead_events.fk_dead_events_allocation",
            "fixtures/unindexed-foreign-key/change.sql",
            3,
        )],
    );
}

#[test]
fn missing_tenant_column_on_a_new_table() {
    let path = "fixtures/missing-tenant-column/change.sql";
    expect(
        "missing-tenant-column",
        1,
        &[
            (
                "error",
                "missing-tenant-column",
                "public.audit_notes",
                path,
                2,
            ),
            ("error", "rls-disabled", "public.audit_notes", path, 2),
            (
                "error",
                "missing-tenant-policy",
                "public.audit_notes",
                path,
                2,
            ),
        ],
    );
}

#[test]
fn rls_disabled() {
    expect(
        "rls-disabled",
        1,
        &[(
            "error",
            "rls-disabled",
            "public.revenue_ledger",
            "specs/050_revenue_ledger.sql",
            4,
        )],
    );
}

#[test]
fn missing_tenant_policy() {
    expect(
        "missing-tenant-policy",
        1,
        &[(
            "error",
            "missing-tenant-policy",
            "public.dead_events",
            "specs/030_dead_events.sql",
            3,
        )],
    );
}

#[test]
fn unused_suppression() {
    expect(
        "unused-suppression",
        0,
        &[(
            "warning",
            "unused-suppression",
            "suppress speculative-index public.idx_legacy_*",
            "fixtures/unused-suppression/pgparity.toml",
            6,
        )],
    );
}

#[test]
fn expired_suppression_no_longer_hides_its_finding() {
    expect(
        "expired-suppression",
        1,
        &[
            (
                "warning",
                "expired-suppression",
                "suppress speculative-index public.idx_revenue_ledger_posted_at",
                "fixtures/expired-suppression/pgparity.toml",
                6,
            ),
            (
                "error",
                "speculative-index",
                "public.idx_revenue_ledger_posted_at",
                "fixtures/expired-suppression/change.sql",
                2,
            ),
        ],
    );
}

#[test]
fn a_suppression_with_a_reason_hides_its_finding_and_is_counted() {
    expect("suppressed", 0, &[]);
    let (_, report) = check_json(&["--config", "fixtures/suppressed/pgparity.toml"]);
    assert_eq!(report["suppressed"], 1);
}

/// What a fixture adds to the example's findings, as its snapshot shows it.
fn fixture_report(fixture: &str) -> String {
    let config = format!("fixtures/{fixture}/pgparity.toml");
    let (code, report) = check_json(&["--config", &config]);
    let baseline = example_findings();
    let mut text = format!("exit code {code}\n");
    let mut added: Vec<(Brief, String)> = report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .zip(briefs(&report))
        .filter(|(_, brief)| !baseline.contains(brief))
        .map(|(finding, brief)| {
            (
                brief,
                finding["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    added.sort();
    for ((severity, rule, object, path, line), message) in added {
        text.push_str(&format!(
            "{severity} {rule} {object} at {path}:{line}\n  {message}\n"
        ));
    }
    text
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let mut fixtures: Vec<String> = std::fs::read_dir(format!("{}/fixtures", support::ROOT))
        .expect("fixtures/ exists")
        .map(|entry| entry.expect("readable entry"))
        .filter(|entry| entry.path().join("pgparity.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    fixtures.sort();
    assert!(!fixtures.is_empty());
    for fixture in fixtures {
        insta::assert_snapshot!(format!("fixture_{fixture}"), fixture_report(&fixture));
    }
}

#[test]
fn every_rule_has_a_fixture_that_makes_it_fire() {
    let fixtures: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))
        .expect("fixtures/ exists")
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    // Drift rules and the other live-only rules fire in tests against a real PostgreSQL
    // (tests/live_*.rs) and in the unit tests of their families.
    for rule in pgparity::rules::all()
        .iter()
        .filter(|rule| !rule.needs_live)
    {
        assert!(
            fixtures.iter().any(|fixture| fixture == rule.id),
            "no fixture for rule {}",
            rule.id
        );
        let (_, report) = check_json(&["--config", &format!("fixtures/{}/pgparity.toml", rule.id)]);
        assert!(
            briefs(&report)
                .iter()
                .any(|(_, fired, ..)| fired == rule.id),
            "rule {} does not fire on its fixture",
            rule.id
        );
    }
}
