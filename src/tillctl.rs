//! `tillctl`: the admin and service command line.
//!
//! Scripts rely on this contract (see README): passwords come only from
//! standard input, one per line, never from arguments; `--json` prints
//! records and lists as JSON; exit codes are fixed:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done / signed in |
//! | 1 | refused (policy, last admin, not found, wrong recovery code...) |
//! | 2 | usage or config error |
//! | 3 | state error (unreadable, not persistent, locked file system) |
//! | 10 | wrong password (or unknown or disabled operator: indistinguishable) |
//! | 11 | locked: a wait is running, or the whole till is paused (seconds remaining printed) |
//! | 12 | locked until an admin unlocks |
//! | 13 | signed in, but the password must be changed first |
//!
//! Secrets are read before the state lock is taken, so a prompt waiting
//! for a person never blocks the kiosk.

use crate::config::{self, Config, ConfigError, Loaded};
use crate::core::hashing::{FLOOR, HashParams};
use crate::core::lockout::Penalty;
use crate::core::recovery::{Challenge, TillKey, group4};
use crate::core::{
    Actor, AuditRecord, AuthOutcome, Lang, Localized, OperatorId, Role, Secret, TillError, WallTime,
};
use crate::service::{Health, Service, ServiceError, Setup};
use crate::store::{FileStore, StoreError};
use crate::sys::{self, Persistence, SystemClock};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zeroize::Zeroizing;

/// Administer a till-kiosk terminal: operators, passwords, lockouts,
/// recovery and state.
#[derive(Parser, Debug)]
#[command(name = "tillctl", version, about, long_about = None, disable_help_subcommand = true)]
pub struct Cli {
    /// Config file [default: $TILL_KIOSK_CONFIG, else /etc/till-kiosk/config.yaml if present, else built-in]
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// State directory (overrides the config)
    #[arg(long, global = true, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Print records and lists as JSON
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    /// What to do
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Set up the till: create the first admin (password from stdin)
    Init {
        /// The admin's display name
        #[arg(long, default_value = "Administrator")]
        name: String,
        /// The admin's operator number
        #[arg(long, default_value = "00", value_parser = parse_id)]
        number: OperatorId,
        /// The terminal's name, shown on the sign-in screen
        #[arg(long)]
        terminal_name: Option<String>,
        /// Start again even if the till has operators or unreadable state (the old state file is kept aside)
        #[arg(long)]
        force: bool,
    },
    /// Manage operators
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// Change an operator's own password (stdin: old, new, new again)
    Passwd {
        /// Operator number
        #[arg(value_parser = parse_id)]
        number: OperatorId,
    },
    /// Check a password through the same lockout as the kiosk (stdin: password)
    Auth {
        /// Operator number
        #[arg(value_parser = parse_id)]
        number: OperatorId,
    },
    /// Show the state directory, its persistence, lockouts and versions
    Status,
    /// Clear the terminal-wide lockout (too many wrong attempts across numbers)
    UnlockTerminal,
    /// Repair the state
    #[command(subcommand)]
    State(StateCmd),
    /// Forgotten admin password: offline challenge-response
    #[command(subcommand)]
    Recovery(RecoveryCmd),
    /// Print the audit log, oldest first
    Audit {
        /// Only events since TIME: RFC 3339 (2026-11-28T09:00:00Z) or an age (24h, 7d)
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
    },
    /// Talk to the running kiosk's session API (as the sales software does)
    #[command(subcommand)]
    Session(SessionCmd),
    /// Check a config file and print the first error with its line and column
    CheckConfig {
        /// The file
        file: PathBuf,
    },
    /// Measure argon2id here and print parameters that take about N ms
    Calibrate {
        /// Target time of one hash in milliseconds
        #[arg(long, value_name = "N")]
        target_ms: u64,
    },
}

/// `tillctl operator ...`
#[derive(Subcommand, Debug)]
pub enum OperatorCmd {
    /// Add an operator; prints a one-time temporary password
    Add {
        /// Operator number (two digits)
        #[arg(value_parser = parse_id)]
        number: OperatorId,
        /// Display name
        #[arg(long)]
        name: String,
        /// Role
        #[arg(long, value_enum, default_value_t = Role::Operator)]
        role: Role,
        /// Take the first password from stdin instead of generating one
        #[arg(long)]
        password_stdin: bool,
    },
    /// List operators with their status
    List,
    /// Show one operator
    Show(Target),
    /// Give a new temporary password (must be changed at next sign-in)
    Reset(Target),
    /// Clear a lockout
    Unlock(Target),
    /// Stop an operator from signing in
    Disable(Target),
    /// Let a disabled operator sign in again
    Enable(Target),
    /// Remove an operator
    Remove(Target),
}

