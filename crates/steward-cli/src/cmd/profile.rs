//! `steward profile`: a dataset's mergeable profile, and `steward profile merge`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::anyhow;
use steward_data::{Format, read};
use steward_stats::profile::Profile;

use crate::cli::{InputFormat, ProfileAction, ProfileArgs};
use crate::failure::Failure;

/// Reads a profile written by `steward profile`: at most 256 MiB, of this format version,
/// every field checked.
pub fn read_profile(path: &Path) -> anyhow::Result<Profile> {
    steward_data::drift::read_profile(path).map_err(|e| anyhow!(e))
}

fn write(p: &Profile, output: Option<&Path>, inputs: &[&Path]) -> anyhow::Result<()> {
    // A profile that could not be read back is not written (a variance past f64, say).
    p.validate()
        .map_err(|e| anyhow!("cannot write a readable profile: {e}"))?;
    let mut s = serde_json::to_string_pretty(p)?;
    s.push('\n');
    super::emit_json(&s, output, inputs)
}

pub fn run(args: &ProfileArgs) -> Result<ExitCode, Failure> {
    if let Some(ProfileAction::Merge { profiles, output }) = &args.action {
        let inputs: Vec<&Path> = profiles.iter().map(|p| p.as_path()).collect();
        // A bad destination is refused before the work, not after it.
        super::check_destination(output.as_deref(), &inputs)?;
        let mut merged = read_profile(&profiles[0])?;
        for path in &profiles[1..] {
            let next = read_profile(path)?;
            merged = merged
                .merge(&next)
                .map_err(|e| anyhow!("cannot merge {}: {e}", path.display()))?;
        }
        write(&merged, output.as_deref(), &inputs)?;
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
    let only: BTreeSet<&str> = args.columns.iter().map(String::as_str).collect();
    let exclude: BTreeSet<&str> = args.exclude.iter().map(String::as_str).collect();
    let keep = |c: &str| (only.is_empty() || only.contains(c)) && !exclude.contains(c);
    let dataset = read(data, format, &keep).map_err(|e| anyhow!("{e}"))?;
    for c in &only {
        if !dataset.columns.iter().any(|x| x.name == *c) {
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
    let profile = steward_data::drift::profile(&dataset);
    write(&profile, args.output.as_deref(), &[data.as_path()])?;
    Ok(ExitCode::SUCCESS)
}
