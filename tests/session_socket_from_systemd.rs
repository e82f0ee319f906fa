//! Under its unit the kiosk may not give the session socket its group
//! (`chown` is a privileged call its sandbox forbids), so systemd creates
//! the socket (`till-kiosk.socket`) and passes it in. The kiosk must serve
//! the socket it was given, not bind a new one: here
//! `systemd-socket-activate` plays systemd's part.
mod common;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn the_kiosk_serves_the_socket_systemd_passes_in() {
    let tool = "systemd-socket-activate";
    let available = Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !common::can_run(available, "systemd-socket-activate is not installed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("session.sock");
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!("session_api:\n  socket: {}\n", sock.display()),
    )
    .unwrap();
    let state = dir.path().join("state");
    let mut child = Command::new(tool)
        .arg("--listen")
        .arg(&sock)
        .arg(env!("CARGO_BIN_EXE_till-kiosk"))
        .args(["--headless", "--config"])
        .arg(&config)
        .arg("--state-dir")
        .arg(&state)
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    common::headless::wait_for_path(&sock);
    let inode = std::fs::metadata(&sock).unwrap().ino();
    // The first connection starts the kiosk, which answers on it.
    let s = UnixStream::connect(&sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut c = BufReader::new(s);
    writeln!(c.get_mut(), r#"{{"v":1,"id":1,"op":"ping"}}"#).unwrap();
    let mut line = String::new();
    c.read_line(&mut line).unwrap();
    assert!(line.contains("\"pong\":true"), "{line:?}");
    // The same socket, not one bound and renamed into place by the kiosk.
    assert_eq!(std::fs::metadata(&sock).unwrap().ino(), inode);
    let mut c2 = UnixStream::connect(&sock).unwrap();
    writeln!(c2, r#"{{"v":1,"id":2,"op":"whoami"}}"#).unwrap();
    let mut line = String::new();
    BufReader::new(c2).read_line(&mut line).unwrap();
    assert!(line.contains("\"session\":null"), "{line:?}");
    let _ = child.kill();
    let _ = child.wait();
}
