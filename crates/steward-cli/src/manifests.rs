//! Loading the manifests named on the command line, with every problem collected (not only
//! the first), and names checked for uniqueness across the portfolio.

use std::collections::HashMap;
use std::path::PathBuf;

use steward_manifest::{
    ManifestError, ManifestFile, Position, Skipped, System, discover, load_file,
};

use crate::failure::Failure;

pub struct Loaded {
    /// The file as the report names it.
    pub file: String,
    pub system: System,
}

/// Parses the files on every core, keeping their order (reports stay stable).
fn parse_in_parallel(files: &[PathBuf]) -> Vec<Result<ManifestFile, ManifestError>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(files.len().div_ceil(16).max(1));
    if threads <= 1 {
        return files.iter().map(|p| load_file(p)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| load_file(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
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
    let mut seen: HashMap<String, (String, Position)> = HashMap::new();
    for l in &loaded {
        let name = l.system.manifest.metadata.name.to_string();
        let pos = l.system.map.locate("metadata.name").0;
        if let Some((first_file, first_pos)) = seen.get(&name) {
            errors.push(ManifestError::duplicate_name(
                &l.file, pos, &name, first_file, *first_pos,
            ));
        } else {
            seen.insert(name, (l.file.clone(), pos));
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(Failure::Manifests(errors))
    }
}
