//! The operations on a till's state: sign-in, passwords, operators,
//! policy, recovery.
//!
//! A [`Till`] borrows the state, the settings and one reading of the clocks,
//! applies one operation and collects audit events. It does no I/O: the
//! service layer loads the state under the store's lock, calls in here,
//! writes the state back and appends the events.
//!
//! Sign-in and recovery are two-phase so that a failure is durable before
//! anyone learns the result: [`Till::begin_sign_in`] records the attempt *as
//! a failure* (the caller fsyncs it), then [`Till::finish_sign_in`] checks
//! the password and undoes the failure only if it was right. Pulling the
//! plug at any moment costs the attacker a try; it never gives one back.

use super::audit::{Actor, AuditDetail, AuditEvent, EventKind, Outcome, RecoveryRefusal};
use super::clock::{BootInstant, WallTime};
use super::hashing::{self, HashError, HashParams};
use super::i18n::{Lang, Localized};
use super::lockout::{self, Beyond, Gate, Penalty, Rate, Schedule};
use super::operator::{
    BadName, MustChange, Operator, OperatorId, PasswordRecord, Role, clean_name,
};
use super::policy::{Candidate, PasswordPolicy, Rejection};
use super::power::PowerTime;
use super::recovery::{Challenge, PendingChallenge, TillKey};
use super::secret::Secret;
use super::state::TillState;
use serde::Serialize;
use std::time::Duration;

mod badge;
mod bundle;
mod operators;
mod recovery;
mod settings;
mod sign_in;

pub use super::bundle::{BundleContents, BundleOperator, BundleRefusal, BundleReport, BundleStamp};
pub use super::i18n::till::wrong_old_password;
pub use badge::MAX_CARD_CHARS;

/// The rules the core applies, built from the config file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// argon2id parameters for new hashes.
    pub hashing: HashParams,
    /// The policy floor (an admin may only tighten it).
    pub policy: PasswordPolicy,
    /// Per-number throttle for cashiers.
    pub operator_lockout: Schedule,
    /// Per-number throttle for admins: never locks for good.
    pub admin_lockout: Schedule,
    /// Rate of failures across all numbers.
    pub terminal_rate: Rate,
    /// Throttle for recovery codes.
    pub recovery_lockout: Schedule,
    /// How long a recovery challenge lives.
    pub recovery_ttl: Duration,
    /// Wrong codes after which a challenge is discarded.
    pub recovery_max_bad_codes: u32,
}

fn mins(m: &[u64]) -> Vec<Duration> {
    m.iter().map(|m| Duration::from_secs(m * 60)).collect()
}

impl Default for Settings {
    fn default() -> Self {
        let operator_lockout = Schedule {
            free_tries: 5,
            waits: mins(&[1, 5, 15, 30, 60]),
            beyond: Beyond::Repeat,
            until_admin_after: Some(10),
        };
        Settings {
            hashing: HashParams::default(),
            policy: PasswordPolicy::default(),
            admin_lockout: Schedule {
                beyond: Beyond::Double {
                    cap: Duration::from_secs(24 * 3600),
                },
                until_admin_after: None,
                ..operator_lockout.clone()
            },
            operator_lockout,
            terminal_rate: Rate {
                burst: 10,
                every: Duration::from_secs(60),
            },
            recovery_lockout: Schedule {
                free_tries: 3,
                waits: mins(&[5, 15, 60]),
                beyond: Beyond::Double {
                    cap: Duration::from_secs(24 * 3600),
                },
                until_admin_after: None,
            },
            recovery_ttl: Duration::from_secs(24 * 3600),
            recovery_max_bad_codes: 5,
        }
    }
}

/// One reading of both clocks, taken once per operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Now {
    /// Wall clock.
    pub wall: WallTime,
    /// Boot clock.
    pub boot: BootInstant,
}

/// The result of a sign-in attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum AuthOutcome {
    /// Signed in.
    Ok {
        /// Who.
        id: OperatorId,
        /// Their name.
        name: String,
        /// Their role.
        role: Role,
        /// Days until the password expires, when within the warning window.
        expires_in_days: Option<i64>,
    },
    /// Right password, but it must be changed before anything else.
    MustChange {
        /// Who.
        id: OperatorId,
        /// Their name.
        name: String,
        /// Their role.
        role: Role,
        /// Why.
        reason: MustChange,
    },
    /// Wrong password (or an unknown number, or a disabled operator:
    /// indistinguishable).
    Wrong {
        /// What the failure costs: tries left, a wait, or locked until an admin.
        penalty: Penalty,
    },
    /// Not checked: a wait is running.
    Locked {
        /// Seconds left.
        secs: u64,
    },
    /// Not checked: locked until an admin unlocks.
    LockedUntilAdmin,
    /// Not checked: the whole till is paused after many failures across
    /// all numbers.
    Paused {
        /// Seconds left.
        secs: u64,
    },
}

