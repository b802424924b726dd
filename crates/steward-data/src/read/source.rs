//! Where a dataset's bytes come from: a path, bytes already in memory (an upload), or any
//! reader. Each becomes an [`Input`]: bytes that can be read at any offset (a regular file,
//! or memory), or a stream read once, front to back (a pipe, a reader).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;

use crate::Format;
use crate::error::{DataError, invalid, unsupported};

/// A dataset's bytes.
pub enum Source {
    /// A file, opened without ever blocking (a FIFO with no writer reads as empty); a
    /// device is refused.
    Path(PathBuf),
    /// Bytes in memory. Every format can be read from them, since they can be read at any
    /// offset; Parquet pages are sliced from them without a copy.
    Bytes(Bytes),
    /// A reader, read once from front to back: CSV, JSON Lines and Arrow streams. Parquet and
    /// the Arrow file format are read by seeking and are refused from a reader (read them into
    /// [`Source::Bytes`] first).
    Reader(Box<dyn Read + Send>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Source::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Source::Reader(_) => f.write_str("Reader"),
        }
    }
}

/// Bytes that can be read at any offset, shared by the readers of one input (Parquet row
/// groups are read by several at once): positioned reads, never a shared file offset.
#[derive(Clone)]
pub(crate) enum Random {
    File(Arc<File>, u64),
    Bytes(Bytes),
}

impl Random {
    pub(crate) fn len(&self) -> u64 {
        match self {
            Random::File(_, len) => *len,
            Random::Bytes(b) => b.len() as u64,
        }
    }

    /// Fills `buf` from offset `at`; an input that ends first is an `UnexpectedEof` error.
    pub(crate) fn read_at(&self, at: u64, buf: &mut [u8]) -> io::Result<()> {
        match self {
            Random::File(file, _) => read_exact_at(file, at, buf),
            Random::Bytes(b) => {
                let slice = usize::try_from(at)
                    .ok()
                    .and_then(|start| b.get(start..start.checked_add(buf.len())?))
                    .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof))?;
                buf.copy_from_slice(slice);
                Ok(())
            }
        }
    }

    /// `length` bytes from `at`: a slice of memory without a copy, or read from the file
    /// into a buffer of exactly that size (the caller checks the range against the input
    /// first).
    pub(crate) fn bytes_at(&self, at: u64, length: usize) -> io::Result<Bytes> {
        match self {
            Random::Bytes(b) => usize::try_from(at)
                .ok()
                .and_then(|start| Some(start..start.checked_add(length)?))
                .filter(|r| r.end <= b.len())
                .map(|r| b.slice(r))
                .ok_or_else(|| io::Error::from(io::ErrorKind::UnexpectedEof)),
            Random::File(..) => {
                let mut buf = vec![0u8; length];
                self.read_at(at, &mut buf)?;
                Ok(buf.into())
            }
        }
    }

    /// A reader over the whole input, starting at `at`.
    pub(crate) fn reader_at(&self, at: u64) -> Cursor {
        Cursor {
            input: self.clone(),
            pos: at,
        }
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, at: u64, buf: &mut [u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut at: u64, mut buf: &mut [u8]) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match file.seek_read(buf, at) {
            Ok(0) => return Err(io::Error::from(io::ErrorKind::UnexpectedEof)),
            Ok(n) => {
                buf = &mut buf[n..];
                at += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A position in a [`Random`] input, read and seeked through positioned reads, so that any
/// number of them read one file at once.
pub(crate) struct Cursor {
    input: Random,
    pos: u64,
}

impl Read for Cursor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.input.len().saturating_sub(self.pos);
        let n = (buf.len() as u64).min(left) as usize;
        if n == 0 {
            return Ok(0);
        }
        match &self.input {
            Random::Bytes(b) => {
                let start = self.pos as usize;
                buf[..n].copy_from_slice(&b[start..start + n]);
            }
            Random::File(file, _) => read_exact_at(file, self.pos, &mut buf[..n])?,
        }
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Cursor {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.input.len().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "a seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// How an input can be read.
pub(crate) enum Input {
    Random(Random),
    /// Read once, front to back.
    Stream(Box<dyn Read + Send>),
}

impl Input {
    /// The input's size, when known before it is read.
    pub(crate) fn size(&self) -> Option<u64> {
        match self {
            Input::Random(r) => Some(r.len()),
            Input::Stream(_) => None,
        }
    }
}

/// Opens `source` as `format` needs it.
pub(crate) fn open(name: &str, source: Source, format: Format) -> Result<Input, DataError> {
    match source {
        Source::Path(path) => open_path(name, &path, format),
        Source::Bytes(bytes) => {
            if bytes.is_empty() {
                return Err(invalid(name, "the file is empty"));
            }
            Ok(Input::Random(Random::Bytes(bytes)))
        }
        Source::Reader(reader) => match format {
            Format::Csv | Format::JsonLines => Ok(Input::Stream(reader)),
            Format::Parquet => Err(needs_seeking(name, "a reader")),
            Format::ArrowIpc => arrow_stream(name, reader),
        },
    }
}

fn needs_seeking(name: &str, what: &str) -> DataError {
    unsupported(
        name,
        format!(
            "is {what}; Parquet and Arrow files are read by seeking, so they need a regular file (save it to a file first)"
        ),
    )
}

/// An Arrow stream from a reader: its messages are checked against the stream's real length
/// before arrow-ipc reserves what they claim, so the stream is read whole first (memory grows
/// with the bytes that actually arrive). The file format, which starts with `ARROW1`, is
/// read from its footer at the end and is refused.
fn arrow_stream(name: &str, mut reader: Box<dyn Read + Send>) -> Result<Input, DataError> {
    let mut all = Vec::new();
    reader
        .read_to_end(&mut all)
        .map_err(|e| DataError::io(name, e))?;
    if all.is_empty() {
        return Err(invalid(name, "the input is empty"));
    }
    if all.starts_with(b"ARROW1") {
        return Err(needs_seeking(
            name,
            "an Arrow file (not a stream) from a reader",
        ));
    }
    Ok(Input::Random(Random::Bytes(all.into())))
}

fn open_path(name: &str, path: &std::path::Path, format: Format) -> Result<Input, DataError> {
    let file = steward_io::open_input(path).map_err(|e| DataError::io(name, e))?;
    let meta = file.metadata().map_err(|e| DataError::io(name, e))?;
    if meta.is_file() {
        if meta.len() == 0 {
            return Err(invalid(name, "the file is empty"));
        }
        return Ok(Input::Random(Random::File(Arc::new(file), meta.len())));
    }
    #[cfg(unix)]
    let is_pipe = {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_fifo()
    };
    #[cfg(not(unix))]
    let is_pipe = false;
    if !is_pipe {
        // A device (`/dev/zero`, `/dev/urandom`, a terminal) or a socket: never a data file,
        // and reading one may never end.
        return Err(unsupported(name, "is a device, not a data file"));
    }
    match format {
        Format::Csv | Format::JsonLines => Ok(Input::Stream(Box::new(file))),
        Format::Parquet | Format::ArrowIpc => Err(needs_seeking(name, "a pipe")),
    }
}
