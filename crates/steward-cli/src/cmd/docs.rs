//! Shell completions and the man page, generated from the clap definitions.

use std::process::ExitCode;

use clap::CommandFactory;

use super::print;
use crate::cli::Cli;
use crate::failure::Failure;

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, Failure> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "steward", &mut buf);
    print(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}

pub fn man() -> Result<ExitCode, Failure> {
    let cmd = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut buf)?;
    print(&String::from_utf8_lossy(&buf))?;
    Ok(ExitCode::SUCCESS)
}
