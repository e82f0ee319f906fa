//! The one path from a front end to the state: lock, load, apply a core
//! operation, write, audit, unlock.
//!
//! The kiosk UI, `tillctl` and the session API all call [`Service`]; none
//! of them touches the store or decides anything about passwords or
//! lockouts itself. The service also enforces the two start-up rules of the
//! design: fail closed on unreadable state, and (when configured) refuse to
//! work on a state directory that a reboot would wipe.

use crate::config::Config;
use crate::core::audit::{Actor, AuditDetail, AuditEvent, SignOutReason};
use crate::core::clock::Clock;
use crate::core::lockout::Gate;
use crate::core::recovery::{Challenge, TillKey};
use crate::core::till::{Now, PendingAttempt, Settings, Till, TillError};
use crate::core::{
    AuthOutcome, EventKind, Lang, OperatorId, OperatorView, Outcome, PasswordPolicy, Role, Secret,
    TillState,
};
use crate::journal::{AuditSink, JOURNAL_SOCKET, Journal};
use crate::store::{AuditLog, Backend, StoreError, Txn};
use crate::sys::{self, Persistence, SerialSource};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod admin;
pub mod bundle_watch;
mod health;
mod recovery;
mod sign_in;

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The state could not be read or written: fail closed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The core refused.
    #[error(transparent)]
    Till(#[from] TillError),
    /// No operators yet.
    #[error(
        "the till is not set up: no operators exist (run `tillctl init` or use the first-boot screen)"
    )]
    NotSetUp,
}

/// What first-boot setup asks for.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    /// The first admin's number (conventionally 00).
    pub admin: OperatorId,
    /// Their display name.
    pub name: &'a str,
    /// The terminal's name, if given.
    pub terminal_name: Option<&'a str>,
    /// Their password.
    pub password: &'a Secret,
    /// The password typed again.
    pub confirm: &'a Secret,
}

/// Finds the terminal's serial (injected so tests can pin it).
pub type SerialProbe = Arc<dyn Fn() -> Option<(String, SerialSource)> + Send + Sync>;

/// The state's health, for status screens.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Health {
    /// No state yet: first-boot setup.
    Fresh,
    /// Loaded.
    Ok {
        /// Operators.
        operators: usize,
        /// Enabled admins.
        enabled_admins: usize,
    },
    /// Unreadable: sign-in is refused until a technician acts.
    Error {
        /// What is wrong.
        error: String,
        /// What to do.
        remedy: String,
    },
}

/// Everything `tillctl status` and the terminal-info screen show.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// The state directory.
    pub state_dir: PathBuf,
    /// Its file system, or why it could not be checked.
    pub filesystem: Result<Persistence, String>,
    /// Whether the config demands a persistent state directory.
    pub require_persistent_state: bool,
    /// The state.
    pub health: Health,
    /// Locked operators with their status.
    pub locked: Vec<OperatorView>,
    /// Seconds left on the terminal-wide pause, if any.
    pub terminal_locked_secs: Option<u64>,
    /// The terminal serial and where it came from.
    pub serial: Option<(String, SerialSource)>,
    /// The serial the recovery key was provisioned for, if any.
    pub recovery_key_serial: Option<String>,
    /// Entries in the built-in password blocklist.
    pub blocklist_entries: usize,
}

impl Status {
    /// Whether a recovery key is provisioned for this serial (what
    /// [`Service::recovery_ready`] answers, from what the status read).
    pub fn recovery_ready(&self) -> bool {
        matches!((&self.recovery_key_serial, &self.serial),
            (Some(k), Some((s, _))) if k == s)
    }
}

/// The state as last read, for [`Service::gate_cached`].
#[derive(Debug, Default)]
pub struct GateCache(Option<HeldState>);

impl GateCache {
    /// Read again at least this often, whatever the stamp says (a file
    /// system with coarse times could let two writes look alike).
    const MAX_AGE_MS: u64 = 5_000;
}

#[derive(Debug)]
struct HeldState {
    stamp: crate::store::Stamp,
    at_ms: u64,
    state: TillState,
}

