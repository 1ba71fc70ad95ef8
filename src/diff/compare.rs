//! Comparing definitions by the canonical forms their loaders computed, and saying when
//! equality cannot be decided.

use super::{Comparison, Difference};
use crate::model::{Canonical, Expr, SqlType};
use crate::sql::quoted_end;
use similar::{capture_diff_slices, Algorithm, DiffTag};

/// How an absent value is shown.
pub(super) const NONE: &str = "(none)";

/// A difference of plain values, or `None` when they are equal.
pub(super) fn values(
    property: &'static str,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> Option<Difference> {
    let (expected, actual) = (expected.into(), actual.into());
    (expected != actual).then_some(Difference {
        property,
        expected,
        actual,
        comparison: Comparison::Values,
    })
}

/// One side of a definition comparison: the text shown, and its canonical form.
#[derive(Clone, Copy)]
pub(super) struct Definition<'a> {
    text: &'a str,
    canonical: &'a Canonical,
}

impl<'a> Definition<'a> {
    /// An expression as written, compared by its canonical form in the default schema.
    pub(super) fn of(expr: &'a Expr) -> Self {
        Definition {
            text: expr.text(),
            canonical: expr.canonical(),
        }
    }

    /// A CHECK constraint's expression, shown without its `CHECK (…)` wrapper.
    pub(super) fn check(expr: &'a Expr) -> Self {
        Definition {
            text: crate::sql::check_expression(expr.text()),
            canonical: expr.canonical(),
        }
    }
}

/// Compares two optional expressions by their canonical forms; `None` when they mean
/// the same.
pub(super) fn expressions(
    property: &'static str,
    expected: Option<Definition>,
    actual: Option<Definition>,
) -> Option<Difference> {
    let (expected, actual) = match (expected, actual) {
        (None, None) => return None,
        (Some(expected), Some(actual)) => (expected, actual),
        (expected, actual) => {
            return values(
                property,
                expected.map_or(NONE, |side| side.text),
                actual.map_or(NONE, |side| side.text),
            )
        }
    };
    let comparison = match (expected.canonical, actual.canonical) {
        (Canonical::Form(left), Canonical::Form(right))
            if left == right || only_added_casts(left, right) =>
        {
            return None
        }
        (Canonical::Form(left), Canonical::Form(right)) => Comparison::Normalized {
            expected: left.to_string(),
            actual: right.to_string(),
        },
        (left, right) => {
            if collapse(expected.text) == collapse(actual.text) {
                return None;
            }
            Comparison::Undecided {
                reason: left.reason().or_else(|| right.reason()).unwrap_or_default(),
            }
        }
    };
    let (expected, actual) = (expected.text, actual.text);
    Some(Difference {
        property,
        expected: expected.trim().to_string(),
        actual: actual.trim().to_string(),
        comparison,
    })
}

/// Compares two column defaults (or generation expressions), which the server coerces
/// to the column type: both are first compared as values of their columns
/// (`(default)::type`, each side's form computed with its own column's type when it was
/// loaded), so that a literal the spec leaves to the column type
/// (`interval DEFAULT '1 hour'`, `timestamp DEFAULT '2000-01-01'`) meets the server's
/// typed form (`'01:00:00'::interval`, `'2000-01-01 00:00:00'::timestamp without time
/// zone`); otherwise as plain expressions. `column_type` is the expected column's;
/// `is_enum` says it is an enum type, whose literals the server keeps as written.
pub(super) fn defaults(
    property: &'static str,
    expected: Option<&Expr>,
    actual: Option<&Expr>,
    column_type: Option<&SqlType>,
    is_enum: bool,
) -> Option<Difference> {
    if let (Some(left), Some(right), Some(column_type)) = (expected, actual, column_type) {
        let undecided = |reason: String| {
            (collapse(left.text()) != collapse(right.text())).then(|| Difference {
                property,
                expected: left.trim().to_string(),
                actual: right.trim().to_string(),
                comparison: Comparison::Undecided { reason },
            })
        };
        match (left.as_column_value(), right.as_column_value()) {
            (Canonical::Form(typed_left), Canonical::Form(typed_right)) => {
                if typed_left == typed_right {
                    return None;
                }
                let literals = is_string_literal(typed_left) && is_string_literal(typed_right);
                if literals && !is_text_type(column_type) && !is_enum {
                    if is_time_type(column_type) {
                        // Both literals were read into their values (see
                        // sql::normalize::datetime): different texts are different values.
                        return Some(Difference {
                            property,
                            expected: left.trim().to_string(),
                            actual: right.trim().to_string(),
                            comparison: Comparison::Normalized {
                                expected: typed_left.to_string(),
                                actual: typed_right.to_string(),
                            },
                        });
                    }
                    return undecided(format!(
                        "the server stores a {column_type} literal in the output form of that \
                         type, which pgparity does not reproduce; compare the values"
                    ));
                }
            }
            (Canonical::Undecided(reason), _) | (_, Canonical::Undecided(reason)) => {
                return undecided(reason.to_string());
            }
            _ => {}
        }
    }
    expressions(
        property,
        expected.map(Definition::of),
        actual.map(Definition::of),
    )
}

