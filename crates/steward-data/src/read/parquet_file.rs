//! Parquet, through the parquet crate, after checking what the file declares against its size.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;

use ::parquet::arrow::ProjectionMask;
use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use ::parquet::basic::Compression;
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::ParquetMetaData;
use ::parquet::file::reader::{ChunkReader, Length};
use bytes::Bytes;

use super::guard::contain;
use super::thrift::{self, Compact, ThriftError};
use super::{Batches, batch_rows, clean, plan};
use crate::{DataError, err};

/// The file, with reads refused past its end. The parquet crate reserves a buffer of the
/// length it is asked for before reading; asked for a page that a damaged header says is
/// 2 GiB long, it would reserve 2 GiB for a file of a few bytes.
struct Bounded {
    file: File,
    len: u64,
}

impl Length for Bounded {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Bounded {
    type T = BufReader<File>;

    fn get_read(&self, start: u64) -> ::parquet::errors::Result<Self::T> {
        if start > self.len {
            return Err(ParquetError::EOF(format!(
                "an offset of {start} bytes, past the end of the file"
            )));
        }
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        Ok(BufReader::new(f))
    }

    fn get_bytes(&self, start: u64, length: usize) -> ::parquet::errors::Result<Bytes> {
        let end = start.checked_add(length as u64);
        if end.is_none_or(|e| e > self.len) {
            return Err(ParquetError::EOF(format!(
                "{length} bytes at offset {start}, past the end of the file"
            )));
        }
        let mut buf = Vec::with_capacity(length);
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        f.take(length as u64).read_to_end(&mut buf)?;
        if buf.len() != length {
            return Err(ParquetError::EOF("the file is truncated".into()));
        }
        Ok(buf.into())
    }
}

fn damaged(name: &str, why: impl std::fmt::Display) -> DataError {
    err(name, format!("the file is damaged: {why}"))
}

/// A parquet error, said plainly: a codec that is not built in is not damage.
fn explain(e: &str) -> String {
    let e = clean(e);
    if let Some(rest) = e.split("Unexpected CompressionCodec ").nth(1) {
        let id = rest.split_whitespace().next().unwrap_or("?");
        return format!("compression codec number {id} is unknown (not built in)");
    }
    if e.contains("DictionaryNotSupported") || e.contains("dictionary is not supported") {
        return "compression LZ4 with a dictionary is not built in".into();
    }
    if let Some(rest) = e.split("Disabled feature at compile time: ").nth(1) {
        return format!("compression {rest} is not built in");
    }
    if e.contains("codec type LZO") || e.contains("LZO is not supported") {
        return "compression LZO is not built in".into();
    }
    format!("the file is damaged: {e}")
}

pub(crate) fn read(
    name: &str,
    file: File,
    len: u64,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Batches, DataError> {
    check_footer(name, &file, len)?;
    let reader = Bounded {
        file: file
            .try_clone()
            .map_err(|e| err(name, super::cannot_read(&e)))?,
        len,
    };
    let builder = contain(|| ParquetRecordBatchReaderBuilder::try_new(reader))
        .map_err(|p| damaged(name, p))?
        .map_err(|e| {
            let m = explain(&e.to_string());
            if m.starts_with("the file is damaged") {
                err(
                    name,
                    format!("not a readable Parquet file: {}", clean(&e.to_string())),
                )
            } else {
                err(name, m)
            }
        })?;
    let schema = builder.schema().clone();
    let fields: Vec<_> = schema.fields().iter().cloned().collect();
    let (roots, unsupported) = plan(name, &fields, keep)?;
    let claimed = builder
        .metadata()
        .row_groups()
        .iter()
        .try_fold(0u64, |sum, g| {
            u64::try_from(g.num_rows())
                .ok()
                .and_then(|n| sum.checked_add(n))
        });
    match claimed {
        None => {
            return Err(damaged(
                name,
                "a row group claims a negative number of rows",
            ));
        }
        Some(n) if n > super::MAX_ROWS => {
            return Err(err(
                name,
                format!(
                    "the file claims {n} rows, more than the {} Steward reads",
                    super::MAX_ROWS
                ),
            ));
        }
        Some(_) => {}
    }
    contain(|| check_columns(name, &file, len, builder.metadata(), &roots))
        .map_err(|p| damaged(name, p))??;
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots.clone());
    let reader = contain(|| {
        builder
            .with_projection(mask)
            .with_batch_size(batch_rows(roots.len()))
            .build()
    })
    .map_err(|p| damaged(name, p))?
    .map_err(|e| err(name, explain(&e.to_string())))?;
    let projected = Arc::new(
        schema
            .project(&roots)
            .map_err(|e| err(name, clean(&e.to_string())))?,
    );
    Ok(Batches {
        schema: projected,
        unsupported,
        batches: Box::new(reader.map(|b| b.map_err(|e| explain(&e.to_string())))),
    })
}

/// The footer: its length against the file's, and every count and length in it against the
/// bytes that follow, before the parquet crate reserves memory for them.
fn check_footer(name: &str, file: &File, len: u64) -> Result<(), DataError> {
    let mut f = file;
    let mut magic = [0u8; 4];
    let mut tail = [0u8; 8];
    if len < 12 {
        return Err(err(name, "not a Parquet file (too short)"));
    }
    f.seek(SeekFrom::Start(0))
        .and_then(|_| f.read_exact(&mut magic))
        .and_then(|_| f.seek(SeekFrom::Start(len - 8)))
        .and_then(|_| f.read_exact(&mut tail))
        .map_err(|e| err(name, super::cannot_read(&e)))?;
    if &tail[4..] == b"PARE" {
        return Err(err(
            name,
            "the Parquet file is encrypted, which is not supported",
        ));
    }
    if &magic != b"PAR1" || &tail[4..] != b"PAR1" {
        return Err(err(
            name,
            "not a Parquet file (it does not start and end with PAR1), or it is truncated",
        ));
    }
    let footer = u64::from(u32::from_le_bytes(tail[..4].try_into().unwrap_or([0; 4])));
    if footer + 12 > len {
        return Err(damaged(
            name,
            format!("its footer claims {footer} bytes, more than the file holds"),
        ));
    }
    let mut bytes = vec![0u8; footer as usize];
    f.seek(SeekFrom::Start(len - 8 - footer))
        .and_then(|_| f.read_exact(&mut bytes))
        .map_err(|e| err(name, super::cannot_read(&e)))?;
    match Compact::new(&bytes).check_struct() {
        Ok(_) => Ok(()),
        Err(ThriftError::Eof) => Err(damaged(name, "its footer is cut short")),
        Err(ThriftError::Malformed(why)) => Err(damaged(name, format!("in its footer, {why}"))),
    }
}

/// The column chunks that will be decoded: their codec, their byte ranges against the file,
/// and each page's declared sizes against its chunk.
fn check_columns(
    name: &str,
    file: &File,
    len: u64,
    meta: &ParquetMetaData,
    roots: &[usize],
) -> Result<(), DataError> {
    let schema = meta.file_metadata().schema_descr();
    let leaves: Vec<usize> = (0..schema.num_columns())
        .filter(|&l| roots.contains(&schema.get_column_root_idx(l)))
        .collect();
    for (g, group) in meta.row_groups().iter().enumerate() {
        for &l in &leaves {
            let Some(chunk) = group.columns().get(l) else {
                return Err(damaged(name, format!("row group {g} lacks column {l}")));
            };
            let column = steward_io::clip(chunk.column_path().string().as_str(), 80).into_owned();
            if matches!(chunk.compression(), Compression::LZO) {
                return Err(err(
                    name,
                    format!("column `{column}`: compression LZO is not built in"),
                ));
            }
            let start = chunk
                .dictionary_page_offset()
                .filter(|&d| d > 0)
                .unwrap_or(chunk.data_page_offset());
            let size = chunk.compressed_size();
            let end = u64::try_from(start)
                .ok()
                .zip(u64::try_from(size).ok())
                .and_then(|(s, n)| s.checked_add(n));
            let (Ok(start), Some(end)) = (u64::try_from(start), end) else {
                return Err(damaged(
                    name,
                    format!("column `{column}` has a negative offset or size"),
                ));
            };
            if end > len {
                return Err(damaged(
                    name,
                    format!(
                        "column `{column}` claims bytes {start}..{end}, past the end of the file ({len} bytes); it may be truncated"
                    ),
                ));
            }
            check_pages(name, &column, file, start, end, chunk.num_values())?;
        }
    }
    Ok(())
}

/// A page may expand when decompressed, but not without bound: a damaged or forged header
/// claiming gigabytes from a few bytes is refused before anything is reserved for it. Any
/// page of up to 16 MiB is accepted; beyond that, up to 4,096 times its compressed size
/// (gzip's ratio stops near 1,000; zstd's default 1 MiB pages stay under the floor).
const PAGE_FLOOR: u64 = 16 << 20;
const PAGE_RATIO: u64 = 4096;

fn check_pages(
    name: &str,
    column: &str,
    file: &File,
    start: u64,
    end: u64,
    chunk_values: i64,
) -> Result<(), DataError> {
    let mut f = file;
    let mut pos = start;
    let mut buf = Vec::new();
    while pos < end {
        // A header is usually tens of bytes; statistics can make it longer.
        let mut want = (end - pos).min(256);
        let header = loop {
            buf.resize(want as usize, 0);
            f.seek(SeekFrom::Start(pos))
                .and_then(|_| f.read_exact(&mut buf))
                .map_err(|e| err(name, super::cannot_read(&e)))?;
            match thrift::page_header(&buf) {
                Ok(h) => break h,
                Err(ThriftError::Eof) if want < end - pos => want = (want * 4).min(end - pos),
                Err(ThriftError::Eof) => {
                    return Err(damaged(
                        name,
                        format!("column `{column}`: a page header is cut short"),
                    ));
                }
                Err(ThriftError::Malformed(why)) => {
                    return Err(damaged(
                        name,
                        format!("column `{column}`: in a page header, {why}"),
                    ));
                }
            }
        };
        let (Ok(compressed), Ok(uncompressed)) = (
            u64::try_from(header.compressed),
            u64::try_from(header.uncompressed),
        ) else {
            return Err(damaged(
                name,
                format!("column `{column}`: a page has a negative size"),
            ));
        };
        let body = pos + header.len as u64;
        if body + compressed > end {
            return Err(damaged(
                name,
                format!(
                    "column `{column}`: a page of {compressed} bytes runs past its column chunk"
                ),
            ));
        }
        if uncompressed > PAGE_FLOOR.max(compressed.saturating_mul(PAGE_RATIO)) {
            return Err(damaged(
                name,
                format!(
                    "column `{column}`: a page of {compressed} bytes claims {uncompressed} bytes uncompressed"
                ),
            ));
        }
        if let Some(n) = header.num_values {
            let n = i64::from(n);
            let bound = if header.page_type == thrift::DICTIONARY_PAGE {
                // Every dictionary value takes at least a bit.
                uncompressed.saturating_mul(8) as i64
            } else {
                chunk_values
            };
            if n < 0 || n > bound.max(0) {
                return Err(damaged(
                    name,
                    format!("column `{column}`: a page claims {n} values"),
                ));
            }
        }
        pos = body + compressed;
    }
    Ok(())
}
