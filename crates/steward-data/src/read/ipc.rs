//! Arrow IPC, the file format (Feather 2) and the stream format, through arrow-ipc, after
//! checking every declared length against the file's size.
//!
//! arrow-ipc reserves what a message declares before reading it: a 448-byte file declaring a
//! 2^50-byte body would reserve 2^50 bytes, and a CSV file renamed `.arrow` reads as a
//! length of about a billion. Those claims are checked here first.

use std::io::{BufReader, Read};
use std::sync::Arc;

use arrow_ipc::reader::{FileReader, StreamReader};

use super::guard::contain;
use super::{BatchIter, Batches, Body, Decode, Random, clean, plan};
use crate::error::{DataError, damaged, internal_arrow, invalid, unsupported};

const MAGIC: &[u8; 6] = b"ARROW1";
const CONTINUATION: [u8; 4] = [0xff; 4];

fn read_at(name: &str, input: &Random, at: u64, buf: &mut [u8]) -> Result<(), DataError> {
    input.read_at(at, buf).map_err(|e| DataError::io(name, e))
}

pub(crate) fn read(
    name: &str,
    file: Random,
    keep: &dyn Fn(&str) -> bool,
    decode: Decode,
) -> Result<Batches, DataError> {
    let len = file.len();
    let mut head = [0u8; 8];
    if len >= 8 {
        read_at(name, &file, 0, &mut head)?;
    }
    if len >= 8 && &head[..4] == b"FEA1" {
        return Err(unsupported(
            name,
            "this is a Feather version 1 file, not Arrow IPC, which is not supported; write it again with pyarrow.feather.write_feather (version 2, the default)",
        ));
    }
    let is_file = len >= 8 && &head[..6] == MAGIC;
    let rows = if is_file {
        check_file(name, &file, len)?
    } else {
        check_stream(name, &file, len)?
    };
    type Opened = (arrow_schema::SchemaRef, BatchIter);
    let open = |projection: Option<Vec<usize>>| -> Result<Opened, DataError> {
        let f = file.reader_at(0);
        let owned = name.to_string();
        let map = |r: Result<Opened, arrow_schema::ArrowError>| {
            r.map_err(|e| damaged(name, clean(&e.to_string())))
        };
        let batches = contain(|| -> Result<Opened, arrow_schema::ArrowError> {
            if is_file {
                let r = FileReader::try_new(BufReader::new(f), projection)?;
                let schema = r.schema();
                Ok((
                    schema,
                    Box::new(r.map(move |b| b.map_err(|e| message(&owned, &e)))),
                ))
            } else {
                let r = StreamReader::try_new(BufReader::new(f), projection)?;
                let schema = r.schema();
                Ok((
                    schema,
                    Box::new(r.map(move |b| b.map_err(|e| message(&owned, &e)))),
                ))
            }
        })
        .map_err(|p| damaged(name, p))?;
        map(batches)
    };
    // The schema first, to know which columns to decode; then only those.
    let (schema, _) = open(None)?;
    let fields: Vec<_> = schema.fields().iter().cloned().collect();
    let (projection, unsupported) = plan(name, &fields, keep, decode)?;
    super::check_cells(name, rows, projection.len() as u64, len)?;
    let (_, batches) = open(Some(projection.clone()))?;
    let projected = Arc::new(
        schema
            .project(&projection)
            .map_err(|e| internal_arrow(name, &e))?,
    );
    Ok(Batches {
        schema: projected,
        unsupported,
        declared_rows: Some(rows),
        body: Body::Stream(batches),
    })
}

/// The flatbuffers verifier that arrow-ipc reads metadata with refuses tables nested past
/// 64 levels: a struct column nested that deep (valid, and written without complaint)
/// makes the schema unreadable, and arrow-ipc offers no other way to read it.
const TOO_DEEP: &str = "its schema nests deeper than the 64 levels Arrow's reader accepts (a deeply nested struct column), so it cannot be read; write the file without that column, or as Parquet, where such a column is left out and the others read";

