//! The password file (`~/.pgpass`, `PGPASSFILE` or `passfile=`), read and matched as
//! libpq reads it (`passwordFromFile` in `fe-connect.c`): lines
//! `host:port:database:user:password`, `*` matching anything in the first four fields,
//! `\` escaping `:` and `\`, the first matching line winning, `#` lines ignored. A file
//! with group or world access is ignored with a warning, as libpq does, and so is
//! anything that is not a regular file.
//!
//! The lines hold passwords: they never reach `Debug` output or a message; only the
//! file's path and a line number do.

use std::fmt;
use std::path::{Path, PathBuf};

/// Largest password file read; libpq has no limit, but a password file is a few lines.
const MAX_BYTES: u64 = 1 << 20;

/// What was found at the password file's path.
pub(super) enum PassFile {
    /// No file there (the usual case when nobody wrote one).
    Absent(PathBuf),
    /// A file pgparity does not use; `reason` says why (it is also a warning).
    Ignored {
        /// The file.
        path: PathBuf,
        /// Why, e.g. "it has group or world access".
        reason: String,
    },
    /// The file's lines, numbered from 1.
    Read {
        /// The file.
        path: PathBuf,
        /// `(line number, text)` without the line ending.
        lines: Vec<(usize, String)>,
    },
}

impl fmt::Debug for PassFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassFile::Absent(path) => write!(f, "Absent({})", path.display()),
            PassFile::Ignored { path, reason } => {
                write!(f, "Ignored({}: {reason})", path.display())
            }
            PassFile::Read { path, lines } => {
                write!(f, "Read({}, {} lines)", path.display(), lines.len())
            }
        }
    }
}

/// A password taken from the file, and the line it came from.
#[derive(PartialEq, Eq)]
pub(super) struct Found {
    /// The password, unescaped.
    pub(super) password: String,
    /// The 1-based line number.
    pub(super) line: usize,
}

impl PassFile {
    /// Reads the file at `path`. Never fails: a file that cannot be used is
    /// [`PassFile::Ignored`] with the reason, as libpq ignores it.
    pub(super) fn read(path: &Path) -> PassFile {
        let path = path.to_path_buf();
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return PassFile::Absent(path)
            }
            Err(error) => {
                return PassFile::Ignored {
                    path,
                    reason: format!("it cannot be read ({error})"),
                }
            }
        };
        if !metadata.is_file() {
            return PassFile::Ignored {
                path,
                reason: "it is not a plain file".to_string(),
            };
        }
        if let Some(reason) = insecure(&metadata) {
            return PassFile::Ignored { path, reason };
        }
        let limits = crate::input::InputLimits {
            max_bytes: MAX_BYTES,
        };
        match crate::input::read_text(&path, "password file", limits) {
            Ok(text) => PassFile::Read {
                lines: text
                    .lines()
                    .enumerate()
                    .map(|(index, line)| (index + 1, line.to_string()))
                    .collect(),
                path,
            },
            Err(error) => PassFile::Ignored {
                path,
                reason: error.to_string(),
            },
        }
    }

    /// The file's path.
    pub(super) fn path(&self) -> &Path {
        match self {
            PassFile::Absent(path)
            | PassFile::Ignored { path, .. }
            | PassFile::Read { path, .. } => path,
        }
    }

    /// The warning libpq prints for an ignored file (none for a missing one).
    pub(super) fn warning(&self) -> Option<String> {
        match self {
            PassFile::Ignored { path, reason } => Some(format!(
                "password file {} is ignored: {reason}",
                path.display()
            )),
            PassFile::Absent(_) | PassFile::Read { .. } => None,
        }
    }

    /// The password of the first line matching the connection, as libpq matches:
    /// `host` is `localhost` for the default socket directory, `port` the port as text.
    pub(super) fn find(&self, host: &str, port: &str, dbname: &str, user: &str) -> Option<Found> {
        let PassFile::Read { lines, .. } = self else {
            return None;
        };
        if dbname.is_empty() || user.is_empty() {
            return None;
        }
        lines.iter().find_map(|(number, line)| {
            if line.is_empty() || line.starts_with('#') {
                return None;
            }
            let rest = [host, port, dbname, user]
                .into_iter()
                .try_fold(line.as_bytes(), |rest, token| field_matches(rest, token))?;
            Some(Found {
                password: unescape(rest),
                line: *number,
            })
        })
    }
}

/// Why libpq would refuse the file's permissions: group or world access (Unix only;
/// Windows protects the folder instead).
#[cfg(unix)]
fn insecure(metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "it has group or world access (mode {mode:04o}); permissions should be u=rw (0600) \
             or less: chmod 0600 it"
        )
    })
}

#[cfg(not(unix))]
fn insecure(_metadata: &std::fs::Metadata) -> Option<String> {
    None
}

