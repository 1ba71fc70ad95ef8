//! Definitions laid out one clause per line for unified diffs: a canonical text is one
//! long line, and a diff of two long lines shows nothing but "this line changed".

use crate::sql::quoted_end;

const CLAUSES: &[&str] = &[
    "FROM",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "JOIN",
    "LEFT",
    "RIGHT",
    "FULL",
    "INNER",
    "CROSS",
    "AND",
    "OR",
];

/// `text` with whitespace collapsed, a line break before each top-level clause keyword
/// (`FROM`, `WHERE`, joins, `AND`, `OR`, …) and after each top-level comma. Parentheses
/// and string literals are kept on their line.
pub(super) fn one_clause_per_line(text: &str) -> String {
    let chars: Vec<char> = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .collect();
    let mut out = String::with_capacity(chars.len() + 16);
    let mut depth = 0usize;
    let mut previous_word = String::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        match c {
            '\'' | '"' => {
                let end = quoted_end(&chars, index);
                out.extend(&chars[index..end]);
                index = end;
                continue;
            }
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push_str(",\n  ");
                index += 1;
                while chars.get(index) == Some(&' ') {
                    index += 1;
                }
                continue;
            }
            c if c.is_alphabetic() && (index == 0 || !is_word_char(chars[index - 1])) => {
                let end = (index..chars.len())
                    .find(|&at| !is_word_char(chars[at]))
                    .unwrap_or(chars.len());
                let word: String = chars[index..end].iter().collect();
                let upper = word.to_uppercase();
                let joined_keyword = upper == "JOIN"
                    && matches!(
                        previous_word.as_str(),
                        "LEFT" | "RIGHT" | "FULL" | "INNER" | "CROSS" | "OUTER"
                    );
                let outer = upper == "OUTER";
                if depth == 0 && CLAUSES.contains(&upper.as_str()) && !joined_keyword && !outer {
                    while out.ends_with(' ') {
                        out.pop();
                    }
                    if !out.is_empty() {
                        out.push('\n');
                    }
                }
                out.push_str(&word);
                previous_word = upper;
                index = end;
                continue;
            }
            _ => {}
        }
        out.push(c);
        index += 1;
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

#[cfg(test)]
mod tests {
    use super::one_clause_per_line;

    #[test]
    fn clauses_and_select_items_get_their_own_lines() {
        assert_eq!(
            one_clause_per_line(
                "SELECT a, f(b, c) AS d FROM t AS x LEFT JOIN u ON u.id = x.id \
                 WHERE x.s = 'a, FROM b' AND (p OR q) GROUP BY a"
            ),
            "SELECT a,\n  f(b, c) AS d\nFROM t AS x\nLEFT JOIN u ON u.id = x.id\n\
             WHERE x.s = 'a, FROM b'\nAND (p OR q)\nGROUP BY a"
        );
        assert_eq!(one_clause_per_line("now()"), "now()");
    }
}
