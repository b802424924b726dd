//! The reader's one error type, shaped so that a caller can answer each failure by matching:
//! the command line ends every one with exit 2, a server answers bad input with a 4xx status
//! chosen by [`Problem`] and its own failures with a 5xx.

/// What is wrong with an input that Steward refuses. Each is the sender's to fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Problem {
    /// The bytes are not a valid file of the format: truncated, corrupted or crafted. A panic
    /// that a third-party decoder raised on the file, and that was contained, is this too.
    Damaged,
    /// A valid file using something Steward does not read: a compression codec that is not
    /// built in, encryption, Feather version 1, or a format that must seek, given as a pipe.
    Unsupported,
    /// Past one of Steward's limits: columns, rows, values per byte of the file.
    TooLarge,
    /// Readable, but not usable as asked: a value that is not of its column's type, two
    /// columns with one name, a header without rows, a binary file named as text.
    Invalid,
}

/// Where in the input a problem is, as far as it is known.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The line of a text file (CSV, JSON Lines), counted from 1.
    pub line: Option<u64>,
    /// The column, by name.
    pub column: Option<String>,
    /// A byte offset into the input.
    pub offset: Option<u64>,
}

impl Location {
    pub fn line(line: u64) -> Location {
        Location {
            line: Some(line),
            ..Location::default()
        }
    }

    pub fn with_column(mut self, column: impl Into<String>) -> Location {
        self.column = Some(column.into());
        self
    }

    pub fn with_offset(mut self, offset: u64) -> Location {
        self.offset = Some(offset);
        self
    }
}

/// A failure to read a dataset. Every variant names the input (`file`, with control
/// characters made visible) and displays as "file: message".
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The input is at fault: what is wrong, and where when known.
    #[error("{file}: {message}")]
    Input {
        file: String,
        problem: Problem,
        message: String,
        at: Location,
    },
    /// Reading failed below the format: the file could not be opened, a disk or a pipe
    /// failed. The operating system's error is kept as the source.
    #[error("{file}: {message}")]
    Io {
        file: String,
        message: String,
        #[source]
        source: std::io::Error,
    },
    /// Steward itself failed while the input was fine as far as was read.
    #[error("{file}: {message}")]
    Internal { file: String, message: String },
}

impl DataError {
    /// An input at fault; `file` is shown with its control characters made visible.
    pub fn input(file: &str, problem: Problem, message: impl Into<String>) -> DataError {
        DataError::Input {
            file: shown(file),
            problem,
            message: message.into(),
            at: Location::default(),
        }
    }

    /// A failed read of `file`, said as "cannot read: <the system's words>".
    pub fn io(file: &str, source: std::io::Error) -> DataError {
        DataError::Io {
            file: shown(file),
            message: format!("cannot read: {source}"),
            source,
        }
    }

    pub fn internal(file: &str, message: impl Into<String>) -> DataError {
        DataError::Internal {
            file: shown(file),
            message: message.into(),
        }
    }

    /// The same error, placed (an input error only; others have no place in the input).
    pub fn at(mut self, place: Location) -> DataError {
        if let DataError::Input { at, .. } = &mut self {
            *at = place;
        }
        self
    }

    /// The input's name as shown.
    pub fn file(&self) -> &str {
        match self {
            DataError::Input { file, .. }
            | DataError::Io { file, .. }
            | DataError::Internal { file, .. } => file,
        }
    }

    /// What is wrong, without the file's name.
    pub fn message(&self) -> &str {
        match self {
            DataError::Input { message, .. }
            | DataError::Io { message, .. }
            | DataError::Internal { message, .. } => message,
        }
    }

    /// The input's problem, or `None` when the failure is not the input's.
    pub fn problem(&self) -> Option<Problem> {
        match self {
            DataError::Input { problem, .. } => Some(*problem),
            _ => None,
        }
    }

    /// Where the problem is in the input, when known.
    pub fn location(&self) -> Option<&Location> {
        match self {
            DataError::Input { at, .. } => Some(at),
            _ => None,
        }
    }
}

fn shown(file: &str) -> String {
    steward_io::escape_line(file).into_owned()
}

/// Shorthands for the readers, each naming the problem it reports.
pub(crate) fn damaged(file: &str, why: impl std::fmt::Display) -> DataError {
    DataError::input(
        file,
        Problem::Damaged,
        format!("the file is damaged: {why}"),
    )
}

pub(crate) fn unsupported(file: &str, message: impl Into<String>) -> DataError {
    DataError::input(file, Problem::Unsupported, message)
}

pub(crate) fn too_large(file: &str, message: impl Into<String>) -> DataError {
    DataError::input(file, Problem::TooLarge, message)
}

pub(crate) fn invalid(file: &str, message: impl Into<String>) -> DataError {
    DataError::input(file, Problem::Invalid, message)
}

/// A failed read said in the reader's own words (which carry the line it was on).
pub(crate) fn io_failure(file: &str, message: String, source: std::io::Error) -> DataError {
    DataError::Io {
        file: shown(file),
        message,
        source,
    }
}

/// A message that starts "line N" (or "line N, column ..."), placed at that line.
pub(crate) fn invalid_at_line(file: &str, message: String) -> DataError {
    let line = message
        .strip_prefix("line ")
        .and_then(|r| r.split([':', ',']).next())
        .and_then(|l| l.parse().ok());
    let at = line.map(Location::line).unwrap_or_default();
    invalid(file, message).at(at)
}

/// An Arrow error where Steward built something wrong (a projection, a schema): not the
/// input's fault.
pub(crate) fn internal_arrow(file: &str, e: &arrow_schema::ArrowError) -> DataError {
    DataError::internal(file, crate::read::clean(&e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_displays_as_file_colon_message() {
        let e = DataError::input("a\u{1b}.csv", Problem::Invalid, "no rows")
            .at(Location::line(3).with_column("x"));
        assert_eq!(e.to_string(), "a\\u{1b}.csv: no rows");
        assert_eq!(e.problem(), Some(Problem::Invalid));
        assert_eq!(e.location().and_then(|l| l.line), Some(3));
        let io = DataError::io("b.csv", std::io::Error::other("disk on fire"));
        assert_eq!(io.to_string(), "b.csv: cannot read: disk on fire");
        assert_eq!(io.problem(), None);
        assert!(std::error::Error::source(&io).is_some());
        assert_eq!(
            damaged("c.parquet", "x").to_string(),
            "c.parquet: the file is damaged: x"
        );
    }
}
