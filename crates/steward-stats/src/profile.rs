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

use crate::drift::{ColumnError, ExactMoments, Values, WeightedValues};
use crate::frequent::FrequentItems;
use crate::quantiles::{POINTS, QuantileSummary};

/// The format this version writes: v1 plus the profile's `source` and frequent-items
/// sketches of categorical columns with many distinct values.
pub const FORMAT: &str = "steward-profile/v2";
/// The earlier format, still read: no `source`, and the 100 most frequent values of such a
/// column instead of a sketch (a column no test can use).
pub const FORMAT_V1: &str = "steward-profile/v1";
/// A merged profile lists at most this many parts' sources (and counts them all).
pub const MAX_PARTS: usize = 10_000;

/// Why a profile cannot be read, validated or merged. Every variant is bad input (a file
/// that is not a profile, a damaged or edited one, two profiles that do not belong
/// together); none is a failure of Steward itself.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProfileError {
    /// Not JSON, or JSON not shaped like a profile.
    #[error("{0}")]
    NotAProfile(String),
    /// A profile of a format version this one does not read.
    #[error(
        "profile format `{found}` is not supported; this version reads `{FORMAT}` and `{FORMAT_V1}` (profile the data again with `steward profile`)"
    )]
    UnsupportedFormat { found: String },
    /// A field that is out of range or contradicts another.
    #[error("{0}")]
    Invalid(String),
    /// Two profiles that do not merge: different columns, or kinds of values.
    #[error("{0}")]
    Incompatible(String),
    /// A merged count would pass 2^64 - 1.
    #[error("{0}")]
    Overflow(String),
}

