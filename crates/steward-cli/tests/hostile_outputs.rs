//! Failures found by probing `cost`, `metric`, `init` and the output edges (`-o`, stdout,
//! stderr) as an attacker and a careless user would. Each test is one class of failure,
//! fixed at its cause; the test keeps it fixed.
//! Nothing here may hang: every run has a deadline and is killed past it.

mod common;
use common::*;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// One metric, launched 2026-12-01: the baseline window is November 2026, the current one
/// December 2026.
fn metric_manifest(aggregate: &str, direction: &str) -> String {
    format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: edge\nspec:\n  lifecycle: production\n  milestones:\n    production_launch: 2026-12-01\n  success_metrics:\n    - name: m1\n      unit: minutes\n      aggregate: {aggregate}\n      direction: {direction}\n      target_change: \"25%\"\n      within_days: 30\n      baseline_days: 30\n"
    )
}

/// CSV rows: `before` for twelve days of November, `after` for twelve days of December.
fn rows(before: &str, after: &str) -> String {
    let mut o = String::new();
    for d in 1..=12 {
        o.push_str(&format!("2026-11-{:02}T12:00:00Z,{before}\n", d + 10));
    }
    for d in 1..=12 {
        o.push_str(&format!("2026-12-{:02}T12:00:00Z,{after}\n", d + 1));
    }
    o
}

fn metric_json(o: &Output) -> serde_json::Value {
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("metric --format json is JSON")
}

/// Characters that must never reach a terminal raw: C0 and C1 controls (except newline
/// and tab), the bidirectional controls including the Arabic letter mark, zero-width marks,
/// the byte order mark, and the line and paragraph separators.
fn unsafe_chars(out: &str) -> Vec<char> {
    out.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(
                    c,
                    '\u{061C}'
                        | '\u{200B}'..='\u{200F}'
                        | '\u{2028}'..='\u{202E}'
                        | '\u{2060}'..='\u{2069}'
                        | '\u{FEFF}'
                )
        })
        .collect()
}

// ---- cost: figures that are finite but absurd -----------------------------------------------

/// A `poc_cost` of 1e-300 is accepted (it is from 0 to 1e15), and the integration ratio is
/// then 3.4e305: finite, so the text prints it in full, 306 digits followed by "x the POC".
/// Likewise the maintenance share of an implementation total of 1e-300. The text says "far
/// more than" only when the ratio overflows to infinity.
#[test]
fn cost_a_huge_ratio_is_not_written_as_hundreds_of_digits() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(root().join(PAYMENTS)).unwrap();
    let tiny_poc = write(
        dir.path(),
        "poc.yaml",
        &yaml.replace("poc_cost: 80000", "poc_cost: 1e-300"),
    );
    let tiny_impl = write(
        dir.path(),
        "impl.yaml",
        &yaml
            .replace("ai_component: 150000", "ai_component: 1e-300")
            .replace("data_preparation: 60000", "data_preparation: 0")
            .replace(
                "integration: {low: 220000, likely: 280000, high: 400000}",
                "integration: 0",
            )
            .replace("testing_infrastructure: 40000", "testing_infrastructure: 0")
            .replace("change_management: 90000", "change_management: 0"),
    );
    for m in [&tiny_poc, &tiny_impl] {
        for format in ["text", "html"] {
            let o = run(&["cost", s(m), "--simulations", "500", "--format", format]);
            no_panic(&o, "cost");
            assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
            let out = text(&o.stdout);
            let longest_number = out
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(
                longest_number < 25,
                "{} {format}: a number of {longest_number} digits:\n{}",
                m.display(),
                out.lines()
                    .find(|l| l.len() > 200)
                    .unwrap_or_default()
                    .chars()
                    .take(300)
                    .collect::<String>()
            );
        }
    }
}

