//! Drift of one column and of a dataset: Evidently 0.7's default choice of test per column
//! (by type, reference size and distinct values), its thresholds and its dataset rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use crate::bounds::{self, ShareRange};
use crate::frequent::BoundedCounts;

use crate::ks::ks_2samp;
use crate::runs::sample_runs;
use crate::sample::{Moments, Sample, weighted_runs};
use crate::sort::sort_f64;
use crate::stattests::{
    Aligned, anderson_ksamp, chisquare, cramer_von_mises, divergence, energy_distance,
    hellinger_numeric, hellinger_shares, jensenshannon, mann_whitney_less, sturges_edges, t_test,
    wasserstein_normed, z_test,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    Numerical,
    Categorical,
}

/// The non-missing values of one side of a column.
#[derive(Clone, Debug)]
pub enum Values {
    /// Numbers (non-finite ones are treated as missing, as Evidently drops them).
    Numerical(Vec<f64>),
    /// Value counts of a categorical column.
    Categorical(BTreeMap<String, u64>),
    /// A numerical column known by weighted points (a profile), never expanded to rows.
    Weighted(WeightedValues),
    /// A categorical column known by a frequent-items sketch: counts within bounds.
    Frequent(BoundedCounts),
}

/// A numerical column known by weighted points: a profile's exact value counts, or its
/// quantile summary (each point standing for `weight` rows around it).
#[derive(Clone, Debug, Default)]
pub struct WeightedValues {
    /// Ascending, finite.
    pub values: Vec<f64>,
    /// Rows per point; they add up to the column's count.
    pub weights: Vec<u64>,
    /// Bound on the normalized rank error of the points' CDF: 0 when every point is a
    /// distinct value (or a single row) with its exact count.
    pub rank_error: f64,
    /// The rows' exact extremes and moments, when known (a profile keeps them).
    pub exact: Option<ExactMoments>,
}

/// Exact statistics of the rows a weighted column stands for.
#[derive(Clone, Copy, Debug)]
pub struct ExactMoments {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// Sum of squared deviations from the mean.
    pub m2: f64,
    /// Distinct values (an estimate for a summarized column).
    pub distinct: usize,
}

impl Values {
    /// Rows with a value (saturating: counts a profile claims may be absurd).
    pub fn count(&self) -> u64 {
        match self {
            Values::Numerical(v) => v.len() as u64,
            Values::Categorical(m) => m.values().fold(0u64, |a, c| a.saturating_add(*c)),
            Values::Weighted(w) => w.weights.iter().fold(0u64, |a, c| a.saturating_add(*c)),
            Values::Frequent(b) => b.total,
        }
    }
    pub fn len(&self) -> usize {
        usize::try_from(self.count()).unwrap_or(usize::MAX)
    }
    pub fn is_empty(&self) -> bool {
        self.count() == 0
    }
}

/// A test Steward can run, by Evidently's name (serialized as that name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

impl std::fmt::Display for StatTest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
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

    /// Every test name docs/drift.md lists, and whether this version computes it.
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
                // A value of megabytes must not make an error line of megabytes.
                let mut other: String = other.chars().take(40).collect();
                if other.len() < name.len() {
                    other.push('…');
                }
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
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
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
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ColumnDrift {
    pub column: String,
    #[serde(rename = "type")]
    pub column_type: ColumnType,
    pub stattest: StatTest,
    /// Written `null` when it is not a number; `score_reason` then says why.
    #[serde(deserialize_with = "null_as_nan")]
    pub score: f64,
    #[serde(deserialize_with = "null_as_nan")]
    pub statistic: f64,
    pub p_value: Option<f64>,
    pub threshold: f64,
    pub drift_detected: bool,
    /// The interval the full-data score lies in, when the score comes from a summary
    /// (a quantile summary's rank error, a frequent-items sketch's count error); `None`
    /// (written null) when the score is exact. An upper end without limit is written null.
    #[serde(deserialize_with = "bounds_from_json")]
    pub score_bounds: Option<[f64; 2]>,
    /// The threshold lies inside `score_bounds`: the full data may decide either way, and
    /// `drift_detected` is the summary's decision, not a proven one.
    pub decision_uncertain: bool,
    pub reference: Summary,
    pub current: Summary,
    /// True when the reference is a profile's quantile sketch rather than its rows: the
    /// score is then computed against the sketch's distribution.
    pub approximate: bool,
    /// The sketch's normalized rank error (the reference CDF is within this of the truth).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_error: Option<f64>,
    /// Why the score is not a number (present only then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_reason: Option<String>,
    /// For the html report: shares of the two sides over common bins or values.
    #[serde(skip)]
    pub distribution: Distribution,
}

