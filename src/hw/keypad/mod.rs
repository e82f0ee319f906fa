//! The GPIO matrix keypad: scan → debounce → interpret, as separate layers.
//!
//! * [`scan`]: reads the matrix through `embedded-hal` pins.
//! * [`debounce`]: settles contacts and repeats held keys (pure).
//! * this module: the driver loop and the key map; the service-menu chord
//!   is interpreted later, by [`crate::hw::chord`], for every key source.
//!
//! **No busy loop when idle.** The driver drives all rows low and blocks
//! until a column line falls (rppal: an epoll wait on the GPIO character
//! device). It scans every few milliseconds only while a key is down, then
//! goes back to waiting. An idle till costs no keypad wake-ups at all.
//!
//! Backends: [`gpio`] (rppal, the real pins) and [`sim`] (a simulated
//! matrix for tests, benchmarks and the desktop).

pub mod debounce;
pub mod gpio;
pub mod scan;
pub mod sim;

use super::KeySink;
use super::keys::{Key, KeyEvent};
use debounce::{Debouncer, Repeater};
use embedded_hal::digital::{InputPin, OutputPin};
use std::time::{Duration, Instant};

/// Pins of a matrix plus a way to sleep until a key goes down.
pub trait MatrixPins: Send {
    /// Row pins (outputs).
    type Row: OutputPin;
    /// Column pins (inputs with pull-ups).
    type Col: InputPin;
    /// Both sets of pins.
    fn pins(&mut self) -> (&mut [Self::Row], &mut [Self::Col]);
    /// Forgets edges seen so far (our own scanning makes plenty).
    fn clear_edges(&mut self) -> Result<(), KeypadError>;
    /// Blocks until a column line has fallen since [`clear_edges`], or the
    /// keypad is stopped (returns `false` then).
    ///
    /// [`clear_edges`]: MatrixPins::clear_edges
    fn wait_for_press(&mut self) -> Result<bool, KeypadError>;
}

/// A keypad that cannot be used; says which pin or device and the fix.
#[derive(Debug, thiserror::Error)]
pub enum KeypadError {
    /// Opening the GPIO chip or a pin failed.
    #[error("unable to open keypad {what}: {reason}; {fix}")]
    Open {
        /// Which pin ("row pin BCM 5 (physical 29)").
        what: String,
        /// The OS or rppal error.
        reason: String,
        /// What to do.
        fix: &'static str,
    },
    /// A pin failed while scanning.
    #[error("keypad scan failed: {0}")]
    Scan(#[from] scan::ScanError),
    /// Waiting for an edge failed.
    #[error("keypad interrupt wait failed: {0}")]
    Wait(String),
}

/// Timing of the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Contacts must hold this long.
    pub debounce_ms: u64,
    /// Scan period while a key is down.
    pub scan_ms: u64,
    /// Auto-repeat delay.
    pub repeat_delay_ms: u64,
    /// Auto-repeat interval.
    pub repeat_interval_ms: u64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            debounce_ms: 20,
            scan_ms: 5,
            repeat_delay_ms: 500,
            repeat_interval_ms: 100,
        }
    }
}

/// Which key is where, and which keys repeat when held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyMap {
    /// Row-major keys.
    pub keys: Vec<Key>,
    /// Keys that auto-repeat.
    pub repeating: Vec<Key>,
}

/// Counters for the benchmark and for "is it idle" checks.
#[derive(Debug, Default)]
pub struct Stats {
    /// Times the driver woke from waiting for an edge.
    pub wakeups: std::sync::atomic::AtomicU64,
    /// Scans taken.
    pub scans: std::sync::atomic::AtomicU64,
}

