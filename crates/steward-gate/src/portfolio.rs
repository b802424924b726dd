//! `steward portfolio`: the whole estate at a glance, one row per system, as JSON, CSV or a
//! text table.
//!
//! A row joins the gate's verdict with the declared cost. It lives here, in the gate, because
//! the gate already reads `steward-cost` (its rules C1-C2 hold budgets against the cost
//! yardsticks); putting it in `steward-cost` would make the cost crate depend on the gate
//! and close a cycle.

use std::cmp::Ordering;
use std::fmt::Write;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use steward_cost::MoneyFormat;
use steward_io::escape_line;
use steward_manifest::{Lifecycle, System};

use crate::{GateOptions, RuleId, Verdict, evaluate};

/// One system of the portfolio.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortfolioRow {
    pub name: String,
    pub file: String,
    pub lifecycle: Lifecycle,
    /// `spec.owner.reference`, empty when none is declared.
    pub owner: String,
    pub verdict: Verdict,
    /// Rules with a failed finding, in rule order.
    pub failed_rules: Vec<RuleId>,
    pub currency: String,
    /// Declared, ranges at their likely value.
    pub implementation_total: f64,
    pub annual_total: f64,
}

/// The `steward portfolio --format json` document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    pub date: NaiveDate,
    pub systems: Vec<PortfolioRow>,
}

/// What the rows are ordered by; ties (and `Name`) go by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    Name,
    /// Earliest stage first.
    Lifecycle,
    Owner,
    /// Not ready first.
    Verdict,
    /// Most failed rules first.
    Failed,
    /// Largest first.
    Implementation,
    /// Largest first.
    Annual,
}

/// The gate's verdict and the declared cost of one system, judged on `options`.
pub fn row(system: &System, file: &str, options: &GateOptions) -> PortfolioRow {
    let m = &system.manifest;
    let gate = evaluate(system, file, options);
    // A one-year horizon: the totals are per line, not over a horizon.
    let cost = steward_cost::declared(m, 1);
    PortfolioRow {
        name: m.metadata.name.to_string(),
        file: file.to_string(),
        lifecycle: m.spec.lifecycle,
        owner: m
            .spec
            .owner
            .as_ref()
            .and_then(|o| o.reference.clone())
            .unwrap_or_default(),
        verdict: gate.verdict,
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
}

fn compare(a: &PortfolioRow, b: &PortfolioRow, by: SortKey) -> Ordering {
    let primary = match by {
        SortKey::Name => Ordering::Equal,
        SortKey::Lifecycle => a.lifecycle.cmp(&b.lifecycle),
        SortKey::Owner => a.owner.cmp(&b.owner),
        SortKey::Verdict => (a.verdict == Verdict::Ready).cmp(&(b.verdict == Verdict::Ready)),
        SortKey::Failed => b.failed_rules.len().cmp(&a.failed_rules.len()),
        // Amounts in different currencies are not comparable as numbers: rows go by
        // currency first (in code order, none last), then largest first within one.
        SortKey::Implementation => by_currency(a, b)
            .then_with(|| b.implementation_total.total_cmp(&a.implementation_total)),
        SortKey::Annual => {
            by_currency(a, b).then_with(|| b.annual_total.total_cmp(&a.annual_total))
        }
    };
    primary.then_with(|| a.name.cmp(&b.name))
}

fn by_currency(a: &PortfolioRow, b: &PortfolioRow) -> Ordering {
    (a.currency.is_empty(), &a.currency).cmp(&(b.currency.is_empty(), &b.currency))
}

impl Portfolio {
    /// Rows in the order `by` gives, or its reverse.
    pub fn new(
        date: NaiveDate,
        mut systems: Vec<PortfolioRow>,
        by: SortKey,
        reverse: bool,
    ) -> Self {
        systems.sort_by(|a, b| compare(a, b, by));
        if reverse {
            systems.reverse();
        }
        Portfolio { date, systems }
    }

    pub fn ready_count(&self) -> usize {
        self.systems
            .iter()
            .filter(|r| r.verdict == Verdict::Ready)
            .count()
    }
}

/// The JSON document, with the characters serde_json leaves raw in strings (from manifest
/// names) written as `\uXXXX` escapes.
pub fn json(p: &Portfolio) -> String {
    // Every key is a field name and every value a string, number or list: nothing here
    // can fail to serialize.
    let mut s = serde_json::to_string_pretty(p).expect("a portfolio always serializes");
    s.push('\n');
    steward_io::escape_json(&s).into_owned()
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

fn rule_list(ids: &[RuleId]) -> String {
    ids.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(" ")
}

pub fn csv(p: &Portfolio) -> String {
    let mut s = String::from(
        "name,lifecycle,owner,verdict,failed_rules,currency,implementation_total,annual_total,file\n",
    );
    for r in &p.systems {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{}",
            csv_field(&r.name),
            r.lifecycle,
            csv_field(&r.owner),
            r.verdict.as_str(),
            csv_field(&rule_list(&r.failed_rules)),
            csv_field(&r.currency),
            r.implementation_total,
            r.annual_total,
            csv_field(&r.file)
        );
    }
    s
}

/// The text table, verdicts in colour when `color`.
pub fn text(p: &Portfolio, color: bool) -> String {
    let rows = &p.systems;
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
                r.verdict.as_str().replace('_', " "),
                if r.failed_rules.is_empty() {
                    "-".into()
                } else {
                    rule_list(&r.failed_rules)
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
            // The amounts are right-aligned.
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
        let verdict_style = if r.verdict == Verdict::Ready {
            green
        } else {
            red
        };
        line(&mut out, row, &[None, None, None, Some(verdict_style)]);
    }
    let _ = writeln!(
        out,
        "\n{} of {} systems ready (judged on {})",
        p.ready_count(),
        rows.len(),
        p.date
    );
    // A legend for the ids in the FAILED column, in rule order.
    let failed: Vec<&crate::Rule> = crate::RULES
        .iter()
        .filter(|rule| rows.iter().any(|r| r.failed_rules.contains(&rule.id)))
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\nFailed rules (`steward explain RULE` says why each one matters):"
        );
        for rule in failed {
            let _ = writeln!(out, "  {}  {}", rule.id, rule.title);
        }
    }
    out
}
