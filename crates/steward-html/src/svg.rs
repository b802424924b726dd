//! Inline SVG charts. Each function takes plain numbers and a formatter for axis labels,
//! and returns an `<svg>` element with a `<title>` for screen readers.

use std::fmt::Write;

use crate::escape;

const BLUE: &str = "#3e7cb1";
const ORANGE: &str = "#e07a2f";
const GREY: &str = "#9aa5b1";

fn fmt_px(v: f64) -> String {
    format!("{:.1}", v)
}

/// A histogram of counts over equal-width bins from `min` to `max`, with labelled
/// vertical markers (for example P10, P50, P90).
pub fn histogram(
    title: &str,
    counts: &[u64],
    min: f64,
    max: f64,
    markers: &[(&str, f64)],
    label: &dyn Fn(f64) -> String,
) -> String {
    let (w, h, left, bottom, top) = (720.0, 260.0, 20.0, 40.0, 30.0);
    let plot_w = w - 2.0 * left;
    let plot_h = h - bottom - top;
    let peak = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let span = if max > min { max - min } else { 1.0 };
    let x = |v: f64| left + (v - min) / span * plot_w;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    let bw = plot_w / counts.len().max(1) as f64;
    for (i, &c) in counts.iter().enumerate() {
        let bh = c as f64 / peak * plot_h;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BLUE}\" opacity=\"0.8\"/>",
            fmt_px(left + i as f64 * bw),
            fmt_px(top + plot_h - bh),
            fmt_px((bw - 1.0).max(0.5)),
            fmt_px(bh)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{GREY}\"/>",
        top + plot_h,
        left + plot_w,
        top + plot_h
    );
    for (i, (name, v)) in markers.iter().enumerate() {
        let xv = x(*v);
        let _ = write!(
            s,
            "<line x1=\"{0}\" y1=\"{top}\" x2=\"{0}\" y2=\"{1}\" stroke=\"{ORANGE}\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\">{3} {4}</text>",
            fmt_px(xv),
            top + plot_h,
            12.0 + (i % 2) as f64 * 12.0,
            escape(name),
            escape(&label(*v))
        );
    }
    let _ = write!(
        s,
        "<text x=\"{left}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text></svg>",
        h - 12.0,
        escape(&label(min)),
        left + plot_w,
        h - 12.0,
        escape(&label(max))
    );
    s
}

/// A tornado chart: per row a bar from `at_low` to `at_high` around the `base` value,
/// rows in the order given (widest swing first, by convention).
pub fn tornado(
    title: &str,
    rows: &[(String, f64, f64)],
    base: f64,
    label: &dyn Fn(f64) -> String,
) -> String {
    let row_h = 28.0;
    let (w, left, right, top) = (720.0, 230.0, 190.0, 20.0);
    let h = top + rows.len().max(1) as f64 * row_h + 30.0;
    let lo = rows.iter().map(|r| r.1.min(r.2)).fold(base, f64::min);
    let hi = rows.iter().map(|r| r.1.max(r.2)).fold(base, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let plot_w = w - left - right;
    let x = |v: f64| left + (v - lo) / span * plot_w;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    for (i, (name, at_low, at_high)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let (a, b) = (x(at_low.min(*at_high)), x(at_low.max(*at_high)));
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BLUE}\"/>\
             <text x=\"{}\" y=\"{}\">{}</text>",
            left - 8.0,
            y + row_h * 0.65,
            escape(name),
            fmt_px(a),
            fmt_px(y + 4.0),
            fmt_px((b - a).max(1.0)),
            row_h - 8.0,
            fmt_px(b + 6.0),
            y + row_h * 0.65,
            escape(&format!("{} to {}", label(*at_low), label(*at_high)))
        );
    }
    let xb = x(base);
    let _ = write!(
        s,
        "<line x1=\"{0}\" y1=\"{top}\" x2=\"{0}\" y2=\"{1}\" stroke=\"{ORANGE}\"/>\
         <text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\">all lines at likely: {3}</text></svg>",
        fmt_px(xb),
        h - 24.0,
        h - 8.0,
        escape(&label(base))
    );
    s
}

