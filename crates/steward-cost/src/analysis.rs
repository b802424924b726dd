//! `steward cost` for one system: everything in the JSON contract, computed from the
//! manifest and the options, with bad input reported at its manifest path.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use steward_manifest::values::MAX_MONTHS_TO_VALUE;
use steward_manifest::{CRITERIA, CostFigure, Manifest, SourcingKind};

use crate::declared::{Declared, declared};
use crate::pert::Variable;
use crate::simulate::{Distribution, Histogram, Model, simulate};
use crate::yardstick::{Yardsticks, yardsticks};

/// The largest cost figure the analysis accepts (the manifest loader bounds figures the
/// same way): at 1e15 a horizon of 100 years over every line stays near 1e17, where f64
/// still counts whole currency units exactly, so no sum overflows or saturates.
pub const MAX_FIGURE: f64 = steward_manifest::values::MAX_COST;

/// The longest horizon in years (`--years` stops there too).
pub const MAX_YEARS: u32 = steward_manifest::values::MAX_HORIZON_YEARS;

/// The most simulated runs (`--simulations` stops there too).
pub const MAX_SIMULATIONS: usize = 100_000_000;

/// The most option costs drawn in one simulation (runs x sourcing options): memory stays
/// bounded whatever the count, but time does not.
pub const MAX_OPTION_DRAWS: u64 = 1_000_000_000;

/// The most sourcing options compared. Build vs buy weighs a handful of real alternatives;
/// past this a manifest is generated or mistaken, and each option adds a simulated series
/// (at the default runs, about 30 ms of drawing each), so the bound keeps `steward cost` to
/// seconds.
pub const MAX_OPTIONS: usize = 100;

/// Bins of the simulated total's histogram in the html report.
pub const CHART_BINS: usize = 48;

/// What the user asked for.
#[derive(Clone, Copy, Debug)]
pub struct CostOptions {
    /// `None`: `sourcing.horizon_years`, else 3.
    pub years: Option<u32>,
    pub simulations: usize,
    pub seed: u64,
}

impl Default for CostOptions {
    fn default() -> Self {
        CostOptions {
            years: None,
            simulations: 100_000,
            seed: 1,
        }
    }
}

