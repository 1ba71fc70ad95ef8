//! Drift through the binary against a real PostgreSQL: the bundled example applied to a
//! fresh database is clean, each drift rule fires on a database changed in exactly that
//! way, and what the server prints differently but means the same is not drift. After
//! each drift, the `--fix-sql` script applied to the database (as `psql -f` would) leaves
//! no drift but what its commented-out destructive statements would fix, and those,
//! uncommented, fix the rest.

mod support;

use pgparity::rules::{self, Family};
use serde_json::Value;
use support::check_json;
use support::fix_sql::assert_fix_script_repairs;
use support::pg::TestDatabase;

/// A drift finding reduced to what these tests assert: rule, object, expected, actual.
type Drift = (String, String, Option<String>, Option<String>);

/// The drift-family findings of a JSON report, in report order.
fn drift_of(report: &Value) -> Vec<Drift> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .filter(|finding| {
            let rule = finding["rule"].as_str().unwrap_or_default();
            rules::by_id(rule).is_some_and(|rule| rule.family == Family::Drift)
        })
        .map(|finding| {
            let text = |key: &str| finding[key].as_str().map(str::to_string);
            (
                text("rule").unwrap_or_default(),
                text("object").unwrap_or_default(),
                text("expected"),
                text("actual"),
            )
        })
        .collect()
}

/// A fresh database with the bundled example applied, then `change`.
fn example_database(hint: &str, change: &str) -> TestDatabase {
    let database = TestDatabase::new(hint);
    database.apply_example_specs();
    if !change.is_empty() {
        database.execute(change);
    }
    database
}

/// `check --db` of the example database after `change`, drift findings only; then the
/// fix script of that run repairs the database.
fn drift_after(hint: &str, change: &str) -> Vec<Drift> {
    let database = example_database(hint, change);
    let (_, report) = check_json(&["--db", &database.url()]);
    assert_fix_script_repairs(&database, &[]);
    drift_of(&report)
}

/// Asserts that `change` causes exactly one drift finding, the one described, and that
/// the fix script repairs it.
fn assert_one_drift(change: &str, rule: &str, object: &str, expected: &str, actual: &str) {
    let found = drift_after(rule, change);
    let wanted = vec![(
        rule.to_string(),
        object.to_string(),
        Some(expected.to_string()),
        Some(actual.to_string()),
    )];
    assert_eq!(found, wanted, "after: {change}");
}