/// One row per item: a line from P10 to P90, a tick at P50 and a dot at the mean.
pub fn intervals(
    title: &str,
    rows: &[(String, f64, f64, f64, f64)],
    label: &dyn Fn(f64) -> String,
) -> String {
    let row_h = 34.0;
    let (w, left, right, top) = (720.0, 230.0, 40.0, 20.0);
    let h = top + rows.len().max(1) as f64 * row_h + 30.0;
    let lo = rows
        .iter()
        .map(|r| r.1.min(r.4))
        .fold(f64::INFINITY, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.3.max(r.4))
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let plot_w = w - left - right;
    let x = |v: f64| left + (v - lo) / (hi - lo) * plot_w;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    for (i, (name, p10, p50, p90, mean)) in rows.iter().enumerate() {
        let y = top + i as f64 * row_h + row_h / 2.0;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{BLUE}\" stroke-width=\"6\" stroke-linecap=\"round\"/>\
             <line x1=\"{p50x}\" y1=\"{}\" x2=\"{p50x}\" y2=\"{}\" stroke=\"#1f2933\" stroke-width=\"2\"/>\
             <circle cx=\"{}\" cy=\"{y}\" r=\"4\" fill=\"{ORANGE}\"/>",
            left - 8.0,
            y + 4.0,
            escape(name),
            fmt_px(x(*p10)),
            fmt_px(x(*p90)),
            y - 9.0,
            y + 9.0,
            fmt_px(x(*mean)),
            p50x = fmt_px(x(*p50)),
        );
    }
    let _ = write!(
        s,
        "<text x=\"{left}\" y=\"{}\">{}</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
         <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#52606d\">bar: P10 to P90, tick: P50, dot: mean</text></svg>",
        h - 8.0,
        escape(&label(lo)),
        left + plot_w,
        h - 8.0,
        escape(&label(hi)),
        left + plot_w / 2.0,
        h - 8.0
    );
    s
}

/// Counts of `values` in `bins` equal-width bins over [min, max]; returns (counts, min, max).
pub fn bin(values: &[f64], bins: usize) -> (Vec<u64>, f64, f64) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let bins = bins.max(1);
    let mut counts = vec![0u64; bins];
    if !min.is_finite() || !max.is_finite() {
        return (counts, 0.0, 1.0);
    }
    let width = (max - min) / bins as f64;
    for &v in values {
        let i = if width > 0.0 {
            (((v - min) / width) as usize).min(bins - 1)
        } else {
            0
        };
        counts[i] += 1;
    }
    (counts, min, max)
}

/// A horizontal reference line of a time series.
pub struct Level<'a> {
    pub label: &'a str,
    pub value: f64,
    pub dashed: bool,
}

