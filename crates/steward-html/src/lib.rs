//! Self-contained HTML reports: one file, inline CSS and SVG, no scripts, no fonts or
//! images fetched from anywhere, so a report can be mailed or attached to a ticket and
//! still render. Every chart is built from numbers by the functions in [`svg`].

pub mod svg;

/// Escapes text for HTML element content and attribute values. Control characters (C0
/// but newline and tab, DEL, C1), the invisible format characters (bidirectional overrides
/// and isolates, zero-width marks, the byte order mark, tags) and the line and paragraph
/// separators are shown as visible text (`\u{1b}`, as in every other output): raw, an
/// ESC sequence would drive a terminal the page is printed to, controls are not allowed in
/// HTML or in an SVG `<title>`, and a bidi override would reorder the text around it.
pub fn escape(s: &str) -> String {
    let visible = steward_io::escape_control(s);
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1f2933;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.2rem}
.sub{color:#52606d;margin-top:0}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.3rem .7rem;border-bottom:1px solid #e4e7eb;text-align:left}
td.n,th.n{text-align:right;white-space:nowrap}
.ok{color:#1e7d32;font-weight:600}.bad{color:#b3261e;font-weight:600}.warn{color:#9a6700;font-weight:600}
.note{color:#52606d;font-size:.9rem}
svg{max-width:100%;height:auto}
td.chart{min-width:22.5rem}
svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1f2933}
";

/// A whole HTML document around `body` (which must already be escaped HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn control_and_invisible_characters_are_visible() {
        let e = escape("c\u{1b}[2J\u{7}\u{85}\u{202e}x\u{2028}\u{feff}<");
        assert!(
            !e.chars()
                .any(|c| c.is_control() || matches!(c, '\u{202e}' | '\u{2028}' | '\u{feff}')),
            "{e:?}"
        );
        assert_eq!(
            e,
            "c\\u{1b}[2J\\u{7}\\u{85}\\u{202e}x\\u{2028}\\u{feff}&lt;"
        );
        assert_eq!(escape("a\nb\tc"), "a\nb\tc");
    }

    #[test]
    fn pages_fetch_nothing() {
        let p = page("t <x>", "<p>hi</p>");
        assert!(p.contains("<title>t &lt;x&gt;</title>"));
        assert!(
            !p.contains("http"),
            "a report must not reference the network"
        );
        assert!(!p.contains("<script"));
    }
}
