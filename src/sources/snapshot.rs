//! Snapshots: the live catalog as versioned JSON, so reports and tests run offline and a
//! nightly job can compare today with yesterday.

use crate::input::{read_text, InputError, InputLimits};
use crate::model::{display_path, Catalog, CATALOG_FORMAT_VERSION};
use crate::sources::forms::fill_forms;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// A snapshot file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The file could not be read (missing, not a regular file, too large, not UTF-8).
    #[error(transparent)]
    Unreadable(#[from] InputError),
    /// The file is not a pgparity snapshot.
    #[error("{path}:{line}:{column}: not a pgparity snapshot: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Line of the JSON error.
        line: usize,
        /// Column of the JSON error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// Valid JSON, but not written by `pgparity snapshot` (a report, a baseline, some
    /// other tool's file): there is no format version to speak of.
    #[error(
        "{path} is not a pgparity snapshot ({what}): write one with `pgparity snapshot \
         --output FILE` and pass that to --snapshot"
    )]
    Foreign {
        /// The file.
        path: String,
        /// What the file looks like instead.
        what: String,
    },
    /// Written by a pgparity whose catalog format this one does not read.
    #[error("{path}: snapshot format version {found}, this pgparity reads version {expected}; take a new snapshot with `pgparity snapshot`")]
    Version {
        /// The file.
        path: String,
        /// The version in the file.
        found: u32,
        /// The version this build reads.
        expected: u32,
    },
}

/// What a snapshot file holds besides the catalog.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Snapshot {
    /// `pgparity` for files this tool wrote.
    pub tool: String,
    /// The pgparity version that wrote it.
    pub tool_version: String,
    /// The target, with the password masked.
    pub target: String,
    /// Schemas that were introspected.
    pub schemas: Vec<String>,
    /// When it was taken (RFC 3339).
    pub taken_at: String,
    /// The catalog.
    pub catalog: Catalog,
}

impl Snapshot {
    /// A snapshot of `catalog` taken now from `target` (masked by the caller).
    pub fn new(catalog: Catalog, target: String, schemas: Vec<String>) -> Self {
        Snapshot {
            tool: "pgparity".into(),
            tool_version: env!("CARGO_PKG_VERSION").into(),
            target,
            schemas,
            taken_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            catalog,
        }
    }

