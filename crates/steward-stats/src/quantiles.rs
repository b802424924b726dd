//! A deterministic, mergeable quantile summary: at most [`POINTS`] weighted values whose
//! cumulative weights track the data's ranks. Built from sorted values in linear time after
//! a radix sort (the datasketches KLL update measured 40 ns a value, too slow for profiling
//! at 50 million values a second), and reproducible: the same data gives the same summary.
//!
//! Guarantee: for every x, |summary rank(x) - true rank(x)| <= `rank_error` (a fraction of
//! the count). Building compacts blocks of consecutive values into one point each (error at
//! most the largest block over the count); merging adds the parts' errors weighted by their
//! counts, plus the error of compacting again.

use serde::{Deserialize, Serialize};

use crate::sort::sort_f64;

/// Points kept: a rank error of about 0.1% for one summary.
pub const POINTS: usize = 1024;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantileSummary {
    /// Ascending values.
    pub values: Vec<f64>,
    /// Each value's weight (how many data values it stands for); they sum to the count.
    pub weights: Vec<u64>,
    /// The bound on the normalized rank error.
    pub rank_error: f64,
}

impl QuantileSummary {
    /// The rows summarized (saturating: a summary read from a file is validated to add up
    /// without overflow, and this never panics on one that was not).
    pub fn count(&self) -> u64 {
        self.weights.iter().fold(0u64, |a, w| a.saturating_add(*w))
    }

    /// A summary of ascending weighted points, compacted to at most [`POINTS`].
    pub fn from_weighted(values: &[f64], weights: &[u64], rank_error: f64) -> QuantileSummary {
        let n = values.len().min(weights.len());
        compact(values[..n].to_vec(), weights[..n].to_vec(), rank_error)
    }

    /// The summary of `values` (any order; NaN must already be removed).
    pub fn from_values(values: &[f64]) -> QuantileSummary {
        let n = values.len() as u64;
        if values.len() <= POINTS {
            let mut sorted = values.to_vec();
            sort_f64(&mut sorted);
            let weights = vec![1u64; sorted.len()];
            return QuantileSummary {
                values: sorted,
                weights,
                rank_error: 0.0,
            };
        }
        // Block b covers ranks [start_b, end_b); its point is the value at the middle rank.
        // Only those 1,024 order statistics are needed, so they are selected, not sorted for.
        let mut bounds = Vec::with_capacity(POINTS);
        let mut middles = Vec::with_capacity(POINTS);
        let mut start = 0u64;
        for b in 0..POINTS as u64 {
            let end = ((b + 1) as u128 * n as u128 / POINTS as u128) as u64;
            if end > start {
                bounds.push(end - start);
                middles.push(start + (end - start) / 2);
            }
            start = end;
        }
        let picked = select_ranks(values, &middles);
        let largest = bounds.iter().copied().max().unwrap_or(0);
        QuantileSummary {
            values: picked,
            weights: bounds,
            rank_error: largest as f64 / n as f64,
        }
    }

    /// The same summary, by sorting every value (the reference the selection is tested against).
    pub fn from_values_sorted(values: &[f64]) -> QuantileSummary {
        let mut sorted = values.to_vec();
        sort_f64(&mut sorted);
        let weights = vec![1u64; sorted.len()];
        compact(sorted, weights, 0.0)
    }

    /// The summary of the union of two summarized datasets.
    pub fn merge(&self, other: &QuantileSummary) -> QuantileSummary {
        let (na, nb) = (self.count() as f64, other.count() as f64);
        let total = na + nb;
        let carried = if total > 0.0 {
            (na * self.rank_error + nb * other.rank_error) / total
        } else {
            0.0
        };
        let mut values = Vec::with_capacity(self.values.len() + other.values.len());
        let mut weights = Vec::with_capacity(values.capacity());
        let (mut i, mut j) = (0, 0);
        while i < self.values.len() || j < other.values.len() {
            let take_a = j >= other.values.len()
                || (i < self.values.len() && self.values[i] <= other.values[j]);
            if take_a {
                values.push(self.values[i]);
                weights.push(self.weights[i]);
                i += 1;
            } else {
                values.push(other.values[j]);
                weights.push(other.weights[j]);
                j += 1;
            }
        }
        compact(values, weights, carried)
    }

    /// Fraction of the weight at values <= x.
    pub fn rank(&self, x: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return 0.0;
        }
        let upto = self
            .values
            .partition_point(|v| *v <= x)
            .min(self.weights.len());
        self.weights[..upto]
            .iter()
            .fold(0u64, |a, w| a.saturating_add(*w)) as f64
            / n as f64
    }
}

