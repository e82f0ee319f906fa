//! First-boot setup and signing in: the form, the live lock on the
//! number typed, the check on the worker thread, and the session it opens.

use super::*;

impl Kiosk {
    // ---- setup and sign-in -----------------------------------------------

    pub(super) fn submit_setup(&mut self) {
        let name = self.form.field(0).text().trim().to_owned();
        if name.is_empty() {
            self.buzzer.play(Beep::Error);
            self.form.focus(0);
            return self.note(MsgKind::Error, Note::TerminalNameNeeded);
        }
        let admin_name = self.lang.pick("Administrator", "管理员");
        let setup = Setup {
            admin: OperatorId::FIRST_ADMIN,
            name: &admin_name,
            terminal_name: Some(&name),
            password: self.form.field(1).secret(),
            confirm: self.form.field(2).secret(),
        };
        match self.svc.init(&Actor::Kiosk, &setup, false) {
            Ok(_) => {
                self.buzzer.play(Beep::Success);
                self.terminal_name = name;
                let _ = self.svc.set_language(&Actor::Kiosk, self.lang);
                self.go(Screen::SignIn);
                for d in [0, 0] {
                    self.form.key(Key::Digit(d));
                }
                self.note(MsgKind::Success, Note::SetupDone);
            }
            Err(ServiceError::Till(TillError::Rejected(r))) => self.rejected(r, 1),
            Err(e) => self.failed(e),
        }
    }

    pub(super) fn rejected(&mut self, r: Rejection, first_new_field: usize) {
        self.buzzer.play(Beep::Error);
        let m = r.message(self.lang);
        self.say(MsgKind::Error, m);
        // Clear what must be typed again; keep the old password if asked for.
        for i in first_new_field..self.form.fields.len() {
            self.form.field_mut(i).clear();
        }
        self.form.focus(first_new_field);
    }

    pub(super) fn typed_number(&self) -> Option<OperatorId> {
        self.form.field(0).text().parse().ok()
    }

    /// Shows the countdown (and blocks the password) when the typed number
    /// may not try now. Identical for known and unknown numbers.
    pub(super) fn refresh_sign_in_lock(&mut self) {
        let Some(id) = self.typed_number() else {
            self.set_lock(None);
            return;
        };
        match self.svc.gate_cached(&mut self.gate_cache, id) {
            Ok(g) => self.set_lock_from_gate(id, g),
            Err(e) => self.failed(e),
        }
    }

    pub(super) fn set_lock_from_gate(&mut self, id: OperatorId, g: Gate) {
        let now = self.now_ms();
        let until = |secs: u64| Some(now.saturating_add(secs.saturating_mul(1000)));
        let lock = match g {
            Gate::Open => None,
            Gate::Wait { secs } => Some(SignInLock {
                id,
                until_ms: until(secs),
                whole_till: false,
            }),
            Gate::Paused { secs } => Some(SignInLock {
                id,
                until_ms: until(secs),
                whole_till: true,
            }),
            Gate::UntilAdmin => Some(SignInLock {
                id,
                until_ms: None,
                whole_till: false,
            }),
        };
        self.set_lock(lock);
    }

    pub(super) fn set_lock(&mut self, lock: Option<SignInLock>) {
        self.lock = lock;
        if self.form.fields.len() > 1 {
            self.form.field_mut(1).disabled = lock.is_some();
            if lock.is_some() {
                self.form.field_mut(1).clear();
                self.form.active = 0;
            }
        }
    }

    /// Starts checking the number and password typed into fields 0 and 1
    /// through the core (its lockout included) on a worker thread; the
    /// password leaves the form. `None`: nothing to check yet (said on
    /// screen).
    pub(super) fn check_form(&mut self) -> Option<(OperatorId, Secret)> {
        let Some(id) = self.typed_number() else {
            self.buzzer.play(Beep::Error);
            self.form.focus(0);
            self.note(MsgKind::Error, Note::EnterNumber);
            return None;
        };
        if self.lock.is_some() {
            self.buzzer.play(Beep::Locked);
            return None;
        }
        if self.form.field(1).is_empty() {
            self.buzzer.play(Beep::Error);
            self.form.focus(1);
            self.note(MsgKind::Error, Note::EnterPassword);
            return None;
        }
        Some((id, self.form.field_mut(1).take_secret()))
    }

    /// A check from [`check_form`](Kiosk::check_form) is back: tells the
    /// sales software about any lockout. `None`: the store failed (already
    /// on screen).
    pub(super) fn form_checked(
        &mut self,
        id: OperatorId,
        result: Result<AuthOutcome, ServiceError>,
    ) -> Option<AuthOutcome> {
        let outcome = match result {
            Ok(o) => o,
            Err(e) => {
                self.failed(e);
                return None;
            }
        };
        let locked = match outcome {
            AuthOutcome::Wrong {
                penalty: Penalty::Wait { secs },
            }
            | AuthOutcome::Locked { secs } => Some(Some(secs)),
            // The whole till pausing is not this number's lockout; the
            // sales software sees it as any failure.
            AuthOutcome::Wrong {
                penalty: Penalty::UntilAdmin,
            }
            | AuthOutcome::LockedUntilAdmin => Some(None),
            _ => None,
        };
        if let Some(secs) = locked {
            self.events.push(KioskEvent::Locked { id, secs });
        }
        Some(outcome)
    }

