//! Definitions PostgreSQL 15.18 printed for `tests/data/drift/probe.sql` (applied to an
//! empty database with the roles `app_user` and `auditor`; `pg_get_expr`,
//! `pg_get_constraintdef`, `pg_indexes.indexdef`, `pg_policies`, `pg_get_triggerdef`,
//! `pg_get_viewdef(oid, true)`), written into a copy of the spec's catalog: the drift
//! family must find them equal, and must still find a planted difference in each kind.

use pgparity::checks::drift::drift_findings;
use pgparity::model::{Catalog, ConstraintKind, Identity, QualifiedName, Relation};
use pgparity::sources::forms::fill_forms;
use pgparity::sources::spec::{load_spec_text, SpecSet};

const PROBE: &str = include_str!("data/drift/probe.sql");

const DEFAULTS: &[(&str, &str, &str)] = &[
    ("accounts", "created_at", "CURRENT_TIMESTAMP"),
    (
        "accounts",
        "id",
        "nextval('billing.accounts_id_seq'::regclass)",
    ),
    ("accounts", "plan", "'free'::billing.plan"),
    ("accounts", "price", "9.99"),
    ("accounts", "ratio", "0.5"),
    ("accounts", "seats", "1"),
    ("accounts", "starts_on", "CURRENT_DATE"),
    ("accounts", "status", "'active'::text"),
    ("accounts", "tags", "'{}'::text[]"),
    ("accounts", "updated_at", "(now() AT TIME ZONE 'utc'::text)"),
    ("invoices", "issued_at", "now()"),
];

const CHECKS: &[(&str, &str, &str)] = &[
    (
        "accounts",
        "accounts_seats_check",
        "CHECK (((seats >= 1) AND (seats <= 500)))",
    ),
    (
        "accounts",
        "ck_accounts_code",
        "CHECK ((((code)::text ~~ 'A%'::text) AND (length((code)::text) > 2)))",
    ),
    (
        "accounts",
        "ck_accounts_dates",
        "CHECK (((ends_on IS NULL) OR (ends_on > starts_on)))",
    ),
    (
        "accounts",
        "ck_accounts_email",
        "CHECK ((email ~* '^[^@]+@[^@]+$'::text))",
    ),
    (
        "accounts",
        "ck_accounts_status",
        "CHECK ((status <> ALL (ARRAY['deleted'::text, 'banned'::text])))",
    ),
    (
        "accounts",
        "ck_accounts_tags",
        "CHECK ((cardinality(tags) <= 10))",
    ),
    (
        "invoices",
        "invoices_amount_cents_check",
        "CHECK ((amount_cents > 0))",
    ),
    (
        "invoices",
        "invoices_note_check",
        "CHECK ((char_length((note)::text) < 150))",
    ),
];

const READ_POLICY: &str = "(account_id IN ( SELECT accounts.id
   FROM billing.accounts
  WHERE (accounts.plan = 'pro'::billing.plan)))";

const WRITE_POLICY: &str = "(((amount_cents >= 1) AND (amount_cents <= 1000000)) AND (issued_at <= (now() + '1 day'::interval)))";

const VIEWS: &[(&str, &str)] = &[
    (
        "v_recent",
        " SELECT invoices.id,
    invoices.amount_cents::numeric / 100.0 AS amount,
    invoices.issued_at::date AS day
   FROM billing.invoices
  WHERE invoices.issued_at > (now() - '30 days'::interval)
  ORDER BY invoices.issued_at DESC
 LIMIT 10;",
    ),
    (
        "mv_plans",
        " SELECT accounts.plan,
    count(*) AS n,
    avg(accounts.seats)::numeric(8,2) AS avg_seats
   FROM billing.accounts
  GROUP BY accounts.plan;",
    ),
    (
        "v_account_totals",
        " SELECT a.id,
    a.code,
    COALESCE(sum(i.amount_cents), 0::bigint) AS cents,
        CASE
            WHEN a.seats > 10 THEN 'big'::text
            ELSE 'small'::text
        END AS size,
    count(i.id) FILTER (WHERE i.amount_cents > 100) AS big_invoices
   FROM billing.accounts a
     LEFT JOIN billing.invoices i ON i.account_id = a.id
  WHERE a.status = 'active'::text AND a.plan = 'pro'::billing.plan
  GROUP BY a.id, a.code, a.seats;",
    ),
];

fn specs() -> SpecSet {
    let specs = load_spec_text("tests/data/drift/probe.sql", PROBE, "public");
    assert!(specs.problems.is_empty(), "{:#?}", specs.problems);
    specs
}

fn relation<'c>(catalog: &'c mut Catalog, name: &str) -> &'c mut Relation {
    catalog
        .relations
        .get_mut(&QualifiedName::new("billing", name))
        .unwrap_or_else(|| panic!("the probe defines billing.{name}"))
}

