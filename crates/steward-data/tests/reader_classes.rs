//! Siblings of the hostile inputs in `hostile_readers_more.rs`: each test is a class, and
//! checks more than the one input that first showed it.

mod common;

use std::io::Write;
use std::sync::Arc;

use common::{all, file, through_fifo};
use steward_data::{Format, Kind, read};
use steward_stats::Values;

fn numbers(v: &Values) -> Vec<f64> {
    match v {
        Values::Numerical(v) => v.clone(),
        other => panic!("not numbers: {other:?}"),
    }
}

fn error(name: &str, bytes: &[u8], format: Format) -> String {
    let (_d, path) = file(name, bytes);
    match read(&path, format, &all) {
        Ok(d) => panic!("{name}: read {} rows without an error", d.rows),
        Err(e) => e.to_string(),
    }
}

#[test]
fn csv_quotes_that_never_close_are_errors_at_their_line_wherever_they_are() {
    for (text, line) in [
        ("a,b\n1,\"x\n2,y\n3,z\n", 2),
        ("a,b\r\n1,x\r\n2,\"y\r\n3,z\r\n", 3),
        ("\"a,b\n1,2\n", 1),
        ("a,b\n1,2\n3,\"", 3),
        // A doubled quote inside quotes is a quote, not the end.
        ("a,b\n1,\"x\"\"\n2,y\n", 2),
    ] {
        let e = error("open.csv", text.as_bytes(), Format::Csv);
        assert!(
            e.contains("open.csv")
                && e.contains(&format!("line {line}"))
                && e.contains("never closes"),
            "{text:?}: {e}"
        );
        assert!(!e.contains("Io error"), "{e}");
    }
    // Quotes that close, across lines, inside a field or after spaces, are fine.
    for text in [
        "a,b\n1,\"x\ny\"\n2,z\n",
        "a,b\n1,x\"y\n2,z\n",
        "a,b\n1,\"x\"\"y\"\n2,z\n",
        "a,b\n1,\"  \n  \"\n2,z\n",
    ] {
        let (_d, path) = file("closed.csv", text.as_bytes());
        let d = read(&path, Format::Csv, &all).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(d.rows, 2, "{text:?}");
    }
}

#[test]
fn csv_blank_lines_of_spaces_tabs_or_carriage_returns_are_skipped() {
    let (_d, path) = file("blank.csv", b"  \r\na,b\r\n1,x\r\n \t \r\n\r\n2,y\r\n   ");
    let d = read(&path, Format::Csv, &all).unwrap();
    assert_eq!(d.rows, 2);
    // Old Mac line ends, a carriage return alone.
    let (_d, path) = file("cr.csv", b"a,b\r1,x\r \t \r2,y\r");
    let d = read(&path, Format::Csv, &all).unwrap();
    assert_eq!(d.rows, 2);
    // A value of spaces in a one-column file is still a blank line, as pandas has it; but
    // spaces inside quotes are a value.
    let (_d, path) = file("quoted.csv", b"a,b\n1,\"   \"\n2,y\n");
    let d = read(&path, Format::Csv, &all).unwrap();
    assert_eq!(d.rows, 2);
}

#[test]
fn csv_nan_and_infinity_in_every_case_and_sign_are_missing() {
    let mut text = String::from("a\n1\n");
    let spellings = [
        "nan",
        "NaN",
        "NAN",
        "Nan",
        "nAn",
        "-nan",
        "+nan",
        "-NaN",
        "+NAN",
        "inf",
        "-inf",
        "+INF",
        "Infinity",
        "-infinity",
        "+INFINITY",
    ];
    for s in spellings {
        text.push_str(s);
        text.push('\n');
    }
    text.push_str("2\n");
    let (_d, path) = file("nan.csv", text.as_bytes());
    let d = read(&path, Format::Csv, &all).unwrap();
    assert_eq!(d.columns[0].kind, Kind::Number);
    assert_eq!(numbers(&d.columns[0].values), vec![1.0, 2.0]);
    assert_eq!(d.columns[0].missing, spellings.len());
}

