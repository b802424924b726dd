//! Reading datasets for drift: CSV (a header row, quoted fields, UTF-8), Parquet, JSON Lines
//! and Arrow IPC, by extension or by name, into Arrow record batches and from those into
//! per-column values: numbers (missing values, NaN and infinities dropped and counted as
//! missing, as Evidently drops them) or category counts (strings and booleans). Every failure
//! names the file and says what is wrong.

pub mod drift;
mod read;
pub mod render;

use std::collections::BTreeMap;
use std::path::Path;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use steward_stats::Values;

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DataError {
    pub file: String,
    pub message: String,
}

/// An error about `file`; the name is shown with control characters made visible, as a name
/// with an escape sequence in it must not drive the terminal.
fn err(file: &str, message: impl Into<String>) -> DataError {
    DataError {
        file: steward_io::escape_line(file).into_owned(),
        message: message.into(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Parquet,
    JsonLines,
    ArrowIpc,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.to_ascii_lowercase().as_str() {
            "csv" => Format::Csv,
            "parquet" | "pq" => Format::Parquet,
            "jsonl" | "ndjson" | "json" | "jsonlines" => Format::JsonLines,
            "arrow" | "ipc" | "feather" | "arrows" => Format::ArrowIpc,
            _ => return None,
        })
    }

    /// By the file's extension.
    pub fn of(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::parse)
    }
}

/// What kind of values a column holds, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Number,
    Text,
    Boolean,
}

/// One column of a dataset: its values without the missing ones, and how many were missing.
#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub values: Values,
    pub missing: usize,
    /// Read from an integer type with nothing missing (pandas would hold it as int64).
    pub integer: bool,
}

#[derive(Clone, Debug)]
pub struct Dataset {
    pub rows: usize,
    pub columns: Vec<Column>,
    /// Columns that were left out because their type is not a number, a string or a boolean.
    pub unsupported: Vec<(String, String)>,
}

/// Reads `path` in `format`, keeping only the columns `keep` accepts. Columns left out are
/// not decoded (where the format allows, not even parsed into values), and batches are folded
/// into per-column values as they are read and then dropped, so memory holds the values, not
/// the file's decoded batches as well.
///
/// Hostile or damaged input is an error naming the file, never a panic: declared lengths are
/// checked against the file's size before anything is reserved for them, and a panic inside a
/// third-party decoder is caught and reported as damage.
pub fn read(
    path: &Path,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Dataset, DataError> {
    let name = path.display().to_string();
    let input = read::open(&name, path, format)?;
    let read::Batches {
        schema,
        unsupported,
        mut batches,
    } = match (format, input) {
        (Format::Csv, input) => read::csv(&name, read::TextSource::new(&name, input)?, keep)?,
        (Format::JsonLines, input) => {
            read::json_lines(&name, read::TextSource::new(&name, input)?, keep)?
        }
        (Format::Parquet, read::Input::Regular(file, len)) => {
            read::parquet(&name, file, len, keep)?
        }
        (Format::ArrowIpc, read::Input::Regular(file, len)) => read::ipc(&name, file, len, keep)?,
        (Format::Parquet | Format::ArrowIpc, read::Input::Pipe(_)) => {
            return Err(err(&name, "needs a regular file (it is read by seeking)"));
        }
    };
    let mut accumulators: Vec<Accumulator> = schema
        .fields()
        .iter()
        .map(|f| Accumulator::for_type(f.data_type()))
        .collect();
    let mut rows = 0usize;
    loop {
        let next = read::guard::contain(|| batches.next())
            .map_err(|p| err(&name, format!("the file is damaged: {p}")))?;
        let Some(batch) = next else { break };
        let batch = batch.map_err(|e| err(&name, e))?;
        if batch.num_columns() != accumulators.len() {
            return Err(err(
                &name,
                "the file is damaged: a batch does not match the schema",
            ));
        }
        rows = rows
            .checked_add(batch.num_rows())
            .filter(|&r| r as u64 <= read::MAX_ROWS)
            .ok_or_else(|| {
                err(
                    &name,
                    format!("more than {} rows, the most Steward reads", read::MAX_ROWS),
                )
            })?;
        // A batch whose arrays are not of the schema's types (a damaged file the decoder let
        // through) would make a downcast panic: that is damage too.
        read::guard::contain(|| {
            for (acc, column) in accumulators.iter_mut().zip(batch.columns()) {
                acc.feed(column);
            }
        })
        .map_err(|p| err(&name, format!("the file is damaged: {p}")))?;
    }
    drop(batches);
    if rows == 0 {
        return Err(err(&name, "the file has no rows (a header or schema only)"));
    }
    let mut columns = Vec::new();
    let mut unsupported = unsupported;
    for (field, acc) in schema.fields().iter().zip(accumulators) {
        match acc.finish(field.name()) {
            Some(c) => columns.push(c),
            None => {
                unsupported.push((field.name().to_string(), read::type_text(field.data_type())))
            }
        }
    }
    // The names of columns left out are only ever shown (a note per column): a name of
    // megabytes would make megabytes of notes, so each is clipped here, once for every
    // caller, with its control characters made visible.
    let unsupported = unsupported
        .into_iter()
        .map(|(name, ty)| (steward_io::clip(&name, 200).into_owned(), ty))
        .collect();
    Ok(Dataset {
        rows,
        columns,
        unsupported,
    })
}

/// Can a column of this type be read into values?
fn supported(dt: &DataType) -> bool {
    !matches!(Accumulator::for_type(dt), Accumulator::Unsupported)
}

/// One column's values as they accumulate, batch by batch.
enum Accumulator {
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
fn kind_of(dt: &DataType) -> Option<(Kind, bool)> {
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
    fn for_type(dt: &DataType) -> Accumulator {
        match kind_of(dt) {
            Some((Kind::Number, integer)) => Accumulator::Number(Vec::new(), 0, integer),
            Some((Kind::Boolean, _)) => Accumulator::Boolean {
                t: 0,
                f: 0,
                missing: 0,
            },
            Some((Kind::Text, _)) => Accumulator::Text(std::collections::HashMap::new(), 0),
            None => Accumulator::Unsupported,
        }
    }

    fn feed(&mut self, a: &ArrayRef) {
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

    fn finish(self, name: &str) -> Option<Column> {
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
