//! The Monte Carlo engine. Runs are cut into fixed blocks of [`BLOCK`] runs; block `b` draws
//! from ChaCha8 seeded with the user's seed on stream `b`. The result therefore depends only
//! on the seed and the number of runs, never on how many threads computed it or on the
//! machine (ChaCha is specified bit for bit).
//!
//! Memory does not grow with runs x options. Because any block can be drawn again from its
//! seed, the samples never have to be kept: a first pass takes each series' block sums,
//! minimum and maximum, the cheapest option of each run, and histograms of each series over
//! the range its samples can take; the exact order statistics behind P10, P50 and P90 are
//! then found by drawing the runs again, counting the samples into histograms over ever
//! narrower ranges around each wanted rank, until the few samples left in a range fit in
//! memory and are selected exactly (usually one more pass). When every sample fits in
//! [`KEEP_BUDGET`] values (the default 100,000 runs of a few dozen options), the first pass
//! keeps them and nothing is drawn twice. Either way the quantiles are the exact order
//! statistics of the same samples, so results do not depend on which path was taken.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::pert::Variable;

pub const BLOCK: usize = 8192;

/// Samples kept in memory at once for exact selection, over all series and shares
/// (8 bytes each: 64 MiB; merging the shares can briefly double it).
pub const KEEP_BUDGET: usize = 8 << 20;

/// Histogram counters over all series and shares (8 bytes each: 32 MiB).
const COUNTER_BUDGET: usize = 4 << 20;

/// Bins of one histogram: more bins narrow a range faster but cost counters.
const MAX_BINS: usize = 1 << 16;

/// What one run computes: the system's total over the horizon and each option's cost.
#[derive(Clone, Debug)]
pub struct Model {
    /// One-off lines (counted once).
    pub one_off: Vec<Variable>,
    /// Annual lines (counted `years` times, drawn once per run).
    pub annual: Vec<Variable>,
    pub years: f64,
    /// Per sourcing option: (one_off, annual).
    pub options: Vec<(Variable, Variable)>,
}

/// Mean and P10/P50/P90 of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

/// Counts of the simulated totals in equal-width bins over [lo, hi] (as `svg::bin` makes
/// them), for the html chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Histogram {
    pub counts: Vec<u64>,
    pub lo: f64,
    pub hi: f64,
}

/// What a simulation reports.
#[derive(Clone, Debug)]
pub struct Simulated {
    pub total: Distribution,
    pub options: Vec<Distribution>,
    /// How many runs each option was the cheapest in (ties go to the first listed).
    pub cheapest: Vec<u64>,
    /// The totals binned for a chart (`chart_bins` bins).
    pub chart: Histogram,
    /// How many times the runs were drawn (1 when every sample fitted in memory).
    pub passes: usize,
}

