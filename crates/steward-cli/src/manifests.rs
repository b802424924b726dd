//! Loading the manifests named on the command line, with every problem collected (not only
//! the first), and names checked for uniqueness across the portfolio.

use std::collections::HashMap;
use std::path::PathBuf;

use rayon::prelude::*;
use steward_manifest::{ManifestError, ManifestFile, Skipped, System, discover, load_file};

use crate::failure::Failure;

pub struct Loaded {
    /// The file as the report names it.
    pub file: String,
    pub system: System,
}

/// Parses the files on the thread pool, keeping their order (reports stay stable).
fn parse_in_parallel(files: &[PathBuf]) -> Vec<Result<ManifestFile, ManifestError>> {
    files.par_iter().map(|p| load_file(p)).collect()
}

/// Loads every manifest the paths name or hold. See [`load_all_reporting`].
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, Failure> {
    load_all_reporting(paths, &mut |_| {})
}

/// Loads every manifest the paths name or hold, telling `skipped` about each file looked
/// at and left out (a folder's unrelated YAML, a file named twice), with the reason, before
/// anything is loaded, so a caller can list them (`--verbose`) even when loading fails.
pub fn load_all_reporting(
    paths: &[PathBuf],
    skipped: &mut dyn FnMut(&Skipped),
) -> Result<Vec<Loaded>, Failure> {
    let found = discover(paths);
    for s in &found.skipped {
        skipped(s);
    }
    let mut errors = found.errors;
    let files = found.files;
    if files.is_empty() && errors.is_empty() {
        let names: Vec<String> = paths
            .iter()
            .map(|p| steward_io::escape_line(&p.display().to_string()).into_owned())
            .collect();
        let looked = found
            .skipped
            .iter()
            .filter(|s| {
                !matches!(
                    s.reason,
                    steward_manifest::SkipReason::FolderAlreadySearched
                        | steward_manifest::SkipReason::FolderTooDeep
                )
            })
            .count();
        let detail = match looked {
            0 => String::new(),
            1 => "; 1 YAML file was looked at and left out (--verbose says why)".into(),
            n => format!("; {n} YAML files were looked at and left out (--verbose says why)"),
        };
        return Err(Failure::Other(anyhow::anyhow!(
            "no AISystem manifest found under {} (looked for *.yaml / *.yml files with `kind: AISystem`){detail}",
            names.join(", ")
        )));
    }
    let mut loaded = Vec::new();
    for (path, result) in files.iter().zip(parse_in_parallel(&files)) {
        match result {
            Ok(file) => {
                let display = path.display().to_string();
                loaded.extend(file.systems.into_iter().map(|system| Loaded {
                    file: display.clone(),
                    system,
                }));
            }
            Err(e) => errors.push(e),
        }
    }
    let mut seen: HashMap<&str, &System> = HashMap::new();
    for l in &loaded {
        let name = l.system.manifest.metadata.name.as_str();
        match seen.get(name) {
            Some(first) => errors.push(ManifestError::duplicate_system(&l.system, first)),
            None => {
                seen.insert(name, &l.system);
            }
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(Failure::Manifests(errors))
    }
}
