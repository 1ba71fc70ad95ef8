use super::*;
use crate::model::SqlType;

fn field(json_type: &str, format: Option<&str>) -> SchemaNode {
    SchemaNode {
        types: vec![json_type.to_string()],
        format: format.map(str::to_string),
        ..SchemaNode::default()
    }
}

fn verdict(json_type: &str, format: Option<&str>, column: &str) -> Compatibility {
    compatibility(
        &field(json_type, format),
        &SqlType::parse(column),
        false,
        &[],
    )
}

fn kind(verdict: &Compatibility) -> &'static str {
    match verdict {
        Compatibility::Compatible => "compatible",
        Compatibility::Warning(_) => "warning",
        Compatibility::Incompatible(_) => "incompatible",
        Compatibility::Unknown(_) => "unknown",
    }
}

fn assert_table(rows: &[(&str, Option<&str>, &str, &str)]) {
    for (json_type, format, column, expected) in rows {
        let result = verdict(json_type, *format, column);
        assert_eq!(
            kind(&result),
            *expected,
            "{json_type} {format:?} vs {column}: {result:?}"
        );
    }
}

#[test]
fn strings_with_a_format_need_the_matching_column_type() {
    assert_table(&[
        ("string", Some("uuid"), "uuid", "compatible"),
        ("string", Some("uuid"), "text", "warning"),
        ("string", Some("uuid"), "integer", "incompatible"),
        ("string", Some("date-time"), "timestamptz", "compatible"),
        ("string", Some("date-time"), "timestamptz(3)", "compatible"),
        ("string", Some("date-time"), "timestamp", "warning"),
        ("string", Some("date-time"), "date", "incompatible"),
        ("string", Some("date-time"), "varchar(40)", "warning"),
        ("string", Some("date"), "date", "compatible"),
        ("string", Some("date"), "timestamptz", "incompatible"),
        ("string", Some("date"), "text", "warning"),
    ]);
}

#[test]
fn plain_strings_are_served_by_text_and_string_valued_types() {
    assert_table(&[
        ("string", None, "text", "compatible"),
        ("string", None, "varchar(80)", "compatible"),
        ("string", None, "character varying", "compatible"),
        ("string", None, "char(3)", "compatible"),
        ("string", None, "bpchar", "compatible"),
        ("string", None, "uuid", "compatible"),
        ("string", None, "date", "compatible"),
        ("string", None, "timestamptz", "compatible"),
        ("string", None, "timestamp", "compatible"),
        ("string", None, "interval", "compatible"),
        ("string", Some("email"), "text", "compatible"),
        ("string", None, "numeric(10,2)", "warning"),
        ("string", None, "bigint", "warning"),
        ("string", None, "integer", "incompatible"),
        ("string", None, "boolean", "incompatible"),
        ("string", None, "jsonb", "warning"),
    ]);
}

#[test]
fn enum_columns_serve_strings_only() {
    let state = SqlType::parse("reconciliation_state");
    assert_eq!(
        compatibility(&field("string", None), &state, true, &[]),
        Compatibility::Compatible
    );
    let mut enumerated = field("string", None);
    enumerated.enum_values = Some(vec![serde_json::json!("idle")]);
    enumerated.max_length = Some(20);
    assert_eq!(
        compatibility(&enumerated, &state, true, &[]),
        Compatibility::Compatible
    );
    assert_eq!(
        kind(&compatibility(&field("integer", None), &state, true, &[])),
        "incompatible"
    );
    assert_eq!(
        kind(&compatibility(&field("string", None), &state, false, &[])),
        "unknown",
        "a user type that is not known to be an enum is not guessed"
    );
}

#[test]
fn integers_are_served_by_integer_types() {
    assert_table(&[
        ("integer", None, "smallint", "compatible"),
        ("integer", None, "integer", "compatible"),
        ("integer", None, "bigint", "compatible"),
        ("integer", Some("int64"), "bigint", "compatible"),
        ("integer", Some("int32"), "integer", "compatible"),
        ("integer", Some("int32"), "bigint", "warning"),
        ("integer", None, "numeric(12,0)", "compatible"),
        ("integer", Some("int32"), "numeric(12,0)", "warning"),
        ("integer", None, "numeric", "warning"),
        ("integer", None, "numeric(6,5)", "incompatible"),
        ("integer", None, "double precision", "incompatible"),
        ("integer", None, "text", "incompatible"),
    ]);
}