/// Whether the verifier refused the metadata for its depth (flatbuffers' own words: arrow-ipc
/// does not export its error type by name).
fn too_deep(e: &dyn std::fmt::Display) -> bool {
    e.to_string().contains("depth limit")
}

fn message(name: &str, e: &arrow_schema::ArrowError) -> DataError {
    match e {
        arrow_schema::ArrowError::IoError(_, source)
            if source.kind() != std::io::ErrorKind::UnexpectedEof =>
        {
            DataError::io(name, std::io::Error::new(source.kind(), source.to_string()))
        }
        _ => damaged(name, clean(&e.to_string())),
    }
}

/// The file format: magic, messages, a footer listing the record batches and dictionaries,
/// the footer's length, magic. Every block must lie inside the file, before the footer.
/// Returns the rows its record batches claim.
fn check_file(name: &str, file: &Random, len: u64) -> Result<u64, DataError> {
    if len < 8 + 10 {
        return Err(damaged(
            name,
            "it is too short for an Arrow file (truncated?)",
        ));
    }
    let mut tail = [0u8; 10];
    read_at(name, file, len - 10, &mut tail)?;
    if &tail[4..] != MAGIC {
        return Err(damaged(
            name,
            "it does not end with the Arrow file marker (truncated?)",
        ));
    }
    let footer = i32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    let footer = u64::try_from(footer).unwrap_or(u64::MAX);
    if footer == 0 || footer.saturating_add(18) > len {
        return Err(damaged(
            name,
            format!("its footer claims {footer} bytes; the file has {len}"),
        ));
    }
    let data_end = len - 10 - footer;
    let mut bytes = vec![0u8; footer as usize];
    read_at(name, file, data_end, &mut bytes)?;
    /// (offset, metadata length, body length) of each block.
    type Blocks = Vec<(u64, u64, u64)>;
    let check = || -> Result<(usize, Blocks), String> {
        let footer = arrow_ipc::root_as_footer(&bytes).map_err(|e| {
            if too_deep(&e) {
                TOO_DEEP.to_string()
            } else {
                "its footer is not a valid Arrow footer".to_string()
            }
        })?;
        let Some(schema) = footer.schema() else {
            return Err("its footer has no schema".into());
        };
        let columns = schema.fields().map_or(0, |f| f.len());
        let blocks = footer
            .recordBatches()
            .into_iter()
            .flatten()
            .chain(footer.dictionaries().into_iter().flatten());
        let mut checked = Vec::new();
        for b in blocks {
            let (offset, meta, body) = (b.offset(), i64::from(b.metaDataLength()), b.bodyLength());
            let end = offset.checked_add(meta).and_then(|e| e.checked_add(body));
            let ok = offset >= 8
                && meta > 0
                && body >= 0
                && end.is_some_and(|e| u64::try_from(e).is_ok_and(|e| e <= data_end));
            if !ok {
                return Err(format!(
                    "a block claims {meta} + {body} bytes at offset {offset}, outside the file's {data_end} bytes of data"
                ));
            }
            checked.push((offset as u64, meta as u64, body as u64));
        }
        Ok((columns, checked))
    };
    let (columns, blocks) = contain(check)
        .map_err(|p| damaged(name, p))?
        .map_err(|why| {
            if why == TOO_DEEP {
                unsupported(name, why)
            } else {
                damaged(name, why)
            }
        })?;
    if columns > super::MAX_COLUMNS {
        return Err(super::too_many_columns(
            name,
            format_args!("the file has {columns} columns,"),
        ));
    }
    // Each block: a message (its length prefix within the block's metadata) and a body.
    let mut meta = Vec::new();
    let mut rows = 0u64;
    for (offset, meta_len, body) in blocks {
        let mut word = [0u8; 8];
        if meta_len < 8 {
            return Err(damaged(name, "a block's metadata is too short"));
        }
        read_at(name, file, offset, &mut word)?;
        let (skip, len) = if word[..4] == CONTINUATION {
            (8, i32::from_le_bytes([word[4], word[5], word[6], word[7]]))
        } else {
            (4, i32::from_le_bytes([word[0], word[1], word[2], word[3]]))
        };
        if u64::try_from(len).map_or(true, |l| l + skip > meta_len) {
            return Err(damaged(name, "a message is longer than its block"));
        }
        meta.resize(len as usize, 0);
        read_at(name, file, offset + skip, &mut meta)?;
        // arrow-ipc reads a block's message from the block's whole bytes, so a message that
        // is not valid within its own length could still be read there, past this check.
        match check_message(name, file, &meta, offset + meta_len, body)? {
            Some((_, n)) => rows = rows.saturating_add(n),
            None => return Err(damaged(name, "a block does not hold a valid message")),
        }
    }
    Ok(rows)
}

