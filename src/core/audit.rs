//! What happened, for the audit log.
//!
//! The core describes events ([`AuditEvent`]); the store stamps them with the
//! wall time, boot id and boot-clock seconds and appends them to the log as
//! JSON lines ([`AuditRecord`]). Every fact is typed: who ([`Actor`]),
//! what ([`EventKind`]), how it ended ([`Outcome`]) and the particulars
//! ([`AuditDetail`], stored as a tagged JSON object). The words for each
//! fact, in each language, live in one place: `core::i18n::audit`. Nothing
//! here can hold a secret: there is no field for one.

use super::clock::{BootInstant, WallTime};
use super::i18n::Lang;
use super::lockout::Penalty;
use super::operator::{OperatorId, Role};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

/// Who did something. Stored as the short string [`Display`](fmt::Display)
/// writes; reading never fails (see [`FromStr`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Actor {
    /// A signed-in operator (or someone typing at the sign-in screen).
    Operator(OperatorId),
    /// `tillctl`, run by a Unix user.
    Cli {
        /// The real uid.
        uid: u32,
        /// The user name, if known.
        user: String,
    },
    /// The kiosk itself (start-up, faults, idle sign-out).
    System,
    /// The till's sign-in screen, before anyone is signed in.
    Kiosk,
    /// A local program on the session API, by peer uid.
    Peer {
        /// Peer uid.
        uid: u32,
    },
    /// An actor this version does not know (a line from a newer version),
    /// kept as written so nothing read is lost.
    Other(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Operator(id) => write!(f, "operator:{id}"),
            Actor::Cli { uid, user } => write!(f, "tillctl:{user}(uid {uid})"),
            Actor::System => f.write_str("system"),
            Actor::Kiosk => f.write_str("kiosk"),
            Actor::Peer { uid } => write!(f, "peer(uid {uid})"),
            Actor::Other(s) => f.write_str(s),
        }
    }
}

/// The file keeps the actor as the short string [`Display`](fmt::Display)
/// writes (`operator:07`, `tillctl:ann(uid 1000)`, `kiosk`, ...), as 0.1 did;
/// reading never fails.
impl FromStr for Actor {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let uid = |rest: &str| {
            rest.strip_prefix("(uid ")
                .and_then(|r| r.strip_suffix(')'))
                .and_then(|n| n.parse::<u32>().ok())
        };
        let parsed = match s {
            "system" => Some(Actor::System),
            "kiosk" => Some(Actor::Kiosk),
            _ => {
                if let Some(n) = s.strip_prefix("operator:") {
                    n.parse().ok().map(Actor::Operator)
                } else if let Some(rest) = s.strip_prefix("tillctl:") {
                    rest.rfind("(uid ").and_then(|at| {
                        let user = rest[..at].to_owned();
                        uid(&rest[at..]).map(|uid| Actor::Cli { uid, user })
                    })
                } else {
                    s.strip_prefix("peer")
                        .and_then(uid)
                        .map(|uid| Actor::Peer { uid })
                }
            }
        };
        Ok(parsed.unwrap_or_else(|| Actor::Other(s.to_owned())))
    }
}

impl From<Actor> for String {
    fn from(a: Actor) -> String {
        a.to_string()
    }
}

impl From<String> for Actor {
    fn from(s: String) -> Actor {
        s.parse().unwrap_or_else(|never| match never {})
    }
}

/// Why a session ended: the kiosk, the audit log and the session API's
/// `signed_out` event all use this one type (serialised as `button`,
/// `idle`, `api`, `locked`, `fault`, `shutdown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOutReason {
    /// The operator pressed Sign out.
    Button,
    /// Nobody touched the till for the idle time.
    Idle,
    /// The sales software asked (session API).
    Api,
    /// Locked out while signed in (a wrong old password too often).
    Locked,
    /// The till went out of service.
    Fault,
    /// The kiosk shut down.
    Shutdown,
}

/// How a supervisor approval ended, with why, for the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalEnd {
    /// A supervisor signed it.
    Approved,
    /// Denied at the till.
    Denied,
    /// The program withdrew it.
    Withdrawn,
    /// The till signed out while it waited.
    SignedOut,
    /// The till went out of service while it waited.
    OutOfService,
    /// Nobody answered in time.
    Timeout,
}

