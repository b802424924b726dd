//! Loading the manifests named on the command line, with every problem collected (not only
//! the first), and names checked for uniqueness across the portfolio.

use std::collections::HashMap;
use std::path::PathBuf;

use steward_manifest::{ManifestError, ManifestFile, Position, System, discover, load_file};

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

pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, Failure> {
    let files = discover(paths).map_err(|e| Failure::Manifests(vec![e]))?;
    if files.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(Failure::Other(anyhow::anyhow!(
            "no AISystem manifest found under {} (looked for *.yaml / *.yml files with `kind: AISystem`)",
            names.join(", ")
        )));
    }
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
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
