//! Profiling as the input streams past, a chunk at a time: one chunk gives exactly the
//! profile of the whole input read at once; several chunks give the same counts, moments
//! and extremes, and quantiles within the rank error the profile reports.

mod common;

use std::io::Read;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use sha2::{Digest, Sha256};
use steward_data::drift::{profile, profile_source};
use steward_data::{
    DataError, Format, Problem, Source, StreamProfileOptions, StreamedProfile, profile_stream,
    read_from,
};
use steward_stats::profile::Profile;

const WHEN: &str = "2026-12-08T00:00:00Z";

fn cli_data(name: &str) -> Vec<u8> {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../steward-cli/tests/data")
        .join(name);
    std::fs::read(path).unwrap()
}

/// A deterministic stream of numbers in [0, 1).
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Numbers with missing cells, small integers, five categories and booleans.
fn csv(rows: usize, seed: u64) -> String {
    let mut next = uniform(seed);
    let mut out = String::from("x,n,cat,flag\n");
    for i in 0..rows {
        let x = if i % 97 == 0 {
            String::new()
        } else {
            format!("{:.4}", next() * 100.0 - 20.0)
        };
        let cat = ["a", "b", "c", "d", "e"][(next() * 5.0) as usize % 5];
        out.push_str(&format!("{x},{},{cat},{}\n", i % 13, i % 3 == 0));
    }
    out
}

/// The same kinds of columns as [`csv`], as one record batch.
fn batch(rows: usize, seed: u64) -> RecordBatch {
    let mut next = uniform(seed);
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, true),
        Field::new("n", DataType::Int64, false),
        Field::new("cat", DataType::Utf8, true),
    ]));
    let x: Float64Array = (0..rows)
        .map(|i| (i % 89 != 0).then(|| next() * 10.0))
        .collect();
    let n: Int64Array = (0..rows).map(|i| Some((i % 41) as i64)).collect();
    let cat: StringArray = (0..rows)
        .map(|i| Some(format!("k{}", (next() * 30.0) as usize + i % 2)))
        .collect();
    let columns: Vec<ArrayRef> = vec![Arc::new(x), Arc::new(n), Arc::new(cat)];
    RecordBatch::try_new(schema, columns).unwrap()
}

