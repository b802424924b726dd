//! The real binary against hostile and careless input at the command's edges: devices and
//! FIFOs as inputs, `-o` pointing at something that must not be replaced, full or closed
//! output streams, figures at the limits, metric windows and baselines at the edges, the
//! same file named twice, and control characters in everything that reaches a terminal.
//! Nothing here may hang: every run has a deadline and is killed past it.

mod common;
use common::*;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

fn is_fifo(path: &Path) -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_fifo())
}

fn manifest_with_metrics(metrics: &str) -> String {
    format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: edge\nspec:\n  lifecycle: production\n  milestones:\n    production_launch: 2026-12-01\n  success_metrics:\n{metrics}"
    )
}

fn metric_def(name: &str, unit: &str) -> String {
    format!(
        "    - name: \"{name}\"\n      unit: \"{unit}\"\n      aggregate: mean\n      direction: increase\n      target_change: \"25%\"\n      within_days: 30\n      baseline_days: 30\n"
    )
}

/// Twelve observations a window, November then December 2026.
fn observations(before: f64, after: f64) -> String {
    let mut o = String::from("timestamp,value\n");
    for d in 1..=12 {
        o.push_str(&format!(
            "2026-11-{:02},{}\n",
            d + 10,
            before + d as f64 * 0.01
        ));
    }
    for d in 1..=12 {
        o.push_str(&format!(
            "2026-12-{:02},{}\n",
            d + 1,
            after + d as f64 * 0.01
        ));
    }
    o
}

// ---- memory: the cost simulation ----------------------------------------------------------

#[test]
fn cost_simulation_memory_does_not_grow_with_runs_times_options() {
    if !prlimit_available() {
        eprintln!("prlimit is not installed; skipping the memory cap");
        return;
    }
    // 100 options x 1,000,000 runs: keeping every sample takes 808 MB, twice that while
    // the threads' parts are merged. Fixed option costs draw nothing, so the run is quick,
    // and the ranged total still needs the passes that find its quantiles.
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata: {name: wide}\nspec:\n  lifecycle: pilot\n  budget:\n    currency: USD\n    implementation: {ai_component: {low: 100, likely: 200, high: 400}}\n  sourcing:\n    options:\n",
    );
    for i in 0..100 {
        yaml.push_str(&format!(
            "      - {{name: o{i}, one_off: {}, annual: 20, scores: {{integration_effort: 3, maintainability: 3, lock_in: 3, time_to_value: 3, total_cost: 3}}}}\n",
            1000 + i
        ));
    }
    let m = write(dir.path(), "wide.yaml", &yaml);
    let child = Command::new("prlimit")
        .arg(format!("--as={}", 1u64 << 30))
        .arg(env!("CARGO_BIN_EXE_steward"))
        .args([
            "cost",
            s(&m),
            "--simulations",
            "1000000",
            "--format",
            "json",
        ])
        .env("MALLOC_ARENA_MAX", "2")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = finish(child, "cost under a 1 GiB cap");
    no_panic(&o, "cost under a cap");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let options = v["sourcing"]["options"].as_array().unwrap();
    assert_eq!(options.len(), 100);
    // 1,000 + 3 x 20 for the first option, whose cost is fixed; it is always the cheapest.
    assert_eq!(options[0]["cost"]["p50"].as_f64(), Some(1060.0));
    assert_eq!(options[0]["probability_cheapest"].as_f64(), Some(1.0));
    let p50 = v["simulation"]["total"]["p50"].as_f64().unwrap();
    assert!(p50 > 100.0 && p50 < 400.0, "{p50}");
}

// ---- figures at the limits ------------------------------------------------------------------

