use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Where a fact was written: a spec, mapping or contract file, 1-based line and column.
///
/// Columns count characters (Unicode scalar values), which is what SARIF calls
/// `unicodeCodePoints`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The file, as given on the command line or relative to the working directory.
    /// Shared: every column, constraint and index a spec file defines has a location in
    /// it (200,000 at 5,000 tables), and a clone is a count, not a copy.
    pub path: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Location {
    /// A location at `line:column` of `path`.
    pub fn new(path: impl Into<Arc<str>>, line: u32, column: u32) -> Self {
        Location {
            path: path.into(),
            line,
            column,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.column)
    }
}

/// A path for display: lexically normalized (`a/./b/../c` → `a/c`), with `/`
/// separators, relative paths kept relative. Used for every [`Location::path`] so that
/// one file always prints the same way however it was reached.
pub fn display_path(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for component in path.components() {
        match component {
            Component::RootDir | Component::Prefix(_) => absolute = true,
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|last| last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..".into());
                }
            }
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
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
    use std::path::Path;

    #[test]
    fn display_paths_are_lexically_normalized() {
        assert_eq!(
            display_path(Path::new("mappings/../contracts/a.yaml")),
            "contracts/a.yaml"
        );
        assert_eq!(display_path(Path::new("./specs/x.sql")), "specs/x.sql");
        assert_eq!(
            display_path(Path::new("../shared/x.sql")),
            "../shared/x.sql"
        );
        assert_eq!(display_path(Path::new("/a/b/../c")), "/a/c");
    }
}
