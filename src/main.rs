//! The `pgparity` binary: parse arguments, run, map the result to an exit code.

use clap::Parser;
use pgparity::app;
use pgparity::cli::{Cli, Command};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Reading and comparing SQL walks trees as deep as the input nests (up to
    // `sql::depth::MAX_NESTING`); the main thread's stack is the platform's, not ours.
    let outcome = std::thread::Builder::new()
        .name("pgparity".to_string())
        .stack_size(pgparity::WORKER_STACK_BYTES)
        .spawn(move || run(cli))
        .map_err(|error| anyhow::Error::new(error).context("cannot start the worker thread"))
        .and_then(|worker| {
            worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            eprintln!("pgparity: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Check(args) => {
            let working_dir = std::env::current_dir()?;
            let run = app::check(&args, &working_dir, &progress)?;
            match &args.output {
                Some(path) => app::write_atomically(path, &run.rendered)?,
                None => {
                    let color = app::color_enabled(
                        args.color,
                        std::io::stdout().is_terminal(),
                        std::env::var_os("NO_COLOR").as_deref(),
                    );
                    print(&app::output_text(&run, &args, color))?;
                }
            }
            Ok(u8::try_from(run.exit_code).unwrap_or(2))
        }
        Command::Snapshot(args) => {
            let snapshot = app::snapshot(&args, &std::env::current_dir()?, &progress)?;
            match &args.output {
                Some(path) => app::write_atomically(path, &snapshot)?,
                None => print(&snapshot)?,
            }
            Ok(0)
        }
        Command::Rules => {
            print(&app::rules_listing())?;
            Ok(0)
        }
        Command::Explain { rule } => {
            print(&app::explain(&rule)?)?;
            Ok(0)
        }
    }
}

/// Progress of long live runs, on stderr when it is a terminal (nothing otherwise, so
/// logs and pipes stay clean).
fn progress(message: &str) {
    if std::io::stderr().is_terminal() {
        eprintln!("pgparity: {message}");
    }
}

/// Prints to stdout; a closed pipe (`pgparity rules | head`) is not an error.
fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
