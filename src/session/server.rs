//! The session API server: a Unix socket in the kiosk process.
//!
//! Robust against its clients:
//! * every connection has a reader thread and a writer thread; replies and
//!   events reach the writer through a **bounded** queue, and the
//!   broadcaster only ever `try_send`s, so a client that stops reading is
//!   dropped instead of slowing anyone down;
//! * a connection has at most one request waiting on the kiosk at a time,
//!   and a rate limit, so a flood cannot starve the UI;
//! * at most `max_connections` clients; lines longer than 8 KiB are refused;
//! * malformed or unknown requests get an error and the connection stays;
//! * a client that disconnects while its approval is pending cancels it;
//! * every connection's peer credentials are checked against the
//!   configured users and groups: uid and gid from `SO_PEERCRED`, the
//!   supplementary groups from `SO_PEERGROUPS` (not `/proc/<pid>/status`,
//!   which the unit's `ProtectProc=invisible` hides, and which may be gone
//!   or belong to another process by the time it is read); a refusal is
//!   audited;
//! * each program (by uid) has at most one approval waiting and at most
//!   [`APPROVALS_PER_MINUTE`] started a minute, so it can neither cover the
//!   till in overlays nor flush the audit log; repeated refusals of the
//!   same kind from the same uid are audited once a minute with a count.

use super::protocol::{self, ApprovalRequest, ApprovalResult, BadRequest, Request, SessionInfo};
use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::{BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server needs from the kiosk. Implemented by the UI (posting to
/// its thread) and by test doubles.
pub trait Engine: Send + Sync + 'static {
    /// Who is signed in.
    fn whoami(&self) -> Result<Option<SessionInfo>, String>;
    /// Signs the current operator out; returns who it was.
    fn sign_out(&self) -> Result<Option<String>, String>;
    /// Starts an approval; `done` is called exactly once with the result.
    /// An error (`busy`, `unavailable`) means it did not start and `done`
    /// is not called.
    fn approve(
        &self,
        id: u64,
        req: ApprovalRequest,
        done: Box<dyn FnOnce(ApprovalResult) + Send>,
    ) -> Result<(), BadRequest>;
    /// Cancels approval `id` if it is still pending; returns once done.
    fn cancel(&self, id: u64);
    /// Records that a peer was refused (audit log), with how many earlier
    /// refusals of the same uid were counted but not recorded.
    fn peer_refused(&self, uid: u32, gid: u32, pid: i32, unrecorded: u64);
    /// Records that a program asked for more approvals than it may, with
    /// how many earlier such refusals were counted but not recorded.
    fn approvals_refused(&self, uid: u32, unrecorded: u64);
}

/// Approvals one program (uid) may start a minute.
pub const APPROVALS_PER_MINUTE: usize = 6;

/// Who may connect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Users allowed by uid.
    pub uids: Vec<u32>,
    /// Groups allowed by gid (the peer's primary or supplementary groups).
    pub gids: Vec<u32>,
}

impl Access {
    /// Whether a peer with these credentials may talk to the kiosk. The
    /// kiosk's own user and root always may.
    pub fn allows(&self, uid: u32, gid: u32, supplementary: &[u32]) -> bool {
        let me = nix::unistd::getuid().as_raw();
        uid == 0
            || uid == me
            || self.uids.contains(&uid)
            || self.gids.contains(&gid)
            || supplementary.iter().any(|g| self.gids.contains(g))
    }
}

pub use crate::core::throttle::RefusalThrottle;

/// Limits and place.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// The socket path.
    pub path: PathBuf,
    /// Group given the socket (mode 0660), if any.
    pub group: Option<u32>,
    /// Who may connect.
    pub access: Access,
    /// Most clients at once.
    pub max_connections: usize,
    /// Events and replies queued per client before it counts as stalled.
    pub queue: usize,
    /// Requests per second per client.
    pub rate_per_s: u32,
}

/// One program's approvals: waiting now, and started in the last minute.
#[derive(Debug, Default)]
struct Quota {
    pending: u32,
    started: std::collections::VecDeque<Instant>,
}

