//! Parquet, through the parquet crate, after checking what the file declares against its size.

use std::io::BufReader;
use std::sync::Arc;

use ::parquet::arrow::ProjectionMask;
use ::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use ::parquet::basic::Compression;
use ::parquet::errors::ParquetError;
use ::parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader};
use ::parquet::file::reader::{ChunkReader, Length};
use bytes::Bytes;

use super::guard::contain;
use super::source::Cursor;
use super::thrift::{self, Compact, ThriftError};
use super::{BatchIter, Batches, Body, Decode, Random, Unit, batch_rows, clean, plan};
use crate::error::{DataError, Problem, damaged, internal_arrow, too_large, unsupported};

/// The input, with reads refused past its end. The parquet crate reserves a buffer of the
/// length it is asked for before reading; asked for a page that a damaged header says is
/// 2 GiB long, it would reserve 2 GiB for a file of a few bytes.
struct Bounded(Random);

impl Length for Bounded {
    fn len(&self) -> u64 {
        self.0.len()
    }
}

impl ChunkReader for Bounded {
    type T = BufReader<Cursor>;

    fn get_read(&self, start: u64) -> ::parquet::errors::Result<Self::T> {
        if start > self.0.len() {
            return Err(ParquetError::EOF(format!(
                "an offset of {start} bytes, past the end of the file"
            )));
        }
        Ok(BufReader::new(self.0.reader_at(start)))
    }

    fn get_bytes(&self, start: u64, length: usize) -> ::parquet::errors::Result<Bytes> {
        let end = start.checked_add(length as u64);
        if end.is_none_or(|e| e > self.0.len()) {
            return Err(ParquetError::EOF(format!(
                "{length} bytes at offset {start}, past the end of the file"
            )));
        }
        self.0.bytes_at(start, length).map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => ParquetError::EOF("the file is truncated".into()),
            _ => ParquetError::External(Box::new(e)),
        })
    }
}

/// A parquet error, said plainly: a codec that is not built in is not damage.
fn explain(name: &str, e: &str) -> DataError {
    let e = clean(e);
    if let Some(rest) = e.split("Unexpected CompressionCodec ").nth(1) {
        let id = rest.split_whitespace().next().unwrap_or("?");
        return unsupported(
            name,
            format!("compression codec number {id} is unknown (not built in)"),
        );
    }
    if e.contains("DictionaryNotSupported") || e.contains("dictionary is not supported") {
        return unsupported(name, "compression LZ4 with a dictionary is not built in");
    }
    if let Some(rest) = e.split("Disabled feature at compile time: ").nth(1) {
        return unsupported(name, format!("compression {rest} is not built in"));
    }
    if e.contains("codec type LZO") || e.contains("LZO is not supported") {
        return unsupported(name, "compression LZO is not built in");
    }
    damaged(name, e)
}

/// How deeply a column's groups may nest. The footer's schema is a flat list of elements
/// with child counts, which the parquet crate turns into a tree recursively (and again when
/// it builds the Arrow schema): 1,000 nested groups, 8 KB of footer, overflow a thread's
/// stack. A column nested deeper is left out (it is a struct, which is never compared
/// anyway), and the other columns are read.
pub(crate) const MAX_NESTING: usize = 64;

/// The parquet crate numbers row groups with an `i16` (the ordinal matters only to
/// decrypt), and refuses a footer of more: a larger file is read in parts of this many.
const GROUPS_PER_PART: usize = i16::MAX as usize;

