//! From command-line arguments to manifest files: a file is taken as named, a folder is
//! searched for YAML files whose documents declare `kind: AISystem`.
//!
//! The decision reads each document's top-level `kind` from the YAML events (not the text:
//! JSON-style `{"kind": "AISystem"}`, a quoted key or `!!str AISystem` count, a ConfigMap
//! that merely embeds a manifest in a string or `kind: AISystemPolicy` do not). Every file
//! looked at and left out is returned with the reason, so `--verbose` can say why a system
//! went unseen; a file that cannot be read is an error against that file, and the other
//! files are still searched.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{ManifestError, ManifestErrorKind};
use crate::load::{Encoding, MAX_MANIFEST_BYTES, normalize_line_breaks};
use crate::model::KIND;
use crate::source_map::{IndexError, scan_kinds};

/// How much of a YAML file over the size limit is read to see whether it claims to be a
/// manifest (it is then reported as too large rather than skipped).
const HEAD_BYTES: u64 = 64 * 1024;

/// Folders are followed at most this deep (symbolic links can make a tree look endless;
/// loops are also caught by remembering the folders visited). A folder deeper than this is
/// an error, not a skip: a system below it would otherwise go unseen while `check` passes.
pub const MAX_FOLDER_DEPTH: usize = 64;

/// At most this many YAML files are looked at in one search (`check /` would otherwise read
/// a whole disk); past it the search stops with an error naming the folder.
pub const MAX_YAML_FILES: usize = 100_000;

/// At most this many folder entries (files and folders of every kind) are visited in one
/// search, for the same reason.
pub const MAX_ENTRIES: usize = 1_000_000;

/// Why a file was looked at and left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// It stopped being YAML at this point, and nothing before declared an AISystem.
    NotYaml(IndexError),
    /// Text in another encoding (UTF-16 or UTF-32) with no AISystem document.
    OtherEncoding {
        encoding: &'static str,
        kinds: Vec<String>,
    },
    /// Valid YAML, but no document has the top-level `kind: AISystem`; the kinds it has.
    NoAISystem { kinds: Vec<String> },
    /// Larger than the manifest limit, and its beginning declares no AISystem.
    TooLarge,
    /// A device, pipe or socket found in a folder.
    NotRegularFile,
    /// The same file was already named or found under another name.
    Duplicate { of: PathBuf },
    /// A folder already searched (a symbolic link loop or a folder named twice).
    FolderAlreadySearched,
    /// A folder nested deeper than the search follows (also reported as an error).
    FolderTooDeep,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::NotYaml(e) => {
                let at = e.position();
                let what = match e {
                    IndexError::Syntax { message, .. } => message.clone(),
                    other => other.message(),
                };
                write!(
                    f,
                    "not YAML at line {}, column {}: {}",
                    at.line,
                    at.column,
                    steward_io::escape_line(&what)
                )
            }
            SkipReason::OtherEncoding { encoding, kinds } => {
                write!(f, "{encoding} text with no document of `kind: {KIND}`")?;
                if !kinds.is_empty() {
                    let kinds: Vec<String> = kinds
                        .iter()
                        .map(|k| format!("`{}`", steward_io::clip(k, 40)))
                        .collect();
                    write!(f, " (found kind {})", kinds.join(", "))?;
                }
                Ok(())
            }
            SkipReason::NoAISystem { kinds } if kinds.is_empty() => {
                write!(f, "no document with `kind: {KIND}`")
            }
            SkipReason::NoAISystem { kinds } => {
                let kinds: Vec<String> = kinds
                    .iter()
                    .map(|k| format!("`{}`", steward_io::clip(k, 40)))
                    .collect();
                write!(
                    f,
                    "no document with `kind: {KIND}` (found kind {})",
                    kinds.join(", ")
                )
            }
            SkipReason::TooLarge => write!(
                f,
                "larger than {MAX_MANIFEST_BYTES} bytes, and its first {HEAD_BYTES} bytes declare no `kind: {KIND}`"
            ),
            SkipReason::NotRegularFile => f.write_str("not a regular file"),
            SkipReason::Duplicate { of } => write!(
                f,
                "the same file as {}",
                steward_io::escape_line(&of.display().to_string())
            ),
            SkipReason::FolderAlreadySearched => f.write_str("folder already searched"),
            SkipReason::FolderTooDeep => {
                write!(f, "folder nested more than {MAX_FOLDER_DEPTH} levels deep")
            }
        }
    }
}

