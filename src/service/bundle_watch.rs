//! The kiosk's loop over its bundle drop directory (`bundle.watch_dir`).
//!
//! Within [`POLL`] of a file arriving, the kiosk verifies it against
//! `bundle.public_key` and applies it through the same service path as
//! `tillctl bundle import`. Polling, not inotify: the directory may not
//! exist yet, may be replaced whole by a package upgrade, or be on a file
//! system without events, and a `read_dir` every few seconds costs nothing
//! measurable. Reading the directory safely is `crate::bundle::drop_dir`.
//!
//! Each version of a file (its [`Mark`]) is settled once: applied, or
//! refused for good (unverified, or refused by the core: a replay, no
//! admin). A verified bundle that failed for a passing reason (the till
//! not set up yet, the store busy or failing) is tried again after 5 s,
//! 10 s, 20 s… up to 10 min. Refusals are audited at most once a minute
//! per file owner, with a count of the rest, so whoever can write there
//! cannot rotate the audit log away with junk.

use super::{Service, ServiceError};
use crate::bundle::drop_dir::{DropDir, Mark};
use crate::bundle::{BundleError, PublicKey, verify};
use crate::core::Actor;
use crate::core::text::shown;
use crate::core::throttle::RefusalThrottle;
use crate::core::till::{BundleReport, TillError};
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How often the directory is read.
pub const POLL: Duration = Duration::from_secs(5);
/// The longest wait before a passing failure is tried again.
pub const MAX_RETRY: Duration = Duration::from_secs(600);

/// What happened to one file.
#[derive(Debug)]
pub enum Seen {
    /// Applied (or already applied: the report says).
    Applied(PathBuf, BundleReport),
    /// Verified, but the till refused it for good (a replay, no admin...).
    Refused(PathBuf, ServiceError),
    /// Verified, but it could not be applied now; tried again later.
    Retrying(PathBuf, ServiceError, Duration),
    /// Not verified: unreadable, damaged, tampered, another key, a link,
    /// not a regular file, or the directory itself is not safe.
    Unverified(PathBuf, BundleError),
}

/// A file version that is waiting to be tried again.
#[derive(Debug, Clone, Copy)]
struct Retry {
    at: Instant,
    wait: Duration,
}

/// The drop directory and what has been seen in it.
#[derive(Debug)]
pub struct Watcher {
    dir: DropDir,
    key: PublicKey,
    svc: Service,
    settled: HashMap<String, Mark>,
    retry: HashMap<String, (Mark, Retry)>,
    throttle: RefusalThrottle,
    dir_refused: bool,
}

impl Watcher {
    /// Watches `dir` for bundles signed by `key`.
    pub fn new(svc: Service, dir: PathBuf, key: PublicKey) -> Watcher {
        Watcher {
            dir: DropDir::new(dir),
            key,
            svc,
            settled: HashMap::new(),
            retry: HashMap::new(),
            throttle: RefusalThrottle::default(),
            dir_refused: false,
        }
    }

    /// One look at the directory now.
    pub fn scan(&mut self) -> Vec<Seen> {
        self.scan_at(Instant::now())
    }

