//! Loading contract files into a [`ContractSet`]: the DTOs they declare, their
//! endpoints, and lookups of DTOs by name or `file#/pointer`.

use super::model::{ContractProblemKind, ContractSet, Dto, Endpoint, NamedDocument};
use super::resolve::{Expansions, Resolver, Target};
use super::store::{DocumentId, DocumentStore, ReadError, Scope};
use crate::input::{InputError, InputLimits};
use crate::model::display_path;
use crate::yaml::escape_pointer_segment;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A contract path given by the user that cannot be used: the run cannot go on.
#[derive(Debug, thiserror::Error)]
pub enum ContractLoadError {
    /// The path does not exist.
    #[error(
        "contract path {path} does not exist: fix --contracts or the mapping's `contracts:` list"
    )]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// The path is outside the contract roots: it is not read.
    #[error(
        "contract path {path} is outside the project (contract roots: {roots}): move it into \
         the project, or add its folder to `contract_roots` in pgparity.toml"
    )]
    Outside {
        /// The path as given.
        path: String,
        /// The contract roots as configured.
        roots: String,
    },
    /// A contract root does not exist.
    #[error(
        "contract root {root} cannot be used ({reason}): fix `contract_roots` in pgparity.toml"
    )]
    Root {
        /// The root as configured.
        root: String,
        /// What the operating system said.
        reason: std::io::Error,
    },
    /// A folder of contracts cannot be walked (unreadable, or a symlink loop).
    #[error("cannot read the contract folder {path}: {reason}")]
    Folder {
        /// The folder or entry.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A contract folder holds no `.yaml`, `.yml` or `.json` file: nothing in it would be
    /// checked.
    #[error(
        "contract folder {path} holds no .yaml, .yml or .json file: point --contracts or \
         the mapping's `contracts:` list at your OpenAPI or JSON Schema files"
    )]
    EmptyFolder {
        /// The folder as given.
        path: String,
    },
    /// The file cannot be read: not a regular file, too large, not UTF-8.
    #[error(transparent)]
    Unreadable(#[from] InputError),
    /// The file is neither YAML nor JSON.
    #[error("{path}:{line}:{column}: contract file is not valid YAML or JSON: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line of the error (1 when the parser does not say).
        line: u32,
        /// 1-based column of the error (1 when the parser does not say).
        column: u32,
        /// The parser's message.
        message: String,
    },
}

/// What [`ContractSet`] keeps to resolve `file#/pointer` references after loading:
/// the parsed documents, the DTO key of every schema place already expanded, and the
/// shared expansions.
#[derive(Debug, Clone, Default)]
pub(crate) struct Resolution {
    store: DocumentStore,
    keys: BTreeMap<(DocumentId, String), String>,
    expansions: Expansions,
}

/// Where contract files may come from and how large they may be.
#[derive(Debug, Clone)]
pub struct ContractOptions {
    /// Contract files, folders and every `$ref` target must be inside one of these
    /// (after symlinks and `..` are resolved): `contract_roots` in pgparity.toml, else
    /// the folder of pgparity.toml, else the working directory.
    pub roots: Vec<PathBuf>,
    /// The size limit of each file.
    pub limits: InputLimits,
}

impl Default for ContractOptions {
    /// The working directory as the only root, and the default size limit.
    fn default() -> Self {
        ContractOptions {
            roots: vec![PathBuf::from(".")],
            limits: InputLimits::default(),
        }
    }
}

