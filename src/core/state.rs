//! The till's persistent state, as one value.
//!
//! Everything a sign-in decision depends on lives in [`TillState`] and is
//! written as one atomic unit by the store: operators and their hashes,
//! every lockout counter (including those of numbers that do not exist, so
//! an unknown number behaves exactly like a known one), the powered-on time
//! checkpoint, the pending recovery challenge and the admin's policy.

use super::clock::{BootInstant, WallTime};
use super::i18n::Lang;
use super::lockout::{Counter, RateState};
use super::operator::{Operator, OperatorId, Role};
use super::policy::PasswordPolicy;
use super::power::{PowerCheckpoint, PowerTime};
use super::recovery::PendingChallenge;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the state layout; the store writes it in the file header.
pub const STATE_FORMAT: u32 = 1;

/// The whole persistent state of a till.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TillState {
    /// Shown on the sign-in screen ("Shop 3, till 2").
    pub terminal_name: String,
    /// The operators, by number.
    pub operators: BTreeMap<OperatorId, Operator>,
    /// Sign-in throttles by number, for known and unknown numbers alike.
    #[serde(default)]
    pub lockouts: BTreeMap<OperatorId, Counter>,
    /// The terminal-wide rate of failures.
    #[serde(default)]
    pub terminal_rate: RateState,
    /// Version 0.1's escalating terminal-wide lockout, read and dropped:
    /// the rate above replaced it (a running 0.1 till-wide wait is not
    /// carried over; only an upgrade by root can drop it).
    #[serde(default, rename = "terminal_lockout", skip_serializing)]
    pub legacy_terminal_lockout: Option<Counter>,
    /// The recovery-code throttle.
    #[serde(default)]
    pub recovery_lockout: Counter,
    /// The recovery challenge on screen, if any.
    #[serde(default)]
    pub pending_recovery: Option<PendingChallenge>,
    /// Powered-on time at the last write.
    pub power: PowerCheckpoint,
    /// The policy an admin set, if tighter than the config's.
    #[serde(default)]
    pub policy: Option<PasswordPolicy>,
    /// The UI language staff chose.
    #[serde(default)]
    pub language: Lang,
    /// A hash of nothing, verified against when a number is unknown so that
    /// it costs the same time as a wrong password.
    #[serde(default)]
    pub dummy_hash: Option<String>,
    /// When the till was set up.
    pub created_at: WallTime,
    /// The last operator bundle applied (a replay of an older one is
    /// refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<crate::core::bundle::BundleStamp>,
    /// This till's key for badge hashes (hex), made at the first enrolment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge_key: Option<String>,
    /// Throttles for badges nobody has, by the badge's keyed hash: an
    /// unknown badge runs into a lockout as an enrolled one does, so the
    /// answers do not tell which cards are enrolled. At most
    /// [`MAX_BADGE_COUNTERS`]; written only when there is one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub badge_lockouts: BTreeMap<String, Counter>,
    /// The last bundle applied per stream other than the chain-wide one
    /// in `bundle`: `scope:shop-3`, `serial:10000000a1b2c3d4`. Versions
    /// count per stream, so one shop's bundles never replay another's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bundles: BTreeMap<String, crate::core::bundle::BundleStamp>,
    /// Numbers removed at the till, and when: a bundle made before then
    /// does not bring them back.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub removed: BTreeMap<OperatorId, WallTime>,
}

/// The most unknown-badge counters kept; past it, the idle ones go first
/// (the till-wide rate bounds what many different cards can try).
pub const MAX_BADGE_COUNTERS: usize = 256;

impl TillState {
    /// A till with no operators, as `init` starts from.
    pub fn new(terminal_name: &str, wall: WallTime, boot: &BootInstant) -> TillState {
        let mut power = PowerCheckpoint::default();
        power.advance_to(boot);
        TillState {
            terminal_name: terminal_name.to_owned(),
            operators: BTreeMap::new(),
            lockouts: BTreeMap::new(),
            terminal_rate: RateState::default(),
            legacy_terminal_lockout: None,
            recovery_lockout: Counter::default(),
            pending_recovery: None,
            power,
            policy: None,
            language: Lang::default(),
            dummy_hash: None,
            created_at: wall,
            bundle: None,
            badge_key: None,
            badge_lockouts: BTreeMap::new(),
            bundles: BTreeMap::new(),
            removed: BTreeMap::new(),
        }
    }

    /// Powered-on time now.
    pub fn power_now(&self, boot: &BootInstant) -> PowerTime {
        self.power.now(boot)
    }

    /// The policy in force: the admin's, but never weaker than `floor`.
    pub fn effective_policy(&self, floor: &PasswordPolicy) -> PasswordPolicy {
        match &self.policy {
            Some(p) => p.at_least(floor),
            None => floor.clone(),
        }
    }

    /// Enabled admins.
    pub fn enabled_admins(&self) -> usize {
        self.operators
            .values()
            .filter(|o| o.role == Role::Admin && o.enabled)
            .count()
    }

    /// The throttle for `id` (a default one for a number never tried).
    pub fn counter(&self, id: OperatorId) -> Counter {
        self.lockouts.get(&id).cloned().unwrap_or_default()
    }

    /// The throttle of `id`'s badge, if they have one.
    pub fn badge_counter(&self, id: OperatorId) -> Counter {
        self.operators
            .get(&id)
            .and_then(|o| o.badge.as_ref())
            .and_then(|b| self.badge_lockouts.get(b))
            .cloned()
            .unwrap_or_default()
    }

    /// Clears `id`'s lockouts: their number's and their badge's.
    pub fn clear_lockouts(&mut self, id: OperatorId) {
        self.lockouts.remove(&id);
        if let Some(b) = self.operators.get(&id).and_then(|o| o.badge.as_ref()) {
            self.badge_lockouts.remove(b);
        }
    }

    /// Whether a timed wait is running anywhere (or the till-wide rate is
    /// still paying back failures), so powered-on time must be checkpointed (with nothing to wait for, no checkpoint is needed and
    /// the SD card is spared a write every 30 s).
    pub fn has_running_wait(&self, boot: &BootInstant) -> bool {
        let now = self.power_now(boot);
        self.pending_recovery.is_some()
            || self.terminal_rate.full_at.is_some_and(|t| t > now)
            || self.recovery_lockout.waiting(now)
            || self.lockouts.values().any(|c| c.waiting(now))
            || self.badge_lockouts.values().any(|c| c.waiting(now))
    }

    /// Drops counters that hold nothing, to keep the file small.
    pub fn prune(&mut self) {
        self.lockouts.retain(|_, c| !c.is_clear());
        self.badge_lockouts.retain(|_, c| !c.is_clear());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_written_by_version_0_1_still_loads() {
        let boot = BootInstant {
            boot_id: "b".into(),
            since_boot_ms: 1,
        };
        let now = serde_json::to_value(TillState::new("Till 1", WallTime(0), &boot)).unwrap();
        let mut old = now.clone();
        let obj = old.as_object_mut().unwrap();
        obj.remove("terminal_rate");
        obj.insert(
            "terminal_lockout".into(),
            serde_json::json!({"failures": 3, "locked_until": 90000}),
        );
        let st: TillState = serde_json::from_value(old).unwrap();
        assert_eq!(st.terminal_rate, RateState::default());
        let again = serde_json::to_value(&st).unwrap();
        assert!(again.get("terminal_lockout").is_none(), "not written back");
        assert_eq!(again, now);
    }
}
