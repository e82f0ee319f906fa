//! The operator list and the admin's actions on one operator.

use super::*;

/// The operator screens' own state.
#[derive(Debug, Default)]
pub(super) struct OperatorsPage {
    /// Everyone, by number.
    pub(super) list: Vec<OperatorView>,
    /// The one on the detail screen.
    pub(super) selected: Option<OperatorId>,
    /// Add operator: the new one is an admin.
    pub(super) add_admin: bool,
    /// Waiting for this operator's badge on the reader.
    pub(super) enrolling: Option<OperatorId>,
}

impl Kiosk {
    // ---- operators ---------------------------------------------------------

    pub(super) fn load_operators(&mut self) {
        match self.svc.operators() {
            Ok(list) => self.operators.list = list,
            Err(e) => self.failed(e),
        }
    }

    /// Opens one operator's detail screen.
    pub fn select_operator(&mut self, id: OperatorId) {
        self.touch();
        self.operators.selected = Some(id);
        self.navigate(Screen::OperatorDetail);
    }

    /// A button on the detail screen.
    pub fn operator_action(&mut self, action: OperatorAction) {
        self.touch();
        let Some(id) = self.operators.selected else {
            return;
        };
        let actor = self.actor();
        let result = match action {
            OperatorAction::Reset => {
                self.confirm = Some(Confirm::Reset(id));
                return;
            }
            OperatorAction::Remove => {
                self.confirm = Some(Confirm::Remove(id));
                return;
            }
            OperatorAction::Disable => {
                self.confirm = Some(Confirm::Disable(id));
                return;
            }
            OperatorAction::Unlock => self.svc.unlock(&actor, id).map(|_| Note::Unlocked),
            OperatorAction::EnrolBadge => {
                self.operators.enrolling = Some(id);
                self.note(MsgKind::Info, Note::SwipeBadge);
                return;
            }
            OperatorAction::RemoveBadge => self
                .svc
                .remove_badge(&actor, id)
                .map(|_| Note::BadgeRemoved),
            OperatorAction::Enable => self
                .svc
                .set_enabled(&actor, id, true)
                .map(|_| Note::Enabled),
        };
        self.after_action(result);
    }

    pub(super) fn after_action(&mut self, result: Result<Note, ServiceError>) {
        match result {
            Ok(note) => {
                self.buzzer.play(Beep::Success);
                self.load_operators();
                self.note(MsgKind::Success, note);
            }
            Err(e) => {
                self.load_operators();
                self.failed(e);
            }
        }
    }

    /// The answer to a confirmation question.
    pub fn answer(&mut self, yes: bool) {
        self.touch();
        let Some(c) = self.confirm.take() else { return };
        if !yes {
            self.buzzer.play(Beep::Click);
            return;
        }
        let actor = self.actor();
        match c {
            Confirm::Reset(id) => match self.svc.reset_password(&actor, id) {
                Ok(pw) => self.show_temp(id, pw),
                Err(e) => self.failed(e),
            },
            Confirm::Disable(id) => {
                let r = self
                    .svc
                    .set_enabled(&actor, id, false)
                    .map(|_| Note::Disabled);
                self.after_action(r);
            }
            Confirm::Remove(id) => {
                let r = self.svc.remove(&actor, id).map(|_| Note::Removed);
                let ok = r.is_ok();
                self.after_action(r);
                if ok {
                    self.operators.selected = None;
                    self.back.pop();
                    self.go(Screen::Operators);
                    self.note(MsgKind::Success, Note::Removed);
                }
            }
        }
    }

    pub(super) fn show_temp(&mut self, id: OperatorId, pw: Secret) {
        self.buzzer.play(Beep::Success);
        let name = self
            .operators
            .list
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone());
        let who = match name {
            Some(n) => format!("{id} {n}"),
            None => id.to_string(),
        };
        self.temp = Some((who, pw));
        self.screen = Screen::TempPassword;
        self.msg = (MsgKind::None, String::new());
    }

    /// "I have written it down": forget the temporary password.
    pub fn acknowledge_temp(&mut self) {
        self.touch();
        if self.temp.take().is_some() {
            self.buzzer.play(Beep::Click);
            self.back.retain(|s| *s == Screen::AdminHome);
            self.back.push(Screen::AdminHome);
            self.go(Screen::Operators);
        }
    }

    /// Cashier or admin, on the add-operator screen.
    pub fn toggle_role(&mut self) {
        self.touch();
        self.operators.add_admin = !self.operators.add_admin;
        self.buzzer.play(Beep::Click);
    }

    pub(super) fn submit_add(&mut self) {
        let Some(id) = self.form.field(0).text().parse::<OperatorId>().ok() else {
            self.buzzer.play(Beep::Error);
            self.form.focus(0);
            return self.note(MsgKind::Error, Note::EnterNumber);
        };
        let name = self.form.field(1).text().to_owned();
        let role = if self.operators.add_admin {
            Role::Admin
        } else {
            Role::Operator
        };
        match self.svc.add_operator(&self.actor(), id, &name, role, None) {
            Ok(pw) => {
                self.load_operators();
                self.show_temp(id, pw);
            }
            Err(e) => self.failed(e),
        }
    }

    /// Walk-through defect 13: the name given at setup can be changed.
    pub(super) fn submit_rename(&mut self) {
        let name = self.form.field(0).text().trim().to_owned();
        if name.is_empty() {
            self.buzzer.play(Beep::Error);
            return self.note(MsgKind::Error, Note::TerminalNameNeeded);
        }
        match self.svc.set_terminal_name(&self.actor(), &name) {
            Ok(()) => {
                self.terminal_name = name;
                self.buzzer.play(Beep::Success);
                self.back.pop();
                self.go(Screen::TerminalInfo);
                self.note(MsgKind::Success, Note::Renamed);
            }
            Err(e) => self.failed(e),
        }
    }
}
