//! Reading manifests: bytes -> documents -> typed systems, with every failure turned into a
//! [`ManifestError`] that names the file, line and column and says what was expected.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::model::{KIND, Manifest};
use crate::source_map::{DocumentIndex, Position, SourceMap, index_documents};

/// A manifest is a hand-written file; anything larger is a mistake (or an attack), and is
/// refused before it is read.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// One AISystem document, typed, with the positions of its keys.
#[derive(Clone, Debug)]
pub struct System {
    pub manifest: Manifest,
    pub map: SourceMap,
    /// 0-based index of the document in its file.
    pub document: usize,
}

/// A file and the AISystem documents in it.
#[derive(Clone, Debug)]
pub struct ManifestFile {
    /// The path as the user wrote it (or as found under a folder they named).
    pub path: PathBuf,
    pub systems: Vec<System>,
}

/// Why a manifest could not be read, located in its file where that is possible.
#[derive(Clone, Debug)]
pub struct ManifestError {
    pub file: String,
    pub position: Option<Position>,
    pub message: String,
    pub help: Option<String>,
    source_text: Option<Box<NamedSource<Arc<str>>>>,
}

impl ManifestError {
    fn new(file: &str, position: Option<Position>, message: impl Into<String>) -> Self {
        ManifestError {
            file: file.to_string(),
            position,
            message: message.into(),
            help: None,
            source_text: None,
        }
    }

    fn with_source(mut self, text: &str) -> Self {
        if self.position.is_some() {
            self.source_text = Some(Box::new(
                NamedSource::new(&self.file, Arc::<str>::from(text)).with_language("yaml"),
            ));
        }
        self
    }

    fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// A problem found after parsing (by the gate's neighbours: cost, metrics), located at
    /// a position in `text`, the file's contents, so it renders like a parse error.
    pub fn located(
        file: &str,
        text: Option<&str>,
        position: Position,
        message: impl Into<String>,
    ) -> Self {
        let e = ManifestError::new(file, Some(position), message);
        match text {
            Some(t) => e.with_source(t),
            None => e,
        }
    }

    /// Two systems share a name; names must be unique in a portfolio (they key the server's
    /// API, alerts and metrics).
    pub fn duplicate_name(
        file: &str,
        at: Position,
        name: &str,
        first_file: &str,
        first: Position,
    ) -> Self {
        ManifestError::new(
            file,
            Some(at),
            format!(
                "the system name `{name}` is already used at {first_file}:{}:{}; names must be unique in a portfolio",
                first.line, first.column
            ),
        )
    }

    /// `file:line:column: message`, the one-line form for logs and machine consumers.
    pub fn one_line(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}: {}", self.file, p.line, p.column, self.message),
            None => format!("{}: {}", self.file, self.message),
        }
    }

    /// Byte offset and length of the offending token, for the underline.
    fn label_span(&self) -> Option<(usize, usize)> {
        let text: &str = self.source_text.as_ref()?.inner();
        let p = self.position?;
        let line_start = text
            .split_inclusive('\n')
            .take(p.line.saturating_sub(1))
            .map(str::len)
            .sum::<usize>();
        let line = text[line_start.min(text.len())..]
            .split('\n')
            .next()
            .unwrap_or("");
        let col_byte = line
            .char_indices()
            .nth(p.column.saturating_sub(1))
            .map(|(i, _)| i)
            .unwrap_or(line.len());
        let rest = &line[col_byte..];
        let len = rest
            .char_indices()
            .find(|(_, c)| c.is_whitespace() || *c == ',' || *c == '}' || *c == ']')
            .map(|(i, _)| i)
            .unwrap_or(rest.len())
            .max(1)
            .min(rest.len().max(1));
        let start = (line_start + col_byte).min(text.len());
        Some((start, len.min(text.len() - start)))
    }
}

/// With a source snippet the diagnostic shows `file:line:column` itself, so the message
/// stands alone; without one, the file (and position) lead the message.
impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source_text.is_some() {
            f.write_str(&self.message)
        } else {
            f.write_str(&self.one_line())
        }
    }
}

