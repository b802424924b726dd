//! A manifest's success metrics against their baselines (analytics.md, "Success metrics").

use serde::Serialize;
use steward_manifest::{Aggregate, Date, Direction, Manifest, RelativeFigure, SuccessMetric};

use crate::observations::Observations;
use crate::stats::{aggregate, bootstrap_aggregate, change_interval, mann_whitney_p, seeded};
use crate::timestamp::{US_PER_DAY, midnight};

#[derive(Clone, Debug)]
pub struct MetricOptions {
    /// Overrides `milestones.production_launch`.
    pub launch: Option<Date>,
    pub today: Date,
    pub seed: u64,
    pub resamples: usize,
    /// Evaluate only this metric.
    pub metric: Option<String>,
}

/// Why the metrics cannot be evaluated, pointing at the manifest, the observations or the flags.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricError {
    Manifest { path: String, message: String },
    Observations { line: u64, message: String },
    Usage(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    InProgress,
    InsufficientData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::InProgress => "in_progress",
            Verdict::InsufficientData => "insufficient_data",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub from: String,
    /// Exclusive: the window is [from, to).
    pub to: String,
    pub n: usize,
    pub value: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricReport {
    pub name: String,
    pub aggregate: &'static str,
    pub direction: &'static str,
    /// As a fraction (0.25 for "25%").
    pub target_change: f64,
    pub baseline: Window,
    pub current: Window,
    pub change: Option<f64>,
    pub p_value: Option<f64>,
    pub ci: Option<[f64; 2]>,
    pub verdict: Verdict,
    /// A sample of the observations in both windows, for the html chart: (time us, value).
    #[serde(skip)]
    pub points: Vec<(i64, f64)>,
    #[serde(skip)]
    pub unit: Option<String>,
    #[serde(skip)]
    pub window_us: [i64; 3],
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricsReport {
    pub system: String,
    pub today: String,
    pub launch: String,
    pub seed: u64,
    pub resamples: usize,
    pub metrics: Vec<MetricReport>,
}

struct Definition<'a> {
    name: &'a str,
    aggregate: Aggregate,
    direction: Direction,
    target: f64,
    within_days: u32,
    baseline_days: u32,
    unit: Option<String>,
}

fn definition<'a>(i: usize, m: &'a SuccessMetric) -> Result<Definition<'a>, MetricError> {
    let base = format!("spec.success_metrics[{i}]");
    let name = m.name.as_deref().ok_or_else(|| MetricError::Manifest {
        path: format!("{base}.name"),
        message: format!("success metric #{} has no name", i + 1),
    })?;
    let missing = |key: &str| MetricError::Manifest {
        path: format!("{base}.{key}"),
        message: format!(
            "metric `{name}` has no `{key}`, so it cannot be measured (see rule P4 of `steward check`)"
        ),
    };
    let target = match &m.target_change {
        Some(RelativeFigure::Fraction(f)) => f.abs(),
        Some(RelativeFigure::Text(t)) => {
            return Err(MetricError::Manifest {
                path: format!("{base}.target_change"),
                message: format!(
                    "metric `{name}` has target_change \"{t}\", which is not a number"
                ),
            });
        }
        None => return Err(missing("target_change")),
    };
    Ok(Definition {
        name,
        aggregate: m.aggregate.ok_or_else(|| missing("aggregate"))?,
        direction: m.direction.ok_or_else(|| missing("direction"))?,
        target,
        within_days: m.within_days.ok_or_else(|| missing("within_days"))?,
        baseline_days: m.baseline_days.ok_or_else(|| missing("baseline_days"))?,
        unit: m.unit.clone(),
    })
}

const CHART_POINTS: usize = 1500;

