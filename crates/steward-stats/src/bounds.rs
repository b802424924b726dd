//! Error bounds of scores computed from summaries. A quantile summary's CDF is within its
//! rank error of the data's at every point (quantiles.rs proves it), and a frequent-items
//! sketch knows each count within its maximum error; these functions carry those bounds
//! through a test's formula to an interval the full-data score is guaranteed to lie in.
//!
//! Every bound here is a worst case over what the summaries allow, not an estimate: the
//! intervals are wide where the formula is steep, never narrower than the truth needs.

use crate::ks::ks_2samp;
use crate::sample::Sample;

/// A share known within [low, high] (a bin's or a category's fraction of its side).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareRange {
    pub low: f64,
    pub high: f64,
}

impl ShareRange {
    /// `share` within `half_width` either way, kept inside [0, 1].
    pub fn around(share: f64, half_width: f64) -> ShareRange {
        ShareRange {
            low: (share - half_width).clamp(0.0, 1.0),
            high: (share + half_width).clamp(0.0, 1.0),
        }
    }

    pub fn exact(share: f64) -> ShareRange {
        ShareRange::around(share, 0.0)
    }
}

/// The KS p-value as `ks_2samp` gives it for a statistic `d` between samples of `n1` and
/// `n2` rows. Two weighted samples whose CDFs differ by exactly k / n at one point have that
/// statistic, so the test itself (exact or asymptotic, as it would choose for these counts)
/// is asked, never a second implementation of it. `round_up` picks the lattice value at or
/// above `d` (the p-value is non-increasing in the statistic: a smaller p), else at or below.
fn ks_p_at(d: f64, n1: u64, n2: u64, round_up: bool) -> f64 {
    // The statistic's distribution is symmetric in the two sizes: the larger one gives the
    // finer lattice.
    let (small, large) = (n1.min(n2), n1.max(n2));
    if small == 0 {
        return 1.0;
    }
    let scaled = d.clamp(0.0, 1.0) * large as f64;
    let k = if round_up {
        scaled.ceil()
    } else {
        scaled.floor()
    };
    let k = (k as u64).min(large);
    let one = [0.0];
    let one_weight = [small];
    let (values, weights): (Vec<f64>, Vec<u64>) = [(0.0, large - k), (1.0, k)]
        .into_iter()
        .filter(|(_, w)| *w > 0)
        .unzip();
    ks_2samp(
        Sample::weighted(&one, &one_weight),
        Sample::weighted(&values, &weights),
    )
    .p_value
}

/// Bounds on the KS p-value when the statistic is known within `d ± rank_error`.
pub fn ks_p_value(d: f64, rank_error: f64, n1: u64, n2: u64) -> [f64; 2] {
    let low = ks_p_at(d + rank_error, n1, n2, true);
    let high = ks_p_at(d - rank_error, n1, n2, false);
    [low.min(high), low.max(high)]
}

/// A term of an f-divergence, `t(p, q)`, convex in (p, q) and zero on p = q (Jensen-Shannon's
/// and PSI's per-bin terms): its largest value over a box is at a corner, its smallest is 0
/// when the box meets the diagonal and otherwise at the corner nearest to it.
fn f_term_range(p: ShareRange, q: ShareRange, t: impl Fn(f64, f64) -> f64) -> (f64, f64) {
    let corners = [
        t(p.low, q.low),
        t(p.low, q.high),
        t(p.high, q.low),
        t(p.high, q.high),
    ];
    let high = corners.iter().copied().fold(0.0f64, f64::max);
    let low = if p.high >= q.low && q.high >= p.low {
        0.0
    } else if p.low > q.high {
        t(p.low, q.high)
    } else {
        t(p.high, q.low)
    };
    (low.max(0.0), high)
}

/// `x ln(x / y)` with 0 ln 0 = 0.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else if y <= 0.0 {
        f64::INFINITY
    } else {
        x * (x / y).ln()
    }
}

/// Bounds on the Jensen-Shannon distance (natural log, as `jensenshannon` computes it) of
/// two share vectors known within boxes. The shares of each side add up to 1 in the data
/// (they are counts over the side's rows), so no renormalization widens them.
pub fn jensenshannon(r: &[ShareRange], c: &[ShareRange]) -> [f64; 2] {
    let term = |p: f64, q: f64| {
        let m = (p + q) / 2.0;
        rel_entr(p, m) + rel_entr(q, m)
    };
    let (mut low, mut high) = (0.0, 0.0);
    for (p, q) in r.iter().zip(c) {
        let (l, h) = f_term_range(*p, *q, term);
        low += l;
        high += h;
    }
    // The divergence never exceeds ln 2.
    let cap = std::f64::consts::LN_2;
    [(low / 2.0).min(cap).sqrt(), (high / 2.0).min(cap).sqrt()]
}

/// The zero fill Evidently applies before PSI and KL: a share that is 0 becomes 0.0001, or a
/// millionth of the smallest share when that is below 0.0001. The smallest non-zero share
/// of a side of `rows` rows is at least 1 / rows, so a fill is at least this.
fn smallest_fill(rows: u64) -> f64 {
    0.0001f64.min(1.0 / (rows.max(1) as f64) / 1e6)
}

