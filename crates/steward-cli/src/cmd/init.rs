//! `steward init`: a commented starter manifest.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use steward_manifest::starter::{StarterOptions, starter_manifest};

use super::{print, today};
use crate::cli::InitArgs;
use crate::failure::Failure;

pub fn run(args: &InitArgs) -> Result<ExitCode, Failure> {
    let text = starter_manifest(&StarterOptions {
        name: &args.name,
        team: &args.team,
        owner: &args.owner,
        today: today(None)?,
    })
    .map_err(|e| anyhow!("invalid --name: {e}"))?;
    if args.output.as_os_str() == "-" {
        print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = &args.output;
    if !args.force && path.exists() {
        return Err(anyhow!(
            "{} already exists; pass --force to overwrite it",
            path.display()
        )
        .into());
    }
    // Write beside the target, then move into place: a failed write never leaves half a file.
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} is not a file name", path.display()))?;
    let tmp = path.with_file_name(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()).and_then(|_| f.sync_all()));
    let placed = written.and_then(|_| {
        if args.force {
            std::fs::rename(&tmp, path)
        } else {
            // hard_link refuses to replace a file that appeared meanwhile.
            std::fs::hard_link(&tmp, path)
        }
    });
    let _ = std::fs::remove_file(&tmp);
    placed.with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!(
        "wrote {}; next: fill in the commented figures and run `steward check {}`",
        path.display(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}
