//! Expression and query normalization: what a spec says and what PostgreSQL prints
//! back for it must compare equal, and real differences must not.

use pgparity::sql::normalize::{
    check_allowed_values, normalize_expression, normalize_query, NormalizeError,
};
use std::path::PathBuf;

fn norm(text: &str) -> String {
    match normalize_expression(text, "public") {
        Ok(normalized) => normalized,
        Err(error) => panic!("{text:?} did not normalize: {error}"),
    }
}

fn query(text: &str) -> String {
    match normalize_query(text, "public") {
        Ok(normalized) => normalized,
        Err(error) => panic!("{text:?} did not normalize: {error}"),
    }
}

#[track_caller]
fn same(spec: &str, server: &str) {
    assert_eq!(norm(spec), norm(server), "{spec:?} vs {server:?}");
}

#[track_caller]
fn different(left: &str, right: &str) {
    assert_ne!(norm(left), norm(right), "{left:?} vs {right:?}");
}

#[test]
fn in_list_equals_any_array_with_server_casts() {
    same(
        "state IN ('idle','running')",
        "(state = ANY (ARRAY['idle'::text, 'running'::text]))",
    );
    same(
        "status IN ('a', 'b')",
        "((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
    );
    same(
        "status NOT IN ('a', 'b')",
        "((status)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[]))",
    );
    same("qty IN (1, 2)", "(qty = ANY (ARRAY[1, 2]))");
    // One item is not an array for PostgreSQL: it becomes a plain comparison.
    same("status IN ('a')", "((status)::text = 'a'::text)");
}

#[test]
fn in_list_order_and_values_matter() {
    different("state IN ('a', 'b')", "state IN ('b', 'a')");
    different("state IN ('a', 'b')", "state IN ('a', 'c')");
    different("state IN ('a', 'b')", "state NOT IN ('a', 'b')");
}

#[test]
fn server_casts_on_literals_and_columns_are_ignored() {
    same("status = 'active'", "((status)::text = 'active'::text)");
    same("kind = 'x'", "(kind = 'x'::kind_t)");
    same("lower(email)", "lower((email)::text)");
    same(
        "allocation_ratio >= 0 AND allocation_ratio <= 1",
        "((allocation_ratio >= (0)::numeric) AND (allocation_ratio <= (1)::numeric))",
    );
    same("amount > -1", "(amount > '-1'::integer)");
    same("'0'::numeric", "0");
    same("0::numeric", "0");
    same("'{}'::jsonb", "'{}'");
    same("NULL::text", "NULL");
    same(
        "created_at > date '2024-01-01'",
        "(created_at > '2024-01-01'::date)",
    );
    same(
        "created_at > now() - interval '1 day'",
        "(created_at > (now() - '1 day'::interval))",
    );
}

#[test]
fn casts_that_change_meaning_are_kept() {
    // Integer division vs numeric division.
    different("1 / 2::numeric", "1 / 2");
    // A cast that truncates.
    different("code::varchar(3) = 'abc'", "code = 'abc'");
    // Rounding a fraction to an integer.
    different("qty > 1.5::integer", "qty > 1.5");
    different("amount * 100::numeric", "amount * 100");
}

#[test]
fn parentheses_case_whitespace_and_qualification_do_not_matter() {
    same("(((a > 0)))", "a > 0");
    same("A   >\n 0", "a > 0");
    same("\"status\" = 'x'", "status = 'x'");
    same("public.f(x)", "f(x)");
    same("pg_catalog.lower(x)", "LOWER(x)");
    same("x::public.kind_t", "x::kind_t");
    same("public.orders.qty > 0", "orders.qty > 0");
    same("CAST(x AS integer) > 0", "x::int4 > 0");
    same("a <> b", "a != b");
    same("flag = TRUE", "flag = true");
    same("a AND (b AND c)", "(a AND b) AND c");
    same("x LIKE 'a%'", "((x)::text ~~ 'a%'::text)");
    same("x BETWEEN 1 AND 5", "((x >= 1) AND (x <= 5))");
    same("COALESCE(x, 0)", "coalesce(x, 0)");
    same("1.0", "1.0");
}