pub(crate) fn read(
    name: &str,
    file: Random,
    keep: &dyn Fn(&str) -> bool,
    decode: Decode,
) -> Result<Batches, DataError> {
    let len = file.len();
    let bytes = check_footer(name, &file)?;
    let footer = match thrift::footer(&bytes) {
        Ok(f) => f,
        Err(ThriftError::Eof) => return Err(damaged(name, "its footer is cut short")),
        Err(ThriftError::Malformed(why)) => {
            return Err(damaged(name, format!("in its footer, {why}")));
        }
    };
    if footer.encrypted {
        return Err(unsupported(
            name,
            "the Parquet file is encrypted (with a plaintext footer); encrypted Parquet is not supported",
        ));
    }
    let shape = shape(name, &footer)?;
    if shape.tops.len() > super::MAX_COLUMNS {
        return Err(too_large(
            name,
            format!(
                "the file has {} columns, more than the {} Steward reads",
                shape.tops.len(),
                super::MAX_COLUMNS
            ),
        ));
    }
    let deep: Vec<bool> = shape.tops.iter().map(|t| t.depth > MAX_NESTING).collect();
    let mut too_deep: super::Unsupported = shape
        .tops
        .iter()
        .filter(|t| t.depth > MAX_NESTING && keep(&t.name))
        .map(|t| {
            (
                t.name.clone(),
                format!("nested deeper than {MAX_NESTING} levels"),
            )
        })
        .collect();
    let groups = footer.groups.len();
    let parts: Vec<std::ops::Range<usize>> = if groups <= GROUPS_PER_PART && !deep.contains(&true) {
        std::iter::once(0..groups).collect()
    } else {
        (0..groups.max(1))
            .step_by(GROUPS_PER_PART)
            .map(|s| s..(s + GROUPS_PER_PART).min(groups))
            .collect()
    };
    let mut metas = Vec::with_capacity(parts.len());
    for part in &parts {
        let rewritten;
        let footer_bytes: &[u8] = if parts.len() == 1 && !deep.contains(&true) {
            &bytes
        } else {
            rewritten = rewrite(name, &bytes, &footer, &shape, &deep, part.clone())?;
            &rewritten
        };
        metas.push(metadata(name, footer_bytes, deep.contains(&true))?);
    }
    let first = &metas[0];
    let schema = first.schema().clone();
    let fields: Vec<_> = schema.fields().iter().cloned().collect();
    let (roots, mut unsupported) = plan(name, &fields, keep, decode)?;
    unsupported.append(&mut too_deep);
    let claimed = footer.groups.iter().try_fold(0u64, |sum, g| {
        u64::try_from(g.rows).ok().and_then(|n| sum.checked_add(n))
    });
    let claimed = match claimed {
        None => {
            return Err(damaged(
                name,
                "a row group claims a negative number of rows",
            ));
        }
        Some(n) if n > super::MAX_ROWS => {
            return Err(too_large(
                name,
                format!(
                    "the file claims {n} rows, more than the {} Steward reads",
                    super::MAX_ROWS
                ),
            ));
        }
        Some(n) => n,
    };
    let descr = first.metadata().file_metadata().schema_descr();
    let leaves = (0..descr.num_columns())
        .filter(|&l| roots.contains(&descr.get_column_root_idx(l)))
        .count() as u64;
    super::check_cells(name, claimed, leaves, len)?;
    for meta in &metas {
        contain(|| check_columns(name, &file, meta.metadata(), &roots))
            .map_err(|p| damaged(name, p))??;
    }
    let projected = Arc::new(
        schema
            .project(&roots)
            .map_err(|e| internal_arrow(name, &e))?,
    );
    // Each row group is a unit that decodes on its own, so that a caller may decode several
    // at once; read in order, they are the file's rows in order.
    let mut units: Vec<Unit> = Vec::new();
    let batch_size = batch_rows(roots.len());
    for meta in metas {
        for group in 0..meta.metadata().num_row_groups() {
            let (name, file, meta, roots) =
                (name.to_string(), file.clone(), meta.clone(), roots.clone());
            units.push(Box::new(move || {
                open_group(&name, file, meta, roots, group, batch_size)
            }));
        }
    }
    Ok(Batches {
        schema: projected,
        unsupported,
        declared_rows: Some(claimed),
        body: Body::Units(units),
    })
}