/// f64 to u64 preserving the total order (`f64::total_cmp`), so ranges of samples are
/// ranges of integers and can be split into bins exactly.
fn key(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

fn from_key(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// What a pass folds the runs into. Each share of the blocks is folded on its own; the folds
/// are then merged, and every merge here is order-independent (counts add, kept samples
/// are a multiset, block sums are keyed by their block), so the result does not depend on
/// how the blocks were shared out.
trait Fold: Send {
    /// One run's values: the total first, then each option's cost.
    fn run(&mut self, values: &[f64]);
    /// Block `b` has been drawn whole.
    fn block_done(&mut self, _b: usize) {}
    fn merge(&mut self, other: Self);
}

/// Draws every run of `blocks` into `fold`.
fn draw_blocks(
    model: &Model,
    seed: u64,
    blocks: std::ops::Range<usize>,
    runs: usize,
    fold: &mut impl Fold,
) {
    let mut values = vec![0.0f64; 1 + model.options.len()];
    for b in blocks {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(b as u64);
        let in_block = (runs - b * BLOCK).min(BLOCK);
        for _ in 0..in_block {
            let mut one_off = 0.0;
            for v in &model.one_off {
                one_off += v.draw(&mut rng);
            }
            let mut annual = 0.0;
            for v in &model.annual {
                annual += v.draw(&mut rng);
            }
            values[0] = one_off + model.years * annual;
            for (slot, (o, a)) in values[1..].iter_mut().zip(&model.options) {
                *slot = o.draw(&mut rng) + model.years * a.draw(&mut rng);
            }
            fold.run(&values);
        }
        fold.block_done(b);
    }
}

/// How many shares the blocks are cut into: one per thread of the caller's rayon pool, never
/// more than there are blocks. Each share folds into its own counters, so the count also
/// divides the counter budget.
fn shares_for(runs: usize) -> usize {
    rayon::current_num_threads()
        .min(runs.div_ceil(BLOCK))
        .max(1)
}

/// One pass over every run: the blocks cut into `shares` contiguous shares, each folded into
/// a fold made by `make` as a task on the caller's rayon pool, then merged in share order.
fn pass<F: Fold>(
    model: &Model,
    runs: usize,
    seed: u64,
    shares: usize,
    make: &(impl Fn() -> F + Sync),
) -> F {
    use rayon::prelude::*;
    let blocks = runs.div_ceil(BLOCK);
    let per = blocks.div_ceil(shares.max(1)).max(1);
    let parts: Vec<F> = (0..shares.max(1))
        .into_par_iter()
        .map(|t| {
            let mut fold = make();
            let range = (t * per).min(blocks)..((t + 1) * per).min(blocks);
            draw_blocks(model, seed, range, runs, &mut fold);
            fold
        })
        .collect();
    let mut parts = parts.into_iter();
    let mut all = parts.next().unwrap_or_else(make);
    for part in parts {
        all.merge(part);
    }
    all
}

/// The first pass: per series the sum, minimum and maximum, the cheapest option per run,
/// and (when they fit) every sample.
struct FirstPass<'a> {
    /// The running sum of the current block, per series.
    block_sum: Vec<f64>,
    /// Per finished block: its index and its sums. Summing blocks in block order makes the
    /// mean the same on any number of cores (runs x options / 1,024 bytes: about 1 MB at
    /// most within the analysis' limits).
    block_sums: Vec<(usize, Vec<f64>)>,
    min: Vec<f64>,
    max: Vec<f64>,
    cheapest: Vec<u64>,
    kept: Option<Vec<Vec<f64>>>,
    /// Histograms over each series' possible range, when the samples are not kept.
    probing: Option<LaterPass<'a>>,
}

/// A range of keys [lo, hi] of one series, drawn again in a later pass: either counted into
/// `bins` bins of `width` keys, or kept.
struct Probe {
    series: usize,
    lo: u64,
    hi: u64,
    /// Samples in [lo, hi].
    count: u64,
    width: u64,
    bins: usize,
    keep: bool,
}

/// One wanted order statistic: the `rank`-th smallest (0-based) sample of `series`, known to
/// lie in keys [lo, hi], with `below` samples under lo and `count` in the range.
#[derive(Clone, Copy)]
struct Target {
    series: usize,
    rank: u64,
    lo: u64,
    hi: u64,
    below: u64,
    count: u64,
    value: Option<f64>,
}

impl Fold for FirstPass<'_> {
    fn run(&mut self, values: &[f64]) {
        for (i, &v) in values.iter().enumerate() {
            self.block_sum[i] += v;
            self.min[i] = self.min[i].min(v);
            self.max[i] = self.max[i].max(v);
        }
        if values.len() > 1 {
            let costs = &values[1..];
            let mut best = 0;
            for (i, c) in costs.iter().enumerate() {
                if *c < costs[best] {
                    best = i;
                }
            }
            self.cheapest[best] += 1;
        }
        if let Some(kept) = &mut self.kept {
            for (k, &v) in kept.iter_mut().zip(values) {
                k.push(v);
            }
        }
        if let Some(p) = &mut self.probing {
            p.run(values);
        }
    }

    fn block_done(&mut self, b: usize) {
        let sums = self.block_sum.iter_mut().map(std::mem::take).collect();
        self.block_sums.push((b, sums));
    }

    fn merge(&mut self, other: Self) {
        self.block_sums.extend(other.block_sums);
        for (a, b) in self.min.iter_mut().zip(other.min) {
            *a = a.min(b);
        }
        for (a, b) in self.max.iter_mut().zip(other.max) {
            *a = a.max(b);
        }
        for (a, b) in self.cheapest.iter_mut().zip(other.cheapest) {
            *a += b;
        }
        if let (Some(a), Some(b)) = (&mut self.kept, other.kept) {
            for (a, b) in a.iter_mut().zip(b) {
                a.extend(b);
            }
        }
        if let (Some(a), Some(b)) = (&mut self.probing, other.probing) {
            a.merge(b);
        }
    }
}

