//! Read models the mapping does not declare, inferred from what a project already says:
//! a relation's comment naming an endpoint, a spec-file comment naming the endpoint or
//! its DTO, or the mapping's `contract_mapping:` strings. Every inferred read model
//! carries its evidence (what, and at which file:line), so a finding about it can say
//! why pgparity believes the relation serves the endpoint.

use super::claims::{contract_claims, endpoint_mentions, is_identifier, ContractClaim};
use super::model::{
    ContractMapping, Entity, EntityColumn, FieldMapping, Inference, Mapping, ReadModel,
};
use crate::contracts::{ContractSet, Dto, Endpoint};
use crate::model::{same_file, Catalog, Location, QualifiedName, Relation, RelationKind, Specs};
use std::collections::{BTreeMap, BTreeSet};

/// What inference found: read models for endpoints the mapping does not assign, and
/// names in the evidence that the contracts do not define.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inferred {
    /// One read model per endpoint it could place, in endpoint order.
    pub read_models: Vec<ReadModel>,
    /// Names in the evidence that the contracts do not define (a DTO renamed since).
    pub problems: Vec<InferenceProblem>,
}

/// A name in the evidence of an inferred read model that does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferenceProblem {
    /// The name as written.
    pub name: String,
    /// What is wrong and what pgparity did instead.
    pub message: String,
    /// Where the evidence is.
    pub location: Option<Location>,
}

