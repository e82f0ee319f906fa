//! Supervisor approval requested by the sales software (session API).

use super::*;

impl Kiosk {
    // ---- supervisor approval (session API) ----------------------------------------

    /// Uses the session API's config (who may approve what).
    pub fn set_approvers(&mut self, cfg: crate::config::SessionApiConfig) {
        self.approvers = cfg;
    }

    /// Who is signed in, for the session API.
    pub fn session_info(&self) -> Option<SessionInfo> {
        self.session.as_ref().map(|s| SessionInfo {
            operator: s.id.to_string(),
            name: s.name.clone(),
            role: s.role.to_string(),
            since: s.since.rfc3339(),
            must_change_password: s.must_change.is_some(),
        })
    }

    /// Shows a supervisor-approval request over whatever is on screen.
    /// `done` is called exactly once, unless this returns an error.
    pub fn start_approval(
        &mut self,
        id: u64,
        req: ApprovalRequest,
        done: Box<dyn FnOnce(ApprovalResult) + Send>,
    ) -> Result<(), BadRequest> {
        if self.approval.is_some() {
            return Err(protocol::bad(
                "busy",
                "another approval is waiting at the till",
            ));
        }
        if self.is_checking() {
            return Err(protocol::bad(
                "busy",
                "the till is checking a password: ask again in a moment",
            ));
        }
        if self.screen == Screen::Fault {
            return Err(protocol::bad("unavailable", "the till is out of service"));
        }
        let detail = AuditDetail::ApprovalAsked {
            action: req.action.clone(),
            amount: req.amount.clone(),
            reason: req.reason.clone(),
            requester: req.requester.clone(),
        };
        let ev = AuditEvent::new(
            EventKind::ApprovalRequested,
            &self.actor(),
            None,
            Outcome::Ok,
        )
        .detail(detail);
        if let Err(e) = self.svc.record(vec![ev]) {
            tracing::error!("approval request not audited: {e}");
        }
        let stash = (
            std::mem::replace(
                &mut self.form,
                Form::new(vec![
                    Field::new(FieldKind::Digits { max: 2 }),
                    Field::new(FieldKind::Secret {
                        max: PASSWORD_MAX,
                        digits_only: false,
                    }),
                ]),
            ),
            std::mem::take(&mut self.msg),
            self.lock.take(),
            std::mem::take(&mut self.letters),
        );
        let deadline_ms = self.now_ms() + req.timeout_s * 1000;
        let allowed = self.approvers.approvers_for(&req.action);
        self.approval = Some(Approval {
            id,
            req,
            allowed,
            deadline_ms,
            done: Some(done),
            stash,
            badge: None,
        });
        self.buzzer.play(Beep::Error);
        Ok(())
    }

    /// The program withdrew approval `id` (or went away).
    pub fn cancel_approval(&mut self, id: u64) {
        self.finish_approval(id, ApprovalResult::Cancelled, ApprovalEnd::Withdrawn);
    }

    /// "Deny" on the approval overlay.
    pub fn deny_approval(&mut self) {
        self.touch();
        if self.is_checking() {
            return;
        }
        if let Some(a) = &self.approval {
            let id = a.id;
            self.finish_approval(id, ApprovalResult::Denied, ApprovalEnd::Denied);
        }
    }

    pub(super) fn approval_key(&mut self, key: Key) {
        match self.form.key(key) {
            FormKey::Edited => self.buzzer.play(Beep::Click),
            FormKey::Refused | FormKey::Full { .. } => self.buzzer.play(Beep::Error),
            FormKey::Submit => self.approval_submit(),
            FormKey::Cancel => self.deny_approval(),
        }
    }

    pub(super) fn approval_submit(&mut self) {
        // The same path and lockout as any sign-in.
        let Some(aid) = self.approval.as_ref().map(|a| a.id) else {
            return;
        };
        // A badge swiped on the overlay, and the number field left empty:
        // a supervisor whose role signs in with a badge approves with it.
        let card = self
            .approval
            .as_mut()
            .and_then(|a| a.badge.take())
            .filter(|_| self.form.field(0).is_empty());
        if let Some(card) = card {
            if self.form.field(1).is_empty() {
                if let Some(a) = &mut self.approval {
                    a.badge = Some(card);
                }
                self.buzzer.play(Beep::Error);
                self.form.focus(1);
                return self.note(MsgKind::Error, Note::EnterPassword);
            }
            let pw = self.form.field_mut(1).take_secret();
            return self.check_off_thread(move |svc| {
                Done::Approval(aid, None, svc.authenticate_badge(&Actor::Kiosk, &card, &pw))
            });
        }
        if let Some((id, pw)) = self.check_form() {
            self.check_off_thread(move |svc| {
                Done::Approval(aid, Some(id), svc.authenticate(&Actor::Kiosk, id, &pw))
            });
        }
    }

