//! Recovery: the challenge, and redeeming the service desk's code in two
//! phases (counted and audited before the code is checked).

use super::*;

impl Till<'_> {
    // ---- recovery ------------------------------------------------------

    /// Shows a new challenge, replacing any pending one.
    pub fn issue_challenge(&mut self, serial: &str) -> Result<Challenge, TillError> {
        let challenge = Challenge::fresh(serial).map_err(|e| TillError::Random(e.to_string()))?;
        self.state.pending_recovery = Some(PendingChallenge {
            challenge: challenge.clone(),
            issued_power: self.power,
            issued_wall: self.now.wall,
            bad_codes: 0,
        });
        self.audit(EventKind::RecoveryIssued, None, Outcome::Ok)
            .detail = Some(AuditDetail::Challenge {
            challenge: challenge.to_string(),
        });
        Ok(challenge)
    }

    /// The pending challenge, if it is still valid.
    pub fn pending_challenge(&self) -> Option<&Challenge> {
        self.state
            .pending_recovery
            .as_ref()
            .filter(|p| !p.expired(self.power, self.now.wall, ttl_ms(self.settings)))
            .map(|p| &p.challenge)
    }

    /// Phase one of redeeming a code for admin `id`. Before anything else is
    /// looked at (the number, its role, the new password, even whether a
    /// challenge is showing), the attempt is counted against the recovery
    /// throttle and audited: the caller makes both durable before
    /// [`finish_recovery`](Till::finish_recovery). So every attempt costs
    /// the same, and the answer to a wrong code cannot depend on the number
    /// typed (no enumeration of numbers, roles or names).
    pub fn begin_recovery(&mut self, id: OperatorId) -> Result<PendingRecovery, TillError> {
        if let Gate::Wait { secs } = self.state.recovery_lockout.gate(self.power) {
            self.audit(
                EventKind::RecoveryFailed,
                Some(id.to_string()),
                Outcome::Locked,
            );
            return Err(TillError::RecoveryLocked(secs));
        }
        let (power, wall, ttl) = (self.power, self.now.wall, ttl_ms(self.settings));
        self.state
            .recovery_lockout
            .fail(&self.settings.recovery_lockout, power);
        self.audit(
            EventKind::RecoveryAttempt,
            Some(id.to_string()),
            Outcome::Failed,
        )
        .detail = Some(AuditDetail::CountedFirst);
        let refused = match self.state.pending_recovery.as_mut() {
            None => Some((TillError::NoChallenge, AuditDetail::NoChallenge)),
            Some(p) if p.expired(power, wall, ttl) => {
                self.state.pending_recovery = None;
                Some((TillError::ChallengeExpired, AuditDetail::ChallengeExpired))
            }
            Some(p) => {
                p.bad_codes = p.bad_codes.saturating_add(1);
                return Ok(PendingRecovery {
                    id,
                    challenge: p.challenge.clone(),
                    bad_codes: p.bad_codes,
                });
            }
        };
        let (err, why) = refused.expect("every other arm returned");
        self.audit(
            EventKind::RecoveryFailed,
            Some(id.to_string()),
            Outcome::Refused,
        )
        .detail = Some(why);
        Err(err)
    }

    /// Phase two: checks the code against the till key first. A wrong code
    /// is the same answer for every number. A right code proves the service
    /// desk vouched for the person typing, so what follows may be specific:
    /// the number must be an enabled admin (recovery never re-enables a
    /// disabled one) and the new password must pass the policy; if either
    /// fails, the code is not spent. On success the admin gets the new
    /// password and is unlocked, and the challenge is spent.
    pub fn finish_recovery(
        &mut self,
        pending: PendingRecovery,
        key: &TillKey,
        code: &Secret,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        let id = pending.id;
        if !key.check(&pending.challenge, code) {
            let left = self
                .settings
                .recovery_max_bad_codes
                .saturating_sub(pending.bad_codes);
            if left == 0 {
                self.state.pending_recovery = None;
            }
            self.audit(
                EventKind::RecoveryFailed,
                Some(id.to_string()),
                Outcome::Failed,
            )
            .detail = Some(AuditDetail::WrongCode {
                challenge: pending.challenge.to_string(),
            });
            return Err(TillError::WrongCode((left > 0).then_some(left)));
        }
        // A right code is not a failure: undo what phase one counted.
        self.state.recovery_lockout.reset();
        if let Some(p) = self.state.pending_recovery.as_mut() {
            p.bad_codes = p.bad_codes.saturating_sub(1);
        }
        let refused = match self.state.operators.get(&id) {
            None => Some((TillError::NotFound(id), RecoveryRefusal::NoSuchNumber)),
            Some(op) if op.role != Role::Admin => {
                Some((TillError::NotAdmin(id), RecoveryRefusal::NotAdmin))
            }
            Some(op) if !op.enabled => Some((
                TillError::RecoveryDisabledAdmin(id),
                RecoveryRefusal::DisabledAdmin,
            )),
            Some(_) => self
                .check_new_password(id, new, confirm)
                .err()
                .map(|e| (e, RecoveryRefusal::Password)),
        };
        if let Some((e, reason)) = refused {
            self.audit(
                EventKind::RecoveryFailed,
                Some(id.to_string()),
                Outcome::Refused,
            )
            .detail = Some(AuditDetail::RightCodeRefused { reason });
            return Err(e);
        }
        self.state.pending_recovery = None;
        self.state.clear_lockouts(id);
        let hash = self.settings.hashing.hash(new)?;
        let remembered = self.policy().history as usize;
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        replace_password(&mut op.password, hash, wall, None, remembered);
        self.audit(
            EventKind::RecoveryRedeemed,
            Some(id.to_string()),
            Outcome::Ok,
        )
        .detail = Some(AuditDetail::Challenge {
            challenge: pending.challenge.to_string(),
        });
        Ok(())
    }
}