fn parquet_in_groups(batch: &RecordBatch, group_rows: usize) -> Vec<u8> {
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let mut out = Vec::new();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
    out
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn reader(bytes: Vec<u8>) -> Source {
    Source::Reader(Box::new(std::io::Cursor::new(bytes)))
}

/// `drift::profile` of `read_from`, as `steward profile` makes it today.
fn whole(bytes: &[u8], format: Format) -> Profile {
    let data = read_from(
        Source::Bytes(bytes.to_vec().into()),
        "input",
        format,
        &|_| true,
    )
    .unwrap();
    profile(
        &data,
        profile_source(&data, format, WHEN, Some(sha256(bytes))),
    )
}

fn options(chunk_cells: usize) -> StreamProfileOptions {
    StreamProfileOptions {
        chunk_cells,
        ..StreamProfileOptions::new(WHEN)
    }
}

fn streamed(source: Source, format: Format, chunk_cells: usize) -> StreamedProfile {
    profile_stream(source, "input", format, &|_| true, &options(chunk_cells)).unwrap()
}

fn json(p: &Profile) -> String {
    serde_json::to_string(p).unwrap()
}

#[test]
fn one_chunk_is_the_whole_read_profile_in_every_format() {
    let many = batch(20_000, 5);
    let cases: Vec<(&str, Format, Vec<u8>)> = vec![
        ("csv", Format::Csv, csv(5000, 1).into_bytes()),
        ("csv", Format::Csv, common::CSV.as_bytes().to_vec()),
        ("jsonl", Format::JsonLines, cli_data("small-current.jsonl")),
        (
            "jsonl",
            Format::JsonLines,
            common::JSONL.as_bytes().to_vec(),
        ),
        ("parquet", Format::Parquet, cli_data("small.parquet")),
        ("parquet", Format::Parquet, parquet_in_groups(&many, 3000)),
        (
            "parquet",
            Format::Parquet,
            common::parquet(&common::batch(), parquet::basic::Compression::SNAPPY),
        ),
        ("arrow", Format::ArrowIpc, cli_data("small-current.arrow")),
        (
            "arrow",
            Format::ArrowIpc,
            common::ipc_file(&common::batch()),
        ),
        ("arrow", Format::ArrowIpc, common::ipc_stream(&many)),
    ];
    for (extension, format, bytes) in cases {
        let expected = whole(&bytes, format);
        let data = read_from(
            Source::Bytes(bytes.clone().into()),
            "input",
            format,
            &|_| true,
        )
        .unwrap();
        let from_bytes = streamed(Source::Bytes(bytes.clone().into()), format, usize::MAX);
        assert_eq!(from_bytes.chunks, 1);
        assert_eq!(from_bytes.bytes, bytes.len() as u64);
        assert_eq!(from_bytes.unsupported, data.unsupported, "{format:?}");
        assert_eq!(json(&from_bytes.profile), json(&expected), "{format:?}");
        // The default chunk holds these inputs whole as well.
        let by_default = profile_stream(
            Source::Bytes(bytes.clone().into()),
            "input",
            format,
            &|_| true,
            &StreamProfileOptions::new(WHEN),
        )
        .unwrap();
        assert_eq!(json(&by_default.profile), json(&expected), "{format:?}");
        let (_dir, path) = common::file(&format!("data.{extension}"), &bytes);
        let from_path = streamed(Source::Path(path), format, usize::MAX);
        assert_eq!(json(&from_path.profile), json(&expected), "{format:?}");
    }
    // From a reader (a request body): text formats and an Arrow stream.
    let readable: Vec<(Format, Vec<u8>)> = vec![
        (Format::Csv, csv(5000, 2).into_bytes()),
        (Format::JsonLines, cli_data("small-current.jsonl")),
        (Format::ArrowIpc, common::ipc_stream(&many)),
    ];
    for (format, bytes) in readable {
        let expected = whole(&bytes, format);
        let got = streamed(reader(bytes.clone()), format, usize::MAX);
        assert_eq!(got.bytes, bytes.len() as u64);
        assert_eq!(json(&got.profile), json(&expected), "{format:?}");
    }
}

/// Every probe's rank in the summary is within its reported rank error of the true one.
fn assert_ranks_within_bound(
    name: &str,
    summary: &steward_stats::quantiles::QuantileSummary,
    data: &[f64],
) {
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    for i in (0..sorted.len()).step_by(97).chain([sorted.len() - 1]) {
        let x = sorted[i];
        let truth = sorted.partition_point(|v| *v <= x) as f64 / n;
        let got = summary.rank(x);
        assert!(
            (got - truth).abs() <= summary.rank_error + 1e-12,
            "{name}: rank of {x} is {got}, truly {truth}; bound {}",
            summary.rank_error
        );
    }
}

#[test]
fn many_chunks_keep_counts_moments_and_extremes_and_bound_quantiles() {
    let text = csv(60_000, 7);
    let expected = whole(text.as_bytes(), Format::Csv);
    let got = streamed(reader(text.clone().into_bytes()), Format::Csv, 20_000);
    assert_eq!(got.chunks, 12, "5,000 rows of 4 columns a chunk");
    let got = got.profile;
    assert_eq!(got.rows, expected.rows);
    assert_eq!(
        got.source.as_ref().unwrap().sha256,
        expected.source.as_ref().unwrap().sha256
    );
    let data = read_from(
        Source::Bytes(text.into_bytes().into()),
        "input",
        Format::Csv,
        &|_| true,
    )
    .unwrap();
    assert_eq!(got.columns.len(), 4);
    let mut summarized = 0;
    for ((a, b), column) in got.columns.iter().zip(&expected.columns).zip(&data.columns) {
        assert_eq!(
            (&a.name, a.kind, a.integer, a.count, a.missing),
            (&b.name, b.kind, b.integer, b.count, b.missing)
        );
        assert_eq!(a.values, b.values, "exact counts of {}", a.name);
        // HLL sketches merge into a union whose estimate may differ a little from the one
        // sketch of everything (lg_k 12: a standard error of about 1.6%).
        let off = (a.distinct_estimate - b.distinct_estimate).abs();
        assert!(
            off <= 0.03 * b.distinct_estimate,
            "{}: {} distinct vs {}",
            a.name,
            a.distinct_estimate,
            b.distinct_estimate
        );
        if let (Some(x), Some(y)) = (&a.numeric, &b.numeric) {
            assert_eq!((x.min, x.max), (y.min, y.max));
            let rel = |p: f64, q: f64| (p - q).abs() / q.abs().max(1e-300);
            assert!(
                rel(x.mean, y.mean) < 1e-12,
                "{}: {} vs {}",
                a.name,
                x.mean,
                y.mean
            );
            assert!(rel(x.m2, y.m2) < 1e-9, "{}: {} vs {}", a.name, x.m2, y.m2);
            assert_eq!(x.quantiles.count(), a.count);
            if let steward_stats::Values::Numerical(values) = &column.values {
                assert_ranks_within_bound(&a.name, &x.quantiles, values);
                if a.name == "x" {
                    // Compacted in every chunk, so the bound is real, not zero.
                    assert!(x.rank_error > 0.0);
                    summarized += 1;
                }
            }
        }
    }
    assert_eq!(summarized, 1);
    got.validate().unwrap();
}

#[test]
fn many_chunks_of_a_parquet_file_of_many_row_groups() {
    let b = batch(40_000, 11);
    let bytes = parquet_in_groups(&b, 3000);
    let expected = whole(&bytes, Format::Parquet);
    let got = streamed(Source::Bytes(bytes.into()), Format::Parquet, 10_000);
    assert!(got.chunks >= 12, "{} chunks", got.chunks);
    for (a, e) in got.profile.columns.iter().zip(&expected.columns) {
        assert_eq!(
            (a.count, a.missing, a.integer),
            (e.count, e.missing, e.integer)
        );
        assert_eq!(a.values, e.values, "{}", a.name);
        if let (Some(x), Some(y)) = (&a.numeric, &e.numeric) {
            assert_eq!((x.min, x.max), (y.min, y.max));
        }
    }
    got.profile.validate().unwrap();
}

#[test]
fn distinct_text_across_chunks_moves_to_a_sketch_as_a_whole_read_does() {
    // Each chunk holds fewer distinct ids than a profile counts exactly; all of them do not.
    let mut text = String::from("id,v\n");
    for i in 0..30_000 {
        text.push_str(&format!("user-{i},{}\n", i % 7));
    }
    let expected = whole(text.as_bytes(), Format::Csv);
    let got = streamed(reader(text.into_bytes()), Format::Csv, 16_000);
    assert_eq!(got.chunks, 4);
    let (a, e) = (&got.profile.columns[0], &expected.columns[0]);
    assert!(e.values.is_none() && e.frequent_items.is_some());
    assert!(a.values.is_none(), "exact counts kept past their limit");
    assert!(a.frequent_items.is_some() && a.frequent.is_empty());
    assert_eq!(a.count, 30_000);
    let size = |c: &steward_stats::profile::ColumnProfile| serde_json::to_string(c).unwrap().len();
    assert!(size(a) <= 2 * size(e), "{} vs {}", size(a), size(e));
    assert!((a.distinct_estimate - 30_000.0).abs() < 1500.0);
    got.profile.validate().unwrap();
}

#[test]
fn text_too_long_to_sketch_keeps_no_counts_as_a_whole_read_keeps_none() {
    // 11,000 distinct values of 7 KB: past exact counts, and a frequent-items sketch of
    // them would pass its size limit.
    let mut text = String::from("blob,v\n");
    for i in 0..11_000 {
        text.push_str(&format!("v{i:0>7000},{}\n", i % 3));
    }
    let expected = whole(text.as_bytes(), Format::Csv);
    let got = streamed(reader(text.into_bytes()), Format::Csv, 1_000);
    assert_eq!(got.chunks, 22);
    let (a, e) = (&got.profile.columns[0], &expected.columns[0]);
    assert_eq!(e.kind, steward_stats::profile::ProfileKind::Text);
    assert!(e.values.is_none() && e.frequent_items.is_none() && e.frequent.is_empty());
    assert!(a.values.is_none() && a.frequent_items.is_none());
    assert!(
        a.frequent.is_empty(),
        "{} values kept as most frequent",
        a.frequent.len()
    );
    assert_eq!((a.count, a.missing), (e.count, e.missing));
    got.profile.validate().unwrap();
}

/// A CSV body made on the fly, a row at a time, never held whole: `row` writes row `i`.
struct Body<F: FnMut(u64, &mut Vec<u8>)> {
    rows: u64,
    next: u64,
    row: F,
    line: Vec<u8>,
    at: usize,
}

impl<F: FnMut(u64, &mut Vec<u8>)> Body<F> {
    fn new(header: &str, rows: u64, row: F) -> Body<F> {
        Body {
            rows,
            next: 0,
            row,
            line: format!("{header}\n").into_bytes(),
            at: 0,
        }
    }
}

impl<F: FnMut(u64, &mut Vec<u8>)> Read for Body<F> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            if self.at == self.line.len() {
                if self.next == self.rows {
                    break;
                }
                self.line.clear();
                (self.row)(self.next, &mut self.line);
                self.line.push(b'\n');
                self.next += 1;
                self.at = 0;
            }
            let k = (self.line.len() - self.at).min(buf.len() - n);
            buf[n..n + k].copy_from_slice(&self.line[self.at..self.at + k]);
            self.at += k;
            n += k;
        }
        Ok(n)
    }
}

