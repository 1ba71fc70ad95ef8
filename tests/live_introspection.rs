//! Live introspection against a real PostgreSQL (the harness in `support::pg`): the
//! bundled example applied to a fresh database reads back as exact catalog facts, with
//! the same object names the spec loader produces, without changing the database.

mod support;

use pgparity::input::InputLimits;
use pgparity::model::{
    Catalog, ConstraintKind, ForeignKeyAction, Identity, IndexTarget, PolicyCommand, QualifiedName,
    Relation, RelationKind, SqlType,
};
use pgparity::sources::live::{introspect, ConnectionSettings, LiveSession, SessionOptions};
use pgparity::sources::spec::load_specs;
use std::collections::BTreeSet;
use std::path::PathBuf;
use support::pg::TestDatabase;

fn introspect_url(url: &str, schemas: &[&str]) -> Catalog {
    let settings = ConnectionSettings::parse(url).expect("test URL parses");
    let mut session =
        LiveSession::connect(&settings, &SessionOptions::default()).expect("connects");
    let schemas: Vec<String> = schemas.iter().map(|schema| schema.to_string()).collect();
    introspect(&mut session, &schemas).expect("introspects")
}

fn relation<'a>(catalog: &'a Catalog, name: &str) -> &'a Relation {
    catalog
        .relations
        .get(&QualifiedName::new("public", name))
        .unwrap_or_else(|| panic!("relation public.{name} introspected"))
}

fn column_type(relation: &Relation, column: &str) -> String {
    relation
        .column(column)
        .and_then(|column| column.data_type.as_ref())
        .map(SqlType::to_string)
        .unwrap_or_else(|| panic!("{}.{column} has a type", relation.name))
}

fn example_catalog() -> (TestDatabase, Catalog) {
    let database = TestDatabase::new("example");
    database.apply_example_specs();
    let catalog = introspect_url(&database.url(), &["public"]);
    (database, catalog)
}

#[test]
fn example_columns_types_defaults_and_comments() {
    let (_database, catalog) = example_catalog();
    let allocations = relation(&catalog, "attribution_allocations");
    assert_eq!(allocations.kind, RelationKind::Table);
    assert_eq!(column_type(allocations, "allocation_ratio"), "numeric(6,5)");
    assert_eq!(
        column_type(allocations, "created_at"),
        "timestamp with time zone"
    );
    assert_eq!(
        column_type(relation(&catalog, "tenants"), "slug"),
        "character varying(63)"
    );
    let dead_events = relation(&catalog, "dead_events");
    let retry = dead_events.column("retry_count").expect("retry_count");
    assert!(retry.not_null);
    assert_eq!(retry.default.as_deref(), Some("0"));
    assert!(
        !dead_events
            .column("resolved_at")
            .expect("resolved_at")
            .not_null
    );
    let runs = relation(&catalog, "reconciliation_runs");
    assert_eq!(
        runs.column("state").and_then(|c| c.default.as_deref()),
        Some("'idle'::text")
    );
    assert_eq!(
        relation(&catalog, "tenants")
            .column("id")
            .and_then(|c| c.default.as_deref()),
        Some("gen_random_uuid()")
    );
    let names: Vec<&str> = runs.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "id",
            "tenant_id",
            "period_start",
            "period_end",
            "state",
            "attempts",
            "last_run_at",
            "error_message",
            "created_at"
        ],
        "columns keep their order"
    );
    assert_eq!(
        relation(&catalog, "tenants").comment.as_deref(),
        Some(
            "One row per customer account; every tenant-scoped row points here through tenant_id."
        )
    );
    assert_eq!(
        relation(&catalog, "revenue_ledger")
            .column("revenue_cents")
            .and_then(|c| c.comment.as_deref()),
        Some("Amount in cents of the tenant reporting currency; always positive.")
    );
    assert!(catalog.schemas.contains_key("public"));
    assert!(catalog
        .relations
        .values()
        .all(|relation| relation.location.is_none()));
}

