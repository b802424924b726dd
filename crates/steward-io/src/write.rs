//! Writing a report to `-o FILE` without harming what is already there.
//!
//! A regular file is replaced atomically: the bytes go to an unnamed temporary file in the
//! same folder (Linux `O_TMPFILE`, so a process killed mid-write leaves nothing behind),
//! which gets the old file's permissions and is then linked under a random name and renamed
//! over the destination. Anything that is not a regular file (a terminal, `/dev/null`, a
//! FIFO a pipeline reads from) is written in place: renaming over it would replace a device
//! node with a plain file. A symbolic link is followed, so the file it points to is
//! replaced and the link stays. An output that is one of the command's inputs is refused
//! before anything is written.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a report could not be written. Each message is whole: it says the cause itself and
/// exposes no `source`, so a printer that walks the error chain (anyhow's `{:#}`) does not
/// repeat the cause.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path} is also an input of this command; refusing to overwrite it")]
    IsAnInput { path: String },
    #[error(
        "standard output is {path}, an input of this command; refusing to write the report into it"
    )]
    StdoutIsAnInput { path: String },
    #[error("{path} is a folder")]
    IsAFolder { path: String },
    #[error("{path} is a FIFO with no reader")]
    NoReader { path: String },
    #[error("cannot write {path}: permission denied")]
    PermissionDenied { path: String },
    #[error("cannot write {path}: No such file or directory (the folder {folder} does not exist)")]
    NoFolder { path: String, folder: String },
    #[error("cannot write {path}: {cause}")]
    Io { path: String, cause: io::Error },
}

/// Checks, before any work is done, that a report could be written to `path`: not a
/// folder, not one of `inputs`, in a folder that exists, and writable by the caller (the
/// file itself when it exists, as a shell's `>` requires, not only its folder, which is all
/// a rename needs). A command calls this first, so a mistake in `-o` costs nothing instead
/// of a long computation; [`write_output`] checks again when it writes.
pub fn check_output(path: &Path, inputs: &[&Path]) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let io_err = |cause: io::Error| WriteError::Io {
        path: shown.clone(),
        cause,
    };
    // Follows symbolic links: the identity that matters is the file finally written.
    let existing = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(e)),
    };
    match &existing {
        Some(meta) => {
            if meta.is_dir() {
                return Err(WriteError::IsAFolder { path: shown });
            }
            if inputs.iter().any(|i| same_file(meta, i)) {
                return Err(WriteError::IsAnInput { path: shown });
            }
            if !may_write(path) {
                return Err(WriteError::PermissionDenied { path: shown });
            }
            if meta.is_file() {
                // Replaced through a new file in its folder: the folder must take it.
                let target = resolve_links(path).map_err(io_err)?;
                check_folder(&target, &shown)?;
            }
        }
        None => {
            let target = resolve_links(path).map_err(io_err)?;
            check_folder(&target, &shown)?;
        }
    }
    Ok(())
}

/// The folder a new file would be created in exists, is a folder, and the caller may add
/// to it.
fn check_folder(target: &Path, shown: &str) -> Result<(), WriteError> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::metadata(&dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(WriteError::Io {
                path: shown.to_string(),
                cause: io::Error::other(format!("{} is not a folder", dir.display())),
            });
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(WriteError::NoFolder {
                path: shown.to_string(),
                folder: dir.display().to_string(),
            });
        }
        Err(e) => {
            return Err(WriteError::Io {
                path: shown.to_string(),
                cause: e,
            });
        }
    }
    if !may_write(&dir) {
        return Err(WriteError::PermissionDenied {
            path: shown.to_string(),
        });
    }
    Ok(())
}

/// Whether the caller may write `path`, asked of the kernel with the effective user and
/// groups (`faccessat` with `AT_EACCESS`), so root, ACLs and read-only mounts are judged
/// as an `open` for writing would judge them.
#[cfg(unix)]
fn may_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: a valid NUL-terminated path; integer flags.
    let rc = unsafe { libc::faccessat(libc::AT_FDCWD, c.as_ptr(), libc::W_OK, libc::AT_EACCESS) };
    if rc == 0 {
        return true;
    }
    // Only a refusal is a refusal: a system without AT_EACCESS support (EINVAL) or another
    // failure leaves the decision to the write itself.
    !matches!(
        io::Error::last_os_error().raw_os_error(),
        Some(libc::EACCES | libc::EPERM | libc::EROFS)
    )
}

#[cfg(not(unix))]
fn may_write(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.permissions().readonly())
}

