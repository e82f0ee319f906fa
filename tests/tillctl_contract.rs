//! The `tillctl` contract scripts rely on: exit codes, JSON, passwords only
//! on stdin and never echoed, logged or stored.
mod common;
use common::*;

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

#[test]
fn the_documented_walk_through() {
    let till = Till::new();
    let dir = till.path();
    let out = tillctl(
        dir,
        &["init", "--name", "Wang Fang", "--terminal-name", "Shop 3"],
        &format!("{ADMIN_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    // Refuses a second init.
    let out = tillctl(dir, &["init"], &format!("{ADMIN_PW}\n"));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));

    let out = tillctl(
        dir,
        &["--json", "operator", "add", "01", "--name", "Li Wei"],
        "",
    );
    let temp = json(&out)["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(temp.len() >= 8);

    // First sign-in with the temporary password: exit 13, must change.
    let out = tillctl(dir, &["auth", "01"], &format!("{temp}\n"));
    assert_eq!(out.status.code(), Some(13), "{}", text(&out));
    let out = tillctl(
        dir,
        &["passwd", "01"],
        &format!("{temp}\n{CASHIER_PW}\n{CASHIER_PW}\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = tillctl(dir, &["--json", "auth", "01"], &format!("{CASHIER_PW}\n"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["outcome"], "ok");

    // Wrong passwords: exit 10 with tries left, then 11 with seconds.
    for left in (1..=4).rev() {
        let out = tillctl(dir, &["--json", "auth", "01"], "nope\n");
        assert_eq!(out.status.code(), Some(10));
        assert_eq!(json(&out)["penalty"]["tries_left"], left);
    }
    assert_eq!(
        tillctl(dir, &["auth", "01"], "nope\n").status.code(),
        Some(10)
    );
    let out = tillctl(dir, &["auth", "01"], &format!("{CASHIER_PW}\n"));
    assert_eq!(out.status.code(), Some(11));
    assert!(text(&out).contains("seconds remaining"), "{}", text(&out));

    let out = tillctl(dir, &["--json", "operator", "show", "01"], "");
    assert_eq!(json(&out)["status"]["status"], "locked");
    assert!(
        tillctl(dir, &["operator", "unlock", "01"], "")
            .status
            .success()
    );
    assert_eq!(
        tillctl(dir, &["auth", "01"], &format!("{CASHIER_PW}\n"))
            .status
            .code(),
        Some(0)
    );

    // Reset: a new temporary password, must change again.
    let out = tillctl(dir, &["--json", "operator", "reset", "01"], "");
    let temp2 = json(&out)["temporary_password"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        tillctl(dir, &["auth", "01"], &format!("{temp2}\n"))
            .status
            .code(),
        Some(13)
    );

    // Disabled: exactly a wrong password, exit 10 (no oracle).
    assert!(
        tillctl(dir, &["operator", "disable", "01"], "")
            .status
            .success()
    );
    assert_eq!(
        tillctl(dir, &["auth", "01"], &format!("{temp2}\n"))
            .status
            .code(),
        Some(10)
    );

    let out = tillctl(dir, &["--json", "operator", "list"], "");
    assert_eq!(json(&out).as_array().unwrap().len(), 2);
    let out = tillctl(dir, &["--json", "status"], "");
    assert_eq!(json(&out)["health"]["state"], "ok");

    // Nothing secret anywhere on disk but as hashes.
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        let hay = String::from_utf8_lossy(&bytes);
        for secret in [ADMIN_PW, CASHIER_PW, temp.as_str(), temp2.as_str(), "nope"] {
            assert!(!hay.contains(secret), "a secret leaked to disk");
        }
    }
}

#[test]
fn audit_lists_events_and_filters_by_time() {
    let till = Till::new();
    till.set_up();
    let out = tillctl(till.path(), &["--json", "audit"], "");
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events: Vec<&str> = lines.iter().map(|v| v["event"].as_str().unwrap()).collect();
    assert!(
        events.contains(&"init")
            && events.contains(&"operator_added")
            && events.contains(&"password_changed"),
        "{events:?}"
    );
    for v in &lines {
        assert!(v["boot_id"].is_string() && v["boot_secs"].is_u64() && v["time"].is_string());
    }
    // The fixture's clock is at 2026-11-28 09:00 UTC; two hours later a
    // wrong password is typed: two moments to filter between.
    till.clock.advance(std::time::Duration::from_secs(2 * 3600));
    till.service()
        .authenticate(&cli_actor(), id(1), &s("00000000"))
        .unwrap();
    let since = |t: &str| -> Vec<String> {
        let out = tillctl(till.path(), &["--json", "audit", "--since", t], "");
        assert!(out.status.success(), "{}", text(&out));
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["event"].as_str().unwrap().to_owned()
            })
            .collect()
    };
    let all = since("2026-11-28T08:00:00Z");
    assert_eq!(all.len(), lines.len() + 1, "before everything: all {all:?}");
    assert_eq!(
        since("2026-11-28T10:00:00Z"),
        vec!["sign_in"],
        "between the two: only the later one"
    );
    assert!(
        since("2099-01-01T00:00:00Z").is_empty(),
        "after everything: none"
    );
    let out = tillctl(till.path(), &["audit", "--since", "whenever"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let till = Till::new();
    for args in [
        &["auth", "7"][..],
        &["operator", "add", "01"],
        &["frobnicate"],
        &["calibrate", "--target-ms", "0"],
    ] {
        let out = tillctl(till.path(), args, "");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        // One line says what is wrong, first, on standard error (clap may
        // add usage and a hint below it); nothing on standard output.
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out));
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("");
        assert!(
            first.starts_with("error: ") || first.starts_with("tillctl: "),
            "{args:?}: {err}"
        );
        let error_lines = err
            .lines()
            .filter(|l| l.starts_with("error") || l.starts_with("tillctl:"))
            .count();
        assert_eq!(error_lines, 1, "{args:?}: {err}");
    }
    // Missing stdin is a clear error, not a hang or a panic.
    let out = tillctl(till.path(), &["passwd", "01"], "only-one-line\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("standard input"), "{}", text(&out));
}

#[test]
fn simulated_reboot_with_the_file_clock() {
    let till = Till::new();
    till.set_up();
    // Its own temp dir: a fixed path (/tmp/clock) would be shared with any
    // other run of the suite at the same time.
    let elsewhere = tempfile::tempdir().unwrap();
    let clock = elsewhere.path().join("clock");
    let c = clock.to_str().unwrap();
    let env = [("TILL_KIOSK_FAKE_CLOCK", c)];
    std::fs::write(
        &clock,
        "boot_id=A\nsince_boot_ms=1000000\nwall_ms=1795856400000\n",
    )
    .unwrap();
    for _ in 0..5 {
        tillctl_with(till.path(), &["auth", "01"], "nope\n", &env);
    }
    std::fs::write(
        &clock,
        "boot_id=B\nsince_boot_ms=20000\nwall_ms=1895856400000\n",
    )
    .unwrap();
    let out = tillctl_with(
        till.path(),
        &["auth", "01"],
        &format!("{CASHIER_PW}\n"),
        &env,
    );
    assert_eq!(out.status.code(), Some(11), "{}", text(&out));
    assert!(
        text(&out).contains("40 seconds remaining"),
        "{}",
        text(&out)
    );
    assert!(
        text(&out).contains("simulated clock"),
        "the fake clock is announced"
    );
}
