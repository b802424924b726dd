//! More hostile and careless inputs, found after the readers were hardened: each test is one
//! class that once broke them (an abort, a hang, a column dropped without a word, a valid
//! file refused). `reader_classes.rs` holds more inputs of the same classes.
//!
//! A class whose failure is an abort (a stack overflow, a failed allocation) cannot be caught
//! in-process: such a test runs its body in a fresh copy of this test binary (under
//! `prlimit --as` when a memory cap is part of the claim) and fails on the child's status.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{all, file, through_fifo};
use steward_data::{Format, Kind, read};
use steward_stats::Values;

const CHILD: &str = "STEWARD_HOSTILE_MORE_CHILD";

/// Runs `body` here when this process is the child started for `test`; otherwise starts that
/// child (this binary, only `test`, ignored or not) with an address-space cap of `cap` bytes
/// when `prlimit` is available, and asserts it ran the test and passed within `limit`.
fn in_child(test: &str, cap: Option<u64>, limit: Duration, body: impl FnOnce()) {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        body();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let prlimit = cap.is_some()
        && Command::new("prlimit")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    let mut cmd = if prlimit {
        let mut c = Command::new("prlimit");
        c.arg(format!("--as={}", cap.unwrap())).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    cmd.args([
        test,
        "--exact",
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD, test)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail = |s: &str| {
        s.chars()
            .rev()
            .take(1500)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>()
    };
    let Some(status) = status else {
        panic!(
            "{test}: still running after {limit:?} (a hang)\n{}",
            tail(&stderr)
        );
    };
    assert!(
        status.success() && stdout.contains("1 passed"),
        "{test}: the child ended with {status:?} (an abort is signal 6 or exit 134)\nstdout: {}\nstderr: {}",
        tail(&stdout),
        tail(&stderr)
    );
}

fn numbers(v: &Values) -> Vec<f64> {
    match v {
        Values::Numerical(v) => v.clone(),
        other => panic!("not numbers: {other:?}"),
    }
}

const GIB: u64 = 1 << 30;

// --- Arrow IPC stream: compressed buffers' declared lengths are not checked. ---

/// The file format's compressed buffers are checked against a bound (`check_message`), but
/// `check_stream` only walks message and body lengths: a stream whose zstd or LZ4 buffer
/// claims 2^40 bytes uncompressed makes arrow-ipc reserve 2^40 bytes and the process abort
/// ("memory allocation of 1099511627776 bytes failed", exit 134). Mutation fuzzing of a
/// pyarrow LZ4 or zstd stream hits this in about 5% of 1-4 byte mutations.
#[test]
fn an_arrow_stream_with_a_compressed_buffer_claiming_2_pow_40_bytes_is_damaged() {
    in_child(
        "an_arrow_stream_with_a_compressed_buffer_claiming_2_pow_40_bytes_is_damaged",
        Some(GIB),
        Duration::from_secs(60),
        || {
            let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
                "z",
                arrow_schema::DataType::Float64,
                false,
            )]));
            let zeros = arrow_array::RecordBatch::try_new(
                schema.clone(),
                vec![Arc::new(arrow_array::Float64Array::from(vec![0.0; 10_000]))],
            )
            .unwrap();
            for (codec, magic) in [
                (arrow_ipc::CompressionType::ZSTD, [0x28u8, 0xb5, 0x2f, 0xfd]),
                (
                    arrow_ipc::CompressionType::LZ4_FRAME,
                    [0x04, 0x22, 0x4d, 0x18],
                ),
            ] {
                let options = arrow_ipc::writer::IpcWriteOptions::default()
                    .try_with_compression(Some(codec))
                    .unwrap();
                let mut bytes = Vec::new();
                let mut w = arrow_ipc::writer::StreamWriter::try_new_with_options(
                    &mut bytes, &schema, options,
                )
                .unwrap();
                w.write(&zeros).unwrap();
                w.finish().unwrap();
                drop(w);
                let at = bytes
                    .windows(12)
                    .position(|w| w[..8] == 80_000i64.to_le_bytes() && w[8..] == magic)
                    .expect("a compressed buffer with its length before it");
                bytes[at..at + 8].copy_from_slice(&(1i64 << 40).to_le_bytes());
                let (_d, path) = file("forged.arrows", &bytes);
                let e = read(&path, Format::ArrowIpc, &all)
                    .map(|d| d.rows)
                    .expect_err("a forged length is damage");
                let e = e.to_string();
                assert!(e.contains("forged.arrows") && e.contains("damaged"), "{e}");
            }
        },
    );
}

// --- Parquet: schema nesting is unbounded (the footer's schema is a flat list). ---

/// Thrift compact protocol, just enough to write a FileMetaData.
struct Thrift {
    out: Vec<u8>,
    last: Vec<i16>,
}

