//! Installing pgparity (issue 12): the licence texts Cargo.toml names, the container
//! image, the GitHub Action, the release workflow, the pre-commit hooks and the README's
//! quick start agree with each other and with Cargo.toml. The Dockerfile is checked for
//! its structure: the machines that run the tests have no container daemon to build it.

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{ROOT}/{path}"))
        .unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn manifest() -> toml::Table {
    read("Cargo.toml").parse().expect("Cargo.toml is TOML")
}

fn package(key: &str) -> String {
    manifest()["package"][key]
        .as_str()
        .unwrap_or_else(|| panic!("package.{key}"))
        .to_string()
}

/// `owner/name` of the repository Cargo.toml names.
fn repository() -> String {
    package("repository")
        .strip_prefix("https://github.com/")
        .expect("a GitHub repository")
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn both_licence_texts_are_there() {
    assert_eq!(package("license"), "MIT OR Apache-2.0");
    let mit = read("LICENSE-MIT");
    for words in [
        "MIT License",
        "Copyright (c)",
        "Permission is hereby granted, free of charge",
        "WITHOUT WARRANTY OF ANY KIND",
    ] {
        assert!(mit.contains(words), "LICENSE-MIT lacks {words:?}");
    }
    let apache = read("LICENSE-APACHE");
    for words in [
        "Apache License",
        "Version 2.0, January 2004",
        "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
        "9. Accepting Warranty or Additional Liability",
        "END OF TERMS AND CONDITIONS",
    ] {
        assert!(apache.contains(words), "LICENSE-APACHE lacks {words:?}");
    }
}

/// The Dockerfile's instructions as (keyword, arguments), continuation lines joined.
fn dockerfile() -> Vec<(String, String)> {
    let text = read("Dockerfile").replace("\\\n", " ");
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (keyword, arguments) = line.split_once(' ').unwrap_or((line, ""));
            (keyword.to_uppercase(), arguments.trim().to_string())
        })
        .collect()
}

#[test]
fn the_dockerfile_builds_in_one_stage_and_ships_the_binary_in_another() {
    let instructions = dockerfile();
    let stages: Vec<usize> = instructions
        .iter()
        .enumerate()
        .filter(|(_, (keyword, _))| keyword == "FROM")
        .map(|(index, _)| index)
        .collect();
    assert_eq!(stages.len(), 2, "a build stage and a runtime stage");
    let (build, runtime) = (
        &instructions[stages[0]..stages[1]],
        &instructions[stages[1]..],
    );
    let rust_version = package("rust-version");
    assert_eq!(
        build[0].1,
        format!("rust:{rust_version}-slim-bookworm AS builder"),
        "the build stage uses the toolchain Cargo.toml's rust-version names"
    );
    assert!(
        build.iter().any(|(keyword, arguments)| keyword == "RUN"
            && arguments.contains("cargo build --release --locked")),
        "the build stage builds the locked release binary"
    );
    assert!(build
        .iter()
        .any(|(keyword, arguments)| keyword == "COPY" && arguments == ". ."));
    assert!(
        runtime[0].1.starts_with("debian:bookworm-slim"),
        "{:?}",
        runtime[0]
    );
    assert!(
        runtime.iter().any(|(keyword, arguments)| keyword == "COPY"
            && arguments == "--from=builder /src/target/release/pgparity /usr/local/bin/pgparity"),
        "only the binary is copied over"
    );
    assert!(runtime
        .iter()
        .any(|(keyword, arguments)| keyword == "RUN" && arguments.contains("ca-certificates")));
    let user = runtime
        .iter()
        .rev()
        .find(|(keyword, _)| keyword == "USER")
        .expect("a USER");
    assert!(user.1 != "root" && user.1 != "0", "runs unprivileged");
    assert!(runtime.contains(&("ENTRYPOINT".to_string(), "[\"pgparity\"]".to_string())));
    let ignored = read(".dockerignore");
    let ignored: Vec<&str> = ignored
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .collect();
    assert!(
        ignored.contains(&"target/"),
        "no build output in the context"
    );
    for needed in ["Cargo.lock", "Cargo.toml", "src", "build.rs"] {
        assert!(
            !ignored
                .iter()
                .any(|pattern| needed.starts_with(pattern.trim_end_matches('/'))),
            "{needed} is in the build context"
        );
    }
}