    /// One look at the directory at `now`: every new or changed `*.bundle`
    /// file (and every one whose retry is due) is verified, then the
    /// verified ones are applied in the order head office made them.
    pub fn scan_at(&mut self, now: Instant) -> Vec<Seen> {
        let mut results = Vec::new();
        let entries = match self.dir.read() {
            Ok(e) => {
                self.dir_refused = false;
                e
            }
            Err(e) => {
                // Said once per run of the fault, not every 5 s.
                if !std::mem::replace(&mut self.dir_refused, true) {
                    self.refused(&self.dir.path().display().to_string(), &e, 0, now);
                    results.push(Seen::Unverified(self.dir.path().to_owned(), e));
                }
                return results;
            }
        };
        // Forget files that are gone (a set: the directory may be flooded).
        let names: std::collections::HashSet<&str> =
            entries.iter().map(|e| e.name.as_str()).collect();
        self.settled.retain(|n, _| names.contains(n.as_str()));
        self.retry.retain(|n, _| names.contains(n.as_str()));
        let mut verified = Vec::new();
        for e in entries {
            let path = self.dir.path().join(&e.name);
            if let Some(m) = e.mark {
                if self.settled.get(&e.name) == Some(&m) {
                    continue;
                }
                if let Some((rm, r)) = self.retry.get(&e.name)
                    && *rm == m
                    && now < r.at
                {
                    continue;
                }
            }
            match e.bytes.and_then(|b| verify(&b, &self.key)) {
                Ok(v) => verified.push((e.name, e.mark, path, v)),
                Err(why) => {
                    if let Some(m) = e.mark {
                        self.settled.insert(e.name.clone(), m);
                    } else if self.settled.contains_key(&e.name) {
                        continue;
                    }
                    self.refused(&path.display().to_string(), &why, e.owner, now);
                    results.push(Seen::Unverified(path, why));
                }
            }
        }
        // Oldest made first, as head office made them: a newer one taken
        // first would have the older refused.
        verified.sort_by_key(|(.., v)| (v.made(), v.payload.version));
        for (name, mark, path, v) in verified {
            match self.svc.import_bundle(&Actor::System, &v) {
                Ok(r) => {
                    self.settle(name, mark);
                    results.push(Seen::Applied(path, r));
                }
                Err(e @ ServiceError::Till(TillError::Bundle(_))) => {
                    self.settle(name, mark);
                    results.push(Seen::Refused(path, e));
                }
                Err(e) => {
                    let wait = self
                        .retry
                        .get(&name)
                        .filter(|(m, _)| Some(*m) == mark)
                        .map_or(POLL, |(_, r)| (r.wait * 2).min(MAX_RETRY));
                    if let Some(m) = mark {
                        self.retry.insert(
                            name,
                            (
                                m,
                                Retry {
                                    at: now + wait,
                                    wait,
                                },
                            ),
                        );
                    }
                    results.push(Seen::Retrying(path, e, wait));
                }
            }
        }
        for r in &results {
            log(r);
        }
        results
    }

    fn settle(&mut self, name: String, mark: Option<Mark>) {
        self.retry.remove(&name);
        if let Some(m) = mark {
            self.settled.insert(name, m);
        }
    }

    /// Audits a refusal, at most once a minute per owner of the file.
    fn refused(&mut self, source: &str, why: &BundleError, owner: u32, now: Instant) {
        let Some(more) = self.throttle.note_kind(owner, "bundle", now) else {
            return;
        };
        // The name is the dropper's: shown, never trusted.
        let source = shown(source, 200);
        if let Err(a) = self
            .svc
            .bundle_unverified(&Actor::System, &source, why, more)
        {
            tracing::error!("bundle {source}: not audited: {a}");
        }
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

fn log(r: &Seen) {
    let p = |p: &PathBuf| shown(&p.display().to_string(), 200);
    match r {
        Seen::Applied(path, r) if r.already_applied => {
            tracing::debug!("bundle {}: version {} already applied", p(path), r.version)
        }
        Seen::Applied(path, r) => tracing::info!(
            "bundle {}: version {} applied: {} added, {} changed, {} removed",
            p(path),
            r.version,
            r.added.len(),
            r.changed.len(),
            r.removed.len()
        ),
        Seen::Refused(path, e) => tracing::warn!("bundle {}: refused: {e}", p(path)),
        Seen::Retrying(path, e, wait) => {
            tracing::warn!(
                "bundle {}: not applied yet ({e}); again in {wait:?}",
                p(path)
            )
        }
        Seen::Unverified(path, e) => tracing::warn!("bundle {}: refused: {e}", p(path)),
    }
}
