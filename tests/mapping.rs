//! The mapping loader against real files: the PRODUCT.md example, schema violations
//! with their positions, and the Markdown index plan.

use pgparity::input::InputLimits;
use pgparity::mapping::{
    load_index_plan, load_mapping, parse_markdown_plan, ContractMapping, Entity, EntityColumn,
    FieldMapping, Immutable, Invariant, Mapping, MappingDiagnostic, MappingError, MustReject,
    NamedQuery, PlanEntry, PlanStatus, ReadModel, Tenancy, TypeCompat,
};
use pgparity::model::{IndexKey, IndexTarget, Location, QualifiedName, SqlType};
use std::path::{Path, PathBuf};

const EXAMPLE: &str = "tests/data/mapping/example/mappings/contract_schema_mapping.yaml";
const EXAMPLE_PLAN: &str = "tests/data/mapping/example/docs/INDEX_PLAN.md";

fn at(path: &str, line: u32, column: u32) -> Option<Location> {
    Some(Location::new(path, line, column))
}

fn public(name: &str) -> QualifiedName {
    QualifiedName::new("public", name)
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| item.to_string()).collect()
}

/// Plan keys as the loader reads them: a name or an expression, then maybe `DESC`.
fn keys(columns: &[&str]) -> Vec<IndexKey> {
    columns
        .iter()
        .map(|column| {
            let (target, descending) = match column.strip_suffix(" DESC") {
                Some(target) => (target, true),
                None => (*column, false),
            };
            let target = if target.contains('(') {
                IndexTarget::Expression(target.into())
            } else {
                IndexTarget::Column(target.into())
            };
            IndexKey {
                descending,
                ..IndexKey::new(target)
            }
        })
        .collect()
}

/// Writes `text` as a mapping file in a fresh folder and returns its path.
fn mapping_file(test: &str, text: &str) -> PathBuf {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("mapping-tests")
        .join(test);
    std::fs::create_dir_all(&folder).expect("create the test folder");
    let path = folder.join("mapping.yaml");
    std::fs::write(&path, text).expect("write the test mapping");
    path
}

fn diagnostics(test: &str, text: &str) -> Vec<MappingDiagnostic> {
    match load_mapping(&mapping_file(test, text), "public", InputLimits::default()) {
        Err(MappingError::Invalid(diagnostics)) => diagnostics,
        other => panic!("expected an invalid mapping, got {other:?}"),
    }
}

/// `(line, column, key_path)` of each diagnostic, for compact assertions.
fn positions(diagnostics: &[MappingDiagnostic]) -> Vec<(u32, u32, &str)> {
    diagnostics
        .iter()
        .map(|d| (d.location.line, d.location.column, d.key_path.as_str()))
        .collect()
}

fn plan_entry(index: &str, table: &str, columns: &[&str]) -> PlanEntry {
    PlanEntry {
        index: public(index),
        table: public(table),
        columns: keys(columns),
        unique: None,
        method: None,
        predicate: None,
        include: Vec::new(),
        query_paths: Vec::new(),
        status: PlanStatus::Active,
        location: None,
    }
}

