//! The policy as an operator meets it when changing a password: every
//! class of weak password is refused with its own reason, in both
//! languages; history and expiry work with the fake clock.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::core::{AuthOutcome, Lang, Localized, MustChange, Rejection, TillError};
use till_kiosk::service::ServiceError;

fn change(svc: &till_kiosk::service::Service, old: &str, new: &str) -> Result<(), Rejection> {
    match svc.change_password(&cli_actor(), id(1), &s(old), &s(new), &s(new)) {
        Ok(()) => Ok(()),
        Err(ServiceError::Till(TillError::Rejected(r))) => Err(r),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn each_class_of_weak_password_has_its_reason() {
    let till = Till::new();
    let svc = till.set_up();
    let cases = [
        ("12345", Rejection::TooShort { min: 6 }),
        ("4815a2", Rejection::DigitsOnly),
        ("990000", Rejection::IdenticalRun { max: 3 }),
        ("904567", Rejection::SequentialRun { max: 3 }),
        ("383838", Rejection::RepeatingPattern),
        ("881231", Rejection::LooksLikeDate),
        ("950194", Rejection::ContainsNumber),
        ("147258", Rejection::Blocklisted),
        ("1314520", Rejection::Blocklisted),
        ("159753", Rejection::Blocklisted),
        (CASHIER_PW, Rejection::SameAsOld),
    ];
    for (pw, reason) in cases {
        assert_eq!(change(&svc, CASHIER_PW, pw), Err(reason.clone()), "{pw}");
        assert!(!reason.message(Lang::Zh).is_ascii());
    }
    // Policy refusals cost no try: the cashier is not locked after eleven.
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    assert_eq!(
        svc.change_password(
            &cli_actor(),
            id(1),
            &s(CASHIER_PW),
            &s("58271946"),
            &s("58271964")
        )
        .unwrap_err()
        .to_string(),
        "password refused: the two new passwords do not match"
    );
}

#[test]
fn a_wrong_old_password_is_a_failed_attempt() {
    let till = Till::new();
    let svc = till.set_up();
    let err = svc
        .change_password(
            &cli_actor(),
            id(1),
            &s("00000000"),
            &s("58271946"),
            &s("58271946"),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Till(TillError::Auth(AuthOutcome::Wrong { .. }))
        ),
        "{err}"
    );
    assert_eq!(svc.operator(id(1)).unwrap().failures, 1);
}

#[test]
fn the_last_four_passwords_cannot_be_reused() {
    let till = Till::new();
    let svc = till.set_up();
    // set_up gave 01 the first password 58271946, then CASHIER_PW.
    assert_eq!(
        change(&svc, CASHIER_PW, "58271946"),
        Err(Rejection::RecentlyUsed { history: 4 })
    );
    let mut cur = CASHIER_PW.to_owned();
    for pw in ["61839274", "72946183", "83917264", "94718263"] {
        change(&svc, &cur, pw).unwrap();
        cur = pw.into();
    }
    // CASHIER_PW is 4 back: still remembered; 58271946 is 5 back: free again.
    assert_eq!(
        change(&svc, &cur, CASHIER_PW),
        Err(Rejection::RecentlyUsed { history: 4 })
    );
    change(&svc, &cur, "58271946").unwrap();
    change(&svc, "58271946", CASHIER_PW).unwrap();
}

#[test]
fn passwords_warn_then_expire_and_must_be_changed() {
    let till = Till::new();
    let svc = till.set_up();
    till.clock.advance(Duration::from_secs(84 * 86_400));
    match svc
        .authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap()
    {
        AuthOutcome::Ok {
            expires_in_days, ..
        } => assert_eq!(expires_in_days, Some(6)),
        o => panic!("{o:?}"),
    }
    till.clock.advance(Duration::from_secs(6 * 86_400));
    match svc
        .authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
        .unwrap()
    {
        AuthOutcome::MustChange { reason, .. } => assert_eq!(reason, MustChange::Expired),
        o => panic!("{o:?}"),
    }
    assert_eq!(
        svc.operator(id(1)).unwrap().status,
        till_kiosk::core::OperatorStatus::MustChange {
            reason: MustChange::Expired
        }
    );
    change(&svc, CASHIER_PW, "61839274").unwrap();
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(1), &s("61839274"))
            .unwrap(),
        AuthOutcome::Ok {
            expires_in_days: None,
            ..
        }
    ));
    let kinds: Vec<_> = svc
        .audit_log()
        .unwrap()
        .records
        .iter()
        .map(|r| r.event)
        .collect();
    assert!(kinds.contains(&till_kiosk::core::EventKind::PasswordExpired));
}

#[test]
fn reset_and_first_passwords_must_be_changed() {
    let till = Till::new();
    let svc = till.set_up();
    let temp = svc.reset_password(&cli_actor(), id(1)).unwrap();
    assert!(temp.expose().len() >= 8 && temp.expose().bytes().all(|b| b.is_ascii_digit()));
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(1), &temp).unwrap(),
        AuthOutcome::MustChange {
            reason: MustChange::Reset,
            ..
        }
    ));
    let first = svc
        .add_operator(
            &cli_actor(),
            id(2),
            "Zhou Min",
            till_kiosk::core::Role::Operator,
            None,
        )
        .unwrap();
    assert!(matches!(
        svc.authenticate(&cli_actor(), id(2), &first).unwrap(),
        AuthOutcome::MustChange {
            reason: MustChange::First,
            ..
        }
    ));
}

#[test]
fn stronger_hash_parameters_rehash_at_next_sign_in() {
    let till = Till::new();
    till.set_up();
    let stronger = Till {
        dir: till.dir,
        clock: till.clock.clone(),
        config: till_kiosk::config::parse_config(
            std::path::Path::new("x"),
            "hashing:\n  memory_kib: 19456\n  iterations: 3\n  parallelism: 1\n",
        )
        .unwrap(),
    };
    let svc = stronger.service();
    let hash = |svc: &till_kiosk::service::Service| {
        svc.snapshot().unwrap().unwrap().operators[&id(1)]
            .password
            .hash
            .clone()
    };
    assert!(hash(&svc).contains("t=2"));
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    assert!(hash(&svc).contains("t=3"), "{}", hash(&svc));
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
}

#[test]
fn an_admin_may_tighten_the_policy_but_not_loosen_it() {
    let till = Till::new();
    let svc = till.set_up();
    let mut p = svc.policy().unwrap();
    p.operator_length.min = 4;
    p.blocklist = false;
    p.history = 8;
    let eff = svc.set_policy(&cli_actor(), &p).unwrap();
    assert_eq!(eff.operator_length.min, 6);
    assert!(eff.blocklist);
    assert_eq!(eff.history, 8);
    assert_eq!(svc.policy().unwrap(), eff);
}