/// The front ends' gateway to the core and the store.
#[derive(Clone)]
pub struct Service {
    backend: Arc<dyn Backend>,
    settings: Settings,
    clock: Arc<dyn Clock>,
    serial_probe: SerialProbe,
    require_persistent: bool,
    default_terminal_name: String,
    /// `bundle.scope`: the group of tills whose bundles this one takes.
    bundle_scope: Option<String>,
    default_language: Lang,
    checkpoint_interval: Duration,
    sinks: Vec<Arc<dyn AuditSink>>,
    /// The terminal's name as last read, for the sinks' copies of events
    /// written without loading the state (sign-out, faults); `None` until
    /// this process has read it.
    terminal: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// A service over `backend` with the rules in `config`.
    pub fn new(backend: Arc<dyn Backend>, config: &Config, clock: Arc<dyn Clock>) -> Service {
        let default_terminal_name = config
            .terminal_name
            .clone()
            .unwrap_or_else(|| "Till".into());
        let mut sinks: Vec<Arc<dyn AuditSink>> = Vec::new();
        if config.audit.journal {
            match Journal::new(JOURNAL_SOCKET, &program_name()) {
                Ok(j) => sinks.push(Arc::new(j)),
                Err(e) => tracing::warn!("no journal copy of the audit log: {e}"),
            }
        }
        Service {
            backend,
            settings: config.settings(),
            clock,
            serial_probe: Arc::new(sys::hardware_serial),
            require_persistent: config.require_persistent_state,
            default_terminal_name: default_terminal_name.clone(),
            bundle_scope: config.bundle.scope.clone(),
            terminal: Arc::new(Mutex::new(None)),
            sinks,
            default_language: config.default_language,
            checkpoint_interval: config.lockout.checkpoint_interval.0,
        }
    }

    /// Replaces the serial probe (tests pin a serial).
    pub fn with_serial_probe(mut self, probe: SerialProbe) -> Service {
        self.serial_probe = probe;
        self
    }

    /// Also sends every audit record to `sink` (the journal, the metrics)
    /// once it is written.
    pub fn with_audit_sink(mut self, sink: Arc<dyn AuditSink>) -> Service {
        self.sinks.push(sink);
        self
    }

    /// The core's settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// How often to call [`checkpoint`](Service::checkpoint).
    pub fn checkpoint_interval(&self) -> Duration {
        self.checkpoint_interval
    }

    /// Where the state lives.
    pub fn location(&self) -> PathBuf {
        self.backend.location()
    }

    fn now(&self) -> Now {
        Now {
            wall: self.clock.wall(),
            boot: self.clock.boot(),
        }
    }

    /// Checks the state directory's file system. Errors if it would be lost
    /// at reboot and the config requires persistence.
    pub fn check_persistence(&self) -> Result<Persistence, StoreError> {
        let p = self.backend.persistence()?;
        if !p.persistent && self.require_persistent {
            return Err(StoreError::NotPersistent {
                dir: self.backend.location(),
                fs_type: p.fs_type,
            });
        }
        Ok(p)
    }

