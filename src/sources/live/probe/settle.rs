//! Undecided drift settled by behaviour. Where normalization cannot tell whether the
//! spec's and the live text of a CHECK, a column default or an index predicate mean the
//! same (a [`Comparison::Undecided`] of the drift diff), both definitions are tried in the
//! scratch database — never in `--db` — on the same values:
//!
//! - a CHECK or a predicate is evaluated on rows of a throwaway copy of the table
//!   (`CREATE TEMP TABLE … AS SELECT * FROM table WITH NO DATA`: the columns and their
//!   types, no constraint), one row at a time: all columns NULL, the synthesized valid
//!   values, and each referenced column set to the literals of both definitions (and their
//!   neighbours), NULL and a few extremes of its type. A CHECK accepts a row unless it is
//!   false (or raises an error); a predicate holds only when true. One row on which the two
//!   disagree is the evidence of drift;
//! - a default is set on the copy's column and a row inserted with `DEFAULT VALUES`: two
//!   immutable defaults are compared by the value they give; two that are not immutable
//!   (`now()`, `nextval(…)`) only by their type, which the report says.
//!
//! Everything runs in one transaction per comparison, rolled back, with the time zone
//! set to UTC (a literal without an offset is read the same way on every run). A
//! definition the scratch database cannot evaluate (a function or column it does not
//! have) leaves the comparison undecided, with the server's message.

use super::sql::{quote_identifier, relation_sql};
use super::synth::{Synth, Variant};
use super::ProbeRequest;
use crate::diff::{diff, Change, DiffOptions};
use crate::model::{
    Catalog, Probe, ProbeKind, ProbeOutcome, ProbeResults, Relation, SettledObject, Settlement,
    SqlType, Verdict,
};
use crate::sources::live::session::{Client, QueryError};
use crate::sources::live::LiveError;
use std::collections::BTreeSet;

/// The throwaway copy of the table, dropped with the transaction.
const COPY: &str = "pgparity_settle";
/// At most this many rows are tried per comparison.
const MAX_ROWS: usize = 400;

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Check,
    Predicate,
    Default,
}

/// One undecided comparison.
struct Case<'a> {
    relation: &'a Relation,
    object: SettledObject,
    property: &'static str,
    what: What,
    spec: String,
    live: String,
    /// Why normalization left it undecided.
    reason: String,
}

/// Settles the undecided comparisons of the specs with `live`, adding a `settle` probe
/// and a [`Settlement`] for each to `results`.
pub(super) fn settle_undecided(
    role: &mut Client,
    request: &ProbeRequest,
    live: &Catalog,
    synth: &mut Synth,
    results: &mut ProbeResults,
) -> Result<(), LiveError> {
    let mut schemas: BTreeSet<String> = live.schemas.keys().cloned().collect();
    schemas.insert(request.default_schema.to_string());
    let options = DiffOptions {
        schemas,
        default_schema: request.default_schema.to_string(),
        skipped_relations: BTreeSet::new(),
    };
    for change in diff(request.specs, live, &options) {
        let Some(case) = undecided_case(request.specs, &change) else {
            continue;
        };
        let verdict = match run_case(role, synth, &case) {
            Ok(verdict) => verdict,
            Err(error) => {
                if role.is_closed() {
                    return Err(LiveError::QueryFailed {
                        what: "settling undecided drift in the scratch database".into(),
                        message: error.to_string(),
                    });
                }
                Verdict::Unsettled {
                    reason: server_message(&error),
                }
            }
        };
        let verdict = with_time_zone(&case, verdict);
        results.probes.push(probe_of(&case, &verdict));
        results.settlements.push(Settlement {
            relation: case.relation.name.clone(),
            object: case.object,
            property: case.property.to_string(),
            verdict,
        });
    }
    Ok(())
}

/// A difference found for a literal without a UTC offset depends on the time zone it is
/// read in: the evidence says that the scratch session read it in UTC (the live server
/// read the spec's text in the time zone of whoever ran the migration).
fn with_time_zone(case: &Case, verdict: Verdict) -> Verdict {
    match verdict {
        Verdict::Differs { evidence } if case.reason.contains("UTC offset") => Verdict::Differs {
            evidence: format!(
                "{evidence}, with the spec's literal read in UTC (write its UTC offset to make \
                 it exact)"
            ),
        },
        other => other,
    }
}

