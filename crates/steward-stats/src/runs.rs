//! Walking two ascending samples together, one distinct value at a time. Every rank- and
//! CDF-based statistic here (KS, Wasserstein, Mann-Whitney ranks, distinct counts, aligned
//! value counts) is a fold over these runs.

use crate::sample::{Sample, WeightedRuns, weighted_runs};

/// Runs of equal values across two ascending samples of plain rows: (value, count in a,
/// count in b).
pub struct Runs<'a> {
    a: &'a [f64],
    b: &'a [f64],
    i: usize,
    j: usize,
}

pub fn runs<'a>(a: &'a [f64], b: &'a [f64]) -> Runs<'a> {
    Runs { a, b, i: 0, j: 0 }
}

impl Iterator for Runs<'_> {
    type Item = (f64, usize, usize);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (a, b) = (self.a, self.b);
        let (has_x, has_y) = (self.i < a.len(), self.j < b.len());
        if !(has_x || has_y) {
            return None;
        }
        // Where the two samples interleave at random, which side holds the next value is a
        // coin toss: it is decided by selects rather than branches, which would mispredict
        // on every other value. The loops below only extend runs of repeated values, and
        // whether a value repeats is what the previous value did too.
        let x = if has_x { a[self.i] } else { f64::INFINITY };
        let y = if has_y { b[self.j] } else { f64::INFINITY };
        let v = if has_x && (!has_y || x <= y) { x } else { y };
        let mut ca = usize::from(has_x && x == v);
        let mut cb = usize::from(has_y && y == v);
        if ca + cb == 0 {
            // A value equal to nothing, itself included (NaN, which callers filter out):
            // step over it, so the walk always ends.
            return Some(if has_x {
                self.i += 1;
                (x, 1, 0)
            } else {
                self.j += 1;
                (y, 0, 1)
            });
        }
        self.i += ca;
        self.j += cb;
        while self.i < a.len() && a[self.i] == v {
            self.i += 1;
            ca += 1;
        }
        while self.j < b.len() && b[self.j] == v {
            self.j += 1;
            cb += 1;
        }
        Some((v, ca, cb))
    }
}

/// The runs of two samples: the plain walk above when both are rows (the common case, and
/// the faster one), the weighted walk otherwise. Both give the same runs for the same rows.
pub enum SampleRuns<'a> {
    Plain(Runs<'a>),
    Weighted(WeightedRuns<'a>),
}

pub fn sample_runs<'a>(a: Sample<'a>, b: Sample<'a>) -> SampleRuns<'a> {
    if a.is_weighted() || b.is_weighted() {
        SampleRuns::Weighted(weighted_runs(a, b))
    } else {
        SampleRuns::Plain(runs(a.points(), b.points()))
    }
}

impl Iterator for SampleRuns<'_> {
    type Item = (f64, u64, u64);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            SampleRuns::Plain(r) => r.next().map(|(v, ca, cb)| (v, ca as u64, cb as u64)),
            SampleRuns::Weighted(r) => r.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_two_samples() {
        let r: Vec<_> = runs(&[1.0, 1.0, 3.0], &[1.0, 2.0, 3.0, 3.0]).collect();
        assert_eq!(r, vec![(1.0, 2, 1), (2.0, 0, 1), (3.0, 1, 2)]);
        assert_eq!(runs(&[], &[]).count(), 0);
        let r: Vec<_> = runs(&[-1.0, 4.0, 4.0, 4.0], &[]).collect();
        assert_eq!(r, vec![(-1.0, 1, 0), (4.0, 3, 0)]);
        let r: Vec<_> = runs(&[], &[0.5, f64::INFINITY]).collect();
        assert_eq!(r, vec![(0.5, 0, 1), (f64::INFINITY, 0, 1)]);
        let r: Vec<_> = runs(&[f64::INFINITY], &[2.0, f64::INFINITY]).collect();
        assert_eq!(r, vec![(2.0, 0, 1), (f64::INFINITY, 1, 1)]);
    }

    #[test]
    fn runs_step_over_nan() {
        let r: Vec<_> = runs(&[1.0, f64::NAN], &[f64::NAN]).collect();
        assert_eq!(r.len(), 3);
        assert_eq!(r[0], (1.0, 1, 0));
    }

    #[test]
    fn the_plain_walk_gives_the_weighted_walk_s_runs() {
        let mut state = 7u64;
        let mut next = |levels: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) % levels) as f64 * 0.25
        };
        for levels in [3, 40, 1 << 30] {
            let mut a: Vec<f64> = (0..700).map(|_| next(levels)).collect();
            let mut b: Vec<f64> = (0..300).map(|_| next(levels)).collect();
            a.sort_by(f64::total_cmp);
            b.sort_by(f64::total_cmp);
            let (sa, sb) = (Sample::plain(&a), Sample::plain(&b));
            let plain: Vec<_> = sample_runs(sa, sb).collect();
            assert!(matches!(sample_runs(sa, sb), SampleRuns::Plain(_)));
            let weighted: Vec<_> = weighted_runs(sa, sb).collect();
            assert_eq!(plain, weighted);
        }
    }
}
