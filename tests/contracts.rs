//! The contract loader on real documents under `tests/data/contracts/`.

use pgparity::contracts::{
    load_contracts, ContractLoadError, ContractOptions, ContractProblemKind, ContractSet, Dto,
    SchemaNode,
};
use serde_json::json;
use std::path::PathBuf;

const DATA: &str = "tests/data/contracts";

fn load(files: &[&str]) -> ContractSet {
    let paths: Vec<PathBuf> = files
        .iter()
        .map(|file| PathBuf::from(format!("{DATA}/{file}")))
        .collect();
    load_contracts(&paths, &ContractOptions::default()).expect("the test documents load")
}

fn dto<'s>(set: &'s ContractSet, name: &str) -> &'s Dto {
    set.dto(name)
        .unwrap_or_else(|| panic!("DTO {name} among {:?}", set.dtos.keys()))
}

fn property<'n>(node: &'n SchemaNode, name: &str) -> &'n SchemaNode {
    node.property(name)
        .unwrap_or_else(|| panic!("property {name} in {:?}", node.json_schema))
}

fn types(node: &SchemaNode) -> Vec<&str> {
    node.types.iter().map(String::as_str).collect()
}

fn problems_of(set: &ContractSet, kind: ContractProblemKind) -> Vec<String> {
    set.problems
        .iter()
        .filter(|problem| problem.kind == kind)
        .map(|problem| problem.subject.clone())
        .collect()
}

