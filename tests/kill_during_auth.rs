//! `tillctl auth` killed with SIGKILL at random moments, hundreds of times:
//! the state always loads, and the failure count never goes backwards nor
//! misses a failure that was reported. The admin number is guessed at (its
//! waits never lock it for good) on a simulated clock that moves a day and
//! an hour between runs, so every run may really try: the config floors
//! rightly forbid a schedule without waits.
mod common;
use common::*;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use till_kiosk::core::Clock;
use till_kiosk::store::{Backend, FileStore};

/// Failures of operator 01 as stored right now; panics if the state does not load.
fn failures(dir: &std::path::Path) -> u32 {
    let store = FileStore::open(dir, Default::default()).unwrap();
    let mut txn = store.lock().unwrap();
    let state = txn
        .load()
        .expect("state must always load")
        .expect("state exists");
    state.lockouts.get(&id(0)).map_or(0, |c| c.failures)
}

/// A small xorshift: random kill moments without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Writes the simulated clock `hours` of powered-on time after the test
/// till's start (the wall clock stands still: no password expires).
fn clock_at(file: &std::path::Path, till: &Till, hours: u64) {
    let boot = till.clock.boot();
    std::fs::write(
        file,
        format!(
            "boot_id={}\nsince_boot_ms={}\nwall_ms={}\n",
            boot.boot_id,
            boot.since_boot_ms + hours * 3_600_000,
            till.clock.wall().0
        ),
    )
    .unwrap();
}

#[test]
fn sigkill_at_random_moments_never_loses_a_failure() {
    let runs: u32 = std::env::var("TILL_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let till = Till::new();
    till.set_up();
    let elsewhere = tempfile::tempdir().unwrap();
    let clock = elsewhere.path().join("clock");
    let env = [("TILL_KIOSK_FAKE_CLOCK", clock.to_str().unwrap())];
    let mut hours = 0;

    // How long one run takes, to spread the kills over all of it.
    clock_at(&clock, &till, hours);
    let t = Instant::now();
    let out = tillctl_with(till.path(), &["auth", "00"], "00000000\n", &env);
    assert_eq!(out.status.code(), Some(10), "{}", text(&out));
    // The kill window adapts: after a kill it widens by an eighth, after a
    // finished run it narrows by one, so that under any load (CI runs the
    // host and qemu suites side by side) kills land both inside runs and
    // after them, about half each.
    let mut span_us = (t.elapsed().as_micros() as u64 * 12 / 10).max(1000);

    let mut rng = Rng(till.clock.wall().0 as u64 | 1);
    let mut last = failures(till.path());
    assert_eq!(last, 1);
    let (mut killed, mut finished) = (0, 0);
    for run in 0..runs {
        // A day and an hour later: every wait (24 h at most) is over.
        hours += 25;
        clock_at(&clock, &till, hours);
        let mut child = Command::new(tillctl_path())
            .args(["--state-dir", till.path().to_str().unwrap(), "auth", "00"])
            .env_remove("TILL_KIOSK_CONFIG")
            .env("TILL_KIOSK_FAKE_CLOCK", &clock)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"00000000\n")
            .unwrap();
        // A random moment within the run (this picks when to kill; no
        // assertion waits on time).
        std::thread::sleep(Duration::from_micros(rng.next() % span_us));
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL);
        let status = child.wait().unwrap();
        let now = failures(till.path());
        assert!(
            now >= last,
            "run {run}: failures went back from {last} to {now}"
        );
        assert!(
            now <= last + 1,
            "run {run}: one attempt counted twice ({last} -> {now})"
        );
        match status.code() {
            // It finished and said "wrong password": that failure must be on disk.
            Some(10) => {
                finished += 1;
                span_us = (span_us * 7 / 8).max(1000);
                assert_eq!(
                    now,
                    last + 1,
                    "run {run}: reported a failure that was not recorded"
                );
            }
            None => {
                killed += 1;
                span_us = span_us.saturating_mul(9) / 8;
            }
            Some(c) => panic!("run {run}: unexpected exit {c}"),
        }
        last = now;
    }
    eprintln!("{runs} runs: {killed} killed, {finished} finished; {last} failures recorded");
    assert!(
        killed > 0 && finished > 0,
        "kills should land both inside and after runs"
    );
    // The till still works.
    clock_at(&clock, &till, hours + 25);
    let out = tillctl_with(till.path(), &["auth", "00"], &format!("{ADMIN_PW}\n"), &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}
