//! The kiosk's behaviour, without a window: which screen, who is signed in,
//! what each key and button does, idle sign-out, lockout countdowns.
//!
//! [`Kiosk`] knows nothing about Slint. Input arrives as [`Key`]s (from the
//! on-screen keypad, the desktop keyboard, a GPIO keypad or the scripted
//! mock) and as button actions; every decision about passwords, lockouts
//! and operators is the core's, reached through [`Service`]. After each
//! event the adapters read [`Kiosk::view`].
//!
//! Time comes from the injected [`Clock`]: the 1 Hz tick only asks "what
//! time is it now", so tests advance a fake clock instead of sleeping.

use super::form::{Field, FieldKind, Form, FormKey};
use super::view::*;
use crate::config::UiConfig;
use crate::core::audit::{ApprovalEnd, AuditDetail, SignOutReason};
use crate::core::i18n::audit::action_label;
use crate::core::lockout::{Gate, Penalty};
use crate::core::policy::{Candidate, PasswordPolicy};
use crate::core::recovery::{Challenge, group4};
use crate::core::{
    Actor, AuthOutcome, Clock, Lang, Localized, MustChange, OperatorId, OperatorStatus,
    OperatorView, Outcome, Rejection, Role, Secret, TillError, WallTime,
};
use crate::core::{AuditEvent, EventKind};
use crate::hw::chord::{Chord, ChordOutput};
use crate::hw::{Beep, Buzzer, Key, KeyEvent};
use crate::service::{Health, Service, ServiceError, Setup};
use crate::session::protocol::{self, ApprovalRequest, ApprovalResult, BadRequest, SessionInfo};
use std::sync::Arc;

mod worker;
use worker::{Done, Pending};

/// Who is signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// Number.
    pub id: OperatorId,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Since when (wall clock).
    pub since: WallTime,
    /// Must change the password before anything else.
    pub must_change: Option<MustChange>,
    /// Days until the password expires, when within the warning window.
    pub expires_in_days: Option<i64>,
}

/// Something the sales software may want to hear about (see the session API).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KioskEvent {
    /// Someone signed in (possibly into a forced password change).
    SignedIn(Session),
    /// They signed out, and why.
    SignedOut {
        /// Who.
        id: OperatorId,
        /// Why.
        reason: SignOutReason,
    },
    /// The idle sign-out warning started.
    IdleWarning {
        /// Seconds left.
        secs: u64,
    },
    /// A sign-in attempt hit a lockout.
    Locked {
        /// Number typed.
        id: OperatorId,
        /// Seconds, or `None` for locked until an admin unlocks.
        secs: Option<u64>,
    },
    /// The language changed.
    LanguageChanged(Lang),
}

/// An approval waiting at the till.
struct Approval {
    id: u64,
    req: ApprovalRequest,
    allowed: Vec<Role>,
    deadline_ms: u64,
    done: Option<Box<dyn FnOnce(ApprovalResult) + Send>>,
    /// What was on screen underneath, restored afterwards.
    stash: (Form, (MsgKind, String), Option<SignInLock>, bool),
}

/// Buttons on the operator detail screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorAction {
    /// New temporary password.
    Reset,
    /// Clear the lockout.
    Unlock,
    /// Stop them signing in.
    Disable,
    /// Let them sign in again.
    Enable,
    /// Delete them.
    Remove,
}

/// The numbers an admin can adjust on the policy screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyNumber {
    /// Cashier minimum length.
    OperatorMin,
    /// Admin minimum length.
    AdminMin,
    /// Remembered passwords.
    History,
    /// Maximum age in days.
    MaxAge,
    /// Warning days.
    WarnDays,
}

/// The rules an admin can switch on the policy screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyRule {
    /// Common passwords.
    Blocklist,
    /// Dates.
    Dates,
    /// Repeating patterns.
    Patterns,
    /// Number or name.
    NumberName,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Confirm {
    Reset(OperatorId),
    Disable(OperatorId),
    Remove(OperatorId),
}

/// Why the kiosk shows the fault screen.
#[derive(Clone, Debug)]
pub enum Fault {
    /// The state cannot be read or written safely.
    Store {
        /// What is wrong.
        error: String,
        /// What the technician should do.
        remedy: String,
    },
    /// The config file is invalid.
    Config(String),
}

