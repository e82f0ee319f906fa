//! The state directory on the persistent partition.
//!
//! ```text
//! <dir>/lock               flock(2) target; held for each transaction
//! <dir>/state.json         {"format":1,"sha256":"…","state":{…}}
//! <dir>/state.json.prev    the previous good copy (a hard link, no extra write)
//! <dir>/state.json.bad-T   a bad file set aside by restore or init --force
//! <dir>/audit.log[.N]      JSON lines, rotated by size
//! <dir>/recovery.key       the till's derived recovery key
//! <dir>/terminal-id        random id, if the hardware has no serial
//! ```
//!
//! Every file is mode 0600 and written atomically: a temporary file in the
//! same directory, fsync, rename over the old one, fsync the directory. A
//! power cut leaves either the old or the new file, never half of one, and
//! never no file at all. The checksum catches what a rename cannot: a
//! file damaged later on a failing SD card. Files are reached only through
//! the directory's fd, never through a symlink (see [`super::dir`]).

use super::dir::{Dir, PREV_SUFFIX};
use super::{AuditLog, Backend, StoreError, Txn};
use crate::core::audit::{AuditDetail, AuditRecord, EventKind, Outcome};
use crate::core::recovery::TillKey;
use crate::core::state::{STATE_FORMAT, TillState};
use crate::sys::{self, Persistence};
use nix::fcntl::{Flock, FlockArg};
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

/// The state file's name.
pub const STATE_FILE: &str = "state.json";
const BAD_INFIX: &str = ".bad-";
const AUDIT_FILE: &str = "audit.log";
const KEY_FILE: &str = "recovery.key";
const ID_FILE: &str = "terminal-id";
const LOCK_FILE: &str = "lock";
/// Written with a till's first state and never removed by the store: the
/// evidence that a missing `state.json` was lost, not never written.
const SET_UP_FILE: &str = "set-up";

/// How the audit log is rotated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditRotation {
    /// Rotate when the current file would grow beyond this.
    pub max_bytes: u64,
    /// Rotated files kept (`audit.log.1` .. `audit.log.N`).
    pub keep: u32,
}

impl Default for AuditRotation {
    fn default() -> Self {
        AuditRotation {
            max_bytes: 1024 * 1024,
            keep: 5,
        }
    }
}

/// The state directory.
///
/// Nothing is cached between transactions: each one opens the directory
/// afresh and checks it. A directory that cannot be opened now (a failed
/// mount, a path that cannot be traversed, a read-only file system) is an
/// error every time until it can, never a different, empty store.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    rotation: AuditRotation,
    /// Stale temporary files are swept once per process, at the first lock.
    swept: Arc<AtomicBool>,
}

impl FileStore {
    /// The store at `dir`, without touching it yet: every transaction opens
    /// (and if needed creates, mode 0700) and checks the directory. The
    /// kiosk uses this, so a directory that cannot be opened at start-up is
    /// retried rather than replaced.
    pub fn new(dir: &Path, rotation: AuditRotation) -> FileStore {
        FileStore {
            dir: dir.to_owned(),
            rotation,
            swept: Arc::default(),
        }
    }

    /// The store at `dir`, which must open and pass the checks now.
    pub fn open(dir: &Path, rotation: AuditRotation) -> Result<FileStore, StoreError> {
        Dir::open(dir)?;
        Ok(FileStore::new(dir, rotation))
    }
}

impl Backend for FileStore {
    fn lock(&self) -> Result<Box<dyn Txn + '_>, StoreError> {
        let dir = Dir::open(&self.dir)?;
        let file = dir.open_rw(LOCK_FILE)?;
        let lock = Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, e)| StoreError::Io {
            action: "lock",
            path: dir.join(LOCK_FILE),
            source: io::Error::from(e),
        })?;
        if !self.swept.swap(true, Ordering::SeqCst) {
            dir.remove_stale_temps()?;
        }
        dir.check_entries(is_ours)?;
        Ok(Box::new(FileTxn {
            dir,
            rotation: self.rotation,
            _lock: lock,
        }))
    }

    fn location(&self) -> PathBuf {
        self.dir.clone()
    }

    fn stamp(&self) -> Option<super::Stamp> {
        let st = nix::sys::stat::lstat(&self.dir.join(STATE_FILE)).ok()?;
        #[allow(clippy::unnecessary_cast, clippy::useless_conversion)]
        Some(super::Stamp([
            st.st_dev as i64,
            st.st_ino as i64,
            st.st_size as i64,
            (st.st_ctime as i64).saturating_mul(1_000_000_000) + st.st_ctime_nsec as i64,
            (st.st_mtime as i64).saturating_mul(1_000_000_000) + st.st_mtime_nsec as i64,
        ]))
    }

    fn persistence(&self) -> Result<Persistence, StoreError> {
        let dir = Dir::open(&self.dir)?;
        sys::persistence_of(dir.fd()).map_err(|source| StoreError::Io {
            action: "check file system of",
            path: self.dir.clone(),
            source,
        })
    }
}