/// One row group's batches, of the columns under `roots`.
fn open_group(
    name: &str,
    file: Random,
    meta: ArrowReaderMetadata,
    roots: Vec<usize>,
    group: usize,
    batch_size: usize,
) -> Result<BatchIter, DataError> {
    let mask = ProjectionMask::roots(meta.parquet_schema(), roots);
    let built = contain(|| {
        ParquetRecordBatchReaderBuilder::new_with_metadata(Bounded(file), meta)
            .with_projection(mask)
            .with_row_groups(vec![group])
            .with_batch_size(batch_size)
            .build()
    });
    match built {
        Err(p) => Err(damaged(name, p)),
        Ok(Err(e)) => Err(explain(name, &e.to_string())),
        Ok(Ok(r)) => {
            let name = name.to_string();
            Ok(Box::new(r.map(move |b| {
                b.map_err(|e| explain(&name, &e.to_string()))
            })))
        }
    }
}

/// The parquet crate's view of a footer: its metadata and the Arrow schema read from it.
fn metadata(name: &str, bytes: &[u8], skip_arrow: bool) -> Result<ArrowReaderMetadata, DataError> {
    let unreadable = |e: &ParquetError| {
        let m = explain(name, &e.to_string());
        if m.problem() == Some(Problem::Damaged) {
            DataError::input(
                name,
                Problem::Damaged,
                format!("not a readable Parquet file: {}", clean(&e.to_string())),
            )
        } else {
            m
        }
    };
    let meta = contain(|| ParquetMetaDataReader::decode_metadata(bytes))
        .map_err(|p| damaged(name, p))?
        .map_err(|e| unreadable(&e))?;
    let meta = Arc::new(meta);
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(skip_arrow);
    match contain(|| ArrowReaderMetadata::try_new(meta.clone(), options))
        .map_err(|p| damaged(name, p))?
    {
        Ok(m) => Ok(m),
        // The Arrow schema a writer embeds (`ARROW:schema`) only refines the Parquet schema
        // (dictionary text, time zones); one that cannot be read (a struct nested past the
        // flatbuffers verifier's 64 levels) is ignored rather than refusing the file.
        Err(e) if !skip_arrow && e.to_string().contains("ARROW:schema") => contain(|| {
            ArrowReaderMetadata::try_new(
                meta,
                ArrowReaderOptions::new().with_skip_arrow_metadata(true),
            )
        })
        .map_err(|p| damaged(name, p))?
        .map_err(|e| unreadable(&e)),
        Err(e) => Err(unreadable(&e)),
    }
}

/// A top-level column of the schema: its name and how deep its groups nest.
struct Top {
    name: String,
    depth: usize,
}

struct Shape {
    tops: Vec<Top>,
    /// The top-level column of each schema element (the root's is `usize::MAX`).
    element_top: Vec<usize>,
    /// The top-level column of each leaf, in the order of the column chunks.
    leaf_top: Vec<usize>,
}

/// The schema's tree, walked without recursion: each column's depth and leaves.
fn shape(name: &str, footer: &thrift::Footer) -> Result<Shape, DataError> {
    let mismatch = || damaged(name, "its schema's child counts do not match its elements");
    let mut shape = Shape {
        tops: Vec::new(),
        element_top: Vec::with_capacity(footer.elements.len()),
        leaf_top: Vec::new(),
    };
    let Some(root) = footer.elements.first() else {
        return Ok(shape);
    };
    shape.element_top.push(usize::MAX);
    // Remaining children of each open group, the root's first.
    let mut open: Vec<i64> = Vec::new();
    match root.children {
        Some(n) if n < 0 => return Err(mismatch()),
        Some(n) if n > 0 => open.push(i64::from(n)),
        _ => {}
    }
    for e in &footer.elements[1..] {
        let Some(left) = open.last_mut() else {
            return Err(mismatch());
        };
        *left -= 1;
        let depth = open.len();
        if depth == 1 {
            shape.tops.push(Top {
                name: e.name.clone(),
                depth: 1,
            });
        }
        let top = shape.tops.len() - 1;
        shape.tops[top].depth = shape.tops[top].depth.max(depth);
        shape.element_top.push(top);
        match e.children {
            Some(n) if n < 0 => return Err(mismatch()),
            Some(n) if n > 0 => open.push(i64::from(n)),
            _ => shape.leaf_top.push(top),
        }
        while open.last() == Some(&0) {
            open.pop();
        }
    }
    if !open.is_empty() {
        return Err(mismatch());
    }
    Ok(shape)
}

