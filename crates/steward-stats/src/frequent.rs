//! A mergeable frequent-items summary of a categorical column with many distinct values
//! (the datasketches frequencies sketch: at most 3,072 tracked values, each count known
//! within the sketch's maximum error, and any value it does not track occurring at most
//! that many times). Kept instead of exact counts past [`crate::profile`]'s limit, so a
//! profile of such a column still answers a test, with a bound.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use datasketches::frequencies::{ErrorType, FrequentItemsSketch};
use serde::{Deserialize, Serialize};

/// log2 of the sketch's map: 4,096 slots, 3,072 values tracked, a maximum error of about
/// 3.5 / 4,096 of the count (0.09%).
pub const LG_MAP_SIZE: u8 = 12;
/// A serialized sketch larger than this is not kept (values of megabytes each): the column
/// then has no summary a test can use, which is said when it is compared. It bounds what a
/// profile file may make the reader decode, too.
pub const MAX_SKETCH_BYTES: usize = 8 * 1024 * 1024;

/// The serialized sketch with its count and maximum error written out for readers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FrequentItems {
    /// Rows summarized (the column's count).
    pub total: u64,
    /// Every count is known within this many rows.
    pub maximum_error: u64,
    /// The datasketches frequent-items sketch of the values (UTF-8 strings), base64.
    pub sketch: String,
}

/// A categorical side known by bounded counts: tracked values with [lower, upper] counts,
/// and every other value occurring at most `maximum_error` times.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoundedCounts {
    pub counts: BTreeMap<String, CountRange>,
    pub total: u64,
    pub maximum_error: u64,
}

/// A value's count: the sketch's estimate and the interval the true count lies in.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CountRange {
    pub estimate: u64,
    pub lower: u64,
    pub upper: u64,
}

/// Why a sketch could not be used.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SketchError {
    #[error("frequent-items sketch is {0} bytes; at most {MAX_SKETCH_BYTES} are kept")]
    TooLarge(usize),
    #[error("frequent-items sketch is damaged ({0})")]
    Damaged(String),
    #[error("frequent-items sketch disagrees with the column: {0}")]
    Inconsistent(String),
}

type Sketch = FrequentItemsSketch<String>;

fn new_sketch() -> Result<Sketch, SketchError> {
    Sketch::new(1 << LG_MAP_SIZE).map_err(|e| SketchError::Damaged(e.to_string()))
}

