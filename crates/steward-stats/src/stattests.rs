//! The per-column tests, each computed the way Evidently 0.7 computes it (and so with the
//! numbers scipy and numpy give): Wasserstein distance normed by the reference's standard
//! deviation, Jensen-Shannon distance over shared values or numpy's Sturges bins, the
//! chi-squared test of current counts against scaled reference counts, and the pooled
//! two-proportion z-test.
//!
//! The numerical tests take [`Sample`]s: rows, or a profile's weighted points. A test folds
//! over runs of equal values, so its cost follows the points, never the rows they stand for.

use std::collections::BTreeMap;

use crate::numeric::{gcd, pairwise_sum, pairwise_sum_streamed};
use crate::runs::{SampleRuns, sample_runs};
use crate::sample::{Moments, Sample};
use crate::special::{chi2_sf, ndtr};

/// A distance between the empirical CDFs of two ascending samples: between one distinct
/// value and the next both CDFs are constant, and each stretch contributes
/// `f(F_u - F_v) * length`; the terms are summed pairwise, as numpy sums them. Lengths are
/// divided by `scale` (two values near ±1.7e308 are more than f64 holds apart: the distance
/// is then computed on the scaled line). The terms are streamed into the sum, never held,
/// in one walk. The sum takes the shape of scipy's: one term per gap between neighbouring
/// points of the pooled sample (`len(u) + len(v) - 1`, zero-length gaps between tied points
/// included). Runs merge tied points, so the walk yields at most that many terms and the
/// missing ones count as 0; without ties the terms and their order are scipy's.
fn cdf_distance(u: Sample, v: Sample, f: impl Fn(f64) -> f64, scale: f64) -> f64 {
    let stretches = (u.points().len() + v.points().len()).saturating_sub(1);
    let (nu, nv) = (u.count() as f64, v.count() as f64);
    // One loop per kind of walk, chosen once: deciding per run cost a sixth of the test.
    match sample_runs(u, v) {
        SampleRuns::Plain(runs) => {
            let runs = runs.map(|(x, a, b)| (x, a as u64, b as u64));
            cdf_terms_sum(runs, stretches, nu, nv, f, scale)
        }
        SampleRuns::Weighted(runs) => cdf_terms_sum(runs, stretches, nu, nv, f, scale),
    }
}

/// The sum of [`cdf_distance`]'s terms over `runs`.
fn cdf_terms_sum(
    mut runs: impl Iterator<Item = (f64, u64, u64)>,
    stretches: usize,
    nu: f64,
    nv: f64,
    f: impl Fn(f64) -> f64,
    scale: f64,
) -> f64 {
    let (mut i, mut j) = (0u64, 0u64);
    let mut previous = runs.next().map(|(value, cu, cv)| {
        i = cu;
        j = cv;
        value
    });
    let mut terms = runs.map(|(value, cu, cv)| {
        let p = previous.unwrap_or(value);
        let gap = if scale == 1.0 {
            value - p
        } else {
            value / scale - p / scale
        };
        let term = f(i as f64 / nu - j as f64 / nv) * gap;
        i = i.saturating_add(cu);
        j = j.saturating_add(cv);
        previous = Some(value);
        term
    });
    pairwise_sum_streamed(stretches, &mut terms)
}

/// `scipy.stats.wasserstein_distance(u, v)` on ascending samples.
pub fn wasserstein(u: Sample, v: Sample) -> f64 {
    cdf_distance(u, v, f64::abs, 1.0)
}

/// The largest magnitude in two samples, for computing on a scaled line.
fn magnitude(u: Sample, v: Sample) -> f64 {
    [u.min(), u.max(), v.min(), v.max()]
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f64, |m, x| m.max(x.abs()))
}

/// Evidently's `wasserstein` score: the distance divided by max(np.std(reference), 0.001).
/// NaN when the standard deviation is not a number. Where the distance overflows (values
/// more than f64 holds apart), it is computed on the line scaled by the largest magnitude,
/// and so is the ratio: the score is scale-free.
pub fn wasserstein_normed(reference: Sample, current: Sample, reference_std: f64) -> f64 {
    if !reference_std.is_finite() {
        return f64::NAN;
    }
    let norm = reference_std.max(0.001);
    let w = wasserstein(reference, current);
    if w.is_finite() {
        return w / norm;
    }
    let scale = magnitude(reference, current);
    if !(scale.is_finite() && scale > 0.0) {
        return f64::NAN;
    }
    cdf_distance(reference, current, f64::abs, scale) / (norm / scale)
}

/// `scipy.spatial.distance.jensenshannon(p, q)` (natural log) of two vectors of shares.
pub fn jensenshannon(p: &[f64], q: &[f64]) -> f64 {
    let (sp, sq) = (pairwise_sum(p), pairwise_sum(q));
    let rel_entr = |x: f64, y: f64| {
        if x > 0.0 && y > 0.0 {
            x * (x / y).ln()
        } else if x == 0.0 && y >= 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let mut left = Vec::with_capacity(p.len());
    let mut right = Vec::with_capacity(p.len());
    for (a, b) in p.iter().zip(q) {
        let (a, b) = (a / sp, b / sq);
        let m = (a + b) / 2.0;
        left.push(rel_entr(a, m));
        right.push(rel_entr(b, m));
    }
    let js = pairwise_sum(&left) + pairwise_sum(&right);
    (js / 2.0).sqrt()
}

/// Sturges bins never exceed this many (log2 of any count f64 holds is below 1,100): a
/// bound that keeps hostile inputs from asking for a huge edge vector.
const MAX_BINS: usize = 4096;

/// numpy's `histogram_bin_edges(combined, bins="sturges")`, from the combined sample's size,
/// minimum and maximum. `None` when the range is not a finite number (numpy fails there).
/// `integer`: the values are numpy integers, for which numpy widens bins to at least 1.
pub fn sturges_edges(size: u64, min: f64, max: f64, integer: bool) -> Option<Vec<f64>> {
    if !(min.is_finite() && max.is_finite() && (max - min).is_finite()) || size == 0 {
        return None;
    }
    let (first, last) = if min == max {
        (min - 0.5, max + 0.5)
    } else {
        (min, max)
    };
    let ptp = max - min;
    let mut width = ptp / ((size as f64).log2() + 1.0);
    if integer && width > 0.0 && width < 1.0 {
        width = 1.0;
    }
    let bins = if width > 0.0 {
        ((last - first) / width).ceil()
    } else {
        1.0
    };
    if !(bins >= 1.0 && bins <= MAX_BINS as f64) {
        return None;
    }
    let bins = bins as usize;
    // np.linspace(first, last, bins + 1): i * step + first, the last edge exactly `last`.
    let step = (last - first) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins)
        .map(|i| {
            if step == 0.0 {
                (i as f64 / bins as f64) * (last - first) + first
            } else {
                i as f64 * step + first
            }
        })
        .collect();
    if let Some(e) = edges.last_mut() {
        *e = last;
    }
    Some(edges)
}