/// An operator number argument.
#[derive(Args, Debug)]
pub struct Target {
    /// Operator number (two digits)
    #[arg(value_parser = parse_id)]
    pub number: OperatorId,
}

/// `tillctl session ...`: clients of the session API.
#[derive(Subcommand, Debug)]
pub enum SessionCmd {
    /// Print events as they happen (signed_in, signed_out, ...) until interrupted
    Watch {
        /// The socket [default: session_api.socket from the config]
        #[arg(long, value_name = "PATH")]
        socket: Option<PathBuf>,
    },
    /// Who is signed in
    Whoami {
        /// The socket [default: session_api.socket from the config]
        #[arg(long, value_name = "PATH")]
        socket: Option<PathBuf>,
    },
    /// Ask a supervisor to approve an action at the till; waits for the answer.
    /// Exit 0 approved, 20 denied, 21 cancelled, 22 timed out
    Approve {
        /// What to approve: void, refund, discount...
        #[arg(long)]
        action: String,
        /// The amount to show
        #[arg(long)]
        amount: Option<String>,
        /// Why
        #[arg(long)]
        reason: Option<String>,
        /// Seconds to wait for an answer (1-600)
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// The socket [default: session_api.socket from the config]
        #[arg(long, value_name = "PATH")]
        socket: Option<PathBuf>,
    },
    /// Sign the current operator out
    SignOut {
        /// The socket [default: session_api.socket from the config]
        #[arg(long, value_name = "PATH")]
        socket: Option<PathBuf>,
    },
}

/// `tillctl state ...`
#[derive(Subcommand, Debug)]
pub enum StateCmd {
    /// Go back to the previous good copy of the state (the bad file is kept aside)
    Restore,
}

/// `tillctl recovery ...`
#[derive(Subcommand, Debug)]
pub enum RecoveryCmd {
    /// Store this till's recovery key, derived from the vendor master key
    Provision {
        /// The master key file (at least 32 random bytes; never leave it on the till)
        #[arg(long, value_name = "FILE")]
        master_key: PathBuf,
    },
    /// Show a new recovery challenge to read to the service desk
    Challenge,
    /// Service desk: compute the response code for a challenge
    Respond {
        /// The master key file
        #[arg(long, value_name = "FILE")]
        master_key: PathBuf,
        /// The challenge as the till shows it, e.g. 10000000a1b2c3d4-12345678
        challenge: String,
    },
    /// Redeem a response code (stdin: code, new password, new again)
    Redeem {
        /// The admin whose password is set
        #[arg(long, default_value = "00", value_parser = parse_id)]
        operator: OperatorId,
    },
}

fn parse_id(s: &str) -> Result<OperatorId, String> {
    s.parse()
        .map_err(|e: crate::core::operator::BadOperatorId| e.to_string())
}

/// A failure with its exit code; the message is one lowercase line.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
    hint: Option<String>,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hint: None,
        }
    }
    fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::new(2, e.to_string())
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        let hint = e.remedy();
        Failure::new(3, e.to_string()).hint(hint)
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Store(s) => s.into(),
            ServiceError::NotSetUp => Failure::new(3, e.to_string()),
            ServiceError::Till(TillError::Auth(o)) => auth_failure(&o),
            ServiceError::Till(t) => Failure::new(1, t.to_string()),
        }
    }
}

fn auth_failure(o: &AuthOutcome) -> Failure {
    let code = auth_exit_code(o);
    let msg = match o {
        AuthOutcome::Locked { secs } => format!("locked: {secs} seconds remaining"),
        AuthOutcome::Paused { secs } => {
            format!("the till is paused after many wrong attempts: {secs} seconds remaining")
        }
        other => other
            .message(Lang::En)
            .to_lowercase()
            .trim_end_matches('.')
            .to_owned(),
    };
    Failure::new(code, msg)
}

/// The exit code for a sign-in outcome.
pub fn auth_exit_code(o: &AuthOutcome) -> u8 {
    match o {
        AuthOutcome::Ok { .. } => 0,
        AuthOutcome::Wrong { .. } => 10,
        AuthOutcome::Locked { .. } | AuthOutcome::Paused { .. } => 11,
        AuthOutcome::LockedUntilAdmin => 12,
        AuthOutcome::MustChange { .. } => 13,
    }
}

type Res = Result<u8, Failure>;

/// Reads secrets from stdin: one per line, or prompted without echo on a
/// terminal. Standard input is read byte by byte from its file descriptor,
/// not through std's buffered `Stdin`, so no copy of a password stays in a
/// buffer for the life of the process.
struct SecretInput {
    tty: bool,
    stdin: std::mem::ManuallyDrop<std::fs::File>,
}

