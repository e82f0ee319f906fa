//! The real `till-kiosk` binary, headless, driven through the scripted
//! mock keypad socket: a whole sign-in, a lockout, the service chord,
//! systemd notifications and a clean SIGTERM.

mod common;
use common::headless::{ADMIN_PIN, CASHIER_PIN, spaced, start};
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::time::Duration;

#[test]
fn a_whole_sign_in_through_the_scripted_keypad_and_a_clean_sigterm() {
    let mut k = start("", &[]);
    assert_eq!(k.state()["screen"], "sign-in");
    assert_eq!(k.send("0 1"), "ok");
    // Mashing mid-sign-in: a line of 5,000 keys is refused whole, none of
    // it pressed (one stray 9 would spoil the PIN typed next).
    let mashed = k.send(&["9"; 5000].join(" "));
    assert_eq!(mashed, "error: a line is at most 4096 bytes");
    assert_eq!(k.send(&format!("{} ENTER", spaced(CASHIER_PIN))), "ok");
    let s = k.state();
    assert_eq!(s["screen"], "home", "{s}");
    assert_eq!(s["who"], "01 Li Wei");
    assert!(k.send("LAUNCH").starts_with("error: unknown key"));
    assert_eq!(k.send("CANCEL"), "ok", "the connection survives bad input");
    let status = k.stop();
    assert_eq!(status.code(), Some(0), "SIGTERM exits 0");
}