impl Thrift {
    fn new() -> Self {
        Thrift {
            out: Vec::new(),
            last: vec![0],
        }
    }
    fn varint(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.out.push(b);
                return;
            }
            self.out.push(b | 0x80);
        }
    }
    fn zigzag(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }
    fn field(&mut self, id: i16, ty: u8) {
        let last = self.last.last().copied().unwrap();
        let delta = id - last;
        if (1..=15).contains(&delta) {
            self.out.push(((delta as u8) << 4) | ty);
        } else {
            self.out.push(ty);
            self.zigzag(i64::from(id));
        }
        *self.last.last_mut().unwrap() = id;
    }
    fn i32(&mut self, id: i16, v: i32) {
        self.field(id, 5);
        self.zigzag(i64::from(v));
    }
    fn i64(&mut self, id: i16, v: i64) {
        self.field(id, 6);
        self.zigzag(v);
    }
    fn string(&mut self, id: i16, s: &str) {
        self.field(id, 8);
        self.varint(s.len() as u64);
        self.out.extend_from_slice(s.as_bytes());
    }
    fn list(&mut self, id: i16, n: usize, element: u8) {
        self.field(id, 9);
        if n < 15 {
            self.out.push(((n as u8) << 4) | element);
        } else {
            self.out.push(0xf0 | element);
            self.varint(n as u64);
        }
    }
    fn list_of_structs(&mut self, id: i16, n: usize) {
        self.list(id, n, 12);
    }
    fn struct_field(&mut self, id: i16) {
        self.field(id, 12);
        self.begin();
    }
    fn begin(&mut self) {
        self.last.push(0);
    }
    fn end(&mut self) {
        self.out.push(0);
        self.last.pop();
    }
}

/// A Parquet file of no rows whose schema is `depth` optional groups, one inside the other,
/// around one INT32 leaf: 8 bytes per level.
fn deep_parquet(depth: usize) -> Vec<u8> {
    let mut t = Thrift::new();
    t.i32(1, 1); // version
    t.list_of_structs(2, depth + 2); // schema
    let element = |t: &mut Thrift, name: &str, ty: Option<i32>, children: Option<i32>| {
        t.begin();
        if let Some(ty) = ty {
            t.i32(1, ty);
        }
        if children.is_none() || name != "schema" {
            t.i32(3, 1); // OPTIONAL
        }
        t.string(4, name);
        if let Some(n) = children {
            t.i32(5, n);
        }
        t.end();
    };
    element(&mut t, "schema", None, Some(1));
    for _ in 0..depth {
        element(&mut t, "g", None, Some(1));
    }
    element(&mut t, "x", Some(1), None);
    t.i64(3, 0); // num_rows
    t.list_of_structs(4, 0); // row_groups
    t.out.push(0);
    let footer = t.out;
    let mut bytes = b"PAR1".to_vec();
    bytes.extend_from_slice(&footer);
    bytes.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    bytes.extend_from_slice(b"PAR1");
    bytes
}

/// The thrift checker bounds nesting of thrift structures (64), but a Parquet schema is a
/// flat list of elements with child counts, which the parquet crate turns into a tree
/// recursively: 100,000 nested groups (an 800 KB footer) overflow the main thread's stack,
/// and 1,000 (8 KB) overflow the thread `drift` reads on ("thread '<unknown>' has
/// overflowed its stack", SIGABRT, exit 134).
#[test]
fn a_parquet_schema_nested_past_any_reason_is_an_error_not_a_stack_overflow() {
    in_child(
        "a_parquet_schema_nested_past_any_reason_is_an_error_not_a_stack_overflow",
        None,
        Duration::from_secs(60),
        || {
            for depth in [1_000, 100_000] {
                let (_d, path) = file("deep.parquet", &deep_parquet(depth));
                // Read on a thread with the default 2 MiB stack, as `drift` reads.
                let r =
                    std::thread::spawn(move || read(&path, Format::Parquet, &all).map(|d| d.rows))
                        .join()
                        .unwrap();
                let e = r.expect_err("no rows, and too deep").to_string();
                assert!(e.contains("deep.parquet"), "{e}");
            }
        },
    );
}

// --- Parquet: an embedded Arrow schema nested past flatbuffers' limit refuses the file. ---

/// pyarrow (and arrow-rs) store the Arrow schema in the footer (`ARROW:schema`). A struct
/// column nested 150 levels (legal, written without complaint) exceeds the flatbuffers
/// verifier's depth of 64 when it is read back, and the whole file is refused with library
/// internals: "not a readable Parquet file: Arrow: Unable to get root as message stored in
/// ARROW:schema: DepthLimitReached", though the deep column is not even read (its type is
/// left out anyway). Expected: the other columns read (e.g. by falling back to the Parquet
/// schema, `ArrowReaderOptions::with_skip_arrow_metadata`), or a plain-words error.
#[test]
fn a_parquet_file_with_a_deep_struct_column_reads_its_other_columns() {
    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StructArray};
    use arrow_schema::{DataType, Field, Fields, Schema};
    let mut column: ArrayRef = Arc::new(Int64Array::from(vec![1, 2, 3]));
    for _ in 0..150 {
        let field = Arc::new(Field::new("a", column.data_type().clone(), true));
        column = Arc::new(StructArray::new(
            Fields::from(vec![field]),
            vec![column],
            None,
        ));
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, true),
        Field::new("deep", column.data_type().clone(), true),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0])), column],
    )
    .unwrap();
    let bytes = common::parquet(&batch, parquet::basic::Compression::SNAPPY);
    let (_d, path) = file("deep_struct.parquet", &bytes);
    match read(&path, Format::Parquet, &all) {
        Ok(d) => {
            assert_eq!(d.rows, 3);
            assert_eq!(d.columns.len(), 1);
            assert_eq!(numbers(&d.columns[0].values), vec![1.0, 2.0, 3.0]);
        }
        Err(e) => {
            let e = e.to_string();
            panic!("the file is valid and its column `x` readable: {e}");
        }
    }
}