    /// The snapshot as pretty JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut text = Vec::new();
        // Writing to memory fails only where serializing would: never, for this model.
        drop(self.write_json(&mut text));
        String::from_utf8(text).unwrap_or_default()
    }

    /// Writes [`Snapshot::to_json`] to `writer` as it is serialized, without holding the
    /// text (tens of megabytes for thousands of tables) in memory.
    pub fn write_json(&self, mut writer: impl Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut writer, self)?;
        writer.write_all(b"\n")
    }

    /// Reads a snapshot file within the snapshot limit of `limits`
    /// ([`InputLimits::for_snapshots`]), refusing other format versions; see
    /// [`Snapshot::parse`] for `default_schema`.
    pub fn read(
        path: &Path,
        limits: InputLimits,
        default_schema: &str,
    ) -> Result<Snapshot, SnapshotError> {
        let text = read_text(path, "snapshot", limits.for_snapshots())?;
        Snapshot::parse(&display_path(path), &text, default_schema)
    }

    /// Parses snapshot text; `path` is for messages. The file holds expressions as text
    /// only: their canonical forms are computed here, for a run whose unqualified names
    /// live in `default_schema`.
    pub fn parse(path: &str, text: &str, default_schema: &str) -> Result<Snapshot, SnapshotError> {
        // The common case, a snapshot this pgparity wrote, is read straight into the
        // model: through a `serde_json::Value` it took four times the file's size in
        // memory and three times as long. Anything else (not JSON, not a snapshot, another
        // version, a shape that does not fit the model) is read again the slow way below,
        // which says what is wrong with it exactly as before.
        let direct = text
            .trim_start()
            .starts_with('{')
            .then(|| serde_json::from_str::<Direct>(text).ok())
            .flatten();
        if let Some(direct) = direct {
            if direct.tool == "pgparity" && direct.catalog.format_version == CATALOG_FORMAT_VERSION
            {
                let mut snapshot = Snapshot {
                    tool: direct.tool,
                    tool_version: direct.tool_version,
                    target: direct.target,
                    schemas: direct.schemas,
                    taken_at: direct.taken_at,
                    catalog: direct.catalog,
                };
                fill_forms(&mut snapshot.catalog, default_schema);
                return Ok(snapshot);
            }
        }
        Snapshot::parse_checked(path, text, default_schema)
    }

    /// [`Snapshot::parse`] through a `serde_json::Value`, so that a file that is not a
    /// snapshot of this format version is told apart (a report, a baseline, an older
    /// format) before its fields are read.
    fn parse_checked(
        path: &str,
        text: &str,
        default_schema: &str,
    ) -> Result<Snapshot, SnapshotError> {
        let invalid = |error: serde_json::Error| SnapshotError::Invalid {
            path: path.to_string(),
            line: error.line(),
            column: error.column(),
            message: crate::input::json_error_message(&error),
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
        if let Some(what) = foreign(&value) {
            return Err(SnapshotError::Foreign {
                path: path.to_string(),
                what,
            });
        }
        let found = value["catalog"]["format_version"]
            .as_u64()
            .unwrap_or_default();
        if found != u64::from(CATALOG_FORMAT_VERSION) {
            return Err(SnapshotError::Version {
                path: path.to_string(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
                expected: CATALOG_FORMAT_VERSION,
            });
        }
        let mut snapshot: Snapshot = serde_json::from_value(value).map_err(invalid)?;
        fill_forms(&mut snapshot.catalog, default_schema);
        Ok(snapshot)
    }
}

/// A [`Snapshot`] as [`Snapshot::parse`] reads it directly: serde reads a struct from a
/// JSON array too, which the checked reading calls foreign, so the catalog must be an
/// object (and the file is, which the caller checks).
#[derive(Deserialize)]
struct Direct {
    tool: String,
    tool_version: String,
    target: String,
    schemas: Vec<String>,
    taken_at: String,
    #[serde(deserialize_with = "object")]
    catalog: Catalog,
}

/// A catalog that is written as a JSON object.
fn object<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Catalog, D::Error> {
    struct ObjectOnly;
    impl<'de> serde::de::Visitor<'de> for ObjectOnly {
        type Value = Catalog;
        fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
            formatter.write_str("a catalog object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Catalog, A::Error> {
            Catalog::deserialize(serde::de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_map(ObjectOnly)
}

/// What `value` is instead of a snapshot, when it is not one: a snapshot is an object
/// whose `tool` is `pgparity` and whose `catalog` is an object.
fn foreign(value: &serde_json::Value) -> Option<String> {
    let Some(object) = value.as_object() else {
        return Some(format!(
            "it holds {}, not an object",
            crate::finding::with_article(json_kind(value))
        ));
    };
    let written_by_pgparity =
        object.get("tool").and_then(serde_json::Value::as_str) == Some("pgparity");
    if written_by_pgparity
        && object
            .get("catalog")
            .is_some_and(serde_json::Value::is_object)
    {
        return None;
    }
    Some(
        if object.contains_key("findings") && object.contains_key("summary") {
            "it is a pgparity report, written by `check --format json`".to_string()
        } else if object.contains_key("entries") && object.contains_key("version") {
            "it is a pgparity baseline, written by `check --write-baseline`".to_string()
        } else if object.contains_key("runs") && object.contains_key("version") {
            "it is a SARIF log".to_string()
        } else if let Some(tool) = object.get("tool").and_then(serde_json::Value::as_str) {
            format!("its `tool` is {tool:?}, not \"pgparity\"")
        } else {
            "it has no `tool: \"pgparity\"` and no `catalog`".to_string()
        },
    )
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_may_be_sixteen_times_the_input_limit() {
        let text = Snapshot::new(Catalog::new(), "db".into(), vec!["public".into()]).to_json();
        let path = std::env::temp_dir().join(format!(
            "pgparity-snapshot-limit-{}.json",
            std::process::id()
        ));
        std::fs::write(&path, &text).unwrap();
        let size = text.len() as u64;
        let within = InputLimits {
            max_bytes: size.div_ceil(crate::input::SNAPSHOT_SIZE_FACTOR),
        };
        let beyond = InputLimits {
            max_bytes: size / crate::input::SNAPSHOT_SIZE_FACTOR - 1,
        };
        let read = Snapshot::read(&path, within, "public");
        let refused = Snapshot::read(&path, beyond, "public");
        std::fs::remove_file(&path).unwrap();
        assert!(read.is_ok(), "{:?}", read.err());
        let Err(error) = refused else {
            panic!("a snapshot over the snapshot limit was read");
        };
        let error = error.to_string();
        assert!(error.contains("more than the limit"), "{error}");
    }

    #[test]
    fn round_trips_and_refuses_other_versions() {
        let snapshot = Snapshot::new(
            Catalog::new(),
            "postgres://app:***@db/ledger".into(),
            vec!["public".into()],
        );
        let text = snapshot.to_json();
        let back = Snapshot::parse("s.json", &text, "public").unwrap();
        assert_eq!(back.target, snapshot.target);
        assert_eq!(back.catalog.format_version, CATALOG_FORMAT_VERSION);

        let older = text.replace("\"format_version\": 1", "\"format_version\": 0");
        let error = Snapshot::parse("s.json", &older, "public")
            .unwrap_err()
            .to_string();
        assert!(error.contains("format version 0"), "{error}");

        let broken = Snapshot::parse("s.json", "{\n  \"tool\": ", "public")
            .unwrap_err()
            .to_string();
        assert!(broken.starts_with("s.json:2:"), "{broken}");

        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let error = Snapshot::parse("s.json", &deep, "public")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("s.json:1:") && error.contains("nested too deeply"),
            "{error}"
        );
        assert_eq!(error.matches("line").count(), 0, "{error}");
    }

    #[test]
    fn the_direct_reading_gives_what_the_checked_one_gives_and_leaves_it_the_rest() {
        let catalog = crate::sources::spec::load_spec_text(
            "s.sql",
            "CREATE TABLE t (a int DEFAULT 0 CHECK (a > 0)); CREATE VIEW v AS SELECT a FROM t;",
            "public",
        )
        .catalog;
        let text = Snapshot::new(catalog, "db".into(), vec!["public".into()]).to_json();
        let direct = Snapshot::parse("s.json", &text, "public").unwrap();
        let checked = Snapshot::parse_checked("s.json", &text, "public").unwrap();
        assert_eq!(direct.to_json(), checked.to_json());
        assert_eq!(
            format!("{:?}", direct.catalog),
            format!("{:?}", checked.catalog)
        );
        // serde would read these structs from arrays; the checked reading calls them
        // foreign, and so must `parse`.
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let fields = |value: &serde_json::Value| {
            serde_json::Value::Array(value.as_object().unwrap().values().cloned().collect())
        };
        let mut catalog_as_array = value.clone();
        catalog_as_array["catalog"] = fields(&value["catalog"]);
        for foreign in [fields(&value), catalog_as_array] {
            let error = Snapshot::parse("s.json", &foreign.to_string(), "public").unwrap_err();
            assert!(matches!(error, SnapshotError::Foreign { .. }), "{error}");
        }
        let other_tool = text.replacen("\"pgparity\"", "\"other\"", 1);
        let error = Snapshot::parse("s.json", &other_tool, "public").unwrap_err();
        assert!(error.to_string().contains("\"other\""), "{error}");
    }

    #[test]
    fn expressions_are_written_as_text_and_given_their_forms_when_read() {
        let catalog = crate::sources::spec::load_spec_text(
            "s.sql",
            "CREATE TABLE t (a int DEFAULT 0 CHECK (a > 0));",
            "public",
        )
        .catalog;
        let text = Snapshot::new(catalog, "db".into(), vec!["public".into()]).to_json();
        assert!(text.contains("\"default\": \"0\""), "{text}");
        assert!(!text.contains("canonical"), "{text}");
        let back = Snapshot::parse("s.json", &text, "public").unwrap();
        let table = back.catalog.relations.values().next().unwrap();
        let default = table.columns[0].default.as_ref().unwrap();
        assert_eq!(default.canonical().form(), Some("0"));
        assert!(default.as_column_value().form().is_some());
        assert!(table
            .constraints
            .values()
            .all(|constraint| constraint.allowed_values.is_empty()));
    }
}
