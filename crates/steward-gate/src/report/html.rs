//! One self-contained page for the people who approve a scale-up (no scripts, nothing
//! fetched), rendered the same by `check --format html` and `portfolio --format html`: the
//! portfolio with its verdicts, which rules fail across systems, the declared cost per year,
//! then each system's findings grouped by the essay's three sections.

use std::collections::BTreeMap;
use std::fmt::Write;

use steward_cost::MoneyFormat;
use steward_html::{escape, page};

use crate::finding::{Group, RULES, Status};
use crate::portfolio::{Portfolio, PortfolioRow};
use crate::{GateReport, SystemReport, Verdict};

/// The page for `report`, with the cost of each system from `portfolio` (matched by name).
pub fn html(report: &GateReport, portfolio: &Portfolio) -> String {
    let rows: BTreeMap<&str, &PortfolioRow> = portfolio
        .systems
        .iter()
        .map(|r| (r.name.as_str(), r))
        .collect();
    let n = report.systems.len();
    let mut b = format!(
        "<h1>AI readiness</h1><p class=\"sub\">{n} system{} judged on {}</p>",
        if n == 1 { "" } else { "s" },
        report.date
    );
    let ready = report.ready_count();
    let _ = write!(
        b,
        "<p><span class=\"{}\">{ready} of {n} ready</span> to move to their next stage.</p>",
        if ready == n { "ok" } else { "bad" }
    );
    portfolio_table(&mut b, report, &rows);
    rollup(&mut b, report);
    cost_per_year(&mut b, &portfolio.systems);
    for sys in &report.systems {
        system_section(&mut b, sys);
    }
    page("AI readiness", &b)
}

fn money(currency: &str, v: f64) -> String {
    MoneyFormat::Grouped.format(currency, v)
}

fn portfolio_table(b: &mut String, report: &GateReport, rows: &BTreeMap<&str, &PortfolioRow>) {
    b.push_str(
        "<h2>Portfolio</h2><table><tr><th>system</th><th>stage</th><th>verdict</th>\
         <th>rules failed</th><th class=\"n\">gaps to fix</th><th class=\"n\">implementation</th>\
         <th class=\"n\">per year</th></tr>",
    );
    for sys in &report.systems {
        let (class, verdict) = match sys.verdict {
            Verdict::Ready => ("ok", "ready"),
            Verdict::NotReady => ("bad", "not ready"),
        };
        let failed: Vec<&str> = sys.failed_rules().iter().map(|id| id.as_str()).collect();
        let (implementation, annual) = rows
            .get(sys.name.as_str())
            .map(|r| {
                (
                    money(&r.currency, r.implementation_total),
                    money(&r.currency, r.annual_total),
                )
            })
            .unwrap_or_default();
        let _ = write!(
            b,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{} → {}</td><td class=\"{class}\">{verdict}</td>\
             <td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            anchor(&sys.name),
            escape(&sys.name),
            sys.lifecycle,
            sys.target,
            if failed.is_empty() {
                "-".to_string()
            } else {
                failed.join(" ")
            },
            sys.gaps,
            escape(&implementation),
            escape(&annual)
        );
    }
    b.push_str("</table>");
}

/// Which rules fail across the systems, most widespread first.
fn rollup(b: &mut String, report: &GateReport) {
    let n = report.systems.len();
    let mut failing: Vec<(usize, &crate::Rule)> = RULES
        .iter()
        .map(|rule| {
            let count = report
                .systems
                .iter()
                .filter(|s| s.rule_status(rule.id) == Some(Status::Failed))
                .count();
            (count, rule)
        })
        .filter(|(count, _)| *count > 0)
        .collect();
    if failing.is_empty() {
        return;
    }
    // Most systems first; rule order among equals.
    failing.sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    b.push_str("<h2>Where the portfolio falls short</h2><table>");
    for (count, rule) in failing {
        let _ = write!(
            b,
            "<tr><td><strong>{}</strong> {}</td><td>fails in {count} of {n} system{}</td>\
             <td><svg width=\"120\" height=\"10\" viewBox=\"0 0 120 10\" role=\"img\"><title>{count} of {n}</title>\
             <rect width=\"120\" height=\"10\" fill=\"#e4e7eb\"/>\
             <rect width=\"{:.1}\" height=\"10\" fill=\"#b3261e\"/></svg></td></tr>",
            rule.id,
            escape(rule.title),
            if n == 1 { "" } else { "s" },
            120.0 * count as f64 / n.max(1) as f64
        );
    }
    b.push_str("</table><p class=\"note\"><code>steward explain RULE</code> says why each rule matters and how to satisfy it.</p>");
}

