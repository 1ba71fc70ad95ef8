//! The DDL spec loader: statement kinds mapped into the catalog, generated names,
//! locations, and the problems it reports.

use pgparity::input::{InputError, InputLimits};
use pgparity::model::{
    ConstraintKind, ForeignKeyAction, Identity, IndexTarget, Location, PolicyCommand,
    QualifiedName, Relation, RelationKind, SqlType,
};
use pgparity::sources::spec::{
    load_spec_text, load_specs, SpecBuilder, SpecLoadError, SpecProblemKind, SpecSet,
};
use std::path::PathBuf;

fn load(text: &str) -> SpecSet {
    load_spec_text("spec.sql", text, "public")
}

fn relation<'a>(set: &'a SpecSet, name: &str) -> &'a Relation {
    let name = QualifiedName::parse(name, "public");
    set.catalog
        .relations
        .get(&name)
        .unwrap_or_else(|| panic!("{name} not loaded; problems: {:?}", set.problems))
}

fn problems(set: &SpecSet) -> Vec<String> {
    set.problems
        .iter()
        .map(|problem| format!("{} {:?}", problem.location, problem.kind))
        .collect()
}

fn at(line: u32, column: u32) -> Option<Location> {
    Some(Location::new("spec.sql", line, column))
}

#[test]
fn files_and_folders_load_in_path_order_into_one_catalog() {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/spec");
    let set = load_specs(&[folder], "public", InputLimits::default()).expect("the test specs load");
    assert_eq!(set.files.len(), 2, "only .sql files: {:?}", set.files);
    assert!(set.files[0].ends_with("tests/data/spec/01_tables.sql"));
    assert!(set.files[1].ends_with("tests/data/spec/nested/02_later.sql"));
    let tenants = relation(&set, "tenants");
    assert_eq!(tenants.columns.len(), 2);
    assert!(tenants.column("name").is_some_and(|c| c.not_null));
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
}

#[test]
fn missing_and_non_utf8_paths_are_errors() {
    let missing = PathBuf::from("no/such/specs");
    match load_specs(&[missing], "public", InputLimits::default()) {
        Err(SpecLoadError::Missing { path }) => assert_eq!(path, "no/such/specs"),
        other => panic!("expected a missing-path error, got {other:?}"),
    }
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("latin1.sql");
    std::fs::write(&file, b"COMMENT ON TABLE t IS 'caf\xe9';").expect("temp file written");
    match load_specs(&[file], "public", InputLimits::default()) {
        Err(error @ SpecLoadError::Input(InputError::NotUtf8 { .. })) => {
            let message = error.to_string();
            assert_eq!(message.matches("latin1.sql").count(), 1, "{message}");
            assert!(message.contains("line 1, column 27"), "{message}");
        }
        other => panic!("expected a UTF-8 error, got {other:?}"),
    }
}

#[test]
fn a_builder_applies_several_texts_in_order() {
    let mut builder = SpecBuilder::new("public");
    builder.add_text("a.sql", "CREATE TABLE t (a int);");
    builder.add_text(
        "b.sql",
        "ALTER TABLE t ADD COLUMN b text;\nDROP TABLE IF EXISTS gone;",
    );
    let set = builder.finish();
    assert_eq!(set.files, ["a.sql", "b.sql"]);
    assert_eq!(set.statements, 3);
    let t = relation(&set, "t");
    assert_eq!(t.columns[1].location, Some(Location::new("b.sql", 1, 26)));
}

