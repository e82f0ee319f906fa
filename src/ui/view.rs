//! What the screen shows, as plain Rust values.
//!
//! The controller ([`super::controller::Kiosk`]) produces a [`View`] after every
//! event; the adapters copy the parts that changed into the Slint globals.
//! No Slint types here, so the controller can be tested and reasoned about
//! without a window.

use crate::core::{OperatorId, Role};

/// The screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    /// State unreadable or not persistent: nothing else reachable.
    Fault,
    /// First boot: create admin 00.
    Setup,
    /// Operator number and password.
    SignIn,
    /// A cashier's home.
    Home,
    /// The gear: security and language.
    Settings,
    /// Security settings: change password.
    Security,
    /// Old, new, confirm (also the forced change).
    ChangePassword,
    /// English / 简体中文.
    Language,
    /// An admin's home.
    AdminHome,
    /// The operator list.
    Operators,
    /// One operator and the actions on them.
    OperatorDetail,
    /// Number, name, role.
    AddOperator,
    /// A one-time temporary password, shown once.
    TempPassword,
    /// The password policy.
    Policy,
    /// The audit log.
    Audit,
    /// Version, serial, state directory.
    TerminalInfo,
    /// The terminal's name, changed after setup.
    RenameTerminal,
    /// Forgotten admin password: challenge and response.
    Recovery,
}

impl Screen {
    /// Every screen, for screenshots.
    pub const ALL: [Screen; 18] = [
        Screen::Fault,
        Screen::Setup,
        Screen::SignIn,
        Screen::Home,
        Screen::Settings,
        Screen::Security,
        Screen::ChangePassword,
        Screen::Language,
        Screen::AdminHome,
        Screen::Operators,
        Screen::OperatorDetail,
        Screen::AddOperator,
        Screen::TempPassword,
        Screen::Policy,
        Screen::Audit,
        Screen::TerminalInfo,
        Screen::RenameTerminal,
        Screen::Recovery,
    ];

    /// The screen's name, as in `--screen` and the scripted keypad's `STATE?`.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Fault => "fault",
            Screen::Setup => "setup",
            Screen::SignIn => "sign-in",
            Screen::Home => "home",
            Screen::Settings => "settings",
            Screen::Security => "security",
            Screen::ChangePassword => "change-password",
            Screen::Language => "language",
            Screen::AdminHome => "admin-home",
            Screen::Operators => "operators",
            Screen::OperatorDetail => "operator-detail",
            Screen::AddOperator => "add-operator",
            Screen::TempPassword => "temp-password",
            Screen::Policy => "policy",
            Screen::Audit => "audit",
            Screen::TerminalInfo => "terminal-info",
            Screen::RenameTerminal => "rename-terminal",
            Screen::Recovery => "recovery",
        }
    }

    /// Whether a signed-in session is needed to be here.
    pub fn needs_session(self) -> bool {
        !matches!(
            self,
            Screen::Fault | Screen::Setup | Screen::SignIn | Screen::Recovery
        )
    }

    /// Whether only admins may be here.
    pub fn admin_only(self) -> bool {
        matches!(
            self,
            Screen::AdminHome
                | Screen::Operators
                | Screen::OperatorDetail
                | Screen::AddOperator
                | Screen::TempPassword
                | Screen::Policy
                | Screen::Audit
                | Screen::TerminalInfo
                | Screen::RenameTerminal
        )
    }
}

/// How a message line looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MsgKind {
    /// No message.
    #[default]
    None,
    /// Neutral.
    Info,
    /// Green.
    Success,
    /// Red.
    Error,
}

/// One input field as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldView {
    /// Text, or dots for a secret.
    pub display: String,
    /// Has focus.
    pub active: bool,
    /// Takes no input.
    pub disabled: bool,
    /// Masked.
    pub secret: bool,
    /// "28/32" near a text field's limit, else empty.
    pub count: String,
}

/// One policy rule in the live checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HintView {
    /// The rule, in words.
    pub text: String,
    /// Met by what is typed.
    pub ok: bool,
}

/// The form part of the screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FormView {
    /// The fields.
    pub fields: Vec<FieldView>,
    /// Index of the focused field.
    pub active: usize,
    /// The on-screen keyboard shows letters (else the numeric keypad).
    pub letters: bool,
    /// The focused field takes letters at all.
    pub letters_allowed: bool,
    /// Input is blocked (a lockout runs).
    pub locked: bool,
    /// Policy checklist for a new password.
    pub hints: Vec<HintView>,
}

/// A row of the operator list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorRow {
    /// Number.
    pub id: OperatorId,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Status in words.
    pub status: String,
    /// 0 active, 1 attention (must change, expired), 2 locked, 3 disabled.
    pub severity: i32,
}

