//! The typed batch stream: every format gives its columns in their own types with exact
//! values, from a path, from bytes and from a reader, and refuses what needs seeking from a
//! reader.

mod common;

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{
    ArrayRef, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use bytes::Bytes;
use common::{all, file};
use steward_data::{Format, Problem, RecordBatches, Source, open_batches};

/// Above 2^53, where a float would round it.
const BIG_I64: i64 = (1 << 53) + 1;
/// Above i64::MAX, which no signed 64-bit type holds.
const BIG_U64: u64 = u64::MAX - 6;

fn typed_batch() -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("day", DataType::Date32, true),
        Field::new(
            "at",
            DataType::Timestamp(TimeUnit::Microsecond, Some("Europe/Oslo".into())),
            true,
        ),
        Field::new("amount", DataType::Decimal128(20, 4), true),
        Field::new("id", DataType::Int64, true),
        Field::new("serial", DataType::UInt64, true),
        Field::new("city", DataType::Utf8, true),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Date32Array::from(vec![Some(19_753), None])),
        Arc::new(
            TimestampMicrosecondArray::from(vec![Some(1_706_695_872_123_456), None])
                .with_timezone("Europe/Oslo"),
        ),
        Arc::new(
            Decimal128Array::from(vec![Some(123_456_789_012_345_678i128), None])
                .with_precision_and_scale(20, 4)
                .unwrap(),
        ),
        Arc::new(Int64Array::from(vec![Some(BIG_I64), Some(-BIG_I64)])),
        Arc::new(UInt64Array::from(vec![Some(BIG_U64), Some(0)])),
        Arc::new(StringArray::from(vec![Some("Oslo"), None])),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

fn collect(batches: RecordBatches) -> (Arc<Schema>, Vec<RecordBatch>) {
    let schema = batches.schema();
    let all: Vec<RecordBatch> = batches.map(|b| b.unwrap()).collect();
    (schema, all)
}

/// The batch as written, from each of the sources that can carry `bytes`.
fn check_binary(name: &str, bytes: Vec<u8>, format: Format, from_reader: bool) {
    let expected = typed_batch();
    let (_dir, path) = file(name, &bytes);
    let mut sources = vec![
        ("path", Source::Path(path)),
        ("bytes", Source::Bytes(Bytes::from(bytes.clone()))),
    ];
    if from_reader {
        sources.push((
            "reader",
            Source::Reader(Box::new(std::io::Cursor::new(bytes))),
        ));
    }
    for (how, source) in sources {
        let (schema, batches) = collect(open_batches(source, name, format, &all).unwrap());
        assert_eq!(schema, expected.schema(), "{name} from {how}");
        let batch = arrow_select_concat(&schema, &batches);
        assert_eq!(batch, expected, "{name} from {how}");
    }
}

fn arrow_select_concat(schema: &Arc<Schema>, batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "one small batch");
    assert_eq!(batches[0].schema(), *schema);
    batches[0].clone()
}

#[test]
fn parquet_keeps_every_type_exactly_from_a_path_and_from_bytes() {
    let bytes = common::parquet(&typed_batch(), parquet::basic::Compression::SNAPPY);
    check_binary("t.parquet", bytes.clone(), Format::Parquet, false);
    let e = open_batches(
        Source::Reader(Box::new(std::io::Cursor::new(bytes))),
        "t.parquet",
        Format::Parquet,
        &all,
    )
    .unwrap_err();
    assert_eq!(e.problem(), Some(Problem::Unsupported));
    assert!(e.to_string().contains("read by seeking"), "{e}");
}

#[test]
fn arrow_files_and_streams_keep_every_type_exactly() {
    check_binary(
        "t.arrow",
        common::ipc_file(&typed_batch()),
        Format::ArrowIpc,
        false,
    );
    check_binary(
        "s.arrows",
        common::ipc_stream(&typed_batch()),
        Format::ArrowIpc,
        true,
    );
    let e = open_batches(
        Source::Reader(Box::new(std::io::Cursor::new(common::ipc_file(
            &typed_batch(),
        )))),
        "t.arrow",
        Format::ArrowIpc,
        &all,
    )
    .unwrap_err();
    assert_eq!(e.problem(), Some(Problem::Unsupported));
}

/// Text sources: a path, bytes and a reader give the same batches.
fn text_batches(name: &str, text: &str, format: Format) -> Vec<(Arc<Schema>, RecordBatch)> {
    let (_dir, path) = file(name, text.as_bytes());
    let sources = [
        Source::Path(path),
        Source::Bytes(Bytes::from(text.to_string())),
        Source::Reader(Box::new(std::io::Cursor::new(text.as_bytes().to_vec()))),
    ];
    sources
        .into_iter()
        .map(|source| {
            let (schema, batches) = collect(open_batches(source, name, format, &all).unwrap());
            (schema.clone(), arrow_select_concat(&schema, &batches))
        })
        .collect()
}