/// The comparison `change` leaves undecided, when it is one pgparity settles.
fn undecided_case<'a>(specs: &'a Catalog, change: &Change) -> Option<Case<'a>> {
    let difference = change.difference()?;
    if difference.comparison.is_decided() {
        return None;
    }
    let relation = specs.relations.get(change.relation())?;
    let (object, property, what, spec, live) = match change {
        Change::ConstraintChanged { constraint, .. } if difference.property == "check" => (
            SettledObject::Constraint(constraint.clone()),
            "check",
            What::Check,
            crate::sql::check_expression(&difference.expected),
            crate::sql::check_expression(&difference.actual),
        ),
        Change::IndexChanged { index, .. } if difference.property == "predicate" => (
            SettledObject::Index(index.clone()),
            "predicate",
            What::Predicate,
            difference.expected.as_str(),
            difference.actual.as_str(),
        ),
        Change::DefaultChanged { column, .. } if difference.property == "default" => (
            SettledObject::Column(column.clone()),
            "default",
            What::Default,
            difference.expected.as_str(),
            difference.actual.as_str(),
        ),
        _ => return None,
    };
    Some(Case {
        relation,
        object,
        property,
        what,
        spec: spec.to_string(),
        live: live.to_string(),
        reason: match &difference.comparison {
            crate::diff::Comparison::Undecided { reason } => reason.clone(),
            _ => String::new(),
        },
    })
}

/// The `settle` probe of a settled (or unsettled) comparison, for the reports' counts
/// and JUnit test cases.
fn probe_of(case: &Case, verdict: &Verdict) -> Probe {
    let what = match case.what {
        What::Check => "CHECK",
        What::Predicate => "predicate",
        What::Default => "default",
    };
    let outcome = match verdict {
        Verdict::Same { .. } => ProbeOutcome::Passed,
        Verdict::Differs { evidence } => ProbeOutcome::Failed {
            actual: evidence.clone(),
        },
        Verdict::Unsettled { reason } => ProbeOutcome::Skipped {
            reason: reason.clone(),
        },
    };
    Probe {
        kind: ProbeKind::Settle,
        relation: case.relation.name.clone(),
        member: Some(case.object.name().to_string()),
        description: format!("the spec's and the live {what} behave the same"),
        sql: format!("spec: {}\nlive: {}", case.spec, case.live),
        expected: "the same behaviour on every value tried".into(),
        outcome,
        location: None,
    }
}

/// Runs one comparison in a transaction of its own, always rolled back.
fn run_case(role: &mut Client, synth: &mut Synth, case: &Case) -> Result<Verdict, QueryError> {
    // Both definitions are read in UTC, whatever the dev server's default, so that a
    // literal without an offset means the same on every run.
    role.batch_execute("BEGIN; SET LOCAL TIME ZONE 'UTC'")?;
    let verdict = in_transaction(role, synth, case);
    let rolled_back = role.batch_execute("ROLLBACK");
    let verdict = verdict?;
    rolled_back?;
    Ok(verdict)
}

fn in_transaction(
    role: &mut Client,
    synth: &mut Synth,
    case: &Case,
) -> Result<Verdict, QueryError> {
    let copy = format!(
        "CREATE TEMP TABLE {COPY} ON COMMIT DROP AS SELECT * FROM {} WITH NO DATA",
        relation_sql(&case.relation.name)
    );
    if let Some(message) = refusal(one_statement(role, &copy))? {
        return Ok(unsettled(format!(
            "the table cannot be copied in the scratch database: {message}"
        )));
    }
    match case.what {
        What::Check | What::Predicate => expressions(role, synth, case),
        What::Default => defaults(role, case),
    }
}

/// Runs one statement through the extended protocol, which refuses a text holding more
/// than one: a definition's text cannot smuggle in a statement of its own.
fn one_statement(role: &mut Client, sql: &str) -> Result<(), QueryError> {
    role.execute(sql, &[]).map(|_| ())
}