/// Runs the keypad until the backend says stop. Blocking: give it a thread.
pub fn run<P: MatrixPins>(
    mut pins: P,
    map: &KeyMap,
    t: Timing,
    sink: &KeySink,
    stats: &Stats,
) -> Result<(), KeypadError> {
    use std::sync::atomic::Ordering::Relaxed;
    let start = Instant::now();
    let now = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let keys = map.keys.len();
    let mut deb = Debouncer::new(keys, t.debounce_ms);
    let mut rep = Repeater::new(keys, t.repeat_delay_ms, t.repeat_interval_ms);
    loop {
        {
            let (rows, _) = pins.pins();
            scan::arm(rows)?;
            // Clear first, then look: a press after the clear either shows
            // in the look or raises an edge the wait will see. (Clearing
            // after the look could lose a press made in between.)
            pins.clear_edges()?;
            let (_, cols) = pins.pins();
            if !scan::any_column_low(cols)? {
                if !pins.wait_for_press()? {
                    return Ok(());
                }
                stats.wakeups.fetch_add(1, Relaxed);
            }
        }
        loop {
            let (rows, cols) = pins.pins();
            let m = scan::scan(rows, cols)?;
            stats.scans.fetch_add(1, Relaxed);
            let t_now = now();
            for c in deb.update(&m, t_now) {
                let Some(&key) = map.keys.get(c.index) else {
                    continue;
                };
                rep.change(c, t_now, map.repeating.contains(&key));
                sink(if c.down {
                    KeyEvent::Down(key)
                } else {
                    KeyEvent::Up(key)
                });
            }
            for i in rep.due(t_now) {
                if let Some(&key) = map.keys.get(i) {
                    sink(KeyEvent::Down(key));
                }
            }
            if deb.idle() {
                break;
            }
            std::thread::sleep(Duration::from_millis(t.scan_ms));
        }
    }
}

/// BCM GPIO number → physical pin on the 40-pin header (for messages and
/// the README's wiring table).
pub fn physical_pin(bcm: u8) -> Option<u8> {
    const MAP: [(u8, u8); 28] = [
        (2, 3),
        (3, 5),
        (4, 7),
        (17, 11),
        (27, 13),
        (22, 15),
        (10, 19),
        (9, 21),
        (11, 23),
        (0, 27),
        (5, 29),
        (6, 31),
        (13, 33),
        (19, 35),
        (26, 37),
        (14, 8),
        (15, 10),
        (18, 12),
        (23, 16),
        (24, 18),
        (25, 22),
        (8, 24),
        (7, 26),
        (1, 28),
        (12, 32),
        (16, 36),
        (20, 38),
        (21, 40),
    ];
    MAP.iter().find(|(b, _)| *b == bcm).map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn physical_pins() {
        assert_eq!(physical_pin(18), Some(12));
        assert_eq!(physical_pin(21), Some(40));
        assert_eq!(physical_pin(40), None);
    }

    #[test]
    fn a_press_on_the_simulated_matrix_becomes_down_then_up() {
        let (pins, handle) = sim::SimMatrix::new(4, 4);
        let map = KeyMap {
            keys: (0..16).map(|i| Key::Digit((i % 10) as u8)).collect(),
            repeating: vec![],
        };
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let sink: KeySink = Arc::new(move |e| g.lock().unwrap().push(e));
        let stats = Arc::new(Stats::default());
        let st = stats.clone();
        let t = Timing {
            debounce_ms: 0,
            scan_ms: 1,
            ..Timing::default()
        };
        let th = std::thread::spawn(move || run(pins, &map, t, &sink, &st));
        handle.wait_until_waiting();
        handle.press(1, 2);
        handle.wait_until(|| got.lock().unwrap().len() == 1);
        handle.release(1, 2);
        handle.wait_until(|| got.lock().unwrap().len() == 2);
        handle.wait_until_waiting();
        handle.stop();
        th.join().unwrap().unwrap();
        assert_eq!(
            *got.lock().unwrap(),
            vec![KeyEvent::Down(Key::Digit(6)), KeyEvent::Up(Key::Digit(6))]
        );
        assert_eq!(
            stats.wakeups.load(std::sync::atomic::Ordering::Relaxed),
            1,
            "one wake-up for one press"
        );
    }
}
