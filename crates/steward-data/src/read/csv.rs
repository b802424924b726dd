//! CSV: a header row, quoted fields, UTF-8; types inferred from the values as pandas infers
//! them (numbers, or text).

use std::sync::Arc;

use std::io::BufRead;

use arrow_schema::{DataType, Field, Schema};

use super::{Batches, Body, Decode, TextSource, batch_rows, clean, plan};
use crate::error::{DataError, Location, internal_arrow, invalid};

/// Cells read as missing, as pandas reads them: empty, NA, N/A, NaN, nan, null, NULL, None.
/// Infinities in any spelling pandas parses (`inf`, `-Infinity`, `INF`) are missing too:
/// Evidently drops them, and arrow would otherwise read `Infinity` as text and turn a column
/// of numbers into categories. (`1e400` is read as a number, infinite, and dropped later.)
/// NaN likewise in any case and with any sign (`NAN`, `-nan` as C's printf writes it, `+NaN`).
fn regex_nulls() -> regex::Regex {
    regex::Regex::new("^(|NA|N/A|null|NULL|None|[+-]?(?i:nan|inf|infinity))$")
        .expect("a valid pattern")
}

pub(crate) fn read(
    name: &str,
    mut source: TextSource,
    keep: &dyn Fn(&str) -> bool,
    decode: Decode,
) -> Result<Batches, DataError> {
    let format = arrow_csv::reader::Format::default()
        .with_header(true)
        .with_null_regex(regex_nulls());
    let header = count_header(name, source.for_inference()?)?;
    if header > super::MAX_COLUMNS {
        return Err(super::too_many_columns(
            name,
            format_args!("the header names {header} columns,"),
        ));
    }
    // A pipe's head may end inside a quoted field that the rest of the input closes.
    let partial = source.partial();
    let (schema, _) = format
        .infer_schema(Text::new(source.for_inference()?, !partial), None)
        .map_err(|e| {
            let e = clean(&e.to_string());
            if e.starts_with("line ") {
                let line = e
                    .strip_prefix("line ")
                    .and_then(|r| r.split(':').next())
                    .and_then(|l| l.parse().ok());
                let at = line.map(Location::line).unwrap_or_default();
                return invalid(name, e).at(at);
            }
            invalid(name, format!("cannot read the CSV header and rows: {e}"))
        })?;
    if schema.fields().is_empty() {
        return Err(invalid(name, "the CSV file has no header row"));
    }
    // Two empty header cells (`x,,`) are two columns with the same name, "": which would a
    // report line be about? Refused like any duplicate, before pandas-style renaming could
    // hide it.
    let unnamed: Vec<usize> = schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name().is_empty())
        .map(|(i, _)| i + 1)
        .collect();
    if let [first, second, ..] = unnamed[..] {
        return Err(invalid(
            name,
            format!(
                "duplicate column name: columns {first} and {second} have no name in the header; name them"
            ),
        ));
    }
    // A single empty header cell (a trailing comma, `x,`) gets the name pandas gives it, so
    // the column can be named in --columns and matches an Evidently report of the same file.
    let fields: Vec<Arc<Field>> = schema
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = if f.name().is_empty() {
                Arc::new(f.as_ref().clone().with_name(format!("Unnamed: {i}")))
            } else {
                f.clone()
            };
            // A column empty throughout a pipe's first 16 MiB (which decide the types) may
            // fill later: it is read as numbers, and a later value that is not a number is
            // an error at its line, never a column dropped without a word.
            if partial && f.data_type() == &DataType::Null {
                Arc::new(f.as_ref().clone().with_data_type(DataType::Float64))
            } else {
                f
            }
        })
        .collect();
    let (projection, unsupported) = plan(name, &fields, keep, decode)?;
    let schema = Arc::new(Schema::new(fields));
    let projected = Arc::new(
        schema
            .project(&projection)
            .map_err(|e| internal_arrow(name, &e))?,
    );
    // The decoder splits every field of a row, kept or not, so the batch is sized by all
    // the columns; only the kept ones are parsed into arrays.
    let reader = arrow_csv::ReaderBuilder::new(schema.clone())
        .with_format(format)
        .with_projection(projection)
        .with_batch_size(batch_rows(schema.fields().len()))
        .build_buffered(Text::new(source.into_reader()?, true))
        .map_err(|e| internal_arrow(name, &e))?;
    let name = name.to_string();
    Ok(Batches {
        schema: projected,
        unsupported,
        declared_rows: None,
        body: Body::Stream(Box::new(
            reader.map(move |b| b.map_err(|e| batch_error(&name, e, &schema))),
        )),
    })
}

