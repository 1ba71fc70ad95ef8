//! The `contract` family: DTOs against the relations that serve them, and the mapping's
//! declared types against the specs. Each rule is a file of this folder. Rules about one
//! DTO field register a [`FieldFinder`] with [`field_finder!`]; the read-model walk here
//! resolves each field's serving column once and runs them all.

include!(concat!(env!("OUT_DIR"), "/rules_contract.rs"));

use super::{Inputs, Outcome};
use crate::checks::spec::unknown_reference::UNKNOWN_REFERENCE;
use crate::contracts::{ContractSet, Dto, SchemaNode};
use crate::finding::{Finding, ObjectPath};
use crate::mapping::{
    endpoint_shape, infer_read_models, EndpointShape, Inferred, Mapping, NamedQuery, ReadModel,
    TypeCompat,
};
use crate::model::{Catalog, Column, Location, Relation, RowSamples, SqlType};
use crate::rules::{ObjectKind, Severity};
use crate::suggest::did_you_mean;
use linkme::distributed_slice;
use std::collections::BTreeSet;
use unknown_contract_ref::UNKNOWN_CONTRACT_REF;
use unknown_mapped_column::UNKNOWN_MAPPED_COLUMN;
use unmapped_dto_field::UNMAPPED_DTO_FIELD;

/// What the contract rules look at.
pub(crate) struct Contracts<'a> {
    /// The specs' catalog (the live one when no specs are given): relations, lineage.
    pub catalog: &'a Catalog,
    /// The live catalog: exact column types, table nullability and constraints.
    pub live: Option<&'a Catalog>,
    /// The contracts, when given.
    pub contracts: Option<&'a ContractSet>,
    /// The mapping.
    pub mapping: &'a Mapping,
    /// Rows sampled from live read models.
    pub row_samples: Option<&'a RowSamples>,
    /// Where unqualified names live.
    pub default_schema: &'a str,
}

/// A contract rule's finder.
pub(crate) type Finder = fn(&Contracts, &mut Vec<Finding>);

/// Every contract rule's finder that looks at the whole run.
#[distributed_slice]
pub(crate) static CONTRACT_FINDERS: [Finder];

/// A contract rule that judges the contract documents themselves, whether or not a
/// mapping uses them.
pub(crate) type DocumentFinder = fn(&ContractSet, &mut Vec<Finding>);

/// Every contract-document finder.
#[distributed_slice]
pub(crate) static DOCUMENT_FINDERS: [DocumentFinder];

/// Registers a contract-document finder: `crate::checks::contract::document_finder!(find);`.
macro_rules! document_finder {
    ($function:path) => {
        const _: () = {
            #[::linkme::distributed_slice($crate::checks::contract::DOCUMENT_FINDERS)]
            #[linkme(crate = ::linkme)]
            static DOCUMENT_FINDER: $crate::checks::contract::DocumentFinder = $function;
        };
    };
}
pub(crate) use document_finder;

/// One DTO field with the column that serves it.
pub(crate) struct Field<'a> {
    /// What the specs (or the database) prove about the column.
    pub facts: &'a ColumnFacts,
    /// The field's JSON Schema.
    pub node: &'a SchemaNode,
    /// Whether the DTO requires the field.
    pub required: bool,
    /// The mapping's type-compatibility overrides.
    pub type_compat: &'a [TypeCompat],
    /// The serving column.
    pub object: &'a ObjectPath,
    /// `Dto.field`.
    pub name: &'a str,
    /// The field's location in the contract, else the read model's.
    pub location: Option<&'a Location>,
}

/// A rule that judges one DTO field against its serving column.
pub(crate) type FieldFinder = fn(&Field, &mut Vec<Finding>);

/// Every per-field finder.
#[distributed_slice]
pub(crate) static FIELD_FINDERS: [FieldFinder];

/// Registers a per-field finder: `crate::checks::contract::field_finder!(find);`.
macro_rules! field_finder {
    ($function:path) => {
        const _: () = {
            #[::linkme::distributed_slice($crate::checks::contract::FIELD_FINDERS)]
            #[linkme(crate = ::linkme)]
            static FIELD_FINDER: $crate::checks::contract::FieldFinder = $function;
        };
    };
}
pub(crate) use field_finder;

