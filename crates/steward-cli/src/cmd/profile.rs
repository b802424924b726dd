//! `steward profile`: a dataset's mergeable profile, and `steward profile merge`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use steward_data::{Format, read};
use steward_stats::profile::{FORMAT, Profile};

use super::emit;
use crate::cli::{InputFormat, ProfileAction, ProfileArgs};
use crate::failure::Failure;

/// Reads a profile written by `steward profile`, checking its format.
pub fn read_profile(path: &Path) -> anyhow::Result<Profile> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let p: Profile = serde_json::from_str(&text)
        .map_err(|e| anyhow!("{}: not a steward profile: {e}", path.display()))?;
    if p.format != FORMAT {
        return Err(anyhow!(
            "{}: profile format `{}`, expected `{FORMAT}`",
            path.display(),
            p.format
        ));
    }
    Ok(p)
}

fn write(p: &Profile, output: Option<&Path>) -> anyhow::Result<()> {
    let mut s = serde_json::to_string_pretty(p)?;
    s.push('\n');
    emit(&s, output)
}

pub fn run(args: &ProfileArgs) -> Result<ExitCode, Failure> {
    if let Some(ProfileAction::Merge { profiles, output }) = &args.action {
        let mut merged = read_profile(&profiles[0])?;
        for path in &profiles[1..] {
            let next = read_profile(path)?;
            merged = merged
                .merge(&next)
                .map_err(|e| anyhow!("cannot merge {}: {e}", path.display()))?;
        }
        write(&merged, output.as_deref())?;
        return Ok(ExitCode::SUCCESS);
    }
    let data = args
        .data
        .as_ref()
        .ok_or_else(|| anyhow!("give the DATA to profile"))?;
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
    let profile = steward_data::drift::profile(&dataset);
    write(&profile, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
