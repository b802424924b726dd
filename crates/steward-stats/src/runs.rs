//! Walking two ascending samples together, one distinct value at a time. Every rank- and
//! CDF-based statistic here (KS, Wasserstein, Mann-Whitney ranks, distinct counts, aligned
//! value counts) is a fold over these runs.

/// Runs of equal values across two ascending samples: (value, count in a, count in b).
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

    fn next(&mut self) -> Option<Self::Item> {
        let v = match (self.a.get(self.i), self.b.get(self.j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => return None,
        };
        let (si, sj) = (self.i, self.j);
        while self.i < self.a.len() && self.a[self.i] == v {
            self.i += 1;
        }
        while self.j < self.b.len() && self.b[self.j] == v {
            self.j += 1;
        }
        Some((v, self.i - si, self.j - sj))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_of_two_samples() {
        let r: Vec<_> = super::runs(&[1.0, 1.0, 3.0], &[1.0, 2.0, 3.0, 3.0]).collect();
        assert_eq!(r, vec![(1.0, 2, 1), (2.0, 0, 1), (3.0, 1, 2)]);
        assert_eq!(super::runs(&[], &[]).count(), 0);
    }
}