#[test]
fn structure_still_matters() {
    different("(a OR b) AND c", "a OR (b AND c)");
    different("a AND b", "a OR b");
    different("a > 0", "a >= 0");
    different("status = 'active'", "status = 'inactive'");
    different("status = 'active'", "state = 'active'");
    different("\"Status\" = 'x'", "status = 'x'");
    different("1.0", "1");
    different("other_schema.f(x)", "f(x)");
}

#[test]
fn time_functions_are_not_unified() {
    different("now()", "clock_timestamp()");
    different("now()", "CURRENT_TIMESTAMP");
    same("CURRENT_TIMESTAMP", "current_timestamp");
}

#[test]
fn not_is_null_keeps_its_own_form() {
    // Equal for scalars but not for row values; the server prints each as written.
    different("NOT x IS NULL", "x IS NOT NULL");
    same("NOT x IS NULL", "(NOT (x IS NULL))");
}

#[test]
fn unparsable_text_is_an_error_with_the_parser_message() {
    let NormalizeError::Unparsed { text, message } =
        normalize_expression("a >", "public").unwrap_err()
    else {
        panic!("a parse error");
    };
    assert_eq!(text, "a >");
    assert!(!message.is_empty());
    let NormalizeError::Unparsed { message, .. } =
        normalize_expression("a > 0 b", "public").unwrap_err()
    else {
        panic!("a parse error");
    };
    assert!(message.contains('b'), "{message}");
}

fn probe_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/_probe")
}

fn read_probe(name: &str) -> String {
    let path = probe_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("fixture {} is required: {error}", path.display()))
}

/// The parts of `CREATE INDEX … (keys) WHERE predicate` that are expressions: the key
/// list and the predicate, found by parenthesis depth so the test needs no SQL parser.
fn index_parts(definition: &str) -> (String, Option<String>) {
    let open = definition
        .find('(')
        .expect("index definition has a key list");
    let mut depth = 0;
    let mut close = open;
    for (offset, c) in definition[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    close = open + offset;
                    break;
                }
            }
            _ => {}
        }
    }
    let keys = definition[open + 1..close].to_string();
    let rest = definition[close + 1..].trim().trim_end_matches(';');
    let predicate = rest
        .strip_prefix("WHERE ")
        .map(|predicate| predicate.trim().to_string());
    (keys, predicate)
}

/// Every key expression of an index, normalized; plain key lists with ordering words
/// (`created_at DESC`) are compared as text after collapsing case.
fn normalized_keys(keys: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in keys.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .iter()
        .map(|key| {
            let key = key.trim();
            normalize_expression(key, "public").unwrap_or_else(|_| key.to_lowercase())
        })
        .collect()
}

#[test]
fn spec_indexes_match_what_postgres_15_printed() {
    let specs = read_probe("spec_indexes.sql");
    let catalog = read_probe("catalog_indexes_pg15.tsv");
    let mut printed = std::collections::BTreeMap::new();
    for line in catalog.lines().filter(|line| !line.trim().is_empty()) {
        let (name, definition) = line.split_once('\t').expect("name<TAB>indexdef");
        printed.insert(name.to_string(), definition.to_string());
    }
    let mut compared = 0;
    for spec in specs.lines().filter(|line| line.starts_with("CREATE")) {
        let name = spec
            .split_whitespace()
            .skip_while(|word| *word != "INDEX")
            .nth(1)
            .expect("index name");
        let server = printed
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from the catalog fixture"));
        let (spec_keys, spec_predicate) = index_parts(spec);
        let (server_keys, server_predicate) = index_parts(server);
        assert_eq!(
            normalized_keys(&spec_keys),
            normalized_keys(&server_keys),
            "keys of {name}"
        );
        let normalize = |predicate: Option<String>| {
            predicate.map(|p| normalize_expression(&p, "public").expect("predicate parses"))
        };
        assert_eq!(
            normalize(spec_predicate),
            normalize(server_predicate),
            "predicate of {name}"
        );
        compared += 1;
    }
    assert_eq!(compared, 7, "all seven probe indexes compared");
}

