//! The hostile-input catalogue for contracts and every input that is not a spec: the
//! mapping, the Markdown index plan, `pgparity.toml`, snapshots, baselines, and where
//! reports are written (issue 7, items 4, 7, 8 and 9). Each case runs the real binary
//! under the bounded runner (no crash, inside the time and memory bounds) and asserts
//! the exit code and what the message says: the file, what is wrong, what to do, and
//! never anything read from outside the project.

mod support;

use std::ffi::CString;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;
use support::bounded::{run_bounded, run_program_bounded, BoundedRun, TIME_BOUND};
use support::ScratchDir;

/// What a file outside the project holds: none of it may reach any output.
const OUTSIDE_SECRET: &str = "OUTSIDE-SECRET-7d1c";

const SPEC: &str = "CREATE TABLE public.items (id uuid NOT NULL, name text NOT NULL);\n";

const MAPPING: &str = "version: 1\ncontracts: [contracts/api.yaml]\nread_models:\n  - dto: Item\n    relation: public.items\n";

const CONFIG: &str = "specs = [\"specs\"]\nmapping = \"mapping.yaml\"\n";

/// An API whose `Item` DTO matches `public.items`, plus `extra` schemas (YAML lines
/// indented under `components.schemas`) and an `extra` property on `Item` when
/// `extra_property` is given.
fn api(extra_property: Option<&str>, extra: &str) -> String {
    let property = extra_property
        .map(|schema| format!("        extra: {schema}\n"))
        .unwrap_or_default();
    format!(
        "openapi: 3.0.3\ninfo: {{title: items, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    Item:\n      type: object\n      required: [id, name]\n      properties:\n        id: {{type: string, format: uuid}}\n        name: {{type: string}}\n{property}{extra}"
    )
}

/// A project in a scratch folder: config, one spec, a mapping, `contracts/api.yaml`.
fn project(hint: &str, api_text: &str) -> ScratchDir {
    let folder = ScratchDir::new(hint);
    std::fs::create_dir_all(folder.path.join("specs")).unwrap();
    std::fs::create_dir_all(folder.path.join("contracts")).unwrap();
    folder.write("pgparity.toml", CONFIG);
    folder.write("specs/schema.sql", SPEC);
    folder.write("mapping.yaml", MAPPING);
    folder.write("contracts/api.yaml", api_text);
    folder
}

/// A folder outside `project`'s folder holding a contract full of [`OUTSIDE_SECRET`].
fn outside_document() -> ScratchDir {
    let outside = ScratchDir::new("outside");
    outside.write(
        "secret.yaml",
        &format!("openapi: 3.0.3\ninfo: {{title: {OUTSIDE_SECRET}, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    Secret:\n      type: object\n      properties:\n        {OUTSIDE_SECRET}_key: {{type: string, enum: [{OUTSIDE_SECRET}_value]}}\n"),
    );
    outside
}

fn mkfifo(path: &Path) {
    let name = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: mkfifo only reads the NUL-terminated path.
    let status = unsafe { libc::mkfifo(name.as_ptr(), 0o644) };
    assert_eq!(status, 0, "mkfifo {}", path.display());
}

fn check(folder: &ScratchDir, extra: &[&str]) -> BoundedRun {
    let mut args = vec!["check", "--format", "text", "--color", "never"];
    args.extend_from_slice(extra);
    run_bounded(&folder.path, &args, &[], TIME_BOUND)
}

fn check_json(folder: &ScratchDir, extra: &[&str]) -> BoundedRun {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    run_bounded(&folder.path, &args, &[], TIME_BOUND)
}

fn assert_mentions(case: &str, text: &str, expected: &[&str]) {
    for part in expected {
        assert!(
            text.contains(part),
            "{case}: {part:?} missing from:\n{text}"
        );
    }
}

fn assert_nothing_from_outside(case: &str, run: &BoundedRun) {
    for output in [&run.stdout, &run.stderr] {
        assert!(
            !output.contains(OUTSIDE_SECRET) && !output.contains("root:"),
            "{case}: something of an outside file reached the output:\n{output}"
        );
    }
}

