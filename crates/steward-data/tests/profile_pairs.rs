//! Profile against profile: every score from two summaries lies within its stated bounds of
//! the full-data score, a decision that differs from the rows' is marked uncertain, and the
//! report types round-trip through JSON byte for byte.

use std::collections::BTreeMap;

use steward_data::drift::{
    DriftOptions, DriftReport, Side, dataset_drift, drift_with_progress, profile, profile_source,
};
use steward_data::{Column, Dataset, Format, Kind};
use steward_stats::profile::Profile;
use steward_stats::{StatTest, Values};

const NOW: &str = "2026-01-31T12:00:00Z";

/// A deterministic stream of numbers in [0, 1).
fn uniform(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (s >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// Numerical columns shifted by `shift` standard units, and a categorical column of 20,000
/// distinct values (past exact counts: a frequent-items sketch) with a few heavy ones.
fn dataset(n: usize, seed: u64, shift: f64) -> Dataset {
    let u = uniform(n, seed);
    let numbers =
        |f: &dyn Fn(f64) -> f64| -> Values { Values::Numerical(u.iter().map(|x| f(*x)).collect()) };
    let mut categories: BTreeMap<String, u64> = BTreeMap::new();
    for (i, x) in u.iter().enumerate() {
        let key = if i % 4 == 0 {
            format!("heavy{}", (x * 5.0 + shift * 3.0) as u64)
        } else {
            format!("id{}", (x * 20_000.0) as u64)
        };
        *categories.entry(key).or_insert(0) += 1;
    }
    let column = |name: &str, kind: Kind, values: Values| Column {
        name: name.into(),
        kind,
        values,
        missing: 0,
        integer: false,
    };
    Dataset {
        rows: n,
        columns: vec![
            column(
                "normal",
                Kind::Number,
                numbers(&|x| (x * std::f64::consts::TAU).sin() + shift),
            ),
            column(
                "skewed",
                Kind::Number,
                numbers(&|x| (x * 3.0).exp() * (1.0 + shift)),
            ),
            column("steady", Kind::Number, numbers(&|x| x * 100.0)),
            column("ids", Kind::Text, Values::Categorical(categories)),
        ],
        unsupported: Vec::new(),
    }
}

fn profiled(d: &Dataset) -> Profile {
    profile(d, profile_source(d, Format::Csv, NOW, None))
}

fn options(test: Option<StatTest>) -> DriftOptions {
    DriftOptions {
        drift_share: 0.5,
        stattest: test,
        ..Default::default()
    }
}

/// The rows' report and the two profiles' report, for one test (or the defaults).
fn both(
    reference: &Dataset,
    current: &Dataset,
    test: Option<StatTest>,
) -> (DriftReport, DriftReport) {
    // A numerical test is asked of the numerical columns only; the categorical ones keep
    // their default test.
    let mut opts = options(None);
    if let Some(t) = test {
        for c in reference.columns.iter().filter(|c| c.kind == Kind::Number) {
            opts.column_stattest.insert(c.name.clone(), t);
        }
    }
    let by_rows = dataset_drift(reference.clone(), current.clone(), &opts).unwrap();
    let (pr, pc) = (profiled(reference), profiled(current));
    let by_profiles =
        drift_with_progress(Side::Profile(&pr), Side::Profile(&pc), &opts, &|_, _| {}).unwrap();
    (by_rows, by_profiles)
}

fn check_within_bounds(by_rows: &DriftReport, by_profiles: &DriftReport) -> usize {
    let mut checked = 0;
    for p in &by_profiles.columns {
        let Some(r) = by_rows.columns.iter().find(|c| c.column == p.column) else {
            continue;
        };
        if r.stattest != p.stattest {
            continue;
        }
        checked += 1;
        let [lo, hi] = p.score_bounds.unwrap_or([p.score, p.score]);
        assert!(
            lo - 1e-12 <= r.score && r.score <= hi + 1e-12,
            "{} {}: rows {} outside [{lo}, {hi}] (profiles {})",
            p.column,
            p.stattest,
            r.score,
            p.score
        );
        if !p.decision_uncertain {
            assert_eq!(
                r.drift_detected, p.drift_detected,
                "{} {}: a certain decision differs from the rows'",
                p.column, p.stattest
            );
        }
    }
    checked
}

#[test]
fn scores_from_two_profiles_lie_within_their_bounds() {
    let reference = dataset(60_000, 1, 0.0);
    for (seed, shift) in [(2, 0.0), (3, 0.02), (4, 0.3)] {
        let current = dataset(40_000, seed, shift);
        let mut checked = 0;
        for test in [
            None,
            Some(StatTest::Ks),
            Some(StatTest::Psi),
            Some(StatTest::KlDiv),
            Some(StatTest::EnergyDistance),
        ] {
            let (by_rows, by_profiles) = both(&reference, &current, test);
            checked += check_within_bounds(&by_rows, &by_profiles);
            for c in &by_profiles.columns {
                assert!(c.approximate, "{}", c.column);
                assert!(c.score_bounds.is_some(), "{}: no bound", c.column);
            }
        }
        // The defaults: three numerical columns by Wasserstein, the sketch by Jensen-Shannon.
        assert!(checked >= 4 * 3, "only {checked} columns compared");
    }
}

#[test]
fn a_decision_whose_bound_straddles_the_threshold_is_marked() {
    // A Wasserstein score right at the threshold: the bounds straddle it.
    let reference = dataset(60_000, 1, 0.0);
    let (pr, _) = (profiled(&reference), ());
    let current = dataset(40_000, 2, 0.0);
    let pc = profiled(&current);
    let base = drift_with_progress(
        Side::Profile(&pr),
        Side::Profile(&pc),
        &options(None),
        &|_, _| {},
    )
    .unwrap();
    let c = &base.columns[0];
    let mut o = options(None);
    o.column_threshold.insert(c.column.clone(), c.score);
    let at = drift_with_progress(Side::Profile(&pr), Side::Profile(&pc), &o, &|_, _| {}).unwrap();
    let marked = at.columns.iter().find(|x| x.column == c.column).unwrap();
    assert!(marked.decision_uncertain, "{marked:?}");
    let text = steward_data::render::text(&at);
    assert!(text.contains("yes ?") || text.contains("no ?"), "{text}");
    assert!(text.contains("? uncertain"), "{text}");
}

#[test]
fn reports_and_profiles_round_trip_through_json() {
    let reference = dataset(20_000, 5, 0.0);
    let current = dataset(10_000, 6, 0.1);
    let pr = profiled(&reference);
    let reports = [
        dataset_drift(reference.clone(), current.clone(), &options(None)).unwrap(),
        drift_with_progress(
            Side::Profile(&pr),
            Side::Data(current.clone()),
            &options(None),
            &|_, _| {},
        )
        .unwrap(),
    ];
    for report in &reports {
        let once = serde_json::to_string(report).unwrap();
        let back: DriftReport = serde_json::from_str(&once).unwrap();
        assert_eq!(once, serde_json::to_string(&back).unwrap());
        for c in &report.columns {
            let one = serde_json::to_string(c).unwrap();
            let back: steward_stats::ColumnDrift = serde_json::from_str(&one).unwrap();
            assert_eq!(one, serde_json::to_string(&back).unwrap());
            let s = serde_json::to_string(&c.reference).unwrap();
            let back: steward_stats::drift::Summary = serde_json::from_str(&s).unwrap();
            assert_eq!(s, serde_json::to_string(&back).unwrap());
            let d = serde_json::to_string(&c.distribution).unwrap();
            let back: steward_stats::drift::Distribution = serde_json::from_str(&d).unwrap();
            assert_eq!(d, serde_json::to_string(&back).unwrap());
        }
        for s in &report.skipped_columns {
            let one = serde_json::to_string(s).unwrap();
            let back: steward_data::drift::Skipped = serde_json::from_str(&one).unwrap();
            assert_eq!(one, serde_json::to_string(&back).unwrap());
        }
    }
    let once = serde_json::to_string(&pr).unwrap();
    let back = Profile::from_json(once.as_bytes()).unwrap();
    assert_eq!(once, serde_json::to_string(&back).unwrap());
}

#[test]
fn merged_sketches_stay_within_their_bounds_and_record_their_parts() {
    let a = dataset(30_000, 7, 0.0);
    let b = dataset(30_000, 8, 0.0);
    let sa = profile(
        &a,
        profile_source(&a, Format::Parquet, NOW, Some("ab".repeat(32))),
    );
    let merged = sa.merge(&profiled(&b), "2026-02-01T00:00:00Z").unwrap();
    let source = merged.source.as_ref().unwrap();
    assert_eq!(source.format, "merge");
    assert_eq!(source.part_count, 2);
    assert_eq!(
        source.parts[0].sha256.as_deref(),
        Some("ab".repeat(32).as_str())
    );
    let json = serde_json::to_string(&merged).unwrap();
    Profile::from_json(json.as_bytes()).unwrap();
    let ids = merged.columns.iter().find(|c| c.name == "ids").unwrap();
    let f = ids
        .frequent_items
        .as_ref()
        .expect("a frequent-items sketch");
    assert_eq!(f.total, 60_000);
    let bounded = f.bounded_counts().unwrap();
    let mut truth: BTreeMap<String, u64> = BTreeMap::new();
    for d in [&a, &b] {
        if let Values::Categorical(m) = &d.columns[3].values {
            for (k, v) in m {
                *truth.entry(k.clone()).or_insert(0) += v;
            }
        }
    }
    for (k, v) in &truth {
        match bounded.counts.get(k) {
            Some(r) => assert!(r.lower <= *v && *v <= r.upper, "{k}"),
            None => assert!(*v <= bounded.maximum_error, "{k}"),
        }
    }
}
