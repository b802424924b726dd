//! JSON Lines: one object per line. Read line by line, so that every error names its line.

use std::cell::RefCell;
use std::io::BufRead;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::reader::Decoder;
use arrow_schema::{ArrowError, Field, Schema};

use super::{Batches, TextSource, batch_rows, clean, plan};
use crate::{DataError, err};

/// A batch is also cut when its lines reach this many bytes, whatever their count.
const BATCH_BYTES: usize = 8 << 20;

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

/// One line's value, or what is wrong with it.
fn parse_line(line: &[u8], number: usize) -> Result<serde_json::Value, String> {
    if line.first() == Some(&b'[') && number == 1 {
        return Err(
            "the file holds a JSON array, expected JSON Lines: one object per line".to_string(),
        );
    }
    let parsed = match serde_json::from_slice::<serde_json::Value>(line) {
        // serde_json refuses numbers beyond f64 (1e400); pandas reads them as infinity, and
        // infinities are missing values. For type inference such a number stands in as a
        // finite float; the decoder then reads it as infinity, which is counted as missing.
        Err(e) if e.to_string().starts_with("number out of range") => {
            serde_json::from_slice::<serde_json::Value>(&finite_numbers(line))
        }
        other => other,
    };
    match parsed {
        Ok(v @ serde_json::Value::Object(_)) => Ok(v),
        Ok(v) => Err(format!(
            "line {number}: a JSON {}, expected an object (JSON Lines hold one object per line)",
            kind(&v)
        )),
        Err(e) if e.is_eof() => Err(format!(
            "line {number}: the JSON value does not end on its line (JSON Lines hold one object per line)"
        )),
        Err(e) => {
            // serde_json says "... at line 1 column 7" of the one line it was given.
            let text = e.to_string();
            let what = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(w, _)| w);
            Err(format!(
                "line {number}, column {}: not JSON ({})",
                e.column(),
                steward_io::clip(what, 120)
            ))
        }
    }
}

