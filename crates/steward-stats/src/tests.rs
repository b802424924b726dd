//! The per-column tests, each computed the way Evidently 0.7 computes it (and so with the
//! numbers scipy and numpy give): Wasserstein distance normed by the reference's standard
//! deviation, Jensen-Shannon distance over shared values or numpy's Sturges bins, the
//! chi-squared test of current counts against scaled reference counts, and the pooled
//! two-proportion z-test.

use crate::merge::runs;
use crate::special::{chi2_sf, ndtr};

/// Pairwise summation (numpy's algorithm shape), so long sums round like numpy's.
pub fn pairwise_sum(v: &[f64]) -> f64 {
    if v.len() <= 128 {
        let mut lanes = [0.0f64; 8];
        let mut chunks = v.chunks_exact(8);
        for c in &mut chunks {
            for (l, x) in lanes.iter_mut().zip(c) {
                *l += x;
            }
        }
        let mut s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
            + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for x in chunks.remainder() {
            s += x;
        }
        return s;
    }
    let half = (v.len() / 2) / 8 * 8;
    let half = if half == 0 { v.len() / 2 } else { half };
    pairwise_sum(&v[..half]) + pairwise_sum(&v[half..])
}

/// `np.std(x)` (population standard deviation).
pub fn std_dev(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = pairwise_sum(x) / n;
    let sq: Vec<f64> = x.iter().map(|v| (v - mean).abs().powi(2)).collect();
    (pairwise_sum(&sq) / n).sqrt()
}

/// `scipy.stats.wasserstein_distance(u, v)` on ascending samples.
pub fn wasserstein(u: &[f64], v: &[f64]) -> f64 {
    let (nu, nv) = (u.len() as f64, v.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut terms = Vec::with_capacity(u.len() + v.len());
    // Between one distinct value and the next the two empirical CDFs are constant.
    let mut previous: Option<f64> = None;
    for (value, cu, cv) in runs(u, v) {
        if let Some(p) = previous {
            terms.push((i as f64 / nu - j as f64 / nv).abs() * (value - p));
        }
        i += cu;
        j += cv;
        previous = Some(value);
    }
    pairwise_sum(&terms)
}

/// Evidently's `wasserstein` score: the distance divided by max(np.std(reference), 0.001).
pub fn wasserstein_normed(reference: &[f64], current: &[f64]) -> f64 {
    let norm = std_dev(reference).max(0.001);
    wasserstein(reference, current) / norm
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

/// numpy's `histogram_bin_edges(combined, bins="sturges")`, from the combined sample's size,
/// minimum and maximum.
pub fn sturges_edges(size: usize, min: f64, max: f64) -> Vec<f64> {
    let (first, last) = if min == max {
        (min - 0.5, max + 0.5)
    } else {
        (min, max)
    };
    let ptp = max - min;
    let width = ptp / ((size as f64).log2() + 1.0);
    let bins = if width > 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
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
    edges
}

/// `np.histogram(sorted, edges)` counts for explicit edges: [e_i, e_{i+1}), the last bin closed.
pub fn histogram_counts(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let lower = |e: f64| sorted.partition_point(|x| *x < e);
    let upper = |e: f64| sorted.partition_point(|x| *x <= e);
    let mut cum: Vec<usize> = edges[..edges.len() - 1].iter().map(|e| lower(*e)).collect();
    cum.push(upper(edges[edges.len() - 1]));
    cum.windows(2).map(|w| (w[1] - w[0]) as u64).collect()
}

/// Counts of each value (or bin) in the reference and the current data, aligned, in the
/// values' ascending order.
#[derive(Clone, Debug, PartialEq)]
pub struct Aligned {
    pub reference: Vec<u64>,
    pub current: Vec<u64>,
}

impl Aligned {
    pub fn totals(&self) -> (u64, u64) {
        (self.reference.iter().sum(), self.current.iter().sum())
    }
    pub fn shares(&self) -> (Vec<f64>, Vec<f64>) {
        let (nr, nc) = self.totals();
        (
            self.reference
                .iter()
                .map(|c| *c as f64 / nr as f64)
                .collect(),
            self.current.iter().map(|c| *c as f64 / nc as f64).collect(),
        )
    }
}

/// `scipy.stats.chisquare(current, reference * n_current / n_reference)`: (statistic, p).
pub fn chisquare(a: &Aligned) -> (f64, f64) {
    let (nr, nc) = a.totals();
    let k_norm = nc as f64 / nr as f64;
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
    let (n1, n2) = a.totals();
    let (n1f, n2f) = (n1 as f64, n2 as f64);
    // Values other than the first count as 1.
    let s1 = (n1 - a.reference[0]) as f64;
    let s2 = (n2 - a.current[0]) as f64;
    let p1 = s1 / n1f;
    let p2 = s2 / n2f;
    let pooled = (p1 * n1f + p2 * n2f) / (n1f + n2f);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1f + 1.0 / n2f)).sqrt();
    let p = 2.0 * (1.0 - ndtr(z.abs()));
    (z, p)
}
