//! Live evidence (what the server records outside the manifest) as the gate weighs it: an
//! owner confirmation, drills, and how recently each monitored stream received data.

use steward_gate::{
    GateOptions, LiveEvidence, RecordedDrill, Status, StreamActivity, SystemReport, evaluate,
    monitored_streams,
};
use steward_manifest::{Date, parse_manifests};

const BASE: &str = include_str!("../../../examples/invoice-extraction.yaml");

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn judge(yaml: &str, today: &str, live: Option<LiveEvidence>) -> SystemReport {
    let systems = parse_manifests("case.yaml", yaml.as_bytes()).unwrap();
    let options = GateOptions {
        today: date(today),
        target: None,
        strict: false,
        live,
    };
    evaluate(&systems[0], "case.yaml", &options)
}

fn findings(r: &SystemReport, rule: &str) -> Vec<(Status, String)> {
    r.findings
        .iter()
        .filter(|f| f.id.as_str() == rule)
        .map(|f| (f.status, f.message.clone()))
        .collect()
}

/// The example's `supplier-layout-drift` signal watches the `invoices` stream; give it drift
/// settings too.
fn with_streams(yaml: &str) -> String {
    let line = "        stream: invoices";
    assert_eq!(yaml.matches(line).count(), 1);
    yaml.replacen(
        line,
        "        stattest: psi\n        drift_share: 0.3\n        stream: invoices",
        1,
    )
}

#[test]
fn no_live_evidence_is_the_manifest_alone() {
    let a = judge(BASE, "2026-11-25", None);
    let b = judge(BASE, "2026-11-25", Some(LiveEvidence::default()));
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn a_recorded_confirmation_clears_a_stale_one() {
    // 2026-09-30 is more than 180 days before 2027-04-15: Q2 warns.
    let stale = judge(BASE, "2027-04-15", None);
    assert!(
        findings(&stale, "Q2")
            .iter()
            .any(|(s, m)| *s == Status::Warning && m.contains("confirmed"))
    );
    let live = LiveEvidence {
        owner_confirmation: Some(date("2027-04-01")),
        ..LiveEvidence::default()
    };
    let fresh = judge(BASE, "2027-04-15", Some(live));
    assert!(
        findings(&fresh, "Q2")
            .iter()
            .all(|(s, _)| *s != Status::Warning),
        "{:?}",
        findings(&fresh, "Q2")
    );
}

#[test]
fn recorded_drills_count_for_q5_and_a_failed_one_is_named() {
    // The manifest's last passed drill (2026-08-27) is 60+ days old by 2026-12-08.
    let overdue = judge(BASE, "2026-12-08", None);
    assert!(
        findings(&overdue, "Q5")
            .iter()
            .any(|(s, _)| *s == Status::Failed)
    );
    let passed = LiveEvidence {
        fallback_drills: vec![RecordedDrill {
            date: date("2026-12-01"),
            passed: true,
            evidence: "https://wiki/drill".into(),
        }],
        ..LiveEvidence::default()
    };
    let r = judge(BASE, "2026-12-08", Some(passed));
    let q5 = findings(&r, "Q5");
    assert!(q5.iter().all(|(s, _)| *s == Status::Passed), "{q5:?}");
    assert!(
        q5.iter()
            .any(|(_, m)| m.contains("2026-12-01") && m.contains("recorded through the server"))
    );

    let no_drills = BASE.replace("result: passed", "result: failed");
    let failed = LiveEvidence {
        fallback_drills: vec![RecordedDrill {
            date: date("2026-12-02"),
            passed: false,
            evidence: "queue down".into(),
        }],
        ..LiveEvidence::default()
    };
    let r = judge(&no_drills, "2026-12-08", Some(failed));
    assert!(
        findings(&r, "Q5")
            .iter()
            .any(|(s, m)| *s == Status::Failed && m.contains("2026-12-02"))
    );
}

#[test]
fn a_silent_monitored_stream_fails_q4_and_a_fresh_one_does_not() {
    let yaml = with_streams(BASE);
    let systems = parse_manifests("case.yaml", yaml.as_bytes()).unwrap();
    assert_eq!(
        monitored_streams(&systems[0].manifest),
        vec!["invoices".to_string()]
    );
    let live = |last: Option<&str>| LiveEvidence {
        streams: vec![StreamActivity {
            stream: "invoices".into(),
            last_batch: last.map(date),
        }],
        ..LiveEvidence::default()
    };
    // The cadence is 14 days: silent for 29 days fails, 28 does not.
    let r = judge(&yaml, "2026-12-08", Some(live(Some("2026-11-09"))));
    let q4 = findings(&r, "Q4");
    assert!(
        q4.iter().any(|(s, m)| *s == Status::Failed
            && m.contains("`invoices`")
            && m.contains("2026-11-09")),
        "{q4:?}"
    );
    let r = judge(&yaml, "2026-12-08", Some(live(Some("2026-11-10"))));
    assert!(
        findings(&r, "Q4").iter().all(|(s, _)| *s == Status::Passed),
        "{:?}",
        findings(&r, "Q4")
    );
    // Never received anything: a production system is not monitored.
    let r = judge(&yaml, "2026-12-08", Some(live(None)));
    assert!(
        findings(&r, "Q4")
            .iter()
            .any(|(s, m)| *s == Status::Failed && m.contains("never received"))
    );
}

#[test]
fn signal_drift_settings_are_checked_where_written() {
    let bad = with_streams(BASE).replace("stattest: psi", "stattest: ks2");
    let e = parse_manifests("case.yaml", bad.as_bytes()).unwrap_err();
    assert!(e.message.contains("ks2"), "{}", e.message);
    assert!(e.position.is_some());
    let bad = with_streams(BASE).replace("drift_share: 0.3", "drift_share: 1.5");
    let e = parse_manifests("case.yaml", bad.as_bytes()).unwrap_err();
    assert!(e.message.contains("drift share"), "{}", e.message);
    let bad = with_streams(BASE).replace("stream: invoices", "stream: \"in voices\"");
    let e = parse_manifests("case.yaml", bad.as_bytes()).unwrap_err();
    assert!(e.message.contains("stream name"), "{}", e.message);
}
