//! The password policy screen: the draft, its bounds, saving it.

use super::*;

/// The policy screen's own state.
#[derive(Debug)]
pub(super) struct PolicyPage {
    /// The config's floor: the draft never goes below it.
    pub(super) floor: PasswordPolicy,
    /// What the admin is editing.
    pub(super) draft: PasswordPolicy,
    /// What is in force (the draft is "dirty" while it differs).
    pub(super) saved: PasswordPolicy,
}

impl Kiosk {
    // ---- policy ------------------------------------------------------------

    pub(super) fn load_policy(&mut self) {
        match self.svc.policy() {
            Ok(p) => {
                self.policy.saved = p.clone();
                self.policy.draft = p;
            }
            Err(e) => self.failed(e),
        }
    }

    pub(super) fn bounds(&self, n: PolicyNumber) -> (u32, u32) {
        let f = &self.policy.floor;
        match n {
            PolicyNumber::OperatorMin => (f.operator_length.min, f.operator_length.max.min(32)),
            PolicyNumber::AdminMin => (f.admin_length.min, f.admin_length.max.min(32)),
            PolicyNumber::History => (f.history, 24),
            PolicyNumber::MaxAge if f.max_age_days == 0 => (0, 365),
            PolicyNumber::MaxAge => (1, f.max_age_days),
            PolicyNumber::WarnDays => {
                let age = self.policy.draft.max_age_days;
                (0, if age == 0 { 30 } else { age.min(30) })
            }
        }
    }

    pub(super) fn number(&self, n: PolicyNumber) -> u32 {
        let p = &self.policy.draft;
        match n {
            PolicyNumber::OperatorMin => p.operator_length.min,
            PolicyNumber::AdminMin => p.admin_length.min,
            PolicyNumber::History => p.history,
            PolicyNumber::MaxAge => p.max_age_days,
            PolicyNumber::WarnDays => p.warn_days,
        }
    }

    /// A − or + on the policy screen.
    pub fn policy_adjust(&mut self, n: PolicyNumber, up: bool) {
        self.touch();
        let (lo, hi) = self.bounds(n);
        let step = if n == PolicyNumber::MaxAge { 5 } else { 1 };
        let cur = self.number(n);
        let next = if up {
            cur.saturating_add(step)
        } else {
            cur.saturating_sub(step)
        }
        .clamp(lo, hi);
        if next == cur {
            self.buzzer.play(Beep::Error);
            return;
        }
        self.buzzer.play(Beep::Click);
        let p = &mut self.policy.draft;
        match n {
            PolicyNumber::OperatorMin => p.operator_length.min = next,
            PolicyNumber::AdminMin => p.admin_length.min = next,
            PolicyNumber::History => p.history = next,
            PolicyNumber::MaxAge => p.max_age_days = next,
            PolicyNumber::WarnDays => p.warn_days = next,
        }
        let (_, warn_hi) = self.bounds(PolicyNumber::WarnDays);
        self.policy.draft.warn_days = self.policy.draft.warn_days.min(warn_hi);
    }

    /// A rule switch on the policy screen.
    pub fn policy_toggle(&mut self, r: PolicyRule) {
        self.touch();
        let f = self.policy.floor.clone();
        let p = &mut self.policy.draft;
        let (val, fixed) = match r {
            PolicyRule::Blocklist => (&mut p.blocklist, f.blocklist),
            PolicyRule::Dates => (&mut p.reject_dates, f.reject_dates),
            PolicyRule::Patterns => (
                &mut p.reject_repeating_patterns,
                f.reject_repeating_patterns,
            ),
            PolicyRule::NumberName => (&mut p.reject_number_or_name, f.reject_number_or_name),
            PolicyRule::BadgeAdmin => (&mut p.require_badge.admin, f.require_badge.admin),
            PolicyRule::BadgeOperator => (&mut p.require_badge.operator, f.require_badge.operator),
        };
        if fixed {
            self.buzzer.play(Beep::Error);
        } else {
            *val = !*val;
            self.buzzer.play(Beep::Click);
        }
    }

    /// Saves the policy.
    pub fn policy_save(&mut self) {
        self.touch();
        let actor = self.actor();
        match self.svc.set_policy(&actor, &self.policy.draft.clone()) {
            Ok(p) => {
                self.policy.saved = p.clone();
                self.policy.draft = p;
                self.buzzer.play(Beep::Success);
                self.note(MsgKind::Success, Note::PolicySaved);
            }
            Err(e) => self.failed(e),
        }
    }
}