/// The findings of a JSON report without their locations' columns, for comparing
/// two runs over the same content written differently.
fn findings(run: &BoundedRun) -> Vec<(String, String, u64)> {
    let report: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("JSON report: {error}\n{}{}", run.stdout, run.stderr));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_string(),
                finding["message"].as_str().unwrap_or_default().to_string(),
                finding["location"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------
// Item 4: unbounded work on small inputs.

/// Schemas `L0`…`Ln`, each referring `fan_out` times to the next, through
/// `properties` or through `allOf`.
fn reference_chain(levels: usize, fan_out: usize, through_all_of: bool) -> String {
    let mut text = String::new();
    for level in 0..levels {
        text.push_str(&format!("    L{level}:\n"));
        if through_all_of {
            text.push_str("      allOf:\n");
        } else {
            text.push_str("      type: object\n      properties:\n");
        }
        for branch in 0..fan_out {
            let reference = format!("{{$ref: '#/components/schemas/L{}'}}", level + 1);
            if through_all_of {
                text.push_str(&format!("        - {reference}\n"));
            } else {
                text.push_str(&format!("        p{branch}: {reference}\n"));
            }
        }
    }
    text.push_str(&format!(
        "    L{levels}:\n      type: object\n      properties:\n        leaf: {{type: string}}\n"
    ));
    text
}

fn assert_reference_bomb_resolves(case: &str, extra: &str, min_bytes: usize) {
    let text = api(Some("{$ref: '#/components/schemas/L0'}"), extra);
    assert!(text.len() >= min_bytes, "{case}: {} bytes", text.len());
    let folder = project(case, &text);
    let run = check(&folder, &[]);
    run.assert_contained(case, 1);
    // `Item.extra` is the whole graph, resolved once; nothing was cut.
    assert_mentions(case, &run.stdout, &["unmapped-dto-field", "Item.extra"]);
    assert!(!run.stdout.contains("budget"), "{case}:\n{}", run.stdout);
}

#[test]
fn reference_bomb_of_7_kb_each_schema_referring_twice_to_the_next() {
    assert_reference_bomb_resolves("ref-bomb-7kb", &reference_chain(75, 2, false), 7_000);
}

#[test]
fn reference_bomb_of_9_7_kb_through_all_of() {
    assert_reference_bomb_resolves("ref-bomb-9kb", &reference_chain(140, 2, true), 9_700);
}

#[test]
fn reference_bomb_with_a_wider_fan_out() {
    assert_reference_bomb_resolves("ref-bomb-wide", &reference_chain(60, 8, false), 20_000);
}

#[test]
fn merging_two_multiplying_chains_ends_at_the_work_budget_with_a_finding() {
    let mut extra = String::new();
    for chain in ["A", "B"] {
        for level in 0..80 {
            extra.push_str(&format!(
                "    {chain}{level}:\n      type: object\n      properties:\n        a: {{$ref: '#/components/schemas/{chain}{next}'}}\n        b: {{$ref: '#/components/schemas/{chain}{next}'}}\n",
                next = level + 1
            ));
        }
        extra.push_str(&format!(
            "    {chain}80:\n      type: object\n      properties:\n        leaf: {{type: string}}\n"
        ));
    }
    let folder = project(
        "merge-bomb",
        &api(
            Some("{allOf: [{$ref: '#/components/schemas/A0'}, {$ref: '#/components/schemas/B0'}]}"),
            &extra,
        ),
    );
    let run = check(&folder, &[]);
    run.assert_contained("merge bomb", 1);
    assert_mentions(
        "merge bomb",
        &run.stdout,
        &[
            "contracts/api.yaml:",
            "budget of 1000000 schema nodes",
            "split the documents",
        ],
    );
}

#[test]
fn a_reference_to_dev_zero_inside_the_roots_is_refused_unread() {
    let folder = project("ref-dev-zero", &api(Some("{$ref: '/dev/zero#/x'}"), ""));
    folder.write(
        "pgparity.toml",
        &format!("{CONFIG}contract_roots = [\".\", \"/dev\"]\n"),
    );
    let run = check(&folder, &[]);
    run.assert_contained("$ref to /dev/zero", 1);
    assert_mentions(
        "$ref to /dev/zero",
        &run.stdout,
        &[
            "contracts/api.yaml:",
            "/dev/zero is a character device, not a regular file",
        ],
    );
}

#[test]
fn a_reference_to_dev_zero_outside_the_roots_is_outside_the_project() {
    let folder = project("ref-dev-zero-out", &api(Some("{$ref: '/dev/zero'}"), ""));
    let run = check(&folder, &[]);
    run.assert_contained("$ref to /dev/zero (default roots)", 1);
    assert_mentions(
        "$ref to /dev/zero (default roots)",
        &run.stdout,
        &["/dev/zero is outside the project", "contract_roots"],
    );
}

#[test]
fn a_reference_to_a_fifo_is_refused_without_blocking() {
    let folder = project(
        "ref-fifo",
        &api(Some("{$ref: 'pipe.yaml#/components/schemas/X'}"), ""),
    );
    mkfifo(&folder.path.join("contracts/pipe.yaml"));
    let run = check(&folder, &[]);
    run.assert_contained("$ref to a FIFO", 1);
    assert_mentions(
        "$ref to a FIFO",
        &run.stdout,
        &[
            "contracts/api.yaml:",
            "contracts/pipe.yaml is a FIFO, not a regular file",
        ],
    );
}

#[test]
fn a_yaml_alias_bomb_contract_is_refused() {
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        bomb.push_str(&format!(
            "a{level}: &a{level} [{}]\n",
            [previous.as_str(); 10].join(", ")
        ));
    }
    let folder = project("alias-bomb", &bomb);
    let run = check(&folder, &[]);
    run.assert_contained("YAML alias bomb contract", 2);
    assert_mentions(
        "YAML alias bomb contract",
        &run.stderr,
        &["contracts/api.yaml"],
    );
    let folder = project("alias-bomb-mapping", &api(None, ""));
    folder.write("mapping.yaml", &bomb);
    let run = check(&folder, &[]);
    run.assert_contained("YAML alias bomb mapping", 2);
    assert_mentions("YAML alias bomb mapping", &run.stderr, &["mapping.yaml"]);
}

