//! `probe-failed`: a constraint, a `must_reject:` statement or an invariant query of the
//! mapping did not behave in the scratch database as the specs and the mapping say.

use crate::checks::probe::{failed_probe, ProbeScope};
use crate::finding::Finding;
use crate::model::ProbeKind;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `probe-failed`.
pub static PROBE_FAILED: Rule = Rule {
    id: "probe-failed",
    family: Family::Probe,
    default_severity: Severity::Error,
    summary: "A constraint or a must_reject statement, tried in a scratch database, did not behave as the specs and the mapping say",
    object_kind: ObjectKind::Constraint,
    needs_live: true,
    docs: "\
## What it does
With `--probe` (and `--dev-db URL`), pgparity synthesizes a valid row for every table of the
specs (parent rows first) in a scratch database and tries, each in a savepoint that is rolled
back: NULL in every NOT NULL column (refused, 23502); a duplicate of every primary key, unique
constraint and unique index (refused, 23505; outside a partial index's predicate, accepted); a
value just outside each CHECK bound or list (refused, 23514) and one just inside (accepted); a
reference to a parent row that does not exist (refused, 23503); deleting a referenced parent
(CASCADE removes the child, SET NULL / SET DEFAULT change it, RESTRICT / NO ACTION refuse);
changing a referenced key (ON UPDATE: CASCADE moves the child's reference, SET NULL / SET
DEFAULT change it, RESTRICT / NO ACTION refuse); two rows overlapping on an exclusion
constraint (refused, 23P01) and two apart (accepted); rows equal through a unique index's
expression (`lower(email)`: `'v1'` then `'V1'`, refused);
every `must_reject:` statement of the mapping's invariants (refused, with its `sqlstate:` when
given); every invariant's `violations` query (it must run). A probe whose outcome differs is
reported with the statement tried, the expected and the actual outcome.

## Why it matters
A document saying \"idempotency is enforced by a unique index\" or \"a trigger keeps the
allocations summing to 1\" is a promise; a probe is the test nobody wrote for it. With
`--probe-template`, the probes run against the database your migrations built, so a
migration that forgot a cascade or weakened a CHECK is caught before it ships.

## Example
```
error[probe-failed]: revenue_cents = 0 is refused by ck_revenue_ledger_revenue_positive does not hold:
  `INSERT INTO \"public\".\"revenue_ledger\" (…, \"revenue_cents\", …) VALUES (…, 0, …)` was accepted
  expected: refused with 23514 (check_violation) by ck_revenue_ledger_revenue_positive
  actual:   accepted
```
(a migration replaced `CHECK (revenue_cents > 0)` by `CHECK (revenue_cents >= 0)`, probed with
`--probe-template`). Fix the database (its migration), or the specs or the mapping if
the promise was wrong.",
};
register_rule!(PROBE_FAILED);
crate::checks::finder!(super::PROBE_FINDERS, find);

/// The kinds of probe this rule reports (isolation and immutability have their own).
const KINDS: &[ProbeKind] = &[
    ProbeKind::NotNull,
    ProbeKind::Unique,
    ProbeKind::Check,
    ProbeKind::ForeignKey,
    ProbeKind::OnDelete,
    ProbeKind::OnUpdate,
    ProbeKind::Exclusion,
    ProbeKind::MustReject,
    ProbeKind::Invariant,
];

fn find(scope: &ProbeScope, findings: &mut Vec<Finding>) {
    for (probe, actual) in scope.failed(KINDS) {
        findings.push(failed_probe(&PROBE_FAILED, probe, actual));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::{render, Scenario};

    #[test]
    fn a_check_weaker_than_its_invariant_is_caught_and_a_clamping_trigger_is_not_blamed() {
        // The CHECK allows what its documentation (the invariant) refuses. A trigger
        // clamps negative amounts and NULL to 0 before the constraints see them: the
        // NULL and -1 probes are inconclusive (skipped), not failures.
        let findings = Scenario::specs(
            "CREATE TABLE ledger (
                 id integer PRIMARY KEY,
                 cents integer NOT NULL CONSTRAINT ck_cents CHECK (cents >= 0)
             );
             CREATE FUNCTION clamp() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN NEW.cents := greatest(NEW.cents, 0); RETURN NEW; END $$;
             CREATE TRIGGER clamp BEFORE INSERT ON ledger FOR EACH ROW EXECUTE FUNCTION clamp();",
        )
        .mapping(
            "version: 1\ninvariants:\n  - name: postings-carry-revenue\n    must_reject:\n      - sql: INSERT INTO ledger (id, cents) VALUES (99, 0)\n        sqlstate: \"23514\"\n",
        )
        .probed()
        .findings_of(&PROBE_FAILED);
        insta::assert_snapshot!(render(&findings));
    }
}
