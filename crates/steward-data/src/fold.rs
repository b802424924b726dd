//! Folding batches into per-column values: numbers as floats (missing values, NaN and
//! infinities dropped and counted as missing), strings and booleans as category counts.

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use steward_stats::Values;

use crate::{Column, Kind};

/// Can a column of this type be read into values?
pub(crate) fn supported(dt: &DataType) -> bool {
    kind_of(dt).is_some()
}

/// One column's values as they accumulate, batch by batch.
pub(crate) enum Accumulator {
    /// Values, missing count, and whether the source type is an integer.
    Number(Vec<f64>, usize, bool),
    Boolean {
        t: u64,
        f: u64,
        missing: usize,
    },
    Text(std::collections::HashMap<String, u64>, usize),
    Unsupported,
}

/// Non-finite numbers (NaN, `inf`, `-inf`, `1e400` read as infinity) are missing values:
/// Evidently replaces infinities with NaN and drops them before any test, and a test fed an
/// infinity returns no score at all.
fn push_numbers<T: ArrowPrimitiveType>(
    a: &ArrayRef,
    out: &mut Vec<f64>,
    missing: &mut usize,
    conv: impl Fn(T::Native) -> f64,
) {
    let p = a.as_primitive::<T>();
    out.reserve(p.len());
    if p.null_count() == 0 {
        for v in p.values().iter() {
            let f = conv(*v);
            if !f.is_finite() {
                *missing += 1;
            } else {
                out.push(f);
            }
        }
    } else {
        for v in p.iter() {
            match v.map(&conv) {
                Some(f) if f.is_finite() => out.push(f),
                _ => *missing += 1,
            }
        }
    }
}

fn count_strings<'a>(
    map: &mut std::collections::HashMap<String, u64>,
    missing: &mut usize,
    values: impl Iterator<Item = Option<&'a str>>,
) {
    for v in values {
        match v {
            // Look up by &str; allocate only for a value not seen before.
            Some(s) => match map.get_mut(s) {
                Some(n) => *n += 1,
                None => {
                    map.insert(s.to_string(), 1);
                }
            },
            None => *missing += 1,
        }
    }
}

/// The kind of values a column of this type holds, if it can be read: any integer or
/// float (half floats too), decimals, text in any of Arrow's three layouts, booleans, and a
/// dictionary of any key type whose values are one of those (pandas' categoricals).
pub(crate) fn kind_of(dt: &DataType) -> Option<(Kind, bool)> {
    match dt {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Some((Kind::Number, false)),
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => Some((Kind::Number, false)),
        dt if dt.is_integer() => Some((Kind::Number, true)),
        DataType::Boolean => Some((Kind::Boolean, false)),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Some((Kind::Text, false)),
        DataType::Dictionary(k, v) if k.is_integer() => match kind_of(v) {
            Some((Kind::Boolean, _)) | None => None,
            other => other,
        },
        _ => None,
    }
}

/// A decimal's value as a float: the unscaled integer over 10^scale.
fn unscale(x: f64, scale: i8) -> f64 {
    x / 10f64.powi(i32::from(scale))
}

/// Every value of a numeric array as a float (`None` where missing or not finite); `None`
/// for another type.
fn floats(a: &ArrayRef) -> Option<Vec<Option<f64>>> {
    let mut all = Vec::with_capacity(a.len());
    if !push_positions(a, &mut all) {
        return None;
    }
    Some(
        all.into_iter()
            .enumerate()
            .map(|(i, f)| (a.is_valid(i) && f.is_finite()).then_some(f))
            .collect(),
    )
}

/// Every value of a numeric array as a float, valid or not, in order.
fn push_positions(a: &ArrayRef, out: &mut Vec<f64>) -> bool {
    macro_rules! all {
        ($t:ty, $conv:expr) => {{
            let conv = $conv;
            out.extend(a.as_primitive::<$t>().values().iter().map(|v| conv(*v)));
            true
        }};
    }
    match a.data_type() {
        DataType::Float64 => all!(Float64Type, |x: f64| x),
        DataType::Float32 => all!(Float32Type, f64::from),
        DataType::Float16 => all!(
            Float16Type,
            |x: <Float16Type as ArrowPrimitiveType>::Native| x.to_f64()
        ),
        DataType::Int64 => all!(Int64Type, |x: i64| x as f64),
        DataType::Int32 => all!(Int32Type, f64::from),
        DataType::Int16 => all!(Int16Type, f64::from),
        DataType::Int8 => all!(Int8Type, f64::from),
        DataType::UInt64 => all!(UInt64Type, |x: u64| x as f64),
        DataType::UInt32 => all!(UInt32Type, f64::from),
        DataType::UInt16 => all!(UInt16Type, f64::from),
        DataType::UInt8 => all!(UInt8Type, f64::from),
        DataType::Decimal32(_, s) => all!(Decimal32Type, |x: i32| unscale(f64::from(x), *s)),
        DataType::Decimal64(_, s) => all!(Decimal64Type, |x: i64| unscale(x as f64, *s)),
        DataType::Decimal128(_, s) => all!(Decimal128Type, |x: i128| unscale(x as f64, *s)),
        DataType::Decimal256(_, s) => all!(
            Decimal256Type,
            |x: <Decimal256Type as ArrowPrimitiveType>::Native| {
                unscale(x.to_string().parse::<f64>().unwrap_or(f64::NAN), *s)
            }
        ),
        _ => false,
    }
}

