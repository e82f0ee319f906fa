//! The real keypad pins, through rppal (the only file that uses rppal's
//! GPIO, so that it can be swapped when rppal is replaced: rppal is no
//! longer maintained upstream).
//!
//! Rows: outputs, high at rest. Columns: inputs with the Pi's internal
//! pull-ups and a falling-edge interrupt; [`MatrixPins::wait_for_press`]
//! blocks in rppal's `poll_interrupts` (epoll on the GPIO character
//! device), so waiting costs nothing.
//!
//! # Permission denied
//! The service user needs group `gpio` (`/dev/gpiomem*` and
//! `/dev/gpiochip*`). rppal stops at the first gpiochip it cannot open, so
//! all of them must be readable: the packaged udev rule sees to that.

use super::{KeypadError, MatrixPins, physical_pin};
use rppal::gpio::{Gpio, InputPin, OutputPin, Trigger};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The keypad's pins on the Pi.
#[derive(Debug)]
pub struct RppalMatrix {
    gpio: Gpio,
    rows: Vec<OutputPin>,
    cols: Vec<InputPin>,
    /// Set on shutdown; the waiting thread is then woken by a signal
    /// (interrupting epoll), sees it and returns, dropping the pins, which
    /// rppal resets to inputs.
    stop: Arc<AtomicBool>,
}

fn describe(kind: &str, bcm: u8) -> String {
    match physical_pin(bcm) {
        Some(p) => format!("{kind} pin BCM {bcm} (physical {p})"),
        None => format!("{kind} pin BCM {bcm}"),
    }
}

fn open_error(what: String, e: rppal::gpio::Error) -> KeypadError {
    use rppal::gpio::Error as E;
    let fix = match &e {
        E::PermissionDenied(_) => {
            "add the service user to group gpio (usermod -aG gpio till-kiosk) and check the udev rule"
        }
        E::PinUsed(_) => {
            "another program or driver (an overlay in config.txt?) uses this pin: choose another in keypad.rows/columns"
        }
        E::PinNotAvailable(_) => "this pin does not exist on this board: check keypad.rows/columns",
        E::UnknownModel => "this is not a Raspberry Pi: set keypad.backend to none or sim",
        _ => "check the wiring and keypad.rows/columns in the config",
    };
    KeypadError::Open {
        what,
        reason: e.to_string(),
        fix,
    }
}

impl RppalMatrix {
    /// Claims the pins: `rows` as outputs, `cols` as pulled-up inputs.
    pub fn open(
        rows: &[u8],
        cols: &[u8],
        stop: Arc<AtomicBool>,
    ) -> Result<RppalMatrix, KeypadError> {
        let gpio = Gpio::new().map_err(|e| open_error("GPIO".into(), e))?;
        let mut out = Vec::new();
        for &r in rows {
            let pin = gpio.get(r).map_err(|e| open_error(describe("row", r), e))?;
            out.push(pin.into_output_high());
        }
        let mut ins = Vec::new();
        for &c in cols {
            let pin = gpio
                .get(c)
                .map_err(|e| open_error(describe("column", c), e))?;
            let mut input = pin.into_input_pullup();
            input
                .set_interrupt(Trigger::FallingEdge, None)
                .map_err(|e| open_error(describe("column", c), e))?;
            ins.push(input);
        }
        Ok(RppalMatrix {
            gpio,
            rows: out,
            cols: ins,
            stop,
        })
    }
}

impl MatrixPins for RppalMatrix {
    type Row = OutputPin;
    type Col = InputPin;
    fn pins(&mut self) -> (&mut [OutputPin], &mut [InputPin]) {
        (&mut self.rows, &mut self.cols)
    }
    fn clear_edges(&mut self) -> Result<(), KeypadError> {
        let refs: Vec<&InputPin> = self.cols.iter().collect();
        // reset = true drops cached edges; a zero timeout does not block.
        self.gpio
            .poll_interrupts(&refs, true, Some(std::time::Duration::ZERO))
            .map(|_| ())
            .map_err(|e| KeypadError::Wait(e.to_string()))
    }
    fn wait_for_press(&mut self) -> Result<bool, KeypadError> {
        let refs: Vec<&InputPin> = self.cols.iter().collect();
        match self.gpio.poll_interrupts(&refs, false, None) {
            _ if self.stop.load(Ordering::SeqCst) => Ok(false),
            Ok(_) => Ok(true),
            Err(e) => Err(KeypadError::Wait(e.to_string())),
        }
    }
}
