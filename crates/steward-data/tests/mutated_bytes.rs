//! A fuzz target per reader, as a bounded proptest: a small valid file with one to four bytes
//! flipped or set, a cut, or bytes inserted must read as data or as an error, never panic.
//! (A panic the reader lets through fails the test with the input's bytes printed.)

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use common::{CSV, JSONL, all, batch, ipc_file, ipc_stream, parquet};
use proptest::prelude::*;
use steward_data::{Format, read};

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1..=255u8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        1 => any::<usize>().prop_map(Mutation::Cut),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
    ]
}

fn apply(base: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for m in mutations {
        if bytes.is_empty() {
            break;
        }
        let n = bytes.len();
        match m {
            Mutation::Flip(i, b) => bytes[i % n] ^= b,
            Mutation::Set(i, b) => bytes[i % n] = *b,
            Mutation::Cut(i) => bytes.truncate(i % n),
            Mutation::Insert(i, b) => {
                let at = i % (n + 1);
                bytes.splice(at..at, b.iter().copied());
            }
        }
    }
    bytes
}

/// Reads `bytes` as `format`; a panic is a failure that shows the bytes.
fn survives(dir: &Path, name: &str, format: Format, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let outcome = catch_unwind(AssertUnwindSafe(|| read(&path, format, &all).map(drop)));
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => {
            let text = e.to_string();
            prop_assert!(text.starts_with(path.to_str().unwrap()), "unnamed: {text}");
            prop_assert!(text.len() < 2_000, "too long: {} bytes", text.len());
            Ok(())
        }
        Err(_) => Err(TestCaseError::fail(format!(
            "{name}: the reader panicked on these {} bytes: {:02x?}",
            bytes.len(),
            bytes
        ))),
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_survives_mutations(m in prop::collection::vec(mutation(), 1..=4)) {
        let dir = tempfile::tempdir().unwrap();
        survives(dir.path(), "m.csv", Format::Csv, &apply(CSV.as_bytes(), &m))?;
    }

    #[test]
    fn json_lines_survive_mutations(m in prop::collection::vec(mutation(), 1..=4)) {
        let dir = tempfile::tempdir().unwrap();
        survives(dir.path(), "m.jsonl", Format::JsonLines, &apply(JSONL.as_bytes(), &m))?;
    }

    #[test]
    fn parquet_survives_mutations(
        m in prop::collection::vec(mutation(), 1..=4),
        codec in 0..4usize,
    ) {
        let compression = [
            parquet::basic::Compression::UNCOMPRESSED,
            parquet::basic::Compression::SNAPPY,
            parquet::basic::Compression::ZSTD(Default::default()),
            parquet::basic::Compression::GZIP(Default::default()),
        ][codec];
        let base = parquet(&batch(), compression);
        let dir = tempfile::tempdir().unwrap();
        survives(dir.path(), "m.parquet", Format::Parquet, &apply(&base, &m))?;
    }

    #[test]
    fn arrow_files_survive_mutations(m in prop::collection::vec(mutation(), 1..=4)) {
        let dir = tempfile::tempdir().unwrap();
        survives(dir.path(), "m.arrow", Format::ArrowIpc, &apply(&ipc_file(&batch()), &m))?;
    }

    #[test]
    fn compressed_arrow_files_survive_mutations(
        m in prop::collection::vec(mutation(), 1..=4),
        zstd in any::<bool>(),
    ) {
        let codec = if zstd {
            arrow_ipc::CompressionType::ZSTD
        } else {
            arrow_ipc::CompressionType::LZ4_FRAME
        };
        let base = common::ipc_file_compressed(&batch(), codec);
        let dir = tempfile::tempdir().unwrap();
        survives(dir.path(), "m.arrow", Format::ArrowIpc, &apply(&base, &m))?;
    }

    #[test]
    fn arrow_streams_survive_mutations(m in prop::collection::vec(mutation(), 1..=4)) {
        let dir = tempfile::tempdir().unwrap();
        survives(dir.path(), "m.arrows", Format::ArrowIpc, &apply(&ipc_stream(&batch()), &m))?;
    }

    #[test]
    fn random_bytes_are_errors(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let dir = tempfile::tempdir().unwrap();
        for (name, format) in [
            ("r.csv", Format::Csv),
            ("r.jsonl", Format::JsonLines),
            ("r.parquet", Format::Parquet),
            ("r.arrow", Format::ArrowIpc),
        ] {
            survives(dir.path(), name, format, &bytes)?;
        }
    }
}
