//! Reading manifests: bytes -> documents -> typed systems, with every failure turned into a
//! [`ManifestError`] that names the file, line and column and says what was expected.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ManifestError, ManifestErrorKind};
use crate::model::{Direction, KIND, Manifest};
use crate::snippet::{Snippet, lines_around};
use crate::source_map::{IndexError, MAX_DEPTH, MAX_NODES, Position, SourceMap, index_documents};
use crate::values::{RelativeFigure, both_readings, format_number};

/// A manifest is a hand-written file; anything larger is a mistake (or an attack), and is
/// refused before it is read.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// One AISystem document, typed, with the positions of its keys and the text of its file.
#[derive(Clone, Debug)]
pub struct System {
    pub manifest: Manifest,
    pub map: SourceMap,
    /// 0-based index of the document in its file.
    pub document: usize,
    source: Source,
}

/// The file a system was read from: its name and text, shared by every system in it.
#[derive(Clone)]
struct Source {
    file: Arc<str>,
    text: Arc<str>,
}

/// The text is left out: it can be megabytes.
impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("file", &self.file)
            .field("text_bytes", &self.text.len())
            .finish()
    }
}

impl System {
    /// The file as the caller named it (the path given to [`load_file`] as displayed, or
    /// the name given to [`parse_manifests`]).
    pub fn file(&self) -> &str {
        &self.source.file
    }

    /// The whole text of the system's file, line breaks as the positions count them
    /// (`\r\n` kept, a lone `\r` written as `\n`), without a byte order mark.
    pub fn text(&self) -> &str {
        &self.source.text
    }

    /// The same text, shared (for an error or a report that outlives this system).
    pub fn shared_text(&self) -> Arc<str> {
        Arc::clone(&self.source.text)
    }

    /// The lines around a manifest path (`spec.owner.ref`), `context` lines on each side;
    /// a path not written is shown at its nearest written parent.
    pub fn snippet(&self, path: &str, context: usize) -> Snippet<'_> {
        let (position, exact) = self.map.locate(path);
        lines_around(self.text(), position, exact, context)
    }

    /// An error about the value at a manifest path, found after parsing (the cost model
    /// or the metric evaluation refusing it): located at the key, or its nearest written
    /// parent, with the file's text to quote, as a parse error is.
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> ManifestError {
        let (position, _) = self.map.locate(path);
        ManifestError::new(
            ManifestErrorKind::Invalid,
            self.file(),
            Some(position),
            message,
        )
        .with_key(Some(path.to_string()))
        .with_text(&self.source.text)
    }
}

/// A file and the AISystem documents in it.
#[derive(Clone, Debug)]
pub struct ManifestFile {
    /// The path as the user wrote it (or as found under a folder they named).
    pub path: PathBuf,
    /// The file's text, as [`System::text`] gives it.
    pub text: Arc<str>,
    pub systems: Vec<System>,
}

impl ManifestError {
    /// Two systems share a name; names must be unique in a portfolio (they key the
    /// server's API, alerts and metrics). Located at the second one's name.
    pub fn duplicate_system(second: &System, first: &System) -> Self {
        let at = second.map.locate("metadata.name").0;
        let first_at = first.map.locate("metadata.name").0;
        ManifestError::new(
            ManifestErrorKind::DuplicateSystem,
            second.file(),
            Some(at),
            format!(
                "the system name `{}` is already used at {}:{}:{}; names must be unique in a portfolio",
                second.manifest.metadata.name,
                steward_io::escape_line(first.file()),
                first_at.line,
                first_at.column
            ),
        )
        .with_key(Some("metadata.name".into()))
        .with_text(&second.source.text)
        .with_help("rename one of the two systems (or remove a copy of the file)")
    }
}

/// The line and column of a byte, counting `\r\n`, a lone `\r` and `\n` each as one line
/// break, as the parser does.
fn position_of_byte(text: &[u8], offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let mut line = 1;
    let mut line_start = 0;
    for (i, &b) in before.iter().enumerate() {
        let lone_cr = b == b'\r' && text.get(i + 1) != Some(&b'\n');
        if b == b'\n' || lone_cr {
            line += 1;
            line_start = i + 1;
        }
    }
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    Position { line, column }
}

