//! Trying many operator numbers is throttled too, and unknown numbers are
//! indistinguishable from known ones.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::core::lockout::{Gate, Penalty};
use till_kiosk::core::{AuthOutcome, Localized};

#[test]
fn failures_across_numbers_pause_the_whole_till_at_a_rate() {
    let till = Till::new();
    let svc = till.set_up();
    // Ten numbers, one guess each: no single number reaches its own limit.
    for n in 10..19 {
        assert!(matches!(
            svc.authenticate(&cli_actor(), id(n), &s("00000000"))
                .unwrap(),
            AuthOutcome::Wrong {
                penalty: Penalty::TriesLeft { .. }
            }
        ));
    }
    // The tenth pauses the whole till, and says so (not "your number").
    let tenth = svc
        .authenticate(&cli_actor(), id(19), &s("00000000"))
        .unwrap();
    assert_eq!(
        tenth,
        AuthOutcome::Wrong {
            penalty: Penalty::Paused { secs: 60 }
        }
    );
    assert!(
        tenth
            .message(till_kiosk::core::Lang::En)
            .contains("this till: it is paused"),
        "{}",
        tenth.message(till_kiosk::core::Lang::En)
    );
    // Now every number waits, real operators with the right password too.
    assert_eq!(svc.gate(id(42)).unwrap(), Gate::Paused { secs: 60 });
    let refused = svc
        .authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap();
    assert_eq!(refused, AuthOutcome::Paused { secs: 60 });
    assert!(
        refused
            .message(till_kiosk::core::Lang::En)
            .contains("paused for everyone"),
        "{}",
        refused.message(till_kiosk::core::Lang::En)
    );
    // Its start is in the audit log, once, with what started it and for
    // how long (what a shop owner asks: "nobody could sign in").
    let paused: Vec<_> = svc
        .audit_log()
        .unwrap()
        .records
        .into_iter()
        .filter(|r| r.event == till_kiosk::core::EventKind::TerminalPaused)
        .collect();
    assert_eq!(paused.len(), 1, "{paused:?}");
    assert_eq!(
        paused[0].detail,
        Some(till_kiosk::core::AuditDetail::PauseStarted {
            failures: 10,
            secs: 60
        }),
        "{paused:?}"
    );
    // A minute on, one more try; a stranger's next failure pauses it for a
    // minute again: a rate, never an escalation.
    till.clock.advance(Duration::from_secs(60));
    assert_eq!(
        svc.authenticate(&cli_actor(), id(20), &s("00000000"))
            .unwrap(),
        AuthOutcome::Wrong {
            penalty: Penalty::Paused { secs: 60 }
        }
    );
    till.clock.advance(Duration::from_secs(60));
    // The cashier signs in: her success takes back only her own charge.
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    // A technician can end the pause.
    svc.authenticate(&cli_actor(), id(21), &s("00000000"))
        .unwrap();
    assert_ne!(svc.gate(id(42)).unwrap(), Gate::Open);
    svc.unlock_terminal(&cli_actor()).unwrap();
    assert_eq!(svc.gate(id(42)).unwrap(), Gate::Open);
}

#[test]
fn after_a_stranger_stops_a_real_operator_waits_at_most_a_minute() {
    let till = Till::new();
    let svc = till.set_up();
    // A customer types made-up numbers as fast as the till lets them, for
    // three hours of powered-on time.
    let mut n = 10u8;
    let mut attempts = 0;
    let end = Duration::from_secs(3 * 3600);
    let mut elapsed = Duration::ZERO;
    while elapsed < end {
        match svc.gate(id(n)).unwrap() {
            Gate::Open => {
                svc.authenticate(&cli_actor(), id(n), &s("00000000"))
                    .unwrap();
                attempts += 1;
                n = if n == 99 { 10 } else { n + 1 };
            }
            Gate::Paused { secs } | Gate::Wait { secs } => {
                let d = Duration::from_secs(secs.min(5));
                till.clock.advance(d);
                elapsed += d;
            }
            Gate::UntilAdmin => n = if n == 99 { 10 } else { n + 1 },
        }
    }
    assert!(attempts > 100, "the stranger got {attempts} tries");
    // They stop. The cashier (and the admin) get in within 60 s.
    let waited = match svc.gate(id(1)).unwrap() {
        Gate::Open => 0,
        Gate::Paused { secs } => secs,
        other => panic!("the cashier's own number is untouched: {other:?}"),
    };
    assert!(waited <= 60, "waited {waited} s");
    assert_eq!(svc.gate(id(0)).unwrap(), svc.gate(id(1)).unwrap());
    till.clock.advance(Duration::from_secs(waited));
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    assert!(
        svc.authenticate(&cli_actor(), id(0), &s(ADMIN_PW))
            .unwrap()
            .signed_in(),
        "the admin right after"
    );
}

#[test]
fn unknown_numbers_fail_exactly_like_wrong_passwords() {
    let till = Till::new();
    let svc = till.set_up();
    // 01 exists, 07 does not: every outcome and every gate is the same.
    for _ in 0..12 {
        let known = svc
            .authenticate(&cli_actor(), id(1), &s("00000000"))
            .unwrap();
        let unknown = svc
            .authenticate(&cli_actor(), id(7), &s("00000000"))
            .unwrap();
        // The terminal counter moves with both; compare per-number state.
        assert_eq!(
            std::mem::discriminant(&known),
            std::mem::discriminant(&unknown),
            "{known:?} vs {unknown:?}"
        );
        assert_eq!(svc.gate(id(1)).unwrap(), svc.gate(id(7)).unwrap());
        svc.unlock_terminal(&cli_actor()).unwrap();
        till.clock.advance(Duration::from_secs(3600));
    }
    assert_eq!(svc.gate(id(7)).unwrap(), Gate::UntilAdmin);
    // The unknown number's counter is real: adding the operator clears it.
    svc.add_operator(
        &cli_actor(),
        id(7),
        "Zhao Lei",
        till_kiosk::core::Role::Operator,
        Some(s("58271946")),
    )
    .unwrap();
    assert_eq!(svc.gate(id(7)).unwrap(), Gate::Open);
}

#[test]
fn unknown_numbers_cost_a_real_hash() {
    let till = Till::new();
    let svc = till.set_up();
    svc.authenticate(&cli_actor(), id(55), &s("00000000"))
        .unwrap();
    let state = svc.snapshot().unwrap().unwrap();
    let dummy = state.dummy_hash.expect("a dummy hash to verify against");
    assert!(
        dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{dummy}"
    );
}
