//! SQL text tooling shared by every source: expression normalization for comparing
//! definitions, reading allowed values out of CHECK expressions, scanning quoted
//! text, and splitting a script into its top-level statements.

pub mod depth;
pub mod normalize;
pub mod split;
pub mod tokens;

/// The index just past the quote that closes the one at `start` (`'…'` or `"…"`, doubled
/// quotes escape), or the end of the text when it is not closed.
pub fn quoted_end(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut index = start + 1;
    while index < chars.len() {
        if chars[index] == quote {
            if chars.get(index + 1) == Some(&quote) {
                index += 2;
                continue;
            }
            return index + 1;
        }
        index += 1;
    }
    chars.len()
}

/// The expression of a CHECK constraint, also when given as `pg_get_constraintdef`
/// prints it (`CHECK ((expr))`, possibly followed by `NOT VALID`).
pub fn check_expression(text: &str) -> &str {
    let trimmed = text.trim();
    let Some(head) = trimmed.get(..5) else {
        return trimmed;
    };
    if !head.eq_ignore_ascii_case("check") {
        return trimmed;
    }
    let rest = trimmed[5..].trim_start();
    let rest = match rest.len().checked_sub(9) {
        Some(cut)
            if rest
                .get(cut..)
                .is_some_and(|tail| tail.eq_ignore_ascii_case("not valid")) =>
        {
            rest[..cut].trim_end()
        }
        _ => rest,
    };
    if rest.starts_with('(') && rest.ends_with(')') {
        &rest[1..rest.len() - 1]
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::{check_expression, quoted_end};

    #[test]
    fn quoted_text_ends_after_its_closing_quote() {
        let chars: Vec<char> = "'it''s' x \"a\"\"b\" 'open".chars().collect();
        assert_eq!(quoted_end(&chars, 0), 7);
        assert_eq!(quoted_end(&chars, 10), 16);
        assert_eq!(quoted_end(&chars, 17), chars.len());
    }

    #[test]
    fn check_expressions_are_taken_out_of_the_printed_constraint() {
        assert_eq!(check_expression("CHECK ((a > 0))"), "(a > 0)");
        assert_eq!(check_expression("CHECK ((a > 0)) NOT VALID"), "(a > 0)");
        assert_eq!(check_expression("a > 0"), "a > 0");
        assert_eq!(check_expression("checked_at IS NULL"), "checked_at IS NULL");
    }
}
