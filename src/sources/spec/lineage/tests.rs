//! Lineage over a small hand-built catalog: one assertion per query shape.

use super::*;
use crate::model::{EnumType, Relation, RelationKind};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

fn column(name: &str, data_type: &str, not_null: bool) -> Column {
    let mut column = Column::new(name, Some(SqlType::parse(data_type)), None);
    column.not_null = not_null;
    column
}

fn table(schema: &str, name: &str, kind: RelationKind, columns: Vec<Column>) -> Relation {
    let mut relation = Relation::new(QualifiedName::new(schema, name), kind, None);
    relation.columns = columns;
    relation
}

fn catalog() -> Catalog {
    let mut catalog = Catalog::new();
    let relations = [
        table(
            "public",
            "orders",
            RelationKind::Table,
            vec![
                column("id", "uuid", true),
                column("tenant_id", "uuid", true),
                column("status", "varchar(20)", true),
                column("amount_cents", "int4", false),
                column("customer_id", "uuid", false),
                column("total", "numeric(12,2)", true),
                column("kind", "kind_t", true),
            ],
        ),
        table(
            "public",
            "customers",
            RelationKind::Table,
            vec![column("id", "uuid", true), column("name", "text", true)],
        ),
        table(
            "public",
            "obst",
            RelationKind::Table,
            vec![
                column("Äpfel", "int4", true),
                column(&"long_".repeat(13)[..63], "text", false),
            ],
        ),
        table(
            "audit",
            "events",
            RelationKind::Table,
            vec![
                column("id", "bigint", true),
                column("at", "timestamptz", true),
            ],
        ),
    ];
    for relation in relations {
        catalog.relations.insert(relation.name.clone(), relation);
    }
    let kind = QualifiedName::new("public", "kind_t");
    catalog.enums.insert(
        kind.clone(),
        EnumType {
            name: kind,
            values: vec!["a".into(), "b".into()],
            location: None,
        },
    );
    catalog
}

fn columns_of(sql: &str, names: &[&str]) -> Vec<Column> {
    let dialect = PostgreSqlDialect {};
    let query = Parser::new(&dialect)
        .try_with_sql(sql)
        .and_then(|mut parser| parser.parse_query())
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    view_columns(&query, &names, &catalog(), "public")
}

/// `name type [NOT NULL] [<- relation.column]` per column, for compact assertions.
fn describe(columns: &[Column]) -> Vec<String> {
    columns
        .iter()
        .map(|column| {
            let mut text = format!(
                "{} {}",
                column.name,
                column
                    .data_type
                    .as_ref()
                    .map_or("?".to_string(), SqlType::to_string)
            );
            if column.not_null {
                text.push_str(" NOT NULL");
            }
            if let Some(source) = &column.source {
                text.push_str(&format!(" <- {}", source.relation.child(&source.column)));
            }
            text
        })
        .collect()
}

#[track_caller]
fn assert_lineage(sql: &str, names: &[&str], expected: &[&str]) {
    assert_eq!(describe(&columns_of(sql, names)), expected, "{sql}");
}

#[test]
fn plain_references_through_aliases_and_qualification() {
    // `o` is not defined here, so `o.id` proves nothing.
    assert_lineage(
        "SELECT o.id, o.status AS state, amount_cents, public.orders.tenant_id \
         FROM public.orders",
        &["id", "state", "amount_cents", "tenant_id"],
        &[
            "id ?",
            "state ?",
            "amount_cents integer <- public.orders.amount_cents",
            "tenant_id uuid NOT NULL <- public.orders.tenant_id",
        ],
    );
    assert_lineage(
        "SELECT o.id, O.Status FROM orders AS o",
        &["id", "status"],
        &[
            "id uuid NOT NULL <- public.orders.id",
            "status character varying(20) NOT NULL <- public.orders.status",
        ],
    );
    assert_lineage(
        "SELECT e.at, audit.events.id FROM audit.events e, audit.events",
        &["at", "id"],
        &[
            "at timestamp with time zone NOT NULL <- audit.events.at",
            "id bigint NOT NULL <- audit.events.id",
        ],
    );
}

#[test]
fn references_fold_as_the_server_does_ascii_only_and_cut_to_63_bytes() {
    let long = "long_".repeat(14);
    let stored = &long[..63];
    assert_lineage(
        &format!("SELECT Äpfel, OBST.Äpfel AS b, {long} FROM Obst"),
        &["Äpfel", "b", stored],
        &[
            "Äpfel integer NOT NULL <- public.obst.Äpfel",
            "b integer NOT NULL <- public.obst.Äpfel",
            &format!("{stored} text <- public.obst.{stored}"),
        ],
    );
}