/// The probe's catalog as PostgreSQL 15 printed it.
fn printed(specs: &SpecSet) -> Catalog {
    let mut live = specs.catalog.clone();
    live.schemas.insert("billing".into(), None);
    for (table, column, default) in DEFAULTS {
        relation(&mut live, table)
            .column_mut(column)
            .unwrap_or_else(|| panic!("column {column}"))
            .default = Some((*default).into());
    }
    relation(&mut live, "accounts")
        .column_mut("total")
        .expect("total")
        .generated = Some("(price * (seats)::numeric)".into());
    for (table, name, definition) in CHECKS {
        relation(&mut live, table)
            .constraints
            .get_mut(*name)
            .unwrap_or_else(|| panic!("constraint {name}"))
            .kind = ConstraintKind::Check {
            expression: (*definition).into(),
        };
    }
    let invoices = relation(&mut live, "invoices");
    if let Some(ConstraintKind::ForeignKey {
        referenced_columns, ..
    }) = invoices
        .constraints
        .get_mut("invoices_account_id_fkey")
        .map(|constraint| &mut constraint.kind)
    {
        *referenced_columns = vec!["id".into()];
    }
    invoices
        .policies
        .get_mut("invoices_read")
        .expect("invoices_read")
        .using = Some(READ_POLICY.into());
    invoices
        .policies
        .get_mut("invoices_write")
        .expect("invoices_write")
        .with_check = Some(WRITE_POLICY.into());
    invoices
        .triggers
        .get_mut("trg_invoices_touch")
        .expect("trg_invoices_touch")
        .when = Some("(old.amount_cents IS DISTINCT FROM new.amount_cents)".into());
    relation(&mut live, "accounts")
        .indexes
        .get_mut("idx_accounts_status")
        .expect("idx_accounts_status")
        .predicate =
        Some("((status = ANY (ARRAY['active'::text, 'trial'::text])) AND (seats > 1))".into());
    for (view, body) in VIEWS {
        relation(&mut live, view)
            .view
            .as_mut()
            .expect("a view")
            .query = (*body).into();
        for column in &mut relation(&mut live, view).columns {
            column.not_null = false;
        }
    }
    live
}

/// Drift of `live` (edited as PostgreSQL printed it: its forms are computed as a loader
/// would) against the probe's specs.
fn rules_and_objects(specs: &SpecSet, live: &Catalog) -> Vec<(String, String, String)> {
    let mut live = live.clone();
    fill_forms(&mut live, "public");
    let mut found: Vec<(String, String, String)> = drift_findings(specs, &live, "public")
        .into_iter()
        .map(|finding| {
            (
                finding.rule.id.to_string(),
                finding.object.to_string(),
                finding.severity.to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn what_postgresql_15_printed_for_the_probe_is_not_drift() {
    let specs = specs();
    let live = printed(&specs);
    assert_eq!(rules_and_objects(&specs, &live), vec![]);
}

#[test]
fn planted_differences_in_printed_definitions_are_errors() {
    let specs = specs();
    let mut live = printed(&specs);
    let accounts = relation(&mut live, "accounts");
    accounts
        .column_mut("created_at")
        .expect("created_at")
        .default = Some("clock_timestamp()".into());
    accounts
        .column_mut("serial_no")
        .expect("serial_no")
        .identity = Some(Identity::Always);
    accounts
        .constraints
        .get_mut("accounts_seats_check")
        .expect("seats check")
        .kind = ConstraintKind::Check {
        expression: "CHECK (((seats >= 1) AND (seats < 500)))".into(),
    };
    accounts
        .indexes
        .get_mut("idx_accounts_status")
        .expect("idx_accounts_status")
        .predicate = Some("((status = ANY (ARRAY['active'::text])) AND (seats > 1))".into());
    relation(&mut live, "invoices")
        .policies
        .get_mut("invoices_write")
        .expect("invoices_write")
        .with_check = Some(WRITE_POLICY.replace("1000000", "100000").into());
    relation(&mut live, "v_recent")
        .view
        .as_mut()
        .expect("view")
        .query = VIEWS[0].1.replace("'30 days'", "'31 days'").into();
    let error = |rule: &str, object: &str| (rule.to_string(), object.to_string(), "error".into());
    assert_eq!(
        rules_and_objects(&specs, &live),
        vec![
            error("constraint-drift", "billing.accounts.accounts_seats_check"),
            error("default-drift", "billing.accounts.created_at"),
            error("default-drift", "billing.accounts.serial_no"),
            error("index-definition-drift", "billing.idx_accounts_status"),
            error("policy-drift", "billing.invoices.invoices_write"),
            error("view-definition-drift", "billing.v_recent"),
        ]
    );
}
