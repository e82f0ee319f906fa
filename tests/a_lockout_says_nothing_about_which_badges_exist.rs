//! An enrolled badge runs into a lockout ("Try again in 1:00"); an
//! unknown badge must too, with the same words at the same try, whoever
//! the card belongs to (a cashier, an admin, nobody), or a few swipes tell
//! whether a card is enrolled and whose it is. And wrong PINs typed at a
//! number must not show at its owner's badge: lock 01 by hand, swipe, and
//! "Locked" at once would say the card is 01's.
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

#[test]
fn an_admins_badge_is_locked_out_like_a_cashiers_and_a_strangers() {
    let cfg = "lockout:\n  terminal:\n    burst: 20\n    every: 10s\n";
    let tills: Vec<(Till, Option<u8>)> = [Some(0), Some(1), None]
        .into_iter()
        .map(|owner| {
            let t = Till::with_config(cfg);
            let svc = t.set_up();
            if let Some(n) = owner {
                svc.enrol_badge(&cli_actor(), id(n), &s("1234567890"))
                    .unwrap();
            }
            (t, owner)
        })
        .collect();
    // Past the tenth try, where the cashiers' and the admins' schedules
    // part (for good, or a doubling wait).
    let heard: Vec<Vec<String>> = tills
        .iter()
        .map(|(t, _)| {
            (0..12)
                .map(|_| {
                    let a = answers(t, "1234567890", 1).remove(0);
                    // Past any wait, so every try is answered by the schedule.
                    t.clock.advance(std::time::Duration::from_secs(24 * 3600));
                    a
                })
                .collect()
        })
        .collect();
    for (i, (_, owner)) in tills.iter().enumerate() {
        assert_eq!(
            heard[i], heard[2],
            "the badge of {owner:?} against a stranger's"
        );
    }
}

#[test]
fn wrong_pins_typed_at_a_number_say_nothing_at_its_badge() {
    // Two tills where 01 has the card; on one, 01's number is locked by
    // wrong PINs typed at it, on the other the same PINs go to 02, which
    // does not exist.
    let cfg = "lockout:\n  terminal:\n    burst: 20\n    every: 10s\n";
    let swipe_after = |typed_at: u8| {
        let t = Till::with_config(cfg);
        let svc = t.set_up();
        svc.enrol_badge(&cli_actor(), id(1), &s("1234567890"))
            .unwrap();
        for _ in 0..6 {
            let _ = svc.authenticate(&cli_actor(), id(typed_at), &s("11112222"));
        }
        let locked = svc.authenticate(&cli_actor(), id(typed_at), &s("11112222"));
        assert!(
            matches!(locked, Ok(AuthOutcome::Locked { .. })),
            "{locked:?}"
        );
        let heard = answers(&t, "1234567890", 1).remove(0);
        // The owner, with the card and the right PIN, still signs in.
        let o = svc
            .authenticate_badge(&cli_actor(), &s("1234567890"), &s(CASHIER_PW))
            .unwrap();
        assert!(
            o.signed_in(),
            "01 with the card, after 01 was locked by hand: {o:?}"
        );
        heard
    };
    assert_eq!(swipe_after(1), swipe_after(2));
}