/// A number the JSON writes as null when it is not finite (serde_json's way): read back as
/// NaN, so a report read back serializes to the same bytes.
fn null_as_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// `score_bounds`: null, or [low, high] where an unbounded end is written null.
fn bounds_from_json<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[f64; 2]>, D::Error> {
    let ends = Option::<[Option<f64>; 2]>::deserialize(d)?;
    Ok(ends.map(|[low, high]| {
        [
            low.unwrap_or(f64::NEG_INFINITY),
            high.unwrap_or(f64::INFINITY),
        ]
    }))
}

/// Two distributions over the same bins (numerical) or values (categorical), for charts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub labels: Vec<String>,
    pub reference: Vec<f64>,
    pub current: Vec<f64>,
    /// The bins span the middle 99% of the values, not their whole range: far outliers
    /// would have squeezed the rest into one bar. The first and last bins hold the tails.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tails_folded: bool,
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

/// Why a column was not tested.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ColumnError {
    /// The request is wrong (a test that does not apply, too few values for the test): the
    /// comparison as a whole fails with this message.
    #[error("{0}")]
    Invalid(String),
    /// This test cannot be computed from what is known of the column (a summary instead of
    /// rows, a range past f64): the column is skipped with this reason.
    #[error("{0}")]
    NotComputable(String),
    /// A failure of Steward itself, not of the input (a test that did not finish).
    #[error("internal error: {0}")]
    Internal(String),
}

/// One numerical side, ready for the tests: ascending finite points, weights for a
/// profile's column, and the rows' exact statistics when known.
struct NumericSide {
    values: Vec<f64>,
    weights: Option<Vec<u64>>,
    rank_error: f64,
    exact: Option<ExactMoments>,
    /// Non-finite values dropped (counted as missing, as Evidently drops them).
    dropped: usize,
    /// The sample's moments and deviation, computed once: the test, the summary and the
    /// bounds all ask, and each asking is two passes over millions of values.
    sample_moments: std::cell::OnceCell<Moments>,
    sample_std: std::cell::OnceCell<f64>,
}

impl NumericSide {
    fn new(values: Values) -> NumericSide {
        match values {
            Values::Numerical(mut v) => {
                let before = v.len();
                v.retain(|x| x.is_finite());
                let dropped = before - v.len();
                sort_f64(&mut v);
                NumericSide {
                    values: v,
                    weights: None,
                    rank_error: 0.0,
                    exact: None,
                    dropped,
                    sample_moments: Default::default(),
                    sample_std: Default::default(),
                }
            }
            Values::Weighted(w) => {
                let mut pairs: Vec<(f64, u64)> = w
                    .values
                    .iter()
                    .copied()
                    .zip(w.weights.iter().copied())
                    .filter(|(x, c)| x.is_finite() && *c > 0)
                    .collect();
                if !pairs.windows(2).all(|p| p[0].0 <= p[1].0) {
                    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                }
                let exact = w.exact.filter(|e| {
                    [e.min, e.max, e.mean, e.m2].iter().all(|x| x.is_finite()) && e.min <= e.max
                });
                NumericSide {
                    values: pairs.iter().map(|p| p.0).collect(),
                    weights: Some(pairs.iter().map(|p| p.1).collect()),
                    rank_error: if w.rank_error.is_finite() {
                        w.rank_error.clamp(0.0, 1.0)
                    } else {
                        1.0
                    },
                    exact,
                    dropped: 0,
                    sample_moments: Default::default(),
                    sample_std: Default::default(),
                }
            }
            Values::Categorical(_) | Values::Frequent(_) => NumericSide {
                values: Vec::new(),
                weights: None,
                rank_error: 0.0,
                exact: None,
                dropped: 0,
                sample_moments: Default::default(),
                sample_std: Default::default(),
            },
        }
    }

