//! A profile made while the input streams past: batches are folded into values a chunk at a
//! time, each chunk is profiled and merged into the running profile, and its values are
//! dropped. Memory follows the chunk (a few million values) and the profile, never the
//! input, so a server can profile a request body of any size as it arrives.

use std::io::Read;
use std::sync::{Arc, Mutex};

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use steward_stats::profile::{
    ColumnProfile, FORMAT, MAX_COLUMNS, Profile, ProfileError, Source as ProfileSource,
};

use crate::error::{DataError, damaged, too_large};
use crate::fold::Accumulator;
use crate::read::{self, Decode, Input, Random};
use crate::{Format, RecordBatches, Source};

/// Eight million values (64 MB as floats) per chunk: large enough that a body of a few
/// hundred megabytes is a handful of merges (each merge of quantile summaries adds to their
/// rank error), small enough for a server taking several bodies at once.
pub const DEFAULT_CHUNK_CELLS: usize = 8_000_000;

/// How [`profile_stream`] cuts its input and what it may take.
#[derive(Clone, Debug)]
pub struct StreamProfileOptions {
    /// Values (rows x kept columns) held before a chunk is profiled and dropped.
    pub chunk_cells: usize,
    /// The profile's `source.created_at` (RFC 3339, UTC): the caller's clock.
    pub created_at: String,
    /// The most columns profiled; an input with more is refused before any value is kept.
    /// Never more than a profile holds ([`MAX_COLUMNS`]), whatever is asked.
    pub max_columns: usize,
}

impl StreamProfileOptions {
    /// Chunks of [`DEFAULT_CHUNK_CELLS`], up to [`MAX_COLUMNS`] columns.
    pub fn new(created_at: impl Into<String>) -> StreamProfileOptions {
        StreamProfileOptions {
            chunk_cells: DEFAULT_CHUNK_CELLS,
            created_at: created_at.into(),
            max_columns: MAX_COLUMNS,
        }
    }
}

/// A profile made by [`profile_stream`], with what was learnt along the way.
#[derive(Clone, Debug)]
pub struct StreamedProfile {
    /// Its `source` holds the sha256 of every byte read (absent only when the decoder
    /// stopped before the end of a stream, which it does not on success).
    pub profile: Profile,
    /// Columns left out because their type is not a number, a string or a boolean:
    /// (name, type).
    pub unsupported: Vec<(String, String)>,
    /// How many chunks were profiled and merged.
    pub chunks: usize,
    /// The input's size in bytes (a stream's counted as it was read).
    pub bytes: u64,
}

