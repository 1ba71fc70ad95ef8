//! Index definitions as written (`tests/data/drift/indexes.sql`) and as PostgreSQL 15.18
//! describes them per key (`pg_get_indexdef(indexrelid, k, true)`, the predicate from
//! `pg_get_expr(indpred, indrelid, true)`, operator classes and collations only where not
//! the default, as `pg_indexes.indexdef` prints them): equal definitions are not drift.

use pgparity::checks::drift::drift_findings;
use pgparity::model::{IndexKey, IndexTarget, QualifiedName};
use pgparity::sources::forms::fill_forms;
use pgparity::sources::spec::load_spec_text;

struct Printed {
    index: &'static str,
    keys: &'static [(
        &'static str,
        bool,
        Option<&'static str>,
        Option<&'static str>,
    )],
    predicate: Option<&'static str>,
}

/// (key as printed, is an expression, operator class, collation) per key.
const PRINTED: &[Printed] = &[
    Printed { index: "i01", keys: &[("lower(email)", true, None, None)], predicate: None },
    Printed { index: "i02", keys: &[("(payload ->> 'kind'::text)", true, None, None)], predicate: None },
    Printed { index: "i03", keys: &[("payload", false, Some("jsonb_path_ops"), None)], predicate: None },
    Printed { index: "i04", keys: &[("lower(email)", true, Some("text_pattern_ops"), None)], predicate: None },
    Printed { index: "i05", keys: &[("name", false, None, Some("C"))], predicate: None },
    Printed { index: "i06", keys: &[("id", false, None, None)], predicate: Some("deleted_at IS NULL") },
    Printed { index: "i07", keys: &[("COALESCE(code, ''::character varying)", true, None, None)], predicate: None },
    Printed { index: "i08", keys: &[("tags", false, None, None)], predicate: None },
    Printed {
        index: "i09",
        keys: &[("n", false, None, None)],
        predicate: Some("n > 0 AND (code::text = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[]))"),
    },
    Printed { index: "i10", keys: &[("(n + 1)", true, None, None), ("id", false, None, None)], predicate: None },
    Printed { index: "i11", keys: &[("upper(code::text)", true, None, None)], predicate: None },
    Printed { index: "i12", keys: &[("id", false, None, None)], predicate: Some("payload ? 'x'::text") },
];

#[test]
fn index_keys_and_predicates_as_postgresql_15_printed_them_are_not_drift() {
    let specs = load_spec_text(
        "tests/data/drift/indexes.sql",
        include_str!("data/drift/indexes.sql"),
        "public",
    );
    assert!(specs.problems.is_empty(), "{:#?}", specs.problems);
    let mut live = specs.catalog.clone();
    let table = live
        .relations
        .get_mut(&QualifiedName::new("public", "x"))
        .expect("table x");
    for printed in PRINTED {
        let index = table
            .indexes
            .get_mut(printed.index)
            .unwrap_or_else(|| panic!("index {}", printed.index));
        let spec_keys = index.keys.clone();
        index.keys = printed
            .keys
            .iter()
            .zip(spec_keys)
            .map(
                |((text, expression, opclass, collation), spec_key)| IndexKey {
                    target: if *expression {
                        IndexTarget::Expression((*text).into())
                    } else {
                        IndexTarget::Column((*text).into())
                    },
                    descending: spec_key.descending,
                    nulls_first: Some(spec_key.nulls_first_effective()),
                    opclass: opclass.map(str::to_string),
                    collation: collation.map(str::to_string),
                    default_opclass: None,
                    default_collation: None,
                },
            )
            .collect();
        index.predicate = printed.predicate.map(Into::into);
    }
    assert_eq!(PRINTED.len(), table.indexes.len());
    fill_forms(&mut live, "public");
    let findings = drift_findings(&specs, &live, "public");
    assert!(findings.is_empty(), "{findings:#?}");
}