    fn sample(&self) -> Sample<'_> {
        match &self.weights {
            None => Sample::plain(&self.values),
            // A summary with a rank error holds block middles: each stands for rows of
            // different values, not for equal ones.
            Some(w) => {
                let s = Sample::weighted(&self.values, w).spread(self.rank_error > 0.0);
                match self.exact {
                    Some(e) => s.with_range(e.min, e.max),
                    None => s,
                }
            }
        }
    }

    fn min(&self) -> f64 {
        self.exact.map_or_else(|| self.sample().min(), |e| e.min)
    }

    fn max(&self) -> f64 {
        self.exact.map_or_else(|| self.sample().max(), |e| e.max)
    }

    fn moments(&self) -> Moments {
        let s = self.sample();
        match self.exact {
            Some(e) => Moments {
                count: s.count() as f64,
                mean: e.mean,
                m2: e.m2,
            },
            None => *self.sample_moments.get_or_init(|| s.moments()),
        }
    }

    /// For a summarized side whose values repeat (its distinct-count estimate is well below
    /// its count): why a test that needs each value's exact multiplicity is not computed.
    fn ties_unknown(&self) -> Option<String> {
        if self.rank_error == 0.0 {
            return None;
        }
        let count = self.sample().count() as f64;
        let distinct = self.exact.map_or(0, |e| e.distinct) as f64;
        // The estimate's error is about 1.6% (HLL, 4,096 registers): 5% is three of them.
        (distinct < 0.95 * count).then(|| {
            format!(
                "cramer_von_mises counts tied values by their exact multiplicities, which a summarized profile does not keep (about {} distinct values among {} rows)",
                distinct.round(),
                count
            )
        })
    }

    /// The value at about rank `q` of the rows (the nearest point; for a chart's bins, not
    /// for a statistic). NaN when there are none.
    fn rough_quantile(&self, q: f64) -> f64 {
        let v = &self.values;
        if v.is_empty() {
            return f64::NAN;
        }
        match &self.weights {
            None => v[((v.len() - 1) as f64 * q).round() as usize],
            Some(w) => {
                let total: f64 = w.iter().map(|x| *x as f64).sum();
                let mut seen = 0.0;
                for (x, n) in v.iter().zip(w) {
                    seen += *n as f64;
                    if seen >= q * total {
                        return *x;
                    }
                }
                v[v.len() - 1]
            }
        }
    }

    /// max - min (infinite when it passes f64).
    fn range(&self) -> f64 {
        self.max() - self.min()
    }

    /// The range in units of `norm`, divided first so a range past f64 stays finite.
    fn range_over(&self, norm: f64) -> f64 {
        self.max() / norm - self.min() / norm
    }

    /// How far a bin's share read from this side may be from the data's: a bin's count is
    /// the difference of two readings of the CDF drawn through the summary's points. The
    /// step CDF is within the rank error of the data's; the drawn line is within half a
    /// point's weight of the step CDF; each reading is rounded to a whole row.
    fn bin_share_error(&self) -> f64 {
        let Some(w) = &self.weights else { return 0.0 };
        if self.rank_error == 0.0 {
            return 0.0;
        }
        let n = w.iter().map(|x| *x as f64).sum::<f64>();
        let largest = w.iter().copied().max().unwrap_or(0) as f64;
        2.0 * (self.rank_error + (largest / 2.0 + 0.5) / n)
    }

    /// `np.std` of the side, without overflow near the limits of f64.
    fn std(&self) -> f64 {
        match self.exact {
            // A profile's exact moments are finite (validated when read).
            Some(_) => self.moments().std(),
            None => *self.sample_std.get_or_init(|| {
                // The moments' deviation when finite (what `Sample::std` computes first),
                // without computing those moments again.
                let s = self.moments().std();
                if s.is_finite() {
                    s
                } else {
                    self.sample().std()
                }
            }),
        }
    }

    fn summary(&self, missing: usize) -> Summary {
        let s = self.sample();
        if s.is_empty() {
            return Summary {
                missing: missing + self.dropped,
                ..Default::default()
            };
        }
        let m = self.moments();
        Summary {
            count: usize::try_from(s.count()).unwrap_or(usize::MAX),
            missing: missing + self.dropped,
            min: Some(self.min()),
            max: Some(self.max()),
            mean: Some(m.mean),
            std: Some(self.std()),
            unique: self
                .exact
                .map_or_else(|| s.distinct_points(), |e| e.distinct),
        }
    }
}

/// Shares of the two sides over the same bins or values.
struct Binned {
    reference: Vec<f64>,
    current: Vec<f64>,
    /// Over Sturges bins (not per value).
    on_bins: bool,
}

impl Binned {
    /// Each share with the interval the data's share lies in (bins read from a summary's
    /// CDF); `None` when shares are per point, which a summary cannot bound.
    fn ranges(
        &self,
        r: &NumericSide,
        c: &NumericSide,
    ) -> Option<(Vec<ShareRange>, Vec<ShareRange>)> {
        let (er, ec) = (r.bin_share_error(), c.bin_share_error());
        if !self.on_bins && (er > 0.0 || ec > 0.0) {
            return None;
        }
        let around = |shares: &[f64], e: f64| -> Vec<ShareRange> {
            shares.iter().map(|s| ShareRange::around(*s, e)).collect()
        };
        Some((around(&self.reference, er), around(&self.current, ec)))
    }
}

