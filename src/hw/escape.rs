//! Closing the kiosk's escapes on the Pi.
//!
//! 1. Slint's linuxkms backend quits its event loop on Ctrl+Alt+Backspace
//!    and Ctrl+Alt+Delete from an attached keyboard. [`EscapeGuard`] sees
//!    every libinput key event first (through Slint's libinput hook) and
//!    swallows those combinations. (If the loop ends anyway, the app starts
//!    it again unless a shutdown was asked for.)
//! 2. Keystrokes also reach the text console on tty1 underneath the
//!    kiosk: [`console_keyboard_off`] switches the VT keyboard off.
//! 3. A USB numpad sends navigation keys until NumLock is on: the unit sets
//!    `XKB_DEFAULT_OPTIONS=numpad:mac`, and grabbed keypads are read raw
//!    (see [`super::evdev_input`]).

use std::os::fd::AsRawFd;

/// Linux key codes the guard cares about (linux/input-event-codes.h).
const KEY_LEFTCTRL: u32 = 29;
const KEY_RIGHTCTRL: u32 = 97;
const KEY_LEFTALT: u32 = 56;
const KEY_RIGHTALT: u32 = 100;
const KEY_BACKSPACE: u32 = 14;
const KEY_DELETE: u32 = 111;
const KEY_KPDOT: u32 = 83;

/// Tracks Ctrl and Alt from raw key events and says which to swallow.
#[derive(Debug, Default, Clone)]
pub struct EscapeGuard {
    ctrl: u8,
    alt: u8,
}

impl EscapeGuard {
    /// Feeds one key event (`pressed` false = released); returns true if
    /// it must not reach Slint.
    pub fn filter(&mut self, code: u32, pressed: bool) -> bool {
        let bump = |n: &mut u8| {
            if pressed {
                *n = n.saturating_add(1)
            } else {
                *n = n.saturating_sub(1)
            }
        };
        match code {
            KEY_LEFTCTRL | KEY_RIGHTCTRL => bump(&mut self.ctrl),
            KEY_LEFTALT | KEY_RIGHTALT => bump(&mut self.alt),
            KEY_BACKSPACE | KEY_DELETE | KEY_KPDOT => {
                let escape = self.ctrl > 0 && self.alt > 0;
                if escape && pressed {
                    tracing::warn!(
                        "swallowed Ctrl+Alt+{}: the kiosk stays up",
                        if code == KEY_BACKSPACE {
                            "Backspace"
                        } else {
                            "Delete"
                        }
                    );
                }
                return escape;
            }
            _ => {}
        }
        false
    }
}

nix::ioctl_write_int_bad!(kdskbmode, 0x4B45);
nix::ioctl_read_bad!(kdgkbmode, 0x4B44, libc_int);
#[allow(non_camel_case_types)]
type libc_int = std::ffi::c_int;
const K_OFF: i32 = 0x04;

/// Restores the console keyboard mode when dropped.
#[derive(Debug)]
pub struct ConsoleKeyboard {
    file: std::fs::File,
    old: i32,
}

/// Switches the keyboard of virtual console `tty` off (KDSKBMODE K_OFF), so
/// keys typed for the kiosk do not also land on the text console.
///
/// Under systemd (`StandardInput=tty-fail`, `TTYPath=/dev/tty1`) the service
/// gets tty1 as standard input; if the path cannot be opened (the unit
/// runs as an unprivileged user), standard input is used when it is a tty.
pub fn console_keyboard_off(tty: &std::path::Path) -> Result<ConsoleKeyboard, String> {
    use std::io::IsTerminal;
    let file = match std::fs::OpenOptions::new().read(true).write(true).open(tty) {
        Ok(f) => f,
        Err(e) if std::io::stdin().is_terminal() => {
            use std::os::fd::AsFd;
            tracing::debug!("{}: {e}; using standard input", tty.display());
            std::io::stdin()
                .as_fd()
                .try_clone_to_owned()
                .map(std::fs::File::from)
                .map_err(|e| format!("unable to use standard input as the console: {e}"))?
        }
        Err(e) => return Err(format!("unable to open {}: {e}", tty.display())),
    };
    let mut old: libc_int = 0;
    // SAFETY: KDGKBMODE writes one int through the pointer we pass.
    unsafe { kdgkbmode(file.as_raw_fd(), &mut old) }.map_err(|e| {
        format!(
            "{} is not a virtual console ({e}); keys may reach its console",
            tty.display()
        )
    })?;
    // SAFETY: KDSKBMODE takes the mode as an int argument.
    unsafe { kdskbmode(file.as_raw_fd(), K_OFF) }.map_err(|e| {
        format!(
            "unable to switch off the keyboard of {}: {e}",
            tty.display()
        )
    })?;
    Ok(ConsoleKeyboard { file, old })
}

impl Drop for ConsoleKeyboard {
    fn drop(&mut self) {
        // SAFETY: as above; restores the mode read at start.
        let _ = unsafe { kdskbmode(self.file.as_raw_fd(), self.old) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swallows_ctrl_alt_backspace_and_delete_only() {
        let mut g = EscapeGuard::default();
        assert!(!g.filter(KEY_BACKSPACE, true), "plain backspace passes");
        assert!(!g.filter(KEY_BACKSPACE, false));
        g.filter(KEY_LEFTCTRL, true);
        assert!(!g.filter(KEY_BACKSPACE, true), "ctrl alone passes");
        g.filter(KEY_RIGHTALT, true);
        assert!(g.filter(KEY_BACKSPACE, true));
        assert!(g.filter(KEY_DELETE, true));
        assert!(g.filter(KEY_KPDOT, true), "numpad Del too");
        g.filter(KEY_LEFTCTRL, false);
        assert!(!g.filter(KEY_DELETE, true), "released ctrl");
    }

    #[test]
    fn the_console_call_fails_cleanly_off_a_console() {
        let e = console_keyboard_off(std::path::Path::new("/dev/null")).unwrap_err();
        assert!(e.contains("/dev/null is not a virtual console"), "{e}");
        let e = console_keyboard_off(std::path::Path::new("/nonexistent/tty9")).unwrap_err();
        assert!(e.contains("unable to open"), "{e}");
    }
}
