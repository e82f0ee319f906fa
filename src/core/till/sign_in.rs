//! Signing in, in two phases: the failure is recorded first, undone
//! only by a right password.

use super::*;

impl Till<'_> {
    // ---- sign-in -------------------------------------------------------

    /// Phase one: refuses if locked, else records the attempt as a failure.
    /// The caller must make the state durable before calling
    /// [`finish_sign_in`](Till::finish_sign_in).
    pub fn begin_sign_in(&mut self, id: OperatorId) -> Result<PendingAttempt, AuthOutcome> {
        self.refuse_if_locked(self.gate(id), &id.to_string())?;
        self.ensure_dummy_hash();
        let schedule = self.schedule_for(id);
        let power = self.power;
        let own = self
            .state
            .lockouts
            .entry(id)
            .or_default()
            .fail(schedule, power);
        Ok(self.charged_attempt(Some(id), own, false))
    }

    /// The attempt recorded as a failure: its own counter's penalty
    /// `own`, and one charge against the till-wide rate (the same for a
    /// number, a known badge and an unknown one).
    pub(super) fn charged_attempt(
        &mut self,
        id: Option<OperatorId>,
        own: Penalty,
        badge: bool,
    ) -> PendingAttempt {
        let pause = self
            .state
            .terminal_rate
            .fail(&self.settings.terminal_rate, self.power);
        let terminal = match pause {
            Some(secs) => Penalty::Paused { secs },
            None => Penalty::TriesLeft {
                tries_left: u32::MAX,
            },
        };
        PendingAttempt {
            id,
            penalty: lockout::worse(own, terminal),
            pauses_till: pause.is_some(),
            badge,
            card: None,
        }
    }

    /// Phase two: checks the password. On success the recorded failure is
    /// undone; on failure it stands.
    ///
    /// Long on purpose: the check, the failure that stands and the undo on success are the security property; kept in one reading on purpose.
    pub fn finish_sign_in(&mut self, attempt: PendingAttempt, password: &Secret) -> AuthOutcome {
        let known = attempt.id.and_then(|id| self.state.operators.get(&id));
        let (hash, enabled, role) = match known {
            Some(o) => (o.password.hash.clone(), o.enabled, Some(o.role)),
            None => (
                self.state.dummy_hash.clone().unwrap_or_default(),
                false,
                None,
            ),
        };
        // Always verify, even for unknown numbers and badges and disabled
        // operators, so every refusal takes the same time.
        let right = hashing::verify(password, &hash);
        // A role that needs its badge gets nothing for the password alone:
        // the same answer as a wrong one (saying "badge needed" would
        // confirm the password, or the role).
        let badge_missing = right
            && !attempt.badge
            && role.is_some_and(|r| self.policy().require_badge.for_role(r));
        let subject = attempt
            .id
            .map_or_else(|| "badge".to_owned(), |id| id.to_string());
        if !(right && enabled) || badge_missing {
            // A disabled operator's right password is a failure like any
            // other: the same answer (no oracle for disabled accounts), the
            // failure stands, and no counter is reset (an ex-employee's
            // password must not buy more guesses at other numbers). Only
            // the audit log, which the admin reads, says why.
            let penalty = attempt.penalty;
            self.audit(EventKind::SignIn, Some(subject), Outcome::Failed)
                .detail = Some(AuditDetail::Wrong {
                penalty,
                disabled_operator: right && !enabled,
                badge_missing: badge_missing && enabled,
                unknown_badge: attempt.badge && attempt.id.is_none(),
            });
            if attempt.pauses_till {
                // The start of a till-wide pause is worth its own line: it
                // is what a shop owner asks about ("nobody could sign in").
                let secs = match self.till_gate() {
                    Gate::Paused { secs } => secs,
                    _ => 0,
                };
                let failures = self.settings.terminal_rate.burst;
                self.audit(EventKind::TerminalPaused, None, Outcome::Locked)
                    .detail = Some(AuditDetail::PauseStarted { failures, secs });
            }
            return AuthOutcome::Wrong { penalty };
        }
        // An unknown badge has only the dummy hash, which nothing matches;
        // should that ever fail, the answer is still "wrong".
        let Some(id) = attempt.id else {
            return AuthOutcome::Wrong {
                penalty: attempt.penalty,
            };
        };
        // The right badge and PIN clear the badge's counter; the number's
        // (wrong PINs typed at it) stands, and the other way round.
        match &attempt.card {
            Some(h) => self.state.badge_lockouts.remove(h),
            None => self.state.lockouts.remove(&id),
        };
        // A right password takes its own charge back from the till-wide
        // rate, and nothing else: the failures of others still stand.
        self.state
            .terminal_rate
            .refund(&self.settings.terminal_rate, self.power);
        let policy = self.policy();
        let params = self.settings.hashing;
        let wall = self.now.wall;
        let op = self.state.operators.get_mut(&id).expect("known operator");
        // Re-hash with the current parameters now that we have the password.
        if !params.is_current(&op.password.hash)
            && let Ok(h) = params.hash(password)
        {
            op.password.hash = h;
        }
        let days_left = policy.days_left(wall.days_since(op.password.set_at));
        let mut expired_now = false;
        if op.password.must_change.is_none() && days_left.is_some_and(|d| d <= 0) {
            op.password.must_change = Some(MustChange::Expired);
            expired_now = true;
        }
        let (name, role, must_change) = (op.name.clone(), op.role, op.password.must_change);
        if expired_now {
            self.audit(
                EventKind::PasswordExpired,
                Some(id.to_string()),
                Outcome::Ok,
            );
        }
        let (outcome, detail) = match must_change {
            Some(reason) => (
                AuthOutcome::MustChange {
                    id,
                    name,
                    role,
                    reason,
                },
                Some(AuditDetail::MustChange),
            ),
            None => (
                AuthOutcome::Ok {
                    id,
                    name,
                    role,
                    expires_in_days: days_left.filter(|d| *d <= i64::from(policy.warn_days)),
                },
                None,
            ),
        };
        self.audit(EventKind::SignIn, Some(id.to_string()), Outcome::Ok)
            .detail = detail;
        outcome
    }

    /// The refusal (audited against `subject`) if `gate` is shut: the
    /// same words for a number, a known badge and an unknown one.
    pub(super) fn refuse_if_locked(
        &mut self,
        gate: Gate,
        subject: &str,
    ) -> Result<(), AuthOutcome> {
        let (outcome, penalty) = match gate {
            Gate::Open => return Ok(()),
            Gate::Wait { secs } => (AuthOutcome::Locked { secs }, Penalty::Wait { secs }),
            Gate::UntilAdmin => (AuthOutcome::LockedUntilAdmin, Penalty::UntilAdmin),
            Gate::Paused { secs } => (AuthOutcome::Paused { secs }, Penalty::Paused { secs }),
        };
        self.audit(EventKind::SignIn, Some(subject.to_owned()), Outcome::Locked)
            .detail = Some(AuditDetail::StillLocked { penalty });
        Err(outcome)
    }

    /// Makes the dummy hash that unknown numbers and badges are checked
    /// against, with the till's own parameters: every hash the till keeps
    /// is made with them (its own at the next sign-in, a bundle's before
    /// it is taken), so the time a refusal takes does not tell which
    /// numbers exist.
    pub(super) fn ensure_dummy_hash(&mut self) {
        let params = self.settings.hashing;
        let stale = self
            .state
            .dummy_hash
            .as_deref()
            .is_none_or(|h| !params.is_current(h));
        if stale {
            // A random value nobody knows: nothing can ever match it.
            let mut b = [0u8; 16];
            if getrandom::fill(&mut b).is_ok() {
                let text = crate::core::hex(&b);
                if let Ok(h) = params.hash(&Secret::new(text)) {
                    self.state.dummy_hash = Some(h);
                }
            }
        }
    }
}