#[test]
fn costs_at_the_limits_stay_finite_and_are_written_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let big = "{low: 900000000000000, likely: 950000000000000, high: 1000000000000000}";
    let yaml = format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata: {{name: huge}}\nspec:\n  lifecycle: pilot\n  budget:\n    currency: USD\n    poc_cost: 1e-300\n    implementation: {{ai_component: {big}, data_preparation: {big}, integration: {big}, testing_infrastructure: {big}, change_management: {big}}}\n    annual: {{maintenance: {big}, enhancement: {big}}}\n  sourcing:\n    horizon_years: 100\n    weights: {{integration_effort: 1000000, maintainability: 1000000, lock_in: 1000000, time_to_value: 1000000, total_cost: 1000000}}\n    options:\n      - {{name: a, one_off: {big}, annual: {big}, scores: {{integration_effort: 3, maintainability: 3, lock_in: 3, time_to_value: 3, total_cost: 3}}}}\n"
    );
    let m = write(dir.path(), "huge.yaml", &yaml);
    let json = run(&["cost", s(&m), "--format", "json", "--simulations", "20000"]);
    assert_eq!(json.status.code(), Some(0), "{}", text(&json.stderr));
    let out = text(&json.stdout);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in ["mean", "p10", "p50", "p90"] {
        let x = v["simulation"]["total"][key].as_f64().unwrap_or(f64::NAN);
        assert!(x.is_finite() && x > 1e17, "total {key} = {x}");
    }
    // Only the ratio to a near-zero POC is absent (it would be infinite), beside the keys the
    // manifest left out; every amount is a number.
    assert!(v["yardsticks"]["integration"]["ratio_to_poc"].is_null());
    fn nulls(v: &serde_json::Value, key: &str, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Null => out.push(key.to_string()),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| nulls(v, k, out)),
            serde_json::Value::Array(a) => a.iter().for_each(|v| nulls(v, key, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    nulls(&v, "", &mut found);
    found
        .retain(|k| !["ratio_to_poc", "decision", "kind", "months_to_value"].contains(&k.as_str()));
    assert!(found.is_empty(), "null amounts: {found:?}");
    let txt = run(&["cost", s(&m), "--simulations", "20000"]);
    assert_eq!(txt.status.code(), Some(0), "{}", text(&txt.stderr));
    let t = text(&txt.stdout);
    // 5 x 9.5e14 + 100 x 2 x 9.5e14 = 1.9475e17, in full (a cast would saturate elsewhere).
    assert!(t.contains("USD 194,750,000,000,000,000"), "{t}");
    assert!(
        !t.contains("P10 USD 0 ") && !t.contains("n/a") && !t.contains("NaN"),
        "{t}"
    );
    assert!(t.contains("far more than the POC"), "{t}");
    for plain in ["plain", "compact"] {
        let o = run(&[
            "cost",
            s(&m),
            "--simulations",
            "2000",
            "--currency-format",
            plain,
        ]);
        assert_eq!(o.status.code(), Some(0));
        assert!(!text(&o.stdout).contains("9223372036854775807"));
    }

    // Beyond the limit: refused at the line, before any arithmetic.
    let over = write(
        dir.path(),
        "over.yaml",
        &yaml.replace("poc_cost: 1e-300", "poc_cost: 1e300"),
    );
    let o = run(&["cost", s(&over)]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("over.yaml:8:"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&["cost", PAYMENTS, "--years", "101"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["cost", PAYMENTS, "--simulations", "100000001"]);
    assert_eq!(o.status.code(), Some(2));
}

// ---- metric edges -------------------------------------------------------------------------

#[test]
fn metric_reads_devices_and_fifos_without_hanging_or_filling_memory() {
    let o = run(&[
        "metric",
        PAYMENTS,
        "--observations",
        "/dev/zero",
        "--today",
        TODAY,
    ]);
    no_panic(&o, "/dev/zero");
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.contains("/dev/zero:1") && err.contains("longer than"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("obs.csv");
    mkfifo(&fifo);
    let o = run(&[
        "metric",
        PAYMENTS,
        "--observations",
        s(&fifo),
        "--today",
        TODAY,
    ]);
    no_panic(&o, "FIFO");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let tickets = dir.path().join("tickets.csv");
    mkfifo(&tickets);
    let o = run(&[
        "metric",
        PAYMENTS,
        "--tickets",
        s(&tickets),
        "--opened",
        "Created",
        "--resolved",
        "Resolved",
    ]);
    no_panic(&o, "tickets FIFO");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    // A FIFO as the manifest: read as empty, not waited on.
    let o = run(&["check", s(&fifo)]);
    no_panic(&o, "check FIFO");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn metric_baselines_at_or_below_zero_report_the_absolute_change() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        &manifest_with_metrics(&metric_def("score", "points")),
    );
    let obs = write(dir.path(), "o.csv", &observations(-1.065, 0.935));
    let o = run(&[
        "metric",
        s(&m),
        "--observations",
        s(&obs),
        "--today",
        "2027-06-01",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let t = text(&o.stdout);
    assert!(!t.contains("-200"), "{t}");
    assert!(t.contains("change +2 ") && t.contains("absolute"), "{t}");
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
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["metrics"][0]["change_kind"], "absolute");
    assert_eq!(v["metrics"][0]["verdict"], "met");
}

#[test]
fn metric_leaves_out_observations_after_today_and_says_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        &manifest_with_metrics(&metric_def("score", "points")),
    );
    let obs = write(dir.path(), "o.csv", &observations(1.0, 2.0));
    let o = run(&[
        "metric",
        s(&m),
        "--observations",
        s(&obs),
        "--today",
        "2026-12-05",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["metrics"][0]["current"]["n"], 4);
    assert_eq!(v["metrics"][0]["ignored_after_today"], 8);
}

#[test]
fn metric_windows_past_the_calendar_and_missing_metric_columns_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let m = write(
        dir.path(),
        "m.yaml",
        &manifest_with_metrics(&metric_def("score", "points")),
    );
    let obs = write(dir.path(), "o.csv", &observations(1.0, 2.0));
    // A launch near the end of the calendar pushes the current window past 9999-12-31.
    let o = run(&[
        "metric",
        s(&m),
        "--observations",
        s(&obs),
        "--launch",
        "9999-12-15",
        "--today",
        TODAY,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    assert!(
        text(&o.stderr).contains("within_days"),
        "{}",
        text(&o.stderr)
    );

    // Two metrics, no `metric` column, no --metric: refused at the header, rows or not.
    let two = write(
        dir.path(),
        "two.yaml",
        &manifest_with_metrics(&(metric_def("a", "x") + &metric_def("b", "y"))),
    );
    let header_only = write(dir.path(), "h.csv", "timestamp,value\n");
    let o = run(&[
        "metric",
        s(&two),
        "--observations",
        s(&header_only),
        "--today",
        TODAY,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stdout));
    let err = text(&o.stderr);
    assert!(
        err.contains("h.csv:1:") && err.contains("no `metric` column"),
        "{err}"
    );
}

// ---- -o never destroys what is there ----------------------------------------------------

#[test]
fn output_equal_to_an_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(root().join(PAYMENTS)).unwrap();
    let m = write(dir.path(), "m.yaml", &original);
    let o = run(&["cost", s(&m), "-o", s(&m)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("input"), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&m).unwrap(), original);
    // Through a symbolic link too.
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink(&m, &link).unwrap();
    let o = run(&["cost", s(&m), "--format", "json", "-o", s(&link)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&m).unwrap(), original);

    let data = std::fs::read_to_string(root().join("examples/data/payments-tickets.csv")).unwrap();
    let tickets = write(dir.path(), "t.csv", &data);
    for out in [&tickets, &m] {
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
            "2027-03-15",
            "-o",
            s(out),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    }
    assert_eq!(std::fs::read_to_string(&tickets).unwrap(), data);
    assert_eq!(std::fs::read_to_string(&m).unwrap(), original);
}

#[test]
fn output_to_a_fifo_a_symlink_or_a_private_file_keeps_what_it_is() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();

    // A FIFO with a reader: written in place, still a FIFO afterwards.
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = open_reader(&fifo);
    let o = run(&["cost", PAYMENTS, "--format", "json", "-o", s(&fifo)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let got = drain(reader);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&got).is_ok(),
        "{}",
        text(&got)
    );
    assert!(is_fifo(&fifo), "the FIFO was replaced");
    // Without a reader: an error, not a hang, and the FIFO stays.
    assert!(is_fifo(&fifo));
    let o = run(&["cost", PAYMENTS, "-o", s(&fifo)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(is_fifo(&fifo));

    // A symbolic link: the file it points to is written, the link stays a link.
    let target = write(dir.path(), "target.txt", "old");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = run(&["cost", PAYMENTS, "-o", s(&link)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("cost of ownership")
    );

    // A private file stays private.
    let private = write(dir.path(), "private.html", "old");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = run(&["cost", PAYMENTS, "--format", "html", "-o", s(&private)]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Nothing left behind: only the files made above.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["link.txt", "private.html", "report.fifo", "target.txt"]
    );

    // init writes through the same path: a FIFO with --force stays a FIFO.
    let reader = open_reader(&fifo);
    let o = run(&["init", s(&fifo), "--force"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&drain(reader)).contains("kind: AISystem"));
    assert!(is_fifo(&fifo));
    // And without --force it refuses anything already there, a dangling link included.
    let dangling = dir.path().join("dangling.yaml");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let o = run(&["init", s(&dangling)]);
    assert_eq!(o.status.code(), Some(2));
}

/// The read end of a FIFO, opened before the writer comes (so the writer finds a reader at
/// once): read and write, which on Linux never blocks, and non-blocking for the draining.
fn open_reader(fifo: &Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000;
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(O_NONBLOCK)
        .open(fifo)
        .unwrap()
}

/// What the writer left in the FIFO (a report fits in the pipe's buffer).
fn drain(mut f: std::fs::File) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    out
}

// ---- full and closed streams -------------------------------------------------------------

fn with_streams(args: &[&str], stdout: Stdio, stderr: Stdio) -> Output {
    let child = command(args)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("the steward binary runs");
    finish(child, &format!("{args:?}"))
}

fn dev_full() -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()
}

#[test]
fn a_full_stdout_is_exit_2_and_a_full_stderr_is_no_panic() {
    let Some(_) = dev_full() else {
        eprintln!("no /dev/full here; skipping");
        return;
    };
    // stdout full: the report was not written, so the exit code must not say it was.
    for args in [
        vec!["check", "--today", TODAY, "examples"],
        vec!["portfolio", "--today", TODAY, "examples"],
        vec!["cost", PAYMENTS],
        vec!["schema"],
        vec!["--help"],
    ] {
        let o = with_streams(&args, dev_full().unwrap().into(), Stdio::piped());
        no_panic(&o, &format!("{args:?} >/dev/full"));
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("standard output"),
            "{}",
            text(&o.stderr)
        );
    }
    // A folder with a ready manifest and unrelated YAML that --verbose reports as skipped.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(PAYMENTS), dir.path().join("payments.yaml")).unwrap();
    write(dir.path(), "other.yaml", "kind: ConfigMap\n");
    // stderr full: the command's own result stands (1: a system in examples is not ready;
    // 2: an error that could not even be printed), and nothing panics.
    for (args, code) in [
        (vec!["check", "--today", TODAY, "examples"], 1),
        (vec!["check", "does/not/exist.yaml"], 2),
        (
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
            ],
            0,
        ),
        (
            vec!["check", "--verbose", "--today", TODAY, s(dir.path())],
            0,
        ),
    ] {
        let o = with_streams(&args, Stdio::piped(), dev_full().unwrap().into());
        no_panic(&o, &format!("{args:?} 2>/dev/full"));
        assert_eq!(o.status.code(), Some(code), "{args:?}");
    }
    // A closed stderr likewise.
    let o = with_streams(
        &["check", "does/not/exist.yaml"],
        Stdio::piped(),
        Stdio::null(),
    );
    assert_eq!(o.status.code(), Some(2));
}

// ---- the same file twice ----------------------------------------------------------------

#[test]
fn the_same_file_or_folder_named_twice_counts_once() {
    let once = run(&["check", "--today", TODAY, "--format", "json", "examples"]);
    assert_eq!(once.status.code(), Some(1));
    for args in [
        vec!["examples", "./examples/"],
        vec!["examples", "examples"],
    ] {
        let mut a = vec!["check", "--today", TODAY, "--format", "json"];
        a.extend(args.iter().copied());
        let o = run(&a);
        assert_eq!(o.status.code(), Some(1), "{a:?}: {}", text(&o.stderr));
        assert_eq!(o.stdout, once.stdout, "{a:?}");
    }
    let other_name = format!("./examples/../{PAYMENTS}");
    let o = run(&["check", "--today", TODAY, PAYMENTS, &other_name]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(!text(&o.stderr).contains("already used"));
    // --verbose says which name was left out and why.
    let o = run(&[
        "check",
        "--verbose",
        "--today",
        TODAY,
        PAYMENTS,
        &other_name,
    ]);
    assert!(
        text(&o.stderr).contains("the same file as"),
        "{}",
        text(&o.stderr)
    );
}

// ---- control characters ------------------------------------------------------------------

fn assert_no_control(out: &str, what: &str) {
    let bad: Vec<char> = out
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(bad.is_empty(), "{what}: raw control characters {bad:?}");
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let esc = "\\e[2J";
    // Manifest text: an option name and the currency.
    let cost_yaml = std::fs::read_to_string(root().join(PAYMENTS))
        .unwrap()
        .replace("currency: USD", &format!("currency: \"US{esc}D\""))
        .replace("name: vendor review bot", &format!("name: \"vendor{esc}\""));
    let m = write(dir.path(), "m.yaml", &cost_yaml);
    for format in ["text", "html", "json"] {
        let o = run(&["cost", s(&m), "--format", format, "--simulations", "2000"]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_no_control(&text(&o.stdout), &format!("cost {format}"));
    }
    let o = run(&["cost", s(&m), "--simulations", "2000"]);
    assert!(
        text(&o.stdout).contains("US\\u{1b}[2JD"),
        "{}",
        text(&o.stdout)
    );
    let o = run(&["cost", s(&m), dir.path().to_str().unwrap()]);
    assert_no_control(&text(&o.stdout), "cost portfolio");

    // A metric's name and unit, and a file name in an error.
    let mm = write(
        dir.path(),
        "metric.yaml",
        &manifest_with_metrics(&metric_def(&format!("score{esc}"), &format!("pts{esc}"))),
    );
    let mut csv = String::from("timestamp,value,metric\n");
    for line in observations(1.0, 2.0).lines().skip(1) {
        csv.push_str(&format!("{line},score\x1b[2J\n"));
    }
    let obs = write(dir.path(), "o.csv", &csv);
    for format in ["text", "html"] {
        let o = run(&[
            "metric",
            s(&mm),
            "--observations",
            s(&obs),
            "--today",
            "2027-06-01",
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_no_control(&text(&o.stdout), &format!("metric {format}"));
    }
    let evil = dir.path().join("evil\x1b[2J.csv");
    std::fs::write(&evil, "timestamp,value\n2026-12-01,abc\x1b[31m\n").unwrap();
    let o = run(&[
        "metric",
        s(&mm),
        "--observations",
        s(&evil),
        "--today",
        TODAY,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_no_control(&text(&o.stderr), "metric error");
    assert!(
        text(&o.stderr).contains("evil\\u{1b}[2J.csv:2"),
        "{}",
        text(&o.stderr)
    );
    let o = run(&["cost", s(&evil)]);
    assert_no_control(&text(&o.stderr), "cost error");
}

/// A flag value of megabytes (a CI variable gone wrong) was quoted whole: `--where`, a
/// `--stattest` test name and clap's "invalid value" each made an error line as long as the
/// value. Each is cut, with its size said.
#[test]
fn a_huge_flag_value_makes_a_short_error() {
    let long = "z".repeat(100_000);
    let observations = root().join("examples/data/payments-tickets.csv");
    let manifest = root().join("examples/invoice-extraction.yaml");
    let stattest = format!("a={long}");
    for args in [
        vec![
            "metric",
            s(&manifest),
            "--tickets",
            s(&observations),
            "--opened",
            "Created",
            "--resolved",
            "Resolved",
            "--where",
            long.as_str(),
        ],
        vec![
            "drift",
            "--reference",
            s(&observations),
            "--current",
            s(&observations),
            "--stattest",
            long.as_str(),
        ],
        vec![
            "drift",
            "--reference",
            s(&observations),
            "--current",
            s(&observations),
            "--stattest",
            stattest.as_str(),
        ],
        vec!["cost", "x.yaml", "--simulations", long.as_str()],
    ] {
        let o = run(&args);
        no_panic(&o, &args[0..2].join(" "));
        assert_eq!(o.status.code(), Some(2), "{}", args[0]);
        assert!(
            o.stderr.len() < 2_000,
            "{}: {} bytes of error",
            args[0],
            o.stderr.len()
        );
    }
}
