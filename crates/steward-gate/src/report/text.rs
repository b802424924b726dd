//! The report for people at a terminal: per system a verdict line, then findings grouped by
//! the essay's three sections. Colour only when asked (the CLI asks on a terminal).
//! Text from the manifest and the file system is escaped, so a control sequence written in a
//! manifest is shown, never executed by the terminal (with or without colour).

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use steward_io::escape_line as esc;

use crate::finding::{Group, RULES, Status};
use crate::{GateReport, Verdict};

fn style(color: bool, s: Style) -> Style {
    if color { s } else { Style::new() }
}

pub fn text(report: &GateReport, color: bool) -> String {
    let red = style(
        color,
        Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
    );
    let green = style(
        color,
        Style::new().fg_color(Some(AnsiColor::Green.into())).bold(),
    );
    let yellow = style(color, Style::new().fg_color(Some(AnsiColor::Yellow.into())));
    let dim = style(color, Style::new().dimmed());
    let bold = style(color, Style::new().bold());

    let mut out = String::new();
    for (n, sys) in report.systems.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let (verdict_style, verdict) = match sys.verdict {
            Verdict::Ready => (green, "READY"),
            Verdict::NotReady => (red, "NOT READY"),
        };
        let _ = writeln!(
            out,
            "{bold}{}{bold:#} {dim}({}, {} -> {}){dim:#}",
            esc(&sys.name),
            esc(&sys.file),
            sys.lifecycle,
            sys.target
        );
        let s = sys.summary;
        let _ = writeln!(
            out,
            "{verdict_style}{verdict}{verdict_style:#} for {}: {} passed, {} failed, {} warning{}, {} skipped",
            sys.target,
            s.passed,
            s.failed,
            s.warning,
            if s.warning == 1 { "" } else { "s" },
            s.skipped
        );
        for group in [Group::Questions, Group::Patterns, Group::Cost] {
            let _ = writeln!(out, "\n  {bold}{}{bold:#}", group.title());
            for rule in RULES.iter().filter(|r| r.group == group) {
                for f in sys.findings.iter().filter(|f| f.id == rule.id) {
                    let (st, mark) = match f.status {
                        Status::Passed => (green, "ok  "),
                        Status::Failed => (red, "FAIL"),
                        Status::Warning => (yellow, "warn"),
                        Status::Skipped => (dim, "skip"),
                    };
                    let _ = writeln!(
                        out,
                        "  {st}{mark}{st:#} {bold}{}{bold:#} {}: {}",
                        f.id,
                        rule.title,
                        esc(&f.message)
                    );
                    if matches!(f.status, Status::Failed | Status::Warning) {
                        let _ = writeln!(
                            out,
                            "       {dim}at {}:{}:{} ({}){dim:#}",
                            esc(&sys.file),
                            f.line,
                            f.column,
                            esc(&f.path)
                        );
                    }
                }
            }
        }
    }
    if report.systems.len() > 1 {
        let ready = report.ready_count();
        let _ = writeln!(
            out,
            "\n{bold}{ready} of {} systems ready{bold:#} (judged on {})",
            report.systems.len(),
            report.date
        );
    }
    out
}