/// Refuses to print a report when standard output is one of `inputs` (`steward cost m.yaml
/// >> m.yaml`): the shell opened the file, so `-o`'s own check never sees it. Like `cat`'s
/// "input file is output file", only a regular file is compared; a terminal, a pipe or
/// `/dev/null` is never an input.
pub fn check_stdout(inputs: &[&Path]) -> Result<(), WriteError> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
            return Ok(());
        };
        let file = File::from(fd);
        let Ok(meta) = file.metadata() else {
            return Ok(());
        };
        if !meta.is_file() {
            return Ok(());
        }
        if let Some(input) = inputs.iter().find(|i| same_file(&meta, i)) {
            return Err(WriteError::StdoutIsAnInput {
                path: input.display().to_string(),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = inputs;
    Ok(())
}

/// Writes `bytes` to `path` as described in the module documentation. `inputs` are the files
/// the command read; writing over one of them is refused, as is replacing a file the caller
/// may not write.
pub fn write_output(path: &Path, bytes: &[u8], inputs: &[&Path]) -> Result<(), WriteError> {
    let shown = path.display().to_string();
    let io_err = |cause: io::Error| WriteError::Io {
        path: shown.clone(),
        cause,
    };
    check_output(path, inputs)?;
    let existing = match std::fs::metadata(path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_err(e)),
    };
    if let Some(meta) = &existing
        && !meta.is_file()
    {
        return write_in_place(path, bytes).map_err(|e| match e.raw_os_error() {
            Some(libc::ENXIO) => WriteError::NoReader {
                path: shown.clone(),
            },
            _ => io_err(e),
        });
    }
    let target = resolve_links(path).map_err(io_err)?;
    replace(&target, bytes, existing.as_ref()).map_err(|e| match e.kind() {
        io::ErrorKind::PermissionDenied => WriteError::PermissionDenied {
            path: shown.clone(),
        },
        _ => io_err(e),
    })
}

#[cfg(unix)]
fn same_file(meta: &std::fs::Metadata, other: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(other).is_ok_and(|o| o.dev() == meta.dev() && o.ino() == meta.ino())
}

#[cfg(not(unix))]
fn same_file(_meta: &std::fs::Metadata, other: &Path) -> bool {
    false
}

/// A device or FIFO: opened without creating or truncating. Opening a FIFO for writing
/// blocks until a reader comes; non-blocking, it fails at once with ENXIO instead.
fn write_in_place(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path)?;
    crate::clear_nonblocking(&file)?;
    file.write_all(bytes)?;
    file.flush()
}

/// The path a chain of symbolic links ends at (which may not exist yet: a dangling link
/// names the file to create).
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // Linux gives up after 40 links (ELOOP); so do we, rather than loop forever.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn replace(target: &Path, bytes: &[u8], existing: Option<&std::fs::Metadata>) -> io::Result<()> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::other("not a file name"))?;
    let (mut file, named) = create_temporary(&dir, name)?;
    let result = (|| {
        if let Some(meta) = existing {
            keep_owner_and_mode(&file, meta)?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        let tmp = match &named {
            Some(p) => p.clone(),
            None => link_unnamed(&file, &dir, name)?,
        };
        std::fs::rename(&tmp, target).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    })();
    if result.is_err()
        && let Some(p) = &named
    {
        let _ = std::fs::remove_file(p);
    }
    result
}

/// A temporary file in `dir`: unnamed where the system allows it (nothing to clean up if the
/// process dies), otherwise under a random hidden name created exclusively.
fn create_temporary(dir: &Path, name: &std::ffi::OsStr) -> io::Result<(File, Option<PathBuf>)> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // 0o666 less the umask, as any newly created file gets.
        match OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .mode(0o666)
            .open(dir)
        {
            Ok(f) => return Ok((f, None)),
            // File systems without O_TMPFILE answer EOPNOTSUPP (or EISDIR/EINVAL on old
            // kernels); fall back to a named file.
            Err(e)
                if e.kind() == io::ErrorKind::NotFound
                    || e.kind() == io::ErrorKind::PermissionDenied =>
            {
                return Err(e);
            }
            Err(_) => {}
        }
    }
    for _ in 0..16 {
        let p = dir.join(random_name(name)?);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o666);
        }
        match options.open(&p) {
            Ok(f) => return Ok((f, Some(p))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("cannot create a temporary file"))
}

/// `.NAME.` + 16 random hex digits + `.tmp`: unpredictable, so another user of a shared
/// folder cannot plant a link under the name first.
fn random_name(name: &std::ffi::OsStr) -> io::Result<OsString> {
    let mut raw = [0u8; 8];
    getrandom::fill(&mut raw).map_err(|e| io::Error::other(e.to_string()))?;
    let mut s = OsString::from(".");
    s.push(name);
    s.push(format!(".{:016x}.tmp", u64::from_le_bytes(raw)));
    Ok(s)
}

