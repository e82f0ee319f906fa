//! `cargo bench --bench fleet`: what a chain's features cost on this
//! machine, printed as figures (not pass/fail).
//!
//! 1. Importing a 99-operator bundle (verify the signature, apply it
//!    through the service, write the state and the audit lines durably):
//!    the first import (99 added) and a re-import with every name changed.
//! 2. The journal copy of an audit event: encoding and sending one entry
//!    to a socket (a fake journal in this process, and the real journald
//!    when one runs), and `Service::record` of one event with the journal
//!    copy on and off.

use std::collections::BTreeMap;
use std::os::unix::net::UnixDatagram;
use std::sync::Arc;
use std::time::{Duration, Instant};
use till_kiosk::bundle::{self, Payload, SecretKey};
use till_kiosk::config::{Config, parse_config};
use till_kiosk::core::audit::{AuditDetail, AuditEvent};
use till_kiosk::core::clock::Clock;
use till_kiosk::core::till::BundleOperator;
use till_kiosk::core::{Actor, EventKind, OperatorId, Outcome, Role, Secret, WallTime};
use till_kiosk::journal::{JOURNAL_SOCKET, Journal};
use till_kiosk::service::{Service, Setup};
use till_kiosk::store::FileStore;
use till_kiosk::sys::SystemClock;

fn stats(name: &str, unit: &str, scale: f64, mut samples: Vec<Duration>) {
    samples.sort();
    let v = |d: Duration| d.as_secs_f64() * scale;
    println!(
        "{name:<62} median {:>9.3} {unit}   min {:>9.3} {unit}   max {:>9.3} {unit}   (n={})",
        v(samples[samples.len() / 2]),
        v(samples[0]),
        v(samples[samples.len() - 1]),
        samples.len()
    );
}

fn actor() -> Actor {
    Actor::Cli {
        uid: 0,
        user: "bench".into(),
    }
}

/// A till set up with admin 00 in a fresh directory.
fn till(cfg: &Config) -> (tempfile::TempDir, Service) {
    let dir = tempfile::tempdir_in(std::env::var_os("CARGO_TARGET_TMPDIR").unwrap_or(".".into()))
        .unwrap();
    let store = FileStore::new(dir.path(), cfg.rotation());
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let svc = Service::new(Arc::new(store), cfg, clock);
    let pw = Secret::from("7Rq2m9xKp!");
    svc.init(
        &actor(),
        &Setup {
            admin: OperatorId::new(0).unwrap(),
            name: "Admin",
            terminal_name: Some("Bench"),
            password: &pw,
            confirm: &pw,
        },
        false,
    )
    .unwrap();
    (dir, svc)
}

/// 99 operators (00 an admin), all with one real argon2id hash (hashing
/// 99 passwords would time the hash, not the import).
fn payload(version: u64, hash: &str, suffix: &str) -> Payload {
    let operators = (0..99u8)
        .map(|n| BundleOperator {
            number: OperatorId::new(n).unwrap(),
            name: format!("Operator {n}{suffix}"),
            role: if n == 0 { Role::Admin } else { Role::Operator },
            enabled: true,
            hash: hash.to_owned(),
            password_set: WallTime(1),
            must_change: None,
        })
        .collect();
    Payload {
        version,
        created: "2026-12-02T00:00:00Z".into(),
        policy: None,
        terminals: BTreeMap::new(),
        scope: None,
        serials: Vec::new(),
        operators,
    }
}