/// The longest line taken as a secret.
const MAX_SECRET_LINE: usize = 1024;

impl SecretInput {
    fn new() -> Self {
        use std::os::fd::FromRawFd;
        SecretInput {
            tty: std::io::stdin().is_terminal(),
            // SAFETY: fd 0 stays open for the life of the process, and
            // ManuallyDrop never closes it.
            stdin: std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(0) }),
        }
    }

    fn line(&mut self, prompt: &str, what: &str) -> Result<Secret, Failure> {
        let _echo = if self.tty {
            eprint!("{prompt}: ");
            let _ = std::io::stderr().flush();
            EchoOff::new()
        } else {
            None
        };
        let line = sys::read_secret_line(&mut *self.stdin, MAX_SECRET_LINE).map_err(|e| {
            Failure::new(2, format!("unable to read {what} from standard input: {e}"))
        })?;
        if self.tty {
            eprintln!();
        }
        line.ok_or_else(|| {
            Failure::new(
                2,
                format!("expected {what} on standard input, got end of input"),
            )
        })
    }

    /// A new password, asked twice on a terminal, once from a pipe.
    fn new_password(&mut self, what: &str) -> Result<(Secret, Secret), Failure> {
        let p = self.line(what, what)?;
        let c = if self.tty {
            self.line(&format!("{what} again"), what)?
        } else {
            p.clone()
        };
        Ok((p, c))
    }
}

/// Turns terminal echo off until dropped.
struct EchoOff {
    saved: nix::sys::termios::Termios,
}

impl EchoOff {
    fn new() -> Option<EchoOff> {
        use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
        let stdin = std::io::stdin();
        let saved = tcgetattr(&stdin).ok()?;
        let mut t = saved.clone();
        t.local_flags.remove(LocalFlags::ECHO);
        t.local_flags.insert(LocalFlags::ECHONL);
        tcsetattr(&stdin, SetArg::TCSANOW, &t).ok()?;
        Some(EchoOff { saved })
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        let _ = nix::sys::termios::tcsetattr(
            std::io::stdin(),
            nix::sys::termios::SetArg::TCSANOW,
            &self.saved,
        );
    }
}

struct Ctx {
    json: bool,
    loaded: Loaded,
    state_dir: PathBuf,
    /// Who ran tillctl (recorded in the audit log even after root has
    /// switched to the state directory's owner).
    invoker: (u32, String),
}

impl Ctx {
    fn actor(&self) -> Actor {
        let (uid, user) = self.invoker.clone();
        Actor::Cli { uid, user }
    }

    /// Acts as the state directory's owner from here on (see
    /// [`sys::act_as_owner_of`]): root switches; anyone else is refused
    /// with the user to run as.
    fn as_owner(&self) -> Result<(), Failure> {
        match sys::act_as_owner_of(&self.state_dir) {
            Ok(Some(owner)) => {
                tracing::info!(
                    "acting as {owner}, the owner of {}",
                    self.state_dir.display()
                );
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(e) => Err(Failure::new(3, e.to_string())),
        }
    }

    /// The service over the state directory; warns (or refuses) when the
    /// directory would not survive a reboot.
    fn service(&self) -> Result<Service, Failure> {
        self.as_owner()?;
        let store = FileStore::open(&self.state_dir, self.loaded.config.rotation())?;
        let svc = Service::new(Arc::new(store), &self.loaded.config, sys::clock());
        match svc.check_persistence() {
            Ok(p) if !p.persistent => eprintln!("{}", volatile_warning(&self.state_dir, &p)),
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(svc)
    }

    fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
        if self.json {
            // Plain data: serialising cannot fail.
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("serialisable")
            );
        } else {
            let text = human();
            if !text.is_empty() {
                println!("{text}");
            }
        }
    }
}

fn volatile_warning(dir: &Path, p: &Persistence) -> String {
    format!(
        "warning: state directory {} is on {} and will be lost at reboot: lockouts, passwords and the audit log would vanish. Mount the persistent partition there.",
        dir.display(),
        p.fs_type
    )
}

/// Runs `tillctl` with the process's arguments.
pub fn main() -> ExitCode {
    let cli: Cli = match crate::parse_args() {
        Ok(c) => c,
        Err(code) => return code,
    };
    crate::logging::init("warn");
    if let Err(e) = sys::no_core_dumps() {
        tracing::warn!("core dumps not switched off: {e}");
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("tillctl: {}", f.message);
            if let Some(h) = f.hint {
                eprintln!("hint: {h}");
            }
            ExitCode::from(f.code)
        }
    }
}

