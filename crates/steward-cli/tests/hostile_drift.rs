//! `steward drift` and `steward profile` against hostile and careless input, found by a
//! hostile-testing pass after the statistics were hardened: profiles whose counts are large
//! but legal (10^6 .. 2^64 - 1 rows), profiles whose fields disagree with each other, and
//! per-column flags a careless user gets wrong. Each test is a class; the expected values
//! come from scipy (computed exactly where f64 cannot) and are stated next to them.
//!
//! Each test failed before its class was fixed; the comments say what Steward did then.

mod common;
use common::{drift_json_args, finish, no_panic, s, spawn, text, write};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn command(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

fn run(args: &[&str]) -> Output {
    let mut c = command(env!("CARGO_BIN_EXE_steward"));
    c.args(args);
    spawn(c, &format!("{args:?}"))
}

/// The first `"key": value` of a JSON report (the tests below compare one column).
fn field(json: &str, key: &str) -> String {
    let pat = format!("\"{key}\": ");
    let at = json
        .find(&pat)
        .unwrap_or_else(|| panic!("no `{key}` in {json}"))
        + pat.len();
    json[at..]
        .split([',', '\n', '}'])
        .next()
        .unwrap()
        .trim()
        .to_string()
}

fn number(json: &str, key: &str) -> f64 {
    let v = field(json, key);
    v.parse()
        .unwrap_or_else(|_| panic!("`{key}` is `{v}`, not a number"))
}

/// Drift of one column as JSON; exit 0 required.
fn drift_json(reference: &Path, current: &Path, extra: &[&str]) -> String {
    let args = drift_json_args(reference, current, extra);
    let o = run(&args);
    no_panic(&o, &format!("{args:?}"));
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
    text(&o.stdout)
}

/// A sketch of 21 distinct values, as `steward profile` writes it (HLL8, lg_k 12).
const SKETCH21: &str = "AwEHDAUIAAkVAAAA4LmBB+IwPgwj8kQJUQYhFeWJpBmn3GEEi7fLDgobbwjL18IEjpTfBU+98wRIGP0NpSFjBY5ElQoLpZ0PVVwnCFenTAi+OzgEWacYDCjqoAc+C7UE";

/// One numerical column of a profile: the values 0, 1, ..., 20, each `k` times, with exact
/// counts (as `steward profile` writes a column of few distinct values), its exact moments
/// and `values`. `edit` may change the column's fields before they are written.
fn column_21(name: &str, k: u64, edit: impl Fn(&mut Column21)) -> String {
    let vals: Vec<f64> = (0..21).map(f64::from).collect();
    let n = 21 * k;
    let kf = k as f64;
    let mean = vals.iter().map(|v| v * kf).sum::<f64>() / n as f64;
    let m2: f64 = vals.iter().map(|v| kf * (v - mean) * (v - mean)).sum();
    let mut c = Column21 {
        min: 0.0,
        max: 20.0,
        mean,
        m2,
        std: (m2 / n as f64).sqrt(),
        value_keys: vals.iter().map(|v| format!("{v:?}")).collect(),
    };
    edit(&mut c);
    let list = |xs: Vec<String>| xs.join(", ");
    format!(
        r#"{{"name": "{name}", "kind": "number", "integer": false, "count": {n}, "missing": 0,
 "numeric": {{"min": {:?}, "max": {:?}, "mean": {:?}, "m2": {:?}, "std": {:?},
   "quantiles": {{"values": [{}], "weights": [{}], "rank_error": 0.0}}, "rank_error": 0.0,
   "histogram": {{"edges": [0.0, 20.0], "counts": [{:?}]}}}},
 "values": {{{}}},
 "distinct_estimate": 21.0, "distinct_sketch": "{SKETCH21}"}}"#,
        c.min,
        c.max,
        c.mean,
        c.m2,
        c.std,
        list(vals.iter().map(|v| format!("{v:?}")).collect()),
        list(vec![k.to_string(); 21]),
        n as f64,
        list(
            c.value_keys
                .iter()
                .map(|key| format!("\"{key}\": {k}"))
                .collect()
        ),
    )
}

struct Column21 {
    min: f64,
    max: f64,
    mean: f64,
    m2: f64,
    std: f64,
    value_keys: Vec<String>,
}