/// The declared cost per year, per currency (amounts in different currencies are never
/// added).
fn cost_per_year(b: &mut String, rows: &[PortfolioRow]) {
    let mut by_currency: BTreeMap<&str, (f64, f64, usize)> = BTreeMap::new();
    for r in rows {
        let e = by_currency.entry(r.currency.as_str()).or_default();
        e.0 += r.implementation_total;
        e.1 += r.annual_total;
        e.2 += 1;
    }
    if by_currency.is_empty() {
        return;
    }
    b.push_str(
        "<h2>Declared cost</h2><table><tr><th>currency</th><th class=\"n\">systems</th>\
         <th class=\"n\">implementation</th><th class=\"n\">per year</th></tr>",
    );
    for (currency, (implementation, annual, systems)) in by_currency {
        let shown = if currency.is_empty() { "-" } else { currency };
        let _ = write!(
            b,
            "<tr><td>{}</td><td class=\"n\">{systems}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(shown),
            escape(&money(currency, implementation)),
            escape(&money(currency, annual))
        );
    }
    b.push_str("</table>");
}

fn system_section(b: &mut String, sys: &SystemReport) {
    let (class, verdict) = match sys.verdict {
        Verdict::Ready => ("ok", "READY"),
        Verdict::NotReady => ("bad", "NOT READY"),
    };
    let _ = write!(
        b,
        "<h2 id=\"{}\">{}</h2><p class=\"sub\">{} · {} → {}</p><p><span class=\"{class}\">{verdict}</span> for {}: {}</p>",
        anchor(&sys.name),
        escape(&sys.name),
        escape(&sys.file),
        sys.lifecycle,
        sys.target,
        sys.target,
        escape(&super::summary_line(sys))
    );
    for group in [Group::Questions, Group::Patterns, Group::Cost] {
        let problems: Vec<&crate::Finding> = sys
            .findings
            .iter()
            .filter(|f| f.id.rule().group == group)
            .filter(|f| matches!(f.status, Status::Failed | Status::Warning | Status::Waived))
            .collect();
        let passed: Vec<&str> = RULES
            .iter()
            .filter(|r| r.group == group && sys.rule_status(r.id) == Some(Status::Passed))
            .map(|r| r.id.as_str())
            .collect();
        let _ = write!(b, "<h3>{}</h3>", escape(group.title()));
        if !problems.is_empty() {
            b.push_str("<table>");
            for f in problems {
                let (class, mark) = match f.status {
                    Status::Failed => ("bad", "failed"),
                    Status::Warning => ("warn", "warning"),
                    _ => ("note", "waived"),
                };
                let mut detail = format!("{}:{}:{} ({})", sys.file, f.line, f.column, f.path);
                if let Some(id) = f.same_gap_as {
                    let _ = write!(detail, "; the same gap as {id}");
                }
                if let Some(w) = &f.waiver {
                    let _ = write!(
                        detail,
                        "; waived until {} by {}: {}",
                        w.until, w.approved_by, w.reason
                    );
                }
                let _ = write!(
                    b,
                    "<tr><td class=\"{class}\">{mark}</td><td><strong>{}</strong> {}</td>\
                     <td>{}<div class=\"note\">{}</div></td></tr>",
                    f.id,
                    escape(f.id.rule().title),
                    escape(&f.message),
                    escape(&detail)
                );
            }
            b.push_str("</table>");
        }
        if !passed.is_empty() {
            let _ = write!(b, "<p class=\"note\">Passed: {}</p>", passed.join(", "));
        }
    }
}

/// An element id for a system: its name is lowercase letters, digits and `-` already; any
/// other character (a name from elsewhere) becomes `-`.
fn anchor(name: &str) -> String {
    let id: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("system-{id}")
}
