//! `steward explain` and `steward check --explain`, driven through the real binary.

mod common;

use std::process::Output;

const TODAY: &str = "2026-11-25";
const NOT_READY: &str = "examples/ai-for-engineering.yaml";

fn steward(args: &[&str]) -> Output {
    common::run(args)
}

fn stdout(o: &Output) -> String {
    common::text(&o.stdout)
}

fn stderr(o: &Output) -> String {
    common::text(&o.stderr)
}

/// Runs and expects exit 0.
fn ok(args: &[&str]) -> String {
    let o = steward(args);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

const IDS: [&str; 13] = [
    "Q1", "Q2", "Q3", "Q4", "Q5", "P1", "P2", "P3", "P4", "P5", "C1", "C2", "C3",
];

#[test]
fn explain_p4_text() {
    insta::assert_snapshot!(ok(&["explain", "P4"]));
}

#[test]
fn explain_lists_every_rule() {
    let list = ok(&["explain"]);
    for id in IDS {
        assert_eq!(
            list.matches(&format!("  {id}  ")).count(),
            1,
            "{id} in\n{list}"
        );
    }
    insta::assert_snapshot!(list);
}

#[test]
fn rule_ids_are_read_in_any_case() {
    let upper = ok(&["explain", "C2"]);
    assert_eq!(ok(&["explain", "c2"]), upper);
    assert_eq!(ok(&["explain", " c2 "]), upper);
    assert!(upper.starts_with("C2 maintenance share\n"), "{upper}");
}

#[test]
fn json_has_the_same_fields_for_one_rule_and_for_all() {
    let fields = [
        "example_fix",
        "passes_when",
        "question",
        "reads",
        "rule",
        "title",
    ];
    let one: serde_json::Value =
        serde_json::from_str(&ok(&["explain", "p4", "--format", "json"])).unwrap();
    let mut keys: Vec<&str> = one
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(keys, fields);
    assert_eq!(one["rule"], "P4");
    assert!(one["example_fix"].as_str().unwrap().starts_with("spec:\n"));
    assert!(
        one["reads"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r.as_str().unwrap().starts_with("spec."))
    );

    let all: serde_json::Value =
        serde_json::from_str(&ok(&["explain", "--format", "json"])).unwrap();
    let all = all.as_array().unwrap();
    let ids: Vec<&str> = all.iter().map(|e| e["rule"].as_str().unwrap()).collect();
    assert_eq!(ids, IDS);
    assert_eq!(all[8], one);
}

#[test]
fn unknown_rule_exits_2_and_lists_the_rules() {
    for bad in ["Q9", "P 4", "", "explain"] {
        let o = steward(&["explain", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(o.stdout.is_empty(), "{bad:?}");
        let err = stderr(&o);
        assert!(err.contains("unknown rule"), "{err}");
        assert!(err.contains(&IDS.join(", ")), "{err}");
    }
}

#[test]
fn text_fits_an_80_column_terminal() {
    for id in [""].iter().chain(IDS.iter()) {
        let args: Vec<&str> = ["explain", id]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let text = ok(&args);
        for line in text.lines() {
            assert!(line.chars().count() <= 80, "{id}: {line}");
        }
    }
}

fn check(args: &[&str]) -> Output {
    let mut all = vec!["check", "--today", TODAY];
    all.extend_from_slice(args);
    steward(&all)
}

#[test]
fn check_explain_puts_the_question_after_the_failing_rule_once() {
    let plain = check(&[NOT_READY]);
    let explained = check(&["--explain", NOT_READY]);
    assert_eq!(explained.status.code(), Some(1));
    assert_eq!(plain.status.code(), Some(1));
    let plain = stdout(&plain);
    let text = stdout(&explained);

    // P4 fails twice in this manifest: its question comes once, after both findings and
    // before the next rule.
    let p4 = "What result, by when, against what baseline, would count as success";
    assert_eq!(text.matches(p4).count(), 1, "{text}");
    let at = text.find(p4).unwrap();
    assert!(text.rfind("P4 success metrics before building:").unwrap() < at);
    assert!(at < text.find("P5 iteration planned:").unwrap());
    assert!(text[at..].contains("more: steward explain P4"));

    // Q3 passes here: nothing is added for it.
    assert!(text.contains("ok   Q3 maintenance budget"));
    assert!(!text.contains("What does it cost each year just to keep"));

    // Every line of the plain report is still there, in order; the rest is explanation.
    let mut added = Vec::new();
    let mut kept = plain.lines().peekable();
    for line in text.lines() {
        if kept.peek() == Some(&line) {
            kept.next();
        } else {
            added.push(line);
        }
    }
    assert_eq!(kept.next(), None);
    assert!(added.iter().all(|l| l.starts_with("       ")), "{added:?}");
    assert!(added.iter().any(|l| l.trim() == "spec:"));
}

#[test]
fn check_explain_reads_a_coloured_report_alike() {
    let plain = stdout(&check(&["--explain", NOT_READY]));
    let coloured = stdout(&check(&["--explain", "--color", "always", NOT_READY]));
    assert!(coloured.contains('\u{1b}'));
    let mut stripped = String::new();
    let mut in_escape = false;
    for c in coloured.chars() {
        match c {
            '\u{1b}' => in_escape = true,
            c if in_escape => in_escape = !c.is_ascii_alphabetic(),
            c => stripped.push(c),
        }
    }
    assert_eq!(stripped, plain);
}

#[test]
fn check_explain_leaves_machine_formats_unchanged() {
    for format in ["json", "sarif", "junit", "markdown"] {
        let plain = check(&["--format", format, "examples"]);
        let explained = check(&["--format", format, "--explain", "examples"]);
        assert_eq!(plain.status.code(), explained.status.code(), "{format}");
        assert_eq!(stdout(&plain), stdout(&explained), "{format}");
    }
}
