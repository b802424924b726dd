//! Observation files: CSV with a header row (`timestamp`, `value`, and `metric` when the
//! file holds several metrics) or JSON Lines with the same keys. Rows may come in any order.
//! Every problem names the file and the line.

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use steward_io::clip;

use crate::timestamp::parse_micros;

/// The longest line a reader accepts. Observation lines are short; without a bound, a file
/// without newlines (or `/dev/zero`) would be read into memory whole.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// How much of a value an error message quotes.
const QUOTE_CHARS: usize = 60;

/// The error [`LineLimited`] stops with, carrying the line it stopped at.
#[derive(Debug)]
struct LineTooLong {
    line: u64,
}

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {} is longer than {MAX_LINE_BYTES} bytes",
            self.line
        )
    }
}

impl std::error::Error for LineTooLong {}

/// A reader that fails once a line grows past [`MAX_LINE_BYTES`], so that the CSV and
/// JSON Lines readers above it never buffer an unbounded record.
pub(crate) struct LineLimited<R> {
    inner: R,
    line: u64,
    in_line: usize,
}

impl<R: Read> LineLimited<R> {
    pub(crate) fn new(inner: R) -> Self {
        LineLimited {
            inner,
            line: 1,
            in_line: 0,
        }
    }
}

impl<R: Read> Read for LineLimited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            if b == b'\n' {
                self.line += 1;
                self.in_line = 0;
            } else {
                self.in_line += 1;
                if self.in_line > MAX_LINE_BYTES {
                    return Err(io::Error::other(LineTooLong { line: self.line }));
                }
            }
        }
        Ok(n)
    }
}

/// The line an over-long line error names, if `e` is one.
fn too_long(e: &io::Error) -> Option<u64> {
    e.get_ref()
        .and_then(|e| e.downcast_ref::<LineTooLong>())
        .map(|t| t.line)
}

/// A read failure as a located error: an over-long line at its line, anything else at
/// `line` (0 when unknown).
pub(crate) fn io_error(file: &str, line: u64, e: &io::Error) -> ReadError {
    match too_long(e) {
        Some(at) => err(
            file,
            at,
            format!("the line is longer than {MAX_LINE_BYTES} bytes"),
        ),
        None => unreadable(file, line, e),
    }
}

/// One observation: an instant (microseconds, UTC), a value, and which metric it is for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observation {
    pub at: i64,
    pub value: f64,
    /// Index into [`Observations::metrics`], when the file names metrics.
    pub metric: Option<u32>,
}

#[derive(Clone, Debug, Default)]
pub struct Observations {
    pub rows: Vec<Observation>,
    /// The metric names seen, with the first line each was seen on.
    pub metrics: Vec<(String, u64)>,
    /// Whether the file names a metric per row: a CSV header with a `metric` column, or
    /// JSON Lines whose rows carry `metric`.
    pub metric_column: bool,
    /// Whether some row, kept or not, names no metric.
    pub unnamed_rows: bool,
    /// Rows left out by the reader's [`Span`] because they fall in no window.
    pub outside: u64,
    /// Rows left out because they are dated after the report's day, per metric name (by
    /// index into `metrics`), and for rows that name no metric: the report counts them.
    pub late: Vec<u64>,
    pub late_unnamed: u64,
}

/// Which rows a reader keeps. A report needs only the rows inside a window (from the first
/// window's start to the last one's end) and the count of those dated after its day; the
/// windows are known from the manifest before the file is read, so memory follows the rows
/// that count, not the file (a file of old rows is read in constant memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Rows before this instant (microseconds, UTC) are left out.
    pub from: i64,
    /// Rows at or after this instant are left out.
    pub to: i64,
    /// Rows at or after this instant are counted per metric in `late`, not kept.
    pub after_today: i64,
}

impl Span {
    /// Every row kept.
    pub const ALL: Span = Span {
        from: i64::MIN,
        to: i64::MAX,
        after_today: i64::MAX,
    };
}

