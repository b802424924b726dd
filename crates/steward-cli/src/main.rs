//! `steward`: command-line glue over the library crates. Parsing arguments, reading files,
//! choosing colours and exit codes happen here; every decision lives in a library.

mod cli;
mod cmd;
mod failure;
mod manifests;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = cmd::Colors::new(cli.color);
    let result = match cli.command {
        Command::Check(args) => cmd::check::run(&args, &color),
        Command::Portfolio(args) => cmd::portfolio::run(&args, &color),
        Command::Cost(args) => cmd::cost::run(&args),
        Command::Metric(args) => cmd::metric::run(&args),
        Command::Drift(args) => cmd::drift::run(&args, cli.quiet),
        Command::Profile(args) => cmd::profile::run(&args),
        Command::Schema => cmd::schema::run(),
        Command::Init(args) => cmd::init::run(&args),
        Command::Completions { shell } => cmd::docs::completions(shell),
        Command::Man => cmd::docs::man(),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(&color),
    }
}