/// The edges of `bins` equal bins from `lo` to `hi` (a chart's, a profile's histogram), the
/// last edge exactly `hi`. The step is divided before subtracting, so a range past f64
/// (-1e308 to 1e308) still has one.
pub fn equal_width_edges(lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let bins = bins.max(1);
    let step = hi / bins as f64 - lo / bins as f64;
    (0..=bins)
        .map(|i| if i == bins { hi } else { lo + i as f64 * step })
        .collect()
}

/// `np.histogram(sorted, edges)` counts for explicit edges: [e_i, e_{i+1}), the last bin closed.
pub fn histogram_counts(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    Sample::plain(sorted).histogram(edges)
}

/// Counts of each value (or bin) in the reference and the current data, aligned, in the
/// values' ascending order.
#[derive(Clone, Debug, PartialEq)]
pub struct Aligned {
    pub reference: Vec<u64>,
    pub current: Vec<u64>,
}

impl Aligned {
    /// Totals as f64: the counts of a profile may add past u64 in principle; as floats
    /// they never wrap.
    fn totals_f64(&self) -> (f64, f64) {
        let sum = |v: &[u64]| v.iter().map(|c| *c as f64).sum::<f64>();
        (sum(&self.reference), sum(&self.current))
    }
    pub fn totals(&self) -> (u64, u64) {
        let sum = |v: &[u64]| v.iter().fold(0u64, |a, c| a.saturating_add(*c));
        (sum(&self.reference), sum(&self.current))
    }
    pub fn shares(&self) -> (Vec<f64>, Vec<f64>) {
        let (nr, nc) = self.totals_f64();
        (
            self.reference.iter().map(|c| *c as f64 / nr).collect(),
            self.current.iter().map(|c| *c as f64 / nc).collect(),
        )
    }
}

/// `scipy.stats.chisquare(current, reference * n_current / n_reference)`: (statistic, p).
pub fn chisquare(a: &Aligned) -> (f64, f64) {
    let (nr, nc) = a.totals_f64();
    let k_norm = nc / nr;
    let terms: Vec<f64> = a
        .reference
        .iter()
        .zip(&a.current)
        .map(|(r, c)| {
            let exp = *r as f64 * k_norm;
            let obs = *c as f64;
            (obs - exp).powi(2) / exp
        })
        .collect();
    let stat = pairwise_sum(&terms);
    let df = (a.reference.len() as f64 - 1.0).max(0.0);
    let p = if stat.is_nan() {
        f64::NAN
    } else {
        chi2_sf(stat, df)
    };
    (stat, p)
}

/// Evidently's pooled two-proportion z-test on "equals the first value in sorted order":
/// (z, two-sided p = 2 (1 - Phi(|z|))).
pub fn z_test(a: &Aligned) -> (f64, f64) {
    let present = |v: &[u64]| v.iter().filter(|c| **c > 0).count();
    let single_ref = present(&a.reference) == 1;
    let single_cur = present(&a.current) == 1;
    if single_ref
        && single_cur
        && a.reference.iter().position(|c| *c > 0) == a.current.iter().position(|c| *c > 0)
    {
        return (0.0, 1.0);
    }
    let (n1f, n2f) = a.totals_f64();
    // Values other than the first count as 1.
    let first = |v: &[u64]| v.first().map_or(0.0, |c| *c as f64);
    let s1 = n1f - first(&a.reference);
    let s2 = n2f - first(&a.current);
    let p1 = s1 / n1f;
    let p2 = s2 / n2f;
    let pooled = (p1 * n1f + p2 * n2f) / (n1f + n2f);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let p = 2.0 * (1.0 - ndtr(z.abs()));
    (z, p)
}

/// Evidently's `feel_zeroes`: a zero share becomes a tiny one (a millionth of the smallest
/// non-zero share when that is at most 0.0001, else 0.0001), so logarithms stay finite.
pub fn fill_zeroes(shares: &mut [f64]) {
    let min = shares
        .iter()
        .copied()
        .filter(|v| *v != 0.0)
        .fold(f64::INFINITY, f64::min);
    if !min.is_finite() {
        return;
    }
    let fill = if min <= 0.0001 { min / 1e6 } else { 0.0001 };
    for s in shares.iter_mut().filter(|s| **s == 0.0) {
        *s = fill;
    }
}

/// Evidently's `psi` (`kl = false`) or `kl_div` (`kl = true`) of two share vectors, after
/// filling their zero shares.
pub fn divergence(mut r: Vec<f64>, mut c: Vec<f64>, kl: bool) -> f64 {
    fill_zeroes(&mut r);
    fill_zeroes(&mut c);
    if kl {
        kl_divergence(&r, &c)
    } else {
        psi(&r, &c)
    }
}

/// Evidently's `psi`: sum of (r - c) ln(r / c) over shares with zeroes filled.
pub fn psi(r: &[f64], c: &[f64]) -> f64 {
    let terms: Vec<f64> = r
        .iter()
        .zip(c)
        .map(|(a, b)| (a - b) * (a / b).ln())
        .collect();
    pairwise_sum(&terms)
}

/// `scipy.stats.entropy(r, c)`: the Kullback-Leibler divergence of normalized shares.
pub fn kl_divergence(r: &[f64], c: &[f64]) -> f64 {
    let (sr, sc) = (pairwise_sum(r), pairwise_sum(c));
    let terms: Vec<f64> = r
        .iter()
        .zip(c)
        .map(|(a, b)| {
            let (p, q) = (a / sr, b / sc);
            if p > 0.0 && q > 0.0 {
                p * (p / q).ln()
            } else if p == 0.0 && q >= 0.0 {
                0.0
            } else {
                f64::INFINITY
            }
        })
        .collect();
    pairwise_sum(&terms)
}