/// Removes the location decorations serde-saphyr puts around its messages, since the
/// diagnostic shows the location itself.
fn bare_message(raw: &str) -> String {
    let mut m = raw.lines().next().unwrap_or("").trim().to_string();
    if let Some(rest) = m.strip_prefix("error: ") {
        m = rest.to_string();
    }
    if let Some(rest) = m.strip_prefix("line ")
        && let Some(idx) = rest.find(": ")
        && rest[..idx]
            .split(" column ")
            .all(|p| p.trim().parse::<u64>().is_ok())
    {
        m = rest[idx + 2..].to_string();
    }
    for marker in [" at char ", " at line "] {
        if let Some(idx) = m.rfind(marker) {
            m.truncate(idx);
        }
    }
    // serde's primitive-type wording, in the manifest's terms.
    if m.starts_with("invalid u") || m.starts_with("invalid i") {
        m = "expected a whole number".into();
    } else if m == "invalid floating point" || m == "invalid f64" || m == "invalid f32" {
        m = "expected a number".into();
    } else if m == "invalid boolean" || m == "invalid bool" {
        m = "expected true or false".into();
    } else if m == "invalid char" {
        m = "expected a single character".into();
    } else if let Some(rest) = m.strip_prefix("missing field ") {
        m = format!("missing the required key {rest}");
    } else if m == "expected mapping start" {
        m = "expected a mapping of keys (a manifest has apiVersion, kind, metadata and spec)"
            .into();
    }
    m.replace(", set DuplicateKeyPolicy in Options if acceptable", "")
}

/// How long a value quoted in an error may be before it is cut.
const QUOTE_CHARS: usize = 60;

fn quote(s: &str) -> std::borrow::Cow<'_, str> {
    steward_io::clip(s, QUOTE_CHARS)
}

/// serde-saphyr's error in the manifest's words. Its own texts are written for the Rust
/// developer who calls it ("use Option<String>", "set ignore_binary_tag_for_string in
/// Options", a `Debug` dump of a budget breach) and quote values whole; the cases a
/// manifest can reach are translated here, and every quoted value is clipped.
fn saphyr_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let too_complex = "the manifest is too large or too complex to read";
    match e.without_snippet() {
        E::AliasError { error, .. } => saphyr_message(error),
        E::Budget { breach, .. } => match breach {
            B::Nodes { .. } | B::Events { .. } => format!(
                "the manifest has more than {MAX_NODES} keys and list items; a manifest describes one system by hand"
            ),
            B::Depth { .. } => format!(
                "the manifest nests mappings and lists more than {MAX_DEPTH} levels deep; a manifest is about six levels deep"
            ),
            B::Aliases { .. }
            | B::Anchors { .. }
            | B::AliasAnchorRatio { .. }
            | B::RecordedAnchorEvents { .. }
            | B::RecordedAnchorBytes { .. } => {
                "the manifest uses too many anchors and aliases (`&name`, `*name`); write the values out"
                    .into()
            }
            B::MergeKeys { .. } => "the manifest uses too many merge keys (`<<`)".into(),
            B::ScalarBytes { .. } | B::InputBytes { .. } => {
                "the manifest holds too much text to read".into()
            }
            _ => too_complex.into(),
        },
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => {
            "the aliases (`*name`) in this manifest expand to too much content; write the values out"
                .into()
        }
        E::NullIntoString { .. } => "expected text, found an empty value".into(),
        E::InvalidCharNull { .. } | E::InvalidCharNotSingleScalar { .. } => {
            "expected a single character".into()
        }
        E::BinaryNotUtf8 { .. } | E::InvalidBinaryBase64 { .. } => {
            "a `!!binary` value cannot be used here; write the text itself".into()
        }
        E::BytesNotSupportedMissingBinaryTag { .. } => "expected text".into(),
        E::TaggedScalarCannotDeserializeIntoString { .. } => {
            "this tagged value cannot be read as text; remove the tag".into()
        }
        E::UnsupportedTag { tag, .. } => format!("the tag `{}` is not supported here", quote(tag)),
        E::TaggedEnumMismatch { tagged, .. } => {
            format!("the tag `{}` does not fit here; remove it", quote(tagged))
        }
        E::NonFiniteFloat { value, .. } => format!("`{}` is not a finite number", quote(value)),
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => format!("invalid type: {}, expected {}", quote(unexpected), quote(expected)),
        E::SerdeInvalidValue {
            unexpected,
            expected,
            ..
        } => format!("invalid value: {}, expected {}", quote(unexpected), quote(expected)),
        E::SerdeUnknownVariant {
            variant, expected, ..
        } => format!(
            "`{}` is not one of the values this key takes: {}",
            quote(variant),
            expected.join(", ")
        ),
        E::SerdeUnknownField {
            field, expected, ..
        } => format!(
            "unknown field `{}`, expected one of {}",
            quote(field),
            expected.join(", ")
        ),
        E::DuplicateMappingKey { key: Some(k), .. } => {
            format!("duplicate mapping key: {}", quote(k))
        }
        E::DuplicateMappingKey { key: None, .. } => "duplicate mapping key".into(),
        E::Message { msg, .. } => {
            // Our own validators' messages (already clipped) and serde's custom ones.
            let m = bare_message(msg);
            steward_io::clip(&m, 400).into_owned()
        }
        other => {
            let m = bare_message(&other.to_string());
            // Any other text still must not carry a developer's hint or a whole value.
            if m.contains("Options") || m.contains("Option<") || m.contains("{ ") {
                too_complex.into()
            } else {
                steward_io::clip(&m, 400).into_owned()
            }
        }
    }
}

