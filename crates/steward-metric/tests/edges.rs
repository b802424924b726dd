//! Inputs at the edges: windows near the ends of the calendar, baselines at or below 0,
//! observations after `--today`, files without a metric column, and readers fed devices,
//! FIFOs and endless lines.

use std::io::Read;

use steward_manifest::{Date, parse_manifests};
use steward_metric::evaluate::ChangeKind;
use steward_metric::observations::{MAX_LINE_BYTES, read_csv, read_json_lines};
use steward_metric::{MetricError, MetricOptions, MetricsReport, Verdict, evaluate, read_file};

fn manifest(metrics: &str) -> steward_manifest::Manifest {
    let yaml = format!(
        "apiVersion: steward/v1\nkind: AISystem\nmetadata:\n  name: edge\nspec:\n  lifecycle: production\n  milestones:\n    production_launch: 2026-12-01\n  success_metrics:\n{metrics}"
    );
    parse_manifests("m.yaml", yaml.as_bytes())
        .unwrap()
        .remove(0)
        .manifest
}

fn metric(name: &str, direction: &str, within: u64, baseline: u64) -> String {
    format!(
        "    - name: {name}\n      aggregate: mean\n      direction: {direction}\n      target_change: \"25%\"\n      within_days: {within}\n      baseline_days: {baseline}\n"
    )
}

fn options(today: &str) -> MetricOptions {
    MetricOptions {
        launch: None,
        today: Date::parse(today).unwrap(),
        seed: 1,
        resamples: 200,
        metric: None,
    }
}

/// Twelve observations in the baseline (November 2026) and twelve in the current window
/// (December 2026), with values `before` then `after`.
fn csv(before: f64, after: f64) -> String {
    let mut s = String::from("timestamp,value\n");
    for d in 1..=12 {
        s.push_str(&format!(
            "2026-11-{:02},{}\n",
            d + 10,
            before + d as f64 * 0.01
        ));
    }
    for d in 1..=12 {
        s.push_str(&format!(
            "2026-12-{:02},{}\n",
            d + 1,
            after + d as f64 * 0.01
        ));
    }
    s
}

fn run(metrics: &str, data: &str, today: &str) -> Result<MetricsReport, MetricError> {
    let o = read_csv("o.csv", data.as_bytes()).unwrap();
    evaluate(&manifest(metrics), &o, &options(today))
}

