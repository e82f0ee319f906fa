//! Compiled floors: the settings a config file cannot weaken.
//!
//! A till's security must not hinge on a careful config file: a typo or a
//! "temporary" test value would otherwise switch the lockout off in the
//! field. Each floor below is refused by [`check`] with the file's line
//! (see [`locate`]), as `tillctl check-config` shows it. The numbers follow
//! PCI DSS v4 requirement 8.3.4 (lock after at most 10 attempts, for at
//! least 30 minutes or until an administrator unlocks) and the OWASP
//! guidance on PIN length; admins on the till may only tighten them.

use super::Config;
use crate::core::lockout::{Penalty, Schedule};
use std::time::Duration;

/// Most free tries a schedule may give before its first wait.
pub const MAX_FREE_TRIES: u32 = 10;
/// The 10th failure in a row must lead to at least this wait...
pub const TENTH_FAILURE_WAIT: Duration = Duration::from_secs(30 * 60);
/// ...or to a lock until an admin unlocks.
pub const TENTH: u32 = 10;
/// The terminal-wide rate: at most this burst...
pub const MAX_TERMINAL_BURST: u32 = 20;
/// ...then at most one failure per this interval...
pub const MIN_TERMINAL_EVERY: Duration = Duration::from_secs(10);
/// ...and at least one per this, so staff wait at most a minute after a
/// stranger stops (a longer pause would be a denial of service).
pub const MAX_TERMINAL_EVERY: Duration = Duration::from_secs(60);
/// Shortest cashier PIN a policy may allow.
pub const MIN_OPERATOR_LENGTH: u32 = 4;
/// Shortest admin password a policy may allow.
pub const MIN_ADMIN_LENGTH: u32 = 8;
/// Longest a recovery code may stay good.
pub const MAX_CODE_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);
/// Most wrong codes one challenge may take.
pub const MAX_BAD_CODES: u32 = 10;

/// A floor a config breaks: the key (as a path of names) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// Where, e.g. `["lockout", "operator", "free_tries"]`.
    pub path: Vec<&'static str>,
    /// What is wrong and what the floor is.
    pub message: String,
}

