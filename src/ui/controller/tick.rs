//! The 1 Hz tick: idle sign-out, countdowns, the state's health.

use super::*;

impl Kiosk {
    // ---- time ----------------------------------------------------------------------

    /// Once a second: the clock, countdowns, idle sign-out, fault re-checks.
    pub fn tick(&mut self) {
        let now = self.now_ms();
        if let Some(a) = &self.approval
            && now >= a.deadline_ms
        {
            let id = a.id;
            self.finish_approval(id, ApprovalResult::Timeout, ApprovalEnd::Timeout);
        }
        // A lockout countdown that has run out: ask the core again.
        if let Some(lock) = self.lock
            && lock.until_ms.is_some_and(|t| now >= t)
        {
            match self.svc.gate(lock.id) {
                Ok(g) => self.set_lock_from_gate(lock.id, g),
                Err(e) => self.failed(e),
            }
            if self.lock.is_none() {
                self.msg = (MsgKind::None, String::new());
            }
        }
        let idle_ms = now.saturating_sub(self.last_input_ms);
        self.sleep_tick(idle_ms);
        let total = self.ui.idle_sign_out.0.as_millis() as u64;
        let warn = self.ui.idle_warning.0.as_millis() as u64;
        if self.session.is_some() && total > 0 {
            if idle_ms >= total {
                tracing::info!("idle sign-out after {} s", idle_ms / 1000);
                self.end_session(SignOutReason::Idle, Note::IdleSignedOut);
                return;
            }
            if idle_ms + warn >= total && !self.idle_warned {
                self.idle_warned = true;
                self.buzzer.play(Beep::Error);
                self.events.push(KioskEvent::IdleWarning {
                    secs: (total - idle_ms).div_ceil(1000),
                });
            }
        }
        if self.session.is_none()
            && self.screen == Screen::SignIn
            && self.lock.is_none()
            && idle_ms >= self.ui.clear_sign_in_after.0.as_millis() as u64
            && (self.form.fields.iter().any(|f| !f.is_empty()) || self.badge.is_some())
        {
            self.badge = None;
            self.form.clear();
            self.msg = (MsgKind::None, String::new());
        }
        if self.screen == Screen::Fault
            && self
                .fault
                .as_ref()
                .is_some_and(|f| matches!(f, Fault::Store { .. }))
            && now.saturating_sub(self.last_health_ms) >= 10_000
        {
            self.check_health();
        }
    }

    pub(super) fn idle_secs(&self) -> i32 {
        let total = self.ui.idle_sign_out.0.as_millis() as u64;
        let warn = self.ui.idle_warning.0.as_millis() as u64;
        if self.session.is_none() || total == 0 {
            return 0;
        }
        let idle = self.now_ms().saturating_sub(self.last_input_ms);
        if idle + warn >= total && idle < total {
            i32::try_from((total - idle).div_ceil(1000)).unwrap_or(0)
        } else {
            0
        }
    }
}