// --- CSV: an unterminated quote swallows the rest of the file, exit 0. ---

/// `1,"x` opens a quote that is never closed: the CSV parser takes every following line as
/// part of that one cell, and the file reads as one row (exit 0) where pandas says "EOF
/// inside string starting at row 1". A file of thousands of rows silently becomes one.
#[test]
fn a_csv_quote_that_never_closes_is_an_error_at_its_line() {
    let mut text = String::from("a,b\n1,\"x\n");
    for i in 2..1_000 {
        text.push_str(&format!("{i},y\n"));
    }
    let (_d, path) = file("unterminated.csv", text.as_bytes());
    match read(&path, Format::Csv, &all) {
        Ok(d) => panic!("read {} rows of 999 without an error", d.rows),
        Err(e) => {
            let e = e.to_string();
            assert!(
                e.contains("unterminated.csv") && e.contains("line 2"),
                "{e}"
            );
        }
    }
}

// --- CSV: NaN spelled in another case or with a sign turns a number column into text. ---

/// docs/limits.md: "NaN, `inf`, `-inf`, `Infinity` (any case, any sign) ... are missing
/// values". The null pattern covers infinities in any case and sign, but NaN only as `NaN`
/// and `nan`: `NAN`, `-nan` (what C's printf writes), `-NaN`, `+nan` make arrow infer text,
/// and the column is tested as categories (chi-square) instead of numbers.
#[test]
fn csv_nan_in_any_case_and_sign_is_missing() {
    let (_d, path) = file("nan.csv", b"a\n1\nNAN\n-nan\n-NaN\n+nan\nNan\n2\n");
    let d = read(&path, Format::Csv, &all).unwrap();
    let a = &d.columns[0];
    assert_eq!(a.kind, Kind::Number, "{a:?}");
    assert_eq!(numbers(&a.values), vec![1.0, 2.0]);
    assert_eq!(a.missing, 5);
}

// --- JSON Lines: NaN and Infinity tokens (what Python's json.dumps writes) are refused. ---

/// `json.dumps(float("nan"))` is `NaN`, and pandas' `read_json(lines=True)` reads `NaN`,
/// `Infinity` and `-Infinity` as floats (Evidently then drops them as missing). Steward
/// exits 2: "line 2, column 7: not JSON (expected value)". docs/limits.md says NaN and
/// Infinity are missing values.
#[test]
fn json_lines_nan_and_infinity_tokens_are_missing_values() {
    let text = "{\"a\": 1, \"b\": \"x\"}\n{\"a\": NaN, \"b\": \"y\"}\n{\"a\": Infinity, \"b\": \"x\"}\n{\"a\": -Infinity, \"b\": \"y\"}\n{\"a\": 2.5, \"b\": \"x\"}\n";
    let (_d, path) = file("nan.jsonl", text.as_bytes());
    let d = read(&path, Format::JsonLines, &all).unwrap();
    let a = d.columns.iter().find(|c| c.name == "a").unwrap();
    assert_eq!(a.kind, Kind::Number);
    assert_eq!(numbers(&a.values), vec![1.0, 2.5]);
    assert_eq!(a.missing, 3);
}

// --- JSON Lines: a key holding an object on one line and a scalar on another. ---

/// A key that holds a list on one line and a number on another is left out as an
/// unsupported column, but one that holds an object on one line and a scalar (or a list) on
/// another fails the whole file, without a line number and in arrow's Debug notation:
/// "cannot settle the fields' types: Expected scalar or scalar array JSON type, found:
/// Object({\"b\": Scalar({Int64})})". pandas reads such a key as an object column.
/// Expected: the other columns are read (the key left out as unsupported), or an error that
/// names the line and says it in words.
#[test]
fn json_lines_key_mixing_objects_and_scalars_is_left_out_or_located() {
    for text in [
        "{\"a\": {\"b\": 1}, \"n\": 1}\n{\"a\": 2, \"n\": 2}\n",
        "{\"a\": 2, \"n\": 1}\n{\"a\": {\"b\": 1}, \"n\": 2}\n",
        "{\"a\": [1], \"n\": 1}\n{\"a\": {\"b\": 1}, \"n\": 2}\n",
    ] {
        let (_d, path) = file("mixed.jsonl", text.as_bytes());
        match read(&path, Format::JsonLines, &all) {
            Ok(d) => {
                let n = d.columns.iter().find(|c| c.name == "n").expect("n is read");
                assert_eq!(numbers(&n.values), vec![1.0, 2.0]);
                assert!(d.columns.iter().all(|c| c.name != "a"));
            }
            Err(e) => {
                let e = e.to_string();
                assert!(
                    e.contains("line ") && !e.contains("Scalar(") && !e.contains("Object("),
                    "{text:?}: {e}"
                );
            }
        }
    }
}

