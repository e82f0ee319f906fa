//! What the screen shows: the [`View`] built from the controller's state.

use super::*;

impl Kiosk {
    // ---- the view -------------------------------------------------------------------

    /// Everything the screen shows now.
    pub fn view(&self) -> View {
        let lang = self.lang;
        let wall = self.clock.wall();
        let (message_kind, message) = self.message_view();
        let (asleep, shade_pct) = self.sleep_view();
        View {
            screen: self.screen,
            lang: lang.code(),
            terminal_name: self.terminal_name.clone(),
            clock: local_time(wall, "%H:%M"),
            date: local_date(wall, lang),
            who: self
                .session
                .as_ref()
                .map(|s| format!("{} {}", s.id, s.name))
                .unwrap_or_default(),
            admin: self.session.as_ref().is_some_and(|s| s.role == Role::Admin),
            forced: self
                .session
                .as_ref()
                .is_some_and(|s| s.must_change.is_some()),
            banner: self.banner(),
            idle_secs: self.idle_secs(),
            asleep,
            shade_pct,
            message,
            message_kind,
            form: self.form_view(),
            operators: self.operators_view(),
            policy: self.policy_view(),
            audit: if self.screen == Screen::Audit {
                self.audit.rows.clone()
            } else {
                Vec::new()
            },
            audit_filter: self
                .audit
                .filter
                .map(|id| id.to_string())
                .unwrap_or_default(),
            recovery: self.recovery_view(),
            info: self.info.clone(),
            fault: self.fault_view(),
            warn_not_persistent: !self.persistent,
            approval: self.approval_view(),
        }
    }

    /// The message line: a running lock on the number typed, live, or the
    /// last thing said.
    fn message_view(&self) -> (MsgKind, String) {
        let Some(lock) = self.lock else {
            return self.msg.clone();
        };
        let now_ms = self.now_ms();
        let secs = |t: u64| t.saturating_sub(now_ms).div_ceil(1000).max(1);
        let text = match lock.until_ms {
            Some(t) if lock.whole_till => AuthOutcome::Paused { secs: secs(t) }.message(self.lang),
            Some(t) => AuthOutcome::Locked { secs: secs(t) }.message(self.lang),
            None => AuthOutcome::LockedUntilAdmin.message(self.lang),
        };
        (MsgKind::Error, text)
    }

