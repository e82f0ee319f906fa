//! Sign-in and changing one's own password: a failure is on disk before
//! the password is checked.

use super::*;

impl Service {
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
            refuse_badge_only(actor, till, id)?;
            self.attempt(txn, till, id, password, true, false)
        })
    }

    /// A sign-in by badge and PIN: the badge picks the operator (a badge
    /// nobody has fails as a wrong PIN would, after the PIN), then the
    /// same two phases and lockout as a typed number.
    pub fn authenticate_badge(
        &self,
        actor: &Actor,
        card: &Secret,
        password: &Secret,
    ) -> Result<AuthOutcome, ServiceError> {
        self.with_till(actor, |txn, till, _| {
            let pending = match till.begin_badge_sign_in(card) {
                Ok(p) => p,
                Err(refused) => return Ok(refused),
            };
            self.finish_attempt(txn, till, pending, password, true)
        })
    }

    /// The two-phase attempt inside an open transaction: record the
    /// failure durably, check, then undo it on success. With
    /// `save_success` false the caller writes the state itself next.
    pub(super) fn attempt(
        &self,
        txn: &mut dyn Txn,
        till: &mut Till<'_>,
        id: OperatorId,
        password: &Secret,
        save_success: bool,
        by_badge: bool,
    ) -> Result<AuthOutcome, ServiceError> {
        let pending: PendingAttempt = match till.begin_sign_in(id) {
            Ok(p) if by_badge => p.badge_shown(),
            Ok(p) => p,
            Err(refused) => return Ok(refused),
        };
        self.finish_attempt(txn, till, pending, password, save_success)
    }

    /// The durable failure, then the check (see [`attempt`](Service::attempt)).
    fn finish_attempt(
        &self,
        txn: &mut dyn Txn,
        till: &mut Till<'_>,
        pending: PendingAttempt,
        password: &Secret,
        save_success: bool,
    ) -> Result<AuthOutcome, ServiceError> {
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
        self.change_own_password(actor, id, [old, new, confirm], false)
    }

    /// [`change_password`](Service::change_password) in a kiosk session
    /// that `id` opened with their badge: the badge was shown, so a role
    /// that needs one may change its password (the forced change after a
    /// reset, or by choice). Only for `id`'s own session.
    pub fn change_password_after_badge(
        &self,
        id: OperatorId,
        old: &Secret,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), ServiceError> {
        self.change_own_password(&Actor::Operator(id), id, [old, new, confirm], true)
    }

    fn change_own_password(
        &self,
        actor: &Actor,
        id: OperatorId,
        [old, new, confirm]: [&Secret; 3],
        by_badge: bool,
    ) -> Result<(), ServiceError> {
        self.with_till(actor, |txn, till, _| {
            if !by_badge {
                refuse_badge_only(actor, till, id)?;
            }
            // Rules that need no secret first, so a typo in the new password
            // does not cost a try. Unknown numbers skip this (it would say
            // "does not exist") and fail as a wrong password below.
            if till.state().operators.contains_key(&id) {
                till.check_new_password(id, new, confirm)?;
            }
            match self.attempt(txn, till, id, old, false, by_badge)? {
                o if o.signed_in() => {}
                o => return Err(TillError::Auth(o).into()),
            }
            let r = till.set_own_password(id, new, confirm);
            txn.save(till.state())?;
            Ok(r?)
        })
    }
}

/// tillctl cannot take a badge: for an operator whose role signs in with
/// one it says so (exit 1) before anything is counted, instead of a
/// "wrong" that ends in a lockout. The kiosk's own paths never ask this
/// (a number typed there gets the same "wrong" as any other).
fn refuse_badge_only(actor: &Actor, till: &Till<'_>, id: OperatorId) -> Result<(), ServiceError> {
    if matches!(actor, Actor::Cli { .. }) && till.signs_in_with_badge(id) {
        return Err(TillError::SignsInWithBadge(id).into());
    }
    Ok(())
}