/// `line` with every number literal that overflows f64 replaced by `0.0` (strings are left
/// alone). Only called on the rare line that serde_json refused for such a number.
fn finite_numbers(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    let mut in_string = false;
    while i < line.len() {
        let c = line[i];
        if in_string {
            out.push(c);
            if c == b'\\' && i + 1 < line.len() {
                out.push(line[i + 1]);
                i += 1;
            } else if c == b'"' {
                in_string = false;
            }
            i += 1;
        } else if c == b'"' {
            in_string = true;
            out.push(c);
            i += 1;
        } else if c == b'-' || c.is_ascii_digit() {
            let end = line[i..]
                .iter()
                .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .map_or(line.len(), |n| i + n);
            let token = &line[i..end];
            let overflows = std::str::from_utf8(token)
                .ok()
                .and_then(|t| t.parse::<f64>().ok())
                .is_some_and(f64::is_infinite);
            out.extend_from_slice(if overflows { b"0.0" } else { token });
            i = end;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

pub(crate) fn read(
    name: &str,
    mut source: TextSource,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Batches, DataError> {
    let schema = infer(name, source.for_inference()?)?;
    let fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    let (projection, unsupported) = plan(name, &fields, keep)?;
    // Only the kept fields are decoded into arrays; the others are skipped while parsing.
    let kept: Vec<Arc<Field>> = projection.iter().map(|&i| fields[i].clone()).collect();
    let projected = Arc::new(Schema::new(kept));
    let rows = batch_rows(schema.fields().len());
    let decoder = decoder(&projected, rows).map_err(|e| err(name, clean(&e.to_string())))?;
    let batches = JsonBatches {
        reader: source.into_reader()?,
        schema: projected.clone(),
        decoder,
        rows,
        line: 0,
        buffer: Vec::new(),
        lines: Vec::new(),
        done: false,
    };
    Ok(Batches {
        schema: projected,
        unsupported,
        batches: Box::new(batches),
    })
}

fn decoder(schema: &Arc<Schema>, rows: usize) -> Result<Decoder, ArrowError> {
    arrow_json::ReaderBuilder::new(schema.clone())
        .with_batch_size(rows)
        // A field holding numbers on some lines and text on others is read as text, as
        // pandas reads such a column as objects.
        .with_coerce_primitive(true)
        .build_decoder()
}

/// The schema from every line (of a file) or of the first bytes (of a pipe).
fn infer(name: &str, mut reader: Box<dyn BufRead + '_>) -> Result<Schema, DataError> {
    let failure: RefCell<Option<String>> = RefCell::new(None);
    let mut number = 0usize;
    let mut line = Vec::new();
    let values = std::iter::from_fn(|| {
        loop {
            line.clear();
            number += 1;
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    *failure.borrow_mut() = Some(format!("line {number}: cannot read: {e}"));
                    return Some(Err(ArrowError::JsonError(String::new())));
                }
            }
            let text = trim(&line);
            if text.is_empty() {
                continue;
            }
            return Some(match parse_line(text, number) {
                Ok(v) => Ok(v),
                Err(m) => {
                    *failure.borrow_mut() = Some(m);
                    Err(ArrowError::JsonError(String::new()))
                }
            });
        }
    });
    let schema = arrow_json::reader::infer_json_schema_from_iterator(values);
    if let Some(m) = failure.into_inner() {
        return Err(err(name, m));
    }
    schema.map_err(|e| {
        err(
            name,
            format!("cannot settle the fields' types: {}", clean(&e.to_string())),
        )
    })
}

struct JsonBatches {
    reader: Box<dyn BufRead + Send>,
    schema: Arc<Schema>,
    decoder: Decoder,
    rows: usize,
    /// The number of the last line read.
    line: usize,
    /// The lines of the current batch, kept to say which one a type error is on.
    buffer: Vec<u8>,
    lines: Vec<(usize, usize)>,
    done: bool,
}

impl JsonBatches {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, String> {
        self.buffer.clear();
        self.lines.clear();
        while self.lines.len() < self.rows && self.buffer.len() < BATCH_BYTES {
            let start = self.buffer.len();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buffer)
                .map_err(|e| format!("line {}: cannot read: {e}", self.line + 1))?;
            if n == 0 {
                self.done = true;
                break;
            }
            self.line += 1;
            let line = trim(&self.buffer[start..]);
            if line.is_empty() {
                self.buffer.truncate(start);
                continue;
            }
            let before = self.decoder.len();
            let used = self
                .decoder
                .decode(line)
                .map_err(|e| self.located(&e, self.line))?;
            if self.decoder.has_partial_record() {
                return Err(match parse_line(line, self.line) {
                    Err(m) => m,
                    Ok(_) => format!(
                        "line {}: the object does not end on its line (JSON Lines hold one object per line)",
                        self.line
                    ),
                });
            }
            if used < line.len() || self.decoder.len() != before + 1 {
                return Err(format!(
                    "line {}: more than one value on the line (JSON Lines hold one object per line)",
                    self.line
                ));
            }
            self.lines.push((self.line, start));
        }
        match self.decoder.flush() {
            Ok(b) => Ok(b),
            Err(e) => Err(self.locate(&e)),
        }
    }

    fn located(&self, e: &ArrowError, line: usize) -> String {
        format!("line {line}: {}", clean(&e.to_string()))
    }

    /// A type error comes for the whole batch: decode its lines one at a time to find the
    /// line it is on.
    fn locate(&self, e: &ArrowError) -> String {
        for (i, &(number, start)) in self.lines.iter().enumerate() {
            let end = self.lines.get(i + 1).map_or(self.buffer.len(), |l| l.1);
            let Ok(mut one) = decoder(&self.schema, 1) else {
                break;
            };
            let line = trim(&self.buffer[start..end]);
            if let Err(e) = one.decode(line).and_then(|_| one.flush()) {
                return self.located(&e, number);
            }
        }
        let first = self.lines.first().map_or(self.line, |l| l.0);
        format!("lines {first}-{}: {}", self.line, clean(&e.to_string()))
    }
}

impl Iterator for JsonBatches {
    type Item = Result<RecordBatch, String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.next_batch() {
            Ok(Some(b)) => Some(Ok(b)),
            Ok(None) => None,
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
