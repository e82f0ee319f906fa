//! A state directory that cannot be opened is a fault, and stays one until
//! the real directory opens: never an empty stand-in store, never first-boot
//! setup (which would let anyone at the till create admin 00).
mod common;
use common::*;
use std::path::Path;
use std::sync::Arc;
use till_kiosk::config::{Config, Loaded, Source};
use till_kiosk::hw::LogBuzzer;
use till_kiosk::ui::app::{self, AppOptions};
use till_kiosk::ui::controller::Kiosk;
use till_kiosk::ui::view::Screen;

fn kiosk_over(state_dir: &Path) -> Kiosk {
    let opts = AppOptions {
        loaded: Loaded {
            config: Config::default(),
            source: Source::BuiltIn,
        },
        state_dir: state_dir.to_owned(),
        config_error: None,
        fullscreen: false,
        headless: true,
    };
    app::build(&opts, Arc::new(LogBuzzer::new(false))).kiosk
}

#[test]
fn a_directory_that_cannot_be_opened_stays_a_fault_and_never_offers_setup() {
    let tmp = tempfile::tempdir().unwrap();
    // A failed mount seen from the till: the path runs through a plain file.
    let blocker = tmp.path().join("data");
    std::fs::write(&blocker, "not a directory").unwrap();
    let state_dir = blocker.join("till-kiosk");
    let mut k = kiosk_over(&state_dir);
    assert_eq!(k.screen(), Screen::Fault);
    // The health check runs again and again on the fault screen; an
    // unopenable directory must never turn into "a fresh till".
    for _ in 0..3 {
        k.check_health();
        assert_eq!(k.screen(), Screen::Fault, "a fault, never setup");
    }
    let fault = k.view().fault;
    let said = format!("{} {}", fault.detail, fault.action);
    assert!(
        said.contains(&state_dir.display().to_string()) && said.contains("Not a directory"),
        "the fault names the directory and why: {said}"
    );
    // Nothing can be done through the service meanwhile.
    let svc = k.service().clone();
    assert!(svc.is_fresh().is_err(), "not fresh: unknown");
    assert!(
        svc.authenticate(&cli_actor(), id(0), &s(ADMIN_PW)).is_err(),
        "no sign-in"
    );

    // The technician mounts the partition: the same kiosk, unrestarted,
    // finds the real (empty) directory and only now offers setup.
    std::fs::remove_file(&blocker).unwrap();
    std::fs::create_dir_all(&state_dir).unwrap();
    k.check_health();
    assert_eq!(k.screen(), Screen::Setup);
}

#[test]
fn a_directory_with_state_that_cannot_be_read_is_not_fresh() {
    let till = Till::new();
    till.set_up();
    // state.json replaced by a directory of that name: unreadable.
    let state = till.path().join("state.json");
    std::fs::remove_file(&state).unwrap();
    std::fs::create_dir(&state).unwrap();
    let mut k = kiosk_over(till.path());
    assert_eq!(k.screen(), Screen::Fault);
    k.check_health();
    assert_eq!(k.screen(), Screen::Fault);
    assert!(till.service().is_fresh().is_err());
}

#[test]
fn tillctl_names_the_directory_and_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let blocker = tmp.path().join("data");
    std::fs::write(&blocker, "").unwrap();
    let state_dir = blocker.join("till-kiosk");
    let out = tillctl(&state_dir, &["status"], "");
    let t = text(&out);
    assert!(t.contains(&state_dir.display().to_string()), "{t}");
    assert!(t.contains("Not a directory"), "{t}");
    let out = tillctl(&state_dir, &["auth", "00"], &format!("{ADMIN_PW}\n"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
}
