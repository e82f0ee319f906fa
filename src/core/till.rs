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
use super::i18n::{Lang, Localized, format_wait};
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

/// A wrong *old* password on the change-password screen (no number there).
pub fn wrong_old_password(tries_left: u32, lang: Lang) -> String {
    match tries_left {
        1 => lang.pick(
            "Wrong old password. 1 try left.".to_owned(),
            "旧密码错误。还可尝试 1 次。".to_owned(),
        ),
        n => lang.pick(
            format!("Wrong old password. {n} tries left."),
            format!("旧密码错误。还可尝试 {n} 次。"),
        ),
    }
}

impl Localized for AuthOutcome {
    fn message(&self, lang: Lang) -> String {
        match self {
            AuthOutcome::Ok { name, .. } => {
                lang.pick(format!("Welcome, {name}."), format!("欢迎，{name}。"))
            }
            AuthOutcome::MustChange { reason, .. } => reason.message(lang),
            AuthOutcome::Wrong { penalty } => match penalty {
                Penalty::TriesLeft { tries_left: 1 } => lang.pick(
                    "Wrong operator number or password. 1 try left.",
                    "操作员编号或密码错误。还可尝试 1 次。",
                ),
                Penalty::TriesLeft { tries_left } => lang.pick(
                    format!("Wrong operator number or password. {tries_left} tries left."),
                    format!("操作员编号或密码错误。还可尝试 {tries_left} 次。"),
                ),
                Penalty::Wait { secs } => lang.pick(
                    format!(
                        "Wrong operator number or password. Try again in {}.",
                        format_wait(*secs, lang)
                    ),
                    format!(
                        "操作员编号或密码错误。请在 {} 后重试。",
                        format_wait(*secs, lang)
                    ),
                ),
                Penalty::UntilAdmin => locked_until_admin(lang),
                Penalty::Paused { secs } => lang.pick(
                    format!(
                        "Wrong operator number or password. Too many wrong attempts at this till: it is paused for {}.",
                        format_wait(*secs, lang)
                    ),
                    format!(
                        "操作员编号或密码错误。本机错误尝试过多，已暂停 {}。",
                        format_wait(*secs, lang)
                    ),
                ),
            },
            AuthOutcome::Locked { secs } => lang.pick(
                format!(
                    "Too many wrong attempts. Try again in {}.",
                    format_wait(*secs, lang)
                ),
                format!("错误次数过多。请在 {} 后重试。", format_wait(*secs, lang)),
            ),
            AuthOutcome::LockedUntilAdmin => locked_until_admin(lang),
            AuthOutcome::Paused { secs } => lang.pick(
                format!(
                    "Too many wrong attempts at this till: it is paused for everyone. Try again in {}.",
                    format_wait(*secs, lang)
                ),
                format!(
                    "本机错误尝试过多，已对所有人暂停。请在 {} 后重试。",
                    format_wait(*secs, lang)
                ),
            ),
        }
    }
}

fn locked_until_admin(lang: Lang) -> String {
    lang.pick(
        "Locked after too many wrong attempts. Ask an administrator to unlock it.",
        "错误次数过多，已锁定。请联系管理员解锁。",
    )
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
}

