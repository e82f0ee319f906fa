//! The config file as a technician meets it: the shipped example, errors
//! with file:line:column, and `tillctl check-config`.
mod common;
use common::*;
use std::path::{Path, PathBuf};
use till_kiosk::config::{Config, ConfigError, read_config};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/till-kiosk.example.yaml")
}

#[test]
fn the_example_parses_and_equals_the_defaults_where_it_says_so() {
    let cfg = read_config(&example()).unwrap();
    let text = std::fs::read_to_string(example()).unwrap();
    // The PACKAGED differences, and no others.
    assert_eq!(text.matches("# PACKAGED:").count(), 8);
    assert_eq!(cfg.ui.backlight, till_kiosk::config::BacklightChoice::Auto);
    assert_eq!(
        cfg.state_dir.as_deref(),
        Some(Path::new("/var/lib/till-kiosk"))
    );
    assert!(cfg.require_persistent_state);
    assert_eq!(cfg.keypad.backend, till_kiosk::config::KeypadBackend::Gpio);
    assert_eq!(
        cfg.buzzer.backend,
        till_kiosk::config::BuzzerBackend::SoftwarePwm
    );
    assert_eq!(cfg.kiosk.console.as_deref(), Some(Path::new("/dev/tty1")));
    assert_eq!(
        cfg.session_api.socket.as_deref(),
        Some(Path::new("/run/till-kiosk/session.sock"))
    );
    assert_eq!(
        cfg.session_api.allowed_groups,
        vec!["till-sales".to_owned()]
    );
    let defaults = Config::default();
    let same = Config {
        state_dir: None,
        require_persistent_state: false,
        keypad: till_kiosk::config::KeypadConfig {
            backend: defaults.keypad.backend,
            ..cfg.keypad.clone()
        },
        buzzer: till_kiosk::config::BuzzerConfig {
            backend: defaults.buzzer.backend,
            ..cfg.buzzer.clone()
        },
        kiosk: till_kiosk::config::KioskConfig {
            console: None,
            ..cfg.kiosk.clone()
        },
        ui: till_kiosk::config::UiConfig {
            backlight: defaults.ui.backlight.clone(),
            ..cfg.ui.clone()
        },
        session_api: till_kiosk::config::SessionApiConfig {
            socket: None,
            group: None,
            allowed_groups: Vec::new(),
            ..cfg.session_api.clone()
        },
        ..cfg
    };
    assert_eq!(same, defaults);
}

#[test]
fn every_top_level_key_of_the_defaults_is_documented_in_the_example() {
    let text = std::fs::read_to_string(example()).unwrap();
    let defaults = serde_yaml::to_value(Config::default()).unwrap();
    for (key, _) in defaults.as_mapping().unwrap() {
        let key = key.as_str().unwrap();
        assert!(
            text.contains(&format!("{key}:")),
            "{key} is not in the example"
        );
    }
}

#[test]
fn fixture_errors_name_file_line_and_column() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let cases = [
        ("config-unknown-key.yaml", 5, "unknown field `free_trys`"),
        ("config-weak-hash.yaml", 3, "below the OWASP floor"),
        (
            "config-bad-duration.yaml",
            4,
            "write it like 30s, 5m or 24h",
        ),
        ("config-bad-yaml.yaml", 2, "mapping values are not allowed"),
    ];
    for (file, want_line, want) in cases {
        match read_config(&dir.join(file)) {
            Err(e @ ConfigError::Invalid { line, .. }) => {
                let msg = e.to_string();
                assert_eq!(line, want_line, "{msg}");
                assert!(msg.contains(file) && msg.contains(want), "{msg}");
            }
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn check_config_prints_the_error_and_exits_2() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let bad = dir.join("config-unknown-key.yaml");
    let out = std::process::Command::new(tillctl_path())
        .args(["check-config", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("config-unknown-key.yaml:5:5: lockout.operator: unknown field `free_trys`"),
        "{err}"
    );
    let out = std::process::Command::new(tillctl_path())
        .args(["check-config", example().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_bad_config_stops_tillctl_with_exit_2_and_touches_nothing() {
    let till = Till::new();
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config-weak-hash.yaml");
    let out = tillctl(
        till.path(),
        &["--config", bad.to_str().unwrap(), "init"],
        &format!("{ADMIN_PW}\n"),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // Nothing at all: no state, no lock file, no audit line, no temp file.
    let left: Vec<_> = std::fs::read_dir(till.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