/// Why a right recovery code could not be used (the code stays good).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryRefusal {
    /// No operator has that number.
    NoSuchNumber,
    /// The number is not an admin.
    NotAdmin,
    /// The admin is disabled (recovery never re-enables).
    DisabledAdmin,
    /// The new password broke the policy or did not match.
    Password,
}

/// The particulars of an event, typed. Stored as a JSON object tagged by
/// `kind` (`{"kind":"tries_left","tries":2}`); worded for people by
/// `core::i18n::audit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AuditDetail {
    /// A wrong sign-in and what it cost.
    Wrong {
        /// Tries left, a wait, until an admin, or a till-wide pause.
        penalty: Penalty,
        /// The password was right but the operator is disabled (said only
        /// here, to the admin: the till's answer was "wrong").
        #[serde(default, skip_serializing_if = "is_false")]
        disabled_operator: bool,
        /// The password was right but the role needs the badge too, and
        /// none was read (said only here).
        #[serde(default, skip_serializing_if = "is_false")]
        badge_missing: bool,
        /// A badge nobody has was read.
        #[serde(default, skip_serializing_if = "is_false")]
        unknown_badge: bool,
    },
    /// Refused unchecked: a lock was in force (the time left).
    StillLocked {
        /// The wait left, until an admin, or the till-wide pause left.
        penalty: Penalty,
    },
    /// A till-wide pause began after this many failures.
    PauseStarted {
        /// Failures across all numbers.
        failures: u32,
        /// How long the pause is.
        secs: u64,
    },
    /// Signed in, but must change the password first.
    MustChange,
    /// The role of an added operator.
    Role {
        /// Which.
        role: Role,
    },
    /// Refused: the last enabled admin.
    LastAdmin,
    /// Refused: an admin may not do this to their own account.
    OwnAccount,
    /// The policy now in force.
    Policy {
        /// Cashier minimum length.
        cashier_min: u32,
        /// Admin minimum length.
        admin_min: u32,
        /// Passwords remembered.
        history: u32,
        /// Maximum age in days (0: never expires).
        max_age_days: u32,
    },
    /// The UI language changed.
    Language {
        /// To.
        lang: Lang,
    },
    /// The terminal's name changed.
    TerminalName {
        /// To.
        name: String,
    },
    /// A recovery challenge (shown, or used).
    Challenge {
        /// The challenge.
        challenge: String,
    },
    /// A recovery attempt, counted before the code is checked.
    CountedFirst,
    /// No challenge was showing.
    NoChallenge,
    /// The challenge had expired.
    ChallengeExpired,
    /// A wrong recovery code.
    WrongCode {
        /// For which challenge.
        challenge: String,
    },
    /// A right recovery code that could not be used; it is still good.
    RightCodeRefused {
        /// Why.
        reason: RecoveryRefusal,
    },
    /// Why a session ended.
    SignOut {
        /// Why.
        reason: SignOutReason,
    },
    /// State re-initialised with --force; the old state was kept aside.
    Reinitialised,
    /// The previous good copy of the state was restored.
    RestoredPrevious,
    /// A session-API peer refused by its credentials.
    Peer {
        /// Its group.
        gid: u32,
        /// Its process.
        pid: i32,
        /// Further refusals in the last minute not written one by one.
        #[serde(default, skip_serializing_if = "is_zero")]
        more: u64,
    },
    /// A program asked for approvals faster than allowed.
    TooManyApprovals {
        /// The limit per minute.
        per_minute: u32,
        /// Further refusals in the last minute not written one by one.
        #[serde(default, skip_serializing_if = "is_zero")]
        more: u64,
    },
    /// What a program asked a supervisor to approve.
    ApprovalAsked {
        /// The till action (`void`, `refund`, ...).
        action: String,
        /// The amount, as the program sent it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<String>,
        /// The program's reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The program's name for itself.
        requester: String,
    },
    /// How an approval ended.
    ApprovalAnswered {
        /// The till action.
        action: String,
        /// The amount.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        amount: Option<String>,
        /// How, and why.
        end: ApprovalEnd,
    },
    /// What an operator bundle changed.
    Bundle {
        /// Its version.
        version: u64,
        /// Operators added.
        added: u32,
        /// Operators changed.
        changed: u32,
        /// Operators removed.
        removed: u32,
    },
    /// Why an operator bundle was refused.
    BundleRefused {
        /// Its version (0 if it could not be read).
        version: u64,
        /// Why.
        refusal: crate::core::bundle::BundleRefusal,
        /// Further refusals in the last minute not written one by one
        /// (the drop directory's throttle).
        #[serde(default, skip_serializing_if = "is_zero")]
        more: u64,
    },
    /// A line from 0.1 (details were English prose then) or from a newer
    /// version, kept as written.
    Text {
        /// The words.
        text: String,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Reads a detail as this version writes it, or the plain string 0.1
/// wrote, or anything else as text: an old or newer log line is never lost.
fn read_detail<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AuditDetail>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Any {
        Typed(AuditDetail),
        Text(String),
        Other(serde_json::Value),
    }
    Ok(Option::<Any>::deserialize(d)?.map(|a| match a {
        Any::Typed(t) => t,
        Any::Text(text) => AuditDetail::Text { text },
        Any::Other(v) => AuditDetail::Text {
            text: v.to_string(),
        },
    }))
}