#[test]
fn the_product_example_loads_into_the_expected_mapping() {
    let mapping = load_mapping(Path::new(EXAMPLE), "public", InputLimits::default())
        .expect("the example loads");
    let expected = Mapping {
        path: EXAMPLE.to_string(),
        contracts: vec![PathBuf::from(
            "tests/data/mapping/example/contracts/attribution.yaml",
        )],
        tenancy: Some(Tenancy {
            column: "tenant_id".into(),
            require_rls: true,
            exempt: vec![public("tenants"), public("channel_taxonomy")],
            role: None,
            setting: None,
            location: at(EXAMPLE, 4, 1),
        }),
        read_models: vec![ReadModel {
            endpoint: Some("GET /api/attribution/revenue/realtime".into()),
            dto: Some("RealtimeRevenueResponse".into()),
            relation: public("mv_realtime_revenue"),
            fields: vec![
                FieldMapping {
                    field: "verified".into(),
                    column: "verified".into(),
                    note: None,
                    location: at(EXAMPLE, 13, 7),
                },
                FieldMapping {
                    field: "total_revenue".into(),
                    column: "total_revenue".into(),
                    note: Some("dollars = revenue_cents / 100.0".into()),
                    location: at(EXAMPLE, 14, 7),
                },
            ],
            location: at(EXAMPLE, 9, 5),
            inferred: None,
        }],
        entities: vec![Entity {
            key: "revenue_ledger".into(),
            table: public("revenue_ledger"),
            columns: vec![EntityColumn {
                name: "revenue_cents".into(),
                data_type: Some(SqlType::parse("integer")),
                type_text: Some("integer".into()),
                nullable: Some(false),
                location: at(EXAMPLE, 19, 9),
                contract_mapping: Some(ContractMapping {
                    text: "free text is fine".into(),
                    claims: Vec::new(),
                    location: at(EXAMPLE, 19, 81),
                }),
            }],
            location: at(EXAMPLE, 16, 3),
        }],
        queries: vec![NamedQuery {
            name: "operator-triage".into(),
            description: Some("recent dead events for a tenant".into()),
            location: at(EXAMPLE, 21, 5),
        }],
        index_plan: vec![
            PlanEntry {
                unique: Some(false),
                query_paths: strings(&["GET /api/attribution/revenue/realtime"]),
                location: at(EXAMPLE, 23, 5),
                ..plan_entry(
                    "idx_revenue_ledger_tenant_updated_at",
                    "revenue_ledger",
                    &["tenant_id", "updated_at DESC"],
                )
            },
            PlanEntry {
                unique: Some(true),
                method: Some("btree".into()),
                predicate: Some("allocation_id IS NOT NULL".into()),
                query_paths: strings(&["POST /api/revenue/ledger"]),
                location: at(EXAMPLE_PLAN, 7, 1),
                ..plan_entry(
                    "idx_revenue_ledger_tenant_allocation_unique",
                    "revenue_ledger",
                    &["tenant_id", "allocation_id"],
                )
            },
            PlanEntry {
                unique: Some(false),
                method: Some("btree".into()),
                include: strings(&["event_id", "reason"]),
                query_paths: strings(&["operator-triage"]),
                location: at(EXAMPLE_PLAN, 14, 1),
                ..plan_entry(
                    "idx_dead_events_tenant_created_at",
                    "dead_events",
                    &["tenant_id", "created_at DESC"],
                )
            },
            PlanEntry {
                unique: Some(false),
                method: Some("btree".into()),
                query_paths: strings(&["Future: channel drill-down (not yet built)"]),
                status: PlanStatus::Future,
                location: at(EXAMPLE_PLAN, 26, 1),
                ..plan_entry(
                    "idx_attribution_allocations_channel",
                    "attribution_allocations",
                    &["channel"],
                )
            },
        ],
        index_plan_markdown: Some(PathBuf::from(
            "tests/data/mapping/example/docs/INDEX_PLAN.md",
        )),
        plan_problems: Vec::new(),
        type_compat: vec![TypeCompat {
            json_type: "number".into(),
            format: None,
            postgres: vec![SqlType::parse("numeric"), SqlType::parse("integer")],
            location: at(EXAMPLE, 31, 5),
        }],
        invariants: Vec::new(),
        immutable: Vec::new(),
    };
    assert_eq!(mapping, expected);
}