impl Observations {
    /// Files a row: kept when inside `span`, otherwise only counted.
    pub(crate) fn add(&mut self, span: &Span, row: Observation) {
        if row.metric.is_none() {
            self.unnamed_rows = true;
        }
        if row.at >= span.after_today {
            match row.metric {
                Some(m) => {
                    let m = m as usize;
                    if self.late.len() <= m {
                        self.late.resize(m + 1, 0);
                    }
                    self.late[m] += 1;
                }
                None => self.late_unnamed += 1,
            }
        } else if row.at < span.from || row.at >= span.to {
            self.outside += 1;
        } else {
            self.rows.push(row);
        }
    }
}

/// The largest magnitude an observed value may have. Aggregates, changes and intervals are
/// computed in f64; values up to 1e100 keep every sum, mean and variance of any file that
/// fits in memory finite, where values near f64's limit (1.7e308) would overflow to
/// infinity and turn a report into `inf` and a wrong verdict.
pub const MAX_ABS_VALUE: f64 = 1e100;

/// Whether the file's content is at fault or the file could not be read at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadErrorKind {
    /// A line, a column or a value the reader refuses.
    Content,
    /// Opening or reading failed (permissions, a device error): nothing was wrong with
    /// what had been read.
    Unreadable,
}

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ReadError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: u64,
    pub message: String,
    pub kind: ReadErrorKind,
}

pub(crate) fn err(file: &str, line: u64, message: impl Into<String>) -> ReadError {
    ReadError {
        file: file.to_string(),
        line,
        message: message.into(),
        kind: ReadErrorKind::Content,
    }
}

fn unreadable(file: &str, line: u64, e: &io::Error) -> ReadError {
    ReadError {
        kind: ReadErrorKind::Unreadable,
        ..err(file, line, format!("cannot read: {e}"))
    }
}

/// Which reader a file needs: `.jsonl`/`.ndjson`/`.json` are JSON Lines, the rest CSV.
pub fn is_json_lines(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("jsonl" | "ndjson" | "json")
    )
}

/// Reads an observation file. It is opened without blocking (a FIFO without a writer reads
/// as empty) and no line may exceed [`MAX_LINE_BYTES`], so a device or a file without
/// newlines is an error rather than a read into all of memory.
pub fn read_file(path: &Path) -> Result<Observations, ReadError> {
    read_file_in(path, &Span::ALL)
}

/// [`read_file`] keeping only the rows inside `span` (the others are counted).
pub fn read_file_in(path: &Path, span: &Span) -> Result<Observations, ReadError> {
    let name = path.display().to_string();
    let file = steward_io::open_input(path).map_err(|e| unreadable(&name, 0, &e))?;
    if is_json_lines(path) {
        read_json_lines_in(&name, file, span)
    } else {
        read_csv_in(&name, file, span)
    }
}

/// Column names are matched without regard to case (and surrounding spaces); a name the
/// reader uses that appears twice is ambiguous, so it is refused rather than one of the
/// columns silently winning.
pub(crate) fn find_column<'a>(
    file: &str,
    headers: impl Iterator<Item = &'a str>,
    name: &str,
    same: impl Fn(&str, &str) -> bool,
) -> Result<Option<usize>, ReadError> {
    let mut found = None;
    for (i, h) in headers.enumerate() {
        if same(h.trim(), name) {
            if found.is_some() {
                return Err(err(
                    file,
                    1,
                    format!(
                        "duplicate column name `{}`: the header names it twice, so the values to read are ambiguous",
                        clip(h.trim(), 40)
                    ),
                ));
            }
            found = Some(i);
        }
    }
    Ok(found)
}

#[derive(Default)]
struct MetricNames {
    names: Vec<(String, u64)>,
    /// A hostile file can hold a new name on every line: a hash keeps that linear.
    index: HashMap<String, u32>,
}

impl MetricNames {
    fn index(&mut self, name: &str, line: u64) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push((name.to_string(), line));
        self.index.insert(name.to_string(), i);
        i
    }
}