    /// A badge read while the approval overlay is up: held for the PIN.
    pub(super) fn approval_badge(&mut self, card: Secret) {
        if let Some(a) = &mut self.approval {
            a.badge = Some(card);
        }
        self.form.field_mut(0).clear();
        self.form.focus(1);
        self.buzzer.play(Beep::Success);
        self.note(MsgKind::Info, Note::BadgeRead);
    }

    pub(super) fn approval_checked(
        &mut self,
        aid: u64,
        id: Option<OperatorId>,
        r: Result<AuthOutcome, ServiceError>,
    ) {
        if self.approval.as_ref().is_none_or(|a| a.id != aid) {
            // Withdrawn or timed out meanwhile: the attempt counted, the
            // answer has nobody to go to.
            return;
        }
        let outcome = match (id, r) {
            (Some(id), r) => self.form_checked(id, r),
            (None, Ok(o)) => Some(o),
            (None, Err(e)) => {
                self.failed(e);
                None
            }
        };
        let Some(outcome) = outcome else {
            return;
        };
        let lang = self.lang;
        match outcome {
            AuthOutcome::Ok { id, name, role, .. } => {
                let allowed = self
                    .approval
                    .as_ref()
                    .is_some_and(|a| a.allowed.contains(&role));
                if !allowed {
                    self.buzzer.play(Beep::Error);
                    self.form.clear();
                    return self.say(
                        MsgKind::Error,
                        lang.pick(
                            format!("{id} {name} may not approve this. Ask a supervisor."),
                            format!("{id} {name} 无权授权此操作。请找主管。"),
                        ),
                    );
                }
                let info = SessionInfo {
                    operator: id.to_string(),
                    name,
                    role: role.to_string(),
                    since: self.clock.wall().rfc3339(),
                    must_change_password: false,
                };
                let aid = self.approval.as_ref().map_or(0, |a| a.id);
                self.buzzer.play(Beep::Success);
                self.finish_approval(aid, ApprovalResult::Approved(info), ApprovalEnd::Approved);
            }
            AuthOutcome::MustChange { id, .. } => {
                self.buzzer.play(Beep::Error);
                self.form.clear();
                self.say(
                    MsgKind::Error,
                    lang.pick(
                        format!("{id} must change the password before approving anything."),
                        format!("{id} 须先修改密码才能授权。"),
                    ),
                );
            }
            other => {
                let beep = if matches!(
                    other,
                    AuthOutcome::Wrong {
                        penalty: Penalty::TriesLeft { .. }
                    }
                ) {
                    Beep::Error
                } else {
                    Beep::Locked
                };
                self.buzzer.play(beep);
                let m = other.message(lang);
                self.say(MsgKind::Error, m);
                self.form.focus(1);
            }
        }
    }

    pub(super) fn finish_approval(&mut self, id: u64, result: ApprovalResult, end: ApprovalEnd) {
        let Some(mut a) = self.approval.take_if(|a| a.id == id) else {
            return;
        };
        let (outcome, subject) = match &result {
            ApprovalResult::Approved(by) => (Outcome::Ok, Some(by.operator.clone())),
            ApprovalResult::Denied => (Outcome::Refused, None),
            ApprovalResult::Cancelled | ApprovalResult::Timeout => (Outcome::Failed, None),
        };
        let ev = AuditEvent::new(EventKind::ApprovalResult, &self.actor(), subject, outcome)
            .detail(AuditDetail::ApprovalAnswered {
                action: a.req.action.clone(),
                amount: a.req.amount.clone(),
                end,
            });
        let (form, msg, lock, letters) = std::mem::take(&mut a.stash);
        self.form = form;
        self.msg = msg;
        self.lock = lock;
        self.letters = letters;
        // The program hears first (and is free to ask again), then the
        // result is audited: whoever sees the audit line may ask again.
        if let Some(done) = a.done.take() {
            done(result);
        }
        if let Err(e) = self.svc.record(vec![ev]) {
            tracing::error!("approval result not audited: {e}");
        }
    }
}
