//! One test per drift rule: it fires on a catalog changed in exactly that way, and stays
//! silent on equal input (including the forms PostgreSQL 15 prints for the same
//! definition). The "live" side is loaded from SQL too, then edited where the server's
//! printed form cannot be written as DDL.

use super::drift_findings;
use crate::finding::{Finding, Severity};
use crate::model::{Catalog, QualifiedName, Relation};
use crate::sources::forms::fill_forms;
use crate::sources::spec::{load_spec_text, SpecSet};

const TABLE: &str = "
CREATE TABLE runs (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    state text NOT NULL DEFAULT 'idle'
        CONSTRAINT ck_runs_state CHECK (state IN ('idle', 'running')),
    attempts int4 NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    email varchar(120)
);
CREATE INDEX idx_runs_tenant ON runs (tenant_id, created_at DESC);
CREATE UNIQUE INDEX uq_runs_running ON runs (tenant_id) WHERE state = 'running';
";

fn spec(sql: &str) -> SpecSet {
    load_spec_text("specs/spec.sql", sql, "public")
}

fn live(sql: &str) -> Catalog {
    let mut catalog = load_spec_text("live.sql", sql, "public").catalog;
    catalog.schemas.insert("public".into(), None);
    catalog
}

/// Drift of `live_catalog` (edited after loading: its forms are computed again, as a
/// loader would) against the specs `spec_sql`.
fn run(spec_sql: &str, live_catalog: &Catalog) -> Vec<Finding> {
    let mut live_catalog = live_catalog.clone();
    fill_forms(&mut live_catalog, "public");
    drift_findings(&spec(spec_sql), &live_catalog, "public")
}

fn relation<'c>(catalog: &'c mut Catalog, name: &str) -> &'c mut Relation {
    catalog
        .relations
        .get_mut(&QualifiedName::new("public", name))
        .expect("relation exists")
}

/// (rule, object, expected, actual) of each finding.
fn briefs(findings: &[Finding]) -> Vec<(String, String, Option<String>, Option<String>)> {
    findings
        .iter()
        .map(|finding| {
            (
                finding.rule.id.to_string(),
                finding.object.to_string(),
                finding.expected.clone(),
                finding.actual.clone(),
            )
        })
        .collect()
}

fn brief(
    rule: &str,
    object: &str,
    expected: &str,
    actual: &str,
) -> (String, String, Option<String>, Option<String>) {
    (
        rule.into(),
        object.into(),
        Some(expected.into()),
        Some(actual.into()),
    )
}

