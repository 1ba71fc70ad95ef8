//! The `contract` family: DTOs against the relations that serve them, and the
//! mapping's declared types against the specs.

mod facts;

use super::{Family, Inputs, Outcome, Rule};
use crate::contracts::{ContractProblemKind, ContractSet, Dto};
use crate::finding::{Finding, Severity};
use crate::mapping::{Mapping, ReadModel};
use crate::model::{Catalog, Column, Relation};
use facts::{check_enum, check_length, check_nullability, check_type, ColumnFacts, Nullability};

/// `unmapped-dto-field`.
pub const UNMAPPED_DTO_FIELD: Rule = Rule {
    id: "unmapped-dto-field",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A DTO field has no column in the relation that serves it",
    documentation: "\
## What it does
For each read model in the mapping, checks that every property of the DTO comes from a column
of the serving relation: the column named in `fields:`, or else the column of the same name.

## Why it matters
The API promises a field that nothing in the database provides: the response will lack it or
the serializer will fill it with something nobody checked.

## Example
`RealtimeRevenueResponse` has `currency`, `public.mv_realtime_revenue` has no `currency`
column and `fields:` does not map it.
Fix: add the column to the relation, map the field to an existing column
(`fields: {currency: currency_code}`), or remove the field from the contract.",
};

/// `unknown-mapped-column`.
pub const UNKNOWN_MAPPED_COLUMN: Rule = Rule {
    id: "unknown-mapped-column",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The mapping names a column that the relation does not have",
    documentation: "\
## What it does
Checks that every column named in the mapping — `fields:` of a read model, `columns:` of an
entity — exists in its relation.

## Why it matters
A mapping that points at a missing column documents a data flow that cannot happen; usually a
column was renamed in a migration and the mapping was not updated.

## Example
```yaml
fields:
  total_revenue: {column: total_revenue_usd}
```
while the view's column is `total_revenue`. Fix the column name in the mapping.",
};