fn bundle_import(cfg: &Config) {
    let key = SecretKey::generate().unwrap();
    let hash = cfg
        .settings()
        .hashing
        .hash(&Secret::from("58149362"))
        .unwrap();
    let first = bundle::sign(&payload(1, &hash, ""), &key);
    println!("(a 99-operator bundle is {} bytes)", first.len());
    let mut added = Vec::new();
    let mut changed = Vec::new();
    for round in 0..7u64 {
        let (_dir, svc) = till(cfg);
        let t = Instant::now();
        let v = bundle::verify(first.as_bytes(), &key.public()).unwrap();
        let r = svc.import_bundle(&actor(), &v).unwrap();
        added.push(t.elapsed());
        assert_eq!(r.added.len(), 98);
        let again = bundle::sign(&payload(2 + round, &hash, " (renamed)"), &key);
        let t = Instant::now();
        let v = bundle::verify(again.as_bytes(), &key.public()).unwrap();
        let r = svc.import_bundle(&actor(), &v).unwrap();
        changed.push(t.elapsed());
        assert_eq!(r.changed.len(), 99);
    }
    stats(
        "import a 99-operator bundle: first (98 added)",
        "ms",
        1e3,
        added,
    );
    stats(
        "import a 99-operator bundle: every name changed",
        "ms",
        1e3,
        changed,
    );
}

fn journal_per_event(cfg: &Config) {
    let record = AuditEvent::new(
        EventKind::SignIn,
        &Actor::Kiosk,
        Some("07".into()),
        Outcome::Failed,
    )
    .detail(AuditDetail::Text {
        text: "bench".into(),
    })
    .stamp(
        WallTime(0),
        &till_kiosk::core::clock::BootInstant {
            boot_id: "b".into(),
            since_boot_ms: 1000,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.socket");
    let fake = UnixDatagram::bind(&path).unwrap();
    let drain = std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        let mut n = 0u64;
        while let Ok(len) = fake.recv(&mut buf) {
            if len == 1 {
                break;
            }
            n += 1;
        }
        n
    });
    let j = Journal::new(&path, "bench").unwrap();
    // A send that fails is quicker than one that is delivered: a failure
    // ends the figure instead of being timed as a fast send.
    let per = |j: &Journal| -> Result<Duration, String> {
        let n = 1000;
        let t = Instant::now();
        for i in 0..n {
            j.send(&till_kiosk::journal::entry(&record, "Bench", "bench"))
                .map_err(|e| format!("send {i} of {n} to {} failed: {e}", j.path().display()))?;
        }
        Ok(t.elapsed() / n)
    };
    let timed = |label: &str, rounds: usize, j: &Journal| match (0..rounds)
        .map(|_| per(j))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(samples) => stats(label, "us", 1e6, samples),
        Err(why) => println!("{label}: FAILED, no figure ({why})"),
    };
    timed(
        "journal entry: encode + send to a socket (fake journal)",
        15,
        &j,
    );
    let _ = UnixDatagram::unbound().unwrap().send_to(&[0], &path);
    let _ = drain.join();
    let journald = std::path::Path::new(JOURNAL_SOCKET).exists();
    if journald {
        let real = Journal::new(JOURNAL_SOCKET, "till-kiosk-bench").unwrap();
        timed(
            "journal entry: encode + send to the running journald",
            5,
            &real,
        );
    } else {
        println!(
            "(no journald running here: {JOURNAL_SOCKET} is missing; real-journal figure skipped)"
        );
    }
    // The whole audited write (lock, fsync'd append), journal on and off.
    // "On" is measured only where a journald takes the copies: without one
    // each send fails at once and "on" would time as cheap as "off".
    for (label, journal) in [("off", false), ("on", true)] {
        if journal && !journald {
            println!(
                "Service::record of one event, journal on: skipped (no journald here: {JOURNAL_SOCKET} is missing)"
            );
            continue;
        }
        let mut c = cfg.clone();
        c.audit.journal = journal;
        let (_dir, svc) = till(&c);
        let samples: Vec<Duration> = (0..200)
            .map(|_| {
                let e = AuditEvent::new(EventKind::SignOut, &Actor::Kiosk, None, Outcome::Ok);
                let t = Instant::now();
                svc.record(vec![e]).unwrap();
                t.elapsed()
            })
            .collect();
        stats(
            &format!("Service::record of one event, journal {label}"),
            "ms",
            1e3,
            samples,
        );
    }
}

fn main() {
    let cfg = parse_config(std::path::Path::new("bench.yaml"), "").unwrap();
    bundle_import(&cfg);
    journal_per_event(&cfg);
}
