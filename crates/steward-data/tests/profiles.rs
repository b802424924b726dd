//! Profiles: merging the profiles of parts gives the profile of the whole (exactly for
//! counts and moments, within the sketch's error for quantiles), and drift against a
//! profile agrees with drift against the rows.

use std::path::PathBuf;

use steward_data::drift::{DriftOptions, dataset_drift, profile, profile_drift_with_progress};
use steward_data::{Column, Dataset, Format, read};
use steward_stats::Values;
use steward_stats::profile::Profile;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/oracle")
        .join(name)
}

fn load(name: &str) -> Dataset {
    read(&fixture(name), Format::Csv, &|_: &str| true).unwrap()
}

/// Splits a dataset's rows in two: each numerical column's values at an index, each
/// categorical column's counts in halves.
fn split(d: &Dataset) -> (Dataset, Dataset) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for c in &d.columns {
        let (va, vb) = match &c.values {
            Values::Numerical(v) => {
                let cut = v.len() / 3;
                (
                    Values::Numerical(v[..cut].to_vec()),
                    Values::Numerical(v[cut..].to_vec()),
                )
            }
            Values::Categorical(m) => (
                Values::Categorical(m.iter().map(|(k, v)| (k.clone(), v / 2)).collect()),
                Values::Categorical(m.iter().map(|(k, v)| (k.clone(), v - v / 2)).collect()),
            ),
        };
        a.push(Column {
            name: c.name.clone(),
            kind: c.kind,
            values: va,
            missing: c.missing / 2,
            integer: c.integer,
        });
        b.push(Column {
            name: c.name.clone(),
            kind: c.kind,
            values: vb,
            missing: c.missing - c.missing / 2,
            integer: c.integer,
        });
    }
    (
        Dataset {
            rows: d.rows / 3,
            columns: a,
            unsupported: Vec::new(),
        },
        Dataset {
            rows: d.rows - d.rows / 3,
            columns: b,
            unsupported: Vec::new(),
        },
    )
}

#[test]
fn merged_profiles_equal_the_profile_of_the_whole() {
    let whole = load("ref1001.reference.csv");
    let (a, b) = split(&whole);
    let merged: Profile = profile(&a).merge(&profile(&b)).unwrap();
    let direct = profile(&whole);
    assert_eq!(merged.rows, direct.rows);
    for (m, d) in merged.columns.iter().zip(&direct.columns) {
        assert_eq!((m.count, m.missing), (d.count, d.missing), "{}", m.name);
        assert_eq!(m.values.is_some(), d.values.is_some(), "{}", m.name);
        if let (Some(mv), Some(dv)) = (&m.values, &d.values) {
            assert_eq!(mv, dv, "{}: exact counts", m.name);
        }
        if let (Some(mn), Some(dn)) = (&m.numeric, &d.numeric) {
            assert_eq!((mn.min, mn.max), (dn.min, dn.max), "{}", m.name);
            assert!(
                (mn.mean - dn.mean).abs() <= 1e-12 * dn.mean.abs().max(1.0),
                "{}: mean",
                m.name
            );
            assert!((mn.std - dn.std).abs() <= 1e-10 * dn.std, "{}: std", m.name);
            // Histograms come from the sketches: within the sketches' rank error per edge.
            let tol = 2.0 * (mn.rank_error + dn.rank_error) * m.count as f64;
            let (mut cm, mut cd) = (0.0, 0.0);
            for (x, y) in mn.histogram.counts.iter().zip(&dn.histogram.counts) {
                cm += x;
                cd += y;
                assert!(
                    (cm - cd).abs() <= tol,
                    "{}: cumulative histogram {cm} vs {cd}",
                    m.name
                );
            }
        }
        let rel = (m.distinct_estimate - d.distinct_estimate).abs() / d.distinct_estimate.max(1.0);
        assert!(
            rel < 0.05,
            "{}: distinct {} vs {}",
            m.name,
            m.distinct_estimate,
            d.distinct_estimate
        );
    }
}

#[test]
fn drift_against_a_profile_matches_drift_against_the_rows() {
    let options = DriftOptions {
        drift_share: 0.5,
        ..Default::default()
    };
    // Up to 1,024 values a summary keeps every value: the profile gives exact scores.
    let reference = load("ref1001.reference.csv");
    let p = profile(&reference);
    let p: Profile = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    let exact = dataset_drift(reference, load("ref1001.current.csv"), &options).unwrap();
    let from_profile =
        profile_drift_with_progress(&p, load("ref1001.current.csv"), &options, &|_, _| {}).unwrap();
    for (e, a) in exact.columns.iter().zip(&from_profile.columns) {
        assert!(!a.approximate, "{}", e.column);
        assert_eq!(
            (e.stattest, e.drift_detected),
            (a.stattest, a.drift_detected),
            "{}",
            e.column
        );
        assert!(
            (e.score - a.score).abs() <= 1e-12 * e.score.abs().max(1e-300),
            "{}: {} vs {}",
            e.column,
            e.score,
            a.score
        );
    }
    // A larger reference is summarized: approximate scores within the stated bound.
    let reference = load("ks_asymp.current.csv");
    let p = profile(&reference);
    let exact = dataset_drift(reference, load("ks_asymp.reference.csv"), &options).unwrap();
    let approx =
        profile_drift_with_progress(&p, load("ks_asymp.reference.csv"), &options, &|_, _| {})
            .unwrap();
    for (e, a) in exact.columns.iter().zip(&approx.columns) {
        assert!(a.approximate, "{}", e.column);
        let bound = a.rank_error.unwrap();
        assert!(bound < 0.002, "{bound}");
        // KS compares CDFs: its statistic moves by at most the rank error.
        assert_eq!(e.stattest, "wasserstein");
        let r = &e.reference;
        let w_bound = bound * (r.max.unwrap() - r.min.unwrap()) / r.std.unwrap();
        assert!(
            (a.score - e.score).abs() <= w_bound,
            "{}: {} vs {} (bound {w_bound})",
            e.column,
            a.score,
            e.score
        );
        // The profile's moments are exact.
        let (am, em) = (a.reference.mean.unwrap(), e.reference.mean.unwrap());
        assert!((am - em).abs() <= 1e-12 * em.abs().max(1.0), "{}", e.column);
    }
}