/// The number of fields in the header row, counted before anything is kept per column.
fn count_header(name: &str, reader: Box<dyn BufRead + '_>) -> Result<usize, DataError> {
    let mut r = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = ::csv::ByteRecord::new();
    match r.read_byte_record(&mut record) {
        Ok(_) => Ok(record.len()),
        Err(e) => Err(invalid(
            name,
            format!("cannot read the CSV header: {}", clean(&e.to_string())),
        )),
    }
}

/// Where the text is, for the CSV grammar arrow-csv reads (RFC 4180: `,` between fields,
/// `"` quotes at a field's start, `""` inside quotes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    FieldStart,
    Unquoted,
    Quoted,
    /// A `"` inside quotes: the end of the quotes, or the first half of `""`.
    QuoteInQuoted,
}

/// The text between the input and arrow-csv, which it changes in two ways pandas differs:
/// a line of only spaces and tabs between records is blank, and left out as pandas leaves
/// it out (arrow-csv would read it as a one-field row and refuse the file as ragged); and a
/// quote that never closes is an error at the line it opened on (arrow-csv would take the
/// rest of the file as one cell, and a file of thousands of rows would read as one).
/// Lines inside quotes are never touched.
struct Text<R> {
    inner: R,
    out: Vec<u8>,
    pos: usize,
    grammar: Grammar,
    /// The end of `inner` is the end of the input (not a pipe's head).
    whole: bool,
}

impl<R: BufRead> Text<R> {
    fn new(inner: R, whole: bool) -> Self {
        Text {
            inner,
            out: Vec::new(),
            pos: 0,
            grammar: Grammar {
                at: At::FieldStart,
                line_start: true,
                pending: Vec::new(),
                line: 1,
                quote_line: 0,
            },
            whole,
        }
    }
}

/// Where the text is, and what is held back.
struct Grammar {
    at: At,
    /// At the start of a record's line: spaces and tabs are held until the line shows
    /// whether it is blank.
    line_start: bool,
    pending: Vec<u8>,
    line: u64,
    quote_line: u64,
}

impl Grammar {
    /// Copies `chunk` to `out`, leaving out blank lines' spaces and tracking quotes and
    /// lines. Runs of bytes that cannot change the state are copied whole: outside quotes,
    /// up to the next quote or line end; inside quotes, up to the next quote (counting the
    /// line ends it passes). This filter sees every byte of a CSV body, twice when the body
    /// decides its own types, so a byte at a time was a sixth of an upload's CPU.
    fn take(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
        out.reserve(chunk.len());
        let mut i = 0;
        while i < chunk.len() {
            let rest = &chunk[i..];
            let run = match self.at {
                _ if self.line_start => 0,
                At::QuoteInQuoted => 0,
                At::Quoted => {
                    let n = memchr::memchr(b'"', rest).unwrap_or(rest.len());
                    self.line += memchr::memchr_iter(b'\n', &rest[..n]).count() as u64;
                    n
                }
                At::FieldStart | At::Unquoted => {
                    let n = memchr::memchr3(b'"', b'\n', b'\r', rest).unwrap_or(rest.len());
                    if n > 0 {
                        self.at = if rest[n - 1] == b',' {
                            At::FieldStart
                        } else {
                            At::Unquoted
                        };
                    }
                    n
                }
            };
            out.extend_from_slice(&rest[..run]);
            i += run;
            if i < chunk.len() {
                self.step(chunk[i], out);
                i += 1;
            }
        }
    }