/// A compressed buffer starts with its uncompressed length, which arrow-ipc reserves before
/// decompressing, so the claim must be one the buffer's bytes can produce. LZ4 cannot expand
/// more than about 255 times (a small allowance on top for the frame's headers). zstd can
/// (blocks of one repeated byte reach 32,768 times), so a large zstd claim is checked by
/// decompressing the buffer into nothing and counting: the claim must be exactly what it
/// holds.
const LZ4_RATIO: u64 = 256;
const SLACK: u64 = 64 << 10;
/// A zstd claim up to this (or up to 16 times the buffer) is reserved as it stands.
const ZSTD_TRUSTED: u64 = 1 << 20;

/// One message: if it holds a record batch (or a dictionary's), every buffer must lie in
/// the body, and a compressed buffer's declared length must be plausible.
fn check_message(
    name: &str,
    file: &Random,
    meta: &[u8],
    body_start: u64,
    body_len: u64,
) -> Result<Option<(i64, u64)>, DataError> {
    struct Plan {
        body: i64,
        rows: u64,
        compressed: Option<arrow_ipc::CompressionType>,
        buffers: Vec<(i64, i64)>,
    }
    let plan = contain(|| {
        arrow_ipc::root_as_message(meta).ok().map(|m| {
            let batch = m
                .header_as_record_batch()
                .or_else(|| m.header_as_dictionary_batch().and_then(|d| d.data()));
            Plan {
                body: m.bodyLength(),
                rows: m
                    .header_as_record_batch()
                    .map_or(0, |b| u64::try_from(b.length()).unwrap_or(0)),
                compressed: batch.and_then(|b| b.compression()).map(|c| c.codec()),
                buffers: batch
                    .and_then(|b| b.buffers())
                    .map(|v| v.iter().map(|b| (b.offset(), b.length())).collect())
                    .unwrap_or_default(),
            }
        })
    })
    .map_err(|p| damaged(name, p))?;
    let Some(plan) = plan else {
        return Ok(None);
    };
    // The body arrow-ipc will slice: the message's own claim where it is the smaller.
    let body_len = u64::try_from(plan.body).map_or(body_len, |b| b.min(body_len));
    for (offset, length) in &plan.buffers {
        let end = offset.checked_add(*length);
        let inside = *offset >= 0
            && *length >= 0
            && end.is_some_and(|e| u64::try_from(e).is_ok_and(|e| e <= body_len));
        if !inside {
            return Err(damaged(
                name,
                format!(
                    "a buffer claims {length} bytes at offset {offset} of a {body_len}-byte body"
                ),
            ));
        }
        if let Some(codec) = plan.compressed
            && *length >= 8
        {
            let mut word = [0u8; 8];
            let at = body_start + *offset as u64;
            read_at(name, file, at, &mut word)?;
            let claim = i64::from_le_bytes(word);
            // -1: this buffer was left uncompressed.
            if claim == -1 {
                continue;
            }
            let bytes = *length as u64 - 8;
            let refuse = |why: &str| {
                damaged(
                    name,
                    format!(
                        "a compressed buffer of {length} bytes claims {claim} bytes uncompressed{why}"
                    ),
                )
            };
            let Ok(claim) = u64::try_from(claim) else {
                return Err(refuse(""));
            };
            if codec == arrow_ipc::CompressionType::ZSTD {
                if claim > ZSTD_TRUSTED && claim > bytes.saturating_mul(16) {
                    let mut data = vec![0u8; bytes as usize];
                    read_at(name, file, at + 8, &mut data)?;
                    match zstd_size(&data, claim) {
                        Some(n) if n == claim => {}
                        Some(n) => {
                            return Err(refuse(&format!(", but holds {n}")));
                        }
                        None => return Err(refuse(", but is not valid zstd")),
                    }
                }
            } else if claim > bytes.saturating_mul(LZ4_RATIO).saturating_add(SLACK) {
                return Err(refuse(", more than LZ4 can expand to"));
            }
        }
    }
    Ok(Some((plan.body, plan.rows)))
}