/// The same in `metric`: a baseline mean of 1e-300 (positive, so the change is relative)
/// and a current mean of 15 give a change of 1.5e301, printed in text and html as a
/// 300-digit percentage, and its interval likewise.
#[test]
fn metric_a_huge_relative_change_is_not_written_as_hundreds_of_digits() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &metric_manifest("mean", "increase"));
    let obs = write(
        dir.path(),
        "o.csv",
        &format!("timestamp,value\n{}", rows("1e-300", "15")),
    );
    for format in ["text", "html"] {
        let o = run(&[
            "metric",
            s(&m),
            "--observations",
            s(&obs),
            "--today",
            "2027-06-01",
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let out = text(&o.stdout);
        let longest_number = out
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(
            longest_number < 25,
            "{format}: a number of {longest_number} digits"
        );
    }
}

/// `poc_cost: 0` is declared, yet the text says "no poc_cost declared" and the JSON says
/// `poc_cost: null`, the same as a manifest that left it out.
#[test]
fn cost_a_poc_cost_of_zero_is_not_reported_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(root().join(PAYMENTS))
        .unwrap()
        .replace("poc_cost: 80000", "poc_cost: 0");
    let m = write(dir.path(), "zero.yaml", &yaml);
    let o = run(&["cost", s(&m), "--simulations", "500"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let t = text(&o.stdout);
    assert!(!t.contains("no poc_cost declared"), "{t}");
    let o = run(&["cost", s(&m), "--simulations", "500", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["yardsticks"]["integration"]["poc_cost"].as_f64(),
        Some(0.0),
        "{}",
        v["yardsticks"]["integration"]
    );
}

// ---- metric: honest figures and verdicts ------------------------------------------------------

/// Observations are refused when not finite, but finite values near f64's limit are kept,
/// and then: the mean or sum overflows (text "mean inf", JSON `value: null` for a window of
/// 12 observations, verdict NOT MET for a fall from 1.7e308 to 1 on a `decrease` metric);
/// even a median of 1.7e308 is printed "inf"; and the html chart's coordinates become NaN.
/// Either bound the values at read time (exit 2 at the line) or compute and print them.
#[test]
fn metric_huge_finite_values_print_no_inf_and_no_dishonest_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let obs = write(
        dir.path(),
        "huge.csv",
        &format!("timestamp,value\n{}", rows("1.7e308", "1")),
    );
    for aggregate in ["mean", "median", "sum"] {
        let m = write(
            dir.path(),
            &format!("{aggregate}.yaml"),
            &metric_manifest(aggregate, "decrease"),
        );
        let args = |format: &'static str| {
            vec![
                "metric".to_string(),
                s(&m).to_string(),
                "--observations".into(),
                s(&obs).to_string(),
                "--today".into(),
                "2027-06-01".into(),
                "--format".into(),
                format.into(),
            ]
        };
        let json = {
            let a = args("json");
            run(&a.iter().map(String::as_str).collect::<Vec<_>>())
        };
        no_panic(&json, aggregate);
        if json.status.code() == Some(2) {
            // Refused: it must say where.
            assert!(
                text(&json.stderr).contains("huge.csv:"),
                "{}",
                text(&json.stderr)
            );
            continue;
        }
        let v = metric_json(&json);
        let metric = &v["metrics"][0];
        assert!(
            !metric["baseline"]["value"].is_null(),
            "{aggregate}: a baseline of 12 observations has no value: {metric}"
        );
        assert_eq!(
            metric["verdict"], "met",
            "{aggregate}: from 1.7e308 to 1 on a decrease metric: {metric}"
        );
        for format in ["text", "html"] {
            let a = args(format);
            let o = run(&a.iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(o.status.code(), Some(0));
            let out = text(&o.stdout);
            for bad in ["inf", "NaN"] {
                let hit = out.match_indices(bad).find(|(i, _)| {
                    // Whole words only ("info" is fine).
                    let before = out[..*i].chars().last().unwrap_or(' ');
                    let after = out[i + bad.len()..].chars().next().unwrap_or(' ');
                    !before.is_alphanumeric() && !after.is_alphanumeric()
                });
                assert!(
                    hit.is_none(),
                    "{aggregate} {format}: `{bad}` in the report: {}",
                    &out[hit.unwrap().0.saturating_sub(80)..(hit.unwrap().0 + 20).min(out.len())]
                );
            }
        }
    }
}

/// `timestamp,value,value` (or `Value,value`: names match without regard to case) is read
/// silently, the first column winning; in JSON Lines a repeated key silently takes the last
/// value; a ticket export with two `Resolved` columns likewise. Drift refuses them with exit 2
/// ("duplicate column name"); the observation readers had the same ambiguity.
#[test]
fn metric_duplicate_columns_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &metric_manifest("mean", "increase"));
    let both = rows("1", "2");
    let cases = [
        ("dup.csv", {
            let mut c = String::from("timestamp,value,value\n");
            for l in both.lines() {
                c.push_str(&format!("{l},9\n"));
            }
            c
        }),
        ("dupcase.csv", {
            let mut c = String::from("timestamp,Value,value\n");
            for l in both.lines() {
                c.push_str(&format!("{l},9\n"));
            }
            c
        }),
        ("dup.jsonl", {
            let mut c = String::new();
            for l in both.lines() {
                let (ts, v) = l.split_once(',').unwrap();
                c.push_str(&format!(
                    "{{\"timestamp\": \"{ts}\", \"value\": {v}, \"value\": 9}}\n"
                ));
            }
            c
        }),
    ];
    for (name, content) in cases {
        let f = write(dir.path(), name, &content);
        let o = run(&[
            "metric",
            s(&m),
            "--observations",
            s(&f),
            "--today",
            "2027-06-01",
        ]);
        no_panic(&o, name);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{name}: read silently:\n{}",
            text(&o.stdout)
        );
        assert!(
            text(&o.stderr).to_lowercase().contains("duplicate"),
            "{name}: {}",
            text(&o.stderr)
        );
    }
    let tickets = write(
        dir.path(),
        "t.csv",
        "Created,Resolved,Resolved\n2026-11-02 10:00,2026-11-03 10:00,2020-01-01 00:00\n",
    );
    let o = run(&[
        "metric",
        s(&m),
        "--tickets",
        s(&tickets),
        "--opened",
        "Created",
        "--resolved",
        "Resolved",
        "--today",
        "2027-06-01",
    ]);
    assert_eq!(o.status.code(), Some(2), "tickets: read silently");
}

