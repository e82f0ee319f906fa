//! A lockout counts powered-on time only: no reboot, power cut or wall-clock
//! change shortens it.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::core::AuthOutcome;
use till_kiosk::core::lockout::Gate;

fn lock_for_a_minute(till: &Till) {
    let svc = till.set_up();
    for _ in 0..5 {
        svc.authenticate(&cli_actor(), id(1), &s("00000000"))
            .unwrap();
    }
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
}

#[test]
fn reboot_and_power_off_do_not_count() {
    let till = Till::new();
    lock_for_a_minute(&till);
    till.clock.advance(Duration::from_secs(10));
    // The power is cut for a whole day; the till boots and is up 5 s later.
    till.clock
        .reboot(Duration::from_secs(24 * 3600), Duration::from_secs(5));
    let svc = till.service(); // a new process reading the same files
    // 15 s of powered-on time have passed, but the 10 s before the cut were
    // never checkpointed: the wait grows by them, it never shrinks.
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 55 });
    assert_eq!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap(),
        AuthOutcome::Locked { secs: 55 }
    );
    till.clock.advance(Duration::from_secs(55));
    assert!(
        svc.authenticate(&cli_actor(), id(1), &s(CASHIER_PW))
            .unwrap()
            .signed_in()
    );
}

#[test]
fn wall_clock_jumps_either_way_change_nothing() {
    let till = Till::new();
    lock_for_a_minute(&till);
    let svc = till.service();
    till.clock.jump_wall(365 * 24 * 3600 * 1000);
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
    till.clock.jump_wall(-2 * 365 * 24 * 3600 * 1000);
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
    till.clock.advance(Duration::from_secs(60));
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Open);
}

#[test]
fn checkpoints_bound_what_a_power_cut_can_lose() {
    let till = Till::new();
    lock_for_a_minute(&till);
    let svc = till.service();
    assert_eq!(svc.checkpoint_interval(), Duration::from_secs(30));
    // The kiosk checkpoints every 30 s while a wait runs.
    till.clock.advance(Duration::from_secs(30));
    assert!(svc.checkpoint().unwrap());
    till.clock.advance(Duration::from_secs(25));
    // Power cut 25 s after the last checkpoint: those 25 s are lost.
    till.clock
        .reboot(Duration::from_secs(60), Duration::from_secs(1));
    let svc = till.service();
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 29 });
}

#[test]
fn checkpoints_write_only_while_a_wait_runs() {
    let till = Till::new();
    let svc = till.set_up();
    let state = till.path().join("state.json");
    let before = std::fs::read(&state).unwrap();
    till.clock.advance(Duration::from_secs(30));
    assert!(
        !svc.checkpoint().unwrap(),
        "nothing to protect: spare the SD card"
    );
    assert_eq!(std::fs::read(&state).unwrap(), before);
}
