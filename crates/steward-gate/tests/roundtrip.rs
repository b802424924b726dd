//! The gate's reports on the examples read back from their JSON and write out again byte
//! for byte, so a server can store them and serve them as `steward check` printed them.

use std::path::Path;

use steward_gate::portfolio::{self, Portfolio, SortKey};
use steward_gate::{GateOptions, GateReport, SystemReport, evaluate, report};
use steward_manifest::{Date, parse_manifests};

fn examples() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("the examples folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = format!("examples/{}", p.file_name().unwrap().to_string_lossy());
            (name, std::fs::read(&p).expect("an example reads"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    files
}

fn options() -> GateOptions {
    GateOptions {
        today: Date::parse("2026-11-25").unwrap(),
        target: None,
        strict: false,
        live: None,
    }
}

#[test]
fn system_and_gate_reports_round_trip_through_their_json() {
    let mut systems = Vec::new();
    for (file, bytes) in examples() {
        let parsed = parse_manifests(&file, &bytes).expect("an example parses");
        for system in &parsed {
            let r = evaluate(system, &file, &options());
            let json = serde_json::to_string_pretty(&r).unwrap();
            let back: SystemReport = serde_json::from_str(&json).unwrap();
            assert_eq!(back, r);
            assert_eq!(serde_json::to_string_pretty(&back).unwrap(), json);
            systems.push(r);
        }
    }
    let gate = GateReport {
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).expect("a date"),
        systems,
    };
    let printed = report::json(&gate);
    let back: GateReport = serde_json::from_str(&printed).unwrap();
    assert_eq!(report::json(&back), printed);
}

#[test]
fn the_portfolio_round_trips_through_its_json() {
    let mut rows = Vec::new();
    for (file, bytes) in examples() {
        for system in parse_manifests(&file, &bytes).expect("an example parses") {
            rows.push(portfolio::row(&system, &file, &options()));
        }
    }
    let p = Portfolio::new(options().today.0, rows, SortKey::Failed, false);
    let printed = portfolio::json(&p);
    let back: Portfolio = serde_json::from_str(&printed).unwrap();
    assert_eq!(back, p);
    assert_eq!(portfolio::json(&back), printed);
}