#[test]
fn a_bad_value_mid_stream_is_an_error_at_its_line_and_column() {
    // Past the first 16 MiB, which decide a stream's types: the column is a number by then.
    let bad = 2_000_000u64;
    let body = Body::new("x,n", bad + 10, move |i, out| {
        if i == bad {
            out.extend_from_slice(b"oops,1");
        } else {
            out.extend_from_slice(format!("{}.125,{}", i % 1000, i % 7).as_bytes());
        }
    });
    let err = profile_stream(
        Source::Reader(Box::new(body)),
        "body",
        Format::Csv,
        &|_| true,
        &options(100_000),
    )
    .unwrap_err();
    assert_eq!(err.problem(), Some(Problem::Invalid), "{err}");
    let at = err.location().unwrap();
    // The header is line 1.
    assert_eq!(at.line, Some(bad + 2), "{err}");
    assert_eq!(at.column.as_deref(), Some("x"), "{err}");
}

#[test]
fn a_damaged_row_is_the_error_a_whole_read_gives() {
    let mut text = csv(30_000, 3);
    text.push_str("1.0,2,a,true,extra\n");
    text.push_str(&csv(100, 4)[13..]);
    let expected = read_from(
        reader(text.clone().into_bytes()),
        "body",
        Format::Csv,
        &|_| true,
    )
    .unwrap_err();
    let err = profile_stream(
        reader(text.into_bytes()),
        "body",
        Format::Csv,
        &|_| true,
        &options(10_000),
    )
    .unwrap_err();
    assert!(matches!(err, DataError::Input { .. }), "{err:?}");
    assert_eq!(err.to_string(), expected.to_string());
    assert_eq!(err.location(), expected.location());
    assert!(err.to_string().contains("30002"), "{err}");
}

