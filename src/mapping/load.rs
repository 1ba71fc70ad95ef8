//! From a validated mapping document to [`Mapping`]: names qualified, types canonical,
//! paths resolved, every item with its location.

use super::claims::contract_claims;
use super::error::MappingError;
use super::markdown::parse_markdown_plan;
use super::model::*;
use super::plan::{fill_forms, plan_key};
use super::schema::validate;
use crate::input::{read_text, InputLimits};
use crate::model::{display_path, Location, QualifiedName, SqlType};
use crate::yaml::{escape_pointer_segment, read_yaml_value, SpanIndex};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Loads a mapping file (format version 1; `version:` may be absent) and, when it names
/// one, its Markdown index plan, whose entries come after the YAML ones (entries of the
/// plan that cannot be read are [`Mapping::plan_problems`]). Unqualified names get
/// `default_schema`; relative paths are resolved against the mapping file's folder. Both
/// files are read within `limits` (regular files only, see [`crate::input`]).
pub fn load_mapping(
    path: &Path,
    default_schema: &str,
    limits: InputLimits,
) -> Result<Mapping, MappingError> {
    let label = display_path(path);
    let text = read_text(path, "mapping", limits)?;
    let (document, spans) = read_yaml_value(&label, &text).map_err(MappingError::Yaml)?;
    let diagnostics = validate(&document, &spans, &label);
    if !diagnostics.is_empty() {
        return Err(MappingError::Invalid(diagnostics));
    }
    let folder = path.parent().unwrap_or(Path::new(""));
    let builder = Builder {
        document: &document,
        spans: &spans,
        default_schema,
    };
    let mut mapping = builder.build(&label, folder);
    mapping.index_plan_markdown = document
        .get("index_plan_markdown")
        .and_then(Value::as_str)
        .map(|relative| resolve(folder, relative));
    if let Some(markdown_path) = &mapping.index_plan_markdown {
        let markdown_label = display_path(markdown_path);
        let markdown = read_text(markdown_path, "Markdown index plan", limits)?;
        let plan = parse_markdown_plan(&markdown_label, &markdown, default_schema);
        mapping.index_plan.extend(plan.entries);
        mapping.plan_problems.extend(plan.problems);
    }
    Ok(mapping)
}

/// Loads an index plan file: Markdown (`.md`, `.markdown`) in the shape of
/// [`parse_markdown_plan`], or YAML (`.yaml`, `.yml`) holding `index_plan:` (and
/// optionally `queries:`) as the mapping does, or a bare list of plan entries. Entries
/// that break the format are [`PlanFile::problems`], not errors: only a file that
/// cannot be read, is not YAML, or has another extension is.
pub fn load_index_plan(
    path: &Path,
    default_schema: &str,
    limits: InputLimits,
) -> Result<PlanFile, MappingError> {
    let label = display_path(path);
    let extension = path
        .extension()
        .and_then(|extension| extension.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "md" | "markdown" => {
            let text = read_text(path, "Markdown index plan", limits)?;
            Ok(parse_markdown_plan(&label, &text, default_schema))
        }
        "yaml" | "yml" => {
            let text = read_text(path, "index plan", limits)?;
            let (document, spans) = read_yaml_value(&label, &text).map_err(MappingError::Yaml)?;
            Ok(yaml_plan(&label, document, &spans, default_schema))
        }
        _ => Err(MappingError::UnknownPlanFormat { path: label }),
    }
}

/// The entries of a YAML plan document; entries that do not follow the plan entry
/// format become problems at their place.
fn yaml_plan(label: &str, document: Value, spans: &SpanIndex, default_schema: &str) -> PlanFile {
    let (document, spans) = match document {
        Value::Array(_) => (
            Value::Object(Map::from_iter([("index_plan".to_string(), document)])),
            spans.nested_under("index_plan"),
        ),
        other => (other, spans.clone()),
    };
    let mut plan = PlanFile {
        path: label.to_string(),
        ..PlanFile::default()
    };
    let mut broken = BTreeSet::new();
    for diagnostic in validate(&document, &spans, label) {
        let entry = diagnostic
            .key_path
            .strip_prefix("index_plan[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(position, _)| position.parse::<usize>().ok());
        let name = entry
            .and_then(|position| document.pointer(&format!("/index_plan/{position}/index")))
            .and_then(Value::as_str)
            .map_or_else(|| diagnostic.key_path.clone(), str::to_string);
        if let Some(position) = entry {
            broken.insert(position);
        }
        plan.problems.push(PlanProblem {
            location: diagnostic.location,
            entry: name,
            message: format!("{}: {}", diagnostic.key_path, diagnostic.message),
        });
    }
    let builder = Builder {
        document: &document,
        spans: &spans,
        default_schema,
    };
    plan.entries = builder.index_plan(&broken);
    plan.queries = builder.queries();
    plan.problems.sort();
    plan
}

/// `folder/relative`, lexically normalized; absolute paths stay as they are.
fn resolve(folder: &Path, relative: &str) -> PathBuf {
    PathBuf::from(display_path(&folder.join(relative)))
}

/// Reads the (already validated) document; shapes the schema rules out are skipped
/// rather than trusted, so nothing here can fail.
struct Builder<'a> {
    document: &'a Value,
    spans: &'a SpanIndex,
    default_schema: &'a str,
}