fn profile_of(rows: u64, columns: &[String]) -> String {
    format!(
        "{{\"format\": \"steward-profile/v1\", \"rows\": {rows}, \"columns\": [{}]}}",
        columns.join(",\n")
    )
}

/// 294 current values: 0.6, 1.6, ..., 20.6, fourteen times (the reference shifted by 0.6).
fn current_21(dir: &Path, columns: &[&str]) -> PathBuf {
    let mut csv = columns.join(",") + "\n";
    for i in 0..294 {
        let v = format!("{}", f64::from(i % 21) + 0.6);
        csv.push_str(&vec![v; columns.len()].join(","));
        csv.push('\n');
    }
    write(dir, "current.csv", &csv)
}

// ---- profiles with large counts: the tests must not lose precision or overflow ----------

/// `scipy.stats.ttest_ind` of 0..20 (each k times) against `current_21`: t = -1.6989836534,
/// and with k = 10^14 or more the degrees of freedom are past 10^15, where the t
/// distribution is the normal one: p = 2 * norm.sf(1.6989836534) = 0.0893222637 (scipy's
/// `t.sf(1.6989836534, 2.1e15) * 2` agrees). Steward gave p = 0.0469 at k = 10^14 (drift)
/// and p = 0 at k = 5 * 10^15: the incomplete beta function breaks down for huge degrees
/// of freedom.
#[test]
fn t_test_against_a_profile_of_huge_counts_keeps_scipys_p_value() {
    let dir = tempfile::tempdir().unwrap();
    let current = current_21(dir.path(), &["x"]);
    for k in [100_000_000_000_000u64, 5_000_000_000_000_000] {
        let p = write(
            dir.path(),
            &format!("t{k}.json"),
            &profile_of(21 * k, &[column_21("x", k, |_| {})]),
        );
        let json = drift_json(&p, &current, &["--stattest", "t_test"]);
        let score = number(&json, "score");
        assert!(
            (score - 0.089_322_263_6).abs() < 1e-4,
            "k = {k}: t_test p-value {score}, scipy gives 0.0893222637\n{json}"
        );
        assert_eq!(field(&json, "drift_detected"), "false", "k = {k}: {json}");
    }
}

/// `scipy.stats.mannwhitneyu(reference, current, alternative="less")` with the reference
/// 0..20 each k times: U1 = 2940 k exactly (2.94e17 for k = 10^14, 2.94e19 for 10^16,
/// 2.94e20 for 10^17) and p = 0.0784141484631 for every k from 10^14 up (computed with exact
/// integer rank sums and tie term; scipy itself gives 0.0798756067 at k = 1000). Steward
/// gave 0.0726 at 10^14, 0.00103 (drift) at 10^16, and a negative U with p = 0 at 10^17:
/// the rank sums lose precision and then overflow.
#[test]
fn mann_whitney_against_a_profile_of_huge_counts_keeps_its_p_value() {
    let dir = tempfile::tempdir().unwrap();
    let current = current_21(dir.path(), &["x"]);
    for k in [
        100_000_000_000_000u64,
        10_000_000_000_000_000,
        100_000_000_000_000_000,
    ] {
        let p = write(
            dir.path(),
            &format!("m{k}.json"),
            &profile_of(21 * k, &[column_21("x", k, |_| {})]),
        );
        let json = drift_json(&p, &current, &["--stattest", "mannw"]);
        let u = number(&json, "statistic");
        let max_u = (21 * k) as f64 * 294.0;
        assert!(
            (0.0..=max_u).contains(&u),
            "k = {k}: U = {u} outside [0, n1 n2 = {max_u}]\n{json}"
        );
        assert!(
            (u / (2940.0 * k as f64) - 1.0).abs() < 1e-6,
            "k = {k}: U = {u}, exactly {} expected",
            2940.0 * k as f64
        );
        let score = number(&json, "score");
        assert!(
            (score - 0.078_414_148_463).abs() < 1e-4,
            "k = {k}: mannw p-value {score}, the exact value is 0.0784141485\n{json}"
        );
        assert_eq!(field(&json, "drift_detected"), "false", "k = {k}: {json}");
    }
}