/// `Ok(None)` when the statement ran, `Ok(Some(message))` when the server refused it
/// (an error of the connection is an error).
fn refusal(result: Result<(), QueryError>) -> Result<Option<String>, QueryError> {
    match result {
        Ok(()) => Ok(None),
        Err(error) if error.as_db_error().is_some() => Ok(Some(server_message(&error))),
        Err(error) => Err(error),
    }
}

fn server_message(error: &QueryError) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}

fn unsettled(reason: String) -> Verdict {
    Verdict::Unsettled { reason }
}

/// What one definition did with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    True,
    False,
    Null,
    Error(String),
}

/// Evaluates `expression` on the copy's rows, in a savepoint: an error is an answer.
fn evaluate(role: &mut Client, case: &Case, expression: &str) -> Result<Answer, QueryError> {
    role.batch_execute("SAVEPOINT pgparity_evaluate")?;
    let query = format!(
        "SELECT ({expression})::boolean FROM pg_temp.{COPY} AS {}",
        quote_identifier(&case.relation.name.name)
    );
    match role.query(&query, &[]) {
        Ok(rows) => {
            role.batch_execute("RELEASE SAVEPOINT pgparity_evaluate")?;
            Ok(
                match rows.first().map(|row| row.get::<_, Option<bool>>(0)) {
                    Some(Some(true)) => Answer::True,
                    Some(Some(false)) => Answer::False,
                    _ => Answer::Null,
                },
            )
        }
        Err(error) if error.as_db_error().is_some() => {
            role.batch_execute("ROLLBACK TO SAVEPOINT pgparity_evaluate")?;
            Ok(Answer::Error(server_message(&error)))
        }
        Err(error) => Err(error),
    }
}

/// A CHECK accepts a row unless it is false or raises an error; a row is in an index
/// predicate only when it is true.
fn behaviour(what: What, answer: &Answer) -> &'static str {
    match (what, answer) {
        (What::Check, Answer::True | Answer::Null) => "accepted",
        (What::Check, _) => "refused",
        (_, Answer::True) => "inside",
        (_, Answer::Error(_)) => "an error",
        (_, _) => "outside",
    }
}

/// `inside`, `outside`, `an error in`, before "the … predicate".
fn in_predicate(behaviour: &str) -> &str {
    match behaviour {
        "an error" => "an error in",
        other => other,
    }
}

fn expressions(role: &mut Client, synth: &mut Synth, case: &Case) -> Result<Verdict, QueryError> {
    for (side, text) in [("spec's", &case.spec), ("live", &case.live)] {
        if let Answer::Error(message) = evaluate(role, case, text)? {
            return Ok(unsettled(format!(
                "the {side} definition cannot be evaluated in the scratch database: {message}"
            )));
        }
    }
    let rows = candidate_rows(synth, case);
    let mut tried = 0;
    for row in rows.iter().take(MAX_ROWS) {
        role.batch_execute("SAVEPOINT pgparity_row")?;
        let columns: Vec<String> = row
            .values
            .iter()
            .map(|(column, _)| quote_identifier(column))
            .collect();
        let values: Vec<&str> = row.values.iter().map(|(_, value)| value.as_str()).collect();
        let insert = if columns.is_empty() {
            format!("INSERT INTO pg_temp.{COPY} DEFAULT VALUES")
        } else {
            format!(
                "INSERT INTO pg_temp.{COPY} ({}) VALUES ({})",
                columns.join(", "),
                values.join(", ")
            )
        };
        if refusal(one_statement(role, &insert))?.is_some() {
            // Not a value of the column's type: not a row either definition sees.
            role.batch_execute("ROLLBACK TO SAVEPOINT pgparity_row")?;
            continue;
        }
        tried += 1;
        let spec = behaviour(case.what, &evaluate(role, case, &case.spec)?);
        let live = behaviour(case.what, &evaluate(role, case, &case.live)?);
        role.batch_execute("ROLLBACK TO SAVEPOINT pgparity_row")?;
        if spec != live {
            let evidence = match case.what {
                What::Check => format!(
                    "{} is {spec} by the spec's CHECK and {live} by the live one",
                    row.description
                ),
                _ => format!(
                    "{} is {} the spec's predicate and {} the live one",
                    row.description,
                    in_predicate(spec),
                    in_predicate(live)
                ),
            };
            return Ok(Verdict::Differs { evidence });
        }
    }
    if tried == 0 {
        return Ok(unsettled(
            "no row of values could be made to try both definitions on".into(),
        ));
    }
    Ok(Verdict::Same {
        how: format!(
            "both behave the same on {tried} rows (NULL, the literals of both definitions and \
             their neighbours, extremes of the column types)"
        ),
    })
}

