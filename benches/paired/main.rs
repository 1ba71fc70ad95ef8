//! The paired benchmark (issue 13): pgparity against `pg_dump --schema-only` of the same
//! database, on generated schemas of 1,000, 5,000 and 10,000 tables.
//!
//! ```text
//! cargo bench --bench paired                 # 1000 5000 10000 tables, 7 runs
//! cargo bench --bench paired -- 1000 5000    # chosen sizes; RUNS=3 for fewer runs
//! ```
//!
//! For each size it builds a database from [`schema::spec_sql`] on the test server (a
//! throwaway cluster, or `PGPARITY_TEST_DATABASE_URL`, as the tests find it), ANALYZEs
//! it, then times three pgparity commands, each paired with a `pg_dump --schema-only`
//! run right before or after it (the order alternates between runs, so that neither
//! always finds a warm cache): `check --specs --db`, `snapshot --db` and
//! `check --specs --snapshot`. Each run's wall time, CPU time (user + system, from
//! `wait4`) and peak resident memory (`ru_maxrss`, exact, of that one process) are
//! recorded; the table shows the medians and, per pair, the median of the ratios.
//!
//! A measurement, never a test: nothing here fails on time. It does fail when pgparity
//! fails (exit 2), and prints the findings per rule of the first check, so that a
//! regression in exactness shows next to the speed.

#[path = "../../tests/support/mod.rs"]
mod support;

mod schema;

use support::large_schema;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::pg::{ensure_role, TestDatabase};
use support::ScratchDir;

/// One finished process: wall time, CPU time, peak resident memory in KiB.
#[derive(Debug, Clone, Copy)]
struct Measured {
    wall: Duration,
    cpu: Duration,
    peak_kib: u64,
}

/// What ran: a label and the command line.
struct Job {
    program: PathBuf,
    args: Vec<String>,
    stdout: PathBuf,
}

fn main() {
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .map(|arg| {
            arg.parse()
                .unwrap_or_else(|_| panic!("table counts are whole numbers, not {arg:?}"))
        })
        .collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 5_000, 10_000];
    }
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|runs| runs.parse().ok())
        .unwrap_or(7);
    let pgparity = PathBuf::from(env!("CARGO_BIN_EXE_pgparity"));
    let pg_dump = pg_dump_program();
    println!("# pgparity paired benchmark");
    println!();
    println!("machine: {}", machine());
    println!("pg_dump: {}", version_of(&pg_dump));
    println!("runs per command: {runs} (medians; ratio = median of the per-pair ratios)");
    let mut tables = Vec::new();
    for tables_count in sizes {
        tables.push(bench_size(tables_count, runs, &pgparity, &pg_dump));
    }
    println!();
    println!("| tables | command | pgparity wall | pg_dump wall | wall ratio | CPU ratio | peak pgparity / pg_dump |");
    println!("|---:|---|---:|---:|---:|---:|---:|");
    for rows in tables {
        for row in rows {
            println!("{row}");
        }
    }
}

/// Builds the database of `tables` tables and times the three commands on it.
fn bench_size(tables: usize, runs: usize, pgparity: &Path, pg_dump: &Path) -> Vec<String> {
    eprintln!("building {tables} tables...");
    ensure_role(schema::APP_ROLE);
    let database = TestDatabase::new(&format!("bench_{tables}"));
    let scratch = ScratchDir::new(&format!("bench-{tables}"));
    let spec = schema::spec_sql(tables);
    let specs_dir = scratch.path.join("specs");
    std::fs::create_dir_all(&specs_dir).expect("creating the spec folder");
    let spec_file = specs_dir.join("schema.sql");
    std::fs::write(&spec_file, &spec).expect("writing the generated spec");
    let built = Instant::now();
    apply(&database, &spec_file);
    database.execute("ANALYZE");
    eprintln!(
        "{tables} tables: {:.1} MB of DDL applied in {:.1} s",
        spec.len() as f64 / 1e6,
        built.elapsed().as_secs_f64()
    );
    let url = database.url();
    let snapshot = scratch.path.join("snapshot.json");
    let specs = specs_dir.to_string_lossy().into_owned();
    let mut common = vec![
        "--config".to_string(),
        "/dev/null".to_string(),
        "--schema".to_string(),
        schema::SCHEMAS[0].to_string(),
        "--schema".to_string(),
        schema::SCHEMAS[1].to_string(),
    ];
    let check_db = Job {
        program: pgparity.to_path_buf(),
        args: with(
            &["check", "--format", "json", "--db", &url, "--specs", &specs],
            &common,
        ),
        stdout: scratch.path.join("report.json"),
    };
    let take_snapshot = Job {
        program: pgparity.to_path_buf(),
        args: with(
            &[
                "snapshot",
                "--db",
                &url,
                "--output",
                &snapshot.to_string_lossy(),
            ],
            &common,
        ),
        stdout: scratch.path.join("snapshot.out"),
    };
    let check_snapshot = Job {
        program: pgparity.to_path_buf(),
        args: with(
            &[
                "check",
                "--format",
                "json",
                "--snapshot",
                &snapshot.to_string_lossy(),
                "--specs",
                &specs,
            ],
            &common,
        ),
        stdout: scratch.path.join("report-snapshot.json"),
    };
    common.clear();
    let dump = Job {
        program: pg_dump.to_path_buf(),
        args: vec!["--schema-only".to_string(), format!("--dbname={url}")],
        stdout: scratch.path.join("dump.sql"),
    };
    let mut rows = Vec::new();
    for (label, job) in [
        ("check --specs --db", &check_db),
        ("snapshot --db", &take_snapshot),
        ("check --specs --snapshot", &check_snapshot),
    ] {
        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for run in 0..runs {
            // Alternate who goes first, so that neither always finds the other's warm cache.
            let (first, second) = if run % 2 == 0 {
                (job, &dump)
            } else {
                (&dump, job)
            };
            let a = measure(first);
            let b = measure(second);
            if run % 2 == 0 {
                ours.push(a);
                theirs.push(b);
            } else {
                ours.push(b);
                theirs.push(a);
            }
        }
        if label == "check --specs --db" {
            print_findings(tables, &check_db.stdout);
        }
        rows.push(row(tables, label, &ours, &theirs));
        eprintln!("{}", rows.last().expect("just pushed"));
    }
    rows
}