#[test]
fn contracts_nested_100k_deep_are_refused() {
    for (case, name, text) in [
        (
            "100k-deep JSON contract",
            "deep.json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        ),
        (
            "100k-deep YAML contract",
            "deep.yaml",
            format!("a: {}{}\n", "{b: ".repeat(100_000), "}".repeat(100_000)),
        ),
    ] {
        let folder = project(case, &api(None, ""));
        folder.write(&format!("contracts/{name}"), &text);
        let run = check(&folder, &["--contracts", &format!("contracts/{name}")]);
        run.assert_contained(case, 2);
        assert_mentions(case, &run.stderr, &[&format!("contracts/{name}")]);
    }
}

// ---------------------------------------------------------------------------------
// Item 7: `$ref`s and contract paths stay inside the project.

fn assert_outside_reference(case: &str, folder: &ScratchDir) {
    let run = check(folder, &[]);
    run.assert_contained(case, 1);
    assert_mentions(
        case,
        &run.stdout,
        &[
            "contracts/api.yaml:",
            "is outside the project",
            "contract_roots",
        ],
    );
    assert_nothing_from_outside(case, &run);
}

#[test]
fn a_reference_to_etc_shadow_by_dot_dot_is_not_read() {
    let folder = project(
        "ref-shadow",
        &api(
            Some("{$ref: '../../../../../../../../../../etc/shadow#/root'}"),
            "",
        ),
    );
    assert_outside_reference("$ref to /etc/shadow by ../..", &folder);
}

#[test]
fn a_reference_to_an_outside_file_by_dot_dot_is_not_read() {
    let outside = outside_document();
    let name = outside.path.file_name().unwrap().to_string_lossy();
    let folder = project(
        "ref-dotdot",
        &api(
            Some(&format!(
                "{{$ref: '../../{name}/secret.yaml#/components/schemas/Secret'}}"
            )),
            "",
        ),
    );
    assert_outside_reference("$ref to an outside file by ../..", &folder);
}

#[test]
fn a_reference_by_absolute_path_outside_is_not_read() {
    let outside = outside_document();
    let folder = project(
        "ref-absolute",
        &api(
            Some(&format!(
                "{{$ref: '{}#/components/schemas/Secret'}}",
                outside.file("secret.yaml")
            )),
            "",
        ),
    );
    assert_outside_reference("$ref by absolute path", &folder);
}

#[test]
fn a_reference_through_a_symlink_pointing_out_is_not_read() {
    let outside = outside_document();
    let folder = project(
        "ref-symlink",
        &api(Some("{$ref: 'link.yaml#/components/schemas/Secret'}"), ""),
    );
    std::os::unix::fs::symlink(
        outside.path.join("secret.yaml"),
        folder.path.join("contracts/link.yaml"),
    )
    .unwrap();
    assert_outside_reference("$ref through a symlink", &folder);
}

#[test]
fn file_and_http_references_are_never_fetched() {
    for (case, reference) in [
        ("file:// $ref", "file:///etc/passwd#/x"),
        (
            "http:// $ref",
            "http://10.255.255.1/api.yaml#/components/schemas/X",
        ),
    ] {
        let folder = project(case, &api(Some(&format!("{{$ref: '{reference}'}}")), ""));
        let run = check(&folder, &[]);
        run.assert_contained(case, 1);
        assert_mentions(
            case,
            &run.stdout,
            &["contracts/api.yaml:", "remote references are not read"],
        );
        assert_nothing_from_outside(case, &run);
    }
}

#[test]
fn a_contract_path_outside_the_project_is_exit_2_naming_the_roots() {
    let outside = outside_document();
    let folder = project("contract-outside", &api(None, ""));
    let secret = outside.file("secret.yaml");
    let run = check(&folder, &["--contracts", &secret]);
    run.assert_contained("--contracts outside", 2);
    assert_mentions(
        "--contracts outside",
        &run.stderr,
        &[&secret, "outside the project", "contract_roots"],
    );
    assert_nothing_from_outside("--contracts outside", &run);

    folder.write(
        "pgparity.toml",
        &format!("{CONFIG}contracts = [\"{}\"]\n", outside.path.display()),
    );
    let run = check(&folder, &[]);
    run.assert_contained("contracts = [outside folder]", 2);
    assert_mentions(
        "contracts = [outside folder]",
        &run.stderr,
        &["outside the project", "contract_roots"],
    );
    assert_nothing_from_outside("contracts = [outside folder]", &run);
}

#[test]
fn contract_roots_admit_a_shared_folder() {
    let outside = outside_document();
    let folder = project(
        "contract-roots",
        &api(
            Some(&format!(
                "{{$ref: '{}#/components/schemas/Secret'}}",
                outside.file("secret.yaml")
            )),
            "",
        ),
    );
    folder.write(
        "pgparity.toml",
        &format!(
            "{CONFIG}contract_roots = [\".\", \"{}\"]\n",
            outside.path.display()
        ),
    );
    let run = check(&folder, &[]);
    run.assert_contained("contract_roots with a shared folder", 1);
    assert!(
        !run.stdout.contains("outside the project"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------
// Items 4 and 9: special, oversized, non-UTF-8 and BOM + CRLF inputs.

#[test]
fn a_contract_path_that_is_a_fifo_dev_zero_or_a_folder_of_fifos_is_refused() {
    let folder = project("contract-fifo", &api(None, ""));
    mkfifo(&folder.path.join("contracts/pipe.yaml"));
    let run = check(&folder, &["--contracts", "contracts/pipe.yaml"]);
    run.assert_contained("contract FIFO", 2);
    assert_mentions(
        "contract FIFO",
        &run.stderr,
        &["contracts/pipe.yaml is a FIFO, not a regular file"],
    );

    let run = check(&folder, &["--contracts", "/dev/zero"]);
    run.assert_contained("contract /dev/zero", 2);
    assert_mentions(
        "contract /dev/zero",
        &run.stderr,
        &["/dev/zero", "outside the project"],
    );
    folder.write(
        "pgparity.toml",
        &format!("{CONFIG}contract_roots = [\".\", \"/dev\"]\n"),
    );
    let run = check(&folder, &["--contracts", "/dev/zero"]);
    run.assert_contained("contract /dev/zero inside the roots", 2);
    assert_mentions(
        "contract /dev/zero inside the roots",
        &run.stderr,
        &["/dev/zero is a character device, not a regular file"],
    );

    let fifos = project("contract-fifo-folder", &api(None, ""));
    std::fs::create_dir_all(fifos.path.join("pipes")).unwrap();
    for name in ["a.yaml", "b.json"] {
        mkfifo(&fifos.path.join("pipes").join(name));
    }
    let run = check(&fifos, &["--contracts", "pipes"]);
    run.assert_contained("folder of FIFOs", 2);
    assert_mentions(
        "folder of FIFOs",
        &run.stderr,
        &["pipes/a.yaml is a FIFO, not a regular file"],
    );
}

/// The non-spec inputs, each with how a project points at it.
#[derive(Clone, Copy)]
enum Input {
    Mapping,
    Plan,
    Config,
    Contract,
    Snapshot,
    Baseline,
}

impl Input {
    const ALL: [Input; 6] = [
        Input::Mapping,
        Input::Plan,
        Input::Config,
        Input::Contract,
        Input::Snapshot,
        Input::Baseline,
    ];

    fn name(self) -> &'static str {
        match self {
            Input::Mapping => "mapping",
            Input::Plan => "Markdown index plan",
            Input::Config => "configuration",
            Input::Contract => "contract",
            Input::Snapshot => "snapshot",
            Input::Baseline => "baseline",
        }
    }

    /// A project where this input is the file `hostile` (to be written by the case),
    /// and the extra arguments that make pgparity read it.
    fn project(self, hint: &str) -> (ScratchDir, &'static str, Vec<&'static str>) {
        let folder = project(hint, &api(None, ""));
        let (file, args): (&str, Vec<&str>) = match self {
            Input::Mapping => ("mapping.yaml", vec![]),
            Input::Plan => {
                folder.write(
                    "mapping.yaml",
                    &format!("{MAPPING}index_plan_markdown: plan.md\n"),
                );
                ("plan.md", vec![])
            }
            Input::Config => ("other.toml", vec!["--config", "other.toml"]),
            Input::Contract => ("contracts/api.yaml", vec![]),
            Input::Snapshot => ("snapshot.json", vec!["--snapshot", "snapshot.json"]),
            Input::Baseline => ("baseline.json", vec!["--baseline", "baseline.json"]),
        };
        (folder, file, args)
    }
}

#[test]
fn every_input_that_is_a_fifo_is_refused_without_blocking() {
    for input in Input::ALL {
        let case = format!("{} as a FIFO", input.name());
        let (folder, file, args) = input.project(&format!("fifo-{}", input.name().len()));
        let path = folder.path.join(file);
        let _ = std::fs::remove_file(&path);
        mkfifo(&path);
        let run = check(&folder, &args);
        run.assert_contained(&case, 2);
        assert_mentions(
            &case,
            &run.stderr,
            &[
                &format!("{} ", input.name()),
                file,
                "is a FIFO, not a regular file",
            ],
        );
    }
}

#[test]
fn a_markdown_plan_that_is_dev_zero_is_refused() {
    let folder = project("plan-dev-zero", &api(None, ""));
    folder.write(
        "mapping.yaml",
        &format!("{MAPPING}index_plan_markdown: /dev/zero\n"),
    );
    let run = check(&folder, &[]);
    run.assert_contained("plan /dev/zero", 2);
    assert_mentions(
        "plan /dev/zero",
        &run.stderr,
        &["Markdown index plan /dev/zero is a character device"],
    );
}

#[test]
fn every_input_over_the_size_limit_is_refused_naming_the_setting() {
    for input in Input::ALL {
        let case = format!("{} over max_input_mib", input.name());
        let (folder, file, args) = input.project(&format!("large-{}", input.name().len()));
        let config = format!("{CONFIG}max_input_mib = 1\n");
        folder.write("pgparity.toml", &config);
        let padding = "#".repeat(1 << 20);
        let text = match input {
            // The configuration is read before its limit is known: it gets the default.
            Input::Config => format!("{config}# {}\n", "#".repeat(65 << 20)),
            // A snapshot, pgparity's own output, may be 16 times the limit.
            Input::Snapshot => format!("{}\n", padding.repeat(16)),
            _ => format!("{padding}\n"),
        };
        folder.write(file, &text);
        let run = check(&folder, &args);
        run.assert_contained(&case, 2);
        assert_mentions(
            &case,
            &run.stderr,
            &[
                &format!("{} ", input.name()),
                file,
                "more than the limit",
                "max_input_mib",
            ],
        );
    }
}

#[test]
fn invalid_utf8_in_every_input_is_located_once() {
    for input in Input::ALL {
        let case = format!("{} with invalid UTF-8", input.name());
        let (folder, file, args) = input.project(&format!("utf8-{}", input.name().len()));
        let mut bytes = b"# first line\n# second \xff line\n".to_vec();
        if let Input::Config = input {
            bytes.extend_from_slice(CONFIG.as_bytes());
        }
        std::fs::write(folder.path.join(file), bytes).unwrap();
        let run = check(&folder, &args);
        run.assert_contained(&case, 2);
        assert_mentions(
            &case,
            &run.stderr,
            &[
                file,
                "is not UTF-8 text: invalid byte 0xff at line 2, column 10",
                "save the file as UTF-8",
            ],
        );
        assert_eq!(
            run.stderr.matches("not UTF-8").count(),
            1,
            "{case}: said more than once:\n{}",
            run.stderr
        );
    }
}

fn with_bom_and_crlf(text: &str) -> Vec<u8> {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
    bytes
}

#[test]
fn yaml_and_json_with_a_bom_and_crlf_give_the_same_findings() {
    // `Item.extra` has no column: a finding with a line, so that the comparison covers
    // locations too.
    let contract = api(Some("{type: integer, nullable: true}"), "");
    let json_contract = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "items", "version": "1"}, "paths": {},
        "components": {"schemas": {"Item": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}, "name": {"type": "integer"}}}}}
    });
    let json_contract = serde_json::to_string_pretty(&json_contract).unwrap();
    for (case, name, text) in [
        ("YAML", "api.yaml", contract.as_str()),
        ("JSON", "api.json", json_contract.as_str()),
    ] {
        let plain = project(&format!("bom-plain-{case}"), &contract);
        plain.write(&format!("contracts/{name}"), text);
        let marked = project(&format!("bom-crlf-{case}"), &contract);
        let mapping = MAPPING.replace("api.yaml", name);
        plain.write("mapping.yaml", &mapping);
        std::fs::write(
            marked.path.join("mapping.yaml"),
            with_bom_and_crlf(&mapping),
        )
        .unwrap();
        std::fs::write(
            marked.path.join(format!("contracts/{name}")),
            with_bom_and_crlf(text),
        )
        .unwrap();
        std::fs::write(marked.path.join("pgparity.toml"), with_bom_and_crlf(CONFIG)).unwrap();
        let expected = check_json(&plain, &[]);
        expected.assert_contained(&format!("{case} without BOM"), 1);
        let actual = check_json(&marked, &[]);
        actual.assert_contained(&format!("{case} with BOM and CRLF"), 1);
        assert!(!findings(&expected).is_empty());
        assert_eq!(findings(&actual), findings(&expected), "{case}");
    }
}

