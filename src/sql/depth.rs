//! How deep a piece of SQL nests, measured on its tokens before anything parses it.
//!
//! sqlparser builds `1 + 1 + … + 1` as a tree as deep as the chain is long, and every
//! walk over such a tree (sqlparser's own `Drop`, `Clone`, `PartialEq`, and the
//! normalizer, the lineage resolver and the other walkers of ours) recurses once per
//! level. Its own recursion limit counts only some kinds of nesting (parenthesised
//! expressions, subqueries), not operator chains. So every text pgparity parses is
//! measured here first, and refused past [`MAX_NESTING`]: below that bound every walk
//! fits in [`crate::WORKER_STACK_BYTES`] of stack.
//!
//! The measure is an upper bound on how deep expressions nest in the tree (a query adds
//! a few fixed wrapper nodes per `SELECT` besides, which the stack size was measured
//! with), computed in one pass with a heap-allocated stack, so the measuring itself
//! never recurses:
//!
//! - brackets (`(`, `[`, `{`) and `CASE … END` open a group one level deeper; commas,
//!   semicolons (in `BEGIN ATOMIC` bodies), `JOIN`, and `WHEN`/`THEN`/`ELSE` inside a
//!   `CASE`, separate the independent items of a group (list items, joins and branches
//!   are siblings in the tree, not a chain);
//! - within one item, every operator symbol and every keyword (`AND`, `NOT`, `IS`,
//!   `::`, `->`, …) may add a level, since a chain of them nests in the tree whichever
//!   way it associates: an item is as deep as its operators plus its deepest group;
//! - `UNION`/`INTERSECT`/`EXCEPT` chain whole queries across their commas, so they
//!   count for the whole group.
//!
//! Identifiers, literals, commas and periods add nothing. Keywords used as names are
//! counted too: the bound is generous, never short. Real definitions stay far below the
//! limit (the deepest of the 3,709 statements in `../shared/corpus` measures 73 levels);
//! `pg_get_viewdef` prints two levels per operator, as it wraps each in parentheses.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan};

/// The deepest nesting pgparity reads or compares, in the levels [`nesting`] counts.
pub const MAX_NESTING: usize = 1_000;

/// A text nesting deeper than [`MAX_NESTING`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nests {levels} levels deep, more than pgparity reads (limit {MAX_NESTING})")]
pub struct TooDeep {
    /// The measured depth (a bound on the depth of the tree).
    pub levels: usize,
    /// Where the innermost part that alone is too deep starts.
    pub at: Location,
}

/// `Err` when `tokens` nest deeper than [`MAX_NESTING`].
pub fn check_nesting(tokens: &[TokenWithSpan]) -> Result<(), TooDeep> {
    let measured = nesting(tokens);
    match measured.first_too_deep {
        Some(at) => Err(TooDeep {
            levels: measured.levels,
            at,
        }),
        None => Ok(()),
    }
}

/// The measure of one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nesting {
    /// A bound on the depth of the tree the tokens parse into.
    pub levels: usize,
    /// The start of the first (innermost) group or item found deeper than
    /// [`MAX_NESTING`], if any.
    pub first_too_deep: Option<Location>,
}

/// Measures `tokens`; see the module documentation for what counts.
pub fn nesting(tokens: &[TokenWithSpan]) -> Nesting {
    let mut meter = Meter::default();
    for token in tokens {
        meter.token(token);
    }
    meter.finish()
}

/// What closes a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closer {
    /// The whole text.
    End,
    Paren,
    Bracket,
    Brace,
    /// `CASE … END`.
    CaseEnd,
}

#[derive(Debug)]
struct Group {
    closer: Closer,
    start: Location,
    /// Set operations seen in the group (they chain across commas).
    set_operations: usize,
    /// The deepest item finished so far.
    deepest_item: usize,
    /// The current item: its start, where its last clause started (`WHERE`, `USING`…:
    /// a better place to point at than the start of the statement), its operators, and
    /// its deepest closed group.
    item_start: Option<Location>,
    clause_start: Option<Location>,
    item_operators: usize,
    item_deepest_group: usize,
}

impl Group {
    fn new(closer: Closer, start: Location) -> Self {
        Group {
            closer,
            start,
            set_operations: 0,
            deepest_item: 0,
            item_start: None,
            clause_start: None,
            item_operators: 0,
            item_deepest_group: 0,
        }
    }