/// A value within [`MAX_ABS_VALUE`], or the error for one beyond it.
fn bounded(file: &str, line: u64, v: f64, raw: &str) -> Result<f64, ReadError> {
    if v.abs() <= MAX_ABS_VALUE {
        Ok(v)
    } else {
        Err(err(
            file,
            line,
            format!(
                "value `{}` is beyond the limit of 1e100 in magnitude",
                clip(raw.trim(), QUOTE_CHARS)
            ),
        ))
    }
}

fn parse_value(file: &str, line: u64, raw: &str) -> Result<f64, ReadError> {
    let t = raw.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => bounded(file, line, v, t),
        Ok(_) => Err(err(
            file,
            line,
            format!("value `{}` is not a finite number", clip(t, QUOTE_CHARS)),
        )),
        Err(_) if t.is_empty() => Err(err(file, line, "the value is empty")),
        Err(_) => Err(err(
            file,
            line,
            format!("value `{}` is not a number", clip(t, QUOTE_CHARS)),
        )),
    }
}

fn parse_time(file: &str, line: u64, raw: &str) -> Result<i64, ReadError> {
    if crate::timestamp::is_year_zero(raw) {
        return Err(err(
            file,
            line,
            format!(
                "timestamp `{}` is in the year 0; dates run from the year 1 to 9999",
                clip(raw.trim(), QUOTE_CHARS)
            ),
        ));
    }
    parse_micros(raw).ok_or_else(|| {
        err(
            file,
            line,
            format!(
                "timestamp `{}` is not RFC 3339 (2026-12-01T09:30:00Z, any offset) or a date (2026-12-01)",
                clip(raw.trim(), QUOTE_CHARS)
            ),
        )
    })
}

pub fn read_csv<R: Read>(file: &str, input: R) -> Result<Observations, ReadError> {
    read_csv_in(file, input, &Span::ALL)
}

pub fn read_csv_in<R: Read>(file: &str, input: R, span: &Span) -> Result<Observations, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(LineLimited::new(input));
    let headers = reader.headers().map_err(|e| csv_error(file, e))?.clone();
    let find = |n: &str| find_column(file, headers.iter(), n, |h, n| h.eq_ignore_ascii_case(n));
    let (Some(ts), Some(val)) = (find("timestamp")?, find("value")?) else {
        return Err(err(
            file,
            1,
            format!(
                "the header must have `timestamp` and `value` columns (and `metric` for several metrics); found {}",
                list_columns(&headers)
            ),
        ));
    };
    let metric_col = find("metric")?;
    let mut names = MetricNames::default();
    let mut out = Observations {
        metric_column: metric_col.is_some(),
        ..Observations::default()
    };
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(file, e)),
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| -> Result<&str, ReadError> {
            std::str::from_utf8(record.get(i).unwrap_or(b""))
                .map_err(|_| err(file, line, "the row is not UTF-8 text"))
        };
        let at = parse_time(file, line, field(ts)?)?;
        let value = parse_value(file, line, field(val)?)?;
        let metric = match metric_col {
            Some(c) => {
                let m = field(c)?.trim();
                if m.is_empty() {
                    return Err(err(file, line, "the metric name is empty"));
                }
                Some(names.index(m, line))
            }
            None => None,
        };
        out.add(span, Observation { at, value, metric });
    }
    out.metrics = names.names;
    Ok(out)
}

/// A header's columns for a message: the first few, each escaped and clipped.
pub(crate) fn list_columns(headers: &csv::StringRecord) -> String {
    if headers.is_empty() {
        return "nothing".to_string();
    }
    let shown: Vec<String> = headers
        .iter()
        .take(20)
        .map(|h| format!("`{}`", clip(h, 40)))
        .collect();
    let more = headers.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn csv_error(file: &str, e: csv::Error) -> ReadError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    let message = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => {
            format!("the row has {len} fields, the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "the row is not UTF-8 text".to_string(),
        csv::ErrorKind::Io(io) => return io_error(file, line, io),
        _ => e.to_string(),
    };
    err(file, line, message)
}

pub fn read_json_lines<R: Read>(file: &str, input: R) -> Result<Observations, ReadError> {
    read_json_lines_in(file, input, &Span::ALL)
}

/// A JSON object's members in order, repeated keys included: serde_json's own map keeps
/// the last of a repeated key silently, where a repeated key is as ambiguous as a repeated
/// CSV column.
struct Members(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Option<Members>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    out.push((k, v));
                }
                Ok(Some(Members(out)))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Self::Value, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
        }
        d.deserialize_any(V)?
            .ok_or_else(|| serde::de::Error::custom("not an object"))
    }
}