#[test]
fn windows_beyond_the_calendar_are_located_errors_not_wrapped_dates() {
    // The loader bounds the windows to 100 years, but a launch near the end of the calendar
    // (or a manifest built in code) still reaches past 9999-12-31.
    let data = read_csv("o.csv", csv(1.0, 2.0).as_bytes()).unwrap();
    for (within, baseline, launch, key) in [
        (u32::MAX, 30, "2026-12-01", "within_days"),
        (36_500, 30, "9950-01-01", "within_days"),
        (30, u32::MAX, "2026-12-01", "baseline_days"),
        (30, 36_500, "0050-01-01", "baseline_days"),
    ] {
        let mut m = manifest(&metric("m", "increase", 30, 30));
        m.spec.success_metrics[0].within_days = Some(within);
        m.spec.success_metrics[0].baseline_days = Some(baseline);
        let mut o = options("2030-01-01");
        o.launch = Some(Date::parse(launch).unwrap());
        match evaluate(&m, &data, &o).unwrap_err() {
            MetricError::Manifest { path, message } => {
                assert_eq!(path, format!("spec.success_metrics[0].{key}"));
                assert!(message.contains(key), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let r = run(
        &metric("m", "increase", 30, 30),
        &csv(1.0, 2.0),
        "2030-01-01",
    )
    .unwrap();
    assert_eq!(r.metrics[0].current.to.to_string(), "2026-12-31");
}

#[test]
fn a_baseline_at_or_below_zero_reports_the_absolute_change() {
    // The metric rose from about -1 to about 1: a relative change would read -200%.
    let r = run(
        &metric("m", "increase", 30, 30),
        &csv(-1.065, 0.935),
        "2030-01-01",
    )
    .unwrap();
    let m = &r.metrics[0];
    assert_eq!(m.change_kind, ChangeKind::Absolute);
    let change = m.change.unwrap();
    assert!((change - 2.0).abs() < 1e-9, "{change}");
    assert_eq!(m.verdict, Verdict::Met);
    let [lo, hi] = m.ci.unwrap();
    assert!(lo > 1.9 && hi < 2.1, "{lo} {hi}");
    let json = steward_metric::render::json(&r).unwrap();
    assert!(json.contains("\"change_kind\": \"absolute\""), "{json}");
    let text = steward_metric::render::text(&r);
    assert!(text.contains("change +2 "), "{text}");
    assert!(text.contains("absolute"), "{text}");
    assert!(!text.contains('%') || !text.contains("-200"), "{text}");

    // The same rise judged for a decrease is not met.
    let r = run(
        &metric("m", "decrease", 30, 30),
        &csv(-1.065, 0.935),
        "2030-01-01",
    )
    .unwrap();
    assert_eq!(r.metrics[0].verdict, Verdict::NotMet);

    // A positive baseline keeps the relative change.
    let r = run(
        &metric("m", "increase", 30, 30),
        &csv(1.0, 2.0),
        "2030-01-01",
    )
    .unwrap();
    assert_eq!(r.metrics[0].change_kind, ChangeKind::Relative);
    assert!(
        steward_metric::render::json(&r)
            .unwrap()
            .contains("\"change_kind\": \"relative\"")
    );
}

#[test]
fn a_zero_baseline_needs_a_move_in_the_metric_direction() {
    let flat = "timestamp,value\n".to_string()
        + &(11..=22)
            .map(|d| format!("2026-11-{d},0\n"))
            .collect::<String>()
        + &(2..=13)
            .map(|d| format!("2026-12-{d:02},0\n"))
            .collect::<String>();
    let r = run(&metric("m", "increase", 30, 30), &flat, "2030-01-01").unwrap();
    let m = &r.metrics[0];
    assert_eq!(m.change_kind, ChangeKind::Absolute);
    assert_eq!(m.change, Some(0.0));
    assert_eq!(m.verdict, Verdict::NotMet);
}

#[test]
fn observations_after_today_are_left_out_and_counted() {
    // Judged on 2026-12-05: the observations of 12-06 to 12-13 have not happened yet.
    let r = run(
        &metric("m", "increase", 30, 30),
        &csv(1.0, 2.0),
        "2026-12-05",
    )
    .unwrap();
    let m = &r.metrics[0];
    assert_eq!(m.current.n, 4, "12-02 to 12-05");
    assert_eq!(m.ignored_after_today, 8);
    assert_eq!(m.verdict, Verdict::InProgress);
    let text = steward_metric::render::text(&r);
    assert!(
        text.contains("8 observations dated after 2026-12-05 left out"),
        "{text}"
    );
    assert!(
        steward_metric::render::json(&r)
            .unwrap()
            .contains("\"ignored_after_today\": 8")
    );
}

#[test]
fn several_metrics_without_a_metric_column_fail_at_the_header_even_without_rows() {
    let two = metric("a", "increase", 30, 30) + &metric("b", "decrease", 30, 30);
    for data in ["timestamp,value\n", "timestamp,value\n2026-12-02,1\n"] {
        match run(&two, data, "2030-01-01").unwrap_err() {
            MetricError::Observations { line, message } => {
                assert_eq!(line, 1);
                assert!(message.contains("no `metric` column"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
    let o = read_json_lines("o.jsonl", "".as_bytes()).unwrap();
    assert!(evaluate(&manifest(&two), &o, &options("2030-01-01")).is_err());
    // With a metric column and no rows there is nothing wrong, only nothing to measure.
    let r = run(&two, "timestamp,value,metric\n", "2030-01-01").unwrap();
    assert_eq!(r.metrics[0].verdict, Verdict::InsufficientData);
}

#[test]
fn a_metric_declared_twice_is_refused_at_the_second() {
    // The loader refuses this too; the evaluation does not rely on it.
    let mut m = manifest(&(metric("m", "increase", 30, 30) + &metric("n", "decrease", 30, 30)));
    m.spec.success_metrics[1].name = Some("m".into());
    let data = read_csv("o.csv", csv(1.0, 2.0).as_bytes()).unwrap();
    match evaluate(&m, &data, &options("2030-01-01")).unwrap_err() {
        MetricError::Manifest { path, message } => {
            assert_eq!(path, "spec.success_metrics[1].name");
            assert!(message.contains("declared twice"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_endless_line_is_an_error_at_its_line_not_a_read_into_memory() {
    let mut long = String::from("timestamp,value\n2026-12-01,1\n");
    long.push_str(&"9".repeat(MAX_LINE_BYTES + 10));
    long.push('\n');
    let e = read_csv("o.csv", long.as_bytes()).unwrap_err();
    assert_eq!(e.line, 3, "{e}");
    assert!(e.message.contains("longer than"), "{e}");
    let mut long = String::from("{\"timestamp\": \"2026-12-01\", \"value\": 1}\n\n");
    long.push_str(&" ".repeat(MAX_LINE_BYTES + 10));
    let e = read_json_lines("o.jsonl", long.as_bytes()).unwrap_err();
    assert_eq!(e.line, 3, "{e}");

    // /dev/zero has no newline at all: stopped after the first MiB.
    let zero = std::fs::File::open("/dev/zero").unwrap();
    let e = read_csv("/dev/zero", zero.take(64 << 20)).unwrap_err();
    assert_eq!(e.line, 1, "{e}");
    let e = read_file(std::path::Path::new("/dev/zero")).unwrap_err();
    assert!(e.message.contains("longer than"), "{e}");
}

#[cfg(unix)]
#[test]
fn a_fifo_without_a_writer_reads_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("obs.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(read_file(&fifo).map(|o| o.rows.len()));
    });
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("reading a FIFO without a writer must not block");
    let e = result.unwrap_err();
    assert!(e.message.contains("`timestamp` and `value`"), "{e}");
}

#[test]
fn many_distinct_metric_names_read_in_linear_time() {
    let mut s = String::from("timestamp,value,metric\n");
    for i in 0..200_000 {
        s.push_str(&format!("2026-12-01,1,m{i}\n"));
    }
    let t = std::time::Instant::now();
    let o = read_csv("o.csv", s.as_bytes()).unwrap();
    assert_eq!(o.metrics.len(), 200_000);
    assert!(t.elapsed().as_secs() < 20, "{:?}", t.elapsed());
}

#[test]
fn long_values_are_clipped_in_messages() {
    let data = format!("timestamp,value\n2026-12-01,{}\n", "x".repeat(100_000));
    let e = read_csv("o.csv", data.as_bytes()).unwrap_err();
    assert!(e.message.len() < 300, "{}", e.message.len());
    let data = "timestamp,value\n2026-12-01,1\x1b[2J\n";
    let e = read_csv("o.csv", data.as_bytes()).unwrap_err();
    assert!(!e.message.contains('\x1b'), "{e}");
}
