//! Hashes from a bundle are bounded, and a refusal takes as long for a
//! number that does not exist as for one that does: the "Checking…" time
//! must not tell which numbers exist, even when head office's hashes cost
//! more than the till's own.
mod common;
use common::*;
use std::time::Duration;
use till_kiosk::bundle::{self, SecretKey};
use till_kiosk::core::hashing::{self, HashParams, hooks};
use till_kiosk::core::{AuthOutcome, Role};

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

#[test]
fn hashes_above_the_ceiling_or_below_the_floor_are_refused() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    let svc = till.set_up();
    let before = svc.snapshot().unwrap().unwrap().operators;
    // Written by hand: nothing here may compute a hash this costly.
    let good = office_bundle(HashParams::new(19_456, 2, 1).unwrap(), &k);
    let salt_and_hash = good.payload.operators[0]
        .hash
        .rsplitn(3, '$')
        .take(2)
        .collect::<Vec<_>>();
    let (hash, salt) = (salt_and_hash[0], salt_and_hash[1]);
    for (m, t, p) in [
        (256 * 1024 * 1024, 2, 1),
        (19_456, 65, 1),
        (19_456, 2, 17),
        (4096, 2, 1),
        (19_456, 1, 1),
    ] {
        let mut b = good.clone();
        for o in &mut b.payload.operators {
            o.hash = format!("$argon2id$v=19$m={m},t={t},p={p}${salt}${hash}");
        }
        b.digest = format!("{m}{t}{p}");
        let r = svc.import_bundle(&cli_actor(), &b);
        assert!(r.is_err(), "m={m} t={t} p={p} was stored");
        assert_eq!(svc.snapshot().unwrap().unwrap().operators, before);
    }
    assert!(hashing::params_of(&good.payload.operators[0].hash).is_some());
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
    let till = Till::with_config(
        "lockout:\n  operator:\n    free_tries: 10\n  terminal:\n    burst: 20\n    every: 10s\n",
    );
    let svc = till.set_up();
    // Head office hashes at 4 x the till's cost.
    let costly = HashParams::new(38_912, 4, 1).unwrap();
    svc.import_bundle(&cli_actor(), &office_bundle(costly, &k))
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
    // The deterministic half: the dummy hash costs what 07's does.
    let state = svc.snapshot().unwrap().unwrap();
    let dummy = state.dummy_hash.as_deref().unwrap_or_default();
    assert_eq!(
        hashing::params_of(dummy),
        Some(costly),
        "the dummy hash's cost"
    );
    let (k, u) = (median(known), median(unknown));
    let diff = k.abs_diff(u).as_secs_f64() / k.max(u).as_secs_f64();
    assert!(
        diff < 0.20,
        "known {k:?} unknown {u:?}: {:.0} % apart",
        diff * 100.0
    );
}

#[test]
fn an_imported_hash_is_rehashed_to_the_tills_cost_at_the_next_sign_in() {
    let k = SecretKey::generate().unwrap();
    let till = Till::new();
    let svc = till.set_up();
    let costly = HashParams::new(38_912, 4, 1).unwrap();
    svc.import_bundle(&cli_actor(), &office_bundle(costly, &k))
        .unwrap();
    let o = svc
        .authenticate(&cli_actor(), id(7), &s("58149362"))
        .unwrap();
    assert!(o.signed_in(), "{o:?}");
    let state = svc.snapshot().unwrap().unwrap();
    let hash = &state.operators[&id(7)].password.hash;
    assert_eq!(hashing::params_of(hash), Some(till.config.hashing));
}