#[test]
fn openapi_30_dtos_with_nullable_and_locations() {
    let set = load(&["openapi30/api.yaml"]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let realtime = dto(&set, "RealtimeRevenueResponse");
    let location = realtime.location.as_ref().expect("DTO location");
    assert_eq!(&*location.path, "tests/data/contracts/openapi30/api.yaml");
    assert_eq!((location.line, location.column), (67, 5));
    let schema = &realtime.schema;
    assert_eq!(types(schema), ["object"]);
    assert!(schema.is_required("tenant_id") && !schema.is_required("currency"));
    let total = property(schema, "total_revenue");
    assert_eq!(types(total), ["number"]);
    let total_location = total.location.as_ref().expect("property location");
    assert_eq!((total_location.line, total_location.column), (71, 9));
    let tenant = property(schema, "tenant_id");
    assert_eq!(tenant.format.as_deref(), Some("uuid"));
    assert!(!tenant.nullable);
    let currency = property(schema, "currency");
    assert!(currency.nullable);
    assert_eq!(currency.max_length, Some(3));
    assert_eq!(
        currency.json_schema,
        json!({"type": ["string", "null"], "maxLength": 3})
    );
}

#[test]
fn json_schema_of_a_dto_validates_rows() {
    let set = load(&["openapi30/api.yaml"]);
    let schema = set.json_schema(dto(&set, "RealtimeRevenueResponse"));
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let row = json!({
        "total_revenue": 12.5, "verified": true, "data_freshness_seconds": 3,
        "tenant_id": "7d9f0c1e-8a52-4d43-9a43-3c4e1f7b2a10", "currency": null
    });
    assert!(validator.is_valid(&row));
    let missing_tenant =
        json!({"total_revenue": 1, "verified": false, "data_freshness_seconds": 3});
    assert!(!validator.is_valid(&missing_tenant));
    let text_revenue = json!({
        "total_revenue": "12.5", "verified": true, "data_freshness_seconds": 3,
        "tenant_id": "7d9f0c1e-8a52-4d43-9a43-3c4e1f7b2a10"
    });
    assert!(!validator.is_valid(&text_revenue));
}

#[test]
fn openapi_30_boolean_exclusive_minimum_and_nullable_refs_become_json_schema() {
    let set = load(&["openapi30/api.yaml"]);
    let event_with_parent = dto(&set, "EventWithParent");
    let schema = &event_with_parent.schema;
    let ratio = property(schema, "ratio");
    assert_eq!(
        ratio.json_schema,
        json!({"type": "number", "exclusiveMinimum": 0})
    );
    let parent = property(schema, "parent");
    assert!(parent.nullable);
    assert_eq!(parent.ref_name.as_deref(), Some("Base"));
    assert_eq!(types(parent), ["object"]);
    let validator = jsonschema::validator_for(&set.json_schema(event_with_parent)).expect("valid");
    assert!(validator.is_valid(&json!({"parent": null, "ratio": 0.5})));
    assert!(validator.is_valid(&json!({"parent": {"id": "x"}})));
    assert!(!validator.is_valid(&json!({"parent": {"note": "no id"}})));
    assert!(!validator.is_valid(&json!({"ratio": 0})));
}

#[test]
fn all_of_merges_properties_required_and_stricter_lengths() {
    let set = load(&["openapi30/api.yaml"]);
    let event_dto = dto(&set, "Event");
    let event = &event_dto.schema;
    let names: Vec<&str> = event
        .properties
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(names, ["id", "note", "kind"]);
    assert_eq!(event.required, ["id", "kind"]);
    assert_eq!(types(event), ["object"]);
    assert_eq!(property(event, "note").max_length, Some(40));
    assert_eq!(
        property(event, "kind").enum_values,
        Some(vec![json!("click"), json!("view")])
    );
    let validator = jsonschema::validator_for(&set.json_schema(event_dto)).expect("valid");
    assert!(validator.is_valid(&json!({"id": "a", "kind": "view"})));
    assert!(!validator.is_valid(&json!({"id": "a"})));
}

#[test]
fn endpoints_point_at_their_response_dtos() {
    let set = load(&["openapi30/api.yaml"]);
    let keys: Vec<&str> = set.endpoints.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "GET /api/attribution/revenue/realtime",
            "GET /api/events",
            "GET /api/reconciliation/status",
            "GET /api/summary",
            "POST /api/events",
        ]
    );
    let realtime = &set.endpoints["GET /api/attribution/revenue/realtime"];
    assert_eq!(realtime.dto.as_deref(), Some("RealtimeRevenueResponse"));
    assert!(!realtime.is_array);
    assert_eq!(realtime.location.as_ref().map(|at| at.line), Some(7));

    let events = &set.endpoints["GET /api/events"];
    assert_eq!(events.dto.as_deref(), Some("Event"), "200 wins over 201");
    assert!(events.is_array);

    let summary = &set.endpoints["GET /api/summary"];
    assert_eq!(summary.dto.as_deref(), Some("GET /api/summary"));
    let inline = &dto(&set, "GET /api/summary").schema;
    assert_eq!(property(inline, "count").format.as_deref(), Some("int32"));

    let accepted = &set.endpoints["POST /api/events"];
    assert_eq!(accepted.dto, None);

    let status = &set.endpoints["GET /api/reconciliation/status"];
    assert_eq!(
        status.dto.as_deref(),
        Some("ReconciliationStatusResponse"),
        "a components.schemas ref in another file is named after its target"
    );
}

