//! The file edges every Steward command shares: opening an input without ever blocking,
//! reading it with a bound that does not trust the file's claimed size, writing a report
//! without destroying what was at the destination, and making untrusted text safe to show
//! on a terminal.
//!
//! These are the places where a careless or hostile input meets the operating system, so
//! they live once, here, instead of in each reader and each command.

mod text;
mod write;

pub use text::{
    clip, escape_control, escape_json, escape_line, escape_rendered, is_invisible_format, is_unsafe,
};
pub use write::{WriteError, check_output, check_stdout, write_output};

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why a bounded read failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the file is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The cause's own message: `transparent`, so a printer walking the error chain does
    /// not say it twice.
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Opens `path` for reading without ever blocking.
///
/// Opening a FIFO for reading blocks until a writer appears, which would hang a CI job
/// forever. Opened with `O_NONBLOCK`, it returns at once; the flag is then cleared, so a
/// FIFO with a writer streams normally and one without reads as empty (end of file).
/// A folder is refused here, with an error that says so, rather than failing later on the
/// first read with "Is a directory".
pub fn open_input(path: &Path) -> io::Result<File> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a folder, expected a file",
        ));
    }
    clear_nonblocking(&file)?;
    Ok(file)
}

/// Reads at most `limit` bytes of `path`, whatever it is (a regular file, a device such as
/// `/dev/zero`, a pipe). The size a file system reports is only a hint for the first
/// allocation: devices and pipes report 0, and a file can grow while it is read, so the
/// bound is enforced on the bytes actually read (`limit + 1` of them at most).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = open_input(path)?;
    let hint = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map_or(0, |m| m.len());
    if hint > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Clears `O_NONBLOCK` so that reads wait for data like any ordinary read.
#[cfg(unix)]
pub(crate) fn clear_nonblocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    if flags & libc::O_NONBLOCK != 0 {
        // SAFETY: as above.
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn clear_nonblocking(_file: &File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_is_read_up_to_the_limit_only() {
        let e = read_limited(Path::new("/dev/zero"), 1024).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: 1024 }), "{e}");
    }

    #[test]
    fn a_file_at_the_limit_is_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read_limited(&p, 5).unwrap(), b"12345");
        assert!(matches!(
            read_limited(&p, 4),
            Err(ReadError::TooLarge { limit: 4 })
        ));
    }

    #[test]
    fn a_folder_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = open_input(dir.path()).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_a_writer_reads_as_empty_instead_of_hanging() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fifo");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert_eq!(read_limited(&p, 10).unwrap(), b"");
    }
}