/// Infers a read model for every endpoint with a 2xx JSON object (or array of objects)
/// response that the mapping does not assign (by `endpoint:`, or by `dto:` naming its
/// response DTO), from the first kind of evidence that names one:
///
/// 1. a relation comment (the specs', then the database's) naming `METHOD /path`;
/// 2. a `--` comment block of the spec file that creates the relation, naming the
///    endpoint, its DTO, or a contract file and line range that holds either (a block
///    belongs to the relation the statement after it creates; a file that creates one
///    relation lends it all its blocks);
/// 3. the mapping's `contract_mapping:` strings: the entity whose columns claim the most
///    fields of the DTO (`Dto.field`, or `file:lines (field: type)`).
///
/// Endpoints match with the query string ignored, path parameters of any spelling, and a
/// `/v1` (any `/v<n>`) path segment on either side tolerated. Within one kind, views and
/// materialized views come before tables, then relations by name. What the project says
/// is read once, so a contract with thousands of endpoints costs little per endpoint.
pub fn infer_read_models(
    contracts: &ContractSet,
    mapping: Option<&Mapping>,
    specs: Option<Specs<'_>>,
    live: Option<&Catalog>,
) -> Inferred {
    let assigned: Vec<Shape> = assigned_endpoints(contracts, mapping)
        .iter()
        .filter_map(|taken| shape(taken))
        .collect();
    let evidences = Evidences::read(mapping, specs, live);
    let mut inferred = Inferred::default();
    for (key, endpoint) in &contracts.endpoints {
        let Some(dto) = endpoint
            .dto
            .as_deref()
            .and_then(|dto| contracts.dtos.get(dto))
        else {
            continue;
        };
        let Some(key_shape) = shape(key) else {
            continue;
        };
        if assigned.contains(&key_shape) {
            continue;
        }
        let mut found = evidences.relation_comments(key, &key_shape);
        if found.is_empty() {
            found = evidences.spec_comments(key, &key_shape, endpoint, dto);
        }
        if found.is_empty() {
            found = evidences.contract_mappings(endpoint, dto);
        }
        if found.is_empty() {
            continue;
        }
        found.sort_by_key(|evidence| {
            let kind = evidences
                .catalog
                .and_then(|catalog| catalog.relations.get(&evidence.relation))
                .map(|relation| relation.kind);
            (
                !matches!(
                    kind,
                    Some(RelationKind::View | RelationKind::MaterializedView)
                ),
                evidence.relation.clone(),
            )
        });
        let chosen = found.remove(0);
        let mut description = chosen.description.clone();
        let others: BTreeSet<String> = found
            .iter()
            .filter(|other| other.relation != chosen.relation)
            .map(|other| other.relation.to_string())
            .collect();
        if !others.is_empty() {
            description.push_str(&format!(
                " (also named for {}: {}; declare the read model to choose)",
                key,
                others.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
        let said: Vec<(&str, Option<&Location>)> = evidences
            .remarks
            .iter()
            .filter(|remark| remark.relation.name == chosen.relation)
            .map(|remark| (remark.text, remark.location.as_ref()))
            .collect();
        inferred
            .problems
            .extend(stale_names(&said, key, dto, contracts));
        inferred.read_models.push(ReadModel {
            endpoint: Some(key.clone()),
            dto: None,
            relation: chosen.relation,
            fields: chosen.fields,
            location: chosen.location,
            inferred: Some(Inference {
                evidence: description,
            }),
        });
    }
    inferred
}

/// Endpoints the mapping's read models already serve.
fn assigned_endpoints(contracts: &ContractSet, mapping: Option<&Mapping>) -> Vec<String> {
    let mut assigned = Vec::new();
    for read_model in mapping.map_or(&[][..], |mapping| &mapping.read_models) {
        if let Some(endpoint) = &read_model.endpoint {
            assigned.extend(endpoint_mentions(endpoint));
        }
        if let Some(dto) = read_model.dto.as_deref().and_then(|dto| contracts.dto(dto)) {
            assigned.extend(
                contracts
                    .endpoints
                    .values()
                    .filter(|endpoint| endpoint.dto.as_deref() == Some(dto.name.as_str()))
                    .map(|endpoint| endpoint.key.clone()),
            );
        }
    }
    assigned
}

/// A `METHOD /path` in comparable form: the method upper-case, the path's segments with
/// `/v<n>` segments left out and path parameters of any spelling as `{}`, the query
/// string and fragment dropped. Two endpoint texts name the same endpoint when their
/// shapes are equal.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EndpointShape {
    method: String,
    segments: Vec<String>,
}

/// A shorter name inside this module.
type Shape = EndpointShape;

/// The comparable form of an endpoint text, if it is `METHOD /path`.
pub fn endpoint_shape(endpoint: &str) -> Option<EndpointShape> {
    shape(endpoint)
}

fn shape(endpoint: &str) -> Option<Shape> {
    let (method, path) = endpoint.trim().split_once(char::is_whitespace)?;
    let path = path.trim().split(['?', '#']).next().unwrap_or_default();
    let segments = path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .filter(|segment| {
            !(segment.len() > 1
                && segment.starts_with(['v', 'V'])
                && segment[1..].chars().all(|c| c.is_ascii_digit()))
        })
        .map(|segment| {
            if segment.starts_with('{') || segment.starts_with(':') {
                "{}".to_string()
            } else {
                segment.to_string()
            }
        })
        .collect();
    Some(EndpointShape {
        method: method.to_ascii_uppercase(),
        segments,
    })
}

/// One piece of evidence that `relation` serves an endpoint.
#[derive(Debug, Clone)]
struct Evidence {
    /// The relation.
    relation: QualifiedName,
    /// The evidence in words, with its place.
    description: String,
    /// Where it is.
    location: Option<Location>,
    /// Field → column mappings it states (from `contract_mapping:` claims).
    fields: Vec<FieldMapping>,
}

/// What the project says about one relation: a relation comment or a spec comment
/// block, with the endpoints and contract claims it names.
struct Remark<'a> {
    relation: &'a Relation,
    /// Whose relation comment it is (`the specs'`, `the database's`); `None` for a spec
    /// comment block.
    whose: Option<&'static str>,
    text: &'a str,
    location: Option<Location>,
    /// Endpoints as written, with their comparable shapes.
    endpoints: Vec<(String, Shape)>,
    claims: Vec<ContractClaim>,
}

impl<'a> Remark<'a> {
    fn new(
        relation: &'a Relation,
        whose: Option<&'static str>,
        text: &'a str,
        location: Option<Location>,
    ) -> Self {
        Remark {
            relation,
            whose,
            text,
            location,
            endpoints: endpoint_mentions(text)
                .into_iter()
                .filter_map(|named| shape(&named).map(|shape| (named, shape)))
                .collect(),
            claims: contract_claims(text),
        }
    }
}

/// What an entity column's `contract_mapping:` names.
struct Claimed<'a> {
    entity: &'a Entity,
    column: &'a EntityColumn,
    written: &'a ContractMapping,
    /// Its `Dto.field` words.
    dotted: Vec<(String, String)>,
}

