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
mod object_fixes;
mod statements;

pub use crate::model::{SpecProblem, SpecProblemKind};
pub use dev_safety::{DevUse, ParseOutcome};
pub use model::*;

use crate::input::{read_text, InputError, InputLimits};
use crate::model::{display_path, Location, QualifiedName, SpecComment};
use crate::timings::{self, Tally};
use apply::Loader;
use statements::Parsed;
use std::collections::BTreeMap;
use std::collections::HashSet;
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
    /// A folder could not be walked. (The reason is the source, so that an error chain
    /// prints it once.)
    #[error("cannot read spec {path}")]
    Unreadable {
        /// The file or folder.
        path: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A spec file could not be read as text: not a regular file (a FIFO would block,
    /// `/dev/zero` never ends), over the size limit, or not UTF-8.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A spec folder holds no `.sql` file: the specs would be empty and every check of
    /// them would pass without having looked at anything.
    #[error(
        "spec folder {path} holds no .sql file: point --specs or `specs` in pgparity.toml \
         at the folder of your DDL files (read recursively)"
    )]
    NoSqlFiles {
        /// The folder as given.
        path: String,
    },
    /// A link inside a spec folder leads back to a folder that contains it.
    #[error(
        "spec folder link {link} leads back to {ancestor}, a folder that contains it: \
         pgparity follows links in spec folders, but not in circles; remove the link or \
         point it elsewhere"
    )]
    LinkLoop {
        /// The link.
        link: String,
        /// The folder it leads back to.
        ancestor: String,
    },
    /// A `.sql` link inside a spec folder whose target does not exist.
    #[error(
        "spec {link} is a link to {target}, which does not exist: restore the target or \
         remove the link"
    )]
    DanglingLink {
        /// The link.
        link: String,
        /// Where it points, as written in the link.
        target: String,
    },
}

/// Loads every `.sql` file under `paths` (files, or folders walked recursively and
/// through links, each folder's files sorted by path, a file reached twice read once)
/// into one catalog, in order. Each file is read with [`read_text`] under `limits`.
/// Every statement's text is kept ([`SpecSet::sources`]).
pub fn load_specs(
    paths: &[PathBuf],
    default_schema: &str,
    limits: InputLimits,
) -> Result<SpecSet, SpecLoadError> {
    load_specs_with(paths, default_schema, limits, StatementTexts::Keep)
}

/// Whether a spec load keeps every statement with its text in [`SpecSet::sources`]: only
/// applying the specs to a database (`--dev-db`) reads them, and they take the size of
/// the specs and some 130 bytes a statement more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementTexts {
    /// Keep them.
    Keep,
    /// Keep none: [`SpecSet::sources`] is empty.
    Drop,
}

/// [`load_specs`], keeping the statements' texts or not.
pub fn load_specs_with(
    paths: &[PathBuf],
    default_schema: &str,
    limits: InputLimits,
    texts: StatementTexts,
) -> Result<SpecSet, SpecLoadError> {
    let mut builder = SpecBuilder::new(default_schema);
    builder.texts = texts;
    let mut reading = Tally::new("load specs: read files");
    let mut seen = HashSet::new();
    for path in paths {
        for file in sql_files(path)? {
            // Links can lead to one file twice; its statements would all be duplicates.
            let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen.insert(identity) {
                continue;
            }
            let text = reading.time(|| read_text(&file, "spec", limits))?;
            builder.add_text(&display_path(&file), &text);
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

/// The `.sql` files a spec path stands for, sorted. Links inside a folder are followed
/// (a link back to a containing folder is an error, not an endless walk); anything
/// named `.sql` that is not a folder is returned, so that special files are refused by
/// name when read rather than skipped in silence.
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
    for entry in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => match walk_error(error, path) {
                Some(error) => return Err(error),
                None => continue,
            },
        };
        if !entry.file_type().is_dir() && is_sql(entry.path()) {
            files.push(entry.into_path());
        }
    }
    if files.is_empty() {
        return Err(SpecLoadError::NoSqlFiles { path: label() });
    }
    files.sort();
    Ok(files)
}

fn is_sql(path: &Path) -> bool {
    path.extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("sql"))
}