#[test]
fn refs_to_relative_files_and_nested_refs_inside_them_resolve() {
    let set = load(&["openapi30/api.yaml"]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let status = &dto(&set, "ReconciliationStatusResponse").schema;
    let state = property(status, "state");
    assert_eq!(state.ref_name.as_deref(), Some("ReconciliationState"));
    assert_eq!(
        state.enum_values,
        Some(vec![
            json!("idle"),
            json!("running"),
            json!("failed"),
            json!("completed")
        ])
    );
    let state_location = state.location.as_ref().expect("location");
    assert_eq!(
        &*state_location.path, "tests/data/contracts/openapi30/schemas/reconciliation.yaml",
        "a property is located where it is written, not at its ref target"
    );
    assert_eq!(state_location.line, 12);
    let tenant = property(status, "tenant_id");
    assert_eq!(tenant.format.as_deref(), Some("uuid"));
    assert_eq!(tenant.ref_name.as_deref(), Some("TenantId"));
    assert!(property(status, "last_run_at").nullable);
    assert_eq!(
        set.documents,
        ["tests/data/contracts/openapi30/api.yaml"],
        "referenced files are read but are not contract documents themselves"
    );
}

#[test]
fn dtos_are_found_by_pointer_with_a_path_or_its_suffix() {
    let set = load(&["openapi30/api.yaml"]);
    let by_name = dto(&set, "RealtimeRevenueResponse") as *const Dto;
    for reference in [
        "api.yaml#/components/schemas/RealtimeRevenueResponse",
        "openapi30/api.yaml#/components/schemas/RealtimeRevenueResponse",
        "../contracts/openapi30/api.yaml#/components/schemas/RealtimeRevenueResponse",
        "tests/data/contracts/openapi30/api.yaml#/components/schemas/RealtimeRevenueResponse",
    ] {
        let found = set.dto(reference).map(|dto| dto as *const Dto);
        assert_eq!(found, Some(by_name), "{reference}");
    }
    assert!(set
        .dto("reconciliation.yaml#/components/schemas/ReconciliationStatusResponse")
        .is_some());
    assert!(set
        .dto("other.yaml#/components/schemas/RealtimeRevenueResponse")
        .is_none());
    assert!(set.dto("api.yaml#/components/schemas/Nope").is_none());
    assert!(set.dto("Nope").is_none());
}

#[test]
fn resolve_dto_expands_any_schema_of_a_loaded_document() {
    let mut set = load(&["openapi30/api.yaml"]);
    let reference = "schemas/reconciliation.yaml#/components/schemas/TenantId";
    assert!(
        set.dto(reference).is_none(),
        "not expanded as a DTO while loading"
    );
    let tenant = set.resolve_dto(reference).expect("resolved on demand");
    assert_eq!(tenant.schema.format.as_deref(), Some("uuid"));
    assert_eq!(
        tenant.name,
        "tests/data/contracts/openapi30/schemas/reconciliation.yaml#/components/schemas/TenantId"
    );
    assert!(set.dto(reference).is_some(), "kept for later lookups");
    assert!(set
        .resolve_dto("api.yaml#/components/schemas/Nope")
        .is_none());
}

#[test]
fn openapi_31_null_idioms_make_fields_nullable() {
    let set = load(&["openapi31.yaml"]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let allocation_dto = dto(&set, "Allocation");
    let allocation = &allocation_dto.schema;
    let id = property(allocation, "allocation_id");
    assert!(id.nullable);
    assert_eq!(types(id), ["string"]);
    assert!(!property(allocation, "channel").nullable);
    let model_version = property(allocation, "model_version");
    assert!(model_version.nullable);
    assert_eq!(types(model_version), ["string"]);
    assert_eq!(model_version.max_length, Some(32));
    let state = property(allocation, "state");
    assert!(state.nullable);
    assert_eq!(
        state.enum_values,
        Some(vec![json!("pending"), json!("posted")])
    );
    let amount = property(allocation, "amount");
    assert!(amount.nullable);
    assert_eq!(types(amount), ["integer"]);
    assert_eq!(amount.format.as_deref(), Some("int64"));
    let validator = jsonschema::validator_for(&set.json_schema(allocation_dto)).expect("valid");
    assert!(validator.is_valid(&json!({
        "allocation_id": null, "channel": "email", "model_version": null, "state": null, "amount": null
    })));
    assert!(!validator.is_valid(&json!({"allocation_id": null, "channel": null})));
}

#[test]
fn plain_json_schema_root_defs_and_whole_file_refs() {
    let set = load(&["jsonschema/order.schema.json"]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let order = dto(&set, "Order");
    assert_eq!(order.location.as_ref().map(|at| at.line), Some(1));
    let lines = property(&order.schema, "lines");
    assert_eq!(types(lines), ["array"]);
    let item = lines.items.as_deref().expect("items");
    assert_eq!(item.ref_name.as_deref(), Some("LineItem"));
    assert_eq!(property(item, "sku").max_length, Some(12));
    let customer = property(&order.schema, "customer");
    assert_eq!(customer.ref_name.as_deref(), Some("Customer"));
    let city = property(property(customer, "address"), "city");
    assert_eq!(types(city), ["string"]);
    let line_item = dto(&set, "LineItem");
    assert_eq!(line_item.location.as_ref().map(|at| at.line), Some(15));
    assert_eq!(
        property(&order.schema, "order_id")
            .location
            .as_ref()
            .map(|at| (at.line, at.column)),
        Some((7, 5))
    );
    assert!(
        set.dto("order.schema.json").is_some(),
        "a bare path means the root"
    );
    let validator = jsonschema::validator_for(&set.json_schema(order)).expect("valid");
    assert!(validator.is_valid(&json!({"order_id": "x", "lines": [{"sku": "A1"}], "customer": {"address": {"city": "Oslo"}}})));
    assert!(!validator.is_valid(
        &json!({"order_id": "x", "lines": [{"sku": "A1"}], "customer": {"address": {"city": 3}}})
    ));
}

#[test]
fn folders_are_walked_in_name_order() {
    let set = load(&["jsonschema"]);
    assert_eq!(
        set.documents,
        [
            "tests/data/contracts/jsonschema/customer.schema.json",
            "tests/data/contracts/jsonschema/order.schema.json"
        ]
    );
    let keys: Vec<&str> = set.dtos.keys().map(String::as_str).collect();
    assert_eq!(keys, ["Address", "Customer", "LineItem", "Order"]);
}

#[test]
fn cycles_are_reported_once_and_expansion_terminates() {
    let set = load(&["cycles.yaml"]);
    let cycles = problems_of(&set, ContractProblemKind::Cycle);
    assert_eq!(
        cycles,
        [
            "#/components/schemas/Tree",
            "#/components/schemas/Ping",
            "#/components/schemas/Pong"
        ],
        "{:?}",
        set.problems
    );
    let tree_cycle = set
        .problems
        .iter()
        .find(|problem| problem.subject == "#/components/schemas/Tree")
        .and_then(|problem| problem.location.as_ref())
        .map(|at| at.line);
    assert_eq!(tree_cycle, Some(16));
    let forest_dto = dto(&set, "Forest");
    let forest = &forest_dto.schema;
    let tree = property(forest, "trees").items.as_deref().expect("items");
    assert_eq!(types(property(tree, "label")), ["string"]);
    let inner = property(tree, "children").items.as_deref().expect("items");
    assert_eq!(inner.ref_name.as_deref(), Some("Tree"));
    assert!(inner.properties.is_empty(), "not expanded past the cycle");
    let validator = jsonschema::validator_for(&set.json_schema(forest_dto))
        .expect("a cycle leaves a valid schema");
    assert!(validator.is_valid(&json!({"trees": [{"label": "a", "children": [{"label": "b"}]}]})));
    assert!(
        !validator.is_valid(&json!({"trees": [{"children": [{"label": 3}]}]})),
        "the recursive reference is checked at every depth"
    );
}

#[test]
fn missing_files_and_pointers_are_problems_and_the_dto_is_still_built() {
    let set = load(&["broken_refs.yaml"]);
    let missing_file: Vec<_> = set
        .problems
        .iter()
        .filter(|problem| problem.kind == ContractProblemKind::MissingFile)
        .collect();
    assert_eq!(missing_file.len(), 1, "{:?}", set.problems);
    assert_eq!(
        missing_file[0].subject,
        "./missing/owner.yaml#/components/schemas/Owner"
    );
    assert!(
        missing_file[0]
            .message
            .contains("tests/data/contracts/missing/owner.yaml"),
        "{}",
        missing_file[0].message
    );
    let at = missing_file[0].location.as_ref().expect("location");
    assert_eq!((at.line, at.column), (15, 11));
    let missing_pointer = problems_of(&set, ContractProblemKind::MissingPointer);
    assert_eq!(missing_pointer, ["#/components/schemas/DoesNotExist"]);
    let broken_dto = dto(&set, "Broken");
    let broken = &broken_dto.schema;
    assert_eq!(types(property(broken, "id")), ["string"]);
    assert!(property(broken, "owner").types.is_empty());
    assert!(broken.is_required("id"));
    jsonschema::validator_for(&set.json_schema(broken_dto)).expect("still a valid schema");
}

#[test]
fn a_name_declared_twice_keeps_the_first_and_reports_the_second() {
    let set = load(&["duplicates"]);
    let thing = dto(&set, "Thing");
    assert!(thing.schema.property("from_a").is_some());
    let second = set
        .dto("duplicates/b.yaml#/components/schemas/Thing")
        .expect("the second is reachable by pointer");
    assert!(second.schema.property("from_b").is_some());
    assert_eq!(
        problems_of(&set, ContractProblemKind::DuplicateName),
        ["Thing"]
    );
}

#[test]
fn unusable_command_line_paths_are_errors() {
    let missing = load_contracts(
        &[PathBuf::from(format!("{DATA}/nope.yaml"))],
        &ContractOptions::default(),
    );
    assert!(
        matches!(&missing, Err(ContractLoadError::NotFound { path }) if path == "tests/data/contracts/nope.yaml"),
        "{missing:?}"
    );
    let invalid = load_contracts(
        &[PathBuf::from(format!("{DATA}/invalid/bad.yaml"))],
        &ContractOptions::default(),
    );
    match invalid {
        Err(error @ ContractLoadError::Syntax { .. }) => {
            let ContractLoadError::Syntax { path, line, .. } = &error else {
                unreachable!()
            };
            assert_eq!(path, "tests/data/contracts/invalid/bad.yaml");
            assert!(*line >= 4, "line {line}");
            assert!(error
                .to_string()
                .starts_with("tests/data/contracts/invalid/bad.yaml:"));
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn shared_references_that_would_unfold_exponentially_are_expanded_once_and_shared() {
    let set = load(&["exponential.yaml"]);
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let top = &dto(&set, "Level0").schema;
    assert_eq!(top.properties.len(), 2);
    let (a, b) = (&top.properties[0].1, &top.properties[1].1);
    assert!(
        std::sync::Arc::ptr_eq(&a.properties[0].1, &b.properties[0].1),
        "both references to Level2 share one expansion"
    );
    let mut node: &SchemaNode = top;
    for _ in 0..15 {
        node = property(node, "a");
    }
    assert_eq!(types(property(node, "leaf")), ["string"]);
    let validator =
        jsonschema::validator_for(&set.json_schema(dto(&set, "Level0"))).expect("valid");
    let mut value = json!({"leaf": "x"});
    for _ in 0..15 {
        value = json!({"a": value.clone(), "b": value});
    }
    assert!(validator.is_valid(&value));
}

#[test]
fn a_bare_pointer_means_the_first_document_that_has_it() {
    let set = load(&["openapi30/api.yaml"]);
    let event = set.dto("#/components/schemas/Event").expect("found");
    assert_eq!(event.name, "Event");
    assert!(set.dto("#/components/schemas/Nope").is_none());
}

#[test]
fn absurdly_deep_nesting_is_cut_without_exhausting_the_stack() {
    let set = load(&["deep.schema.json"]);
    let deep = dto(&set, "Deep");
    assert_eq!(types(property(&deep.schema, "root")), ["object"]);
    assert!(
        set.problems
            .iter()
            .any(|problem| problem.message.contains("nested more than")),
        "{:?}",
        set.problems
    );
}