#[test]
fn plan_options_are_read_and_a_where_keyword_is_dropped() {
    let path = mapping_file(
        "plan_options",
        "version: 1\nindex_plan:\n  - index: audit.idx_e\n    table: events\n    columns: [\"lower(email)\"]\n    unique: true\n    method: gin\n    where: WHERE deleted_at IS NULL\n    include: [id]\n    query_paths: [nightly-export]\n    status: future\n",
    );
    let mapping = load_mapping(&path, "app", InputLimits::default()).expect("the mapping loads");
    let expected = PlanEntry {
        index: QualifiedName::new("audit", "idx_e"),
        table: QualifiedName::new("app", "events"),
        columns: keys(&["lower(email)"]),
        unique: Some(true),
        method: Some("gin".into()),
        predicate: Some("deleted_at IS NULL".into()),
        include: strings(&["id"]),
        query_paths: strings(&["nightly-export"]),
        status: PlanStatus::Future,
        location: at(&pgparity::model::display_path(&path), 3, 5),
    };
    assert_eq!(mapping.index_plan, [expected]);
}

#[test]
fn unknown_top_level_keys_are_allowed() {
    let path = mapping_file(
        "unknown_top_level",
        "version: 1\nnullability:\n  prose: anything goes here\ncorrelation_stitching: [a, b]\n",
    );
    let mapping =
        load_mapping(&path, "public", InputLimits::default()).expect("prose sections are allowed");
    assert!(mapping.index_plan.is_empty());
}

#[test]
fn an_unknown_key_in_a_plan_entry_points_at_that_key() {
    let found = diagnostics(
        "unknown_plan_key",
        "version: 1\nindex_plan:\n  - index: i\n    table: t\n    columns: [a]\n    query_paths: []\n    colums: [b]\n",
    );
    assert_eq!(positions(&found), [(7, 5, "index_plan[0].colums")]);
    assert!(found[0].message.starts_with("unknown key; allowed here: "));
    assert!(found[0].message.contains("columns"));
}

#[test]
fn a_wrong_type_points_at_the_value() {
    let found = diagnostics(
        "wrong_type",
        "version: 1\nindex_plan:\n  - index: i\n    table: t\n    columns: [a]\n    unique: \"yes\"\n    query_paths: [q]\n",
    );
    assert_eq!(positions(&found), [(6, 13, "index_plan[0].unique")]);
    assert_eq!(found[0].message, "expected a boolean, found string \"yes\"");
}

#[test]
fn version_may_be_absent_and_otherwise_must_be_1() {
    let path = mapping_file("no_version", "contracts: []\n");
    assert!(load_mapping(&path, "public", InputLimits::default()).is_ok());

    let found = diagnostics("version_2", "# comment\nversion: 2\n");
    assert_eq!(positions(&found), [(2, 10, "version")]);
    assert_eq!(
        found[0].message,
        "must be 1, found number 2: this pgparity reads mapping format version 1 (or no `version:` at all)"
    );
}

#[test]
fn diagnostics_are_sorted_and_rendered_with_a_hint() {
    let path = mapping_file(
        "several",
        "version: 1\nqueries:\n  - {name: q, owner: ops}\nindex_plan:\n  - index: i\n    table: t\n    status: later\n",
    );
    let error =
        load_mapping(&path, "public", InputLimits::default()).expect_err("the mapping is invalid");
    let MappingError::Invalid(found) = &error else {
        panic!("expected diagnostics, got {error:?}");
    };
    assert_eq!(
        positions(found),
        [
            (3, 15, "queries[0].owner"),
            (5, 5, "index_plan[0].columns"),
            (5, 5, "index_plan[0].query_paths"),
            (7, 13, "index_plan[0].status"),
        ]
    );
    let text = error.to_string();
    let label = pgparity::model::display_path(&path);
    assert!(
        text.contains(&format!(
            "{label}:7:13: index_plan[0].status: must be one of: active, future; found string \"later\""
        )),
        "{text}"
    );
    assert!(text.contains("hint: "), "{text}");
}

