//! Declares every rule file: each `src/checks/<family>/*.rs` other than `mod.rs` and
//! `tests.rs` becomes a module of its family (the family's `mod.rs` includes the list).
//! Adding a rule is adding its file; nothing lists rules by hand.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let checks = Path::new(&manifest).join("src").join("checks");
    println!("cargo:rerun-if-changed={}", checks.display());
    let mut families: Vec<_> = std::fs::read_dir(&checks)
        .expect("src/checks is readable")
        .map(|entry| entry.expect("src/checks lists").path())
        .filter(|path| path.is_dir())
        .collect();
    families.sort();
    for family in families {
        println!("cargo:rerun-if-changed={}", family.display());
        let mut files: Vec<_> = std::fs::read_dir(&family)
            .expect("a family folder is readable")
            .map(|entry| entry.expect("a family folder lists").path())
            .filter(|path| path.extension().is_some_and(|extension| extension == "rs"))
            .filter(|path| {
                let stem = path
                    .file_stem()
                    .and_then(|stem| stem.to_str())
                    .unwrap_or("");
                stem != "mod" && stem != "tests"
            })
            .collect();
        files.sort();
        let mut declarations = String::new();
        for file in files {
            let stem = file
                .file_stem()
                .and_then(|stem| stem.to_str())
                .expect("rule file names are UTF-8");
            writeln!(
                declarations,
                "#[path = {:?}]\npub(crate) mod {stem};",
                file.display().to_string()
            )
            .expect("writing to a String");
        }
        let name = family
            .file_name()
            .and_then(|name| name.to_str())
            .expect("family folder names are UTF-8");
        std::fs::write(
            Path::new(&out).join(format!("rules_{name}.rs")),
            declarations,
        )
        .expect("OUT_DIR is writable");
    }
}