/// The valid, finite values of any numeric array; false for another type.
fn push_any_number(a: &ArrayRef, out: &mut Vec<f64>, missing: &mut usize) -> bool {
    match a.data_type() {
        DataType::Float64 => push_numbers::<Float64Type>(a, out, missing, |x| x),
        DataType::Float32 => push_numbers::<Float32Type>(a, out, missing, f64::from),
        DataType::Float16 => push_numbers::<Float16Type>(a, out, missing, |x| x.to_f64()),
        DataType::Int64 => push_numbers::<Int64Type>(a, out, missing, |x| x as f64),
        DataType::Int32 => push_numbers::<Int32Type>(a, out, missing, f64::from),
        DataType::Int16 => push_numbers::<Int16Type>(a, out, missing, f64::from),
        DataType::Int8 => push_numbers::<Int8Type>(a, out, missing, f64::from),
        DataType::UInt64 => push_numbers::<UInt64Type>(a, out, missing, |x| x as f64),
        DataType::UInt32 => push_numbers::<UInt32Type>(a, out, missing, f64::from),
        DataType::UInt16 => push_numbers::<UInt16Type>(a, out, missing, f64::from),
        DataType::UInt8 => push_numbers::<UInt8Type>(a, out, missing, f64::from),
        DataType::Decimal32(_, s) => {
            let s = *s;
            push_numbers::<Decimal32Type>(a, out, missing, |x| unscale(f64::from(x), s))
        }
        DataType::Decimal64(_, s) => {
            let s = *s;
            push_numbers::<Decimal64Type>(a, out, missing, |x| unscale(x as f64, s))
        }
        DataType::Decimal128(_, s) => {
            let s = *s;
            push_numbers::<Decimal128Type>(a, out, missing, |x| unscale(x as f64, s))
        }
        DataType::Decimal256(_, s) => {
            let s = *s;
            push_numbers::<Decimal256Type>(a, out, missing, |x| {
                unscale(x.to_string().parse::<f64>().unwrap_or(f64::NAN), s)
            })
        }
        DataType::Dictionary(..) => {
            let d = a.as_any_dictionary();
            let Some(values) = floats(d.values()) else {
                return false;
            };
            if values.is_empty() {
                *missing += a.len();
                return true;
            }
            let keys = d.normalized_keys();
            for (i, k) in keys.into_iter().enumerate() {
                match values[k] {
                    Some(f) if d.keys().is_valid(i) => out.push(f),
                    _ => *missing += 1,
                }
            }
            return true;
        }
        _ => return false,
    }
    true
}

/// The strings of a text array, counted; false for another type.
fn count_any_text(
    a: &ArrayRef,
    map: &mut std::collections::HashMap<String, u64>,
    missing: &mut usize,
) -> bool {
    match a.data_type() {
        DataType::Utf8 => count_strings(map, missing, a.as_string::<i32>().iter()),
        DataType::LargeUtf8 => count_strings(map, missing, a.as_string::<i64>().iter()),
        DataType::Utf8View => count_strings(map, missing, a.as_string_view().iter()),
        DataType::Dictionary(..) => {
            let d = a.as_any_dictionary();
            let values = d.values();
            if !matches!(
                values.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) {
                return false;
            }
            if values.is_empty() {
                *missing += a.len();
                return true;
            }
            // Count each key, then add each distinct value once with its count.
            let mut counts = vec![0u64; values.len()];
            for (i, k) in d.normalized_keys().into_iter().enumerate() {
                if d.keys().is_valid(i) {
                    counts[k] += 1;
                } else {
                    *missing += 1;
                }
            }
            for (v, n) in counts.into_iter().enumerate().filter(|(_, n)| *n > 0) {
                match text_at(values, v) {
                    Some(s) => match map.get_mut(s) {
                        Some(c) => *c += n,
                        None => {
                            map.insert(s.to_string(), n);
                        }
                    },
                    // A key pointing at a null value is missing too.
                    None => *missing += n as usize,
                }
            }
        }
        _ => return false,
    }
    true
}