#[test]
fn example_constraints_indexes_and_security() {
    let (_database, catalog) = example_catalog();
    let allocations = relation(&catalog, "attribution_allocations");
    assert_eq!(
        allocations.constraints["fk_attribution_allocations_event"].kind,
        ConstraintKind::ForeignKey {
            columns: vec!["tenant_id".into(), "event_id".into()],
            references: QualifiedName::new("public", "attribution_events"),
            referenced_columns: vec!["tenant_id".into(), "id".into()],
            on_delete: ForeignKeyAction::Cascade,
            on_update: ForeignKeyAction::NoAction,
        }
    );
    assert_eq!(
        allocations.constraints["attribution_allocations_pkey"].kind,
        ConstraintKind::PrimaryKey {
            columns: vec!["id".into()]
        }
    );
    let ledger = relation(&catalog, "revenue_ledger");
    match &ledger.constraints["fk_revenue_ledger_allocation"].kind {
        ConstraintKind::ForeignKey { on_delete, .. } => {
            assert_eq!(*on_delete, ForeignKeyAction::SetNull)
        }
        other => panic!("fk_revenue_ledger_allocation is {other:?}"),
    }
    assert_eq!(
        ledger.constraints["ck_revenue_ledger_revenue_positive"].kind,
        ConstraintKind::Check {
            expression: "revenue_cents > 0".into()
        }
    );
    assert_eq!(
        relation(&catalog, "attribution_events").constraints["uq_attribution_events_external_id"]
            .kind,
        ConstraintKind::Unique {
            columns: vec!["tenant_id".into(), "external_event_id".into()],
            nulls_not_distinct: false
        }
    );

    let by_updated_at = &ledger.indexes["idx_revenue_ledger_tenant_updated_at"];
    assert_eq!(by_updated_at.method, "btree");
    assert!(!by_updated_at.unique);
    assert_eq!(by_updated_at.leading_columns(), ["tenant_id", "updated_at"]);
    assert!(!by_updated_at.keys[0].descending);
    assert!(by_updated_at.keys[1].descending);
    let partial = &ledger.indexes["uq_revenue_ledger_tenant_allocation"];
    assert!(partial.unique);
    assert_eq!(
        partial.predicate.as_deref(),
        Some("allocation_id IS NOT NULL")
    );
    assert_eq!(
        ledger.indexes["revenue_ledger_pkey"].constraint.as_deref(),
        Some("revenue_ledger_pkey")
    );
    assert_eq!(partial.constraint, None);
    assert_eq!(
        relation(&catalog, "reconciliation_runs").indexes["uq_reconciliation_runs_one_running"]
            .predicate
            .as_deref(),
        Some("state = 'running'::text")
    );

    assert!(ledger.rls_enabled && ledger.rls_forced);
    let tenants = relation(&catalog, "tenants");
    assert!(!tenants.rls_enabled && !tenants.rls_forced);
    let policy = &ledger.policies["tenant_isolation_policy"];
    assert_eq!(policy.command, PolicyCommand::All);
    assert!(policy.permissive);
    assert_eq!(policy.roles, ["public"]);
    let expected = "tenant_id = current_setting('app.current_tenant_id'::text)::uuid";
    assert_eq!(policy.using.as_deref(), Some(expected));
    assert_eq!(policy.with_check.as_deref(), Some(expected));

    let grants: Vec<(&str, &str)> = allocations
        .grants
        .iter()
        .map(|grant| (grant.grantee.as_str(), grant.privilege.as_str()))
        .collect();
    assert_eq!(
        grants,
        [
            ("app_user", "DELETE"),
            ("app_user", "INSERT"),
            ("app_user", "SELECT"),
            ("app_user", "UPDATE")
        ],
        "the owner's implicit privileges are not grants"
    );

    let constraint_trigger = &allocations.triggers["trg_check_allocation_sum"];
    assert_eq!(constraint_trigger.timing, "AFTER");
    assert_eq!(constraint_trigger.events, ["DELETE", "INSERT", "UPDATE"]);
    assert!(constraint_trigger.for_each_row);
    assert_eq!(
        constraint_trigger.function,
        QualifiedName::new("public", "check_allocation_sum")
    );
    let updated_at = &ledger.triggers["trg_revenue_ledger_set_updated_at"];
    assert_eq!(updated_at.timing, "BEFORE");
    assert_eq!(updated_at.events, ["UPDATE"]);
    assert!(
        relation(&catalog, "attribution_events").triggers.is_empty(),
        "foreign key triggers are internal"
    );
}

