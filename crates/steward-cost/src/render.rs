//! Text and HTML renderings of the cost reports (JSON is their serde form).

use std::fmt::Write;

use steward_html::{page, svg};
use steward_io::escape_line;

use crate::analysis::{CostError, CostReport};
use crate::money::MoneyFormat;
use crate::portfolio::PortfolioCost;
use crate::yardstick::YardstickStatus;

/// Manifest text (names, currencies) for html: control characters made visible, then
/// markup escaped, so neither a tag nor a terminal escape passes through.
fn escape(s: &str) -> String {
    steward_html::escape(&escape_line(s))
}

fn pct(v: f64) -> String {
    crate::money::percent(v)
}

fn status_word(s: Option<YardstickStatus>) -> &'static str {
    match s {
        Some(YardstickStatus::Below) => "BELOW the expected range",
        Some(YardstickStatus::Above) => "ABOVE the expected range",
        Some(YardstickStatus::Within) => "within the expected range",
        None => "not applicable",
    }
}

/// The JSON form, with the invisible and C1 characters serde_json leaves raw in strings
/// (from manifest names and currencies) written as `\uXXXX` escapes.
pub fn json<T: serde::Serialize>(value: &T) -> Result<String, CostError> {
    let mut s =
        serde_json::to_string_pretty(value).map_err(|e| CostError::Internal(e.to_string()))?;
    s.push('\n');
    Ok(steward_io::escape_json(&s).into_owned())
}

pub fn text(r: &CostReport, fmt: MoneyFormat) -> String {
    let m = |v: f64| fmt.format(&r.currency, v);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: total cost of ownership over {} year{}\n",
        escape_line(&r.system),
        r.years,
        if r.years == 1 { "" } else { "s" }
    );
    let d = &r.declared;
    let _ = writeln!(out, "Declared (ranges at their likely value)");
    // A line the manifest leaves out counts 0 like a declared 0, and is said to be missing.
    let not_declared = |line: String| {
        if d.missing.contains(&line) {
            "  (not declared)"
        } else {
            ""
        }
    };
    for (k, v) in &d.implementation {
        let _ = writeln!(
            out,
            "  implementation.{k:<24}{:>20}{}",
            m(*v),
            not_declared(format!("implementation.{k}"))
        );
    }
    let _ = writeln!(
        out,
        "  {:<39}{:>20}",
        "implementation total",
        m(d.implementation_total)
    );
    for (k, v) in &d.annual {
        let _ = writeln!(
            out,
            "  annual.{k:<32}{:>20}  a year{}",
            m(*v),
            not_declared(format!("annual.{k}"))
        );
    }
    let _ = writeln!(
        out,
        "  {:<39}{:>20}  a year",
        "annual total",
        m(d.annual_total)
    );
    let _ = writeln!(
        out,
        "  {:<39}{:>20}\n",
        format!("total over {} years", r.years),
        m(d.total)
    );

    let _ = writeln!(out, "Industry yardsticks");
    let i = &r.yardsticks.integration;
    match (i.poc_cost, i.expected_low, i.expected_high) {
        (Some(poc), Some(lo), Some(hi)) => {
            // The ratio is absent only when poc_cost is 0 (no ratio to 0) or so tiny that
            // the ratio is infinite.
            let compared = match i.ratio_to_poc {
                Some(r) => format!("= {} the POC ({})", crate::money::ratio(r), m(poc)),
                None if poc > 0.0 => format!("= far more than the POC ({})", m(poc)),
                None => format!("against a POC of {} (no ratio to 0)", m(poc)),
            };
            let _ = writeln!(
                out,
                "  integration + data preparation {} {compared}; expected 3-5x: {} to {}: {}",
                m(i.declared),
                m(lo),
                m(hi),
                status_word(i.status)
            );
            // A gap that rounds to 0 is no gap worth a line.
            if let Some(g) = i.gap.filter(|g| g.abs() >= 0.5) {
                let _ = writeln!(out, "    gap to the expected range: {}", m(g));
            }
        }
        _ => {
            let _ = writeln!(
                out,
                "  integration: no poc_cost declared, so the 3-5x yardstick does not apply"
            );
        }
    }
    let mt = &r.yardsticks.maintenance;
    match mt.status {
        Some(status) => {
            // The share is absent only when a tiny implementation total makes it infinite.
            let share = mt
                .share_of_implementation
                .map_or_else(|| "far more than all".to_string(), pct);
            let _ = writeln!(
                out,
                "  maintenance {} a year = {} of implementation; expected 15-25%: {} to {}: {}",
                m(mt.declared),
                share,
                m(mt.expected_low),
                m(mt.expected_high),
                status_word(Some(status))
            );
            if mt.gap.abs() >= 0.5 {
                let _ = writeln!(out, "    gap to the expected range: {} a year", m(mt.gap));
            }
        }
        None => {
            let _ = writeln!(
                out,
                "  maintenance: no implementation cost declared, so the 15-25% yardstick does not apply"
            );
        }
    }

    let s = &r.simulation;
    let _ = writeln!(
        out,
        "\nSimulation ({} runs, seed {}, {} ranged line{} drawn from PERT distributions)",
        s.runs,
        s.seed,
        s.ranged_lines,
        if s.ranged_lines == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "  total: P10 {}  P50 {}  P90 {}  mean {}",
        m(s.total.p10),
        m(s.total.p50),
        m(s.total.p90),
        m(s.total.mean)
    );

    if !r.sensitivity.is_empty() {
        let _ = writeln!(
            out,
            "\nSensitivity of the total (each range at its low and high, the rest at likely)"
        );
        for x in &r.sensitivity {
            let _ = writeln!(
                out,
                "  {:<34} {:>20} to {:<20} (swing {})",
                x.line,
                m(x.total_at_low),
                m(x.total_at_high),
                m(x.swing)
            );
        }
    }

    if let Some(src) = &r.sourcing {
        let _ = writeln!(
            out,
            "\nBuild vs buy over {} years (decision: {})",
            r.years,
            src.decision.map_or("not recorded", |d| d.as_str())
        );
        for o in &src.options {
            let _ = writeln!(
                out,
                "  {} ({}): weighted score {:.2} of 5; cost P10 {}  P50 {}  P90 {}; cheapest in {} of runs{}",
                escape_line(&o.name),
                o.kind.map_or("-", |k| k.as_str()),
                o.weighted_score,
                m(o.cost.p10),
                m(o.cost.p50),
                m(o.cost.p90),
                pct(o.probability_cheapest),
                if o.flags.is_empty() {
                    String::new()
                } else {
                    format!("; FLAG: {}", o.flags.join(", "))
                }
            );
        }
    }
    out
}

