//! One side of a numerical comparison: ascending values, each counted once (rows), or
//! weighted points (a profile's quantile summary or exact value counts, where one point
//! stands for `weight` rows). Every rank- and CDF-based test is a fold over the runs of
//! equal values of two samples, so each test is written once for both, and a profile of
//! 10^15 rows costs what its summary costs (at most a few thousand points), never 8 bytes
//! per row it claims.

use crate::numeric::{pairwise_sum, pairwise_sum_of};

#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    values: &'a [f64],
    weights: Option<&'a [u64]>,
    total: u64,
    spread: bool,
    /// The rows' exact extremes, when known (a profile keeps them).
    range: Option<(f64, f64)>,
}

impl<'a> Sample<'a> {
    /// Ascending, finite values, each one row.
    pub fn plain(values: &'a [f64]) -> Sample<'a> {
        Sample {
            values,
            weights: None,
            total: values.len() as u64,
            spread: false,
            range: None,
        }
    }

    /// Ascending, finite points with their weights (equal lengths; the caller has checked
    /// that the weights add up without overflow, as profile validation does).
    pub fn weighted(values: &'a [f64], weights: &'a [u64]) -> Sample<'a> {
        let n = values.len().min(weights.len());
        let total = weights[..n]
            .iter()
            .fold(0u64, |acc, w| acc.saturating_add(*w));
        Sample {
            values: &values[..n],
            weights: Some(&weights[..n]),
            total,
            spread: false,
            range: None,
        }
    }