#[test]
fn allowed_values_from_in_any_and_or_forms() {
    let values = |expression: &str| check_allowed_values(expression, "state");
    let expected = Some(vec![
        "idle".to_string(),
        "running".to_string(),
        "failed".to_string(),
    ]);
    assert_eq!(values("state IN ('idle', 'running', 'failed')"), expected);
    assert_eq!(
        values("((state)::text = ANY ((ARRAY['idle'::character varying, 'running'::character varying, 'failed'::character varying])::text[]))"),
        expected
    );
    assert_eq!(
        values("state = 'idle' OR state = 'running' OR (state = 'failed')"),
        expected
    );
    assert_eq!(
        values("state IS NOT NULL AND state IN ('idle', 'running', 'failed')"),
        expected
    );
    assert_eq!(
        values("(length(note) < 10) AND (state = ANY (ARRAY['idle'::text, 'running'::text, 'failed'::text]))"),
        expected
    );
    assert_eq!(values("state = 'idle'"), Some(vec!["idle".to_string()]));
}

#[test]
fn no_allowed_values_when_the_column_is_not_restricted_to_literals() {
    let values = |expression: &str| check_allowed_values(expression, "state");
    assert_eq!(values("other IN ('a', 'b')"), None);
    assert_eq!(values("state IN ('a', 'b') OR other = 'c'"), None);
    assert_eq!(values("state <> 'a'"), None);
    assert_eq!(values("state NOT IN ('a', 'b')"), None);
    assert_eq!(values("state IN ('a', other_column)"), None);
    assert_eq!(values("length(state) < 5"), None);
    assert_eq!(values("qty IN (1, 2)"), None);
    assert_eq!(values("not sql at all ("), None);
}

#[test]
fn view_bodies_match_pg_get_viewdef_output() {
    assert_eq!(
        query("select id, status as st from public.orders where qty > 0"),
        query(" SELECT orders.id,\n    orders.status AS st\n   FROM orders\n  WHERE (orders.qty > 0);")
    );
    assert_eq!(
        query("SELECT tenant_id, count(*) FROM orders GROUP BY tenant_id"),
        query(" SELECT orders.tenant_id,\n    count(*) AS count\n   FROM orders\n  GROUP BY orders.tenant_id;")
    );
    assert_eq!(
        query("SELECT o.id, c.name FROM orders o INNER JOIN customers c ON c.id = o.customer_id LEFT OUTER JOIN notes n ON n.order_id = o.id"),
        query(" SELECT o.id,\n    c.name\n   FROM ((orders o\n     JOIN customers c ON ((c.id = o.customer_id)))\n     LEFT JOIN notes n ON ((n.order_id = o.id)));")
    );
    assert_ne!(
        query("SELECT id FROM orders WHERE qty > 0"),
        query("SELECT id FROM orders WHERE qty >= 0")
    );
    assert_ne!(
        query("SELECT o.id FROM orders o JOIN customers c ON c.id = o.customer_id"),
        query("SELECT o.id FROM orders o LEFT JOIN customers c ON c.id = o.customer_id")
    );
}

#[test]
fn canonical_form_is_fully_parenthesised_and_readable() {
    assert_eq!(
        norm("a = 1 AND (b IN ('x','y') OR NOT c)"),
        "(a = 1) AND ((b = ANY(ARRAY['x', 'y'])) OR (NOT c))"
    );
    assert_eq!(
        query("SELECT o.id AS id, count(*) FROM public.orders AS o"),
        "SELECT id, count(*) FROM orders AS o"
    );
}

