//! Hostile and careless inputs: every one is a located error or a correct read, never a
//! panic, an abort, a hang or a reservation of what a file merely claims.

mod common;

use std::time::{Duration, Instant};

use common::{
    CSV, JSONL, all, arrow_file_claiming_a_huge_body, batch, file, ipc_file, ipc_stream, parquet,
    replace_last,
};
use steward_data::{Format, Kind, read};
use steward_stats::Values;

fn error(path: &std::path::Path, format: Format) -> String {
    match read(path, format, &all) {
        Ok(d) => panic!("read {} columns, expected an error", d.columns.len()),
        Err(e) => e.to_string(),
    }
}

fn numbers(v: &Values) -> Vec<f64> {
    match v {
        Values::Numerical(v) => v.clone(),
        other => panic!("not numbers: {other:?}"),
    }
}

// --- Shapes: wide files are read in batches sized by cells, not by a fixed row count. ---

#[test]
fn a_wide_csv_of_few_rows_is_read() {
    let columns = 2_000;
    let mut text: String = (0..columns).map(|i| format!("c{i},")).collect();
    text.pop();
    text.push('\n');
    for r in 0..10 {
        let row: Vec<String> = (0..columns).map(|i| format!("{}", r * i)).collect();
        text.push_str(&row.join(","));
        text.push('\n');
    }
    let (_d, path) = file("wide.csv", text.as_bytes());
    let data = read(&path, Format::Csv, &all).unwrap();
    assert_eq!((data.rows, data.columns.len()), (10, columns));
    // --columns narrows what is parsed, and the result.
    let data = read(&path, Format::Csv, &|c| c == "c7").unwrap();
    assert_eq!(data.columns.len(), 1);
    assert_eq!(numbers(&data.columns[0].values).len(), 10);
}

#[test]
fn a_wide_json_lines_file_is_read_and_projected() {
    let mut text = String::new();
    for r in 0..5 {
        let fields: Vec<String> = (0..3_000).map(|i| format!("\"f{i}\": {}", r + i)).collect();
        text.push_str(&format!("{{{}}}\n", fields.join(", ")));
    }
    let (_d, path) = file("wide.jsonl", text.as_bytes());
    let data = read(&path, Format::JsonLines, &all).unwrap();
    assert_eq!((data.rows, data.columns.len()), (5, 3_000));
    let data = read(&path, Format::JsonLines, &|c| c == "f9" || c == "f10").unwrap();
    assert_eq!(data.columns.len(), 2);
}

// --- Arrow IPC: declared lengths are checked against the file before anything is reserved. ---

