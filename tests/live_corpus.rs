//! The public schemas of `../shared/corpus` checked against themselves (issue 10): each
//! schema is applied to a fresh PostgreSQL 15 database one statement at a time, and the
//! statements the server accepted are then checked through the binary against that
//! database (`pgparity check --specs X --db Y`). Every drift finding at error or warning
//! would be false: the expected count is zero.
//!
//! A statement the server refuses (an extension this machine lacks, a function of a
//! later PostgreSQL, a psql variable) is left out of the spec the binary reads, so the
//! spec is exactly what the server applied. Roles a statement names are created first.
//! The test prints, per schema, the statements read, modelled and skipped by the spec
//! loader, and those the server refused. `PGPARITY_EXTRA_CORPUS` (paths separated by `:`)
//! adds further schema files to the run, to measure public schemas that are not copied
//! into the repository.

mod support;

use pgparity::rules::Family;
use pgparity::sources::spec::{load_spec_text, SpecProblemKind};
use pgparity::sql::split::top_level_statements;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::pg::{ensure_role, explain, TestDatabase};
use support::{pgparity_in, ScratchDir};

/// One schema of the corpus: its files, applied in order, and text replacements that
/// stand in for a migration tool's placeholders.
struct Schema {
    files: &'static [&'static str],
    placeholders: &'static [(&'static str, &'static str)],
    /// SQL applied before the schema, as part of it: what it takes from a later
    /// PostgreSQL or from its migration tool.
    setup: &'static str,
}

const SCHEMAS: &[Schema] = &[
    Schema {
        files: &["danbooru/structure.sql"],
        placeholders: &[],
        setup: "",
    },
    Schema {
        files: &["graphile_starter/schema.sql"],
        placeholders: &[],
        setup: "",
    },
    Schema {
        files: &["graphile_starter/migration_000001.sql"],
        // graphile-migrate replaces these with the roles of the app.
        placeholders: &[
            (":DATABASE_VISITOR", "graphile_starter_visitor"),
            (":DATABASE_OWNER", "graphile_starter"),
            (":DATABASE_AUTHENTICATOR", "graphile_starter_authenticator"),
        ],
        // graphile-migrate's afterReset.sql creates the extensions the migration uses.
        setup: "CREATE EXTENSION IF NOT EXISTS plpgsql; CREATE EXTENSION IF NOT EXISTS citext; \
                CREATE EXTENSION IF NOT EXISTS pgcrypto;",
    },
    Schema {
        files: &["pagila/pagila-schema.sql"],
        // PostgreSQL 18's virtual generated column, stored on PostgreSQL 15.
        placeholders: &[(", 2)) VIRTUAL", ", 2)) STORED")],
        // uuidv7() is PostgreSQL 18's; pg_catalog keeps the stand-in out of the checked
        // schemas and resolves it unqualified, as in PostgreSQL 18.
        setup: "CREATE FUNCTION pg_catalog.uuidv7() RETURNS uuid LANGUAGE sql \
                AS 'SELECT gen_random_uuid()'",
    },
    Schema {
        files: &["postgrest/spec_schema.sql", "postgrest/spec_privileges.sql"],
        placeholders: &[],
        setup: "",
    },
    Schema {
        files: &["postgrest/big_schema.sql"],
        placeholders: &[],
        setup: "",
    },
    Schema {
        files: &["supabase_postgres/schema-16.sql"],
        placeholders: &[],
        setup: "",
    },
];

fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

/// The text with psql meta-command lines (`\ir`, `\connect`) blanked: the server does
/// not know them, and the statement splitter would glue them to the next statement.
fn without_meta_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            if line.trim_start().starts_with('\\') {
                "\n"
            } else {
                line
            }
        })
        .collect()
}

/// Whether a statement only controls the transaction: each statement is applied on its
/// own, so that a refused one does not abort the ones after it.
fn is_transaction_control(statement: &str) -> bool {
    let words: String = statement
        .trim()
        .trim_end_matches(';')
        .trim()
        .to_ascii_uppercase();
    matches!(
        words.as_str(),
        "BEGIN" | "COMMIT" | "START TRANSACTION" | "ROLLBACK" | "END"
    )
}

/// The role a "role does not exist" error names.
fn missing_role(message: &str) -> Option<String> {
    let rest = message.strip_prefix("role \"")?;
    let end = rest.find('"')?;
    rest[end..]
        .starts_with("\" does not exist")
        .then(|| rest[..end].to_string())
}

