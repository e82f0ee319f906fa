//! Damaged state never means "no password" or "unlocked": sign-in is
//! refused, the file is named and kept, and a technician can recover.
mod common;
use common::*;
use std::fs;
use till_kiosk::service::{Health, ServiceError};
use till_kiosk::store::StoreError;

fn damaged(f: impl Fn(&[u8]) -> Vec<u8>) -> (Till, Vec<u8>) {
    let till = Till::new();
    till.set_up();
    let path = till.path().join("state.json");
    let bad = f(&fs::read(&path).unwrap());
    fs::write(&path, &bad).unwrap();
    (till, bad)
}

fn assert_fails_closed(till: &Till, bad: &[u8]) {
    let svc = till.service();
    let mut refusal = String::new();
    for pw in [CASHIER_PW, "", "00000000"] {
        match svc.authenticate(&cli_actor(), id(1), &s(pw)) {
            Err(ServiceError::Store(
                e @ (StoreError::Corrupt { .. } | StoreError::NewerFormat { .. }),
            )) => {
                assert!(e.to_string().contains("state.json"), "names the file: {e}");
                refusal = e.to_string();
            }
            other => panic!("sign-in must be refused for the bad file, got {other:?}"),
        }
    }
    // Not mistaken for a fresh till either (first-boot setup would hand it
    // to anyone): the very same error about the file.
    match svc.is_fresh() {
        Err(ServiceError::Store(e)) => assert_eq!(e.to_string(), refusal),
        other => panic!("is_fresh must report the bad file, got {other:?}"),
    }
    assert!(matches!(svc.status().health, Health::Error { .. }));
    // The bad file is still there, untouched.
    assert_eq!(fs::read(till.path().join("state.json")).unwrap(), bad);
}

#[test]
fn truncated_file() {
    let (till, bad) = damaged(|b| b[..b.len() / 2].to_vec());
    assert_fails_closed(&till, &bad);
}

#[test]
fn empty_file() {
    let (till, bad) = damaged(|_| Vec::new());
    assert_fails_closed(&till, &bad);
}

#[test]
fn garbage_file() {
    let (till, bad) = damaged(|_| (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect());
    assert_fails_closed(&till, &bad);
}

#[test]
fn one_changed_byte() {
    let (till, bad) = damaged(|b| {
        let mut b = b.to_vec();
        let i = b.len() - 40;
        b[i] = if b[i] == b'a' { b'b' } else { b'a' };
        b
    });
    assert_fails_closed(&till, &bad);
}

#[test]
fn deleted_state_with_history_is_not_a_fresh_till() {
    let till = Till::new();
    till.set_up();
    fs::remove_file(till.path().join("state.json")).unwrap();
    let svc = till.service();
    assert!(matches!(
        svc.is_fresh(),
        Err(ServiceError::Store(StoreError::Missing { .. }))
    ));
}

#[test]
fn unreadable_file() {
    let till = Till::new();
    till.set_up();
    let path = till.path().join("state.json");
    // A directory where the file should be: refused as not a regular file.
    fs::remove_file(&path).unwrap();
    fs::create_dir(&path).unwrap();
    let svc = till.service();
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW)),
        Err(ServiceError::Store(StoreError::NotAFile(p))) if p == path
    ));
}

#[test]
fn restore_brings_back_the_previous_good_copy_and_keeps_the_bad_one() {
    let (till, bad) = damaged(|b| b[..10].to_vec());
    let out = tillctl(till.path(), &["state", "restore"], "");
    assert!(out.status.success(), "{}", text(&out));
    let kept: Vec<_> = fs::read_dir(till.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("state.json.bad-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(fs::read(&kept[0]).unwrap(), bad);
    // The previous copy is one write older: from before 01's password
    // change, so 01 signs in with the first password and must change it.
    let svc = till.service();
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(1), &s("58271946"))
            .unwrap(),
        till_kiosk::core::AuthOutcome::MustChange { .. }
    ));
}

#[test]
fn tillctl_reports_the_file_and_exits_3() {
    let (till, _) = damaged(|b| b[..b.len() - 5].to_vec());
    let out = tillctl(till.path(), &["auth", "01"], &format!("{CASHIER_PW}\n"));
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("state.json is corrupt"), "{t}");
    assert!(t.contains("tillctl state restore"), "{t}");
    let out = tillctl(till.path(), &["init", "--force"], &format!("{ADMIN_PW}\n"));
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("kept as"), "{}", text(&out));
}
