//! The words for the core's answers: sign-in outcomes, refusals and
//! operator states, in English and Chinese.

use super::{Lang, Localized, format_wait};
use crate::core::lockout::Penalty;
use crate::core::till::{AuthOutcome, OperatorStatus, TillError};

/// A wrong *old* password on the change-password screen (no number there).
pub fn wrong_old_password(tries_left: u32, lang: Lang) -> String {
    match tries_left {
        1 => lang.pick(
            "Wrong old password. 1 try left.".to_owned(),
            "旧密码错误。还可尝试 1 次。".to_owned(),
        ),
        n => lang.pick(
            format!("Wrong old password. {n} tries left."),
            format!("旧密码错误。还可尝试 {n} 次。"),
        ),
    }
}

impl Localized for AuthOutcome {
    fn message(&self, lang: Lang) -> String {
        match self {
            AuthOutcome::Ok { name, .. } => {
                lang.pick(format!("Welcome, {name}."), format!("欢迎，{name}。"))
            }
            AuthOutcome::MustChange { reason, .. } => reason.message(lang),
            AuthOutcome::Wrong { penalty } => match penalty {
                Penalty::TriesLeft { tries_left: 1 } => lang.pick(
                    "Wrong operator number or password. 1 try left.",
                    "操作员编号或密码错误。还可尝试 1 次。",
                ),
                Penalty::TriesLeft { tries_left } => lang.pick(
                    format!("Wrong operator number or password. {tries_left} tries left."),
                    format!("操作员编号或密码错误。还可尝试 {tries_left} 次。"),
                ),
                Penalty::Wait { secs } => lang.pick(
                    format!(
                        "Wrong operator number or password. Try again in {}.",
                        format_wait(*secs, lang)
                    ),
                    format!(
                        "操作员编号或密码错误。请在 {} 后重试。",
                        format_wait(*secs, lang)
                    ),
                ),
                Penalty::UntilAdmin => locked_until_admin(lang),
                Penalty::Paused { secs } => lang.pick(
                    format!(
                        "Wrong operator number or password. Too many wrong attempts at this till: it is paused for {}.",
                        format_wait(*secs, lang)
                    ),
                    format!(
                        "操作员编号或密码错误。本机错误尝试过多，已暂停 {}。",
                        format_wait(*secs, lang)
                    ),
                ),
            },
            AuthOutcome::Locked { secs } => lang.pick(
                format!(
                    "Too many wrong attempts. Try again in {}.",
                    format_wait(*secs, lang)
                ),
                format!("错误次数过多。请在 {} 后重试。", format_wait(*secs, lang)),
            ),
            AuthOutcome::LockedUntilAdmin => locked_until_admin(lang),
            AuthOutcome::Paused { secs } => lang.pick(
                format!(
                    "Too many wrong attempts at this till: it is paused for everyone. Try again in {}.",
                    format_wait(*secs, lang)
                ),
                format!(
                    "本机错误尝试过多，已对所有人暂停。请在 {} 后重试。",
                    format_wait(*secs, lang)
                ),
            ),
        }
    }
}

fn locked_until_admin(lang: Lang) -> String {
    lang.pick(
        "Locked after too many wrong attempts. Ask an administrator to unlock it.",
        "错误次数过多，已锁定。请联系管理员解锁。",
    )
}

impl Localized for TillError {
    fn message(&self, lang: Lang) -> String {
        match self {
            TillError::NotFound(id) => lang.pick(
                format!("Operator {id} does not exist."),
                format!("操作员 {id} 不存在。"),
            ),
            TillError::Exists(id) => lang.pick(
                format!("Operator {id} already exists."),
                format!("操作员 {id} 已存在。"),
            ),
            TillError::LastAdmin(id) => lang.pick(
                format!(
                    "Operator {id} is the last administrator. Add another administrator first."
                ),
                format!("操作员 {id} 是最后一名管理员，不能删除或停用。请先添加另一名管理员。"),
            ),
            TillError::NotPermitted(_) => lang.pick(
                "Only an administrator can do this.",
                "只有管理员可以执行此操作。",
            ),
            TillError::SelfTarget => lang.pick(
                "You cannot remove or disable your own account.",
                "不能删除或停用自己的账户。",
            ),
            TillError::Rejected(r) => r.message(lang),
            TillError::Auth(a) => a.message(lang),
            TillError::BadName(_) => lang.pick(
                "Enter a name of 1 to 32 characters.",
                "请输入 1 到 32 个字符的姓名。",
            ),
            TillError::NoChallenge | TillError::ChallengeExpired => lang.pick(
                "The recovery code has expired. Start again to get a new challenge.",
                "恢复码已过期。请重新开始以获取新的验证码。",
            ),
            TillError::WrongCode(Some(n)) => lang.pick(
                format!("Wrong recovery code. {n} tries left."),
                format!("恢复码错误。还可尝试 {n} 次。"),
            ),
            TillError::WrongCode(None) => lang.pick(
                "Wrong recovery code. This challenge is no longer valid; start again.",
                "恢复码错误。此验证码已失效，请重新开始。",
            ),
            TillError::NotProvisioned => lang.pick(
                "Password recovery is not set up on this till. Call the service desk.",
                "此收银机尚未设置密码恢复功能。请联系服务台。",
            ),
            TillError::RecoveryLocked(secs) => lang.pick(
                format!(
                    "Too many wrong codes. Try again in {}.",
                    format_wait(*secs, lang)
                ),
                format!("错误次数过多。请在 {} 后重试。", format_wait(*secs, lang)),
            ),
            TillError::BadBadge => lang.pick(
                "That was not a badge. Swipe the card again.",
                "未读到工卡。请重新刷卡。",
            ),
            TillError::BadgeTaken(id) => lang.pick(
                format!("That badge is already enrolled for operator {id}."),
                format!("此工卡已登记给操作员 {id}。"),
            ),
            TillError::BadgeRequired(id) => lang.pick(
                format!(
                    "Operator {id} has no badge and their role needs one. Enrol a badge first."
                ),
                format!("操作员 {id} 没有工卡，而其角色须刷卡。请先登记工卡。"),
            ),
            TillError::SignsInWithBadge(id) => lang.pick(
                format!("Operator {id} signs in with a badge, at the till's reader."),
                format!("操作员 {id} 须在终端读卡器上刷卡登录。"),
            ),
            other => lang.pick(
                format!("Something went wrong: {other}. Call the service desk."),
                format!("出现错误：{other}。请联系服务台。"),
            ),
        }
    }
}

impl Localized for OperatorStatus {
    fn message(&self, lang: Lang) -> String {
        match self {
            OperatorStatus::Disabled => lang.pick("Disabled", "已停用"),
            OperatorStatus::LockedUntilAdmin => {
                lang.pick("Locked until unlocked", "已锁定，需管理员解锁")
            }
            OperatorStatus::Locked { secs } => lang.pick(
                format!("Locked, {} left", format_wait(*secs, lang)),
                format!("已锁定，剩余 {}", format_wait(*secs, lang)),
            ),
            OperatorStatus::MustChange { .. } => lang.pick("Must change password", "须修改密码"),
            OperatorStatus::Expired => lang.pick("Password expired", "密码已过期"),
            OperatorStatus::Active => lang.pick("Active", "正常"),
        }
    }
}