/// A later pass: per probe its histogram or its kept samples, and the chart's bins.
struct LaterPass<'a> {
    probes: &'a [Probe],
    by_series: &'a [Vec<usize>],
    counts: Vec<Vec<u64>>,
    kept: Vec<Vec<f64>>,
    chart: Option<ChartBins>,
}

#[derive(Clone)]
struct ChartBins {
    lo: f64,
    width: f64,
    counts: Vec<u64>,
}

impl Fold for LaterPass<'_> {
    fn run(&mut self, values: &[f64]) {
        for (si, list) in self.by_series.iter().enumerate() {
            if list.is_empty() {
                continue;
            }
            let v = values[si];
            let k = key(v);
            for &pi in list {
                let p = &self.probes[pi];
                if k < p.lo || k > p.hi {
                    continue;
                }
                if p.keep {
                    self.kept[pi].push(v);
                } else {
                    self.counts[pi][((k - p.lo) / p.width) as usize] += 1;
                }
            }
        }
        if let Some(c) = &mut self.chart {
            let bins = c.counts.len();
            c.counts[chart_bin(values[0], c.lo, c.width, bins)] += 1;
        }
    }

    fn merge(&mut self, other: Self) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.kept.iter_mut().zip(other.kept) {
            a.extend(b);
        }
        if let (Some(a), Some(b)) = (&mut self.chart, other.chart) {
            for (x, y) in a.counts.iter_mut().zip(b.counts) {
                *x += y;
            }
        }
    }
}

fn chart_bin(v: f64, lo: f64, width: f64, bins: usize) -> usize {
    if width > 0.0 {
        (((v - lo) / width) as usize).min(bins - 1)
    } else {
        0
    }
}

/// numpy's default ("linear") quantile from the order statistics at h = (n - 1) q.
fn ranks(n: u64, q: f64) -> (u64, f64) {
    let h = (n - 1) as f64 * q;
    (h.floor() as u64, h - h.floor())
}

const QUANTILES: [f64; 3] = [0.10, 0.50, 0.90];

/// Runs `runs` simulations with `seed`, on the caller's rayon pool, in bounded memory.
pub fn simulate(model: &Model, runs: usize, seed: u64, chart_bins: usize) -> Simulated {
    simulate_with(
        model,
        runs.max(1),
        seed,
        chart_bins,
        KEEP_BUDGET,
        shares_for(runs),
    )
}

/// The smallest and largest value a series can take, computed with the operations a run
/// uses in the same order (correctly rounded + and x are monotone, so every sample lies
/// within): series 0 is the total, then each option.
fn series_bounds(model: &Model) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(1 + model.options.len());
    let at = |pick: fn((f64, f64)) -> f64| {
        let mut one_off = 0.0;
        for v in &model.one_off {
            one_off += pick(v.bounds());
        }
        let mut annual = 0.0;
        for v in &model.annual {
            annual += pick(v.bounds());
        }
        one_off + model.years * annual
    };
    out.push((at(|b| b.0), at(|b| b.1)));
    for (o, a) in &model.options {
        let (ol, oh) = o.bounds();
        let (al, ah) = a.bounds();
        out.push((ol + model.years * al, oh + model.years * ah));
    }
    out
}

