//! The forgotten-admin-password flow: challenge, desk response, new password.

use super::*;

impl Kiosk {
    // ---- recovery ---------------------------------------------------------------

    pub(super) fn start_recovery(&mut self) {
        self.recovery = Recovery {
            admin: Some(OperatorId::FIRST_ADMIN),
            ..Recovery::default()
        };
        match self.svc.recovery_ready() {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => return self.failed(e),
        }
        self.recovery.ready = true;
        // Keep a challenge the desk may already be working on.
        let existing = self.svc.pending_challenge().ok().flatten();
        let c = match existing {
            Some(c) => Ok(c),
            None => self.svc.recovery_challenge(&Actor::Kiosk),
        };
        match c {
            Ok(c) => self.recovery.challenge = Some(c),
            Err(e) => self.failed(e),
        }
    }

    /// "New code" on the recovery screen.
    pub fn new_challenge(&mut self) {
        self.touch();
        if !self.recovery.ready {
            return;
        }
        match self.svc.recovery_challenge(&Actor::Kiosk) {
            Ok(c) => {
                self.buzzer.play(Beep::Click);
                self.recovery.challenge = Some(c);
                self.recovery.phase = 0;
                self.form = self.recovery_form();
                self.msg = (MsgKind::None, String::new());
            }
            Err(e) => self.failed(e),
        }
    }

    pub(super) fn recovery_form(&self) -> Form {
        if self.recovery.phase == 0 {
            let mut f = Form::new(vec![
                Field::with_text(FieldKind::Digits { max: 2 }, "00"),
                Field::new(FieldKind::Digits {
                    max: crate::core::recovery::RESPONSE_DIGITS,
                }),
            ]);
            f.focus(1);
            f
        } else {
            let s = || {
                Field::new(FieldKind::Secret {
                    max: PASSWORD_MAX,
                    digits_only: false,
                })
            };
            Form::new(vec![s(), s()])
        }
    }

    pub(super) fn submit_recovery(&mut self) {
        if !self.recovery.ready {
            return;
        }
        if self.recovery.phase == 0 {
            let Some(id) = self.form.field(0).text().parse::<OperatorId>().ok() else {
                self.buzzer.play(Beep::Error);
                return self.note(MsgKind::Error, Note::EnterNumber);
            };
            if self.form.field(1).text().len() != crate::core::recovery::RESPONSE_DIGITS {
                self.buzzer.play(Beep::Error);
                self.form.focus(1);
                return;
            }
            self.recovery.admin = Some(id);
            self.recovery.code = Secret::new(self.form.field(1).text().to_owned());
            self.recovery.phase = 1;
            self.form = self.recovery_form();
            self.buzzer.play(Beep::Click);
            self.msg = (MsgKind::None, String::new());
            return;
        }
        let id = self.recovery.admin.unwrap_or(OperatorId::FIRST_ADMIN);
        let code = self.recovery.code.clone();
        let r = self.svc.recovery_redeem(
            &Actor::Kiosk,
            id,
            &code,
            self.form.field(0).secret(),
            self.form.field(1).secret(),
        );
        match r {
            Ok(()) => {
                self.recovery = Recovery::default();
                self.buzzer.play(Beep::Success);
                self.back.clear();
                self.go(Screen::SignIn);
                for d in id.to_string().bytes() {
                    self.form.key(Key::Digit(d - b'0'));
                }
                self.note(MsgKind::Success, Note::RecoveryDone);
            }
            Err(ServiceError::Till(TillError::Rejected(r))) => self.rejected(r, 0),
            Err(ServiceError::Till(
                e @ (TillError::WrongCode(_)
                | TillError::RecoveryLocked(_)
                | TillError::NotFound(_)
                | TillError::NotAdmin(_)),
            )) => {
                self.recovery.code.clear();
                self.recovery.phase = 0;
                self.form = self.recovery_form();
                if matches!(e, TillError::WrongCode(None)) {
                    self.new_challenge();
                }
                self.buzzer.play(Beep::Error);
                let m = e.message(self.lang);
                self.say(MsgKind::Error, m);
            }
            Err(ServiceError::Till(TillError::ChallengeExpired | TillError::NoChallenge)) => {
                self.recovery.code.clear();
                self.new_challenge();
                self.buzzer.play(Beep::Error);
                self.note(MsgKind::Error, Note::ChallengeRenewed);
            }
            Err(e) => self.failed(e),
        }
    }
}
