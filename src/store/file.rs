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
//! file damaged later on a failing SD card.

use super::{AuditLog, Backend, StoreError, Txn};
use crate::core::audit::AuditRecord;
use crate::core::recovery::TillKey;
use crate::core::state::{STATE_FORMAT, TillState};
use crate::sys::{self, Persistence};
use nix::fcntl::{Flock, FlockArg};
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The state file's name.
pub const STATE_FILE: &str = "state.json";
const PREV_SUFFIX: &str = ".prev";
const AUDIT_FILE: &str = "audit.log";
const KEY_FILE: &str = "recovery.key";
const ID_FILE: &str = "terminal-id";
const LOCK_FILE: &str = "lock";

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
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    rotation: AuditRotation,
}

fn io_err<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> StoreError + 'p {
    move |source| StoreError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

impl FileStore {
    /// Opens (and if needed creates, mode 0700) the state directory.
    pub fn open(dir: &Path, rotation: AuditRotation) -> Result<FileStore, StoreError> {
        if !dir.exists() {
            fs::create_dir_all(dir).map_err(io_err("create state directory", dir))?;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
                .map_err(io_err("set permissions of", dir))?;
        }
        Ok(FileStore {
            dir: dir.to_owned(),
            rotation,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Backend for FileStore {
    fn lock(&self) -> Result<Box<dyn Txn + '_>, StoreError> {
        let path = self.path(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_err("open lock file", &path))?;
        let lock = Flock::lock(file, FlockArg::LockExclusive)
            .map_err(|(_, e)| io_err("lock", &path)(io::Error::from(e)))?;
        Ok(Box::new(FileTxn {
            store: self,
            _lock: lock,
        }))
    }

    fn location(&self) -> PathBuf {
        self.dir.clone()
    }

    fn persistence(&self) -> Result<Persistence, StoreError> {
        sys::persistence(&self.dir).map_err(io_err("check file system of", &self.dir))
    }
}

struct FileTxn<'a> {
    store: &'a FileStore,
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
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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

/// Writes `bytes` to `dir/name` atomically (temp, fsync, rename, fsync dir).
/// With `keep_prev`, the file being replaced becomes `name.prev`.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8], keep_prev: bool) -> Result<(), StoreError> {
    let target = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    {
        let mut f = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io_err("create", &tmp))?;
        f.write_all(bytes).map_err(io_err("write", &tmp))?;
        f.sync_all().map_err(io_err("fsync", &tmp))?;
    }
    if keep_prev && target.exists() {
        let prev = dir.join(format!("{name}{PREV_SUFFIX}"));
        match fs::remove_file(&prev) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("replace", &prev)(e)),
        }
        // A hard link keeps the old contents without writing them again.
        fs::hard_link(&target, &prev).map_err(io_err("keep previous copy as", &prev))?;
    }
    fs::rename(&tmp, &target).map_err(io_err("replace", &target))?;
    sync_dir(dir)
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("fsync directory", dir))
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err("read", path)(e)),
    }
}

impl FileTxn<'_> {
    fn bad_name(&self) -> PathBuf {
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
            let p = self.store.path(&format!("{STATE_FILE}.bad-{secs}{suffix}"));
            if !p.exists() {
                return p;
            }
            n += 1;
        }
    }

    fn audit_path(&self, n: u32) -> PathBuf {
        if n == 0 {
            self.store.path(AUDIT_FILE)
        } else {
            self.store.path(&format!("{AUDIT_FILE}.{n}"))
        }
    }

    fn rotate_audit(&self) -> Result<(), StoreError> {
        let keep = self.store.rotation.keep.max(1);
        for n in (1..keep).rev() {
            let (from, to) = (self.audit_path(n), self.audit_path(n + 1));
            match fs::rename(&from, &to) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_err("rotate", &from)(e)),
            }
        }
        let cur = self.audit_path(0);
        fs::rename(&cur, self.audit_path(1)).map_err(io_err("rotate", &cur))?;
        sync_dir(&self.store.dir)
    }
}

