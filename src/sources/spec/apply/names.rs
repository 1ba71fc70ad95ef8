//! The names PostgreSQL generates for unnamed constraints and indexes
//! (`makeObjectName` and `ChooseRelationName` in `commands/indexcmds.c`).

use crate::model::MAX_IDENTIFIER_BYTES;

/// `name1_name2_label`, with `name1` and `name2` shortened (the longer one first) so
/// that the whole fits in 63 bytes, as `makeObjectName` does.
pub(super) fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = label.len() + 1 + usize::from(name2.is_some());
    let available = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    let mut name1_bytes = name1.len();
    let mut name2_bytes = name2.map_or(0, str::len);
    while name1_bytes + name2_bytes > available {
        if name1_bytes > name2_bytes {
            name1_bytes -= 1;
        } else {
            name2_bytes -= 1;
        }
    }
    let mut name = clip(name1, name1_bytes).to_string();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, name2_bytes));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// The first of `name1_name2_label`, `name1_name2_label1`, `…2`, … that `taken` does
/// not hold (`ChooseRelationName` / `ChooseConstraintName`).
pub(super) fn choose_name(
    name1: &str,
    name2: Option<&str>,
    label: &str,
    taken: impl Fn(&str) -> bool,
) -> String {
    let mut candidate = make_object_name(name1, name2, label);
    let mut pass = 0u32;
    while taken(&candidate) {
        pass += 1;
        candidate = make_object_name(name1, name2, &format!("{label}{pass}"));
    }
    candidate
}

/// Column names joined with `_` for a generated name, cut once the result is as long
/// as an identifier can be (`ChooseIndexNameAddition`).
pub(super) fn column_addition<'a>(columns: impl IntoIterator<Item = &'a str>) -> String {
    let mut addition = String::new();
    for column in columns {
        if !addition.is_empty() {
            addition.push('_');
        }
        addition.push_str(column);
        if addition.len() >= MAX_IDENTIFIER_BYTES {
            break;
        }
    }
    addition
}

/// The longest prefix of `text` of at most `bytes` bytes that ends on a character
/// boundary (`pg_mbcliplen`).
fn clip(text: &str, bytes: usize) -> &str {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_are_joined() {
        assert_eq!(make_object_name("orders", None, "pkey"), "orders_pkey");
        assert_eq!(
            make_object_name("orders", Some("tenant_id_number"), "key"),
            "orders_tenant_id_number_key"
        );
    }

    #[test]
    fn long_names_are_shortened_like_postgresql() {
        let table = "a".repeat(40);
        let column = "b".repeat(40);
        let name = make_object_name(&table, Some(&column), "fkey");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
        let name = make_object_name(&table, Some("id"), "key");
        assert_eq!(name, format!("{}_id_key", "a".repeat(40)));
    }

    #[test]
    fn collisions_get_a_number_after_the_label() {
        let taken = ["t_a_key".to_string(), "t_a_key1".to_string()];
        assert_eq!(
            choose_name("t", Some("a"), "key", |name| taken
                .iter()
                .any(|t| t == name)),
            "t_a_key2"
        );
    }

    #[test]
    fn clipping_respects_character_boundaries() {
        assert_eq!(clip("héllo", 2), "h");
    }
}
