//! Drift of one column and of a dataset: Evidently 0.7's default choice of test per column
//! (by type, reference size and distinct values), its thresholds and its dataset rule.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ks::ks_2samp;
use crate::merge::runs;
use crate::sort::sort_f64;
use crate::tests::{
    Aligned, anderson_ksamp, chisquare, cramer_von_mises, divergence, energy_distance,
    hellinger_numeric, hellinger_shares, histogram_counts, jensenshannon, mann_whitney_less,
    pairwise_sum, std_dev, sturges_edges, t_test, wasserstein_normed, z_test,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Numerical,
    Categorical,
}

/// The non-missing values of one side of a column.
#[derive(Clone, Debug)]
pub enum Values {
    Numerical(Vec<f64>),
    /// Value counts of a categorical column.
    Categorical(BTreeMap<String, u64>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Numerical(v) => v.len(),
            Values::Categorical(m) => m.values().sum::<u64>() as usize,
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A test Steward can run, by Evidently's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatTest {
    Ks,
    Chisquare,
    Z,
    Wasserstein,
    Jensenshannon,
    Psi,
    KlDiv,
    Hellinger,
    EnergyDistance,
    Mannw,
    TTest,
    CramerVonMises,
    Anderson,
}

impl StatTest {
    pub fn name(self) -> &'static str {
        match self {
            StatTest::Ks => "ks",
            StatTest::Chisquare => "chisquare",
            StatTest::Z => "z",
            StatTest::Wasserstein => "wasserstein",
            StatTest::Jensenshannon => "jensenshannon",
            StatTest::Psi => "psi",
            StatTest::KlDiv => "kl_div",
            StatTest::Hellinger => "hellinger",
            StatTest::EnergyDistance => "energy_distance",
            StatTest::Mannw => "mannw",
            StatTest::TTest => "t_test",
            StatTest::CramerVonMises => "cramer_von_mises",
            StatTest::Anderson => "anderson",
        }
    }

    /// Every name analytics.md lists, and whether this version computes it.
    pub fn parse(name: &str) -> Result<StatTest, String> {
        Ok(match name {
            "ks" => StatTest::Ks,
            "chisquare" => StatTest::Chisquare,
            "z" => StatTest::Z,
            "wasserstein" => StatTest::Wasserstein,
            "jensenshannon" => StatTest::Jensenshannon,
            "psi" => StatTest::Psi,
            "kl_div" => StatTest::KlDiv,
            "hellinger" => StatTest::Hellinger,
            "energy_distance" | "ed" => StatTest::EnergyDistance,
            "mannw" => StatTest::Mannw,
            "t_test" => StatTest::TTest,
            "cramer_von_mises" => StatTest::CramerVonMises,
            "anderson" => StatTest::Anderson,
            other => {
                return Err(format!(
                    "unknown test `{other}`; available: ks, chisquare, z, wasserstein, jensenshannon, psi, kl_div, hellinger, energy_distance, mannw, t_test, cramer_von_mises, anderson"
                ));
            }
        })
    }

    pub fn default_threshold(self) -> f64 {
        match self {
            StatTest::Ks
            | StatTest::Chisquare
            | StatTest::Z
            | StatTest::Mannw
            | StatTest::TTest => 0.05,
            StatTest::Wasserstein
            | StatTest::Jensenshannon
            | StatTest::Psi
            | StatTest::KlDiv
            | StatTest::Hellinger
            | StatTest::EnergyDistance
            | StatTest::CramerVonMises
            | StatTest::Anderson => 0.1,
        }
    }

    /// p-value tests drift below the threshold, distances at or above it (ks: p <= threshold).
    fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            StatTest::Ks | StatTest::CramerVonMises => score <= threshold,
            StatTest::Chisquare
            | StatTest::Z
            | StatTest::Mannw
            | StatTest::TTest
            | StatTest::Anderson => score < threshold,
            StatTest::EnergyDistance => score > threshold,
            StatTest::Wasserstein
            | StatTest::Jensenshannon
            | StatTest::Psi
            | StatTest::KlDiv
            | StatTest::Hellinger => score >= threshold,
        }
    }

    fn allowed(self, t: ColumnType) -> bool {
        match self {
            StatTest::Ks
            | StatTest::Wasserstein
            | StatTest::EnergyDistance
            | StatTest::Mannw
            | StatTest::TTest
            | StatTest::CramerVonMises
            | StatTest::Anderson => t == ColumnType::Numerical,
            StatTest::Chisquare
            | StatTest::Z
            | StatTest::Jensenshannon
            | StatTest::Psi
            | StatTest::KlDiv
            | StatTest::Hellinger => true,
        }
    }
}

