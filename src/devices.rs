//! The devices the config names, started: the one place where the config
//! file meets the hardware backends (so `hw` does not know the config and
//! the config does not start hardware).
//!
//! Anything that cannot be opened (bad wiring, missing permission, not a
//! Pi) is logged with the pin or device and the fix, and the till carries
//! on with what works: touch alone is enough to sign in.

use crate::config::{BacklightChoice, BuzzerBackend, Config, KeypadBackend};
use crate::hw::backlight::{Backlight, Level, NoBacklight, SysfsBacklight};
use crate::hw::badge::{self, BadgeSink};
use crate::hw::buzzer::{self, Buzzer, LogBuzzer};
use crate::hw::{KeySink, evdev_input, keypad};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The hardware in use, with what could not be opened.
pub struct Hardware {
    /// The buzzer (a mock if the real one failed).
    pub buzzer: Arc<dyn Buzzer>,
    /// The screen's backlight ([`NoBacklight`] when there is none: the
    /// kiosk then blanks its picture).
    pub backlight: Arc<dyn Backlight>,
    /// What did not start, with the fix, for the log and the info screen.
    pub problems: Vec<String>,
    keypad: Option<(Arc<AtomicBool>, std::thread::JoinHandle<()>)>,
}

impl std::fmt::Debug for Hardware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hardware")
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

extern "C" fn wake(_: std::ffi::c_int) {}

/// Starts the configured devices; keys go to `sink`.
///
/// Long on purpose: one block per device (buzzer, keypad, input devices), each with its fallback; the order is start-up order.
pub fn start(cfg: &Config, sink: KeySink, badges: BadgeSink) -> Hardware {
    let mut problems = Vec::new();
    let b = &cfg.buzzer;
    let tone: Option<Result<Box<dyn buzzer::Tone>, String>> = match b.backend {
        BuzzerBackend::None | BuzzerBackend::Mock => None,
        BuzzerBackend::Pwm => Some(
            buzzer::pwm::HardwarePwm::open(b.pwm_channel)
                .map(|t| Box::new(t) as Box<dyn buzzer::Tone>),
        ),
        BuzzerBackend::SoftwarePwm => Some(
            buzzer::pwm::SoftwarePwm::open(b.pin).map(|t| Box::new(t) as Box<dyn buzzer::Tone>),
        ),
    };
    let buzzer: Arc<dyn Buzzer> = match tone {
        Some(Ok(t)) => Arc::new(buzzer::PatternBuzzer::new(t, b.patterns.clone(), b.volume)),
        Some(Err(e)) => {
            problems.push(format!("buzzer: {e}"));
            Arc::new(LogBuzzer::new(false))
        }
        None => Arc::new(LogBuzzer::new(
            b.mock_bell && b.backend == BuzzerBackend::Mock,
        )),
    };
    buzzer::install_panic_silencer(buzzer.clone());

    let mut keypad = None;
    let k = &cfg.keypad;
    if k.backend == KeypadBackend::Gpio {
        let stop = Arc::new(AtomicBool::new(false));
        match keypad::gpio::RppalMatrix::open(&k.rows, &k.columns, stop.clone()) {
            Ok(pins) => {
                // A no-op handler: SIGUSR1 only interrupts the epoll wait.
                let action = nix::sys::signal::SigAction::new(
                    nix::sys::signal::SigHandler::Handler(wake),
                    nix::sys::signal::SaFlags::empty(),
                    nix::sys::signal::SigSet::empty(),
                );
                // SAFETY: the handler does nothing, so it is async-signal-safe.
                let _ = unsafe {
                    nix::sys::signal::sigaction(nix::sys::signal::Signal::SIGUSR1, &action)
                };
                let map = keypad::KeyMap {
                    keys: k.keys.iter().flatten().copied().collect(),
                    repeating: k.repeat_keys.clone(),
                };
                let ms =
                    |d: &crate::config::Dur| u64::try_from(d.0.as_millis()).unwrap_or(u64::MAX);
                let timing = keypad::Timing {
                    debounce_ms: ms(&k.debounce),
                    scan_ms: ms(&k.scan_interval).max(1),
                    repeat_delay_ms: ms(&k.repeat_delay),
                    repeat_interval_ms: ms(&k.repeat_interval),
                };
                let sink = sink.clone();
                match std::thread::Builder::new()
                    .name("keypad".into())
                    .spawn(move || {
                        if let Err(e) =
                            keypad::run(pins, &map, timing, &sink, &keypad::Stats::default())
                        {
                            tracing::error!("keypad stopped: {e}; the touchscreen still works");
                        }
                    }) {
                    Ok(h) => keypad = Some((stop, h)),
                    Err(e) => problems.push(format!("keypad: no thread: {e}")),
                }
            }
            Err(e) => problems.push(e.to_string()),
        }
    }

    for spec in &cfg.input.devices {
        let (sink, grab) = (sink.clone(), cfg.input.grab);
        let run = move |spec: &str| evdev_input::run(spec, grab, &sink);
        problems.extend(spawn_reader("input device", spec, run));
    }
    for spec in &cfg.input.badge_readers {
        let badges = badges.clone();
        let run = move |spec: &str| badge::run(spec, &badges);
        problems.extend(spawn_reader("badge reader", spec, run));
    }
    let backlight = backlight(cfg, &mut problems);
    for p in &problems {
        tracing::error!("{p}; carrying on without it (touch still works)");
    }
    Hardware {
        buzzer,
        backlight,
        problems,
        keypad,
    }
}

