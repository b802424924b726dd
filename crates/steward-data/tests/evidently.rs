//! Drift against Evidently 0.7 itself: the fixtures in tests/oracle were made by
//! make_fixtures.py with tests/oracle/evidently_drift.py (Evidently's own stattests). For every
//! column: the same test, a score within 1e-9 relative, the same decision; and the same
//! dataset verdict.

use std::path::PathBuf;

use steward_data::drift::{DriftOptions, dataset_drift};
use steward_data::{Format, read};
use steward_stats::StatTest;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(name)
}

fn check(case: &str) -> usize {
    let all = |_: &str| true;
    let reference = read(
        &fixture(&format!("{case}.reference.csv")),
        Format::Csv,
        &all,
    )
    .unwrap();
    let current = read(&fixture(&format!("{case}.current.csv")), Format::Csv, &all).unwrap();
    let options = DriftOptions {
        drift_share: 0.5,
        ..Default::default()
    };
    let ours = dataset_drift(reference, current, &options).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture(&format!("{case}.expected.json"))).unwrap(),
    )
    .unwrap();
    let mut problems = Vec::new();
    let columns = expected["columns"].as_array().unwrap();
    for e in columns {
        let name = e["column"].as_str().unwrap();
        let Some(o) = ours.columns.iter().find(|c| c.column == name) else {
            problems.push(format!("{case}/{name}: missing"));
            continue;
        };
        if o.stattest.name() != e["stattest"].as_str().unwrap() {
            problems.push(format!(
                "{case}/{name}: test {} != {}",
                o.stattest, e["stattest"]
            ));
        }
        let (a, b) = (o.score, e["score"].as_f64().unwrap());
        if !same_score(a, b) {
            problems.push(format!("{case}/{name}: score {a:e} != {b:e}"));
        }
        if o.drift_detected != e["drift_detected"].as_bool().unwrap() {
            problems.push(format!(
                "{case}/{name}: drift {} != {}",
                o.drift_detected, e["drift_detected"]
            ));
        }
    }
    if ours.dataset_drift != expected["dataset_drift"].as_bool().unwrap()
        || ours.number_of_drifted_columns as u64
            != expected["number_of_drifted_columns"].as_u64().unwrap()
    {
        problems.push(format!("{case}: dataset verdict differs"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    columns.len()
}

/// Equal to 1e-9 relative. No absolute tolerance: p-values of 1e-60 are common here, and an
/// absolute one would pass any of them.
fn same_score(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// Where the oracle itself is inexact, the bound says by how much. scipy's Cramer-von Mises
/// p-value is `1 - cdf`: its absolute error is a few ulps of 1.0 (about 2e-16 each), so a
/// p-value of 1e-11 is only known to about 1e-5 relative. Sixteen ulps of 1.0 are allowed
/// on top of the relative bound for that test alone.
fn same_score_for(test: StatTest, a: f64, b: f64) -> bool {
    match test {
        StatTest::CramerVonMises => {
            same_score(a, b) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 16.0 * f64::EPSILON
        }
        _ => same_score(a, b),
    }
}

#[test]
fn reference_of_1000_rows_ks_chisquare_z() {
    assert_eq!(check("ref1000"), 10);
}

#[test]
fn reference_of_1001_rows_wasserstein_jensenshannon() {
    assert_eq!(check("ref1001"), 10);
}

#[test]
fn ks_exact_with_equal_sizes() {
    assert_eq!(check("ks_equal"), 2);
}

#[test]
fn ks_asymptotic_large_n() {
    assert_eq!(check("ks_asymp"), 3);
}

#[test]
fn ks_asymptotic_small_n() {
    assert_eq!(check("ks_small_n"), 3);
}

#[test]
fn missing_values_are_dropped_and_counted() {
    let all = |_: &str| true;
    let reference = read(&fixture("ref1001.reference.csv"), Format::Csv, &all).unwrap();
    let col = reference
        .columns
        .iter()
        .find(|c| c.name == "many_ties")
        .unwrap();
    assert_eq!(col.missing, 200);
    assert_eq!(col.values.len(), 801);
}

/// The tests a user picks with --stattest, against Evidently's own implementations
/// (fixtures from tests/oracle/make_stattest_fixtures.py).
#[test]
fn chosen_tests_match_evidently() {
    let all = |_: &str| true;
    let mut checked = 0;
    for case in ["ref1000", "ref1001", "ks_equal"] {
        let reference = read(
            &fixture(&format!("{case}.reference.csv")),
            Format::Csv,
            &all,
        )
        .unwrap();
        let current = read(&fixture(&format!("{case}.current.csv")), Format::Csv, &all).unwrap();
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(fixture(&format!("{case}.stattests.json"))).unwrap(),
        )
        .unwrap();
        let mut problems = Vec::new();
        for e in expected.as_array().unwrap() {
            let column = e["column"].as_str().unwrap();
            let test = steward_stats::StatTest::parse(e["stattest"].as_str().unwrap()).unwrap();
            let mut options = DriftOptions {
                drift_share: 0.5,
                ..Default::default()
            };
            options.column_stattest.insert(column.to_string(), test);
            let keep = |d: &steward_data::Dataset| steward_data::Dataset {
                rows: d.rows,
                columns: d
                    .columns
                    .iter()
                    .filter(|c| c.name == column)
                    .cloned()
                    .collect(),
                unsupported: Vec::new(),
            };
            let result = dataset_drift(keep(&reference), keep(&current), &options);
            if e.get("error").is_some() {
                // Evidently refuses this column (a constant column under anderson): so do we.
                if result.is_ok() {
                    problems.push(format!(
                        "{case}/{column}/{}: expected an error",
                        test.name()
                    ));
                }
                checked += 1;
                continue;
            }
            let ours = result.unwrap();
            let o = &ours.columns[0];
            let a = o.score;
            let Some(b) = e["score"].as_f64() else {
                // Evidently's NaN (a constant column under t_test): ours must be NaN too.
                if !a.is_nan() {
                    problems.push(format!(
                        "{case}/{column}/{}: score {a:e}, expected NaN",
                        test.name()
                    ));
                }
                checked += 1;
                continue;
            };
            if !same_score_for(test, a, b) {
                problems.push(format!(
                    "{case}/{column}/{}: score {a:e} != {b:e}",
                    test.name()
                ));
            }
            if o.drift_detected != e["drift_detected"].as_bool().unwrap() {
                problems.push(format!("{case}/{column}/{}: drift differs", test.name()));
            }
            checked += 1;
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
    assert!(checked >= 100, "{checked}");
}