/// A failed step of a folder walk → the error to stop with, or `None` for a dangling
/// link whose name does not say it is a spec (it cannot be known to be a folder) or that
/// is an editor's lock (Emacs keeps `.#name.sql` as a dangling link while a file is being
/// edited).
fn walk_error(error: walkdir::Error, root: &Path) -> Option<SpecLoadError> {
    let at = error.path().map(Path::to_path_buf);
    let shown = at
        .as_deref()
        .map_or_else(|| display_path(root), display_path);
    if let Some(ancestor) = error.loop_ancestor() {
        return Some(SpecLoadError::LinkLoop {
            link: shown,
            ancestor: display_path(ancestor),
        });
    }
    if let Some(link) = at.as_deref() {
        let is_link = std::fs::symlink_metadata(link).is_ok_and(|meta| meta.is_symlink());
        if is_link && !link.exists() {
            let is_editor_lock = link
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(".#"));
            if !is_sql(link) || is_editor_lock {
                return None;
            }
            let target = std::fs::read_link(link)
                .map(|target| target.display().to_string())
                .unwrap_or_default();
            return Some(SpecLoadError::DanglingLink {
                link: shown,
                target,
            });
        }
    }
    Some(SpecLoadError::Unreadable {
        path: shown,
        source: error.into(),
    })
}

/// Applies several spec texts, in order, into one catalog.
pub struct SpecBuilder {
    loader: Loader,
    default_schema: String,
    files: Vec<String>,
    statements: usize,
    sources: Vec<StatementSource>,
    texts: StatementTexts,
    /// Where each statement starts (line, column), by file: what comments are attributed
    /// with, 8 bytes a statement where a [`StatementSource`] takes over a hundred.
    starts: BTreeMap<String, Vec<(u32, u32)>>,
    comments: Vec<SpecComment>,
    /// `--timings`: tokenizing and parsing, and applying, statement by statement.
    parsing: Tally,
    applying: Tally,
}

impl std::fmt::Debug for SpecBuilder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SpecBuilder")
            .field("loader", &self.loader)
            .field("default_schema", &self.default_schema)
            .field("files", &self.files)
            .field("statements", &self.statements)
            .finish_non_exhaustive()
    }
}

impl SpecBuilder {
    /// A builder where unqualified names belong to `default_schema`.
    pub fn new(default_schema: &str) -> Self {
        SpecBuilder {
            loader: Loader::new(default_schema),
            default_schema: default_schema.to_string(),
            files: Vec::new(),
            statements: 0,
            sources: Vec::new(),
            texts: StatementTexts::Keep,
            starts: BTreeMap::new(),
            comments: Vec::new(),
            parsing: Tally::new("load specs: tokenize and parse"),
            applying: Tally::new("load specs: apply statements"),
        }
    }

    /// Parses `text` (the contents of the file `path_label`) and applies it to the
    /// catalog built so far, one statement at a time.
    pub fn add_text(&mut self, path_label: &str, text: &str) {
        self.files.push(path_label.to_string());
        let text = statements::blank_meta_lines(text);
        let mut starts = self.starts.remove(path_label).unwrap_or_default();
        let mut parsing = std::mem::replace(&mut self.parsing, Tally::new("unused"));
        let path: std::sync::Arc<str> = path_label.into();
        statements::for_each_statement_timed(&text, &mut parsing, |statement| {
            let location = Location::new(path.clone(), statement.line, statement.column);
            starts.push((statement.line, statement.column));
            let source = text
                .get(statement.offset..statement.end)
                .unwrap_or_default()
                .trim_end();
            // Kept so the specs can be applied to a database statement by statement.
            if self.texts == StatementTexts::Keep {
                self.sources.push(StatementSource {
                    location: location.clone(),
                    text: source.to_string(),
                    outcome: ParseOutcome::of(&statement),
                });
            }
            if let Some((line, comment)) = comment_before(&text, statement.offset, statement.line) {
                self.comments.push(SpecComment {
                    location: Location::new(path.clone(), line, 1),
                    text: comment,
                    statement: location.clone(),
                    relation: None,
                });
            }
            let start = crate::timings::started();
            self.apply(statement, location, source);
            self.applying.add(start);
        });
        self.parsing = parsing;
        self.starts.insert(path_label.to_string(), starts);
    }