const OPERATION_METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Loads contract files and folders (`.yaml`, `.yml`, `.json`, searched recursively
/// in name order).
///
/// DTOs are every `components.schemas` entry of an OpenAPI document, and every
/// `$defs`/`definitions` entry plus the root schema (when it has a `title` or
/// `properties`; named by its `title`, else its file name) of a plain JSON Schema.
/// When two documents declare the same name, the first (in load order) keeps it,
/// the later one is reachable as `file#/pointer`, and a
/// [`ContractProblemKind::DuplicateName`] problem is recorded.
///
/// Files reached only through `$ref` are read on demand; their problems (missing
/// file, missing pointer, outside the roots, cycles) are recorded in
/// [`ContractSet::problems`]. Only regular files inside `options.roots` are read.
///
/// # Errors
/// A given path that does not exist, is outside the roots, cannot be read, or is not
/// YAML/JSON; a root that does not exist.
pub fn load_contracts(
    paths: &[PathBuf],
    options: &ContractOptions,
) -> Result<ContractSet, ContractLoadError> {
    let scope = Scope::new(&options.roots, options.limits).map_err(|reason| {
        let root = options
            .roots
            .iter()
            .find(|root| std::fs::canonicalize(root).is_err())
            .map_or_else(String::new, |root| display_path(root));
        ContractLoadError::Root { root, reason }
    })?;
    let mut set = ContractSet::default();
    set.resolution.store = DocumentStore::new(scope);
    let mut given = Vec::new();
    for path in paths {
        set.resolution
            .store
            .scope
            .confine(path)
            .map_err(|error| load_error(path, error, &set.resolution.store.scope.shown_roots))?;
        for file in contract_files(path, &set.resolution.store.scope)? {
            let id = set.resolution.store.load(&file).map_err(|error| {
                load_error(&file, error, &set.resolution.store.scope.shown_roots)
            })?;
            if !given.contains(&id) {
                given.push(id);
                set.documents.push(display_path(&file));
            }
        }
    }
    for id in &given {
        if let Some(document) = set.resolution.store.get(*id) {
            set.document_problems
                .extend(super::validate::validate_document(&document));
        }
    }
    let mut registry = Registry::new(&mut set);
    // Declared DTOs first, so that responses referring to them find them by name.
    for id in &given {
        registry.register_declared(*id);
    }
    for id in &given {
        registry.collect_endpoints(*id);
    }
    Ok(set)
}

fn load_error(path: &Path, error: ReadError, roots: &str) -> ContractLoadError {
    let path = display_path(path);
    match error {
        ReadError::Missing(_) => ContractLoadError::NotFound { path },
        ReadError::Outside => ContractLoadError::Outside {
            path,
            roots: roots.to_string(),
        },
        ReadError::Input(error) => ContractLoadError::Unreadable(error),
        ReadError::Syntax(error) => ContractLoadError::Syntax {
            path,
            line: error.location.line,
            column: error.location.column,
            message: error.message,
        },
    }
}

/// The contract files of a path: itself, or for a folder every `.yaml`/`.yml`/`.json`
/// in it and below (symlinks followed, loops refused). Entries that are not regular
/// files (FIFOs, devices) are listed too, so that reading them refuses them by name.
fn contract_files(path: &Path, scope: &Scope) -> Result<Vec<PathBuf>, ContractLoadError> {
    if path.symlink_metadata().is_err() {
        return Err(ContractLoadError::NotFound {
            path: display_path(path),
        });
    }
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|error| ContractLoadError::Folder {
            path: display_path(error.path().unwrap_or(path)),
            reason: error.to_string(),
        })?;
        // A symlink leading out of the project is refused before anything behind it is
        // listed.
        if entry.path_is_symlink() {
            scope
                .confine(entry.path())
                .map_err(|error| load_error(entry.path(), error, &scope.shown_roots))?;
        }
        let is_contract = entry
            .path()
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| {
                ["yaml", "yml", "json"]
                    .iter()
                    .any(|wanted| extension.eq_ignore_ascii_case(wanted))
            });
        if !entry.file_type().is_dir() && is_contract {
            files.push(entry.into_path());
        }
    }
    if files.is_empty() {
        return Err(ContractLoadError::EmptyFolder {
            path: display_path(path),
        });
    }
    Ok(files)
}