impl Localized for TillError {
    fn message(&self, lang: Lang) -> String {
        match self {
            TillError::NotFound(id) => lang.pick(
                format!("Operator {id} does not exist."),
                format!("操作员 {id} 不存在。"),
            ),
            TillError::Exists(id) => lang.pick(
                format!("Operator {id} already exists."),
                format!("操作员 {id} 已存在。"),
            ),
            TillError::LastAdmin(id) => lang.pick(
                format!(
                    "Operator {id} is the last administrator. Add another administrator first."
                ),
                format!("操作员 {id} 是最后一名管理员，不能删除或停用。请先添加另一名管理员。"),
            ),
            TillError::NotPermitted(_) => lang.pick(
                "Only an administrator can do this.",
                "只有管理员可以执行此操作。",
            ),
            TillError::SelfTarget => lang.pick(
                "You cannot remove or disable your own account.",
                "不能删除或停用自己的账户。",
            ),
            TillError::Rejected(r) => r.message(lang),
            TillError::Auth(a) => a.message(lang),
            TillError::BadName(_) => lang.pick(
                "Enter a name of 1 to 32 characters.",
                "请输入 1 到 32 个字符的姓名。",
            ),
            TillError::NoChallenge | TillError::ChallengeExpired => lang.pick(
                "The recovery code has expired. Start again to get a new challenge.",
                "恢复码已过期。请重新开始以获取新的验证码。",
            ),
            TillError::WrongCode(Some(n)) => lang.pick(
                format!("Wrong recovery code. {n} tries left."),
                format!("恢复码错误。还可尝试 {n} 次。"),
            ),
            TillError::WrongCode(None) => lang.pick(
                "Wrong recovery code. This challenge is no longer valid; start again.",
                "恢复码错误。此验证码已失效，请重新开始。",
            ),
            TillError::NotProvisioned => lang.pick(
                "Password recovery is not set up on this till. Call the service desk.",
                "此收银机尚未设置密码恢复功能。请联系服务台。",
            ),
            TillError::RecoveryLocked(secs) => lang.pick(
                format!(
                    "Too many wrong codes. Try again in {}.",
                    format_wait(*secs, lang)
                ),
                format!("错误次数过多。请在 {} 后重试。", format_wait(*secs, lang)),
            ),
            other => lang.pick(
                format!("Something went wrong: {other}. Call the service desk."),
                format!("出现错误：{other}。请联系服务台。"),
            ),
        }
    }
}

/// An attempt recorded as a failure, waiting for the password check.
#[derive(Debug)]
#[must_use = "finish the attempt, or the failure stands"]
pub struct PendingAttempt {
    id: OperatorId,
    penalty: Penalty,
    /// Whether this failure, if it stands, pauses the whole till.
    pauses_till: bool,
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

impl Localized for OperatorStatus {
    fn message(&self, lang: Lang) -> String {
        match self {
            OperatorStatus::Disabled => lang.pick("Disabled", "已停用"),
            OperatorStatus::LockedUntilAdmin => {
                lang.pick("Locked until unlocked", "已锁定，需管理员解锁")
            }
            OperatorStatus::Locked { secs } => lang.pick(
                format!("Locked, {} left", format_wait(*secs, lang)),
                format!("已锁定，剩余 {}", format_wait(*secs, lang)),
            ),
            OperatorStatus::MustChange { .. } => lang.pick("Must change password", "须修改密码"),
            OperatorStatus::Expired => lang.pick("Password expired", "密码已过期"),
            OperatorStatus::Active => lang.pick("Active", "正常"),
        }
    }
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

    // ---- sign-in -------------------------------------------------------

    /// Phase one: refuses if locked, else records the attempt as a failure.
    /// The caller must make the state durable before calling
    /// [`finish_sign_in`](Till::finish_sign_in).
    pub fn begin_sign_in(&mut self, id: OperatorId) -> Result<PendingAttempt, AuthOutcome> {
        let refused = match self.gate(id) {
            Gate::Open => None,
            Gate::Wait { secs } => Some((AuthOutcome::Locked { secs }, Penalty::Wait { secs })),
            Gate::UntilAdmin => Some((AuthOutcome::LockedUntilAdmin, Penalty::UntilAdmin)),
            Gate::Paused { secs } => Some((AuthOutcome::Paused { secs }, Penalty::Paused { secs })),
        };
        if let Some((outcome, penalty)) = refused {
            self.audit(EventKind::SignIn, Some(id.to_string()), Outcome::Locked)
                .detail = Some(AuditDetail::StillLocked { penalty });
            return Err(outcome);
        }
        self.ensure_dummy_hash();
        let schedule = self.schedule_for(id);
        let power = self.power;
        let own = self
            .state
            .lockouts
            .entry(id)
            .or_default()
            .fail(schedule, power);
        let pause = self
            .state
            .terminal_rate
            .fail(&self.settings.terminal_rate, power);
        let terminal = match pause {
            Some(secs) => Penalty::Paused { secs },
            None => Penalty::TriesLeft {
                tries_left: u32::MAX,
            },
        };
        Ok(PendingAttempt {
            id,
            penalty: lockout::worse(own, terminal),
            pauses_till: pause.is_some(),
        })
    }

