//! A bundle's key must be a real Ed25519 key. A small-order point (the
//! identity, the order-2 point, the order-4 points) as `bundle.public_key`
//! would let anyone sign: with the identity as the key, the signature
//! (R = identity, S = 0) "verifies" on any body under the lenient check.
//! Such keys are refused wherever a key is read, and signatures are
//! checked with `verify_strict`.
mod common;
use common::*;
use till_kiosk::bundle::{self, PublicKey};
use till_kiosk::core::Role;

/// The eight encodings of small-order points a key parser meets.
const SMALL_ORDER: [&str; 8] = [
    // The identity (order 1).
    "0100000000000000000000000000000000000000000000000000000000000000",
    // y = -1 (order 2).
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    // y = 0 (order 4), both signs.
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    // The four points of order 8.
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

#[test]
fn small_order_points_are_not_keys_anywhere_a_key_is_read() {
    let dir = tempfile::tempdir().unwrap();
    for point in SMALL_ORDER {
        let key = format!("ed25519:{point}");
        assert!(key.parse::<PublicKey>().is_err(), "{point} parsed as a key");
        let yaml = format!("bundle:\n  public_key: {key}\n");
        let cfg = dir.path().join("config.yaml");
        std::fs::write(&cfg, &yaml).unwrap();
        assert!(
            till_kiosk::config::parse_config(&cfg, &yaml).is_err(),
            "{point} passed the config"
        );
        let out = tillctl_with(
            dir.path(),
            &["check-config"],
            "",
            &[("TILL_KIOSK_CONFIG", cfg.to_str().unwrap())],
        );
        assert_ne!(out.status.code(), Some(0), "{point}: {}", text(&out));
    }
}

#[test]
fn a_forged_bundle_under_the_identity_key_adds_nobody() {
    // Head office's operators, plus 77, an admin with a known password.
    let office = Till::new();
    let svc = office.set_up();
    svc.add_operator(
        &cli_actor(),
        id(77),
        "Forger",
        Role::Admin,
        Some(s("58149362")),
    )
    .unwrap();
    let state = svc.snapshot().unwrap().unwrap();
    let payload = bundle::Payload::from_state(
        &state,
        4_000_000_000,
        till_kiosk::core::clock::WallTime(1_800_000_000_000),
        Default::default(),
    );
    let body = format!(
        "{}\n{}\n",
        bundle::MAGIC,
        serde_json::to_string_pretty(&payload).unwrap()
    );
    let identity = SMALL_ORDER[0];
    let forged = format!(
        "{body}signature ed25519:{identity} {identity}{}\n",
        "00".repeat(32)
    );

    let till = Till::new();
    till.set_up();
    let before = till.service().snapshot().unwrap().unwrap().operators;
    let files = tempfile::tempdir().unwrap();
    let keyfile = files.path().join("identity.pub");
    std::fs::write(&keyfile, format!("ed25519:{identity}\n")).unwrap();
    let file = files.path().join("forged.bundle");
    std::fs::write(&file, &forged).unwrap();
    let out = tillctl(
        till.path(),
        &[
            "bundle",
            "import",
            "--verify",
            keyfile.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        "",
    );
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));
    let after = till.service().snapshot().unwrap().unwrap().operators;
    assert_eq!(before, after);
    assert!(!after.contains_key(&id(77)));
}