#[test]
fn json_lines_non_finite_tokens_are_missing_but_not_inside_strings() {
    let text = "{\"a\": NaN, \"s\": \"NaN\"}\n{\"a\": -Infinity, \"s\": \"Infinity x\"}\n{\"a\": [Infinity], \"s\": \"y\"}\n{\"a\": 3, \"s\": \"y\"}\n";
    let (_d, path) = file("nan.jsonl", text.as_bytes());
    let d = read(&path, Format::JsonLines, &all).unwrap();
    let s = d.columns.iter().find(|c| c.name == "s").unwrap();
    match &s.values {
        Values::Categorical(c) => {
            assert_eq!(c.get("NaN"), Some(&1));
            assert_eq!(c.get("Infinity x"), Some(&1));
        }
        other => panic!("{other:?}"),
    }
    // `a` holds a list on one line: nested, so left out whatever else it holds.
    assert!(d.columns.iter().all(|c| c.name != "a"));
    // A column of only NaN is still numbers, all missing.
    let (_d, path) = file(
        "allnan.jsonl",
        b"{\"a\": NaN, \"b\": 1}\n{\"a\": NaN, \"b\": 2}\n",
    );
    let d = read(&path, Format::JsonLines, &all).unwrap();
    let a = d.columns.iter().find(|c| c.name == "a").unwrap();
    assert_eq!((a.kind, a.missing), (Kind::Number, 2));
}

#[test]
fn json_lines_nested_values_are_left_out_with_a_note_whatever_they_mix_with() {
    for text in [
        "{\"a\": {\"b\": 1}, \"n\": 1}\n{\"a\": \"x\", \"n\": 2}\n",
        "{\"a\": [1, 2], \"n\": 1}\n{\"a\": true, \"n\": 2}\n",
        "{\"a\": {\"b\": 1}, \"n\": 1}\n{\"a\": [1], \"n\": 2}\n",
        "{\"a\": null, \"n\": 1}\n{\"a\": {\"b\": {\"c\": 1}}, \"n\": 2}\n",
    ] {
        let (_d, path) = file("nested.jsonl", text.as_bytes());
        let d = read(&path, Format::JsonLines, &all).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(d.columns.len(), 1, "{text:?}");
        assert_eq!(numbers(&d.columns[0].values), vec![1.0, 2.0]);
        assert_eq!(d.unsupported.len(), 1, "{text:?}");
        assert_eq!(d.unsupported[0].0, "a");
        assert!(d.unsupported[0].1.contains("nested"), "{:?}", d.unsupported);
    }
}

#[test]
fn too_many_columns_are_refused_before_anything_is_kept_per_column() {
    let columns = 100_001;
    let mut csv = Vec::new();
    for i in 0..columns {
        write!(csv, "{}c{i}", if i == 0 { "" } else { "," }).unwrap();
    }
    csv.push(b'\n');
    let e = error("wide.csv", &csv, Format::Csv);
    assert!(
        e.contains("wide.csv") && e.contains("100000 columns"),
        "{e}"
    );
    // JSON Lines: distinct keys across lines count, at the line that passes the limit.
    let mut jsonl = Vec::new();
    for i in 0..columns {
        writeln!(jsonl, "{{\"k{i}\": 1}}").unwrap();
    }
    let e = error("wide.jsonl", &jsonl, Format::JsonLines);
    assert!(e.contains("wide.jsonl") && e.contains("line 100001"), "{e}");
}