/// `dto-type-mismatch`.
pub const DTO_TYPE_MISMATCH: Rule = Rule {
    id: "dto-type-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A DTO field's JSON type does not fit the column that serves it",
    documentation: "\
## What it does
Compares each DTO property's JSON Schema type and format with the PostgreSQL type of the
column that serves it, using the compatibility table (overridable with `type_compat:` in the
mapping): `string`+`uuid` ↔ `uuid`; `string`+`date-time` ↔ `timestamp with time zone`
(`timestamp without time zone` warns); `integer` ↔ `smallint`/`integer`/`bigint`
(`int32` against `bigint` warns); `number` ↔ numeric, floating and integer types; `boolean` ↔
`boolean`; `object` ↔ `json`/`jsonb`; `array` ↔ arrays of a compatible type or `json`/`jsonb`.
When the column's type cannot be known statically (an expression in a view), the finding is
`info` (\"type not checked\"): run against a database (`--db`) or a scratch database
(`--dev-db`) to check it.

## Why it matters
Clients are generated from the contract. A `numeric` served as `integer`, or `text` served as
`uuid`, breaks them at run time, not at build time.

## Example
`total_revenue: {type: integer}` served by `total_revenue numeric`.
Fix the contract (`type: number`) or the column type.",
};

/// `dto-nullability-mismatch`.
pub const DTO_NULLABILITY_MISMATCH: Rule = Rule {
    id: "dto-nullability-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A required, non-nullable DTO field is served by a nullable column",
    documentation: "\
## What it does
A read model serves responses, so every value the column can hold must satisfy the DTO. A
field that is `required` and not nullable (no `nullable: true`, no `\"null\"` in `type`) must
be served by a `NOT NULL` column (for views: a column whose lineage proves it non-null; an
outer join makes it nullable). The reverse — the DTO allows null, the column never holds it —
is fine and not reported.

## Why it matters
The first null row breaks every client that trusted the contract.

## Example
`last_run_at` is required and non-nullable in `ReconciliationStatusResponse`, but
`reconciliation_runs.last_run_at` is nullable.
Fix: make the DTO honest (`nullable: true` / `type: [string, \"null\"]`) or the column
`NOT NULL` (or `coalesce` it in the view).",
};

/// `dto-enum-mismatch`.
pub const DTO_ENUM_MISMATCH: Rule = Rule {
    id: "dto-enum-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The column can hold values outside the DTO field's enum",
    documentation: "\
## What it does
For a DTO field with `enum`, finds the values the serving column can hold — the labels of its
enum type, or the values a CHECK constraint allows (`IN (…)`, `= ANY (ARRAY[…])`, traced
through views to the table) — and reports values the DTO does not list. A text column with no
such restriction is a warning: nothing stops it from holding other values.

## Why it matters
A client that switches over the enum meets a value it was told cannot exist.

## Example
The DTO allows `idle, running, failed, completed`; the column's CHECK also allows `cancelled`.
Fix: add `cancelled` to the contract, or tighten the CHECK.",
};

/// `dto-length-mismatch`.
pub const DTO_LENGTH_MISMATCH: Rule = Rule {
    id: "dto-length-mismatch",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The column can hold longer strings than the DTO field's maxLength",
    documentation: "\
## What it does
For a DTO field with `maxLength`, checks the serving column's length: `character varying(120)`
against `maxLength: 80` is an error; unbounded `text` is a warning (nothing limits it, but it
may be limited elsewhere). Enum types and CHECK-limited columns are measured by their longest
allowed value.

## Why it matters
Responses longer than the contract allows fail client-side validation.

## Example
`display_name: {type: string, maxLength: 80}` served by `character varying(120)`.
Fix the contract (`maxLength: 120`) or the column (`varchar(80)`).",
};

/// `unknown-contract-ref`.
pub const UNKNOWN_CONTRACT_REF: Rule = Rule {
    id: "unknown-contract-ref",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The mapping, the index plan or a $ref names a DTO, endpoint, field or query that is not defined",
    documentation: "\
## What it does
Checks every name the mapping uses against the contracts: read-model `dto:` and `endpoint:`,
`fields:` keys (DTO properties), index-plan `query_paths` (`METHOD /path` in the contracts, or
a name under `queries:`), and every `$ref` inside the contracts (missing files and pointers are
errors; a `$ref` cycle is noted as info and expansion stops there).

## Why it matters
A dangling name means the mapping documents an API that does not exist, and an index whose
query path does not resolve is not justified by anything.

## Example
```yaml
query_paths: [GET /api/attribution/revenue/live]
```
while the contract defines `GET /api/attribution/revenue/realtime`. Fix the name.",
};

/// `mapping-type-drift`.
pub const MAPPING_TYPE_DRIFT: Rule = Rule {
    id: "mapping-type-drift",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A column type or nullability declared in the mapping differs from the specs",
    documentation: "\
## What it does
Compares each `entities:` column's declared `type` (normalized: `VARCHAR(255)` is
`character varying(255)`, `timestamptz` is `timestamp with time zone`) and `nullable` with the
column the specs define.

## Why it matters
The mapping is the documentation other teams read; a declared type that drifted from the
schema misleads everyone who trusts it.

## Example
```yaml
- {name: revenue_cents, type: bigint, nullable: false}
```
while the spec says `revenue_cents integer NOT NULL`. Fix whichever side is wrong.",
};

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    let catalog = inputs.specs.map(|specs| specs.catalog).or(inputs.live);
    let (Some(mapping), Some(catalog)) = (inputs.mapping, catalog) else {
        outcome.skipped.push(
            "contract: needs a mapping and specs or a live database (--mapping, --specs)".into(),
        );
        return;
    };
    let findings = &mut outcome.findings;
    check_entities(mapping, inputs.live.unwrap_or(catalog), findings);
    let Some(contracts) = inputs.contracts else {
        outcome
            .skipped
            .push("contract: read models not checked, no contracts given (`contracts:` in the mapping or --contracts)".into());
        return;
    };
    report_contract_problems(contracts, findings);
    let context = Context {
        catalog,
        live: inputs.live,
        contracts,
        mapping,
        row_samples: inputs.row_samples,
        default_schema: inputs.default_schema,
    };
    // One DTO served from one relation by several endpoints yields the same findings
    // for each; a reader needs them once.
    let mut read_model_findings = Vec::new();
    for read_model in &mapping.read_models {
        context.check_read_model(read_model, &mut read_model_findings);
    }
    for finding in read_model_findings {
        if !findings.contains(&finding) {
            findings.push(finding);
        }
    }
}