#[test]
fn a_baseline_and_a_snapshot_with_a_bom_and_crlf_are_read() {
    let folder = project("bom-baseline", &api(Some("{type: integer}"), ""));
    let written = check(&folder, &["--write-baseline", "baseline.json"]);
    written.assert_contained("writing a baseline", 0);
    let text = std::fs::read_to_string(folder.path.join("baseline.json")).unwrap();
    std::fs::write(folder.path.join("baseline.json"), with_bom_and_crlf(&text)).unwrap();
    let run = check(&folder, &["--baseline", "baseline.json"]);
    run.assert_contained("baseline with BOM and CRLF", 0);
    assert_mentions("baseline with BOM and CRLF", &run.stdout, &["1 matched"]);

    std::fs::write(
        folder.path.join("snapshot.json"),
        with_bom_and_crlf(&empty_snapshot()),
    )
    .unwrap();
    let run = check(&folder, &["--snapshot", "snapshot.json"]);
    run.assert_contained("snapshot with BOM and CRLF", 1);
    assert_mentions("snapshot with BOM and CRLF", &run.stdout, &["public.items"]);
}

/// A snapshot of an empty catalog, as `pgparity snapshot` writes one.
fn empty_snapshot() -> String {
    let catalog = serde_json::to_value(pgparity::model::Catalog::new()).unwrap();
    serde_json::to_string_pretty(&serde_json::json!({
        "tool": "pgparity", "tool_version": "0", "target": "postgres://x@h/db",
        "schemas": ["public"], "taken_at": "2026-01-01T00:00:00Z", "catalog": catalog
    }))
    .unwrap()
}