/// How many bytes a zstd buffer decompresses to, counting at most `claim + 1` (memory: the
/// decoder's window, which zstd bounds at 128 MiB); `None` when it is not valid zstd.
fn zstd_size(data: &[u8], claim: u64) -> Option<u64> {
    let decoder = zstd::stream::read::Decoder::with_buffer(data).ok()?;
    std::io::copy(
        &mut decoder.take(claim.saturating_add(1)),
        &mut std::io::sink(),
    )
    .ok()
}

/// The stream format: messages, each a length, metadata and a body, to the end or to a zero
/// length. Every length must fit in what remains of the file.
/// Returns the rows its record batches claim.
fn check_stream(name: &str, file: &Random, len: u64) -> Result<u64, DataError> {
    let not_arrow = || {
        invalid(
            name,
            "not an Arrow IPC file or stream (check the file's format, or pass --input-format)",
        )
    };
    let mut pos = 0u64;
    let mut rows = 0u64;
    let mut first = true;
    let mut meta = Vec::new();
    while pos < len {
        let mut word = [0u8; 4];
        if len - pos < 4 {
            return Err(if first {
                not_arrow()
            } else {
                damaged(name, "it ends inside a message")
            });
        }
        read_at(name, file, pos, &mut word)?;
        pos += 4;
        if word == CONTINUATION {
            if len - pos < 4 {
                return Err(damaged(name, "it ends inside a message"));
            }
            read_at(name, file, pos, &mut word)?;
            pos += 4;
        }
        let meta_len = i32::from_le_bytes(word);
        if meta_len == 0 {
            break;
        }
        let fits = u64::try_from(meta_len).is_ok_and(|m| m <= len - pos);
        if !fits {
            return Err(if first {
                not_arrow()
            } else {
                damaged(
                    name,
                    format!("a message claims {meta_len} bytes; {} remain", len - pos),
                )
            });
        }
        meta.resize(meta_len as usize, 0);
        read_at(name, file, pos, &mut meta)?;
        pos += meta_len as u64;
        let body = contain(|| {
            arrow_ipc::root_as_message(&meta).map(|m| {
                let columns = m
                    .header_as_schema()
                    .and_then(|s| s.fields())
                    .map_or(0, |f| f.len());
                (m.bodyLength(), columns)
            })
        })
        .map_err(|p| damaged(name, p))?;
        if let Ok((_, columns)) = body
            && columns > super::MAX_COLUMNS
        {
            return Err(super::too_many_columns(
                name,
                format_args!("the stream has {columns} columns,"),
            ));
        }
        let body = body.map(|(body, _)| body);
        let Ok(body) = body else {
            if body.as_ref().is_err_and(|e| too_deep(e)) {
                return Err(unsupported(name, TOO_DEEP));
            }
            return Err(if first {
                not_arrow()
            } else {
                damaged(name, "a message is not valid")
            });
        };
        if u64::try_from(body).map_or(true, |b| b > len - pos) {
            return Err(damaged(
                name,
                format!(
                    "a message claims a body of {body} bytes; {} remain",
                    len - pos
                ),
            ));
        }
        // A record batch's buffers, and the lengths its compressed buffers claim, are
        // checked as in the file format.
        if let Some((_, n)) = check_message(name, file, &meta, pos, body as u64)? {
            rows = rows.saturating_add(n);
        }
        pos += body as u64;
        first = false;
    }
    if first {
        return Err(not_arrow());
    }
    Ok(rows)
}