#[test]
fn a_broken_statement_is_a_parse_error_at_the_rejected_token_and_loading_goes_on() {
    let set = load(
        "CREATE TABLE a (x int);\n\n  CREATE TABLE broken (x int,, y);\nCREATE TABLE c (\n  x int\n);",
    );
    assert_eq!(set.statements, 3);
    assert_eq!(set.problems.len(), 1, "{:?}", problems(&set));
    let problem = &set.problems[0];
    assert_eq!(
        problem.location,
        Location::new("spec.sql", 3, 30),
        "the second comma"
    );
    match &problem.kind {
        SpecProblemKind::ParseError { message, defines } => {
            assert!(
                message.contains("found: ,") && !message.contains("Line:"),
                "{message}"
            );
            assert_eq!(defines, &Some(QualifiedName::new("public", "broken")));
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
    assert!(set.may_have_defined(&QualifiedName::new("public", "broken")));
    relation(&set, "a");
    relation(&set, "c");
}

#[test]
fn statements_naming_a_relation_a_failed_statement_defined_are_not_unknown() {
    let set = load("CREATE TABLE t (x int,, y);\nCREATE INDEX t_x ON t (x);");
    assert_eq!(set.problems.len(), 1, "{:?}", problems(&set));
}

#[test]
fn dollar_quotes_strings_comments_and_meta_lines_do_not_break_splitting() {
    let text = "\\restrict key\n\
                CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n\
                CREATE FUNCTION g() RETURNS int LANGUAGE plpgsql AS $fn$ BEGIN RETURN 1; END; $fn$;\n\
                -- note; not a statement\n\
                CREATE TABLE t (a text DEFAULT 'x;y'); /* ; */\n\
                \\connect other\n\
                CREATE TABLE u (a int);";
    let set = load(text);
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    assert_eq!(set.statements, 4);
    assert_eq!(relation(&set, "t").location, at(5, 14));
    assert_eq!(relation(&set, "u").location, at(7, 14));
    assert_eq!(
        relation(&set, "t").columns[0].default.as_deref(),
        Some("'x;y'")
    );
}

#[test]
fn create_table_maps_columns_types_defaults_and_identity() {
    let set = load(
        "CREATE TABLE IF NOT EXISTS app.\"Orders\" (\n\
           id bigserial,\n\
           \"Code\" VARCHAR(255) NULL,\n\
           ratio numeric(6,5) NOT NULL DEFAULT 0.5,\n\
           created timestamptz DEFAULT now(),\n\
           seq int GENERATED BY DEFAULT AS IDENTITY,\n\
           total numeric GENERATED ALWAYS AS (ratio * 2) STORED\n\
         );",
    );
    let orders = relation(&set, "app.\"Orders\"");
    assert_eq!(orders.kind, RelationKind::Table);
    assert_eq!(orders.location, at(1, 28));
    let id = &orders.columns[0];
    assert_eq!(id.data_type, Some(SqlType::parse("bigint")));
    assert!(id.not_null);
    assert_eq!(
        id.default.as_deref(),
        Some("nextval('app.\"Orders_id_seq\"'::regclass)"),
        "quoted as the server prints it"
    );
    assert_eq!(id.location, at(2, 1));
    let code = orders.column("Code").expect("quoted column keeps its case");
    assert_eq!(
        code.data_type,
        Some(SqlType::parse("character varying(255)"))
    );
    assert!(!code.not_null);
    let ratio = orders.column("ratio").expect("ratio");
    assert!(ratio.not_null);
    assert_eq!(ratio.default.as_deref(), Some("0.5"));
    let seq = orders.column("seq").expect("seq");
    assert_eq!(seq.identity, Some(Identity::ByDefault));
    assert!(seq.not_null);
    let total = orders.column("total").expect("total");
    assert_eq!(total.generated.as_deref(), Some("ratio * 2"));
}

#[test]
fn unnamed_constraints_get_postgresql_names_and_backing_indexes() {
    let set = load(
        "CREATE TABLE t (\n\
           id int PRIMARY KEY,\n\
           a int UNIQUE,\n\
           b int REFERENCES other (id) ON DELETE CASCADE,\n\
           c int CHECK (c > 0),\n\
           d tstzrange,\n\
           UNIQUE NULLS NOT DISTINCT (a, c),\n\
           FOREIGN KEY (a, b) REFERENCES s.other2 ON UPDATE SET NULL DEFERRABLE,\n\
           CHECK (a < b),\n\
           CHECK (c < 10),\n\
           EXCLUDE USING gist (d WITH &&)\n\
         );",
    );
    let t = relation(&set, "t");
    let names: Vec<&str> = t.constraints.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "t_a_b_fkey",
            "t_a_c_key",
            "t_a_key",
            "t_b_fkey",
            "t_c_check",
            "t_c_check1",
            "t_check",
            "t_d_excl",
            "t_pkey"
        ]
    );
    assert!(t.column("id").is_some_and(|c| c.not_null));
    match &t.constraints["t_b_fkey"].kind {
        ConstraintKind::ForeignKey {
            columns,
            references,
            referenced_columns,
            on_delete,
            on_update,
        } => {
            assert_eq!(columns, &["b"]);
            assert_eq!(references, &QualifiedName::new("public", "other"));
            assert_eq!(referenced_columns, &["id"]);
            assert_eq!(*on_delete, ForeignKeyAction::Cascade);
            assert_eq!(*on_update, ForeignKeyAction::NoAction);
        }
        other => panic!("expected a foreign key, got {other:?}"),
    }
    let composite = &t.constraints["t_a_b_fkey"];
    assert!(composite.deferrable);
    assert!(matches!(
        &composite.kind,
        ConstraintKind::ForeignKey { references, on_update: ForeignKeyAction::SetNull, referenced_columns, .. }
            if references == &QualifiedName::new("s", "other2") && referenced_columns.is_empty()
    ));
    assert!(matches!(
        &t.constraints["t_a_c_key"].kind,
        ConstraintKind::Unique { columns, nulls_not_distinct: true } if columns == &["a", "c"]
    ));
    let index_names: Vec<&str> = t.indexes.keys().map(String::as_str).collect();
    assert_eq!(index_names, ["t_a_c_key", "t_a_key", "t_d_excl", "t_pkey"]);
    let pkey = &t.indexes["t_pkey"];
    assert!(pkey.unique);
    assert_eq!(pkey.method, "btree");
    assert_eq!(pkey.constraint.as_deref(), Some("t_pkey"));
    assert!(t.indexes["t_a_c_key"].nulls_not_distinct);
    let excl = &t.indexes["t_d_excl"];
    assert_eq!(excl.method, "gist");
    assert!(!excl.unique);
    assert!(matches!(
        &t.constraints["t_d_excl"].kind,
        ConstraintKind::Exclusion { definition } if definition == "USING gist (d WITH &&)"
    ));
    assert_eq!(t.constraints["t_pkey"].location, at(2, 1));
}

#[test]
fn generated_names_avoid_other_relations_and_are_truncated() {
    let long = "a".repeat(70);
    let set = load(&format!(
        "CREATE TABLE t_pkey (x int);\nCREATE TABLE t (id int PRIMARY KEY);\nCREATE TABLE {long} (id int PRIMARY KEY);"
    ));
    assert!(relation(&set, "t").constraints.contains_key("t_pkey1"));
    let truncated = QualifiedName::new("public", "a".repeat(63));
    let table = &set.catalog.relations[&truncated];
    let name = table.constraints.keys().next().expect("one constraint");
    assert_eq!(name, &format!("{}_pkey", "a".repeat(58)));
}

