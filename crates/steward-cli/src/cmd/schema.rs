//! `steward schema`: the manifest's JSON Schema on stdout.

use std::process::ExitCode;

use super::print;
use crate::failure::Failure;

pub fn run() -> Result<ExitCode, Failure> {
    let mut text = serde_json::to_string_pretty(&steward_manifest::schema::json_schema())
        .map_err(anyhow::Error::from)?;
    text.push('\n');
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