#[test]
fn an_arrow_file_declaring_a_huge_body_is_damaged_not_reserved() {
    let bytes = arrow_file_claiming_a_huge_body();
    let (_d, path) = file("huge.arrow", &bytes);
    let started = Instant::now();
    let e = error(&path, Format::ArrowIpc);
    assert!(e.contains("huge.arrow") && e.contains("damaged"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn an_arrow_stream_declaring_a_huge_body_is_damaged_not_reserved() {
    let b = batch();
    let mut bytes = ipc_stream(&b);
    // The record batch message's body length, as written: find it by reading the stream.
    let body = {
        let mut pos = 0;
        let mut last = 0;
        while pos + 8 <= bytes.len() {
            let len = i32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
            if len == 0 {
                break;
            }
            let m = arrow_ipc::root_as_message(&bytes[pos + 8..pos + 8 + len]).unwrap();
            last = m.bodyLength();
            pos += 8 + len + last as usize;
        }
        last
    };
    replace_last(&mut bytes, &body.to_le_bytes(), &(1i64 << 50).to_le_bytes());
    let (_d, path) = file("huge.arrows", &bytes);
    let e = error(&path, Format::ArrowIpc);
    assert!(e.contains("huge.arrows") && e.contains("damaged"), "{e}");
}

#[test]
fn tiny_or_foreign_files_named_arrow_are_errors() {
    for (name, bytes) in [
        ("eight.arrow", b"ARROW1\0\0".to_vec()),
        ("short.arrow", b"AB".to_vec()),
        ("table.arrow", CSV.as_bytes().to_vec()),
        ("cut.arrow", ipc_file(&batch())[..200].to_vec()),
        ("cut-stream.arrow", ipc_stream(&batch())[..300].to_vec()),
    ] {
        let (_d, path) = file(name, &bytes);
        let e = error(&path, Format::ArrowIpc);
        assert!(e.starts_with(path.to_str().unwrap()), "{e}");
        assert!(e.len() < 400, "{e}");
    }
}

#[test]
fn arrow_files_and_streams_read_back() {
    let b = batch();
    for bytes in [ipc_file(&b), ipc_stream(&b)] {
        let (_d, path) = file("ok.arrow", &bytes);
        let data = read(&path, Format::ArrowIpc, &all).unwrap();
        assert_eq!(data.rows, 4);
        assert_eq!(data.columns.len(), 4);
        // The date column is named as left out, without being decoded.
        assert_eq!(data.unsupported.len(), 1);
        assert_eq!(data.unsupported[0].0, "day");
        let data = read(&path, Format::ArrowIpc, &|c| c == "n").unwrap();
        assert_eq!(data.columns.len(), 1);
        assert!(data.unsupported.is_empty());
    }
}

#[test]
fn compressed_arrow_files_read_and_their_claims_are_checked() {
    let b = batch();
    for codec in [
        arrow_ipc::CompressionType::LZ4_FRAME,
        arrow_ipc::CompressionType::ZSTD,
    ] {
        let bytes = common::ipc_file_compressed(&b, codec);
        let (_d, path) = file("packed.arrow", &bytes);
        let data = read(&path, Format::ArrowIpc, &all).unwrap();
        assert_eq!((data.rows, data.columns.len()), (4, 4));
        assert_eq!(numbers(&data.columns[0].values), vec![1.5, -2.0, 3.25]);
    }
    // A compressed buffer's uncompressed length (an i64 before its bytes), forged to claim
    // 2^40 bytes: refused before anything is reserved. (Ten thousand zeros compress well;
    // four values would be stored uncompressed.)
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "z",
        arrow_schema::DataType::Float64,
        false,
    )]));
    let zeros = arrow_array::RecordBatch::try_new(
        schema,
        vec![std::sync::Arc::new(arrow_array::Float64Array::from(
            vec![0.0; 10_000],
        ))],
    )
    .unwrap();
    let mut bytes = common::ipc_file_compressed(&zeros, arrow_ipc::CompressionType::ZSTD);
    let at = bytes
        .windows(12)
        .position(|w| w[..8] == 80_000i64.to_le_bytes() && w[8..] == [0x28, 0xb5, 0x2f, 0xfd])
        .expect("a zstd frame with its length before it");
    bytes[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
    let (_d, path) = file("forged.arrow", &bytes);
    let e = error(&path, Format::ArrowIpc);
    assert!(e.contains("damaged") && e.contains("uncompressed"), "{e}");
}