#[test]
fn a_lockout_through_the_scripted_keypad() {
    let mut k = start("", &[]);
    for left in [4, 3, 2, 1] {
        k.send("CANCEL 0 1 1 1 2 2 3 3 4 4 ENTER");
        let m = k.state()["message"].as_str().unwrap().to_owned();
        assert!(m.contains(&format!("{left} tr")), "{m}");
    }
    k.send("CANCEL 0 1 1 1 2 2 3 3 4 4 ENTER");
    let m = k.state()["message"].as_str().unwrap().to_owned();
    assert!(m.contains("Try again in 1:00"), "{m}");
    // The right password cannot even be entered while the wait runs.
    k.send(&format!("0 1 {} ENTER", spaced(CASHIER_PIN)));
    let s = k.state();
    assert_eq!(s["screen"], "sign-in");
    assert!(
        s["message"].as_str().unwrap().contains("Try again in"),
        "{s}"
    );
    assert!(
        k.audit()
            .contains(r#"{"kind":"wrong","penalty":{"lock":"wait","secs":60}}"#),
        "the failure that started the wait is audited"
    );
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn holding_f1_and_0_opens_the_service_screen() {
    let mut k = start("", &[]);
    assert_eq!(k.send("HOLD F1+0 2500ms"), "ok");
    assert_eq!(k.state()["screen"], "recovery");
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn systemd_hears_ready_after_the_first_frame_and_watchdog_pings() {
    let dir = tempfile::tempdir().unwrap();
    let notify: PathBuf = dir.path().join("notify.sock");
    let listener = UnixDatagram::bind(&notify).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let k = start(
        "",
        &[
            ("NOTIFY_SOCKET", notify.display().to_string()),
            ("WATCHDOG_USEC", "400000".into()),
        ],
    );
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !(got.iter().any(|m: &String| m.contains("READY=1"))
        && got.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 2)
    {
        let n = listener.recv(&mut buf).expect("a notification within 20 s");
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert!(got[0].contains("READY=1"), "READY comes first: {got:?}");
    assert_eq!(k.stop().code(), Some(0));
    let mut stopping = false;
    listener
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    while let Ok(n) = listener.recv(&mut buf) {
        stopping |= String::from_utf8_lossy(&buf[..n]).contains("STOPPING=1");
    }
    assert!(stopping, "STOPPING=1 on SIGTERM");
}

#[test]
fn the_admin_signs_in_too() {
    let mut k = start("", &[]);
    k.send(&format!("0 0 {} ENTER", spaced(ADMIN_PIN)));
    assert_eq!(k.state()["screen"], "admin-home");
}

#[test]
fn the_kiosk_writes_its_metrics_file_when_configured() {
    let mut k = common::headless::start_with(
        |dir| {
            format!(
                "metrics:\n  textfile: {}\n",
                dir.join("node-exporter/till-kiosk.prom").display()
            )
        },
        &[],
    );
    let prom = k.path("node-exporter/till-kiosk.prom");
    // The directory is node_exporter's to create; until it exists the
    // kiosk says so in its log and keeps going.
    std::fs::create_dir_all(prom.parent().unwrap()).unwrap();
    // A wrong PIN counts; the file is rewritten within 15 s.
    k.send("CANCEL 0 1 1 1 2 2 3 3 4 4 ENTER");
    common::headless::wait_until(
        Duration::from_secs(40),
        || {
            std::fs::read_to_string(&prom).is_ok_and(|t| {
                t.contains("till_failed_attempts_total{event=\"sign_in\",outcome=\"failed\"} 1")
            })
        },
        || format!("{:?}", std::fs::read_to_string(&prom)),
    );
    let text = std::fs::read_to_string(&prom).unwrap();
    for line in [
        "till_state_ok 1",
        "till_lockouts_active{scope=\"operator\"} 0",
        "till_hardware_problems 0",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in\n{text}");
    }
    assert!(
        text.contains("till_last_sign_in_timestamp_seconds"),
        "{text}"
    );
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn a_bundle_dropped_in_the_watched_directory_lets_its_cashier_sign_in() {
    use till_kiosk::bundle::SecretKey;
    let key = SecretKey::generate().unwrap();
    let public = key.public().to_string();
    let mut k = common::headless::start_with(
        |dir| {
            format!(
                "bundle:\n  public_key: {public}\n  watch_dir: {}\n",
                dir.join("bundles").display()
            )
        },
        &[],
    );
    // Head office: this till's operators plus 07, exported and signed.
    let state_dir = k.path("state");
    let office = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&state_dir).unwrap() {
        let e = entry.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), office.path().join(e.file_name())).unwrap();
        }
    }
    let out = common::tillctl(
        office.path(),
        &[
            "operator",
            "add",
            "07",
            "--name",
            "Zhao Min",
            "--password-stdin",
        ],
        "58149362\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keyfile = office.path().join("chain.key");
    std::fs::write(&keyfile, key.to_file_text().as_bytes()).unwrap();
    let out = common::tillctl(
        office.path(),
        &["bundle", "export", "--sign", keyfile.to_str().unwrap()],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let drop = k.path("bundles");
    std::fs::create_dir_all(&drop).unwrap();
    std::fs::write(drop.join("shop3.bundle"), &out.stdout).unwrap();
    // The drop directory is read every 5 s; under qemu on a busy CI
    // machine the import may take a few more.
    let applied = r#""event":"bundle_imported","outcome":"ok""#;
    common::headless::wait_until(
        Duration::from_secs(40),
        || k.audit().contains(applied),
        || format!("no bundle import in the audit log:\n{}", k.audit()),
    );
    k.send("CANCEL 0 7 5 8 1 4 9 3 6 2 ENTER");
    let s = k.state();
    assert_ne!(s["screen"], "sign-in", "{s}");
    assert!(
        s["who"].as_str().unwrap_or_default().starts_with("07"),
        "{s}"
    );
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn the_screen_off_timer_dims_and_switches_off_a_fake_backlight() {
    let bl = std::cell::RefCell::new(PathBuf::new());
    let mut k = common::headless::start_with(
        |dir| {
            let d = dir.join("backlight/10-0045");
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("max_brightness"), "255\n").unwrap();
            std::fs::write(d.join("brightness"), "200\n").unwrap();
            std::fs::write(d.join("bl_power"), "0\n").unwrap();
            *bl.borrow_mut() = d.clone();
            format!(
                "ui:\n  screen_off_after: 6s\n  backlight: {}\n  brightness: 200\n",
                d.display()
            )
        },
        &[],
    );
    let bl = bl.into_inner();
    let read = |f: &str| {
        std::fs::read_to_string(bl.join(f))
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    common::headless::wait_until(
        Duration::from_secs(30),
        || read("brightness") == "20",
        || format!("never dimmed: brightness {}", read("brightness")),
    );
    common::headless::wait_until(
        Duration::from_secs(30),
        || read("brightness") == "0" && read("bl_power") == "4",
        || format!("never off: {} / {}", read("brightness"), read("bl_power")),
    );
    assert_eq!(k.state()["asleep"], true);
    // The first key only wakes: the 5 is not typed, so 01's sign-in after
    // it works.
    assert_eq!(k.send("5"), "ok");
    let s = k.state();
    assert_eq!(s["asleep"], false, "{s}");
    assert_eq!(
        (read("brightness").as_str(), read("bl_power").as_str()),
        ("200", "0")
    );
    k.send(&format!("0 1 {} ENTER", spaced(CASHIER_PIN)));
    assert_eq!(k.state()["who"], "01 Li Wei");
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn a_badge_on_the_mock_reader_then_the_pin_signs_in() {
    let mut k = start("", &[]);
    // Enrolled from a shell, as a technician would with a reader on a
    // laptop (the admin menu's way is in ui_flows).
    let out = common::tillctl(
        &k.path("state"),
        &["operator", "badge", "01"],
        "1234567890\n",
    );
    assert!(out.status.success(), "{}", common::text(&out));
    assert!(!common::text(&out).contains("1234567890"));
    assert_eq!(k.send("BADGE 1234567890"), "ok");
    let s = k.state();
    assert!(s["message"].as_str().unwrap().contains("Badge read"), "{s}");
    k.send(&format!("{} ENTER", spaced(CASHIER_PIN)));
    assert_eq!(k.state()["who"], "01 Li Wei");
    assert!(k.send("BADGE").starts_with("error: BADGE needs"));
    assert_eq!(k.stop().code(), Some(0));
}
