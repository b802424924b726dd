//! Text written in a manifest (or a file's name) reaches every report. None of it may drive
//! the terminal (an escape sequence in `scope.team` once cleared the screen, with or
//! without colour, and in Markdown too), break a report's format, or make a multi-megabyte
//! line.

use steward_gate::{GateOptions, GateReport, evaluate, report};
use steward_manifest::{Date, parse_manifests};

const BASE: &str = include_str!("../../../examples/payments-code-review.yaml");

fn report_for(yaml: &str, file: &str) -> GateReport {
    let systems = parse_manifests(file, yaml.as_bytes()).expect("the case parses");
    let options = GateOptions {
        today: Date::parse("2026-11-25").unwrap(),
        target: None,
        strict: false,
        live: None,
    };
    GateReport {
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date"),
        systems: vec![evaluate(&systems[0], file, &options)],
    }
}

/// Control characters YAML lets through in double-quoted strings, plus the C1 CSI and a
/// right-to-left override.
const NASTY: &str = "\\e[2J\\e]0;owned\\a\\u009b31m\\u202e\\r";

fn hostile() -> String {
    let team = "team: payments-integration";
    assert_eq!(BASE.matches(team).count(), 1);
    BASE.replace(team, &format!("team: [\"pay{NASTY}ments\", \"ledger\"]"))
}

fn raw_controls(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| (c.is_control() && *c != '\n') || ('\u{202a}'..='\u{202e}').contains(c))
        .collect()
}

#[test]
fn text_and_markdown_show_control_characters_instead_of_sending_them() {
    let r = report_for(&hostile(), "ai/\u{1b}[31mpay.yaml");
    let p1 = r.systems[0].findings.iter().find(|f| f.id == "P1").unwrap();
    assert!(p1.message.contains("ledger"), "{}", p1.message);
    for (format, out) in [
        ("text", report::text(&r, false)),
        ("text in colour", report::text(&r, true)),
        ("markdown", report::markdown(&r)),
    ] {
        let mut raw = raw_controls(&out);
        // Colour itself is the renderer's own ESC; anything else is the manifest's.
        if format == "text in colour" {
            assert!(!out.contains("\u{1b}[2J"), "{format}: {out}");
            raw.retain(|c| *c != '\u{1b}');
        }
        assert!(raw.is_empty(), "{format}: raw {raw:?} in\n{out}");
        assert!(out.contains("\\u{1b}"), "{format}: escape shown\n{out}");
    }
}

#[test]
fn junit_is_well_formed_xml_whatever_the_manifest_holds() {
    let r = report_for(&hostile(), "a\u{1}\u{fffe}&<b>.yaml");
    let xml = report::junit(&r);
    for c in xml.chars() {
        let ok = matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{d7ff}').contains(&c)
            || ('\u{e000}'..='\u{fffd}').contains(&c)
            || c >= '\u{10000}';
        assert!(ok, "XML 1.0 cannot hold {:?}", c);
        assert!(
            !('\u{7f}'..='\u{9f}').contains(&c),
            "terminal control {c:?}"
        );
    }
    assert!(
        xml.contains("file=\"a\\u{1}\\u{fffe}&amp;&lt;b&gt;.yaml\""),
        "{xml}"
    );
}

#[test]
fn sarif_stays_valid_json_with_a_valid_uri() {
    let r = report_for(&hostile(), "my ai/\u{1b}#1.yaml");
    let doc: serde_json::Value = serde_json::from_str(&report::sarif(&r, "0")).unwrap();
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for res in results {
        let uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert_eq!(uri, "my%20ai/%1B%231.yaml");
        let text = res["message"]["text"].as_str().unwrap();
        assert!(raw_controls(text).is_empty(), "{text:?}");
    }
}

#[test]
fn long_values_are_clipped_in_findings() {
    // The longest values the loader accepts (a name 256 characters, free text 4,096) still
    // make short findings.
    let team = "team: payments-integration";
    let yaml = BASE.replace(team, &format!("team: [\"{}\", \"b\"]", "x".repeat(256)));
    let r = report_for(&yaml, "long.yaml");
    for f in &r.systems[0].findings {
        assert!(
            f.message.len() < 2_000,
            "{} is {} bytes",
            f.id,
            f.message.len()
        );
    }
    let metric = "target_change: \"25%\"";
    let yaml = BASE.replace(metric, &format!("target_change: \"{}\"", "x".repeat(4096)));
    let r = report_for(&yaml, "long.yaml");
    let p4 = r.systems[0].findings.iter().find(|f| f.id == "P4").unwrap();
    assert!(p4.message.len() < 2_000 && p4.message.contains("bytes in all"));
    // Longer values never reach the gate: the loader refuses them at their key.
    let long = "x".repeat(1_000_000);
    let yaml = BASE.replace(team, &format!("team: [\"{long}\", \"b\"]"));
    let e = parse_manifests("long.yaml", yaml.as_bytes()).unwrap_err();
    assert!(
        e.message
            .contains("`spec.scope.team[0]` is 1000000 characters long"),
        "{}",
        e.message
    );
}

/// Manifest text in a Markdown comment could open HTML: a team named
/// `<img src=https://example.com/t.png>` loaded a URL when the comment was shown, and a
/// `<details>` folded the rest of the table away. A `<` in a finding is written `&lt;`.
#[test]
fn markdown_findings_cannot_open_html_tags() {
    let team = "team: payments-integration";
    let yaml = BASE.replace(
        team,
        "team: [\"<img src=https://example.com/t.png>\", \"<details>\"]",
    );
    let r = report_for(&yaml, "pay.yaml");
    let out = report::markdown(&r);
    // The team is split on `/` into names; what matters is that no tag opens.
    assert!(
        out.contains("&lt;img src=") && out.contains("&lt;details>"),
        "{out}"
    );
    assert!(
        !out.contains("<img") && !out.contains("| <details>"),
        "{out}"
    );
}