/// Why a system cannot be costed. Bad input names what it is about (a manifest path, which
/// a caller turns into a line, or a caller's option); an internal failure is ours.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CostError {
    /// A manifest value that parses but cannot be costed.
    #[error("{message} ({path})")]
    Manifest { path: String, message: String },
    /// A [`CostOptions`] value out of range, named as the command line spells it
    /// (`--years`, `--simulations`).
    #[error("{option}: {message}")]
    InvalidOption {
        option: &'static str,
        message: String,
    },
    /// Not the input's fault: a report that would not serialize.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CostError {
    /// The manifest path or the flag the error is about (empty for an internal failure).
    pub fn path(&self) -> &str {
        match self {
            CostError::Manifest { path, .. } => path,
            CostError::InvalidOption { option, .. } => option,
            CostError::Internal(_) => "",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            CostError::Manifest { message, .. } | CostError::InvalidOption { message, .. } => {
                message
            }
            CostError::Internal(message) => message,
        }
    }

    /// Whether the input is at fault (a caller's exit code 2, an HTTP 4xx).
    pub fn is_input(&self) -> bool {
        !matches!(self, CostError::Internal(_))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub runs: usize,
    pub seed: u64,
    pub total: Distribution,
    /// Number of ranged lines that were drawn (0: the total is certain).
    pub ranged_lines: usize,
    /// The exact mean of the total (sum of PERT means), to compare the simulated mean with.
    pub analytic_mean: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub line: String,
    pub low: f64,
    pub high: f64,
    pub total_at_low: f64,
    pub total_at_high: f64,
    pub swing: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionReport {
    pub name: String,
    pub kind: Option<SourcingKind>,
    pub weighted_score: f64,
    /// Per criterion (`integration_effort`, ...).
    pub scores: BTreeMap<String, u8>,
    pub flags: Vec<String>,
    pub months_to_value: Option<f64>,
    pub cost: Distribution,
    pub probability_cheapest: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourcingReport {
    pub decision: Option<SourcingKind>,
    /// Per criterion, as declared (1 when not declared).
    pub weights: BTreeMap<String, f64>,
    pub options: Vec<OptionReport>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    pub system: String,
    pub currency: String,
    pub years: u32,
    pub declared: Declared,
    pub yardsticks: Yardsticks,
    pub simulation: Simulation,
    pub sensitivity: Vec<Sensitivity>,
    pub sourcing: Option<SourcingReport>,
    /// The simulated totals binned for the html chart (not serialized).
    #[serde(skip)]
    pub total_histogram: Histogram,
}

/// Checks the sourcing section and returns, per option, its name, scores and weights.
fn validate_sourcing(m: &Manifest) -> Result<Vec<(&'static str, f64)>, CostError> {
    let Some(s) = &m.spec.sourcing else {
        return Ok(Vec::new());
    };
    let weights: Vec<(&'static str, f64)> = match &s.weights {
        None => CRITERIA.iter().map(|c| (*c, 1.0)).collect(),
        Some(w) => w
            .by_criterion()
            .iter()
            .map(|(c, w)| (*c, w.map(|w| w.0).unwrap_or(1.0)))
            .collect(),
    };
    if let Some((c, w)) = weights.iter().find(|(_, w)| !(w.is_finite() && *w >= 0.0)) {
        return Err(CostError::Manifest {
            path: format!("spec.sourcing.weights.{c}"),
            message: format!("the weight of {c} must be a finite number >= 0, found {w}"),
        });
    }
    if weights.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
        return Err(CostError::Manifest {
            path: "spec.sourcing.weights".into(),
            message: "the criterion weights sum to 0, so no option can be scored; give at least one criterion a weight above 0".into(),
        });
    }
    for (i, o) in s.options.iter().enumerate() {
        let base = format!("spec.sourcing.options[{i}]");
        if o.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(CostError::Manifest {
                path: format!("{base}.name"),
                message: format!("sourcing option #{} has no name", i + 1),
            });
        }
        let name = o.name.clone().unwrap_or_default();
        let Some(scores) = &o.scores else {
            return Err(CostError::Manifest {
                path: format!("{base}.scores"),
                message: format!(
                    "option `{name}` has no scores; score it 1 to 5 on {} so build and buy are compared on the useful basis",
                    CRITERIA.join(", ")
                ),
            });
        };
        let missing: Vec<&str> = scores
            .by_criterion()
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(c, _)| *c)
            .collect();
        if !missing.is_empty() {
            return Err(CostError::Manifest {
                path: format!("{base}.scores"),
                message: format!("option `{name}` has no score for {}", missing.join(", ")),
            });
        }
        if o.one_off.is_none() && o.annual.is_none() {
            return Err(CostError::Manifest {
                path: format!("{base}.one_off"),
                message: format!("option `{name}` has neither a one_off nor an annual cost"),
            });
        }
    }
    Ok(weights)
}

/// Every cost figure of the manifest with its path: the budget's lines and the options'.
fn figures(m: &Manifest) -> Vec<(String, CostFigure)> {
    let mut out = Vec::new();
    if let Some(b) = &m.spec.budget {
        if let Some(f) = b.poc_cost {
            out.push(("spec.budget.poc_cost".to_string(), f));
        }
        for (k, f) in b.implementation.clone().unwrap_or_default().lines() {
            if let Some(f) = f {
                out.push((format!("spec.budget.implementation.{k}"), f));
            }
        }
        for (k, f) in b.annual.clone().unwrap_or_default().lines() {
            if let Some(f) = f {
                out.push((format!("spec.budget.annual.{k}"), f));
            }
        }
    }
    if let Some(s) = &m.spec.sourcing {
        for (i, o) in s.options.iter().enumerate() {
            for (k, f) in [("one_off", o.one_off), ("annual", o.annual)] {
                if let Some(f) = f {
                    out.push((format!("spec.sourcing.options[{i}].{k}"), f));
                }
            }
        }
    }
    out
}