fn assert_silent(spec_sql: &str, live_catalog: &Catalog) {
    let findings = run(spec_sql, live_catalog);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn equal_catalogs_have_no_drift() {
    assert_silent(TABLE, &live(TABLE));
}

#[test]
fn missing_relation_fires_with_the_spec_location() {
    let findings = run(TABLE, &live(""));
    assert_eq!(
        briefs(&findings),
        vec![brief("missing-relation", "public.runs", "table", "absent")]
    );
    let location = findings[0].location.as_ref().expect("spec location");
    assert_eq!((&*location.path, location.line), ("specs/spec.sql", 2));
}

#[test]
fn unexpected_relation_is_a_warning_without_location() {
    let findings = run("", &live(TABLE));
    assert_eq!(
        briefs(&findings),
        vec![brief(
            "unexpected-relation",
            "public.runs",
            "absent",
            "table"
        )]
    );
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(findings[0].location, None);
}

#[test]
fn relations_outside_the_schemas_in_scope_are_not_compared() {
    let audit = "CREATE SCHEMA audit; CREATE TABLE audit.log (id int);";
    let mut catalog = live(audit);
    catalog.schemas.remove("audit");
    assert_silent("", &catalog);
    catalog.schemas.insert("audit".into(), None);
    assert_eq!(
        briefs(&run("", &catalog)),
        vec![brief("unexpected-relation", "audit.log", "absent", "table")]
    );
}

#[test]
fn missing_and_unexpected_columns_fire() {
    let mut catalog = live(TABLE);
    let runs = relation(&mut catalog, "runs");
    runs.columns.retain(|column| column.name != "email");
    let mut extra = runs.columns[0].clone();
    extra.name = "currency".into();
    runs.columns.push(extra);
    let findings = run(TABLE, &catalog);
    assert_eq!(
        briefs(&findings),
        vec![
            brief(
                "missing-column",
                "public.runs.email",
                "character varying(120)",
                "absent"
            ),
            brief(
                "unexpected-column",
                "public.runs.currency",
                "absent",
                "uuid NOT NULL"
            ),
        ]
    );
    assert_eq!(findings[0].location.as_ref().map(|at| at.line), Some(9));
}

#[test]
fn column_order_is_not_drift() {
    let mut catalog = live(TABLE);
    relation(&mut catalog, "runs").columns.reverse();
    assert_silent(TABLE, &catalog);
}

#[test]
fn column_type_drift_fires_and_aliases_are_equal() {
    let aliased = TABLE
        .replace("int4", "integer")
        .replace("varchar(120)", "character varying(120)")
        .replace("timestamptz", "timestamp with time zone");
    assert_silent(TABLE, &live(&aliased));
    let changed = TABLE.replace("int4", "bigint");
    assert_eq!(
        briefs(&run(TABLE, &live(&changed))),
        vec![brief(
            "column-type-drift",
            "public.runs.attempts",
            "integer",
            "bigint"
        )]
    );
}

#[test]
fn nullability_drift_fires_on_tables_only() {
    let changed = TABLE.replace("email varchar(120)", "email varchar(120) NOT NULL");
    assert_eq!(
        briefs(&run(TABLE, &live(&changed))),
        vec![brief(
            "nullability-drift",
            "public.runs.email",
            "nullable",
            "NOT NULL"
        )]
    );
    let view = format!(
        "{TABLE} CREATE MATERIALIZED VIEW mv_runs AS SELECT r.id, r.tenant_id FROM runs r;"
    );
    let mut catalog = live(&view);
    for column in &mut relation(&mut catalog, "mv_runs").columns {
        column.not_null = false;
    }
    assert_silent(&view, &catalog);
}

#[test]
fn default_drift_normalizes_both_sides_and_keeps_function_differences() {
    let mut catalog = live(TABLE);
    let runs = relation(&mut catalog, "runs");
    runs.column_mut("state").expect("state").default = Some("'idle'::text".into());
    runs.column_mut("attempts").expect("attempts").default = Some("(0)".into());
    assert_silent(TABLE, &catalog);
    relation(&mut catalog, "runs")
        .column_mut("created_at")
        .expect("created_at")
        .default = Some("clock_timestamp()".into());
    let findings = run(TABLE, &catalog);
    assert_eq!(
        briefs(&findings),
        vec![brief(
            "default-drift",
            "public.runs.created_at",
            "now()",
            "clock_timestamp()"
        )]
    );
    assert_eq!(findings[0].severity, Severity::Error);
    let diff = findings[0].diff.as_deref().expect("a unified diff");
    assert!(
        diff.contains("--- spec") && diff.contains("-now()") && diff.contains("+clock_timestamp()"),
        "{diff}"
    );
}

#[test]
fn an_undecidable_default_is_info() {
    let mut catalog = live(TABLE);
    relation(&mut catalog, "runs")
        .column_mut("created_at")
        .expect("created_at")
        .default = Some("now() +* garbage(".into());
    let findings = run(TABLE, &catalog);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, "default-drift");
    assert_eq!(findings[0].severity, Severity::Info);
    assert!(findings[0].message.contains("could not decide"));
}

#[test]
fn missing_and_unexpected_indexes_fire() {
    let mut catalog = live(TABLE);
    let runs = relation(&mut catalog, "runs");
    let mut extra = runs.indexes["idx_runs_tenant"].clone();
    runs.indexes.remove("idx_runs_tenant");
    extra.name = "idx_tmp_debug".into();
    runs.indexes.insert(extra.name.clone(), extra);
    assert_eq!(
        briefs(&run(TABLE, &catalog)),
        vec![
            brief("missing-index", "public.idx_runs_tenant", "index", "absent"),
            brief(
                "unexpected-index",
                "public.idx_tmp_debug",
                "absent",
                "CREATE INDEX idx_tmp_debug ON public.runs USING btree (tenant_id, created_at DESC)"
            ),
        ]
    );
}

