//! The two-sample Kolmogorov-Smirnov test, two-sided, as `scipy.stats.ks_2samp(method="auto")`:
//! exact when both samples have at most 10,000 values (the lattice-path counts of Hodges,
//! with Viehmann's recursion), otherwise (or when the exact count fails) `kstwo.sf` of the
//! statistic at n = round(n1 n2 / (n1 + n2)).

use crate::kolmogorov::kolmogorov_sf;
use crate::numeric::gcd;
use crate::runs::sample_runs;
use crate::sample::Sample;

const MAX_AUTO_N: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KsResult {
    pub statistic: f64,
    pub p_value: f64,
    /// Whether the exact distribution was used.
    pub exact: bool,
}

/// D from two ascending samples, computed as scipy does (cdf values divided, then differenced).
fn statistic(a: Sample, b: Sample) -> f64 {
    let (n1, n2) = (a.count() as f64, b.count() as f64);
    let (mut i, mut j) = (0u64, 0u64);
    let (mut max_s, mut min_s) = (f64::NEG_INFINITY, f64::INFINITY);
    for (_, ca, cb) in sample_runs(a, b) {
        i = i.saturating_add(ca);
        j = j.saturating_add(cb);
        let diff = i as f64 / n1 - j as f64 / n2;
        max_s = max_s.max(diff);
        min_s = min_s.min(diff);
    }
    let min_s = (-min_s).clamp(0.0, 1.0);
    if min_s > max_s { min_s } else { max_s }
}

fn prob_outside_square(n: usize, h: usize) -> f64 {
    let mut p = 0.0;
    let mut k = (n / h) as i64;
    let (nf, hf) = (n as f64, h as f64);
    while k >= 0 {
        let kf = k as f64;
        let mut p1 = 1.0;
        for j in 0..h {
            let jf = j as f64;
            p1 = (nf - kf * hf - jf) * p1 / (nf + kf * hf + jf + 1.0);
        }
        p = p1 * (1.0 - p);
        k -= 1;
    }
    2.0 * p
}

fn outer_prob_inside(m: usize, n: usize, g: usize, h: usize) -> f64 {
    let (m, n) = if m < n { (n, m) } else { (m, n) };
    let (mg, ng) = ((m / g) as i64, (n / g) as i64);
    let (mi, ni, hi) = (m as i64, n as i64, h as i64);
    let mut minj: i64 = 0;
    let mut maxj: i64 = ((hi as f64 / mg as f64).ceil() as i64).min(ni + 1);
    let mut curlen = maxj - minj;
    let len_a = (2 * maxj + 2).min(ni + 1) as usize;
    let mut a = vec![1.0f64; len_a];
    for x in a.iter_mut().take(maxj as usize).skip(minj as usize) {
        *x = 0.0;
    }
    for i in 1..=mi {
        let (lastminj, lastlen) = (minj, curlen);
        minj = (((ng * i - hi) as f64 / mg as f64).floor() as i64 + 1).max(0);
        minj = minj.min(ni);
        maxj = (((ng * i + hi) as f64 / mg as f64).ceil() as i64).min(ni + 1);
        if maxj <= minj {
            return 1.0;
        }
        let mut val = if minj == 0 { 0.0 } else { 1.0 };
        let fi = i as f64;
        for jj in 0..(maxj - minj) {
            let j = (jj + minj) as f64;
            val = (a[(jj + minj - lastminj) as usize] * fi + val * j) / (fi + j);
            a[jj as usize] = val;
        }
        curlen = maxj - minj;
        if lastlen > curlen {
            let start = (maxj - minj) as usize;
            let end = (start + (lastlen - curlen) as usize).min(a.len());
            for x in &mut a[start..end] {
                *x = 1.0;
            }
        }
    }
    a[(maxj - minj - 1) as usize]
}

/// Two-sided two-sample KS test on ascending-sorted, non-empty samples (rows or weighted
/// points: the statistic is the largest gap between the two CDFs, the p-value uses the
/// true counts).
pub fn ks_2samp(a: Sample, b: Sample) -> KsResult {
    let mut d = statistic(a, b);
    if a.count().max(b.count()) <= MAX_AUTO_N as u64 {
        let (n1, n2) = (a.count() as usize, b.count() as usize);
        let g = gcd(n1, n2);
        let lcm = (n1 / g) as f64 * n2 as f64;
        let h = (d * lcm).round_ties_even();
        d = h / lcm;
        if h == 0.0 {
            return KsResult {
                statistic: d,
                p_value: 1.0,
                exact: true,
            };
        }
        let h = h as usize;
        let prob = if n1 == n2 {
            prob_outside_square(n1, h)
        } else {
            outer_prob_inside(n1, n2, g, h)
        };
        if prob.is_finite() && (0.0..=1.0).contains(&prob) {
            return KsResult {
                statistic: d,
                p_value: prob,
                exact: true,
            };
        }
    }
    let (n1, n2) = (a.count(), b.count());
    let (m, n) = (n1.max(n2) as f64, n1.min(n2) as f64);
    let en = m * n / (m + n);
    let p = kolmogorov_sf(en.round_ties_even() as usize, d);
    KsResult {
        statistic: d,
        p_value: p.clamp(0.0, 1.0),
        exact: false,
    }
}