fn report_contract_problems(contracts: &ContractSet, findings: &mut Vec<Finding>) {
    for problem in &contracts.problems {
        let finding = Finding::new(
            &UNKNOWN_CONTRACT_REF,
            problem.subject.clone(),
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

fn check_entities(mapping: &Mapping, catalog: &Catalog, findings: &mut Vec<Finding>) {
    for entity in &mapping.entities {
        let Some(relation) = catalog.relations.get(&entity.table) else {
            findings.push(
                Finding::new(
                    &super::spec::UNKNOWN_REFERENCE,
                    entity.table.to_string(),
                    format!(
                        "mapping entity {:?} names {}, which the specs do not define",
                        entity.key, entity.table
                    ),
                )
                .at(entity.location.as_ref()),
            );
            continue;
        };
        for declared in &entity.columns {
            let object = relation.member_path(&declared.name);
            let Some(column) = relation.column(&declared.name) else {
                findings.push(
                    Finding::new(
                        &UNKNOWN_MAPPED_COLUMN,
                        object,
                        format!(
                            "mapping entity {:?} declares column {}, which {} does not have",
                            entity.key, declared.name, relation.name
                        ),
                    )
                    .at(declared.location.as_ref()),
                );
                continue;
            };
            if let (Some(declared_type), Some(actual)) = (&declared.data_type, &column.data_type) {
                if declared_type != actual {
                    findings.push(
                        Finding::new(
                            &MAPPING_TYPE_DRIFT,
                            object.clone(),
                            format!("mapping declares {declared_type}, the specs define {actual}"),
                        )
                        .expected_actual(actual.to_string(), declared_type.to_string())
                        .at(declared.location.as_ref()),
                    );
                }
            }
            if relation.kind.is_table() {
                if let Some(nullable) = declared.nullable {
                    if nullable == column.not_null {
                        let says = |nullable: bool| if nullable { "nullable" } else { "NOT NULL" };
                        findings.push(
                            Finding::new(
                                &MAPPING_TYPE_DRIFT,
                                object.clone(),
                                format!(
                                    "mapping declares the column {}, the specs define it {}",
                                    says(nullable),
                                    says(!column.not_null)
                                ),
                            )
                            .expected_actual(says(!column.not_null), says(nullable))
                            .at(declared.location.as_ref()),
                        );
                    }
                }
            }
        }
    }
}

struct Context<'a> {
    /// The specs' catalog (the live one when no specs are given): relations, lineage.
    catalog: &'a Catalog,
    /// The live catalog: exact column types, table nullability and constraints.
    live: Option<&'a Catalog>,
    contracts: &'a ContractSet,
    mapping: &'a Mapping,
    row_samples: Option<&'a super::rows::RowSamples>,
    default_schema: &'a str,
}

impl Context<'_> {
    fn check_read_model(&self, read_model: &ReadModel, findings: &mut Vec<Finding>) {
        let Some(dto) = self.resolve_dto(read_model, findings) else {
            return;
        };
        let Some(relation) = self.catalog.relations.get(&read_model.relation) else {
            findings.push(
                Finding::new(
                    &super::spec::UNKNOWN_REFERENCE,
                    read_model.relation.to_string(),
                    format!(
                        "read model for {} names relation {}, which the specs do not define",
                        dto.name, read_model.relation
                    ),
                )
                .at(read_model.location.as_ref()),
            );
            return;
        };
        if let Some(rows) = self
            .row_samples
            .and_then(|samples| samples.get(&relation.name))
        {
            let json_schema = self.contracts.json_schema(dto);
            super::rows::check_samples(dto, &json_schema, read_model, relation, rows, findings);
        }
        let schema = &dto.schema;
        for mapped in &read_model.fields {
            if schema.property(&mapped.field).is_none() {
                findings.push(
                    Finding::new(
                        &UNKNOWN_CONTRACT_REF,
                        format!("{}.{}", dto.name, mapped.field),
                        format!(
                            "fields: maps {:?}, which {} does not define",
                            mapped.field, dto.name
                        ),
                    )
                    .at(mapped.location.as_ref().or(read_model.location.as_ref())),
                );
            }
        }
        for (field, node) in &schema.properties {
            let mapped = read_model
                .fields
                .iter()
                .find(|mapped| &mapped.field == field);
            let column_name = mapped.map_or(field.as_str(), |mapped| mapped.column.as_str());
            let Some(column) = relation.column(column_name) else {
                let finding = match mapped {
                    Some(mapped) => Finding::new(
                        &UNKNOWN_MAPPED_COLUMN,
                        relation.member_path(column_name),
                        format!(
                            "{}.{field} is mapped to column {column_name}, which {} does not have",
                            dto.name, relation.name
                        ),
                    )
                    .at(mapped.location.as_ref()),
                    None => Finding::new(
                        &UNMAPPED_DTO_FIELD,
                        format!("{}.{field}", dto.name),
                        format!(
                            "{}.{field} has no column {field} in {} and no `fields:` mapping",
                            dto.name, relation.name
                        ),
                    )
                    .at(node.location.as_ref().or(read_model.location.as_ref()))
                    .hint(format!(
                        "map it under `fields:` of the read model for {}, or add the column",
                        relation.name
                    )),
                };
                findings.push(finding);
                continue;
            };
            let facts = self.column_facts(relation, column);
            let object = relation.member_path(column_name);
            let location = node.location.as_ref().or(read_model.location.as_ref());
            let field_path = format!("{}.{field}", dto.name);
            check_type(
                &facts,
                node,
                &self.mapping.type_compat,
                &object,
                &field_path,
                location,
                findings,
            );
            check_nullability(
                &facts,
                node,
                schema.is_required(field),
                &object,
                &field_path,
                location,
                findings,
            );
            check_enum(&facts, node, &object, &field_path, location, findings);
            check_length(&facts, node, &object, &field_path, location, findings);
        }
    }

    /// The DTO a read model names, reporting names that do not resolve.
    fn resolve_dto(&self, read_model: &ReadModel, findings: &mut Vec<Finding>) -> Option<&Dto> {
        let location = read_model.location.as_ref();
        let from_endpoint = match &read_model.endpoint {
            None => None,
            Some(endpoint) => match self.contracts.endpoints.get(&endpoint_key(endpoint)) {
                None => {
                    findings.push(
                        Finding::new(
                            &UNKNOWN_CONTRACT_REF,
                            endpoint.clone(),
                            format!("read model names endpoint {endpoint}, which the contracts do not define"),
                        )
                        .at(location),
                    );
                    return None;
                }
                Some(found) => match &found.dto {
                    Some(dto) => Some(dto.clone()),
                    None => {
                        findings.push(
                            Finding::new(
                                &UNKNOWN_CONTRACT_REF,
                                endpoint.clone(),
                                format!("endpoint {endpoint} has no 2xx application/json response schema to check"),
                            )
                            .at(found.location.as_ref().or(location)),
                        );
                        return None;
                    }
                },
            },
        };
        let reference = match (&read_model.dto, from_endpoint) {
            (Some(named), Some(served)) => {
                let named_dto = self.contracts.dto(named).map(|dto| dto.name.clone());
                if named_dto.is_some() && named_dto.as_deref() != Some(served.as_str()) {
                    findings.push(
                        Finding::new(
                            &UNKNOWN_CONTRACT_REF,
                            named.clone(),
                            format!(
                                "read model names DTO {named}, but endpoint {} responds with {served}",
                                read_model.endpoint.as_deref().unwrap_or_default()
                            ),
                        )
                        .expected_actual(served.clone(), named.clone())
                        .at(location),
                    );
                }
                named.clone()
            }
            (Some(named), None) => named.clone(),
            (None, Some(served)) => served,
            (None, None) => return None,
        };
        let dto = self.contracts.dto(&reference);
        if dto.is_none() {
            findings.push(
                Finding::new(
                    &UNKNOWN_CONTRACT_REF,
                    reference.clone(),
                    format!("read model names DTO {reference}, which the contracts do not define"),
                )
                .at(location),
            );
        }
        dto
    }

    /// Follows a view column's lineage to the table column it reads, if any.
    fn origin<'c>(
        &'c self,
        relation: &'c Relation,
        column: &'c Column,
    ) -> (&'c Relation, &'c Column) {
        let mut current = (relation, column);
        for _ in 0..32 {
            let Some(source) = &current.1.source else {
                break;
            };
            let Some(next_relation) = self.catalog.relations.get(&source.relation) else {
                break;
            };
            let Some(next_column) = next_relation.column(&source.column) else {
                break;
            };
            current = (next_relation, next_column);
        }
        current
    }

    fn column_facts(&self, relation: &Relation, column: &Column) -> ColumnFacts {
        let live_relation = self
            .live
            .and_then(|live| live.relations.get(&relation.name));
        let live_column =
            live_relation.and_then(|live_relation| live_relation.column(&column.name));
        let nullability = if relation.kind.is_table() {
            match live_column.map_or(column.not_null, |live_column| live_column.not_null) {
                true => Nullability::NotNull,
                false => Nullability::Nullable,
            }
        } else if column.not_null || live_column.is_some_and(|live_column| live_column.not_null) {
            Nullability::NotNull
        } else if column.source.is_some() {
            Nullability::Nullable
        } else {
            Nullability::Unknown
        };
        let (declared, types_from) =
            match live_column.and_then(|live_column| live_column.data_type.as_ref()) {
                Some(live_type) => (Some(live_type), self.live.unwrap_or(self.catalog)),
                None => (column.data_type.as_ref(), self.catalog),
            };
        let Some(declared) = declared else {
            return ColumnFacts {
                data_type: None,
                is_enum: false,
                allowed_values: None,
                nullability,
            };
        };
        let mut data_type = declared.clone();
        let mut allowed_values = None;
        let mut nullability = nullability;
        if let Some(domain) = types_from.domain_for(declared, self.default_schema) {
            data_type = domain.base_type.clone();
            if domain.not_null && nullability != Nullability::Unknown {
                nullability = Nullability::NotNull;
            }
            allowed_values = domain.allowed_values.clone();
        }
        let enum_type = types_from.enum_for(&data_type, self.default_schema);
        if let Some(enum_type) = enum_type {
            allowed_values = Some(enum_type.values.clone());
        }
        if allowed_values.is_none() {
            let (table, table_column) = self.origin(relation, column);
            let table = self
                .live
                .and_then(|live| live.relations.get(&table.name))
                .unwrap_or(table);
            allowed_values = table
                .constraints
                .values()
                .find_map(|constraint| constraint.allowed_values.get(&table_column.name).cloned());
        }
        ColumnFacts {
            data_type: Some(data_type),
            is_enum: enum_type.is_some(),
            allowed_values,
            nullability,
        }
    }
}