#[test]
fn a_constraint_backed_index_is_reported_once_as_a_constraint() {
    let mut catalog = live(TABLE);
    let runs = relation(&mut catalog, "runs");
    runs.constraints.remove("runs_pkey");
    runs.indexes.remove("runs_pkey");
    assert_eq!(
        briefs(&run(TABLE, &catalog)),
        vec![brief(
            "missing-constraint",
            "public.runs.runs_pkey",
            "primary key",
            "absent"
        )]
    );
}

#[test]
fn index_definition_drift_compares_printed_predicates_and_keys() {
    let printed = TABLE.replace("WHERE state = 'running'", "WHERE (state = 'running'::text)");
    assert_silent(TABLE, &live(&printed));
    let changed = TABLE.replace("WHERE state = 'running'", "WHERE state = 'failed'");
    let findings = run(TABLE, &live(&changed));
    assert_eq!(
        briefs(&findings),
        vec![brief(
            "index-definition-drift",
            "public.uq_runs_running",
            "state = 'running'",
            "state = 'failed'"
        )]
    );
    assert!(findings[0].diff.is_some());
    let keys = TABLE.replace("created_at DESC", "created_at");
    assert_eq!(
        briefs(&run(TABLE, &live(&keys))),
        vec![brief(
            "index-definition-drift",
            "public.idx_runs_tenant",
            "tenant_id, created_at DESC",
            "tenant_id, created_at"
        )]
    );
}

#[test]
fn expression_index_keys_are_normalized() {
    let spec_sql = format!("{TABLE} CREATE INDEX idx_runs_email ON runs (lower(email));");
    let printed = format!("{TABLE} CREATE INDEX idx_runs_email ON runs (lower((email)::text));");
    assert_silent(&spec_sql, &live(&printed));
    let changed = format!("{TABLE} CREATE INDEX idx_runs_email ON runs (upper(email));");
    assert_eq!(run(&spec_sql, &live(&changed)).len(), 1);
}

#[test]
fn missing_and_unexpected_constraints_fire() {
    let without = TABLE.replace(
        "CONSTRAINT ck_runs_state CHECK (state IN ('idle', 'running'))",
        "",
    );
    assert_eq!(
        briefs(&run(TABLE, &live(&without))),
        vec![brief(
            "missing-constraint",
            "public.runs.ck_runs_state",
            "check",
            "absent"
        )]
    );
    assert_eq!(
        briefs(&run(&without, &live(TABLE))),
        vec![brief(
            "unexpected-constraint",
            "public.runs.ck_runs_state",
            "absent",
            "CHECK (state IN ('idle', 'running'))"
        )]
    );
}

#[test]
fn constraint_drift_ignores_how_the_server_prints_a_check() {
    let mut catalog = live(TABLE);
    let set_check = |catalog: &mut Catalog, text: &str| {
        relation(catalog, "runs")
            .constraints
            .get_mut("ck_runs_state")
            .expect("check")
            .kind = crate::model::ConstraintKind::Check {
            expression: text.into(),
        };
    };
    set_check(
        &mut catalog,
        "CHECK ((state = ANY (ARRAY['idle'::text, 'running'::text])))",
    );
    assert_silent(TABLE, &catalog);
    set_check(
        &mut catalog,
        "CHECK ((state = ANY (ARRAY['idle'::text, 'failed'::text])))",
    );
    let findings = run(TABLE, &catalog);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].object.as_str()),
        ("constraint-drift", "public.runs.ck_runs_state")
    );
    assert_eq!(findings[0].severity, Severity::Error);
}