/// The Cramer-von Mises test against a profile of 200,000 rows: the quantile summary's
/// 1,024 points, each standing for about 195 rows, are ranked as 195 tied rows each, and the
/// ties inflate the statistic by about n^2 / (12 * 1024^2 * m). With the rows, steward and
/// scipy give T = 0.0308, p = 0.975 (no drift); with the profile of the same rows steward
/// gave T = 31.8, p = 1.6e-8 (drift). A profile of 10^6 real rows against 300 gives T = 265
/// for scipy's 0.65 (p 6e-8 for 0.0165); past 10^9 rows p goes to 1 whatever the data.
#[test]
fn cramer_von_mises_against_a_profile_agrees_with_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let n: u64 = 200_000;
    let mut csv = String::from("x\n");
    for i in 0..n {
        csv.push_str(&format!("{}\n", ((i * 7919) % n) as f64 / n as f64));
    }
    let rows = write(dir.path(), "ref.csv", &csv);
    let mut cur = String::from("x\n");
    for i in 0..100u64 {
        cur.push_str(&format!(
            "{}\n",
            (((i * 37) % 100) as f64 + 0.5) / 100.0 * 0.97
        ));
    }
    let current = write(dir.path(), "cur.csv", &cur);
    let profile = dir.path().join("ref.json");
    let o = run(&["profile", s(&rows), "-o", s(&profile), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let by_rows = drift_json(&rows, &current, &["--stattest", "cramer_von_mises"]);
    let by_profile = drift_json(&profile, &current, &["--stattest", "cramer_von_mises"]);
    let (pr, pp) = (number(&by_rows, "score"), number(&by_profile, "score"));
    assert!(
        (pr - 0.975_18).abs() < 1e-3,
        "rows: p = {pr} (scipy 0.97518)"
    );
    assert!(
        (pp - pr).abs() < 0.05,
        "profile of the same rows: p = {pp}, rows: p = {pr}\n{by_profile}"
    );
    assert_eq!(
        field(&by_profile, "drift_detected"),
        field(&by_rows, "drift_detected"),
        "{by_profile}"
    );
}

/// `anderson` against a profile builds a vector of every row the profile claims (8 bytes x
/// count, `ratios` in anderson_ksamp) for its normalizing sums, so three columns of
/// 99,999,000 rows, each 2 KB in the profile, need 2.4 GB: under a 1 GiB cap steward aborts
/// with "memory allocation of 799994384 bytes failed" (exit 134). The sums have a closed
/// form or can be accumulated without storing them.
#[test]
fn anderson_against_a_large_profile_does_not_allocate_per_claimed_row() {
    if !Command::new("prlimit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("prlimit is not installed; skipping the memory cap");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let k = 4_761_857u64; // 21 k = 99,999,000: under anderson's 10^8-row limit with 294 more
    let cols: Vec<String> = ["x", "y", "z"]
        .iter()
        .map(|c| column_21(c, k, |_| {}))
        .collect();
    let p = write(dir.path(), "big.json", &profile_of(21 * k, &cols));
    let current = current_21(dir.path(), &["x", "y", "z"]);
    let child = command("prlimit")
        .arg(format!("--as={}", 1u64 << 30))
        .arg(env!("CARGO_BIN_EXE_steward"))
        .args([
            "drift",
            "--reference",
            s(&p),
            "--current",
            s(&current),
            "--stattest",
            "anderson",
            "--format",
            "json",
            "--quiet",
        ])
        .env("MALLOC_ARENA_MAX", "2")
        .spawn()
        .unwrap();
    let o = finish(child, "anderson under a 1 GiB cap");
    no_panic(&o, "anderson against 3 x 99,999,000 claimed rows");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

// ---- profiles whose fields disagree ---------------------------------------------------------

/// Fields of a profile that `steward profile` always writes consistently, and that the
/// validation (which checks the quantile summary against [min, max], weights against counts
/// and `count + missing` against `rows`) does not compare:
/// - exact `values` outside [min, max]: min 0, max 20 and an exact value 1e300 is compared
///   (wasserstein 2e299, drift);
/// - `mean` outside [min, max] (1e300, or -5 for values in [0, 20]): drives the t-test;
/// - `rows` far above every column's `count + missing` (10^18 rows for 2,100 values and
///   nothing missing): reported as "reference 1000000000000000000 rows";
/// - a boolean column whose `values` hold `maybe`: compared as a third category.
///
/// Each is exit 2 naming the field, as the other cross-field checks are.
#[test]
fn profile_fields_that_disagree_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let current = current_21(dir.path(), &["x"]);
    let k = 100;
    let boolean = format!(
        r#"{{"name": "x", "kind": "boolean", "integer": false, "count": {n}, "missing": 0,
 "values": {{"true": 1000, "false": 1000, "maybe": {rest}}},
 "distinct_estimate": 3.0, "distinct_sketch": "{SKETCH21}"}}"#,
        n = 21 * k,
        rest = 21 * k - 2000
    );
    let booleans = write(
        dir.path(),
        "booleans.csv",
        &("x
"
        .to_string()
            + &"true
false
"
            .repeat(50)),
    );
    let cases = [
        (
            "values_outside",
            profile_of(
                21 * k,
                &[column_21("x", k, |c| c.value_keys[20] = "1e300".into())],
            ),
            &current,
            "t_test",
        ),
        (
            "mean_outside",
            profile_of(21 * k, &[column_21("x", k, |c| c.mean = 1e300)]),
            &current,
            "t_test",
        ),
        (
            "mean_below",
            profile_of(21 * k, &[column_21("x", k, |c| c.mean = -5.0)]),
            &current,
            "t_test",
        ),
        (
            "rows_beyond_counts",
            profile_of(1_000_000_000_000_000_000, &[column_21("x", k, |_| {})]),
            &current,
            "t_test",
        ),
        (
            "boolean_maybe",
            profile_of(21 * k, &[boolean]),
            &booleans,
            "jensenshannon",
        ),
    ];
    let mut accepted = Vec::new();
    for (name, profile, current, test) in cases {
        let p = write(dir.path(), &format!("{name}.json"), &profile);
        let o = run(&[
            "drift",
            "--reference",
            s(&p),
            "--current",
            s(current),
            "--stattest",
            test,
            "--format",
            "json",
            "--quiet",
        ]);
        no_panic(&o, name);
        if o.status.code() != Some(2) {
            accepted.push(name);
        }
    }
    assert!(
        accepted.is_empty(),
        "profiles whose fields disagree were compared: {accepted:?}"
    );
}

