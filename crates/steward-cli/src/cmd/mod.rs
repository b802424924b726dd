//! One module per subcommand.

pub mod check;
pub mod cost;
pub mod docs;
pub mod drift;
pub mod explain;
pub mod init;
pub mod metric;
pub mod portfolio;
pub mod profile;
pub mod schema;
pub mod serve;

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use steward_manifest::Date;

use crate::cli::ColorChoice;

/// Whether to colour stdout and stderr: `--color`, then NO_COLOR / CLICOLOR_FORCE, then
/// whether the stream is a terminal.
pub struct Colors {
    pub stdout: bool,
    pub stderr: bool,
}

impl Colors {
    pub fn new(choice: ColorChoice) -> Self {
        let pick = |is_tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
                    false
                } else if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                    true
                } else {
                    is_tty
                }
            }
        };
        Colors {
            stdout: pick(std::io::stdout().is_terminal()),
            stderr: pick(std::io::stderr().is_terminal()),
        }
    }
}

/// `--today`, or the current date in UTC (so runs in different time zones agree).
pub fn today(flag: Option<&str>) -> anyhow::Result<Date> {
    match flag {
        Some(s) => date_flag("--today", s),
        None => Ok(Date(chrono::Utc::now().date_naive())),
    }
}

/// A date given on the command line (`--today`, `--launch`), within the years 1 to 9999
/// that reports can write as YYYY-MM-DD (the year 0 parses, but is no such date).
pub fn date_flag(flag: &str, s: &str) -> anyhow::Result<Date> {
    use chrono::Datelike;
    let shown = steward_io::clip(s, 40);
    let date = Date::parse(s).map_err(|e| anyhow::anyhow!("invalid {flag} {shown}: {e}"))?;
    if !(1..=9999).contains(&date.0.year()) {
        anyhow::bail!("invalid {flag} {shown}: dates run from the year 1 to 9999");
    }
    Ok(date)
}

/// Whether notes (not errors) may go to stderr: `--quiet` turns them off.
static QUIET: AtomicBool = AtomicBool::new(false);

pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A note on stderr (what was written, what was skipped), unless `--quiet`. A full or
/// closed stderr must not turn a finished command into a crash, so a failed write is
/// ignored: the note is a courtesy, the report and the exit code are the result.
pub fn note(text: &str) {
    if QUIET.load(Ordering::Relaxed) {
        return;
    }
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", steward_io::escape_control(text));
}

/// A file folder discovery looked at and left out, on stderr with `--verbose` (asked for
/// explicitly, so `--quiet` does not silence it). Write failures are ignored, as for notes.
pub fn skipped(s: &steward_manifest::Skipped, verbose: bool) {
    if verbose {
        use std::io::Write;
        // Skipped's Display makes the path's control characters visible.
        let _ = writeln!(std::io::stderr().lock(), "skipped {s}");
    }
}

/// Whether `-o` names standard output: `-`, as `steward init -` and most tools read it.
fn is_stdout(output: Option<&Path>) -> bool {
    output.is_none_or(|p| p.as_os_str() == "-")
}

/// Checks where the report will go before the work starts, so a mistake costs nothing: for
/// `-o FILE`, that it is not a folder, not an input, in a folder that exists and writable by
/// the caller; for standard output, that the shell did not point it at an input (`>>
/// m.yaml`). Every command that writes a report calls this first; `emit` checks again.
pub fn check_destination(output: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<()> {
    match output {
        Some(path) if !is_stdout(output) => steward_io::check_output(path, inputs)?,
        _ => steward_io::check_stdout(inputs)?,
    }
    Ok(())
}

/// Writes `text` to `output`, or to stdout when there is none or it is `-`. A regular file
/// is replaced atomically; a device or FIFO is written in place (never replaced by a plain
/// file); a symbolic link is followed; the mode of the file replaced is kept; a file the
/// caller may not write is refused; and a destination that is one of `inputs` (the files
/// the command read), by `-o` or by a redirection of stdout, is refused, so a report never
/// overwrites its own manifest or data.
pub fn emit(text: &str, output: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<()> {
    match output {
        Some(path) if !is_stdout(output) => {
            steward_io::write_output(path, text.as_bytes(), inputs)?;
            Ok(())
        }
        _ => {
            steward_io::check_stdout(inputs)?;
            print(text)
        }
    }
}

/// [`emit`] for a JSON report: serde_json leaves C1 controls, bidirectional overrides and
/// other invisible characters raw inside strings; they are written as `\uXXXX` escapes
/// (the same string to any JSON reader, and harmless on a terminal).
pub fn emit_json(json: &str, output: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<()> {
    emit(&steward_io::escape_json(json), output, inputs)
}

/// Writes to stdout, treating a closed pipe (`steward check ... | head`) as success; any
/// other failure (a full disk behind a redirection) is an error, so the exit code never
/// claims a report that was not written.
pub fn print(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report to standard output"),
    }
}
