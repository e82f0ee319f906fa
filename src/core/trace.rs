//! The order of durable steps and password checks on this thread, for the
//! tests (the `test-hooks` feature: never in a packaged build).
//!
//! Why: a failed attempt must be on the disk before its password is
//! checked, and "on the disk" means the file's data flushed, the rename
//! done and the directory flushed, in that order. Neither a power-cut
//! test in a VM (QEMU's cache keeps every write the guest submitted) nor a
//! counter of saves sees a flush go missing; this trace does, in-process:
//! the state directory records each step as it completes and
//! [`crate::core::hashing::verify`] records each check, and a test reads
//! the sequence. Recording is off until [`start`] on a thread, so tests
//! that make thousands of writes keep nothing.

use std::cell::RefCell;

/// One completed step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// A new copy of `file` was written to its temporary name.
    Write(String),
    /// `fsync` of `file`'s data (the temporary copy, or an appended log).
    SyncFile(String),
    /// The copy being replaced was kept as `file.prev` (a hard link).
    KeepPrev(String),
    /// The temporary copy was renamed over `file`.
    Rename(String),
    /// `fsync` of the directory: renames and new names are durable.
    SyncDir,
    /// A password was checked against a hash.
    Verify,
}

thread_local! {
    static STEPS: RefCell<Option<Vec<Step>>> = const { RefCell::new(None) };
}

/// Starts recording on this thread (clearing anything recorded before).
pub fn start() {
    STEPS.with(|s| *s.borrow_mut() = Some(Vec::new()));
}

/// The steps recorded on this thread since [`start`]; recording stops.
pub fn take() -> Vec<Step> {
    STEPS.with(|s| s.borrow_mut().take()).unwrap_or_default()
}

/// Records `step` if this thread is recording.
pub fn record(step: Step) {
    STEPS.with(|s| {
        if let Some(steps) = s.borrow_mut().as_mut() {
            steps.push(step);
        }
    });
}
