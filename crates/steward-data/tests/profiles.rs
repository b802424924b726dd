//! Profiles: merging the profiles of parts gives the profile of the whole (exactly for
//! counts and moments, within the sketch's error for quantiles), and drift against a
//! profile agrees with drift against the rows.

use std::path::PathBuf;

use steward_data::drift::{
    DriftOptions, dataset_drift, profile as profile_from, profile_drift_with_progress,
    profile_source,
};
use steward_data::{Column, Dataset, Format, read};
use steward_stats::Values;
use steward_stats::profile::Profile;

/// When the test profiles are made, as the CLI passes its clock in.
const NOW: &str = "2026-01-31T12:00:00Z";

/// The profile of `data`, as if read from a CSV file.
fn profile(data: &Dataset) -> Profile {
    profile_from(data, profile_source(data, Format::Csv, NOW, None))
}

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
            Values::Weighted(_) | Values::Frequent(_) => {
                panic!("a reader gives rows, never summaries")
            }
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
    let merged: Profile = profile(&a).merge(&profile(&b), NOW).unwrap();
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
            (e.stattest.name(), e.drift_detected),
            (a.stattest.name(), a.drift_detected),
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
        assert_eq!(e.stattest.name(), "wasserstein");
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

// ---- Hostile profiles: what a file claims is checked, and never drives memory. ----

use proptest::prelude::*;
use steward_data::drift::{dataset_drift as drift_of, is_profile, read_profile};
use steward_stats::StatTest;

fn options() -> DriftOptions {
    DriftOptions {
        drift_share: 0.5,
        ..Default::default()
    }
}

/// The profile of ks_asymp.current.csv (summarized numerical columns) as JSON.
fn summarized_profile_json() -> serde_json::Value {
    static JSON: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    JSON.get_or_init(|| serde_json::to_value(profile(&load("ks_asymp.current.csv"))).unwrap())
        .clone()
}

/// The profile of ref1000.reference.csv (exact counts, categories, booleans) as JSON.
fn exact_profile_json() -> serde_json::Value {
    static JSON: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    JSON.get_or_init(|| serde_json::to_value(profile(&load("ref1000.reference.csv"))).unwrap())
        .clone()
}

/// The current data the damaged profiles are compared with, read once.
fn current_1000() -> Dataset {
    static DATA: std::sync::OnceLock<Dataset> = std::sync::OnceLock::new();
    DATA.get_or_init(|| load("ref1000.current.csv")).clone()
}

/// Scales every count of a profile by `factor` (weights, exact counts, rows), as a profile
/// of `factor` times as many rows with the same distribution would have them.
fn scale_counts(p: &mut serde_json::Value, factor: u64) {
    let rows = p["rows"].as_u64().unwrap();
    p["rows"] = (rows * factor).into();
    if p["source"].is_object() {
        p["source"]["rows"] = (rows * factor).into();
    }
    for c in p["columns"].as_array_mut().unwrap() {
        for key in ["count", "missing"] {
            c[key] = (c[key].as_u64().unwrap() * factor).into();
        }
        let count = c["count"].as_u64().unwrap() as f64;
        if let Some(n) = c.get_mut("numeric").filter(|n| n.is_object()) {
            let m2 = n["m2"].as_f64().unwrap() * factor as f64;
            n["m2"] = m2.into();
            n["std"] = (m2 / count).sqrt().into();
            for x in n["quantiles"]["weights"].as_array_mut().unwrap() {
                *x = (x.as_u64().unwrap() * factor).into();
            }
            for x in n["histogram"]["counts"].as_array_mut().unwrap() {
                *x = (x.as_f64().unwrap() * factor as f64).into();
            }
            n["rank_error"] = 0.001.into();
            n["quantiles"]["rank_error"] = 0.001.into();
        }
        if let Some(m) = c.get_mut("values").and_then(|v| v.as_object_mut()) {
            for x in m.values_mut() {
                *x = (x.as_u64().unwrap() * factor).into();
            }
        }
    }
}

fn parse(v: &serde_json::Value) -> Result<Profile, String> {
    Profile::from_json(serde_json::to_string(v).unwrap().as_bytes()).map_err(|e| e.to_string())
}