#[test]
fn policy_and_default_expressions_match_the_server_form() {
    same(
        "tenant_id = current_setting('app.tenant_id')::uuid",
        "(tenant_id = (current_setting('app.tenant_id'::text))::uuid)",
    );
    same(
        "tenant_id = NULLIF(current_setting('app.current_tenant_id', true), '')::uuid",
        "(tenant_id = (NULLIF(current_setting('app.current_tenant_id'::text, true), ''::text))::uuid)",
    );
    same("'pending'", "'pending'::character varying");
    same(
        "nextval('orders_id_seq')",
        "nextval('orders_id_seq'::regclass)",
    );
    same("gen_random_uuid()", "gen_random_uuid()");
    different(
        "tenant_id = current_setting('app.tenant_id')::uuid",
        "tenant_id = current_setting('app.other')::uuid",
    );
    different("'pending'", "'failed'");
}

#[test]
fn subqueries_inside_expressions_are_normalized_too() {
    same(
        "EXISTS (SELECT 1 FROM public.memberships m WHERE m.user_id = current_user_id())",
        "(EXISTS ( SELECT 1 FROM memberships m WHERE (m.user_id = current_user_id())))",
    );
    same(
        "tenant_id IN (SELECT tenant_id FROM tenants WHERE active)",
        "(tenant_id IN ( SELECT tenants.tenant_id FROM tenants WHERE tenants.active))",
    );
}

#[test]
fn unparsable_query_is_an_error() {
    let error = normalize_query("SELECT FROM WHERE", "public").unwrap_err();
    assert!(
        matches!(&error, NormalizeError::Unparsed { text, .. } if text == "SELECT FROM WHERE"),
        "{error:?}"
    );
    assert!(normalize_query("SELECT 1; SELECT 2", "public").is_err());
}

#[test]
fn negated_subquery_tests_have_one_form() {
    same(
        "NOT EXISTS (SELECT 1 FROM t WHERE t.a = b)",
        "(NOT (EXISTS ( SELECT 1 FROM t WHERE (t.a = b))))",
    );
    same(
        "x NOT IN (SELECT a FROM t)",
        "(NOT (x IN ( SELECT t.a FROM t)))",
    );
    different("x NOT IN (SELECT a FROM t)", "x IN (SELECT a FROM t)");
    same(
        "substring(name FROM 1 FOR 3)",
        "\"substring\"((name)::text, 1, 3)",
    );
}

#[test]
fn regclass_literals_drop_the_default_schema() {
    same(
        "nextval('public.orders_id_seq'::regclass)",
        "nextval('orders_id_seq'::regclass)",
    );
    same(
        "nextval('Orders_Seq'::regclass)",
        "nextval('orders_seq'::regclass)",
    );
    different(
        "nextval('audit.orders_id_seq'::regclass)",
        "nextval('orders_id_seq'::regclass)",
    );
}

#[test]
fn sql_syntax_functions_match_the_server_form() {
    same(
        "length(trim(name)) > 0",
        "(length(TRIM(BOTH FROM name)) > 0)",
    );
    same(
        "position('x' in code) = 0",
        "(POSITION(('x'::text) IN (code)) = 0)",
    );
    same(
        "code SIMILAR TO '[A-Z]+'",
        "((code)::text ~ similar_to_escape('[A-Z]+'::text))",
    );
    different("trim(name) = ''", "trim(LEADING FROM name) = ''");
    different("code SIMILAR TO '[A-Z]+'", "code NOT SIMILAR TO '[A-Z]+'");
}

#[test]
fn interval_literals_compare_by_value() {
    same(
        "created_at < now() + interval '1 hour'",
        "(created_at < (now() + '01:00:00'::interval))",
    );
    same("interval '2 weeks'", "'14 days'::interval");
    different("interval '1 hour'", "interval '2 hours'");
    different("interval '1 day'", "interval '24 hours'");
}

