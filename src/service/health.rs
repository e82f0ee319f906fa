//! The state's health: is the till set up, is its state readable and kept
//! across restarts, what the status screens show.

use super::*;

impl Service {
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
        self.note_terminal(&state.terminal_name);
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
}