#[test]
fn constraint_drift_fires_on_a_changed_foreign_key_action() {
    let fk = "CREATE TABLE tenants (id uuid PRIMARY KEY);
        CREATE TABLE ledger (id uuid PRIMARY KEY,
            tenant_id uuid CONSTRAINT fk_ledger_tenant REFERENCES tenants ON DELETE SET NULL);";
    let printed = fk.replace("REFERENCES tenants ON", "REFERENCES tenants (id) ON");
    assert_silent(fk, &live(&printed));
    let cascade = fk.replace("SET NULL", "CASCADE");
    assert_eq!(
        briefs(&run(fk, &live(&cascade))),
        vec![brief(
            "constraint-drift",
            "public.ledger.fk_ledger_tenant",
            "SET NULL",
            "CASCADE"
        )]
    );
}

const SECURED: &str = "
CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, amount integer);
ALTER TABLE ledger ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger
    USING (tenant_id = current_setting('app.tenant')::uuid AND amount > 0);
GRANT SELECT, INSERT ON ledger TO app_user;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER trg_touch BEFORE UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION touch();
";

#[test]
fn rls_drift_fires() {
    let mut catalog = live(SECURED);
    relation(&mut catalog, "ledger").rls_forced = false;
    assert_eq!(
        briefs(&run(SECURED, &catalog)),
        vec![brief(
            "rls-drift",
            "public.ledger",
            "enabled and forced",
            "enabled, not forced"
        )]
    );
}

#[test]
fn policies_compare_printed_expressions_and_catch_changes() {
    let mut catalog = live(SECURED);
    let set_using = |catalog: &mut Catalog, text: &str| {
        relation(catalog, "ledger")
            .policies
            .get_mut("tenant_isolation")
            .expect("policy")
            .using = Some(text.into());
    };
    set_using(
        &mut catalog,
        "((tenant_id = (pg_catalog.current_setting('app.tenant'::text))::uuid) AND (amount > 0))",
    );
    assert_silent(SECURED, &catalog);
    set_using(
        &mut catalog,
        "((tenant_id = (current_setting('app.tenant'::text))::uuid) AND (amount >= 0))",
    );
    let findings = run(SECURED, &catalog);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].object.as_str()),
        ("policy-drift", "public.ledger.tenant_isolation")
    );
    let renamed = SECURED.replace("POLICY tenant_isolation", "POLICY debug_all");
    assert_eq!(
        briefs(&run(SECURED, &live(&renamed))),
        vec![
            brief(
                "missing-policy",
                "public.ledger.tenant_isolation",
                "policy",
                "absent"
            ),
            brief(
                "unexpected-policy",
                "public.ledger.debug_all",
                "absent",
                "policy"
            ),
        ]
    );
}

#[test]
fn grant_drift_compares_grantee_privilege_pairs() {
    let changed = SECURED.replace("GRANT SELECT, INSERT", "GRANT SELECT, DELETE");
    assert_eq!(
        briefs(&run(SECURED, &live(&changed))),
        vec![
            brief(
                "grant-drift",
                "public.ledger",
                "INSERT to app_user",
                "absent"
            ),
            brief(
                "grant-drift",
                "public.ledger",
                "absent",
                "DELETE to app_user"
            ),
        ]
    );
    let mut reordered = live(SECURED);
    relation(&mut reordered, "ledger").grants.reverse();
    assert_silent(SECURED, &reordered);
}

#[test]
fn triggers_missing_unexpected_and_changed_fire() {
    let renamed = SECURED.replace("TRIGGER trg_touch", "TRIGGER trg_audit");
    assert_eq!(
        briefs(&run(SECURED, &live(&renamed))),
        vec![
            brief(
                "missing-trigger",
                "public.ledger.trg_touch",
                "trigger",
                "absent"
            ),
            brief(
                "unexpected-trigger",
                "public.ledger.trg_audit",
                "absent",
                "trigger"
            ),
        ]
    );
    let events = SECURED.replace("BEFORE UPDATE ON", "BEFORE INSERT OR UPDATE ON");
    assert_eq!(
        briefs(&run(SECURED, &live(&events))),
        vec![brief(
            "missing-trigger",
            "public.ledger.trg_touch",
            "UPDATE",
            "INSERT OR UPDATE"
        )]
    );
}

