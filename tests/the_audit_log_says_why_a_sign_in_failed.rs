//! The till answers every failed sign-in with the same "wrong"; only the
//! audit log, which the admin reads, says why. Each reason must be said
//! exactly when it is true: a log that calls a mistyped PIN "a disabled
//! operator's right password" (or "badge missing", or "a badge nobody
//! has") sends the owner after the wrong person.
mod common;
use common::*;
use till_kiosk::core::{Actor, AuditDetail, AuthOutcome, Outcome};

/// The reasons the last audit line gives: (disabled operator, badge
/// missing, unknown badge).
fn last_reasons(till: &Till) -> (bool, bool, bool) {
    let log = till.service().audit_log().unwrap();
    let last = log.records.last().unwrap().clone();
    assert_eq!(last.outcome, Outcome::Failed, "{last:?}");
    match last.detail {
        Some(AuditDetail::Wrong {
            disabled_operator,
            badge_missing,
            unknown_badge,
            ..
        }) => (disabled_operator, badge_missing, unknown_badge),
        other => panic!("not a wrong sign-in: {other:?}"),
    }
}

const BADGE: &str = "1234567890";

/// A set-up till where 01 has a badge.
fn till_with_badge() -> Till {
    let till = Till::new();
    till.set_up()
        .enrol_badge(&cli_actor(), id(1), &s(BADGE))
        .unwrap();
    till
}

#[test]
fn a_wrong_password_is_only_wrong() {
    let till = till_with_badge();
    let out = till
        .service()
        .authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    assert!(matches!(out, AuthOutcome::Wrong { .. }), "{out:?}");
    assert_eq!(last_reasons(&till), (false, false, false));
}

#[test]
fn a_wrong_password_at_a_disabled_number_is_not_called_its_right_one() {
    let till = till_with_badge();
    let svc = till.service();
    svc.set_enabled(&cli_actor(), id(1), false).unwrap();
    svc.authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    assert_eq!(last_reasons(&till), (false, false, false));
    svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap();
    assert_eq!(last_reasons(&till), (true, false, false));
}

#[test]
fn a_right_password_without_the_required_badge_says_badge_missing() {
    let till = till_with_badge();
    let svc = till.service();
    let mut p = svc.policy().unwrap();
    p.require_badge.operator = true;
    svc.set_policy(&cli_actor(), &p).unwrap();
    let out = svc
        .authenticate(&Actor::Kiosk, id(1), &s(CASHIER_PW))
        .unwrap();
    assert!(matches!(out, AuthOutcome::Wrong { .. }), "{out:?}");
    assert_eq!(last_reasons(&till), (false, true, false));
}

#[test]
fn a_known_badge_with_a_wrong_pin_is_not_called_unknown() {
    let till = till_with_badge();
    let svc = till.service();
    svc.authenticate_badge(&Actor::Kiosk, &s(BADGE), &s("00000000"))
        .unwrap();
    assert_eq!(last_reasons(&till), (false, false, false));
    svc.authenticate_badge(&Actor::Kiosk, &s("9999999999"), &s("00000000"))
        .unwrap();
    assert_eq!(last_reasons(&till), (false, false, true));
}