    /// The same sample with the rows' exact minimum and maximum (a summary's points are
    /// block middles, inside them).
    pub fn with_range(self, min: f64, max: f64) -> Sample<'a> {
        let ok = min.is_finite() && max.is_finite() && min <= max;
        Sample {
            range: ok.then_some((min, max)),
            ..self
        }
    }

    /// The same points, marked as a summary: a point stands for `weight` rows of different
    /// values near it (a quantile summary's block), not `weight` equal rows. Rank tests then
    /// do not count a point's rows as ties with each other.
    pub fn spread(self, spread: bool) -> Sample<'a> {
        Sample {
            spread: spread && self.weights.is_some(),
            ..self
        }
    }

    /// Whether a point's rows stand for distinct values (see [`Sample::spread`]).
    pub fn is_spread(&self) -> bool {
        self.spread
    }

    /// How many rows the sample stands for.
    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The points (the values themselves for a plain sample).
    pub fn points(&self) -> &'a [f64] {
        self.values
    }

    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    fn weight(&self, i: usize) -> u64 {
        self.weights.map_or(1, |w| w[i])
    }

    pub fn min(&self) -> f64 {
        self.values.first().copied().unwrap_or(f64::NAN)
    }

    pub fn max(&self) -> f64 {
        self.values.last().copied().unwrap_or(f64::NAN)
    }

    /// Distinct values among the points.
    pub fn distinct_points(&self) -> usize {
        if self.values.is_empty() {
            return 0;
        }
        1 + self.values.windows(2).filter(|w| w[0] != w[1]).count()
    }

    /// Count, mean and sum of squared deviations, summed pairwise as numpy sums. Where
    /// the sums overflow (values near the limits of f64, ±1.7e308), the mean is computed on
    /// the values scaled into [-1, 1] (it lies within [min, max], so it is finite); m2 may
    /// still be infinite, see [`Sample::std`].
    pub fn moments(&self) -> Moments {
        let m = self.moments_scaled(1.0);
        if m.mean.is_finite() && m.m2.is_finite() {
            return m;
        }
        let scale = self.scale();
        if scale.is_finite() && scale > 0.0 {
            let s = self.moments_scaled(scale);
            return Moments {
                count: s.count,
                mean: s.mean * scale,
                m2: s.m2 * scale * scale,
            };
        }
        m
    }

    /// `np.std(x)`, computed on scaled values where numpy's sums overflow, so a sample of
    /// values near ±1.7e308 has its finite standard deviation (numpy gives NaN there).
    pub fn std(&self) -> f64 {
        let s = self.moments().std();
        if s.is_finite() {
            return s;
        }
        let scale = self.scale();
        if scale.is_finite() && scale > 0.0 {
            return self.moments_scaled(scale).std() * scale;
        }
        s
    }

    /// The largest magnitude among the points.
    fn scale(&self) -> f64 {
        self.min().abs().max(self.max().abs())
    }

    /// [`Sample::moments`] of the values divided by `scale`.
    pub fn moments_scaled(&self, scale: f64) -> Moments {
        let n = self.total as f64;
        let scaled: Vec<f64>;
        let values = if scale == 1.0 {
            self.values
        } else {
            scaled = self.values.iter().map(|v| v / scale).collect();
            &scaled
        };
        match self.weights {
            None => {
                let mean = pairwise_sum(values) / n;
                Moments {
                    count: n,
                    mean,
                    m2: pairwise_sum_of(values, |v| (v - mean).abs().powi(2)),
                }
            }
            Some(w) => {
                let wx: Vec<f64> = values.iter().zip(w).map(|(x, w)| x * *w as f64).collect();
                let mean = pairwise_sum(&wx) / n;
                let sq: Vec<f64> = values
                    .iter()
                    .zip(w)
                    .map(|(x, w)| (x - mean).powi(2) * *w as f64)
                    .collect();
                Moments {
                    count: n,
                    mean,
                    m2: pairwise_sum(&sq),
                }
            }
        }
    }

    /// Rows at values < x (`inclusive`: <= x).
    fn rows_below(&self, x: f64, inclusive: bool, prefix: &[u64]) -> u64 {
        let idx = if inclusive {
            self.values.partition_point(|v| *v <= x)
        } else {
            self.values.partition_point(|v| *v < x)
        };
        match self.weights {
            None => idx as u64,
            Some(_) => prefix[idx],
        }
    }

    /// Rows below `x` (`inclusive`: at or below) of a summary, read from its CDF drawn
    /// through the points: a point of weight w is the middle of a block of w rows of
    /// different values, so half of them lie between it and the point before (or the
    /// minimum), half between it and the next (or the maximum). Placing each block's rows
    /// at its middle would put a whole block in one bin, and bins that hold a few blocks'
    /// worth (the tails that decide PSI and Jensen-Shannon) would be off by a whole block.
    /// Like the step CDF, the line is within one block of the truth everywhere.
    fn spread_rows_below(&self, x: f64, inclusive: bool, prefix: &[f64]) -> f64 {
        let w = self.weights.unwrap_or(&[]);
        let v = self.values;
        if v.is_empty() {
            return 0.0;
        }
        let (lo, hi) = self.range.unwrap_or((v[0], v[v.len() - 1]));
        let total = self.total as f64;
        // Knot k (0 ..= len + 1): the minimum, each point, the maximum.
        let knot = |k: usize| -> (f64, f64) {
            if k == 0 {
                (lo.min(v[0]), 0.0)
            } else if k > v.len() {
                (hi.max(v[v.len() - 1]), total)
            } else {
                (v[k - 1], prefix[k - 1] + w[k - 1] as f64 / 2.0)
            }
        };
        let knots = v.len() + 2;
        // The first knot above x (inclusive) or at/above x (exclusive).
        let (mut a, mut b) = (0usize, knots);
        while a < b {
            let mid = (a + b) / 2;
            let kx = knot(mid).0;
            if (inclusive && kx <= x) || (!inclusive && kx < x) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        if a == 0 {
            return 0.0;
        }
        if a == knots {
            return total;
        }
        let (x0, y0) = knot(a - 1);
        let (x1, y1) = knot(a);
        if !inclusive && x1 == x {
            return y1;
        }
        // Halved, so a span past f64 (-1e308 to 1e308) keeps a width.
        let span = x1 / 2.0 - x0 / 2.0;
        if span <= 0.0 {
            return y1;
        }
        let f = ((x / 2.0 - x0 / 2.0) / span).clamp(0.0, 1.0);
        y0 + (y1 - y0) * f
    }

    /// `np.histogram(sample, edges)` counts: [e_i, e_{i+1}), the last bin closed.
    pub fn histogram(&self, edges: &[f64]) -> Vec<u64> {
        if edges.len() < 2 {
            return Vec::new();
        }
        if self.spread {
            // Rows before each point, as floats (the line is read, not counted exactly).
            let prefix: Vec<f64> = std::iter::once(0.0)
                .chain(self.weights.unwrap_or(&[]).iter().scan(0.0, |acc, w| {
                    *acc += *w as f64;
                    Some(*acc)
                }))
                .collect();
            let mut cum: Vec<u64> = edges[..edges.len() - 1]
                .iter()
                .map(|e| self.spread_rows_below(*e, false, &prefix).round() as u64)
                .collect();
            cum.push(
                self.spread_rows_below(edges[edges.len() - 1], true, &prefix)
                    .round() as u64,
            );
            return cum.windows(2).map(|p| p[1].saturating_sub(p[0])).collect();
        }
        let prefix: Vec<u64> = match self.weights {
            None => Vec::new(),
            Some(w) => std::iter::once(0)
                .chain(w.iter().scan(0u64, |acc, x| {
                    *acc = acc.saturating_add(*x);
                    Some(*acc)
                }))
                .collect(),
        };
        let mut cum: Vec<u64> = edges[..edges.len() - 1]
            .iter()
            .map(|e| self.rows_below(*e, false, &prefix))
            .collect();
        cum.push(self.rows_below(edges[edges.len() - 1], true, &prefix));
        // Edges are ascending, so the cumulative counts are too; saturating keeps a
        // malformed edge list (NaN) from underflowing.
        cum.windows(2).map(|w| w[1].saturating_sub(w[0])).collect()
    }
}