/// A path looked at and left out, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: SkipReason,
}

/// `path: reason`, with control characters in the path made visible.
impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            steward_io::escape_line(&self.path.display().to_string()),
            self.reason
        )
    }
}

/// What the arguments expand to.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The manifest files, in argument order, each folder's files sorted, each file once.
    pub files: Vec<PathBuf>,
    /// Files (and folders) looked at and left out.
    pub skipped: Vec<Skipped>,
    /// Paths that could not be read, each against its own path.
    pub errors: Vec<ManifestError>,
}

/// Expands the command-line arguments into manifest files: a file is taken as named; a
/// folder is searched recursively (following symbolic links) for `*.yaml` / `*.yml` files
/// with an AISystem document; hidden folders, `target/` and `node_modules/` are skipped.
/// A file named twice (or reached twice, `examples/ ./examples/`) is taken once.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    discover_within(paths, MAX_YAML_FILES, MAX_ENTRIES)
}

fn discover_within(paths: &[PathBuf], max_yaml_files: usize, max_entries: usize) -> Discovered {
    let mut out = Discovered::default();
    let mut visited: HashSet<FileId> = HashSet::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    let mut budget = Budget {
        yaml_files: 0,
        entries: 0,
        max_yaml_files,
        max_entries,
        exhausted: false,
    };
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => out.errors.push(ManifestError::new(
                ManifestErrorKind::Unreadable(e.kind()),
                &p.display().to_string(),
                None,
                format!("cannot read: {e}"),
            )),
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                budget.exhausted = false;
                let mut search = Search {
                    root: p,
                    visited: &mut visited,
                    found: &mut found,
                    out: &mut out,
                    budget: &mut budget,
                };
                search.walk(p, 0);
                found.sort();
                candidates.extend(found);
            }
            // A file named on the command line is read whatever it is; the reader bounds
            // what it takes from a device or a pipe.
            Ok(_) => candidates.push(p.clone()),
        }
    }
    let mut seen: HashMap<FileId, PathBuf> = HashMap::new();
    for p in candidates {
        let key = file_id(&p);
        match seen.get(&key) {
            Some(first) => out.skipped.push(Skipped {
                path: p,
                reason: SkipReason::Duplicate { of: first.clone() },
            }),
            None => {
                seen.insert(key, p.clone());
                out.files.push(p);
            }
        }
    }
    out
}

fn skipped_folder_name(name: &str) -> bool {
    name.starts_with('.') || name == "target" || name == "node_modules"
}

/// What identifies a file or folder whatever name reaches it: its device and inode where
/// the system has them (so a hard link is the same file, as a symbolic link is), else its
/// canonical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileId {
    #[cfg_attr(not(unix), allow(dead_code))]
    Inode(u64, u64),
    Path(PathBuf),
}

fn file_id(path: &Path) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(m) = std::fs::metadata(path) {
            return FileId::Inode(m.dev(), m.ino());
        }
    }
    FileId::Path(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

struct Budget {
    yaml_files: usize,
    entries: usize,
    max_yaml_files: usize,
    max_entries: usize,
    /// The current search stopped at a limit (already reported).
    exhausted: bool,
}

/// One folder named on the command line being searched.
struct Search<'a> {
    root: &'a Path,
    visited: &'a mut HashSet<FileId>,
    found: &'a mut Vec<PathBuf>,
    out: &'a mut Discovered,
    budget: &'a mut Budget,
}