    /// Phase two: checks the password. On success the recorded failure is
    /// undone; on failure it stands.
    pub fn finish_sign_in(&mut self, attempt: PendingAttempt, password: &Secret) -> AuthOutcome {
        let id = attempt.id;
        let (hash, enabled) = match self.state.operators.get(&id) {
            Some(o) => (o.password.hash.clone(), o.enabled),
            None => (self.state.dummy_hash.clone().unwrap_or_default(), false),
        };
        // Always verify, even for unknown numbers and disabled operators,
        // so every refusal takes the same time.
        let right = hashing::verify(password, &hash);
        if !(right && enabled) {
            // A disabled operator's right password is a failure like any
            // other: the same answer (no oracle for disabled accounts), the
            // failure stands, and no counter is reset (an ex-employee's
            // password must not buy more guesses at other numbers). Only
            // the audit log, which the admin reads, says why.
            let penalty = attempt.penalty;
            self.audit(EventKind::SignIn, Some(id.to_string()), Outcome::Failed)
                .detail = Some(AuditDetail::Wrong {
                penalty,
                disabled_operator: right,
            });
            if attempt.pauses_till {
                // The start of a till-wide pause is worth its own line: it
                // is what a shop owner asks about ("nobody could sign in").
                let secs = match self.till_gate() {
                    Gate::Paused { secs } => secs,
                    _ => 0,
                };
                let failures = self.settings.terminal_rate.burst;
                self.audit(EventKind::TerminalPaused, None, Outcome::Locked)
                    .detail = Some(AuditDetail::PauseStarted { failures, secs });
            }
            return AuthOutcome::Wrong { penalty };
        }
        self.state.lockouts.remove(&id);
        // A right password takes its own charge back from the till-wide
        // rate, and nothing else: the failures of others still stand.
        self.state
            .terminal_rate
            .refund(&self.settings.terminal_rate, self.power);
        let policy = self.policy();
        let params = self.settings.hashing;
        let wall = self.now.wall;
        let op = self.state.operators.get_mut(&id).expect("known operator");
        // Re-hash with the current parameters now that we have the password.
        if !params.is_current(&op.password.hash)
            && let Ok(h) = params.hash(password)
        {
            op.password.hash = h;
        }
        let days_left = policy.days_left(wall.days_since(op.password.set_at));
        let mut expired_now = false;
        if op.password.must_change.is_none() && days_left.is_some_and(|d| d <= 0) {
            op.password.must_change = Some(MustChange::Expired);
            expired_now = true;
        }
        let (name, role, must_change) = (op.name.clone(), op.role, op.password.must_change);
        if expired_now {
            self.audit(
                EventKind::PasswordExpired,
                Some(id.to_string()),
                Outcome::Ok,
            );
        }
        let (outcome, detail) = match must_change {
            Some(reason) => (
                AuthOutcome::MustChange {
                    id,
                    name,
                    role,
                    reason,
                },
                Some(AuditDetail::MustChange),
            ),
            None => (
                AuthOutcome::Ok {
                    id,
                    name,
                    role,
                    expires_in_days: days_left.filter(|d| *d <= i64::from(policy.warn_days)),
                },
                None,
            ),
        };
        self.audit(EventKind::SignIn, Some(id.to_string()), Outcome::Ok)
            .detail = detail;
        outcome
    }

    fn ensure_dummy_hash(&mut self) {
        let params = self.settings.hashing;
        let stale = self
            .state
            .dummy_hash
            .as_deref()
            .is_none_or(|h| !params.is_current(h));
        if stale {
            // A random value nobody knows: nothing can ever match it.
            let mut b = [0u8; 16];
            if getrandom::fill(&mut b).is_ok() {
                let text: String = b.iter().map(|x| format!("{x:02x}")).collect();
                if let Ok(h) = params.hash(&Secret::new(text)) {
                    self.state.dummy_hash = Some(h);
                }
            }
        }
    }

    // ---- passwords -----------------------------------------------------