pub(super) fn check(inputs: &Inputs, outcome: &mut Outcome) {
    if let Some(contracts) = inputs.contracts {
        for finder in DOCUMENT_FINDERS {
            finder(contracts, &mut outcome.findings);
        }
    }
    let catalog = inputs.specs.map(|specs| specs.catalog).or(inputs.live);
    // Without a mapping, the contracts alone still give read models to infer.
    let no_mapping = Mapping::default();
    let mapping = inputs.mapping.or_else(|| {
        (inputs.contracts.is_some() && inputs.infer_read_models).then_some(&no_mapping)
    });
    let (Some(mapping), Some(catalog)) = (mapping, catalog) else {
        outcome.skipped.push(
            "contract: needs a mapping (or contracts) and specs or a live database (--mapping, --contracts, --specs)".into(),
        );
        return;
    };
    let run = Contracts {
        catalog,
        live: inputs.live,
        contracts: inputs.contracts,
        mapping,
        row_samples: inputs.row_samples,
        default_schema: inputs.default_schema,
    };
    for finder in CONTRACT_FINDERS {
        finder(&run, &mut outcome.findings);
    }
    let Some(contracts) = inputs.contracts else {
        outcome
            .skipped
            .push("contract: read models not checked, no contracts given (`contracts:` in the mapping or --contracts)".into());
        return;
    };
    let inferred = if inputs.infer_read_models {
        infer_read_models(contracts, inputs.mapping, inputs.specs, inputs.live)
    } else {
        Inferred::default()
    };
    for problem in &inferred.problems {
        outcome.findings.push(
            Finding::new(
                &UNKNOWN_CONTRACT_REF,
                ObjectPath::dto(&problem.name),
                problem.message.clone(),
            )
            .severity(Severity::Warning)
            .at(problem.location.as_ref())
            .hint(
                "correct the name in the comment, or declare the read model under `read_models:`",
            ),
        );
    }
    // One DTO served from one relation by several endpoints yields the same findings
    // for each; a reader needs them once.
    let mut read_model_findings = Vec::new();
    for read_model in mapping.read_models.iter().chain(&inferred.read_models) {
        let mut found = Vec::new();
        run.check_read_model(contracts, read_model, &mut found);
        if let Some(inference) = &read_model.inferred {
            for finding in &mut found {
                finding.message.push_str(&format!(
                    "; the read model was inferred: {}",
                    inference.evidence
                ));
            }
        }
        read_model_findings.extend(found);
    }
    for finding in read_model_findings {
        if !outcome.findings.contains(&finding) {
            outcome.findings.push(finding);
        }
    }
}

/// Whether a column can hold null, as far as the specs tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Nullability {
    /// It cannot.
    NotNull,
    /// It can.
    Nullable,
    /// The specs cannot tell (an expression of a view).
    Unknown,
}

/// What the specs prove about the values a column can hold.
pub(crate) struct ColumnFacts {
    /// Its type (a domain's base type), when known.
    pub data_type: Option<SqlType>,
    /// Whether the type is an enum type.
    pub is_enum: bool,
    /// The values an enum type or a CHECK allows, when they are listed.
    pub allowed_values: Option<Vec<String>>,
    /// Whether it can hold null.
    pub nullability: Nullability,
}