/// Evidently's `get_binned_data` shares: Sturges bins of both samples together for a
/// numerical column with more than 20 distinct reference values, else the share of each value.
fn binned_shares(
    t: ColumnType,
    r: &NumericSide,
    c: &NumericSide,
    aligned: &Aligned,
    integer: bool,
) -> Result<Binned, ColumnError> {
    let (rs, cs) = (r.sample(), c.sample());
    if t == ColumnType::Numerical && rs.distinct_points() > 20 {
        let edges = sturges_edges(
            rs.count().saturating_add(cs.count()),
            r.min().min(c.min()),
            r.max().max(c.max()),
            integer,
        )
        .ok_or_else(|| {
            ColumnError::NotComputable(
                "the values span a range wider than a 64-bit float holds: no bins".into(),
            )
        })?;
        let (nr, nc) = (rs.count() as f64, cs.count() as f64);
        Ok(Binned {
            reference: rs
                .histogram(&edges)
                .iter()
                .map(|x| *x as f64 / nr)
                .collect(),
            current: cs
                .histogram(&edges)
                .iter()
                .map(|x| *x as f64 / nc)
                .collect(),
            on_bins: true,
        })
    } else {
        let (reference, current) = aligned_or_count(aligned, rs, cs).shares();
        Ok(Binned {
            reference,
            current,
            on_bins: false,
        })
    }
}

/// The aligned counts, computing them when they were skipped (a test chosen by the user on
/// a column with many distinct values).
fn aligned_or_count(a: &Aligned, r: Sample, c: Sample) -> Aligned {
    if a.reference.is_empty() {
        align_numeric(r, c).0
    } else {
        a.clone()
    }
}