impl Quota {
    /// Whether another approval may start at `now`.
    fn admit(&mut self, now: Instant) -> Result<(), BadRequest> {
        while self
            .started
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            self.started.pop_front();
        }
        if self.pending > 0 {
            return Err(protocol::bad(
                "busy",
                "this program already has an approval waiting at the till",
            ));
        }
        if self.started.len() >= APPROVALS_PER_MINUTE {
            return Err(protocol::bad(
                "rate_limited",
                format!("at most {APPROVALS_PER_MINUTE} approvals a minute"),
            ));
        }
        self.pending += 1;
        self.started.push_back(now);
        Ok(())
    }

    /// The approval ended (or never started).
    fn done(&mut self) {
        self.pending = self.pending.saturating_sub(1);
    }
}

type Quotas = Arc<Mutex<HashMap<u32, Quota>>>;

/// Subscribers: their queue, and their socket (to cut them off).
type Subscribers = Arc<Mutex<HashMap<u64, (SyncSender<String>, UnixStream)>>>;

/// A running server; events go out through [`Server::broadcast`].
#[derive(Clone)]
pub struct Server {
    subscribers: Subscribers,
    stats: Arc<Stats>,
    refusals: Arc<Mutex<RefusalThrottle>>,
    quotas: Quotas,
}