/// The probes of a pass: one per distinct open range, the smallest ranges kept while they
/// fit in `keep_budget`, the others counted into histograms sharing the counter budget.
/// Returns the probes, each target's probe, and each series' probes.
fn plan(
    targets: &[Target],
    series: usize,
    keep_budget: usize,
    shares: usize,
) -> (Vec<Probe>, Vec<Option<usize>>, Vec<Vec<usize>>) {
    // Targets come grouped by series, so a range can only be shared with the probes of the
    // current series.
    let mut probes: Vec<Probe> = Vec::new();
    let mut probe_of: Vec<Option<usize>> = vec![None; targets.len()];
    let mut series_start = 0;
    for (ti, t) in targets.iter().enumerate() {
        if t.value.is_some() {
            continue;
        }
        if probes.last().is_none_or(|p| p.series != t.series) {
            series_start = probes.len();
        }
        let found = probes[series_start..]
            .iter()
            .position(|p| p.lo == t.lo && p.hi == t.hi)
            .map(|i| series_start + i);
        probe_of[ti] = Some(found.unwrap_or_else(|| {
            probes.push(Probe {
                series: t.series,
                lo: t.lo,
                hi: t.hi,
                count: t.count,
                width: 1,
                bins: 0,
                keep: false,
            });
            probes.len() - 1
        }));
    }
    let mut order: Vec<usize> = (0..probes.len()).collect();
    order.sort_by_key(|&i| probes[i].count);
    let mut kept_total = 0u64;
    for &i in &order {
        let c = probes[i].count;
        if kept_total + c > keep_budget as u64 {
            break;
        }
        kept_total += c;
        probes[i].keep = true;
    }
    let counted = probes.iter().filter(|p| !p.keep).count();
    if counted > 0 {
        // At least 2 bins, so every pass narrows a range; the budget is shared by the
        // shares, each with its own counters.
        let bins = (COUNTER_BUDGET / (counted * shares.max(1))).clamp(2, MAX_BINS);
        for p in probes.iter_mut().filter(|p| !p.keep) {
            p.width = (p.hi - p.lo) / bins as u64 + 1;
            p.bins = ((p.hi - p.lo) / p.width + 1) as usize;
        }
    }
    let mut by_series: Vec<Vec<usize>> = vec![Vec::new(); series];
    for (i, p) in probes.iter().enumerate() {
        by_series[p.series].push(i);
    }
    (probes, probe_of, by_series)
}

fn probing<'a>(probes: &'a [Probe], by_series: &'a [Vec<usize>]) -> LaterPass<'a> {
    LaterPass {
        probes,
        by_series,
        counts: probes
            .iter()
            .map(|p| if p.keep { Vec::new() } else { vec![0; p.bins] })
            .collect(),
        kept: vec![Vec::new(); probes.len()],
        chart: None,
    }
}

/// Narrows each target to the bin holding its rank, or selects it among the kept samples.
fn refine(targets: &mut [Target], probe_of: &[Option<usize>], probes: &[Probe], pass: LaterPass) {
    let LaterPass {
        counts, mut kept, ..
    } = pass;
    for (ti, t) in targets.iter_mut().enumerate() {
        let Some(pi) = probe_of[ti] else { continue };
        let p = &probes[pi];
        let within = t.rank - t.below;
        if p.keep {
            let v = &mut kept[pi];
            let (_, &mut at, _) = v.select_nth_unstable_by(within as usize, f64::total_cmp);
            t.value = Some(at);
            continue;
        }
        let mut before = 0u64;
        for (i, &c) in counts[pi].iter().enumerate() {
            if within < before + c {
                t.lo = p.lo + i as u64 * p.width;
                t.hi = t.lo.saturating_add(p.width - 1).min(p.hi);
                t.below += before;
                t.count = c;
                if t.lo == t.hi {
                    t.value = Some(from_key(t.lo));
                }
                break;
            }
            before += c;
        }
    }
}