#[test]
fn a_row_count_claimed_without_data_is_bounded() {
    // The record batch message's row count (and its columns' lengths), forged to 2^40. With
    // no column decoded, nothing checks the claim against the bytes.
    let mut bytes = ipc_stream(&batch());
    let (start, len) = {
        let first = i32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        let at = 8 + first;
        let len = i32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        (at + 8, len)
    };
    let mut forged = 0;
    for at in start..start + len - 8 {
        if bytes[at..at + 8] == 4i64.to_le_bytes() {
            bytes[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
            forged += 1;
        }
    }
    assert!(forged > 0);
    let (_d, path) = file("rows.arrows", &bytes);
    let e = match read(&path, Format::ArrowIpc, &|_| false) {
        Ok(d) => panic!("read {} rows", d.rows),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("rows.arrows") && e.contains("rows"), "{e}");
}

// --- Parquet: footer and page claims, codecs. ---

#[test]
fn a_parquet_footer_claiming_more_than_the_file_is_damaged() {
    let mut bytes = parquet(&batch(), parquet::basic::Compression::SNAPPY);
    let n = bytes.len();
    bytes[n - 8..n - 4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    let (_d, path) = file("footer.parquet", &bytes);
    let e = error(&path, Format::Parquet);
    assert!(e.contains("footer.parquet") && e.contains("damaged"), "{e}");
}

#[test]
fn a_truncated_parquet_file_is_an_error() {
    let bytes = parquet(&batch(), parquet::basic::Compression::SNAPPY);
    for cut in [4, 12, bytes.len() / 2, bytes.len() - 1] {
        let (_d, path) = file("cut.parquet", &bytes[..cut]);
        let e = error(&path, Format::Parquet);
        assert!(e.contains("cut.parquet"), "{e}");
    }
}

#[test]
fn brotli_parquet_is_read() {
    let level = parquet::basic::BrotliLevel::try_new(5).unwrap();
    let bytes = parquet(&batch(), parquet::basic::Compression::BROTLI(level));
    let (_d, path) = file("brotli.parquet", &bytes);
    let data = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!(data.rows, 4);
    assert_eq!(numbers(&data.columns[0].values), vec![1.5, -2.0, 3.25]);
}

#[test]
fn a_codec_that_is_not_built_in_is_said_so_not_called_damage() {
    // BROTLI (4, zigzag 8) as the codec field (4, an i32 after a list: 0x15) in the footer,
    // turned into LZO (3, zigzag 6).
    let level = parquet::basic::BrotliLevel::try_new(5).unwrap();
    let mut bytes = parquet(&batch(), parquet::basic::Compression::BROTLI(level));
    let n = bytes.len();
    let footer = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize;
    let start = n - 8 - footer;
    let mut changed = 0;
    for i in start..n - 9 {
        if bytes[i] == 0x15 && bytes[i + 1] == 0x08 {
            bytes[i + 1] = 0x06;
            changed += 1;
        }
    }
    assert!(changed > 0);
    let (_d, path) = file("lzo.parquet", &bytes);
    let e = error(&path, Format::Parquet);
    assert!(e.contains("LZO is not built in"), "{e}");
    assert!(!e.contains("damaged"), "{e}");
}

// --- Names: duplicates are refused, empty names are named as pandas names them. ---

#[test]
fn duplicate_column_names_are_refused() {
    let (_d, path) = file("dup.csv", b"x,y,x\n1,2,3\n4,5,6\n");
    let e = error(&path, Format::Csv);
    assert!(
        e.contains("duplicate column name `x` (columns 1 and 3)"),
        "{e}"
    );
    // Leaving the duplicated name out is not ambiguous.
    let data = read(&path, Format::Csv, &|c| c != "x").unwrap();
    assert_eq!(data.columns.len(), 1);

    let b = batch();
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![
        arrow_schema::Field::new("x", arrow_schema::DataType::Float64, true),
        arrow_schema::Field::new("x", arrow_schema::DataType::Int64, true),
    ]));
    let dup =
        arrow_array::RecordBatch::try_new(schema, vec![b.column(0).clone(), b.column(1).clone()])
            .unwrap();
    for (name, bytes, format) in [
        ("dup.arrow", ipc_file(&dup), Format::ArrowIpc),
        (
            "dup.parquet",
            parquet(&dup, parquet::basic::Compression::UNCOMPRESSED),
            Format::Parquet,
        ),
    ] {
        let (_d, path) = file(name, &bytes);
        let e = error(&path, format);
        assert!(
            e.contains("duplicate column name `x` (columns 1 and 2)"),
            "{e}"
        );
    }
}

#[test]
fn one_empty_header_cell_gets_the_name_pandas_gives_it() {
    let (_d, path) = file("empty.csv", b"x,\n1,2\n4,5\n");
    let data = read(&path, Format::Csv, &all).unwrap();
    let names: Vec<&str> = data.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["x", "Unnamed: 1"]);
}

#[test]
fn two_empty_header_cells_are_a_duplicate_name() {
    let (_d, path) = file("empty.csv", b"x,,\n1,2,3\n4,5,6\n");
    let e = error(&path, Format::Csv);
    assert!(
        e.contains("duplicate column name: columns 2 and 3 have no name"),
        "{e}"
    );
}

// --- Non-finite numbers are missing values, as Evidently treats them. ---

#[test]
fn json_numbers_beyond_f64_are_missing_like_infinities() {
    // pandas reads 1e400 as infinity; serde_json refuses it. Strings are left alone.
    let (_d, path) = file(
        "inf.jsonl",
        b"{\"x\": 1, \"s\": \"1e400\"}\n{\"x\": -1e400, \"s\": \"a\\\"1e999\"}\n{\"x\": 2.5e1000, \"s\": \"b\"}\n{\"x\": 2, \"s\": \"c\"}\n",
    );
    let data = read(&path, Format::JsonLines, &all).unwrap();
    let x = data.columns.iter().find(|c| c.name == "x").unwrap();
    assert_eq!(x.kind, Kind::Number);
    assert_eq!(numbers(&x.values), vec![1.0, 2.0]);
    assert_eq!(x.missing, 2);
    let s = data.columns.iter().find(|c| c.name == "s").unwrap();
    assert_eq!(s.kind, Kind::Text);
    assert_eq!(s.missing, 0);
}

