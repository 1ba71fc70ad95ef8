//! The `pgparity` binary: parse arguments, run, map the result to an exit code.

mod cli;

use clap::{CommandFactory, Parser};
use cli::{Cli, Command};
use pgparity::app;
use pgparity::config::{self, Config, ConfigErrors};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when SIGINT or SIGTERM arrived: the interrupt thread owns the exit from then on.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// mimalloc rather than the system allocator: the spec loader, the catalog decoding and
/// the checks allocate millions of small strings and nodes, and with glibc's malloc
/// `check --specs --db` on 5,000 tables spent about a quarter of its CPU in malloc and
/// free; with mimalloc it used 1.3 s of user time instead of 1.8 s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    tune_allocator();
    let cli = Cli::parse();
    if let Err(error) = drop_scratch_objects_on_interrupt() {
        eprintln!("pgparity: error: cannot install the SIGINT/SIGTERM handler: {error}");
        return ExitCode::from(2);
    }
    // Reading and comparing SQL walks trees as deep as the input nests (up to
    // `sql::depth::MAX_NESTING`); the main thread's stack is the platform's, not ours.
    let outcome = std::thread::Builder::new()
        .name("pgparity".to_string())
        .stack_size(pgparity::WORKER_STACK_BYTES)
        .spawn(move || pgparity::on_worker_stack(|| run(cli)))
        .map_err(|error| anyhow::Error::new(error).context("cannot start the worker thread"))
        .and_then(|worker| {
            worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The interrupt thread is dropping the scratch database and will exit with the
        // signal's code; a run that failed because of that drop must not exit first.
        loop {
            std::thread::park();
        }
    }
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            match error.downcast_ref::<ConfigErrors>() {
                Some(config) => {
                    for problem in &config.errors {
                        eprintln!("pgparity: error: {problem}");
                    }
                }
                None => eprintln!("pgparity: error: {error:#}"),
            }
            ExitCode::from(2)
        }
    }
}

/// mimalloc's option number for the purge delay (`mi_option_purge_delay` in
/// `mimalloc.h` of the v3 sources libmimalloc-sys builds; the Rust crate names no
/// constant for it).
const MIMALLOC_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with mimalloc before it goes back to the system. Its
/// default (a second) outlives a whole check, so every phase's garbage stayed resident
/// at once: 30 ms brought the peak of `check --specs --db` on 5,000 tables from
/// 304-322 MB to 260-271 MB for 0.05 s more system time; 0 cost 0.2 s more.
const PURGE_DELAY_MS: std::ffi::c_long = 30;