/// Counters, for tests and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    /// Clients dropped for not reading.
    pub dropped_stalled: AtomicU64,
    /// Connections refused by peer credentials.
    pub refused: AtomicU64,
    /// Connections open now.
    pub open: AtomicUsize,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Binds the socket and starts accepting.
    ///
    /// Under systemd the socket comes from `till-kiosk.socket` (socket
    /// activation: systemd creates it with its group and mode, which the
    /// sandboxed kiosk may not, since `chown` is a privileged call); run
    /// by hand, the kiosk binds it itself.
    pub fn start(cfg: ServerConfig, engine: Arc<dyn Engine>) -> std::io::Result<Server> {
        let listener = match crate::sys::inherited_listener(&cfg.path) {
            Some(l) => {
                tracing::info!(
                    "session API socket {} passed in by systemd",
                    cfg.path.display()
                );
                l
            }
            None => crate::sys::listen_unix(&cfg.path, 0o660, cfg.group)?,
        };
        let server = Server {
            subscribers: Arc::default(),
            stats: Arc::default(),
            refusals: Arc::default(),
            quotas: Arc::default(),
        };
        tracing::info!("session API listening on {}", cfg.path.display());
        let s = server.clone();
        let next_conn = Arc::new(AtomicU64::new(1));
        std::thread::Builder::new()
            .name("session-accept".into())
            .spawn(move || {
                for conn in listener.incoming().flatten() {
                    let id = next_conn.fetch_add(1, Ordering::Relaxed);
                    s.accept(conn, id, &cfg, engine.clone());
                }
            })?;
        Ok(server)
    }

    fn accept(&self, conn: UnixStream, id: u64, cfg: &ServerConfig, engine: Arc<dyn Engine>) {
        let mut conn = conn;
        let creds = match getsockopt(&conn, PeerCredentials) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("session API: no peer credentials ({e}); refused");
                return;
            }
        };
        let (uid, gid, pid) = (creds.uid(), creds.gid(), creds.pid());
        // No groups known means none: a refusal, never a guess.
        let groups = crate::sys::peer_groups(&conn).unwrap_or_default();
        if !cfg.access.allows(uid, gid, &groups) {
            self.stats.refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("session API: refused uid {uid} gid {gid} pid {pid}");
            let _ = writeln!(
                conn,
                "{}",
                protocol::error(
                    &Value::Null,
                    "forbidden",
                    &format!("uid {uid} may not use the session API")
                )
            );
            let audit = self
                .refusals
                .lock()
                .map_or(Some(0), |mut r| r.note(uid, Instant::now()));
            if let Some(skipped) = audit {
                engine.peer_refused(uid, gid, pid, skipped);
            }
            return;
        }
        if self.stats.open.load(Ordering::Relaxed) >= cfg.max_connections {
            let _ = writeln!(
                conn,
                "{}",
                protocol::error(&Value::Null, "too_many_connections", "try again later")
            );
            return;
        }
        let requester = format!("uid {uid} pid {pid}");
        let (tx, rx) = sync_channel::<String>(cfg.queue.max(1));
        let (Ok(mut writer), Ok(shutdown)) = (conn.try_clone(), conn.try_clone()) else {
            return;
        };
        let _ = writer.set_write_timeout(Some(Duration::from_secs(5)));
        self.stats.open.fetch_add(1, Ordering::Relaxed);
        let subs = self.subscribers.clone();
        let _ = std::thread::Builder::new()
            .name("session-write".into())
            .spawn(move || {
                for line in rx {
                    if writeln!(writer, "{line}").is_err() {
                        break;
                    }
                }
                subs.lock().map(|mut s| s.remove(&id)).ok();
                let _ = shutdown.shutdown(std::net::Shutdown::Both);
            });
        let this = self.clone();
        let rate = cfg.rate_per_s;
        let _ = std::thread::Builder::new()
            .name("session-read".into())
            .spawn(move || {
                this.serve(conn, id, uid, tx, &requester, rate, engine.as_ref());
                this.stats.open.fetch_sub(1, Ordering::Relaxed);
            });
    }

    /// Long on purpose: the accept loop and its bounds (peer credentials, per-program limits, the shared key queue) in one place, so every limit a client meets can be checked in one reading.
    #[allow(clippy::too_many_arguments)] // one connection's whole context
    fn serve(
        &self,
        conn: UnixStream,
        conn_id: u64,
        uid: u32,
        tx: SyncSender<String>,
        requester: &str,
        rate: u32,
        engine: &dyn Engine,
    ) {
        let Ok(handle) = conn.try_clone() else { return };
        let send = |line: String| {
            // A full queue means the client is not reading its replies:
            // cut it off rather than buffer without end.
            if let Err(TrySendError::Full(_)) = tx.try_send(line) {
                self.drop_stalled(conn_id);
                let _ = handle.shutdown(std::net::Shutdown::Both);
            }
        };
        let mut reader = BufReader::new(conn);
        // This connection's approval still waiting for an answer (0: none);
        // cleared by the approval's own reply.
        let pending = Arc::new(AtomicU64::new(0));
        let mut window = (Instant::now(), 0u32);
        loop {
            let line = match crate::sys::read_line_bounded(&mut reader, protocol::MAX_LINE) {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(crate::sys::LineError::TooLong) => {
                    send(protocol::error(
                        &Value::Null,
                        "line_too_long",
                        "a request is at most 8 KiB",
                    ));
                    continue;
                }
                Err(crate::sys::LineError::Io) => break,
            };
            if line.trim().is_empty() {
                continue;
            }
            if window.0.elapsed() >= Duration::from_secs(1) {
                window = (Instant::now(), 0);
            }
            window.1 += 1;
            let (id, req) = protocol::parse(&line, requester);
            if window.1 > rate {
                send(protocol::error(
                    &id,
                    "rate_limited",
                    &format!("at most {rate} requests a second"),
                ));
                continue;
            }
            let reply = match req {
                Err(b) => protocol::error(&id, b.code, &b.message),
                Ok(Request::Ping) => protocol::ok(&id, json!({"pong": true})),
                Ok(Request::Whoami) => match engine.whoami() {
                    Ok(s) => protocol::ok(&id, json!({"session": s})),
                    Err(e) => protocol::error(&id, "unavailable", &e),
                },
                Ok(Request::SignOut) => match engine.sign_out() {
                    Ok(who) => protocol::ok(&id, json!({"signed_out": who})),
                    Err(e) => protocol::error(&id, "unavailable", &e),
                },
                Ok(Request::Subscribe) => {
                    if let (Ok(mut s), Ok(h)) = (self.subscribers.lock(), handle.try_clone()) {
                        s.insert(conn_id, (tx.clone(), h));
                    }
                    protocol::ok(&id, json!({"subscribed": true}))
                }
                Ok(Request::Cancel) => match pending.load(Ordering::SeqCst) {
                    0 => protocol::error(&id, "no_approval", "nothing to cancel"),
                    a => {
                        // Synchronous: the approval's own reply goes out first.
                        engine.cancel(a);
                        protocol::ok(&id, json!({"cancelled": true}))
                    }
                },
                Ok(Request::Approve(req)) => {
                    if let Err(e) = self.admit(uid, engine) {
                        send(protocol::error(&id, e.code, &e.message));
                        continue;
                    }
                    static NEXT: AtomicU64 = AtomicU64::new(1);
                    let a = NEXT.fetch_add(1, Ordering::Relaxed);
                    let (tx2, rid) = (tx.clone(), id.clone());
                    let flag = pending.clone();
                    let quotas = self.quotas.clone();
                    let done = Box::new(move |r: ApprovalResult| {
                        if let Ok(mut q) = quotas.lock() {
                            q.entry(uid).or_default().done();
                        }
                        // Only this approval's reply clears the mark.
                        let _ = flag.compare_exchange(a, 0, Ordering::SeqCst, Ordering::SeqCst);
                        let mut f = json!({"result": r.word()});
                        if let ApprovalResult::Approved(by) = &r {
                            f["by"] =
                                json!({"operator": by.operator, "name": by.name, "role": by.role});
                        }
                        let _ = tx2.try_send(protocol::ok(&rid, f));
                    });
                    // Marked before it starts: it may be answered at once.
                    let before = pending.swap(a, Ordering::SeqCst);
                    match engine.approve(a, req, done) {
                        Ok(()) => continue,
                        Err(e) => {
                            pending.store(before, Ordering::SeqCst);
                            if let Ok(mut q) = self.quotas.lock() {
                                q.entry(uid).or_default().done();
                            }
                            protocol::error(&id, e.code, &e.message)
                        }
                    }
                }
            };
            send(reply);
        }
        // Gone: its approval (if still pending) is cancelled.
        let a = pending.load(Ordering::SeqCst);
        if a != 0 {
            engine.cancel(a);
        }
        if let Ok(mut s) = self.subscribers.lock() {
            s.remove(&conn_id);
        }
    }

    /// Whether program `uid` may start another approval; a refusal for its
    /// rate is audited (once a minute at most, with a count).
    fn admit(&self, uid: u32, engine: &dyn Engine) -> Result<(), BadRequest> {
        let now = Instant::now();
        let admitted = match self.quotas.lock() {
            Ok(mut q) => q.entry(uid).or_default().admit(now),
            Err(_) => Err(protocol::bad("unavailable", "the kiosk is shutting down")),
        };
        if let Err(e) = &admitted
            && e.code == "rate_limited"
        {
            let audit = self
                .refusals
                .lock()
                .map_or(Some(0), |mut r| r.note_kind(uid, "approvals", now));
            if let Some(skipped) = audit {
                engine.approvals_refused(uid, skipped);
            }
        }
        admitted
    }

    fn drop_stalled(&self, conn_id: u64) {
        let removed = self
            .subscribers
            .lock()
            .ok()
            .and_then(|mut s| s.remove(&conn_id));
        if let Some((_, stream)) = removed {
            // Its reader sees the end and its writer stops: the client is gone.
            let _ = stream.shutdown(std::net::Shutdown::Both);
            self.stats.dropped_stalled.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("session API: dropped client {conn_id}, which stopped reading");
        }
    }

    /// Sends an event line to every subscriber; never blocks.
    pub fn broadcast(&self, line: &str) {
        let mut stalled = Vec::new();
        if let Ok(s) = self.subscribers.lock() {
            for (id, (tx, _)) in s.iter() {
                match tx.try_send(line.to_owned()) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                        stalled.push(*id)
                    }
                }
            }
        }
        for id in stalled {
            self.drop_stalled(id);
        }
    }

    /// Counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_audited_at_most_once_a_minute_per_user() {
        let mut r = RefusalThrottle::default();
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        assert_eq!(r.note(1000, at(0)), Some(0), "the first is audited");
        assert_eq!(r.note(1000, at(1)), None);
        assert_eq!(r.note(1000, at(59)), None);
        assert_eq!(r.note(1001, at(59)), Some(0), "another user is not hidden");
        assert_eq!(r.note(1000, at(60)), Some(2), "then with the count");
        assert_eq!(r.note(1000, at(61)), None);
    }

    #[test]
    fn access_by_uid_and_groups() {
        let a = Access {
            uids: vec![1001],
            gids: vec![2000],
        };
        assert!(a.allows(0, 0, &[]), "root");
        assert!(
            a.allows(nix::unistd::getuid().as_raw(), 5, &[]),
            "the kiosk's own user"
        );
        assert!(a.allows(1001, 5, &[]));
        assert!(a.allows(1002, 2000, &[]));
        assert!(a.allows(1002, 5, &[7, 2000]), "supplementary group");
        let me = nix::unistd::getuid().as_raw();
        let stranger = if me == 4242 { 4243 } else { 4242 };
        assert!(!a.allows(stranger, 5, &[6]));
    }
}
