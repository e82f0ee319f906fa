//! The state directory, reached only through its file descriptor.
//!
//! Why not plain paths: `tillctl` may run as root on a directory the
//! kiosk's user can write. A path-based write through a planted symlink
//! (`state.json -> /etc/shadow`, or a predictable temporary name) would let
//! that user make root overwrite any file. So the directory is opened once
//! per transaction, its owner and mode are checked, and every file in it is
//! opened with `openat(…, O_NOFOLLOW)`; temporary files get unpredictable
//! names and `O_EXCL`; renames and links are relative to the same fd, so a
//! directory swapped in mid-way cannot redirect them either.

use super::StoreError;
use nix::errno::Errno;
use nix::fcntl::{AtFlags, OFlag, open, openat, renameat};
use nix::sys::stat::{Mode, SFlag, fstat, fstatat};
use nix::unistd::{Uid, UnlinkatFlags, linkat, unlinkat};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Records a completed step in the test-only trace (`core::trace`).
macro_rules! trace_step {
    ($step:ident $(($name:expr))?) => {{
        #[cfg(feature = "test-hooks")]
        crate::core::trace::record(crate::core::trace::Step::$step$(($name.to_owned()))?);
        // Without the trace the name is still "used", as it is with it.
        #[cfg(not(feature = "test-hooks"))]
        {
            $(let _ = &$name;)?
        }
    }};
}

/// `fsync` of `f`'s data (`name` is what the trace calls it). One
/// function for the call and its record, so that a flush taken out is
/// also gone from the tests' trace.
pub(super) fn sync_data(f: &File, name: &str) -> std::io::Result<()> {
    f.sync_all()?;
    trace_step!(SyncFile(name));
    Ok(())
}

/// The suffix of the previous good copy kept on every write
/// (`state.json.prev`); the directory check knows it as one of ours.
pub(super) const PREV_SUFFIX: &str = ".prev";

/// An open, checked state directory.
#[derive(Debug)]
pub(crate) struct Dir {
    fd: OwnedFd,
    path: PathBuf,
}

fn io_err(action: &'static str, path: PathBuf) -> impl FnOnce(Errno) -> StoreError {
    move |e| StoreError::Io {
        action,
        path,
        source: io::Error::from(e),
    }
}

/// Flags every file in the directory is opened with.
fn nofollow() -> OFlag {
    OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC
}