#[test]
fn read_models_need_a_relation_and_an_endpoint_or_dto() {
    let found = diagnostics(
        "read_model_shape",
        "version: 1\nread_models:\n  - relation: r\n  - dto: D\n    fields:\n      a: [x]\n",
    );
    let messages: Vec<_> = found
        .iter()
        .map(|d| (d.key_path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        [
            ("read_models[0]", "needs `endpoint`, `dto`, or both"),
            ("read_models[1].relation", "required key is missing"),
            (
                "read_models[1].fields.a",
                "expected a string or an object, found a list"
            ),
        ]
    );
}

#[test]
fn entity_columns_accept_extra_descriptive_keys_and_types_normalize() {
    let path = mapping_file(
        "entity_extras",
        "version: 1\nentities:\n  ledger:\n    description: the money\n    purpose: audit\n    columns:\n      - name: id\n        type: VARCHAR(255)\n        purpose: key\n        validation: {min: 1}\n      - {name: at, type: timestamptz, nullable: true, contract_mapping: x}\n  audit.events:\n    columns:\n      ratio: numeric(6,5)\n      note: {type: text, nullable: true, purpose: free}\n",
    );
    let mapping =
        load_mapping(&path, "app", InputLimits::default()).expect("extra keys are allowed");
    let [ledger, events] = mapping.entities.as_slice() else {
        panic!("two entities expected: {:?}", mapping.entities);
    };
    assert_eq!(ledger.table, QualifiedName::new("app", "ledger"));
    let types: Vec<_> = ledger
        .columns
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.data_type.as_ref().map(ToString::to_string),
                c.nullable,
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("id", Some("character varying(255)".to_string()), None),
            (
                "at",
                Some("timestamp with time zone".to_string()),
                Some(true)
            ),
        ]
    );
    assert_eq!(ledger.columns[0].type_text.as_deref(), Some("VARCHAR(255)"));
    assert_eq!(events.table, QualifiedName::new("audit", "events"));
    let names: Vec<_> = events.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["ratio", "note"]);
    assert_eq!(
        events.columns[0]
            .data_type
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("numeric(6,5)")
    );
}

#[test]
fn entity_column_mistakes_point_at_the_column_key() {
    let found = diagnostics(
        "entity_column_type",
        "version: 1\nentities:\n  ledger:\n    columns:\n      - {name: id, nullable: \"no\"}\n  other:\n    columns:\n      at: [timestamptz]\n",
    );
    let found: Vec<_> = found
        .iter()
        .map(|d| (d.location.line, d.key_path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (
                5,
                "entities.ledger.columns[0].nullable",
                "expected a boolean, found string \"no\""
            ),
            (
                8,
                "entities.other.columns.at",
                "expected a string or an object, found a list"
            ),
        ]
    );
}

#[test]
fn an_unknown_key_inside_tenancy_is_an_error() {
    let found = diagnostics(
        "tenancy_key",
        "version: 1\ntenancy:\n  column: tenant_id\n  require_rsl: true\n",
    );
    assert_eq!(positions(&found), [(4, 3, "tenancy.require_rsl")]);
}

#[test]
fn relative_paths_resolve_against_the_mapping_folder() {
    let path = mapping_file(
        "relative_paths",
        "version: 1\ncontracts: [../contracts/a.yaml, b.json, /abs/c.yaml]\nindex_plan_markdown: plan.md\n",
    );
    let folder = path.parent().expect("the mapping has a folder");
    std::fs::write(
        folder.join("plan.md"),
        "#### idx_a\n**Table**: t\n**Columns**: a\n",
    )
    .expect("write the plan");
    let mapping = load_mapping(&path, "public", InputLimits::default()).expect("the mapping loads");
    let parent = folder.parent().expect("the folder has a parent");
    assert_eq!(
        mapping.contracts,
        [
            parent.join("contracts/a.yaml"),
            folder.join("b.json"),
            PathBuf::from("/abs/c.yaml"),
        ]
    );
    let plan_label = pgparity::model::display_path(&folder.join("plan.md"));
    assert_eq!(
        mapping.index_plan.first().and_then(|e| e.location.clone()),
        Some(Location::new(plan_label, 1, 1))
    );
}

