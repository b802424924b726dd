//! Drift tests on weighted points (a profile) agree with the same tests on the rows those
//! points stand for, and their cost follows the points, never the counts: a profile that
//! claims 10^15 rows is tested as quickly as one of a thousand.

use std::collections::BTreeMap;

use proptest::prelude::*;
use steward_stats::drift::ExactMoments;
use steward_stats::{
    ColumnError, ColumnRequest, ColumnType, StatTest, Values, WeightedValues, column_drift,
};

const NUMERIC_TESTS: [StatTest; 13] = [
    StatTest::Ks,
    StatTest::Wasserstein,
    StatTest::Chisquare,
    StatTest::Z,
    StatTest::Jensenshannon,
    StatTest::Psi,
    StatTest::KlDiv,
    StatTest::Hellinger,
    StatTest::EnergyDistance,
    StatTest::Mannw,
    StatTest::TTest,
    StatTest::CramerVonMises,
    StatTest::Anderson,
];

fn request(reference: Values, current: Values, test: Option<StatTest>) -> ColumnRequest {
    ColumnRequest {
        name: "x".into(),
        column_type: ColumnType::Numerical,
        reference,
        current,
        reference_missing: 0,
        current_missing: 0,
        stattest: test,
        threshold: None,
        integer: false,
    }
}

/// The rows as weighted points: each distinct value once, with its count.
fn compress(rows: &[f64]) -> WeightedValues {
    let mut sorted = rows.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut w = WeightedValues::default();
    for x in sorted {
        if w.values.last() == Some(&x) {
            *w.weights.last_mut().unwrap() += 1;
        } else {
            w.values.push(x);
            w.weights.push(1);
        }
    }
    w
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-10 * a.abs().max(b.abs())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every test gives the same score from the rows and from their exact weighted points.
    #[test]
    fn weighted_points_give_the_scores_of_their_rows(
        reference in prop::collection::vec(0u8..40, 2..120),
        current in prop::collection::vec(0u8..50, 2..120),
        scale in prop::sample::select(vec![1.0, 0.25, 1e-3]),
    ) {
        let r: Vec<f64> = reference.iter().map(|v| f64::from(*v) * scale).collect();
        let c: Vec<f64> = current.iter().map(|v| f64::from(*v) * scale + 0.5 * scale).collect();
        for test in NUMERIC_TESTS.iter().copied().map(Some).chain([None]) {
            let rows = column_drift(request(
                Values::Numerical(r.clone()),
                Values::Numerical(c.clone()),
                test,
            ));
            let points = column_drift(request(
                Values::Weighted(compress(&r)),
                Values::Numerical(c.clone()),
                test,
            ));
            let both = column_drift(request(
                Values::Weighted(compress(&r)),
                Values::Weighted(compress(&c)),
                test,
            ));
            match (rows, points, both) {
                (Ok(a), Ok(b), Ok(d)) => {
                    prop_assert_eq!(a.stattest, b.stattest);
                    prop_assert!(same(a.score, b.score), "{}: {} vs {}", a.stattest, a.score, b.score);
                    prop_assert!(same(a.score, d.score), "{}: {} vs {}", a.stattest, a.score, d.score);
                    prop_assert!(same(a.statistic, b.statistic), "{}: statistic", a.stattest);
                    prop_assert_eq!(a.drift_detected, b.drift_detected);
                    prop_assert!(!b.approximate);
                }
                (Err(a), Err(b), Err(_)) => prop_assert_eq!(a, b),
                (a, b, _) => prop_assert!(false, "{test:?}: {a:?} vs {b:?}"),
            }
        }
    }
}

/// A summarized profile column claiming 10^15 rows: 1,024 points of about 10^12 rows each.
fn huge_summary() -> WeightedValues {
    let total: u64 = 1_000_000_000_000_000;
    let n = 1024u64;
    let values: Vec<f64> = (0..n).map(|i| (i as f64 - 512.0) / 100.0).collect();
    let mut weights = vec![total / n; n as usize];
    weights[0] += total % n;
    WeightedValues {
        values,
        weights,
        rank_error: 1.0 / 1024.0,
        exact: Some(ExactMoments {
            min: -5.2,
            max: 5.2,
            mean: 0.0,
            m2: 8.7e15,
            // Nearly every value distinct: a summary of tied values is not given a
            // Cramer-von Mises p-value (its midranks need the ties' multiplicities).
            distinct: 999_000_000_000_000,
        }),
    }
}