#[test]
fn a_profile_of_ten_to_the_fifteen_rows_is_compared_without_its_rows() {
    // Before: 8 bytes per claimed row and column (8 PB here), an abort.
    for (mut json, data) in [
        (summarized_profile_json(), "ks_asymp.reference.csv"),
        (exact_profile_json(), "ref1000.current.csv"),
    ] {
        scale_counts(&mut json, 1_000_000_000_000);
        let p = parse(&json).unwrap();
        assert!(p.rows >= 1_000_000_000_000_000);
        let start = std::time::Instant::now();
        let report = profile_drift_with_progress(&p, load(data), &options(), &|_, _| {}).unwrap();
        assert!(start.elapsed().as_secs_f64() < 10.0);
        assert!(!report.columns.is_empty());
        for c in &report.columns {
            assert!(
                c.score.is_finite() || c.score_reason.is_some(),
                "{}",
                c.column
            );
            assert_eq!(
                c.reference.count as u64,
                p.columns.iter().find(|x| x.name == c.column).unwrap().count
            );
        }
        // Any test, chosen for every column.
        for test in [
            StatTest::Ks,
            StatTest::Psi,
            StatTest::Mannw,
            StatTest::TTest,
            StatTest::Jensenshannon,
        ] {
            let o = DriftOptions {
                stattest: Some(test),
                ..options()
            };
            let report = profile_drift_with_progress(&p, load(data), &o, &|_, _| {});
            if let Ok(r) = report {
                assert!(
                    r.columns
                        .iter()
                        .all(|c| c.score.is_finite() || c.score_reason.is_some())
                );
            }
        }
    }
}