/// The operators part of the screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct OperatorsView {
    /// The list.
    pub rows: Vec<OperatorRow>,
    /// The selected operator, for the detail screen.
    pub selected: Option<OperatorRow>,
    /// The selected operator's failure count and password date.
    pub selected_facts: String,
    /// What the detail screen offers.
    pub can_unlock: bool,
    /// Enable rather than disable.
    pub can_enable: bool,
    /// The selected operator has a badge (offer to remove it).
    pub has_badge: bool,
    /// Waiting for a badge to enrol.
    pub enrolling: bool,
    /// Add operator: admin role chosen.
    pub add_admin: bool,
    /// A temporary password to show once: (who, grouped password).
    pub temp: Option<(String, String)>,
    /// A question awaiting yes/no: (title, text, dangerous).
    pub confirm: Option<(String, String, bool)>,
}

/// One editable number in the policy screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Stepper {
    /// Current value.
    pub value: i32,
    /// May go down.
    pub can_dec: bool,
    /// May go up.
    pub can_inc: bool,
}

/// One rule switch in the policy screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Toggle {
    /// On.
    pub on: bool,
    /// The config requires it on: cannot be switched off here.
    pub fixed: bool,
}

/// The policy screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PolicyView {
    /// Cashier minimum length.
    pub operator_min: Stepper,
    /// Admin minimum length.
    pub admin_min: Stepper,
    /// Remembered passwords.
    pub history: Stepper,
    /// Maximum age in days (0 = never).
    pub max_age: Stepper,
    /// Warning days.
    pub warn_days: Stepper,
    /// Common passwords.
    pub blocklist: Toggle,
    /// Dates.
    pub dates: Toggle,
    /// Repeating patterns.
    pub patterns: Toggle,
    /// Number or name.
    pub number_name: Toggle,
    /// Admins need their badge.
    pub badge_admin: Toggle,
    /// Cashiers need their badge.
    pub badge_operator: Toggle,
    /// Unsaved changes.
    pub dirty: bool,
}

/// A row of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// Local time.
    pub time: String,
    /// What happened.
    pub event: String,
    /// Who did it.
    pub actor: String,
    /// To whom.
    pub subject: String,
    /// How it ended, and more words.
    pub outcome: String,
    /// Failed, refused or locked.
    pub bad: bool,
}

/// The recovery screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct RecoveryView {
    /// Recovery is provisioned on this till.
    pub ready: bool,
    /// Terminal serial.
    pub serial: String,
    /// Challenge digits, grouped.
    pub code: String,
    /// The whole challenge as `tillctl recovery respond` takes it.
    pub challenge: String,
    /// 0: type the response; 1: choose the new password.
    pub phase: i32,
}

/// The terminal-info screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InfoView {
    /// Version.
    pub version: String,
    /// Serial and where it came from.
    pub serial: String,
    /// State directory.
    pub state_dir: String,
    /// File system type.
    pub fs_type: String,
    /// Survives reboot.
    pub persistent: bool,
    /// Config source.
    pub config: String,
    /// Recovery key status.
    pub recovery: String,
    /// Operators and admins.
    pub operators: String,
    /// Hardware that did not start ("" = all fine).
    pub hardware: String,
}

/// A supervisor approval asked for by the sales software.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ApprovalView {
    /// Shown over the screen.
    pub active: bool,
    /// What is to be approved, as the sales software named it ("void").
    pub action: String,
    /// The same, for staff ("Void sale", "撤销交易").
    pub label: String,
    /// The amount, if given.
    pub amount: String,
    /// The reason, if given.
    pub reason: String,
    /// Seconds left to answer.
    pub secs_left: i32,
}

/// The fault screen.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct FaultView {
    /// What is wrong, in plain words.
    pub title: String,
    /// What to tell the technician.
    pub detail: String,
    /// What the technician should do.
    pub action: String,
}

/// Everything on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// Which screen.
    pub screen: Screen,
    /// Language code ("en", "zh").
    pub lang: &'static str,
    /// Terminal name.
    pub terminal_name: String,
    /// "14:05".
    pub clock: String,
    /// "Sat 28 Nov 2026".
    pub date: String,
    /// Who is signed in: "01 Li Wei".
    pub who: String,
    /// The signed-in operator is an admin.
    pub admin: bool,
    /// Forced password change: no way out but signing out.
    pub forced: bool,
    /// Password-expiry warning, if any.
    pub banner: String,
    /// Seconds left before idle sign-out (0: no warning).
    pub idle_secs: i32,
    /// The screen sleeps: a touch only wakes it.
    pub asleep: bool,
    /// How dark the black cover over the picture is, in percent.
    pub shade_pct: u8,
    /// Result line.
    pub message: String,
    /// Its look.
    pub message_kind: MsgKind,
    /// The form.
    pub form: FormView,
    /// Operators.
    pub operators: OperatorsView,
    /// Policy.
    pub policy: PolicyView,
    /// Audit rows, newest first.
    pub audit: Vec<AuditRow>,
    /// The operator the audit log is filtered to ("" = all).
    pub audit_filter: String,
    /// Recovery.
    pub recovery: RecoveryView,
    /// Terminal info.
    pub info: InfoView,
    /// Fault.
    pub fault: FaultView,
    /// The state directory would not survive a reboot.
    pub warn_not_persistent: bool,
    /// A supervisor approval over the screen.
    pub approval: ApprovalView,
}