impl ContractSet {
    /// The DTO a mapping names: a DTO name (`RealtimeRevenueResponse`), an endpoint's
    /// synthetic DTO name (`GET /x`), or `path#/json/pointer` where `path` is a loaded
    /// document's path or a suffix of it, with or without leading `./` and `../`
    /// (`attribution.yaml#/components/schemas/X`,
    /// `../contracts/attribution.yaml#/components/schemas/X`); a bare document path
    /// means its root schema, and a bare `#/pointer` the first document (given or
    /// referenced, in load order) that has it.
    ///
    /// Only places already expanded while loading are found here (declared DTOs,
    /// response schemas and their `$ref` targets); [`ContractSet::resolve_dto`]
    /// also expands any other schema of a loaded document.
    pub fn dto(&self, reference: &str) -> Option<&Dto> {
        self.dto_key(reference).and_then(|key| self.dtos.get(&key))
    }

    /// Like [`ContractSet::dto`], and when `reference` is a pointer to a schema of a
    /// loaded document that is not a DTO yet, expands it and adds it to
    /// [`ContractSet::dtos`] under its `path#/pointer` name (problems met on the way
    /// join [`ContractSet::problems`]).
    pub fn resolve_dto(&mut self, reference: &str) -> Option<&Dto> {
        if let Some(key) = self.dto_key(reference) {
            return self.dtos.get(&key);
        }
        let candidates = self.resolution.places(reference);
        let mut registry = Registry::new(self);
        let key = candidates.into_iter().find_map(|(id, pointer)| {
            let target = registry.resolver.target(id, &pointer)?;
            let name = target.pointer_form();
            Some(registry.register(&target, &name, false))
        })?;
        self.dtos.get(&key)
    }

    /// The JSON Schema of `dto` as a standalone document (every `$ref` it reaches in
    /// its `$defs`), for validating data with `jsonschema`.
    pub fn json_schema(&self, dto: &Dto) -> Value {
        self.resolution
            .expansions
            .standalone(&dto.schema.json_schema)
    }

    /// The contract document free text names by `written` (`api/openapi/v1/a.yaml`): a
    /// loaded document (given, or reached by `$ref`) whose path is it or ends with it,
    /// `./` and `../` steps aside.
    pub fn document_named(&self, written: &str) -> Option<NamedDocument> {
        self.resolution
            .store
            .all()
            .find(|document| crate::mapping::same_file(written, &document.display))
            .map(|document| NamedDocument {
                document: document.clone(),
            })
    }

    fn dto_key(&self, reference: &str) -> Option<String> {
        if self.dtos.contains_key(reference) {
            return Some(reference.to_string());
        }
        self.resolution
            .places(reference)
            .into_iter()
            .find_map(|place| self.resolution.keys.get(&place).cloned())
    }
}

impl Resolution {
    /// The (document, pointer) places a `path#/pointer` reference may mean.
    fn places(&self, reference: &str) -> Vec<(DocumentId, String)> {
        let (path, pointer) = match reference.split_once('#') {
            Some((path, pointer)) => (path, pointer),
            None if is_contract_file_name(reference) => (reference, ""),
            None => return Vec::new(),
        };
        if !(pointer.is_empty() || pointer.starts_with('/')) {
            return Vec::new();
        }
        // `#/pointer` alone means the first loaded document that has the place.
        let documents = if path.is_empty() {
            (0..self.store.len()).collect()
        } else {
            self.store.matching(path)
        };
        documents
            .into_iter()
            .map(|id| (id, pointer.to_string()))
            .collect()
    }
}

fn is_contract_file_name(reference: &str) -> bool {
    let lowered = reference.to_ascii_lowercase();
    [".yaml", ".yml", ".json"]
        .iter()
        .any(|extension| lowered.ends_with(extension))
}

/// Expands schemas into DTOs and endpoints of one [`ContractSet`].
struct Registry<'a> {
    resolver: Resolver<'a>,
    dtos: &'a mut BTreeMap<String, Dto>,
    endpoints: &'a mut BTreeMap<String, Endpoint>,
    keys: &'a mut BTreeMap<(DocumentId, String), String>,
}

impl<'a> Registry<'a> {
    fn new(set: &'a mut ContractSet) -> Self {
        let ContractSet {
            dtos,
            endpoints,
            problems,
            resolution,
            ..
        } = set;
        Registry {
            resolver: Resolver::new(&mut resolution.store, &mut resolution.expansions, problems),
            dtos,
            endpoints,
            keys: &mut resolution.keys,
        }
    }