/// Profiles `source` (called `name` in errors) in `format`, keeping the columns `keep`
/// accepts, a chunk at a time. A profile of one chunk is exactly the profile of the whole
/// input read at once ([`crate::drift::profile`] of [`crate::read_from`], with the input's
/// sha256); past one chunk, counts, moments and extremes are the same and the quantile
/// summaries carry the merged rank error they report. The same readers and limits hold as
/// for [`crate::read_from`], so an error names the line, column or byte, and no input
/// makes it panic. Columns are profiled on the caller's rayon pool.
///
/// Memory holds one chunk's values, the profile and the reader's buffers (a stream's first
/// 16 MiB decide its column types). An Arrow stream is the exception: it is checked against
/// its real length before it is decoded, so it is held whole.
pub fn profile_stream(
    source: Source,
    name: &str,
    format: Format,
    keep: &dyn Fn(&str) -> bool,
    options: &StreamProfileOptions,
) -> Result<StreamedProfile, DataError> {
    let (input, tally) = match read::source::open(name, source, format)? {
        Input::Stream(reader) => {
            let tally = Arc::new(Mutex::new(Tally::default()));
            let reader = Tallied {
                inner: reader,
                tally: tally.clone(),
            };
            (Input::Stream(Box::new(reader)), Counted::Stream(tally))
        }
        Input::Random(random) => {
            let sha256 = hash_random(name, &random)?;
            let size = random.len();
            (Input::Random(random), Counted::Whole(size, sha256))
        }
    };
    let read::Batches {
        schema,
        unsupported,
        body,
        ..
    } = read::open(name, input, format, keep, Decode::Values)?;
    let fields = schema.fields();
    let most = options.max_columns.min(MAX_COLUMNS);
    if fields.len() > most {
        return Err(too_large(
            name,
            format!(
                "{} columns; a profile holds at most {most} (keep fewer columns)",
                fields.len()
            ),
        ));
    }
    let mut profiles = Running {
        columns: vec![None; fields.len()],
        dropped: vec![false; fields.len()],
        chunks: 0,
    };
    let width = fields.len().max(1);
    let chunk_cells = options.chunk_cells.max(width);
    let mut batches = RecordBatches::new(name, schema.clone(), Vec::new(), body.into_stream());
    // The first chunk's numbers grow as they arrive (a small body reserves nothing); once
    // a chunk has filled, the input is that large, and each next chunk is reserved whole.
    let chunk_rows = chunk_cells.div_ceil(width);
    let mut chunk = profiles.fresh(&schema, 0);
    let mut cells = 0usize;
    for batch in &mut batches {
        let batch = batch?;
        // A batch is cut where a chunk fills (slices share the batch's buffers), so a chunk
        // holds `chunk_cells` values whatever size the reader's batches are.
        let mut offset = 0;
        while offset < batch.num_rows() {
            let room = (chunk_cells.saturating_sub(cells) / width).max(1);
            let take = room.min(batch.num_rows() - offset);
            let part = batch.slice(offset, take);
            // The batch matches the schema; a panic in arrow's own code on a damaged array is
            // still damage, not a crash.
            read::guard::contain(|| {
                for (acc, column) in chunk.iter_mut().zip(part.columns()) {
                    acc.feed(column);
                }
            })
            .map_err(|p| damaged(name, p))?;
            offset += take;
            cells = cells.saturating_add(take.saturating_mul(width));
            if cells >= chunk_cells {
                profiles.add(name, &schema, std::mem::take(&mut chunk))?;
                chunk = profiles.fresh(&schema, chunk_rows);
                cells = 0;
            }
        }
    }
    let rows = batches.rows();
    if rows == 0 {
        return Err(crate::no_rows(name));
    }
    if cells > 0 {
        profiles.add(name, &schema, chunk)?;
    }
    let mut left_out = unsupported;
    let mut columns = Vec::new();
    for ((field, column), dropped) in fields.iter().zip(profiles.columns).zip(profiles.dropped) {
        match column {
            Some(c) if !dropped => columns.push(c),
            _ => left_out.push((field.name().to_string(), read::type_text(field.data_type()))),
        }
    }
    let (bytes, sha256) = tally.now();
    let profile = Profile {
        format: FORMAT.into(),
        rows,
        source: Some(ProfileSource {
            format: crate::drift::format_name(format).into(),
            rows,
            columns: columns.len() as u64,
            created_at: options.created_at.clone(),
            sha256,
            parts: Vec::new(),
            part_count: 0,
        }),
        columns,
    };
    Ok(StreamedProfile {
        profile,
        unsupported: crate::clip_left_out(left_out),
        chunks: profiles.chunks,
        bytes,
    })
}

/// The running profile, one slot per column of the schema.
struct Running {
    columns: Vec<Option<ColumnProfile>>,
    /// A column whose arrays turned out unreadable in some chunk is left out, as a whole
    /// read leaves it out; it is not fed again.
    dropped: Vec<bool>,
    chunks: usize,
}

impl Running {
    /// Empty accumulators for the next chunk, room for `rows` numbers in each.
    fn fresh(&self, schema: &arrow_schema::SchemaRef, rows: usize) -> Vec<Accumulator> {
        schema
            .fields()
            .iter()
            .zip(&self.dropped)
            .map(|(f, &dropped)| {
                if dropped {
                    Accumulator::Unsupported
                } else {
                    Accumulator::for_type(f.data_type(), rows)
                }
            })
            .collect()
    }

