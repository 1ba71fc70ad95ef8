//! Valid rows synthesized from the specs: values of every column's type that the column's
//! CHECKs, enum or domain allow, parent rows first for foreign keys, fresh values for
//! unique columns. Pure: the rows are SQL text for the probes to send.

use super::sql::{quote_identifier, quote_literal, relation_sql};
use crate::model::{Catalog, Column, ConstraintKind, Identity, QualifiedName, Relation, SqlType};
use crate::sql::normalize::{check_bounds, Bound, ColumnBounds};
use std::collections::{BTreeMap, BTreeSet};

/// A column's value in a synthesized row: an SQL literal, or `None` for NULL.
pub(super) type Value = Option<String>;

/// How a table's valid row is chosen among the candidates tried on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(super) struct Variant {
    /// Nullable columns without a default get values too (else they stay NULL).
    pub fill_nullable: bool,
    /// Bounded columns get the highest value their CHECK allows (else the lowest), and
    /// listed ones the last value of their list (else the first).
    pub high: bool,
}

impl Variant {
    /// Every variant, in the order they are tried.
    pub(super) const ALL: [Variant; 4] = [
        Variant {
            fill_nullable: false,
            high: false,
        },
        Variant {
            fill_nullable: true,
            high: false,
        },
        Variant {
            fill_nullable: false,
            high: true,
        },
        Variant {
            fill_nullable: true,
            high: true,
        },
    ];
}

/// A row the synthesizer made: its table and its explicit values. Columns left out get
/// their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    pub table: QualifiedName,
    pub values: BTreeMap<String, Value>,
    /// An identity `ALWAYS` column is among the values.
    pub overriding: bool,
}

impl Row {
    /// `INSERT INTO t (…) [OVERRIDING SYSTEM VALUE] VALUES (…)`.
    pub(super) fn insert_sql(&self) -> String {
        if self.values.is_empty() {
            return format!("INSERT INTO {} DEFAULT VALUES", relation_sql(&self.table));
        }
        let columns: Vec<String> = self.values.keys().map(|c| quote_identifier(c)).collect();
        let values: Vec<&str> = self
            .values
            .values()
            .map(|value| value.as_deref().unwrap_or("NULL"))
            .collect();
        format!(
            "INSERT INTO {} ({}){} VALUES ({})",
            relation_sql(&self.table),
            columns.join(", "),
            if self.overriding {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            },
            values.join(", ")
        )
    }

