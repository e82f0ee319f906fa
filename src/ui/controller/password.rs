//! Changing one's own password (and the forced change after a reset).

use super::*;

impl Kiosk {
    // ---- passwords ---------------------------------------------------------

    pub(super) fn policy_in_force(&self) -> PasswordPolicy {
        self.svc
            .policy()
            .unwrap_or_else(|_| self.policy.floor.clone())
    }

    pub(super) fn submit_change(&mut self) {
        let Some(s) = self.session.clone() else {
            return;
        };
        // Copies (wiped on drop): a wrong old password keeps the new ones
        // typed, a refused new one keeps the old.
        let old = self.form.field(0).secret().clone();
        let new = self.form.field(1).secret().clone();
        let confirm = self.form.field(2).secret().clone();
        let (id, by_badge) = (s.id, s.by_badge);
        self.check_off_thread(move |svc| {
            Done::Change(if by_badge {
                svc.change_password_after_badge(id, &old, &new, &confirm)
            } else {
                svc.change_password(&Actor::Operator(id), id, &old, &new, &confirm)
            })
        });
    }

    pub(super) fn change_checked(&mut self, r: Result<(), ServiceError>) {
        if self.screen != Screen::ChangePassword || self.session.is_none() {
            // Signed out meanwhile (idle, the sales software): whatever
            // changed is on disk; there is no form to answer on.
            return;
        }
        match r {
            Ok(()) => {
                self.buzzer.play(Beep::Success);
                if let Some(sess) = &mut self.session {
                    sess.must_change = None;
                    sess.expires_in_days = None;
                }
                self.back.clear();
                let home = self.home();
                self.go(home);
                self.note(MsgKind::Success, Note::PasswordChanged);
            }
            // Keep the old password (it was right); retype the new one.
            Err(ServiceError::Till(TillError::Rejected(r))) => self.rejected(r, 1),
            Err(ServiceError::Till(TillError::Auth(outcome))) => {
                if matches!(
                    outcome,
                    AuthOutcome::Wrong {
                        penalty: Penalty::Wait { .. } | Penalty::UntilAdmin
                    } | AuthOutcome::Locked { .. }
                        | AuthOutcome::LockedUntilAdmin
                ) {
                    // Someone at a signed-in till guessing its password.
                    self.form.clear();
                    self.buzzer.play(Beep::Locked);
                    self.end_session(SignOutReason::Locked, Note::LockedOutWhileSignedIn);
                    self.buzzer.play(Beep::Locked);
                    return;
                }
                // Only the old password was wrong: retype it, keep the
                // new one, and say which field it was (this screen has no
                // operator number).
                self.buzzer.play(Beep::Error);
                let m = match outcome {
                    AuthOutcome::Wrong {
                        penalty: Penalty::TriesLeft { tries_left },
                    } => crate::core::till::wrong_old_password(tries_left, self.lang),
                    other => other.message(self.lang),
                };
                self.form.field_mut(0).clear();
                self.form.focus(0);
                self.say(MsgKind::Error, m);
            }
            Err(e) => self.failed(e),
        }
    }

    pub(super) fn checklist(&self) -> Vec<HintView> {
        let (pw_field, id, name, role) = match (self.screen, &self.session) {
            (Screen::Setup, _) => (
                1,
                OperatorId::FIRST_ADMIN,
                self.lang.pick("Administrator", "管理员"),
                Role::Admin,
            ),
            (Screen::ChangePassword, Some(s)) => (1, s.id, s.name.clone(), s.role),
            (Screen::Recovery, _) if self.recovery.phase == 1 => {
                let id = self.recovery.admin.unwrap_or(OperatorId::FIRST_ADMIN);
                (0, id, String::new(), Role::Admin)
            }
            _ => return Vec::new(),
        };
        let Some(field) = self.form.fields.get(pw_field) else {
            return Vec::new();
        };
        let policy = if self.screen == Screen::Setup {
            self.policy.floor.clone()
        } else {
            self.policy_in_force()
        };
        policy
            .checklist(&Candidate {
                password: field.secret(),
                id,
                name: &name,
                role,
            })
            .into_iter()
            .map(|(rule, ok)| HintView {
                text: rule_hint(&rule, self.lang),
                ok,
            })
            .collect()
    }
}
