//! `unreadable-plan-entry`: an index plan entry pgparity could not read. The plan's other
//! entries still count; the run never stops for one entry.

use crate::checks::index_plan::{index_path, IndexPlan};
use crate::finding::{Finding, ObjectPath};
use crate::model::QualifiedName;
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unreadable-plan-entry`.
pub static UNREADABLE_PLAN_ENTRY: Rule = Rule {
    id: "unreadable-plan-entry",
    family: Family::IndexPlan,
    default_severity: Severity::Warning,
    summary: "An index plan entry (Markdown or YAML plan file) could not be read",
    object_kind: ObjectKind::Index,
    needs_live: false,
    docs: "\
## What it does
Reports each index plan entry that pgparity could not read, at its `####` heading (Markdown)
or list item (YAML plan file), saying what is missing: a Markdown `####` section with plan
fields but no index name, no relation (`**Table**:`, `**Materialized View**:`, `**View**:`,
`**Relation**:`, or a `### relation` heading above it) or no `**Columns**:` line; a YAML
entry that breaks the plan entry format. A `####` section with none of the plan's fields is
prose and is ignored. The other entries are read and checked as usual.

## Why it matters
An entry that is not read justifies nothing: its index is reported speculative, and a
missing index it plans goes unnoticed. Saying which entry was skipped, and why, is the
difference between a finding and a silently thinner plan.

## Example
```markdown
#### idx_revenue_ledger_tenant_posted_at
**Columns**: tenant_id, posted_at DESC
**Query Path**: GET /api/attribution/revenue/realtime
```
under `## Indexes` with no `**Table**:` line. Fix: add `**Table**: public.revenue_ledger`, or
move the entry under a `### revenue_ledger` heading.",
};
register_rule!(UNREADABLE_PLAN_ENTRY);
crate::checks::finder!(super::INDEX_PLAN_FINDERS, find);

fn find(plan: &IndexPlan, findings: &mut Vec<Finding>) {
    // What the plan says is judged once, in the pass over the plan alone.
    let (None, Some(set)) = (plan.judged, plan.plan) else {
        return;
    };
    for problem in &set.problems {
        let named = problem
            .entry
            .chars()
            .all(|c| c.is_alphanumeric() || "_.$\"".contains(c));
        let object = if named {
            index_path(&QualifiedName::parse(
                &problem.entry,
                plan.inputs.default_schema,
            ))
        } else {
            ObjectPath::other(format!(
                "{}:{}",
                problem.location.path, problem.location.line
            ))
            .of_kind(ObjectKind::Object)
        };
        findings.push(
            Finding::new(
                &UNREADABLE_PLAN_ENTRY,
                object,
                if named {
                    format!(
                        "index plan entry {} could not be read: {}",
                        problem.entry, problem.message
                    )
                } else {
                    format!("an index plan entry could not be read: {}", problem.message)
                },
            )
            .at(Some(&problem.location))
            .hint("fix the entry; until then it justifies no index"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::index_plan::missing_planned_index::MISSING_PLANNED_INDEX;
    use crate::checks::index_plan::speculative_index::SPECULATIVE_INDEX;
    use crate::checks::testing::{render, Scenario};

    /// A Markdown plan with a broken entry among good ones: the broken ones are
    /// reported at their headings, the good one still justifies its index and a prose
    /// section is not an entry.
    const PLAN: &str = "## Table Indexes\n\
                        #### idx_ok\n\
                        **Table**: ledger\n\
                        **Columns**: tenant_id, posted_at DESC\n\
                        **Query Path**: nightly-export\n\
                        \n\
                        #### idx_no_relation\n\
                        **Columns**: a, b\n\
                        **Query Path**: GET /x\n\
                        \n\
                        #### Notes\n\
                        Prose under a fourth-level heading is not an entry.\n\
                        \n\
                        ####\n\
                        **Table**: ledger\n\
                        **Columns**: b\n";

    #[test]
    fn a_broken_entry_among_good_ones_is_reported_and_the_others_count() {
        let findings = Scenario::specs(
            "CREATE TABLE ledger (id uuid PRIMARY KEY, tenant_id uuid, posted_at timestamptz);
             CREATE INDEX idx_ok ON ledger (tenant_id, posted_at DESC);",
        )
        .mapping("queries:\n  - {name: nightly-export}\nindex_plan_markdown: INDEX_PLAN.md\n")
        .file("INDEX_PLAN.md", PLAN)
        .findings_of_all(&[
            &UNREADABLE_PLAN_ENTRY,
            &SPECULATIVE_INDEX,
            &MISSING_PLANNED_INDEX,
        ]);
        insta::assert_snapshot!(render(&findings));
    }
}
