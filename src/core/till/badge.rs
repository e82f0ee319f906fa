//! Staff badges: card + PIN.
//!
//! A badge reader types the card's data; the till keeps only a keyed hash
//! of it (HMAC-SHA256 with a secret made on this till and kept in its
//! state), never the data: a copied state file or backup does not give
//! anyone the card numbers to clone. A badge picks the operator; their PIN
//! still has to be right, through the same lockout as a typed number. A
//! badge nobody has fails exactly as a wrong PIN does, after the PIN, and
//! counts against the till-wide rate.

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
        let mut owner = None;
        for o in self.state.operators.values() {
            if let Some(b) = &o.badge
                && constant_time_eq(b.as_bytes(), h.as_bytes())
            {
                owner = Some(o.id);
            }
        }
        Ok(owner)
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
    /// for the badge's operator; a badge nobody has is recorded as a
    /// failure against the till-wide rate and checked against nothing.
    pub fn begin_badge_sign_in(&mut self, card: &Secret) -> Result<PendingAttempt, AuthOutcome> {
        let owner = self.badge_owner(card).ok().flatten();
        if let Some(id) = owner {
            let mut p = self.begin_sign_in(id)?;
            p.badge = true;
            return Ok(p);
        }
        if let Gate::Paused { secs } = self.till_gate() {
            self.audit(EventKind::SignIn, Some("badge".into()), Outcome::Locked)
                .detail = Some(AuditDetail::StillLocked {
                penalty: Penalty::Paused { secs },
            });
            return Err(AuthOutcome::Paused { secs });
        }
        self.ensure_dummy_hash();
        let pause = self
            .state
            .terminal_rate
            .fail(&self.settings.terminal_rate, self.power);
        Ok(PendingAttempt {
            id: None,
            penalty: match pause {
                Some(secs) => Penalty::Paused { secs },
                None => Penalty::TriesLeft {
                    tries_left: u32::MAX,
                },
            },
            pauses_till: pause.is_some(),
            badge: true,
        })
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