// --- Wide files: memory per column is far above the documented few hundred bytes. ---

/// A CSV of 2,000,000 one-character columns and one row (a 16 MB file): `steward drift`
/// peaks at 3.8 GB and aborts under a 1 GB cap ("memory allocation of 128 bytes failed");
/// `steward profile` of a 100,000 x 20 CSV (9 MB) aborts too (the report is built as one
/// pretty-printed string). Reading alone is checked here: under a 1 GiB cap, the read
/// must succeed or refuse the width with an error, not abort.
#[test]
fn a_csv_of_two_million_columns_is_read_or_refused_under_a_memory_cap() {
    in_child(
        "a_csv_of_two_million_columns_is_read_or_refused_under_a_memory_cap",
        Some(GIB),
        Duration::from_secs(300),
        || {
            let columns = 2_000_000;
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("wide.csv");
            let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            for i in 0..columns {
                write!(f, "{}c{i}", if i == 0 { "" } else { "," }).unwrap();
            }
            writeln!(f).unwrap();
            for i in 0..columns {
                write!(f, "{}1", if i == 0 { "" } else { "," }).unwrap();
            }
            writeln!(f).unwrap();
            drop(f);
            match read(&path, Format::Csv, &all) {
                Ok(d) => assert_eq!(d.columns.len(), columns),
                Err(e) => assert!(e.to_string().contains("wide.csv"), "{e}"),
            }
        },
    );
}

// --- Parquet: 2^32 rows of nulls in a few bytes (run-length encoded) take minutes. ---

/// A data page (v1, PLAIN, no values) of `n` nulls: its definition levels are one RLE run.
fn null_page(n: u32) -> Vec<u8> {
    let mut rle = Thrift::new();
    rle.varint(u64::from(n) << 1);
    rle.out.push(0);
    let mut body = (rle.out.len() as u32).to_le_bytes().to_vec();
    body.extend_from_slice(&rle.out);
    let mut h = Thrift::new();
    h.i32(1, 0); // DATA_PAGE
    h.i32(2, body.len() as i32);
    h.i32(3, body.len() as i32);
    h.struct_field(5);
    h.i32(1, n as i32); // num_values
    h.i32(2, 0); // PLAIN
    h.i32(3, 3); // RLE definition levels
    h.i32(4, 3); // RLE repetition levels
    h.end();
    h.out.push(0);
    h.out.extend_from_slice(&body);
    h.out
}