#[test]
fn infinities_and_nan_are_missing() {
    let (_d, path) = file(
        "inf.csv",
        b"x\n1\ninf\n-inf\n1e400\nNaN\n2\nInfinity\n-INF\n+inf\n",
    );
    let data = read(&path, Format::Csv, &all).unwrap();
    let x = &data.columns[0];
    assert_eq!(x.kind, Kind::Number);
    assert_eq!(numbers(&x.values), vec![1.0, 2.0]);
    assert_eq!(x.missing, 7);

    let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "x",
        arrow_schema::DataType::Float64,
        true,
    )]));
    let b = arrow_array::RecordBatch::try_new(
        schema,
        vec![std::sync::Arc::new(arrow_array::Float64Array::from(vec![
            1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ]))],
    )
    .unwrap();
    let (_d, path) = file(
        "inf.parquet",
        &parquet(&b, parquet::basic::Compression::UNCOMPRESSED),
    );
    let data = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!(numbers(&data.columns[0].values), vec![1.0]);
    assert_eq!(data.columns[0].missing, 3);
}

// --- Messages: located, short, plain. ---

#[test]
fn json_lines_errors_name_the_line() {
    let (_d, path) = file(
        "bad.jsonl",
        b"{\"x\": 1}\n\n{\"x\": 2}\n{\"x\": \n{\"x\": 4}\n",
    );
    let e = error(&path, Format::JsonLines);
    assert!(e.contains("bad.jsonl") && e.contains("line 4"), "{e}");

    let (_d, path) = file("scalar.jsonl", b"{\"x\": 1}\n5\n");
    let e = error(&path, Format::JsonLines);
    assert!(e.contains("line 2") && e.contains("a JSON number"), "{e}");

    let (_d, path) = file("two.jsonl", b"{\"x\": 1}\n{\"x\": 2} {\"x\": 3}\n");
    let e = error(&path, Format::JsonLines);
    assert!(e.contains("line 2"), "{e}");
}

#[test]
fn a_json_array_is_a_short_error() {
    let mut text = String::from("[");
    for i in 0..200_000 {
        text.push_str(&format!("{{\"x\": {i}, \"name\": \"row {i}\"}},"));
    }
    text.pop();
    text.push(']');
    let (_d, path) = file("array.json", text.as_bytes());
    let e = error(&path, Format::JsonLines);
    assert!(
        e.contains("a JSON array, expected JSON Lines: one object per line"),
        "{e}"
    );
    assert!(e.len() < 300, "{} bytes", e.len());
}

#[test]
fn errors_never_echo_a_whole_value() {
    let big = "a".repeat(20 << 20);
    // A row with one field too many, holding a 20 MB cell.
    let text = format!("x,y\n1,2\n3,4,{big}\n");
    let (_d, path) = file("big.csv", text.as_bytes());
    let e = error(&path, Format::Csv);
    assert!(e.len() < 1_000, "{} bytes", e.len());
    assert!(e.contains("big.csv") && e.contains("line 3"), "{e}");

    let text = format!("{{\"x\": \"{big}\"}}\n{{\"x\": \"{big}\n");
    let (_d, path) = file("big.jsonl", text.as_bytes());
    let e = error(&path, Format::JsonLines);
    assert!(e.len() < 1_000, "{} bytes", e.len());
    assert!(e.contains("line 2"), "{e}");
}

#[test]
fn the_valid_fixtures_read() {
    let (_d, path) = file("ok.csv", CSV.as_bytes());
    let data = read(&path, Format::Csv, &all).unwrap();
    assert_eq!((data.rows, data.columns.len()), (4, 4));
    assert_eq!(numbers(&data.columns[0].values), vec![1.5, -2.0, 3.25]);
    let (_d, path) = file("ok.jsonl", JSONL.as_bytes());
    let data = read(&path, Format::JsonLines, &all).unwrap();
    assert_eq!((data.rows, data.columns.len()), (4, 4));
    let (_d, path) = file(
        "ok.parquet",
        &parquet(
            &batch(),
            parquet::basic::Compression::ZSTD(Default::default()),
        ),
    );
    let data = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!(
        (data.rows, data.columns.len(), data.unsupported.len()),
        (4, 4, 1)
    );
}

// --- Inputs that are not regular files. ---

#[cfg(unix)]
#[test]
fn a_fifo_without_a_writer_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let path = fifo.clone();
    std::thread::spawn(move || {
        let csv = read(&path, Format::Csv, &all)
            .map(|_| ())
            .map_err(|e| e.to_string());
        let pq = read(&path, Format::Parquet, &all)
            .map(|_| ())
            .map_err(|e| e.to_string());
        let _ = tx.send((csv, pq));
    });
    let (csv, pq) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("reading a FIFO without a writer hangs");
    assert!(csv.unwrap_err().contains("empty"));
    assert!(pq.unwrap_err().contains("regular file"));
}

