//! The probes the mapping declares: every `must_reject:` statement of its invariants,
//! tried after the synthesized valid rows of the tables it names exist, and every
//! `violations` query, which must run against the specs' schema and find nothing among
//! the valid rows.

use super::plan::{Expect, Header, Planned, Step};
use super::synth::{Chain, Synth, Wanted};
use super::ValidRows;
use crate::mapping::Mapping;
use crate::model::{Catalog, ProbeKind, QualifiedName};
use std::collections::{BTreeMap, BTreeSet};

/// A `{{valid:table.column}}` placeholder: where it is in the text and what it names.
#[derive(Debug)]
struct Placeholder {
    range: std::ops::Range<usize>,
    table: QualifiedName,
    column: String,
}

/// The placeholders of `sql`, in order.
fn placeholders(sql: &str, default_schema: &str) -> Result<Vec<Placeholder>, String> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(start) = sql[rest..].find("{{").map(|at| at + rest) {
        let end = sql[start..]
            .find("}}")
            .map(|at| at + start + 2)
            .ok_or_else(|| format!("`{{{{` at character {} is not closed", start + 1))?;
        let inner = sql[start + 2..end - 2].trim();
        let named = inner.strip_prefix("valid:").ok_or_else(|| {
            format!("unknown placeholder `{{{{{inner}}}}}`: write {{{{valid:table.column}}}}")
        })?;
        let (table, column) = named.trim().rsplit_once('.').ok_or_else(|| {
            format!("`{{{{{inner}}}}}` names no column: write {{{{valid:table.column}}}}")
        })?;
        found.push(Placeholder {
            range: start..end,
            table: QualifiedName::parse(table, default_schema),
            column: column.trim().to_string(),
        });
        rest = end;
    }
    Ok(found)
}

/// The tables of `catalog` that `sql` names as a whole word (`name` or `schema.name`).
fn named_tables(catalog: &Catalog, sql: &str, default_schema: &str) -> BTreeSet<QualifiedName> {
    let lowered = sql.to_ascii_lowercase();
    let words: BTreeSet<&str> = lowered
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .filter(|word| !word.is_empty())
        .collect();
    catalog
        .relations
        .values()
        .filter(|relation| relation.kind.is_table() && relation.partition_of.is_none())
        .filter(|relation| {
            let qualified = format!("{}.{}", relation.name.schema, relation.name.name);
            words.contains(qualified.as_str())
                || words.contains(
                    format!("\"{}\".\"{}\"", relation.name.schema, relation.name.name).as_str(),
                )
                || (relation.name.schema == default_schema
                    && (words.contains(relation.name.name.as_str())
                        || words.contains(format!("\"{}\"", relation.name.name).as_str())))
        })
        .map(|relation| relation.name.clone())
        .collect()
}

/// The valid rows of `tables` (with `explicit` columns given values), inserted in one
/// chain, then `SET CONSTRAINTS ALL IMMEDIATE` so that the statement after them meets
/// the deferred constraints at once; with the values of the rows by table.
fn valid_rows(
    synth: &mut Synth,
    tables: &BTreeSet<QualifiedName>,
    explicit: &BTreeMap<QualifiedName, BTreeSet<String>>,
    valid: &ValidRows,
) -> Result<(Vec<Step>, BTreeMap<QualifiedName, super::synth::Row>), String> {
    let mut chain = Chain::default();
    let mut rows = BTreeMap::new();
    for table in tables {
        if let Some(Err(reason)) = valid.get(table) {
            return Err(reason.clone());
        }
        let wanted = Wanted {
            explicit: explicit.get(table).cloned().unwrap_or_default(),
            ..Wanted::default()
        };
        let row = synth.row(table, &wanted, &mut chain)?;
        rows.insert(table.clone(), row);
    }
    let mut steps: Vec<Step> = chain.inserts().into_iter().map(Step::setup).collect();
    steps.push(Step::setup("SET CONSTRAINTS ALL IMMEDIATE".into()));
    Ok((steps, rows))
}