    /// Checks a new password for `id` against everything but its history.
    pub fn check_new_password(
        &self,
        id: OperatorId,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        if new != confirm {
            return Err(TillError::Rejected(Rejection::ConfirmMismatch));
        }
        let op = self.operator(id)?;
        self.policy()
            .check(&Candidate {
                password: new,
                id,
                name: &op.name,
                role: op.role,
            })
            .map_err(TillError::Rejected)
    }

    /// Sets `id`'s own new password after the old one was verified (the
    /// caller ran a successful sign-in attempt in this same transaction).
    pub fn set_own_password(
        &mut self,
        id: OperatorId,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        self.check_new_password(id, new, confirm)?;
        let policy = self.policy();
        let op = self.operator(id)?;
        if hashing::verify(new, &op.password.hash) {
            return Err(TillError::Rejected(Rejection::SameAsOld));
        }
        let remembered = policy.history as usize;
        if op
            .password
            .history
            .iter()
            .take(remembered)
            .any(|h| hashing::verify(new, h))
        {
            return Err(TillError::Rejected(Rejection::RecentlyUsed {
                history: policy.history,
            }));
        }
        let hash = self.settings.hashing.hash(new)?;
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        replace_password(&mut op.password, hash, wall, None, remembered);
        self.audit(
            EventKind::PasswordChanged,
            Some(id.to_string()),
            Outcome::Ok,
        );
        Ok(())
    }

    /// A random temporary password that passes the policy for `id`.
    fn temporary_password(
        &self,
        id: OperatorId,
        name: &str,
        role: Role,
    ) -> Result<Secret, TillError> {
        let policy = self.policy();
        let len = policy.length_for(role).min.max(match role {
            Role::Operator => 8,
            Role::Admin => 10,
        });
        for _ in 0..1000 {
            let mut bytes = zeroize::Zeroizing::new(vec![0u8; len as usize]);
            getrandom::fill(&mut bytes).map_err(|e| TillError::Random(e.to_string()))?;
            // Digits only, so it can be typed on the keypad; rejection
            // sampling keeps the digits uniform.
            if bytes.iter().any(|b| *b >= 250) {
                continue;
            }
            let pw = Secret::new(bytes.iter().map(|b| char::from(b'0' + b % 10)).collect());
            if policy
                .check(&Candidate {
                    password: &pw,
                    id,
                    name,
                    role,
                })
                .is_ok()
            {
                return Ok(pw);
            }
        }
        Err(TillError::Random(
            "could not make a temporary password that passes the policy".into(),
        ))
    }

    // ---- operators -----------------------------------------------------

    /// Creates the first admin on an empty till.
    pub fn init(
        &mut self,
        id: OperatorId,
        name: &str,
        password: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        if !self.state.operators.is_empty() {
            return Err(TillError::AlreadyInitialised);
        }
        let name = clean_name(name)?;
        self.insert(id, &name, Role::Admin, password, confirm, None)?;
        self.audit(EventKind::Init, Some(id.to_string()), Outcome::Ok);
        Ok(())
    }

    fn insert(
        &mut self,
        id: OperatorId,
        name: &str,
        role: Role,
        password: &Secret,
        confirm: &Secret,
        must_change: Option<MustChange>,
    ) -> Result<(), TillError> {
        if new_differs(password, confirm) {
            return Err(TillError::Rejected(Rejection::ConfirmMismatch));
        }
        self.policy()
            .check(&Candidate {
                password,
                id,
                name,
                role,
            })
            .map_err(TillError::Rejected)?;
        let hash = self.settings.hashing.hash(password)?;
        let wall = self.now.wall;
        self.state.operators.insert(
            id,
            Operator {
                id,
                name: name.to_owned(),
                role,
                enabled: true,
                password: PasswordRecord {
                    hash,
                    set_at: wall,
                    must_change,
                    history: Vec::new(),
                },
                created_at: wall,
            },
        );
        // Failures typed against this number before it existed do not count.
        self.state.lockouts.remove(&id);
        Ok(())
    }

