//! Sorting f64, the hot path of `steward drift` (every numerical column is sorted, millions
//! of values a side). Written here rather than taken from a crate because it is most of
//! drift's time, and the shape of the data allows better than a general sort: one pass
//! spreads the values into up to 1,024 buckets by where they lie between the minimum and the
//! maximum, and each bucket, now small enough to stay in the CPU's caches, is radix-sorted
//! there. A plain LSD radix sort of 10 million values moves every value 8 times across
//! memory, to 256 places at once, and spends most of its time waiting on the memory and on
//! address translation; this moves each value across memory once.

/// Below this many values a comparison sort is faster than clearing the counters.
const RADIX_MIN: usize = 512;

/// Up to this many values (512 KiB), a slice is radix-sorted where it is: it stays in the
/// core's cache through the passes.
const IN_CACHE_MAX: usize = 1 << 16;

/// The most buckets values are spread into at once: few enough that writing to all of them
/// at once stays within the address-translation cache. Measured on 10M normal values
/// (`bench_columns`): 256 buckets 279 ms, 1,024 252 ms, 2,048 252 ms, 4,096 258 ms; on 1M,
/// 1,024 was the fastest.
const BUCKETS: usize = 1024;

/// The values a bucket is meant to hold: far enough below [`IN_CACHE_MAX`] that an uneven
/// spread (a normal distribution's middle buckets hold several times the average) still
/// leaves most buckets in the cache, and large enough that the radix passes' counters are
/// few against the values.
const BUCKET_TARGET: usize = 1 << 14;

/// The float's bits, mapped so that integer order is float order: negative floats have
/// every bit flipped, positive ones the sign bit (so -0.0 comes before +0.0, which compare
/// equal anyway, and NaNs go to the ends).
#[inline(always)]
fn key(v: f64) -> u64 {
    let b = v.to_bits();
    let mask = ((b as i64 >> 63) as u64) | (1 << 63);
    b ^ mask
}

/// Sorts values ascending (in `f64::total_cmp` order, so a NaN cannot break it).
pub fn sort_f64(values: &mut [f64]) {
    let n = values.len();
    if n < RADIX_MIN {
        values.sort_unstable_by(f64::total_cmp);
        return;
    }
    let mut scratch = vec![0.0f64; n];
    sort_with(values, &mut scratch, 0);
}

/// How many times a bucket may be spread again (its values squeezed together by far
/// outliers). Past it, a bucket is radix-sorted, so that values crafted to leave all but
/// one in the same bucket at every level cannot make the recursion deep.
const MAX_SPREADS: u32 = 3;

/// Sorts `values`, using `scratch` (as long) as room to move them; `depth` spreads were
/// done already.
fn sort_with(values: &mut [f64], scratch: &mut [f64], depth: u32) {
    let n = values.len();
    if n < RADIX_MIN {
        values.sort_unstable_by(f64::total_cmp);
    } else if n <= IN_CACHE_MAX || depth >= MAX_SPREADS || !spread_and_sort(values, scratch, depth)
    {
        radix_sort(values, scratch);
    }
}

/// Spreads the values into buckets by value, sorts each bucket, and gathers them back.
/// False (nothing done) where spreading would not help: a NaN or an infinity among the
/// values, a range wider than f64 holds, or values all equal.
fn spread_and_sort(values: &mut [f64], scratch: &mut [f64], depth: u32) -> bool {
    let n = values.len();
    let Some((lo, hi)) = finite_range(values) else {
        return false;
    };
    let range = hi - lo;
    if !(range.is_finite() && range > 0.0) {
        return false;
    }
    // (v - lo) x scale is monotone in v (each operation rounds monotonically), so buckets
    // in order hold the values in order; the clamp keeps `hi` in the last one. (A range so
    // small that the scale is infinite still gives monotone buckets: 0 x inf is NaN, which
    // converts to bucket 0, anything above `lo` to the last.)
    let buckets = (n / BUCKET_TARGET).clamp(2, BUCKETS);
    let scale = buckets as f64 / range;
    let bucket = |v: f64| (((v - lo) * scale) as usize).min(buckets - 1);
    let mut counts = [0usize; BUCKETS];
    for &v in values.iter() {
        counts[bucket(v)] += 1;
    }
    // One bucket holding everything (a few far outliers squeeze the rest together) would
    // be spread again forever: radix-sort it instead.
    if counts.contains(&n) {
        return false;
    }
    let mut offsets = [0usize; BUCKETS];
    let mut sum = 0;
    for (o, c) in offsets.iter_mut().zip(counts) {
        *o = sum;
        sum += c;
    }
    let starts = offsets;
    for &v in values.iter() {
        let b = bucket(v);
        scratch[offsets[b]] = v;
        offsets[b] += 1;
    }
    for (start, count) in starts.into_iter().zip(counts).take(buckets) {
        let range = start..start + count;
        sort_with(
            &mut scratch[range.clone()],
            &mut values[range.clone()],
            depth + 1,
        );
        // Back where it belongs while the bucket is still in the cache.
        values[range.clone()].copy_from_slice(&scratch[range]);
    }
    true
}

