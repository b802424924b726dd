//! The Monte Carlo engine. Runs are cut into fixed blocks of [`BLOCK`] runs; block `b` draws
//! from ChaCha8 seeded with the user's seed on stream `b`. The result therefore depends only
//! on the seed and the number of runs, never on how many threads computed it or on the
//! machine (ChaCha is specified bit for bit).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde::Serialize;

use crate::pert::Variable;

pub const BLOCK: usize = 8192;

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

/// The samples of a simulation, in run order.
#[derive(Clone, Debug)]
pub struct Samples {
    pub totals: Vec<f64>,
    pub options: Vec<Vec<f64>>,
    /// How many runs each option was the cheapest in (ties go to the first listed).
    pub cheapest: Vec<u64>,
}

fn run_blocks(model: &Model, seed: u64, blocks: std::ops::Range<usize>, runs: usize) -> Samples {
    let first = blocks.start * BLOCK;
    let last = (blocks.end * BLOCK).min(runs);
    let n = last.saturating_sub(first);
    let mut totals = Vec::with_capacity(n);
    let mut options: Vec<Vec<f64>> = model
        .options
        .iter()
        .map(|_| Vec::with_capacity(n))
        .collect();
    let mut cheapest = vec![0u64; model.options.len()];
    let mut costs = vec![0.0f64; model.options.len()];
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
            totals.push(one_off + model.years * annual);
            let mut best = 0;
            for (i, (o, a)) in model.options.iter().enumerate() {
                let c = o.draw(&mut rng) + model.years * a.draw(&mut rng);
                costs[i] = c;
                options[i].push(c);
                if c < costs[best] {
                    best = i;
                }
            }
            if !costs.is_empty() {
                cheapest[best] += 1;
            }
        }
    }
    Samples {
        totals,
        options,
        cheapest,
    }
}

/// Runs `runs` simulations with `seed`, on every core.
pub fn simulate(model: &Model, runs: usize, seed: u64) -> Samples {
    let blocks = runs.div_ceil(BLOCK);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(blocks.max(1));
    if threads <= 1 {
        return run_blocks(model, seed, 0..blocks, runs);
    }
    let per = blocks.div_ceil(threads);
    let parts: Vec<Samples> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * per).min(blocks)..((t + 1) * per).min(blocks);
                scope.spawn(move || run_blocks(model, seed, range, runs))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut all = Samples {
        totals: Vec::with_capacity(runs),
        options: model
            .options
            .iter()
            .map(|_| Vec::with_capacity(runs))
            .collect(),
        cheapest: vec![0; model.options.len()],
    };
    for part in parts {
        all.totals.extend(part.totals);
        for (dst, src) in all.options.iter_mut().zip(part.options) {
            dst.extend(src);
        }
        for (dst, src) in all.cheapest.iter_mut().zip(part.cheapest) {
            *dst += src;
        }
    }
    all
}

/// Mean and P10/P50/P90 of a sample.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Distribution {
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
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

pub fn describe(values: &[f64]) -> Distribution {
    let mut work = values.to_vec();
    // Pairwise-accurate enough at 1e6 values: f64 sums in 4 lanes.
    let mut lanes = [0.0f64; 4];
    for chunk in values.chunks(4) {
        for (l, v) in lanes.iter_mut().zip(chunk) {
            *l += v;
        }
    }
    let mean = lanes.iter().sum::<f64>() / values.len().max(1) as f64;
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

    #[test]
    fn same_seed_same_samples_any_thread_count() {
        let m = model();
        let runs = 3 * BLOCK + 17;
        let parallel = simulate(&m, runs, 7);
        let serial = run_blocks(&m, 7, 0..runs.div_ceil(BLOCK), runs);
        assert_eq!(parallel.totals, serial.totals);
        assert_eq!(parallel.options, serial.options);
        assert_eq!(parallel.cheapest, serial.cheapest);
        assert_eq!(parallel.totals.len(), runs);
        assert_eq!(parallel.cheapest.iter().sum::<u64>(), runs as u64);
        let other = simulate(&m, runs, 8);
        assert_ne!(other.totals, parallel.totals);
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
}
