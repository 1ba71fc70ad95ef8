//! The library's top-level modules form no import cycle (rules and findings are leaves,
//! checks never reach back into the configuration or the run, renderers never into the
//! checks). Doc links and unit tests do not count: they are not dependencies of the code.

use std::collections::{BTreeMap, BTreeSet};
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

/// `crate::x` paths used by the code of `file` (comments and unit tests left out).
fn modules_used(file: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).expect("readable source file");
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut used = BTreeSet::new();
    for line in code
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
    {
        let mut rest = line;
        while let Some(start) = rest.find("crate::") {
            rest = &rest[start + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() {
                used.insert(name);
            }
        }
    }
    used
}

#[test]
fn top_level_modules_form_no_cycle() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&source, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let relative = file.strip_prefix(&source).expect("inside src");
        let name = relative
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        if name == "tests.rs" || name == "testing.rs" || name == "main.rs" || name == "cli.rs" {
            continue;
        }
        let first = relative.components().next().expect("a component");
        let top = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let used = modules_used(&file);
        let entry = graph.entry(top.clone()).or_default();
        entry.extend(used.into_iter().filter(|module| *module != top));
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.to_string()];
        while let Some(module) = stack.pop() {
            for next in graph.get(&module).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        false
    };
    let cycles: Vec<String> = graph
        .iter()
        .flat_map(|(module, used)| used.iter().map(move |other| (module, other)))
        .filter(|(module, other)| reaches(other, module))
        .map(|(module, other)| format!("{module} <-> {other}"))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:?}");
    let used: Vec<&String> = graph["rules"]
        .iter()
        .filter(|m| *m != "register_rule")
        .collect();
    assert!(used.is_empty(), "rules must be a leaf, uses {used:?}");
}