    /// `"a" = 1 AND "b" = 'x'` over `columns` (a NULL value as `IS NULL`).
    pub(super) fn condition(&self, columns: &[String]) -> String {
        columns
            .iter()
            .map(|column| match self.values.get(column).cloned().flatten() {
                Some(value) => format!("{} = {value}", quote_identifier(column)),
                None => format!("{} IS NULL", quote_identifier(column)),
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// The rows inserted so far for one probe, parents before children.
#[derive(Debug, Clone, Default)]
pub(super) struct Chain {
    pub rows: Vec<Row>,
    /// How many of the rows are shared by every probe of a batch (inserted once before
    /// them): [`Chain::inserts`] leaves them out, and a foreign key reuses them.
    shared: usize,
}

impl Chain {
    /// A chain that starts with the rows of `shared`, which a probe's rows reuse as
    /// parents and does not insert again.
    pub(super) fn sharing(shared: &Chain) -> Chain {
        Chain {
            rows: shared.rows.clone(),
            shared: shared.rows.len(),
        }
    }

    /// A shared row of `table`, to reuse as a parent that no value pins down.
    fn shared_row(&self, table: &QualifiedName) -> Option<&Row> {
        self.rows[..self.shared]
            .iter()
            .find(|row| &row.table == table)
    }

    /// A row of `table` whose `columns` hold `values`, if one was inserted.
    fn find(&self, table: &QualifiedName, wanted: &BTreeMap<String, Value>) -> Option<&Row> {
        self.rows.iter().find(|row| {
            &row.table == table
                && wanted
                    .iter()
                    .all(|(column, value)| row.values.get(column) == Some(value))
        })
    }

    /// The INSERT statements of every row, the shared ones too, in order.
    pub(super) fn all_inserts(&self) -> Vec<String> {
        self.rows.iter().map(Row::insert_sql).collect()
    }

    /// The INSERT statements of every row but the shared ones, in order.
    pub(super) fn inserts(&self) -> Vec<String> {
        self.rows[self.shared..]
            .iter()
            .map(Row::insert_sql)
            .collect()
    }
}

/// Why a row cannot be synthesized.
pub(super) type Unsynthesizable = String;

/// What the specs say about one table, read once.
#[derive(Debug, Default)]
struct TableFacts {
    /// CHECK bounds by column, from every CHECK of the table.
    bounds: BTreeMap<String, ColumnBounds>,
    /// Allowed values by column (a CHECK's list).
    allowed: BTreeMap<String, Vec<String>>,
    /// Columns of primary keys, unique constraints and unique indexes.
    unique: BTreeSet<String>,
}

/// The foreign keys of a table: name, columns, referenced table and columns.
pub(super) struct ForeignKey<'a> {
    pub name: &'a str,
    pub columns: &'a [String],
    pub references: &'a QualifiedName,
    pub referenced_columns: Vec<String>,
}

/// The foreign keys of `relation` with their referenced columns resolved (the parent's
/// primary key when none are written), smallest first.
pub(super) fn foreign_keys<'a>(catalog: &Catalog, relation: &'a Relation) -> Vec<ForeignKey<'a>> {
    let mut keys: Vec<ForeignKey> = relation
        .constraints
        .values()
        .filter_map(|constraint| match &constraint.kind {
            ConstraintKind::ForeignKey {
                columns,
                references,
                referenced_columns,
                ..
            } => {
                let referenced_columns = if referenced_columns.is_empty() {
                    primary_key(catalog.relations.get(references)?)?.to_vec()
                } else {
                    referenced_columns.clone()
                };
                (referenced_columns.len() == columns.len()).then_some(ForeignKey {
                    name: &constraint.name,
                    columns,
                    references,
                    referenced_columns,
                })
            }
            _ => None,
        })
        .collect();
    keys.sort_by_key(|key| (key.columns.len(), key.name));
    keys
}

/// The primary key columns of `relation`.
pub(super) fn primary_key(relation: &Relation) -> Option<&[String]> {
    relation
        .constraints
        .values()
        .find_map(|constraint| match &constraint.kind {
            ConstraintKind::PrimaryKey { columns } => Some(columns.as_slice()),
            _ => None,
        })
}

/// Makes rows of the specs' tables.
pub(super) struct Synth<'a> {
    catalog: &'a Catalog,
    default_schema: &'a str,
    /// The variant chosen for each table (the first variant when none is).
    pub variants: BTreeMap<QualifiedName, Variant>,
    facts: BTreeMap<QualifiedName, TableFacts>,
    /// Columns referenced by some foreign key, by table: they always get values.
    referenced: BTreeMap<QualifiedName, BTreeSet<String>>,
    /// The foreign keys into each table: the referencing table and the key's name.
    referencing: BTreeMap<QualifiedName, Vec<(QualifiedName, String)>>,
    seed: u64,
}

/// What one call of [`Synth::row`] must respect.
#[derive(Debug, Clone, Default)]
pub(super) struct Wanted {
    /// Values the row must have.
    pub fixed: BTreeMap<String, Value>,
    /// Columns that must get a value even when they have a default or may be NULL.
    pub explicit: BTreeSet<String>,
    /// Foreign keys of the table to leave unsatisfied (their columns get plain values).
    pub ignored_keys: BTreeSet<String>,
}

impl Wanted {
    /// A row with these fixed values.
    pub(super) fn fixed(fixed: BTreeMap<String, Value>) -> Wanted {
        Wanted {
            fixed,
            ..Wanted::default()
        }
    }
}

/// How deep parent rows may nest (a longer chain of foreign keys is skipped).
const MAX_DEPTH: usize = 16;