    pub(super) fn submit_sign_in(&mut self) {
        if let Some(card) = self.take_badge() {
            return self.submit_badge_sign_in(card);
        }
        if let Some((id, pw)) = self.check_form() {
            self.check_off_thread(move |svc| {
                let r = svc.authenticate(&Actor::Kiosk, id, &pw);
                Done::SignIn(id, r, pw)
            });
        }
    }

    /// Long on purpose: one arm per sign-in outcome, each what the screen does next.
    pub(super) fn sign_in_checked(
        &mut self,
        id: OperatorId,
        r: Result<AuthOutcome, ServiceError>,
        typed: Secret,
    ) {
        // Only the sign-in screen it was typed on takes the answer (a fault
        // may have come up meanwhile).
        if self.screen != Screen::SignIn || self.session.is_some() {
            return;
        }
        let Some(outcome) = self.form_checked(id, r) else {
            return;
        };
        let text = outcome.message(self.lang);
        match outcome {
            AuthOutcome::Ok {
                id,
                name,
                role,
                expires_in_days,
            } => {
                self.begin_session(Session {
                    id,
                    name,
                    role,
                    since: self.clock.wall(),
                    must_change: None,
                    expires_in_days,
                    by_badge: false,
                });
            }
            AuthOutcome::MustChange {
                id,
                name,
                role,
                reason,
            } => {
                self.begin_session(Session {
                    id,
                    name,
                    role,
                    since: self.clock.wall(),
                    must_change: Some(reason),
                    expires_in_days: None,
                    by_badge: false,
                });
                // Walk-through defect 10: the password just typed is the
                // current one; asking for it again a second later only
                // invites typos. It moves into the form (wiped with it).
                if self.screen == Screen::ChangePassword && self.form.fields.len() == 3 {
                    self.form.field_mut(0).set_secret(typed);
                    self.form.focus(1);
                }
                self.say(MsgKind::Info, text);
            }
            AuthOutcome::Wrong { penalty } => {
                let beep = if matches!(penalty, Penalty::TriesLeft { .. }) {
                    Beep::Error
                } else {
                    Beep::Locked
                };
                self.buzzer.play(beep);
                self.say(MsgKind::Error, text);
                match penalty {
                    Penalty::Wait { secs } => self.set_lock_from_gate(id, Gate::Wait { secs }),
                    Penalty::Paused { secs } => self.set_lock_from_gate(id, Gate::Paused { secs }),
                    Penalty::UntilAdmin => self.set_lock_from_gate(id, Gate::UntilAdmin),
                    Penalty::TriesLeft { .. } => self.form.focus(1),
                }
            }
            AuthOutcome::Locked { secs } => {
                self.buzzer.play(Beep::Locked);
                self.set_lock_from_gate(id, Gate::Wait { secs });
            }
            AuthOutcome::LockedUntilAdmin => {
                self.buzzer.play(Beep::Locked);
                self.set_lock_from_gate(id, Gate::UntilAdmin);
            }
            AuthOutcome::Paused { secs } => {
                self.buzzer.play(Beep::Locked);
                self.set_lock_from_gate(id, Gate::Paused { secs });
            }
        }
    }

    pub(super) fn begin_session(&mut self, s: Session) {
        self.buzzer.play(Beep::Success);
        self.no_recovery = s.role == Role::Admin && matches!(self.svc.recovery_ready(), Ok(false));
        self.events.push(KioskEvent::SignedIn(s.clone()));
        self.session = Some(s);
        self.back.clear();
        self.form.clear();
        let home = self.home();
        self.go(home);
    }

    /// Signs out (button, idle timer, or the session API).
    pub fn sign_out(&mut self) {
        self.end_session(SignOutReason::Button, Note::SignedOut);
    }

    /// Signs out on behalf of another program.
    pub fn sign_out_by_api(&mut self) {
        self.end_session(SignOutReason::Api, Note::SignedOut);
    }

    pub(super) fn end_session(&mut self, reason: SignOutReason, note: Note) {
        self.touch();
        if let Some(a) = &self.approval {
            let id = a.id;
            self.finish_approval(id, ApprovalResult::Cancelled, ApprovalEnd::SignedOut);
        }
        let Some(s) = self.session.take() else { return };
        if let Err(e) = self.svc.sign_out(&Actor::Operator(s.id), s.id, reason) {
            tracing::error!("sign-out not audited: {e}");
        }
        self.events.push(KioskEvent::SignedOut { id: s.id, reason });
        self.temp = None;
        self.back.clear();
        self.buzzer.play(Beep::Click);
        self.go(Screen::SignIn);
        self.note(MsgKind::Info, note);
    }
}