/// Observations over time as dots, with shaded time bands (for example the baseline and
/// current windows) and labelled horizontal levels (baseline value, target).
pub fn time_series(
    title: &str,
    points: &[(f64, f64)],
    x_range: (f64, f64),
    bands: &[(f64, f64, &str)],
    levels: &[Level],
    x_label: &dyn Fn(f64) -> String,
    y_label: &dyn Fn(f64) -> String,
) -> String {
    let ys = points
        .iter()
        .map(|p| p.1)
        .chain(levels.iter().map(|l| l.value));
    let (mut lo, mut hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.05;
    // Values that are never negative (durations, counts, ratios) get an axis from zero, not
    // from an impossible -4.56 hours.
    let (lo, hi) = if lo >= 0.0 {
        (0.0, hi + pad)
    } else {
        (lo - pad, hi + pad)
    };
    // Margins sized to the labels, so "26.3625 minutes" is not cut to "6.3625" (about 7 px a
    // character at the page's 12 px text); band names sit above the plot, never on a dot.
    let widest = |labels: &mut dyn Iterator<Item = String>| {
        labels.map(|l| l.chars().count()).max().unwrap_or(0) as f64 * 7.0
    };
    let left = (widest(&mut [y_label(hi), y_label(lo)].into_iter()) + 12.0).clamp(40.0, 240.0);
    let right = (widest(
        &mut levels
            .iter()
            .map(|l| format!("{} {}", l.label, y_label(l.value))),
    ) + 12.0)
        .clamp(40.0, 300.0);
    let (h, top, bottom) = (300.0, 30.0, 40.0);
    let w = (800.0f64).max(left + right + 300.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let (x0, x1) = if x_range.1 > x_range.0 {
        x_range
    } else {
        (x_range.0, x_range.0 + 1.0)
    };
    let x = |v: f64| left + (v - x0) / (x1 - x0) * plot_w;
    let y = |v: f64| top + (hi - v) / (hi - lo) * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    for (i, (a, b, name)) in bands.iter().enumerate() {
        let fill = if i % 2 == 0 { "#e4ecf5" } else { "#fdebd8" };
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{plot_h}\" fill=\"{fill}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\">{}</text>",
            fmt_px(x(*a)),
            fmt_px((x(*b) - x(*a)).max(0.0)),
            fmt_px((x(*a) + x(*b)) / 2.0),
            top - 8.0,
            escape(name)
        );
    }
    for (px, py) in points {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{BLUE}\" opacity=\"0.6\"/>",
            fmt_px(x(*px)),
            fmt_px(y(*py))
        );
    }
    // Level labels at their line, moved apart where two lines are closer than a line of
    // text (a target just above the baseline): top to bottom, each at least 14 px below the
    // one above.
    let mut order: Vec<usize> = (0..levels.len()).collect();
    order.sort_by(|a, b| y(levels[*a].value).total_cmp(&y(levels[*b].value)));
    let mut label_y = vec![0.0; levels.len()];
    let mut floor = f64::NEG_INFINITY;
    for i in order {
        let at = (y(levels[i].value) + 4.0).max(floor);
        label_y[i] = at;
        floor = at + 14.0;
    }
    for (i, l) in levels.iter().enumerate() {
        let color = if i == 0 { "#1f2933" } else { ORANGE };
        let dash = if l.dashed {
            " stroke-dasharray=\"5 4\""
        } else {
            ""
        };
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"{color}\"{dash}/>\
             <text x=\"{2}\" y=\"{3}\" font-size=\"11\">{4} {5}</text>",
            fmt_px(y(l.value)),
            left + plot_w,
            left + plot_w + 6.0,
            fmt_px(label_y[i]),
            escape(l.label),
            escape(&y_label(l.value))
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"{GREY}\"/>\
         <text x=\"{left}\" y=\"{2}\">{3}</text><text x=\"{1}\" y=\"{2}\" text-anchor=\"end\">{4}</text>\
         <text x=\"{5}\" y=\"{6}\" text-anchor=\"end\" font-size=\"11\">{7}</text>\
         <text x=\"{5}\" y=\"{8}\" text-anchor=\"end\" font-size=\"11\">{9}</text></svg>",
        top + plot_h,
        left + plot_w,
        h - 14.0,
        escape(&x_label(x0)),
        escape(&x_label(x1)),
        left - 6.0,
        top + 10.0,
        escape(&y_label(hi)),
        top + plot_h,
        escape(&y_label(lo))
    );
    s
}

/// The larger share of two distributions, the height or length of a full bar (never 0, so
/// a distribution of zeros draws flat rather than dividing by zero).
fn peak_share(reference: &[f64], current: &[f64]) -> f64 {
    reference
        .iter()
        .chain(current)
        .copied()
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE)
}

