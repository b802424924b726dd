//! `steward metric` judges each metric on its own: one the manifest leaves incomplete is
//! reported as not measurable, with why and where, beside the ones that are measured; only
//! when nothing asked for can be measured is that an error. And a `target_change` whose
//! reading cannot be told (a bare `30`) or cannot be met (a decrease beyond 100%) stops
//! `steward check` at its line.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::command;

const GOOD: &str = "    - name: good\n      aggregate: mean\n      direction: increase\n      target_change: \"25%\"\n      within_days: 30\n      baseline_days: 30\n";
/// No windows: it cannot be measured.
const BAD: &str = "    - name: bad\n      aggregate: mean\n      direction: decrease\n      target_change: \"10%\"\n";

fn manifest(metrics: &str) -> String {
    format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: each\nspec:\n  lifecycle: production\n  milestones:\n    production_launch: 2026-12-01\n  success_metrics:\n{metrics}"
    )
}

/// Twelve observations a window for each metric: `good` doubles, `bad` is there too.
fn observations() -> String {
    let mut o = String::from("metric,timestamp,value\n");
    for name in ["good", "bad"] {
        for d in 1..=12 {
            o.push_str(&format!(
                "{name},2026-11-{:02},{}\n",
                d + 10,
                1.0 + d as f64 * 0.01
            ));
            o.push_str(&format!(
                "{name},2026-12-{:02},{}\n",
                d + 1,
                2.0 + d as f64 * 0.01
            ));
        }
    }
    o
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn run(args: &[&str]) -> Output {
    command(args).output().expect("the steward binary runs")
}

fn metric(manifest: &Path, obs: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "metric",
        manifest.to_str().unwrap(),
        "--observations",
        obs.to_str().unwrap(),
        "--today",
        "2027-01-15",
        "--resamples",
        "200",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o.stdout)))
}

#[test]
fn a_complete_metric_is_measured_beside_an_incomplete_one() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &manifest(&format!("{GOOD}{BAD}")));
    let obs = write(dir.path(), "o.csv", &observations());

    // Asked for by name: measured, and the other one is not its concern.
    let o = metric(&m, &obs, &["--metric", "good", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let r = json(&o);
    assert_eq!(r["metrics"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["metrics"][0]["name"], "good");
    assert_eq!(r["metrics"][0]["verdict"], "met", "{r}");
    assert!(r.get("not_measurable").is_none(), "{r}");
    assert!(!text(&o.stderr).contains("bad"), "{}", text(&o.stderr));

    // All of them: the good one measured, the other reported as not measurable, exit 0.
    let o = metric(&m, &obs, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let r = json(&o);
    assert_eq!(r["metrics"].as_array().unwrap().len(), 1, "{r}");
    assert_eq!(r["metrics"][0]["name"], "good");
    assert_eq!(r["metrics"][0]["verdict"], "met", "{r}");
    let un = r["not_measurable"]
        .as_array()
        .expect("a not_measurable list");
    assert_eq!(un.len(), 1, "{r}");
    assert_eq!(un[0]["name"], "bad");
    assert_eq!(un[0]["verdict"], "not_measurable");
    assert_eq!(un[0]["key"], "spec.success_metrics[1].within_days");
    let reason = un[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("`within_days` or `baseline_days`"),
        "{reason}"
    );
    // Said on stderr at the metric's place in the file (line 16: its list item).
    let err = text(&o.stderr);
    assert!(
        err.contains("not measurable: ") && err.contains("m.yaml:16:"),
        "{err}"
    );

    // The text report says it too.
    let o = metric(&m, &obs, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("verdict: MET"), "{out}");
    assert!(
        out.contains("bad\n  verdict: NOT MEASURABLE: metric `bad` has no `within_days`"),
        "{out}"
    );
}

#[test]
fn nothing_measurable_asked_for_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let both = write(dir.path(), "m.yaml", &manifest(&format!("{GOOD}{BAD}")));
    let only_bad = write(dir.path(), "bad.yaml", &manifest(BAD));
    let obs = write(dir.path(), "o.csv", &observations());
    let without_good = write(
        dir.path(),
        "o-bad.csv",
        &observations()
            .lines()
            .filter(|l| !l.starts_with("good,"))
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    );
    for (m, obs, extra) in [
        (&both, &obs, &["--metric", "bad"][..]),
        (&only_bad, &without_good, &[][..]),
    ] {
        let o = metric(m, obs, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", text(&o.stdout));
        assert!(o.stdout.is_empty(), "{}", text(&o.stdout));
        let err = text(&o.stderr);
        assert!(
            err.contains("within_days") && err.contains("cannot be measured"),
            "{err}"
        );
    }
}

fn check(dir: &Path, target: &str, direction: &str) -> Output {
    let m = write(
        dir,
        "t.yaml",
        &manifest(
            &GOOD
                .replace("\"25%\"", target)
                .replace("increase", direction),
        ),
    );
    run(&["check", m.to_str().unwrap(), "--today", "2026-11-25"])
}

#[test]
fn an_ambiguous_or_impossible_target_stops_check_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // `target_change` is line 13 of the manifest.
    for (target, direction, said) in [
        ("30", "increase", "`30` reads as 3000%"),
        ("30", "decrease", "write \"30%\" for 30 percent, or 0.3"),
        ("1.5", "decrease", "`1.5` reads as 150%"),
        (
            "\"150%\"",
            "decrease",
            "a decrease of more than 100% cannot be met",
        ),
    ] {
        let o = check(dir.path(), target, direction);
        assert_eq!(o.status.code(), Some(2), "{target}: {}", text(&o.stdout));
        let err = text(&o.stderr);
        assert!(err.contains(said), "{target}: {err}");
        assert!(err.contains("t.yaml:13:"), "{target}: {err}");
    }
    // Percentages, and a bare fraction in range, are read as ever: the gate judges them.
    for (target, direction) in [
        ("\"30%\"", "decrease"),
        ("0.3", "decrease"),
        ("3", "increase"),
    ] {
        let o = check(dir.path(), target, direction);
        assert!(
            matches!(o.status.code(), Some(0 | 1)),
            "{target}: {}",
            text(&o.stderr)
        );
    }
}
