//! Escalating waits after failed attempts.
//!
//! One mechanism, [`Schedule`] + [`Counter`], serves four throttles: each
//! cashier number, each admin number, the terminal as a whole (so trying
//! many numbers is throttled too) and recovery-code redemption. A schedule
//! allows some free tries, then imposes waits from a list; after the list it
//! either repeats the last wait or doubles it up to a cap, and it may lock
//! until an admin unlocks.
//!
//! Waits are deadlines in powered-on time ([`PowerTime`]), so no reboot,
//! power cut or wall-clock change can shorten them.

use super::power::PowerTime;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What happens after the list of waits runs out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beyond {
    /// Keep the last wait.
    Repeat,
    /// Double the wait each time, up to the cap.
    Double {
        /// The longest wait.
        cap: Duration,
    },
}

/// A throttle's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Consecutive failures allowed before the first wait.
    pub free_tries: u32,
    /// The waits after the free tries, in order.
    pub waits: Vec<Duration>,
    /// After the list.
    pub beyond: Beyond,
    /// Locked until an admin unlocks after this many consecutive failures.
    pub until_admin_after: Option<u32>,
}

/// The consequence of a failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "lock", rename_all = "snake_case")]
pub enum Penalty {
    /// No wait yet: this many tries before one.
    TriesLeft {
        /// Tries left.
        tries_left: u32,
    },
    /// Wait this long before the next try.
    Wait {
        /// How long.
        secs: u64,
    },
    /// Locked until an admin unlocks.
    UntilAdmin,
}

impl Schedule {
    /// The penalty after the `failures`-th consecutive failure (1-based).
    pub fn penalty(&self, failures: u32) -> Penalty {
        if let Some(n) = self.until_admin_after
            && failures >= n
        {
            return Penalty::UntilAdmin;
        }
        if failures < self.free_tries {
            return Penalty::TriesLeft {
                tries_left: self.free_tries - failures,
            };
        }
        let Some(last) = self.waits.last() else {
            // No waits configured: free tries forever would be no throttle;
            // config validation forbids an empty list, and this stays safe.
            return Penalty::Wait { secs: 60 };
        };
        let idx = (failures - self.free_tries) as usize;
        let wait = match self.waits.get(idx) {
            Some(w) => *w,
            None => match self.beyond {
                Beyond::Repeat => *last,
                Beyond::Double { cap } => {
                    let extra = u32::try_from(idx + 1 - self.waits.len()).unwrap_or(u32::MAX);
                    let factor = 2u32.checked_pow(extra.min(31)).unwrap_or(u32::MAX);
                    last.checked_mul(factor).unwrap_or(cap).min(cap)
                }
            },
        };
        Penalty::Wait {
            secs: wait.as_secs().max(1),
        }
    }
}

/// The state of one throttle, as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// Consecutive failures since the last success or unlock.
    pub failures: u32,
    /// No attempt until this powered-on time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<PowerTime>,
    /// Locked until an admin unlocks.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub until_admin: bool,
}

/// Whether an attempt may be made now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Gate {
    /// Go ahead.
    Open,
    /// Wait this many more seconds.
    Wait {
        /// Seconds remaining, rounded up.
        secs: u64,
    },
    /// Only an admin can unlock.
    UntilAdmin,
}

impl Counter {
    /// Whether an attempt is allowed at `now`.
    pub fn gate(&self, now: PowerTime) -> Gate {
        if self.until_admin {
            Gate::UntilAdmin
        } else {
            match self.locked_until {
                Some(t) if t > now => Gate::Wait {
                    secs: now.secs_until(t),
                },
                _ => Gate::Open,
            }
        }
    }

    /// Records a failure at `now` and returns its penalty.
    pub fn fail(&mut self, schedule: &Schedule, now: PowerTime) -> Penalty {
        self.failures = self.failures.saturating_add(1);
        let p = schedule.penalty(self.failures);
        match p {
            Penalty::TriesLeft { .. } => self.locked_until = None,
            Penalty::Wait { secs } => {
                self.locked_until = Some(now.plus_ms(secs.saturating_mul(1000)))
            }
            Penalty::UntilAdmin => {
                self.until_admin = true;
                self.locked_until = None;
            }
        }
        p
    }

    /// Clears the counter (a success, or an admin's unlock).
    pub fn reset(&mut self) {
        *self = Counter::default();
    }

    /// Whether anything is recorded (a reset counter need not be stored).
    pub fn is_clear(&self) -> bool {
        *self == Counter::default()
    }

    /// Whether a timed wait is running, so powered-on time must be checkpointed.
    pub fn waiting(&self, now: PowerTime) -> bool {
        matches!(self.gate(now), Gate::Wait { .. })
    }
}