/// Column names reach the html report through `steward_html::escape`, which escapes markup
/// but not control characters: `drift --format html` to a terminal replays an ESC sequence
/// from a CSV header (`c<ESC>[2J` clears the screen), and U+0007 / U+001B are not allowed in
/// the SVG `<title>` at all. The text report already writes `c\u{1b}[2J`.
#[test]
fn html_report_escapes_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "x,\"c\u{1b}[2J\u{7}\"\n1,a\n2,b\n3,a\n4,b\n";
    let r = write(dir.path(), "r.csv", csv);
    let c = write(dir.path(), "c.csv", csv);
    let o = run(&[
        "drift",
        "--reference",
        s(&r),
        "--current",
        s(&c),
        "--format",
        "html",
        "--quiet",
    ]);
    no_panic(&o, "html with ESC in a column name");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let page = text(&o.stdout);
    assert!(
        page.contains("<html") || page.contains("<!DOCTYPE"),
        "{page}"
    );
    let raw: Vec<char> = page
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        .collect();
    assert!(
        raw.is_empty(),
        "control characters reach the html report raw: {raw:?}"
    );
}

// ---- flags a careless user gets wrong ------------------------------------------------------

const SMALL_REF: &str = "x,c\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n7,a\n";
const SMALL_CUR: &str = "x,c\n2,a\n3,b\n4,a\n5,b\n6,a\n7,b\n9,a\n";

