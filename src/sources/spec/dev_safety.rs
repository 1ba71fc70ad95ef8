//! What `--dev-db` may send to its scratch database: an allow-list of statement kinds
//! that define schema objects, decided from the statement's own tokens (the text that
//! would be sent), never from a guess about the text around it.
//!
//! The scratch role's lack of rights is what keeps a spec inside its database; this
//! filter is the second wall, and the reason a refused statement is a finding at its
//! line instead of a server error, or nothing at all.

use super::fold;
use super::statements::{Parsed, RawStatement};
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// What `--dev-db` does with one spec statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DevUse {
    /// Sent as written, on the scratch role's own connection.
    Apply,
    /// `CREATE EXTENSION`: created by pgparity's admin connection inside the scratch
    /// database when the extension is allowed, from these parsed names only.
    CreateExtension {
        /// The extension, folded as PostgreSQL folds it.
        name: String,
        /// The schema of `SCHEMA s`, folded.
        schema: Option<String>,
    },
    /// Not sent and not reported: statements whose effect pgparity decides itself
    /// (transaction control, its own timeouts, ownership: the scratch role owns
    /// everything).
    Withhold,
    /// Not sent; reported as `spec-rejected` with this reason.
    Refuse {
        /// Why, and what to do instead.
        reason: String,
    },
}

/// What the loader learned of a statement that [`classify`] needs later: kept with the
/// statement's text so that the text is read again only when `--dev-db` applies it
/// (classifying every statement cost a quarter of the spec loader's time on runs that
/// never use it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseOutcome {
    /// sqlparser rejected it.
    Unparsed,
    /// `CREATE EXTENSION name [SCHEMA schema]`, names folded.
    CreateExtension {
        /// The extension.
        name: String,
        /// `SCHEMA …`.
        schema: Option<String>,
    },
    /// Anything else that parsed, or was deliberately skipped.
    Read,
}

impl ParseOutcome {
    /// The outcome of `statement`.
    pub(crate) fn of(statement: &RawStatement) -> ParseOutcome {
        match &statement.parsed {
            Parsed::Error { .. } => ParseOutcome::Unparsed,
            Parsed::Statement(parsed, _) => match parsed.as_ref() {
                Statement::CreateExtension(create) => ParseOutcome::CreateExtension {
                    name: fold(&create.name),
                    schema: create.schema.as_ref().map(fold),
                },
                _ => ParseOutcome::Read,
            },
            _ => ParseOutcome::Read,
        }
    }
}

/// Decides what `--dev-db` does with a statement that parsed as `outcome`, whose text
/// from its first token up to the next statement is `text`.
pub(crate) fn classify(outcome: &ParseOutcome, text: &str) -> DevUse {
    if *outcome == ParseOutcome::Unparsed {
        return refuse(
            "it does not parse (see spec-parse-error), and pgparity never sends a statement it \
             could not read",
        );
    }
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, text).tokenize() else {
        return refuse("its text cannot be read as SQL");
    };
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|token| !matches!(token, Token::Whitespace(_)))
        .collect();
    let words = Words(&tokens);
    match words.at(0).as_deref().unwrap_or_default() {
        "BEGIN" | "START" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE" => {
            DevUse::Withhold
        }
        "SET" => setting(&words, 1),
        "RESET" => reset(&words),
        "SELECT" => pg_dump_select(&tokens),
        // Before the scan for denied names: `CREATE EXTENSION dblink` is the admin's
        // decision, from the allow-list.
        "CREATE" if words.is(words.skip(1, KIND_MODIFIERS), "EXTENSION") => match outcome {
            ParseOutcome::CreateExtension { name, schema } => DevUse::CreateExtension {
                name: name.clone(),
                schema: schema.clone(),
            },
            _ => refuse("a CREATE EXTENSION pgparity could not read"),
        },
        verb => match denied_name(&tokens, scans_bodies(&words)) {
            Some(reason) => refuse(&reason),
            None => by_verb(verb, &words),
        },
    }
}

/// The statement's leading words, upper-case (quoted identifiers are not words).
struct Words<'a>(&'a [Token]);