    fn form_view(&self) -> FormView {
        let active_takes_letters = self
            .form
            .fields
            .get(self.form.active)
            .is_some_and(Field::takes_letters);
        FormView {
            fields: self
                .form
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| FieldView {
                    // A badge held for sign-in: the number stays hidden.
                    display: if i == 0 && self.badge.is_some() && f.is_empty() {
                        self.lang.pick("Badge ✓", "工卡 ✓")
                    } else {
                        f.display()
                    },
                    active: i == self.form.active,
                    disabled: f.disabled,
                    secret: matches!(f.kind, FieldKind::Secret { .. }),
                    count: f.count(),
                })
                .collect(),
            active: self.form.active,
            letters: self.letters && active_takes_letters,
            letters_allowed: active_takes_letters,
            locked: self.lock.is_some(),
            hints: self.checklist(),
        }
    }

    /// The strip across a home screen: a password about to expire, or a
    /// till without recovery while an admin is there to act.
    fn banner(&self) -> String {
        let lang = self.lang;
        match self.session.as_ref().and_then(|s| s.expires_in_days) {
            Some(d) if d <= 1 => lang.pick(
                "Your password expires tomorrow. Change it now in Settings.",
                "您的密码明天过期。请在“设置”中修改。",
            ),
            Some(d) => lang.pick(
                format!("Your password expires in {d} days. Change it in Settings."),
                format!("您的密码将在 {d} 天后过期。请在“设置”中修改。"),
            ),
            None if self.no_recovery && self.screen == Screen::AdminHome => {
                Note::NoRecoveryYet.message(lang)
            }
            None => String::new(),
        }
    }

    fn recovery_view(&self) -> RecoveryView {
        let c = self.recovery.challenge.as_ref();
        RecoveryView {
            ready: self.recovery.ready,
            serial: c.map(|c| c.serial.clone()).unwrap_or_default(),
            code: c.map(Challenge::nonce_grouped).unwrap_or_default(),
            challenge: c.map(|c| c.to_string()).unwrap_or_default(),
            phase: self.recovery.phase,
        }
    }

    fn approval_view(&self) -> ApprovalView {
        let Some(a) = &self.approval else {
            return ApprovalView::default();
        };
        let left_ms = a.deadline_ms.saturating_sub(self.now_ms());
        ApprovalView {
            active: true,
            action: a.req.action.clone(),
            label: action_label(&a.req.action, self.lang),
            amount: a.req.amount.clone().unwrap_or_default(),
            reason: a.req.reason.clone().unwrap_or_default(),
            secs_left: i32::try_from(left_ms.div_ceil(1000)).unwrap_or(0),
        }
    }

    pub(super) fn row(&self, o: &OperatorView) -> OperatorRow {
        let severity = match o.status {
            OperatorStatus::Active => 0,
            OperatorStatus::MustChange { .. } | OperatorStatus::Expired => 1,
            OperatorStatus::Locked { .. } | OperatorStatus::LockedUntilAdmin => 2,
            OperatorStatus::Disabled => 3,
        };
        OperatorRow {
            id: o.id,
            name: o.name.clone(),
            role: o.role,
            status: o.status.message(self.lang),
            severity,
        }
    }

    pub(super) fn operators_view(&self) -> OperatorsView {
        let lang = self.lang;
        let sel = self
            .operators
            .selected
            .and_then(|id| self.operators.list.iter().find(|o| o.id == id));
        let confirm = self.confirm.map(|c| {
            let name = |id: OperatorId| {
                self.operators.list.iter().find(|o| o.id == id).map_or(id.to_string(), |o| format!("{id} {}", o.name))
            };
            match c {
                Confirm::Reset(id) => (
                    lang.pick("Reset password?", "重置密码？"),
                    lang.pick(
                        format!("{} gets a new temporary password and must change it at the next sign-in.", name(id)),
                        format!("{} 将获得新的临时密码，下次登录时必须修改。", name(id)),
                    ),
                    false,
                ),
                Confirm::Disable(id) => (
                    lang.pick("Disable operator?", "停用操作员？"),
                    lang.pick(
                        format!("{} will not be able to sign in until enabled again.", name(id)),
                        format!("{} 在重新启用前将无法登录。", name(id)),
                    ),
                    true,
                ),
                Confirm::Remove(id) => (
                    lang.pick("Remove operator?", "删除操作员？"),
                    lang.pick(
                        format!("{} will be removed. This cannot be undone; the audit log keeps their history.", name(id)),
                        format!("将删除 {}。此操作无法撤销；审计日志仍保留其记录。", name(id)),
                    ),
                    true,
                ),
            }
        });
        OperatorsView {
            rows: self.operators.list.iter().map(|o| self.row(o)).collect(),
            selected: sel.map(|o| self.row(o)),
            selected_facts: sel
                .map(|o| {
                    let set = &o.password_set[..10.min(o.password_set.len())];
                    let exp = match o.expires_in_days {
                        None => lang.pick("never expires", "永不过期"),
                        Some(d) if d <= 0 => lang.pick("expired", "已过期"),
                        Some(d) => {
                            lang.pick(format!("expires in {d} days"), format!("{d} 天后过期"))
                        }
                    };
                    lang.pick(
                        format!(
                            "Password set {set}, {exp}. Wrong attempts in a row: {}.",
                            o.failures
                        ),
                        format!("密码设置于 {set}，{exp}。连续错误次数：{}。", o.failures),
                    )
                })
                .unwrap_or_default(),
            can_unlock: sel.is_some_and(|o| {
                o.failures > 0
                    || matches!(
                        o.status,
                        OperatorStatus::Locked { .. } | OperatorStatus::LockedUntilAdmin
                    )
            }),
            can_enable: sel.is_some_and(|o| !o.enabled),
            has_badge: sel.is_some_and(|o| o.badge),
            enrolling: self.operators.enrolling.is_some(),
            add_admin: self.operators.add_admin,
            temp: self
                .temp
                .as_ref()
                .map(|(who, pw)| (who.clone(), group4(pw.expose()))),
            confirm,
        }
    }

    pub(super) fn policy_view(&self) -> PolicyView {
        let stepper = |n: PolicyNumber| {
            let (lo, hi) = self.bounds(n);
            let v = self.number(n);
            Stepper {
                value: i32::try_from(v).unwrap_or(0),
                can_dec: v > lo,
                can_inc: v < hi,
            }
        };
        let f = &self.policy.floor;
        let p = &self.policy.draft;
        PolicyView {
            operator_min: stepper(PolicyNumber::OperatorMin),
            admin_min: stepper(PolicyNumber::AdminMin),
            history: stepper(PolicyNumber::History),
            max_age: stepper(PolicyNumber::MaxAge),
            warn_days: stepper(PolicyNumber::WarnDays),
            blocklist: Toggle {
                on: p.blocklist,
                fixed: f.blocklist,
            },
            dates: Toggle {
                on: p.reject_dates,
                fixed: f.reject_dates,
            },
            patterns: Toggle {
                on: p.reject_repeating_patterns,
                fixed: f.reject_repeating_patterns,
            },
            number_name: Toggle {
                on: p.reject_number_or_name,
                fixed: f.reject_number_or_name,
            },
            badge_admin: Toggle {
                on: p.require_badge.admin,
                fixed: f.require_badge.admin,
            },
            badge_operator: Toggle {
                on: p.require_badge.operator,
                fixed: f.require_badge.operator,
            },
            dirty: self.policy.draft != self.policy.saved,
        }
    }

    pub(super) fn fault_view(&self) -> FaultView {
        let lang = self.lang;
        match &self.fault {
            None => FaultView::default(),
            Some(Fault::Config(e)) => FaultView {
                title: lang.pick("The till's settings file has an error.", "收银机配置文件有错误。"),
                detail: e.clone(),
                action: lang.pick(
                    "Tell the technician: fix the file named above (tillctl check-config shows the line), then restart the till.",
                    "请告知技术人员：修正上面提到的文件（tillctl check-config 会显示出错行），然后重启收银机。",
                ),
            },
            Some(Fault::Store { error, remedy }) => FaultView {
                title: lang.pick(
                    "This till cannot be used right now: its saved data cannot be read safely.",
                    "此收银机暂时无法使用：无法安全读取其保存的数据。",
                ),
                detail: error.clone(),
                action: lang.pick(
                    format!("Tell the technician: {remedy}. Nobody can sign in until this is fixed."),
                    format!("请告知技术人员：{remedy}。问题解决前任何人都无法登录。"),
                ),
            },
        }
    }
}