/// What a profile was made from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// The input's format (`csv`, `parquet`, `jsonl`, `arrow`), or `merge`.
    pub format: String,
    pub rows: u64,
    pub columns: u64,
    /// When the profile was made: an RFC 3339 UTC timestamp, given by the caller.
    pub created_at: String,
    /// The sha256 of the input file's bytes (hex); null for a pipe or a merge.
    pub sha256: Option<String>,
    /// A merged profile's parts, each as its own source (parts of parts are listed, not
    /// nested), at most [`MAX_PARTS`] of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Source>,
    /// How many parts were merged in all (0 for a profile of one input).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub part_count: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Source {
    /// The source of `a` merged with `b`, made at `created_at`.
    fn merged(a: &Source, b: &Source, created_at: &str) -> Source {
        let as_parts = |s: &Source| -> (Vec<Source>, u64) {
            if s.part_count > 0 {
                (s.parts.clone(), s.part_count)
            } else {
                (vec![s.clone()], 1)
            }
        };
        let (mut parts, na) = as_parts(a);
        let (more, nb) = as_parts(b);
        parts.extend(more);
        parts.truncate(MAX_PARTS);
        Source {
            format: "merge".into(),
            rows: a.rows.saturating_add(b.rows),
            columns: a.columns,
            created_at: created_at.to_string(),
            sha256: None,
            parts,
            part_count: na.saturating_add(nb),
        }
    }

    fn validate(&self, nested: bool) -> Result<(), String> {
        if self.format.is_empty() || self.format.len() > 32 {
            return Err("source.format is empty or longer than 32 characters".into());
        }
        if !is_rfc3339_utc(&self.created_at) {
            return Err(format!(
                "source.created_at `{}` is not an RFC 3339 UTC timestamp (such as 2026-01-31T12:00:00Z)",
                shown(&self.created_at)
            ));
        }
        if let Some(h) = &self.sha256
            && !(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err("source.sha256 is not 64 hexadecimal digits".into());
        }
        if nested && (!self.parts.is_empty() || self.part_count > 0) {
            return Err("a part in source.parts lists parts of its own".into());
        }
        if self.parts.len() > MAX_PARTS {
            return Err(format!(
                "source.parts lists {} parts; at most {MAX_PARTS} are kept",
                self.parts.len()
            ));
        }
        if (self.parts.len() as u64) > self.part_count {
            return Err("source.parts lists more parts than source.part_count".into());
        }
        for p in &self.parts {
            p.validate(true)?;
        }
        Ok(())
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z` or `+00:00`, with fields in range.
fn is_rfc3339_utc(t: &str) -> bool {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|d| d.iter().fold(0u32, |a, x| a * 10 + u32::from(x - b'0')))
    };
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && (b[10] == b'T' || b[10] == b't')
        && b[13] == b':'
        && b[16] == b':';
    if !shape {
        return false;
    }
    let (Some(_), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (
        digits(0..4),
        digits(5..7),
        digits(8..10),
        digits(11..13),
        digits(14..16),
        digits(17..19),
    ) else {
        return false;
    };
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > 9 {
            return false;
        }
        rest = &frac[n..];
    }
    (1..=12).contains(&mo)
        && (1..=31).contains(&d)
        && h < 24
        && mi < 60
        && sec <= 60
        && matches!(rest, "Z" | "z" | "+00:00")
}
const HLL_LG_K: u8 = 12;
// The sketch accepts 4..=21; checked here, when compiling, so creating one cannot fail.
const _: () = assert!(HLL_LG_K >= 4 && HLL_LG_K <= 21);
/// Exact value counts are kept up to this many distinct values (categorical columns) ...
const EXACT_CATEGORIES: usize = 10_000;
/// ... and this many for numerical columns (enough for every test's choice to be exact).
const EXACT_NUMBERS: usize = 64;
/// A version 1 profile kept at most this many most frequent values of a categorical column
/// that outgrew exact counts (version 2 keeps a frequent-items sketch instead).
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

/// The most columns one profile holds. A numerical column's profile is about 3.5 KB of
/// JSON, so 20,000 columns stay near 70 MB: well inside what a profile may be read back
/// from, and a report the writer can build in memory. (The readers take files of up to
/// 100,000 columns; a wider profile is refused before it is written, never written
/// unreadable.)
pub const MAX_COLUMNS: usize = 20_000;

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

impl NumericProfile {
    /// The derived fields (std, rank error, histogram) from the moments and the summary, so
    /// building, reading weighted points and merging all derive them the same way.
    fn new(min: f64, max: f64, mean: f64, m2: f64, count: u64, quantiles: QuantileSummary) -> Self {
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
    }
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
    /// Version 1 only: the most frequent values once exact counts were given up (counts
    /// are lower bounds). Read, never written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frequent: Vec<(String, u64)>,
    /// A categorical column past exact counts: the frequent-items sketch of its values
    /// (absent when a sketch would be larger than it may be, values of megabytes each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frequent_items: Option<FrequentItems>,
    pub distinct_estimate: f64,
    /// HLL sketch of the distinct values, serialized (base64).
    pub distinct_sketch: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Profile {
    pub format: String,
    pub rows: u64,
    /// What the profile was made from (absent in a version 1 profile).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    pub columns: Vec<ColumnProfile>,
}

/// A serialized HLL sketch of lg_k 12 takes about 4 KB; anything much larger is not one.
const MAX_SKETCH_CHARS: usize = 64 * 1024;

fn hll_decode(s: &str) -> Result<HllSketch, String> {
    if s.len() > MAX_SKETCH_CHARS {
        return Err(format!(
            "distinct sketch is {} characters long; a sketch takes at most {MAX_SKETCH_CHARS}",
            s.len()
        ));
    }
    let bytes = STANDARD
        .decode(s)
        .map_err(|_| "distinct sketch is not base64".to_string())?;
    check_hll_bytes(&bytes)?;
    // The decoder is third-party code reading bytes from a file: a damaged sketch must be
    // an error, never a crash.
    std::panic::catch_unwind(|| HllSketch::deserialize(&bytes))
        .map_err(|_| "distinct sketch is damaged".to_string())?
        .map_err(|_| "distinct sketch is damaged".to_string())
}

/// What the HLL decoder does not check itself. Steward writes HLL8 sketches of lg_k 12;
/// in HLL mode their 4,096 register bytes follow a 40-byte preamble, and a register of 64
/// or more makes the library shift a u64 past its width (a panic) when the sketch is
/// merged. The header's mode byte is the eighth.
fn check_hll_bytes(bytes: &[u8]) -> Result<(), String> {
    const PREAMBLE: usize = 40;
    let (Some(&lg_k), Some(&mode)) = (bytes.get(3), bytes.get(7)) else {
        return Err("distinct sketch is damaged (too short)".into());
    };
    if lg_k != HLL_LG_K || (mode >> 2) & 0x3 != 2 {
        return Err("distinct sketch is not of the kind steward writes (HLL8, lg_k 12)".into());
    }
    if mode & 0x3 == 2 {
        let registers = bytes
            .get(PREAMBLE..PREAMBLE + (1usize << HLL_LG_K))
            .ok_or("distinct sketch is damaged (too short)")?;
        if registers.iter().any(|r| *r >= 64) {
            return Err("distinct sketch is damaged (a register out of range)".into());
        }
    }
    Ok(())
}

/// A column name as an error message shows it: control characters made visible, and a
/// long name shortened.
fn shown(name: &str) -> String {
    let mut out: String = name
        .chars()
        .take(200)
        .flat_map(char::escape_debug)
        .collect();
    if name.chars().count() > 200 {
        out.push('…');
    }
    out
}

fn checked_sum<'a>(counts: impl IntoIterator<Item = &'a u64>) -> Option<u64> {
    counts.into_iter().try_fold(0u64, |a, c| a.checked_add(*c))
}

fn histogram(q: &QuantileSummary, min: f64, max: f64, count: u64) -> Histogram {
    let bins = 30;
    // Divided before subtracting, so a range past f64 (-1e308 to 1e308) still has a step.
    let step = max / bins as f64 - min / bins as f64;
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

/// The magnitude of a numeric summary's values (1 for values at 0), for tolerances and for
/// sums that must not overflow near the limits of f64.
fn scale_of(n: &NumericProfile) -> f64 {
    let s = n.min.abs().max(n.max.abs());
    if s > 0.0 && s.is_finite() { s } else { 1.0 }
}

fn number_key(v: f64) -> String {
    format!("{v:?}")
}

impl ColumnProfile {
    /// The profile of one column's values.
    pub fn new(name: &str, kind: ProfileKind, values: &Values, missing: u64) -> ColumnProfile {
        let mut hll = HllSketch::new(HLL_LG_K, HllType::Hll8)
            .expect("HLL_LG_K is within 4..=21, checked when compiling");
        match values {
            Values::Weighted(w) => ColumnProfile::from_weighted(name, kind, w, missing, hll),
            // Counts known only within bounds cannot be summarized again as counts: the
            // column keeps its count, and no test can use it.
            Values::Frequent(b) => ColumnProfile {
                name: name.to_string(),
                kind,
                integer: false,
                count: b.total,
                missing,
                numeric: None,
                values: None,
                frequent: Vec::new(),
                frequent_items: None,
                distinct_estimate: 0.0,
                distinct_sketch: STANDARD.encode(hll.serialize()),
            },
            Values::Numerical(v) if v.iter().any(|x| !x.is_finite()) => {
                // Non-finite values are missing, as Evidently drops them.
                let finite: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
                let dropped = (v.len() - finite.len()) as u64;
                ColumnProfile::new(
                    name,
                    kind,
                    &Values::Numerical(finite),
                    missing.saturating_add(dropped),
                )
            }
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
                    crate::numeric::pairwise_sum(v) / count as f64
                } else {
                    0.0
                };
                let m2: f64 = v.iter().map(|x| (x - mean) * (x - mean)).sum();
                let numeric = (count > 0).then(|| {
                    NumericProfile::new(min, max, mean, m2, count, QuantileSummary::from_values(v))
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
                    frequent_items: None,
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
                    count: counts.values().fold(0u64, |a, c| a.saturating_add(*c)),
                    missing,
                    numeric: None,
                    values: Some(counts.clone()),
                    frequent: Vec::new(),
                    frequent_items: None,
                    distinct_estimate: hll.estimate(),
                    distinct_sketch: STANDARD.encode(hll.serialize()),
                };
                p.limit_categories();
                p
            }
        }
    }

    /// The profile of a column known by weighted points (a profile's own view of a column).
    fn from_weighted(
        name: &str,
        kind: ProfileKind,
        w: &WeightedValues,
        missing: u64,
        mut hll: HllSketch,
    ) -> ColumnProfile {
        let sample = crate::sample::Sample::weighted(&w.values, &w.weights);
        let count = sample.count();
        for x in &w.values {
            hll.update(x.to_bits());
        }
        let moments = sample.moments();
        let numeric = (count > 0).then(|| {
            let quantiles = QuantileSummary::from_weighted(&w.values, &w.weights, w.rank_error);
            let (min, max, mean, m2) = match w.exact {
                Some(e) => (e.min, e.max, e.mean, e.m2),
                None => (sample.min(), sample.max(), moments.mean, moments.m2),
            };
            NumericProfile::new(min, max, mean, m2, count, quantiles)
        });
        ColumnProfile {
            name: name.to_string(),
            kind,
            integer: false,
            count,
            missing,
            numeric,
            values: None,
            frequent: Vec::new(),
            frequent_items: None,
            distinct_estimate: hll.estimate(),
            distinct_sketch: STANDARD.encode(hll.serialize()),
        }
    }

    /// Checks what a profile read from a file claims: lengths agree, values are finite and
    /// ascending, weights add up to the count without overflow, sizes stay within what
    /// `steward profile` writes. Every later step (drift, merge) relies on this.
    pub fn validate(&self, rows: u64) -> Result<(), ProfileError> {
        self.validate_fields(rows).map_err(ProfileError::Invalid)
    }

    fn validate_fields(&self, rows: u64) -> Result<(), String> {
        let name = shown(&self.name);
        let bad = |what: String| Err(format!("column `{name}`: {what}"));
        let Some(total) = self.count.checked_add(self.missing) else {
            return bad(format!(
                "count {} plus missing {} overflows a 64-bit count",
                self.count, self.missing
            ));
        };
        // Every column of a profile sees every row: a value or a missing value each.
        if total > rows {
            return bad(format!(
                "count {} plus missing {} exceeds the profile's {rows} rows",
                self.count, self.missing
            ));
        }
        if total < rows {
            return bad(format!(
                "count {} plus missing {} falls short of the profile's {rows} rows (each row is a value or a missing value in every column)",
                self.count, self.missing
            ));
        }
        if !(self.distinct_estimate.is_finite() && self.distinct_estimate >= 0.0) {
            return bad("distinct_estimate is not a non-negative number".into());
        }
        // The estimate is within a few percent of the truth (HLL, 4,096 registers), and the
        // truth is at most the count.
        if self.distinct_estimate > self.count as f64 * 1.25 + 1.0 {
            return bad(format!(
                "distinct_estimate {} exceeds the count {}",
                self.distinct_estimate, self.count
            ));
        }
        if let Err(e) = hll_decode(&self.distinct_sketch) {
            return bad(e);
        }
        match (self.kind, &self.numeric) {
            (ProfileKind::Number, None) if self.count > 0 && self.values.is_none() => {
                return bad("a number column with values has no `numeric` summary".into());
            }
            (ProfileKind::Text | ProfileKind::Boolean, Some(_)) => {
                return bad("a text or boolean column has a `numeric` summary".into());
            }
            _ => {}
        }
        if let Some(n) = &self.numeric {
            let q = &n.quantiles;
            for (field, v) in [
                ("min", n.min),
                ("max", n.max),
                ("mean", n.mean),
                ("m2 (the sum of squared deviations)", n.m2),
                ("std", n.std),
            ] {
                if !v.is_finite() {
                    return bad(format!(
                        "numeric.{field} is not a finite number (values near the limits of a 64-bit float overflow it)"
                    ));
                }
            }
            if n.min > n.max {
                return bad(format!(
                    "numeric.min {} exceeds numeric.max {}",
                    n.min, n.max
                ));
            }
            if n.m2 < 0.0 || n.std < 0.0 {
                return bad("numeric.m2 and numeric.std must not be negative".into());
            }
            if self.count == 0 {
                return bad("a `numeric` summary of no values".into());
            }
            // A mean is never outside the values' range (up to the rounding of its sum).
            let slack = 1e-9 * n.min.abs().max(n.max.abs());
            if n.mean < n.min - slack || n.mean > n.max + slack {
                return bad(format!(
                    "numeric.mean {} lies outside [min {}, max {}]",
                    n.mean, n.min, n.max
                ));
            }
            // Values spread over [min, max] have m2 between (max - min)^2 / 2 (one value at
            // each end) and count (max - min)^2 / 4 (half at each end); scaled so a range
            // near the limits of f64 does not overflow.
            let scale = n.min.abs().max(n.max.abs());
            if scale > 0.0 {
                let range = n.max / scale - n.min / scale;
                let m2 = n.m2 / scale / scale;
                let lower = range * range / 2.0;
                let upper = self.count as f64 * range * range / 4.0;
                if m2 < lower * (1.0 - 1e-6) || m2 > upper * (1.0 + 1e-6) + 1e-300 {
                    return bad(format!(
                        "numeric.m2 {} is impossible for {} values in [min {}, max {}]",
                        n.m2, self.count, n.min, n.max
                    ));
                }
            }
            if self.integer && [n.min, n.max].iter().any(|v| v.fract() != 0.0) {
                return bad(
                    "an integer column with numeric.min or numeric.max that is not a whole number"
                        .into(),
                );
            }
            // std is derived from m2 and the count; a file where they disagree was edited.
            let derived = (n.m2 / self.count as f64).sqrt();
            if (n.std - derived).abs() > 1e-9 * derived.max(f64::MIN_POSITIVE) {
                return bad(format!(
                    "numeric.std {} does not match m2 and count (which give {derived})",
                    n.std
                ));
            }
            if q.values.len() != q.weights.len() {
                return bad(format!(
                    "numeric.quantiles has {} values and {} weights",
                    q.values.len(),
                    q.weights.len()
                ));
            }
            if q.values.len() > POINTS || q.values.is_empty() {
                return bad(format!(
                    "numeric.quantiles holds {} points; a summary holds 1 to {POINTS}",
                    q.values.len()
                ));
            }
            if let Some(i) = q.values.iter().position(|v| !v.is_finite()) {
                return bad(format!(
                    "numeric.quantiles.values[{i}] is not a finite number"
                ));
            }
            if let Some(i) = q.values.windows(2).position(|w| w[0] > w[1]) {
                return bad(format!(
                    "numeric.quantiles.values are not in ascending order (at {})",
                    i + 1
                ));
            }
            if q.values[0] < n.min || q.values[q.values.len() - 1] > n.max {
                return bad("numeric.quantiles.values lie outside [min, max]".into());
            }
            // A summary without error holds every value: its ends are the min and max.
            if q.rank_error == 0.0
                && n.rank_error == 0.0
                && (q.values[0] != n.min || q.values[q.values.len() - 1] != n.max)
            {
                return bad(
                    "numeric.quantiles holds every value (rank_error 0) but its smallest and largest are not numeric.min and numeric.max"
                        .into(),
                );
            }
            if let Some(i) = q.weights.iter().position(|w| *w == 0) {
                return bad(format!("numeric.quantiles.weights[{i}] is 0"));
            }
            match checked_sum(&q.weights) {
                Some(s) if s == self.count => {}
                Some(s) => {
                    return bad(format!(
                        "numeric.quantiles.weights add up to {s}, not the count {}",
                        self.count
                    ));
                }
                None => return bad("numeric.quantiles.weights overflow a 64-bit count".into()),
            }
            for (field, e) in [
                ("quantiles.rank_error", q.rank_error),
                ("rank_error", n.rank_error),
            ] {
                if !(e.is_finite() && (0.0..=1.0).contains(&e)) {
                    return bad(format!("numeric.{field} is not between 0 and 1"));
                }
            }
            let h = &n.histogram;
            if h.edges.len() > 1024 || h.edges.len() != h.counts.len() + 1 {
                return bad(format!(
                    "numeric.histogram has {} edges for {} counts",
                    h.edges.len(),
                    h.counts.len()
                ));
            }
            if h.edges.iter().chain(&h.counts).any(|v| !v.is_finite()) {
                return bad("numeric.histogram holds a number that is not finite".into());
            }
            if h.edges
                .iter()
                .any(|e| *e < n.min - slack || *e > n.max + slack)
            {
                return bad("numeric.histogram.edges lie outside [min, max]".into());
            }
            if h.counts.iter().any(|c| *c < 0.0) {
                return bad("numeric.histogram.counts holds a negative count".into());
            }
            let binned: f64 = h.counts.iter().sum();
            if !h.counts.is_empty()
                && (binned - self.count as f64).abs() > 1e-6 * self.count as f64 + 1.0
            {
                return bad(format!(
                    "numeric.histogram.counts add up to {binned}, not the count {}",
                    self.count
                ));
            }
        }
        if let Some(map) = &self.values {
            let limit = if self.kind == ProfileKind::Number {
                EXACT_NUMBERS
            } else {
                EXACT_CATEGORIES
            };
            if map.len() > limit {
                return bad(format!(
                    "`values` holds {} distinct values; a profile keeps at most {limit}",
                    map.len()
                ));
            }
            if self.kind == ProfileKind::Number {
                let mut seen: Option<(f64, f64)> = None;
                for k in map.keys() {
                    let Some(v) = k.parse::<f64>().ok().filter(|v| v.is_finite()) else {
                        return bad(format!(
                            "value `{}` in `values` is not a finite number",
                            shown(k)
                        ));
                    };
                    if let Some(n) = &self.numeric
                        && (v < n.min || v > n.max)
                    {
                        return bad(format!(
                            "value `{}` in `values` lies outside [numeric.min {}, numeric.max {}]",
                            shown(k),
                            n.min,
                            n.max
                        ));
                    }
                    if self.integer && v.fract() != 0.0 {
                        return bad(format!(
                            "value `{}` in `values` of an integer column is not a whole number",
                            shown(k)
                        ));
                    }
                    seen = Some(seen.map_or((v, v), |(lo, hi)| (lo.min(v), hi.max(v))));
                }
                // Exact counts hold every value, so the smallest and largest are min and max.
                if let (Some(n), Some((lo, hi))) = (&self.numeric, seen)
                    && (lo != n.min || hi != n.max)
                {
                    return bad(format!(
                        "`values` range from {lo} to {hi}, but numeric.min is {} and numeric.max {}",
                        n.min, n.max
                    ));
                }
            }
            if self.kind == ProfileKind::Boolean
                && let Some(k) = map
                    .keys()
                    .find(|k| !matches!(k.as_str(), "True" | "False" | "true" | "false"))
            {
                return bad(format!(
                    "value `{}` in `values` of a boolean column is neither true nor false",
                    shown(k)
                ));
            }
            if let Some((k, _)) = map.iter().find(|(_, c)| **c == 0) {
                return bad(format!(
                    "value `{}` in `values` has a count of 0 (a profile lists only values it saw)",
                    shown(k)
                ));
            }
            if self.kind == ProfileKind::Number
                && let Some(n) = &self.numeric
                && self.count > 0
            {
                // Exact counts give the mean exactly (up to rounding).
                let mut sum = 0.0;
                for (k, c) in map {
                    let v: f64 = k.parse().unwrap_or(0.0);
                    sum += v / scale_of(n) * (*c as f64 / self.count as f64);
                }
                let mean = sum * scale_of(n);
                if (mean - n.mean).abs() > 1e-6 * scale_of(n) {
                    return bad(format!(
                        "numeric.mean {} does not match the exact `values`, which give {mean}",
                        n.mean
                    ));
                }
            }
            match checked_sum(map.values()) {
                Some(s) if s == self.count => {}
                Some(s) => {
                    return bad(format!(
                        "`values` counts add up to {s}, not the count {}",
                        self.count
                    ));
                }
                None => return bad("`values` counts overflow a 64-bit count".into()),
            }
        }
        if self.kind == ProfileKind::Boolean
            && let Some((k, _)) = self
                .frequent
                .iter()
                .find(|(k, _)| !matches!(k.as_str(), "True" | "False" | "true" | "false"))
        {
            return bad(format!(
                "value `{}` in `frequent` of a boolean column is neither true nor false",
                shown(k)
            ));
        }
        if self.frequent.len() > FREQUENT {
            return bad(format!(
                "`frequent` holds {} values; a profile keeps at most {FREQUENT}",
                self.frequent.len()
            ));
        }
        if let Some((k, _)) = self.frequent.iter().find(|(_, c)| *c == 0) {
            return bad(format!(
                "value `{}` in `frequent` has a count of 0",
                shown(k)
            ));
        }
        if checked_sum(self.frequent.iter().map(|(_, c)| c)).is_none_or(|s| s > self.count) {
            return bad("`frequent` counts add up to more than the count".into());
        }
        if let Some(f) = &self.frequent_items {
            if self.kind == ProfileKind::Number {
                return bad("a number column has `frequent_items`".into());
            }
            if self.values.is_some() {
                return bad("both exact `values` and `frequent_items`".into());
            }
            if let Err(e) = f.validate(self.count) {
                return bad(format!("frequent_items: {e}"));
            }
        }
        Ok(())
    }

    /// Past [`EXACT_CATEGORIES`] distinct values, exact counts give way to a frequent-items
    /// sketch (none when the sketch would be too large to keep).
    fn limit_categories(&mut self) {
        if let Some(map) = &self.values
            && map.len() > EXACT_CATEGORIES
        {
            self.frequent_items = FrequentItems::from_counts(map).ok();
            self.values = None;
        }
    }

    /// The profile of the union of the two parts' rows.
    pub fn merge(&self, other: &ColumnProfile) -> Result<ColumnProfile, ProfileError> {
        if self.kind != other.kind {
            return Err(ProfileError::Incompatible(format!(
                "column `{}` holds different kinds of values in the two profiles",
                shown(&self.name)
            )));
        }
        let damaged =
            |e: String| ProfileError::Invalid(format!("column `{}`: {e}", shown(&self.name)));
        let (a, b) = (
            hll_decode(&self.distinct_sketch).map_err(damaged)?,
            hll_decode(&other.distinct_sketch).map_err(damaged)?,
        );
        // Third-party code on bytes from files: contained, so a damaged sketch the checks
        // above missed is an error, not a crash.
        let hll = std::panic::catch_unwind(|| {
            let mut hll_union = HllUnion::new(HLL_LG_K).ok()?;
            hll_union.update(&a);
            hll_union.update(&b);
            Some(hll_union.to_sketch(HllType::Hll8))
        })
        .ok()
        .flatten()
        .ok_or_else(|| damaged("distinct sketch is damaged".into()))?;
        let name = shown(&self.name);
        let overflow = |what: &str| {
            ProfileError::Overflow(format!(
                "column `{name}`: the merged {what} overflows a 64-bit count"
            ))
        };
        let count = self
            .count
            .checked_add(other.count)
            .ok_or_else(|| overflow("count"))?;
        let missing = self
            .missing
            .checked_add(other.missing)
            .ok_or_else(|| overflow("missing count"))?;
        let numeric = match (&self.numeric, &other.numeric) {
            (Some(a), Some(b)) => {
                let (na, nb) = (self.count as f64, other.count as f64);
                let n = na + nb;
                let delta = b.mean - a.mean;
                let mean = a.mean + delta * nb / n;
                let m2 = a.m2 + b.m2 + delta * delta * na * nb / n;
                let quantiles = a.quantiles.merge(&b.quantiles);
                let (min, max) = (a.min.min(b.min), a.max.max(b.max));
                Some(NumericProfile::new(min, max, mean, m2, count, quantiles))
            }
            (Some(a), None) => Some(a.clone()),
            (None, Some(b)) => Some(b.clone()),
            (None, None) => None,
        };
        let values = match (&self.values, &other.values) {
            (Some(a), Some(b)) => {
                let mut m = a.clone();
                for (k, v) in b {
                    let slot = m.entry(k.clone()).or_insert(0);
                    *slot = slot
                        .checked_add(*v)
                        .ok_or_else(|| overflow("value count"))?;
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
        // Frequent counts are lower bounds: adding them saturates rather than fails.
        let mut frequent: BTreeMap<String, u64> = BTreeMap::new();
        for (k, v) in self.frequent.iter().chain(&other.frequent) {
            let slot = frequent.entry(k.clone()).or_insert(0);
            *slot = slot.saturating_add(*v);
        }
        let mut merged = ColumnProfile {
            name: self.name.clone(),
            kind: self.kind,
            integer: self.integer && other.integer,
            count,
            missing,
            numeric,
            frequent: Vec::new(),
            frequent_items: None,
            values,
            distinct_estimate: hll.estimate(),
            distinct_sketch: STANDARD.encode(hll.serialize()),
        };
        if merged.values.is_none() && merged.kind != ProfileKind::Number {
            merged.frequent_items = merged_frequent_items(self, other).map_err(damaged)?;
            if merged.frequent_items.is_none() {
                // Parts of version 1 kept only their most frequent values: so does the
                // whole (counts are lower bounds, so adding them saturates).
                for p in [self, other] {
                    if let Some(m) = &p.values {
                        for (k, v) in m {
                            let slot = frequent.entry(k.clone()).or_insert(0);
                            *slot = slot.saturating_add(*v);
                        }
                    }
                }
                let mut all: Vec<(String, u64)> = frequent.into_iter().collect();
                all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                all.truncate(FREQUENT);
                merged.frequent = all;
            }
        } else {
            merged.limit_categories();
        }
        Ok(merged)
    }

    /// The values drift compares against, never expanded to rows: exact value counts
    /// (categories, or numbers as weighted points), or the quantile summary's weighted
    /// points with its rank error; with the profile's exact moments. `Err` says why the
    /// column cannot be tested.
    pub fn drift_values(&self) -> Result<Values, ColumnError> {
        self.values_for_drift().map_err(ColumnError::NotComputable)
    }

    fn values_for_drift(&self) -> Result<Values, String> {
        let exact_moments = |distinct: usize| {
            self.numeric.as_ref().map(|n| ExactMoments {
                min: n.min,
                max: n.max,
                mean: n.mean,
                m2: n.m2,
                distinct,
            })
        };
        if let Some(map) = &self.values {
            return match self.kind {
                ProfileKind::Number => {
                    let mut pairs = Vec::with_capacity(map.len());
                    for (k, c) in map {
                        let x: f64 =
                            k.parse()
                                .ok()
                                .filter(|x: &f64| x.is_finite())
                                .ok_or_else(|| {
                                    format!(
                                        "value `{}` of column `{}` is not a finite number",
                                        shown(k),
                                        shown(&self.name)
                                    )
                                })?;
                        pairs.push((x, *c));
                    }
                    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
                    // "1" and "1.0" are one value.
                    let mut values: Vec<f64> = Vec::with_capacity(pairs.len());
                    let mut weights: Vec<u64> = Vec::with_capacity(pairs.len());
                    for (x, c) in pairs {
                        if values.last() == Some(&x) {
                            if let Some(w) = weights.last_mut() {
                                *w = w.saturating_add(c);
                            }
                        } else {
                            values.push(x);
                            weights.push(c);
                        }
                    }
                    let distinct = values.len();
                    Ok(Values::Weighted(WeightedValues {
                        values,
                        weights,
                        rank_error: 0.0,
                        exact: exact_moments(distinct),
                    }))
                }
                _ => Ok(Values::Categorical(map.clone())),
            };
        }
        match &self.numeric {
            Some(n) => {
                let q = &n.quantiles;
                // A summary that never had to compact holds every value: exact.
                let distinct = if n.rank_error > 0.0 {
                    self.distinct_estimate.round() as usize
                } else {
                    crate::sample::Sample::weighted(&q.values, &q.weights).distinct_points()
                };
                Ok(Values::Weighted(WeightedValues {
                    values: q.values.clone(),
                    weights: q.weights.clone(),
                    rank_error: n.rank_error,
                    exact: exact_moments(distinct),
                }))
            }
            None if self.count == 0 => {
                Err("the profile holds no values of this column (every row is missing)".into())
            }
            None if self.kind == ProfileKind::Number => {
                Err("the profile holds no summary of this column's numbers".into())
            }
            None => match &self.frequent_items {
                Some(f) => f
                    .bounded_counts()
                    .map(Values::Frequent)
                    .map_err(|e| e.to_string()),
                None if !self.frequent.is_empty() => Err(format!(
                    "the profile ({FORMAT_V1}) keeps only the {FREQUENT} most frequent values of this column, not the counts a test needs (profile the data again)"
                )),
                None => Err(
                    "the profile keeps no counts of this column's values (its values are too long for a frequent-items sketch)"
                        .into(),
                ),
            },
        }
    }
}

/// The frequent-items sketch of two parts' union: their sketches merged, or one part's
/// exact counts added to the other's sketch. `None` when a part has neither (a version 1
/// profile's most frequent values, or values too long to sketch).
fn merged_frequent_items(
    a: &ColumnProfile,
    b: &ColumnProfile,
) -> Result<Option<FrequentItems>, String> {
    let merged = match (&a.frequent_items, &b.frequent_items, &a.values, &b.values) {
        (Some(x), Some(y), _, _) => x.merge(y),
        (Some(x), None, _, Some(m)) | (None, Some(x), Some(m), _) => x.add_counts(m),
        _ => return Ok(None),
    };
    match merged {
        Ok(f) => Ok(Some(f)),
        Err(crate::frequent::SketchError::TooLarge(_)) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

impl Profile {
    /// Merges profiles of parts of one dataset (the same columns in each); `created_at`
    /// (RFC 3339, UTC) is when, for the merged profile's `source`.
    pub fn merge(&self, other: &Profile, created_at: &str) -> Result<Profile, ProfileError> {
        // Columns are paired by name through a map: a profile may hold a million columns,
        // and a search per column would make the merge quadratic.
        let by_name: std::collections::HashMap<&str, &ColumnProfile> =
            other.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        let one_only = |name: &str| {
            ProfileError::Incompatible(format!("column `{}` is in one profile only", shown(name)))
        };
        let mut columns = Vec::with_capacity(self.columns.len());
        for a in &self.columns {
            let b = by_name
                .get(a.name.as_str())
                .ok_or_else(|| one_only(&a.name))?;
            columns.push(a.merge(b)?);
        }
        if self.columns.len() != other.columns.len() {
            let ours: std::collections::HashSet<&str> =
                self.columns.iter().map(|c| c.name.as_str()).collect();
            if let Some(extra) = other
                .columns
                .iter()
                .find(|c| !ours.contains(c.name.as_str()))
            {
                return Err(one_only(&extra.name));
            }
        }
        let rows = self.rows.checked_add(other.rows).ok_or_else(|| {
            ProfileError::Overflow("the merged row count overflows a 64-bit count".into())
        })?;
        let unknown = |p: &Profile| Source {
            format: "unknown".into(),
            rows: p.rows,
            columns: p.columns.len() as u64,
            created_at: created_at.to_string(),
            sha256: None,
            parts: Vec::new(),
            part_count: 0,
        };
        let (sa, sb) = (
            self.source.clone().unwrap_or_else(|| unknown(self)),
            other.source.clone().unwrap_or_else(|| unknown(other)),
        );
        let mut source = Source::merged(&sa, &sb, created_at);
        source.columns = columns.len() as u64;
        source.rows = rows;
        Ok(Profile {
            format: FORMAT.into(),
            rows,
            source: Some(source),
            columns,
        })
    }

    /// Checks a profile read from a file (see [`ColumnProfile::validate`]), that column
    /// names are unique and that there are at most [`MAX_COLUMNS`].
    pub fn validate(&self) -> Result<(), ProfileError> {
        if self.format != FORMAT && self.format != FORMAT_V1 {
            return Err(ProfileError::UnsupportedFormat {
                found: shown(&self.format),
            });
        }
        let invalid = ProfileError::Invalid;
        if self.columns.len() > MAX_COLUMNS {
            return Err(invalid(format!(
                "{} columns; a profile holds at most {MAX_COLUMNS} (profile fewer with --columns or --exclude)",
                self.columns.len()
            )));
        }
        match (&self.source, self.format == FORMAT) {
            (Some(s), _) => {
                s.validate(false).map_err(invalid)?;
                if s.rows != self.rows {
                    return Err(invalid(format!(
                        "source.rows {} is not the profile's {} rows",
                        s.rows, self.rows
                    )));
                }
            }
            (None, true) => {
                return Err(invalid(format!(
                    "no `source`: a {FORMAT} profile records what it was made from"
                )));
            }
            (None, false) => {}
        }
        let mut names = std::collections::BTreeSet::new();
        for c in &self.columns {
            if !names.insert(c.name.as_str()) {
                return Err(invalid(format!(
                    "column `{}` appears twice",
                    shown(&c.name)
                )));
            }
            c.validate(self.rows)?;
        }
        Ok(())
    }

    /// Reads and validates a profile from its JSON (a UTF-8 byte order mark before it is
    /// skipped). Anything that is not a profile of a format this version reads (another
    /// version, no `format`, a dataset) is an error.
    pub fn from_json(bytes: &[u8]) -> Result<Profile, ProfileError> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<serde_json::Value>,
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let not_a_profile = ProfileError::NotAProfile;
        // The format first, so another version is reported as such rather than as the
        // first field it does not have.
        let head: Head = serde_json::from_slice(bytes).map_err(|e| {
            not_a_profile(format!(
                "not a steward profile (JSON object expected): {}",
                plain(&e)
            ))
        })?;
        match head.format {
            Some(serde_json::Value::String(f)) if f == FORMAT || f == FORMAT_V1 => {}
            Some(serde_json::Value::String(f)) => {
                return Err(ProfileError::UnsupportedFormat { found: shown(&f) });
            }
            Some(_) => {
                return Err(not_a_profile(
                    "the profile's `format` is not a string".into(),
                ));
            }
            None => {
                return Err(not_a_profile(format!(
                    "no `format` field: not a steward profile (expected `\"format\": \"{FORMAT}\"`)"
                )));
            }
        }
        let p: Profile = serde_json::from_slice(bytes)
            .map_err(|e| not_a_profile(format!("not a valid steward profile: {}", plain(&e))))?;
        p.validate()?;
        // As stored, a profile holds every column its source had (a comparison may then keep
        // fewer of them in memory, so this is checked on reading only).
        if let Some(source) = &p.source
            && source.columns != p.columns.len() as u64
        {
            return Err(ProfileError::Invalid(format!(
                "source.columns {} is not the profile's {} columns",
                source.columns,
                p.columns.len()
            )));
        }
        Ok(p)
    }

    /// Whether `bytes` look like a profile rather than a dataset: the first JSON value is
    /// an object with a `format` naming a steward profile, or with `columns` and `rows`.
    /// A damaged profile spans lines, or names its format near the top (where Steward
    /// writes it).
    pub fn looks_like_profile(bytes: &[u8]) -> bool {
        Self::first_value_is_profile(bytes).unwrap_or_else(|| {
            String::from_utf8_lossy(&bytes[..bytes.len().min(256)]).contains("\"steward-profile")
        })
    }

    /// [`Profile::looks_like_profile`] when the bytes may be only the head of a file:
    /// `None` when the first JSON value is cut off (more bytes would decide), the answer
    /// otherwise (a damaged first value is decided by the text near the top).
    pub fn first_value_is_profile(bytes: &[u8]) -> Option<bool> {
        #[derive(Deserialize)]
        struct Probe {
            format: Option<serde_json::Value>,
            columns: Option<serde::de::IgnoredAny>,
            rows: Option<serde::de::IgnoredAny>,
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
        if start.is_none_or(|i| bytes[i] != b'{') {
            return Some(false);
        }
        let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Probe>();
        match stream.next() {
            Some(Ok(p)) => {
                let named = matches!(&p.format, Some(serde_json::Value::String(f)) if f.starts_with("steward-profile"));
                Some(named || (p.columns.is_some() && p.rows.is_some()))
            }
            Some(Err(e)) if e.is_eof() => None,
            // A damaged first value that runs past its first line cannot be a row of JSON
            // Lines, whose rows are one line each: it is a damaged profile (one saved again
            // with its keys sorted names its format far from the top).
            Some(Err(e)) if e.line() > 1 => Some(true),
            _ => Some(
                String::from_utf8_lossy(&bytes[..bytes.len().min(256)])
                    .contains("\"steward-profile"),
            ),
        }
    }
}

/// A serde_json error as a sentence with its line and column, without serde's type names.
fn plain(e: &serde_json::Error) -> String {
    let text = e.to_string();
    // "invalid type: ..., expected u64 at line 3 column 9": keep it, it names the field's
    // position; drop Rust type spellings.
    shown(
        &text
            .replace(
                "expected u64",
                "expected a whole number of at most 2^64 - 1",
            )
            .replace("expected f64", "expected a number")
            .replace("usize", "a whole number"),
    )
}