impl Words<'_> {
    fn at(&self, index: usize) -> Option<String> {
        match self.0.get(index) {
            Some(Token::Word(word)) if word.quote_style.is_none() => {
                Some(word.value.to_uppercase())
            }
            _ => None,
        }
    }

    fn is(&self, index: usize, word: &str) -> bool {
        self.at(index).as_deref() == Some(word)
    }

    /// The index of the first word after `from` that is not one of `skipped`.
    fn skip(&self, from: usize, skipped: &[&str]) -> usize {
        let mut index = from;
        while self
            .at(index)
            .is_some_and(|word| skipped.contains(&word.as_str()))
        {
            index += 1;
        }
        index
    }

    /// The words that are left when the trailing `;` is not counted.
    fn len(&self) -> usize {
        let mut len = self.0.len();
        while len > 0 && matches!(self.0[len - 1], Token::SemiColon | Token::EOF) {
            len -= 1;
        }
        len
    }
}

/// `ALTER … OWNER TO role` as dumps write it (the statement ends there), not
/// `RENAME [COLUMN] owner TO holder`.
fn changes_owner(words: &Words<'_>) -> bool {
    let len = words.len();
    len >= 4
        && words.is(len - 3, "OWNER")
        && words.is(len - 2, "TO")
        && !matches!(
            words.at(len - 4).as_deref(),
            Some("RENAME" | "COLUMN" | "CONSTRAINT")
        )
}

fn refuse(reason: &str) -> DevUse {
    DevUse::Refuse {
        reason: reason.to_string(),
    }
}

/// Kinds of object whose CREATE/ALTER/DROP stays inside the scratch database.
const SCHEMA_OBJECT_KINDS: &[&str] = &[
    "TABLE",
    "VIEW",
    "INDEX",
    "SEQUENCE",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "ROUTINE",
    "TRIGGER",
    "POLICY",
    "SCHEMA",
    "RULE",
    "AGGREGATE",
    "OPERATOR",
    "CAST",
    "COLLATION",
    "TEXT",
    "STATISTICS",
    "CONVERSION",
];

/// Words between the verb and the kind of object (`CREATE OR REPLACE VIEW`).
const KIND_MODIFIERS: &[&str] = &[
    "OR",
    "REPLACE",
    "TEMP",
    "TEMPORARY",
    "UNLOGGED",
    "UNIQUE",
    "MATERIALIZED",
    "RECURSIVE",
    "CONSTRAINT",
    "GLOBAL",
    "LOCAL",
    "DEFAULT",
];

