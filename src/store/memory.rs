//! An in-memory store for tests and screenshots, with fault injection.

use super::{AuditLog, Backend, StoreError, Txn};
use crate::core::audit::AuditRecord;
use crate::core::recovery::TillKey;
use crate::core::state::TillState;
use crate::sys::Persistence;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};

/// Called at every save attempt (tests watch the order of events).
#[derive(Clone)]
struct SaveHook(std::sync::Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for SaveHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SaveHook")
    }
}

/// State held in memory; it "persists" for the life of the value.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    state: Option<TillState>,
    previous: Option<TillState>,
    audit: Vec<AuditRecord>,
    key: Option<(String, TillKey)>,
    terminal_id: Option<String>,
    corrupt: bool,
    fail_saves: bool,
    saves: u64,
    on_save: Option<SaveHook>,
    volatile: bool,
}

impl MemoryStore {
    /// An empty (fresh) store.
    pub fn new() -> Self {
        Self::default()
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A store holding `state` (and a recovery key, if given).
    pub fn with_state(state: TillState, key: Option<(String, TillKey)>) -> Self {
        let s = Self::default();
        {
            let mut i = s.inner();
            i.state = Some(state);
            i.key = key;
        }
        s
    }

    /// Replaces the audit log (copying a sample till).
    pub fn set_audit(&self, records: Vec<AuditRecord>) {
        self.inner().audit = records;
    }

    /// The audit log, for copying a sample till.
    pub fn audit(&self) -> Vec<AuditRecord> {
        self.inner().audit.clone()
    }

    /// The recovery key, for copying a sample till.
    pub fn key(&self) -> Option<(String, TillKey)> {
        self.inner().key.clone()
    }

    /// Pretends the store is on tmpfs (for the "not persistent" warnings).
    pub fn set_volatile(&self, volatile: bool) {
        self.inner().volatile = volatile;
    }

    /// Makes every later save fail, as a full or read-only disk would.
    pub fn fail_saves(&self, fail: bool) {
        self.inner().fail_saves = fail;
    }

    /// Makes loads fail as if the state file were damaged.
    pub fn corrupt(&self, corrupt: bool) {
        self.inner().corrupt = corrupt;
    }

    /// Calls `f` at every save attempt, before it succeeds or fails.
    pub fn on_save(&self, f: impl Fn() + Send + Sync + 'static) {
        self.inner().on_save = Some(SaveHook(std::sync::Arc::new(f)));
    }

    /// Successful saves so far.
    pub fn saves(&self) -> u64 {
        self.inner().saves
    }

    /// A copy of the stored state.
    pub fn snapshot(&self) -> Option<TillState> {
        self.inner().state.clone()
    }
}

impl Backend for MemoryStore {
    fn lock(&self) -> Result<Box<dyn Txn + '_>, StoreError> {
        Ok(Box::new(MemTxn(self.inner())))
    }
    fn location(&self) -> PathBuf {
        PathBuf::from("(memory)")
    }
    fn persistence(&self) -> Result<Persistence, StoreError> {
        let volatile = self.inner().volatile;
        Ok(Persistence {
            fs_type: if volatile {
                "tmpfs".into()
            } else {
                "memory".into()
            },
            persistent: !volatile,
        })
    }
}

struct MemTxn<'a>(MutexGuard<'a, Inner>);

impl Txn for MemTxn<'_> {
    fn load(&mut self) -> Result<Option<TillState>, StoreError> {
        if self.0.corrupt {
            return Err(StoreError::Corrupt {
                path: "(memory)".into(),
                reason: "simulated corruption".into(),
            });
        }
        Ok(self.0.state.clone())
    }
    fn save(&mut self, state: &TillState) -> Result<(), StoreError> {
        if let Some(f) = &self.0.on_save {
            (f.0)();
        }
        if self.0.fail_saves {
            return Err(StoreError::Injected);
        }
        self.0.previous = self.0.state.replace(state.clone());
        self.0.saves += 1;
        Ok(())
    }
    fn append_audit(&mut self, records: &[AuditRecord]) -> Result<(), StoreError> {
        self.0.audit.extend_from_slice(records);
        Ok(())
    }
    fn read_audit(&mut self) -> Result<AuditLog, StoreError> {
        Ok(AuditLog {
            records: self.0.audit.clone(),
            skipped_lines: 0,
        })
    }
    fn recovery_key(&mut self) -> Result<Option<(String, TillKey)>, StoreError> {
        Ok(self.0.key.clone())
    }
    fn set_recovery_key(&mut self, serial: &str, key: &TillKey) -> Result<(), StoreError> {
        self.0.key = Some((serial.to_owned(), key.clone()));
        Ok(())
    }
    fn terminal_id(&mut self) -> Result<String, StoreError> {
        Ok(self
            .0
            .terminal_id
            .get_or_insert_with(|| "0123456789abcdef".into())
            .clone())
    }
    fn set_aside(&mut self) -> Result<Option<PathBuf>, StoreError> {
        self.0.corrupt = false;
        Ok(self.0.state.take().map(|_| PathBuf::from("(memory).bad")))
    }
    fn restore_previous(&mut self) -> Result<Option<PathBuf>, StoreError> {
        let prev = self
            .0
            .previous
            .clone()
            .ok_or_else(|| StoreError::NoPrevious("(memory).prev".into()))?;
        self.0.corrupt = false;
        self.0.state = Some(prev);
        Ok(Some(PathBuf::from("(memory).bad")))
    }
}
