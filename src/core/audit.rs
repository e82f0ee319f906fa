//! What happened, for the audit log.
//!
//! The core describes events ([`AuditEvent`]); the store stamps them with the
//! wall time, boot id and boot-clock seconds and appends them to the log as
//! JSON lines ([`AuditRecord`]). Nothing here can hold a secret: there is no
//! field for one, and the free-text `detail` is written by our own code.

use super::clock::{BootInstant, WallTime};
use super::operator::OperatorId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq)]
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
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Operator(id) => write!(f, "operator:{id}"),
            Actor::Cli { uid, user } => write!(f, "tillctl:{user}(uid {uid})"),
            Actor::System => f.write_str("system"),
            Actor::Kiosk => f.write_str("kiosk"),
            Actor::Peer { uid } => write!(f, "peer(uid {uid})"),
        }
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
}

impl super::i18n::Localized for EventKind {
    fn message(&self, lang: super::i18n::Lang) -> String {
        use EventKind::*;
        let (en, zh) = match self {
            Init => ("Till set up", "收银机初始化"),
            SignIn => ("Sign-in", "登录"),
            SignOut => ("Sign-out", "退出登录"),
            PasswordChanged => ("Password changed", "修改密码"),
            PasswordReset => ("Password reset", "重置密码"),
            PasswordExpired => ("Password expired", "密码过期"),
            OperatorAdded => ("Operator added", "添加操作员"),
            OperatorRemoved => ("Operator removed", "删除操作员"),
            OperatorEnabled => ("Operator enabled", "启用操作员"),
            OperatorDisabled => ("Operator disabled", "停用操作员"),
            OperatorUnlocked => ("Operator unlocked", "解锁操作员"),
            TerminalUnlocked => ("Terminal unlocked", "解除终端锁定"),
            TerminalPaused => ("Till paused", "收银机暂停"),
            PolicyChanged => ("Policy changed", "修改密码策略"),
            RecoveryIssued => ("Recovery challenge", "生成恢复验证码"),
            RecoveryAttempt => ("Recovery code typed", "输入恢复码"),
            RecoveryRedeemed => ("Recovery code used", "使用恢复码"),
            RecoveryFailed => ("Recovery refused", "恢复失败"),
            RecoveryProvisioned => ("Recovery key set", "设置恢复密钥"),
            StateError => ("State problem", "数据异常"),
            ConfigError => ("Config problem", "配置异常"),
            SettingsChanged => ("Settings changed", "修改设置"),
            ApprovalRequested => ("Approval requested", "请求主管授权"),
            ApprovalResult => ("Approval result", "授权结果"),
            PeerRefused => ("Program refused", "拒绝程序访问"),
        };
        lang.pick(en, zh)
    }
}

impl super::i18n::Localized for Outcome {
    fn message(&self, lang: super::i18n::Lang) -> String {
        let (en, zh) = match self {
            Outcome::Ok => ("OK", "成功"),
            Outcome::Failed => ("Failed", "失败"),
            Outcome::Locked => ("Locked", "已锁定"),
            Outcome::Refused => ("Refused", "拒绝"),
            Outcome::Error => ("Error", "错误"),
        };
        lang.pick(en, zh)
    }
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
    pub actor: String,
    /// Whom or what it was done to (an operator number, a file).
    pub subject: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// A few words more, never a secret.
    pub detail: Option<String>,
}

impl AuditEvent {
    /// An event with no detail.
    pub fn new(kind: EventKind, actor: &Actor, subject: Option<String>, outcome: Outcome) -> Self {
        AuditEvent {
            kind,
            actor: actor.to_string(),
            subject,
            outcome,
            detail: None,
        }
    }

    /// Adds a detail.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
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
    pub actor: String,
    /// To whom or what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// What.
    pub event: EventKind,
    /// How it ended.
    pub outcome: Outcome,
    /// More words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
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
        .detail("2 tries left");
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
            r#"{"time":"1970-01-01T00:00:00Z","wall_ms":0,"boot_id":"b","boot_secs":61,"actor":"kiosk","subject":"07","event":"sign_in","outcome":"failed","detail":"2 tries left"}"#
        );
        assert_eq!(serde_json::from_str::<AuditRecord>(&line).unwrap(), r);
    }
}