#[test]
fn outer_joins_make_the_nullable_side_nullable() {
    let sql = |join: &str| {
        format!("SELECT o.id, c.name FROM orders o {join} customers c ON c.id = o.customer_id")
    };
    let names = ["order_id", "customer_name"];
    assert_lineage(
        &sql("JOIN"),
        &names,
        &[
            "order_id uuid NOT NULL <- public.orders.id",
            "customer_name text NOT NULL <- public.customers.name",
        ],
    );
    assert_lineage(
        &sql("LEFT JOIN"),
        &names,
        &[
            "order_id uuid NOT NULL <- public.orders.id",
            "customer_name text <- public.customers.name",
        ],
    );
    assert_lineage(
        &sql("RIGHT OUTER JOIN"),
        &names,
        &[
            "order_id uuid <- public.orders.id",
            "customer_name text NOT NULL <- public.customers.name",
        ],
    );
    assert_lineage(
        &sql("FULL JOIN"),
        &names,
        &[
            "order_id uuid <- public.orders.id",
            "customer_name text <- public.customers.name",
        ],
    );
}

#[test]
fn unqualified_names_resolve_only_when_unambiguous() {
    assert_lineage(
        "SELECT id, name FROM orders o JOIN customers c ON c.id = o.customer_id",
        &["id", "name"],
        &["id ?", "name text NOT NULL <- public.customers.name"],
    );
    // A relation the catalog does not know might hold any column.
    assert_lineage(
        "SELECT name FROM customers, unknown_table",
        &["name"],
        &["name ?"],
    );
}

#[test]
fn unknown_relations_give_no_types() {
    assert_lineage(
        "SELECT u.id, u.* FROM unknown_table u",
        &["id", "a", "b"],
        &["id ?", "a ?", "b ?"],
    );
    assert_lineage("SELECT id FROM other.orders", &["id"], &["id ?"]);
}

#[test]
fn ctes_and_subqueries_pass_plain_references_through() {
    assert_lineage(
        "WITH recent AS (SELECT id, status, count(*) FROM orders GROUP BY id, status) \
         SELECT r.status, r.count, recent.id FROM recent r, recent",
        &["status", "n", "id"],
        &[
            "status character varying(20) NOT NULL <- public.orders.status",
            "n bigint NOT NULL",
            "id uuid NOT NULL <- public.orders.id",
        ],
    );
    assert_lineage(
        "WITH x (order_id) AS (SELECT id FROM orders) SELECT order_id FROM x",
        &["order_id"],
        &["order_id uuid NOT NULL <- public.orders.id"],
    );
    assert_lineage(
        "SELECT s.total, s.t FROM (SELECT total, tenant_id AS t FROM orders) s \
         LEFT JOIN customers c ON true",
        &["total", "t"],
        &[
            "total numeric(12,2) NOT NULL <- public.orders.total",
            "t uuid NOT NULL <- public.orders.tenant_id",
        ],
    );
    // A CTE shadows a table of the same name.
    assert_lineage(
        "WITH customers AS (SELECT tenant_id AS name FROM orders) \
         SELECT name FROM customers",
        &["name"],
        &["name uuid NOT NULL <- public.orders.tenant_id"],
    );
}

#[test]
fn casts_literals_and_known_functions_have_exact_types() {
    assert_lineage(
        "SELECT amount_cents::numeric(12,2), 'x', 'y'::varchar, true, 7, 3000000000, 1.5, \
         NULL, count(*), count(customer_id), sum(amount_cents), sum(total), avg(amount_cents), \
         max(status), min(kind), now(), CURRENT_TIMESTAMP, coalesce(customer_id, id), \
         amount_cents + 1, lower(status) FROM orders",
        &[
            "cents", "x", "y", "t", "i", "b", "n", "nothing", "c", "cc", "s", "st", "a", "mx",
            "mn", "now", "ts", "co", "expr", "low",
        ],
        &[
            "cents numeric(12,2)",
            "x text NOT NULL",
            "y character varying NOT NULL",
            "t boolean NOT NULL",
            "i integer NOT NULL",
            "b bigint NOT NULL",
            "n numeric NOT NULL",
            "nothing ?",
            "c bigint NOT NULL",
            "cc bigint NOT NULL",
            "s bigint",
            "st numeric",
            "a numeric",
            "mx text",
            "mn kind_t",
            "now timestamp with time zone NOT NULL",
            "ts timestamp with time zone NOT NULL",
            "co uuid NOT NULL",
            "expr integer",
            "low ?",
        ],
    );
}