/// Two distributions over the same bins or values, overlaid as filled step outlines
/// (reference in blue, current in orange). Compact: one path per side, whatever the bins.
pub fn overlaid(title: &str, labels: &[String], reference: &[f64], current: &[f64]) -> String {
    let (w, h, left, bottom, top) = (360.0, 120.0, 4.0, 18.0, 6.0);
    let n = reference.len().max(1);
    let plot_w = w - 2.0 * left;
    let plot_h = h - bottom - top;
    let peak = peak_share(reference, current);
    let step = plot_w / n as f64;
    let path = |shares: &[f64]| {
        let mut d = format!("M{left} {}", top + plot_h);
        for (i, v) in shares.iter().enumerate() {
            let y = top + plot_h - v / peak * plot_h;
            let _ = write!(d, "V{:.1}H{:.1}", y, left + (i + 1) as f64 * step);
        }
        let _ = write!(d, "V{}Z", top + plot_h);
        d
    };
    let first = labels.first().map(String::as_str).unwrap_or("");
    let last = labels.last().map(String::as_str).unwrap_or("");
    format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>\
         <path d=\"{}\" fill=\"{BLUE}\" fill-opacity=\"0.35\" stroke=\"{BLUE}\"/>\
         <path d=\"{}\" fill=\"{ORANGE}\" fill-opacity=\"0.35\" stroke=\"{ORANGE}\"/>\
         <text x=\"{left}\" y=\"{}\" font-size=\"10\">{}</text>\
         <text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\">{}</text></svg>",
        escape(title),
        path(reference),
        path(current),
        h - 4.0,
        escape(first),
        w - left,
        h - 4.0,
        escape(last)
    )
}