    /// Adds an operator. Without `password` a temporary one is made; either
    /// way it must be changed at first sign-in. Returns the password to hand
    /// over.
    pub fn add_operator(
        &mut self,
        id: OperatorId,
        name: &str,
        role: Role,
        password: Option<Secret>,
    ) -> Result<Secret, TillError> {
        self.require_admin()?;
        if self.state.operators.contains_key(&id) {
            return Err(TillError::Exists(id));
        }
        let name = clean_name(name)?;
        let password = match password {
            Some(p) => p,
            None => self.temporary_password(id, &name, role)?,
        };
        self.insert(
            id,
            &name,
            role,
            &password,
            &password,
            Some(MustChange::First),
        )?;
        self.audit(EventKind::OperatorAdded, Some(id.to_string()), Outcome::Ok)
            .detail = Some(AuditDetail::Role { role });
        Ok(password)
    }

    /// Gives `id` a new temporary password, to be changed at next sign-in,
    /// and clears their lockout.
    pub fn reset_password(&mut self, id: OperatorId) -> Result<Secret, TillError> {
        self.require_admin()?;
        let op = self.operator(id)?;
        let temp = self.temporary_password(id, &op.name.clone(), op.role)?;
        let hash = self.settings.hashing.hash(&temp)?;
        let remembered = self.policy().history as usize;
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        replace_password(
            &mut op.password,
            hash,
            wall,
            Some(MustChange::Reset),
            remembered,
        );
        self.state.lockouts.remove(&id);
        self.audit(EventKind::PasswordReset, Some(id.to_string()), Outcome::Ok);
        Ok(temp)
    }

    /// Clears `id`'s lockout.
    pub fn unlock(&mut self, id: OperatorId) -> Result<(), TillError> {
        self.require_admin()?;
        self.operator(id)?;
        self.state.lockouts.remove(&id);
        self.audit(
            EventKind::OperatorUnlocked,
            Some(id.to_string()),
            Outcome::Ok,
        );
        Ok(())
    }

    /// Ends the terminal-wide pause.
    pub fn unlock_terminal(&mut self) -> Result<(), TillError> {
        self.require_admin()?;
        self.state.terminal_rate.clear();
        self.audit(EventKind::TerminalUnlocked, None, Outcome::Ok);
        Ok(())
    }

    fn protect_last_admin(&mut self, id: OperatorId, kind: EventKind) -> Result<(), TillError> {
        // "Last admin" first: it is the more useful answer when the only
        // admin tries to remove themselves.
        let op = self.operator(id)?;
        if op.role == Role::Admin && op.enabled && self.state.enabled_admins() <= 1 {
            self.audit(kind, Some(id.to_string()), Outcome::Refused)
                .detail = Some(AuditDetail::LastAdmin);
            return Err(TillError::LastAdmin(id));
        }
        if self.actor == Actor::Operator(id) {
            self.audit(kind, Some(id.to_string()), Outcome::Refused)
                .detail = Some(AuditDetail::OwnAccount);
            return Err(TillError::SelfTarget);
        }
        Ok(())
    }

    /// Enables or disables `id`. The last enabled admin cannot be disabled.
    pub fn set_enabled(&mut self, id: OperatorId, enabled: bool) -> Result<(), TillError> {
        self.require_admin()?;
        let kind = if enabled {
            EventKind::OperatorEnabled
        } else {
            EventKind::OperatorDisabled
        };
        if !enabled {
            self.protect_last_admin(id, kind)?;
        }
        self.operator_mut(id)?.enabled = enabled;
        self.audit(kind, Some(id.to_string()), Outcome::Ok);
        Ok(())
    }

    /// Removes `id`. The last enabled admin cannot be removed.
    pub fn remove(&mut self, id: OperatorId) -> Result<(), TillError> {
        self.require_admin()?;
        self.protect_last_admin(id, EventKind::OperatorRemoved)?;
        self.state.operators.remove(&id);
        self.state.lockouts.remove(&id);
        self.audit(
            EventKind::OperatorRemoved,
            Some(id.to_string()),
            Outcome::Ok,
        );
        Ok(())
    }

