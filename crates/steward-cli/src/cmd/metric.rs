//! `steward metric`: the manifest's success metrics against their baselines.

use std::process::ExitCode;

use anyhow::anyhow;
use steward_metric::tickets::{TicketColumns, read_tickets_in};
use steward_metric::{MetricError, MetricOptions, Span, evaluate, read_file_in, render, span};

use steward_io::escape_line;

use super::{emit, emit_json, note, today};
use crate::cli::{MetricArgs, ReportFormat};
use crate::failure::Failure;
use crate::manifests::load_all;

pub fn run(args: &MetricArgs) -> Result<ExitCode, Failure> {
    let today = today(args.today.as_deref())?;
    let launch = args
        .launch
        .as_deref()
        .map(|s| super::date_flag("--launch", s))
        .transpose()?;
    let loaded = load_all(std::slice::from_ref(&args.manifest))?;
    if loaded.len() != 1 {
        return Err(anyhow!(
            "{} holds {} systems; `steward metric` takes a manifest with one",
            escape_line(&args.manifest.display().to_string()),
            loaded.len()
        )
        .into());
    }
    let system = &loaded[0];
    // Before the observations are read and the bootstrap runs: a bad destination (or a
    // standard output redirected onto an input) costs nothing.
    let early_inputs: Vec<&std::path::Path> = [
        Some(args.manifest.as_path()),
        Some(std::path::Path::new(&system.file)),
        args.observations.as_deref(),
        args.tickets.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    super::check_destination(args.output.as_deref(), &early_inputs)?;
    let options = MetricOptions {
        launch,
        today,
        seed: args.seed,
        resamples: args.resamples as usize,
        metric: args.metric.clone(),
    };
    // Only the rows inside a window are kept (the others are counted): memory follows the
    // rows that count, not the file.
    let keep = span(&system.system.manifest, &options).unwrap_or(Span::ALL);
    let (data_file, observations) = match (&args.observations, &args.tickets) {
        (Some(path), _) => (path, read_file_in(path, &keep).map_err(read_error)?),
        (None, Some(path)) => {
            let columns = TicketColumns {
                opened: args.opened.clone().unwrap_or_default(),
                resolved: args.resolved.clone().unwrap_or_default(),
                filters: args.filters.clone(),
            };
            // Opened without blocking: a FIFO without a writer reads as empty.
            let file = steward_io::open_input(path).map_err(|e| {
                anyhow!(
                    "{}: cannot read: {e}",
                    escape_line(&path.display().to_string())
                )
            })?;
            let (obs, stats) = read_tickets_in(&path.display().to_string(), file, &columns, &keep)
                .map_err(read_error)?;
            note(&format!(
                "{}: {} tickets, {} kept as observations ({} filtered out, {} unresolved)",
                escape_line(&path.display().to_string()),
                stats.rows,
                // Every observation derived, in a window or not.
                obs.rows.len() as u64
                    + obs.outside
                    + obs.late_unnamed
                    + obs.late.iter().sum::<u64>(),
                stats.filtered_out,
                stats.unresolved
            ));
            (path, obs)
        }
        (None, None) => return Err(anyhow!("give --observations FILE or --tickets FILE").into()),
    };
    let report =
        evaluate(&system.system.manifest, &observations, &options).map_err(|e| match e {
            MetricError::Manifest { path, message } => {
                let located = system.system.error_at(&path, format!("{message} ({path})"));
                Failure::Manifests(vec![located])
            }
            MetricError::Observations { line, message } => Failure::Other(anyhow!(
                "{}:{line}: {message}",
                escape_line(&data_file.display().to_string())
            )),
            e @ (MetricError::UnknownMetric { .. } | MetricError::Internal(_)) => {
                Failure::Other(e.into())
            }
        })?;
    // Measured beside the others, each metric that could not be is also said on stderr at
    // its line, as an error would be, so a JSON consumer's log shows it too.
    for u in &report.not_measurable {
        note(&format!(
            "not measurable: {}",
            system.system.error_at(&u.key, u.reason.as_str()).one_line()
        ));
    }
    let text = match args.format {
        ReportFormat::Text => render::text(&report),
        ReportFormat::Json => render::json(&report).map_err(anyhow::Error::from)?,
        ReportFormat::Html => render::html(&report),
    };
    let inputs = [
        args.manifest.as_path(),
        std::path::Path::new(&system.file),
        data_file.as_path(),
    ];
    if args.format == ReportFormat::Json {
        emit_json(&text, args.output.as_deref(), &inputs)?;
    } else {
        emit(&text, args.output.as_deref(), &inputs)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A reader's error, with the file name made safe to print.
fn read_error(e: steward_metric::ReadError) -> anyhow::Error {
    let file = escape_line(&e.file);
    if e.line == 0 {
        anyhow!("{file}: {}", e.message)
    } else {
        anyhow!("{file}:{}: {}", e.line, e.message)
    }
}
