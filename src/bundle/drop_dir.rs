//! Reading the kiosk's drop directory for operator bundles
//! (`bundle.watch_dir`) as carefully as the state directory.
//!
//! An Ansible `copy:` task or a chain's .deb puts `shop3.bundle` there.
//! Whoever can write there can make the kiosk read what they put, so:
//! the directory must belong to root or the service user and be writable
//! by nobody else; each file is opened through the directory's fd with
//! `O_NOFOLLOW | O_NONBLOCK` (a symlink is refused, a FIFO cannot block
//! the reader) and must be a regular file of at most [`MAX_BYTES`]. A
//! file's mark is the opened file's own identity, size and times, so a
//! file replaced under the same name is read again.
//!
//! This module only reads; what the kiosk does with what it finds (verify,
//! apply, retry, audit) is `crate::service::bundle_watch`.

use super::{BundleError, MAX_BYTES};
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, open, openat};
use nix::sys::stat::{FileStat, Mode, SFlag, fstat};
use nix::unistd::Uid;
use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// What identifies one version of a file: device, inode, size, mtime and
/// ctime (nanoseconds). Any rewrite, rename over or `touch` changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Mark(u64, u64, i64, i128, i128);

// The field types differ between targets (32-bit ARM, aarch64, x86_64).
#[allow(clippy::useless_conversion)]
fn mark(st: &FileStat) -> Mark {
    // In i128: a file dated past 2262 does not overflow.
    let ns = |secs, nsec| i128::from(secs) * 1_000_000_000 + i128::from(nsec);
    Mark(
        u64::from(st.st_dev),
        u64::from(st.st_ino),
        i64::from(st.st_size),
        ns(st.st_mtime, st.st_mtime_nsec),
        ns(st.st_ctime, st.st_ctime_nsec),
    )
}

/// One `*.bundle` entry as found.
#[derive(Debug)]
pub struct Entry {
    /// Its name in the directory.
    pub name: String,
    /// Its mark, if it could be opened.
    pub mark: Option<Mark>,
    /// Who owns it (for the refusal throttle), if known.
    pub owner: u32,
    /// Its bytes, or why it cannot be used.
    pub bytes: Result<Vec<u8>, BundleError>,
}

/// The drop directory.
#[derive(Debug, Clone)]
pub struct DropDir {
    path: PathBuf,
}

impl DropDir {
    /// The directory at `path` (it may not exist yet).
    pub fn new(path: PathBuf) -> DropDir {
        DropDir { path }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens and checks the directory: `Ok(None)` if it does not exist.
    fn open(&self) -> Result<Option<OwnedFd>, BundleError> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW;
        let fd = match open(&self.path, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::ENOENT) => return Ok(None),
            Err(e) => return Err(unsafe_dir(&self.path, &format!("cannot open it: {e}"))),
        };
        let st = fstat(&fd).map_err(|e| unsafe_dir(&self.path, &e.to_string()))?;
        let me = Uid::effective().as_raw();
        if st.st_uid != 0 && st.st_uid != me {
            return Err(unsafe_dir(
                &self.path,
                &format!(
                    "it belongs to {}, not root or {}",
                    crate::sys::user_label(st.st_uid),
                    crate::sys::user_label(me)
                ),
            ));
        }
        let mode = st.st_mode & 0o7777;
        if mode & 0o022 != 0 {
            return Err(unsafe_dir(
                &self.path,
                &format!("mode {mode:04o} lets others write to it"),
            ));
        }
        Ok(Some(fd))
    }

    /// Every `*.bundle` entry with its bytes (or why not). `Err` if the
    /// directory itself may not be used.
    pub fn read(&self) -> Result<Vec<Entry>, BundleError> {
        let Some(fd) = self.open()? else {
            return Ok(Vec::new());
        };
        let dup = nix::unistd::dup(&fd).map_err(|e| unsafe_dir(&self.path, &e.to_string()))?;
        let mut dir =
            nix::dir::Dir::from_fd(dup).map_err(|e| unsafe_dir(&self.path, &e.to_string()))?;
        let mut names: Vec<String> = dir
            .iter()
            .flatten()
            .filter_map(|e| e.file_name().to_str().ok().map(str::to_owned))
            .filter(|n| n.ends_with(".bundle") && !n.starts_with('.'))
            .collect();
        names.sort();
        Ok(names
            .into_iter()
            .map(|name| read_entry(&fd, name))
            .collect())
    }
}

