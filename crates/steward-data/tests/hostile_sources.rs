//! Damaged input arrives as bytes in memory (an upload) or from a reader (a request body)
//! as often as from a file: each source must fail the way the file fails, with the same
//! kind of error (the sender's fault, a failed read, or Steward's own), so that a server
//! answers it with the same status. Formats that must seek are refused from a reader as
//! unsupported, never read wrongly.

mod common;

use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};

use bytes::{Buf, Bytes};
use common::{
    CSV, JSONL, all, arrow_file_claiming_a_huge_body, batch, ipc_file, ipc_stream, parquet,
    replace_last,
};
use steward_data::{DataError, Format, Problem, Source, read_from};

/// What a read came to, as a caller matching on the error sees it.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Read(usize),
    Input(Problem),
    Io,
    Internal,
}

fn outcome(name: &str, r: Result<steward_data::Dataset, DataError>) -> Outcome {
    match r {
        Ok(d) => Outcome::Read(d.rows),
        Err(e) => {
            assert_eq!(e.file(), name, "{e}");
            assert!(e.to_string().len() < 2_000, "{} bytes", e.to_string().len());
            match e {
                DataError::Input { problem, .. } => Outcome::Input(problem),
                DataError::Io { .. } => Outcome::Io,
                DataError::Internal { .. } => Outcome::Internal,
                other => panic!("an error of a new kind: {other}"),
            }
        }
    }
}

/// Reads `source`; a panic fails the test, naming the case.
fn read(case: &str, source: Source, format: Format) -> Outcome {
    read_showing(case, "", source, format)
}

/// [`read`], with `detail` (the input's bytes) shown when the reader panics.
fn read_showing(case: &str, detail: &str, source: Source, format: Format) -> Outcome {
    let name = format!("{case}.input");
    let r = catch_unwind(AssertUnwindSafe(|| read_from(source, &name, format, &all)))
        .unwrap_or_else(|_| panic!("{case}: the reader panicked ({format:?}) {detail}"));
    outcome(&name, r)
}

fn reader(bytes: &Bytes) -> Source {
    Source::Reader(Box::new(bytes.clone().reader()))
}

/// `bytes` read from a file, from memory and from a reader: the outcome of each.
fn three_ways(case: &str, bytes: &Bytes, format: Format) -> [Outcome; 3] {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, bytes).unwrap();
    [
        read(case, Source::Path(path), format),
        read(case, Source::Bytes(bytes.clone()), format),
        read(case, reader(bytes), format),
    ]
}

/// The damaged input is the sender's fault from every source, and the same fault: a reader
/// of a format that must seek is refused as unsupported instead.
fn same_fault(case: &str, bytes: impl Into<Bytes>, format: Format) {
    let bytes = bytes.into();
    let [path, memory, stream] = three_ways(case, &bytes, format);
    assert!(
        matches!(path, Outcome::Input(_)),
        "{case}: the file gave {path:?}"
    );
    assert_eq!(memory, path, "{case}: bytes in memory");
    let seeks =
        format == Format::Parquet || (format == Format::ArrowIpc && bytes.starts_with(b"ARROW1"));
    if seeks {
        assert_eq!(
            stream,
            Outcome::Input(Problem::Unsupported),
            "{case}: reader"
        );
    } else {
        assert_eq!(stream, path, "{case}: reader");
    }
}

/// An Arrow stream whose record batch message claims a body of 2^50 bytes.
fn arrow_stream_claiming_a_huge_body() -> Vec<u8> {
    let mut bytes = ipc_stream(&batch());
    let (mut pos, mut last) = (0, 0);
    while pos + 8 <= bytes.len() {
        let len = i32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        if len == 0 {
            break;
        }
        last = arrow_ipc::root_as_message(&bytes[pos + 8..pos + 8 + len])
            .unwrap()
            .bodyLength();
        pos += 8 + len + last as usize;
    }
    replace_last(&mut bytes, &last.to_le_bytes(), &(1i64 << 50).to_le_bytes());
    bytes
}

