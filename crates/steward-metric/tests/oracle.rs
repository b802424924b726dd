//! Window aggregates, change and Mann-Whitney p-values against numpy and scipy (fixtures
//! made by tests/oracle/make_fixtures.py, committed beside it), to 1e-9 relative.

use steward_manifest::{Date, parse_manifests};
use steward_metric::observations::read_csv;
use steward_metric::{MetricOptions, Observation, Observations, evaluate};

const ORACLE: &str = include_str!("oracle/metric_oracle.json");

fn manifest(case: &serde_json::Value) -> String {
    format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: oracle\nspec:\n  lifecycle: production\n  milestones:\n    production_launch: {}\n  success_metrics:\n    - name: m\n      aggregate: {}\n      direction: decrease\n      target_change: \"25%\"\n      within_days: {}\n      baseline_days: {}\n",
        case["launch"].as_str().unwrap(),
        case["aggregate"].as_str().unwrap(),
        case["within_days"],
        case["baseline_days"]
    )
}

/// value_i = ((i * a) mod m) / d + offset, as the Python script generates it.
fn generated(n: u64, p: &serde_json::Value, day: &str) -> Vec<Observation> {
    let (a, m, d, off) = (
        p[0].as_u64().unwrap(),
        p[1].as_u64().unwrap(),
        p[2].as_f64().unwrap(),
        p[3].as_f64().unwrap(),
    );
    let at = steward_metric::timestamp::parse_micros(day).unwrap();
    (0..n)
        .map(|i| Observation {
            at,
            value: ((i * a) % m) as f64 / d + off,
            metric: None,
        })
        .collect()
}

fn observations(case: &serde_json::Value) -> Observations {
    if let Some(list) = case.get("observations") {
        let mut csv = String::from("timestamp,value\n");
        for o in list.as_array().unwrap() {
            csv.push_str(&format!("{},{}\n", o[0].as_str().unwrap(), o[1]));
        }
        return read_csv("case.csv", csv.as_bytes()).unwrap();
    }
    let g = &case["generated"];
    // Inside the windows of every generated case (launch 2026-12-01, 180 and 90 days).
    let mut rows = generated(
        g["baseline_n"].as_u64().unwrap(),
        &g["baseline"],
        "2026-09-01T10:00:00Z",
    );
    rows.extend(generated(
        g["current_n"].as_u64().unwrap(),
        &g["current"],
        "2027-01-15T10:00:00Z",
    ));
    Observations {
        rows,
        metrics: Vec::new(),
        metric_column: false,
        ..Observations::default()
    }
}

fn same(name: &str, what: &str, ours: Option<f64>, oracle: &serde_json::Value) {
    match (ours, oracle.as_f64()) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            let ok =
                a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a - b).abs() <= 1e-300;
            assert!(ok, "{name} {what}: ours {a:e}, oracle {b:e}");
        }
        (a, _) => panic!("{name} {what}: ours {a:?}, oracle {oracle}"),
    }
}

#[test]
fn aggregates_change_and_p_values_match_numpy_and_scipy() {
    let oracle: serde_json::Value = serde_json::from_str(ORACLE).unwrap();
    let cases = oracle["cases"].as_array().unwrap();
    assert!(cases.len() >= 12);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let systems = parse_manifests("m.yaml", manifest(case).as_bytes()).unwrap();
        let options = MetricOptions {
            launch: None,
            today: Date::parse("2030-01-01").unwrap(),
            seed: 1,
            resamples: 2000,
            metric: None,
        };
        let report = evaluate(&systems[0].manifest, &observations(case), &options).unwrap();
        let m = &report.metrics[0];
        let e = &case["expected"];
        assert_eq!(
            m.baseline.n as u64,
            e["baseline"]["n"].as_u64().unwrap(),
            "{name} baseline n"
        );
        assert_eq!(
            m.current.n as u64,
            e["current"]["n"].as_u64().unwrap(),
            "{name} current n"
        );
        same(name, "baseline", m.baseline.value, &e["baseline"]["value"]);
        same(name, "current", m.current.value, &e["current"]["value"]);
        same(name, "change", m.change, &e["change"]);
        same(name, "p_value", m.p_value, &e["p_value"]);
    }
}