    /// Profiles one chunk's values (columns in parallel on the caller's pool), merges them
    /// into the running profile, and drops them.
    fn add(
        &mut self,
        name: &str,
        schema: &arrow_schema::SchemaRef,
        chunk: Vec<Accumulator>,
    ) -> Result<(), DataError> {
        let finished: Vec<Option<crate::Column>> = schema
            .fields()
            .iter()
            .zip(chunk)
            .map(|(f, acc)| acc.finish(f.name()))
            .collect();
        let merged = read::guard::contain(|| {
            self.columns
                .par_iter_mut()
                .zip(self.dropped.par_iter_mut())
                .zip(finished.into_par_iter())
                .try_for_each(|((slot, dropped), column)| fold_in(slot, dropped, column))
        });
        match merged {
            Ok(Ok(())) => {
                self.chunks += 1;
                Ok(())
            }
            Ok(Err(e)) => Err(DataError::internal(
                name,
                format!("cannot merge the profiles of two chunks: {e}"),
            )),
            Err(panic) => Err(DataError::internal(
                name,
                format!("profiling a chunk failed: {panic}"),
            )),
        }
    }
}

/// One column's chunk, profiled and merged into its running profile.
fn fold_in(
    slot: &mut Option<ColumnProfile>,
    dropped: &mut bool,
    column: Option<crate::Column>,
) -> Result<(), ProfileError> {
    let Some(column) = column.filter(|_| !*dropped) else {
        *dropped = true;
        *slot = None;
        return Ok(());
    };
    let part = crate::drift::column_profile(&column);
    // The chunk's values go as soon as they are summarized.
    drop(column);
    *slot = Some(match slot.take() {
        None => part,
        Some(before) => {
            let mut merged = before.merge(&part)?;
            // Past exact counts the merge moves to a frequent-items sketch, as one profile
            // of the whole input does; where even that sketch is too large (values of
            // megabytes), a whole-input profile keeps no counts at all, and neither does
            // this one (the merge would otherwise keep version 1's "most frequent" list,
            // which a streamed profile never had).
            merged.frequent.clear();
            merged
        }
    });
    Ok(())
}

/// What was read of a stream, counted and hashed as it passed.
#[derive(Default)]
struct Tally {
    hasher: Sha256,
    bytes: u64,
    /// The stream said it had ended: the hash is of every byte.
    ended: bool,
}

/// A stream counted and hashed by whoever reads it.
struct Tallied {
    inner: Box<dyn Read + Send>,
    tally: Arc<Mutex<Tally>>,
}

impl Read for Tallied {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        // A panic elsewhere cannot leave a tally half-updated: it is updated only here.
        let mut tally = self.tally.lock().unwrap_or_else(|e| e.into_inner());
        if n == 0 && !buf.is_empty() {
            tally.ended = true;
        } else if let Some(read) = buf.get(..n) {
            tally.hasher.update(read);
            tally.bytes = tally.bytes.saturating_add(n as u64);
        }
        Ok(n)
    }
}

enum Counted {
    /// The input's size and hash, known before it was decoded.
    Whole(u64, String),
    Stream(Arc<Mutex<Tally>>),
}

impl Counted {
    /// The bytes read and their sha256 (a stream's only when it was read to its end).
    fn now(&self) -> (u64, Option<String>) {
        match self {
            Counted::Whole(size, sha256) => (*size, Some(sha256.clone())),
            Counted::Stream(tally) => {
                let tally = tally.lock().unwrap_or_else(|e| e.into_inner());
                let sha256 = tally.ended.then(|| hex(&tally.hasher.clone().finalize()));
                (tally.bytes, sha256)
            }
        }
    }
}

/// The sha256 of bytes that can be read at any offset, as `sha256sum` prints it.
fn hash_random(name: &str, random: &Random) -> Result<String, DataError> {
    let mut hasher = Sha256::new();
    match random {
        Random::Bytes(b) => hasher.update(b),
        Random::File(..) => {
            let mut reader = random.reader_at(0);
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let n = match reader.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(DataError::io(name, e)),
                };
                hasher.update(&buffer[..n]);
            }
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