impl AuthOutcome {
    /// Whether the operator is now signed in (possibly to a forced change).
    pub fn signed_in(&self) -> bool {
        matches!(
            self,
            AuthOutcome::Ok { .. } | AuthOutcome::MustChange { .. }
        )
    }
}

/// Why an operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum TillError {
    /// No operator with that number.
    #[error("operator {0} does not exist")]
    NotFound(OperatorId),
    /// The number is taken.
    #[error("operator {0} already exists")]
    Exists(OperatorId),
    /// Would leave the till without an enabled admin.
    #[error("operator {0} is the last enabled admin and cannot be removed, disabled or demoted")]
    LastAdmin(OperatorId),
    /// The actor may not do this.
    #[error("{0} is not an enabled admin")]
    NotPermitted(String),
    /// An admin acting on their own account where that is not allowed.
    #[error("you cannot remove or disable your own account while signed in")]
    SelfTarget,
    /// The new password breaks the policy.
    #[error("password refused: {0}")]
    Rejected(Rejection),
    /// The old password was not accepted (the outcome says why).
    #[error("{}", .0.message(Lang::En).to_lowercase().trim_end_matches('.'))]
    Auth(AuthOutcome),
    /// The display name cannot be used.
    #[error(transparent)]
    BadName(#[from] BadName),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The OS random source failed.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// The till already has operators.
    #[error("the till is already set up (it has operators); use --force to start again")]
    AlreadyInitialised,
    /// No recovery challenge is waiting.
    #[error("no recovery challenge is pending: show a new one first")]
    NoChallenge,
    /// The challenge is too old.
    #[error("the recovery challenge has expired: show a new one")]
    ChallengeExpired,
    /// The recovery code was wrong.
    #[error("wrong recovery code{}", .0.map(|n| format!(", {n} tries left for this challenge")).unwrap_or_else(|| ": this challenge is no longer valid, show a new one".into()))]
    WrongCode(Option<u32>),
    /// Recovery attempts are throttled.
    #[error("too many wrong recovery codes: try again in {0} s")]
    RecoveryLocked(u64),
    /// The till's serial is not the one its key was made for.
    #[error(
        "this till's serial ({now}) differs from the one its recovery key was provisioned for ({key}): re-provision"
    )]
    SerialChanged {
        /// Serial now.
        now: String,
        /// Serial in the key file.
        key: String,
    },
    /// Recovery can only set an admin's password.
    #[error("operator {0} is not an admin")]
    NotAdmin(OperatorId),
    /// Recovery does not re-enable an admin another admin disabled.
    #[error("operator {0} is disabled; recovery sets only an enabled admin's password")]
    RecoveryDisabledAdmin(OperatorId),
    /// No recovery key is stored on this till.
    #[error(
        "this till has no recovery key: provision it with `tillctl recovery provision --master-key FILE`"
    )]
    NotProvisioned,
    /// The master key or a challenge cannot be used.
    #[error(transparent)]
    Recovery(#[from] super::recovery::RecoveryError),
    /// An operator bundle was refused.
    #[error(transparent)]
    Bundle(BundleRefusal),
    /// The badge read is empty or too long to be a badge.
    #[error("that is not a badge: swipe the card again")]
    BadBadge,
    /// The badge is already another operator's.
    #[error("that badge is already enrolled for operator {0}")]
    BadgeTaken(OperatorId),
    /// The rule needs this operator's badge.
    #[error("operator {0} has no badge, and their role needs one: enrol it first")]
    BadgeRequired(OperatorId),
    /// A path that cannot take a badge (tillctl) was asked to check the
    /// password of an operator whose role signs in with one. Said plainly
    /// and not counted: the caller can read the state anyway.
    #[error("operator {0}: this operator signs in with a badge, at the till's reader")]
    SignsInWithBadge(OperatorId),
}

/// An attempt recorded as a failure, waiting for the password check.
#[derive(Debug)]
#[must_use = "finish the attempt, or the failure stands"]
pub struct PendingAttempt {
    /// The operator, or `None` for a badge nobody has.
    id: Option<OperatorId>,
    penalty: Penalty,
    /// Whether this failure, if it stands, pauses the whole till.
    pauses_till: bool,
    /// The operator's badge was read for this attempt.
    badge: bool,
    /// The keyed hash of the badge read, whose counter this attempt is
    /// charged to (else the number's).
    card: Option<String>,
}

impl PendingAttempt {
    /// Marks the attempt as made with the operator's badge shown: in the
    /// same kiosk session that their badge opened.
    pub fn badge_shown(mut self) -> Self {
        self.badge = true;
        self
    }
}

/// An operator as a list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OperatorView {
    /// Number.
    pub id: OperatorId,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Enabled.
    pub enabled: bool,
    /// What the list's status column says.
    pub status: OperatorStatus,
    /// When the password was set.
    pub password_set: String,
    /// Days until the password expires (negative: expired), if it can.
    pub expires_in_days: Option<i64>,
    /// Consecutive failed sign-ins.
    pub failures: u32,
    /// A badge is enrolled.
    pub badge: bool,
}

