//! How often a refusal from outside is written to the audit log.
//!
//! Shared by the session API (peers, approval floods) and the bundle drop
//! directory (junk files): whoever can make the till refuse something in
//! a loop must not be able to rotate the real entries out of the log.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often a refusal is written to the audit log: the first of its kind
/// for a uid, then at most once a minute with how many were not written,
/// so a peer that loops cannot rotate the real entries out of the log.
#[derive(Debug, Default)]
pub struct RefusalThrottle {
    /// Per uid and kind: when last audited, and refusals since then.
    seen: HashMap<(u32, &'static str), (Instant, u64)>,
}

impl RefusalThrottle {
    /// Between audit entries for one uid.
    pub const EVERY: Duration = Duration::from_secs(60);

    /// A refusal of `uid` at `now`: `Some(n)` means audit it, with `n`
    /// earlier refusals that were not audited; `None` means count it only.
    pub fn note(&mut self, uid: u32, now: Instant) -> Option<u64> {
        self.note_kind(uid, "peer", now)
    }

    /// Like [`note`](RefusalThrottle::note), for refusals of one `kind`.
    pub fn note_kind(&mut self, uid: u32, kind: &'static str, now: Instant) -> Option<u64> {
        let key = (uid, kind);
        if self.seen.len() > 1024 {
            self.seen
                .retain(|_, (t, _)| now.duration_since(*t) < Self::EVERY);
        }
        match self.seen.get_mut(&key) {
            Some((t, n)) if now.duration_since(*t) < Self::EVERY => {
                *n += 1;
                None
            }
            Some((t, n)) => {
                let skipped = *n;
                *t = now;
                *n = 0;
                Some(skipped)
            }
            None => {
                self.seen.insert(key, (now, 0));
                Some(0)
            }
        }
    }
}
