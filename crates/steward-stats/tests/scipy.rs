//! The statistics engine against scipy on the cases that used to fail: the exact
//! Mann-Whitney distribution at sizes where a table of (n+1) x (mn+1) floats took gigabytes,
//! and Student's t-test with a single value on one side or no variance. The numbers come
//! from tests/oracle/make_fixtures.py (scipy itself), with the inputs stored beside them.

use std::path::PathBuf;

use steward_stats::sample::{Moments, Sample};
use steward_stats::sort::sort_f64;
use steward_stats::stattests::{mann_whitney_less, t_test};

fn fixture() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/scipy.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn numbers(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// JSON null is NaN; "inf" and "-inf" are the infinities.
fn number(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::Null => f64::NAN,
        serde_json::Value::String(s) if s == "inf" => f64::INFINITY,
        serde_json::Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other.as_f64().unwrap(),
    }
}

/// Equal to 1e-9 relative (tiny p-values are compared relatively, not to an absolute
/// tolerance that any tiny number would pass), or both NaN, or the same infinity.
fn close(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

fn moments(v: &[f64]) -> Moments {
    Sample::plain(v).moments()
}

#[test]
fn mann_whitney_matches_scipy_exact_and_asymptotic() {
    let f = fixture();
    let cases = f["mannwhitneyu_less"].as_array().unwrap();
    assert!(cases.len() >= 12);
    for c in cases {
        let (mut x, mut y) = (numbers(&c["x"]), numbers(&c["y"]));
        sort_f64(&mut x);
        sort_f64(&mut y);
        let m = mann_whitney_less(Sample::plain(&x), Sample::plain(&y));
        let (u1, p) = (number(&c["u1"]), number(&c["p"]));
        assert!(
            close(m.u1, u1),
            "{}x{}: U1 {} vs {u1}",
            x.len(),
            y.len(),
            m.u1
        );
        assert!(
            close(m.p_value, p),
            "{}x{}: p {:e} vs scipy {p:e}",
            x.len(),
            y.len(),
            m.p_value
        );
        // scipy's "auto" choice: exact when one side has at most 8 values and nothing ties.
        assert_eq!(
            m.exact,
            x.len().min(y.len()) <= 8,
            "{}x{}",
            x.len(),
            y.len()
        );
    }
}

#[test]
fn mann_whitney_five_against_twenty_thousand_is_quick() {
    // Before: two tables of 20,001 x 100,001 floats (16 GB each). Now one vector of at most
    // mn/2 + 1 counts; in a debug build this takes milliseconds.
    let y: Vec<f64> = (0..20_000).map(f64::from).collect();
    let x = [3.5, 7000.25, 12000.5, 15000.75, 19990.5];
    let start = std::time::Instant::now();
    let m = mann_whitney_less(Sample::plain(&x), Sample::plain(&y));
    assert!(m.exact);
    assert!(start.elapsed().as_secs_f64() < 5.0);
    assert!(close(m.p_value, 0.6180807011325365), "{}", m.p_value);
}

#[test]
fn t_test_matches_scipy_with_one_value_or_no_variance() {
    let f = fixture();
    for c in f["ttest_ind"].as_array().unwrap() {
        let (x, y) = (numbers(&c["x"]), numbers(&c["y"]));
        let (t, p) = t_test(moments(&x), moments(&y));
        let (want_t, want_p) = (number(&c["t"]), number(&c["p"]));
        assert!(close(t, want_t), "{x:?} vs {y:?}: t {t} vs {want_t}");
        assert!(close(p, want_p), "{x:?} vs {y:?}: p {p:e} vs {want_p:e}");
    }
    // The case from the report: reference 1..10 against [100].
    let (_, p) = t_test(
        moments(&(1..=10).map(f64::from).collect::<Vec<_>>()),
        moments(&[100.0]),
    );
    assert!(close(p, 2.668322947742147e-10), "{p:e}");
}

#[test]
fn t_test_from_a_profile_s_moments_matches_scipy_at_huge_counts() {
    // scipy.stats.ttest_ind_from_stats at 10^4 .. 10^18 rows: the incomplete beta function
    // gave p = 0.047 for the first case (scipy 0.0893) and 0 past 5 x 10^15 rows.
    let f = fixture();
    let cases = f["ttest_from_stats"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let side = |n: &str, mean: &str, sd: &str| {
            let (n, sd) = (number(&c[n]), number(&c[sd]));
            Moments {
                count: n,
                mean: number(&c[mean]),
                m2: sd * sd * (n - 1.0),
            }
        };
        let (a, b) = (side("n1", "mean1", "sd1"), side("n2", "mean2", "sd2"));
        let (t, p) = t_test(a, b);
        let (want_t, want_p) = (number(&c["t"]), number(&c["p"]));
        assert!(close(t, want_t), "n1 {}: t {t} vs {want_t}", a.count);
        assert!(
            close(p, want_p),
            "n1 {}: p {p:e} vs scipy {want_p:e}",
            a.count
        );
    }
}

#[test]
fn mann_whitney_against_weighted_points_of_huge_counts_is_exact() {
    // 0..20 each k times against 0.6, 1.6, ..., 20.6 fourteen times: U1 = 2940 k exactly,
    // and scipy's asymptotic p evaluated with exact rational U, tie term and variance (Python
    // fractions and 50-digit decimals; scipy itself cannot hold these counts). f64 rank sums
    // gave 0.0726 at 10^14, 0.00103 at 10^16 and a negative U at 10^17.
    let x: Vec<f64> = (0..21).map(f64::from).collect();
    let mut y: Vec<f64> = (0..294).map(|i| f64::from(i % 21) + 0.6).collect();
    sort_f64(&mut y);
    for (k, p) in [
        (100_000_000_000_000u64, 0.078_414_148_463_103_21),
        (10u64.pow(16), 0.078_414_148_463_088_67),
        (10u64.pow(17), 0.078_414_148_463_088_5),
        (8 * 10u64.pow(17), 0.078_414_148_463_088_5),
    ] {
        let w = vec![k; 21];
        let m = mann_whitney_less(Sample::weighted(&x, &w), Sample::plain(&y));
        assert_eq!(m.u1, 2940.0 * k as f64, "k {k}");
        assert!(close(m.p_value, p), "k {k}: {} vs {p}", m.p_value);
    }
}

#[test]
fn the_cramer_von_mises_limit_ends_on_any_argument() {
    use steward_stats::stattests::cvm_limit_cdf;
    assert!(cvm_limit_cdf(f64::NAN).is_nan());
    assert_eq!(cvm_limit_cdf(f64::INFINITY), 1.0);
    assert_eq!(cvm_limit_cdf(f64::NEG_INFINITY), 0.0);
    for x in [1e-300, 1e-5, 0.003, 0.5, 3.0, 1e10, 1e300] {
        let c = cvm_limit_cdf(x);
        assert!(c.is_finite(), "{x}: {c}");
    }
    // A huge statistic (ties in a profile of 10^15 rows give 10^24) is a tiny p-value, not
    // scipy's truncated sum (1 - cdf = 0.02 at 10^12, 0.88 at 10^16).
    for x in [7.0, 20.0, 50.0, 51.0, 1e12, 1e16, 2.8e24] {
        let p = 1.0 - cvm_limit_cdf(x);
        assert!(p < 1e-7, "{x}: p {p}");
    }
}
