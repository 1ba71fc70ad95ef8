//! `mapping-type-drift`: the mapping's entity columns (type, nullability) against the
//! specs (or the database). Also reports entities and columns that do not exist.

use crate::checks::contract::unknown_mapped_column::UNKNOWN_MAPPED_COLUMN;
use crate::checks::contract::Contracts;
use crate::checks::spec::unknown_reference::UNKNOWN_REFERENCE;
use crate::finding::{Finding, ObjectPath};
use crate::register_rule;
use crate::rules::{Family, ObjectKind, Rule, Severity};

/// `mapping-type-drift`.
pub static MAPPING_TYPE_DRIFT: Rule = Rule {
    id: "mapping-type-drift",
    family: Family::Contract,
    default_severity: Severity::Error,
    summary: "A column type or nullability declared in the mapping differs from the specs",
    object_kind: ObjectKind::Column,
    needs_live: false,
    docs: "\
## What it does
Compares each `entities:` column's declared `type` (normalized: `VARCHAR(255)` is
`character varying(255)`, `timestamptz` is `timestamp with time zone`) and `nullable` with the
column the specs define.

## Why it matters
The mapping is the documentation other teams read; a declared type that drifted from the
schema misleads everyone who trusts it.

## Example
```yaml
- {name: revenue_cents, type: bigint, nullable: false}
```
while the spec says `revenue_cents integer NOT NULL`. Fix whichever side is wrong.",
};
register_rule!(MAPPING_TYPE_DRIFT);
crate::checks::finder!(super::CONTRACT_FINDERS, find);

fn find(run: &Contracts, findings: &mut Vec<Finding>) {
    let mapping = run.mapping;
    let catalog = run.live.unwrap_or(run.catalog);
    for entity in &mapping.entities {
        let Some(relation) = catalog.relations.get(&entity.table) else {
            findings.push(
                Finding::new(
                    &UNKNOWN_REFERENCE,
                    ObjectPath::relation(&entity.table).of_kind(ObjectKind::Relation),
                    format!(
                        "mapping entity {:?} names {}, which the specs do not define",
                        entity.key, entity.table
                    ),
                )
                .at(entity.location.as_ref())
                .did_you_mean(
                    &entity.table.to_string(),
                    super::relation_names(catalog).iter().map(String::as_str),
                ),
            );
            continue;
        };
        for declared in &entity.columns {
            let object = ObjectPath::member(&relation.name, &declared.name);
            let Some(column) = relation.column(&declared.name) else {
                findings.push(
                    Finding::new(
                        &UNKNOWN_MAPPED_COLUMN,
                        object,
                        format!(
                            "mapping entity {:?} declares column {}, which {} does not have",
                            entity.key, declared.name, relation.name
                        ),
                    )
                    .at(declared.location.as_ref())
                    .did_you_mean(
                        &declared.name,
                        relation.columns.iter().map(|column| column.name.as_str()),
                    ),
                );
                continue;
            };
            if let (Some(declared_type), Some(actual)) = (&declared.data_type, &column.data_type) {
                if declared_type != actual {
                    findings.push(
                        Finding::new(
                            &MAPPING_TYPE_DRIFT,
                            object.clone(),
                            format!("mapping declares {declared_type}, the specs define {actual}"),
                        )
                        .expected_actual(actual.to_string(), declared_type.to_string())
                        .at(declared.location.as_ref()),
                    );
                }
            }
            if relation.kind.is_table() {
                if let Some(nullable) = declared.nullable {
                    if nullable == column.not_null {
                        let says = |nullable: bool| if nullable { "nullable" } else { "NOT NULL" };
                        findings.push(
                            Finding::new(
                                &MAPPING_TYPE_DRIFT,
                                object.clone(),
                                format!(
                                    "mapping declares the column {}, the specs define it {}",
                                    says(nullable),
                                    says(!column.not_null)
                                ),
                            )
                            .expected_actual(says(!column.not_null), says(nullable))
                            .at(declared.location.as_ref()),
                        );
                    }
                }
            }
        }
    }
}