    /// One byte through the grammar.
    fn step(&mut self, b: u8, out: &mut Vec<u8>) {
        if self.line_start {
            match b {
                b' ' | b'\t' => {
                    self.pending.push(b);
                    return;
                }
                b'\n' | b'\r' => {
                    // A blank line: its spaces go, its end stays (an empty line, which
                    // arrow-csv skips).
                    self.pending.clear();
                    out.push(b);
                    if b == b'\n' {
                        self.line += 1;
                    }
                    return;
                }
                _ => {
                    self.line_start = false;
                    if !self.pending.is_empty() {
                        out.append(&mut self.pending);
                        self.at = At::Unquoted;
                    }
                }
            }
        }
        out.push(b);
        if b == b'\n' {
            self.line += 1;
        }
        self.at = match (self.at, b) {
            (At::FieldStart, b'"') => {
                self.quote_line = self.line;
                At::Quoted
            }
            (At::Quoted, b'"') => At::QuoteInQuoted,
            (At::Quoted, _) => At::Quoted,
            (At::QuoteInQuoted, b'"') => At::Quoted,
            (_, b',') => At::FieldStart,
            (_, b'\n' | b'\r') => {
                self.line_start = true;
                At::FieldStart
            }
            _ => At::Unquoted,
        };
    }
}

impl<R: BufRead> std::io::Read for Text<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Text<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.pos == self.out.len() {
            self.out.clear();
            self.pos = 0;
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                if self.whole && self.grammar.at == At::Quoted {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!(
                            "line {}: a quoted field opens here and never closes (a `\"` is missing; the rest of the file would be one cell)",
                            self.grammar.quote_line
                        ),
                    ));
                }
                break;
            }
            self.grammar.take(chunk, &mut self.out);
            let n = chunk.len();
            self.inner.consume(n);
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.out.len());
    }
}

/// A failure while decoding rows: the input's fault, or a failed read below it.
fn batch_error(name: &str, e: arrow_schema::ArrowError, schema: &Schema) -> DataError {
    if let arrow_schema::ArrowError::IoError(_, source) = e {
        // The text filter's own refusal (a quote that never closes) comes as invalid data.
        if source.kind() != std::io::ErrorKind::InvalidData {
            return DataError::io(name, source);
        }
        let text = source.to_string();
        let line = text
            .strip_prefix("line ")
            .and_then(|r| r.split(':').next())
            .and_then(|l| l.parse().ok());
        return invalid(name, clean(&text)).at(line.map(Location::line).unwrap_or_default());
    }
    let (text, at) = message(&e.to_string(), schema);
    invalid(name, text).at(at)
}

/// arrow-csv's parse errors quote the whole row ("Row data: '[...]'"), which for a 20 MB
/// cell is a 20 MB line, and count columns from 0: say it with the column's name and a
/// clipped value instead.
fn message(e: &str, schema: &Schema) -> (String, Location) {
    let e = e.split(". Row data: ").next().unwrap_or(e);
    let e = e.strip_prefix("Parser error: ").unwrap_or(e);
    if let Some(rest) = e.strip_prefix("Error while parsing value '")
        && let Some(at) = rest.rfind("' as type '")
    {
        let value = &rest[..at];
        let tail = &rest[at + "' as type '".len()..];
        // tail: "Float64' for column 3 at line 5"
        let mut parts = tail.splitn(2, "' for column ");
        let ty = parts.next().unwrap_or("");
        let place = parts.next().unwrap_or("");
        let mut place = place.splitn(2, " at line ");
        let column = place
            .next()
            .and_then(|c| c.parse::<usize>().ok())
            .and_then(|c| schema.fields().get(c))
            .map(|f| steward_io::clip(f.name(), 80).into_owned())
            .unwrap_or_default();
        let line = place
            .next()
            .and_then(|l| l.parse::<usize>().ok())
            .map(|l| l + 1)
            .unwrap_or(0);
        let text = format!(
            "line {line}, column `{column}`: cannot read `{}` as a {}",
            steward_io::clip(value, 60),
            type_word(ty),
        );
        return (text, Location::line(line as u64).with_column(column));
    }
    (clean(e), Location::default())
}

