//! Reading datasets for drift: CSV (a header row, quoted fields, UTF-8), Parquet, JSON Lines
//! and Arrow IPC, by extension or by name, into Arrow record batches and from those into
//! per-column values: numbers (missing values and NaN dropped and counted) or category
//! counts (strings and booleans). Every failure names the file and says what is wrong.

pub mod drift;
pub mod render;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, RecordBatch};

use arrow_schema::{DataType, Schema};
use steward_stats::Values;

#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DataError {
    pub file: String,
    pub message: String,
}

fn err(file: &str, message: impl Into<String>) -> DataError {
    DataError {
        file: file.to_string(),
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

/// Reads `path` in `format`, keeping only the columns `keep` accepts. Batches are folded into
/// per-column values as they are read and then dropped, so memory holds the values, not the
/// file's decoded batches as well.
pub fn read(
    path: &Path,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Dataset, DataError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| err(&name, format!("cannot read: {e}")))?;
    if meta.is_dir() {
        return Err(err(&name, "is a folder, expected a data file"));
    }
    if meta.len() == 0 {
        return Err(err(&name, "the file is empty"));
    }
    let (schema, batches) = match format {
        Format::Csv => read_csv(&name, path)?,
        Format::Parquet => read_parquet(&name, path, keep)?,
        Format::JsonLines => read_json_lines(&name, path)?,
        Format::ArrowIpc => read_ipc(&name, path)?,
    };
    let mut accumulators: Vec<(usize, String, Accumulator)> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| keep(f.name()))
        .map(|(i, f)| {
            (
                i,
                f.name().to_string(),
                Accumulator::for_type(f.data_type()),
            )
        })
        .collect();
    let mut rows = 0usize;
    for batch in batches {
        let batch = batch.map_err(|e| err(&name, e))?;
        rows += batch.num_rows();
        for (i, _, acc) in accumulators.iter_mut() {
            acc.feed(batch.column(*i));
        }
    }
    if rows == 0 {
        return Err(err(&name, "the file has no rows (a header or schema only)"));
    }
    let mut columns = Vec::new();
    let mut unsupported = Vec::new();
    for (i, col_name, acc) in accumulators {
        match acc.finish(&col_name) {
            Some(c) => columns.push(c),
            None => unsupported.push((col_name, schema.field(i).data_type().to_string())),
        }
    }
    Ok(Dataset {
        rows,
        columns,
        unsupported,
    })
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
            if f.is_nan() {
                *missing += 1;
            } else {
                out.push(f);
            }
        }
    } else {
        for v in p.iter() {
            match v.map(&conv) {
                Some(f) if !f.is_nan() => out.push(f),
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

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(k, v) => {
            matches!(**v, DataType::Utf8)
                && matches!(
                    **k,
                    DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64
                )
        }
        _ => false,
    }
}

impl Accumulator {
    fn for_type(dt: &DataType) -> Accumulator {
        match dt {
            DataType::Float64 | DataType::Float32 => Accumulator::Number(Vec::new(), 0, false),
            DataType::Int64
            | DataType::Int32
            | DataType::Int16
            | DataType::Int8
            | DataType::UInt64
            | DataType::UInt32
            | DataType::UInt16
            | DataType::UInt8 => Accumulator::Number(Vec::new(), 0, true),
            DataType::Boolean => Accumulator::Boolean {
                t: 0,
                f: 0,
                missing: 0,
            },
            dt if is_text(dt) => Accumulator::Text(std::collections::HashMap::new(), 0),
            _ => Accumulator::Unsupported,
        }
    }

    fn feed(&mut self, a: &ArrayRef) {
        match self {
            Accumulator::Number(out, missing, _) => match a.data_type() {
                DataType::Float64 => push_numbers::<Float64Type>(a, out, missing, |x| x),
                DataType::Float32 => push_numbers::<Float32Type>(a, out, missing, f64::from),
                DataType::Int64 => push_numbers::<Int64Type>(a, out, missing, |x| x as f64),
                DataType::Int32 => push_numbers::<Int32Type>(a, out, missing, f64::from),
                DataType::Int16 => push_numbers::<Int16Type>(a, out, missing, f64::from),
                DataType::Int8 => push_numbers::<Int8Type>(a, out, missing, f64::from),
                DataType::UInt64 => push_numbers::<UInt64Type>(a, out, missing, |x| x as f64),
                DataType::UInt32 => push_numbers::<UInt32Type>(a, out, missing, f64::from),
                DataType::UInt16 => push_numbers::<UInt16Type>(a, out, missing, f64::from),
                DataType::UInt8 => push_numbers::<UInt8Type>(a, out, missing, f64::from),
                _ => *self = Accumulator::Unsupported,
            },
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
                let ok = match a.data_type() {
                    DataType::Utf8 => {
                        count_strings(map, missing, a.as_string::<i32>().iter());
                        true
                    }
                    DataType::LargeUtf8 => {
                        count_strings(map, missing, a.as_string::<i64>().iter());
                        true
                    }
                    DataType::Utf8View => {
                        count_strings(map, missing, a.as_string_view().iter());
                        true
                    }
                    DataType::Dictionary(k, _) => {
                        macro_rules! dict {
                            ($t:ty) => {
                                match a
                                    .as_dictionary::<$t>()
                                    .downcast_dict::<arrow_array::StringArray>()
                                {
                                    Some(d) => {
                                        count_strings(map, missing, d.into_iter());
                                        true
                                    }
                                    None => false,
                                }
                            };
                        }
                        match **k {
                            DataType::Int8 => dict!(Int8Type),
                            DataType::Int16 => dict!(Int16Type),
                            DataType::Int32 => dict!(Int32Type),
                            DataType::Int64 => dict!(Int64Type),
                            _ => false,
                        }
                    }
                    _ => false,
                };
                if !ok {
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

type Batches = (
    Arc<Schema>,
    Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
);

fn sniff_text(name: &str, path: &Path) -> Result<(), DataError> {
    let mut head = vec![0u8; 8192];
    let mut f = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
    let n = f
        .read(&mut head)
        .map_err(|e| err(name, format!("cannot read: {e}")))?;
    head.truncate(n);
    if head.contains(&0) {
        return Err(err(
            name,
            "this is a binary file, not text (CSV and JSON Lines are UTF-8 text)",
        ));
    }
    if head.starts_with(b"PAR1") || head.starts_with(b"ARROW1") {
        return Err(err(
            name,
            "this looks like a Parquet or Arrow file; name it .parquet / .arrow or pass --input-format",
        ));
    }
    Ok(())
}

fn read_csv(name: &str, path: &Path) -> Result<Batches, DataError> {
    sniff_text(name, path)?;
    let null_regex = arrow_csv::reader::Format::default()
        .with_header(true)
        .with_null_regex(regex_nulls());
    let mut file = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
    let (schema, _) = null_regex
        .infer_schema(&mut BufReader::new(&mut file), None)
        .map_err(|e| {
            err(
                name,
                format!(
                    "cannot read the CSV header and rows: {}",
                    clean(&e.to_string())
                ),
            )
        })?;
    if schema.fields().is_empty() {
        return Err(err(name, "the CSV file has no header row"));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| err(name, e.to_string()))?;
    let schema = Arc::new(schema);
    let reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_format(null_regex)
        .with_batch_size(64 * 1024)
        .build(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| err(name, clean(&e.to_string())))?;
    Ok((
        schema,
        Box::new(reader.map(|b| b.map_err(|e| clean(&e.to_string())))),
    ))
}

/// Cells read as missing, as pandas reads them: empty, NA, N/A, NaN, nan, null, NULL, None.
fn regex_nulls() -> regex::Regex {
    regex::Regex::new("^(|NA|N/A|NaN|nan|null|NULL|None)$").expect("a valid pattern")
}

fn clean(s: &str) -> String {
    s.replace("Csv error: ", "")
        .replace("Parser error: ", "")
        .replace("Json error: ", "")
}

fn read_parquet(
    name: &str,
    path: &Path,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Batches, DataError> {
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let file = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(|e| err(name, format!("not a readable Parquet file: {e}")))?;
    let schema = builder.schema().clone();
    let roots: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| keep(f.name()))
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.clone());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(64 * 1024)
        .build()
        .map_err(|e| err(name, format!("not a readable Parquet file: {e}")))?;
    let projected = Arc::new(
        schema
            .project(&roots)
            .map_err(|e| err(name, e.to_string()))?,
    );
    Ok((
        projected,
        Box::new(
            reader.map(|b| b.map_err(|e| format!("the Parquet data is damaged or truncated: {e}"))),
        ),
    ))
}

fn read_json_lines(name: &str, path: &Path) -> Result<Batches, DataError> {
    sniff_text(name, path)?;
    let file = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
    let (schema, _) = arrow_json::reader::infer_json_schema(BufReader::new(file), None)
        .map_err(|e| err(name, format!("not JSON Lines: {}", clean(&e.to_string()))))?;
    let schema = Arc::new(schema);
    let file = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
    let reader = arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(64 * 1024)
        .build(BufReader::with_capacity(1 << 20, file))
        .map_err(|e| err(name, clean(&e.to_string())))?;
    Ok((
        schema,
        Box::new(
            reader.map(|b| b.map_err(|e| format!("not JSON Lines: {}", clean(&e.to_string())))),
        ),
    ))
}

fn read_ipc(name: &str, path: &Path) -> Result<Batches, DataError> {
    let file = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
    match arrow_ipc::reader::FileReader::try_new(file, None) {
        Ok(reader) => {
            let schema = reader.schema();
            Ok((
                schema,
                Box::new(reader.map(|b| {
                    b.map_err(|e| format!("the Arrow data is damaged or truncated: {e}"))
                })),
            ))
        }
        Err(_) => {
            let file = File::open(path).map_err(|e| err(name, format!("cannot read: {e}")))?;
            let reader = arrow_ipc::reader::StreamReader::try_new(BufReader::new(file), None)
                .map_err(|e| err(name, format!("not an Arrow IPC file or stream: {e}")))?;
            let schema = reader.schema();
            Ok((
                schema,
                Box::new(reader.map(|b| {
                    b.map_err(|e| format!("the Arrow data is damaged or truncated: {e}"))
                })),
            ))
        }
    }
}