/// The fields of a DTO one entity's `contract_mapping:` strings claim.
struct Tally<'a> {
    entity: &'a Entity,
    fields: BTreeSet<String>,
    mappings: Vec<FieldMapping>,
    first: Option<Location>,
}

/// Everything inference reads, prepared once per run.
struct Evidences<'a> {
    remarks: Vec<Remark<'a>>,
    claimed: Vec<Claimed<'a>>,
    /// The catalog read models are checked against: the specs', else the database's.
    catalog: Option<&'a Catalog>,
}

impl<'a> Evidences<'a> {
    fn read(
        mapping: Option<&'a Mapping>,
        specs: Option<Specs<'a>>,
        live: Option<&'a Catalog>,
    ) -> Self {
        let mut remarks = Vec::new();
        let sides = [
            (specs.map(|specs| specs.catalog), "the specs'"),
            (live, "the database's"),
        ];
        for (catalog, whose) in sides {
            for relation in catalog
                .into_iter()
                .flat_map(|catalog| catalog.relations.values())
            {
                if let Some(comment) = &relation.comment {
                    let at = relation.location.clone();
                    remarks.push(Remark::new(relation, Some(whose), comment, at));
                }
            }
        }
        if let Some(specs) = specs {
            let mut relations_per_file: BTreeMap<&str, Vec<&Relation>> = BTreeMap::new();
            for relation in specs.catalog.relations.values() {
                if let Some(at) = &relation.location {
                    relations_per_file
                        .entry(&*at.path)
                        .or_default()
                        .push(relation);
                }
            }
            for block in specs.comments {
                let attributed = block
                    .relation
                    .as_ref()
                    .and_then(|name| specs.catalog.relations.get(name));
                // A file that creates one relation lends it all its blocks.
                let only = relations_per_file
                    .get(&*block.location.path)
                    .filter(|relations| relations.len() == 1)
                    .map(|relations| relations[0]);
                if let Some(relation) = attributed.or(only) {
                    let at = Some(block.location.clone());
                    remarks.push(Remark::new(relation, None, &block.text, at));
                }
            }
        }
        let claimed = mapping
            .into_iter()
            .flat_map(|mapping| &mapping.entities)
            .flat_map(|entity| entity.columns.iter().map(move |column| (entity, column)))
            .filter_map(|(entity, column)| {
                let written = column.contract_mapping.as_ref()?;
                Some(Claimed {
                    entity,
                    column,
                    written,
                    dotted: dotted_names(&written.text),
                })
            })
            .collect();
        Evidences {
            remarks,
            claimed,
            catalog: specs.map(|specs| specs.catalog).or(live),
        }
    }

    /// Evidence of kind 1: relation comments naming the endpoint.
    fn relation_comments(&self, key: &str, wanted: &Shape) -> Vec<Evidence> {
        let mut found: Vec<Evidence> = Vec::new();
        for remark in &self.remarks {
            let Some(whose) = remark.whose else {
                continue;
            };
            let Some((named, _)) = remark.endpoints.iter().find(|(_, named)| named == wanted)
            else {
                continue;
            };
            if found
                .iter()
                .any(|evidence| evidence.relation == remark.relation.name)
            {
                continue;
            }
            let place = remark
                .location
                .as_ref()
                .map_or_else(String::new, |at| format!(" (created at {at})"));
            found.push(Evidence {
                relation: remark.relation.name.clone(),
                description: format!(
                    "{whose} comment on {} {}{place} names {}",
                    remark.relation.kind.describe(),
                    remark.relation.name,
                    as_named(named, key)
                ),
                location: remark.location.clone(),
                fields: Vec::new(),
            });
        }
        found
    }