/// docs/metric.md: "Column names are matched without regard to case", and a CSV with a byte
/// order mark is read; in JSON Lines `{"Timestamp": .., "VALUE": ..}` is "missing
/// `timestamp`" and a BOM is "not a JSON object: expected value at line 1 column 1".
#[test]
fn metric_json_lines_read_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &metric_manifest("mean", "increase"));
    let mut upper = String::new();
    let mut plain = String::new();
    for l in rows("1", "2").lines() {
        let (ts, v) = l.split_once(',').unwrap();
        upper.push_str(&format!("{{\"Timestamp\": \"{ts}\", \"VALUE\": {v}}}\n"));
        plain.push_str(&format!("{{\"timestamp\": \"{ts}\", \"value\": {v}}}\n"));
    }
    let upper = write(dir.path(), "upper.jsonl", &upper);
    let bom = write(dir.path(), "bom.jsonl", &format!("\u{feff}{plain}"));
    // The CSV equivalents are read.
    let csv_upper = write(
        dir.path(),
        "upper.csv",
        &format!("TIMESTAMP,VALUE\n{}", rows("1", "2")),
    );
    let csv_bom = write(
        dir.path(),
        "bom.csv",
        &format!("\u{feff}timestamp,value\n{}", rows("1", "2")),
    );
    for f in [&csv_upper, &csv_bom, &upper, &bom] {
        let o = run(&[
            "metric",
            s(&m),
            "--observations",
            s(f),
            "--today",
            "2027-06-01",
            "--format",
            "json",
        ]);
        let v = metric_json(&o);
        assert_eq!(v["metrics"][0]["baseline"]["n"], 12, "{}", f.display());
        assert_eq!(v["metrics"][0]["current"]["n"], 12, "{}", f.display());
    }
}