    /// Applies one statement whose text is `source`.
    fn apply(&mut self, statement: statements::RawStatement, location: Location, source: &str) {
        self.statements += 1;
        if matches!(
            statement.parsed,
            Parsed::Error { .. } | Parsed::Skipped { .. }
        ) {
            if let Some((kind, name)) = object_fixes::touched_object(source) {
                self.loader.unread(kind, &name);
            }
        }
        match statement.parsed {
            Parsed::Statement(parsed, extras) => {
                self.loader
                    .apply(&parsed, &extras, &location, &statement.first_words)
            }
            Parsed::MemberComment(comment) => self.loader.member_comment(&comment, &location),
            Parsed::AttachIndex { parent, child } => {
                self.loader.attach_index(&parent, &child, &location)
            }
            Parsed::AlterSequence(alteration) => self.loader.alter_sequence(&alteration, &location),
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

    /// The catalog, with the canonical forms of its expressions, and everything noted
    /// while building it.
    pub fn finish(self) -> SpecSet {
        // The tallies are written now, before the forms' phase.
        drop((self.parsing, self.applying));
        let (mut catalog, problems, written_in) = self.loader.finish();
        let forms = timings::phase("load specs: canonical forms");
        super::forms::fill_forms_written_in(&mut catalog, &self.default_schema, &written_in);
        drop(forms);
        let mut comments = self.comments;
        attribute_comments(&mut comments, &catalog, &self.starts);
        SpecSet {
            catalog,
            files: self.files,
            problems,
            statements: self.statements,
            sources: self.sources,
            comments,
        }
    }
}

/// The `--` comment block right above the statement that starts at byte `offset` (on
/// `line`): the comment and blank lines between it and the previous statement, when the
/// statement starts its line. The first comment line's number, and the comment lines
/// without their `--`.
fn comment_before(text: &str, offset: usize, line: u32) -> Option<(u32, String)> {
    // Only blanks may come before the statement on its line; looking no further than them
    // keeps this linear on files of one long line.
    let indent = text[..offset]
        .bytes()
        .rev()
        .take_while(|byte| *byte == b' ' || *byte == b'\t' || *byte == b'\r')
        .count();
    let line_start = offset - indent;
    if line_start > 0 && text.as_bytes()[line_start - 1] != b'\n' {
        return None;
    }
    let mut lines = Vec::new();
    let mut end = line_start;
    let mut first_line = line;
    let mut current_line = line;
    while end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |newline| newline + 1);
        let above = text[start..end - 1].trim();
        current_line -= 1;
        if let Some(comment) = above.strip_prefix("--") {
            lines.push(comment.trim().to_string());
            first_line = current_line;
        } else if !above.is_empty() {
            break;
        }
        end = start;
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some((first_line, lines.join("\n")))
}

/// Names, on each comment block, the relation the statement after it creates: the
/// relation defined at or after that statement's start and before the next statement.
/// `starts` holds each file's statement starts, in order.
fn attribute_comments(
    comments: &mut [SpecComment],
    catalog: &crate::model::Catalog,
    starts: &BTreeMap<String, Vec<(u32, u32)>>,
) {
    if comments.is_empty() {
        return;
    }
    let mut created: BTreeMap<(&str, u32, u32), &QualifiedName> = BTreeMap::new();
    for relation in catalog.relations.values() {
        let Some(at) = &relation.location else {
            continue;
        };
        let Some((path, file)) = starts.get_key_value(&*at.path) else {
            continue;
        };
        let position = file.partition_point(|start| *start <= (at.line, at.column));
        if let Some((line, column)) = position.checked_sub(1).map(|index| file[index]) {
            created.insert((path.as_str(), line, column), &relation.name);
        }
    }
    for comment in comments {
        let start = &comment.statement;
        comment.relation = created
            .get(&(&*start.path, start.line, start.column))
            .map(|name| (*name).clone());
    }
}

/// sqlparser ends its messages with ` at Line: L, Column: C` (positions in the whole
/// file: each statement's tokens are counted from where it starts in the file). Pointing at that token is more precise
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

/// An identifier as PostgreSQL stores it (see [`crate::model::fold_identifier`]): the
/// one folding every reader of spec SQL uses, so a name written in a view matches the
/// column or table it names.
fn fold(ident: &sqlparser::ast::Ident) -> String {
    crate::model::fold_identifier(&ident.value, ident.quote_style.is_some())
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