fn by_verb(verb: &str, words: &Words<'_>) -> DevUse {
    match verb {
        "CREATE" => {
            let kind = words.at(words.skip(1, KIND_MODIFIERS));
            match kind.as_deref() {
                Some(kind) if SCHEMA_OBJECT_KINDS.contains(&kind) => DevUse::Apply,
                other => refuse(&outside_kind("CREATE", other)),
            }
        }
        "ALTER" => {
            let kind = words.at(words.skip(1, KIND_MODIFIERS));
            match kind.as_deref() {
                Some(kind) if SCHEMA_OBJECT_KINDS.contains(&kind) => {
                    if changes_owner(words) {
                        DevUse::Withhold
                    } else {
                        DevUse::Apply
                    }
                }
                Some("PRIVILEGES") if words.is(1, "DEFAULT") => DevUse::Apply,
                other => refuse(&outside_kind("ALTER", other)),
            }
        }
        "DROP" => {
            let kind = words.at(words.skip(1, KIND_MODIFIERS));
            match kind.as_deref() {
                Some(kind) if SCHEMA_OBJECT_KINDS.contains(&kind) => DevUse::Apply,
                other => refuse(&outside_kind("DROP", other)),
            }
        }
        "COMMENT" => {
            let kind = words.at(2);
            match kind.as_deref() {
                // The extension belongs to pgparity's admin connection, which created it,
                // so the scratch role may not comment on it; nothing read back depends on
                // such a comment (pg_dump writes one after every CREATE EXTENSION).
                Some("EXTENSION") => DevUse::Withhold,
                Some("COLUMN" | "CONSTRAINT" | "MATERIALIZED") => DevUse::Apply,
                Some("FOREIGN") if words.is(3, "TABLE") => DevUse::Apply,
                Some(kind) if SCHEMA_OBJECT_KINDS.contains(&kind) => DevUse::Apply,
                other => refuse(&outside_kind("COMMENT ON", other)),
            }
        }
        "GRANT" | "REVOKE" => privileges(verb, words),
        "DO" | "CALL" | "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE" | "MERGE" | "ANALYZE" => {
            DevUse::Apply
        }
        "REFRESH" if words.is(1, "MATERIALIZED") => DevUse::Apply,
        // pg_dump's rows: data, and the loader does not keep them.
        "COPY" if copies_from_stdin(words) => DevUse::Withhold,
        "COPY" => refuse(
            "COPY reads or writes files on the database server or runs programs there; \
             specs define schema, load data with INSERT",
        ),
        "LOAD" => refuse("LOAD puts a shared library into the server process"),
        "CHECKPOINT" | "VACUUM" | "CLUSTER" | "REINDEX" => refuse(&format!(
            "{verb} is server maintenance and defines no schema object"
        )),
        "REASSIGN" => refuse("REASSIGN OWNED acts on roles, which are cluster-wide"),
        "SECURITY" => refuse("SECURITY LABEL needs a label provider loaded into the server"),
        "IMPORT" => refuse("IMPORT FOREIGN SCHEMA reads another server"),
        _ => refuse(&format!(
            "only statements that define schema objects are applied, and {} is not one",
            if verb.is_empty() { "this" } else { verb }
        )),
    }
}

/// `COPY … FROM STDIN`: its rows follow the statement in the file (never a server file
/// or program).
fn copies_from_stdin(words: &Words<'_>) -> bool {
    (1..words.len()).any(|index| words.is(index - 1, "FROM") && words.is(index, "STDIN"))
}

/// The reason for refusing `verb kind`, naming why the kind is out of reach.
fn outside_kind(verb: &str, kind: Option<&str>) -> String {
    let why = match kind {
        Some("DATABASE") => "databases are cluster-wide: pgparity creates the only one the specs get",
        Some("ROLE" | "USER" | "GROUP") => {
            "roles are cluster-wide: pgparity never creates or changes roles from spec text; create \
             the roles the specs assume on the --dev-db server yourself"
        }
        Some("TABLESPACE") => "tablespaces are cluster-wide and point at server folders",
        Some("SYSTEM") => "ALTER SYSTEM changes the server's configuration",
        Some("SERVER" | "FOREIGN") => "foreign servers and wrappers reach other servers",
        Some("SUBSCRIPTION" | "PUBLICATION") => "replication reaches other servers",
        Some("EVENT") => "event triggers fire for every statement in the database and need a superuser",
        Some("LANGUAGE" | "ACCESS" | "TRUSTED" | "PROCEDURAL") => {
            "languages and access methods load server code and need a superuser"
        }
        Some("EXTENSION") => {
            "extensions are created by pgparity's admin connection from `CREATE EXTENSION` statements"
        }
        Some("OWNED") => "roles are cluster-wide",
        Some("LARGE") => "large objects are not schema",
        _ => "only statements that define schema objects are applied",
    };
    match kind {
        Some(kind) => format!("{verb} {kind}: {why}"),
        None => format!("this {verb} statement: {why}"),
    }
}

/// `GRANT`/`REVOKE` of privileges on objects of the scratch database; role membership
/// and cluster-wide objects are refused.
fn privileges(verb: &str, words: &Words<'_>) -> DevUse {
    let Some(on) = (1..words.0.len()).find(|&index| words.is(index, "ON")) else {
        return refuse(&format!(
            "{verb} of a role changes role membership, which is cluster-wide; grant roles on \
             the server yourself"
        ));
    };
    match words.at(on + 1).as_deref() {
        Some(
            kind @ ("DATABASE" | "TABLESPACE" | "FOREIGN" | "LARGE" | "LANGUAGE" | "PARAMETER"),
        ) => refuse(&format!(
            "{verb} … ON {kind}: privileges on it reach outside the scratch database"
        )),
        _ => DevUse::Apply,
    }
}