fn breach(path: &[&'static str], message: String) -> Breach {
    Breach {
        path: path.to_vec(),
        message,
    }
}

fn human(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// Whether the 10th failure in a row (and every one after it) waits at
/// least [`TENTH_FAILURE_WAIT`] or locks until an admin.
fn strong_enough(s: &Schedule) -> Result<(), String> {
    let last = TENTH
        + u32::try_from(s.waits.len())
            .unwrap_or(u32::MAX)
            .saturating_add(40);
    for n in TENTH..=last {
        match s.penalty(n) {
            Penalty::UntilAdmin => return Ok(()),
            Penalty::Wait { secs } if secs >= TENTH_FAILURE_WAIT.as_secs() => {}
            p => {
                let what = match p {
                    Penalty::Wait { secs } => {
                        format!("a wait of {}", human(Duration::from_secs(secs)))
                    }
                    _ => "no wait".into(),
                };
                return Err(format!(
                    "failure {n} in a row leads to {what}: from the 10th on, each must wait at least {} or lock until an admin unlocks (PCI DSS 8.3.4)",
                    human(TENTH_FAILURE_WAIT)
                ));
            }
        }
    }
    Ok(())
}

/// The first floor `c` breaks, if any.
///
/// Long on purpose: one check per security floor, in the order the docs list them.
pub fn check(c: &Config) -> Result<(), Breach> {
    if c.bundle.watch_dir.is_some() && c.bundle.public_key.is_none() {
        return Err(breach(
            &["bundle", "watch_dir"],
            "a watched bundle directory needs bundle.public_key: without it any file dropped there would be trusted".into(),
        ));
    }
    let s = c.settings();
    let l = &c.lockout;
    for (who, free) in [
        ("operator", l.operator.free_tries),
        ("admin", l.admin.free_tries),
    ] {
        if free > MAX_FREE_TRIES {
            return Err(breach(
                &["lockout", who, "free_tries"],
                format!("{free} free tries is more than {MAX_FREE_TRIES}, the most allowed"),
            ));
        }
    }
    if let Err(m) = strong_enough(&s.operator_lockout) {
        let key = if l.operator.lock_until_admin_after == 0
            || l.operator.lock_until_admin_after > TENTH
        {
            "lock_until_admin_after"
        } else {
            "waits"
        };
        return Err(breach(&["lockout", "operator", key], m));
    }
    if let Err(m) = strong_enough(&s.admin_lockout) {
        return Err(breach(&["lockout", "admin", "waits"], m));
    }
    let t = &l.terminal;
    if !(1..=MAX_TERMINAL_BURST).contains(&t.burst) {
        return Err(breach(
            &["lockout", "terminal", "burst"],
            format!("burst must be 1 to {MAX_TERMINAL_BURST}, not {}", t.burst),
        ));
    }
    if !(MIN_TERMINAL_EVERY..=MAX_TERMINAL_EVERY).contains(&t.every.0) {
        return Err(breach(
            &["lockout", "terminal", "every"],
            format!(
                "every must be {} to {} (longer pauses lock staff out; shorter ones let guessing run)",
                human(MIN_TERMINAL_EVERY),
                human(MAX_TERMINAL_EVERY)
            ),
        ));
    }
    let p = &c.policy;
    if p.operator_length.min < MIN_OPERATOR_LENGTH {
        return Err(breach(
            &["policy", "operator_length"],
            format!(
                "cashier PINs of {} digits are too short: at least {MIN_OPERATOR_LENGTH}",
                p.operator_length.min
            ),
        ));
    }
    if p.admin_length.min < MIN_ADMIN_LENGTH {
        return Err(breach(
            &["policy", "admin_length"],
            format!(
                "admin passwords of {} characters are too short: at least {MIN_ADMIN_LENGTH}",
                p.admin_length.min
            ),
        ));
    }
    let r = &c.recovery;
    if r.code_lifetime.0 > MAX_CODE_LIFETIME {
        return Err(breach(
            &["recovery", "code_lifetime"],
            format!(
                "a recovery code may stay good for at most {}",
                human(MAX_CODE_LIFETIME)
            ),
        ));
    }
    if !(1..=MAX_BAD_CODES).contains(&r.max_bad_codes_per_challenge) {
        return Err(breach(
            &["recovery", "max_bad_codes_per_challenge"],
            format!("must be 1 to {MAX_BAD_CODES}"),
        ));
    }
    if r.free_tries > MAX_FREE_TRIES {
        return Err(breach(
            &["recovery", "free_tries"],
            format!(
                "{} free tries is more than {MAX_FREE_TRIES}, the most allowed",
                r.free_tries
            ),
        ));
    }
    if let Err(m) = strong_enough(&s.recovery_lockout) {
        return Err(breach(&["recovery", "waits"], m));
    }
    Ok(())
}

/// The 1-based line and column of the key at `path` in block-style YAML
/// `text`; if that key is not written out (a default), the deepest of its
/// parents that is; `(1, 1)` if none is. (serde_yaml gives no position for
/// a rule that spans several keys, so the floors find their own.)
pub fn locate(text: &str, path: &[&str]) -> (usize, usize) {
    let mut stack: Vec<(usize, &str)> = Vec::new();
    let mut best = (0, (1, 1));
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let indent = line.len() - body.len();
        let Some((key, _)) = body.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(['"', '\'']);
        if key.is_empty() || key.contains([' ', '{', '[', '-']) {
            continue;
        }
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, key));
        let depth = stack
            .iter()
            .zip(path)
            .take_while(|((_, k), p)| k == *p)
            .count();
        if depth == stack.len() && depth > best.0 {
            best = (depth, (n + 1, indent + 1));
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_by_path_and_fall_back_to_their_parent() {
        let text = "# c\nlockout:\n  admin:\n    waits: [1m]\n  operator:\n    free_tries: 3\n    # note\n    waits: [1m]\npolicy: {history: 2}\n";
        assert_eq!(locate(text, &["lockout", "operator", "waits"]), (8, 5));
        assert_eq!(locate(text, &["lockout", "operator", "free_tries"]), (6, 5));
        assert_eq!(locate(text, &["lockout", "admin", "waits"]), (4, 5));
        assert_eq!(
            locate(text, &["lockout", "terminal", "burst"]),
            (2, 1),
            "the parent"
        );
        assert_eq!(
            locate(text, &["policy", "admin_length"]),
            (9, 1),
            "flow style: the parent"
        );
        assert_eq!(locate(text, &["recovery"]), (1, 1));
    }

    #[test]
    fn the_defaults_pass_every_floor() {
        assert_eq!(check(&Config::default()), Ok(()));
    }
}