impl Dir {
    /// Opens the directory at `path`, creating it (mode 0700) if it does
    /// not exist, and checks that it belongs to the user running this
    /// process and that nobody else may write to it.
    pub fn open(path: &Path) -> Result<Dir, StoreError> {
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
        let fd = match open(path, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::ENOENT) => {
                std::fs::create_dir_all(path).map_err(|source| StoreError::Io {
                    action: "create state directory",
                    path: path.to_owned(),
                    source,
                })?;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(
                    |source| StoreError::Io {
                        action: "set permissions of",
                        path: path.to_owned(),
                        source,
                    },
                )?;
                open(path, flags, Mode::empty())
                    .map_err(io_err("open state directory", path.to_owned()))?
            }
            Err(e) => return Err(io_err("open state directory", path.to_owned())(e)),
        };
        let dir = Dir {
            fd,
            path: path.to_owned(),
        };
        dir.check_owner_and_mode()?;
        Ok(dir)
    }

    fn check_owner_and_mode(&self) -> Result<(), StoreError> {
        let st = fstat(&self.fd).map_err(io_err("check", self.path.clone()))?;
        let me = Uid::effective().as_raw();
        if st.st_uid != me {
            return Err(StoreError::WrongOwner {
                dir: self.path.clone(),
                owner: crate::sys::user_label(st.st_uid),
                me: crate::sys::user_label(me),
            });
        }
        let mode = st.st_mode & 0o7777;
        if mode & 0o022 != 0 {
            return Err(StoreError::InsecureMode {
                dir: self.path.clone(),
                mode,
            });
        }
        Ok(())
    }

    /// The directory's fd, for `fstatfs`.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// `dir/name`, for messages.
    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Opens `name` without following a symlink; `None` if it does not exist.
    fn open_at(&self, name: &str, flags: OFlag, mode: u32) -> Result<Option<File>, StoreError> {
        let mode = Mode::from_bits_truncate(mode as nix::libc::mode_t);
        match openat(&self.fd, name, flags | nofollow(), mode) {
            Ok(fd) => Ok(Some(File::from(fd))),
            Err(Errno::ENOENT) => Ok(None),
            Err(Errno::ELOOP) => Err(StoreError::Symlink(self.join(name))),
            Err(e) => Err(io_err("open", self.join(name))(e)),
        }
    }

    /// Opens `name` for reading: a regular file, never through a symlink
    /// (and never blocking on a FIFO planted under its name).
    pub fn open_read(&self, name: &str) -> Result<Option<File>, StoreError> {
        let Some(f) = self.open_at(name, OFlag::O_RDONLY | OFlag::O_NONBLOCK, 0)? else {
            return Ok(None);
        };
        let st = fstat(&f).map_err(io_err("check", self.join(name)))?;
        if SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits()) != SFlag::S_IFREG {
            return Err(StoreError::NotAFile(self.join(name)));
        }
        Ok(Some(f))
    }

    /// The whole of `name`, or `None` if it does not exist.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(mut f) = self.open_read(name)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(|source| StoreError::Io {
            action: "read",
            path: self.join(name),
            source,
        })?;
        Ok(Some(bytes))
    }

    /// Opens (creating, mode 0600) `name` for reading and writing.
    pub fn open_rw(&self, name: &str) -> Result<File, StoreError> {
        self.open_at(name, OFlag::O_RDWR | OFlag::O_CREAT, 0o600)?
            .ok_or_else(|| StoreError::NotAFile(self.join(name)))
    }

    /// Opens (creating, mode 0600) `name` for appending.
    pub fn open_append(&self, name: &str) -> Result<File, StoreError> {
        self.open_at(
            name,
            OFlag::O_WRONLY | OFlag::O_APPEND | OFlag::O_CREAT,
            0o600,
        )?
        .ok_or_else(|| StoreError::NotAFile(self.join(name)))
    }

    /// Whether `name` exists (a symlink counts: it is not followed).
    pub fn exists(&self, name: &str) -> Result<bool, StoreError> {
        match fstatat(&self.fd, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Ok(_) => Ok(true),
            Err(Errno::ENOENT) => Ok(false),
            Err(e) => Err(io_err("check", self.join(name))(e)),
        }
    }

    /// Fails if any entry the store uses is a symlink or not a regular
    /// file: someone tampered with the directory, and nothing is done in it
    /// until a technician has looked.
    pub fn check_entries(&self, ours: impl Fn(&str) -> bool) -> Result<(), StoreError> {
        for name in self.names()? {
            if !ours(&name) {
                continue;
            }
            let st = match fstatat(&self.fd, name.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(Errno::ENOENT) => continue,
                Err(e) => return Err(io_err("check", self.join(&name))(e)),
            };
            match SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits()) {
                SFlag::S_IFREG => {}
                SFlag::S_IFLNK => return Err(StoreError::Symlink(self.join(&name))),
                _ => return Err(StoreError::NotAFile(self.join(&name))),
            }
        }
        Ok(())
    }

    /// Size of `name` in bytes (0 if it does not exist).
    pub fn size(&self, name: &str) -> u64 {
        fstatat(&self.fd, name, AtFlags::AT_SYMLINK_NOFOLLOW)
            .map(|st| u64::try_from(st.st_size).unwrap_or(0))
            .unwrap_or(0)
    }

    /// The names in the directory.
    pub fn names(&self) -> Result<Vec<String>, StoreError> {
        let dup = self.fd.try_clone().map_err(|source| StoreError::Io {
            action: "list",
            path: self.path.clone(),
            source,
        })?;
        let mut d = nix::dir::Dir::from_fd(dup).map_err(io_err("list", self.path.clone()))?;
        let mut names = Vec::new();
        for entry in d.iter() {
            let entry = entry.map_err(io_err("list", self.path.clone()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "." && name != ".." {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Renames `from` to `to` inside the directory (a symlink is moved, not followed).
    pub fn rename(&self, from: &str, to: &str) -> Result<(), StoreError> {
        renameat(&self.fd, from, &self.fd, to).map_err(io_err("rename", self.join(from)))?;
        trace_step!(Rename(to));
        Ok(())
    }

    /// Removes `name`; a missing file is not an error.
    pub fn remove(&self, name: &str) -> Result<(), StoreError> {
        match unlinkat(&self.fd, name, UnlinkatFlags::NoRemoveDir) {
            Ok(()) | Err(Errno::ENOENT) => Ok(()),
            Err(e) => Err(io_err("remove", self.join(name))(e)),
        }
    }

    /// Makes renames and new names durable.
    pub fn sync(&self) -> Result<(), StoreError> {
        nix::unistd::fsync(&self.fd).map_err(io_err("fsync directory", self.path.clone()))?;
        trace_step!(SyncDir);
        Ok(())
    }

    /// Writes `bytes` to `name` atomically: a new file under an
    /// unpredictable name (`O_EXCL`), fsync, rename over the old one, fsync
    /// the directory. With `keep_prev`, the file being replaced becomes
    /// `name.prev` (a hard link: its contents are not written again).
    pub fn write_atomic(
        &self,
        name: &str,
        bytes: &[u8],
        keep_prev: bool,
    ) -> Result<(), StoreError> {
        let tmp = temp_name(name).map_err(|source| StoreError::Io {
            action: "name a temporary file for",
            path: self.join(name),
            source,
        })?;
        let flags = OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL;
        let mut f = self
            .open_at(&tmp, flags, 0o600)?
            .ok_or_else(|| StoreError::NotAFile(self.join(&tmp)))?;
        let written = f
            .write_all(bytes)
            .inspect(|()| trace_step!(Write(name)))
            .and_then(|()| sync_data(&f, name))
            .map_err(|source| StoreError::Io {
                action: "write",
                path: self.join(&tmp),
                source,
            });
        drop(f);
        let placed = written.and_then(|()| {
            if keep_prev && self.exists(name)? {
                let prev = format!("{name}{PREV_SUFFIX}");
                self.remove(&prev)?;
                linkat(&self.fd, name, &self.fd, prev.as_str(), AtFlags::empty())
                    .map_err(io_err("keep previous copy as", self.join(&prev)))?;
                trace_step!(KeepPrev(name));
            }
            self.rename(&tmp, name)
        });
        if placed.is_err() {
            let _ = self.remove(&tmp);
        }
        placed?;
        self.sync()
    }

    /// Removes temporary files a power cut left behind.
    pub fn remove_stale_temps(&self) -> Result<(), StoreError> {
        for name in self.names()? {
            if is_temp_name(&name) {
                self.remove(&name)?;
            }
        }
        Ok(())
    }
}

const TEMP_SUFFIX: &str = ".tmp";

/// `.NAME.<16 random hex digits>.tmp`: nobody can plant a file under the
/// name before we create it (and `O_EXCL` refuses one that is there).
pub(crate) fn temp_name(name: &str) -> io::Result<String> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| io::Error::other(e.to_string()))?;
    let hex = crate::core::hex(&b);
    Ok(format!(".{name}.{hex}{TEMP_SUFFIX}"))
}

fn is_temp_name(name: &str) -> bool {
    name.starts_with('.')
        && name.ends_with(TEMP_SUFFIX)
        && name
            .trim_end_matches(TEMP_SUFFIX)
            .rsplit_once('.')
            .is_some_and(|(_, hex)| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_unpredictable_and_recognised() {
        let a = temp_name("state.json").unwrap();
        let b = temp_name("state.json").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(".state.json.") && is_temp_name(&a), "{a}");
        assert!(!is_temp_name("state.json"));
        assert!(!is_temp_name(".state.json.tmp"), "the old fixed name");
    }

    #[test]
    fn a_planted_symlink_is_neither_read_nor_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let state = tmp.path().join("state");
        std::fs::create_dir(&state).unwrap();
        std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink(&victim, state.join("audit.log")).unwrap();
        let dir = Dir::open(&state).unwrap();
        assert!(matches!(dir.read("audit.log"), Err(StoreError::Symlink(_))));
        assert!(matches!(
            dir.open_append("audit.log"),
            Err(StoreError::Symlink(_))
        ));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }
}