#[test]
fn example_materialized_views_and_index_statistics() {
    let (_database, catalog) = example_catalog();
    let revenue = relation(&catalog, "mv_realtime_revenue");
    assert_eq!(revenue.kind, RelationKind::MaterializedView);
    let types: Vec<(String, String, bool)> = revenue
        .columns
        .iter()
        .map(|column| {
            (
                column.name.clone(),
                column_type(revenue, &column.name),
                column.not_null,
            )
        })
        .collect();
    let expected = [
        ("tenant_id", "uuid"),
        ("total_revenue", "numeric"),
        ("verified", "boolean"),
        ("data_freshness_seconds", "integer"),
        ("ledger_entries", "bigint"),
        ("last_posted_at", "timestamp with time zone"),
        ("refreshed_at", "timestamp with time zone"),
    ];
    assert_eq!(
        types,
        expected
            .iter()
            .map(|(name, data_type)| (name.to_string(), data_type.to_string(), false))
            .collect::<Vec<_>>(),
        "matview columns have exact types and are never NOT NULL"
    );
    let view = revenue.view.as_ref().expect("matview definition");
    assert!(view.with_data);
    assert!(
        view.query.starts_with("SELECT rl.tenant_id,"),
        "{}",
        view.query
    );
    assert!(view.query.contains("GROUP BY rl.tenant_id"));
    assert!(!view.query.ends_with(';'));
    assert_eq!(
        column_type(
            relation(&catalog, "mv_allocation_summary"),
            "credited_conversions"
        ),
        "numeric"
    );

    let statistics = catalog.index_statistics.as_ref().expect("index statistics");
    assert!(statistics.read_at.ends_with('Z') && statistics.read_at.len() == 20);
    let index_count: usize = catalog.relations.values().map(|r| r.indexes.len()).sum();
    assert_eq!(statistics.scans.len(), index_count, "one entry per index");
    assert!(statistics.scans.contains_key(&QualifiedName::new(
        "public",
        "uq_mv_realtime_revenue_tenant"
    )));
    let functions: Vec<String> = catalog
        .functions
        .keys()
        .map(|name| name.to_string())
        .collect();
    assert_eq!(
        functions,
        ["public.check_allocation_sum", "public.set_updated_at"]
    );
}

fn names(catalog: &Catalog) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for relation in catalog.relations.values() {
        names.insert(format!("relation {} ({:?})", relation.name, relation.kind));
        for column in &relation.columns {
            names.insert(format!("column {}", relation.member_path(&column.name)));
        }
        for constraint in relation.constraints.keys() {
            names.insert(format!("constraint {}", relation.member_path(constraint)));
        }
        for index in relation.indexes.keys() {
            names.insert(format!("index {}", relation.member_path(index)));
        }
        for policy in relation.policies.keys() {
            names.insert(format!("policy {}", relation.member_path(policy)));
        }
        for trigger in relation.triggers.keys() {
            names.insert(format!("trigger {}", relation.member_path(trigger)));
        }
    }
    names
}

#[test]
fn live_names_match_the_spec_catalog() {
    let (_database, live) = example_catalog();
    let mut files: Vec<PathBuf> = std::fs::read_dir(PathBuf::from(support::ROOT).join("specs"))
        .expect("specs")
        .flatten()
        .map(|entry| entry.path())
        .collect();
    files.sort();
    let specs = load_specs(&files, "public", InputLimits::default()).expect("specs load");
    assert!(specs.problems.is_empty(), "{:?}", specs.problems);
    let live_names = names(&live);
    let spec_names = names(&specs.catalog);
    let only_live: Vec<_> = live_names.difference(&spec_names).collect();
    let only_spec: Vec<_> = spec_names.difference(&live_names).collect();
    assert!(
        only_live.is_empty() && only_spec.is_empty(),
        "only live: {only_live:#?}\nonly in specs: {only_spec:#?}"
    );
    assert!(
        live_names.len() > 100,
        "{} names compared",
        live_names.len()
    );
}

