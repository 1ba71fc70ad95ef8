//! `unknown-contract-ref`: a name that does not resolve in the contracts. This file
//! reports what the contract loader could not resolve; the read-model walk (family
//! `mod.rs`) and the index plan report the names they hold.

use crate::checks::contract::Contracts;
use crate::contracts::ContractProblemKind;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unknown-contract-ref`.
pub static UNKNOWN_CONTRACT_REF: Rule = Rule {
    id: "unknown-contract-ref",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The mapping, the index plan or a $ref names a DTO, endpoint, field or query that is not defined",
    object_kind: ObjectKind::Object,
    needs_live: false,
    docs: "\
## What it does
Checks every name the mapping uses against the contracts: read-model `dto:` and `endpoint:`,
`fields:` keys (DTO properties), index-plan `query_paths` (`METHOD /path` in the contracts, or
a name under `queries:`), and every `$ref` inside the contracts (missing files and pointers are
errors; a `$ref` cycle is noted as info and expansion stops there). For a read model pgparity
inferred, a DTO name the evidence gives in parentheses (`-- Contract Mapping: …
(OrderSummaryResponse)`) that is not the endpoint's response DTO is a warning at the evidence:
the endpoint's own DTO is checked instead.

## Why it matters
A dangling name means the mapping documents an API that does not exist, and an index whose
query path does not resolve is not justified by anything.

## Example
```yaml
query_paths: [GET /api/attribution/revenue/live]
```
while the contract defines `GET /api/attribution/revenue/realtime`. Fix the name.",
};
register_rule!(UNKNOWN_CONTRACT_REF);
crate::checks::finder!(super::CONTRACT_FINDERS, find);

fn find(run: &Contracts, findings: &mut Vec<Finding>) {
    let Some(contracts) = run.contracts else {
        return;
    };
    for problem in &contracts.problems {
        let finding = Finding::new(
            &UNKNOWN_CONTRACT_REF,
            ObjectPath::other(problem.subject.clone()),
            problem.message.clone(),
        )
        .at(problem.location.as_ref());
        findings.push(match problem.kind {
            ContractProblemKind::Cycle => finding.severity(Severity::Info),
            ContractProblemKind::DuplicateName | ContractProblemKind::WorkBudget => {
                finding.severity(Severity::Warning)
            }
            ContractProblemKind::MissingFile
            | ContractProblemKind::MissingPointer
            | ContractProblemKind::OutsideProject => finding,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::contract::unmapped_dto_field::UNMAPPED_DTO_FIELD;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_renamed_dto_in_the_evidence_is_a_warning_and_the_endpoint_dto_is_checked() {
        let findings = Scenario::specs(
            "CREATE TABLE orders (id uuid PRIMARY KEY, tenant_id uuid NOT NULL, total numeric);
             -- Contract Mapping: api.yaml:4-12 (OrderSummaryResponse)
             CREATE MATERIALIZED VIEW mv_order_summary AS
                 SELECT tenant_id, sum(total) AS total FROM orders GROUP BY tenant_id;",
        )
        .mapping("entities: {}\n")
        .contract(
            "api.yaml",
            "openapi: 3.1.0
info: {title: orders, version: '2'}
paths:
  /api/orders/summary:
    get:
      responses:
        '200':
          description: the summary of the caller's tenant
          content:
            application/json:
              schema: {$ref: '#/components/schemas/OrderSummaryV2'}
components:
  schemas:
    OrderSummaryV2:
      type: object
      required: [tenant_id, total, order_count]
      properties:
        tenant_id: {type: string, format: uuid}
        total: {type: number}
        order_count: {type: integer}
",
        )
        .findings_of_all(&[&UNKNOWN_CONTRACT_REF, &UNMAPPED_DTO_FIELD]);
        insta::assert_snapshot!(render(&findings));
    }
}