/// The name a fact has in the audit file (`sign_in`, `failed`): the
/// journal's fields and the metrics' labels use the same words.
pub fn wire_name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

/// The kinds of audited event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Terminal set up with its first admin.
    Init,
    /// A sign-in attempt (outcome says how it went).
    SignIn,
    /// Signed out (by hand, idle, or the session API).
    SignOut,
    /// An operator changed their own password.
    PasswordChanged,
    /// An admin (or tillctl) gave a new temporary password.
    PasswordReset,
    /// A password reached its maximum age.
    PasswordExpired,
    /// New operator.
    OperatorAdded,
    /// Operator removed.
    OperatorRemoved,
    /// Operator enabled.
    OperatorEnabled,
    /// Operator disabled.
    OperatorDisabled,
    /// Lockout cleared by an admin.
    OperatorUnlocked,
    /// Terminal-wide lockout cleared.
    TerminalUnlocked,
    /// Too many failures across all numbers: the whole till pauses.
    TerminalPaused,
    /// Password policy changed.
    PolicyChanged,
    /// Recovery challenge shown.
    RecoveryIssued,
    /// A recovery code was typed: recorded (and counted) before it is
    /// checked; its result follows as `RecoveryRedeemed` or `RecoveryFailed`.
    RecoveryAttempt,
    /// Recovery code accepted and admin password set.
    RecoveryRedeemed,
    /// Recovery code refused.
    RecoveryFailed,
    /// Till provisioned with a recovery key.
    RecoveryProvisioned,
    /// State unreadable, not persistent, restored or re-initialised.
    StateError,
    /// Config unreadable or invalid.
    ConfigError,
    /// Terminal settings changed (name, language).
    SettingsChanged,
    /// A supervisor approval requested through the session API.
    ApprovalRequested,
    /// The outcome of an approval request.
    ApprovalResult,
    /// A session-API connection refused by its peer credentials.
    PeerRefused,
    /// An operator's name or role changed (by an operator bundle).
    OperatorUpdated,
    /// An operator bundle was applied (or refused: the outcome says).
    BundleImported,
    /// A badge was enrolled for an operator.
    BadgeEnrolled,
    /// An operator's badge was removed.
    BadgeRemoved,
}

/// How an event ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done.
    Ok,
    /// Wrong password or code.
    Failed,
    /// Refused without checking: a lockout was in force.
    Locked,
    /// Refused by a rule (policy, last admin, permissions).
    Refused,
    /// Something broke.
    Error,
}

/// An event as the core reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    /// What kind.
    pub kind: EventKind,
    /// Who did it.
    pub actor: Actor,
    /// Whom or what it was done to (an operator number, a file).
    pub subject: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// The particulars, never a secret.
    pub detail: Option<AuditDetail>,
}