impl Hardware {
    /// Silences the buzzer and releases the keypad pins.
    pub fn shutdown(&mut self) {
        self.buzzer.silence();
        if let Some((stop, handle)) = self.keypad.take() {
            stop.store(true, Ordering::SeqCst);
            use std::os::unix::thread::JoinHandleExt;
            let _ = nix::sys::pthread::pthread_kill(
                handle.as_pthread_t(),
                nix::sys::signal::Signal::SIGUSR1,
            );
            let _ = handle.join();
        }
    }
}

/// The configured backlight, or none (with the reason among `problems`).
fn backlight(cfg: &Config, problems: &mut Vec<String>) -> Arc<dyn Backlight> {
    let dir = match &cfg.ui.backlight {
        BacklightChoice::None => None,
        BacklightChoice::Auto => SysfsBacklight::find(std::path::Path::new("/sys/class/backlight")),
        BacklightChoice::Path(p) => Some(p.clone()),
    };
    match dir.map(|d| SysfsBacklight::open(&d, cfg.ui.brightness)) {
        None => Arc::new(NoBacklight::default()),
        Some(Ok(b)) => {
            tracing::info!("backlight: {b:?}");
            // On at every start: a run that stopped while the screen slept
            // left it dark, and the sleep timer only acts on changes.
            if let Err(e) = b.set(Level::Full) {
                problems.push(format!("{e} (the screen may stay dark)"));
            }
            Arc::new(b)
        }
        Some(Err(e)) => {
            problems.push(format!(
                "{e} (the screen is blanked instead of switched off; the udev rule gives group video write access)"
            ));
            Arc::new(NoBacklight::default())
        }
    }
}

/// Reads the evdev device `spec` on its own thread with `run`; returns
/// what is wrong with it now (it is waited for if missing) or the thread
/// that could not start.
fn spawn_reader(what: &str, spec: &str, run: impl FnOnce(&str) + Send + 'static) -> Vec<String> {
    let mut problems: Vec<String> = evdev_input::open_problem(what, spec).into_iter().collect();
    let owned = spec.to_owned();
    if let Err(e) = std::thread::Builder::new()
        .name(what.replace(' ', "-"))
        .spawn(move || run(&owned))
    {
        problems.push(format!("{what} {spec}: no thread: {e}"));
    }
    problems
}
