//! Renderers of a [`GateReport`]: one module per output format, each a pure function from
//! the report to a string, so every format is snapshot-testable.

mod html;
mod junit;
mod markdown;
mod sarif;
mod text;

use std::fmt::Write;

use crate::GateReport;

pub use html::html;
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::sarif;
pub use text::{TextOptions, text, text_with};

/// The `steward check --format json` document.
pub fn json(report: &GateReport) -> String {
    // Every map key is a field name or a string, and no value's serializer returns an
    // error (dates are written as text, figures as numbers): nothing here can fail.
    let mut s = serde_json::to_string_pretty(report)
        .expect("a report is strings, numbers and lists under string keys");
    s.push('\n');
    s
}

/// Escapes text for an XML attribute value: also newlines and tabs, as character
/// references, since a parser would fold them into spaces.
pub(crate) fn xml_escape(s: &str) -> String {
    xml(s, true)
}

/// Escapes text for XML element content (newlines and tabs stay as written).
pub(crate) fn xml_text(s: &str) -> String {
    xml(s, false)
}

/// XML 1.0 cannot carry most control characters at all, not even as character references,
/// so they (and the invisible formatting characters a terminal would act on) are first
/// written out visibly (`\u{1b}`); U+FFFE and U+FFFF, also outside XML's character range,
/// likewise. The result is well-formed whatever the manifest held.
fn xml(s: &str, attribute: bool) -> String {
    let visible = steward_io::escape_control(s);
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// A system's counts as people read them: rules first (each once, so they add up to the
/// number of rules, as JUnit's test cases do), then the gaps to fix (findings naming the same
/// manifest path counted once) and the findings behind them.
pub(crate) fn summary_line(sys: &crate::SystemReport) -> String {
    let r = sys.rules;
    let f = sys.summary;
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let waived = if r.waived > 0 {
        format!(", {} waived", r.waived)
    } else {
        String::new()
    };
    format!(
        "{} of {} rules passed, {} failed, {} warned, {} skipped{waived}; {} to fix ({} and {})",
        r.passed,
        r.total(),
        r.failed,
        r.warning,
        r.skipped,
        plural(sys.gaps, "gap", "gaps"),
        plural(f.failed, "failed finding", "failed findings"),
        plural(f.warning, "warning", "warnings"),
    )
}
