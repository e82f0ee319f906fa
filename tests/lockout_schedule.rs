//! The default lockout schedule, as the sign-in screen and tillctl see it.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::core::AuthOutcome;
use till_kiosk::core::lockout::{Gate, Penalty};

fn wrong(svc: &till_kiosk::service::Service, n: u8) -> AuthOutcome {
    svc.authenticate(&cli_actor(), id(n), &s("00000000"))
        .unwrap()
}

#[test]
fn five_free_tries_then_escalating_waits_then_admin_unlock() {
    let till = Till::new();
    let svc = till.set_up();
    for left in (1..=4).rev() {
        assert_eq!(
            wrong(&svc, 1),
            AuthOutcome::Wrong {
                penalty: Penalty::TriesLeft { tries_left: left }
            }
        );
    }
    let mut expected = vec![60, 300, 900, 1800, 3600].into_iter();
    // 5th failure: 1 min; then each failure after the wait: 5, 15, 30, 60 min.
    for _ in 0..5 {
        let secs = expected.next().unwrap();
        assert_eq!(
            wrong(&svc, 1),
            AuthOutcome::Wrong {
                penalty: Penalty::Wait { secs }
            }
        );
        // While the wait runs, attempts are refused without checking, even the right password.
        assert_eq!(
            svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
                .unwrap(),
            AuthOutcome::Locked { secs }
        );
        till.clock.advance(Duration::from_secs(secs - 1));
        assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 1 });
        till.clock.advance(Duration::from_secs(1));
        assert_eq!(svc.gate(id(1)).unwrap(), Gate::Open);
    }
    // The 10th consecutive failure locks the cashier until an admin unlocks.
    assert_eq!(
        wrong(&svc, 1),
        AuthOutcome::Wrong {
            penalty: Penalty::UntilAdmin
        }
    );
    till.clock.advance(Duration::from_secs(7 * 24 * 3600));
    assert_eq!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap(),
        AuthOutcome::LockedUntilAdmin
    );
    svc.unlock(&cli_actor(), id(1)).unwrap();
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
}

#[test]
fn a_success_resets_the_count() {
    let till = Till::new();
    let svc = till.set_up();
    for _ in 0..4 {
        wrong(&svc, 1);
    }
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
    assert_eq!(
        wrong(&svc, 1),
        AuthOutcome::Wrong {
            penalty: Penalty::TriesLeft { tries_left: 4 }
        }
    );
}

#[test]
fn admins_are_never_locked_for_good_but_wait_up_to_a_day() {
    let till = Till::new();
    let svc = till.set_up();
    let mut last = 0;
    for n in 1..=20u32 {
        match wrong(&svc, 0) {
            AuthOutcome::Wrong {
                penalty: Penalty::TriesLeft { .. },
            } => assert!(n < 5),
            AuthOutcome::Wrong {
                penalty: Penalty::Wait { secs },
            } => {
                assert!(secs >= last && secs <= 24 * 3600, "failure {n}: {secs}");
                last = secs;
                till.clock.advance(Duration::from_secs(secs));
            }
            other => panic!("failure {n}: {other:?}"),
        }
    }
    assert_eq!(last, 24 * 3600);
    assert!(
        svc.authenticate(&cli_actor(), id(0), &s(ADMIN_PW))
            .unwrap()
            .signed_in()
    );
}

#[test]
fn the_schedule_is_configurable() {
    // Within the floors: the 10th failure in a row must mean at least 30
    // minutes (or a lock until an admin unlocks).
    let till = Till::with_config(
        "lockout:\n  operator:\n    free_tries: 2\n    waits: [10s, 30m]\n    lock_until_admin_after: 0\n",
    );
    let svc = till.set_up();
    assert_eq!(
        wrong(&svc, 1),
        AuthOutcome::Wrong {
            penalty: Penalty::TriesLeft { tries_left: 1 }
        }
    );
    assert_eq!(
        wrong(&svc, 1),
        AuthOutcome::Wrong {
            penalty: Penalty::Wait { secs: 10 }
        }
    );
    till.clock.advance(Duration::from_secs(10));
    assert_eq!(
        wrong(&svc, 1),
        AuthOutcome::Wrong {
            penalty: Penalty::Wait { secs: 1800 }
        }
    );
    for _ in 0..20 {
        till.clock.advance(Duration::from_secs(1800));
        // lock_until_admin_after: 0 never locks for good; the last wait repeats.
        assert_eq!(
            wrong(&svc, 1),
            AuthOutcome::Wrong {
                penalty: Penalty::Wait { secs: 1800 }
            }
        );
    }
}
