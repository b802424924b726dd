//! The four readers and what they share: opening the input, telling a pipe from a file,
//! sizing batches, checking column names.

mod csv;
pub(crate) mod guard;
mod ipc;
mod jsonl;
mod parquet_file;
mod thrift;

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Field, Schema};

use crate::{DataError, Format, err};

pub(crate) use self::csv::read as csv;
pub(crate) use self::ipc::read as ipc;
pub(crate) use self::jsonl::read as json_lines;
pub(crate) use self::parquet_file::read as parquet;

/// What a reader decodes: the columns kept (their schema), the batches of those columns, and
/// the columns kept by name whose type holds neither numbers nor categories (named, never
/// decoded).
pub(crate) struct Batches {
    pub schema: Arc<Schema>,
    pub unsupported: Unsupported,
    pub batches: Box<dyn Iterator<Item = Result<RecordBatch, String>> + Send>,
}

/// Columns left out for their type: (name, type).
pub(crate) type Unsupported = Vec<(String, String)>;

/// Which columns to decode: those `keep` accepts whose type can be read into values. The
/// others are not decoded at all (a damaged page of a column nobody asked for cannot fail
/// the read). Refuses duplicated names among the kept columns.
pub(crate) fn plan(
    name: &str,
    fields: &[Arc<Field>],
    keep: &dyn Fn(&str) -> bool,
) -> Result<(Vec<usize>, Unsupported), DataError> {
    if fields.len() > MAX_COLUMNS {
        return Err(too_many_columns(
            name,
            format_args!("the file has {} columns,", fields.len()),
        ));
    }
    check_names(name, fields, keep)?;
    let mut decode = Vec::new();
    let mut unsupported = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if !keep(f.name()) {
            continue;
        }
        if crate::supported(f.data_type()) {
            decode.push(i);
        } else {
            unsupported.push((f.name().to_string(), type_text(f.data_type())));
        }
    }
    Ok((decode, unsupported))
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
    err(
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
        return Err(err(
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

/// How the input can be read.
pub(crate) enum Input {
    /// A regular file of this many bytes: can be read twice and seeked.
    Regular(File, u64),
    /// A pipe (or FIFO, or `/dev/stdin` fed by one): read once, front to back.
    Pipe(File),
}

pub(crate) fn open(name: &str, path: &Path, format: Format) -> Result<Input, DataError> {
    let file = steward_io::open_input(path).map_err(|e| err(name, cannot_read(&e)))?;
    let meta = file.metadata().map_err(|e| err(name, cannot_read(&e)))?;
    if meta.is_file() {
        if meta.len() == 0 {
            return Err(err(name, "the file is empty"));
        }
        return Ok(Input::Regular(file, meta.len()));
    }
    #[cfg(unix)]
    let is_pipe = {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_fifo()
    };
    #[cfg(not(unix))]
    let is_pipe = false;
    if !is_pipe {
        // A device (`/dev/zero`, `/dev/urandom`, a terminal) or a socket: never a data file,
        // and reading one may never end.
        return Err(err(name, "is a device, not a data file"));
    }
    match format {
        Format::Csv | Format::JsonLines => Ok(Input::Pipe(file)),
        Format::Parquet | Format::ArrowIpc => Err(err(
            name,
            "is a pipe; Parquet and Arrow files are read by seeking, so they need a regular file (save it to a file first)",
        )),
    }
}

pub(crate) fn cannot_read(e: &std::io::Error) -> String {
    format!("cannot read: {e}")
}

/// A text input (CSV, JSON Lines) that can be read once for its schema and once for its
/// values. A regular file is read twice from the start, so every row decides the types, as
/// pandas decides them; a pipe cannot be rewound, so its first bytes are kept in memory and
/// decide the types alone.
pub(crate) struct TextSource {
    name: String,
    file: File,
    /// A pipe's first bytes (at most [`PIPE_INFERENCE_BYTES`]), or a regular file's first 8 KiB.
    head: Vec<u8>,
    /// The head is the whole input.
    complete: bool,
    regular: bool,
    /// A UTF-8 byte order mark to skip, as pandas skips it.
    skip: usize,
}

/// How much of a pipe is kept to decide the column types.
const PIPE_INFERENCE_BYTES: u64 = 16 << 20;
const SNIFF_BYTES: u64 = 8 << 10;

impl TextSource {
    pub(crate) fn new(name: &str, input: Input) -> Result<TextSource, DataError> {
        let (file, regular) = match input {
            Input::Regular(f, _) => (f, true),
            Input::Pipe(f) => (f, false),
        };
        let limit = if regular {
            SNIFF_BYTES
        } else {
            PIPE_INFERENCE_BYTES
        };
        let mut head = Vec::new();
        (&file)
            .take(limit)
            .read_to_end(&mut head)
            .map_err(|e| err(name, cannot_read(&e)))?;
        let complete = (head.len() as u64) < limit;
        if head.is_empty() {
            return Err(err(name, "the input is empty"));
        }
        let sniff = &head[..head.len().min(SNIFF_BYTES as usize)];
        if sniff.contains(&0) {
            return Err(err(
                name,
                "this is a binary file, not text (CSV and JSON Lines are UTF-8 text)",
            ));
        }
        if sniff.starts_with(b"PAR1") || sniff.starts_with(b"ARROW1") {
            return Err(err(
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
            name: name.to_string(),
            file,
            head,
            complete,
            regular,
            skip,
        })
    }

    /// Only the first bytes of a pipe decide the schema (the rest was not seen).
    pub(crate) fn partial(&self) -> bool {
        !self.regular && !self.complete
    }

    /// The bytes that decide the schema.
    pub(crate) fn for_inference(&mut self) -> Result<Box<dyn BufRead + '_>, DataError> {
        if self.regular {
            self.rewind()?;
            return Ok(Box::new(BufReader::with_capacity(1 << 16, &self.file)));
        }
        // A pipe's head may end inside a row: leave the partial last line out.
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
    pub(crate) fn into_reader(mut self) -> Result<Box<dyn BufRead + Send>, DataError> {
        if self.regular {
            self.rewind()?;
            return Ok(Box::new(BufReader::with_capacity(1 << 16, self.file)));
        }
        let mut head = Cursor::new(self.head);
        head.set_position(self.skip as u64);
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            head.chain(self.file),
        )))
    }

    fn rewind(&mut self) -> Result<(), DataError> {
        self.file
            .seek(SeekFrom::Start(self.skip as u64))
            .map(drop)
            .map_err(|e| err(&self.name, cannot_read(&e)))
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
            return Err(err(
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
