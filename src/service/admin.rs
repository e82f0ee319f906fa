//! What an admin (or tillctl) does: operators, policy and settings.

use super::*;
use crate::core::till::{BundleRefusal, BundleReport};

impl Service {
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

    /// Enrols the badge read (`card`, the reader's data) for `id`.
    pub fn enrol_badge(
        &self,
        actor: &Actor,
        id: OperatorId,
        card: &Secret,
    ) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.enrol_badge(id, card))
    }

    /// Removes `id`'s badge.
    pub fn remove_badge(&self, actor: &Actor, id: OperatorId) -> Result<(), ServiceError> {
        self.transact(actor, |t| t.remove_badge(id))
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
}

impl Service {
    /// Applies a verified operator bundle through the core, audited like
    /// the admin menu; the state is written once, whole, or not at all.
    pub fn import_bundle(
        &self,
        actor: &Actor,
        bundle: &crate::bundle::Verified,
    ) -> Result<BundleReport, ServiceError> {
        let me = crate::core::bundle::BundleTarget {
            serial: self.serial().ok().map(|(s, _)| s),
            scope: self.bundle_scope.clone(),
        };
        let contents = bundle.for_till(me.serial.as_deref());
        self.transact(actor, |t| t.apply_bundle(&contents, &me))
    }

    /// Records a bundle that was refused before the core saw it (a bad
    /// signature, another key, an unreadable file): a tampered bundle is
    /// worth an audit line.
    pub fn bundle_unverified(
        &self,
        actor: &Actor,
        source: &str,
        why: &crate::bundle::BundleError,
        more: u64,
    ) -> Result<(), ServiceError> {
        self.record(vec![
            AuditEvent::new(
                EventKind::BundleImported,
                actor,
                Some(source.to_owned()),
                Outcome::Refused,
            )
            .detail(AuditDetail::BundleRefused {
                version: 0,
                refusal: BundleRefusal::Unverified {
                    reason: why.to_string(),
                },
                more,
            }),
        ])
    }
}
