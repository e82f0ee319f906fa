//! Escalating waits after failed attempts.
//!
//! Two mechanisms:
//!
//! * [`Schedule`] + [`Counter`]: escalating waits per operator number (for
//!   known and unknown numbers alike) and for recovery codes. A schedule
//!   allows some free tries, then imposes waits from a list; after the list
//!   it either repeats the last wait or doubles it up to a cap, and it may
//!   lock until an admin unlocks.
//! * [`Rate`] + [`RateState`]: the terminal as a whole, so that trying many
//!   numbers is slowed too. It is a rate, not an escalation: a burst of
//!   failures, then one more every interval (a token bucket kept as one
//!   deadline). An escalating till-wide lock would be a denial of service:
//!   a customer typing made-up numbers would lock out every cashier and the
//!   admin. With a rate, a legitimate operator waits at most one interval
//!   after the stranger stops, while guessing stays slow.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// No wait for this number, but the whole till is paused this long:
    /// too many failures across all numbers.
    Paused {
        /// How long.
        secs: u64,
    },
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
    /// The whole till is paused this many more seconds (the terminal-wide
    /// rate), whatever the number.
    Paused {
        /// Seconds remaining, rounded up.
        secs: u64,
    },
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
            // A schedule never pauses the till; only the terminal rate does.
            Penalty::Paused { .. } => {}
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

/// The stricter of two gates: until-admin first, then the longer wait (a
/// tie goes to the number's own wait, which says more to the person).
pub fn stricter(a: Gate, b: Gate) -> Gate {
    fn rank(g: &Gate) -> (u8, u64, u8) {
        match g {
            Gate::UntilAdmin => (2, 0, 0),
            Gate::Wait { secs } => (1, *secs, 1),
            Gate::Paused { secs } => (1, *secs, 0),
            Gate::Open => (0, 0, 0),
        }
    }
    if rank(&b) > rank(&a) { b } else { a }
}

/// The stricter of two penalties (per-operator and terminal-wide): until
/// an admin, then the longer wait or pause (a tie to the number's own),
/// then the fewer tries left.
pub fn worse(a: Penalty, b: Penalty) -> Penalty {
    fn rank(p: &Penalty) -> (u8, u64, u8) {
        match p {
            Penalty::UntilAdmin => (3, 0, 0),
            Penalty::Wait { secs } => (2, *secs, 1),
            Penalty::Paused { secs } => (2, *secs, 0),
            Penalty::TriesLeft { tries_left } => (1, u64::from(u32::MAX - tries_left), 0),
        }
    }
    if rank(&b) > rank(&a) { b } else { a }
}

/// The terminal-wide rate: up to `burst` failures at once, then one more
/// every `every`. After an attacker stops, a legitimate operator waits at
/// most `every`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Failures allowed back to back.
    pub burst: u32,
    /// Then one more per this interval.
    pub every: Duration,
}

impl Rate {
    fn every_ms(&self) -> u64 {
        u64::try_from(self.every.as_millis()).unwrap_or(u64::MAX)
    }

    /// How much unpaid time the bucket holds before it refuses.
    fn allowance_ms(&self) -> u64 {
        self.every_ms()
            .saturating_mul(u64::from(self.burst.max(1).saturating_sub(1)))
    }
}

/// The terminal-wide rate's state, as stored: the powered-on time at which
/// every failure so far is paid back (the bucket is full again).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateState {
    /// When the bucket is full again; `None`: it is full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_at: Option<PowerTime>,
}

impl RateState {
    fn debt_ms(&self, now: PowerTime) -> u64 {
        self.full_at.map_or(0, |t| t.0.saturating_sub(now.0))
    }

    /// Seconds the till is paused at `now` (`None`: attempts are allowed).
    pub fn paused(&self, rate: &Rate, now: PowerTime) -> Option<u64> {
        let over = self.debt_ms(now).checked_sub(rate.allowance_ms())?;
        (over > 0).then(|| over.div_ceil(1000))
    }

    /// Charges one failure at `now`; returns how long the till is paused
    /// after it (`None`: not paused).
    pub fn fail(&mut self, rate: &Rate, now: PowerTime) -> Option<u64> {
        let from = self.full_at.filter(|t| *t > now).unwrap_or(now);
        self.full_at = Some(from.plus_ms(rate.every_ms()));
        self.paused(rate, now)
    }

    /// Takes back one charged failure (the attempt turned out right).
    pub fn refund(&mut self, rate: &Rate, now: PowerTime) {
        self.full_at = self
            .full_at
            .map(|t| PowerTime(t.0.saturating_sub(rate.every_ms())))
            .filter(|t| *t > now);
    }

    /// Empties the debt (a technician's `tillctl unlock-terminal`).
    pub fn clear(&mut self) {
        self.full_at = None;
    }

