//! The statistics of a success metric: window aggregates (numpy's definitions), the
//! Mann-Whitney U test (scipy's asymptotic two-sided p-value with continuity and tie
//! correction), and a seeded bootstrap of the relative change.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_distr::{Beta, Distribution, StandardNormal};
use steward_manifest::Aggregate;

use steward_stats::numeric::lerp;
pub use steward_stats::numeric::{pairwise_sum, quantile_sorted};
use steward_stats::sample::Sample;

/// The metric's aggregate of a window: `values` in any order, `sorted` ascending (the same
/// values), `days` the window's length.
pub fn aggregate(kind: Aggregate, values: &[f64], sorted: &[f64], days: u32) -> Option<f64> {
    let n = values.len();
    match kind {
        Aggregate::Count => Some(n as f64),
        Aggregate::RatePerDay => Some(n as f64 / f64::from(days.max(1))),
        _ if n == 0 => None,
        Aggregate::Sum => Some(pairwise_sum(values)),
        Aggregate::Mean => Some(pairwise_sum(values) / n as f64),
        Aggregate::Median => quantile_sorted(sorted, 0.5),
        Aggregate::P90 => quantile_sorted(sorted, 0.9),
    }
}

/// scipy.stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
/// use_continuity=True).pvalue, from the two samples sorted ascending; `None` when either
/// is empty.
pub fn mann_whitney_p(x_sorted: &[f64], y_sorted: &[f64]) -> Option<f64> {
    if x_sorted.is_empty() || y_sorted.is_empty() {
        return None;
    }
    Some(steward_stats::stattests::mann_whitney_two_sided_asymptotic(
        Sample::plain(x_sorted),
        Sample::plain(y_sorted),
    ))
}

/// Above this many observations in a window the bootstrap mean is drawn from its normal
/// limit (mean, sd/sqrt(n)) instead of by resampling every observation: at that size the two
/// agree to well under the interval's own sampling error, and resampling would cost
/// resamples x n operations.
pub const DIRECT_RESAMPLING_LIMIT: usize = 20_000;

/// The most draws (resamples x observations) a window's mean or sum is resampled with
/// directly: the default 10,000 resamples of a 20,000-observation window. Past it (many
/// resamples of a large window) the normal limit is used as above, so the time a window
/// takes is bounded whatever `--resamples` says (1,000,000 resamples of 20,000 observations
/// would be 2e10 draws, minutes of work).
pub const DIRECT_DRAW_BUDGET: usize = 200_000_000;

/// Draws of the window's aggregate under resampling with replacement.
pub fn bootstrap_aggregate(
    kind: Aggregate,
    values: &[f64],
    sorted: &[f64],
    days: u32,
    resamples: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    match kind {
        // The count of a resample is always n.
        Aggregate::Count | Aggregate::RatePerDay => {
            vec![aggregate(kind, values, sorted, days).unwrap_or(0.0); resamples]
        }
        Aggregate::Median | Aggregate::P90 => {
            let q = if kind == Aggregate::Median { 0.5 } else { 0.9 };
            (0..resamples)
                .map(|_| resampled_quantile(sorted, q, rng))
                .collect()
        }
        Aggregate::Mean | Aggregate::Sum => {
            let scale = if kind == Aggregate::Sum {
                n as f64
            } else {
                1.0
            };
            if n <= DIRECT_RESAMPLING_LIMIT && resamples.saturating_mul(n) <= DIRECT_DRAW_BUDGET {
                (0..resamples)
                    .map(|_| {
                        let mut s = 0.0;
                        for _ in 0..n {
                            s += values[index(rng, n)];
                        }
                        scale * s / n as f64
                    })
                    .collect()
            } else {
                let mean = pairwise_sum(values) / n as f64;
                let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
                let se = (var / n as f64).sqrt();
                (0..resamples)
                    .map(|_| {
                        let z: f64 = StandardNormal.sample(rng);
                        scale * (mean + se * z)
                    })
                    .collect()
            }
        }
    }
}

/// A uniform index below n (Lemire's multiply-shift; the bias at n <= 2^32 is below 2^-32).
#[inline]
fn index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    ((rng.next_u64() as u128 * n as u128) >> 64) as usize
}

