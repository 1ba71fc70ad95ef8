//! Reading one input file (a spec, contract, `$ref` target, mapping, Markdown plan,
//! snapshot, baseline or config) safely: only regular files, never more than a size
//! limit, as UTF-8 text with a leading byte-order mark skipped and CRLF line endings read
//! as LF. Special files (`/dev/zero`, FIFOs, sockets, devices) would read forever or
//! block, so they are refused before anything is read.

use crate::model::display_path;
use std::io::Read;
use std::path::Path;

/// The size limit of one input file when `max_input_mib` is not configured.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 64 << 20;

/// How much pgparity reads of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// Largest accepted file, in bytes.
    pub max_bytes: u64,
}

/// How many times `max_input_mib` a snapshot may be: see [`InputLimits::for_snapshots`].
pub const SNAPSHOT_SIZE_FACTOR: u64 = 16;

impl InputLimits {
    /// The limit for snapshot files: [`SNAPSHOT_SIZE_FACTOR`] times this one (1 GiB by
    /// default). A snapshot is pgparity's own output and grows with the database (about
    /// 18 MB of pretty JSON per 1,000 tables of twenty columns), so the limit meant for
    /// hand-written inputs would refuse the snapshot of a 5,000-table schema; it is still
    /// bounded, and read straight into the model.
    pub fn for_snapshots(self) -> InputLimits {
        InputLimits {
            max_bytes: self.max_bytes.saturating_mul(SNAPSHOT_SIZE_FACTOR),
        }
    }
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_bytes: DEFAULT_MAX_INPUT_BYTES,
        }
    }
}

/// Why an input file could not be read as text.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The path does not exist.
    #[error(
        "{what} {path} does not exist: check the path in pgparity.toml or on the command line"
    )]
    Missing {
        /// What the file is (`spec`, `contract`, …).
        what: String,
        /// The path as shown.
        path: String,
    },
    /// Not a regular file (a folder where a file is expected, a device, a FIFO, a socket).
    #[error("{what} {path} is {kind}, not a regular file: pgparity reads only regular files")]
    NotRegular {
        /// What the file is.
        what: String,
        /// The path as shown.
        path: String,
        /// `a folder`, `a FIFO`, `a character device`, …
        kind: &'static str,
    },
    /// Larger than the limit.
    #[error(
        "{what} {path} has {size} bytes, more than the limit of {limit} bytes: \
         raise `max_input_mib` in pgparity.toml if the file is really that large"
    )]
    TooLarge {
        /// What the file is.
        what: String,
        /// The path as shown.
        path: String,
        /// Its size (at least the limit plus one when it grew while being read).
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The operating system refused. The reason is part of the message rather than a
    /// source error, so that a printed error chain does not say it twice.
    #[error("cannot read {what} {path}: {reason}")]
    Unreadable {
        /// What the file is.
        what: String,
        /// The path as shown.
        path: String,
        /// What the operating system said.
        reason: std::io::Error,
    },
    /// Not UTF-8.
    #[error(
        "{what} {path} is not UTF-8 text: invalid byte 0x{byte:02x} at line {line}, column \
         {column} (byte offset {offset}); save the file as UTF-8"
    )]
    NotUtf8 {
        /// What the file is.
        what: String,
        /// The path as shown.
        path: String,
        /// 1-based line of the first invalid byte.
        line: usize,
        /// 1-based column (in bytes) of the first invalid byte.
        column: usize,
        /// 0-based byte offset of the first invalid byte in the file.
        offset: usize,
        /// The first invalid byte.
        byte: u8,
    },
}

/// Reads `path` as text. `what` names the kind of input in errors (`spec`, `contract`,
/// `mapping`, …).
pub fn read_text(path: &Path, what: &str, limits: InputLimits) -> Result<String, InputError> {
    let bytes = read_bytes(path, what, limits)?;
    decode(bytes, &display_path(path), what)
}

