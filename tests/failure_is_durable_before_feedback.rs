//! A failed attempt is on disk before anyone learns the result; if it
//! cannot be written, nothing is checked at all.
mod common;
use common::*;
use std::sync::Arc;
use till_kiosk::config::Config;
use till_kiosk::core::{Actor, AuthOutcome, FakeClock, OperatorId, Role, Secret};
use till_kiosk::service::{Service, ServiceError, Setup};
use till_kiosk::store::MemoryStore;

fn mem_till() -> (Arc<MemoryStore>, Service) {
    let store = Arc::new(MemoryStore::new());
    let svc = Service::new(
        store.clone(),
        &Config::default(),
        Arc::new(FakeClock::at_default()),
    );
    let a = Actor::Cli {
        uid: 0,
        user: "t".into(),
    };
    let pw = Secret::from(ADMIN_PW);
    let setup = Setup {
        admin: OperatorId::FIRST_ADMIN,
        name: "Boss",
        terminal_name: None,
        password: &pw,
        confirm: &pw,
    };
    svc.init(&a, &setup, false).unwrap();
    svc.add_operator(&a, id(1), "Li Wei", Role::Operator, Some(s("58271946")))
        .unwrap();
    (store, svc)
}

#[test]
fn the_failure_is_saved_before_the_password_is_checked() {
    let (store, svc) = mem_till();
    let before = store.saves();
    let out = svc
        .authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    assert!(matches!(out, AuthOutcome::Wrong { .. }));
    assert_eq!(
        store.saves(),
        before + 1,
        "one durable write, before the answer"
    );
    assert_eq!(store.snapshot().unwrap().lockouts[&id(1)].failures, 1);
}

#[test]
fn if_the_failure_cannot_be_written_no_password_is_checked() {
    let (store, svc) = mem_till();
    store.fail_saves(true);
    // Even the right password gets an error, not a sign-in.
    match svc.authenticate(&cli_actor(), id(1), &s("58271946")) {
        Err(ServiceError::Store(_)) => {}
        other => panic!("{other:?}"),
    }
    store.fail_saves(false);
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s("58271946"))
            .unwrap()
            .signed_in()
    );
}
