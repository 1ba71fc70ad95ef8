//! `unmapped-dto-field`: a DTO field no column serves. Found by the read-model walk in
//! the family's `mod.rs`, which every field rule shares.

use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `unmapped-dto-field`.
pub static UNMAPPED_DTO_FIELD: Rule = Rule {
    id: "unmapped-dto-field",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A DTO field has no column in the relation that serves it",
    object_kind: ObjectKind::Member,
    needs_live: false,
    docs: "\
## What it does
For each read model in the mapping, checks that every property of the DTO comes from a column
of the serving relation: the column named in `fields:`, or else the column of the same name.

## Why it matters
The API promises a field that nothing in the database provides: the response will lack it or
the serializer will fill it with something nobody checked.

## Example
`RealtimeRevenueResponse` has `currency`, `public.mv_realtime_revenue` has no `currency`
column and `fields:` does not map it.
Fix: add the column to the relation, map the field to an existing column
(`fields: {currency: currency_code}`), or remove the field from the contract.",
};
register_rule!(UNMAPPED_DTO_FIELD);
