//! The four readers and what they share: opening the input, telling a pipe from a file,
//! sizing batches, checking column names.

mod csv;
pub(crate) mod guard;
mod ipc;
mod jsonl;
mod parquet_file;
pub(crate) mod source;
mod thrift;

use std::io::{BufRead, BufReader, Cursor, Read};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema};

use crate::Format;
use crate::error::{DataError, invalid, too_large, unsupported};
pub(crate) use source::{Input, Random};

/// What a reader decodes: the columns kept (their schema), the batches of those columns, and
/// the columns kept by name that are not decoded, with the reason (named, never decoded).
pub(crate) struct Batches {
    pub schema: Arc<Schema>,
    pub unsupported: Unsupported,
    /// The rows the file declares before any is decoded (Parquet, Arrow), already checked
    /// against the file's size.
    pub declared_rows: Option<u64>,
    pub body: Body,
}

pub(crate) type BatchIter = Box<dyn Iterator<Item = Result<RecordBatch, DataError>> + Send>;

/// A part of the input that decodes on its own (a Parquet row group), opened when it is read.
pub(crate) type Unit = Box<dyn FnOnce() -> Result<BatchIter, DataError> + Send>;

/// The batches: one stream, or units that may be decoded at once, whose batches in the
/// units' order are the input's rows in order.
pub(crate) enum Body {
    Stream(BatchIter),
    Units(Vec<Unit>),
}

impl Body {
    /// The batches in order, one unit opened when the one before it ends.
    pub(crate) fn into_stream(self) -> BatchIter {
        match self {
            Body::Stream(s) => s,
            Body::Units(units) => {
                let mut units = units.into_iter();
                let mut current: Option<BatchIter> = None;
                Box::new(std::iter::from_fn(move || {
                    loop {
                        if let Some(batches) = current.as_mut() {
                            match batches.next() {
                                Some(b) => return Some(b),
                                None => current = None,
                            }
                        }
                        match units.next()?() {
                            Ok(batches) => current = Some(batches),
                            Err(e) => {
                                // Nothing after a failure is read.
                                units = Vec::new().into_iter();
                                return Some(Err(e));
                            }
                        }
                    }
                }))
            }
        }
    }
}

/// Columns left out for their type: (name, type).
pub(crate) type Unsupported = Vec<(String, String)>;

/// Which columns a reader decodes, of those the caller keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decode {
    /// Only those whose type holds numbers, text or booleans, the values drift compares.
    Values,
    /// Every column, in its own type.
    Typed,
}

/// Opens `input` as `format`, decoding the columns `keep` accepts as `decode` says.
pub(crate) fn open(
    name: &str,
    input: Input,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
    decode: Decode,
) -> Result<Batches, DataError> {
    match (format, input) {
        (Format::Csv, input) => csv::read(name, TextSource::new(name, input)?, keep, decode),
        (Format::JsonLines, input) => {
            jsonl::read(name, TextSource::new(name, input)?, keep, decode)
        }
        (Format::Parquet, Input::Random(r)) => parquet_file::read(name, r, keep, decode),
        (Format::ArrowIpc, Input::Random(r)) => ipc::read(name, r, keep, decode),
        (Format::Parquet | Format::ArrowIpc, Input::Stream(_)) => Err(unsupported(
            name,
            "needs a regular file (it is read by seeking)",
        )),
    }
}

/// Which columns to decode: those `keep` accepts (whose type can be read into values, when
/// decoding values). The others are not decoded at all (a damaged page of a column nobody
/// asked for cannot fail the read). Refuses duplicated names among the kept columns.
pub(crate) fn plan(
    name: &str,
    fields: &[Arc<Field>],
    keep: &dyn Fn(&str) -> bool,
    decode: Decode,
) -> Result<(Vec<usize>, Unsupported), DataError> {
    if fields.len() > MAX_COLUMNS {
        return Err(too_many_columns(
            name,
            format_args!("the file has {} columns,", fields.len()),
        ));
    }
    check_names(name, fields, keep)?;
    let mut chosen = Vec::new();
    let mut unsupported = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if !keep(f.name()) {
            continue;
        }
        if decode == Decode::Typed || crate::fold::supported(f.data_type()) {
            chosen.push(i);
        } else {
            unsupported.push((f.name().to_string(), type_text(f.data_type())));
        }
    }
    Ok((chosen, unsupported))
}