#[test]
fn window_aggregate_and_extract_arguments_lose_redundant_qualification() {
    assert_eq!(
        query("SELECT id, row_number() OVER (PARTITION BY grp ORDER BY created_at DESC) AS rn FROM t"),
        query(" SELECT t.id,\n    row_number() OVER (PARTITION BY t.grp ORDER BY t.created_at DESC) AS rn\n   FROM t;")
    );
    assert_eq!(
        query("SELECT grp, string_agg(a, ', ' ORDER BY a) AS names FROM t GROUP BY grp"),
        query(
            "SELECT t.grp, string_agg(t.a, ', '::text ORDER BY t.a) AS names FROM t GROUP BY t.grp"
        )
    );
    assert_eq!(
        query("SELECT extract(epoch from created_at) AS e FROM t"),
        query("SELECT EXTRACT(epoch FROM t.created_at) AS e FROM t")
    );
}

#[test]
fn group_and_order_by_ordinals_name_the_output_column() {
    assert_eq!(
        query("SELECT date_trunc('month', created_at) AS month, count(*) AS n FROM t GROUP BY 1 ORDER BY 1"),
        query("SELECT date_trunc('month'::text, t.created_at) AS month, count(*) AS n FROM t GROUP BY (date_trunc('month'::text, t.created_at)) ORDER BY (date_trunc('month'::text, t.created_at))")
    );
    assert_ne!(
        query("SELECT a, b FROM t ORDER BY 1"),
        query("SELECT a, b FROM t ORDER BY 2")
    );
}

#[test]
fn exponent_numbers_that_are_integers_print_as_integers() {
    same("1e3", "'1000'::numeric");
    different("1e3", "100");
    assert_eq!(norm("1.5e-3"), "1.5e-3");
}

#[test]
fn operators_qualified_with_the_default_schema_or_pg_catalog_are_the_bare_operator() {
    // pg_dump qualifies an extension's operators (citext's ~ lives in public).
    same(
        "(email OPERATOR(public.~) '[^@]+@[^@]+'::public.citext)",
        "email ~ '[^@]+@[^@]+'::citext",
    );
    same("a OPERATOR(pg_catalog.=) b", "a = b");
    same("tags OPERATOR(public.@>) ARRAY['x']", "tags @> ARRAY['x']");
    different("a OPERATOR(other.~) b", "a ~ b");
}

#[test]
fn argument_casts_to_declared_parameter_types_are_the_servers() {
    use pgparity::sql::normalize::{normalize_expression_with, Declarations, FormContext};
    use std::rc::Rc;
    let parameters = [
        vec!["character varying".to_string()],
        vec!["numeric".to_string(), "bigint".to_string()],
        vec!["integer".to_string()],
        vec!["text".to_string()],
    ];
    let declarations = || {
        Rc::new(Declarations::new([
            ("convert_ts".to_string(), parameters[0].as_slice()),
            ("score".to_string(), parameters[1].as_slice()),
            // Two overloads of one arity disagree: no cast is the server's for sure.
            ("pick".to_string(), parameters[2].as_slice()),
            ("pick".to_string(), parameters[3].as_slice()),
        ]))
    };
    let with = |text: &str| {
        normalize_expression_with(text, FormContext::default_of("public"), declarations()).unwrap()
    };
    assert_eq!(
        with("convert_ts(attrs->>'d')"),
        with("convert_ts(((attrs ->> 'd'::text))::character varying)")
    );
    assert_eq!(
        with("score(qty, 1)"),
        with("score((qty)::numeric, (1)::bigint)")
    );
    assert_ne!(with("score(qty, 1)"), with("score((qty)::integer, 1)"));
    assert_ne!(with("pick(x)"), with("pick((x)::integer)"));
    // Without the declarations the casts stay.
    assert_ne!(
        norm("score(qty, 1)"),
        norm("score((qty)::numeric, (1)::bigint)")
    );
}

#[test]
fn a_parenthesized_view_body_is_its_query() {
    assert_eq!(
        query("(SELECT name FROM images)"),
        query("SELECT images.name FROM images")
    );
    assert_ne!(
        query("(SELECT name FROM images) ORDER BY name"),
        query("SELECT name FROM images")
    );
}