/// The deserializer's errors that mean "this value has the wrong shape for its key" (a
/// list for text, a mapping for a list, a list for an enumeration...), said in the
/// manifest's words with the key's path: "`spec.lifecycle` is one of proof-of-concept,
/// pilot, production, retired; found a list". `None` for other errors.
fn wrong_shape_message(
    e: &serde_saphyr::Error,
    position: Option<Position>,
    map: &SourceMap,
    text: &str,
) -> Option<String> {
    use serde_saphyr::Error as E;
    let at_key = |found_hint: Option<String>| -> Option<String> {
        let p = position?;
        let (path, expected, shape_found) = crate::explain::expected_at(&map.path_at(p)?)?;
        let found = match shape_found {
            Some(s) => Some(s.to_string()),
            None => found_hint.or_else(|| token_at(text, p)),
        };
        Some(match found {
            Some(found) => format!("`{path}` is {expected}; found {found}"),
            None => format!("`{path}` is {expected}"),
        })
    };
    match e.without_snippet() {
        E::AliasError { error, .. } => wrong_shape_message(error, position, map, text),
        // Placed on the offending value itself.
        E::Unexpected { .. }
        | E::ExternallyTaggedEnumExpectedScalarOrMapping { .. }
        | E::ExpectedStringKeyForExternallyTaggedEnum { .. }
        | E::UnexpectedValueForUnitEnumVariant { .. } => at_key(None),
        // Placed on the value, or (from a validator's own visitor) on the mapping that holds
        // it: the key is trusted only when what is written at the place has the shape the
        // error names.
        E::SerdeInvalidType {
            unexpected,
            expected,
            ..
        } => {
            let found = crate::explain::found_from_unexpected(unexpected);
            let written = position.and_then(|p| token_at(text, p));
            let agrees = written
                .as_deref()
                .is_some_and(|w| crate::explain::shape(w) == crate::explain::shape(&found));
            agrees
                .then(|| at_key(Some(found.clone())))
                .flatten()
                .or_else(|| {
                    Some(format!(
                        "expected {}, found {found}",
                        crate::explain::plain_expected(expected)
                    ))
                })
        }
        _ => None,
    }
}

