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
    let Ok(file) = steward_io::open_input(path) else {
        return false;
    };
    // Sniffing a pipe would consume the bytes its data reader needs: only a regular file can
    // be a profile (a profile piped in is read as data, and its multi-line JSON is then
    // refused as JSON Lines with a line number, never compared as one row).
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    // The head of the file is read in growing slices and parsed from memory: serde_json's
    // reader-based parser goes byte by byte and took most of a profile comparison's time.
    // A JSON Lines dataset is decided by its first line, a profile by its first value, so a
    // large data file is never read whole here.
    let mut file = file.take(PROFILE_SIZE_LIMIT);
    let mut head = Vec::new();
    let mut want = 64 * 1024;
    loop {
        let before = head.len();
        if (&mut file)
            .take((want - before) as u64)
            .read_to_end(&mut head)
            .is_err()
        {
            return false;
        }
        let at_end = head.len() < want;
        match Profile::first_value_is_profile(&head) {
            Some(answer) => return answer,
            // The first value is cut off by the slice: read more, unless there is no more.
            None if !at_end && head.len() > before => want = want.saturating_mul(4),
            None => return Profile::looks_like_profile(&head),
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