#[test]
fn a_profile_of_ten_to_the_fifteen_rows_is_tested_from_its_points() {
    let current: Vec<f64> = (0..5000)
        .map(|i| f64::from(i % 997) / 100.0 - 4.0)
        .collect();
    let start = std::time::Instant::now();
    for test in NUMERIC_TESTS.iter().copied().map(Some).chain([None]) {
        let out = column_drift(request(
            Values::Weighted(huge_summary()),
            Values::Numerical(current.clone()),
            test,
        ));
        match (test, out) {
            (_, Ok(d)) => {
                assert!(d.score.is_finite(), "{test:?}: {}", d.score);
                assert!(d.approximate);
                assert_eq!(d.reference.count, 1_000_000_000_000_000);
                assert!(d.rank_error.unwrap() > 0.0);
                // Every summarized score carries its bound, and the bound holds the score;
                // the t-test reads only the exact moments a summary keeps, so it has none.
                if test == Some(StatTest::TTest) {
                    assert_eq!(d.score_bounds, None);
                    continue;
                }
                let [lo, hi] = d
                    .score_bounds
                    .unwrap_or_else(|| panic!("{test:?}: no bound"));
                assert!(
                    lo <= d.score && d.score <= hi,
                    "{test:?}: {lo} {} {hi}",
                    d.score
                );
            }
            // Tests a summary cannot answer say why, and the column is skipped.
            (
                Some(StatTest::Hellinger | StatTest::Anderson | StatTest::Chisquare | StatTest::Z),
                Err(ColumnError::NotComputable(r)),
            ) => {
                assert!(!r.is_empty());
            }
            (t, Err(e)) => panic!("{t:?}: {e}"),
        }
    }
    // Expanding to rows would have asked for 8 PB; the points take microseconds.
    assert!(start.elapsed().as_secs_f64() < 10.0);
}

#[test]
fn exact_counts_of_ten_to_the_fifteen_are_tested_from_the_counts() {
    let mut w = WeightedValues::default();
    for (v, c) in [
        (1.0, 1_000_000_000_000_000u64),
        (2.0, 3),
        (7.0, 999_999_999_999_999),
    ] {
        w.values.push(v);
        w.weights.push(c);
    }
    let current = vec![1.0, 1.0, 2.0, 7.0, 7.0, 7.0];
    for test in NUMERIC_TESTS.iter().copied().map(Some).chain([None]) {
        let d = match column_drift(request(
            Values::Weighted(w.clone()),
            Values::Numerical(current.clone()),
            test,
        )) {
            Ok(d) => d,
            // Its normalizing sums run over every row: refused with a reason.
            Err(ColumnError::NotComputable(r)) if test == Some(StatTest::Anderson) => {
                assert!(r.contains("anderson"), "{r}");
                continue;
            }
            Err(e) => panic!("{test:?}: {e}"),
        };
        assert!(!d.approximate);
        assert!(d.score.is_finite() || d.score_reason.is_some(), "{test:?}");
    }
    // Categories with such counts: chi-squared and z from the exact counts.
    let reference: BTreeMap<String, u64> = [("a".to_string(), u64::MAX / 4), ("b".into(), 5)]
        .into_iter()
        .collect();
    let current: BTreeMap<String, u64> = [("a".to_string(), 3), ("b".into(), 4)]
        .into_iter()
        .collect();
    for test in [
        StatTest::Chisquare,
        StatTest::Z,
        StatTest::Jensenshannon,
        StatTest::Psi,
    ] {
        let mut req = request(
            Values::Categorical(reference.clone()),
            Values::Categorical(current.clone()),
            Some(test),
        );
        req.column_type = ColumnType::Categorical;
        let d = column_drift(req).unwrap();
        assert!(d.score.is_finite(), "{test:?}");
    }
}

#[test]
fn non_finite_values_are_missing() {
    let r: Vec<f64> = (0..50).map(f64::from).collect();
    let c: Vec<f64> = (0..40).map(|i| f64::from(i) + 3.0).collect();
    let mut r_bad = r.clone();
    r_bad.extend([f64::INFINITY, f64::NEG_INFINITY, f64::NAN]);
    let mut c_bad = c.clone();
    c_bad.insert(3, f64::INFINITY);
    for test in NUMERIC_TESTS.iter().copied().map(Some).chain([None]) {
        let clean = column_drift(request(
            Values::Numerical(r.clone()),
            Values::Numerical(c.clone()),
            test,
        ))
        .unwrap();
        let dirty = column_drift(request(
            Values::Numerical(r_bad.clone()),
            Values::Numerical(c_bad.clone()),
            test,
        ))
        .unwrap();
        assert!(same(clean.score, dirty.score), "{test:?}");
        assert_eq!(dirty.reference.missing, 3);
        assert_eq!(dirty.current.missing, 1);
        assert_eq!(dirty.reference.max, Some(49.0));
    }
    // Only non-finite values: nothing to test, and the column says so.
    let out = column_drift(request(
        Values::Numerical(vec![f64::INFINITY; 4]),
        Values::Numerical(c),
        None,
    ));
    assert!(matches!(out, Err(ColumnError::NotComputable(_))), "{out:?}");
}

