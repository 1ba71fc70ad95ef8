//! A rule id is written once: in its rule's file (`id: "…"`). Everything else — other
//! rules, renderers, configuration, the CLI — reaches a rule through its static or the
//! registry, so renaming or adding a rule touches one file. Tests may name ids.

use std::path::{Path, PathBuf};

fn rust_files(folder: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("readable source folder") {
        let path = entry.expect("readable entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The file's code outside its unit tests.
fn code_outside_tests(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable source file");
    match text.find("#[cfg(test)]") {
        Some(start) => text[..start].to_string(),
        None => text,
    }
}

#[test]
fn no_rule_id_is_written_outside_its_rule_file() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let sources: Vec<(PathBuf, String)> = files
        .into_iter()
        .filter(|path| path.file_name().is_some_and(|name| name != "tests.rs"))
        .map(|path| {
            let code = code_outside_tests(&path);
            (path, code)
        })
        .collect();
    let mut misplaced = Vec::new();
    for rule in pgparity::rules::all() {
        let definition = format!("id: \"{}\"", rule.id);
        let owners: Vec<&PathBuf> = sources
            .iter()
            .filter(|(_, code)| code.contains(&definition))
            .map(|(path, _)| path)
            .collect();
        assert_eq!(owners.len(), 1, "rule {} is defined in {owners:?}", rule.id);
        let quoted = format!("\"{}\"", rule.id);
        for (path, code) in &sources {
            if path != owners[0] && code.contains(&quoted) {
                misplaced.push(format!("{} in {}", rule.id, path.display()));
            }
        }
    }
    assert!(
        misplaced.is_empty(),
        "rule ids outside their rule files: {misplaced:?}"
    );
}