impl Txn for FileTxn<'_> {
    fn load(&mut self) -> Result<Option<TillState>, StoreError> {
        let path = self.store.path(STATE_FILE);
        match read_optional(&path)? {
            Some(bytes) => decode_state(&path, &bytes).map(Some),
            None => {
                // No state file. Fresh only if nothing shows there was one.
                let prev = self.store.path(&format!("{STATE_FILE}{PREV_SUFFIX}"));
                for evidence in [prev, self.audit_path(0), self.store.path(KEY_FILE)] {
                    if evidence.exists() {
                        return Err(StoreError::Missing { path, evidence });
                    }
                }
                Ok(None)
            }
        }
    }

    fn save(&mut self, state: &TillState) -> Result<(), StoreError> {
        write_atomic(&self.store.dir, STATE_FILE, &encode_state(state), true)
    }

    fn append_audit(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for r in records {
            // Plain data: serialising cannot fail.
            text.push_str(&serde_json::to_string(r).expect("audit record serialises"));
            text.push('\n');
        }
        let path = self.audit_path(0);
        let size = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if size > 0 && size + text.len() as u64 > self.store.rotation.max_bytes {
            self.rotate_audit()?;
        }
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(&path)
            .map_err(io_err("open audit log", &path))?;
        f.write_all(text.as_bytes())
            .map_err(io_err("append to", &path))?;
        f.sync_all().map_err(io_err("fsync", &path))?;
        if size == 0 {
            sync_dir(&self.store.dir)?;
        }
        Ok(())
    }

    fn read_audit(&mut self) -> Result<AuditLog, StoreError> {
        let mut log = AuditLog::default();
        for n in (0..=self.store.rotation.keep).rev() {
            let path = self.audit_path(n);
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_err("read", &path)(e)),
            };
            for line in BufReader::new(file).split(b'\n') {
                let line = line.map_err(io_err("read", &path))?;
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
        let path = self.store.path(KEY_FILE);
        let Some(bytes) = read_optional(&path)? else {
            return Ok(None);
        };
        let bytes = zeroize::Zeroizing::new(bytes);
        let bad = |reason: String| StoreError::BadKeyFile {
            path: path.clone(),
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
        write_atomic(&self.store.dir, KEY_FILE, text.as_bytes(), false)
    }

    fn terminal_id(&mut self) -> Result<String, StoreError> {
        let path = self.store.path(ID_FILE);
        if let Some(bytes) = read_optional(&path)? {
            if let Some(id) = sys::clean_serial(&String::from_utf8_lossy(&bytes)) {
                return Ok(id);
            }
            return Err(StoreError::Corrupt {
                path,
                reason: "not a terminal id".into(),
            });
        }
        let mut b = [0u8; 8];
        getrandom::fill(&mut b)
            .map_err(|e| io_err("create", &path)(io::Error::other(e.to_string())))?;
        let id: String = b.iter().map(|x| format!("{x:02x}")).collect();
        write_atomic(
            &self.store.dir,
            ID_FILE,
            format!("{id}\n").as_bytes(),
            false,
        )?;
        Ok(id)
    }

    fn set_aside(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let path = self.store.path(STATE_FILE);
        if !path.exists() {
            // A "missing" till has a prev copy; set it aside too so the
            // till really starts fresh, but keep it.
            let prev = self.store.path(&format!("{STATE_FILE}{PREV_SUFFIX}"));
            if prev.exists() {
                let to = self.bad_name();
                fs::rename(&prev, &to).map_err(io_err("set aside", &prev))?;
                sync_dir(&self.store.dir)?;
                return Ok(Some(to));
            }
            return Ok(None);
        }
        let to = self.bad_name();
        fs::rename(&path, &to).map_err(io_err("set aside", &path))?;
        let prev = self.store.path(&format!("{STATE_FILE}{PREV_SUFFIX}"));
        if prev.exists() {
            let prev_to = PathBuf::from(format!("{}.prev", to.display()));
            fs::rename(&prev, &prev_to).map_err(io_err("set aside", &prev))?;
        }
        sync_dir(&self.store.dir)?;
        Ok(Some(to))
    }

    fn restore_previous(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let prev = self.store.path(&format!("{STATE_FILE}{PREV_SUFFIX}"));
        let bytes = read_optional(&prev)?.ok_or_else(|| StoreError::NoPrevious(prev.clone()))?;
        // Only a good previous copy may replace the current one.
        decode_state(&prev, &bytes)?;
        let cur = self.store.path(STATE_FILE);
        let aside = if cur.exists() {
            let to = self.bad_name();
            fs::rename(&cur, &to).map_err(io_err("set aside", &cur))?;
            Some(to)
        } else {
            None
        };
        write_atomic(&self.store.dir, STATE_FILE, &bytes, false)?;
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