/// Date and time types, whose literals the loaders read into values.
fn is_time_type(column_type: &SqlType) -> bool {
    !column_type.is_array()
        && matches!(
            column_type.base(),
            "date"
                | "time without time zone"
                | "timestamp without time zone"
                | "timestamp with time zone"
        )
}

/// Types whose literals the server keeps as written.
fn is_text_type(column_type: &SqlType) -> bool {
    matches!(
        column_type.base(),
        "text" | "character varying" | "character" | "bpchar" | "name"
    )
}

/// A canonical text that is one string literal (`'…'`, quotes doubled inside).
fn is_string_literal(canonical: &str) -> bool {
    let chars: Vec<char> = canonical.trim().chars().collect();
    chars.first() == Some(&'\'') && quoted_end(&chars, 0) == chars.len()
}

/// Compares two view bodies. Equal canonical forms are equal definitions; different
/// ones are certain drift only when neither the qualification of column references nor
/// a `*` (which the server expands into the column list) can explain the difference.
/// Subqueries and set operations are normalized clause by clause like the outer query,
/// and the PostgreSQL 15 output recorded in `tests/data/drift/views-pg15.tsv` compares
/// equal, so they are judged like any other body.
pub(super) fn queries(expected: &Expr, actual: &Expr) -> Option<Difference> {
    let comparison = match (expected.canonical(), actual.canonical()) {
        (Canonical::Form(left), Canonical::Form(right))
            if left == right || only_added_casts(left, right) =>
        {
            return None
        }
        (Canonical::Form(left), Canonical::Form(right)) => {
            if unqualified(without_outer_parentheses(left))
                == unqualified(without_outer_parentheses(right))
            {
                Comparison::Undecided {
                    reason: "the bodies differ only in how column references are qualified".into(),
                }
            } else if is_table_shorthand(left) || is_table_shorthand(right) {
                Comparison::Undecided {
                    reason: "the spec writes `TABLE name`, which the server prints as a SELECT of its columns"
                        .into(),
                }
            } else if selects_star(left) || selects_star(right) {
                Comparison::Undecided {
                    reason: "the spec selects `*`, which the server prints as the column list"
                        .into(),
                }
            } else {
                Comparison::Normalized {
                    expected: left.to_string(),
                    actual: right.to_string(),
                }
            }
        }
        (left, right) => {
            if collapse(expected) == collapse(actual) {
                return None;
            }
            Comparison::Undecided {
                reason: left.reason().or_else(|| right.reason()).unwrap_or_default(),
            }
        }
    };
    Some(Difference {
        property: "definition",
        expected: expected.trim().to_string(),
        actual: actual.trim().to_string(),
        comparison,
    })
}