/// Counts of each distinct value on both sides, aligned in ascending order.
fn align_numeric(r: Sample, c: Sample) -> (Aligned, Vec<String>) {
    let mut a = Aligned {
        reference: Vec::new(),
        current: Vec::new(),
    };
    let mut labels = Vec::new();
    for (v, cr, cc) in weighted_runs(r, c) {
        a.reference.push(cr);
        a.current.push(cc);
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

/// The t-test, on values scaled into [-1, 1] when a side's sum of squares overflows (values
/// near ±1.7e308, where scipy's variance is inf and its t NaN): t is scale-free, and the
/// data's t is the answer rather than a t of 0 from an infinite variance.
fn t_test_without_overflow(r: &NumericSide, c: &NumericSide) -> (f64, f64) {
    let (a, b) = (r.moments(), c.moments());
    if [a.mean, a.m2, b.mean, b.m2].iter().all(|v| v.is_finite()) {
        return t_test(a, b);
    }
    let scale = [r.min(), r.max(), c.min(), c.max()]
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if !(scale.is_finite() && scale > 0.0) {
        return t_test(a, b);
    }
    let scaled = |side: &NumericSide| match side.exact {
        Some(e) => Moments {
            count: side.sample().count() as f64,
            mean: e.mean / scale,
            m2: e.m2 / scale / scale,
        },
        None => side.sample().moments_scaled(scale),
    };
    t_test(scaled(r), scaled(c))
}

/// Why a test's score came out as not-a-number, for the report.
fn null_reason(test: StatTest, distinct: usize, score: f64) -> String {
    if score.is_infinite() {
        return format!(
            "{} overflows a 64-bit float for these values (it is infinite)",
            test.name()
        );
    }
    match test {
        StatTest::TTest => "t_test is undefined here: no variance on either side with equal means, or a single value on each side (scipy gives NaN)".into(),
        StatTest::Chisquare if distinct < 2 => {
            "chisquare needs at least two distinct values (0 degrees of freedom; scipy gives NaN)"
                .into()
        }
        StatTest::Z => "z is undefined here: every value on both sides falls in one class (scipy gives NaN)".into(),
        other => format!(
            "{} gives no number for these values (a 0/0 in its formula)",
            other.name()
        ),
    }
}

/// Bounds widened by a relative 1e-12 each way. They are proven for exact arithmetic; the
/// full data's score is itself computed in floating point and may land an ulp or two
/// outside (a Jensen-Shannon distance of sqrt(ln 2), its greatest value, computed as
/// 0.8325546111576978 against a bound of 0.8325546111576977).
fn with_rounding_room([lo, hi]: [f64; 2]) -> [f64; 2] {
    const ROOM: f64 = 1e-12;
    [lo - lo.abs() * ROOM, hi + hi.abs() * ROOM]
}

/// Whether the full data may decide otherwise than the score: the decision at the two ends
/// of the bounds differs (every test's decision is monotone in its score).
fn uncertain(test: StatTest, bounds: Option<[f64; 2]>, threshold: f64) -> bool {
    bounds.is_some_and(|[lo, hi]| test.drifted(lo, threshold) != test.drifted(hi, threshold))
}

/// Tests one column. Both sides must have at least one value.
pub fn column_drift(req: ColumnRequest) -> Result<ColumnDrift, ColumnError> {
    let name = req.name.clone();
    column_drift_inner(req).map_err(|e| match e {
        ColumnError::Invalid(m) if !m.contains('`') => {
            ColumnError::Invalid(format!("column `{name}`: {m}"))
        }
        other => other,
    })
}

fn column_drift_inner(req: ColumnRequest) -> Result<ColumnDrift, ColumnError> {
    if req.reference.is_empty() || req.current.is_empty() {
        return Err(ColumnError::NotComputable(format!(
            "no values in the {} data",
            if req.reference.is_empty() {
                "reference"
            } else {
                "current"
            }
        )));
    }
    let is_categorical = |v: &Values| matches!(v, Values::Categorical(_) | Values::Frequent(_));
    match (is_categorical(&req.reference), is_categorical(&req.current)) {
        (true, true)
            if matches!(req.reference, Values::Frequent(_))
                || matches!(req.current, Values::Frequent(_)) =>
        {
            return bounded_categorical_drift(req);
        }
        (true, true) => return categorical_drift(req),
        _ => {}
    }
    if is_categorical(&req.reference) || is_categorical(&req.current) {
        return Err(ColumnError::Invalid(format!(
            "column `{}` has values of different kinds in the two datasets",
            req.name
        )));
    }
    let r = NumericSide::new(req.reference);
    let c = NumericSide::new(req.current);
    let (rs, cs) = (r.sample(), c.sample());
    if rs.is_empty() || cs.is_empty() {
        return Err(ColumnError::NotComputable(format!(
            "no finite values in the {} data",
            if rs.is_empty() {
                "reference"
            } else {
                "current"
            }
        )));
    }
    let ref_rows = usize::try_from(rs.count()).unwrap_or(usize::MAX);
    // Only whether there are more than 64 distinct values decides anything (the default
    // test, per-value counts): the walk stops there, not at the end of millions of rows.
    let n_unique = sample_runs(rs, cs).take(65).count();
    // Per-value counts only where a test or the chart needs them: a continuous
    // column has as many distinct values as rows.
    let (aligned, labels) = if n_unique <= 64 {
        align_numeric(rs, cs)
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
        return Err(ColumnError::Invalid(
            format!(
                "the `{}` test does not apply to the {:?} column `{}`",
                test.name(),
                req.column_type,
                req.name
            )
            .to_lowercase(),
        ));
    }
    let rank_error = r.rank_error + c.rank_error;
    let summarized = rank_error > 0.0;
    let threshold = req.threshold.unwrap_or(test.default_threshold());
    // What no summary bounds: scores of rank tests whose ties a summary does not keep.
    let unbounded = [0.0, 1.0];
    let (score, statistic, p_value, bounds) = match test {
        StatTest::Ks => {
            let k = ks_2samp(rs, cs);
            // Each CDF is within its side's rank error of the data's, so the largest gap
            // between them is within the sum.
            let bounds = summarized
                .then(|| bounds::ks_p_value(k.statistic, rank_error, rs.count(), cs.count()));
            (k.p_value, k.statistic, Some(k.p_value), bounds)
        }
        StatTest::Wasserstein => {
            let std = r.std();
            let w = wasserstein_normed(rs, cs, std);
            // W is the area between the CDFs: a CDF off by at most e over its side's range
            // moves it by at most e x range, divided by the same (exact) deviation.
            let norm = std.max(0.001);
            let half = r.rank_error * r.range_over(norm) + c.rank_error * c.range_over(norm);
            let bounds = summarized.then(|| [(w - half).max(0.0), w + half]);
            (w, w, None, bounds)
        }
        StatTest::Chisquare | StatTest::Z if summarized => {
            return Err(ColumnError::NotComputable(format!(
                "{test} counts each value exactly, which a summarized profile does not keep (its points stand for blocks of different values)"
            )));
        }
        StatTest::Chisquare => {
            let (s, p) = chisquare(&aligned_or_count(&aligned, rs, cs));
            (p, s, Some(p), None)
        }
        StatTest::Z => {
            let (z, p) = z_test(&aligned_or_count(&aligned, rs, cs));
            (p, z, Some(p), None)
        }
        StatTest::Jensenshannon | StatTest::Psi | StatTest::KlDiv => {
            let binned = binned_shares(req.column_type, &r, &c, &aligned, req.integer)?;
            let bounds = if summarized {
                let (rb, cb) = binned.ranges(&r, &c).ok_or_else(|| {
                    ColumnError::NotComputable(format!(
                        "{test} would compare a summary's points value by value (it holds 20 or fewer distinct points), and a point stands for a block of different values"
                    ))
                })?;
                let rows = (rs.count(), cs.count());
                Some(match test {
                    StatTest::Jensenshannon => bounds::jensenshannon(&rb, &cb),
                    StatTest::Psi => bounds::psi(&rb, &cb, rows),
                    _ => bounds::kl_div(&rb, &cb, rows),
                })
            } else {
                None
            };
            let v = match test {
                StatTest::Jensenshannon => jensenshannon(&binned.reference, &binned.current),
                _ => divergence(binned.reference, binned.current, test == StatTest::KlDiv),
            };
            (v, v, None, bounds)
        }
        StatTest::Hellinger => {
            let h = if req.column_type == ColumnType::Numerical {
                if summarized {
                    // Evidently bins on the count of distinct values, which a summary
                    // knows only as an estimate: the bins would not be Evidently's.
                    return Err(ColumnError::NotComputable(
                        "hellinger bins on the exact distinct values, which a summarized profile does not keep".into(),
                    ));
                }
                hellinger_numeric(rs, cs, req.integer).ok_or_else(|| {
                    ColumnError::NotComputable(
                        "the values span a range wider than a 64-bit float holds: no bins".into(),
                    )
                })?
            } else {
                let (a, b) = aligned_or_count(&aligned, rs, cs).shares();
                hellinger_shares(&a, &b)
            };
            (h, h, None, None)
        }
        StatTest::EnergyDistance => {
            let e = energy_distance(rs, cs);
            // sqrt(2) times the L2 distance of the CDFs: by the triangle inequality a CDF
            // off by at most e over a range R moves it by at most sqrt(2) e sqrt(R).
            let half = std::f64::consts::SQRT_2
                * (r.rank_error * r.range().sqrt() + c.rank_error * c.range().sqrt());
            let bounds = summarized.then(|| [(e - half).max(0.0), e + half]);
            (e, e, None, bounds)
        }
        StatTest::Mannw => {
            let m = mann_whitney_less(rs, cs);
            (
                m.p_value,
                m.u1,
                Some(m.p_value),
                summarized.then_some(unbounded),
            )
        }
        StatTest::TTest => {
            let (t, p) = t_test_without_overflow(&r, &c);
            // Exact from a profile's moments; a summary without them gives no bound.
            let exact = [&r, &c]
                .iter()
                .all(|side| side.weights.is_none() || side.exact.is_some());
            (p, t, Some(p), (!exact).then_some(unbounded))
        }
        StatTest::Anderson => {
            let (a, p) = anderson_ksamp(rs, cs).map_err(|e| {
                if e.contains("distinct") {
                    ColumnError::Invalid(format!("column `{}`: {e}", req.name))
                } else {
                    ColumnError::NotComputable(e)
                }
            })?;
            // scipy's significance level is capped to [0.001, 0.25].
            (p, a, Some(p), summarized.then_some([0.001, 0.25]))
        }
        StatTest::CramerVonMises => {
            // scipy ranks tied values by midranks, and with many ties that moves the
            // statistic a lot (t^2 / (12 m) for values repeated t times against m rows). A
            // summary knows each point's rows, not how many of them are equal: it is
            // computed as untied rows, which is the rows' answer only when (nearly) every
            // value is distinct, as its distinct-count estimate says.
            for side in [&r, &c] {
                if let Some(reason) = side.ties_unknown() {
                    return Err(ColumnError::NotComputable(reason));
                }
            }
            let (t, p) = cramer_von_mises(rs, cs).ok_or_else(|| {
                ColumnError::Invalid(format!(
                    "column `{}`: cramer_von_mises needs at least two values on each side",
                    req.name
                ))
            })?;
            (p, t, Some(p), summarized.then_some(unbounded))
        }
    };
    // A bound always holds the score itself (rounding in the sums aside), and a score
    // that is not a number has none.
    let score_bounds = bounds
        .filter(|_| score.is_finite())
        .map(|[lo, hi]| with_rounding_room([lo.min(score), hi.max(score)]));
    let distribution = numeric_distribution(&r, &c, &aligned, &labels);
    let score_reason = (!score.is_finite()).then(|| null_reason(test, n_unique, score));
    Ok(ColumnDrift {
        column: req.name,
        column_type: req.column_type,
        stattest: test,
        score,
        statistic,
        p_value,
        threshold,
        // A score that is not a number is written null and never counts as drifted.
        drift_detected: score.is_finite() && test.drifted(score, threshold),
        score_bounds,
        decision_uncertain: uncertain(test, score_bounds, threshold),
        reference: r.summary(req.reference_missing),
        current: c.summary(req.current_missing),
        approximate: summarized,
        rank_error: summarized.then_some(rank_error),
        score_reason,
        distribution,
    })
}

fn categorical_drift(req: ColumnRequest) -> Result<ColumnDrift, ColumnError> {
    let (Values::Categorical(r), Values::Categorical(c)) = (&req.reference, &req.current) else {
        return Err(ColumnError::Invalid(format!(
            "column `{}` has values of different kinds in the two datasets",
            req.name
        )));
    };
    let (aligned, labels) = align_categorical(r, c);
    let n_unique = aligned.reference.len();
    let test = req
        .stattest
        .unwrap_or_else(|| default_test(ColumnType::Categorical, req.reference.len(), n_unique));
    if !test.allowed(ColumnType::Categorical) {
        return Err(ColumnError::Invalid(format!(
            "the `{}` test does not apply to the categorical column `{}`",
            test.name(),
            req.name
        )));
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
        count: usize::try_from(m.values().fold(0u64, |a, c| a.saturating_add(*c)))
            .unwrap_or(usize::MAX),
        missing,
        unique: m.len(),
        ..Default::default()
    };
    let score_reason = (!score.is_finite()).then(|| null_reason(test, n_unique, score));
    Ok(ColumnDrift {
        column: req.name.clone(),
        column_type: req.column_type,
        stattest: test,
        score,
        statistic,
        p_value,
        threshold,
        // A score that is not a number is written null and never counts as drifted.
        drift_detected: score.is_finite() && test.drifted(score, threshold),
        score_bounds: None,
        decision_uncertain: false,
        reference: summary(r, req.reference_missing),
        current: summary(c, req.current_missing),
        approximate: false,
        rank_error: None,
        score_reason,
        distribution: Distribution {
            labels,
            reference: rs,
            current: cs,
            tails_folded: false,
        },
    })
}

/// At most 30 shared bins for a chart of a numerical column (no raw values leave the report).
fn numeric_distribution(
    r: &NumericSide,
    c: &NumericSide,
    aligned: &Aligned,
    labels: &[String],
) -> Distribution {
    if !aligned.reference.is_empty() && aligned.reference.len() <= 30 {
        let (rs, cs) = aligned.shares();
        return Distribution {
            labels: labels.to_vec(),
            reference: rs,
            current: cs,
            tails_folded: false,
        };
    }
    let (lo, hi) = (r.min().min(c.min()), r.max().max(c.max()));
    // Where the middle 99% of both sides spans under a tenth of the whole range, a few far
    // values would squeeze every other into one bin: bin the middle, fold the tails in.
    let (q_lo, q_hi) = (
        r.rough_quantile(0.005).min(c.rough_quantile(0.005)),
        r.rough_quantile(0.995).max(c.rough_quantile(0.995)),
    );
    let fold = q_lo < q_hi && (q_hi / 10.0 - q_lo / 10.0) < (hi / 100.0 - lo / 100.0);
    let (lo, hi) = if fold { (q_lo, q_hi) } else { (lo, hi) };
    let bins = 30;
    // Divided before subtracting, so a range past f64 (-1e308 to 1e308) still has a step.
    let step = hi / bins as f64 - lo / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| lo + i as f64 * step).collect();
    edges[bins] = hi;
    let labels = edges[..bins].iter().map(|e| edge_label(*e)).collect();
    if fold {
        edges[0] = f64::NEG_INFINITY;
        edges[bins] = f64::INFINITY;
    }
    let (rs, cs) = (r.sample(), c.sample());
    let (rc, cc) = (rs.histogram(&edges), cs.histogram(&edges));
    Distribution {
        labels,
        reference: rc.iter().map(|x| *x as f64 / rs.count() as f64).collect(),
        current: cc.iter().map(|x| *x as f64 / cs.count() as f64).collect(),
        tails_folded: fold,
    }
}

/// A bin edge for a chart label: four decimals, or scientific notation for magnitudes
/// where four decimals would print hundreds of digits or nothing but zeros.
fn edge_label(e: f64) -> String {
    if e != 0.0 && !(1e-4..1e9).contains(&e.abs()) {
        format!("{e:.4e}")
    } else {
        format!("{e:.4}")
    }
}

/// One categorical side as count intervals over the compared values; `other` is the rest of
/// its rows (values listed by neither side), as an interval too.
struct CountSide {
    ranges: Vec<(f64, f64)>,
    estimates: Vec<f64>,
    other: (f64, f64),
    other_estimate: f64,
    total: f64,
}

fn count_side(v: &Values, keys: &[&String]) -> CountSide {
    let (ranges, estimates): (Vec<(f64, f64)>, Vec<f64>) = keys
        .iter()
        .map(|k| match v {
            Values::Frequent(b) => match b.counts.get(*k) {
                Some(r) => ((r.lower as f64, r.upper as f64), r.estimate as f64),
                // A value the sketch does not track occurs at most its maximum error times.
                None => ((0.0, b.maximum_error as f64), 0.0),
            },
            Values::Categorical(m) => {
                let c = m.get(*k).copied().unwrap_or(0) as f64;
                ((c, c), c)
            }
            _ => ((0.0, 0.0), 0.0),
        })
        .unzip();
    let total = v.count() as f64;
    let (sum_lo, sum_hi) = ranges
        .iter()
        .fold((0.0, 0.0), |(a, b), r| (a + r.0, b + r.1));
    let listed: f64 = estimates.iter().sum();
    CountSide {
        other: ((total - sum_hi).max(0.0), (total - sum_lo).max(0.0)),
        other_estimate: (total - listed).max(0.0),
        ranges,
        estimates,
        total,
    }
}

/// A categorical column where one side (or both) is a frequent-items sketch. Only
/// Jensen-Shannon is bounded: over the values either side lists plus one bin for the rest,
/// each count within its interval. Merging values into one bin can only lower the distance
/// (so the bin's lowest term is a lower bound), and the rest's values can at most be
/// disjoint between the sides (so it adds at most its shares times ln 2).
fn bounded_categorical_drift(req: ColumnRequest) -> Result<ColumnDrift, ColumnError> {
    let test = req.stattest.unwrap_or(StatTest::Jensenshannon);
    if test != StatTest::Jensenshannon {
        return Err(ColumnError::NotComputable(format!(
            "{test} needs every value's count, and the profile keeps a frequent-items sketch of this column (counts within bounds), which bounds only jensenshannon"
        )));
    }
    let mut keys: Vec<&String> = Vec::new();
    for v in [&req.reference, &req.current] {
        match v {
            Values::Frequent(b) => keys.extend(b.counts.keys()),
            Values::Categorical(m) => keys.extend(m.keys()),
            _ => {}
        }
    }
    keys.sort();
    keys.dedup();
    let (r, c) = (
        count_side(&req.reference, &keys),
        count_side(&req.current, &keys),
    );
    let shares = |side: &CountSide| -> Vec<f64> {
        let sum: f64 = side.estimates.iter().sum::<f64>() + side.other_estimate;
        side.estimates
            .iter()
            .chain(std::iter::once(&side.other_estimate))
            .map(|x| x / sum.max(1.0))
            .collect()
    };
    let (rs, cs) = (shares(&r), shares(&c));
    let score = jensenshannon(&rs, &cs);
    let ranges = |side: &CountSide| -> Vec<ShareRange> {
        side.ranges
            .iter()
            .chain(std::iter::once(&side.other))
            .map(|(lo, hi)| ShareRange {
                low: (lo / side.total).clamp(0.0, 1.0),
                high: (hi / side.total).clamp(0.0, 1.0),
            })
            .collect()
    };
    let (rr, cr) = (ranges(&r), ranges(&c));
    let listed = bounds::jensenshannon(&rr[..keys.len()], &cr[..keys.len()]);
    let rest = bounds::jensenshannon(&rr[keys.len()..], &cr[keys.len()..]);
    let rest_high = (rr[keys.len()].high + cr[keys.len()].high) * std::f64::consts::LN_2;
    let ln2 = std::f64::consts::LN_2;
    // Distances back to divergences (x 2) to add the bins, then to a distance again.
    let low = (listed[0].powi(2) + rest[0].powi(2)).min(ln2).sqrt();
    let high = (listed[1].powi(2) + rest_high / 2.0).min(ln2).sqrt();
    let threshold = req.threshold.unwrap_or(test.default_threshold());
    let score_bounds = score
        .is_finite()
        .then(|| with_rounding_room([low.min(score), high.max(score)]));
    let summary = |side: &CountSide, v: &Values, missing| Summary {
        count: usize::try_from(v.count()).unwrap_or(usize::MAX),
        missing,
        unique: side.estimates.iter().filter(|x| **x > 0.0).count(),
        ..Default::default()
    };
    let mut labels: Vec<String> = keys.iter().map(|k| (*k).clone()).collect();
    labels.push("(values neither side lists)".into());
    Ok(ColumnDrift {
        column: req.name.clone(),
        column_type: req.column_type,
        stattest: test,
        score,
        statistic: score,
        p_value: None,
        threshold,
        drift_detected: score.is_finite() && test.drifted(score, threshold),
        score_bounds,
        decision_uncertain: uncertain(test, score_bounds, threshold),
        reference: summary(&r, &req.reference, req.reference_missing),
        current: summary(&c, &req.current, req.current_missing),
        approximate: true,
        rank_error: None,
        score_reason: (!score.is_finite()).then(|| null_reason(test, keys.len(), score)),
        distribution: Distribution {
            labels,
            reference: rs,
            current: cs,
            tails_folded: false,
        },
    })
}