#[test]
fn an_input_without_rows_is_refused_as_a_whole_read_refuses_it() {
    let cases: Vec<(Format, Vec<u8>)> = vec![
        (Format::Csv, b"a,b\n".to_vec()),
        (Format::ArrowIpc, common::ipc_stream(&batch(0, 1))),
    ];
    for (format, bytes) in cases {
        let expected = read_from(reader(bytes.clone()), "body", format, &|_| true).unwrap_err();
        let err = profile_stream(
            reader(bytes),
            "body",
            format,
            &|_| true,
            &StreamProfileOptions::new(WHEN),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), expected.to_string());
        assert_eq!(err.problem(), Some(Problem::Invalid));
    }
    let err = profile_stream(
        reader(Vec::new()),
        "body",
        Format::Csv,
        &|_| true,
        &options(10),
    )
    .unwrap_err();
    assert_eq!(err.problem(), Some(Problem::Invalid), "{err}");
}

#[test]
fn more_columns_than_a_profile_holds_are_refused_before_any_row() {
    let width = steward_stats::profile::MAX_COLUMNS + 1;
    let header: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
    // 64 MB of rows follow: the refusal comes from the schema, before any is profiled.
    let row = vec!["1"; width].join(",");
    let body = Body::new(&header.join(","), u64::MAX, move |_, out| {
        out.extend_from_slice(row.as_bytes())
    });
    let err = profile_stream(
        Source::Reader(Box::new(body.take(64 << 20))),
        "body",
        Format::Csv,
        &|_| true,
        &StreamProfileOptions::new(WHEN),
    )
    .unwrap_err();
    assert_eq!(err.problem(), Some(Problem::TooLarge), "{err}");
    assert!(err.to_string().contains("20000"), "{err}");
    // A caller may set a lower limit, never a higher one.
    let narrow = StreamProfileOptions {
        max_columns: 3,
        ..StreamProfileOptions::new(WHEN)
    };
    let err = profile_stream(
        reader(csv(10, 1).into_bytes()),
        "body",
        Format::Csv,
        &|_| true,
        &narrow,
    )
    .unwrap_err();
    assert_eq!(err.problem(), Some(Problem::TooLarge), "{err}");
    let kept = profile_stream(
        reader(csv(10, 1).into_bytes()),
        "body",
        Format::Csv,
        &|c| c != "flag",
        &narrow,
    )
    .unwrap();
    assert_eq!(kept.profile.columns.len(), 3);
}

