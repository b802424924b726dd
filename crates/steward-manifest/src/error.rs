//! Why a manifest could not be read, as plain data: the file, the position, the key, the
//! message, a help line, the file's text for quoting, and a kind to match on. Rendering is
//! the caller's: the command line draws a diagnostic on a terminal, a server answers with a
//! status (the kind says which: a file too large is not a mistake in a value).

use std::fmt;
use std::sync::Arc;

use crate::snippet::token_span;
use crate::source_map::Position;

/// What went wrong, for a caller choosing an exit code or an HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestErrorKind {
    /// The file or folder could not be read; the operating system's reason.
    Unreadable(std::io::ErrorKind),
    /// Larger than [`crate::MAX_MANIFEST_BYTES`].
    TooLarge,
    /// Not UTF-8 text: invalid bytes, or text in another encoding (UTF-16, UTF-32).
    NotUtf8,
    /// A NUL byte: a binary file, not text.
    Binary,
    /// Not valid YAML (including a key written twice in one mapping).
    Syntax,
    /// Valid YAML with no AISystem document in it: empty, comments only, other kinds only.
    NoManifest,
    /// An AISystem document with a key or value the manifest does not allow: an unknown or
    /// missing key, a value of the wrong shape, a value out of range.
    Invalid,
    /// A bound on the input: keys and list items, nesting, aliases, the length of a text
    /// value, folders nested too deep or a search over too many files.
    LimitExceeded,
    /// A name used twice in a list whose names key data (success metrics, sourcing
    /// options).
    DuplicateName,
    /// Two systems of a portfolio share a name.
    DuplicateSystem,
    /// A YAML file found in a folder that could not be recognised as a manifest or not.
    Undecidable,
}

/// Why a manifest could not be read, located in its file where that is possible.
///
/// `file`, `message` and `help` have their control characters made visible already (they
/// quote file names and manifest text); `text` is the file's text as read, unescaped, for a
/// renderer that makes it safe in its own medium. The fields that are rarely there or
/// never change are boxed, so that a `Result` carrying the error stays small.
#[derive(Clone, thiserror::Error)]
#[error("{}", self.one_line())]
pub struct ManifestError {
    pub kind: ManifestErrorKind,
    /// The file as the caller named it.
    pub file: Arc<str>,
    pub position: Option<Position>,
    /// The manifest path (`spec.owner.ref`) of the key the error is about, or of the
    /// mapping that holds it, where known.
    pub key: Option<Box<str>>,
    pub message: String,
    pub help: Option<Box<str>>,
    /// The file's text (line breaks as the parser counts them), shared with the loaded
    /// file rather than copied; present when the error has a position in it.
    pub text: Option<Arc<str>>,
}

impl ManifestError {
    /// File names and messages carry text from the file system and the manifest; control
    /// characters are made visible here, once, so no error can drive a terminal.
    pub(crate) fn new(
        kind: ManifestErrorKind,
        file: &str,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        ManifestError {
            kind,
            file: Arc::from(steward_io::escape_line(file)),
            position,
            key: None,
            message: steward_io::escape_control(&message).into_owned(),
            help: None,
            text: None,
        }
    }

    pub(crate) fn with_text(mut self, text: &Arc<str>) -> Self {
        if self.position.is_some() {
            self.text = Some(Arc::clone(text));
        }
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        let help = help.into();
        self.help = Some(steward_io::escape_control(&help).into());
        self
    }

    pub(crate) fn with_key(mut self, key: Option<String>) -> Self {
        self.key = key.map(String::into_boxed_str);
        self
    }

    /// A value that parses but that a later stage (the cost model, the metric evaluation)
    /// refuses, located at `position` in `text`, the file's contents, so it reads like a
    /// parse error. With the [`crate::System`] at hand, [`crate::System::error_at`] does
    /// this without copying the text.
    pub fn located(
        file: &str,
        text: Option<&str>,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        let mut e = ManifestError::new(ManifestErrorKind::Invalid, file, Some(position), message);
        e.text = text.map(Arc::from);
        e
    }

    /// `file:line:column: message`, the one-line form for logs and machine consumers.
    pub fn one_line(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}: {}", self.file, p.line, p.column, self.message),
            None => format!("{}: {}", self.file, self.message),
        }
    }

    /// Byte offset and length in [`ManifestError::text`] of the text the error is about:
    /// the token at its position.
    pub fn span(&self) -> Option<(usize, usize)> {
        Some(token_span(self.text.as_deref()?, self.position?))
    }
}

/// The text is left out: it can be megabytes, and the position says where to look.
impl fmt::Debug for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManifestError")
            .field("kind", &self.kind)
            .field("file", &self.file)
            .field("position", &self.position)
            .field("key", &self.key)
            .field("message", &self.message)
            .field("help", &self.help)
            .field("text_bytes", &self.text.as_ref().map(|t| t.len()))
            .finish()
    }
}