impl std::error::Error for ManifestError {}

impl Diagnostic for ManifestError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source_text.as_deref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (start, len) = self.label_span()?;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, (start, len)),
        )))
    }
}

/// Does this text declare an AISystem document? Used to pick manifests out of a folder of
/// unrelated YAML (Helm charts, CI files, Backstage entities) without parsing them all.
pub fn mentions_aisystem(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        let t = t.strip_prefix("- ").unwrap_or(t);
        t.starts_with("kind:") && t[5..].trim().trim_matches(['"', '\'']).starts_with(KIND)
    })
}

fn position_of_byte(text: &[u8], offset: usize) -> Position {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
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
    } else if m == "invalid floating point" {
        m = "expected a number".into();
    } else if let Some(rest) = m.strip_prefix("missing field ") {
        m = format!("missing the required key {rest}");
    } else if m == "expected mapping start" {
        m = "expected a mapping of keys (a manifest has apiVersion, kind, metadata and spec)"
            .into();
    }
    m.replace(", set DuplicateKeyPolicy in Options if acceptable", "")
}

/// The scalar written at `p` (up to the end of the line or a flow delimiter), if any.
fn token_at(text: &str, p: Position) -> Option<String> {
    let line = text.lines().nth(p.line.checked_sub(1)?)?;
    let rest: String = line.chars().skip(p.column.saturating_sub(1)).collect();
    let token = rest.split(['#', ',', '}', ']']).next().unwrap_or("").trim();
    let token: String = token.chars().take(40).collect();
    (!token.is_empty()).then_some(token)
}

fn expected_help(message: &str) -> Option<String> {
    if message.contains("unknown field") {
        Some("remove the key or fix its spelling; `steward schema` lists every key a manifest may have".into())
    } else if message.contains("duplicate") {
        Some("each key may appear once in a mapping; keep one of them".into())
    } else if message.contains("tab") {
        Some("YAML indents with spaces; replace the tab characters".into())
    } else {
        None
    }
}