/// Settings pgparity sets on the scratch role itself: a spec never lifts them.
const OWN_SETTINGS: &[&str] = &[
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "idle_session_timeout",
    "transaction_timeout",
];

/// Settings that change how the following statements are read, as dump files set them.
const SPEC_SETTINGS: &[&str] = &[
    "search_path",
    "check_function_bodies",
    "client_min_messages",
    "client_encoding",
    "xmloption",
    "row_security",
    "default_tablespace",
    "default_table_access_method",
    "default_toast_compression",
    "timezone",
    "datestyle",
    "intervalstyle",
    "extra_float_digits",
    "escape_string_warning",
    "standard_conforming_strings",
    "default_with_oids",
];

/// `SET [SESSION | LOCAL] name …` with the name at `at` (after `SET`).
fn setting(words: &Words<'_>, at: usize) -> DevUse {
    let scoped =
        (words.is(at, "SESSION") && !words.is(at + 1, "AUTHORIZATION")) || words.is(at, "LOCAL");
    let at = if scoped { at + 1 } else { at };
    match words.at(at).as_deref() {
        Some("ROLE") => refuse("SET ROLE changes the role the statements run as"),
        Some("SESSION") => {
            refuse("SET SESSION AUTHORIZATION changes the role the statements run as")
        }
        Some("TIME") => DevUse::Apply,
        Some("TRANSACTION" | "CONSTRAINTS") => DevUse::Withhold,
        _ => match setting_name(words, at) {
            Some(name) => setting_named(&name, words, at),
            None => refuse("a SET statement pgparity could not read"),
        },
    }
}

fn reset(words: &Words<'_>) -> DevUse {
    match words.at(1).as_deref() {
        Some("ROLE") => refuse("RESET ROLE changes the role the statements run as"),
        Some("SESSION") => {
            refuse("RESET SESSION AUTHORIZATION changes the role the statements run as")
        }
        Some("ALL") => {
            refuse("RESET ALL would change settings pgparity keeps; reset settings by name")
        }
        _ => match setting_name(words, 1) {
            Some(name) if OWN_SETTINGS.contains(&name.as_str()) => DevUse::Withhold,
            Some(name) if is_spec_setting(&name) => DevUse::Apply,
            _ => refuse(&spec_settings_reason("RESET")),
        },
    }
}

/// A setting's name at `at`, lower-case, with a `prefix.` (`plpgsql.extra_warnings`).
fn setting_name(words: &Words<'_>, at: usize) -> Option<String> {
    let name = |token: Option<&Token>| match token {
        Some(Token::Word(word)) => Some(word.value.to_lowercase()),
        _ => None,
    };
    let first = name(words.0.get(at))?;
    match words.0.get(at + 1) {
        Some(Token::Period) => Some(format!("{first}.{}", name(words.0.get(at + 2))?)),
        _ => Some(first),
    }
}

fn is_spec_setting(name: &str) -> bool {
    SPEC_SETTINGS.contains(&name) || name.starts_with("plpgsql.")
}

fn setting_named(name: &str, words: &Words<'_>, at: usize) -> DevUse {
    if OWN_SETTINGS.contains(&name) {
        return DevUse::Withhold;
    }
    if !is_spec_setting(name) {
        return refuse(&spec_settings_reason(&format!("SET {name}")));
    }
    // Dumps write `standard_conforming_strings = on`; turning it off would make the
    // server read string literals differently from pgparity.
    let value_at = if name.contains('.') { at + 4 } else { at + 2 };
    let value = match words.0.get(value_at) {
        Some(Token::Word(word)) => word.value.to_lowercase(),
        Some(Token::SingleQuotedString(text)) => text.to_lowercase(),
        _ => String::new(),
    };
    match name {
        "standard_conforming_strings" if !matches!(value.as_str(), "on" | "true") => refuse(
            "standard_conforming_strings can only be on: pgparity reads string literals that way",
        ),
        _ => DevUse::Apply,
    }
}