#[test]
fn a_baseline_and_a_snapshot_nested_100k_deep_say_so() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for input in [Input::Baseline, Input::Snapshot] {
        let case = format!("100k-deep {}", input.name());
        let (folder, file, args) = input.project(&format!("deep-{}", input.name()));
        folder.write(file, &deep);
        let run = check(&folder, &args);
        run.assert_contained(&case, 2);
        assert_mentions(&case, &run.stderr, &[file, "nested too deeply"]);
        assert!(!run.stderr.contains("recursion limit"), "{}", run.stderr);
    }
}

// ---------------------------------------------------------------------------------
// Item 8 and 9: where reports, snapshots and baselines are written.

fn assert_dev_null_is_a_device(case: &str) {
    let metadata = std::fs::metadata("/dev/null").unwrap();
    assert!(
        metadata.file_type().is_char_device(),
        "{case}: /dev/null is no longer a character device"
    );
}

#[test]
fn output_and_baseline_to_dev_null_leave_it_a_device() {
    let folder = project("dev-null", &api(None, ""));
    let run = check(&folder, &["--output", "/dev/null"]);
    run.assert_contained("--output /dev/null", 0);
    assert_dev_null_is_a_device("--output /dev/null");
    let run = check(&folder, &["--write-baseline", "/dev/null"]);
    run.assert_contained("--write-baseline /dev/null", 0);
    assert_dev_null_is_a_device("--write-baseline /dev/null");
}

