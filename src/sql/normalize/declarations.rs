//! What a catalog declares that the server used when it stored an expression: the
//! parameter types of its functions and the columns of its relations. Each loader
//! computes forms with its own catalog's declarations, so both sides of a comparison
//! resolve calls and column references alike.

use crate::model::SqlType;
use foldhash::HashMap;

/// A relation's columns by name, with their types when known: the names in one string
/// and the entries sorted by name. Built for every column of both catalogs of a run
/// (200,000 at 5,000 tables) and read only by the expressions that name a relation's
/// columns: two allocations per relation rather than a map entry and a name per column.
#[derive(Debug, Clone, Default)]
pub struct ColumnTypes {
    names: String,
    /// `(start, end)` of the name in `names`, and the type.
    entries: Vec<(u32, u32, Option<SqlType>)>,
}

/// The name of `entry` in the names string of its [`ColumnTypes`].
fn name_in<'n>(names: &'n str, entry: &(u32, u32, Option<SqlType>)) -> &'n str {
    &names[entry.0 as usize..entry.1 as usize]
}

impl ColumnTypes {
    /// The columns, a later one of the same name replacing an earlier one.
    fn new<N: AsRef<str>>(
        columns: impl IntoIterator<Item = (N, Option<SqlType>), IntoIter: ExactSizeIterator>,
    ) -> Self {
        let columns = columns.into_iter();
        let mut names = String::new();
        let mut entries = Vec::with_capacity(columns.len());
        for (name, declared) in columns {
            let start = names.len();
            names.push_str(name.as_ref());
            // Positions past u32 would need 4 GiB of column names in one relation.
            entries.push((start as u32, names.len() as u32, declared));
        }
        let name = |entry: &(u32, u32, Option<SqlType>)| name_in(&names, entry);
        // Reversed, then sorted stably: of equal names the later comes first and is kept.
        entries.reverse();
        entries.sort_by(|a, b| name(a).cmp(name(b)));
        entries.dedup_by(|next, kept| name(next) == name(kept));
        ColumnTypes { names, entries }
    }

    /// Whether the relation has a column `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The declared type of column `name` (`Some(None)`: a column of no known type).
    pub fn get(&self, name: &str) -> Option<&Option<SqlType>> {
        self.entries
            .binary_search_by(|entry| name_in(&self.names, entry).cmp(name))
            .ok()
            .map(|at| &self.entries[at].2)
    }
}

/// The functions and relations of a catalog, by the names calls and `FROM` items print
/// after normalization (`convert_ts`, `app.convert_ts`; `accounts`, `app.accounts`).
///
/// Functions: PostgreSQL stores a call with each argument coerced to its parameter's
/// type, and prints the coercion as a cast (`convert_ts(((attrs ->> 'd'::text))::character
/// varying)` for `convert_ts(attrs->>'d')` with `convert_ts(s varchar)`). A cast of an
/// argument to the type every overload of that arity declares at its position is
/// therefore dropped on both sides: written or added, the call is the same.
///
/// Relations: an unqualified column inside a sub-select belongs to the innermost
/// `FROM` that has it, and the server prints it qualified when that is an outer one
/// (`… WHERE accounts.id = invitations.account_id`); the columns say which.
///
/// Domains: a column of a domain type read by an operator is printed cast to the
/// domain's base type; the column types and the domains say when a cast is that one.
#[derive(Debug, Clone, Default)]
pub struct Declarations {
    functions: HashMap<String, Vec<Vec<SqlType>>>,
    relations: HashMap<String, ColumnTypes>,
    domains: HashMap<SqlType, SqlType>,
}

impl Declarations {
    /// Declarations from `(printed name, parameter types)` pairs, one pair per overload.
    pub fn new<'a>(functions: impl IntoIterator<Item = (String, &'a [String])>) -> Self {
        let mut declarations = Declarations::default();
        for (name, parameters) in functions {
            declarations
                .functions
                .entry(name)
                .or_default()
                .push(parameters.iter().map(|p| SqlType::parse(p)).collect());
        }
        declarations
    }

    /// Adds a relation's columns (with their types, when known) under its printed name,
    /// replacing any given before under that name.
    pub fn with_relation<N: AsRef<str>>(
        mut self,
        name: String,
        columns: impl IntoIterator<Item = (N, Option<SqlType>), IntoIter: ExactSizeIterator>,
    ) -> Self {
        self.relations.insert(name, ColumnTypes::new(columns));
        self
    }

    /// Room for `count` more relations.
    pub fn reserve_relations(&mut self, count: usize) {
        self.relations.reserve(count);
    }

    /// Adds a domain (as a column type names it) and its base type: the server reads a
    /// domain value as its base type where an operator or function needs it, and prints
    /// that as a cast (`(label_color)::integer / 2`).
    pub fn with_domain(mut self, domain: SqlType, base: SqlType) -> Self {
        self.domains.insert(domain, base);
        self
    }

    /// Whether a column of type `column_type` cast to `target` is a domain read as its
    /// base type.
    pub(super) fn is_domain_base(&self, column_type: &SqlType, target: &SqlType) -> bool {
        !column_type.is_array() && self.domains.get(column_type) == Some(target)
    }

    /// Whether any domain is known.
    pub(super) fn has_domains(&self) -> bool {
        !self.domains.is_empty()
    }

    /// Whether no function is known.
    pub(super) fn has_no_functions(&self) -> bool {
        self.functions.is_empty()
    }

    /// The type of parameter `position` of `name` called with `arity` arguments, when
    /// every overload of that arity declares the same one.
    pub(super) fn parameter(&self, name: &str, arity: usize, position: usize) -> Option<&SqlType> {
        let mut types = self
            .functions
            .get(name)?
            .iter()
            .filter(|parameters| parameters.len() == arity)
            .map(|parameters| &parameters[position]);
        let first = types.next()?;
        types.all(|other| other == first).then_some(first)
    }

    /// The columns of the relation a `FROM` item prints as `name`, with their types
    /// when known, when the relation is.
    pub(super) fn columns(&self, name: &str) -> Option<&ColumnTypes> {
        self.relations.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_exact_name_and_a_later_one_replaces_an_earlier() {
        let declarations = Declarations::default().with_relation(
            "app.t".into(),
            [
                ("zeta", Some(SqlType::parse("int"))),
                ("Alpha", None),
                ("zeta", Some(SqlType::parse("text"))),
                ("mid", Some(SqlType::parse("varchar(3)"))),
            ],
        );
        let columns = declarations.columns("app.t").expect("declared");
        assert_eq!(columns.get("zeta"), Some(&Some(SqlType::parse("text"))));
        assert_eq!(columns.get("Alpha"), Some(&None));
        assert_eq!(
            columns.get("mid"),
            Some(&Some(SqlType::parse("character varying(3)")))
        );
        assert!(!columns.contains_key("alpha"));
        assert!(!columns.contains_key("zet"));
        assert!(declarations.columns("t").is_none());
    }
}
