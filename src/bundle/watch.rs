//! The kiosk's drop directory for operator bundles (`bundle.watch_dir`).
//!
//! An Ansible `copy:` task or a chain's .deb puts `shop3.bundle` there;
//! within [`POLL`] the kiosk verifies it against `bundle.public_key` and
//! applies it through the same service path as `tillctl bundle import`.
//! Polling, not inotify: the directory may not exist yet, may be replaced
//! whole by a package upgrade, or be on a file system without events, and
//! a `read_dir` every few seconds costs nothing measurable.
//!
//! Each file is looked at once per change (its size and modification
//! time), so a refused file is audited once, not every few seconds.

use super::{BundleError, MAX_BYTES, PublicKey, verify};
use crate::core::Actor;
use crate::core::till::BundleReport;
use crate::service::{Service, ServiceError};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How often the directory is read.
pub const POLL: Duration = Duration::from_secs(5);

/// What happened to one file.
#[derive(Debug)]
pub enum Seen {
    /// Applied (or already applied: the report says).
    Applied(PathBuf, BundleReport),
    /// Verified, but the till refused it (a replay, no admin...).
    Refused(PathBuf, ServiceError),
    /// Not verified: unreadable, damaged, tampered or another key.
    Unverified(PathBuf, BundleError),
}

/// The drop directory and what has been seen in it.
#[derive(Debug)]
pub struct Watcher {
    dir: PathBuf,
    key: PublicKey,
    svc: Service,
    seen: HashMap<PathBuf, (u64, Option<SystemTime>)>,
}

impl Watcher {
    /// Watches `dir` for bundles signed by `key`.
    pub fn new(svc: Service, dir: PathBuf, key: PublicKey) -> Watcher {
        Watcher {
            dir,
            key,
            svc,
            seen: HashMap::new(),
        }
    }

    /// One look at the directory: every new or changed `*.bundle` file is
    /// verified, then the verified ones are applied oldest version first.
    pub fn scan(&mut self) -> Vec<Seen> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut results = Vec::new();
        let mut verified = Vec::new();
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_none_or(|x| x != "bundle") {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            let mark = (meta.len(), meta.modified().ok());
            if self.seen.get(&path) == Some(&mark) {
                continue;
            }
            self.seen.insert(path.clone(), mark);
            match read_file(&path).and_then(|b| verify(&b, &self.key)) {
                Ok(v) => verified.push((path, v)),
                Err(e) => {
                    let source = path.display().to_string();
                    if let Err(a) = self.svc.bundle_unverified(&Actor::System, &source, &e) {
                        tracing::error!("bundle {source}: not audited: {a}");
                    }
                    results.push(Seen::Unverified(path, e));
                }
            }
        }
        verified.sort_by_key(|(_, v)| v.payload.version);
        for (path, v) in verified {
            match self.svc.import_bundle(&Actor::System, &v) {
                Ok(r) => results.push(Seen::Applied(path, r)),
                Err(e) => results.push(Seen::Refused(path, e)),
            }
        }
        for r in &results {
            log(r);
        }
        results
    }

    /// Scans every [`POLL`] on its own thread.
    pub fn spawn(mut self) -> std::io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("bundles".into())
            .spawn(move || {
                loop {
                    self.scan();
                    std::thread::sleep(POLL);
                }
            })
    }
}

/// Reads a bundle file, refusing one larger than [`MAX_BYTES`] unread
/// (the drop directory and `tillctl bundle import`).
pub fn read_file(path: &Path) -> Result<Vec<u8>, BundleError> {
    let unreadable = |e: std::io::Error| BundleError::Malformed(format!("cannot read it: {e}"));
    let f = std::fs::File::open(path).map_err(unreadable)?;
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

fn log(r: &Seen) {
    match r {
        Seen::Applied(p, r) if r.already_applied => {
            tracing::debug!(
                "bundle {}: version {} already applied",
                p.display(),
                r.version
            )
        }
        Seen::Applied(p, r) => tracing::info!(
            "bundle {}: version {} applied: {} added, {} changed, {} removed",
            p.display(),
            r.version,
            r.added.len(),
            r.changed.len(),
            r.removed.len()
        ),
        Seen::Refused(p, e) => tracing::warn!("bundle {}: refused: {e}", p.display()),
        Seen::Unverified(p, e) => tracing::warn!("bundle {}: refused: {e}", p.display()),
    }
}