    /// Evidence of kind 2: spec comment blocks naming the endpoint, its DTO, or a
    /// contract file range that holds either.
    fn spec_comments(
        &self,
        key: &str,
        wanted: &Shape,
        endpoint: &Endpoint,
        dto: &Dto,
    ) -> Vec<Evidence> {
        let places: Vec<&Location> = [endpoint.location.as_ref(), dto.location.as_ref()]
            .into_iter()
            .flatten()
            .collect();
        let mut found: Vec<Evidence> = Vec::new();
        for remark in self.remarks.iter().filter(|remark| remark.whose.is_none()) {
            let named_endpoint = remark.endpoints.iter().find(|(_, named)| named == wanted);
            let names_dto = mentions_word(remark.text, &dto.name);
            let range_holds = remark.claims.iter().any(|claim| {
                claim.lines.is_some_and(|(first, last)| {
                    places.iter().any(|at| {
                        same_file(&claim.file, &at.path) && (first..=last).contains(&at.line)
                    })
                })
            });
            let already = found
                .iter()
                .any(|evidence| evidence.relation == remark.relation.name);
            if already || !(named_endpoint.is_some() || names_dto || range_holds) {
                continue;
            }
            let what = if let Some((named, _)) = named_endpoint {
                as_named(named, key)
            } else if names_dto {
                format!("{}, the response of {key}", dto.name)
            } else {
                format!("the contract lines of {key}")
            };
            let at = remark
                .location
                .as_ref()
                .map_or_else(String::new, |at| format!(" at {at}"));
            found.push(Evidence {
                relation: remark.relation.name.clone(),
                description: format!(
                    "the comment{at} above {} {} names {what}",
                    remark.relation.kind.describe(),
                    remark.relation.name
                ),
                location: remark.location.clone(),
                fields: Vec::new(),
            });
        }
        found
    }

    /// Evidence of kind 3: the entity whose `contract_mapping:` strings claim the most
    /// fields of the DTO (the first in mapping order on a tie).
    fn contract_mappings(&self, endpoint: &Endpoint, dto: &Dto) -> Vec<Evidence> {
        let contract_files: Vec<&str> = [endpoint.location.as_ref(), dto.location.as_ref()]
            .into_iter()
            .flatten()
            .map(|at| &*at.path)
            .collect();
        let mut tallies: Vec<Tally> = Vec::new();
        for claimed in &self.claimed {
            let table = &claimed.entity.table;
            if self
                .catalog
                .is_some_and(|catalog| !catalog.relations.contains_key(table))
            {
                continue;
            }
            let mut pairs: Vec<(String, String)> = claimed
                .dotted
                .iter()
                .filter(|(named, field)| named == &dto.name && dto.schema.property(field).is_some())
                .map(|(_, field)| (field.clone(), claimed.column.name.clone()))
                .collect();
            for claim in &claimed.written.claims {
                let Some(field) = &claim.field else {
                    continue;
                };
                let in_contract = contract_files
                    .iter()
                    .any(|path| same_file(&claim.file, path));
                if in_contract && dto.schema.property(field).is_some() {
                    let serving = claim
                        .column
                        .clone()
                        .unwrap_or_else(|| claimed.column.name.clone());
                    pairs.push((field.clone(), serving));
                }
            }
            if pairs.is_empty() {
                continue;
            }
            let position = tallies
                .iter()
                .position(|tally| std::ptr::eq(tally.entity, claimed.entity))
                .unwrap_or_else(|| {
                    tallies.push(Tally {
                        entity: claimed.entity,
                        fields: BTreeSet::new(),
                        mappings: Vec::new(),
                        first: None,
                    });
                    tallies.len() - 1
                });
            let tally = &mut tallies[position];
            for (field, serving) in pairs {
                if !tally.fields.insert(field.clone()) {
                    continue;
                }
                tally.first = tally
                    .first
                    .take()
                    .or_else(|| claimed.written.location.clone());
                if field != serving {
                    tally.mappings.push(FieldMapping {
                        field,
                        column: serving,
                        note: Some(format!(
                            "inferred from contract_mapping: {}",
                            claimed.written.text
                        )),
                        location: claimed.written.location.clone(),
                    });
                }
            }
        }
        let mut best: Option<Tally> = None;
        for tally in tallies {
            if best
                .as_ref()
                .is_none_or(|best| tally.fields.len() > best.fields.len())
            {
                best = Some(tally);
            }
        }
        best.map(|tally| {
            let place = tally
                .first
                .as_ref()
                .map_or_else(String::new, |at| format!(" (first at {at})"));
            Evidence {
                relation: tally.entity.table.clone(),
                description: format!(
                    "contract_mapping: strings of entity {:?}{place} claim {} of the {} fields of {}",
                    tally.entity.key,
                    tally.fields.len(),
                    dto.schema.properties.len(),
                    dto.name
                ),
                location: tally.first.or_else(|| tally.entity.location.clone()),
                fields: tally.mappings,
            }
        })
        .into_iter()
        .collect()
    }
}

