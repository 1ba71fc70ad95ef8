//! `pgparity init`: a `pgparity.toml` for a repository as it is — its spec folders, its
//! mapping, its Markdown index plans and its OpenAPI files, found where they are — and,
//! on request, the read models pgparity infers for it as version-1 mapping YAML that a
//! team can review and commit.

use crate::app;
use crate::config::{resolve_check, CheckOverrides, CONFIG_FILE_NAME};
use crate::input::{read_text, InputLimits};
use crate::mapping::{load_mapping, parse_markdown_plan, ReadModel};
use crate::model::display_path;
use crate::yaml::read_yaml_value;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// Folders never searched: build output, dependencies, version control, and the test
/// data and fixtures of a repository (they hold broken variants on purpose).
const SKIPPED_FOLDERS: &[&str] = &[
    "target",
    "node_modules",
    "vendor",
    "dist",
    "build",
    "fixtures",
    "tests",
    "test",
    "fuzz",
    "bench",
    "examples",
];

/// How deep below the repository root files are looked for.
const MAX_DEPTH: usize = 8;

/// What `pgparity init` does.
#[derive(Debug, Clone)]
pub struct InitRequest {
    /// The repository root: where `pgparity.toml` is written and files are looked for.
    /// Paths in the written files, and in the evidence of inferred read models, are
    /// shown as the working directory sees them, so the binary passes `.`.
    pub root: PathBuf,
    /// Replace an existing `pgparity.toml` (and `write_mapping` file).
    pub force: bool,
    /// Also write the inferred read models to this file (relative to `root`).
    pub write_mapping: Option<PathBuf>,
}

/// The inputs found in a repository, as paths relative to its root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Folders of `.sql` files that create tables or views (the `specs` of the
    /// configuration).
    pub specs: Vec<PathBuf>,
    /// Other folders with such files, not listed (migrations would define everything
    /// twice).
    pub other_sql: Vec<PathBuf>,
    /// The mapping.
    pub mapping: Option<PathBuf>,
    /// Other YAML files that look like mappings.
    pub other_mappings: Vec<PathBuf>,
    /// OpenAPI documents the mapping does not name.
    pub contracts: Vec<PathBuf>,
    /// OpenAPI documents the mapping names.
    pub mapping_contracts: Vec<PathBuf>,
    /// Markdown index plans the mapping does not name.
    pub plans: Vec<PathBuf>,
    /// The Markdown index plan the mapping names.
    pub mapping_plan: Option<PathBuf>,
}

/// Writes `pgparity.toml` (and the inferred read models when asked) and returns what
/// to tell the user.
pub fn init(request: &InitRequest) -> Result<String> {
    let config_path = request.root.join(CONFIG_FILE_NAME);
    if config_path.symlink_metadata().is_ok() && !request.force {
        bail!(
            "{} exists; pgparity init does not replace it (give --force to replace it)",
            display_path(&config_path)
        );
    }
    if let Some(target) = &request.write_mapping {
        let target = request.root.join(target);
        if target.symlink_metadata().is_ok() && !request.force {
            bail!(
                "{} exists; pgparity init does not replace it (give --force to replace it)",
                display_path(&target)
            );
        }
    }
    let found = discover(&request.root);
    let config = render_config(&found);
    app::write_output(&config_path, &config, "configuration")?;
    let mut summary = format!("wrote {}\n{}", display_path(&config_path), describe(&found));
    if let Some(target) = &request.write_mapping {
        let target = request.root.join(target);
        let check = resolve_check(
            &request.root,
            CheckOverrides {
                config: Some(config_path.clone()),
                ..CheckOverrides::default()
            },
        )?;
        let inferred = app::inferred_read_models(&check)?;
        let yaml = render_mapping(&inferred, &target, &request.root)?;
        app::write_output(&target, &yaml, "inferred mapping")?;
        let _ = writeln!(
            summary,
            "wrote {} with {} inferred read model(s); review them, then merge `read_models:` into the mapping",
            display_path(&target),
            inferred.inferred.read_models.len()
        );
        for read_model in &inferred.inferred.read_models {
            let _ = writeln!(
                summary,
                "  {} -> {}",
                read_model.endpoint.as_deref().unwrap_or_default(),
                read_model.relation
            );
        }
        for problem in &inferred.inferred.problems {
            let _ = writeln!(summary, "  note: {}", problem.message);
        }
    }
    Ok(summary)
}