/// A share's range after the zero fill: a share that may be 0 may become any fill.
fn filled(s: ShareRange, rows: u64) -> ShareRange {
    if s.low > 0.0 {
        s
    } else {
        ShareRange {
            low: smallest_fill(rows),
            high: s.high.max(0.0001),
        }
    }
}

/// Bounds on Evidently's PSI over share vectors known within boxes, zero fill included.
pub fn psi(r: &[ShareRange], c: &[ShareRange], rows: (u64, u64)) -> [f64; 2] {
    let term = |p: f64, q: f64| (p - q) * (p / q).ln();
    let (mut low, mut high) = (0.0, 0.0);
    for (p, q) in r.iter().zip(c) {
        let (l, h) = f_term_range(filled(*p, rows.0), filled(*q, rows.1), term);
        low += l;
        high += h;
    }
    [low, high]
}

/// Bounds on `scipy.stats.entropy(r, c)` (Evidently's `kl_div`) over share vectors known
/// within boxes: the zero fill, then each side normalized by its sum, which the fill can
/// raise by at most 0.0001 per share that may be 0.
pub fn kl_div(r: &[ShareRange], c: &[ShareRange], rows: (u64, u64)) -> [f64; 2] {
    let normalized = |side: &[ShareRange], n: u64| -> Vec<ShareRange> {
        let fills = side.iter().filter(|s| s.low <= 0.0).count() as f64;
        let most = 1.0 + fills * 0.0001;
        side.iter()
            .map(|s| {
                let f = filled(*s, n);
                ShareRange {
                    low: f.low / most,
                    high: f.high.min(1.0),
                }
            })
            .collect()
    };
    let (rn, cn) = (normalized(r, rows.0), normalized(c, rows.1));
    let (mut low, mut high) = (0.0, 0.0);
    for (p, q) in rn.iter().zip(&cn) {
        // p ln(p/q) falls as q grows; at the largest q it is smallest at p = q / e.
        let p_best = (q.high / std::f64::consts::E).clamp(p.low, p.high);
        low += rel_entr(p_best, q.high);
        high += [
            rel_entr(p.low, q.low),
            rel_entr(p.high, q.low),
            rel_entr(p.low, q.high),
            rel_entr(p.high, q.high),
        ]
        .into_iter()
        .fold(f64::NEG_INFINITY, f64::max);
    }
    [low.max(0.0), high]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ks_bounds_contain_the_p_value_and_widen_with_the_error() {
        let exact = ks_p_value(0.05, 0.0, 5000, 2000);
        let wide = ks_p_value(0.05, 0.01, 5000, 2000);
        assert!(
            wide[0] < exact[0] && exact[1] < wide[1],
            "{exact:?} {wide:?}"
        );
        let big = ks_p_value(0.001, 0.0005, 1 << 40, 1 << 20);
        assert!(big[0] <= big[1] && big[1] <= 1.0);
    }

    #[test]
    fn jensenshannon_bounds_hold_for_shares_inside_the_boxes() {
        let p = [0.5, 0.3, 0.2];
        let q = [0.4, 0.4, 0.2];
        let exact = crate::stattests::jensenshannon(&p, &q);
        let boxes = |v: &[f64]| {
            v.iter()
                .map(|s| ShareRange::around(*s, 0.02))
                .collect::<Vec<_>>()
        };
        let [lo, hi] = jensenshannon(&boxes(&p), &boxes(&q));
        assert!(lo <= exact && exact <= hi, "{lo} {exact} {hi}");
        let moved = crate::stattests::jensenshannon(&[0.52, 0.28, 0.2], &[0.38, 0.42, 0.2]);
        assert!(moved <= hi);
        let [elo, ehi] = jensenshannon(&boxes_exact(&p), &boxes_exact(&q));
        assert!((elo - exact).abs() < 1e-12 && (ehi - exact).abs() < 1e-12);
    }

    fn boxes_exact(v: &[f64]) -> Vec<ShareRange> {
        v.iter().map(|s| ShareRange::exact(*s)).collect()
    }

    #[test]
    fn divergence_bounds_contain_the_divergences() {
        let p = vec![0.6, 0.4, 0.0];
        let q = vec![0.3, 0.5, 0.2];
        let boxes = |v: &[f64]| {
            v.iter()
                .map(|s| ShareRange::around(*s, 0.01))
                .collect::<Vec<_>>()
        };
        for kl in [false, true] {
            let exact = crate::stattests::divergence(p.clone(), q.clone(), kl);
            let [lo, hi] = if kl {
                kl_div(&boxes(&p), &boxes(&q), (1000, 1000))
            } else {
                psi(&boxes(&p), &boxes(&q), (1000, 1000))
            };
            assert!(lo <= exact && exact <= hi, "kl {kl}: {lo} {exact} {hi}");
        }
    }
}
