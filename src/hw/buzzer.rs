//! The receipt buzzer: short patterns that confirm what happened.
//!
//! Every key press and result raises a [`Beep`] through the [`Buzzer`]
//! trait. Backends: [`LogBuzzer`] (desktop and tests: logs each pattern,
//! optionally rings the terminal bell) and, on a Pi, the rppal PWM piezo
//! (see the hardware module). Playing never blocks the caller.

use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

/// What the buzzer says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Beep {
    /// A key was taken.
    Click,
    /// Signed in, saved, done.
    Success,
    /// Wrong password, refused.
    Error,
    /// A lockout started.
    Locked,
}

impl Beep {
    /// Lowercase name for logs and config.
    pub fn name(self) -> &'static str {
        match self {
            Beep::Click => "click",
            Beep::Success => "success",
            Beep::Error => "error",
            Beep::Locked => "locked",
        }
    }
}

/// Something that can beep.
pub trait Buzzer: Send + Sync {
    /// Starts `beep`, replacing whatever is playing. Returns at once.
    fn play(&self, beep: Beep);
    /// Stops and leaves the buzzer silent (shutdown).
    fn silence(&self) {}
}

/// The mock buzzer: logs each pattern with a timestamp; optionally rings
/// the terminal bell for the non-click patterns. Keeps a history for tests.
#[derive(Debug)]
pub struct LogBuzzer {
    bell: bool,
    start: Instant,
    played: Mutex<Vec<Beep>>,
}

impl LogBuzzer {
    /// A log-only buzzer; `bell` also writes BEL to stderr.
    pub fn new(bell: bool) -> LogBuzzer {
        LogBuzzer {
            bell,
            start: Instant::now(),
            played: Mutex::new(Vec::new()),
        }
    }

    /// Everything played so far.
    pub fn played(&self) -> Vec<Beep> {
        self.played.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

impl Buzzer for LogBuzzer {
    fn play(&self, beep: Beep) {
        tracing::debug!(
            t_ms = self.start.elapsed().as_millis() as u64,
            "buzzer: {}",
            beep.name()
        );
        if let Ok(mut p) = self.played.lock() {
            p.push(beep);
        }
        if self.bell && beep != Beep::Click {
            let _ = std::io::stderr().write_all(b"\x07");
        }
    }
}
