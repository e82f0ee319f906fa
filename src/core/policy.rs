//! The password policy and its reasons for saying no.
//!
//! The manuals of bank-card POS terminals warn against weak PINs and ask for
//! periodic change; here that is a policy with rules that can each be
//! switched off in config, and an admin may tighten it from the UI but never
//! loosen it below the config ([`PasswordPolicy::at_least`]).
//!
//! Every refusal is a [`Rejection`] with a message in English and Chinese,
//! so the UI and `tillctl` can say exactly what to change.
//!
//! Longer than the ~600 lines a file should have, on purpose: about 540
//! lines of rules and 200 of their tests, each rule next to the cases that
//! pin it down.

use super::blocklist;
use super::i18n::{Lang, Localized};
use super::operator::{OperatorId, Role};
use super::secret::Secret;
use serde::{Deserialize, Serialize};

/// Allowed password lengths for one role, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawLength")]
pub struct LengthRule {
    /// Shortest allowed.
    pub min: u32,
    /// Longest allowed.
    pub max: u32,
}

/// The longest password the till accepts at all (argon2 hashes anything,
/// but an endless paste should not tie up the UI).
pub const ABSOLUTE_MAX_LENGTH: u32 = 128;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLength {
    min: u32,
    max: u32,
}

impl TryFrom<RawLength> for LengthRule {
    type Error = String;
    fn try_from(r: RawLength) -> Result<Self, String> {
        if r.min == 0 {
            Err("min must be at least 1".into())
        } else if r.min > r.max {
            Err(format!("min ({}) is greater than max ({})", r.min, r.max))
        } else if r.max > ABSOLUTE_MAX_LENGTH {
            Err(format!("max ({}) is above {ABSOLUTE_MAX_LENGTH}", r.max))
        } else {
            Ok(LengthRule {
                min: r.min,
                max: r.max,
            })
        }
    }
}

/// The password rules. `0` switches a numeric rule off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordPolicy {
    /// Length for cashiers.
    pub operator_length: LengthRule,
    /// Length for admins.
    pub admin_length: LengthRule,
    /// Cashier passwords are PINs, typed on the numeric keypad.
    pub operator_digits_only: bool,
    /// Refuse passwords on the built-in list of common ones.
    pub blocklist: bool,
    /// Longest run of one character (`1111` is a run of 4). 0 = no limit.
    pub max_identical_run: u32,
    /// Longest run of consecutive characters (`1234`, `4321`, `abcd`). 0 = no limit.
    pub max_sequential_run: u32,
    /// Refuse a short block repeated (`121212`, `123123`).
    pub reject_repeating_patterns: bool,
    /// Refuse a 6- or 8-digit date (YYMMDD, DDMMYY, MMDDYY, YYYYMMDD, ...).
    pub reject_dates: bool,
    /// Refuse a password containing the operator number or name.
    pub reject_number_or_name: bool,
    /// How many earlier passwords may not be reused. 0 = only "not the same as now".
    pub history: u32,
    /// Days a password lasts. 0 = never expires.
    pub max_age_days: u32,
    /// Days before expiry to start warning.
    pub warn_days: u32,
    /// Roles that sign in with their badge and their password (two
    /// factors); the password alone is then refused as a wrong one.
    #[serde(default)]
    pub require_badge: RequireBadge,
}

/// `policy.require_badge`: which roles need their badge to sign in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RequireBadge {
    /// Admins.
    pub admin: bool,
    /// Cashiers.
    pub operator: bool,
}

impl RequireBadge {
    /// Whether `role` needs its badge.
    pub fn for_role(self, role: Role) -> bool {
        match role {
            Role::Admin => self.admin,
            Role::Operator => self.operator,
        }
    }
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            operator_length: LengthRule { min: 6, max: 64 },
            admin_length: LengthRule { min: 8, max: 64 },
            operator_digits_only: true,
            blocklist: true,
            max_identical_run: 3,
            max_sequential_run: 3,
            reject_repeating_patterns: true,
            reject_dates: true,
            reject_number_or_name: true,
            history: 4,
            max_age_days: 90,
            warn_days: 7,
            require_badge: RequireBadge::default(),
        }
    }
}