/// How many cells a batch may hold. A decoder's buffers grow with rows x columns of a batch,
/// so a fixed row count (arrow's default is 65,536) makes a 2,000-column file of ten rows
/// take gigabytes. About a million cells keeps a batch to a few tens of megabytes whatever
/// the shape, and still amortizes the per-batch work on narrow files.
const CELLS_PER_BATCH: usize = 1 << 20;
const MAX_BATCH_ROWS: usize = 64 * 1024;

/// The most rows a dataset may have: 2^32. A Parquet or Arrow file can claim any count for
/// columns it does not store (or stores as one run of nulls) at almost no cost in bytes;
/// counting 2^62 of them would never end. Four billion rows of one number column already
/// take 32 GB of values.
pub(crate) const MAX_ROWS: u64 = 1 << 32;

/// The most columns a file may have. Each column costs its reader a few hundred bytes to a
/// few kilobytes (a field, an array per batch, an accumulator, its line in a report), so a
/// 16 MB CSV of two million one-character columns took gigabytes. Checked from the header,
/// the footer or the keys before anything is kept per column.
pub(crate) const MAX_COLUMNS: usize = 100_000;

pub(crate) fn too_many_columns(name: &str, what: impl std::fmt::Display) -> DataError {
    too_large(
        name,
        format!(
            "{what} more than {MAX_COLUMNS} columns, the most Steward reads; keep fewer columns when writing the file"
        ),
    )
}

/// Rows x columns decoded may pass this only in proportion to the file's size (see
/// [`CELLS_PER_BYTE`]).
const FREE_CELLS: u64 = 1 << 28;

/// A Parquet file stores a run of nulls (or of one value) in a few bytes whatever its
/// length, and a zstd-compressed Arrow buffer of zeros expands 32,768 times, so a file of a
/// few kilobytes can claim 20 columns of 2^32 nulls, which take most of an hour to decode.
/// Past [`FREE_CELLS`], a file may claim at most this many cells per byte. Real files are far
/// below it: Parquet writers cut pages at 20,000 rows or about 1 MiB, and a page header
/// alone takes tens of bytes.
pub(crate) const CELLS_PER_BYTE: u64 = 1024;

/// Refuses a binary file whose claimed rows x decoded columns its size cannot account for,
/// before anything is decoded: time follows the bytes, not a count the file claims.
pub(crate) fn check_cells(name: &str, rows: u64, columns: u64, len: u64) -> Result<(), DataError> {
    let cells = rows.saturating_mul(columns);
    if cells > FREE_CELLS.saturating_add(len.saturating_mul(CELLS_PER_BYTE)) {
        return Err(too_large(
            name,
            format!(
                "the file claims {rows} rows x {columns} columns = {cells} values in {len} bytes, more than {CELLS_PER_BYTE} values per byte: runs of nulls or repeated values this long are refused, since decoding them would take hours"
            ),
        ));
    }
    Ok(())
}

pub(crate) fn batch_rows(columns: usize) -> usize {
    (CELLS_PER_BATCH / columns.max(1)).clamp(1, MAX_BATCH_ROWS)
}

/// A text input (CSV, JSON Lines) that can be read once for its schema and once for its
/// values. Bytes that can be read at any offset (a regular file, memory) are read twice from
/// the start, so every row decides the types, as pandas decides them; a stream cannot be
/// rewound, so its first bytes are kept in memory and decide the types alone.
pub(crate) struct TextSource {
    origin: Origin,
    /// A stream's first bytes (at most [`PIPE_INFERENCE_BYTES`]), or the first 8 KiB of
    /// bytes that can be read again.
    head: Vec<u8>,
    /// The head is the whole input.
    complete: bool,
    /// A UTF-8 byte order mark to skip, as pandas skips it.
    skip: usize,
}

enum Origin {
    Random(Random),
    Stream(Box<dyn Read + Send>),
}

/// How much of a pipe is kept to decide the column types.
const PIPE_INFERENCE_BYTES: u64 = 16 << 20;
const SNIFF_BYTES: u64 = 8 << 10;

