//! `steward portfolio`: the whole estate at a glance, one row per system.

use std::cmp::Ordering;
use std::fmt::Write;
use std::process::ExitCode;

use serde::Serialize;
use steward_cost::MoneyFormat;
use steward_gate::{GateOptions, Verdict, evaluate};
use steward_io::escape_line;

use super::{Colors, print, today};
use crate::cli::{PortfolioArgs, PortfolioFormat, PortfolioSort};
use crate::failure::Failure;
use crate::manifests::load_all_reporting;

#[derive(Serialize)]
struct Row {
    name: String,
    file: String,
    lifecycle: &'static str,
    owner: String,
    verdict: &'static str,
    failed_rules: Vec<&'static str>,
    currency: String,
    implementation_total: f64,
    annual_total: f64,
}

#[derive(Serialize)]
struct Portfolio {
    date: String,
    systems: Vec<Row>,
}

fn compare(a: &Row, b: &Row, by: PortfolioSort) -> Ordering {
    let primary = match by {
        PortfolioSort::Name => Ordering::Equal,
        PortfolioSort::Lifecycle => a.lifecycle_rank().cmp(&b.lifecycle_rank()),
        PortfolioSort::Owner => a.owner.cmp(&b.owner),
        PortfolioSort::Verdict => (a.verdict == "ready").cmp(&(b.verdict == "ready")),
        PortfolioSort::Failed => b.failed_rules.len().cmp(&a.failed_rules.len()),
        PortfolioSort::Implementation => b.implementation_total.total_cmp(&a.implementation_total),
        PortfolioSort::Annual => b.annual_total.total_cmp(&a.annual_total),
    };
    primary.then_with(|| a.name.cmp(&b.name))
}

impl Row {
    fn lifecycle_rank(&self) -> u8 {
        match self.lifecycle {
            "proof-of-concept" => 0,
            "pilot" => 1,
            "production" => 2,
            _ => 3,
        }
    }
}

/// A CSV field: control characters made visible (a CSV is read in terminals and
/// spreadsheets alike); a cell a spreadsheet would take for a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) prefixed with `'`, as OWASP advises against
/// CSV injection; then quoted when it holds a separator or a quote.
fn csv_field(s: &str) -> String {
    let s = escape_line(s);
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        s
    };
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub fn run(args: &PortfolioArgs, colors: &Colors) -> Result<ExitCode, Failure> {
    let today = today(args.today.as_deref())?;
    let loaded = load_all_reporting(&args.paths, &mut |s| super::skipped(s, args.verbose))?;
    let inputs: Vec<&std::path::Path> = loaded
        .iter()
        .map(|l| std::path::Path::new(&l.file))
        .chain(args.paths.iter().map(|p| p.as_path()))
        .collect();
    super::check_destination(None, &inputs)?;
    let options = GateOptions {
        today,
        target: None,
    };
    let mut rows: Vec<Row> = loaded
        .iter()
        .map(|l| {
            let m = &l.system.manifest;
            let gate = evaluate(&l.system, &l.file, &options);
            let cost = steward_cost::declared(m, 1);
            Row {
                name: m.metadata.name.to_string(),
                file: l.file.clone(),
                lifecycle: m.spec.lifecycle.as_str(),
                owner: m
                    .spec
                    .owner
                    .as_ref()
                    .and_then(|o| o.reference.clone())
                    .unwrap_or_default(),
                verdict: match gate.verdict {
                    Verdict::Ready => "ready",
                    Verdict::NotReady => "not_ready",
                },
                failed_rules: gate.failed_rules(),
                currency: m
                    .spec
                    .budget
                    .as_ref()
                    .and_then(|b| b.currency.clone())
                    .unwrap_or_default(),
                implementation_total: cost.implementation_total,
                annual_total: cost.annual_total,
            }
        })
        .collect();
    rows.sort_by(|a, b| compare(a, b, args.sort));
    if args.reverse {
        rows.reverse();
    }
    let out = match args.format {
        PortfolioFormat::Json => {
            let mut s = serde_json::to_string_pretty(&Portfolio {
                date: today.to_string(),
                systems: rows,
            })
            .map_err(anyhow::Error::from)?;
            s.push('\n');
            steward_io::escape_json(&s).into_owned()
        }
        PortfolioFormat::Csv => {
            let mut s = String::from(
                "name,lifecycle,owner,verdict,failed_rules,currency,implementation_total,annual_total,file\n",
            );
            for r in &rows {
                let _ = writeln!(
                    s,
                    "{},{},{},{},{},{},{},{},{}",
                    csv_field(&r.name),
                    r.lifecycle,
                    csv_field(&r.owner),
                    r.verdict,
                    csv_field(&r.failed_rules.join(" ")),
                    csv_field(&r.currency),
                    r.implementation_total,
                    r.annual_total,
                    csv_field(&r.file)
                );
            }
            s
        }
        PortfolioFormat::Text => table(&rows, colors.stdout),
    };
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn table(rows: &[Row], color: bool) -> String {
    let header = [
        "SYSTEM",
        "LIFECYCLE",
        "OWNER",
        "VERDICT",
        "FAILED",
        "IMPLEMENTATION",
        "ANNUAL",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            // Amounts in full whatever their size (grouped, never saturated), and manifest
            // text with its control characters made visible.
            let money = |v: f64| MoneyFormat::Grouped.format(&r.currency, v);
            [
                escape_line(&r.name).into_owned(),
                r.lifecycle.to_string(),
                if r.owner.is_empty() {
                    "-".into()
                } else {
                    escape_line(&r.owner).into_owned()
                },
                r.verdict.replace('_', " "),
                if r.failed_rules.is_empty() {
                    "-".into()
                } else {
                    r.failed_rules.join(" ")
                },
                money(r.implementation_total),
                money(r.annual_total),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let red = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Red.into()));
    let green = anstyle::Style::new().fg_color(Some(anstyle::AnsiColor::Green.into()));
    let bold = anstyle::Style::new().bold();
    let mut out = String::new();
    let line = |out: &mut String, row: &[String], styles: &[Option<anstyle::Style>]| {
        for (i, (c, w)) in row.iter().zip(widths).enumerate() {
            let pad = w - c.chars().count();
            let right = i >= 5;
            let styled = match styles.get(i).copied().flatten() {
                Some(s) if color => format!("{s}{c}{s:#}"),
                _ => c.clone(),
            };
            if right {
                let _ = write!(out, "{}{styled}", " ".repeat(pad));
            } else {
                let _ = write!(out, "{styled}{}", " ".repeat(pad));
            }
            if i + 1 < row.len() {
                out.push_str("  ");
            }
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
    };
    let header: Vec<String> = header.iter().map(|s| s.to_string()).collect();
    line(&mut out, &header, &[Some(bold); 7]);
    for (row, r) in cells.iter().zip(rows) {
        let verdict_style = if r.verdict == "ready" { green } else { red };
        line(&mut out, row, &[None, None, None, Some(verdict_style)]);
    }
    let ready = rows.iter().filter(|r| r.verdict == "ready").count();
    let _ = writeln!(out, "\n{ready} of {} systems ready", rows.len());
    out
}
