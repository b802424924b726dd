//! Small valid files of every format, made in the test, to damage or read.

#![allow(dead_code)]

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};

/// Numbers, integers, text, booleans and a date (a type the reader leaves out, named in a
/// note), with a missing value in each.
pub fn batch() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("x", DataType::Float64, true),
        Field::new("n", DataType::Int64, true),
        Field::new("city", DataType::Utf8, true),
        Field::new("ok", DataType::Boolean, true),
        Field::new("day", DataType::Date32, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Float64Array::from(vec![
            Some(1.5),
            None,
            Some(-2.0),
            Some(3.25),
        ])),
        Arc::new(Int64Array::from(vec![Some(1), Some(2), None, Some(4)])),
        Arc::new(StringArray::from(vec![
            Some("Oslo"),
            Some("Lima"),
            Some("Oslo"),
            None,
        ])),
        Arc::new(BooleanArray::from(vec![
            Some(true),
            None,
            Some(false),
            Some(true),
        ])),
        Arc::new(Date32Array::from(vec![
            Some(19000),
            Some(-1),
            None,
            Some(7),
        ])),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

pub fn parquet(batch: &RecordBatch, compression: parquet::basic::Compression) -> Vec<u8> {
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(compression)
        .build();
    let mut out = Vec::new();
    let mut w =
        parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
    out
}

pub fn ipc_file(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::FileWriter::try_new(&mut out, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
    drop(w);
    out
}

/// An Arrow file with its buffers compressed, as pyarrow writes Feather files by default.
pub fn ipc_file_compressed(batch: &RecordBatch, codec: arrow_ipc::CompressionType) -> Vec<u8> {
    let options = arrow_ipc::writer::IpcWriteOptions::default()
        .try_with_compression(Some(codec))
        .unwrap();
    let mut out = Vec::new();
    let mut w =
        arrow_ipc::writer::FileWriter::try_new_with_options(&mut out, &batch.schema(), options)
            .unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
    drop(w);
    out
}

pub fn ipc_stream(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    w.write(batch).unwrap();
    w.finish().unwrap();
    drop(w);
    out
}

pub const CSV: &str = "x,n,city,ok\n1.5,1,Oslo,true\n,2,Lima,\n-2.0,,Oslo,false\n3.25,4,,true\n";

pub const JSONL: &str = concat!(
    "{\"x\": 1.5, \"n\": 1, \"city\": \"Oslo\", \"ok\": true}\n",
    "{\"x\": null, \"n\": 2, \"city\": \"Lima\"}\n",
    "{\"x\": -2.0, \"city\": \"Oslo\", \"ok\": false}\n",
    "{\"x\": 3.25, \"n\": 4, \"ok\": true}\n",
);

/// Writes `bytes` to a file named `name` in a fresh folder.
pub fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    (dir, path)
}

pub fn all(_: &str) -> bool {
    true
}

/// Reads `bytes` through a FIFO, as a pipe from another program would arrive: `None` when
/// mkfifo is not available. The FIFO is opened read-write (Linux allows that without
/// blocking) before the reader starts, so the reader always finds a writer; the thread
/// writes, then closes it.
#[cfg(unix)]
pub fn through_fifo(
    name: &str,
    bytes: Vec<u8>,
    format: steward_data::Format,
) -> Option<Result<steward_data::Dataset, String>> {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join(name);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return None;
    }
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    let writer = std::thread::spawn(move || {
        let _ = f.write_all(&bytes);
    });
    let r = steward_data::read(&fifo, format, &all).map_err(|e| e.to_string());
    // Not joined: a reader that stops early (an error at a line) leaves the writer blocked
    // on a full pipe it also holds open for reading.
    drop(writer);
    Some(r)
}

pub fn replace_last(bytes: &mut [u8], from: &[u8], to: &[u8]) {
    let at = bytes
        .windows(from.len())
        .rposition(|w| w == from)
        .expect("the pattern is in the file");
    bytes[at..at + from.len()].copy_from_slice(to);
}

/// An Arrow file whose record batch claims a body of 2^50 bytes.
pub fn arrow_file_claiming_a_huge_body() -> Vec<u8> {
    let mut bytes = ipc_file(&batch());
    let n = bytes.len();
    let len = i32::from_le_bytes(bytes[n - 10..n - 6].try_into().unwrap()) as usize;
    let footer = bytes[n - 10 - len..n - 10].to_vec();
    let body = arrow_ipc::root_as_footer(&footer)
        .unwrap()
        .recordBatches()
        .unwrap()
        .get(0)
        .bodyLength();
    replace_last(&mut bytes, &body.to_le_bytes(), &(1i64 << 50).to_le_bytes());
    bytes
}
