//! The contract documents read so far, each read once however many `$ref`s reach it,
//! and only from inside the project.

use crate::input::{read_text, InputError, InputLimits};
use crate::model::{display_path, Location};
use crate::yaml::{read_yaml_value, SpanIndex, YamlError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a contract file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file does not exist (or a folder on its way cannot be searched).
    Missing(std::io::Error),
    /// The file is outside every contract root: it is not read at all.
    Outside,
    /// Not a regular file, too large, or not UTF-8.
    Input(InputError),
    /// The file is neither YAML nor JSON.
    Syntax(YamlError),
}

/// Where contract files may be read from, and how much of each.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    /// The contract roots, canonical (symlinks and `..` resolved).
    roots: Vec<PathBuf>,
    /// The roots as the user wrote them, for messages.
    pub(crate) shown_roots: String,
    /// The size limit of one file.
    pub(crate) limits: InputLimits,
}

impl Scope {
    /// A scope of `roots` (which must exist) and `limits`.
    pub(crate) fn new(roots: &[PathBuf], limits: InputLimits) -> std::io::Result<Scope> {
        let canonical = roots
            .iter()
            .map(std::fs::canonicalize)
            .collect::<std::io::Result<Vec<_>>>()?;
        let shown_roots = roots
            .iter()
            .map(|root| display_path(root))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(Scope {
            roots: canonical,
            shown_roots,
            limits,
        })
    }

    /// The canonical form of `path` when it is inside a root. A path that does not
    /// exist is judged by its lexical form, so that the answer never tells whether a
    /// file outside the project exists.
    pub(crate) fn confine(&self, path: &Path) -> Result<PathBuf, ReadError> {
        match std::fs::canonicalize(path) {
            Ok(canonical) if self.contains(&canonical) => Ok(canonical),
            Ok(_) => Err(ReadError::Outside),
            Err(error) => {
                let absolute = std::env::current_dir()
                    .map(|working_dir| PathBuf::from(display_path(&working_dir.join(path))))
                    .unwrap_or_else(|_| path.to_path_buf());
                if self.contains(&absolute) {
                    Err(ReadError::Missing(error))
                } else {
                    Err(ReadError::Outside)
                }
            }
        }
    }

    fn contains(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
    }
}

/// Index of a document in its [`DocumentStore`].
pub(crate) type DocumentId = usize;

/// One parsed contract file.
#[derive(Debug)]
pub(crate) struct Document {
    /// The path as reached (given, or joined from a referencing file's folder), used
    /// to resolve relative `$ref`s.
    pub(crate) path: PathBuf,
    /// [`display_path`] of `path`, for locations and pointer-form DTO names.
    pub(crate) display: String,
    /// The parsed content.
    pub(crate) value: Value,
    spans: SpanIndex,
    /// How many lines the file has.
    pub(crate) line_count: u32,
}

impl Document {
    /// Where the node at `pointer` is written.
    pub(crate) fn location(&self, pointer: &str) -> Location {
        self.spans.locate_entry(pointer)
    }

    /// The mapping keys called `name`: the line each is written on and the pointer of
    /// its value.
    pub(crate) fn keys_named(&self, name: &str) -> Vec<(u32, String)> {
        self.spans
            .keys_named(&[name])
            .into_iter()
            .map(|(_, line, pointer)| (line, pointer))
            .collect()
    }

    /// The file name without extension, naming a root schema that has no `title`.
    pub(crate) fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.display.clone())
    }
}

/// Every document read, by canonical path. Documents are shared (`Arc`) so a schema
/// can be walked while more documents are loaded.
#[derive(Debug, Clone, Default)]
pub(crate) struct DocumentStore {
    documents: Vec<Arc<Document>>,
    by_canonical_path: BTreeMap<PathBuf, DocumentId>,
    /// Where documents may be read from.
    pub(crate) scope: Scope,
}

impl DocumentStore {
    /// An empty store that reads only inside `scope`.
    pub(crate) fn new(scope: Scope) -> Self {
        DocumentStore {
            scope,
            ..DocumentStore::default()
        }
    }

    /// Reads `path` unless it was read before, and returns its id.
    pub(crate) fn load(&mut self, path: &Path) -> Result<DocumentId, ReadError> {
        let canonical = self.scope.confine(path)?;
        if let Some(id) = self.by_canonical_path.get(&canonical) {
            return Ok(*id);
        }
        let text = read_text(path, "contract", self.scope.limits).map_err(ReadError::Input)?;
        let display = display_path(path);
        let (value, spans) = read_yaml_value(&display, &text).map_err(ReadError::Syntax)?;
        let id = self.documents.len();
        self.documents.push(Arc::new(Document {
            path: path.to_path_buf(),
            display,
            value,
            spans,
            line_count: u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
        }));
        self.by_canonical_path.insert(canonical, id);
        Ok(id)
    }

    /// How many documents are loaded; ids run from 0 to this.
    pub(crate) fn len(&self) -> usize {
        self.documents.len()
    }

    /// The document with this id.
    pub(crate) fn get(&self, id: DocumentId) -> Option<Arc<Document>> {
        self.documents.get(id).cloned()
    }

    /// Every document read, in load order.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Arc<Document>> {
        self.documents.iter()
    }

    /// The documents whose path is `reference_path` or ends with it, ignoring the
    /// `./` and `../` steps a mapping file needs to reach it: a mapping one folder
    /// away writes `../contracts/a.yaml` for the document displayed as
    /// `contracts/a.yaml`.
    pub(crate) fn matching(&self, reference_path: &str) -> Vec<DocumentId> {
        let wanted = display_path(Path::new(reference_path));
        let suffix = wanted
            .split('/')
            .skip_while(|part| *part == "..")
            .collect::<Vec<_>>()
            .join("/");
        self.documents
            .iter()
            .enumerate()
            .filter(|(_, document)| {
                document.display == wanted
                    || document.display == suffix
                    || document.display.ends_with(&format!("/{suffix}"))
            })
            .map(|(id, _)| id)
            .collect()
    }
}