/// Every wanted rank of every series (numpy's P10, P50 and P90 each need two neighbouring
/// order statistics), each known to lie in [lo, hi].
fn wanted_targets(n: u64, ranges: &[(f64, f64)]) -> Vec<Target> {
    let mut targets = Vec::new();
    for (s, &(min, max)) in ranges.iter().enumerate() {
        let mut wanted: Vec<u64> = Vec::new();
        for q in QUANTILES {
            let (lo, _) = ranks(n, q);
            wanted.push(lo);
            if lo + 1 < n {
                wanted.push(lo + 1);
            }
        }
        wanted.sort_unstable();
        wanted.dedup();
        for rank in wanted {
            let (lo, hi) = (key(min), key(max));
            targets.push(Target {
                series: s,
                rank,
                lo,
                hi,
                below: 0,
                count: n,
                value: (lo == hi).then_some(min),
            });
        }
    }
    targets
}

fn simulate_with(
    model: &Model,
    runs: usize,
    seed: u64,
    chart_bins: usize,
    keep_budget: usize,
    shares: usize,
) -> Simulated {
    let series = 1 + model.options.len();
    let n = runs as u64;
    let chart_bins = chart_bins.max(1);
    let keep_all = runs.saturating_mul(series) <= keep_budget;
    // When the samples do not fit, the first pass already counts them into histograms over
    // each series' possible range, which saves a pass over first finding the real range.
    let bounds = series_bounds(model);
    let mut targets = wanted_targets(n, &bounds);
    let (probes, probe_of, by_series) = if keep_all {
        (Vec::new(), Vec::new(), Vec::new())
    } else {
        plan(&targets, series, keep_budget, shares)
    };
    let first = pass(model, runs, seed, shares, &|| FirstPass {
        block_sum: vec![0.0; series],
        block_sums: Vec::new(),
        min: vec![f64::INFINITY; series],
        max: vec![f64::NEG_INFINITY; series],
        cheapest: vec![0; series - 1],
        kept: keep_all.then(|| vec![Vec::new(); series]),
        probing: (!keep_all).then(|| probing(&probes, &by_series)),
    });
    let mut passes = 1;
    let FirstPass {
        block_sums,
        min,
        max,
        cheapest,
        kept,
        probing: first_probing,
        ..
    } = first;
    let real: Vec<(f64, f64)> = min.iter().copied().zip(max.iter().copied()).collect();

    let (chart_lo, chart_hi) = real[0];
    let chart_width = (chart_hi - chart_lo) / chart_bins as f64;
    let mut chart: Option<Vec<u64>> = None;

    if let Some(mut kept) = kept {
        targets = wanted_targets(n, &real);
        for t in &mut targets {
            if t.value.is_none() {
                let v = &mut kept[t.series];
                let (_, &mut at, _) = v.select_nth_unstable_by(t.rank as usize, f64::total_cmp);
                t.value = Some(at);
            }
        }
        let mut counts = vec![0u64; chart_bins];
        for &v in &kept[0] {
            counts[chart_bin(v, chart_lo, chart_width, chart_bins)] += 1;
        }
        chart = Some(counts);
    } else {
        let within_bounds = real
            .iter()
            .zip(&bounds)
            .all(|((lo, hi), (blo, bhi))| key(*lo) >= key(*blo) && key(*hi) <= key(*bhi));
        match first_probing {
            Some(p) if within_bounds => refine(&mut targets, &probe_of, &probes, p),
            // Unreachable by the monotonicity argument; if a sample ever left its bounds,
            // the first pass's histograms are dropped and the search starts from the real
            // range instead.
            _ => targets = wanted_targets(n, &real),
        }
        if chart_lo == chart_hi {
            let mut counts = vec![0u64; chart_bins];
            counts[0] = n;
            chart = Some(counts);
        }
    }

    while targets.iter().any(|t| t.value.is_none()) || chart.is_none() {
        let (probes, probe_of, by_series) = plan(&targets, series, keep_budget, shares);
        let want_chart = chart.is_none();
        let mut later = pass(model, runs, seed, shares, &|| LaterPass {
            chart: want_chart.then(|| ChartBins {
                lo: chart_lo,
                width: chart_width,
                counts: vec![0; chart_bins],
            }),
            ..probing(&probes, &by_series)
        });
        passes += 1;
        if let Some(c) = later.chart.take() {
            chart = Some(c.counts);
        }
        refine(&mut targets, &probe_of, &probes, later);
    }

    let value = |s: usize, rank: u64| {
        targets
            .iter()
            .find(|t| t.series == s && t.rank == rank)
            .and_then(|t| t.value)
            .unwrap_or(f64::NAN)
    };
    let mut block_sums = block_sums;
    block_sums.sort_unstable_by_key(|(b, _)| *b);
    let describe_series = |s: usize| {
        let q = |q: f64| {
            let (lo, frac) = ranks(n, q);
            let at_lo = value(s, lo);
            if lo + 1 >= n {
                return at_lo;
            }
            at_lo + frac * (value(s, lo + 1) - at_lo)
        };
        Distribution {
            mean: block_sums.iter().map(|(_, sums)| sums[s]).sum::<f64>() / n as f64,
            p10: q(0.10),
            p50: q(0.50),
            p90: q(0.90),
        }
    };
    Simulated {
        total: describe_series(0),
        options: (1..series).map(describe_series).collect(),
        cheapest,
        chart: Histogram {
            counts: chart.unwrap_or_default(),
            lo: chart_lo,
            hi: chart_hi,
        },
        passes,
    }
}

