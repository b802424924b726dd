//! JSON Lines: one object per line. Read line by line, so that every error names its line.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_json::reader::Decoder;
use arrow_schema::{ArrowError, DataType, Field, Schema};

use super::{Batches, Body, Decode, TextSource, batch_rows, clean, plan};
use crate::error::{DataError, internal_arrow, invalid, invalid_at_line, io_failure, too_large};

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
    let parsed = match parse(line) {
        // `NaN`, `Infinity` and `-Infinity` are not JSON, but Python's json.dumps writes
        // them and pandas reads them as floats, which are missing values. For type inference
        // each stands in as a finite float (the key holds numbers); the decoder reads it as
        // null.
        Err(e) => match non_finite(line, b"0.0") {
            Some(fixed) => parse(&fixed).map_err(|_| e),
            None => Err(e),
        },
        ok => ok,
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

fn parse(line: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    match serde_json::from_slice::<serde_json::Value>(line) {
        // serde_json refuses numbers beyond f64 (1e400); pandas reads them as infinity, and
        // infinities are missing values. For type inference such a number stands in as a
        // finite float; the decoder then reads it as infinity, which is counted as missing.
        Err(e) if e.to_string().starts_with("number out of range") => {
            serde_json::from_slice::<serde_json::Value>(&finite_numbers(line))
        }
        other => other,
    }
}

/// `line` with the tokens `NaN`, `Infinity` and `-Infinity` outside strings replaced by
/// `with`, or `None` when it has none (checked first by a fast scan for `N` and `I`).
fn non_finite(line: &[u8], with: &[u8]) -> Option<Vec<u8>> {
    if !line.contains(&b'N') && !line.contains(&b'I') {
        return None;
    }
    let mut out = Vec::with_capacity(line.len());
    let mut changed = false;
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
            continue;
        }
        if c == b'"' {
            in_string = true;
        }
        let token = [&b"NaN"[..], b"Infinity", b"-Infinity"]
            .into_iter()
            .find(|t| line[i..].starts_with(t));
        match token {
            Some(t) => {
                out.extend_from_slice(with);
                i += t.len();
                changed = true;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

/// A line as the decoder reads it: non-finite tokens as nulls.
fn for_decoder(line: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match non_finite(line, b"null") {
        Some(fixed) => std::borrow::Cow::Owned(fixed),
        None => std::borrow::Cow::Borrowed(line),
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
    decode: Decode,
) -> Result<Batches, DataError> {
    let partial = source.partial();
    let Inferred {
        schema,
        nested,
        keys,
        lines,
        shapes,
    } = infer(name, source.for_inference()?, decode)?;
    // A key nested on any line is never decoded, whatever its other lines hold: the
    // decoder would refuse the object or list where the scalar type was inferred.
    let fields: Vec<Arc<Field>> = schema
        .fields()
        .iter()
        .map(|f| {
            if nested.contains(f.name().as_str()) {
                Arc::new(f.as_ref().clone().with_data_type(DataType::Null))
            } else if let Some(typed) = shapes.get(f.name()).and_then(|s| s.own_type(f.data_type()))
            {
                Arc::new(f.as_ref().clone().with_data_type(typed))
            } else if partial && f.data_type() == &DataType::Null {
                // Null throughout a pipe's head, which decides the types: read as numbers,
                // so that values arriving later are read (or are an error at their line),
                // never dropped without a word.
                Arc::new(f.as_ref().clone().with_data_type(DataType::Float64))
            } else {
                f.clone()
            }
        })
        .collect();
    let (mut projection, mut unsupported) = plan(name, &fields, keep, decode)?;
    // A nested key is never decoded, in its own type or as values.
    projection.retain(|&i| {
        let key = fields[i].name();
        let is_nested = nested.contains(key.as_str());
        if is_nested {
            unsupported.push((key.clone(), String::new()));
        }
        !is_nested
    });
    for (key, ty) in &mut unsupported {
        if nested.contains(key.as_str()) {
            *ty = "nested objects or lists".to_string();
        }
    }
    // Only the kept fields are decoded into arrays; the others are skipped while parsing.
    let kept: Vec<Arc<Field>> = projection.iter().map(|&i| fields[i].clone()).collect();
    let projected = Arc::new(Schema::new(kept));
    let rows = batch_rows(schema.fields().len());
    let decoder = decoder(&projected, rows).map_err(|e| internal_arrow(name, &e))?;
    let batches = JsonBatches {
        name: name.to_string(),
        reader: source.into_reader()?,
        schema: projected.clone(),
        decoder,
        rows,
        line: 0,
        buffer: Vec::new(),
        lines: Vec::new(),
        done: false,
        // A pipe's keys were all seen only in its head: a key first met after it has no
        // column, and would be dropped without a word.
        known: partial.then_some((keys, lines)),
    };
    Ok(Batches {
        schema: projected,
        unsupported,
        declared_rows: None,
        body: Body::Stream(Box::new(batches)),
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

/// What the lines read for the schema show.
struct Inferred {
    schema: Schema,
    /// Keys holding an object or a list on some line: never read (a nested value is not a
    /// number, a category or a boolean), whatever the other lines hold.
    nested: HashSet<String>,
    /// Every key seen.
    keys: HashSet<String>,
    /// Lines read.
    lines: usize,
    /// What each key's values look like, when reading columns in their own types.
    shapes: HashMap<String, Shape>,
}

/// What a key's strings and numbers look like, to read it in the type they all share:
/// dates, timestamps, or integers beyond i64 (which JSON schema inference reads as floats).
#[derive(Default)]
struct Shape {
    strings: u64,
    dates: u64,
    timestamps: u64,
    /// Timestamps with a zone (`Z` or an offset).
    zoned: u64,
    /// The most digits of a second's fraction.
    fraction: usize,
    beyond_i64: bool,
    /// A negative number, a fraction, or a float: not an unsigned integer.
    not_unsigned: bool,
    /// A number or a boolean: the key is not strings alone, so its dates or timestamps are
    /// text (read as a date, a number would become a day count and a boolean an error).
    not_strings: bool,
}

fn temporal() -> &'static [regex::Regex; 2] {
    static PATTERNS: std::sync::OnceLock<[regex::Regex; 2]> = std::sync::OnceLock::new();
    PATTERNS.get_or_init(|| {
        [
            regex::Regex::new(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$").expect("a valid pattern"),
            regex::Regex::new(
                r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)?$",
            )
            .expect("a valid pattern"),
        ]
    })
}

impl Shape {
    fn see(&mut self, v: &serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                self.strings += 1;
                let [date, timestamp] = temporal();
                if date.is_match(s) {
                    self.dates += 1;
                } else if let Some(c) = timestamp.captures(s) {
                    self.timestamps += 1;
                    self.fraction = self.fraction.max(c.get(5).map_or(0, |m| m.len()));
                    self.zoned += u64::from(c.get(6).is_some());
                }
            }
            serde_json::Value::Number(n) => {
                self.not_strings = true;
                if n.is_u64() && !n.is_i64() {
                    self.beyond_i64 = true;
                } else if !n.is_u64() {
                    self.not_unsigned = true;
                }
            }
            serde_json::Value::Bool(_) => self.not_strings = true,
            _ => {}
        }
    }

    /// The type every value of the key fits, where it is not the one inferred.
    fn own_type(&self, inferred: &DataType) -> Option<DataType> {
        use arrow_schema::TimeUnit;
        match inferred {
            DataType::Utf8 if self.not_strings => None,
            DataType::Utf8 if self.strings > 0 && self.dates == self.strings => {
                Some(DataType::Date32)
            }
            DataType::Utf8
                if self.strings > 0
                    && self.timestamps == self.strings
                    && (self.zoned == 0 || self.zoned == self.strings) =>
            {
                let unit = match self.fraction {
                    0 => TimeUnit::Second,
                    1..=3 => TimeUnit::Millisecond,
                    4..=6 => TimeUnit::Microsecond,
                    _ => TimeUnit::Nanosecond,
                };
                // Times with a zone are instants, kept in UTC; times without one are read
                // as written (Arrow's timestamps without a zone).
                let zone = (self.zoned > 0).then(|| "+00:00".into());
                Some(DataType::Timestamp(unit, zone))
            }
            DataType::Float64 if self.beyond_i64 && !self.not_unsigned => Some(DataType::UInt64),
            _ => None,
        }
    }
}

/// The schema from every line (of a file) or of the first bytes (of a pipe).
fn infer(
    name: &str,
    mut reader: Box<dyn BufRead + '_>,
    decode: Decode,
) -> Result<Inferred, DataError> {
    let mut shapes: HashMap<String, Shape> = HashMap::new();
    let failure: RefCell<Option<DataError>> = RefCell::new(None);
    let mut number = 0usize;
    let mut line = Vec::new();
    let mut nested = HashSet::new();
    let mut keys: HashSet<String> = HashSet::new();
    let values = std::iter::from_fn(|| {
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    *failure.borrow_mut() = Some(io_failure(
                        name,
                        format!("line {}: cannot read: {e}", number + 1),
                        e,
                    ));
                    return Some(Err(ArrowError::JsonError(String::new())));
                }
            }
            number += 1;
            let text = trim(&line);
            if text.is_empty() {
                continue;
            }
            // A long line is first counted, key by key without keeping any, so that a line of
            // two million keys is refused before it is parsed into memory.
            if text.len() > 1 << 20 && top_keys_beyond(text, super::MAX_COLUMNS) {
                *failure.borrow_mut() = Some(too_large(
                    name,
                    format!(
                        "line {number}: more than {} keys (columns), the most Steward reads",
                        super::MAX_COLUMNS
                    ),
                ));
                return Some(Err(ArrowError::JsonError(String::new())));
            }
            let mut value = match parse_line(text, number) {
                Ok(v) => v,
                Err(m) => {
                    *failure.borrow_mut() = Some(invalid_at_line(name, m));
                    return Some(Err(ArrowError::JsonError(String::new())));
                }
            };
            if let serde_json::Value::Object(map) = &mut value {
                for (k, v) in map.iter_mut() {
                    if !keys.contains(k.as_str()) {
                        if keys.len() >= super::MAX_COLUMNS {
                            *failure.borrow_mut() = Some(too_large(
                                name,
                                format!(
                                    "line {number}: more than {} distinct keys (columns), the most Steward reads",
                                    super::MAX_COLUMNS
                                ),
                            ));
                            return Some(Err(ArrowError::JsonError(String::new())));
                        }
                        keys.insert(k.clone());
                    }
                    if decode == Decode::Typed {
                        match shapes.get_mut(k.as_str()) {
                            Some(shape) => shape.see(v),
                            None => {
                                let mut shape = Shape::default();
                                shape.see(v);
                                shapes.insert(k.clone(), shape);
                            }
                        }
                    }
                    if v.is_object() || v.is_array() {
                        if !nested.contains(k.as_str()) {
                            nested.insert(k.clone());
                        }
                        *v = serde_json::Value::Null;
                    }
                }
            }
            return Some(Ok(value));
        }
    });
    let schema = arrow_json::reader::infer_json_schema_from_iterator(values);
    if let Some(e) = failure.into_inner() {
        return Err(e);
    }
    let schema = schema.map_err(|e| {
        invalid(
            name,
            format!("cannot settle the fields' types: {}", clean(&e.to_string())),
        )
    })?;
    Ok(Inferred {
        schema,
        nested,
        keys,
        lines: number,
        shapes,
    })
}

struct JsonBatches {
    name: String,
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
    /// For a pipe: the keys its head showed, and how many lines the head had.
    known: Option<(HashSet<String>, usize)>,
}

impl JsonBatches {
    fn next_batch(&mut self) -> Result<Option<RecordBatch>, DataError> {
        self.buffer.clear();
        self.lines.clear();
        while self.lines.len() < self.rows && self.buffer.len() < BATCH_BYTES {
            let start = self.buffer.len();
            let n = match self.reader.read_until(b'\n', &mut self.buffer) {
                Ok(n) => n,
                Err(e) => {
                    let message = format!("line {}: cannot read: {e}", self.line + 1);
                    return Err(io_failure(&self.name, message, e));
                }
            };
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
            if let Some((keys, head)) = &self.known
                && self.line > *head
            {
                check_keys(line, keys, self.line).map_err(|m| invalid_at_line(&self.name, m))?;
            }
            let line = for_decoder(line);
            let line = &line[..];
            let before = self.decoder.len();
            let used = self
                .decoder
                .decode(line)
                .map_err(|e| invalid_at_line(&self.name, self.located(&e, self.line)))?;
            if self.decoder.has_partial_record() {
                return Err(invalid_at_line(
                    &self.name,
                    match parse_line(line, self.line) {
                        Err(m) => m,
                        Ok(_) => format!(
                            "line {}: the object does not end on its line (JSON Lines hold one object per line)",
                            self.line
                        ),
                    },
                ));
            }
            if used < line.len() || self.decoder.len() != before + 1 {
                return Err(invalid_at_line(
                    &self.name,
                    format!(
                        "line {}: more than one value on the line (JSON Lines hold one object per line)",
                        self.line
                    ),
                ));
            }
            self.lines.push((self.line, start));
        }
        match self.decoder.flush() {
            Ok(b) => Ok(b),
            Err(e) => Err(invalid_at_line(&self.name, self.locate(&e))),
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
            let line = for_decoder(trim(&self.buffer[start..end]));
            if let Err(e) = one.decode(&line).and_then(|_| one.flush()) {
                return self.located(&e, number);
            }
        }
        let first = self.lines.first().map_or(self.line, |l| l.0);
        format!("lines {first}-{}: {}", self.line, clean(&e.to_string()))
    }
}

/// Whether the object on `line` has more than `limit` keys, counted without keeping them
/// (a line that is not a JSON object counts as not: its parse says what is wrong).
fn top_keys_beyond(line: &[u8], limit: usize) -> bool {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Count<'a>(&'a std::cell::Cell<usize>, usize);
    impl<'de> Visitor<'de> for Count<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while map.next_key::<IgnoredAny>()?.is_some() {
                map.next_value::<IgnoredAny>()?;
                self.0.set(self.0.get() + 1);
                if self.0.get() > self.1 {
                    return Err(serde::de::Error::custom("too many keys"));
                }
            }
            Ok(())
        }
    }
    let n = std::cell::Cell::new(0);
    let fixed = non_finite(line, b"null");
    let mut de = serde_json::Deserializer::from_slice(fixed.as_deref().unwrap_or(line));
    let _ = (&mut de).deserialize_map(Count(&n, limit));
    n.get() > limit
}