/// Reads `path` as bytes, with the regular-file and size checks of [`read_text`].
pub fn read_bytes(path: &Path, what: &str, limits: InputLimits) -> Result<Vec<u8>, InputError> {
    let shown = || display_path(path);
    let unreadable = |reason| InputError::Unreadable {
        what: what.to_string(),
        path: shown(),
        reason,
    };
    let metadata = std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            InputError::Missing {
                what: what.to_string(),
                path: shown(),
            }
        } else {
            unreadable(source)
        }
    })?;
    if let Some(kind) = irregular_kind(&metadata) {
        return Err(InputError::NotRegular {
            what: what.to_string(),
            path: shown(),
            kind,
        });
    }
    let too_large = |size| InputError::TooLarge {
        what: what.to_string(),
        path: shown(),
        size,
        limit: limits.max_bytes,
    };
    if metadata.len() > limits.max_bytes {
        return Err(too_large(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    // The file may grow between the size check and the read: never read past the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.take(limits.max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// `bytes` as text: a leading UTF-8 byte-order mark is skipped and CRLF becomes LF (so
/// line numbers stay those an editor shows); invalid UTF-8 is located.
pub fn decode(mut bytes: Vec<u8>, shown_path: &str, what: &str) -> Result<String, InputError> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let skipped = if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
        BOM.len()
    } else {
        0
    };
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let bytes = error.as_bytes();
        let before = &bytes[..offset];
        let line = before.iter().filter(|&&byte| byte == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(0, |newline| newline + 1);
        InputError::NotUtf8 {
            what: what.to_string(),
            path: shown_path.to_string(),
            line,
            column: offset - line_start + 1,
            offset: offset + skipped,
            byte: bytes[offset],
        }
    })?;
    Ok(if text.contains("\r\n") {
        text.replace("\r\n", "\n")
    } else {
        text
    })
}

/// What a JSON parse error says, without serde_json's trailing `at line L column C`
/// (callers put the location first) and with its recursion limit named as what it is:
/// nesting past 128 levels, which no pgparity file has.
pub fn json_error_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let text = match text.rfind(" at line ") {
        Some(position) if error.line() > 0 => text[..position].to_string(),
        _ => text,
    };
    if text == "recursion limit exceeded" {
        "nested too deeply (more than 128 levels of arrays and objects); this is not a file pgparity wrote".to_string()
    } else {
        text
    }
}

/// A typed JSON parse stops at the first value of the wrong type, so a file nested
/// 100,000 levels deep would be blamed for a type. This returns `error`, or the nesting
/// error when `text` is nested past serde_json's limit.
pub fn nesting_error_or(text: &str, error: serde_json::Error) -> serde_json::Error {
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(nesting) if nesting.to_string().starts_with("recursion limit exceeded") => nesting,
        _ => error,
    }
}

fn irregular_kind(metadata: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let file_type = metadata.file_type();
    if file_type.is_file() {
        None
    } else if file_type.is_dir() {
        Some("a folder")
    } else if file_type.is_fifo() {
        Some("a FIFO")
    } else if file_type.is_socket() {
        Some("a socket")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else {
        Some("not a regular file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_bytes: u64) -> InputLimits {
        InputLimits { max_bytes }
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_crlf_read_as_lf() {
        let text = decode(
            b"\xEF\xBB\xBFSELECT 1;\r\nSELECT 2;\r\n".to_vec(),
            "a.sql",
            "spec",
        )
        .unwrap();
        assert_eq!(text, "SELECT 1;\nSELECT 2;\n");
    }

    #[test]
    fn invalid_utf8_is_located_by_line_column_and_offset() {
        let error = decode(b"ok\nab\xffc\n".to_vec(), "a.sql", "spec").unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("line 2, column 3 (byte offset 5)"),
            "{message}"
        );
        assert!(message.contains("0xff"), "{message}");
        assert_eq!(message.matches("a.sql").count(), 1, "{message}");
    }

    #[test]
    fn special_files_are_refused_before_reading() {
        let error = read_text(Path::new("/dev/zero"), "spec", limits(1 << 20)).unwrap_err();
        assert!(error.to_string().contains("a character device"), "{error}");
        let error = read_text(Path::new("/"), "spec", limits(1 << 20)).unwrap_err();
        assert!(error.to_string().contains("a folder"), "{error}");
    }

    #[test]
    fn files_over_the_limit_are_refused_with_the_size() {
        let folder = std::env::temp_dir().join(format!("pgparity-input-{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join("big.sql");
        std::fs::write(&file, "x".repeat(2048)).unwrap();
        let error = read_text(&file, "spec", limits(1024)).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("2048 bytes, more than the limit of 1024"),
            "{error}"
        );
        assert_eq!(read_text(&file, "spec", limits(4096)).unwrap().len(), 2048);
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn a_missing_file_says_so() {
        let error = read_text(Path::new("/no/such/file.sql"), "spec", limits(10)).unwrap_err();
        assert!(matches!(error, InputError::Missing { .. }), "{error}");
    }
}
