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

use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use till_kiosk::config::{self, Config, ConfigError, Loaded};
use till_kiosk::core::hashing::{FLOOR, HashParams};
use till_kiosk::core::recovery::{Challenge, TillKey, group4};
use till_kiosk::core::{
    Actor, AuditRecord, AuthOutcome, Lang, Localized, OperatorId, Role, Secret, TillError, WallTime,
};
use till_kiosk::service::{Health, Service, ServiceError, Setup};
use till_kiosk::store::{FileStore, StoreError};
use till_kiosk::sys::{self, Persistence, SystemClock};
use zeroize::Zeroizing;

mod audit;
mod bundle;
mod ctx;
mod operator;
mod recovery;
mod session;
mod setup;
mod status;

use audit::*;
use bundle::*;
use ctx::*;
use operator::*;
use recovery::*;
use session::*;
use setup::*;
use status::*;

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
    /// Operator bundles: one signed operator list for many tills
    #[command(subcommand)]
    Bundle(BundleCmd),
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
    /// Enrol a badge (stdin: the card's data, as a reader types it), or remove it
    Badge {
        /// Operator number (two digits)
        #[arg(value_parser = parse_id)]
        number: OperatorId,
        /// Remove the operator's badge instead
        #[arg(long)]
        remove: bool,
    },
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

/// `tillctl bundle ...`
#[derive(Subcommand, Debug)]
pub enum BundleCmd {
    /// Make a signing key: NAME.key (secret, mode 0600) and NAME.pub
    Keygen {
        /// NAME: the files are NAME.key and NAME.pub (neither may exist)
        #[arg(long, value_name = "NAME")]
        out: PathBuf,
    },
    /// Print this till's operators, policy and terminal names as a signed bundle
    Export {
        /// The signing key (NAME.key)
        #[arg(long, value_name = "FILE")]
        sign: PathBuf,
        /// The bundle's version (default: now, in seconds since 1970); each export must be newer
        #[arg(long, value_name = "N")]
        version: Option<u64>,
        /// Name a terminal by its serial number (repeatable)
        #[arg(long, value_name = "SERIAL=NAME")]
        terminal: Vec<String>,
        /// The group of tills it is for (their bundle.scope, e.g. shop-3)
        #[arg(long, value_name = "SCOPE")]
        scope: Option<String>,
        /// A till it is for, by serial (repeatable)
        #[arg(long, value_name = "SERIAL")]
        serial: Vec<String>,
    },
    /// Verify a bundle and apply it to this till
    Import {
        /// The key it must be signed with (NAME.pub)
        #[arg(long, value_name = "FILE")]
        verify: PathBuf,
        /// The bundle file
        bundle: PathBuf,
    },
}

/// Runs `tillctl` with the process's arguments.
fn main() -> ExitCode {
    let cli: Cli = match till_kiosk::parse_args() {
        Ok(c) => c,
        Err(code) => return code,
    };
    till_kiosk::logging::init("warn");
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
///
/// Long on purpose: one arm per top-level command: the dispatch table of the contract in the README.
pub fn run(cli: Cli) -> Res {
    // Commands that need no state or config of this till.
    match &cli.command {
        Command::CheckConfig { file } => return check_config(file, cli.json),
        Command::Calibrate { target_ms } => return calibrate(*target_ms),
        Command::Bundle(BundleCmd::Keygen { out }) => return keygen(out, cli.json),
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
        Command::Bundle(cmd) => bundle(&ctx, &cmd),
        Command::CheckConfig { .. } | Command::Calibrate { .. } => unreachable!("handled above"),
    }
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
        use till_kiosk::core::lockout::Penalty;
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