fn with(args: &[&str], common: &[String]) -> Vec<String> {
    args.iter()
        .map(|arg| arg.to_string())
        .chain(common.iter().cloned())
        .collect()
}

/// Applies the spec with psql, stopping at the first error.
fn apply(database: &TestDatabase, spec: &Path) {
    let psql = pg_dump_program().with_file_name("psql");
    let status = Command::new(&psql)
        .args(["-q", "-X", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(spec)
        .arg(database.url())
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|error| panic!("running {}: {error}", psql.display()));
    assert!(
        status.success(),
        "applying the generated spec failed: {status}"
    );
}

/// Runs `job` to the end and measures it.
// The child is reaped by wait4, which std does not know about.
#[allow(clippy::zombie_processes)]
fn measure(job: &Job) -> Measured {
    let stdout = std::fs::File::create(&job.stdout).expect("creating the output file");
    let stderr_path = job.stdout.with_extension("err");
    let stderr = std::fs::File::create(&stderr_path).expect("creating the error file");
    let started = Instant::now();
    let child = Command::new(&job.program)
        .args(&job.args)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|error| panic!("starting {}: {error}", job.program.display()));
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child, not yet reaped; status and usage are valid for writes.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // `check` exits 1 when it finds something at the failing level: a result, not a failure.
    assert!(
        code == 0 || code == 1,
        "{} {} exited {code}:\n{stderr}",
        job.program.display(),
        job.args.join(" ")
    );
    Measured {
        wall,
        cpu: time_of(usage.ru_utime) + time_of(usage.ru_stime),
        peak_kib: usage.ru_maxrss as u64,
    }
}

fn time_of(time: libc::timeval) -> Duration {
    Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

fn row(tables: usize, label: &str, ours: &[Measured], theirs: &[Measured]) -> String {
    let seconds = |runs: &[Measured]| median(runs.iter().map(|m| m.wall.as_secs_f64()).collect());
    let ratio = |of: fn(&Measured) -> f64| {
        median(
            ours.iter()
                .zip(theirs)
                .map(|(ours, theirs)| of(ours) / of(theirs))
                .collect(),
        )
    };
    let peak =
        |runs: &[Measured]| median(runs.iter().map(|m| m.peak_kib as f64 / 1024.0).collect());
    format!(
        "| {tables} | `{label}` | {:.2} s | {:.2} s | {:.2} | {:.2} | {:.0} / {:.0} MiB ({:.2}) |",
        seconds(ours),
        seconds(theirs),
        ratio(|m| m.wall.as_secs_f64()),
        ratio(|m| m.cpu.as_secs_f64()),
        peak(ours),
        peak(theirs),
        ratio(|m| m.peak_kib as f64),
    )
}

/// The findings of a JSON report, counted per rule: on this spec anything but hints
/// about unused indexes (a fresh database has no scans) is worth a look.
fn print_findings(tables: usize, report: &Path) {
    let text = std::fs::read_to_string(report).expect("reading the report");
    let report: serde_json::Value = serde_json::from_str(&text).expect("the report is JSON");
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for finding in report["findings"].as_array().into_iter().flatten() {
        let rule = finding["rule"].as_str().unwrap_or("?").to_string();
        *per_rule.entry(rule).or_default() += 1;
    }
    eprintln!("{tables} tables, findings per rule: {per_rule:?}");
}

/// `pg_dump` of the server's own version: Debian's /usr/bin/pg_dump is a Perl wrapper
/// whose start-up would be charged to pg_dump.
fn pg_dump_program() -> PathBuf {
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let bin = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if bin.join("pg_dump").is_file() {
            return bin.join("pg_dump");
        }
    }
    PathBuf::from("pg_dump")
}

fn version_of(program: &Path) -> String {
    Command::new(program)
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_else(|error| format!("unknown ({error})"))
}

/// Cores and CPU model, for the table's caption.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("MemTotal"))
                .map(|line| line.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map_or_else(String::new, |kib| format!(", {} GiB", kib / (1 << 20)));
    format!("{cores} cores, {model}{memory}")
}
