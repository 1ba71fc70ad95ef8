//! DDL specs: `.sql` files parsed with sqlparser (PostgreSQL dialect) into a
//! [`crate::model::Catalog`]. The only module that knows sqlparser's AST.
//!
//! Files are applied in order into one catalog, statement by statement, so that specs
//! written as migration chains (CREATE, then ALTER, then DROP) end in the right state.

mod apply;
mod dev_safety;
mod fixes;
mod lineage;
mod model;
mod statements;

pub use dev_safety::DevUse;
pub use model::*;

use crate::model::{display_path, Location, QualifiedName};
use apply::Loader;
use statements::Parsed;
use std::path::{Path, PathBuf};

/// Why a set of spec paths could not be read (as opposed to not parsed: parse
/// failures are [`SpecProblem`]s).
#[derive(Debug, thiserror::Error)]
pub enum SpecLoadError {
    /// A path given as a spec does not exist.
    #[error(
        "spec path {path} does not exist: check the path in pgparity.toml or on the command line"
    )]
    Missing {
        /// The path as given.
        path: String,
    },
    /// A file or folder could not be read.
    #[error("cannot read spec {path}: {source}")]
    Unreadable {
        /// The file or folder.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A spec file is not UTF-8 text.
    #[error("spec {path} is not UTF-8 text: save it as UTF-8")]
    NotUtf8 {
        /// The file.
        path: String,
    },
}

/// Loads every `.sql` file under `paths` (files, or folders walked recursively, each
/// folder's files sorted by path) into one catalog, in order.
pub fn load_specs(paths: &[PathBuf], default_schema: &str) -> Result<SpecSet, SpecLoadError> {
    let mut builder = SpecBuilder::new(default_schema);
    for path in paths {
        for file in sql_files(path)? {
            let label = display_path(&file);
            let bytes = std::fs::read(&file).map_err(|source| SpecLoadError::Unreadable {
                path: label.clone(),
                source,
            })?;
            let text = String::from_utf8(bytes).map_err(|_| SpecLoadError::NotUtf8 {
                path: label.clone(),
            })?;
            builder.add_text(&label, &text);
        }
    }
    Ok(builder.finish())
}

/// Loads one text as a spec file called `path_label` (tests, stdin).
pub fn load_spec_text(path_label: &str, text: &str, default_schema: &str) -> SpecSet {
    let mut builder = SpecBuilder::new(default_schema);
    builder.add_text(path_label, text);
    builder.finish()
}

/// The `.sql` files a spec path stands for, sorted.
fn sql_files(path: &Path) -> Result<Vec<PathBuf>, SpecLoadError> {
    let label = || display_path(path);
    let metadata = std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            SpecLoadError::Missing { path: label() }
        } else {
            SpecLoadError::Unreadable {
                path: label(),
                source,
            }
        }
    })?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|error| SpecLoadError::Unreadable {
            path: error.path().map(display_path).unwrap_or_else(label),
            source: error.into(),
        })?;
        let is_sql = entry
            .path()
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("sql"));
        if entry.file_type().is_file() && is_sql {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

/// Applies several spec texts, in order, into one catalog.
#[derive(Debug)]
pub struct SpecBuilder {
    loader: Loader,
    files: Vec<String>,
    statements: usize,
    sources: Vec<StatementSource>,
}

impl SpecBuilder {
    /// A builder where unqualified names belong to `default_schema`.
    pub fn new(default_schema: &str) -> Self {
        SpecBuilder {
            loader: Loader::new(default_schema),
            files: Vec::new(),
            statements: 0,
            sources: Vec::new(),
        }
    }

    /// Parses `text` (the contents of the file `path_label`) and applies it to the
    /// catalog built so far.
    pub fn add_text(&mut self, path_label: &str, text: &str) {
        self.files.push(path_label.to_string());
        let parsed = statements::parse_text(text);
        self.record_sources(path_label, text, &parsed);
        for statement in parsed {
            self.statements += 1;
            let location = Location::new(path_label, statement.line, statement.column);
            match statement.parsed {
                Parsed::Statement(parsed, extras) => {
                    self.loader
                        .apply(&parsed, &extras, &location, &statement.first_words)
                }
                Parsed::MemberComment(comment) => self.loader.member_comment(&comment, &location),
                Parsed::Skipped { quiet: true, .. } => {}
                Parsed::Skipped {
                    statement,
                    quiet: false,
                } => self
                    .loader
                    .problem(SpecProblemKind::Skipped { statement }, &location),
                Parsed::Error { message, defines } => {
                    let defines = defines.map(|parts| self.loader.qualify_parts(&parts));
                    let (message, location) = pinpoint_parse_error(message, location);
                    self.loader
                        .problem(SpecProblemKind::ParseError { message, defines }, &location)
                }
            }
        }
    }

    /// Keeps each statement's source text (from its first token to the next statement's),
    /// so the specs can be applied to a database statement by statement.
    fn record_sources(
        &mut self,
        path_label: &str,
        text: &str,
        parsed: &[statements::RawStatement],
    ) {
        let text = statements::blank_meta_lines(text);
        let lines = statements::LineStarts::new(&text);
        let starts: Vec<usize> = parsed
            .iter()
            .map(|statement| {
                lines.byte_offset(&text, statement.line.into(), statement.column.into())
            })
            .collect();
        for (index, statement) in parsed.iter().enumerate() {
            let end = starts.get(index + 1).copied().unwrap_or(text.len());
            let source = text.get(starts[index]..end).unwrap_or_default().trim_end();
            self.sources.push(StatementSource {
                location: Location::new(path_label, statement.line, statement.column),
                text: source.to_string(),
                dev_use: dev_safety::classify(statement, source),
            });
        }
    }

    /// The catalog and everything noted while building it.
    pub fn finish(self) -> SpecSet {
        let (catalog, problems) = self.loader.finish();
        SpecSet {
            catalog,
            files: self.files,
            statements: self.statements,
            sources: self.sources,
            problems,
        }
    }
}

/// sqlparser ends its messages with ` at Line: L, Column: C` (positions in the whole
/// file, since the loop tokenizes the file once). Pointing at that token is more precise
/// than the statement start; positions before the statement (from a re-parse of a
/// fragment) are not trusted.
fn pinpoint_parse_error(message: String, statement_start: Location) -> (String, Location) {
    let Some((text, position)) = message.rsplit_once(" at Line: ") else {
        return (message, statement_start);
    };
    let parsed = position
        .split_once(", Column: ")
        .and_then(|(line, column)| {
            Some((
                line.trim().parse::<u32>().ok()?,
                column.trim().parse::<u32>().ok()?,
            ))
        });
    match parsed {
        Some((line, column))
            if (line, column) >= (statement_start.line, statement_start.column) =>
        {
            let location = Location::new(statement_start.path, line, column);
            (text.to_string(), location)
        }
        _ => (message, statement_start),
    }
}

/// Folded name parts → a qualified name (`schema.name`, or `name` in `default_schema`;
/// a database prefix is dropped).
fn qualify(parts: &[String], default_schema: &str) -> QualifiedName {
    match parts {
        [] => QualifiedName::new(default_schema, ""),
        [name] => QualifiedName::new(default_schema, name.clone()),
        [.., schema, name] => QualifiedName::new(schema.clone(), name.clone()),
    }
}