/// The footer with only the row groups in `groups` and without the columns marked `deep`
/// (their schema elements, column chunks and column orders), and then without the embedded
/// Arrow schema, which would still name them.
fn rewrite(
    name: &str,
    bytes: &[u8],
    footer: &thrift::Footer,
    shape: &Shape,
    deep: &[bool],
    groups: std::ops::Range<usize>,
) -> Result<Vec<u8>, DataError> {
    let dropping = deep.contains(&true);
    let span = |l: &thrift::List| l.header.start..l.items.last().map_or(l.header.end, |i| i.end);
    let mut edits: Vec<(std::ops::Range<usize>, Vec<u8>)> = Vec::new();
    if let (Some(schema), true) = (&footer.schema, dropping) {
        let kept: Vec<usize> = (0..schema.items.len())
            .filter(|&i| i == 0 || !deep[shape.element_top[i]])
            .collect();
        let mut out = Vec::new();
        thrift::list_header(&mut out, schema.elem, kept.len());
        for &i in &kept {
            let item = schema.items[i].clone();
            match (&footer.elements[i].children_at, i) {
                (Some(at), 0) => {
                    out.extend_from_slice(&bytes[item.start..at.start]);
                    let tops = deep.iter().filter(|d| !**d).count();
                    thrift::zigzag(&mut out, tops as i64);
                    out.extend_from_slice(&bytes[at.end..item.end]);
                }
                _ => out.extend_from_slice(&bytes[item]),
            }
        }
        edits.push((span(schema), out));
    }
    let leaf_kept = |l: usize| !deep[shape.leaf_top[l]];
    if let Some(list) = &footer.row_groups {
        let mut out = Vec::new();
        thrift::list_header(&mut out, list.elem, groups.len());
        for g in groups {
            let item = list.items[g].clone();
            match (&footer.groups[g].columns, dropping) {
                (Some(columns), true) => {
                    if columns.items.len() != shape.leaf_top.len() {
                        return Err(damaged(
                            name,
                            format!(
                                "row group {g} has {} column chunks for {} columns",
                                columns.items.len(),
                                shape.leaf_top.len()
                            ),
                        ));
                    }
                    let cols = span(columns);
                    out.extend_from_slice(&bytes[item.start..cols.start]);
                    let kept: Vec<_> = (0..columns.items.len()).filter(|&l| leaf_kept(l)).collect();
                    thrift::list_header(&mut out, columns.elem, kept.len());
                    for l in kept {
                        out.extend_from_slice(&bytes[columns.items[l].clone()]);
                    }
                    out.extend_from_slice(&bytes[cols.end..item.end]);
                }
                _ => out.extend_from_slice(&bytes[item]),
            }
        }
        edits.push((span(list), out));
    }
    if let (Some(orders), true) = (&footer.column_orders, dropping)
        && orders.items.len() == shape.leaf_top.len()
    {
        let mut out = Vec::new();
        let kept: Vec<_> = (0..orders.items.len()).filter(|&l| leaf_kept(l)).collect();
        thrift::list_header(&mut out, orders.elem, kept.len());
        for l in kept {
            out.extend_from_slice(&bytes[orders.items[l].clone()]);
        }
        edits.push((span(orders), out));
    }
    if let (Some(kv), true) = (&footer.key_values, dropping) {
        let mut out = Vec::new();
        let kept: Vec<_> = (0..kv.items.len())
            .filter(|i| !footer.arrow_schema.contains(i))
            .collect();
        thrift::list_header(&mut out, kv.elem, kept.len());
        for i in kept {
            out.extend_from_slice(&bytes[kv.items[i].clone()]);
        }
        edits.push((span(kv), out));
    }
    edits.sort_by_key(|e| e.0.start);
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for (range, with) in edits {
        out.extend_from_slice(&bytes[at..range.start]);
        out.extend_from_slice(&with);
        at = range.end;
    }
    out.extend_from_slice(&bytes[at..]);
    Ok(out)
}

