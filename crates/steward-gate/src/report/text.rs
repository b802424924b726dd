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
    text_with(
        report,
        &TextOptions {
            color,
            ..TextOptions::default()
        },
    )
}

/// What the text report shows beyond the verdicts.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    pub color: bool,
    /// After the findings of each rule that failed or warned, the question behind the rule
    /// and an example fix (each rule once per report, at its first such place).
    pub explain: bool,
    /// Only what needs doing: failed, warned and waived findings, and only for systems that
    /// are not ready (a ready system keeps its verdict line).
    pub only_failed: bool,
    /// The verdict lines only (and the total), for a long portfolio at a glance.
    pub summary_only: bool,
}

/// [`text`] with [`TextOptions`].
pub fn text_with(report: &GateReport, options: &TextOptions) -> String {
    let TextOptions {
        color,
        explain,
        only_failed,
        summary_only,
    } = *options;
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
    let mut explained: Vec<crate::RuleId> = Vec::new();
    for (n, sys) in report.systems.iter().enumerate() {
        if n > 0 && !summary_only {
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
        let _ = writeln!(
            out,
            "{verdict_style}{verdict}{verdict_style:#} for {}: {}",
            sys.target,
            super::summary_line(sys)
        );
        if summary_only || (only_failed && sys.verdict == Verdict::Ready) {
            continue;
        }
        let shown = |f: &&crate::Finding| {
            !only_failed || matches!(f.status, Status::Failed | Status::Warning | Status::Waived)
        };
        for group in [Group::Questions, Group::Patterns, Group::Cost] {
            let in_group = |f: &&crate::Finding| f.id.rule().group == group;
            if !sys.findings.iter().filter(in_group).any(|f| shown(&f)) {
                continue;
            }
            let _ = writeln!(out, "\n  {bold}{}{bold:#}", group.title());
            for rule in RULES.iter().filter(|r| r.group == group) {
                for f in sys
                    .findings
                    .iter()
                    .filter(|f| f.id == rule.id)
                    .filter(shown)
                {
                    let (st, mark) = match f.status {
                        Status::Passed => (green, "ok  "),
                        Status::Failed => (red, "FAIL"),
                        Status::Warning => (yellow, "warn"),
                        Status::Skipped => (dim, "skip"),
                        Status::Waived => (dim, "waiv"),
                    };
                    let _ = writeln!(
                        out,
                        "  {st}{mark}{st:#} {bold}{}{bold:#} {}: {}",
                        f.id,
                        rule.title,
                        esc(&f.message)
                    );
                    if let Some(w) = &f.waiver {
                        let _ = writeln!(
                            out,
                            "       {dim}waived until {} by {}: {} (at {}:{}:{}){dim:#}",
                            w.until,
                            esc(&w.approved_by),
                            esc(&w.reason),
                            esc(&sys.file),
                            f.line,
                            f.column
                        );
                    }
                    if matches!(f.status, Status::Failed | Status::Warning) {
                        let same = f
                            .same_gap_as
                            .map(|id| format!("; the same gap as {id}"))
                            .unwrap_or_default();
                        let _ = writeln!(
                            out,
                            "       {dim}at {}:{}:{} ({}){same}{dim:#}",
                            esc(&sys.file),
                            f.line,
                            f.column,
                            esc(&f.path)
                        );
                    }
                }
                let problem = sys.findings.iter().any(|f| {
                    f.id == rule.id && matches!(f.status, Status::Failed | Status::Warning)
                });
                if explain && problem && !explained.contains(&rule.id) {
                    explained.push(rule.id);
                    let e = crate::explain::explain(rule.id);
                    let _ = writeln!(out, "       Why it matters: {}", e.question);
                    let _ = writeln!(
                        out,
                        "       Example fix (more: steward explain {}):",
                        rule.id
                    );
                    for line in e.example_fix.lines() {
                        let _ = writeln!(out, "         {line}");
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