/// Parses every AISystem document in `bytes`. Documents of other kinds (Backstage entities
/// living in the same file) are skipped; a file with no AISystem document is an error.
pub fn parse_manifests(file: &str, bytes: &[u8]) -> Result<Vec<System>, ManifestError> {
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(too_large(file, bytes.len() as u64));
    }
    if let Some(i) = bytes.iter().position(|&b| b == 0) {
        return Err(ManifestError::new(
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
    parse_text(file, text)
}

fn too_large(file: &str, size: u64) -> ManifestError {
    ManifestError::new(
        file,
        None,
        format!(
            "the file is {size} bytes; a manifest may be at most {} bytes (4 MiB)",
            MAX_MANIFEST_BYTES
        ),
    )
    .with_help("a manifest describes one AI system by hand; data belongs in the data commands")
}

fn parse_text(file: &str, text: &str) -> Result<Vec<System>, ManifestError> {
    let docs = index_documents(text).map_err(|e| {
        let m = e.marker();
        let msg = bare_message(&e.to_string());
        let help = expected_help(&msg);
        let mut err = ManifestError::new(
            file,
            Some(Position {
                line: m.line().max(1),
                column: m.col() + 1,
            }),
            format!("this is not valid YAML: {msg}"),
        )
        .with_source(text);
        err.help = help;
        err
    })?;
    let docs: Vec<DocumentIndex> = docs
        .into_iter()
        .filter(|d| !d.map.is_empty() || d.kind.is_some() || d.map.root.line > 0)
        .collect();
    if docs.is_empty() {
        return Err(ManifestError::new(
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
    for (index, doc) in docs.iter().enumerate() {
        match doc.kind.as_deref() {
            Some(KIND) | None => {}
            Some(_) => continue,
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
        let mut options = serde_saphyr::Options::default();
        options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::Error;
        options.with_snippet = false;
        match serde_saphyr::from_str_with_options::<Manifest>(slice, options) {
            Ok(manifest) => systems.push(System {
                manifest,
                map: doc.map.clone(),
                document: index,
            }),
            Err(e) => {
                let position = e.location().map(|l| Position {
                    line: (l.line() as usize).max(1) + doc.first_line - 1,
                    column: (l.column() as usize).max(1),
                });
                let mut message = bare_message(&e.without_snippet().to_string());
                if message.is_empty() {
                    message = "this document could not be read as an AISystem manifest".into();
                }
                if doc.kind.is_none() && message.contains("missing the required key") {
                    message = format!(
                        "{message}: a manifest starts with `apiVersion: steward/v1` and `kind: AISystem`"
                    );
                }
                if message.starts_with("expected ")
                    && let Some(found) = position.and_then(|p| token_at(text, p))
                {
                    message = format!("{message}, found `{found}`");
                }
                let help = expected_help(&message);
                let mut err = ManifestError::new(file, position, message).with_source(text);
                if let Some(h) = help {
                    err = err.with_help(h);
                }
                return Err(err);
            }
        }
    }
    if systems.is_empty() {
        return Err(ManifestError::new(
            file,
            None,
            "no AISystem document in this file (every document has another `kind`)",
        ));
    }
    Ok(systems)
}

/// Reads and parses one manifest file, refusing oversized files before reading them.
pub fn load_file(path: &Path) -> Result<ManifestFile, ManifestError> {
    let display = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| ManifestError::new(&display, None, format!("cannot read the file: {e}")))?;
    if meta.is_dir() {
        return Err(ManifestError::new(
            &display,
            None,
            "is a folder, expected a file",
        ));
    }
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(too_large(&display, meta.len()));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| ManifestError::new(&display, None, format!("cannot read the file: {e}")))?;
    let systems = parse_manifests(&display, &bytes)?;
    Ok(ManifestFile {
        path: path.to_path_buf(),
        systems,
    })
}

/// Expands the command-line arguments into manifest files: a file is taken as named; a
/// folder is searched recursively for `*.yaml` / `*.yml` files that declare
/// `kind: AISystem` (hidden folders and `target/` are skipped). The result is sorted so
/// reports are stable across machines.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ManifestError> {
    let mut out = Vec::new();
    for p in paths {
        let display = p.display().to_string();
        let meta = std::fs::metadata(p)
            .map_err(|e| ManifestError::new(&display, None, format!("cannot read: {e}")))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found).map_err(|e| {
                ManifestError::new(&display, None, format!("cannot read the folder: {e}"))
            })?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ft = entry.file_type()?;
        if ft.is_dir() {
            if !name.starts_with('.') && name != "target" && name != "node_modules" {
                walk(&path, out)?;
            }
        } else if (name.ends_with(".yaml") || name.ends_with(".yml")) && ft.is_file() {
            let small = entry
                .metadata()
                .map(|m| m.len() <= MAX_MANIFEST_BYTES)
                .unwrap_or(false);
            // An oversized YAML file in a folder is reported when it claims to be a manifest;
            // only its first 64 KiB are read to find out.
            let head = read_head(&path, if small { usize::MAX } else { 64 * 1024 })?;
            if mentions_aisystem(&String::from_utf8_lossy(&head)) {
                out.push(path);
            }
        }
    }
    Ok(())
}

fn read_head(path: &Path, limit: usize) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let f = std::fs::File::open(path)?;
    let mut buf = Vec::new();
    f.take(limit as u64).read_to_end(&mut buf)?;
    Ok(buf)
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
            e.message.contains("unknown variant `nope`"),
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
    fn a_byte_order_mark_is_accepted() {
        let text = format!("\u{feff}{}", doc("a", "pilot"));
        assert!(parse_manifests("bom.yaml", text.as_bytes()).is_ok());
    }

    #[test]
    fn aisystem_detection() {
        assert!(mentions_aisystem(
            "apiVersion: steward/v1\nkind: AISystem\n"
        ));
        assert!(mentions_aisystem("kind: \"AISystem\"\n"));
        assert!(!mentions_aisystem("kind: Component\n# AISystem later\n"));
    }
}