    /// Where the current item's innermost clause starts.
    fn part_start(&self) -> Option<Location> {
        self.clause_start.or(self.item_start)
    }

    fn item_depth(&self) -> usize {
        self.item_operators
            .saturating_add(self.item_deepest_group.max(1))
    }

    /// The group's depth: itself, its set operations and its deepest item.
    fn depth(&self) -> usize {
        1usize
            .saturating_add(self.set_operations)
            .saturating_add(self.deepest_item.max(self.item_depth()))
    }
}

#[derive(Debug)]
struct Meter {
    /// The text itself, which only its end closes.
    outermost: Group,
    /// The open groups inside it, innermost last (on the heap: no recursion).
    open: Vec<Group>,
    first_too_deep: Option<Location>,
}

impl Default for Meter {
    fn default() -> Self {
        Meter {
            outermost: Group::new(Closer::End, Location::empty()),
            open: Vec::new(),
            first_too_deep: None,
        }
    }
}

impl Meter {
    fn current(&mut self) -> &mut Group {
        self.open.last_mut().unwrap_or(&mut self.outermost)
    }

    fn token(&mut self, token: &TokenWithSpan) {
        if matches!(token.token, Token::Whitespace(_) | Token::EOF) {
            return;
        }
        let at = token.span.start;
        if self.outermost.start == Location::empty() {
            self.outermost.start = at;
        }
        match &token.token {
            Token::LParen => self.open(Closer::Paren, at),
            Token::LBracket => self.open(Closer::Bracket, at),
            Token::LBrace => self.open(Closer::Brace, at),
            Token::RParen => self.close(Closer::Paren),
            Token::RBracket => self.close(Closer::Bracket),
            Token::RBrace => self.close(Closer::Brace),
            // Statements of a `BEGIN ATOMIC` body are siblings too.
            Token::Comma | Token::SemiColon => self.end_item(),
            Token::Period => {}
            Token::Word(word) if word.quote_style.is_none() => match word.keyword {
                Keyword::NoKeyword => self.operand(at),
                Keyword::CASE => self.open(Closer::CaseEnd, at),
                Keyword::END if self.current().closer == Closer::CaseEnd => {
                    self.close(Closer::CaseEnd)
                }
                Keyword::WHEN | Keyword::THEN | Keyword::ELSE
                    if self.current().closer == Closer::CaseEnd =>
                {
                    self.end_item()
                }
                Keyword::SELECT
                | Keyword::WHERE
                | Keyword::HAVING
                | Keyword::USING
                | Keyword::CHECK
                | Keyword::DEFAULT
                | Keyword::ON => {
                    self.current().clause_start = Some(at);
                    self.operator(at)
                }
                // The joins of a `FROM` item are a list, each with its own `ON`.
                Keyword::JOIN => self.end_item(),
                Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT => {
                    let group = self.current();
                    group.set_operations = group.set_operations.saturating_add(1);
                }
                _ => self.operator(at),
            },
            Token::Word(_)
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::Placeholder(_) => self.operand(at),
            _ => self.operator(at),
        }
    }

    fn operand(&mut self, at: Location) {
        let group = self.current();
        group.item_start.get_or_insert(at);
    }

    fn operator(&mut self, at: Location) {
        let group = self.current();
        group.item_start.get_or_insert(at);
        group.item_operators = group.item_operators.saturating_add(1);
        let (depth, start) = (group.item_depth(), group.part_start());
        self.note(depth, start.unwrap_or(at));
    }

    fn open(&mut self, closer: Closer, at: Location) {
        self.current().item_start.get_or_insert(at);
        self.open.push(Group::new(closer, at));
    }

    /// Closes the innermost group `closer` ends, and the unclosed groups inside it; a
    /// closer nothing open matches is ignored (the parser reports it).
    fn close(&mut self, closer: Closer) {
        if !self.open.iter().any(|group| group.closer == closer) {
            return;
        }
        while let Some(group) = self.open.pop() {
            let (depth, start, matched) = (group.depth(), group.start, group.closer == closer);
            self.note(depth, start);
            let parent = self.current();
            parent.item_deepest_group = parent.item_deepest_group.max(depth);
            let item_depth = parent.item_depth();
            let item_start = parent.part_start().unwrap_or(start);
            self.note(item_depth, item_start);
            if matched {
                return;
            }
        }
    }

    fn end_item(&mut self) {
        let group = self.current();
        group.deepest_item = group.deepest_item.max(group.item_depth());
        group.item_start = None;
        group.clause_start = None;
        group.item_operators = 0;
        group.item_deepest_group = 0;
    }

