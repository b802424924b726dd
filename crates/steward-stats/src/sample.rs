//! One side of a numerical comparison: ascending values, each counted once (rows), or
//! weighted points (a profile's quantile summary or exact value counts, where one point
//! stands for `weight` rows). Every rank- and CDF-based test is a fold over the runs of
//! equal values of two samples, so each test is written once for both, and a profile of
//! 10^15 rows costs what its summary costs (at most a few thousand points), never 8 bytes
//! per row it claims.

use crate::numeric::pairwise_sum;

#[derive(Clone, Copy, Debug)]
pub struct Sample<'a> {
    values: &'a [f64],
    weights: Option<&'a [u64]>,
    total: u64,
}

impl<'a> Sample<'a> {
    /// Ascending, finite values, each one row.
    pub fn plain(values: &'a [f64]) -> Sample<'a> {
        Sample {
            values,
            weights: None,
            total: values.len() as u64,
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
        }
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

    /// Count, mean and sum of squared deviations, summed pairwise as numpy sums.
    pub fn moments(&self) -> Moments {
        let n = self.total as f64;
        match self.weights {
            None => {
                let mean = pairwise_sum(self.values) / n;
                let sq: Vec<f64> = self
                    .values
                    .iter()
                    .map(|v| (v - mean).abs().powi(2))
                    .collect();
                Moments {
                    count: n,
                    mean,
                    m2: pairwise_sum(&sq),
                }
            }
            Some(w) => {
                let wx: Vec<f64> = self
                    .values
                    .iter()
                    .zip(w)
                    .map(|(x, w)| x * *w as f64)
                    .collect();
                let mean = pairwise_sum(&wx) / n;
                let sq: Vec<f64> = self
                    .values
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

    /// `np.histogram(sample, edges)` counts: [e_i, e_{i+1}), the last bin closed.
    pub fn histogram(&self, edges: &[f64]) -> Vec<u64> {
        if edges.len() < 2 {
            return Vec::new();
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