struct FileTxn {
    dir: Dir,
    rotation: AuditRotation,
    _lock: Flock<File>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    format: u32,
    sha256: String,
    #[serde(borrow)]
    state: &'a RawValue,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: u32,
    serial: String,
    key: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::core::hex(&Sha256::digest(bytes))
}

/// Serialises a state into the file format.
pub(crate) fn encode_state(state: &TillState) -> Vec<u8> {
    // A derived Serialize of plain data cannot fail.
    let body = serde_json::to_string(state).expect("state serialises");
    format!(
        "{{\"format\":{STATE_FORMAT},\"sha256\":\"{}\",\"state\":{body}}}\n",
        sha256_hex(body.as_bytes())
    )
    .into_bytes()
}

/// Parses the file format; `path` is for messages only.
pub(crate) fn decode_state(path: &Path, bytes: &[u8]) -> Result<TillState, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        path: path.to_owned(),
        reason,
    };
    if bytes.is_empty() {
        return Err(corrupt("the file is empty".into()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| corrupt(format!("not UTF-8 text ({e})")))?;
    let env: Envelope = serde_json::from_str(text)
        .map_err(|e| corrupt(format!("not a state file: {e} (truncated or overwritten?)")))?;
    if env.format > STATE_FORMAT {
        return Err(StoreError::NewerFormat {
            path: path.to_owned(),
            found: env.format,
            supported: STATE_FORMAT,
        });
    }
    if env.format == 0 {
        return Err(corrupt("format 0 is not a valid format".into()));
    }
    let body = env.state.get();
    if sha256_hex(body.as_bytes()) != env.sha256 {
        return Err(corrupt(
            "checksum mismatch: the file was damaged after it was written".into(),
        ));
    }
    serde_json::from_str(body).map_err(|e| corrupt(format!("invalid contents: {e}")))
}

/// Whether the store reads or writes a file of this name.
fn is_ours(name: &str) -> bool {
    name == STATE_FILE
        || name == ID_FILE
        || name == LOCK_FILE
        || name == KEY_FILE
        || is_evidence(name)
        || is_audit(name)
}

/// Whether a file of this name shows that the till had state once. Only
/// files a set-up till writes: an audit line (a refused bundle, a refused
/// session peer) or a recovery key can come before setup.
fn is_evidence(name: &str) -> bool {
    name == SET_UP_FILE
        || name == format!("{STATE_FILE}{PREV_SUFFIX}")
        || name.starts_with(&format!("{STATE_FILE}{BAD_INFIX}"))
}

fn is_audit(name: &str) -> bool {
    name == AUDIT_FILE || name.starts_with(&format!("{AUDIT_FILE}."))
}

/// Whether an audit file records a successful setup: the evidence on a
/// till set up before the marker existed (0.1.0), whose other evidence
/// may be gone.
fn records_setup(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'\n').any(|line| {
        serde_json::from_slice::<AuditRecord>(line)
            .is_ok_and(|r| r.event == EventKind::Init && r.outcome == Outcome::Ok)
    })
}

impl FileTxn {
    fn bad_name(&self) -> Result<String, StoreError> {
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut n = 0;
        loop {
            let suffix = if n == 0 {
                String::new()
            } else {
                format!(".{n}")
            };
            let name = format!("{STATE_FILE}{BAD_INFIX}{secs}{suffix}");
            if !self.dir.exists(&name)? {
                return Ok(name);
            }
            n += 1;
        }
    }

    fn audit_name(n: u32) -> String {
        if n == 0 {
            AUDIT_FILE.to_owned()
        } else {
            format!("{AUDIT_FILE}.{n}")
        }
    }

