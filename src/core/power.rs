//! Powered-on time: the clock lockout waits are measured in.
//!
//! A wait must survive a reboot, a power cut and any change to the wall
//! clock. So the till keeps its own monotonic count of milliseconds it has
//! been powered on ([`PowerTime`]), built from the kernel's boot clock and
//! checkpointed in the state file (as Android's Gatekeeper does):
//!
//! * same boot id as the checkpoint: `checkpoint + (boottime - boottime at checkpoint)`;
//! * a new boot id (reboot or power cut): `checkpoint + boottime`;
//! * a boot id that could not be read, now or at the checkpoint: the
//!   checkpoint, crediting nothing. Whether it is a new boot cannot be
//!   told, and "a new boot" would credit the whole uptime at every process
//!   start. The process's own token still counts its own running time.
//!
//! So powered-on time never moves by more than the boot clock has in one
//! step: within a boot by exactly its difference, across a boot by the new
//! boot's uptime (less than the time since the checkpoint), and across an
//! unknown boot id not at all.
//!
//! Time between the last checkpoint and a power cut is lost, so a wait can
//! only get *longer* by up to one checkpoint interval, never shorter. Time
//! with the power off does not count at all, which is the point: pulling the
//! plug overnight does not serve a lockout.

use super::clock::{BootInstant, boot_id_known};
use serde::{Deserialize, Serialize};

/// Milliseconds the till has been powered on, across reboots.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct PowerTime(pub u64);

impl PowerTime {
    /// `self + ms`, saturating.
    pub fn plus_ms(self, ms: u64) -> PowerTime {
        PowerTime(self.0.saturating_add(ms))
    }

    /// Whole seconds from `self` until `later`, rounded up; 0 if passed.
    pub fn secs_until(self, later: PowerTime) -> u64 {
        later.0.saturating_sub(self.0).div_ceil(1000)
    }
}

/// The last checkpoint of powered-on time, as stored in the state file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PowerCheckpoint {
    /// Powered-on time at the checkpoint.
    pub powered_ms: u64,
    /// Boot id at the checkpoint.
    pub boot_id: String,
    /// `CLOCK_BOOTTIME` at the checkpoint.
    pub since_boot_ms: u64,
}

impl PowerCheckpoint {
    /// Powered-on time now, given a reading of the boot clock.
    pub fn now(&self, boot: &BootInstant) -> PowerTime {
        let elapsed = if boot.boot_id == self.boot_id {
            // Same boot: the boot clock cannot go back; if a reading ever
            // does, count nothing rather than something negative.
            boot.since_boot_ms.saturating_sub(self.since_boot_ms)
        } else if !boot_id_known(&boot.boot_id) || !boot_id_known(&self.boot_id) {
            // Cannot tell whether the power went off: credit nothing.
            0
        } else {
            // A new boot: everything since this boot's start is powered-on
            // time; what ran after the last checkpoint of the old boot is lost.
            boot.since_boot_ms
        };
        PowerTime(self.powered_ms.saturating_add(elapsed))
    }

    /// Moves the checkpoint to `boot`, keeping powered-on time continuous.
    pub fn advance_to(&mut self, boot: &BootInstant) {
        let now = self.now(boot);
        *self = PowerCheckpoint {
            powered_ms: now.0,
            boot_id: boot.boot_id.clone(),
            since_boot_ms: boot.since_boot_ms,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(id: &str, ms: u64) -> BootInstant {
        BootInstant {
            boot_id: id.into(),
            since_boot_ms: ms,
        }
    }

    #[test]
    fn same_boot_counts_boot_clock() {
        let mut c = PowerCheckpoint::default();
        c.advance_to(&at("a", 1_000));
        assert_eq!(c.now(&at("a", 61_000)), PowerTime(1_000 + 60_000));
    }

    #[test]
    fn reboot_keeps_checkpoint_and_adds_new_uptime() {
        let mut c = PowerCheckpoint::default();
        c.advance_to(&at("a", 50_000));
        // 30 s of uptime after the checkpoint are lost with the power cut.
        let after = c.now(&at("b", 10_000));
        assert_eq!(after, PowerTime(50_000 + 10_000));
        c.advance_to(&at("b", 10_000));
        assert_eq!(c.now(&at("b", 20_000)), PowerTime(70_000));
    }

    #[test]
    fn never_goes_backwards() {
        let mut c = PowerCheckpoint::default();
        c.advance_to(&at("a", 90_000));
        let before = c.now(&at("a", 90_000));
        assert!(c.now(&at("a", 10)) >= before);
        c.advance_to(&at("a", 10));
        assert!(c.now(&at("a", 10)) >= before);
    }

    #[test]
    fn an_unknown_boot_id_credits_nothing_across_processes() {
        let mut c = PowerCheckpoint::default();
        c.advance_to(&at("a", 50_000));
        // A process that cannot read the boot id, 10 h into this boot.
        let hidden = at("unknown-1f2e", 36_000_000);
        assert_eq!(c.now(&hidden), PowerTime(50_000), "no uptime credited");
        // Its own running time still counts.
        c.advance_to(&hidden);
        assert_eq!(c.now(&at("unknown-1f2e", 36_060_000)), PowerTime(110_000));
        c.advance_to(&at("unknown-1f2e", 36_060_000));
        // Another such process, or one that can read the id again: nothing.
        assert_eq!(c.now(&at("unknown-9a9a", 90_000_000)), PowerTime(110_000));
        assert_eq!(c.now(&at("a", 90_000_000)), PowerTime(110_000));
    }

    #[test]
    fn powered_time_never_moves_more_than_the_boot_clock() {
        // Every pair of readings, in every order: the step in powered-on
        // time is at most what the boot clock moved (or the new boot's
        // uptime), and never negative.
        let ids = ["a", "b", "unknown-1", "unknown-2"];
        let times = [0, 1, 999, 60_000, u64::MAX / 2, u64::MAX];
        for &id1 in &ids {
            for &t1 in &times {
                for &id2 in &ids {
                    for &t2 in &times {
                        let mut c = PowerCheckpoint {
                            powered_ms: 7,
                            ..Default::default()
                        };
                        c.advance_to(&at(id1, t1));
                        let before = c.now(&at(id1, t1));
                        let after = c.now(&at(id2, t2));
                        let bound = if id1 == id2 {
                            t2.saturating_sub(t1)
                        } else {
                            t2
                        };
                        assert!(after >= before, "{id1}@{t1} -> {id2}@{t2}");
                        assert!(
                            after.0 - before.0 <= bound,
                            "{id1}@{t1} -> {id2}@{t2}: {} > {bound}",
                            after.0 - before.0
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn seconds_until_rounds_up() {
        assert_eq!(PowerTime(0).secs_until(PowerTime(1)), 1);
        assert_eq!(PowerTime(5_000).secs_until(PowerTime(4_000)), 0);
        assert_eq!(PowerTime(0).secs_until(PowerTime(60_000)), 60);
    }
}
