//! How a command fails: every failure is reported on stderr and exits 2, the contract's
//! code for invalid input or misuse (1 is reserved for "a system is not ready"). Writes to
//! stderr ignore their own failure: with stderr full or closed, the exit code still says
//! what happened, and nothing panics.

use std::io::Write;
use std::process::ExitCode;

use miette::{GraphicalReportHandler, GraphicalTheme};
use steward_manifest::ManifestError;

use crate::cmd::Colors;
use crate::diagnostic::ManifestDiagnostic;

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
                    if handler
                        .render_report(&mut out, &ManifestDiagnostic::new(e))
                        .is_err()
                    {
                        out = format!("error: {}\n", e.one_line());
                    }
                    // The snippet quotes the manifest's own lines, which may hold line
                    // separators, bidirectional controls or C1 controls: made visible here,
                    // after rendering, keeping only the colour sequences miette wrote.
                    let out = steward_io::escape_rendered(&out, colors.stderr);
                    let _ = writeln!(stderr, "{out}");
                }
                if errors.len() > 1 {
                    let _ = writeln!(stderr, "{} manifests could not be read.", errors.len());
                }
            }
            Failure::Other(e) => {
                // Messages quote file names, flag values and data: control characters in
                // them must not reach the terminal.
                let message = chain(&e);
                let _ = writeln!(stderr, "error: {}", steward_io::escape_control(&message));
            }
        }
        ExitCode::from(EXIT_INVALID)
    }
}

/// The error and its causes, `outer: inner: ...`, each cause said once: an error whose
/// message already quotes its source (a common pattern in libraries, and in io::Error
/// wrappers) would otherwise print the cause twice.
fn chain(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if text.is_empty() || message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::chain;

    #[test]
    fn a_cause_already_in_the_message_is_not_repeated() {
        #[derive(Debug)]
        struct Wrap(std::io::Error);
        impl std::fmt::Display for Wrap {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "cannot write x: {}", self.0)
            }
        }
        impl std::error::Error for Wrap {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = anyhow::Error::new(Wrap(std::io::Error::other("disk full")));
        assert_eq!(chain(&e), "cannot write x: disk full");
        let e = anyhow::Error::new(std::io::Error::other("disk full")).context("saving");
        assert_eq!(chain(&e), "saving: disk full");
    }
}