#[test]
fn a_user_who_is_not_root_can_write_to_dev_null() {
    let folder = project("dev-null-nobody", &api(None, ""));
    // Readable by everyone, as a checkout is.
    for path in [
        &folder.path,
        &folder.path.join("specs"),
        &folder.path.join("contracts"),
    ] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let binary = env!("CARGO_BIN_EXE_pgparity");
    // SAFETY: geteuid has no preconditions.
    let run = if unsafe { libc::geteuid() } == 0 {
        run_program_bounded(
            Path::new("/usr/bin/setpriv"),
            &folder.path,
            &[
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                binary,
                "check",
                "--output",
                "/dev/null",
            ],
            &[],
            TIME_BOUND,
        )
    } else {
        run_bounded(
            &folder.path,
            &["check", "--output", "/dev/null"],
            &[],
            TIME_BOUND,
        )
    };
    run.assert_contained("--output /dev/null as nobody", 0);
    assert_eq!(run.stderr, "", "as nobody");
    assert_dev_null_is_a_device("--output /dev/null as nobody");
}

#[test]
fn snapshot_output_to_dev_null_leaves_it_a_device() {
    let database = support::pg::TestDatabase::new("hostile_snapshot");
    let folder = ScratchDir::new("snapshot-dev-null");
    let run = run_bounded(
        &folder.path,
        &["snapshot", "--db", &database.url(), "--output", "/dev/null"],
        &[],
        TIME_BOUND,
    );
    run.assert_contained("snapshot --output /dev/null", 0);
    assert_dev_null_is_a_device("snapshot --output /dev/null");
}