    fn lock(&self) -> Result<Box<dyn Txn + '_>, StoreError> {
        self.check_persistence()?;
        self.backend.lock()
    }

    fn write_audit(&self, txn: &mut dyn Txn, events: Vec<AuditEvent>, now: &Now) {
        let records: Vec<_> = events
            .into_iter()
            .map(|e| e.stamp(now.wall, &now.boot))
            .collect();
        if let Err(e) = txn.append_audit(&records) {
            // The operation itself is already durable; losing its audit line
            // must not undo it or hide its result.
            tracing::error!("audit log not written: {e}");
        }
        if !self.sinks.is_empty() {
            let terminal = self
                .terminal
                .lock()
                .ok()
                .and_then(|t| t.clone())
                .unwrap_or_else(|| self.default_terminal_name.clone());
            for sink in &self.sinks {
                sink.audited(&records, &terminal);
            }
        }
    }

    /// The one shape of every operation on a set-up till: take the lock,
    /// load the state, run `f` over a [`Till`] with the open transaction
    /// (and the state as it was loaded),
    /// then write the audit events the core left, whether `f` succeeded or
    /// the core refused. A store failure writes none: the events would
    /// describe a change that is not on disk. `f` saves the state when the
    /// operation's durability rules say (a failure before its check, see
    /// [`attempt`](Service::attempt)); an operation whose audit line must
    /// be on disk before it goes on calls
    /// [`flush_audit`](Service::flush_audit) itself.
    fn with_till<R>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut dyn Txn, &mut Till<'_>, &TillState) -> Result<R, ServiceError>,
    ) -> Result<R, ServiceError> {
        let mut txn = self.lock()?;
        let mut state = txn.load()?.ok_or(ServiceError::NotSetUp)?;
        // As loaded: opening a Till already moves the powered-on clock
        // (and may take a new boot id), which is itself worth a write.
        let loaded = state.clone();
        let now = self.now();
        let mut till = Till::new(&mut state, &self.settings, now, actor.clone());
        let result = f(&mut *txn, &mut till, &loaded);
        self.note_terminal(&till.state().terminal_name);
        if !matches!(result, Err(ServiceError::Store(_))) {
            self.flush_audit(&mut *txn, &mut till);
        }
        result
    }

    /// Remembers the terminal's name for the sinks' copies.
    fn note_terminal(&self, name: &str) {
        if let Ok(mut t) = self.terminal.lock()
            && t.as_deref() != Some(name)
        {
            *t = Some(name.to_owned());
        }
    }

    /// Writes the audit events the core has left so far.
    fn flush_audit(&self, txn: &mut dyn Txn, till: &mut Till<'_>) {
        let events = std::mem::take(&mut till.events);
        let now = till.now().clone();
        self.write_audit(txn, events, &now);
    }

    /// Runs one core operation (see [`with_till`](Service::with_till)) and
    /// writes the state only if the operation changed it (a fresh
    /// powered-on checkpoint alone is not worth an SD-card write, except
    /// the first of a boot).
    fn transact<R>(
        &self,
        actor: &Actor,
        f: impl FnOnce(&mut Till<'_>) -> Result<R, TillError>,
    ) -> Result<R, ServiceError> {
        self.with_till(actor, |txn, till, loaded| {
            let result = f(till);
            let state = till.state_mut();
            state.prune();
            // A new boot id (a reboot, or a process that cannot read it) is
            // written at once: from then on this boot's time counts.
            let new_boot = state.power.boot_id != loaded.power.boot_id;
            let mut before = loaded.clone();
            before.power = state.power.clone();
            if *state != before || new_boot {
                txn.save(state)?;
            }
            Ok(result?)
        })
    }

    /// Appends events that change no state (sign-out, faults).
    pub fn record(&self, events: Vec<AuditEvent>) -> Result<(), ServiceError> {
        let mut txn = self.lock()?;
        let now = self.now();
        // Read the name once per process, not on every sign-out: every
        // operation that loads the state keeps it current after that.
        let unknown = self.terminal.lock().is_ok_and(|t| t.is_none());
        if !self.sinks.is_empty()
            && unknown
            && let Ok(Some(state)) = txn.load()
        {
            self.note_terminal(&state.terminal_name);
        }
        self.write_audit(&mut *txn, events, &now);
        Ok(())
    }

    /// Records that `id` signed out, and why.
    pub fn sign_out(
        &self,
        actor: &Actor,
        id: OperatorId,
        reason: SignOutReason,
    ) -> Result<(), ServiceError> {
        self.record(vec![
            AuditEvent::new(EventKind::SignOut, actor, Some(id.to_string()), Outcome::Ok)
                .detail(AuditDetail::SignOut { reason }),
        ])
    }
}

/// This program's name (`till-kiosk`, `tillctl`), for the journal's
/// `SYSLOG_IDENTIFIER`.
fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "till-kiosk".into())
}