#[test]
fn a_missing_markdown_plan_is_unreadable() {
    let path = mapping_file(
        "missing_plan",
        "version: 1\nindex_plan_markdown: nowhere.md\n",
    );
    match load_mapping(&path, "public", InputLimits::default()) {
        Err(error @ MappingError::Unreadable(_)) => {
            let message = error.to_string();
            assert!(
                message.contains("Markdown index plan") && message.contains("nowhere.md"),
                "{message}"
            );
        }
        other => panic!("expected an unreadable plan, got {other:?}"),
    }
}

#[test]
fn yaml_syntax_errors_carry_their_line() {
    let path = mapping_file(
        "syntax",
        "version: 1\nindex_plan:\n  - index: [a, b\n    table: t\n",
    );
    match load_mapping(&path, "public", InputLimits::default()) {
        Err(MappingError::Yaml(error)) => {
            assert!((3..=5).contains(&error.location.line), "{error}");
            assert_eq!(&*error.location.path, pgparity::model::display_path(&path));
        }
        other => panic!("expected a YAML error, got {other:?}"),
    }
}

#[test]
fn markdown_plan_entries_parse_on_their_own() {
    let text = std::fs::read_to_string(EXAMPLE_PLAN).expect("read the plan");
    let plan = parse_markdown_plan("plan.md", &text, "ledger");
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    let entries = plan.entries;
    let summary: Vec<_> = entries
        .iter()
        .map(|e| (e.index.to_string(), e.table.to_string(), e.status))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "public.idx_revenue_ledger_tenant_allocation_unique".to_string(),
                "public.revenue_ledger".to_string(),
                PlanStatus::Active
            ),
            (
                "ledger.idx_dead_events_tenant_created_at".to_string(),
                "ledger.dead_events".to_string(),
                PlanStatus::Active
            ),
            (
                "ledger.idx_attribution_allocations_channel".to_string(),
                "ledger.attribution_allocations".to_string(),
                PlanStatus::Future
            ),
        ]
    );
}

#[test]
fn a_markdown_entry_without_a_table_is_a_problem_at_its_heading_and_the_others_load() {
    let text = std::fs::read_to_string("tests/data/mapping/bad_plan.md").expect("read the plan");
    let plan = parse_markdown_plan("bad_plan.md", &text, "public");
    let problems: Vec<(u32, u32, &str)> = plan
        .problems
        .iter()
        .map(|problem| {
            (
                problem.location.line,
                problem.location.column,
                problem.entry.as_str(),
            )
        })
        .collect();
    assert_eq!(problems, [(9, 1, "idx_missing_table")]);
    assert!(
        plan.problems[0].message.contains("**Table**"),
        "{}",
        plan.problems[0].message
    );
    let loaded: Vec<String> = plan.entries.iter().map(|e| e.index.to_string()).collect();
    assert_eq!(loaded, ["public.idx_ok"]);
}

