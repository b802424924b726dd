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

use crate::load::{MAX_MANIFEST_BYTES, ManifestError};
use crate::model::KIND;
use crate::source_map::{IndexError, scan_kinds};

/// How much of a YAML file over the size limit is read to see whether it claims to be a
/// manifest (it is then reported as too large rather than skipped).
const HEAD_BYTES: u64 = 64 * 1024;

/// Folders are followed at most this deep (symbolic links can make a tree look endless;
/// loops are also caught by remembering the folders visited).
const MAX_FOLDER_DEPTH: usize = 64;

/// Why a file was looked at and left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// It stopped being YAML at this point, and nothing before declared an AISystem.
    NotYaml(IndexError),
    /// Not UTF-8 text (a binary file, or another encoding).
    NotText,
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
    /// A folder nested deeper than the search follows.
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
            SkipReason::NotText => f.write_str("not UTF-8 text"),
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
    let mut out = Discovered::default();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    let mut candidates: Vec<PathBuf> = Vec::new();
    for p in paths {
        match std::fs::metadata(p) {
            Err(e) => out.errors.push(ManifestError::new(
                &p.display().to_string(),
                None,
                format!("cannot read: {e}"),
            )),
            Ok(meta) if meta.is_dir() => {
                let mut found = Vec::new();
                walk(p, 0, &mut visited, &mut found, &mut out);
                found.sort();
                candidates.extend(found);
            }
            // A file named on the command line is read whatever it is; the reader bounds
            // what it takes from a device or a pipe.
            Ok(_) => candidates.push(p.clone()),
        }
    }
    let mut seen: HashMap<PathBuf, PathBuf> = HashMap::new();
    for p in candidates {
        let key = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
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

fn walk(
    dir: &Path,
    depth: usize,
    visited: &mut HashSet<PathBuf>,
    found: &mut Vec<PathBuf>,
    out: &mut Discovered,
) {
    let display = dir.display().to_string();
    if depth > MAX_FOLDER_DEPTH {
        out.skipped.push(Skipped {
            path: dir.to_path_buf(),
            reason: SkipReason::FolderTooDeep,
        });
        return;
    }
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    if !visited.insert(canonical) {
        out.skipped.push(Skipped {
            path: dir.to_path_buf(),
            reason: SkipReason::FolderAlreadySearched,
        });
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            out.errors.push(ManifestError::new(
                &display,
                None,
                format!("cannot read the folder: {e}"),
            ));
            return;
        }
    };
    let mut entries: Vec<_> = entries
        .filter_map(|entry| match entry {
            Ok(entry) => Some(entry),
            Err(e) => {
                out.errors.push(ManifestError::new(
                    &display,
                    None,
                    format!("cannot list the folder: {e}"),
                ));
                None
            }
        })
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        // A symbolic link is followed: to a file it is that file, to a folder that folder.
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                // A dangling link or an entry removed meanwhile: only a YAML file matters.
                if is_yaml {
                    out.errors.push(ManifestError::new(
                        &path.display().to_string(),
                        None,
                        format!("cannot read the file: {e}"),
                    ));
                }
                continue;
            }
        };
        if meta.is_dir() {
            if !skipped_folder_name(&name) {
                walk(&path, depth + 1, visited, found, out);
            }
        } else if is_yaml {
            if !meta.is_file() {
                out.skipped.push(Skipped {
                    path,
                    reason: SkipReason::NotRegularFile,
                });
                continue;
            }
            match classify(&path) {
                Ok(None) => found.push(path),
                Ok(Some(reason)) => out.skipped.push(Skipped { path, reason }),
                Err(e) => out.errors.push(ManifestError::new(
                    &path.display().to_string(),
                    None,
                    format!("cannot read the file: {e}"),
                )),
            }
        }
    }
}

/// `None` when the file is (or claims to be) a manifest, else why it is left out.
fn classify(path: &Path) -> std::io::Result<Option<SkipReason>> {
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

fn decide(bytes: &[u8], truncated: bool) -> Option<SkipReason> {
    let is_text = std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0);
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let scan = scan_kinds(text);
    if scan.aisystem {
        return None;
    }
    // A damaged manifest must reach the loader, which says what is wrong with it, rather
    // than be skipped as "not YAML": a line `kind: AISystem` at the top level is taken as
    // its claim to be one.
    if (scan.error.is_some() || !is_text || truncated) && claims_aisystem(text) {
        return None;
    }
    Some(if truncated {
        SkipReason::TooLarge
    } else if !is_text {
        SkipReason::NotText
    } else if let Some(e) = scan.error {
        SkipReason::NotYaml(e)
    } else {
        SkipReason::NoAISystem {
            kinds: scan.other_kinds,
        }
    })
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

    #[test]
    fn decisions() {
        assert_eq!(decide(b"kind: AISystem\n", false), None);
        assert_eq!(
            decide(
                b"kind: ConfigMap\ndata:\n  x: |\n    kind: AISystem\n",
                false
            ),
            Some(SkipReason::NoAISystem {
                kinds: vec!["ConfigMap".into()]
            })
        );
        // Broken YAML that says it is a manifest goes to the loader, which reports it.
        assert_eq!(decide(b"kind: AISystem\nspec: [\n", false), None);
        assert_eq!(decide(b"spec: [\nkind: AISystem\n", false), None);
        assert!(matches!(
            decide(b"a: [\n", false),
            Some(SkipReason::NotYaml(_))
        ));
        assert_eq!(
            decide(b"\xff\xfe k\0i\0n\0d\0", false),
            Some(SkipReason::NotText)
        );
        assert_eq!(decide(b"kind: AISystem\nx: \xff\n", false), None);
        assert_eq!(decide(b"a: 1\nb: [", true), Some(SkipReason::TooLarge));
        assert_eq!(decide(b"kind: AISystem\nb: [", true), None);
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
