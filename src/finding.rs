//! Findings: what a check reports. Plain data, sorted deterministically, with a
//! fingerprint that survives line moves (for baselines and SARIF).

use crate::model::{Location, QualifiedName};
use crate::rules::{ObjectKind, Rule};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use crate::rules::Severity;

/// What a finding is about: its kind and a path that names it. Rendered as text
/// (`public.revenue_ledger.revenue_cents`, `LedgerDto.amount`, …) in every output and
/// for suppressions and baselines; renderers read the parts instead of parsing the text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectPath {
    kind: Option<ObjectKind>,
    target: Target,
    text: String,
}

/// The parts of an [`ObjectPath`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// An object of the database: a relation, or a member of one (column, index,
    /// constraint, policy, trigger), or a schema-level object (an index).
    Database {
        /// The schema.
        schema: String,
        /// The relation, or the schema-level object's own name.
        relation: String,
        /// The member of the relation, if the object is one.
        member: Option<String>,
    },
    /// A DTO of the contracts, or one of its fields.
    Contract {
        /// The DTO's name.
        dto: String,
        /// The field, if the object is one.
        field: Option<String>,
    },
    /// Anything else, named by its text (an endpoint, a file, a suppression entry).
    Other,
}

impl ObjectPath {
    /// A relation, or a schema-level object such as an index: `schema.name`.
    pub fn relation(name: &QualifiedName) -> ObjectPath {
        ObjectPath {
            kind: None,
            text: name.to_string(),
            target: Target::Database {
                schema: name.schema.clone(),
                relation: name.name.clone(),
                member: None,
            },
        }
    }

    /// A member of a relation (column, constraint, policy, trigger):
    /// `schema.relation.member`.
    pub fn member(relation: &QualifiedName, member: &str) -> ObjectPath {
        ObjectPath {
            kind: None,
            text: relation.child(member),
            target: Target::Database {
                schema: relation.schema.clone(),
                relation: relation.name.clone(),
                member: Some(member.to_string()),
            },
        }
    }

    /// A DTO: `Dto`.
    pub fn dto(dto: &str) -> ObjectPath {
        ObjectPath {
            kind: None,
            text: dto.to_string(),
            target: Target::Contract {
                dto: dto.to_string(),
                field: None,
            },
        }
    }

    /// A field of a DTO: `Dto.field`.
    pub fn field(dto: &str, field: &str) -> ObjectPath {
        ObjectPath {
            kind: None,
            text: format!("{dto}.{field}"),
            target: Target::Contract {
                dto: dto.to_string(),
                field: Some(field.to_string()),
            },
        }
    }

    /// Something named by its text only (an endpoint, a spec file, a suppression).
    pub fn other(text: impl Into<String>) -> ObjectPath {
        ObjectPath {
            kind: None,
            text: text.into(),
            target: Target::Other,
        }
    }

    /// The same path with its kind stated (otherwise the rule's object kind applies).
    pub fn of_kind(mut self, kind: ObjectKind) -> ObjectPath {
        self.kind = Some(kind);
        self
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parts of the path.
    pub fn target(&self) -> &Target {
        &self.target
    }
}

impl fmt::Display for ObjectPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<str> for ObjectPath {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for ObjectPath {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl Serialize for ObjectPath {
    /// Written as its text: the JSON report's `object` field.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// One reported problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule that found it (written as its id, e.g. `dto-type-mismatch`).
    pub rule: &'static Rule,
    /// Severity after configuration overrides.
    pub severity: Severity,
    /// What it is about, e.g. `public.revenue_ledger.revenue_cents`.
    pub object: ObjectPath,
    /// One sentence saying what is wrong.
    pub message: String,
    /// What the reference side says (spec, contract, plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What the checked side says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// The spec, mapping or contract line it concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Unified diff for definitions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
    /// How to fix it, when there is something specific to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The SQL that makes the database match the specs (drift findings), written as
    /// its statements in the JSON report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// The statements that make the database match the specs for one finding. pgparity
/// never runs them: they are shown with the finding and gathered by `--fix-sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// The statements, in the order they run.
    pub statements: Vec<FixStatement>,
}

/// One statement of a [`Fix`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixStatement {
    /// Where it belongs in a script of many fixes.
    pub step: FixStep,
    /// The statement, without its closing `;`.
    pub sql: String,
    /// Why it is destructive (it drops data or an object the script does not re-create,
    /// or changes a type in a way that can lose data); `None` when it is not. A script
    /// comments destructive statements out.
    pub destructive: Option<String>,
}

/// The steps of a fix script, in the order they run: what depends on other objects is
/// dropped first, then relations and columns are created or changed, then what is built
/// on them (views, indexes, constraints, security, triggers), and comments last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FixStep {
    /// Dropping policies, triggers and foreign keys, which refer to other objects.
    DropDependent,
    /// Dropping other constraints.
    DropConstraint,
    /// Dropping indexes.
    DropIndex,
    /// Dropping views and materialized views.
    DropView,
    /// Dropping columns.
    DropColumn,
    /// Dropping tables.
    DropTable,
    /// Creating tables.
    CreateTable,
    /// Adding and changing columns.
    Column,
    /// Creating or replacing views and materialized views.
    View,
    /// Creating indexes.
    Index,
    /// Adding primary keys, unique and exclusion constraints.
    Key,
    /// Adding foreign keys and checks (`NOT VALID` on existing tables).
    Reference,
    /// Validating what was added `NOT VALID`.
    Validate,
    /// Row-level security switches.
    Security,
    /// Policies.
    Policy,
    /// Privileges.
    Grant,
    /// Triggers.
    Trigger,
    /// Comments.
    Comment,
}

impl Fix {
    /// A fix of one statement.
    pub fn one(step: FixStep, sql: impl Into<String>) -> Fix {
        Fix {
            statements: vec![FixStatement {
                step,
                sql: sql.into(),
                destructive: None,
            }],
        }
    }