/// `--columns nope`, `--threshold nope=0.5`, `--stattest nope=psi` are errors, but
/// `--exclude nope` is silently accepted, by `drift` and by `profile`: a typo in the column
/// to leave out compares (or profiles) the column after all, and can fail a
/// `--fail-on-drift` gate.
#[test]
fn exclude_naming_a_missing_column_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = write(dir.path(), "r.csv", SMALL_REF);
    let c = write(dir.path(), "c.csv", SMALL_CUR);
    let out = dir.path().join("p.json");
    for args in [
        vec![
            "drift",
            "--reference",
            s(&r),
            "--current",
            s(&c),
            "--exclude",
            "nope",
            "--quiet",
        ],
        vec![
            "profile",
            s(&r),
            "--exclude",
            "nope",
            "-o",
            s(&out),
            "--quiet",
        ],
    ] {
        let o = run(&args);
        no_panic(&o, &format!("{args:?}"));
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: accepted: {}",
            text(&o.stdout)
        );
        assert!(text(&o.stderr).contains("nope"), "{}", text(&o.stderr));
    }
}

/// The same column given two different thresholds or tests: the last one silently wins
/// (`--threshold x=0.5 --threshold x=0.01` uses 0.01; `--stattest x=ks --stattest x=psi`
/// runs psi). A contradiction on the command line is exit 2, like `--numerical x
/// --categorical x` already is.
#[test]
fn per_column_option_given_twice_with_different_values_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = write(dir.path(), "r.csv", SMALL_REF);
    let c = write(dir.path(), "c.csv", SMALL_CUR);
    for flags in [
        ["--threshold", "x=0.5", "--threshold", "x=0.01"],
        ["--stattest", "x=ks", "--stattest", "x=psi"],
        ["--threshold", "0.5", "--threshold", "0.01"],
    ] {
        let mut args = vec!["drift", "--reference", s(&r), "--current", s(&c), "--quiet"];
        args.extend_from_slice(&flags);
        let o = run(&args);
        no_panic(&o, &format!("{flags:?}"));
        assert_eq!(
            o.status.code(),
            Some(2),
            "{flags:?}: accepted: {}",
            text(&o.stdout)
        );
    }
}

