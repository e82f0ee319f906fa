//! The facts of an operator bundle: what one carries, what the till keeps
//! of the last one applied, what applying one changed or why it was
//! refused.
//!
//! A home of their own, below the till: the audit log and the state name
//! them (a refusal's reason, the stamp of the last bundle) without
//! depending on the till that applies them (`core::till::bundle`), and the
//! file format (`crate::bundle`) reads and writes them.

use crate::core::clock::WallTime;
use crate::core::operator::{MustChange, OperatorId, Role};
use crate::core::policy::PasswordPolicy;
use serde::Serialize;

/// One operator as a bundle carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleOperator {
    /// Number.
    pub number: OperatorId,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Whether they may sign in.
    pub enabled: bool,
    /// argon2id PHC string of their password.
    pub hash: String,
    /// When that password was set (the newer of the bundle's and the
    /// till's wins).
    pub password_set: WallTime,
    /// Whether it must be changed at the next sign-in.
    #[serde(default)]
    pub must_change: Option<MustChange>,
}

/// What a verified bundle asks of this till.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleContents {
    /// Increases with every export; an older one is a replay.
    pub version: u64,
    /// SHA-256 of the signed bytes, hex: the same version with other
    /// contents is refused too.
    pub digest: String,
    /// The operators (the whole list: others are removed).
    pub operators: Vec<BundleOperator>,
    /// The policy, if the bundle sets one.
    pub policy: Option<PasswordPolicy>,
    /// This till's name, if the bundle names it.
    pub terminal_name: Option<String>,
    /// When head office made it (its `created`): a fact at the till that is
    /// newer (a disable, a removal, a password change) is kept.
    pub made: WallTime,
    /// The group of tills it is for (`bundle.scope` in their config).
    pub scope: Option<String>,
    /// The tills it is for, by serial.
    pub serials: Vec<String>,
}

/// Who this till is, for a bundle's address.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BundleTarget {
    /// Its serial, if known.
    pub serial: Option<String>,
    /// Its `bundle.scope`, if configured.
    pub scope: Option<String>,
}

impl BundleContents {
    /// The stream this bundle's version counts in at `me`, or `None` if it
    /// is not meant for `me`. A bundle for a scope reaches the tills of
    /// that scope; one for serials, those tills; one with neither (a
    /// chain-wide bundle, or one from before scopes) only tills that have
    /// no scope configured: a till of shop 3 takes nothing not addressed
    /// to shop 3 or to itself.
    pub fn stream(&self, me: &BundleTarget) -> Option<String> {
        if let Some(scope) = &self.scope
            && me.scope.as_ref() == Some(scope)
        {
            return Some(format!("scope:{scope}"));
        }
        if let Some(serial) = &me.serial
            && self.serials.contains(serial)
        {
            return Some(format!("serial:{serial}"));
        }
        (self.scope.is_none() && self.serials.is_empty() && me.scope.is_none()).then(String::new)
    }
}

/// The version of the last bundle applied (kept in the state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct BundleStamp {
    /// Its version.
    pub version: u64,
    /// Its digest.
    pub digest: String,
    /// When head office made it. A reset in a later bundle is news only if
    /// it is newer than this; unknown (a stamp from before 0.2) means no
    /// reset is news, so an upgrade never hands back a temporary password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<WallTime>,
}

/// What applying a bundle changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BundleReport {
    /// The bundle's version.
    pub version: u64,
    /// This exact bundle was already applied: nothing changed.
    pub already_applied: bool,
    /// Numbers added.
    pub added: Vec<OperatorId>,
    /// Numbers whose name, role, state or password changed.
    pub changed: Vec<OperatorId>,
    /// Numbers removed.
    pub removed: Vec<OperatorId>,
    /// Whether the policy changed.
    pub policy_changed: bool,
    /// Whether the terminal was renamed.
    pub renamed: bool,
}

/// Why a bundle was not applied.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, serde::Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum BundleRefusal {
    /// Older than (or a different bundle with the same version as) the one
    /// applied: a replay.
    #[error("bundle version {got} is not newer than the one applied ({have}): a replay is refused")]
    Stale {
        /// Applied.
        have: u64,
        /// Offered.
        got: u64,
    },
    /// Made before a bundle the till already took, from any of its
    /// streams: each bundle is the whole list, so the newest one head
    /// office made stands, and an older one delivered late would undo its
    /// decisions (an enable, a role, a removal).
    #[error("the bundle was made at {made}, before one this till has already taken ({taken})")]
    OlderThanTaken {
        /// When this one was made (RFC 3339).
        made: String,
        /// When the newest one taken was made.
        taken: String,
    },
    /// It names no enabled admin: the till would have nobody to run it.
    #[error("the bundle has no enabled admin; a till keeps at least one")]
    NoAdmin,
    /// A number appears twice.
    #[error("operator {number} appears twice in the bundle")]
    Duplicate {
        /// Which.
        number: OperatorId,
    },
    /// A hash is not an argon2id PHC string made with this till's own
    /// parameters (its config's `hashing`).
    #[error(
        "operator {number}'s password hash is not an argon2id hash made with this till's hashing parameters"
    )]
    BadHash {
        /// Which.
        number: OperatorId,
    },
    /// A name cannot be stored.
    #[error("operator {number}'s name cannot be used")]
    BadName {
        /// Which.
        number: OperatorId,
    },
    /// Addressed to other tills (another scope, other serials).
    #[error("the bundle is for other tills ({wanted}), not this one")]
    NotForThisTill {
        /// Whom it names.
        wanted: String,
    },
    /// This till's name in the bundle cannot be used (empty, too long,
    /// or holds hidden characters: see `core::text`).
    #[error("the bundle's name for this till cannot be used")]
    BadTerminalName,
    /// The signature or the file (checked before the core sees it).
    #[error("{reason}")]
    Unverified {
        /// What was wrong.
        reason: String,
    },
}