/// A sample's count, mean and sum of squared deviations from the mean (population
/// variance = m2 / count).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Moments {
    pub count: f64,
    pub mean: f64,
    pub m2: f64,
}

impl Moments {
    /// `np.std(x)`.
    pub fn std(&self) -> f64 {
        (self.m2 / self.count).sqrt()
    }
}

/// Runs of equal values across two samples: (value, rows in a, rows in b).
pub struct WeightedRuns<'a> {
    a: Sample<'a>,
    b: Sample<'a>,
    i: usize,
    j: usize,
}

pub fn weighted_runs<'a>(a: Sample<'a>, b: Sample<'a>) -> WeightedRuns<'a> {
    WeightedRuns { a, b, i: 0, j: 0 }
}

/// Moves `pos` past the points equal to `v`; returns the rows they stand for. A tight loop
/// per kind of sample, on a local index: this is the hot path of every numerical test.
#[inline(always)]
fn advance(values: &[f64], weights: Option<&[u64]>, pos: &mut usize, v: f64) -> u64 {
    let start = *pos;
    let mut p = start;
    let rows = match weights {
        None => {
            while p < values.len() && values[p] == v {
                p += 1;
            }
            (p - start) as u64
        }
        Some(w) => {
            let mut rows = 0u64;
            while p < values.len() && values[p] == v {
                rows = rows.saturating_add(w[p]);
                p += 1;
            }
            rows
        }
    };
    *pos = p;
    rows
}

impl Iterator for WeightedRuns<'_> {
    type Item = (f64, u64, u64);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (av, bv) = (self.a.values, self.b.values);
        let v = match (av.get(self.i), bv.get(self.j)) {
            // Branch-free minimum (values interleave at random: a branch would mispredict).
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => return None,
        };
        let (si, sj) = (self.i, self.j);
        let ca = advance(av, self.a.weights, &mut self.i, v);
        let cb = advance(bv, self.b.weights, &mut self.j, v);
        if self.i == si && self.j == sj {
            // A value equal to nothing, itself included (NaN, which callers filter out):
            // step over it, so the walk always ends.
            return Some(if si < av.len() {
                self.i += 1;
                (v, self.a.weight(si), 0)
            } else {
                self.j += 1;
                (v, 0, self.b.weight(sj))
            });
        }
        Some((v, ca, cb))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_runs_add_weights_of_equal_values() {
        let a = [1.0, 2.0, 2.0];
        let wa = [3, 1, 2];
        let b = [2.0, 5.0];
        let r: Vec<_> = weighted_runs(Sample::weighted(&a, &wa), Sample::plain(&b)).collect();
        assert_eq!(r, vec![(1.0, 3, 0), (2.0, 3, 1), (5.0, 0, 1)]);
    }

    #[test]
    fn runs_end_on_nan() {
        let a = [f64::NAN, 1.0];
        let b = [f64::NAN];
        assert!(weighted_runs(Sample::plain(&a), Sample::plain(&b)).count() <= 3);
    }

    #[test]
    fn weighted_histogram_counts_rows() {
        let v = [0.0, 0.5, 1.0];
        let w = [1_000_000_000_000_000, 2, 7];
        let s = Sample::weighted(&v, &w);
        assert_eq!(
            s.histogram(&[0.0, 0.5, 1.0]),
            vec![1_000_000_000_000_000, 9]
        );
        assert_eq!(s.count(), 1_000_000_000_000_009);
    }
}