/// Why a new password was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// Fewer characters than the role's minimum.
    #[error("too short: at least {min} characters")]
    TooShort {
        /// The minimum.
        min: u32,
    },
    /// More characters than the role's maximum.
    #[error("too long: at most {max} characters")]
    TooLong {
        /// The maximum.
        max: u32,
    },
    /// A cashier PIN with something other than digits.
    #[error("cashier passwords may contain digits only")]
    DigitsOnly,
    /// A control character (newline, tab, escape).
    #[error("the password contains a control character")]
    ControlCharacter,
    /// One character repeated too often in a row.
    #[error("more than {max} identical characters in a row")]
    IdenticalRun {
        /// The longest run allowed.
        max: u32,
    },
    /// A straight run up or down.
    #[error("more than {max} consecutive characters in a row (like 1234 or 4321)")]
    SequentialRun {
        /// The longest run allowed.
        max: u32,
    },
    /// A short block repeated.
    #[error("a repeating pattern (like 121212 or 123123)")]
    RepeatingPattern,
    /// Reads as a date, such as a birthday.
    #[error("looks like a date")]
    LooksLikeDate,
    /// Contains the operator's own number.
    #[error("contains the operator number")]
    ContainsNumber,
    /// Contains the operator's name.
    #[error("contains the operator's name")]
    ContainsName,
    /// On the list of common PINs and passwords.
    #[error("one of the most common passwords")]
    Blocklisted,
    /// The new password is the current one.
    #[error("the new password is the same as the old one")]
    SameAsOld,
    /// One of the last few passwords.
    #[error("used recently: may not reuse the last {history} passwords")]
    RecentlyUsed {
        /// How many earlier passwords are remembered.
        history: u32,
    },
    /// The two entries of the new password differ.
    #[error("the two new passwords do not match")]
    ConfirmMismatch,
}

impl Localized for Rejection {
    fn message(&self, lang: Lang) -> String {
        use Rejection::*;
        match *self {
            TooShort { min } => lang.pick(
                format!("Too short: use at least {min} characters."),
                format!("密码太短：至少需要 {min} 位。"),
            ),
            TooLong { max } => lang.pick(
                format!("Too long: use at most {max} characters."),
                format!("密码太长：最多 {max} 位。"),
            ),
            DigitsOnly => lang.pick(
                "Cashier passwords may contain digits only.",
                "收银员密码只能使用数字。",
            ),
            ControlCharacter => lang.pick(
                "The password contains a character that cannot be typed.",
                "密码中含有无法输入的字符。",
            ),
            IdenticalRun { max } => lang.pick(
                format!("No more than {max} identical characters in a row (like 1111)."),
                format!("同一字符不能连续出现超过 {max} 次（例如 1111）。"),
            ),
            SequentialRun { max } => lang.pick(
                format!("No more than {max} consecutive characters in a row (like 1234 or 4321)."),
                format!("不能有超过 {max} 位的连续字符（例如 1234 或 4321）。"),
            ),
            RepeatingPattern => lang.pick(
                "Too easy to guess: a repeating pattern (like 121212 or 123123).",
                "太容易被猜到：不能使用重复的组合（例如 121212 或 123123）。",
            ),
            LooksLikeDate => lang.pick(
                "Too easy to guess: it looks like a date, such as a birthday.",
                "太容易被猜到：看起来像日期（例如生日）。",
            ),
            ContainsNumber => lang.pick(
                "The password must not contain your operator number.",
                "密码中不能包含您的操作员编号。",
            ),
            ContainsName => lang.pick(
                "The password must not contain your name.",
                "密码中不能包含您的姓名。",
            ),
            Blocklisted => lang.pick(
                "Too easy to guess: this is one of the most common passwords.",
                "太容易被猜到：这是最常用的密码之一。",
            ),
            SameAsOld => lang.pick(
                "The new password must be different from the old one.",
                "新密码不能与旧密码相同。",
            ),
            RecentlyUsed { history } => lang.pick(
                format!(
                    "You used this password recently: choose one not among your last {history}."
                ),
                format!("该密码最近使用过：不能与最近 {history} 次的密码相同。"),
            ),
            ConfirmMismatch => lang.pick(
                "The two new passwords do not match.",
                "两次输入的新密码不一致。",
            ),
        }
    }
}

/// Who a new password is for: the rules depend on role, number and name.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The new password.
    pub password: &'a Secret,
    /// The operator's number.
    pub id: OperatorId,
    /// The operator's display name.
    pub name: &'a str,
    /// The operator's role.
    pub role: Role,
}

impl PasswordPolicy {
    /// The length rule for `role`.
    pub fn length_for(&self, role: Role) -> LengthRule {
        match role {
            Role::Operator => self.operator_length,
            Role::Admin => self.admin_length,
        }
    }