#[cfg(target_os = "linux")]
fn link_unnamed(file: &File, dir: &Path, name: &std::ffi::OsStr) -> io::Result<PathBuf> {
    use std::ffi::CString;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    for _ in 0..16 {
        let p = dir.join(random_name(name)?);
        let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .map_err(io::Error::other)?;
        let to = CString::new(p.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: two valid NUL-terminated paths; AT_FDCWD for both directories.
        let rc = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if rc == 0 {
            return Ok(p);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::AlreadyExists {
            return Err(e);
        }
    }
    Err(io::Error::other("cannot name the temporary file"))
}

#[cfg(not(target_os = "linux"))]
fn link_unnamed(_file: &File, _dir: &Path, _name: &std::ffi::OsStr) -> io::Result<PathBuf> {
    Err(io::Error::other("unnamed temporary files are Linux-only"))
}

/// The replacement keeps the permissions (a 0600 report stays private) and, where we may,
/// the owner of the file it replaces.
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, meta: &std::fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; for others this fails harmlessly and the file is theirs.
    let _ = std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid()));
    file.set_permissions(meta.permissions())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, meta: &std::fs::Metadata) -> io::Result<()> {
    file.set_permissions(meta.permissions())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect()
    }

    #[test]
    fn a_new_file_is_written_and_nothing_is_left_behind() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("report.json");
        write_output(&p, b"{}", &[]).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"{}");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_private_file_stays_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.txt");
        std::fs::write(&p, "old").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_output(&p, b"new", &[]).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_output(&link, b"new", &[]).unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn an_input_is_never_overwritten_even_through_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("data.csv");
        let link = dir.path().join("out.csv");
        std::fs::write(&input, "x\n1\n").unwrap();
        std::os::unix::fs::symlink(&input, &link).unwrap();
        let e = write_output(&link, b"oops", &[&input]).unwrap_err();
        assert!(matches!(e, WriteError::IsAnInput { .. }), "{e}");
        assert_eq!(std::fs::read(&input).unwrap(), b"x\n1\n");
    }

    #[test]
    fn a_fifo_stays_a_fifo() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("fifo");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // No reader: refused at once instead of blocking.
        let e = write_output(&p, b"x", &[]).unwrap_err();
        assert!(matches!(e, WriteError::NoReader { .. }), "{e}");
        // With a reader: written through.
        let reader = OpenOptions::new()
            .read(true)
            .custom_flags_nonblock()
            .open(&p)
            .unwrap();
        write_output(&p, b"through", &[]).unwrap();
        crate::clear_nonblocking(&reader).unwrap();
        let mut got = String::new();
        std::io::Read::read_to_string(&mut &reader, &mut got).unwrap();
        assert_eq!(got, "through");
        assert!(std::fs::metadata(&p).unwrap().file_type().is_fifo());
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_device_is_written_in_place() {
        write_output(Path::new("/dev/null"), b"x", &[]).unwrap();
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = write_output(dir.path(), b"x", &[]).unwrap_err();
        assert!(matches!(e, WriteError::IsAFolder { .. }), "{e}");
    }

    #[test]
    fn a_write_protected_file_is_refused_like_a_shell_redirection() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keep.txt");
        std::fs::write(&p, "keep").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
        // Root may write anything, as with `>`: the check follows the kernel's answer.
        if std::fs::metadata(dir.path()).unwrap().uid() != 0 {
            let e = write_output(&p, b"new", &[]).unwrap_err();
            assert!(matches!(e, WriteError::PermissionDenied { .. }), "{e}");
            assert_eq!(std::fs::read(&p).unwrap(), b"keep");
        }
    }

    #[test]
    fn check_output_refuses_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.yaml");
        std::fs::write(&input, "x").unwrap();
        let e = check_output(&input, &[&input]).unwrap_err();
        assert!(matches!(e, WriteError::IsAnInput { .. }), "{e}");
        let e = check_output(dir.path(), &[]).unwrap_err();
        assert!(matches!(e, WriteError::IsAFolder { .. }), "{e}");
        let e = check_output(&dir.path().join("no/such/r.json"), &[]).unwrap_err();
        assert!(matches!(e, WriteError::NoFolder { .. }), "{e}");
        check_output(&dir.path().join("new.json"), &[&input]).unwrap();
        check_output(Path::new("/dev/null"), &[]).unwrap();
    }

    #[test]
    fn io_errors_say_their_cause_once() {
        let e = write_output(Path::new("/dev/full"), b"x", &[]).unwrap_err();
        assert!(std::error::Error::source(&e).is_none(), "{e}");
        assert_eq!(e.to_string().matches("No space left").count(), 1, "{e}");
    }

    trait NonBlock {
        fn custom_flags_nonblock(&mut self) -> &mut Self;
    }
    impl NonBlock for OpenOptions {
        fn custom_flags_nonblock(&mut self) -> &mut Self {
            use std::os::unix::fs::OpenOptionsExt;
            self.custom_flags(libc::O_NONBLOCK)
        }
    }
}
