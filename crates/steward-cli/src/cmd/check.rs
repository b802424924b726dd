//! `steward check`: the readiness gate over files and folders.

use std::process::ExitCode;

use steward_gate::{GateOptions, GateReport, evaluate, report};
use steward_manifest::Lifecycle;

use super::{Colors, print, today};
use crate::cli::{CheckArgs, CheckFormat, Stage};
use crate::failure::Failure;
use crate::manifests::load_all_reporting;

pub fn stage(s: Stage) -> Lifecycle {
    match s {
        Stage::ProofOfConcept => Lifecycle::ProofOfConcept,
        Stage::Pilot => Lifecycle::Pilot,
        Stage::Production => Lifecycle::Production,
    }
}

/// `quiet`: the text report prints the verdict lines only.
pub fn run(args: &CheckArgs, colors: &Colors, quiet: bool) -> Result<ExitCode, Failure> {
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
        target: args.target.map(stage),
        strict: args.strict,
        live: None,
    };
    let report = GateReport {
        date: today.0,
        systems: loaded
            .iter()
            .map(|l| evaluate(&l.system, &l.file, &options))
            .collect(),
    };
    let rendered = match args.format {
        CheckFormat::Text => report::text_with(
            &report,
            &report::TextOptions {
                color: colors.stdout,
                explain: args.explain,
                only_failed: args.only_failed,
                summary_only: quiet,
            },
        ),
        CheckFormat::Json => steward_io::escape_json(&report::json(&report)).into_owned(),
        CheckFormat::Markdown => report::markdown(&report),
        CheckFormat::Junit => report::junit(&report),
        // SARIF is JSON too: the same escapes.
        CheckFormat::Sarif => {
            steward_io::escape_json(&report::sarif(&report, env!("CARGO_PKG_VERSION"))).into_owned()
        }
        CheckFormat::Html => {
            let rows = loaded
                .iter()
                .map(|l| steward_gate::portfolio::row(&l.system, &l.file, &options))
                .collect();
            let costs = steward_gate::portfolio::Portfolio::new(
                today.0,
                rows,
                steward_gate::portfolio::SortKey::Name,
                false,
            );
            report::html(&report, &costs)
        }
    };
    print(&rendered)?;
    Ok(if report.all_ready() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