impl Search<'_> {
    fn error(&mut self, kind: ManifestErrorKind, path: &Path, message: String) {
        self.out.errors.push(ManifestError::new(
            kind,
            &path.display().to_string(),
            None,
            message,
        ));
    }

    /// Counts one more entry (and YAML file); `false` once a limit is passed, which is
    /// reported once, against the folder named on the command line.
    fn spend(&mut self, yaml: bool) -> bool {
        if self.budget.exhausted {
            return false;
        }
        self.budget.entries += 1;
        if yaml {
            self.budget.yaml_files += 1;
        }
        let over = if self.budget.yaml_files > self.budget.max_yaml_files {
            Some(format!(
                "more than {} YAML files",
                self.budget.max_yaml_files
            ))
        } else if self.budget.entries > self.budget.max_entries {
            Some(format!(
                "more than {} files and folders",
                self.budget.max_entries
            ))
        } else {
            None
        };
        match over {
            Some(what) => {
                self.budget.exhausted = true;
                let root = self.root.to_path_buf();
                self.error(
                    ManifestErrorKind::LimitExceeded,
                    &root,
                    format!(
                        "the search holds {what}, and stops there; name the folders that hold manifests"
                    ),
                );
                false
            }
            None => true,
        }
    }

    fn walk(&mut self, dir: &Path, depth: usize) {
        if depth > MAX_FOLDER_DEPTH {
            self.out.skipped.push(Skipped {
                path: dir.to_path_buf(),
                reason: SkipReason::FolderTooDeep,
            });
            self.error(
                ManifestErrorKind::LimitExceeded,
                dir,
                format!(
                    "this folder is nested more than {MAX_FOLDER_DEPTH} levels below {}, deeper than the search follows; name it (or a folder closer to it) on the command line",
                    self.root.display()
                ),
            );
            return;
        }
        if !self.visited.insert(file_id(dir)) {
            self.out.skipped.push(Skipped {
                path: dir.to_path_buf(),
                reason: SkipReason::FolderAlreadySearched,
            });
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.error(
                    ManifestErrorKind::Unreadable(e.kind()),
                    dir,
                    format!("cannot read the folder: {e}"),
                );
                return;
            }
        };
        let mut listed = Vec::new();
        for entry in entries {
            match entry {
                Ok(entry) => {
                    if !self.spend(false) {
                        return;
                    }
                    listed.push(entry);
                }
                Err(e) => self.error(
                    ManifestErrorKind::Unreadable(e.kind()),
                    dir,
                    format!("cannot list the folder: {e}"),
                ),
            }
        }
        listed.sort_by_key(|e| e.file_name());
        for entry in listed {
            if self.budget.exhausted {
                return;
            }
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // `.YAML` and `.Yml` too: editors on case-insensitive systems write them.
            let lower = name.to_ascii_lowercase();
            let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
            // A symbolic link is followed: to a file it is that file, to a folder that folder.
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => {
                    // A dangling link or an entry removed meanwhile: only a YAML file matters.
                    if is_yaml {
                        self.error(
                            ManifestErrorKind::Unreadable(e.kind()),
                            &path,
                            format!("cannot read the file: {e}"),
                        );
                    }
                    continue;
                }
            };
            if meta.is_dir() {
                if !skipped_folder_name(&name) {
                    self.walk(&path, depth + 1);
                }
            } else if is_yaml {
                if !meta.is_file() {
                    self.out.skipped.push(Skipped {
                        path,
                        reason: SkipReason::NotRegularFile,
                    });
                    continue;
                }
                if !self.spend(true) {
                    return;
                }
                match classify(&path) {
                    Ok(Decision::Take) => self.found.push(path),
                    Ok(Decision::Skip(reason)) => self.out.skipped.push(Skipped { path, reason }),
                    Ok(Decision::Undecidable(why)) => self.error(
                        ManifestErrorKind::Undecidable,
                        &path,
                        format!(
                            "cannot tell whether this is a manifest: {why}; a manifest is YAML text in UTF-8 (move other files out of the folder, or give them another extension)"
                        ),
                    ),
                    Err(e) => self.error(
                        ManifestErrorKind::Unreadable(e.kind()),
                        &path,
                        format!("cannot read the file: {e}"),
                    ),
                }
            }
        }
    }
}

/// What discovery makes of a YAML file.
#[derive(Debug, PartialEq, Eq)]
enum Decision {
    /// It is, claims to be, or may be a manifest: the loader reads it and says.
    Take,
    /// Decided: not a manifest, and why.
    Skip(SkipReason),
    /// Neither text to read nor a decision: an error against the file, never a silent skip.
    Undecidable(String),
}

fn classify(path: &Path) -> std::io::Result<Decision> {
    match steward_io::read_limited(path, MAX_MANIFEST_BYTES) {
        Ok(bytes) => Ok(decide(&bytes, false)),
        Err(steward_io::ReadError::Io(e)) => Err(e),
        Err(steward_io::ReadError::TooLarge { .. }) => {
            // Only its beginning is read: if that declares an AISystem, the file is taken
            // so that the loader reports it as too large instead of it going unseen.
            let mut head = Vec::new();
            steward_io::open_input(path)?
                .take(HEAD_BYTES)
                .read_to_end(&mut head)?;
            Ok(decide(&head, true))
        }
    }
}