#[test]
fn the_valid_inputs_read_the_same_from_every_source() {
    let snappy = parquet(&batch(), parquet::basic::Compression::SNAPPY);
    for (case, bytes, format) in [
        ("csv", CSV.as_bytes().to_vec(), Format::Csv),
        ("jsonl", JSONL.as_bytes().to_vec(), Format::JsonLines),
        ("stream", ipc_stream(&batch()), Format::ArrowIpc),
    ] {
        let got = three_ways(case, &Bytes::from(bytes), format);
        assert_eq!(got, [Outcome::Read(4), Outcome::Read(4), Outcome::Read(4)]);
    }
    for (case, bytes, format) in [
        ("parquet", snappy, Format::Parquet),
        ("arrow", ipc_file(&batch()), Format::ArrowIpc),
    ] {
        let got = three_ways(case, &Bytes::from(bytes), format);
        assert_eq!(
            got,
            [
                Outcome::Read(4),
                Outcome::Read(4),
                Outcome::Input(Problem::Unsupported)
            ]
        );
    }
}

#[test]
fn damaged_parquet_is_the_same_fault_from_memory() {
    let bytes = parquet(&batch(), parquet::basic::Compression::SNAPPY);
    for cut in [4, 12, bytes.len() / 2, bytes.len() - 1] {
        same_fault(
            &format!("parquet-cut-{cut}"),
            bytes[..cut].to_vec(),
            Format::Parquet,
        );
    }
    let mut footer = bytes.clone();
    let n = footer.len();
    footer[n - 8..n - 4].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    same_fault("parquet-footer", footer, Format::Parquet);
    same_fault("parquet-csv", CSV.as_bytes().to_vec(), Format::Parquet);
}

#[test]
fn arrow_lying_about_lengths_is_the_same_fault_from_every_source() {
    same_fault(
        "arrow-huge-body",
        arrow_file_claiming_a_huge_body(),
        Format::ArrowIpc,
    );
    same_fault(
        "stream-huge-body",
        arrow_stream_claiming_a_huge_body(),
        Format::ArrowIpc,
    );
    same_fault(
        "arrow-cut",
        ipc_file(&batch())[..200].to_vec(),
        Format::ArrowIpc,
    );
    same_fault(
        "stream-cut",
        ipc_stream(&batch())[..300].to_vec(),
        Format::ArrowIpc,
    );
    same_fault("arrow-magic-only", b"ARROW1\0\0".to_vec(), Format::ArrowIpc);
    same_fault("arrow-two-bytes", b"AB".to_vec(), Format::ArrowIpc);
    // Inputs the mutation tests once found to abort the reader.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let format = Format::of(&path).unwrap();
        let case = path.file_name().unwrap().to_string_lossy().into_owned();
        same_fault(&case, std::fs::read(&path).unwrap(), format);
        seen += 1;
    }
    assert!(seen > 0);
}

#[test]
fn damaged_text_is_the_same_fault_from_every_source() {
    for (case, text, format) in [
        ("csv-quote", &b"x,y\n1,2\n\"3,4\n5,6\n"[..], Format::Csv),
        ("csv-fields", b"x,y\n1,2\n3,4,5\n", Format::Csv),
        ("csv-header-only", b"x,y\n", Format::Csv),
        (
            "csv-binary",
            b"\x00\x01\x02\x03PK\x03\x04\xff\xfe\x00\x00",
            Format::Csv,
        ),
        ("csv-duplicate", b"x,x\n1,2\n", Format::Csv),
        ("jsonl-cut", b"{\"x\": 1}\n{\"x\": \n", Format::JsonLines),
        ("jsonl-scalar", b"{\"x\": 1}\n5\n", Format::JsonLines),
        (
            "jsonl-array",
            b"[{\"x\": 1}, {\"x\": 2}]",
            Format::JsonLines,
        ),
        (
            "jsonl-binary",
            b"\x00\x9f\x92\x96\n\xff\n",
            Format::JsonLines,
        ),
        (
            "jsonl-two-values",
            b"{\"x\": 1} {\"x\": 2}\n",
            Format::JsonLines,
        ),
    ] {
        same_fault(case, text.to_vec(), format);
    }
}

#[test]
fn a_line_of_a_hundred_megabytes_is_the_same_fault_from_every_source() {
    let mut text = b"x,y\n1,2\n3,4,".to_vec();
    text.resize(text.len() + (100 << 20), b'a');
    text.push(b'\n');
    same_fault("csv-huge-line", text, Format::Csv);
}