fn text_at(a: &ArrayRef, i: usize) -> Option<&str> {
    if a.is_null(i) {
        return None;
    }
    match a.data_type() {
        DataType::Utf8 => Some(a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => Some(a.as_string::<i64>().value(i)),
        DataType::Utf8View => Some(a.as_string_view().value(i)),
        _ => None,
    }
}

impl Accumulator {
    /// An empty accumulator; a column of numbers reserves room for `capacity` of them.
    pub(crate) fn for_type(dt: &DataType, capacity: usize) -> Accumulator {
        match kind_of(dt) {
            Some((Kind::Number, integer)) => {
                Accumulator::Number(Vec::with_capacity(capacity), 0, integer)
            }
            Some((Kind::Boolean, _)) => Accumulator::Boolean {
                t: 0,
                f: 0,
                missing: 0,
            },
            Some((Kind::Text, _)) => Accumulator::Text(std::collections::HashMap::new(), 0),
            None => Accumulator::Unsupported,
        }
    }

    pub(crate) fn feed(&mut self, a: &ArrayRef) {
        match self {
            Accumulator::Number(out, missing, _) => {
                if !push_any_number(a, out, missing) {
                    *self = Accumulator::Unsupported;
                }
            }
            Accumulator::Boolean { t, f, missing } => {
                for v in a.as_boolean().iter() {
                    match v {
                        Some(true) => *t += 1,
                        Some(false) => *f += 1,
                        None => *missing += 1,
                    }
                }
            }
            Accumulator::Text(map, missing) => {
                if !count_any_text(a, map, missing) {
                    *self = Accumulator::Unsupported;
                }
            }
            Accumulator::Unsupported => {}
        }
    }

    /// Adds what `later` accumulated from the rows after this one's.
    pub(crate) fn merge(&mut self, later: Accumulator) {
        match (&mut *self, later) {
            (Accumulator::Number(values, missing, _), Accumulator::Number(more, m, _)) => {
                values.extend_from_slice(&more);
                *missing += m;
            }
            (
                Accumulator::Boolean { t, f, missing },
                Accumulator::Boolean {
                    t: t2,
                    f: f2,
                    missing: m2,
                },
            ) => {
                *t += t2;
                *f += f2;
                *missing += m2;
            }
            (Accumulator::Text(map, missing), Accumulator::Text(more, m)) => {
                *missing += m;
                if map.is_empty() {
                    *map = more;
                } else {
                    for (value, n) in more {
                        *map.entry(value).or_insert(0) += n;
                    }
                }
            }
            // A part whose arrays were of another type than the schema's made its column
            // unreadable: so is the whole column.
            (_, Accumulator::Unsupported) => *self = Accumulator::Unsupported,
            (Accumulator::Unsupported, _) => {}
            _ => *self = Accumulator::Unsupported,
        }
    }

    pub(crate) fn finish(self, name: &str) -> Option<Column> {
        let mut integer = false;
        let (kind, values, missing) = match self {
            Accumulator::Number(v, m, int) => {
                integer = int && m == 0;
                (Kind::Number, Values::Numerical(v), m)
            }
            Accumulator::Boolean { t, f, missing } => {
                // Python's names and order: False < True.
                let mut counts = BTreeMap::new();
                if f > 0 {
                    counts.insert("False".to_string(), f);
                }
                if t > 0 {
                    counts.insert("True".to_string(), t);
                }
                (Kind::Boolean, Values::Categorical(counts), missing)
            }
            Accumulator::Text(map, m) => (
                Kind::Text,
                Values::Categorical(map.into_iter().collect()),
                m,
            ),
            Accumulator::Unsupported => return None,
        };
        Some(Column {
            name: name.to_string(),
            kind,
            values,
            missing,
            integer,
        })
    }
}

/// Feeds every batch of `batches` to the accumulators, one per column.
pub(crate) fn feed_all(
    name: &str,
    batches: &mut crate::RecordBatches,
    accumulators: &mut [Accumulator],
) -> Result<(), crate::DataError> {
    for batch in batches {
        let batch = batch?;
        // The batch matches the schema, so no downcast can fail; a panic in arrow's own code
        // on a damaged array is still damage, not a crash.
        crate::read::guard::contain(|| {
            for (acc, column) in accumulators.iter_mut().zip(batch.columns()) {
                acc.feed(column);
            }
        })
        .map_err(|p| crate::error::damaged(name, p))?;
    }
    Ok(())
}
