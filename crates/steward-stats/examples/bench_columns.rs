//! Per-column cost of drift's statistics on values already read: the sort, each default
//! test on its own, and a whole `column_drift` call, for a continuous column (every value
//! distinct, Wasserstein's case) and a discrete one (ten levels, the counting tests' case).
//! One core, the best of three runs per figure, in CPU time:
//!
//!     cargo run --release -p steward-stats --example bench_columns -- [ROWS_PER_SIDE]
use std::time::Instant;

use steward_stats::ks::ks_2samp;
use steward_stats::runs::sample_runs;
use steward_stats::sample::{Sample, weighted_runs};
use steward_stats::sort::sort_f64;
use steward_stats::stattests::{
    Aligned, chisquare, jensenshannon, sturges_edges, wasserstein_normed, z_test,
};
use steward_stats::{ColumnRequest, ColumnType, Values, column_drift};

/// A deterministic, roughly normal column (the sum of four uniforms from an LCG, centred).
fn normal_column(n: usize, seed: u64, shift: f64) -> Vec<f64> {
    let mut state = seed;
    let mut uniform = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| (uniform() + uniform() + uniform() + uniform() - 2.0) * 1.7 + shift)
        .collect()
}

/// Time this thread has run on a CPU, in nanoseconds (Linux's schedstat): unlike wall
/// time it does not count the time other processes hold the cores, so figures taken on a
/// busy machine still compare. Wall time where it cannot be read.
fn cpu_ns(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or_else(|| start.elapsed().as_secs_f64() * 1e9)
}

/// Best of three CPU times of `f`, in milliseconds, with its last result.
fn best_of_three<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let origin = Instant::now();
    let mut best = f64::INFINITY;
    let mut run = || {
        let before = cpu_ns(origin);
        let out = f();
        best = best.min((cpu_ns(origin) - before) / 1e6);
        out
    };
    run();
    run();
    let out = run();
    (best, out)
}

fn request(reference: Vec<f64>, current: Vec<f64>) -> ColumnRequest {
    ColumnRequest {
        name: "x".into(),
        column_type: ColumnType::Numerical,
        reference: Values::Numerical(reference),
        current: Values::Numerical(current),
        reference_missing: 0,
        current_missing: 0,
        stattest: None,
        threshold: None,
        integer: false,
    }
}

fn aligned(r: Sample, c: Sample) -> Aligned {
    let mut a = Aligned {
        reference: Vec::new(),
        current: Vec::new(),
    };
    for (_, cr, cc) in weighted_runs(r, c) {
        a.reference.push(cr);
        a.current.push(cc);
    }
    a
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    println!("{n} values per side, one core, best of 3 (CPU ms)");
    let reference = normal_column(n, 0x2545_f491_4f6c_dd1d, 0.0);
    let current = normal_column(n, 0x9e37_79b9_7f4a_7c15, 0.3);

    let (t_sort, sorted_ref) = best_of_three(|| {
        let mut v = reference.clone();
        sort_f64(&mut v);
        v
    });
    let (t_clone, _) = best_of_three(|| reference.clone());
    println!(
        "sort one side            {:9.1}  (of which copying the input {t_clone:.1})",
        t_sort
    );
    let mut sorted_cur = current.clone();
    sort_f64(&mut sorted_cur);
    let (rs, cs) = (Sample::plain(&sorted_ref), Sample::plain(&sorted_cur));

    let (t, distinct) = best_of_three(|| weighted_runs(rs, cs).count());
    println!("runs, weighted walk      {t:9.1}  ({distinct})");
    let (t, distinct) = best_of_three(|| sample_runs(rs, cs).count());
    println!("runs, plain walk         {t:9.1}  ({distinct})");
    let (t, std) = best_of_three(|| rs.std());
    println!("std of the reference     {t:9.1}");
    let (t, w) = best_of_three(|| wasserstein_normed(rs, cs, std));
    println!("wasserstein (normed)     {t:9.1}  ({w:.6})");
    let (t, ks) = best_of_three(|| ks_2samp(rs, cs));
    println!(
        "ks_2samp                 {t:9.1}  (D {:.6}, p {:e})",
        ks.statistic, ks.p_value
    );
    let (t, js) = best_of_three(|| {
        let lo = rs.min().min(cs.min());
        let hi = rs.max().max(cs.max());
        let edges = sturges_edges(rs.count() + cs.count(), lo, hi, false).unwrap_or_default();
        let share = |s: Sample| {
            let total = s.count() as f64;
            s.histogram(&edges)
                .into_iter()
                .map(|c| c as f64 / total)
                .collect::<Vec<f64>>()
        };
        jensenshannon(&share(rs), &share(cs))
    });
    println!("jensenshannon (sturges)  {t:9.1}  ({js:.6})");
    let (t, drift) = best_of_three(|| column_drift(request(reference.clone(), current.clone())));
    match drift {
        Ok(d) => println!(
            "column_drift, continuous {:9.1}  ({} {:.6}, incl. copying both inputs)",
            t, d.stattest, d.score
        ),
        Err(e) => println!("column_drift, continuous failed: {e}"),
    }

    // Ten levels: the counting tests and Jensen-Shannon over each value's share.
    let levels = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .map(|x| (x * 2.0).round().clamp(-5.0, 4.0))
            .collect()
    };
    let (lr, lc) = (levels(&reference), levels(&current));
    let (t, sorted_lr) = best_of_three(|| {
        let mut v = lr.clone();
        sort_f64(&mut v);
        v
    });
    println!("sort one side, 10 levels {t:9.1}");
    let mut sorted_lc = lc.clone();
    sort_f64(&mut sorted_lc);
    let (ls, lcs) = (Sample::plain(&sorted_lr), Sample::plain(&sorted_lc));
    let (t, a) = best_of_three(|| aligned(ls, lcs));
    println!(
        "aligned counts           {t:9.1}  ({} levels)",
        a.reference.len()
    );
    let (t, (chi, p)) = best_of_three(|| chisquare(&a));
    println!("chisquare                {t:9.3}  ({chi:.3}, p {p:e})");
    let (t, (z, p)) = best_of_three(|| z_test(&a));
    println!("z                        {t:9.3}  ({z:.3}, p {p:e})");
    let (t, drift) = best_of_three(|| column_drift(request(lr.clone(), lc.clone())));
    match drift {
        Ok(d) => println!(
            "column_drift, 10 levels  {:9.1}  ({} {:.6}, incl. copying both inputs)",
            t, d.stattest, d.score
        ),
        Err(e) => println!("column_drift, 10 levels failed: {e}"),
    }
}