/// What is written at `p`, for "found ...": the scalar (up to the end of the line or a flow
/// delimiter), quoted, or the kind of collection.
fn token_at(text: &str, p: Position) -> Option<String> {
    let line = text.lines().nth(p.line.checked_sub(1)?)?;
    let start = line
        .char_indices()
        .nth(p.column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    // The whole token is measured (a clipped quote says how long the value really is).
    let rest = &line[start..];
    // A collection is named, not quoted up to its first delimiter.
    match rest.trim_start().chars().next() {
        Some('[') => return Some("a list".into()),
        Some('{') => return Some("a mapping".into()),
        Some('-') if rest.trim_start()[1..].starts_with([' ', '\t']) || rest.trim() == "-" => {
            return Some("a list".into());
        }
        _ => {}
    }
    let token = rest.split(['#', ',', '}', ']']).next().unwrap_or("").trim();
    // `key: value` unquoted at a value's place is a block mapping starting there.
    if !token.starts_with(['"', '\'']) && (token.contains(": ") || token.ends_with(':')) {
        return Some("a mapping".into());
    }
    (!token.is_empty()).then(|| format!("`{}`", quote(token)))
}

/// A help line for the messages that have one. Matched on whole phrases of the messages
/// this crate writes (not single words: "duplicate version directive" is not about keys).
fn expected_help(message: &str) -> Option<String> {
    if message.starts_with("unknown field") {
        Some("remove the key or fix its spelling; `steward schema` lists every key a manifest may have".into())
    } else if message.contains("duplicate mapping key")
        || message.contains("duplicate field")
        || message.contains("duplicate merge key")
    {
        Some("each key may appear once in a mapping; keep one of them".into())
    } else if message.contains("duplicate version directive") {
        Some("write the `%YAML` directive once, before the document's `---`".into())
    } else if ["tabs disallowed", "found a tab", "tab cannot", "with a tab"]
        .iter()
        .any(|t| message.contains(t))
    {
        Some("YAML indents with spaces; replace the tab characters".into())
    } else {
        None
    }
}

/// Parses every AISystem document in `bytes`, a file's contents (an HTTP body, say) under
/// the name `file`. Documents of other kinds (Backstage entities living in the same file)
/// and empty documents are skipped; a file with no AISystem document is an error. Each
/// system keeps the file's text, to quote it later.
pub fn parse_manifests(file: &str, bytes: &[u8]) -> Result<Vec<System>, ManifestError> {
    parse_source(file, bytes).map(|(_, systems)| systems)
}

/// The file's text as the systems keep it, and the systems.
fn parse_source(file: &str, bytes: &[u8]) -> Result<(Arc<str>, Vec<System>), ManifestError> {
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(too_large(file, Some(bytes.len() as u64)));
    }
    // A file saved as UTF-16 or UTF-32 (Notepad's "Unicode") is text in the wrong
    // encoding, not a binary file: say so before its NUL bytes are taken for one.
    if let Some(encoding) = Encoding::detect(bytes) {
        return Err(ManifestError::new(
            ManifestErrorKind::NotUtf8,
            file,
            None,
            format!(
                "the file is {} text; a manifest must be UTF-8: save it as UTF-8",
                encoding.name()
            ),
        )
        .with_help("most editors offer the encoding in \"Save as\" (choose UTF-8)"));
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Err(ManifestError::new(
            ManifestErrorKind::Binary,
            file,
            Some(position_of_byte(bytes, i)),
            "the file contains a NUL byte: a manifest is YAML text, this looks like a binary file",
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            return Err(ManifestError::new(
                ManifestErrorKind::NotUtf8,
                file,
                Some(position_of_byte(bytes, at)),
                format!(
                    "the file is not UTF-8 text: byte 0x{:02X} at offset {at} is not valid UTF-8",
                    bytes[at]
                ),
            ));
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text: Arc<str> = Arc::from(normalize_line_breaks(text));
    let systems = parse_text(file, &text)?;
    Ok((text, systems))
}

/// YAML counts `\r\n`, a lone `\r` and `\n` each as one line break, and so do the parser's
/// positions; the loader slices documents and finds lines by `\n`. A lone `\r` (classic Mac
/// line endings) is therefore written as `\n` first: one character for one, so every line
/// and column stays where the parser puts it, and the YAML means the same (a line break in
/// any scalar style reads the same whichever way it is written).
pub(crate) fn normalize_line_breaks(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone_cr = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    if !(0..bytes.len()).any(lone_cr) {
        return std::borrow::Cow::Borrowed(text);
    }
    let out: Vec<u8> = bytes
        .iter()
        .enumerate()
        .map(|(i, &b)| if lone_cr(i) { b'\n' } else { b })
        .collect();
    // Only ASCII bytes were replaced by ASCII bytes.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// The text encodings other than UTF-8 that YAML allows, recognised as the YAML spec says:
/// by a byte order mark, or by where the NUL bytes of the first (ASCII) character fall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Encoding {
    /// A byte order mark says it outright. Without one, the NUL bytes around a first
    /// ASCII character suggest it, and the whole file must then decode to text (no control
    /// characters but tab and line breaks), so a binary file is not taken for text.
    pub(crate) fn detect(b: &[u8]) -> Option<Encoding> {
        use Encoding::*;
        let guess = match b {
            [0, 0, 0xFE, 0xFF, ..] => return Some(Utf32Be),
            [0xFF, 0xFE, 0, 0, ..] => return Some(Utf32Le),
            [0xFE, 0xFF, ..] => return Some(Utf16Be),
            [0xFF, 0xFE, ..] => return Some(Utf16Le),
            [0, 0, 0, x, ..] if *x != 0 => Utf32Be,
            [x, 0, 0, 0, ..] if *x != 0 => Utf32Le,
            [0, x, ..] if *x != 0 => Utf16Be,
            [x, 0, ..] if *x != 0 => Utf16Le,
            _ => return None,
        };
        let text = guess.decode(b)?;
        text.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
            .then_some(guess)
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Encoding::Utf16Le => "UTF-16 (little-endian)",
            Encoding::Utf16Be => "UTF-16 (big-endian)",
            Encoding::Utf32Le => "UTF-32 (little-endian)",
            Encoding::Utf32Be => "UTF-32 (big-endian)",
        }
    }

    /// The text, when every unit decodes (a byte order mark is dropped); for discovery to
    /// see what the file declares.
    pub(crate) fn decode(self, b: &[u8]) -> Option<String> {
        let text: String = match self {
            Encoding::Utf16Le | Encoding::Utf16Be => {
                let units = b.chunks(2).map(|c| {
                    let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                    if self == Encoding::Utf16Le {
                        u16::from_le_bytes(pair)
                    } else {
                        u16::from_be_bytes(pair)
                    }
                });
                char::decode_utf16(units).collect::<Result<_, _>>().ok()?
            }
            Encoding::Utf32Le | Encoding::Utf32Be => b
                .chunks(4)
                .map(|c| {
                    let mut q = [0u8; 4];
                    q[..c.len()].copy_from_slice(c);
                    char::from_u32(if self == Encoding::Utf32Le {
                        u32::from_le_bytes(q)
                    } else {
                        u32::from_be_bytes(q)
                    })
                })
                .collect::<Option<_>>()?,
        };
        Some(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
    }
}

fn too_large(file: &str, size: Option<u64>) -> ManifestError {
    let size = match size {
        Some(n) => format!("the file is {n} bytes"),
        None => "the file is larger than that".into(),
    };
    ManifestError::new(
        ManifestErrorKind::TooLarge,
        file,
        None,
        format!("a manifest may be at most {MAX_MANIFEST_BYTES} bytes (4 MiB), and {size}"),
    )
    .with_help("a manifest describes one AI system by hand; data belongs in the data commands")
}

/// Limits handed to serde-saphyr for each document. The index has already enforced the node
/// and depth caps on the raw text; these keep the deserializer inside the same bounds,
/// including what aliases expand to, which the index does not follow.
fn saphyr_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_NODES;
    budget.max_events = 2 * MAX_NODES + 16;
    budget.max_depth = MAX_DEPTH;
    budget.max_documents = 1;
    budget.max_aliases = 1_000;
    budget.max_anchors = 1_000;
    budget.max_merge_keys = 1_000;
    budget.max_total_scalar_bytes = 2 * MAX_MANIFEST_BYTES as usize;
    budget.max_recorded_anchor_events = MAX_NODES;
    budget.max_recorded_anchor_bytes = MAX_MANIFEST_BYTES as usize;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = MAX_NODES;
    options.alias_limits.max_replay_stack_depth = MAX_DEPTH;
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
    options.with_snippet = false;
    options
}

/// What an index error is, for a caller matching on kinds.
fn index_error_kind(e: &IndexError) -> ManifestErrorKind {
    match e {
        IndexError::Syntax { .. } | IndexError::DuplicateMergeKey { .. } => {
            ManifestErrorKind::Syntax
        }
        IndexError::TooManyNodes { .. } | IndexError::TooDeep { .. } => {
            ManifestErrorKind::LimitExceeded
        }
    }
}

/// What a deserializer error is: a bound, YAML the index let through, or (all the rest) a
/// value the manifest does not allow.
fn saphyr_error_kind(e: &serde_saphyr::Error) -> ManifestErrorKind {
    use serde_saphyr::Error as E;
    match e.without_snippet() {
        E::AliasError { error, .. } => saphyr_error_kind(error),
        E::Budget { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => ManifestErrorKind::LimitExceeded,
        E::DuplicateMappingKey { .. }
        | E::UnknownAnchor { .. }
        | E::Eof { .. }
        | E::MultipleDocuments { .. }
        | E::ContainerEndMismatch { .. } => ManifestErrorKind::Syntax,
        _ => ManifestErrorKind::Invalid,
    }
}

fn parse_text(file: &str, text: &Arc<str>) -> Result<Vec<System>, ManifestError> {
    let source = Source {
        file: Arc::from(file),
        text: Arc::clone(text),
    };
    let text: &str = text;
    let docs = index_documents(text).map_err(|e| {
        let message = e.message();
        let help = expected_help(&message);
        let mut err = ManifestError::new(index_error_kind(&e), file, Some(e.position()), message)
            .with_text(&source.text);
        if let Some(h) = help {
            err = err.with_help(h);
        }
        err
    })?;
    // Empty documents (a trailing `---`, a separator written twice) hold nothing to read.
    let docs: Vec<_> = docs.into_iter().filter(|d| !d.empty).collect();
    if docs.is_empty() {
        return Err(ManifestError::new(
            ManifestErrorKind::NoManifest,
            file,
            None,
            "the file is empty: expected an AISystem manifest (apiVersion, kind, metadata, spec)",
        )
        .with_help("`steward init` writes a starter manifest"));
    }

    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut systems = Vec::new();
    for (index, doc) in docs.into_iter().enumerate() {
        match doc.kind.as_deref() {
            Some(KIND) => {}
            Some(_) => continue,
            None => {}
        }
        let start = line_starts
            .get(doc.first_line.saturating_sub(1))
            .copied()
            .unwrap_or(text.len());
        let end = line_starts
            .get(doc.last_line)
            .copied()
            .unwrap_or(text.len());
        let slice = &text[start..end.max(start)];
        // A `kind` reached through an alias or a merge key is resolved as discovery resolves
        // it, so a document of another kind written that way is left alone here too.
        if doc.kind.is_none() {
            let scan = crate::source_map::scan_kinds(slice);
            if !scan.aisystem && !scan.undecided && !scan.other_kinds.is_empty() {
                continue;
            }
        }
        match serde_saphyr::from_str_with_options::<Manifest>(slice, saphyr_options()) {
            Ok(manifest) => {
                // The index reads `kind` only when written as text; one reached another way
                // (an alias) is checked here, so a document of another kind is never judged.
                if manifest.kind != KIND {
                    return Err(ManifestError::new(
                        ManifestErrorKind::Invalid,
                        file,
                        Some(doc.map.locate("kind").0),
                        format!("`kind` is `{}`, expected `{KIND}`", quote(&manifest.kind)),
                    )
                    .with_key(Some("kind".into()))
                    .with_text(&source.text));
                }
                if let Some(long) = crate::lengths::first_too_long(&manifest) {
                    return Err(ManifestError::new(
                        ManifestErrorKind::LimitExceeded,
                        file,
                        Some(doc.map.locate(&long.path).0),
                        format!(
                            "`{}` is {} characters long; {} may be at most {} characters",
                            quote(&long.path),
                            long.chars,
                            long.what,
                            long.limit
                        ),
                    )
                    .with_key(Some(long.path.clone()))
                    .with_text(&source.text)
                    .with_help(format!(
                        "a manifest holds short text: names and references up to {}, free text up to {} characters; keep longer documents elsewhere and link to them",
                        crate::lengths::MAX_ID_CHARS,
                        crate::lengths::MAX_TEXT_CHARS
                    )));
                }
                check_unique_names(&source, &manifest, &doc.map)?;
                check_decrease_targets(&source, &manifest, &doc.map)?;
                systems.push(System {
                    manifest,
                    map: doc.map,
                    document: index,
                    source: source.clone(),
                });
            }
            Err(e) => {
                let position = e.location().map(|l| Position {
                    line: (l.line() as usize)
                        .max(1)
                        .saturating_add(doc.first_line - 1),
                    column: (l.column() as usize).max(1),
                });
                let mut message = saphyr_message(&e);
                // A value of the wrong shape is explained by the key it belongs to.
                if let Some(better) = wrong_shape_message(&e, position, &doc.map, text) {
                    message = better;
                }
                if message.is_empty() {
                    message = "this document could not be read as an AISystem manifest".into();
                }
                if doc.kind.is_none() && message.contains("missing the required key") {
                    message = format!(
                        "{message}: a manifest starts with `apiVersion: steward/v1` and `kind: AISystem`"
                    );
                }
                // Say what was written, unless the message already does.
                if message.starts_with("expected ")
                    && !message.contains("found")
                    && let Some(found) = position.and_then(|p| token_at(text, p))
                {
                    message = format!("{message}, found {found}");
                }
                let help = expected_help(&message);
                let key = position.and_then(|p| doc.map.path_at(p));
                let mut err = ManifestError::new(saphyr_error_kind(&e), file, position, message)
                    .with_key(key)
                    .with_text(&source.text);
                if let Some(h) = help {
                    err = err.with_help(h);
                }
                return Err(err);
            }
        }
    }
    if systems.is_empty() {
        return Err(ManifestError::new(
            ManifestErrorKind::NoManifest,
            file,
            None,
            "no AISystem document in this file (every document has another `kind`)",
        ));
    }
    Ok(systems)
}

/// Names that key data must be unique in their list: a success metric's name is how
/// observations find it (a second metric of the same name would silently get no data),
/// and a sourcing option's name is how the cost report tells the options apart.
fn check_unique_names(
    source: &Source,
    manifest: &Manifest,
    map: &SourceMap,
) -> Result<(), ManifestError> {
    let lists: [(&str, &str, Vec<Option<&str>>); 2] = [
        (
            "spec.success_metrics",
            "success metric",
            manifest
                .spec
                .success_metrics
                .iter()
                .map(|m| m.name.as_deref())
                .collect(),
        ),
        (
            "spec.sourcing.options",
            "sourcing option",
            manifest
                .spec
                .sourcing
                .iter()
                .flat_map(|s| s.options.iter().map(|o| o.name.as_deref()))
                .collect(),
        ),
    ];
    for (base, what, names) in lists {
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, name) in names.iter().enumerate() {
            let Some(name) = name else { continue };
            if let Some(&first) = seen.get(name) {
                let key = format!("{base}[{i}].name");
                let at = map.locate(&key).0;
                let first_at = map.locate(&format!("{base}[{first}].name")).0;
                return Err(ManifestError::new(
                    ManifestErrorKind::DuplicateName,
                    &source.file,
                    Some(at),
                    format!(
                        "the {what} name `{}` is already used by {base}[{first}] (line {}); each {what} needs its own name",
                        quote(name),
                        first_at.line
                    ),
                )
                .with_key(Some(key))
                .with_text(&source.text)
                .with_help("rename one of them, or merge the two definitions"));
            }
            seen.insert(name, i);
        }
    }
    Ok(())
}

/// A decrease of more than 100% cannot be met: the metric would have to fall below zero.
/// Written without `%` (`target_change: 1.5`) it is most likely a percentage that lost
/// its sign, so the error gives both readings; a percentage (`"150%"`) is simply too much.
/// Checked after parsing, because `direction` may come after `target_change`.
fn check_decrease_targets(
    source: &Source,
    manifest: &Manifest,
    map: &SourceMap,
) -> Result<(), ManifestError> {
    for (i, m) in manifest.spec.success_metrics.iter().enumerate() {
        let Some(RelativeFigure::Fraction(v)) = m.target_change else {
            continue;
        };
        if m.direction != Some(Direction::Decrease) || v.abs() <= 1.0 {
            continue;
        }
        let key = format!("spec.success_metrics[{i}].target_change");
        let at = map.locate(&key).0;
        let cannot =
            "a decrease of more than 100% cannot be met (the metric would fall below zero)";
        let message = match written_after_key(&source.text, at) {
            Some(w) if !w.contains('%') => format!("{cannot}: {}", both_readings(&w, v)),
            _ => format!(
                "target_change is a decrease of {}%: {cannot}",
                format_number(v.abs() * 100.0)
            ),
        };
        return Err(ManifestError::new(
            ManifestErrorKind::Invalid,
            &source.file,
            Some(at),
            message,
        )
        .with_key(Some(key))
        .with_text(&source.text));
    }
    Ok(())
}

/// The scalar written after the key at `p` on its line (`target_change: 1.5 # note` gives
/// `1.5`), unquoted; `None` when the value is elsewhere (on a later line, through an alias).
fn written_after_key(text: &str, p: Position) -> Option<String> {
    let line = text.lines().nth(p.line.checked_sub(1)?)?;
    let start = line.char_indices().nth(p.column.saturating_sub(1))?.0;
    let (_, value) = line[start..].split_once(':')?;
    let token = value.split(['#', ',', '}']).next()?.trim();
    let token = token
        .strip_prefix(['"', '\''])
        .and_then(|t| t.strip_suffix(['"', '\'']))
        .unwrap_or(token);
    (!token.is_empty() && !token.starts_with(['*', '&', '!'])).then(|| token.to_string())
}

/// Reads and parses one manifest file. At most [`MAX_MANIFEST_BYTES`] are read, whatever
/// the file is (a device or a pipe reports no size), and opening never blocks (a FIFO with
/// no writer reads as empty).
pub fn load_file(path: &Path) -> Result<ManifestFile, ManifestError> {
    let display = path.display().to_string();
    let bytes = match steward_io::read_limited(path, MAX_MANIFEST_BYTES) {
        Ok(b) => b,
        Err(steward_io::ReadError::TooLarge { .. }) => {
            let size = std::fs::metadata(path)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len());
            return Err(too_large(&display, size));
        }
        Err(steward_io::ReadError::Io(e)) => {
            return Err(ManifestError::new(
                ManifestErrorKind::Unreadable(e.kind()),
                &display,
                None,
                format!("cannot read the file: {e}"),
            ));
        }
    };
    let (text, systems) = parse_source(&display, &bytes)?;
    Ok(ManifestFile {
        path: path.to_path_buf(),
        text,
        systems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_location_decorations() {
        assert_eq!(
            bare_message("error: line 5 column 3: unknown field `userz`, expected one of a, b"),
            "unknown field `userz`, expected one of a, b"
        );
        assert_eq!(
            bare_message("unexpected end of input at line 1, column 1"),
            "unexpected end of input"
        );
        assert_eq!(
            bare_message("unclosed bracket '[' at char 18 line 1 column 19"),
            "unclosed bracket '['"
        );
        assert_eq!(
            bare_message("line 8 column 12: invalid u64"),
            "expected a whole number"
        );
    }

    const AI: &str = "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: NAME\nspec:\n  lifecycle: LIFE\n";

    fn doc(name: &str, life: &str) -> String {
        AI.replace("NAME", name).replace("LIFE", life)
    }

    #[test]
    fn several_documents_are_several_systems() {
        let text = format!(
            "# header comment\nkind: Component\nmetadata: {{name: c}}\n---\n{}---\n{}",
            doc("a", "pilot"),
            doc("b", "production")
        );
        let systems = parse_manifests("multi.yaml", text.as_bytes()).unwrap();
        let names: Vec<&str> = systems
            .iter()
            .map(|s| s.manifest.metadata.name.as_str())
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(systems[1].document, 2);
        // Positions are in file lines, not document lines.
        assert_eq!(systems[1].map.get("spec.lifecycle").unwrap().line, 17);
    }

    #[test]
    fn errors_in_a_later_document_carry_file_lines() {
        let text = format!("{}---\n{}", doc("a", "pilot"), doc("b", "nope"));
        let e = parse_manifests("multi.yaml", text.as_bytes()).unwrap_err();
        assert_eq!(
            e.position,
            Some(Position {
                line: 13,
                column: 14
            })
        );
        assert!(
            e.message
                .contains("`nope` is not one of the values this key takes"),
            "{}",
            e.message
        );
    }

    #[test]
    fn a_file_of_other_kinds_only_is_an_error() {
        let e = parse_manifests("c.yaml", b"kind: Component\nmetadata: {name: c}\n").unwrap_err();
        assert!(e.message.contains("no AISystem document"));
    }

    #[test]
    fn bytes_are_placed_by_every_kind_of_line_break() {
        for text in [
            &b"a: 1\rb: 2\r\nc: \xff\n"[..],
            &b"a: 1\nb: 2\nc: \xff\n"[..],
        ] {
            let e = parse_manifests("m.yaml", text).unwrap_err();
            assert_eq!(e.position, Some(Position { line: 3, column: 4 }));
        }
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let text = format!("\u{feff}{}", doc("a", "pilot"));
        assert!(parse_manifests("bom.yaml", text.as_bytes()).is_ok());
    }
    #[test]
    fn every_failure_has_a_kind_to_match_on() {
        use ManifestErrorKind as K;
        let big = vec![b' '; MAX_MANIFEST_BYTES as usize + 1];
        let deep = format!("{}x: 1\n", "- ".repeat(MAX_DEPTH + 2));
        let dup_metric = format!(
            "{}  success_metrics:\n    - name: x\n    - name: x\n",
            doc("a", "pilot")
        );
        let long = format!(
            "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: a\n  description: {}\nspec:\n  lifecycle: pilot\n",
            "x".repeat(5_000)
        );
        let bad_lifecycle = doc("a", "beta");
        let cases: [(&[u8], ManifestErrorKind); 10] = [
            (&big, K::TooLarge),
            (b"\xff\xfek\x00i\x00n\x00d\x00", K::NotUtf8),
            (b"a: \xe9\n", K::NotUtf8),
            (b"a: 1\n\x00", K::Binary),
            (b"a: [1, 2\n", K::Syntax),
            (b"# nothing\n", K::NoManifest),
            (bad_lifecycle.as_bytes(), K::Invalid),
            (deep.as_bytes(), K::LimitExceeded),
            (dup_metric.as_bytes(), K::DuplicateName),
            (long.as_bytes(), K::LimitExceeded),
        ];
        for (bytes, kind) in cases {
            let e = parse_manifests("m.yaml", bytes).unwrap_err();
            assert_eq!(e.kind, kind, "{}", e.one_line());
        }
        let e = load_file(Path::new("/nonexistent/m.yaml")).unwrap_err();
        assert_eq!(
            e.kind,
            ManifestErrorKind::Unreadable(std::io::ErrorKind::NotFound)
        );
    }

    #[test]
    fn a_located_error_carries_the_text_its_key_and_a_span_inside_it() {
        let text = doc("a", "beta");
        let e = parse_manifests("m.yaml", text.as_bytes()).unwrap_err();
        assert_eq!(e.text.as_deref(), Some(text.as_str()));
        assert_eq!(e.key.as_deref(), Some("spec.lifecycle"));
        let (start, len) = e.span().unwrap();
        assert_eq!(&text[start..start + len], "beta");
        // An error about the file as a whole quotes nothing.
        let e = parse_manifests("m.yaml", b"# nothing\n").unwrap_err();
        assert!(e.text.is_none() && e.span().is_none());
    }

    #[test]
    fn a_system_keeps_its_file_text_to_quote_and_locate() {
        let text = format!("\u{feff}{}  budget:\r    poc_cost: 10\n", doc("a", "pilot"));
        let systems = parse_manifests("m.yaml", text.as_bytes()).unwrap();
        let s = &systems[0];
        assert_eq!(s.file(), "m.yaml");
        // Without the byte order mark, the lone carriage return as a line break.
        assert!(s.text().starts_with("apiVersion") && s.text().contains("budget:\n"));
        let snippet = s.snippet("spec.lifecycle", 1);
        assert_eq!(snippet.first_line, 5);
        assert_eq!(snippet.lines, ["spec:", "  lifecycle: pilot", "  budget:"]);
        assert!(snippet.exact);
        // A key not written is shown at its nearest written parent.
        let e = s.error_at("spec.budget.annual.maintenance", "too much");
        assert_eq!(e.position, s.map.get("spec.budget"));
        assert_eq!(e.kind, ManifestErrorKind::Invalid);
        assert!(std::sync::Arc::ptr_eq(
            e.text.as_ref().unwrap(),
            &s.shared_text()
        ));
        assert!(!s.snippet("spec.budget.annual", 0).exact);
    }

    #[test]
    fn a_shared_system_name_is_located_at_the_second_one() {
        let one = parse_manifests("one.yaml", doc("same", "pilot").as_bytes()).unwrap();
        let two = parse_manifests("two.yaml", doc("same", "pilot").as_bytes()).unwrap();
        let e = ManifestError::duplicate_system(&two[0], &one[0]);
        assert_eq!(e.kind, ManifestErrorKind::DuplicateSystem);
        assert_eq!(&*e.file, "two.yaml");
        assert_eq!(e.position, Some(Position { line: 4, column: 3 }));
        assert!(
            e.message.contains("`same` is already used at one.yaml:4:3"),
            "{}",
            e.message
        );
    }
}
