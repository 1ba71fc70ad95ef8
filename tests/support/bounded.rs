//! The hostile-input catalogue's runner: the real binary under a time bound and a memory
//! cap, with its exit status, output, wall time and peak resident memory.
//!
//! The peak comes from `wait4`'s `ru_maxrss` of that one child (exact, not sampled).
//! An address-space limit (`RLIMIT_AS`, 4 GiB) keeps a runaway input from taking the
//! machine down; the catalogue asserts the tighter bound on the measured peak, because
//! address space also counts thread-stack reservations that never become resident.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The bounds every catalogue case runs under unless it says otherwise (issue 7: any
/// input up to 10 MB finishes in 30 s and 1 GiB, or is refused). The bound is asserted on
/// the CPU time the run used: wall time on a shared 2-core machine measures the load of
/// whatever else runs (a loaded CI machine tripled it), CPU time measures the work. A run
/// is killed as hung only at [`WALL_SLACK`] times the bound of wall time.
pub const TIME_BOUND: Duration = Duration::from_secs(30);
/// How many times its bound of wall time a run may take before it is killed as hung.
pub const WALL_SLACK: u32 = 4;
/// Peak resident memory allowed.
pub const MEMORY_BOUND_BYTES: u64 = 1 << 30;
const ADDRESS_SPACE_CAP_BYTES: u64 = 4 << 30;

/// What one bounded run did.
#[derive(Debug)]
pub struct BoundedRun {
    /// Exit code, when the process exited (rather than died of a signal).
    pub code: Option<i32>,
    /// The signal that ended it, if one did (`SIGKILL` when the time bound was hit).
    pub signal: Option<i32>,
    /// Whether the runner killed it at the time bound.
    pub timed_out: bool,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// Wall time.
    pub elapsed: Duration,
    /// User and system CPU time of the process.
    pub cpu_time: Duration,
    /// The bound it ran under.
    pub time_bound: Duration,
    /// Peak resident memory in bytes.
    pub peak_rss_bytes: u64,
}

impl BoundedRun {
    /// Asserts the catalogue's invariants for a case: no crash (it exited, by itself,
    /// with one of pgparity's codes), inside the time and memory bounds, and exit code
    /// `expected_code`. `case` names the case in the failure message.
    pub fn assert_contained(&self, case: &str, expected_code: i32) {
        assert!(
            !self.timed_out,
            "{case}: still running after {:?} (killed at {WALL_SLACK} times its bound of {:?})\nstderr: {}",
            self.elapsed, self.time_bound, self.stderr
        );
        assert!(
            self.cpu_time <= self.time_bound,
            "{case}: used {:?} of CPU, over its bound of {:?}\nstderr: {}",
            self.cpu_time,
            self.time_bound,
            self.stderr
        );
        assert_eq!(
            self.signal, None,
            "{case}: killed by signal {:?} (a crash)\nstderr: {}",
            self.signal, self.stderr
        );
        assert!(
            self.peak_rss_bytes <= MEMORY_BOUND_BYTES,
            "{case}: peak memory {} MiB is over {} MiB",
            self.peak_rss_bytes >> 20,
            MEMORY_BOUND_BYTES >> 20
        );
        assert_eq!(
            self.code,
            Some(expected_code),
            "{case}: exit code\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("RUST_BACKTRACE"),
            "{case}: panicked\nstderr: {}",
            self.stderr
        );
    }
}

/// Runs `pgparity ARGS` in `folder` with `env` added, killed as hung after
/// [`WALL_SLACK`] times `time_bound`.
pub fn run_bounded(
    folder: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    time_bound: Duration,
) -> BoundedRun {
    run_program_bounded(
        Path::new(env!("CARGO_BIN_EXE_pgparity")),
        folder,
        args,
        env,
        time_bound,
    )
}

/// Runs `program ARGS` under the bounds (the runner itself is tested on other programs).
pub fn run_program_bounded(
    program: &Path,
    folder: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    time_bound: Duration,
) -> BoundedRun {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(folder)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches only the child's limits.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE_CAP_BYTES,
                rlim_max: ADDRESS_SPACE_CAP_BYTES,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("the program starts");
    let pid = child.id() as libc::pid_t;
    let stdout = drain(child.stdout.take().expect("piped stdout"));
    let stderr = drain(child.stderr.take().expect("piped stderr"));
    let finished = Arc::new(AtomicBool::new(false));
    let timed_out = Arc::new(AtomicBool::new(false));
    let kill_after = time_bound * WALL_SLACK;
    let watchdog = {
        let finished = Arc::clone(&finished);
        let timed_out = Arc::clone(&timed_out);
        std::thread::spawn(move || {
            while started.elapsed() < kill_after {
                if finished.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !finished.load(Ordering::SeqCst) {
                timed_out.store(true, Ordering::SeqCst);
                // SAFETY: plain kill(2) of our own child, which has not been reaped yet
                // (only wait4 below reaps it, and it sets `finished` first thing after).
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        })
    };
    let mut status: libc::c_int = 0;
    // SAFETY: zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; `child` is never waited on through std after this.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    finished.store(true, Ordering::SeqCst);
    let elapsed = started.elapsed();
    assert_eq!(reaped, pid, "wait4 reaped the child");
    watchdog.join().expect("watchdog thread");
    drop(child);
    let exited = libc::WIFEXITED(status);
    BoundedRun {
        code: exited.then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        timed_out: timed_out.load(Ordering::SeqCst),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
        elapsed,
        cpu_time: duration_of(usage.ru_utime) + duration_of(usage.ru_stime),
        time_bound,
        // ru_maxrss is in KiB on Linux.
        peak_rss_bytes: u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024,
    }
}

fn duration_of(time: libc::timeval) -> Duration {
    Duration::from_secs(u64::try_from(time.tv_sec).unwrap_or(0))
        + Duration::from_micros(u64::try_from(time.tv_usec).unwrap_or(0))
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
