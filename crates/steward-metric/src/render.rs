//! Text and HTML renderings of a metrics report (JSON is its serde form).

use std::fmt::Write;

use steward_html::{page, svg};
use steward_io::escape_line;
use steward_manifest::Direction;

use crate::evaluate::{
    ChangeKind, MetricError, MetricReport, MetricsReport, UnmeasuredMetric, Verdict,
};

/// Manifest text for html: control characters made visible, then markup escaped.
fn escape(s: &str) -> String {
    steward_html::escape(&escape_line(s))
}
use crate::timestamp::date_of;

/// Figures from here on are written in scientific notation, so a value up to the bound on
/// observations (1e100) or a change to a near-zero baseline stays a short word instead of
/// hundreds of digits.
const PLAIN_BELOW: f64 = 1e15;

fn num(v: Option<f64>) -> String {
    match v {
        None => "-".into(),
        Some(v) if !v.is_finite() => "-".into(),
        // Large, or so small that four decimals would show 0 for a value that is not.
        Some(v) if v.abs() >= PLAIN_BELOW || (v != 0.0 && v.abs() < 5e-5) => format!("{v:.3e}"),
        Some(v) => steward_manifest::format_number((v * 1e4).round() / 1e4),
    }
}

/// A window's value for people: four significant digits (28.66, not 28.6583; 0.07310, not
/// 0.0731 rounded to four decimals), in the metric's declared unit.
fn value_text(v: Option<f64>, unit: Option<&str>) -> String {
    let Some(v) = v.filter(|v| v.is_finite()) else {
        return "-".into();
    };
    let shown = if v == 0.0 {
        "0".to_string()
    } else if v.abs() >= PLAIN_BELOW || v.abs() < 1e-4 {
        format!("{v:.3e}")
    } else {
        let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
        steward_manifest::format_number(format!("{v:.digits$}").parse().unwrap_or(v))
    };
    match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(u) => format!("{shown} {}", escape_line(u)),
        None => shown,
    }
}

/// What a Mann-Whitney p-value says, in words.
fn p_words(p: f64) -> &'static str {
    if p < 0.001 {
        "the change is very unlikely to be chance"
    } else if p < 0.05 {
        "the change is unlikely to be chance"
    } else {
        "the change could well be chance"
    }
}

/// When the point estimate reaches the target but the interval does not all lie past it:
/// the data are also consistent with a change that falls short.
fn interval_note(m: &MetricReport) -> Option<String> {
    let (change, [lo, hi]) = (m.change?, m.ci?);
    if m.change_kind != ChangeKind::Relative {
        return None;
    }
    let (reached, cleared) = match m.direction {
        Direction::Decrease => (-change >= m.target_change, -hi >= m.target_change),
        Direction::Increase => (change >= m.target_change, lo >= m.target_change),
    };
    (reached && !cleared).then(|| {
        format!(
            "the estimate reaches the target, but the 95% interval ({} to {}) does not clear it: the true change may be smaller than the {} asked for",
            change_text(m, lo),
            change_text(m, hi),
            target_pct(m.target_change)
        )
    })
}

fn p_text(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn pct(v: f64) -> String {
    let p = v * 100.0;
    if !p.is_finite() {
        "-".into()
    } else if p.abs() >= 1e6 {
        format!("{p:+.2e}%")
    } else {
        format!("{p:+.1}%")
    }
}

/// The target as a whole percentage (`25%`), bounded like [`pct`]: a target_change of
/// 1e300 is written `1.00e302%`, not as 303 digits.
fn target_pct(v: f64) -> String {
    let p = v * 100.0;
    if !p.is_finite() {
        "-".into()
    } else if p.abs() >= 1e6 {
        format!("{p:.2e}%")
    } else {
        format!("{p:.0}%")
    }
}

/// The change as reported: a percentage, or for an absolute change a signed amount in the
/// metric's unit, said to be absolute.
fn change_text(m: &MetricReport, v: f64) -> String {
    match m.change_kind {
        ChangeKind::Relative => pct(v),
        ChangeKind::Absolute => {
            let sign = if v > 0.0 { "+" } else { "" };
            format!("{sign}{}", num(Some(v)))
        }
    }
}

fn change_note(m: &MetricReport) -> &'static str {
    match m.change_kind {
        ChangeKind::Relative => "",
        ChangeKind::Absolute => {
            " (absolute: the baseline is 0 or below, where a relative change is undefined)"
        }
    }
}

