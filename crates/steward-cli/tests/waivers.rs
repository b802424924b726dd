//! Waivers through the binary: accepted findings in every format, `--strict`, and a waiver
//! that names no rule refused at its line.

mod common;

use common::{run, text, write};

const TODAY: &str = "2026-11-25";

/// The ready example with its fallback drill failed (Q5 its only failure), and `waivers`.
fn manifest(dir: &std::path::Path, waivers: &str) -> std::path::PathBuf {
    let base = std::fs::read_to_string(common::root().join(common::PAYMENTS)).unwrap();
    let yaml = base
        .replacen("        result: passed", "        result: failed", 1)
        .replacen(
            "\n  fallback:",
            &format!("\n  waivers:\n{waivers}\n  fallback:"),
            1,
        );
    write(dir, "waived.yaml", &yaml)
}

const Q5: &str = "    - rule: Q5
      path: spec.fallback.tests
      reason: Drill booked for 2026-12-10, after the data-centre move
      approved_by: user:default/cio
      until: 2027-01-31
";

#[test]
fn a_waived_finding_does_not_block_and_every_format_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = manifest(dir.path(), Q5);
    let p = p.to_str().unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec!["check", "--today", TODAY];
        args.extend_from_slice(extra);
        args.push(p);
        run(&args)
    };
    let o = check(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    insta::assert_snapshot!(
        "waived_text",
        out.replace(dir.path().to_str().unwrap(), "<dir>")
    );
    assert!(out.contains("waiv Q5"), "{out}");
    assert!(
        out.contains("waived until 2027-01-31 by user:default/cio: Drill booked"),
        "{out}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&check(&["--format", "json"]).stdout).unwrap();
    let sys = &json["systems"][0];
    assert_eq!(sys["verdict"], "ready");
    assert_eq!(sys["rules"]["waived"], 1);
    let q5 = sys["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "Q5" && f["status"] == "waived")
        .expect("a waived Q5 finding");
    assert_eq!(q5["waiver"]["status"], "failed");
    assert_eq!(q5["waiver"]["until"], "2027-01-31");
    let sarif: serde_json::Value =
        serde_json::from_slice(&check(&["--format", "sarif"]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:#?}");
    assert_eq!(results[0]["level"], "error");
    assert_eq!(results[0]["suppressions"][0]["status"], "accepted");
    let junit = text(&check(&["--format", "junit"]).stdout);
    assert!(junit.contains("failures=\"0\""), "{junit}");
    assert!(
        junit.contains("<skipped message=\"waived until 2027-01-31 by user:default/cio"),
        "{junit}"
    );
    // --strict: as if no waiver were written.
    let strict = check(&["--strict"]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stdout).contains("FAIL Q5"));
}

#[test]
fn a_waiver_past_its_date_blocks_again_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = manifest(dir.path(), &Q5.replace("2027-01-31", "2026-11-01"));
    let o = run(&["check", "--today", TODAY, p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stdout).contains("Its waiver expired on 2026-11-01"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn a_waiver_must_name_a_rule_and_give_its_reasons() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, expected) in [
        (Q5.replace("rule: Q5", "rule: Q9"), "`Q9` is not a rule id"),
        (
            Q5.replace(
                "      reason: Drill booked for 2026-12-10, after the data-centre move\n",
                "",
            ),
            "reason",
        ),
        (Q5.replace("until: 2027-01-31", "until: soon"), "until"),
    ] {
        let p = manifest(dir.path(), &bad);
        let o = run(&["check", "--today", TODAY, p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = text(&o.stderr);
        assert!(err.contains(expected), "{bad}: {err}");
        assert!(err.contains("waived.yaml:"), "the error is located: {err}");
    }
}
