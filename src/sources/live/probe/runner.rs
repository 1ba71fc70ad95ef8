//! Running probes on the server: a temporary PL/pgSQL function of the probing session
//! takes a batch of probes (each a list of steps) as JSON, runs each probe in its own
//! subtransaction (a savepoint) that is always rolled back, and returns how far each got
//! and what the server said. One call per batch is one round trip.

use super::plan::{Expect, NoRows, Planned, Step, StepKind};
use crate::model::ProbeOutcome;
use crate::sources::live::session::{Client, QueryError};
use serde_json::json;

/// The function, created in the session's temporary schema (gone with the session).
/// `PGPOK` ends a probe that ran to the end (so that it is rolled back too) and `PGPAF`
/// one whose assertion was false; neither is a SQLSTATE PostgreSQL uses. Only the
/// statement timeout (`query_canceled`) is not caught: it ends the whole call.
pub(super) const RUNNER: &str = r#"
CREATE FUNCTION pg_temp.pgparity_probe(shared jsonb, probes jsonb)
RETURNS TABLE (probe integer, stage text, step integer, state text, message text,
               constraint_name text, row_count bigint)
LANGUAGE plpgsql AS $pgparity$
DECLARE
    entry jsonb;
    item jsonb;
    passed boolean;
    affected bigint;
    caught_state text;
    caught_message text;
    caught_constraint text;
BEGIN
    probe := 0;
    step := 0;
    stage := 'shared';
    BEGIN
        -- What every probe of the batch needs (parent rows), made once and rolled back
        -- with the batch.
        FOR item IN SELECT value FROM jsonb_array_elements(shared) LOOP
            step := step + 1;
            EXECUTE item->>'sql';
        END LOOP;
        FOR entry IN SELECT value FROM jsonb_array_elements(probes) LOOP
            probe := probe + 1;
            step := 0;
            stage := 'setup';
            affected := NULL;
            BEGIN
                FOR item IN SELECT value FROM jsonb_array_elements(entry) LOOP
                    step := step + 1;
                    stage := item->>'kind';
                    IF stage IN ('assert', 'quiet', 'require') THEN
                        EXECUTE item->>'sql' INTO passed;
                        IF passed IS NOT TRUE THEN
                            RAISE EXCEPTION USING ERRCODE = 'PGPAF', MESSAGE = 'assertion is false';
                        END IF;
                    ELSE
                        EXECUTE item->>'sql';
                        IF stage = 'probe' THEN
                            GET DIAGNOSTICS affected = ROW_COUNT;
                        END IF;
                    END IF;
                END LOOP;
                RAISE EXCEPTION USING ERRCODE = 'PGPOK', MESSAGE = 'done';
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS caught_state = RETURNED_SQLSTATE,
                    caught_message = MESSAGE_TEXT, caught_constraint = CONSTRAINT_NAME;
                IF caught_state = 'PGPOK' THEN
                    stage := 'done';
                    state := NULL;
                    message := NULL;
                    constraint_name := NULL;
                ELSE
                    state := caught_state;
                    message := caught_message;
                    constraint_name := NULLIF(caught_constraint, '');
                END IF;
                row_count := affected;
                RETURN NEXT;
            END;
        END LOOP;
        RAISE EXCEPTION USING ERRCODE = 'PGPOK', MESSAGE = 'done';
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS caught_state = RETURNED_SQLSTATE,
            caught_message = MESSAGE_TEXT, caught_constraint = CONSTRAINT_NAME;
        IF caught_state <> 'PGPOK' THEN
            -- The shared rows were refused: one row (probe 0) says so.
            probe := 0;
            stage := 'shared';
            state := caught_state;
            message := caught_message;
            constraint_name := NULLIF(caught_constraint, '');
            row_count := NULL;
            RETURN NEXT;
        END IF;
    END;
END
$pgparity$"#;

/// What the server reported for one probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Answer {
    /// The step it stopped at (1-based; the last one when it ran to the end).
    pub step: usize,
    /// `None` when every step ran; else the SQLSTATE (`PGPAF` for a false assertion).
    pub state: Option<String>,
    /// The server's message.
    pub message: String,
    /// The constraint the error names, if any.
    pub constraint: Option<String>,
    /// Rows the probe statement affected.
    pub row_count: Option<i64>,
}

