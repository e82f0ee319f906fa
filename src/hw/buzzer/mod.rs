//! The receipt buzzer: short patterns that confirm what happened.
//!
//! Every key press and result raises a [`Beep`] through the [`Buzzer`]
//! trait. Backends: [`LogBuzzer`] (the desktop mock: logs each pattern with
//! a timestamp, optionally rings the terminal bell) and [`PatternBuzzer`],
//! which plays configured tone patterns on a [`Tone`] (the Pi's piezo via
//! [`pwm`], or a recording mock in tests).
//!
//! Playing never blocks the caller: patterns play on their own thread, a
//! new pattern replaces a stale one, and the buzzer is silent after every
//! pattern, when dropped, on shutdown and on a panic
//! ([`install_panic_silencer`]): a PWM channel left on keeps whining after
//! the process has gone.

pub mod pwm;

use std::io::Write;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What the buzzer says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// One step of a pattern: a tone, or silence when `hz` is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Frequency; 0 = silence.
    pub hz: u32,
    /// Length in milliseconds.
    pub ms: u32,
}

/// The tone patterns, by beep.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Patterns {
    /// A key was taken.
    pub click: Vec<Step>,
    /// Signed in, saved.
    pub success: Vec<Step>,
    /// Wrong, refused.
    pub error: Vec<Step>,
    /// A lockout started.
    pub locked: Vec<Step>,
}

impl Default for Patterns {
    fn default() -> Self {
        let s = |hz, ms| Step { hz, ms };
        Patterns {
            click: vec![s(4000, 12)],
            success: vec![s(2000, 70), s(0, 40), s(3000, 110)],
            error: vec![s(400, 260)],
            locked: vec![s(900, 150), s(0, 90), s(900, 150), s(0, 90), s(600, 450)],
        }
    }
}

impl Patterns {
    /// The steps for `b`.
    pub fn get(&self, b: Beep) -> &[Step] {
        match b {
            Beep::Click => &self.click,
            Beep::Success => &self.success,
            Beep::Error => &self.error,
            Beep::Locked => &self.locked,
        }
    }
}

/// A tone generator: the piezo's PWM, or a mock.
pub trait Tone: Send {
    /// Sounds `hz` with duty cycle `duty` (0.0–0.5: the volume).
    fn on(&mut self, hz: u32, duty: f64) -> Result<(), String>;
    /// Silence.
    fn off(&mut self) -> Result<(), String>;
}

enum Cmd {
    Play(Beep),
    Stop,
}

/// Plays [`Patterns`] on a [`Tone`] from its own thread.
pub struct PatternBuzzer {
    tx: Mutex<mpsc::Sender<Cmd>>,
    tone: Arc<Mutex<Box<dyn Tone>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for PatternBuzzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PatternBuzzer")
    }
}

fn lock_tone(t: &Mutex<Box<dyn Tone>>) -> std::sync::MutexGuard<'_, Box<dyn Tone>> {
    t.lock().unwrap_or_else(|e| e.into_inner())
}

impl PatternBuzzer {
    /// Starts the player thread. `volume` is 0.0–1.0.
    pub fn new(tone: Box<dyn Tone>, patterns: Patterns, volume: f64) -> PatternBuzzer {
        let duty = (volume.clamp(0.0, 1.0)) * 0.5;
        let tone = Arc::new(Mutex::new(tone));
        let (tx, rx) = mpsc::channel::<Cmd>();
        let t = tone.clone();
        let thread = std::thread::Builder::new()
            .name("buzzer".into())
            .spawn(move || {
                let mut next = rx.recv().ok();
                while let Some(cmd) = next.take() {
                    let Cmd::Play(beep) = cmd else { break };
                    // Play until the pattern ends or something newer arrives.
                    for step in patterns.get(beep) {
                        let r = if step.hz == 0 {
                            lock_tone(&t).off()
                        } else {
                            lock_tone(&t).on(step.hz, duty)
                        };
                        if let Err(e) = r {
                            tracing::warn!("buzzer: {e}");
                        }
                        match rx.recv_timeout(Duration::from_millis(u64::from(step.ms))) {
                            Ok(newer) => {
                                next = Some(newer);
                                break;
                            }
                            Err(RecvTimeoutError::Timeout) => {}
                            Err(RecvTimeoutError::Disconnected) => break,
                        }
                    }
                    if let Err(e) = lock_tone(&t).off() {
                        tracing::warn!("buzzer: {e}");
                    }
                    if next.is_none() {
                        next = rx.recv().ok();
                    }
                }
                let _ = lock_tone(&t).off();
            })
            .ok();
        PatternBuzzer {
            tx: Mutex::new(tx),
            tone,
            thread: Mutex::new(thread),
        }
    }
}