    /// A fix of one destructive statement, with why it is destructive.
    pub fn destructive(step: FixStep, sql: impl Into<String>, why: impl Into<String>) -> Fix {
        Fix {
            statements: vec![FixStatement {
                step,
                sql: sql.into(),
                destructive: Some(why.into()),
            }],
        }
    }

    /// Whether any statement is destructive.
    pub fn is_destructive(&self) -> bool {
        self.statements
            .iter()
            .any(|statement| statement.destructive.is_some())
    }

    /// The statements as a script: each ends with `;`, and a destructive one follows a
    /// `-- destructive: …` line saying why.
    pub fn sql(&self) -> String {
        let mut out = String::new();
        for statement in &self.statements {
            if let Some(why) = &statement.destructive {
                out.push_str("-- destructive: ");
                out.push_str(why);
                out.push('\n');
            }
            out.push_str(&statement.sql);
            out.push_str(";\n");
        }
        out
    }
}

impl Serialize for Fix {
    /// Written as its script ([`Fix::sql`]): the JSON report's `fix` field.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.sql())
    }
}

impl Finding {
    /// A finding of `rule` at its default severity (the registry's); callers fill the
    /// optional parts with the builder methods.
    pub fn new(rule: &'static Rule, object: ObjectPath, message: impl Into<String>) -> Self {
        Finding {
            rule,
            severity: rule.default_severity,
            object,
            message: message.into(),
            expected: None,
            actual: None,
            location: None,
            diff: None,
            hint: None,
            fix: None,
        }
    }

    /// Sets expected and actual values.
    pub fn expected_actual(
        mut self,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Sets the expected value.
    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self
    }

    /// Sets the actual value.
    pub fn actual(mut self, actual: impl Into<String>) -> Self {
        self.actual = Some(actual.into());
        self
    }

    /// Sets the location, if there is one.
    pub fn at(mut self, location: Option<&Location>) -> Self {
        self.location = location.cloned();
        self
    }

    /// Overrides the severity (for rules whose severity depends on the case).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Sets a fix hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets a "did you mean" hint when `name` is close to one of `known` (see
    /// [`crate::suggest`]); keeps the finding as it is otherwise.
    pub fn did_you_mean<'k>(self, name: &str, known: impl IntoIterator<Item = &'k str>) -> Self {
        match crate::suggest::closest(name, known) {
            Some(near) => self.hint(format!("did you mean {near}?")),
            None => self,
        }
    }

    /// Sets the SQL that makes the database match the specs, if there is one.
    pub fn fix(mut self, fix: Option<Fix>) -> Self {
        self.fix = fix;
        self
    }

    /// Sets a unified diff.
    pub fn diff(mut self, diff: impl Into<String>) -> Self {
        self.diff = Some(diff.into());
        self
    }

    /// The kind of object the finding is about: the path's own, else the rule's.
    pub fn object_kind(&self) -> ObjectKind {
        self.object.kind.unwrap_or(self.rule.object_kind)
    }

    /// A fingerprint of the finding's stable facts (rule, object, expected, actual),
    /// not its location or wording, so moving lines does not change it: FNV-1a 64 over
    /// the parts, each followed by a 0xff byte. Baselines written by users hold these
    /// values, so the bytes hashed must never change (explicit `write` calls, not `Hash`
    /// impls, whose byte layout std does not promise).
    pub fn fingerprint(&self) -> String {
        use std::hash::Hasher;
        let mut hasher = fnv::FnvHasher::default();
        for part in [
            self.rule.id,
            self.object.as_str(),
            self.expected.as_deref().unwrap_or(""),
            self.actual.as_deref().unwrap_or(""),
        ] {
            hasher.write(part.as_bytes());
            hasher.write_u8(0xff);
        }
        format!("{:016x}", hasher.finish())
    }
}

/// A finding hidden by a suppression, with the suppression's reason.
#[derive(Debug, Clone)]
pub struct Suppressed {
    /// The finding as it would have been reported.
    pub finding: Finding,
    /// The suppression's reason.
    pub reason: String,
}

/// `word` after its indefinite article, as a message reads it: "an integer", "a string".
pub fn with_article(word: &str) -> String {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => format!("an {word}"),
        _ => format!("a {word}"),
    }
}

/// Sorts findings by severity (most severe first), rule, object, then location and
/// message, so every output is deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.rule.id.cmp(b.rule.id))
            .then_with(|| a.object.as_str().cmp(b.object.as_str()))
            .then_with(|| a.location.cmp(&b.location))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Counts by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Findings at error level.
    pub error: usize,
    /// Findings at warning level.
    pub warning: usize,
    /// Findings at info level.
    pub info: usize,
}

impl Summary {
    /// Counts `findings`.
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.severity {
                Severity::Error => summary.error += 1,
                Severity::Warning => summary.warning += 1,
                Severity::Info => summary.info += 1,
            }
        }
        summary
    }
}

#[cfg(test)]
mod tests {
    use super::with_article;

    #[test]
    fn articles_follow_the_sound_of_the_word() {
        assert_eq!(with_article("integer"), "an integer");
        assert_eq!(with_article("object"), "an object");
        assert_eq!(with_article("array"), "an array");
        assert_eq!(with_article("string"), "a string");
        assert_eq!(with_article("null"), "a null");
    }
}