/// `steward profile merge p.json p.json` doubles every count: the result claims twice the
/// rows of the data it describes. The same file named twice is a mistake (as `check`
/// deduplicates the same manifest named twice, and `-o` refuses an input): exit 2.
#[test]
fn profile_merge_of_the_same_file_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "r.csv", SMALL_REF);
    let p = dir.path().join("p.json");
    let o = run(&["profile", s(&data), "-o", s(&p), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let merged = dir.path().join("m.json");
    let o = run(&[
        "profile",
        "merge",
        s(&p),
        s(&p),
        "-o",
        s(&merged),
        "--quiet",
    ]);
    no_panic(&o, "merge p p");
    assert_eq!(
        o.status.code(),
        Some(2),
        "the same profile merged with itself: {}",
        std::fs::read_to_string(&merged).unwrap_or_default()
    );
}

// ---- values near the limits of f64 ----------------------------------------------------------

/// Reference ±1.7e308 (15 each), current ±1.7e308 and 0 (10 each). The true normalized
/// Wasserstein distance is 5.67e307 / 1.7e308 = 1/3 (drift); numpy's std overflows, so
/// Evidently gives NaN (no drift). Steward's std is NaN too (written null), `max(NaN,
/// 0.001)` picks 0.001, and the score comes out as a finite 0.0 with no `score_reason`: a
/// confident "no drift" number that neither scipy nor the data supports. Expected: null
/// with a reason (as Evidently's NaN), or 1/3.
///
/// Reference 1.7e308 - i·1e300 against its negation (30 each): the energy distance
/// overflows to +inf; steward writes `score: null` with the reason "a 0/0 in its formula"
/// (it is not a 0/0) and `drift_detected: true`, while docs/drift.md says a null score
/// "never counts as drifted" (Evidently gives inf, drifted: the doc or the code must give).
#[test]
fn scores_near_the_f64_limits_are_numbers_or_explained() {
    let dir = tempfile::tempdir().unwrap();
    let r = write(
        dir.path(),
        "r.csv",
        &("x\n".to_string() + &"1.7e308\n-1.7e308\n".repeat(15)),
    );
    let c = write(
        dir.path(),
        "c.csv",
        &("x\n".to_string() + &"1.7e308\n-1.7e308\n0\n".repeat(10)),
    );
    let json = drift_json(&r, &c, &["--stattest", "wasserstein"]);
    let score = field(&json, "score");
    if score == "null" {
        assert!(json.contains("\"score_reason\""), "{json}");
    } else {
        let v: f64 = score.parse().unwrap();
        assert!(
            (v - 1.0 / 3.0).abs() < 1e-9,
            "wasserstein {v}: the data gives 1/3, Evidently NaN\n{json}"
        );
    }

    // The t-test against 1.7e308, 1.6e308, 0: numpy's variance overflows (scipy gives NaN),
    // and an infinite variance would give t = 0, p = 1, a confident "no drift". The data's t
    // (as scipy computes it on the values divided by 1.7e308) has p = 0.0024501583.
    let high = write(
        dir.path(),
        "high.csv",
        &("x\n".to_string() + &"1.7e308\n1.6e308\n0\n".repeat(10)),
    );
    let json = drift_json(&r, &high, &["--stattest", "t_test"]);
    let score = field(&json, "score");
    if score == "null" {
        assert!(json.contains("\"score_reason\""), "{json}");
    } else {
        let v: f64 = score.parse().unwrap();
        assert!(
            (v / 0.002_450_158_298_965_18 - 1.0).abs() < 1e-9,
            "t_test {v}\n{json}"
        );
    }

    let mut up = String::from("x\n");
    let mut down = String::from("x\n");
    for i in 0..30 {
        up.push_str(&format!("{:e}\n", 1.7e308 - f64::from(i) * 1e300));
        down.push_str(&format!("{:e}\n", -1.7e308 + f64::from(i) * 1e300));
    }
    let r = write(dir.path(), "up.csv", &up);
    let c = write(dir.path(), "down.csv", &down);
    let json = drift_json(&r, &c, &["--stattest", "energy_distance"]);
    if field(&json, "score") == "null" {
        assert_eq!(
            field(&json, "drift_detected"),
            "false",
            "a null score counted as drifted (docs/drift.md: never)\n{json}"
        );
        assert!(
            !field(&json, "score_reason").contains("0/0"),
            "an infinite distance explained as a 0/0\n{json}"
        );
    }
}

// ---- time that grows faster than the input ---------------------------------------------------

/// `profile merge` pairs columns by a linear search per column (`Profile::merge`: `find`
/// and `any` over the other profile's columns), so time grows with the square of the
/// columns: two copies of a 14.7 MB profile of 100,000 one-value text columns took 79 s
/// (20,000 columns: 1.3 s). Columns are paired by name through a map, and a profile holds at
/// most `MAX_COLUMNS` columns, so a merge is a matter of seconds.
#[test]
fn profile_merge_of_many_columns_is_not_quadratic() {
    let dir = tempfile::tempdir().unwrap();
    // The most a profile may hold; a wider one is refused at once (below).
    let n = steward_stats::profile::MAX_COLUMNS;
    let mut json = String::from("{\"format\": \"steward-profile/v1\", \"rows\": 1, \"columns\": [");
    for i in 0..n {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&format!(
            "{{\"name\": \"c{i}\", \"kind\": \"text\", \"count\": 1, \"missing\": 0, \"values\": {{\"a\": 1}}, \"distinct_estimate\": 1.0, \"distinct_sketch\": \"AgEHDAMIAghFFQIFX2enBA==\"}}"
        ));
    }
    json.push_str("]}");
    let a = write(dir.path(), "a.json", &json);
    let b = write(dir.path(), "b.json", &json);
    let merged = dir.path().join("m.json");
    let start = Instant::now();
    let o = run(&[
        "profile",
        "merge",
        s(&a),
        s(&b),
        "-o",
        s(&merged),
        "--quiet",
    ]);
    no_panic(&o, "merge of the most columns a profile holds");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "merging two profiles of {n} columns took {:?}",
        start.elapsed()
    );
    // One column more than a profile may hold: refused while reading, before any merge.
    let wider = json.replacen("\"columns\": [", "\"columns\": [{\"name\": \"extra\", \"kind\": \"text\", \"count\": 1, \"missing\": 0, \"values\": {\"a\": 1}, \"distinct_estimate\": 1.0, \"distinct_sketch\": \"AgEHDAMIAghFFQIFX2enBA==\"},", 1);
    let c = write(dir.path(), "c.json", &wider);
    let start = Instant::now();
    let o = run(&[
        "profile",
        "merge",
        s(&c),
        s(&b),
        "-o",
        s(&merged),
        "--quiet",
    ]);
    no_panic(&o, "merge of a profile of too many columns");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("a profile holds at most"),
        "{}",
        text(&o.stderr)
    );
    assert!(start.elapsed() < Duration::from_secs(10));
}

