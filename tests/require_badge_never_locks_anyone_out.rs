//! With `require_badge` on, the password alone gets nothing at the till:
//! but the operator must still be able to do what they must (change the
//! temporary password after signing in with their badge, approve with a
//! badge swipe), and tillctl, which cannot take a badge, must say so
//! plainly instead of counting failures into a lockout.
mod common;
use common::*;
use till_kiosk::core::{AuthOutcome, Role};

/// A till whose cashiers (01) sign in with their badge.
fn badge_till() -> Till {
    let till = Till::new();
    let svc = till.set_up();
    svc.enrol_badge(&cli_actor(), id(1), &s("1234567890"))
        .unwrap();
    let mut p = svc.policy().unwrap();
    p.require_badge.operator = true;
    svc.set_policy(&cli_actor(), &p).unwrap();
    till
}

fn failures(till: &Till, n: u8) -> u32 {
    till.service().operator(id(n)).unwrap().failures
}

#[test]
fn tillctl_says_the_operator_signs_in_with_a_badge_and_counts_nothing() {
    let till = badge_till();
    let temp = till.service().reset_password(&cli_actor(), id(1)).unwrap();
    let temp = temp.expose().to_owned();
    for (args, stdin) in [
        (
            vec!["passwd", "01"],
            format!("{temp}\n61724938\n61724938\n"),
        ),
        (vec!["auth", "01"], format!("{temp}\n")),
    ] {
        for _ in 0..6 {
            let out = tillctl(till.path(), &args, &stdin);
            assert_eq!(out.status.code(), Some(1), "{args:?}: {}", text(&out));
            assert!(
                text(&out).contains("signs in with a badge"),
                "{args:?}: {}",
                text(&out)
            );
        }
    }
    assert_eq!(failures(&till, 1), 0, "tillctl counted failures");
    // The badge and the temporary password still work at the till.
    let o = till
        .service()
        .authenticate_badge(&till_kiosk::core::Actor::Kiosk, &s("1234567890"), &s(&temp))
        .unwrap();
    assert!(matches!(o, AuthOutcome::MustChange { .. }), "{o:?}");
}

#[test]
fn the_forced_change_after_a_badge_sign_in_works() {
    let till = badge_till();
    let svc = till.service();
    let temp = svc.reset_password(&cli_actor(), id(1)).unwrap();
    let o = svc
        .authenticate_badge(&till_kiosk::core::Actor::Kiosk, &s("1234567890"), &temp)
        .unwrap();
    assert!(matches!(o, AuthOutcome::MustChange { .. }), "{o:?}");
    svc.change_password_after_badge(id(1), &temp, &s("61724938"), &s("61724938"))
        .unwrap();
    let o = svc
        .authenticate_badge(
            &till_kiosk::core::Actor::Kiosk,
            &s("1234567890"),
            &s("61724938"),
        )
        .unwrap();
    assert!(matches!(o, AuthOutcome::Ok { .. }), "{o:?}");
    // Typed without the badge, the new password still gets nothing.
    let o = svc
        .authenticate(&till_kiosk::core::Actor::Kiosk, id(1), &s("61724938"))
        .unwrap();
    assert!(matches!(o, AuthOutcome::Wrong { .. }), "{o:?}");
}

#[test]
fn a_role_without_the_rule_is_not_affected() {
    let till = badge_till();
    let svc = till.service();
    svc.add_operator(
        &cli_actor(),
        id(9),
        "Boss",
        Role::Admin,
        Some(s("7Rq2m9xKp!b")),
    )
    .unwrap();
    let out = tillctl(till.path(), &["auth", "00"], &format!("{ADMIN_PW}\n"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_supervisor_who_needs_a_badge_approves_with_a_swipe() {
    use common::headless::{ADMIN_PIN, spaced, start_with_api, wait_until};
    use std::io::{BufRead, BufReader, Write};
    let (mut k, sock) =
        start_with_api("policy:\n  require_badge: {admin: true, operator: false}\n");
    let out = common::tillctl(&k.path("state"), &["operator", "badge", "00"], "A1B2C3\n");
    assert!(out.status.success(), "{}", common::text(&out));
    let mut c = BufReader::new(std::os::unix::net::UnixStream::connect(&sock).unwrap());
    c.get_ref()
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    writeln!(
        c.get_mut(),
        r#"{{"v":1,"id":1,"op":"approve","action":"void","amount":"12.50"}}"#
    )
    .unwrap();
    wait_until(
        std::time::Duration::from_secs(10),
        || !k.state()["approval"].is_null(),
        || "the approval never showed".to_owned(),
    );
    // The PIN alone is a wrong answer, as at sign-in.
    k.send(&format!("0 0 {} ENTER", spaced(ADMIN_PIN)));
    assert!(
        k.state()["approval"].is_string(),
        "approved without the badge"
    );
    // The swipe, then the PIN.
    k.send("CLEAR UP CLEAR");
    assert_eq!(k.send("BADGE A1B2C3"), "ok");
    k.send(&format!("{} ENTER", spaced(ADMIN_PIN)));
    let mut line = String::new();
    c.read_line(&mut line).unwrap();
    let r: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(r["result"], "approved", "{r}");
    assert_eq!(r["by"]["operator"], "00", "{r}");
    assert_eq!(k.stop().code(), Some(0));
}