/// `scipy.stats.energy_distance(u, v)` on ascending samples: sqrt(2) times the L2 distance
/// of the empirical CDFs.
pub fn energy_distance(u: Sample, v: Sample) -> f64 {
    let e = std::f64::consts::SQRT_2 * cdf_distance(u, v, |d| d * d, 1.0).sqrt();
    if e.is_finite() {
        return e;
    }
    // Values more than f64 holds apart (±1.7e308): scipy's sum overflows to inf, though the
    // distance itself (at most sqrt(2 x range)) is finite. Computed on the scaled line.
    let scale = magnitude(u, v);
    if !(scale.is_finite() && scale > 0.0) {
        return e;
    }
    let scaled = cdf_distance(u, v, |d| d * d, scale);
    std::f64::consts::SQRT_2 * scaled.sqrt() * scale.sqrt()
}

/// Evidently's Hellinger distance for a numerical column: densities on Sturges bins over
/// the distinct values of both samples. `None` when the values' range overflows.
pub fn hellinger_numeric(r: Sample, c: Sample, integer: bool) -> Option<f64> {
    let mut keys = 0u64;
    let (mut lo, mut hi) = (f64::NAN, f64::NAN);
    for (v, _, _) in sample_runs(r, c) {
        if keys == 0 {
            lo = v;
        }
        hi = v;
        keys += 1;
    }
    let edges = sturges_edges(keys, lo, hi, integer)?;
    let density = |s: Sample| {
        let counts = s.histogram(&edges);
        let total: f64 = counts.iter().map(|c| *c as f64).sum();
        counts
            .iter()
            .zip(edges.windows(2))
            .map(|(c, e)| *c as f64 / (e[1] - e[0]) / total)
            .collect::<Vec<f64>>()
    };
    let (h1, h2) = (density(r), density(c));
    let width = (edges[edges.len() - 1] - edges[0]) / (edges.len() - 1) as f64;
    let mut sum = 0.0;
    for (p1, p2) in h1.iter().zip(&h2) {
        sum += (p1 * p2).sqrt() * width;
    }
    Some((1.0 - sum.clamp(0.0, 1.0)).sqrt())
}

/// Evidently's Hellinger distance over the shares of each value.
pub fn hellinger_shares(r: &[f64], c: &[f64]) -> f64 {
    let mut sum = 0.0;
    for (p1, p2) in r.iter().zip(c) {
        sum += (p1 * p2).sqrt();
    }
    (1.0 - sum.clamp(0.0, 1.0)).sqrt()
}

/// The Mann-Whitney result: U1, the p-value, and whether the exact null distribution was used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MannWhitney {
    pub u1: f64,
    pub p_value: f64,
    pub exact: bool,
}

/// The rank fold behind both Mann-Whitney tests: U1 and U2 (pairs (x, y) with y below x
/// count 1, equal ones 1/2), U2 - n1 n2 / 2, the tie-corrected standard deviation of U under
/// the null, and whether any value is tied.
struct RankFold {
    u1: f64,
    u2: f64,
    centred: f64,
    sigma: f64,
    tied: bool,
}

fn rank_fold(x: Sample, y: Sample) -> RankFold {
    let (n1, n2) = (x.count(), y.count());
    // Twice U1 and twice U2 (each run counts its own pairs as half), in exact integers: a
    // profile's point can stand for 10^18 rows, where rank sums in f64 lose every digit of
    // U = rank sum - n1 (n1 + 1) / 2 and then overflow. The tie term is a sum of positive
    // products t (n - t) (n + t) (n^3 - sum t^3, rearranged so nothing cancels).
    let (mut twice_u1, mut twice_u2) = (Some(0u128), Some(0u128));
    let (mut u1_f, mut u2_f) = (0.0f64, 0.0f64);
    let (mut below_x, mut below_y) = (0u128, 0u128);
    let mut spread_terms = Vec::new();
    let n = u128::from(n1) + u128::from(n2);
    let mut tied = false;
    let (spread_x, spread_y) = (x.is_spread(), y.is_spread());
    for (_, cx, cy) in sample_runs(x, y) {
        let (cx, cy) = (u128::from(cx), u128::from(cy));
        // A summary's point stands for rows of different values: one of them may tie with
        // the other side, the rest are untied (each adds n^2 - 1 to the tie sum below).
        let own = |c: u128, spread: bool| if spread { c.min(1) } else { c };
        let t = own(cx, spread_x) + own(cy, spread_y);
        let singles = (cx + cy) - t;
        tied |= t > 1;
        if singles > 0 {
            spread_terms.push(singles as f64 * ((n - 1) as f64 * (n + 1) as f64));
        }
        let add = |acc: Option<u128>, c: u128, below: u128, other: u128| {
            acc.and_then(|a| {
                c.checked_mul(below.checked_mul(2)?.checked_add(other)?)
                    .and_then(|p| a.checked_add(p))
            })
        };
        twice_u1 = add(twice_u1, cx, below_y, cy);
        twice_u2 = add(twice_u2, cy, below_x, cx);
        u1_f += cx as f64 * (below_y as f64 + cy as f64 / 2.0);
        u2_f += cy as f64 * (below_x as f64 + cx as f64 / 2.0);
        spread_terms.push(t as f64 * (n - t) as f64 * (n + t) as f64);
        below_x += cx;
        below_y += cy;
    }
    let (u1, u2, centred) = match (twice_u1, twice_u2) {
        (Some(a), Some(b)) => (
            a as f64 / 2.0,
            b as f64 / 2.0,
            if b >= a {
                (b - a) as f64 / 4.0
            } else {
                -((a - b) as f64) / 4.0
            },
        ),
        // Past 2^128 (both sides near 2^64 rows): positive sums in f64, still accurate.
        _ => (u1_f, u2_f, (u2_f - u1_f) / 2.0),
    };
    // scipy's (n + 1) - sum(t^3 - t) / (n (n - 1)) is (n^3 - sum t^3) / (n (n - 1)),
    // and n^3 - sum t^3 = sum over runs of t (n - t) (n + t), since the t add up to n.
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let spread = pairwise_sum(&spread_terms);
    let sigma = (n1f * n2f / 12.0 * spread / (nf * (nf - 1.0))).sqrt();
    RankFold {
        u1,
        u2,
        centred,
        sigma,
        tied,
    }
}

