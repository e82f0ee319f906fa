//! Where the kiosk is and how it moves: screens, the back stack, and
//! every key and button routed to the screen that owns it.

use super::*;

impl Kiosk {
    // ---- navigation -------------------------------------------------------

    pub(super) fn go(&mut self, screen: Screen) {
        self.screen = screen;
        self.msg = (MsgKind::None, String::new());
        self.confirm = None;
        self.letters = false;
        self.lock = None;
        self.form = match screen {
            Screen::Setup => Form::new(vec![
                Field::with_text(
                    FieldKind::Text { max: NAME_MAX },
                    if self.terminal_name.is_empty() {
                        "Till 1"
                    } else {
                        &self.terminal_name
                    },
                ),
                Field::new(FieldKind::Secret {
                    max: PASSWORD_MAX,
                    digits_only: false,
                }),
                Field::new(FieldKind::Secret {
                    max: PASSWORD_MAX,
                    digits_only: false,
                }),
            ]),
            Screen::SignIn => Form::new(vec![
                Field::new(FieldKind::Digits { max: 2 }),
                Field::new(FieldKind::Secret {
                    max: PASSWORD_MAX,
                    digits_only: false,
                }),
            ]),
            Screen::ChangePassword => {
                let digits = self
                    .session
                    .as_ref()
                    .is_some_and(|s| self.policy_in_force().digits_only(s.role));
                let f = || {
                    Field::new(FieldKind::Secret {
                        max: PASSWORD_MAX,
                        digits_only: digits,
                    })
                };
                Form::new(vec![f(), f(), f()])
            }
            Screen::AddOperator => {
                self.operators.add_admin = false;
                Form::new(vec![
                    Field::new(FieldKind::Digits { max: 2 }),
                    Field::new(FieldKind::Text { max: NAME_MAX }),
                ])
            }
            Screen::Recovery => self.recovery_form(),
            Screen::RenameTerminal => Form::new(vec![Field::with_text(
                FieldKind::Text { max: NAME_MAX },
                &self.terminal_name,
            )]),
            _ => Form::default(),
        };
        if screen == Screen::Setup {
            self.form.focus(1);
        }
        match screen {
            Screen::Operators | Screen::OperatorDetail => self.load_operators(),
            Screen::Policy => self.load_policy(),
            Screen::Audit => {
                self.audit.filter = None;
                self.load_operators();
                self.load_audit();
            }
            Screen::TerminalInfo => self.load_info(),
            _ => {}
        }
    }

    /// Whether the screen may not be left now: a password check is out, a
    /// temporary password or an approval is on show, or the till is out of
    /// service.
    pub(super) fn screen_is_held(&self) -> bool {
        self.is_checking()
            || self.temp.is_some()
            || self.screen == Screen::Fault
            || self.approval.is_some()
    }

    /// Opens `screen` from a button, keeping the way back.
    pub fn navigate(&mut self, screen: Screen) {
        self.touch();
        if self.screen_is_held() {
            return;
        }
        // A badge read or an enrolment belongs to the screen it began on.
        self.badge = None;
        self.operators.enrolling = None;
        let allowed = match (&self.session, screen) {
            (_, Screen::Fault | Screen::Setup) => false,
            (Some(s), _) if s.must_change.is_some() => false,
            (None, s) => s == Screen::Recovery,
            (Some(s), t) => {
                (!t.admin_only() || s.role == Role::Admin)
                    && t != Screen::Recovery
                    && t != Screen::SignIn
            }
        };
        if !allowed {
            self.buzzer.play(Beep::Error);
            return;
        }
        self.buzzer.play(Beep::Click);
        self.back.push(self.screen);
        if screen == Screen::Recovery {
            self.start_recovery();
        }
        self.go(screen);
    }

    /// The back button (or Cancel on a screen with nothing to clear).
    pub fn back(&mut self) {
        self.touch();
        if self.screen_is_held() {
            return;
        }
        if self.confirm.take().is_some() {
            return;
        }
        if self
            .session
            .as_ref()
            .is_some_and(|s| s.must_change.is_some())
        {
            // A forced change has no way round it but signing out.
            self.buzzer.play(Beep::Error);
            return;
        }
        if self.screen == Screen::Recovery && self.recovery.phase == 1 {
            self.recovery.phase = 0;
            self.form = self.recovery_form();
            return;
        }
        let home = self.home();
        let to = self.back.pop().unwrap_or(home);
        self.buzzer.play(Beep::Click);
        self.go(to);
    }

    pub(super) fn home(&self) -> Screen {
        match &self.session {
            None => Screen::SignIn,
            Some(s) if s.must_change.is_some() => Screen::ChangePassword,
            Some(s) if s.role == Role::Admin => Screen::AdminHome,
            Some(_) => Screen::Home,
        }
    }

    // ---- input ------------------------------------------------------------

    /// A key from the desktop keyboard or a hardware keypad: chord
    /// detection first, then [`key`](Kiosk::key).
    pub fn key_event(&mut self, ev: KeyEvent) {
        self.key_event_waited(ev, 0);
    }