    /// Remembers where nesting first went past the limit.
    fn note(&mut self, depth: usize, start: Location) {
        if depth > MAX_NESTING && self.first_too_deep.is_none() {
            self.first_too_deep = Some(start);
        }
    }

    fn finish(mut self) -> Nesting {
        while let Some(closer) = self.open.last().map(|group| group.closer) {
            self.close(closer);
        }
        self.end_item();
        // The outermost group is the text itself, not a level of the tree.
        let levels = self.outermost.depth() - 1;
        let start = self.outermost.start;
        if levels > MAX_NESTING && self.first_too_deep.is_none() {
            self.first_too_deep = Some(start);
        }
        Nesting {
            levels,
            first_too_deep: self.first_too_deep,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn measure(text: &str) -> Nesting {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
            .tokenize_with_location()
            .expect("tokenizes");
        nesting(&tokens)
    }

    fn levels(text: &str) -> usize {
        measure(text).levels
    }

    fn chain(terms: usize, op: &str) -> String {
        vec!["1"; terms].join(op)
    }

    #[test]
    fn operator_chains_count_one_level_per_operator() {
        assert_eq!(levels("a"), 1);
        assert_eq!(levels("1 + 1"), 2);
        assert_eq!(levels(&chain(10, " + ")), 10);
        assert_eq!(levels("NOT NOT NOT x"), 4);
        assert!(levels("x::int::text") >= 3);
    }

    #[test]
    fn parentheses_count_as_the_tree_holds_them() {
        // Nested → BinaryOp → Nested → BinaryOp → leaf, as pg_get_viewdef prints a chain.
        assert_eq!(levels("((a + b) + c)"), 5);
        assert_eq!(levels("((((x))))"), 5);
    }

    #[test]
    fn lists_and_case_branches_are_siblings_not_a_chain() {
        let list = (0..5_000).map(|n| format!("'v{n}'")).collect::<Vec<_>>();
        assert!(levels(&format!("x IN ({})", list.join(", "))) <= 4);
        let branches: String = (0..2_000)
            .map(|n| format!(" WHEN a = {n} THEN 'v{n}'"))
            .collect();
        assert!(levels(&format!("CASE{branches} ELSE NULL END")) <= 4);
        let columns = (0..3_000)
            .map(|n| format!("a + {n} AS c{n}"))
            .collect::<Vec<_>>();
        assert!(levels(&format!("SELECT {} FROM t", columns.join(", "))) <= 6);
        let joins: String = (0..2_000)
            .map(|n| format!(" LEFT JOIN t{n} ON t{n}.id = t.id"))
            .collect();
        assert!(levels(&format!("SELECT 1 FROM t{joins} WHERE t.a > 0")) <= 8);
        let body = "SELECT 1; ".repeat(2_000);
        let function = format!("CREATE FUNCTION f() RETURNS int BEGIN ATOMIC {body} END");
        assert!(levels(&function) <= 10);
    }

    #[test]
    fn nested_case_subqueries_and_set_operations_add_up() {
        let cases = "CASE WHEN x THEN ".repeat(50) + "1" + &" END".repeat(50);
        assert!(levels(&cases) >= 50);
        let subqueries = "(SELECT ".repeat(50) + "1" + &")".repeat(50);
        assert!(levels(&subqueries) >= 100);
        let unions = vec!["SELECT a, b FROM t"; 60].join(" UNION ALL ");
        assert!(levels(&unions) >= 60, "{}", levels(&unions));
    }

    #[test]
    fn the_limit_is_inclusive_and_names_where_it_was_passed() {
        assert_eq!(levels(&chain(MAX_NESTING, "+")), MAX_NESTING);
        assert_eq!(measure(&chain(MAX_NESTING, "+")).first_too_deep, None);
        let text = format!("f(x, y)\n  AND ({})", chain(MAX_NESTING + 1, "+"));
        let too_deep = measure(&text);
        assert!(too_deep.levels > MAX_NESTING);
        assert_eq!(too_deep.first_too_deep, Some(Location::new(2, 8)));
    }

    #[test]
    fn unbalanced_text_is_measured_without_failing() {
        assert_eq!(levels(")))"), 1);
        assert!(levels("((((a") >= 5);
        assert!(levels("CASE WHEN (a END") >= 2);
        assert_eq!(levels(""), 1);
    }
}
