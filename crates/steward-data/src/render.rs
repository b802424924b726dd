//! The drift report rendered for people: [`text`], a table for a terminal, and [`html`],
//! one self-contained page (the verdict, a table of every column, and per column the two
//! distributions overlaid: shares over common bins or values, no raw rows, nothing
//! fetched), small enough for hundreds of columns. A server renders the same.

use std::fmt::Write;

use steward_html::{escape, page, svg};
use steward_stats::ColumnType;

use crate::drift::DriftReport;

/// Categorical charts name each of the most frequent values and fold the rest into one
/// "N others" bar.
const MAX_CATEGORIES: usize = 20;

fn top_categories(labels: &[String], r: &[f64], c: &[f64]) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    if labels.len() <= MAX_CATEGORIES {
        return (labels.to_vec(), r.to_vec(), c.to_vec());
    }
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|a, b| (r[*b] + c[*b]).total_cmp(&(r[*a] + c[*a])));
    let keep = &order[..MAX_CATEGORIES - 1];
    let mut l: Vec<String> = keep.iter().map(|i| labels[*i].clone()).collect();
    let mut rr: Vec<f64> = keep.iter().map(|i| r[*i]).collect();
    let mut cc: Vec<f64> = keep.iter().map(|i| c[*i]).collect();
    let rest = &order[MAX_CATEGORIES - 1..];
    l.push(format!("{} others", rest.len()));
    rr.push(rest.iter().map(|i| r[*i]).sum());
    cc.push(rest.iter().map(|i| c[*i]).sum());
    (l, rr, cc)
}

pub fn html(r: &DriftReport, reference_name: &str, current_name: &str) -> String {
    let mut b = String::new();
    let verdict = if r.dataset_drift {
        "<span class=\"bad\">Dataset drift detected</span>"
    } else {
        "<span class=\"ok\">No dataset drift</span>"
    };
    let _ = write!(
        b,
        "<h1>Data drift</h1><p class=\"sub\">{} ({} rows) against the reference {} ({} rows)</p>\
         <p>{verdict}: {} of {} columns drifted (share {:.2}; the dataset drifts at {:.2}).</p>\
         <p class=\"note\">Charts: reference in blue, current in orange, as shares of each dataset.</p>",
        escape(current_name),
        r.current_rows,
        escape(reference_name),
        r.reference_rows,
        r.number_of_drifted_columns,
        r.number_of_columns,
        r.share_of_drifted_columns,
        r.drift_share
    );
    if r.dataset_drift_uncertain {
        b.push_str("<p class=\"note\">The verdict is uncertain: columns marked ? were compared with a summary whose error bound straddles their threshold, and counted the other way they would change it.</p>");
    } else if r.columns.iter().any(|c| c.decision_uncertain) {
        b.push_str("<p class=\"note\">Columns marked ? were compared with a summary whose error bound straddles their threshold: the full data may decide them either way.</p>");
    }
    b.push_str("<table><tr><th>column</th><th>type</th><th>test</th><th class=\"n\">score</th><th class=\"n\">threshold</th><th>drift</th><th>distributions</th></tr>");
    for c in &r.columns {
        let (labels, rs, cs) = match c.column_type {
            ColumnType::Categorical => top_categories(
                &c.distribution.labels,
                &c.distribution.reference,
                &c.distribution.current,
            ),
            ColumnType::Numerical => (
                c.distribution.labels.clone(),
                c.distribution.reference.clone(),
                c.distribution.current.clone(),
            ),
        };
        let _ = write!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{:.6}</td><td class=\"n\">{}</td><td class=\"{}\">{}{}</td><td class=\"chart\">{}</td></tr>",
            escape(&c.column),
            match c.column_type {
                ColumnType::Numerical => "numerical",
                ColumnType::Categorical => "categorical",
            },
            c.stattest,
            c.score,
            c.threshold,
            if c.drift_detected { "bad" } else { "ok" },
            if c.drift_detected { "yes" } else { "no" },
            if c.decision_uncertain { " ?" } else { "" },
            match c.column_type {
                ColumnType::Categorical => svg::category_bars(&c.column, &labels, &rs, &cs),
                ColumnType::Numerical if c.distribution.tails_folded => format!(
                    "{}<div class=\"note\">Bins over the middle 99% of the values; the end bars hold the far values.</div>",
                    svg::overlaid(&c.column, &labels, &rs, &cs)
                ),
                ColumnType::Numerical => svg::overlaid(&c.column, &labels, &rs, &cs),
            }
        );
    }
    b.push_str("</table>");
    if !r.skipped_columns.is_empty() {
        b.push_str("<h2>Skipped columns</h2><ul>");
        for s in &r.skipped_columns {
            let _ = write!(b, "<li>{}: {}</li>", escape(&s.column), escape(&s.reason));
        }
        b.push_str("</ul>");
    }
    page("Data drift", &b)
}

