//! Read models the mapping does not declare, inferred from what a project already says:
//! a relation's comment naming an endpoint, a spec-file comment naming the endpoint or
//! its DTO, or the mapping's `contract_mapping:` strings. Every inferred read model
//! carries its evidence (what, and at which file:line), so a finding about it can say
//! why pgparity believes the relation serves the endpoint.

use super::claims::{contract_claims, endpoint_mentions, is_identifier};
use super::model::{FieldMapping, Inference, Mapping, ReadModel};
use crate::contracts::{ContractSet, Dto, Endpoint};
use crate::model::{Catalog, Location, QualifiedName, Relation, RelationKind, SpecComment, Specs};
use std::collections::BTreeSet;

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

/// One piece of evidence that `relation` serves an endpoint.
#[derive(Debug, Clone)]
struct Evidence {
    /// The relation.
    pub relation: QualifiedName,
    /// The evidence in words, with its place.
    pub description: String,
    /// Where it is.
    pub location: Option<Location>,
    /// The text the evidence was read from (for the names it mentions).
    text: String,
    /// Field → column mappings it states (from `contract_mapping:` claims).
    fields: Vec<FieldMapping>,
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
/// materialized views come before tables, then relations by name.
pub fn infer_read_models(
    contracts: &ContractSet,
    mapping: Option<&Mapping>,
    specs: Option<Specs<'_>>,
    live: Option<&Catalog>,
) -> Inferred {
    let assigned = assigned_endpoints(contracts, mapping);
    let catalog = specs.map(|specs| specs.catalog).or(live);
    let mut inferred = Inferred::default();
    for (key, endpoint) in &contracts.endpoints {
        let Some(dto) = endpoint
            .dto
            .as_deref()
            .and_then(|dto| contracts.dtos.get(dto))
        else {
            continue;
        };
        if assigned.iter().any(|taken| same_endpoint(taken, key)) {
            continue;
        }
        let Some(mut found) = relation_comments(key, specs, live)
            .or_else(|| spec_comments(key, endpoint, dto, specs))
            .or_else(|| contract_mappings(dto, endpoint, mapping, catalog))
        else {
            continue;
        };
        found.sort_by_key(|evidence| {
            let kind = catalog
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
        let said = what_is_said_about(&chosen, specs, live);
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

/// Evidence of kind 1: relation comments naming the endpoint.
fn relation_comments(
    key: &str,
    specs: Option<Specs<'_>>,
    live: Option<&Catalog>,
) -> Option<Vec<Evidence>> {
    let mut found = Vec::new();
    let sides = [
        (specs.map(|specs| specs.catalog), "the specs'"),
        (live, "the database's"),
    ];
    for (catalog, whose) in sides {
        for relation in catalog
            .into_iter()
            .flat_map(|catalog| catalog.relations.values())
        {
            let Some(comment) = &relation.comment else {
                continue;
            };
            if found
                .iter()
                .any(|evidence: &Evidence| evidence.relation == relation.name)
            {
                continue;
            }
            if let Some(named) = endpoint_mentions(comment)
                .into_iter()
                .find(|named| same_endpoint(named, key))
            {
                let place = relation
                    .location
                    .as_ref()
                    .map_or_else(String::new, |at| format!(" (created at {at})"));
                found.push(Evidence {
                    relation: relation.name.clone(),
                    description: format!(
                        "{whose} comment on {} {}{place} names {}",
                        relation.kind.describe(),
                        relation.name,
                        as_named(&named, key)
                    ),
                    location: relation.location.clone(),
                    text: comment.clone(),
                    fields: Vec::new(),
                });
            }
        }
    }
    (!found.is_empty()).then_some(found)
}

/// Evidence of kind 2: spec-file comment blocks naming the endpoint, its DTO, or a
/// contract file range that holds either.
fn spec_comments(
    key: &str,
    endpoint: &Endpoint,
    dto: &Dto,
    specs: Option<Specs<'_>>,
) -> Option<Vec<Evidence>> {
    let specs = specs?;
    let mut found: Vec<Evidence> = Vec::new();
    for relation in specs.catalog.relations.values() {
        for block in blocks_of(relation, specs) {
            let named_endpoint = endpoint_mentions(&block.text)
                .into_iter()
                .find(|named| same_endpoint(named, key));
            let names_endpoint = named_endpoint.is_some();
            let names_dto = mentions_word(&block.text, &dto.name);
            let range_holds = contract_claims(&block.text).iter().any(|claim| {
                claim.lines.is_some_and(|(first, last)| {
                    [endpoint.location.as_ref(), dto.location.as_ref()]
                        .into_iter()
                        .flatten()
                        .any(|at| {
                            same_file(&claim.file, &at.path) && (first..=last).contains(&at.line)
                        })
                })
            });
            if !(names_endpoint || names_dto || range_holds) {
                continue;
            }
            if found
                .iter()
                .any(|evidence| evidence.relation == relation.name)
            {
                continue;
            }
            let what = if let Some(named) = &named_endpoint {
                as_named(named, key)
            } else if names_dto {
                format!("{}, the response of {key}", dto.name)
            } else {
                format!("the contract lines of {key}")
            };
            found.push(Evidence {
                relation: relation.name.clone(),
                description: format!(
                    "the comment at {} above {} {} names {what}",
                    block.location,
                    relation.kind.describe(),
                    relation.name
                ),
                location: Some(block.location.clone()),
                text: block.text.clone(),
                fields: Vec::new(),
            });
        }
    }
    (!found.is_empty()).then_some(found)
}

/// The comment blocks that speak for `relation`: those right before the statement that
/// creates it, and every block of its file when the file creates no other relation.
fn blocks_of<'s>(relation: &Relation, specs: Specs<'s>) -> Vec<&'s SpecComment> {
    let Some(file) = relation.location.as_ref().map(|at| at.path.as_str()) else {
        return Vec::new();
    };
    let only_relation_of_its_file = specs
        .catalog
        .relations
        .values()
        .filter(|other| other.location.as_ref().is_some_and(|at| at.path == file))
        .count()
        == 1;
    specs
        .comments
        .iter()
        .filter(|block| {
            block.relation.as_ref() == Some(&relation.name)
                || (only_relation_of_its_file && block.location.path == file)
        })
        .collect()
}

/// Evidence of kind 3: the entity whose `contract_mapping:` strings claim the most fields
/// of the DTO.
fn contract_mappings(
    dto: &Dto,
    endpoint: &Endpoint,
    mapping: Option<&Mapping>,
    catalog: Option<&Catalog>,
) -> Option<Vec<Evidence>> {
    let mapping = mapping?;
    let contract_files: Vec<&str> = [endpoint.location.as_ref(), dto.location.as_ref()]
        .into_iter()
        .flatten()
        .map(|at| at.path.as_str())
        .collect();
    let mut best: Option<(usize, Evidence)> = None;
    for entity in &mapping.entities {
        if catalog.is_some_and(|catalog| !catalog.relations.contains_key(&entity.table)) {
            continue;
        }
        let mut claimed = BTreeSet::new();
        let mut fields = Vec::new();
        let mut first_location = None;
        for column in &entity.columns {
            let Some(written) = &column.contract_mapping else {
                continue;
            };
            let mut column_claims: Vec<(String, String)> = dto
                .schema
                .properties
                .iter()
                .filter(|(field, _)| mentions_word(&written.text, &format!("{}.{field}", dto.name)))
                .map(|(field, _)| (field.clone(), column.name.clone()))
                .collect();
            for claim in &written.claims {
                let Some(field) = &claim.field else {
                    continue;
                };
                let in_contract = contract_files
                    .iter()
                    .any(|path| same_file(&claim.file, path));
                if in_contract && dto.schema.property(field).is_some() {
                    let serving = claim.column.clone().unwrap_or_else(|| column.name.clone());
                    column_claims.push((field.clone(), serving));
                }
            }
            for (field, serving) in column_claims {
                if !claimed.insert(field.clone()) {
                    continue;
                }
                first_location = first_location.or_else(|| written.location.clone());
                if field != serving {
                    fields.push(FieldMapping {
                        field,
                        column: serving,
                        note: Some(format!("inferred from contract_mapping: {}", written.text)),
                        location: written.location.clone(),
                    });
                }
            }
        }
        if claimed.is_empty()
            || best
                .as_ref()
                .is_some_and(|(count, _)| *count >= claimed.len())
        {
            continue;
        }
        let place = first_location
            .as_ref()
            .map_or_else(String::new, |at| format!(" (first at {at})"));
        best = Some((
            claimed.len(),
            Evidence {
                relation: entity.table.clone(),
                description: format!(
                    "contract_mapping: strings of entity {:?}{place} claim {} of the {} fields of {}",
                    entity.key,
                    claimed.len(),
                    dto.schema.properties.len(),
                    dto.name
                ),
                location: first_location.or_else(|| entity.location.clone()),
                text: String::new(),
                fields,
            },
        ));
    }
    best.map(|(_, evidence)| vec![evidence])
}

/// Everything the project says about the chosen relation, with where it says it: the
/// evidence itself, the relation's comments (specs and database) and the spec comment
/// blocks that speak for it.
fn what_is_said_about(
    chosen: &Evidence,
    specs: Option<Specs<'_>>,
    live: Option<&Catalog>,
) -> Vec<(String, Option<Location>)> {
    let mut said = vec![(chosen.text.clone(), chosen.location.clone())];
    let spec_relation = specs.and_then(|specs| specs.catalog.relations.get(&chosen.relation));
    let live_relation = live.and_then(|live| live.relations.get(&chosen.relation));
    for relation in spec_relation.into_iter().chain(live_relation) {
        if let Some(comment) = &relation.comment {
            said.push((comment.clone(), relation.location.clone()));
        }
    }
    if let (Some(specs), Some(relation)) = (specs, spec_relation) {
        for block in blocks_of(relation, specs) {
            said.push((block.text.clone(), Some(block.location.clone())));
        }
    }
    said
}

/// DTO names given in parentheses (`-- Contract Mapping: …(DtoName)`) in what is said
/// about a read model's relation that are not the endpoint's response DTO: pgparity
/// uses the endpoint's own DTO and says so, once per name.
fn stale_names(
    said: &[(String, Option<Location>)],
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
                location: location.clone(),
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
    fn shape(endpoint: &str) -> Option<(String, Vec<String>)> {
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
        Some((method.to_ascii_uppercase(), segments))
    }
    shape(a).is_some() && shape(a) == shape(b)
}

/// Whether a file named in free text (`api-contracts/openapi/v1/a.yaml`) is the
/// document shown as `shown` (`./api-contracts/openapi/v1/a.yaml`): equal, or one is a
/// path suffix of the other, `./` and `../` steps aside.
pub fn same_file(written: &str, shown: &str) -> bool {
    fn clean(path: &str) -> Vec<&str> {
        path.split('/')
            .filter(|part| !part.is_empty() && *part != "." && *part != "..")
            .collect()
    }
    let (written, shown) = (clean(written), clean(shown));
    !written.is_empty()
        && !shown.is_empty()
        && (shown.ends_with(&written) || written.ends_with(&shown))
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
