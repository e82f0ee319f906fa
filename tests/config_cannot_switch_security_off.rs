//! No config file can switch the lockout, the PIN length or recovery's
//! limits off: each compiled floor is refused by `tillctl check-config`
//! (and so by the kiosk, which shows the fault screen) at the offending
//! line.
mod common;
use common::*;

/// `(config, line of the offending key, words the error must contain)`.
const BREACHES: &[(&str, usize, &str)] = &[
    (
        "lockout:\n  operator:\n    free_tries: 11\n",
        3,
        "lockout.operator.free_tries: 11 free tries",
    ),
    (
        "lockout:\n  admin:\n    free_tries: 50\n",
        3,
        "lockout.admin.free_tries",
    ),
    // Never locking until an admin, and the 10th failure waits only 15m.
    (
        "lockout:\n  operator:\n    waits: [1m, 5m, 15m]\n    lock_until_admin_after: 0\n",
        4,
        "failure 10 in a row leads to a wait of 15m",
    ),
    // Locking until an admin only after the 12th.
    (
        "lockout:\n  operator:\n    waits: [1m]\n    lock_until_admin_after: 12\n",
        4,
        "PCI DSS 8.3.4",
    ),
    (
        "lockout:\n  admin:\n    waits: [1m]\n    max_wait: 10m\n",
        3,
        "lockout.admin.waits",
    ),
    (
        "lockout:\n  terminal:\n    burst: 1000\n",
        3,
        "burst must be 1 to 20",
    ),
    (
        "lockout:\n  terminal:\n    every: 1s\n",
        3,
        "every must be 10s to 1m",
    ),
    (
        "lockout:\n  terminal:\n    every: 15m\n",
        3,
        "longer pauses lock staff out",
    ),
    (
        "policy:\n  history: 4\n  operator_length: {min: 3, max: 12}\n",
        3,
        "at least 4",
    ),
    (
        "policy:\n  admin_length:\n    min: 6\n    max: 64\n",
        2,
        "admin passwords of 6 characters are too short: at least 8",
    ),
    ("recovery:\n  code_lifetime: 30d\n", 2, "at most 7days"),
    (
        "recovery:\n  max_bad_codes_per_challenge: 100\n",
        2,
        "must be 1 to 10",
    ),
    (
        "recovery:\n  free_tries: 3\n  waits: [1s]\n  max_wait: 1m\n",
        3,
        "recovery.waits",
    ),
];

#[test]
fn each_floor_is_refused_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    for (yaml, line, words) in BREACHES {
        let file = tmp.path().join("config.yaml");
        std::fs::write(&file, yaml).unwrap();
        let out = tillctl(tmp.path(), &["check-config", file.to_str().unwrap()], "");
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{yaml}\n{t}");
        assert!(t.contains(&format!("config.yaml:{line}:")), "{yaml}\n{t}");
        assert!(t.contains(words), "{yaml}\n{t}");
    }
}

#[test]
fn a_strict_config_at_the_floors_is_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config.yaml");
    std::fs::write(
        &file,
        "lockout:\n  operator:\n    free_tries: 10\n    waits: [30m]\n    lock_until_admin_after: 0\n  admin:\n    free_tries: 3\n    waits: [30m]\n    max_wait: 2h\n  terminal:\n    burst: 20\n    every: 10s\npolicy:\n  operator_length: {min: 4, max: 12}\n  admin_length: {min: 8, max: 64}\nrecovery:\n  code_lifetime: 7d\n  max_bad_codes_per_challenge: 10\n",
    )
    .unwrap();
    let out = tillctl(tmp.path(), &["check-config", file.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_kiosk_side_refuses_to_use_such_a_config() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("config.yaml");
    std::fs::write(&file, "lockout:\n  operator:\n    free_tries: 1000\n").unwrap();
    let till = Till::new();
    till.set_up();
    let out = tillctl(
        till.path(),
        &["--config", file.to_str().unwrap(), "auth", "01"],
        &format!("{CASHIER_PW}\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("config.yaml:3:"), "{}", text(&out));
}