fn write_temp(text: &str) -> tempfile::NamedTempFile {
    use std::io::Write;
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn a_profile_of_another_version_or_without_format_is_refused() {
    let mut json = exact_profile_json();
    json["format"] = "steward-profile/v9".into();
    let f = write_temp(&json.to_string());
    assert!(
        is_profile(f.path()),
        "recognised as a profile, not read as JSON Lines"
    );
    let e = read_profile(f.path()).unwrap_err().to_string();
    assert!(
        e.contains("steward-profile/v9") && e.contains("not supported"),
        "{e}"
    );
    json.as_object_mut().unwrap().remove("format");
    let f = write_temp(&serde_json::to_string_pretty(&json).unwrap());
    assert!(is_profile(f.path()));
    let e = read_profile(f.path()).unwrap_err().to_string();
    assert!(e.contains("no `format`"), "{e}");
    // A JSON Lines dataset is not a profile.
    let f = write_temp("{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": \"y\"}\n");
    assert!(!is_profile(f.path()));
    // A truncated one is a damaged profile, not a JSON Lines file.
    // (as `steward profile` writes it: `format` first)
    let whole = serde_json::to_string_pretty(&profile(&load("ref1000.reference.csv"))).unwrap();
    let f = write_temp(&whole[..whole.len() / 2]);
    assert!(is_profile(f.path()));
    let e = read_profile(f.path()).unwrap_err().to_string();
    assert!(
        e.contains("not a steward profile") && e.contains("line"),
        "{e}"
    );
    // A valid one round-trips.
    let f = write_temp(&exact_profile_json().to_string());
    assert!(is_profile(f.path()));
    read_profile(f.path()).unwrap();
}

#[test]
fn a_profile_s_fields_are_validated() {
    let base = summarized_profile_json();
    let exact = exact_profile_json();
    type Edit = fn(&mut serde_json::Value);
    let cases: Vec<(&str, serde_json::Value, Edit)> = vec![
        ("values and", base.clone(), |p| {
            p["columns"][0]["numeric"]["quantiles"]["weights"]
                .as_array_mut()
                .unwrap()
                .pop();
        }),
        ("ascending", base.clone(), |p| {
            let v = &mut p["columns"][0]["numeric"]["quantiles"]["values"];
            let a = v[3].clone();
            v[3] = v[4].clone();
            v[4] = a;
        }),
        ("add up to", base.clone(), |p| {
            p["columns"][0]["numeric"]["quantiles"]["weights"][0] = 7.into();
        }),
        ("overflow", base.clone(), |p| {
            let w = &mut p["columns"][0]["numeric"]["quantiles"]["weights"];
            w[0] = u64::MAX.into();
            w[1] = u64::MAX.into();
        }),
        ("overflows", base.clone(), |p| {
            p["columns"][0]["count"] = u64::MAX.into();
            p["columns"][0]["missing"] = 2.into();
        }),
        ("exceeds the profile", base.clone(), |p| {
            p["rows"] = 3.into();
            p["source"]["rows"] = 3.into();
        }),
        // Fields that contradict each other, each refused naming the field.
        ("falls short of the profile", base.clone(), |p| {
            p["rows"] = 1_000_000_000_000_000_000u64.into();
            p["source"]["rows"] = 1_000_000_000_000_000_000u64.into();
        }),
        ("numeric.mean", base.clone(), |p| {
            p["columns"][0]["numeric"]["mean"] = 1e300.into();
        }),
        ("numeric.m2", base.clone(), |p| {
            let n = &mut p["columns"][0]["numeric"];
            n["m2"] = 0.0.into();
            n["std"] = 0.0.into();
        }),
        ("numeric.histogram.counts", base.clone(), |p| {
            p["columns"][0]["numeric"]["histogram"]["counts"][0] = (-1.0).into();
        }),
        ("numeric.histogram.counts add up", base.clone(), |p| {
            p["columns"][0]["numeric"]["histogram"]["counts"][0] = 1e12.into();
        }),
        ("distinct_estimate", base.clone(), |p| {
            p["columns"][0]["distinct_estimate"] = 1e12.into();
        }),
        ("lies outside [numeric.min", exact.clone(), |p| {
            let c = p["columns"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|c| c["kind"] == "number" && c["values"].is_object())
                .unwrap();
            let m = c["values"].as_object_mut().unwrap();
            let k = m.keys().next().unwrap().clone();
            let v = m.remove(&k).unwrap();
            m.insert("1e300".into(), v);
        }),
        ("neither true nor false", exact.clone(), |p| {
            let c = p["columns"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|c| c["kind"] == "boolean")
                .unwrap();
            let m = c["values"].as_object_mut().unwrap();
            let k = m.keys().next().unwrap().clone();
            let v = m.remove(&k).unwrap();
            m.insert("maybe".into(), v);
        }),
        ("whole number", base.clone(), |p| {
            p["columns"][0]["count"] = (-5).into();
        }),
        ("whole number", base.clone(), |p| {
            p["columns"][0]["count"] = 1e15.into();
        }),
        ("outside", base.clone(), |p| {
            p["columns"][0]["numeric"]["min"] = 1e300.into();
            p["columns"][0]["numeric"]["max"] = 1e301.into();
        }),
        ("points", base.clone(), |p| {
            let q = &mut p["columns"][0]["numeric"]["quantiles"];
            q["values"] = serde_json::Value::Array(vec![]);
            q["weights"] = serde_json::Value::Array(vec![]);
        }),
        ("`values` counts", exact.clone(), |p| {
            let c = p["columns"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|c| c["values"].is_object())
                .unwrap();
            let m = c["values"].as_object_mut().unwrap();
            let k = m.keys().next().unwrap().clone();
            m[&k] = 1_000_000_000_000_000u64.into();
        }),
        ("does not match m2", base.clone(), |p| {
            p["columns"][0]["numeric"]["std"] = 1e-3.into();
        }),
        ("appears twice", exact.clone(), |p| {
            let first = p["columns"][0].clone();
            p["columns"].as_array_mut().unwrap().push(first);
        }),
        ("distinct sketch", exact.clone(), |p| {
            p["columns"][0]["distinct_sketch"] = "AAAA".into();
        }),
        ("not a finite number", exact.clone(), |p| {
            let c = p["columns"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find(|c| c["kind"] == "number" && c["values"].is_object())
                .unwrap();
            let m = c["values"].as_object_mut().unwrap();
            let k = m.keys().next().unwrap().clone();
            let v = m.remove(&k).unwrap();
            m.insert("inf".into(), v);
        }),
    ];
    for (want, mut json, edit) in cases {
        edit(&mut json);
        let e = parse(&json).expect_err(want);
        assert!(e.contains(want), "expected `{want}` in: {e}");
    }
}

#[test]
fn merging_never_wraps_a_count() {
    let mut json = exact_profile_json();
    scale_counts(&mut json, 1 << 53);
    let p = parse(&json).unwrap();
    // Each part is valid; their sum is not a 64-bit count.
    let e = p
        .merge(&p, NOW)
        .and_then(|m| m.merge(&p, NOW))
        .unwrap_err()
        .to_string();
    assert!(e.contains("overflows"), "{e}");
}

#[test]
fn zero_compared_columns_is_an_error() {
    let reference = load("ref1000.reference.csv");
    let mut current = load("ref1000.current.csv");
    // Names that match nothing (a semicolon CSV read as one column looks like this).
    for c in current.columns.iter_mut() {
        c.name = format!("{};other", c.name);
    }
    let e = drift_of(reference, current, &options())
        .unwrap_err()
        .to_string();
    assert!(e.contains("no column could be compared"), "{e}");
    // An empty profile.
    let mut json = exact_profile_json();
    json["columns"] = serde_json::Value::Array(vec![]);
    json["source"]["columns"] = 0.into();
    let p = parse(&json).unwrap();
    let e = profile_drift_with_progress(&p, load("ref1000.current.csv"), &options(), &|_, _| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("no column"), "{e}");
}

#[test]
fn per_column_options_must_name_a_column() {
    type Edit = fn(&mut DriftOptions);
    let cases: [(&str, Edit); 6] = [
        ("--threshold", |o| {
            o.column_threshold.insert("nope".into(), 0.5);
        }),
        ("--stattest", |o| {
            o.column_stattest.insert("nope".into(), StatTest::Psi);
        }),
        ("--numerical", |o| {
            o.numerical.insert("nope".into());
        }),
        ("--categorical", |o| {
            o.categorical.insert("nope".into());
        }),
        ("--threshold", |o| o.threshold = Some(-0.1)),
        ("--threshold", |o| o.threshold = Some(f64::NAN)),
    ];
    for (flag, edit) in cases {
        let mut o = options();
        edit(&mut o);
        let e = drift_of(
            load("ref1000.reference.csv"),
            load("ref1000.current.csv"),
            &o,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(flag), "{flag}: {e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Damaged profile bytes: reading, drift and merge answer or refuse, never panic.
    #[test]
    fn damaged_profiles_never_panic(
        which in 0usize..2,
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..5),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let json = if which == 0 { summarized_profile_json() } else { exact_profile_json() };
        let mut bytes = serde_json::to_vec(&json).unwrap();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len() + 1));
        }
        if let Ok(p) = Profile::from_json(&bytes) {
            let _ = profile_drift_with_progress(&p, current_1000(), &options(), &|_, _| {});
            let _ = p.merge(&p, "2026-01-01T00:00:00Z");
        }
    }

    /// Structurally valid JSON with absurd numbers in every count and value.
    #[test]
    fn absurd_numbers_never_panic(
        column in 0usize..12,
        field in 0usize..6,
        value in prop::sample::select(vec![
            serde_json::json!(1_000_000_000_000_000u64),
            serde_json::json!(u64::MAX),
            serde_json::json!(-1),
            serde_json::json!(0),
            serde_json::json!(1e308),
            serde_json::json!(-1e308),
            serde_json::json!(5e-324),
            serde_json::json!("x"),
            serde_json::json!(null),
            serde_json::json!([]),
        ]),
    ) {
        for base in [summarized_profile_json(), exact_profile_json()] {
            let mut json = base;
            let columns = json["columns"].as_array_mut().unwrap();
            let n = columns.len();
            let c = &mut columns[column % n];
            let pointer = match field {
                0 => "/count".to_string(),
                1 => "/missing".into(),
                2 => "/numeric/quantiles/weights/0".into(),
                3 => "/numeric/quantiles/values/1".into(),
                4 => "/numeric/std".into(),
                _ => match c.get("values").and_then(|m| m.as_object()).and_then(|m| m.keys().next()) {
                    Some(k) => format!("/values/{}", k.replace('~', "~0").replace('/', "~1")),
                    None => "/count".into(),
                },
            };
            if let Some(slot) = c.pointer_mut(&pointer) {
                *slot = value.clone();
            }
            if let Ok(p) = parse(&json) {
                let _ = profile_drift_with_progress(&p, current_1000(), &options(), &|_, _| {});
                let _ = p.merge(&p, "2026-01-01T00:00:00Z");
            }
        }
    }
}