/// numpy's default ("linear") quantile of `values`, which it reorders.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut at_lo, right) = values.select_nth_unstable_by(lo, f64::total_cmp);
    if lo + 1 >= n {
        return at_lo;
    }
    let at_hi = right.iter().copied().fold(f64::INFINITY, f64::min);
    at_lo + (h - lo as f64) * (at_hi - at_lo)
}

/// Mean and numpy's P10/P50/P90 of a slice (the reference the engine is tested against).
pub fn describe(values: &[f64]) -> Distribution {
    let mut work = values.to_vec();
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    Distribution {
        mean,
        p10: quantile(&mut work, 0.10),
        p50: quantile(&mut work, 0.50),
        p90: quantile(&mut work, 0.90),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_manifest::CostFigure;

    fn model() -> Model {
        let r = |low, likely, high| {
            Variable::from_figure(Some(CostFigure::Range { low, likely, high }))
        };
        Model {
            one_off: vec![r(1.0, 2.0, 4.0), Variable::Fixed(10.0)],
            annual: vec![r(0.0, 1.0, 3.0)],
            years: 3.0,
            options: vec![
                (r(5.0, 6.0, 9.0), r(1.0, 1.0, 2.0)),
                (r(4.0, 8.0, 9.0), Variable::Fixed(0.5)),
            ],
        }
    }

    /// Every sample, drawn the straightforward way: the reference for the engine.
    struct All(Vec<Vec<f64>>);

    impl Fold for All {
        fn run(&mut self, values: &[f64]) {
            for (o, v) in self.0.iter_mut().zip(values) {
                o.push(*v);
            }
        }
        fn merge(&mut self, _: Self) {}
    }

    fn all_samples(m: &Model, runs: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut all = All(vec![Vec::new(); 1 + m.options.len()]);
        draw_blocks(m, seed, 0..runs.div_ceil(BLOCK), runs, &mut all);
        all.0
    }

    fn same_quantiles(a: Distribution, b: Distribution) {
        assert_eq!((a.p10, a.p50, a.p90), (b.p10, b.p50, b.p90));
        assert!((a.mean - b.mean).abs() <= 1e-9 * b.mean.abs());
    }

    #[test]
    fn same_seed_same_figures_any_thread_count_or_memory_budget() {
        let m = model();
        let runs = 3 * BLOCK + 17;
        let samples = all_samples(&m, runs, 7);
        let one = simulate_with(&m, runs, 7, 48, KEEP_BUDGET, 1);
        assert_eq!(one.passes, 1);
        // A budget far below the sample count forces the histogram passes.
        for (budget, threads) in [(KEEP_BUDGET, 3), (1000, 1), (1000, 4), (7, 2), (0, 2)] {
            let other = simulate_with(&m, runs, 7, 48, budget, threads);
            assert_eq!(other.total, one.total, "budget {budget}, {threads} threads");
            assert_eq!(other.options, one.options);
            assert_eq!(other.cheapest, one.cheapest);
            assert_eq!(other.chart, one.chart);
            if budget < runs {
                assert!(other.passes > 1);
            }
        }
        for (s, d) in std::iter::once(&one.total).chain(&one.options).enumerate() {
            same_quantiles(*d, describe(&samples[s]));
        }
        let (counts, lo, hi) = steward_html::svg::bin(&samples[0], 48);
        assert_eq!(one.chart, Histogram { counts, lo, hi });
        assert_eq!(one.cheapest.iter().sum::<u64>(), runs as u64);
        let other = simulate(&m, runs, 8, 48);
        assert_ne!(other.total, one.total);
    }

    #[test]
    fn quantiles_are_exact_for_sample_counts_that_cross_the_interpolation_cases() {
        let m = model();
        for runs in [1, 2, 3, 9, 10, 11, 101, BLOCK + 1] {
            let samples = all_samples(&m, runs, 3);
            let bounded = simulate_with(&m, runs, 3, 10, 0, 2);
            same_quantiles(bounded.total, describe(&samples[0]));
            same_quantiles(bounded.options[1], describe(&samples[2]));
        }
    }

    #[test]
    fn atoms_and_constant_series_resolve() {
        // A huge fixed part leaves a ranged line only a few representable totals: ranges
        // narrow to single values instead of looping.
        let m = Model {
            one_off: vec![
                Variable::Fixed(1e15),
                Variable::from_figure(Some(CostFigure::Range {
                    low: 0.0,
                    likely: 0.5,
                    high: 1.0,
                })),
            ],
            annual: vec![],
            years: 1.0,
            options: vec![(Variable::Fixed(3.0), Variable::Fixed(1.0))],
        };
        let runs = 5000;
        let samples = all_samples(&m, runs, 1);
        let r = simulate_with(&m, runs, 1, 48, 0, 2);
        same_quantiles(r.total, describe(&samples[0]));
        assert_eq!(r.options[0].p50, 4.0);
        assert_eq!(r.options[0].mean, 4.0);
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4], [0.1, 0.5, 0.9]) = [1.3, 2.5, 3.7]
        let v = [4.0, 1.0, 3.0, 2.0];
        let d = describe(&v);
        assert!(
            (d.p10 - 1.3).abs() < 1e-12
                && (d.p50 - 2.5).abs() < 1e-12
                && (d.p90 - 3.7).abs() < 1e-12
        );
        assert_eq!(d.mean, 2.5);
        assert_eq!(quantile(&mut [5.0], 0.9), 5.0);
    }

    #[test]
    fn keys_keep_the_order() {
        let v = [-1e300, -1.0, -0.0, 0.0, 1e-300, 1.0, 1e15, f64::MAX];
        for w in v.windows(2) {
            assert!(key(w[0]) < key(w[1]));
        }
        for x in v {
            assert_eq!(from_key(key(x)).to_bits(), x.to_bits());
        }
    }
}