/// The JSON the function takes: per probe, its steps as `{kind, sql}`.
pub(super) fn batch_json(probes: &[&Planned]) -> String {
    json!(probes
        .iter()
        .map(|probe| {
            probe
                .steps
                .iter()
                .map(|step| json!({"kind": step.kind.as_str(), "sql": step.sql}))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>())
    .to_string()
}

/// Runs `probes` in one call, after the `shared` statements (made once, rolled back with
/// the batch). When the server refuses a shared statement, every probe's answer says so
/// (step 0). An error of the whole call (the statement timeout, a lost connection) comes
/// back as one message for all of them.
pub(super) fn run_batch(
    client: &mut Client,
    shared: &[String],
    probes: &[&Planned],
) -> Result<Vec<Answer>, String> {
    if probes.is_empty() {
        return Ok(Vec::new());
    }
    let shared_json = json!(shared
        .iter()
        .map(|sql| json!({"kind": "setup", "sql": sql}))
        .collect::<Vec<_>>())
    .to_string();
    let rows = client
        .query(
            "SELECT probe, stage, step, state, message, constraint_name, row_count \
             FROM pg_temp.pgparity_probe($1::text::jsonb, $2::text::jsonb)",
            &[&shared_json, &batch_json(probes)],
        )
        .map_err(|error| describe_error(&error))?;
    let mut answers = vec![None; probes.len()];
    for row in rows {
        let index: i32 = row.get(0);
        let step: i32 = row.get(2);
        let answer = Answer {
            step: usize::try_from(step).unwrap_or(0),
            state: row.get(3),
            message: row.get::<_, Option<String>>(4).unwrap_or_default(),
            constraint: row.get(5),
            row_count: row.get(6),
        };
        if index == 0 {
            // The shared statements were refused: no probe ran.
            return Ok(vec![Answer { step: 0, ..answer }; probes.len()]);
        }
        if let Some(slot) = usize::try_from(index)
            .ok()
            .and_then(|index| index.checked_sub(1))
            .and_then(|index| answers.get_mut(index))
        {
            *slot = Some(answer);
        }
    }
    answers
        .into_iter()
        .map(|answer| answer.ok_or_else(|| "the probe function returned no answer".to_string()))
        .collect()
}

fn describe_error(error: &QueryError) -> String {
    match error.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => error.to_string(),
    }
}

/// `23505 (unique_violation): duplicate key value …` for reports.
fn refusal(answer: &Answer) -> String {
    let state = answer.state.as_deref().unwrap_or_default();
    format!("refused with {}: {}", with_name(state), answer.message)
}

/// A SQLSTATE with its condition name where it is one probes meet.
pub(super) fn with_name(state: &str) -> String {
    let name = match state {
        "23502" => "not_null_violation",
        "23503" => "foreign_key_violation",
        "23505" => "unique_violation",
        "23514" => "check_violation",
        "23P01" => "exclusion_violation",
        "42501" => "insufficient_privilege",
        "P0001" => "raise_exception",
        _ => return state.to_string(),
    };
    format!("{state} ({name})")
}

/// The outcome of `probe` from the server's `answer`.
pub(super) fn judge(probe: &Planned, answer: &Answer) -> ProbeOutcome {
    if answer.step == 0 {
        if let Some(state) = &answer.state {
            return ProbeOutcome::Skipped {
                reason: format!(
                    "the server refused the rows the probes of {} share: {} ({})",
                    probe.relation,
                    answer.message,
                    with_name(state)
                ),
            };
        }
    }
    let step = probe
        .steps
        .get(answer.step.saturating_sub(1))
        .cloned()
        .unwrap_or_else(|| Step::setup(String::new()));
    let Some(state) = answer.state.as_deref() else {
        return match &probe.expect {
            Expect::Accepted { .. } => ProbeOutcome::Passed,
            Expect::Refused { .. }
                if answer.row_count == Some(0) && probe.no_rows == NoRows::Skips =>
            {
                ProbeOutcome::Skipped {
                    reason: "the statement found no row to change, so it proves nothing (the \
                             row was not visible to the role)"
                        .into(),
                }
            }
            Expect::Refused { .. }
                if answer.row_count == Some(0) && probe.no_rows == NoRows::Passes =>
            {
                ProbeOutcome::Passed
            }
            Expect::Refused { .. } => ProbeOutcome::Failed {
                actual: "accepted".into(),
            },
        };
    };
    match step.kind {
        StepKind::Setup => ProbeOutcome::Skipped {
            reason: format!(
                "the server refused what the probe needs first: {} ({})",
                answer.message,
                with_name(state)
            ),
        },
        StepKind::Require => ProbeOutcome::Skipped {
            reason: if state == "PGPAF" {
                step.note
            } else {
                format!("{}: {}", step.note, answer.message)
            },
        },
        StepKind::Quiet if state != "PGPAF" => ProbeOutcome::Passed,
        StepKind::Assert | StepKind::Quiet => ProbeOutcome::Failed {
            actual: if state == "PGPAF" {
                step.note
            } else {
                format!("{}: {}", step.note, answer.message)
            },
        },
        StepKind::Probe => judge_refusal(probe, answer, state),
    }
}

/// The outcome of a probe whose statement was refused.
fn judge_refusal(probe: &Planned, answer: &Answer, state: &str) -> ProbeOutcome {
    let by_other = |constraint: &Option<String>| {
        constraint
            .as_ref()
            .is_some_and(|expected| answer.constraint.as_ref() != Some(expected))
    };
    match &probe.expect {
        Expect::Refused {
            sqlstate,
            constraint,
        } => {
            let right_state = sqlstate.as_deref().is_none_or(|expected| expected == state);
            if right_state && !by_other(constraint) {
                ProbeOutcome::Passed
            } else if sqlstate.is_some() && probe.exact_state {
                ProbeOutcome::Failed {
                    actual: refusal(answer),
                }
            } else {
                inconclusive(answer)
            }
        }
        Expect::Accepted { constraint } => {
            if constraint.is_some() && by_other(constraint) {
                inconclusive(answer)
            } else {
                ProbeOutcome::Failed {
                    actual: refusal(answer),
                }
            }
        }
    }
}

/// Refused, but not by what the probe tries: something else answered first.
fn inconclusive(answer: &Answer) -> ProbeOutcome {
    let by = answer
        .constraint
        .as_ref()
        .map_or_else(String::new, |constraint| format!(" by {constraint}"));
    ProbeOutcome::Skipped {
        reason: format!(
            "inconclusive: refused{by} before what the probe tries could answer ({}: {})",
            with_name(answer.state.as_deref().unwrap_or_default()),
            answer.message
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ProbeKind, QualifiedName};

    fn planned(expect: Expect) -> Planned {
        Planned {
            kind: ProbeKind::Check,
            relation: QualifiedName::new("public", "t"),
            member: None,
            description: "d".into(),
            sql: "INSERT".into(),
            steps: vec![
                Step::setup("INSERT parent".into()),
                Step::probe("INSERT".into()),
                Step::assert("SELECT true".into(), "the row is gone"),
            ],
            expect,
            exact_state: false,
            no_rows: NoRows::Fails,
            location: None,
            skip: None,
            own_parents: false,
            alternatives: Vec::new(),
        }
    }

    fn answer(step: usize, state: Option<&str>, constraint: Option<&str>) -> Answer {
        Answer {
            step,
            state: state.map(str::to_string),
            message: "message".into(),
            constraint: constraint.map(str::to_string),
            row_count: Some(1),
        }
    }

    #[test]
    fn outcomes_follow_the_step_and_the_state() {
        let refused = planned(Expect::Refused {
            sqlstate: Some("23514".into()),
            constraint: Some("ck".into()),
        });
        assert_eq!(
            judge(&refused, &answer(2, Some("23514"), Some("ck"))),
            ProbeOutcome::Passed
        );
        assert!(matches!(
            judge(&refused, &answer(2, Some("23514"), Some("other"))),
            ProbeOutcome::Skipped { .. }
        ));
        assert!(matches!(
            judge(&refused, &answer(3, None, None)),
            ProbeOutcome::Failed { actual } if actual == "accepted"
        ));
        assert!(matches!(
            judge(&refused, &answer(1, Some("23503"), None)),
            ProbeOutcome::Skipped { reason } if reason.contains("23503 (foreign_key_violation)")
        ));
        let accepted = planned(Expect::Accepted {
            constraint: Some("ck".into()),
        });
        assert_eq!(
            judge(&accepted, &answer(3, None, None)),
            ProbeOutcome::Passed
        );
        assert!(matches!(
            judge(&accepted, &answer(2, Some("23514"), Some("ck"))),
            ProbeOutcome::Failed { .. }
        ));
        assert!(matches!(
            judge(&accepted, &answer(3, Some("PGPAF"), None)),
            ProbeOutcome::Failed { actual } if actual == "the row is gone"
        ));
    }
}