    /// [`key_event`](Kiosk::key_event) for a key that happened `waited_ms`
    /// ago and sat in the queue to the UI thread: the chord measures how
    /// long keys were held from when they were pressed, not from when a
    /// busy UI thread got round to them.
    pub fn key_event_waited(&mut self, ev: KeyEvent, waited_ms: u64) {
        let at = self.now_ms().saturating_sub(waited_ms);
        match self.chord.event(ev, at) {
            ChordOutput::Key(k) => self.key(k),
            ChordOutput::Fired => self.chord_fired(),
            ChordOutput::None => self.touch(),
        }
    }

    /// Checks whether the service chord has been held long enough.
    pub fn poll_chord(&mut self) {
        let now = self.now_ms();
        if self.chord.poll(now) {
            self.chord_fired();
        }
    }

    pub(super) fn chord_fired(&mut self) {
        if self.session.is_none() && self.screen == Screen::SignIn {
            tracing::info!("service key combination: opening recovery");
            self.navigate(Screen::Recovery);
        }
    }

    /// Any touch or key: the till is in use.
    pub fn touch(&mut self) {
        self.last_input_ms = self.now_ms();
        self.idle_warned = false;
    }

    /// One key, from any source.
    pub fn key(&mut self, key: Key) {
        // The first key on a sleeping screen only wakes it.
        if self.wake() {
            return;
        }
        if key == Key::Cancel {
            self.badge = None;
            self.operators.enrolling = None;
        }
        // While a password is checked, the form is not to be changed.
        if self.screen == Screen::Fault || self.is_checking() {
            return;
        }
        if self.approval.is_some() {
            return self.approval_key(key);
        }
        if self.temp.is_some() {
            if key == Key::Enter {
                self.acknowledge_temp();
            }
            return;
        }
        if self.confirm.is_some() {
            match key {
                Key::Enter => self.answer(true),
                Key::Cancel => self.answer(false),
                _ => self.buzzer.play(Beep::Error),
            }
            return;
        }
        if key == Key::F2 && matches!(self.screen, Screen::SignIn | Screen::Setup) {
            let next = if self.lang == Lang::En {
                Lang::Zh
            } else {
                Lang::En
            };
            return self.set_language(next);
        }
        if self.form.fields.is_empty() {
            match key {
                Key::Cancel | Key::Backspace => self.back(),
                Key::Enter => {}
                _ => self.buzzer.play(Beep::Error),
            }
            return;
        }
        // While a lockout runs, only the operator number can be changed.
        if self.lock.is_some()
            && self.form.active == 1
            && !matches!(key, Key::Cancel | Key::Clear | Key::Up)
        {
            self.buzzer.play(Beep::Error);
            return;
        }
        let r = self.form.key(key);
        match r {
            FormKey::Edited => {
                self.buzzer.play(Beep::Click);
                // An error was about what was typed before: new input
                // replaces it (a lock on the number typed now is shown
                // live from `self.lock`, never from an old message).
                if self.msg.0 == MsgKind::Error {
                    self.msg = (MsgKind::None, String::new());
                }
            }
            FormKey::Refused => self.buzzer.play(Beep::Error),
            FormKey::Full { max } => {
                self.buzzer.play(Beep::Error);
                self.note(MsgKind::Error, Note::TooLong { max });
            }
            FormKey::Submit => self.submit(),
            FormKey::Cancel => self.cancel(),
        }
        if self.screen == Screen::SignIn && matches!(r, FormKey::Edited | FormKey::Cancel) {
            self.refresh_sign_in_lock();
        }
        if !self.form.fields.is_empty() && !self.form.field(self.form.active).takes_letters() {
            self.letters = false;
        }
    }

    pub(super) fn cancel(&mut self) {
        match self.screen {
            Screen::SignIn => {
                self.buzzer.play(Beep::Click);
                self.form.clear();
                self.msg = (MsgKind::None, String::new());
                self.refresh_sign_in_lock();
            }
            Screen::Setup => {
                self.buzzer.play(Beep::Click);
                self.form.clear();
            }
            _ => self.back(),
        }
    }

    /// Taps a field to focus it.
    pub fn focus_field(&mut self, i: usize) {
        self.touch();
        if self.is_checking() {
            return;
        }
        if !(self.lock.is_some() && i == 1) {
            self.form.focus(i);
        }
        if !self.form.fields.is_empty() && !self.form.field(self.form.active).takes_letters() {
            self.letters = false;
        }
    }

    /// Switches the on-screen keyboard between digits and letters.
    pub fn toggle_letters(&mut self) {
        self.touch();
        if self.is_checking() {
            return;
        }
        let allowed =
            !self.form.fields.is_empty() && self.form.field(self.form.active).takes_letters();
        self.letters = allowed && !self.letters;
    }

    /// The OK button.
    pub fn submit(&mut self) {
        self.touch();
        if self.is_checking() {
            return;
        }
        if self.approval.is_some() {
            return self.approval_submit();
        }
        match self.screen {
            Screen::Setup => self.submit_setup(),
            Screen::SignIn => self.submit_sign_in(),
            Screen::ChangePassword => self.submit_change(),
            Screen::AddOperator => self.submit_add(),
            Screen::Recovery => self.submit_recovery(),
            Screen::RenameTerminal => self.submit_rename(),
            _ => {}
        }
    }
}