/// The linear-interpolated q-quantile of a bootstrap resample, drawn exactly from the order
/// statistics: a resample's k-th smallest value is `sorted[ceil(n U) - 1]`, with U the k-th
/// smallest of n uniforms, which is Beta(k, n - k + 1); the next order statistic follows from
/// the smallest of the remaining n - k uniforms. O(1) per resample, whatever n is.
fn resampled_quantile(sorted: &[f64], q: f64, rng: &mut ChaCha8Rng) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * q;
    let k = h.floor() as usize; // 0-based order statistic
    let t = h - k as f64;
    let pick = |u: f64| sorted[((u * n as f64).ceil() as usize).clamp(1, n) - 1];
    let u_k = Beta::new((k + 1) as f64, (n - k) as f64)
        .map(|b| b.sample(rng))
        .unwrap_or(0.5);
    let a = pick(u_k);
    if t == 0.0 || k + 1 >= n {
        return a;
    }
    let rest = (n - k - 1) as f64;
    let step = Beta::new(1.0, rest).map(|b| b.sample(rng)).unwrap_or(0.0);
    let b = pick(u_k + (1.0 - u_k) * step);
    lerp(a, b, t)
}

/// The 95% percentile interval of the change, from paired bootstrap draws; `change` gives
/// a pair's change, or `None` where it is undefined.
pub fn change_interval(
    baseline: &[f64],
    current: &[f64],
    change: impl Fn(f64, f64) -> Option<f64>,
) -> Option<[f64; 2]> {
    let mut changes: Vec<f64> = baseline
        .iter()
        .zip(current)
        .filter_map(|(b, c)| change(*b, *c))
        .filter(|v| v.is_finite())
        .collect();
    if changes.is_empty() || changes.len() < baseline.len() / 2 {
        return None;
    }
    changes.sort_unstable_by(f64::total_cmp);
    Some([
        quantile_sorted(&changes, 0.025)?,
        quantile_sorted(&changes, 0.975)?,
    ])
}

pub fn seeded(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mann_whitney_small_case() {
        // scipy.stats.mannwhitneyu([1,2,3,4,5], [3,4,5,6,7,8], method="asymptotic").pvalue
        let p =
            mann_whitney_p(&[1.0, 2.0, 3.0, 4.0, 5.0], &[3.0, 4.0, 5.0, 6.0, 7.0, 8.0]).unwrap();
        assert!((p - 0.066_015_431_521_231).abs() < 1e-12, "{p}");
        assert_eq!(mann_whitney_p(&[1.0, 2.0], &[1.0, 2.0]), Some(1.0));
    }

    #[test]
    fn resampled_quantiles_stay_in_range_and_centre_on_the_quantile() {
        let sorted: Vec<f64> = (0..1001).map(f64::from).collect();
        let mut rng = seeded(1, 0);
        let draws: Vec<f64> = (0..4000)
            .map(|_| resampled_quantile(&sorted, 0.5, &mut rng))
            .collect();
        assert!(draws.iter().all(|d| (0.0..=1000.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 500.0).abs() < 3.0, "{mean}");
        // The spread of a bootstrap median of n uniforms is about range / (2 sqrt n) = 15.8.
        let sd =
            (draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64).sqrt();
        assert!((sd - 15.8).abs() < 2.0, "{sd}");
    }

    #[test]
    fn order_statistic_bootstrap_matches_brute_force() {
        // The exact method and plain resampling draw from the same distribution.
        let sorted: Vec<f64> = (0..57).map(|i| f64::from(i * i % 23)).collect::<Vec<_>>();
        let mut sorted = sorted;
        sorted.sort_by(f64::total_cmp);
        let mut rng = seeded(3, 0);
        let fast: Vec<f64> = (0..20000)
            .map(|_| resampled_quantile(&sorted, 0.9, &mut rng))
            .collect();
        let slow: Vec<f64> = (0..20000)
            .map(|_| {
                let mut r: Vec<f64> = (0..sorted.len())
                    .map(|_| sorted[index(&mut rng, sorted.len())])
                    .collect();
                r.sort_by(f64::total_cmp);
                quantile_sorted(&r, 0.9).unwrap()
            })
            .collect();
        let m = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(
            (m(&fast) - m(&slow)).abs() < 0.1,
            "{} vs {}",
            m(&fast),
            m(&slow)
        );
    }
}
