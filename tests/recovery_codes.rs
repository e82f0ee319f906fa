//! Offline recovery: response codes are single-use, bound to the terminal
//! and the challenge, expire, and are rate-limited.
mod common;
use common::*;
use std::sync::Arc;
use std::time::Duration;
use till_kiosk::core::recovery::{Challenge, TillKey};
use till_kiosk::core::{AuthOutcome, TillError};
use till_kiosk::service::ServiceError;

const MASTER: &[u8] = b"service-desk master key, 32 bytes or more!";

fn provisioned() -> (Till, till_kiosk::service::Service) {
    let till = Till::new();
    let svc = till.set_up();
    svc.provision(&cli_actor(), MASTER).unwrap();
    (till, svc)
}

/// What the service desk computes.
fn desk(challenge: &Challenge) -> till_kiosk::core::Secret {
    TillKey::derive(MASTER, &challenge.serial)
        .unwrap()
        .response(challenge)
}

fn redeem(
    svc: &till_kiosk::service::Service,
    code: &till_kiosk::core::Secret,
    new: &str,
) -> Result<(), ServiceError> {
    svc.recovery_redeem(&cli_actor(), id(0), code, &s(new), &s(new))
}

#[test]
fn a_code_sets_the_admin_password_once() {
    let (_till, svc) = provisioned();
    // The admin has locked themselves out.
    for _ in 0..7 {
        svc.authenticate(&cli_actor(), id(0), &s("wrong-password"))
            .unwrap();
    }
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(0), &s(ADMIN_PW)).unwrap(),
        AuthOutcome::Locked { .. }
    ));
    let c = svc.recovery_challenge(&cli_actor()).unwrap();
    assert_eq!(c.serial, "10000000a1b2c3d4");
    let code = desk(&c);
    assert!(code.expose().len() <= 12);
    redeem(&svc, &code, "Fresh-Admin-42").unwrap();
    assert!(
        svc.authenticate(&cli_actor(), id(0), &s("Fresh-Admin-42"))
            .unwrap()
            .signed_in()
    );
    // Used once: the same code does nothing now.
    assert!(matches!(
        redeem(&svc, &code, "Other-Admin-43"),
        Err(ServiceError::Till(TillError::NoChallenge))
    ));
}

#[test]
fn codes_are_bound_to_the_terminal_and_the_challenge() {
    let (_till, svc) = provisioned();
    let c = svc.recovery_challenge(&cli_actor()).unwrap();
    let other_till = Challenge {
        serial: "20000000ffffffff".into(),
        nonce: c.nonce.clone(),
    };
    assert!(matches!(
        redeem(&svc, &desk(&other_till), "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::WrongCode(_)))
    ));
    // A newer challenge replaces the old one, and the old code dies with it.
    let old_code = desk(&c);
    let c2 = svc.recovery_challenge(&cli_actor()).unwrap();
    assert_ne!(c.nonce, c2.nonce);
    assert!(matches!(
        redeem(&svc, &old_code, "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::WrongCode(_)))
    ));
    redeem(&svc, &desk(&c2), "Fresh-Admin-42").unwrap();
}

#[test]
fn codes_expire_after_a_day_of_either_clock() {
    let (till, svc) = provisioned();
    let c = svc.recovery_challenge(&cli_actor()).unwrap();
    till.clock.advance(Duration::from_secs(24 * 3600));
    assert!(matches!(
        redeem(&svc, &desk(&c), "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::ChallengeExpired))
    ));
    // Powered off for a day: the wall clock expires it even if powered-on time does not.
    let c = svc.recovery_challenge(&cli_actor()).unwrap();
    till.clock
        .reboot(Duration::from_secs(25 * 3600), Duration::from_secs(10));
    let svc = till.service();
    assert!(matches!(
        redeem(&svc, &desk(&c), "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::ChallengeExpired))
    ));
}

#[test]
fn wrong_codes_are_rate_limited_and_kill_the_challenge() {
    let (till, svc) = provisioned();
    let c = svc.recovery_challenge(&cli_actor()).unwrap();
    let wrong = s("000000000000");
    for left in [4, 3] {
        match redeem(&svc, &wrong, "Fresh-Admin-42") {
            Err(ServiceError::Till(TillError::WrongCode(Some(n)))) => assert_eq!(n, left),
            other => panic!("{other:?}"),
        }
    }
    // Third wrong code: a wait starts (3 free tries by default).
    assert!(matches!(
        redeem(&svc, &wrong, "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::WrongCode(Some(2))))
    ));
    assert!(matches!(
        redeem(&svc, &desk(&c), "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::RecoveryLocked(300)))
    ));
    till.clock.advance(Duration::from_secs(300));
    assert!(matches!(
        redeem(&svc, &wrong, "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::WrongCode(Some(1))))
    ));
    till.clock.advance(Duration::from_secs(900));
    // The fifth wrong code throws the challenge away.
    assert!(matches!(
        redeem(&svc, &wrong, "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::WrongCode(None)))
    ));
    till.clock.advance(Duration::from_secs(3600));
    assert!(matches!(
        redeem(&svc, &desk(&c), "Fresh-Admin-42"),
        Err(ServiceError::Till(TillError::NoChallenge))
    ));
}

#[test]
fn a_till_whose_serial_changed_must_be_provisioned_again() {
    let (till, _) = provisioned();
    let svc = till.service().with_serial_probe(Arc::new(|| {
        Some((
            "30000000cafe0000".into(),
            till_kiosk::sys::SerialSource::DeviceTree,
        ))
    }));
    assert!(matches!(
        svc.recovery_challenge(&cli_actor()),
        Err(ServiceError::Till(TillError::SerialChanged { .. }))
    ));
}

#[test]
fn the_till_stores_only_its_derived_key() {
    let (till, _) = provisioned();
    let key_file = std::fs::read_to_string(till.path().join("recovery.key")).unwrap();
    let master_hex: String = MASTER.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!key_file.contains(&master_hex));
    for entry in std::fs::read_dir(till.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(MASTER.len()).any(|w| w == MASTER));
    }
}

#[test]
fn end_to_end_with_tillctl() {
    let till = Till::new();
    till.set_up();
    // The desk's own temp dir, never a fixed shared path.
    let desk = tempfile::tempdir().unwrap();
    let key = desk.path().join("master.key");
    std::fs::write(&key, MASTER).unwrap();
    let out = tillctl(
        till.path(),
        &[
            "recovery",
            "provision",
            "--master-key",
            key.to_str().unwrap(),
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = tillctl(till.path(), &["--json", "recovery", "challenge"], "");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let challenge = v["challenge"].as_str().unwrap().to_owned();
    // The desk runs anywhere, with no state directory.
    let out = std::process::Command::new(tillctl_path())
        .args([
            "--json",
            "recovery",
            "respond",
            "--master-key",
            key.to_str().unwrap(),
            &challenge,
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let code = v["response"].as_str().unwrap();
    assert_eq!(code.len(), 12);
    let out = tillctl(
        till.path(),
        &["recovery", "redeem"],
        &format!("{code}\nFresh-Admin-42\nFresh-Admin-42\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = tillctl(till.path(), &["auth", "00"], "Fresh-Admin-42\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let _ = std::fs::remove_file(key);
}