/// Runs one parsed command; returns the exit code.
pub fn run(cli: Cli) -> Res {
    // Commands that need no state or config of this till.
    match &cli.command {
        Command::CheckConfig { file } => return check_config(file, cli.json),
        Command::Calibrate { target_ms } => return calibrate(*target_ms),
        Command::Recovery(RecoveryCmd::Respond {
            master_key,
            challenge,
        }) => return respond(master_key, challenge, cli.json),
        _ => {}
    }
    let loaded = config::load(cli.config.as_deref())?;
    let state_dir = cli.state_dir.clone().unwrap_or_else(|| loaded.state_dir());
    let ctx = Ctx {
        json: cli.json,
        loaded,
        state_dir,
        invoker: sys::current_user(),
    };
    let mut input = SecretInput::new();
    match cli.command {
        Command::Init {
            name,
            number,
            terminal_name,
            force,
        } => {
            let (pw, confirm) = input.new_password("new admin password")?;
            let svc = ctx.service()?;
            let setup = Setup {
                admin: number,
                name: &name,
                terminal_name: terminal_name.as_deref(),
                password: &pw,
                confirm: &confirm,
            };
            let aside = svc.init(&ctx.actor(), &setup, force)?;
            if let Some(p) = aside {
                eprintln!("the old state was kept as {}", p.display());
            }
            ctx.print(
                &serde_json::json!({"initialised": true, "admin": number}),
                || format!("till set up: admin {number} ({name}) created"),
            );
            Ok(0)
        }
        Command::Operator(cmd) => operator(&ctx, cmd, &mut input),
        Command::Passwd { number } => {
            let old = input.line("old password", "the old password")?;
            let new = input.line("new password", "the new password")?;
            let confirm = input.line("new password again", "the new password again")?;
            let svc = ctx.service()?;
            svc.change_password(&ctx.actor(), number, &old, &new, &confirm)?;
            ctx.print(
                &serde_json::json!({"changed": true, "operator": number}),
                || format!("password of {number} changed"),
            );
            Ok(0)
        }
        Command::Auth { number } => {
            let pw = input.line("password", "the password")?;
            let svc = ctx.service()?;
            let outcome = svc.authenticate(&ctx.actor(), number, &pw)?;
            ctx.print(&outcome, || auth_line(&outcome));
            Ok(auth_exit_code(&outcome))
        }
        Command::Status => status(&ctx),
        Command::UnlockTerminal => {
            ctx.service()?.unlock_terminal(&ctx.actor())?;
            ctx.print(&serde_json::json!({"terminal_unlocked": true}), || {
                "terminal-wide lockout cleared".into()
            });
            Ok(0)
        }
        Command::State(StateCmd::Restore) => {
            let aside = ctx.service()?.restore_previous(&ctx.actor())?;
            ctx.print(
                &serde_json::json!({"restored": true, "set_aside": aside}),
                || match &aside {
                    Some(p) => format!(
                        "restored the previous good copy; the bad file was kept as {}",
                        p.display()
                    ),
                    None => "restored the previous good copy".into(),
                },
            );
            Ok(0)
        }
        Command::Recovery(cmd) => recovery(&ctx, cmd, &mut input),
        Command::Audit { since } => audit(&ctx, since.as_deref()),
        Command::Session(cmd) => session(&ctx, cmd),
        Command::CheckConfig { .. } | Command::Calibrate { .. } => unreachable!("handled above"),
    }
}

fn auth_line(o: &AuthOutcome) -> String {
    match o {
        AuthOutcome::Ok {
            id,
            name,
            role,
            expires_in_days,
        } => {
            let mut s = format!("ok: {id} {name} ({role})");
            if let Some(d) = expires_in_days {
                s.push_str(&format!("; password expires in {d} days"));
            }
            s
        }
        AuthOutcome::MustChange {
            id, name, reason, ..
        } => {
            let why = match reason {
                crate::core::MustChange::First => "it is a temporary first password",
                crate::core::MustChange::Reset => "it was reset by an admin",
                crate::core::MustChange::Expired => "it has expired",
            };
            format!(
                "ok, but {id} {name} must change the password first: {why} (tillctl passwd {id})"
            )
        }
        AuthOutcome::Wrong { penalty } => match penalty {
            Penalty::TriesLeft { tries_left: 1 } => {
                "wrong operator number or password: 1 try left before a wait".into()
            }
            Penalty::TriesLeft { tries_left } => {
                format!("wrong operator number or password: {tries_left} tries left before a wait")
            }
            Penalty::Wait { secs } => {
                format!("wrong operator number or password: locked for {secs} seconds")
            }
            Penalty::UntilAdmin => {
                "wrong operator number or password: now locked until an admin unlocks".into()
            }
            Penalty::Paused { secs } => format!(
                "wrong operator number or password: too many wrong attempts at this till, paused for {secs} seconds"
            ),
        },
        AuthOutcome::Locked { secs } => format!("locked: {secs} seconds remaining"),
        AuthOutcome::Paused { secs } => format!(
            "the till is paused after many wrong attempts: {secs} seconds remaining (tillctl unlock-terminal ends it)"
        ),
        AuthOutcome::LockedUntilAdmin => {
            "locked until an admin unlocks (tillctl operator unlock NN)".into()
        }
    }
}