#[test]
fn csv_infers_dates_timestamps_and_exact_integers() {
    let text = format!(
        "day,at,amount,id,serial,city\n2024-01-31,2024-01-31T10:11:12.123456,1234.5678,{BIG_I64},{BIG_U64},Oslo\n,,,{},0,\n",
        -BIG_I64
    );
    for (schema, batch) in text_batches("t.csv", &text, Format::Csv) {
        let types: Vec<&DataType> = schema.fields().iter().map(|f| f.data_type()).collect();
        assert_eq!(
            types,
            [
                &DataType::Date32,
                &DataType::Timestamp(TimeUnit::Microsecond, None),
                &DataType::Float64,
                &DataType::Int64,
                // Beyond i64, CSV has no integer type to infer: the digits are kept as text.
                &DataType::Utf8,
                &DataType::Utf8,
            ]
        );
        assert_eq!(
            batch.column(0).as_primitive::<Date32Type>().value(0),
            19_753
        );
        assert_eq!(
            batch
                .column(1)
                .as_primitive::<TimestampMicrosecondType>()
                .value(0),
            1_706_695_872_123_456
        );
        assert_eq!(
            batch.column(2).as_primitive::<Float64Type>().value(0),
            1234.5678
        );
        let ids = batch.column(3).as_primitive::<Int64Type>();
        assert_eq!((ids.value(0), ids.value(1)), (BIG_I64, -BIG_I64));
        assert_eq!(
            batch.column(4).as_string::<i32>().value(0),
            BIG_U64.to_string()
        );
        assert_eq!(batch.column(5).as_string::<i32>().value(0), "Oslo");
        assert!(batch.column(0).is_null(1) && batch.column(5).is_null(1));
    }
}

#[test]
fn json_lines_infer_dates_timestamps_and_exact_integers() {
    let text = format!(
        "{{\"day\": \"2024-01-31\", \"at\": \"2024-01-31T10:11:12.123456\", \"amount\": 1234.5678, \"id\": {BIG_I64}, \"serial\": {BIG_U64}, \"city\": \"Oslo\"}}\n{{\"id\": {}, \"serial\": 0}}\n",
        -BIG_I64
    );
    for (schema, batch) in text_batches("t.jsonl", &text, Format::JsonLines) {
        let field = |n: &str| schema.field_with_name(n).unwrap().data_type().clone();
        assert_eq!(field("day"), DataType::Date32);
        assert_eq!(
            field("at"),
            DataType::Timestamp(TimeUnit::Microsecond, None)
        );
        assert_eq!(field("amount"), DataType::Float64);
        assert_eq!(field("id"), DataType::Int64);
        assert_eq!(field("serial"), DataType::UInt64);
        assert_eq!(field("city"), DataType::Utf8);
        let column = |n: &str| batch.column(schema.index_of(n).unwrap()).clone();
        assert_eq!(column("day").as_primitive::<Date32Type>().value(0), 19_753);
        assert_eq!(
            column("at")
                .as_primitive::<TimestampMicrosecondType>()
                .value(0),
            1_706_695_872_123_456
        );
        let ids = column("id");
        let ids = ids.as_primitive::<Int64Type>();
        assert_eq!((ids.value(0), ids.value(1)), (BIG_I64, -BIG_I64));
        assert_eq!(
            column("serial").as_primitive::<UInt64Type>().value(0),
            BIG_U64
        );
        assert_eq!(column("city").as_string::<i32>().value(0), "Oslo");
        assert!(column("day").is_null(1));
    }
}

#[test]
fn columns_left_out_are_named_and_others_are_kept() {
    let text = "{\"a\": 1, \"nested\": {\"b\": 2}}\n{\"a\": 2, \"nested\": [1]}\n";
    let batches = open_batches(
        Source::Bytes(Bytes::from(text)),
        "n.jsonl",
        Format::JsonLines,
        &all,
    )
    .unwrap();
    assert_eq!(
        batches.left_out(),
        [("nested".to_string(), "nested objects or lists".to_string())]
    );
    let (schema, all_batches) = collect(batches);
    assert_eq!(schema.fields().len(), 1);
    assert_eq!(all_batches.iter().map(|b| b.num_rows()).sum::<usize>(), 2);
}

#[test]
fn errors_say_what_kind_of_problem_they_are() {
    let bad_value = "x\n1\n2\nthree\n";
    let d = steward_data::read_from(
        Source::Bytes(Bytes::from(bad_value)),
        "v.csv",
        Format::Csv,
        &all,
    );
    // Inference reads every row of bytes: the column is text, and the read succeeds.
    assert!(d.is_ok());
    let e = steward_data::read_from(
        Source::Bytes(Bytes::from_static(b"PAR1 not really PAR1")),
        "x.parquet",
        Format::Parquet,
        &all,
    )
    .unwrap_err();
    assert!(
        matches!(e.problem(), Some(Problem::Damaged | Problem::Invalid)),
        "{e:?}"
    );
    let e = steward_data::read_from(
        Source::Path("/nonexistent/for/sure.csv".into()),
        "/nonexistent/for/sure.csv",
        Format::Csv,
        &all,
    )
    .unwrap_err();
    assert!(matches!(e, steward_data::DataError::Io { .. }), "{e:?}");
    assert_eq!(e.problem(), None);
    let e = steward_data::read_from(
        Source::Bytes(Bytes::from_static(b"{\"a\": 1}\n{\"a\": \n")),
        "j.jsonl",
        Format::JsonLines,
        &all,
    )
    .unwrap_err();
    assert_eq!(e.problem(), Some(Problem::Invalid));
    assert_eq!(e.location().and_then(|l| l.line), Some(2), "{e}");
}

#[test]
fn the_drift_reader_gives_the_same_values_from_bytes_and_from_a_path() {
    let bytes = common::parquet(&common::batch(), parquet::basic::Compression::SNAPPY);
    let (_dir, path) = file("b.parquet", &bytes);
    let from_path = steward_data::read(&path, Format::Parquet, &all).unwrap();
    let from_bytes = steward_data::read_from(
        Source::Bytes(Bytes::from(bytes)),
        "b",
        Format::Parquet,
        &all,
    )
    .unwrap();
    assert_eq!(from_path.rows, from_bytes.rows);
    assert_eq!(
        format!("{:?}", from_path.columns),
        format!("{:?}", from_bytes.columns)
    );
    assert_eq!(from_path.unsupported, from_bytes.unsupported);
}