#[test]
fn a_constraint_trigger_deferred_on_one_side_only_is_drift() {
    let deferred = SECURED.replace(
        "CREATE TRIGGER trg_touch BEFORE UPDATE ON ledger FOR EACH ROW",
        "CREATE CONSTRAINT TRIGGER trg_touch AFTER UPDATE ON ledger \
         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW",
    );
    assert_silent(&deferred, &live(&deferred));
    let immediate = deferred.replace("INITIALLY DEFERRED", "INITIALLY IMMEDIATE");
    assert_eq!(
        briefs(&run(&deferred, &live(&immediate))),
        vec![brief(
            "missing-trigger",
            "public.ledger.trg_touch",
            "DEFERRABLE INITIALLY DEFERRED",
            "DEFERRABLE INITIALLY IMMEDIATE"
        )]
    );
    let plain = deferred.replace(
        "CONSTRAINT TRIGGER trg_touch AFTER UPDATE ON ledger DEFERRABLE INITIALLY DEFERRED",
        "TRIGGER trg_touch AFTER UPDATE ON ledger",
    );
    assert_eq!(
        briefs(&run(&deferred, &live(&plain))),
        vec![brief(
            "missing-trigger",
            "public.ledger.trg_touch",
            "DEFERRABLE INITIALLY DEFERRED",
            "(not a constraint trigger)"
        )]
    );
    let not_deferrable = deferred.replace(" DEFERRABLE INITIALLY DEFERRED", "");
    assert_eq!(
        briefs(&run(&deferred, &live(&not_deferrable))),
        vec![brief(
            "missing-trigger",
            "public.ledger.trg_touch",
            "DEFERRABLE INITIALLY DEFERRED",
            "NOT DEFERRABLE"
        )]
    );
}

#[test]
fn a_constraint_deferred_at_commit_on_one_side_only_is_drift() {
    let spec = "CREATE TABLE parent (id integer PRIMARY KEY);
        CREATE TABLE child (parent_id integer CONSTRAINT fk_child_parent REFERENCES parent (id)
            INITIALLY DEFERRED);";
    assert_silent(spec, &live(spec));
    let immediate = spec.replace("INITIALLY DEFERRED", "DEFERRABLE");
    assert_eq!(
        briefs(&run(spec, &live(&immediate))),
        vec![brief(
            "constraint-drift",
            "public.child.fk_child_parent",
            "DEFERRABLE INITIALLY DEFERRED",
            "DEFERRABLE"
        )]
    );
}

const VIEW: &str = "
CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, cents integer NOT NULL);
CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);
CREATE VIEW v_big AS SELECT tenant_id, sum(cents) / 100.0 AS total FROM ledger
    WHERE cents > 100 GROUP BY tenant_id;
CREATE VIEW v_named AS SELECT l.id, name FROM ledger l JOIN tenants t ON t.id = l.tenant_id;
";

fn set_view(catalog: &mut Catalog, name: &str, body: &str) {
    relation(catalog, name).view.as_mut().expect("a view").query = body.into();
}

#[test]
fn view_bodies_as_the_server_prints_them_are_not_drift() {
    let mut catalog = live(VIEW);
    set_view(
        &mut catalog,
        "v_big",
        " SELECT ledger.tenant_id,\n    sum(ledger.cents)::numeric / 100.0 AS total\n   FROM ledger\n  WHERE ledger.cents > 100\n  GROUP BY ledger.tenant_id;",
    );
    assert_silent(VIEW, &catalog);
    set_view(
        &mut catalog,
        "v_big",
        "SELECT tenant_id, sum(cents)::numeric / 100.0 AS total FROM public.ledger WHERE (cents > 100) GROUP BY tenant_id",
    );
    assert_silent(VIEW, &catalog);
}

#[test]
fn view_definition_drift_fires_on_a_changed_comparison() {
    let mut catalog = live(VIEW);
    set_view(
        &mut catalog,
        "v_big",
        " SELECT ledger.tenant_id,\n    sum(ledger.cents)::numeric / 100.0 AS total\n   FROM ledger\n  WHERE ledger.cents >= 100\n  GROUP BY ledger.tenant_id;",
    );
    let findings = run(VIEW, &catalog);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].object.as_str()),
        ("view-definition-drift", "public.v_big")
    );
    assert_eq!(findings[0].severity, Severity::Error);
    let diff = findings[0].diff.as_deref().expect("diff");
    assert!(diff.contains("+++ live"), "{diff}");
}