/// A valid Parquet file (pyarrow reads it) of `columns` optional DOUBLE columns and `rows`
/// rows, every value null, uncompressed: about 130 bytes per column whatever `rows`.
fn null_parquet(columns: usize, rows: u64) -> Vec<u8> {
    let mut pages = Vec::new();
    let mut left = rows;
    while left > 0 {
        let n = left.min(i32::MAX as u64);
        pages.push(n as u32);
        left -= n;
    }
    let mut out = b"PAR1".to_vec();
    let mut chunks = Vec::new();
    for _ in 0..columns {
        let start = out.len();
        for &n in &pages {
            out.extend_from_slice(&null_page(n));
        }
        chunks.push((start as i64, (out.len() - start) as i64));
    }
    let mut t = Thrift::new();
    t.i32(1, 1);
    t.list_of_structs(2, columns + 1);
    t.begin();
    t.string(4, "schema");
    t.i32(5, columns as i32);
    t.end();
    for c in 0..columns {
        t.begin();
        t.i32(1, 5); // DOUBLE
        t.i32(3, 1); // OPTIONAL
        t.string(4, &format!("c{c}"));
        t.end();
    }
    t.i64(3, rows as i64);
    t.list_of_structs(4, 1);
    t.begin();
    t.list_of_structs(1, columns);
    for (c, &(start, size)) in chunks.iter().enumerate() {
        t.begin();
        t.i64(2, start); // file_offset
        t.struct_field(3); // ColumnMetaData
        t.i32(1, 5);
        t.list(2, 2, 5);
        t.zigzag(0);
        t.zigzag(3);
        t.list(3, 1, 8);
        let name = format!("c{c}");
        t.varint(name.len() as u64);
        t.out.extend_from_slice(name.as_bytes());
        t.i32(4, 0); // UNCOMPRESSED
        t.i64(5, rows as i64);
        t.i64(6, size);
        t.i64(7, size);
        t.i64(9, start);
        t.end();
        t.end();
    }
    t.i64(2, 0);
    t.i64(3, rows as i64);
    t.end();
    t.out.push(0);
    let footer = t.out;
    out.extend_from_slice(&footer);
    out.extend_from_slice(&(footer.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}

#[test]
fn the_null_parquet_builder_makes_a_readable_file() {
    let (_d, path) = file("nulls.parquet", &null_parquet(2, 1_000));
    let d = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!((d.rows, d.columns.len()), (1_000, 2));
    assert_eq!(d.columns[0].missing, 1_000);
}

/// Rows are capped at 2^32, but not rows x columns, and nothing relates them to the bytes:
/// a 2.6 KB file of 20 columns x 2^32 nulls (each column three RLE runs; pyarrow reads it)
/// decodes 86 billion definition levels. 100 million take 2.7 s on the debug build, so
/// this file takes about 40 minutes (`timeout 60` kills it: a hang). Expected: a bound on
/// the cells decoded (or on rows per byte of the file), refused at once with an error.
#[test]
fn a_tiny_parquet_file_of_billions_of_null_cells_is_bounded_in_time() {
    in_child(
        "a_tiny_parquet_file_of_billions_of_null_cells_is_bounded_in_time",
        Some(GIB),
        Duration::from_secs(60),
        || {
            let bytes = null_parquet(20, 1 << 32);
            assert!(bytes.len() < 4_000);
            let (_d, path) = file("nulls.parquet", &bytes);
            let _ = read(&path, Format::Parquet, &all);
        },
    );
}

// --- Declared uncompressed sizes within the 4,096x expansion bound are still reserved. ---

/// The expansion bound (max(16 MiB, 4,096 x compressed size)) lets a buffer of L bytes claim
/// 4,096 L, and the decoders reserve the claim before decompressing: a 280 KB pyarrow LZ4
/// Arrow file whose one buffer's length prefix is set to 1e9 (under its bound of 1.15e9)
/// aborts under a 1 GB cap ("memory allocation of 1000000000 bytes failed"). Memory follows
/// the claim, not the data; decompressing into a buffer that grows with the output (or a
/// bound tied to the file's size and the cap) would not.
#[test]
fn an_arrow_buffer_claiming_its_full_expansion_bound_is_not_reserved_up_front() {
    in_child(
        "an_arrow_buffer_claiming_its_full_expansion_bound_is_not_reserved_up_front",
        Some(GIB),
        Duration::from_secs(60),
        || {
            // Values that LZ4 packs by about half: a 16-value alphabet, scrambled.
            let mut state = 1u64;
            let values: Vec<i64> = (0..400_000)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((state >> 60) as i64) * 1_000_003
                })
                .collect();
            let schema = Arc::new(arrow_schema::Schema::new(vec![arrow_schema::Field::new(
                "x",
                arrow_schema::DataType::Int64,
                false,
            )]));
            let batch = arrow_array::RecordBatch::try_new(
                schema,
                vec![Arc::new(arrow_array::Int64Array::from(values))],
            )
            .unwrap();
            let mut bytes =
                common::ipc_file_compressed(&batch, arrow_ipc::CompressionType::LZ4_FRAME);
            // Find the values buffer: the footer's block, its message, its largest buffer.
            let n = bytes.len();
            let footer_len = i32::from_le_bytes(bytes[n - 10..n - 6].try_into().unwrap()) as usize;
            let footer = arrow_ipc::root_as_footer(&bytes[n - 10 - footer_len..n - 10]).unwrap();
            let block = footer.recordBatches().unwrap().get(0);
            let (offset, meta) = (block.offset() as usize, block.metaDataLength() as usize);
            let message = arrow_ipc::root_as_message(&bytes[offset + 8..offset + meta]).unwrap();
            let (at, len) = message
                .header_as_record_batch()
                .unwrap()
                .buffers()
                .unwrap()
                .iter()
                .map(|b| (b.offset() as usize, b.length() as u64))
                .max_by_key(|b| b.1)
                .unwrap();
            let at = offset + meta + at;
            let claim = (len * 4_000).min(3_000_000_000);
            assert!(
                claim > 1_000_000_000,
                "the buffer is too small: {len} bytes"
            );
            assert_ne!(
                &bytes[at..at + 8],
                &(-1i64).to_le_bytes(),
                "stored uncompressed"
            );
            bytes[at..at + 8].copy_from_slice(&(claim as i64).to_le_bytes());
            let (_d, path) = file("bound.arrow", &bytes);
            let e = read(&path, Format::ArrowIpc, &all)
                .map(|d| d.rows)
                .expect_err("damaged");
            assert!(e.to_string().contains("damaged"), "{e}");
        },
    );
}