/// The least and greatest values, `None` if any is not finite. Eight independent lanes of
/// plain comparisons (which the compiler turns into vector min and max), rather than
/// `f64::min`, whose NaN rule makes one long chain of dependent instructions: this pass
/// took a fifth of the sort's time that way.
fn finite_range(values: &[f64]) -> Option<(f64, f64)> {
    let mut lo = [f64::INFINITY; 8];
    let mut hi = [f64::NEG_INFINITY; 8];
    let mut nan = [false; 8];
    let mut chunks = values.chunks_exact(8);
    for c in &mut chunks {
        for i in 0..8 {
            let v = c[i];
            lo[i] = if v < lo[i] { v } else { lo[i] };
            hi[i] = if v > hi[i] { v } else { hi[i] };
            nan[i] |= v.is_nan();
        }
    }
    for &v in chunks.remainder() {
        lo[0] = if v < lo[0] { v } else { lo[0] };
        hi[0] = if v > hi[0] { v } else { hi[0] };
        nan[0] |= v.is_nan();
    }
    let lo = lo
        .iter()
        .fold(f64::INFINITY, |a, &b| if b < a { b } else { a });
    let hi = hi
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
    // An infinity shows as an end; a NaN compares false with everything, so is counted.
    (!nan.contains(&true) && lo.is_finite() && hi.is_finite()).then_some((lo, hi))
}

/// LSD radix sort by digits of 11 bits (6 passes, 2,048 buckets) for slices that stay in
/// the cache, 8 bits (8 passes, 256 buckets) for longer ones. The values themselves are
/// moved (their keys are recomputed on each pass, which costs less than reading and
/// writing a key array), between `values` and `scratch`.
fn radix_sort(values: &mut [f64], scratch: &mut [f64]) {
    if values.len() <= IN_CACHE_MAX {
        radix_passes::<11>(values, scratch);
    } else {
        radix_passes::<8>(values, scratch);
    }
}

fn radix_passes<const BITS: u32>(values: &mut [f64], buffer: &mut [f64]) {
    let n = values.len();
    let buckets = 1usize << BITS;
    let mask = (buckets - 1) as u64;
    let passes = 64usize.div_ceil(BITS as usize);
    let digit = |v: f64, pass: usize| ((key(v) >> (pass as u32 * BITS)) & mask) as usize;
    let mut counts = vec![0usize; passes * buckets];
    for &v in values.iter() {
        let k = key(v);
        for (pass, c) in counts.chunks_exact_mut(buckets).enumerate() {
            c[((k >> (pass as u32 * BITS)) & mask) as usize] += 1;
        }
    }
    let mut in_buffer = false;
    let mut offsets = vec![0usize; buckets];
    for (pass, c) in counts.chunks_exact(buckets).enumerate() {
        // A pass where every value has the same digit would move nothing (the high digits
        // of values of one sign and magnitude, the low ones of whole numbers).
        if c.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for (o, count) in offsets.iter_mut().zip(c) {
            *o = sum;
            sum += count;
        }
        let (src, dst): (&[f64], &mut [f64]) = if in_buffer {
            (buffer, values)
        } else {
            (values, buffer)
        };
        for &v in src {
            let d = digit(v, pass);
            dst[offsets[d]] = v;
            offsets[d] += 1;
        }
        in_buffer = !in_buffer;
    }
    if in_buffer {
        values.copy_from_slice(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn sorts_like_a_comparison_sort() {
        let mut v: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 10007) as f64 * if i % 3 == 0 { -1.5 } else { 0.25 })
            .chain([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-310, -1e-310])
            .collect();
        let mut w = v.clone();
        sort_f64(&mut v);
        w.sort_by(f64::total_cmp);
        assert_eq!(bits(&v), bits(&w));
    }

    #[test]
    fn sorts_every_shape_of_column() {
        // Whole numbers (constant low digits: passes skipped, an odd number of passes
        // done), one sign only, a constant column, and values of every magnitude.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state
        };
        let columns: Vec<Vec<f64>> = vec![
            (0..5000).map(|_| (next() % 7) as f64).collect(),
            (0..5000).map(|_| (next() >> 11) as f64 / 1e9).collect(),
            vec![3.25; 4000],
            (0..5000)
                .map(|_| f64::from_bits(next() & !(0x7ff << 52) | ((next() % 2046 + 1) << 52)))
                .collect(),
            (0..5000).map(|_| -((next() % 1000) as f64) - 0.5).collect(),
        ];
        let long: Vec<f64> = (0..IN_CACHE_MAX * 40 + 1000)
            .map(|_| (next() >> 20) as f64 - 1e15)
            .collect();
        // Far outliers squeeze the rest into one bucket, level after level; values a few
        // ulps apart; subnormals; many ties; both signs with zeros of both signs.
        let mut outliers: Vec<f64> = (0..300_000).map(|_| (next() % 1000) as f64).collect();
        outliers.extend([1e300, -1e300, 1e200, 1e100, 1e50]);
        let ulps: Vec<f64> = (0..200_000)
            .map(|_| f64::from_bits(1.0f64.to_bits() + next() % 100))
            .collect();
        let subnormal: Vec<f64> = (0..200_000)
            .map(|_| f64::from_bits(next() % 5000) * if next() % 2 == 0 { -1.0 } else { 1.0 })
            .collect();
        let signed: Vec<f64> = (0..300_000)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => -0.0,
                _ => ((next() >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 1e3,
            })
            .collect();
        let peeled: Vec<f64> = (0..100_000).map(|i| 2f64.powi(-(i % 1000))).collect();
        for mut v in columns
            .into_iter()
            .chain([long, outliers, ulps, subnormal, signed, peeled])
        {
            let mut w = v.clone();
            sort_f64(&mut v);
            w.sort_by(f64::total_cmp);
            assert_eq!(bits(&v), bits(&w));
        }
    }
}