#[derive(Clone, Copy, Debug)]
struct SignInLock {
    id: OperatorId,
    /// Boot-clock ms when the wait ends; `None`: until an admin unlocks.
    until_ms: Option<u64>,
    /// The whole till is paused (the terminal-wide rate), not this number.
    whole_till: bool,
}

#[derive(Clone, Debug, Default)]
struct Recovery {
    ready: bool,
    challenge: Option<Challenge>,
    phase: i32,
    admin: Option<OperatorId>,
    code: Secret,
}

/// Things a controller message can say (the core says the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Note {
    EnterNumber,
    EnterPassword,
    SetupDone,
    PasswordChanged,
    IdleSignedOut,
    SignedOut,
    Unlocked,
    Enabled,
    Disabled,
    Removed,
    PolicySaved,
    RecoveryDone,
    TerminalNameNeeded,
    LockedOutWhileSignedIn,
    ChallengeRenewed,
    Checking,
    TryAgain,
    NoRecoveryYet,
    TooLong { max: usize },
    Renamed,
}

/// The one command that sets recovery up (README, "Recovery").
const PROVISION: &str = "sudo -u till-kiosk tillctl recovery provision --master-key FILE";

impl Localized for Note {
    fn message(&self, lang: Lang) -> String {
        let (en, zh) = match self {
            Note::EnterNumber => (
                "Enter your two-digit operator number.",
                "请输入两位数的操作员编号。",
            ),
            Note::EnterPassword => ("Enter your password.", "请输入密码。"),
            Note::SetupDone => (
                "Setup complete. Sign in as administrator 00.",
                "设置完成。请以管理员 00 登录。",
            ),
            Note::PasswordChanged => ("Password changed.", "密码已修改。"),
            Note::IdleSignedOut => (
                "Signed out because the till was not used for a while.",
                "长时间未操作，已自动退出登录。",
            ),
            Note::SignedOut => ("Signed out.", "已退出登录。"),
            Note::Unlocked => ("Unlocked.", "已解锁。"),
            Note::Enabled => ("Enabled.", "已启用。"),
            Note::Disabled => ("Disabled.", "已停用。"),
            Note::Removed => ("Operator removed.", "操作员已删除。"),
            Note::PolicySaved => ("Password policy saved.", "密码策略已保存。"),
            Note::RecoveryDone => (
                "Administrator password set. Sign in with it now.",
                "管理员密码已设置。请用新密码登录。",
            ),
            Note::TerminalNameNeeded => ("Give the terminal a name.", "请为收银机命名。"),
            Note::LockedOutWhileSignedIn => (
                "Too many wrong passwords: signed out for safety.",
                "密码错误次数过多，为安全起见已退出登录。",
            ),
            Note::ChallengeRenewed => (
                "The old code expired: here is a new one.",
                "原验证码已过期，已生成新的验证码。",
            ),
            Note::Checking => ("Checking…", "正在验证…"),
            Note::Renamed => ("Terminal renamed.", "收银机已重命名。"),
            // Walk-through defect 6: said while an admin is at the till,
            // not first at "Forgot admin password?", when it is too late.
            Note::NoRecoveryYet => {
                return lang.pick(
                    format!("No password recovery on this till yet: {PROVISION}"),
                    format!("此收银机尚未设置密码找回：{PROVISION}"),
                );
            }
            Note::TryAgain => (
                "The password could not be checked. Try again.",
                "无法验证密码，请重试。",
            ),
            // Walk-through defect 12: a name was cut off silently.
            Note::TooLong { max } => {
                return lang.pick(
                    format!("At most {max} characters: that one was not added."),
                    format!("最多 {max} 个字符：刚才的字符未添加。"),
                );
            }
        };
        lang.pick(en, zh)
    }
}

