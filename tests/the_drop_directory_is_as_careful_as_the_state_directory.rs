//! Whoever can write to the bundle drop directory can make the kiosk read
//! what they put there. A FIFO must not block the watcher, a link must not
//! be followed, a directory others can write to is not used, a verified
//! bundle that failed for a passing reason is tried again, and junk cannot
//! flood the audit log.
mod common;
use common::*;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::time::{Duration, Instant};
use till_kiosk::bundle::{self, SecretKey};
use till_kiosk::core::Role;
use till_kiosk::service::bundle_watch::{Seen, Watcher};

/// A signed bundle of a head office with admin 00, cashier 01 and 07.
fn signed(k: &SecretKey, version: u64) -> String {
    let office = Till::new();
    let svc = office.set_up();
    svc.add_operator(
        &cli_actor(),
        id(7),
        "Zhao Min",
        Role::Operator,
        Some(s("58149362")),
    )
    .unwrap();
    let state = svc.snapshot().unwrap().unwrap();
    let p = bundle::Payload::from_state(
        &state,
        version,
        till_kiosk::core::WallTime(0),
        Default::default(),
    );
    bundle::sign(&p, k)
}

fn drop_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    d
}

fn applied(seen: &[Seen]) -> usize {
    seen.iter()
        .filter(|s| matches!(s, Seen::Applied(..)))
        .count()
}

fn refusals_audited(till: &Till) -> Vec<till_kiosk::core::audit::AuditRecord> {
    till.service()
        .audit_log()
        .unwrap()
        .records
        .into_iter()
        .filter(|r| {
            r.event == till_kiosk::core::audit::EventKind::BundleImported
                && r.outcome == till_kiosk::core::audit::Outcome::Refused
        })
        .collect()
}

#[test]
fn a_fifo_never_blocks_the_watcher() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    till.set_up();
    let drop = drop_dir();
    nix::unistd::mkfifo(
        &drop.path().join("a.bundle"),
        nix::sys::stat::Mode::from_bits_truncate(0o644),
    )
    .unwrap();
    std::fs::write(drop.path().join("b.bundle"), signed(&k, 4)).unwrap();
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(w.scan());
    });
    let seen = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the watcher blocked on a FIFO");
    assert_eq!(applied(&seen), 1, "{seen:?}");
    assert!(
        seen.iter()
            .any(|s| matches!(s, Seen::Unverified(p, _) if p.ends_with("a.bundle"))),
        "{seen:?}"
    );
}

#[test]
fn a_link_is_not_followed_and_a_replaced_file_is_read_again() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    till.set_up();
    let drop = drop_dir();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("shop3.bundle");
    std::fs::write(&target, signed(&k, 4)).unwrap();
    symlink(&target, drop.path().join("shop3.bundle")).unwrap();
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    let seen = w.scan();
    assert_eq!(applied(&seen), 0, "a link was followed: {seen:?}");
    assert!(matches!(&seen[..], [Seen::Unverified(..)]), "{seen:?}");
    assert!(w.scan().is_empty(), "the same link refused twice");
    // A file replaced under the same name (same size) is a new version.
    std::fs::remove_file(drop.path().join("shop3.bundle")).unwrap();
    std::fs::write(drop.path().join("shop3.bundle"), signed(&k, 4)).unwrap();
    assert_eq!(applied(&w.scan()), 1);
    std::fs::write(drop.path().join("shop3.bundle"), signed(&k, 5)).unwrap();
    assert_eq!(applied(&w.scan()), 1);
}

#[test]
fn a_directory_others_can_write_to_is_not_used() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    till.set_up();
    let drop = drop_dir();
    std::fs::write(drop.path().join("shop3.bundle"), signed(&k, 4)).unwrap();
    std::fs::set_permissions(drop.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    let seen = w.scan();
    assert_eq!(applied(&seen), 0, "{seen:?}");
    assert_eq!(refusals_audited(&till).len(), 1);
    assert!(w.scan().is_empty(), "said once, not every 5 s");
    std::fs::set_permissions(drop.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(applied(&w.scan()), 1);
    if is_root() {
        let nobody = nix::unistd::Uid::from_raw(65534);
        nix::unistd::chown(drop.path(), Some(nobody), None).unwrap();
        std::fs::write(drop.path().join("shop3.bundle"), signed(&k, 6)).unwrap();
        assert_eq!(
            applied(&w.scan()),
            0,
            "a directory of another user was used"
        );
    }
}

#[test]
fn a_bundle_that_failed_for_a_passing_reason_is_tried_again() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    let drop = drop_dir();
    std::fs::write(drop.path().join("shop3.bundle"), signed(&k, 4)).unwrap();
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    let t0 = Instant::now();
    // The till is not set up yet: that passes.
    let seen = w.scan_at(t0);
    assert!(matches!(&seen[..], [Seen::Retrying(..)]), "{seen:?}");
    till.set_up();
    assert!(
        w.scan_at(t0 + Duration::from_secs(1)).is_empty(),
        "not due yet"
    );
    let seen = w.scan_at(t0 + Duration::from_secs(6));
    assert_eq!(applied(&seen), 1, "{seen:?}");
    assert!(till.service().operator(id(7)).is_ok());
}

#[test]
fn junk_is_audited_at_most_once_a_minute_with_a_count() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    till.set_up();
    let drop = drop_dir();
    let junk = |dir: &Path, n: u32| {
        std::fs::write(dir.join(format!("junk{n}\u{202E}.bundle")), "not a bundle").unwrap()
    };
    for n in 0..50 {
        junk(drop.path(), n);
    }
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    let t0 = Instant::now();
    assert_eq!(w.scan_at(t0).len(), 50);
    assert_eq!(refusals_audited(&till).len(), 1);
    junk(drop.path(), 50);
    w.scan_at(t0 + Duration::from_secs(61));
    let audited = refusals_audited(&till);
    assert_eq!(audited.len(), 2);
    let last = serde_json::to_string(&audited[1]).unwrap();
    assert!(last.contains(r#""more":49"#), "{last}");
    // The dropper's file names are shown, never trusted.
    for r in &audited {
        let subject = r.subject.clone().unwrap_or_default();
        assert!(!subject.contains('\u{202E}'), "{subject:?}");
    }
}

#[test]
fn bundles_dropped_together_are_taken_in_the_order_head_office_made_them() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    till.set_up();
    let drop = drop_dir();
    // The one with the higher version was made first: taking it first
    // would have the other refused as older.
    let mut older = bundle::Payload::from_state(
        &till.service().snapshot().unwrap().unwrap(),
        9,
        till_kiosk::core::WallTime(1_000),
        Default::default(),
    );
    let newer_text = {
        let mut p = older.clone();
        p.version = 10;
        p.created = till_kiosk::core::WallTime(2_000).rfc3339();
        p.serials = vec!["10000000a1b2c3d4".into()];
        bundle::sign(&p, &k)
    };
    older.version = 11;
    std::fs::write(drop.path().join("a.bundle"), newer_text).unwrap();
    std::fs::write(drop.path().join("b.bundle"), bundle::sign(&older, &k)).unwrap();
    let mut w = Watcher::new(till.service(), drop.path().to_owned(), k.public());
    let seen = w.scan();
    assert_eq!(applied(&seen), 2, "{seen:?}");
}
