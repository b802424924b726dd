//! Reading datasets: CSV (a header row, quoted fields, UTF-8), Parquet, JSON Lines and Arrow
//! IPC, from a path, from bytes in memory or from any reader, into Arrow record batches in
//! their own types ([`open_batches`]) and, for drift, from those into per-column values
//! ([`read_from`]): numbers (missing values, NaN and infinities dropped and counted as
//! missing, as Evidently drops them) or category counts (strings and booleans). Every failure
//! names the input and says what is wrong, and its kind ([`Problem`], or a failed read) can be
//! told by matching.

mod batches;
pub mod drift;
mod error;
mod fold;
pub mod profile_file;
mod profile_stream;
mod read;
pub mod render;

use std::path::Path;

use rayon::prelude::*;
use steward_stats::Values;

pub use batches::RecordBatches;
pub use error::{DataError, Location, Problem};
pub use profile_stream::{
    DEFAULT_CHUNK_CELLS, StreamProfileOptions, StreamedProfile, profile_stream,
};
pub use read::source::Source;

use error::{invalid, too_large};
use fold::Accumulator;
use read::{Body, Decode};

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

/// Reads `path` in `format`, keeping only the columns `keep` accepts: [`read_from`] a path,
/// named as the path shows.
pub fn read(
    path: &Path,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Dataset, DataError> {
    let name = path.display().to_string();
    read_from(Source::Path(path.to_path_buf()), &name, format, keep)
}

/// Reads `source` (called `name` in errors) in `format` into per-column values, keeping
/// only the columns `keep` accepts. Columns left out are not decoded (where the format
/// allows, not even parsed into values), and batches are folded into per-column values as
/// they are read and then dropped, so memory holds the values, not the decoded batches as
/// well. Parquet row groups are decoded several at once on the caller's rayon pool.
///
/// Hostile or damaged input is an error naming the input, never a panic: declared lengths
/// are checked against the input's size before anything is reserved for them, and a panic
/// inside a third-party decoder is caught and reported as damage.
pub fn read_from(
    source: Source,
    name: &str,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Dataset, DataError> {
    let input = read::source::open(name, source, format)?;
    read_input(name, input, format, keep)
}

/// Every kept column of an opened input, folded into values.
fn read_input(
    name: &str,
    input: read::Input,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Dataset, DataError> {
    let size = input.size();
    let batches = read::open(name, input, format, keep, Decode::Values)?;
    fold_dataset(name, batches, size, Units::AtOnce)
}

/// How the units of an input (Parquet row groups) are decoded.
#[derive(Clone, Copy, PartialEq)]
enum Units {
    /// Several at once on the caller's pool, each into values of its own, joined after.
    AtOnce,
    /// One after the other, straight into the column's values: for one column read while
    /// the pool is busy with other columns, where joining parts would copy every value again.
    InTurn,
}

/// Folds every batch into per-column values; the file must have rows.
fn fold_dataset(
    name: &str,
    batches: read::Batches,
    size: Option<u64>,
    units: Units,
) -> Result<Dataset, DataError> {
    let read::Batches {
        schema,
        unsupported,
        declared_rows,
        body,
    } = batches;
    let numbers = schema
        .fields()
        .iter()
        .filter(|f| matches!(fold::kind_of(f.data_type()), Some((Kind::Number, _))))
        .count();
    let capacity = capacity(declared_rows, size, numbers);
    let mut accumulators: Vec<Accumulator> = schema
        .fields()
        .iter()
        .map(|f| Accumulator::for_type(f.data_type(), capacity))
        .collect();
    let rows = match body {
        Body::Stream(stream) => {
            let mut batches = RecordBatches::new(name, schema.clone(), Vec::new(), stream);
            fold::feed_all(name, &mut batches, &mut accumulators)?;
            batches.rows()
        }
        Body::Units(parts) if units == Units::AtOnce => {
            fold_units(name, &schema, parts, &mut accumulators)?
        }
        body @ Body::Units(_) => {
            let stream = body.into_stream();
            let mut batches = RecordBatches::new(name, schema.clone(), Vec::new(), stream);
            fold::feed_all(name, &mut batches, &mut accumulators)?;
            batches.rows()
        }
    };
    if rows == 0 {
        return Err(no_rows(name));
    }
    let rows = usize::try_from(rows).map_err(|_| too_large(name, "too many rows"))?;
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
    Ok(Dataset {
        rows,
        columns,
        unsupported: clip_left_out(unsupported),
    })
}

pub(crate) fn no_rows(name: &str) -> DataError {
    invalid(name, "the file has no rows (a header or schema only)")
}

/// The names of columns left out are only ever shown (a note per column): a name of
/// megabytes would make megabytes of notes, so each is clipped here, once for every caller,
/// with its control characters made visible.
pub(crate) fn clip_left_out(unsupported: read::Unsupported) -> Vec<(String, String)> {
    unsupported
        .into_iter()
        .map(|(name, ty)| (steward_io::clip(&name, 200).into_owned(), ty))
        .collect()
}

/// A dataset read one column at a time: its shape is known when it is opened, each
/// column's values are decoded when asked for and belong to the caller. Comparing two
/// datasets of 10 million rows x 25 columns a column at a time holds a few columns' values
/// at once (those being tested), not all 500 million.
pub struct ColumnarDataset {
    name: String,
    input: read::Random,
    rows: usize,
    columns: Vec<(String, Kind)>,
    unsupported: Vec<(String, String)>,
}

impl ColumnarDataset {
    /// The rows the file holds (checked against every column read).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The columns kept, in the file's order, with the kind of values each holds.
    pub fn columns(&self) -> &[(String, Kind)] {
        &self.columns
    }

    /// Columns left out for their type: (name, type).
    pub fn unsupported(&self) -> &[(String, String)] {
        &self.unsupported
    }

    /// The name the dataset goes by in errors.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Decodes the column at `index` of [`ColumnarDataset::columns`]; `None` when its arrays
    /// turn out not to be of the type its schema says (the column is then not tested).
    pub fn column(&self, index: usize) -> Result<Option<Column>, DataError> {
        let Some((wanted, _)) = self.columns.get(index) else {
            return Err(DataError::Internal {
                file: self.name.clone(),
                message: format!("column {index} asked for, of {}", self.columns.len()),
            });
        };
        let input = read::Input::Random(self.input.clone());
        let batches = read::open(
            &self.name,
            input,
            Format::Parquet,
            &|c| c == wanted,
            Decode::Values,
        )?;
        let one = fold_dataset(&self.name, batches, Some(self.input.len()), Units::InTurn)?;
        if one.rows != self.rows {
            return Err(error::damaged(
                &self.name,
                format!(
                    "the column `{}` holds {} rows where the file declares {}",
                    steward_io::clip(wanted, 200),
                    one.rows,
                    self.rows
                ),
            ));
        }
        Ok(one.columns.into_iter().next())
    }
}

/// A dataset as opened for comparison: its values, or a file whose columns are read one at
/// a time.
pub enum OpenedDataset {
    Rows(Dataset),
    Columns(ColumnarDataset),
}

impl OpenedDataset {
    /// The names of the columns kept, in order.
    pub fn column_names(&self) -> Vec<&str> {
        match self {
            OpenedDataset::Rows(d) => d.columns.iter().map(|c| c.name.as_str()).collect(),
            OpenedDataset::Columns(c) => c.columns.iter().map(|(n, _)| n.as_str()).collect(),
        }
    }

    /// Columns left out for their type: (name, type).
    pub fn unsupported(&self) -> &[(String, String)] {
        match self {
            OpenedDataset::Rows(d) => &d.unsupported,
            OpenedDataset::Columns(c) => &c.unsupported,
        }
    }
}

/// Opens `source` for comparison: a Parquet file (or Parquet bytes) a column at a time, since
/// each column can be decoded on its own for the cost of its own pages; any other input is
/// read whole, as [`read_from`] reads it. The same checks run before anything is decoded.
pub fn open_dataset(
    source: Source,
    name: &str,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<OpenedDataset, DataError> {
    let input = read::source::open(name, source, format)?;
    let random = match (&input, format) {
        (read::Input::Random(r), Format::Parquet) => r.clone(),
        _ => return read_input(name, input, format, keep).map(OpenedDataset::Rows),
    };
    // Only the footer is read here: the units of the body are never opened.
    let read::Batches {
        schema,
        unsupported,
        declared_rows,
        ..
    } = read::open(name, input, format, keep, Decode::Values)?;
    let rows = declared_rows.unwrap_or(0);
    if rows == 0 {
        return Err(no_rows(name));
    }
    let rows = usize::try_from(rows).map_err(|_| too_large(name, "too many rows"))?;
    let columns = schema
        .fields()
        .iter()
        .filter_map(|f| fold::kind_of(f.data_type()).map(|(k, _)| (f.name().to_string(), k)))
        .collect();
    Ok(OpenedDataset::Columns(ColumnarDataset {
        name: name.to_string(),
        input: random,
        rows,
        columns,
        unsupported: clip_left_out(unsupported),
    }))
}

/// How many numbers to reserve per column: the rows the file declares, but never more than
/// the input's own size can account for (a few bytes may claim millions of rows of one
/// repeated value; those columns then grow as their values arrive).
fn capacity(declared_rows: Option<u64>, size: Option<u64>, numbers: usize) -> usize {
    let (Some(rows), Some(size)) = (declared_rows, size) else {
        return 0;
    };
    // Eight bytes a value, for as many values as the input has bytes, shared by the columns.
    let per_column = size / numbers.max(1) as u64;
    usize::try_from(rows.min(per_column)).unwrap_or(0)
}

/// Decodes the units a few at a time (as many as the pool has threads), each into its own
/// accumulators, and adds those to `into` in the units' order, so the values keep the
/// input's order while at most one unit per thread is held decoded.
fn fold_units(
    name: &str,
    schema: &arrow_schema::SchemaRef,
    units: Vec<read::Unit>,
    into: &mut [Accumulator],
) -> Result<u64, DataError> {
    let mut rows = 0u64;
    let mut units = units.into_iter().peekable();
    let at_once = rayon::current_num_threads().max(1);
    while units.peek().is_some() {
        let wave: Vec<read::Unit> = units.by_ref().take(at_once).collect();
        let parts: Vec<Result<(Vec<Accumulator>, u64), DataError>> = wave
            .into_par_iter()
            .map(|unit| {
                let stream = unit()?;
                let mut batches = RecordBatches::new(name, schema.clone(), Vec::new(), stream);
                let mut part: Vec<Accumulator> = schema
                    .fields()
                    .iter()
                    .map(|f| Accumulator::for_type(f.data_type(), 0))
                    .collect();
                fold::feed_all(name, &mut batches, &mut part)?;
                Ok((part, batches.rows()))
            })
            .collect();
        for part in parts {
            let (part, n) = part?;
            rows = rows
                .checked_add(n)
                .filter(|&r| r <= read::MAX_ROWS)
                .ok_or_else(|| too_many_rows(name))?;
            for (acc, more) in into.iter_mut().zip(part) {
                acc.merge(more);
            }
        }
    }
    Ok(rows)
}

fn too_many_rows(name: &str) -> DataError {
    too_large(
        name,
        format!("more than {} rows, the most Steward reads", read::MAX_ROWS),
    )
}

/// Opens `source` (called `name` in errors) in `format` as a stream of Arrow record batches
/// of the columns `keep` accepts, each in its own type: dates, timestamps with their unit
/// and zone, decimals, 64-bit integers exactly, booleans, text; nothing is converted. The
/// same limits hold as for [`read_from`], and the same checks run before anything is
/// decoded; a panic inside a decoder ends the stream with a damage error. Columns that
/// cannot be decoded at all (a JSON key holding objects, a Parquet column nested past 64
/// levels) are named by [`RecordBatches::left_out`].
pub fn open_batches(
    source: Source,
    name: &str,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
) -> Result<RecordBatches, DataError> {
    let input = read::source::open(name, source, format)?;
    let read::Batches {
        schema,
        unsupported,
        body,
        ..
    } = read::open(name, input, format, keep, Decode::Typed)?;
    Ok(RecordBatches::new(
        name,
        schema,
        unsupported,
        body.into_stream(),
    ))
}