pub fn read_json_lines_in<R: Read>(
    file: &str,
    input: R,
    span: &Span,
) -> Result<Observations, ReadError> {
    let reader = BufReader::with_capacity(1 << 20, LineLimited::new(input));
    let mut names = MetricNames::default();
    let mut out = Observations::default();
    for (i, text) in reader.split(b'\n').enumerate() {
        let line = i as u64 + 1;
        let bytes = text.map_err(|e| io_error(file, line, &e))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| err(file, line, "the line is not UTF-8 text"))?;
        // A byte order mark opens many files written on Windows; CSV accepts it too.
        let text = if line == 1 {
            text.strip_prefix('\u{feff}').unwrap_or(text)
        } else {
            text
        };
        if text.trim().is_empty() {
            continue;
        }
        let members: Members = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) if e.is_data() => {
                return Err(err(
                    file,
                    line,
                    "expected a JSON object with `timestamp` and `value`",
                ));
            }
            Err(e) => return Err(err(file, line, format!("not a JSON object: {e}"))),
        };
        // Keys match without regard to case, as CSV column names do; a key the reader uses
        // given twice (in any case) is refused.
        let get = |key: &str| -> Result<Option<&serde_json::Value>, ReadError> {
            let mut found = None;
            for (k, v) in &members.0 {
                if k.trim().eq_ignore_ascii_case(key) {
                    if found.is_some() {
                        return Err(err(
                            file,
                            line,
                            format!(
                                "duplicate column name `{}`: the object gives it twice, so the value to read is ambiguous",
                                clip(k.trim(), 40)
                            ),
                        ));
                    }
                    found = Some(v);
                }
            }
            Ok(found)
        };
        let ts = get("timestamp")?
            .and_then(|t| t.as_str())
            .ok_or_else(|| err(file, line, "missing `timestamp` (a string)"))?;
        let at = parse_time(file, line, ts)?;
        let value = match get("value")? {
            Some(serde_json::Value::Number(n)) => {
                let v = n
                    .as_f64()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| err(file, line, "value is not a finite number"))?;
                bounded(file, line, v, &n.to_string())?
            }
            Some(serde_json::Value::String(s)) => parse_value(file, line, s)?,
            Some(other) => {
                return Err(err(
                    file,
                    line,
                    format!(
                        "value {} is not a number",
                        clip(&other.to_string(), QUOTE_CHARS)
                    ),
                ));
            }
            None => return Err(err(file, line, "missing `value`")),
        };
        let metric = match get("metric")? {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(m)) if !m.trim().is_empty() => {
                out.metric_column = true;
                Some(names.index(m.trim(), line))
            }
            Some(other) => {
                return Err(err(
                    file,
                    line,
                    format!(
                        "metric {} is not a name",
                        clip(&other.to_string(), QUOTE_CHARS)
                    ),
                ));
            }
        };
        out.add(span, Observation { at, value, metric });
    }
    out.metrics = names.names;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_and_without_metric_column() {
        let o = read_csv(
            "o.csv",
            "timestamp,value\n2026-12-01,3.5\n2026-12-02T10:00:00+02:00,4\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(o.rows.len(), 2);
        assert_eq!(o.rows[1].value, 4.0);
        assert!(o.metrics.is_empty());
        let o = read_csv(
            "o.csv",
            "metric,value,timestamp\na,1,2026-12-01\nb,2,2026-12-01\na,3,2026-12-01\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(o.metrics, vec![("a".to_string(), 2), ("b".to_string(), 3)]);
        assert_eq!(o.rows[2].metric, Some(0));
    }

    #[test]
    fn csv_errors_name_the_line() {
        let cases = [
            ("value\n1\n", 1, "`timestamp` and `value`"),
            (
                "timestamp,value\n2026-12-01,1\n2026-12-02,abc\n",
                3,
                "value `abc` is not a number",
            ),
            (
                "timestamp,value\n2026-12-01,1\nyesterday,2\n",
                3,
                "timestamp `yesterday`",
            ),
            (
                "timestamp,value\n2026-12-01,1,9\n",
                2,
                "the row has 3 fields, the header has 2",
            ),
            ("timestamp,value\n2026-12-01,\n", 2, "the value is empty"),
            (
                "timestamp,value\n2026-12-01,inf\n",
                2,
                "not a finite number",
            ),
        ];
        for (text, line, msg) in cases {
            let e = read_csv("o.csv", text.as_bytes()).unwrap_err();
            assert_eq!(e.line, line, "{text:?}: {e}");
            assert!(e.message.contains(msg), "{text:?}: {e}");
        }
    }

    #[test]
    fn json_lines() {
        let text = "{\"timestamp\": \"2026-12-01T00:00:00Z\", \"value\": 2}\n\n{\"timestamp\": \"2026-12-02\", \"value\": \"3.5\", \"metric\": \"m\"}\n";
        let o = read_json_lines("o.jsonl", text.as_bytes()).unwrap();
        assert_eq!(o.rows.len(), 2);
        assert_eq!(o.rows[1].metric, Some(0));
        let e = read_json_lines(
            "o.jsonl",
            "{\"timestamp\": \"2026-12-01\"}\n[1]\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!((e.line, e.message.as_str()), (1, "missing `value`"));
        let e = read_json_lines(
            "o.jsonl",
            "{\"timestamp\": \"2026-12-01\", \"value\": 1}\n{oops\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn json_lines_read_like_csv_and_refuse_repeated_keys() {
        let o = read_json_lines(
            "o.jsonl",
            "\u{feff}{\"Timestamp\": \"2026-12-01\", \"VALUE\": 2}\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(o.rows.len(), 1);
        for text in [
            "{\"timestamp\": \"2026-12-01\", \"value\": 1, \"value\": 2}\n",
            "{\"timestamp\": \"2026-12-01\", \"value\": 1, \"Value\": 2}\n",
        ] {
            let e = read_json_lines("o.jsonl", text.as_bytes()).unwrap_err();
            assert!(e.message.contains("duplicate column name"), "{e}");
        }
        for text in [
            "timestamp,value,value\n",
            "timestamp,Value,value\n",
            "Metric,timestamp,value,metric\n",
        ] {
            let e = read_csv("o.csv", text.as_bytes()).unwrap_err();
            assert!(e.message.contains("duplicate column name"), "{e}");
        }
    }

    #[test]
    fn values_beyond_the_bound_are_refused_at_their_line() {
        let e = read_csv(
            "o.csv",
            "timestamp,value\n2026-12-01,1\n2026-12-01,1.7e308\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = read_json_lines(
            "o.jsonl",
            "{\"timestamp\": \"2026-12-01\", \"value\": -2e100}\n".as_bytes(),
        )
        .unwrap_err();
        assert_eq!(e.line, 1, "{e}");
        read_csv("o.csv", "timestamp,value\n2026-12-01,1e100\n".as_bytes()).unwrap();
    }

    #[test]
    fn rows_outside_the_span_are_counted_not_kept() {
        let span = Span {
            from: crate::timestamp::parse_micros("2026-11-01").unwrap(),
            to: crate::timestamp::parse_micros("2027-01-01").unwrap(),
            after_today: crate::timestamp::parse_micros("2026-12-15").unwrap(),
        };
        let o = read_csv_in(
            "o.csv",
            "timestamp,value,metric\n1990-01-01,1,a\n2026-11-02,1,a\n2026-12-20,1,b\n2030-01-01,1,b\n".as_bytes(),
            &span,
        )
        .unwrap();
        assert_eq!(o.rows.len(), 1);
        assert_eq!(o.outside, 1);
        assert_eq!(o.late, vec![0, 2]);
        assert_eq!(o.metrics.len(), 2);
    }
}
