//! The static twin of "the bundled example applied to a fresh database gives zero drift":
//! the "live" catalog is the specs' catalog with every definition replaced by what
//! PostgreSQL 15 printed for the example (`tests/data/example-notes.md`, read at test
//! time), and the drift family must find nothing.

use pgparity::checks::{self, Inputs};
use pgparity::input::InputLimits;
use pgparity::model::{
    Catalog, ConstraintKind, Expr, ForeignKeyAction, Grant, IndexKey, IndexTarget, QualifiedName,
    Relation, SqlType,
};
use pgparity::rules::Family;
use pgparity::sources::forms::fill_forms;
use pgparity::sources::spec::{load_specs, SpecSet};
use std::collections::BTreeMap;
use std::path::PathBuf;

const NOTES: &str = include_str!("data/example-notes.md");

fn example_specs() -> SpecSet {
    let specs = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/specs"));
    load_specs(&[specs], "public", InputLimits::default()).expect("the example specs load")
}

/// The text of the section under `### {heading}`, up to the next heading.
fn section(heading: &str) -> &'static str {
    let start = NOTES
        .find(&format!("### {heading}"))
        .unwrap_or_else(|| panic!("example-notes.md has a section {heading:?}"));
    let rest = &NOTES[start + 4..];
    let end = rest.find("\n### ").unwrap_or(rest.len());
    &rest[..end]
}

/// Rows of the Markdown tables in `text`: cells trimmed, backticks removed, header and
/// separator rows skipped.
fn table_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut header_seen = false;
    for line in text.lines() {
        let line = line.trim();
        if !line.starts_with('|') {
            header_seen = false;
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        if line.starts_with("|---") {
            continue;
        }
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|cell| cell.trim().trim_matches('`').to_string())
            .collect();
        rows.push(cells);
    }
    rows
}

/// Lines of the fenced code blocks in `text`.
fn code_lines(text: &str) -> Vec<&str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with("```") {
            inside = !inside;
        } else if inside {
            lines.push(line);
        }
    }
    lines
}

fn relation<'c>(catalog: &'c mut Catalog, name: &str) -> &'c mut Relation {
    catalog
        .relations
        .get_mut(&QualifiedName::new("public", name))
        .unwrap_or_else(|| panic!("the example defines {name}"))
}

/// Splits `a, b(c, d), e` at top-level commas.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current.trim().to_string());
    parts
}

