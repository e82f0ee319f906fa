//! What every command shares: the context (config, state directory, who
//! runs it), failures with their exit codes, and secrets read from stdin.

use super::*;

pub(crate) fn parse_id(s: &str) -> Result<OperatorId, String> {
    s.parse()
        .map_err(|e: till_kiosk::core::operator::BadOperatorId| e.to_string())
}

/// A failure with its exit code; the message is one lowercase line.
#[derive(Debug)]
pub struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

impl Failure {
    pub(crate) fn new(code: u8, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hint: None,
        }
    }
    pub(crate) fn hint(mut self, h: impl Into<String>) -> Self {
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

pub(crate) fn auth_failure(o: &AuthOutcome) -> Failure {
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

pub(crate) type Res = Result<u8, Failure>;

/// Reads secrets from stdin: one per line, or prompted without echo on a
/// terminal. Standard input is read byte by byte from its file descriptor,
/// not through std's buffered `Stdin`, so no copy of a password stays in a
/// buffer for the life of the process.
pub(crate) struct SecretInput {
    tty: bool,
    stdin: std::mem::ManuallyDrop<std::fs::File>,
}

/// The longest line taken as a secret.
pub(crate) const MAX_SECRET_LINE: usize = 1024;

impl SecretInput {
    pub(crate) fn new() -> Self {
        use std::os::fd::FromRawFd;
        SecretInput {
            tty: std::io::stdin().is_terminal(),
            // SAFETY: fd 0 stays open for the life of the process, and
            // ManuallyDrop never closes it.
            stdin: std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(0) }),
        }
    }

    pub(crate) fn line(&mut self, prompt: &str, what: &str) -> Result<Secret, Failure> {
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
    pub(crate) fn new_password(&mut self, what: &str) -> Result<(Secret, Secret), Failure> {
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
pub(crate) struct EchoOff {
    saved: nix::sys::termios::Termios,
}

impl EchoOff {
    pub(crate) fn new() -> Option<EchoOff> {
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

pub(crate) struct Ctx {
    pub(crate) json: bool,
    pub(crate) loaded: Loaded,
    pub(crate) state_dir: PathBuf,
    /// Who ran tillctl (recorded in the audit log even after root has
    /// switched to the state directory's owner).
    pub(crate) invoker: (u32, String),
}

impl Ctx {
    pub(crate) fn actor(&self) -> Actor {
        let (uid, user) = self.invoker.clone();
        Actor::Cli { uid, user }
    }

    /// Acts as the state directory's owner from here on (see
    /// [`sys::act_as_owner_of`]): root switches; anyone else is refused
    /// with the user to run as.
    pub(crate) fn as_owner(&self) -> Result<(), Failure> {
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
    pub(crate) fn service(&self) -> Result<Service, Failure> {
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

    pub(crate) fn print<T: Serialize>(&self, value: &T, human: impl FnOnce() -> String) {
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

pub(crate) fn volatile_warning(dir: &Path, p: &Persistence) -> String {
    format!(
        "warning: state directory {} is on {} and will be lost at reboot: lockouts, passwords and the audit log would vanish. Mount the persistent partition there.",
        dir.display(),
        p.fs_type
    )
}