#[cfg(unix)]
#[test]
fn a_pipe_with_a_writer_streams_csv() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            // Opening for writing waits for the reader.
            let mut f = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
            use std::io::Write;
            f.write_all(CSV.as_bytes()).unwrap();
        })
    };
    // Give the writer a moment to open its end, so the reader sees the data.
    std::thread::sleep(Duration::from_millis(200));
    let data = read(&fifo, Format::Csv, &all);
    writer.join().unwrap();
    let data = data.unwrap();
    assert_eq!((data.rows, data.columns.len()), (4, 4));
}

#[cfg(unix)]
#[test]
fn a_device_is_refused_at_once() {
    let e = error(std::path::Path::new("/dev/zero"), Format::Csv);
    assert!(e.contains("/dev/zero") && e.contains("device"), "{e}");
    let e = error(std::path::Path::new("/dev/zero"), Format::JsonLines);
    assert!(e.contains("device"), "{e}");
}

#[test]
fn a_folder_and_an_empty_file_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let e = error(dir.path(), Format::Csv);
    assert!(e.contains("folder"), "{e}");
    let (_d, path) = file("empty.csv", b"");
    assert!(error(&path, Format::Csv).contains("empty"));
    let (_d, path) = file("header.csv", b"x,y\n");
    assert!(error(&path, Format::Csv).contains("no rows"));
}

#[test]
fn a_parquet_page_claiming_a_huge_uncompressed_size_is_refused() {
    // Two megabytes of zeros in one page, plainly encoded and zstd-compressed to a few dozen bytes: the
    // page header's uncompressed size (field 2, after the page type at offset 4) is a
    // four-byte varint, which can be rewritten in place to claim ~100 MB.
    let schema = std::sync::Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "z",
        arrow_schema::DataType::Int64,
        false,
    )]));
    let zeros = arrow_array::Int64Array::from(vec![0i64; 262_144]);
    let b = arrow_array::RecordBatch::try_new(schema.clone(), vec![std::sync::Arc::new(zeros)])
        .unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
        .set_dictionary_enabled(false)
        .set_data_page_size_limit(4 << 20)
        .set_data_page_row_count_limit(usize::MAX)
        .build();
    let mut bytes = Vec::new();
    let mut w = parquet::arrow::ArrowWriter::try_new(&mut bytes, schema, Some(props)).unwrap();
    w.write(&b).unwrap();
    w.close().unwrap();
    // Unchanged, the page (2 MiB from a few hundred bytes) is a plausible one.
    let (_d, path) = file("zeros.parquet", &bytes);
    assert_eq!(read(&path, Format::Parquet, &all).unwrap().rows, 262_144);
    assert_eq!(
        &bytes[4..7],
        &[0x15, 0x00, 0x15],
        "a data page header at offset 4"
    );
    assert!(
        bytes[7..10].iter().all(|b| b & 0x80 != 0) && bytes[10] & 0x80 == 0,
        "{:02x?}",
        &bytes[..24]
    );
    let claim: u32 = 100 << 20;
    let zigzag = claim << 1;
    for (k, at) in (7..11).enumerate() {
        let part = ((zigzag >> (7 * k)) & 0x7f) as u8;
        bytes[at] = if k < 3 { part | 0x80 } else { part };
    }
    let (_d, path) = file("claims.parquet", &bytes);
    let e = error(&path, Format::Parquet);
    assert!(e.contains("damaged") && e.contains("uncompressed"), "{e}");
    assert!(e.contains(&format!("claims {claim} bytes")), "{e}");
}

/// Inputs the mutation tests once found to crash or abort, kept so they stay errors.
#[test]
fn past_fuzz_findings_are_errors() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let format = Format::of(&path).unwrap();
        let e = error(&path, format);
        assert!(e.contains("damaged"), "{e}");
        seen += 1;
    }
    assert!(seen > 0);
}

#[test]
fn a_file_name_with_an_escape_sequence_is_shown_escaped() {
    let (_d, path) = file("a\u{1b}[2Jb.csv", b"x,x\n1,2\n");
    let e = error(&path, Format::Csv);
    assert!(!e.contains('\u{1b}'), "{e:?}");
    assert!(e.contains("a\\u{1b}[2Jb.csv"), "{e}");
}