/// Whether the actual canonical text is the expected one with casts added (`x` printed
/// as `x::numeric`): the server prints the implicit casts it resolved, which the
/// normalizer keeps where they are not provably redundant (on function results in
/// arithmetic, `sum(cents)::numeric / 100.0`). A cast written by hand into the live
/// definition only is the accepted blind spot of this rule.
fn only_added_casts(expected: &str, actual: &str) -> bool {
    let (old, new) = (tokens(expected), tokens(actual));
    capture_diff_slices(Algorithm::Myers, &old, &new)
        .iter()
        .all(|op| match op.as_tag_tuple() {
            (DiffTag::Equal, _, _) => true,
            (DiffTag::Insert, _, added) => is_cast_sequence(&new[added]),
            _ => false,
        })
}

/// `::type` groups only: each starts with `::` and continues with type words and
/// modifiers (`numeric(6,5)`, `character varying`, `text[]`).
fn is_cast_sequence(tokens: &[String]) -> bool {
    tokens.first().is_some_and(|first| first == "::")
        && tokens
            .windows(2)
            .all(|pair| pair[0] != "::" || is_word(&pair[1]))
        && tokens.iter().all(|token| {
            token == "::"
                || is_word(token)
                || token.chars().all(|c| c.is_ascii_digit())
                || matches!(token.as_str(), "(" | ")" | "," | "[" | "]")
        })
}

fn is_word(token: &str) -> bool {
    token
        .chars()
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_' || first == '"')
}

/// Canonical text as tokens: words, quoted identifiers, string literals, numbers, `::`
/// and single punctuation characters.
fn tokens(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let start = index;
        if c.is_whitespace() {
            index += 1;
            continue;
        }
        if c == '\'' || c == '"' {
            index = quoted_end(&chars, index);
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            while index < chars.len()
                && (chars[index].is_alphanumeric()
                    || matches!(chars[index], '_' | '$')
                    || (chars[index] == '.'
                        && chars.get(index + 1).is_some_and(char::is_ascii_digit)))
            {
                index += 1;
            }
        } else if c == ':' && chars.get(index + 1) == Some(&':') {
            index += 2;
        } else {
            index += 1;
        }
        tokens.push(chars[start..index].iter().collect());
    }
    tokens
}

/// Compares two texts that have no normalizer (exclusion constraint definitions): equal
/// modulo case and whitespace, else undecided.
pub(super) fn unnormalized(
    property: &'static str,
    expected: &str,
    actual: &str,
) -> Option<Difference> {
    (collapse(expected).to_lowercase() != collapse(actual).to_lowercase()).then(|| Difference {
        property,
        expected: expected.trim().to_string(),
        actual: actual.trim().to_string(),
        comparison: Comparison::Undecided {
            reason: "pgparity does not normalize this kind of definition".into(),
        },
    })
}

/// Whitespace collapsed to single spaces.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with every qualifier of an identifier (`rl.` in `rl.tenant_id`) removed,
/// outside string literals.
fn unqualified(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c == '\'' {
            out.push_str(&std::mem::take(&mut word));
            let end = quoted_end(&chars, index);
            out.extend(&chars[index..end]);
            index = end;
            continue;
        }
        if c == '"' {
            let end = quoted_end(&chars, index);
            word.extend(&chars[index..end]);
            index = end;
            continue;
        }
        if c.is_alphanumeric() || c == '_' || c == '$' {
            word.push(c);
        } else if c == '.'
            && !word.is_empty()
            && !word.starts_with(|first: char| first.is_ascii_digit())
            && chars
                .get(index + 1)
                .is_some_and(|next| next.is_alphabetic() || *next == '_' || *next == '"')
        {
            word.clear();
        } else {
            out.push_str(&std::mem::take(&mut word));
            out.push(c);
        }
        index += 1;
    }
    out.push_str(&word);
    out
}

/// Whether a canonical query selects `*` or `relation.*` anywhere (outside literals).
/// `(SELECT …)` as `SELECT …`: a parenthesized body means the same query.
fn without_outer_parentheses(canonical: &str) -> &str {
    let mut text = canonical.trim();
    while text.starts_with('(') && text.ends_with(')') && closes_at_end(text) {
        text = text[1..text.len() - 1].trim();
    }
    text
}