#[test]
fn numbers_and_text_in_every_arrow_encoding_are_read() {
    use arrow_array::types::{Int8Type, UInt16Type, UInt64Type};
    use arrow_array::{
        ArrayRef, Decimal128Array, DictionaryArray, Int8Array, RecordBatch, StringViewArray,
        UInt16Array, UInt32Array, UInt64Array,
    };
    let view: ArrayRef = Arc::new(StringViewArray::from(vec!["a", "b", "a", "c"]));
    let dict_view: ArrayRef = Arc::new(
        DictionaryArray::<UInt64Type>::try_new(
            UInt64Array::from(vec![Some(0), None, Some(1), Some(1)]),
            Arc::new(StringViewArray::from(vec!["p", "q"])),
        )
        .unwrap(),
    );
    let dict_int: ArrayRef = Arc::new(
        DictionaryArray::<UInt16Type>::try_new(
            UInt16Array::from(vec![0, 1, 1, 0]),
            Arc::new(UInt32Array::from(vec![Some(7), None])),
        )
        .unwrap(),
    );
    let dict_i8: ArrayRef = Arc::new(
        DictionaryArray::<Int8Type>::try_new(
            Int8Array::from(vec![0, 0, 0, 0]),
            Arc::new(arrow_array::Int64Array::from(vec![5])),
        )
        .unwrap(),
    );
    let decimal: ArrayRef = Arc::new(
        Decimal128Array::from(vec![Some(12345), Some(-1), None, Some(7)])
            .with_precision_and_scale(10, 2)
            .unwrap(),
    );
    let batch = RecordBatch::try_from_iter(vec![
        ("view", view),
        ("dict_view", dict_view),
        ("dict_int", dict_int),
        ("dict_i8", dict_i8),
        ("price", decimal),
    ])
    .unwrap();
    let (_d, path) = file("encodings.arrow", &common::ipc_file(&batch));
    let d = read(&path, Format::ArrowIpc, &all).unwrap();
    assert!(d.unsupported.is_empty(), "{:?}", d.unsupported);
    let col = |n: &str| d.columns.iter().find(|c| c.name == n).unwrap();
    assert_eq!(col("view").kind, Kind::Text);
    assert_eq!(col("dict_view").missing, 1);
    assert_eq!(numbers(&col("dict_int").values), vec![7.0, 7.0]);
    assert_eq!(col("dict_int").missing, 2);
    assert_eq!(numbers(&col("dict_i8").values), vec![5.0; 4]);
    assert_eq!(numbers(&col("price").values), vec![123.45, -0.01, 0.07]);
    // Dates stay out, named.
    let (_d, path) = file("dates.arrow", &common::ipc_file(&common::batch()));
    let d = read(&path, Format::ArrowIpc, &all).unwrap();
    assert_eq!(d.unsupported[0].0, "day");
}

#[test]
fn feather_version_one_is_named() {
    let mut bytes = b"FEA1".to_vec();
    bytes.extend_from_slice(&[0u8; 64]);
    bytes.extend_from_slice(b"FEA1");
    let e = error("old.feather", &bytes, Format::ArrowIpc);
    assert!(e.contains("Feather version 1"), "{e}");
}

/// A Parquet file of `x`, a struct nested `depth` levels, and `y`, in row groups of `group`
/// rows (the arrow writer also stores the Arrow schema in the footer).
fn parquet_with_a_deep_column(depth: usize, rows: usize, group: usize) -> Vec<u8> {
    // The arrow writer (and dropping the nested arrays) recurse once per level.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || write_deep(depth, rows, group))
        .unwrap()
        .join()
        .unwrap()
}

fn write_deep(depth: usize, rows: usize, group: usize) -> Vec<u8> {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StructArray};
    use arrow_schema::{Field, Fields};
    let mut column: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows as i64));
    for _ in 0..depth {
        let field = Arc::new(Field::new("a", column.data_type().clone(), true));
        column = Arc::new(StructArray::new(
            Fields::from(vec![field]),
            vec![column],
            None,
        ));
    }
    let x: ArrayRef = Arc::new(Float64Array::from_iter_values((0..rows).map(|i| i as f64)));
    let y: ArrayRef = Arc::new(Int64Array::from_iter_values(
        (0..rows).map(|i| 2 * i as i64),
    ));
    let batch = RecordBatch::try_from_iter(vec![("x", x), ("deep", column), ("y", y)]).unwrap();
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let mut out = Vec::new();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