/// An operator's status, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OperatorStatus {
    /// Disabled by an admin.
    Disabled,
    /// Locked until an admin unlocks.
    LockedUntilAdmin,
    /// A wait is running.
    Locked {
        /// Seconds left.
        secs: u64,
    },
    /// Password must be changed at next sign-in.
    MustChange {
        /// Why.
        reason: MustChange,
    },
    /// Password past its maximum age.
    Expired,
    /// Can sign in.
    Active,
}

/// One operation on a till's state.
#[derive(Debug)]
pub struct Till<'a> {
    state: &'a mut TillState,
    settings: &'a Settings,
    now: Now,
    power: PowerTime,
    actor: Actor,
    /// Audit events produced so far.
    pub events: Vec<AuditEvent>,
}

impl<'a> Till<'a> {
    /// Starts an operation by `actor` at `now`.
    pub fn new(state: &'a mut TillState, settings: &'a Settings, now: Now, actor: Actor) -> Self {
        let power = state.power_now(&now.boot);
        // Every write carries a fresh checkpoint of powered-on time.
        state.power.advance_to(&now.boot);
        Till {
            state,
            settings,
            now,
            power,
            actor,
            events: Vec::new(),
        }
    }

    /// The state, to prune and save: the service's transaction.
    pub fn state_mut(&mut self) -> &mut TillState {
        self.state
    }

    /// The time this operation runs at.
    pub fn now(&self) -> &Now {
        &self.now
    }

    /// The state, read-only.
    pub fn state(&self) -> &TillState {
        self.state
    }

    /// Powered-on time of this operation.
    pub fn power(&self) -> PowerTime {
        self.power
    }

    fn audit(
        &mut self,
        kind: EventKind,
        subject: Option<String>,
        outcome: Outcome,
    ) -> &mut AuditEvent {
        self.events
            .push(AuditEvent::new(kind, &self.actor, subject, outcome));
        self.events.last_mut().expect("just pushed")
    }

    /// The policy in force.
    pub fn policy(&self) -> PasswordPolicy {
        self.state.effective_policy(&self.settings.policy)
    }

    fn schedule_for(&self, id: OperatorId) -> &'a Schedule {
        match self.state.operators.get(&id).map(|o| o.role) {
            Some(Role::Admin) => &self.settings.admin_lockout,
            // Unknown numbers follow the cashier schedule: most numbers are cashiers.
            _ => &self.settings.operator_lockout,
        }
    }

    /// Whether `id` may try to sign in now. The same for known and unknown
    /// numbers, so it reveals nothing.
    pub fn gate(&self, id: OperatorId) -> Gate {
        lockout::stricter(self.state.counter(id).gate(self.power), self.till_gate())
    }

    /// Whether the whole till is paused by the terminal-wide rate.
    pub fn till_gate(&self) -> Gate {
        match self
            .state
            .terminal_rate
            .paused(&self.settings.terminal_rate, self.power)
        {
            Some(secs) => Gate::Paused { secs },
            None => Gate::Open,
        }
    }

    fn require_admin(&self) -> Result<(), TillError> {
        match &self.actor {
            Actor::Operator(id) => match self.state.operators.get(id) {
                Some(o) if o.role == Role::Admin && o.enabled => Ok(()),
                _ => Err(TillError::NotPermitted(self.actor.to_string())),
            },
            // tillctl's authority is the file permissions on the state dir.
            Actor::Cli { .. } => Ok(()),
            _ => Err(TillError::NotPermitted(self.actor.to_string())),
        }
    }

    fn operator(&self, id: OperatorId) -> Result<&Operator, TillError> {
        self.state.operators.get(&id).ok_or(TillError::NotFound(id))
    }

    fn operator_mut(&mut self, id: OperatorId) -> Result<&mut Operator, TillError> {
        self.state
            .operators
            .get_mut(&id)
            .ok_or(TillError::NotFound(id))
    }
}

/// A recovery attempt recorded as a failure, waiting for the code check.
#[derive(Debug)]
#[must_use = "finish the attempt, or the failure stands"]
pub struct PendingRecovery {
    id: OperatorId,
    challenge: Challenge,
    bad_codes: u32,
}

fn ttl_ms(s: &Settings) -> u64 {
    u64::try_from(s.recovery_ttl.as_millis()).unwrap_or(u64::MAX)
}

fn new_differs(a: &Secret, b: &Secret) -> bool {
    a != b
}

fn replace_password(
    rec: &mut PasswordRecord,
    hash: String,
    wall: WallTime,
    must_change: Option<MustChange>,
    remembered: usize,
) {
    let old = std::mem::replace(&mut rec.hash, hash);
    rec.history.insert(0, old);
    rec.history.truncate(remembered);
    rec.set_at = wall;
    rec.must_change = must_change;
}