#[test]
fn other_object_kinds_and_scope() {
    let database = TestDatabase::new("kinds");
    database.execute(
        r#"
        CREATE EXTENSION btree_gist;
        CREATE SCHEMA audit;
        CREATE TABLE audit.outside (id integer);
        CREATE TYPE run_state AS ENUM ('idle', 'running', 'done');
        ALTER TYPE run_state ADD VALUE 'queued' BEFORE 'running';
        CREATE DOMAIN positive_int AS integer NOT NULL CHECK (VALUE > 0);
        CREATE FUNCTION audit_row() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
        CREATE FUNCTION score(label text, level integer) RETURNS integer
            LANGUAGE sql AS $$ SELECT level $$;
        CREATE TABLE bookings (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            room integer NOT NULL,
            during tsrange NOT NULL,
            state run_state NOT NULL DEFAULT 'idle',
            guests positive_int,
            email text,
            code text,
            tags text[],
            nights integer GENERATED ALWAYS AS (upper(during)::date - lower(during)::date) STORED,
            CONSTRAINT ex_bookings_overlap EXCLUDE USING gist (room WITH =, during WITH &&),
            CONSTRAINT uq_bookings_code UNIQUE NULLS NOT DISTINCT (code) DEFERRABLE
        );
        CREATE INDEX idx_bookings_email ON bookings (lower(email) text_pattern_ops, room DESC NULLS LAST)
            INCLUDE (state) WHERE state <> 'done';
        CREATE POLICY read_own ON bookings AS RESTRICTIVE FOR SELECT TO postgres, pg_monitor
            USING (room > 0);
        CREATE TRIGGER trg_bookings_audit AFTER INSERT OR DELETE ON bookings
            FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION audit_row('bookings', '2');
        CREATE VIEW v_bookings AS SELECT id, room::bigint AS room, state FROM bookings;
        CREATE MATERIALIZED VIEW mv_rooms AS SELECT room, count(*) AS n FROM bookings GROUP BY room WITH NO DATA;
        GRANT SELECT ON bookings TO PUBLIC;
        COMMENT ON INDEX idx_bookings_email IS 'lookup by email';
        COMMENT ON CONSTRAINT uq_bookings_code ON bookings IS 'codes are unique';
        COMMENT ON POLICY read_own ON bookings IS 'rooms only';
        COMMENT ON TRIGGER trg_bookings_audit ON bookings IS 'audit';
        "#,
    );
    let catalog = introspect_url(&database.url(), &["public"]);
    assert!(
        !catalog
            .relations
            .contains_key(&QualifiedName::new("audit", "outside")),
        "schemas outside the scope are not read"
    );
    assert!(catalog.extensions.contains_key("btree_gist"));
    assert!(
        catalog
            .functions
            .keys()
            .all(|name| name.name == "audit_row" || name.name == "score"),
        "extension functions are excluded: {:?}",
        catalog.functions.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        catalog.functions[&QualifiedName::new("public", "score")][0].arguments,
        ["text", "integer"]
    );
    assert_eq!(
        catalog.enums[&QualifiedName::new("public", "run_state")].values,
        ["idle", "queued", "running", "done"]
    );
    let domain = &catalog.domains[&QualifiedName::new("public", "positive_int")];
    assert_eq!(domain.base_type.to_string(), "integer");
    assert!(domain.not_null);
    assert_eq!(domain.checks, ["VALUE > 0"]);

    let bookings = relation(&catalog, "bookings");
    let id = bookings.column("id").expect("id");
    assert_eq!(id.identity, Some(Identity::Always));
    assert_eq!(id.default, None);
    let nights = bookings.column("nights").expect("nights");
    assert_eq!(nights.default, None);
    assert!(nights
        .generated
        .as_deref()
        .is_some_and(|g| g.contains("upper(during)")));
    assert_eq!(column_type(bookings, "state"), "run_state");
    assert_eq!(column_type(bookings, "guests"), "positive_int");
    assert_eq!(column_type(bookings, "tags"), "text[]");
    assert_eq!(
        bookings.column("state").and_then(|c| c.default.as_deref()),
        Some("'idle'::run_state")
    );
    assert_eq!(
        bookings.constraints["ex_bookings_overlap"].kind,
        ConstraintKind::Exclusion {
            definition: "USING gist (room WITH =, during WITH &&)".into()
        }
    );
    let unique = &bookings.constraints["uq_bookings_code"];
    assert!(unique.deferrable);
    assert_eq!(unique.comment.as_deref(), Some("codes are unique"));
    assert_eq!(
        unique.kind,
        ConstraintKind::Unique {
            columns: vec!["code".into()],
            nulls_not_distinct: true
        }
    );
    assert!(bookings.indexes["uq_bookings_code"].nulls_not_distinct);
    assert_eq!(
        bookings.indexes["ex_bookings_overlap"]
            .constraint
            .as_deref(),
        Some("ex_bookings_overlap")
    );
    let email = &bookings.indexes["idx_bookings_email"];
    assert_eq!(
        email.keys[0].target,
        IndexTarget::Expression("lower(email)".into())
    );
    assert_eq!(email.keys[0].opclass.as_deref(), Some("text_pattern_ops"));
    assert!(email.keys[1].descending);
    assert_eq!(email.keys[1].nulls_first, Some(false));
    assert_eq!(email.include, ["state"]);
    assert_eq!(
        email.predicate.as_deref(),
        Some("state <> 'done'::run_state")
    );
    assert_eq!(email.comment.as_deref(), Some("lookup by email"));

    let policy = &bookings.policies["read_own"];
    assert!(!policy.permissive);
    assert_eq!(policy.command, PolicyCommand::Select);
    assert_eq!(policy.roles, ["pg_monitor", "postgres"]);
    assert_eq!(policy.using.as_deref(), Some("room > 0"));
    assert_eq!(policy.with_check, None);
    assert_eq!(policy.comment.as_deref(), Some("rooms only"));
    assert!(bookings
        .grants
        .iter()
        .any(|grant| grant.grantee == "public" && grant.privilege == "SELECT"));

    let trigger = &bookings.triggers["trg_bookings_audit"];
    assert_eq!(trigger.timing, "AFTER");
    assert_eq!(trigger.events, ["DELETE", "INSERT"]);
    assert_eq!(trigger.arguments, ["bookings", "2"]);
    assert_eq!(trigger.when.as_deref(), Some("pg_trigger_depth() = 0"));
    assert_eq!(trigger.comment.as_deref(), Some("audit"));

    let view = relation(&catalog, "v_bookings");
    assert_eq!(view.kind, RelationKind::View);
    assert_eq!(column_type(view, "room"), "bigint");
    assert_eq!(column_type(view, "state"), "run_state");
    let rooms = relation(&catalog, "mv_rooms");
    assert!(!rooms.view.as_ref().expect("definition").with_data);
    assert_eq!(column_type(rooms, "n"), "bigint");
}