/// A policy rule as a checklist line ("At least 6 characters").
pub(super) fn rule_hint(r: &Rejection, lang: Lang) -> String {
    match *r {
        Rejection::TooShort { min } => lang.pick(
            format!("At least {min} characters"),
            format!("至少 {min} 位"),
        ),
        Rejection::DigitsOnly => lang.pick("Digits only", "只能是数字"),
        Rejection::IdenticalRun { max } => lang.pick(
            format!("No {} alike in a row", max + 1),
            format!("无 {} 个相同字符相连", max + 1),
        ),
        Rejection::SequentialRun { max } => lang.pick(
            format!("No {} in sequence", max + 1),
            format!("无 {} 位连续字符", max + 1),
        ),
        Rejection::RepeatingPattern => lang.pick("No repeats (121212)", "不能重复（121212）"),
        Rejection::LooksLikeDate => lang.pick("Not a date", "不能是日期"),
        Rejection::ContainsNumber => lang.pick("Not your number", "不含操作员编号"),
        Rejection::ContainsName => lang.pick("Not your name", "不含姓名"),
        Rejection::Blocklisted => lang.pick("Not a common password", "不是常用密码"),
        ref other => other.message(lang),
    }
}

pub(super) fn local(wall: WallTime) -> Option<chrono::DateTime<chrono::Local>> {
    use chrono::TimeZone;
    chrono::Local.timestamp_millis_opt(wall.0).single()
}

pub(super) fn local_time(wall: WallTime, fmt: &str) -> String {
    local(wall)
        .map(|t| t.format(fmt).to_string())
        .unwrap_or_default()
}

pub(super) fn local_date(wall: WallTime, lang: Lang) -> String {
    use chrono::Datelike;
    let Some(t) = local(wall) else {
        return String::new();
    };
    match lang {
        Lang::En => t.format("%a %-d %b %Y").to_string(),
        Lang::Zh => {
            let wd = ["一", "二", "三", "四", "五", "六", "日"]
                [t.weekday().num_days_from_monday() as usize];
            format!("{}年{}月{}日 星期{wd}", t.year(), t.month(), t.day())
        }
    }
}
