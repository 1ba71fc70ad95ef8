//! The hostile-input catalogue's runner (tests/support/bounded.rs) tells a crash, a hang
//! and a clean exit apart: without that, the catalogue's "no crash" would prove nothing.

mod support;

use std::path::Path;
use std::time::Duration;
use support::bounded::run_program_bounded;

fn sh(script: &str, bound: Duration) -> support::bounded::BoundedRun {
    run_program_bounded(
        Path::new("/bin/sh"),
        Path::new("."),
        &["-c", script],
        &[],
        bound,
    )
}

#[test]
fn a_crash_is_a_signal_not_an_exit_code() {
    let run = sh("kill -SEGV $$", Duration::from_secs(10));
    assert_eq!(run.signal, Some(libc::SIGSEGV));
    assert_eq!(run.code, None);
    assert!(!run.timed_out);
}

#[test]
fn a_hang_is_killed_at_the_bound() {
    let run = sh("exec sleep 30", Duration::from_millis(500));
    assert!(run.timed_out);
    assert_eq!(run.signal, Some(libc::SIGKILL));
    assert!(run.elapsed < Duration::from_secs(10));
}

#[test]
fn exit_code_output_and_memory_are_reported() {
    let run = sh("echo out; echo err >&2; exit 3", Duration::from_secs(10));
    assert_eq!(run.code, Some(3));
    assert_eq!(run.stdout, "out\n");
    assert_eq!(run.stderr, "err\n");
    assert!(run.peak_rss_bytes > 0);
}

#[test]
fn peak_memory_is_measured_not_guessed() {
    // dd reads 300 MB into one buffer: every page of it becomes resident.
    let run = run_program_bounded(
        Path::new("/bin/dd"),
        Path::new("."),
        &["if=/dev/zero", "of=/dev/null", "bs=300M", "count=1"],
        &[],
        Duration::from_secs(20),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.peak_rss_bytes > 250 << 20, "{}", run.peak_rss_bytes);
}