/// The reader's limit on Parquet from a stream holds here too.
#[test]
fn a_parquet_reader_is_refused() {
    let bytes = parquet_in_groups(&batch(10, 1), 5);
    let err = profile_stream(
        reader(bytes),
        "body",
        Format::Parquet,
        &|_| true,
        &options(10),
    )
    .unwrap_err();
    assert_eq!(err.problem(), Some(Problem::Unsupported), "{err}");
}

#[test]
fn damaged_bytes_in_any_format_are_errors_or_profiles_never_panics() {
    let cases: Vec<(Format, Vec<u8>)> = vec![
        (Format::Csv, csv(300, 9).into_bytes()),
        (Format::JsonLines, cli_data("small-current.jsonl")),
        (Format::Parquet, parquet_in_groups(&batch(300, 2), 50)),
        (Format::ArrowIpc, common::ipc_stream(&batch(300, 3))),
    ];
    let mut next = uniform(42);
    for (format, bytes) in cases {
        for round in 0..150 {
            let mut damaged = bytes.clone();
            for _ in 0..1 + round % 4 {
                let at = (next() * damaged.len() as f64) as usize % damaged.len();
                damaged[at] = (next() * 256.0) as u8;
            }
            if round % 5 == 0 {
                damaged.truncate((next() * damaged.len() as f64) as usize);
            }
            let make = |bytes: Vec<u8>| match format {
                Format::Csv | Format::JsonLines if round % 2 == 0 => reader(bytes),
                _ => Source::Bytes(bytes.into()),
            };
            let expected = read_from(make(damaged.clone()), "body", format, &|_| true);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                profile_stream(make(damaged), "body", format, &|_| true, &options(64))
            }));
            // The same reader runs either way: the same input fails the same way.
            match (outcome, expected) {
                (Ok(Ok(p)), Ok(d)) => assert_eq!(p.profile.rows, d.rows as u64),
                (Ok(Err(e)), Err(x)) => assert_eq!(e.to_string(), x.to_string()),
                (Ok(got), expected) => panic!(
                    "{format:?}, round {round}: {:?} streamed, {:?} whole",
                    got.err(),
                    expected.err()
                ),
                (Err(_), _) => panic!("{format:?}, round {round}: a panic"),
            }
        }
    }
}

/// Peak memory of the whole process, from the kernel.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// A CSV body of about 800 MB, ten numeric columns, streamed through a reader: the whole
/// read would hold 960 MB of values; the streamed profile holds a chunk. Alone in its
/// process, so the peak is its own: run it in release mode with
/// `cargo test --release -p steward-data --test profile_stream -- --ignored --nocapture`.
#[test]
#[ignore]
fn a_large_body_through_a_reader_keeps_memory_flat() {
    let rows = 12_000_000u64;
    // Rows come from a table of lines made first, so the time measured is the profiler's,
    // not the formatting of numbers.
    let lines: Vec<String> = (0..4093u64)
        .map(|i| {
            let v = (i.wrapping_mul(2654435761) % 100_000) as f64 / 1000.0;
            format!(
                "{v},{},{},{},{},{},{},{},{},{}",
                i % 7,
                v * 3.0,
                i % 11,
                v - 50.0,
                i % 13,
                v / 7.0,
                i % 17,
                -v,
                i % 19
            )
        })
        .collect();
    let body = Body::new("a,b,c,d,e,f,g,h,i,j", rows, move |i, out| {
        out.extend_from_slice(lines[(i % 4093) as usize].as_bytes())
    });
    let started = std::time::Instant::now();
    let p = profile_stream(
        Source::Reader(Box::new(body)),
        "body",
        Format::Csv,
        &|_| true,
        &StreamProfileOptions::new(WHEN),
    )
    .unwrap();
    let secs = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib();
    println!(
        "{} rows x 10 columns, {} MB, in {secs:.2} s: {:.0} rows/s, {:.0} MB/s; {} chunks; peak RSS {peak:?} MiB",
        p.profile.rows,
        p.bytes / 1_000_000,
        p.profile.rows as f64 / secs,
        p.bytes as f64 / 1e6 / secs,
        p.chunks
    );
    assert_eq!(p.profile.rows, rows);
    assert!(p.chunks >= 15, "{} chunks", p.chunks);
    assert!(p.profile.source.unwrap().sha256.is_some());
    if let Some(peak) = peak {
        // A chunk of 8 million values is 64 MB, sorted once more per column while it is
        // profiled; the body's first 16 MiB are held to decide the types.
        assert!(peak < 400.0, "peak RSS {peak:.0} MiB");
    }
}
