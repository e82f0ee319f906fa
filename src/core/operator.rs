//! Operators: the numbered people who sign in to the till.
//!
//! As on bank-card POS terminals, operators are numbered with two digits,
//! `00`–`99`. By convention `00` is the first admin and `01`.. are cashiers,
//! but any number can hold either role; several admins may exist.

use super::clock::WallTime;
use super::i18n::{Lang, Localized};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A two-digit operator number, `00`–`99`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperatorId(u8);

impl OperatorId {
    /// The conventional first admin, `00`.
    pub const FIRST_ADMIN: OperatorId = OperatorId(0);

    /// `n` as an operator number, if it is 0–99.
    pub fn new(n: u8) -> Option<Self> {
        (n <= 99).then_some(OperatorId(n))
    }

    /// The number as an integer.
    pub fn get(self) -> u8 {
        self.0
    }

    /// All 100 operator numbers.
    pub fn all() -> impl Iterator<Item = OperatorId> {
        (0..=99).map(OperatorId)
    }
}

impl fmt::Display for OperatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{:02}", self.0))
    }
}

/// An operator number that is not two digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid operator number {0:?}: expected two digits, 00 to 99")]
pub struct BadOperatorId(pub String);

impl FromStr for OperatorId {
    type Err = BadOperatorId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() == 2 && b.iter().all(u8::is_ascii_digit) {
            Ok(OperatorId((b[0] - b'0') * 10 + (b[1] - b'0')))
        } else {
            Err(BadOperatorId(s.to_owned()))
        }
    }
}

impl Serialize for OperatorId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OperatorId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What an operator may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A cashier: signs in, changes own password.
    Operator,
    /// Manages operators, policy and the terminal.
    Admin,
}

impl Role {
    /// The lowercase name used in config, CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Localized for Role {
    fn message(&self, lang: Lang) -> String {
        match self {
            Role::Operator => lang.pick("Cashier", "收银员"),
            Role::Admin => lang.pick("Administrator", "管理员"),
        }
    }
}

/// Why a password must be changed at the next sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MustChange {
    /// A temporary password given when the operator was added.
    First,
    /// A temporary password given by an admin's reset.
    Reset,
    /// The password is older than the policy's maximum age.
    Expired,
}

impl Localized for MustChange {
    fn message(&self, lang: Lang) -> String {
        match self {
            MustChange::First => lang.pick(
                "This is a temporary password. Choose your own password to continue.",
                "这是临时密码。请设置您自己的密码后继续。",
            ),
            MustChange::Reset => lang.pick(
                "Your password was reset by an administrator. Choose a new password to continue.",
                "您的密码已被管理员重置。请设置新密码后继续。",
            ),
            MustChange::Expired => lang.pick(
                "Your password has expired. Choose a new password to continue.",
                "您的密码已过期。请设置新密码后继续。",
            ),
        }
    }
}

/// The stored password of an operator. Only hashes, never the password.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRecord {
    /// argon2id PHC string of the current password.
    pub hash: String,
    /// When the current password was set (wall clock).
    pub set_at: WallTime,
    /// Set when an admin reset the password or gave a first one.
    pub must_change: Option<MustChange>,
    /// PHC strings of earlier passwords, newest first.
    #[serde(default)]
    pub history: Vec<String>,
}

/// An operator as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    /// Two-digit number.
    pub id: OperatorId,
    /// Display name ("Li Wei", "王芳").
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// Disabled operators cannot sign in.
    pub enabled: bool,
    /// Their password.
    pub password: PasswordRecord,
    /// When the operator was added.
    pub created_at: WallTime,
    /// The keyed hash of their badge, if one is enrolled (never the
    /// card's data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
    /// When the till last enabled or disabled them (by hand): a bundle
    /// made before then does not undo it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled_at: Option<WallTime>,
    /// The `password_set` of the last head-office reset taken from a
    /// bundle, so the same reset is taken once, not with every bundle.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle_reset: Option<WallTime>,
}

/// A display name that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadName {
    /// Empty or only spaces.
    #[error("operator name is empty")]
    Empty,
    /// Longer than [`MAX_NAME_CHARS`].
    #[error("operator name is longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    /// Has a character [`crate::core::text::is_hidden`] refuses (newline,
    /// escape, a direction control, a zero-width or tag character...).
    #[error("operator name has a control, direction or invisible character")]
    ControlChar,
}

/// Longest display name, in characters: it must fit the sign-in greeting.
pub const MAX_NAME_CHARS: usize = 32;

/// Trims and checks a display name.
pub fn clean_name(name: &str) -> Result<String, BadName> {
    use crate::core::text::{BadText, clean};
    clean(name, MAX_NAME_CHARS).map_err(|e| match e {
        BadText::Empty => BadName::Empty,
        BadText::TooLong(_) => BadName::TooLong,
        BadText::Hidden => BadName::ControlChar,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_numbers_are_exactly_two_digits() {
        assert_eq!("07".parse::<OperatorId>().map(OperatorId::get), Ok(7));
        assert_eq!("00".parse(), Ok(OperatorId::FIRST_ADMIN));
        for bad in ["7", "100", "-1", "0a", "", " 07", "٠٧"] {
            assert!(bad.parse::<OperatorId>().is_err(), "{bad:?}");
        }
        assert_eq!(OperatorId::new(5).map(|i| i.to_string()), Some("05".into()));
        assert_eq!(OperatorId::new(100), None);
        assert_eq!(OperatorId::all().count(), 100);
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(clean_name("  王芳 "), Ok("王芳".into()));
        assert_eq!(clean_name("   "), Err(BadName::Empty));
        assert_eq!(clean_name("a\nb"), Err(BadName::ControlChar));
        assert_eq!(clean_name(&"x".repeat(33)), Err(BadName::TooLong));
    }

    #[test]
    fn ids_round_trip_through_json() {
        let id: OperatorId = serde_json::from_str("\"42\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"42\"");
        assert!(serde_json::from_str::<OperatorId>("\"420\"").is_err());
    }
}
