//! SQL text tooling shared by every source: expression normalization for comparing
//! definitions, reading allowed values out of CHECK expressions, scanning quoted
//! text, and splitting a script into its top-level statements.

pub mod depth;
pub mod normalize;
pub mod split;

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

#[cfg(test)]
mod tests {
    use super::quoted_end;

    #[test]
    fn quoted_text_ends_after_its_closing_quote() {
        let chars: Vec<char> = "'it''s' x \"a\"\"b\" 'open".chars().collect();
        assert_eq!(quoted_end(&chars, 0), 7);
        assert_eq!(quoted_end(&chars, 10), 16);
        assert_eq!(quoted_end(&chars, 17), chars.len());
    }
}
