//! Staff badges: card + PIN.
//!
//! A badge reader types the card's data; the till keeps only a keyed hash
//! of it (HMAC-SHA256 with a secret made on this till and kept in its
//! state), never the data: a copied state file or backup does not give
//! anyone the card numbers to clone. A badge picks the operator; their PIN
//! still has to be right. Every badge, enrolled or not, has a lockout
//! counter of its own (by its keyed hash) on one schedule, apart from the
//! number's, and counts against the till-wide rate; a badge nobody has
//! fails exactly as a wrong PIN does, after the PIN: the lockout's words
//! never tell an enrolled card from a stranger's, nor whose it is.

use super::*;
use hmac::{KeyInit, Mac};
use std::collections::BTreeSet;

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

    /// Phase one of a sign-in by badge: as [`begin_sign_in`](Till::begin_sign_in),
    /// but counted against the badge, not the number. Every badge, an
    /// enrolled one or a stranger's, has its own counter (by its keyed
    /// hash) on one schedule, the admins' (whose waits never end in a lock
    /// only an admin can lift: a badge may be an admin's), and the
    /// till-wide rate; so the words at the reader never tell whose badge
    /// it is, or whether it is anyone's, and wrong PINs typed at a number
    /// never lock its owner's badge.
    pub fn begin_badge_sign_in(&mut self, card: &Secret) -> Result<PendingAttempt, AuthOutcome> {
        // No key could be made: nothing can match; refused as wrong.
        let h = self.badge_hash(card).ok();
        let owner = h.as_deref().and_then(|h| self.owner_of(h));
        let own = h
            .as_ref()
            .and_then(|h| self.state.badge_lockouts.get(h))
            .cloned()
            .unwrap_or_default();
        let gate = lockout::stricter(own.gate(self.power), self.till_gate());
        let subject = owner.map_or_else(|| "badge".to_owned(), |id| id.to_string());
        self.refuse_if_locked(gate, &subject)?;
        self.ensure_dummy_hash();
        let power = self.power;
        let own = match &h {
            Some(h) => {
                self.make_room_for_badge_counter(h);
                let schedule = &self.settings.admin_lockout;
                self.state
                    .badge_lockouts
                    .entry(h.clone())
                    .or_default()
                    .fail(schedule, power)
            }
            None => Penalty::TriesLeft {
                tries_left: u32::MAX,
            },
        };
        let mut attempt = self.charged_attempt(owner, own, true);
        attempt.card = h;
        Ok(attempt)
    }

    /// Keeps the badge counters under their bound: idle ones of badges
    /// nobody has (no wait running, not locked until an admin) go first,
    /// an enrolled badge's counter last.
    fn make_room_for_badge_counter(&mut self, h: &str) {
        if self.state.badge_lockouts.len() < crate::core::state::MAX_BADGE_COUNTERS
            || self.state.badge_lockouts.contains_key(h)
        {
            return;
        }
        let enrolled: BTreeSet<String> = self
            .state
            .operators
            .values()
            .filter_map(|o| o.badge.clone())
            .collect();
        let now = self.power;
        let counters = &mut self.state.badge_lockouts;
        counters.retain(|k, c| c.until_admin || c.waiting(now) || enrolled.contains(k));
        // Still full (waits running everywhere): a stranger's badge goes
        // before an enrolled one; the bound holds either way.
        while counters.len() >= crate::core::state::MAX_BADGE_COUNTERS {
            let victim = counters
                .keys()
                .find(|k| !enrolled.contains(*k))
                .or_else(|| counters.keys().next())
                .cloned();
            let Some(victim) = victim else {
                break;
            };
            counters.remove(&victim);
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