    fn rotate_audit(&self) -> Result<(), StoreError> {
        let keep = self.rotation.keep.max(1);
        for n in (1..keep).rev() {
            let (from, to) = (Self::audit_name(n), Self::audit_name(n + 1));
            if self.dir.exists(&from)? {
                self.dir.rename(&from, &to)?;
            }
        }
        self.dir.rename(AUDIT_FILE, &Self::audit_name(1))?;
        self.dir.sync()
    }
}

impl Txn for FileTxn {
    fn load(&mut self) -> Result<Option<TillState>, StoreError> {
        match self.dir.read(STATE_FILE)? {
            Some(bytes) => decode_state(&self.dir.join(STATE_FILE), &bytes).map(Some),
            None => {
                // No state file. Fresh only if nothing shows there was one.
                let mut names = self.dir.names()?;
                names.sort();
                let mut evidence = names.iter().find(|n| is_evidence(n)).cloned();
                for name in names.iter().filter(|n| is_audit(n)) {
                    if evidence.is_some() {
                        break;
                    }
                    if self.dir.read(name)?.is_some_and(|b| records_setup(&b)) {
                        evidence = Some(name.clone());
                    }
                }
                match evidence {
                    Some(evidence) => Err(StoreError::Missing {
                        path: self.dir.join(STATE_FILE),
                        evidence: self.dir.join(&evidence),
                    }),
                    None => Ok(None),
                }
            }
        }
    }

    fn save(&mut self, state: &TillState) -> Result<(), StoreError> {
        self.dir
            .write_atomic(STATE_FILE, &encode_state(state), true)?;
        if !self.dir.exists(SET_UP_FILE)? {
            self.dir.write_atomic(
                SET_UP_FILE,
                b"this till was set up: a missing state.json here was lost, not never written\n",
                false,
            )?;
        }
        Ok(())
    }

    fn append_audit(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for r in records {
            // Plain data; should a detail ever fail to serialise, the
            // event is kept with its detail as text rather than lost.
            let line = serde_json::to_string(r).unwrap_or_else(|e| {
                let mut plain = r.clone();
                plain.detail = Some(AuditDetail::Text {
                    text: format!("{:?} ({e})", r.detail),
                });
                serde_json::to_string(&plain).unwrap_or_default()
            });
            text.push_str(&line);
            text.push('\n');
        }
        let mut size = self.dir.size(AUDIT_FILE);
        if size > 0 && size.saturating_add(text.len() as u64) > self.rotation.max_bytes {
            self.rotate_audit()?;
            size = 0;
        }
        let path = self.dir.join(AUDIT_FILE);
        let mut f = self.dir.open_append(AUDIT_FILE)?;
        f.write_all(text.as_bytes())
            .and_then(|()| super::dir::sync_data(&f, AUDIT_FILE))
            .map_err(|source| StoreError::Io {
                action: "append to",
                path,
                source,
            })?;
        if size == 0 {
            self.dir.sync()?;
        }
        Ok(())
    }

    fn read_audit(&mut self) -> Result<AuditLog, StoreError> {
        let mut log = AuditLog::default();
        for n in (0..=self.rotation.keep).rev() {
            let name = Self::audit_name(n);
            let Some(file) = self.dir.open_read(&name)? else {
                continue;
            };
            for line in BufReader::new(file).split(b'\n') {
                let line = line.map_err(|source| StoreError::Io {
                    action: "read",
                    path: self.dir.join(&name),
                    source,
                })?;
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                match serde_json::from_slice::<AuditRecord>(&line) {
                    Ok(r) => log.records.push(r),
                    Err(_) => log.skipped_lines += 1,
                }
            }
        }
        Ok(log)
    }

    fn recovery_key(&mut self) -> Result<Option<(String, TillKey)>, StoreError> {
        let Some(bytes) = self.dir.read(KEY_FILE)? else {
            return Ok(None);
        };
        let bytes = zeroize::Zeroizing::new(bytes);
        let bad = |reason: String| StoreError::BadKeyFile {
            path: self.dir.join(KEY_FILE),
            reason,
        };
        let kf: KeyFile = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        let hex = zeroize::Zeroizing::new(kf.key);
        if kf.format != 1 {
            return Err(bad(format!("unknown format {}", kf.format)));
        }
        let key = TillKey::from_hex(&hex).map_err(|e| bad(e.to_string()))?;
        Ok(Some((kf.serial, key)))
    }

