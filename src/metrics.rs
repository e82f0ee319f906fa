//! A metrics file in the Prometheus text format, for node_exporter's
//! textfile collector (`--collector.textfile.directory`).
//!
//! A chain already scrapes its machines with node_exporter; a file beside
//! its own `.prom` files is the whole integration, with no port opened on
//! the till. Off unless `metrics.textfile` names a path. The file is
//! written whole to a temporary name and renamed (node_exporter reads only
//! `*.prom`, so it never sees half a file), at most every
//! [`INTERVAL`].
//!
//! What it says: failed attempts by kind since the kiosk started (counted
//! from the audit events as they are written), active lockouts, the last
//! successful sign-in (from the audit log at start, then from events),
//! whether the state directory is persistent and readable, whether
//! recovery is provisioned, and how many devices did not start. Never a
//! number typed at the till, never a name.

use crate::core::audit::{AuditRecord, EventKind, Outcome, wire_name};
use crate::journal::AuditSink;
use crate::service::{Health, Service};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the file is rewritten (node_exporter is scraped every 15 s
/// or more; writing faster would only wear the SD card's neighbour).
pub const INTERVAL: Duration = Duration::from_secs(15);

/// What the audit events tell the metrics.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Failed or refused-while-locked attempts, by (event kind, outcome).
    pub failed: BTreeMap<(String, String), u64>,
    /// Wall time of the last successful sign-in, ms since the epoch.
    pub last_sign_in_ms: Option<i64>,
}

/// The audit sink that counts.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<Counts>,
}

