//! `steward cost`: one system's cost of ownership, or the portfolio's cost per year.

use std::process::ExitCode;

use steward_cost::{CostError, CostOptions, MoneyFormat, analyze, portfolio, render};

use super::{emit, emit_json};
use crate::cli::{CostArgs, CurrencyFormat, ReportFormat};
use crate::failure::Failure;
use crate::manifests::load_all_reporting;

fn money_format(c: CurrencyFormat) -> MoneyFormat {
    match c {
        CurrencyFormat::Grouped => MoneyFormat::Grouped,
        CurrencyFormat::Plain => MoneyFormat::Plain,
        CurrencyFormat::Compact => MoneyFormat::Compact,
    }
}

pub fn run(args: &CostArgs) -> Result<ExitCode, Failure> {
    let loaded = load_all_reporting(&args.paths, &mut |s| super::skipped(s, args.verbose))?;
    let inputs: Vec<&std::path::Path> = loaded
        .iter()
        .map(|l| std::path::Path::new(&l.file))
        .chain(args.paths.iter().map(|p| p.as_path()))
        .collect();
    // Before the simulation, which can take a while: a bad destination costs nothing.
    super::check_destination(args.output.as_deref(), &inputs)?;
    let fmt = money_format(args.currency_format);
    let is_portfolio = loaded.len() > 1 || args.paths.iter().any(|p| p.is_dir());
    let text = if is_portfolio {
        let manifests: Vec<_> = loaded.iter().map(|l| &l.system.manifest).collect();
        let years = args.years.unwrap_or(3);
        let p = portfolio::portfolio_cost(&manifests, years);
        match args.format {
            ReportFormat::Text => render::portfolio_text(&p, fmt),
            ReportFormat::Json => render::json(&p).map_err(anyhow::Error::from)?,
            ReportFormat::Html => render::portfolio_html(&p, fmt),
        }
    } else {
        let l = &loaded[0];
        let options = CostOptions {
            years: args.years,
            simulations: args.simulations as usize,
            seed: args.seed,
        };
        let report = analyze(&l.system.manifest, &options).map_err(|e| match e {
            CostError::Manifest { path, message } => {
                // The loaded manifest keeps its text: the error is located and quoted
                // without reading the file again.
                let located = l.system.error_at(&path, format!("{message} ({path})"));
                Failure::Manifests(vec![located])
            }
            // A flag's problem is a usage error, not a place in the manifest.
            e @ (CostError::InvalidOption { .. } | CostError::Internal(_)) => {
                Failure::Other(e.into())
            }
        })?;
        match args.format {
            ReportFormat::Text => render::text(&report, fmt),
            ReportFormat::Json => render::json(&report).map_err(anyhow::Error::from)?,
            ReportFormat::Html => render::html(&report, fmt),
        }
    };
    if args.format == ReportFormat::Json {
        emit_json(&text, args.output.as_deref(), &inputs)?;
    } else {
        emit(&text, args.output.as_deref(), &inputs)?;
    }
    Ok(ExitCode::SUCCESS)
}