#[test]
fn empty_input_is_the_senders_fault_from_every_source() {
    for format in [
        Format::Csv,
        Format::JsonLines,
        Format::Parquet,
        Format::ArrowIpc,
    ] {
        let [path, memory, stream] = three_ways("empty", &Bytes::new(), format);
        assert_eq!(path, Outcome::Input(Problem::Invalid), "{format:?}");
        assert_eq!(memory, path, "{format:?}");
        if format == Format::Parquet {
            assert_eq!(stream, Outcome::Input(Problem::Unsupported));
        } else {
            assert_eq!(stream, path, "{format:?}");
        }
    }
}

/// A reader that gives `bytes`, then fails, as a connection that drops does.
struct Dropping {
    bytes: Bytes,
}

impl Read for Dropping {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.bytes.is_empty() {
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "dropped"));
        }
        let n = buf.len().min(self.bytes.len()).min(7);
        self.bytes.copy_to_slice(&mut buf[..n]);
        Ok(n)
    }
}

#[test]
fn a_reader_that_fails_is_a_failed_read_not_damage() {
    for (case, bytes, format) in [
        ("csv", CSV.as_bytes().to_vec(), Format::Csv),
        ("jsonl", JSONL.as_bytes().to_vec(), Format::JsonLines),
        ("stream", ipc_stream(&batch()), Format::ArrowIpc),
    ] {
        for cut in [0, 5, bytes.len() / 2, bytes.len()] {
            let source = Source::Reader(Box::new(Dropping {
                bytes: Bytes::from(bytes[..cut].to_vec()),
            }));
            assert_eq!(
                read(case, source, format),
                Outcome::Io,
                "{case} cut at {cut}"
            );
        }
    }
    let missing = tempfile::tempdir().unwrap().path().join("gone.csv");
    assert_eq!(
        read("gone", Source::Path(missing), Format::Csv),
        Outcome::Io
    );
}

/// A small deterministic generator (xorshift64*), so a failure is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One to four changes: a byte flipped or set, a cut, or a few random bytes inserted.
fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        if b.is_empty() {
            break;
        }
        let n = b.len();
        match rng.below(8) {
            0..=3 => b[rng.below(n)] ^= 1 + rng.below(255) as u8,
            4 | 5 => b[rng.below(n)] = rng.next() as u8,
            6 => b.truncate(rng.below(n)),
            _ => {
                let at = rng.below(n + 1);
                let more: Vec<u8> = (0..1 + rng.below(8)).map(|_| rng.next() as u8).collect();
                b.splice(at..at, more);
            }
        }
    }
    b
}

#[test]
fn mutated_inputs_in_memory_read_or_are_the_senders_fault() {
    let zstd = parquet::basic::Compression::ZSTD(Default::default());
    let bases = [
        ("csv", CSV.as_bytes().to_vec(), Format::Csv),
        ("jsonl", JSONL.as_bytes().to_vec(), Format::JsonLines),
        ("parquet", parquet(&batch(), zstd), Format::Parquet),
        ("arrow", ipc_file(&batch()), Format::ArrowIpc),
        ("stream", ipc_stream(&batch()), Format::ArrowIpc),
    ];
    let mut rng = Rng(0x005e_ed0f_da7a);
    let mut read_back = 0;
    for (case, base, format) in &bases {
        for i in 0..300 {
            let bytes = Bytes::from(mutate(base, &mut rng));
            let name = format!("{case}-{i}");
            let what = format!("{name} ({} bytes: {:02x?})", bytes.len(), &bytes[..]);
            let memory = read_showing(&name, &what, Source::Bytes(bytes.clone()), *format);
            assert!(
                matches!(memory, Outcome::Read(_) | Outcome::Input(_)),
                "{what}: {memory:?}"
            );
            if matches!(memory, Outcome::Read(_)) {
                read_back += 1;
            }
            // What is read once, front to back, must come out as from memory.
            if !bytes.starts_with(b"ARROW1") && *format != Format::Parquet {
                let stream = read_showing(&name, &what, reader(&bytes), *format);
                assert_eq!(stream, memory, "{what}: from a reader");
            }
        }
    }
    // The mutations are small enough that some inputs still read (a changed digit).
    assert!(read_back > 0);
}