/// A column's summary in the drift report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub count: usize,
    pub missing: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub std: Option<f64>,
    pub unique: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ColumnDrift {
    pub column: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    pub stattest: &'static str,
    pub score: f64,
    pub statistic: f64,
    pub p_value: Option<f64>,
    pub threshold: f64,
    pub drift_detected: bool,
    pub reference: Summary,
    pub current: Summary,
    /// True when the reference is a profile's quantile sketch rather than its rows: the
    /// score is then computed against the sketch's distribution.
    pub approximate: bool,
    /// The sketch's normalized rank error (the reference CDF is within this of the truth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rank_error: Option<f64>,
    /// For the html report: shares of the two sides over common bins or values.
    #[serde(skip)]
    pub distribution: Distribution,
}

/// Two distributions over the same bins (numerical) or values (categorical), for charts.
#[derive(Clone, Debug, Default)]
pub struct Distribution {
    pub labels: Vec<String>,
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
}

/// What is asked of one column.
pub struct ColumnRequest {
    pub name: String,
    pub column_type: ColumnType,
    pub reference: Values,
    pub current: Values,
    pub reference_missing: usize,
    pub current_missing: usize,
    pub stattest: Option<StatTest>,
    pub threshold: Option<f64>,
    /// Both sides are whole numbers with nothing missing: numpy integers, whose Sturges
    /// bins are at least 1 wide.
    pub integer: bool,
}

fn summary_numeric(sorted: &[f64], missing: usize, unique: usize) -> Summary {
    if sorted.is_empty() {
        return Summary {
            missing,
            ..Default::default()
        };
    }
    Summary {
        count: sorted.len(),
        missing,
        min: sorted.first().copied(),
        max: sorted.last().copied(),
        mean: Some(pairwise_sum(sorted) / sorted.len() as f64),
        std: Some(std_dev(sorted)),
        unique,
    }
}

/// Distinct values of two ascending samples together.
fn distinct_merged(r: &[f64], c: &[f64]) -> usize {
    runs(r, c).count()
}

fn distinct(sorted: &[f64]) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
}

/// Evidently's `get_binned_data` shares: Sturges bins of both samples together for a
/// numerical column with more than 20 distinct reference values, else the share of each value.
fn binned_shares(
    t: ColumnType,
    r: &[f64],
    c: &[f64],
    aligned: &Aligned,
    integer: bool,
) -> (Vec<f64>, Vec<f64>) {
    if t == ColumnType::Numerical && distinct(r) > 20 {
        let edges = sturges_edges(
            r.len() + c.len(),
            r[0].min(c[0]),
            r[r.len() - 1].max(c[c.len() - 1]),
            integer,
        );
        let (nr, nc) = (r.len() as f64, c.len() as f64);
        (
            histogram_counts(r, &edges)
                .iter()
                .map(|x| *x as f64 / nr)
                .collect(),
            histogram_counts(c, &edges)
                .iter()
                .map(|x| *x as f64 / nc)
                .collect(),
        )
    } else {
        aligned_or_count(aligned, r, c).shares()
    }
}

/// The aligned counts, computing them when they were skipped (a test chosen by the user on
/// a column with many distinct values).
fn aligned_or_count(a: &Aligned, r: &[f64], c: &[f64]) -> Aligned {
    if a.reference.is_empty() {
        align_numeric(r, c).0
    } else {
        a.clone()
    }
}

/// Counts of each distinct value on both sides, aligned in ascending order.
fn align_numeric(r: &[f64], c: &[f64]) -> (Aligned, Vec<String>) {
    let mut a = Aligned {
        reference: Vec::new(),
        current: Vec::new(),
    };
    let mut labels = Vec::new();
    for (v, cr, cc) in runs(r, c) {
        a.reference.push(cr as u64);
        a.current.push(cc as u64);
        labels.push(steward_number(v));
    }
    (a, labels)
}