/// One row to try: the values of some columns (others NULL) and how reports name it.
struct CandidateRow {
    values: Vec<(String, String)>,
    description: String,
}

/// The rows both definitions are tried on.
fn candidate_rows(synth: &mut Synth, case: &Case) -> Vec<CandidateRow> {
    let relation = case.relation;
    let referenced: Vec<(&str, &SqlType)> = relation
        .columns
        .iter()
        .filter(|column| mentions(&case.spec, &column.name) || mentions(&case.live, &column.name))
        .filter_map(|column| Some((column.name.as_str(), column.data_type.as_ref()?)))
        .collect();
    let mut base: Vec<(String, String)> = Vec::new();
    for (name, _) in &referenced {
        let Some(column) = relation.column(name) else {
            continue;
        };
        let seed = synth.next_seed();
        if let Ok(value) = synth.value(relation, column, seed, Variant::default()) {
            base.push((name.to_string(), value));
        }
    }
    let mut rows = vec![CandidateRow {
        values: Vec::new(),
        description: "a row of NULLs".into(),
    }];
    if !base.is_empty() {
        rows.push(CandidateRow {
            description: match base.as_slice() {
                [_] => describe(&base),
                _ => format!("the row ({})", describe(&base)),
            },
            values: base.clone(),
        });
    }
    let literals: Vec<String> = literals(&case.spec)
        .into_iter()
        .chain(literals(&case.live))
        .collect();
    for (name, data_type) in &referenced {
        let mut values: Vec<String> = Vec::new();
        let mut add = |value: String| {
            if !values.contains(&value) {
                values.push(value);
            }
        };
        for literal in &literals {
            for value in around(literal, data_type) {
                add(value);
            }
        }
        for value in extremes(data_type) {
            add(value.to_string());
        }
        add("NULL".into());
        for value in values {
            let alone = vec![(name.to_string(), value.clone())];
            rows.push(CandidateRow {
                description: format!("{name} = {value}"),
                values: alone,
            });
            if base.iter().any(|(other, _)| other != name) {
                let mut with_base: Vec<(String, String)> = base
                    .iter()
                    .filter(|(other, _)| other != name)
                    .cloned()
                    .collect();
                let others = describe(&with_base);
                with_base.push((name.to_string(), value.clone()));
                rows.push(CandidateRow {
                    description: format!("{name} = {value} (with {others})"),
                    values: with_base,
                });
            }
        }
    }
    rows
}

