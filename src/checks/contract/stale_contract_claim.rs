//! `stale-contract-claim`: a mapping's `contract_mapping:` string names a contract file,
//! line range, field or JSON type that does not hold.

use crate::checks::contract::Contracts;
use crate::contracts::compat::{compatibility, Compatibility};
use crate::contracts::SchemaNode;
use crate::finding::{Finding, ObjectPath};
use crate::mapping::{ContractClaim, Entity, EntityColumn};
use crate::model::SqlType;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `stale-contract-claim`.
pub static STALE_CONTRACT_CLAIM: Rule = Rule {
    id: "stale-contract-claim",
    family: Family::Contract,
    default_severity: Severity::Warning,
    summary: "A contract_mapping: string names a contract file, line range, field or type that does not hold",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
Reads each entity column's `contract_mapping:` string as a claim when it names a contract
file: `api-contracts/openapi/v1/attribution.yaml:47-49 (total_revenue: number float) →
revenue_cents (integer)` claims that lines 47 to 49 of that file hold the field
`total_revenue`, of JSON type `number`, served by the column. It checks that the file is one
of the contracts the run read (given, or reached by `$ref`; matched by path suffix, so a
path from the repository root is fine), that the range lies inside it and holds the field,
that the claimed JSON type is the one the contract gives, and that the field's JSON type
fits the column's type (declared in the entity, else the specs') under the JSON →
PostgreSQL type table (`type_compat:` applies). A schema name in parentheses
(`(RealtimeRevenueResponse)`) must be a schema of the contracts. Free text that names no
contract file is not a claim and is not checked.

## Why it matters
These strings are what a reader of the mapping trusts to find the contract behind a column.
After the contract moved lines, renamed a field or changed a type, a stale claim sends them
to the wrong place, or tells them a type that is no longer true.

## Example
```yaml
- {name: revenue_cents, type: integer, contract_mapping: \"api-contracts/openapi/v1/attribution.yaml:47-49 (total_revenue: number float) → revenue_cents (integer)\"}
```
while `total_revenue` now sits at line 52. Fix the line range (or drop it: a claim without a
range only names the file and the field).",
};
register_rule!(STALE_CONTRACT_CLAIM);
crate::checks::finder!(super::CONTRACT_FINDERS, find);

fn find(run: &Contracts, findings: &mut Vec<Finding>) {
    let Some(contracts) = run.contracts else {
        return;
    };
    for entity in &run.mapping.entities {
        for column in &entity.columns {
            let Some(written) = &column.contract_mapping else {
                continue;
            };
            for claim in &written.claims {
                if let Some(problem) = judge(run, contracts, entity, column, claim) {
                    findings.push(
                        Finding::new(
                            &STALE_CONTRACT_CLAIM,
                            ObjectPath::member(&entity.table, &column.name),
                            format!(
                                "contract_mapping of {}.{}: {}",
                                entity.key, column.name, problem.message
                            ),
                        )
                        .expected_actual(problem.found, problem.claimed)
                        .at(written.location.as_ref().or(column.location.as_ref()))
                        .hint("correct the contract_mapping string (file, lines, field, type) to what the contract says now"),
                    );
                }
            }
        }
    }
}

/// What is wrong with a claim: in words, what it claims (the finding's actual value) and
/// what the contract says (its expected value).
struct Problem {
    message: String,
    claimed: String,
    found: String,
}

