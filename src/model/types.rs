//! Canonical PostgreSQL type names, as `format_type` prints them.
//!
//! Specs, mappings and live catalogs spell types many ways (`int4`, `INT`, `serial`,
//! `varchar(255)`, `timestamptz`, `_text`); every spelling goes through [`SqlType::parse`]
//! so that equal types compare equal.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;
use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// A column type in canonical form: base name, type modifiers and array-ness.
///
/// Displays exactly as PostgreSQL's `format_type(oid, typmod)` does for the common
/// types: `integer`, `character varying(255)`, `numeric(6,5)`,
/// `timestamp(3) with time zone`, `text[]`. User-defined types keep their name,
/// lower-cased unless quoted, without the `public.` qualification `format_type`
/// omits for visible types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "String")]
pub struct SqlType {
    /// Interned ([`interned`]): 200,000 columns of two catalogs share some twenty names,
    /// and the diff compares them all; a pointer into a small set of hot names instead of
    /// a heap copy per column.
    base: &'static str,
    /// Inline: no PostgreSQL type has more than two (`numeric(p, s)`).
    modifiers: SmallVec<[u32; 2]>,
    array: bool,
}

/// What a serial pseudo-type expands to; the loader adds the sequence default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    /// Not a serial type.
    No,
    /// `serial`, `bigserial`, `smallserial` and their `serialN` spellings.
    Yes,
}

/// How many distinct type spellings [`SqlType::parse_with_serial`] remembers per thread.
const PARSED_TYPES_KEPT: usize = 4096;

impl SqlType {
    /// Canonicalizes any spelling of a type. Never fails: a name that is not a known
    /// built-in is kept (folded) as a user-defined type.
    pub fn parse(text: &str) -> SqlType {
        Self::parse_with_serial(text).0
    }

    /// Like [`SqlType::parse`], also telling whether the spelling was a serial type
    /// (which implies `NOT NULL` and a `nextval` default).
    ///
    /// A catalog spells few distinct types over and over (100,000 columns of 5,000
    /// tables, some twenty spellings): each spelling is parsed once per thread and
    /// remembered, up to [`PARSED_TYPES_KEPT`] of them.
    pub fn parse_with_serial(text: &str) -> (SqlType, Serial) {
        thread_local! {
            static PARSED: std::cell::RefCell<foldhash::HashMap<String, (SqlType, Serial)>> =
                std::cell::RefCell::new(foldhash::HashMap::default());
        }
        if let Some(parsed) = PARSED.with(|parsed| parsed.borrow().get(text).cloned()) {
            return parsed;
        }
        let parsed = Self::parse_spelling(text);
        PARSED.with(|kept| {
            let mut kept = kept.borrow_mut();
            if kept.len() < PARSED_TYPES_KEPT {
                kept.insert(text.to_string(), parsed.clone());
            }
        });
        parsed
    }

    fn parse_spelling(text: &str) -> (SqlType, Serial) {
        let mut text = collapse_whitespace(text);
        let mut array = false;
        loop {
            let trimmed = text.trim_end();
            if let Some(open) = trimmed.rfind('[') {
                if trimmed.ends_with(']') {
                    text = trimmed[..open].trim_end().to_string();
                    array = true;
                    continue;
                }
            }
            // `get`: the last six bytes may cut a character of a non-ASCII name.
            let suffix = trimmed
                .len()
                .checked_sub(6)
                .and_then(|at| trimmed.get(at..));
            if suffix.is_some_and(|suffix| suffix.eq_ignore_ascii_case(" array")) {
                text = trimmed[..trimmed.len() - 6].to_string();
                array = true;
                continue;
            }
            break;
        }
        let (words, modifiers) = split_modifiers(&text);
        let lowered = fold_type_name(&words);
        let (lowered, internal_array) = match lowered.strip_prefix('_') {
            Some(element) if !element.is_empty() && is_builtin(element) => {
                (element.to_string(), true)
            }
            _ => (lowered, false),
        };
        let (base, modifiers, serial) = canonical_base(&lowered, modifiers);
        (
            SqlType {
                base: interned(base),
                modifiers: SmallVec::from_vec(modifiers),
                array: array || internal_array,
            },
            serial,
        )
    }