#[test]
fn the_markdown_plan_reads_every_shape_people_write() {
    let path = "tests/data/mapping/every_variant_plan.md";
    let text = std::fs::read_to_string(path).expect("read the plan");
    let plan = parse_markdown_plan(path, &text, "public");
    let summary: Vec<_> = plan
        .entries
        .iter()
        .map(|entry| {
            (
                entry.index.to_string(),
                entry.table.to_string(),
                entry.columns.len(),
                entry.unique,
                entry.method.clone(),
                entry.predicate.as_deref().map(str::to_string),
                entry.query_paths.clone(),
                entry.status,
            )
        })
        .collect();
    let expected = vec![
        (
            "public.idx_revenue_ledger_tenant_posted_at".to_string(),
            "public.revenue_ledger".to_string(),
            2,
            Some(false),
            Some("btree".to_string()),
            None,
            strings(&["GET /api/attribution/revenue/realtime", "operator-triage"]),
            PlanStatus::Active,
        ),
        (
            "public.uq_revenue_ledger_tenant_allocation".to_string(),
            "public.revenue_ledger".to_string(),
            2,
            Some(true),
            Some("btree".to_string()),
            Some("allocation_id IS NOT NULL".to_string()),
            strings(&["revenue-posting"]),
            PlanStatus::Active,
        ),
        (
            "public.idx_events_payload".to_string(),
            "public.events".to_string(),
            1,
            Some(false),
            Some("gin".to_string()),
            None,
            strings(&["GET /api/events/search"]),
            PlanStatus::Active,
        ),
        (
            "public.idx_events_occurred_brin".to_string(),
            "public.events".to_string(),
            1,
            Some(false),
            Some("brin".to_string()),
            None,
            strings(&["future: archive scans"]),
            PlanStatus::Future,
        ),
        (
            "public.uq_mv_realtime_revenue_tenant".to_string(),
            "public.mv_realtime_revenue".to_string(),
            1,
            Some(true),
            Some("btree".to_string()),
            None,
            strings(&["GET /api/attribution/revenue/realtime"]),
            PlanStatus::Active,
        ),
        (
            "reporting.idx_mv_reporting_thing".to_string(),
            "reporting.mv_thing".to_string(),
            1,
            None,
            None,
            None,
            Vec::new(),
            PlanStatus::Future,
        ),
    ];
    assert_eq!(summary, expected);
    let columns: Vec<String> = plan.entries[0]
        .columns
        .iter()
        .map(|key| format!("{:?} {}", key.target, key.descending))
        .collect();
    assert_eq!(
        columns,
        ["Column(\"tenant_id\") false", "Column(\"posted_at\") true"]
    );
    let problems: Vec<(u32, &str)> = plan
        .problems
        .iter()
        .map(|problem| (problem.location.line, problem.entry.as_str()))
        .collect();
    assert_eq!(problems, [(49, "idx_broken_no_columns")]);
}

#[test]
fn a_yaml_plan_file_is_read_entry_by_entry() {
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mapping-tests/yaml-plan");
    std::fs::create_dir_all(&folder).expect("create the test folder");
    let listed = folder.join("plan.yaml");
    std::fs::write(
        &listed,
        "queries: [{name: q}]\nindex_plan:\n  - {index: i, table: t, columns: [a], query_paths: [q]}\n  - {index: j, table: t, colums: [b], query_paths: [q]}\n",
    )
    .expect("write the plan");
    let plan = load_index_plan(&listed, "public", InputLimits::default()).expect("the plan loads");
    assert_eq!(plan.entries.len(), 1);
    assert_eq!(plan.queries.len(), 1);
    let problems: Vec<(u32, &str)> = plan
        .problems
        .iter()
        .map(|problem| (problem.location.line, problem.entry.as_str()))
        .collect();
    assert_eq!(problems, [(4, "j"), (4, "j")], "{:?}", plan.problems);

    let bare = folder.join("bare.yml");
    std::fs::write(
        &bare,
        "# a bare list\n- index: k\n  table: t\n  columns: [a]\n  query_paths: [GET /x]\n  status: someday\n",
    )
    .expect("write the plan");
    let plan = load_index_plan(&bare, "public", InputLimits::default()).expect("the plan loads");
    assert!(plan.entries.is_empty());
    assert_eq!(plan.problems.len(), 1);
    assert_eq!(plan.problems[0].location.line, 6);
    assert!(
        plan.problems[0].message.contains("index_plan[0].status"),
        "{:?}",
        plan.problems
    );

    let other = folder.join("plan.txt");
    std::fs::write(&other, "").expect("write the plan");
    let error =
        load_index_plan(&other, "public", InputLimits::default()).expect_err("unknown format");
    assert!(error.to_string().contains("Markdown (.md"), "{error}");
}

