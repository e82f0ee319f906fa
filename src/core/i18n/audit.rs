//! The words for each audited fact, in English and Chinese.
//!
//! The audit file stores types ([`AuditDetail`], [`Actor`], ...), never
//! prose; the kiosk's audit viewer and `tillctl audit` both word them here,
//! so a fact reads the same wherever it is shown and a new fact cannot be
//! added without its two wordings (the matches below are exhaustive).

use super::{Lang, Localized, format_wait};
use crate::core::audit::{
    Actor, ApprovalEnd, AuditDetail, EventKind, Outcome, RecoveryRefusal, SignOutReason,
};
use crate::core::lockout::Penalty;
use crate::core::operator::Role as OperatorRole;
use crate::core::till::BundleRefusal;

impl Localized for EventKind {
    /// Long on purpose: one arm per audited fact, each with its two wordings: the wording table itself.
    fn message(&self, lang: Lang) -> String {
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
            OperatorUpdated => ("Operator changed", "修改操作员"),
            BundleImported => ("Operator bundle", "操作员数据包"),
            BadgeEnrolled => ("Badge enrolled", "登记工卡"),
            BadgeRemoved => ("Badge removed", "删除工卡"),
        };
        lang.pick(en, zh)
    }
}

impl Localized for Outcome {
    fn message(&self, lang: Lang) -> String {
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

impl Localized for Actor {
    fn message(&self, lang: Lang) -> String {
        match self {
            Actor::Operator(id) => lang.pick(format!("operator {id}"), format!("操作员 {id}")),
            Actor::Cli { user, .. } => format!("tillctl ({user})"),
            Actor::System => lang.pick("system", "系统"),
            Actor::Kiosk => lang.pick("sign-in screen", "登录界面"),
            Actor::Peer { uid } => {
                lang.pick(format!("program (uid {uid})"), format!("程序 (uid {uid})"))
            }
            Actor::Other(s) => s.clone(),
        }
    }
}

impl Localized for SignOutReason {
    fn message(&self, lang: Lang) -> String {
        let (en, zh) = match self {
            SignOutReason::Button => ("signed out by hand", "手动退出"),
            SignOutReason::Idle => ("idle", "长时间未操作"),
            SignOutReason::Api => ("asked by the sales program", "收银程序要求"),
            SignOutReason::Locked => ("locked out", "因锁定退出"),
            SignOutReason::Fault => ("out of service", "因故障退出"),
            SignOutReason::Shutdown => ("shut down", "关机"),
        };
        lang.pick(en, zh)
    }
}

impl Localized for ApprovalEnd {
    fn message(&self, lang: Lang) -> String {
        let (en, zh) = match self {
            ApprovalEnd::Approved => ("approved", "已批准"),
            ApprovalEnd::Denied => ("denied at the till", "在收银机上拒绝"),
            ApprovalEnd::Withdrawn => ("withdrawn by the program", "程序已撤回"),
            ApprovalEnd::SignedOut => {
                ("cancelled: the till signed out", "已取消：收银机已退出登录")
            }
            ApprovalEnd::OutOfService => (
                "cancelled: the till is out of service",
                "已取消：收银机故障",
            ),
            ApprovalEnd::Timeout => ("nobody answered in time", "无人及时应答"),
        };
        lang.pick(en, zh)
    }
}

impl Localized for RecoveryRefusal {
    fn message(&self, lang: Lang) -> String {
        let (en, zh) = match self {
            RecoveryRefusal::NoSuchNumber => ("no such operator", "无此操作员"),
            RecoveryRefusal::NotAdmin => ("not an admin", "不是管理员"),
            RecoveryRefusal::DisabledAdmin => ("the admin is disabled", "管理员已停用"),
            RecoveryRefusal::Password => ("the new password was refused", "新密码不符合要求"),
        };
        lang.pick(en, zh)
    }
}

/// The usual till actions in words staff know; any other action name the
/// sales software sends is shown as it is, in capitals.
pub fn action_label(action: &str, lang: Lang) -> String {
    let known = match action {
        "void" => Some(("Void sale", "撤销交易")),
        "refund" => Some(("Refund", "退货退款")),
        "discount" => Some(("Discount", "折扣")),
        "price_override" => Some(("Price change", "改价")),
        "no_sale" => Some(("Open drawer", "开钱箱")),
        "cash_out" => Some(("Cash out", "取现")),
        _ => None,
    };
    match known {
        Some((en, zh)) => lang.pick(en, zh),
        None => action.replace('_', " ").to_uppercase(),
    }
}

/// A penalty as the audit viewer says it: "2 tries left", "locked for 5:00".
fn penalty(p: &Penalty, lang: Lang) -> String {
    match *p {
        Penalty::TriesLeft { tries_left: 1 } => lang.pick("1 try left", "还可尝试 1 次"),
        Penalty::TriesLeft { tries_left } => lang.pick(
            format!("{tries_left} tries left"),
            format!("还可尝试 {tries_left} 次"),
        ),
        Penalty::Wait { secs } => lang.pick(
            format!("locked for {}", format_wait(secs, lang)),
            format!("锁定 {}", format_wait(secs, lang)),
        ),
        Penalty::UntilAdmin => lang.pick("locked until an admin unlocks", "锁定，需管理员解锁"),
        Penalty::Paused { secs } => lang.pick(
            format!("the till is paused for {}", format_wait(secs, lang)),
            format!("收银机暂停 {}", format_wait(secs, lang)),
        ),
    }
}

/// What a still-running lock has left: "locked, 4:12 left".
fn left(p: &Penalty, lang: Lang) -> String {
    match *p {
        Penalty::Wait { secs } => lang.pick(
            format!("locked, {} left", format_wait(secs, lang)),
            format!("锁定中，剩余 {}", format_wait(secs, lang)),
        ),
        Penalty::Paused { secs } => lang.pick(
            format!("the till is paused, {} left", format_wait(secs, lang)),
            format!("收银机暂停中，剩余 {}", format_wait(secs, lang)),
        ),
        ref other => penalty(other, lang),
    }
}

fn more(n: u64, lang: Lang) -> String {
    if n == 0 {
        String::new()
    } else {
        lang.pick(
            format!("; {n} more refusals in the last minute"),
            format!("；最近一分钟另有 {n} 次拒绝"),
        )
    }
}

fn amount(a: &Option<String>) -> String {
    a.as_deref().map(|a| format!(" {a}")).unwrap_or_default()
}

impl Localized for AuditDetail {
    fn message(&self, lang: Lang) -> String {
        use AuditDetail::*;
        match self {
            Wrong {
                penalty: p,
                disabled_operator,
                badge_missing,
                unknown_badge,
            } => {
                let mut s = penalty(p, lang);
                if *disabled_operator {
                    s.push_str(&lang.pick(
                        "; right password of a disabled operator",
                        "；已停用操作员的正确密码",
                    ));
                }
                if *badge_missing {
                    s.push_str(&lang.pick(
                        "; right password, but no badge (required for this role)",
                        "；密码正确，但未刷卡（此角色须刷卡）",
                    ));
                }
                if *unknown_badge {
                    s.push_str(&lang.pick("; unknown badge", "；未登记的工卡"));
                }
                s
            }
            StillLocked { penalty: p } => left(p, lang),
            PauseStarted { failures, secs } => lang.pick(
                format!(
                    "{failures} failures across all numbers: paused for {}",
                    format_wait(*secs, lang)
                ),
                format!("所有编号共错误 {failures} 次：暂停 {}", format_wait(*secs, lang)),
            ),
            MustChange => lang.pick("must change password", "须修改密码"),
            Role { role } => match role {
                OperatorRole::Admin => lang.pick("role admin", "角色：管理员"),
                OperatorRole::Operator => lang.pick("role cashier", "角色：收银员"),
            },
            LastAdmin => lang.pick("last enabled admin", "最后一名管理员"),
            OwnAccount => lang.pick("own account", "不能操作自己的账户"),
            Policy {
                cashier_min,
                admin_min,
                history,
                max_age_days,
            } => lang.pick(
                format!(
                    "cashier min {cashier_min}, admin min {admin_min}, history {history}, max age {max_age_days} d"
                ),
                format!(
                    "收银员至少 {cashier_min} 位，管理员至少 {admin_min} 位，记住 {history} 个旧密码，有效期 {max_age_days} 天"
                ),
            ),
            Language { lang: to } => match to {
                Lang::En => lang.pick("language English", "语言：英文"),
                Lang::Zh => lang.pick("language Chinese", "语言：中文"),
            },
            TerminalName { name } => {
                lang.pick(format!("terminal name {name:?}"), format!("收银机名称 {name:?}"))
            }
            Challenge { challenge } => {
                lang.pick(format!("challenge {challenge}"), format!("验证码 {challenge}"))
            }
            CountedFirst => lang.pick("counted before the code is checked", "核对前先计数"),
            NoChallenge => lang.pick("no challenge on screen", "屏幕上没有验证码"),
            ChallengeExpired => lang.pick("challenge expired", "验证码已过期"),
            WrongCode { challenge } => lang.pick(
                format!("wrong code for challenge {challenge}"),
                format!("验证码 {challenge} 的回复码错误"),
            ),
            RightCodeRefused { reason } => lang.pick(
                format!("right code, but {}; the code is still good", reason.message(lang)),
                format!("回复码正确，但{}；回复码仍然有效", reason.message(lang)),
            ),
            SignOut { reason } => reason.message(lang),
            Reinitialised => lang.pick(
                "re-initialised with --force; old state kept",
                "已用 --force 重新初始化；旧数据已保留",
            ),
            RestoredPrevious => lang.pick(
                "restored the previous good copy of the state",
                "已恢复上一份完好的数据",
            ),
            Peer { gid, pid, more: n } => format!("gid {gid}, pid {pid}{}", more(*n, lang)),
            TooManyApprovals { per_minute, more: n } => lang.pick(
                format!("more than {per_minute} approvals a minute{}", more(*n, lang)),
                format!("每分钟授权请求超过 {per_minute} 次{}", more(*n, lang)),
            ),
            ApprovalAsked {
                action,
                amount: a,
                reason,
                requester,
            } => {
                let why = reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
                lang.pick(
                    format!("{}{}{why}; asked by {requester}", action_label(action, lang), amount(a)),
                    format!("{}{}{why}；请求方 {requester}", action_label(action, lang), amount(a)),
                )
            }
            ApprovalAnswered {
                action,
                amount: a,
                end,
            } => format!("{}{}: {}", action_label(action, lang), amount(a), end.message(lang)),
            Bundle {
                version,
                added,
                changed,
                removed,
            } => lang.pick(
                format!("version {version}: {added} added, {changed} changed, {removed} removed"),
                format!("版本 {version}：新增 {added}，修改 {changed}，删除 {removed}"),
            ),
            BundleRefused {
                version,
                refusal,
                more,
            } => {
                let more = if *more == 0 {
                    String::new()
                } else {
                    lang.pick(
                        format!(" (and {more} more refused in the last minute)"),
                        format!("（上一分钟另有 {more} 次被拒绝）"),
                    )
                };
                lang.pick(
                    format!("version {version} refused: {}{more}", refusal.message(lang)),
                    format!("版本 {version} 被拒绝：{}{more}", refusal.message(lang)),
                )
            }
            Text { text } => text.clone(),
        }
    }
}

impl Localized for BundleRefusal {
    fn message(&self, lang: Lang) -> String {
        match self {
            BundleRefusal::Stale { have, got } => lang.pick(
                format!("version {got} is not newer than the one applied ({have}): a replay"),
                format!("版本 {got} 不比已应用的版本 {have} 新：视为重放"),
            ),
            BundleRefusal::OlderThanTaken { made, taken } => lang.pick(
                format!("it was made at {made}, before one already applied ({taken})"),
                format!("数据包的时间 {made} 不比已应用的数据包（{taken}）新"),
            ),
            BundleRefusal::NoAdmin => lang.pick(
                "it has no enabled administrator",
                "数据包中没有启用的管理员",
            ),
            BundleRefusal::Duplicate { number: id } => lang.pick(
                format!("operator {id} appears twice"),
                format!("操作员 {id} 出现两次"),
            ),
            BundleRefusal::BadHash { number: id } => lang.pick(
                format!(
                    "operator {id}'s password hash is not made with this till's hashing parameters"
                ),
                format!("操作员 {id} 的密码哈希不合格"),
            ),
            BundleRefusal::BadName { number: id } => lang.pick(
                format!("operator {id}'s name cannot be used"),
                format!("操作员 {id} 的姓名无法使用"),
            ),
            BundleRefusal::NotForThisTill { wanted } => lang.pick(
                format!("it is for other tills ({wanted})"),
                format!("数据包不是本终端的（{wanted}）"),
            ),
            BundleRefusal::BadTerminalName => lang.pick(
                "its name for this till cannot be used",
                "数据包中本终端的名称无法使用",
            ),
            BundleRefusal::Unverified { reason: why } => {
                lang.pick(format!("not verified: {why}"), format!("未通过验证：{why}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::operator::OperatorId;

    /// One of every detail (the match in `message` is exhaustive, so a new
    /// variant fails to build until it is worded; this list makes sure each
    /// wording is in the staff's language and carries its numbers).
    ///
    /// Long on purpose: test data, one of every detail.
    fn samples() -> Vec<AuditDetail> {
        use AuditDetail::*;
        let s = |x: &str| x.to_owned();
        vec![
            Wrong {
                penalty: Penalty::TriesLeft { tries_left: 2 },
                disabled_operator: true,
                badge_missing: false,
                unknown_badge: false,
            },
            Wrong {
                penalty: Penalty::Wait { secs: 300 },
                disabled_operator: false,
                badge_missing: false,
                unknown_badge: false,
            },
            Wrong {
                penalty: Penalty::UntilAdmin,
                disabled_operator: false,
                badge_missing: false,
                unknown_badge: false,
            },
            Wrong {
                penalty: Penalty::Paused { secs: 90 },
                disabled_operator: false,
                badge_missing: false,
                unknown_badge: false,
            },
            StillLocked {
                penalty: Penalty::Wait { secs: 252 },
            },
            StillLocked {
                penalty: Penalty::Paused { secs: 61 },
            },
            PauseStarted {
                failures: 10,
                secs: 300,
            },
            MustChange,
            Role {
                role: OperatorRole::Admin,
            },
            LastAdmin,
            OwnAccount,
            Policy {
                cashier_min: 6,
                admin_min: 8,
                history: 3,
                max_age_days: 90,
            },
            Language { lang: Lang::Zh },
            TerminalName {
                name: s("Front till"),
            },
            Challenge {
                challenge: s("1234-5678"),
            },
            CountedFirst,
            NoChallenge,
            ChallengeExpired,
            WrongCode {
                challenge: s("1234-5678"),
            },
            RightCodeRefused {
                reason: RecoveryRefusal::Password,
            },
            SignOut {
                reason: SignOutReason::Idle,
            },
            Reinitialised,
            RestoredPrevious,
            Peer {
                gid: 5,
                pid: 77,
                more: 3,
            },
            TooManyApprovals {
                per_minute: 6,
                more: 2,
            },
            ApprovalAsked {
                action: s("void"),
                amount: Some(s("12.50")),
                reason: None,
                requester: s("pos"),
            },
            ApprovalAnswered {
                action: s("refund"),
                amount: None,
                end: ApprovalEnd::Timeout,
            },
        ]
    }

    fn has_han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_detail_is_worded_in_both_languages() {
        for d in samples() {
            let (en, zh) = (d.message(Lang::En), d.message(Lang::Zh));
            assert!(!en.is_empty() && !has_han(&en), "{d:?}: {en}");
            assert!(has_han(&zh), "{d:?} has no Chinese wording: {zh}");
            assert_ne!(en, zh, "{d:?}");
            // It survives the file: what is worded is what was stored.
            let json = serde_json::to_string(&d).unwrap();
            assert_eq!(
                serde_json::from_str::<AuditDetail>(&json).unwrap(),
                d,
                "{json}"
            );
        }
    }

    #[test]
    fn a_lock_reads_as_a_countdown_in_both_languages() {
        let d = AuditDetail::Wrong {
            penalty: Penalty::Wait { secs: 300 },
            disabled_operator: false,
            badge_missing: false,
            unknown_badge: false,
        };
        assert_eq!(d.message(Lang::En), "locked for 5:00");
        assert_eq!(d.message(Lang::Zh), "锁定 5:00");
        let d = AuditDetail::StillLocked {
            penalty: Penalty::Wait { secs: 252 },
        };
        assert_eq!(d.message(Lang::En), "locked, 4:12 left");
        assert_eq!(d.message(Lang::Zh), "锁定中，剩余 4:12");
    }

    #[test]
    fn actors_are_named_not_coded() {
        let op = Actor::Operator(OperatorId::new(7).unwrap());
        assert_eq!(op.message(Lang::En), "operator 07");
        assert_eq!(op.message(Lang::Zh), "操作员 07");
        assert_eq!(Actor::Kiosk.message(Lang::Zh), "登录界面");
    }

    #[test]
    fn known_actions_are_named_in_the_staffs_language() {
        assert_eq!(action_label("void", Lang::En), "Void sale");
        assert_eq!(action_label("void", Lang::Zh), "撤销交易");
        assert_eq!(action_label("refund", Lang::Zh), "退货退款");
        assert_eq!(
            action_label("gift_card", Lang::Zh),
            "GIFT CARD",
            "unknown names are shown as sent"
        );
    }
}
