//! The sign-in screen asks "may this number try now?" at every key. It
//! used to take the store's exclusive lock, check the file system and
//! decode the whole state file each time, on the UI thread. Now the kiosk
//! keeps a copy and reads the file again only when it has changed (a write
//! by anyone, seen from the file's stamp) or the copy is 5 s old; the wait
//! itself is worked out from the clock at every key.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use till_kiosk::config::{Config, parse_config};
use till_kiosk::core::lockout::Gate;
use till_kiosk::core::{Actor, FakeClock, OperatorId, Role, Secret};
use till_kiosk::service::{GateCache, Service, Setup};
use till_kiosk::store::{Backend, FileStore};

fn cli() -> Actor {
    Actor::Cli {
        uid: 0,
        user: "test".into(),
    }
}

/// A till with cashier 01, and a copy of its state already taken (01 may
/// try now).
fn till(dir: &Path) -> (Config, Arc<FakeClock>, Arc<FileStore>, Service, GateCache) {
    let config = parse_config(Path::new("t.yaml"), "require_persistent_state: false\n").unwrap();
    let clock = Arc::new(FakeClock::at_default());
    let store = Arc::new(FileStore::open(dir, config.rotation()).unwrap());
    let svc = Service::new(store.clone(), &config, clock.clone());
    let pw = Secret::from("58273946");
    let setup = Setup {
        admin: OperatorId::FIRST_ADMIN,
        name: "Wang Fang",
        terminal_name: Some("Till 1"),
        password: &pw,
        confirm: &pw,
    };
    svc.init(&cli(), &setup, false).unwrap();
    svc.add_operator(
        &cli(),
        OperatorId::new(1).unwrap(),
        "Li Wei",
        Role::Operator,
        None,
    )
    .unwrap();
    let mut cache = GateCache::default();
    let one = OperatorId::new(1).unwrap();
    assert_eq!(svc.gate_cached(&mut cache, one).unwrap(), Gate::Open);
    (config, clock, store, svc, cache)
}

/// With the copy fresh, the question is answered while another process
/// holds the store's lock: no lock is taken per key. (Before, each key
/// waited for the lock.)
#[test]
fn a_key_takes_no_lock_while_nothing_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (_config, _clock, store, svc, mut cache) = till(dir.path());
    let one = OperatorId::new(1).unwrap();
    let held = store.lock().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(svc.gate_cached(&mut cache, one).map_err(|e| e.to_string()));
    });
    let answer = rx.recv_timeout(Duration::from_secs(5));
    drop(held);
    assert_eq!(
        answer.expect("the key waited for the store's lock"),
        Ok(Gate::Open)
    );
}

/// A write by someone else (here: another service over the same directory,
/// as `tillctl` is) shows at the next key, and so does its undoing; a
/// running wait counts down from the clock with no read.
#[test]
fn another_writer_is_seen_at_the_next_key_and_waits_count_down() {
    let dir = tempfile::tempdir().unwrap();
    let (config, clock, store, svc, mut cache) = till(dir.path());
    let one = OperatorId::new(1).unwrap();
    let other = Service::new(store, &config, clock.clone());
    let wrong = Secret::from("11112222");
    for _ in 0..5 {
        other.authenticate(&cli(), one, &wrong).unwrap();
    }
    let Gate::Wait { secs } = svc.gate_cached(&mut cache, one).unwrap() else {
        panic!("the other writer's lockout was not seen");
    };
    assert_eq!(secs, 60);
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        svc.gate_cached(&mut cache, one).unwrap(),
        Gate::Wait { secs: 59 }
    );
    other.unlock(&cli(), one).unwrap();
    assert_eq!(svc.gate_cached(&mut cache, one).unwrap(), Gate::Open);
}