/// Two distributions over the same categories, as pairs of horizontal bars (reference in
/// blue above current in orange), one row per category with its label on the left: every
/// category is named, and labels cannot overlap whatever their number or length (a label is
/// cut to 20 characters, its full text in a tooltip).
pub fn category_bars(title: &str, labels: &[String], reference: &[f64], current: &[f64]) -> String {
    let (w, row, label_w, top) = (360.0, 16.0, 150.0, 4.0);
    let bar_w = w - label_w - 44.0;
    let n = labels.len();
    let h = top * 2.0 + row * n as f64;
    let peak = peak_share(reference, current);
    let mut s = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>",
        escape(title)
    );
    for (i, label) in labels.iter().enumerate() {
        let y = top + row * i as f64;
        let short: String = if label.chars().count() > 20 {
            label.chars().take(19).chain(['…']).collect()
        } else {
            label.clone()
        };
        let (r, c) = (
            reference.get(i).copied().unwrap_or(0.0),
            current.get(i).copied().unwrap_or(0.0),
        );
        let _ = write!(
            s,
            "<g><title>{}: reference {:.1}%, current {:.1}%</title>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\" fill=\"{BLUE}\"/>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\" fill=\"{ORANGE}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"{GREY}\">{:.0}%</text></g>",
            escape(label),
            r * 100.0,
            c * 100.0,
            label_w - 4.0,
            y + 11.0,
            escape(&short),
            y + 2.0,
            (r / peak * bar_w).max(0.5),
            y + 8.0,
            (c / peak * bar_w).max(0.5),
            label_w + bar_w + 4.0,
            y + 11.0,
            c.max(r) * 100.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_series_labels_never_clip_or_overlap() {
        let points: Vec<(f64, f64)> = (0..50)
            .map(|i| (f64::from(i), 20.0 + f64::from(i % 7)))
            .collect();
        let levels = [
            Level {
                label: "baseline",
                value: 26.3625,
                dashed: false,
            },
            Level {
                label: "target",
                value: 26.0,
                dashed: true,
            },
            Level {
                label: "current",
                value: 25.9,
                dashed: false,
            },
        ];
        let label = |v: f64| format!("{v:.4} minutes");
        let svg = time_series(
            "t",
            &points,
            (0.0, 50.0),
            &[(0.0, 25.0, "baseline"), (25.0, 50.0, "current")],
            &levels,
            &|x| format!("{x}"),
            &label,
        );
        // Non-negative values: the axis starts at 0.
        assert!(svg.contains(">0.0000 minutes</text>"), "{svg}");
        // The y labels end at the left margin, which is wide enough for them (7 px a char).
        let left = svg.split("<line x1=\"").nth(1).unwrap();
        let left: f64 = left[..left.find('"').unwrap()].parse().unwrap();
        assert!(left >= "28.4000 minutes".len() as f64 * 7.0, "{left}");
        // The three level labels are at least a line apart.
        let mut ys: Vec<f64> = ["baseline", "target", "current"]
            .iter()
            .flat_map(|l| {
                svg.split("<text ")
                    .filter(move |t| t.contains(&format!(">{l} ")))
                    .map(|t| {
                        let at = t.find(" y=\"").unwrap() + 4;
                        t[at..at + t[at..].find('"').unwrap()]
                            .parse::<f64>()
                            .unwrap()
                    })
            })
            .collect();
        assert_eq!(ys.len(), 3);
        ys.sort_by(f64::total_cmp);
        assert!(ys.windows(2).all(|w| w[1] - w[0] >= 14.0), "{ys:?}");
        // Band names sit above the plot (its top is 30), clear of every dot.
        let band = svg.split("text-anchor=\"middle\"").count() - 1;
        assert_eq!(band, 2);
        assert!(svg.contains("y=\"22\" text-anchor=\"middle\""), "{svg}");
    }

    #[test]
    fn category_bars_name_every_category_on_its_own_row() {
        let labels: Vec<String> = (0..20)
            .map(|i| format!("category <{i}> with a name far longer than a chart row"))
            .collect();
        let r: Vec<f64> = (0..20).map(|i| f64::from(i) / 190.0).collect();
        let c: Vec<f64> = r.iter().rev().copied().collect();
        let svg = category_bars("col", &labels, &r, &c);
        // Every label is there (escaped, in its tooltip) and each name on one row.
        for l in &labels {
            assert!(svg.contains(&crate::escape(l).to_string()), "{l}");
        }
        // Each name on its own row, 16 px below the one before.
        let ys: Vec<f64> = svg
            .split("<text x=\"146\" y=\"")
            .skip(1)
            .map(|t| t[..t.find('"').unwrap()].parse().unwrap())
            .collect();
        assert_eq!(ys.len(), 20);
        assert!(ys.windows(2).all(|w| w[1] - w[0] == 16.0), "{ys:?}");
        // Rows are 16 px apart and the picture is as tall as its rows.
        assert!(svg.contains("height=\"328\""), "{}", &svg[..200]);
        // Cut labels keep 20 characters.
        assert!(svg.contains(">category &lt;0&gt; with a…<"), "{svg}");
    }

    #[test]
    fn binning_counts_every_value() {
        let (c, min, max) = bin(&[1.0, 2.0, 2.5, 3.0], 2);
        assert_eq!((c, min, max), (vec![1, 3], 1.0, 3.0));
        let (c, _, _) = bin(&[5.0, 5.0], 4);
        assert_eq!(c.iter().sum::<u64>(), 2);
    }

    #[test]
    fn charts_are_svg_with_titles() {
        let f = |v: f64| format!("{v:.0}");
        let h = histogram("cost <total>", &[1, 2, 3], 0.0, 3.0, &[("P50", 1.5)], &f);
        assert!(
            h.starts_with("<svg")
                && h.ends_with("</svg>")
                && h.contains("<title>cost &lt;total&gt;</title>")
        );
        let t = tornado("t", &[("a".into(), 1.0, 3.0)], 2.0, &f);
        assert!(t.contains("1 to 3"));
        let i = intervals("i", &[("x".into(), 1.0, 2.0, 3.0, 2.1)], &f);
        assert!(i.contains("<circle"));
        let levels = [Level {
            label: "baseline",
            value: 2.0,
            dashed: false,
        }];
        let ts = time_series(
            "ts",
            &[(0.0, 1.0), (10.0, 3.0)],
            (0.0, 10.0),
            &[(0.0, 5.0, "before")],
            &levels,
            &f,
            &f,
        );
        assert_eq!(ts.matches("<circle").count(), 2);
        assert!(ts.contains(">before</text>") && ts.contains("baseline 2"));
        // Degenerate input (no points, an empty range) still draws.
        assert!(time_series("e", &[], (5.0, 5.0), &[], &[], &f, &f).ends_with("</svg>"));
        let o = overlaid("col", &["a".into(), "b".into()], &[0.5, 0.5], &[0.2, 0.8]);
        assert_eq!(o.matches("<path").count(), 2);
        assert!(o.contains(">a</text>") && o.contains(">b</text>"));
    }
}