    /// Whether passwords for `role` are digits only.
    pub fn digits_only(&self, role: Role) -> bool {
        role == Role::Operator && self.operator_digits_only
    }

    /// Checks the rules that need nothing but the password and its owner.
    /// (History and "same as old" need the stored hashes; the caller checks
    /// those, see [`crate::core::till`].)
    pub fn check(&self, c: &Candidate<'_>) -> Result<(), Rejection> {
        let pw = c.password.expose();
        // Every copy of the password made here is wiped when dropped.
        let chars = super::secret::wiped_chars(pw);
        let len = u32::try_from(chars.len()).unwrap_or(u32::MAX);
        let rule = self.length_for(c.role);
        if len < rule.min {
            return Err(Rejection::TooShort { min: rule.min });
        }
        if len > rule.max {
            return Err(Rejection::TooLong { max: rule.max });
        }
        if chars.iter().any(|c| c.is_control()) {
            return Err(Rejection::ControlCharacter);
        }
        if self.digits_only(c.role) && !chars.iter().all(char::is_ascii_digit) {
            return Err(Rejection::DigitsOnly);
        }
        if self.max_identical_run > 0 && longest_identical_run(&chars) > self.max_identical_run {
            return Err(Rejection::IdenticalRun {
                max: self.max_identical_run,
            });
        }
        if self.max_sequential_run > 0 && longest_sequential_run(&chars) > self.max_sequential_run {
            return Err(Rejection::SequentialRun {
                max: self.max_sequential_run,
            });
        }
        if self.reject_repeating_patterns && is_repeating_pattern(&chars) {
            return Err(Rejection::RepeatingPattern);
        }
        if self.reject_dates && looks_like_date(pw) {
            return Err(Rejection::LooksLikeDate);
        }
        if self.reject_number_or_name {
            if pw.contains(&c.id.to_string()) {
                return Err(Rejection::ContainsNumber);
            }
            if contains_name(pw, c.name) {
                return Err(Rejection::ContainsName);
            }
        }
        if self.blocklist && blocklist::contains(pw) {
            return Err(Rejection::Blocklisted);
        }
        Ok(())
    }

    /// Every rule in force for `c.role`, each with whether `c.password`
    /// meets it on its own, for a checklist shown while typing. Ticks the
    /// same rules [`check`](PasswordPolicy::check) applies.
    pub fn checklist(&self, c: &Candidate<'_>) -> Vec<(Rejection, bool)> {
        let rule = self.length_for(c.role);
        let mut rules = vec![Rejection::TooShort { min: rule.min }];
        if self.digits_only(c.role) {
            rules.push(Rejection::DigitsOnly);
        }
        if self.max_identical_run > 0 {
            rules.push(Rejection::IdenticalRun {
                max: self.max_identical_run,
            });
        }
        if self.max_sequential_run > 0 {
            rules.push(Rejection::SequentialRun {
                max: self.max_sequential_run,
            });
        }
        if self.reject_repeating_patterns {
            rules.push(Rejection::RepeatingPattern);
        }
        if self.reject_dates {
            rules.push(Rejection::LooksLikeDate);
        }
        if self.reject_number_or_name {
            rules.push(Rejection::ContainsNumber);
            rules.push(Rejection::ContainsName);
        }
        if self.blocklist {
            rules.push(Rejection::Blocklisted);
        }
        // Each rule alone: a policy with only that rule switched on.
        let only = |r: &Rejection| -> PasswordPolicy {
            PasswordPolicy {
                operator_length: LengthRule {
                    min: 1,
                    max: ABSOLUTE_MAX_LENGTH,
                },
                admin_length: LengthRule {
                    min: 1,
                    max: ABSOLUTE_MAX_LENGTH,
                },
                operator_digits_only: matches!(r, Rejection::DigitsOnly),
                blocklist: matches!(r, Rejection::Blocklisted),
                max_identical_run: if matches!(r, Rejection::IdenticalRun { .. }) {
                    self.max_identical_run
                } else {
                    0
                },
                max_sequential_run: if matches!(r, Rejection::SequentialRun { .. }) {
                    self.max_sequential_run
                } else {
                    0
                },
                reject_repeating_patterns: matches!(r, Rejection::RepeatingPattern),
                reject_dates: matches!(r, Rejection::LooksLikeDate),
                reject_number_or_name: matches!(
                    r,
                    Rejection::ContainsNumber | Rejection::ContainsName
                ),
                ..self.clone()
            }
        };
        let empty = c.password.is_empty();
        rules
            .into_iter()
            .map(|r| {
                let ok = !empty
                    && match &r {
                        Rejection::TooShort { min } => c.password.char_count() as u32 >= *min,
                        Rejection::ContainsNumber => {
                            !c.password.expose().contains(&c.id.to_string())
                        }
                        Rejection::ContainsName => !contains_name(c.password.expose(), c.name),
                        other => only(other).check(c).is_ok(),
                    };
                (r, ok)
            })
            .collect()
    }

