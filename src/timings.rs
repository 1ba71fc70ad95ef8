//! Per-phase durations for `--timings`: where a slow run spends its time (reading the
//! specs, each catalog query with its rows, the checks, rendering), written to standard
//! error as each phase ends, so that a user can see why without a profiler.
//!
//! Off by default and then nearly free: a phase that is not timed reads one atomic flag.
//! Phases may run on several threads at once (the spec loader overlaps introspection);
//! each line is written whole.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static STARTED: OnceLock<Instant> = OnceLock::new();

/// Turns timing on for the rest of the process; times are counted from this call.
pub fn enable() {
    STARTED.get_or_init(Instant::now);
    ENABLED.store(true, Ordering::Relaxed);
}

/// Whether phases are timed.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// A phase being timed: its line is written when it is dropped (or [`Phase::end`]ed).
#[must_use = "a phase is timed until it is dropped"]
pub struct Phase {
    name: Cow<'static, str>,
    start: Instant,
    rows: Option<u64>,
}

/// Starts timing `name`; `None` when timing is off.
pub fn phase(name: impl Into<Cow<'static, str>>) -> Option<Phase> {
    enabled().then(|| Phase {
        name: name.into(),
        start: Instant::now(),
        rows: None,
    })
}

impl Phase {
    /// Notes how many rows (statements, objects) the phase handled.
    pub fn rows(&mut self, rows: usize) {
        self.rows = Some(rows as u64);
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        write_line(&self.name, self.start.elapsed(), self.rows, None);
    }
}

/// Notes `rows` on a phase that may not be timed.
pub fn rows(phase: &mut Option<Phase>, rows: usize) {
    if let Some(phase) = phase {
        phase.rows(rows);
    }
}

/// Now, when timing is on: the start of a piece for [`Tally::add`].
pub fn started() -> Option<Instant> {
    enabled().then(Instant::now)
}

/// Time spent in many short pieces of one phase (parsing each statement), added up and
/// written once, when the tally is dropped.
#[must_use = "a tally is written when it is dropped"]
pub struct Tally {
    name: &'static str,
    total: Duration,
    count: u64,
}

impl Tally {
    /// An empty tally called `name`.
    pub fn new(name: &'static str) -> Self {
        Tally {
            name,
            total: Duration::ZERO,
            count: 0,
        }
    }

    /// Runs `work`, adding its duration when timing is on.
    pub fn time<T>(&mut self, work: impl FnOnce() -> T) -> T {
        let start = started();
        let result = work();
        self.add(start);
        result
    }

    /// Adds the time since `start` (from [`started`]; nothing when timing is off): for a
    /// piece that needs what holds the tally.
    pub fn add(&mut self, start: Option<Instant>) {
        if let Some(start) = start {
            self.total += start.elapsed();
            self.count += 1;
        }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        if enabled() && self.count > 0 {
            write_line(self.name, self.total, None, Some(self.count));
        }
    }
}

fn write_line(name: &str, took: Duration, rows: Option<u64>, pieces: Option<u64>) {
    use std::io::Write;
    let at = STARTED
        .get()
        .map_or(Duration::ZERO, |started| started.elapsed());
    let mut line = format!(
        "pgparity: timing: {name:<40} {:>9.1} ms  (ends at {:>8.1} ms)",
        took.as_secs_f64() * 1000.0,
        at.as_secs_f64() * 1000.0,
    );
    if let Some(rows) = rows {
        line.push_str(&format!("  {rows} rows"));
    }
    if let Some(pieces) = pieces {
        line.push_str(&format!("  in {pieces} pieces"));
    }
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_is_not_timed_while_timing_is_off() {
        // The flag is process-wide and tests share the process: this test only runs
        // while nothing has turned timing on, which no library test does.
        assert!(!enabled());
        assert!(phase("reading specs").is_none());
        let mut tally = Tally::new("parsing statements");
        assert_eq!(tally.time(|| 41 + 1), 42);
        assert_eq!(tally.count, 0);
    }
}