fn operator(ctx: &Ctx, cmd: OperatorCmd, input: &mut SecretInput) -> Res {
    let actor = ctx.actor();
    match cmd {
        OperatorCmd::Add {
            number,
            name,
            role,
            password_stdin,
        } => {
            let given = if password_stdin {
                Some(input.new_password("first password")?)
            } else {
                None
            };
            if let Some((p, c)) = &given
                && p != c
            {
                return Err(Failure::new(
                    1,
                    "password refused: the two new passwords do not match",
                ));
            }
            let svc = ctx.service()?;
            let pw = svc.add_operator(&actor, number, &name, role, given.map(|(p, _)| p))?;
            if password_stdin {
                ctx.print(&serde_json::json!({"added": number, "role": role}), || {
                    format!("operator {number} ({name}, {role}) added; the password must be changed at first sign-in")
                });
            } else {
                ctx.print(
                    &serde_json::json!({"added": number, "role": role, "temporary_password": pw.expose()}),
                    || format!("operator {number} ({name}, {role}) added\ntemporary password: {}\n(shown once; it must be changed at first sign-in)", pw.expose()),
                );
            }
            Ok(0)
        }
        OperatorCmd::List => {
            let ops = ctx.service()?.operators()?;
            ctx.print(&ops, || {
                let mut s = format!(
                    "{:<3} {:<20} {:<9} {:<28} {}",
                    "NO", "NAME", "ROLE", "STATUS", "PASSWORD SET"
                );
                for o in &ops {
                    s.push_str(&format!(
                        "\n{:<3} {:<20} {:<9} {:<28} {}",
                        o.id,
                        o.name,
                        o.role,
                        o.status.message(Lang::En),
                        &o.password_set[..10.min(o.password_set.len())]
                    ));
                }
                s
            });
            Ok(0)
        }
        OperatorCmd::Show(Target { number }) => {
            let o = ctx.service()?.operator(number)?;
            ctx.print(&o, || {
                format!(
                    "number:       {}\nname:         {}\nrole:         {}\nenabled:      {}\nstatus:       {}\nfailures:     {}\npassword set: {}\nexpires in:   {}",
                    o.id,
                    o.name,
                    o.role,
                    if o.enabled { "yes" } else { "no" },
                    o.status.message(Lang::En),
                    o.failures,
                    o.password_set,
                    o.expires_in_days.map_or("never".into(), |d| format!("{d} days"))
                )
            });
            Ok(0)
        }
        OperatorCmd::Reset(Target { number }) => {
            let pw = ctx.service()?.reset_password(&actor, number)?;
            ctx.print(&serde_json::json!({"reset": number, "temporary_password": pw.expose()}), || {
                format!("password of {number} reset\ntemporary password: {}\n(shown once; it must be changed at next sign-in)", pw.expose())
            });
            Ok(0)
        }
        OperatorCmd::Unlock(Target { number }) => {
            ctx.service()?.unlock(&actor, number)?;
            ctx.print(&serde_json::json!({"unlocked": number}), || {
                format!("operator {number} unlocked")
            });
            Ok(0)
        }
        OperatorCmd::Disable(Target { number }) | OperatorCmd::Enable(Target { number }) => {
            let enable = matches!(cmd, OperatorCmd::Enable(_));
            ctx.service()?.set_enabled(&actor, number, enable)?;
            let word = if enable { "enabled" } else { "disabled" };
            ctx.print(&serde_json::json!({ word: number }), || {
                format!("operator {number} {word}")
            });
            Ok(0)
        }
        OperatorCmd::Remove(Target { number }) => {
            ctx.service()?.remove(&actor, number)?;
            ctx.print(&serde_json::json!({"removed": number}), || {
                format!("operator {number} removed")
            });
            Ok(0)
        }
    }
}

