//! A process that cannot read the kernel's boot id (a sandbox hiding
//! /proc/sys/kernel/random) cannot tell a reboot from a restart: it must
//! credit no powered-on time, or every process start would void a wait.
mod common;
use common::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use till_kiosk::core::lockout::Gate;
use till_kiosk::core::{BootInstant, Clock, FakeClock};
use till_kiosk::service::Service;
use till_kiosk::store::FileStore;

/// A service as a process that cannot read its boot id would build it,
/// `uptime` into the current boot.
fn blind_process(till: &Till, uptime: Duration) -> Service {
    let boot = BootInstant {
        boot_id: till_kiosk::sys::boot_id_from(Path::new("/nonexistent/boot_id")),
        since_boot_ms: uptime.as_millis() as u64,
    };
    let clock = Arc::new(FakeClock::from_parts(till.clock.wall(), &boot));
    Service::new(
        Arc::new(FileStore::new(till.path(), till.config.rotation())),
        &till.config,
        clock,
    )
}

#[test]
fn a_running_wait_is_not_voided_by_a_process_that_cannot_read_the_boot_id() {
    let till = Till::new();
    let svc = till.set_up();
    for _ in 0..5 {
        svc.authenticate(&cli_actor(), id(1), &s("00000000"))
            .unwrap();
    }
    assert_eq!(svc.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
    // The kiosk restarts ten hours into the boot and cannot read the id.
    let blind = blind_process(&till, Duration::from_secs(10 * 3600));
    assert_eq!(
        blind.gate(id(1)).unwrap(),
        Gate::Wait { secs: 60 },
        "none of the ten hours of uptime is credited"
    );
    // Another start, later still: still nothing.
    let blind = blind_process(&till, Duration::from_secs(20 * 3600));
    assert_eq!(blind.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
}

#[test]
fn the_blind_process_still_counts_its_own_running_time() {
    let till = Till::new();
    let svc = till.set_up();
    for _ in 0..5 {
        svc.authenticate(&cli_actor(), id(1), &s("00000000"))
            .unwrap();
    }
    let boot = BootInstant {
        boot_id: till_kiosk::sys::boot_id_from(Path::new("/nonexistent/boot_id")),
        since_boot_ms: 36_000_000,
    };
    let clock = Arc::new(FakeClock::from_parts(till.clock.wall(), &boot));
    let blind = Service::new(
        Arc::new(FileStore::new(till.path(), till.config.rotation())),
        &till.config,
        clock.clone(),
    );
    assert_eq!(blind.gate(id(1)).unwrap(), Gate::Wait { secs: 60 });
    clock.advance(Duration::from_secs(30));
    assert_eq!(blind.gate(id(1)).unwrap(), Gate::Wait { secs: 30 });
    clock.advance(Duration::from_secs(30));
    assert_eq!(blind.gate(id(1)).unwrap(), Gate::Open, "the wait ends");
}

#[test]
fn an_unreadable_boot_id_is_marked_unknown_and_differs_per_process() {
    let a = till_kiosk::sys::boot_id_from(Path::new("/nonexistent/boot_id"));
    let b = till_kiosk::sys::boot_id_from(Path::new("/nonexistent/boot_id"));
    assert!(!till_kiosk::core::clock::boot_id_known(&a), "{a}");
    assert_ne!(a, b, "a token per process, never shared");
    let real = till_kiosk::sys::boot_id_from(Path::new("/proc/sys/kernel/random/boot_id"));
    if can_run(
        Path::new("/proc/sys/kernel/random/boot_id").exists(),
        "no /proc here",
    ) {
        assert!(till_kiosk::core::clock::boot_id_known(&real), "{real}");
    }
}