/// Evaluates every metric of `manifest` (or the one named in the options).
pub fn evaluate(
    manifest: &Manifest,
    observations: &Observations,
    options: &MetricOptions,
) -> Result<MetricsReport, MetricError> {
    let metrics = &manifest.spec.success_metrics;
    if metrics.is_empty() {
        return Err(MetricError::Manifest {
            path: "spec.success_metrics".into(),
            message: "the manifest declares no success metric".into(),
        });
    }
    let defs: Vec<Definition> = metrics
        .iter()
        .enumerate()
        .map(|(i, m)| definition(i, m))
        .collect::<Result<_, _>>()?;
    let declared: Vec<&str> = defs.iter().map(|d| d.name).collect();
    if let Some(only) = &options.metric
        && !declared.contains(&only.as_str())
    {
        return Err(MetricError::Usage(format!(
            "--metric {only}: the manifest declares {}",
            declared.join(", ")
        )));
    }
    // Which definition each observation's metric name refers to.
    let file_to_def: Vec<usize> = observations
        .metrics
        .iter()
        .map(|(name, line)| {
            declared
                .iter()
                .position(|d| d == name)
                .ok_or_else(|| MetricError::Observations {
                    line: *line,
                    message: format!(
                        "metric `{name}` is not declared in the manifest (it declares {})",
                        declared.join(", ")
                    ),
                })
        })
        .collect::<Result<_, _>>()?;
    // Observations without a metric name belong to the one metric being evaluated.
    let unnamed_target = if observations.rows.iter().any(|o| o.metric.is_none()) {
        match (&options.metric, defs.len()) {
            (Some(only), _) => declared.iter().position(|d| d == only),
            (None, 1) => Some(0),
            (None, _) => {
                return Err(MetricError::Usage(format!(
                    "the observations have no `metric` column and the manifest declares {} metrics ({}); name one with --metric",
                    defs.len(),
                    declared.join(", ")
                )));
            }
        }
    } else {
        None
    };
    let launch = options
        .launch
        .or_else(|| {
            manifest
                .spec
                .milestones
                .as_ref()
                .and_then(|m| m.production_launch)
        })
        .ok_or_else(|| MetricError::Manifest {
            path: "spec.milestones.production_launch".into(),
            message: "no production_launch date to measure from; set it, or pass --launch".into(),
        })?;
    let l0 = midnight(launch);
    let today_us = midnight(options.today);

    let mut reports = Vec::new();
    for (di, def) in defs.iter().enumerate() {
        if options.metric.as_deref().is_some_and(|m| m != def.name) {
            continue;
        }
        let b0 = l0 - i64::from(def.baseline_days) * US_PER_DAY;
        let c1 = l0 + i64::from(def.within_days) * US_PER_DAY;
        let mut base = Vec::new();
        let mut cur = Vec::new();
        for o in &observations.rows {
            let belongs = match o.metric {
                Some(m) => file_to_def[m as usize] == di,
                None => unnamed_target == Some(di),
            };
            if !belongs || o.at < b0 || o.at >= c1 {
                continue;
            }
            if o.at < l0 {
                base.push((o.at, o.value));
            } else {
                cur.push((o.at, o.value));
            }
        }
        reports.push(evaluate_one(
            def,
            di,
            &base,
            &cur,
            [b0, l0, c1],
            today_us,
            options,
        ));
    }
    Ok(MetricsReport {
        system: manifest.metadata.name.to_string(),
        today: options.today.to_string(),
        launch: launch.to_string(),
        seed: options.seed,
        resamples: options.resamples,
        metrics: reports,
    })
}

fn evaluate_one(
    def: &Definition,
    index: usize,
    base: &[(i64, f64)],
    cur: &[(i64, f64)],
    edges: [i64; 3],
    today_us: i64,
    options: &MetricOptions,
) -> MetricReport {
    let base_values: Vec<f64> = base.iter().map(|p| p.1).collect();
    let cur_values: Vec<f64> = cur.iter().map(|p| p.1).collect();
    // The two sorts are independent; on a large window they run side by side.
    let sort = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_unstable_by(f64::total_cmp);
        s
    };
    let (base_sorted, cur_sorted) = if base_values.len() + cur_values.len() > 200_000 {
        std::thread::scope(|scope| {
            let h = scope.spawn(|| sort(&base_values));
            let c = sort(&cur_values);
            (h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), c)
        })
    } else {
        (sort(&base_values), sort(&cur_values))
    };
    let agg = def.aggregate;
    let bv = aggregate(agg, &base_values, &base_sorted, def.baseline_days);
    let cv = aggregate(agg, &cur_values, &cur_sorted, def.within_days);
    let change = match (bv, cv) {
        (Some(b), Some(c)) if b != 0.0 => Some((c - b) / b),
        _ => None,
    };
    let p_value = match agg {
        Aggregate::Mean | Aggregate::Median | Aggregate::P90 => {
            mann_whitney_p(&cur_sorted, &base_sorted)
        }
        _ => None,
    };
    let ci = if base_values.is_empty() || cur_values.is_empty() || options.resamples == 0 {
        None
    } else {
        let mut rng = seeded(options.seed, index as u64);
        let b = bootstrap_aggregate(
            agg,
            &base_values,
            &base_sorted,
            def.baseline_days,
            options.resamples,
            &mut rng,
        );
        let c = bootstrap_aggregate(
            agg,
            &cur_values,
            &cur_sorted,
            def.within_days,
            options.resamples,
            &mut rng,
        );
        change_interval(&b, &c)
    };
    let reached = change.is_some_and(|ch| match def.direction {
        Direction::Decrease => ch <= -def.target,
        Direction::Increase => ch >= def.target,
    });
    let significant = p_value.is_none_or(|p| p < 0.05);
    let verdict = if base_values.len() < 10 {
        Verdict::InsufficientData
    } else if today_us < edges[2] {
        Verdict::InProgress
    } else if cur_values.len() < 10 {
        Verdict::InsufficientData
    } else if reached && significant {
        Verdict::Met
    } else {
        Verdict::NotMet
    };
    let day = |us: i64| crate::timestamp::date_of(us);
    let all = base.len() + cur.len();
    let stride = all.div_ceil(CHART_POINTS).max(1);
    let points = base.iter().chain(cur).step_by(stride).copied().collect();
    MetricReport {
        name: def.name.to_string(),
        aggregate: agg.as_str(),
        direction: match def.direction {
            Direction::Decrease => "decrease",
            Direction::Increase => "increase",
        },
        target_change: def.target,
        baseline: Window {
            from: day(edges[0]),
            to: day(edges[1]),
            n: base_values.len(),
            value: bv,
        },
        current: Window {
            from: day(edges[1]),
            to: day(edges[2]),
            n: cur_values.len(),
            value: cv,
        },
        change,
        p_value,
        ci,
        verdict,
        points,
        unit: def.unit.clone(),
        window_us: edges,
    }
}