/// The same for Parquet: a page is accepted when its uncompressed size is at most 4,096
/// times its compressed size, and the parquet crate reserves the uncompressed size
/// (`Vec::with_capacity`) before decompressing. A 300 KB gzip page (its bytes need not even
/// be gzip) claiming 1.2e9 bytes aborts under a 1 GiB cap.
#[test]
fn a_parquet_page_claiming_its_full_expansion_bound_is_not_reserved_up_front() {
    in_child(
        "a_parquet_page_claiming_its_full_expansion_bound_is_not_reserved_up_front",
        Some(GIB),
        Duration::from_secs(60),
        || {
            let compressed = 300_000usize;
            let claim = 1_200_000_000i32;
            let mut h = Thrift::new();
            h.i32(1, 0); // DATA_PAGE
            h.i32(2, claim);
            h.i32(3, compressed as i32);
            h.struct_field(5);
            h.i32(1, 1);
            h.i32(2, 0);
            h.i32(3, 3);
            h.i32(4, 3);
            h.end();
            h.out.push(0);
            let mut out = b"PAR1".to_vec();
            let start = out.len() as i64;
            out.extend_from_slice(&h.out);
            out.extend(std::iter::repeat_n(0u8, compressed));
            let size = out.len() as i64 - start;
            let mut t = Thrift::new();
            t.i32(1, 1);
            t.list_of_structs(2, 2);
            t.begin();
            t.string(4, "schema");
            t.i32(5, 1);
            t.end();
            t.begin();
            t.i32(1, 2); // INT64
            t.i32(3, 1);
            t.string(4, "x");
            t.end();
            t.i64(3, 1);
            t.list_of_structs(4, 1);
            t.begin();
            t.list_of_structs(1, 1);
            t.begin();
            t.i64(2, start);
            t.struct_field(3);
            t.i32(1, 2);
            t.list(2, 2, 5);
            t.zigzag(0);
            t.zigzag(3);
            t.list(3, 1, 8);
            t.varint(1);
            t.out.push(b'x');
            t.i32(4, 2); // GZIP
            t.i64(5, 1);
            t.i64(6, i64::from(claim) + h.out.len() as i64);
            t.i64(7, size);
            t.i64(9, start);
            t.end();
            t.end();
            t.i64(2, 0);
            t.i64(3, 1);
            t.end();
            t.out.push(0);
            out.extend_from_slice(&t.out);
            out.extend_from_slice(&(t.out.len() as u32).to_le_bytes());
            out.extend_from_slice(b"PAR1");
            let (_d, path) = file("bound.parquet", &out);
            let e = read(&path, Format::Parquet, &all)
                .map(|d| d.rows)
                .expect_err("damaged");
            assert!(e.to_string().contains("bound.parquet"), "{e}");
        },
    );
}

// --- Types: text and numbers in encodings other than the few the reader lists. ---

/// Dictionary-encoded text is read only with signed keys and `Utf8` values: unsigned keys
/// (`pa.DictionaryArray.from_arrays(pa.array(.., pa.uint8()), ..)`), `large_string` values,
/// a dictionary of numbers, and `float16` are "neither numbers, text nor booleans; skipped"
/// (a note that `--quiet` hides), though pandas reads them as categories and floats and
/// Evidently tests them. A drift gate then silently ignores the column.
#[test]
fn dictionary_encoded_text_and_numbers_of_any_key_or_value_type_are_read() {
    use arrow_array::types::{Int32Type, UInt8Type};
    use arrow_array::{
        ArrayRef, DictionaryArray, Float16Array, Float64Array, Int32Array, LargeStringArray,
        RecordBatch, StringArray, UInt8Array,
    };
    let u8keys: ArrayRef = Arc::new(
        DictionaryArray::<UInt8Type>::try_new(
            UInt8Array::from(vec![0, 1, 0, 1]),
            Arc::new(StringArray::from(vec!["a", "b"])),
        )
        .unwrap(),
    );
    let large: ArrayRef = Arc::new(
        DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(vec![0, 1, 0, 1]),
            Arc::new(LargeStringArray::from(vec!["a", "b"])),
        )
        .unwrap(),
    );
    let numbers_dict: ArrayRef = Arc::new(
        DictionaryArray::<Int32Type>::try_new(
            Int32Array::from(vec![0, 1, 0, 1]),
            Arc::new(Float64Array::from(vec![1.5, 2.5])),
        )
        .unwrap(),
    );
    // half::f16 without naming the crate: 1, 2, 3, 4 by addition.
    use arrow_array::ArrowNativeTypeOp;
    type F16 = <arrow_array::types::Float16Type as arrow_array::ArrowPrimitiveType>::Native;
    let (one, two) = (F16::ONE, F16::ONE.add_wrapping(F16::ONE));
    let half: ArrayRef = Arc::new(Float16Array::from(vec![
        one,
        two,
        two.add_wrapping(one),
        two.add_wrapping(two),
    ]));
    let batch = RecordBatch::try_from_iter(vec![
        ("u8keys", u8keys),
        ("large", large),
        ("numdict", numbers_dict),
        ("f16", half),
    ])
    .unwrap();
    let (_d, path) = file("dicts.arrow", &common::ipc_file(&batch));
    let d = read(&path, Format::ArrowIpc, &all).unwrap();
    assert!(d.unsupported.is_empty(), "left out: {:?}", d.unsupported);
    let kind = |n: &str| d.columns.iter().find(|c| c.name == n).map(|c| c.kind);
    assert_eq!(kind("u8keys"), Some(Kind::Text));
    assert_eq!(kind("large"), Some(Kind::Text));
    assert_eq!(kind("numdict"), Some(Kind::Number));
    assert_eq!(kind("f16"), Some(Kind::Number));
}