fn status(ctx: &Ctx) -> Res {
    let svc = ctx.service_for_status()?;
    let st = svc.status();
    #[derive(Serialize)]
    struct Out<'a> {
        #[serde(flatten)]
        status: &'a crate::service::Status,
        config: String,
        version: &'static str,
    }
    let out = Out {
        status: &st,
        config: ctx.loaded.source.to_string(),
        version: env!("CARGO_PKG_VERSION"),
    };
    ctx.print(&out, || {
        let fs = match &st.filesystem {
            Ok(p) if p.persistent => format!("{} (persistent)", p.fs_type),
            Ok(p) => format!(
                "{} (NOT PERSISTENT: lost at reboot{})",
                p.fs_type,
                if st.require_persistent_state { "; the kiosk refuses to run" } else { "" }
            ),
            Err(e) => format!("unknown ({e})"),
        };
        let health = match &st.health {
            Health::Fresh => "fresh: no operators yet (run tillctl init)".to_owned(),
            Health::Ok { operators, enabled_admins } => format!("ok, {operators} operators ({enabled_admins} enabled admins)"),
            Health::Error { error, remedy } => format!("UNREADABLE, sign-in refused: {error}\n                 fix: {remedy}"),
        };
        let locked = if st.locked.is_empty() {
            "none".to_owned()
        } else {
            st.locked
                .iter()
                .map(|o| format!("{} ({})", o.id, o.status.message(Lang::En)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let serial = st.serial.as_ref().map_or("unknown".into(), |(s, src)| format!("{s} (from {src})"));
        let key = match (&st.recovery_key_serial, &st.serial) {
            (None, _) => "not provisioned".to_owned(),
            (Some(k), Some((s, _))) if k == s => "provisioned".to_owned(),
            (Some(k), _) => format!("provisioned for another serial ({k}): provision again"),
        };
        format!(
            "state directory: {}\nfilesystem:      {fs}\nstate:           {health}\nlocked:          {locked}\nterminal lock:   {}\nterminal serial: {serial}\nrecovery key:    {key}\nblocklist:       {} entries\nconfig:          {}\nversion:         till-kiosk {}",
            st.state_dir.display(),
            st.terminal_locked_secs.map_or("none".into(), |s| format!("{s} seconds remaining")),
            st.blocklist_entries,
            ctx.loaded.source,
            env!("CARGO_PKG_VERSION"),
        )
    });
    Ok(match st.health {
        Health::Error { .. } => 3,
        _ => 0,
    })
}

impl Ctx {
    /// Like [`service`](Ctx::service) but never refuses: status reports problems.
    fn service_for_status(&self) -> Result<Service, Failure> {
        self.as_owner()?;
        let store = FileStore::new(&self.state_dir, self.loaded.config.rotation());
        Ok(Service::new(
            Arc::new(store),
            &self.loaded.config,
            Arc::new(SystemClock),
        ))
    }
}

fn read_master_key(path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| {
        Failure::new(
            2,
            format!("unable to read master key {}: {e}", path.display()),
        )
    })?;
    Ok(Zeroizing::new(bytes))
}

fn recovery(ctx: &Ctx, cmd: RecoveryCmd, input: &mut SecretInput) -> Res {
    let actor = ctx.actor();
    match cmd {
        RecoveryCmd::Provision { master_key } => {
            let master = read_master_key(&master_key)?;
            let serial = ctx.service()?.provision(&actor, &master)?;
            ctx.print(&serde_json::json!({"provisioned": true, "serial": serial}), || {
                format!("recovery key stored for terminal serial {serial}\nkeep the master key at the service desk; do not leave it on the till")
            });
            Ok(0)
        }
        RecoveryCmd::Challenge => {
            let svc = ctx.service()?;
            let c = svc.recovery_challenge(&actor)?;
            ctx.print(&serde_json::json!({"challenge": c.to_string(), "serial": c.serial, "nonce": c.nonce}), || {
                format!(
                    "challenge: {c}\n(serial {}, code {})\nread it to the service desk; their response is good once, for 24 hours",
                    c.serial,
                    c.nonce_grouped()
                )
            });
            Ok(0)
        }
        RecoveryCmd::Respond { .. } => unreachable!("handled before loading config"),
        RecoveryCmd::Redeem { operator } => {
            let code = input.line("response code", "the response code")?;
            let new = input.line("new admin password", "the new password")?;
            let confirm = input.line("new admin password again", "the new password again")?;
            ctx.service()?
                .recovery_redeem(&actor, operator, &code, &new, &confirm)?;
            ctx.print(&serde_json::json!({"redeemed": true, "operator": operator}), || {
                format!("recovery code accepted: the password of admin {operator} is set and the account unlocked")
            });
            Ok(0)
        }
    }
}

fn respond(master_key: &Path, challenge: &str, json: bool) -> Res {
    let master = read_master_key(master_key)?;
    let c: Challenge = challenge
        .parse()
        .map_err(|e: crate::core::recovery::RecoveryError| Failure::new(2, e.to_string()))?;
    let key = TillKey::derive(&master, &c.serial).map_err(|e| Failure::new(2, e.to_string()))?;
    let code = key.response(&c);
    if json {
        println!(
            "{}",
            serde_json::json!({"serial": c.serial, "response": code.expose()})
        );
    } else {
        println!(
            "response for terminal {}: {}",
            c.serial,
            group4(code.expose())
        );
    }
    Ok(0)
}

/// Parses `--since`: an RFC 3339 time, or an age like `24h`.
pub fn parse_since(s: &str, now: WallTime) -> Result<WallTime, String> {
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return Ok(WallTime::from_system(t));
    }
    match humantime::parse_duration(s) {
        Ok(d) => Ok(WallTime(
            now.0 - i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        )),
        Err(_) => Err(format!(
            "invalid --since {s:?}: give a time like 2026-11-28T09:00:00Z or an age like 24h"
        )),
    }
}