/// The kiosk controller.
pub struct Kiosk {
    svc: Service,
    clock: Arc<dyn Clock>,
    buzzer: Arc<dyn Buzzer>,
    ui: UiConfig,
    lang: Lang,
    terminal_name: String,
    config_source: Option<crate::config::Source>,
    screen: Screen,
    back: Vec<Screen>,
    session: Option<Session>,
    form: Form,
    letters: bool,
    msg: (MsgKind, String),
    lock: Option<SignInLock>,
    last_input_ms: u64,
    last_health_ms: u64,
    idle_warned: bool,
    chord: Chord,
    operators: Vec<OperatorView>,
    selected: Option<OperatorId>,
    add_admin: bool,
    temp: Option<(String, Secret)>,
    confirm: Option<Confirm>,
    policy_floor: PasswordPolicy,
    policy_draft: PasswordPolicy,
    policy_saved: PasswordPolicy,
    audit: Vec<AuditRow>,
    audit_filter: Option<OperatorId>,
    recovery: Recovery,
    fault: Option<Fault>,
    info: InfoView,
    persistent: bool,
    events: Vec<KioskEvent>,
    approval: Option<Approval>,
    approvers: crate::config::SessionApiConfig,
    pending: Option<Pending>,
    gate_cache: crate::service::GateCache,
    /// An admin is signed in on a till whose recovery is not set up.
    no_recovery: bool,
}

impl std::fmt::Debug for Kiosk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kiosk")
            .field("screen", &self.screen)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

const NAME_MAX: usize = crate::core::operator::MAX_NAME_CHARS;
const PASSWORD_MAX: usize = crate::core::policy::ABSOLUTE_MAX_LENGTH as usize;

impl Kiosk {
    /// A kiosk over `svc`. A start-up `fault` (an invalid config, an
    /// unopenable state directory) puts it straight on the fault screen:
    /// defaults are not good enough to run a till on.
    pub fn new(
        svc: Service,
        buzzer: Arc<dyn Buzzer>,
        ui: UiConfig,
        default_lang: Lang,
        fault: Option<Fault>,
    ) -> Kiosk {
        let clock = svc.clock().clone();
        let floor = svc.settings().policy.clone();
        let now = clock.boot().since_boot_ms;
        let mut k = Kiosk {
            svc,
            clock,
            buzzer,
            ui,
            lang: default_lang,
            terminal_name: String::new(),
            config_source: None,
            screen: Screen::SignIn,
            back: Vec::new(),
            session: None,
            form: Form::default(),
            letters: false,
            msg: (MsgKind::None, String::new()),
            lock: None,
            last_input_ms: now,
            last_health_ms: now,
            idle_warned: false,
            chord: Chord::service(),
            operators: Vec::new(),
            selected: None,
            add_admin: false,
            temp: None,
            confirm: None,
            policy_draft: floor.clone(),
            policy_saved: floor.clone(),
            policy_floor: floor,
            audit: Vec::new(),
            audit_filter: None,
            recovery: Recovery::default(),
            fault,
            info: InfoView::default(),
            persistent: true,
            events: Vec::new(),
            approval: None,
            approvers: crate::config::SessionApiConfig::default(),
            pending: None,
            gate_cache: Default::default(),
            no_recovery: false,
        };
        if k.fault.is_none() {
            k.check_health();
        } else {
            k.screen = Screen::Fault;
        }
        k
    }

    // ---- reading ---------------------------------------------------------

    /// The screen on show.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// Who is signed in.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The service (for the session API and screenshots).
    pub fn service(&self) -> &Service {
        &self.svc
    }

    /// Events since the last call (for the session API).
    pub fn take_events(&mut self) -> Vec<KioskEvent> {
        std::mem::take(&mut self.events)
    }

    /// When the service chord must be polled, in boot-clock ms.
    pub fn chord_deadline(&self) -> Option<u64> {
        self.chord.deadline()
    }

    fn now_ms(&self) -> u64 {
        self.clock.boot().since_boot_ms
    }

    fn say(&mut self, kind: MsgKind, text: impl Into<String>) {
        self.msg = (kind, text.into());
    }

    fn note(&mut self, kind: MsgKind, note: Note) {
        let t = note.message(self.lang);
        self.say(kind, t);
    }

    fn actor(&self) -> Actor {
        match &self.session {
            Some(s) => Actor::Operator(s.id),
            None => Actor::Kiosk,
        }
    }

    // ---- health and faults ------------------------------------------------

