//! Numeric helpers shared by the tests, the profiles and steward-metric: sums that round the
//! way numpy's do, so that a mean or a statistic agrees with the oracle to the last bits.

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