impl TextSource {
    pub(crate) fn new(name: &str, input: Input) -> Result<TextSource, DataError> {
        let mut head = Vec::new();
        let (mut origin, limit) = match input {
            Input::Random(r) => (Origin::Random(r), SNIFF_BYTES),
            Input::Stream(s) => (Origin::Stream(s), PIPE_INFERENCE_BYTES),
        };
        let read = match &mut origin {
            Origin::Random(r) => r.reader_at(0).take(limit).read_to_end(&mut head),
            Origin::Stream(s) => s.by_ref().take(limit).read_to_end(&mut head),
        };
        read.map_err(|e| DataError::io(name, e))?;
        let complete = (head.len() as u64) < limit;
        if head.is_empty() {
            return Err(invalid(name, "the input is empty"));
        }
        let sniff = &head[..head.len().min(SNIFF_BYTES as usize)];
        if sniff.contains(&0) {
            return Err(invalid(
                name,
                "this is a binary file, not text (CSV and JSON Lines are UTF-8 text)",
            ));
        }
        if sniff.starts_with(b"PAR1") || sniff.starts_with(b"ARROW1") {
            return Err(invalid(
                name,
                "this looks like a Parquet or Arrow file; name it .parquet / .arrow or pass --input-format",
            ));
        }
        let skip = if head.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        Ok(TextSource {
            origin,
            head,
            complete,
            skip,
        })
    }

    /// Only the first bytes of a stream decide the schema (the rest was not seen).
    pub(crate) fn partial(&self) -> bool {
        matches!(self.origin, Origin::Stream(_)) && !self.complete
    }

    /// The bytes that decide the schema.
    pub(crate) fn for_inference(&mut self) -> Result<Box<dyn BufRead + '_>, DataError> {
        if let Origin::Random(r) = &self.origin {
            return Ok(Box::new(BufReader::with_capacity(
                1 << 16,
                r.reader_at(self.skip as u64),
            )));
        }
        // A stream's head may end inside a row: leave the partial last line out.
        let mut end = self.head.len();
        if !self.complete {
            end = self
                .head
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
        }
        Ok(Box::new(Cursor::new(
            &self.head[self.skip..end.max(self.skip)],
        )))
    }

    /// All the bytes, from the start, once.
    pub(crate) fn into_reader(self) -> Result<Box<dyn BufRead + Send>, DataError> {
        match self.origin {
            Origin::Random(r) => Ok(Box::new(BufReader::with_capacity(
                1 << 16,
                r.reader_at(self.skip as u64),
            ))),
            Origin::Stream(s) => {
                let mut head = Cursor::new(self.head);
                head.set_position(self.skip as u64);
                Ok(Box::new(BufReader::with_capacity(1 << 16, head.chain(s))))
            }
        }
    }
}

/// Refuses two kept columns with one name: which of them would a column's drift be about?
/// (A file with `x,y,x` would otherwise drift from itself.)
fn check_names(
    name: &str,
    fields: &[Arc<Field>],
    keep: &dyn Fn(&str) -> bool,
) -> Result<(), DataError> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, f) in fields.iter().enumerate() {
        if !keep(f.name()) {
            continue;
        }
        if let Some(first) = seen.insert(f.name(), i) {
            return Err(invalid(
                name,
                format!(
                    "duplicate column name `{}` (columns {} and {}); rename one, or leave them out with --exclude",
                    steward_io::clip(f.name(), 80),
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    Ok(())
}

/// A type as a note shows it: nested types by their kind (a struct nested 150 levels is
/// kilobytes of text), others by name, clipped.
pub(crate) fn type_text(dt: &arrow_schema::DataType) -> String {
    use arrow_schema::DataType as T;
    match dt {
        // Arrow's name for a column whose every cell is empty or missing.
        T::Null => "no values".to_string(),
        T::Struct(_) => "struct".to_string(),
        T::List(_)
        | T::LargeList(_)
        | T::FixedSizeList(..)
        | T::ListView(_)
        | T::LargeListView(_) => "list".to_string(),
        T::Map(..) => "map".to_string(),
        T::Union(..) => "union".to_string(),
        T::Dictionary(_, v) => format!("dictionary of {}", type_text(v)),
        T::RunEndEncoded(_, v) => format!("run-end encoded {}", type_text(v.data_type())),
        _ => steward_io::clip(&dt.to_string(), 80).into_owned(),
    }
}

/// An error text from a library, shortened and without its crate's prefix.
pub(crate) fn clean(s: &str) -> String {
    let s = s
        .replace("Csv error: ", "")
        .replace("Parser error: ", "")
        .replace("Json error: ", "")
        .replace("Parquet error: ", "")
        .replace("Parquet argument error: ", "")
        .replace("Ipc error: ", "")
        .replace("Io error: ", "")
        .replace("External error: ", "");
    steward_io::clip(&s, 300).into_owned()
}