impl<'a> Synth<'a> {
    /// A synthesizer for the tables of `catalog`.
    pub(super) fn new(catalog: &'a Catalog, default_schema: &'a str) -> Synth<'a> {
        let mut referenced: BTreeMap<QualifiedName, BTreeSet<String>> = BTreeMap::new();
        let mut referencing: BTreeMap<QualifiedName, Vec<(QualifiedName, String)>> =
            BTreeMap::new();
        for relation in catalog.relations.values() {
            for key in foreign_keys(catalog, relation) {
                referenced
                    .entry(key.references.clone())
                    .or_default()
                    .extend(key.referenced_columns.iter().cloned());
                referencing
                    .entry(key.references.clone())
                    .or_default()
                    .push((relation.name.clone(), key.name.to_string()));
            }
        }
        Synth {
            catalog,
            default_schema,
            variants: BTreeMap::new(),
            facts: BTreeMap::new(),
            referenced,
            referencing,
            seed: 0,
        }
    }

    /// The foreign keys into `table`: each referencing table and key name.
    pub(super) fn keys_into(&self, table: &QualifiedName) -> &[(QualifiedName, String)] {
        self.referencing.get(table).map_or(&[], Vec::as_slice)
    }

    /// The last seed given out.
    pub(super) fn seed(&self) -> u64 {
        self.seed
    }

    /// Gives out seeds after `seed` again (to make alternatives of one row).
    pub(super) fn rewind(&mut self, seed: u64) {
        self.seed = seed;
    }

    /// A new seed: every row gets its own, so unique columns never collide.
    pub(super) fn next_seed(&mut self) -> u64 {
        self.seed += 1;
        self.seed
    }

    /// A row of `table` respecting `wanted`, added to `chain` after the parent rows it
    /// needs (reusing rows of the chain that have the values a foreign key needs).
    pub(super) fn row(
        &mut self,
        table: &QualifiedName,
        wanted: &Wanted,
        chain: &mut Chain,
    ) -> Result<Row, Unsynthesizable> {
        self.row_at(table, wanted, chain, &mut Vec::new())
    }

    fn row_at(
        &mut self,
        table: &QualifiedName,
        wanted: &Wanted,
        chain: &mut Chain,
        path: &mut Vec<QualifiedName>,
    ) -> Result<Row, Unsynthesizable> {
        let catalog = self.catalog;
        let relation = catalog
            .relations
            .get(table)
            .filter(|relation| relation.kind.is_table())
            .ok_or_else(|| format!("{table} is not a table of the specs"))?;
        if path.contains(table) {
            return Err(format!(
                "the foreign keys form a cycle through {} and {table}",
                path.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if path.len() >= MAX_DEPTH {
            return Err(format!(
                "the chain of parent rows {table} needs is deeper than {MAX_DEPTH}"
            ));
        }
        path.push(table.clone());
        let result = self.fill(relation, wanted, chain, path);
        path.pop();
        let row = result?;
        chain.rows.push(row.clone());
        Ok(row)
    }

    fn fill(
        &mut self,
        relation: &Relation,
        wanted: &Wanted,
        chain: &mut Chain,
        path: &mut Vec<QualifiedName>,
    ) -> Result<Row, Unsynthesizable> {
        let catalog = self.catalog;
        let seed = self.next_seed();
        let variant = self
            .variants
            .get(&relation.name)
            .copied()
            .unwrap_or_default();
        let mut values = wanted.fixed.clone();
        for key in foreign_keys(catalog, relation) {
            if wanted.ignored_keys.contains(key.name) {
                continue;
            }
            if key.references == &relation.name {
                // A self-reference is left NULL where it may be; a row cannot come first
                // and point at itself otherwise.
                for column in key.columns {
                    let nullable = relation
                        .column(column)
                        .is_some_and(|column| !column.not_null);
                    if !nullable && !values.contains_key(column) {
                        return Err(format!(
                            "the self-referencing foreign key {} of {} is on NOT NULL columns",
                            key.name, relation.name
                        ));
                    }
                    values.entry(column.clone()).or_insert(None);
                }
                continue;
            }
            let known: BTreeMap<String, Value> = key
                .columns
                .iter()
                .zip(&key.referenced_columns)
                .filter_map(|(column, referenced)| {
                    values
                        .get(column)
                        .map(|value| (referenced.clone(), value.clone()))
                })
                .collect();
            if known.values().any(Option::is_none) {
                // MATCH SIMPLE: a NULL in the key satisfies it.
                continue;
            }
            let parent = if known.is_empty() {
                chain.shared_row(key.references).cloned()
            } else {
                chain.find(key.references, &known).cloned()
            };
            let parent = match parent {
                Some(parent) => parent,
                None => {
                    let parent_wanted = Wanted {
                        explicit: key.referenced_columns.iter().cloned().collect(),
                        ..Wanted::fixed(known)
                    };
                    self.row_at(key.references, &parent_wanted, chain, path)?
                }
            };
            for (column, referenced) in key.columns.iter().zip(&key.referenced_columns) {
                let value = parent.values.get(referenced).cloned().flatten();
                values.entry(column.clone()).or_insert(value);
            }
        }
        let facts = self.facts_of(relation);
        let constrained: BTreeSet<String> = facts
            .unique
            .iter()
            .chain(facts.bounds.keys())
            .chain(facts.allowed.keys())
            .cloned()
            .collect();
        let referenced = self
            .referenced
            .get(&relation.name)
            .cloned()
            .unwrap_or_default();
        let mut overriding = false;
        for column in &relation.columns {
            if column.generated.is_some() {
                continue;
            }
            if column.identity == Some(Identity::Always) && values.contains_key(&column.name) {
                overriding = true;
            }
            if values.contains_key(&column.name) {
                continue;
            }
            let has_default = column.default.is_some() || column.identity.is_some();
            let needed = wanted.explicit.contains(&column.name)
                || (column.not_null && !has_default)
                || constrained.contains(&column.name)
                || referenced.contains(&column.name)
                || self.is_domain(column)
                || (variant.fill_nullable && !has_default);
            if !needed {
                continue;
            }
            let value = self.value(relation, column, seed, variant)?;
            if column.identity == Some(Identity::Always) {
                overriding = true;
            }
            values.insert(column.name.clone(), Some(value));
        }
        Ok(Row {
            table: relation.name.clone(),
            values,
            overriding,
        })
    }

    /// Whether the column's type is a domain, whose CHECKs may refuse NULL or the
    /// column's default.
    fn is_domain(&self, column: &Column) -> bool {
        column.data_type.as_ref().is_some_and(|data_type| {
            self.catalog
                .domain_for(data_type, self.default_schema)
                .is_some()
        })
    }

    fn facts_of(&mut self, relation: &Relation) -> &TableFacts {
        self.facts
            .entry(relation.name.clone())
            .or_insert_with(|| table_facts(relation))
    }

    /// A value of `column` allowed by its type, CHECKs, enum or domain.
    pub(super) fn value(
        &mut self,
        relation: &Relation,
        column: &Column,
        seed: u64,
        variant: Variant,
    ) -> Result<String, Unsynthesizable> {
        let facts = self.facts_of(relation);
        let allowed = facts.allowed.get(&column.name).cloned();
        let bounds = facts.bounds.get(&column.name).cloned().unwrap_or_default();
        let data_type = column.data_type.clone().ok_or_else(|| {
            format!(
                "the type of {} is not known",
                relation.name.child(&column.name)
            )
        })?;
        let pick = |values: &[String]| {
            let chosen = if variant.high {
                values.last()
            } else {
                values.first()
            };
            chosen.map(|value| quote_literal(value))
        };
        if let Some(values) = allowed {
            if let Some(value) = pick(&values) {
                return Ok(value);
            }
        }
        if data_type.is_array() {
            return Ok("'{}'".into());
        }
        if let Some(labels) = self
            .catalog
            .enum_for(&data_type, self.default_schema)
            .map(|enum_type| enum_type.values.clone())
        {
            return pick(&labels).ok_or_else(|| format!("the enum {data_type} has no labels"));
        }
        let mut base_type = data_type.clone();
        let mut bounds = bounds;
        if let Some(domain) = self.catalog.domain_for(&data_type, self.default_schema) {
            if let Some(value) = domain.allowed_values.as_deref().and_then(pick) {
                return Ok(value);
            }
            for check in &domain.checks {
                if let Some(domain_bounds) = check_bounds(check.text()).remove("value") {
                    bounds = merge(bounds, domain_bounds);
                }
            }
            base_type = domain.base_type.clone();
        }
        typed_value(&base_type, &bounds, seed, variant).ok_or_else(|| {
            format!(
                "pgparity cannot make a value of type {data_type} for {}",
                relation.name.child(&column.name)
            )
        })
    }
}

/// Bounds of two sources together (the later source wins where both bound).
fn merge(mut first: ColumnBounds, second: ColumnBounds) -> ColumnBounds {
    first.lower = second.lower.or(first.lower);
    first.upper = second.upper.or(first.upper);
    first.min_length = second.min_length.or(first.min_length);
    first.max_length = second.max_length.or(first.max_length);
    first
}

fn table_facts(relation: &Relation) -> TableFacts {
    let mut facts = TableFacts::default();
    for constraint in relation.constraints.values() {
        match &constraint.kind {
            ConstraintKind::Check { expression } => {
                for (column, bounds) in check_bounds(crate::sql::check_expression(expression)) {
                    let merged = merge(facts.bounds.remove(&column).unwrap_or_default(), bounds);
                    facts.bounds.insert(column, merged);
                }
                for (column, values) in &constraint.allowed_values {
                    facts
                        .allowed
                        .entry(column.clone())
                        .or_insert_with(|| values.clone());
                }
            }
            ConstraintKind::PrimaryKey { columns } | ConstraintKind::Unique { columns, .. } => {
                facts.unique.extend(columns.iter().cloned());
            }
            _ => {}
        }
    }
    for index in relation.indexes.values().filter(|index| index.unique) {
        facts
            .unique
            .extend(index.leading_columns().into_iter().map(str::to_string));
    }
    facts
}

/// The smallest step of a numeric type: 1 for integers, the last digit of a
/// `numeric(p,s)`, a small fraction for other numbers.
pub(super) fn numeric_step(data_type: &SqlType, literal: &str) -> Option<Decimal> {
    match data_type.base() {
        "smallint" | "integer" | "bigint" | "money" => Some(Decimal::unit(0)),
        "numeric" => match data_type.modifiers() {
            [_, scale] => Some(Decimal::unit(*scale)),
            [_] => Some(Decimal::unit(0)),
            _ => Some(Decimal::unit(Decimal::parse(literal)?.scale + 5)),
        },
        "real" | "double precision" => Some(Decimal::unit(Decimal::parse(literal)?.scale + 5)),
        _ => None,
    }
}

/// Whether `data_type` is one of the number types probes can step through.
pub(super) fn is_number(data_type: &SqlType) -> bool {
    matches!(
        data_type.base(),
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision" | "money"
    )
}

/// A value just inside (`inside`) or just outside a bound, as SQL text: exact decimal
/// arithmetic for numbers, one day for dates, one microsecond for timestamps; `None`
/// for other types.
pub(super) fn beside(
    data_type: &SqlType,
    bound: &Bound,
    upper: bool,
    inside: bool,
) -> Option<String> {
    // Inside an inclusive bound is the bound itself; outside an exclusive one too.
    if bound.inclusive == inside {
        return Some(bound.literal.clone());
    }
    // One step inward (inside an exclusive bound) or outward (outside an inclusive one).
    let downward = upper == inside;
    if bound.numeric && is_number(data_type) {
        let value = Decimal::parse(&bound.literal)?;
        let step = numeric_step(data_type, &bound.literal)?;
        let moved = if downward {
            value.minus(&step)?
        } else {
            value.plus(&step)?
        };
        return Some(moved.to_string());
    }
    let sign = if downward { '-' } else { '+' };
    match data_type.base() {
        "date" => Some(format!("({}::date {sign} 1)", bound.literal)),
        "timestamp with time zone" | "timestamp without time zone" => Some(format!(
            "({}::{} {sign} interval '1 microsecond')",
            bound.literal,
            data_type.base()
        )),
        _ => None,
    }
}

/// A value of a built-in `data_type` within `bounds`, unique per `seed` where the type
/// allows it.
fn typed_value(
    data_type: &SqlType,
    bounds: &ColumnBounds,
    seed: u64,
    variant: Variant,
) -> Option<String> {
    let base = data_type.base();
    if is_number(data_type) && (bounds.lower.is_some() || bounds.upper.is_some()) {
        let (first, second, upper_first) = if variant.high {
            (&bounds.upper, &bounds.lower, true)
        } else {
            (&bounds.lower, &bounds.upper, false)
        };
        if let Some(bound) = first.as_ref().filter(|bound| bound.numeric) {
            return beside(data_type, bound, upper_first, true);
        }
        if let Some(bound) = second.as_ref().filter(|bound| bound.numeric) {
            return beside(data_type, bound, !upper_first, true);
        }
    }
    if matches!(
        base,
        "date" | "timestamp with time zone" | "timestamp without time zone"
    ) {
        let bound = if variant.high {
            bounds.upper.as_ref().map(|bound| (bound, true))
        } else {
            bounds.lower.as_ref().map(|bound| (bound, false))
        }
        .or_else(|| bounds.lower.as_ref().map(|bound| (bound, false)))
        .or_else(|| bounds.upper.as_ref().map(|bound| (bound, true)));
        if let Some((bound, upper)) = bound.filter(|(bound, _)| !bound.numeric) {
            return beside(data_type, bound, upper, true);
        }
    }
    let day = seed % 3650;
    Some(match base {
        "smallint" => (seed % 30000).to_string(),
        "integer" | "bigint" | "money" => seed.to_string(),
        "numeric" => match data_type.modifiers() {
            // PostgreSQL 15 allows a scale above the precision: only tiny values fit.
            [precision, scale] if precision < scale => "0".to_string(),
            [precision, scale] if precision == scale => {
                format!(
                    "0.{:0width$}",
                    seed % 10u64.pow((*scale).min(9)),
                    width = *scale as usize
                )
            }
            [precision, scale] => (seed % 10u64.pow((precision - scale).min(9))).to_string(),
            _ => seed.to_string(),
        },
        "real" | "double precision" => seed.to_string(),
        "text" | "character varying" | "character" | "citext" | "name" => {
            let mut text = format!("v{seed}");
            if let Some(min) = bounds.min_length {
                while (text.len() as u64) < min {
                    text.push('x');
                }
            }
            let limit = bounds
                .max_length
                .into_iter()
                .chain(data_type.max_length().map(u64::from))
                .min();
            if let Some(limit) = limit {
                // Keep the digits (what makes the value unique) when cutting.
                let keep = usize::try_from(limit).unwrap_or(usize::MAX);
                if text.len() > keep {
                    text = text[text.len() - keep..].to_string();
                }
            }
            quote_literal(&text)
        }
        "boolean" => "true".into(),
        "uuid" => format!("'00000000-0000-4000-8000-{seed:012}'"),
        "date" => format!("'{}'", date_after(day)),
        "timestamp with time zone" => format!("'{} 00:00:00+00'", date_after(day)),
        "timestamp without time zone" => format!("'{} 00:00:00'", date_after(day)),
        "time without time zone" | "time with time zone" => {
            format!(
                "'{:02}:{:02}:{:02}'",
                (seed / 3600) % 24,
                (seed / 60) % 60,
                seed % 60
            )
        }
        "interval" => format!("'{seed} seconds'"),
        "json" | "jsonb" => format!("'{{\"pgparity\": {seed}}}'"),
        "bytea" => format!("'\\x{seed:04x}'"),
        "inet" => format!(
            "'10.{}.{}.{}'",
            (seed >> 16) % 256,
            (seed >> 8) % 256,
            seed % 256
        ),
        "cidr" => format!("'10.{}.{}.0/24'", (seed >> 8) % 256, seed % 256),
        "macaddr" => format!(
            "'08:00:2b:{:02x}:{:02x}:{:02x}'",
            (seed >> 16) % 256,
            (seed >> 8) % 256,
            seed % 256
        ),
        "xml" => "'<pgparity/>'".into(),
        // Ranges apart from each other per seed (an exclusion constraint on `&&`).
        "int4range" | "int8range" | "numrange" => {
            format!("'[{},{})'", seed * 10, seed * 10 + 5)
        }
        "daterange" => format!("'[{},{})'", date_after(day), date_after(day + 1)),
        "tsrange" => format!(
            "'[{} 00:00:00,{} 12:00:00)'",
            date_after(day),
            date_after(day)
        ),
        "tstzrange" => format!(
            "'[{} 00:00:00+00,{} 12:00:00+00)'",
            date_after(day),
            date_after(day)
        ),
        "tsvector" => "''".into(),
        _ => return None,
    })
}

/// The date `days` after 2000-01-01, as `YYYY-MM-DD`.
fn date_after(days: u64) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    (start + chrono::Days::new(days))
        .format("%Y-%m-%d")
        .to_string()
}

/// A decimal number as digits and a scale, for exact steps next to a bound
/// (`1 + 0.00001` is `1.00001`, never `1.0000099999`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Decimal {
    /// The value times 10^scale.
    units: i128,
    /// Digits after the point.
    scale: u32,
}