    /// Decides between the fault, setup and sign-in screens at start-up (and
    /// again on the fault screen, so a technician's fix takes effect).
    pub fn check_health(&mut self) {
        self.last_health_ms = self.now_ms();
        let status = self.svc.status();
        self.persistent = status
            .filesystem
            .as_ref()
            .map(|p| p.persistent)
            .unwrap_or(false);
        if let Err(e) = self.svc.check_persistence() {
            return self.enter_fault(Fault::Store {
                error: e.to_string(),
                remedy: e.remedy().into(),
            });
        }
        if !self.persistent {
            tracing::warn!(
                "state directory {} is not persistent: lockouts and passwords will be lost at reboot",
                status.state_dir.display()
            );
        }
        let recovery_ready = status.recovery_ready();
        match status.health {
            Health::Error { error, remedy } => self.enter_fault(Fault::Store { error, remedy }),
            Health::Fresh | Health::Ok { operators: 0, .. } => {
                self.fault = None;
                self.session = None;
                if self.screen != Screen::Setup || self.form.fields.is_empty() {
                    self.go(Screen::Setup);
                    if !recovery_ready {
                        self.note(MsgKind::Info, Note::NoRecoveryYet);
                    }
                }
            }
            Health::Ok { .. } => {
                self.fault = None;
                if let Ok(Some(state)) = self.svc.snapshot() {
                    self.terminal_name = state.terminal_name.clone();
                    self.lang = state.language;
                }
                if matches!(self.screen, Screen::Fault | Screen::Setup)
                    || self.form.fields.is_empty()
                {
                    self.go(Screen::SignIn);
                }
            }
        }
    }

    fn enter_fault(&mut self, f: Fault) {
        tracing::error!("kiosk fault: {f:?}");
        if let Some(a) = &self.approval {
            let id = a.id;
            self.finish_approval(id, ApprovalResult::Cancelled, ApprovalEnd::OutOfService);
        }
        if let Some(s) = self.session.take() {
            self.events.push(KioskEvent::SignedOut {
                id: s.id,
                reason: SignOutReason::Fault,
            });
        }
        self.fault = Some(f);
        self.form = Form::default();
        self.temp = None;
        self.screen = Screen::Fault;
        self.back.clear();
    }

    /// Handles a service error: store errors fail closed to the fault screen;
    /// everything else is a message.
    fn failed(&mut self, e: ServiceError) {
        match e {
            ServiceError::Store(s) => {
                let remedy = s.remedy().to_owned();
                self.enter_fault(Fault::Store {
                    error: s.to_string(),
                    remedy,
                });
            }
            ServiceError::NotSetUp => self.check_health(),
            ServiceError::Till(t) => {
                self.buzzer.play(Beep::Error);
                let m = t.message(self.lang);
                self.say(MsgKind::Error, m);
            }
        }
    }

    // ---- navigation -------------------------------------------------------

