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
        None => err(file, line, format!("cannot read: {e}")),
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
}

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct ReadError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: u64,
    pub message: String,
}

fn err(file: &str, line: u64, message: impl Into<String>) -> ReadError {
    ReadError {
        file: file.to_string(),
        line,
        message: message.into(),
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
    let name = path.display().to_string();
    let file =
        steward_io::open_input(path).map_err(|e| err(&name, 0, format!("cannot read: {e}")))?;
    if is_json_lines(path) {
        read_json_lines(&name, file)
    } else {
        read_csv(&name, file)
    }
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

fn parse_value(file: &str, line: u64, raw: &str) -> Result<f64, ReadError> {
    let t = raw.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 20)
        .from_reader(LineLimited::new(input));
    let headers = reader.headers().map_err(|e| csv_error(file, e))?.clone();
    let find = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(n))
    };
    let (Some(ts), Some(val)) = (find("timestamp"), find("value")) else {
        return Err(err(
            file,
            1,
            format!(
                "the header must have `timestamp` and `value` columns (and `metric` for several metrics); found {}",
                list_columns(&headers)
            ),
        ));
    };
    let metric_col = find("metric");
    let mut names = MetricNames::default();
    let mut rows = Vec::new();
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
        rows.push(Observation { at, value, metric });
    }
    Ok(Observations {
        rows,
        metrics: names.names,
        metric_column: metric_col.is_some(),
    })
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
    let reader = BufReader::with_capacity(1 << 20, LineLimited::new(input));
    let mut names = MetricNames::default();
    let mut rows = Vec::new();
    let mut metric_column = false;
    for (i, text) in reader.split(b'\n').enumerate() {
        let line = i as u64 + 1;
        let bytes = text.map_err(|e| io_error(file, line, &e))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| err(file, line, "the line is not UTF-8 text"))?;
        if text.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| err(file, line, format!("not a JSON object: {e}")))?;
        let obj = v.as_object().ok_or_else(|| {
            err(
                file,
                line,
                "expected a JSON object with `timestamp` and `value`",
            )
        })?;
        let ts = obj
            .get("timestamp")
            .and_then(|t| t.as_str())
            .ok_or_else(|| err(file, line, "missing `timestamp` (a string)"))?;
        let at = parse_time(file, line, ts)?;
        let value = match obj.get("value") {
            Some(serde_json::Value::Number(n)) => n
                .as_f64()
                .filter(|v| v.is_finite())
                .ok_or_else(|| err(file, line, "value is not a finite number"))?,
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
        let metric = match obj.get("metric") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(m)) if !m.trim().is_empty() => {
                metric_column = true;
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
        rows.push(Observation { at, value, metric });
    }
    Ok(Observations {
        rows,
        metrics: names.names,
        metric_column,
    })
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
}