impl Decimal {
    /// 10^-scale.
    fn unit(scale: u32) -> Decimal {
        Decimal { units: 1, scale }
    }

    /// `-1.5`, `0`, `10`; `None` for anything else (exponents, too many digits).
    pub(super) fn parse(text: &str) -> Option<Decimal> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
            || whole.len() + fraction.len() > 30
        {
            return None;
        }
        let units: i128 = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal {
            units: if negative { -units } else { units },
            scale: u32::try_from(fraction.len()).ok()?,
        })
    }

    /// The units at `scale` (at least the value's own); `None` past i128.
    fn rescaled(&self, scale: u32) -> Option<i128> {
        10i128
            .checked_pow(scale - self.scale)
            .and_then(|factor| self.units.checked_mul(factor))
    }

    /// `self + other`; `None` past i128.
    pub(super) fn plus(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        Some(Decimal {
            units: self.rescaled(scale)?.checked_add(other.rescaled(scale)?)?,
            scale,
        })
    }

    /// `self - other`; `None` past i128.
    pub(super) fn minus(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        Some(Decimal {
            units: self.rescaled(scale)?.checked_sub(other.rescaled(scale)?)?,
            scale,
        })
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::spec::load_spec_text;

    fn bound(literal: &str, inclusive: bool) -> Bound {
        Bound {
            literal: literal.into(),
            numeric: true,
            inclusive,
        }
    }

    #[test]
    fn values_beside_a_bound_are_exact() {
        let ratio = SqlType::parse("numeric(6,5)");
        assert_eq!(
            beside(&ratio, &bound("1", true), true, false).unwrap(),
            "1.00001"
        );
        assert_eq!(beside(&ratio, &bound("1", true), true, true).unwrap(), "1");
        assert_eq!(
            beside(&ratio, &bound("0", true), false, false).unwrap(),
            "-0.00001"
        );
        let cents = SqlType::parse("integer");
        assert_eq!(
            beside(&cents, &bound("0", false), false, false).unwrap(),
            "0"
        );
        assert_eq!(
            beside(&cents, &bound("0", false), false, true).unwrap(),
            "1"
        );
        assert_eq!(
            beside(&cents, &bound("0", true), false, false).unwrap(),
            "-1"
        );
        assert_eq!(
            beside(&cents, &bound("10", false), true, true).unwrap(),
            "9"
        );
        let plain = SqlType::parse("numeric");
        assert_eq!(
            beside(&plain, &bound("0.5", true), true, false).unwrap(),
            "0.500001"
        );
        let day = SqlType::parse("date");
        let start = Bound {
            literal: "'2020-01-01'".into(),
            numeric: false,
            inclusive: true,
        };
        assert_eq!(
            beside(&day, &start, false, false).unwrap(),
            "('2020-01-01'::date - 1)"
        );
        assert_eq!(Decimal::parse("-0.05").unwrap().to_string(), "-0.05");
        assert_eq!(Decimal::parse("1e5"), None);
        let huge = Bound {
            literal: "9".repeat(30),
            numeric: true,
            inclusive: true,
        };
        assert_eq!(
            beside(&plain, &huge, true, false).as_deref(),
            Some("999999999999999999999999999999.00001"),
            "30 digits and 5 more stay exact"
        );
        assert_eq!(
            beside(&plain, &bound(&"9".repeat(31), true), true, false),
            None
        );
    }

    #[test]
    fn a_valid_row_gets_its_parents_first_and_values_its_checks_allow() {
        let specs = load_spec_text(
            "spec.sql",
            "CREATE TABLE tenants (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), slug varchar(8) NOT NULL UNIQUE);
             CREATE TABLE events (id uuid PRIMARY KEY, tenant_id uuid NOT NULL REFERENCES tenants (id),
                 CONSTRAINT uq UNIQUE (tenant_id, id));
             CREATE TABLE allocations (
                 id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                 tenant_id uuid NOT NULL REFERENCES tenants (id),
                 event_id uuid NOT NULL,
                 ratio numeric(6,5) NOT NULL CHECK (ratio >= 0 AND ratio <= 1),
                 state text NOT NULL DEFAULT 'idle' CHECK (state IN ('idle', 'done')),
                 note text,
                 FOREIGN KEY (tenant_id, event_id) REFERENCES events (tenant_id, id));",
            "public",
        );
        assert!(specs.problems.is_empty(), "{:?}", specs.problems);
        let mut synth = Synth::new(&specs.catalog, "public");
        let mut chain = Chain::default();
        let table = QualifiedName::new("public", "allocations");
        let row = synth.row(&table, &Wanted::default(), &mut chain).unwrap();
        assert_eq!(
            chain.inserts(),
            [
                "INSERT INTO \"public\".\"tenants\" (\"id\", \"slug\") VALUES ('00000000-0000-4000-8000-000000000002', 'v2')",
                "INSERT INTO \"public\".\"events\" (\"id\", \"tenant_id\") VALUES ('00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000002')",
                "INSERT INTO \"public\".\"allocations\" (\"event_id\", \"id\", \"ratio\", \"state\", \"tenant_id\") OVERRIDING SYSTEM VALUE VALUES ('00000000-0000-4000-8000-000000000003', 1, 0, 'idle', '00000000-0000-4000-8000-000000000002')",
            ]
        );
        assert!(row.overriding);
        synth.variants.insert(
            table.clone(),
            Variant {
                fill_nullable: true,
                high: true,
            },
        );
        let row = synth
            .row(&table, &Wanted::default(), &mut Chain::default())
            .unwrap();
        assert_eq!(row.values["ratio"].as_deref(), Some("1"));
        assert_eq!(row.values["state"].as_deref(), Some("'done'"));
        assert_eq!(row.values["note"].as_deref(), Some("'v4'"));
    }

    #[test]
    fn cycles_and_unknown_types_are_reasons_not_panics() {
        let specs = load_spec_text(
            "spec.sql",
            "CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL);
             CREATE TABLE b (id int PRIMARY KEY, a_id int NOT NULL REFERENCES a (id));
             ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b (id);
             CREATE TABLE g (id int PRIMARY KEY, shape point NOT NULL);",
            "public",
        );
        let mut synth = Synth::new(&specs.catalog, "public");
        let error = synth
            .row(
                &QualifiedName::new("public", "a"),
                &Wanted::default(),
                &mut Chain::default(),
            )
            .unwrap_err();
        assert!(error.contains("cycle"), "{error}");
        let error = synth
            .row(
                &QualifiedName::new("public", "g"),
                &Wanted::default(),
                &mut Chain::default(),
            )
            .unwrap_err();
        assert!(error.contains("type point"), "{error}");
    }
}
