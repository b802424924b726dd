//! One module per subcommand.

pub mod check;
pub mod cost;
pub mod docs;
pub mod drift;
pub mod init;
pub mod metric;
pub mod portfolio;
pub mod profile;
pub mod schema;

use std::io::IsTerminal;

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
        Some(s) => Date::parse(s)
            .map_err(anyhow::Error::msg)
            .context("invalid --today"),
        None => Ok(Date(chrono::Utc::now().date_naive())),
    }
}

/// Writes `text` to `output`, or to stdout when there is none. A file is written beside its
/// destination and moved into place, so a failure never leaves half a report.
pub fn emit(text: &str, output: Option<&std::path::Path>) -> anyhow::Result<()> {
    let Some(path) = output else {
        return print(text).map_err(Into::into);
    };
    let name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} is not a file name", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, text).and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

/// Writes to stdout, treating a closed pipe (`steward check ... | head`) as success.
pub fn print(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
