//! The cost reports on the examples read back from their JSON and write out again byte for
//! byte, so a server can store them and serve them as `steward cost` printed them.

use std::path::Path;

use steward_cost::portfolio::{PortfolioCost, portfolio_cost};
use steward_cost::{CostOptions, CostReport, analyze, render};
use steward_manifest::{Manifest, parse_manifests};

fn examples() -> Vec<Manifest> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("the examples folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 4);
    paths
        .iter()
        .flat_map(|p| {
            let bytes = std::fs::read(p).expect("an example reads");
            parse_manifests(&p.display().to_string(), &bytes).expect("an example parses")
        })
        .map(|s| s.manifest)
        .collect()
}

#[test]
fn cost_reports_round_trip_through_their_json() {
    let options = CostOptions {
        simulations: 20_000,
        ..CostOptions::default()
    };
    for m in examples() {
        let r = analyze(&m, &options).expect("an example is costed");
        let printed = render::json(&r).unwrap();
        let back: CostReport = serde_json::from_str(&printed).unwrap();
        assert_eq!(render::json(&back).unwrap(), printed, "{}", r.system);
        // Everything but the chart's bins, which the JSON does not carry.
        assert_eq!(back.yardsticks, r.yardsticks);
        assert_eq!(back.sourcing, r.sourcing);
        assert_eq!(back.declared, r.declared);
    }
}

#[test]
fn the_portfolio_cost_round_trips_through_its_json() {
    let manifests = examples();
    let refs: Vec<&Manifest> = manifests.iter().collect();
    let p = portfolio_cost(&refs, 3);
    let printed = render::json(&p).unwrap();
    let back: PortfolioCost = serde_json::from_str(&printed).unwrap();
    assert_eq!(back, p);
    assert_eq!(render::json(&back).unwrap(), printed);
}