    /// The base type name without modifiers or array brackets: `character varying`,
    /// `numeric`, `timestamp with time zone`, `my_enum`.
    pub fn base(&self) -> &str {
        self.base
    }

    /// Type modifiers such as the length of `character varying(80)` or the precision
    /// and scale of `numeric(6,5)`.
    pub fn modifiers(&self) -> &[u32] {
        &self.modifiers
    }

    /// Whether this is an array type.
    pub fn is_array(&self) -> bool {
        self.array
    }

    /// The element type of an array (the type itself when it is not an array).
    pub fn element(&self) -> SqlType {
        SqlType {
            array: false,
            ..self.clone()
        }
    }

    /// The declared maximum length of a character type, if bounded.
    pub fn max_length(&self) -> Option<u32> {
        match self.base {
            "character varying" | "character" | "bit" | "bit varying" => {
                self.modifiers.first().copied()
            }
            _ => None,
        }
    }

    /// Whether the base is one of PostgreSQL's built-in types (not an enum, domain or
    /// extension type).
    pub fn is_builtin(&self) -> bool {
        is_builtin(self.base)
    }
}

impl fmt::Display for SqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, tail) = match self.base.split_once(" with") {
            Some((head, zone)) if head == "timestamp" || head == "time" => (head, Some(zone)),
            _ => (self.base, None),
        };
        f.write_str(head)?;
        for (position, modifier) in self.modifiers.iter().enumerate() {
            f.write_str(if position == 0 { "(" } else { "," })?;
            write!(f, "{modifier}")?;
        }
        if !self.modifiers.is_empty() {
            f.write_str(")")?;
        }
        if let Some(zone) = tail {
            write!(f, " with{zone}")?;
        }
        if self.array {
            f.write_str("[]")?;
        }
        Ok(())
    }
}

impl From<SqlType> for String {
    fn from(value: SqlType) -> String {
        value.to_string()
    }
}

impl From<String> for SqlType {
    fn from(value: String) -> SqlType {
        SqlType::parse(&value)
    }
}

/// By hand: derived, the `&'static str` base would make serde borrow it from the input.
impl<'de> Deserialize<'de> for SqlType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SqlType::from)
    }
}

/// The one copy of the base type name `name`, kept for the life of the process. The
/// names are the specs' and the catalog's types (a few dozen, bounded by the input),
/// so keeping them costs less than a copy in every column of every catalog.
fn interned(name: String) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(known) = names.get(name.as_str()) {
        return known;
    }
    let kept: &'static str = Box::leak(name.into_boxed_str());
    names.insert(kept);
    kept
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits `timestamp(3) with time zone` into (`timestamp with time zone`, [3]) and
/// `numeric(6, 5)` into (`numeric`, [6, 5]).
fn split_modifiers(text: &str) -> (String, Vec<u32>) {
    let Some(open) = text.find('(') else {
        return (text.to_string(), Vec::new());
    };
    let Some(close_offset) = text[open..].find(')') else {
        return (text.to_string(), Vec::new());
    };
    let close = open + close_offset;
    let inside = &text[open + 1..close];
    let parsed: Option<Vec<u32>> = inside
        .split(',')
        .map(|part| part.trim().parse().ok())
        .collect();
    match parsed {
        Some(modifiers) => {
            let words = format!(
                "{} {}",
                text[..open].trim_end(),
                text[close + 1..].trim_start()
            );
            (words.trim().to_string(), modifiers)
        }
        None => (modifier_tokens(text, open, close), Vec::new()),
    }
}

/// A type whose modifiers are not all numbers (an extension type's
/// `geometry(Polygon, 4326)`): the server passes them to the type's input function as
/// separate tokens and prints them with that type's output function, so spacing around
/// them is not part of the type. Each modifier is trimmed and the list joined with `,`,
/// as the output functions print it (`geometry(Polygon,4326)`).
fn modifier_tokens(text: &str, open: usize, close: usize) -> String {
    let tokens: Vec<&str> = text[open + 1..close].split(',').map(str::trim).collect();
    format!(
        "{}({}){}",
        text[..open].trim_end(),
        tokens.join(","),
        &text[close + 1..]
    )
}

