//! Every JSON report the binary prints on the examples reads back into the library's report
//! type and writes out again byte for byte, so a server can store a report and serve it
//! later exactly as the command printed it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use serde::de::DeserializeOwned;

const EXAMPLES: [&str; 4] = [
    "examples/ai-for-engineering.yaml",
    "examples/invoice-extraction.yaml",
    "examples/payments-code-review.yaml",
    "examples/support-ticket-triage.yaml",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The JSON the command prints (exit code 0 or 1: a not-ready gate still reports).
fn json_of(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .current_dir(root())
        .env_remove("STEWARD_TODAY")
        .env("NO_COLOR", "1")
        .output()
        .expect("the steward binary runs");
    assert!(
        matches!(o.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).expect("stdout is UTF-8")
}

/// Reads `printed` into `T` and writes it out as the command does (pretty, one final
/// newline): the bytes must not change.
fn round_trips<T: Serialize + DeserializeOwned>(printed: &str, what: &str) -> T {
    let report: T = serde_json::from_str(printed)
        .unwrap_or_else(|e| panic!("{what}: the report does not read back: {e}"));
    let mut again = serde_json::to_string_pretty(&report).expect("a report serializes");
    again.push('\n');
    assert_eq!(again, printed, "{what}: the report changed on its way back");
    report
}

#[test]
fn gate_reports_round_trip() {
    let mut all = vec!["check", "--today", "2026-11-25", "--format", "json"];
    all.extend(EXAMPLES);
    let printed = json_of(&all);
    let report: steward_gate::GateReport = round_trips(&printed, "check");
    assert_eq!(report.systems.len(), EXAMPLES.len());
    assert!(report.systems.iter().all(|s| !s.findings.is_empty()));
    // One system's report alone, as a server would store it.
    for system in &report.systems {
        let one = serde_json::to_string_pretty(system).expect("a report serializes") + "\n";
        let back: steward_gate::SystemReport = round_trips(&one, &system.name);
        assert_eq!(&back, system);
    }
}

#[test]
fn cost_reports_round_trip() {
    for example in EXAMPLES {
        let printed = json_of(&["cost", example, "--format", "json"]);
        let report: steward_cost::CostReport = round_trips(&printed, example);
        assert!(report.simulation.runs > 0);
    }
    let printed = json_of(&["cost", "examples", "--format", "json"]);
    let portfolio: steward_cost::portfolio::PortfolioCost = round_trips(&printed, "cost examples");
    assert_eq!(portfolio.systems.len(), EXAMPLES.len());
}

#[test]
fn metric_reports_round_trip() {
    let runs: [&[&str]; 2] = [
        &[
            "metric",
            "examples/invoice-extraction.yaml",
            "--observations",
            "examples/data/invoice-observations.csv",
            "--today",
            "2026-11-25",
        ],
        &[
            "metric",
            "examples/payments-code-review.yaml",
            "--tickets",
            "examples/data/payments-tickets.csv",
            "--opened",
            "Created",
            "--resolved",
            "Resolved",
            "--where=Priority=P1",
            "--today",
            "2027-03-15",
        ],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        let printed = json_of(&args);
        let report: steward_metric::MetricsReport = round_trips(&printed, args[1]);
        assert!(!report.metrics.is_empty());
    }
}

#[test]
fn portfolio_reports_round_trip() {
    let printed = json_of(&[
        "portfolio",
        "examples",
        "--today",
        "2026-11-25",
        "--format",
        "json",
    ]);
    let report: steward_gate::portfolio::Portfolio = round_trips(&printed, "portfolio");
    assert_eq!(report.systems.len(), EXAMPLES.len());
    assert_eq!(report.date.to_string(), "2026-11-25");
}