#[test]
fn a_changed_subquery_in_a_view_is_an_error() {
    let spec_sql = format!(
        "{VIEW} CREATE VIEW v_active AS SELECT id FROM tenants t \
         WHERE EXISTS (SELECT 1 FROM ledger l WHERE l.tenant_id = t.id AND l.cents > 0);"
    );
    let mut catalog = live(&spec_sql);
    set_view(
        &mut catalog,
        "v_active",
        " SELECT t.id\n   FROM tenants t\n  WHERE (EXISTS ( SELECT 1\n           FROM ledger l\n          WHERE l.tenant_id = t.id AND l.cents > 0));",
    );
    assert_silent(&spec_sql, &catalog);
    set_view(
        &mut catalog,
        "v_active",
        " SELECT t.id\n   FROM tenants t\n  WHERE (EXISTS ( SELECT 1\n           FROM ledger l\n          WHERE l.tenant_id = t.id AND l.cents < 0));",
    );
    let findings = run(&spec_sql, &catalog);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(
        (findings[0].rule.as_str(), findings[0].severity),
        ("view-definition-drift", Severity::Error)
    );
}

#[test]
fn unqualified_columns_of_a_view_over_several_relations_are_qualified_by_the_catalog() {
    let mut catalog = live(VIEW);
    set_view(
        &mut catalog,
        "v_named",
        " SELECT l.id,\n    t.name\n   FROM ledger l\n     JOIN tenants t ON t.id = l.tenant_id;",
    );
    assert_silent(VIEW, &catalog);
}

#[test]
fn a_view_body_differing_only_in_column_qualification_is_info() {
    // `name` may be the sub-select's: whose it is cannot be told from the catalog.
    let spec = "
CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, cents integer NOT NULL);
CREATE TABLE tenants (id uuid PRIMARY KEY, name text NOT NULL);
CREATE VIEW v_named AS SELECT l.id, name FROM ledger l
    JOIN (SELECT id, name FROM tenants) t ON t.id = l.tenant_id;
";
    let mut catalog = live(spec);
    set_view(
        &mut catalog,
        "v_named",
        " SELECT l.id,\n    t.name\n   FROM ledger l\n     JOIN ( SELECT tenants.id,\n            tenants.name\n           FROM tenants) t ON t.id = l.tenant_id;",
    );
    let findings = run(spec, &catalog);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, "view-definition-drift");
    assert_eq!(findings[0].severity, Severity::Info);
}

#[test]
fn comment_drift_is_info() {
    let commented = format!("{TABLE} COMMENT ON COLUMN runs.state IS 'idle or running';");
    assert_silent(&commented, &live(&commented));
    let findings = run(&commented, &live(TABLE));
    assert_eq!(
        briefs(&findings),
        vec![brief(
            "comment-drift",
            "public.runs.state",
            "'idle or running'",
            "(no comment)"
        )]
    );
    assert_eq!(findings[0].severity, Severity::Info);
}

#[test]
fn a_relation_a_broken_statement_may_define_is_not_reported_missing() {
    let broken = format!("{TABLE} CREATE TABLE ledger (id uuid PRIMARY KEY,, amount int);");
    let ledger = format!("{TABLE} CREATE TABLE ledger (id uuid PRIMARY KEY, amount int);");
    let findings = run(&broken, &live(&ledger));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].rule, "missing-relation");
    assert_eq!(findings[0].object, "public.ledger");
    assert_eq!(findings[0].severity, Severity::Info);
    assert!(findings[0].message.contains("not compared"));
    assert_silent(TABLE, &live(TABLE));
}

#[test]
fn a_kind_change_is_reported_once() {
    let as_view = "CREATE TABLE base (id uuid); CREATE VIEW runs AS SELECT id FROM base;";
    let spec_sql = "CREATE TABLE base (id uuid); CREATE TABLE runs (id uuid);";
    assert_eq!(
        briefs(&run(spec_sql, &live(as_view))),
        vec![brief("missing-relation", "public.runs", "table", "view")]
    );
}
