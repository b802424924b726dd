//! Profiles as files: recognising one (by parsing, never by name), reading one with a size
//! cap, hashing a profiled file's bytes for the profile's `source`. The checks themselves
//! live in `steward_stats::profile` and take bytes, so a server that receives a profile in
//! a request body runs the same ones.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};
use steward_stats::profile::{Profile, ProfileError};

/// A profile file is read whole; this bounds the memory a file claiming to be one can take.
/// `steward profile` writes about 40 KB per numerical column (1,024 points and an HLL
/// sketch) and at most a few MB for a categorical one (its frequent-items sketch), so
/// 256 MiB is hundreds of columns of the largest kind.
pub const PROFILE_SIZE_LIMIT: u64 = 256 * 1024 * 1024;

/// Why a profile file could not be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ProfileFileError {
    #[error("{path}: a profile is at most {} MiB; this file is larger", PROFILE_SIZE_LIMIT / (1024 * 1024))]
    TooLarge { path: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Invalid {
        path: String,
        #[source]
        source: ProfileError,
    },
}

fn shown(path: &Path) -> String {
    steward_io::escape_line(&path.display().to_string()).into_owned()
}

/// Is `path` a profile (a JSON object with a `format` field naming a steward profile, or
/// shaped like one: `columns` and `rows`) rather than a dataset? Decided by parsing the
/// first JSON value of the file, so a profile of another version, or without `format`, is
/// recognised (and then refused by [`read_profile`]) instead of being read as a one-row
/// JSON Lines dataset.
pub fn is_profile(path: &Path) -> bool {
    use std::io::BufReader;
    #[derive(serde::Deserialize)]
    struct Probe {
        format: Option<serde_json::Value>,
        columns: Option<serde::de::IgnoredAny>,
        rows: Option<serde::de::IgnoredAny>,
    }
    let Ok(file) = steward_io::open_input(path) else {
        return false;
    };
    // Sniffing a pipe would consume the bytes its data reader needs: only a regular file can
    // be a profile (a profile piped in is read as data, and its multi-line JSON is then
    // refused as JSON Lines with a line number, never compared as one row).
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut reader = BufReader::new(file.take(PROFILE_SIZE_LIMIT));
    // Only a file whose first non-blank byte opens an object can be a profile. A UTF-8
    // byte order mark (editors on Windows write one) is skipped, as blanks are.
    let mut first = [0u8; 1];
    let mut bom = 0;
    loop {
        match reader.read(&mut first) {
            Ok(1) if first[0].is_ascii_whitespace() => continue,
            Ok(1) if first[0] == [0xEF, 0xBB, 0xBF][bom.min(2)] && bom < 3 => {
                bom += 1;
                continue;
            }
            Ok(1) if first[0] == b'{' => break,
            _ => return false,
        }
    }
    let rest = std::io::Cursor::new(b"{".to_vec()).chain(reader);
    let mut stream = serde_json::Deserializer::from_reader(rest).into_iter::<Probe>();
    match stream.next() {
        Some(Ok(p)) => {
            let named = matches!(&p.format, Some(serde_json::Value::String(f)) if f.starts_with("steward-profile"));
            named || (p.columns.is_some() && p.rows.is_some())
        }
        // A damaged or truncated profile still names its format near the top (where
        // `steward profile` writes it): it is reported as a damaged profile, not as a
        // JSON Lines file.
        _ => {
            let mut head = Vec::with_capacity(256);
            let opened = steward_io::open_input(path).map(|f| f.take(256).read_to_end(&mut head));
            opened.is_ok() && Profile::looks_like_profile(&head)
        }
    }
}

/// Reads and validates a profile file (at most [`PROFILE_SIZE_LIMIT`] bytes).
pub fn read_profile(path: &Path) -> Result<Profile, ProfileFileError> {
    let bytes = steward_io::read_limited(path, PROFILE_SIZE_LIMIT).map_err(|e| match e {
        steward_io::ReadError::TooLarge { .. } => ProfileFileError::TooLarge { path: shown(path) },
        steward_io::ReadError::Io(source) => ProfileFileError::Io {
            path: shown(path),
            source,
        },
    })?;
    Profile::from_json(&bytes).map_err(|source| ProfileFileError::Invalid {
        path: shown(path),
        source,
    })
}

/// The sha256 of a file's bytes as `sha256sum` prints it, read in one streaming pass;
/// `None` for what is not a regular file (a pipe's bytes are read once, by the reader).
pub fn sha256_of_file(path: &Path) -> Result<Option<String>, std::io::Error> {
    let mut file = steward_io::open_input(path)?;
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buffer[..n]);
    }
    let digest = hasher.finalize();
    Ok(Some(digest.iter().map(|b| format!("{b:02x}")).collect()))
}