/// Everything `introspect` could possibly change, hashed.
const CATALOG_CHECKSUM: &str = "SELECT md5(string_agg(line, E'\\n' ORDER BY line)) FROM (
      SELECT format('class %s %s %s %s %s %s %s', oid, relname, relnamespace, relkind,
                    relacl, relrowsecurity, relforcerowsecurity) AS line FROM pg_class
      UNION ALL SELECT format('attribute %s %s %s %s %s %s', attrelid, attnum, attname,
                    atttypid, attnotnull, attisdropped) FROM pg_attribute
      UNION ALL SELECT format('constraint %s %s %s %s %s', oid, conname, contype, conrelid,
                    pg_get_constraintdef(oid)) FROM pg_constraint
      UNION ALL SELECT format('index %s %s %s %s', indexrelid, indrelid, indisvalid, indkey)
                    FROM pg_index
      UNION ALL SELECT format('database %s %s', datname, datacl) FROM pg_database
                    WHERE datname = current_database()
    ) lines";

fn checksum(database: &TestDatabase) -> String {
    database
        .client()
        .query_one(CATALOG_CHECKSUM, &[])
        .expect("checksum query")
        .get(0)
}

#[test]
fn a_read_only_role_in_a_read_only_database_can_introspect_without_changing_anything() {
    let database = TestDatabase::new("readonly");
    database.apply_example_specs();
    let password = "ro-Pa55word";
    let role = database.create_role("pgparity_ro", password);
    database.execute(&format!(
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;
         GRANT USAGE ON SCHEMA public TO \"{role}\";
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO \"{role}\";
         ALTER DATABASE \"{db}\" SET default_transaction_read_only = on;",
        db = database.name
    ));
    let before = checksum(&database);
    let as_owner = introspect_url(&database.url(), &["public"]);
    let as_reader = introspect_url(&database.url_as(&role, password), &["public"]);
    assert_eq!(
        checksum(&database),
        before,
        "introspection changed the catalog"
    );
    assert_eq!(
        serde_json::to_value(&as_reader).expect("json"),
        serde_json::to_value(&as_owner)
            .map(|mut value| {
                // The reader sees the same catalog; only read_at may differ.
                value["index_statistics"]["read_at"] = serde_json::to_value(
                    &as_reader.index_statistics.as_ref().expect("stats").read_at,
                )
                .expect("json");
                value
            })
            .expect("json"),
        "a role with USAGE and SELECT sees the same catalog as the owner"
    );
}