#[test]
fn numbers_are_served_by_numeric_float_and_integer_types() {
    assert_table(&[
        ("number", None, "numeric", "compatible"),
        ("number", None, "numeric(6,5)", "compatible"),
        ("number", None, "double precision", "compatible"),
        ("number", None, "real", "compatible"),
        ("number", None, "smallint", "compatible"),
        ("number", None, "integer", "compatible"),
        ("number", None, "bigint", "compatible"),
        ("number", None, "text", "incompatible"),
        ("number", None, "money", "incompatible"),
    ]);
}

#[test]
fn booleans_objects_and_arrays() {
    assert_table(&[
        ("boolean", None, "boolean", "compatible"),
        ("boolean", None, "integer", "incompatible"),
        ("object", None, "jsonb", "compatible"),
        ("object", None, "json", "compatible"),
        ("object", None, "text", "incompatible"),
        ("array", None, "jsonb", "compatible"),
        ("array", None, "json", "compatible"),
        ("array", None, "text[]", "compatible"),
        ("array", None, "text", "incompatible"),
        ("string", None, "text[]", "incompatible"),
    ]);
}

#[test]
fn array_items_are_compared_with_the_element_type() {
    let mut uuids = field("array", None);
    uuids.items = Some(std::sync::Arc::new(field("string", Some("uuid"))));
    let verdict = |column: &str| compatibility(&uuids, &SqlType::parse(column), false, &[]);
    assert_eq!(verdict("uuid[]"), Compatibility::Compatible);
    assert_eq!(kind(&verdict("text[]")), "warning");
    match verdict("integer[]") {
        Compatibility::Incompatible(why) => assert!(why.starts_with("array items: "), "{why}"),
        other => panic!("integer[] for uuid items: {other:?}"),
    }
}

#[test]
fn a_field_without_type_or_an_unknown_column_type_is_unknown() {
    assert_eq!(
        kind(&compatibility(
            &SchemaNode::default(),
            &SqlType::parse("text"),
            false,
            &[]
        )),
        "unknown"
    );
    assert_table(&[("number", None, "billing.money_amount", "unknown")]);
}

#[test]
fn a_field_with_several_types_takes_the_best_verdict() {
    let mut either = field("string", None);
    either.types.push("integer".into());
    assert_eq!(
        compatibility(&either, &SqlType::parse("integer"), false, &[]),
        Compatibility::Compatible
    );
}

#[test]
fn overrides_make_pairs_compatible() {
    let overrides = [TypeCompat {
        json_type: "string".into(),
        format: None,
        postgres: vec![SqlType::parse("numeric"), SqlType::parse("integer")],
        location: None,
    }];
    let decimal_string = field("string", Some("decimal"));
    for column in ["numeric", "numeric(10,2)", "integer"] {
        assert_eq!(
            compatibility(&decimal_string, &SqlType::parse(column), false, &overrides),
            Compatibility::Compatible,
            "{column}"
        );
    }
    assert_eq!(
        kind(&compatibility(
            &decimal_string,
            &SqlType::parse("boolean"),
            false,
            &overrides
        )),
        "incompatible"
    );
}

#[test]
fn overrides_with_a_format_apply_to_that_format_only() {
    let overrides = [TypeCompat {
        json_type: "string".into(),
        format: Some("uuid".into()),
        postgres: vec![SqlType::parse("text")],
        location: None,
    }];
    let uuid = field("string", Some("uuid"));
    assert_eq!(
        compatibility(&uuid, &SqlType::parse("text"), false, &overrides),
        Compatibility::Compatible
    );
    assert_eq!(
        kind(&compatibility(
            &field("integer", None),
            &SqlType::parse("text"),
            false,
            &overrides
        )),
        "incompatible"
    );
    let numeric_exact = [TypeCompat {
        json_type: "integer".into(),
        format: None,
        postgres: vec![SqlType::parse("numeric(10,2)")],
        location: None,
    }];
    assert_eq!(
        compatibility(
            &field("integer", None),
            &SqlType::parse("numeric(10,2)"),
            false,
            &numeric_exact
        ),
        Compatibility::Compatible
    );
    assert_eq!(
        kind(&compatibility(
            &field("integer", None),
            &SqlType::parse("numeric(12,2)"),
            false,
            &numeric_exact
        )),
        "incompatible",
        "a listed type with modifiers covers only those modifiers"
    );
}
