//! How a command fails: every failure is reported on stderr and exits 2, the contract's
//! code for invalid input or misuse (1 is reserved for "a system is not ready"). Writes to
//! stderr ignore their own failure: with stderr full or closed, the exit code still says
//! what happened, and nothing panics.

use std::io::Write;
use std::process::ExitCode;

use miette::{GraphicalReportHandler, GraphicalTheme};
use steward_manifest::ManifestError;

use crate::cmd::Colors;

pub enum Failure {
    /// One or more manifests could not be read.
    Manifests(Vec<ManifestError>),
    /// Anything else: a bad flag value, an unwritable file.
    Other(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Other(e.into())
    }
}

pub const EXIT_INVALID: u8 = 2;

impl Failure {
    pub fn report(self, colors: &Colors) -> ExitCode {
        let mut stderr = std::io::stderr().lock();
        match self {
            Failure::Manifests(errors) => {
                let theme = if colors.stderr {
                    GraphicalTheme::unicode()
                } else {
                    GraphicalTheme::unicode_nocolor()
                };
                let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(2);
                for e in &errors {
                    let mut out = String::new();
                    if handler.render_report(&mut out, e).is_err() {
                        out = format!("error: {}\n", e.one_line());
                    }
                    let _ = writeln!(stderr, "{out}");
                }
                if errors.len() > 1 {
                    let _ = writeln!(stderr, "{} manifests could not be read.", errors.len());
                }
            }
            Failure::Other(e) => {
                // Messages quote file names, flag values and data: control characters in
                // them must not reach the terminal.
                let message = format!("{e:#}");
                let _ = writeln!(stderr, "error: {}", steward_io::escape_control(&message));
            }
        }
        ExitCode::from(EXIT_INVALID)
    }
}