#[test]
fn index_scans_are_counted() {
    let database = TestDatabase::new("scans");
    database.execute(
        "CREATE TABLE t (id integer PRIMARY KEY, v integer);
         CREATE INDEX idx_t_v ON t (v);
         INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;
         ANALYZE t;",
    );
    let mut client = database.client();
    client
        .batch_execute(
            "SET enable_seqscan = off; SET enable_bitmapscan = off;
             SELECT * FROM t WHERE v = 5; SELECT * FROM t WHERE v = 6;
             SELECT pg_stat_force_next_flush();",
        )
        .expect("queries through the index");
    drop(client);
    let catalog = introspect_url(&database.url(), &["public"]);
    let scans = &catalog.index_statistics.expect("statistics").scans;
    assert_eq!(scans[&QualifiedName::new("public", "idx_t_v")], 2);
    assert_eq!(scans[&QualifiedName::new("public", "t_pkey")], 0);
}

#[test]
fn names_as_stored_and_several_schemas_in_scope() {
    let database = TestDatabase::new("names");
    database.execute(
        r#"
        CREATE SCHEMA audit;
        CREATE TYPE audit.mood AS ENUM ('calm', 'angry');
        CREATE TABLE "Audit Log" ("EventId" integer PRIMARY KEY, mood audit.mood);
        CREATE TABLE audit.entries (id integer, log_id integer REFERENCES "Audit Log" ("EventId"));
        "#,
    );
    let catalog = introspect_url(&database.url(), &["public", "audit"]);
    let log = catalog
        .relations
        .get(&QualifiedName::new("public", "Audit Log"))
        .expect("quoted names keep their case");
    assert_eq!(log.columns[0].name, "EventId");
    assert_eq!(
        log.constraints["Audit Log_pkey"].kind,
        ConstraintKind::PrimaryKey {
            columns: vec!["EventId".into()]
        }
    );
    assert_eq!(
        column_type(log, "mood"),
        "audit.mood",
        "types outside the default schema stay qualified"
    );
    let entries = &catalog.relations[&QualifiedName::new("audit", "entries")];
    match &entries.constraints["entries_log_id_fkey"].kind {
        ConstraintKind::ForeignKey { references, .. } => {
            assert_eq!(*references, QualifiedName::new("public", "Audit Log"))
        }
        other => panic!("entries_log_id_fkey is {other:?}"),
    }
    assert!(catalog
        .enums
        .contains_key(&QualifiedName::new("audit", "mood")));
    assert_eq!(
        catalog.schemas.keys().collect::<Vec<_>>(),
        ["audit", "public"]
    );
}
