//! Passwords and operators: setup, add, reset, unlock, enable, remove.

use super::*;

impl Till<'_> {
    // ---- passwords -----------------------------------------------------

    /// Checks a new password for `id` against everything but its history.
    pub fn check_new_password(
        &self,
        id: OperatorId,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        if new != confirm {
            return Err(TillError::Rejected(Rejection::ConfirmMismatch));
        }
        let op = self.operator(id)?;
        self.policy()
            .check(&Candidate {
                password: new,
                id,
                name: &op.name,
                role: op.role,
            })
            .map_err(TillError::Rejected)
    }

    /// Sets `id`'s own new password after the old one was verified (the
    /// caller ran a successful sign-in attempt in this same transaction).
    pub fn set_own_password(
        &mut self,
        id: OperatorId,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        self.check_new_password(id, new, confirm)?;
        let policy = self.policy();
        let op = self.operator(id)?;
        if hashing::verify(new, &op.password.hash) {
            return Err(TillError::Rejected(Rejection::SameAsOld));
        }
        let remembered = policy.history as usize;
        if op
            .password
            .history
            .iter()
            .take(remembered)
            .any(|h| hashing::verify(new, h))
        {
            return Err(TillError::Rejected(Rejection::RecentlyUsed {
                history: policy.history,
            }));
        }
        let hash = self.settings.hashing.hash(new)?;
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        replace_password(&mut op.password, hash, wall, None, remembered);
        self.audit(
            EventKind::PasswordChanged,
            Some(id.to_string()),
            Outcome::Ok,
        );
        Ok(())
    }

    /// A random temporary password that passes the policy for `id`.
    pub(super) fn temporary_password(
        &self,
        id: OperatorId,
        name: &str,
        role: Role,
    ) -> Result<Secret, TillError> {
        let policy = self.policy();
        let len = policy.length_for(role).min.max(match role {
            Role::Operator => 8,
            Role::Admin => 10,
        });
        for _ in 0..1000 {
            let mut bytes = zeroize::Zeroizing::new(vec![0u8; len as usize]);
            getrandom::fill(&mut bytes).map_err(|e| TillError::Random(e.to_string()))?;
            // Digits only, so it can be typed on the keypad; rejection
            // sampling keeps the digits uniform.
            if bytes.iter().any(|b| *b >= 250) {
                continue;
            }
            let pw = Secret::new(bytes.iter().map(|b| char::from(b'0' + b % 10)).collect());
            if policy
                .check(&Candidate {
                    password: &pw,
                    id,
                    name,
                    role,
                })
                .is_ok()
            {
                return Ok(pw);
            }
        }
        Err(TillError::Random(
            "could not make a temporary password that passes the policy".into(),
        ))
    }

    // ---- operators -----------------------------------------------------

    /// Creates the first admin on an empty till.
    pub fn init(
        &mut self,
        id: OperatorId,
        name: &str,
        password: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        if !self.state.operators.is_empty() {
            return Err(TillError::AlreadyInitialised);
        }
        let name = clean_name(name)?;
        self.insert(id, &name, Role::Admin, password, confirm, None)?;
        self.audit(EventKind::Init, Some(id.to_string()), Outcome::Ok);
        Ok(())
    }

    pub(super) fn insert(
        &mut self,
        id: OperatorId,
        name: &str,
        role: Role,
        password: &Secret,
        confirm: &Secret,
        must_change: Option<MustChange>,
    ) -> Result<(), TillError> {
        if new_differs(password, confirm) {
            return Err(TillError::Rejected(Rejection::ConfirmMismatch));
        }
        self.policy()
            .check(&Candidate {
                password,
                id,
                name,
                role,
            })
            .map_err(TillError::Rejected)?;
        let hash = self.settings.hashing.hash(password)?;
        let wall = self.now.wall;
        self.state.operators.insert(
            id,
            Operator {
                id,
                name: name.to_owned(),
                role,
                enabled: true,
                password: PasswordRecord {
                    hash,
                    set_at: wall,
                    must_change,
                    history: Vec::new(),
                },
                created_at: wall,
                badge: None,
                enabled_at: None,
                bundle_reset: None,
            },
        );
        // Failures typed against this number before it existed do not count.
        self.state.lockouts.remove(&id);
        // Added again at the till: no longer a removal a bundle must keep.
        self.state.removed.remove(&id);
        Ok(())
    }

    /// Adds an operator. Without `password` a temporary one is made; either
    /// way it must be changed at first sign-in. Returns the password to hand
    /// over.
    pub fn add_operator(
        &mut self,
        id: OperatorId,
        name: &str,
        role: Role,
        password: Option<Secret>,
    ) -> Result<Secret, TillError> {
        self.require_admin()?;
        if self.state.operators.contains_key(&id) {
            return Err(TillError::Exists(id));
        }
        let name = clean_name(name)?;
        let password = match password {
            Some(p) => p,
            None => self.temporary_password(id, &name, role)?,
        };
        self.insert(
            id,
            &name,
            role,
            &password,
            &password,
            Some(MustChange::First),
        )?;
        self.audit(EventKind::OperatorAdded, Some(id.to_string()), Outcome::Ok)
            .detail = Some(AuditDetail::Role { role });
        Ok(password)
    }

    /// Gives `id` a new temporary password, to be changed at next sign-in,
    /// and clears their lockout.
    pub fn reset_password(&mut self, id: OperatorId) -> Result<Secret, TillError> {
        self.require_admin()?;
        let op = self.operator(id)?;
        let temp = self.temporary_password(id, &op.name.clone(), op.role)?;
        let hash = self.settings.hashing.hash(&temp)?;
        let remembered = self.policy().history as usize;
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        replace_password(
            &mut op.password,
            hash,
            wall,
            Some(MustChange::Reset),
            remembered,
        );
        self.state.clear_lockouts(id);
        self.audit(EventKind::PasswordReset, Some(id.to_string()), Outcome::Ok);
        Ok(temp)
    }

    /// Clears `id`'s lockout.
    pub fn unlock(&mut self, id: OperatorId) -> Result<(), TillError> {
        self.require_admin()?;
        self.operator(id)?;
        self.state.clear_lockouts(id);
        self.audit(
            EventKind::OperatorUnlocked,
            Some(id.to_string()),
            Outcome::Ok,
        );
        Ok(())
    }

    /// Ends the terminal-wide pause.
    pub fn unlock_terminal(&mut self) -> Result<(), TillError> {
        self.require_admin()?;
        self.state.terminal_rate.clear();
        self.audit(EventKind::TerminalUnlocked, None, Outcome::Ok);
        Ok(())
    }

    pub(super) fn protect_last_admin(
        &mut self,
        id: OperatorId,
        kind: EventKind,
    ) -> Result<(), TillError> {
        // "Last admin" first: it is the more useful answer when the only
        // admin tries to remove themselves.
        let op = self.operator(id)?;
        if op.role == Role::Admin && op.enabled && self.state.enabled_admins() <= 1 {
            self.audit(kind, Some(id.to_string()), Outcome::Refused)
                .detail = Some(AuditDetail::LastAdmin);
            return Err(TillError::LastAdmin(id));
        }
        if self.actor == Actor::Operator(id) {
            self.audit(kind, Some(id.to_string()), Outcome::Refused)
                .detail = Some(AuditDetail::OwnAccount);
            return Err(TillError::SelfTarget);
        }
        Ok(())
    }

    /// Enables or disables `id`. The last enabled admin cannot be disabled.
    pub fn set_enabled(&mut self, id: OperatorId, enabled: bool) -> Result<(), TillError> {
        self.require_admin()?;
        let kind = if enabled {
            EventKind::OperatorEnabled
        } else {
            EventKind::OperatorDisabled
        };
        if !enabled {
            self.protect_last_admin(id, kind)?;
        }
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        op.enabled = enabled;
        op.enabled_at = Some(wall);
        self.audit(kind, Some(id.to_string()), Outcome::Ok);
        Ok(())
    }

    /// Removes `id`. The last enabled admin cannot be removed.
    pub fn remove(&mut self, id: OperatorId) -> Result<(), TillError> {
        self.require_admin()?;
        self.protect_last_admin(id, EventKind::OperatorRemoved)?;
        self.drop_operator(id);
        self.state.removed.insert(id, self.now.wall);
        Ok(())
    }

    /// Takes `id` and their lockout off the till, audited; the caller has
    /// made its checks (the admin menu's last-admin rule, a bundle's).
    pub(super) fn drop_operator(&mut self, id: OperatorId) {
        self.state.operators.remove(&id);
        self.state.lockouts.remove(&id);
        self.audit(
            EventKind::OperatorRemoved,
            Some(id.to_string()),
            Outcome::Ok,
        );
    }

    /// Operators with their status at this moment.
    pub fn list(&self) -> Vec<OperatorView> {
        let policy = self.policy();
        self.state
            .operators
            .values()
            .map(|o| {
                let counter = self.state.counter(o.id);
                let badge = self.state.badge_counter(o.id);
                let days = policy.days_left(self.now.wall.days_since(o.password.set_at));
                let status = if !o.enabled {
                    OperatorStatus::Disabled
                } else {
                    match lockout::stricter(counter.gate(self.power), badge.gate(self.power)) {
                        Gate::UntilAdmin => OperatorStatus::LockedUntilAdmin,
                        Gate::Wait { secs } => OperatorStatus::Locked { secs },
                        // A counter never pauses the till; the list shows each
                        // operator's own state.
                        Gate::Open | Gate::Paused { .. } => match o.password.must_change {
                            Some(reason) => OperatorStatus::MustChange { reason },
                            None if days.is_some_and(|d| d <= 0) => OperatorStatus::Expired,
                            None => OperatorStatus::Active,
                        },
                    }
                };
                OperatorView {
                    id: o.id,
                    name: o.name.clone(),
                    role: o.role,
                    enabled: o.enabled,
                    status,
                    password_set: o.password.set_at.rfc3339(),
                    expires_in_days: days,
                    failures: counter.failures.saturating_add(badge.failures),
                    badge: o.badge.is_some(),
                }
            })
            .collect()
    }
}
