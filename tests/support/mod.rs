//! Helpers shared by the end-to-end tests: run the real binary from the crate root.

#![allow(dead_code)]

pub mod bounded;
pub mod fix_sql;
pub mod large_schema;
pub mod pg;

use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The crate root, where the bundled example lives.
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// What one run of the binary printed.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `pgparity ARGS` in the crate root.
pub fn pgparity(args: &[&str]) -> Run {
    pgparity_in(Path::new(ROOT), args, &[])
}

/// Runs `pgparity ARGS` in `folder` with extra environment variables (the colour
/// variables are removed first, so colour tests start from a known state).
pub fn pgparity_in(folder: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_pgparity"))
        .args(args)
        .current_dir(folder)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .envs(env.iter().copied())
        .output()
        .expect("the pgparity binary runs");
    Run {
        code: output.status.code().expect("pgparity exits normally"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `pgparity check --format json ARGS` and parses the report.
pub fn check_json(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = pgparity(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "pgparity failed ({}): {}",
        run.code,
        run.stderr
    );
    let report = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|error| panic!("JSON report: {error}\n{}", run.stdout));
    (run.code, report)
}

/// A finding reduced to what the fixture tests assert: severity, rule, object,
/// location path and line.
pub type Brief = (String, String, String, String, u64);

/// The findings of a JSON report, briefly.
pub fn briefs(report: &Value) -> Vec<Brief> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|finding| {
            let text = |key: &str| finding[key].as_str().unwrap_or_default().to_string();
            (
                text("severity"),
                text("rule"),
                text("object"),
                finding["location"]["path"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                finding["location"]["line"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

/// A folder under the temp dir for one test's files, removed when dropped.
pub struct ScratchDir {
    /// The folder.
    pub path: std::path::PathBuf,
}

impl ScratchDir {
    /// Creates `pgparity-test-<hint>-<pid>-<n>` under the temp dir.
    pub fn new(hint: &str) -> ScratchDir {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("pgparity-test-{hint}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("scratch folder");
        ScratchDir { path }
    }

    /// Writes `text` to `name` in the folder and returns the file's path as text.
    pub fn write(&self, name: &str, text: &str) -> String {
        let file = self.path.join(name);
        std::fs::write(&file, text).expect("scratch file");
        file.display().to_string()
    }

    /// The path of `name` in the folder, as text.
    pub fn file(&self, name: &str) -> String {
        self.path.join(name).display().to_string()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
