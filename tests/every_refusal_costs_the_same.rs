//! A refusal takes as long for a number that does not exist as for one
//! that does: the "Checking…" time must not tell which numbers exist. So
//! a bundle's hashes must be made with the till's own parameters (a
//! costlier one would also stall or exhaust the till), and the dummy hash
//! that unknown numbers are checked against has them too.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::bundle::{self, SecretKey};
use till_kiosk::core::bundle::BundleRefusal;
use till_kiosk::core::hashing::{self, HashParams, hooks};
use till_kiosk::core::{AuthOutcome, Role, TillError};
use till_kiosk::service::ServiceError;

/// A head office whose hashes cost `params`, with 07 among its staff.
fn office_bundle(params: HashParams, k: &SecretKey) -> bundle::Verified {
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
    let mut state = svc.snapshot().unwrap().unwrap();
    for o in state.operators.values_mut() {
        o.password.hash = params.hash(&s("58149362")).unwrap();
    }
    let p =
        bundle::Payload::from_state(&state, 7, till_kiosk::core::WallTime(0), Default::default());
    bundle::verify(bundle::sign(&p, k).as_bytes(), &k.public()).unwrap()
}

/// The till's own parameters here: not the default, so that a bundle
/// made with the default (the floor) is one made with other parameters.
const TILL_HASHING: &str = "hashing:\n  memory_kib: 19456\n  iterations: 3\n  parallelism: 1\n";

fn till_params() -> HashParams {
    HashParams::new(19_456, 3, 1).unwrap()
}

#[test]
fn hashes_not_made_with_the_tills_parameters_are_refused() {
    let k = SecretKey::generate().unwrap();
    let till = Till::with_config(TILL_HASHING);
    let svc = till.set_up();
    let before = svc.snapshot().unwrap().unwrap().operators;
    // Written by hand: nothing here may compute a hash this costly.
    let good = office_bundle(till_params(), &k);
    let salt_and_hash = good.payload.operators[0]
        .hash
        .rsplitn(3, '$')
        .take(2)
        .collect::<Vec<_>>();
    let (hash, salt) = (salt_and_hash[0], salt_and_hash[1]);
    for (m, t, p) in [
        // Above the ceiling, above the till's cost, below it, below the floor.
        (256 * 1024 * 1024, 3, 1),
        (19_456, 65, 1),
        (19_456, 3, 17),
        (1024 * 1024, 3, 1),
        (38_912, 3, 1),
        (19_456, 4, 1),
        (19_456, 3, 2),
        (19_456, 2, 1),
        (4096, 3, 1),
        (19_456, 1, 1),
    ] {
        let mut b = good.clone();
        for o in &mut b.payload.operators {
            o.hash = format!("$argon2id$v=19$m={m},t={t},p={p}${salt}${hash}");
        }
        b.digest = format!("{m}{t}{p}");
        let r = svc.import_bundle(&cli_actor(), &b);
        assert!(
            matches!(
                r,
                Err(ServiceError::Till(TillError::Bundle(
                    BundleRefusal::BadHash { .. }
                )))
            ),
            "m={m} t={t} p={p}: {r:?}"
        );
        assert_eq!(svc.snapshot().unwrap().unwrap().operators, before);
    }
    let r = svc.import_bundle(&cli_actor(), &good).unwrap();
    assert_eq!(r.added, vec![id(7)]);
}

fn thread_cpu() -> Duration {
    let t = nix::time::clock_gettime(nix::time::ClockId::CLOCK_THREAD_CPUTIME_ID).unwrap();
    Duration::new(t.tv_sec() as u64, t.tv_nsec() as u32)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
fn refusing_a_known_and_an_unknown_number_costs_the_same() {
    let k = SecretKey::generate().unwrap();
    // Free tries for nine wrong PINs at one number, a burst for eighteen.
    let till = Till::with_config(&format!(
        "{TILL_HASHING}lockout:\n  operator:\n    free_tries: 10\n  terminal:\n    burst: 20\n    every: 10s\n",
    ));
    let svc = till.set_up();
    svc.import_bundle(&cli_actor(), &office_bundle(till_params(), &k))
        .unwrap();
    let svc = till.service();
    let refuse = |n: u8| {
        let hashed = hooks::verifications();
        // This thread's CPU time, not the wall clock: argon2 runs here
        // (one lane), and a busy CI machine (the Pi build beside the
        // tests) stretches wall time unevenly but not the work done.
        let t = thread_cpu();
        let o = svc
            .authenticate(&cli_actor(), id(n), &s("11112222"))
            .unwrap();
        let took = thread_cpu().saturating_sub(t);
        assert!(matches!(o, AuthOutcome::Wrong { .. }), "{n:02}: {o:?}");
        (took, hooks::verifications() - hashed)
    };
    // One unknown try first: nothing one-off (a dummy hash made late)
    // lands in the measurements.
    refuse(60);
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..9 {
        // Interleaved, so a busy machine slows both alike.
        let (tk, nk) = refuse(7);
        let (tu, nu) = refuse(50 + i);
        assert_eq!((nk, nu), (1, 1), "hash computations per refusal");
        known.push(tk);
        unknown.push(tu);
    }
    // The deterministic half: the dummy hash and every operator's are
    // made with the till's parameters.
    let state = svc.snapshot().unwrap().unwrap();
    let dummy = state.dummy_hash.as_deref().unwrap_or_default();
    assert_eq!(
        hashing::params_of(dummy),
        Some(till_params()),
        "the dummy hash's parameters"
    );
    for o in state.operators.values() {
        assert_eq!(hashing::params_of(&o.password.hash), Some(till_params()));
    }
    let (k, u) = (median(known), median(unknown));
    let diff = k.abs_diff(u).as_secs_f64() / k.max(u).as_secs_f64();
    assert!(
        diff < 0.20,
        "known {k:?} unknown {u:?}: {:.0} % apart",
        diff * 100.0
    );
}