fn spec_settings_reason(what: &str) -> String {
    format!(
        "{what}: specs may set only {} and plpgsql.*; pgparity's own timeouts stay as its flags \
         set them",
        SPEC_SETTINGS.join(", ")
    )
}

/// Dumps set the search path and sequence values with `SELECT pg_catalog.set_config(…)`
/// and `SELECT pg_catalog.setval(…)`; those are the only queries applied, and only with
/// literal arguments.
fn pg_dump_select(tokens: &[Token]) -> DevUse {
    let mut rest = &tokens[1..];
    if let [Token::Word(schema), Token::Period, tail @ ..] = rest {
        if schema.value.eq_ignore_ascii_case("pg_catalog") {
            rest = tail;
        }
    }
    let (name, arguments) = match rest {
        [Token::Word(name), Token::LParen, arguments @ ..] => {
            (name.value.to_lowercase(), arguments)
        }
        _ => return refuse(QUERY_REASON),
    };
    let Some(close) = arguments.iter().position(|token| *token == Token::RParen) else {
        return refuse(QUERY_REASON);
    };
    let literal_only = arguments[..close].iter().all(|token| match token {
        Token::SingleQuotedString(_) | Token::Number(..) | Token::Comma => true,
        Token::Word(word) => {
            word.quote_style.is_none()
                && matches!(word.value.to_lowercase().as_str(), "true" | "false")
        }
        _ => false,
    });
    let ends = arguments[close + 1..]
        .iter()
        .all(|token| matches!(token, Token::SemiColon | Token::EOF));
    let sets_search_path = matches!(
        arguments.first(),
        Some(Token::SingleQuotedString(setting)) if setting.eq_ignore_ascii_case("search_path")
    );
    match name.as_str() {
        "setval" if literal_only && ends => DevUse::Apply,
        "set_config" if literal_only && ends && sets_search_path => DevUse::Apply,
        _ => refuse(QUERY_REASON),
    }
}

const QUERY_REASON: &str = "a query defines no schema object; of queries, only dumps' \
    `SELECT pg_catalog.set_config('search_path', …)` and `SELECT pg_catalog.setval(…)` with \
    literal arguments are applied";

/// Whether the statement carries code in string literals (`DO $$ … $$`, function and
/// procedure bodies), whose words are checked too.
fn scans_bodies(words: &Words<'_>) -> bool {
    words.is(0, "DO")
        || (words.is(0, "CREATE") && {
            let kind = words.at(words.skip(1, KIND_MODIFIERS));
            matches!(kind.as_deref(), Some("FUNCTION" | "PROCEDURE"))
        })
}

/// Functions and settings no spec statement may name, with why.
const DENIED_NAMES: &[(&str, &str)] = &[
    ("pg_sleep", "only waits"),
    ("pg_sleep_for", "only waits"),
    ("pg_sleep_until", "only waits"),
    ("lo_export", "writes files on the database server"),
    ("lo_import", "reads files on the database server"),
    ("pg_read_file", "reads files on the database server"),
    ("pg_read_binary_file", "reads files on the database server"),
    ("pg_stat_file", "reads files on the database server"),
    ("pg_ls_dir", "reads folders on the database server"),
    ("pg_ls_logdir", "reads folders on the database server"),
    ("pg_ls_waldir", "reads folders on the database server"),
    ("pg_ls_tmpdir", "reads folders on the database server"),
    (
        "pg_ls_archive_statusdir",
        "reads folders on the database server",
    ),
    ("pg_file_write", "writes files on the database server"),
    ("pg_file_rename", "renames files on the database server"),
    ("pg_file_unlink", "deletes files on the database server"),
    ("pg_terminate_backend", "ends other sessions"),
    ("pg_cancel_backend", "cancels other sessions' queries"),
    ("pg_reload_conf", "reloads the server's configuration"),
    ("pg_rotate_logfile", "acts on the server's log"),
    ("pg_promote", "promotes a standby server"),
    ("pg_switch_wal", "acts on the server's write-ahead log"),
    (
        "pg_create_restore_point",
        "acts on the server's write-ahead log",
    ),
    ("pg_backup_start", "starts a server backup"),
    ("pg_start_backup", "starts a server backup"),
    (
        "pg_create_physical_replication_slot",
        "creates a replication slot",
    ),
    (
        "pg_create_logical_replication_slot",
        "creates a replication slot",
    ),
    (
        "pg_logical_emit_message",
        "writes to the server's write-ahead log",
    ),
    (
        "query_to_xml",
        "runs SQL given as text, which pgparity cannot check",
    ),
    (
        "query_to_xml_and_xmlschema",
        "runs SQL given as text, which pgparity cannot check",
    ),
    (
        "query_to_xmlschema",
        "runs SQL given as text, which pgparity cannot check",
    ),
    (
        "statement_timeout",
        "would change pgparity's statement timeout",
    ),
    ("lock_timeout", "would change pgparity's lock timeout"),
    (
        "idle_in_transaction_session_timeout",
        "would change pgparity's timeouts",
    ),
    ("postgres_fdw", "reaches other servers"),
];