/// The stricter of two gates.
pub fn stricter(a: Gate, b: Gate) -> Gate {
    match (a, b) {
        (Gate::UntilAdmin, _) | (_, Gate::UntilAdmin) => Gate::UntilAdmin,
        (Gate::Wait { secs: x }, Gate::Wait { secs: y }) => Gate::Wait { secs: x.max(y) },
        (w @ Gate::Wait { .. }, Gate::Open) | (Gate::Open, w @ Gate::Wait { .. }) => w,
        (Gate::Open, Gate::Open) => Gate::Open,
    }
}

/// The stricter of two penalties (per-operator and terminal-wide).
pub fn worse(a: Penalty, b: Penalty) -> Penalty {
    match (a, b) {
        (Penalty::UntilAdmin, _) | (_, Penalty::UntilAdmin) => Penalty::UntilAdmin,
        (Penalty::Wait { secs: x }, Penalty::Wait { secs: y }) => Penalty::Wait { secs: x.max(y) },
        (w @ Penalty::Wait { .. }, _) | (_, w @ Penalty::Wait { .. }) => w,
        (Penalty::TriesLeft { tries_left: x }, Penalty::TriesLeft { tries_left: y }) => {
            Penalty::TriesLeft {
                tries_left: x.min(y),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mins(m: &[u64]) -> Vec<Duration> {
        m.iter().map(|m| Duration::from_secs(m * 60)).collect()
    }

    fn operator() -> Schedule {
        Schedule {
            free_tries: 5,
            waits: mins(&[1, 5, 15, 30, 60]),
            beyond: Beyond::Repeat,
            until_admin_after: Some(10),
        }
    }

    #[test]
    fn default_operator_schedule() {
        let s = operator();
        let got: Vec<Penalty> = (1..=11).map(|n| s.penalty(n)).collect();
        use Penalty::*;
        assert_eq!(
            got,
            vec![
                TriesLeft { tries_left: 4 },
                TriesLeft { tries_left: 3 },
                TriesLeft { tries_left: 2 },
                TriesLeft { tries_left: 1 },
                Wait { secs: 60 },
                Wait { secs: 300 },
                Wait { secs: 900 },
                Wait { secs: 1800 },
                Wait { secs: 3600 },
                UntilAdmin,
                UntilAdmin,
            ]
        );
    }

    #[test]
    fn admin_waits_double_to_a_cap_and_never_lock_for_good() {
        let s = Schedule {
            beyond: Beyond::Double {
                cap: Duration::from_secs(24 * 3600),
            },
            until_admin_after: None,
            ..operator()
        };
        let secs = |n| match s.penalty(n) {
            Penalty::Wait { secs } => secs,
            p => panic!("{p:?}"),
        };
        assert_eq!(secs(9), 3600);
        assert_eq!(secs(10), 7200);
        assert_eq!(secs(11), 14400);
        assert_eq!(secs(14), 86400);
        assert_eq!(secs(1000), 86400);
        assert_eq!(secs(u32::MAX), 86400);
    }

    #[test]
    fn counter_gates_until_deadline() {
        let s = operator();
        let mut c = Counter::default();
        let t = PowerTime(10_000);
        for _ in 0..4 {
            c.fail(&s, t);
        }
        assert_eq!(c.gate(t), Gate::Open);
        assert_eq!(c.fail(&s, t), Penalty::Wait { secs: 60 });
        assert_eq!(c.gate(t), Gate::Wait { secs: 60 });
        assert_eq!(c.gate(t.plus_ms(59_001)), Gate::Wait { secs: 1 });
        assert_eq!(c.gate(t.plus_ms(60_000)), Gate::Open);
        assert!(c.waiting(t));
        c.reset();
        assert!(c.is_clear());
    }

    #[test]
    fn combining_takes_the_stricter() {
        use Penalty::*;
        assert_eq!(
            worse(TriesLeft { tries_left: 3 }, TriesLeft { tries_left: 1 }),
            TriesLeft { tries_left: 1 }
        );
        assert_eq!(
            worse(TriesLeft { tries_left: 3 }, Wait { secs: 5 }),
            Wait { secs: 5 }
        );
        assert_eq!(
            worse(Wait { secs: 60 }, Wait { secs: 5 }),
            Wait { secs: 60 }
        );
        assert_eq!(worse(Wait { secs: 60 }, UntilAdmin), UntilAdmin);
        assert_eq!(
            stricter(Gate::Open, Gate::Wait { secs: 3 }),
            Gate::Wait { secs: 3 }
        );
        assert_eq!(
            stricter(Gate::Wait { secs: 9 }, Gate::Wait { secs: 3 }),
            Gate::Wait { secs: 9 }
        );
        assert_eq!(
            stricter(Gate::UntilAdmin, Gate::Wait { secs: 3 }),
            Gate::UntilAdmin
        );
    }
}