/// A pipe's line past the head that decided the columns: a key the head never showed is an
/// error at its line (it would otherwise be dropped without a word).
fn check_keys(line: &[u8], keys: &HashSet<String>, number: usize) -> Result<(), String> {
    let fixed = non_finite(line, b"null");
    let parsed = serde_json::from_slice::<HashMap<String, serde::de::IgnoredAny>>(
        fixed.as_deref().unwrap_or(line),
    );
    // A line that is not an object is left to the decoder, which says what is wrong.
    let Ok(map) = parsed else { return Ok(()) };
    match map.keys().find(|k| !keys.contains(k.as_str())) {
        Some(k) => Err(format!(
            "line {number}: key `{}` first appears after the first 16 MiB of a pipe, which decide the columns; save the input to a file and read that",
            steward_io::clip(k, 80)
        )),
        None => Ok(()),
    }
}

impl Iterator for JsonBatches {
    type Item = Result<RecordBatch, DataError>;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Input, Random};
    use arrow_array::cast::AsArray;
    use arrow_array::types::Date32Type;
    use arrow_array::{Array, ArrayRef};

    /// The key `d` of `text`, read in its own type.
    fn typed(text: &str) -> ArrayRef {
        let source = TextSource::new(
            "t.jsonl",
            Input::Random(Random::Bytes(bytes::Bytes::from(text.to_string()))),
        )
        .unwrap();
        let batches = read("t.jsonl", source, &|_| true, Decode::Typed).unwrap();
        let mut all: Vec<RecordBatch> = batches.body.into_stream().map(Result::unwrap).collect();
        assert_eq!(all.len(), 1);
        let batch = all.remove(0);
        batch.column(batch.schema().index_of("d").unwrap()).clone()
    }

    fn texts(a: &ArrayRef) -> Vec<Option<&str>> {
        a.as_string::<i32>().iter().collect()
    }

    #[test]
    fn a_key_of_dates_alone_is_a_date_and_with_numbers_or_booleans_is_text() {
        let days = typed("{\"d\": \"2024-01-31\"}\n{\"d\": null}\n");
        assert_eq!(days.data_type(), &DataType::Date32);
        let days = days.as_primitive::<Date32Type>();
        assert_eq!((days.value(0), days.is_null(1)), (19_753, true));
        // A number among dates would otherwise be read as a day count: 5 as 1970-01-06.
        let mixed = typed("{\"d\": \"2024-01-31\"}\n{\"d\": 5}\n");
        assert_eq!(mixed.data_type(), &DataType::Utf8);
        assert_eq!(texts(&mixed), [Some("2024-01-31"), Some("5")]);
        // And a boolean among timestamps would be an error.
        let mixed = typed("{\"d\": \"2024-01-31T10:11:12Z\"}\n{\"d\": true}\n");
        assert_eq!(mixed.data_type(), &DataType::Utf8);
        assert_eq!(texts(&mixed), [Some("2024-01-31T10:11:12Z"), Some("true")]);
    }
}