    /// The DTO key of the schema at `target`, expanding and adding it under `name`
    /// (or, when `name` is taken, its `path#/pointer` form) the first time.
    /// `declared` says the document itself declares the name, so that losing it to an
    /// earlier document is worth a problem.
    fn register(&mut self, target: &Target, name: &str, declared: bool) -> String {
        let place = (target.id, target.pointer.clone());
        if let Some(key) = self.keys.get(&place) {
            return key.clone();
        }
        let key = match self.dtos.get(name) {
            None => name.to_string(),
            Some(first) => {
                let key = target.pointer_form();
                if declared {
                    let first_place = first
                        .location
                        .as_ref()
                        .map_or_else(|| "an earlier document".to_string(), ToString::to_string);
                    self.resolver.report(
                        ContractProblemKind::DuplicateName,
                        name,
                        format!("schema `{name}` is also declared at {first_place}; `{name}` means that one, and this one is `{key}`: rename one of them or refer to this one by `{key}`"),
                        self.resolver.location(target),
                    );
                }
                key
            }
        };
        self.keys.insert(place, key.clone());
        let schema = self.resolver.expand_target(target);
        self.dtos.insert(
            key.clone(),
            Dto {
                name: key.clone(),
                schema,
                location: Some(self.resolver.location(target)),
            },
        );
        key
    }

    fn register_declared(&mut self, id: DocumentId) {
        let Some(root) = self.resolver.target(id, "") else {
            return;
        };
        let Some(Value::Object(document)) = self.resolver.value(&root).cloned() else {
            return;
        };
        if root_is_openapi(&document) {
            self.register_entries(
                id,
                &document,
                "/components/schemas",
                &["components", "schemas"],
            );
            return;
        }
        if document.contains_key("title") || document.contains_key("properties") {
            let name = root.name();
            self.register(&root, &name, true);
        }
        self.register_entries(id, &document, "/$defs", &["$defs"]);
        self.register_entries(id, &document, "/definitions", &["definitions"]);
    }

    fn register_entries(
        &mut self,
        id: DocumentId,
        document: &serde_json::Map<String, Value>,
        pointer: &str,
        keys: &[&str],
    ) {
        let mut section = document.get(keys[0]);
        for key in &keys[1..] {
            section = section.and_then(|value| value.get(key));
        }
        let Some(Value::Object(entries)) = section else {
            return;
        };
        for name in entries.keys() {
            let entry_pointer = format!("{pointer}/{}", escape_pointer_segment(name));
            if let Some(target) = self.resolver.target(id, &entry_pointer) {
                self.register(&target, name, true);
            }
        }
    }

    fn collect_endpoints(&mut self, id: DocumentId) {
        let Some(root) = self.resolver.target(id, "") else {
            return;
        };
        let Some(Value::Object(paths)) = self
            .resolver
            .value(&root)
            .filter(|value| value.get("openapi").is_some())
            .and_then(|value| value.get("paths"))
            .cloned()
        else {
            return;
        };
        for (path, item) in &paths {
            let Value::Object(item) = item else {
                continue;
            };
            for method in item
                .keys()
                .filter(|key| OPERATION_METHODS.contains(&key.as_str()))
            {
                let pointer = format!("/paths/{}/{method}", escape_pointer_segment(path));
                let Some(operation) = self.resolver.target(id, &pointer) else {
                    continue;
                };
                let key = format!("{} {path}", method.to_ascii_uppercase());
                let (dto, is_array) = match self.response_schema(&operation) {
                    Some(schema) => self.response_dto(&key, &schema),
                    None => (None, false),
                };
                let location = Some(self.resolver.location(&operation));
                self.endpoints.insert(
                    key.clone(),
                    Endpoint {
                        key,
                        dto,
                        is_array,
                        location,
                    },
                );
            }
        }
    }

