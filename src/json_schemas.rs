//! The JSON Schemas of pgparity's files, published in `schema/` and printed by
//! `pgparity schema KIND`: the mapping pgparity reads, and the report, snapshot and
//! baseline it writes (tests validate real output against them).

/// The files a JSON Schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// `contract_schema_mapping.yaml` (YAML, read as JSON).
    Mapping,
    /// `check --format json`.
    Report,
    /// `pgparity snapshot`.
    Snapshot,
    /// `check --write-baseline`.
    Baseline,
}

impl SchemaKind {
    /// Every kind, in the order `pgparity schema --help` lists them.
    pub const ALL: [SchemaKind; 4] = [
        SchemaKind::Mapping,
        SchemaKind::Report,
        SchemaKind::Snapshot,
        SchemaKind::Baseline,
    ];

    /// The JSON Schema text (draft 2020-12), as published in `schema/`.
    pub fn text(self) -> &'static str {
        match self {
            SchemaKind::Mapping => crate::mapping::MAPPING_SCHEMA,
            SchemaKind::Report => include_str!("../schema/report.schema.json"),
            SchemaKind::Snapshot => include_str!("../schema/snapshot.schema.json"),
            SchemaKind::Baseline => include_str!("../schema/baseline.schema.json"),
        }
    }

    /// The file name in `schema/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Mapping => "mapping.schema.json",
            SchemaKind::Report => "report.schema.json",
            SchemaKind::Snapshot => "snapshot.schema.json",
            SchemaKind::Baseline => "baseline.schema.json",
        }
    }
}