/// Applies `text` one statement at a time and returns the statements the server
/// accepted, in order, and the number it refused (with the first few reasons).
fn apply_statements(
    client: &mut postgres::Client,
    text: &str,
    refused: &mut Vec<String>,
) -> String {
    let mut accepted = String::new();
    for piece in top_level_statements(text) {
        let statement = &text[piece.start..piece.end];
        if is_transaction_control(statement) {
            continue;
        }
        let mut outcome = client.batch_execute(statement);
        while let Err(error) = &outcome {
            let Some(role) = error
                .as_db_error()
                .and_then(|db| missing_role(db.message()))
            else {
                break;
            };
            ensure_role(&role);
            outcome = client.batch_execute(statement);
        }
        match outcome {
            Ok(()) => {
                accepted.push_str(statement);
                accepted.push('\n');
            }
            Err(error) => {
                let head: String = statement.trim().chars().take(60).collect();
                refused.push(format!("{} ({head}…)", explain(&error)));
                // Clear what the session kept of the statement (`SET` of a failed
                // transaction is gone with it; nothing else stays).
                let _ = client.batch_execute("ROLLBACK");
            }
        }
    }
    accepted
}

#[test]
fn every_corpus_schema_applied_to_postgresql_has_no_drift_against_itself() {
    let root = corpus_root();
    assert!(
        root.is_dir(),
        "the shared corpus is missing: expected it at {} (CARGO_MANIFEST_DIR/../shared/corpus)",
        root.display()
    );
    let mut failures = Vec::new();
    for schema in SCHEMAS {
        let files: Vec<PathBuf> = schema.files.iter().map(|file| root.join(file)).collect();
        let label = schema.files.join(" + ");
        check_schema(
            &label,
            &files,
            schema.placeholders,
            schema.setup,
            &mut failures,
        );
    }
    // More public schemas, measured without being copied into the repository.
    for path in std::env::var("PGPARITY_EXTRA_CORPUS")
        .unwrap_or_default()
        .split(':')
        .filter(|path| !path.is_empty())
    {
        check_schema(path, &[PathBuf::from(path)], &[], "", &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} false drift findings:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Applies `files` (with `placeholders` replaced, after `setup`) to a fresh database one
/// statement at a time, checks what the server accepted against it through the binary,
/// prints the counts, and adds each drift finding at error or warning to `failures`.
fn check_schema(
    label: &str,
    files: &[PathBuf],
    placeholders: &[(&str, &str)],
    setup: &str,
    failures: &mut Vec<String>,
) {
    let database = TestDatabase::new("corpus");
    let mut client = database.client();
    let mut refused = Vec::new();
    let mut spec = apply_statements(&mut client, setup, &mut refused);
    for path in files {
        let mut text = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        for (placeholder, value) in placeholders {
            text = text.replace(placeholder, value);
        }
        let text = without_meta_lines(&text);
        spec.push_str(&apply_statements(&mut client, &text, &mut refused));
    }
    let loaded = load_spec_text(label, &spec, "public");
    let skipped = loaded
        .problems
        .iter()
        .filter(|problem| {
            matches!(
                problem.kind,
                SpecProblemKind::Skipped { .. } | SpecProblemKind::Data { .. }
            )
        })
        .count();
    let parse_errors = loaded
        .problems
        .iter()
        .filter(|problem| matches!(problem.kind, SpecProblemKind::ParseError { .. }))
        .count();
    eprintln!(
        "{label}: the server refused {} statements; of the {} it applied, the spec \
         loader read {}, modelled {}, skipped {skipped}, could not parse {parse_errors}",
        refused.len(),
        loaded.statements,
        loaded.statements,
        loaded.statements - skipped - parse_errors,
    );
    for reason in refused.iter().take(5) {
        eprintln!("    refused: {reason}");
    }
    for problem in &loaded.problems {
        eprintln!("    {} {:?}", problem.location, problem.kind);
    }
    let mut schemas: BTreeSet<String> = loaded
        .catalog
        .relations
        .keys()
        .map(|name| name.schema.clone())
        .collect();
    schemas.insert("public".to_string());
    let folder = ScratchDir::new("corpus");
    let spec_path = folder.write("schema.sql", &spec);
    let url = database.url();
    let mut args = vec![
        "check",
        "--format",
        "json",
        "--config",
        "/dev/null",
        "--specs",
        &spec_path,
        "--db",
        &url,
        "--schema",
        "public",
    ];
    for name in schemas.iter().filter(|name| *name != "public") {
        args.push("--schema");
        args.push(name);
    }
    let run = pgparity_in(&folder.path, &args, &[]);
    assert!(run.code == 0 || run.code == 1, "{label}: {}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout).expect("JSON report");
    for finding in report["findings"].as_array().expect("findings") {
        let rule = finding["rule"].as_str().unwrap_or_default();
        let is_drift = pgparity::rules::by_id(rule).is_some_and(|r| r.family == Family::Drift);
        if !is_drift {
            continue;
        }
        let line = format!(
            "{label}: {} {rule} {}: {} (expected {}, actual {})",
            finding["severity"].as_str().unwrap_or_default(),
            finding["object"].as_str().unwrap_or_default(),
            finding["message"].as_str().unwrap_or_default(),
            finding["expected"],
            finding["actual"],
        );
        eprintln!("    {line}");
        if finding["severity"] != "info" {
            failures.push(line);
        }
    }
}
