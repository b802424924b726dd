//! Numeric helpers shared by the tests, the profiles and steward-metric: sums that round the
//! way numpy's do, so that a mean or a statistic agrees with the oracle to the last bits, and
//! numpy's linear quantile.

/// numpy sums blocks of at most this many values with eight accumulators.
const BLOCK: usize = 128;

/// Where numpy's pairwise summation splits `len` values: near the middle, on a multiple of 8.
#[inline]
fn split(len: usize) -> usize {
    let half = (len / 2) / 8 * 8;
    if half == 0 { len / 2 } else { half }
}

/// Pairwise summation (numpy's algorithm shape), so long sums round like numpy's.
pub fn pairwise_sum(v: &[f64]) -> f64 {
    pairwise_sum_of(v, |x| x)
}

/// [`pairwise_sum`] of `f` of each value, the same additions in the same order as summing
/// a slice of `f(x)`, without making that slice (a squared deviation per value of a column
/// of millions took a fresh allocation as large as the column).
pub fn pairwise_sum_of(v: &[f64], f: impl Fn(f64) -> f64 + Copy) -> f64 {
    if v.len() <= BLOCK {
        let mut lanes = [0.0f64; 8];
        let mut chunks = v.chunks_exact(8);
        for c in &mut chunks {
            for (l, x) in lanes.iter_mut().zip(c) {
                *l += f(*x);
            }
        }
        let mut s = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
            + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
        for x in chunks.remainder() {
            s += f(*x);
        }
        return s;
    }
    let half = split(v.len());
    pairwise_sum_of(&v[..half], f) + pairwise_sum_of(&v[half..], f)
}

/// [`pairwise_sum`] of the first `len` values `terms` yields, without holding them: the
/// same additions in the same order, so the same bits, in 1 KiB of memory instead of 8 bytes
/// a term. A term `terms` does not have counts as 0.
pub fn pairwise_sum_streamed(len: usize, terms: &mut impl Iterator<Item = f64>) -> f64 {
    if len <= BLOCK {
        let mut block = [0.0f64; BLOCK];
        for (slot, t) in block[..len].iter_mut().zip(terms) {
            *slot = t;
        }
        return pairwise_sum(&block[..len]);
    }
    let half = split(len);
    let left = pairwise_sum_streamed(half, terms);
    left + pairwise_sum_streamed(len - half, terms)
}

/// numpy's default ("linear") quantile of ascending-sorted values; `None` when there are none.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    let t = h - lo as f64;
    if lo + 1 >= n || t == 0.0 {
        return Some(sorted[lo]);
    }
    Some(lerp(sorted[lo], sorted[lo + 1], t))
}

/// numpy's interpolation between two neighbouring order statistics: exact at both ends and
/// symmetric around t = 0.5.
pub fn lerp(a: f64, b: f64, t: f64) -> f64 {
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// The greatest common divisor (the exact KS and Cramer-von Mises distributions walk a
/// lattice of n1 n2 / gcd steps).
pub(crate) fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_sum_is_the_sum_of_the_slice_to_the_bit() {
        let mut state = 3u64;
        let v: Vec<f64> = (0..100_003)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (state >> 11) as f64 / (1u64 << 40) as f64 - 1000.0
            })
            .collect();
        for len in [0, 1, 7, 128, 129, 1000, 4099, 65_536, 100_003] {
            let streamed = pairwise_sum_streamed(len, &mut v.iter().copied());
            assert_eq!(
                streamed.to_bits(),
                pairwise_sum(&v[..len]).to_bits(),
                "{len}"
            );
        }
        // Missing terms count as 0.
        assert_eq!(pairwise_sum_streamed(300, &mut [1.5, 2.0].into_iter()), 3.5);
    }

    #[test]
    fn the_mapped_sum_is_the_sum_of_the_mapped_slice_to_the_bit() {
        let v: Vec<f64> = (0..10_007).map(|i| (i as f64 * 0.37).sin() * 1e3).collect();
        let square = |x: f64| (x - 1.25) * (x - 1.25);
        let mapped: Vec<f64> = v.iter().map(|x| square(*x)).collect();
        for len in [0, 5, 128, 129, 4099, 10_007] {
            assert_eq!(
                pairwise_sum_of(&v[..len], square).to_bits(),
                pairwise_sum(&mapped[..len]).to_bits()
            );
        }
    }

    #[test]
    fn quantiles_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), Some(2.5));
        // numpy.quantile([1, 2, 3, 4], 0.9)
        assert_eq!(quantile_sorted(&v, 0.9), Some(3.7));
        assert_eq!(quantile_sorted(&v, 1.0), Some(4.0));
        assert_eq!(quantile_sorted(&v, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }
}