impl Builder<'_> {
    fn build(&self, label: &str, folder: &Path) -> Mapping {
        Mapping {
            path: label.to_string(),
            contracts: strings(self.document.get("contracts"))
                .iter()
                .map(|relative| resolve(folder, relative))
                .collect(),
            tenancy: self.tenancy(),
            read_models: self.read_models(),
            entities: self.entities(),
            queries: self.queries(),
            index_plan: self.index_plan(&BTreeSet::new()),
            index_plan_markdown: None,
            plan_problems: Vec::new(),
            type_compat: self.type_compat(),
            invariants: self.invariants(),
            immutable: self.immutable(),
        }
    }

    fn value_at(&self, pointer: &str) -> Option<Location> {
        self.spans.value(pointer)
    }

    fn key_at(&self, pointer: &str) -> Option<Location> {
        self.spans
            .key(pointer)
            .or_else(|| self.spans.value(pointer))
    }

    fn name(&self, text: &str) -> QualifiedName {
        QualifiedName::parse(text, self.default_schema)
    }

    fn tenancy(&self) -> Option<Tenancy> {
        let tenancy = self.document.get("tenancy")?;
        Some(Tenancy {
            column: text(tenancy, "column").unwrap_or_default(),
            require_rls: tenancy
                .get("require_rls")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            exempt: strings(tenancy.get("exempt"))
                .iter()
                .map(|relation| self.name(relation))
                .collect(),
            role: text(tenancy, "role"),
            setting: text(tenancy, "setting"),
            location: self.key_at("/tenancy"),
        })
    }

    fn read_models(&self) -> Vec<ReadModel> {
        items(self.document, "read_models")
            .map(|(pointer, item)| ReadModel {
                endpoint: text(item, "endpoint"),
                dto: text(item, "dto"),
                relation: self.name(&text(item, "relation").unwrap_or_default()),
                fields: self.fields(&pointer, item.get("fields")),
                location: self.value_at(&pointer),
                inferred: None,
            })
            .collect()
    }

    fn fields(&self, read_model: &str, fields: Option<&Value>) -> Vec<FieldMapping> {
        entries(fields)
            .filter_map(|(field, value)| {
                let (column, note) = match value {
                    Value::String(column) => (column.clone(), None),
                    Value::Object(_) => (text(value, "column")?, text(value, "note")),
                    _ => return None,
                };
                let pointer = format!("{read_model}/fields/{}", escape_pointer_segment(field));
                Some(FieldMapping {
                    field: field.clone(),
                    column,
                    note,
                    location: self.key_at(&pointer),
                })
            })
            .collect()
    }

    fn entities(&self) -> Vec<Entity> {
        entries(self.document.get("entities"))
            .map(|(key, entity)| {
                let pointer = format!("/entities/{}", escape_pointer_segment(key));
                let table = text(entity, "table").unwrap_or_else(|| key.clone());
                Entity {
                    key: key.clone(),
                    table: self.name(&table),
                    columns: self.entity_columns(&pointer, entity.get("columns")),
                    location: self.key_at(&pointer),
                }
            })
            .collect()
    }

    fn entity_columns(&self, entity: &str, columns: Option<&Value>) -> Vec<EntityColumn> {
        match columns {
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .filter_map(|(position, column)| {
                    let pointer = format!("{entity}/columns/{position}");
                    Some(self.declared_column(text(column, "name")?, column, &pointer, false))
                })
                .collect(),
            Some(Value::Object(by_name)) => by_name
                .iter()
                .map(|(name, column)| {
                    let pointer = format!("{entity}/columns/{}", escape_pointer_segment(name));
                    match column {
                        Value::String(type_text) => EntityColumn {
                            name: name.clone(),
                            data_type: Some(SqlType::parse(type_text)),
                            type_text: Some(type_text.clone()),
                            nullable: None,
                            location: self.key_at(&pointer),
                            contract_mapping: None,
                        },
                        _ => self.declared_column(name.clone(), column, &pointer, true),
                    }
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A declared column at `pointer`: the list item (`keyed` false) or the map entry
    /// keyed by its name.
    fn declared_column(
        &self,
        name: String,
        column: &Value,
        pointer: &str,
        keyed: bool,
    ) -> EntityColumn {
        let type_text = text(column, "type");
        let contract_mapping = text(column, "contract_mapping").map(|written| ContractMapping {
            claims: contract_claims(&written),
            location: self.value_at(&format!("{pointer}/contract_mapping")),
            text: written,
        });
        EntityColumn {
            name,
            data_type: type_text.as_deref().map(SqlType::parse),
            type_text,
            nullable: column.get("nullable").and_then(Value::as_bool),
            location: if keyed {
                self.key_at(pointer)
            } else {
                self.value_at(pointer)
            },
            contract_mapping,
        }
    }

    fn queries(&self) -> Vec<NamedQuery> {
        items(self.document, "queries")
            .filter_map(|(pointer, query)| {
                Some(NamedQuery {
                    name: text(query, "name")?,
                    description: text(query, "description"),
                    location: self.value_at(&pointer),
                })
            })
            .collect()
    }

    /// The `index_plan:` entries, but for those at the positions in `skip`.
    fn index_plan(&self, skip: &BTreeSet<usize>) -> Vec<PlanEntry> {
        let mut entries: Vec<PlanEntry> = items(self.document, "index_plan")
            .enumerate()
            .filter(|(position, _)| !skip.contains(position))
            .map(|(_, (pointer, entry))| {
                let table = self.name(&text(entry, "table").unwrap_or_default());
                PlanEntry {
                    index: QualifiedName::parse(
                        &text(entry, "index").unwrap_or_default(),
                        &table.schema,
                    ),
                    table,
                    columns: strings(entry.get("columns"))
                        .iter()
                        .map(|column| plan_key(column))
                        .collect(),
                    unique: entry.get("unique").and_then(Value::as_bool),
                    method: text(entry, "method"),
                    predicate: text(entry, "where")
                        .map(|predicate| predicate_only(&predicate).into()),
                    include: strings(entry.get("include")),
                    query_paths: strings(entry.get("query_paths")),
                    status: match entry.get("status").and_then(Value::as_str) {
                        Some("future") => PlanStatus::Future,
                        _ => PlanStatus::Active,
                    },
                    location: self.value_at(&pointer),
                }
            })
            .collect();
        fill_forms(&mut entries);
        entries
    }

    fn type_compat(&self) -> Vec<TypeCompat> {
        items(self.document, "type_compat")
            .filter_map(|(pointer, entry)| {
                let json = entry.get("json")?;
                Some(TypeCompat {
                    json_type: text(json, "type")?,
                    format: text(json, "format"),
                    postgres: strings(entry.get("postgres"))
                        .iter()
                        .map(|spelling| SqlType::parse(spelling))
                        .collect(),
                    location: self.value_at(&pointer),
                })
            })
            .collect()
    }
}

impl Builder<'_> {
    fn invariants(&self) -> Vec<Invariant> {
        items(self.document, "invariants")
            .map(|(pointer, entry)| Invariant {
                name: text(entry, "name").unwrap_or_default(),
                description: text(entry, "description"),
                violations: text(entry, "violations"),
                key: strings(entry.get("key")),
                must_reject: entry
                    .get("must_reject")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .filter_map(|(position, statement)| {
                        Some(MustReject {
                            sql: text(statement, "sql")?,
                            sqlstate: text(statement, "sqlstate"),
                            location: self.value_at(&format!("{pointer}/must_reject/{position}")),
                        })
                    })
                    .collect(),
                location: self.value_at(&pointer),
            })
            .collect()
    }

    fn immutable(&self) -> Vec<Immutable> {
        items(self.document, "immutable")
            .map(|(pointer, entry)| Immutable {
                table: self.name(&text(entry, "table").unwrap_or_default()),
                roles: strings(entry.get("roles")),
                location: self.value_at(&pointer),
            })
            .collect()
    }
}

/// `WHERE x IS NOT NULL` → `x IS NOT NULL`: the keyword is tolerated, not kept.
fn predicate_only(written: &str) -> String {
    let trimmed = written.trim();
    match trimmed.get(..6) {
        Some(keyword) if keyword.eq_ignore_ascii_case("where ") => trimmed[6..].trim().to_string(),
        _ => trimmed.to_string(),
    }
}

fn text(object: &Value, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::to_string)
}

fn strings(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The items of the top-level list `section`, each with its JSON pointer.
fn items<'a>(document: &'a Value, section: &str) -> impl Iterator<Item = (String, &'a Value)> {
    let section_pointer = format!("/{section}");
    document
        .get(section)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(position, item)| (format!("{section_pointer}/{position}"), item))
}

fn entries(map: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
    map.and_then(Value::as_object)
        .into_iter()
        .flat_map(Map::iter)
}
