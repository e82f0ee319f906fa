//! How many guesses the throttles allow, computed rather than claimed.
//!
//! [`simulate`] plays the most patient attacker there is against the real
//! [`Counter`]s and the real terminal-wide [`RateState`]: every powered-on
//! millisecond it may, it types a wrong password at whichever number is
//! open and has had the fewest guesses (spreading maximises the total; a
//! single number shows the most any one PIN can get). The numbers in
//! `docs/security.md` come from here (see the tests below).

use super::lockout::{Counter, Gate, RateState};
use super::operator::Role;
use super::power::PowerTime;
use super::till::Settings;
use std::time::Duration;

/// What an attacker managed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attack {
    /// Wrong guesses typed at each number.
    pub per_number: Vec<u32>,
    /// All of them.
    pub total: u32,
}

/// Guesses an attacker gets in `time` of powered-on time at numbers with
/// these `roles` (an unknown number follows the cashier schedule), with
/// nobody unlocking anything meanwhile.
pub fn simulate(settings: &Settings, roles: &[Role], time: Duration) -> Attack {
    let end = PowerTime(u64::try_from(time.as_millis()).unwrap_or(u64::MAX));
    let mut now = PowerTime(0);
    let mut counters = vec![Counter::default(); roles.len()];
    let mut per_number = vec![0u32; roles.len()];
    let mut rate = RateState::default();
    let schedule = |r: Role| match r {
        Role::Admin => &settings.admin_lockout,
        Role::Operator => &settings.operator_lockout,
    };
    while now < end {
        if let Some(secs) = rate.paused(&settings.terminal_rate, now) {
            now = now.plus_ms(secs.saturating_mul(1000));
            continue;
        }
        let open = (0..roles.len())
            .filter(|&i| counters[i].gate(now) == Gate::Open)
            .min_by_key(|&i| per_number[i]);
        match open {
            Some(i) => {
                counters[i].fail(schedule(roles[i]), now);
                rate.fail(&settings.terminal_rate, now);
                per_number[i] += 1;
            }
            None => {
                // Wait for the first timed lockout to end; none: all locked
                // until an admin, and the attacker is done.
                let next = counters
                    .iter()
                    .filter_map(|c| match c.gate(now) {
                        Gate::Wait { secs } => Some(secs),
                        _ => None,
                    })
                    .min();
                match next {
                    Some(secs) => now = now.plus_ms(secs.saturating_mul(1000)),
                    None => break,
                }
            }
        }
    }
    Attack {
        total: per_number.iter().sum(),
        per_number,
    }
}

/// Attempts one throttle (a recovery code's, say) allows in `time`,
/// trying whenever it is open.
pub fn tries_within(schedule: &super::lockout::Schedule, time: Duration) -> u32 {
    let end = PowerTime(u64::try_from(time.as_millis()).unwrap_or(u64::MAX));
    let (mut now, mut c, mut n) = (PowerTime(0), Counter::default(), 0);
    while now < end {
        match c.gate(now) {
            Gate::Open => {
                c.fail(schedule, now);
                n += 1;
            }
            Gate::Wait { secs } => now = now.plus_ms(secs.saturating_mul(1000)),
            Gate::UntilAdmin | Gate::Paused { .. } => break,
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::operator::OperatorId;
    use crate::core::policy::{Candidate, PasswordPolicy};
    use crate::core::secret::Secret;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    /// Six-digit PINs the default policy accepts for a cashier: the space
    /// a guesser must search (the policy's own rules shrink it, and the
    /// attacker is assumed to know them).
    fn valid_six_digit_pins() -> u32 {
        static COUNT: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
        *COUNT.get_or_init(count_valid_six_digit_pins)
    }

    fn count_valid_six_digit_pins() -> u32 {
        let policy = PasswordPolicy::default();
        let mut ok = 0;
        for n in 0..1_000_000u32 {
            let pw = Secret::new(format!("{n:06}"));
            let c = Candidate {
                password: &pw,
                id: OperatorId::new(7).expect("valid"),
                name: "Li Wei",
                role: Role::Operator,
            };
            if policy.check(&c).is_ok() {
                ok += 1;
            }
        }
        ok
    }

    #[test]
    fn a_day_of_guessing_at_all_numbers_has_below_a_tenth_of_a_percent_chance_at_any_pin() {
        let s = Settings::default();
        // Every number in use: 00 an admin, the rest cashiers (unknown
        // numbers behave as cashiers anyway).
        let mut roles = vec![Role::Admin];
        roles.extend(std::iter::repeat_n(Role::Operator, 99));
        let spread = simulate(&s, &roles, DAY);
        let most_at_admin = simulate(&s, &[Role::Admin], DAY).total;
        let most_at_cashier = simulate(&s, &[Role::Operator], DAY).total;
        let most = most_at_admin.max(most_at_cashier);
        let space = valid_six_digit_pins();
        let one_pin = f64::from(most) / f64::from(space);
        let any_of_all = f64::from(spread.total) / f64::from(space);
        println!(
            "24 h at all numbers: {} guesses in all; at most {most_at_admin} at an admin \
             number, {most_at_cashier} at a cashier's; {space} valid 6-digit PINs; \
             chance at any one PIN {:.4} %; at least one of 100 in-use PINs {:.4} %",
            spread.total,
            one_pin * 100.0,
            any_of_all * 100.0
        );
        assert!(
            spread.per_number.iter().all(|&n| n <= most),
            "spreading never gets more at one number than focusing"
        );
        assert!(one_pin < 0.001, "{one_pin}");
        // The per-number limits are what bind, not the terminal rate.
        assert_eq!(most_at_cashier, 10);
        assert!(space > 800_000, "{space}");
    }

    #[test]
    fn a_shops_real_operators_and_the_recovery_code() {
        let s = Settings::default();
        let mut roles = vec![Role::Admin];
        roles.extend(std::iter::repeat_n(Role::Operator, 99));
        let spread = simulate(&s, &roles, DAY);
        let space = f64::from(valid_six_digit_pins());
        // A shop uses numbers 00..k-1; the attacker cannot tell which.
        for k in [10usize, 30, 100] {
            let hits: u32 = spread.per_number[..k].iter().sum();
            println!(
                "{k} operators with 6-digit PINs: {hits} of the day's guesses land on them: {:.4} % that one is hit",
                f64::from(hits) / space * 100.0
            );
        }
        let codes = tries_within(&s.recovery_lockout, DAY);
        let chance = f64::from(codes) / 1e12;
        println!("recovery: {codes} codes in 24 h against 10^12: {chance:.1e}");
        assert_eq!(codes, 9);
        assert!(chance < 1e-10);
    }

    #[test]
    fn the_terminal_rate_bounds_the_total() {
        let s = Settings::default();
        // A thousand numbers that never lock (a pathological schedule):
        // only the rate limits them, to the burst at once and then one a
        // minute (the first a minute after the burst) until the day ends.
        let mut loose = s.clone();
        loose.operator_lockout.until_admin_after = None;
        loose.operator_lockout.free_tries = u32::MAX;
        let roles = vec![Role::Operator; 1000];
        let a = simulate(&loose, &roles, DAY);
        assert_eq!(a.total, 10 + (24 * 60 - 1));
    }
}