impl Metrics {
    /// Counts starting from what the audit log already says: the last
    /// sign-in survives a restart (the counters, as Prometheus expects of a
    /// counter, start again at zero).
    pub fn seeded(log: &[AuditRecord]) -> Metrics {
        let last = log
            .iter()
            .rev()
            .find(|r| r.event == EventKind::SignIn && r.outcome == Outcome::Ok)
            .map(|r| r.wall_ms);
        Metrics {
            counts: Mutex::new(Counts {
                failed: BTreeMap::new(),
                last_sign_in_ms: last,
            }),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> Counts {
        self.counts.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl AuditSink for Metrics {
    fn audited(&self, records: &[AuditRecord], _terminal: &str) {
        let Ok(mut c) = self.counts.lock() else {
            return;
        };
        for r in records {
            match r.outcome {
                Outcome::Failed | Outcome::Locked => {
                    *c.failed
                        .entry((wire_name(&r.event), wire_name(&r.outcome)))
                        .or_default() += 1;
                }
                Outcome::Ok if r.event == EventKind::SignIn => {
                    c.last_sign_in_ms = Some(r.wall_ms);
                }
                _ => {}
            }
        }
    }
}

/// Everything one file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// From the audit events.
    pub counts: Counts,
    /// Now, ms since the epoch.
    pub now_ms: i64,
    /// Operators locked out now.
    pub locked_operators: usize,
    /// The till-wide pause is in force.
    pub terminal_paused: bool,
    /// The state directory survives a reboot (`None`: could not tell).
    pub persistent: Option<bool>,
    /// The state reads (not fresh, not broken).
    pub state_ok: bool,
    /// A recovery key is provisioned for this serial.
    pub recovery_provisioned: bool,
    /// Devices that did not start.
    pub hardware_problems: usize,
}

impl Snapshot {
    /// Reads what the service can tell now.
    pub fn take(svc: &Service, metrics: &Metrics, hardware_problems: usize) -> Snapshot {
        let st = svc.status();
        Snapshot {
            counts: metrics.counts(),
            now_ms: svc.clock().wall().0,
            locked_operators: st.locked.len(),
            terminal_paused: st.terminal_locked_secs.is_some(),
            persistent: st.filesystem.as_ref().ok().map(|p| p.persistent),
            state_ok: matches!(st.health, Health::Ok { .. }),
            recovery_provisioned: st.recovery_ready(),
            hardware_problems,
        }
    }
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// The file's text.
pub fn render(s: &Snapshot) -> String {
    let b = |v: bool| u8::from(v);
    let mut o = String::new();
    metric(
        &mut o,
        "till_failed_attempts_total",
        "counter",
        "Failed attempts since the kiosk started, by event and outcome (failed: wrong; locked: refused while locked).",
    );
    if s.counts.failed.is_empty() {
        let _ = writeln!(
            o,
            "till_failed_attempts_total{{event=\"sign_in\",outcome=\"failed\"}} 0"
        );
    }
    for ((event, outcome), n) in &s.counts.failed {
        let _ = writeln!(
            o,
            "till_failed_attempts_total{{event=\"{event}\",outcome=\"{outcome}\"}} {n}"
        );
    }
    metric(
        &mut o,
        "till_lockouts_active",
        "gauge",
        "Lockouts in force now (operator: locked numbers; terminal: the till-wide pause).",
    );
    let _ = writeln!(
        o,
        "till_lockouts_active{{scope=\"operator\"}} {}\ntill_lockouts_active{{scope=\"terminal\"}} {}",
        s.locked_operators,
        b(s.terminal_paused)
    );
    metric(
        &mut o,
        "till_last_sign_in_timestamp_seconds",
        "gauge",
        "Wall time of the last successful sign-in (absent: none recorded).",
    );
    metric(
        &mut o,
        "till_last_sign_in_age_seconds",
        "gauge",
        "Seconds from the last successful sign-in to this file's writing.",
    );
    if let Some(ms) = s.counts.last_sign_in_ms {
        let _ = writeln!(o, "till_last_sign_in_timestamp_seconds {}", ms / 1000);
        let _ = writeln!(
            o,
            "till_last_sign_in_age_seconds {}",
            (s.now_ms - ms).max(0) / 1000
        );
    }
    metric(
        &mut o,
        "till_state_persistent",
        "gauge",
        "1 if the state directory survives a reboot, 0 if not, -1 if it could not be checked.",
    );
    let persistent = s.persistent.map_or(-1, i8::from);
    let _ = writeln!(o, "till_state_persistent {persistent}");
    metric(
        &mut o,
        "till_state_ok",
        "gauge",
        "1 if the state reads and the till is set up.",
    );
    let _ = writeln!(o, "till_state_ok {}", b(s.state_ok));
    metric(
        &mut o,
        "till_recovery_provisioned",
        "gauge",
        "1 if a recovery key is provisioned for this terminal's serial.",
    );
    let _ = writeln!(o, "till_recovery_provisioned {}", b(s.recovery_provisioned));
    metric(
        &mut o,
        "till_hardware_problems",
        "gauge",
        "Configured devices that did not start (see the journal).",
    );
    let _ = writeln!(o, "till_hardware_problems {}", s.hardware_problems);
    o
}

/// Writes `text` to `path` whole: a temporary file beside it, then a
/// rename (node_exporter skips names not ending in `.prom`).
///
/// The textfile directory is shared (root's collectors write there too),
/// so it is written the way the store writes its own: through the
/// directory's fd, an unpredictable temporary name created with
/// `O_EXCL | O_NOFOLLOW`, a rename relative to the same fd. A link planted
/// there is never written through. The file is 0644 whatever the unit's
/// `UMask=0077` says: it holds no secret and node_exporter runs as another
/// user.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    use nix::fcntl::{OFlag, open, openat, renameat};
    use nix::sys::stat::{Mode, fchmod};
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let dirfd = open(
        dir,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )?;
    let tmp = crate::store::temp_name(name)?;
    let flags =
        OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let fd = openat(&dirfd, tmp.as_str(), flags, Mode::from_bits_truncate(0o644))?;
    let mut f = std::fs::File::from(fd);
    let written = fchmod(&f, Mode::from_bits_truncate(0o644))
        .map_err(io::Error::from)
        .and_then(|()| f.write_all(text.as_bytes()));
    drop(f);
    let placed = written
        .and_then(|()| renameat(&dirfd, tmp.as_str(), &dirfd, name).map_err(io::Error::from));
    if placed.is_err() {
        let _ = nix::unistd::unlinkat(
            &dirfd,
            tmp.as_str(),
            nix::unistd::UnlinkatFlags::NoRemoveDir,
        );
    }
    placed
}

/// Starts the writer thread: a file now, then every [`INTERVAL`].
pub fn spawn(
    svc: Service,
    metrics: Arc<Metrics>,
    path: PathBuf,
    hardware_problems: usize,
) -> io::Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name("metrics".into())
        .spawn(move || {
            let mut failing = false;
            loop {
                let text = render(&Snapshot::take(&svc, &metrics, hardware_problems));
                match write_atomic(&path, &text) {
                    Ok(()) => failing = false,
                    // Said once per run of failures, not every 15 s.
                    Err(e) if !failing => {
                        failing = true;
                        tracing::warn!("metrics file {}: {e}", path.display());
                    }
                    Err(_) => {}
                }
                std::thread::sleep(INTERVAL);
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audit::{Actor, AuditEvent};
    use crate::core::clock::{BootInstant, WallTime};

    fn rec(kind: EventKind, outcome: Outcome, ms: i64) -> AuditRecord {
        AuditEvent::new(kind, &Actor::Kiosk, Some("07".into()), outcome).stamp(
            WallTime(ms),
            &BootInstant {
                boot_id: "b".into(),
                since_boot_ms: 0,
            },
        )
    }

    #[test]
    fn counts_failures_by_kind_and_remembers_the_last_sign_in() {
        let m = Metrics::seeded(&[rec(EventKind::SignIn, Outcome::Ok, 5_000)]);
        m.audited(
            &[
                rec(EventKind::SignIn, Outcome::Failed, 6_000),
                rec(EventKind::SignIn, Outcome::Failed, 7_000),
                rec(EventKind::SignIn, Outcome::Locked, 8_000),
                rec(EventKind::RecoveryFailed, Outcome::Failed, 9_000),
                rec(EventKind::OperatorAdded, Outcome::Ok, 9_500),
            ],
            "T",
        );
        let text = render(&Snapshot {
            counts: m.counts(),
            now_ms: 65_000,
            locked_operators: 1,
            terminal_paused: false,
            persistent: Some(true),
            state_ok: true,
            recovery_provisioned: false,
            hardware_problems: 2,
        });
        for line in [
            "till_failed_attempts_total{event=\"sign_in\",outcome=\"failed\"} 2",
            "till_failed_attempts_total{event=\"sign_in\",outcome=\"locked\"} 1",
            "till_failed_attempts_total{event=\"recovery_failed\",outcome=\"failed\"} 1",
            "till_lockouts_active{scope=\"operator\"} 1",
            "till_lockouts_active{scope=\"terminal\"} 0",
            "till_last_sign_in_timestamp_seconds 5",
            "till_last_sign_in_age_seconds 60",
            "till_state_persistent 1",
            "till_recovery_provisioned 0",
            "till_hardware_problems 2",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
        }
        // Every sample line is `name{labels} value` with a number.
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let v = l.rsplit(' ').next().unwrap();
            assert!(v.parse::<f64>().is_ok(), "{l}");
        }
    }

    #[test]
    fn the_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("till-kiosk.prom");
        write_atomic(&path, "a 1\n").unwrap();
        write_atomic(&path, "a 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a 2\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("till-kiosk.prom")]);
    }
}