#[test]
fn parquet_columns_nested_too_deep_are_left_out_and_the_others_read() {
    for (depth, rows, group) in [
        (65, 10, 3),
        (150, 7, 7),
        (300, 5, 1),
        (64, 4, 2),
        (63, 4, 2),
    ] {
        let bytes = parquet_with_a_deep_column(depth, rows, group);
        let (_d, path) = file("deep.parquet", &bytes);
        let d = read(&path, Format::Parquet, &all).unwrap_or_else(|e| panic!("{depth}: {e}"));
        assert_eq!(d.rows, rows, "{depth}");
        let names: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["x", "y"], "{depth}");
        assert_eq!(
            numbers(&d.columns[1].values),
            (0..rows).map(|i| 2.0 * i as f64).collect::<Vec<_>>()
        );
        assert_eq!(d.unsupported.len(), 1, "{depth}");
        assert_eq!(d.unsupported[0].0, "deep");
        assert!(d.unsupported[0].1.len() < 100, "{:?}", d.unsupported);
        // The leaf is one level below the innermost struct.
        if depth >= 64 {
            assert!(
                d.unsupported[0].1.contains("deeper than 64"),
                "{:?}",
                d.unsupported
            );
        }
        // Only `y` asked for: the deep column is not even named.
        let d = read(&path, Format::Parquet, &|c| c == "y").unwrap();
        assert_eq!((d.columns.len(), d.unsupported.len()), (1, 0));
    }
}

#[test]
fn parquet_deep_columns_are_cut_from_every_row_group() {
    // (Writers stop at 32,767 row groups; `hostile_readers_more.rs` makes a file of 40,000
    // by hand.)
    let bytes = parquet_with_a_deep_column(100, 3_000, 1);
    let (_d, path) = file("groups.parquet", &bytes);
    let d = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!(d.rows, 3_000);
    assert_eq!(d.columns.len(), 2);
    let y = numbers(&d.columns[1].values);
    assert_eq!((y[0], y[1_500], y[2_999]), (0.0, 3_000.0, 5_998.0));
}

#[test]
fn parquet_files_claiming_more_cells_than_their_bytes_can_hold_are_refused_at_once() {
    // The builder of `hostile_readers_more.rs`, smaller: one column of 2^31 nulls is a few
    // hundred bytes.
    let started = std::time::Instant::now();
    let (_d, path) = file("runs.parquet", &null_parquet_one_column(i32::MAX as u32));
    let e = read(&path, Format::Parquet, &all)
        .map(|d| d.rows)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("runs.parquet") && e.contains("values per byte"),
        "{e}"
    );
    assert!(started.elapsed().as_secs() < 5);
    // A million nulls are read.
    let (_d, path) = file("nulls.parquet", &null_parquet_one_column(1 << 20));
    let d = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!((d.rows, d.columns[0].missing), (1 << 20, 1 << 20));
}

