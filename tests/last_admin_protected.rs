//! The till can never be left without an enabled admin.
mod common;
use common::*;
use till_kiosk::core::{Actor, Role, TillError};
use till_kiosk::service::ServiceError;

fn refused(r: Result<(), ServiceError>) -> TillError {
    match r {
        Err(ServiceError::Till(e)) => e,
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_last_enabled_admin_cannot_be_removed_or_disabled() {
    let till = Till::new();
    let svc = till.set_up();
    assert!(matches!(
        refused(svc.remove(&cli_actor(), id(0))),
        TillError::LastAdmin(_)
    ));
    assert!(matches!(
        refused(svc.set_enabled(&cli_actor(), id(0), false)),
        TillError::LastAdmin(_)
    ));
    // With a second admin, one may go; then the other is the last again.
    svc.add_operator(&cli_actor(), id(90), "Zhang Min", Role::Admin, None)
        .unwrap();
    svc.set_enabled(&cli_actor(), id(90), false).unwrap();
    assert!(
        matches!(
            refused(svc.remove(&cli_actor(), id(0))),
            TillError::LastAdmin(_)
        ),
        "a disabled admin does not count"
    );
    svc.set_enabled(&cli_actor(), id(90), true).unwrap();
    svc.remove(&cli_actor(), id(0)).unwrap();
    assert!(matches!(
        refused(svc.remove(&cli_actor(), id(90))),
        TillError::LastAdmin(_)
    ));
    // The refusal is audited.
    let log = svc.audit_log().unwrap();
    assert!(
        log.records
            .iter()
            .any(|r| r.event == till_kiosk::core::EventKind::OperatorRemoved
                && r.outcome == till_kiosk::core::Outcome::Refused)
    );
}

#[test]
fn only_enabled_admins_manage_operators() {
    let till = Till::new();
    let svc = till.set_up();
    let cashier = Actor::Operator(id(1));
    assert!(matches!(
        svc.add_operator(&cashier, id(5), "X", Role::Operator, None),
        Err(ServiceError::Till(TillError::NotPermitted(_)))
    ));
    assert!(matches!(
        refused(svc.unlock(&cashier, id(1))),
        TillError::NotPermitted(_)
    ));
    let admin = Actor::Operator(id(0));
    svc.unlock(&admin, id(1)).unwrap();
    // An admin cannot disable themselves while signed in.
    svc.add_operator(&cli_actor(), id(90), "Zhang Min", Role::Admin, None)
        .unwrap();
    assert!(matches!(
        refused(svc.set_enabled(&admin, id(0), false)),
        TillError::SelfTarget
    ));
}

#[test]
fn tillctl_says_why() {
    let till = Till::new();
    till.set_up();
    let out = tillctl(till.path(), &["operator", "remove", "00"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("last enabled admin"), "{}", text(&out));
}
