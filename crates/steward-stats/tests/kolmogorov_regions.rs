//! The Kolmogorov-Smirnov distributions against scipy, region by region: `kstwo.sf` takes a
//! different method in each region of (n, x) (products, Durbin's matrix, Pomeranz's
//! recursion, the Pelz-Good expansion, the one-sided Smirnov sum), and each is checked
//! inside and at both sides of every boundary (the last float a region takes and the first
//! one past it). Then the one-sided Smirnov sf and the limiting Kolmogorov sf. The numbers
//! come from tests/oracle/make_fixtures.py (scipy itself); p-values are compared relatively,
//! to their digits however small.

use std::path::PathBuf;

use steward_stats::kolmogorov::{kolmogorov_limit_sf, kolmogorov_sf, smirnov_sf};

fn fixture() -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/scipy.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cases(name: &str) -> Vec<serde_json::Value> {
    fixture()[name].as_array().unwrap().clone()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap()
}

fn n(v: &serde_json::Value) -> usize {
    v.as_u64().unwrap() as usize
}

/// Equal to 1e-9 relative. Below about 1e-314 a subnormal float holds fewer digits than
/// that, so two units of its last place (4.9e-324 each) are allowed as well.
fn close(got: f64, want: f64) -> bool {
    let ulp = f64::from_bits(1);
    got == want || (got - want).abs() <= 1e-9 * got.abs().max(want.abs()) + 2.0 * ulp
}

#[test]
fn kstwo_sf_matches_scipy_in_every_region_and_at_every_boundary() {
    let all = cases("kstwo_sf");
    assert!(all.len() >= 80);
    let mut regions: Vec<&str> = Vec::new();
    for c in &all {
        let (size, x, want) = (n(&c["n"]), f(&c["x"]), f(&c["sf"]));
        let region = c["region"].as_str().unwrap();
        let got = kolmogorov_sf(size, x);
        assert!(
            close(got, want),
            "kstwo.sf({x:e}, {size}) in region `{region}`: {got:e}, scipy {want:e}"
        );
        if !regions.contains(&region) {
            regions.push(region);
        }
    }
    // Every method scipy chooses between is reached.
    for region in [
        "nx <= 1/2",
        "1/2 < nx <= 1, product",
        "1/2 < nx <= 1, Stirling",
        "nx >= n - 1",
        "x >= 1/2, Smirnov",
        "n <= 140, Durbin",
        "n <= 140, Pomeranz",
        "n <= 140, Smirnov",
        "nx^2 >= 370",
        "nx^2 >= 2.2, Smirnov",
        "nx^2 < 2.2, Durbin",
        "nx^2 < 2.2, Pelz-Good",
    ] {
        assert!(regions.contains(&region), "no case in region `{region}`");
    }
}

#[test]
fn tiny_p_values_keep_their_digits() {
    // The smallest p-values of the fixture (down to 1e-284) are compared to 1e-9 of
    // themselves above; this checks that the fixture really reaches that far, so the
    // relative comparison is exercised where an absolute one would pass anything.
    let smallest = cases("kstwo_sf")
        .iter()
        .map(|c| f(&c["sf"]))
        .filter(|p| *p > 0.0)
        .fold(1.0f64, f64::min);
    assert!(smallest < 1e-250, "{smallest:e}");
    let p = kolmogorov_sf(10_000, 0.18);
    assert!((p / 5.886_475_179_926_818e-284 - 1.0).abs() < 1e-9, "{p:e}");
}

#[test]
fn smirnov_sf_matches_scipy() {
    for c in cases("smirnov_sf") {
        let (size, x, want) = (n(&c["n"]), f(&c["x"]), f(&c["sf"]));
        let got = smirnov_sf(size, x);
        assert!(
            close(got, want),
            "smirnov({size}, {x}): {got:e}, scipy {want:e}"
        );
    }
}

#[test]
fn the_limiting_distribution_matches_scipy() {
    for c in cases("kolmogorov_limit_sf") {
        let (z, want) = (f(&c["z"]), f(&c["sf"]));
        let got = kolmogorov_limit_sf(z);
        assert!(close(got, want), "kolmogorov({z}): {got:e}, scipy {want:e}");
    }
}

#[test]
fn past_ten_million_the_limit_stands_within_its_error_of_the_exact_sum() {
    // Past n = 10^7 the Smirnov sum (n terms) gives way to the limit: equal to scipy's limit
    // to 1e-9, and within z / sqrt(n) (relatively) of scipy's exact kstwo.sf, the size of
    // the first term the limit leaves out (about 2z / (3 sqrt n) in this tail).
    for c in cases("kstwo_sf_past_exact") {
        let (size, x) = (n(&c["n"]), f(&c["x"]));
        let (exact, limit) = (f(&c["sf"]), f(&c["limit"]));
        let got = kolmogorov_sf(size, x);
        assert!(
            close(got, limit),
            "n {size}, x {x}: {got:e}, limit {limit:e}"
        );
        let z = (size as f64).sqrt() * x;
        let bound = z / (size as f64).sqrt();
        assert!(
            (got - exact).abs() <= bound * exact,
            "n {size}, x {x}: {got:e} vs exact {exact:e}, more than {bound:e} apart"
        );
    }
}
