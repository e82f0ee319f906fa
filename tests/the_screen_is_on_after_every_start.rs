//! A kiosk stopped or crashed while the screen slept leaves the panel at
//! brightness 0 and `bl_power` 4 (or at the dimmed level). The next start
//! must switch it on at the configured brightness, or the maximum: a dark
//! till whose keys still reach the form is a till nobody can use.
mod common;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn panel(dir: &Path, brightness: &str, bl_power: &str) -> PathBuf {
    let d = dir.join("backlight/10-0045");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("max_brightness"), "255\n").unwrap();
    std::fs::write(d.join("brightness"), format!("{brightness}\n")).unwrap();
    std::fs::write(d.join("bl_power"), format!("{bl_power}\n")).unwrap();
    d
}

fn read(d: &Path, f: &str) -> String {
    std::fs::read_to_string(d.join(f))
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// Starts a kiosk on a panel left as `brightness`/`bl_power` and waits for
/// it to be on at `expect`.
fn starts_lit(found: &str, bl_power: &str, config_brightness: Option<u32>, expect: &str) {
    let bl = std::cell::RefCell::new(PathBuf::new());
    let mut k = common::headless::start_with(
        |dir| {
            let d = panel(dir, found, bl_power);
            *bl.borrow_mut() = d.clone();
            let brightness = config_brightness
                .map(|b| format!("  brightness: {b}\n"))
                .unwrap_or_default();
            format!("ui:\n  backlight: {}\n{brightness}", d.display())
        },
        &[],
    );
    let bl = bl.into_inner();
    common::headless::wait_until(
        Duration::from_secs(30),
        || read(&bl, "brightness") == expect && read(&bl, "bl_power") == "0",
        || {
            format!(
                "still dark: brightness {} bl_power {}",
                read(&bl, "brightness"),
                read(&bl, "bl_power")
            )
        },
    );
    assert_eq!(k.state()["asleep"], false);
    assert_eq!(k.stop().code(), Some(0));
}

#[test]
fn a_panel_left_off_comes_on_at_the_maximum() {
    starts_lit("0", "4", None, "255");
}

#[test]
fn a_panel_left_dimmed_comes_on_at_the_configured_brightness() {
    // 20 is the dimmed level of 200: never taken for "full".
    starts_lit("20", "0", Some(200), "200");
}
