//! The session API allows a program by its supplementary groups as the
//! kernel recorded them on the socket (`SO_PEERGROUPS`), not by reading
//! `/proc/<pid>/status`: under the unit's `ProtectProc=invisible` the kiosk
//! cannot see other users' processes, and by the time it looks the peer
//! may have exited (or its pid be another process's).
mod common;
use common::*;
use std::io::Read;
use std::os::unix::net::UnixListener;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

#[test]
fn groups_are_known_after_the_peer_is_gone() {
    if !can_run(
        is_root(),
        "giving a child other supplementary groups needs root",
    ) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("api.sock");
    let listener = UnixListener::bind(&path).unwrap();
    // A client in groups 4242 and 4343 (not ours) that connects and waits.
    let mut child = Command::new(tillctl_path());
    child
        .args(["session", "whoami", "--socket"])
        .arg(&path)
        .env_remove("TILL_KIOSK_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // SAFETY: setgroups is async-signal-safe; nothing else runs here.
    unsafe {
        child.pre_exec(|| {
            nix::unistd::setgroups(&[
                nix::unistd::Gid::from_raw(4242),
                nix::unistd::Gid::from_raw(4343),
            ])
            .map_err(std::io::Error::from)
        });
    }
    let mut child = child.spawn().unwrap();
    let (mut conn, _) = listener.accept().unwrap();
    // Its request arrived; now it goes away before anyone looks at it.
    let mut first = [0u8; 1];
    conn.read_exact(&mut first).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!std::path::Path::new(&format!("/proc/{}", child.id())).exists());
    match till_kiosk::sys::peer_groups(&conn) {
        Ok(groups) => assert!(
            groups.contains(&4242) && groups.contains(&4343),
            "{groups:?}"
        ),
        // qemu-user (CI's arm64 run) hands SO_PEERGROUPS a 4-byte buffer
        // whatever we pass, so the kernel says ERANGE for a peer in two
        // groups: then the groups are unknown, and the server counts them
        // as none (a refusal, never a guess). A real kernel never does.
        Err(e) if emulated() => {
            assert_eq!(e.raw_os_error(), Some(nix::libc::ERANGE), "{e}");
            eprintln!("under qemu-user: {e}; the session API falls back to no groups");
        }
        Err(e) => panic!("{e}"),
    }
}

/// Whether this arm64 test runs under qemu-user on another machine (its
/// /proc/cpuinfo is the host's).
fn emulated() -> bool {
    cfg!(target_arch = "aarch64")
        && std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|c| {
            c.contains("vendor_id") || c.contains("GenuineIntel") || c.contains("AuthenticAMD")
        })
}

#[test]
fn our_own_groups_through_a_socket_pair() {
    let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    let mut mine: Vec<u32> = nix::unistd::getgroups()
        .unwrap()
        .into_iter()
        .map(|g| g.as_raw())
        .collect();
    let mut seen = till_kiosk::sys::peer_groups(&a).unwrap();
    mine.sort_unstable();
    seen.sort_unstable();
    assert_eq!(seen, mine);
}