/// The text inside the parentheses that open at the first `(` of `text`, and the rest.
fn parenthesised(text: &str) -> (&str, &str) {
    let open = text.find('(').expect("an opening parenthesis");
    let mut depth = 0;
    for (offset, c) in text[open..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    let close = open + offset;
                    return (&text[open + 1..close], &text[close + 1..]);
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in {text}")
}

fn column_list(text: &str) -> Vec<String> {
    split_top_level(parenthesised(text).0)
}

fn action(text: &str, clause: &str) -> ForeignKeyAction {
    let Some(position) = text.find(clause) else {
        return ForeignKeyAction::NoAction;
    };
    let rest = &text[position + clause.len()..];
    if rest.starts_with(" CASCADE") {
        ForeignKeyAction::Cascade
    } else if rest.starts_with(" SET NULL") {
        ForeignKeyAction::SetNull
    } else if rest.starts_with(" RESTRICT") {
        ForeignKeyAction::Restrict
    } else if rest.starts_with(" SET DEFAULT") {
        ForeignKeyAction::SetDefault
    } else {
        ForeignKeyAction::NoAction
    }
}

/// How many printed facts were written into the live catalog, by kind, so that the
/// test cannot pass by writing nothing.
type Counts = BTreeMap<&'static str, usize>;

fn apply_indexes(live: &mut Catalog, counts: &mut Counts) {
    for line in code_lines(section("Indexes")) {
        let unique = line.starts_with("CREATE UNIQUE INDEX ");
        let after_index = line.split_once("INDEX ").expect("INDEX").1;
        let (name, rest) = after_index.split_once(" ON public.").expect("ON");
        let (table, rest) = rest.split_once(" USING ").expect("USING");
        let (method, rest) = rest.split_once(' ').expect("method");
        let (keys, tail) = parenthesised(rest);
        let predicate = tail.trim().strip_prefix("WHERE ").map(Expr::from);
        let index = relation(live, table)
            .indexes
            .get_mut(name)
            .unwrap_or_else(|| panic!("the example defines index {name}"));
        index.unique = unique;
        index.method = method.to_string();
        index.predicate = predicate;
        index.keys = split_top_level(keys)
            .into_iter()
            .map(|key| {
                let (column, descending) = match key.strip_suffix(" DESC") {
                    Some(column) => (column.to_string(), true),
                    None => (key, false),
                };
                IndexKey {
                    descending,
                    ..IndexKey::new(IndexTarget::Column(column))
                }
            })
            .collect();
        *counts.entry("indexes").or_default() += 1;
    }
}

fn apply_constraints(live: &mut Catalog, counts: &mut Counts) {
    for row in table_rows(section("Constraints")) {
        let [table, name, contype, definition] = row.as_slice() else {
            panic!("a constraint row has four cells: {row:?}");
        };
        if contype == "t" {
            continue;
        }
        let constraint = relation(live, table)
            .constraints
            .get_mut(name)
            .unwrap_or_else(|| panic!("the example defines constraint {name}"));
        constraint.kind = match contype.as_str() {
            "p" => ConstraintKind::PrimaryKey {
                columns: column_list(definition),
            },
            "u" => ConstraintKind::Unique {
                columns: column_list(definition),
                nulls_not_distinct: false,
            },
            "c" => ConstraintKind::Check {
                expression: definition.as_str().into(),
            },
            "f" => {
                let (columns, rest) = parenthesised(definition);
                let target = rest.trim().strip_prefix("REFERENCES ").expect("REFERENCES");
                let (table, _) = target.split_once('(').expect("referenced columns");
                ConstraintKind::ForeignKey {
                    columns: split_top_level(columns),
                    references: QualifiedName::parse(table, "public"),
                    referenced_columns: column_list(target),
                    on_delete: action(definition, "ON DELETE"),
                    on_update: action(definition, "ON UPDATE"),
                }
            }
            other => panic!("unexpected contype {other}"),
        };
        *counts.entry("constraints").or_default() += 1;
    }
}

fn apply_security(live: &mut Catalog, counts: &mut Counts) {
    let rls = section("Row-level security");
    let (flags, policies) = rls
        .split_once("Every policy below")
        .expect("RLS flags, then policies");
    for row in table_rows(flags) {
        let target = relation(live, &row[0]);
        target.rls_enabled = row[2] == "t";
        target.rls_forced = row[3] == "t";
        *counts.entry("rls").or_default() += 1;
    }
    for row in table_rows(policies) {
        let policy = relation(live, &row[0])
            .policies
            .get_mut("tenant_isolation_policy")
            .expect("every tenant table has tenant_isolation_policy");
        policy.using = Some(row[1].as_str().into());
        policy.with_check = Some(row[2].as_str().into());
        *counts.entry("policies").or_default() += 1;
    }
    for target in live.relations.values_mut() {
        target.grants.clear();
    }
    for row in table_rows(section("Grants to `app_user`")) {
        let target = relation(live, &row[0]);
        for privilege in row[2].split(", ") {
            target.grants.push(Grant {
                grantee: "app_user".into(),
                privilege: privilege.to_string(),
                location: None,
            });
            *counts.entry("grants").or_default() += 1;
        }
    }
}

fn apply_columns(live: &mut Catalog, counts: &mut Counts) {
    for target in live.relations.values_mut() {
        target.comment = None;
        for column in &mut target.columns {
            column.default = None;
            column.comment = None;
            if !target.kind.is_table() {
                // attnotnull is false for every materialized-view column.
                column.not_null = false;
            }
        }
    }
    for row in table_rows(section("Column defaults")) {
        let column = relation(live, &row[0])
            .column_mut(&row[1])
            .expect("a defaulted column of the example");
        column.default = Some(row[2].as_str().into());
        *counts.entry("defaults").or_default() += 1;
    }
    for row in table_rows(section("Materialized-view columns")) {
        let column = relation(live, &row[0])
            .column_mut(&row[1])
            .expect("a materialized-view column of the example");
        column.data_type = Some(SqlType::parse(&row[2]));
        *counts.entry("view columns").or_default() += 1;
    }
    for row in table_rows(section("Comments")) {
        let target = relation(live, &row[0]);
        if row[1].is_empty() {
            target.comment = Some(row[2].clone());
        } else {
            target
                .column_mut(&row[1])
                .expect("a commented column of the example")
                .comment = Some(row[2].clone());
        }
        *counts.entry("comments").or_default() += 1;
    }
}

fn apply_views(live: &mut Catalog, counts: &mut Counts) {
    let text = section("Materialized-view bodies");
    let mut bodies: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("```") {
            inside = !inside;
        } else if inside {
            if let Some((_, body)) = bodies.last_mut() {
                body.push(line);
            }
        } else if let Some(name) = line
            .strip_prefix('`')
            .and_then(|rest| rest.strip_suffix("`:"))
        {
            bodies.push((name, Vec::new()));
        }
    }
    for (name, body) in bodies {
        relation(live, name)
            .view
            .as_mut()
            .expect("a materialized view of the example")
            .query = body.join("\n").into();
        *counts.entry("views").or_default() += 1;
    }
}

