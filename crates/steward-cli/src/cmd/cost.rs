//! `steward cost`: one system's cost of ownership, or the portfolio's cost per year.

use std::process::ExitCode;

use steward_cost::{CostOptions, MoneyFormat, analyze, portfolio, render};
use steward_manifest::ManifestError;

use super::emit;
use crate::cli::{CostArgs, CurrencyFormat, ReportFormat};
use crate::failure::Failure;
use crate::manifests::load_all;

fn money_format(c: CurrencyFormat) -> MoneyFormat {
    match c {
        CurrencyFormat::Grouped => MoneyFormat::Grouped,
        CurrencyFormat::Plain => MoneyFormat::Plain,
        CurrencyFormat::Compact => MoneyFormat::Compact,
    }
}

pub fn run(args: &CostArgs) -> Result<ExitCode, Failure> {
    let loaded = load_all(&args.paths)?;
    let fmt = money_format(args.currency_format);
    let is_portfolio = loaded.len() > 1 || args.paths.iter().any(|p| p.is_dir());
    let text = if is_portfolio {
        let manifests: Vec<_> = loaded.iter().map(|l| &l.system.manifest).collect();
        let years = args.years.unwrap_or(3);
        let p = portfolio::portfolio_cost(&manifests, years);
        match args.format {
            ReportFormat::Text => render::portfolio_text(&p, fmt),
            ReportFormat::Json => render::json(&p),
            ReportFormat::Html => render::portfolio_html(&p, fmt),
        }
    } else {
        let l = &loaded[0];
        let options = CostOptions {
            years: args.years,
            simulations: args.simulations as usize,
            seed: args.seed,
        };
        let report = analyze(&l.system.manifest, &options).map_err(|e| {
            let (position, _) = l.system.map.locate(&e.path);
            let text = std::fs::read_to_string(&l.file).ok();
            Failure::Manifests(vec![ManifestError::located(
                &l.file,
                text.as_deref(),
                position,
                format!("{} ({})", e.message, e.path),
            )])
        })?;
        match args.format {
            ReportFormat::Text => render::text(&report, fmt),
            ReportFormat::Json => render::json(&report),
            ReportFormat::Html => render::html(&report, fmt),
        }
    };
    emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