// --- CSV: a line of spaces (an editor's leftover) fails the whole file. ---

/// pandas skips blank lines, and a line of only spaces or tabs counts as blank; Steward
/// skips an empty line but reads `   ` as a one-field record: "Encountered unequal lengths
/// between records on CSV file. Expected 2 records, found 1 records at line 3", exit 2.
#[test]
fn a_csv_line_of_only_spaces_is_skipped_as_blank() {
    let (_d, path) = file("spaces.csv", b"a,b\n1,x\n   \n2,y\n\t\n");
    let d = read(&path, Format::Csv, &all).unwrap();
    assert_eq!(d.rows, 2);
}

// --- Pipes: what the first 16 MiB did not show is dropped without a word. ---

/// A pipe's column types are decided from its first 16 MiB (documented), but so are its
/// columns, silently: a JSON Lines key that first appears after 16 MiB is dropped (the
/// decoder ignores unknown keys), and a CSV column that is empty for 16 MiB is typed Null
/// and its later values are dropped, both exit 0 with no note, where the same bytes in a
/// regular file read the column. Expected: the column read, or an error at the first line
/// that does not fit ("save it to a file").
#[cfg(unix)]
#[test]
fn a_pipe_never_drops_a_column_that_appears_after_the_inference_head() {
    let mut jsonl = Vec::new();
    for i in 0..2_000_000u32 {
        writeln!(jsonl, "{{\"a\": {}}}", i % 1000).unwrap();
    }
    for i in 0..10 {
        writeln!(jsonl, "{{\"a\": 1, \"late\": {i}}}").unwrap();
    }
    assert!(jsonl.len() > 17 << 20);
    let mut csv = b"a,b\n".to_vec();
    for i in 0..4_000_000u32 {
        writeln!(csv, "{},", i % 1000).unwrap();
    }
    for i in 0..10 {
        writeln!(csv, "1,{i}").unwrap();
    }
    assert!(csv.len() > 17 << 20);
    for (name, bytes, format, column) in [
        ("late.jsonl", jsonl, Format::JsonLines, "late"),
        ("late.csv", csv, Format::Csv, "b"),
    ] {
        let Some(r) = through_fifo(name, bytes, format) else {
            return;
        };
        match r {
            Ok(d) => {
                let c = d.columns.iter().find(|c| c.name == column);
                let c = c.unwrap_or_else(|| panic!("{name}: column `{column}` silently dropped"));
                assert_eq!(numbers(&c.values).len(), 10, "{name}");
            }
            Err(e) => assert!(e.contains(name) && e.contains("line "), "{name}: {e}"),
        }
    }
}

// --- Parquet: an encrypted file with a plaintext footer is called damaged. ---

/// pyarrow's modular encryption with `plaintext_footer=True` (column `x` encrypted with its
/// own key; the footer, magic `PAR1`, readable): the "PARE" check does not see it, and the
/// encrypted page header reads as "the file is damaged: column `x`: in a page header, a page
/// header without its sizes". Expected, as for an encrypted footer: "encrypted, which is not
/// supported" (the column chunk's `crypto_metadata`, or the footer's `encryption_algorithm`,
/// says so). Made by pyarrow 1323 bytes: `EncryptionConfiguration(footer_key="fk",
/// column_keys={"ck": ["x"]}, plaintext_footer=True, double_wrapping=False)`, a table of
/// x: [1.0, 2.0, 3.0, 4.0] and s: ["a", "b", "a", "b"].
const ENCRYPTED_PLAINTEXT_FOOTER: &[&str] = &[
    "504152312a0000001f0be7671a3d2e62d9ffaf56f5490d77cbb4e571e815aefb511fb8d0b24849c22f6f5583",
    "cbbe5b67f2483a000000cc00434ca9ea175b7fff4c602080d8d44fc5177014a44e795f9230327e06f63f49c9",
    "0740be8c596ec161df927fb83b4bf99f67feed2c3c9d7f1e5b0000004444899f678ab9f950635ee3fd98da50",
    "cbc453b6f8b8e538cbe96c3b465066538ca0d95e435438b654bfa614f835d9d3c9013d727a50e624ae40aa39",
    "c02a06ca8b9f713797fec3e06cab87d214e572b21efb75c78a327020425d19280000005d5814e835b808aca7",
    "aac7478d1627f75ec4557f83b4be8583e27d7ea84b00f389351ed4b74346d31504151415184c150415001200",
    "000a24010000006101000000621500151215162c15081510150615061c360028016218016111110000000920",
    "02000000080101030a1504193c35001806736368656d61150400150a250218017800150c250218017325004c",
    "1c0000001608191c192c26001c150a1935000610191801781502160816ee0216ee0326e00126085c29061926",
    "000800005c2c191801781898017b226b65794d6174657269616c54797065223a22504b4d5431222c22696e74",
    "65726e616c53746f72616765223a747275652c226973466f6f7465724b6579223a66616c73652c226d617374",
    "65724b65794944223a22636b222c227772617070656444454b223a2271686f39734d346266792f6e5748756e",
    "37714e4459413d3d222c22646f75626c655772617070696e67223a66616c73657d00001881017d000000f29a",
    "ae8c58f0abf36da0f3f7a7c1b51846b25f076a34ee9581908bea051d286d9f64286f4dfd4fbe8886feff9261",
    "eaba0780994631a838f9df85d42a03a24374e4b364aa3aad33b20ed89a7b015b77702484392c0e026f09294c",
    "36e97b9ad678a5d2c2df52875965aa0dd74e1520dc27fe66efb4096275b7a1e06217db0026001c150c193500",
    "06101918017315021608167c16840126aa0426f6031c3600280162180161111100192c150415001502001500",
    "15101502003c160819061926000800000016ea031608260816f204140000191c180c4152524f573a73636865",
    "6d6118e0012f2f2f2f2f36414141414151414141414141414b41417741426741464141674143674141414141",
    "424241414d414141414341414941414141424141494141414142414141414149414141424141414141424141",
    "41414e6a2f2f2f3841414145464541414141426741414141454141414141414141414145414141427a414141",
    "414241414541415141414141514142514143414147414163414441414141424141454141414141414141514d",
    "5141414141474141414141514141414141414141414151414141486741426741494141594142674141414141",
    "414167414141414141001820706172717565742d6370702d6172726f772076657273696f6e2032362e302e31",
    "192c1c00001c00001c1c2808081b3a16a13db24712000018cc017b226b65794d6174657269616c5479706522",
    "3a22504b4d5431222c22696e7465726e616c53746f72616765223a747275652c226973466f6f7465724b6579",
    "223a747275652c226b6d73496e7374616e63654944223a2244454641554c54222c226b6d73496e7374616e63",
    "6555524c223a2244454641554c54222c226d61737465724b65794944223a22666b222c227772617070656444",
    "454b223a226871452b6f30715370344f2f2b78705a7230647544773d3d222c22646f75626c65577261707069",
    "6e67223a66616c73657d00ac1d196eb3ee7ad55d750776d57e5e66b3b421bbafc88ea85001f55be603000050",
    "415231",
];

