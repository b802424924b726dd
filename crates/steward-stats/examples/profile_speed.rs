//! Profiling speed on one core: numeric values per second through `ColumnProfile::new`
//! (moments, the quantile summary, HLL distinct sketch). Run by bench/profile.sh:
//!
//!     cargo run --release -p steward-stats --example profile_speed -- [VALUES]
use std::time::Instant;

use steward_stats::Values;
use steward_stats::profile::{ColumnProfile, ProfileKind};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    // A deterministic, roughly normal column (sum of four uniforms from an LCG).
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut uniform = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let values: Vec<f64> = (0..n)
        .map(|_| uniform() + uniform() + uniform() + uniform() - 2.0)
        .collect();
    let column = Values::Numerical(values);
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let p = ColumnProfile::new("x", ProfileKind::Number, &column, 0);
        let s = t.elapsed().as_secs_f64();
        assert_eq!(p.count as usize, n);
        best = best.min(s);
    }
    println!(
        "profiled {n} values in {:.3} s (best of 3): {:.1} million values per second on one core",
        best,
        n as f64 / best / 1e6
    );
}
