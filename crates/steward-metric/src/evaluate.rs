//! A manifest's success metrics against their baselines (docs/metric.md).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use steward_manifest::{Aggregate, Date, Direction, Manifest, RelativeFigure, SuccessMetric};

use crate::observations::{Observations, Span};
use crate::stats::{aggregate, bootstrap_aggregate, change_interval, mann_whitney_p, seeded};
use crate::timestamp::{US_PER_DAY, days_from_civil, midnight};
use steward_io::clip;

fn change_of(kind: ChangeKind, b: f64, c: f64) -> f64 {
    match kind {
        ChangeKind::Relative => (c - b) / b,
        ChangeKind::Absolute => c - b,
    }
}

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

/// Why the metrics cannot be evaluated. Bad input points at what it is about (a manifest
/// path, which a caller turns into a line; an observation line; an option); an internal
/// failure is ours.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MetricError {
    #[error("{message} ({path})")]
    Manifest { path: String, message: String },
    /// `line` is 1-based in the observations file.
    #[error("line {line}: {message}")]
    Observations { line: u64, message: String },
    /// `--metric` names no metric of the manifest; `declared` lists the ones it does.
    #[error("--metric {name}: the manifest declares {declared}")]
    UnknownMetric { name: String, declared: String },
    /// Not the input's fault: a computed value the report cannot hold.
    #[error("internal error: {0}")]
    Internal(String),
}