/// `23:59:60` on the last day of the baseline window is a leap second of that day, but it
/// is counted in the current window (it is converted to 00:00:00 of the launch day).
#[test]
fn metric_a_leap_second_stays_on_its_own_day() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &metric_manifest("mean", "increase"));
    let obs = write(
        dir.path(),
        "leap.csv",
        &format!(
            "timestamp,value\n{}2026-11-30T23:59:60Z,1\n",
            rows("1", "2")
        ),
    );
    let o = run(&[
        "metric",
        s(&m),
        "--observations",
        s(&obs),
        "--today",
        "2027-06-01",
        "--format",
        "json",
    ]);
    if o.status.code() == Some(2) {
        // Refusing a leap second at its line is acceptable too.
        assert!(
            text(&o.stderr).contains("leap.csv:26"),
            "{}",
            text(&o.stderr)
        );
        return;
    }
    let v = metric_json(&o);
    assert_eq!(v["metrics"][0]["current"]["n"], 12, "{}", v["metrics"][0]);
    assert_eq!(v["metrics"][0]["baseline"]["n"], 13, "{}", v["metrics"][0]);
}

/// Every observation is kept in memory (24 bytes each, in a doubling vector) even when it
/// falls in neither window: 4,000,000 rows dated 1990 (a 52 MB file, nothing to measure)
/// abort with "memory allocation of 100663296 bytes failed" (exit 134) under a 100 MB cap,
/// and 45,000,000 such rows (585 MB) abort under the 1 GB cap. Rows outside both windows
/// (and after --today) need only be counted; if a cap is kept, past it is exit 2.
#[test]
fn metric_memory_does_not_grow_with_observations_outside_the_windows() {
    if !prlimit_available() {
        eprintln!("prlimit is not installed; skipping the memory cap");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &metric_manifest("mean", "increase"));
    let path = dir.path().join("old.csv");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"timestamp,value\n").unwrap();
        let chunk = "1990-01-01,1\n".repeat(100_000);
        for _ in 0..60 {
            f.write_all(chunk.as_bytes()).unwrap();
        }
        f.write_all(rows("1", "2").as_bytes()).unwrap();
    }
    let mut c = Command::new("prlimit");
    c.arg(format!("--as={}", 128u64 << 20))
        .arg(env!("CARGO_BIN_EXE_steward"))
        .args([
            "metric",
            s(&m),
            "--observations",
            s(&path),
            "--today",
            "2027-06-01",
            "--format",
            "json",
        ])
        .env("MALLOC_ARENA_MAX", "2")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    let o = spawn(c, "metric under a 128 MiB cap");
    let err = text(&o.stderr);
    assert!(!err.contains("memory allocation"), "{err}");
    no_panic(&o, "metric under a cap");
    match o.status.code() {
        Some(0) => {
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            assert_eq!(v["metrics"][0]["current"]["n"], 12);
        }
        Some(2) => assert!(err.contains("old.csv"), "{err}"),
        other => panic!("exit {other:?}: {err}"),
    }
}

// ---- output edges ---------------------------------------------------------------------------

/// Every `-o` I/O error repeats its cause: "cannot write /dev/full: No space left on device
/// (os error 28): No space left on device (os error 28)" (the `WriteError::Io` message
/// includes its source, and the `{:#}` chain prints the source again).
#[test]
fn output_errors_say_their_cause_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/r.json");
    let mut cases = vec![(s(&missing).to_string(), "No such file or directory")];
    if Path::new("/dev/full").exists() {
        cases.push(("/dev/full".to_string(), "No space left on device"));
    }
    for (out, cause) in &cases {
        for args in [
            vec!["cost", PAYMENTS, "--simulations", "100", "-o", out],
            vec![
                "metric",
                PAYMENTS,
                "--tickets",
                "examples/data/payments-tickets.csv",
                "--opened",
                "Created",
                "--resolved",
                "Resolved",
                "--today",
                "2027-03-15",
                "-o",
                out,
            ],
            vec!["init", "--force", out],
        ] {
            let o = run(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}");
            let err = text(&o.stderr);
            assert_eq!(err.matches(cause).count(), 1, "{args:?}: {err}");
        }
    }
}