// ---- smaller mistakes of the same kinds ------------------------------------------------------

/// A profile saved with a UTF-8 byte order mark is still a profile (it was taken for JSON
/// Lines and refused with a misleading error); a number column with no values is skipped
/// as such (the reason said it kept "only the 100 most frequent values"); `--columns x
/// --exclude x` says the column is excluded (it said "no such column"); `--threshold x=-0`
/// is written as 0.0, not -0.0; the same test given twice for a column is no contradiction.
#[test]
fn smaller_mistakes_get_plain_answers() {
    let dir = tempfile::tempdir().unwrap();
    let current = current_21(dir.path(), &["x"]);
    let profile = profile_of(2100, &[column_21("x", 100, |_| {})]);
    let bom = write(dir.path(), "bom.json", &format!("\u{feff}{profile}"));
    let json = drift_json(&bom, &current, &["--stattest", "ks"]);
    assert!(json.contains("\"column\": \"x\""), "{json}");

    let empty = profile_of(
        5,
        &[
            column_21("x", 100, |_| {}),
            r#"{"name": "e", "kind": "number", "integer": false, "count": 0, "missing": 2105,
               "distinct_estimate": 0.0, "distinct_sketch": "AgEHDAMMAAg="}"#
                .to_string(),
        ],
    )
    .replace("\"rows\": 5", "\"rows\": 2105")
    .replace("\"missing\": 0,", "\"missing\": 5,");
    let p = write(dir.path(), "empty.json", &empty);
    let cur = write(
        dir.path(),
        "cur2.csv",
        &("x,e\n".to_string() + &"1.5,2\n3.5,4\n".repeat(20)),
    );
    let o = run(&[
        "drift",
        "--reference",
        s(&p),
        "--current",
        s(&cur),
        "--format",
        "json",
    ]);
    no_panic(&o, "a number column with no values");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let all = text(&o.stdout) + &text(&o.stderr);
    assert!(!all.contains("most frequent"), "{all}");
    assert!(all.contains("no values of this column"), "{all}");

    let r = write(dir.path(), "r.csv", SMALL_REF);
    let c = write(dir.path(), "c.csv", SMALL_CUR);
    let o = run(&[
        "drift",
        "--reference",
        s(&r),
        "--current",
        s(&c),
        "--columns",
        "x",
        "--exclude",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--exclude"), "{}", text(&o.stderr));

    let json = drift_json(&r, &c, &["--threshold", "x=-0", "--columns", "x"]);
    assert_eq!(field(&json, "threshold"), "0.0", "{json}");
    drift_json(&r, &c, &["--stattest", "x=psi", "--stattest", "x=psi"]);
}

/// Cramer-von Mises on a summarized column with many ties: scipy's midranks move the
/// statistic by about t^2 / (12 m) for values repeated t times, which a summary cannot know,
/// so the column is skipped with the reason rather than given a confident p-value (the rows
/// give p = 3e-8 here, the summary computed as untied rows 0.62).
#[test]
fn cramer_von_mises_against_a_summary_of_tied_values_is_skipped_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x\n");
    for i in 0..20_000u64 {
        csv.push_str(&format!("{}\n", (i * 7919) % 200));
    }
    let rows = write(dir.path(), "ref.csv", &csv);
    let current = current_21(dir.path(), &["x"]);
    let profile = dir.path().join("ref.json");
    let o = run(&["profile", s(&rows), "-o", s(&profile), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&[
        "drift",
        "--reference",
        s(&profile),
        "--current",
        s(&current),
        "--stattest",
        "cramer_von_mises",
        "--format",
        "json",
    ]);
    no_panic(&o, "cramer_von_mises on tied summary");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("multiplicities"),
        "{}",
        text(&o.stderr)
    );
}

