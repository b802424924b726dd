//! `steward metric`: the manifest's success metrics against their baselines.

use std::process::ExitCode;

use anyhow::anyhow;
use steward_manifest::{Date, ManifestError};
use steward_metric::tickets::{TicketColumns, read_tickets};
use steward_metric::{MetricError, MetricOptions, evaluate, read_file, render};

use super::{emit, today};
use crate::cli::{MetricArgs, ReportFormat};
use crate::failure::Failure;
use crate::manifests::load_all;

pub fn run(args: &MetricArgs) -> Result<ExitCode, Failure> {
    let today = today(args.today.as_deref())?;
    let launch = args
        .launch
        .as_deref()
        .map(|s| Date::parse(s).map_err(|e| anyhow!("invalid --launch: {e}")))
        .transpose()?;
    let loaded = load_all(std::slice::from_ref(&args.manifest))?;
    if loaded.len() != 1 {
        return Err(anyhow!(
            "{} holds {} systems; `steward metric` takes a manifest with one",
            args.manifest.display(),
            loaded.len()
        )
        .into());
    }
    let system = &loaded[0];
    let (data_file, observations) = match (&args.observations, &args.tickets) {
        (Some(path), _) => (path, read_file(path).map_err(|e| anyhow!("{e}"))?),
        (None, Some(path)) => {
            let columns = TicketColumns {
                opened: args.opened.clone().unwrap_or_default(),
                resolved: args.resolved.clone().unwrap_or_default(),
                filters: args.filters.clone(),
            };
            let file = std::fs::File::open(path)
                .map_err(|e| anyhow!("{}: cannot read: {e}", path.display()))?;
            let (obs, stats) = read_tickets(&path.display().to_string(), file, &columns)
                .map_err(|e| anyhow!("{e}"))?;
            eprintln!(
                "{}: {} tickets, {} kept as observations ({} filtered out, {} unresolved)",
                path.display(),
                stats.rows,
                obs.rows.len(),
                stats.filtered_out,
                stats.unresolved
            );
            (path, obs)
        }
        (None, None) => return Err(anyhow!("give --observations FILE or --tickets FILE").into()),
    };
    let options = MetricOptions {
        launch,
        today,
        seed: args.seed,
        resamples: args.resamples as usize,
        metric: args.metric.clone(),
    };
    let report =
        evaluate(&system.system.manifest, &observations, &options).map_err(|e| match e {
            MetricError::Manifest { path, message } => {
                let (position, _) = system.system.map.locate(&path);
                let text = std::fs::read_to_string(&system.file).ok();
                Failure::Manifests(vec![ManifestError::located(
                    &system.file,
                    text.as_deref(),
                    position,
                    format!("{message} ({path})"),
                )])
            }
            MetricError::Observations { line, message } => {
                Failure::Other(anyhow!("{}:{line}: {message}", data_file.display()))
            }
            MetricError::Usage(message) => Failure::Other(anyhow!(message)),
        })?;
    let text = match args.format {
        ReportFormat::Text => render::text(&report),
        ReportFormat::Json => render::json(&report),
        ReportFormat::Html => render::html(&report),
    };
    emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}