/// Lower-cases unquoted parts, keeps quoted ones, and drops the qualifications
/// `format_type` does not print (`pg_catalog.`, `public.`).
fn fold_type_name(words: &str) -> String {
    let folded: String = super::name::split_identifier_path(words).join(".");
    for prefix in ["pg_catalog.", "public."] {
        if let Some(rest) = folded.strip_prefix(prefix) {
            return rest.to_string();
        }
    }
    folded
}

fn canonical_base(name: &str, modifiers: Vec<u32>) -> (String, Vec<u32>, Serial) {
    let plain = |base: &str| (base.to_string(), modifiers.clone(), Serial::No);
    match name {
        "int" | "int4" | "integer" => plain("integer"),
        "serial" | "serial4" => ("integer".into(), Vec::new(), Serial::Yes),
        "bigint" | "int8" => plain("bigint"),
        "bigserial" | "serial8" => ("bigint".into(), Vec::new(), Serial::Yes),
        "smallint" | "int2" => plain("smallint"),
        "smallserial" | "serial2" => ("smallint".into(), Vec::new(), Serial::Yes),
        "bool" | "boolean" => plain("boolean"),
        "real" | "float4" => plain("real"),
        "double precision" | "float8" => plain("double precision"),
        "float" => match modifiers.first() {
            Some(bits) if *bits <= 24 => ("real".into(), Vec::new(), Serial::No),
            _ => ("double precision".into(), Vec::new(), Serial::No),
        },
        "numeric" | "decimal" | "dec" => match modifiers.as_slice() {
            [precision] => ("numeric".into(), vec![*precision, 0], Serial::No),
            _ => plain("numeric"),
        },
        "varchar" | "character varying" | "char varying" => plain("character varying"),
        "char" | "character" => match modifiers.as_slice() {
            [] => ("character".into(), vec![1], Serial::No),
            _ => plain("character"),
        },
        "bpchar" => match modifiers.as_slice() {
            [] => plain("bpchar"),
            _ => plain("character"),
        },
        "bit" => match modifiers.as_slice() {
            [] => ("bit".into(), vec![1], Serial::No),
            _ => plain("bit"),
        },
        "varbit" | "bit varying" => plain("bit varying"),
        "timestamp" | "timestamp without time zone" => plain("timestamp without time zone"),
        "timestamptz" | "timestamp with time zone" => plain("timestamp with time zone"),
        "time" | "time without time zone" => plain("time without time zone"),
        "timetz" | "time with time zone" => plain("time with time zone"),
        other => plain(other),
    }
}

const BUILTIN_TYPES: &[&str] = &[
    "integer",
    "bigint",
    "smallint",
    "boolean",
    "real",
    "double precision",
    "numeric",
    "character varying",
    "character",
    "bpchar",
    "text",
    "bit",
    "bit varying",
    "timestamp without time zone",
    "timestamp with time zone",
    "time without time zone",
    "time with time zone",
    "date",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "bytea",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "money",
    "xml",
    "tsvector",
    "tsquery",
    "oid",
    "name",
    "regclass",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "int",
    "int4",
    "int8",
    "int2",
    "bool",
    "float4",
    "float8",
    "varchar",
    "char",
    "timestamp",
    "timestamptz",
    "time",
    "timetz",
    "varbit",
    "decimal",
];