impl FrequentItems {
    /// The summary of exact counts (any number of values).
    pub fn from_counts<'a>(
        counts: impl IntoIterator<Item = (&'a String, &'a u64)>,
    ) -> Result<FrequentItems, SketchError> {
        let mut sketch = new_sketch()?;
        for (k, c) in counts {
            if *c > 0 {
                sketch.update_with_count(k.clone(), *c);
            }
        }
        FrequentItems::encode(&sketch)
    }

    fn encode(sketch: &Sketch) -> Result<FrequentItems, SketchError> {
        let bytes = sketch.serialize();
        if bytes.len() > MAX_SKETCH_BYTES {
            return Err(SketchError::TooLarge(bytes.len()));
        }
        Ok(FrequentItems {
            total: sketch.total_weight(),
            maximum_error: sketch.maximum_error(),
            sketch: STANDARD.encode(bytes),
        })
    }

    /// The sketch, checked before the library sees it: size, the map sizes its header
    /// claims (a larger one would make the library allocate what the file says), and the
    /// library's own decoder contained, so a damaged sketch is an error, never a crash.
    fn decode(&self) -> Result<Sketch, SketchError> {
        if self.sketch.len() > MAX_SKETCH_BYTES / 3 * 4 + 4 {
            return Err(SketchError::TooLarge(self.sketch.len() / 4 * 3));
        }
        let bytes = STANDARD
            .decode(&self.sketch)
            .map_err(|_| SketchError::Damaged("not base64".into()))?;
        let (Some(&lg_max), Some(&lg_cur)) = (bytes.get(3), bytes.get(4)) else {
            return Err(SketchError::Damaged("too short".into()));
        };
        if lg_max != LG_MAP_SIZE || lg_cur > LG_MAP_SIZE {
            return Err(SketchError::Damaged(format!(
                "map sizes 2^{lg_max} and 2^{lg_cur}; steward writes 2^{LG_MAP_SIZE}"
            )));
        }
        let sketch = std::panic::catch_unwind(|| Sketch::deserialize(&bytes))
            .map_err(|_| SketchError::Damaged("the decoder failed".into()))?
            .map_err(|e| SketchError::Damaged(e.to_string()))?;
        if sketch.total_weight() != self.total {
            return Err(SketchError::Inconsistent(format!(
                "the sketch holds {} rows, `total` says {}",
                sketch.total_weight(),
                self.total
            )));
        }
        if sketch.maximum_error() != self.maximum_error {
            return Err(SketchError::Inconsistent(format!(
                "the sketch's maximum error is {}, `maximum_error` says {}",
                sketch.maximum_error(),
                self.maximum_error
            )));
        }
        if sketch.maximum_error() > sketch.total_weight() {
            return Err(SketchError::Inconsistent(
                "its maximum error exceeds its count".into(),
            ));
        }
        Ok(sketch)
    }

    /// Checks a summary read from a file against its column's count.
    pub fn validate(&self, count: u64) -> Result<(), SketchError> {
        if self.total != count {
            return Err(SketchError::Inconsistent(format!(
                "`total` {} is not the column's count {count}",
                self.total
            )));
        }
        self.decode().map(|_| ())
    }

    /// The summary of both parts' rows; the maximum errors add up (at most), and the
    /// merged sketch states its own.
    pub fn merge(&self, other: &FrequentItems) -> Result<FrequentItems, SketchError> {
        let mut a = self.decode()?;
        let b = other.decode()?;
        let merged = std::panic::catch_unwind(move || {
            a.merge(&b);
            a
        })
        .map_err(|_| SketchError::Damaged("the merge failed".into()))?;
        FrequentItems::encode(&merged)
    }

    /// Adds exact counts (a part that still had them) to the summary.
    pub fn add_counts<'a>(
        &self,
        counts: impl IntoIterator<Item = (&'a String, &'a u64)>,
    ) -> Result<FrequentItems, SketchError> {
        let mut sketch = self.decode()?;
        for (k, c) in counts {
            if *c > 0 {
                sketch.update_with_count(k.clone(), *c);
            }
        }
        FrequentItems::encode(&sketch)
    }

    /// The tracked values with their count intervals.
    pub fn bounded_counts(&self) -> Result<BoundedCounts, SketchError> {
        let sketch = self.decode()?;
        let counts = sketch
            .frequent_items(ErrorType::NoFalseNegatives)
            .into_iter()
            .map(|row| {
                (
                    row.item().clone(),
                    CountRange {
                        estimate: row.estimate(),
                        lower: row.lower_bound(),
                        upper: row.upper_bound().min(sketch.total_weight()),
                    },
                )
            })
            .collect();
        Ok(BoundedCounts {
            counts,
            total: sketch.total_weight(),
            maximum_error: sketch.maximum_error(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(n: usize, seed: u64) -> BTreeMap<String, u64> {
        (0..n)
            .map(|i| {
                let heavy = if i % 97 == 0 { 5000 } else { 0 };
                (format!("v{i}"), 1 + (i as u64 * seed) % 7 + heavy)
            })
            .collect()
    }

    #[test]
    fn counts_lie_within_the_bounds_after_a_merge() {
        let (a, b) = (counts(30_000, 3), counts(20_000, 5));
        let fa = FrequentItems::from_counts(&a).unwrap();
        let fb = FrequentItems::from_counts(&b).unwrap();
        let merged = fa.merge(&fb).unwrap();
        let total: u64 = a.values().chain(b.values()).sum();
        assert_eq!(merged.total, total);
        assert!(
            merged.maximum_error < total / 500,
            "{}",
            merged.maximum_error
        );
        let bounded = merged.bounded_counts().unwrap();
        for (k, _) in a.iter().chain(&b) {
            let truth = a.get(k).copied().unwrap_or(0) + b.get(k).copied().unwrap_or(0);
            match bounded.counts.get(k) {
                Some(r) => assert!(r.lower <= truth && truth <= r.upper, "{k}: {r:?} {truth}"),
                None => assert!(truth <= bounded.maximum_error, "{k}: {truth}"),
            }
        }
    }

    #[test]
    fn a_damaged_sketch_is_an_error() {
        let f = FrequentItems::from_counts(&counts(20_000, 3)).unwrap();
        let mut bytes = STANDARD.decode(&f.sketch).unwrap();
        bytes[4] = 40; // a map of 2^40 slots claimed
        let claimed = FrequentItems {
            sketch: STANDARD.encode(&bytes),
            ..f.clone()
        };
        assert!(matches!(
            claimed.validate(f.total),
            Err(SketchError::Damaged(_))
        ));
        let cut = FrequentItems {
            sketch: STANDARD.encode(&STANDARD.decode(&f.sketch).unwrap()[..100]),
            ..f.clone()
        };
        assert!(cut.validate(f.total).is_err());
        assert!(f.validate(f.total + 1).is_err());
        f.validate(f.total).unwrap();
    }
}