/// `get /x?tenant_id=1` → `GET /x`.
fn endpoint_key(text: &str) -> String {
    let text = text.trim();
    let (method, path) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let path = path.trim();
    let path = path.split('?').next().unwrap_or(path);
    format!("{} {}", method.to_ascii_uppercase(), path)
}

/// Parses `METHOD /path` (query string ignored) when `text` has that shape.
pub(super) fn as_endpoint(text: &str) -> Option<String> {
    let (method, path) = text.trim().split_once(char::is_whitespace)?;
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    (METHODS.contains(&method.to_ascii_uppercase().as_str()) && path.trim().starts_with('/'))
        .then(|| endpoint_key(text))
}

/// Whether `name` is a planned query or an endpoint, for the index plan family.
pub(super) fn resolves(
    query_path: &str,
    contracts: Option<&ContractSet>,
    mapping: &Mapping,
) -> Resolution {
    if let Some(endpoint) = as_endpoint(query_path) {
        return match contracts {
            Some(contracts) if contracts.endpoints.contains_key(&endpoint) => Resolution::Resolved,
            Some(_) => Resolution::Unknown(format!(
                "endpoint {endpoint}, which the contracts do not define"
            )),
            None => Resolution::Unchecked,
        };
    }
    let name = query_path.trim();
    if mapping.queries.iter().any(|query| query.name == name) {
        Resolution::Resolved
    } else if name.contains(char::is_whitespace) {
        Resolution::FreeText
    } else {
        Resolution::Unknown(format!("query {name:?}, which `queries:` does not declare"))
    }
}

/// How a query path resolved.
pub(super) enum Resolution {
    /// To an endpoint of the contracts or a declared query.
    Resolved,
    /// To nothing: the text names an endpoint or query that is not defined.
    Unknown(String),
    /// Free text (a Markdown plan's prose) that names no endpoint or query.
    FreeText,
    /// An endpoint, but no contracts were given to look it up in.
    Unchecked,
}
