//! `steward portfolio`: the whole estate at a glance, one row per system. The rows, their
//! order and their renderings are `steward_gate::portfolio`; here are the flags and the output.

use std::process::ExitCode;

use steward_gate::GateOptions;
use steward_gate::portfolio::{self, Portfolio, SortKey};

use super::{Colors, print, today};
use crate::cli::{PortfolioArgs, PortfolioFormat, PortfolioSort};
use crate::failure::Failure;
use crate::manifests::load_all_reporting;

fn sort_key(by: PortfolioSort) -> SortKey {
    match by {
        PortfolioSort::Name => SortKey::Name,
        PortfolioSort::Lifecycle => SortKey::Lifecycle,
        PortfolioSort::Owner => SortKey::Owner,
        PortfolioSort::Verdict => SortKey::Verdict,
        PortfolioSort::Failed => SortKey::Failed,
        PortfolioSort::Implementation => SortKey::Implementation,
        PortfolioSort::Annual => SortKey::Annual,
    }
}

pub fn run(args: &PortfolioArgs, colors: &Colors) -> Result<ExitCode, Failure> {
    let today = today(args.today.as_deref())?;
    let loaded = load_all_reporting(&args.paths, &mut |s| super::skipped(s, args.verbose))?;
    let inputs: Vec<&std::path::Path> = loaded
        .iter()
        .map(|l| std::path::Path::new(&l.file))
        .chain(args.paths.iter().map(|p| p.as_path()))
        .collect();
    super::check_destination(None, &inputs)?;
    let options = GateOptions {
        today,
        target: None,
        strict: false,
        live: None,
    };
    let rows = loaded
        .iter()
        .map(|l| portfolio::row(&l.system, &l.file, &options))
        .collect();
    let report = Portfolio::new(today.0, rows, sort_key(args.sort), args.reverse);
    let out = match args.format {
        PortfolioFormat::Json => portfolio::json(&report),
        PortfolioFormat::Csv => portfolio::csv(&report),
        PortfolioFormat::Text => portfolio::text(&report, colors.stdout),
        // The page shows each system's findings too: the gate's report, in the rows' order.
        PortfolioFormat::Html => {
            let gate = steward_gate::GateReport {
                date: today.0,
                systems: report
                    .systems
                    .iter()
                    .filter_map(|r| {
                        loaded.iter().find(|l| {
                            l.file == r.file && l.system.manifest.metadata.name.as_str() == r.name
                        })
                    })
                    .map(|l| steward_gate::evaluate(&l.system, &l.file, &options))
                    .collect(),
            };
            steward_gate::report::html(&gate, &report)
        }
    };
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}