/// A Parquet file of one optional DOUBLE column `x` of `n` nulls: one page, one RLE run.
fn null_parquet_one_column(n: u32) -> Vec<u8> {
    let mut rle = vec![];
    varint(&mut rle, u64::from(n) << 1);
    rle.push(0);
    let mut body = (rle.len() as u32).to_le_bytes().to_vec();
    body.extend_from_slice(&rle);
    let mut page = vec![0x15, 0x00]; // type DATA_PAGE
    page.push(0x15);
    zigzag(&mut page, body.len() as i64); // uncompressed
    page.push(0x15);
    zigzag(&mut page, body.len() as i64); // compressed
    page.push(0x2c); // field 5, struct: data_page_header
    page.push(0x15);
    zigzag(&mut page, i64::from(n));
    page.extend_from_slice(&[0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00]);
    page.extend_from_slice(&body);
    let start = 4i64;
    let size = page.len() as i64;
    let mut f = b"PAR1".to_vec();
    f.extend_from_slice(&page);
    let mut t = vec![0x15, 0x02, 0x19, 0x2c]; // version 1; schema: list of 2 structs
    t.extend_from_slice(&[0x48, 0x06]);
    t.extend_from_slice(b"schema");
    t.extend_from_slice(&[0x15, 0x02, 0x00]); // num_children 1
    t.extend_from_slice(&[0x15, 0x0a, 0x25, 0x02, 0x18, 0x01, b'x', 0x00]); // DOUBLE, OPTIONAL, "x"
    t.push(0x16);
    zigzag(&mut t, i64::from(n)); // num_rows
    t.extend_from_slice(&[0x19, 0x1c]); // row_groups: 1 struct
    t.extend_from_slice(&[0x19, 0x1c]); // columns: 1 struct
    t.push(0x26);
    zigzag(&mut t, start); // file_offset
    t.push(0x1c); // meta_data
    t.extend_from_slice(&[
        0x15, 0x0a, 0x19, 0x25, 0x00, 0x06, 0x19, 0x18, 0x01, b'x', 0x15, 0x00,
    ]);
    t.push(0x16);
    zigzag(&mut t, i64::from(n)); // num_values
    t.push(0x16);
    zigzag(&mut t, size);
    t.push(0x16);
    zigzag(&mut t, size);
    t.push(0x26);
    zigzag(&mut t, start); // data_page_offset (field 9)
    t.extend_from_slice(&[0x00, 0x00]); // end meta_data, end column
    t.push(0x16);
    zigzag(&mut t, size); // total_byte_size
    t.push(0x16);
    zigzag(&mut t, i64::from(n)); // num_rows
    t.extend_from_slice(&[0x00, 0x00]); // end row group, end file metadata
    f.extend_from_slice(&t);
    f.extend_from_slice(&(t.len() as u32).to_le_bytes());
    f.extend_from_slice(b"PAR1");
    f
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn zigzag(out: &mut Vec<u8>, v: i64) {
    varint(out, ((v << 1) ^ (v >> 63)) as u64);
}

/// An Arrow stream of `values` zeros with its one values buffer compressed by `codec`, and
/// where its uncompressed length is.
fn compressed_stream(codec: arrow_ipc::CompressionType, values: usize) -> (Vec<u8>, usize) {
    let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "z",
        arrow_schema::DataType::Float64,
        false,
    )]));
    let zeros = arrow_array::RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(arrow_array::Float64Array::from(vec![0.0; values]))],
    )
    .unwrap();
    let options = arrow_ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(codec))
        .unwrap();
    let mut bytes = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new_with_options(&mut bytes, &schema, options)
        .unwrap();
    w.write(&zeros).unwrap();
    w.finish().unwrap();
    drop(w);
    let claim = (values as i64 * 8).to_le_bytes();
    let at = bytes.windows(8).position(|w| w == claim).unwrap();
    (bytes, at)
}

#[test]
fn arrow_compressed_claims_must_be_what_the_buffer_can_produce_in_streams_too() {
    use arrow_ipc::CompressionType;
    // Real buffers read, even zstd ones that expand thousands of times.
    for codec in [CompressionType::LZ4_FRAME, CompressionType::ZSTD] {
        let (bytes, _) = compressed_stream(codec, 1_000_000);
        let (_d, path) = file("zeros.arrows", &bytes);
        let d = read(&path, Format::ArrowIpc, &all).unwrap();
        assert_eq!(d.rows, 1_000_000);
    }
    // Forged: LZ4 past 256 times its size; zstd one byte more or less than it holds.
    for (codec, delta) in [
        (CompressionType::LZ4_FRAME, 100_000_000i64),
        (CompressionType::ZSTD, 1),
        (CompressionType::ZSTD, -1),
    ] {
        let (mut bytes, at) = compressed_stream(codec, 1_000_000);
        let claim = 8_000_000 + delta;
        bytes[at..at + 8].copy_from_slice(&claim.to_le_bytes());
        let e = error("forged.arrows", &bytes, Format::ArrowIpc);
        assert!(
            e.contains("damaged") && e.contains(&claim.to_string()),
            "{e}"
        );
    }
}

