//! A simulated matrix: pins that read a shared "which keys are held"
//! state, and a handle to press keys. Used by tests, the benchmark and as
//! the keypad backend `sim` on a desktop. Implements the same
//! `embedded-hal` traits as the real pins, so the driver cannot tell.

use super::{KeypadError, MatrixPins};
use embedded_hal::digital::{ErrorType, InputPin, OutputPin};
use std::convert::Infallible;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

#[derive(Debug)]
struct State {
    rows: usize,
    cols: usize,
    held: Vec<bool>,
    driven_low: Vec<bool>,
    /// Bumped on every press, so a waiter sees edges it slept through.
    presses: u64,
    stopped: bool,
    /// The driver is blocked waiting for an edge.
    waiting: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A simulated row pin.
#[derive(Debug)]
pub struct SimRow(Arc<Shared>, usize);
/// A simulated column pin.
#[derive(Debug)]
pub struct SimCol(Arc<Shared>, usize);

impl ErrorType for SimRow {
    type Error = Infallible;
}
impl ErrorType for SimCol {
    type Error = Infallible;
}

impl OutputPin for SimRow {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.0.lock().driven_low[self.1] = true;
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.0.lock().driven_low[self.1] = false;
        Ok(())
    }
}

impl InputPin for SimCol {
    fn is_high(&mut self) -> Result<bool, Infallible> {
        self.is_low().map(|l| !l)
    }
    fn is_low(&mut self) -> Result<bool, Infallible> {
        let s = self.0.lock();
        Ok((0..s.rows).any(|r| s.driven_low[r] && s.held[r * s.cols + self.1]))
    }
}

/// The simulated matrix's pins (give to [`super::run`]).
#[derive(Debug)]
pub struct SimMatrix {
    shared: Arc<Shared>,
    rows: Vec<SimRow>,
    cols: Vec<SimCol>,
    seen: u64,
}

/// Presses and releases keys on a [`SimMatrix`].
#[derive(Debug, Clone)]
pub struct SimHandle(Arc<Shared>);

impl SimMatrix {
    /// A `rows × cols` matrix with nothing held.
    pub fn new(rows: usize, cols: usize) -> (SimMatrix, SimHandle) {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                rows,
                cols,
                held: vec![false; rows * cols],
                driven_low: vec![false; rows],
                presses: 0,
                stopped: false,
                waiting: false,
            }),
            changed: Condvar::new(),
        });
        let m = SimMatrix {
            rows: (0..rows).map(|r| SimRow(shared.clone(), r)).collect(),
            cols: (0..cols).map(|c| SimCol(shared.clone(), c)).collect(),
            shared: shared.clone(),
            seen: 0,
        };
        (m, SimHandle(shared))
    }
}

impl MatrixPins for SimMatrix {
    type Row = SimRow;
    type Col = SimCol;
    fn pins(&mut self) -> (&mut [SimRow], &mut [SimCol]) {
        (&mut self.rows, &mut self.cols)
    }
    fn clear_edges(&mut self) -> Result<(), KeypadError> {
        self.seen = self.shared.lock().presses;
        Ok(())
    }
    fn wait_for_press(&mut self) -> Result<bool, KeypadError> {
        let mut s = self.shared.lock();
        s.waiting = true;
        self.shared.changed.notify_all();
        while s.presses == self.seen && !s.stopped {
            s = self
                .shared
                .changed
                .wait(s)
                .unwrap_or_else(|e| e.into_inner());
        }
        s.waiting = false;
        self.seen = s.presses;
        Ok(!s.stopped)
    }
}

impl SimHandle {
    /// Holds the key at `(r, c)` down.
    pub fn press(&self, r: usize, c: usize) {
        let mut s = self.0.lock();
        let cols = s.cols;
        s.held[r * cols + c] = true;
        s.presses += 1;
        self.0.changed.notify_all();
    }

    /// Lets go of `(r, c)`.
    pub fn release(&self, r: usize, c: usize) {
        let mut s = self.0.lock();
        let cols = s.cols;
        s.held[r * cols + c] = false;
        self.0.changed.notify_all();
    }

    /// Ends the driver loop.
    pub fn stop(&self) {
        self.0.lock().stopped = true;
        self.0.changed.notify_all();
    }

    /// Blocks (at most 5 s) until the driver is waiting for an edge.
    pub fn wait_until_waiting(&self) {
        let mut s = self.0.lock();
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !s.waiting {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            assert!(
                !left.is_zero(),
                "the keypad driver did not go back to waiting within 5 s"
            );
            s = self
                .0
                .changed
                .wait_timeout(s, left)
                .map(|(g, _)| g)
                .unwrap_or_else(|e| e.into_inner().0);
        }
    }

    /// Waits (bounded, 5 s) until `cond` holds; for tests of the threaded driver.
    pub fn wait_until(&self, cond: impl Fn() -> bool) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !cond() {
            assert!(
                std::time::Instant::now() < deadline,
                "the keypad driver did not respond within 5 s"
            );
            std::thread::yield_now();
        }
    }
}