/// Looks for the inputs of a repository below `root`.
pub fn discover(root: &Path) -> Found {
    let mut sql_folders: Vec<PathBuf> = Vec::new();
    let mut mappings: Vec<PathBuf> = Vec::new();
    let mut openapi: Vec<PathBuf> = Vec::new();
    let mut plans: Vec<PathBuf> = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            entry.depth() == 0
                || !(entry.file_type().is_dir()
                    && (name.starts_with('.') || SKIPPED_FOLDERS.contains(&name.as_ref())))
        });
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let extension = path
            .extension()
            .and_then(|extension| extension.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let Some(text) = (matches!(extension.as_str(), "sql" | "yaml" | "yml" | "json" | "md"))
            .then(|| read_text(path, "file", InputLimits::default()).ok())
            .flatten()
        else {
            continue;
        };
        match extension.as_str() {
            "sql" if defines_relations(&text) => {
                let folder = relative.parent().unwrap_or(Path::new("")).to_path_buf();
                if !sql_folders.contains(&folder) {
                    sql_folders.push(folder);
                }
            }
            "yaml" | "yml" | "json" => match yaml_kind(&display_path(path), &text) {
                Some(YamlKind::OpenApi) => openapi.push(relative.to_path_buf()),
                Some(YamlKind::Mapping) => mappings.push(relative.to_path_buf()),
                None => {}
            },
            "md" if !parse_markdown_plan("plan.md", &text, "public")
                .entries
                .is_empty() =>
            {
                plans.push(relative.to_path_buf());
            }
            _ => {}
        }
    }
    let mut found = Found::default();
    let (specs, other_sql) = spec_roots(sql_folders);
    found.specs = specs;
    found.other_sql = other_sql;
    mappings.sort_by_key(|path| {
        let name = path
            .file_name()
            .map(|name| name.to_string_lossy().to_lowercase());
        let name = name.unwrap_or_default();
        (
            !name.contains("contract_schema_mapping"),
            !name.contains("mapping"),
            path.components().count(),
            path.clone(),
        )
    });
    let mut mappings = mappings.into_iter();
    found.mapping = mappings.next();
    found.other_mappings = mappings.collect();
    let identity = |path: &Path| std::fs::canonicalize(root.join(path)).ok();
    let (named_contracts, named_plan) = match &found.mapping {
        Some(mapping) => {
            let loaded = load_mapping(&root.join(mapping), "public", InputLimits::default()).ok();
            let contracts: Vec<PathBuf> = loaded
                .iter()
                .flat_map(|mapping| &mapping.contracts)
                .filter_map(|contract| std::fs::canonicalize(contract).ok())
                .collect();
            let plan = loaded
                .and_then(|mapping| mapping.index_plan_markdown)
                .and_then(|plan| std::fs::canonicalize(plan).ok());
            (contracts, plan)
        }
        None => (Vec::new(), None),
    };
    for document in openapi {
        match identity(&document) {
            Some(canonical) if named_contracts.contains(&canonical) => {
                found.mapping_contracts.push(document);
            }
            _ => found.contracts.push(document),
        }
    }
    for plan in plans {
        match identity(&plan) {
            Some(canonical) if named_plan.as_ref() == Some(&canonical) => {
                found.mapping_plan = Some(plan);
            }
            _ => found.plans.push(plan),
        }
    }
    found
}

/// Whether a `.sql` file creates a table, view or materialized view.
fn defines_relations(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().take(200_000).collect();
    words.windows(2).any(|pair| {
        pair[0] == "create" && matches!(pair[1], "table" | "view" | "materialized" | "unlogged")
    })
}

/// What a YAML or JSON file is to pgparity.
enum YamlKind {
    /// An OpenAPI (or Swagger) document.
    OpenApi,
    /// A contract/schema mapping.
    Mapping,
}

fn yaml_kind(label: &str, text: &str) -> Option<YamlKind> {
    let (document, _) = read_yaml_value(label, text).ok()?;
    let object = document.as_object()?;
    if object.contains_key("openapi") || object.contains_key("swagger") {
        return Some(YamlKind::OpenApi);
    }
    const MAPPING_KEYS: [&str; 5] = [
        "read_models",
        "entities",
        "index_plan",
        "index_plan_markdown",
        "tenancy",
    ];
    MAPPING_KEYS
        .iter()
        .any(|key| object.contains_key(*key))
        .then_some(YamlKind::Mapping)
}