fn decide(bytes: &[u8], truncated: bool) -> Decision {
    let is_utf8 = std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0);
    // UTF-16 and UTF-32 text is decoded to see what it declares; the loader then says
    // which encoding it is and asks for UTF-8.
    let encoding = (!is_utf8).then(|| Encoding::detect(bytes)).flatten();
    let decoded = match encoding {
        Some(enc) => {
            // A cut head may end inside a character: decode whole units only.
            let whole = if truncated {
                &bytes[..bytes.len() - bytes.len() % 4]
            } else {
                bytes
            };
            match enc.decode(whole) {
                Some(t) => t,
                None => {
                    return Decision::Undecidable(format!(
                        "it looks like {} text, but is not valid {}",
                        enc.name(),
                        enc.name()
                    ));
                }
            }
        }
        None => String::from_utf8_lossy(bytes).into_owned(),
    };
    let text = decoded.strip_prefix('\u{feff}').unwrap_or(&decoded);
    let text = normalize_line_breaks(text);
    let scan = scan_kinds(&text);
    if scan.aisystem || scan.undecided {
        return Decision::Take;
    }
    // A damaged manifest must reach the loader, which says what is wrong with it, rather
    // than be skipped as "not YAML": a line `kind: AISystem` at the top level is taken as
    // its claim to be one.
    if (scan.error.is_some() || !is_utf8 || truncated) && claims_aisystem(&text) {
        return Decision::Take;
    }
    if truncated {
        return Decision::Skip(SkipReason::TooLarge);
    }
    match (encoding, scan.error) {
        (Some(enc), None) => Decision::Skip(SkipReason::OtherEncoding {
            encoding: enc.name(),
            kinds: scan.other_kinds,
        }),
        (Some(_), Some(e)) => Decision::Skip(SkipReason::NotYaml(e)),
        // Bytes that are no text at all, in a file named as YAML: what it holds cannot be
        // told, so it is reported rather than dropped.
        (None, Some(_)) if !is_utf8 => Decision::Undecidable(
            "it is not text (not UTF-8, UTF-16 or UTF-32), and not YAML read as such".into(),
        ),
        (None, Some(e)) => Decision::Skip(SkipReason::NotYaml(e)),
        (None, None) => Decision::Skip(SkipReason::NoAISystem {
            kinds: scan.other_kinds,
        }),
    }
}

