//! No stored or clock value makes the till panic: far-future and absurd
//! wall times (year 10000 and later, i64 extremes in a checksummed state
//! file), powered-on times at u64::MAX, and durations near u64::MAX in the
//! config each get a clear error or a clamped value, never exit 101.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::core::lockout::Gate;
use till_kiosk::core::power::PowerTime;
use till_kiosk::core::recovery::{Challenge, PendingChallenge};
use till_kiosk::core::{TillState, WallTime};
use till_kiosk::store::{Backend, FileStore};

/// Year 10000, and beyond anything a calendar can show.
const YEAR_10000_MS: i64 = 253_402_300_800_000;

/// The till's state with every time field at an extreme, written through
/// the store so its checksum is valid.
fn extreme_state(till: &Till, wall: i64, power: u64) {
    let store = FileStore::new(till.path(), till.config.rotation());
    let mut txn = store.lock().unwrap();
    let mut st: TillState = txn.load().unwrap().unwrap();
    st.created_at = WallTime(wall);
    for op in st.operators.values_mut() {
        op.created_at = WallTime(wall);
        op.password.set_at = WallTime(wall.wrapping_neg());
    }
    let mut c = st.counter(id(1));
    c.failures = u32::MAX;
    c.locked_until = Some(PowerTime(power));
    st.lockouts.insert(id(1), c.clone());
    st.lockouts.insert(id(42), c);
    st.recovery_lockout.locked_until = Some(PowerTime(power));
    st.power.powered_ms = power;
    st.power.since_boot_ms = power;
    st.pending_recovery = Some(PendingChallenge {
        challenge: Challenge {
            serial: "10000000a1b2c3d4".into(),
            nonce: "12345678".into(),
        },
        issued_power: PowerTime(power),
        issued_wall: WallTime(wall),
        bad_codes: u32::MAX,
    });
    txn.save(&st).unwrap();
}

fn no_panic(out: &std::process::Output, what: &str) {
    assert_ne!(
        out.status.code(),
        Some(101),
        "{what} panicked: {}",
        text(out)
    );
    assert!(out.status.code().is_some(), "{what} died: {}", text(out));
}

const COMMANDS: &[&[&str]] = &[
    &["status"],
    &["status", "--json"],
    &["operator", "list"],
    &["operator", "list", "--json"],
    &["operator", "show", "01"],
    &["audit"],
    &["audit", "--json"],
    &["audit", "--since", "24h"],
    &["auth", "01"],
    &["auth", "42"],
    &["unlock-terminal"],
    &["recovery", "challenge"],
];

#[test]
fn extreme_values_in_a_valid_state_file_are_handled_by_every_command() {
    for (wall, power) in [
        (i64::MAX, u64::MAX),
        (i64::MIN, u64::MAX),
        (YEAR_10000_MS, u64::MAX / 2),
        (-1, 0),
    ] {
        let till = Till::new();
        till.set_up();
        extreme_state(&till, wall, power);
        for args in COMMANDS {
            let out = tillctl(till.path(), args, &format!("{CASHIER_PW}\n"));
            no_panic(&out, &format!("tillctl {args:?} with times {wall}/{power}"));
        }
        // And in-process, every read the kiosk makes.
        let svc = till.service();
        let _ = svc.status();
        let _ = svc.operators();
        let _ = svc.gate(id(1));
        let _ = svc.checkpoint();
        let _ = svc.pending_challenge();
        let _ = svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW));
        let _ = svc.audit_log();
    }
}

#[test]
fn a_wall_clock_in_the_year_10000_and_beyond() {
    for wall in [YEAR_10000_MS, i64::MAX, i64::MIN] {
        let till = Till::new();
        let svc = till.set_up();
        till.clock.set_wall(WallTime(wall));
        // Every operation stamps the audit log with the wall time.
        assert!(
            svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
                .unwrap()
                .signed_in()
        );
        svc.authenticate(&cli_actor(), id(1), &s("00000000"))
            .unwrap();
        svc.operators().unwrap();
        let log = svc.audit_log().unwrap();
        let last = log.records.last().unwrap();
        assert_eq!(last.wall_ms, wall);
        assert!(!last.time.is_empty(), "a readable time, whatever it says");
        let out = tillctl(till.path(), &["audit"], "");
        no_panic(&out, "tillctl audit");
        assert!(out.status.success(), "{}", text(&out));
        // The wait still runs in powered-on time, whatever the wall says.
        for _ in 0..4 {
            svc.authenticate(&cli_actor(), id(1), &s("00000000"))
                .unwrap();
        }
        assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
        till.clock.advance(Duration::from_secs(60));
        assert_eq!(svc.gate(id(1)).unwrap(), Gate::Open);
    }
}

#[test]
fn durations_near_the_limit_in_the_config_are_refused_at_their_line() {
    let tmp = tempfile::tempdir().unwrap();
    for (yaml, line) in [
        ("lockout:\n  admin:\n    max_wait: 584942417355y\n", 3),
        (
            "lockout:\n  operator:\n    waits: [1m, 5m, 99999999999999h]\n",
            3,
        ),
        ("ui:\n  idle_sign_out: 18446744073709551615s\n", 2),
        ("recovery:\n  code_lifetime: 500000y\n", 2),
    ] {
        let file = tmp.path().join("config.yaml");
        std::fs::write(&file, yaml).unwrap();
        let out = tillctl(tmp.path(), &["check-config", file.to_str().unwrap()], "");
        no_panic(&out, yaml);
        assert_eq!(out.status.code(), Some(2), "{yaml}: {}", text(&out));
        assert!(
            text(&out).contains(&format!("config.yaml:{line}:")),
            "{yaml}: {}",
            text(&out)
        );
    }
}