fn is_builtin(name: &str) -> bool {
    BUILTIN_TYPES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_base_shares_one_name_and_modifiers_stay_exact() {
        let (short, long) = (SqlType::parse("int4"), SqlType::parse("INTEGER"));
        assert!(std::ptr::eq(short.base(), long.base()));
        let user = SqlType::parse("App.mood(1, 2, 3)[]");
        assert_eq!(user.modifiers(), &[1, 2, 3]);
        assert!(user.is_array());
        assert_eq!(user.to_string(), "app.mood(1,2,3)[]");
        let decoded: SqlType = serde_json::from_str("\"numeric(6,5)\"").expect("a type");
        assert_eq!(decoded, SqlType::parse("decimal(6, 5)"));
    }

    fn canon(text: &str) -> String {
        SqlType::parse(text).to_string()
    }

    #[test]
    fn aliases_normalize_to_format_type_names() {
        let table = [
            ("int", "integer"),
            ("INT4", "integer"),
            ("integer", "integer"),
            ("serial", "integer"),
            ("bigserial", "bigint"),
            ("int8", "bigint"),
            ("smallint", "smallint"),
            ("int2", "smallint"),
            ("varchar(255)", "character varying(255)"),
            ("VARCHAR(255)", "character varying(255)"),
            ("character varying(80)", "character varying(80)"),
            ("varchar", "character varying"),
            ("char(3)", "character(3)"),
            ("char", "character(1)"),
            ("bpchar", "bpchar"),
            ("text", "text"),
            ("bool", "boolean"),
            ("timestamptz", "timestamp with time zone"),
            ("timestamp", "timestamp without time zone"),
            ("timestamp(3) with time zone", "timestamp(3) with time zone"),
            ("timestamptz(3)", "timestamp(3) with time zone"),
            ("time", "time without time zone"),
            ("timetz", "time with time zone"),
            ("date", "date"),
            ("interval", "interval"),
            ("numeric(6,5)", "numeric(6,5)"),
            ("numeric(6, 5)", "numeric(6,5)"),
            ("decimal", "numeric"),
            ("decimal(10,2)", "numeric(10,2)"),
            ("numeric(10)", "numeric(10,0)"),
            ("real", "real"),
            ("float4", "real"),
            ("double precision", "double precision"),
            ("float8", "double precision"),
            ("float", "double precision"),
            ("float(10)", "real"),
            ("uuid", "uuid"),
            ("json", "json"),
            ("jsonb", "jsonb"),
            ("bytea", "bytea"),
            ("text[]", "text[]"),
            ("_text", "text[]"),
            ("_int4", "integer[]"),
            ("varchar(10)[]", "character varying(10)[]"),
            ("integer[][]", "integer[]"),
            ("int ARRAY", "integer[]"),
            ("pg_catalog.int4", "integer"),
            ("public.reconciliation_state", "reconciliation_state"),
            ("Reconciliation_State", "reconciliation_state"),
            ("billing.money_amount", "billing.money_amount"),
            ("  character   varying ( 12 ) ", "character varying(12)"),
            ("bıgınt", "bıgınt"),
            ("public.geometry(Polygon, 4326)", "geometry(polygon,4326)"),
            ("geometry ( Point ,4326 )", "geometry(point,4326)"),
            (
                "extensions.geometry(MultiPolygon,4326)[]",
                "extensions.geometry(multipolygon,4326)[]",
            ),
            ("geo(10, 2)", "geo(10,2)"),
            ("bıgınt[]", "bıgınt[]"),
        ];
        for (spelling, expected) in table {
            assert_eq!(canon(spelling), expected, "spelling {spelling:?}");
        }
    }

    #[test]
    fn serial_spellings_are_flagged() {
        assert_eq!(SqlType::parse_with_serial("bigserial").1, Serial::Yes);
        assert_eq!(SqlType::parse_with_serial("serial4").1, Serial::Yes);
        assert_eq!(SqlType::parse_with_serial("integer").1, Serial::No);
    }

    #[test]
    fn exposes_length_and_element() {
        let t = SqlType::parse("varchar(120)[]");
        assert!(t.is_array());
        assert_eq!(t.element().max_length(), Some(120));
        assert_eq!(SqlType::parse("text").max_length(), None);
        assert!(SqlType::parse("int4").is_builtin());
        assert!(!SqlType::parse("my_enum").is_builtin());
    }

    #[test]
    fn round_trips_through_json() {
        let t = SqlType::parse("timestamptz(3)");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"timestamp(3) with time zone\"");
        assert_eq!(serde_json::from_str::<SqlType>(&json).unwrap(), t);
    }
}
