//! The real `till-kiosk` binary, headless, with the scripted keypad and
//! (optionally) the session API on sockets in a temp dir. The till has
//! admin 00 Wang Fang (58273946) and cashier 01 Li Wei (61839274).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ADMIN_PIN: &str = "58273946";
pub const CASHIER_PIN: &str = "61839274";

pub struct Kiosk {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub keys: BufReader<UnixStream>,
}

/// `tillctl --config CONFIG --state-dir STATE ARGS`, which must succeed.
fn tillctl(config: &Path, state: &Path, args: &[&str], stdin: &str) {
    let config = config.to_str().unwrap();
    let args: Vec<&str> = ["--config", config].iter().chain(args).copied().collect();
    let out = super::tillctl(state, &args, stdin);
    assert!(
        out.status.success(),
        "tillctl {args:?}: {}",
        super::text(&out)
    );
}

/// Polls `done` every 20 ms until it holds; after `limit` the test fails
/// with `why()`. How every test here waits for the other process.
pub fn wait_until(limit: Duration, mut done: impl FnMut() -> bool, why: impl Fn() -> String) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{}", why());
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits (bounded) for a file to appear: the child process is starting.
pub fn wait_for_path(p: &Path) {
    wait_until(
        Duration::from_secs(30),
        || p.exists(),
        || format!("{} never appeared", p.display()),
    );
}

/// "6183" -> "6 1 8 3": key names for the scripted keypad.
pub fn spaced(digits: &str) -> String {
    digits
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A kiosk with the session API at `<dir>/session.sock` (and `extra` in
/// its `session_api:` section), once the socket is there.
pub fn start_with_api(extra: &str) -> (Kiosk, PathBuf) {
    // The socket lives in the kiosk's temp dir; its path is only known
    // once the dir exists, so the config names it relative to the dir.
    let k = start_with(
        |dir| {
            format!(
                "session_api:\n  socket: {}\n{extra}",
                dir.join("session.sock").display()
            )
        },
        &[],
    );
    let sock = k.path("session.sock");
    wait_for_path(&sock);
    (k, sock)
}

/// Starts a kiosk; `extra_yaml` is appended to its config.
pub fn start(extra_yaml: &str, env: &[(&str, String)]) -> Kiosk {
    start_with(|_| extra_yaml.to_owned(), env)
}

/// Starts a kiosk; `extra_yaml(dir)` is appended to its config (for paths
/// inside the kiosk's temp dir).
pub fn start_with(extra_yaml: impl FnOnce(&Path) -> String, env: &[(&str, String)]) -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    let keys = dir.path().join("keys.sock");
    let extra = extra_yaml(dir.path());
    std::fs::write(
        &config,
        format!("kiosk:\n  script_socket: {}\n{extra}", keys.display()),
    )
    .unwrap();
    let state = dir.path().join("state");
    tillctl(
        &config,
        &state,
        &["init", "--name", "Wang Fang"],
        &format!("{ADMIN_PIN}\n"),
    );
    tillctl(
        &config,
        &state,
        &[
            "operator",
            "add",
            "01",
            "--name",
            "Li Wei",
            "--password-stdin",
        ],
        "30946817\n",
    );
    tillctl(
        &config,
        &state,
        &["passwd", "01"],
        &format!("30946817\n{CASHIER_PIN}\n{CASHIER_PIN}\n"),
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_till-kiosk"));
    cmd.args(["--headless", "--config"])
        .arg(&config)
        .arg("--state-dir")
        .arg(&state);
    cmd.env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env("RUST_LOG", "warn");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_path(&keys);
    let conn = BufReader::new(UnixStream::connect(&keys).unwrap());
    conn.get_ref()
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    Kiosk {
        child,
        dir,
        keys: conn,
    }
}

impl Kiosk {
    /// A line to the scripted keypad; its reply.
    pub fn send(&mut self, line: &str) -> String {
        writeln!(self.keys.get_mut(), "{line}").unwrap();
        let mut reply = String::new();
        self.keys.read_line(&mut reply).unwrap();
        reply.trim().to_owned()
    }

    pub fn state(&mut self) -> serde_json::Value {
        serde_json::from_str(&self.send("STATE?")).unwrap()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn audit(&self) -> String {
        std::fs::read_to_string(self.path("state/audit.log")).unwrap_or_default()
    }

    /// Waits (at most 10 s) until the audit log contains `needle`.
    pub fn wait_for_audit(&self, needle: &str) {
        wait_until(
            Duration::from_secs(10),
            || self.audit().contains(needle),
            || format!("no {needle:?} in the audit log:\n{}", self.audit()),
        );
    }

    /// SIGTERM, and the exit status (within 10 s).
    pub fn stop(mut self) -> std::process::ExitStatus {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let mut status = None;
        wait_until(
            Duration::from_secs(10),
            || {
                status = self.child.try_wait().unwrap();
                status.is_some()
            },
            || "no exit within 10 s of SIGTERM".to_owned(),
        );
        status.unwrap()
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