    /// Operators with their status at this moment.
    pub fn list(&self) -> Vec<OperatorView> {
        let policy = self.policy();
        self.state
            .operators
            .values()
            .map(|o| {
                let counter = self.state.counter(o.id);
                let days = policy.days_left(self.now.wall.days_since(o.password.set_at));
                let status = if !o.enabled {
                    OperatorStatus::Disabled
                } else {
                    match counter.gate(self.power) {
                        Gate::UntilAdmin => OperatorStatus::LockedUntilAdmin,
                        Gate::Wait { secs } => OperatorStatus::Locked { secs },
                        // A counter never pauses the till; the list shows each
                        // operator's own state.
                        Gate::Open | Gate::Paused { .. } => match o.password.must_change {
                            Some(reason) => OperatorStatus::MustChange { reason },
                            None if days.is_some_and(|d| d <= 0) => OperatorStatus::Expired,
                            None => OperatorStatus::Active,
                        },
                    }
                };
                OperatorView {
                    id: o.id,
                    name: o.name.clone(),
                    role: o.role,
                    enabled: o.enabled,
                    status,
                    password_set: o.password.set_at.rfc3339(),
                    expires_in_days: days,
                    failures: counter.failures,
                }
            })
            .collect()
    }

    // ---- settings ------------------------------------------------------

    /// Sets the policy (tightened to at least the config's). Returns what is now in force.
    pub fn set_policy(&mut self, wanted: &PasswordPolicy) -> Result<PasswordPolicy, TillError> {
        self.require_admin()?;
        let effective = wanted.at_least(&self.settings.policy);
        self.state.policy = Some(effective.clone());
        let e = self.audit(EventKind::PolicyChanged, None, Outcome::Ok);
        e.detail = Some(AuditDetail::Policy {
            cashier_min: effective.operator_length.min,
            admin_min: effective.admin_length.min,
            history: effective.history,
            max_age_days: effective.max_age_days,
        });
        Ok(effective)
    }

    /// Sets the UI language (anyone may: it is a display preference).
    pub fn set_language(&mut self, lang: Lang) {
        if self.state.language != lang {
            self.state.language = lang;
            self.audit(EventKind::SettingsChanged, None, Outcome::Ok)
                .detail = Some(AuditDetail::Language { lang });
        }
    }

    /// Renames the terminal.
    pub fn set_terminal_name(&mut self, name: &str) -> Result<(), TillError> {
        if !self.state.operators.is_empty() {
            self.require_admin()?;
        }
        let name = clean_name(name)?;
        self.state.terminal_name = name.clone();
        self.audit(EventKind::SettingsChanged, None, Outcome::Ok)
            .detail = Some(AuditDetail::TerminalName { name });
        Ok(())
    }

    // ---- recovery ------------------------------------------------------

    /// Shows a new challenge, replacing any pending one.
    pub fn issue_challenge(&mut self, serial: &str) -> Result<Challenge, TillError> {
        let challenge = Challenge::fresh(serial).map_err(|e| TillError::Random(e.to_string()))?;
        self.state.pending_recovery = Some(PendingChallenge {
            challenge: challenge.clone(),
            issued_power: self.power,
            issued_wall: self.now.wall,
            bad_codes: 0,
        });
        self.audit(EventKind::RecoveryIssued, None, Outcome::Ok)
            .detail = Some(AuditDetail::Challenge {
            challenge: challenge.to_string(),
        });
        Ok(challenge)
    }

    /// The pending challenge, if it is still valid.
    pub fn pending_challenge(&self) -> Option<&Challenge> {
        self.state
            .pending_recovery
            .as_ref()
            .filter(|p| !p.expired(self.power, self.now.wall, ttl_ms(self.settings)))
            .map(|p| &p.challenge)
    }