fn unsafe_dir(path: &Path, why: &str) -> BundleError {
    BundleError::Unsafe(format!("the drop directory {}: {why}", path.display()))
}

fn read_entry(dir: &OwnedFd, name: String) -> Entry {
    let flags = OFlag::O_RDONLY | OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    let fd = match openat(dir, name.as_str(), flags, Mode::empty()) {
        Ok(fd) => fd,
        Err(e) => {
            let why = if e == Errno::ELOOP {
                "a symbolic link: copy the bundle itself into the directory".to_owned()
            } else {
                format!("cannot open it: {e}")
            };
            // The link's own mark: refused once, again only if it changes.
            let st = nix::sys::stat::fstatat(dir, name.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW).ok();
            return Entry {
                name,
                mark: st.as_ref().map(mark),
                owner: st.map_or(0, |s| s.st_uid),
                bytes: Err(BundleError::Unsafe(why)),
            };
        }
    };
    let st = fstat(&fd);
    let (m, owner) = st.as_ref().map_or((None, 0), |s| (Some(mark(s)), s.st_uid));
    let bytes = st
        .map_err(|e| BundleError::Unsafe(format!("cannot check it: {e}")))
        .and_then(|st| read_opened(File::from(fd), &st));
    Entry {
        name,
        mark: m,
        owner,
        bytes,
    }
}

/// Reads an opened file: a regular file of at most [`MAX_BYTES`].
fn read_opened(f: File, st: &FileStat) -> Result<Vec<u8>, BundleError> {
    if SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits()) != SFlag::S_IFREG {
        return Err(BundleError::Unsafe("not a regular file".into()));
    }
    if u64::try_from(st.st_size).unwrap_or(u64::MAX) > MAX_BYTES {
        return Err(BundleError::Malformed(format!(
            "larger than {MAX_BYTES} bytes"
        )));
    }
    let unreadable = |e: std::io::Error| BundleError::Malformed(format!("cannot read it: {e}"));
    let mut bytes = Vec::new();
    f.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(BundleError::Malformed(format!(
            "larger than {MAX_BYTES} bytes"
        )));
    }
    Ok(bytes)
}

/// Reads a bundle file a technician named (`tillctl bundle import`): a
/// link is followed (the path was typed), but it must end at a regular
/// file (a FIFO never blocks) of at most [`MAX_BYTES`].
pub fn read_file(path: &Path) -> Result<Vec<u8>, BundleError> {
    let flags = OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    let fd = open(path, flags, Mode::empty())
        .map_err(|e| BundleError::Malformed(format!("cannot read it: {e}")))?;
    let st = fstat(&fd).map_err(|e| BundleError::Malformed(format!("cannot read it: {e}")))?;
    read_opened(File::from(fd), &st)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cap is 4 MiB (docs/fleet.md promises it):
    /// written out here, not read from `MAX_BYTES`, so that a changed
    /// constant fails this test.
    const FOUR_MIB: u64 = 4 * 1024 * 1024;

    fn file_of(dir: &tempfile::TempDir, name: &str, len: u64) -> PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, b"till-kiosk-bundle 1\n").unwrap();
        File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len)
            .unwrap();
        path
    }

    #[test]
    fn a_bundle_up_to_the_cap_is_read_whole_and_one_byte_more_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        // A chain's 99 operators (~40 KB) and a file at the cap are read.
        for len in [40_000, FOUR_MIB] {
            let bytes = read_file(&file_of(&dir, "ok.bundle", len)).unwrap();
            assert_eq!(bytes.len() as u64, len);
        }
        let over = read_file(&file_of(&dir, "big.bundle", FOUR_MIB + 1));
        assert!(
            matches!(&over, Err(BundleError::Malformed(m)) if m.contains("larger than")),
            "{over:?}"
        );
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pipe.bundle");
        nix::unistd::mkfifo(&path, Mode::from_bits_truncate(0o600)).unwrap();
        let got = read_file(&path);
        assert!(matches!(&got, Err(BundleError::Unsafe(_))), "{got:?}");
    }
}
