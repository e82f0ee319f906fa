//! Keys from evdev devices: USB numeric keypads and `gpio-keys`
//! device-tree buttons.
//!
//! Each configured device (a path such as `/dev/input/by-id/...`, or
//! `name:USB Keypad` to match the device name) gets a thread that opens and
//! **grabs** it, so its keys reach only the kiosk: not libinput (which would
//! hand them to Slint a second time) and not the text console. Key codes
//! are read raw, so a numpad's NumLock state does not matter.
//!
//! Hot-unplug: a read error closes the device; the thread then sleeps on
//! inotify for changes under `/dev/input` (no polling) and re-opens the
//! device when it is back.

use super::KeySink;
use super::keys::{Key, KeyEvent};
use evdev::{Device, EventSummary, KeyCode};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use std::path::{Path, PathBuf};

/// Maps a Linux key code to a keypad key.
pub fn key_for(code: KeyCode) -> Option<Key> {
    let digit = |d: u8| Some(Key::Digit(d));
    match code {
        KeyCode::KEY_KP0 | KeyCode::KEY_0 => digit(0),
        KeyCode::KEY_KP1 | KeyCode::KEY_1 => digit(1),
        KeyCode::KEY_KP2 | KeyCode::KEY_2 => digit(2),
        KeyCode::KEY_KP3 | KeyCode::KEY_3 => digit(3),
        KeyCode::KEY_KP4 | KeyCode::KEY_4 => digit(4),
        KeyCode::KEY_KP5 | KeyCode::KEY_5 => digit(5),
        KeyCode::KEY_KP6 | KeyCode::KEY_6 => digit(6),
        KeyCode::KEY_KP7 | KeyCode::KEY_7 => digit(7),
        KeyCode::KEY_KP8 | KeyCode::KEY_8 => digit(8),
        KeyCode::KEY_KP9 | KeyCode::KEY_9 => digit(9),
        KeyCode::KEY_KPENTER | KeyCode::KEY_ENTER | KeyCode::KEY_OK => Some(Key::Enter),
        KeyCode::KEY_BACKSPACE => Some(Key::Backspace),
        KeyCode::KEY_DELETE | KeyCode::KEY_KPDOT | KeyCode::KEY_CLEAR => Some(Key::Clear),
        KeyCode::KEY_ESC | KeyCode::KEY_CANCEL => Some(Key::Cancel),
        KeyCode::KEY_F1 | KeyCode::KEY_KPSLASH => Some(Key::F1),
        KeyCode::KEY_F2 | KeyCode::KEY_KPASTERISK => Some(Key::F2),
        KeyCode::KEY_KPMINUS => Some(Key::Backspace),
        KeyCode::KEY_KPPLUS => Some(Key::Enter),
        KeyCode::KEY_UP => Some(Key::Up),
        KeyCode::KEY_DOWN | KeyCode::KEY_TAB => Some(Key::Down),
        _ => None,
    }
}

/// What a value of an `EV_KEY` event means (1 down, 0 up, 2 autorepeat).
/// Autorepeat is honoured only for Backspace: a held digit on a PIN pad
/// must not type a run of digits.
pub fn event_for(key: Key, value: i32) -> Option<KeyEvent> {
    match value {
        1 => Some(KeyEvent::Down(key)),
        0 => Some(KeyEvent::Up(key)),
        2 if key == Key::Backspace => Some(KeyEvent::Down(key)),
        _ => None,
    }
}

/// Finds the device for `spec` (`/dev/input/...` or `name:SUBSTRING`).
pub fn find(spec: &str) -> Option<(PathBuf, Device)> {
    match spec.strip_prefix("name:") {
        Some(want) => evdev::enumerate().find(|(_, d)| d.name().is_some_and(|n| n.contains(want))),
        None => Device::open(spec).ok().map(|d| (PathBuf::from(spec), d)),
    }
}