#[test]
fn a_parquet_file_encrypted_with_a_plaintext_footer_is_said_to_be_encrypted() {
    let hex: String = ENCRYPTED_PLAINTEXT_FOOTER.concat();
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(bytes.len(), 1323);
    let (_d, path) = file("encrypted.parquet", &bytes);
    let e = read(&path, Format::Parquet, &all)
        .map(|d| d.rows)
        .expect_err("encrypted");
    let e = e.to_string();
    assert!(e.contains("encrypted") && !e.contains("damaged"), "{e}");
}

// --- Parquet: more than 32,767 row groups, which pyarrow writes and reads, is refused. ---

/// A file of `groups` row groups of one null DOUBLE each (one-row pages).
fn many_row_groups(groups: usize) -> Vec<u8> {
    let page = null_page(1);
    let mut out = b"PAR1".to_vec();
    let mut starts = Vec::with_capacity(groups);
    for _ in 0..groups {
        starts.push(out.len() as i64);
        out.extend_from_slice(&page);
    }
    let size = page.len() as i64;
    let mut t = Thrift::new();
    t.i32(1, 1);
    t.list_of_structs(2, 2);
    t.begin();
    t.string(4, "schema");
    t.i32(5, 1);
    t.end();
    t.begin();
    t.i32(1, 5);
    t.i32(3, 1);
    t.string(4, "x");
    t.end();
    t.i64(3, groups as i64);
    t.list_of_structs(4, groups);
    for &start in &starts {
        t.begin();
        t.list_of_structs(1, 1);
        t.begin();
        t.i64(2, start);
        t.struct_field(3);
        t.i32(1, 5);
        t.list(2, 2, 5);
        t.zigzag(0);
        t.zigzag(3);
        t.list(3, 1, 8);
        t.varint(1);
        t.out.push(b'x');
        t.i32(4, 0);
        t.i64(5, 1);
        t.i64(6, size);
        t.i64(7, size);
        t.i64(9, start);
        t.end();
        t.end();
        t.i64(2, size);
        t.i64(3, 1);
        t.end();
    }
    t.out.push(0);
    out.extend_from_slice(&t.out);
    out.extend_from_slice(&(t.out.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}

/// pyarrow writes `pq.write_table(t, path, row_group_size=1)` for a 40,000-row table as
/// 40,000 row groups and reads it back; the parquet crate refuses any file of more than
/// 32,767 ("not a readable Parquet file: Row group ordinal 32768 exceeds i16 max value":
/// the ordinal only matters for encrypted files), so a valid file is exit 2 with library
/// text.
#[test]
fn a_parquet_file_of_forty_thousand_row_groups_is_read() {
    let (_d, path) = file("groups.parquet", &many_row_groups(100));
    assert_eq!(read(&path, Format::Parquet, &all).unwrap().rows, 100);
    let (_d, path) = file("groups.parquet", &many_row_groups(40_000));
    let d = read(&path, Format::Parquet, &all).unwrap();
    assert_eq!((d.rows, d.columns[0].missing), (40_000, 40_000));
}