/// `steward init -` prints to standard output, but `cost`, `metric`, `drift` and `profile`
/// with `-o -` create a file named `-` in the current folder.
#[test]
fn output_dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = root().join(PAYMENTS);
    let data = root().join("crates/steward-cli/tests/data/small.parquet");
    for args in [
        vec!["cost", s(&manifest), "--simulations", "100", "-o", "-"],
        vec!["profile", s(&data), "-o", "-"],
    ] {
        let mut c = command(&args);
        c.current_dir(dir.path());
        let o = spawn(c, &format!("{args:?}"));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(
            !dir.path().join("-").exists(),
            "{args:?}: wrote a file named '-'"
        );
        assert!(!o.stdout.is_empty(), "{args:?}: nothing on standard output");
    }
}

/// `-o` refuses an input, but standard output redirected onto an input is not checked:
/// `steward cost m.yaml >> m.yaml` appends the report to the manifest and exits 0 (GNU cat
/// refuses the same with "input file is output file").
#[test]
fn standard_output_onto_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join(PAYMENTS)).unwrap();
    let m = write(dir.path(), "m.yaml", &original);
    let append = std::fs::OpenOptions::new().append(true).open(&m).unwrap();
    let child = command(&["cost", s(&m), "--simulations", "100"])
        .stdout(Stdio::from(append))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = finish(child, "cost >> m.yaml");
    assert_eq!(
        std::fs::read_to_string(&m).unwrap(),
        original,
        "the manifest was changed"
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

// ---- terminal safety --------------------------------------------------------------------------

/// serde_json escapes only U+0000-U+001F, so `--format json` of cost, metric and portfolio
/// writes C1 controls (U+009B, a one-character CSI on many terminals; U+0085), bidi
/// overrides and isolates (U+202E, U+2066), zero-width marks and U+FEFF raw from manifest
/// strings and observation files. JSON may escape any character as \uXXXX.
#[test]
fn json_reports_escape_c1_controls_and_bidi_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "\\u009b31m\\u0085\\u202e\\u2066\\u200b\\ufeff";
    let cost_yaml = std::fs::read_to_string(root().join(PAYMENTS))
        .unwrap()
        .replace("currency: USD", &format!("currency: \"US{evil}D\""))
        .replace(
            "name: vendor review bot",
            &format!("name: \"vendor{evil}bot\""),
        );
    let m = write(dir.path(), "m.yaml", &cost_yaml);
    let outs = [
        run(&["cost", s(&m), "--format", "json", "--simulations", "500"]),
        run(&["cost", "--format", "json", s(dir.path())]),
        run(&["portfolio", "--format", "json", "--today", TODAY, s(&m)]),
    ];
    for (i, o) in outs.iter().enumerate() {
        assert_eq!(o.status.code(), Some(0), "{i}: {}", text(&o.stderr));
        let bad = unsafe_chars(&text(&o.stdout));
        assert!(bad.is_empty(), "output {i}: raw {bad:?}");
    }
    // A metric name from the manifest and the observation file.
    let mm = write(
        dir.path(),
        "metric.yaml",
        &metric_manifest("mean", "increase").replace("name: m1", &format!("name: \"m{evil}1\"")),
    );
    let raw = "m\u{9b}31m\u{85}\u{202e}\u{2066}\u{200b}\u{feff}1";
    let mut csv = String::from("timestamp,metric,value\n");
    for l in rows("1", "2").lines() {
        let (ts, v) = l.split_once(',').unwrap();
        csv.push_str(&format!("{ts},{raw},{v}\n"));
    }
    let obs = write(dir.path(), "o.csv", &csv);
    let o = run(&[
        "metric",
        s(&mm),
        "--observations",
        s(&obs),
        "--today",
        "2027-06-01",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let bad = unsafe_chars(&text(&o.stdout));
    assert!(bad.is_empty(), "metric json: raw {bad:?}");
}

/// `escape_line` escapes C0/C1 controls and U+200B-U+200F, U+202A-U+202E, U+2066-U+2069,
/// U+FEFF, but not the Arabic letter mark U+061C (a bidi control, like U+200F), nor the
/// line and paragraph separators U+2028/U+2029, nor U+2060-U+2064: they reach the text,
/// html, csv and markdown reports and error messages raw.
#[test]
fn text_reports_escape_every_bidi_control_and_line_separator() {
    let dir = tempfile::tempdir().unwrap();
    let evil = "\\u061c\\u2028\\u2029\\u2060";
    let yaml = std::fs::read_to_string(root().join(PAYMENTS))
        .unwrap()
        .replace(
            "name: vendor review bot",
            &format!("name: \"vendor{evil}bot\""),
        )
        .replace("currency: USD", &format!("currency: \"US{evil}D\""));
    let m = write(dir.path(), "m.yaml", &yaml);
    let runs = [
        vec!["cost", s(&m), "--simulations", "500"],
        vec!["cost", s(&m), "--simulations", "500", "--format", "html"],
        vec!["portfolio", "--today", TODAY, s(&m)],
        vec!["portfolio", "--format", "csv", "--today", TODAY, s(&m)],
        vec!["check", "--today", TODAY, s(&m)],
    ];
    for args in &runs {
        let o = run(args);
        assert!(o.status.code().is_some_and(|c| c <= 1), "{args:?}");
        let bad = unsafe_chars(&text(&o.stdout));
        assert!(bad.is_empty(), "{args:?}: raw {bad:?}");
    }
    // In an error message: an undeclared metric name from an observation file.
    let mm = write(
        dir.path(),
        "metric.yaml",
        &metric_manifest("mean", "increase"),
    );
    let obs = write(
        dir.path(),
        "o.csv",
        "timestamp,metric,value\n2026-11-11,x\u{61c}\u{2028}y,1\n",
    );
    let o = run(&[
        "metric",
        s(&mm),
        "--observations",
        s(&obs),
        "--today",
        TODAY,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let bad = unsafe_chars(&text(&o.stderr));
    assert!(bad.is_empty(), "metric error: raw {bad:?}");
}

/// clap's usage errors quote the flag value as given: on a terminal an ESC sequence in it
/// (`--simulations $'1\e]0;title\a\e[2J'`) is sent raw (it sets the title and clears the
/// screen); off a terminal the CSI/OSC sequences are stripped but CR, U+009B (a one-byte
/// CSI) and U+202E still pass. Values can come from CI variables; the same goes for
/// `STEWARD_COLOR`.
#[test]
fn usage_errors_escape_the_values_they_quote() {
    let evil = "1\u{202e}\u{9b}31m\r";
    for args in [
        vec!["cost", "--simulations", evil, PAYMENTS],
        vec![
            "metric",
            PAYMENTS,
            "--resamples",
            evil,
            "--observations",
            "x",
        ],
        vec!["cost", "--format", evil, PAYMENTS],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2));
        let bad = unsafe_chars(&text(&o.stderr));
        assert!(bad.is_empty(), "{args:?}: raw {bad:?}");
    }
    let mut c = command(&["cost", PAYMENTS]);
    c.env("STEWARD_COLOR", "\u{9b}\u{202e}");
    let o = spawn(c, "STEWARD_COLOR");
    assert_eq!(o.status.code(), Some(2));
    let bad = unsafe_chars(&text(&o.stderr));
    assert!(bad.is_empty(), "STEWARD_COLOR: raw {bad:?}");
}

/// `-o` replaces the destination by renaming a new file over it, which needs write
/// permission on the folder only: a write-protected report (0444), or another user's file
/// in a shared folder that is not sticky, is replaced (and changes owner), where the shell's
/// `>` says "Permission denied". The write must be refused when the file itself is not
/// writable by the caller. As root, the check runs as `nobody` through `setpriv`.
#[test]
fn output_respects_the_destinations_write_permission() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        &std::fs::read_to_string(root().join(PAYMENTS)).unwrap(),
    );
    std::fs::set_permissions(&m, std::fs::Permissions::from_mode(0o644)).unwrap();
    let protected = write(dir.path(), "protected.txt", "keep me\n");
    std::fs::set_permissions(&protected, std::fs::Permissions::from_mode(0o444)).unwrap();
    let is_root = std::fs::metadata(&m).unwrap().uid() == 0;
    let mut c = if is_root {
        let has_setpriv = Command::new("setpriv")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !has_setpriv {
            eprintln!("running as root without setpriv; skipping");
            return;
        }
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_steward"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_steward"))
    };
    c.args(["cost", s(&m), "--simulations", "100", "-o", s(&protected)])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    let o = spawn(c, "cost -o a write-protected file");
    assert_eq!(
        std::fs::read_to_string(&protected).unwrap(),
        "keep me\n",
        "a file the caller may not write was replaced"
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

/// `--resamples` goes up to 1,000,000 and the mean's bootstrap resamples every observation
/// up to 20,000 per window: one metric with 20,000 observations in each window (a 1 MB
/// file) takes 195 s on the debug build (10,000 resamples: 2 s), and a manifest of several
/// such metrics multiplies it. Bound the work (for instance the normal limit from fewer
/// observations, or a budget of draws), or refuse the combination with exit 2.
#[test]
fn metric_bootstrap_time_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(dir.path(), "m.yaml", &metric_manifest("mean", "increase"));
    let mut csv = String::from("timestamp,value\n");
    for i in 0..20_000u32 {
        csv.push_str(&format!(
            "2026-11-{:02}T{:02}:00:00Z,{}\n",
            1 + i % 30,
            i % 24,
            i % 1000
        ));
        csv.push_str(&format!(
            "2026-12-{:02}T{:02}:00:00Z,{}\n",
            1 + i % 30,
            i % 24,
            i % 997
        ));
    }
    let obs = write(dir.path(), "o.csv", &csv);
    // The deadline (60 s) is the assertion: past it the run is killed and the test fails.
    let o = run(&[
        "metric",
        s(&m),
        "--observations",
        s(&obs),
        "--today",
        "2027-06-01",
        "--resamples",
        "1000000",
    ]);
    no_panic(&o, "metric --resamples 1000000");
    assert!(matches!(o.status.code(), Some(0 | 2)));
}