impl MetricError {
    /// Whether the input is at fault (a caller's exit code 2, an HTTP 4xx).
    pub fn is_input(&self) -> bool {
        !matches!(self, MetricError::Internal(_))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Met,
    NotMet,
    InProgress,
    InsufficientData,
    /// The manifest does not define the metric well enough to measure it (a key missing,
    /// words for a target, a window past the calendar): `reason` says why.
    NotMeasurable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "not_met",
            Verdict::InProgress => "in_progress",
            Verdict::InsufficientData => "insufficient_data",
            Verdict::NotMeasurable => "not_measurable",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub from: NaiveDate,
    /// Exclusive: the window is [from, to).
    pub to: NaiveDate,
    pub n: usize,
    pub value: Option<f64>,
}

/// Which change `change` (and `ci`) reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// (current - baseline) / baseline: the baseline is above 0.
    Relative,
    /// current - baseline: the baseline is 0 or below, where a relative change is undefined
    /// (dividing by a negative baseline flips the sign of the change; by 0, it is infinite).
    Absolute,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricReport {
    pub name: String,
    pub aggregate: Aggregate,
    pub direction: Direction,
    /// As a fraction (0.25 for "25%").
    pub target_change: f64,
    pub baseline: Window,
    pub current: Window,
    pub change: Option<f64>,
    /// Whether `change` and `ci` are relative (a fraction) or absolute (in the metric's unit).
    pub change_kind: ChangeKind,
    pub p_value: Option<f64>,
    pub ci: Option<[f64; 2]>,
    pub verdict: Verdict,
    /// Observations of this metric dated after `today`, left out of both windows.
    pub ignored_after_today: usize,
    /// A sample of the observations in both windows, for the html chart: (time us, value).
    #[serde(skip)]
    pub points: Vec<(i64, f64)>,
    /// The metric's declared unit (`hours`), so a report read back still says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip)]
    pub window_us: [i64; 3],
}

/// A metric asked for that the manifest does not define well enough to measure. Kept apart
/// from the measured ones, which always have both windows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnmeasuredMetric {
    /// The metric's name; empty for a metric the manifest left unnamed.
    pub name: String,
    /// Always [`Verdict::NotMeasurable`].
    pub verdict: Verdict,
    /// Why, in words.
    pub reason: String,
    /// The manifest key the reason is about (`spec.success_metrics[1].within_days`).
    pub key: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricsReport {
    pub system: String,
    pub today: NaiveDate,
    pub launch: NaiveDate,
    pub seed: u64,
    pub resamples: usize,
    pub metrics: Vec<MetricReport>,
    /// The metrics asked for that cannot be measured, in manifest order; left out of the
    /// JSON when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_measurable: Vec<UnmeasuredMetric>,
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
    let Some(name) = m.name.as_deref() else {
        return Err(MetricError::Manifest {
            path: format!("{base}.name"),
            message: format!(
                "success metric #{} has no name, so no observation can belong to it",
                i + 1
            ),
        });
    };
    if let Some(RelativeFigure::Text(t)) = &m.target_change {
        return Err(MetricError::Manifest {
            path: format!("{base}.target_change"),
            message: format!("metric `{name}` has target_change \"{t}\", which is not a number"),
        });
    }
    let target = m
        .target_change
        .as_ref()
        .and_then(RelativeFigure::fraction)
        .map(f64::abs);
    match (
        target,
        m.aggregate,
        m.direction,
        m.within_days,
        m.baseline_days,
    ) {
        (
            Some(target),
            Some(aggregate),
            Some(direction),
            Some(within_days),
            Some(baseline_days),
        ) => Ok(Definition {
            name,
            aggregate,
            direction,
            target,
            within_days,
            baseline_days,
            unit: m.unit.clone(),
        }),
        _ => {
            // Every missing key at once: the author fixes them in one pass.
            let missing: Vec<&str> = [
                ("target_change", target.is_none()),
                ("aggregate", m.aggregate.is_none()),
                ("direction", m.direction.is_none()),
                ("within_days", m.within_days.is_none()),
                ("baseline_days", m.baseline_days.is_none()),
            ]
            .into_iter()
            .filter(|(_, absent)| *absent)
            .map(|(key, _)| key)
            .collect();
            let keys: Vec<String> = missing.iter().map(|k| format!("`{k}`")).collect();
            let listed = match keys.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            Err(MetricError::Manifest {
                path: format!("{base}.{}", missing.first().copied().unwrap_or("name")),
                message: format!(
                    "metric `{name}` has no {listed}, so it cannot be measured (see rule P4 of `steward check`)"
                ),
            })
        }
    }
}

const CHART_POINTS: usize = 1500;

/// The launch the windows are cut around: `--launch`, else `milestones.production_launch`.
fn launch_of(manifest: &Manifest, options: &MetricOptions) -> Option<Date> {
    options.launch.or_else(|| {
        manifest
            .spec
            .milestones
            .as_ref()
            .and_then(|m| m.production_launch)
    })
}

/// The instants a report reads, known from the manifest and the options before any
/// observation is: from the earliest window's start to the latest one's end, and the end of
/// `today` (rows from there on are only counted). A reader given this keeps only the rows
/// that count. Metrics that cannot be measured need no rows. `None` when no metric asked
/// for can be measured: [`evaluate`] then says why, after the observations have been read
/// as before.
pub fn span(manifest: &Manifest, options: &MetricOptions) -> Option<Span> {
    let launch = launch_of(manifest, options)?;
    let mut from = i64::MAX;
    let mut to = i64::MIN;
    for (i, m) in manifest.spec.success_metrics.iter().enumerate() {
        if !asked_for(m, options) {
            continue;
        }
        let Ok([b0, c1]) = definition(i, m).and_then(|def| window_edges(launch, &def, i)) else {
            continue;
        };
        from = from.min(b0);
        to = to.max(c1);
    }
    (from < to).then(|| Span {
        from,
        to,
        after_today: midnight(options.today).saturating_add(US_PER_DAY),
    })
}

/// Whether the options ask for this metric: all of them, or the one `--metric` names.
fn asked_for(m: &SuccessMetric, options: &MetricOptions) -> bool {
    options
        .metric
        .as_deref()
        .is_none_or(|only| m.name.as_deref() == Some(only))
}

/// Evaluates every metric of `manifest` (or the one named in the options), each on its own:
/// a metric the manifest does not define well enough is reported as
/// [`Verdict::NotMeasurable`] with the reason, and the others are measured. An error when
/// no metric asked for can be measured (the first one's reason), or when what is wrong
/// concerns them all (no launch, observations that fit no metric).
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
    // By name, through a hash: a manifest can declare many metrics. Every named metric is
    // declared, measurable or not, so its observations are never called undeclared.
    let mut declared: Vec<&str> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (j, m) in metrics.iter().enumerate() {
        let Some(name) = m.name.as_deref() else {
            continue;
        };
        if let Some(&i) = index.get(name) {
            return Err(MetricError::Manifest {
                path: format!("spec.success_metrics[{j}].name"),
                message: format!(
                    "metric `{}` is declared twice (also spec.success_metrics[{i}]); observations could not tell them apart",
                    clip(name, 80)
                ),
            });
        }
        index.insert(name, j);
        declared.push(name);
    }
    let listed = || {
        let shown: Vec<String> = declared
            .iter()
            .take(10)
            .map(|n| clip(n, 80).into_owned())
            .collect();
        let more = declared.len().saturating_sub(shown.len());
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if let Some(only) = &options.metric
        && !index.contains_key(only.as_str())
    {
        return Err(MetricError::UnknownMetric {
            name: clip(only, 80).into_owned(),
            declared: listed(),
        });
    }
    // Which metric each observation's metric name refers to.
    let file_to_def: Vec<usize> = observations
        .metrics
        .iter()
        .map(|(name, line)| {
            index
                .get(name.as_str())
                .copied()
                .ok_or_else(|| MetricError::Observations {
                    line: *line,
                    message: format!(
                        "metric `{}` is not declared in the manifest (it declares {})",
                        clip(name, 80),
                        listed()
                    ),
                })
        })
        .collect::<Result<_, _>>()?;
    // Observations without a metric name belong to the one metric being evaluated. A file
    // without a `metric` column is refused for several metrics even when it has no rows:
    // whether a file fits the manifest does not depend on its length.
    let unnamed = !observations.metric_column
        || observations.unnamed_rows
        || observations.rows.iter().any(|o| o.metric.is_none());
    let unnamed_target = if unnamed {
        match (&options.metric, metrics.len()) {
            (Some(only), _) => index.get(only.as_str()).copied(),
            (None, 1) => Some(0),
            (None, _) => {
                return Err(MetricError::Observations {
                    line: 1,
                    message: format!(
                        "the observations have no `metric` column and the manifest declares {} metrics ({}); add a `metric` column or name one with --metric",
                        metrics.len(),
                        listed()
                    ),
                });
            }
        }
    } else {
        None
    };
    let launch = launch_of(manifest, options).ok_or_else(|| MetricError::Manifest {
        path: "spec.milestones.production_launch".into(),
        message: "no production_launch date to measure from; set it, or pass --launch".into(),
    })?;
    let l0 = midnight(launch);
    let today_us = midnight(options.today);
    // Observations from the end of `today` on have not happened yet as far as the report
    // is concerned: counting them would let a rerun with an old --today see the future.
    let after_today = today_us.saturating_add(US_PER_DAY);
    let belongs = |o: &crate::observations::Observation, di: usize| match o.metric {
        Some(m) => file_to_def[m as usize] == di,
        None => unnamed_target == Some(di),
    };
    // Rows a reader already left out for being after today, counted per metric.
    let late = |di: usize| {
        let named: u64 = observations
            .late
            .iter()
            .enumerate()
            .filter(|(m, _)| file_to_def.get(*m) == Some(&di))
            .map(|(_, n)| *n)
            .sum();
        let unnamed = if unnamed_target == Some(di) {
            observations.late_unnamed
        } else {
            0
        };
        (named + unnamed) as usize
    };

    let mut reports = Vec::new();
    let mut unmeasured = Vec::new();
    let mut first_unmeasurable = None;
    for (di, m) in metrics.iter().enumerate() {
        if !asked_for(m, options) {
            continue;
        }
        let measurable =
            definition(di, m).and_then(|def| window_edges(launch, &def, di).map(|e| (def, e)));
        let (def, [b0, c1]) = match measurable {
            Ok(d) => d,
            Err(MetricError::Manifest { path, message }) => {
                unmeasured.push(UnmeasuredMetric {
                    name: m.name.clone().unwrap_or_default(),
                    verdict: Verdict::NotMeasurable,
                    reason: message.clone(),
                    key: path.clone(),
                });
                first_unmeasurable.get_or_insert(MetricError::Manifest { path, message });
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut base = Vec::new();
        let mut cur = Vec::new();
        let mut ignored = 0;
        for o in &observations.rows {
            if !belongs(o, di) {
                continue;
            }
            if o.at >= after_today {
                ignored += 1;
                continue;
            }
            if o.at < b0 || o.at >= c1 {
                continue;
            }
            if o.at < l0 {
                base.push((o.at, o.value));
            } else {
                cur.push((o.at, o.value));
            }
        }
        let mut report = evaluate_one(&def, di, &base, &cur, [b0, l0, c1], today_us, options)?;
        report.ignored_after_today = ignored + late(di);
        reports.push(report);
    }
    if let Some(e) = first_unmeasurable
        && reports.is_empty()
    {
        return Err(e);
    }
    Ok(MetricsReport {
        system: manifest.metadata.name.to_string(),
        today: options.today.0,
        launch: launch.0,
        seed: options.seed,
        resamples: options.resamples,
        metrics: reports,
        not_measurable: unmeasured,
    })
}

/// The first and last day a window may touch: dates outside years 1 to 9999 cannot be
/// written as YYYY-MM-DD.
const FIRST_DAY: (i64, u32, u32) = (1, 1, 1);
const LAST_DAY: (i64, u32, u32) = (9999, 12, 31);

/// [baseline start, current end) of a metric, in microseconds, checked: `within_days` and
/// `baseline_days` are any u32, and days x microseconds per day overflows i64 for large
/// ones, so the edges are computed in days and must fall within years 1 to 9999.
fn window_edges(launch: Date, def: &Definition, index: usize) -> Result<[i64; 2], MetricError> {
    let l0 = midnight(launch) / US_PER_DAY;
    let first = days_from_civil(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2);
    let last = days_from_civil(LAST_DAY.0, LAST_DAY.1, LAST_DAY.2);
    let start = l0 - i64::from(def.baseline_days);
    // The current window's exclusive end is shown as its `to` date.
    let end = l0 + i64::from(def.within_days);
    let at = |key: &str| format!("spec.success_metrics[{index}].{key}");
    if start < first {
        return Err(MetricError::Manifest {
            path: at("baseline_days"),
            message: format!(
                "baseline_days {} before the launch {launch} starts the baseline window before the year 1",
                def.baseline_days
            ),
        });
    }
    if end > last {
        return Err(MetricError::Manifest {
            path: at("within_days"),
            message: format!(
                "within_days {} after the launch {launch} ends the current window after 9999-12-31",
                def.within_days
            ),
        });
    }
    Ok([start * US_PER_DAY, end * US_PER_DAY])
}

fn evaluate_one(
    def: &Definition,
    index: usize,
    base: &[(i64, f64)],
    cur: &[(i64, f64)],
    edges: [i64; 3],
    today_us: i64,
    options: &MetricOptions,
) -> Result<MetricReport, MetricError> {
    let base_values: Vec<f64> = base.iter().map(|p| p.1).collect();
    let cur_values: Vec<f64> = cur.iter().map(|p| p.1).collect();
    // The two sorts are independent; on a large window they run side by side on the
    // caller's rayon pool.
    let sort = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_unstable_by(f64::total_cmp);
        s
    };
    let (base_sorted, cur_sorted) = if base_values.len() + cur_values.len() > 200_000 {
        rayon::join(|| sort(&base_values), || sort(&cur_values))
    } else {
        (sort(&base_values), sort(&cur_values))
    };
    let agg = def.aggregate;
    let bv = aggregate(agg, &base_values, &base_sorted, def.baseline_days);
    let cv = aggregate(agg, &cur_values, &cur_sorted, def.within_days);
    // A relative change needs a baseline above 0: below it the division flips the sign
    // (a rise from -1 to 1 would read -200%), at 0 it is infinite. The absolute change is
    // reported instead, and said to be.
    let change_kind = match bv {
        Some(b) if b <= 0.0 => ChangeKind::Absolute,
        _ => ChangeKind::Relative,
    };
    // The change as computed decides the verdict even when it overflows (a rise from 1e-300
    // to 1e100 is +inf, and certainly a rise); only a finite one is reported as a number.
    let raw_change = match (bv, cv) {
        (Some(b), Some(c)) => Some(change_of(change_kind, b, c)).filter(|v| !v.is_nan()),
        _ => None,
    };
    let change = raw_change.filter(|v| v.is_finite());
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
        change_interval(&b, &c, |b, c| {
            // Each resample's own baseline decides, as for the estimate: a resampled
            // baseline at or below 0 has no relative change.
            match change_kind {
                ChangeKind::Relative if b > 0.0 => Some((c - b) / b),
                ChangeKind::Relative => None,
                ChangeKind::Absolute => Some(c - b),
            }
        })
    };
    // The target is a share of the baseline. With an absolute change it is read against
    // the baseline's size: the metric must move its way by at least target x |baseline|,
    // and at a baseline of 0 (where that is 0) it must move its way at all.
    let needed = match (change_kind, bv) {
        (ChangeKind::Relative, _) => def.target,
        (ChangeKind::Absolute, Some(b)) => def.target * b.abs(),
        (ChangeKind::Absolute, None) => f64::INFINITY,
    };
    let strict = change_kind == ChangeKind::Absolute && needed == 0.0;
    let reached = raw_change.is_some_and(|ch| match (def.direction, strict) {
        (Direction::Decrease, false) => ch <= -needed,
        (Direction::Increase, false) => ch >= needed,
        (Direction::Decrease, true) => ch < 0.0,
        (Direction::Increase, true) => ch > 0.0,
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
    // The edges were checked to lie within years 1 to 9999 (`window_edges`).
    let day = |us: i64| {
        crate::timestamp::day_of(us).ok_or_else(|| {
            MetricError::Internal(format!(
                "a window edge of metric `{}` is outside the calendar",
                clip(def.name, 80)
            ))
        })
    };
    let all = base.len() + cur.len();
    let stride = all.div_ceil(CHART_POINTS).max(1);
    let points = base.iter().chain(cur).step_by(stride).copied().collect();
    Ok(MetricReport {
        name: def.name.to_string(),
        aggregate: agg,
        direction: def.direction,
        target_change: def.target,
        baseline: Window {
            from: day(edges[0])?,
            to: day(edges[1])?,
            n: base_values.len(),
            value: bv,
        },
        current: Window {
            from: day(edges[1])?,
            to: day(edges[2])?,
            n: cur_values.len(),
            value: cv,
        },
        change,
        change_kind,
        p_value,
        ci,
        verdict,
        ignored_after_today: 0,
        points,
        unit: def.unit.clone(),
        window_us: edges,
    })
}
