//! An enrolled badge runs into its operator's lockout ("Try again in
//! 1:00"); an unknown badge must too, with the same words at the same try,
//! or five swipes tell whether a card is enrolled.
mod common;
use common::*;
use till_kiosk::core::AuthOutcome;
use till_kiosk::core::i18n::{Lang, Localized};

/// What the till answers to `n` swipes of `card` with a wrong PIN, worded
/// as the screen words it.
fn answers(till: &Till, card: &str, n: usize) -> Vec<String> {
    let svc = till.service();
    (0..n)
        .map(|_| {
            let o = svc
                .authenticate_badge(&cli_actor(), &s(card), &s("11112222"))
                .unwrap();
            assert!(!matches!(o, AuthOutcome::Ok { .. }), "{o:?}");
            format!("{:?} | {}", o, o.message(Lang::En))
        })
        .collect()
}

#[test]
fn an_unknown_badge_is_locked_out_like_an_enrolled_one() {
    // Two identical tills; on one the card is 01's, on the other nobody's.
    // A generous till-wide rate, so only the badge's own counter speaks.
    let cfg = "lockout:\n  terminal:\n    burst: 20\n    every: 10s\n";
    let enrolled = Till::with_config(cfg);
    enrolled
        .set_up()
        .enrol_badge(&cli_actor(), id(1), &s("1234567890"))
        .unwrap();
    let unknown = Till::with_config(cfg);
    unknown.set_up();
    let known = answers(&enrolled, "1234567890", 8);
    let stranger = answers(&unknown, "1234567890", 8);
    assert_eq!(known, stranger);
    assert!(
        known.iter().any(|a| a.starts_with("Locked")),
        "the enrolled badge never locked: {known:#?}"
    );
    // Another unknown card has a counter of its own.
    assert!(answers(&unknown, "5555666677", 1)[0].starts_with("Wrong"));
}

#[test]
fn the_wait_of_an_unknown_badge_survives_a_restart() {
    let till = Till::new();
    till.set_up();
    let a = answers(&till, "9876543210", 8);
    let locked = a
        .iter()
        .position(|x| x.starts_with("Locked"))
        .expect("locked");
    // A fresh process (a new Service on the same directory) says the same.
    let after = answers(&till, "9876543210", 1);
    assert!(
        after[0].starts_with("Locked"),
        "{a:#?} then {after:?} (locked at {locked})"
    );
}