/// The most characters of a column name the text table shows.
const NAME_CHARS: usize = 200;

/// The report as a table for a terminal. Text from the data (column names, reasons) is
/// escaped; a column name is data (a CSV header cell may be megabytes), so the table shows
/// at most 200 characters of it, while the JSON report keeps it whole.
pub fn text(r: &DriftReport) -> String {
    let name = |n: &str| steward_io::clip(n, NAME_CHARS).into_owned();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Dataset drift: {}{} ({} of {} columns drifted, share {:.2}, threshold {:.2})",
        if r.dataset_drift {
            "DETECTED"
        } else {
            "not detected"
        },
        if r.dataset_drift_uncertain { " ?" } else { "" },
        r.number_of_drifted_columns,
        r.number_of_columns,
        r.share_of_drifted_columns,
        r.drift_share
    );
    let _ = writeln!(
        out,
        "reference {} rows, current {} rows\n",
        r.reference_rows, r.current_rows
    );
    let width = r
        .columns
        .iter()
        .map(|c| name(&c.column).chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        out,
        "{:<width$}  {:<11}  {:<13}  {:>12}  {:>9}  DRIFT",
        "COLUMN", "TYPE", "TEST", "SCORE", "THRESHOLD"
    );
    for c in &r.columns {
        let ty = match c.column_type {
            ColumnType::Numerical => "numerical",
            ColumnType::Categorical => "categorical",
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:<11}  {:<13}  {:>12.6}{} {:>9}  {}{}",
            name(&c.column),
            ty,
            c.stattest.name(),
            c.score,
            if c.approximate { "~" } else { " " },
            c.threshold,
            if c.drift_detected { "yes" } else { "no" },
            if c.decision_uncertain { " ?" } else { "" }
        );
    }
    // A score that is not a number is printed with why.
    let mut first = true;
    for c in &r.columns {
        if let Some(reason) = &c.score_reason {
            if first {
                out.push('\n');
                first = false;
            }
            let _ = writeln!(
                out,
                "{}: no score: {}",
                name(&c.column),
                steward_io::escape_line(reason)
            );
        }
    }
    if let Some(e) = r
        .columns
        .iter()
        .filter_map(|c| c.rank_error)
        .reduce(f64::max)
    {
        let _ = writeln!(
            out,
            "\n~ approximate: compared with a profile's quantile summary (rank error up to {:.2}%)",
            e * 100.0
        );
    } else if r.columns.iter().any(|c| c.approximate) {
        out.push_str("\n~ approximate: compared with a profile's frequent-items sketch\n");
    }
    if r.columns.iter().any(|c| c.decision_uncertain) {
        let _ = writeln!(
            out,
            "? uncertain: the score's error bound straddles the threshold; the full data may decide otherwise{}",
            if r.dataset_drift_uncertain {
                ", and so may the dataset's verdict"
            } else {
                ""
            }
        );
    }
    out
}