/// `scipy.stats.mannwhitneyu(reference, current, alternative="less")`, method "auto" as
/// scipy (1.11 and later) chooses it: exact when either sample has at most 8 values and
/// nothing is tied, else the normal approximation with continuity and tie corrections.
pub fn mann_whitney_less(x: Sample, y: Sample) -> MannWhitney {
    let (n1, n2) = (x.count(), y.count());
    let fold = rank_fold(x, y);
    let exact = (n1 <= 8 || n2 <= 8) && !fold.tied;
    let p = if exact {
        // No ties and one side of at most 8 values.
        mwu_exact_sf(fold.u2.round() as u128, n1.min(n2), n1.max(n2))
    } else {
        // u2 - n1 n2 / 2 = (U2 - U1) / 2, exact above.
        let z = (fold.centred - 0.5) / fold.sigma;
        crate::special::ndtr(-z)
    };
    MannWhitney {
        u1: fold.u1,
        p_value: p.clamp(0.0, 1.0),
        exact,
    }
}

/// `scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
/// use_continuity=True).pvalue`: 2 sf(z) for z = (max(U1, U2) - n1 n2 / 2 - 1/2) / sigma,
/// clipped to [0, 1]. NaN when z is not a number (no spread at all).
pub fn mann_whitney_two_sided_asymptotic(x: Sample, y: Sample) -> f64 {
    let fold = rank_fold(x, y);
    // max(U1, U2) - n1 n2 / 2 = |U2 - U1| / 2.
    let z = (fold.centred.abs() - 0.5) / fold.sigma;
    if z.is_nan() {
        return f64::NAN;
    }
    // 2 sf(z) = erfc(z / sqrt 2): musl's erfc (the libm crate) is within an ulp, as
    // scipy's cephes is.
    libm::erfc(z / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// `scipy.stats.ttest_ind(reference, current)` (equal variances, as Evidently calls it):
/// (t, two-sided p), from each side's count, mean and sum of squared deviations. A side of
/// one value contributes no variance (scipy's pooled variance, since 1.11); two constant
/// sides give t = ±inf (p = 0) when their means differ and NaN when they are equal.
pub fn t_test(a: Moments, b: Moments) -> (f64, f64) {
    let (n1, n2) = (a.count, b.count);
    let var = |m: &Moments| {
        if m.count == 1.0 {
            0.0
        } else {
            m.m2 / (m.count - 1.0)
        }
    };
    let (v1, v2) = (var(&a), var(&b));
    let df = n1 + n2 - 2.0;
    let pooled = ((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / df;
    let t = (a.mean - b.mean) / (pooled * (1.0 / n1 + 1.0 / n2)).sqrt();
    (t, crate::special::student_t_two_sided(t, df))
}

/// Runs longer than this add their squared rank gaps in closed form (a profile's point can
/// stand for 10^15 rows); shorter ones term by term, as scipy sums them.
const CLOSED_FORM_RUN: u64 = 64;

/// sum_{k=1}^{c} (a - k)^2, as c (a - (c + 1) / 2)^2 + c (c^2 - 1) / 12: two terms that
/// cannot cancel (expanded, c a^2 - a c (c + 1) + ... loses every digit once a run stands for
/// 10^15 rows).
fn squared_gaps(a: f64, c: u64) -> f64 {
    let c = c as f64;
    let centre = a - (c + 1.0) / 2.0;
    c * centre * centre + c * (c * c - 1.0) / 12.0
}

/// Evidently's two-sample Cramer-von Mises test (a copy of scipy's `cramervonmises_2samp`):
/// (T, p). Exact when both samples have at most 20 values, else the limiting distribution.
/// `None` when a sample has fewer than two values (Evidently raises an error there).
pub fn cramer_von_mises(x: Sample, y: Sample) -> Option<(f64, f64)> {
    let (nx, ny) = (x.count(), y.count());
    if nx <= 1 || ny <= 1 {
        return None;
    }
    // U = nx * sum (rank_x(i) - i)^2 + ny * sum (rank_y(j) - j)^2, average ranks for ties.
    let cap = x.points().len() + y.points().len();
    let (mut ux, mut uy) = (Vec::with_capacity(cap), Vec::with_capacity(cap));
    let (mut i, mut j) = (0u64, 0u64);
    let mut next_rank = 1.0f64;
    for (_, cx, cy) in sample_runs(x, y) {
        let t = cx as f64 + cy as f64;
        let rank = next_rank + (t - 1.0) / 2.0;
        let (i_before, j_before) = (i, j);
        for (count, done, out, spread, other_below, other_here) in [
            (cx, &mut i, &mut ux, x.is_spread(), j_before, cy),
            (cy, &mut j, &mut uy, y.is_spread(), i_before, cx),
        ] {
            if spread {
                // A summary's point stands for `count` rows of different values around it:
                // without ties, rank - own index is the other side's rows below, for each of
                // them (half the other side's rows at this very value). Ranking them as
                // `count` tied rows would add count^3 / 12 of spread that the data has not.
                let gap = other_below as f64 + other_here as f64 / 2.0;
                out.push(count as f64 * gap * gap);
                *done = done.saturating_add(count);
            } else if count > CLOSED_FORM_RUN {
                out.push(squared_gaps(rank - *done as f64, count));
                *done = done.saturating_add(count);
            } else {
                for _ in 0..count {
                    *done = done.saturating_add(1);
                    out.push((rank - *done as f64).powi(2));
                }
            }
        }
        next_rank += t;
    }
    let (nxf, nyf) = (nx as f64, ny as f64);
    let u = nxf * pairwise_sum(&ux) + nyf * pairwise_sum(&uy);
    let (k, n) = (nxf * nyf, nxf + nyf);
    let t = u / (k * n) - (4.0 * k - 1.0) / (6.0 * n);
    if nx.max(ny) <= 20 {
        return Some((t, cvm_exact_p(u, nx as usize, ny as usize)));
    }
    let et = (1.0 + 1.0 / n) / 6.0;
    let vt = (n + 1.0) * (4.0 * k * n - 3.0 * (nxf * nxf + nyf * nyf) - 2.0 * k)
        / (45.0 * n * n * 4.0 * k);
    let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).sqrt();
    let p = if tn < 0.003 {
        1.0
    } else {
        (1.0 - cvm_limit_cdf(tn)).max(0.0)
    };
    Some((t, p))
}

/// The terms of the limiting CDF fall faster than geometrically; scipy stops below 1e-7,
/// well before this many.
const CVM_MAX_TERMS: u32 = 1000;

/// The limiting CDF of the Cramer-von Mises statistic (Csorgo and Faraway), summed until a
/// term is below 1e-7, as Evidently and scipy do. NaN for a NaN argument, and never more than
/// [`CVM_MAX_TERMS`] terms.
pub fn cvm_limit_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    // scipy's sum stops at the first term below 1e-7, and past x of about 5 every term is
    // that small while the neglected ones add up: its 1 - cdf, which is below 1e-15 from
    // x = 7 on, grows again (1e-8 at 50, 0.02 at 10^12, 0.88 at 10^16), and a statistic
    // inflated by ties in a large profile would read as "no drift". Past 50, where the true
    // tail is below 1e-100, the CDF is 1.
    if x.is_infinite() || x > 50.0 {
        return 1.0;
    }
    let mut total = 0.0;
    for k in 0..CVM_MAX_TERMS {
        let k = f64::from(k);
        let u = (libm::lgamma(k + 0.5) - libm::lgamma(k + 1.0)).exp()
            / (std::f64::consts::PI.powf(1.5) * x.sqrt());
        let y = 4.0 * k + 1.0;
        let q = y * y / (16.0 * x);
        let z = u * y.sqrt() * crate::special::bessel_k_scaled(0.25, q);
        total += z;
        // A NaN term ends the sum too.
        if z.is_nan() || z.abs() < 1e-7 {
            break;
        }
    }
    total
}

/// The exact p-value of the two-sample statistic U (Xiao, Gordon and Yakovlev's frequency
/// tables of g+), for samples of m and n values.
fn cvm_exact_p(u: f64, m: usize, n: usize) -> f64 {
    let lcm = m / gcd(m, n) * n;
    let (a, b) = ((lcm / m) as i64, (lcm / n) as i64);
    let mn = (m * n) as f64;
    let l2 = (lcm * lcm) as f64;
    let zeta = (l2 * (m + n) as f64 * (6.0 * u - mn * (4.0 * mn - 1.0)) / (6.0 * mn * mn)).floor();
    // gs[v]: value -> frequency.
    let mut gs: Vec<BTreeMap<i64, f64>> = vec![BTreeMap::new(); m + 1];
    gs[0].insert(0, 1.0);
    for uu in 0..=n as i64 {
        let mut next = Vec::with_capacity(m + 1);
        let mut tmp: BTreeMap<i64, f64> = BTreeMap::new();
        for (v, g) in gs.iter().enumerate() {
            for (value, freq) in g {
                *tmp.entry(*value).or_insert(0.0) += freq;
            }
            let shift = (a * v as i64 - b * uu).pow(2);
            tmp = tmp
                .into_iter()
                .map(|(value, f)| (value + shift, f))
                .collect();
            next.push(tmp.clone());
        }
        gs = next;
    }
    let combinations: f64 = (1..=m).map(|i| (n + i) as f64 / i as f64).product();
    let tail: f64 = gs[m]
        .iter()
        .filter(|(v, _)| **v as f64 >= zeta)
        .map(|(_, f)| f)
        .sum();
    tail / combinations
}

/// anderson_ksamp's normalizing sums run over every row (scipy builds arrays of that
/// length); past this many rows the test is not computed.
pub const ANDERSON_MAX_ROWS: u64 = 100_000_000;

/// `scipy.stats.anderson_ksamp([reference, current])` (midrank variant), as Evidently uses it:
/// (statistic, significance level). The significance level is interpolated on Scholz and
/// Stephens' table and capped to [0.001, 0.25] as scipy caps it.
pub fn anderson_ksamp(x: Sample, y: Sample) -> Result<(f64, f64), String> {
    let total_rows = x.count().saturating_add(y.count());
    if total_rows > ANDERSON_MAX_ROWS {
        return Err(format!(
            "anderson is not computed for more than {ANDERSON_MAX_ROWS} values (its normalizing sums run over every value)"
        ));
    }
    let (n1, n2) = (x.count() as f64, y.count() as f64);
    let n = n1 + n2;
    // Per distinct value: l_j, B_j, and each sample's M_ij (midrank counts).
    let mut inner = [Vec::new(), Vec::new()];
    let (mut left, mut below_x, mut below_y) = (0.0f64, 0.0f64, 0.0f64);
    let mut distinct = 0usize;
    for (_, cx, cy) in sample_runs(x, y) {
        distinct += 1;
        let lj = cx as f64 + cy as f64;
        let bj = left + lj / 2.0;
        let denominator = bj * (n - bj) - n * lj / 4.0;
        for (k, (below, count, size)) in [(below_x, cx as f64, n1), (below_y, cy as f64, n2)]
            .into_iter()
            .enumerate()
        {
            let mij = below + count - count / 2.0;
            inner[k].push(lj / n * (n * mij - bj * size).powi(2) / denominator);
        }
        below_x += cx as f64;
        below_y += cy as f64;
        left += lj;
    }
    if distinct < 2 {
        return Err("anderson needs more than one distinct value".into());
    }
    let a2kn = (pairwise_sum(&inner[0]) / n1 + pairwise_sum(&inner[1]) / n2) * (n - 1.0) / n;
    let k = 2.0;
    let h_big = 1.0 / n1 + 1.0 / n2;
    // hs_cs = cumsum(1 / [N-1, N-2, ..., 2]); h = its last + 1; g = sum(hs_cs / [2, ..., N-1]).
    // The terms are produced in blocks and never all kept (a profile claims rows it does not
    // hold): each block summed pairwise as numpy sums (one block below 65,536 rows, so
    // the same sum as numpy's there), the blocks' sums added with compensation.
    const BLOCK: usize = 1 << 16;
    let mut cumulative = 0.0;
    let mut block = Vec::with_capacity(BLOCK.min(total_rows as usize));
    let (mut g, mut carry) = (0.0f64, 0.0f64);
    let mut add_block = |block: &mut Vec<f64>| {
        let v = pairwise_sum(block);
        block.clear();
        // Neumaier's compensated addition.
        let t = g + v;
        if g.abs() >= v.abs() {
            carry += (g - t) + v;
        } else {
            carry += (v - t) + g;
        }
        g = t;
    };
    for (idx, d) in (2..total_rows).rev().enumerate() {
        cumulative += 1.0 / d as f64;
        block.push(cumulative / (idx + 2) as f64);
        if block.len() == BLOCK {
            add_block(&mut block);
        }
    }
    add_block(&mut block);
    let g = g + carry;
    let h = cumulative + 1.0;
    let a = (4.0 * g - 6.0) * (k - 1.0) + (10.0 - 6.0 * g) * h_big;
    let b = (2.0 * g - 4.0) * k * k + 8.0 * h * k + (2.0 * g - 14.0 * h - 4.0) * h_big - 8.0 * h
        + 4.0 * g
        - 6.0;
    let c = (6.0 * h + 2.0 * g - 2.0) * k * k
        + (4.0 * h - 4.0 * g + 6.0) * k
        + (2.0 * h - 6.0) * h_big
        + 4.0 * h;
    let d = (2.0 * h + 6.0) * k * k - 4.0 * h * k;
    let sigmasq = (a * n.powi(3) + b * n * n + c * n + d) / ((n - 1.0) * (n - 2.0) * (n - 3.0));
    let m = k - 1.0;
    let a2 = (a2kn - m) / sigmasq.sqrt();
    const B0: [f64; 7] = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
    const B1: [f64; 7] = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
    const B2: [f64; 7] = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
    const SIG: [f64; 7] = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
    let critical: Vec<f64> = (0..7)
        .map(|i| B0[i] + B1[i] / m.sqrt() + B2[i] / m)
        .collect();
    let (lo, hi) = (
        critical.iter().copied().fold(f64::INFINITY, f64::min),
        critical.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    let p = if a2 < lo {
        0.25
    } else if a2 > hi {
        0.001
    } else {
        let logs: Vec<f64> = SIG.iter().map(|s| s.ln()).collect();
        let [c2, c1, c0] = quadratic_fit(&critical, &logs);
        ((c2 * a2 + c1) * a2 + c0).exp()
    };
    Ok((a2, p))
}

/// Least-squares quadratic through the points (numpy.polyfit(x, y, 2)): [x^2, x, 1]
/// coefficients, from column-scaled normal equations solved by Gaussian elimination.
fn quadratic_fit(x: &[f64], y: &[f64]) -> [f64; 3] {
    let cols: Vec<[f64; 3]> = x.iter().map(|v| [v * v, *v, 1.0]).collect();
    let scale: Vec<f64> = (0..3)
        .map(|j| cols.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt())
        .collect();
    let mut m = [[0.0f64; 4]; 3];
    for i in 0..3 {
        for j in 0..3 {
            m[i][j] = cols.iter().map(|r| r[i] / scale[i] * r[j] / scale[j]).sum();
        }
        m[i][3] = cols.iter().zip(y).map(|(r, yv)| r[i] / scale[i] * yv).sum();
    }
    for p in 0..3 {
        let pivot = (p..3)
            .max_by(|a, b| m[*a][p].abs().total_cmp(&m[*b][p].abs()))
            .unwrap_or(p);
        m.swap(p, pivot);
        let pivot_row = m[p];
        for row in m.iter_mut().skip(p + 1) {
            let f = row[p] / pivot_row[p];
            for (cell, above) in row.iter_mut().zip(pivot_row.iter()).skip(p) {
                *cell -= f * above;
            }
        }
    }
    let mut sol = [0.0f64; 3];
    for p in (0..3).rev() {
        let s: f64 = ((p + 1)..3).map(|c| m[p][c] * sol[c]).sum();
        sol[p] = (m[p][3] - s) / m[p][p];
    }
    [sol[0] / scale[0], sol[1] / scale[1], sol[2] / scale[2]]
}

/// Coefficients 0..=degree of the Gaussian binomial [s + l choose s]_q
/// = prod_{i=1}^{s} (1 - q^{l+i}) / (1 - q^i): the number of arrangements of s and l values
/// with U = u, for u up to `degree`. One vector, s passes: multiply by (1 - q^{l+i}), then
/// divide by (1 - q^i) (a strided running sum); truncating at `degree` is exact because
/// each step reads only lower coefficients.
fn gaussian_binomial<T>(s: u64, l: u64, degree: usize) -> Vec<T>
where
    T: Copy + Default + From<u8> + std::ops::AddAssign + std::ops::SubAssign,
{
    let mut c = vec![T::default(); degree + 1];
    c[0] = T::from(1);
    for i in 1..=s {
        let shift = usize::try_from(l.saturating_add(i)).unwrap_or(usize::MAX);
        if shift <= degree {
            for u in (shift..=degree).rev() {
                let below = c[u - shift];
                c[u] -= below;
            }
        }
        let stride = i as usize;
        for u in stride..=degree {
            let below = c[u - stride];
            c[u] += below;
        }
    }
    c
}

/// The exact null distribution of Mann-Whitney's U is computed up to this many counts (128
/// MiB at most); past it, the continuous limit.
const MWU_EXACT_MAX_DEGREE: u128 = 1 << 24;

/// P(S >= s) for S the sum of m independent uniforms on [0, 1] (m <= 8 here), from the
/// nearer end so the tail keeps its digits.
fn irwin_hall_sf(m: u64, s: f64) -> f64 {
    let mf = m as f64;
    let cdf = |x: f64| {
        if x <= 0.0 {
            return 0.0;
        }
        if x >= mf {
            return 1.0;
        }
        let mut sum = 0.0;
        let mut binom = 1.0;
        let mut factorial = 1.0;
        for i in 1..=m {
            factorial *= i as f64;
        }
        for i in 0..=m {
            let d = x - i as f64;
            if d <= 0.0 {
                break;
            }
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            sum += sign * binom * d.powi(m as i32);
            binom *= (mf - i as f64) / (i as f64 + 1.0);
        }
        (sum / factorial).clamp(0.0, 1.0)
    };
    if s > mf / 2.0 {
        cdf(mf - s)
    } else {
        1.0 - cdf(s)
    }
}

/// P(U >= k) for the Mann-Whitney U of samples of sizes m <= n with no ties, as scipy's
/// `_MWU.sf` computes it: by symmetry, from the lower tail up to min(k, mn - k), so memory
/// is one vector of at most mn/2 + 1 counts (scipy's recurrence takes the same memory and
/// quadratic time; the product form here takes m passes). Counts are exact integers while
/// the total number of arrangements fits in i128, floats beyond.
fn mwu_exact_sf(k: u128, m: u64, n: u64) -> f64 {
    let mn = u128::from(m) * u128::from(n);
    let k = k.min(mn);
    let kc = mn - k;
    let lower = k < kc;
    if k.min(kc) > MWU_EXACT_MAX_DEGREE {
        // A few values against very many (a profile of 10^15 rows): U / (n + 1) is then the
        // sum of m uniform ranks, whose distribution is Irwin-Hall's, within O(1/n) of the
        // exact one (exactly it for m = 1). The exact vector would hold mn/2 counts.
        return irwin_hall_sf(m, k as f64 / (n as f64 + 1.0));
    }
    let degree = k.min(kc) as usize;
    // binom(m + n, m), exact while it fits (every partial product is a binomial too).
    let exact_total = (1..=m).try_fold(1u128, |c, i| {
        c.checked_mul(u128::from(n) + u128::from(i))
            .map(|p| p / u128::from(i))
    });
    let (total, counts): (f64, Vec<f64>) = match exact_total {
        Some(t) if t < 10u128.pow(36) => {
            let exact: Vec<i128> = gaussian_binomial(m, n, degree);
            (t as f64, exact.into_iter().map(|c| c as f64).collect())
        }
        _ => (
            (1..=m).map(|i| (n as f64 + i as f64) / i as f64).product(),
            gaussian_binomial(m, n, degree),
        ),
    };
    // np.cumsum(counts / total)[degree], summed in order as numpy does.
    let mut cdf = 0.0;
    for c in &counts {
        cdf += c / total;
    }
    if lower {
        1.0 - cdf + counts[degree] / total
    } else {
        cdf
    }
}
#[cfg(test)]
mod unit {
    use super::*;

    /// Samples drawn once with numpy (normal, seed 0; 40 and 55 values), for scipy's values.
    const CVM_X: &str = "0.1257302210933933 -0.13210486329130189 0.64042265044328206 0.10490011715303971 -0.53566937316111096 0.36159505490948474 1.3040000451301372 0.94708096312924217 -0.7037352358069926 -1.2654214710460525 -0.62327446253735219 0.041325979347243601 -2.3250307746388343 -0.21879166393254573 -1.2459109472530652 -0.73226735470345161 -0.54425898285730989 -0.31630015636915454 0.41163053637413283 1.0425133694426776 -0.12853466294403426 1.3664634705496859 -0.66519467348661354 0.35151007009301971 0.90347018165180859 0.094012297760874566 -0.7434992493538084 -0.92172537625841944 -0.45772582566733916 0.22019512347004941 -1.0096181835387359 -0.20917557487171307 -0.15922500991447772 0.54084558468580768 0.21465912250634089 0.35537270903992141 -0.65382860941833942 -0.12961363369276946 0.7839754700613295 1.4934311452207607";
    const CVM_Y: &str = "-0.95906553210412016 1.8139237747390626 1.6458754237823046 1.0813114007004274 0.56445563032930357 -0.013922814536427797 1.7580206835369587 2.2602583164499648 2.1016348698661251 1.61510376473437 0.65738041065895603 -0.90831863228217147 0.29554586687991674 0.95647493507633574 -0.98836146374955436 0.69512206018200828 0.72986369482223001 0.99604272396286841 -0.88411796675718901 -0.36170257203903494 -0.13643524714322125 -0.86980190777286404 2.0393678771301338 -0.1959107284421519 0.62896962946020207 0.041427454526075991 1.8834728788021222 1.6203609870818392 0.93335262282491516 -1.9035098806466506 0.3520289742598865 0.98368619077653441 1.3039615758421697 -0.31790704470760084 2.1220113633283231 -1.0204309700132934 -0.36152802181521909 1.235049988114022 0.34905461382531167 2.302392583645255 0.48851919251246556 -0.33319409019222673 -0.07756350523280825 -0.7911461176191954 -0.97768016638660793 0.93041149076823193 0.88116581241280567 1.5945588194411171 -0.45460579125993111 1.9891074524436732 0.012612292191333696 1.8744082788445868 -0.13278584718259678 -0.43548329234227506 0.5497853715586668";

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn mann_whitney_less_matches_scipy_in_each_method() {
        // scipy.stats.mannwhitneyu(x, y, alternative="less").pvalue, method "auto".
        let cases: [(&[f64], &[f64], f64); 3] = [
            // exact: five values, no ties
            (
                &[3.1, 1.2, 5.5, 4.4, 2.3],
                &[6.0, 0.5, 8.1, 9.2, 7.7, 10.3, 11.4],
                0.023_989_898_989_898_99,
            ),
            // asymptotic: both samples over 8
            (
                &[3.1, 1.2, 5.5, 4.4, 2.3, 12.0, 13.0, 14.5, 15.0],
                &[6.0, 0.5, 8.1, 9.2, 7.7, 10.3, 11.4, 16.0, 17.5],
                0.268_249_734_659_728_2,
            ),
            // asymptotic: small but tied
            (
                &[1.0, 2.0, 2.0, 3.0],
                &[2.0, 3.0, 4.0],
                0.133_189_961_671_241_25,
            ),
        ];
        for (x, y, want) in cases {
            let (sx, sy) = (sorted(x), sorted(y));
            let p = mann_whitney_less(Sample::plain(&sx), Sample::plain(&sy)).p_value;
            assert!((p - want).abs() <= 1e-12 * want, "{p} vs {want}");
        }
    }

    #[test]
    fn cramer_von_mises_matches_scipy() {
        // scipy.stats.cramervonmises_2samp(x, y): (statistic, pvalue)
        let x1 = [3.1, 1.2, 5.5, 4.4, 2.3, 7.0];
        let y1 = [6.0, 0.5, 8.1, 9.2, 7.7, 10.3, 11.4];
        let x3 = [1.0, 2.0, 2.0, 3.0, 5.0];
        let y3 = [2.0, 3.0, 3.0, 4.0, 6.0, 7.0];
        let x2: Vec<f64> = CVM_X.split(' ').map(|v| v.parse().unwrap()).collect();
        let y2: Vec<f64> = CVM_Y.split(' ').map(|v| v.parse().unwrap()).collect();
        let cases: [(&[f64], &[f64], f64, f64); 3] = [
            (&x1, &y1, 0.586_080_586_080_586_2, 0.025_641_025_641_025_64),
            (
                &x2,
                &y2,
                0.792_033_492_822_964_6,
                0.007_565_041_240_353_842_5,
            ),
            (&x3, &y3, 0.242_424_242_424_242_43, 0.244_588_744_588_744_58),
        ];
        for (x, y, t_want, p_want) in cases {
            let (sx, sy) = (sorted(x), sorted(y));
            let (t, p) = cramer_von_mises(Sample::plain(&sx), Sample::plain(&sy)).unwrap();
            assert!((t - t_want).abs() <= 1e-12 * t_want, "T {t} vs {t_want}");
            assert!((p - p_want).abs() <= 1e-9 * p_want, "p {p} vs {p_want}");
        }
    }

    #[test]
    fn anderson_matches_scipy() {
        let x2: Vec<f64> = CVM_X.split(' ').map(|v| v.parse().unwrap()).collect();
        let y2: Vec<f64> = CVM_Y.split(' ').map(|v| v.parse().unwrap()).collect();
        let x3 = [1.0, 2.0, 2.0, 3.0, 5.0, 7.0, 8.0, 8.0, 9.0];
        let y3 = [2.0, 3.0, 3.0, 4.0, 6.0, 7.0, 10.0, 11.0, 12.0, 12.0];
        // scipy.stats.anderson_ksamp([x, y]): (statistic, significance_level)
        for (x, y, a_want, p_want) in [
            (
                &x2[..],
                &y2[..],
                4.451_882_091_955_484_5,
                0.005_485_739_318_462_202,
            ),
            (
                &x3[..],
                &y3[..],
                0.481_549_506_099_555_9,
                0.210_333_412_408_794_97,
            ),
        ] {
            let (sx, sy) = (sorted(x), sorted(y));
            let (a, p) = anderson_ksamp(Sample::plain(&sx), Sample::plain(&sy)).unwrap();
            assert!((a - a_want).abs() <= 1e-11 * a_want, "A2 {a} vs {a_want}");
            assert!((p - p_want).abs() <= 1e-9 * p_want, "p {p} vs {p_want}");
        }
    }

    #[test]
    fn mann_whitney_limit_of_few_against_very_many_meets_the_exact_distribution() {
        // Where the exact vector would be too long, U / (n + 1) is taken as Irwin-Hall's: at
        // sizes where both are computed they agree to O(1/n), and exactly for one value.
        let n = 20_000u64;
        for m in [1u64, 2, 3, 5, 8] {
            for frac in [0.01, 0.2, 0.5, 0.77, 0.99] {
                let k = (frac * (m * n) as f64) as u128;
                let exact = mwu_exact_sf(k, m, n);
                let limit = irwin_hall_sf(m, k as f64 / (n as f64 + 1.0));
                assert!(
                    (exact - limit).abs() < 20.0 / n as f64,
                    "m {m} k {k}: {exact} vs {limit}"
                );
            }
        }
        assert!((irwin_hall_sf(1, 0.25) - 0.75).abs() < 1e-15);
        // A profile of 10^18 rows against one value: no vector of 10^18 counts.
        let p = mwu_exact_sf(300_000_000_000_000_000, 1, 1_000_000_000_000_000_000);
        assert!((p - 0.7).abs() < 1e-9, "{p}");
    }

    #[test]
    fn distances_of_values_near_the_limits_of_f64_are_finite() {
        // Evidently's numpy std and scipy's sums overflow here; the data's answers do not.
        let r: Vec<f64> = [-1.7e308; 15].into_iter().chain([1.7e308; 15]).collect();
        let c: Vec<f64> = [-1.7e308; 10]
            .into_iter()
            .chain([0.0; 10])
            .chain([1.7e308; 10])
            .collect();
        let (rs, cs) = (Sample::plain(&r), Sample::plain(&c));
        let std = rs.std();
        assert!((std / 1.7e308 - 1.0).abs() < 1e-12, "{std}");
        let w = wasserstein_normed(rs, cs, std);
        assert!((w - 1.0 / 3.0).abs() < 1e-12, "{w}");
        let up = [1.7e308];
        let down = [-1.7e308];
        let e = energy_distance(Sample::plain(&down), Sample::plain(&up));
        // sqrt(2 x 3.4e308): the CDFs differ by 1 over the whole range.
        assert!(
            (e / (2.0f64.sqrt() * 1.7e308f64.sqrt() * 2.0f64.sqrt()) - 1.0).abs() < 1e-12,
            "{e}"
        );
        assert!(wasserstein_normed(rs, cs, f64::NAN).is_nan());
    }

    #[test]
    fn cramer_von_mises_counts_a_summary_s_points_as_untied_rows() {
        // 4,000 distinct rows as 40 points of 100: the statistic stays near the rows' one
        // instead of growing with 100^2 / (12 m) for ties the data does not have.
        let rows: Vec<f64> = (0..4000).map(|i| f64::from(i) / 4000.0).collect();
        let points: Vec<f64> = (0..40)
            .map(|i| (f64::from(i) * 100.0 + 49.5) / 4000.0)
            .collect();
        let weights = vec![100u64; 40];
        let cur: Vec<f64> = (0..50).map(|i| (f64::from(i) + 0.5) / 50.0 * 0.9).collect();
        let (t_rows, p_rows) = cramer_von_mises(Sample::plain(&rows), Sample::plain(&cur)).unwrap();
        let summary = Sample::weighted(&points, &weights).spread(true);
        let (t_sum, p_sum) = cramer_von_mises(summary, Sample::plain(&cur)).unwrap();
        assert!((t_sum - t_rows).abs() < 0.05, "T {t_sum} vs rows {t_rows}");
        assert!((p_sum - p_rows).abs() < 0.05, "p {p_sum} vs rows {p_rows}");
        // The same points as real ties (exact counts) are ranked with midranks, as scipy.
        let tied = Sample::weighted(&points, &weights);
        assert!(cramer_von_mises(tied, Sample::plain(&cur)).unwrap().0 > t_rows + 1.0);
    }

    #[test]
    fn zero_shares_are_filled_like_evidently() {
        let mut a = [0.5, 0.0, 0.5];
        fill_zeroes(&mut a);
        assert_eq!(a, [0.5, 0.0001, 0.5]);
        let mut b = [0.99999, 0.00001, 0.0];
        fill_zeroes(&mut b);
        assert_eq!(b[2], 0.00001 / 1e6);
    }

    #[test]
    fn equal_width_edges_span_the_range_even_past_f64() {
        assert_eq!(equal_width_edges(0.0, 3.0, 3), vec![0.0, 1.0, 2.0, 3.0]);
        let wide = equal_width_edges(-1e308, 1e308, 4);
        assert_eq!(wide, vec![-1e308, -5e307, 0.0, 5e307, 1e308]);
        assert_eq!(equal_width_edges(2.0, 2.0, 0), vec![2.0, 2.0]);
    }

    #[test]
    fn integer_sturges_bins_are_at_least_one_wide() {
        // numpy.histogram_bin_edges(np.array([0, 1, 2]), "sturges") -> [0., 1., 2.]
        assert_eq!(sturges_edges(3, 0.0, 2.0, true), Some(vec![0.0, 1.0, 2.0]));
        assert_eq!(sturges_edges(3, 0.0, 2.0, false).map(|e| e.len()), Some(4));
        // A range past f64 has no bins (numpy fails there); a NaN has none either.
        assert_eq!(sturges_edges(3, -1e308, 1e308, false), None);
        assert_eq!(sturges_edges(3, f64::NAN, 1.0, false), None);
    }
}