fn audit(ctx: &Ctx, since: Option<&str>) -> Res {
    let now = WallTime::from_system(std::time::SystemTime::now());
    let since = since
        .map(|s| parse_since(s, now))
        .transpose()
        .map_err(|e| Failure::new(2, e))?;
    let log = ctx.service()?.audit_log()?;
    let records: Vec<&AuditRecord> = log
        .records
        .iter()
        .filter(|r| since.is_none_or(|t| r.wall_ms >= t.0))
        .collect();
    if ctx.json {
        for r in &records {
            println!("{}", serde_json::to_string(r).expect("serialisable"));
        }
    } else {
        for r in &records {
            let ev = serde_json::to_value(r.event)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            let oc = serde_json::to_value(r.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            println!(
                "{}  {:<18} {:<8} {:<24} {:<4} {}",
                r.time,
                ev,
                oc,
                r.actor.to_string(),
                r.subject.as_deref().unwrap_or("-"),
                r.detail
                    .as_ref()
                    .map(|d| d.message(Lang::En))
                    .unwrap_or_default()
            );
        }
    }
    if log.skipped_lines > 0 {
        eprintln!(
            "warning: {} unreadable audit line(s) skipped (a torn write after a power cut?)",
            log.skipped_lines
        );
    }
    Ok(0)
}

fn session(ctx: &Ctx, cmd: SessionCmd) -> Res {
    use crate::session::client::Client;
    let socket = match &cmd {
        SessionCmd::Watch { socket }
        | SessionCmd::Whoami { socket }
        | SessionCmd::SignOut { socket }
        | SessionCmd::Approve { socket, .. } => socket.clone(),
    };
    let path = socket
        .or_else(|| ctx.loaded.config.session_api.socket.clone())
        .unwrap_or_else(|| PathBuf::from("/run/till-kiosk/session.sock"));
    let mut client = Client::connect(&path).map_err(|e| {
        Failure::new(
            3,
            format!("unable to connect to the kiosk at {}: {e}", path.display()),
        )
        .hint("is till-kiosk running, with session_api.socket set, and may this user use it?")
    })?;
    let fail = |e: std::io::Error| Failure::new(3, format!("the kiosk at {}: {e}", path.display()));
    // One request and its successful reply; a refusal is exit status 1.
    let mut ask = |op: &str, fields: serde_json::Value| {
        let v = client.request(op, fields).map_err(fail)?;
        if v["ok"] != true {
            return Err(Failure::new(
                1,
                format!(
                    "the kiosk refused: {}",
                    v["message"]
                        .as_str()
                        .unwrap_or_else(|| v["error"].as_str().unwrap_or("?"))
                ),
            ));
        }
        Ok(v)
    };
    match cmd {
        SessionCmd::Whoami { .. } => {
            let v = ask("whoami", serde_json::json!({}))?;
            let s = &v["session"];
            ctx.print(s, || {
                if s.is_null() {
                    "nobody is signed in".into()
                } else {
                    format!(
                        "{} {} ({}) since {}",
                        s["operator"].as_str().unwrap_or(""),
                        s["name"].as_str().unwrap_or(""),
                        s["role"].as_str().unwrap_or(""),
                        s["since"].as_str().unwrap_or("")
                    )
                }
            });
            Ok(0)
        }
        SessionCmd::SignOut { .. } => {
            let v = ask("sign_out", serde_json::json!({}))?;
            ctx.print(&v, || match v["signed_out"].as_str() {
                Some(id) => format!("signed out {id}"),
                None => "nobody was signed in".into(),
            });
            Ok(0)
        }
        SessionCmd::Watch { .. } => {
            ask("subscribe", serde_json::json!({}))?;
            eprintln!("watching {} (Ctrl+C to stop)", path.display());
            while let Some(ev) = client.next_message().map_err(fail)? {
                if ctx.json {
                    println!("{ev}");
                } else {
                    let mut words = vec![
                        ev["time"].as_str().unwrap_or("").to_owned(),
                        ev["event"].as_str().unwrap_or("?").to_owned(),
                    ];
                    if let Some(o) = ev.as_object() {
                        for (k, val) in o {
                            if !["v", "time", "event"].contains(&k.as_str()) {
                                words.push(format!(
                                    "{k}={}",
                                    val.as_str().map_or_else(|| val.to_string(), str::to_owned)
                                ));
                            }
                        }
                    }
                    println!("{}", words.join("  "));
                }
                let _ = std::io::stdout().flush();
            }
            Ok(0)
        }
        SessionCmd::Approve {
            action,
            amount,
            reason,
            timeout,
            ..
        } => {
            let v = ask(
                "approve",
                serde_json::json!({"action": action, "amount": amount, "reason": reason, "timeout_s": timeout}),
            )?;
            let result = v["result"].as_str().unwrap_or("").to_owned();
            ctx.print(&v, || match result.as_str() {
                "approved" => format!(
                    "approved by {} {}",
                    v["by"]["operator"].as_str().unwrap_or(""),
                    v["by"]["name"].as_str().unwrap_or("")
                ),
                other => other.to_owned(),
            });
            Ok(match result.as_str() {
                "approved" => 0,
                "denied" => 20,
                "cancelled" => 21,
                _ => 22,
            })
        }
    }
}

fn check_config(file: &Path, json: bool) -> Res {
    let cfg: Config = config::read_config(file)?;
    if json {
        println!("{}", serde_json::json!({"ok": true, "file": file}));
    } else {
        println!("{}: ok", file.display());
        if cfg.require_persistent_state {
            println!(
                "state directory: {} (must be persistent)",
                cfg.state_dir
                    .as_deref()
                    .unwrap_or(Path::new(config::DEFAULT_STATE_DIR))
                    .display()
            );
        }
    }
    Ok(0)
}

fn time_hash(p: HashParams) -> Result<Duration, Failure> {
    let pw = Secret::from("calibration only");
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        p.hash(&pw).map_err(|e| Failure::new(1, e.to_string()))?;
        best = best.min(t.elapsed());
    }
    Ok(best)
}

