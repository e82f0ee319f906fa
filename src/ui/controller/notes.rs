//! The few things the controller says itself, in both languages (the
//! core words the rest).

use super::*;

/// Things a controller message can say (the core says the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Note {
    EnterNumber,
    EnterPassword,
    SetupDone,
    PasswordChanged,
    IdleSignedOut,
    SignedOut,
    Unlocked,
    Enabled,
    Disabled,
    Removed,
    PolicySaved,
    RecoveryDone,
    TerminalNameNeeded,
    LockedOutWhileSignedIn,
    ChallengeRenewed,
    Checking,
    TryAgain,
    NoRecoveryYet,
    TooLong { max: usize },
    Renamed,
    BadgeRead,
    BadgeWrong,
    SwipeBadge,
    BadgeEnrolled,
    BadgeRemoved,
    BadgeNotNow,
}

/// The one command that sets recovery up (README, "Recovery").
pub(super) const PROVISION: &str =
    "sudo -u till-kiosk tillctl recovery provision --master-key FILE";

impl Localized for Note {
    fn message(&self, lang: Lang) -> String {
        let (en, zh) = match self {
            Note::EnterNumber => (
                "Enter your two-digit operator number.",
                "请输入两位数的操作员编号。",
            ),
            Note::EnterPassword => ("Enter your password.", "请输入密码。"),
            Note::SetupDone => (
                "Setup complete. Sign in as administrator 00.",
                "设置完成。请以管理员 00 登录。",
            ),
            Note::PasswordChanged => ("Password changed.", "密码已修改。"),
            Note::IdleSignedOut => (
                "Signed out because the till was not used for a while.",
                "长时间未操作，已自动退出登录。",
            ),
            Note::SignedOut => ("Signed out.", "已退出登录。"),
            Note::Unlocked => ("Unlocked.", "已解锁。"),
            Note::BadgeRead => ("Badge read. Enter your PIN.", "已读取工卡。请输入密码。"),
            Note::BadgeWrong => ("Wrong badge or PIN.", "工卡或密码错误。"),
            Note::SwipeBadge => (
                "Swipe the operator's badge on the reader now.",
                "请现在在读卡器上刷该操作员的工卡。",
            ),
            Note::BadgeEnrolled => ("Badge enrolled.", "工卡已登记。"),
            Note::BadgeRemoved => ("Badge removed.", "工卡已删除。"),
            Note::BadgeNotNow => (
                "A badge is used on the sign-in screen.",
                "请在登录界面刷卡。",
            ),
            Note::Enabled => ("Enabled.", "已启用。"),
            Note::Disabled => ("Disabled.", "已停用。"),
            Note::Removed => ("Operator removed.", "操作员已删除。"),
            Note::PolicySaved => ("Password policy saved.", "密码策略已保存。"),
            Note::RecoveryDone => (
                "Administrator password set. Sign in with it now.",
                "管理员密码已设置。请用新密码登录。",
            ),
            Note::TerminalNameNeeded => ("Give the terminal a name.", "请为收银机命名。"),
            Note::LockedOutWhileSignedIn => (
                "Too many wrong passwords: signed out for safety.",
                "密码错误次数过多，为安全起见已退出登录。",
            ),
            Note::ChallengeRenewed => (
                "The old code expired: here is a new one.",
                "原验证码已过期，已生成新的验证码。",
            ),
            Note::Checking => ("Checking…", "正在验证…"),
            Note::Renamed => ("Terminal renamed.", "收银机已重命名。"),
            // Walk-through defect 6: said while an admin is at the till,
            // not first at "Forgot admin password?", when it is too late.
            Note::NoRecoveryYet => {
                return lang.pick(
                    format!("No password recovery on this till yet: {PROVISION}"),
                    format!("此收银机尚未设置密码找回：{PROVISION}"),
                );
            }
            Note::TryAgain => (
                "The password could not be checked. Try again.",
                "无法验证密码，请重试。",
            ),
            // Walk-through defect 12: a name was cut off silently.
            Note::TooLong { max } => {
                return lang.pick(
                    format!("At most {max} characters: that one was not added."),
                    format!("最多 {max} 个字符：刚才的字符未添加。"),
                );
            }
        };
        lang.pick(en, zh)
    }
}