    /// Days until the password set at `age_days` ago expires, if the
    /// policy expires passwords. Negative once expired.
    pub fn days_left(&self, age_days: i64) -> Option<i64> {
        (self.max_age_days > 0).then(|| i64::from(self.max_age_days).saturating_sub(age_days))
    }

    /// This policy, made at least as strict as `floor` rule by rule. An admin
    /// edits the policy from the UI within the config's bounds: the config
    /// is the floor, the admin may only tighten it.
    pub fn at_least(&self, floor: &PasswordPolicy) -> PasswordPolicy {
        fn length(wanted: LengthRule, floor: LengthRule) -> LengthRule {
            let min = wanted.min.clamp(floor.min, floor.max);
            LengthRule {
                min,
                max: floor.max,
            }
        }
        // 0 means "off" for these rules; any limit is stricter than none.
        fn limit(wanted: u32, floor: u32) -> u32 {
            match (wanted, floor) {
                (0, f) => f,
                (w, 0) => w,
                (w, f) => w.min(f),
            }
        }
        let max_age_days = limit(self.max_age_days, floor.max_age_days);
        PasswordPolicy {
            operator_length: length(self.operator_length, floor.operator_length),
            admin_length: length(self.admin_length, floor.admin_length),
            // A keypad matter, not a strength one: the config decides.
            operator_digits_only: floor.operator_digits_only,
            blocklist: self.blocklist || floor.blocklist,
            max_identical_run: limit(self.max_identical_run, floor.max_identical_run),
            max_sequential_run: limit(self.max_sequential_run, floor.max_sequential_run),
            reject_repeating_patterns: self.reject_repeating_patterns
                || floor.reject_repeating_patterns,
            reject_dates: self.reject_dates || floor.reject_dates,
            reject_number_or_name: self.reject_number_or_name || floor.reject_number_or_name,
            history: self.history.max(floor.history),
            max_age_days,
            warn_days: if max_age_days == 0 {
                self.warn_days
            } else {
                self.warn_days.min(max_age_days)
            },
            require_badge: RequireBadge {
                admin: self.require_badge.admin || floor.require_badge.admin,
                operator: self.require_badge.operator || floor.require_badge.operator,
            },
        }
    }
}

fn longest_identical_run(chars: &[char]) -> u32 {
    longest_run(chars, |a, b| a == b)
}

fn longest_sequential_run(chars: &[char]) -> u32 {
    // Up or down by one; digits wrap (7890, 2109) as they do on a keypad row.
    let step = |a: char, b: char| -> Option<i32> {
        let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
        if a.is_ascii_digit() && b.is_ascii_digit() {
            match (b as i32 - a as i32).rem_euclid(10) {
                1 => Some(1),
                9 => Some(-1),
                _ => None,
            }
        } else {
            match b as i32 - a as i32 {
                d @ (1 | -1) => Some(d),
                _ => None,
            }
        }
    };
    let mut best = u32::from(!chars.is_empty());
    let (mut run, mut dir) = (1u32, 0i32);
    for w in chars.windows(2) {
        match step(w[0], w[1]) {
            Some(d) if d == dir => run += 1,
            Some(d) => {
                run = 2;
                dir = d;
            }
            None => {
                run = 1;
                dir = 0;
            }
        }
        best = best.max(run);
    }
    best
}

fn longest_run(chars: &[char], same: impl Fn(char, char) -> bool) -> u32 {
    let mut best = u32::from(!chars.is_empty());
    let mut run = 1u32;
    for w in chars.windows(2) {
        run = if same(w[0], w[1]) { run + 1 } else { 1 };
        best = best.max(run);
    }
    best
}

fn is_repeating_pattern(chars: &[char]) -> bool {
    let n = chars.len();
    (1..=n / 2).any(|p| n.is_multiple_of(p) && chars.chunks(p).all(|c| c == &chars[..p]))
}

