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
use crate::store::{AuditLog, Backend, StoreError, Txn};
use crate::sys::{self, Persistence, SerialSource};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

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
    default_language: Lang,
    checkpoint_interval: Duration,
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
        Service {
            backend,
            settings: config.settings(),
            clock,
            serial_probe: Arc::new(sys::hardware_serial),
            require_persistent: config.require_persistent_state,
            default_terminal_name: config
                .terminal_name
                .clone()
                .unwrap_or_else(|| "Till".into()),
            default_language: config.default_language,
            checkpoint_interval: config.lockout.checkpoint_interval.0,
        }
    }

    /// Replaces the serial probe (tests pin a serial).
    pub fn with_serial_probe(mut self, probe: SerialProbe) -> Service {
        self.serial_probe = probe;
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
        if !matches!(result, Err(ServiceError::Store(_))) {
            self.flush_audit(&mut *txn, &mut till);
        }
        result
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

    // ---- state health ------------------------------------------------

    /// Whether the till needs first-boot setup. Errors (corrupt state) are
    /// never "fresh".
    pub fn is_fresh(&self) -> Result<bool, ServiceError> {
        let mut txn = self.lock()?;
        Ok(match txn.load()? {
            None => true,
            Some(s) => s.operators.is_empty(),
        })
    }

    /// The state, for read-only displays (terminal name, language).
    pub fn snapshot(&self) -> Result<Option<TillState>, ServiceError> {
        Ok(self.lock()?.load()?)
    }

    /// Everything a status screen shows. Never fails: problems are shown.
    pub fn status(&self) -> Status {
        let filesystem = self.backend.persistence().map_err(|e| e.to_string());
        let serial = self.serial().ok();
        let mut st = Status {
            state_dir: self.backend.location(),
            filesystem,
            require_persistent_state: self.require_persistent,
            health: Health::Fresh,
            locked: Vec::new(),
            terminal_locked_secs: None,
            serial,
            recovery_key_serial: None,
            blocklist_entries: crate::core::blocklist::len(),
        };
        // A state directory the kiosk refuses (volatile, with persistence
        // required) is the status's error too: a technician's `tillctl
        // status` must not say "ok" beside a kiosk on its fault screen.
        if let Err(e) = self.check_persistence() {
            st.health = Health::Error {
                remedy: e.remedy().into(),
                error: e.to_string(),
            };
            return st;
        }
        let mut txn = match self.backend.lock() {
            Ok(t) => t,
            Err(e) => {
                st.health = Health::Error {
                    remedy: e.remedy().into(),
                    error: e.to_string(),
                };
                return st;
            }
        };
        st.recovery_key_serial = txn.recovery_key().ok().flatten().map(|(s, _)| s);
        match txn.load() {
            Ok(None) => {}
            Ok(Some(mut state)) => {
                st.health = Health::Ok {
                    operators: state.operators.len(),
                    enabled_admins: state.enabled_admins(),
                };
                let till = Till::new(&mut state, &self.settings, self.now(), Actor::System);
                st.locked = till
                    .list()
                    .into_iter()
                    .filter(|o| {
                        matches!(
                            o.status,
                            crate::core::OperatorStatus::Locked { .. }
                                | crate::core::OperatorStatus::LockedUntilAdmin
                        )
                    })
                    .collect();
                if let Gate::Paused { secs } = till.till_gate() {
                    st.terminal_locked_secs = Some(secs);
                }
            }
            Err(e) => {
                st.health = Health::Error {
                    remedy: e.remedy().into(),
                    error: e.to_string(),
                }
            }
        }
        st
    }

    /// Creates the first admin. With `force`, a till that has state (even
    /// unreadable state) is set aside and started afresh; the old file is
    /// kept. Returns where the old state went.
    pub fn init(
        &self,
        actor: &Actor,
        setup: &Setup<'_>,
        force: bool,
    ) -> Result<Option<PathBuf>, ServiceError> {
        let Setup {
            admin: id,
            name,
            terminal_name,
            password,
            confirm,
        } = *setup;
        let mut txn = self.lock()?;
        let mut aside = None;
        let existing = match txn.load() {
            Ok(s) => s,
            Err(e) if force => {
                tracing::warn!("re-initialising over unreadable state: {e}");
                None
            }
            Err(e) => return Err(e.into()),
        };
        if existing.as_ref().is_some_and(|s| !s.operators.is_empty()) && !force {
            return Err(TillError::AlreadyInitialised.into());
        }
        let now = self.now();
        let mut state = TillState::new(
            terminal_name.unwrap_or(&self.default_terminal_name),
            now.wall,
            &now.boot,
        );
        state.language = existing
            .as_ref()
            .map_or(self.default_language, |s| s.language);
        if let Some(old) = &existing {
            // Keep the powered-on clock and lockouts: re-initialising must
            // not be a way around a running wait.
            state.power = old.power.clone();
            state.terminal_rate = old.terminal_rate.clone();
        }
        let mut till = Till::new(&mut state, &self.settings, now.clone(), actor.clone());
        if let Some(t) = terminal_name {
            till.set_terminal_name(t)?;
        }
        let result = till.init(id, name, password, confirm);
        let mut events = std::mem::take(&mut till.events);
        result?;
        if force {
            aside = txn.set_aside()?;
            if let Some(p) = &aside {
                events.insert(
                    0,
                    AuditEvent::new(
                        EventKind::StateError,
                        actor,
                        Some(p.display().to_string()),
                        Outcome::Ok,
                    )
                    .detail(AuditDetail::Reinitialised),
                );
            }
        }
        txn.save(&state)?;
        self.write_audit(&mut *txn, events, &now);
        Ok(aside)
    }

    /// Replaces damaged state with the previous good copy (kept on every
    /// write). Returns where the damaged file went.
    pub fn restore_previous(&self, actor: &Actor) -> Result<Option<PathBuf>, ServiceError> {
        let mut txn = self.lock()?;
        let aside = txn.restore_previous()?;
        let now = self.now();
        let e = AuditEvent::new(
            EventKind::StateError,
            actor,
            aside.as_ref().map(|p| p.display().to_string()),
            Outcome::Ok,
        )
        .detail(AuditDetail::RestoredPrevious);
        self.write_audit(&mut *txn, vec![e], &now);
        Ok(aside)
    }

    // ---- sign-in -----------------------------------------------------

    /// Whether `id` may try now (the sign-in screen's countdown).
    pub fn gate(&self, id: OperatorId) -> Result<Gate, ServiceError> {
        self.transact(&Actor::System, |t| Ok(t.gate(id)))
    }

    /// [`gate`](Service::gate) for the sign-in screen, asked at every key:
    /// from the copy in `cache` while the state file is unchanged (by its
    /// [`Stamp`](crate::store::Stamp)) and the copy is under 5 s old,
    /// else from the store, refreshing the copy. The wait is worked out
    /// from the current clock either way. A display hint only: an attempt
    /// always goes through the store.
    pub fn gate_cached(&self, cache: &mut GateCache, id: OperatorId) -> Result<Gate, ServiceError> {
        let now = self.now();
        let ms = now.boot.since_boot_ms;
        if let Some(held) = &mut cache.0
            && ms.saturating_sub(held.at_ms) < GateCache::MAX_AGE_MS
            && self.backend.stamp().is_some_and(|s| s == held.stamp)
        {
            let till = Till::new(&mut held.state, &self.settings, now, Actor::System);
            return Ok(till.gate(id));
        }
        cache.0 = None;
        // The stamp is taken under the lock, so no other writer slips in
        // between it and the copy.
        let (gate, state, stamp) = self.transact(&Actor::System, |t| {
            Ok((t.gate(id), t.state().clone(), self.backend.stamp()))
        })?;
        if let Some(stamp) = stamp {
            cache.0 = Some(HeldState {
                stamp,
                at_ms: ms,
                state,
            });
        }
        Ok(gate)
    }

    /// One sign-in attempt, through the lockout. The failure is on disk
    /// before the password is even checked.
    pub fn authenticate(
        &self,
        actor: &Actor,
        id: OperatorId,
        password: &Secret,
    ) -> Result<AuthOutcome, ServiceError> {
        self.with_till(actor, |txn, till, _| {
            self.attempt(txn, till, id, password, true)
        })
    }

    /// The two-phase attempt inside an open transaction: record the
    /// failure durably, check, then undo it on success. With
    /// `save_success` false the caller writes the state itself next.
    fn attempt(
        &self,
        txn: &mut dyn Txn,
        till: &mut Till<'_>,
        id: OperatorId,
        password: &Secret,
        save_success: bool,
    ) -> Result<AuthOutcome, ServiceError> {
        let pending: PendingAttempt = match till.begin_sign_in(id) {
            Ok(p) => p,
            Err(refused) => return Ok(refused),
        };
        txn.save(till.state())?;
        let outcome = till.finish_sign_in(pending, password);
        if save_success && outcome.signed_in() {
            txn.save(till.state())?;
        }
        Ok(outcome)
    }

    /// Changes `id`'s own password: the old one goes through the same
    /// lockout as a sign-in.
    pub fn change_password(
        &self,
        actor: &Actor,
        id: OperatorId,
        old: &Secret,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), ServiceError> {
        self.with_till(actor, |txn, till, _| {
            // Rules that need no secret first, so a typo in the new password
            // does not cost a try. Unknown numbers skip this (it would say
            // "does not exist") and fail as a wrong password below.
            if till.state().operators.contains_key(&id) {
                till.check_new_password(id, new, confirm)?;
            }
            match self.attempt(txn, till, id, old, false)? {
                o if o.signed_in() => {}
                o => return Err(TillError::Auth(o).into()),
            }
            let r = till.set_own_password(id, new, confirm);
            txn.save(till.state())?;
            Ok(r?)
        })
    }

    // ---- operators ---------------------------------------------------

    /// Adds an operator; returns the password to hand over (temporary
    /// unless one was given). It must be changed at first sign-in.
    pub fn add_operator(
        &self,
        actor: &Actor,
        id: OperatorId,
        name: &str,
        role: Role,
        password: Option<Secret>,
    ) -> Result<Secret, ServiceError> {
        self.transact(actor, |t| t.add_operator(id, name, role, password))
    }

    /// New temporary password for `id`.
    pub fn reset_password(&self, actor: &Actor, id: OperatorId) -> Result<Secret, ServiceError> {
        self.transact(actor, |t| t.reset_password(id))
    }

    /// Clears `id`'s lockout.
    pub fn unlock(&self, actor: &Actor, id: OperatorId) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.unlock(id))
    }

    /// Clears the terminal-wide lockout.
    pub fn unlock_terminal(&self, actor: &Actor) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.unlock_terminal())
    }

    /// Enables or disables `id`.
    pub fn set_enabled(
        &self,
        actor: &Actor,
        id: OperatorId,
        enabled: bool,
    ) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.set_enabled(id, enabled))
    }

    /// Removes `id`.
    pub fn remove(&self, actor: &Actor, id: OperatorId) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.remove(id))
    }

    /// All operators with their status now.
    pub fn operators(&self) -> Result<Vec<OperatorView>, ServiceError> {
        self.transact(&Actor::System, |t| Ok(t.list()))
    }

    /// One operator.
    pub fn operator(&self, id: OperatorId) -> Result<OperatorView, ServiceError> {
        self.operators()?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| TillError::NotFound(id).into())
    }

    // ---- settings ----------------------------------------------------

    /// The policy in force.
    pub fn policy(&self) -> Result<PasswordPolicy, ServiceError> {
        self.transact(&Actor::System, |t| Ok(t.policy()))
    }

    /// Sets the policy (never below the config); returns what is in force.
    pub fn set_policy(
        &self,
        actor: &Actor,
        policy: &PasswordPolicy,
    ) -> Result<PasswordPolicy, ServiceError> {
        self.transact(actor, |t| t.set_policy(policy))
    }

    /// Stores the UI language.
    pub fn set_language(&self, actor: &Actor, lang: Lang) -> Result<(), ServiceError> {
        self.transact(actor, |t| {
            t.set_language(lang);
            Ok(())
        })
    }

    /// Renames the terminal (admins only, once set up).
    pub fn set_terminal_name(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.set_terminal_name(name))
    }

    /// Writes a powered-on checkpoint if a wait is running. Call every
    /// [`checkpoint_interval`](Service::checkpoint_interval). Returns
    /// whether it wrote.
    pub fn checkpoint(&self) -> Result<bool, ServiceError> {
        let mut txn = self.lock()?;
        let Some(mut state) = txn.load()? else {
            return Ok(false);
        };
        let boot = self.clock.boot();
        if !state.has_running_wait(&boot) {
            return Ok(false);
        }
        state.power.advance_to(&boot);
        txn.save(&state)?;
        Ok(true)
    }

    /// The audit log, oldest first.
    pub fn audit_log(&self) -> Result<AuditLog, ServiceError> {
        Ok(self.lock()?.read_audit()?)
    }

    // ---- recovery ----------------------------------------------------

    /// The terminal serial: from the hardware, else a random id kept in
    /// the state directory.
    pub fn serial(&self) -> Result<(String, SerialSource), ServiceError> {
        if let Some(s) = (self.serial_probe)() {
            return Ok(s);
        }
        let id = self.backend.lock()?.terminal_id()?;
        Ok((id, SerialSource::StateDir))
    }

    /// Stores this till's recovery key, derived from the master key.
    pub fn provision(&self, actor: &Actor, master: &[u8]) -> Result<String, ServiceError> {
        let (serial, _) = self.serial()?;
        let key = TillKey::derive(master, &serial).map_err(TillError::from)?;
        let mut txn = self.lock()?;
        txn.set_recovery_key(&serial, &key)?;
        let now = self.now();
        let e = AuditEvent::new(
            EventKind::RecoveryProvisioned,
            actor,
            Some(serial.clone()),
            Outcome::Ok,
        );
        self.write_audit(&mut *txn, vec![e], &now);
        Ok(serial)
    }

    fn till_key(&self, txn: &mut dyn Txn) -> Result<TillKey, ServiceError> {
        let (serial, _) = self.serial()?;
        match txn.recovery_key()? {
            None => Err(TillError::NotProvisioned.into()),
            Some((key_serial, _)) if key_serial != serial => Err(TillError::SerialChanged {
                now: serial,
                key: key_serial,
            }
            .into()),
            Some((_, key)) => Ok(key),
        }
    }

    /// Whether a recovery key is provisioned for this serial.
    pub fn recovery_ready(&self) -> Result<bool, ServiceError> {
        let mut txn = self.lock()?;
        Ok(self.till_key(&mut *txn).is_ok())
    }

    /// Shows a new recovery challenge (replacing any pending one).
    pub fn recovery_challenge(&self, actor: &Actor) -> Result<Challenge, ServiceError> {
        {
            let mut txn = self.lock()?;
            self.till_key(&mut *txn)?;
        }
        let (serial, _) = self.serial()?;
        self.transact(actor, |t| t.issue_challenge(&serial))
    }

    /// The pending challenge, if still valid.
    pub fn pending_challenge(&self) -> Result<Option<Challenge>, ServiceError> {
        self.transact(&Actor::System, |t| Ok(t.pending_challenge().cloned()))
    }

    /// Redeems a response code: sets admin `id`'s password to `new`. The
    /// attempt is counted and audited, durably, before anything else is
    /// looked at (see [`Till::begin_recovery`]).
    pub fn recovery_redeem(
        &self,
        actor: &Actor,
        id: OperatorId,
        code: &Secret,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), ServiceError> {
        self.with_till(actor, |txn, till, _| {
            let begun = till.begin_recovery(id);
            txn.save(till.state())?;
            // Counted and audited before the code is looked at.
            self.flush_audit(txn, till);
            let pending = begun?;
            let key = self.till_key(txn)?;
            let r = till.finish_recovery(pending, &key, code, new, confirm);
            txn.save(till.state())?;
            Ok(r?)
        })
    }
}