/// Whether the parenthesis opening `text` is the one that closes it at the end (not
/// `(a) + (b)`).
fn closes_at_end(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut depth = 0usize;
    let mut index = 0;
    while index < chars.len() {
        match chars[index] {
            '\'' | '"' => {
                index = quoted_end(&chars, index);
                continue;
            }
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 && index + 1 < chars.len() {
                    return false;
                }
            }
            _ => {}
        }
        index += 1;
    }
    depth == 0
}

/// `TABLE name`: the SQL shorthand for `SELECT * FROM name`.
fn is_table_shorthand(canonical: &str) -> bool {
    without_outer_parentheses(canonical)
        .get(..6)
        .is_some_and(|head| head.eq_ignore_ascii_case("table "))
}

fn selects_star(canonical: &str) -> bool {
    let mut outside_literals = String::new();
    let chars: Vec<char> = canonical.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        if chars[index] == '\'' {
            index = quoted_end(&chars, index);
            outside_literals.push_str("''");
            continue;
        }
        outside_literals.push(chars[index]);
        index += 1;
    }
    let upper = outside_literals.to_uppercase();
    upper.contains("SELECT *")
        || upper.contains("DISTINCT *")
        || upper.contains(", *")
        || upper.contains(".*")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Catalog, Column, QualifiedName, Relation, RelationKind, ViewDefinition};
    use crate::sources::forms::fill_forms;

    /// A one-relation catalog, built by `build` and given its forms as a loader would.
    fn loaded<T>(
        kind: RelationKind,
        build: impl FnOnce(&mut Relation),
        take: impl FnOnce(&Relation) -> T,
    ) -> T {
        let name = QualifiedName::new("public", "t");
        let mut relation = Relation::new(name.clone(), kind, None);
        build(&mut relation);
        let mut catalog = Catalog::new();
        catalog.relations.insert(name.clone(), relation);
        fill_forms(&mut catalog, "public");
        take(&catalog.relations[&name])
    }

    /// `text` as the default of a column of `column_type`.
    fn default(text: &str, column_type: &SqlType) -> Expr {
        loaded(
            RelationKind::Table,
            |relation| {
                let mut column = Column::new("c", Some(column_type.clone()), None);
                column.default = Some(text.into());
                relation.columns.push(column);
            },
            |relation| relation.columns[0].default.clone().expect("a default"),
        )
    }

    /// `text` as a view body.
    fn body(text: &str) -> Expr {
        loaded(
            RelationKind::View,
            |relation| {
                relation.view = Some(ViewDefinition {
                    query: text.into(),
                    with_data: true,
                })
            },
            |relation| relation.view.as_ref().expect("a view").query.clone(),
        )
    }

    fn queries(expected: &str, actual: &str) -> Option<Difference> {
        super::queries(&body(expected), &body(actual))
    }

    fn reason(difference: &Difference) -> &str {
        match &difference.comparison {
            Comparison::Undecided { reason } => reason,
            _ => "",
        }
    }

    #[test]
    fn literals_are_compared_by_value_where_the_text_fixes_it() {
        let difference = |column_type: &str, is_enum: bool, expected: &str, actual: &str| {
            let column_type = SqlType::parse(column_type);
            defaults(
                "default",
                Some(&default(expected, &column_type)),
                Some(&default(actual, &column_type)),
                Some(&column_type),
                is_enum,
            )
        };
        // A timestamp with time zone without an offset was read in a session time zone.
        let zoneless = difference(
            "timestamptz",
            false,
            "'2017-12-14 01:02:30'::TIMESTAMPTZ",
            "'2017-12-14 01:02:30+00'::timestamp with time zone",
        )
        .expect("a difference");
        assert!(!zoneless.comparison.is_decided());
        assert!(
            reason(&zoneless).contains("UTC offset"),
            "{}",
            reason(&zoneless)
        );
        // With one, or for a timestamp without time zone, the values decide.
        assert!(difference(
            "timestamptz",
            false,
            "'1970-01-01 00:00:01+00:00'",
            "'1970-01-01 01:00:01+01'::timestamp with time zone",
        )
        .is_none());
        let changed = difference(
            "timestamp",
            false,
            "'1970-01-01 00:00:01'",
            "'2000-01-01 00:00:00'::timestamp without time zone",
        )
        .expect("a difference");
        assert!(changed.comparison.is_decided());
        assert!(difference(
            "timestamp",
            false,
            "'2000-01-01'",
            "'2000-01-01 00:00:00'::timestamp without time zone",
        )
        .is_none());
        // Enum labels are kept as written.
        let label = difference(
            "format_enum",
            true,
            "'markdown'::format_enum",
            "'html'::format_enum",
        )
        .expect("a difference");
        assert!(label.comparison.is_decided());
        // Another type's output form is its own: undecided, saying so for that type.
        let other = difference("geometry", false, "'POINT(0 0)'", "'0101000000'::geometry")
            .expect("a difference");
        assert!(!other.comparison.is_decided());
        assert!(
            reason(&other).contains("geometry literal"),
            "{}",
            reason(&other)
        );
        let text = SqlType::parse("text");
        let changed = defaults(
            "default",
            Some(&default("'draft'", &text)),
            Some(&default("'draft '::text", &text)),
            Some(&text),
            false,
        )
        .expect("a difference");
        assert!(
            changed.comparison.is_decided(),
            "a text literal is kept as written: real drift"
        );
        assert!(is_string_literal("'it''s'"));
        assert!(!is_string_literal("'a' || 'b'"));
    }

    #[test]
    fn parenthesized_bodies_and_table_shorthand_are_recognized() {
        assert_eq!(
            without_outer_parentheses("((SELECT a FROM t))"),
            "SELECT a FROM t"
        );
        assert_eq!(without_outer_parentheses("(a) + (b)"), "(a) + (b)");
        assert_eq!(without_outer_parentheses("(')')"), "')'");
        assert!(is_table_shorthand("TABLE public.t"));
        assert!(is_table_shorthand("(table t)"));
        assert!(!is_table_shorthand("SELECT tablename FROM pg_tables"));
    }

    #[test]
    fn a_parenthesized_unqualified_body_against_the_printed_one_is_undecided_not_drift() {
        let difference = queries(
            "(SELECT id, name FROM todos)",
            "SELECT todos.id, todos.name FROM todos",
        );
        assert!(
            difference
                .as_ref()
                .is_none_or(|difference| !difference.comparison.is_decided()),
            "{difference:?}"
        );
        let table = queries("TABLE todos", "SELECT todos.id FROM todos").expect("a difference");
        assert!(!table.comparison.is_decided());
        let changed = queries(
            "(SELECT id FROM todos WHERE id > 1)",
            "SELECT todos.id FROM todos WHERE todos.id > 2",
        )
        .expect("a difference");
        assert!(
            changed.comparison.is_decided(),
            "a changed literal stays drift"
        );
    }

    #[test]
    fn qualifiers_are_removed_outside_literals() {
        assert_eq!(
            unqualified("SELECT rl.tenant_id, 'a.b' FROM public.t AS rl WHERE x > 1.5"),
            "SELECT tenant_id, 'a.b' FROM t AS rl WHERE x > 1.5"
        );
        assert_eq!(unqualified("\"My T\".c = 1"), "c = 1");
    }

    #[test]
    fn casts_added_on_the_actual_side_only_are_recognised() {
        assert!(only_added_casts(
            "sum(cents) / 100.0",
            "sum(cents)::numeric / 100.0"
        ));
        assert!(only_added_casts("f(a)", "f(a)::numeric(6,5)"));
        assert!(!only_added_casts("f(a)::integer", "f(a)::bigint"));
        assert!(!only_added_casts("f(a)::integer", "f(a)"));
        assert!(!only_added_casts("a > 1", "a >= 1"));
        assert!(!only_added_casts("a + b", "(a + b)::numeric"));
    }

    #[test]
    fn star_selections_are_recognised() {
        assert!(selects_star("SELECT * FROM t"));
        assert!(selects_star("SELECT t.* FROM t"));
        assert!(selects_star("SELECT a, * FROM t"));
        assert!(!selects_star(
            "SELECT count(*) AS n, price * qty AS total, 'SELECT *' FROM t"
        ));
    }
}
