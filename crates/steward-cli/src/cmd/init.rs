//! `steward init`: a commented starter manifest.

use std::process::ExitCode;

use anyhow::anyhow;
use steward_manifest::starter::{StarterOptions, starter_manifest};

use super::{note, print, today};
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
        super::check_destination(None, &[])?;
        print(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = &args.output;
    let shown = steward_io::escape_line(&path.display().to_string()).into_owned();
    // symlink_metadata: a dangling symbolic link is something in the way too.
    if !args.force && std::fs::symlink_metadata(path).is_ok() {
        return Err(anyhow!("{shown} already exists; pass --force to overwrite it").into());
    }
    // A file the caller may not write is refused even with --force, as `>` would refuse it.
    super::check_destination(Some(path), &[])?;
    // Written whole or not at all (a temporary file moved into place); a device or FIFO is
    // written in place, and the mode of a file replaced with --force is kept.
    steward_io::write_output(path, text.as_bytes(), &[]).map_err(anyhow::Error::from)?;
    note(&format!(
        "wrote {shown}; next: replace its TODO placeholders, fill in the commented figures and dates, and run `steward check {shown}` (with `--explain` for why each rule asks)"
    ));
    Ok(ExitCode::SUCCESS)
}