/// A profile of more columns than a profile may hold is refused before it is built, never
/// written too large to be read back (or built in memory a report cannot afford).
#[test]
fn a_profile_of_too_many_columns_is_refused_before_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let n = steward_stats::profile::MAX_COLUMNS + 1;
    let header: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    let row: Vec<&str> = vec!["1"; n];
    let data = write(
        dir.path(),
        "wide.csv",
        &format!(
            "{}\n{}\n{}\n",
            header.join(","),
            row.join(","),
            row.join(",")
        ),
    );
    let out = dir.path().join("p.json");
    let o = run(&["profile", s(&data), "-o", s(&out)]);
    no_panic(&o, "profile of too many columns");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("a profile holds at most"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}

/// A column whose every cell is empty or non-finite (`inf`, `nan`) has no values to test.
/// `profile` left it out of the profile without a word, and `drift` named it by Arrow's
/// type (`(Null)`) with the file name unescaped: an ESC in the file name reached the
/// terminal. Both now say the column holds no values, with the path escaped.
#[test]
fn a_column_without_values_is_named_and_the_path_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let data = "a,b\n".to_string() + &"inf,1\nnan,2\n,3\n".repeat(5);
    let hostile = write(dir.path(), "e\u{1b}[2Jx.csv", &data);
    let out = dir.path().join("p.json");
    for args in [
        vec![
            "drift",
            "--reference",
            s(&hostile),
            "--current",
            s(&hostile),
        ],
        vec!["profile", s(&hostile), "-o", s(&out)],
    ] {
        let o = run(&args);
        no_panic(&o, &format!("{args:?}"));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(
            err.contains("column `a` holds no values") && err.contains("e\\u{1b}[2Jx.csv"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains('\u{1b}') && !err.contains("Null"),
            "{args:?}: {err}"
        );
        let quiet = run(&[args.as_slice(), &["--quiet"]].concat());
        assert!(
            quiet.stderr.is_empty(),
            "{args:?} --quiet: {}",
            text(&quiet.stderr)
        );
    }
}

/// Values near the limits of f64 (1e300 and -1e300) overflow a profile's sum of squares,
/// and a profile that could not be read back is not written: that refusal is exit 2 and
/// must name the data file it was made from (it named nothing).
#[test]
fn a_profile_that_would_overflow_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = write(dir.path(), "huge.csv", "a\n1e300\n-1e300\n5\n");
    let o = run(&["profile", s(&data), "--quiet"]);
    no_panic(&o, "profile huge.csv");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.contains("huge.csv: cannot write a readable profile") && err.contains("`a`"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

/// A column name longer than 65,535 characters (or one whose escaped form is: 70,000
/// control characters) overflowed the text table's padding: `drift` panicked, exit 101.
/// The table now shows 200 characters of a name, escaped, with its size said.
#[test]
fn a_column_name_of_megabytes_does_not_break_the_text_table() {
    let dir = tempfile::tempdir().unwrap();
    let long = write(
        dir.path(),
        "long.csv",
        &format!("{},b\n1,2\n3,4\n", "a".repeat(100_000)),
    );
    let ctrl = write(
        dir.path(),
        "ctrl.csv",
        &format!("{},b\n1,2\n3,4\n", "\u{1}".repeat(70_000)),
    );
    for f in [&long, &ctrl] {
        let o = run(&["drift", "--reference", s(f), "--current", s(f)]);
        no_panic(&o, &f.display().to_string());
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        assert!(out.contains("bytes in all)"), "{out}");
        assert!(out.len() < 10_000, "{} bytes of report", out.len());
        assert!(!out.contains('\u{1}'));
    }
}

/// A column present on both sides but without a single value on one (every cell empty or
/// `inf`) was reported as skipped "only in the reference data", which sends the user looking
/// for a missing column. The reason now says which side has no values.
#[test]
fn a_column_without_values_on_one_side_says_so_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let numbers: String = (1..=30).map(|i| format!("{i},{i}\n")).collect();
    let reference = write(dir.path(), "r.csv", &format!("a,b\n{numbers}"));
    let empty: String = (1..=30).map(|i| format!("inf,{i}\n")).collect();
    let current = write(dir.path(), "c.csv", &format!("a,b\n{empty}"));
    let json = drift_json(&reference, &current, &[]);
    assert!(
        json.contains("no values in the current data") && !json.contains("only in the"),
        "{json}"
    );
    let json = drift_json(&current, &reference, &[]);
    assert!(json.contains("no values in the reference data"), "{json}");
}
