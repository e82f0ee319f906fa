//! A crash or a watchdog abort must not write PINs into a core file: both
//! binaries mark themselves not dumpable and set their core limit to 0,
//! and the unit sets `LimitCORE=0`.
mod common;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The "Max core file size" soft and hard limits of a running process.
fn core_limit(pid: u32) -> String {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap()
        .split_whitespace()
        .skip(4)
        .take(2)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_process_itself_is_not_dumpable_after_the_call() {
    till_kiosk::sys::no_core_dumps().unwrap();
    assert!(!nix::sys::prctl::get_dumpable().unwrap());
    assert_eq!(core_limit(std::process::id()), "0 0");
}

#[test]
fn tillctl_waiting_for_a_password_has_no_core_limit() {
    let till = Till::new();
    till.set_up();
    let mut child = Command::new(tillctl_path())
        .arg("--state-dir")
        .arg(till.path())
        .args(["auth", "01"])
        .env_remove("TILL_KIOSK_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // It is blocked reading the password: check it now.
    let pid = child.id();
    common::headless::wait_until(
        Duration::from_secs(10),
        || core_limit(pid) == "0 0",
        || format!("tillctl's core limit: {}", core_limit(pid)),
    );
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(format!("{CASHIER_PW}\n").as_bytes())
        .unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[cfg(feature = "ui")]
#[test]
fn the_kiosk_has_no_core_limit() {
    let k = common::headless::start("", &[]);
    assert_eq!(core_limit(k.child.id()), "0 0");
}

#[test]
fn the_unit_sets_no_core_dumps() {
    let unit = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("systemd/till-kiosk.service"),
    )
    .unwrap();
    assert!(unit.lines().any(|l| l.trim() == "LimitCORE=0"), "{unit}");
}
