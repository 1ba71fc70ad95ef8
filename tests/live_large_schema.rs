//! Issue 3's large-schema judgement: a generated schema of 1,000 tables, applied to a
//! real database, with exactly 20 drifts of different kinds planted through SQL. The
//! drift family must report those 20 (rule and object) and nothing else. Wall time is
//! printed for the record, never asserted: `cargo bench --bench paired` measures speed.

mod support;

use pgparity::rules::{self, Family};
use std::collections::BTreeSet;
use std::time::Instant;
use support::large_schema::{
    has_comments, has_grant, has_parent, has_partial_index, has_rls, has_trigger, has_view,
    spec_sql, table_name, table_sql, view_name, APP_ROLE, FUNCTION_SQL,
};
use support::pg::{ensure_role, TestDatabase};
use support::pgparity;

const TABLES: usize = 1_000;

/// The drift rules' ids.
fn drift_rules() -> BTreeSet<&'static str> {
    rules::all()
        .iter()
        .filter(|rule| rule.family == Family::Drift)
        .map(|rule| rule.id)
        .collect()
}

/// The (rule, object) pairs of the drift findings of `check --db`.
fn drift_findings(database: &TestDatabase, specs: &std::path::Path) -> BTreeSet<(String, String)> {
    let url = database.url();
    let specs = specs.to_str().expect("the temp dir path is UTF-8");
    let started = Instant::now();
    let run = pgparity(&[
        "check",
        "--db",
        &url,
        "--specs",
        specs,
        "--config",
        "/dev/null",
        "--format",
        "json",
    ]);
    eprintln!("pgparity check --db took {:?}", started.elapsed());
    assert!(
        run.code == 0 || run.code == 1,
        "pgparity failed ({}): {}",
        run.code,
        run.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("JSON report: {error}\n{}", run.stdout));
    let rules = drift_rules();
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .filter(|finding| rules.contains(finding["rule"].as_str().unwrap_or_default()))
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_string(),
                finding["object"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The generated spec applied to a fresh database, and the spec folder.
fn generated_database(hint: &str) -> (TestDatabase, tempfile_dir::Dir) {
    ensure_role(APP_ROLE);
    let dir = tempfile_dir::Dir::new(hint);
    let sql = spec_sql(TABLES);
    std::fs::write(dir.path().join("schema.sql"), &sql).expect("writing the generated spec");
    let database = TestDatabase::new(hint);
    let started = Instant::now();
    database.execute(FUNCTION_SQL);
    let numbers: Vec<usize> = (0..TABLES).collect();
    for batch in numbers.chunks(100) {
        database.execute(
            &batch
                .iter()
                .map(|&number| table_sql(number))
                .collect::<String>(),
        );
    }
    eprintln!("applying {TABLES} tables took {:?}", started.elapsed());
    (database, dir)
}

/// One planted drift: the SQL that makes it, and the finding it must produce.
struct Drift {
    sql: String,
    rule: &'static str,
    object: String,
}

fn drift(sql: String, rule: &'static str, object: String) -> Drift {
    Drift { sql, rule, object }
}

/// Twenty drifts of different kinds, each on its own table, chosen (and asserted) to
/// carry the object the drift changes.
fn planted_drifts() -> Vec<Drift> {
    let t = table_name;
    assert!(has_parent(72) && has_partial_index(99) && has_rls(150) && has_rls(205));
    assert!(has_rls(300) && has_grant(401) && has_trigger(500) && !has_trigger(511));
    assert!(has_comments(600) && has_view(700));
    vec![
        drift(
            format!("ALTER TABLE {} ALTER COLUMN name TYPE varchar(200)", t(5)),
            "column-type-drift",
            format!("public.{}.name", t(5)),
        ),
        drift(
            format!("ALTER TABLE {} DROP COLUMN payload", t(17)),
            "missing-column",
            format!("public.{}.payload", t(17)),
        ),
        drift(
            format!("ALTER TABLE {} ADD COLUMN legacy_ref text", t(33)),
            "unexpected-column",
            format!("public.{}.legacy_ref", t(33)),
        ),
        drift(
            format!("ALTER TABLE {} ALTER COLUMN name DROP NOT NULL", t(41)),
            "nullability-drift",
            format!("public.{}.name", t(41)),
        ),
        drift(
            format!(
                "ALTER TABLE {} ALTER COLUMN status SET DEFAULT 'archived'",
                t(58)
            ),
            "default-drift",
            format!("public.{}.status", t(58)),
        ),
        drift(
            format!("DROP INDEX idx_{}_parent", t(72)),
            "missing-index",
            format!("public.idx_{}_parent", t(72)),
        ),
        drift(
            format!("CREATE INDEX idx_{0}_name ON {0} (name)", t(88)),
            "unexpected-index",
            format!("public.idx_{}_name", t(88)),
        ),
        drift(
            format!(
                "DROP INDEX idx_{0}_active; \
                 CREATE INDEX idx_{0}_active ON {0} (created_at) WHERE status <> 'deleted'",
                t(99)
            ),
            "index-definition-drift",
            format!("public.idx_{}_active", t(99)),
        ),
        drift(
            format!(
                "ALTER TABLE {0} DROP CONSTRAINT ck_{0}_status; \
                 ALTER TABLE {0} ADD CONSTRAINT ck_{0}_status \
                 CHECK (status IN ('active', 'archived'))",
                t(120)
            ),
            "constraint-drift",
            format!("public.{0}.ck_{0}_status", t(120)),
        ),
        drift(
            format!("ALTER TABLE {0} DROP CONSTRAINT uq_{0}_code", t(135)),
            "missing-constraint",
            format!("public.{0}.uq_{0}_code", t(135)),
        ),
        drift(
            format!(
                "ALTER TABLE {0} ADD CONSTRAINT ck_{0}_amount CHECK (amount >= 0)",
                t(142)
            ),
            "unexpected-constraint",
            format!("public.{0}.ck_{0}_amount", t(142)),
        ),
        drift(
            format!("ALTER TABLE {} DISABLE ROW LEVEL SECURITY", t(150)),
            "rls-drift",
            format!("public.{}", t(150)),
        ),
        drift(
            format!("DROP POLICY tenant_isolation ON {}", t(205)),
            "missing-policy",
            format!("public.{}.tenant_isolation", t(205)),
        ),
        drift(
            format!(
                "ALTER POLICY tenant_isolation ON {} \
                 USING (tenant_id = current_setting('app.other_tenant_id')::uuid)",
                t(300)
            ),
            "policy-drift",
            format!("public.{}.tenant_isolation", t(300)),
        ),
        drift(
            format!("REVOKE INSERT ON {} FROM {APP_ROLE}", t(401)),
            "grant-drift",
            format!("public.{}", t(401)),
        ),
        drift(
            format!("DROP TRIGGER trg_{0}_touch ON {0}", t(500)),
            "missing-trigger",
            format!("public.{0}.trg_{0}_touch", t(500)),
        ),
        drift(
            format!(
                "CREATE TRIGGER trg_{0}_audit BEFORE INSERT ON {0} \
                 FOR EACH ROW EXECUTE FUNCTION touch_updated_at()",
                t(511)
            ),
            "unexpected-trigger",
            format!("public.{0}.trg_{0}_audit", t(511)),
        ),
        drift(
            format!("COMMENT ON TABLE {} IS 'Renamed group.'", t(600)),
            "comment-drift",
            format!("public.{}", t(600)),
        ),
        drift(
            format!(
                "CREATE OR REPLACE VIEW {} AS SELECT id, tenant_id, name, created_at \
                 FROM {} WHERE status <> 'deleted'",
                view_name(700),
                t(700)
            ),
            "view-definition-drift",
            format!("public.{}", view_name(700)),
        ),
        drift(
            "CREATE TABLE legacy_import (id bigint PRIMARY KEY, raw jsonb)".to_string(),
            "unexpected-relation",
            "public.legacy_import".to_string(),
        ),
    ]
}

#[test]
fn twenty_planted_drifts_are_found_and_nothing_else() {
    let (database, dir) = generated_database("large_drift");
    let drifts = planted_drifts();
    assert_eq!(drifts.len(), 20);
    let rules: BTreeSet<&str> = drifts.iter().map(|drift| drift.rule).collect();
    assert_eq!(
        rules.len(),
        20,
        "every planted drift is of a different kind"
    );
    for drift in &drifts {
        database.execute(&drift.sql);
    }
    let expected: BTreeSet<(String, String)> = drifts
        .iter()
        .map(|drift| (drift.rule.to_string(), drift.object.clone()))
        .collect();
    assert_eq!(drift_findings(&database, dir.path()), expected);
}

#[test]
fn generated_schema_applied_as_is_has_no_drift() {
    let (database, dir) = generated_database("large_clean");
    let findings = drift_findings(&database, dir.path());
    assert_eq!(findings, BTreeSet::new());
}

/// A temp folder removed on drop (no dependency for one folder).
mod tempfile_dir {
    use std::path::{Path, PathBuf};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new(hint: &str) -> Dir {
            let path = std::env::temp_dir().join(format!("pgparity-{hint}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&path);
            std::fs::create_dir_all(&path).expect("creating a temp folder");
            Dir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
