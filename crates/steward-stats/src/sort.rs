//! An LSD radix sort for f64, the hot path of `steward drift` (every numerical column is
//! sorted, millions of values a side): the values themselves are moved, pass by pass, by
//! the digits of the order-preserving integer image of each float, so the only memory
//! taken is one buffer the size of the input.

/// Below this many values a comparison sort is faster than clearing the counters.
const RADIX_MIN: usize = 512;

/// Up to this many values, 11-bit digits (6 passes, 2,048 buckets); past it, 8-bit digits
/// (8 passes, 256 buckets): once the data is far larger than the caches, scattering to
/// 2,048 places at once costs more in address-translation misses than two passes save.
const WIDE_DIGITS_MAX: usize = 1 << 21;

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
    } else if n <= WIDE_DIGITS_MAX {
        radix_sort::<11>(values);
    } else {
        radix_sort::<8>(values);
    }
}

/// LSD radix sort by digits of `BITS` bits. The values themselves are moved (their keys are
/// recomputed on each pass, which costs less than reading and writing a key array), so the
/// only memory taken is one buffer the size of the input.
fn radix_sort<const BITS: u32>(values: &mut [f64]) {
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
    let mut buffer = vec![0.0f64; n];
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
            (&buffer, values)
        } else {
            (values, &mut buffer)
        };
        for &v in src {
            let d = digit(v, pass);
            dst[offsets[d]] = v;
            offsets[d] += 1;
        }
        in_buffer = !in_buffer;
    }
    if in_buffer {
        values.copy_from_slice(&buffer);
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
        let long: Vec<f64> = (0..WIDE_DIGITS_MAX + 1000)
            .map(|_| (next() >> 20) as f64 - 1e15)
            .collect();
        for mut v in columns.into_iter().chain([long]) {
            let mut w = v.clone();
            sort_f64(&mut v);
            w.sort_by(f64::total_cmp);
            assert_eq!(bits(&v), bits(&w));
        }
    }
}