impl Buzzer for PatternBuzzer {
    fn play(&self, beep: Beep) {
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(Cmd::Play(beep));
        }
    }

    fn silence(&self) {
        if let Ok(tx) = self.tx.lock() {
            let _ = tx.send(Cmd::Stop);
        }
        // Straight to the hardware too: the player may be mid-step.
        let _ = lock_tone(&self.tone).off();
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}

impl Drop for PatternBuzzer {
    fn drop(&mut self) {
        self.silence();
    }
}

static PANIC_SILENCE: OnceLock<Arc<dyn Buzzer>> = OnceLock::new();

/// Makes a panic anywhere silence `buzzer` before unwinding or aborting.
pub fn install_panic_silencer(buzzer: Arc<dyn Buzzer>) {
    if PANIC_SILENCE.set(buzzer).is_ok() {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Some(b) = PANIC_SILENCE.get() {
                b.silence();
            }
            previous(info);
        }));
    }
}

/// What a [`RecordingTone`] was told: when, and `Some(hz)` or `None` for off.
pub type ToneLog = Arc<Mutex<Vec<(Instant, Option<u32>)>>>;

/// A tone that records what it was told, for tests and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct RecordingTone {
    /// Everything it was told.
    pub log: ToneLog,
}

impl RecordingTone {
    /// A fresh recorder.
    pub fn new() -> RecordingTone {
        RecordingTone::default()
    }

    fn t(&self) -> Instant {
        Instant::now()
    }

    /// Whether the last thing it was told was "off".
    pub fn is_silent(&self) -> bool {
        self.log
            .lock()
            .map(|l| l.last().is_none_or(|(_, hz)| hz.is_none()))
            .unwrap_or(false)
    }
}

impl Tone for RecordingTone {
    fn on(&mut self, hz: u32, _duty: f64) -> Result<(), String> {
        let t = self.t();
        self.log
            .lock()
            .map_err(|e| e.to_string())?
            .push((t, Some(hz)));
        Ok(())
    }
    fn off(&mut self) -> Result<(), String> {
        let t = self.t();
        self.log.lock().map_err(|e| e.to_string())?.push((t, None));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait_for(tone: &RecordingTone, cond: impl Fn(&[(Instant, Option<u32>)]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while !cond(&tone.log.lock().unwrap()) {
            assert!(
                Instant::now() < deadline,
                "buzzer did not act within 5 s: {:?}",
                tone.log.lock().unwrap()
            );
            std::thread::yield_now();
        }
    }

    #[test]
    fn plays_a_pattern_and_ends_silent() {
        let tone = RecordingTone::new();
        let b = PatternBuzzer::new(Box::new(tone.clone()), Patterns::default(), 1.0);
        b.play(Beep::Success);
        wait_for(&tone, |l| {
            l.iter().filter(|(_, hz)| hz.is_some()).count() == 2 && l.last().unwrap().1.is_none()
        });
        let hz: Vec<_> = tone
            .log
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(_, h)| *h)
            .collect();
        assert_eq!(hz, vec![2000, 3000]);
        assert!(tone.is_silent());
    }

    #[test]
    fn a_new_pattern_replaces_a_stale_one() {
        let tone = RecordingTone::new();
        let long = Patterns {
            locked: vec![Step {
                hz: 900,
                ms: 60_000,
            }],
            ..Patterns::default()
        };
        let b = PatternBuzzer::new(Box::new(tone.clone()), long, 1.0);
        b.play(Beep::Locked);
        wait_for(&tone, |l| l.iter().any(|(_, h)| *h == Some(900)));
        b.play(Beep::Click);
        // The minute-long tone gives way at once to the click.
        wait_for(&tone, |l| {
            l.iter().any(|(_, h)| *h == Some(4000)) && l.last().unwrap().1.is_none()
        });
    }

    #[test]
    fn silence_and_drop_leave_it_off() {
        let tone = RecordingTone::new();
        let long = Patterns {
            error: vec![Step {
                hz: 400,
                ms: 60_000,
            }],
            ..Patterns::default()
        };
        let b = PatternBuzzer::new(Box::new(tone.clone()), long, 0.5);
        b.play(Beep::Error);
        wait_for(&tone, |l| l.iter().any(|(_, h)| *h == Some(400)));
        drop(b);
        assert!(tone.is_silent());
    }
}
