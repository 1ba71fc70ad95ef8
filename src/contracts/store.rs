//! The contract documents read so far, each read once however many `$ref`s reach it.

use crate::model::{display_path, Location};
use crate::yaml::{read_yaml_value, SpanIndex, YamlError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a contract file could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file is missing or unreadable.
    Io(std::io::Error),
    /// The file is neither YAML nor JSON.
    Syntax(YamlError),
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
}

impl Document {
    /// Where the node at `pointer` is written.
    pub(crate) fn location(&self, pointer: &str) -> Location {
        self.spans.locate_entry(pointer)
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
}

impl DocumentStore {
    /// Reads `path` unless it was read before, and returns its id.
    pub(crate) fn load(&mut self, path: &Path) -> Result<DocumentId, ReadError> {
        let canonical = std::fs::canonicalize(path).map_err(ReadError::Io)?;
        if let Some(id) = self.by_canonical_path.get(&canonical) {
            return Ok(*id);
        }
        let text = std::fs::read_to_string(path).map_err(ReadError::Io)?;
        let display = display_path(path);
        let (value, spans) = read_yaml_value(&display, &text).map_err(ReadError::Syntax)?;
        let id = self.documents.len();
        self.documents.push(Arc::new(Document {
            path: path.to_path_buf(),
            display,
            value,
            spans,
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