/// A top-level `kind: AISystem` written on a line of its own (block style, at column 0,
/// the key and value possibly quoted or tagged `!!str`), or as a `"kind": "AISystem"` entry
/// of a flow mapping that starts the line. Used only for text the YAML parser gave up on.
fn claims_aisystem(text: &str) -> bool {
    fn unquote(s: &str) -> &str {
        let s = s.trim();
        for q in ['"', '\''] {
            if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
                return inner;
            }
        }
        s
    }
    fn entry_is_kind(entry: &str) -> bool {
        let Some((key, value)) = entry.split_once(':') else {
            return false;
        };
        let value = value.split(" #").next().unwrap_or("").trim();
        let value = value.strip_prefix("!!str").unwrap_or(value);
        unquote(key) == "kind" && unquote(value) == KIND
    }
    text.lines().any(|line| {
        if let Some(flow) = line.strip_prefix('{') {
            flow.split([',', '}']).any(entry_is_kind)
        } else {
            !line.starts_with([' ', '\t']) && entry_is_kind(line)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damaged_manifests_are_still_claimed() {
        assert!(claims_aisystem("apiVersion: steward/v1\nkind: AISystem\n"));
        assert!(claims_aisystem("kind: \"AISystem\"  # yes\n"));
        assert!(claims_aisystem("\"kind\": !!str AISystem\n"));
        assert!(claims_aisystem(
            "{\"apiVersion\": \"steward/v1\", \"kind\": \"AISystem\", [\n"
        ));
        assert!(!claims_aisystem("  kind: AISystem\n"));
        assert!(!claims_aisystem("kind: AISystemPolicy\n"));
        assert!(!claims_aisystem("kind: Component\n# AISystem later\n"));
    }

    fn utf16(text: &str, bom: bool, little: bool) -> Vec<u8> {
        let mut b = Vec::new();
        if bom {
            b.extend_from_slice(if little { &[0xFF, 0xFE] } else { &[0xFE, 0xFF] });
        }
        for u in text.encode_utf16() {
            b.extend_from_slice(&if little {
                u.to_le_bytes()
            } else {
                u.to_be_bytes()
            });
        }
        b
    }

    #[test]
    fn decisions() {
        use Decision::*;
        assert_eq!(decide(b"kind: AISystem\n", false), Take);
        assert_eq!(
            decide(
                b"kind: ConfigMap\ndata:\n  x: |\n    kind: AISystem\n",
                false
            ),
            Skip(SkipReason::NoAISystem {
                kinds: vec!["ConfigMap".into()]
            })
        );
        // Broken YAML that says it is a manifest goes to the loader, which reports it.
        assert_eq!(decide(b"kind: AISystem\nspec: [\n", false), Take);
        assert_eq!(decide(b"spec: [\nkind: AISystem\n", false), Take);
        assert!(matches!(
            decide(b"a: [\n", false),
            Skip(SkipReason::NotYaml(_))
        ));
        assert_eq!(decide(b"kind: AISystem\nx: \xff\n", false), Take);
        assert_eq!(decide(b"a: 1\nb: [", true), Skip(SkipReason::TooLarge));
        assert_eq!(decide(b"kind: AISystem\nb: [", true), Take);
        // Lone carriage returns are line breaks.
        assert_eq!(decide(b"a: 1\rkind: AISystem\r", false), Take);
    }

    #[test]
    fn other_encodings_are_decoded_and_binary_is_undecidable() {
        use Decision::*;
        for (bom, little) in [(true, true), (true, false), (false, true), (false, false)] {
            let b = utf16("apiVersion: steward/v1\nkind: AISystem\n", bom, little);
            assert_eq!(decide(&b, false), Take, "bom {bom} le {little}");
            let b = utf16("kind: Component\n", bom, little);
            assert!(
                matches!(decide(&b, false), Skip(SkipReason::OtherEncoding { .. })),
                "bom {bom} le {little}"
            );
        }
        let mut utf32 = vec![0xFF, 0xFE, 0, 0];
        for c in "kind: AISystem\n".chars() {
            utf32.extend_from_slice(&(c as u32).to_le_bytes());
        }
        assert_eq!(decide(&utf32, false), Take);
        // Bytes that are no text: reported, never skipped.
        assert!(matches!(
            decide(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x01\x02\x03", false),
            Undecidable(_)
        ));
        // Latin-1 YAML of another kind is still decided.
        assert_eq!(
            decide(b"kind: Component\n# caf\xe9\n", false),
            Skip(SkipReason::NoAISystem {
                kinds: vec!["Component".into()]
            })
        );
    }

    #[test]
    fn a_search_past_its_file_limits_stops_with_an_error_naming_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            std::fs::write(
                dir.path().join(format!("s{i}.yaml")),
                format!("kind: AISystem\nmetadata: {{name: s{i}}}\n"),
            )
            .unwrap();
        }
        let root = dir.path().to_path_buf();
        let found = discover_within(std::slice::from_ref(&root), 3, 100);
        assert_eq!(found.files.len(), 3);
        assert_eq!(found.errors.len(), 1);
        let e = found.errors[0].one_line();
        assert!(e.contains("more than 3 YAML files"), "{e}");
        assert!(e.starts_with(&root.display().to_string()), "{e}");
        let found = discover_within(std::slice::from_ref(&root), 100, 2);
        assert!(
            found.errors[0]
                .message
                .contains("more than 2 files and folders")
        );
        assert!(discover(std::slice::from_ref(&root)).errors.is_empty());
    }

    #[test]
    fn reasons_read_plainly_and_safely() {
        let s = Skipped {
            path: PathBuf::from("a\u{1b}[2J.yaml"),
            reason: SkipReason::NoAISystem {
                kinds: vec!["Config\u{1b}Map".into()],
            },
        };
        let text = s.to_string();
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("found kind `Config\\u{1b}Map`"), "{text}");
    }
}