/// The values at the given ascending 0-based ranks of `values`: bucket the values linearly
/// between their min and max (a monotone map, so ranks are kept), keep only the buckets that
/// hold a wanted rank, and recurse into those; small sets are sorted.
fn select_ranks(values: &[f64], ranks: &[u64]) -> Vec<f64> {
    const BUCKETS: usize = 1 << 16;
    if ranks.is_empty() {
        return Vec::new();
    }
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    if values.len() <= 4 * BUCKETS || min == max {
        let mut sorted = values.to_vec();
        sort_f64(&mut sorted);
        return ranks.iter().map(|r| sorted[*r as usize]).collect();
    }
    let scale = BUCKETS as f64 / (max - min);
    let bucket = |v: f64| (((v - min) * scale) as usize).min(BUCKETS - 1);
    let mut counts = vec![0u64; BUCKETS];
    for v in values {
        counts[bucket(*v)] += 1;
    }
    // Which bucket holds each wanted rank, and the rank within it.
    let mut slot_of = vec![usize::MAX; BUCKETS];
    let mut wanted: Vec<(usize, Vec<u64>)> = Vec::new();
    let (mut b, mut below) = (0usize, 0u64);
    for r in ranks {
        while below + counts[b] <= *r {
            below += counts[b];
            b += 1;
        }
        if slot_of[b] == usize::MAX {
            slot_of[b] = wanted.len();
            wanted.push((b, Vec::new()));
        }
        wanted[slot_of[b]].1.push(r - below);
    }
    let mut members: Vec<Vec<f64>> = wanted
        .iter()
        .map(|(b, _)| Vec::with_capacity(counts[*b] as usize))
        .collect();
    for v in values {
        let s = slot_of[bucket(*v)];
        if s != usize::MAX {
            members[s].push(*v);
        }
    }
    let mut out = Vec::with_capacity(ranks.len());
    for ((_, local), vals) in wanted.iter().zip(&members) {
        if vals.len() == values.len() {
            // Every value in one bucket (a huge outlier stretched the range): sort them.
            let mut sorted = vals.clone();
            sort_f64(&mut sorted);
            out.extend(local.iter().map(|r| sorted[*r as usize]));
        } else {
            out.extend(select_ranks(vals, local));
        }
    }
    out
}

/// Compacts sorted weighted points to at most POINTS points of (nearly) equal weight, each
/// placed at the median of the weight it replaces.
fn compact(values: Vec<f64>, weights: Vec<u64>, carried: f64) -> QuantileSummary {
    let total: u64 = weights.iter().fold(0u64, |a, w| a.saturating_add(*w));
    if values.len() <= POINTS {
        return QuantileSummary {
            values,
            weights,
            rank_error: carried,
        };
    }
    let mut out_v = Vec::with_capacity(POINTS);
    let mut out_w = Vec::with_capacity(POINTS);
    let mut idx = 0usize; // first point not wholly inside finished blocks
    let mut before_idx = 0u64; // total weight of the points before `idx`
    let mut start = 0u64; // first weight unit of the current block
    let mut largest = 0u64;
    for b in 0..POINTS as u64 {
        let end = ((b + 1) as u128 * total as u128 / POINTS as u128) as u64;
        if end <= start {
            continue;
        }
        // The point holding the block's middle weight unit (units are 0-based).
        let middle = start + (end - start) / 2;
        let (mut acc, mut k) = (before_idx, idx);
        while k < values.len() && acc.saturating_add(weights[k]) <= middle {
            acc += weights[k];
            k += 1;
        }
        out_v.push(values[k.min(values.len() - 1)]);
        out_w.push(end - start);
        largest = largest.max(end - start);
        // Points wholly before `end` are done; one straddling it continues in the next block.
        while idx < values.len() && before_idx.saturating_add(weights[idx]) <= end {
            before_idx += weights[idx];
            idx += 1;
        }
        start = end;
    }
    let added = largest as f64 / total as f64;
    QuantileSummary {
        values: out_v,
        weights: out_w,
        rank_error: carried + added,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10.0
            })
            .collect()
    }

    fn true_rank(sorted: &[f64], x: f64) -> f64 {
        sorted.partition_point(|v| *v <= x) as f64 / sorted.len() as f64
    }

    #[test]
    fn small_inputs_are_exact() {
        let s = QuantileSummary::from_values(&[3.0, 1.0, 2.0, 2.0]);
        assert_eq!(s.values, vec![1.0, 2.0, 2.0, 3.0]);
        assert_eq!(s.rank_error, 0.0);
        assert_eq!(s.rank(2.0), 0.75);
    }

    #[test]
    fn rank_error_bound_holds_after_building_and_merging() {
        let a = data(200_000, 1);
        let b = data(50_000, 2);
        let (sa, sb) = (
            QuantileSummary::from_values(&a),
            QuantileSummary::from_values(&b),
        );
        let merged = sa.merge(&sb);
        let mut all = [a.clone(), b].concat();
        all.sort_by(f64::total_cmp);
        let mut sorted_a = a;
        sorted_a.sort_by(f64::total_cmp);
        assert_eq!(merged.count(), 250_000);
        assert!(merged.values.len() <= POINTS);
        for i in 0..=200 {
            let x = -5.0 + i as f64 * 0.05;
            assert!((sa.rank(x) - true_rank(&sorted_a, x)).abs() <= sa.rank_error + 1e-12);
            assert!(
                (merged.rank(x) - true_rank(&all, x)).abs() <= merged.rank_error + 1e-12,
                "x {x}"
            );
        }
        // One block: at most ceil(n / POINTS) values.
        assert!(sa.rank_error <= (200_000.0 / POINTS as f64).ceil() / 200_000.0 + 1e-12);
        assert!(merged.rank_error < 3.0 / POINTS as f64);
    }

    #[test]
    fn selection_gives_the_summary_sorting_gives() {
        let heavy: Vec<f64> = data(300_000, 3)
            .iter()
            .map(|u| 1.0 / (u / 10.0 + 0.5001))
            .collect();
        let ties: Vec<f64> = data(300_000, 4).iter().map(|u| u.round()).collect();
        let mut outlier = data(100_000, 5);
        outlier.push(1e300);
        for v in [data(300_000, 2), heavy, ties, outlier, vec![7.0; 5000]] {
            assert_eq!(
                QuantileSummary::from_values(&v),
                QuantileSummary::from_values_sorted(&v)
            );
        }
    }

    #[test]
    fn the_same_data_gives_the_same_summary() {
        let a = data(100_000, 7);
        assert_eq!(
            QuantileSummary::from_values(&a),
            QuantileSummary::from_values(&a)
        );
    }
}
