//! Many `tillctl` processes at once: the lock serialises them and no
//! update is lost.
mod common;
use common::*;
use std::thread;

#[test]
fn parallel_failed_attempts_are_all_counted() {
    let till = Till::with_config(
        "lockout:\n  operator:\n    free_tries: 1000\n    lock_until_admin_after: 0\n  terminal:\n    free_tries: 1000\n",
    );
    till.set_up();
    let config = till.path().join("config.yaml");
    std::fs::write(&config, "lockout:\n  operator:\n    free_tries: 1000\n    lock_until_admin_after: 0\n  terminal:\n    free_tries: 1000\n").unwrap();
    let dir = till.path().to_owned();
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (dir, config) = (dir.clone(), config.clone());
            thread::spawn(move || {
                for _ in 0..4 {
                    let out = tillctl(
                        &dir,
                        &["--config", config.to_str().unwrap(), "auth", "01"],
                        "00000000\n",
                    );
                    assert_eq!(out.status.code(), Some(10), "{}", text(&out));
                }
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
    for h in handles.into_iter().chain(adders) {
        h.join().unwrap();
    }
    let svc = till.service();
    let ops = svc.operators().unwrap();
    assert_eq!(
        ops.iter().find(|o| o.id == id(1)).unwrap().failures,
        32,
        "every failure counted"
    );
    for n in 20..26 {
        assert!(ops.iter().any(|o| o.id == id(n)), "operator {n} added");
    }
    // One audit line per attempt and per add, none torn.
    let log = svc.audit_log().unwrap();
    assert_eq!(log.skipped_lines, 0);
    assert_eq!(
        log.records
            .iter()
            .filter(|r| r.subject.as_deref() == Some("01")
                && r.outcome == till_kiosk::core::Outcome::Failed)
            .count(),
        32
    );
}
