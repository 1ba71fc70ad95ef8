//! Combining schema nodes: `allOf` members intersect (every member must hold), and
//! `oneOf`/`anyOf` branches unite (one of them holds).

use super::model::SchemaNode;
use serde_json::{json, Value};
use std::sync::Arc;

/// How much work resolving one contract set may take, in units of schema nodes built
/// or copied. Shared `$ref`s are expanded once, so real API descriptions stay far below
/// it (the bundled example takes under 200; a 10 MB description about a million); what
/// reaches it is a schema graph built to multiply, such as `allOf` over two chains
/// whose every level refers twice to the next.
pub(crate) const WORK_BUDGET: usize = 1_000_000;

/// Work done so far against a budget.
#[derive(Debug, Clone)]
pub(crate) struct Work {
    done: usize,
    budget: usize,
}

impl Default for Work {
    fn default() -> Self {
        Work {
            done: 0,
            budget: WORK_BUDGET,
        }
    }
}

impl Work {
    /// Counts `units` more.
    pub(crate) fn spend(&mut self, units: usize) {
        self.done = self.done.saturating_add(units);
    }

    /// Whether the budget is spent.
    pub(crate) fn exhausted(&self) -> bool {
        self.done > self.budget
    }

    /// The budget, for messages.
    pub(crate) fn budget(&self) -> usize {
        self.budget
    }
}

/// What copying `node` (one level: its children are shared) costs.
pub(crate) fn copy_cost(node: &SchemaNode) -> usize {
    1 + node.properties.len() + node.required.len() + node.enum_values.as_ref().map_or(0, Vec::len)
}

/// Whether a node says anything about the values it accepts (a node without `type`
/// or `enum` accepts everything, including `null`).
fn constrains(node: &SchemaNode) -> bool {
    !node.types.is_empty() || node.enum_values.is_some()
}

/// A branch that accepts only `null` (`{type: "null"}`, `{enum: [null]}`).
fn is_null_only(node: &SchemaNode) -> bool {
    node.types.is_empty()
        && node.nullable
        && node.enum_values.as_ref().is_none_or(Vec::is_empty)
        && node.properties.is_empty()
        && node.items.is_none()
}

/// The intersection of two `allOf` members. `json_schema` is an `allOf` of both; the
/// caller replaces it when it knows better. Properties both members have are merged in
/// turn, each merge counted in `work`; once it is spent, the first member's property
/// stands for both.
pub(crate) fn intersect(first: SchemaNode, second: SchemaNode, work: &mut Work) -> SchemaNode {
    let nullable = match (constrains(&first), constrains(&second)) {
        (true, true) => first.nullable && second.nullable,
        (true, false) => first.nullable,
        (false, true) => second.nullable,
        (false, false) => first.nullable || second.nullable,
    };
    let enum_values = match (first.enum_values, second.enum_values) {
        (Some(left), Some(right)) => Some(
            left.into_iter()
                .filter(|value| right.contains(value))
                .collect(),
        ),
        (left, right) => left.or(right),
    };
    let max_length = match (first.max_length, second.max_length) {
        (Some(left), Some(right)) => Some(left.min(right)),
        (left, right) => left.or(right),
    };
    let mut properties = first.properties;
    for (name, node) in second.properties {
        match properties
            .iter_mut()
            .find(|(existing, _)| *existing == name)
        {
            Some((_, existing)) => *existing = intersect_shared(existing, node, work),
            None => properties.push((name, node)),
        }
    }
    let mut required = first.required;
    for name in second.required {
        if !required.contains(&name) {
            required.push(name);
        }
    }
    let items = match (first.items, second.items) {
        (Some(mut left), Some(right)) => Some(intersect_shared(&mut left, right, work)),
        (left, right) => left.or(right),
    };
    let ref_name = match (first.ref_name, second.ref_name) {
        (Some(name), None) | (None, Some(name)) => Some(name),
        _ => None,
    };
    let json_schema = match (first.json_schema, second.json_schema) {
        (Value::Null, other) | (other, Value::Null) => other,
        (left, right) if left == right => left,
        (left, right) => json!({ "allOf": [left, right] }),
    };
    SchemaNode {
        types: intersect_types(&first.types, &second.types),
        format: first.format.or(second.format),
        nullable,
        enum_values,
        max_length,
        properties,
        required,
        items,
        ref_name,
        location: first.location.or(second.location),
        json_schema,
    }
}

/// The intersection of two shared subschemas: the same one needs no work.
fn intersect_shared(
    existing: &mut Arc<SchemaNode>,
    other: Arc<SchemaNode>,
    work: &mut Work,
) -> Arc<SchemaNode> {
    let existing = std::mem::take(existing);
    if Arc::ptr_eq(&existing, &other) || work.exhausted() {
        return existing;
    }
    work.spend(copy_cost(&existing) + copy_cost(&other));
    Arc::new(intersect(
        Arc::unwrap_or_clone(existing),
        Arc::unwrap_or_clone(other),
        work,
    ))
}

/// `integer` is a `number`, so their intersection is `integer`; a side that names no
/// type does not restrict the other.
fn intersect_types(first: &[String], second: &[String]) -> Vec<String> {
    if first.is_empty() {
        return second.to_vec();
    }
    if second.is_empty() {
        return first.to_vec();
    }
    let mut types: Vec<String> = Vec::new();
    for kind in first {
        let common = if second.contains(kind) {
            Some(kind.as_str())
        } else if (kind == "number" && second.iter().any(|other| other == "integer"))
            || (kind == "integer" && second.iter().any(|other| other == "number"))
        {
            Some("integer")
        } else {
            None
        };
        if let Some(common) = common {
            if !types.iter().any(|existing| existing == common) {
                types.push(common.to_string());
            }
        }
    }
    types
}