/// The first denied function or setting the statement names, as a refusal reason: in
/// its words, and for code-carrying statements in the words of its string literals. Other
/// statements' literals are read for the timeout settings only
/// (`set_config('statement_timeout', …)`).
fn denied_name(tokens: &[Token], scan_bodies: bool) -> Option<String> {
    for token in tokens {
        let found = match token {
            Token::Word(word) => denied(&word.value),
            other => string_content(other).and_then(|text| {
                text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .filter(|word| scan_bodies || is_timeout(word))
                    .find_map(denied)
            }),
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn is_timeout(word: &str) -> bool {
    OWN_SETTINGS
        .iter()
        .any(|name| name.eq_ignore_ascii_case(word))
}

fn denied(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    if lower.starts_with("dblink") {
        return Some(format!(
            "it names {lower}, which connects to other databases"
        ));
    }
    DENIED_NAMES
        .iter()
        .find(|(name, _)| *name == lower)
        .map(|(name, why)| format!("it names {name}, which {why}"))
}

fn string_content(token: &Token) -> Option<&str> {
    match token {
        Token::SingleQuotedString(text)
        | Token::EscapedStringLiteral(text)
        | Token::NationalStringLiteral(text)
        | Token::UnicodeStringLiteral(text) => Some(text),
        Token::DollarQuotedString(quoted) => Some(&quoted.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::statements::for_each_statement;
    use super::*;

    fn use_of(sql: &str) -> DevUse {
        let mut first = None;
        for_each_statement(sql, |statement| {
            first.get_or_insert(statement);
        });
        classify(&ParseOutcome::of(&first.expect("one statement")), sql)
    }

    fn refused(sql: &str) -> String {
        match use_of(sql) {
            DevUse::Refuse { reason } => reason,
            other => panic!("{sql} is not refused: {other:?}"),
        }
    }

    #[test]
    fn schema_statements_are_applied() {
        for sql in [
            "CREATE TABLE t (id int PRIMARY KEY);",
            "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;",
            "CREATE UNIQUE INDEX i ON t (id);",
            "ALTER TABLE t ADD COLUMN label text;",
            "ALTER TABLE t RENAME COLUMN owner TO holder;",
            "ALTER TABLE t RENAME owner TO holder;",
            "DROP TABLE IF EXISTS t;",
            "COMMENT ON COLUMN t.id IS 'uses dblink elsewhere';",
            "GRANT SELECT ON t TO app_user;",
            "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;",
            "SET search_path = app, public;",
            "SELECT pg_catalog.set_config('search_path', '', false);",
            "SELECT pg_catalog.setval('public.t_id_seq', 42, true);",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;",
            "DO $$ BEGIN CREATE TYPE mood AS ENUM ('ok'); END $$;",
            "INSERT INTO t VALUES (1);",
            "CREATE TABLE slow AS SELECT count(*) FROM generate_series(1, 10) g;",
        ] {
            assert_eq!(use_of(sql), DevUse::Apply, "{sql}");
        }
    }

    #[test]
    fn cluster_statements_are_refused_with_the_reason() {
        assert!(refused("DROP DATABASE victim;").contains("databases are cluster-wide"));
        assert!(refused("CREATE DATABASE extra;").contains("cluster-wide"));
        assert!(refused("CREATE ROLE intruder SUPERUSER;").contains("never creates"));
        assert!(refused("ALTER ROLE postgres NOSUPERUSER;").contains("roles are cluster-wide"));
        assert!(refused("GRANT pg_read_server_files TO app_user;").contains("role membership"));
        assert!(refused("GRANT CONNECT ON DATABASE victim TO app_user;").contains("ON DATABASE"));
        assert!(refused("SET ROLE postgres;").contains("SET ROLE"));
        assert!(refused("RESET ROLE;").contains("RESET ROLE"));
        assert!(refused("SET SESSION AUTHORIZATION postgres;").contains("AUTHORIZATION"));
        assert!(refused("COPY t TO PROGRAM 'touch /tmp/x';").contains("COPY"));
        assert!(refused("COPY t FROM '/etc/passwd';").contains("COPY"));
        assert!(refused("SELECT lo_export(1, '/tmp/x');").contains("query"));
        assert!(
            refused("CREATE TABLE x AS SELECT lo_import('/etc/passwd');").contains("lo_import")
        );
        assert!(refused("LOAD 'auto_explain';").contains("shared library"));
        assert!(refused("CHECKPOINT;").contains("does not parse"));
        assert!(refused("ALTER SYSTEM SET work_mem = '77MB';").contains("does not parse"));
        assert!(refused("VACUUM;").contains("maintenance"));
        assert!(
            refused("CREATE SERVER s FOREIGN DATA WRAPPER postgres_fdw;").contains("postgres_fdw")
        );
        assert!(refused("SET work_mem = '1GB';").contains("SET work_mem"));
        assert!(refused("DROP EXTENSION pgcrypto;").contains("admin connection"));
    }

    #[test]
    fn code_bodies_are_read_for_denied_functions() {
        assert!(refused(
            "DO $$ BEGIN PERFORM pg_terminate_backend(pid) FROM pg_stat_activity; END $$;"
        )
        .contains("pg_terminate_backend"));
        assert!(refused(
            "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             PERFORM dblink_exec('dbname=x', 'DROP TABLE y'); RETURN NEW; END $$;"
        )
        .contains("dblink_exec"));
        assert!(refused(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET statement_timeout = 0 AS 'SELECT 1';"
        )
        .contains("statement timeout"));
        assert!(refused(
            "CREATE TABLE lifted AS SELECT set_config('statement_timeout', '0', false) AS done;"
        )
        .contains("statement timeout"));
    }

    #[test]
    fn functions_setting_their_own_variables_are_applied() {
        assert_eq!(
            use_of(
                "CREATE FUNCTION app.login() RETURNS void LANGUAGE plpgsql AS $$ BEGIN \
                 PERFORM set_config('jwt.claims.user_id', '42', true); END $$;"
            ),
            DevUse::Apply
        );
    }

    #[test]
    fn own_settings_ownership_and_transactions_are_withheld() {
        for sql in [
            "SET statement_timeout = 0;",
            "SET lock_timeout = 0;",
            "ALTER TABLE t OWNER TO postgres;",
            "ALTER FUNCTION f(integer) OWNER TO \"App Owner\";",
            "BEGIN;",
            "COMMIT;",
            "COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';",
            "COPY public.t (a, b) FROM stdin;",
        ] {
            assert_eq!(use_of(sql), DevUse::Withhold, "{sql}");
        }
    }

    #[test]
    fn extensions_are_named_from_the_parsed_statement() {
        assert_eq!(
            use_of("CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" SCHEMA Ext;"),
            DevUse::CreateExtension {
                name: "uuid-ossp".into(),
                schema: Some("ext".into())
            }
        );
    }
}