/// The example's catalog as PostgreSQL 15 printed it.
fn printed_example(specs: &SpecSet) -> (Catalog, Counts) {
    let mut live = specs.catalog.clone();
    for target in live.relations.values_mut() {
        target.location = None;
    }
    live.schemas = BTreeMap::from([("public".to_string(), None)]);
    let mut counts = Counts::new();
    apply_indexes(&mut live, &mut counts);
    apply_constraints(&mut live, &mut counts);
    apply_security(&mut live, &mut counts);
    apply_columns(&mut live, &mut counts);
    apply_views(&mut live, &mut counts);
    (live, counts)
}

/// Drift findings of `live` (edited as PostgreSQL printed it: its forms are computed as
/// a loader would) against the example's specs.
fn drift_findings(specs: &SpecSet, live: &Catalog) -> Vec<pgparity::finding::Finding> {
    let mut live = live.clone();
    fill_forms(&mut live, "public");
    let outcome = checks::run(&Inputs {
        specs: Some(specs.specs()),
        contracts: None,
        mapping: None,
        plan: None,
        live: Some(&live),
        row_samples: None,
        probes: None,
        min_stats_age_days: 7,
        default_schema: "public",
        infer_read_models: true,
    });
    outcome
        .findings
        .into_iter()
        .filter(|finding| finding.rule.family == Family::Drift)
        .collect()
}

#[test]
fn the_example_as_postgresql_15_printed_it_has_no_drift() {
    let specs = example_specs();
    let (live, counts) = printed_example(&specs);
    let expected_counts = BTreeMap::from([
        ("comments", 12),
        ("constraints", 26),
        ("defaults", 17),
        ("grants", 20),
        ("indexes", 22),
        ("policies", 5),
        ("rls", 10),
        ("view columns", 19),
        ("views", 3),
    ]);
    assert_eq!(counts, expected_counts, "every printed fact was applied");
    let findings = drift_findings(&specs, &live);
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn the_printed_example_still_shows_a_planted_difference() {
    let specs = example_specs();
    let (mut live, _) = printed_example(&specs);
    relation(&mut live, "reconciliation_runs")
        .column_mut("state")
        .expect("state")
        .default = Some("'running'::text".into());
    let findings = drift_findings(&specs, &live);
    let briefs: Vec<(&str, &str, Option<&str>, Option<&str>)> = findings
        .iter()
        .map(|finding| {
            (
                finding.rule.as_str(),
                finding.object.as_str(),
                finding.expected.as_deref(),
                finding.actual.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        briefs,
        vec![(
            "default-drift",
            "public.reconciliation_runs.state",
            Some("'idle'"),
            Some("'running'::text")
        )]
    );
}

#[test]
fn without_a_live_catalog_the_drift_family_says_it_was_skipped() {
    let specs = example_specs();
    let outcome = checks::run(&Inputs {
        specs: Some(specs.specs()),
        contracts: None,
        mapping: None,
        plan: None,
        live: None,
        row_samples: None,
        probes: None,
        min_stats_age_days: 7,
        default_schema: "public",
        infer_read_models: true,
    });
    assert!(outcome
        .skipped
        .iter()
        .any(|note| note == "drift: no live database or snapshot"));
}