/// `portfolio --format csv` is meant for a spreadsheet, and writes manifest text that
/// starts with `=`, `+`, `-` or `@` as is: an owner of `=HYPERLINK("http://evil","x")` or a
/// currency of `@SUM(1+1)` becomes a live formula when the file is opened (CSV injection;
/// OWASP: prefix such cells with `'`).
#[test]
fn portfolio_csv_does_not_start_cells_with_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(root().join(PAYMENTS))
        .unwrap()
        .replace("currency: USD", "currency: \"@SUM(1+1)\"")
        .replacen(
            "ref: group:default/payments-platform",
            "ref: \"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\")\"",
            1,
        );
    assert!(yaml.contains("HYPERLINK"), "the owner line moved");
    let m = write(dir.path(), "m.yaml", &yaml);
    let o = run(&["portfolio", "--format", "csv", "--today", TODAY, s(&m)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    for line in out.lines().skip(1) {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']),
                "a formula cell: {cell}\n{out}"
            );
        }
    }
}

/// The destination is checked when the command starts, not after the work: a missing
/// folder, a folder, an input or a write-protected file named by `-o` is exit 2 at once, even
/// for a simulation of 100,000,000 runs (minutes of work) or a metric over a large file.
#[test]
fn a_bad_destination_is_refused_before_the_work() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/r.json");
    for out in [s(&missing), s(dir.path()), PAYMENTS] {
        let start = Instant::now();
        let o = run(&["cost", PAYMENTS, "--simulations", "100000000", "-o", out]);
        assert_eq!(o.status.code(), Some(2), "{out}: {}", text(&o.stderr));
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{out}: refused only after {:?}",
            start.elapsed()
        );
    }
}

/// Standard output redirected onto an input is refused by every command that writes a
/// report there, not only `cost`.
#[test]
fn standard_output_onto_an_input_is_refused_by_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join(PAYMENTS)).unwrap();
    let m = write(dir.path(), "m.yaml", &original);
    for args in [
        vec!["check", "--today", TODAY, s(&m)],
        vec!["portfolio", "--today", TODAY, s(&m)],
        vec!["cost", "--format", "json", s(&m), "--simulations", "100"],
    ] {
        let append = std::fs::OpenOptions::new().append(true).open(&m).unwrap();
        let child = command(&args)
            .stdout(Stdio::from(append))
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = finish(child, &format!("{args:?} >> m.yaml"));
        assert_eq!(
            std::fs::read_to_string(&m).unwrap(),
            original,
            "{args:?}: the manifest was changed"
        );
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
    }
}