fn steward_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn align_categorical(
    r: &BTreeMap<String, u64>,
    c: &BTreeMap<String, u64>,
) -> (Aligned, Vec<String>) {
    let mut keys: Vec<&String> = r.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    let a = Aligned {
        reference: keys
            .iter()
            .map(|k| r.get(*k).copied().unwrap_or(0))
            .collect(),
        current: keys
            .iter()
            .map(|k| c.get(*k).copied().unwrap_or(0))
            .collect(),
    };
    (a, keys.into_iter().cloned().collect())
}

/// Evidently's default test for a column.
pub fn default_test(column_type: ColumnType, reference_rows: usize, n_unique: usize) -> StatTest {
    match (column_type, reference_rows <= 1000) {
        (ColumnType::Numerical, true) if n_unique > 5 => StatTest::Ks,
        (_, true) if n_unique > 2 => StatTest::Chisquare,
        (_, true) => StatTest::Z,
        (ColumnType::Numerical, false) if n_unique > 5 => StatTest::Wasserstein,
        (_, false) => StatTest::Jensenshannon,
    }
}

/// Tests one column. Both sides must have at least one value.
pub fn column_drift(req: ColumnRequest) -> Result<ColumnDrift, String> {
    if req.reference.is_empty() || req.current.is_empty() {
        return Err(format!(
            "column `{}` has no values in the {} data",
            req.name,
            if req.reference.is_empty() {
                "reference"
            } else {
                "current"
            }
        ));
    }
    let ref_rows = req.reference.len();
    match (req.reference, req.current) {
        (Values::Numerical(mut r), Values::Numerical(mut c)) => {
            sort_f64(&mut r);
            sort_f64(&mut c);
            let n_unique = distinct_merged(&r, &c);
            // Per-value counts only where a test or the chart needs them: a continuous
            // column has as many distinct values as rows.
            let (aligned, labels) = if n_unique <= 64 {
                align_numeric(&r, &c)
            } else {
                (
                    Aligned {
                        reference: Vec::new(),
                        current: Vec::new(),
                    },
                    Vec::new(),
                )
            };
            let test = req
                .stattest
                .unwrap_or_else(|| default_test(req.column_type, ref_rows, n_unique));
            if !test.allowed(req.column_type) {
                return Err(format!(
                    "the `{}` test does not apply to the {:?} column `{}`",
                    test.name(),
                    req.column_type,
                    req.name
                )
                .to_lowercase());
            }
            let threshold = req.threshold.unwrap_or(test.default_threshold());
            let (score, statistic, p_value) = match test {
                StatTest::Ks => {
                    let k = ks_2samp(&r, &c);
                    (k.p_value, k.statistic, Some(k.p_value))
                }
                StatTest::Wasserstein => {
                    let w = wasserstein_normed(&r, &c);
                    (w, w, None)
                }
                StatTest::Chisquare => {
                    let (s, p) = chisquare(&aligned_or_count(&aligned, &r, &c));
                    (p, s, Some(p))
                }
                StatTest::Z => {
                    let (z, p) = z_test(&aligned_or_count(&aligned, &r, &c));
                    (p, z, Some(p))
                }
                StatTest::Jensenshannon => {
                    let (a, b) = binned_shares(req.column_type, &r, &c, &aligned, req.integer);
                    let js = jensenshannon(&a, &b);
                    (js, js, None)
                }
                StatTest::Psi | StatTest::KlDiv => {
                    let (a, b) = binned_shares(req.column_type, &r, &c, &aligned, req.integer);
                    let v = divergence(a, b, test == StatTest::KlDiv);
                    (v, v, None)
                }
                StatTest::Hellinger => {
                    let h = if req.column_type == ColumnType::Numerical {
                        hellinger_numeric(&r, &c, req.integer)
                    } else {
                        let (a, b) = aligned_or_count(&aligned, &r, &c).shares();
                        hellinger_shares(&a, &b)
                    };
                    (h, h, None)
                }
                StatTest::EnergyDistance => {
                    let e = energy_distance(&r, &c);
                    (e, e, None)
                }
                StatTest::Mannw => {
                    let (u, p) = mann_whitney_less(&r, &c);
                    (p, u, Some(p))
                }
                StatTest::TTest => {
                    let (t, p) = t_test(&r, &c);
                    (p, t, Some(p))
                }
                StatTest::Anderson => {
                    let (a, p) = anderson_ksamp(&r, &c).ok_or_else(|| {
                        format!(
                            "column `{}`: anderson needs more than one distinct value",
                            req.name
                        )
                    })?;
                    (p, a, Some(p))
                }
                StatTest::CramerVonMises => {
                    let (t, p) = cramer_von_mises(&r, &c).ok_or_else(|| {
                        format!(
                            "column `{}`: cramer_von_mises needs at least two values on each side",
                            req.name
                        )
                    })?;
                    (p, t, Some(p))
                }
            };
            let distribution = numeric_distribution(&r, &c, &aligned, &labels);
            Ok(ColumnDrift {
                column: req.name,
                column_type: req.column_type,
                stattest: test.name(),
                score,
                statistic,
                p_value,
                threshold,
                drift_detected: test.drifted(score, threshold),
                reference: summary_numeric(&r, req.reference_missing, distinct(&r)),
                current: summary_numeric(&c, req.current_missing, distinct(&c)),
                approximate: false,
                rank_error: None,
                distribution,
            })
        }
        (Values::Categorical(r), Values::Categorical(c)) => {
            let (aligned, labels) = align_categorical(&r, &c);
            let n_unique = aligned.reference.len();
            let test = req
                .stattest
                .unwrap_or_else(|| default_test(ColumnType::Categorical, ref_rows, n_unique));
            if !test.allowed(ColumnType::Categorical) {
                return Err(format!(
                    "the `{}` test does not apply to the categorical column `{}`",
                    test.name(),
                    req.name
                ));
            }
            let threshold = req.threshold.unwrap_or(test.default_threshold());
            let (score, statistic, p_value) = match test {
                StatTest::Chisquare => {
                    let (s, p) = chisquare(&aligned);
                    (p, s, Some(p))
                }
                StatTest::Z => {
                    let (z, p) = z_test(&aligned);
                    (p, z, Some(p))
                }
                StatTest::Psi | StatTest::KlDiv => {
                    let (a, b) = aligned.shares();
                    let v = divergence(a, b, test == StatTest::KlDiv);
                    (v, v, None)
                }
                StatTest::Hellinger => {
                    let (a, b) = aligned.shares();
                    let h = hellinger_shares(&a, &b);
                    (h, h, None)
                }
                _ => {
                    let (p, q) = aligned.shares();
                    let js = jensenshannon(&p, &q);
                    (js, js, None)
                }
            };
            let (rs, cs) = aligned.shares();
            let summary = |m: &BTreeMap<String, u64>, missing| Summary {
                count: m.values().sum::<u64>() as usize,
                missing,
                unique: m.len(),
                ..Default::default()
            };
            Ok(ColumnDrift {
                column: req.name,
                column_type: req.column_type,
                stattest: test.name(),
                score,
                statistic,
                p_value,
                threshold,
                drift_detected: test.drifted(score, threshold),
                reference: summary(&r, req.reference_missing),
                current: summary(&c, req.current_missing),
                approximate: false,
                rank_error: None,
                distribution: Distribution {
                    labels,
                    reference: rs,
                    current: cs,
                },
            })
        }
        _ => Err(format!(
            "column `{}` has values of different kinds in the two datasets",
            req.name
        )),
    }
}

/// At most 30 shared bins for a chart of a numerical column (no raw values leave the report).
fn numeric_distribution(
    r: &[f64],
    c: &[f64],
    aligned: &Aligned,
    labels: &[String],
) -> Distribution {
    if !aligned.reference.is_empty() && aligned.reference.len() <= 30 {
        let (rs, cs) = aligned.shares();
        return Distribution {
            labels: labels.to_vec(),
            reference: rs,
            current: cs,
        };
    }
    let (lo, hi) = (r[0].min(c[0]), r[r.len() - 1].max(c[c.len() - 1]));
    let bins = 30;
    let step = (hi - lo) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| lo + i as f64 * step).collect();
    edges[bins] = hi;
    let (rc, cc) = (histogram_counts(r, &edges), histogram_counts(c, &edges));
    Distribution {
        labels: edges[..bins].iter().map(|e| format!("{e:.4}")).collect(),
        reference: rc.iter().map(|x| *x as f64 / r.len() as f64).collect(),
        current: cc.iter().map(|x| *x as f64 / c.len() as f64).collect(),
    }
}