/// The `Dto.field` words of a text.
fn dotted_names(text: &str) -> Vec<(String, String)> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter_map(|word| {
            let (dto, field) = word.trim_end_matches('.').split_once('.')?;
            (is_identifier(dto) && is_identifier(field))
                .then(|| (dto.to_string(), field.to_string()))
        })
        .collect()
}

/// DTO names given in parentheses (`-- Contract Mapping: …(DtoName)`) in what is said
/// about a read model's relation that are not the endpoint's response DTO: pgparity
/// uses the endpoint's own DTO and says so, once per name.
fn stale_names(
    said: &[(&str, Option<&Location>)],
    key: &str,
    dto: &Dto,
    contracts: &ContractSet,
) -> Vec<InferenceProblem> {
    let mut problems: Vec<InferenceProblem> = Vec::new();
    for (text, location) in said {
        for name in dto_names_in(text) {
            if name == dto.name || problems.iter().any(|problem| problem.name == name) {
                continue;
            }
            let message = match contracts.dto(&name) {
                None => format!(
                    "the evidence for the read model of {key} names DTO {name}, which the \
                     contracts do not define (renamed?); {key} responds with {}, which is \
                     checked instead",
                    dto.name
                ),
                Some(other) => format!(
                    "the evidence for the read model of {key} names DTO {}, but {key} responds \
                     with {}, which is checked instead",
                    other.name, dto.name
                ),
            };
            problems.push(InferenceProblem {
                name,
                message,
                location: location.cloned(),
            });
        }
    }
    problems
}

/// Type names written in parentheses: `(RealtimeRevenueResponse)`.
fn dto_names_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for piece in text.split('(').skip(1) {
        let Some((inside, _)) = piece.split_once(')') else {
            continue;
        };
        let inside = inside.trim().trim_matches('`');
        let looks_like_a_type = inside.chars().next().is_some_and(char::is_uppercase)
            && inside.chars().any(char::is_lowercase);
        if looks_like_a_type && is_identifier(inside) && !names.iter().any(|seen| seen == inside) {
            names.push(inside.to_string());
        }
    }
    names
}

/// The endpoint as the evidence names it, and the contract's spelling when that differs
/// (`GET /api/v1/orders, taken as GET /api/orders`).
fn as_named(named: &str, key: &str) -> String {
    if named == key {
        key.to_string()
    } else {
        format!("{named}, taken as {key}")
    }
}

/// Whether `word` occurs in `text` not inside a longer identifier.
fn mentions_word(text: &str, word: &str) -> bool {
    let is_word_char = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

/// Whether two `METHOD /path` texts name the same endpoint: path parameters of any
/// spelling (`{id}`, `:id`) match, and `/v<n>` segments are ignored.
pub fn same_endpoint(a: &str, b: &str) -> bool {
    shape(a).is_some_and(|a| Some(a) == shape(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_match_across_query_strings_versions_and_parameter_spellings() {
        assert!(same_endpoint("GET /api/x", "get /api/x?tenant_id=1"));
        assert!(same_endpoint("GET /v1/api/x", "GET /api/x"));
        assert!(same_endpoint(
            "GET /api/v2/orders/{id}",
            "GET /api/orders/:order_id"
        ));
        assert!(!same_endpoint("GET /api/x", "POST /api/x"));
        assert!(!same_endpoint("GET /api/x", "GET /api/y"));
        assert!(!same_endpoint("GET /api/vip", "GET /api"));
    }

    #[test]
    fn files_match_by_path_suffix() {
        assert!(same_file(
            "api-contracts/openapi/v1/a.yaml",
            "./api-contracts/openapi/v1/a.yaml"
        ));
        assert!(same_file("../contracts/a.yaml", "contracts/a.yaml"));
        assert!(!same_file("b/a.yaml", "c/a.yaml"));
        assert!(!same_file("aa.yaml", "a.yaml"));
    }

    #[test]
    fn type_names_in_parentheses_are_read_and_prose_is_not() {
        assert_eq!(
            dto_names_in(
                "Contract Mapping: api/x.yaml:3-9 (OrderSummaryResponse) (see notes) (id)"
            ),
            ["OrderSummaryResponse"]
        );
        assert!(mentions_word("serves Foo.bar here", "Foo.bar"));
        assert!(!mentions_word("serves Foo.barista", "Foo.bar"));
    }
}