/// Why a device cannot be opened, with the fix.
pub fn open_problem(what: &str, spec: &str) -> Option<String> {
    let path = spec
        .strip_prefix("name:")
        .map_or_else(|| Path::new(spec).to_owned(), |_| PathBuf::new());
    match std::fs::File::open(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Some(format!(
            "unable to open {what} {spec}: permission denied; add the service user to group input (usermod -aG input till-kiosk)"
        )),
        _ => None,
    }
}

/// Reads `spec` forever, re-opening it after unplug. Blocking: give it a thread.
pub fn run(spec: &str, grab: bool, sink: &KeySink) {
    run_with(spec, grab, &mut |code, value, _| {
        if let Some(k) = key_for(code)
            && let Some(e) = event_for(k, value)
        {
            sink(e);
        }
    });
}

/// Each key event of `spec` (code, value: 1 down, 0 up, 2 repeat, and
/// when) goes to `on_key`, forever, re-opening the device after unplug.
pub fn run_with(
    spec: &str,
    grab: bool,
    on_key: &mut dyn FnMut(KeyCode, i32, std::time::SystemTime),
) {
    let inotify = Inotify::init(InitFlags::IN_CLOEXEC).ok();
    if let Some(i) = &inotify {
        let _ = i.add_watch(
            "/dev/input",
            AddWatchFlags::IN_CREATE | AddWatchFlags::IN_ATTRIB,
        );
        let _ = i.add_watch("/dev/input/by-id", AddWatchFlags::IN_CREATE);
    }
    let mut announced_missing = false;
    loop {
        match find(spec) {
            Some((path, mut dev)) => {
                announced_missing = false;
                if grab && let Err(e) = dev.grab() {
                    tracing::warn!(
                        "input device {}: cannot grab it ({e}); its keys may also reach the console",
                        path.display()
                    );
                }
                tracing::info!(
                    "input device {} ({}) connected",
                    path.display(),
                    dev.name().unwrap_or("?")
                );
                read(&mut dev, on_key);
                tracing::warn!(
                    "input device {} disconnected; waiting for it to come back",
                    path.display()
                );
            }
            None => {
                if !announced_missing {
                    match open_problem("input device", spec) {
                        Some(p) => tracing::error!("{p}"),
                        None => tracing::warn!(
                            "input device {spec} not found; waiting for it to be plugged in"
                        ),
                    }
                    announced_missing = true;
                }
            }
        }
        // Sleep until something changes under /dev/input.
        match &inotify {
            Some(i) => {
                let _ = i.read_events();
                // Give udev a moment to set the permissions of a new node.
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            None => std::thread::sleep(std::time::Duration::from_secs(5)),
        }
    }
}

fn read(dev: &mut Device, on_key: &mut dyn FnMut(KeyCode, i32, std::time::SystemTime)) {
    loop {
        let events = match dev.fetch_events() {
            Ok(ev) => ev,
            Err(_) => return,
        };
        for ev in events {
            if let EventSummary::Key(_, code, value) = ev.destructure() {
                on_key(code, value, ev.timestamp());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpad_codes_are_digits_whatever_numlock_says() {
        assert_eq!(key_for(KeyCode::KEY_KP7), Some(Key::Digit(7)));
        assert_eq!(key_for(KeyCode::KEY_KPENTER), Some(Key::Enter));
        assert_eq!(key_for(KeyCode::KEY_KPDOT), Some(Key::Clear));
        assert_eq!(key_for(KeyCode::KEY_A), None);
    }

    #[test]
    fn autorepeat_only_for_backspace() {
        assert_eq!(event_for(Key::Digit(1), 2), None);
        assert_eq!(
            event_for(Key::Backspace, 2),
            Some(KeyEvent::Down(Key::Backspace))
        );
        assert_eq!(
            event_for(Key::Digit(1), 0),
            Some(KeyEvent::Up(Key::Digit(1)))
        );
    }

    #[test]
    fn missing_devices_are_not_found() {
        assert!(find("/dev/input/by-id/no-such-keypad").is_none());
        assert!(find("name:no such keypad at all").is_none());
    }
}