/// Figures the parser would have refused are refused here too, so the analysis never sees
/// a value whose sums could overflow (the library may be handed a manifest built in code).
fn validate_figures(m: &Manifest) -> Result<(), CostError> {
    for (path, f) in figures(m) {
        let parts: &[(&str, f64)] = match f {
            CostFigure::Fixed(v) => &[("", v)],
            CostFigure::Range { low, likely, high } => {
                &[(".low", low), (".likely", likely), (".high", high)]
            }
        };
        for (suffix, v) in parts {
            if !(v.is_finite() && (0.0..=MAX_FIGURE).contains(v)) {
                return Err(CostError::Manifest {
                    path: format!("{path}{suffix}"),
                    message: format!(
                        "the cost {} is out of range; a cost figure is a number from 0 to 1e15",
                        // 1e300 in full would be a 301-digit message.
                        if v.abs() >= 1e16 {
                            format!("{v:e}")
                        } else {
                            format!("{v}")
                        }
                    ),
                });
            }
        }
        if let CostFigure::Range { low, likely, high } = f
            && !(low <= likely && likely <= high)
        {
            return Err(CostError::Manifest {
                path,
                message: "a range needs low <= likely <= high".into(),
            });
        }
    }
    if let Some(s) = &m.spec.sourcing {
        for (i, o) in s.options.iter().enumerate() {
            if let Some(months) = o.months_to_value
                && !(months.is_finite() && (0.0..=MAX_MONTHS_TO_VALUE).contains(&months))
            {
                return Err(CostError::Manifest {
                    path: format!("spec.sourcing.options[{i}].months_to_value"),
                    message: format!(
                        "months_to_value must be a number of months from 0 to {MAX_MONTHS_TO_VALUE}"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The horizon and the run count, checked: `--years` and `--simulations` stop where the
/// clap definitions do, and `horizon_years` where the manifest loader does.
fn validate_counts(m: &Manifest, options: &CostOptions) -> Result<(u32, usize), CostError> {
    let horizon = m.spec.sourcing.as_ref().and_then(|s| s.horizon_years);
    let from_manifest = options.years.is_none() && horizon.is_some();
    let years = options.years.or(horizon).unwrap_or(3);
    if years == 0 || years > MAX_YEARS {
        let message = format!(
            "the horizon is {years} years; a cost of ownership is computed over 1 to {MAX_YEARS} years"
        );
        return Err(if from_manifest {
            CostError::Manifest {
                path: "spec.sourcing.horizon_years".into(),
                message,
            }
        } else {
            CostError::InvalidOption {
                option: "--years",
                message,
            }
        });
    }
    let runs = options.simulations.max(1);
    if runs > MAX_SIMULATIONS {
        return Err(CostError::InvalidOption {
            option: "--simulations",
            message: format!("{runs} runs; at most {MAX_SIMULATIONS} are simulated"),
        });
    }
    let n_options = m.spec.sourcing.as_ref().map_or(0, |s| s.options.len());
    if n_options > MAX_OPTIONS {
        return Err(CostError::Manifest {
            path: format!("spec.sourcing.options[{MAX_OPTIONS}]"),
            message: format!(
                "{n_options} sourcing options; at most {MAX_OPTIONS} are compared (build vs buy weighs a few real alternatives)"
            ),
        });
    }
    let n_options = n_options as u64;
    if n_options.saturating_mul(runs as u64) > MAX_OPTION_DRAWS {
        return Err(CostError::Manifest {
            path: "spec.sourcing.options".into(),
            message: format!(
                "{n_options} sourcing options x {runs} runs is more than {MAX_OPTION_DRAWS} option costs to draw; lower --simulations"
            ),
        });
    }
    Ok((years, runs))
}

/// The whole cost analysis of one system.
pub fn analyze(m: &Manifest, options: &CostOptions) -> Result<CostReport, CostError> {
    let (years, runs) = validate_counts(m, options)?;
    validate_figures(m)?;
    let weights = validate_sourcing(m)?;
    let budget = m.spec.budget.clone().unwrap_or_default();
    let currency = budget.currency.clone().unwrap_or_default();
    let decl = declared(m, years);
    let implementation = budget.implementation.clone().unwrap_or_default();
    let annual = budget.annual.clone().unwrap_or_default();

    // Simulation.
    let sourcing = m.spec.sourcing.clone().unwrap_or_default();
    let model = Model {
        one_off: implementation
            .lines()
            .iter()
            .map(|(_, f)| Variable::from_figure(*f))
            .collect(),
        annual: annual
            .lines()
            .iter()
            .map(|(_, f)| Variable::from_figure(*f))
            .collect(),
        years: f64::from(years),
        options: sourcing
            .options
            .iter()
            .map(|o| {
                (
                    Variable::from_figure(o.one_off),
                    Variable::from_figure(o.annual),
                )
            })
            .collect(),
    };
    let analytic_mean = model.one_off.iter().map(Variable::mean).sum::<f64>()
        + model.years * model.annual.iter().map(Variable::mean).sum::<f64>();
    let ranged_lines = model
        .one_off
        .iter()
        .chain(&model.annual)
        .filter(|v| v.is_random())
        .count();
    let samples = simulate(&model, runs, options.seed, CHART_BINS);
    let simulation = Simulation {
        runs,
        seed: options.seed,
        total: samples.total,
        ranged_lines,
        analytic_mean,
    };

    // Sensitivity: each ranged line at its low and high, every other line at likely.
    let mut sensitivity: Vec<Sensitivity> = Vec::new();
    let mut add = |line: String, f: Option<CostFigure>, multiplier: f64| {
        if let Some(f) = f.filter(CostFigure::is_range) {
            let at = |v: f64| decl.total + multiplier * (v - f.likely());
            sensitivity.push(Sensitivity {
                line,
                low: f.low(),
                high: f.high(),
                total_at_low: at(f.low()),
                total_at_high: at(f.high()),
                swing: multiplier * (f.high() - f.low()),
            });
        }
    };
    for (k, f) in implementation.lines() {
        add(format!("implementation.{k}"), f, 1.0);
    }
    for (k, f) in annual.lines() {
        add(format!("annual.{k}"), f, f64::from(years));
    }
    sensitivity.sort_by(|a, b| {
        b.swing
            .total_cmp(&a.swing)
            .then_with(|| a.line.cmp(&b.line))
    });

    // Build vs buy.
    let sourcing_report = m.spec.sourcing.as_ref().map(|s| {
        // Weights near f64::MAX would sum to infinity: then they are scaled by the largest
        // (the scores are a weighted mean, so the scale cancels).
        let raw_sum: f64 = weights.iter().map(|(_, w)| w).sum();
        let largest = if raw_sum.is_finite() {
            1.0
        } else {
            weights.iter().map(|(_, w)| *w).fold(0.0, f64::max)
        };
        let scaled: Vec<f64> = weights.iter().map(|(_, w)| w / largest).collect();
        let weight_sum: f64 = scaled.iter().sum();
        SourcingReport {
            decision: s.decision,
            weights: weights.iter().map(|(c, w)| (c.to_string(), *w)).collect(),
            options: s
                .options
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    let scores: Vec<(&'static str, u8)> = o
                        .scores
                        .clone()
                        .unwrap_or_default()
                        .by_criterion()
                        .iter()
                        .map(|(c, s)| (*c, s.map(|s| s.0).unwrap_or(0)))
                        .collect();
                    let weighted = scores
                        .iter()
                        .zip(&scaled)
                        .map(|((_, s), w)| f64::from(*s) * w)
                        .sum::<f64>()
                        / weight_sum;
                    let flags = scores
                        .iter()
                        .filter(|(_, s)| *s == 1)
                        .map(|(c, _)| format!("{c} scored 1"))
                        .collect();
                    OptionReport {
                        name: o.name.clone().unwrap_or_default(),
                        kind: o.kind,
                        weighted_score: weighted,
                        scores: scores.iter().map(|(c, s)| (c.to_string(), *s)).collect(),
                        flags,
                        months_to_value: o.months_to_value,
                        cost: samples.options[i],
                        probability_cheapest: samples.cheapest[i] as f64 / runs as f64,
                    }
                })
                .collect(),
        }
    });

    Ok(CostReport {
        system: m.metadata.name.to_string(),
        currency,
        years,
        declared: decl,
        yardsticks: yardsticks(&budget),
        simulation,
        sensitivity,
        sourcing: sourcing_report,
        total_histogram: samples.chart,
    })
}
