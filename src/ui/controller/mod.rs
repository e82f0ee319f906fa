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
//!
//! One module per screen group, each an `impl Kiosk` with the state that
//! is only its own in a struct of its own:
//!
//! | module | what | its state |
//! |---|---|---|
//! | `mod.rs` | the state, start-up, health and faults | |
//! | `routing` | screens, back stack, keys and buttons to their owner | |
//! | `sign_in` | setup, sign-in, the live lock, sessions | `SignInLock` |
//! | `password` | change own password | |
//! | `operators` | list, detail, add, reset, unlock, remove | `OperatorsPage` |
//! | `policy` | the policy screen | `PolicyPage` |
//! | `audit` | the audit viewer | `AuditPage` |
//! | `info` | terminal info, rename, language | |
//! | `recovery` | forgotten admin password | `Recovery` |
//! | `approval` | supervisor approval (session API) | `Approval` |
//! | `tick` | idle sign-out, countdowns | |
//! | `sleep` | the screen that dims and switches off | `ScreenSleep` |
//! | `badge` | badge reads: sign-in by badge and PIN, enrolment | |
//! | `views` | the [`View`] the adapters copy to Slint | |
//! | `worker` | password checks off the UI thread | `Pending` |
//! | `notes` | the controller's own messages, both languages | |

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

mod approval;
mod audit;
mod badge;
mod info;
mod notes;
mod operators;
mod password;
mod policy;
mod recovery;
mod routing;
mod sign_in;
mod sleep;
mod tick;
mod views;
mod worker;

use notes::{Note, PROVISION};
use views::{local_time, rule_hint};
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
    /// Opened with the operator's badge: a role that needs one may still
    /// change its password in this session.
    pub by_badge: bool,
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
    /// A supervisor's badge read on the overlay, held until their PIN.
    badge: Option<Secret>,
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
    /// Wait for their badge on the reader.
    EnrolBadge,
    /// Forget their badge.
    RemoveBadge,
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
    /// Admins sign in with badge and password.
    BadgeAdmin,
    /// Cashiers sign in with badge and PIN.
    BadgeOperator,
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
    operators: operators::OperatorsPage,
    temp: Option<(String, Secret)>,
    confirm: Option<Confirm>,
    policy: policy::PolicyPage,
    audit: audit::AuditPage,
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
    sleep: sleep::ScreenSleep,
    /// A badge read on the sign-in screen, until the PIN is submitted.
    badge: Option<Secret>,
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
            operators: operators::OperatorsPage::default(),
            temp: None,
            confirm: None,
            policy: policy::PolicyPage {
                draft: floor.clone(),
                saved: floor.clone(),
                floor,
            },
            audit: audit::AuditPage::default(),
            recovery: Recovery::default(),
            sleep: sleep::ScreenSleep::default(),
            badge: None,
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
}
