//! Renderers of a [`GateReport`]: one module per output format, each a pure function from
//! the report to a string, so every format is snapshot-testable.

mod junit;
mod markdown;
mod sarif;
mod text;

use crate::GateReport;

pub use junit::junit;
pub use markdown::markdown;
pub use sarif::sarif;
pub use text::text;

/// The `steward check --format json` document.
pub fn json(report: &GateReport) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serializes");
    s.push('\n');
    s
}

/// Escapes text for XML attribute and element content.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
