//! The right password of a disabled operator is answered exactly as a
//! wrong one: same outcome, same exit code, same words, one hash check
//! each; it counts as a failure and resets no counter. An ex-employee's
//! password must not buy a reset of the terminal-wide throttle.
mod common;
use common::*;
use till_kiosk::core::AuthOutcome;
use till_kiosk::core::lockout::{Gate, Penalty};

/// A till where 01 is disabled (`disabled`) or enabled.
fn till(disabled: bool) -> Till {
    let t = Till::new();
    let svc = t.set_up();
    if disabled {
        svc.set_enabled(&cli_actor(), id(1), false).unwrap();
    }
    t
}

#[test]
fn same_outcome_and_counted_as_a_failure() {
    let disabled = till(true);
    let enabled = till(false);
    let (d, e) = (disabled.service(), enabled.service());
    for n in 1..=5 {
        let right = d.authenticate(&cli_actor(), id(1), &s(CASHIER_PW)).unwrap();
        let wrong = e.authenticate(&cli_actor(), id(1), &s("00000000")).unwrap();
        assert_eq!(right, wrong, "attempt {n}");
        assert!(matches!(right, AuthOutcome::Wrong { .. }), "{right:?}");
        assert_eq!(d.gate(id(1)).unwrap(), e.gate(id(1)).unwrap());
    }
    assert_eq!(
        d.authenticate(&cli_actor(), id(1), &s(CASHIER_PW)).unwrap(),
        AuthOutcome::Locked { secs: 60 },
        "five failures: the number waits like any other"
    );
}

#[test]
fn it_resets_neither_the_terminal_nor_its_own_counter() {
    let t = till(true);
    let svc = t.service();
    // Nine wrong guesses at other numbers...
    for n in 10..19 {
        svc.authenticate(&cli_actor(), id(n), &s("00000000"))
            .unwrap();
    }
    // ...then the ex-employee's right password: a tenth failure.
    let out = svc
        .authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap();
    assert!(matches!(out, AuthOutcome::Wrong { .. }), "{out:?}");
    // The whole till is now throttled, as after ten wrong guesses.
    assert_ne!(svc.gate(id(30)).unwrap(), Gate::Open);
    let st = svc.snapshot().unwrap().unwrap();
    assert_eq!(st.counter(id(1)).failures, 1, "its own failure stands");
}

#[test]
fn tillctl_gives_the_same_exit_code_and_words() {
    let disabled = till(true);
    let enabled = till(false);
    let right = tillctl(disabled.path(), &["auth", "01"], &format!("{CASHIER_PW}\n"));
    let wrong = tillctl(enabled.path(), &["auth", "01"], "00000000\n");
    assert_eq!(right.status.code(), Some(10), "{}", text(&right));
    assert_eq!(right.status.code(), wrong.status.code());
    assert_eq!(text(&right), text(&wrong));
    assert!(!text(&right).contains("disabled"), "{}", text(&right));
}

#[test]
fn the_admin_can_see_what_happened_in_the_audit_log() {
    let t = till(true);
    let svc = t.service();
    svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap();
    let log = svc.audit_log().unwrap();
    let last = log.records.last().unwrap();
    assert_eq!(last.subject.as_deref(), Some("01"));
    assert_eq!(last.outcome, till_kiosk::core::Outcome::Failed);
    assert!(
        matches!(
            last.detail,
            Some(till_kiosk::core::AuditDetail::Wrong {
                disabled_operator: true,
                badge_missing: false,
                unknown_badge: false,
                ..
            })
        ),
        "{last:?}"
    );
}

#[test]
fn a_penalty_is_the_same_as_for_a_wrong_password() {
    let t = till(true);
    let svc = t.service();
    assert_eq!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap(),
        AuthOutcome::Wrong {
            penalty: Penalty::TriesLeft { tries_left: 4 }
        }
    );
}
