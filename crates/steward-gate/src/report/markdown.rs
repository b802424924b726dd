//! The report as a pull-request comment: a heading and summary per system, the problems in
//! a table, the passed rules folded away.

use std::fmt::Write;

use crate::finding::Status;
use crate::{GateReport, Verdict};

/// Text for a table cell: one line, no column break, control characters made visible.
fn cell(s: &str) -> String {
    steward_io::escape_line(&s.replace(['\r', '\n'], " ")).replace('|', "\\|")
}

/// A finding's text in a table cell: as [`cell`], and a `<` from the manifest written as
/// `&lt;`, so manifest text cannot open an HTML tag in the comment (an `<img>` that loads
/// a URL, a `<details>` that hides the rest of the table).
fn message(s: &str) -> String {
    cell(s).replace('<', "&lt;")
}

/// Text inside a code span: control characters made visible, and backticks (which would
/// end the span) replaced.
fn code(s: &str) -> String {
    steward_io::escape_line(s).replace('`', "'")
}

pub fn markdown(report: &GateReport) -> String {
    let mut out = String::new();
    let ready = report.ready_count();
    let _ = writeln!(
        out,
        "# Steward readiness: {ready} of {} system{} ready\n\nJudged on {}.\n",
        report.systems.len(),
        if report.systems.len() == 1 { "" } else { "s" },
        report.date
    );
    for sys in &report.systems {
        let (icon, verdict) = match sys.verdict {
            Verdict::Ready => (":white_check_mark:", "ready"),
            Verdict::NotReady => (":x:", "not ready"),
        };
        let _ = writeln!(
            out,
            "## {icon} `{}` is {verdict} for {}\n\n`{}` · {} → {} · {}\n",
            code(&sys.name),
            sys.target,
            code(&sys.file),
            sys.lifecycle,
            sys.target,
            super::summary_line(sys)
        );
        let problems: Vec<_> = sys
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Failed | Status::Warning))
            .collect();
        if !problems.is_empty() {
            out.push_str("| Status | Rule | Where | Finding |\n|---|---|---|---|\n");
            for f in problems {
                let status = if f.status == Status::Failed {
                    ":x: failed"
                } else {
                    ":warning: warning"
                };
                let title = f.id.rule().title;
                let _ = writeln!(
                    out,
                    "| {status} | **{}** {title} | `{}` line {} | {} |",
                    f.id,
                    code(&cell(&f.path)),
                    f.line,
                    message(&f.message)
                );
            }
            out.push('\n');
        }
        let others: Vec<_> = sys
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Passed | Status::Skipped | Status::Waived))
            .collect();
        if !others.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>{} passed, {} skipped{}</summary>\n\n| Status | Rule | Finding |\n|---|---|---|",
                sys.summary.passed,
                sys.summary.skipped,
                if sys.summary.waived > 0 {
                    format!(", {} waived", sys.summary.waived)
                } else {
                    String::new()
                }
            );
            for f in others {
                let title = f.id.rule().title;
                let waived = f
                    .waiver
                    .as_ref()
                    .map(|w| {
                        message(&format!(
                            " (waived until {} by {}: {})",
                            w.until, w.approved_by, w.reason
                        ))
                    })
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {} | **{}** {title} | {}{waived} |",
                    f.status.as_str(),
                    f.id,
                    message(&f.message)
                );
            }
            out.push_str("\n</details>\n\n");
        }
    }
    out
}