#[test]
fn parquet_pages_claiming_more_than_their_codec_can_produce_are_damaged() {
    use arrow_array::{ArrayRef, Float64Array, RecordBatch};
    use parquet::basic::Compression;
    // A real file of each codec reads.
    let x: ArrayRef = Arc::new(Float64Array::from_iter_values(
        (0..50_000).map(|i| (i % 7) as f64),
    ));
    let batch = RecordBatch::try_from_iter(vec![("x", x)]).unwrap();
    for codec in [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(Default::default()),
        Compression::LZ4_RAW,
        Compression::ZSTD(Default::default()),
    ] {
        let (_d, path) = file("ok.parquet", &common::parquet(&batch, codec));
        let d = read(&path, Format::Parquet, &all).unwrap_or_else(|e| panic!("{codec:?}: {e}"));
        assert_eq!(d.rows, 50_000);
    }
}

#[cfg(unix)]
#[test]
fn a_pipe_reads_or_locates_what_its_head_did_not_show() {
    // A JSON Lines key null throughout the head, then numbers: read.
    let mut jsonl = Vec::new();
    for i in 0..1_200_000u32 {
        writeln!(jsonl, "{{\"a\": {}, \"b\": null}}", i % 1000).unwrap();
    }
    assert!(jsonl.len() > 17 << 20);
    for i in 0..10 {
        writeln!(jsonl, "{{\"a\": 1, \"b\": {i}}}").unwrap();
    }
    if let Some(r) = through_fifo("nulls.jsonl", jsonl, Format::JsonLines) {
        let d = r.unwrap();
        let b = d.columns.iter().find(|c| c.name == "b").expect("b is read");
        assert_eq!(numbers(&b.values).len(), 10);
    }
    // A CSV column empty throughout the head, then text: an error at its line, naming it.
    let mut csv = b"a,b\n".to_vec();
    for i in 0..4_000_000u32 {
        writeln!(csv, "{},", i % 1000).unwrap();
    }
    writeln!(csv, "1,late").unwrap();
    if let Some(r) = through_fifo("late.csv", csv, Format::Csv) {
        let e = r.map(|d| d.rows).unwrap_err();
        assert!(
            e.contains("late.csv") && e.contains("line ") && e.contains("`b`"),
            "{e}"
        );
    }
}

#[test]
fn an_arrow_file_with_a_struct_nested_past_the_flatbuffers_limit_says_so() {
    let batch = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StructArray};
            use arrow_schema::{Field, Fields};
            let mut column: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
            for _ in 0..150 {
                let field = Arc::new(Field::new("a", column.data_type().clone(), true));
                column = Arc::new(StructArray::new(
                    Fields::from(vec![field]),
                    vec![column],
                    None,
                ));
            }
            let x: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
            let b = RecordBatch::try_from_iter(vec![("x", x), ("deep", column)]).unwrap();
            (common::ipc_file(&b), common::ipc_stream(&b))
        })
        .unwrap()
        .join()
        .unwrap();
    for (name, bytes) in [("deep.arrow", batch.0), ("deep.arrows", batch.1)] {
        let e = error(name, &bytes, Format::ArrowIpc);
        assert!(e.contains(name) && e.contains("nest"), "{e}");
    }
}

#[test]
fn an_arrow_file_claiming_more_cells_than_its_bytes_can_hold_is_refused_at_once() {
    use arrow_array::{ArrayRef, BooleanArray, RecordBatch};
    let falses: ArrayRef = Arc::new(BooleanArray::from(vec![false; 20_000_000]));
    let columns: Vec<(String, ArrayRef)> =
        (0..20).map(|i| (format!("b{i}"), falses.clone())).collect();
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let bytes = common::ipc_file_compressed(&batch, arrow_ipc::CompressionType::ZSTD);
    assert!(bytes.len() < 200_000, "{}", bytes.len());
    let started = std::time::Instant::now();
    let e = error("falses.arrow", &bytes, Format::ArrowIpc);
    assert!(e.contains("values per byte"), "{e}");
    assert!(started.elapsed().as_secs() < 5);
    // One column of them is few enough to read.
    let (_d, path) = file("falses.arrow", &bytes);
    let d = read(&path, Format::ArrowIpc, &|c| c == "b0").unwrap();
    assert_eq!(d.rows, 20_000_000);
}
