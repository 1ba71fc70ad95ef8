//! What the spec loader produces besides the catalog.

use super::{DevUse, ParseOutcome};
use crate::model::{
    Catalog, Location, QualifiedName, SpecComment, SpecProblem, SpecProblemKind, Specs,
};

/// The result of loading a set of `.sql` spec files.
#[derive(Debug, Clone, Default)]
pub struct SpecSet {
    /// The catalog the specs define (after every ALTER is applied).
    pub catalog: Catalog,
    /// Files read, in order.
    pub files: Vec<String>,
    /// Statements seen (parsed or not), for coverage figures.
    pub statements: usize,
    /// Statements that did not parse or could not be applied, and notes.
    pub problems: Vec<SpecProblem>,
    /// Every statement's source text in file order, for applying the specs to a
    /// scratch database (`--dev-db`); empty when loaded with
    /// [`super::StatementTexts::Drop`].
    pub sources: Vec<StatementSource>,
    /// The comment blocks written right before statements, in file order.
    pub comments: Vec<SpecComment>,
}

impl SpecSet {
    /// The catalog and the problems, as the checks read them.
    pub fn specs(&self) -> Specs<'_> {
        Specs {
            catalog: &self.catalog,
            problems: &self.problems,
            comments: &self.comments,
        }
    }

    /// Whether a statement that failed to parse may have defined `relation`: then it
    /// must not be reported missing (the comparison is incomplete, not wrong).
    pub fn may_have_defined(&self, relation: &QualifiedName) -> bool {
        self.problems.iter().any(|problem| match &problem.kind {
            SpecProblemKind::ParseError { defines, .. } => defines.as_ref() == Some(relation),
            _ => false,
        })
    }
}

impl<'a> From<&'a SpecSet> for Specs<'a> {
    fn from(set: &'a SpecSet) -> Self {
        set.specs()
    }
}

/// One statement as written, with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSource {
    /// The statement's first token.
    pub location: Location,
    /// The text from the first token up to the next statement (its `;` included).
    pub text: String,
    /// What the loader read of it, for [`StatementSource::dev_use`].
    pub outcome: ParseOutcome,
}

impl StatementSource {
    /// Whether `--dev-db` may send it to the scratch database, and how (read from its
    /// text when asked: only `--dev-db` asks).
    pub fn dev_use(&self) -> DevUse {
        super::dev_safety::classify(&self.outcome, &self.text)
    }
}