/// The `must_reject:` and `violations` probes of `mapping`'s invariants.
pub(super) fn invariant_probes(
    synth: &mut Synth,
    catalog: &Catalog,
    default_schema: &str,
    mapping: &Mapping,
    valid: &ValidRows,
) -> Vec<Planned> {
    let mut probes = Vec::new();
    for invariant in &mapping.invariants {
        for (number, statement) in invariant.must_reject.iter().enumerate() {
            let found = placeholders(&statement.sql, default_schema);
            let mut tables = named_tables(catalog, &statement.sql, default_schema);
            let mut explicit: BTreeMap<QualifiedName, BTreeSet<String>> = BTreeMap::new();
            if let Ok(found) = &found {
                for placeholder in found {
                    tables.insert(placeholder.table.clone());
                    explicit
                        .entry(placeholder.table.clone())
                        .or_default()
                        .insert(placeholder.column.clone());
                }
            }
            let relation = tables
                .iter()
                .next()
                .cloned()
                .unwrap_or_else(|| QualifiedName::new(default_schema, &invariant.name));
            let header = Header {
                kind: ProbeKind::MustReject,
                relation: &relation,
                member: Some(&invariant.name),
                location: statement.location.as_ref(),
            };
            let description = format!("must_reject statement {} is refused", number + 1);
            let planned = found.and_then(|found| {
                let (mut steps, rows) = valid_rows(synth, &tables, &explicit, valid)?;
                let mut sql = statement.sql.clone();
                for placeholder in found.iter().rev() {
                    let value = rows
                        .get(&placeholder.table)
                        .and_then(|row| row.values.get(&placeholder.column))
                        .ok_or_else(|| {
                            format!(
                                "{{{{valid:{}.{}}}}} names no column of a table of the specs",
                                placeholder.table, placeholder.column
                            )
                        })?;
                    sql.replace_range(
                        placeholder.range.clone(),
                        value.as_deref().unwrap_or("NULL"),
                    );
                }
                steps.push(Step::probe(sql));
                let mut planned = header.planned(
                    description.clone(),
                    steps,
                    Expect::Refused {
                        sqlstate: statement.sqlstate.clone(),
                        constraint: None,
                    },
                );
                planned.exact_state = statement.sqlstate.is_some();
                Ok(planned)
            });
            probes.push(planned.unwrap_or_else(|reason| {
                let mut skipped = header.skipped(description, reason);
                skipped.sql = statement.sql.clone();
                skipped
            }));
        }
        let Some(violations) = &invariant.violations else {
            continue;
        };
        let tables = named_tables(catalog, violations, default_schema);
        let relation = tables
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| QualifiedName::new(default_schema, &invariant.name));
        let header = Header {
            kind: ProbeKind::Invariant,
            relation: &relation,
            member: Some(&invariant.name),
            location: invariant.location.as_ref(),
        };
        let description =
            "the violations query runs and finds nothing among valid rows".to_string();
        let query = violations.trim().trim_end_matches(';');
        let keys: Vec<String> = invariant
            .key
            .iter()
            .map(|key| super::sql::quote_identifier(key))
            .collect();
        probes.push(match valid_rows(synth, &tables, &BTreeMap::new(), valid) {
            Ok((mut steps, _)) => {
                steps.push(Step::probe(format!(
                    "SELECT {} FROM ({query}) AS pgparity_violations LIMIT 0",
                    if keys.is_empty() {
                        "1".to_string()
                    } else {
                        keys.join(", ")
                    }
                )));
                steps.push(Step::assert(
                    format!("SELECT NOT EXISTS (SELECT 1 FROM ({query}) AS pgparity_violations)"),
                    "the valid rows pgparity synthesized break it: the specs let such rows in",
                ));
                header.planned(description, steps, Expect::Accepted { constraint: None })
            }
            Err(reason) => header.skipped(description, reason),
        });
    }
    probes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::spec::load_spec_text;

    #[test]
    fn placeholders_and_named_tables_are_read_from_the_statement() {
        let found = placeholders(
            "UPDATE ledger SET x = 1 WHERE id = {{valid:ledger.id}} AND t = {{ valid:app.t.k }}",
            "public",
        )
        .unwrap();
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].table, QualifiedName::new("public", "ledger"));
        assert_eq!(found[1].table, QualifiedName::new("app", "t"));
        assert_eq!(found[1].column, "k");
        assert!(placeholders("{{other:x.y}}", "public")
            .unwrap_err()
            .contains("unknown placeholder"));
        assert!(placeholders("{{valid:x", "public")
            .unwrap_err()
            .contains("not closed"));
        let specs = load_spec_text(
            "spec.sql",
            "CREATE TABLE ledger (id int PRIMARY KEY); CREATE TABLE ledger_entries (id int);",
            "public",
        );
        assert_eq!(
            named_tables(
                &specs.catalog,
                "DELETE FROM public.ledger WHERE id = 1",
                "public"
            ),
            BTreeSet::from([QualifiedName::new("public", "ledger")])
        );
    }
}
