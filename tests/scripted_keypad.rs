//! The real `till-kiosk` binary, headless, driven through the scripted
//! mock keypad socket: a whole sign-in, a lockout, the service chord,
//! systemd notifications and a clean SIGTERM.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kiosk {
    child: Child,
    dir: tempfile::TempDir,
    conn: BufReader<UnixStream>,
}

fn tillctl(config: &Path, state: &Path, args: &[&str], stdin: &str) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tillctl"))
        .arg("--config")
        .arg(config)
        .arg("--state-dir")
        .arg(state)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    assert!(c.wait().unwrap().success(), "tillctl {args:?}");
}

/// Waits (bounded) for a file to appear: the child process is starting.
fn wait_for_path(p: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !p.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", p.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn start(extra_env: &[(&str, String)]) -> Kiosk {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    let sock = dir.path().join("keys.sock");
    std::fs::write(
        &config,
        format!("kiosk:\n  script_socket: {}\n", sock.display()),
    )
    .unwrap();
    let state = dir.path().join("state");
    tillctl(
        &config,
        &state,
        &["init", "--name", "Wang Fang"],
        "58273946\n",
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
        "30946817\n61839274\n61839274\n",
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_till-kiosk"));
    cmd.args(["--headless", "--config"])
        .arg(&config)
        .arg("--state-dir")
        .arg(&state);
    cmd.env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env("RUST_LOG", "warn");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_path(&sock);
    let conn = BufReader::new(UnixStream::connect(&sock).unwrap());
    conn.get_ref()
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    Kiosk { child, dir, conn }
}

impl Kiosk {
    fn send(&mut self, line: &str) -> String {
        writeln!(self.conn.get_mut(), "{line}").unwrap();
        let mut reply = String::new();
        self.conn.read_line(&mut reply).unwrap();
        reply.trim().to_owned()
    }

    fn state(&mut self) -> serde_json::Value {
        serde_json::from_str(&self.send("STATE?")).unwrap()
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("state/audit.log")).unwrap_or_default()
    }

    fn stop(mut self) -> std::process::ExitStatus {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGTERM,
        )
        .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "no exit within 10 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

#[test]
fn a_whole_sign_in_through_the_scripted_keypad_and_a_clean_sigterm() {
    let mut k = start(&[]);
    assert_eq!(k.state()["screen"], "sign-in");
    assert_eq!(k.send("0 1 6 1 8 3 9 2 7 4 ENTER"), "ok");
    let s = k.state();
    assert_eq!(s["screen"], "home", "{s}");
    assert_eq!(s["who"], "01 Li Wei");
    assert!(k.send("LAUNCH").starts_with("error: unknown key"));
    assert_eq!(k.send("CANCEL"), "ok", "the connection survives bad input");
    let status = k.stop();
    assert_eq!(status.code(), Some(0), "SIGTERM exits 0");
}

#[test]
fn a_lockout_through_the_scripted_keypad() {
    let mut k = start(&[]);
    for left in [4, 3, 2, 1] {
        k.send("CANCEL 0 1 1 1 2 2 3 3 4 4 ENTER");
        let m = k.state()["message"].as_str().unwrap().to_owned();
        assert!(m.contains(&format!("{left} tr")), "{m}");
    }
    k.send("CANCEL 0 1 1 1 2 2 3 3 4 4 ENTER");
    let m = k.state()["message"].as_str().unwrap().to_owned();
    assert!(m.contains("Try again in 1:00"), "{m}");
    // The right password cannot even be entered while the wait runs.
    k.send("0 1 6 1 8 3 9 2 7 4 ENTER");
    let s = k.state();
    assert_eq!(s["screen"], "sign-in");
    assert!(
        s["message"].as_str().unwrap().contains("Try again in"),
        "{s}"
    );
    assert!(
        k.audit().contains("locked for 60 s"),
        "the failure that started the wait is audited"
    );
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn holding_f1_and_0_opens_the_service_screen() {
    let mut k = start(&[]);
    assert_eq!(k.send("HOLD F1+0 2500ms"), "ok");
    assert_eq!(k.state()["screen"], "recovery");
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn systemd_hears_ready_after_the_first_frame_and_watchdog_pings() {
    let dir = tempfile::tempdir().unwrap();
    let notify: PathBuf = dir.path().join("notify.sock");
    let listener = UnixDatagram::bind(&notify).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let k = start(&[
        ("NOTIFY_SOCKET", notify.display().to_string()),
        ("WATCHDOG_USEC", "400000".into()),
    ]);
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !(got.iter().any(|m: &String| m.contains("READY=1"))
        && got.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 2)
    {
        let n = listener.recv(&mut buf).expect("a notification within 20 s");
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(got[0].contains("READY=1"), "READY comes first: {got:?}");
    assert_eq!(k.stop().code(), Some(0));
    let mut stopping = false;
    listener
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    while let Ok(n) = listener.recv(&mut buf) {
        stopping |= String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1");
    }
    assert!(stopping, "STOPPING=1 on SIGTERM");
}