fn describe(values: &[(String, String)]) -> String {
    values
        .iter()
        .map(|(column, value)| format!("{column} = {value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `text` names the column `name` (as a whole word, case-insensitively, or
/// quoted).
pub(super) fn mentions(text: &str, name: &str) -> bool {
    let lower = text.to_lowercase();
    let name_lower = name.to_lowercase();
    if text.contains(&format!("\"{name}\"")) {
        return true;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    lower.match_indices(&name_lower).any(|(start, found)| {
        let before = lower[..start].chars().next_back();
        let after = lower[start + found.len()..].chars().next();
        !before.is_some_and(|c| is_word(c) || c == '\'' || c == '"')
            && !after.is_some_and(|c| is_word(c) || c == '\'' || c == '"')
    })
}

/// The literals of an expression: quoted strings (as written, quotes included) and
/// numbers.
fn literals(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c == '\'' {
            let start = index;
            index += 1;
            while index < chars.len() {
                if chars[index] == '\'' {
                    if chars.get(index + 1) == Some(&'\'') {
                        index += 2;
                        continue;
                    }
                    break;
                }
                index += 1;
            }
            let end = (index + 1).min(chars.len());
            found.push(chars[start..end].iter().collect());
            index = end;
        } else if c.is_ascii_digit()
            && !index
                .checked_sub(1)
                .and_then(|before| chars.get(before))
                .is_some_and(|before| before.is_alphanumeric() || *before == '_')
        {
            let start = index;
            while index < chars.len() && (chars[index].is_ascii_digit() || chars[index] == '.') {
                index += 1;
            }
            let negative = start > 0 && chars[start - 1] == '-';
            let number: String = chars[start..index].iter().collect();
            found.push(if negative {
                format!("-{number}")
            } else {
                number
            });
        } else if c.is_alphanumeric() || c == '_' {
            while index < chars.len() && (chars[index].is_alphanumeric() || chars[index] == '_') {
                index += 1;
            }
        } else {
            index += 1;
        }
    }
    found
}

/// A literal and its neighbours for a column of `data_type`: a number ±1 and ±1 in its
/// last decimal place for numeric types; a date or timestamp a day before and after.
fn around(literal: &str, data_type: &SqlType) -> Vec<String> {
    let mut values = vec![literal.to_string()];
    if super::synth::is_number(data_type) && !data_type.is_array() {
        if let Some(number) = super::synth::Decimal::parse(literal.trim_matches('\'')) {
            let mut steps = vec![super::synth::Decimal::parse("1")];
            if let Some(step) = super::synth::numeric_step(data_type, literal.trim_matches('\'')) {
                steps.push(Some(step));
            }
            for step in steps.into_iter().flatten() {
                values.extend(number.minus(&step).map(|value| value.to_string()));
                values.extend(number.plus(&step).map(|value| value.to_string()));
            }
        }
    }
    match data_type.base() {
        "date" | "timestamp with time zone" | "timestamp without time zone"
            if literal.starts_with('\'') && !data_type.is_array() =>
        {
            for sign in ['-', '+'] {
                values.push(format!(
                    "({literal}::{} {sign} interval '1 day')",
                    data_type.base()
                ));
            }
        }
        _ => {}
    }
    values
}

/// A few values at the edges of a type.
fn extremes(data_type: &SqlType) -> &'static [&'static str] {
    if data_type.is_array() {
        return &["'{}'"];
    }
    match data_type.base() {
        "smallint" => &["0", "1", "-1", "-32768", "32767"],
        "integer" => &["0", "1", "-1", "-2147483648", "2147483647"],
        "bigint" => &[
            "0",
            "1",
            "-1",
            "-9223372036854775808",
            "9223372036854775807",
        ],
        "numeric" | "real" | "double precision" | "money" => {
            &["0", "1", "-1", "0.5", "-0.5", "0.00001", "1000000"]
        }
        "text" | "character varying" | "character" | "bpchar" | "citext" => {
            &["''", "'a'", "'A'", "' '", "'zz_outside'", "'0'"]
        }
        "boolean" => &["true", "false"],
        "date" => &["'-infinity'", "'infinity'", "'1970-01-01'", "'2000-01-01'"],
        "timestamp with time zone" | "timestamp without time zone" => &[
            "'-infinity'",
            "'infinity'",
            "'1970-01-01 00:00:00'",
            "'2000-01-01 00:00:00'",
        ],
        "uuid" => &["'00000000-0000-0000-0000-000000000000'"],
        _ => &[],
    }
}

/// Two defaults: by value when both are immutable, by type when neither is.
fn defaults(role: &mut Client, case: &Case) -> Result<Verdict, QueryError> {
    let column = match &case.object {
        SettledObject::Column(column) => quote_identifier(column),
        _ => return Ok(unsettled("not a column default".into())),
    };
    let column_type: Option<String> = role
        .query(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute \
             WHERE attrelid = 'pg_temp.pgparity_settle'::regclass AND attname = $1",
            &[&case.object.name()],
        )?
        .first()
        .map(|row| row.get(0));
    let Some(column_type) = column_type else {
        return Ok(unsettled(format!(
            "the scratch database's {} has no column {}",
            case.relation.name,
            case.object.name()
        )));
    };
    let mut sides = Vec::new();
    for (side, text) in [("spec's", &case.spec), ("live", &case.live)] {
        let set = format!("ALTER TABLE pg_temp.{COPY} ALTER COLUMN {column} SET DEFAULT {text}");
        if let Some(message) = refusal(one_statement(role, &set))? {
            return Ok(unsettled(format!(
                "the {side} default cannot be set in the scratch database: {message}"
            )));
        }
        // A generated column takes only an immutable expression.
        role.batch_execute("SAVEPOINT pgparity_immutable")?;
        let generated = format!(
            "ALTER TABLE pg_temp.{COPY} ADD COLUMN pgparity_generated {column_type} \
             GENERATED ALWAYS AS ({text}) STORED"
        );
        let immutable = refusal(one_statement(role, &generated))?.is_none();
        role.batch_execute("ROLLBACK TO SAVEPOINT pgparity_immutable")?;
        role.batch_execute("SAVEPOINT pgparity_default")?;
        let given = role.query(
            &format!(
                "INSERT INTO pg_temp.{COPY} DEFAULT VALUES \
                 RETURNING {column}::text, pg_typeof(({text}))::text"
            ),
            &[],
        );
        let given = match given {
            Ok(rows) => {
                role.batch_execute("RELEASE SAVEPOINT pgparity_default")?;
                rows.first()
                    .map(|row| (row.get::<_, Option<String>>(0), row.get::<_, String>(1)))
            }
            Err(error) if error.as_db_error().is_some() => {
                role.batch_execute("ROLLBACK TO SAVEPOINT pgparity_default")?;
                return Ok(unsettled(format!(
                    "the {side} default cannot be evaluated in the scratch database: {}",
                    server_message(&error)
                )));
            }
            Err(error) => return Err(error),
        };
        let Some((value, value_type)) = given else {
            return Ok(unsettled("the default gave no row".into()));
        };
        sides.push((immutable, value, value_type));
    }
    let [(spec_immutable, spec_value, spec_type), (live_immutable, live_value, live_type)] =
        sides.as_slice()
    else {
        return Ok(unsettled("the defaults could not both be tried".into()));
    };
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "NULL".into());
    Ok(match (spec_immutable, live_immutable) {
        (true, true) if spec_value == live_value => Verdict::Same {
            how: format!("both defaults give {}", shown(spec_value)),
        },
        (true, true) => Verdict::Differs {
            evidence: format!(
                "the spec's default gives {} and the live one {}",
                shown(spec_value),
                shown(live_value)
            ),
        },
        (false, false) if spec_type == live_type => Verdict::Same {
            how: format!(
                "neither default is immutable (their values change from row to row or over \
                 time), so they were compared by type and volatility only: both are \
                 volatile {spec_type} expressions"
            ),
        },
        (false, false) => unsettled(format!(
            "neither default is immutable, and the spec's is of type {spec_type} while the \
             live one is of type {live_type}"
        )),
        _ => unsettled(format!(
            "the {} default is immutable and the {} one is not; pgparity does not compare a \
             constant with an expression that varies",
            if *spec_immutable { "spec's" } else { "live" },
            if *spec_immutable { "live" } else { "spec's" },
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_column_mentions_are_read_out_of_any_text() {
        assert_eq!(
            literals("(created_at >= '2020-01-01 00:00:00+00'::timestamp with time zone) AND n > -5 AND x2 = 1.5 AND s = 'it''s'"),
            vec!["'2020-01-01 00:00:00+00'", "-5", "1.5", "'it''s'"]
        );
        assert!(mentions("(Amount > 0)", "amount"));
        assert!(mentions("(\"Amount\" > 0)", "Amount"));
        assert!(!mentions("(amount_cents > 0)", "amount"));
        assert!(!mentions("(x = 'amount')", "amount"));
    }
}