    /// The JSON schema of the lowest 2xx response that has JSON content.
    fn response_schema(&mut self, operation: &Target) -> Option<Target> {
        let responses = self
            .resolver
            .value(operation)
            .and_then(|value| value.get("responses"))
            .and_then(Value::as_object)?;
        let mut codes: Vec<(u16, &String)> = responses
            .keys()
            .filter_map(|code| {
                let rank = match code.parse::<u16>() {
                    Ok(number) if (200..300).contains(&number) => number,
                    // `2XX` ranges after every explicit code.
                    _ if code.eq_ignore_ascii_case("2xx") => 300,
                    _ => return None,
                };
                Some((rank, code))
            })
            .collect();
        codes.sort();
        let codes: Vec<String> = codes.into_iter().map(|(_, code)| code.clone()).collect();
        codes.iter().find_map(|code| {
            let pointer = format!(
                "{}/responses/{}",
                operation.pointer,
                escape_pointer_segment(code)
            );
            let mut response = self.resolver.target(operation.id, &pointer)?;
            if let Some(reference) = self
                .resolver
                .value(&response)
                .and_then(|value| value.get("$ref"))
                .and_then(Value::as_str)
                .map(str::to_string)
            {
                response = self.resolver.follow(&response, &pointer, &reference)?;
            }
            let content = self
                .resolver
                .value(&response)?
                .get("content")?
                .as_object()?;
            let media_type = json_media_type(content.keys())?;
            let schema_pointer = format!(
                "{}/content/{}/schema",
                response.pointer,
                escape_pointer_segment(&media_type)
            );
            self.resolver.target(response.id, &schema_pointer)
        })
    }

    /// The DTO of a response schema, and whether the body is an array of it.
    fn response_dto(&mut self, endpoint: &str, schema: &Target) -> (Option<String>, bool) {
        let referenced = self.resolver.referenced(schema);
        let body = referenced.clone().unwrap_or_else(|| schema.clone());
        let value = self.resolver.value(&body).cloned().unwrap_or_default();
        if is_array_schema(&value) {
            let items = self
                .resolver
                .target(body.id, &format!("{}/items", body.pointer));
            return (
                items.and_then(|items| self.object_dto(endpoint, &items)),
                true,
            );
        }
        match referenced {
            Some(referenced) => {
                let name = referenced.name();
                (Some(self.register(&referenced, &name, false)), false)
            }
            None => (self.object_dto(endpoint, schema), false),
        }
    }

    /// The DTO key of a schema that is a `$ref` (named after its target) or an inline
    /// object (named after the endpoint).
    fn object_dto(&mut self, endpoint: &str, schema: &Target) -> Option<String> {
        if let Some(referenced) = self.resolver.referenced(schema) {
            let name = referenced.name();
            return Some(self.register(&referenced, &name, false));
        }
        let value = self.resolver.value(schema).cloned().unwrap_or_default();
        is_object_schema(&value).then(|| self.register(schema, endpoint, false))
    }
}

fn root_is_openapi(document: &serde_json::Map<String, Value>) -> bool {
    document.contains_key("openapi")
}

/// `application/json` (with or without parameters) first, then any `+json` type.
fn json_media_type<'k>(media_types: impl Iterator<Item = &'k String>) -> Option<String> {
    let media_types: Vec<&String> = media_types.collect();
    let essence = |media_type: &str| {
        media_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    };
    media_types
        .iter()
        .find(|media_type| essence(media_type) == "application/json")
        .or_else(|| {
            media_types
                .iter()
                .find(|media_type| essence(media_type).ends_with("+json"))
        })
        .map(|media_type| media_type.to_string())
}

fn types_of(value: &Value) -> Vec<&str> {
    match value.get("type") {
        Some(Value::String(kind)) => vec![kind.as_str()],
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn is_array_schema(value: &Value) -> bool {
    types_of(value).contains(&"array")
        || (value.get("items").is_some() && types_of(value).is_empty())
}

fn is_object_schema(value: &Value) -> bool {
    types_of(value).contains(&"object")
        || value.get("properties").is_some()
        || value.get("allOf").is_some()
}
