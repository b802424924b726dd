//! Observations from an issue tracker's export: one per resolved ticket, valued at the hours
//! from opening to resolution and dated at the resolution (the example metric,
//! "time-to-resolution for P1 defects", lives in such an export).

use std::io::Read;

use steward_io::clip;

use crate::observations::{
    LineLimited, Observation, Observations, ReadError, Span, err, find_column, io_error,
    list_columns,
};
use crate::timestamp::parse_micros;

/// Which columns to read and which rows to keep.
#[derive(Clone, Debug)]
pub struct TicketColumns {
    pub opened: String,
    pub resolved: String,
    /// Keep a row only when every `(column, value)` matches (case-sensitive, trimmed).
    pub filters: Vec<(String, String)>,
}

/// What was read, beside the observations: how many rows were skipped and why.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketStats {
    pub rows: u64,
    pub filtered_out: u64,
    pub unresolved: u64,
}

pub fn read_tickets<R: Read>(
    file: &str,
    input: R,
    columns: &TicketColumns,
) -> Result<(Observations, TicketStats), ReadError> {
    read_tickets_in(file, input, columns, &Span::ALL)
}

/// [`read_tickets`] keeping only the observations inside `span` (the others are counted).
pub fn read_tickets_in<R: Read>(
    file: &str,
    input: R,
    columns: &TicketColumns,
    span: &Span,
) -> Result<(Observations, TicketStats), ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(LineLimited::new(input));
    let headers = reader.headers().map_err(|e| csv_error(file, e))?.clone();
    // Ticket columns are named exactly (exports hold columns differing only in case); a
    // named column given twice is ambiguous and refused. Other repeated columns (exports
    // repeat `Labels` or `Sprint`) are left alone: they are never read.
    let col = |name: &str| -> Result<usize, ReadError> {
        find_column(file, headers.iter(), name.trim(), |h, n| h == n)?.ok_or_else(|| {
            err(
                file,
                1,
                format!(
                    "no column `{}` in the header (columns: {})",
                    clip(name, 40),
                    list_columns(&headers)
                ),
            )
        })
    };
    let opened = col(&columns.opened)?;
    let resolved = col(&columns.resolved)?;
    let filters: Vec<(usize, &str)> = columns
        .filters
        .iter()
        .map(|(c, v)| Ok((col(c)?, v.as_str())))
        .collect::<Result<_, ReadError>>()?;
    let mut out = Observations::default();
    let mut stats = TicketStats::default();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(file, e))?;
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        stats.rows += 1;
        if !filters
            .iter()
            .all(|(c, v)| record.get(*c).map(str::trim) == Some(v))
        {
            stats.filtered_out += 1;
            continue;
        }
        let done = record.get(resolved).unwrap_or("").trim();
        if done.is_empty() {
            stats.unresolved += 1;
            continue;
        }
        let parse = |raw: &str, what: &str| {
            parse_micros(raw).ok_or_else(|| {
                err(
                    file,
                    line,
                    format!(
                        "{} `{}` is not a timestamp (RFC 3339, `YYYY-MM-DD HH:MM[:SS]` or a date)",
                        clip(what, 40),
                        clip(raw.trim(), 60)
                    ),
                )
            })
        };
        let start = parse(record.get(opened).unwrap_or(""), &columns.opened)?;
        let end = parse(done, &columns.resolved)?;
        if end < start {
            return Err(err(
                file,
                line,
                format!(
                    "the ticket was resolved ({}) before it was opened",
                    clip(done, 60)
                ),
            ));
        }
        out.add(
            span,
            Observation {
                at: end,
                value: (end - start) as f64 / 3_600_000_000.0,
                metric: None,
            },
        );
    }
    Ok((out, stats))
}

fn csv_error(file: &str, e: csv::Error) -> ReadError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => err(
            file,
            line,
            format!("the row has {len} fields, the header has {expected_len}"),
        ),
        csv::ErrorKind::Utf8 { .. } => err(file, line, "the row is not UTF-8 text"),
        csv::ErrorKind::Io(io) => io_error(file, line, io),
        _ => err(file, line, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "Key,Priority,Created,Resolved\n\
        PAY-1,P1,2026-12-02 09:00,2026-12-02 15:30\n\
        PAY-2,P2,2026-12-02 09:00,2026-12-03 09:00\n\
        PAY-3,P1,2026-12-03T08:00:00+01:00,\n\
        PAY-4,P1,2026-12-04T08:00:00Z,2026-12-05T08:00:00+02:00\n";

    fn cols(filters: &[(&str, &str)]) -> TicketColumns {
        TicketColumns {
            opened: "Created".into(),
            resolved: "Resolved".into(),
            filters: filters
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn hours_from_opened_to_resolved() {
        let (o, stats) =
            read_tickets("t.csv", EXPORT.as_bytes(), &cols(&[("Priority", "P1")])).unwrap();
        let hours: Vec<f64> = o.rows.iter().map(|r| r.value).collect();
        assert_eq!(hours, vec![6.5, 22.0]);
        assert_eq!(
            stats,
            TicketStats {
                rows: 4,
                filtered_out: 1,
                unresolved: 1
            }
        );
    }

    #[test]
    fn bad_exports_name_the_line() {
        let e = read_tickets(
            "t.csv",
            EXPORT.as_bytes(),
            &TicketColumns {
                opened: "Opened".into(),
                ..cols(&[])
            },
        )
        .unwrap_err();
        assert!(e.message.contains("no column `Opened`"), "{e}");
        let bad = "Created,Resolved\n2026-12-02 09:00,2026-12-01 09:00\n";
        let e = read_tickets("t.csv", bad.as_bytes(), &cols(&[])).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("before it was opened"));
        let bad = "Created,Resolved\nsoon,2026-12-01 09:00\n";
        let e = read_tickets("t.csv", bad.as_bytes(), &cols(&[])).unwrap_err();
        assert!(e.message.contains("Created `soon`"), "{e}");
    }
}
