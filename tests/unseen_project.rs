//! pgparity on a project written apart from it: "deskline", a multi-tenant helpdesk in
//! schema `helpdesk` (pg_dump-style and migration-chain specs, OpenAPI 3.0 JSON contracts
//! across two files, a mapping with an index plan in YAML and in Markdown).
//! `tests/data/unseen/clean` must pass; `tests/data/unseen/defective` is a copy with the
//! defects listed below planted, and pgparity must report each of them, with the right
//! rule and object, and nothing else at error or warning level.

mod support;

use support::{briefs, check_json, Brief};

const CLEAN: &str = "tests/data/unseen/clean/pgparity.toml";
const DEFECTIVE: &str = "tests/data/unseen/defective/pgparity.toml";

/// Every planted defect: severity, rule, object, file (under the project) and line.
const PLANTED: &[(&str, &str, &str, &str, u64)] = &[
    // contract family
    // TicketStatus lacks `pending`, which the enum type allows; two relations serve it.
    (
        "error",
        "dto-enum-mismatch",
        "helpdesk.tickets.status",
        "api/openapi.json",
        279,
    ),
    (
        "error",
        "dto-enum-mismatch",
        "helpdesk.v_ticket_summary.status",
        "api/openapi.json",
        206,
    ),
    // Customer.full_name has maxLength 80, the column is varchar(120).
    (
        "error",
        "dto-length-mismatch",
        "helpdesk.customers.full_name",
        "api/shared.json",
        28,
    ),
    // TicketSummary.assignee_name lost `nullable: true`; the view's LEFT JOIN makes it nullable.
    (
        "error",
        "dto-nullability-mismatch",
        "helpdesk.v_ticket_summary.assignee_name",
        "api/openapi.json",
        218,
    ),
    // Customer.id is a uuid string in the contract, a bigint in the table.
    (
        "error",
        "dto-type-mismatch",
        "helpdesk.customers.id",
        "api/shared.json",
        19,
    ),
    // The entity declares tickets.priority integer; the spec says int2.
    (
        "error",
        "mapping-type-drift",
        "helpdesk.tickets.priority",
        "contract/mapping.yaml",
        35,
    ),
    // The mapping sends Customer.email to a column that does not exist.
    (
        "error",
        "unknown-mapped-column",
        "helpdesk.customers.email_address",
        "contract/mapping.yaml",
        25,
    ),
    // Comment.edited_at has no column in ticket_comments.
    (
        "error",
        "unmapped-dto-field",
        "Comment.edited_at",
        "api/openapi.json",
        324,
    ),
    // index-plan family
    // The Markdown plan lists an index the specs never create.
    (
        "error",
        "missing-planned-index",
        "helpdesk.idx_customers_created",
        "docs/indexes.md",
        31,
    ),
    // The Markdown plan says created_at DESC, the spec index is ascending.
    (
        "error",
        "plan-definition-drift",
        "helpdesk.idx_ticket_comments_thread",
        "docs/indexes.md",
        17,
    ),
    // The plan entry's only query path is an endpoint the contracts do not define, so the
    // index is speculative too: beginning with org_id does not justify it, since the
    // org_id foreign key already has other covering indexes (and this one is partial).
    (
        "error",
        "unknown-contract-ref",
        "helpdesk.idx_tickets_org_open_priority",
        "contract/mapping.yaml",
        64,
    ),
    (
        "error",
        "speculative-index",
        "helpdesk.idx_tickets_org_open_priority",
        "db/0002_tickets.sql",
        29,
    ),
    // ...and this index has no plan entry at all.
    (
        "error",
        "speculative-index",
        "helpdesk.idx_tickets_subject_lower",
        "db/0002_tickets.sql",
        25,
    ),
    // (org_id, status) is a left prefix of (org_id, status, created_at DESC).
    (
        "warning",
        "redundant-index",
        "helpdesk.idx_tickets_org_status",
        "db/0002_tickets.sql",
        26,
    ),
    // The partial index on ticket_comments.author_agent_id was dropped.
    (
        "warning",
        "unindexed-foreign-key",
        "helpdesk.ticket_comments.ticket_comments_author_agent_id_fkey",
        "db/0002_tickets.sql",
        36,
    ),
    // tenancy family
    // ticket_attachments is isolated through its ticket, but has no org_id of its own.
    (
        "error",
        "missing-tenant-column",
        "helpdesk.ticket_attachments",
        "db/0002_tickets.sql",
        73,
    ),
    // sla_policies' only policy is RESTRICTIVE.
    (
        "error",
        "missing-tenant-policy",
        "helpdesk.sla_policies",
        "db/0002_tickets.sql",
        81,
    ),
    // audit_log has RLS enabled, not forced.
    (
        "error",
        "rls-disabled",
        "helpdesk.audit_log",
        "db/0002_tickets.sql",
        89,
    ),
    // spec family: a doubled comma in the middle of 0002, before the dollar-quoted
    // function, the tables and the indexes whose defects are listed above.
    (
        "error",
        "spec-parse-error",
        "helpdesk.ticket_comments",
        "db/0002_tickets.sql",
        45,
    ),
];

/// Rows with paths relative to the project `dir` (and `{dir}` in objects that are file
/// paths) as the report shows them, relative to the crate root.
fn project_briefs(dir: &str, rows: &[(&str, &str, &str, &str, u64)]) -> Vec<Brief> {
    rows.iter()
        .map(|&(severity, rule, object, path, line)| {
            (
                severity.to_string(),
                rule.to_string(),
                object.replace("{dir}", dir),
                format!("{dir}/{path}"),
                line,
            )
        })
        .collect()
}

fn sorted(mut briefs: Vec<Brief>) -> Vec<Brief> {
    briefs.sort();
    briefs
}

#[test]
fn the_clean_project_passes_without_a_single_finding() {
    let (code, report) = check_json(&["--config", CLEAN]);
    assert_eq!(briefs(&report), Vec::<Brief>::new(), "{report:#}");
    assert_eq!(code, 0);
    assert_eq!(
        report["skipped"],
        serde_json::json!(["drift: no live database or snapshot"]),
        "every static check ran"
    );
}

#[test]
fn every_planted_defect_is_reported_once_and_nothing_else() {
    let dir = "tests/data/unseen/defective";
    let (code, report) = check_json(&["--config", DEFECTIVE]);
    let expected = project_briefs(dir, PLANTED);
    assert_eq!(sorted(briefs(&report)), sorted(expected), "{report:#}");
    assert_eq!(code, 1);
}

#[test]
fn the_parse_error_points_at_the_rejected_token() {
    let (_, report) = check_json(&["--config", DEFECTIVE]);
    let parse_error = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == "spec-parse-error")
        .expect("a spec-parse-error");
    assert_eq!(parse_error["location"]["line"], 45);
    assert_eq!(parse_error["location"]["column"], 79, "the second comma");
}
