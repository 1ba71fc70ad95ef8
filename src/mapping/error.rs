//! What goes wrong when loading a mapping, in terms a user can act on.

use crate::input::InputError;
use crate::model::Location;
use crate::yaml::YamlError;
use std::fmt;

/// One problem in a mapping, at the offending key or value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MappingDiagnostic {
    /// Where the offending key or value is written.
    pub location: Location,
    /// The key in readable form: `index_plan[2].status`.
    pub key_path: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for MappingDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.location, self.key_path, self.message)
    }
}

/// Why a mapping could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The mapping, its Markdown index plan or an index plan file could not be read:
    /// missing, not a regular file, too large or not UTF-8. The message names the file
    /// and what to do.
    #[error(transparent)]
    Unreadable(#[from] InputError),
    /// The file is not valid YAML.
    #[error("{}\nhint: {}", .0, yaml_hint(.0))]
    Yaml(YamlError),
    /// An index plan file whose name says neither Markdown nor YAML.
    #[error("index plan {path}: pgparity reads Markdown (.md, .markdown) or YAML (.yaml, .yml) index plans; rename the file or give a plan in one of those formats")]
    UnknownPlanFormat {
        /// The file.
        path: String,
    },
    /// The file is YAML but does not follow the mapping format; diagnostics are sorted by
    /// location.
    #[error("{}", render_invalid(.0))]
    Invalid(Vec<MappingDiagnostic>),
}

/// The YAML error's own hint, else the usual suspects.
fn yaml_hint(error: &YamlError) -> &str {
    error.hint.as_deref().unwrap_or(
        "fix the YAML syntax at that line (indentation, an unclosed bracket or quote, a repeated key)",
    )
}

fn render_invalid(diagnostics: &[MappingDiagnostic]) -> String {
    let mut text = format!(
        "the mapping does not follow the mapping format, version 1 ({} problem{}):\n",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    );
    for diagnostic in diagnostics {
        text.push_str(&format!("  {diagnostic}\n"));
    }
    text.push_str(
        "hint: fix each key listed above; schema/mapping.schema.json describes the format, and \
         `# yaml-language-server: $schema=<path to it>` at the top of the file makes editors check it as you type",
    );
    text
}