    /// Whether the pause is running, so powered-on time must be checkpointed.
    pub fn waiting(&self, rate: &Rate, now: PowerTime) -> bool {
        self.paused(rate, now).is_some()
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

    fn minute_rate() -> Rate {
        Rate {
            burst: 10,
            every: Duration::from_secs(60),
        }
    }

    #[test]
    fn the_terminal_rate_allows_a_burst_then_one_a_minute() {
        let r = minute_rate();
        let mut st = RateState::default();
        let t = PowerTime(1_000_000);
        for n in 1..10 {
            assert_eq!(st.fail(&r, t), None, "failure {n} is within the burst");
        }
        assert_eq!(st.fail(&r, t), Some(60), "the tenth pauses the till");
        assert_eq!(st.paused(&r, t.plus_ms(59_500)), Some(1));
        assert_eq!(st.paused(&r, t.plus_ms(60_000)), None, "one more a minute");
        assert_eq!(st.fail(&r, t.plus_ms(60_000)), Some(60));
        // It never escalates: however long a stranger keeps going, the
        // pause after their last failure is one interval.
        let mut now = t.plus_ms(120_000);
        for _ in 0..1000 {
            assert_eq!(st.paused(&r, now), None);
            assert_eq!(st.fail(&r, now), Some(60));
            now = now.plus_ms(60_000);
        }
        // And it drains: after ten quiet minutes the burst is back.
        let later = now.plus_ms(10 * 60_000);
        for _ in 1..10 {
            assert_eq!(st.fail(&r, later), None);
        }
    }

    #[test]
    fn a_right_password_takes_its_charge_back() {
        let r = minute_rate();
        let mut st = RateState::default();
        let t = PowerTime(5_000);
        for _ in 0..9 {
            st.fail(&r, t);
        }
        // A cashier signing in at once: charged, then refunded.
        st.fail(&r, t);
        st.refund(&r, t);
        assert_eq!(st.paused(&r, t), None);
        // Busy shops: sign-ins that succeed never pause the till.
        let mut ok = RateState::default();
        for _ in 0..1000 {
            ok.fail(&r, t);
            ok.refund(&r, t);
        }
        assert_eq!(ok, RateState::default());
    }

    #[test]
    fn a_right_password_refunds_its_own_charge_not_a_strangers_debt() {
        let r = minute_rate();
        let mut st = RateState::default();
        let t = PowerTime(5_000);
        for _ in 0..10 {
            st.fail(&r, t);
        }
        assert_eq!(
            st.paused(&r, t),
            Some(60),
            "a stranger's ten pause the till"
        );
        // A cashier's right password after the pause: their own charge
        // comes back, the stranger's ten stay owed.
        let after = t.plus_ms(60_000);
        st.fail(&r, after);
        st.refund(&r, after);
        assert_eq!(st.paused(&r, after), None);
        assert_eq!(
            st.fail(&r, after),
            Some(60),
            "the next wrong one pauses again"
        );
    }

    #[test]
    fn the_pause_needs_checkpoints_while_it_runs_and_a_technician_can_end_it() {
        let r = minute_rate();
        let mut st = RateState::default();
        let t = PowerTime(5_000);
        assert!(!st.waiting(&r, t), "nothing owed: no pause to keep");
        for _ in 0..10 {
            st.fail(&r, t);
        }
        assert!(st.waiting(&r, t));
        assert!(!st.waiting(&r, t.plus_ms(60_000)), "the pause is over");
        // tillctl unlock-terminal.
        st.fail(&r, t.plus_ms(60_000));
        assert!(st.waiting(&r, t.plus_ms(60_000)));
        st.clear();
        assert_eq!(st, RateState::default());
        assert_eq!(st.paused(&r, t.plus_ms(60_000)), None);
        for n in 1..10 {
            assert_eq!(
                st.fail(&r, t.plus_ms(60_000)),
                None,
                "failure {n}: the burst is back"
            );
        }
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
        assert_eq!(
            stricter(Gate::Wait { secs: 30 }, Gate::Paused { secs: 60 }),
            Gate::Paused { secs: 60 }
        );
        assert_eq!(
            stricter(Gate::Paused { secs: 60 }, Gate::Wait { secs: 60 }),
            Gate::Wait { secs: 60 },
            "a tie goes to the number's own wait"
        );
        assert_eq!(
            worse(TriesLeft { tries_left: 3 }, Paused { secs: 60 }),
            Paused { secs: 60 }
        );
        assert_eq!(
            worse(Wait { secs: 300 }, Paused { secs: 60 }),
            Wait { secs: 300 }
        );
    }

    #[test]
    fn the_fewer_tries_left_win_however_many_free_tries_a_schedule_gives() {
        use Penalty::TriesLeft;
        // A schedule may give many free tries (the config does not cap
        // them); the person must still be told the smaller number left.
        for (a, b) in [(100_001, 100_000), (u32::MAX, u32::MAX - 1), (2, 1)] {
            assert_eq!(
                worse(TriesLeft { tries_left: a }, TriesLeft { tries_left: b }),
                TriesLeft { tries_left: b }
            );
            assert_eq!(
                worse(TriesLeft { tries_left: b }, TriesLeft { tries_left: a }),
                TriesLeft { tries_left: b }
            );
        }
    }
}