    fn set_recovery_key(&mut self, serial: &str, key: &TillKey) -> Result<(), StoreError> {
        let hex = key.to_hex();
        let text = zeroize::Zeroizing::new(format!(
            "{{\"format\":1,\"serial\":{},\"key\":\"{}\"}}\n",
            serde_json::Value::String(serial.to_owned()),
            hex.as_str()
        ));
        self.dir.write_atomic(KEY_FILE, text.as_bytes(), false)
    }

    fn terminal_id(&mut self) -> Result<String, StoreError> {
        if let Some(bytes) = self.dir.read(ID_FILE)? {
            if let Some(id) = sys::clean_serial(&String::from_utf8_lossy(&bytes)) {
                return Ok(id);
            }
            return Err(StoreError::Corrupt {
                path: self.dir.join(ID_FILE),
                reason: "not a terminal id".into(),
            });
        }
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).map_err(|e| StoreError::Io {
            action: "create",
            path: self.dir.join(ID_FILE),
            source: io::Error::other(e.to_string()),
        })?;
        let id = crate::core::hex(&b);
        self.dir
            .write_atomic(ID_FILE, format!("{id}\n").as_bytes(), false)?;
        Ok(id)
    }

    fn set_aside(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let prev = format!("{STATE_FILE}{PREV_SUFFIX}");
        if !self.dir.exists(STATE_FILE)? {
            // A "missing" till has a prev copy; set it aside too so the
            // till really starts fresh, but keep it.
            if self.dir.exists(&prev)? {
                let to = self.bad_name()?;
                self.dir.rename(&prev, &to)?;
                self.dir.sync()?;
                return Ok(Some(self.dir.join(&to)));
            }
            return Ok(None);
        }
        let to = self.bad_name()?;
        self.dir.rename(STATE_FILE, &to)?;
        if self.dir.exists(&prev)? {
            self.dir.rename(&prev, &format!("{to}{PREV_SUFFIX}"))?;
        }
        self.dir.sync()?;
        Ok(Some(self.dir.join(&to)))
    }

    fn restore_previous(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let prev = format!("{STATE_FILE}{PREV_SUFFIX}");
        let bytes = self
            .dir
            .read(&prev)?
            .ok_or_else(|| StoreError::NoPrevious(self.dir.join(&prev)))?;
        // Only a good previous copy may replace the current one.
        decode_state(&self.dir.join(&prev), &bytes)?;
        let aside = if self.dir.exists(STATE_FILE)? {
            let to = self.bad_name()?;
            self.dir.rename(STATE_FILE, &to)?;
            Some(self.dir.join(&to))
        } else {
            None
        };
        self.dir.write_atomic(STATE_FILE, &bytes, false)?;
        Ok(aside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clock::{BootInstant, WallTime};

    fn state() -> TillState {
        TillState::new(
            "Till 1",
            WallTime(0),
            &BootInstant {
                boot_id: "b".into(),
                since_boot_ms: 1,
            },
        )
    }

    #[test]
    fn encode_decode_round_trip() {
        let s = state();
        let bytes = encode_state(&s);
        assert_eq!(decode_state(Path::new("x"), &bytes).unwrap(), s);
    }

    #[test]
    fn damage_is_detected() {
        let bytes = encode_state(&state());
        let p = Path::new("state.json");
        // Truncation at every length fails closed.
        for n in 0..bytes.len() - 1 {
            assert!(decode_state(p, &bytes[..n]).is_err(), "truncated at {n}");
        }
        // A flipped digit inside the body is caught by the checksum.
        let text = String::from_utf8(bytes.clone()).unwrap();
        let flipped = text.replace("\"Till 1\"", "\"Till 2\"");
        match decode_state(p, flipped.as_bytes()) {
            Err(StoreError::Corrupt { reason, .. }) => {
                assert!(reason.contains("checksum"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        let newer = text.replacen("\"format\":1", "\"format\":9", 1);
        assert!(matches!(
            decode_state(p, newer.as_bytes()),
            Err(StoreError::NewerFormat { found: 9, .. })
        ));
    }
}