#[test]
fn the_example_applied_unchanged_has_no_drift() {
    let database = example_database("clean", "");
    let (code, report) = check_json(&["--db", &database.url()]);
    assert_eq!(drift_of(&report), Vec::<Drift>::new());
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn missing_relation() {
    assert_one_drift(
        "DROP TABLE dead_events",
        "missing-relation",
        "public.dead_events",
        "table",
        "absent",
    );
}

#[test]
fn unexpected_relation() {
    assert_one_drift(
        "CREATE TABLE audit_scratch (id integer)",
        "unexpected-relation",
        "public.audit_scratch",
        "absent",
        "table",
    );
}

#[test]
fn missing_column() {
    assert_one_drift(
        "ALTER TABLE dead_events DROP COLUMN resolved_at",
        "missing-column",
        "public.dead_events.resolved_at",
        "timestamp with time zone",
        "absent",
    );
}

#[test]
fn unexpected_column() {
    assert_one_drift(
        "ALTER TABLE dead_events ADD COLUMN operator_note text",
        "unexpected-column",
        "public.dead_events.operator_note",
        "absent",
        "text",
    );
}

#[test]
fn column_type_drift() {
    assert_one_drift(
        "ALTER TABLE dead_events ALTER COLUMN failure_reason TYPE varchar(200)",
        "column-type-drift",
        "public.dead_events.failure_reason",
        "text",
        "character varying(200)",
    );
}

#[test]
fn nullability_drift() {
    assert_one_drift(
        "ALTER TABLE dead_events ALTER COLUMN failure_reason DROP NOT NULL",
        "nullability-drift",
        "public.dead_events.failure_reason",
        "NOT NULL",
        "nullable",
    );
}

#[test]
fn default_drift() {
    assert_one_drift(
        "ALTER TABLE dead_events ALTER COLUMN retry_count SET DEFAULT 1",
        "default-drift",
        "public.dead_events.retry_count",
        "0",
        "1",
    );
}

#[test]
fn missing_index() {
    assert_one_drift(
        "DROP INDEX idx_dead_events_tenant_failed_at",
        "missing-index",
        "public.idx_dead_events_tenant_failed_at",
        "index",
        "absent",
    );
}

#[test]
fn unexpected_index() {
    assert_one_drift(
        "CREATE INDEX idx_dead_events_reason ON dead_events (failure_reason)",
        "unexpected-index",
        "public.idx_dead_events_reason",
        "absent",
        "CREATE INDEX idx_dead_events_reason ON public.dead_events USING btree (failure_reason)",
    );
}

#[test]
fn index_definition_drift() {
    assert_one_drift(
        "DROP INDEX idx_dead_events_tenant_failed_at;
         CREATE INDEX idx_dead_events_tenant_failed_at ON dead_events (tenant_id, failed_at)",
        "index-definition-drift",
        "public.idx_dead_events_tenant_failed_at",
        "tenant_id, failed_at DESC",
        "tenant_id, failed_at",
    );
}

#[test]
fn missing_constraint() {
    assert_one_drift(
        "ALTER TABLE dead_events DROP CONSTRAINT ck_dead_events_retry_count",
        "missing-constraint",
        "public.dead_events.ck_dead_events_retry_count",
        "check",
        "absent",
    );
}

#[test]
fn unexpected_constraint() {
    assert_one_drift(
        "ALTER TABLE dead_events ADD CONSTRAINT ck_dead_events_reason CHECK (failure_reason <> '')",
        "unexpected-constraint",
        "public.dead_events.ck_dead_events_reason",
        "absent",
        "CHECK (failure_reason <> ''::text)",
    );
}

#[test]
fn constraint_drift() {
    assert_one_drift(
        "ALTER TABLE dead_events DROP CONSTRAINT ck_dead_events_retry_count;
         ALTER TABLE dead_events ADD CONSTRAINT ck_dead_events_retry_count CHECK (retry_count <= 10)",
        "constraint-drift",
        "public.dead_events.ck_dead_events_retry_count",
        "retry_count >= 0",
        "retry_count <= 10",
    );
}

#[test]
fn rls_drift() {
    assert_one_drift(
        "ALTER TABLE dead_events NO FORCE ROW LEVEL SECURITY",
        "rls-drift",
        "public.dead_events",
        "enabled and forced",
        "enabled, not forced",
    );
}

#[test]
fn missing_policy() {
    assert_one_drift(
        "DROP POLICY tenant_isolation_policy ON dead_events",
        "missing-policy",
        "public.dead_events.tenant_isolation_policy",
        "policy",
        "absent",
    );
}

#[test]
fn unexpected_policy() {
    assert_one_drift(
        "CREATE POLICY operators_read_all ON dead_events FOR SELECT USING (true)",
        "unexpected-policy",
        "public.dead_events.operators_read_all",
        "absent",
        "policy",
    );
}

#[test]
fn policy_drift() {
    assert_one_drift(
        "ALTER POLICY tenant_isolation_policy ON dead_events USING (true)",
        "policy-drift",
        "public.dead_events.tenant_isolation_policy",
        "tenant_id = current_setting('app.current_tenant_id')::UUID",
        "true",
    );
}

#[test]
fn grant_drift() {
    assert_one_drift(
        "REVOKE UPDATE ON dead_events FROM app_user",
        "grant-drift",
        "public.dead_events",
        "UPDATE to app_user",
        "absent",
    );
}

#[test]
fn missing_trigger() {
    assert_one_drift(
        "DROP TRIGGER trg_revenue_ledger_set_updated_at ON revenue_ledger",
        "missing-trigger",
        "public.revenue_ledger.trg_revenue_ledger_set_updated_at",
        "trigger",
        "absent",
    );
}

#[test]
fn unexpected_trigger() {
    assert_one_drift(
        "CREATE TRIGGER trg_dead_events_touch BEFORE UPDATE ON dead_events
         FOR EACH ROW EXECUTE FUNCTION set_updated_at()",
        "unexpected-trigger",
        "public.dead_events.trg_dead_events_touch",
        "absent",
        "trigger",
    );
}

#[test]
fn view_definition_drift() {
    let found = drift_after(
        "view_definition_drift",
        "DROP MATERIALIZED VIEW mv_reconciliation_status;
         CREATE MATERIALIZED VIEW mv_reconciliation_status AS
         SELECT DISTINCT ON (rr.tenant_id)
             rr.tenant_id, rr.id AS run_id, rr.state, rr.last_run_at,
             rr.period_start, rr.period_end
         FROM reconciliation_runs AS rr
         ORDER BY rr.tenant_id, rr.created_at, rr.id DESC;
         CREATE UNIQUE INDEX uq_mv_reconciliation_status_tenant
             ON mv_reconciliation_status (tenant_id);
         GRANT SELECT ON mv_reconciliation_status TO app_user",
    );
    let [(rule, object, Some(expected), Some(actual))] = found.as_slice() else {
        panic!("one view-definition-drift with both sides: {found:#?}");
    };
    assert_eq!(
        (rule.as_str(), object.as_str()),
        ("view-definition-drift", "public.mv_reconciliation_status")
    );
    // The spec side is the example's text; the live side is how the server printed it.
    assert!(
        expected.ends_with("ORDER BY rr.tenant_id, rr.created_at DESC, rr.id DESC"),
        "{expected}"
    );
    assert!(
        actual.ends_with("ORDER BY rr.tenant_id, rr.created_at, rr.id DESC"),
        "{actual}"
    );
}

#[test]
fn comment_drift() {
    assert_one_drift(
        "COMMENT ON TABLE dead_events IS 'Dead letters.'",
        "comment-drift",
        "public.dead_events",
        "'Dead-letter queue of ingestion; operators triage it per tenant, newest first.'",
        "'Dead letters.'",
    );
}

/// A small spec written the way a person writes DDL.
const PAIRS_SPEC: &str = "
CREATE TABLE public.parent (id int4 PRIMARY KEY);

CREATE TABLE items (
    id int4 PRIMARY KEY,
    parent_id int4 NOT NULL REFERENCES public.parent (id),
    kind text NOT NULL DEFAULT 'plain',
    qty int4 NOT NULL,
    price numeric(10,2) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ck_items_kind CHECK (kind IN ('plain', 'gift')),
    CONSTRAINT ck_items_positive CHECK ((qty > 0) AND (price >= 0)),
    CONSTRAINT ck_items_cap CHECK (qty < 1000)
);

CREATE INDEX idx_items_gift ON public.items (parent_id) WHERE (kind = 'gift');

ALTER TABLE items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_in_stock ON public.items USING ((qty > 0) AND kind IN ('plain', 'gift'));

CREATE VIEW items_gift AS
    SELECT i.id, i.qty FROM public.items AS i WHERE i.kind IN ('gift', 'plain');
";

/// The same schema written the way the server prints it: `= ANY (ARRAY[…])`, explicit
/// casts, `integer`, other parentheses, qualified where the spec is not and back.
const PAIRS_EQUAL: &str = "
CREATE TABLE parent (id integer PRIMARY KEY);

CREATE TABLE public.items (
    id integer PRIMARY KEY,
    parent_id integer NOT NULL REFERENCES parent (id),
    kind text NOT NULL DEFAULT 'plain'::text,
    qty integer NOT NULL,
    price numeric(10,2) NOT NULL,
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT ck_items_kind CHECK (kind = ANY (ARRAY['plain'::text, 'gift'::text])),
    CONSTRAINT ck_items_positive CHECK (qty > 0 AND price >= 0::numeric),
    CONSTRAINT ck_items_cap CHECK (((qty) < (1000)))
);

CREATE INDEX idx_items_gift ON items USING btree (parent_id) WHERE kind = 'gift'::text;

ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_in_stock ON items
    USING (qty > 0 AND (kind = ANY (ARRAY['plain'::text, 'gift'::text])));

CREATE VIEW public.items_gift AS
    SELECT i.id, i.qty FROM items i WHERE (i.kind = ANY (ARRAY['gift'::text, 'plain'::text]));
";

/// `check --db` of a database built from `database_sql` against [`PAIRS_SPEC`].
fn pairs_drift(hint: &str, database_sql: &str) -> Vec<Drift> {
    let folder = support::ScratchDir::new(hint);
    let spec = folder.write("schema.sql", PAIRS_SPEC);
    let database = TestDatabase::new(hint);
    database.execute(database_sql);
    let (_, report) = check_json(&[
        "--config",
        "/dev/null",
        "--specs",
        &spec,
        "--db",
        &database.url(),
    ]);
    assert_fix_script_repairs(&database, &["--config", "/dev/null", "--specs", &spec]);
    drift_of(&report)
}

#[test]
fn what_the_server_prints_differently_but_means_the_same_is_not_drift() {
    assert_eq!(pairs_drift("pairs_equal", PAIRS_EQUAL), Vec::<Drift>::new());
}

#[test]
fn a_different_function_operator_or_literal_is_drift() {
    let changed = PAIRS_EQUAL
        .replace("DEFAULT now()", "DEFAULT clock_timestamp()")
        .replace("qty > 0 AND price", "qty >= 0 AND price")
        .replace("(1000)", "(999)");
    let mut found = pairs_drift("pairs_changed", &changed);
    found.sort();
    let sides: Vec<(&str, &str, String, String)> = found
        .iter()
        .map(|(rule, object, expected, actual)| {
            (
                rule.as_str(),
                object.as_str(),
                expected.clone().unwrap_or_default(),
                actual.clone().unwrap_or_default(),
            )
        })
        .collect();
    let [cap, positive, created_at] = sides.as_slice() else {
        panic!("three drift findings: {found:#?}");
    };
    assert_eq!(
        (cap.0, cap.1),
        ("constraint-drift", "public.items.ck_items_cap")
    );
    assert!(cap.2.contains("1000") && cap.3.contains("999"), "{cap:?}");
    assert_eq!(
        (positive.0, positive.1),
        ("constraint-drift", "public.items.ck_items_positive")
    );
    assert!(
        positive.2.contains("qty > 0") && positive.3.contains("qty >= 0"),
        "{positive:?}"
    );
    assert_eq!(
        (created_at.0, created_at.1),
        ("default-drift", "public.items.created_at")
    );
    assert_eq!(
        (created_at.2.as_str(), created_at.3.as_str()),
        ("now()", "clock_timestamp()")
    );
}

/// A partitioned table with keys, a foreign key, a check, an index and two partitions.
const PARTITIONED_SPEC: &str = "
CREATE TABLE sensors (id uuid PRIMARY KEY);

CREATE TABLE measurements (
    sensor_id uuid NOT NULL CONSTRAINT fk_measurements_sensor REFERENCES sensors (id),
    taken_on date NOT NULL,
    reading numeric NOT NULL CONSTRAINT ck_measurements_reading CHECK (reading >= 0),
    note text DEFAULT '',
    CONSTRAINT pk_measurements PRIMARY KEY (sensor_id, taken_on)
) PARTITION BY RANGE (taken_on);

CREATE TABLE measurements_2025 PARTITION OF measurements
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE measurements_2026 PARTITION OF measurements
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');

CREATE INDEX idx_measurements_taken_on ON measurements (taken_on DESC);
CREATE UNIQUE INDEX uq_measurements_note ON measurements (sensor_id, taken_on, note);
";

#[test]
fn what_postgresql_derives_for_partitions_is_not_drift() {
    let folder = support::ScratchDir::new("partitions");
    let spec = folder.write("schema.sql", PARTITIONED_SPEC);
    let database = TestDatabase::new("partitions");
    database.execute(PARTITIONED_SPEC);
    let (_, report) = check_json(&[
        "--config",
        "/dev/null",
        "--specs",
        &spec,
        "--db",
        &database.url(),
    ]);
    assert_eq!(drift_of(&report), Vec::<Drift>::new());

    database.execute("CREATE INDEX idx_measurements_2025_reading ON measurements_2025 (reading)");
    let (_, report) = check_json(&[
        "--config",
        "/dev/null",
        "--specs",
        &spec,
        "--db",
        &database.url(),
    ]);
    assert_fix_script_repairs(&database, &["--config", "/dev/null", "--specs", &spec]);
    assert_eq!(
        drift_of(&report),
        vec![(
            "unexpected-index".to_string(),
            "public.idx_measurements_2025_reading".to_string(),
            Some("absent".to_string()),
            Some(
                "CREATE INDEX idx_measurements_2025_reading ON public.measurements_2025 \
                 USING btree (reading)"
                    .to_string()
            ),
        )],
        "an index of the partition's own is still drift"
    );
}
