//! A flood of keys (a hostile USB HID device typing thousands a second, or
//! a script writing as fast as it can) neither grows the kiosk's memory
//! without bound nor leaves the screen lagging more than a second once it
//! stops.
mod common;
use common::headless::{Kiosk, start};
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

fn rss_kib(k: &Kiosk) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", k.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// How long the kiosk takes to answer STATE? now.
fn state_latency(k: &mut Kiosk) -> Duration {
    let t = Instant::now();
    let s = k.state();
    assert_eq!(s["screen"], "sign-in", "{s}");
    t.elapsed()
}

#[test]
fn a_device_flood_is_dropped_beyond_the_queue() {
    let mut k = start("", &[]);
    state_latency(&mut k);
    let before = rss_kib(&k);
    // A million presses at once, through the path a USB device's keys take.
    let t = Instant::now();
    assert_eq!(k.send("FLOOD 1000000 7"), "ok");
    let flooding = t.elapsed();
    let after_flood = state_latency(&mut k);
    let grew = rss_kib(&k).saturating_sub(before);
    eprintln!(
        "a million presses in {flooding:?}; STATE? {after_flood:?} after; RSS grew {grew} KiB"
    );
    assert!(after_flood < Duration::from_secs(1), "{after_flood:?}");
    assert!(grew < 20 * 1024, "memory grew by {grew} KiB");
}

#[test]
fn a_script_that_types_as_fast_as_it_can_is_slowed_not_queued() {
    let mut k = start("", &[]);
    state_latency(&mut k);
    let before = rss_kib(&k);
    // Another connection writes 4 KiB lines of keys for two seconds,
    // without reading a reply, then goes away.
    let line = format!("{}\n", vec!["7"; 2000].join(" "));
    let mut flood = UnixStream::connect(k.path("keys.sock")).unwrap();
    flood
        .set_write_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let t = Instant::now();
    let mut written = 0u64;
    while t.elapsed() < Duration::from_secs(2) {
        if flood.write_all(line.as_bytes()).is_ok() {
            written += 2000;
        }
    }
    drop(flood);
    let stopped = Instant::now();
    let latency = state_latency(&mut k);
    let grew = rss_kib(&k).saturating_sub(before);
    eprintln!(
        "wrote {written} keys in 2 s; STATE? answered {:?} after the writer stopped; RSS grew {grew} KiB",
        stopped.elapsed()
    );
    assert!(latency < Duration::from_secs(1), "{latency:?}");
    assert!(grew < 20 * 1024, "memory grew by {grew} KiB");
}