fn sh_in(folder: &ScratchDir, script: &str) -> BoundedRun {
    run_program_bounded(
        Path::new("/bin/sh"),
        &folder.path,
        &["-c", script],
        &[("PGPARITY", env!("CARGO_BIN_EXE_pgparity"))],
        TIME_BOUND,
    )
}

#[test]
fn a_full_standard_output_is_exit_2_saying_so() {
    let folder = project("dev-full", &api(None, ""));
    let run = sh_in(&folder, "exec \"$PGPARITY\" check > /dev/full");
    run.assert_contained("stdout to /dev/full", 2);
    assert_mentions(
        "stdout to /dev/full",
        &run.stderr,
        &["cannot write the report to standard output: No space left on device"],
    );
    // A reader that stops early is not an error.
    let run = sh_in(
        &folder,
        "(\"$PGPARITY\" check --format json; echo \"exit $?\" >&2) | true",
    );
    run.assert_contained("closed pipe", 0);
    assert_eq!(run.stderr.trim(), "exit 0", "a closed pipe stays quiet");
}

#[test]
fn a_baseline_into_a_missing_folder_says_baseline() {
    let folder = project("baseline-missing-folder", &api(None, ""));
    let run = check(&folder, &["--write-baseline", "missing/baseline.json"]);
    run.assert_contained("--write-baseline into a missing folder", 2);
    assert_mentions(
        "--write-baseline into a missing folder",
        &run.stderr,
        &[
            "cannot write the baseline to missing/baseline.json",
            "the folder missing does not exist; create it first",
        ],
    );
    assert!(!run.stderr.contains("report"), "{}", run.stderr);
}