fn looks_like_date(pw: &str) -> bool {
    if !pw.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    let valid = |m: u32, d: u32| {
        let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        (1..=12).contains(&m) && d >= 1 && d <= days[(m - 1) as usize]
    };
    let year4 = |y: u32| (1930..=2039).contains(&y);
    match pw.len() {
        // YYMMDD, DDMMYY, MMDDYY: any two-digit year is plausible.
        6 => {
            let (a, b, c) = (num(&pw[0..2]), num(&pw[2..4]), num(&pw[4..6]));
            valid(b, c) || valid(b, a) || valid(a, b)
        }
        // YYYYMMDD, DDMMYYYY, MMDDYYYY.
        8 => {
            let (y1, m1, d1) = (num(&pw[0..4]), num(&pw[4..6]), num(&pw[6..8]));
            let (a, b, y2) = (num(&pw[0..2]), num(&pw[2..4]), num(&pw[4..8]));
            (year4(y1) && valid(m1, d1)) || (year4(y2) && (valid(b, a) || valid(a, b)))
        }
        _ => false,
    }
}

fn contains_name(pw: &str, name: &str) -> bool {
    let pw = super::secret::wiped_lowercase(pw);
    let name = name.to_lowercase();
    let long_enough = |t: &str| {
        let n = t.chars().count();
        n >= 3 || (n >= 2 && !t.is_ascii())
    };
    let joined: String = name.split_whitespace().collect();
    std::iter::once(joined.as_str())
        .chain(name.split(|c: char| !c.is_alphanumeric()))
        .filter(|t| long_enough(t))
        .any(|t| pw.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(policy: &PasswordPolicy, pw: &str, role: Role) -> Result<(), Rejection> {
        let s = Secret::from(pw);
        policy.check(&Candidate {
            password: &s,
            id: OperatorId::new(7).unwrap(),
            name: "Li Wei",
            role,
        })
    }

    #[test]
    fn each_rule_has_its_reason() {
        let p = PasswordPolicy::default();
        let op = Role::Operator;
        assert_eq!(check(&p, "48151", op), Err(Rejection::TooShort { min: 6 }));
        assert_eq!(
            check(&p, &"3".repeat(65), op),
            Err(Rejection::TooLong { max: 64 })
        );
        assert_eq!(check(&p, "4815a2", op), Err(Rejection::DigitsOnly));
        assert_eq!(check(&p, "48\n152", op), Err(Rejection::ControlCharacter));
        assert_eq!(
            check(&p, "481111", op),
            Err(Rejection::IdenticalRun { max: 3 })
        );
        assert_eq!(
            check(&p, "903456", op),
            Err(Rejection::SequentialRun { max: 3 })
        );
        assert_eq!(
            check(&p, "986543", op),
            Err(Rejection::SequentialRun { max: 3 })
        );
        assert_eq!(check(&p, "478947", op), Ok(()));
        assert_eq!(check(&p, "479479", op), Err(Rejection::RepeatingPattern));
        assert_eq!(check(&p, "881231", op), Err(Rejection::LooksLikeDate));
        assert_eq!(check(&p, "19871224", op), Err(Rejection::LooksLikeDate));
        assert_eq!(check(&p, "538749", op), Ok(()));
        assert_eq!(
            check(&p, "538749", Role::Admin),
            Err(Rejection::TooShort { min: 8 })
        );
        assert_eq!(check(&p, "953078", op), Err(Rejection::ContainsNumber));
        assert_eq!(
            check(&p, "Mr.LiWei!93", Role::Admin),
            Err(Rejection::ContainsName)
        );
        assert_eq!(check(&p, "147258", op), Err(Rejection::Blocklisted));
        assert_eq!(
            check(&p, "Sunshine", Role::Admin),
            Err(Rejection::Blocklisted)
        );
    }

    #[test]
    fn popular_chinese_numbers_are_refused() {
        let p = PasswordPolicy::default();
        // 888888/666666 fail on runs first; every one is refused.
        for pw in ["888888", "666666", "520520", "5201314", "1314520", "168168"] {
            assert!(check(&p, pw, Role::Operator).is_err(), "{pw}");
        }
        let only_list = PasswordPolicy {
            max_identical_run: 0,
            max_sequential_run: 0,
            reject_repeating_patterns: false,
            reject_dates: false,
            ..PasswordPolicy::default()
        };
        for pw in ["888888", "520520", "5201314"] {
            assert_eq!(
                check(&only_list, pw, Role::Operator),
                Err(Rejection::Blocklisted)
            );
        }
    }

    #[test]
    fn checklist_ticks_each_rule_alone() {
        let p = PasswordPolicy::default();
        let pw = Secret::from("1111");
        let list = p.checklist(&Candidate {
            password: &pw,
            id: OperatorId::new(7).unwrap(),
            name: "Li Wei",
            role: Role::Operator,
        });
        let get = |want: &Rejection| list.iter().find(|(r, _)| r == want).map(|(_, ok)| *ok);
        assert_eq!(get(&Rejection::TooShort { min: 6 }), Some(false));
        assert_eq!(get(&Rejection::IdenticalRun { max: 3 }), Some(false));
        assert_eq!(get(&Rejection::SequentialRun { max: 3 }), Some(true));
        assert_eq!(get(&Rejection::DigitsOnly), Some(true));
        let good = Secret::from("538749");
        let list = p.checklist(&Candidate {
            password: &good,
            id: OperatorId::new(7).unwrap(),
            name: "Li Wei",
            role: Role::Operator,
        });
        assert!(list.iter().all(|(_, ok)| *ok), "{list:?}");
        let admin = p.checklist(&Candidate {
            password: &good,
            id: OperatorId::new(7).unwrap(),
            name: "Li Wei",
            role: Role::Admin,
        });
        assert!(!admin.iter().any(|(r, _)| *r == Rejection::DigitsOnly));
    }

    #[test]
    fn rules_switch_off() {
        let off = PasswordPolicy {
            operator_digits_only: false,
            blocklist: false,
            max_identical_run: 0,
            max_sequential_run: 0,
            reject_repeating_patterns: false,
            reject_dates: false,
            reject_number_or_name: false,
            ..PasswordPolicy::default()
        };
        for pw in ["123456", "111111", "070707", "901231", "ab1234", "liwei7"] {
            assert_eq!(check(&off, pw, Role::Operator), Ok(()), "{pw}");
        }
    }

    #[test]
    fn sequences_count_both_directions_and_wrap() {
        let c = |s: &str| longest_sequential_run(&s.chars().collect::<Vec<_>>());
        assert_eq!(c("1234"), 4);
        assert_eq!(c("4321"), 4);
        assert_eq!(c("7890"), 4);
        assert_eq!(c("abCD"), 4);
        assert_eq!(c("1213"), 2);
        assert_eq!(c("12321"), 3);
        assert_eq!(c(""), 0);
        assert_eq!(c("5"), 1);
    }

    #[test]
    fn dates_in_common_orders() {
        for d in [
            "870412", "120487", "041287", "19870412", "12041987", "04121987",
        ] {
            assert!(looks_like_date(d), "{d}");
        }
        for d in ["873412", "998877", "19871340", "1987041", "abcdef"] {
            assert!(!looks_like_date(d), "{d}");
        }
    }

    #[test]
    fn tightening_never_loosens() {
        let floor = PasswordPolicy::default();
        let loose = PasswordPolicy {
            operator_length: LengthRule { min: 4, max: 64 },
            blocklist: false,
            max_identical_run: 0,
            history: 1,
            max_age_days: 0,
            ..PasswordPolicy::default()
        };
        let eff = loose.at_least(&floor);
        assert_eq!(eff, floor);
        let strict = PasswordPolicy {
            operator_length: LengthRule { min: 8, max: 64 },
            history: 10,
            max_age_days: 30,
            warn_days: 40,
            max_identical_run: 2,
            ..PasswordPolicy::default()
        };
        let eff = strict.at_least(&floor);
        assert_eq!(eff.operator_length.min, 8);
        assert_eq!(eff.history, 10);
        assert_eq!(eff.max_age_days, 30);
        assert_eq!(eff.warn_days, 30);
        assert_eq!(eff.max_identical_run, 2);
    }

    #[test]
    fn every_reason_speaks_both_languages() {
        let all = [
            Rejection::TooShort { min: 6 },
            Rejection::TooLong { max: 64 },
            Rejection::DigitsOnly,
            Rejection::ControlCharacter,
            Rejection::IdenticalRun { max: 3 },
            Rejection::SequentialRun { max: 3 },
            Rejection::RepeatingPattern,
            Rejection::LooksLikeDate,
            Rejection::ContainsNumber,
            Rejection::ContainsName,
            Rejection::Blocklisted,
            Rejection::SameAsOld,
            Rejection::RecentlyUsed { history: 4 },
            Rejection::ConfirmMismatch,
        ];
        for r in all {
            let (en, zh) = (r.message(Lang::En), r.message(Lang::Zh));
            assert!(en.is_ascii() && !en.is_empty(), "{en}");
            assert!(!zh.is_ascii(), "{zh}");
        }
    }
}
