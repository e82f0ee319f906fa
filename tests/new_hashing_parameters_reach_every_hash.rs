//! When the till's hashing parameters are raised (config `hashing:`),
//! every hash it keeps follows: an operator's at their next right
//! sign-in (the only moment the till has the password), and the dummy
//! hash that unknown numbers are checked against at the next attempt (an
//! old, cheaper dummy would make "no such number" answer faster than a
//! real one: a timing oracle for which numbers exist).
mod common;
use common::*;
use std::path::Path;
use std::sync::Arc;
use till_kiosk::config::parse_config;
use till_kiosk::core::hashing::{HashParams, params_of};
use till_kiosk::core::{AuthOutcome, TillState};
use till_kiosk::service::Service;
use till_kiosk::store::FileStore;

const RAISED: &str = "hashing:\n  memory_kib: 19456\n  iterations: 3\n  parallelism: 1\n";

fn raised() -> HashParams {
    HashParams::new(19_456, 3, 1).unwrap()
}

/// The same till (its directory and clock) restarted with `yaml`.
fn restarted_with(till: &Till, yaml: &str) -> Service {
    let config = parse_config(Path::new("test.yaml"), yaml).unwrap();
    let store = FileStore::new(till.path(), config.rotation());
    Service::new(Arc::new(store), &config, till.clock.clone())
}

fn state(svc: &Service) -> TillState {
    svc.snapshot().unwrap().unwrap()
}

#[test]
fn a_right_sign_in_rehashes_the_password_with_the_new_parameters() {
    let till = Till::new();
    till.set_up();
    let svc = restarted_with(&till, RAISED);
    let old = state(&svc).operators[&id(1)].password.hash.clone();
    assert_ne!(params_of(&old), Some(raised()), "set up with the default");
    // A wrong password changes nothing (the till does not have the right one).
    let out = svc
        .authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    assert!(matches!(out, AuthOutcome::Wrong { .. }), "{out:?}");
    assert_eq!(state(&svc).operators[&id(1)].password.hash, old);
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    let new = state(&svc).operators[&id(1)].password.hash.clone();
    assert_eq!(params_of(&new), Some(raised()));
    // And the new hash is of the same password.
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    assert_eq!(
        state(&svc).operators[&id(1)].password.hash,
        new,
        "a current hash is kept, not made again at every sign-in"
    );
}

#[test]
fn the_dummy_hash_follows_the_new_parameters() {
    let till = Till::new();
    let svc = till.set_up();
    svc.authenticate(&cli_actor(), id(42), &s("00000000"))
        .unwrap();
    let old = state(&svc).dummy_hash.expect("made at the first attempt");
    assert_ne!(params_of(&old), Some(raised()));
    let svc = restarted_with(&till, RAISED);
    svc.authenticate(&cli_actor(), id(42), &s("00000000"))
        .unwrap();
    let new = state(&svc).dummy_hash.unwrap();
    assert_eq!(params_of(&new), Some(raised()));
    svc.authenticate(&cli_actor(), id(43), &s("00000000"))
        .unwrap();
    assert_eq!(
        state(&svc).dummy_hash.unwrap(),
        new,
        "a current dummy is kept"
    );
}