#[test]
fn alter_table_changes_what_earlier_statements_created() {
    let set = load(
        "CREATE TABLE t (a int, b text, c int);\n\
         ALTER TABLE ONLY t ADD CONSTRAINT t_a_positive CHECK (a > 0) NOT VALID;\n\
         ALTER TABLE t ADD PRIMARY KEY (a);\n\
         ALTER TABLE t ALTER COLUMN b SET NOT NULL, ALTER COLUMN b SET DEFAULT 'x';\n\
         ALTER TABLE t ALTER COLUMN c TYPE bigint;\n\
         ALTER TABLE t ADD COLUMN d int;\n\
         ALTER TABLE t DROP COLUMN d;\n\
         ALTER TABLE t RENAME COLUMN c TO c2;\n\
         ALTER TABLE t DROP CONSTRAINT t_a_positive;\n\
         ALTER TABLE t ENABLE ROW LEVEL SECURITY;\n\
         ALTER TABLE t FORCE ROW LEVEL SECURITY;\n\
         ALTER TABLE t OWNER TO someone;\n\
         ALTER TABLE t RENAME TO t2;\n\
         ALTER TABLE IF EXISTS nothing ADD COLUMN x int;",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    assert!(!set
        .catalog
        .relations
        .contains_key(&QualifiedName::new("public", "t")));
    let t = relation(&set, "t2");
    let columns: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["a", "b", "c2"]);
    let b = t.column("b").expect("b");
    assert!(b.not_null);
    assert_eq!(b.default.as_deref(), Some("'x'"));
    assert_eq!(
        t.column("c2").and_then(|c| c.data_type.clone()),
        Some(SqlType::parse("bigint"))
    );
    assert!(t.column("a").is_some_and(|c| c.not_null));
    assert!(t.constraints.contains_key("t_pkey"));
    assert!(!t.constraints.contains_key("t_a_positive"));
    assert!(t.rls_enabled && t.rls_forced);
    let index = set
        .catalog
        .index(&QualifiedName::new("public", "t_pkey"))
        .expect("the index follows the renamed table");
    assert_eq!(index.0.name.name, "t2");
}