pub fn html(r: &CostReport, fmt: MoneyFormat) -> String {
    let m = |v: f64| fmt.format(&r.currency, v);
    let label = |v: f64| MoneyFormat::Compact.format(&r.currency, v);
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1><p class=\"sub\">Total cost of ownership over {} years, {} simulated runs (seed {}).</p>",
        escape(&r.system),
        r.years,
        r.simulation.runs,
        r.simulation.seed
    );
    b.push_str("<h2>Declared cost</h2><table><tr><th>line</th><th class=\"n\">amount</th></tr>");
    for (k, v) in &r.declared.implementation {
        let _ = write!(
            b,
            "<tr><td>implementation.{k}</td><td class=\"n\">{}</td></tr>",
            escape(&m(*v))
        );
    }
    for (k, v) in &r.declared.annual {
        let _ = write!(
            b,
            "<tr><td>annual.{k} (a year)</td><td class=\"n\">{}</td></tr>",
            escape(&m(*v))
        );
    }
    let _ = write!(
        b,
        "<tr><th>total over {} years</th><th class=\"n\">{}</th></tr></table>",
        r.years,
        escape(&m(r.declared.total))
    );

    b.push_str("<h2>Industry yardsticks</h2><table><tr><th></th><th class=\"n\">declared</th><th class=\"n\">expected</th><th>status</th></tr>");
    let i = &r.yardsticks.integration;
    if let (Some(lo), Some(hi)) = (i.expected_low, i.expected_high) {
        let class = if i.status == Some(YardstickStatus::Within) {
            "ok"
        } else {
            "warn"
        };
        let _ = write!(
            b,
            "<tr><td>integration + data preparation (3-5x the POC)</td><td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td class=\"{class}\">{}</td></tr>",
            escape(&m(i.declared)),
            escape(&m(lo)),
            escape(&m(hi)),
            i.status.map_or("", YardstickStatus::as_str)
        );
    }
    let mt = &r.yardsticks.maintenance;
    if let Some(status) = mt.status {
        let class = if status == YardstickStatus::Below {
            "warn"
        } else {
            "ok"
        };
        let status = status.as_str();
        let _ = write!(
            b,
            "<tr><td>maintenance a year (15-25% of implementation)</td><td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td class=\"{class}\">{status}</td></tr>",
            escape(&m(mt.declared)),
            escape(&m(mt.expected_low)),
            escape(&m(mt.expected_high)),
        );
    }
    b.push_str("</table>");

    let s = &r.simulation;
    let hist = &r.total_histogram;
    let (counts, lo, hi) = (&hist.counts, hist.lo, hist.hi);
    let _ = write!(
        b,
        "<h2>Distribution of the total</h2><p>P10 {} · P50 {} · P90 {} · mean {}</p>{}",
        escape(&m(s.total.p10)),
        escape(&m(s.total.p50)),
        escape(&m(s.total.p90)),
        escape(&m(s.total.mean)),
        svg::histogram(
            "Simulated total cost of ownership",
            counts,
            lo,
            hi,
            &[
                ("P10", s.total.p10),
                ("P50", s.total.p50),
                ("P90", s.total.p90)
            ],
            &label
        )
    );

    if !r.sensitivity.is_empty() {
        let rows: Vec<(String, f64, f64)> = r
            .sensitivity
            .iter()
            .map(|x| (x.line.clone(), x.total_at_low, x.total_at_high))
            .collect();
        let _ = write!(
            b,
            "<h2>Sensitivity</h2><p class=\"note\">The total with each ranged line at its low and at its high, every other line at its likely value.</p>{}",
            svg::tornado(
                "Sensitivity of the total to each ranged line",
                &rows,
                r.declared.total,
                &label
            )
        );
    }

    if let Some(src) = &r.sourcing {
        b.push_str("<h2>Build vs buy</h2><table><tr><th>option</th><th>kind</th><th class=\"n\">weighted score</th><th class=\"n\">P50 cost</th><th class=\"n\">cheapest in</th><th>flags</th></tr>");
        for o in &src.options {
            let _ = write!(
                b,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{:.2}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"bad\">{}</td></tr>",
                escape(&o.name),
                o.kind.map_or("", |k| k.as_str()),
                o.weighted_score,
                escape(&m(o.cost.p50)),
                pct(o.probability_cheapest),
                escape(&o.flags.join(", "))
            );
        }
        b.push_str("</table>");
        let rows: Vec<(String, f64, f64, f64, f64)> = src
            .options
            .iter()
            .map(|o| {
                (
                    escape_line(&o.name).into_owned(),
                    o.cost.p10,
                    o.cost.p50,
                    o.cost.p90,
                    o.cost.mean,
                )
            })
            .collect();
        b.push_str(&svg::intervals(
            "Cost of each option over the horizon",
            &rows,
            &label,
        ));
    }
    page(
        &format!("{}: cost of ownership", escape_line(&r.system)),
        &b,
    )
}

