//! Where the till's state lives: the persistent partition.
//!
//! The store is a small trait with two implementations: [`FileStore`] (the
//! state directory: atomic writes, fsync, flock, a previous good copy, an
//! append-only audit log) and [`MemoryStore`] (tests, screenshots). Every
//! operation runs inside a [`Txn`] that holds the exclusive lock, so the UI
//! and any number of `tillctl` runs never interleave their writes.
//!
//! Fail closed: a missing state file is a fresh till only if nothing else
//! says the till was ever set up; a corrupt, truncated, unreadable or newer
//! file is an error that no caller can mistake for "no password".

mod dir;
mod file;
mod memory;

pub(crate) use dir::temp_name;
pub use file::{AuditRotation, FileStore, STATE_FILE};
pub use memory::MemoryStore;

use crate::core::audit::AuditRecord;
use crate::core::recovery::TillKey;
use crate::core::state::TillState;
use crate::sys::Persistence;
use std::path::PathBuf;

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file operation failed (permissions, disk full, read-only mount).
    #[error("unable to {action} {}: {source}", path.display())]
    Io {
        /// What we were doing.
        action: &'static str,
        /// On which file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file exists but is not a valid state file.
    #[error("state file {} is corrupt: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The state file is gone but the till was set up before.
    #[error("state file {} is missing, but {} shows this till was set up before", path.display(), evidence.display())]
    Missing {
        /// The missing file.
        path: PathBuf,
        /// What shows the till had state.
        evidence: PathBuf,
    },
    /// Written by a newer till-kiosk.
    #[error("state file {} has format {found}; this till-kiosk reads format {supported} (was it downgraded?)", path.display())]
    NewerFormat {
        /// The file.
        path: PathBuf,
        /// Its format.
        found: u32,
        /// Ours.
        supported: u32,
    },
    /// The state directory loses its contents at reboot and config requires otherwise.
    #[error("state directory {} is on {fs_type}, which is lost at reboot (require_persistent_state is on)", dir.display())]
    NotPersistent {
        /// The directory.
        dir: PathBuf,
        /// Its file system.
        fs_type: String,
    },
    /// `restore` without a previous copy.
    #[error("no previous copy of the state to restore ({} does not exist)", .0.display())]
    NoPrevious(PathBuf),
    /// The recovery key file is unusable.
    #[error("recovery key file {} is unusable: {reason}", path.display())]
    BadKeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The directory belongs to another user.
    #[error("state directory {} belongs to {owner}, not to {me} who runs this", dir.display())]
    WrongOwner {
        /// The directory.
        dir: PathBuf,
        /// Its owner ("till-kiosk (uid 999)").
        owner: String,
        /// The user running this process.
        me: String,
    },
    /// Others may write to the directory.
    #[error("state directory {} has mode {mode:04o}: others may write to it", dir.display())]
    InsecureMode {
        /// The directory.
        dir: PathBuf,
        /// Its mode.
        mode: u32,
    },
    /// A symlink where a state file should be: never followed.
    #[error("{} is a symbolic link; state files are never opened through one", .0.display())]
    Symlink(PathBuf),
    /// Something other than a regular file where a state file should be.
    #[error("{} is not a regular file", .0.display())]
    NotAFile(PathBuf),
    /// A fault injected by a test store.
    #[error("simulated write failure")]
    Injected,
}

impl StoreError {
    /// What a technician should do about it, in one sentence.
    pub fn remedy(&self) -> &'static str {
        match self {
            StoreError::Io { source, .. }
                if source.kind() == std::io::ErrorKind::PermissionDenied =>
            {
                "run as the till-kiosk user (or root), or fix the directory's owner and mode"
            }
            StoreError::Io { .. } => {
                "check that the state partition is mounted read-write and not full"
            }
            StoreError::Corrupt { .. } => {
                "the bad file was kept; run `tillctl state restore` to go back to the previous good copy, or `tillctl init --force` to start again"
            }
            StoreError::Missing { .. } => {
                "if the state file was moved, put it back; if the partition was replaced, `tillctl init --force` starts again (nothing is deleted)"
            }
            StoreError::NewerFormat { .. } => {
                "install the newer till-kiosk again, or restore a backup written by this version"
            }
            StoreError::NotPersistent { .. } => {
                "mount the persistent partition on the state directory (see README: Install on a Pi)"
            }
            StoreError::NoPrevious(_) => "re-initialise with `tillctl init --force`",
            StoreError::BadKeyFile { .. } => {
                "provision the till again with `tillctl recovery provision`"
            }
            StoreError::WrongOwner { .. } => {
                "run as the directory's owner (sudo -u till-kiosk tillctl ...), or give the directory to the service user (chown till-kiosk: DIR)"
            }
            StoreError::InsecureMode { .. } => {
                "only the service user may write to the state directory: chmod 0700 DIR"
            }
            StoreError::Symlink(_) | StoreError::NotAFile(_) => {
                "someone tampered with the state directory: inspect it, remove the odd entry, then restart"
            }
            StoreError::Injected => "none: this only happens in tests",
        }
    }
}

/// The audit log as read back.
#[derive(Debug, Default)]
pub struct AuditLog {
    /// Records, oldest first.
    pub records: Vec<AuditRecord>,
    /// Lines that could not be parsed (a torn last line after a power cut).
    pub skipped_lines: usize,
}

/// A store: somewhere a till's state can be locked, read and written.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// Takes the exclusive lock; it is released when the [`Txn`] is dropped.
    fn lock(&self) -> Result<Box<dyn Txn + '_>, StoreError>;
    /// Where the state lives, for messages.
    fn location(&self) -> PathBuf;
    /// Whether the state survives a reboot.
    fn persistence(&self) -> Result<Persistence, StoreError>;
    /// What the state file looks like now, cheaply (no lock, no read):
    /// while two stamps are equal, the state has not been written in
    /// between. `None`: this store cannot tell (always read it again).
    fn stamp(&self) -> Option<Stamp> {
        None
    }
}

/// A state file's identity and times (device, inode, size, change and
/// modification times in ns). Every save is a rename of a new file, so a
/// save by anyone changes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp(pub [i64; 5]);

/// One locked session with the store.
pub trait Txn {
    /// The state; `None` on a fresh till. Errors mean "fail closed".
    fn load(&mut self) -> Result<Option<TillState>, StoreError>;
    /// Writes the state durably (returns after fsync).
    fn save(&mut self, state: &TillState) -> Result<(), StoreError>;
    /// Appends records to the audit log durably.
    fn append_audit(&mut self, records: &[AuditRecord]) -> Result<(), StoreError>;
    /// Reads the whole audit log, oldest first.
    fn read_audit(&mut self) -> Result<AuditLog, StoreError>;
    /// The provisioned recovery key and the serial it was made for.
    fn recovery_key(&mut self) -> Result<Option<(String, TillKey)>, StoreError>;
    /// Stores the recovery key.
    fn set_recovery_key(&mut self, serial: &str, key: &TillKey) -> Result<(), StoreError>;
    /// A random terminal id, created once (the last fallback for a serial).
    fn terminal_id(&mut self) -> Result<String, StoreError>;
    /// Moves the current state file aside (kept, never deleted), so the
    /// till is fresh. Returns where it went.
    fn set_aside(&mut self) -> Result<Option<PathBuf>, StoreError>;
    /// Replaces the current state with the previous good copy, keeping the
    /// current one aside. Returns where the current one went, if anywhere.
    fn restore_previous(&mut self) -> Result<Option<PathBuf>, StoreError>;
}
