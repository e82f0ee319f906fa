//! Staff badges: card + PIN.
//!
//! A badge reader types the card's data; the till keeps only a keyed hash
//! of it (HMAC-SHA256 with a secret made on this till and kept in its
//! state), never the data: a copied state file or backup does not give
//! anyone the card numbers to clone. A badge picks the operator; their PIN
//! still has to be right, through the same lockout as a typed number. A
//! badge nobody has fails exactly as a wrong PIN does, after the PIN,
//! counts against the till-wide rate, and has a lockout counter of its own
//! (by its keyed hash) on the cashiers' schedule: the lockout's words never
//! tell an enrolled card from a stranger's.

use super::*;
use hmac::{KeyInit, Mac};

/// Longest card data kept in memory (magnetic stripe track 2 is 40).
pub const MAX_CARD_CHARS: usize = 128;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

impl Till<'_> {
    /// The keyed hash of a card's data (made with this till's badge key,
    /// created on first use).
    fn badge_hash(&mut self, card: &Secret) -> Result<String, TillError> {
        if self.state.badge_key.is_none() {
            let mut key = zeroize::Zeroizing::new([0u8; 32]);
            getrandom::fill(&mut *key).map_err(|e| TillError::Random(e.to_string()))?;
            self.state.badge_key = Some(crate::core::hex(&*key));
        }
        let key = self.state.badge_key.as_deref().unwrap_or_default();
        let mut mac = HmacSha256::new_from_slice(key.as_bytes())
            .map_err(|e| TillError::Random(e.to_string()))?;
        mac.update(card.expose().trim().as_bytes());
        Ok(crate::core::hex(&mac.finalize().into_bytes()))
    }

    /// Whose badge this is, comparing every operator's in constant time.
    fn badge_owner(&mut self, card: &Secret) -> Result<Option<OperatorId>, TillError> {
        let h = self.badge_hash(card)?;
        Ok(self.owner_of(&h))
    }

    fn owner_of(&self, h: &str) -> Option<OperatorId> {
        let mut owner = None;
        for o in self.state.operators.values() {
            if let Some(b) = &o.badge
                && constant_time_eq(b.as_bytes(), h.as_bytes())
            {
                owner = Some(o.id);
            }
        }
        owner
    }

    /// Enrols a badge for `id` (an admin only). A badge belongs to one
    /// operator: one already enrolled to another is refused.
    pub fn enrol_badge(&mut self, id: OperatorId, card: &Secret) -> Result<(), TillError> {
        self.require_admin()?;
        self.operator(id)?;
        let card_ok =
            !card.expose().trim().is_empty() && card.expose().chars().count() <= MAX_CARD_CHARS;
        if !card_ok {
            return Err(TillError::BadBadge);
        }
        if let Some(other) = self.badge_owner(card)?
            && other != id
        {
            self.audit(
                EventKind::BadgeEnrolled,
                Some(id.to_string()),
                Outcome::Refused,
            );
            return Err(TillError::BadgeTaken(other));
        }
        let h = self.badge_hash(card)?;
        // As for an added number: tries with the card before it was
        // anyone's do not count against its new owner.
        self.state.badge_lockouts.remove(&h);
        self.operator_mut(id)?.badge = Some(h);
        self.audit(EventKind::BadgeEnrolled, Some(id.to_string()), Outcome::Ok);
        Ok(())
    }

    /// Removes `id`'s badge (an admin only). Refused while their role
    /// needs a badge: they could no longer sign in.
    pub fn remove_badge(&mut self, id: OperatorId) -> Result<(), TillError> {
        self.require_admin()?;
        let role = self.operator(id)?.role;
        if self.policy().require_badge.for_role(role) {
            return Err(TillError::BadgeRequired(id));
        }
        self.operator_mut(id)?.badge = None;
        self.audit(EventKind::BadgeRemoved, Some(id.to_string()), Outcome::Ok);
        Ok(())
    }

    /// Phase one of a sign-in by badge: as [`begin_sign_in`](Till::begin_sign_in)
    /// for the badge's operator. A badge nobody has gets the same: its own
    /// counter (by its keyed hash) on the cashiers' schedule, the same
    /// lockout words, the till-wide rate, and a check against nothing.
    pub fn begin_badge_sign_in(&mut self, card: &Secret) -> Result<PendingAttempt, AuthOutcome> {
        let Ok(h) = self.badge_hash(card) else {
            // No key could be made: nothing can match; refused as wrong.
            return self.unknown_badge_attempt(None);
        };
        if let Some(id) = self.owner_of(&h) {
            let mut p = self.begin_sign_in(id)?;
            p.badge = true;
            return Ok(p);
        }
        self.unknown_badge_attempt(Some(h))
    }

    fn unknown_badge_attempt(&mut self, h: Option<String>) -> Result<PendingAttempt, AuthOutcome> {
        let own = h
            .as_ref()
            .and_then(|h| self.state.badge_lockouts.get(h))
            .cloned()
            .unwrap_or_default();
        let gate = lockout::stricter(own.gate(self.power), self.till_gate());
        self.refuse_if_locked(gate, "badge")?;
        self.ensure_dummy_hash();
        let power = self.power;
        let own = match h {
            Some(h) => {
                self.make_room_for_badge_counter(&h);
                let schedule = &self.settings.operator_lockout;
                self.state
                    .badge_lockouts
                    .entry(h)
                    .or_default()
                    .fail(schedule, power)
            }
            None => Penalty::TriesLeft {
                tries_left: u32::MAX,
            },
        };
        Ok(self.charged_attempt(None, own, true))
    }

    /// Keeps the unknown-badge counters under their bound: idle ones
    /// (no wait running, not locked until an admin) go first.
    fn make_room_for_badge_counter(&mut self, h: &str) {
        let counters = &mut self.state.badge_lockouts;
        if counters.len() < crate::core::state::MAX_BADGE_COUNTERS || counters.contains_key(h) {
            return;
        }
        let now = self.power;
        counters.retain(|_, c| c.until_admin || c.waiting(now));
        while counters.len() >= crate::core::state::MAX_BADGE_COUNTERS {
            let Some(first) = counters.keys().next().cloned() else {
                break;
            };
            counters.remove(&first);
        }
    }

    /// Whether `id`'s role signs in with a badge (for the paths that
    /// cannot take one, which say so instead of counting a failure).
    pub fn signs_in_with_badge(&self, id: OperatorId) -> bool {
        self.state
            .operators
            .get(&id)
            .is_some_and(|o| self.policy().require_badge.for_role(o.role))
    }

    /// Checks that every enabled operator of a role that needs a badge
    /// has one (else setting the rule would lock them out).
    pub(super) fn badges_cover(
        &self,
        rule: crate::core::policy::RequireBadge,
    ) -> Result<(), TillError> {
        match self
            .state
            .operators
            .values()
            .find(|o| o.enabled && o.badge.is_none() && rule.for_role(o.role))
        {
            Some(o) => Err(TillError::BadgeRequired(o.id)),
            None => Ok(()),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
