//! `unknown-mapped-column`: the mapping names a column the relation does not have. Found
//! by the read-model walk and the entity check in the family's `mod.rs`.

use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unknown-mapped-column`.
pub static UNKNOWN_MAPPED_COLUMN: Rule = Rule {
    id: "unknown-mapped-column",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "The mapping names a column that the relation does not have",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
Checks that every column named in the mapping — `fields:` of a read model, `columns:` of an
entity — exists in its relation.

## Why it matters
A mapping that points at a missing column documents a data flow that cannot happen; usually a
column was renamed in a migration and the mapping was not updated.

## Example
```yaml
fields:
  total_revenue: {column: total_revenue_usd}
```
while the view's column is `total_revenue`. Fix the column name in the mapping.",
};
register_rule!(UNKNOWN_MAPPED_COLUMN);
