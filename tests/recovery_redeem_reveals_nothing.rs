//! Redeeming a recovery code tells the person at the till nothing but
//! "wrong code" until the code is right: every attempt is counted against
//! the recovery throttle and audited before anything else is checked, and
//! the answer to a wrong code is the same for every operator number (no
//! enumeration of numbers, roles or parts of admin names). The new
//! password's rules are checked only once the code is accepted, and a
//! disabled admin stays disabled.
mod common;
use common::*;
use till_kiosk::core::recovery::{Challenge, TillKey};
use till_kiosk::core::{EventKind, Role, TillError};
use till_kiosk::service::{Service, ServiceError};

const MASTER: &[u8] = b"service-desk master key, 32 bytes or more!";

/// A till with admins 00 and 02 (02 disabled), cashier 01, a recovery key
/// and a challenge on screen.
fn till() -> (Till, Service, Challenge) {
    let t = Till::new();
    let svc = t.set_up();
    svc.add_operator(
        &cli_actor(),
        id(2),
        "Chen Jing",
        Role::Admin,
        Some(s("Second-Admin-7")),
    )
    .unwrap();
    svc.set_enabled(&cli_actor(), id(2), false).unwrap();
    svc.provision(&cli_actor(), MASTER).unwrap();
    let c = svc.recovery_challenge(&cli_actor()).unwrap();
    (t, svc, c)
}

fn desk(c: &Challenge) -> till_kiosk::core::Secret {
    TillKey::derive(MASTER, &c.serial).unwrap().response(c)
}

fn recovery_failures(svc: &Service) -> u32 {
    svc.snapshot().unwrap().unwrap().recovery_lockout.failures
}

fn attempts_audited(svc: &Service) -> usize {
    svc.audit_log()
        .unwrap()
        .records
        .iter()
        .filter(|r| r.event == EventKind::RecoveryAttempt)
        .count()
}

#[test]
fn a_wrong_code_gets_one_answer_whatever_the_number_and_the_new_password() {
    let mut answers = Vec::new();
    // An unknown number, a cashier, the admin, a disabled admin; each with
    // a new password the policy would refuse and one it would take.
    for number in ["42", "01", "00", "02"] {
        for new in ["1", "Long-Enough-Pass-9"] {
            let (t, svc, _) = till();
            // tillctl runs on the real clock and serial: provision and show
            // the challenge with it too.
            let desk_dir = tempfile::tempdir().unwrap();
            let key = desk_dir.path().join("master.key");
            std::fs::write(&key, MASTER).unwrap();
            let out = tillctl(
                t.path(),
                &[
                    "recovery",
                    "provision",
                    "--master-key",
                    key.to_str().unwrap(),
                ],
                "",
            );
            assert!(out.status.success(), "{}", text(&out));
            let shown = tillctl(t.path(), &["recovery", "challenge"], "");
            assert!(shown.status.success(), "{}", text(&shown));
            let out = tillctl(
                t.path(),
                &["recovery", "redeem", "--operator", number],
                &format!("000000000000\n{new}\n{new}\n"),
            );
            answers.push((number, new, out.status.code(), text(&out)));
            assert_eq!(recovery_failures(&svc), 1, "{number}/{new}: counted");
            assert_eq!(attempts_audited(&svc), 1, "{number}/{new}: audited");
        }
    }
    let first = &answers[0];
    assert_eq!(first.2, Some(1), "{}", first.3);
    assert!(first.3.contains("wrong recovery code"), "{}", first.3);
    for a in &answers {
        assert_eq!((a.2, &a.3), (first.2, &first.3), "{} / {}", a.0, a.1);
    }
}

#[test]
fn every_attempt_counts_even_without_a_challenge_or_after_expiry() {
    let (_t, svc, c) = till();
    let code = desk(&c);
    svc.recovery_redeem(
        &cli_actor(),
        id(0),
        &code,
        &s("Fresh-Admin-42"),
        &s("Fresh-Admin-42"),
    )
    .unwrap();
    assert_eq!(
        recovery_failures(&svc),
        0,
        "a right code clears the throttle"
    );
    // Spent: no challenge now. Still counted and audited.
    let before = attempts_audited(&svc);
    assert!(
        svc.recovery_redeem(&cli_actor(), id(42), &code, &s("x"), &s("x"))
            .is_err()
    );
    assert_eq!(recovery_failures(&svc), 1);
    assert_eq!(attempts_audited(&svc), before + 1);
}

#[test]
fn the_new_password_is_checked_only_after_the_code_and_the_code_survives_it() {
    let (_t, svc, c) = till();
    let code = desk(&c);
    // The right code with a too-short password: the rule is named now
    // (the code proved who is asking), and the code is not spent.
    match svc.recovery_redeem(&cli_actor(), id(0), &code, &s("short"), &s("short")) {
        Err(ServiceError::Till(TillError::Rejected(_))) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(recovery_failures(&svc), 0, "no penalty for a right code");
    svc.recovery_redeem(
        &cli_actor(),
        id(0),
        &code,
        &s("Fresh-Admin-42"),
        &s("Fresh-Admin-42"),
    )
    .unwrap();
    assert!(
        svc.authenticate(&cli_actor(), id(0), &s("Fresh-Admin-42"))
            .unwrap()
            .signed_in()
    );
}

#[test]
fn recovery_never_enables_a_disabled_admin() {
    let (_t, svc, c) = till();
    let code = desk(&c);
    assert!(
        svc.recovery_redeem(
            &cli_actor(),
            id(2),
            &code,
            &s("Fresh-Admin-42"),
            &s("Fresh-Admin-42")
        )
        .is_err()
    );
    let op = svc.operator(id(2)).unwrap();
    assert!(!op.enabled, "still disabled");
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(2), &s("Fresh-Admin-42"))
            .unwrap(),
        till_kiosk::core::AuthOutcome::Wrong { .. }
    ));
    // The code was not spent on it: the enabled admin can still use it.
    svc.recovery_redeem(
        &cli_actor(),
        id(0),
        &code,
        &s("Fresh-Admin-42"),
        &s("Fresh-Admin-42"),
    )
    .unwrap();
}