fn calibrate(target_ms: u64) -> Res {
    if target_ms == 0 || target_ms > 60_000 {
        return Err(Failure::new(2, "--target-ms must be between 1 and 60000"));
    }
    let target = Duration::from_millis(target_ms);
    let floor_time = time_hash(FLOOR)?;
    // Memory first (it is what makes GPU and ASIC guessing expensive), up to
    // 256 MiB so a Pi keeps room for the UI; then passes.
    const MAX_KIB: u32 = 256 * 1024;
    let mut p = FLOOR;
    if floor_time < target {
        let scale = target.as_secs_f64() / floor_time.as_secs_f64();
        let mem = (f64::from(FLOOR.memory_kib) * scale).min(f64::from(MAX_KIB));
        p.memory_kib = ((mem as u32) / 1024 * 1024).max(FLOOR.memory_kib);
        let t_mem = time_hash(p)?;
        if t_mem < target && p.memory_kib >= MAX_KIB {
            let passes = (target.as_secs_f64() / t_mem.as_secs_f64() * f64::from(p.iterations))
                .floor() as u32;
            p.iterations = passes.clamp(FLOOR.iterations, 64);
        }
    }
    let p = HashParams::new(p.memory_kib, p.iterations, p.parallelism)
        .map_err(|e| Failure::new(1, e))?;
    let measured = time_hash(p)?;
    let note = if floor_time >= target {
        format!(
            "# the OWASP floor already takes {} ms here (target {target_ms} ms): use the floor",
            floor_time.as_millis()
        )
    } else {
        format!(
            "# measured here: one hash takes {} ms (target {target_ms} ms)",
            measured.as_millis()
        )
    };
    println!(
        "{note}\nhashing:\n  memory_kib: {}\n  iterations: {}\n  parallelism: {}",
        p.memory_kib, p.iterations, p.parallelism
    );
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_times_and_ages() {
        let now = WallTime(10 * 3_600_000);
        assert_eq!(parse_since("1h", now), Ok(WallTime(9 * 3_600_000)));
        assert_eq!(
            parse_since("1970-01-01T01:00:00Z", now),
            Ok(WallTime(3_600_000))
        );
        assert!(parse_since("yesterday", now).is_err());
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        use crate::core::lockout::Penalty;
        assert_eq!(
            auth_exit_code(&AuthOutcome::Wrong {
                penalty: Penalty::TriesLeft { tries_left: 2 }
            }),
            10
        );
        assert_eq!(auth_exit_code(&AuthOutcome::Locked { secs: 5 }), 11);
        assert_eq!(auth_exit_code(&AuthOutcome::LockedUntilAdmin), 12);
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