    /// Phase one of redeeming a code for admin `id`. Before anything else is
    /// looked at (the number, its role, the new password, even whether a
    /// challenge is showing), the attempt is counted against the recovery
    /// throttle and audited: the caller makes both durable before
    /// [`finish_recovery`](Till::finish_recovery). So every attempt costs
    /// the same, and the answer to a wrong code cannot depend on the number
    /// typed (no enumeration of numbers, roles or names).
    pub fn begin_recovery(&mut self, id: OperatorId) -> Result<PendingRecovery, TillError> {
        if let Gate::Wait { secs } = self.state.recovery_lockout.gate(self.power) {
            self.audit(
                EventKind::RecoveryFailed,
                Some(id.to_string()),
                Outcome::Locked,
            );
            return Err(TillError::RecoveryLocked(secs));
        }
        let (power, wall, ttl) = (self.power, self.now.wall, ttl_ms(self.settings));
        self.state
            .recovery_lockout
            .fail(&self.settings.recovery_lockout, power);
        self.audit(
            EventKind::RecoveryAttempt,
            Some(id.to_string()),
            Outcome::Failed,
        )
        .detail = Some(AuditDetail::CountedFirst);
        let refused = match self.state.pending_recovery.as_mut() {
            None => Some((TillError::NoChallenge, AuditDetail::NoChallenge)),
            Some(p) if p.expired(power, wall, ttl) => {
                self.state.pending_recovery = None;
                Some((TillError::ChallengeExpired, AuditDetail::ChallengeExpired))
            }
            Some(p) => {
                p.bad_codes = p.bad_codes.saturating_add(1);
                return Ok(PendingRecovery {
                    id,
                    challenge: p.challenge.clone(),
                    bad_codes: p.bad_codes,
                });
            }
        };
        let (err, why) = refused.expect("every other arm returned");
        self.audit(
            EventKind::RecoveryFailed,
            Some(id.to_string()),
            Outcome::Refused,
        )
        .detail = Some(why);
        Err(err)
    }

    /// Phase two: checks the code against the till key first. A wrong code
    /// is the same answer for every number. A right code proves the service
    /// desk vouched for the person typing, so what follows may be specific:
    /// the number must be an enabled admin (recovery never re-enables a
    /// disabled one) and the new password must pass the policy; if either
    /// fails, the code is not spent. On success the admin gets the new
    /// password and is unlocked, and the challenge is spent.
    pub fn finish_recovery(
        &mut self,
        pending: PendingRecovery,
        key: &TillKey,
        code: &Secret,
        new: &Secret,
        confirm: &Secret,
    ) -> Result<(), TillError> {
        let id = pending.id;
        if !key.check(&pending.challenge, code) {
            let left = self
                .settings
                .recovery_max_bad_codes
                .saturating_sub(pending.bad_codes);
            if left == 0 {
                self.state.pending_recovery = None;
            }
            self.audit(
                EventKind::RecoveryFailed,
                Some(id.to_string()),
                Outcome::Failed,
            )
            .detail = Some(AuditDetail::WrongCode {
                challenge: pending.challenge.to_string(),
            });
            return Err(TillError::WrongCode((left > 0).then_some(left)));
        }
        // A right code is not a failure: undo what phase one counted.
        self.state.recovery_lockout.reset();
        if let Some(p) = self.state.pending_recovery.as_mut() {
            p.bad_codes = p.bad_codes.saturating_sub(1);
        }
        let refused = match self.state.operators.get(&id) {
            None => Some((TillError::NotFound(id), RecoveryRefusal::NoSuchNumber)),
            Some(op) if op.role != Role::Admin => {
                Some((TillError::NotAdmin(id), RecoveryRefusal::NotAdmin))
            }
            Some(op) if !op.enabled => Some((
                TillError::RecoveryDisabledAdmin(id),
                RecoveryRefusal::DisabledAdmin,
            )),
            Some(_) => self
                .check_new_password(id, new, confirm)
                .err()
                .map(|e| (e, RecoveryRefusal::Password)),
        };
        if let Some((e, reason)) = refused {
            self.audit(
                EventKind::RecoveryFailed,
                Some(id.to_string()),
                Outcome::Refused,
            )
            .detail = Some(AuditDetail::RightCodeRefused { reason });
            return Err(e);
        }
        self.state.pending_recovery = None;
        self.state.lockouts.remove(&id);
        let hash = self.settings.hashing.hash(new)?;
        let remembered = self.policy().history as usize;
        let wall = self.now.wall;
        let op = self.operator_mut(id)?;
        replace_password(&mut op.password, hash, wall, None, remembered);
        self.audit(
            EventKind::RecoveryRedeemed,
            Some(id.to_string()),
            Outcome::Ok,
        )
        .detail = Some(AuditDetail::Challenge {
            challenge: pending.challenge.to_string(),
        });
        Ok(())
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