/// The footer: its length against the file's, and every count and length in it against the
/// bytes that follow, before the parquet crate reserves memory for them. Returns its bytes.
fn check_footer(name: &str, file: &Random) -> Result<Vec<u8>, DataError> {
    let len = file.len();
    let mut magic = [0u8; 4];
    let mut tail = [0u8; 8];
    if len < 12 {
        return Err(DataError::input(
            name,
            Problem::Invalid,
            "not a Parquet file (too short)",
        ));
    }
    file.read_at(0, &mut magic)
        .and_then(|_| file.read_at(len - 8, &mut tail))
        .map_err(|e| DataError::io(name, e))?;
    if &tail[4..] == b"PARE" {
        return Err(unsupported(
            name,
            "the Parquet file is encrypted; encrypted Parquet is not supported",
        ));
    }
    if &magic != b"PAR1" || &tail[4..] != b"PAR1" {
        return Err(DataError::input(
            name,
            Problem::Invalid,
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
    file.read_at(len - 8 - footer, &mut bytes)
        .map_err(|e| DataError::io(name, e))?;
    match Compact::new(&bytes).check_struct() {
        Ok(_) => Ok(bytes),
        Err(ThriftError::Eof) => Err(damaged(name, "its footer is cut short")),
        Err(ThriftError::Malformed(why)) => Err(damaged(name, format!("in its footer, {why}"))),
    }
}

/// The column chunks that will be decoded: their codec, their byte ranges against the file,
/// and each page's declared sizes against its chunk.
fn check_columns(
    name: &str,
    file: &Random,
    meta: &ParquetMetaData,
    roots: &[usize],
) -> Result<(), DataError> {
    let len = file.len();
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
                return Err(unsupported(
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
            check_pages(
                name,
                &column,
                file,
                start,
                end,
                chunk.num_values(),
                chunk.compression(),
            )?;
        }
    }
    Ok(())
}

/// A page may expand when decompressed, but the parquet crate reserves the size its header
/// declares before decompressing, so the claim must be one the page's bytes can produce:
/// at most what the codec's format can expand to (deflate 1,032 times, LZ4 about 255,
/// Snappy about 21, zstd about 32,768 with blocks of one repeated byte; a small allowance
/// on top for headers), and never more than [`PAGE_MAX`]. Writers cut pages at about
/// 1 MiB (parquet-mr, arrow-rs and pyarrow alike), so 64 MiB leaves room for a page holding
/// one very long value.
pub(crate) const PAGE_MAX: u64 = 64 << 20;
const PAGE_SLACK: u64 = 64 << 10;

fn page_bound(codec: Compression, compressed: u64) -> u64 {
    let ratio: u64 = match codec {
        Compression::UNCOMPRESSED => 1,
        Compression::SNAPPY => 32,
        Compression::GZIP(_) => 1_100,
        Compression::LZ4 | Compression::LZ4_RAW => 256,
        Compression::ZSTD(_) => 32_768,
        // Brotli has no useful bound of its format: the ceiling alone.
        _ => u64::MAX,
    };
    compressed
        .saturating_mul(ratio)
        .saturating_add(PAGE_SLACK)
        .min(PAGE_MAX)
}

fn check_pages(
    name: &str,
    column: &str,
    file: &Random,
    start: u64,
    end: u64,
    chunk_values: i64,
    codec: Compression,
) -> Result<(), DataError> {
    let mut pos = start;
    let mut buf = Vec::new();
    while pos < end {
        // A header is usually tens of bytes; statistics can make it longer.
        let mut want = (end - pos).min(256);
        let header = loop {
            buf.resize(want as usize, 0);
            file.read_at(pos, &mut buf)
                .map_err(|e| DataError::io(name, e))?;
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
        if uncompressed > page_bound(codec, compressed) {
            return Err(damaged(
                name,
                format!(
                    "column `{column}`: a page of {compressed} bytes claims {uncompressed} bytes uncompressed, more than its codec can produce from it (or than the {} MiB a page may hold)",
                    PAGE_MAX >> 20
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