/// Sets mimalloc's purge delay ([`PURGE_DELAY_MS`]) unless the user chose one with
/// `MIMALLOC_PURGE_DELAY`.
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set only stores an option value (mimalloc reads it when it
        // next purges); the number is that of `mi_option_purge_delay`.
        unsafe { libmimalloc_sys::mi_option_set(MIMALLOC_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => {
            if args.timings {
                pgparity::timings::enable();
            }
            let request = config::resolve_check(&std::env::current_dir()?, (*args).into())?;
            let run = app::check(&request, &progress)?;
            match &request.output {
                Some(path) => app::write_output(path, &run.rendered, "report")?,
                None => {
                    let color = app::color_enabled(
                        request.color,
                        std::io::stdout().is_terminal(),
                        |name| std::env::var_os(name),
                    );
                    let text = app::output_text(&run, request.format, color);
                    if color {
                        print_colored(&text, "report")?;
                    } else {
                        print(&text, "report")?;
                    }
                }
            }
            if let (Some(path), Some(baseline)) =
                (request.baseline_destination(), &run.baseline_to_write)
            {
                app::write_output(path, baseline, "baseline")?;
            }
            if let (Some(path), Some(script)) = (&request.fix_sql, &run.fix_script) {
                app::write_output(path, script, "fix script")?;
            }
            let code = u8::try_from(run.exit_code).unwrap_or(2);
            // Every output is written and closed: the process ends now, and the
            // operating system takes its memory back at once, where freeing the catalogs
            // and the report piece by piece took tens of milliseconds on 5,000 tables.
            let app::CheckRun { report, inputs, .. } = run;
            inputs.forget();
            std::mem::forget(report);
            Ok(code)
        }
        Command::Snapshot(args) => {
            if args.timings {
                pgparity::timings::enable();
            }
            let request = config::resolve_snapshot(&std::env::current_dir()?, args.into())?;
            let snapshot = app::snapshot(&request, &progress)?;
            let write = |target: &mut dyn Write| snapshot.write_json(target);
            match &request.output {
                Some(path) => app::write_output_with(path, "snapshot", &write)?,
                None => write_stdout_with(std::io::stdout().lock(), "snapshot", &write)?,
            }
            Ok(0)
        }
        Command::Init(args) => {
            print(&pgparity::init::init(&args.into())?, "summary")?;
            Ok(0)
        }
        Command::Rules(args) => {
            let config = match &args.config {
                Some(path) => Config::load(path)?,
                None => Config::discover(&std::env::current_dir()?)?,
            };
            print(&app::rules_listing(&config, args.format.0), "rule list")?;
            Ok(0)
        }
        Command::Schema { kind } => {
            print(kind.0.text(), "JSON Schema")?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "pgparity", &mut script);
            print(&String::from_utf8_lossy(&script), "completion script")?;
            Ok(0)
        }
        Command::Man { dir: None } => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            print(&String::from_utf8_lossy(&page), "man page")?;
            Ok(0)
        }
        Command::Man { dir: Some(dir) } => {
            clap_mangen::generate_to(Cli::command(), &dir).map_err(|error| {
                anyhow::Error::new(error)
                    .context(format!("cannot write the man pages to {}", dir.display()))
            })?;
            Ok(0)
        }
        Command::Explain { rule } => {
            print(&app::explain(&rule)?, "rule description")?;
            Ok(0)
        }
    }
}

/// On SIGINT or SIGTERM, drops the scratch database and role a `--dev-db` run created
/// (naming any that could not be dropped), then exits 130 or 143 as shells do. The
/// work happens on a thread of its own, not in the signal handler.
#[cfg(unix)]
fn drop_scratch_objects_on_interrupt() -> std::io::Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("interrupt".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                INTERRUPTED.store(true, Ordering::SeqCst);
                for failure in pgparity::sources::live::drop_scratch_objects() {
                    eprintln!("pgparity: error: {failure}");
                }
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}

#[cfg(not(unix))]
fn drop_scratch_objects_on_interrupt() -> std::io::Result<()> {
    Ok(())
}

/// Progress of long live runs, on stderr when it is a terminal (nothing otherwise, so
/// logs and pipes stay clean).
fn progress(message: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("pgparity: {message}");
    }
}

/// Prints the `what` (report, snapshot, …) to stdout; a closed pipe (`pgparity rules |
/// head`) is not an error, any other failure (a full disk) is.
fn print(text: &str, what: &str) -> anyhow::Result<()> {
    write_stdout(std::io::stdout().lock(), text, what)
}

/// Writes text with ANSI colours through anstream, which turns ANSI processing on in a
/// Windows console (or translates the codes for an old one); elsewhere it passes the text
/// through unchanged.
fn print_colored(text: &str, what: &str) -> anyhow::Result<()> {
    write_stdout(
        anstream::AutoStream::always(std::io::stdout().lock()),
        text,
        what,
    )
}

fn write_stdout(stdout: impl Write, text: &str, what: &str) -> anyhow::Result<()> {
    write_stdout_with(stdout, what, &|stdout| stdout.write_all(text.as_bytes()))
}

/// Writes what `write` writes to standard output through a buffer, as it is produced; a
/// reader that stops reading (`| head`) is not an error.
fn write_stdout_with(
    stdout: impl Write,
    what: &str,
    write: &dyn Fn(&mut dyn Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    let mut stdout = std::io::BufWriter::new(stdout);
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(error) => Err(anyhow::Error::new(error)
            .context(format!("cannot write the {what} to standard output"))),
        Ok(()) => Ok(()),
    }
}
