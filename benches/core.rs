//! `cargo bench --bench core`: the core's costs on this machine.
//!
//! Plain harness: prints figures (median and spread of repeated runs) for
//! the three numbers the core issue asks for. Not a pass/fail test.

use std::sync::Arc;
use std::time::{Duration, Instant};
use till_kiosk::config::Config;
use till_kiosk::core::clock::Clock;
use till_kiosk::core::hashing::{self, FLOOR};
use till_kiosk::core::till::{Now, Settings, Till};
use till_kiosk::core::{Actor, OperatorId, Role, Secret, TillState};
use till_kiosk::service::{Service, Setup};
use till_kiosk::store::{Backend, FileStore};
use till_kiosk::sys::SystemClock;

fn stats(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<58} median {:>9.3} ms   min {:>9.3} ms   max {:>9.3} ms   (n={})",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    );
}

fn time(n: usize, mut f: impl FnMut()) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect()
}

fn main() {
    let pw = Secret::from("30946817");
    let hash = FLOOR.hash(&pw).unwrap();
    stats(
        "argon2id verify at defaults (m=19456 KiB, t=2, p=1)",
        time(20, || assert!(hashing::verify(&pw, &hash))),
    );

    let bench_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tempfile::tempdir_in(bench_dir).unwrap();
    let fs = till_kiosk::sys::persistence(dir.path())
        .map(|p| p.fs_type)
        .unwrap_or_default();
    println!("(state directory on {fs}: {})", dir.path().display());
    let config = Config::default();
    let store = Arc::new(FileStore::open(dir.path(), config.rotation()).unwrap());
    let svc = Service::new(store.clone(), &config, Arc::new(SystemClock));
    let cli = Actor::Cli {
        uid: 0,
        user: "bench".into(),
    };
    let admin_pw = Secret::from("7Rq2m9xKp!");
    let setup = Setup {
        admin: OperatorId::FIRST_ADMIN,
        name: "Admin",
        terminal_name: None,
        password: &admin_pw,
        confirm: &admin_pw,
    };
    svc.init(&cli, &setup, false).unwrap();
    // 99 operators in all (00 plus 01..98), as full as a till gets.
    for n in 1..=98u8 {
        svc.add_operator(
            &cli,
            OperatorId::new(n).unwrap(),
            &format!("Cashier {n:02}"),
            Role::Operator,
            None,
        )
        .unwrap();
    }
    let bytes = std::fs::metadata(dir.path().join("state.json"))
        .unwrap()
        .len();

    // The durable record, part by part: lock and load; the fsync'd write
    // of the failure (temp file, fsync, rename, fsync dir); and, outside
    // what a sign-in pays, the write that resets it for the next round.
    let settings = Settings::default();
    let clock = SystemClock;
    let (mut lock_load, mut record, mut reset) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..50 {
        let t = Instant::now();
        let mut txn = store.lock().unwrap();
        let mut state: TillState = txn.load().unwrap().unwrap();
        lock_load.push(t.elapsed());
        let now = Now {
            wall: clock.wall(),
            boot: clock.boot(),
        };
        let mut till = Till::new(&mut state, &settings, now, cli.clone());
        let pending = till.begin_sign_in(OperatorId::new(99).unwrap());
        let t = Instant::now();
        txn.save(till.state()).unwrap();
        record.push(t.elapsed());
        drop(pending);
        drop(till);
        state.lockouts.clear();
        state.terminal_rate.clear();
        let t = Instant::now();
        txn.save(&state).unwrap();
        reset.push(t.elapsed());
    }
    stats("lock + load of the state (99 operators)", lock_load);
    stats(
        "durable record of a failed attempt (fsync'd atomic write)",
        record,
    );
    stats(
        "the same write again, resetting it (not part of a sign-in)",
        reset,
    );
    let mut attempts = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        svc.authenticate(&cli, OperatorId::new(1).unwrap(), &Secret::from("00000000"))
            .unwrap();
        attempts.push(t.elapsed());
        // Reset outside the timing so every attempt is a counted failure.
        svc.unlock(&cli, OperatorId::new(1).unwrap()).unwrap();
        svc.unlock_terminal(&cli).unwrap();
    }
    stats(
        "whole wrong-password attempt (record + verify + audit)",
        attempts,
    );
    stats(
        &format!(
            "state load with 99 operators ({} KiB, lock+read+sha256+parse)",
            bytes / 1024
        ),
        time(200, || {
            let mut txn = store.lock().unwrap();
            let s = txn.load().unwrap().unwrap();
            assert_eq!(s.operators.len(), 99);
        }),
    );
}
