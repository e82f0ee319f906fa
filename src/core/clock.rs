//! Time, injected.
//!
//! The till has two notions of time and keeps them apart:
//!
//! * **Wall time** ([`WallTime`]) is for people: audit timestamps, password
//!   age, the clock on screen. On a Pi without a real-time clock it is
//!   whatever fake-hwclock saved until NTP answers, and anyone with a
//!   keyboard can change it, so no security decision waits on it.
//! * **Boot time** ([`BootInstant`]): the kernel's boot id plus
//!   `CLOCK_BOOTTIME`, which counts from power-on (including suspend) and
//!   cannot be set. Lockout waits are measured in powered-on time built from
//!   it (see [`crate::core::power`]).
//!
//! The core only sees the [`Clock`] trait; the real implementation lives in
//! [`crate::sys`], and [`FakeClock`] lets tests advance, reboot and jump the
//! wall clock without sleeping.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Wall-clock time in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WallTime(pub i64);

impl WallTime {
    /// Milliseconds per day, for password age.
    pub const DAY_MS: i64 = 86_400_000;

    /// Converts from a `SystemTime` (times before 1970 clamp to 0).
    pub fn from_system(t: SystemTime) -> Self {
        let ms = t
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        WallTime(ms)
    }

    /// The `SystemTime` for display and formatting (times before 1970
    /// clamp to 1970; every i64 of milliseconds fits a `SystemTime`).
    pub fn to_system(self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(u64::try_from(self.0).unwrap_or(0))
    }

    /// RFC 3339 in UTC with second precision, as the audit log writes it.
    /// Any value prints: years past 9999 as `+10000-01-01T…`, and a time
    /// beyond what a calendar can hold as the raw milliseconds.
    pub fn rfc3339(self) -> String {
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            None => format!("(invalid time: {} ms since 1970)", self.0),
        }
    }

    /// Reads an RFC 3339 time (what [`rfc3339`](WallTime::rfc3339) and a
    /// bundle's `created` write); `None` if it is not one.
    pub fn parse_rfc3339(text: &str) -> Option<WallTime> {
        chrono::DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| WallTime(t.timestamp_millis()))
    }

    /// Whole days elapsed from `earlier` to `self` (negative if the clock
    /// went back; saturating at the extremes).
    pub fn days_since(self, earlier: WallTime) -> i64 {
        self.0.saturating_sub(earlier.0).div_euclid(Self::DAY_MS)
    }
}

impl fmt::Display for WallTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

/// How a boot id that could not be read begins (see [`boot_id_known`]).
pub const UNKNOWN_BOOT_PREFIX: &str = "unknown-";

/// Whether `id` is the kernel's boot id, rather than a per-process token
/// standing in for one that could not be read. A real boot id is a UUID,
/// so it never begins with [`UNKNOWN_BOOT_PREFIX`].
pub fn boot_id_known(id: &str) -> bool {
    !id.starts_with(UNKNOWN_BOOT_PREFIX)
}

/// A reading of the kernel's boot clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootInstant {
    /// `/proc/sys/kernel/random/boot_id`: changes at every boot.
    pub boot_id: String,
    /// `CLOCK_BOOTTIME` in milliseconds since this boot.
    pub since_boot_ms: u64,
}

/// Where the core gets the time from.
pub trait Clock: Send + Sync {
    /// The wall clock, for display, audit and password age only.
    fn wall(&self) -> WallTime;
    /// The boot clock, for lockout waits.
    fn boot(&self) -> BootInstant;
}

/// A clock for tests and simulations: time moves only when told to.
#[derive(Debug)]
pub struct FakeClock {
    inner: Mutex<FakeState>,
}

#[derive(Debug, Clone)]
struct FakeState {
    wall: WallTime,
    boot_id: String,
    since_boot_ms: u64,
    boots: u32,
}

impl FakeClock {
    /// A clock at `wall`, two minutes after the first boot.
    pub fn new(wall: WallTime) -> Self {
        FakeClock {
            inner: Mutex::new(FakeState {
                wall,
                boot_id: "fake-boot-1".into(),
                since_boot_ms: 120_000,
                boots: 1,
            }),
        }
    }