#[test]
fn no_baseline_is_written_when_the_run_ends_in_exit_2() {
    let folder = project("baseline-exit-2", &api(None, ""));
    folder.write("mapping.yaml", "version: [\n");
    let run = check(&folder, &["--write-baseline", "baseline.json"]);
    run.assert_contained("--write-baseline on a failed run", 2);
    assert_mentions(
        "--write-baseline on a failed run",
        &run.stderr,
        &["mapping.yaml"],
    );
    assert!(!folder.path.join("baseline.json").exists());

    let folder = project("baseline-output-fails", &api(None, ""));
    let run = check(
        &folder,
        &[
            "--output",
            "missing/report.txt",
            "--write-baseline",
            "baseline.json",
        ],
    );
    run.assert_contained("--write-baseline when the report cannot be written", 2);
    assert_mentions(
        "--write-baseline when the report cannot be written",
        &run.stderr,
        &["cannot write the report to missing/report.txt"],
    );
    assert!(!folder.path.join("baseline.json").exists());
}

/// About `bytes` of `components.schemas` entries, each referring to the one before.
fn schemas_of_about(bytes: usize) -> String {
    let mut extra = String::with_capacity(bytes + 512);
    let mut number = 0;
    while extra.len() < bytes {
        let previous = if number == 0 {
            "Item".to_string()
        } else {
            format!("Schema{}", number - 1)
        };
        extra.push_str(&format!(
            "    Schema{number}:\n      type: object\n      required: [id, name]\n      properties:\n        id: {{type: string, format: uuid}}\n        name: {{type: string, maxLength: 80, description: \"field number {number}, described at some length to take up space\"}}\n        amount: {{type: number}}\n        tags: {{type: array, items: {{type: string}}}}\n        nested: {{$ref: '#/components/schemas/{previous}'}}\n"
        ));
        number += 1;
    }
    extra
}

#[test]
fn an_openapi_document_of_10_mb_is_read_within_the_bounds() {
    let text = api(None, &schemas_of_about(10_000_000));
    assert!(text.len() >= 10_000_000);
    let folder = project("ten-mb-contract", &text);
    let run = check_json(&folder, &[]);
    run.assert_contained("10 MB OpenAPI YAML", 0);
    assert!(
        findings(&run).is_empty(),
        "{}",
        &run.stdout[..run.stdout.len().min(3000)]
    );
}

#[test]
fn an_openapi_document_of_10_mb_in_json_is_read_within_the_bounds() {
    let yaml = api(None, &schemas_of_about(7_000_000));
    let (document, _) = pgparity::yaml::read_yaml_value("api.yaml", &yaml).expect("the YAML above");
    let json = serde_json::to_string_pretty(&document).unwrap();
    assert!(json.len() >= 10_000_000, "{}", json.len());
    let folder = project("ten-mb-json-contract", "");
    std::fs::remove_file(folder.path.join("contracts/api.yaml")).unwrap();
    folder.write("contracts/api.json", &json);
    folder.write(
        "mapping.yaml",
        &MAPPING.replace("contracts/api.yaml", "contracts/api.json"),
    );
    let run = check_json(&folder, &[]);
    run.assert_contained("10 MB OpenAPI JSON", 0);
    assert!(findings(&run).is_empty(), "{}", run.stdout);
}