#[test]
fn unknown_relations_and_columns_are_reported() {
    let set = load(
        "CREATE TABLE t (a int);\n\
         ALTER TABLE ghost ADD COLUMN x int;\n\
         ALTER TABLE t ALTER COLUMN nope SET NOT NULL;\n\
         CREATE INDEX i ON ghost (x);\n\
         CREATE POLICY p ON ghost USING (true);\n\
         COMMENT ON COLUMN t.nope IS 'x';\n\
         GRANT SELECT ON ghost TO app;\n\
         CREATE TRIGGER trg AFTER INSERT ON ghost FOR EACH ROW EXECUTE FUNCTION f();",
    );
    let unknown: Vec<(String, String, u32)> = set
        .problems
        .iter()
        .filter_map(|problem| match &problem.kind {
            SpecProblemKind::UnknownReference { object, missing } => {
                Some((object.clone(), missing.clone(), problem.location.line))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        unknown,
        [
            ("public.ghost".into(), "relation public.ghost".into(), 2),
            ("public.t.nope".into(), "column public.t.nope".into(), 3),
            ("public.i".into(), "relation public.ghost".into(), 4),
            ("public.ghost.p".into(), "relation public.ghost".into(), 5),
            ("public.t.nope".into(), "column public.t.nope".into(), 6),
            ("public.ghost".into(), "relation public.ghost".into(), 7),
            ("public.ghost.trg".into(), "relation public.ghost".into(), 8),
        ]
    );
}

#[test]
fn duplicates_keep_the_first_definition() {
    let set = load(
        "CREATE TABLE t (a int);\n\
         CREATE TABLE t (b int);\n\
         CREATE TABLE IF NOT EXISTS t (c int);\n\
         CREATE INDEX i ON t (a);\n\
         CREATE INDEX i ON t (a);\n\
         CREATE INDEX IF NOT EXISTS i ON t (a);\n\
         ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0);\n\
         ALTER TABLE t ADD CONSTRAINT k CHECK (a > 1);\n\
         CREATE POLICY p ON t USING (true);\n\
         CREATE POLICY p ON t USING (false);",
    );
    let duplicates: Vec<(String, String, Option<Location>, u32)> = set
        .problems
        .iter()
        .filter_map(|problem| match &problem.kind {
            SpecProblemKind::Duplicate {
                object,
                object_kind,
                first,
            } => Some((
                object.clone(),
                object_kind.clone(),
                first.clone(),
                problem.location.line,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        duplicates,
        [
            ("public.t".into(), "table".into(), at(1, 14), 2),
            ("public.i".into(), "index".into(), at(4, 14), 5),
            ("public.t.k".into(), "constraint".into(), at(7, 30), 8),
            ("public.t.p".into(), "policy".into(), at(9, 1), 10),
        ]
    );
    assert_eq!(set.problems.len(), 4, "{:?}", problems(&set));
    let t = relation(&set, "t");
    assert_eq!(t.columns[0].name, "a");
    assert!(matches!(
        &t.constraints["k"].kind,
        ConstraintKind::Check { expression } if expression == "a > 0"
    ));
    assert_eq!(t.policies["p"].using.as_deref(), Some("true"));
}

#[test]
fn create_index_maps_every_clause_and_names_unnamed_indexes() {
    let set = load(
        "CREATE TABLE t (a int, b text, c timestamptz);\n\
         CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_ab ON t USING btree (a DESC NULLS LAST, b text_pattern_ops) INCLUDE (c) WHERE (a > 0);\n\
         CREATE INDEX ON t (lower(b));\n\
         CREATE INDEX ON t (a, c);\n\
         CREATE INDEX ON t ((a + 1));\n\
         CREATE INDEX t_b_coll ON t (b COLLATE \"C\");\n\
         CREATE UNIQUE INDEX t_nnd ON t (b) NULLS NOT DISTINCT;\n\
         CREATE INDEX t_gin ON ONLY t USING gin (b);",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    let t = relation(&set, "t");
    let names: Vec<&str> = t.indexes.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "t_a_c_idx",
            "t_ab",
            "t_b_coll",
            "t_expr_idx",
            "t_gin",
            "t_lower_idx",
            "t_nnd"
        ]
    );
    let ab = &t.indexes["t_ab"];
    assert!(ab.unique);
    assert_eq!(ab.location, at(2, 48));
    assert_eq!(ab.keys[0].target, IndexTarget::Column("a".into()));
    assert!(ab.keys[0].descending);
    assert_eq!(ab.keys[0].nulls_first, Some(false));
    assert_eq!(ab.keys[1].opclass.as_deref(), Some("text_pattern_ops"));
    assert_eq!(ab.include, ["c"]);
    assert_eq!(ab.predicate.as_deref(), Some("(a > 0)"));
    assert_eq!(
        t.indexes["t_lower_idx"].keys[0].target,
        IndexTarget::Expression("lower(b)".into())
    );
    assert_eq!(
        t.indexes["t_b_coll"].keys[0].collation.as_deref(),
        Some("\"C\"")
    );
    assert_eq!(
        t.indexes["t_b_coll"].keys[0].target,
        IndexTarget::Column("b".into())
    );
    assert!(t.indexes["t_nnd"].nulls_not_distinct);
    let gin = &t.indexes["t_gin"];
    assert!(gin.only);
    assert_eq!(gin.method, "gin");
}

#[test]
fn views_take_their_column_names_from_the_query_or_the_list() {
    let set = load(
        "CREATE TABLE t (a int, b text);\n\
         CREATE VIEW v AS SELECT t.a, b AS bee, count(*), 1 + 1 FROM t GROUP BY 1, 2;\n\
         CREATE VIEW w (x, y) AS SELECT a, b FROM t;\n\
         CREATE VIEW star AS SELECT * FROM t;\n\
         CREATE OR REPLACE VIEW w (x, y) AS SELECT a, b FROM t WHERE a > 0;\n\
         CREATE MATERIALIZED VIEW mv AS SELECT a FROM t WITH NO DATA;\n\
         CREATE MATERIALIZED VIEW mv2 AS SELECT a FROM t WITH DATA;",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    let names = |name: &str| -> Vec<String> {
        relation(&set, name)
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    assert_eq!(names("v"), ["a", "bee", "count", "?column?"]);
    assert_eq!(names("w"), ["x", "y"]);
    assert_eq!(names("star"), ["a", "b"]);
    let w = relation(&set, "w");
    assert_eq!(w.kind, RelationKind::View);
    assert!(w
        .view
        .as_ref()
        .is_some_and(|view| view.query.ends_with("WHERE a > 0")));
    let mv = relation(&set, "mv");
    assert_eq!(mv.kind, RelationKind::MaterializedView);
    assert_eq!(mv.view.as_ref().map(|v| v.with_data), Some(false));
    assert_eq!(mv.columns[0].location, mv.location);
    assert_eq!(
        relation(&set, "mv2").view.as_ref().map(|v| v.with_data),
        Some(true)
    );
}

#[test]
fn policies_and_grants() {
    let set = load(
        "CREATE SCHEMA app;\n\
         CREATE TABLE app.t (tenant_id uuid);\n\
         CREATE TABLE app.u (id int);\n\
         CREATE POLICY tenant ON app.t AS RESTRICTIVE FOR SELECT TO writer, reader USING (tenant_id = current_setting('app.tenant')::uuid);\n\
         CREATE POLICY open ON app.t WITH CHECK (true);\n\
         ALTER POLICY open ON app.t TO admin;\n\
         GRANT SELECT, INSERT ON TABLE app.t TO reader, PUBLIC;\n\
         GRANT UPDATE (tenant_id) ON TABLE app.t TO reader;\n\
         GRANT ALL PRIVILEGES ON ALL TABLES IN SCHEMA app TO admin;\n\
         REVOKE INSERT ON app.t FROM reader;\n\
         GRANT USAGE ON SEQUENCE app.s TO reader;\n\
         GRANT USAGE ON SCHEMA app TO reader;",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    assert!(set.catalog.schemas.contains_key("app"));
    let t = relation(&set, "app.t");
    let tenant = &t.policies["tenant"];
    assert!(!tenant.permissive);
    assert_eq!(tenant.command, PolicyCommand::Select);
    assert_eq!(tenant.roles, ["reader", "writer"]);
    assert!(tenant.using.is_some() && tenant.with_check.is_none());
    let open = &t.policies["open"];
    assert!(open.permissive);
    assert_eq!(open.command, PolicyCommand::All);
    assert_eq!(open.roles, ["admin"]);
    assert_eq!(open.with_check.as_deref(), Some("true"));
    let grants: Vec<(String, String)> = t
        .grants
        .iter()
        .map(|g| (g.grantee.clone(), g.privilege.clone()))
        .collect();
    let expected: Vec<(String, String)> = [
        ("admin", "DELETE"),
        ("admin", "INSERT"),
        ("admin", "REFERENCES"),
        ("admin", "SELECT"),
        ("admin", "TRIGGER"),
        ("admin", "TRUNCATE"),
        ("admin", "UPDATE"),
        ("public", "INSERT"),
        ("public", "SELECT"),
        ("reader", "SELECT"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(grants, expected);
    assert_eq!(relation(&set, "app.u").grants.len(), 7);
}

#[test]
fn triggers_functions_types_domains_and_extensions() {
    let set = load(
        "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n\
         CREATE TYPE status AS ENUM ('new', 'done');\n\
         CREATE DOMAIN money_cents AS bigint NOT NULL CHECK (VALUE >= 0);\n\
         CREATE FUNCTION audit(a integer, OUT b text, c varchar) RETURNS record LANGUAGE sql AS $$ SELECT 1 $$;\n\
         CREATE OR REPLACE FUNCTION audit(a int4, c character varying) RETURNS record LANGUAGE sql AS $$ SELECT 2 $$;\n\
         CREATE TABLE t (a int);\n\
         CREATE TRIGGER trg AFTER UPDATE OR INSERT ON t FOR EACH ROW WHEN (NEW.a > 0) EXECUTE FUNCTION audit('x', 42);\n\
         CREATE TRIGGER trg2 BEFORE DELETE ON t EXECUTE PROCEDURE audit();",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    assert!(set.catalog.extensions.contains_key("pgcrypto"));
    let status = &set.catalog.enums[&QualifiedName::new("public", "status")];
    assert_eq!(status.values, ["new", "done"]);
    let domain = &set.catalog.domains[&QualifiedName::new("public", "money_cents")];
    assert!(domain.not_null);
    assert_eq!(domain.base_type, SqlType::parse("bigint"));
    assert_eq!(domain.checks, ["VALUE >= 0"]);
    let audit = &set.catalog.functions[&QualifiedName::new("public", "audit")];
    assert_eq!(audit.len(), 1, "the replacement has the same signature");
    assert_eq!(audit[0].arguments, ["integer", "character varying"]);
    assert_eq!(audit[0].location, at(5, 1));
    let t = relation(&set, "t");
    let trg = &t.triggers["trg"];
    assert_eq!(trg.timing, "AFTER");
    assert_eq!(trg.events, ["INSERT", "UPDATE"]);
    assert!(trg.for_each_row);
    assert_eq!(trg.function, QualifiedName::new("public", "audit"));
    assert_eq!(trg.arguments, ["x", "42"]);
    assert_eq!(trg.when.as_deref(), Some("(NEW.a > 0)"));
    let trg2 = &t.triggers["trg2"];
    assert_eq!(trg2.timing, "BEFORE");
    assert!(!trg2.for_each_row);
    assert!(trg2.arguments.is_empty());
}

#[test]
fn comments_set_and_clear() {
    let set = load(
        "CREATE TABLE t (a int CONSTRAINT a_positive CHECK (a > 0));\n\
         CREATE INDEX t_a ON t (a);\n\
         CREATE POLICY p ON t USING (true);\n\
         CREATE TRIGGER trg AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n\
         CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
         COMMENT ON TABLE t IS 'first';\n\
         COMMENT ON TABLE t IS $$Second; with a semicolon$$;\n\
         COMMENT ON COLUMN t.a IS 'the a';\n\
         COMMENT ON COLUMN public.t.a IS NULL;\n\
         COMMENT ON INDEX t_a IS 'index';\n\
         COMMENT ON CONSTRAINT a_positive ON t IS 'positive';\n\
         COMMENT ON POLICY p ON public.t IS $c$policy$c$;\n\
         COMMENT ON TRIGGER trg ON t IS 'trigger';\n\
         COMMENT ON FUNCTION f() IS 'ignored';\n\
         COMMENT ON CONSTRAINT nope ON t IS 'x';",
    );
    let t = relation(&set, "t");
    assert_eq!(t.comment.as_deref(), Some("Second; with a semicolon"));
    assert_eq!(t.columns[0].comment, None);
    assert_eq!(t.indexes["t_a"].comment.as_deref(), Some("index"));
    assert_eq!(
        t.constraints["a_positive"].comment.as_deref(),
        Some("positive")
    );
    assert_eq!(t.policies["p"].comment.as_deref(), Some("policy"));
    assert_eq!(t.triggers["trg"].comment.as_deref(), Some("trigger"));
    assert_eq!(
        problems(&set),
        ["spec.sql:15:1 UnknownReference { object: \"public.t.nope\", missing: \"constraint public.t.nope\" }"]
    );
}

#[test]
fn drops_remove_objects() {
    let set = load(
        "CREATE TABLE t (a int PRIMARY KEY);\n\
         CREATE TABLE u (a int);\n\
         CREATE INDEX u_a ON u (a);\n\
         CREATE VIEW v AS SELECT a FROM t;\n\
         CREATE TYPE e AS ENUM ('x');\n\
         DROP VIEW v;\n\
         DROP INDEX u_a;\n\
         DROP TABLE IF EXISTS t, nothing;\n\
         DROP TYPE e;\n\
         DROP TABLE ghost;\n\
         CREATE TABLE t (b int PRIMARY KEY);",
    );
    let names: Vec<String> = set
        .catalog
        .relations
        .keys()
        .map(|n| n.to_string())
        .collect();
    assert_eq!(names, ["public.t", "public.u"]);
    assert!(relation(&set, "u").indexes.is_empty());
    assert_eq!(relation(&set, "t").columns[0].name, "b");
    assert!(set.catalog.enums.is_empty());
    assert_eq!(
        problems(&set),
        ["spec.sql:10:1 UnknownReference { object: \"public.ghost\", missing: \"table public.ghost\" }"]
    );
}

#[test]
fn partitions_and_pg_dump_noise() {
    let set = load(
        "SET statement_timeout = 0;\n\
         SELECT pg_catalog.set_config('search_path', '', false);\n\
         CREATE TABLE public.events (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);\n\
         CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n\
         CREATE SEQUENCE public.s START WITH 1;\n\
         ALTER SEQUENCE public.s OWNED BY public.events.id;\n\
         ALTER TABLE public.events OWNER TO postgres;\n\
         ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader;\n\
         DO $$ BEGIN PERFORM 1; END $$;\n\
         CREATE CAST (text AS int) WITH INOUT AS IMPLICIT;\n\
         BEGIN;\n\
         COMMIT;",
    );
    assert_eq!(
        relation(&set, "events").kind,
        RelationKind::PartitionedTable
    );
    let partition = relation(&set, "events_2024");
    assert_eq!(partition.kind, RelationKind::Table);
    let columns: Vec<&str> = partition.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["id", "at"]);
    let skipped: Vec<String> = set
        .problems
        .iter()
        .map(|problem| match &problem.kind {
            SpecProblemKind::Skipped { statement } => {
                format!("{}:{statement}", problem.location.line)
            }
            other => panic!("unexpected problem {other:?}"),
        })
        .collect();
    assert_eq!(
        skipped,
        ["9:DO", "10:CREATE CAST"],
        "sequences are quietly outside the model"
    );
    assert_eq!(set.statements, 12);
}

#[test]
fn constraints_can_adopt_an_existing_index() {
    let set = load(
        "CREATE TABLE t (a int, b int);\n\
         CREATE UNIQUE INDEX t_a_idx ON t (a);\n\
         CREATE UNIQUE INDEX t_b_idx ON t (b);\n\
         ALTER TABLE t ADD CONSTRAINT t_a_pk PRIMARY KEY USING INDEX t_a_idx;\n\
         ALTER TABLE t ADD UNIQUE USING INDEX t_b_idx;",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    let t = relation(&set, "t");
    let indexes: Vec<&str> = t.indexes.keys().map(String::as_str).collect();
    assert_eq!(indexes, ["t_a_pk", "t_b_idx"]);
    assert_eq!(t.indexes["t_a_pk"].constraint.as_deref(), Some("t_a_pk"));
    assert!(matches!(
        &t.constraints["t_a_pk"].kind,
        ConstraintKind::PrimaryKey { columns } if columns == &["a"]
    ));
    assert!(t.column("a").is_some_and(|c| c.not_null));
    assert!(set
        .catalog
        .index(&QualifiedName::new("public", "t_a_pk"))
        .is_some());
}

#[test]
fn psql_variables_and_planner_options_are_recovered() {
    let set = load(
        "CREATE TABLE t (a int);\n\
         GRANT SELECT ON t TO :DATABASE_VISITOR;\n\
         CREATE FUNCTION f() RETURNS SETOF t LANGUAGE sql AS $$ SELECT * FROM t $$ ROWS 10;",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    assert_eq!(relation(&set, "t").grants[0].grantee, ":DATABASE_VISITOR");
    assert!(set
        .catalog
        .functions
        .contains_key(&QualifiedName::new("public", "f")));
}

#[test]
fn enums_evolve_with_alter_type() {
    let set = load(
        "CREATE TYPE state AS ENUM ('idle', 'failed');\n\
         ALTER TYPE state ADD VALUE 'running' BEFORE 'failed';\n\
         ALTER TYPE state ADD VALUE 'completed';\n\
         ALTER TYPE state ADD VALUE IF NOT EXISTS 'idle';\n\
         ALTER TYPE state RENAME VALUE 'failed' TO 'errored';\n\
         ALTER TYPE ghost ADD VALUE 'x';",
    );
    let state = &set.catalog.enums[&QualifiedName::new("public", "state")];
    assert_eq!(state.values, ["idle", "running", "errored", "completed"]);
    assert_eq!(
        problems(&set),
        ["spec.sql:6:1 UnknownReference { object: \"public.ghost\", missing: \"type public.ghost\" }"]
    );
}

#[test]
fn a_column_defined_twice_is_a_duplicate() {
    let set = load("CREATE TABLE t (a int,\n a text);");
    assert_eq!(relation(&set, "t").columns.len(), 1);
    assert_eq!(
        problems(&set),
        ["spec.sql:2:2 Duplicate { object: \"public.t.a\", object_kind: \"column\", first: Some(Location { path: \"spec.sql\", line: 1, column: 17 }) }"]
    );
}

#[test]
fn each_statement_keeps_its_source_text_for_applying_it_elsewhere() {
    let set = load_spec_text(
        "spec.sql",
        "\\connect app\nCREATE TABLE a (x int);\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- trailing comment\n",
        "public",
    );
    let texts: Vec<&str> = set
        .sources
        .iter()
        .map(|source| source.text.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "CREATE TABLE a (x int);",
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n-- trailing comment"
        ]
    );
    assert_eq!(set.sources[1].location, Location::new("spec.sql", 3, 1));
}

#[test]
fn pg_dump_identity_with_a_sequence_name_is_an_identity_column() {
    let set = load(
        "CREATE TABLE t (id bigint NOT NULL, n text);\n\
         ALTER TABLE t ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (\n\
         \x20   SEQUENCE NAME public.t_id_seq\n\
         \x20   START WITH 1\n\
         \x20   NO MINVALUE\n\
         \x20   CACHE 1\n\
         );\n\
         CREATE TABLE u (id integer GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME u_seq), sequence name);\n",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    let id = relation(&set, "t").column("id").expect("t.id");
    assert_eq!(id.identity, Some(Identity::Always));
    let u = relation(&set, "u");
    assert_eq!(
        u.column("id").and_then(|c| c.identity),
        Some(Identity::ByDefault)
    );
    assert!(
        u.column("sequence").is_some(),
        "a column named sequence survives the fix"
    );
}

#[test]
fn alter_index_rename_renames_the_index_and_the_constraint_it_backs() {
    let set = load(
        "CREATE TABLE t (id int, a int, CONSTRAINT t_pkey PRIMARY KEY (id));\n\
         CREATE INDEX old_a ON t (a);\n\
         ALTER INDEX old_a RENAME TO t_a_idx;\n\
         ALTER INDEX public.t_pkey RENAME TO t_id_pk;\n\
         ALTER INDEX nowhere RENAME TO elsewhere;\n",
    );
    let t = relation(&set, "t");
    assert_eq!(
        t.indexes.keys().collect::<Vec<_>>(),
        ["t_a_idx", "t_id_pk"],
        "{:?}",
        problems(&set)
    );
    assert_eq!(t.indexes["t_a_idx"].name, "t_a_idx");
    assert_eq!(t.indexes["t_id_pk"].constraint.as_deref(), Some("t_id_pk"));
    assert!(t.constraints.contains_key("t_id_pk"));
    assert!(!t.constraints.contains_key("t_pkey"));
    assert_eq!(
        problems(&set),
        [
            r#"spec.sql:5:1 UnknownReference { object: "public.nowhere", missing: "index public.nowhere" }"#
        ]
    );
}

#[test]
fn create_table_as_takes_the_query_columns_typed_by_lineage() {
    let set = load(
        "CREATE TABLE src (n integer NOT NULL, label text);\n\
         CREATE TABLE copy AS SELECT n, label, n::bigint AS wide, 1 AS one FROM src;",
    );
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
    let copy = relation(&set, "copy");
    let columns: Vec<(String, Option<String>, bool)> = copy
        .columns
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                c.data_type.as_ref().map(ToString::to_string),
                c.not_null,
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("n".to_string(), Some("integer".to_string()), false),
            ("label".to_string(), Some("text".to_string()), false),
            ("wide".to_string(), Some("bigint".to_string()), false),
            ("one".to_string(), Some("integer".to_string()), false),
        ]
    );
}

#[test]
fn a_column_added_to_a_partitioned_table_reaches_its_partitions() {
    let set = load(
        "CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);\n\
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (at);\n\
         CREATE TABLE events_2024_h1 PARTITION OF events_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');\n\
         CREATE TABLE loop PARTITION OF loop FOR VALUES FROM (1) TO (2);\n\
         ALTER TABLE events ADD COLUMN source text NOT NULL;\n\
         ALTER TABLE loop ADD COLUMN x int;",
    );
    for name in ["events", "events_2024", "events_2024_h1"] {
        let source = relation(&set, name)
            .column("source")
            .map(|c| (c.not_null, c.data_type.clone()));
        assert_eq!(source, Some((true, Some(SqlType::parse("text")))), "{name}");
    }
    assert_eq!(
        relation(&set, "events_2024").partition_of,
        Some(QualifiedName::new("public", "events"))
    );
}

/// A fresh folder under the target's temporary folder.
fn scratch(name: &str) -> PathBuf {
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("spec-loader-{name}"));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).expect("scratch folder");
    folder
}

fn load_folder(folder: &std::path::Path) -> Result<SpecSet, SpecLoadError> {
    load_specs(&[folder.to_path_buf()], "public", InputLimits::default())
}

#[test]
fn links_in_a_spec_folder_are_followed_and_a_file_reached_twice_is_read_once() {
    use std::os::unix::fs::symlink;
    let root = scratch("links");
    let specs = root.join("specs");
    std::fs::create_dir_all(specs.join("sub")).unwrap();
    std::fs::create_dir_all(root.join("shared/views")).unwrap();
    std::fs::write(specs.join("01_a.sql"), "CREATE TABLE a (x int);").unwrap();
    std::fs::write(root.join("b.sql"), "CREATE TABLE b (x int);").unwrap();
    std::fs::write(root.join("shared/c.sql"), "CREATE TABLE c (x int);").unwrap();
    std::fs::write(
        root.join("shared/views/d.sql"),
        "CREATE VIEW d AS SELECT x FROM c;",
    )
    .unwrap();
    symlink(root.join("b.sql"), specs.join("02_b.sql")).unwrap();
    symlink(root.join("shared"), specs.join("03_shared")).unwrap();
    symlink("../01_a.sql", specs.join("sub/again.sql")).unwrap();
    symlink("../03_shared/c.sql", specs.join("sub/c_again.sql")).unwrap();
    symlink("nowhere", specs.join("not_a_spec")).unwrap();
    symlink("user@host.4242:1700000000", specs.join(".#01_a.sql")).unwrap();
    let set = load_folder(&specs).expect("the linked specs load");
    let files: Vec<&str> = set
        .files
        .iter()
        .map(|file| {
            file.rsplit_once("/specs/")
                .map_or(file.as_str(), |(_, f)| f)
        })
        .collect();
    assert_eq!(
        files,
        [
            "01_a.sql",
            "02_b.sql",
            "03_shared/c.sql",
            "03_shared/views/d.sql"
        ]
    );
    for name in ["a", "b", "c", "d"] {
        relation(&set, name);
    }
    assert!(set.problems.is_empty(), "{:?}", problems(&set));
}

#[test]
fn a_link_loop_is_an_error_naming_the_link_and_where_it_leads() {
    let specs = scratch("loop");
    std::fs::create_dir_all(specs.join("a/b")).unwrap();
    std::fs::write(specs.join("a/t.sql"), "CREATE TABLE t (x int);").unwrap();
    std::os::unix::fs::symlink("../..", specs.join("a/b/up")).unwrap();
    match load_folder(&specs) {
        Err(error @ SpecLoadError::LinkLoop { .. }) => {
            let message = error.to_string();
            assert!(message.contains("a/b/up leads back to"), "{message}");
            assert!(message.contains("remove the link"), "{message}");
        }
        other => panic!("expected a link loop, got {other:?}"),
    }
}

#[test]
fn a_dangling_sql_link_is_an_error_naming_the_link_and_its_target() {
    let specs = scratch("dangling");
    std::os::unix::fs::symlink("gone/tables.sql", specs.join("tables.sql")).unwrap();
    match load_folder(&specs) {
        Err(error @ SpecLoadError::DanglingLink { .. }) => {
            let message = error.to_string();
            assert!(
                message.contains("tables.sql is a link to gone/tables.sql, which does not exist"),
                "{message}"
            );
        }
        other => panic!("expected a dangling link, got {other:?}"),
    }
}

#[test]
fn special_files_and_files_over_the_limit_are_refused_by_name() {
    let specs = scratch("special");
    std::fs::write(specs.join("01_a.sql"), "CREATE TABLE a (x int);").unwrap();
    let fifo = specs.join("02_pipe.sql");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    match load_folder(&specs) {
        Err(SpecLoadError::Input(error @ InputError::NotRegular { .. })) => {
            assert!(
                error.to_string().contains("02_pipe.sql is a FIFO"),
                "{error}"
            )
        }
        other => panic!("expected a FIFO to be refused, got {other:?}"),
    }
    std::fs::remove_file(&fifo).unwrap();
    let limits = InputLimits { max_bytes: 10 };
    match load_specs(&[specs.join("01_a.sql")], "public", limits) {
        Err(SpecLoadError::Input(error @ InputError::TooLarge { .. })) => {
            let message = error.to_string();
            assert!(
                message.contains("01_a.sql has 23 bytes, more than the limit of 10 bytes"),
                "{message}"
            );
        }
        other => panic!("expected the size limit, got {other:?}"),
    }
}

#[test]
fn unterminated_quotes_and_comments_are_located_where_they_open() {
    let cases = [
        (
            "CREATE TABLE b (x text DEFAULT $$oops);\nCREATE TABLE c (y int);",
            2,
            32,
            "$$",
        ),
        (
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql\n  AS $body$ SELECT 1; $$;",
            3,
            6,
            "$body$",
        ),
        (
            "/* header\n  /* nested */\nCREATE TABLE c (y int);",
            2,
            1,
            "/*",
        ),
        (
            "COMMENT ON TABLE a IS 'it''s;\nCREATE TABLE c (y int);",
            2,
            23,
            "'",
        ),
        ("CREATE TABLE \"c (y int);", 2, 14, "\""),
    ];
    for (tail, line, column, delimiter) in cases {
        let set = load(&format!("CREATE TABLE a (x int);\n{tail}"));
        relation(&set, "a");
        assert!(set.catalog.relations.len() == 1, "{tail}");
        let [problem] = set.problems.as_slice() else {
            panic!("one problem expected for {tail}: {:?}", problems(&set));
        };
        assert_eq!(
            problem.location,
            Location::new("spec.sql", line, column),
            "{tail}"
        );
        match &problem.kind {
            SpecProblemKind::ParseError { message, .. } => {
                assert!(
                    message.contains(&format!("opened here with {delimiter} is never closed")),
                    "{message}"
                );
                assert!(message.contains("close it with"), "{message}");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }
}

#[test]
fn statements_read_one_at_a_time_keep_their_file_positions_and_sources() {
    let set = load(
        "CREATE TABLE a (x int); CREATE TABLE b (y int);   CREATE TABLE c (z int,, w int);\n\
         -- between\n\
         CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$; CREATE TABLE d (\n  v int,\n  u nosuch type);",
    );
    assert_eq!(
        relation(&set, "b").columns[0].location,
        Some(Location::new("spec.sql", 1, 41))
    );
    assert_eq!(
        problems(&set),
        [
            "spec.sql:1:73 ParseError { message: \"Expected: column name or constraint definition, found: ,\", defines: Some(QualifiedName { schema: \"public\", name: \"c\" }) }",
            "spec.sql:5:12 ParseError { message: \"Expected: ',' or ')' after column definition, found: type\", defines: Some(QualifiedName { schema: \"public\", name: \"d\" }) }",
        ]
    );
    let sources: Vec<(String, &str)> = set
        .sources
        .iter()
        .map(|source| (source.location.to_string(), source.text.as_str()))
        .collect();
    assert_eq!(
        sources,
        [
            ("spec.sql:1:1".to_string(), "CREATE TABLE a (x int);"),
            ("spec.sql:1:25".to_string(), "CREATE TABLE b (y int);"),
            (
                "spec.sql:1:51".to_string(),
                "CREATE TABLE c (z int,, w int);\n-- between"
            ),
            (
                "spec.sql:3:1".to_string(),
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;"
            ),
            (
                "spec.sql:3:66".to_string(),
                "CREATE TABLE d (\n  v int,\n  u nosuch type);"
            ),
        ]
    );
}

#[test]
fn copy_rows_in_a_dump_are_data_and_the_statements_after_them_load() {
    let set = load(
        "CREATE TABLE public.notes (id integer, body text);\n\
         COPY public.notes (id, body) FROM stdin;\n\
         1\tit's; not SQL /* at all\n\
         2\t$$ neither\n\
         \\.\n\
         CREATE TABLE public.after (id integer);\n",
    );
    assert_eq!(
        problems(&set),
        ["spec.sql:2:1 Skipped { statement: \"COPY\" }"],
        "the rows are neither statements nor parse errors"
    );
    assert_eq!(relation(&set, "public.after").columns.len(), 1);
    assert_eq!(
        relation(&set, "public.after")
            .location
            .as_ref()
            .map(|at| at.line),
        Some(6)
    );
}
