//! `steward`: command-line glue over the library crates. Parsing arguments, reading files,
//! choosing colours and exit codes happen here; every decision lives in a library.

mod cli;
mod cmd;
mod diagnostic;
mod failure;
mod manifests;

use std::process::ExitCode;

use clap::Parser;
use failure::EXIT_INVALID;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    cmd::set_quiet(cli.quiet);
    let color = cmd::Colors::new(cli.color);
    // One pool for every command's parallel work (parsing manifests, statistics), sized
    // once, before any of it starts; without `--threads`, rayon's default: every core.
    if let Some(threads) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
    {
        return failure::Failure::Other(anyhow::anyhow!(
            "cannot start {threads} worker threads: {e}"
        ))
        .report(&color);
    }
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&args, &color, cli.quiet),
        Command::Portfolio(args) => cmd::portfolio::run(&args, &color),
        Command::Cost(args) => cmd::cost::run(&args),
        Command::Metric(args) => cmd::metric::run(&args),
        Command::Drift(args) => cmd::drift::run(&args, cli.quiet),
        Command::Profile(args) => cmd::profile::run(&args),
        Command::Explain(args) => cmd::explain::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::Token(args) => cmd::serve::token(&args),
        Command::Schema => cmd::schema::run(),
        Command::Init(args) => cmd::init::run(&args),
        Command::Completions { shell } => cmd::docs::completions(shell),
        Command::Man => cmd::docs::man(),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(&color),
    }
}

/// A usage error (stderr, exit 2), or `--help` / `--version` (stdout, exit 0). clap's own
/// `exit` ignores a failed write; here a help text that could not be written to stdout (a
/// full disk behind a redirection) is exit 2, like any report, while a closed pipe
/// (`steward --help | head`) is not a failure. A usage error is reported as well as
/// stderr allows: its exit code says what happened either way.
///
/// A usage error quotes the value given (a flag, `STEWARD_COLOR`), which may come from a CI
/// variable: it is rendered here as plain text with control and bidirectional characters
/// made visible, rather than by clap, which writes the value as it came.
fn clap_exit(e: &clap::Error) -> ExitCode {
    if e.use_stderr() {
        use std::io::Write;
        let mut rendered = e.render().to_string();
        // clap quotes the value given whole: a value of megabytes (a CI variable gone
        // wrong) would make an error of megabytes. It is cut, with its size said.
        if let Some(clap::error::ContextValue::String(v)) =
            e.get(clap::error::ContextKind::InvalidValue)
            && v.len() > 200
        {
            rendered = rendered.replace(v.as_str(), &steward_io::clip(v, 60));
        }
        let _ = write!(
            std::io::stderr().lock(),
            "{}",
            steward_io::escape_control(&rendered)
        );
        return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_INVALID));
    }
    // Help shows the environment's values too (`[env: STEWARD_COLOR=...]`): escaped the
    // same way, keeping only clap's own colours on a terminal. The text is otherwise clap's.
    let help = {
        use std::io::IsTerminal;
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        if colour {
            steward_io::escape_rendered(&e.render().ansi().to_string(), true).into_owned()
        } else {
            steward_io::escape_control(&e.render().to_string()).into_owned()
        }
    };
    let written = {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        out.write_all(help.as_bytes()).and_then(|()| out.flush())
    };
    if let Err(err) = written
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "error: cannot write the help to standard output: {err}"
        );
        return ExitCode::from(EXIT_INVALID);
    }
    ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(EXIT_INVALID))
}