/// Whether the field at the start of `line` matches `token` (libpq's
/// `pwdfMatchesString`): `*` matches anything, `\` escapes the next byte. Returns the
/// rest of the line after the field's `:`.
fn field_matches<'a>(line: &'a [u8], token: &str) -> Option<&'a [u8]> {
    if line.starts_with(b"*:") {
        return Some(&line[2..]);
    }
    let token = token.as_bytes();
    let mut matched = 0;
    let mut index = 0;
    while index < line.len() {
        let mut escaped = false;
        if line[index] == b'\\' {
            index += 1;
            escaped = true;
        }
        let byte = line.get(index).copied();
        if byte == Some(b':') && !escaped && matched == token.len() {
            return Some(&line[index + 1..]);
        }
        if matched == token.len() || byte != Some(token[matched]) {
            return None;
        }
        matched += 1;
        index += 1;
    }
    None
}

/// The password field: up to the first unescaped `:`, with `\` escapes removed.
fn unescape(field: &[u8]) -> String {
    let mut out = Vec::with_capacity(field.len());
    let mut index = 0;
    while index < field.len() && field[index] != b':' {
        if field[index] == b'\\' && index + 1 < field.len() {
            index += 1;
        }
        out.push(field[index]);
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(lines: &[&str]) -> PassFile {
        PassFile::Read {
            path: PathBuf::from("/home/u/.pgpass"),
            lines: lines
                .iter()
                .enumerate()
                .map(|(index, line)| (index + 1, line.to_string()))
                .collect(),
        }
    }

    fn find(
        file: &PassFile,
        host: &str,
        port: &str,
        db: &str,
        user: &str,
    ) -> Option<(String, usize)> {
        file.find(host, port, db, user)
            .map(|found| (found.password, found.line))
    }

    #[test]
    fn first_matching_line_wins_with_wildcards() {
        let passfile = file(&[
            "# host:port:db:user:password",
            "db.example:5432:ledger:app:first",
            "db.example:*:*:app:second",
            "*:*:*:*:fallback",
        ]);
        assert_eq!(
            find(&passfile, "db.example", "5432", "ledger", "app"),
            Some(("first".to_string(), 2))
        );
        assert_eq!(
            find(&passfile, "db.example", "6543", "other", "app"),
            Some(("second".to_string(), 3))
        );
        assert_eq!(
            find(&passfile, "elsewhere", "5432", "ledger", "ops"),
            Some(("fallback".to_string(), 4))
        );
        assert_eq!(find(&passfile, "h", "5432", "", "ops"), None, "no dbname");
    }

    #[test]
    fn escapes_in_fields_and_password() {
        let passfile = file(&[
            r"/var/run/postgresql:5432:d\:b:u:pa\:ss\\word:ignored",
            r"host:5432:db:u\\x:plain",
            "short:5432",
            r"tail:5432:db:u:end\",
            r"\*:5432:db:star:literal",
        ]);
        assert_eq!(
            find(&passfile, "/var/run/postgresql", "5432", "d:b", "u"),
            Some((r"pa:ss\word".to_string(), 1))
        );
        assert_eq!(
            find(&passfile, "host", "5432", "db", r"u\x"),
            Some(("plain".to_string(), 2))
        );
        assert_eq!(find(&passfile, "short", "5432", "db", "u"), None);
        assert_eq!(
            find(&passfile, "tail", "5432", "db", "u"),
            Some((r"end\".to_string(), 4)),
            "a trailing backslash stays, as in libpq"
        );
        assert_eq!(find(&passfile, "other", "5432", "db", "star"), None);
        assert_eq!(
            find(&passfile, "*", "5432", "db", "star"),
            Some(("literal".to_string(), 5))
        );
    }

    #[test]
    fn a_field_longer_or_shorter_than_the_token_does_not_match() {
        let passfile = file(&["hostx:5432:db:u:a", "hos:5432:db:u:b", "host:5432:db:u:c"]);
        assert_eq!(
            find(&passfile, "host", "5432", "db", "u"),
            Some(("c".to_string(), 3))
        );
    }

    #[cfg(unix)]
    #[test]
    fn reading_checks_the_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("pgparity-passfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("folder");
        let path = dir.join("pgpass");
        std::fs::write(&path, "h:5432:db:u:Secret1\r\n").expect("file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("0600");
        let read = PassFile::read(&path);
        assert_eq!(
            find(&read, "h", "5432", "db", "u"),
            Some(("Secret1".to_string(), 1)),
            "CRLF is not part of the password"
        );
        assert!(read.warning().is_none());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("0644");
        let ignored = PassFile::read(&path);
        let warning = ignored.warning().expect("a warning");
        assert!(
            warning.contains("group or world access (mode 0644)"),
            "{warning}"
        );
        assert!(!format!("{warning} {ignored:?}").contains("Secret1"));
        assert_eq!(find(&ignored, "h", "5432", "db", "u"), None);
        assert!(matches!(
            PassFile::read(&dir.join("none")),
            PassFile::Absent(_)
        ));
        assert!(PassFile::read(&dir)
            .warning()
            .expect("a folder")
            .contains("not a plain file"));
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