#[test]
fn a_function_in_the_default_schema_may_shadow_a_builtin() {
    let dialect = PostgreSqlDialect {};
    let query = Parser::new(&dialect)
        .try_with_sql("SELECT count(*) FROM orders")
        .and_then(|mut parser| parser.parse_query())
        .expect("parses");
    let mut catalog = catalog();
    catalog
        .functions
        .insert(QualifiedName::new("public", "count"), Vec::new());
    let columns = view_columns(&query, &["count".to_string()], &catalog, "public");
    assert_eq!(describe(&columns), ["count ?"]);
}

#[test]
fn star_expands_to_the_relation_columns() {
    assert_lineage(
        "SELECT c.*, o.id FROM customers c JOIN orders o ON o.customer_id = c.id",
        &["id", "name", "order_id"],
        &[
            "id uuid NOT NULL <- public.customers.id",
            "name text NOT NULL <- public.customers.name",
            "order_id uuid NOT NULL <- public.orders.id",
        ],
    );
    // Names the caller could not know come from the expansion.
    assert_lineage(
        "SELECT *, name || '!' FROM customers",
        &[],
        &[
            "id uuid NOT NULL <- public.customers.id",
            "name text NOT NULL <- public.customers.name",
            "?column? ?",
        ],
    );
}

#[test]
fn set_operations_and_grouping_sets_give_names_without_proof() {
    assert_lineage(
        "SELECT id FROM orders UNION SELECT id FROM customers",
        &["id"],
        &["id ?"],
    );
    assert_lineage("VALUES (1, 'a')", &["column1"], &["column1 ?"]);
    assert_lineage(
        "SELECT tenant_id, count(*) FROM orders GROUP BY ROLLUP (tenant_id)",
        &["tenant_id", "n"],
        &["tenant_id uuid <- public.orders.tenant_id", "n bigint"],
    );
}

#[test]
fn views_in_the_catalog_pass_their_sources_on() {
    let mut catalog = catalog();
    let mut total = column("total_revenue", "bigint", false);
    total.source = None;
    let mut tenant = column("tenant_id", "uuid", true);
    tenant.source = Some(Box::new(ColumnSource {
        relation: QualifiedName::new("public", "orders"),
        column: "tenant_id".into(),
    }));
    let view = table(
        "public",
        "mv_revenue",
        RelationKind::MaterializedView,
        vec![tenant, total],
    );
    catalog.relations.insert(view.name.clone(), view);
    let dialect = PostgreSqlDialect {};
    let query = Parser::new(&dialect)
        .try_with_sql("SELECT tenant_id, total_revenue FROM mv_revenue")
        .and_then(|mut parser| parser.parse_query())
        .expect("parses");
    let names = ["tenant_id".to_string(), "total_revenue".to_string()];
    assert_eq!(
        describe(&view_columns(&query, &names, &catalog, "public")),
        [
            "tenant_id uuid NOT NULL <- public.orders.tenant_id",
            "total_revenue bigint <- public.mv_revenue.total_revenue",
        ]
    );
}

#[test]
fn grouped_aggregates_and_arithmetic_of_non_null_values_are_not_null() {
    assert_lineage(
        "SELECT o.tenant_id, sum(o.total) / 100.0 AS total, sum(o.amount_cents) AS cents, \
         bool_and(o.customer_id IS NOT NULL) AS verified, max(o.status) AS last_status, \
         avg(o.total) FILTER (WHERE o.total > 0) AS filtered, o.total * 2 AS doubled, \
         o.amount_cents - 1::smallint AS less, count(*) AS n \
         FROM orders AS o GROUP BY o.tenant_id",
        &[
            "tenant_id",
            "total",
            "cents",
            "verified",
            "last_status",
            "filtered",
            "doubled",
            "less",
            "n",
        ],
        &[
            "tenant_id uuid NOT NULL <- public.orders.tenant_id",
            "total numeric NOT NULL",
            "cents bigint",
            "verified boolean NOT NULL",
            "last_status text NOT NULL",
            "filtered numeric",
            "doubled numeric NOT NULL",
            "less integer",
            "n bigint NOT NULL",
        ],
    );
    // Without GROUP BY an aggregate over no rows is null.
    assert_lineage(
        "SELECT sum(total), bool_or(true) FROM orders",
        &["s", "b"],
        &["s numeric", "b boolean"],
    );
}

#[test]
fn lineage_walks_an_expression_at_the_nesting_limit() {
    let max = crate::sql::depth::MAX_NESTING;
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(crate::WORKER_STACK_BYTES)
            .spawn_scoped(scope, || {
                // `SELECT` and `AS` count one level each.
                let sql = format!("SELECT {} AS x", vec!["1"; max - 2].join(" + "));
                assert_eq!(describe(&columns_of(&sql, &["x"])), ["x integer NOT NULL"]);
            })
            .expect("worker thread")
            .join()
            .expect("no panic");
    });
}