#[test]
fn a_seed_shaped_mapping_with_only_entities_and_prose_loads() {
    let path = mapping_file(
        "seed_shaped",
        "# written long before pgparity\n\
         entities:\n  revenue_ledger:\n    table: revenue_ledger\n    description: postings\n    \
         columns:\n      - {name: revenue_cents, type: INTEGER, nullable: false, \
         contract_mapping: \"api/a.yaml:47-49 (total_revenue: number float) → revenue_cents (integer)\"}\n\
         types: {money: integer cents}\nnullability: {rule: NOT NULL unless documented}\n\
         enums: {status: [open, paid]}\nidentifiers: {tenant_id: from the token}\n\
         timestamps: {posted_at: UTC}\ncorrelation_stitching: {window: 30 days}\n\
         sum_equality_invariant: allocations sum to 1\nchannel_taxonomy: [email, organic]\n",
    );
    let mapping = load_mapping(&path, "public", InputLimits::default()).expect("it loads");
    let column = &mapping.entities[0].columns[0];
    let claims = &column
        .contract_mapping
        .as_ref()
        .expect("the contract_mapping is kept")
        .claims;
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].file, "api/a.yaml");
    assert_eq!(claims[0].lines, Some((47, 49)));
    assert_eq!(claims[0].field.as_deref(), Some("total_revenue"));
    assert_eq!(claims[0].column.as_deref(), Some("revenue_cents"));
}

#[test]
fn invariants_immutable_tables_and_the_probe_role_and_setting_are_read() {
    let path = mapping_file(
        "probes",
        "version: 1\ntenancy:\n  column: tenant_id\n  role: app_user\n  setting: app.current_tenant_id\n\
         invariants:\n  - name: sums\n    description: ratios sum to 1\n    violations: SELECT event_id FROM shares GROUP BY 1 HAVING sum(ratio) <> 1\n    key: [event_id]\n\
         \x20   must_reject:\n      - sql: UPDATE shares SET ratio = 2 WHERE id = {{valid:shares.id}}\n        sqlstate: \"23514\"\n      - sql: DELETE FROM shares\n\
         immutable:\n  - table: audit.ledger\n    roles: [app_user, reporting]\n",
    );
    let mapping = load_mapping(&path, "public", InputLimits::default()).expect("the mapping loads");
    let shown = path.display().to_string();
    let tenancy = mapping.tenancy.expect("tenancy");
    assert_eq!(tenancy.role.as_deref(), Some("app_user"));
    assert_eq!(tenancy.setting.as_deref(), Some("app.current_tenant_id"));
    assert_eq!(
        mapping.invariants,
        vec![Invariant {
            name: "sums".into(),
            description: Some("ratios sum to 1".into()),
            violations: Some(
                "SELECT event_id FROM shares GROUP BY 1 HAVING sum(ratio) <> 1".into()
            ),
            key: vec!["event_id".into()],
            must_reject: vec![
                MustReject {
                    sql: "UPDATE shares SET ratio = 2 WHERE id = {{valid:shares.id}}".into(),
                    sqlstate: Some("23514".into()),
                    location: at(&shown, 12, 9),
                },
                MustReject {
                    sql: "DELETE FROM shares".into(),
                    sqlstate: None,
                    location: at(&shown, 14, 9),
                },
            ],
            location: at(&shown, 7, 5),
        }]
    );
    assert_eq!(
        mapping.immutable,
        vec![Immutable {
            table: QualifiedName::new("audit", "ledger"),
            roles: vec!["app_user".into(), "reporting".into()],
            location: at(&shown, 16, 5),
        }]
    );
}

#[test]
fn incomplete_invariants_and_immutable_entries_are_located() {
    let found = diagnostics(
        "probes_invalid",
        "version: 1\ninvariants:\n  - name: a\n    violations: SELECT 1\n  - name: b\n    description: nothing to check\n\
         \x20 - name: c\n    must_reject:\n      - sql: DELETE FROM t\n        sqlstate: \"2351\"\nimmutable:\n  - table: t\n",
    );
    assert_eq!(
        positions(&found),
        [
            (3, 5, "invariants[0].key"),
            (5, 5, "invariants[1]"),
            (10, 19, "invariants[2].must_reject[0].sqlstate"),
            (12, 5, "immutable[0].roles"),
        ],
        "{found:#?}"
    );
    assert!(
        found[1]
            .message
            .contains("needs violations (with key) or must_reject"),
        "{found:#?}"
    );
}
