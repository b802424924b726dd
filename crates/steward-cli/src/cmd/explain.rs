//! `steward explain [RULE]`: why a readiness rule exists and how to satisfy it; and the
//! explanations `steward check --explain` adds to its text report.

use std::fmt::Write;
use std::process::ExitCode;

use steward_gate::explain::{Explanation, explain, explanations};
use steward_gate::{Group, RULES, RuleId};

use super::print;
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::failure::Failure;

/// Prose is wrapped to this many columns, so it reads on an 80-column terminal.
const WIDTH: usize = 78;

pub fn run(args: &ExplainArgs) -> Result<ExitCode, Failure> {
    let rule = args.rule.as_deref().map(parse_rule).transpose()?;
    let out = match (rule, args.format) {
        (Some(id), ExplainFormat::Text) => text(explain(id)),
        (None, ExplainFormat::Text) => list(),
        (Some(id), ExplainFormat::Json) => json(explain(id)),
        (None, ExplainFormat::Json) => json(explanations()),
    };
    print(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `p4`, ` P4 ` and `P4` all name P4; anything else is an error listing the ids.
fn parse_rule(text: &str) -> anyhow::Result<RuleId> {
    RuleId::parse(&text.trim().to_ascii_uppercase()).ok_or_else(|| {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id.as_str()).collect();
        anyhow::anyhow!(
            "unknown rule `{}`; the rules are {}",
            steward_io::clip(text, 40),
            ids.join(", ")
        )
    })
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    // Static strings under field names: serializing cannot fail.
    let mut s = serde_json::to_string_pretty(value).expect("explanations serialize");
    s.push('\n');
    s
}

fn group_of(id: RuleId) -> Group {
    id.rule().group
}

fn text(e: &Explanation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", e.rule, e.title);
    let _ = writeln!(out, "{}", group_of(e.rule).title());
    let _ = writeln!(out, "\nWhy it matters\n{}", wrap(e.question, 2));
    let _ = writeln!(out, "\nPasses when\n{}", wrap(e.passes_when, 2));
    let _ = writeln!(out, "\nReads");
    for key in e.reads {
        let _ = writeln!(out, "  {key}");
    }
    let _ = writeln!(out, "\nExample fix");
    out.push_str(&indent(e.example_fix, 2));
    out
}

fn list() -> String {
    let mut out = String::new();
    for group in [Group::Questions, Group::Patterns, Group::Cost] {
        let _ = writeln!(out, "{}", group.title());
        for e in explanations().iter().filter(|e| group_of(e.rule) == group) {
            let _ = writeln!(out, "  {}  {}", e.rule, e.title);
        }
        out.push('\n');
    }
    out.push_str(
        "`steward explain RULE` says why a rule exists, what passes it, the manifest keys\n\
         it reads and an example fix.\n",
    );
    out
}

/// Every line of `text` behind `n` spaces.
fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| format!("{pad}{l}\n")).collect()
}

/// `text` as lines of at most [`WIDTH`] columns (a longer word stands alone), each behind
/// `n` spaces, without a final newline.
fn wrap(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && n + line.len() + 1 + word.len() > WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .iter()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