pub fn portfolio_text(p: &PortfolioCost, fmt: MoneyFormat) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:<28}", "SYSTEM");
    for y in 1..=p.years {
        let _ = write!(out, "{:>20}", format!("YEAR {y}"));
    }
    let _ = writeln!(out, "{:>20}", "TOTAL");
    for s in &p.systems {
        let _ = write!(out, "{:<28}", escape_line(&s.system));
        for v in &s.per_year {
            let _ = write!(out, "{:>20}", fmt.format(&s.currency, *v));
        }
        let _ = writeln!(out, "{:>20}", fmt.format(&s.currency, s.total));
    }
    out.push('\n');
    for (cur, c) in &p.combined {
        let _ = write!(
            out,
            "{:<28}",
            format!(
                "all {} ({} systems)",
                if cur.is_empty() {
                    "-".into()
                } else {
                    escape_line(cur)
                },
                c.systems
            )
        );
        for v in &c.per_year {
            let _ = write!(out, "{:>20}", fmt.format(cur, *v));
        }
        let _ = writeln!(out, "{:>20}", fmt.format(cur, c.total));
    }
    out
}

pub fn portfolio_html(p: &PortfolioCost, fmt: MoneyFormat) -> String {
    let mut b = format!(
        "<h1>Portfolio cost of ownership</h1><p class=\"sub\">Declared cost per year over {} years: implementation in year 1, annual lines every year.</p><table><tr><th>system</th>",
        p.years
    );
    for y in 1..=p.years {
        let _ = write!(b, "<th class=\"n\">year {y}</th>");
    }
    b.push_str("<th class=\"n\">total</th></tr>");
    for s in &p.systems {
        let _ = write!(b, "<tr><td>{}</td>", escape(&s.system));
        for v in &s.per_year {
            let _ = write!(
                b,
                "<td class=\"n\">{}</td>",
                escape(&fmt.format(&s.currency, *v))
            );
        }
        let _ = write!(
            b,
            "<td class=\"n\">{}</td></tr>",
            escape(&fmt.format(&s.currency, s.total))
        );
    }
    for (cur, c) in &p.combined {
        let _ = write!(b, "<tr><th>all {}</th>", escape(cur));
        for v in &c.per_year {
            let _ = write!(b, "<th class=\"n\">{}</th>", escape(&fmt.format(cur, *v)));
        }
        let _ = write!(
            b,
            "<th class=\"n\">{}</th></tr>",
            escape(&fmt.format(cur, c.total))
        );
    }
    b.push_str("</table>");
    page("Portfolio cost of ownership", &b)
}