fn judge(
    run: &Contracts,
    contracts: &crate::contracts::ContractSet,
    entity: &Entity,
    column: &EntityColumn,
    claim: &ContractClaim,
) -> Option<Problem> {
    let Some(document) = contracts.document_named(&claim.file) else {
        return Some(Problem {
            message: format!(
                "{} is not one of the contracts this run read ({})",
                claim.file,
                contracts.documents.join(", ")
            ),
            claimed: claim.file.clone(),
            found: "no such contract".into(),
        });
    };
    if let Some(dto) = &claim.dto {
        if contracts.dto(dto).is_none() {
            return Some(Problem {
                message: format!("the contracts define no schema {dto}"),
                claimed: dto.clone(),
                found: "no such schema".into(),
            });
        }
    }
    let lines = match claim.lines {
        Some((first, last)) if first == 0 || last < first || last > document.line_count() => {
            return Some(Problem {
                message: format!(
                    "lines {first}-{last} are not inside {}, which has {} lines",
                    document.path(),
                    document.line_count()
                ),
                claimed: format!("{}:{first}-{last}", claim.file),
                found: format!("{} lines", document.line_count()),
            });
        }
        Some((first, last)) => first..=last,
        None => 1..=document.line_count(),
    };
    let field = claim.field.as_deref()?;
    let at = document.key_lines(field);
    if !at.iter().any(|line| lines.contains(line)) {
        let found = if at.is_empty() {
            format!("no field {field} in {}", document.path())
        } else {
            format!(
                "{field} at line {}",
                at.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Some(Problem {
            message: format!(
                "lines {}-{} of {} do not hold field {field} ({found})",
                lines.start(),
                lines.end(),
                document.path()
            ),
            claimed: format!("{field} at lines {}-{}", lines.start(), lines.end()),
            found,
        });
    }
    let contract_types = document.types_at(field, lines);
    if let Some(claimed) = &claim.json_type {
        if !contract_types.is_empty() && !contract_types.contains(claimed) {
            return Some(Problem {
                message: format!(
                    "it says {field} is {claimed}, the contract says {}",
                    contract_types.join(" or ")
                ),
                claimed: claimed.clone(),
                found: contract_types.join(" or "),
            });
        }
    }
    let types = if contract_types.is_empty() {
        claim.json_type.iter().cloned().collect()
    } else {
        contract_types
    };
    let column_type = column_type(run, entity, column, claim)?;
    let node = SchemaNode {
        types: types.clone(),
        ..SchemaNode::default()
    };
    match compatibility(&node, &column_type, false, &run.mapping.type_compat) {
        Compatibility::Incompatible(why) if !types.is_empty() => Some(Problem {
            message: format!(
                "{field} is {} in the contract, which column type {column_type} cannot serve: {why}",
                types.join(" or ")
            ),
            claimed: types.join(" or "),
            found: column_type.to_string(),
        }),
        _ => None,
    }
}

/// The type of the column a claim maps: the entity's declared type when the claim names
/// no other column, else the specs' (or the database's) type of the named column.
fn column_type(
    run: &Contracts,
    entity: &Entity,
    column: &EntityColumn,
    claim: &ContractClaim,
) -> Option<SqlType> {
    let named = claim.column.as_deref().unwrap_or(&column.name);
    if named == column.name {
        if let Some(declared) = &column.data_type {
            return Some(declared.clone());
        }
    }
    let catalog = run.live.unwrap_or(run.catalog);
    catalog
        .relations
        .get(&entity.table)?
        .column(named)?
        .data_type
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn claims_are_checked_against_the_file_its_lines_the_field_and_the_types() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid NOT NULL,
                 total_cents integer NOT NULL, currency text, posted_at timestamptz, note text);",
        )
        .mapping(
            "contracts: [api.yaml]\n\
             entities:\n  \
               ledger:\n    \
                 columns:\n      \
                   - {name: total_cents, type: integer, contract_mapping: \"api.yaml:9 (total: number float) → total_cents (integer)\"}\n      \
                   - {name: currency, contract_mapping: \"api.yaml:12-14 (currency: string)\"}\n      \
                   - {name: tenant_id, contract_mapping: \"api.yaml:9-10 (tenant_id: string uuid)\"}\n      \
                   - {name: posted_at, contract_mapping: \"api.yaml:10 (currency: integer)\"}\n      \
                   - {name: note, contract_mapping: \"api.yaml:9 (total: number) → note\"}\n      \
                   - {name: id, contract_mapping: \"api/v0/gone.yaml:1-3 (id: string); api.yaml (RevenueV0)\"}\n      \
                   - {name: id, contract_mapping: \"free text names no file; api.yaml (Revenue) is fine\"}\n",
        )
        .contract(
            "api.yaml",
            "openapi: 3.1.0
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    Revenue:
      type: object
      properties:
        total: {type: number}
        currency: {type: string}
        tenant_id: {type: string, format: uuid}
",
        )
        .findings_of(&STALE_CONTRACT_CLAIM);
        insta::assert_snapshot!(render(&findings));
    }
}