fn ignored_note(m: &MetricReport, today: chrono::NaiveDate) -> Option<String> {
    (m.ignored_after_today > 0).then(|| {
        format!(
            "{} observation{} dated after {} left out",
            m.ignored_after_today,
            if m.ignored_after_today == 1 { "" } else { "s" },
            today
        )
    })
}

fn direction_word(d: Direction) -> &'static str {
    match d {
        Direction::Decrease => "decrease",
        Direction::Increase => "increase",
    }
}

fn headline(m: &MetricReport) -> String {
    format!(
        "{} ({}, {} by at least {} within {} days of launch)",
        escape_line(&m.name),
        m.aggregate.as_str(),
        direction_word(m.direction),
        target_pct(m.target_change),
        days_between(m.current.from, m.current.to)
    )
}

fn days_between(a: chrono::NaiveDate, b: chrono::NaiveDate) -> i64 {
    (b - a).num_days()
}

fn explain(m: &MetricReport) -> &'static str {
    match m.verdict {
        Verdict::Met => "MET",
        Verdict::NotMet => "NOT MET",
        Verdict::InProgress => "IN PROGRESS (the current window has not ended)",
        Verdict::InsufficientData => "INSUFFICIENT DATA (a window has fewer than 10 observations)",
        Verdict::NotMeasurable => "NOT MEASURABLE",
    }
}

/// A metric that could not be measured: its name (or that it has none), why, and where.
fn unmeasured_parts(u: &UnmeasuredMetric) -> (String, String) {
    let name = if u.name.is_empty() {
        "(a metric without a name)".to_string()
    } else {
        escape_line(&u.name).into_owned()
    };
    let why = format!("{} ({})", escape_line(&u.reason), escape_line(&u.key));
    (name, why)
}

/// The JSON form, with the invisible and C1 characters serde_json leaves raw in strings
/// (from metric names) written as `\uXXXX` escapes.
pub fn json(r: &MetricsReport) -> Result<String, MetricError> {
    let mut s =
        serde_json::to_string_pretty(r).map_err(|e| MetricError::Internal(e.to_string()))?;
    s.push('\n');
    Ok(steward_io::escape_json(&s).into_owned())
}

pub fn text(r: &MetricsReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: success metrics (launch {}, judged on {})",
        escape_line(&r.system),
        r.launch,
        r.today
    );
    for m in &r.metrics {
        let _ = writeln!(out, "\n{}", headline(m));
        for (label, w) in [("baseline", &m.baseline), ("current ", &m.current)] {
            let _ = writeln!(
                out,
                "  {label} {} to {}: {} observation{}, {} {}",
                w.from,
                w.to,
                w.n,
                if w.n == 1 { "" } else { "s" },
                m.aggregate.as_str(),
                value_text(w.value, m.unit.as_deref())
            );
        }
        let change = m
            .change
            .map(|v| change_text(m, v))
            .unwrap_or_else(|| "-".into());
        let ci =
            m.ci.map(|[a, b]| format!(" (95% CI {} to {})", change_text(m, a), change_text(m, b)))
                .unwrap_or_default();
        let p = m
            .p_value
            .map(|p| format!(", Mann-Whitney p = {}: {}", p_text(p), p_words(p)))
            .unwrap_or_default();
        let _ = writeln!(out, "  change {change}{ci}{p}{}", change_note(m));
        if let Some(note) = interval_note(m) {
            let _ = writeln!(out, "  {note}");
        }
        if let Some(note) = ignored_note(m, r.today) {
            let _ = writeln!(out, "  {note}");
        }
        let _ = writeln!(out, "  verdict: {}", explain(m));
    }
    for u in &r.not_measurable {
        let (name, why) = unmeasured_parts(u);
        let _ = writeln!(out, "\n{name}\n  verdict: NOT MEASURABLE: {why}");
    }
    out
}