fn type_word(ty: &str) -> &'static str {
    match ty {
        "Boolean" => "boolean",
        t if t.starts_with("Int") || t.starts_with("UInt") => "whole number",
        t if t.starts_with("Float") => "number",
        _ => "value of the column's type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::DataType;

    /// The byte-at-a-time grammar the run-skipping one replaced: the two must agree on every
    /// input, split into chunks anywhere.
    impl Grammar {
        fn fresh() -> Grammar {
            Grammar {
                at: At::FieldStart,
                line_start: true,
                pending: Vec::new(),
                line: 1,
                quote_line: 0,
            }
        }
    }

    mod bytewise {
        use super::super::*;
        impl Grammar {
            pub(super) fn take_bytewise(&mut self, chunk: &[u8], out: &mut Vec<u8>) {
                for &b in chunk {
                    if self.line_start {
                        match b {
                            b' ' | b'\t' => {
                                self.pending.push(b);
                                continue;
                            }
                            b'\n' | b'\r' => {
                                // A blank line: its spaces go, its end stays (an empty line, which
                                // arrow-csv skips).
                                self.pending.clear();
                                out.push(b);
                                if b == b'\n' {
                                    self.line += 1;
                                }
                                continue;
                            }
                            _ => {
                                self.line_start = false;
                                if !self.pending.is_empty() {
                                    out.append(&mut self.pending);
                                    self.at = At::Unquoted;
                                }
                            }
                        }
                    }
                    out.push(b);
                    if b == b'\n' {
                        self.line += 1;
                    }
                    self.at = match (self.at, b) {
                        (At::FieldStart, b'"') => {
                            self.quote_line = self.line;
                            At::Quoted
                        }
                        (At::Quoted, b'"') => At::QuoteInQuoted,
                        (At::Quoted, _) => At::Quoted,
                        (At::QuoteInQuoted, b'"') => At::Quoted,
                        (_, b',') => At::FieldStart,
                        (_, b'\n' | b'\r') => {
                            self.line_start = true;
                            At::FieldStart
                        }
                        _ => At::Unquoted,
                    };
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn skipping_runs_changes_nothing(
            text in proptest::collection::vec(proptest::sample::select(b"ab1,\"\n\r \t.".to_vec()), 0..400),
            cuts in proptest::collection::vec(0usize..400, 0..6),
        ) {
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).collect();
            cuts.sort();
            let (mut a, mut b) = (Grammar::fresh(), Grammar::fresh());
            let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
            let mut from = 0;
            for cut in cuts.into_iter().chain([text.len()]) {
                a.take(&text[from..cut], &mut out_a);
                b.take_bytewise(&text[from..cut], &mut out_b);
                from = cut;
            }
            proptest::prop_assert_eq!(out_a, out_b);
            proptest::prop_assert_eq!((a.at, a.line, a.line_start, a.quote_line, a.pending), (b.at, b.line, b.line_start, b.quote_line, b.pending));
        }
    }

    #[test]
    fn a_parse_error_names_the_column_and_clips_the_value() {
        let schema = Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("score", DataType::Float64, true),
        ]);
        let big = "x".repeat(1 << 20);
        let e = format!(
            "Parser error: Error while parsing value '{big}' as type 'Float64' for column 1 at line 4. Row data: '[1,{big}]'"
        );
        let (m, at) = message(&e, &schema);
        assert_eq!(at.line, Some(5));
        assert_eq!(at.column.as_deref(), Some("score"));
        assert!(m.len() < 200, "{m}");
        assert!(
            m.starts_with("line 5, column `score`: cannot read `xxx"),
            "{m}"
        );
        assert!(m.ends_with("as a number"), "{m}");
    }
}
