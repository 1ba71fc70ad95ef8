//! `unmapped-dto-field`: a DTO field no column serves. Found by the read-model walk in
//! the family's `mod.rs`, which every field rule shares.

use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unmapped-dto-field`.
pub static UNMAPPED_DTO_FIELD: Rule = Rule {
    id: "unmapped-dto-field",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A DTO field has no column in the relation that serves it",
    object_kind: ObjectKind::Member,
    needs_live: false,
    docs: "\
## What it does
For each read model — declared in the mapping, or inferred from a relation comment, a spec
comment or `contract_mapping:` strings (the message then says from what, and where) —
checks that every property of the DTO comes from a column of the serving relation: the
column named in `fields:`, or else the column of the same name.

## Why it matters
The API promises a field that nothing in the database provides: the response will lack it or
the serializer will fill it with something nobody checked.

## Example
`RealtimeRevenueResponse` has `currency`, `public.mv_realtime_revenue` has no `currency`
column and `fields:` does not map it.
Fix: add the column to the relation, map the field to an existing column
(`fields: {currency: currency_code}`), or remove the field from the contract.",
};
register_rule!(UNMAPPED_DTO_FIELD);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    /// Three endpoints whose read models the mapping does not declare.
    const API: &str = "\
openapi: 3.1.0
info: {title: ledger, version: '1'}
paths:
  /api/revenue:
    get:
      responses:
        '200':
          description: revenue
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RevenueResponse'}
  /api/orders:
    get:
      responses:
        '200':
          description: orders
          content:
            application/json:
              schema:
                type: array
                items: {$ref: '#/components/schemas/Order'}
  /api/ledger:
    get:
      responses:
        '200':
          description: one entry
          content:
            application/json:
              schema: {$ref: '#/components/schemas/LedgerEntry'}
components:
  schemas:
    RevenueResponse:
      type: object
      required: [tenant_id, total, currency]
      properties:
        tenant_id: {type: string, format: uuid}
        total: {type: number}
        currency: {type: string}
    Order:
      type: object
      required: [id, status]
      properties:
        id: {type: string, format: uuid}
        status: {type: string}
    LedgerEntry:
      type: object
      required: [id, amount]
      properties:
        id: {type: string, format: uuid}
        amount: {type: integer}
";

    #[test]
    fn inferred_read_models_report_the_fields_no_column_serves_and_say_why() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,
                 revenue_cents integer NOT NULL);
             CREATE MATERIALIZED VIEW mv_revenue AS
                 SELECT tenant_id, sum(revenue_cents) AS total FROM ledger GROUP BY tenant_id;
             COMMENT ON MATERIALIZED VIEW mv_revenue IS
                 'Aggregates revenue for GET /api/revenue?tenant_id=X endpoint';

             -- Orders of a tenant; serves GET /api/v1/orders (the version prefix is the gateway's).
             CREATE VIEW v_orders AS SELECT id, tenant_id FROM ledger;",
        )
        .mapping(
            "contracts: [api.yaml]\n\
             entities:\n  \
               ledger:\n    \
                 columns:\n      \
                   - {name: id, type: uuid, contract_mapping: \"LedgerEntry.id\"}\n      \
                   - {name: revenue_cents, type: integer, contract_mapping: \"api.yaml:49-50 (amount: integer) → revenue_cents (integer)\"}\n\
             nullability:\n  ledger: prose the team keeps\n",
        )
        .contract("api.yaml", API)
        .findings_of(&UNMAPPED_DTO_FIELD);
        insta::assert_snapshot!(render(&findings));
    }
}