pub fn html(r: &MetricsReport) -> String {
    let mut b = format!(
        "<h1>{}: success metrics</h1><p class=\"sub\">Launch {} · judged on {} · bootstrap {} resamples, seed {}</p>",
        escape(&r.system),
        r.launch,
        r.today,
        r.resamples,
        r.seed
    );
    for m in &r.metrics {
        let class = match m.verdict {
            Verdict::Met => "ok",
            Verdict::NotMet => "bad",
            _ => "warn",
        };
        let _ = write!(
            b,
            "<h2>{}</h2><p><span class=\"{class}\">{}</span></p><table>\
             <tr><th>window</th><th>from</th><th>to (exclusive)</th><th class=\"n\">observations</th><th class=\"n\">{}</th></tr>\
             <tr><td>baseline</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\
             <tr><td>current</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>\
             <p>Change {}{}{}{}</p>{}",
            escape(&headline(m)),
            explain(m),
            m.aggregate.as_str(),
            m.baseline.from,
            m.baseline.to,
            m.baseline.n,
            escape(&value_text(m.baseline.value, m.unit.as_deref())),
            m.current.from,
            m.current.to,
            m.current.n,
            escape(&value_text(m.current.value, m.unit.as_deref())),
            m.change
                .map(|v| change_text(m, v))
                .unwrap_or_else(|| "-".into()),
            m.ci.map(|[a, c]| format!(
                " (95% bootstrap interval {} to {})",
                change_text(m, a),
                change_text(m, c)
            ))
            .unwrap_or_default(),
            m.p_value
                .map(|p| format!(", Mann-Whitney p = {}: {}", p_text(p), p_words(p)))
                .unwrap_or_default(),
            change_note(m),
            ignored_note(m, r.today)
                .map(|n| format!("<p class=\"note\">{}.</p>", escape(&n)))
                .unwrap_or_default(),
        );
        let points: Vec<(f64, f64)> = m.points.iter().map(|(t, v)| (*t as f64, *v)).collect();
        let mut levels = Vec::new();
        let target = m.baseline.value.map(|bv| {
            let sign = if m.direction == Direction::Decrease {
                -1.0
            } else {
                1.0
            };
            // The target moves the baseline by a share of its size, whatever its sign.
            bv + sign * m.target_change * bv.abs()
        });
        if let Some(bv) = m.baseline.value {
            levels.push(svg::Level {
                label: "baseline",
                value: bv,
                dashed: false,
            });
        }
        // A huge target_change can carry the line past f64: no line then, not a NaN chart.
        if let Some(t) = target.filter(|t| t.is_finite()) {
            levels.push(svg::Level {
                label: "target",
                value: t,
                dashed: true,
            });
        }
        if let Some(cv) = m.current.value {
            levels.push(svg::Level {
                label: "current",
                value: cv,
                dashed: false,
            });
        }
        let [b0, l0, c1] = m.window_us;
        let chart = svg::time_series(
            &format!("{} over time", escape_line(&m.name)),
            &points,
            (b0 as f64, c1 as f64),
            &[
                (b0 as f64, l0 as f64, "baseline"),
                (l0 as f64, c1 as f64, "current"),
            ],
            &levels,
            &|x| date_of(x as i64),
            &|y| value_text(Some(y), m.unit.as_deref()),
        );
        b.push_str(&chart);
        if m.points.len() < m.baseline.n + m.current.n {
            let _ = write!(
                b,
                "<p class=\"note\">The chart shows {} of the {} observations, evenly sampled.</p>",
                m.points.len(),
                m.baseline.n + m.current.n
            );
        }
    }
    for u in &r.not_measurable {
        let (name, why) = unmeasured_parts(u);
        let _ = write!(
            b,
            "<h2>{}</h2><p><span class=\"warn\">NOT MEASURABLE</span></p><p>{}</p>",
            steward_html::escape(&name),
            steward_html::escape(&why)
        );
    }
    page(&format!("{}: success metrics", escape_line(&r.system)), &b)
}

#[cfg(test)]
mod words_tests {
    use super::*;

    #[test]
    fn values_keep_four_significant_digits_and_their_unit() {
        assert_eq!(value_text(Some(28.6583), Some("hours")), "28.66 hours");
        assert_eq!(value_text(Some(0.073_105), Some("ratio")), "0.07311 ratio");
        assert_eq!(value_text(Some(12_345.6), None), "12346");
        assert_eq!(value_text(Some(0.0), Some(" ")), "0");
        assert_eq!(value_text(None, Some("hours")), "-");
        assert_eq!(value_text(Some(3e-7), None), "3.000e-7");
    }

    #[test]
    fn p_values_are_said_in_words() {
        assert_eq!(p_words(1e-9), "the change is very unlikely to be chance");
        assert_eq!(p_words(0.0028), "the change is unlikely to be chance");
        assert_eq!(p_words(0.2), "the change could well be chance");
    }
}