/// The spec folders among the folders holding `.sql` definitions: those named `specs`
/// (or `spec`, or below such a folder) when there are any, else all; a folder inside
/// another listed one is covered by it. The rest are returned second.
fn spec_roots(folders: Vec<PathBuf>) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let is_spec_folder = |folder: &Path| {
        folder.components().any(|part| {
            matches!(part, Component::Normal(name) if matches!(name.to_str(), Some("specs" | "spec")))
        })
    };
    let (mut chosen, mut others): (Vec<PathBuf>, Vec<PathBuf>) =
        if folders.iter().any(|folder| is_spec_folder(folder)) {
            folders
                .into_iter()
                .partition(|folder| is_spec_folder(folder))
        } else {
            (folders, Vec::new())
        };
    chosen.sort();
    let collapsed: Vec<PathBuf> = chosen
        .iter()
        .filter(|folder| {
            !chosen
                .iter()
                .any(|other| other != *folder && folder.starts_with(other))
        })
        .cloned()
        .collect();
    others.sort();
    (collapsed, others)
}

/// A TOML (and YAML) string: JSON's quoting is valid in both.
fn quoted(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

fn quoted_path(path: &Path) -> String {
    let shown = path.to_string_lossy().replace('\\', "/");
    quoted(if shown.is_empty() { "." } else { &shown })
}

fn path_list(paths: &[PathBuf]) -> String {
    format!(
        "[{}]",
        paths
            .iter()
            .map(|path| quoted_path(path))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The `pgparity.toml` for what was found.
pub fn render_config(found: &Found) -> String {
    let mut out = String::from(
        "# pgparity configuration written by `pgparity init` from what it found in this\n\
         # repository. Paths are relative to this file; command-line flags override them.\n",
    );
    let _ = writeln!(out, "specs = {}", path_list(&found.specs));
    if !found.other_sql.is_empty() {
        let _ = writeln!(
            out,
            "# also .sql definitions in {} (not listed: they would define the same objects twice)",
            found
                .other_sql
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    match &found.mapping {
        Some(mapping) => {
            let _ = writeln!(out, "mapping = {}", quoted_path(mapping));
        }
        None => out.push_str("# no mapping found (a YAML file with read_models:, entities:, tenancy: or index_plan:)\n"),
    }
    if !found.other_mappings.is_empty() {
        let _ = writeln!(
            out,
            "# other mapping-like files: {}",
            found
                .other_mappings
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = write!(out, "contracts = {}", path_list(&found.contracts));
    if !found.mapping_contracts.is_empty() {
        let _ = write!(
            out,
            "  # the mapping names {}",
            found
                .mapping_contracts
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out.push('\n');
    let _ = write!(out, "index_plan = {}", path_list(&found.plans));
    if let Some(plan) = &found.mapping_plan {
        let _ = write!(out, "  # the mapping names {}", plan.display());
    }
    out.push('\n');
    out.push_str(
        "schemas = [\"public\"]\n\
         fail_on = \"error\"\n\
         # Read models the mapping does not declare are inferred from relation comments, spec\n\
         # comments and contract_mapping: strings; every finding about one says from what.\n\
         infer_read_models = true\n",
    );
    out
}

/// What was found, in words.
fn describe(found: &Found) -> String {
    let list = |paths: &[PathBuf]| {
        if paths.is_empty() {
            "none".to_string()
        } else {
            paths
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut contracts = found.contracts.clone();
    contracts.extend(found.mapping_contracts.iter().cloned());
    let mut plans = found.plans.clone();
    plans.extend(found.mapping_plan.iter().cloned());
    format!(
        "  specs: {}\n  mapping: {}\n  contracts (OpenAPI): {}\n  index plans: {}\n",
        list(&found.specs),
        found
            .mapping
            .as_ref()
            .map_or_else(|| "none".to_string(), |path| path.display().to_string()),
        list(&contracts),
        list(&plans)
    )
}

/// The inferred read models as a version-1 mapping, with the contracts they refer to
/// (relative to `target`'s folder) and each read model's evidence as a comment.
fn render_mapping(
    inferred: &app::InferredReadModels,
    target: &Path,
    root: &Path,
) -> Result<String> {
    let folder = target.parent().unwrap_or(root);
    let mut out = String::from(
        "# Read models inferred by `pgparity init --write-mapping`, each with its evidence.\n\
         # Review them, then merge `read_models:` into the mapping (or check this file with\n\
         # --mapping). Paths are relative to this file.\n\
         version: 1\n",
    );
    if inferred.contract_paths.is_empty() {
        out.push_str("contracts: []\n");
    } else {
        out.push_str("contracts:\n");
        for contract in &inferred.contract_paths {
            let relative = relative_to(folder, contract).with_context(|| {
                format!(
                    "cannot name {} from {}",
                    contract.display(),
                    folder.display()
                )
            })?;
            let _ = writeln!(out, "  - {}", quoted_path(&relative));
        }
    }
    if inferred.inferred.read_models.is_empty() {
        out.push_str("read_models: []\n");
        return Ok(out);
    }
    out.push_str("read_models:\n");
    for read_model in &inferred.inferred.read_models {
        write_read_model(&mut out, read_model);
    }
    Ok(out)
}

fn write_read_model(out: &mut String, read_model: &ReadModel) {
    if let Some(inference) = &read_model.inferred {
        let _ = writeln!(
            out,
            "  # inferred: {}",
            inference.evidence.replace('\n', " ")
        );
    }
    let endpoint = read_model.endpoint.as_deref().unwrap_or_default();
    let _ = writeln!(out, "  - endpoint: {}", quoted(endpoint));
    if let Some(dto) = &read_model.dto {
        let _ = writeln!(out, "    dto: {}", quoted(dto));
    }
    let _ = writeln!(
        out,
        "    relation: {}",
        quoted(&read_model.relation.to_string())
    );
    if !read_model.fields.is_empty() {
        out.push_str("    fields:\n");
        for field in &read_model.fields {
            let _ = write!(
                out,
                "      {}: {{column: {}",
                quoted(&field.field),
                quoted(&field.column)
            );
            if let Some(note) = &field.note {
                let _ = write!(out, ", note: {}", quoted(note));
            }
            out.push_str("}\n");
        }
    }
}

/// `path` as seen from `folder`: both made absolute against the working directory and
/// cleaned of `.`/`..`, then `../` for each step up.
fn relative_to(folder: &Path, path: &Path) -> Result<PathBuf> {
    let absolute = |path: &Path| -> Result<Vec<String>> {
        let joined = std::env::current_dir()
            .context("cannot read the working directory")?
            .join(path);
        Ok(display_path(&joined)
            .split('/')
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect())
    };
    let (from, to) = (absolute(folder)?, absolute(path)?);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &to[common..] {
        relative.push(part);
    }
    Ok(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_folders_prefer_specs_and_collapse_nested_ones() {
        let (chosen, others) = spec_roots(vec![
            PathBuf::from("db/migrations"),
            PathBuf::from("db/docs/specs"),
            PathBuf::from("db/docs/specs/views"),
        ]);
        assert_eq!(chosen, [PathBuf::from("db/docs/specs")]);
        assert_eq!(others, [PathBuf::from("db/migrations")]);
        let (chosen, others) = spec_roots(vec![PathBuf::from("schema")]);
        assert_eq!(chosen, [PathBuf::from("schema")]);
        assert!(others.is_empty());
    }

    #[test]
    fn relative_paths_step_up_and_down() {
        assert_eq!(
            relative_to(Path::new("/r/db/docs"), Path::new("/r/api/v1/a.yaml")).unwrap(),
            PathBuf::from("../../api/v1/a.yaml")
        );
        assert_eq!(
            relative_to(Path::new("/r"), Path::new("/r/./contracts/a.yaml")).unwrap(),
            PathBuf::from("contracts/a.yaml")
        );
    }

    #[test]
    fn sql_files_that_create_relations_are_specs() {
        assert!(defines_relations("-- x\nCREATE TABLE t (id int);"));
        assert!(defines_relations(
            "create materialized view mv as select 1;"
        ));
        assert!(!defines_relations("INSERT INTO t VALUES (1);"));
    }
}
