//! Mergeable column profiles: the summary of a dataset that `steward profile` stores and
//! `steward drift --reference P.json` compares against without the original rows.
//!
//! A profile has `update` (from a column's values), `merge` (of two profiles of parts) and a
//! serde form, so the same code can run per partition inside a distributed engine. Counts,
//! missing counts, min, max, mean and variance merge exactly (Chan's parallel formulas);
//! the quantile summary (deterministic, at most 1,024 weighted points) and the distinct-count
//! estimate (HLL) merge within their stated error; exact value counts are kept while a column
//! has few distinct values.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datasketches::hll::{HllSketch, HllType, HllUnion};
use serde::{Deserialize, Serialize};

use crate::drift::Values;
use crate::quantiles::QuantileSummary;

pub const FORMAT: &str = "steward-profile/v1";
const HLL_LG_K: u8 = 12;
/// Exact value counts are kept up to this many distinct values (categorical columns) ...
const EXACT_CATEGORIES: usize = 10_000;
/// ... and this many for numerical columns (enough for every test's choice to be exact).
const EXACT_NUMBERS: usize = 64;
/// When a categorical column outgrows exact counts, its most frequent values are kept.
const FREQUENT: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    Number,
    Text,
    Boolean,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<f64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NumericProfile {
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    /// Sum of squared deviations from the mean (for exact merging of the variance).
    pub m2: f64,
    pub std: f64,
    /// The quantile summary (weighted values).
    pub quantiles: QuantileSummary,
    /// The summary's bound on the normalized rank error.
    pub rank_error: f64,
    /// 30 equal-width bins over [min, max], counts estimated from the sketch.
    pub histogram: Histogram,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    pub kind: ProfileKind,
    /// Whole numbers with nothing missing (numpy integers, for Sturges bins).
    #[serde(default)]
    pub integer: bool,
    pub count: u64,
    pub missing: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numeric: Option<NumericProfile>,
    /// Exact counts per value (numbers written in their shortest round-trip form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<BTreeMap<String, u64>>,
    /// The most frequent values once exact counts were given up (counts are lower bounds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frequent: Vec<(String, u64)>,
    pub distinct_estimate: f64,
    /// HLL sketch of the distinct values, serialized (base64).
    pub distinct_sketch: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Profile {
    pub format: String,
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
}

fn hll_decode(s: &str) -> Result<HllSketch, String> {
    let bytes = STANDARD
        .decode(s)
        .map_err(|e| format!("distinct sketch is not base64: {e}"))?;
    HllSketch::deserialize(&bytes).map_err(|e| format!("distinct sketch is damaged: {e}"))
}

fn histogram(q: &QuantileSummary, min: f64, max: f64, count: u64) -> Histogram {
    let bins = 30;
    let step = (max - min) / bins as f64;
    let edges: Vec<f64> = (0..=bins)
        .map(|i| {
            if i == bins {
                max
            } else {
                min + step * i as f64
            }
        })
        .collect();
    let ranks: Vec<f64> = edges.iter().map(|e| q.rank(*e)).collect();
    let mut counts = Vec::with_capacity(bins);
    for i in 0..bins {
        let lower = if i == 0 { 0.0 } else { ranks[i] };
        counts.push(((ranks[i + 1] - lower) * count as f64).max(0.0));
    }
    Histogram { edges, counts }
}

fn number_key(v: f64) -> String {
    format!("{v:?}")
}

impl ColumnProfile {
    /// The profile of one column's values.
    pub fn new(name: &str, kind: ProfileKind, values: &Values, missing: u64) -> ColumnProfile {
        let mut hll = HllSketch::new(HLL_LG_K, HllType::Hll8).expect("valid HLL parameters");
        match values {
            Values::Numerical(v) => {
                let count = v.len() as u64;
                let mut exact: Option<BTreeMap<String, u64>> = Some(BTreeMap::new());
                let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
                for &x in v {
                    min = min.min(x);
                    max = max.max(x);
                    hll.update(x.to_bits());
                    if let Some(map) = exact.as_mut() {
                        if map.len() <= EXACT_NUMBERS || map.contains_key(&number_key(x)) {
                            *map.entry(number_key(x)).or_insert(0) += 1;
                        }
                        if map.len() > EXACT_NUMBERS {
                            exact = None;
                        }
                    }
                }
                let mean = if count > 0 {
                    crate::tests::pairwise_sum(v) / count as f64
                } else {
                    0.0
                };
                let m2: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum();
                let numeric = (count > 0).then(|| {
                    let quantiles = QuantileSummary::from_values(v);
                    NumericProfile {
                        min,
                        max,
                        mean,
                        m2,
                        std: (m2 / count as f64).sqrt(),
                        rank_error: quantiles.rank_error,
                        histogram: histogram(&quantiles, min, max, count),
                        quantiles,
                    }
                });
                ColumnProfile {
                    name: name.to_string(),
                    kind,
                    integer: false,
                    count,
                    missing,
                    numeric,
                    values: exact,
                    frequent: Vec::new(),
                    distinct_estimate: hll.estimate(),
                    distinct_sketch: STANDARD.encode(hll.serialize()),
                }
            }
            Values::Categorical(counts) => {
                for k in counts.keys() {
                    hll.update(k.as_str());
                }
                let mut p = ColumnProfile {
                    name: name.to_string(),
                    kind,
                    integer: false,
                    count: counts.values().sum(),
                    missing,
                    numeric: None,
                    values: Some(counts.clone()),
                    frequent: Vec::new(),
                    distinct_estimate: hll.estimate(),
                    distinct_sketch: STANDARD.encode(hll.serialize()),
                };
                p.limit_categories();
                p
            }
        }
    }

    fn limit_categories(&mut self) {
        if let Some(map) = &self.values
            && map.len() > EXACT_CATEGORIES
        {
            let mut all: Vec<(String, u64)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            all.truncate(FREQUENT);
            self.frequent = all;
            self.values = None;
        }
    }

    /// The profile of the union of the two parts' rows.
    pub fn merge(&self, other: &ColumnProfile) -> Result<ColumnProfile, String> {
        if self.kind != other.kind {
            return Err(format!(
                "column `{}` holds different kinds of values in the two profiles",
                self.name
            ));
        }
        let mut hll_union = HllUnion::new(HLL_LG_K).map_err(|e| e.to_string())?;
        hll_union.update(&hll_decode(&self.distinct_sketch)?);
        hll_union.update(&hll_decode(&other.distinct_sketch)?);
        let hll = hll_union.to_sketch(HllType::Hll8);
        let numeric = match (&self.numeric, &other.numeric) {
            (Some(a), Some(b)) => {
                let (na, nb) = (self.count as f64, other.count as f64);
                let n = na + nb;
                let delta = b.mean - a.mean;
                let mean = a.mean + delta * nb / n;
                let m2 = a.m2 + b.m2 + delta * delta * na * nb / n;
                let quantiles = a.quantiles.merge(&b.quantiles);
                let (min, max) = (a.min.min(b.min), a.max.max(b.max));
                let count = self.count + other.count;
                Some(NumericProfile {
                    min,
                    max,
                    mean,
                    m2,
                    std: (m2 / n).sqrt(),
                    rank_error: quantiles.rank_error,
                    histogram: histogram(&quantiles, min, max, count),
                    quantiles,
                })
            }
            (Some(a), None) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => None,
        };
        let values = match (&self.values, &other.values) {
            (Some(a), Some(b)) => {
                let mut m = a.clone();
                for (k, v) in b {
                    *m.entry(k.clone()).or_insert(0) += v;
                }
                let limit = if self.kind == ProfileKind::Number {
                    EXACT_NUMBERS
                } else {
                    usize::MAX
                };
                (m.len() <= limit).then_some(m)
            }
            _ => None,
        };
        let mut frequent: BTreeMap<String, u64> = BTreeMap::new();
        for (k, v) in self.frequent.iter().chain(&other.frequent) {
            *frequent.entry(k.clone()).or_insert(0) += v;
        }
        let mut merged = ColumnProfile {
            name: self.name.clone(),
            kind: self.kind,
            integer: self.integer && other.integer,
            count: self.count + other.count,
            missing: self.missing + other.missing,
            numeric,
            frequent: Vec::new(),
            values,
            distinct_estimate: hll.estimate(),
            distinct_sketch: STANDARD.encode(hll.serialize()),
        };
        if merged.values.is_none() && merged.kind != ProfileKind::Number {
            // Frequent values of the parts, plus the exact counts of a part that still had them.
            for p in [self, other] {
                if let Some(m) = &p.values {
                    for (k, v) in m {
                        *frequent.entry(k.clone()).or_insert(0) += v;
                    }
                }
            }
            let mut all: Vec<(String, u64)> = frequent.into_iter().collect();
            all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            all.truncate(FREQUENT);
            merged.frequent = all;
        } else {
            merged.limit_categories();
        }
        Ok(merged)
    }

    /// The values drift compares against: exact when the profile kept exact counts,
    /// otherwise a sample of `count` values whose distribution is the quantile sketch's
    /// (`Some(rank error)`), or `Err` when no comparison is possible.
    pub fn reference_values(&self) -> Result<(Values, Option<f64>), String> {
        if let Some(map) = &self.values {
            return Ok(match self.kind {
                ProfileKind::Number => {
                    let mut v = Vec::with_capacity(self.count as usize);
                    for (k, c) in map {
                        let x: f64 = k.parse().map_err(|_| {
                            format!("value `{k}` of column `{}` is not a number", self.name)
                        })?;
                        v.extend(std::iter::repeat_n(x, *c as usize));
                    }
                    (Values::Numerical(v), None)
                }
                _ => (Values::Categorical(map.clone()), None),
            });
        }
        match &self.numeric {
            Some(n) => {
                let v = n.quantiles.expand();
                // A summary that never had to compact holds every value: exact.
                let error = (n.rank_error > 0.0).then_some(n.rank_error);
                Ok((Values::Numerical(v), error))
            }
            None => Err(format!(
                "the profile of column `{}` keeps only its {} most frequent values, not the counts a test needs",
                self.name, FREQUENT
            )),
        }
    }
}

impl Profile {
    /// Merges profiles of parts of one dataset (the same columns in each).
    pub fn merge(&self, other: &Profile) -> Result<Profile, String> {
        let mut columns = Vec::new();
        for a in &self.columns {
            let b = other
                .columns
                .iter()
                .find(|c| c.name == a.name)
                .ok_or_else(|| format!("column `{}` is in one profile only", a.name))?;
            columns.push(a.merge(b)?);
        }
        if let Some(extra) = other
            .columns
            .iter()
            .find(|c| !self.columns.iter().any(|a| a.name == c.name))
        {
            return Err(format!("column `{}` is in one profile only", extra.name));
        }
        Ok(Profile {
            format: FORMAT.into(),
            rows: self.rows + other.rows,
            columns,
        })
    }
}
