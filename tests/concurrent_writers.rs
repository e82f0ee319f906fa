//! Many `tillctl` processes at once: the lock serialises them and no
//! update is lost.
mod common;
use common::*;
use std::thread;

#[test]
fn parallel_failed_attempts_are_all_counted() {
    // The most failures the config floors allow back to back: a burst of
    // 20 across the till (no refill within the test: one a minute), and
    // numbers that each take their 4 without a wait.
    let yaml = "lockout:\n  terminal:\n    burst: 20\n    every: 1m\n";
    let till = Till::with_config(yaml);
    till.set_up();
    let config = till.path().join("config.yaml");
    std::fs::write(&config, yaml).unwrap();
    let dir = till.path().to_owned();
    // Eight processes at once, four guesses each, each at its own number:
    // exactly 20 of the 32 get through, and every one of those is counted.
    let handles: Vec<_> = (0..8u8)
        .map(|i| {
            let (dir, config) = (dir.clone(), config.clone());
            thread::spawn(move || {
                let number = format!("{}", 40 + i);
                let mut codes = Vec::new();
                for _ in 0..4 {
                    let out = tillctl(
                        &dir,
                        &["--config", config.to_str().unwrap(), "auth", &number],
                        "00000000\n",
                    );
                    assert!(matches!(out.status.code(), Some(10 | 11)), "{}", text(&out));
                    codes.push(out.status.code());
                }
                codes
            })
        })
        .collect();
    // Meanwhile, operators are added from other processes.
    let adders: Vec<_> = (20..26u8)
        .map(|n| {
            let dir = dir.clone();
            thread::spawn(move || {
                let out = tillctl(
                    &dir,
                    &[
                        "operator",
                        "add",
                        &format!("{n}"),
                        "--name",
                        &format!("Cashier {n}"),
                    ],
                    "",
                );
                assert!(out.status.success(), "{}", text(&out));
            })
        })
        .collect();
    for h in adders {
        h.join().unwrap();
    }
    let codes: Vec<_> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wrong = codes.iter().filter(|c| **c == Some(10)).count();
    assert_eq!(wrong, 20, "the burst, exactly: {codes:?}");
    let svc = till.service();
    let ops = svc.operators().unwrap();
    let state = svc.snapshot().unwrap().unwrap();
    let counted: u32 = (40..48).map(|n| state.counter(id(n)).failures).sum();
    assert_eq!(counted as usize, wrong, "every failure counted");
    for n in 20..26 {
        assert!(ops.iter().any(|o| o.id == id(n)), "operator {n} added");
    }
    // One audit line per attempt and per add, none torn.
    let log = svc.audit_log().unwrap();
    assert_eq!(log.skipped_lines, 0);
    let at = |outcome| {
        log.records
            .iter()
            .filter(|r| {
                r.event == till_kiosk::core::EventKind::SignIn
                    && r.subject.as_deref().is_some_and(|s| s.starts_with('4'))
                    && r.outcome == outcome
            })
            .count()
    };
    assert_eq!(at(till_kiosk::core::Outcome::Failed), 20);
    assert_eq!(
        at(till_kiosk::core::Outcome::Locked),
        12,
        "refused while paused"
    );
}