/// The targets the release workflow builds.
fn release_targets() -> Vec<String> {
    let workflow = yaml(".github/workflows/release.yml");
    workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("a matrix")
        .iter()
        .map(|entry| entry["target"].as_str().expect("a target").to_string())
        .collect()
}

#[test]
fn the_release_workflow_builds_every_platform_on_tags() {
    let workflow = yaml(".github/workflows/release.yml");
    assert_eq!(workflow["on"]["push"]["tags"][0], "v*.*.*");
    let matrix = workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("a matrix");
    let systems: Vec<&str> = matrix
        .iter()
        .map(|entry| entry["os"].as_str().expect("an os"))
        .collect();
    for system in ["ubuntu", "macos", "windows"] {
        assert!(
            systems.iter().any(|os| os.starts_with(system)),
            "{system} in {systems:?}"
        );
    }
    let steps = workflow["jobs"]["build"]["steps"]
        .as_array()
        .expect("steps");
    let runs: String = steps
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for expected in [
        "cargo build --release --locked --target ${{ matrix.target }}",
        "name=\"pgparity-${version}-${{ matrix.target }}\"",
        "completions \"${shell}\"",
        "man --dir",
        "LICENSE-MIT LICENSE-APACHE",
        ".sha256",
    ] {
        assert!(runs.contains(expected), "{expected:?} in\n{runs}");
    }
    assert_eq!(
        workflow["jobs"]["publish"]["permissions"]["contents"],
        "write"
    );
}

#[test]
fn the_action_downloads_what_the_release_publishes() {
    let action = yaml("action.yml");
    assert_eq!(action["runs"]["using"], "composite");
    assert_eq!(action["inputs"]["version"]["required"], true);
    let install = &action["runs"]["steps"][0];
    assert_eq!(install["env"]["PGPARITY_REPOSITORY"], repository().as_str());
    let script = install["run"].as_str().expect("a script");
    assert_eq!(
        install["env"]["PGPARITY_RELEASES"],
        format!("https://github.com/{}/releases/download", repository()).as_str()
    );
    assert!(
        script.contains("url=\"${PGPARITY_RELEASES}/v${version}/${archive}\"")
            && script.contains("archive=\"pgparity-${version}-${target}.${ext}\""),
        "{script}"
    );
    assert!(script.contains("sha256"), "the checksum is verified");
    let mut offered: Vec<String> = script
        .lines()
        .filter_map(|line| line.split("target=").nth(1))
        .filter_map(|rest| rest.split(';').next())
        .map(str::to_string)
        .collect();
    offered.sort();
    let mut released = release_targets();
    released.sort();
    assert_eq!(offered, released, "the action knows every released target");
}