#[test]
fn a_null_score_carries_its_reason() {
    let d = column_drift(request(
        Values::Numerical(vec![1.0, 1.0, 1.0]),
        Values::Numerical(vec![1.0, 1.0]),
        Some(StatTest::TTest),
    ))
    .unwrap();
    assert!(d.score.is_nan());
    assert!(!d.drift_detected);
    let json = serde_json::to_value(&d).unwrap();
    assert!(json["score"].is_null());
    assert!(json["score_reason"].as_str().unwrap().contains("t_test"));
    // A number needs no reason, and the key is absent.
    let d = column_drift(request(
        Values::Numerical(vec![1.0, 2.0, 3.0]),
        Values::Numerical(vec![1.0, 2.0]),
        Some(StatTest::TTest),
    ))
    .unwrap();
    assert!(
        serde_json::to_value(&d)
            .unwrap()
            .get("score_reason")
            .is_none()
    );
}

#[test]
fn values_spanning_more_than_a_float_are_skipped_with_a_reason() {
    // From -1.74e308 to 1.74e308: each value is finite, the range is not.
    let r: Vec<f64> = (0..30).map(|i| f64::from(i) * 6e306).collect();
    let c: Vec<f64> = (0..30).map(|i| -f64::from(i) * 6e306).collect();
    let out = column_drift(request(
        Values::Numerical(r),
        Values::Numerical(c),
        Some(StatTest::Psi),
    ));
    assert!(matches!(out, Err(ColumnError::NotComputable(_))), "{out:?}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Weighted values that were never validated (a library caller's, not a profile's):
    /// unsorted, NaN or infinite points, zero or u64::MAX weights. Every test answers or
    /// refuses; none panics, and none allocates by the weights.
    #[test]
    fn unvalidated_weighted_values_never_panic(
        points in prop::collection::vec(
            (
                prop::sample::select(vec![0.0, -1.5, 2.0, 1e308, -1e308, 5e-324, f64::NAN, f64::INFINITY, 3.25]),
                prop::sample::select(vec![0u64, 1, 2, 1_000_000_000_000_000, u64::MAX / 2, u64::MAX]),
            ),
            0..12,
        ),
        current in prop::collection::vec(prop::sample::select(vec![0.0, 1.0, 2.5, -3.0, f64::NAN, 1e300]), 0..30),
        rank_error in prop::sample::select(vec![0.0, 0.001, f64::NAN, -1.0, 7.0]),
    ) {
        let w = WeightedValues {
            values: points.iter().map(|p| p.0).collect(),
            weights: points.iter().map(|p| p.1).collect(),
            rank_error,
            exact: None,
        };
        for test in NUMERIC_TESTS.iter().copied().map(Some).chain([None]) {
            for current in [Values::Numerical(current.clone()), Values::Weighted(w.clone())] {
                let _ = column_drift(request(Values::Weighted(w.clone()), current, test));
            }
        }
    }
}

/// A few far values do not squeeze the chart into one bar: the bins span the middle 99% and
/// the tails are folded into the end bins (every row still counted once); without such
/// values the bins span the whole range.
#[test]
fn far_outliers_fold_into_the_end_bins_of_the_chart() {
    let body = |shift: f64| -> Vec<f64> { (0..2000).map(|i| f64::from(i % 200) + shift).collect() };
    let mut with_outliers = body(0.0);
    with_outliers.extend([1e9, -1e9]);
    for (values, folded) in [(with_outliers, true), (body(0.0), false)] {
        let r = column_drift(request(
            Values::Numerical(values),
            Values::Numerical(body(5.0)),
            None,
        ))
        .unwrap();
        let d = &r.distribution;
        assert_eq!(d.tails_folded, folded);
        assert_eq!(d.reference.len(), 30);
        let total: f64 = d.reference.iter().sum();
        assert!((total - 1.0).abs() < 1e-12, "{total}");
        let largest = d.reference.iter().copied().fold(0.0, f64::max);
        assert!(largest < 0.1, "one bin holds {largest}");
    }
}
