//! A failed attempt is on disk before anyone learns the result; if it
//! cannot be written, nothing is checked at all.
mod common;
use common::*;
use std::sync::Arc;
use till_kiosk::config::Config;
use till_kiosk::core::trace::{self, Step};
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

/// Verifications made so far on this thread (a test-only counter).
fn verifications() -> u64 {
    till_kiosk::core::hashing::hooks::verifications()
}

#[test]
fn the_failure_is_saved_before_the_password_is_checked() {
    let (store, svc) = mem_till();
    // At each save, note how many passwords had been checked by then.
    let at_saves = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = at_saves.clone();
    store.on_save(move || log.lock().unwrap().push(verifications()));
    let before_saves = store.saves();
    let before = verifications();
    let out = svc
        .authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    assert!(matches!(out, AuthOutcome::Wrong { .. }));
    assert_eq!(
        store.saves(),
        before_saves + 1,
        "one durable write, before the answer"
    );
    assert_eq!(
        *at_saves.lock().unwrap(),
        vec![before],
        "the failure was written before any password was checked"
    );
    assert_eq!(verifications(), before + 1, "then checked once");
    assert_eq!(store.snapshot().unwrap().lockouts[&id(1)].failures, 1);
    // A right password: written as a failure first too, then undone.
    at_saves.lock().unwrap().clear();
    let before = verifications();
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s("58271946"))
            .unwrap()
            .signed_in()
    );
    assert_eq!(*at_saves.lock().unwrap(), vec![before, before + 1]);
}

#[test]
fn if_the_failure_cannot_be_written_no_password_is_checked() {
    let (store, svc) = mem_till();
    store.fail_saves(true);
    let before = verifications();
    // Even the right password gets an error, not a sign-in.
    match svc.authenticate(&cli_actor(), id(1), &s("58271946")) {
        Err(ServiceError::Store(_)) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(verifications(), before, "no password was checked at all");
    store.fail_saves(false);
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s("58271946"))
            .unwrap()
            .signed_in()
    );
    assert_eq!(verifications(), before + 1);
}

/// The steps a durable replacement of `file` makes, in order: its data
/// flushed before the rename, the old copy kept, the directory flushed
/// after it (without that flush a power cut can undo the rename).
fn durable_replace(file: &str) -> Vec<Step> {
    vec![
        Step::Write(file.into()),
        Step::SyncFile(file.into()),
        Step::KeepPrev(file.into()),
        Step::Rename(file.into()),
        Step::SyncDir,
    ]
}

/// Where `steps` holds `run` as one unbroken run, if it does.
fn find_run(steps: &[Step], run: &[Step]) -> Option<usize> {
    steps.windows(run.len()).position(|w| w == run)
}

#[test]
fn on_the_disk_the_failure_is_flushed_renamed_and_its_directory_flushed_before_the_check() {
    let till = Till::new();
    let svc = till.set_up();
    trace::start();
    let out = svc
        .authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    let steps = trace::take();
    assert!(matches!(out, AuthOutcome::Wrong { .. }), "{out:?}");
    let checks: Vec<usize> = (0..steps.len())
        .filter(|&i| steps[i] == Step::Verify)
        .collect();
    assert_eq!(checks.len(), 1, "one password check: {steps:?}");
    let written = find_run(&steps, &durable_replace("state.json"))
        .unwrap_or_else(|| panic!("no durable write of state.json in {steps:?}"));
    assert!(
        written < checks[0],
        "the failure was durable before its password was checked: {steps:?}"
    );
    // The audit line says what the check decided, so it comes after it.
    let audited = steps
        .iter()
        .position(|s| *s == Step::SyncFile("audit.log".into()));
    assert!(
        audited.is_some_and(|a| a > checks[0]),
        "the attempt's outcome was flushed to the audit log: {steps:?}"
    );
}

#[test]
fn on_the_disk_a_right_password_is_written_as_a_failure_first_then_undone() {
    let till = Till::new();
    let svc = till.set_up();
    trace::start();
    let out = svc
        .authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap();
    let steps = trace::take();
    assert!(out.signed_in(), "{out:?}");
    let check = steps
        .iter()
        .position(|s| *s == Step::Verify)
        .unwrap_or_else(|| panic!("no password check in {steps:?}"));
    let run = durable_replace("state.json");
    let before = find_run(&steps[..check], &run);
    let after = find_run(&steps[check..], &run);
    assert!(
        before.is_some() && after.is_some(),
        "a durable write before the check (the failure) and one after (its undoing): {steps:?}"
    );
}