    fn go(&mut self, screen: Screen) {
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
                self.add_admin = false;
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
                self.audit_filter = None;
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
    fn screen_is_held(&self) -> bool {
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

    fn home(&self) -> Screen {
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

    fn chord_fired(&mut self) {
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
        self.touch();
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

    fn cancel(&mut self) {
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

    // ---- setup and sign-in -----------------------------------------------

    fn submit_setup(&mut self) {
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

    fn rejected(&mut self, r: Rejection, first_new_field: usize) {
        self.buzzer.play(Beep::Error);
        let m = r.message(self.lang);
        self.say(MsgKind::Error, m);
        // Clear what must be typed again; keep the old password if asked for.
        for i in first_new_field..self.form.fields.len() {
            self.form.field_mut(i).clear();
        }
        self.form.focus(first_new_field);
    }

    fn typed_number(&self) -> Option<OperatorId> {
        self.form.field(0).text().parse().ok()
    }

    /// Shows the countdown (and blocks the password) when the typed number
    /// may not try now. Identical for known and unknown numbers.
    fn refresh_sign_in_lock(&mut self) {
        let Some(id) = self.typed_number() else {
            self.set_lock(None);
            return;
        };
        match self.svc.gate_cached(&mut self.gate_cache, id) {
            Ok(g) => self.set_lock_from_gate(id, g),
            Err(e) => self.failed(e),
        }
    }

    fn set_lock_from_gate(&mut self, id: OperatorId, g: Gate) {
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

    fn set_lock(&mut self, lock: Option<SignInLock>) {
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
    fn check_form(&mut self) -> Option<(OperatorId, Secret)> {
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
    fn form_checked(
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

    fn submit_sign_in(&mut self) {
        if let Some((id, pw)) = self.check_form() {
            self.check_off_thread(move |svc| {
                let r = svc.authenticate(&Actor::Kiosk, id, &pw);
                Done::SignIn(id, r, pw)
            });
        }
    }

    fn sign_in_checked(
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

    fn begin_session(&mut self, s: Session) {
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

    fn end_session(&mut self, reason: SignOutReason, note: Note) {
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

    // ---- passwords ---------------------------------------------------------

    fn policy_in_force(&self) -> PasswordPolicy {
        self.svc
            .policy()
            .unwrap_or_else(|_| self.policy_floor.clone())
    }

    fn submit_change(&mut self) {
        let Some(s) = self.session.clone() else {
            return;
        };
        // Copies (wiped on drop): a wrong old password keeps the new ones
        // typed, a refused new one keeps the old.
        let old = self.form.field(0).secret().clone();
        let new = self.form.field(1).secret().clone();
        let confirm = self.form.field(2).secret().clone();
        let id = s.id;
        self.check_off_thread(move |svc| {
            Done::Change(svc.change_password(&Actor::Operator(id), id, &old, &new, &confirm))
        });
    }

    fn change_checked(&mut self, r: Result<(), ServiceError>) {
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

    fn checklist(&self) -> Vec<HintView> {
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
            self.policy_floor.clone()
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

    // ---- operators ---------------------------------------------------------

    fn load_operators(&mut self) {
        match self.svc.operators() {
            Ok(list) => self.operators = list,
            Err(e) => self.failed(e),
        }
    }

    /// Opens one operator's detail screen.
    pub fn select_operator(&mut self, id: OperatorId) {
        self.touch();
        self.selected = Some(id);
        self.navigate(Screen::OperatorDetail);
    }

    /// A button on the detail screen.
    pub fn operator_action(&mut self, action: OperatorAction) {
        self.touch();
        let Some(id) = self.selected else { return };
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
            OperatorAction::Enable => self
                .svc
                .set_enabled(&actor, id, true)
                .map(|_| Note::Enabled),
        };
        self.after_action(result);
    }

    fn after_action(&mut self, result: Result<Note, ServiceError>) {
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
                    self.selected = None;
                    self.back.pop();
                    self.go(Screen::Operators);
                    self.note(MsgKind::Success, Note::Removed);
                }
            }
        }
    }

    fn show_temp(&mut self, id: OperatorId, pw: Secret) {
        self.buzzer.play(Beep::Success);
        let name = self
            .operators
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
        self.add_admin = !self.add_admin;
        self.buzzer.play(Beep::Click);
    }

    fn submit_add(&mut self) {
        let Some(id) = self.form.field(0).text().parse::<OperatorId>().ok() else {
            self.buzzer.play(Beep::Error);
            self.form.focus(0);
            return self.note(MsgKind::Error, Note::EnterNumber);
        };
        let name = self.form.field(1).text().to_owned();
        let role = if self.add_admin {
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
    fn submit_rename(&mut self) {
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

    // ---- policy ------------------------------------------------------------

    fn load_policy(&mut self) {
        match self.svc.policy() {
            Ok(p) => {
                self.policy_saved = p.clone();
                self.policy_draft = p;
            }
            Err(e) => self.failed(e),
        }
    }

    fn bounds(&self, n: PolicyNumber) -> (u32, u32) {
        let f = &self.policy_floor;
        match n {
            PolicyNumber::OperatorMin => (f.operator_length.min, f.operator_length.max.min(32)),
            PolicyNumber::AdminMin => (f.admin_length.min, f.admin_length.max.min(32)),
            PolicyNumber::History => (f.history, 24),
            PolicyNumber::MaxAge if f.max_age_days == 0 => (0, 365),
            PolicyNumber::MaxAge => (1, f.max_age_days),
            PolicyNumber::WarnDays => {
                let age = self.policy_draft.max_age_days;
                (0, if age == 0 { 30 } else { age.min(30) })
            }
        }
    }

    fn number(&self, n: PolicyNumber) -> u32 {
        let p = &self.policy_draft;
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
        let p = &mut self.policy_draft;
        match n {
            PolicyNumber::OperatorMin => p.operator_length.min = next,
            PolicyNumber::AdminMin => p.admin_length.min = next,
            PolicyNumber::History => p.history = next,
            PolicyNumber::MaxAge => p.max_age_days = next,
            PolicyNumber::WarnDays => p.warn_days = next,
        }
        let (_, warn_hi) = self.bounds(PolicyNumber::WarnDays);
        self.policy_draft.warn_days = self.policy_draft.warn_days.min(warn_hi);
    }

    /// A rule switch on the policy screen.
    pub fn policy_toggle(&mut self, r: PolicyRule) {
        self.touch();
        let f = self.policy_floor.clone();
        let p = &mut self.policy_draft;
        let (val, fixed) = match r {
            PolicyRule::Blocklist => (&mut p.blocklist, f.blocklist),
            PolicyRule::Dates => (&mut p.reject_dates, f.reject_dates),
            PolicyRule::Patterns => (
                &mut p.reject_repeating_patterns,
                f.reject_repeating_patterns,
            ),
            PolicyRule::NumberName => (&mut p.reject_number_or_name, f.reject_number_or_name),
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
        match self.svc.set_policy(&actor, &self.policy_draft.clone()) {
            Ok(p) => {
                self.policy_saved = p.clone();
                self.policy_draft = p;
                self.buzzer.play(Beep::Success);
                self.note(MsgKind::Success, Note::PolicySaved);
            }
            Err(e) => self.failed(e),
        }
    }

    // ---- audit --------------------------------------------------------------

    /// Shows only events by or about `id` (or all).
    pub fn set_audit_filter(&mut self, id: Option<OperatorId>) {
        self.touch();
        self.buzzer.play(Beep::Click);
        self.audit_filter = id;
        self.load_audit();
    }

    fn load_audit(&mut self) {
        let filter = self.audit_filter;
        let log = match self.svc.audit_log() {
            Ok(l) => l,
            Err(e) => return self.failed(e),
        };
        let lang = self.lang;
        self.audit = log
            .records
            .iter()
            .rev()
            .filter(|r| {
                filter.is_none_or(|id| {
                    r.subject.as_deref() == Some(id.to_string().as_str())
                        || r.actor == Actor::Operator(id)
                })
            })
            .take(500)
            .map(|r| AuditRow {
                time: local_time(WallTime(r.wall_ms), "%m-%d %H:%M:%S"),
                event: r.event.message(lang),
                actor: r.actor.message(lang),
                subject: r.subject.clone().unwrap_or_default(),
                outcome: match &r.detail {
                    Some(d) => format!("{} · {}", r.outcome.message(lang), d.message(lang)),
                    None => r.outcome.message(lang),
                },
                bad: matches!(
                    r.outcome,
                    Outcome::Failed | Outcome::Refused | Outcome::Locked | Outcome::Error
                ),
            })
            .collect();
    }

    // ---- info ---------------------------------------------------------------

    fn load_info(&mut self) {
        let st = self.svc.status();
        let (fs_type, persistent) = match &st.filesystem {
            Ok(p) => (p.fs_type.clone(), p.persistent),
            Err(e) => (e.clone(), false),
        };
        let serial = st
            .serial
            .as_ref()
            .map(|(s, src)| format!("{s} ({src})"))
            .unwrap_or_default();
        let lang = self.lang;
        let recovery = match (&st.recovery_key_serial, &st.serial) {
            (None, _) => lang.pick(
                format!("Not set up: {PROVISION}"),
                format!("未设置：{PROVISION}"),
            ),
            (Some(k), Some((s, _))) if k == s => lang.pick("Ready", "已就绪"),
            (Some(_), _) => lang.pick(
                "Key is for another serial: provision again",
                "密钥不匹配当前序列号，请重新配置",
            ),
        };
        let operators = match st.health {
            Health::Ok {
                operators,
                enabled_admins,
            } => lang.pick(
                format!("{operators} ({enabled_admins} administrators)"),
                format!("{operators} 名（其中管理员 {enabled_admins} 名）"),
            ),
            _ => String::new(),
        };
        self.info = InfoView {
            version: format!("till-kiosk {}", env!("CARGO_PKG_VERSION")),
            serial,
            state_dir: st.state_dir.display().to_string(),
            fs_type,
            persistent,
            config: self
                .config_source
                .as_ref()
                .map(|s| s.message(lang))
                .unwrap_or_default(),
            hardware: std::mem::take(&mut self.info.hardware),
            recovery,
            operators,
        };
        self.persistent = persistent;
    }

    /// Records hardware that did not start, for the terminal-info screen.
    pub fn set_hardware_problems(&mut self, problems: Vec<String>) {
        self.info.hardware = problems.join("\n");
    }

    /// Shutting down (SIGTERM): sign out and write a last checkpoint.
    pub fn shutdown(&mut self) {
        self.end_session(SignOutReason::Shutdown, Note::SignedOut);
        if let Err(e) = self.svc.checkpoint() {
            tracing::error!("last checkpoint not written: {e}");
        }
    }

    /// Records where the config came from, for the terminal-info screen.
    pub fn set_config_source(&mut self, source: crate::config::Source) {
        self.config_source = Some(source);
    }

    // ---- language -------------------------------------------------------------

    /// Switches the language and remembers it.
    pub fn set_language(&mut self, lang: Lang) {
        self.touch();
        if lang == self.lang {
            return;
        }
        self.buzzer.play(Beep::Click);
        self.lang = lang;
        if let Err(e) = self.svc.set_language(&self.actor(), lang) {
            // A fresh till has no state to store it in yet; that is fine.
            if !matches!(e, ServiceError::NotSetUp) {
                self.failed(e);
            }
        }
        self.events.push(KioskEvent::LanguageChanged(lang));
        // Texts computed in Rust follow on the next view; re-read lists.
        match self.screen {
            Screen::Operators | Screen::OperatorDetail => self.load_operators(),
            Screen::Audit => self.load_audit(),
            Screen::TerminalInfo => self.load_info(),
            _ => {}
        }
        if self.msg.0 != MsgKind::None && self.screen == Screen::Language {
            self.msg = (MsgKind::None, String::new());
        }
    }

    // ---- recovery ---------------------------------------------------------------

    fn start_recovery(&mut self) {
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

    fn recovery_form(&self) -> Form {
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

    fn submit_recovery(&mut self) {
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

    fn approval_key(&mut self, key: Key) {
        match self.form.key(key) {
            FormKey::Edited => self.buzzer.play(Beep::Click),
            FormKey::Refused | FormKey::Full { .. } => self.buzzer.play(Beep::Error),
            FormKey::Submit => self.approval_submit(),
            FormKey::Cancel => self.deny_approval(),
        }
    }

    fn approval_submit(&mut self) {
        // The same path and lockout as any sign-in.
        let Some(aid) = self.approval.as_ref().map(|a| a.id) else {
            return;
        };
        if let Some((id, pw)) = self.check_form() {
            self.check_off_thread(move |svc| {
                Done::Approval(aid, id, svc.authenticate(&Actor::Kiosk, id, &pw))
            });
        }
    }

    fn approval_checked(&mut self, aid: u64, id: OperatorId, r: Result<AuthOutcome, ServiceError>) {
        if self.approval.as_ref().is_none_or(|a| a.id != aid) {
            // Withdrawn or timed out meanwhile: the attempt counted, the
            // answer has nobody to go to.
            return;
        }
        let Some(outcome) = self.form_checked(id, r) else {
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

    fn finish_approval(&mut self, id: u64, result: ApprovalResult, end: ApprovalEnd) {
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
            && self.form.fields.iter().any(|f| !f.is_empty())
        {
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

    fn idle_secs(&self) -> i32 {
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

    // ---- the view -------------------------------------------------------------------

    /// Everything the screen shows now.
    pub fn view(&self) -> View {
        let lang = self.lang;
        let wall = self.clock.wall();
        let now_ms = self.now_ms();
        let (mut message_kind, mut message) = (self.msg.0, self.msg.1.clone());
        if let Some(lock) = self.lock {
            message_kind = MsgKind::Error;
            let secs = |t: u64| t.saturating_sub(now_ms).div_ceil(1000).max(1);
            message = match lock.until_ms {
                Some(t) if lock.whole_till => AuthOutcome::Paused { secs: secs(t) }.message(lang),
                Some(t) => AuthOutcome::Locked { secs: secs(t) }.message(lang),
                None => AuthOutcome::LockedUntilAdmin.message(lang),
            };
        }
        let active_takes_letters = self
            .form
            .fields
            .get(self.form.active)
            .is_some_and(Field::takes_letters);
        let form = FormView {
            fields: self
                .form
                .fields
                .iter()
                .enumerate()
                .map(|(i, f)| FieldView {
                    display: f.display(),
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
        };
        let banner = match self.session.as_ref().and_then(|s| s.expires_in_days) {
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
        };
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
            banner,
            idle_secs: self.idle_secs(),
            message,
            message_kind,
            form,
            operators: self.operators_view(),
            policy: self.policy_view(),
            audit: if self.screen == Screen::Audit {
                self.audit.clone()
            } else {
                Vec::new()
            },
            audit_filter: self
                .audit_filter
                .map(|id| id.to_string())
                .unwrap_or_default(),
            recovery: RecoveryView {
                ready: self.recovery.ready,
                serial: self
                    .recovery
                    .challenge
                    .as_ref()
                    .map(|c| c.serial.clone())
                    .unwrap_or_default(),
                code: self
                    .recovery
                    .challenge
                    .as_ref()
                    .map(Challenge::nonce_grouped)
                    .unwrap_or_default(),
                challenge: self
                    .recovery
                    .challenge
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
                phase: self.recovery.phase,
            },
            info: self.info.clone(),
            fault: self.fault_view(),
            warn_not_persistent: !self.persistent,
            approval: match &self.approval {
                None => ApprovalView::default(),
                Some(a) => ApprovalView {
                    active: true,
                    action: a.req.action.clone(),
                    label: action_label(&a.req.action, self.lang),
                    amount: a.req.amount.clone().unwrap_or_default(),
                    reason: a.req.reason.clone().unwrap_or_default(),
                    secs_left: i32::try_from(a.deadline_ms.saturating_sub(now_ms).div_ceil(1000))
                        .unwrap_or(0),
                },
            },
        }
    }

    fn row(&self, o: &OperatorView) -> OperatorRow {
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

    fn operators_view(&self) -> OperatorsView {
        let lang = self.lang;
        let sel = self
            .selected
            .and_then(|id| self.operators.iter().find(|o| o.id == id));
        let confirm = self.confirm.map(|c| {
            let name = |id: OperatorId| {
                self.operators.iter().find(|o| o.id == id).map_or(id.to_string(), |o| format!("{id} {}", o.name))
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
            rows: self.operators.iter().map(|o| self.row(o)).collect(),
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
            add_admin: self.add_admin,
            temp: self
                .temp
                .as_ref()
                .map(|(who, pw)| (who.clone(), group4(pw.expose()))),
            confirm,
        }
    }

    fn policy_view(&self) -> PolicyView {
        let stepper = |n: PolicyNumber| {
            let (lo, hi) = self.bounds(n);
            let v = self.number(n);
            Stepper {
                value: i32::try_from(v).unwrap_or(0),
                can_dec: v > lo,
                can_inc: v < hi,
            }
        };
        let f = &self.policy_floor;
        let p = &self.policy_draft;
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
            dirty: self.policy_draft != self.policy_saved,
        }
    }

    fn fault_view(&self) -> FaultView {
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
fn rule_hint(r: &Rejection, lang: Lang) -> String {
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

fn local(wall: WallTime) -> Option<chrono::DateTime<chrono::Local>> {
    use chrono::TimeZone;
    chrono::Local.timestamp_millis_opt(wall.0).single()
}

fn local_time(wall: WallTime, fmt: &str) -> String {
    local(wall)
        .map(|t| t.format(fmt).to_string())
        .unwrap_or_default()
}

fn local_date(wall: WallTime, lang: Lang) -> String {
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