/// The union of `oneOf`/`anyOf` branches. The 3.1 idiom `oneOf: [X, {type: null}]`
/// becomes X made nullable; several real branches keep only what they share (their
/// types and enum values), since no single property list describes them all.
pub(crate) fn unite(branches: Vec<SchemaNode>) -> SchemaNode {
    let (nulls, mut others): (Vec<SchemaNode>, Vec<SchemaNode>) =
        branches.into_iter().partition(is_null_only);
    let null_branch = !nulls.is_empty();
    if others.len() == 1 {
        let mut only = others.remove(0);
        only.nullable |= null_branch;
        return only;
    }
    if others.is_empty() {
        return SchemaNode {
            nullable: null_branch,
            ..SchemaNode::default()
        };
    }
    let every_branch_typed = others.iter().all(|branch| !branch.types.is_empty());
    let mut types: Vec<String> = Vec::new();
    if every_branch_typed {
        for kind in others.iter().flat_map(|branch| branch.types.iter()) {
            if !types.contains(kind) {
                types.push(kind.clone());
            }
        }
    }
    let enum_values = if others.iter().all(|branch| branch.enum_values.is_some()) {
        let mut values: Vec<Value> = Vec::new();
        for value in others
            .iter()
            .filter_map(|branch| branch.enum_values.as_ref())
            .flatten()
        {
            if !values.contains(value) {
                values.push(value.clone());
            }
        }
        Some(values)
    } else {
        None
    };
    let max_length = others
        .iter()
        .map(|branch| branch.max_length)
        .collect::<Option<Vec<u64>>>()
        .and_then(|lengths| lengths.into_iter().max());
    let first_format = others[0].format.clone();
    let format = if others.iter().all(|branch| branch.format == first_format) {
        first_format
    } else {
        None
    };
    SchemaNode {
        types,
        format,
        nullable: null_branch || others.iter().any(|branch| branch.nullable),
        enum_values,
        max_length,
        ..SchemaNode::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(kind: &str) -> SchemaNode {
        SchemaNode {
            types: vec![kind.to_string()],
            ..SchemaNode::default()
        }
    }

    fn null_only() -> SchemaNode {
        SchemaNode {
            nullable: true,
            ..SchemaNode::default()
        }
    }

    #[test]
    fn intersection_keeps_the_stricter_constraints() {
        let mut left = typed("string");
        left.max_length = Some(80);
        left.enum_values = Some(vec![json!("a"), json!("b")]);
        left.required = vec!["x".into()];
        let mut right = typed("string");
        right.max_length = Some(40);
        right.enum_values = Some(vec![json!("b"), json!("c")]);
        right.required = vec!["y".into(), "x".into()];
        let merged = intersect(left, right, &mut Work::default());
        assert_eq!(merged.max_length, Some(40));
        assert_eq!(merged.enum_values, Some(vec![json!("b")]));
        assert_eq!(merged.required, vec!["x".to_string(), "y".to_string()]);
    }

    #[test]
    fn integer_and_number_intersect_to_integer() {
        assert_eq!(
            intersect(typed("number"), typed("integer"), &mut Work::default()).types,
            vec!["integer".to_string()]
        );
        assert!(
            intersect(typed("string"), typed("integer"), &mut Work::default())
                .types
                .is_empty()
        );
        assert_eq!(
            intersect(
                SchemaNode::default(),
                typed("boolean"),
                &mut Work::default()
            )
            .types,
            vec!["boolean".to_string()]
        );
    }

    #[test]
    fn intersection_is_nullable_only_when_every_constraining_member_is() {
        let mut nullable_string = typed("string");
        nullable_string.nullable = true;
        assert!(
            !intersect(
                nullable_string.clone(),
                typed("string"),
                &mut Work::default()
            )
            .nullable
        );
        assert!(
            intersect(
                nullable_string.clone(),
                SchemaNode::default(),
                &mut Work::default()
            )
            .nullable
        );
        assert!(!intersect(typed("string"), null_only(), &mut Work::default()).nullable);
    }

    #[test]
    fn a_null_branch_makes_the_other_branch_nullable() {
        let mut object = typed("object");
        object.properties = vec![("id".into(), Arc::new(typed("string")))];
        let united = unite(vec![object, null_only()]);
        assert!(united.nullable);
        assert_eq!(united.types, vec!["object".to_string()]);
        assert_eq!(united.properties.len(), 1);
    }

    #[test]
    fn several_branches_keep_their_shared_facts() {
        let united = unite(vec![typed("string"), typed("integer")]);
        assert_eq!(
            united.types,
            vec!["string".to_string(), "integer".to_string()]
        );
        assert!(!united.nullable);
        assert!(unite(vec![typed("string"), SchemaNode::default()])
            .types
            .is_empty());
    }

    /// A chain of `levels` objects whose properties `a` and `b` are both the next level.
    fn chain(levels: usize) -> SchemaNode {
        let mut node = typed("string");
        for _ in 0..levels {
            let next = Arc::new(node);
            let mut object = typed("object");
            object.properties = vec![("a".into(), Arc::clone(&next)), ("b".into(), next)];
            node = object;
        }
        node
    }

    #[test]
    fn merging_two_chains_that_multiply_stops_at_the_budget() {
        let mut work = Work {
            done: 0,
            budget: 1_000,
        };
        let merged = intersect(chain(40), chain(40), &mut work);
        assert!(work.exhausted());
        assert!(work.done < 2_000, "{}", work.done);
        assert_eq!(merged.properties.len(), 2);
        let mut unlimited = Work::default();
        let same = chain(40);
        let merged = intersect(same.clone(), same, &mut unlimited);
        assert_eq!(merged.properties.len(), 2);
        assert!(unlimited.done < 10, "shared subschemas need no merging");
    }
}
