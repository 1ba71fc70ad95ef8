//! What both index plan readers (YAML and Markdown) do with an entry's keys and
//! predicate: read each key's direction and nulls order, and compute the canonical forms
//! of expressions in the index's schema, once, as the index-plan family compares them.

use super::model::PlanEntry;
use crate::model::{split_identifier_path, Expr, Forms, IndexKey, IndexTarget};
use crate::sql::normalize::FormCache;

/// Reads a plan column such as `updated_at DESC NULLS LAST` or `lower(email)`: a plain
/// name is a column, anything else an expression (its forms are filled by
/// [`fill_forms`]).
pub(super) fn plan_key(text: &str) -> IndexKey {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let upper = |word: &str| word.to_ascii_uppercase();
    let mut nulls_first = None;
    if words.len() >= 2 && upper(words[words.len() - 2]) == "NULLS" {
        nulls_first = Some(upper(words[words.len() - 1]) == "FIRST");
        words.truncate(words.len() - 2);
    }
    let mut descending = false;
    if let Some(last) = words.last() {
        match upper(last).as_str() {
            "DESC" => {
                descending = true;
                words.pop();
            }
            "ASC" => {
                words.pop();
            }
            _ => {}
        }
    }
    let target_text_raw = words.join(" ");
    let is_identifier = !target_text_raw.is_empty()
        && target_text_raw
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '"' || c == '$');
    let target = if is_identifier {
        IndexTarget::Column(split_identifier_path(&target_text_raw).join("."))
    } else {
        IndexTarget::Expression(target_text_raw.into())
    };
    IndexKey {
        descending,
        nulls_first,
        ..IndexKey::new(target)
    }
}

/// Fills [`Forms::in_own_schema`] of the expressions (keys and predicate) of `entries`,
/// in the schema of each entry's index.
pub(super) fn fill_forms(entries: &mut [PlanEntry]) {
    let mut cache = FormCache::new();
    for entry in entries {
        let schema = entry.index.schema.clone();
        let keys = entry
            .columns
            .iter_mut()
            .filter_map(|key| match &mut key.target {
                IndexTarget::Expression(expression) => Some(expression),
                IndexTarget::Column(_) => None,
            });
        for expression in keys.chain(entry.predicate.as_mut()) {
            in_own_schema(expression, &schema, &mut cache);
        }
    }
}

fn in_own_schema(expression: &mut Expr, schema: &str, cache: &mut FormCache) {
    let in_own_schema = cache.expression(expression.text(), schema);
    expression.set_forms(Forms {
        in_own_schema,
        ..Forms::default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::PlanStatus;
    use crate::model::{Canonical, QualifiedName};

    fn filled(columns: &[&str]) -> Vec<IndexKey> {
        let mut entries = [PlanEntry {
            index: QualifiedName::new("public", "i"),
            table: QualifiedName::new("public", "t"),
            columns: columns.iter().map(|column| plan_key(column)).collect(),
            unique: None,
            method: None,
            predicate: None,
            include: Vec::new(),
            query_paths: Vec::new(),
            status: PlanStatus::Active,
            location: None,
        }];
        fill_forms(&mut entries);
        entries[0].columns.clone()
    }

    fn target(key: &IndexKey) -> Option<&str> {
        match &key.target {
            IndexTarget::Column(column) => Some(column),
            IndexTarget::Expression(expression) => expression.in_own_schema().form(),
        }
    }

    #[test]
    fn plan_expression_keys_keep_their_closing_parenthesis() {
        let keys = filled(&[
            "lower(full_name)",
            "(lower(full_name))",
            "(coalesce(a, b)) DESC",
        ]);
        let targets: Vec<_> = keys.iter().map(target).collect();
        assert_eq!(
            targets,
            [
                Some("lower(full_name)"),
                Some("lower(full_name)"),
                Some("coalesce(a, b)")
            ]
        );
        assert!(keys[2].descending);
    }

    #[test]
    fn directions_and_nulls_orders_are_read_off_the_end() {
        let key = plan_key("updated_at DESC NULLS LAST");
        assert_eq!(key.target, IndexTarget::Column("updated_at".into()));
        assert!(key.descending);
        assert_eq!(key.nulls_first, Some(false));
        let key = plan_key("\"Tenant\" asc");
        assert_eq!(key.target, IndexTarget::Column("Tenant".into()));
        assert!(!key.descending && key.nulls_first.is_none());
        let mut entries = [PlanEntry {
            index: QualifiedName::new("app", "i"),
            table: QualifiedName::new("app", "t"),
            columns: vec![plan_key("app.f(a)")],
            unique: None,
            method: None,
            predicate: Some("app.g(b) AND c > 0".into()),
            include: Vec::new(),
            query_paths: Vec::new(),
            status: PlanStatus::Active,
            location: None,
        }];
        fill_forms(&mut entries);
        assert_eq!(target(&entries[0].columns[0]), Some("f(a)"));
        assert_eq!(
            entries[0].predicate.as_ref().map(Expr::in_own_schema),
            Some(&Canonical::Form("g(b) AND (c > 0)".into()))
        );
    }
}