#[test]
fn the_pre_commit_hooks_build_or_use_the_installed_binary() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let language = |id: &str| {
        hooks
            .iter()
            .find(|hook| hook["id"] == id)
            .unwrap_or_else(|| panic!("no hook {id}"))["language"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(language("pgparity"), "rust");
    assert_eq!(language("pgparity-system"), "system");
    for hook in hooks {
        assert_eq!(hook["entry"], "pgparity check");
        assert_eq!(hook["pass_filenames"], false);
    }
}

#[test]
fn the_readme_installs_runs_and_tests_and_names_this_repository() {
    let readme = read("README.md");
    let quick_start = &readme[readme.find("## Quick start").expect("a quick start")..];
    let quick_start = &quick_start[..quick_start.find("\n## ").expect("a next section")];
    let install = quick_start
        .find("cargo install --locked --path .")
        .expect("install");
    let run = quick_start.find("\npgparity check\n").expect("run");
    let test = quick_start.find("\ncargo test\n").expect("test");
    assert!(install < run && run < test, "install, then run, then test");
    assert!(
        quick_start.contains("some 8 minutes on a 2-core"),
        "the build time is stated"
    );
    assert!(
        quick_start.contains(&format!(
            "Rust toolchain ({} or newer",
            package("rust-version")
        )),
        "the quick start names Cargo.toml's rust-version"
    );
    let repository = repository();
    assert!(!readme.contains("your-org"));
    for (index, _) in readme.match_indices("github.com/") {
        let rest = &readme[index + "github.com/".len()..];
        let path: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
            .collect();
        let owner_name: Vec<&str> = path.split('/').take(2).collect();
        if owner_name.get(1) == Some(&"pgparity") {
            assert_eq!(owner_name.join("/"), repository, "README link {path}");
        }
    }
    for (index, _) in readme.match_indices("/pgparity@v") {
        let owner = readme[..index]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap();
        assert_eq!(
            format!("{owner}/pgparity"),
            repository,
            "README action reference"
        );
    }
}

/// Runs the action's install script as a Linux x64 runner would, against a release
/// folder packed the way the release workflow packs one (the test's own binary inside).
fn install_from(
    releases: &std::path::Path,
    runner: &std::path::Path,
    version: &str,
) -> std::process::Output {
    let action = yaml("action.yml");
    let script = action["runs"]["steps"][0]["run"]
        .as_str()
        .expect("a script");
    std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("PGPARITY_VERSION", version)
        .env("PGPARITY_REPOSITORY", repository())
        .env(
            "PGPARITY_RELEASES",
            format!("file://{}", releases.display()),
        )
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_PATH", runner.join("path"))
        .env("GITHUB_OUTPUT", runner.join("output"))
        .output()
        .expect("bash runs")
}

#[test]
fn the_action_installs_a_release_archive_and_refuses_a_bad_checksum() {
    let scratch = std::env::temp_dir().join(format!("pgparity-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let name = "pgparity-9.9.9-x86_64-unknown-linux-gnu";
    let packed = scratch.join("pack").join(name);
    std::fs::create_dir_all(&packed).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_pgparity"), packed.join("pgparity")).unwrap();
    let releases = scratch.join("releases");
    std::fs::create_dir_all(releases.join("v9.9.9")).unwrap();
    let archive = releases.join(format!("v9.9.9/{name}.tar.gz"));
    let tar = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&archive)
        .arg("-C")
        .arg(scratch.join("pack"))
        .arg(name)
        .status()
        .unwrap();
    assert!(tar.success());
    let sum = std::process::Command::new("sha256sum")
        .arg(format!("{name}.tar.gz"))
        .current_dir(releases.join("v9.9.9"))
        .output()
        .unwrap();
    std::fs::write(
        releases.join(format!("v9.9.9/{name}.tar.gz.sha256")),
        &sum.stdout,
    )
    .unwrap();
    let runner = scratch.join("runner");
    std::fs::create_dir_all(&runner).unwrap();
    let installed = install_from(&releases, &runner, "v9.9.9");
    assert!(
        installed.status.success(),
        "{}",
        String::from_utf8_lossy(&installed.stderr)
    );
    assert!(String::from_utf8_lossy(&installed.stdout).starts_with("pgparity "));
    let path = std::fs::read_to_string(runner.join("path")).unwrap();
    assert_eq!(
        path.trim(),
        runner
            .join(format!("pgparity-9.9.9/{name}"))
            .display()
            .to_string()
    );
    std::fs::write(
        releases.join(format!("v9.9.9/{name}.tar.gz.sha256")),
        format!("{} {name}.tar.gz\n", "0".repeat(64)),
    )
    .unwrap();
    let refused = install_from(&releases, &scratch.join("runner2"), "9.9.9");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stdout).contains("does not match the release's"),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    std::fs::remove_dir_all(&scratch).ok();
}