    /// A clock continuing from `boot` at `wall` (to copy another fake clock).
    pub fn from_parts(wall: WallTime, boot: &BootInstant) -> Self {
        FakeClock {
            inner: Mutex::new(FakeState {
                wall,
                boot_id: boot.boot_id.clone(),
                since_boot_ms: boot.since_boot_ms,
                boots: 1,
            }),
        }
    }

    /// 2026-11-28 09:00 UTC, the day this was written; any fixed time will do.
    pub fn at_default() -> Self {
        FakeClock::new(WallTime(1_795_856_400_000))
    }

    fn with<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        // A poisoned fake clock only happens after a test already panicked.
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut g)
    }

    /// Time passes with the power on: both clocks advance.
    pub fn advance(&self, d: Duration) {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        self.with(|s| {
            s.since_boot_ms = s.since_boot_ms.saturating_add(ms);
            s.wall = WallTime(
                s.wall
                    .0
                    .saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)),
            );
        });
    }

    /// Someone sets the wall clock; the boot clock does not notice.
    pub fn set_wall(&self, wall: WallTime) {
        self.with(|s| s.wall = wall);
    }

    /// The wall clock jumps by `delta_ms` (either sign).
    pub fn jump_wall(&self, delta_ms: i64) {
        self.with(|s| s.wall = WallTime(s.wall.0.saturating_add(delta_ms)));
    }

    /// Power is cut for `off` and the till boots again: a new boot id, the
    /// boot clock restarts at `up_after_boot`, the wall clock moves on by
    /// `off + up_after_boot` (as an RTC would; use [`set_wall`] for a Pi
    /// without one).
    ///
    /// [`set_wall`]: FakeClock::set_wall
    pub fn reboot(&self, off: Duration, up_after_boot: Duration) {
        self.with(|s| {
            s.boots = s.boots.saturating_add(1);
            s.boot_id = format!("fake-boot-{}", s.boots);
            s.since_boot_ms = u64::try_from(up_after_boot.as_millis()).unwrap_or(0);
            let moved = off.as_millis() + up_after_boot.as_millis();
            s.wall = WallTime(s.wall.0.saturating_add(i64::try_from(moved).unwrap_or(0)));
        });
    }
}

impl Clock for FakeClock {
    fn wall(&self) -> WallTime {
        self.with(|s| s.wall)
    }
    fn boot(&self) -> BootInstant {
        self.with(|s| BootInstant {
            boot_id: s.boot_id.clone(),
            since_boot_ms: s.since_boot_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reboot_changes_boot_id_and_restarts_boot_clock() {
        let c = FakeClock::at_default();
        let before = c.boot();
        c.advance(Duration::from_secs(10));
        assert_eq!(c.boot().since_boot_ms, before.since_boot_ms + 10_000);
        c.reboot(Duration::from_secs(3600), Duration::from_secs(5));
        let after = c.boot();
        assert_ne!(after.boot_id, before.boot_id);
        assert_eq!(after.since_boot_ms, 5_000);
    }

    #[test]
    fn rfc3339_and_days() {
        let t = WallTime(0);
        assert_eq!(t.rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(
            WallTime(1_795_856_400_999).rfc3339(),
            "2026-11-28T09:00:00Z"
        );
        assert_eq!(
            WallTime(253_402_300_800_000).rfc3339(),
            "+10000-01-01T00:00:00Z"
        );
        assert!(WallTime(i64::MAX).rfc3339().starts_with("(invalid time"));
        assert!(WallTime(i64::MIN).rfc3339().starts_with("(invalid time"));
        assert_eq!(
            WallTime(i64::MAX).days_since(WallTime(i64::MIN)),
            i64::MAX / WallTime::DAY_MS
        );
        assert_eq!(WallTime(3 * WallTime::DAY_MS + 5).days_since(t), 3);
        assert_eq!(t.days_since(WallTime(1)), -1);
    }
}