impl Contracts<'_> {
    fn check_read_model(
        &self,
        contracts: &ContractSet,
        read_model: &ReadModel,
        findings: &mut Vec<Finding>,
    ) {
        let Some(dto) = self.resolve_dto(contracts, read_model, findings) else {
            return;
        };
        let Some(relation) = self.catalog.relations.get(&read_model.relation) else {
            findings.push(
                Finding::new(
                    &UNKNOWN_REFERENCE,
                    ObjectPath::relation(&read_model.relation).of_kind(ObjectKind::Relation),
                    format!(
                        "read model for {} names relation {}, which the specs do not define",
                        dto.name, read_model.relation
                    ),
                )
                .at(read_model.location.as_ref())
                .did_you_mean(
                    &read_model.relation.to_string(),
                    relation_names(self.catalog).iter().map(String::as_str),
                ),
            );
            return;
        };
        if let Some(rows) = self
            .row_samples
            .and_then(|samples| samples.get(&relation.name))
        {
            let json_schema = contracts.json_schema(dto);
            contract_row_violation::check_samples(
                dto,
                &json_schema,
                read_model,
                relation,
                rows,
                findings,
            );
        }
        let schema = &dto.schema;
        for mapped in &read_model.fields {
            if schema.property(&mapped.field).is_none() {
                findings.push(
                    Finding::new(
                        &UNKNOWN_CONTRACT_REF,
                        ObjectPath::field(&dto.name, &mapped.field).of_kind(ObjectKind::Member),
                        format!(
                            "fields: maps {:?}, which {} does not define",
                            mapped.field, dto.name
                        ),
                    )
                    .at(mapped.location.as_ref().or(read_model.location.as_ref()))
                    .did_you_mean(
                        &mapped.field,
                        schema.properties.iter().map(|(name, _)| name.as_str()),
                    ),
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
                        ObjectPath::member(&relation.name, column_name),
                        format!(
                            "{}.{field} is mapped to column {column_name}, which {} does not have",
                            dto.name, relation.name
                        ),
                    )
                    .at(mapped.location.as_ref())
                    .did_you_mean(
                        column_name,
                        relation.columns.iter().map(|column| column.name.as_str()),
                    ),
                    None => Finding::new(
                        &UNMAPPED_DTO_FIELD,
                        ObjectPath::field(&dto.name, field),
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
            let object = ObjectPath::member(&relation.name, column_name);
            let name = format!("{}.{field}", dto.name);
            let served = Field {
                facts: &facts,
                node,
                required: schema.is_required(field),
                type_compat: &self.mapping.type_compat,
                object: &object,
                name: &name,
                location: node.location.as_ref().or(read_model.location.as_ref()),
            };
            for finder in FIELD_FINDERS {
                finder(&served, findings);
            }
        }
    }

    /// The DTO a read model names, reporting names that do not resolve.
    fn resolve_dto<'c>(
        &self,
        contracts: &'c ContractSet,
        read_model: &ReadModel,
        findings: &mut Vec<Finding>,
    ) -> Option<&'c Dto> {
        let location = read_model.location.as_ref();
        let from_endpoint = match &read_model.endpoint {
            None => None,
            Some(endpoint) => match contracts.endpoints.get(&endpoint_key(endpoint)) {
                None => {
                    findings.push(
                        Finding::new(
                            &UNKNOWN_CONTRACT_REF,
                            ObjectPath::other(endpoint.clone()),
                            format!("read model names endpoint {endpoint}, which the contracts do not define"),
                        )
                        .at(location)
                        .did_you_mean(&endpoint_key(endpoint), contracts.endpoints.keys().map(String::as_str)),
                    );
                    return None;
                }
                Some(found) => match &found.dto {
                    Some(dto) => Some(dto.clone()),
                    None => {
                        findings.push(
                            Finding::new(
                                &UNKNOWN_CONTRACT_REF,
                                ObjectPath::other(endpoint.clone()),
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
                let named_dto = contracts.dto(named).map(|dto| dto.name.clone());
                if named_dto.is_some() && named_dto.as_deref() != Some(served.as_str()) {
                    findings.push(
                        Finding::new(
                            &UNKNOWN_CONTRACT_REF,
                            ObjectPath::dto(named),
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
        let dto = contracts.dto(&reference);
        if dto.is_none() {
            findings.push(
                Finding::new(
                    &UNKNOWN_CONTRACT_REF,
                    ObjectPath::dto(&reference),
                    format!("read model names DTO {reference}, which the contracts do not define"),
                )
                .at(location)
                .did_you_mean(&reference, contracts.dtos.keys().map(String::as_str)),
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
pub(crate) fn as_endpoint(text: &str) -> Option<String> {
    let (method, path) = text.trim().split_once(char::is_whitespace)?;
    const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    (METHODS.contains(&method.to_ascii_uppercase().as_str()) && path.trim().starts_with('/'))
        .then(|| endpoint_key(text))
}

/// Every relation of `catalog` as `schema.name`, for "did you mean".
pub(crate) fn relation_names(catalog: &Catalog) -> Vec<String> {
    catalog.relations.keys().map(ToString::to_string).collect()
}

/// Whether a plan entry's query path is an endpoint of the contracts (exactly, or with
/// a `/v<n>` segment or a path parameter spelled otherwise: `endpoints` holds the shapes
/// of the contracts' endpoints, `None` without contracts) or a declared query, for the
/// index plan family.
pub(crate) fn resolves(
    query_path: &str,
    endpoints: Option<&BTreeSet<EndpointShape>>,
    queries: &[NamedQuery],
) -> Resolution {
    if let Some(endpoint) = as_endpoint(query_path) {
        return match endpoints {
            Some(endpoints)
                if endpoint_shape(&endpoint).is_some_and(|shape| endpoints.contains(&shape)) =>
            {
                Resolution::Resolved
            }
            Some(_) => Resolution::Unknown(format!(
                "endpoint {endpoint}, which the contracts do not define"
            )),
            None => Resolution::Unchecked,
        };
    }
    let name = query_path.trim();
    if queries.iter().any(|query| query.name == name) {
        Resolution::Resolved
    } else if name.contains(char::is_whitespace) {
        Resolution::FreeText
    } else {
        Resolution::Unknown(format!(
            "query {name:?}, which `queries:` does not declare{}",
            did_you_mean(name, queries.iter().map(|query| query.name.as_str()))
        ))
    }
}

/// How a query path resolved.
pub(crate) enum Resolution {
    /// To an endpoint of the contracts or a declared query.
    Resolved,
    /// To nothing: the text names an endpoint or query that is not defined.
    Unknown(String),
    /// Free text (a Markdown plan's prose) that names no endpoint or query.
    FreeText,
    /// An endpoint, but no contracts were given to look it up in.
    Unchecked,
}
