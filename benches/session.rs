//! `cargo bench --bench session`: the session API's event fan-out and the
//! latency from a sign-in at the till to the `signed_in` event, printed as
//! figures (not pass/fail).
//!
//! 1. Fan-out: the real server (in this process, with a do-nothing engine)
//!    and 10 subscribers on real sockets, each reading in its own thread.
//!    Events go out in bursts no larger than a client's queue, as a busy
//!    till would send them, and each burst is waited for by all 10.
//! 2. Sign-in → `signed_in`: the real `till-kiosk --headless` with the
//!    scripted keypad; the operator number and PIN are typed first, then
//!    the clock starts when ENTER is written and stops when a subscriber
//!    reads `signed_in`. That includes the argon2id check (see
//!    `cargo bench --bench core`), so ENTER → the kiosk done with it (a
//!    `STATE?` to the keypad script, answered after ENTER is handled; no
//!    session API) is printed beside it, from alternate runs.

#[path = "../tests/common/mod.rs"]
mod common;
use common::headless;

use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use till_kiosk::session::protocol::{self, ApprovalRequest, ApprovalResult, SessionInfo};
use till_kiosk::session::server::{Access, Engine, Server, ServerConfig};

struct Idle;

impl Engine for Idle {
    fn whoami(&self) -> Result<Option<SessionInfo>, String> {
        Ok(None)
    }
    fn sign_out(&self) -> Result<Option<String>, String> {
        Ok(None)
    }
    fn approve(
        &self,
        _: u64,
        _: ApprovalRequest,
        _: Box<dyn FnOnce(ApprovalResult) + Send>,
    ) -> Result<(), protocol::BadRequest> {
        Err(protocol::bad("unavailable", "no till here"))
    }
    fn cancel(&self, _: u64) {}
    fn peer_refused(&self, _: u32, _: u32, _: i32, _: u64) {}
    fn approvals_refused(&self, _: u32, _: u64) {}
}

fn subscribe(path: &std::path::Path) -> BufReader<UnixStream> {
    let mut c = BufReader::new(UnixStream::connect(path).unwrap());
    writeln!(c.get_mut(), r#"{{"v":1,"op":"subscribe"}}"#).unwrap();
    let mut l = String::new();
    c.read_line(&mut l).unwrap();
    assert!(l.contains("\"subscribed\":true"), "{l}");
    c
}

fn fan_out() {
    const SUBSCRIBERS: usize = 10;
    const QUEUE: usize = 256;
    const BURST: u64 = 200;
    const BURSTS: u64 = 200;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.sock");
    let cfg = ServerConfig {
        path: path.clone(),
        group: None,
        access: Access::default(),
        max_connections: 16,
        queue: QUEUE,
        rate_per_s: 50,
    };
    let server = Server::start(cfg, Arc::new(Idle)).unwrap();
    let received: Arc<Vec<AtomicU64>> =
        Arc::new((0..SUBSCRIBERS).map(|_| AtomicU64::new(0)).collect());
    for i in 0..SUBSCRIBERS {
        let mut c = subscribe(&path);
        let received = received.clone();
        std::thread::spawn(move || {
            let mut l = String::new();
            while c.read_line(&mut l).unwrap_or(0) > 0 {
                received[i].fetch_add(1, Ordering::Relaxed);
                l.clear();
            }
        });
    }
    let line = protocol::event(
        "signed_in",
        "2026-11-28T09:41:07Z",
        serde_json::json!({"operator": "01", "name": "Li Wei", "role": "operator", "must_change_password": false}),
    );
    let start = Instant::now();
    for b in 1..=BURSTS {
        for _ in 0..BURST {
            server.broadcast(&line);
        }
        let want = b * BURST;
        while received.iter().any(|r| r.load(Ordering::Relaxed) < want) {
            assert_eq!(
                server.stats().dropped_stalled.load(Ordering::Relaxed),
                0,
                "a subscriber was dropped"
            );
            std::thread::yield_now();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let events = BURST * BURSTS;
    println!(
        "events to {SUBSCRIBERS} subscribers: {:.0} events/s ({:.0} lines delivered/s, {events} events of {} bytes in bursts of {BURST}, {} dropped)",
        events as f64 / secs,
        (events * SUBSCRIBERS as u64) as f64 / secs,
        line.len() + 1,
        server.stats().dropped_stalled.load(Ordering::Relaxed)
    );
}

fn sign_in_latency() {
    let (mut k, sock) = headless::start_with_api("");
    let mut sub = subscribe(&sock);
    let mut ctl = BufReader::new(UnixStream::connect(&sock).unwrap());
    // Odd runs time the event at the subscriber; even runs time the kiosk
    // itself (a `STATE?` after ENTER is answered once ENTER is handled), so
    // the difference is what the API adds.
    let (mut to_event, mut to_handled) = (Vec::new(), Vec::new());
    for run in 0..41 {
        assert_eq!(
            k.send(&format!("0 1 {}", headless::spaced(headless::CASHIER_PIN))),
            "ok"
        );
        let t0 = Instant::now();
        assert_eq!(k.send("ENTER"), "ok");
        if run % 2 == 0 {
            assert_eq!(k.state()["screen"], "home");
        }
        let handled = t0.elapsed();
        let mut l = String::new();
        loop {
            l.clear();
            sub.read_line(&mut l).unwrap();
            let v: Value = serde_json::from_str(&l).unwrap();
            if v["event"] == "signed_in" {
                break;
            }
        }
        let event = t0.elapsed();
        // The first sign-in warms the caches; report the rest.
        match run {
            0 => {}
            r if r % 2 == 1 => to_event.push(event),
            _ => to_handled.push(handled),
        }
        writeln!(ctl.get_mut(), r#"{{"v":1,"op":"sign_out"}}"#).unwrap();
        l.clear();
        ctl.read_line(&mut l).unwrap();
        assert!(l.contains("\"signed_out\":\"01\""), "{l}");
    }
    to_event.sort();
    to_handled.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "sign-in (ENTER at the scripted keypad) -> signed_in event at a subscriber: median {:.1} ms, min {:.1} ms, max {:.1} ms (n={}; includes the argon2id check)",
        ms(to_event[to_event.len() / 2]),
        ms(to_event[0]),
        ms(to_event[to_event.len() - 1]),
        to_event.len()
    );
    println!(
        "  for comparison, ENTER -> the kiosk has signed them in (STATE? answered): median {:.1} ms (n={})",
        ms(to_handled[to_handled.len() / 2]),
        to_handled.len()
    );
    assert_eq!(k.stop().code(), Some(0));
}

fn main() {
    fan_out();
    sign_in_latency();
}
