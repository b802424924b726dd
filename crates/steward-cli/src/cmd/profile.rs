//! `steward profile`: a dataset's mergeable profile, and `steward profile merge`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use steward_data::{Format, read};
use steward_stats::profile::Profile;

use crate::cli::{InputFormat, ProfileAction, ProfileArgs};
use crate::failure::Failure;

/// Reads a profile written by `steward profile`: at most 256 MiB, of this format version,
/// every field checked.
pub fn read_profile(path: &Path) -> anyhow::Result<Profile> {
    steward_data::profile_file::read_profile(path).map_err(|e| anyhow!("{e}"))
}

/// Now, as a profile's `created_at` records it: RFC 3339 in UTC, to the second.
fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn write(p: &Profile, source: &str, output: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<()> {
    // A profile that could not be read back is not written (a variance past f64, say); the
    // error names what it was made from.
    p.validate()
        .map_err(|e| anyhow!("{source}: cannot write a readable profile: {e}"))?;
    let mut s = serde_json::to_string_pretty(p)?;
    s.push('\n');
    super::emit_json(&s, output, inputs)
}

/// The same profile named twice (by another path or a hard link too) would count its rows
/// twice: refused, naming both.
fn refuse_repeated(profiles: &[PathBuf]) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let mut seen: HashMap<(u64, u64), &Path> = HashMap::new();
    let mut seen_paths: HashMap<PathBuf, &Path> = HashMap::new();
    for p in profiles {
        let first = match std::fs::metadata(p) {
            Ok(m) => seen.insert((m.dev(), m.ino()), p),
            // Unreadable: read_profile reports it; a path named twice is still caught.
            Err(_) => seen_paths.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()), p),
        };
        if let Some(first) = first {
            return Err(anyhow!(
                "{} and {} are the same profile; merging it with itself would count its rows twice",
                steward_io::escape_line(&first.display().to_string()),
                steward_io::escape_line(&p.display().to_string())
            ));
        }
    }
    Ok(())
}

pub fn run(args: &ProfileArgs) -> Result<ExitCode, Failure> {
    if let Some(ProfileAction::Merge { profiles, output }) = &args.action {
        let inputs: Vec<&Path> = profiles.iter().map(|p| p.as_path()).collect();
        // A bad destination is refused before the work, not after it.
        super::check_destination(output.as_deref(), &inputs)?;
        refuse_repeated(profiles)?;
        let created_at = now();
        let mut merged = read_profile(&profiles[0])?;
        for path in &profiles[1..] {
            let next = read_profile(path)?;
            merged = merged
                .merge(&next, &created_at)
                .map_err(|e| anyhow!("cannot merge {}: {e}", path.display()))?;
        }
        write(&merged, "the merged profile", output.as_deref(), &inputs)?;
        return Ok(ExitCode::SUCCESS);
    }
    let data = args
        .data
        .as_ref()
        .ok_or_else(|| anyhow!("give the DATA to profile"))?;
    super::check_destination(args.output.as_deref(), &[data.as_path()])?;
    let format = match args.input_format {
        Some(InputFormat::Csv) => Format::Csv,
        Some(InputFormat::Parquet) => Format::Parquet,
        Some(InputFormat::Jsonl) => Format::JsonLines,
        Some(InputFormat::Arrow) => Format::ArrowIpc,
        None => Format::of(data).ok_or_else(|| {
            anyhow!(
                "{}: cannot tell the format from the extension; pass --input-format",
                data.display()
            )
        })?,
    };
    super::drift::check_columns_and_exclude(&args.columns, &args.exclude)?;
    let only: BTreeSet<&str> = args.columns.iter().map(String::as_str).collect();
    let excluded = super::drift::Excluded::new(&args.exclude);
    let keep = |c: &str| !excluded.excludes(c) && (only.is_empty() || only.contains(c));
    let dataset = read(data, format, &keep).map_err(|e| anyhow!("{e}"))?;
    excluded.check(&data.display().to_string())?;
    super::drift::note_unsupported(data, &dataset.unsupported);
    let names: BTreeSet<&str> = dataset.columns.iter().map(|x| x.name.as_str()).collect();
    for c in &only {
        if !names.contains(c) {
            return Err(anyhow!(
                "--columns {}: no such column in {}",
                steward_io::clip(c, 200),
                data.display()
            )
            .into());
        }
    }
    if dataset.columns.is_empty() {
        return Err(anyhow!(
            "{}: no column to profile (check --columns, --exclude and the file's delimiter)",
            data.display()
        )
        .into());
    }
    if dataset.columns.len() > steward_stats::profile::MAX_COLUMNS {
        return Err(anyhow!(
            "{}: {} columns; a profile holds at most {} (profile fewer with --columns or --exclude)",
            data.display(),
            dataset.columns.len(),
            steward_stats::profile::MAX_COLUMNS
        )
        .into());
    }
    let sha256 = steward_data::profile_file::sha256_of_file(data)
        .map_err(|e| anyhow!("cannot read {}: {e}", data.display()))?;
    let source = steward_data::drift::profile_source(&dataset, format, &now(), sha256);
    let profile = steward_data::drift::profile(&dataset, source);
    write(
        &profile,
        &data.display().to_string(),
        args.output.as_deref(),
        &[data.as_path()],
    )?;
    Ok(ExitCode::SUCCESS)
}