impl AuditEvent {
    /// An event with no detail.
    pub fn new(kind: EventKind, actor: &Actor, subject: Option<String>, outcome: Outcome) -> Self {
        AuditEvent {
            kind,
            actor: actor.clone(),
            subject,
            outcome,
            detail: None,
        }
    }

    /// Adds the particulars.
    pub fn detail(mut self, d: AuditDetail) -> Self {
        self.detail = Some(d);
        self
    }

    /// Stamps the event with the time it is written.
    pub fn stamp(self, wall: WallTime, boot: &BootInstant) -> AuditRecord {
        AuditRecord {
            time: wall.rfc3339(),
            wall_ms: wall.0,
            boot_id: boot.boot_id.clone(),
            boot_secs: boot.since_boot_ms / 1000,
            actor: self.actor,
            subject: self.subject,
            event: self.kind,
            outcome: self.outcome,
            detail: self.detail,
        }
    }
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Wall time, RFC 3339 UTC (as the till believed it).
    pub time: String,
    /// The same, in milliseconds since the epoch, for filtering.
    pub wall_ms: i64,
    /// Boot id: ties events to a boot even if the wall clock was wrong.
    pub boot_id: String,
    /// Seconds since that boot.
    pub boot_secs: u64,
    /// Who.
    pub actor: Actor,
    /// To whom or what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// What.
    pub event: EventKind,
    /// How it ended.
    pub outcome: Outcome,
    /// The particulars.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "read_detail"
    )]
    pub detail: Option<AuditDetail>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_serialise_as_one_json_line() {
        let e = AuditEvent::new(
            EventKind::SignIn,
            &Actor::Kiosk,
            Some("07".into()),
            Outcome::Failed,
        )
        .detail(AuditDetail::Wrong {
            penalty: Penalty::TriesLeft { tries_left: 2 },
            disabled_operator: false,
            badge_missing: false,
            unknown_badge: false,
        });
        let r = e.stamp(
            WallTime(0),
            &BootInstant {
                boot_id: "b".into(),
                since_boot_ms: 61_500,
            },
        );
        let line = serde_json::to_string(&r).unwrap();
        assert_eq!(
            line,
            r#"{"time":"1970-01-01T00:00:00Z","wall_ms":0,"boot_id":"b","boot_secs":61,"actor":"kiosk","subject":"07","event":"sign_in","outcome":"failed","detail":{"kind":"wrong","penalty":{"lock":"tries_left","tries_left":2}}}"#
        );
        assert_eq!(serde_json::from_str::<AuditRecord>(&line).unwrap(), r);
    }

    #[test]
    fn lines_written_by_0_1_still_read() {
        let old = r#"{"time":"t","wall_ms":0,"boot_id":"b","boot_secs":1,"actor":"operator:07","subject":"07","event":"sign_out","outcome":"ok","detail":"idle"}"#;
        let r: AuditRecord = serde_json::from_str(old).unwrap();
        assert_eq!(r.actor, Actor::Operator(OperatorId::new(7).unwrap()));
        assert_eq!(
            r.detail,
            Some(AuditDetail::Text {
                text: "idle".into()
            })
        );
        let newer = r#"{"time":"t","wall_ms":0,"boot_id":"b","boot_secs":1,"actor":"robot","event":"sign_out","outcome":"ok","detail":{"kind":"from_the_future","x":1}}"#;
        let r: AuditRecord = serde_json::from_str(newer).unwrap();
        assert_eq!(r.actor, Actor::Other("robot".into()));
        assert!(matches!(r.detail, Some(AuditDetail::Text { .. })));
    }

    #[test]
    fn every_actor_reads_back_as_written() {
        for a in [
            Actor::Operator(OperatorId::new(0).unwrap()),
            Actor::Cli {
                uid: 1000,
                user: "ann (x)".into(),
            },
            Actor::System,
            Actor::Kiosk,
            Actor::Peer { uid: 33 },
            Actor::Other("operator:7x".into()),
        ] {
            assert_eq!(a.to_string().parse::<Actor>().unwrap(), a, "{a}");
        }
    }
}
