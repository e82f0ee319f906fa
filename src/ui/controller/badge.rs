//! Badge reads: sign-in by badge and PIN, and enrolment on the operator
//! detail screen.
//!
//! A read on the sign-in screen is held (as a [`Secret`]) until the PIN is
//! submitted; the number field stays empty, so the screen never shows
//! whose badge it was. A badge nobody has looks exactly like anyone's:
//! "Badge read", then "Wrong badge or PIN" after the PIN. Typing a number
//! instead drops the badge.

use super::worker::Done;
use super::*;

impl Kiosk {
    /// A badge was read (a reader, or the scripted keypad's `BADGE`).
    pub fn badge(&mut self, card: Secret) {
        // A deliberate swipe both wakes the screen and counts.
        self.wake();
        if self.is_checking() || self.screen == Screen::Fault {
            return;
        }
        if let Some(id) = self.operators.enrolling.take()
            && self.screen == Screen::OperatorDetail
            && self.operators.selected == Some(id)
        {
            let r = self
                .svc
                .enrol_badge(&self.actor(), id, &card)
                .map(|_| Note::BadgeEnrolled);
            return self.after_action(r);
        }
        if self.approval.is_some() {
            return self.approval_badge(card);
        }
        if self.session.is_some() || self.screen != Screen::SignIn {
            self.buzzer.play(Beep::Error);
            self.note(MsgKind::Error, Note::BadgeNotNow);
            return;
        }
        self.badge = Some(card);
        self.set_lock(None);
        self.form.field_mut(0).clear();
        self.form.focus(1);
        self.buzzer.play(Beep::Success);
        self.note(MsgKind::Info, Note::BadgeRead);
    }

    /// The badge held for a sign-in, if the number field is still empty
    /// (a typed number wins, and the badge is dropped).
    pub(super) fn take_badge(&mut self) -> Option<Secret> {
        let card = self.badge.take()?;
        self.form.field(0).is_empty().then_some(card)
    }

    /// Starts a sign-in with the held badge and the PIN typed.
    pub(super) fn submit_badge_sign_in(&mut self, card: Secret) {
        if self.form.field(1).is_empty() {
            self.badge = Some(card);
            self.buzzer.play(Beep::Error);
            self.form.focus(1);
            self.note(MsgKind::Error, Note::EnterPassword);
            return;
        }
        let pw = self.form.field_mut(1).take_secret();
        self.check_off_thread(move |svc| {
            let r = svc.authenticate_badge(&Actor::Kiosk, &card, &pw);
            Done::Badge(r, pw)
        });
    }

    /// A badge sign-in is back. A wrong PIN and an unknown badge read the
    /// same; a lock says so (only a genuine badge can be locked).
    pub(super) fn badge_checked(&mut self, r: Result<AuthOutcome, ServiceError>, typed: Secret) {
        if self.screen != Screen::SignIn || self.session.is_some() {
            return;
        }
        let outcome = match r {
            Ok(o) => o,
            Err(e) => return self.failed(e),
        };
        match outcome {
            AuthOutcome::Ok { id, .. } | AuthOutcome::MustChange { id, .. } => {
                self.sign_in_checked(id, Ok(outcome), typed);
                if let Some(s) = &mut self.session {
                    s.by_badge = true;
                }
            }
            AuthOutcome::Wrong {
                penalty: Penalty::TriesLeft { .. },
            } => {
                self.buzzer.play(Beep::Error);
                self.form.focus(1);
                self.note(MsgKind::Error, Note::BadgeWrong);
            }
            other => {
                self.buzzer.play(Beep::Locked);
                let text = other.message(self.lang);
                self.say(MsgKind::Error, text);
            }
        }
    }
}
