//! Shared set-up for the integration tests: a real file store in a temp
//! dir, a fake clock, and helpers to run the real `tillctl` binary.
#![allow(dead_code)]

pub mod headless;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use till_kiosk::config::{Config, parse_config};
use till_kiosk::core::{Actor, FakeClock, OperatorId, Role, Secret};
use till_kiosk::service::{Service, Setup};
use till_kiosk::store::FileStore;

pub const ADMIN_PW: &str = "7Rq2m9xKp!";
pub const CASHIER_PW: &str = "30946817";

pub fn id(n: u8) -> OperatorId {
    OperatorId::new(n).unwrap()
}

pub fn s(text: &str) -> Secret {
    Secret::from(text)
}

pub fn cli_actor() -> Actor {
    Actor::Cli {
        uid: 0,
        user: "test".into(),
    }
}

/// A till on disk with a fake clock.
pub struct Till {
    pub dir: tempfile::TempDir,
    pub clock: Arc<FakeClock>,
    pub config: Config,
}

impl Till {
    pub fn new() -> Till {
        Till::with_config("")
    }

    pub fn with_config(yaml: &str) -> Till {
        Till {
            dir: tempfile::tempdir().unwrap(),
            clock: Arc::new(FakeClock::at_default()),
            config: parse_config(Path::new("test.yaml"), yaml).unwrap(),
        }
    }

    /// A service as a freshly started process would build it.
    pub fn service(&self) -> Service {
        let store = FileStore::new(self.dir.path(), self.config.rotation());
        Service::new(Arc::new(store), &self.config, self.clock.clone()).with_serial_probe(Arc::new(
            || {
                Some((
                    "10000000a1b2c3d4".into(),
                    till_kiosk::sys::SerialSource::Cpuinfo,
                ))
            },
        ))
    }

    /// Admin 00 and cashier 01 (whose first password is already changed).
    pub fn set_up(&self) -> Service {
        let svc = self.service();
        let pw = s(ADMIN_PW);
        let setup = Setup {
            admin: id(0),
            name: "Wang Fang",
            terminal_name: Some("Till 1"),
            password: &pw,
            confirm: &pw,
        };
        svc.init(&cli_actor(), &setup, false).unwrap();
        svc.add_operator(
            &cli_actor(),
            id(1),
            "Li Wei",
            Role::Operator,
            Some(s("58271946")),
        )
        .unwrap();
        svc.change_password(
            &cli_actor(),
            id(1),
            &s("58271946"),
            &s(CASHIER_PW),
            &s(CASHIER_PW),
        )
        .unwrap();
        svc
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

pub fn tillctl_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tillctl"))
}

/// Runs `tillctl --state-dir DIR ARGS` with `stdin`.
pub fn tillctl(dir: &Path, args: &[&str], stdin: &str) -> Output {
    tillctl_with(dir, args, stdin, &[])
}

pub fn tillctl_with(dir: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(tillctl_path());
    cmd.arg("--state-dir").arg(dir).args(args);
    cmd.env_remove("TILL_KIOSK_CONFIG")
        .env_remove("TILL_KIOSK_FAKE_CLOCK");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // tillctl may exit before reading its input (a bad config stops it with
    // exit 2 first); then the write sees EPIPE, which is not the test's
    // business: its exit code and output are.
    let written = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing tillctl's stdin: {e}"
        );
    }
    child.wait_with_output().unwrap()
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Whether a test may go on without something it needs. Prints why not
/// and returns false, so the test can return early; with
/// `TILL_REQUIRE_ALL=1` (CI) a skip is a failure instead: a green CI run
/// means every test really ran.
pub fn can_run(needed: bool, why_not: &str) -> bool {
    if needed {
        return true;
    }
    if std::env::var_os("TILL_REQUIRE_ALL").is_some_and(|v| v == "1") {
        panic!("TILL_REQUIRE_ALL=1 and this test would be skipped: {why_not}");
    }
    eprintln!("skipped: {why_not}");
    false
}

/// Whether this process is root (some tests act as other users).
pub fn is_root() -> bool {
    nix::unistd::Uid::effective().is_root()
}
