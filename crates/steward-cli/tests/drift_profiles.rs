//! `steward profile` and `steward drift` with profiles on either side, driven through the
//! binary: a profile compared with a profile decides as the data decides wherever its
//! bounds allow, says so where they do not (`decision_uncertain`, the `?` mark), records
//! where it came from (`source`, merged `parts`), and a damaged or forged profile is an
//! error naming the file and the field, never a panic, within a memory cap.

mod common;
use common::{drift_json_args, no_panic, prlimit_available, s, spawn, text};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn run(args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_steward"));
    c.args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("STEWARD_COLOR")
        .env_remove("STEWARD_THREADS")
        .stdin(Stdio::null());
    spawn(c, &format!("{args:?}"))
}

/// `run` under a 1 GB address-space cap when prlimit exists: a forged claim must be refused
/// before anything it claims is reserved.
fn run_capped(args: &[&str]) -> Output {
    if !prlimit_available() {
        return run(args);
    }
    let mut c = Command::new("prlimit");
    c.arg("--as=1000000000")
        .arg(env!("CARGO_BIN_EXE_steward"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("MALLOC_ARENA_MAX", "2")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("STEWARD_COLOR")
        .env_remove("STEWARD_THREADS")
        .stdin(Stdio::null());
    spawn(c, &format!("capped {args:?}"))
}

/// A small deterministic generator (xorshift64*), so the data and every score are the same
/// on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A standard normal value (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A CSV of `rows` rows: `amount` normal around `shift`, `country` of three values in the
/// same shares whatever the shift, and `user`, a text column of (nearly) distinct values.
fn data(dir: &Path, name: &str, rows: usize, shift: f64, seed: u64) -> PathBuf {
    let mut rng = Rng(seed);
    let mut csv = String::from("amount,country,user\n");
    for _ in 0..rows {
        let amount = shift + rng.normal();
        let u = rng.uniform();
        let country = if u < 0.4 {
            "NO"
        } else if u < 0.7 {
            "PE"
        } else {
            "FR"
        };
        let user = rng.next() % 1_000_000_000_000;
        csv.push_str(&format!("{amount:.6},{country},u{user}\n"));
    }
    let p = dir.join(name);
    std::fs::write(&p, csv).unwrap();
    p
}

fn profile(data: &Path, out: &Path) {
    let o = run(&["profile", s(data), "-o", s(out), "--quiet"]);
    no_panic(&o, "profile");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

fn read_json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// `steward drift` as JSON; the exit code is the caller's to check.
fn drift(reference: &Path, current: &Path, extra: &[&str]) -> (Output, Value) {
    let args = drift_json_args(reference, current, extra);
    let o = run(&args);
    no_panic(&o, &format!("{args:?}"));
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", text(&o.stderr)));
    (o, v)
}

fn column<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == name)
        .unwrap_or_else(|| panic!("no column `{name}` in {report}"))
}

/// Does `score` (computed from the rows) lie within `bounds`? The two are computed by
/// different sums, so a relative 1e-12 is allowed for their rounding.
fn within(score: f64, bounds: &Value) -> bool {
    let slack = 1e-12 * score.abs().max(1e-300);
    let low = bounds[0].as_f64().unwrap_or(f64::NEG_INFINITY);
    let high = bounds[1].as_f64().unwrap_or(f64::INFINITY);
    low - slack <= score && score <= high + slack
}

/// Every column of `summarized` against the same column of `exact` (the rows on both
/// sides): the same test; where the summary's decision is certain, the same decision; where
/// it carries bounds, the rows' score inside them. Returns how many decisions were certain.
fn agrees_with_rows(summarized: &Value, exact: &Value, what: &str) -> usize {
    let mut certain = 0;
    for c in exact["columns"].as_array().unwrap() {
        let name = c["column"].as_str().unwrap();
        let p = column(summarized, name);
        assert_eq!(p["stattest"], c["stattest"], "{what}: {name}");
        assert!(
            p["decision_uncertain"].is_boolean(),
            "{what}: {name} has no decision_uncertain: {p}"
        );
        let score = c["score"].as_f64().unwrap();
        let bounds = &p["score_bounds"];
        if bounds.is_null() {
            // Exact counts give exactly the rows' score.
            let ps = p["score"].as_f64().unwrap();
            assert!(
                (ps - score).abs() <= 1e-9 * score.abs().max(1e-12),
                "{what}: {name}: {ps} from the profile, {score} from the rows"
            );
        } else {
            assert!(
                within(score, bounds),
                "{what}: {name}: the rows' score {score} is outside {bounds}"
            );
        }
        if p["decision_uncertain"] == false {
            assert_eq!(
                p["drift_detected"], c["drift_detected"],
                "{what}: {name}: a certain decision differs from the rows'"
            );
            certain += 1;
        }
    }
    certain
}

#[test]
fn profiles_on_either_side_decide_as_the_rows_do() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = data(d, "a.csv", 3000, 0.0, 1);
    let b = data(d, "b.csv", 3000, 0.3, 2);
    let (pa, pb) = (d.join("a.json"), d.join("b.json"));
    profile(&a, &pa);
    profile(&b, &pb);

    let (o, rows) = drift(&a, &b, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(rows["dataset_drift"], true, "{rows}");
    assert_eq!(rows["dataset_drift_uncertain"], false);
    for (reference, current, what) in [
        (&pa, &pb, "profile vs profile"),
        (&pa, &b, "profile vs csv"),
        (&a, &pb, "csv vs profile"),
    ] {
        let (o, v) = drift(reference, current, &[]);
        assert_eq!(o.status.code(), Some(0), "{what}: {}", text(&o.stderr));
        assert!(v["dataset_drift_uncertain"].is_boolean(), "{what}: {v}");
        assert_eq!(v["reference_rows"], 3000);
        assert_eq!(v["current_rows"], 3000);
        assert_eq!(agrees_with_rows(&v, &rows, what), 3, "{what}: {v}");
        assert_eq!(v["dataset_drift"], rows["dataset_drift"], "{what}");
        // The numerical column of 3,000 rows is summarized: an approximate score with bounds.
        let amount = column(&v, "amount");
        assert_eq!(amount["approximate"], true, "{what}: {amount}");
        let bounds = amount["score_bounds"].as_array().unwrap();
        assert!(bounds[0].as_f64().unwrap() < bounds[1].as_f64().unwrap());

        // The exit code follows the verdict: 1 only when asked to fail on drift.
        let (o, _) = drift(reference, current, &["--fail-on-drift"]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", text(&o.stderr));
        let (o, v) = drift(
            reference,
            current,
            &["--fail-on-drift", "--columns", "country"],
        );
        assert_eq!(v["dataset_drift"], false, "{what}: {v}");
        assert_eq!(o.status.code(), Some(0), "{what}: {}", text(&o.stderr));
    }

    // A profile against the data it was made from: nothing drifts, and no decision is in
    // doubt.
    let (o, v) = drift(&pa, &a, &["--fail-on-drift"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(v["number_of_drifted_columns"], 0, "{v}");
    assert_eq!(v["dataset_drift_uncertain"], false);
}

#[test]
fn a_threshold_inside_the_bounds_is_marked_uncertain_and_never_flipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (pa, pb) = (d.join("a.json"), d.join("b.json"));
    profile(&data(d, "a.csv", 3000, 0.0, 1), &pa);
    profile(&data(d, "b.csv", 3000, 0.3, 2), &pb);

    let (_, v) = drift(&pa, &pb, &["--columns", "amount"]);
    let amount = column(&v, "amount");
    let score = amount["score"].as_f64().unwrap();
    let low = amount["score_bounds"][0].as_f64().unwrap();
    let high = amount["score_bounds"][1].as_f64().unwrap();
    assert!(low < score && score < high, "{amount}");
    // Text output without an uncertain column has no mark and no legend for one.
    let o = run(&["drift", "--reference", s(&pa), "--current", s(&pb), "-q"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !text(&o.stdout).contains("? uncertain"),
        "{}",
        text(&o.stdout)
    );

    // Thresholds just above and just below the score, both inside the bounds: the
    // decision is the summary's (not drifted, then drifted) and uncertain either way; with
    // the one column the dataset's verdict is uncertain too, and the exit code follows the
    // summary's verdict.
    for (threshold, drifted) in [((score + high) / 2.0, false), ((low + score) / 2.0, true)] {
        let t = format!("amount={threshold}");
        let (o, v) = drift(&pa, &pb, &["--columns", "amount", "--threshold", &t]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let amount = column(&v, "amount");
        assert_eq!(amount["decision_uncertain"], true, "{amount}");
        assert_eq!(amount["drift_detected"], drifted, "{amount}");
        assert_eq!(v["dataset_drift"], drifted, "{v}");
        assert_eq!(v["dataset_drift_uncertain"], true, "{v}");

        let (o, _) = drift(
            &pa,
            &pb,
            &["--columns", "amount", "--threshold", &t, "--fail-on-drift"],
        );
        assert_eq!(o.status.code(), Some(i32::from(drifted)));

        let o = run(&[
            "drift",
            "--reference",
            s(&pa),
            "--current",
            s(&pb),
            "--threshold",
            &t,
            "-q",
        ]);
        let out = text(&o.stdout);
        let row = out
            .lines()
            .find(|l| l.starts_with("amount "))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(row.trim_end().ends_with('?'), "{out}");
        for other in ["country ", "user "] {
            let row = out.lines().find(|l| l.starts_with(other)).unwrap();
            assert!(!row.trim_end().ends_with('?'), "{out}");
        }
        assert!(
            out.lines().any(|l| l.starts_with("? uncertain")),
            "no legend: {out}"
        );
    }
}

#[test]
fn a_column_past_ten_thousand_categories_is_sketched_and_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = data(d, "a.csv", 12_000, 0.0, 3);
    let b = data(d, "b.csv", 12_000, 0.0, 4);
    let (pa, pb) = (d.join("a.json"), d.join("b.json"));
    profile(&a, &pa);
    profile(&b, &pb);
    let p = read_json(&pa);
    let user = p["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "user")
        .unwrap();
    assert!(user["values"].is_null(), "{}", user["values"]);
    assert_eq!(user["frequent_items"]["total"], 12_000);
    assert!(user["frequent_items"]["maximum_error"].as_u64().unwrap() < 12);

    let (_, rows) = drift(&a, &b, &[]);
    let (o, v) = drift(&pa, &pb, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // `amount` and `country` do not move; `user` shares no value between the sides, and
    // its sketch cannot tell that from a sketch of values seen a few times each, so the
    // bound reaches 0 and the decision is uncertain.
    agrees_with_rows(&v, &rows, "sketched profiles");
    let user = column(&v, "user");
    assert_eq!(user["stattest"], "jensenshannon");
    assert_eq!(user["approximate"], true, "{user}");
    assert_eq!(user["decision_uncertain"], true, "{user}");
    assert_eq!(column(&rows, "user")["drift_detected"], true);
    assert_eq!(user["drift_detected"], true, "{user}");
    assert_eq!(v["number_of_drifted_columns"], 1, "{v}");

    let o = run(&["drift", "--reference", s(&pa), "--current", s(&pb), "-q"]);
    let out = text(&o.stdout);
    let row = out.lines().find(|l| l.starts_with("user ")).unwrap();
    assert!(row.trim_end().ends_with('?'), "{out}");
    assert!(out.lines().any(|l| l.starts_with("? uncertain")), "{out}");

    // Another test needs every value's count: the column is skipped with the reason.
    let (o, v) = drift(&pa, &b, &["--stattest", "user=psi"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let skipped = v["skipped_columns"].as_array().unwrap();
    assert_eq!(skipped.len(), 1, "{v}");
    assert_eq!(skipped[0]["column"], "user");
    assert!(
        skipped[0]["reason"]
            .as_str()
            .unwrap()
            .contains("frequent-items"),
        "{v}"
    );
}

#[test]
fn merged_profiles_record_their_parts_and_compare_as_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let parts: Vec<PathBuf> = (0..3)
        .map(|i| {
            let csv = data(d, &format!("part{i}.csv"), 1500, 0.0, 10 + i);
            let p = d.join(format!("part{i}.json"));
            profile(&csv, &p);
            p
        })
        .collect();
    let two = d.join("two.json");
    let o = run(&[
        "profile",
        "merge",
        s(&parts[0]),
        s(&parts[1]),
        "-o",
        s(&two),
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let m = read_json(&two);
    assert_eq!(m["format"], "steward-profile/v2");
    assert_eq!(m["rows"], 3000);
    let source = &m["source"];
    assert_eq!(source["format"], "merge");
    assert_eq!(source["rows"], 3000);
    assert_eq!(source["columns"], 3);
    assert_eq!(source["part_count"], 2);
    assert!(source["sha256"].is_null());
    for (i, part) in source["parts"].as_array().unwrap().iter().enumerate() {
        let own = &read_json(&parts[i])["source"];
        assert_eq!(part, own, "part {i}");
        assert_eq!(part["format"], "csv");
        assert_eq!(part["sha256"].as_str().unwrap().len(), 64);
    }

    // A merge of a merge lists the parts flat.
    let three = d.join("three.json");
    let o = run(&["profile", "merge", s(&two), s(&parts[2]), "-o", s(&three)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let m = read_json(&three);
    assert_eq!(m["source"]["part_count"], 3);
    let listed = m["source"]["parts"].as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|p| p["parts"].is_null()), "{listed:?}");
    assert_eq!(listed[2], read_json(&parts[2])["source"]);

    // The merge against new data decides as the parts' rows would.
    let whole = d.join("whole.csv");
    let mut csv = String::new();
    for i in 0..3 {
        let part = std::fs::read_to_string(d.join(format!("part{i}.csv"))).unwrap();
        let body = if i == 0 {
            &part[..]
        } else {
            part.split_once('\n').unwrap().1
        };
        csv.push_str(body);
    }
    std::fs::write(&whole, csv).unwrap();
    let current = data(d, "current.csv", 2000, 0.3, 20);
    let (_, rows) = drift(&whole, &current, &[]);
    let (o, v) = drift(&three, &current, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(v["reference_rows"], 4500);
    assert_eq!(agrees_with_rows(&v, &rows, "merged vs csv"), 3, "{v}");

    // The same part twice would count its rows twice.
    let o = run(&["profile", "merge", s(&parts[0]), s(&parts[0])]);
    no_panic(&o, "merge twice");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("part0.json"),
        "{}",
        text(&o.stderr)
    );
}

// ---- forged and damaged profiles --------------------------------------------------------

/// The base64 of `bytes` (standard alphabet, padded), as profiles store sketches.
fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn unbase64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text.bytes().filter(|c| *c != b'=').map(value).collect();
    let mut out = Vec::new();
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, d)| acc | u32::from(*d) << (18 - 6 * i));
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    out
}

#[test]
fn the_base64_helpers_round_trip_a_sketch() {
    for s in [
        "AgEHDAMIAwiIcW0E5aR0BB4BwQY=",
        "BAEKDAwAAADdCgAAAAAAAOAuAAAA",
        "",
    ] {
        assert_eq!(base64(&unbase64(s)), s);
    }
}

/// Profiles to forge from: a summarized numerical column (3,000 rows), exact categories,
/// and a frequent-items sketch (12,000 distinct users).
struct Forge {
    dir: tempfile::TempDir,
    good: Value,
    /// The good profile's text as `steward profile` wrote it.
    good_text: String,
    data: PathBuf,
}

impl Forge {
    fn new() -> Forge {
        let dir = tempfile::tempdir().unwrap();
        let csv = data(dir.path(), "d.csv", 12_000, 0.0, 5);
        let p = dir.path().join("good.json");
        profile(&csv, &p);
        let good = read_json(&p);
        Forge {
            good,
            good_text: std::fs::read_to_string(&p).unwrap(),
            data: csv,
            dir,
        }
    }

    fn column_mut<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
        v["columns"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c["name"] == name)
            .unwrap()
    }

    /// Writes the good profile changed by `edit` as `name`.
    fn write(&self, name: &str, edit: impl FnOnce(&mut Value)) -> PathBuf {
        let mut v = self.good.clone();
        edit(&mut v);
        self.write_text(name, &serde_json::to_string(&v).unwrap())
    }

    fn write_text(&self, name: &str, json: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, json).unwrap();
        p
    }

    /// The profile at `bad` is refused on either side of `drift` and by `profile merge`:
    /// exit 2, the file named, `field` (what is wrong) said, a short message, no panic.
    fn refused(&self, bad: &Path, field: &str) {
        let file = bad.file_name().unwrap().to_str().unwrap();
        let good = self.dir.path().join("good.json");
        let runs: [Vec<&str>; 3] = [
            vec!["drift", "--reference", s(bad), "--current", s(&self.data)],
            vec!["drift", "--reference", s(&self.data), "--current", s(bad)],
            vec!["profile", "merge", s(&good), s(bad)],
        ];
        for args in runs {
            let o = run_capped(&args);
            let what = format!("{file}: {args:?}");
            no_panic(&o, &what);
            let err = text(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{what}: {err}");
            assert!(err.contains(file), "{what}: the file is not named: {err}");
            assert!(err.contains(field), "{what}: `{field}` is not said: {err}");
            assert!(err.len() < 2_000, "{what}: {} bytes on stderr", err.len());
            assert!(o.stdout.is_empty(), "{what}: a report was written");
        }
    }
}

#[test]
fn forged_counts_are_refused_naming_the_field() {
    let f = Forge::new();
    let rows = f.good["rows"].as_u64().unwrap();
    assert_eq!(rows, 12_000);

    let p = f.write("rows.json", |v| {
        v["rows"] = json!(1_000_000_000_000_000_000u64);
        v["source"]["rows"] = json!(1_000_000_000_000_000_000u64);
    });
    f.refused(&p, "rows");
    let p = f.write("source-rows.json", |v| {
        v["source"]["rows"] = json!(1_000_000_000_000_000_000u64)
    });
    f.refused(&p, "source.rows");
    // 10^18 written as a float, and 2^64: neither is a 64-bit count.
    let text =
        serde_json::to_string(&f.good)
            .unwrap()
            .replacen("\"rows\":12000", "\"rows\":1e18", 1);
    f.refused(&f.write_text("float-rows.json", &text), "line 1");
    let text = serde_json::to_string(&f.good).unwrap().replacen(
        "\"rows\":12000",
        "\"rows\":18446744073709551616",
        1,
    );
    f.refused(&f.write_text("past-u64.json", &text), "2^64 - 1");

    // Quantile weights whose sum passes 2^64 - 1, and one that merely does not add up.
    let p = f.write("weights.json", |v| {
        let q = &mut Forge::column_mut(v, "amount")["numeric"]["quantiles"];
        q["weights"][0] = json!(u64::MAX);
    });
    f.refused(&p, "overflow");
    let p = f.write("weights-sum.json", |v| {
        let q = &mut Forge::column_mut(v, "amount")["numeric"]["quantiles"];
        let w = q["weights"][0].as_u64().unwrap();
        q["weights"][0] = json!(w + 1);
    });
    f.refused(&p, "weights add up to");
    let p = f.write("count.json", |v| {
        Forge::column_mut(v, "country")["count"] = json!(u64::MAX);
    });
    f.refused(&p, "country");
}

#[test]
fn forged_rank_errors_are_refused() {
    let f = Forge::new();
    for (name, e) in [("negative", json!(-0.001)), ("above-one", json!(1.5))] {
        for field in ["rank_error", "quantiles"] {
            let p = f.write(&format!("{name}-{field}.json"), |v| {
                let n = &mut Forge::column_mut(v, "amount")["numeric"];
                if field == "rank_error" {
                    n["rank_error"] = e.clone();
                } else {
                    n["quantiles"]["rank_error"] = e.clone();
                }
            });
            f.refused(&p, "rank_error is not between 0 and 1");
        }
    }
    // JSON has no NaN and no number past f64: such tokens, in a profile as Steward writes
    // it (its format first), are refused where they stand.
    let good = &f.good_text;
    let at = good.find("\"rank_error\": ").unwrap() + "\"rank_error\": ".len();
    let end = at + good[at..].find([',', '\n', '}']).unwrap();
    for (name, token) in [("nan", "NaN"), ("huge", "1e400"), ("string", "\"0.001\"")] {
        let text = format!("{}{token}{}", &good[..at], &good[end..]);
        f.refused(&f.write_text(&format!("{name}.json"), &text), "line");
    }
}

#[test]
fn forged_provenance_is_refused() {
    let f = Forge::new();
    let p = f.write("sha.json", |v| {
        v["source"]["sha256"] = json!("z".repeat(64))
    });
    f.refused(&p, "sha256");
    let p = f.write("sha-short.json", |v| {
        v["source"]["sha256"] = json!("abc123")
    });
    f.refused(&p, "sha256");
    for (i, t) in [
        "yesterday",
        "2026-13-45T99:99:99Z",
        "2026-01-31T12:00:00+02:00",
        "2026-01-31 12:00:00",
        "",
    ]
    .into_iter()
    .enumerate()
    {
        let p = f.write(&format!("created-{i}.json"), |v| {
            v["source"]["created_at"] = json!(t)
        });
        f.refused(&p, "created_at");
    }
    // A timestamp of a megabyte with terminal escapes: named, not echoed.
    let p = f.write("created-long.json", |v| {
        v["source"]["created_at"] = json!(format!("\u{1b}[2J{}", "9".repeat(1 << 20)));
    });
    f.refused(&p, "created_at");
    let p = f.write("no-source.json", |v| {
        v.as_object_mut().unwrap().remove("source");
    });
    f.refused(&p, "source");
}

#[test]
fn forged_parts_are_refused_within_the_memory_cap() {
    let f = Forge::new();
    let part = json!({
        "format": "csv", "rows": 0, "columns": 3,
        "created_at": "2026-01-31T12:00:00Z", "sha256": null
    });
    // A million parts, about 90 MB of JSON: more than a merge ever keeps.
    let million = 1_000_000;
    let p = f.write("million.json", |v| {
        v["source"]["format"] = json!("merge");
        v["source"]["sha256"] = Value::Null;
        v["source"]["part_count"] = json!(million);
        v["source"]["parts"] = Value::Array(vec![part.clone(); million]);
    });
    assert!(std::fs::metadata(&p).unwrap().len() > 50_000_000);
    f.refused(&p, "at most 10000");

    let p = f.write("more-listed.json", |v| {
        v["source"]["format"] = json!("merge");
        v["source"]["part_count"] = json!(1);
        v["source"]["parts"] = json!([part.clone(), part.clone()]);
    });
    f.refused(&p, "part_count");
    let p = f.write("nested.json", |v| {
        let mut inner = part.clone();
        inner["parts"] = json!([part.clone()]);
        inner["part_count"] = json!(1);
        v["source"]["format"] = json!("merge");
        v["source"]["part_count"] = json!(2);
        v["source"]["parts"] = json!([inner, part.clone()]);
    });
    f.refused(&p, "parts of its own");
    let p = f.write("bad-part.json", |v| {
        let mut bad = part.clone();
        bad["sha256"] = json!("not hex");
        v["source"]["format"] = json!("merge");
        v["source"]["part_count"] = json!(1);
        v["source"]["parts"] = json!([bad]);
    });
    f.refused(&p, "sha256");
}

#[test]
fn forged_frequent_items_are_refused() {
    let f = Forge::new();
    let sketch_of = |v: &mut Value| -> Vec<u8> {
        unbase64(
            Forge::column_mut(v, "user")["frequent_items"]["sketch"]
                .as_str()
                .unwrap(),
        )
    };
    let set = |v: &mut Value, bytes: &[u8]| {
        Forge::column_mut(v, "user")["frequent_items"]["sketch"] = json!(base64(bytes));
    };
    let good = sketch_of(&mut f.good.clone());
    assert!(good.len() > 64);

    let p = f.write("fi-not-base64.json", |v| {
        Forge::column_mut(v, "user")["frequent_items"]["sketch"] = json!("!!not base64!!");
    });
    f.refused(&p, "user");
    let p = f.write("fi-total.json", |v| {
        Forge::column_mut(v, "user")["frequent_items"]["total"] = json!(11_999);
    });
    f.refused(&p, "user");
    let p = f.write("fi-error.json", |v| {
        Forge::column_mut(v, "user")["frequent_items"]["maximum_error"] = json!(0);
    });
    f.refused(&p, "user");
    let p = f.write("fi-error-huge.json", |v| {
        Forge::column_mut(v, "user")["frequent_items"]["maximum_error"] = json!(u64::MAX);
    });
    f.refused(&p, "user");
    // The sketch's bytes: cut, emptied, its map size claimed at 2^30 slots, each header
    // byte set to 0xff, and a sketch claiming its count were 2^63.
    let cases: Vec<(String, Vec<u8>)> = {
        let mut c = vec![
            ("cut".to_string(), good[..good.len() / 2].to_vec()),
            ("empty".to_string(), Vec::new()),
            ("header-only".to_string(), good[..8].to_vec()),
        ];
        let mut map = good.clone();
        map[3] = 30;
        c.push(("map".to_string(), map));
        for i in 0..32 {
            let mut b = good.clone();
            b[i] = 0xff;
            c.push((format!("byte{i}"), b));
        }
        let mut n = good.clone();
        n[16..24].copy_from_slice(&(1u64 << 63).to_le_bytes());
        c.push(("count".to_string(), n));
        c
    };
    for (name, bytes) in cases {
        let p = f.write(&format!("fi-{name}.json"), |v| set(v, &bytes));
        // A byte the decoder never reads (padding, reserved flags) may leave a valid
        // sketch: such a file is compared like the good one; anything else is refused.
        let o = run_capped(&["drift", "--reference", s(&p), "--current", s(&f.data)]);
        no_panic(&o, &name);
        if o.status.code() == Some(0) {
            let good_run = run(&[
                "drift",
                "--reference",
                s(&f.dir.path().join("good.json")),
                "--current",
                s(&f.data),
            ]);
            assert_eq!(
                o.stdout, good_run.stdout,
                "{name}: accepted, but read otherwise"
            );
            continue;
        }
        f.refused(&p, "user");
    }
}

#[test]
fn forged_columns_and_kinds_are_refused() {
    let f = Forge::new();
    let p = f.write("dup.json", |v| {
        let first = v["columns"][0].clone();
        v["columns"].as_array_mut().unwrap().push(first);
    });
    f.refused(&p, "appears twice");
    let p = f.write("version.json", |v| {
        v["format"] = json!("steward-profile/v9")
    });
    f.refused(&p, "steward-profile/v9");
    let p = f.write("kind.json", |v| {
        Forge::column_mut(v, "country")["kind"] = json!("number")
    });
    f.refused(&p, "country");
}

/// `source.columns` says how many columns the profile holds (`steward profile --columns`
/// writes the kept count), so a profile whose list disagrees with it has lost or gained
/// columns since it was written.
#[test]
fn a_source_column_count_that_disagrees_with_the_columns_is_refused() {
    let f = Forge::new();
    for (name, n) in [("cols-many.json", 999_999u64), ("cols-none.json", 0)] {
        let p = f.write(name, |v| v["source"]["columns"] = json!(n));
        f.refused(&p, "source.columns");
    }
}
