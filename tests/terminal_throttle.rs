//! Trying many operator numbers is throttled too, and unknown numbers are
//! indistinguishable from known ones.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::core::AuthOutcome;
use till_kiosk::core::lockout::{Gate, Penalty};

#[test]
fn failures_across_numbers_lock_the_terminal() {
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
    assert_eq!(
        svc.authenticate(&cli_actor(), id(19), &s("00000000"))
            .unwrap(),
        AuthOutcome::Wrong {
            penalty: Penalty::Wait { secs: 60 }
        }
    );
    // Now every number waits, including real operators with the right password.
    assert_eq!(svc.gate(id(42)).unwrap(), Gate::Wait { secs: 60 });
    assert_eq!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap(),
        AuthOutcome::Locked { secs: 60 }
    );
    till.clock.advance(Duration::from_secs(60));
    assert_eq!(
        svc.authenticate(&cli_actor(), id(20), &s("00000000"))
            .unwrap(),
        AuthOutcome::Wrong {
            penalty: Penalty::Wait { secs: 300 }
        }
    );
    // A technician can clear it; a success clears it too.
    svc.unlock_terminal(&cli_actor()).unwrap();
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    assert_eq!(svc.gate(id(42)).unwrap(), Gate::Open);
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
